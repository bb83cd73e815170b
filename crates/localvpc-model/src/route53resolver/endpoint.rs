//! Resolver endpoints: inbound and outbound, each IP address backed by one requester-managed
//! interface in the endpoint's VPC.

use super::ResolverErrorCode;
use super::common::{
    check_creator_request_id, check_name, from_ec2, invalid_parameter, invalid_request, not_found,
    parse_ipv4, rerr, resolver_arn,
};
use super::tags::{check_resolver_tag_count, check_tags};
use crate::ec2::network_interface::{MAX_GROUPS, ManagedInterface};
use crate::ec2::security_group::SecurityGroup;
use crate::ec2::subnet::Subnet;
use crate::ec2::tags::Tags;
use crate::error::ModelError;
use crate::id::{
    NetworkInterfaceId, ResolverEndpointId, ResolverIpId, SecurityGroupId, SubnetId, Timestamp,
    VpcId,
};
use crate::resource::{Model, Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::sync::Arc;

/// AWS's default quotas (docs/aws-semantics.md §7.3): endpoints per Region, IP addresses per endpoint.
pub(crate) const MAX_ENDPOINTS: usize = 4;
pub(crate) const MAX_IPS_PER_ENDPOINT: usize = 6;
/// Who owns the requester-managed interfaces of an endpoint.
const REQUESTER: &str = "route53resolver.amazonaws.com";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResolverDirection {
    Inbound,
    Outbound,
}

impl ResolverDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inbound => "INBOUND",
            Self::Outbound => "OUTBOUND",
        }
    }
}

/// One IP address of an endpoint, backed by one requester-managed interface.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolverIp {
    pub id: ResolverIpId,
    pub subnet_id: SubnetId,
    pub ip: Ipv4Addr,
    pub network_interface_id: NetworkInterfaceId,
    pub created: Timestamp,
    pub modified: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolverEndpoint {
    pub id: ResolverEndpointId,
    pub scope: Scope,
    pub creator_request_id: String,
    pub name: Option<String>,
    pub security_group_ids: Vec<SecurityGroupId>,
    pub direction: ResolverDirection,
    pub vpc_id: VpcId,
    pub ip_addresses: Vec<ResolverIp>,
    /// `Do53`, `DoH`, `DoH-FIPS`.
    pub protocols: Vec<String>,
    pub created: Timestamp,
    pub modified: Timestamp,
    pub tags: Tags,
}

impl ResolverEndpoint {
    pub fn arn(&self) -> String {
        resolver_arn(&self.scope, "resolver-endpoint", self.id.as_str())
    }
}

/// One `IpAddresses` item of CreateResolverEndpoint (strings as given; the model validates).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointIpRequest {
    pub subnet_id: Option<String>,
    pub ip: Option<String>,
    pub ipv6: Option<String>,
    /// Only DisassociateResolverEndpointIpAddress reads it.
    pub ip_id: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateResolverEndpoint {
    pub creator_request_id: String,
    pub name: Option<String>,
    pub security_group_ids: Vec<String>,
    pub direction: String,
    pub ip_addresses: Vec<EndpointIpRequest>,
    pub endpoint_type: Option<String>,
    pub protocols: Option<Vec<String>>,
    pub tags: Vec<(String, String)>,
}

pub(super) fn parse_direction(s: &str) -> Result<ResolverDirection, ModelError> {
    match s {
        "INBOUND" => Ok(ResolverDirection::Inbound),
        "OUTBOUND" => Ok(ResolverDirection::Outbound),
        "INBOUND_DELEGATION" => Err(ModelError::not_emulated(
            "INBOUND_DELEGATION endpoints (INBOUND or OUTBOUND)",
        )),
        other => Err(invalid_parameter(format!(
            "Direction '{other}' is not valid: INBOUND or OUTBOUND"
        ))),
    }
}

pub(super) fn check_endpoint_type(t: Option<&str>) -> Result<(), ModelError> {
    match t {
        None | Some("IPV4") => Ok(()),
        Some("IPV6" | "DUALSTACK") => Err(invalid_parameter(
            "localvpc emulates IPv4 Resolver endpoints only (ResolverEndpointType IPV4)",
        )),
        Some(other) => Err(invalid_parameter(format!(
            "ResolverEndpointType '{other}' is not valid: IPV4, IPV6 or DUALSTACK"
        ))),
    }
}

pub(super) fn check_protocols(protocols: &[String]) -> Result<(), ModelError> {
    if protocols.is_empty() || protocols.len() > 2 {
        return Err(invalid_parameter("Protocols must have 1 or 2 items"));
    }
    for p in protocols {
        if !["Do53", "DoH", "DoH-FIPS"].contains(&p.as_str()) {
            return Err(invalid_parameter(format!(
                "Protocol '{p}' is not valid: Do53, DoH or DoH-FIPS"
            )));
        }
    }
    Ok(())
}

/// Why an address cannot be an endpoint IP in a subnet (docs/aws-semantics.md §1.3), if it cannot.
pub(super) fn check_endpoint_ip(
    subnet: &Subnet,
    ip: Ipv4Addr,
    used: &BTreeSet<Ipv4Addr>,
) -> Result<(), ModelError> {
    let net = subnet.cidr_block;
    let offset = u32::from(ip).wrapping_sub(u32::from(net.network()));
    if !net.contains(&ip) || offset < 4 || ip == net.broadcast() {
        return Err(invalid_request(format!(
            "IP address '{ip}' is either not in subnet '{}' CIDR range or is reserved",
            subnet.id
        )));
    }
    if used.contains(&ip) {
        return Err(rerr(
            ResolverErrorCode::ResourceExists,
            format!(
                "The IP address '{ip}' in subnet '{}' is already in use",
                subnet.id
            ),
        ));
    }
    Ok(())
}

impl Model {
    /// An endpoint of `scope` by the id as sent. Not `get`: Resolver answers a malformed id
    /// and another scope's alike, `ResourceNotFoundException` with its own message.
    pub fn resolver_endpoint(
        &self,
        scope: &Scope,
        id: &str,
    ) -> Result<&ResolverEndpoint, ModelError> {
        ResolverEndpointId::parse(id)
            .ok()
            .and_then(|k| self.resolver_endpoints.get(&k))
            .map(Arc::as_ref)
            .filter(|e| &e.scope == scope)
            .ok_or_else(|| not_found(format!("Resolver endpoint with ID '{id}' does not exist")))
    }

    /// Inbound endpoints hosted in a VPC (where on-premises resolvers send queries).
    pub fn inbound_resolver_endpoints<'a>(
        &'a self,
        vpc_id: &'a VpcId,
    ) -> impl Iterator<Item = &'a ResolverEndpoint> + 'a {
        self.resolver_endpoints
            .values()
            .map(Arc::as_ref)
            .filter(move |e| &e.vpc_id == vpc_id && e.direction == ResolverDirection::Inbound)
    }

    /// The endpoint (of any scope) that owns an address, with its direction: the DNS server
    /// listens on inbound endpoint addresses and sends forwarded queries from outbound ones.
    pub fn resolver_endpoint_by_ip(&self, ip: Ipv4Addr) -> Option<&ResolverEndpoint> {
        self.resolver_endpoints
            .values()
            .map(Arc::as_ref)
            .find(|e| e.ip_addresses.iter().any(|a| a.ip == ip))
    }
}

impl Txn<'_, '_> {
    pub(super) fn update_resolver_endpoint(
        &mut self,
        id: &str,
        name: Option<&String>,
        endpoint_type: Option<&str>,
        protocols: Option<&Vec<String>>,
        update_ipv6: bool,
    ) -> Result<ResolverEndpoint, ModelError> {
        let mut e = self.model.resolver_endpoint(self.ctx.scope, id)?.clone();
        if update_ipv6 {
            return Err(invalid_parameter(
                "localvpc emulates IPv4 Resolver endpoints only (UpdateIpAddresses sets IPv6 addresses)",
            ));
        }
        check_endpoint_type(endpoint_type)?;
        if let Some(n) = name {
            check_name(n, "Name")?;
            e.name = Some(n.clone());
        }
        if let Some(p) = protocols {
            check_protocols(p)?;
            e.protocols.clone_from(p);
        }
        e.modified = self.ctx.now;
        self.put(Resource::ResolverEndpoint(e.clone()));
        Ok(e)
    }

    pub(super) fn endpoint_subnet(&self, subnet_id: Option<&str>) -> Result<Subnet, ModelError> {
        let subnet_id =
            subnet_id.ok_or_else(|| invalid_parameter("Each IP address needs a SubnetId"))?;
        SubnetId::parse(subnet_id)
            .ok()
            .and_then(|s| self.model.get::<Subnet>(self.ctx.scope, &s).ok())
            .cloned()
            .ok_or_else(|| invalid_parameter(format!("The subnet ID '{subnet_id}' does not exist")))
    }

    /// Creates the interface of one endpoint IP (the address chosen when not given).
    pub(super) fn endpoint_interface(
        &mut self,
        endpoint: &ResolverEndpointId,
        subnet: &Subnet,
        ip: Option<Ipv4Addr>,
        groups: &[SecurityGroupId],
    ) -> Result<ResolverIp, ModelError> {
        let ip_id = ResolverIpId::generate(self.ctx.ids);
        let eni = self
            .create_managed_interface(ManagedInterface {
                subnet_id: &subnet.id,
                ip,
                groups: groups.to_vec(),
                description: format!("Route 53 Resolver: {endpoint}:{ip_id}"),
                interface_type: "interface",
                requester_id: REQUESTER,
                source_dest_check: true,
            })
            .map_err(from_ec2)?;
        Ok(ResolverIp {
            id: ip_id,
            subnet_id: subnet.id.clone(),
            ip: eni.private_ip,
            network_interface_id: eni.id,
            created: self.ctx.now,
            modified: self.ctx.now,
        })
    }

    pub(super) fn create_resolver_endpoint(
        &mut self,
        input: &CreateResolverEndpoint,
    ) -> Result<ResolverEndpoint, ModelError> {
        let scope = self.ctx.scope;
        check_creator_request_id(&input.creator_request_id)?;
        if let Some(n) = &input.name {
            check_name(n, "Name")?;
        }
        let direction = parse_direction(&input.direction)?;
        check_endpoint_type(input.endpoint_type.as_deref())?;
        let protocols = input
            .protocols
            .clone()
            .unwrap_or_else(|| vec!["Do53".to_owned()]);
        check_protocols(&protocols)?;
        check_tags(&input.tags)?;
        check_resolver_tag_count(input.tags.len())?;
        if let Some(existing) = self
            .model
            .in_scope::<ResolverEndpoint>(scope)
            .find(|e| e.creator_request_id == input.creator_request_id)
        {
            // A retry of the same request answers the endpoint it made (idempotency).
            let same_groups = existing
                .security_group_ids
                .iter()
                .map(SecurityGroupId::as_str)
                .collect::<BTreeSet<_>>()
                == input
                    .security_group_ids
                    .iter()
                    .map(String::as_str)
                    .collect::<BTreeSet<_>>();
            if existing.direction == direction
                && same_groups
                && existing.ip_addresses.len() == input.ip_addresses.len()
            {
                return Ok(existing.clone());
            }
            return Err(rerr(
                ResolverErrorCode::ResourceExists,
                format!(
                    "[RSLVR-00702] Resolver endpoint with creator request ID '{}' already exists with different parameters",
                    input.creator_request_id
                ),
            ));
        }
        if self.model.in_scope::<ResolverEndpoint>(scope).count() >= MAX_ENDPOINTS {
            return Err(rerr(
                ResolverErrorCode::LimitExceeded,
                format!(
                    "[RSLVR-00800] Account '{}' has reached the limit of {MAX_ENDPOINTS} Resolver endpoints in {}",
                    scope.account, scope.region
                ),
            ));
        }
        if input.ip_addresses.len() < 2 {
            return Err(invalid_request(
                "[RSLVR-00408] A Resolver endpoint needs at least 2 IP addresses",
            ));
        }
        if input.ip_addresses.len() > MAX_IPS_PER_ENDPOINT {
            return Err(rerr(
                ResolverErrorCode::LimitExceeded,
                format!(
                    "[RSLVR-00801] A Resolver endpoint can have at most {MAX_IPS_PER_ENDPOINT} IP addresses"
                ),
            ));
        }
        // Subnets (one VPC) and addresses, before any interface exists.
        let mut vpc: Option<VpcId> = None;
        let mut planned: Vec<(Subnet, Option<Ipv4Addr>)> = Vec::new();
        for req in &input.ip_addresses {
            if req.ipv6.is_some() {
                return Err(invalid_parameter(
                    "localvpc emulates IPv4 Resolver endpoints only (IpAddresses.Ip)",
                ));
            }
            let subnet = self.endpoint_subnet(req.subnet_id.as_deref())?;
            match &vpc {
                Some(v) if v != &subnet.vpc_id => {
                    return Err(invalid_request(format!(
                        "[RSLVR-00402] All subnets of a Resolver endpoint must be in the same VPC ('{}' is in '{}', not '{v}')",
                        subnet.id, subnet.vpc_id
                    )));
                }
                _ => vpc = Some(subnet.vpc_id.clone()),
            }
            let ip = req
                .ip
                .as_deref()
                .map(|s| parse_ipv4(s, "IpAddresses.Ip"))
                .transpose()?;
            planned.push((subnet, ip));
        }
        let Some(vpc_id) = vpc else {
            return Err(invalid_request(
                "[RSLVR-00408] A Resolver endpoint needs at least 2 IP addresses",
            ));
        };
        let groups = self.endpoint_groups(&input.security_group_ids, &vpc_id)?;
        let mut taken: Vec<(SubnetId, Ipv4Addr)> = Vec::new();
        for (subnet, ip) in &planned {
            if let Some(ip) = ip {
                let mut used = self.model.used_addresses(&subnet.id);
                used.extend(
                    taken
                        .iter()
                        .filter(|(s, _)| s == &subnet.id)
                        .map(|(_, a)| *a),
                );
                check_endpoint_ip(subnet, *ip, &used)?;
                taken.push((subnet.id.clone(), *ip));
            }
        }
        let id =
            ResolverEndpointId::generate(self.ctx.ids, direction == ResolverDirection::Inbound);
        // Chosen addresses first, so an automatic pick cannot take one asked for later.
        let mut made: Vec<(usize, ResolverIp)> = Vec::new();
        for explicit in [true, false] {
            for (n, (subnet, ip)) in planned.iter().enumerate() {
                if ip.is_some() == explicit {
                    made.push((n, self.endpoint_interface(&id, subnet, *ip, &groups)?));
                }
            }
        }
        made.sort_by_key(|(n, _)| *n);
        let endpoint = ResolverEndpoint {
            id,
            scope: scope.clone(),
            creator_request_id: input.creator_request_id.clone(),
            name: input.name.clone(),
            security_group_ids: groups,
            direction,
            vpc_id,
            ip_addresses: made.into_iter().map(|(_, ip)| ip).collect(),
            protocols,
            created: self.ctx.now,
            modified: self.ctx.now,
            tags: input.tags.iter().cloned().collect(),
        };
        self.put(Resource::ResolverEndpoint(endpoint.clone()));
        Ok(endpoint)
    }

    /// The endpoint's security groups: at least one, existing, in its VPC.
    pub(super) fn endpoint_groups(
        &self,
        ids: &[String],
        vpc_id: &VpcId,
    ) -> Result<Vec<SecurityGroupId>, ModelError> {
        if ids.is_empty() {
            return Err(invalid_parameter(
                "SecurityGroupIds must name at least one security group",
            ));
        }
        if ids.len() > MAX_GROUPS {
            return Err(rerr(
                ResolverErrorCode::LimitExceeded,
                format!("A Resolver endpoint can have at most {MAX_GROUPS} security groups"),
            ));
        }
        let mut out: Vec<SecurityGroupId> = Vec::new();
        for g in ids {
            let id = SecurityGroupId::parse(g).map_err(|_| {
                invalid_parameter(format!(
                    "Malformed security group ID: \"{g}\" (expecting \"sg-...\")"
                ))
            })?;
            let group = self
                .model
                .get::<SecurityGroup>(self.ctx.scope, &id)
                .map_err(|_| not_found(format!("The security group '{g}' does not exist")))?;
            if &group.vpc_id != vpc_id {
                return Err(invalid_request(format!(
                    "The security group '{g}' is not in VPC '{vpc_id}' of the endpoint's subnets"
                )));
            }
            if !out.contains(&id) {
                out.push(id);
            }
        }
        Ok(out)
    }

    pub(super) fn delete_resolver_endpoint(
        &mut self,
        id: &str,
    ) -> Result<ResolverEndpoint, ModelError> {
        let endpoint = self.model.resolver_endpoint(self.ctx.scope, id)?.clone();
        let rules: Vec<String> = self
            .model
            .resolver_rules
            .values()
            .filter(|r| r.resolver_endpoint_id.as_ref() == Some(&endpoint.id))
            .map(|r| r.id.to_string())
            .collect();
        if !rules.is_empty() {
            return Err(invalid_request(format!(
                "[RSLVR-00705] Cannot delete Resolver endpoint '{id}' while rules use it: {}",
                rules.join(", ")
            )));
        }
        for ip in &endpoint.ip_addresses {
            self.delete(ResourceRef::NetworkInterface(
                ip.network_interface_id.clone(),
            ));
        }
        self.delete(ResourceRef::ResolverEndpoint(endpoint.id.clone()));
        Ok(endpoint)
    }

    pub(super) fn associate_endpoint_ip(
        &mut self,
        id: &str,
        req: &EndpointIpRequest,
    ) -> Result<ResolverEndpoint, ModelError> {
        let mut endpoint = self.model.resolver_endpoint(self.ctx.scope, id)?.clone();
        if req.ipv6.is_some() {
            return Err(invalid_parameter(
                "localvpc emulates IPv4 Resolver endpoints only (IpAddress.Ip)",
            ));
        }
        let subnet = self.endpoint_subnet(req.subnet_id.as_deref())?;
        if subnet.vpc_id != endpoint.vpc_id {
            return Err(invalid_request(format!(
                "[RSLVR-00402] Subnet '{}' is not in the endpoint's VPC '{}'",
                subnet.id, endpoint.vpc_id
            )));
        }
        let ip = req
            .ip
            .as_deref()
            .map(|s| parse_ipv4(s, "IpAddress.Ip"))
            .transpose()?;
        if let Some(ip) = ip {
            if endpoint.ip_addresses.iter().any(|a| a.ip == ip) {
                return Err(rerr(
                    ResolverErrorCode::ResourceExists,
                    format!("The IP address '{ip}' is already associated with '{id}'"),
                ));
            }
            check_endpoint_ip(&subnet, ip, &self.model.used_addresses(&subnet.id))?;
        }
        if endpoint.ip_addresses.len() >= MAX_IPS_PER_ENDPOINT {
            return Err(rerr(
                ResolverErrorCode::LimitExceeded,
                format!(
                    "[RSLVR-00801] A Resolver endpoint can have at most {MAX_IPS_PER_ENDPOINT} IP addresses"
                ),
            ));
        }
        let added =
            self.endpoint_interface(&endpoint.id, &subnet, ip, &endpoint.security_group_ids)?;
        endpoint.ip_addresses.push(added);
        endpoint.modified = self.ctx.now;
        self.put(Resource::ResolverEndpoint(endpoint.clone()));
        Ok(endpoint)
    }

    pub(super) fn disassociate_endpoint_ip(
        &mut self,
        id: &str,
        req: &EndpointIpRequest,
    ) -> Result<ResolverEndpoint, ModelError> {
        let mut endpoint = self.model.resolver_endpoint(self.ctx.scope, id)?.clone();
        let ip = req
            .ip
            .as_deref()
            .map(|s| parse_ipv4(s, "IpAddress.Ip"))
            .transpose()?;
        if req.ip_id.is_none() && ip.is_none() {
            return Err(invalid_parameter(
                "IpAddress needs an IpId, or an Ip (with its SubnetId)",
            ));
        }
        let index = endpoint
            .ip_addresses
            .iter()
            .position(|a| {
                req.ip_id.as_deref().is_none_or(|x| x == a.id.as_str())
                    && ip.is_none_or(|x| x == a.ip)
                    && req
                        .subnet_id
                        .as_deref()
                        .is_none_or(|s| s == a.subnet_id.as_str())
            })
            .ok_or_else(|| {
                not_found(format!(
                    "The IP address is not associated with Resolver endpoint '{id}'"
                ))
            })?;
        if endpoint.ip_addresses.len() <= 2 {
            return Err(invalid_request(format!(
                "[RSLVR-00408] Resolver endpoint '{id}' must keep at least 2 IP addresses"
            )));
        }
        let removed = endpoint.ip_addresses.remove(index);
        self.delete(ResourceRef::NetworkInterface(removed.network_interface_id));
        endpoint.modified = self.ctx.now;
        self.put(Resource::ResolverEndpoint(endpoint.clone()));
        Ok(endpoint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ec2::network_interface::NetworkInterface;
    use crate::route53resolver::testing::*;

    #[test]
    fn inbound_endpoint_makes_requester_managed_interfaces() {
        let mut h = harness();
        let (vpc, a, c, g) = network(&mut h);
        let e = h
            .endpoint(
                "req-1",
                "INBOUND",
                &g,
                &[(&a, Some("10.0.1.10")), (&c, None)],
            )
            .unwrap();
        assert!(e.id.as_str().starts_with("rslvr-in-"));
        assert_eq!(e.vpc_id, vpc.id);
        assert_eq!(e.protocols, ["Do53"]);
        assert_eq!(e.ip_addresses.len(), 2);
        assert_eq!(e.ip_addresses[0].ip.to_string(), "10.0.1.10");
        assert_eq!(e.ip_addresses[1].ip.to_string(), "10.0.2.4");
        for ip in &e.ip_addresses {
            let eni = h
                .model
                .get::<NetworkInterface>(&h.scope, &ip.network_interface_id)
                .unwrap();
            assert!(eni.requester_managed);
            assert_eq!(eni.private_ip, ip.ip);
            assert_eq!(eni.subnet_id, ip.subnet_id);
            assert_eq!(eni.groups, std::slice::from_ref(&g.id));
            assert_eq!(
                eni.description,
                format!("Route 53 Resolver: {}:{}", e.id, ip.id)
            );
        }
        assert_eq!(
            e.arn(),
            format!(
                "arn:aws:route53resolver:ap-northeast-1:000000000000:resolver-endpoint/{}",
                e.id
            )
        );
        // The same request again answers the same endpoint; other parameters are refused.
        let again = h
            .endpoint(
                "req-1",
                "INBOUND",
                &g,
                &[(&a, Some("10.0.1.10")), (&c, None)],
            )
            .unwrap();
        assert_eq!(again, e);
        let err = h
            .endpoint("req-1", "OUTBOUND", &g, &[(&a, None), (&c, None)])
            .unwrap_err();
        assert_eq!(code(&err), "ResourceExistsException");
        // The subnet is in use now.
        let err = h
            .run(Command::DeleteSubnet {
                subnet_id: a.id.clone(),
            })
            .unwrap_err();
        assert_eq!(err.code(), "DependencyViolation");
        // Deleting the endpoint removes its interfaces.
        h.resolver(ResolverCommand::DeleteEndpoint {
            id: e.id.to_string(),
        })
        .unwrap();
        assert_eq!(h.model.in_scope::<NetworkInterface>(&h.scope).count(), 0);
        h.run(Command::DeleteSubnet {
            subnet_id: a.id.clone(),
        })
        .unwrap();
    }

    #[test]
    fn endpoint_refusals_leave_nothing_behind() {
        let mut h = harness();
        let (_vpc, a, c, g) = network(&mut h);
        let other = h.vpc("10.1.0.0/16");
        let o = h
            .subnet(&other.id, "10.1.1.0/24", "ap-northeast-1a")
            .unwrap();
        type Ips<'a> = Vec<(&'a Subnet, Option<&'a str>)>;
        let cases: Vec<(Ips<'_>, &str)> = vec![
            (vec![(&a, None)], "InvalidRequestException"),
            (vec![(&a, None), (&o, None)], "InvalidRequestException"),
            (
                vec![(&a, Some("10.0.2.9")), (&c, None)],
                "InvalidRequestException",
            ),
            (
                vec![(&a, Some("10.0.1.3")), (&c, None)],
                "InvalidRequestException",
            ),
            (
                vec![(&a, Some("10.0.1.255")), (&c, None)],
                "InvalidRequestException",
            ),
            (
                vec![(&a, Some("10.0.1.9")), (&a, Some("10.0.1.9"))],
                "ResourceExistsException",
            ),
            (
                vec![(&a, Some("nope")), (&c, None)],
                "InvalidParameterException",
            ),
        ];
        for (ips, want) in cases {
            let err = h.endpoint("r", "INBOUND", &g, &ips).unwrap_err();
            assert_eq!(code(&err), want, "{ips:?}: {err}");
        }
        let err = h
            .endpoint("r", "SIDEWAYS", &g, &[(&a, None), (&c, None)])
            .unwrap_err();
        assert_eq!(code(&err), "InvalidParameterException");
        // A group of another VPC.
        let og = h.group(&other, "other");
        let err = h
            .endpoint("r", "INBOUND", &og, &[(&a, None), (&c, None)])
            .unwrap_err();
        assert_eq!(code(&err), "InvalidRequestException");
        assert_eq!(h.model.in_scope::<NetworkInterface>(&h.scope).count(), 0);
        assert_eq!(h.model.in_scope::<ResolverEndpoint>(&h.scope).count(), 0);
        // An address in use by another interface.
        h.endpoint("r1", "INBOUND", &g, &[(&a, Some("10.0.1.20")), (&c, None)])
            .unwrap();
        let err = h
            .endpoint("r2", "OUTBOUND", &g, &[(&a, Some("10.0.1.20")), (&c, None)])
            .unwrap_err();
        assert_eq!(code(&err), "ResourceExistsException");
    }

    #[test]
    fn endpoint_ip_association_keeps_two() {
        let mut h = harness();
        let (_vpc, a, c, g) = network(&mut h);
        let e = h
            .endpoint("r", "OUTBOUND", &g, &[(&a, None), (&c, None)])
            .unwrap();
        let add = |subnet: &Subnet, ip: Option<&str>| ResolverCommand::AssociateEndpointIp {
            id: e.id.to_string(),
            ip: EndpointIpRequest {
                subnet_id: Some(subnet.id.to_string()),
                ip: ip.map(str::to_owned),
                ..EndpointIpRequest::default()
            },
        };
        let ResolverOutcome::Endpoint(e2) = h.resolver(add(&c, Some("10.0.2.50"))).unwrap() else {
            panic!()
        };
        assert_eq!(e2.ip_addresses.len(), 3);
        let err = h.resolver(add(&c, Some("10.0.2.50"))).unwrap_err();
        assert_eq!(code(&err), "ResourceExistsException");
        let remove = |ip_id: &ResolverIpId| ResolverCommand::DisassociateEndpointIp {
            id: e.id.to_string(),
            ip: EndpointIpRequest {
                ip_id: Some(ip_id.to_string()),
                ..EndpointIpRequest::default()
            },
        };
        h.resolver(remove(&e2.ip_addresses[0].id)).unwrap();
        let err = h.resolver(remove(&e2.ip_addresses[1].id)).unwrap_err();
        assert_eq!(code(&err), "InvalidRequestException");
        let err = h.resolver(remove(&e2.ip_addresses[0].id)).unwrap_err();
        assert_eq!(code(&err), "ResourceNotFoundException");
        assert_eq!(h.model.in_scope::<NetworkInterface>(&h.scope).count(), 2);
    }
}

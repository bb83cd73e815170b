//! Endpoint services, the provider side of PrivateLink (docs/aws-semantics.md §5.1–§5.4): a service in front of
//! network or gateway load balancers, who may see and connect to it, the acceptance flow, and
//! connection notifications. Consumers find a service by name through
//! [`Model::endpoint_services`], which also serves the AWS catalogue.

use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::ec2::vpc_endpoint::VpcEndpoint;
use crate::ec2::vpc_endpoint::{EndpointState, EndpointTypeWire};
use crate::elbv2::LoadBalancer;
use crate::elbv2::{LoadBalancerArn, LoadBalancerType};
use crate::error::ModelError;
use crate::id::{ConnectionNotificationId, Timestamp, VpcEndpointId, VpcEndpointServiceId};
use crate::resource::{Model, Resource, ResourceRef};
use crate::scope::{AccountId, Scope};
use crate::txn::Txn;
use serde::{Deserialize, Serialize};

/// At most this many events are kept per notification (oldest dropped first).
const MAX_RECORDED_EVENTS: usize = 100;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateDnsVerification {
    /// `pendingVerification`, `verified` or `failed`.
    pub state: String,
    /// The underscore label to create under the domain, e.g. `_pmbgn7mjnf`.
    pub name: String,
    /// The TXT value, e.g. `vpce:asjdakjshd78126eu21`.
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowedPrincipal {
    pub id: String,
    pub principal: String,
}

impl AllowedPrincipal {
    /// `All`, `Account`, `User`, `Role` or `Service` (docs/aws-semantics.md §5.2).
    pub fn principal_type(&self) -> &'static str {
        principal_type(&self.principal).unwrap_or("Account")
    }

    /// Whether this entry lets an account see and connect to the service.
    fn admits(&self, account: &AccountId) -> bool {
        if self.principal == "*" {
            return true;
        }
        // localvpc callers are accounts: a user or role ARN admits its account.
        self.principal
            .strip_prefix("arn:aws:iam::")
            .and_then(|rest| rest.split(':').next())
            .is_some_and(|a| a == account.as_str())
    }
}

fn principal_type(p: &str) -> Option<&'static str> {
    if p == "*" {
        return Some("All");
    }
    if p.ends_with(".amazonaws.com") {
        return Some("Service");
    }
    let rest = p.strip_prefix("arn:aws:iam::")?;
    let (account, resource) = rest.split_once(':')?;
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match resource {
        "root" => Some("Account"),
        r if r.starts_with("user/") && r.len() > 5 && !r[5..].contains('/') => Some("User"),
        r if r.starts_with("role/") && r.len() > 5 && !r[5..].contains('/') => Some("Role"),
        _ => None,
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcEndpointServiceConfiguration {
    pub id: VpcEndpointServiceId,
    pub scope: Scope,
    pub service_type: EndpointTypeWire,
    pub load_balancer_arns: Vec<LoadBalancerArn>,
    pub acceptance_required: bool,
    pub private_dns_name: Option<String>,
    pub private_dns_verification: Option<PrivateDnsVerification>,
    pub supported_ip_address_types: Vec<String>,
    pub allowed_principals: Vec<AllowedPrincipal>,
    pub created: Timestamp,
    pub tags: Tags,
}

impl VpcEndpointServiceConfiguration {
    /// `com.amazonaws.vpce.<region>.vpce-svc-…`.
    pub fn service_name(&self) -> String {
        format!("com.amazonaws.vpce.{}.{}", self.scope.region, self.id)
    }

    pub fn base_endpoint_dns_name(&self) -> String {
        format!("{}.{}.vpce.amazonaws.com", self.id, self.scope.region)
    }

    /// Who may see and connect: the owner and the allowed principals.
    pub fn visible_to(&self, account: &AccountId) -> bool {
        &self.scope.account == account || self.allowed_principals.iter().any(|p| p.admits(account))
    }

    /// The private DNS name consumers get, once verified.
    pub fn verified_private_dns_name(&self) -> Option<&str> {
        match &self.private_dns_verification {
            Some(v) if v.state == "verified" => self.private_dns_name.as_deref(),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionEvent {
    pub at: Timestamp,
    /// `Connect`, `Accept`, `Reject` or `Delete`.
    pub event: String,
    pub vpc_endpoint_id: VpcEndpointId,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionNotification {
    pub id: ConnectionNotificationId,
    pub scope: Scope,
    pub service_id: Option<VpcEndpointServiceId>,
    pub vpc_endpoint_id: Option<VpcEndpointId>,
    pub topic_arn: String,
    pub events: Vec<String>,
    pub enabled: bool,
    /// What would have been published to the topic, newest last.
    pub recorded: Vec<ConnectionEvent>,
    pub tags: Tags,
}

/// CreateVpcEndpointServiceConfiguration's input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateEndpointService {
    pub network_load_balancer_arns: Vec<LoadBalancerArn>,
    pub gateway_load_balancer_arns: Vec<LoadBalancerArn>,
    pub acceptance_required: Option<bool>,
    pub private_dns_name: Option<String>,
    pub supported_ip_address_types: Vec<String>,
    pub tag_specifications: Vec<TagSpecification>,
}

/// ModifyVpcEndpointServiceConfiguration's input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifyEndpointService {
    pub id: VpcEndpointServiceId,
    pub private_dns_name: Option<String>,
    pub remove_private_dns_name: bool,
    pub acceptance_required: Option<bool>,
    pub add_load_balancer_arns: Vec<LoadBalancerArn>,
    pub remove_load_balancer_arns: Vec<LoadBalancerArn>,
    pub add_ip_address_types: Vec<String>,
    pub remove_ip_address_types: Vec<String>,
}

const EVENTS: [&str; 4] = ["Accept", "Connect", "Delete", "Reject"];

impl Model {
    /// The customer endpoint service behind a service name, if any.
    pub fn endpoint_service_by_name(&self, name: &str) -> Option<&VpcEndpointServiceConfiguration> {
        let id = name.rsplit('.').next()?;
        let id = VpcEndpointServiceId::parse(id).ok()?;
        self.vpc_endpoint_service_configurations
            .get(&id)
            .map(AsRef::as_ref)
            .filter(|s| s.service_name() == name)
    }

    /// AZ ids of a service: those of its load balancers' subnets.
    pub fn endpoint_service_zone_ids(&self, s: &VpcEndpointServiceConfiguration) -> Vec<String> {
        let mut out: Vec<String> = s
            .load_balancer_arns
            .iter()
            .filter_map(|arn| self.load_balancers.get(arn))
            .flat_map(|lb| lb.zone_ids(self).collect::<Vec<_>>())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The endpoints connected (in any state) to a service, from every account.
    pub fn endpoint_connections<'a>(
        &'a self,
        s: &'a VpcEndpointServiceConfiguration,
    ) -> impl Iterator<Item = &'a VpcEndpoint> + 'a {
        let name = s.service_name();
        self.vpc_endpoints
            .values()
            .map(AsRef::as_ref)
            .filter(move |e| e.service_name == name && e.scope.region == s.scope.region)
    }
}

fn random_label(ids: &mut dyn crate::id::IdGen, len: usize) -> String {
    // Hex is a subset of AWS's lowercase alphanumerics.
    ids.hex(len)
}

impl Txn<'_, '_> {
    fn check_service_load_balancers(
        &self,
        arns: &[LoadBalancerArn],
        lb_type: LoadBalancerType,
        myself: Option<&VpcEndpointServiceId>,
    ) -> Result<(), ModelError> {
        for arn in arns {
            let lb = self
                .model
                .get::<LoadBalancer>(self.ctx.scope, arn)
                .map_err(|_| ModelError::LoadBalancerArnNotFound {
                    gateway: lb_type == LoadBalancerType::Gateway,
                    arn: arn.to_string(),
                })?;
            if lb.lb_type != lb_type {
                return Err(ModelError::InvalidParameter {
                    message: format!(
                        "The load balancer {arn} is not a {} load balancer",
                        lb_type.as_str()
                    ),
                });
            }
            let used = self
                .model
                .vpc_endpoint_service_configurations
                .values()
                .any(|s| Some(&s.id) != myself && s.load_balancer_arns.contains(arn));
            if used {
                return Err(ModelError::InvalidParameter {
                    message: format!(
                        "The load balancer {arn} is already associated with another VPC endpoint service"
                    ),
                });
            }
        }
        Ok(())
    }

    fn new_verification(&mut self) -> PrivateDnsVerification {
        PrivateDnsVerification {
            state: "pendingVerification".to_owned(),
            name: format!("_{}", random_label(self.ctx.ids, 10)),
            value: format!("vpce:{}", random_label(self.ctx.ids, 20)),
        }
    }

    pub(crate) fn create_endpoint_service(
        &mut self,
        input: &CreateEndpointService,
    ) -> Result<VpcEndpointServiceConfiguration, ModelError> {
        let (service_type, arns, lb_type) = match (
            input.network_load_balancer_arns.is_empty(),
            input.gateway_load_balancer_arns.is_empty(),
        ) {
            (false, true) => (
                EndpointTypeWire::Interface,
                &input.network_load_balancer_arns,
                LoadBalancerType::Network,
            ),
            (true, false) => (
                EndpointTypeWire::GatewayLoadBalancer,
                &input.gateway_load_balancer_arns,
                LoadBalancerType::Gateway,
            ),
            (true, true) => {
                return Err(ModelError::missing(
                    "The request must contain the parameter NetworkLoadBalancerArn or GatewayLoadBalancerArn",
                ));
            }
            (false, false) => {
                return Err(ModelError::InvalidParameterCombination {
                    message: "A service uses either network load balancers or gateway load balancers, not both".to_owned(),
                });
            }
        };
        self.check_service_load_balancers(arns, lb_type, None)?;
        if input.private_dns_name.is_some() && service_type == EndpointTypeWire::GatewayLoadBalancer
        {
            return Err(ModelError::InvalidParameter {
                message: "Private DNS names are not supported for Gateway Load Balancer endpoint services".to_owned(),
            });
        }
        let ip_types = if input.supported_ip_address_types.is_empty() {
            vec!["ipv4".to_owned()]
        } else {
            input.supported_ip_address_types.clone()
        };
        check_ip_types(&ip_types)?;
        let id = VpcEndpointServiceId::generate(self.ctx.ids);
        let tags = tags_for(
            &input.tag_specifications,
            "vpc-endpoint-service",
            id.as_str(),
        )?;
        let verification = input
            .private_dns_name
            .as_ref()
            .map(|_| self.new_verification());
        let service = VpcEndpointServiceConfiguration {
            id,
            scope: self.ctx.scope.clone(),
            service_type,
            load_balancer_arns: arns.clone(),
            // AWS's console default; the API documents no default (docs/aws-choices.md).
            acceptance_required: input.acceptance_required.unwrap_or(true),
            private_dns_name: input.private_dns_name.clone(),
            private_dns_verification: verification,
            supported_ip_address_types: ip_types,
            allowed_principals: Vec::new(),
            created: self.ctx.now,
            tags,
        };
        self.put(Resource::VpcEndpointServiceConfiguration(service.clone()));
        Ok(service)
    }

    fn live_connections(&self, s: &VpcEndpointServiceConfiguration) -> usize {
        self.model
            .endpoint_connections(s)
            .filter(|e| {
                matches!(
                    e.state,
                    EndpointState::PendingAcceptance
                        | EndpointState::Pending
                        | EndpointState::Available
                )
            })
            .count()
    }

    pub(crate) fn modify_endpoint_service(
        &mut self,
        input: &ModifyEndpointService,
    ) -> Result<(), ModelError> {
        let mut s = self
            .model
            .get::<VpcEndpointServiceConfiguration>(self.ctx.scope, &input.id)?
            .clone();
        let lb_type = match s.service_type {
            EndpointTypeWire::GatewayLoadBalancer => LoadBalancerType::Gateway,
            _ => LoadBalancerType::Network,
        };
        self.check_service_load_balancers(&input.add_load_balancer_arns, lb_type, Some(&s.id))?;
        for arn in &input.add_load_balancer_arns {
            if !s.load_balancer_arns.contains(arn) {
                s.load_balancer_arns.push(arn.clone());
            }
        }
        if !input.remove_load_balancer_arns.is_empty() && self.live_connections(&s) > 0 {
            return Err(ModelError::ExistingVpcEndpointConnections {
                id: s.id.to_string(),
            });
        }
        s.load_balancer_arns
            .retain(|a| !input.remove_load_balancer_arns.contains(a));
        if s.load_balancer_arns.is_empty() {
            return Err(ModelError::InvalidParameter {
                message: "An endpoint service needs at least one load balancer".to_owned(),
            });
        }
        if let Some(a) = input.acceptance_required {
            s.acceptance_required = a;
        }
        if input.remove_private_dns_name && input.private_dns_name.is_some() {
            return Err(ModelError::InvalidParameterCombination {
                message: "PrivateDnsName and RemovePrivateDnsName cannot be used together"
                    .to_owned(),
            });
        }
        if input.remove_private_dns_name {
            s.private_dns_name = None;
            s.private_dns_verification = None;
        }
        if let Some(name) = &input.private_dns_name {
            if s.service_type == EndpointTypeWire::GatewayLoadBalancer {
                return Err(ModelError::InvalidParameter {
                    message: "Private DNS names are not supported for Gateway Load Balancer endpoint services".to_owned(),
                });
            }
            if s.private_dns_name.as_ref() != Some(name) {
                s.private_dns_name = Some(name.clone());
                s.private_dns_verification = Some(self.new_verification());
            }
        }
        for t in &input.add_ip_address_types {
            if !s.supported_ip_address_types.contains(t) {
                s.supported_ip_address_types.push(t.clone());
            }
        }
        s.supported_ip_address_types
            .retain(|t| !input.remove_ip_address_types.contains(t));
        if s.supported_ip_address_types.is_empty() {
            return Err(ModelError::InvalidParameter {
                message: "An endpoint service needs at least one supported IP address type"
                    .to_owned(),
            });
        }
        check_ip_types(&s.supported_ip_address_types)?;
        self.put(Resource::VpcEndpointServiceConfiguration(s));
        Ok(())
    }

    pub(crate) fn delete_endpoint_service(
        &mut self,
        id: &VpcEndpointServiceId,
    ) -> Result<(), ModelError> {
        let s = self
            .model
            .get::<VpcEndpointServiceConfiguration>(self.ctx.scope, id)?
            .clone();
        if self.live_connections(&s) > 0 {
            return Err(ModelError::ExistingVpcEndpointConnections { id: id.to_string() });
        }
        let notifications: Vec<ConnectionNotificationId> = self
            .model
            .connection_notifications
            .values()
            .filter(|n| n.service_id.as_ref() == Some(id))
            .map(|n| n.id.clone())
            .collect();
        for n in notifications {
            self.delete(ResourceRef::ConnectionNotification(n));
        }
        self.delete(ResourceRef::VpcEndpointServiceConfiguration(id.clone()));
        Ok(())
    }

    /// Adds and removes allowed principals; returns the added entries.
    pub(crate) fn modify_service_permissions(
        &mut self,
        id: &VpcEndpointServiceId,
        add: &[String],
        remove: &[String],
    ) -> Result<Vec<AllowedPrincipal>, ModelError> {
        let mut s = self
            .model
            .get::<VpcEndpointServiceConfiguration>(self.ctx.scope, id)?
            .clone();
        let mut added = Vec::new();
        for p in add {
            if principal_type(p).is_none() {
                return Err(ModelError::UnknownPrincipalType {
                    principal: p.clone(),
                });
            }
            if s.allowed_principals.iter().any(|x| &x.principal == p) {
                continue;
            }
            let entry = AllowedPrincipal {
                id: format!("vpce-svc-perm-{}", self.ctx.ids.hex(17)),
                principal: p.clone(),
            };
            s.allowed_principals.push(entry.clone());
            added.push(entry);
        }
        for p in remove {
            if !s.allowed_principals.iter().any(|x| &x.principal == p) {
                return Err(ModelError::InvalidParameter {
                    message: format!("The principal {p} is not allowed on the service {id}"),
                });
            }
            s.allowed_principals.retain(|x| &x.principal != p);
        }
        self.put(Resource::VpcEndpointServiceConfiguration(s));
        Ok(added)
    }

    /// Accepts or rejects endpoint connections (provider side); per-item failures.
    pub(crate) fn answer_connections(
        &mut self,
        id: &VpcEndpointServiceId,
        endpoints: &[VpcEndpointId],
        accept: bool,
    ) -> Result<Vec<(String, &'static str, String)>, ModelError> {
        let s = self
            .model
            .get::<VpcEndpointServiceConfiguration>(self.ctx.scope, id)?
            .clone();
        let name = s.service_name();
        let mut failed = Vec::new();
        for eid in endpoints {
            let Some(endpoint) = self
                .model
                .vpc_endpoints
                .get(eid)
                .filter(|e| e.service_name == name)
                .map(|e| (**e).clone())
            else {
                failed.push((
                    eid.to_string(),
                    "InvalidVpcEndpointId.NotFound",
                    format!("The VPC endpoint {eid} is not connected to the service {id}"),
                ));
                continue;
            };
            let mut endpoint = endpoint;
            let allowed = if accept {
                matches!(
                    endpoint.state,
                    EndpointState::PendingAcceptance | EndpointState::Rejected
                )
            } else {
                matches!(
                    endpoint.state,
                    EndpointState::PendingAcceptance | EndpointState::Available
                )
            };
            if !allowed {
                failed.push((
                    eid.to_string(),
                    "InvalidVpcEndpoint.InvalidState",
                    format!(
                        "The VPC endpoint {eid} is in state {}",
                        endpoint.state.as_str()
                    ),
                ));
                continue;
            }
            endpoint.state = if accept {
                EndpointState::Available
            } else {
                EndpointState::Rejected
            };
            self.put(Resource::VpcEndpoint(endpoint.clone()));
            self.record_connection_event(&endpoint, if accept { "Accept" } else { "Reject" });
        }
        Ok(failed)
    }

    /// Records an event for every enabled notification of the endpoint's service or of the
    /// endpoint itself that subscribes to it.
    pub(crate) fn record_connection_event(&mut self, endpoint: &VpcEndpoint, event: &str) {
        let service_id = self
            .model
            .endpoint_service_by_name(&endpoint.service_name)
            .map(|s| s.id.clone());
        let matching: Vec<ConnectionNotification> = self
            .model
            .connection_notifications
            .values()
            .filter(|n| {
                n.enabled
                    && n.events.iter().any(|e| e == event)
                    && (n.vpc_endpoint_id.as_ref() == Some(&endpoint.id)
                        || (n.service_id.is_some() && n.service_id == service_id))
            })
            .map(|n| (**n).clone())
            .collect();
        for mut n in matching {
            n.recorded.push(ConnectionEvent {
                at: self.ctx.now,
                event: event.to_owned(),
                vpc_endpoint_id: endpoint.id.clone(),
            });
            if n.recorded.len() > MAX_RECORDED_EVENTS {
                n.recorded.remove(0);
            }
            self.put(Resource::ConnectionNotification(n));
        }
    }

    pub(crate) fn create_connection_notification(
        &mut self,
        service_id: Option<&VpcEndpointServiceId>,
        endpoint_id: Option<&VpcEndpointId>,
        topic_arn: &str,
        events: &[String],
    ) -> Result<ConnectionNotification, ModelError> {
        match (service_id, endpoint_id) {
            (Some(s), None) => {
                self.model
                    .get::<VpcEndpointServiceConfiguration>(self.ctx.scope, s)?;
            }
            (None, Some(e)) => {
                let endpoint = self.model.get::<VpcEndpoint>(self.ctx.scope, e)?;
                if endpoint.endpoint_type != EndpointTypeWire::Interface {
                    return Err(ModelError::InvalidParameter {
                        message:
                            "Connection notifications are supported for interface endpoints only"
                                .to_owned(),
                    });
                }
            }
            _ => {
                return Err(ModelError::InvalidParameterCombination {
                    message: "Specify either ServiceId or VpcEndpointId".to_owned(),
                });
            }
        }
        check_topic_arn(topic_arn)?;
        check_events(events)?;
        let n = ConnectionNotification {
            id: ConnectionNotificationId::generate(self.ctx.ids),
            scope: self.ctx.scope.clone(),
            service_id: service_id.cloned(),
            vpc_endpoint_id: endpoint_id.cloned(),
            topic_arn: topic_arn.to_owned(),
            events: events.to_vec(),
            enabled: true,
            recorded: Vec::new(),
            tags: Tags::new(),
        };
        self.put(Resource::ConnectionNotification(n.clone()));
        Ok(n)
    }

    pub(crate) fn modify_connection_notification(
        &mut self,
        id: &ConnectionNotificationId,
        topic_arn: Option<&str>,
        events: Option<&[String]>,
    ) -> Result<(), ModelError> {
        let mut n = self
            .model
            .get::<ConnectionNotification>(self.ctx.scope, id)?
            .clone();
        if let Some(t) = topic_arn {
            check_topic_arn(t)?;
            n.topic_arn = t.to_owned();
        }
        if let Some(e) = events {
            check_events(e)?;
            n.events = e.to_vec();
        }
        self.put(Resource::ConnectionNotification(n));
        Ok(())
    }
}

fn check_ip_types(types: &[String]) -> Result<(), ModelError> {
    for t in types {
        match t.as_str() {
            "ipv4" => {}
            "ipv6" => {
                return Err(ModelError::InvalidParameter {
                    message: "localvpc emulates IPv4 networks only: SupportedIpAddressType ipv6 is not supported".to_owned(),
                });
            }
            other => {
                return Err(ModelError::invalid_value(format!(
                    "Value ({other}) for parameter SupportedIpAddressType is invalid. Valid values: ipv4, ipv6"
                )));
            }
        }
    }
    Ok(())
}

fn check_topic_arn(arn: &str) -> Result<(), ModelError> {
    let parts: Vec<&str> = arn.split(':').collect();
    let valid = parts.len() == 6
        && parts.first() == Some(&"arn")
        && parts.get(2) == Some(&"sns")
        && parts.get(5).is_some_and(|t| !t.is_empty());
    if valid {
        Ok(())
    } else {
        Err(ModelError::invalid_value(format!(
            "The connection notification ARN {arn} is not a valid SNS topic ARN"
        )))
    }
}

fn check_events(events: &[String]) -> Result<(), ModelError> {
    if events.is_empty() {
        return Err(ModelError::missing(
            "The request must contain the parameter ConnectionEvents",
        ));
    }
    for e in events {
        if !EVENTS.contains(&e.as_str()) {
            return Err(ModelError::invalid_value(format!(
                "The connection event {e} is invalid. Valid values: Accept, Connect, Delete, Reject"
            )));
        }
    }
    Ok(())
}

//! The lookup tables of one snapshot: who owns an address, which route table and network ACL
//! a subnet uses, who is a member of a security group, and every rule with its peer resolved
//! (prefix lists expanded) and its entries in evaluation order. Built once per snapshot; a
//! decision never scans the model for these.

use ipnet::IpNet;
use localvpc_model::{
    AttachmentState, Route, RouteState, RouteTarget, TgwRoute, TransitGatewayRouteTable,
    TransitGatewayRouteTableId, tgw_longest_match,
};
use localvpc_model::{
    Instance, Model, NatGateway, NetworkAcl, NetworkInterface, RouteDestination, RouteTable,
    RuleAction, Scope, SecurityGroup, SecurityGroupRule, SgPeer, Subnet, Traffic,
    TransitGatewayAttachment, Vpc, VpcEndpoint,
};
use localvpc_model::{
    InstanceId, NetworkAclId, NetworkInterfaceId, RouteTableId, SecurityGroupId, SubnetId,
    TransitGatewayId, VpcId,
};
use localvpc_policy::Policy;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

/// What owns a network interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner {
    Instance(InstanceId),
    VpcEndpoint(String),
    NatGateway(String),
    LoadBalancer(localvpc_model::LoadBalancerArn),
    ResolverEndpoint(String),
    TransitGatewayAttachment(String),
    /// A plain interface (attached to nothing, or of a kind localvpc does not name).
    None,
}

/// Who a security group rule admits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PeerMatch {
    Cidr(IpNet),
    PrefixList { id: String, cidrs: Arc<[IpNet]> },
    Group(SecurityGroupId),
}

/// One security group rule, compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SgRule {
    pub(crate) group_id: SecurityGroupId,
    pub(crate) rule_id: String,
    pub(crate) traffic: Traffic,
    pub(crate) peer: PeerMatch,
}

/// A security group's rules, compiled, per direction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CompiledGroup {
    pub(crate) ingress: Vec<SgRule>,
    pub(crate) egress: Vec<SgRule>,
}

/// One network ACL entry, compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AclRule {
    pub(crate) rule_number: u32,
    pub(crate) allow: bool,
    pub(crate) traffic: Traffic,
    pub(crate) cidr: IpNet,
}

/// A network ACL's entries in evaluation order, per direction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CompiledAcl {
    pub(crate) ingress: Vec<AclRule>,
    pub(crate) egress: Vec<AclRule>,
}

/// The lookup tables of one model snapshot. Cheap to share (`Arc`), never changed.
#[derive(Debug)]
pub struct NetIndex {
    model: Arc<Model>,
    by_address: HashMap<IpAddr, NetworkInterfaceId>,
    /// Private addresses per VPC: VPCs of different accounts (or unconnected ones) may use
    /// the same blocks, so an address means an interface only within a VPC.
    by_vpc_address: HashMap<(VpcId, IpAddr), NetworkInterfaceId>,
    public_address: HashMap<NetworkInterfaceId, IpAddr>,
    owners: HashMap<NetworkInterfaceId, Owner>,
    subnet_route_table: HashMap<SubnetId, RouteTableId>,
    subnet_acl: HashMap<SubnetId, NetworkAclId>,
    vpc_subnets: HashMap<VpcId, Vec<SubnetId>>,
    members: HashMap<SecurityGroupId, Vec<IpAddr>>,
    groups: HashMap<SecurityGroupId, CompiledGroup>,
    acls: HashMap<NetworkAclId, CompiledAcl>,
    /// Prefix lists as each scope sees them, expanded (routes and rules name them by id).
    prefix_lists: HashMap<(Scope, String), Arc<[IpNet]>>,
    tgw_attachments: HashMap<(VpcId, TransitGatewayId), String>,
    /// Each transit gateway route table's routes (static and propagated), computed once:
    /// the model derives propagated routes by scanning every attachment.
    tgw_routes: HashMap<TransitGatewayRouteTableId, Vec<TgwRoute>>,
    /// VPCs with an available attachment to a transit gateway (routes to it are active).
    tgw_available: HashMap<(VpcId, TransitGatewayId), bool>,
    policies: HashMap<String, Arc<Policy>>,
}

impl NetIndex {
    /// Builds the tables of a snapshot: one pass over each resource kind.
    pub fn build(model: Arc<Model>) -> Self {
        let mut index = Self {
            model: Arc::clone(&model),
            by_address: HashMap::new(),
            by_vpc_address: HashMap::new(),
            public_address: HashMap::new(),
            owners: HashMap::new(),
            subnet_route_table: HashMap::new(),
            subnet_acl: HashMap::new(),
            vpc_subnets: HashMap::new(),
            members: HashMap::new(),
            groups: HashMap::new(),
            acls: HashMap::new(),
            prefix_lists: HashMap::new(),
            tgw_attachments: HashMap::new(),
            tgw_routes: HashMap::new(),
            tgw_available: HashMap::new(),
            policies: HashMap::new(),
        };
        for eni in model.all::<NetworkInterface>() {
            let addresses = eni
                .addresses()
                .map(IpAddr::V4)
                .chain(eni.ipv6_addresses.iter().copied().map(IpAddr::V6));
            for address in addresses {
                index.by_address.insert(address, eni.id.clone());
                index
                    .by_vpc_address
                    .insert((eni.vpc_id.clone(), address), eni.id.clone());
                for group in &eni.groups {
                    index
                        .members
                        .entry(group.clone())
                        .or_default()
                        .push(address);
                }
            }
            let owner = match &eni.attachment {
                Some(a) => Owner::Instance(a.instance_id.clone()),
                None => Owner::None,
            };
            index.owners.insert(eni.id.clone(), owner);
        }
        for instance in model.all::<Instance>() {
            if let Some(ip) = instance.public_ip {
                index
                    .by_address
                    .insert(IpAddr::V4(ip), instance.primary_interface.clone());
                index
                    .public_address
                    .insert(instance.primary_interface.clone(), IpAddr::V4(ip));
            }
        }
        for eip in model.all::<localvpc_model::ElasticIp>() {
            if let Some(a) = &eip.association {
                index
                    .by_address
                    .insert(IpAddr::V4(eip.public_ip), a.network_interface_id.clone());
                index
                    .public_address
                    .insert(a.network_interface_id.clone(), IpAddr::V4(eip.public_ip));
            }
        }
        for endpoint in model.all::<VpcEndpoint>() {
            for eni in &endpoint.network_interface_ids {
                index
                    .owners
                    .insert(eni.clone(), Owner::VpcEndpoint(endpoint.id.to_string()));
            }
            if let Some(text) = &endpoint.policy
                && let Ok(policy) = Policy::parse(text)
            {
                index
                    .policies
                    .insert(endpoint.id.to_string(), Arc::new(policy));
            }
        }
        for nat in model.all::<NatGateway>() {
            if let Some(eni) = &nat.network_interface_id {
                index
                    .owners
                    .insert(eni.clone(), Owner::NatGateway(nat.id.to_string()));
                if let Some(ip) = nat.public_ip {
                    index.public_address.insert(eni.clone(), IpAddr::V4(ip));
                }
            }
        }
        for lb in model.all::<localvpc_model::LoadBalancer>() {
            for zone in &lb.zones {
                index.owners.insert(
                    zone.network_interface_id.clone(),
                    Owner::LoadBalancer(lb.id.clone()),
                );
            }
        }
        for endpoint in model.all::<localvpc_model::ResolverEndpoint>() {
            for ip in &endpoint.ip_addresses {
                index.owners.insert(
                    ip.network_interface_id.clone(),
                    Owner::ResolverEndpoint(endpoint.id.to_string()),
                );
            }
        }
        for attachment in model.all::<TransitGatewayAttachment>() {
            for eni in &attachment.interfaces {
                index.owners.insert(
                    eni.clone(),
                    Owner::TransitGatewayAttachment(attachment.id.to_string()),
                );
            }
            if let Some(vpc) = &attachment.vpc_id {
                let key = (vpc.clone(), attachment.transit_gateway_id.clone());
                index
                    .tgw_attachments
                    .insert(key.clone(), attachment.id.to_string());
                let available = attachment.state == AttachmentState::Available;
                *index.tgw_available.entry(key).or_default() |= available;
            }
        }
        for table in model.all::<TransitGatewayRouteTable>() {
            index
                .tgw_routes
                .insert(table.id.clone(), model.tgw_routes(table));
        }
        for subnet in model.all::<Subnet>() {
            index
                .vpc_subnets
                .entry(subnet.vpc_id.clone())
                .or_default()
                .push(subnet.id.clone());
        }
        let mut main_tables: HashMap<VpcId, RouteTableId> = HashMap::new();
        for table in model.all::<RouteTable>() {
            for association in &table.associations {
                if association.main {
                    main_tables.insert(table.vpc_id.clone(), table.id.clone());
                }
                if let Some(subnet) = &association.subnet_id {
                    index
                        .subnet_route_table
                        .insert(subnet.clone(), table.id.clone());
                }
            }
            for route in &table.routes {
                if let RouteDestination::PrefixList(id) = &route.destination {
                    index.expand_prefix_list(&table.scope, id);
                }
            }
        }
        for subnet in model.all::<Subnet>() {
            if !index.subnet_route_table.contains_key(&subnet.id)
                && let Some(main) = main_tables.get(&subnet.vpc_id)
            {
                index
                    .subnet_route_table
                    .insert(subnet.id.clone(), main.clone());
            }
        }
        for acl in model.all::<NetworkAcl>() {
            for association in &acl.associations {
                index
                    .subnet_acl
                    .insert(association.subnet_id.clone(), acl.id.clone());
            }
            index.acls.insert(acl.id.clone(), compile_acl(acl));
        }
        for group in model.all::<SecurityGroup>() {
            let compiled = index.compile_group(group);
            index.groups.insert(group.id.clone(), compiled);
        }
        index
    }

    /// The snapshot these tables were built from.
    pub fn model(&self) -> &Arc<Model> {
        &self.model
    }

    /// The interface holding an address (private IPv4, secondary, IPv6, or a public
    /// address mapped to it: an auto-assigned public IP or an Elastic IP).
    pub fn interface_at(&self, address: IpAddr) -> Option<&NetworkInterface> {
        let id = self.by_address.get(&address)?;
        self.model.any::<NetworkInterface>(id)
    }

    /// The interface holding a private address in a VPC.
    pub fn interface_in(&self, vpc: &VpcId, address: IpAddr) -> Option<&NetworkInterface> {
        let id = self.by_vpc_address.get(&(vpc.clone(), address))?;
        self.model.any::<NetworkInterface>(id)
    }

    /// The interface an address means when seen from a VPC: its own interface there, else
    /// any interface holding it (a public address, or a private one in another VPC).
    pub fn interface_from(&self, vpc: &VpcId, address: IpAddr) -> Option<&NetworkInterface> {
        self.interface_in(vpc, address)
            .or_else(|| self.interface_at(address))
    }

    /// The public address that goes out with an interface's traffic, if it has one.
    pub fn public_address(&self, eni: &NetworkInterfaceId) -> Option<IpAddr> {
        self.public_address.get(eni).copied()
    }

    pub fn owner(&self, eni: &NetworkInterfaceId) -> &Owner {
        self.owners.get(eni).unwrap_or(&Owner::None)
    }

    /// The route table of a subnet: its explicit association, else its VPC's main table.
    pub fn route_table_of(&self, subnet: &SubnetId) -> Option<&RouteTable> {
        let id = self.subnet_route_table.get(subnet)?;
        self.model.any::<RouteTable>(id)
    }

    pub fn network_acl_of(&self, subnet: &SubnetId) -> Option<&NetworkAcl> {
        let id = self.subnet_acl.get(subnet)?;
        self.model.any::<NetworkAcl>(id)
    }

    /// The subnet of a VPC whose block holds an address.
    pub fn subnet_holding(&self, vpc: &VpcId, address: IpAddr) -> Option<&Subnet> {
        self.vpc_subnets.get(vpc)?.iter().find_map(|id| {
            let subnet = self.model.any::<Subnet>(id)?;
            let holds = match address {
                IpAddr::V4(a) => subnet.cidr_block.contains(&a),
                IpAddr::V6(a) => subnet.ipv6_cidr().is_some_and(|c| c.contains(&a)),
            };
            holds.then_some(subnet)
        })
    }

    /// Whether an address is inside one of the VPC's blocks (IPv4 or IPv6).
    pub fn vpc_holds(&self, vpc: &Vpc, address: IpAddr) -> bool {
        match address {
            IpAddr::V4(a) => vpc.associated_cidrs().any(|c| c.contains(&a)),
            IpAddr::V6(a) => vpc.ipv6_associations.iter().any(|b| b.cidr.contains(&a)),
        }
    }

    pub(crate) fn members(&self, group: &SecurityGroupId) -> &[IpAddr] {
        self.members.get(group).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn group(&self, group: &SecurityGroupId) -> Option<&CompiledGroup> {
        self.groups.get(group)
    }

    pub(crate) fn acl(&self, acl: &NetworkAclId) -> Option<&CompiledAcl> {
        self.acls.get(acl)
    }

    /// A prefix list's CIDRs as a scope sees it (empty if it does not exist there).
    pub fn prefix_list(&self, scope: &Scope, id: &str) -> Arc<[IpNet]> {
        let key = (scope.clone(), id.to_owned());
        match self.prefix_lists.get(&key) {
            Some(cidrs) => Arc::clone(cidrs),
            None => expand(&self.model, scope, id),
        }
    }

    /// The transit gateway attachment of a VPC to a transit gateway.
    pub fn tgw_attachment_of(&self, vpc: &VpcId, tgw: &TransitGatewayId) -> Option<&str> {
        self.tgw_attachments
            .get(&(vpc.clone(), tgw.clone()))
            .map(String::as_str)
    }

    /// Longest-prefix match in a transit gateway route table (static beats propagated for
    /// equal prefixes, as `Model::tgw_routes` orders them).
    pub fn tgw_lookup(
        &self,
        table: &TransitGatewayRouteTableId,
        destination: Ipv4Addr,
    ) -> Option<&TgwRoute> {
        tgw_longest_match(self.tgw_routes.get(table)?, destination)
    }

    /// Whether a route of `table` can carry traffic: the model's rule, with a VPC's
    /// attachment to a transit gateway looked up instead of scanned for.
    pub fn route_state(&self, table: &RouteTable, route: &Route) -> RouteState {
        match &route.target {
            RouteTarget::TransitGateway(tgw) => {
                let key = (table.vpc_id.clone(), tgw.clone());
                if self.tgw_available.get(&key).copied().unwrap_or(false) {
                    RouteState::Active
                } else {
                    RouteState::Blackhole
                }
            }
            _ => self.model.route_state(table, route),
        }
    }

    /// A VPC endpoint's policy, parsed once.
    pub fn endpoint_policy(&self, endpoint: &str) -> Option<&Policy> {
        self.policies.get(endpoint).map(AsRef::as_ref)
    }

    fn expand_prefix_list(&mut self, scope: &Scope, id: &str) -> Arc<[IpNet]> {
        let key = (scope.clone(), id.to_owned());
        if let Some(cidrs) = self.prefix_lists.get(&key) {
            return Arc::clone(cidrs);
        }
        let cidrs = expand(&self.model, scope, id);
        self.prefix_lists.insert(key, Arc::clone(&cidrs));
        cidrs
    }

    fn compile_group(&mut self, group: &SecurityGroup) -> CompiledGroup {
        let mut compiled = CompiledGroup::default();
        for (rules, out) in [
            (&group.ingress, &mut compiled.ingress),
            (&group.egress, &mut compiled.egress),
        ] {
            for rule in rules {
                let peer = match &rule.peer {
                    SgPeer::Cidr(c) => PeerMatch::Cidr(IpNet::V4(*c)),
                    SgPeer::Cidr6(c) => PeerMatch::Cidr(IpNet::V6(*c)),
                    SgPeer::Group { group_id, .. } => PeerMatch::Group(group_id.clone()),
                    SgPeer::PrefixList(id) => PeerMatch::PrefixList {
                        id: id.clone(),
                        cidrs: self.expand_prefix_list(&group.scope, id),
                    },
                };
                out.push(compile_sg_rule(group, rule, peer));
            }
        }
        compiled
    }
}

/// A list visible in the scope (AWS-managed in its region, or its own), as CIDRs.
fn expand(model: &Model, scope: &Scope, id: &str) -> Arc<[IpNet]> {
    model
        .prefix_list_cidrs(scope, id)
        .into_iter()
        .map(IpNet::V4)
        .collect()
}

fn compile_sg_rule(group: &SecurityGroup, rule: &SecurityGroupRule, peer: PeerMatch) -> SgRule {
    SgRule {
        group_id: group.id.clone(),
        rule_id: rule.id.to_string(),
        traffic: rule.traffic,
        peer,
    }
}

fn compile_acl(acl: &NetworkAcl) -> CompiledAcl {
    let mut compiled = CompiledAcl::default();
    for entry in &acl.entries {
        let rule = AclRule {
            rule_number: u32::from(entry.rule_number),
            allow: entry.action == RuleAction::Allow,
            traffic: entry.traffic,
            cidr: entry.cidr,
        };
        if entry.egress {
            compiled.egress.push(rule);
        } else {
            compiled.ingress.push(rule);
        }
    }
    compiled.ingress.sort_by_key(|r| r.rule_number);
    compiled.egress.sort_by_key(|r| r.rule_number);
    compiled
}

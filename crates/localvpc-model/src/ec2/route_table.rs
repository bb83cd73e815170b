//! Route tables: the main table created with each VPC, custom tables, subnet and gateway
//! associations, routes with their AWS rules, and the pure longest-prefix-match lookup the
//! data plane and explainer will share (docs/aws-semantics.md §1.5).

use crate::cidr::{Ipv4Cidr, Ipv6Cidr, parse_ipv4_cidr, parse_ipv6_cidr};
use crate::ec2::egress_only_internet_gateway::EgressOnlyInternetGateway;
use crate::ec2::internet_gateway::InternetGateway;
use crate::ec2::nat_gateway::NatGateway;
use crate::ec2::network_interface::NetworkInterface;
use crate::ec2::subnet::Subnet;
use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::ec2::vpc::Vpc;
use crate::ec2::vpc_endpoint::VpcEndpoint;
use crate::ec2::vpn::VpnGateway;
use crate::error::ModelError;
use crate::id::{
    EgressOnlyInternetGatewayId, InternetGatewayId, NatGatewayId, NetworkInterfaceId,
    RouteTableAssociationId, RouteTableId, SubnetId, TransitGatewayId, VpcEndpointId, VpcId,
    VpcPeeringConnectionId, VpnGatewayId,
};
use crate::resource::{Model, Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// AWS's default quota of routes per table (non-propagated).
pub(crate) const MAX_ROUTES: usize = 50;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteTable {
    pub id: RouteTableId,
    pub scope: Scope,
    pub vpc_id: VpcId,
    pub routes: Vec<Route>,
    pub associations: Vec<RouteTableAssociation>,
    /// Virtual private gateways whose routes propagate into this table.
    #[serde(default)]
    pub propagating_vgws: Vec<VpnGatewayId>,
    pub tags: Tags,
}

impl RouteTable {
    pub fn is_main(&self) -> bool {
        self.associations.iter().any(|a| a.main)
    }

    pub fn arn(&self) -> String {
        self.scope.ec2_arn("route-table", self.id.as_str())
    }

    /// A gateway route table: edge-associated with an internet gateway (ingress routing).
    pub fn is_gateway_table(&self) -> bool {
        self.associations.iter().any(|a| a.gateway_id.is_some())
    }

    /// The immutable route of one VPC block (IPv4 or IPv6) with target `local`.
    pub(crate) fn local_route(destination: RouteDestination) -> Route {
        Route {
            destination,
            target: RouteTarget::Local,
            origin: RouteOrigin::CreateRouteTable,
        }
    }

    fn find(&self, destination: &RouteDestination) -> Option<usize> {
        self.routes
            .iter()
            .position(|r| &r.destination == destination)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    pub destination: RouteDestination,
    pub target: RouteTarget,
    pub origin: RouteOrigin,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteDestination {
    Ipv4(Ipv4Cidr),
    /// A managed prefix list (`pl-…`), expanded to its CIDRs for lookups.
    PrefixList(String),
    Ipv6(Ipv6Cidr),
}

impl RouteDestination {
    pub fn is_ipv6(&self) -> bool {
        matches!(self, Self::Ipv6(_))
    }
}

impl std::fmt::Display for RouteDestination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Ipv4(c) => write!(f, "{c}"),
            Self::Ipv6(c) => write!(f, "{c}"),
            Self::PrefixList(p) => f.write_str(p),
        }
    }
}

/// Where a route sends traffic. Targets whose resources localvpc does not model yet can
/// still be named in the model so later issues only add validation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteTarget {
    /// The VPC's own CIDR (`gatewayId=local`).
    Local,
    InternetGateway(InternetGatewayId),
    VpcPeeringConnection(VpcPeeringConnectionId),
    NatGateway(NatGatewayId),
    NetworkInterface(NetworkInterfaceId),
    TransitGateway(TransitGatewayId),
    VpnGateway(VpnGatewayId),
    /// A gateway endpoint (its prefix-list routes) or a Gateway Load Balancer endpoint.
    VpcEndpoint(VpcEndpointId),
    /// IPv6 destinations only.
    EgressOnlyInternetGateway(EgressOnlyInternetGatewayId),
}

/// Route targets localvpc does not model (local and carrier gateways, Cloud WAN core
/// networks, ODB networks): a request may name one, and it never exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnmodelledTarget {
    LocalGateway,
    CarrierGateway,
    CoreNetwork,
    OdbNetwork,
}

impl UnmodelledTarget {
    pub const ALL: [Self; 4] = [
        Self::LocalGateway,
        Self::CarrierGateway,
        Self::CoreNetwork,
        Self::OdbNetwork,
    ];

    /// The CreateRoute/ReplaceRoute parameter naming it.
    pub fn param(self) -> &'static str {
        match self {
            Self::LocalGateway => "LocalGatewayId",
            Self::CarrierGateway => "CarrierGatewayId",
            Self::CoreNetwork => "CoreNetworkArn",
            Self::OdbNetwork => "OdbNetworkArn",
        }
    }

    /// The ARN-named kinds have no NotFound code of their own.
    pub(crate) fn not_found_code(self) -> &'static str {
        match self {
            Self::LocalGateway => "InvalidLocalGatewayID.NotFound",
            Self::CarrierGateway => "InvalidCarrierGatewayID.NotFound",
            Self::CoreNetwork | Self::OdbNetwork => "InvalidParameterValue",
        }
    }
}

impl RouteTarget {
    /// The DescribeRouteTables element carrying the target and its value (docs/aws-semantics.md §1.5 table).
    pub fn wire(&self) -> (&'static str, &str) {
        match self {
            Self::Local => ("gatewayId", "local"),
            Self::InternetGateway(id) => ("gatewayId", id.as_str()),
            Self::VpcPeeringConnection(id) => ("vpcPeeringConnectionId", id.as_str()),
            Self::NatGateway(id) => ("natGatewayId", id.as_str()),
            Self::NetworkInterface(id) => ("networkInterfaceId", id.as_str()),
            Self::TransitGateway(id) => ("transitGatewayId", id.as_str()),
            Self::VpnGateway(id) => ("gatewayId", id.as_str()),
            Self::VpcEndpoint(id) => ("gatewayId", id.as_str()),
            Self::EgressOnlyInternetGateway(id) => ("egressOnlyInternetGatewayId", id.as_str()),
        }
    }

    /// Targets a route more specific than a VPC block may use: middleboxes (docs/aws-semantics.md §1.5).
    pub(crate) fn is_middlebox(&self) -> bool {
        matches!(
            self,
            Self::NatGateway(_) | Self::NetworkInterface(_) | Self::VpcEndpoint(_)
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteOrigin {
    CreateRouteTable,
    CreateRoute,
    EnableVgwRoutePropagation,
}

impl RouteOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CreateRouteTable => "CreateRouteTable",
            Self::CreateRoute => "CreateRoute",
            Self::EnableVgwRoutePropagation => "EnableVgwRoutePropagation",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteState {
    Active,
    Blackhole,
}

impl RouteState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Blackhole => "blackhole",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteTableAssociation {
    pub id: RouteTableAssociationId,
    /// The main association has no subnet: it stands for every subnet without its own.
    pub main: bool,
    pub subnet_id: Option<SubnetId>,
    /// An edge association with an internet gateway (ingress routing).
    pub gateway_id: Option<InternetGatewayId>,
}

/// CreateRoute/ReplaceRoute input: exactly one destination and one target, as decoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteSpec {
    pub destination: RouteDestination,
    /// None only for ReplaceRoute with `LocalTarget=true`.
    pub target: RouteTarget,
}

impl Model {
    /// Whether a route's target can carry traffic now; otherwise AWS shows `blackhole`.
    pub fn route_state(&self, table: &RouteTable, route: &Route) -> RouteState {
        let alive = match &route.target {
            RouteTarget::Local => true,
            RouteTarget::InternetGateway(id) => self
                .internet_gateways
                .get(id)
                .is_some_and(|g| g.attached_vpc.as_ref() == Some(&table.vpc_id)),
            RouteTarget::VpcPeeringConnection(id) => self
                .vpc_peering_connections
                .get(id)
                .is_some_and(|p| p.is_active() && p.involves(&table.vpc_id)),
            RouteTarget::NatGateway(id) => self
                .nat_gateways
                .get(id)
                .is_some_and(|n| n.state == crate::ec2::nat_gateway::NatGatewayState::Available),
            RouteTarget::NetworkInterface(id) => self.network_interfaces.contains_key(id),
            RouteTarget::VpnGateway(id) => self
                .vpn_gateways
                .get(id)
                .is_some_and(|g| !g.deleted && g.attached_vpc.as_ref() == Some(&table.vpc_id)),
            RouteTarget::VpcEndpoint(id) => self
                .vpc_endpoints
                .get(id)
                .is_some_and(|e| e.state == crate::ec2::vpc_endpoint::EndpointState::Available),
            RouteTarget::TransitGateway(id) => self.transit_gateway_attachments.values().any(|a| {
                &a.transit_gateway_id == id
                    && a.vpc_id.as_ref() == Some(&table.vpc_id)
                    && a.state == crate::ec2::transit_gateway::AttachmentState::Available
            }),
            RouteTarget::EgressOnlyInternetGateway(id) => self
                .egress_only_internet_gateways
                .get(id)
                .is_some_and(|g| g.vpc_id == table.vpc_id),
        };
        if alive {
            RouteState::Active
        } else {
            RouteState::Blackhole
        }
    }

    /// The VPC's main route table (the one holding the main association).
    pub fn main_route_table(&self, vpc_id: &VpcId) -> Option<&RouteTable> {
        self.route_tables_of_vpc(vpc_id).find(|t| t.is_main())
    }

    /// The route tables of a VPC, in id order.
    pub fn route_tables_of_vpc<'a>(
        &'a self,
        vpc_id: &VpcId,
    ) -> impl Iterator<Item = &'a RouteTable> + 'a {
        self.members_of::<RouteTable>(vpc_id, crate::id::ResourceKind::RouteTable, |id| {
            RouteTableId::parse(id).ok()
        })
    }

    /// The table that routes a subnet's traffic: its explicit association, else the main one.
    pub fn route_table_for_subnet(&self, subnet_id: &SubnetId) -> Option<&RouteTable> {
        let subnet = self.subnets.get(subnet_id)?;
        let tables = || self.route_tables_of_vpc(&subnet.vpc_id);
        tables()
            .find(|t| {
                t.associations
                    .iter()
                    .any(|a| a.subnet_id.as_ref() == Some(subnet_id))
            })
            .or_else(|| tables().find(|t| t.is_main()))
    }

    /// The table's routes as AWS lists them: its own, then one per CIDR propagated by each
    /// attached virtual private gateway (origin `EnableVgwRoutePropagation`), unless a
    /// static route has the same destination (static beats propagated, docs/aws-semantics.md §1.5).
    pub fn effective_routes(&self, table: &RouteTable) -> Vec<Route> {
        let mut routes = table.routes.clone();
        for vgw in &table.propagating_vgws {
            for cidr in self.vgw_routes(vgw) {
                let destination = RouteDestination::Ipv4(cidr);
                if !routes.iter().any(|r| r.destination == destination) {
                    routes.push(Route {
                        destination,
                        target: RouteTarget::VpnGateway(vgw.clone()),
                        origin: RouteOrigin::EnableVgwRoutePropagation,
                    });
                }
            }
        }
        routes
    }

    /// Longest-prefix match over a table's effective routes (docs/aws-semantics.md §1.5): the most specific
    /// destination wins; for equal prefixes a CIDR route beats a prefix-list route. IPv4
    /// and IPv6 are matched apart (`0.0.0.0/0` never matches an IPv6 address, nor `::/0` an
    /// IPv4 one). `prefix_list` expands a list id into its CIDRs. Returns the route and the
    /// matched prefix.
    pub fn lookup_route(
        &self,
        table: &RouteTable,
        destination: IpAddr,
        prefix_list: impl Fn(&str) -> Vec<IpNet>,
    ) -> Option<(Route, IpNet)> {
        let mut best: Option<(Route, IpNet, bool)> = None;
        for route in self.effective_routes(table) {
            let (cidrs, from_list) = match &route.destination {
                RouteDestination::Ipv4(c) => (vec![IpNet::V4(*c)], false),
                RouteDestination::Ipv6(c) => (vec![IpNet::V6(*c)], false),
                RouteDestination::PrefixList(p) => (prefix_list(p), true),
            };
            for cidr in cidrs.into_iter().filter(|c| c.contains(&destination)) {
                let better = match &best {
                    None => true,
                    Some((_, b, b_list)) => {
                        cidr.prefix_len() > b.prefix_len()
                            || (cidr.prefix_len() == b.prefix_len() && *b_list && !from_list)
                    }
                };
                if better {
                    best = Some((route.clone(), cidr, from_list));
                }
            }
        }
        best.map(|(r, c, _)| (r, c))
    }
}

/// Reserved for IMDS, DNS and other link-local services: no route may point into it.
const RESERVED: &str = "169.254.168.0/22";
/// The IPv6 counterpart of `RESERVED` (IMDS and the Resolver on Nitro).
const RESERVED_V6: &str = "fd00:ec2::/32";
/// The well-known NAT64 prefix: the one IPv6 destination a NAT gateway serves (DNS64/NAT64).
const NAT64_PREFIX: &str = "64:ff9b::/96";

impl Txn<'_, '_> {
    pub(crate) fn create_route_table(
        &mut self,
        vpc_id: &VpcId,
        specs: &[TagSpecification],
    ) -> Result<RouteTable, ModelError> {
        let vpc = self.model.get::<Vpc>(self.ctx.scope, vpc_id)?;
        let routes = vpc
            .associated_cidrs()
            .map(|c| RouteTable::local_route(RouteDestination::Ipv4(*c)))
            .chain(
                vpc.associated_ipv6_cidrs()
                    .map(|c| RouteTable::local_route(RouteDestination::Ipv6(*c))),
            )
            .collect();
        let id = RouteTableId::generate(self.ctx.ids);
        let tags = tags_for(specs, "route-table", id.as_str())?;
        let table = RouteTable {
            id,
            scope: self.ctx.scope.clone(),
            vpc_id: vpc_id.clone(),
            routes,
            associations: Vec::new(),
            propagating_vgws: Vec::new(),
            tags,
        };
        self.put(Resource::RouteTable(table.clone()));
        Ok(table)
    }

    fn table(&self, id: &RouteTableId) -> Result<RouteTable, ModelError> {
        self.model.get::<RouteTable>(self.ctx.scope, id).cloned()
    }

    /// Routes a gateway endpoint installed change only through the endpoint (docs/aws-semantics.md §2.3).
    fn refuse_endpoint_route(&self, table: &RouteTable, index: usize) -> Result<(), ModelError> {
        match table
            .routes
            .get(index)
            .and_then(|r| self.model.is_endpoint_route(r))
        {
            Some(endpoint) => Err(ModelError::InvalidParameter {
                message: format!(
                    "The route to {} in route table {} belongs to VPC endpoint {}; change it with ModifyVpcEndpoint",
                    table
                        .routes
                        .get(index)
                        .map(|r| r.destination.to_string())
                        .unwrap_or_default(),
                    table.id,
                    endpoint.id
                ),
            }),
            None => Ok(()),
        }
    }

    pub(crate) fn delete_route_table(&mut self, id: &RouteTableId) -> Result<(), ModelError> {
        let table = self.table(id)?;
        if self
            .model
            .vpc_endpoints
            .values()
            .any(|e| e.route_table_ids.contains(id))
        {
            return Err(ModelError::dependency(format!(
                "The routeTable '{id}' has dependencies and cannot be deleted."
            )));
        }
        if !table.associations.is_empty() {
            return Err(ModelError::dependency(format!(
                "The routeTable '{id}' has dependencies and cannot be deleted."
            )));
        }
        self.delete(ResourceRef::RouteTable(id.clone()));
        Ok(())
    }

    /// Associates a table with a subnet or (edge association) an internet gateway.
    pub(crate) fn associate_route_table(
        &mut self,
        id: &RouteTableId,
        subnet_id: Option<&SubnetId>,
        gateway_id: Option<&InternetGatewayId>,
    ) -> Result<RouteTableAssociationId, ModelError> {
        let mut table = self.table(id)?;
        let association_id = RouteTableAssociationId::generate(self.ctx.ids);
        match (subnet_id, gateway_id) {
            (Some(subnet_id), None) => {
                let subnet = self.model.get::<Subnet>(self.ctx.scope, subnet_id)?;
                if subnet.vpc_id != table.vpc_id {
                    return Err(ModelError::invalid_value(format!(
                        "route table {id} and subnet {subnet_id} belong to different networks"
                    )));
                }
                let existing = self.model.route_tables.values().find(|t| {
                    t.associations
                        .iter()
                        .any(|a| a.subnet_id.as_ref() == Some(subnet_id))
                });
                if let Some(existing) = existing {
                    return Err(ModelError::AlreadyAssociated {
                        message: format!(
                            "the specified association for route table {} conflicts with an existing association",
                            existing.id
                        ),
                    });
                }
                table.associations.push(RouteTableAssociation {
                    id: association_id.clone(),
                    main: false,
                    subnet_id: Some(subnet_id.clone()),
                    gateway_id: None,
                });
            }
            (None, Some(gateway_id)) => {
                // A gateway route table may only send traffic to the VPC itself or a
                // middlebox in it (VPC User Guide, "Gateway route tables").
                let outside = table
                    .routes
                    .iter()
                    .any(|r| !matches!(r.target, RouteTarget::Local) && !r.target.is_middlebox());
                if outside {
                    return Err(ModelError::invalid_value(format!(
                        "route table {id} has routes that are not valid in a gateway route table (targets other \
                         than local, a network interface or a Gateway Load Balancer endpoint)"
                    )));
                }
                let igw = self
                    .model
                    .get::<InternetGateway>(self.ctx.scope, gateway_id)?;
                if igw.attached_vpc.as_ref() != Some(&table.vpc_id) {
                    return Err(ModelError::invalid_value(format!(
                        "route table {id} and network gateway {gateway_id} belong to different networks"
                    )));
                }
                let taken = self.model.route_tables.values().any(|t| {
                    t.associations
                        .iter()
                        .any(|a| a.gateway_id.as_ref() == Some(gateway_id))
                });
                if taken {
                    return Err(ModelError::AlreadyAssociated {
                        message: format!(
                            "the gateway {gateway_id} already has a route table association"
                        ),
                    });
                }
                table.associations.push(RouteTableAssociation {
                    id: association_id.clone(),
                    main: false,
                    subnet_id: None,
                    gateway_id: Some(gateway_id.clone()),
                });
            }
            _ => {
                return Err(ModelError::InvalidParameterCombination {
                    message: "Exactly one of SubnetId or GatewayId must be specified".to_owned(),
                });
            }
        }
        self.put(Resource::RouteTable(table));
        Ok(association_id)
    }

    fn table_with_association(&self, association_id: &str) -> Result<RouteTable, ModelError> {
        self.model
            .in_scope::<RouteTable>(self.ctx.scope)
            .find(|t| {
                t.associations
                    .iter()
                    .any(|a| a.id.as_str() == association_id)
            })
            .cloned()
            .ok_or_else(|| ModelError::AssociationNotFound {
                id: association_id.to_owned(),
            })
    }

    pub(crate) fn disassociate_route_table(
        &mut self,
        association_id: &str,
    ) -> Result<(), ModelError> {
        let mut table = self.table_with_association(association_id)?;
        if table
            .associations
            .iter()
            .any(|a| a.main && a.id.as_str() == association_id)
        {
            return Err(ModelError::invalid_value(format!(
                "cannot disassociate the main route table association {association_id}"
            )));
        }
        table
            .associations
            .retain(|a| a.id.as_str() != association_id);
        self.put(Resource::RouteTable(table));
        Ok(())
    }

    /// Moves an association (the main one included) to another table of the same VPC.
    pub(crate) fn replace_route_table_association(
        &mut self,
        association_id: &str,
        new_table_id: &RouteTableId,
    ) -> Result<RouteTableAssociationId, ModelError> {
        let mut old = self.table_with_association(association_id)?;
        let mut new = self.table(new_table_id)?;
        if new.vpc_id != old.vpc_id {
            return Err(ModelError::invalid_value(format!(
                "route table {new_table_id} and association {association_id} belong to different networks"
            )));
        }
        let Some(index) = old
            .associations
            .iter()
            .position(|a| a.id.as_str() == association_id)
        else {
            return Err(ModelError::AssociationNotFound {
                id: association_id.to_owned(),
            });
        };
        let moved = old.associations.remove(index);
        let new_id = RouteTableAssociationId::generate(self.ctx.ids);
        if old.id == new.id {
            old.associations.push(RouteTableAssociation {
                id: new_id.clone(),
                ..moved
            });
            self.put(Resource::RouteTable(old));
        } else {
            new.associations.push(RouteTableAssociation {
                id: new_id.clone(),
                ..moved
            });
            self.put(Resource::RouteTable(old));
            self.put(Resource::RouteTable(new));
        }
        Ok(new_id)
    }

    /// Checks a route's destination and target against the table's VPC (docs/aws-semantics.md §1.5).
    fn check_route(&self, table: &RouteTable, spec: &RouteSpec) -> Result<(), ModelError> {
        let vpc = self.model.get::<Vpc>(self.ctx.scope, &table.vpc_id)?;
        if table.is_gateway_table() {
            let inside = match &spec.destination {
                RouteDestination::Ipv4(cidr) => {
                    vpc.associated_cidrs().any(|b| b == cidr)
                        || self
                            .model
                            .subnets
                            .values()
                            .any(|s| s.vpc_id == table.vpc_id && &s.cidr_block == cidr)
                }
                RouteDestination::Ipv6(cidr) => {
                    vpc.associated_ipv6_cidrs().any(|b| b == cidr)
                        || self
                            .model
                            .subnets
                            .values()
                            .any(|s| s.vpc_id == table.vpc_id && s.ipv6_cidr() == Some(cidr))
                }
                RouteDestination::PrefixList(_) => false,
            };
            if !inside || !spec.target.is_middlebox() {
                return Err(ModelError::invalid_value(format!(
                    "Gateway route table {} accepts only routes to the VPC CIDR or a whole subnet CIDR with a \
                     network interface or Gateway Load Balancer endpoint target",
                    table.id
                )));
            }
        }
        if let RouteDestination::Ipv4(cidr) = &spec.destination {
            let reserved = parse_ipv4_cidr(RESERVED, "destinationCidrBlock")?;
            if reserved.contains(cidr) {
                return Err(ModelError::invalid_value(format!(
                    "The destination CIDR block {cidr} is reserved (169.254.168.0/22) and cannot be routed"
                )));
            }
            // Routes as specific as or more specific than a VPC block may only target a
            // middlebox (NAT gateway, ENI, GWLB endpoint), which localvpc does not model yet.
            let whole_subnet = self
                .model
                .subnets
                .values()
                .any(|s| s.vpc_id == table.vpc_id && &s.cidr_block == cidr);
            if vpc.associated_cidrs().any(|block| block.contains(cidr))
                && !(spec.target.is_middlebox() && whole_subnet)
            {
                return Err(ModelError::invalid_value(format!(
                    "The destination CIDR block {cidr} is equal to or more specific than one of this VPC's CIDR \
                     blocks. This route can target only an interface, an instance, a NAT gateway or a Gateway \
                     Load Balancer endpoint."
                )));
            }
        }
        if let RouteDestination::Ipv6(cidr) = &spec.destination {
            let reserved = parse_ipv6_cidr(RESERVED_V6, "destinationIpv6CidrBlock")?;
            if reserved.contains(cidr) {
                return Err(ModelError::invalid_value(format!(
                    "The destination CIDR block {cidr} is reserved (fd00:ec2::/32) and cannot be routed"
                )));
            }
            let whole_subnet = self
                .model
                .subnets
                .values()
                .any(|s| s.vpc_id == table.vpc_id && s.ipv6_cidr() == Some(cidr));
            if vpc
                .associated_ipv6_cidrs()
                .any(|block| block.contains(cidr))
                && !(spec.target.is_middlebox() && whole_subnet)
            {
                return Err(ModelError::invalid_value(format!(
                    "The destination CIDR block {cidr} is equal to or more specific than one of this VPC's CIDR \
                     blocks. This route can target only an interface, an instance, a NAT gateway or a Gateway \
                     Load Balancer endpoint."
                )));
            }
        }
        if let RouteDestination::PrefixList(pl) = &spec.destination
            && !self.model.prefix_list_exists(self.ctx.scope, pl)
        {
            return Err(ModelError::PrefixListNotFound { id: pl.clone() });
        }
        self.check_target_family(spec)?;
        self.check_route_target(table, &spec.target)
    }

    /// Targets that serve one address family only: an egress-only internet gateway is for
    /// IPv6 destinations, and a NAT gateway serves IPv6 only for the NAT64 prefix.
    fn check_target_family(&self, spec: &RouteSpec) -> Result<(), ModelError> {
        match (&spec.target, &spec.destination) {
            (RouteTarget::EgressOnlyInternetGateway(id), d) if !d.is_ipv6() => {
                Err(ModelError::invalid_value(format!(
                    "The egress-only internet gateway {id} can only be the target of a route with an IPv6 \
                     destination (destinationIpv6CidrBlock); {d} is not one"
                )))
            }
            (RouteTarget::NatGateway(id), RouteDestination::Ipv6(cidr)) => {
                let nat64 = parse_ipv6_cidr(NAT64_PREFIX, "destinationIpv6CidrBlock")?;
                if cidr == &nat64 {
                    Ok(())
                } else {
                    Err(ModelError::invalid_value(format!(
                        "The NAT gateway {id} can only be the target of an IPv6 route to the NAT64 prefix \
                         {NAT64_PREFIX}, not {cidr}"
                    )))
                }
            }
            _ => Ok(()),
        }
    }

    /// Checks a route target: it exists in the caller's scope and serves the table's VPC.
    fn check_route_target(
        &self,
        table: &RouteTable,
        target: &RouteTarget,
    ) -> Result<(), ModelError> {
        match target {
            RouteTarget::Local => Err(ModelError::invalid_value(
                "A route cannot target local; use LocalTarget on ReplaceRoute",
            )),
            RouteTarget::EgressOnlyInternetGateway(id) => {
                let eigw = self
                    .model
                    .get::<EgressOnlyInternetGateway>(self.ctx.scope, id)
                    .map_err(|_| ModelError::GatewayNotFound { id: id.to_string() })?;
                if eigw.vpc_id != table.vpc_id {
                    return Err(ModelError::invalid_value(format!(
                        "route table {} and network gateway {id} belong to different networks",
                        table.id
                    )));
                }
                Ok(())
            }
            RouteTarget::InternetGateway(id) => {
                let igw = self.model.get::<InternetGateway>(self.ctx.scope, id)?;
                if igw.attached_vpc.as_ref() != Some(&table.vpc_id) {
                    return Err(ModelError::invalid_value(format!(
                        "route table {} and network gateway {id} belong to different networks",
                        table.id
                    )));
                }
                Ok(())
            }
            RouteTarget::NatGateway(id) => {
                let nat = self.model.get::<NatGateway>(self.ctx.scope, id)?;
                if nat.vpc_id != table.vpc_id {
                    return Err(ModelError::invalid_value(format!(
                        "route table {} and NAT gateway {id} belong to different networks",
                        table.id
                    )));
                }
                Ok(())
            }
            RouteTarget::NetworkInterface(id) => {
                let eni = self.model.get::<NetworkInterface>(self.ctx.scope, id)?;
                if eni.vpc_id != table.vpc_id {
                    return Err(ModelError::invalid_value(format!(
                        "route table {} and interface {id} belong to different networks",
                        table.id
                    )));
                }
                Ok(())
            }
            RouteTarget::VpnGateway(id) => {
                let vgw = self.model.get::<VpnGateway>(self.ctx.scope, id)?;
                if vgw.attached_vpc.as_ref() != Some(&table.vpc_id) {
                    return Err(ModelError::invalid_value(format!(
                        "route table {} and network gateway {id} belong to different networks",
                        table.id
                    )));
                }
                Ok(())
            }
            RouteTarget::TransitGateway(id) => {
                self.model.transit_gateway(self.ctx.scope, id)?;
                let attached = self.model.transit_gateway_attachments.values().any(|a| {
                    &a.transit_gateway_id == id
                        && a.vpc_id.as_ref() == Some(&table.vpc_id)
                        && matches!(
                            a.state,
                            crate::ec2::transit_gateway::AttachmentState::Available
                                | crate::ec2::transit_gateway::AttachmentState::PendingAcceptance
                        )
                });
                if !attached {
                    return Err(ModelError::invalid_value(format!(
                        "The transit gateway {id} is not attached to the VPC {} of route table {}",
                        table.vpc_id, table.id
                    )));
                }
                Ok(())
            }
            RouteTarget::VpcEndpoint(id) => {
                let endpoint = self.model.get::<VpcEndpoint>(self.ctx.scope, id)?;
                if endpoint.endpoint_type
                    != crate::ec2::vpc_endpoint::EndpointTypeWire::GatewayLoadBalancer
                {
                    return Err(ModelError::InvalidParameter {
                        message: format!(
                            "The VPC endpoint {id} is not a Gateway Load Balancer endpoint; only those can be a route target"
                        ),
                    });
                }
                if endpoint.vpc_id != table.vpc_id {
                    return Err(ModelError::invalid_value(format!(
                        "route table {} and VPC endpoint {id} belong to different networks",
                        table.id
                    )));
                }
                Ok(())
            }
            RouteTarget::VpcPeeringConnection(id) => {
                let peering = self.model.vpc_peering(self.ctx.scope, id)?;
                if !peering.involves(&table.vpc_id) {
                    return Err(ModelError::invalid_value(format!(
                        "route table {} and VPC peering connection {id} belong to different networks",
                        table.id
                    )));
                }
                if matches!(
                    peering.status,
                    crate::ec2::vpc_peering::PeeringStatus::Deleted
                        | crate::ec2::vpc_peering::PeeringStatus::Rejected
                        | crate::ec2::vpc_peering::PeeringStatus::Failed
                ) {
                    return Err(ModelError::PeeringNotActive {
                        id: id.to_string(),
                        status: peering.status.as_str(),
                    });
                }
                Ok(())
            }
        }
    }

    pub(crate) fn create_route(
        &mut self,
        id: &RouteTableId,
        spec: &RouteSpec,
    ) -> Result<(), ModelError> {
        let mut table = self.table(id)?;
        if table.find(&spec.destination).is_some() {
            return Err(ModelError::RouteAlreadyExists {
                destination: spec.destination.to_string(),
                table: id.to_string(),
            });
        }
        self.check_route(&table, spec)?;
        if table
            .routes
            .iter()
            .filter(|r| r.target != RouteTarget::Local)
            .count()
            >= MAX_ROUTES
        {
            return Err(ModelError::RouteLimitExceeded {
                table: id.to_string(),
            });
        }
        table.routes.push(Route {
            destination: spec.destination.clone(),
            target: spec.target.clone(),
            origin: RouteOrigin::CreateRoute,
        });
        self.put(Resource::RouteTable(table));
        Ok(())
    }

    pub(crate) fn replace_route(
        &mut self,
        id: &RouteTableId,
        spec: &RouteSpec,
    ) -> Result<(), ModelError> {
        let mut table = self.table(id)?;
        let Some(index) = table.find(&spec.destination) else {
            return Err(ModelError::RouteNotFound {
                destination: spec.destination.to_string(),
                table: id.to_string(),
            });
        };
        self.refuse_endpoint_route(&table, index)?;
        let is_local = table
            .routes
            .get(index)
            .is_some_and(|r| r.origin == RouteOrigin::CreateRouteTable);
        if is_local {
            // A local route's target may be a middlebox, or restored to `local`.
            if spec.target == RouteTarget::Local || spec.target.is_middlebox() {
                if spec.target.is_middlebox() {
                    self.check_route_target(&table, &spec.target)?;
                }
                if let Some(route) = table.routes.get_mut(index) {
                    route.target = spec.target.clone();
                }
                self.put(Resource::RouteTable(table));
                return Ok(());
            }
            return Err(ModelError::invalid_value(format!(
                "The local route {} can only be replaced with a network interface, NAT gateway or Gateway Load \
                 Balancer endpoint target",
                spec.destination
            )));
        }
        self.check_route(&table, spec)?;
        if let Some(route) = table.routes.get_mut(index) {
            route.target = spec.target.clone();
        }
        self.put(Resource::RouteTable(table));
        Ok(())
    }

    pub(crate) fn delete_route(
        &mut self,
        id: &RouteTableId,
        destination: &RouteDestination,
    ) -> Result<(), ModelError> {
        let mut table = self.table(id)?;
        let Some(index) = table.find(destination) else {
            return Err(ModelError::RouteNotFound {
                destination: destination.to_string(),
                table: id.to_string(),
            });
        };
        self.refuse_endpoint_route(&table, index)?;
        if table
            .routes
            .get(index)
            .is_some_and(|r| r.target == RouteTarget::Local)
        {
            return Err(ModelError::invalid_value(format!(
                "cannot remove local route {destination} in route table {id}"
            )));
        }
        table.routes.remove(index);
        self.put(Resource::RouteTable(table));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::command::{Command, Outcome};
    use crate::id::RouteTableId;
    use crate::testing::Harness;

    #[test]
    fn routes_follow_aws_rules_and_lookup_is_longest_prefix() {
        use crate::ec2::route_table::{RouteDestination, RouteSpec, RouteState, RouteTarget};
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let Outcome::InternetGateway(igw) = h
            .run(Command::CreateInternetGateway {
                tag_specifications: vec![],
            })
            .unwrap()
        else {
            panic!()
        };
        let cidr = |c: &str| RouteDestination::Ipv4(crate::parse_ipv4_cidr(c, "c").unwrap());
        let to_igw = |c: &str| RouteSpec {
            destination: cidr(c),
            target: RouteTarget::InternetGateway(igw.id.clone()),
        };
        let rtb = h.model.main_route_table(&vpc.id).unwrap().id.clone();
        let create = |spec| Command::CreateRoute {
            route_table_id: rtb.clone(),
            route: spec,
        };
        // Not attached to this VPC yet.
        assert_eq!(
            h.run(create(to_igw("0.0.0.0/0"))).unwrap_err().code(),
            "InvalidParameterValue"
        );
        h.run(Command::AttachInternetGateway {
            internet_gateway_id: igw.id.clone(),
            vpc_id: vpc.id.clone(),
        })
        .unwrap();
        h.run(create(to_igw("0.0.0.0/0"))).unwrap();
        h.run(create(to_igw("192.168.0.0/16"))).unwrap();
        assert_eq!(
            h.run(create(to_igw("0.0.0.0/0"))).unwrap_err().code(),
            "RouteAlreadyExists"
        );
        assert_eq!(
            h.run(create(to_igw("10.0.1.0/24"))).unwrap_err().code(),
            "InvalidParameterValue"
        );
        assert_eq!(
            h.run(create(to_igw("169.254.169.0/24")))
                .unwrap_err()
                .code(),
            "InvalidParameterValue"
        );
        let del_local = Command::DeleteRoute {
            route_table_id: rtb.clone(),
            destination: cidr("10.0.0.0/16"),
        };
        assert_eq!(
            h.run(del_local).unwrap_err().code(),
            "InvalidParameterValue"
        );
        let del_missing = Command::DeleteRoute {
            route_table_id: rtb.clone(),
            destination: cidr("8.8.8.0/24"),
        };
        assert_eq!(
            h.run(del_missing).unwrap_err().code(),
            "InvalidRoute.NotFound"
        );

        let table = h.model.route_tables[&rtb].clone();
        let hop = |ip: &str| {
            let (route, _) = h
                .model
                .lookup_route(&table, ip.parse().unwrap(), |_| Vec::new())
                .unwrap();
            route.destination.to_string()
        };
        assert_eq!(hop("10.0.3.4"), "10.0.0.0/16");
        assert_eq!(hop("192.168.1.1"), "192.168.0.0/16");
        assert_eq!(hop("8.8.8.8"), "0.0.0.0/0");
        // Detaching the gateway leaves its routes in place, as blackholes.
        h.run(Command::DetachInternetGateway {
            internet_gateway_id: igw.id.clone(),
            vpc_id: vpc.id.clone(),
        })
        .unwrap();
        let table = h.model.route_tables[&rtb].clone();
        let states: Vec<_> = table
            .routes
            .iter()
            .map(|r| h.model.route_state(&table, r))
            .collect();
        assert_eq!(
            states,
            [
                RouteState::Active,
                RouteState::Blackhole,
                RouteState::Blackhole
            ]
        );
    }

    #[test]
    fn prefix_list_routes_lose_ties_to_cidr_routes() {
        use crate::ec2::route_table::{Route, RouteDestination, RouteOrigin, RouteTarget};
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let mut table = h.model.route_tables
            [&h.model.main_route_table(&vpc.id).unwrap().id.clone()]
            .as_ref()
            .clone();
        let igw = crate::id::InternetGatewayId::parse("igw-00000000000000099").unwrap();
        table.routes.push(Route {
            destination: RouteDestination::PrefixList("pl-61a54008".into()),
            target: RouteTarget::InternetGateway(igw.clone()),
            origin: RouteOrigin::CreateRoute,
        });
        table.routes.push(Route {
            destination: RouteDestination::Ipv4("52.219.0.0/20".parse().unwrap()),
            target: RouteTarget::Local,
            origin: RouteOrigin::CreateRoute,
        });
        let lists = |id: &str| {
            if id == "pl-61a54008" {
                vec![
                    "52.219.0.0/20".parse().unwrap(),
                    "3.5.0.0/16".parse().unwrap(),
                ]
            } else {
                vec![]
            }
        };
        let (r, _) = h
            .model
            .lookup_route(&table, "52.219.1.1".parse().unwrap(), lists)
            .unwrap();
        assert_eq!(
            r.destination,
            RouteDestination::Ipv4("52.219.0.0/20".parse().unwrap())
        );
        let (r, matched) = h
            .model
            .lookup_route(&table, "3.5.1.1".parse().unwrap(), lists)
            .unwrap();
        assert_eq!(
            r.destination,
            RouteDestination::PrefixList("pl-61a54008".into())
        );
        assert_eq!(matched.to_string(), "3.5.0.0/16");
        assert!(
            h.model
                .lookup_route(&table, "8.8.8.8".parse().unwrap(), lists)
                .is_none()
        );
    }

    #[test]
    fn associations_move_and_protect_the_main_table() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let main_id = h.model.main_route_table(&vpc.id).unwrap().id.clone();
        let s = h.subnet(&vpc.id, "10.0.1.0/24", "ap-northeast-1a").unwrap();
        let Outcome::RouteTable(custom) = h
            .run(Command::CreateRouteTable {
                vpc_id: vpc.id.clone(),
                tag_specifications: vec![],
            })
            .unwrap()
        else {
            panic!()
        };
        assert_eq!(h.model.route_table_for_subnet(&s.id).unwrap().id, main_id);
        let assoc = |t: &RouteTableId| Command::AssociateRouteTable {
            route_table_id: t.clone(),
            subnet_id: Some(s.id.clone()),
            gateway_id: None,
        };
        let Outcome::RouteTableAssociation(a) = h.run(assoc(&custom.id)).unwrap() else {
            panic!()
        };
        assert_eq!(h.model.route_table_for_subnet(&s.id).unwrap().id, custom.id);
        assert_eq!(
            h.run(assoc(&main_id)).unwrap_err().code(),
            "Resource.AlreadyAssociated"
        );
        let del = Command::DeleteRouteTable {
            route_table_id: custom.id.clone(),
        };
        assert_eq!(
            h.run(del.clone()).unwrap_err().code(),
            "DependencyViolation"
        );
        // Make the custom table the main one, then the old main can go.
        let main_assoc = h.model.route_tables[&main_id].associations[0]
            .id
            .to_string();
        let cmd = Command::DisassociateRouteTable {
            association_id: main_assoc.clone(),
        };
        assert_eq!(h.run(cmd).unwrap_err().code(), "InvalidParameterValue");
        h.run(Command::ReplaceRouteTableAssociation {
            association_id: main_assoc,
            route_table_id: custom.id.clone(),
        })
        .unwrap();
        assert!(h.model.route_tables[&custom.id].is_main());
        h.run(Command::DeleteRouteTable {
            route_table_id: main_id.clone(),
        })
        .unwrap();
        h.run(Command::DisassociateRouteTable {
            association_id: a.to_string(),
        })
        .unwrap();
        assert_eq!(h.model.route_table_for_subnet(&s.id).unwrap().id, custom.id);
    }
}

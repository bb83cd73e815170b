//! The path search: from a source to a destination, hop by hop, the forward path and the
//! return path, every hop decided by [`crate::decide`]. When the packet cannot get through,
//! the search does not stop at the first blocker: it assumes the blocker away and goes on
//! along the path that would work, so the answer names **every** blocker on it at once (the
//! blocked-path idea of Bayless et al., "Debugging Network Reachability with Blocked Paths",
//! CAV 2021). Routing loops cannot hang it: a walk has a hop budget.

use crate::decide::{self, SgDecision};
use crate::explain::{Component, Direction, Explanation, Header, Hop, Role, TgwRouteRef};
use crate::index::{NetIndex, Owner};
use crate::packet::Packet;
use localvpc_model::{
    AttachmentState, Instance, InternetGateway, NatGateway, NatGatewayState, NetworkInterface,
    PeeringStatus, RouteDestination, RouteState, RouteTarget, SecurityGroup, Subnet, SubnetId,
    Tags, TransitGateway, TransitGatewayAttachment, TransitGatewayRouteTable, Vpc, VpcEndpoint,
    VpcPeeringConnection, VpnGateway,
};
use localvpc_model::{
    EndpointState, EndpointTypeWire, InstanceId, InternetGatewayId, NetworkInterfaceId,
    TransitGatewayAttachmentId, TransitGatewayId, VpcEndpointId, VpcEndpointServiceId, VpcId,
    VpcPeeringConnectionId, VpnGatewayId,
};
use localvpc_model::{IpProtocol, PortRange};
use localvpc_model::{
    Listener, LoadBalancer, LoadBalancerType, TargetGroup, VpcEndpointServiceConfiguration,
};
use localvpc_policy::{Context, Principal, Request};
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr};

/// How many routing decisions one walk may take before it is called a loop.
const HOP_BUDGET: usize = 16;

/// The internet address a path to "the internet" is analysed with when none is given
/// (TEST-NET-3, RFC 5737: never any VPC's).
pub const INTERNET_ADDRESS: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 10));

/// One end of a path, as a user names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathEnd {
    Instance(InstanceId),
    NetworkInterface(NetworkInterfaceId),
    VpcEndpoint(VpcEndpointId),
    InternetGateway(InternetGatewayId),
    /// A gateway between networks: as a destination, the packet must be routed into it; as a
    /// source, traffic arrives from it into the VPC of the destination.
    TransitGateway(TransitGatewayId),
    /// A transit gateway attachment: as a destination, the packet must leave through it (the
    /// source VPC's own, or the one the transit gateway routes to); as a source, traffic
    /// arrives from the transit gateway through it into its VPC.
    TransitGatewayAttachment(TransitGatewayAttachmentId),
    VpcPeeringConnection(VpcPeeringConnectionId),
    VpnGateway(VpnGatewayId),
    /// A customer's endpoint service (as a destination): reached through the source VPC's
    /// interface endpoint to it, then PrivateLink and the service's load balancer.
    VpcEndpointService(VpcEndpointServiceId),
    /// An address: an interface's (private or public), or one outside every VPC.
    Address(IpAddr),
}

impl PathEnd {
    /// The end a resource id names (`i-`, `eni-`, `vpce-`, `vpce-svc-`, `igw-`, `tgw-`,
    /// `tgw-attach-`, `pcx-`, `vgw-`); None for an id of any other kind, or a malformed one.
    pub fn from_id(id: &str) -> Option<Self> {
        if id.starts_with("vpce-svc-") {
            return VpcEndpointServiceId::parse(id)
                .ok()
                .map(Self::VpcEndpointService);
        }
        if id.starts_with("tgw-attach-") {
            return TransitGatewayAttachmentId::parse(id)
                .ok()
                .map(Self::TransitGatewayAttachment);
        }
        let (kind, _) = id.split_once('-')?;
        match kind {
            "i" => InstanceId::parse(id).ok().map(Self::Instance),
            "eni" => NetworkInterfaceId::parse(id)
                .ok()
                .map(Self::NetworkInterface),
            "vpce" => VpcEndpointId::parse(id).ok().map(Self::VpcEndpoint),
            "igw" => InternetGatewayId::parse(id).ok().map(Self::InternetGateway),
            "tgw" => TransitGatewayId::parse(id).ok().map(Self::TransitGateway),
            "pcx" => VpcPeeringConnectionId::parse(id)
                .ok()
                .map(Self::VpcPeeringConnection),
            "vgw" => VpnGatewayId::parse(id).ok().map(Self::VpnGateway),
            _ => None,
        }
    }
}

/// What to analyse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathQuery {
    pub source: PathEnd,
    /// The source address when the source has several (or is a gateway).
    pub source_ip: Option<IpAddr>,
    pub destination: PathEnd,
    pub destination_ip: Option<IpAddr>,
    pub protocol: IpProtocol,
    pub destination_port: Option<u16>,
    /// A request to check against endpoint policies on the way (localvpc's extension).
    pub request: Option<ServiceRequest>,
}

/// An AWS API request, for the endpoint policies a path crosses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceRequest {
    /// `s3:GetObject`.
    pub action: String,
    /// `arn:aws:s3:::bucket/key`.
    pub resource: String,
    /// The caller's ARN (`arn:aws:iam::111122223333:root`, a role…); None = anonymous.
    pub principal: Option<String>,
}

/// Why a query cannot be analysed at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathError {
    /// A named resource does not exist (the id and what kind it should be).
    NotFound { kind: &'static str, id: String },
    /// A source the search cannot start from (an address no interface holds…).
    Unsupported(String),
}

impl std::fmt::Display for PathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotFound { kind, id } => write!(f, "the {kind} '{id}' does not exist"),
            Self::Unsupported(m) => f.write_str(m),
        }
    }
}

/// The result of a path search.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Analysis {
    pub network_path_found: bool,
    pub forward_path_components: Vec<Hop>,
    pub return_path_components: Vec<Hop>,
    pub explanations: Vec<Explanation>,
}

impl Analysis {
    /// Where the forward path delivers the packet: the destination address and port of the
    /// last hop that records a header — through a load balancer, its target and the target
    /// port, through PrivateLink too. `None` without a path, or without hops ([`verdict`]).
    pub fn delivered_to(&self) -> Option<(IpAddr, Option<u16>)> {
        if !self.network_path_found {
            return None;
        }
        let header = self
            .forward_path_components
            .iter()
            .rev()
            .find_map(|h| h.inbound_header.as_ref())?;
        let address = header.destination_addresses.first()?.parse().ok()?;
        let port = header.destination_port_ranges.first().map(|r| r.from());
        Some((address, port))
    }
}

/// Where the packet is meant to end.
#[derive(Clone, Debug)]
enum Target<'a> {
    /// A network interface at one of its addresses.
    Interface(&'a NetworkInterface, IpAddr),
    /// An address outside every VPC (the internet, or on premises).
    External(IpAddr),
    /// An AWS service behind a gateway endpoint (its prefix list holds the address).
    Service(&'a VpcEndpoint, IpAddr),
    /// Out through an internet gateway.
    Internet(&'a InternetGateway, IpAddr),
    /// Into a transit gateway, a peering connection or a virtual private gateway.
    Gateway(Gateway, IpAddr),
}

/// A gateway named as one end of a path.
#[derive(Clone, Debug)]
struct Gateway {
    /// The hop kind (`transit-gateway`, `vpc-peering-connection`, `vpn-gateway`).
    kind: &'static str,
    /// What a sentence calls it.
    noun: &'static str,
    component: Component,
    /// What a VPC route names to reach it: the gateway itself, or an attachment's transit
    /// gateway.
    route_target: String,
}

impl Gateway {
    fn id(&self) -> &str {
        &self.component.id
    }
}

impl Target<'_> {
    fn address(&self) -> IpAddr {
        match self {
            Self::Interface(_, ip)
            | Self::External(ip)
            | Self::Service(_, ip)
            | Self::Internet(_, ip)
            | Self::Gateway(_, ip) => *ip,
        }
    }
}

/// Runs the search.
pub fn analyze(index: &NetIndex, query: &PathQuery) -> Result<Analysis, PathError> {
    search(index, query, true)
}

/// The same search without recording hops: the verdict and the explanations only, for
/// batches and the data plane (a hop's sentences and ARNs cost more than its decision).
pub fn verdict(index: &NetIndex, query: &PathQuery) -> Result<Analysis, PathError> {
    search(index, query, false)
}

/// What an endpoint's policy says of a request crossing it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyVerdict {
    pub allowed: bool,
    /// An explicit deny (rather than no statement allowing it).
    pub explicit: bool,
    /// The statement that decided, and the decision, in one sentence.
    pub detail: String,
}

/// Evaluates the policy of the endpoint `endpoint` for `request` (the path search's check
/// at the endpoint, and the data plane's on each request through it); `None` when the
/// endpoint has no policy (full access).
pub fn endpoint_policy(
    index: &NetIndex,
    endpoint: &str,
    request: &ServiceRequest,
) -> Option<PolicyVerdict> {
    let policy = index.endpoint_policy(endpoint)?;
    let context = Context::new();
    let account = request
        .principal
        .as_deref()
        .and_then(|arn| arn.split(':').nth(4))
        .unwrap_or("");
    let principal = match request.principal.as_deref() {
        Some(arn) => Principal::Aws { arn, account },
        None => Principal::Anonymous,
    };
    let evaluation = policy.evaluate(&Request {
        principal,
        action: &request.action,
        resource: &request.resource,
        context: &context,
    });
    let statement = match (&evaluation.statement, &evaluation.sid) {
        (Some(n), Some(sid)) => format!("statement {n} ({sid})"),
        (Some(n), None) => format!("statement {n}"),
        _ => "no statement".to_owned(),
    };
    let allowed = evaluation.is_allowed();
    let explicit = evaluation.decision == localvpc_policy::Decision::ExplicitDeny;
    let detail = format!(
        "endpoint policy of {endpoint}: {} {} on {} — {}",
        if allowed { "allows" } else { "denies" },
        request.action,
        request.resource,
        match evaluation.decision {
            localvpc_policy::Decision::Allow => format!("{statement} allows it"),
            localvpc_policy::Decision::ExplicitDeny => format!("{statement} denies it explicitly"),
            localvpc_policy::Decision::ImplicitDeny => {
                "no statement allows it (implicit deny)".to_owned()
            }
        }
    );
    Some(PolicyVerdict {
        allowed,
        explicit,
        detail,
    })
}

fn search(index: &NetIndex, query: &PathQuery, detail: bool) -> Result<Analysis, PathError> {
    if let PathEnd::InternetGateway(igw) = &query.source {
        return from_internet(index, query, igw, detail);
    }
    if let Some(gateway) = gateway_end(index, &query.source)? {
        return from_gateway(index, query, gateway, detail);
    }
    let model = index.model();
    let (source, source_ip) = source_interface(index, query)?;
    if let PathEnd::VpcEndpointService(id) = &query.destination
        && consumer_endpoint(index, id, &source.vpc_id)?.is_none()
    {
        return Ok(no_endpoint_to_service(index, query, source, id, detail));
    }
    let target = target(
        index,
        query,
        Some(source.availability_zone.as_str()),
        Some(&source.vpc_id),
        Some(&source.subnet_id),
    )?;
    let mut packet = Packet::new(
        query.protocol,
        source_ip,
        target.address(),
        query.destination_port,
    );
    if !query.protocol.has_ports() {
        packet.destination_ports = PortRange::ALL;
    }
    let mut walk = Walk::new(index, detail, query.request.as_ref());
    let source_vpc = model
        .any::<Vpc>(&source.vpc_id)
        .ok_or_else(|| PathError::NotFound {
            kind: "VPC",
            id: source.vpc_id.to_string(),
        })?;
    // Forward.
    walk.leave_interface(source, &packet);
    let arrival = walk.route_out_of_subnet(source, source_vpc, &packet, &target);
    walk.check_arrival(arrival.as_ref(), &target, source_vpc);
    if arrival.is_none() && walk.explanations.is_empty() {
        // Never a path "found" that arrived nowhere.
        walk.blocker(Explanation::new(
            "NO_PATH",
            format!("no path from {} reaches {}", source.id, packet.destination),
        ));
    }
    let forward = std::mem::take(&mut walk.hops);
    // Return: only once the forward path reaches its destination (blocked or not).
    walk.returning = true;
    walk.budget = HOP_BUDGET;
    if let Some(arrival) = arrival {
        walk.return_path(&arrival, source, &packet);
    }
    Ok(walk.finish(forward))
}

/// A path to an endpoint service from a VPC without an interface endpoint to it: there is
/// nowhere to send the packet (PrivateLink is reached only through an endpoint in the
/// consumer's VPC).
fn no_endpoint_to_service(
    index: &NetIndex,
    query: &PathQuery,
    source: &NetworkInterface,
    service: &VpcEndpointServiceId,
    detail: bool,
) -> Analysis {
    // No hop is walked: without an endpoint there is no address to send to, so the source's
    // groups and routes have nothing to decide (checking them against an invented address
    // could name a blocker that is not one).
    let mut walk = Walk::new(index, detail, query.request.as_ref());
    let component = index
        .model()
        .any::<VpcEndpointServiceConfiguration>(service)
        .map(service_component)
        .unwrap_or_else(|| Component::bare(service.as_str()));
    let vpc = walk.vpc_component(&source.vpc_id);
    walk.blocker(
        Explanation::new(
            "LOCALVPC_NO_ENDPOINT_TO_SERVICE",
            format!(
                "{} has no interface endpoint to {service}: an endpoint service is reached only through one",
                source.vpc_id
            ),
        )
        .component(component.clone())
        .with(Role::Destination, component)
        .with(Role::Vpc, vpc)
        .fix(format!(
            "create an interface endpoint to {service} in {} (CreateVpcEndpoint)",
            source.vpc_id
        )),
    );
    let forward = std::mem::take(&mut walk.hops);
    walk.finish(forward)
}

/// A path from the internet through an internet gateway to an interface's public address:
/// the gateway translates it to the private address, then the subnet's ACL and the
/// interface's groups decide; the reply must be routed back to that gateway.
fn from_internet(
    index: &NetIndex,
    query: &PathQuery,
    igw_id: &InternetGatewayId,
    detail: bool,
) -> Result<Analysis, PathError> {
    let model = index.model();
    let igw = model
        .any::<InternetGateway>(igw_id)
        .ok_or_else(|| not_found("internet gateway", igw_id))?;
    let Target::Interface(eni, _) = target(index, query, None, None, None)? else {
        return Err(PathError::Unsupported(
            "from an internet gateway, the destination must be an instance or a network interface"
                .to_owned(),
        ));
    };
    let vpc = model
        .any::<Vpc>(&eni.vpc_id)
        .ok_or_else(|| not_found("VPC", &eni.vpc_id))?;
    let client = query.source_ip.unwrap_or(INTERNET_ADDRESS);
    let private = query
        .destination_ip
        .filter(|ip| {
            index
                .interface_in(&eni.vpc_id, *ip)
                .is_some_and(|e| e.id == eni.id)
        })
        .unwrap_or(IpAddr::V4(eni.private_ip));
    let public = index.public_address(&eni.id);
    let mut packet = Packet::new(
        query.protocol,
        client,
        public.unwrap_or(private),
        query.destination_port,
    );
    if !query.protocol.has_ports() {
        packet.destination_ports = PortRange::ALL;
    }
    let inside = packet.with_destination(private);
    let mut walk = Walk::new(index, detail, query.request.as_ref());
    let component = Component::new(igw.id.as_str(), Some(igw.arn()), name_of(&igw.tags));
    if walk.detail {
        let mut hop = Hop::new(
            "internet-gateway",
            component.clone(),
            format!(
                "from the internet: {} becomes {private}",
                packet.destination
            ),
        )
        .with(Role::Vpc, walk.vpc_component(&eni.vpc_id));
        hop.inbound_header = Some(Header::from(&packet));
        hop.outbound_header = Some(Header::from(&inside));
        walk.hops.push(hop);
    }
    if igw.attached_vpc.as_ref() != Some(&eni.vpc_id) {
        walk.blocker(
            Explanation::new(
                "BAD_STATE_ATTACHMENT",
                format!("{} is not attached to {}", igw.id, eni.vpc_id),
            )
            .component(component.clone())
            .with(Role::InternetGateway, component.clone())
            .with(Role::Vpc, walk.vpc_component(&eni.vpc_id))
            .fix(format!("attach {} to {}", igw.id, eni.vpc_id)),
        );
    }
    if is_private(client) {
        walk.blocker(
            Explanation::new(
                "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS",
                format!("{client} is a private (RFC 1918) address; an internet gateway drops traffic from it"),
            )
            .component(component.clone()),
        );
    }
    if public.is_none() {
        walk.blocker(
            Explanation::new(
                "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS",
                format!(
                    "{} has no public IPv4 address, so {} has nothing to deliver to it",
                    eni.id, igw.id
                ),
            )
            .component(component.clone())
            .with(Role::InternetGateway, component.clone())
            .with(Role::NetworkInterface, Walk::eni_component(eni))
            .fix(format!("associate an Elastic IP with {}", eni.id)),
        );
    }
    Ok(walk.arrive_from_outside(eni, vpc, &inside, Target::Internet(igw, client)))
}

/// A gateway end's kind and component; None when the end is not a gateway.
fn gateway_end(index: &NetIndex, end: &PathEnd) -> Result<Option<Gateway>, PathError> {
    let model = index.model();
    Ok(Some(match end {
        PathEnd::TransitGateway(id) => {
            model
                .any::<TransitGateway>(id)
                .ok_or_else(|| not_found("transit gateway", id))?;
            Gateway {
                kind: "transit-gateway",
                noun: "transit gateway",
                component: tgw_component(model, id),
                route_target: id.to_string(),
            }
        }
        PathEnd::TransitGatewayAttachment(id) => {
            let attachment = model
                .any::<TransitGatewayAttachment>(id)
                .ok_or_else(|| not_found("transit gateway attachment", id))?;
            Gateway {
                kind: "transit-gateway-attachment",
                noun: "transit gateway attachment",
                component: tgw_attachment_component(attachment),
                route_target: attachment.transit_gateway_id.to_string(),
            }
        }
        PathEnd::VpcPeeringConnection(id) => {
            let pcx = model
                .any::<VpcPeeringConnection>(id)
                .ok_or_else(|| not_found("VPC peering connection", id))?;
            Gateway {
                kind: "vpc-peering-connection",
                noun: "VPC peering connection",
                component: Component::new(
                    id.as_str(),
                    Some(pcx.scope.ec2_arn("vpc-peering-connection", id.as_str())),
                    name_of(&pcx.tags),
                ),
                route_target: id.to_string(),
            }
        }
        PathEnd::VpnGateway(id) => {
            let vgw = model
                .any::<VpnGateway>(id)
                .filter(|g| !g.deleted)
                .ok_or_else(|| not_found("virtual private gateway", id))?;
            Gateway {
                kind: "vpn-gateway",
                noun: "virtual private gateway",
                component: Component::new(
                    id.as_str(),
                    Some(vgw.scope.ec2_arn("vpn-gateway", id.as_str())),
                    name_of(&vgw.tags),
                ),
                route_target: id.to_string(),
            }
        }
        _ => return Ok(None),
    }))
}

/// The address a path through a gateway is analysed with when none is given: the first
/// destination that the subnet's route table sends to that gateway, else (over a peering)
/// the far VPC's first address.
fn gateway_address(
    index: &NetIndex,
    end: &PathEnd,
    subnet: Option<&SubnetId>,
    vpc: Option<&VpcId>,
) -> Option<IpAddr> {
    let model = index.model();
    // An attachment of another VPC: that VPC's first address.
    let attachment = match end {
        PathEnd::TransitGatewayAttachment(id) => model.any::<TransitGatewayAttachment>(id),
        _ => None,
    };
    if let Some(far) = attachment
        .and_then(|a| a.vpc_id.as_ref())
        .filter(|v| Some(*v) != vpc)
        .and_then(|v| model.any::<Vpc>(v))
    {
        return far.cidr_block.hosts().next().map(IpAddr::V4);
    }
    let id = match end {
        PathEnd::TransitGateway(id) => id.as_str(),
        PathEnd::TransitGatewayAttachment(_) => attachment?.transit_gateway_id.as_str(),
        PathEnd::VpcPeeringConnection(id) => id.as_str(),
        PathEnd::VpnGateway(id) => id.as_str(),
        _ => return None,
    };
    let routed = subnet
        .and_then(|s| index.route_table_of(s))
        .and_then(|table| {
            table.routes.iter().find_map(|r| match &r.destination {
                RouteDestination::Ipv4(cidr) if r.target.wire().1 == id => {
                    if cidr.prefix_len() == 0 {
                        Some(INTERNET_ADDRESS)
                    } else {
                        cidr.hosts().next().map(IpAddr::V4)
                    }
                }
                _ => None,
            })
        });
    routed.or_else(|| {
        let PathEnd::VpcPeeringConnection(id) = end else {
            return None;
        };
        let pcx = model.any::<VpcPeeringConnection>(id)?;
        let far = if Some(&pcx.requester.vpc_id) == vpc {
            &pcx.accepter
        } else {
            &pcx.requester
        };
        let far = model.any::<Vpc>(&far.vpc_id)?;
        far.cidr_block.hosts().next().map(IpAddr::V4)
    })
}

/// Why a gateway cannot carry traffic into `vpc`, if it cannot.
fn gateway_disconnected(index: &NetIndex, end: &PathEnd, vpc: &VpcId) -> Option<String> {
    let model = index.model();
    match end {
        PathEnd::TransitGateway(tgw) => {
            let Some(id) = index.tgw_attachment_of(vpc, tgw) else {
                return Some(format!("{vpc} has no attachment to {tgw}"));
            };
            let attachment = TransitGatewayAttachmentId::parse(id)
                .ok()
                .and_then(|id| model.any::<TransitGatewayAttachment>(&id))?;
            (attachment.state != AttachmentState::Available)
                .then(|| format!("{} is {}", attachment.id, attachment.state.as_str()))
        }
        PathEnd::TransitGatewayAttachment(id) => {
            let attachment = model.any::<TransitGatewayAttachment>(id)?;
            if attachment.vpc_id.as_ref() != Some(vpc) {
                Some(format!("{id} does not attach {vpc}"))
            } else if attachment.state != AttachmentState::Available {
                Some(format!("{id} is {}", attachment.state.as_str()))
            } else {
                None
            }
        }
        PathEnd::VpcPeeringConnection(id) => {
            let pcx = model.any::<VpcPeeringConnection>(id)?;
            if pcx.requester.vpc_id != *vpc && pcx.accepter.vpc_id != *vpc {
                Some(format!("{id} does not connect {vpc}"))
            } else if pcx.status != PeeringStatus::Active {
                Some(format!("{id} is {}", pcx.status.as_str()))
            } else {
                None
            }
        }
        PathEnd::VpnGateway(id) => {
            let vgw = model.any::<VpnGateway>(id)?;
            (vgw.attached_vpc.as_ref() != Some(vpc))
                .then(|| format!("{id} is not attached to {vpc}"))
        }
        _ => None,
    }
}

/// A path from a gateway (transit gateway, peering, virtual private gateway) into the VPC of
/// an interface: the gateway must be connected to that VPC, the subnet's ACL and the
/// interface's groups decide, and the reply must be routed back into the same gateway.
fn from_gateway(
    index: &NetIndex,
    query: &PathQuery,
    gateway: Gateway,
    detail: bool,
) -> Result<Analysis, PathError> {
    let model = index.model();
    let Target::Interface(eni, _) = target(index, query, None, None, None)? else {
        return Err(PathError::Unsupported(format!(
            "from a {}, the destination must be an instance, a network interface or an address an interface holds",
            gateway.noun
        )));
    };
    let vpc = model
        .any::<Vpc>(&eni.vpc_id)
        .ok_or_else(|| not_found("VPC", &eni.vpc_id))?;
    let destination = query
        .destination_ip
        .filter(|ip| {
            index
                .interface_in(&eni.vpc_id, *ip)
                .is_some_and(|e| e.id == eni.id)
        })
        .unwrap_or(IpAddr::V4(eni.private_ip));
    let client = query
        .source_ip
        .or_else(|| gateway_address(index, &query.source, Some(&eni.subnet_id), Some(&vpc.id)))
        .unwrap_or(INTERNET_ADDRESS);
    let mut packet = Packet::new(query.protocol, client, destination, query.destination_port);
    if !query.protocol.has_ports() {
        packet.destination_ports = PortRange::ALL;
    }
    let mut walk = Walk::new(index, detail, query.request.as_ref());
    if walk.detail {
        let mut hop = Hop::new(
            gateway.kind,
            gateway.component.clone(),
            format!("from {} into {}", gateway.id(), vpc.id),
        )
        .with(Role::Vpc, walk.vpc_component(&vpc.id));
        hop.outbound_header = Some(Header::from(&packet));
        walk.hops.push(hop);
    }
    if let Some(problem) = gateway_disconnected(index, &query.source, &vpc.id) {
        walk.blocker(
            Explanation::new("BAD_STATE_ATTACHMENT", problem)
                .component(gateway.component.clone())
                .with(Role::Vpc, walk.vpc_component(&vpc.id))
                .fix(format!("connect {} to {}", gateway.id(), vpc.id)),
        );
    }
    Ok(walk.arrive_from_outside(eni, vpc, &packet, Target::Gateway(gateway, client)))
}

fn number(hops: &mut [Hop]) {
    for (n, hop) in hops.iter_mut().enumerate() {
        hop.sequence_number = u32::try_from(n + 1).unwrap_or(u32::MAX);
    }
}

fn not_found(kind: &'static str, id: impl ToString) -> PathError {
    PathError::NotFound {
        kind,
        id: id.to_string(),
    }
}

fn source_interface<'a>(
    index: &'a NetIndex,
    query: &PathQuery,
) -> Result<(&'a NetworkInterface, IpAddr), PathError> {
    let model = index.model();
    let eni = |id: &NetworkInterfaceId| {
        model
            .any::<NetworkInterface>(id)
            .ok_or_else(|| not_found("network interface", id))
    };
    let (source, default_ip) = match &query.source {
        PathEnd::Instance(id) => {
            let instance = model
                .any::<Instance>(id)
                .ok_or_else(|| not_found("instance", id))?;
            let e = eni(&instance.primary_interface)?;
            (e, IpAddr::V4(e.private_ip))
        }
        PathEnd::NetworkInterface(id) => {
            let e = eni(id)?;
            (e, IpAddr::V4(e.private_ip))
        }
        PathEnd::VpcEndpoint(id) => {
            let endpoint = model
                .any::<VpcEndpoint>(id)
                .ok_or_else(|| not_found("VPC endpoint", id))?;
            let first = endpoint.network_interface_ids.first().ok_or_else(|| {
                PathError::Unsupported(format!(
                    "the VPC endpoint '{id}' has no network interface to start from (only interface endpoints do)"
                ))
            })?;
            let e = eni(first)?;
            (e, IpAddr::V4(e.private_ip))
        }
        PathEnd::Address(ip) => {
            let e = index.interface_at(*ip).ok_or_else(|| {
                PathError::Unsupported(format!("no network interface holds the address {ip}"))
            })?;
            (e, *ip)
        }
        PathEnd::InternetGateway(id) => {
            return Err(PathError::Unsupported(format!(
                "paths that start at an internet gateway ('{id}') are not analysed yet; start from an instance or interface"
            )));
        }
        PathEnd::TransitGateway(_)
        | PathEnd::TransitGatewayAttachment(_)
        | PathEnd::VpcPeeringConnection(_)
        | PathEnd::VpnGateway(_) => {
            return Err(PathError::Unsupported(
                "a gateway source is analysed by from_gateway".to_owned(),
            ));
        }
        PathEnd::VpcEndpointService(id) => {
            return Err(PathError::Unsupported(format!(
                "paths that start at an endpoint service ('{id}') are not analysed yet; start from the provider's instance or interface"
            )));
        }
    };
    let ip = match query.source_ip {
        Some(ip) => {
            let holds = source.addresses().any(|a| IpAddr::V4(a) == ip)
                || source.ipv6_addresses.iter().any(|a| IpAddr::V6(*a) == ip);
            if !holds {
                return Err(PathError::Unsupported(format!(
                    "the source address {ip} is not an address of {}",
                    source.id
                )));
            }
            ip
        }
        None => default_ip,
    };
    Ok((source, ip))
}

fn target<'a>(
    index: &'a NetIndex,
    query: &PathQuery,
    source_zone: Option<&str>,
    source_vpc: Option<&VpcId>,
    source_subnet: Option<&SubnetId>,
) -> Result<Target<'a>, PathError> {
    let model = index.model();
    let at = |e: &'a NetworkInterface| {
        let ip = query.destination_ip.unwrap_or(IpAddr::V4(e.private_ip));
        Target::Interface(e, ip)
    };
    Ok(match &query.destination {
        PathEnd::Instance(id) => {
            let instance = model
                .any::<Instance>(id)
                .ok_or_else(|| not_found("instance", id))?;
            at(model
                .any::<NetworkInterface>(&instance.primary_interface)
                .ok_or_else(|| not_found("network interface", &instance.primary_interface))?)
        }
        PathEnd::NetworkInterface(id) => at(model
            .any::<NetworkInterface>(id)
            .ok_or_else(|| not_found("network interface", id))?),
        PathEnd::VpcEndpoint(id) => {
            let endpoint = model
                .any::<VpcEndpoint>(id)
                .ok_or_else(|| not_found("VPC endpoint", id))?;
            if endpoint.endpoint_type == EndpointTypeWire::Gateway {
                let ip = match query.destination_ip {
                    Some(ip) => ip,
                    None => service_address(index, endpoint).ok_or_else(|| {
                        PathError::Unsupported(format!(
                            "the service of '{id}' has no published address ranges"
                        ))
                    })?,
                };
                Target::Service(endpoint, ip)
            } else {
                at(endpoint_interface(index, endpoint, source_zone)?)
            }
        }
        PathEnd::VpcEndpointService(id) => {
            let endpoint = source_vpc
                .map(|vpc| consumer_endpoint(index, id, vpc))
                .transpose()?
                .flatten()
                .ok_or_else(|| {
                    PathError::Unsupported(format!(
                        "no interface endpoint of the source's VPC connects to '{id}'"
                    ))
                })?;
            at(endpoint_interface(index, endpoint, source_zone)?)
        }
        PathEnd::InternetGateway(id) => {
            let igw = model
                .any::<InternetGateway>(id)
                .ok_or_else(|| not_found("internet gateway", id))?;
            Target::Internet(igw, query.destination_ip.unwrap_or(INTERNET_ADDRESS))
        }
        PathEnd::TransitGateway(_)
        | PathEnd::TransitGatewayAttachment(_)
        | PathEnd::VpcPeeringConnection(_)
        | PathEnd::VpnGateway(_) => {
            let Some(gateway) = gateway_end(index, &query.destination)? else {
                return Err(PathError::Unsupported("not a gateway".to_owned()));
            };
            let ip = query
                .destination_ip
                .or_else(|| gateway_address(index, &query.destination, source_subnet, source_vpc))
                .unwrap_or(INTERNET_ADDRESS);
            Target::Gateway(gateway, ip)
        }
        PathEnd::Address(ip) => match source_vpc
            .and_then(|vpc| index.interface_from(vpc, *ip))
            .or_else(|| index.interface_at(*ip))
        {
            Some(e) => Target::Interface(e, *ip),
            None => Target::External(*ip),
        },
    })
}

/// An interface endpoint's interface in the source's zone, as the regional name's answer
/// would be chosen; else its first.
fn endpoint_interface<'a>(
    index: &'a NetIndex,
    endpoint: &VpcEndpoint,
    source_zone: Option<&str>,
) -> Result<&'a NetworkInterface, PathError> {
    let model = index.model();
    let enis: Vec<&NetworkInterface> = endpoint
        .network_interface_ids
        .iter()
        .filter_map(|e| model.any::<NetworkInterface>(e))
        .collect();
    enis.iter()
        .find(|e| Some(e.availability_zone.as_str()) == source_zone)
        .or_else(|| enis.first())
        .copied()
        .ok_or_else(|| {
            PathError::Unsupported(format!(
                "the VPC endpoint '{}' has no network interface",
                endpoint.id
            ))
        })
}

/// The interface endpoint in `vpc` to the endpoint service `id` (an available one first),
/// None when the VPC has none; NotFound when the service does not exist.
fn consumer_endpoint<'a>(
    index: &'a NetIndex,
    id: &VpcEndpointServiceId,
    vpc: &VpcId,
) -> Result<Option<&'a VpcEndpoint>, PathError> {
    let model = index.model();
    let service = model
        .any::<VpcEndpointServiceConfiguration>(id)
        .ok_or_else(|| not_found("VPC endpoint service", id))?;
    let name = service.service_name();
    let mut endpoints = model.all::<VpcEndpoint>().filter(|e| {
        &e.vpc_id == vpc
            && e.service_name == name
            && e.endpoint_type == EndpointTypeWire::Interface
            && !matches!(e.state, EndpointState::Deleted | EndpointState::Deleting)
    });
    let first = endpoints.next();
    Ok(match first {
        Some(e) if e.state == EndpointState::Available => Some(e),
        first => endpoints
            .find(|e| e.state == EndpointState::Available)
            .or(first),
    })
}

/// The first address of a gateway endpoint's service prefix list.
fn service_address(index: &NetIndex, endpoint: &VpcEndpoint) -> Option<IpAddr> {
    let model = index.model();
    let table = endpoint
        .route_table_ids
        .iter()
        .find_map(|t| model.any::<localvpc_model::RouteTable>(t))?;
    let list = table
        .routes
        .iter()
        .find_map(|r| match (&r.destination, &r.target) {
            (RouteDestination::PrefixList(p), RouteTarget::VpcEndpoint(e)) if e == &endpoint.id => {
                Some(p.clone())
            }
            _ => None,
        })?;
    let cidrs = index.prefix_list(&endpoint.scope, &list);
    cidrs.first().map(|c| match c {
        ipnet::IpNet::V4(n) => IpAddr::V4(Ipv4Addr::from(u32::from(n.network()).saturating_add(1))),
        ipnet::IpNet::V6(n) => IpAddr::V6(n.network()),
    })
}

/// Where a forward walk ended, for the return walk.
#[derive(Clone, Debug)]
enum Arrival<'a> {
    /// At an interface, entering from `via` (the path back goes the same way).
    Interface(&'a NetworkInterface),
    /// Out of the VPCs: through `igw` (after NAT at `nat`, if any), a gateway endpoint, a
    /// virtual private gateway or a transit gateway's VPN.
    Outside {
        /// The hop kind of the gateway (`internet-gateway`, `vpc-endpoint`, …).
        kind: &'static str,
        gateway: Component,
        nat: Option<&'a NatGateway>,
    },
    /// Through a network load balancer to one of its targets — reached at the balancer's own
    /// address, or through an interface endpoint and PrivateLink (`endpoint`); `inner` is the
    /// packet the balancer sent to the target.
    Balanced {
        endpoint: Option<&'a NetworkInterface>,
        balancer: &'a NetworkInterface,
        /// None for an address target no interface holds.
        target: Option<&'a NetworkInterface>,
        inner: Packet,
    },
}

struct Walk<'a, 'q> {
    index: &'a NetIndex,
    /// Whether to record hops (a trace, an analysis) or only decide (a batch, the data plane).
    detail: bool,
    hops: Vec<Hop>,
    explanations: Vec<Explanation>,
    returning: bool,
    budget: usize,
    request: Option<&'q ServiceRequest>,
}

fn name_of(tags: &Tags) -> Option<&str> {
    tags.get("Name").map(String::as_str)
}

impl<'a, 'q> Walk<'a, 'q> {
    fn new(index: &'a NetIndex, detail: bool, request: Option<&'q ServiceRequest>) -> Self {
        Self {
            index,
            detail,
            hops: Vec::new(),
            explanations: Vec::new(),
            returning: false,
            budget: HOP_BUDGET,
            request,
        }
    }

    /// The analysis: the forward hops given, the return hops recorded since, numbered.
    /// The end of a path that entered the VPCs through a gateway: delivered to `eni`, and
    /// the reply must leave through `back`, the gateway it came in by.
    fn arrive_from_outside(
        mut self,
        eni: &'a NetworkInterface,
        vpc: &'a Vpc,
        packet: &Packet,
        back: Target<'a>,
    ) -> Analysis {
        let arrival = self.deliver(eni, packet, false);
        let forward = std::mem::take(&mut self.hops);
        self.returning = true;
        self.budget = HOP_BUDGET;
        if arrival.is_some() {
            let reply = packet.reply();
            self.reply_leaves(eni, &reply);
            let left = self.route_out_of_subnet(eni, vpc, &reply, &back);
            self.check_arrival(left.as_ref(), &back, vpc);
        }
        self.finish(forward)
    }

    fn finish(mut self, mut forward: Vec<Hop>) -> Analysis {
        let mut return_hops = std::mem::take(&mut self.hops);
        number(&mut forward);
        number(&mut return_hops);
        Analysis {
            network_path_found: self.explanations.is_empty(),
            forward_path_components: forward,
            return_path_components: return_hops,
            explanations: self.explanations,
        }
    }

    /// A reply leaves an interface: its groups are stateful and let it out.
    fn reply_leaves(&mut self, eni: &NetworkInterface, reply: &Packet) {
        if self.detail {
            let mut hop = self.interface_hop(eni, format!("the reply leaves {}", eni.id));
            hop.outbound_header = Some(Header::from(reply));
            self.hops.push(hop);
        }
        self.check_groups(eni, Direction::Egress, reply);
    }

    fn blocker(&mut self, explanation: Explanation) {
        let mut explanation = explanation;
        explanation.on_return_path = self.returning;
        if let Some(hop) = self.hops.last_mut() {
            hop.blocked = true;
        }
        self.explanations.push(explanation);
    }

    fn vpc_component(&self, id: &VpcId) -> Component {
        match self.index.model().any::<Vpc>(id) {
            Some(v) => Component::new(
                v.id.as_str(),
                Some(v.scope.ec2_arn("vpc", v.id.as_str())),
                name_of(&v.tags),
            ),
            None => Component::bare(id.as_str()),
        }
    }

    fn subnet_component(&self, subnet: &Subnet) -> Component {
        Component::new(
            subnet.id.as_str(),
            Some(subnet.scope.ec2_arn("subnet", subnet.id.as_str())),
            name_of(&subnet.tags),
        )
    }

    fn eni_component(eni: &NetworkInterface) -> Component {
        Component::new(
            eni.id.as_str(),
            Some(eni.scope.ec2_arn("network-interface", eni.id.as_str())),
            name_of(&eni.tags),
        )
    }

    fn owner_component(&self, eni: &NetworkInterface) -> Option<(&'static str, Component)> {
        let model = self.index.model();
        match self.index.owner(&eni.id) {
            Owner::Instance(id) => model.any::<Instance>(id).map(|i| {
                (
                    "instance",
                    Component::new(
                        i.id.as_str(),
                        Some(i.scope.ec2_arn("instance", i.id.as_str())),
                        name_of(&i.tags),
                    ),
                )
            }),
            Owner::VpcEndpoint(id) => Some((
                "vpc-endpoint",
                Component::new(
                    id.as_str(),
                    Some(eni.scope.ec2_arn("vpc-endpoint", id)),
                    None,
                ),
            )),
            Owner::NatGateway(id) => Some((
                "nat-gateway",
                Component::new(id.as_str(), Some(eni.scope.ec2_arn("natgateway", id)), None),
            )),
            Owner::LoadBalancer(arn) => Some((
                "load-balancer",
                Component::new(arn.as_str(), Some(arn.to_string()), None),
            )),
            Owner::ResolverEndpoint(id) => {
                Some(("resolver-endpoint", Component::bare(id.as_str())))
            }
            Owner::TransitGatewayAttachment(id) => {
                Some(("transit-gateway-attachment", Component::bare(id.as_str())))
            }
            Owner::None => None,
        }
    }

    fn subnet(&self, eni: &NetworkInterface) -> Option<&'a Subnet> {
        self.index.model().any::<Subnet>(&eni.subnet_id)
    }

    /// The source: its owner, the interface, and its security groups' egress rules.
    fn leave_interface(&mut self, eni: &'a NetworkInterface, packet: &Packet) {
        if self.detail
            && let Some((kind, owner)) = self.owner_component(eni)
        {
            self.hops
                .push(Hop::new(kind, owner, "the packet starts here"));
        }
        if self.detail {
            let mut hop =
                self.interface_hop(eni, format!("leaves {} from {}", eni.id, packet.source));
            hop.outbound_header = Some(Header::from(packet));
            self.hops.push(hop);
        }
        self.check_groups(eni, Direction::Egress, packet);
    }

    /// An interface's hop: its VPC, subnet and what it is attached to.
    fn interface_hop(&self, eni: &NetworkInterface, detail: String) -> Hop {
        let mut hop = Hop::new("network-interface", Self::eni_component(eni), detail)
            .with(Role::Vpc, self.vpc_component(&eni.vpc_id));
        if let Some(subnet) = self.subnet(eni) {
            hop = hop.with(Role::Subnet, self.subnet_component(subnet));
        }
        if let Some((_, owner)) = self.owner_component(eni) {
            hop = hop.with(Role::AttachedTo, owner);
        }
        hop
    }

    /// Security groups of an interface, one direction. On the return path they are not
    /// evaluated: the connection is tracked, so the reply is allowed (docs/aws-semantics.md §1.6).
    fn check_groups(&mut self, eni: &NetworkInterface, direction: Direction, packet: &Packet) {
        if eni.groups.is_empty() {
            return;
        }
        let model = self.index.model();
        let components = || -> Vec<Component> {
            eni.groups
                .iter()
                .map(|g| match model.any::<SecurityGroup>(g) {
                    Some(sg) => {
                        Component::new(sg.id.as_str(), Some(sg.arn()), Some(sg.name.as_str()))
                    }
                    None => Component::bare(g.as_str()),
                })
                .collect()
        };
        let first = |components: &[Component]| {
            components
                .first()
                .cloned()
                .unwrap_or_else(|| Component::bare(""))
        };
        if self.returning {
            if self.detail {
                let components = components();
                let first = first(&components);
                let mut hop = Hop::new(
                    "security-group",
                    first,
                    "stateful: the reply of an allowed connection is allowed",
                )
                .with(Role::AttachedTo, Self::eni_component(eni));
                hop.direction = Some(direction);
                hop.related.extend(components.into_iter().skip(1).map(|c| {
                    crate::explain::Related {
                        role: Role::SecurityGroup,
                        component: c,
                    }
                }));
                self.hops.push(hop);
            }
            return;
        }
        match decide::security_group(self.index, &eni.groups, direction, packet) {
            SgDecision::Allowed(rule) => {
                if self.detail {
                    let components = components();
                    let component = components
                        .iter()
                        .find(|c| c.id == rule.security_group_id)
                        .cloned()
                        .unwrap_or_else(|| first(&components));
                    let mut hop = Hop::new(
                        "security-group",
                        component,
                        format!(
                            "{} rule {} of {} allows it",
                            direction.as_str(),
                            rule.security_group_rule_id,
                            rule.security_group_id
                        ),
                    )
                    .with(Role::AttachedTo, Self::eni_component(eni));
                    hop.direction = Some(direction);
                    hop.security_group_rule = Some(rule);
                    self.hops.push(hop);
                }
            }
            SgDecision::Denied { no_rules, .. } => {
                let components = components();
                if self.detail {
                    let mut hop = Hop::new(
                        "security-group",
                        first(&components),
                        format!(
                            "no {} rule of the interface's security groups allows it",
                            direction.as_str()
                        ),
                    )
                    .with(Role::AttachedTo, Self::eni_component(eni));
                    hop.direction = Some(direction);
                    self.hops.push(hop);
                }
                let peer = match direction {
                    Direction::Ingress => packet.source,
                    Direction::Egress => packet.destination,
                };
                let code = if no_rules {
                    "SG_HAS_NO_RULES"
                } else {
                    "ENI_SG_RULES_MISMATCH"
                };
                let ports = if packet.protocol.has_ports() {
                    format!(" port {}", packet.destination_ports)
                } else {
                    String::new()
                };
                let mut e = Explanation::new(
                    code,
                    format!(
                        "the security groups of {} have no {} rule for {}{} {} {}",
                        eni.id,
                        direction.as_str(),
                        packet.protocol,
                        ports,
                        if direction.is_egress() { "to" } else { "from" },
                        peer
                    ),
                )
                .direction(direction)
                .component(Self::eni_component(eni))
                .with(Role::NetworkInterface, Self::eni_component(eni))
                .with(Role::Vpc, self.vpc_component(&eni.vpc_id))
                .protocol(packet.protocol)
                .fix(format!(
                    "add an {} rule for {}{} {} {} to one of {}",
                    direction.as_str(),
                    packet.protocol,
                    ports,
                    if direction.is_egress() { "to" } else { "from" },
                    peer,
                    eni.groups
                        .iter()
                        .map(|g| g.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                e.security_groups = components;
                if packet.protocol.has_ports()
                    && packet.destination_ports.from() == packet.destination_ports.to()
                {
                    e.port = Some(packet.destination_ports.from());
                }
                e.address = Some(peer.to_string());
                self.blocker(e);
            }
        }
    }

    /// A subnet's network ACL, one direction.
    fn check_acl(&mut self, subnet: &Subnet, direction: Direction, packet: &Packet) {
        let Some(acl) = self.index.network_acl_of(&subnet.id) else {
            return;
        };
        let decision = decide::network_acl(self.index, acl, direction, packet);
        if !self.detail && decision.allowed {
            return;
        }
        let component = Component::new(
            acl.id.as_str(),
            Some(acl.scope.ec2_arn("network-acl", acl.id.as_str())),
            name_of(&acl.tags),
        );
        let detail = format!(
            "{} rule {} ({}) of {} {}",
            direction.as_str(),
            rule_label(decision.rule.rule_number),
            decision.rule.rule_action,
            acl.id,
            if decision.allowed {
                "allows it"
            } else {
                "denies it"
            }
        );
        if self.detail {
            let mut hop = Hop::new("network-acl", component.clone(), detail)
                .with(Role::Subnet, self.subnet_component(subnet));
            hop.direction = Some(direction);
            hop.acl_rule = Some(decision.rule.clone());
            self.hops.push(hop);
        }
        if !decision.allowed {
            let peer = match direction {
                Direction::Ingress => packet.source,
                Direction::Egress => packet.destination,
            };
            let ports = if packet.protocol.has_ports() {
                format!(" port {}", packet.destination_ports)
            } else {
                String::new()
            };
            let mut e = Explanation::new(
                "SUBNET_ACL_RESTRICTION",
                format!(
                    "network ACL {} of {} denies {} {}{} {} {} (rule {})",
                    acl.id,
                    subnet.id,
                    direction.as_str(),
                    packet.protocol,
                    ports,
                    if direction.is_egress() { "to" } else { "from" },
                    peer,
                    rule_label(decision.rule.rule_number)
                ),
            )
            .direction(direction)
            .component(component.clone())
            .with(Role::Acl, component)
            .with(Role::Subnet, self.subnet_component(subnet))
            .with(Role::Vpc, self.vpc_component(&subnet.vpc_id))
            .protocol(packet.protocol)
            .fix(format!(
                "add an {} entry to {} allowing {}{} {} {}, numbered below {}",
                direction.as_str(),
                acl.id,
                packet.protocol,
                ports,
                if direction.is_egress() { "to" } else { "from" },
                peer,
                rule_label(decision.rule.rule_number)
            ));
            e.acl_rule = Some(decision.rule);
            self.blocker(e);
        }
    }

    /// Delivers to a target interface inside `vpc`: the ACL of its subnet (unless the
    /// packet never left that subnet), its security groups, the interface, its owner.
    fn deliver(
        &mut self,
        eni: &'a NetworkInterface,
        packet: &Packet,
        same_subnet: bool,
    ) -> Option<Arrival<'a>> {
        if !same_subnet && let Some(subnet) = self.subnet(eni) {
            self.check_acl(subnet, Direction::Ingress, packet);
        }
        self.check_groups(eni, Direction::Ingress, packet);
        if self.detail {
            let mut hop = self.interface_hop(
                eni,
                format!("arrives at {} ({})", eni.id, packet.destination),
            );
            hop.inbound_header = Some(Header::from(packet));
            self.hops.push(hop);
        }
        if !self.returning
            && let Owner::LoadBalancer(arn) = self.index.owner(&eni.id)
            && let Some(balancer) = self.index.model().any::<LoadBalancer>(arn)
            && balancer.lb_type == LoadBalancerType::Network
        {
            let (target, inner) = self.through_balancer(balancer, eni, packet, false)?;
            return Some(Arrival::Balanced {
                endpoint: None,
                balancer: eni,
                target,
                inner,
            });
        }
        // An interface endpoint of a customer's endpoint service passes the packet on.
        let privatelink = match self.index.owner(&eni.id) {
            Owner::VpcEndpoint(id) if !self.returning => VpcEndpointId::parse(id)
                .ok()
                .and_then(|id| self.index.model().any::<VpcEndpoint>(&id))
                .and_then(|endpoint| {
                    self.index
                        .model()
                        .all::<VpcEndpointServiceConfiguration>()
                        .find(|s| s.service_name() == endpoint.service_name)
                        .map(|service| (endpoint, service))
                }),
            _ => None,
        };
        if self.detail
            && let Some((kind, owner)) = self.owner_component(eni)
        {
            let detail = if privatelink.is_some() {
                "into the endpoint"
            } else {
                "the packet ends here"
            };
            self.hops.push(Hop::new(kind, owner, detail));
        }
        if !self.returning
            && let Owner::VpcEndpoint(id) = self.index.owner(&eni.id)
        {
            self.check_policy(id);
        }
        if let Some((endpoint, service)) = privatelink {
            return self.through_privatelink(endpoint, service, eni, packet);
        }
        Some(Arrival::Interface(eni))
    }

    /// From a consumer's interface endpoint to the provider's service: the connection must
    /// be accepted, the service's network load balancer needs a listener on the port, its
    /// target group a target; the balancer then opens its own connection to the target
    /// (from its address in the target's VPC), which that VPC's ACLs and the target's
    /// groups decide.
    fn through_privatelink(
        &mut self,
        endpoint: &'a VpcEndpoint,
        service: &'a VpcEndpointServiceConfiguration,
        endpoint_eni: &'a NetworkInterface,
        packet: &Packet,
    ) -> Option<Arrival<'a>> {
        let model = self.index.model();
        let endpoint_component = Component::new(
            endpoint.id.as_str(),
            Some(endpoint.scope.ec2_arn("vpc-endpoint", endpoint.id.as_str())),
            name_of(&endpoint.tags),
        );
        let service_component = service_component(service);
        if self.detail {
            let mut hop = Hop::new(
                "vpc-endpoint-service",
                service_component.clone(),
                format!("through PrivateLink to {}", endpoint.service_name),
            )
            .with(Role::Component, endpoint_component.clone());
            hop.service_name = Some(endpoint.service_name.clone());
            self.hops.push(hop);
        }
        if endpoint.state != EndpointState::Available {
            self.blocker(
                Explanation::new(
                    "BAD_STATE",
                    format!(
                        "{} is {}: the provider of {} has not accepted the connection",
                        endpoint.id,
                        endpoint.state.as_str(),
                        endpoint.service_name
                    ),
                )
                .component(endpoint_component.clone())
                .with(Role::VpcEndpoint, endpoint_component)
                .fix(format!(
                    "accept the connection (AcceptVpcEndpointConnections on {})",
                    service.id
                )),
            );
        }
        let Some(balancer) = service
            .load_balancer_arns
            .iter()
            .find_map(|arn| model.any::<LoadBalancer>(arn))
        else {
            self.blocker(
                Explanation::new(
                    "NO_POSSIBLE_DESTINATION",
                    format!("{} has no load balancer behind it", service.id),
                )
                .component(service_component),
            );
            return None;
        };
        let lb_eni = balancer
            .zones
            .iter()
            .find(|z| {
                model
                    .any::<Subnet>(&z.subnet_id)
                    .is_some_and(|s| s.availability_zone == endpoint_eni.availability_zone)
            })
            .or_else(|| balancer.zones.first())
            .and_then(|z| model.any::<NetworkInterface>(&z.network_interface_id))?;
        let (target, inner) = self.through_balancer(balancer, lb_eni, packet, true)?;
        Some(Arrival::Balanced {
            endpoint: Some(endpoint_eni),
            balancer: lb_eni,
            target,
            inner,
        })
    }

    /// A network load balancer at its interface `lb_eni` passes the packet on: a listener on
    /// the port, its target group's target in the balancer's AZ (else its first), then the
    /// balancer's own connection to the target — from the client's address when the target
    /// group preserves it (never through PrivateLink), else from the balancer's — which the
    /// target VPC's ACLs and the target's groups decide. `None` when it goes no further.
    fn through_balancer(
        &mut self,
        balancer: &'a LoadBalancer,
        lb_eni: &'a NetworkInterface,
        packet: &Packet,
        privatelink: bool,
    ) -> Option<(Option<&'a NetworkInterface>, Packet)> {
        let model = self.index.model();
        let lb_component = Component::new(
            balancer.id.as_str(),
            Some(balancer.id.to_string()),
            Some(balancer.name.as_str()),
        );
        let listener = model.all::<Listener>().find(|l| {
            l.load_balancer_arn == balancer.id
                && l.port.is_some_and(|p| {
                    u16::try_from(p).is_ok_and(|p| {
                        PortRange::single(p)
                            .intersect(packet.destination_ports)
                            .is_some()
                    })
                })
        });
        let Some(listener) = listener else {
            let ports = if packet.protocol.has_ports() {
                format!(" port {}", packet.destination_ports)
            } else {
                String::new()
            };
            if self.detail {
                let mut hop = Hop::new(
                    "load-balancer",
                    lb_component.clone(),
                    format!(
                        "no listener of {} accepts {}{ports}",
                        balancer.name, packet.protocol
                    ),
                );
                hop.blocked = true;
                self.hops.push(hop);
            }
            let mut e = Explanation::new(
                "ELBV2_LISTENERS_MISMATCH",
                format!(
                    "no listener of {} accepts {}{ports}",
                    balancer.name, packet.protocol
                ),
            )
            .component(lb_component)
            .protocol(packet.protocol)
            .fix("add a listener on that port, or connect to a port the service listens on");
            if packet.destination_ports.from() == packet.destination_ports.to() {
                e.port = Some(packet.destination_ports.from());
            }
            self.blocker(e);
            return None;
        };
        let group = model.any::<TargetGroup>(&listener.target_group_arn)?;
        let target = group
            .targets
            .iter()
            .find(|t| t.availability_zone.as_deref() == Some(lb_eni.availability_zone.as_str()))
            .or_else(|| group.targets.first());
        let Some(target) = target else {
            if self.detail {
                self.hops.push(Hop::new(
                    "load-balancer",
                    lb_component.clone(),
                    format!(
                        "listener {} forwards to {}, which has no target",
                        listener.id, group.name
                    ),
                ));
            }
            self.blocker(
                Explanation::new(
                    "ELBV2_LISTENER_HAS_NO_TG",
                    format!(
                        "the target group {} of the listener has no target",
                        group.name
                    ),
                )
                .component(lb_component)
                .fix(format!("register a target in {}", group.name)),
            );
            return None;
        };
        let provider = model.any::<Vpc>(&balancer.vpc_id)?;
        let port = target
            .port
            .or(group.port)
            .and_then(|p| u16::try_from(p).ok());
        // An instance target, or an address target: the interface holding it in the
        // provider's VPC, if any.
        let (target_eni, target_ip) = if target.id.starts_with("i-") {
            let eni = InstanceId::parse(&target.id)
                .ok()
                .and_then(|i| model.any::<Instance>(&i))
                .and_then(|i| model.any::<NetworkInterface>(&i.primary_interface));
            match eni {
                Some(e) => (Some(e), IpAddr::V4(e.private_ip)),
                None => {
                    self.blocker(
                        Explanation::new(
                            "NO_SOURCE_OR_DESTINATION",
                            format!("the target {} of {} does not exist", target.id, group.name),
                        )
                        .component(lb_component),
                    );
                    return None;
                }
            }
        } else {
            let Ok(ip) = target.id.parse::<IpAddr>() else {
                return None;
            };
            (self.index.interface_in(&provider.id, ip), ip)
        };
        let preserve_client_ip = !privatelink
            && group
                .attributes
                .iter()
                .any(|(k, v)| k == "preserve_client_ip.enabled" && v == "true");
        let from = if preserve_client_ip {
            packet.source
        } else {
            IpAddr::V4(lb_eni.private_ip)
        };
        let mut inner = Packet::new(packet.protocol, from, target_ip, port);
        if !packet.protocol.has_ports() {
            inner.destination_ports = PortRange::ALL;
        }
        if self.detail {
            let mut hop = Hop::new(
                "load-balancer",
                lb_component,
                format!(
                    "listener {} -> target group {} -> {}{}",
                    listener.port.unwrap_or_default(),
                    group.name,
                    target.id,
                    port.map(|p| format!(":{p}")).unwrap_or_default()
                ),
            );
            hop.inbound_header = Some(Header::from(packet));
            hop.outbound_header = Some(Header::from(&inner));
            self.hops.push(hop);
        }
        let Some(target_eni) = target_eni else {
            // An address no interface holds (a server of the user's, which the data plane
            // maps): the path ends at the address, past its subnet's ACL.
            let subnet = self.index.subnet_holding(&provider.id, target_ip);
            if let Some(subnet) = subnet
                && subnet.id != lb_eni.subnet_id
            {
                if let Some(from) = self.subnet(lb_eni) {
                    self.check_acl(from, Direction::Egress, &inner);
                }
                self.check_acl(subnet, Direction::Ingress, &inner);
            }
            if self.detail {
                let mut hop = Hop::new(
                    "address",
                    Component::bare(target_ip.to_string()),
                    format!(
                        "the target address {target_ip}: no interface of {} holds it, so whatever answers there is outside the analysis",
                        provider.id
                    ),
                )
                .with(Role::Vpc, self.vpc_component(&provider.id));
                hop.inbound_header = Some(Header::from(&inner));
                self.hops.push(hop);
            }
            return Some((None, inner));
        };
        let reached = self.route_out_of_subnet(
            lb_eni,
            provider,
            &inner,
            &Target::Interface(target_eni, target_ip),
        );
        reached.map(|_| (Some(target_eni), inner))
    }

    /// The endpoint policy for the query's request, if one was given (localvpc's extension).
    fn check_policy(&mut self, endpoint: &str) {
        let Some(request) = self.request else {
            return;
        };
        let Some(verdict) = endpoint_policy(self.index, endpoint, request) else {
            return;
        };
        if self.detail {
            let mut hop = Hop::new(
                "vpc-endpoint-policy",
                Component::bare(endpoint),
                verdict.detail.clone(),
            );
            hop.service_name = Some(request.action.split(':').next().unwrap_or("").to_owned());
            self.hops.push(hop);
        }
        if !verdict.allowed {
            let e = Explanation::new("LOCALVPC_ENDPOINT_POLICY_DENY", verdict.detail)
                .component(Component::bare(endpoint))
                .with(Role::VpcEndpoint, Component::bare(endpoint))
                .fix(format!(
                    "allow {} on {} in the policy of {endpoint}",
                    request.action, request.resource
                ));
            self.blocker(e);
        }
    }

    /// Routes a packet out of `from`'s subnet (the forward walk and the return walk alike).
    fn route_out_of_subnet(
        &mut self,
        from: &'a NetworkInterface,
        vpc: &'a Vpc,
        packet: &Packet,
        target: &Target<'a>,
    ) -> Option<Arrival<'a>> {
        let subnet = self.subnet(from)?;
        if let Target::Interface(eni, _) = target
            && eni.subnet_id == from.subnet_id
        {
            // Switched inside the subnet: no ACL, no route (docs/aws-semantics.md §1.5, §1.7).
            return self.deliver(eni, packet, true);
        }
        if self.budget == 0 {
            self.blocker(Explanation::new(
                "LOCALVPC_ROUTING_LOOP",
                "the path takes too many routing decisions (a routing loop)",
            ));
            return None;
        }
        self.budget -= 1;
        self.check_acl(subnet, Direction::Egress, packet);
        let table = self.index.route_table_of(&subnet.id)?;
        let decision = decide::route(self.index, table, packet.destination);
        let table_component =
            Component::new(table.id.as_str(), Some(table.arn()), name_of(&table.tags));
        let Some(route) = decision.route.clone() else {
            if self.detail {
                let mut hop = Hop::new(
                    "route-table",
                    table_component.clone(),
                    format!("no route in {} matches {}", table.id, packet.destination),
                )
                .with(Role::Subnet, self.subnet_component(subnet));
                hop.blocked = true;
                self.hops.push(hop);
            }
            self.blocker(
                Explanation::new(
                    "NO_ROUTE_TO_DESTINATION",
                    format!(
                        "route table {} has no route to {}",
                        table.id, packet.destination
                    ),
                )
                .component(table_component.clone())
                .with(Role::RouteTable, table_component)
                .with(Role::Subnet, self.subnet_component(subnet))
                .with(Role::Vpc, self.vpc_component(&vpc.id))
                .fix(format!(
                    "add a route to {} in {}",
                    packet.destination, table.id
                )),
            );
            return self.assume_connector(vpc, packet, target);
        };
        if self.detail {
            let mut hop = Hop::new(
                "route-table",
                table_component.clone(),
                format!(
                    "route {} -> {} ({}) in {}",
                    match (&route.destination, decision.matched) {
                        (RouteDestination::PrefixList(p), Some(m)) => {
                            format!("{p} (its entry {m})")
                        }
                        (other, _) => other.to_string(),
                    },
                    route.target.wire().1,
                    decision.state.as_str(),
                    table.id
                ),
            )
            .with(Role::Subnet, self.subnet_component(subnet));
            hop.route_table_route = decision.reference.clone();
            self.hops.push(hop);
        }
        if decision.state == RouteState::Blackhole {
            let mut e = Explanation::new(
                "BAD_STATE_ROUTE",
                format!(
                    "the route to {} in {} is a blackhole: its target {} cannot carry traffic",
                    route.destination,
                    table.id,
                    route.target.wire().1
                ),
            )
            .component(table_component.clone())
            .with(Role::RouteTable, table_component)
            .with(Role::Vpc, self.vpc_component(&vpc.id))
            .fix(format!(
                "point the route to {} at a working target",
                route.destination
            ));
            e.route_table_route = decision.reference;
            e.state = Some("blackhole".to_owned());
            self.blocker(e);
            return self.assume_connector(vpc, packet, target);
        }
        self.follow(&route.target, from, vpc, packet, target)
    }

    /// After a missing or broken route: if the destination is an interface, continue
    /// along the connection that would carry the packet (the same VPC, an active peering, a
    /// shared transit gateway), so the blockers behind the route are found too.
    fn assume_connector(
        &mut self,
        vpc: &'a Vpc,
        packet: &Packet,
        target: &Target<'a>,
    ) -> Option<Arrival<'a>> {
        let Target::Interface(eni, _) = target else {
            return None;
        };
        if eni.vpc_id == vpc.id {
            return self.deliver(eni, packet, false);
        }
        let model = self.index.model();
        if let Some(pcx) = model
            .all::<VpcPeeringConnection>()
            .find(|p| p.is_active() && p.involves(&vpc.id) && p.involves(&eni.vpc_id))
        {
            self.name_missing_next_hop(Component::new(
                pcx.id.as_str(),
                Some(pcx.scope.ec2_arn("vpc-peering-connection", pcx.id.as_str())),
                name_of(&pcx.tags),
            ));
            return self.cross_peering(pcx, vpc, packet, target);
        }
        if let Some(tgw) = model.all::<TransitGatewayAttachment>().find_map(|a| {
            let shared = a.vpc_id.as_ref() == Some(&vpc.id)
                && a.state == AttachmentState::Available
                && self
                    .index
                    .tgw_attachment_of(&eni.vpc_id, &a.transit_gateway_id)
                    .is_some();
            shared.then_some(&a.transit_gateway_id)
        }) {
            self.name_missing_next_hop(tgw_component(model, tgw));
            return self.cross_tgw(tgw, vpc, packet, target);
        }
        let none: Option<Arrival<'a>> = None;
        if !self.returning {
            self.blocker(
                Explanation::new(
                    "DISCONNECTED_VPCS",
                    format!("{} and {} are not connected by a peering connection or a transit gateway route", vpc.id, eni.vpc_id),
                )
                .with(Role::SourceVpc, self.vpc_component(&vpc.id))
                .with(Role::DestinationVpc, self.vpc_component(&eni.vpc_id))
                .fix("connect the VPCs (peering or a transit gateway) and add routes on both sides"),
            );
        }
        none
    }

    /// A missing or broken route's explanation names the next hop the route should use
    /// (`Destination`), as AWS's analyser does.
    fn name_missing_next_hop(&mut self, next_hop: Component) {
        if let Some(e) = self.explanations.last_mut()
            && matches!(
                e.explanation_code,
                "NO_ROUTE_TO_DESTINATION" | "BAD_STATE_ROUTE"
            )
            && !e.related.iter().any(|r| r.role == Role::Destination)
        {
            e.related.push(crate::explain::Related {
                role: Role::Destination,
                component: next_hop,
            });
        }
    }

    fn follow(
        &mut self,
        route_target: &RouteTarget,
        from: &'a NetworkInterface,
        vpc: &'a Vpc,
        packet: &Packet,
        target: &Target<'a>,
    ) -> Option<Arrival<'a>> {
        let model = self.index.model();
        if let Target::Gateway(gateway, _) = target {
            let (_, id) = route_target.wire();
            if id != gateway.route_target {
                // The path ends at a gateway this route does not lead to: what lies behind
                // the route's own target does not matter (`check_arrival` names the miss).
                return Some(Arrival::Outside {
                    kind: "route-target",
                    gateway: Component::bare(id),
                    nat: None,
                });
            }
        }
        match route_target {
            RouteTarget::Local => match target {
                Target::Interface(eni, _) if eni.vpc_id == vpc.id => {
                    self.deliver(eni, packet, false)
                }
                _ => {
                    self.blocker(
                        Explanation::new(
                            "LOCALVPC_NO_INTERFACE_AT_ADDRESS",
                            format!(
                                "{} is inside {} but no network interface holds it",
                                packet.destination, vpc.id
                            ),
                        )
                        .with(Role::Vpc, self.vpc_component(&vpc.id))
                        .fix("send to an address an interface holds"),
                    );
                    None
                }
            },
            RouteTarget::VpcPeeringConnection(id) => {
                let pcx = model.any::<VpcPeeringConnection>(id)?;
                self.cross_peering(pcx, vpc, packet, target)
            }
            RouteTarget::TransitGateway(id) => self.cross_tgw(id, vpc, packet, target),
            RouteTarget::InternetGateway(id) => {
                let igw = model.any::<InternetGateway>(id)?;
                let component =
                    Component::new(igw.id.as_str(), Some(igw.arn()), name_of(&igw.tags));
                let mut hop = Hop::new("internet-gateway", component.clone(), "to the internet");
                let public = self.index.public_address(&from.id);
                if !self.returning {
                    if let Some(public) = public {
                        let translated = packet.with_source(public);
                        hop.inbound_header = Some(Header::from(packet));
                        hop.outbound_header = Some(Header::from(&translated));
                        hop.detail = format!("to the internet as {public}");
                    }
                    if self.detail {
                        self.hops.push(hop);
                    }
                    if public.is_none() {
                        self.blocker(
                            Explanation::new(
                                "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
                                format!("{} has no public IPv4 address, so {} cannot carry its traffic to the internet", from.id, igw.id),
                            )
                            .component(component.clone())
                            .with(Role::InternetGateway, component.clone())
                            .with(Role::NetworkInterface, Self::eni_component(from))
                            .fix(format!("associate an Elastic IP with {}, or route through a NAT gateway", from.id)),
                        );
                    }
                    if is_private(packet.destination) {
                        self.blocker(
                            Explanation::new(
                                "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS",
                                format!(
                                    "{} is a private (RFC 1918) address, which an internet gateway does not carry",
                                    packet.destination
                                ),
                            )
                            .component(component.clone())
                            .with(Role::InternetGateway, component.clone())
                            .fix(format!(
                                "route {} through a peering connection, a transit gateway or a VPN instead",
                                packet.destination
                            )),
                        );
                        return None;
                    }
                    if let Target::Interface(eni, _) = target {
                        // A public address of an interface in some VPC: not followed further.
                        return self.assume_connector(
                            vpc,
                            packet,
                            &Target::Interface(eni, packet.destination),
                        );
                    }
                } else {
                    if self.detail {
                        self.hops.push(hop);
                    }
                }
                Some(Arrival::Outside {
                    kind: "internet-gateway",
                    gateway: component,
                    nat: None,
                })
            }
            RouteTarget::NatGateway(id) => self.through_nat(id, packet, target),
            RouteTarget::VpcEndpoint(id) => {
                let endpoint = model.any::<VpcEndpoint>(id)?;
                let component = Component::new(
                    endpoint.id.as_str(),
                    Some(endpoint.scope.ec2_arn("vpc-endpoint", endpoint.id.as_str())),
                    name_of(&endpoint.tags),
                );
                if self.detail {
                    let mut hop = Hop::new(
                        "vpc-endpoint",
                        component.clone(),
                        format!(
                            "through gateway endpoint {} to {}",
                            endpoint.id, endpoint.service_name
                        ),
                    );
                    hop.service_name = Some(endpoint.service_name.clone());
                    self.hops.push(hop);
                }
                if endpoint.endpoint_type == EndpointTypeWire::GatewayLoadBalancer {
                    self.blocker(
                        Explanation::new("UNSUPPORTED_COMPONENT", format!("{} is a Gateway Load Balancer endpoint; appliances behind it are not analysed", endpoint.id))
                            .component(component),
                    );
                    return None;
                }
                if !self.returning
                    && packet.protocol != IpProtocol::TCP
                    && !packet.protocol.is_icmp()
                {
                    self.blocker(
                        Explanation::new(
                            "VPCE_GATEWAY_PROTOCOL_RESTRICTION",
                            format!(
                                "gateway endpoint {} carries only TCP and ICMP, not {}",
                                endpoint.id, packet.protocol
                            ),
                        )
                        .component(component.clone())
                        .with(Role::VpcEndpoint, component.clone())
                        .protocol(packet.protocol),
                    );
                }
                if endpoint.state != EndpointState::Available {
                    self.blocker(
                        Explanation::new(
                            "BAD_STATE",
                            format!("{} is {}", endpoint.id, endpoint.state.as_str()),
                        )
                        .component(component.clone()),
                    );
                }
                if !self.returning {
                    self.check_policy(endpoint.id.as_str());
                }
                Some(Arrival::Outside {
                    kind: "vpc-endpoint",
                    gateway: component,
                    nat: None,
                })
            }
            RouteTarget::VpnGateway(id) => {
                Some(self.leave_vpcs("vpn-gateway", id.as_str(), "to the VPN (on premises)"))
            }
            RouteTarget::EgressOnlyInternetGateway(id) => Some(self.leave_vpcs(
                "egress-only-internet-gateway",
                id.as_str(),
                "to the internet (IPv6, outbound only)",
            )),
            RouteTarget::NetworkInterface(id) => {
                let eni = model.any::<NetworkInterface>(id)?;
                if self.detail {
                    self.hops.push(Hop::new(
                        "network-interface",
                        Self::eni_component(eni),
                        format!(
                            "to the appliance at {} (what it forwards is not analysed)",
                            eni.id
                        ),
                    ));
                }
                self.deliver(eni, packet, eni.subnet_id == from.subnet_id)
            }
        }
    }

    /// Out of the VPCs through a gateway whose far side is not analysed.
    fn leave_vpcs(&mut self, kind: &'static str, id: &str, detail: &'static str) -> Arrival<'a> {
        let component = Component::bare(id);
        if self.detail {
            self.hops.push(Hop::new(kind, component.clone(), detail));
        }
        Arrival::Outside {
            kind,
            gateway: component,
            nat: None,
        }
    }

    fn cross_peering(
        &mut self,
        pcx: &'a VpcPeeringConnection,
        vpc: &'a Vpc,
        packet: &Packet,
        target: &Target<'a>,
    ) -> Option<Arrival<'a>> {
        let model = self.index.model();
        let (here, there) = if pcx.requester.vpc_id == vpc.id {
            (&pcx.requester, &pcx.accepter)
        } else {
            (&pcx.accepter, &pcx.requester)
        };
        let component = Component::new(
            pcx.id.as_str(),
            Some(
                here.scope
                    .ec2_arn("vpc-peering-connection", pcx.id.as_str()),
            ),
            name_of(&pcx.tags),
        );
        if self.detail {
            let hop = Hop::new(
                "vpc-peering-connection",
                component.clone(),
                format!("over {} to {}", pcx.id, there.vpc_id),
            )
            .with(Role::SourceVpc, self.vpc_component(&vpc.id))
            .with(Role::DestinationVpc, self.vpc_component(&there.vpc_id));
            self.hops.push(hop);
        }
        if let Target::Gateway(gateway, _) = target
            && gateway.id() == pcx.id.as_str()
        {
            return Some(Arrival::Outside {
                kind: gateway.kind,
                gateway: component,
                nat: None,
            });
        }
        let peer = model.any::<Vpc>(&there.vpc_id)?;
        if !self.index.vpc_holds(peer, packet.destination) {
            self.blocker(
                Explanation::new(
                    "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR",
                    format!("{} is not in {}, and a peering connection carries traffic only to the peer VPC's own addresses", packet.destination, peer.id),
                )
                .component(component.clone())
                .with(Role::VpcPeeringConnection, component)
                .fix("peering is not transitive: peer with the destination's VPC directly"),
            );
            return None;
        }
        // Entering over a peering, the packet can only be delivered inside the peer VPC.
        match target {
            Target::Interface(eni, _) if eni.vpc_id == peer.id => self.deliver(eni, packet, false),
            _ => {
                self.blocker(
                    Explanation::new(
                        "LOCALVPC_NO_INTERFACE_AT_ADDRESS",
                        format!(
                            "{} is inside {} but no network interface there holds it",
                            packet.destination, peer.id
                        ),
                    )
                    .with(Role::Vpc, self.vpc_component(&peer.id)),
                );
                None
            }
        }
    }

    fn cross_tgw(
        &mut self,
        tgw: &TransitGatewayId,
        vpc: &'a Vpc,
        packet: &Packet,
        target: &Target<'a>,
    ) -> Option<Arrival<'a>> {
        let model = self.index.model();
        let tgw_component = tgw_component(model, tgw);
        let Some(attachment_id) = self.index.tgw_attachment_of(&vpc.id, tgw) else {
            self.blocker(
                Explanation::new(
                    "BAD_STATE_ATTACHMENT",
                    format!("{} has no attachment to {}", vpc.id, tgw),
                )
                .component(tgw_component.clone())
                .with(Role::TransitGateway, tgw_component),
            );
            return None;
        };
        let attachment = TransitGatewayAttachmentId::parse(attachment_id)
            .ok()
            .and_then(|id| model.any::<TransitGatewayAttachment>(&id))?;
        let attachment_component = tgw_attachment_component(attachment);
        if self.detail {
            self.hops.push(
                Hop::new(
                    "transit-gateway-attachment",
                    attachment_component.clone(),
                    format!("into {tgw} through {}", attachment.id),
                )
                .with(Role::TransitGateway, tgw_component.clone()),
            );
        }
        if attachment.state != AttachmentState::Available {
            self.blocker(
                Explanation::new(
                    "BAD_STATE_ATTACHMENT",
                    format!("{} is {}", attachment.id, attachment.state.as_str()),
                )
                .component(attachment_component.clone())
                .with(Role::TransitGatewayAttachment, attachment_component.clone()),
            );
        }
        if let Target::Gateway(gateway, _) = target
            && (gateway.id() == tgw.as_str() || gateway.id() == attachment.id.as_str())
        {
            // The transit gateway itself, or the source VPC's own attachment to it.
            let end = if gateway.id() == tgw.as_str() {
                tgw_component
            } else {
                attachment_component
            };
            if self.detail {
                self.hops.push(Hop::new(
                    gateway.kind,
                    end.clone(),
                    format!("at {}, the path's end", end.id),
                ));
            }
            return Some(Arrival::Outside {
                kind: gateway.kind,
                gateway: end,
                nat: None,
            });
        }
        let Some(table) = attachment
            .association
            .as_ref()
            .and_then(|t| model.any::<TransitGatewayRouteTable>(t))
        else {
            self.blocker(
                Explanation::new(
                    "TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION",
                    format!(
                        "{} is associated with no transit gateway route table",
                        attachment.id
                    ),
                )
                .component(attachment_component.clone())
                .with(Role::TransitGatewayAttachment, attachment_component)
                .fix("associate the attachment with a transit gateway route table"),
            );
            return None;
        };
        let table_component = Component::new(
            table.id.as_str(),
            Some(
                table
                    .scope
                    .ec2_arn("transit-gateway-route-table", table.id.as_str()),
            ),
            name_of(&table.tags),
        );
        let IpAddr::V4(v4) = packet.destination else {
            return None;
        };
        let Some(route) = self.index.tgw_lookup(&table.id, v4) else {
            if self.detail {
                self.hops.push(
                    Hop::new(
                        "transit-gateway-route-table",
                        table_component.clone(),
                        format!("no route to {v4}"),
                    )
                    .with(Role::TransitGateway, tgw_component.clone()),
                );
            }
            self.blocker(
                Explanation::new(
                    "TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT",
                    format!(
                        "transit gateway route table {} has no route to {v4}",
                        table.id
                    ),
                )
                .component(table_component.clone())
                .with(Role::TransitGatewayRouteTable, table_component)
                .with(Role::TransitGateway, tgw_component.clone())
                .fix("add a static route or a propagation for the destination's attachment"),
            );
            // Go on through the attachment that would carry it, to find what lies behind.
            let Target::Interface(eni, _) = target else {
                return None;
            };
            let behind = self
                .index
                .tgw_attachment_of(&eni.vpc_id, tgw)
                .and_then(|id| TransitGatewayAttachmentId::parse(id).ok())
                .and_then(|id| model.any::<TransitGatewayAttachment>(&id))?;
            if self.detail {
                self.hops.push(
                    Hop::new(
                        "transit-gateway-attachment",
                        tgw_attachment_component(behind),
                        format!("out of {tgw} through {} (assumed)", behind.id),
                    )
                    .with(Role::TransitGateway, tgw_component),
                );
            }
            return self.deliver(eni, packet, false);
        };
        let next = route
            .attachment
            .as_ref()
            .and_then(|a| model.any::<TransitGatewayAttachment>(a));
        let mut hop = Hop::new(
            "transit-gateway-route-table",
            table_component.clone(),
            format!(
                "route {} -> {}",
                route.destination,
                route
                    .attachment
                    .as_ref()
                    .map_or("blackhole", |a| a.as_str())
            ),
        )
        .with(Role::TransitGateway, tgw_component.clone());
        let tgw_route = TgwRouteRef {
            route_table_id: table.id.to_string(),
            destination_cidr: route.destination.to_string(),
            state: if route.active { "active" } else { "blackhole" },
            route_origin: if route.propagated {
                "propagated"
            } else {
                "static"
            },
            attachment_id: route.attachment.as_ref().map(ToString::to_string),
            resource_id: next.map(|a| a.resource_id().to_owned()),
            resource_type: next.map(TransitGatewayAttachment::resource_type),
        };
        hop.transit_gateway_route_table_route = Some(tgw_route.clone());
        if self.detail {
            self.hops.push(hop);
        }
        let Some(next) = next.filter(|_| route.active) else {
            let mut e = Explanation::new(
                "TGW_RTB_BAD_STATE_ROUTE",
                format!(
                    "the route to {} in {} is a blackhole",
                    route.destination, table.id
                ),
            )
            .component(table_component.clone())
            .with(Role::TransitGatewayRouteTable, table_component);
            e.transit_gateway_route_table_route = Some(tgw_route);
            self.blocker(e);
            return None;
        };
        if self.detail {
            self.hops.push(
                Hop::new(
                    "transit-gateway-attachment",
                    tgw_attachment_component(next),
                    format!("out of {tgw} through {}", next.id),
                )
                .with(Role::TransitGateway, tgw_component),
            );
        }
        match (&next.vpc_id, target) {
            (Some(next_vpc), Target::Interface(eni, _)) if &eni.vpc_id == next_vpc => {
                self.deliver(eni, packet, false)
            }
            // The path ends at an attachment: this one (or another, which check_arrival names).
            (_, Target::Gateway(..)) => Some(Arrival::Outside {
                kind: "transit-gateway-attachment",
                gateway: tgw_attachment_component(next),
                nat: None,
            }),
            (Some(next_vpc), _) => {
                self.blocker(
                    Explanation::new(
                        "TGW_RTB_CANNOT_ROUTE",
                        format!(
                            "the transit gateway sends {} to {}, whose VPC {} does not hold it",
                            packet.destination, next.id, next_vpc
                        ),
                    )
                    .component(table_component.clone())
                    .with(Role::TransitGatewayRouteTable, table_component),
                );
                None
            }
            (None, _) => Some(Arrival::Outside {
                kind: "transit-gateway-attachment",
                gateway: tgw_attachment_component(next),
                nat: None,
            }),
        }
    }

    fn through_nat(
        &mut self,
        id: &localvpc_model::NatGatewayId,
        packet: &Packet,
        target: &Target<'a>,
    ) -> Option<Arrival<'a>> {
        let model = self.index.model();
        let nat = model.any::<NatGateway>(id)?;
        let component = Component::new(
            nat.id.as_str(),
            Some(nat.scope.ec2_arn("natgateway", nat.id.as_str())),
            name_of(&nat.tags),
        );
        let eni = nat
            .network_interface_id
            .as_ref()
            .and_then(|e| model.any::<NetworkInterface>(e))?;
        let nat_vpc = model.any::<Vpc>(&nat.vpc_id)?;
        if let Some(subnet) = self.subnet(eni) {
            self.check_acl(subnet, Direction::Ingress, packet);
        }
        let private = IpAddr::V4(nat.private_ip.unwrap_or(eni.private_ip));
        let translated = packet.with_source(private);
        if self.detail {
            let mut hop = Hop::new(
                "nat-gateway",
                component.clone(),
                format!("NAT: source {} becomes {}", packet.source, private),
            );
            hop.inbound_header = Some(Header::from(packet));
            hop.outbound_header = Some(Header::from(&translated));
            self.hops.push(hop);
        }
        if nat.state != NatGatewayState::Available {
            self.blocker(
                Explanation::new("BAD_STATE", format!("{} is {}", nat.id, nat.state.as_str()))
                    .component(component.clone())
                    .with(Role::NatGateway, component.clone()),
            );
        }
        let arrival = self.route_out_of_subnet(eni, nat_vpc, &translated, target)?;
        Some(match arrival {
            Arrival::Outside { kind, gateway, .. } => Arrival::Outside {
                kind,
                gateway,
                nat: Some(nat),
            },
            other => other,
        })
    }

    /// A path to a gateway endpoint or an internet gateway must leave through that one.
    fn check_arrival(&mut self, arrival: Option<&Arrival<'a>>, target: &Target<'a>, vpc: &Vpc) {
        let (expected, arn, kind) = match target {
            Target::Service(e, _) => (
                e.id.as_str(),
                e.scope.ec2_arn("vpc-endpoint", e.id.as_str()),
                "gateway endpoint",
            ),
            Target::Internet(g, _) => (g.id.as_str(), g.arn(), "internet gateway"),
            Target::Gateway(g, _) => (g.id(), g.component.arn.clone().unwrap_or_default(), g.noun),
            Target::Interface(..) | Target::External(_) => return,
        };
        let left_through = match arrival {
            Some(Arrival::Outside { gateway, .. }) => Some(gateway.id.as_str()),
            _ => None,
        };
        if left_through == Some(expected) || (arrival.is_none() && !self.explanations.is_empty()) {
            return;
        }
        let destination = Component::new(expected, Some(arn), None);
        self.blocker(
            Explanation::new(
                "NO_ROUTE_TO_DESTINATION",
                format!(
                    "the packet does not leave through the {kind} {expected}{}",
                    left_through
                        .map(|g| format!(" (the route sends it to {g})"))
                        .unwrap_or_default()
                ),
            )
            .with(Role::Destination, destination)
            .with(Role::Vpc, self.vpc_component(&vpc.id))
            .fix(format!(
                "route the destination to {expected} in the source subnet's route table"
            )),
        );
    }

    /// The reply, from where the forward walk arrived back to the source.
    fn return_path(
        &mut self,
        arrival: &Arrival<'a>,
        source: &'a NetworkInterface,
        forward: &Packet,
    ) {
        let model = self.index.model();
        match arrival {
            Arrival::Balanced {
                endpoint,
                balancer,
                target,
                inner,
            } => {
                // The target answers the balancer inside the target's VPC…
                let reply = inner.reply();
                match target {
                    // To the balancer's own address: routed back like any reply.
                    Some(target) if reply.destination == IpAddr::V4(balancer.private_ip) => {
                        self.reply_leaves(target, &reply);
                        if let Some(vpc) = model.any::<Vpc>(&target.vpc_id) {
                            let back = Target::Interface(balancer, reply.destination);
                            self.route_out_of_subnet(target, vpc, &reply, &back);
                        }
                    }
                    // To the client's preserved address, or from an address no interface
                    // holds: the balancer tracks the flow and takes the reply back; the
                    // subnets' ACLs still see it.
                    target => {
                        if let Some(target) = target {
                            self.reply_leaves(target, &reply);
                        }
                        let from = match target {
                            Some(t) => self.subnet(t),
                            None => self.index.subnet_holding(&balancer.vpc_id, reply.source),
                        };
                        if let Some(from) = from.filter(|s| s.id != balancer.subnet_id) {
                            self.check_acl(from, Direction::Egress, &reply);
                            if let Some(to) = self.subnet(balancer) {
                                self.check_acl(to, Direction::Ingress, &reply);
                            }
                        }
                    }
                }
                // …and the balancer (or the endpoint, through PrivateLink) answers the source.
                let reply = forward.reply();
                let front = endpoint.unwrap_or(balancer);
                if self.detail {
                    let detail = match endpoint {
                        Some(e) => format!("back through PrivateLink: the reply leaves {}", e.id),
                        None => format!("the balancer answers: the reply leaves {}", front.id),
                    };
                    self.hops.push(Hop::new(
                        "network-interface",
                        Self::eni_component(front),
                        detail,
                    ));
                }
                if let Some(vpc) = model.any::<Vpc>(&front.vpc_id) {
                    let back = Target::Interface(source, reply.destination);
                    self.route_out_of_subnet(front, vpc, &reply, &back);
                }
            }
            Arrival::Interface(eni) => {
                // A reply from the address the packet arrived at, to the source address.
                let reply = forward.reply();
                self.reply_leaves(eni, &reply);
                let Some(vpc) = model.any::<Vpc>(&eni.vpc_id) else {
                    return;
                };
                let back = Target::Interface(source, reply.destination);
                self.route_out_of_subnet(eni, vpc, &reply, &back);
            }
            Arrival::Outside { kind, gateway, nat } => {
                let reply_to_source = forward.reply();
                if self.detail {
                    self.hops
                        .push(Hop::new(kind, gateway.clone(), "the reply comes back"));
                }
                let reply = reply_to_source;
                if let Some(nat) = nat
                    && let Some(eni) = nat
                        .network_interface_id
                        .as_ref()
                        .and_then(|e| model.any::<NetworkInterface>(e))
                {
                    let private = IpAddr::V4(nat.private_ip.unwrap_or(eni.private_ip));
                    let to_nat = reply.with_destination(private);
                    if let Some(subnet) = self.subnet(eni) {
                        self.check_acl(subnet, Direction::Ingress, &to_nat);
                    }
                    let component = Component::new(
                        nat.id.as_str(),
                        Some(nat.scope.ec2_arn("natgateway", nat.id.as_str())),
                        name_of(&nat.tags),
                    );
                    if self.detail {
                        let mut hop = Hop::new(
                            "nat-gateway",
                            component,
                            format!("NAT: destination {private} becomes {}", reply.destination),
                        );
                        hop.inbound_header = Some(Header::from(&to_nat));
                        hop.outbound_header = Some(Header::from(&reply));
                        self.hops.push(hop);
                    }
                    // From the NAT's subnet back to the source: its ACL, its routes.
                    if let Some(vpc) = model.any::<Vpc>(&nat.vpc_id) {
                        let back = Target::Interface(source, reply.destination);
                        self.route_out_of_subnet(eni, vpc, &reply, &back);
                        return;
                    }
                }
                self.deliver(source, &reply, false);
            }
        }
    }
}

fn service_component(s: &VpcEndpointServiceConfiguration) -> Component {
    Component::new(
        s.id.as_str(),
        Some(s.scope.ec2_arn("vpc-endpoint-service", s.id.as_str())),
        name_of(&s.tags),
    )
}

fn tgw_component(model: &localvpc_model::Model, tgw: &TransitGatewayId) -> Component {
    match model.any::<TransitGateway>(tgw) {
        Some(t) => Component::new(t.id.as_str(), Some(t.arn()), name_of(&t.tags)),
        None => Component::bare(tgw.as_str()),
    }
}

fn tgw_attachment_component(a: &TransitGatewayAttachment) -> Component {
    Component::new(
        a.id.as_str(),
        Some(a.scope.ec2_arn("transit-gateway-attachment", a.id.as_str())),
        name_of(&a.tags),
    )
}

/// RFC 1918 space (an internet gateway drops traffic to it).
fn is_private(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(a) => a.is_private(),
        IpAddr::V6(_) => false,
    }
}

fn rule_label(n: u32) -> String {
    if n >= 32767 {
        "*".to_owned()
    } else {
        n.to_string()
    }
}

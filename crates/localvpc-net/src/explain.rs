//! The explanation vocabulary: components, the rule that decided at each hop, and blockers
//! with AWS's Reachability Analyzer explanation codes. `localvpc trace`, the Network
//! Insights API and (later) the data plane's logs all print these.

use crate::packet::Packet;
pub use localvpc_explain::{Stage, Step};
use localvpc_model::{IpProtocol, PortRange};
use serde::Serialize;

pub use localvpc_explain::Component;

/// How a related component stands to a hop or an explanation; the name is the field of
/// AWS's `PathComponent` / `Explanation` that carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    Vpc,
    Subnet,
    SourceVpc,
    DestinationVpc,
    AttachedTo,
    Acl,
    SecurityGroup,
    RouteTable,
    SubnetRouteTable,
    VpcPeeringConnection,
    TransitGateway,
    TransitGatewayRouteTable,
    TransitGatewayAttachment,
    NatGateway,
    InternetGateway,
    VpcEndpoint,
    VpnGateway,
    NetworkInterface,
    PrefixList,
    Destination,
    Component,
}

impl Role {
    /// The AWS wire name of the field (`acl`, `securityGroup`, …).
    pub fn wire(self) -> &'static str {
        match self {
            Self::Vpc => "vpc",
            Self::Subnet => "subnet",
            Self::SourceVpc => "sourceVpc",
            Self::DestinationVpc => "destinationVpc",
            Self::AttachedTo => "attachedTo",
            Self::Acl => "acl",
            Self::SecurityGroup => "securityGroup",
            Self::RouteTable => "routeTable",
            Self::SubnetRouteTable => "subnetRouteTable",
            Self::VpcPeeringConnection => "vpcPeeringConnection",
            Self::TransitGateway => "transitGateway",
            Self::TransitGatewayRouteTable => "transitGatewayRouteTable",
            Self::TransitGatewayAttachment => "transitGatewayAttachment",
            Self::NatGateway => "natGateway",
            Self::InternetGateway => "internetGateway",
            Self::VpcEndpoint => "vpcEndpoint",
            Self::VpnGateway => "vpnGateway",
            Self::NetworkInterface => "networkInterface",
            Self::PrefixList => "prefixList",
            Self::Destination => "destination",
            Self::Component => "component",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Related {
    pub role: Role,
    pub component: Component,
}

/// `AnalysisAclRule`: the network ACL entry that decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AclRuleRef {
    pub acl_id: String,
    pub rule_number: u32,
    pub egress: bool,
    /// `-1` for all, else the protocol number (as the EC2 API shows ACL entries).
    pub protocol: String,
    pub rule_action: &'static str,
    pub cidr: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_range: Option<PortRange>,
}

/// `AnalysisSecurityGroupRule`: the security group rule that allowed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SgRuleRef {
    pub security_group_id: String,
    pub security_group_rule_id: String,
    /// `ingress` or `egress`.
    pub direction: &'static str,
    /// `-1` for all, `tcp`, `udp`, `icmp`, … (as the EC2 API shows SG rules).
    pub protocol: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_range: Option<PortRange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix_list_id: Option<String>,
    /// The referenced group, for group-to-group rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referenced_group_id: Option<String>,
}

/// `AnalysisRouteTableRoute`: the route that matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RouteRef {
    pub route_table_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_cidr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_prefix_list_id: Option<String>,
    /// The DescribeRouteTables element naming the target (`gatewayId`, `natGatewayId`, …).
    pub target_field: &'static str,
    pub target: String,
    pub origin: &'static str,
    /// `active` or `blackhole`.
    pub state: &'static str,
}

/// `TransitGatewayRouteTableRoute`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TgwRouteRef {
    pub route_table_id: String,
    pub destination_cidr: String,
    /// `active` or `blackhole`.
    pub state: &'static str,
    /// `static` or `propagated`.
    pub route_origin: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<&'static str>,
}

/// `AnalysisPacketHeader`: a header as sets of addresses and ports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Header {
    pub protocol: IpProtocol,
    pub source_addresses: Vec<String>,
    pub destination_addresses: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub source_port_ranges: Vec<PortRange>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub destination_port_ranges: Vec<PortRange>,
}

impl From<&Packet> for Header {
    fn from(p: &Packet) -> Self {
        let ports = |r: PortRange| {
            if p.protocol.has_ports() {
                vec![r]
            } else {
                Vec::new()
            }
        };
        Self {
            protocol: p.protocol,
            source_addresses: vec![p.source.to_string()],
            destination_addresses: vec![p.destination.to_string()],
            source_port_ranges: ports(p.source_ports),
            destination_port_ranges: ports(p.destination_ports),
        }
    }
}

/// One step of a path (`PathComponent`): the resource crossed and the rule that let the
/// packet through (or, on a blocked path, the one that would have to).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hop {
    pub sequence_number: u32,
    pub component: Component,
    /// What kind of resource `component` is (`instance`, `network-interface`,
    /// `security-group`, `network-acl`, `route-table`, …).
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acl_rule: Option<AclRuleRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_group_rule: Option<SgRuleRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_table_route: Option<RouteRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transit_gateway_route_table_route: Option<TgwRouteRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbound_header: Option<Header>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbound_header: Option<Header>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
    /// Which way a security group or network ACL was crossed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// What happened here, in one sentence.
    pub detail: String,
    /// Whether this hop stops the packet (its explanations say why).
    pub blocked: bool,
}

impl Hop {
    pub(crate) fn new(kind: &'static str, component: Component, detail: impl Into<String>) -> Self {
        Self {
            sequence_number: 0,
            component,
            kind,
            related: Vec::new(),
            acl_rule: None,
            security_group_rule: None,
            route_table_route: None,
            transit_gateway_route_table_route: None,
            inbound_header: None,
            outbound_header: None,
            service_name: None,
            direction: None,
            detail: detail.into(),
            blocked: false,
        }
    }

    pub(crate) fn with(mut self, role: Role, component: Component) -> Self {
        self.related.push(Related { role, component });
        self
    }

    /// This hop as a step of an explanation (the vocabulary DNS trails share), with the
    /// rule that decided: an ACL rule number, a security group rule id, a route.
    pub fn step(&self, stage: Stage) -> Step {
        let rule = if let Some(r) = &self.acl_rule {
            Some(format!("{} rule {}", r.acl_id, r.rule_number))
        } else if let Some(r) = &self.security_group_rule {
            Some(r.security_group_rule_id.clone())
        } else if let Some(r) = &self.route_table_route {
            let destination = r
                .destination_cidr
                .as_deref()
                .or(r.destination_prefix_list_id.as_deref())
                .unwrap_or("?");
            Some(format!("{destination} -> {}", r.target))
        } else {
            self.transit_gateway_route_table_route.as_ref().map(|r| {
                format!(
                    "{} -> {}",
                    r.destination_cidr,
                    r.attachment_id.as_deref().unwrap_or(r.state)
                )
            })
        };
        Step::new(stage, self.kind, self.detail.clone())
            .component(Some(self.component.clone()))
            .rule(rule)
            .blocked(self.blocked)
    }

    /// The related component with this role, if any.
    pub fn related(&self, role: Role) -> Option<&Component> {
        self.related
            .iter()
            .find(|r| r.role == role)
            .map(|r| &r.component)
    }
}

/// Why a path is blocked, or a fact about it (`Explanation`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// AWS's explanation code (`ENI_SG_RULES_MISMATCH`, …) or one of localvpc's own,
    /// prefixed `LOCALVPC_`, for what AWS's analyser cannot see.
    pub explanation_code: &'static str,
    /// `ingress` or `egress`, where the code is about a direction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<&'static str>,
    /// Whether it was found on the return path.
    pub on_return_path: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<Component>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    /// Several security groups (`SecurityGroups`): those of an interface, none of whose rules matched.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security_groups: Vec<Component>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acl_rule: Option<AclRuleRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_table_route: Option<RouteRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transit_gateway_route_table_route: Option<TgwRouteRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cidrs: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub protocols: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_component: Option<String>,
    /// What is wrong, in one sentence.
    pub detail: String,
    /// What would fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Explanation {
    pub(crate) fn new(code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            explanation_code: code,
            direction: None,
            on_return_path: false,
            component: None,
            related: Vec::new(),
            security_groups: Vec::new(),
            acl_rule: None,
            route_table_route: None,
            transit_gateway_route_table_route: None,
            address: None,
            cidrs: Vec::new(),
            port: None,
            protocols: Vec::new(),
            state: None,
            missing_component: None,
            detail: detail.into(),
            fix: None,
        }
    }

    pub(crate) fn direction(mut self, direction: Direction) -> Self {
        self.direction = Some(direction.as_str());
        self
    }

    pub(crate) fn component(mut self, component: Component) -> Self {
        self.component = Some(component);
        self
    }

    pub(crate) fn with(mut self, role: Role, component: Component) -> Self {
        self.related.push(Related { role, component });
        self
    }

    pub(crate) fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    pub(crate) fn protocol(mut self, protocol: IpProtocol) -> Self {
        self.protocols = vec![protocol.name()];
        self
    }
}

/// Which way a packet crosses a security group or network ACL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ingress => "ingress",
            Self::Egress => "egress",
        }
    }

    pub fn is_egress(self) -> bool {
        self == Self::Egress
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hop_is_a_step_with_the_rule_that_decided() {
        let mut hop = Hop::new("network-acl", Component::bare("acl-1"), "denied by rule 50");
        hop.blocked = true;
        hop.acl_rule = Some(AclRuleRef {
            acl_id: "acl-1".to_owned(),
            rule_number: 50,
            egress: false,
            protocol: "6".to_owned(),
            rule_action: "deny",
            cidr: "0.0.0.0/0".to_owned(),
            port_range: None,
        });
        let step = hop.step(Stage::Return);
        assert_eq!(
            (
                step.stage,
                step.kind.as_str(),
                step.rule.as_deref(),
                step.blocked
            ),
            (Stage::Return, "network-acl", Some("acl-1 rule 50"), true)
        );
        assert_eq!(step.component, Some(Component::bare("acl-1")));

        let mut hop = Hop::new("route-table", Component::bare("rtb-1"), "matched");
        hop.route_table_route = Some(RouteRef {
            route_table_id: "rtb-1".to_owned(),
            destination_cidr: None,
            destination_prefix_list_id: Some("pl-61a54008".to_owned()),
            target_field: "gatewayId",
            target: "vpce-1".to_owned(),
            origin: "CreateRoute",
            state: "active",
        });
        let step = hop.step(Stage::Forward);
        assert_eq!(step.rule.as_deref(), Some("pl-61a54008 -> vpce-1"));
        assert!(!step.blocked);
    }
}

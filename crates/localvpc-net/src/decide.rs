//! The decisions: one packet against one route table, network ACL or set of security groups,
//! each answering with its verdict and the element that decided. The path search, `trace`,
//! the Network Insights API and the data plane call these and nothing else.

use crate::explain::{AclRuleRef, Direction, RouteRef, SgRuleRef};
use crate::index::{AclRule, NetIndex, PeerMatch, SgRule};
use crate::packet::{Packet, PortSet};
use ipnet::IpNet;
use localvpc_model::{
    NetworkAcl, Route, RouteDestination, RouteState, RouteTable, SecurityGroupId, Traffic,
};
use std::net::IpAddr;

/// The outcome of a security group check on one interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SgDecision {
    /// A rule of one of the groups admits the packet.
    Allowed(SgRuleRef),
    /// No rule of any group admits it; `no_rules` when the groups have no rule at all, in
    /// either direction (`SG_HAS_NO_RULES`; AWS's analyser reports a group that merely lacks
    /// rules of one direction as `ENI_SG_RULES_MISMATCH`).
    Denied {
        groups: Vec<SecurityGroupId>,
        no_rules: bool,
    },
}

impl SgDecision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Self::Allowed(_))
    }
}

/// Security groups are a union of allow rules, evaluated on the interface: ingress rules
/// match the packet's source, egress rules its destination; ports are always the
/// destination port (docs/aws-semantics.md §1.6).
pub fn security_group(
    index: &NetIndex,
    groups: &[SecurityGroupId],
    direction: Direction,
    packet: &Packet,
) -> SgDecision {
    let peer = match direction {
        Direction::Ingress => packet.source,
        Direction::Egress => packet.destination,
    };
    let mut any_rule = false;
    for group in groups {
        let Some(compiled) = index.group(group) else {
            continue;
        };
        let rules = match direction {
            Direction::Ingress => &compiled.ingress,
            Direction::Egress => &compiled.egress,
        };
        any_rule |= !compiled.ingress.is_empty() || !compiled.egress.is_empty();
        if let Some(rule) = rules
            .iter()
            .find(|r| sg_rule_matches(index, r, packet, peer))
        {
            return SgDecision::Allowed(sg_rule_ref(rule, direction));
        }
    }
    SgDecision::Denied {
        groups: groups.to_vec(),
        no_rules: !any_rule,
    }
}

fn sg_rule_matches(index: &NetIndex, rule: &SgRule, packet: &Packet, peer: IpAddr) -> bool {
    traffic_matches(rule.traffic, packet)
        && match &rule.peer {
            PeerMatch::Cidr(c) => c.contains(&peer),
            PeerMatch::PrefixList { cidrs, .. } => cidrs.iter().any(|c| c.contains(&peer)),
            PeerMatch::Group(g) => index.members(g).contains(&peer),
        }
}

/// Whether a rule's traffic takes in (some of) the packet: its protocol, a destination port
/// in the range, the ICMP type and code when the packet has them (a header that does not
/// say is any ICMP).
fn traffic_matches(traffic: Traffic, packet: &Packet) -> bool {
    traffic.protocol().matches(packet.protocol)
        && match traffic {
            Traffic::Ports { range, .. } => range.intersect(packet.destination_ports).is_some(),
            Traffic::Icmp {
                icmp_type, code, ..
            } => match packet.icmp {
                None => true,
                Some((t, c)) => icmp_type.is_none_or(|x| x == t) && code.is_none_or(|x| x == c),
            },
            Traffic::All | Traffic::Other(_) => true,
        }
}

fn sg_rule_ref(rule: &SgRule, direction: Direction) -> SgRuleRef {
    let (cidr, prefix_list_id, referenced_group_id) = match &rule.peer {
        PeerMatch::Cidr(c) => (Some(c.to_string()), None, None),
        PeerMatch::PrefixList { id, .. } => (None, Some(id.clone()), None),
        PeerMatch::Group(g) => (None, None, Some(g.to_string())),
    };
    SgRuleRef {
        security_group_id: rule.group_id.to_string(),
        security_group_rule_id: rule.rule_id.clone(),
        direction: direction.as_str(),
        protocol: rule.traffic.sg_protocol(),
        port_range: rule.traffic.port_range(),
        cidr,
        prefix_list_id,
        referenced_group_id,
    }
}

/// The outcome of a network ACL check: allowed or not, and the entry that decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AclDecision {
    pub allowed: bool,
    pub rule: AclRuleRef,
}

/// A network ACL is stateless and ordered: the lowest-numbered entry of the direction whose
/// protocol, block and ports match decides; `*` denies the rest (docs/aws-semantics.md §1.7). The block is
/// matched against the source on ingress and the destination on egress; ports are the
/// destination port either way. When the packet's ports are a range (a reply to an
/// ephemeral port), a deny entry takes its part of the range away and the next entries
/// decide the rest: the packet passes if some port of the range is allowed.
pub fn network_acl(
    index: &NetIndex,
    acl: &NetworkAcl,
    direction: Direction,
    packet: &Packet,
) -> AclDecision {
    let peer = match direction {
        Direction::Ingress => packet.source,
        Direction::Egress => packet.destination,
    };
    let rules = index
        .acl(&acl.id)
        .map(|c| match direction {
            Direction::Ingress => c.ingress.as_slice(),
            Direction::Egress => c.egress.as_slice(),
        })
        .unwrap_or(&[]);
    let mut remaining = PortSet::of(packet.destination_ports);
    let mut first_deny: Option<&AclRule> = None;
    for rule in rules {
        if rule.cidr.addr().is_ipv4() != peer.is_ipv4()
            || !rule.cidr.contains(&peer)
            || !rule.traffic.protocol().matches(packet.protocol)
        {
            continue;
        }
        let covers_all = match rule.traffic {
            Traffic::Ports { range, .. } => {
                if !remaining.overlaps(range) {
                    continue;
                }
                if !rule.allow {
                    remaining.remove(range);
                    first_deny.get_or_insert(rule);
                    if remaining.is_empty() {
                        break;
                    }
                    continue;
                }
                true
            }
            Traffic::Icmp { .. } if !traffic_matches(rule.traffic, packet) => continue,
            _ => true,
        };
        if covers_all {
            if rule.allow {
                return AclDecision {
                    allowed: true,
                    rule: acl_rule_ref(acl, rule, direction),
                };
            }
            first_deny.get_or_insert(rule);
            break;
        }
    }
    let rule = first_deny.or_else(|| rules.last());
    AclDecision {
        allowed: false,
        rule: match rule {
            Some(rule) => acl_rule_ref(acl, rule, direction),
            None => AclRuleRef {
                acl_id: acl.id.to_string(),
                rule_number: 32767,
                egress: direction.is_egress(),
                protocol: "-1".to_owned(),
                rule_action: "deny",
                cidr: "0.0.0.0/0".to_owned(),
                port_range: None,
            },
        },
    }
}

fn acl_rule_ref(acl: &NetworkAcl, rule: &AclRule, direction: Direction) -> AclRuleRef {
    AclRuleRef {
        acl_id: acl.id.to_string(),
        rule_number: rule.rule_number,
        egress: direction.is_egress(),
        protocol: rule.traffic.acl_protocol(),
        rule_action: if rule.allow { "allow" } else { "deny" },
        cidr: rule.cidr.to_string(),
        port_range: rule.traffic.port_range(),
    }
}

/// The outcome of a route lookup: the route that matched (longest prefix), or none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteDecision {
    pub route: Option<Route>,
    /// The matched block (for a prefix-list route, the list's entry that matched).
    pub matched: Option<IpNet>,
    pub state: RouteState,
    pub reference: Option<RouteRef>,
}

/// Longest-prefix match over a table's routes (`Model::lookup_route`: its own and those
/// propagated from virtual private gateways, prefix lists expanded, a CIDR route beating a
/// prefix-list route of the same length, IPv4 and IPv6 apart; docs/aws-semantics.md §1.5), and the state of
/// the route that matched.
pub fn route(index: &NetIndex, table: &RouteTable, destination: IpAddr) -> RouteDecision {
    // The model's longest-prefix match, with prefix lists from the snapshot's index.
    let found = index.model().lookup_route(table, destination, |list| {
        index.prefix_list(&table.scope, list).to_vec()
    });
    match found {
        Some((route, matched)) => {
            let state = index.route_state(table, &route);
            let reference = Some(route_ref(table, &route, state));
            RouteDecision {
                route: Some(route),
                matched: Some(matched),
                state,
                reference,
            }
        }
        None => RouteDecision {
            route: None,
            matched: None,
            state: RouteState::Blackhole,
            reference: None,
        },
    }
}

pub(crate) fn route_ref(table: &RouteTable, route: &Route, state: RouteState) -> RouteRef {
    let (target_field, target) = route.target.wire();
    let (destination_cidr, destination_prefix_list_id) = match &route.destination {
        RouteDestination::PrefixList(p) => (None, Some(p.clone())),
        other => (Some(other.to_string()), None),
    };
    RouteRef {
        route_table_id: table.id.to_string(),
        destination_cidr,
        destination_prefix_list_id,
        target_field,
        target: target.to_owned(),
        origin: route.origin.as_str(),
        state: state.as_str(),
    }
}

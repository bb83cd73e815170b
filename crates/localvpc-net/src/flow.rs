//! Where VPC flow logs see a connection: the network interfaces its packets leave and
//! enter, each with the action its security groups and network ACLs took there. Read off
//! the hops of one path search, so a flow log record and `localvpc trace` tell the same
//! story: the rule a record names is the rule the trace shows.

use crate::explain::{Direction, Hop, Role};
use crate::path::Analysis;
use std::net::IpAddr;

/// One direction of a connection at one interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sighting {
    /// The interface (`eni-…`).
    pub interface: String,
    /// Its subnet.
    pub subnet: Option<String>,
    /// Egress: the packets leave the interface; ingress: they arrive at it.
    pub direction: Direction,
    /// The packets of the reply (server to client) rather than of the request.
    pub reply: bool,
    /// Whether the interface's security groups and its subnet's ACL let them through.
    pub accepted: bool,
    /// The rule that decided (a security group rule id, `acl-… rule N`), when one did.
    pub decided_by: Option<String>,
    pub source: IpAddr,
    pub destination: IpAddr,
    /// The ports, where the hop names one (not a range such as the ephemeral ports).
    pub source_port: Option<u16>,
    pub destination_port: Option<u16>,
}

/// The interfaces a connection's packets cross, request first, then (when the request got
/// through) the reply. Needs the hops of [`crate::analyze`]; a [`crate::verdict`] has none.
///
/// A load balancer's own interfaces are left out: AWS does not log the hop between an
/// interface endpoint and a balancer, and localvpc does not log the balancer's side at all.
pub fn sightings(analysis: &Analysis) -> Vec<Sighting> {
    let mut out = Vec::new();
    walk(&analysis.forward_path_components, false, &mut out);
    let request_delivered = !analysis.explanations.iter().any(|e| !e.on_return_path);
    if request_delivered {
        walk(&analysis.return_path_components, true, &mut out);
    }
    out
}

/// A decision waiting for the arrival it is about (ingress is decided before the packet
/// reaches the interface): keyed by the interface (security groups) or subnet (ACL).
struct Pending {
    key: String,
    blocked: bool,
    rule: Option<String>,
}

fn walk(hops: &[Hop], reply: bool, out: &mut Vec<Sighting>) {
    let first = out.len();
    let mut pending: Vec<Pending> = Vec::new();
    for hop in hops {
        match hop.kind {
            "network-interface" => {
                // A load balancer's own interfaces are not logged (docs/aws-choices.md).
                if hop
                    .related(Role::AttachedTo)
                    .is_some_and(|c| c.id.starts_with("arn:aws:elasticloadbalancing:"))
                {
                    continue;
                }
                let id = hop.component.id.clone();
                let header = hop.outbound_header.as_ref().or(hop.inbound_header.as_ref());
                let leaving = hop.outbound_header.is_some() || header.is_none();
                let single = |ranges: &[crate::PortRange]| {
                    ranges
                        .first()
                        .filter(|r| r.from() == r.to())
                        .map(|r| r.from())
                };
                let addresses = match header {
                    Some(h) => h
                        .source_addresses
                        .first()
                        .and_then(|a| a.parse().ok())
                        .zip(h.destination_addresses.first().and_then(|a| a.parse().ok()))
                        .map(|(s, d)| {
                            (
                                s,
                                d,
                                single(&h.source_port_ranges),
                                single(&h.destination_port_ranges),
                            )
                        }),
                    // A reply's hop without a header: the request seen at this interface,
                    // turned around.
                    None => out
                        .get(..first)
                        .unwrap_or_default()
                        .iter()
                        .find(|s| s.interface == id)
                        .map(|s| (s.destination, s.source, s.destination_port, s.source_port)),
                };
                let Some((source, destination, source_port, destination_port)) = addresses else {
                    continue;
                };
                let subnet = hop.related(Role::Subnet).map(|c| c.id.clone());
                let mut sighting = Sighting {
                    interface: id.clone(),
                    subnet: subnet.clone(),
                    direction: if leaving {
                        Direction::Egress
                    } else {
                        Direction::Ingress
                    },
                    reply,
                    accepted: true,
                    decided_by: None,
                    source,
                    destination,
                    source_port,
                    destination_port,
                };
                if !leaving {
                    pending.retain(|p| {
                        let mine = p.key == id || Some(&p.key) == subnet.as_ref();
                        if mine {
                            sighting.accepted &= !p.blocked;
                            if p.blocked || sighting.decided_by.is_none() {
                                sighting.decided_by.clone_from(&p.rule);
                            }
                        }
                        !mine
                    });
                }
                out.push(sighting);
            }
            "security-group" | "network-acl" => {
                let Some(direction) = hop.direction else {
                    continue;
                };
                let key = if hop.kind == "security-group" {
                    hop.related(Role::AttachedTo).map(|c| c.id.clone())
                } else {
                    hop.related(Role::Subnet).map(|c| c.id.clone())
                };
                let Some(key) = key else { continue };
                let rule = rule_of(hop);
                match direction {
                    Direction::Ingress => pending.push(Pending {
                        key,
                        blocked: hop.blocked,
                        rule,
                    }),
                    Direction::Egress => {
                        let by_security_group = hop.kind == "security-group";
                        if let Some(s) = out
                            .get_mut(first..)
                            .unwrap_or_default()
                            .iter_mut()
                            .rev()
                            .find(|s| {
                                s.direction == Direction::Egress
                                    && if by_security_group {
                                        s.interface == key
                                    } else {
                                        s.subnet.as_deref() == Some(key.as_str())
                                    }
                            })
                        {
                            if hop.blocked {
                                s.accepted = false;
                                s.decided_by = rule;
                            } else if s.decided_by.is_none() {
                                s.decided_by = rule;
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn rule_of(hop: &Hop) -> Option<String> {
    if let Some(r) = &hop.security_group_rule {
        return Some(r.security_group_rule_id.clone());
    }
    if hop.kind == "security-group" && hop.blocked {
        let direction = hop.direction.map_or("", Direction::as_str);
        return Some(format!(
            "{} (no {direction} rule of the interface's groups allows it)",
            hop.component.id
        ));
    }
    hop.acl_rule
        .as_ref()
        .map(|r| format!("{} rule {}", r.acl_id, r.rule_number))
}

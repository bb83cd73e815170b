//! Network ACLs. Every VPC has a default ACL, and every subnet is associated with exactly
//! one ACL at all times (the default one unless replaced). Rules are stateless, numbered
//! 1–32766, evaluated in ascending order, first match wins, and the `*` rule denies (§1.7).
//! Entries hold an IPv4 or an IPv6 block; in a VPC with IPv6 each direction ends with two
//! `*` rules, one per family.

use crate::cidr::{Ipv4Cidr, Ipv6Cidr};
use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::error::ModelError;
use crate::id::{NetworkAclAssociationId, NetworkAclId, SubnetId, VpcId};
use crate::model::Txn;
use crate::resource::{Resource, ResourceRef};
use crate::scope::Scope;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr};

/// The catch-all rule that ends each direction.
pub(crate) const CATCH_ALL_RULE: u16 = 32767;
/// The IPv6 catch-all rule (AWS numbers it 32768; both show as `*`).
pub(crate) const CATCH_ALL_RULE_V6: u16 = 32768;
/// The rule AWS adds to the default ACL to allow all IPv6 traffic.
pub(crate) const DEFAULT_ALLOW_RULE_V6: u16 = 101;
/// AWS's default quota of rules per direction (the `*` rule not counted).
pub(crate) const MAX_ENTRIES_PER_DIRECTION: usize = 20;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkAcl {
    pub id: NetworkAclId,
    pub scope: Scope,
    pub vpc_id: VpcId,
    pub is_default: bool,
    pub entries: Vec<NetworkAclEntry>,
    pub associations: Vec<NetworkAclAssociation>,
    pub tags: Tags,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkAclEntry {
    /// 1–32766; 32767 is the immutable `*` rule.
    pub rule_number: u16,
    pub egress: bool,
    /// `-1` for all, or an IP protocol number as a string (`6` TCP, `17` UDP, `1` ICMP).
    pub protocol: String,
    pub action: RuleAction,
    /// An IPv4 (`cidrBlock`) or IPv6 (`ipv6CidrBlock`) block. Stored as text either way,
    /// so entries written before IPv6 existed read back unchanged.
    pub cidr: IpNet,
    /// For TCP and UDP.
    #[serde(default)]
    pub port_range: Option<(u16, u16)>,
    /// For ICMP: (type, code), −1 = any.
    #[serde(default)]
    pub icmp: Option<(i32, i32)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleAction {
    Allow,
    Deny,
}

impl RuleAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Deny => "deny",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "allow" => Some(Self::Allow),
            "deny" => Some(Self::Deny),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkAclAssociation {
    pub id: NetworkAclAssociationId,
    pub subnet_id: SubnetId,
}

/// CreateNetworkAclEntry / ReplaceNetworkAclEntry input, as decoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkAclEntrySpec {
    pub rule_number: i64,
    pub egress: bool,
    pub protocol: String,
    pub action: RuleAction,
    pub cidr: IpNet,
    pub port_range: Option<(i64, i64)>,
    pub icmp: Option<(i64, i64)>,
}

impl NetworkAcl {
    /// The default ACL's entries: rule 100 allows all, `*` denies, both directions (spec §1.7).
    pub(crate) fn default_entries() -> Vec<NetworkAclEntry> {
        let mut entries = Vec::new();
        for egress in [false, true] {
            entries.push(NetworkAclEntry::all(100, egress, RuleAction::Allow));
            entries.push(NetworkAclEntry::all(
                CATCH_ALL_RULE,
                egress,
                RuleAction::Deny,
            ));
        }
        entries
    }

    /// Whether a rule number is one of the immutable `*` rules.
    pub fn is_catch_all(rule_number: u16) -> bool {
        rule_number == CATCH_ALL_RULE || rule_number == CATCH_ALL_RULE_V6
    }

    /// What AWS adds when the VPC gets an IPv6 block: the IPv6 `*` deny in each direction
    /// and, in the default ACL, rule 101 allowing `::/0` in each direction whose rules are
    /// still the default ones (VPC User Guide, "Default network ACL").
    pub(crate) fn add_ipv6_defaults(&mut self) {
        for egress in [false, true] {
            let numbered: Vec<&NetworkAclEntry> = self
                .entries
                .iter()
                .filter(|e| e.egress == egress && !Self::is_catch_all(e.rule_number))
                .collect();
            let unmodified = numbered.len() == 1
                && numbered
                    .first()
                    .is_some_and(|e| **e == NetworkAclEntry::all(100, egress, RuleAction::Allow));
            if self.is_default && unmodified {
                self.entries.push(NetworkAclEntry::all_v6(
                    DEFAULT_ALLOW_RULE_V6,
                    egress,
                    RuleAction::Allow,
                ));
            }
            let has_v6_star = self
                .entries
                .iter()
                .any(|e| e.egress == egress && e.rule_number == CATCH_ALL_RULE_V6);
            if !has_v6_star {
                self.entries.push(NetworkAclEntry::all_v6(
                    CATCH_ALL_RULE_V6,
                    egress,
                    RuleAction::Deny,
                ));
            }
        }
        self.entries.sort_by_key(|e| (e.egress, e.rule_number));
    }

    /// The first entry (in rule-number order) of a direction that matches a packet: the
    /// decision and the rule that made it. The `*` rule always matches.
    pub fn evaluate(
        &self,
        egress: bool,
        protocol: u8,
        port: Option<u16>,
        peer: IpAddr,
    ) -> &NetworkAclEntry {
        let mut candidates: Vec<&NetworkAclEntry> = self
            .entries
            .iter()
            .filter(|e| e.egress == egress && e.cidr.addr().is_ipv4() == peer.is_ipv4())
            .collect();
        candidates.sort_by_key(|e| e.rule_number);
        let matching = candidates
            .iter()
            .copied()
            .find(|e| e.matches(protocol, port, peer));
        // INVARIANT: each direction holds its `*` rule, which matches everything.
        matching
            .or_else(|| candidates.last().copied())
            .unwrap_or(&CATCH_ALL_DENY)
    }
}

static CATCH_ALL_DENY: NetworkAclEntry = NetworkAclEntry {
    rule_number: CATCH_ALL_RULE,
    egress: false,
    protocol: String::new(),
    action: RuleAction::Deny,
    cidr: IpNet::V4(Ipv4Cidr::new_assert(Ipv4Addr::UNSPECIFIED, 0)),
    port_range: None,
    icmp: None,
};

impl NetworkAclEntry {
    fn all(rule_number: u16, egress: bool, action: RuleAction) -> Self {
        Self {
            rule_number,
            egress,
            protocol: "-1".to_owned(),
            action,
            cidr: IpNet::V4(Ipv4Cidr::default()),
            port_range: None,
            icmp: None,
        }
    }

    fn all_v6(rule_number: u16, egress: bool, action: RuleAction) -> Self {
        Self {
            cidr: IpNet::V6(Ipv6Cidr::default()),
            ..Self::all(rule_number, egress, action)
        }
    }

    fn matches(&self, protocol: u8, port: Option<u16>, peer: IpAddr) -> bool {
        if NetworkAcl::is_catch_all(self.rule_number) {
            return true;
        }
        let protocol_ok = self.protocol == "-1" || self.protocol == protocol.to_string();
        let port_ok = match (self.port_range, port) {
            (Some((from, to)), Some(p)) => (from..=to).contains(&p),
            (Some(_), None) => false,
            (None, _) => true,
        };
        protocol_ok && port_ok && self.cidr.contains(&peer)
    }
}

/// Protocol names AWS accepts for NACL entries, as the numbers it stores.
fn normalize_protocol(p: &str) -> Result<String, ModelError> {
    Ok(match p.to_ascii_lowercase().as_str() {
        "-1" | "all" => "-1".to_owned(),
        "tcp" | "6" => "6".to_owned(),
        "udp" | "17" => "17".to_owned(),
        "icmp" | "1" => "1".to_owned(),
        "icmpv6" | "58" => "58".to_owned(),
        n if n.parse::<u8>().is_ok() => n.to_owned(),
        _ => {
            return Err(ModelError::invalid_value(format!(
                "Invalid value '{p}' for protocol"
            )));
        }
    })
}

impl Txn<'_, '_> {
    pub(crate) fn create_network_acl(
        &mut self,
        vpc_id: &VpcId,
        specs: &[TagSpecification],
    ) -> Result<NetworkAcl, ModelError> {
        let has_ipv6 = self
            .model
            .vpc(self.ctx.scope, vpc_id)?
            .associated_ipv6_cidrs()
            .next()
            .is_some();
        let id = NetworkAclId::generate(self.ctx.ids);
        let tags = tags_for(specs, "network-acl", id.as_str())?;
        let entries = vec![
            NetworkAclEntry::all(CATCH_ALL_RULE, false, RuleAction::Deny),
            NetworkAclEntry::all(CATCH_ALL_RULE, true, RuleAction::Deny),
        ];
        let mut acl = NetworkAcl {
            id,
            scope: self.ctx.scope.clone(),
            vpc_id: vpc_id.clone(),
            is_default: false,
            entries,
            associations: Vec::new(),
            tags,
        };
        if has_ipv6 {
            acl.add_ipv6_defaults();
        }
        self.put(Resource::NetworkAcl(acl.clone()));
        Ok(acl)
    }

    pub(crate) fn delete_network_acl(&mut self, id: &NetworkAclId) -> Result<(), ModelError> {
        let acl = self.model.network_acl(self.ctx.scope, id)?;
        if acl.is_default {
            return Err(ModelError::invalid_value(format!(
                "cannot delete default network ACL {id}"
            )));
        }
        if !acl.associations.is_empty() {
            return Err(ModelError::dependency(format!(
                "The networkAcl '{id}' has dependencies and cannot be deleted."
            )));
        }
        self.delete(ResourceRef::NetworkAcl(id.clone()));
        Ok(())
    }

    /// Checks an entry as AWS does and converts it to the stored form.
    fn entry_from(spec: &NetworkAclEntrySpec) -> Result<NetworkAclEntry, ModelError> {
        let rule_number = u16::try_from(spec.rule_number)
            .ok()
            .filter(|n| (1..CATCH_ALL_RULE).contains(n))
            .ok_or_else(|| {
                ModelError::invalid_value(format!(
                    "Invalid value '{}' for ruleNumber. It must be between 1 and 32766.",
                    spec.rule_number
                ))
            })?;
        let protocol = normalize_protocol(&spec.protocol)?;
        let port_range = match (protocol.as_str(), spec.port_range) {
            ("6" | "17", None) => {
                return Err(ModelError::missing(
                    "The request must contain the parameter portRange",
                ));
            }
            ("6" | "17", Some((from, to))) => {
                let (Ok(from), Ok(to)) = (u16::try_from(from), u16::try_from(to)) else {
                    return Err(ModelError::invalid_value(
                        "Invalid value for portRange: ports must be 0–65535",
                    ));
                };
                if from > to {
                    return Err(ModelError::invalid_value(
                        "Invalid value for portRange: from must not exceed to",
                    ));
                }
                Some((from, to))
            }
            _ => None,
        };
        // ICMP needs a type and code, and so does ICMPv6 with an IPv6 block (the model's
        // CreateNetworkAclEntry.IcmpTypeCode).
        let icmp_protocol = protocol == "1" || (protocol == "58" && spec.cidr.addr().is_ipv6());
        let icmp = match (icmp_protocol, spec.icmp) {
            (true, None) => {
                return Err(ModelError::missing(
                    "The request must contain the parameter icmpTypeCode",
                ));
            }
            (true, Some((t, c))) => {
                let (Ok(t), Ok(c)) = (i32::try_from(t), i32::try_from(c)) else {
                    return Err(ModelError::invalid_value("Invalid value for icmpTypeCode"));
                };
                Some((t, c))
            }
            _ => None,
        };
        Ok(NetworkAclEntry {
            rule_number,
            egress: spec.egress,
            protocol,
            action: spec.action,
            cidr: spec.cidr,
            port_range,
            icmp,
        })
    }

    pub(crate) fn create_network_acl_entry(
        &mut self,
        id: &NetworkAclId,
        spec: &NetworkAclEntrySpec,
    ) -> Result<(), ModelError> {
        let mut acl = self.model.network_acl(self.ctx.scope, id)?.clone();
        let entry = Self::entry_from(spec)?;
        if acl
            .entries
            .iter()
            .any(|e| e.egress == entry.egress && e.rule_number == entry.rule_number)
        {
            return Err(ModelError::AclEntryAlreadyExists {
                rule_number: entry.rule_number,
            });
        }
        let in_direction = acl
            .entries
            .iter()
            .filter(|e| e.egress == entry.egress && !NetworkAcl::is_catch_all(e.rule_number))
            .count();
        if in_direction >= MAX_ENTRIES_PER_DIRECTION {
            return Err(ModelError::AclEntryLimitExceeded);
        }
        acl.entries.push(entry);
        acl.entries.sort_by_key(|e| (e.egress, e.rule_number));
        self.put(Resource::NetworkAcl(acl));
        Ok(())
    }

    pub(crate) fn replace_network_acl_entry(
        &mut self,
        id: &NetworkAclId,
        spec: &NetworkAclEntrySpec,
    ) -> Result<(), ModelError> {
        let mut acl = self.model.network_acl(self.ctx.scope, id)?.clone();
        let entry = Self::entry_from(spec)?;
        let Some(slot) = acl
            .entries
            .iter_mut()
            .find(|e| e.egress == entry.egress && e.rule_number == entry.rule_number)
        else {
            return Err(ModelError::AclEntryNotFound {
                rule_number: entry.rule_number,
                egress: entry.egress,
            });
        };
        *slot = entry;
        self.put(Resource::NetworkAcl(acl));
        Ok(())
    }

    pub(crate) fn delete_network_acl_entry(
        &mut self,
        id: &NetworkAclId,
        rule_number: i64,
        egress: bool,
    ) -> Result<(), ModelError> {
        let mut acl = self.model.network_acl(self.ctx.scope, id)?.clone();
        let number = u16::try_from(rule_number)
            .ok()
            .filter(|n| (1..CATCH_ALL_RULE).contains(n));
        let Some(number) = number else {
            return Err(ModelError::invalid_value(format!(
                "Invalid value '{rule_number}' for ruleNumber. It must be between 1 and 32766."
            )));
        };
        let before = acl.entries.len();
        acl.entries
            .retain(|e| !(e.egress == egress && e.rule_number == number));
        if acl.entries.len() == before {
            return Err(ModelError::AclEntryNotFound {
                rule_number: number,
                egress,
            });
        }
        self.put(Resource::NetworkAcl(acl));
        Ok(())
    }

    /// Moves a subnet's association to another ACL of the same VPC.
    pub(crate) fn replace_network_acl_association(
        &mut self,
        association_id: &str,
        new_acl_id: &NetworkAclId,
    ) -> Result<NetworkAclAssociationId, ModelError> {
        let scope = self.ctx.scope;
        let mut old = self
            .model
            .network_acls(scope)
            .find(|a| {
                a.associations
                    .iter()
                    .any(|x| x.id.as_str() == association_id)
            })
            .cloned()
            .ok_or_else(|| ModelError::AssociationNotFound {
                id: association_id.to_owned(),
            })?;
        let mut new = self.model.network_acl(scope, new_acl_id)?.clone();
        if new.vpc_id != old.vpc_id {
            return Err(ModelError::invalid_value(format!(
                "network ACL {new_acl_id} and association {association_id} belong to different networks"
            )));
        }
        let Some(index) = old
            .associations
            .iter()
            .position(|x| x.id.as_str() == association_id)
        else {
            return Err(ModelError::AssociationNotFound {
                id: association_id.to_owned(),
            });
        };
        let subnet_id = old.associations.remove(index).subnet_id;
        let association = NetworkAclAssociation {
            id: NetworkAclAssociationId::generate(self.ctx.ids),
            subnet_id,
        };
        let new_id = association.id.clone();
        if old.id == new.id {
            old.associations.push(association);
            self.put(Resource::NetworkAcl(old));
        } else {
            new.associations.push(association);
            self.put(Resource::NetworkAcl(old));
            self.put(Resource::NetworkAcl(new));
        }
        Ok(new_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_acl_gets_ipv6_rules_only_where_unmodified() {
        let mut acl = NetworkAcl {
            id: NetworkAclId::parse("acl-00000000000000001").unwrap(),
            scope: Scope::new(crate::AccountId::default_account(), "ap-northeast-1"),
            vpc_id: VpcId::parse("vpc-00000000000000001").unwrap(),
            is_default: true,
            entries: NetworkAcl::default_entries(),
            associations: vec![],
            tags: Tags::new(),
        };
        // Inbound modified: no rule 101 inbound, but the `*` rule all the same.
        acl.entries.retain(|e| e.egress || e.rule_number != 100);
        acl.add_ipv6_defaults();
        let numbers = |egress: bool| {
            acl.entries
                .iter()
                .filter(|e| e.egress == egress)
                .map(|e| (e.rule_number, e.cidr.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            numbers(false),
            vec![(32767, "0.0.0.0/0".into()), (32768, "::/0".into())]
        );
        assert_eq!(
            numbers(true),
            vec![
                (100, "0.0.0.0/0".into()),
                (101, "::/0".into()),
                (32767, "0.0.0.0/0".into()),
                (32768, "::/0".into())
            ]
        );
        // Idempotent.
        let before = acl.entries.clone();
        acl.add_ipv6_defaults();
        assert_eq!(acl.entries, before);
    }

    #[test]
    fn first_match_in_rule_order_wins() {
        let mut acl = NetworkAcl {
            id: NetworkAclId::parse("acl-00000000000000001").unwrap(),
            scope: Scope::new(crate::AccountId::default_account(), "ap-northeast-1"),
            vpc_id: VpcId::parse("vpc-00000000000000001").unwrap(),
            is_default: false,
            entries: NetworkAcl::default_entries(),
            associations: vec![],
            tags: Tags::new(),
        };
        let spec = |n: i64, action, cidr: &str, ports| NetworkAclEntrySpec {
            rule_number: n,
            egress: false,
            protocol: "tcp".into(),
            action,
            cidr: cidr.parse().unwrap(),
            port_range: ports,
            icmp: None,
        };
        acl.entries.push(
            Txn::entry_from(&spec(90, RuleAction::Deny, "10.9.0.0/16", Some((22, 22)))).unwrap(),
        );
        acl.entries.sort_by_key(|e| (e.egress, e.rule_number));
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            acl.evaluate(false, 6, Some(22), ip("10.9.1.1")).rule_number,
            90
        );
        assert_eq!(
            acl.evaluate(false, 6, Some(443), ip("10.9.1.1"))
                .rule_number,
            100
        );
        assert_eq!(
            acl.evaluate(false, 17, Some(22), ip("10.9.1.1")).action,
            RuleAction::Allow
        );
        acl.entries.retain(|e| e.rule_number != 100);
        let last = acl.evaluate(false, 6, Some(443), ip("1.1.1.1"));
        assert_eq!(
            (last.rule_number, last.action),
            (CATCH_ALL_RULE, RuleAction::Deny)
        );
        assert!(Txn::entry_from(&spec(0, RuleAction::Allow, "0.0.0.0/0", Some((1, 2)))).is_err());
        assert!(
            Txn::entry_from(&spec(32767, RuleAction::Allow, "0.0.0.0/0", Some((1, 2)))).is_err()
        );
        // IPv6 peers see only IPv6 entries: with none but the `*` rules, they are denied.
        acl.add_ipv6_defaults();
        let v6 = acl.evaluate(false, 6, Some(443), ip("2001:db8::1"));
        assert_eq!(
            (v6.rule_number, v6.action),
            (CATCH_ALL_RULE_V6, RuleAction::Deny)
        );
        acl.entries.push(
            Txn::entry_from(&spec(
                120,
                RuleAction::Allow,
                "2001:db8::/32",
                Some((443, 443)),
            ))
            .unwrap(),
        );
        acl.entries.sort_by_key(|e| (e.egress, e.rule_number));
        assert_eq!(
            acl.evaluate(false, 6, Some(443), ip("2001:db8::1"))
                .rule_number,
            120
        );
        assert_eq!(
            acl.evaluate(false, 6, Some(443), ip("10.9.1.1"))
                .rule_number,
            CATCH_ALL_RULE
        );
        assert_eq!(
            Txn::entry_from(&spec(5, RuleAction::Allow, "0.0.0.0/0", None))
                .unwrap_err()
                .code(),
            "MissingParameter"
        );
    }
}

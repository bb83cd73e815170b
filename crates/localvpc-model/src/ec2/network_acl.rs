//! Network ACLs. Every VPC has a default ACL, and every subnet is associated with exactly
//! one ACL at all times (the default one unless replaced). Rules are stateless, numbered
//! 1–32766, evaluated in ascending order, first match wins, and the `*` rule denies (docs/aws-semantics.md §1.7).
//! Entries hold an IPv4 or an IPv6 block; in a VPC with IPv6 each direction ends with two
//! `*` rules, one per family.

use crate::cidr::{Ipv4Cidr, Ipv6Cidr};
use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::ec2::traffic::{IcmpVersion, PortRange, RuleProtocol, Traffic};
use crate::ec2::vpc::Vpc;
use crate::error::ModelError;
use crate::id::{NetworkAclAssociationId, NetworkAclId, SubnetId, VpcId};
use crate::resource::{Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

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
#[serde(try_from = "StoredEntry", into = "StoredEntry")]
pub struct NetworkAclEntry {
    /// 1–32766; 32767 (and 32768 for IPv6) is the immutable `*` rule.
    pub rule_number: u16,
    pub egress: bool,
    pub traffic: Traffic,
    pub action: RuleAction,
    /// An IPv4 (`cidrBlock`) or IPv6 (`ipv6CidrBlock`) block.
    pub cidr: IpNet,
}

impl NetworkAclEntry {
    /// `IcmpTypeCode` as the API shows it (−1 = any): for ICMP, and for ICMPv6 on an IPv6
    /// block. ICMPv6 on an IPv4 block is taken without a type and code
    /// (`CreateNetworkAclEntry.IcmpTypeCode` is required only with an IPv6 block) and
    /// shows none.
    pub fn icmp_type_code(&self) -> Option<(i32, i32)> {
        match self.traffic {
            Traffic::Icmp {
                version: IcmpVersion::V6,
                ..
            } if self.cidr.addr().is_ipv4() => None,
            traffic => traffic.icmp_type_code(),
        }
    }
}

/// An entry as the store holds it (format 1, docs/storage-format.md): the protocol number
/// as text, the port range and the ICMP type and code as pairs. Entries written by any
/// earlier build read back (the last two may be absent); this shape must not change
/// without a format bump.
#[derive(Serialize, Deserialize)]
struct StoredEntry {
    rule_number: u16,
    egress: bool,
    protocol: String,
    action: RuleAction,
    /// Text either way, so entries written before IPv6 existed read back unchanged.
    cidr: IpNet,
    #[serde(default)]
    port_range: Option<(u16, u16)>,
    #[serde(default)]
    icmp: Option<(i32, i32)>,
}

impl From<NetworkAclEntry> for StoredEntry {
    fn from(entry: NetworkAclEntry) -> Self {
        Self {
            rule_number: entry.rule_number,
            egress: entry.egress,
            protocol: entry.traffic.acl_protocol(),
            action: entry.action,
            cidr: entry.cidr,
            port_range: entry.traffic.port_range().map(|r| (r.from(), r.to())),
            icmp: entry.icmp_type_code(),
        }
    }
}

impl TryFrom<StoredEntry> for NetworkAclEntry {
    type Error = String;

    /// Earlier builds stored what `traffic_of`'s predecessor let through, which is a little
    /// more than it lets through now, and matched it as follows, so it reads back meaning
    /// the same: TCP or UDP spelled as an odd number (`06`), stored without a range, is all
    /// ports; ICMP without a type and code, or with a type or code outside −1..=255, is any.
    fn try_from(stored: StoredEntry) -> Result<Self, String> {
        let protocol = RuleProtocol::parse(&stored.protocol).ok_or_else(|| {
            format!(
                "network ACL entry {}: unknown protocol `{}`",
                stored.rule_number, stored.protocol
            )
        })?;
        let traffic = match (Traffic::whole(protocol), stored.port_range, stored.icmp) {
            (Traffic::Ports { protocol, .. }, Some((from, to)), _) => {
                let range = PortRange::new(from, to).ok_or_else(|| {
                    format!(
                        "network ACL entry {}: invalid port range {from}-{to}",
                        stored.rule_number
                    )
                })?;
                Traffic::Ports { protocol, range }
            }
            (Traffic::Icmp { version, .. }, _, Some((t, c))) => {
                let part = |v: i32| u8::try_from(v).ok();
                Traffic::Icmp {
                    version,
                    icmp_type: part(t),
                    code: part(c),
                }
            }
            (whole, _, _) => whole,
        };
        Ok(Self {
            rule_number: stored.rule_number,
            egress: stored.egress,
            traffic,
            action: stored.action,
            cidr: stored.cidr,
        })
    }
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

/// CreateNetworkAclEntry / ReplaceNetworkAclEntry input, as decoded. The model checks it
/// as AWS does (`traffic_of`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkAclEntrySpec {
    pub rule_number: i64,
    pub egress: bool,
    /// `Protocol`: `-1`/`all`, `tcp`, `udp`, `icmp`, `icmpv6` or a number, any case.
    pub protocol: String,
    pub action: RuleAction,
    pub cidr: IpNet,
    /// `PortRange.From`, `PortRange.To`.
    pub port_range: Option<(i64, i64)>,
    /// `Icmp.Type`, `Icmp.Code` (−1 = any).
    pub icmp: Option<(i64, i64)>,
}

impl NetworkAcl {
    /// The default ACL's entries: rule 100 allows all, `*` denies, both directions (docs/aws-semantics.md §1.7).
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
}

impl NetworkAclEntry {
    fn all(rule_number: u16, egress: bool, action: RuleAction) -> Self {
        Self {
            rule_number,
            egress,
            traffic: Traffic::All,
            action,
            cidr: IpNet::V4(Ipv4Cidr::default()),
        }
    }

    fn all_v6(rule_number: u16, egress: bool, action: RuleAction) -> Self {
        Self {
            cidr: IpNet::V6(Ipv6Cidr::default()),
            ..Self::all(rule_number, egress, action)
        }
    }
}

/// An entry's protocol, port range and ICMP type and code as AWS reads them: `-1`/`all` is
/// all traffic; TCP and UDP need a `PortRange` within 0–65535; ICMP needs an `IcmpTypeCode`,
/// and so does ICMPv6 with an IPv6 block (−1 = any, else 0–255); ICMPv6 with an IPv4 block
/// is any type and code; other protocols are taken whole. What a protocol does not use is
/// ignored.
fn traffic_of(spec: &NetworkAclEntrySpec) -> Result<Traffic, ModelError> {
    let protocol = RuleProtocol::parse(&spec.protocol).ok_or_else(|| {
        ModelError::invalid_value(format!("Invalid value '{}' for protocol", spec.protocol))
    })?;
    match Traffic::whole(protocol) {
        Traffic::Ports { protocol, .. } => {
            let Some((from, to)) = spec.port_range else {
                return Err(ModelError::missing(
                    "The request must contain the parameter portRange",
                ));
            };
            let (Ok(from), Ok(to)) = (u16::try_from(from), u16::try_from(to)) else {
                return Err(ModelError::invalid_value(
                    "Invalid value for portRange: ports must be 0–65535",
                ));
            };
            let Some(range) = PortRange::new(from, to) else {
                return Err(ModelError::invalid_value(
                    "Invalid value for portRange: from must not exceed to",
                ));
            };
            Ok(Traffic::Ports { protocol, range })
        }
        Traffic::Icmp {
            version: IcmpVersion::V6,
            ..
        } if spec.cidr.addr().is_ipv4() => Ok(Traffic::whole(protocol)),
        Traffic::Icmp { version, .. } => {
            let Some((icmp_type, code)) = spec.icmp else {
                return Err(ModelError::missing(
                    "The request must contain the parameter icmpTypeCode",
                ));
            };
            Traffic::icmp(version, icmp_type, code)
                .ok_or_else(|| ModelError::invalid_value("Invalid value for icmpTypeCode"))
        }
        whole => Ok(whole),
    }
}

impl Txn<'_, '_> {
    pub(crate) fn create_network_acl(
        &mut self,
        vpc_id: &VpcId,
        specs: &[TagSpecification],
    ) -> Result<NetworkAcl, ModelError> {
        let has_ipv6 = self
            .model
            .get::<Vpc>(self.ctx.scope, vpc_id)?
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
        let acl = self.model.get::<NetworkAcl>(self.ctx.scope, id)?;
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
        Ok(NetworkAclEntry {
            rule_number,
            egress: spec.egress,
            traffic: traffic_of(spec)?,
            action: spec.action,
            cidr: spec.cidr,
        })
    }

    pub(crate) fn create_network_acl_entry(
        &mut self,
        id: &NetworkAclId,
        spec: &NetworkAclEntrySpec,
    ) -> Result<(), ModelError> {
        let mut acl = self.model.get::<NetworkAcl>(self.ctx.scope, id)?.clone();
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
        let mut acl = self.model.get::<NetworkAcl>(self.ctx.scope, id)?.clone();
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
        let mut acl = self.model.get::<NetworkAcl>(self.ctx.scope, id)?.clone();
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
            .in_scope::<NetworkAcl>(scope)
            .find(|a| {
                a.associations
                    .iter()
                    .any(|x| x.id.as_str() == association_id)
            })
            .cloned()
            .ok_or_else(|| ModelError::AssociationNotFound {
                id: association_id.to_owned(),
            })?;
        let mut new = self.model.get::<NetworkAcl>(scope, new_acl_id)?.clone();
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
    use crate::ec2::traffic::{IpProtocol, OtherProtocol};

    /// Entries as the store held them before the traffic part was typed (written by that
    /// build, copied here verbatim), and what they read back as.
    #[test]
    fn entries_stored_by_earlier_builds_read_back_and_store_the_same() {
        let icmp = |version, icmp_type, code| Traffic::Icmp {
            version,
            icmp_type,
            code,
        };
        let cases = [
            (
                r#"{"rule_number":100,"egress":true,"protocol":"6","action":"Deny","cidr":"10.0.0.0/8","port_range":[22,22],"icmp":null}"#,
                Traffic::tcp(PortRange::single(22)),
            ),
            (
                r#"{"rule_number":110,"egress":false,"protocol":"17","action":"Allow","cidr":"192.0.2.0/24","port_range":[53,54],"icmp":null}"#,
                Traffic::udp(PortRange::new(53, 54).unwrap()),
            ),
            (
                r#"{"rule_number":100,"egress":true,"protocol":"1","action":"Deny","cidr":"10.0.0.0/8","port_range":null,"icmp":[8,-1]}"#,
                icmp(IcmpVersion::V4, Some(8), None),
            ),
            (
                r#"{"rule_number":100,"egress":true,"protocol":"58","action":"Deny","cidr":"2001:db8::/32","port_range":null,"icmp":[-1,-1]}"#,
                icmp(IcmpVersion::V6, None, None),
            ),
            // ICMPv6 on an IPv4 block is stored, and shown, without a type and code.
            (
                r#"{"rule_number":100,"egress":true,"protocol":"58","action":"Deny","cidr":"10.0.0.0/8","port_range":null,"icmp":null}"#,
                icmp(IcmpVersion::V6, None, None),
            ),
            (
                r#"{"rule_number":100,"egress":true,"protocol":"-1","action":"Deny","cidr":"0.0.0.0/0","port_range":null,"icmp":null}"#,
                Traffic::All,
            ),
            (
                r#"{"rule_number":100,"egress":true,"protocol":"47","action":"Deny","cidr":"::/0","port_range":null,"icmp":null}"#,
                Traffic::Other(OtherProtocol::new(IpProtocol(47)).unwrap()),
            ),
        ];
        for (old, traffic) in cases {
            let entry: NetworkAclEntry = serde_json::from_str(old).unwrap();
            assert_eq!(entry.traffic, traffic, "{old}");
            assert_eq!(serde_json::to_string(&entry).unwrap(), old);
        }
        // Entries from before port ranges and ICMP existed.
        let bare: NetworkAclEntry = serde_json::from_str(
            r#"{"rule_number":32767,"egress":false,"protocol":"-1","action":"Deny","cidr":"0.0.0.0/0"}"#,
        )
        .unwrap();
        assert_eq!(
            bare,
            NetworkAclEntry::all(CATCH_ALL_RULE, false, RuleAction::Deny)
        );
        // What an earlier build let through reads back meaning what it meant: TCP spelled
        // `06` without a range is all ports; an ICMP type outside 0–255 is any.
        let odd: NetworkAclEntry = serde_json::from_str(
            r#"{"rule_number":1,"egress":false,"protocol":"06","action":"Allow","cidr":"0.0.0.0/0","port_range":null,"icmp":null}"#,
        )
        .unwrap();
        assert_eq!(odd.traffic, Traffic::tcp(PortRange::ALL));
        let wide: NetworkAclEntry = serde_json::from_str(
            r#"{"rule_number":1,"egress":false,"protocol":"1","action":"Allow","cidr":"0.0.0.0/0","port_range":null,"icmp":[300,0]}"#,
        )
        .unwrap();
        assert_eq!(wide.traffic, icmp(IcmpVersion::V4, None, Some(0)));
    }

    #[test]
    fn entries_are_read_as_aws_reads_them() {
        let spec = |protocol: &str, cidr: &str, port_range, icmp| NetworkAclEntrySpec {
            rule_number: 100,
            egress: false,
            protocol: protocol.into(),
            action: RuleAction::Allow,
            cidr: cidr.parse().unwrap(),
            port_range,
            icmp,
        };
        let read = |protocol, cidr, ports, icmp| traffic_of(&spec(protocol, cidr, ports, icmp));
        assert_eq!(
            read("tcp", "10.0.0.0/8", Some((22, 22)), Some((1, 1))).unwrap(),
            Traffic::tcp(PortRange::single(22))
        );
        assert_eq!(
            read("all", "10.0.0.0/8", Some((1, 2)), None).unwrap(),
            Traffic::All
        );
        assert_eq!(
            read("1", "10.0.0.0/8", None, Some((255, -1))).unwrap(),
            Traffic::Icmp {
                version: IcmpVersion::V4,
                icmp_type: Some(255),
                code: None
            }
        );
        // ICMPv6 needs a type and code only with an IPv6 block.
        assert_eq!(
            read("icmpv6", "10.0.0.0/8", None, Some((1, 2))).unwrap(),
            Traffic::whole(RuleProtocol::One(IpProtocol::ICMPV6))
        );
        assert_eq!(
            read("58", "2001:db8::/32", None, None).unwrap_err().code(),
            "MissingParameter"
        );
        for (protocol, ports, icmp, code) in [
            ("banana", None, None, "InvalidParameterValue"),
            ("256", None, None, "InvalidParameterValue"),
            ("6", None, None, "MissingParameter"),
            ("udp", Some((90, 80)), None, "InvalidParameterValue"),
            ("udp", Some((-1, 80)), None, "InvalidParameterValue"),
            ("udp", Some((1, 65536)), None, "InvalidParameterValue"),
            ("icmp", None, None, "MissingParameter"),
            ("icmp", None, Some((256, 0)), "InvalidParameterValue"),
            ("icmp", None, Some((0, -2)), "InvalidParameterValue"),
        ] {
            assert_eq!(
                read(protocol, "10.0.0.0/8", ports, icmp)
                    .unwrap_err()
                    .code(),
                code,
                "{protocol} {ports:?} {icmp:?}"
            );
        }
    }

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
    fn rule_numbers_are_1_to_32766() {
        let spec = |n: i64| NetworkAclEntrySpec {
            rule_number: n,
            egress: false,
            protocol: "tcp".into(),
            action: RuleAction::Allow,
            cidr: "0.0.0.0/0".parse().unwrap(),
            port_range: Some((1, 2)),
            icmp: None,
        };
        for n in [1, 32766] {
            assert_eq!(
                Txn::entry_from(&spec(n)).unwrap().rule_number,
                u16::try_from(n).unwrap()
            );
        }
        for n in [0, 32767, 32768, -1] {
            assert_eq!(
                Txn::entry_from(&spec(n)).unwrap_err().code(),
                "InvalidParameterValue"
            );
        }
    }
}

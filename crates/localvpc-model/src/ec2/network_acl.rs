//! Network ACLs. Every VPC has a default ACL, and every subnet is associated with exactly
//! one ACL at all times (the default one unless replaced).

use crate::cidr::Ipv4Cidr;
use crate::ec2::tags::Tags;
use crate::id::{NetworkAclAssociationId, NetworkAclId, SubnetId, VpcId};
use crate::scope::Scope;
use serde::{Deserialize, Serialize};

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
    /// `-1` for all, or an IP protocol number as a string.
    pub protocol: String,
    pub action: RuleAction,
    pub cidr: Ipv4Cidr,
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
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkAclAssociation {
    pub id: NetworkAclAssociationId,
    pub subnet_id: SubnetId,
}

/// The catch-all rule that ends each direction.
pub(crate) const CATCH_ALL_RULE: u16 = 32767;

impl NetworkAcl {
    /// The default ACL's entries: rule 100 allows all, `*` denies, both directions (spec §1.7).
    pub(crate) fn default_entries() -> Vec<NetworkAclEntry> {
        let all = Ipv4Cidr::default();
        let mut entries = Vec::new();
        for egress in [false, true] {
            for (rule_number, action) in
                [(100, RuleAction::Allow), (CATCH_ALL_RULE, RuleAction::Deny)]
            {
                entries.push(NetworkAclEntry {
                    rule_number,
                    egress,
                    protocol: "-1".to_owned(),
                    action,
                    cidr: all,
                });
            }
        }
        entries
    }
}

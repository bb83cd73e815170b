//! Security groups: the VPC's `default` group (created with the VPC, never deletable) and
//! groups users create; rules with CIDR, IPv6, prefix-list or security-group peers.

use crate::cidr::{Ipv4Cidr, parse_ipv4_cidr};
use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::ec2::traffic::{PortRange, RuleProtocol, Traffic};
use crate::ec2::vpc::Vpc;
use crate::error::ModelError;
use crate::id::{PrefixListId, SecurityGroupId, SecurityGroupRuleId, VpcId};
use crate::resource::{Model, Resource, ResourceRef};
use crate::scope::{AccountId, Scope};
use crate::txn::Txn;
use ipnet::Ipv6Net;
use serde::{Deserialize, Serialize};

/// AWS's default quota of inbound (and, separately, outbound) rules per group.
pub(crate) const MAX_RULES_PER_DIRECTION: usize = 60;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityGroup {
    pub id: SecurityGroupId,
    pub scope: Scope,
    pub vpc_id: VpcId,
    pub name: String,
    pub description: String,
    pub ingress: Vec<SecurityGroupRule>,
    pub egress: Vec<SecurityGroupRule>,
    pub tags: Tags,
}

impl SecurityGroup {
    pub fn is_default(&self) -> bool {
        self.name == "default"
    }

    pub fn arn(&self) -> String {
        self.scope.ec2_arn("security-group", self.id.as_str())
    }

    pub fn rules(&self, egress: bool) -> &[SecurityGroupRule] {
        if egress { &self.egress } else { &self.ingress }
    }

    /// Whether any rule names the prefix list as its peer.
    pub fn references_prefix_list(&self, id: &str) -> bool {
        self.ingress
            .iter()
            .chain(&self.egress)
            .any(|r| matches!(&r.peer, SgPeer::PrefixList(p) if p == id))
    }

    /// One of the group's rules by id, and whether it is an egress rule.
    pub fn rule(&self, id: &SecurityGroupRuleId) -> Option<(bool, &SecurityGroupRule)> {
        let ingress = self.ingress.iter().map(|r| (false, r));
        ingress
            .chain(self.egress.iter().map(|r| (true, r)))
            .find(|(_, r)| &r.id == id)
    }

    fn rules_mut(&mut self, egress: bool) -> &mut Vec<SecurityGroupRule> {
        if egress {
            &mut self.egress
        } else {
            &mut self.ingress
        }
    }
}

/// One rule: what traffic it allows from (ingress) or to (egress) one peer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StoredRule", into = "StoredRule")]
pub struct SecurityGroupRule {
    pub id: SecurityGroupRuleId,
    pub traffic: Traffic,
    pub peer: SgPeer,
    pub description: Option<String>,
    pub tags: Tags,
}

impl SecurityGroupRule {
    /// Two rules are the same rule when everything but id and description matches.
    fn same_permission(&self, other: &Self) -> bool {
        self.traffic == other.traffic && self.peer == other.peer
    }
}

/// A rule as the store holds it (format 1, docs/storage-format.md): the protocol as the API
/// spells it and `FromPort`/`ToPort` as numbers, ICMP type and code in the ports. Rules
/// written by any earlier build read back; this shape must not change without a format
/// bump.
#[derive(Serialize, Deserialize)]
struct StoredRule {
    id: SecurityGroupRuleId,
    protocol: String,
    from_port: Option<i32>,
    to_port: Option<i32>,
    peer: SgPeer,
    description: Option<String>,
    #[serde(default)]
    tags: Tags,
}

impl From<SecurityGroupRule> for StoredRule {
    fn from(rule: SecurityGroupRule) -> Self {
        let (from_port, to_port) = rule.traffic.sg_ports();
        Self {
            id: rule.id,
            protocol: rule.traffic.sg_protocol(),
            from_port,
            to_port,
            peer: rule.peer,
            description: rule.description,
            tags: rule.tags,
        }
    }
}

impl TryFrom<StoredRule> for SecurityGroupRule {
    type Error = String;

    /// Everything an earlier build stored had been checked, but that build let TCP, UDP
    /// and ICMP spelled as odd numbers (`06`, `01`) through without ports: such a rule
    /// matched all ports, or any type and code, and reads back meaning that.
    fn try_from(stored: StoredRule) -> Result<Self, String> {
        let id = &stored.id;
        let protocol = RuleProtocol::parse(&stored.protocol)
            .ok_or_else(|| format!("rule {id}: unknown protocol `{}`", stored.protocol))?;
        let traffic = match (Traffic::whole(protocol), stored.from_port, stored.to_port) {
            (Traffic::Ports { protocol, .. }, Some(from), Some(to)) => {
                let range = match (u16::try_from(from), u16::try_from(to)) {
                    (Ok(f), Ok(t)) => PortRange::new(f, t),
                    _ => None,
                };
                let range = range.ok_or_else(|| format!("rule {id}: ports {from}-{to}"))?;
                Traffic::Ports { protocol, range }
            }
            (Traffic::Icmp { version, .. }, Some(t), Some(c)) => {
                Traffic::icmp(version, t.into(), c.into())
                    .ok_or_else(|| format!("rule {id}: ICMP type {t} or code {c}"))?
            }
            (whole, _, _) => whole,
        };
        Ok(Self {
            id: stored.id,
            traffic,
            peer: stored.peer,
            description: stored.description,
            tags: stored.tags,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SgPeer {
    Cidr(Ipv4Cidr),
    Cidr6(Ipv6Net),
    /// A security group, possibly of another account (across a peering).
    Group {
        group_id: SecurityGroupId,
        account: Option<AccountId>,
    },
    PrefixList(String),
}

impl SgPeer {
    /// The `SecurityGroupRuleRequest` member that names a peer of this kind.
    pub fn request_param(&self) -> &'static str {
        match self {
            Self::Cidr(_) => "CidrIpv4",
            Self::Cidr6(_) => "CidrIpv6",
            Self::PrefixList(_) => "PrefixListId",
            Self::Group { .. } => "ReferencedGroupId",
        }
    }
}

/// One `IpPermissions.N` of Authorize/Revoke: a protocol and port range with its peers, as
/// the request gave them. The model reads protocol and ports into a [`Traffic`] as AWS
/// does (`traffic_of`), so it is the model that refuses bad ones, after the API has
/// answered a DryRun.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpPermission {
    /// `IpProtocol`: `-1`/`all`, `tcp`, `udp`, `icmp`, `icmpv6` or a number, any case.
    pub protocol: String,
    /// `FromPort`: the first port for TCP/UDP, the ICMP type (−1 = any) for ICMP.
    pub from_port: Option<i32>,
    /// `ToPort`: the last port for TCP/UDP, the ICMP code (−1 = any) for ICMP.
    pub to_port: Option<i32>,
    pub ipv4_ranges: Vec<(String, Option<String>)>,
    pub ipv6_ranges: Vec<(String, Option<String>)>,
    pub prefix_list_ids: Vec<(String, Option<String>)>,
    /// (group id, owning account, description).
    pub groups: Vec<(SecurityGroupId, Option<String>, Option<String>)>,
    /// Groups named by `GroupName` (or `SourceSecurityGroupName`): the default VPC's form,
    /// resolved by the model. (group name, owning account, description).
    #[serde(default)]
    pub group_names: Vec<(String, Option<String>, Option<String>)>,
}

impl IpPermission {
    /// How many peers (CIDRs, prefix lists, groups) the permission names.
    fn peer_count(&self) -> usize {
        self.ipv4_ranges.len()
            + self.ipv6_ranges.len()
            + self.prefix_list_ids.len()
            + self.groups.len()
            + self.group_names.len()
    }
}

/// CreateSecurityGroup's input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSecurityGroup {
    /// None means the default VPC.
    pub vpc_id: Option<VpcId>,
    pub group_name: String,
    pub description: String,
    pub tag_specifications: Vec<TagSpecification>,
}

/// Which group a request names: by id, or by name in the default VPC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupRef {
    Id(SecurityGroupId),
    Name(String),
}

/// Characters AWS allows in VPC security group names, descriptions and rule descriptions:
/// `a-z A-Z 0-9 spaces ._-:/()#,@[]+=&;{}!$*` (CreateSecurityGroup API reference).
fn allowed_text(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(c))
}

fn check_text(what: &str, text: &str) -> Result<(), ModelError> {
    if text.chars().count() > 255 {
        return Err(ModelError::invalid_value(format!(
            "{what} must be at most 255 characters long"
        )));
    }
    if !allowed_text(text) {
        return Err(ModelError::invalid_value(format!(
            "Invalid {what}: character sets beyond ASCII (and some ASCII punctuation) are not supported. \
             Allowed: a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{{}}!$*"
        )));
    }
    Ok(())
}

/// A permission's protocol and ports as AWS reads them: `-1`/`all` is all traffic; TCP and
/// UDP need a range within 0–65535; ICMP and ICMPv6 take a type and code, −1 or absent
/// meaning any; other protocols are taken whole, their ports ignored.
fn traffic_of(p: &IpPermission) -> Result<Traffic, ModelError> {
    let protocol = RuleProtocol::parse(&p.protocol).ok_or_else(|| {
        ModelError::invalid_value(format!(
            "Invalid value '{}' for IP protocol. Unknown protocol.",
            p.protocol
        ))
    })?;
    match Traffic::whole(protocol) {
        Traffic::Ports { protocol, .. } => {
            let (Some(from), Some(to)) = (p.from_port, p.to_port) else {
                return Err(ModelError::invalid_value(
                    "Invalid value for portRange. Must specify both from and to ports with TCP/UDP.",
                ));
            };
            let range = match (u16::try_from(from), u16::try_from(to)) {
                (Ok(f), Ok(t)) => PortRange::new(f, t),
                _ => None,
            };
            let Some(range) = range else {
                return Err(ModelError::invalid_value(format!(
                    "Invalid value for portRange. From port {from} must be less than or equal to to port {to}, \
                     both between 0 and 65535."
                )));
            };
            Ok(Traffic::Ports { protocol, range })
        }
        Traffic::Icmp { version, .. } => {
            let icmp_type = p.from_port.unwrap_or(-1);
            let code = p.to_port.unwrap_or(-1);
            Traffic::icmp(version, icmp_type.into(), code.into()).ok_or_else(|| {
                ModelError::invalid_value(format!(
                    "Invalid value for ICMP type {icmp_type} or code {code}"
                ))
            })
        }
        whole => Ok(whole),
    }
}

impl Model {
    /// The group a `[Default VPC]` name form names (GroupName, Groups.N.GroupName,
    /// SourceSecurityGroupName, RunInstances' SecurityGroup.N): the group of that name in the
    /// caller's default VPC, else AWS's `InvalidGroup.NotFound` "The security group '…' does
    /// not exist in default VPC '…'".
    pub fn security_group_in_default_vpc<'a>(
        &'a self,
        scope: &'a Scope,
        name: &str,
    ) -> Result<&'a SecurityGroup, ModelError> {
        let default_vpc = self
            .in_scope::<Vpc>(scope)
            .find(|v| v.is_default)
            .map(|v| &v.id);
        self.in_scope::<SecurityGroup>(scope)
            .find(|g| g.name == name && Some(&g.vpc_id) == default_vpc)
            .ok_or_else(|| ModelError::GroupNameNotFound {
                name: name.to_owned(),
                default_vpc: default_vpc.map(ToString::to_string),
            })
    }
}

impl Txn<'_, '_> {
    /// The group a request names, in the caller's scope.
    pub(crate) fn resolve_group(&self, group: &GroupRef) -> Result<SecurityGroup, ModelError> {
        let scope = self.ctx.scope;
        match group {
            GroupRef::Id(id) => self.model.get::<SecurityGroup>(scope, id).cloned(),
            GroupRef::Name(name) => self
                .model
                .security_group_in_default_vpc(scope, name)
                .cloned(),
        }
    }

    pub(crate) fn create_security_group(
        &mut self,
        input: &CreateSecurityGroup,
    ) -> Result<SecurityGroup, ModelError> {
        let scope = self.ctx.scope;
        let vpc = match &input.vpc_id {
            Some(id) => self.model.get::<Vpc>(scope, id)?.clone(),
            None => self
                .model
                .in_scope::<Vpc>(scope)
                .find(|v| v.is_default)
                .cloned()
                .ok_or(ModelError::VpcIdNotSpecified)?,
        };
        let name = input.group_name.as_str();
        if name.is_empty() {
            return Err(ModelError::missing(
                "The request must contain the parameter groupName",
            ));
        }
        check_text("group name", name)?;
        check_text("group description", &input.description)?;
        if name.eq_ignore_ascii_case("default") {
            return Err(ModelError::GroupReserved {
                name: name.to_owned(),
            });
        }
        if name.to_ascii_lowercase().starts_with("sg-") {
            return Err(ModelError::invalid_value(
                "Group names may not be in the format sg-*.",
            ));
        }
        if self
            .model
            .security_groups
            .values()
            .any(|g| g.vpc_id == vpc.id && g.name.eq_ignore_ascii_case(name))
        {
            return Err(ModelError::GroupDuplicate {
                name: name.to_owned(),
                vpc_id: vpc.id.to_string(),
            });
        }
        let id = SecurityGroupId::generate(self.ctx.ids);
        let tags = tags_for(&input.tag_specifications, "security-group", id.as_str())?;
        // All traffic to anywhere: 0.0.0.0/0, and ::/0 too when the VPC has an IPv6 block
        // (VPC User Guide, "Security group rules": the default outbound rules).
        let mut peers = vec![SgPeer::Cidr(Ipv4Cidr::default())];
        if vpc.associated_ipv6_cidrs().next().is_some() {
            peers.push(SgPeer::Cidr6(Ipv6Net::default()));
        }
        let egress = peers
            .into_iter()
            .map(|peer| SecurityGroupRule {
                id: SecurityGroupRuleId::generate(self.ctx.ids),
                traffic: Traffic::All,
                peer,
                description: None,
                tags: Tags::new(),
            })
            .collect();
        let group = SecurityGroup {
            id,
            scope: scope.clone(),
            vpc_id: vpc.id,
            name: name.to_owned(),
            description: input.description.clone(),
            ingress: Vec::new(),
            egress,
            tags,
        };
        self.put(Resource::SecurityGroup(group.clone()));
        Ok(group)
    }

    pub(crate) fn delete_security_group(
        &mut self,
        group: &GroupRef,
    ) -> Result<SecurityGroupId, ModelError> {
        let group = self.resolve_group(group)?;
        if group.is_default() {
            return Err(ModelError::CannotDelete {
                message: format!(
                    "the specified group: \"{}\" name: \"default\" cannot be deleted by a user",
                    group.id
                ),
            });
        }
        let referenced = self.model.security_groups.values().any(|g| {
            g.id != group.id
                && g.vpc_id == group.vpc_id
                && g.ingress.iter().chain(&g.egress).any(
                    |r| matches!(&r.peer, SgPeer::Group { group_id, .. } if group_id == &group.id),
                )
        });
        let in_use = self
            .model
            .network_interfaces
            .values()
            .any(|e| e.groups.contains(&group.id));
        if referenced || in_use {
            return Err(ModelError::dependency(format!(
                "resource {} has a dependent object",
                group.id
            )));
        }
        self.delete(ResourceRef::SecurityGroup(group.id.clone()));
        Ok(group.id)
    }

    /// Turns permissions into rules, checking protocols, ports, peers and references.
    fn rules_from(
        &mut self,
        group: &SecurityGroup,
        permissions: &[IpPermission],
    ) -> Result<Vec<SecurityGroupRule>, ModelError> {
        let mut rules = Vec::new();
        for p in permissions {
            let traffic = traffic_of(p)?;
            let mut peers: Vec<(SgPeer, Option<String>)> = Vec::new();
            for (cidr, d) in &p.ipv4_ranges {
                peers.push((SgPeer::Cidr(parse_ipv4_cidr(cidr, "cidrIp")?), d.clone()));
            }
            for (cidr, d) in &p.ipv6_ranges {
                let net: Ipv6Net = cidr.parse().map_err(|_| {
                    ModelError::invalid_value(format!(
                        "Value ({cidr}) for parameter cidrIpv6 is invalid."
                    ))
                })?;
                peers.push((SgPeer::Cidr6(net.trunc()), d.clone()));
            }
            for (pl, d) in &p.prefix_list_ids {
                // A malformed id is InvalidPrefixListId.Malformed, as everywhere else.
                PrefixListId::parse(pl)?;
                if !self.model.prefix_list_exists(self.ctx.scope, pl) {
                    return Err(ModelError::PrefixListNotFound { id: pl.clone() });
                }
                peers.push((SgPeer::PrefixList(pl.clone()), d.clone()));
            }
            let mut groups = p.groups.clone();
            for (name, account, d) in &p.group_names {
                let id = self
                    .model
                    .security_group_in_default_vpc(self.ctx.scope, name)?;
                groups.push((id.id.clone(), account.clone(), d.clone()));
            }
            for (group_id, account, d) in &groups {
                let account = account.as_deref().map(|a| {
                    AccountId::parse(a)
                        .ok_or_else(|| ModelError::invalid_value(format!("Invalid user id '{a}'")))
                });
                let account = account.transpose()?;
                // Same-account references must name a group of the same VPC (or a peer's:
                // the peering issue widens this check).
                let same_account = account
                    .as_ref()
                    .is_none_or(|a| a == &self.ctx.scope.account);
                if same_account {
                    let target = self.model.get::<SecurityGroup>(self.ctx.scope, group_id)?;
                    // Another VPC's group is allowed across an active same-region peering.
                    if target.vpc_id != group.vpc_id
                        && !self.model.peered(&target.vpc_id, &group.vpc_id)
                    {
                        return Err(ModelError::invalid_value(format!(
                            "You have specified two resources that belong to different networks: {} and {}",
                            group.id, target.id
                        )));
                    }
                } else {
                    let peered = self
                        .model
                        .security_groups
                        .get(group_id)
                        .is_some_and(|target| self.model.peered(&target.vpc_id, &group.vpc_id));
                    if !peered {
                        return Err(group_id.not_found());
                    }
                }
                peers.push((
                    SgPeer::Group {
                        group_id: group_id.clone(),
                        account: if same_account { None } else { account },
                    },
                    d.clone(),
                ));
            }
            if peers.is_empty() {
                return Err(ModelError::missing(
                    "The request must contain at least one of IpRanges, Ipv6Ranges, PrefixListIds or UserIdGroupPairs",
                ));
            }
            for (peer, description) in peers {
                if let Some(d) = &description {
                    check_text("rule description", d)?;
                }
                rules.push(SecurityGroupRule {
                    id: SecurityGroupRuleId::generate(self.ctx.ids),
                    traffic,
                    peer,
                    description,
                    tags: Tags::new(),
                });
            }
        }
        Ok(rules)
    }

    pub(crate) fn authorize(
        &mut self,
        group: &GroupRef,
        egress: bool,
        permissions: &[IpPermission],
        specs: &[TagSpecification],
    ) -> Result<Vec<(SecurityGroup, SecurityGroupRule)>, ModelError> {
        let mut group = self.resolve_group(group)?;
        let mut rules = self.rules_from(&group, permissions)?;
        for rule in &mut rules {
            rule.tags = tags_for(specs, "security-group-rule", rule.id.as_str())?;
        }
        for (i, rule) in rules.iter().enumerate() {
            if rules.iter().take(i).any(|r| r.same_permission(rule)) {
                return Err(ModelError::invalid_value(
                    "The same permission must not appear multiple times",
                ));
            }
            if group.rules(egress).iter().any(|r| r.same_permission(rule)) {
                return Err(ModelError::PermissionDuplicate {
                    rule: describe_rule(rule),
                });
            }
        }
        if group.rules(egress).len() + rules.len() > MAX_RULES_PER_DIRECTION {
            return Err(ModelError::RulesLimitExceeded);
        }
        group.rules_mut(egress).extend(rules.iter().cloned());
        self.put(Resource::SecurityGroup(group.clone()));
        Ok(rules.into_iter().map(|r| (group.clone(), r)).collect())
    }

    /// Removes rules given as permissions or as rule ids. Outside the default VPC every one
    /// must exist; in the default VPC the ones that match nothing are returned instead
    /// (RevokeSecurityGroupIngress API reference). Returns the group, the rules removed, and
    /// the unmatched rules.
    pub(crate) fn revoke(
        &mut self,
        group: &GroupRef,
        egress: bool,
        permissions: &[IpPermission],
        rule_ids: &[SecurityGroupRuleId],
    ) -> Result<
        (
            SecurityGroupId,
            Vec<SecurityGroupRule>,
            Vec<SecurityGroupRule>,
        ),
        ModelError,
    > {
        let mut group = self.resolve_group(group)?;
        let in_default_vpc = self
            .model
            .vpcs
            .get(&group.vpc_id)
            .is_some_and(|v| v.is_default);
        let wanted = self.rules_from(&group, permissions)?;
        let mut removed = Vec::new();
        let mut unknown = Vec::new();
        for rule in wanted {
            match group
                .rules(egress)
                .iter()
                .position(|r| r.same_permission(&rule))
            {
                Some(i) => removed.push(group.rules_mut(egress).remove(i)),
                None if in_default_vpc => unknown.push(rule),
                None => {
                    return Err(ModelError::PermissionNotFound {
                        rule: describe_rule(&rule),
                    });
                }
            }
        }
        for id in rule_ids {
            let Some(i) = group.rules(egress).iter().position(|r| &r.id == id) else {
                return Err(ModelError::RuleNotFound { id: id.to_string() });
            };
            removed.push(group.rules_mut(egress).remove(i));
        }
        let id = group.id.clone();
        self.put(Resource::SecurityGroup(group));
        Ok((id, removed, unknown))
    }

    /// ModifySecurityGroupRules: replaces rules by id, keeping their ids, directions and
    /// tags; all or nothing. Each rule must be one of the group's; its replacement names
    /// exactly one peer, of the kind the rule already has (SecurityGroupRuleRequest
    /// reference: "When you modify a rule, you cannot change the rule type"), and must not
    /// duplicate another rule of its direction, as changed so far.
    pub(crate) fn modify_rules(
        &mut self,
        group_id: &SecurityGroupId,
        updates: &[(SecurityGroupRuleId, IpPermission)],
    ) -> Result<(), ModelError> {
        let mut group = self
            .model
            .get::<SecurityGroup>(self.ctx.scope, group_id)?
            .clone();
        for (i, (rule_id, permission)) in updates.iter().enumerate() {
            if updates.iter().take(i).any(|(seen, _)| seen == rule_id) {
                return Err(ModelError::invalid_value(format!(
                    "The security group rule ID '{rule_id}' appears more than once in the request"
                )));
            }
            let Some((egress, old)) = group.rule(rule_id) else {
                return Err(ModelError::RuleNotFound {
                    id: rule_id.to_string(),
                });
            };
            let old = old.clone();
            match permission.peer_count() {
                0 => {
                    return Err(ModelError::missing(format!(
                        "The request must contain exactly one of CidrIpv4, CidrIpv6, PrefixListId or \
                         ReferencedGroupId for security group rule {rule_id}"
                    )));
                }
                1 => {}
                _ => {
                    return Err(ModelError::InvalidParameterCombination {
                        message: format!(
                            "Only one of CidrIpv4, CidrIpv6, PrefixListId or ReferencedGroupId may be \
                             specified for security group rule {rule_id}"
                        ),
                    });
                }
            }
            let mut new_rule = self
                .rules_from(&group, std::slice::from_ref(permission))?
                .remove(0);
            let (was, now) = (old.peer.request_param(), new_rule.peer.request_param());
            if was != now {
                return Err(ModelError::invalid_value(format!(
                    "You cannot change the type of security group rule {rule_id}: it has a {was} \
                     and cannot be given a {now}"
                )));
            }
            new_rule.id = rule_id.clone();
            new_rule.tags = old.tags;
            let rules = group.rules_mut(egress);
            if rules
                .iter()
                .any(|r| &r.id != rule_id && r.same_permission(&new_rule))
            {
                return Err(ModelError::PermissionDuplicate {
                    rule: describe_rule(&new_rule),
                });
            }
            if let Some(slot) = rules.iter_mut().find(|r| &r.id == rule_id) {
                *slot = new_rule;
            }
        }
        self.put(Resource::SecurityGroup(group));
        Ok(())
    }
}

impl Txn<'_, '_> {
    /// UpdateSecurityGroupRuleDescriptionsIngress/Egress: sets (or, when absent, removes)
    /// the description of rules of one direction, named by permission or by id; all or
    /// nothing. A permission that matches no rule is `InvalidPermission.NotFound` and an id
    /// that is not one of the direction's rules `InvalidSecurityGroupRuleId.NotFound`, in
    /// every VPC (the default VPC's leniency is RevokeSecurityGroupIngress's only).
    pub(crate) fn update_rule_descriptions(
        &mut self,
        group: &GroupRef,
        egress: bool,
        permissions: &[IpPermission],
        descriptions: &[(SecurityGroupRuleId, Option<String>)],
    ) -> Result<(), ModelError> {
        let mut group = self.resolve_group(group)?;
        let wanted = self.rules_from(&group, permissions)?;
        for rule in wanted {
            let Some(slot) = group
                .rules_mut(egress)
                .iter_mut()
                .find(|r| r.same_permission(&rule))
            else {
                return Err(ModelError::PermissionNotFound {
                    rule: describe_rule(&rule),
                });
            };
            slot.description = rule.description;
        }
        for (id, description) in descriptions {
            if let Some(d) = description {
                check_text("rule description", d)?;
            }
            let Some(slot) = group.rules_mut(egress).iter_mut().find(|r| &r.id == id) else {
                return Err(ModelError::RuleNotFound { id: id.to_string() });
            };
            slot.description = description.clone();
        }
        self.put(Resource::SecurityGroup(group));
        Ok(())
    }
}

impl Txn<'_, '_> {
    /// Tags live on the rule inside its group; the rule id is looked up in the caller's scope.
    pub(crate) fn edit_rule_tags(
        &mut self,
        rule_id: &str,
        edit: impl FnOnce(&mut Tags, &str) -> Result<(), ModelError>,
    ) -> Result<(), ModelError> {
        let id = SecurityGroupRuleId::parse(rule_id)?;
        let found = self
            .model
            .in_scope::<SecurityGroup>(self.ctx.scope)
            .find(|g| g.ingress.iter().chain(&g.egress).any(|r| r.id == id))
            .cloned();
        let Some(mut group) = found else {
            return Err(id.not_found());
        };
        let Some(rule) = group
            .ingress
            .iter_mut()
            .chain(group.egress.iter_mut())
            .find(|r| r.id == id)
        else {
            return Err(id.not_found());
        };
        edit(&mut rule.tags, rule_id)?;
        self.put(Resource::SecurityGroup(group));
        Ok(())
    }
}

/// AWS's wording of a rule in duplicate/not-found messages.
fn describe_rule(rule: &SecurityGroupRule) -> String {
    let peer = match &rule.peer {
        SgPeer::Cidr(c) => c.to_string(),
        SgPeer::Cidr6(c) => c.to_string(),
        SgPeer::Group { group_id, .. } => group_id.to_string(),
        SgPeer::PrefixList(p) => p.clone(),
    };
    let protocol = match rule.traffic {
        Traffic::All => "ALL".to_owned(),
        traffic => traffic.sg_protocol().to_ascii_uppercase(),
    };
    match rule.traffic.sg_ports() {
        (Some(f), Some(t)) => {
            format!("peer: {peer}, {protocol}, from port: {f}, to port: {t}, ALLOW")
        }
        _ => format!("peer: {peer}, {protocol}, ALLOW"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{Command, Outcome};
    use crate::ec2::instance::RunInstances;
    use crate::ec2::traffic::{IcmpVersion, IpProtocol, OtherProtocol};
    use crate::ec2::vpc::CreateVpc;
    use crate::id::SubnetId;
    use crate::testing::{Harness, sg, tcp};

    fn new_group(h: &mut Harness, vpc: &VpcId, name: &str) -> SecurityGroup {
        let cmd = Command::CreateSecurityGroup(CreateSecurityGroup {
            vpc_id: Some(vpc.clone()),
            group_name: name.into(),
            description: "d".into(),
            ..CreateSecurityGroup::default()
        });
        match h.run(cmd) {
            Ok(Outcome::SecurityGroup(g)) => g,
            o => panic!("{o:?}"),
        }
    }

    /// Authorizes ingress permissions; the new rules' ids.
    fn allow(
        h: &mut Harness,
        g: &SecurityGroupId,
        perms: &[IpPermission],
    ) -> Vec<SecurityGroupRuleId> {
        let cmd = Command::AuthorizeSecurityGroup {
            group: GroupRef::Id(g.clone()),
            egress: false,
            permissions: perms.to_vec(),
            tag_specifications: Vec::new(),
        };
        match h.run(cmd) {
            Ok(Outcome::Rules(rules)) => rules.into_iter().map(|(_, r)| r.id).collect(),
            o => panic!("{o:?}"),
        }
    }

    fn modify(
        h: &mut Harness,
        g: &SecurityGroupId,
        rules: &[(&SecurityGroupRuleId, IpPermission)],
    ) -> Result<Outcome, ModelError> {
        h.run(Command::ModifySecurityGroupRules {
            group_id: g.clone(),
            rules: rules
                .iter()
                .map(|(id, p)| ((*id).clone(), p.clone()))
                .collect(),
        })
    }

    #[test]
    fn modify_checks_each_rule_and_changes_all_or_nothing() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16").id;
        let web = new_group(&mut h, &vpc, "web").id;
        let app = new_group(&mut h, &vpc, "app").id;
        let ids = allow(
            &mut h,
            &web,
            &[tcp(22, "10.0.0.0/8"), tcp(80, "10.0.0.0/8")],
        );
        let (r22, r80) = (&ids[0], &ids[1]);
        let before = h.model.security_groups[&web].ingress.clone();
        let code = |r: Result<Outcome, ModelError>| r.unwrap_err().code();

        // A rule of another group is not found in this one.
        assert_eq!(
            code(modify(&mut h, &app, &[(r22, tcp(23, "10.0.0.0/8"))])),
            "InvalidSecurityGroupRuleId.NotFound"
        );
        // Exactly one peer, of the kind the rule has.
        let none = IpPermission {
            ipv4_ranges: Vec::new(),
            ..tcp(23, "")
        };
        assert_eq!(
            code(modify(&mut h, &web, &[(r22, none)])),
            "MissingParameter"
        );
        let both = IpPermission {
            groups: vec![(app.clone(), None, None)],
            ..tcp(23, "10.0.0.0/8")
        };
        let err = modify(&mut h, &web, &[(r22, both)]).unwrap_err();
        assert_eq!(err.code(), "InvalidParameterCombination");
        let to_group = IpPermission {
            ipv4_ranges: Vec::new(),
            groups: vec![(app.clone(), None, None)],
            ..tcp(23, "")
        };
        let err = modify(&mut h, &web, &[(r22, to_group)]).unwrap_err();
        assert_eq!(err.code(), "InvalidParameterValue");
        assert!(err.to_string().contains("CidrIpv4"), "{err}");
        // Duplicates: of another rule, and the same rule twice in one request.
        assert_eq!(
            code(modify(&mut h, &web, &[(r22, tcp(80, "10.0.0.0/8"))])),
            "InvalidPermission.Duplicate"
        );
        let twice = [(r22, tcp(23, "10.0.0.0/8")), (r22, tcp(24, "10.0.0.0/8"))];
        assert_eq!(code(modify(&mut h, &web, &twice)), "InvalidParameterValue");
        // A bad second update leaves the first undone.
        let then_bad = [(r22, tcp(23, "10.0.0.0/8")), (r80, tcp(90, "bogus"))];
        assert_eq!(
            code(modify(&mut h, &web, &then_bad)),
            "InvalidParameterValue"
        );
        let unknown_pl = IpPermission {
            ipv4_ranges: Vec::new(),
            prefix_list_ids: vec![("pl-bogus".into(), None)],
            ..tcp(23, "")
        };
        assert_eq!(
            code(modify(&mut h, &web, &[(r22, unknown_pl)])),
            "InvalidPrefixListId.Malformed"
        );
        assert_eq!(h.model.security_groups[&web].ingress, before);

        // Two rules may trade places in one request: each is checked against the other as
        // changed so far, so the order matters (80 → 81 first, then 22 → 80).
        let swap = [(r80, tcp(81, "10.0.0.0/8")), (r22, tcp(80, "10.0.0.0/8"))];
        modify(&mut h, &web, &swap).unwrap();
        let ports: Vec<_> = h.model.security_groups[&web]
            .ingress
            .iter()
            .map(|r| (r.id.clone(), r.traffic.sg_ports().0))
            .collect();
        assert_eq!(ports, [(r22.clone(), Some(80)), (r80.clone(), Some(81))]);
    }

    #[test]
    fn rule_descriptions_change_by_permission_or_by_id() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16").id;
        let web = new_group(&mut h, &vpc, "web").id;
        let ids = allow(
            &mut h,
            &web,
            &[tcp(22, "10.0.0.0/8"), tcp(80, "10.0.0.0/8")],
        );
        let update =
            |h: &mut Harness,
             egress: bool,
             permissions: Vec<IpPermission>,
             descriptions: Vec<(SecurityGroupRuleId, Option<String>)>| {
                h.run(Command::UpdateSecurityGroupRuleDescriptions {
                    group: GroupRef::Id(web.clone()),
                    egress,
                    permissions,
                    descriptions,
                })
            };
        let described = |h: &Harness| -> Vec<Option<String>> {
            let g = &h.model.security_groups[&web];
            g.ingress.iter().map(|r| r.description.clone()).collect()
        };
        let ssh = IpPermission {
            ipv4_ranges: vec![("10.0.0.0/8".into(), Some("ssh".into()))],
            ..tcp(22, "")
        };
        update(&mut h, false, vec![ssh], Vec::new()).unwrap();
        assert_eq!(described(&h), [Some("ssh".into()), None]);
        update(
            &mut h,
            false,
            Vec::new(),
            vec![(ids[1].clone(), Some("web".into()))],
        )
        .unwrap();
        assert_eq!(described(&h), [Some("ssh".into()), Some("web".into())]);
        // No description removes it.
        update(&mut h, false, vec![tcp(22, "10.0.0.0/8")], Vec::new()).unwrap();
        assert_eq!(described(&h), [None, Some("web".into())]);

        let code = |r: Result<Outcome, ModelError>| r.unwrap_err().code();
        let missing = update(&mut h, false, vec![tcp(23, "10.0.0.0/8")], Vec::new());
        assert_eq!(code(missing), "InvalidPermission.NotFound");
        // An ingress rule's id is not an egress rule.
        let other_way = update(&mut h, true, Vec::new(), vec![(ids[0].clone(), None)]);
        assert_eq!(code(other_way), "InvalidSecurityGroupRuleId.NotFound");
        let bad_text = update(
            &mut h,
            false,
            Vec::new(),
            vec![(ids[0].clone(), Some("café".into()))],
        );
        assert_eq!(code(bad_text), "InvalidParameterValue");
        assert_eq!(described(&h), [None, Some("web".into())]);
    }

    #[test]
    fn a_new_group_allows_ipv6_egress_when_its_vpc_has_an_ipv6_block() {
        let mut h = Harness::new(false);
        let v4 = h.vpc("10.0.0.0/16").id;
        let cmd = Command::CreateVpc(CreateVpc {
            cidr_block: Some("10.1.0.0/16".into()),
            amazon_provided_ipv6_cidr_block: true,
            ..CreateVpc::default()
        });
        let Ok(Outcome::Vpc(dual)) = h.run(cmd) else {
            panic!("dual-stack VPC")
        };
        let peers = |g: &SecurityGroup| -> Vec<String> {
            g.egress
                .iter()
                .map(|r| {
                    assert_eq!(r.traffic, Traffic::All);
                    describe_rule(r)
                })
                .collect()
        };
        assert_eq!(
            peers(&new_group(&mut h, &v4, "a")),
            ["peer: 0.0.0.0/0, ALL, ALLOW"]
        );
        assert_eq!(
            peers(&new_group(&mut h, &dual.id, "b")),
            ["peer: 0.0.0.0/0, ALL, ALLOW", "peer: ::/0, ALL, ALLOW"]
        );
    }

    #[test]
    fn run_instances_takes_group_names_in_the_default_vpc_only() {
        let mut h = Harness::new(true);
        let default_vpc = h
            .model
            .vpcs
            .values()
            .find(|v| v.is_default)
            .unwrap()
            .id
            .clone();
        let web = new_group(&mut h, &default_vpc, "web").id;
        let launch = |h: &mut Harness, subnet: Option<SubnetId>, names: &[&str]| {
            h.run(Command::RunInstances(RunInstances {
                image_id: "ami-0123456789abcdef0".into(),
                instance_type: "t3.micro".into(),
                min_count: 1,
                max_count: 1,
                subnet_id: subnet,
                group_names: names.iter().map(|n| (*n).to_owned()).collect(),
                ..RunInstances::default()
            }))
        };
        let Ok(Outcome::Instances(launched)) = launch(&mut h, None, &["web", "default"]) else {
            panic!("launch by names")
        };
        let eni = &h.model.network_interfaces[&launched[0].primary_interface];
        let default_group = h.model.vpcs[&default_vpc].default_security_group_id.clone();
        assert_eq!(eni.groups, [web, default_group]);
        let unknown = launch(&mut h, None, &["nope"]).unwrap_err();
        assert_eq!(unknown.code(), "InvalidGroup.NotFound");
        assert_eq!(
            unknown.to_string(),
            format!("The security group 'nope' does not exist in default VPC '{default_vpc}'")
        );
        // Another VPC's subnet does not take names, as AWS answers.
        let vpc = h.vpc("10.0.0.0/16").id;
        let subnet = h.subnet(&vpc, "10.0.1.0/24", "ap-northeast-1a").unwrap().id;
        let refused = launch(&mut h, Some(subnet), &["web"]).unwrap_err();
        assert_eq!(refused.code(), "InvalidParameterCombination");
        assert_eq!(
            refused.to_string(),
            "The parameter groupName cannot be used with the parameter subnet"
        );
    }

    /// Rules as the store held them before the traffic part was typed (written by that
    /// build, copied here verbatim), and what they read back as.
    #[test]
    fn rules_stored_by_earlier_builds_read_back_and_store_the_same() {
        let cases = [
            (
                r#"{"id":"sgr-0123456789abcdef0","protocol":"tcp","from_port":22,"to_port":22,"peer":{"Cidr":"10.0.0.0/16"},"description":"d","tags":{}}"#,
                Traffic::tcp(PortRange::single(22)),
            ),
            (
                r#"{"id":"sgr-0123456789abcdef0","protocol":"udp","from_port":1024,"to_port":65535,"peer":{"Cidr":"10.0.0.0/16"},"description":null,"tags":{"k":"v"}}"#,
                Traffic::udp(PortRange::at_least(1024)),
            ),
            (
                r#"{"id":"sgr-0123456789abcdef0","protocol":"icmp","from_port":8,"to_port":-1,"peer":{"Cidr6":"2001:db8::/32"},"description":"d","tags":{}}"#,
                Traffic::Icmp {
                    version: IcmpVersion::V4,
                    icmp_type: Some(8),
                    code: None,
                },
            ),
            (
                r#"{"id":"sgr-0123456789abcdef0","protocol":"icmpv6","from_port":-1,"to_port":-1,"peer":{"Cidr6":"::/0"},"description":null,"tags":{}}"#,
                Traffic::Icmp {
                    version: IcmpVersion::V6,
                    icmp_type: None,
                    code: None,
                },
            ),
            (
                r#"{"id":"sgr-0123456789abcdef0","protocol":"-1","from_port":null,"to_port":null,"peer":{"PrefixList":"pl-1"},"description":"d","tags":{}}"#,
                Traffic::All,
            ),
            (
                r#"{"id":"sgr-0123456789abcdef0","protocol":"50","from_port":null,"to_port":null,"peer":{"Group":{"group_id":"sg-0123456789abcdef0","account":null}},"description":"d","tags":{}}"#,
                Traffic::Other(OtherProtocol::new(IpProtocol(50)).unwrap()),
            ),
        ];
        for (old, traffic) in cases {
            let rule: SecurityGroupRule = serde_json::from_str(old).unwrap();
            assert_eq!(rule.traffic, traffic, "{old}");
            assert_eq!(serde_json::to_string(&rule).unwrap(), old);
        }
        // Rules from before tags existed.
        let untagged: SecurityGroupRule = serde_json::from_str(
            r#"{"id":"sgr-0123456789abcdef0","protocol":"tcp","from_port":443,"to_port":443,"peer":{"Cidr":"0.0.0.0/0"},"description":null}"#,
        )
        .unwrap();
        assert_eq!(
            (untagged.traffic, untagged.tags),
            (Traffic::tcp(PortRange::single(443)), Tags::new())
        );
        // An earlier build let TCP spelled `06` through without ports; it meant all ports.
        let odd: SecurityGroupRule = serde_json::from_str(
            r#"{"id":"sgr-0123456789abcdef0","protocol":"06","from_port":null,"to_port":null,"peer":{"Cidr":"0.0.0.0/0"},"description":null,"tags":{}}"#,
        )
        .unwrap();
        assert_eq!(odd.traffic, Traffic::tcp(PortRange::ALL));
        let unknown = r#"{"id":"sgr-0123456789abcdef0","protocol":"gre","from_port":null,"to_port":null,"peer":{"Cidr":"0.0.0.0/0"},"description":null,"tags":{}}"#;
        assert!(serde_json::from_str::<SecurityGroupRule>(unknown).is_err());
    }

    #[test]
    fn permissions_are_read_as_aws_reads_them() {
        let permission = |protocol: &str, from: Option<i32>, to: Option<i32>| IpPermission {
            protocol: protocol.into(),
            from_port: from,
            to_port: to,
            ..IpPermission::default()
        };
        let read = |protocol, from, to| traffic_of(&permission(protocol, from, to));
        assert_eq!(
            read("6", Some(80), Some(81)).unwrap(),
            Traffic::tcp(PortRange::new(80, 81).unwrap())
        );
        assert_eq!(read("ALL", Some(1), Some(2)).unwrap(), Traffic::All);
        assert_eq!(
            read("icmp", None, None).unwrap(),
            Traffic::whole(RuleProtocol::One(IpProtocol::ICMP))
        );
        assert_eq!(
            read("47", Some(1), Some(2)).unwrap(),
            Traffic::Other(OtherProtocol::new(IpProtocol(47)).unwrap())
        );
        for (protocol, from, to) in [
            ("bogus", Some(1), Some(2)),
            ("256", None, None),
            ("udp", None, None),
            ("udp", Some(53), None),
            ("tcp", Some(90), Some(80)),
            ("tcp", Some(-1), Some(80)),
            ("tcp", Some(1), Some(65536)),
            ("icmp", Some(256), Some(0)),
            ("icmpv6", Some(0), Some(-2)),
        ] {
            assert_eq!(
                read(protocol, from, to).unwrap_err().code(),
                "InvalidParameterValue",
                "{protocol} {from:?} {to:?}"
            );
        }
    }

    #[test]
    fn security_group_names_and_rules_follow_aws() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let web = sg(&mut h, &vpc, "web").unwrap();
        assert_eq!(web.egress.len(), 1);
        assert!(web.ingress.is_empty());
        assert_eq!(
            sg(&mut h, &vpc, "web").unwrap_err().code(),
            "InvalidGroup.Duplicate"
        );
        assert_eq!(
            sg(&mut h, &vpc, "default").unwrap_err().code(),
            "InvalidGroup.Reserved"
        );
        assert_eq!(
            sg(&mut h, &vpc, "sg-x").unwrap_err().code(),
            "InvalidParameterValue"
        );
        let web_ref = GroupRef::Id(web.id.clone());
        let auth = |p: Vec<IpPermission>| Command::AuthorizeSecurityGroup {
            group: web_ref.clone(),
            egress: false,
            permissions: p,
            tag_specifications: vec![],
        };
        h.run(auth(vec![tcp(443, "10.0.0.0/16")])).unwrap();
        assert_eq!(
            h.run(auth(vec![tcp(443, "10.0.0.0/16")]))
                .unwrap_err()
                .code(),
            "InvalidPermission.Duplicate"
        );
        assert_eq!(
            h.run(auth(vec![tcp(70000, "10.0.0.0/16")]))
                .unwrap_err()
                .code(),
            "InvalidParameterValue"
        );
        let mut bad = tcp(1, "0.0.0.0/0");
        bad.protocol = "bogus".into();
        assert_eq!(
            h.run(auth(vec![bad])).unwrap_err().code(),
            "InvalidParameterValue"
        );
        let many: Vec<_> = (1..=60).map(|p| tcp(p, "10.1.0.0/16")).collect();
        assert_eq!(
            h.run(auth(many)).unwrap_err().code(),
            "RulesPerSecurityGroupLimitExceeded"
        );
        // A reference to another group makes that group undeletable.
        let app = sg(&mut h, &vpc, "app").unwrap();
        let from_app = IpPermission {
            protocol: "-1".into(),
            groups: vec![(app.id.clone(), None, None)],
            ..IpPermission::default()
        };
        h.run(auth(vec![from_app.clone()])).unwrap();
        let del_app = Command::DeleteSecurityGroup {
            group: GroupRef::Id(app.id.clone()),
        };
        assert_eq!(
            h.run(del_app.clone()).unwrap_err().code(),
            "DependencyViolation"
        );
        let revoke = Command::RevokeSecurityGroup {
            group: web_ref.clone(),
            egress: false,
            permissions: vec![from_app],
            rule_ids: vec![],
        };
        h.run(revoke.clone()).unwrap();
        assert_eq!(
            h.run(revoke).unwrap_err().code(),
            "InvalidPermission.NotFound"
        );
        h.run(del_app).unwrap();
        let def = GroupRef::Id(vpc.default_security_group_id.clone());
        assert_eq!(
            h.run(Command::DeleteSecurityGroup { group: def })
                .unwrap_err()
                .code(),
            "CannotDelete"
        );
        // A VPC with a custom group is not deletable until the group goes.
        assert_eq!(
            h.run(Command::DeleteVpc {
                vpc_id: vpc.id.clone()
            })
            .unwrap_err()
            .code(),
            "DependencyViolation"
        );
    }

    #[test]
    fn groups_of_other_vpcs_cannot_be_referenced() {
        let mut h = Harness::new(false);
        let a = h.vpc("10.0.0.0/16");
        let b = h.vpc("10.1.0.0/16");
        let ga = sg(&mut h, &a, "a").unwrap();
        let gb = sg(&mut h, &b, "b").unwrap();
        let p = IpPermission {
            protocol: "-1".into(),
            groups: vec![(gb.id, None, None)],
            ..Default::default()
        };
        let cmd = Command::AuthorizeSecurityGroup {
            group: GroupRef::Id(ga.id),
            egress: false,
            permissions: vec![p],
            tag_specifications: vec![],
        };
        assert_eq!(h.run(cmd).unwrap_err().code(), "InvalidParameterValue");
    }
}

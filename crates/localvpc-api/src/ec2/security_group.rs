//! Security groups: Create/Delete/DescribeSecurityGroups, Authorize/Revoke ingress and
//! egress, DescribeSecurityGroupRules, ModifySecurityGroupRules,
//! UpdateSecurityGroupRuleDescriptionsIngress/Egress.

use super::filter::DESCRIBE_BOUNDS;
use super::input::Input;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{
    Command, CreateSecurityGroup, GroupRef, IpPermission, Model, ModelError, Scope, SecurityGroup,
    SecurityGroupId, SecurityGroupRule, SecurityGroupRuleId, SgPeer, Traffic, VpcId,
};
use localvpc_wire::query::QueryParams;
use localvpc_wire::xml::XmlWriter;

const PERMISSION_FILTERS: &[&str] = &[
    "cidr",
    "from-port",
    "group-id",
    "group-name",
    "ipv6-cidr",
    "prefix-list-id",
    "protocol",
    "to-port",
    "user-id",
];

fn group_ref(p: &Input<'_>) -> Result<GroupRef, ApiError> {
    match (p.opt("GroupId"), p.opt("GroupName")) {
        (Some(id), _) => Ok(GroupRef::Id(SecurityGroupId::parse(id)?)),
        (None, Some(name)) => Ok(GroupRef::Name(name.to_owned())),
        (None, None) => Err(ApiError::missing("GroupId")),
    }
}

fn int(params: &QueryParams, name: &str) -> Result<Option<i32>, ApiError> {
    params
        .get(name)
        .map(|v| {
            v.trim().parse::<i32>().map_err(|_| {
                ApiError::invalid_value(format!(
                    "Invalid value '{v}' for {name}. It must be an integer."
                ))
            })
        })
        .transpose()
}

fn described(s: &QueryParams, key: &str) -> Option<(String, Option<String>)> {
    Some((
        s.get(key)?.to_owned(),
        s.get("Description").map(str::to_owned),
    ))
}

/// `IpPermissions.N.*`, plus the legacy flat parameters (`IpProtocol`, `CidrIp`,
/// `SourceSecurityGroupName`), which only ingress accepts.
fn permissions(p: &Input<'_>, egress: bool) -> Result<Vec<IpPermission>, ApiError> {
    let mut out = Vec::new();
    for perm in p.params().structs("IpPermissions") {
        let protocol = perm
            .get("IpProtocol")
            .ok_or_else(|| ApiError::missing("IpPermissions.N.IpProtocol"))?;
        let (mut groups, mut group_names) = (Vec::new(), Vec::new());
        for g in perm.structs("Groups") {
            let account = g.get("UserId").map(str::to_owned);
            let description = g.get("Description").map(str::to_owned);
            match (g.get("GroupId"), g.get("GroupName")) {
                (Some(id), _) => groups.push((SecurityGroupId::parse(id)?, account, description)),
                // [Default VPC] names: the model resolves them.
                (None, Some(name)) => group_names.push((name.to_owned(), account, description)),
                (None, None) => return Err(ApiError::missing("IpPermissions.N.Groups.N.GroupId")),
            }
        }
        out.push(IpPermission {
            protocol: protocol.to_owned(),
            from_port: int(&perm, "FromPort")?,
            to_port: int(&perm, "ToPort")?,
            ipv4_ranges: perm
                .structs("IpRanges")
                .iter()
                .filter_map(|r| described(r, "CidrIp"))
                .collect(),
            ipv6_ranges: perm
                .structs("Ipv6Ranges")
                .iter()
                .filter_map(|r| described(r, "CidrIpv6"))
                .collect(),
            prefix_list_ids: perm
                .structs("PrefixListIds")
                .iter()
                .filter_map(|r| described(r, "PrefixListId"))
                .collect(),
            groups,
            group_names,
        });
    }
    let legacy = [
        "IpProtocol",
        "CidrIp",
        "SourceSecurityGroupName",
        "SourceSecurityGroupOwnerId",
        "FromPort",
        "ToPort",
    ]
    .iter()
    .any(|k| p.opt(k).is_some());
    if legacy {
        if egress {
            // The egress API reference marks these "Not supported. Use a set of IP permissions".
            return Err(ApiError::invalid_value(
                "AuthorizeSecurityGroupEgress/RevokeSecurityGroupEgress do not support IpProtocol, FromPort, ToPort, \
                 CidrIp or SourceSecurityGroupName: use IpPermissions",
            ));
        }
        if !out.is_empty() {
            return Err(ApiError::combination(
                "The parameter IpPermissions cannot be used with the parameters IpProtocol, CidrIp or SourceSecurityGroupName",
            ));
        }
        if let Some(name) = p.opt("SourceSecurityGroupName") {
            // [Default VPC] access from a source group covers all of ICMP, TCP and UDP.
            let owner = p.opt("SourceSecurityGroupOwnerId").map(str::to_owned);
            for (protocol, from, to) in [("icmp", -1, -1), ("tcp", 0, 65535), ("udp", 0, 65535)] {
                out.push(IpPermission {
                    protocol: protocol.to_owned(),
                    from_port: Some(from),
                    to_port: Some(to),
                    group_names: vec![(name.to_owned(), owner.clone(), None)],
                    ..IpPermission::default()
                });
            }
            return Ok(out);
        }
        out.push(IpPermission {
            protocol: p.opt("IpProtocol").unwrap_or("-1").to_owned(),
            from_port: int(p.params(), "FromPort")?,
            to_port: int(p.params(), "ToPort")?,
            ipv4_ranges: p
                .opt("CidrIp")
                .map(|c| (c.to_owned(), None))
                .into_iter()
                .collect(),
            ..IpPermission::default()
        });
    }
    Ok(out)
}

/// Rules grouped into `IpPermission` items by protocol and ports, in first-seen order.
fn write_permissions(w: &mut XmlWriter, tag: &str, model: &Model, rules: &[SecurityGroupRule]) {
    let mut keys: Vec<Traffic> = Vec::new();
    for r in rules {
        if !keys.contains(&r.traffic) {
            keys.push(r.traffic);
        }
    }
    w.list(tag, keys, |w, traffic| {
        let same: Vec<&SecurityGroupRule> = rules.iter().filter(|r| r.traffic == traffic).collect();
        let (from, to) = traffic.sg_ports();
        w.leaf("ipProtocol", &traffic.sg_protocol());
        if let Some(f) = from {
            w.num("fromPort", f);
        }
        if let Some(t) = to {
            w.num("toPort", t);
        }
        w.list(
            "groups",
            same.iter()
                .filter(|r| matches!(r.peer, SgPeer::Group { .. })),
            |w, r| {
                if let SgPeer::Group { group_id, account } = &r.peer {
                    let owner = account.as_ref().map(|a| a.to_string()).or_else(|| {
                        model
                            .any::<SecurityGroup>(group_id)
                            .map(|g| g.scope.account.to_string())
                    });
                    w.leaf_opt("userId", owner.as_deref())
                        .leaf("groupId", group_id.as_str());
                    w.leaf_opt("description", r.description.as_deref());
                }
            },
        );
        w.list(
            "ipRanges",
            same.iter().filter(|r| matches!(r.peer, SgPeer::Cidr(_))),
            |w, r| {
                if let SgPeer::Cidr(c) = &r.peer {
                    w.leaf("cidrIp", &c.to_string())
                        .leaf_opt("description", r.description.as_deref());
                }
            },
        );
        w.list(
            "ipv6Ranges",
            same.iter().filter(|r| matches!(r.peer, SgPeer::Cidr6(_))),
            |w, r| {
                if let SgPeer::Cidr6(c) = &r.peer {
                    w.leaf("cidrIpv6", &c.to_string())
                        .leaf_opt("description", r.description.as_deref());
                }
            },
        );
        w.list(
            "prefixListIds",
            same.iter()
                .filter(|r| matches!(r.peer, SgPeer::PrefixList(_))),
            |w, r| {
                if let SgPeer::PrefixList(p) = &r.peer {
                    w.leaf("prefixListId", p)
                        .leaf_opt("description", r.description.as_deref());
                }
            },
        );
    });
}

fn write_group(w: &mut XmlWriter, model: &Model, g: &SecurityGroup) {
    w.leaf("ownerId", g.scope.account.as_str())
        .leaf("groupId", g.id.as_str())
        .leaf("groupName", &g.name)
        .leaf("groupDescription", &g.description)
        .leaf("vpcId", g.vpc_id.as_str())
        .leaf("securityGroupArn", &g.arn());
    write_permissions(w, "ipPermissions", model, &g.ingress);
    write_permissions(w, "ipPermissionsEgress", model, &g.egress);
    super::tags::write_tag_set(w, &g.tags);
}

/// The `SecurityGroupRule` shape (DescribeSecurityGroupRules, Authorize responses).
fn write_rule(
    w: &mut XmlWriter,
    model: &Model,
    scope: &Scope,
    group_id: &SecurityGroupId,
    egress: bool,
    r: &SecurityGroupRule,
) {
    w.leaf("securityGroupRuleId", r.id.as_str())
        .leaf("groupId", group_id.as_str())
        .leaf("groupOwnerId", scope.account.as_str())
        .bool("isEgress", egress);
    write_protocol_and_ports(w, r.traffic);
    match &r.peer {
        SgPeer::Cidr(c) => {
            w.leaf("cidrIpv4", &c.to_string());
        }
        SgPeer::Cidr6(c) => {
            w.leaf("cidrIpv6", &c.to_string());
        }
        SgPeer::PrefixList(p) => {
            w.leaf("prefixListId", p);
        }
        SgPeer::Group { group_id, account } => {
            let owner = account.as_ref().map(|a| a.to_string()).or_else(|| {
                model
                    .any::<SecurityGroup>(group_id)
                    .map(|g| g.scope.account.to_string())
            });
            w.node("referencedGroupInfo", |w| {
                w.leaf("groupId", group_id.as_str())
                    .leaf_opt("userId", owner.as_deref());
            });
        }
    }
    w.leaf_opt("description", r.description.as_deref());
    super::tags::write_tag_set_always(w, &r.tags);
    w.leaf(
        "securityGroupRuleArn",
        &scope.ec2_arn("security-group-rule", r.id.as_str()),
    );
}

/// `ipProtocol`, `fromPort` and `toPort` of the `SecurityGroupRule` shape, −1 for ports a
/// rule does not have.
fn write_protocol_and_ports(w: &mut XmlWriter, traffic: Traffic) {
    let (from, to) = traffic.sg_ports();
    w.leaf("ipProtocol", &traffic.sg_protocol())
        .num("fromPort", from.unwrap_or(-1))
        .num("toPort", to.unwrap_or(-1));
}

fn permission_values(model: &Model, rules: &[SecurityGroupRule], field: &str) -> Vec<String> {
    rules
        .iter()
        .filter_map(|r| match (field, &r.peer) {
            ("cidr", SgPeer::Cidr(c)) => Some(c.to_string()),
            ("ipv6-cidr", SgPeer::Cidr6(c)) => Some(c.to_string()),
            ("prefix-list-id", SgPeer::PrefixList(p)) => Some(p.clone()),
            ("group-id", SgPeer::Group { group_id, .. }) => Some(group_id.to_string()),
            ("group-name", SgPeer::Group { group_id, .. }) => {
                model.any::<SecurityGroup>(group_id).map(|g| g.name.clone())
            }
            ("user-id", SgPeer::Group { group_id, account }) => {
                account.as_ref().map(|a| a.to_string()).or_else(|| {
                    model
                        .any::<SecurityGroup>(group_id)
                        .map(|g| g.scope.account.to_string())
                })
            }
            ("protocol", _) => Some(r.traffic.sg_protocol()),
            ("from-port", _) => Some(r.traffic.sg_ports().0.unwrap_or(-1).to_string()),
            ("to-port", _) => Some(r.traffic.sg_ports().1.unwrap_or(-1).to_string()),
            _ => None,
        })
        .collect()
}

fn group_filter_values(model: &Model, g: &SecurityGroup, name: &str) -> Vec<String> {
    if let Some(field) = name.strip_prefix("egress.ip-permission.") {
        return permission_values(model, &g.egress, field);
    }
    if let Some(field) = name.strip_prefix("ip-permission.") {
        return permission_values(model, &g.ingress, field);
    }
    match name {
        "description" => vec![g.description.clone()],
        "group-id" => vec![g.id.to_string()],
        "group-name" => vec![g.name.clone()],
        "owner-id" => vec![g.scope.account.to_string()],
        "vpc-id" => vec![g.vpc_id.to_string()],
        _ => Vec::new(),
    }
}

pub(super) async fn create_security_group<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let input = CreateSecurityGroup {
        vpc_id: p.opt("VpcId").map(VpcId::parse).transpose()?,
        group_name: p.required("GroupName")?.to_owned(),
        description: p.required("GroupDescription")?.to_owned(),
        tag_specifications: p.tag_specifications()?,
    };
    let g: SecurityGroup = op.run_as(Command::CreateSecurityGroup(input)).await?;
    op.respond(|w| {
        w.leaf("groupId", g.id.as_str());
        super::tags::write_tag_set(w, &g.tags);
        w.leaf("securityGroupArn", &g.arn());
    })
}

pub(super) async fn delete_security_group<B: Backend>(op: &Op<'_, B>) -> Body {
    let group = group_ref(&op.params)?;
    let id: SecurityGroupId = op.run_as(Command::DeleteSecurityGroup { group }).await?;
    op.respond(|w| {
        w.bool("return", true).leaf("groupId", id.as_str());
    })
}

/// DescribeSecurityGroups names groups by id (in request order) or by name (in the default
/// VPC, after the ids), each of which must exist.
pub(super) fn describe_security_groups<B: Backend>(op: &Op<'_, B>) -> Body {
    let describe = op.describe("GroupId", SecurityGroupId::parse)?;
    let names = op.params.list("GroupName");
    let mut known: Vec<String> = [
        "description",
        "group-id",
        "group-name",
        "owner-id",
        "vpc-id",
    ]
    .map(str::to_owned)
    .to_vec();
    for f in PERMISSION_FILTERS {
        known.push(format!("ip-permission.{f}"));
        known.push(format!("egress.ip-permission.{f}"));
    }
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    let describe = describe
        .filters(&known, true)?
        .filter_ids("group-id", SecurityGroupId::parse)?
        .paged(&DESCRIBE_BOUNDS)?;
    let model = describe.snapshot()?;
    let scope = &op.ctx.scope;
    let mut chosen: Vec<&SecurityGroup> = Vec::new();
    for id in describe.ids() {
        chosen.push(model.get::<SecurityGroup>(scope, id)?);
    }
    for name in &names {
        chosen.push(model.security_group_in_default_vpc(scope, name)?);
    }
    if describe.ids().is_empty() && names.is_empty() {
        chosen = model.in_scope::<SecurityGroup>(scope).collect();
    }
    let matching: Vec<&SecurityGroup> = chosen
        .into_iter()
        .filter(|g| describe.matches(Some(&g.tags), |f| group_filter_values(&model, g, f)))
        .collect();
    describe.respond(
        "securityGroupInfo",
        matching,
        |g| g.id.as_str(),
        |w, g| write_group(w, &model, g),
    )
}

pub(super) async fn authorize<B: Backend>(op: &Op<'_, B>, egress: bool) -> Body {
    let p = &op.params;
    let group = group_ref(p)?;
    let permissions = permissions(p, egress)?;
    if permissions.is_empty() {
        return Err(ApiError::missing("IpPermissions"));
    }
    let rules: Vec<(SecurityGroupId, SecurityGroupRule)> = op
        .run_as(Command::AuthorizeSecurityGroup {
            group,
            egress,
            permissions,
            tag_specifications: p.tag_specifications()?,
        })
        .await?;
    let model = op.snapshot();
    let scope = &op.ctx.scope;
    op.respond(|w| {
        w.bool("return", true);
        w.list("securityGroupRuleSet", &rules, |w, (g, r)| {
            write_rule(w, &model, scope, g, egress, r)
        });
    })
}

pub(super) async fn revoke<B: Backend>(op: &Op<'_, B>, egress: bool) -> Body {
    let p = &op.params;
    let group = group_ref(p)?;
    let permissions = permissions(p, egress)?;
    let rule_ids = p
        .list("SecurityGroupRuleId")
        .into_iter()
        .map(SecurityGroupRuleId::parse)
        .collect::<Result<Vec<_>, _>>()?;
    if permissions.is_empty() && rule_ids.is_empty() {
        return Err(ApiError::missing("IpPermissions or SecurityGroupRuleId"));
    }
    let (group_id, removed, unknown): (
        SecurityGroupId,
        Vec<SecurityGroupRule>,
        Vec<SecurityGroupRule>,
    ) = op
        .run_as(Command::RevokeSecurityGroup {
            group,
            egress,
            permissions,
            rule_ids,
        })
        .await?;
    let model = op.snapshot();
    op.respond(|w| {
        w.bool("return", true);
        if !unknown.is_empty() {
            write_permissions(w, "unknownIpPermissionSet", &model, &unknown);
        }
        w.list("revokedSecurityGroupRuleSet", &removed, |w, r| {
            w.leaf("securityGroupRuleId", r.id.as_str())
                .leaf("groupId", group_id.as_str())
                .bool("isEgress", egress);
            write_protocol_and_ports(w, r.traffic);
            match &r.peer {
                SgPeer::Cidr(c) => w.leaf("cidrIpv4", &c.to_string()),
                SgPeer::Cidr6(c) => w.leaf("cidrIpv6", &c.to_string()),
                SgPeer::PrefixList(pl) => w.leaf("prefixListId", pl),
                SgPeer::Group { group_id, .. } => w.leaf("referencedGroupId", group_id.as_str()),
            };
            w.leaf_opt("description", r.description.as_deref());
        });
    })
}

pub(super) fn describe_security_group_rules<B: Backend>(op: &Op<'_, B>) -> Body {
    let describe = op
        .describe("SecurityGroupRuleId", SecurityGroupRuleId::parse)?
        .filters(&["group-id", "security-group-rule-id"], true)?
        .filter_ids("group-id", SecurityGroupId::parse)?
        .filter_ids("security-group-rule-id", SecurityGroupRuleId::parse)?
        .paged(&DESCRIBE_BOUNDS)?;
    let model = describe.snapshot()?;
    let scope = &op.ctx.scope;
    let mut rows: Vec<(&SecurityGroup, bool, &SecurityGroupRule)> = Vec::new();
    for g in model.in_scope::<SecurityGroup>(scope) {
        for (egress, rules) in [(false, &g.ingress), (true, &g.egress)] {
            rows.extend(rules.iter().map(|r| (g, egress, r)));
        }
    }
    let ids = describe.ids();
    for id in ids {
        if !rows.iter().any(|(_, _, r)| &r.id == id) {
            return Err(ModelError::RuleNotFound { id: id.to_string() }.into());
        }
    }
    let mut rows: Vec<_> = rows
        .into_iter()
        .filter(|(_, _, r)| ids.is_empty() || ids.contains(&r.id))
        .filter(|(g, _, r)| {
            describe.matches(Some(&r.tags), |f| match f {
                "group-id" => vec![g.id.to_string()],
                "security-group-rule-id" => vec![r.id.to_string()],
                _ => Vec::new(),
            })
        })
        .collect();
    rows.sort_by(|a, b| a.2.id.cmp(&b.2.id));
    describe.respond(
        "securityGroupRuleSet",
        rows,
        |(_, _, r)| r.id.as_str(),
        |w, (g, egress, r)| write_rule(w, &model, scope, &g.id, egress, r),
    )
}

pub(super) async fn modify_security_group_rules<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let group_id = SecurityGroupId::parse(p.required("GroupId")?)?;
    let mut rules = Vec::new();
    for update in p.params().structs("SecurityGroupRule") {
        let id = update
            .get("SecurityGroupRuleId")
            .ok_or_else(|| ApiError::missing("SecurityGroupRule.N.SecurityGroupRuleId"))?;
        let rule = update
            .nested("SecurityGroupRule")
            .ok_or_else(|| ApiError::missing("SecurityGroupRule.N.SecurityGroupRule"))?;
        let description = rule.get("Description").map(str::to_owned);
        let one = |key: &str| rule.get(key).map(|v| (v.to_owned(), description.clone()));
        let groups = match rule.get("ReferencedGroupId") {
            Some(g) => vec![(SecurityGroupId::parse(g)?, None, description.clone())],
            None => Vec::new(),
        };
        let permission = IpPermission {
            protocol: rule
                .get("IpProtocol")
                .ok_or_else(|| {
                    ApiError::missing("SecurityGroupRule.N.SecurityGroupRule.IpProtocol")
                })?
                .to_owned(),
            from_port: int(&rule, "FromPort")?,
            to_port: int(&rule, "ToPort")?,
            ipv4_ranges: one("CidrIpv4").into_iter().collect(),
            ipv6_ranges: one("CidrIpv6").into_iter().collect(),
            prefix_list_ids: one("PrefixListId").into_iter().collect(),
            groups,
            ..IpPermission::default()
        };
        rules.push((SecurityGroupRuleId::parse(id)?, permission));
    }
    if rules.is_empty() {
        return Err(ApiError::missing("SecurityGroupRule"));
    }
    op.run(Command::ModifySecurityGroupRules { group_id, rules })
        .await?;
    op.respond_true()
}

/// UpdateSecurityGroupRuleDescriptionsIngress (egress = false) or …Egress: the rules named by
/// `IpPermissions` (each peer's `Description` is the new one) or by
/// `SecurityGroupRuleDescription.N`; the API reference asks for one form or the other.
pub(super) async fn update_rule_descriptions<B: Backend>(op: &Op<'_, B>, egress: bool) -> Body {
    let p = &op.params;
    let group = group_ref(p)?;
    let permissions = permissions(p, egress)?;
    let mut descriptions = Vec::new();
    for d in p.params().structs("SecurityGroupRuleDescription") {
        let id = d.get("SecurityGroupRuleId").ok_or_else(|| {
            ApiError::missing("SecurityGroupRuleDescription.N.SecurityGroupRuleId")
        })?;
        descriptions.push((
            SecurityGroupRuleId::parse(id)?,
            d.get("Description").map(str::to_owned),
        ));
    }
    match (permissions.is_empty(), descriptions.is_empty()) {
        (true, true) => {
            return Err(ApiError::missing(
                "IpPermissions or SecurityGroupRuleDescription",
            ));
        }
        (false, false) => {
            return Err(ApiError::combination(
                "The parameter IpPermissions cannot be used with the parameter SecurityGroupRuleDescription",
            ));
        }
        _ => {}
    }
    op.run(Command::UpdateSecurityGroupRuleDescriptions {
        group,
        egress,
        permissions,
        descriptions,
    })
    .await?;
    op.respond_true()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{
        Fake, ME, OTHER, all, call, dry_run, error, missing_parameter, new_vpc, ok, unknown_filter,
    };

    /// `IpPermissions.1` for TCP on `port` with `cidr`, as a query suffix.
    fn tcp(port: u16, cidr: &str) -> String {
        format!(
            "&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort={port}\
             &IpPermissions.1.ToPort={port}&IpPermissions.1.IpRanges.1.CidrIp={cidr}"
        )
    }

    /// A new group of `ME` named `name` in `vpc`: its id.
    fn group(b: &Fake, vpc: &str, name: &str) -> String {
        let create = format!(
            "Action=CreateSecurityGroup&VpcId={vpc}&GroupName={name}&GroupDescription={name}"
        );
        all(&ok(b, ME, &create), "groupId").remove(0)
    }

    /// A group in a new VPC with one SSH rule from 10.0.0.0/8: (group id, rule id).
    fn group_with_rule(b: &Fake) -> (String, String) {
        let sg = group(b, &new_vpc(b), "web");
        let allow = format!(
            "Action=AuthorizeSecurityGroupIngress&GroupId={sg}{}",
            tcp(22, "10.0.0.0/8")
        );
        let rule = all(&ok(b, ME, &allow), "securityGroupRuleId").remove(0);
        (sg, rule)
    }

    /// The IPv4 CIDRs of a group's `ipPermissions` or `ipPermissionsEgress`, as described.
    fn cidrs(b: &Fake, sg: &str, list: &str) -> Vec<String> {
        let body = ok(
            b,
            ME,
            &format!("Action=DescribeSecurityGroups&GroupId.1={sg}"),
        );
        all(&all(&body, list).concat(), "cidrIp")
    }

    /// The ids of the groups a DescribeSecurityGroups answer lists (a `groupId` may also be
    /// a rule's peer: the default group allows its own members in).
    fn group_ids(body: &str) -> Vec<String> {
        all(body, "securityGroupArn")
            .iter()
            .filter_map(|arn| arn.rsplit('/').next())
            .map(str::to_owned)
            .collect()
    }

    /// The ids of a group's rules of one direction, as DescribeSecurityGroupRules lists them.
    fn rule_ids(b: &Fake, sg: &str, egress: bool) -> Vec<String> {
        let q = format!(
            "Action=DescribeSecurityGroupRules&Filter.1.Name=group-id&Filter.1.Value.1={sg}"
        );
        let body = ok(b, ME, &q);
        all(&body, "securityGroupRuleId")
            .into_iter()
            .zip(all(&body, "isEgress"))
            .filter(|(_, e)| *e == egress.to_string())
            .map(|(id, _)| id)
            .collect()
    }

    #[test]
    fn group_id_filter_values_must_be_group_ids() {
        let b = Fake::default();
        let (sg, _) = group_with_rule(&b);
        for action in ["DescribeSecurityGroups", "DescribeSecurityGroupRules"] {
            let by = |value: &str| {
                format!("Action={action}&Filter.1.Name=group-id&Filter.1.Value.1={value}")
            };
            let r = call(&b, ME, &by("bogus"));
            assert_eq!(
                all(&r.body, "Code"),
                ["InvalidGroupId.Malformed"],
                "{action}"
            );
            assert_eq!(
                all(&r.body, "Message"),
                ["Invalid id: &quot;bogus&quot; (expecting &quot;sg-...&quot;)"]
            );
            // A pattern is not an id.
            assert!(ok(&b, ME, &by("sg-*")).contains(&sg), "{action}");
        }
        let rule_id = "Action=DescribeSecurityGroupRules\
                       &Filter.1.Name=security-group-rule-id&Filter.1.Value.1=sgr-x";
        assert_eq!(
            error(&b, ME, rule_id),
            "InvalidSecurityGroupRuleId.Malformed"
        );
    }

    #[test]
    fn rule_descriptions_take_permissions_or_rule_ids() {
        let b = Fake::default();
        let (sg, rule) = group_with_rule(&b);
        let update = |query: &str| {
            format!("Action=UpdateSecurityGroupRuleDescriptionsIngress&GroupId={sg}{query}")
        };
        let by_id = format!(
            "&SecurityGroupRuleDescription.1.SecurityGroupRuleId={rule}\
             &SecurityGroupRuleDescription.1.Description=ssh"
        );
        let by_permission = &tcp(22, "10.0.0.0/8");
        assert_eq!(error(&b, ME, &update("")), "MissingParameter");
        let both = update(&format!("{by_id}{by_permission}"));
        assert_eq!(error(&b, ME, &both), "InvalidParameterCombination");
        let malformed = update("&SecurityGroupRuleDescription.1.SecurityGroupRuleId=sgr-x");
        assert_eq!(
            error(&b, ME, &malformed),
            "InvalidSecurityGroupRuleId.Malformed"
        );
        assert_eq!(all(&ok(&b, ME, &update(&by_id)), "return"), ["true"]);
        let rules = ok(&b, ME, "Action=DescribeSecurityGroupRules");
        assert!(rules.contains("<description>ssh</description>"), "{rules}");
        ok(&b, ME, &update(by_permission));
        let rules = ok(&b, ME, "Action=DescribeSecurityGroupRules");
        assert!(!rules.contains("<description>"), "{rules}");
        let egress =
            format!("Action=UpdateSecurityGroupRuleDescriptionsEgress&GroupId={sg}{by_permission}");
        assert_eq!(error(&b, ME, &egress), "InvalidPermission.NotFound");
    }

    #[test]
    fn authorize_egress_adds_rules_from_ip_permissions_only() {
        let b = Fake::default();
        let sg = group(&b, &new_vpc(&b), "out");
        let authorize = format!("Action=AuthorizeSecurityGroupEgress&GroupId={sg}");
        let https = format!("{authorize}{}", tcp(443, "10.1.0.0/16"));
        dry_run(&b, &https);
        // A new group allows all egress: the one rule until then.
        assert_eq!(cidrs(&b, &sg, "ipPermissionsEgress"), ["0.0.0.0/0"]);
        let body = ok(&b, ME, &https);
        assert_eq!(all(&body, "return"), ["true"]);
        assert_eq!(all(&body, "isEgress"), ["true"]);
        assert_eq!(all(&body, "groupId"), [sg.as_str()]);
        assert_eq!(all(&body, "cidrIpv4"), ["10.1.0.0/16"]);
        assert_eq!(all(&body, "fromPort"), ["443"]);
        let rule = all(&body, "securityGroupRuleId").remove(0);
        assert!(rule_ids(&b, &sg, true).contains(&rule));
        assert!(rule_ids(&b, &sg, false).is_empty());
        assert_eq!(
            cidrs(&b, &sg, "ipPermissionsEgress"),
            ["0.0.0.0/0", "10.1.0.0/16"]
        );
        assert!(cidrs(&b, &sg, "ipPermissions").is_empty());
        assert_eq!(error(&b, ME, &https), "InvalidPermission.Duplicate");
        // The flat ingress parameters are not egress's.
        let legacy = format!("{authorize}&IpProtocol=tcp&FromPort=80&ToPort=80&CidrIp=10.2.0.0/16");
        assert_eq!(error(&b, ME, &legacy), "InvalidParameterValue");
        missing_parameter(&b, &authorize);
        missing_parameter(
            &b,
            &format!(
                "Action=AuthorizeSecurityGroupEgress{}",
                tcp(80, "10.2.0.0/16")
            ),
        );
        let bad_port = format!("{authorize}{}", tcp(80, "10.2.0.0/16")).replace("=80&", "=x&");
        assert_eq!(error(&b, ME, &bad_port), "InvalidParameterValue");
        for (account, id, want) in [
            (ME, "sg-x", "InvalidGroupId.Malformed"),
            (ME, "sg-0123456789abcdef0", "InvalidGroup.NotFound"),
            (OTHER, sg.as_str(), "InvalidGroup.NotFound"),
        ] {
            let q = format!(
                "Action=AuthorizeSecurityGroupEgress&GroupId={id}{}",
                tcp(80, "10.2.0.0/16")
            );
            assert_eq!(error(&b, account, &q), want, "{account} {id}");
        }
        assert_eq!(
            cidrs(&b, &sg, "ipPermissionsEgress"),
            ["0.0.0.0/0", "10.1.0.0/16"]
        );
    }

    #[test]
    fn revoke_egress_by_permission_or_rule_id() {
        let b = Fake::default();
        let (sg, ingress_rule) = group_with_rule(&b);
        let https = tcp(443, "10.1.0.0/16");
        ok(
            &b,
            ME,
            &format!("Action=AuthorizeSecurityGroupEgress&GroupId={sg}{https}"),
        );
        let revoke = format!("Action=RevokeSecurityGroupEgress&GroupId={sg}");
        dry_run(&b, &format!("{revoke}{https}"));
        let rules = rule_ids(&b, &sg, true);
        assert_eq!(rules.len(), 2);
        let body = ok(&b, ME, &format!("{revoke}{https}"));
        assert_eq!(all(&body, "return"), ["true"]);
        assert_eq!(all(&body, "isEgress"), ["true"]);
        assert_eq!(all(&body, "cidrIpv4"), ["10.1.0.0/16"]);
        assert_eq!(all(&body, "fromPort"), ["443"]);
        assert_eq!(cidrs(&b, &sg, "ipPermissionsEgress"), ["0.0.0.0/0"]);
        // Outside the default VPC every permission must exist.
        assert_eq!(
            error(&b, ME, &format!("{revoke}{https}")),
            "InvalidPermission.NotFound"
        );
        // An ingress rule is not an egress rule.
        let by_id = |id: &str| format!("{revoke}&SecurityGroupRuleId.1={id}");
        assert_eq!(
            error(&b, ME, &by_id(&ingress_rule)),
            "InvalidSecurityGroupRuleId.NotFound"
        );
        assert_eq!(
            error(&b, ME, &by_id("sgr-x")),
            "InvalidSecurityGroupRuleId.Malformed"
        );
        let [all_traffic] = rule_ids(&b, &sg, true).try_into().unwrap();
        let body = ok(&b, ME, &by_id(&all_traffic));
        assert_eq!(all(&body, "securityGroupRuleId"), [all_traffic.as_str()]);
        assert_eq!(all(&body, "ipProtocol"), ["-1"]);
        assert!(cidrs(&b, &sg, "ipPermissionsEgress").is_empty());
        assert_eq!(cidrs(&b, &sg, "ipPermissions"), ["10.0.0.0/8"]);
        let legacy = format!("{revoke}&IpProtocol=-1&CidrIp=0.0.0.0/0");
        assert_eq!(error(&b, ME, &legacy), "InvalidParameterValue");
        missing_parameter(&b, &revoke);
        assert_eq!(
            error(&b, OTHER, &format!("{revoke}{https}")),
            "InvalidGroup.NotFound"
        );
    }

    #[test]
    fn revoke_ingress_by_permission_flat_parameters_or_rule_id() {
        let b = Fake::default();
        let (sg, rule) = group_with_rule(&b);
        let revoke = format!("Action=RevokeSecurityGroupIngress&GroupId={sg}");
        let flat = "&IpProtocol=tcp&FromPort=22&ToPort=22&CidrIp=10.0.0.0/8";
        dry_run(&b, &format!("{revoke}{flat}"));
        assert_eq!(rule_ids(&b, &sg, false), [rule.as_str()]);
        let both = format!("{revoke}{flat}{}", tcp(22, "10.0.0.0/8"));
        assert_eq!(error(&b, ME, &both), "InvalidParameterCombination");
        let body = ok(&b, ME, &format!("{revoke}{flat}"));
        assert_eq!(all(&body, "revokedSecurityGroupRuleSet").len(), 1);
        assert_eq!(all(&body, "securityGroupRuleId"), [rule.as_str()]);
        assert_eq!(all(&body, "isEgress"), ["false"]);
        assert!(cidrs(&b, &sg, "ipPermissions").is_empty());
        assert_eq!(
            error(&b, ME, &format!("{revoke}{flat}")),
            "InvalidPermission.NotFound"
        );
        // By rule id; the egress rules stay.
        let allow = format!(
            "Action=AuthorizeSecurityGroupIngress&GroupId={sg}{}",
            tcp(22, "10.0.0.0/8")
        );
        let rule = all(&ok(&b, ME, &allow), "securityGroupRuleId").remove(0);
        let by_id = format!("{revoke}&SecurityGroupRuleId.1={rule}");
        assert_eq!(error(&b, OTHER, &by_id), "InvalidGroup.NotFound");
        let body = ok(&b, ME, &by_id);
        assert_eq!(all(&body, "securityGroupRuleId"), [rule.as_str()]);
        assert_eq!(all(&body, "cidrIpv4"), ["10.0.0.0/8"]);
        assert!(rule_ids(&b, &sg, false).is_empty());
        assert_eq!(cidrs(&b, &sg, "ipPermissionsEgress"), ["0.0.0.0/0"]);
        assert_eq!(error(&b, ME, &by_id), "InvalidSecurityGroupRuleId.NotFound");
        missing_parameter(&b, &revoke);
        missing_parameter(
            &b,
            &format!("Action=RevokeSecurityGroupIngress{}", tcp(22, "10.0.0.0/8")),
        );
        // A name names a group of the default VPC, which this account does not have.
        let by_name = format!("Action=RevokeSecurityGroupIngress&GroupName=web{flat}");
        assert_eq!(error(&b, ME, &by_name), "InvalidGroup.NotFound");
    }

    #[test]
    fn delete_security_group_refuses_default_and_referenced_groups() {
        let b = Fake::default();
        let vpc = new_vpc(&b);
        let (web, db) = (group(&b, &vpc, "web"), group(&b, &vpc, "db"));
        let from_web = format!(
            "Action=AuthorizeSecurityGroupIngress&GroupId={db}&IpPermissions.1.IpProtocol=tcp\
             &IpPermissions.1.FromPort=5432&IpPermissions.1.ToPort=5432\
             &IpPermissions.1.Groups.1.GroupId={web}"
        );
        ok(&b, ME, &from_web);
        let delete = |id: &str| format!("Action=DeleteSecurityGroup&GroupId={id}");
        assert_eq!(error(&b, ME, &delete(&web)), "DependencyViolation");
        let q = format!(
            "Action=DescribeSecurityGroups&Filter.1.Name=vpc-id&Filter.1.Value.1={vpc}\
             &Filter.2.Name=group-name&Filter.2.Value.1=default"
        );
        let default = all(&ok(&b, ME, &q), "groupId").remove(0);
        assert_eq!(error(&b, ME, &delete(&default)), "CannotDelete");
        dry_run(&b, &delete(&db));
        assert_eq!(error(&b, OTHER, &delete(&db)), "InvalidGroup.NotFound");
        let body = ok(&b, ME, &delete(&db));
        assert_eq!(all(&body, "return"), ["true"]);
        assert_eq!(all(&body, "groupId"), [db.as_str()]);
        let described = format!("Action=DescribeSecurityGroups&GroupId.1={db}");
        assert_eq!(error(&b, ME, &described), "InvalidGroup.NotFound");
        // Its rule referenced web: web can go now.
        assert_eq!(all(&ok(&b, ME, &delete(&web)), "groupId"), [web.as_str()]);
        assert_eq!(error(&b, ME, &delete(&web)), "InvalidGroup.NotFound");
        assert_eq!(error(&b, ME, &delete("sg-x")), "InvalidGroupId.Malformed");
        missing_parameter(&b, "Action=DeleteSecurityGroup");
        let by_name = "Action=DeleteSecurityGroup&GroupName=web";
        assert_eq!(error(&b, ME, by_name), "InvalidGroup.NotFound");
        let q =
            format!("Action=DescribeSecurityGroups&Filter.1.Name=vpc-id&Filter.1.Value.1={vpc}");
        assert_eq!(group_ids(&ok(&b, ME, &q)), [default.as_str()]);
    }

    #[test]
    fn describe_security_groups_by_id_and_filter() {
        let b = Fake::default();
        let (sg, _) = group_with_rule(&b);
        let by_id = format!("Action=DescribeSecurityGroups&GroupId.1={sg}");
        dry_run(&b, &by_id);
        let body = ok(&b, ME, &by_id);
        assert_eq!(all(&body, "groupId"), [sg.as_str()]);
        assert_eq!(all(&body, "groupName"), ["web"]);
        assert_eq!(all(&body, "groupDescription"), ["web"]);
        assert_eq!(all(&body, "ownerId"), [ME]);
        assert_eq!(all(&body, "ipProtocol"), ["tcp", "-1"]);
        assert_eq!(all(&body, "fromPort"), ["22"]);
        let arn = format!("arn:aws:ec2:ap-northeast-1:{ME}:security-group/{sg}");
        assert_eq!(all(&body, "securityGroupArn"), [arn]);
        let vpc = all(&body, "vpcId").remove(0);
        let filtered = |filters: &str| {
            let q = format!("Action=DescribeSecurityGroups{filters}");
            group_ids(&ok(&b, ME, &q))
        };
        let default = filtered("&Filter.1.Name=group-name&Filter.1.Value.1=default");
        assert_eq!(default.len(), 1);
        assert_eq!(
            filtered(&format!("&Filter.1.Name=vpc-id&Filter.1.Value.1={vpc}")),
            [default[0].as_str(), sg.as_str()]
        );
        for filter in [
            "ip-permission.from-port&Filter.1.Value.1=22",
            "ip-permission.cidr&Filter.1.Value.1=10.0.0.0/8",
            "ip-permission.protocol&Filter.1.Value.1=tcp",
            "description&Filter.1.Value.1=web",
        ] {
            let q = format!("&Filter.1.Name={filter}");
            assert_eq!(filtered(&q), [sg.as_str()], "{filter}");
        }
        let q = "&Filter.1.Name=egress.ip-permission.cidr&Filter.1.Value.1=10.0.0.0/8";
        assert!(filtered(q).is_empty());
        assert_eq!(
            filtered(&format!(
                "&GroupId.1={sg}&Filter.1.Name=group-name&Filter.1.Value.1=db"
            )),
            Vec::<String>::new()
        );
        unknown_filter(&b, "Action=DescribeSecurityGroups");
        let unknown = "Action=DescribeSecurityGroups&GroupId.1=sg-0123456789abcdef0";
        assert_eq!(error(&b, ME, unknown), "InvalidGroup.NotFound");
        let malformed = "Action=DescribeSecurityGroups&GroupId.1=sg-x";
        assert_eq!(error(&b, ME, malformed), "InvalidGroupId.Malformed");
        assert_eq!(error(&b, OTHER, &by_id), "InvalidGroup.NotFound");
        let theirs = ok(&b, OTHER, "Action=DescribeSecurityGroups");
        assert!(!theirs.contains(&sg), "{theirs}");
        let by_name = "Action=DescribeSecurityGroups&GroupName.1=web";
        assert_eq!(error(&b, ME, by_name), "InvalidGroup.NotFound");
    }

    #[test]
    fn modify_security_group_rules_replaces_a_rule_keeping_its_id() {
        let b = Fake::default();
        let (sg, rule) = group_with_rule(&b);
        let modify = format!("Action=ModifySecurityGroupRules&GroupId={sg}");
        let update = |id: &str, rule: &str| {
            format!(
                "{modify}&SecurityGroupRule.1.SecurityGroupRuleId={id}\
                 &SecurityGroupRule.1.SecurityGroupRule.IpProtocol=tcp{rule}"
            )
        };
        let ssh_alt = "&SecurityGroupRule.1.SecurityGroupRule.FromPort=2222\
                       &SecurityGroupRule.1.SecurityGroupRule.ToPort=2222\
                       &SecurityGroupRule.1.SecurityGroupRule.CidrIpv4=10.1.0.0/16\
                       &SecurityGroupRule.1.SecurityGroupRule.Description=alt";
        dry_run(&b, &update(&rule, ssh_alt));
        assert_eq!(cidrs(&b, &sg, "ipPermissions"), ["10.0.0.0/8"]);
        assert_eq!(
            all(&ok(&b, ME, &update(&rule, ssh_alt)), "return"),
            ["true"]
        );
        let q = format!("Action=DescribeSecurityGroupRules&SecurityGroupRuleId.1={rule}");
        let body = ok(&b, ME, &q);
        assert_eq!(all(&body, "fromPort"), ["2222"]);
        assert_eq!(all(&body, "toPort"), ["2222"]);
        assert_eq!(all(&body, "cidrIpv4"), ["10.1.0.0/16"]);
        assert_eq!(all(&body, "description"), ["alt"]);
        assert_eq!(all(&body, "isEgress"), ["false"]);
        assert_eq!(cidrs(&b, &sg, "ipPermissions"), ["10.1.0.0/16"]);
        for (query, want) in [
            (
                update("sgr-0123456789abcdef0", ssh_alt),
                "InvalidSecurityGroupRuleId.NotFound",
            ),
            (
                update("sgr-x", ssh_alt),
                "InvalidSecurityGroupRuleId.Malformed",
            ),
            // A CIDR rule stays a CIDR rule.
            (
                update(
                    &rule,
                    "&SecurityGroupRule.1.SecurityGroupRule.CidrIpv6=2001:db8::/32",
                ),
                "InvalidParameterValue",
            ),
            (
                update(
                    &rule,
                    "&SecurityGroupRule.1.SecurityGroupRule.CidrIpv4=10.1.0.0/16\
                     &SecurityGroupRule.1.SecurityGroupRule.CidrIpv6=2001:db8::/32",
                ),
                "InvalidParameterCombination",
            ),
            (update(&rule, ""), "MissingParameter"),
            (modify.clone(), "MissingParameter"),
            (
                format!(
                    "{modify}&SecurityGroupRule.1.SecurityGroupRuleId={rule}\
                     &SecurityGroupRule.1.SecurityGroupRule.CidrIpv4=10.1.0.0/16"
                ),
                "MissingParameter",
            ),
        ] {
            assert_eq!(error(&b, ME, &query), want, "{query}");
        }
        assert_eq!(
            error(&b, OTHER, &update(&rule, ssh_alt)),
            "InvalidGroup.NotFound"
        );
        missing_parameter(
            &b,
            &format!(
                "Action=ModifySecurityGroupRules&SecurityGroupRule.1.SecurityGroupRuleId={rule}"
            ),
        );
        assert_eq!(cidrs(&b, &sg, "ipPermissions"), ["10.1.0.0/16"]);
    }
}

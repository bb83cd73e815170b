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
    use super::super::testing::{Fake, ME, all, call, error, ok};

    /// A group in a new VPC with one SSH rule from 10.0.0.0/8: (group id, rule id).
    fn group_with_rule(b: &Fake) -> (String, String) {
        let vpc = all(
            &ok(b, ME, "Action=CreateVpc&CidrBlock=10.0.0.0/16"),
            "vpcId",
        )
        .remove(0);
        let create =
            format!("Action=CreateSecurityGroup&VpcId={vpc}&GroupName=web&GroupDescription=web");
        let sg = all(&ok(b, ME, &create), "groupId").remove(0);
        let allow = format!(
            "Action=AuthorizeSecurityGroupIngress&GroupId={sg}&IpPermissions.1.IpProtocol=tcp\
             &IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22\
             &IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8"
        );
        let rule = all(&ok(b, ME, &allow), "securityGroupRuleId").remove(0);
        (sg, rule)
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
        let by_permission = "&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=22\
                             &IpPermissions.1.ToPort=22&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8";
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
}

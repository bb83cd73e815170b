//! Network ACLs: Create/Delete/DescribeNetworkAcls, entries, and association replacement.

use super::filter::DESCRIBE_BOUNDS;
use super::input::Input;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::IpNet;
use localvpc_model::{
    Command, NetworkAcl, NetworkAclEntrySpec, NetworkAclId, RuleAction, VpcId, parse_ipv4_cidr,
    parse_ipv6_cidr,
};
use localvpc_wire::xml::XmlWriter;

const FILTERS: &[&str] = &[
    "association.association-id",
    "association.network-acl-id",
    "association.subnet-id",
    "default",
    "entry.cidr",
    "entry.egress",
    "entry.icmp.code",
    "entry.icmp.type",
    "entry.ipv6-cidr",
    "entry.port-range.from",
    "entry.port-range.to",
    "entry.protocol",
    "entry.rule-action",
    "entry.rule-number",
    "network-acl-id",
    "owner-id",
    "vpc-id",
];

fn write_acl(w: &mut XmlWriter, acl: &NetworkAcl) {
    w.list("associationSet", &acl.associations, |w, a| {
        w.leaf("networkAclAssociationId", a.id.as_str())
            .leaf("networkAclId", acl.id.as_str())
            .leaf("subnetId", a.subnet_id.as_str());
    })
    .list("entrySet", &acl.entries, |w, e| {
        match e.cidr {
            IpNet::V4(c) => w.leaf("cidrBlock", &c.to_string()),
            IpNet::V6(c) => w.leaf("ipv6CidrBlock", &c.to_string()),
        };
        w.bool("egress", e.egress);
        if let Some((t, c)) = e.icmp_type_code() {
            w.node("icmpTypeCode", |w| {
                w.num("code", c).num("type", t);
            });
        }
        if let Some(range) = e.traffic.port_range() {
            w.node("portRange", |w| {
                w.num("from", range.from()).num("to", range.to());
            });
        }
        w.leaf("protocol", &e.traffic.acl_protocol())
            .leaf("ruleAction", e.action.as_str())
            .num("ruleNumber", e.rule_number);
    })
    .bool("default", acl.is_default)
    .leaf("networkAclId", acl.id.as_str());
    super::tags::write_tag_set_always(w, &acl.tags);
    w.leaf("vpcId", acl.vpc_id.as_str())
        .leaf("ownerId", acl.scope.account.as_str());
}

fn filter_values(acl: &NetworkAcl, name: &str) -> Vec<String> {
    let entries = || acl.entries.iter();
    let assoc = || acl.associations.iter();
    match name {
        "association.association-id" => assoc().map(|a| a.id.to_string()).collect(),
        "association.network-acl-id" => assoc().map(|_| acl.id.to_string()).collect(),
        "association.subnet-id" => assoc().map(|a| a.subnet_id.to_string()).collect(),
        "default" => vec![acl.is_default.to_string()],
        "entry.cidr" => entries()
            .filter(|e| e.cidr.addr().is_ipv4())
            .map(|e| e.cidr.to_string())
            .collect(),
        "entry.ipv6-cidr" => entries()
            .filter(|e| e.cidr.addr().is_ipv6())
            .map(|e| e.cidr.to_string())
            .collect(),
        "entry.egress" => entries().map(|e| e.egress.to_string()).collect(),
        "entry.icmp.code" => entries()
            .filter_map(|e| e.icmp_type_code().map(|(_, c)| c.to_string()))
            .collect(),
        "entry.icmp.type" => entries()
            .filter_map(|e| e.icmp_type_code().map(|(t, _)| t.to_string()))
            .collect(),
        "entry.port-range.from" => entries()
            .filter_map(|e| e.traffic.port_range().map(|r| r.from().to_string()))
            .collect(),
        "entry.port-range.to" => entries()
            .filter_map(|e| e.traffic.port_range().map(|r| r.to().to_string()))
            .collect(),
        "entry.protocol" => entries().map(|e| e.traffic.acl_protocol()).collect(),
        "entry.rule-action" => entries().map(|e| e.action.as_str().to_owned()).collect(),
        "entry.rule-number" => entries().map(|e| e.rule_number.to_string()).collect(),
        "network-acl-id" => vec![acl.id.to_string()],
        "owner-id" => vec![acl.scope.account.to_string()],
        "vpc-id" => vec![acl.vpc_id.to_string()],
        _ => Vec::new(),
    }
}

fn acl_id(p: &Input<'_>) -> Result<NetworkAclId, ApiError> {
    Ok(NetworkAclId::parse(p.required("NetworkAclId")?)?)
}

fn required_int(p: &Input<'_>, name: &str) -> Result<i64, ApiError> {
    p.int(name)?.ok_or_else(|| ApiError::missing(name))
}

fn required_bool(p: &Input<'_>, name: &str) -> Result<bool, ApiError> {
    p.bool(name)?.ok_or_else(|| ApiError::missing(name))
}

fn entry(p: &Input<'_>) -> Result<NetworkAclEntrySpec, ApiError> {
    let action = p.required("RuleAction")?;
    let action = RuleAction::parse(action).ok_or_else(|| {
        ApiError::invalid_value(format!(
            "Value ({action}) for parameter ruleAction is invalid."
        ))
    })?;
    let cidr = match (p.opt("CidrBlock"), p.opt("Ipv6CidrBlock")) {
        (Some(c), None) => IpNet::V4(parse_ipv4_cidr(c, "cidrBlock")?),
        (None, Some(c)) => IpNet::V6(parse_ipv6_cidr(c, "ipv6CidrBlock")?),
        (None, None) => return Err(ApiError::missing("CidrBlock")),
        (Some(_), Some(_)) => {
            return Err(ApiError::combination(
                "Only one of cidrBlock or ipv6CidrBlock may be specified",
            ));
        }
    };
    let pair = |prefix: &str, a: &str, b: &str| -> Result<Option<(i64, i64)>, ApiError> {
        let x = p.int(&format!("{prefix}.{a}"))?;
        let y = p.int(&format!("{prefix}.{b}"))?;
        Ok(match (x, y) {
            (None, None) => None,
            (Some(x), Some(y)) => Some((x, y)),
            _ => {
                return Err(ApiError::missing(&format!(
                    "{prefix}.{}",
                    if x.is_none() { a } else { b }
                )));
            }
        })
    };
    Ok(NetworkAclEntrySpec {
        rule_number: required_int(p, "RuleNumber")?,
        egress: required_bool(p, "Egress")?,
        protocol: p.required("Protocol")?.to_owned(),
        action,
        cidr,
        port_range: pair("PortRange", "From", "To")?,
        icmp: pair("Icmp", "Type", "Code")?,
    })
}

pub(super) async fn create_network_acl<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let vpc_id = VpcId::parse(p.required("VpcId")?)?;
    let tag_specifications = p.tag_specifications()?;
    let acl = op
        .run_as(Command::CreateNetworkAcl {
            vpc_id,
            tag_specifications,
        })
        .await?;
    op.respond(|w| {
        w.node("networkAcl", |w| write_acl(w, &acl));
        w.leaf_opt("clientToken", p.opt("ClientToken"));
    })
}

pub(super) async fn delete_network_acl<B: Backend>(op: &Op<'_, B>) -> Body {
    let network_acl_id = acl_id(&op.params)?;
    op.run(Command::DeleteNetworkAcl { network_acl_id }).await?;
    op.respond_true()
}

pub(super) fn describe_network_acls<B: Backend>(op: &Op<'_, B>) -> Body {
    op.describe("NetworkAclId", NetworkAclId::parse)?
        .filters(FILTERS, true)?
        .paged(&DESCRIBE_BOUNDS)?
        .answer("networkAclSet", filter_values, write_acl)
}

pub(super) async fn create_network_acl_entry<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let network_acl_id = acl_id(p)?;
    let entry = entry(p)?;
    op.run(Command::CreateNetworkAclEntry {
        network_acl_id,
        entry,
    })
    .await?;
    op.respond_true()
}

pub(super) async fn replace_network_acl_entry<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let network_acl_id = acl_id(p)?;
    let entry = entry(p)?;
    op.run(Command::ReplaceNetworkAclEntry {
        network_acl_id,
        entry,
    })
    .await?;
    op.respond_true()
}

pub(super) async fn delete_network_acl_entry<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let network_acl_id = acl_id(p)?;
    let rule_number = required_int(p, "RuleNumber")?;
    let egress = required_bool(p, "Egress")?;
    op.run(Command::DeleteNetworkAclEntry {
        network_acl_id,
        rule_number,
        egress,
    })
    .await?;
    op.respond_true()
}

pub(super) async fn replace_network_acl_association<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let association_id = p.required("AssociationId")?.to_owned();
    let network_acl_id = acl_id(p)?;
    let id: localvpc_model::NetworkAclAssociationId = op
        .run_as(Command::ReplaceNetworkAclAssociation {
            association_id,
            network_acl_id,
        })
        .await?;
    op.respond(|w| {
        w.leaf("newAssociationId", id.as_str());
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{
        Fake, ME, OTHER, all, dry_run, error, missing_parameter, new_subnet, ok,
    };

    /// A new VPC of `ME` and a network ACL of its own: (vpc, acl).
    fn acl(b: &Fake) -> (String, String) {
        let vpc = all(
            &ok(b, ME, "Action=CreateVpc&CidrBlock=10.0.0.0/16"),
            "vpcId",
        )
        .remove(0);
        let acl = all(
            &ok(b, ME, &format!("Action=CreateNetworkAcl&VpcId={vpc}")),
            "networkAclId",
        )
        .remove(0);
        (vpc, acl)
    }

    #[test]
    fn create_network_acl() {
        let b = Fake::default();
        let (vpc, _) = acl(&b);
        missing_parameter(&b, "Action=CreateNetworkAcl");
        assert_eq!(
            error(&b, ME, "Action=CreateNetworkAcl&VpcId=vpc"),
            "InvalidVpcID.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=CreateNetworkAcl&VpcId=vpc-0123456789abcdef0"
            ),
            "InvalidVpcID.NotFound"
        );
        let create = format!("Action=CreateNetworkAcl&VpcId={vpc}");
        assert_eq!(error(&b, OTHER, &create), "InvalidVpcID.NotFound");
        dry_run(&b, &create);
        let body = ok(&b, ME, &format!("{create}&ClientToken=tok-2"));
        let [id] = all(&body, "networkAclId").try_into().unwrap();
        assert!(id.starts_with("acl-"), "{id}");
        assert_eq!(all(&body, "vpcId"), [vpc.as_str()]);
        assert_eq!(all(&body, "ownerId"), [ME]);
        assert_eq!(all(&body, "default"), ["false"]);
        assert_eq!(all(&body, "clientToken"), ["tok-2"]);
        assert!(body.contains("<associationSet/>"), "{body}");
        // A new ACL denies everything: the two catch-all rules 32767.
        assert_eq!(all(&body, "ruleNumber"), ["32767", "32767"]);
        assert_eq!(all(&body, "ruleAction"), ["deny", "deny"]);
        assert_eq!(all(&body, "cidrBlock"), ["0.0.0.0/0", "0.0.0.0/0"]);
    }

    #[test]
    fn describe_and_delete_network_acls() {
        let b = Fake::default();
        let (vpc, a) = acl(&b);
        assert_eq!(
            error(&b, ME, "Action=DescribeNetworkAcls&NetworkAclId.1=acl"),
            "InvalidNetworkAclId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=DescribeNetworkAcls&NetworkAclId.1=acl-0123456789abcdef0"
            ),
            "InvalidNetworkAclID.NotFound"
        );
        let describe = format!("Action=DescribeNetworkAcls&NetworkAclId.1={a}");
        assert_eq!(error(&b, OTHER, &describe), "InvalidNetworkAclID.NotFound");
        assert!(all(&ok(&b, OTHER, "Action=DescribeNetworkAcls"), "networkAclId").is_empty());
        assert_eq!(
            error(
                &b,
                ME,
                "Action=DescribeNetworkAcls&Filter.1.Name=color&Filter.1.Value.1=x"
            ),
            "InvalidParameterValue"
        );
        dry_run(&b, "Action=DescribeNetworkAcls");
        let body = ok(&b, ME, &describe);
        assert_eq!(all(&body, "networkAclId"), [a.as_str()]);
        let defaults = ok(
            &b,
            ME,
            &format!(
                "Action=DescribeNetworkAcls&Filter.1.Name=vpc-id&Filter.1.Value.1={vpc}\
                 &Filter.2.Name=default&Filter.2.Value.1=true"
            ),
        );
        let [default_acl] = all(&defaults, "networkAclId").try_into().unwrap();
        assert_ne!(default_acl, a);
        assert_eq!(all(&defaults, "default"), ["true"]);
        // The default ACL allows everything before the catch-all denies.
        assert_eq!(
            all(&defaults, "ruleAction"),
            ["allow", "deny", "allow", "deny"]
        );
        assert_eq!(
            all(&defaults, "ruleNumber"),
            ["100", "32767", "100", "32767"]
        );

        assert_eq!(error(&b, ME, "Action=DeleteNetworkAcl"), "MissingParameter");
        assert_eq!(
            error(&b, ME, "Action=DeleteNetworkAcl&NetworkAclId=rtb-1"),
            "InvalidNetworkAclId.Malformed"
        );
        let delete = format!("Action=DeleteNetworkAcl&NetworkAclId={a}");
        assert_eq!(error(&b, OTHER, &delete), "InvalidNetworkAclID.NotFound");
        dry_run(&b, &delete);
        assert_eq!(
            error(
                &b,
                ME,
                &format!("Action=DeleteNetworkAcl&NetworkAclId={default_acl}")
            ),
            "InvalidParameterValue"
        );
        assert_eq!(all(&ok(&b, ME, &delete), "return"), ["true"]);
        assert_eq!(error(&b, ME, &describe), "InvalidNetworkAclID.NotFound");
    }

    #[test]
    fn entries() {
        let b = Fake::default();
        let (_, a) = acl(&b);
        let create = format!("Action=CreateNetworkAclEntry&NetworkAclId={a}");
        let rule = "&RuleNumber=100&Egress=false&Protocol=6&RuleAction=allow\
                    &CidrBlock=10.0.0.0/8&PortRange.From=22&PortRange.To=22";
        assert_eq!(
            error(&b, ME, &format!("Action=CreateNetworkAclEntry{rule}")),
            "MissingParameter"
        );
        for missing in [
            "RuleNumber=100&",
            "Egress=false&",
            "Protocol=6&",
            "RuleAction=allow&",
        ] {
            let without = rule.replace(missing, "");
            assert_eq!(
                error(&b, ME, &format!("{create}{without}")),
                "MissingParameter",
                "{without}"
            );
        }
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}{}", rule.replace("&CidrBlock=10.0.0.0/8", ""))
            ),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}{}", rule.replace("&PortRange.To=22", ""))
            ),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}{}", rule.replace("allow", "permit"))
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}{}", rule.replace("10.0.0.0/8", "10.0.0.0/99"))
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}{}", rule.replace("Egress=false", "Egress=no"))
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}{}", rule.replace("RuleNumber=100", "RuleNumber=x"))
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(&b, ME, &format!("{create}{rule}&Ipv6CidrBlock=::/0")),
            "InvalidParameterCombination"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("Action=CreateNetworkAclEntry&NetworkAclId=acl{rule}")
            ),
            "InvalidNetworkAclId.Malformed"
        );
        assert_eq!(
            error(&b, OTHER, &format!("{create}{rule}")),
            "InvalidNetworkAclID.NotFound"
        );
        dry_run(&b, &format!("{create}{rule}"));
        let describe = format!("Action=DescribeNetworkAcls&NetworkAclId.1={a}");
        assert_eq!(
            all(&ok(&b, ME, &describe), "ruleNumber"),
            ["32767", "32767"]
        );
        assert_eq!(
            all(&ok(&b, ME, &format!("{create}{rule}")), "return"),
            ["true"]
        );
        let body = ok(&b, ME, &describe);
        assert!(
            body.contains(
                "<item><cidrBlock>10.0.0.0/8</cidrBlock><egress>false</egress>\
                 <portRange><from>22</from><to>22</to></portRange><protocol>6</protocol>\
                 <ruleAction>allow</ruleAction><ruleNumber>100</ruleNumber></item>"
            ),
            "{body}"
        );
        assert_eq!(
            error(&b, ME, &format!("{create}{rule}")),
            "NetworkAclEntryAlreadyExists"
        );

        // Replace
        let replace = format!("Action=ReplaceNetworkAclEntry&NetworkAclId={a}");
        let deny = rule.replace("allow", "deny");
        assert_eq!(
            error(
                &b,
                ME,
                &format!(
                    "{replace}{}",
                    deny.replace("RuleNumber=100", "RuleNumber=101")
                )
            ),
            "InvalidNetworkAclEntry.NotFound"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{replace}{}", deny.replace("Protocol=6&", ""))
            ),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, OTHER, &format!("{replace}{deny}")),
            "InvalidNetworkAclID.NotFound"
        );
        dry_run(&b, &format!("{replace}{deny}"));
        assert_eq!(
            all(&ok(&b, ME, &format!("{replace}{deny}")), "return"),
            ["true"]
        );
        assert_eq!(
            all(&ok(&b, ME, &describe), "ruleAction"),
            ["deny", "deny", "deny"]
        );

        // Delete
        let delete = format!("Action=DeleteNetworkAclEntry&NetworkAclId={a}");
        assert_eq!(
            error(&b, ME, &format!("{delete}&Egress=false")),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, ME, &format!("{delete}&RuleNumber=100")),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=DeleteNetworkAclEntry&RuleNumber=100&Egress=false"
            ),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, ME, &format!("{delete}&RuleNumber=100&Egress=true")),
            "InvalidNetworkAclEntry.NotFound"
        );
        let delete = format!("{delete}&RuleNumber=100&Egress=false");
        assert_eq!(error(&b, OTHER, &delete), "InvalidNetworkAclID.NotFound");
        dry_run(&b, &delete);
        assert_eq!(all(&ok(&b, ME, &delete), "return"), ["true"]);
        assert_eq!(
            all(&ok(&b, ME, &describe), "ruleNumber"),
            ["32767", "32767"]
        );
    }

    #[test]
    fn replace_network_acl_association() {
        let b = Fake::default();
        let s = new_subnet(&b);
        let by_subnet = ok(
            &b,
            ME,
            &format!(
                "Action=DescribeNetworkAcls&Filter.1.Name=association.subnet-id\
                 &Filter.1.Value.1={s}"
            ),
        );
        let [vpc] = all(&by_subnet, "vpcId").try_into().unwrap();
        let [assoc] = all(&by_subnet, "networkAclAssociationId")
            .try_into()
            .unwrap();
        assert!(assoc.starts_with("aclassoc-"), "{assoc}");
        let a = all(
            &ok(&b, ME, &format!("Action=CreateNetworkAcl&VpcId={vpc}")),
            "networkAclId",
        )
        .remove(0);
        let replace = "Action=ReplaceNetworkAclAssociation";
        assert_eq!(
            error(&b, ME, &format!("{replace}&NetworkAclId={a}")),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, ME, &format!("{replace}&AssociationId={assoc}")),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{replace}&AssociationId={assoc}&NetworkAclId=acl")
            ),
            "InvalidNetworkAclId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{replace}&AssociationId=aclassoc-0123456789abcdef0&NetworkAclId={a}")
            ),
            "InvalidAssociationID.NotFound"
        );
        let replace = format!("{replace}&AssociationId={assoc}&NetworkAclId={a}");
        assert_eq!(error(&b, OTHER, &replace), "InvalidAssociationID.NotFound");
        dry_run(&b, &replace);
        let body = ok(&b, ME, &replace);
        let [new_assoc] = all(&body, "newAssociationId").try_into().unwrap();
        assert!(new_assoc.starts_with("aclassoc-"), "{new_assoc}");
        assert_ne!(new_assoc, assoc);
        let described = ok(
            &b,
            ME,
            &format!("Action=DescribeNetworkAcls&NetworkAclId.1={a}"),
        );
        assert_eq!(
            all(&described, "networkAclAssociationId"),
            [new_assoc.as_str()]
        );
        assert_eq!(all(&described, "subnetId"), [s.as_str()]);
    }
}

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

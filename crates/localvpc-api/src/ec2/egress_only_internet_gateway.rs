//! Create/Delete/DescribeEgressOnlyInternetGateways.

use super::filter::Bounds;
use super::{Body, Op};
use crate::Backend;
use localvpc_model::{Command, EgressOnlyInternetGateway, EgressOnlyInternetGatewayId, VpcId};
use localvpc_wire::xml::XmlWriter;

/// `DescribeEgressOnlyInternetGatewaysMaxResults`: 5–255.
const BOUNDS: Bounds = Bounds { min: 5, max: 255 };

/// AWS documents only the tag filters; the attachment and id filters are accepted as the
/// other gateway kinds accept them (docs/aws-choices.md).
const FILTERS: &[&str] = &[
    "attachment.state",
    "attachment.vpc-id",
    "egress-only-internet-gateway-id",
];

fn write_gateway(w: &mut XmlWriter, g: &EgressOnlyInternetGateway) {
    w.list("attachmentSet", [&g.vpc_id], |w, vpc| {
        w.leaf("state", "attached").leaf("vpcId", vpc.as_str());
    })
    .leaf("egressOnlyInternetGatewayId", g.id.as_str());
    super::tags::write_tag_set(w, &g.tags);
}

pub(super) async fn create<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let vpc_id = VpcId::parse(p.required("VpcId")?)?;
    let tag_specifications = p.tag_specifications()?;
    let g = op
        .run_as(Command::CreateEgressOnlyInternetGateway {
            vpc_id,
            tag_specifications,
        })
        .await?;
    op.respond(|w| {
        w.leaf_opt("clientToken", p.opt("ClientToken"));
        w.node("egressOnlyInternetGateway", |w| write_gateway(w, &g));
    })
}

pub(super) async fn delete<B: Backend>(op: &Op<'_, B>) -> Body {
    let id =
        EgressOnlyInternetGatewayId::parse(op.params.required("EgressOnlyInternetGatewayId")?)?;
    op.run(Command::DeleteEgressOnlyInternetGateway { id })
        .await?;
    op.respond(|w| {
        w.bool("returnCode", true);
    })
}

fn filter_values(g: &EgressOnlyInternetGateway, name: &str) -> Vec<String> {
    match name {
        "attachment.state" => vec!["attached".to_owned()],
        "attachment.vpc-id" => vec![g.vpc_id.to_string()],
        "egress-only-internet-gateway-id" => vec![g.id.to_string()],
        _ => Vec::new(),
    }
}

pub(super) fn describe<B: Backend>(op: &Op<'_, B>) -> Body {
    let ids = (
        "EgressOnlyInternetGatewayId",
        EgressOnlyInternetGatewayId::parse,
    );
    op.describe(ids.0, ids.1)?
        .filters(FILTERS, true)?
        .paged(&BOUNDS)?
        .answer("egressOnlyInternetGatewaySet", filter_values, write_gateway)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{
        Fake, ME, OTHER, all, dry_run, error, missing_parameter, new_vpc, ok,
    };

    #[test]
    fn create_egress_only_internet_gateway() {
        let b = Fake::default();
        let v = new_vpc(&b);
        missing_parameter(&b, "Action=CreateEgressOnlyInternetGateway");
        assert_eq!(
            error(&b, ME, "Action=CreateEgressOnlyInternetGateway&VpcId=vpc"),
            "InvalidVpcID.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=CreateEgressOnlyInternetGateway&VpcId=vpc-0123456789abcdef0"
            ),
            "InvalidVpcID.NotFound"
        );
        let create = format!("Action=CreateEgressOnlyInternetGateway&VpcId={v}");
        assert_eq!(error(&b, OTHER, &create), "InvalidVpcID.NotFound");
        dry_run(&b, &create);
        assert!(
            all(
                &ok(&b, ME, "Action=DescribeEgressOnlyInternetGateways"),
                "egressOnlyInternetGatewayId"
            )
            .is_empty()
        );
        let body = ok(&b, ME, &format!("{create}&ClientToken=tok-3"));
        let [id] = all(&body, "egressOnlyInternetGatewayId")
            .try_into()
            .unwrap();
        assert!(id.starts_with("eigw-"), "{id}");
        assert_eq!(all(&body, "clientToken"), ["tok-3"]);
        assert!(
            body.contains(&format!(
                "<attachmentSet><item><state>attached</state><vpcId>{v}</vpcId></item>\
                 </attachmentSet>"
            )),
            "{body}"
        );
    }

    #[test]
    fn describe_egress_only_internet_gateways() {
        let b = Fake::default();
        let v = new_vpc(&b);
        let g = all(
            &ok(
                &b,
                ME,
                &format!("Action=CreateEgressOnlyInternetGateway&VpcId={v}"),
            ),
            "egressOnlyInternetGatewayId",
        )
        .remove(0);
        let describe = "Action=DescribeEgressOnlyInternetGateways";
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{describe}&EgressOnlyInternetGatewayId.1=eigw")
            ),
            "InvalidEgressOnlyInternetGatewayId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{describe}&EgressOnlyInternetGatewayId.1=eigw-0123456789abcdef0")
            ),
            "InvalidEgressOnlyInternetGatewayId.NotFound"
        );
        let by_id = format!("{describe}&EgressOnlyInternetGatewayId.1={g}");
        assert_eq!(
            error(&b, OTHER, &by_id),
            "InvalidEgressOnlyInternetGatewayId.NotFound"
        );
        assert!(all(&ok(&b, OTHER, describe), "egressOnlyInternetGatewayId").is_empty());
        assert_eq!(
            error(&b, ME, &format!("{describe}&MaxResults=256")),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{describe}&Filter.1.Name=owner-id&Filter.1.Value.1={ME}")
            ),
            "InvalidParameterValue"
        );
        dry_run(&b, &by_id);
        let body = ok(&b, ME, &by_id);
        assert_eq!(all(&body, "egressOnlyInternetGatewayId"), [g.as_str()]);
        assert_eq!(all(&body, "vpcId"), [v.as_str()]);
        assert_eq!(all(&body, "state"), ["attached"]);
        let filtered = ok(
            &b,
            ME,
            &format!(
                "{describe}&Filter.1.Name=attachment.vpc-id&Filter.1.Value.1=vpc-0123456789abcdef0"
            ),
        );
        assert!(
            all(&filtered, "egressOnlyInternetGatewayId").is_empty(),
            "{filtered}"
        );
    }

    #[test]
    fn delete_egress_only_internet_gateway() {
        let b = Fake::default();
        let v = new_vpc(&b);
        let g = all(
            &ok(
                &b,
                ME,
                &format!("Action=CreateEgressOnlyInternetGateway&VpcId={v}"),
            ),
            "egressOnlyInternetGatewayId",
        )
        .remove(0);
        let delete = "Action=DeleteEgressOnlyInternetGateway";
        assert_eq!(error(&b, ME, delete), "MissingParameter");
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{delete}&EgressOnlyInternetGatewayId=igw-0123456789abcdef0")
            ),
            "InvalidEgressOnlyInternetGatewayId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{delete}&EgressOnlyInternetGatewayId=eigw-0123456789abcdef0")
            ),
            "InvalidGatewayID.NotFound"
        );
        let by_id = format!("{delete}&EgressOnlyInternetGatewayId={g}");
        assert_eq!(error(&b, OTHER, &by_id), "InvalidGatewayID.NotFound");
        dry_run(&b, &by_id);
        let body = ok(&b, ME, &by_id);
        assert_eq!(all(&body, "returnCode"), ["true"]);
        assert_eq!(error(&b, ME, &by_id), "InvalidGatewayID.NotFound");
    }
}

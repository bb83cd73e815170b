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

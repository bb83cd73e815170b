//! Create/Attach/Detach/Delete/DescribeInternetGateways.

use super::filter::{DESCRIBE_BOUNDS, texts};
use super::{Body, Op};
use crate::Backend;
use localvpc_model::{Command, InternetGateway, InternetGatewayId, VpcId};
use localvpc_wire::xml::XmlWriter;

const FILTERS: &[&str] = &[
    "attachment.state",
    "attachment.vpc-id",
    "internet-gateway-id",
    "owner-id",
];

pub(super) fn write_internet_gateway(w: &mut XmlWriter, g: &InternetGateway) {
    w.list("attachmentSet", g.attached_vpc.iter(), |w, vpc| {
        w.leaf("state", "available").leaf("vpcId", vpc.as_str());
    })
    .leaf("internetGatewayId", g.id.as_str())
    .leaf("ownerId", g.scope.account.as_str());
    super::tags::write_tag_set(w, &g.tags);
}

fn ids<B: Backend>(op: &Op<'_, B>) -> Result<(InternetGatewayId, VpcId), crate::ApiError> {
    let p = &op.params;
    Ok((
        InternetGatewayId::parse(p.required("InternetGatewayId")?)?,
        VpcId::parse(p.required("VpcId")?)?,
    ))
}

pub(super) async fn create<B: Backend>(op: &Op<'_, B>) -> Body {
    let tag_specifications = op.params.tag_specifications()?;
    let g = op
        .run_as(Command::CreateInternetGateway { tag_specifications })
        .await?;
    op.respond(|w| {
        w.node("internetGateway", |w| write_internet_gateway(w, &g));
    })
}

pub(super) async fn attach<B: Backend>(op: &Op<'_, B>) -> Body {
    let (internet_gateway_id, vpc_id) = ids(op)?;
    op.run(Command::AttachInternetGateway {
        internet_gateway_id,
        vpc_id,
    })
    .await?;
    op.respond_true()
}

pub(super) async fn detach<B: Backend>(op: &Op<'_, B>) -> Body {
    let (internet_gateway_id, vpc_id) = ids(op)?;
    op.run(Command::DetachInternetGateway {
        internet_gateway_id,
        vpc_id,
    })
    .await?;
    op.respond_true()
}

pub(super) async fn delete<B: Backend>(op: &Op<'_, B>) -> Body {
    let internet_gateway_id = InternetGatewayId::parse(op.params.required("InternetGatewayId")?)?;
    op.run(Command::DeleteInternetGateway {
        internet_gateway_id,
    })
    .await?;
    op.respond_true()
}

fn filter_values(g: &InternetGateway, name: &str) -> Vec<String> {
    match name {
        "attachment.state" => texts(g.attached_vpc.iter().map(|_| "available")),
        "attachment.vpc-id" => texts(&g.attached_vpc),
        "internet-gateway-id" => vec![g.id.to_string()],
        "owner-id" => vec![g.scope.account.to_string()],
        _ => Vec::new(),
    }
}

pub(super) fn describe<B: Backend>(op: &Op<'_, B>) -> Body {
    op.describe("InternetGatewayId", InternetGatewayId::parse)?
        .filters(FILTERS, true)?
        .paged(&DESCRIBE_BOUNDS)?
        .answer("internetGatewaySet", filter_values, write_internet_gateway)
}

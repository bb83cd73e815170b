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

#[cfg(test)]
mod tests {
    use super::super::testing::{Fake, ME, OTHER, all, dry_run, error, ok};

    /// A new VPC and a new, detached internet gateway of `ME`: (vpc, gateway).
    fn vpc_and_gateway(b: &Fake) -> (String, String) {
        let vpc = all(
            &ok(b, ME, "Action=CreateVpc&CidrBlock=10.0.0.0/16"),
            "vpcId",
        )
        .remove(0);
        let g = all(
            &ok(b, ME, "Action=CreateInternetGateway"),
            "internetGatewayId",
        )
        .remove(0);
        (vpc, g)
    }

    #[test]
    fn create_internet_gateway() {
        let b = Fake::default();
        dry_run(&b, "Action=CreateInternetGateway");
        assert!(
            all(
                &ok(&b, ME, "Action=DescribeInternetGateways"),
                "internetGatewayId"
            )
            .is_empty()
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=CreateInternetGateway&TagSpecification.1.ResourceType=vpc\
                 &TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=x"
            ),
            "InvalidParameterValue"
        );
        let body = ok(
            &b,
            ME,
            "Action=CreateInternetGateway&TagSpecification.1.ResourceType=internet-gateway\
             &TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=edge",
        );
        let [id] = all(&body, "internetGatewayId").try_into().unwrap();
        assert!(id.starts_with("igw-"), "{id}");
        assert_eq!(all(&body, "ownerId"), [ME]);
        assert!(body.contains("<attachmentSet/>"), "{body}");
        assert!(
            body.contains("<tagSet><item><key>Name</key><value>edge</value></item></tagSet>"),
            "{body}"
        );
    }

    #[test]
    fn describe_internet_gateways() {
        let b = Fake::default();
        let (_, g) = vpc_and_gateway(&b);
        let describe = format!("Action=DescribeInternetGateways&InternetGatewayId.1={g}");
        assert_eq!(
            error(
                &b,
                ME,
                "Action=DescribeInternetGateways&InternetGatewayId.1=igw"
            ),
            "InvalidInternetGatewayId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=DescribeInternetGateways&InternetGatewayId.1=igw-0123456789abcdef0"
            ),
            "InvalidInternetGatewayID.NotFound"
        );
        assert_eq!(
            error(&b, OTHER, &describe),
            "InvalidInternetGatewayID.NotFound"
        );
        assert!(
            all(
                &ok(&b, OTHER, "Action=DescribeInternetGateways"),
                "internetGatewayId"
            )
            .is_empty()
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=DescribeInternetGateways&Filter.1.Name=color&Filter.1.Value.1=x"
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(&b, ME, "Action=DescribeInternetGateways&MaxResults=4"),
            "InvalidParameterValue"
        );
        dry_run(&b, &describe);
        let body = ok(&b, ME, &describe);
        assert_eq!(all(&body, "internetGatewayId"), [g.as_str()]);
        assert_eq!(all(&body, "ownerId"), [ME]);
    }

    #[test]
    fn attach_and_detach() {
        let b = Fake::default();
        let (vpc, g) = vpc_and_gateway(&b);
        for action in ["AttachInternetGateway", "DetachInternetGateway"] {
            assert_eq!(
                error(&b, ME, &format!("Action={action}&VpcId={vpc}")),
                "MissingParameter"
            );
            assert_eq!(
                error(&b, ME, &format!("Action={action}&InternetGatewayId={g}")),
                "MissingParameter"
            );
            assert_eq!(
                error(
                    &b,
                    ME,
                    &format!("Action={action}&InternetGatewayId=igw_1&VpcId={vpc}")
                ),
                "InvalidInternetGatewayId.Malformed"
            );
            assert_eq!(
                error(
                    &b,
                    ME,
                    &format!("Action={action}&InternetGatewayId={g}&VpcId=vpc")
                ),
                "InvalidVpcID.Malformed"
            );
            assert_eq!(
                error(
                    &b,
                    ME,
                    &format!("Action={action}&InternetGatewayId=igw-0123456789abcdef0&VpcId={vpc}")
                ),
                "InvalidInternetGatewayID.NotFound"
            );
            assert_eq!(
                error(
                    &b,
                    OTHER,
                    &format!("Action={action}&InternetGatewayId={g}&VpcId={vpc}")
                ),
                "InvalidInternetGatewayID.NotFound"
            );
        }
        let attach = format!("Action=AttachInternetGateway&InternetGatewayId={g}&VpcId={vpc}");
        let detach = format!("Action=DetachInternetGateway&InternetGatewayId={g}&VpcId={vpc}");
        assert_eq!(error(&b, ME, &detach), "Gateway.NotAttached");
        dry_run(&b, &attach);
        let describe = format!("Action=DescribeInternetGateways&InternetGatewayId.1={g}");
        assert!(ok(&b, ME, &describe).contains("<attachmentSet/>"));
        assert_eq!(all(&ok(&b, ME, &attach), "return"), ["true"]);
        let body = ok(&b, ME, &describe);
        assert!(
            body.contains(&format!(
                "<attachmentSet><item><state>available</state><vpcId>{vpc}</vpcId></item>\
                 </attachmentSet>"
            )),
            "{body}"
        );
        assert_eq!(error(&b, ME, &attach), "Resource.AlreadyAssociated");
        let attached = ok(
            &b,
            ME,
            &format!(
                "Action=DescribeInternetGateways&Filter.1.Name=attachment.vpc-id\
                 &Filter.1.Value.1={vpc}"
            ),
        );
        assert_eq!(all(&attached, "internetGatewayId"), [g.as_str()]);
        dry_run(&b, &detach);
        assert_eq!(all(&ok(&b, ME, &detach), "return"), ["true"]);
        assert!(ok(&b, ME, &describe).contains("<attachmentSet/>"));
    }

    #[test]
    fn delete_internet_gateway() {
        let b = Fake::default();
        let (vpc, g) = vpc_and_gateway(&b);
        assert_eq!(
            error(&b, ME, "Action=DeleteInternetGateway"),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=DeleteInternetGateway&InternetGatewayId=vpc-1"
            ),
            "InvalidInternetGatewayId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=DeleteInternetGateway&InternetGatewayId=igw-0123456789abcdef0"
            ),
            "InvalidInternetGatewayID.NotFound"
        );
        let delete = format!("Action=DeleteInternetGateway&InternetGatewayId={g}");
        assert_eq!(
            error(&b, OTHER, &delete),
            "InvalidInternetGatewayID.NotFound"
        );
        ok(
            &b,
            ME,
            &format!("Action=AttachInternetGateway&InternetGatewayId={g}&VpcId={vpc}"),
        );
        assert_eq!(error(&b, ME, &delete), "DependencyViolation");
        ok(
            &b,
            ME,
            &format!("Action=DetachInternetGateway&InternetGatewayId={g}&VpcId={vpc}"),
        );
        dry_run(&b, &delete);
        assert_eq!(all(&ok(&b, ME, &delete), "return"), ["true"]);
        assert_eq!(
            error(
                &b,
                ME,
                &format!("Action=DescribeInternetGateways&InternetGatewayId.1={g}")
            ),
            "InvalidInternetGatewayID.NotFound"
        );
    }
}

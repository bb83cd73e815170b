//! Route tables: Create/Delete/DescribeRouteTables, associations, and routes.

use super::filter::Bounds;
use super::input::Input;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{
    Command, Instance, InternetGatewayId, Model, ModelError, NatGatewayId, NetworkInterfaceId,
    RouteDestination, RouteSpec, RouteTable, RouteTableId, RouteTarget, SubnetId, TransitGatewayId,
    UnmodelledTarget, VpcId, VpcPeeringConnectionId, parse_ipv4_cidr, parse_ipv6_cidr,
};
use localvpc_wire::xml::XmlWriter;

/// DescribeRouteTables takes 5–100 (botocore `DescribeRouteTablesMaxResults`).
const BOUNDS: Bounds = Bounds { min: 5, max: 100 };

const FILTERS: &[&str] = &[
    "association.gateway-id",
    "association.main",
    "association.route-table-association-id",
    "association.route-table-id",
    "association.subnet-id",
    "owner-id",
    "route-table-id",
    "route.destination-cidr-block",
    "route.destination-ipv6-cidr-block",
    "route.destination-prefix-list-id",
    "route.egress-only-internet-gateway-id",
    "route.gateway-id",
    "route.instance-id",
    "route.nat-gateway-id",
    "route.origin",
    "route.state",
    "route.transit-gateway-id",
    "route.vpc-peering-connection-id",
    "vpc-id",
];

fn write_table(w: &mut XmlWriter, model: &Model, t: &RouteTable) {
    w.list("associationSet", &t.associations, |w, a| {
        w.bool("main", a.main)
            .leaf("routeTableAssociationId", a.id.as_str())
            .leaf("routeTableId", t.id.as_str())
            .leaf_opt("subnetId", a.subnet_id.as_ref().map(SubnetId::as_str))
            .leaf_opt(
                "gatewayId",
                a.gateway_id.as_ref().map(InternetGatewayId::as_str),
            )
            .node("associationState", |w| {
                w.leaf("state", "associated");
            });
    })
    .list("propagatingVgwSet", &t.propagating_vgws, |w, g| {
        w.leaf("gatewayId", g.as_str());
    })
    .leaf("routeTableId", t.id.as_str())
    .list("routeSet", model.effective_routes(t), |w, r| {
        match &r.destination {
            RouteDestination::Ipv4(c) => w.leaf("destinationCidrBlock", &c.to_string()),
            RouteDestination::Ipv6(c) => w.leaf("destinationIpv6CidrBlock", &c.to_string()),
            RouteDestination::PrefixList(p) => w.leaf("destinationPrefixListId", p),
        };
        let (element, value) = r.target.wire();
        w.leaf(element, value)
            .leaf("origin", r.origin.as_str())
            .leaf("state", model.route_state(t, &r).as_str());
    });
    super::tags::write_tag_set_always(w, &t.tags);
    w.leaf("vpcId", t.vpc_id.as_str())
        .leaf("ownerId", t.scope.account.as_str());
}

fn filter_values(model: &Model, t: &RouteTable, name: &str) -> Vec<String> {
    let assoc = || t.associations.iter();
    let effective = model.effective_routes(t);
    let routes = || effective.iter();
    match name {
        "association.gateway-id" => assoc()
            .filter_map(|a| a.gateway_id.as_ref().map(ToString::to_string))
            .collect(),
        "association.main" => assoc().map(|a| a.main.to_string()).collect(),
        "association.route-table-association-id" => assoc().map(|a| a.id.to_string()).collect(),
        "association.route-table-id" => assoc().map(|_| t.id.to_string()).collect(),
        "association.subnet-id" => assoc()
            .filter_map(|a| a.subnet_id.as_ref().map(ToString::to_string))
            .collect(),
        "owner-id" => vec![t.scope.account.to_string()],
        "route-table-id" => vec![t.id.to_string()],
        "route.destination-cidr-block" => routes()
            .filter_map(|r| match &r.destination {
                RouteDestination::Ipv4(c) => Some(c.to_string()),
                _ => None,
            })
            .collect(),
        "route.destination-ipv6-cidr-block" => routes()
            .filter_map(|r| match &r.destination {
                RouteDestination::Ipv6(c) => Some(c.to_string()),
                _ => None,
            })
            .collect(),
        "route.destination-prefix-list-id" => routes()
            .filter_map(|r| match &r.destination {
                RouteDestination::PrefixList(p) => Some(p.clone()),
                _ => None,
            })
            .collect(),
        "route.egress-only-internet-gateway-id" => routes()
            .filter_map(|r| match r.target.wire() {
                ("egressOnlyInternetGatewayId", v) => Some(v.to_owned()),
                _ => None,
            })
            .collect(),
        "route.vpc-peering-connection-id" => routes()
            .filter_map(|r| match r.target.wire() {
                ("vpcPeeringConnectionId", v) => Some(v.to_owned()),
                _ => None,
            })
            .collect(),
        "route.nat-gateway-id" => routes()
            .filter_map(|r| match r.target.wire() {
                ("natGatewayId", v) => Some(v.to_owned()),
                _ => None,
            })
            .collect(),
        "route.transit-gateway-id" => routes()
            .filter_map(|r| match r.target.wire() {
                ("transitGatewayId", v) => Some(v.to_owned()),
                _ => None,
            })
            .collect(),
        "route.gateway-id" => routes()
            .filter_map(|r| match r.target.wire() {
                ("gatewayId", v) => Some(v.to_owned()),
                _ => None,
            })
            .collect(),
        "route.origin" => routes().map(|r| r.origin.as_str().to_owned()).collect(),
        "route.state" => routes()
            .map(|r| model.route_state(t, r).as_str().to_owned())
            .collect(),
        "vpc-id" => vec![t.vpc_id.to_string()],
        _ => Vec::new(),
    }
}

/// Exactly one destination: an IPv4 CIDR, an IPv6 CIDR or a prefix list.
fn destination(p: &Input<'_>) -> Result<RouteDestination, ApiError> {
    let given = [
        p.opt("DestinationCidrBlock"),
        p.opt("DestinationIpv6CidrBlock"),
        p.opt("DestinationPrefixListId"),
    ];
    match given {
        [Some(c), None, None] => Ok(RouteDestination::Ipv4(parse_ipv4_cidr(
            c,
            "destinationCidrBlock",
        )?)),
        [None, None, Some(pl)] => Ok(RouteDestination::PrefixList(pl.to_owned())),
        [None, Some(c), None] => Ok(RouteDestination::Ipv6(parse_ipv6_cidr(
            c,
            "destinationIpv6CidrBlock",
        )?)),
        [None, None, None] => Err(ApiError::missing("DestinationCidrBlock")),
        _ => Err(ApiError::combination(
            "Exactly one of destinationCidrBlock, destinationIpv6CidrBlock or destinationPrefixListId must be specified",
        )),
    }
}

/// Exactly one target. Kinds localvpc does not model yet cannot exist, so naming one gets
/// that kind's NotFound, as AWS answers for an unknown id.
fn target(
    p: &Input<'_>,
    model: &Model,
    scope: &localvpc_model::Scope,
) -> Result<RouteTarget, ApiError> {
    let mut found: Vec<Result<RouteTarget, ApiError>> = Vec::new();
    if let Some(g) = p.opt("GatewayId") {
        found.push(if g.starts_with("igw-") {
            InternetGatewayId::parse(g)
                .map(RouteTarget::InternetGateway)
                .map_err(ApiError::from)
        } else if g.starts_with("vpce-") {
            localvpc_model::VpcEndpointId::parse(g)
                .map(RouteTarget::VpcEndpoint)
                .map_err(ApiError::from)
        } else if g.starts_with("vgw-") {
            localvpc_model::VpnGatewayId::parse(g)
                .map(RouteTarget::VpnGateway)
                .map_err(ApiError::from)
        } else {
            Err(ModelError::GatewayNotFound { id: g.to_owned() }.into())
        });
    }
    if let Some(v) = p.opt("EgressOnlyInternetGatewayId") {
        found.push(
            localvpc_model::EgressOnlyInternetGatewayId::parse(v)
                .map(RouteTarget::EgressOnlyInternetGateway)
                .map_err(ApiError::from),
        );
    }
    if let Some(v) = p.opt("VpcEndpointId") {
        found.push(
            localvpc_model::VpcEndpointId::parse(v)
                .map(RouteTarget::VpcEndpoint)
                .map_err(ApiError::from),
        );
    }
    if let Some(v) = p.opt("NatGatewayId") {
        found.push(
            NatGatewayId::parse(v)
                .map(RouteTarget::NatGateway)
                .map_err(ApiError::from),
        );
    }
    if let Some(v) = p.opt("NetworkInterfaceId") {
        found.push(
            NetworkInterfaceId::parse(v)
                .map(RouteTarget::NetworkInterface)
                .map_err(ApiError::from),
        );
    }
    if let Some(v) = p.opt("InstanceId") {
        // AWS routes to an instance through its primary network interface.
        let resolved = localvpc_model::InstanceId::parse(v)
            .map_err(ApiError::from)
            .and_then(|id| {
                let instance = model.get::<Instance>(scope, &id)?;
                Ok(RouteTarget::NetworkInterface(
                    instance.primary_interface.clone(),
                ))
            });
        found.push(resolved);
    }
    if let Some(v) = p.opt("TransitGatewayId") {
        found.push(
            TransitGatewayId::parse(v)
                .map(RouteTarget::TransitGateway)
                .map_err(ApiError::from),
        );
    }
    if let Some(v) = p.opt("VpcPeeringConnectionId") {
        found.push(
            VpcPeeringConnectionId::parse(v)
                .map(RouteTarget::VpcPeeringConnection)
                .map_err(ApiError::from),
        );
    }
    for target in UnmodelledTarget::ALL {
        if let Some(v) = p.opt(target.param()) {
            found.push(Err(ModelError::RouteTargetNotFound {
                target,
                id: v.to_owned(),
            }
            .into()));
        }
    }
    match found.len() {
        0 => Err(ApiError::missing("GatewayId")),
        1 => found
            .pop()
            .unwrap_or_else(|| Err(ApiError::missing("GatewayId"))),
        _ => Err(ApiError::combination(
            "More than one target specified for the route",
        )),
    }
}

fn table_id(p: &Input<'_>) -> Result<RouteTableId, ApiError> {
    Ok(RouteTableId::parse(p.required("RouteTableId")?)?)
}

pub(super) async fn create_route_table<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let vpc_id = VpcId::parse(p.required("VpcId")?)?;
    let tag_specifications = p.tag_specifications()?;
    let t = op
        .run_as(Command::CreateRouteTable {
            vpc_id,
            tag_specifications,
        })
        .await?;
    {
        let model = op.snapshot();
        op.respond(|w| {
            w.node("routeTable", |w| write_table(w, &model, &t));
            w.leaf_opt("clientToken", p.opt("ClientToken"));
        })
    }
}

pub(super) async fn delete_route_table<B: Backend>(op: &Op<'_, B>) -> Body {
    let route_table_id = table_id(&op.params)?;
    op.run(Command::DeleteRouteTable { route_table_id }).await?;
    op.respond_true()
}

pub(super) fn describe_route_tables<B: Backend>(op: &Op<'_, B>) -> Body {
    op.describe("RouteTableId", RouteTableId::parse)?
        .filters(FILTERS, true)?
        .paged(&BOUNDS)?
        .answer_with_model("routeTableSet", filter_values, write_table)
}

pub(super) async fn associate_route_table<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let route_table_id = table_id(p)?;
    let subnet_id = p.opt("SubnetId").map(SubnetId::parse).transpose()?;
    let gateway_id = p
        .opt("GatewayId")
        .map(InternetGatewayId::parse)
        .transpose()?;
    if subnet_id.is_none() && gateway_id.is_none() {
        return Err(ApiError::missing("SubnetId"));
    }
    let id: localvpc_model::RouteTableAssociationId = op
        .run_as(Command::AssociateRouteTable {
            route_table_id,
            subnet_id,
            gateway_id,
        })
        .await?;
    op.respond(|w| {
        w.leaf("associationId", id.as_str())
            .node("associationState", |w| {
                w.leaf("state", "associated");
            });
    })
}

pub(super) async fn disassociate_route_table<B: Backend>(op: &Op<'_, B>) -> Body {
    let association_id = op.params.required("AssociationId")?.to_owned();
    op.run(Command::DisassociateRouteTable { association_id })
        .await?;
    op.respond_true()
}

pub(super) async fn replace_route_table_association<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let association_id = p.required("AssociationId")?.to_owned();
    let route_table_id = table_id(p)?;
    let id: localvpc_model::RouteTableAssociationId = op
        .run_as(Command::ReplaceRouteTableAssociation {
            association_id,
            route_table_id,
        })
        .await?;
    op.respond(|w| {
        w.leaf("newAssociationId", id.as_str())
            .node("associationState", |w| {
                w.leaf("state", "associated");
            });
    })
}

pub(super) async fn create_route<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let route_table_id = table_id(p)?;
    let route = RouteSpec {
        destination: destination(p)?,
        target: target(p, &op.snapshot(), &op.ctx.scope)?,
    };
    op.run(Command::CreateRoute {
        route_table_id,
        route,
    })
    .await?;
    op.respond_true()
}

pub(super) async fn replace_route<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let route_table_id = table_id(p)?;
    let destination = destination(p)?;
    let target = if p.bool("LocalTarget")?.unwrap_or(false) {
        RouteTarget::Local
    } else {
        target(p, &op.snapshot(), &op.ctx.scope)?
    };
    op.run(Command::ReplaceRoute {
        route_table_id,
        route: RouteSpec {
            destination,
            target,
        },
    })
    .await?;
    op.respond_true()
}

pub(super) async fn delete_route<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let route_table_id = table_id(p)?;
    let destination = destination(p)?;
    op.run(Command::DeleteRoute {
        route_table_id,
        destination,
    })
    .await?;
    op.respond_true()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fake, ME, OTHER, all, dry_run, error, missing_parameter, ok};

    /// A new 10.0.0.0/16 VPC of `ME` with a 10.0.1.0/24 subnet and a route table of its own:
    /// (vpc, subnet, table).
    fn setup(b: &Fake) -> (String, String, String) {
        let vpc = all(
            &ok(b, ME, "Action=CreateVpc&CidrBlock=10.0.0.0/16"),
            "vpcId",
        )
        .remove(0);
        let subnet = all(
            &ok(
                b,
                ME,
                &format!("Action=CreateSubnet&VpcId={vpc}&CidrBlock=10.0.1.0/24"),
            ),
            "subnetId",
        )
        .remove(0);
        let table = all(
            &ok(b, ME, &format!("Action=CreateRouteTable&VpcId={vpc}")),
            "routeTableId",
        )
        .remove(0);
        (vpc, subnet, table)
    }

    /// An internet gateway attached to `vpc`: its id.
    fn igw(b: &Fake, vpc: &str) -> String {
        let id = all(
            &ok(b, ME, "Action=CreateInternetGateway"),
            "internetGatewayId",
        )
        .remove(0);
        ok(
            b,
            ME,
            &format!("Action=AttachInternetGateway&InternetGatewayId={id}&VpcId={vpc}"),
        );
        id
    }

    #[test]
    fn create_route_table() {
        let b = Fake::default();
        let (vpc, _, _) = setup(&b);
        missing_parameter(&b, "Action=CreateRouteTable");
        assert_eq!(
            error(&b, ME, "Action=CreateRouteTable&VpcId=vpc"),
            "InvalidVpcID.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=CreateRouteTable&VpcId=vpc-0123456789abcdef0"
            ),
            "InvalidVpcID.NotFound"
        );
        let create = format!("Action=CreateRouteTable&VpcId={vpc}");
        assert_eq!(error(&b, OTHER, &create), "InvalidVpcID.NotFound");
        dry_run(&b, &create);
        let body = ok(&b, ME, &format!("{create}&ClientToken=tok-1"));
        let [id] = all(&body, "routeTableId").try_into().unwrap();
        assert!(id.starts_with("rtb-"), "{id}");
        assert_eq!(all(&body, "vpcId"), [vpc.as_str()]);
        assert_eq!(all(&body, "ownerId"), [ME]);
        assert_eq!(all(&body, "clientToken"), ["tok-1"]);
        assert!(
            body.contains(
                "<destinationCidrBlock>10.0.0.0/16</destinationCidrBlock>\
                 <gatewayId>local</gatewayId><origin>CreateRouteTable</origin>\
                 <state>active</state>"
            ),
            "{body}"
        );
        assert!(body.contains("<associationSet/>"), "{body}");
    }

    #[test]
    fn describe_and_delete_route_tables() {
        let b = Fake::default();
        let (vpc, _, t) = setup(&b);
        assert_eq!(
            error(&b, ME, "Action=DescribeRouteTables&RouteTableId.1=rtb"),
            "InvalidRouteTableId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=DescribeRouteTables&RouteTableId.1=rtb-0123456789abcdef0"
            ),
            "InvalidRouteTableID.NotFound"
        );
        let describe = format!("Action=DescribeRouteTables&RouteTableId.1={t}");
        assert_eq!(error(&b, OTHER, &describe), "InvalidRouteTableID.NotFound");
        assert!(all(&ok(&b, OTHER, "Action=DescribeRouteTables"), "routeTableId").is_empty());
        assert_eq!(
            error(&b, ME, "Action=DescribeRouteTables&MaxResults=4"),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=DescribeRouteTables&Filter.1.Name=color&Filter.1.Value.1=x"
            ),
            "InvalidParameterValue"
        );
        dry_run(&b, "Action=DescribeRouteTables");
        let main = ok(
            &b,
            ME,
            &format!(
                "Action=DescribeRouteTables&Filter.1.Name=vpc-id&Filter.1.Value.1={vpc}\
                 &Filter.2.Name=association.main&Filter.2.Value.1=true"
            ),
        );
        let [main_id] = all(&main, "routeTableId")
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
            .try_into()
            .unwrap();
        assert_ne!(main_id, t);
        assert_eq!(all(&main, "main"), ["true"]);
        let body = ok(&b, ME, &describe);
        assert_eq!(all(&body, "routeTableId"), [t.as_str()]);
        assert_eq!(all(&body, "vpcId"), [vpc.as_str()]);

        assert_eq!(error(&b, ME, "Action=DeleteRouteTable"), "MissingParameter");
        assert_eq!(
            error(&b, ME, "Action=DeleteRouteTable&RouteTableId=igw-1"),
            "InvalidRouteTableId.Malformed"
        );
        let delete = format!("Action=DeleteRouteTable&RouteTableId={t}");
        assert_eq!(error(&b, OTHER, &delete), "InvalidRouteTableID.NotFound");
        dry_run(&b, &delete);
        assert_eq!(
            error(
                &b,
                ME,
                &format!("Action=DeleteRouteTable&RouteTableId={main_id}")
            ),
            "DependencyViolation"
        );
        assert_eq!(all(&ok(&b, ME, &delete), "return"), ["true"]);
        assert_eq!(error(&b, ME, &describe), "InvalidRouteTableID.NotFound");
    }

    #[test]
    fn associations() {
        let b = Fake::default();
        let (_, s, t) = setup(&b);
        let associate = format!("Action=AssociateRouteTable&RouteTableId={t}");
        assert_eq!(error(&b, ME, &associate), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("Action=AssociateRouteTable&SubnetId={s}")),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, ME, &format!("{associate}&SubnetId=sub-1")),
            "InvalidSubnetID.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{associate}&SubnetId=subnet-0123456789abcdef0")
            ),
            "InvalidSubnetID.NotFound"
        );
        let with_subnet = format!("{associate}&SubnetId={s}");
        assert_eq!(
            error(&b, OTHER, &with_subnet),
            "InvalidRouteTableID.NotFound"
        );
        dry_run(&b, &with_subnet);
        let body = ok(&b, ME, &with_subnet);
        let [assoc] = all(&body, "associationId").try_into().unwrap();
        assert!(assoc.starts_with("rtbassoc-"), "{assoc}");
        assert!(
            body.contains("<associationState><state>associated</state></associationState>"),
            "{body}"
        );
        let described = ok(
            &b,
            ME,
            &format!("Action=DescribeRouteTables&RouteTableId.1={t}"),
        );
        assert_eq!(all(&described, "routeTableAssociationId"), [assoc.as_str()]);
        assert_eq!(all(&described, "subnetId"), [s.as_str()]);
        assert_eq!(all(&described, "main"), ["false"]);

        // Replace: back onto a second table.
        let vpc = all(&described, "vpcId").remove(0);
        let t2 = all(
            &ok(&b, ME, &format!("Action=CreateRouteTable&VpcId={vpc}")),
            "routeTableId",
        )
        .remove(0);
        let replace = "Action=ReplaceRouteTableAssociation";
        assert_eq!(
            error(&b, ME, &format!("{replace}&RouteTableId={t2}")),
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
                &format!("{replace}&AssociationId={assoc}&RouteTableId=rtb")
            ),
            "InvalidRouteTableId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{replace}&AssociationId=rtbassoc-0123456789abcdef0&RouteTableId={t2}")
            ),
            "InvalidAssociationID.NotFound"
        );
        let replace = format!("{replace}&AssociationId={assoc}&RouteTableId={t2}");
        assert_eq!(error(&b, OTHER, &replace), "InvalidAssociationID.NotFound");
        dry_run(&b, &replace);
        let body = ok(&b, ME, &replace);
        let [new_assoc] = all(&body, "newAssociationId").try_into().unwrap();
        assert!(new_assoc.starts_with("rtbassoc-"), "{new_assoc}");
        assert!(body.contains("<state>associated</state>"), "{body}");

        let disassociate = "Action=DisassociateRouteTable";
        assert_eq!(error(&b, ME, disassociate), "MissingParameter");
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{disassociate}&AssociationId=rtbassoc-0123456789abcdef0")
            ),
            "InvalidAssociationID.NotFound"
        );
        let by_assoc = format!("{disassociate}&AssociationId={new_assoc}");
        assert_eq!(error(&b, OTHER, &by_assoc), "InvalidAssociationID.NotFound");
        dry_run(&b, &by_assoc);
        assert_eq!(all(&ok(&b, ME, &by_assoc), "return"), ["true"]);
        let described = ok(
            &b,
            ME,
            &format!("Action=DescribeRouteTables&RouteTableId.1={t2}"),
        );
        assert!(
            all(&described, "routeTableAssociationId").is_empty(),
            "{described}"
        );
    }

    #[test]
    fn routes() {
        let b = Fake::default();
        let (vpc, _, t) = setup(&b);
        let g = igw(&b, &vpc);
        let create = format!("Action=CreateRoute&RouteTableId={t}");
        assert_eq!(
            error(
                &b,
                ME,
                &format!("Action=CreateRoute&DestinationCidrBlock=0.0.0.0/0&GatewayId={g}")
            ),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, ME, &format!("{create}&GatewayId={g}")),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, ME, &format!("{create}&DestinationCidrBlock=0.0.0.0/0")),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}&DestinationCidrBlock=0.0.0.0/40&GatewayId={g}")
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!(
                    "{create}&DestinationCidrBlock=0.0.0.0/0\
                     &DestinationIpv6CidrBlock=::/0&GatewayId={g}"
                )
            ),
            "InvalidParameterCombination"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!(
                    "{create}&DestinationCidrBlock=0.0.0.0/0&GatewayId={g}\
                     &NatGatewayId=nat-0123456789abcdef0"
                )
            ),
            "InvalidParameterCombination"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}&DestinationCidrBlock=0.0.0.0/0&GatewayId=igw-x")
            ),
            "InvalidInternetGatewayId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}&DestinationCidrBlock=0.0.0.0/0&GatewayId=igw-0123456789abcdef0")
            ),
            "InvalidInternetGatewayID.NotFound"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}&DestinationCidrBlock=0.0.0.0/0&GatewayId=gw-1")
            ),
            "InvalidGatewayID.NotFound"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=CreateRoute&RouteTableId=rtb&DestinationCidrBlock=0.0.0.0/0\
                 &GatewayId=igw-0123456789abcdef0"
            ),
            "InvalidRouteTableId.Malformed"
        );
        let default_route = format!("{create}&DestinationCidrBlock=0.0.0.0/0&GatewayId={g}");
        assert_eq!(
            error(&b, OTHER, &default_route),
            "InvalidRouteTableID.NotFound"
        );
        dry_run(&b, &default_route);
        let describe = format!("Action=DescribeRouteTables&RouteTableId.1={t}");
        assert_eq!(
            all(&ok(&b, ME, &describe), "destinationCidrBlock"),
            ["10.0.0.0/16"]
        );
        assert_eq!(all(&ok(&b, ME, &default_route), "return"), ["true"]);
        let body = ok(&b, ME, &describe);
        assert!(
            body.contains(&format!(
                "<destinationCidrBlock>0.0.0.0/0</destinationCidrBlock>\
                 <gatewayId>{g}</gatewayId><origin>CreateRoute</origin>\
                 <state>active</state>"
            )),
            "{body}"
        );
        assert_eq!(error(&b, ME, &default_route), "RouteAlreadyExists");

        // ReplaceRoute
        let replace = format!("Action=ReplaceRoute&RouteTableId={t}");
        assert_eq!(
            error(&b, ME, &format!("{replace}&GatewayId={g}")),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{replace}&DestinationCidrBlock=0.0.0.0/0&LocalTarget=sure")
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{replace}&DestinationCidrBlock=192.168.0.0/16&GatewayId={g}")
            ),
            "InvalidRoute.NotFound"
        );
        let to_tgw = format!(
            "{replace}&DestinationCidrBlock=0.0.0.0/0&TransitGatewayId=tgw-0123456789abcdef0"
        );
        assert_eq!(error(&b, ME, &to_tgw), "InvalidTransitGatewayID.NotFound");
        let same = format!("{replace}&DestinationCidrBlock=0.0.0.0/0&GatewayId={g}");
        assert_eq!(error(&b, OTHER, &same), "InvalidRouteTableID.NotFound");
        dry_run(&b, &same);
        assert_eq!(all(&ok(&b, ME, &same), "return"), ["true"]);
        let body = ok(&b, ME, &describe);
        assert!(
            body.contains(&format!(
                "<destinationCidrBlock>0.0.0.0/0</destinationCidrBlock>\
                 <gatewayId>{g}</gatewayId><origin>CreateRoute</origin>"
            )),
            "{body}"
        );

        // DeleteRoute
        let delete = format!("Action=DeleteRoute&RouteTableId={t}");
        assert_eq!(error(&b, ME, &delete), "MissingParameter");
        assert_eq!(
            error(&b, ME, "Action=DeleteRoute&DestinationCidrBlock=0.0.0.0/0"),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{delete}&DestinationCidrBlock=192.168.0.0/16")
            ),
            "InvalidRoute.NotFound"
        );
        let delete_default = format!("{delete}&DestinationCidrBlock=0.0.0.0/0");
        assert_eq!(
            error(&b, OTHER, &delete_default),
            "InvalidRouteTableID.NotFound"
        );
        dry_run(&b, &delete_default);
        assert_eq!(all(&ok(&b, ME, &delete_default), "return"), ["true"]);
        assert_eq!(
            all(&ok(&b, ME, &describe), "destinationCidrBlock"),
            ["10.0.0.0/16"]
        );
        assert_eq!(error(&b, ME, &delete_default), "InvalidRoute.NotFound");
    }
}

//! Route tables: Create/Delete/DescribeRouteTables, associations, and routes.

use super::filter::Bounds;
use super::input::Input;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{
    Command, InternetGatewayId, Model, ModelError, NatGatewayId, NetworkInterfaceId,
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
                let instance = model.instance(scope, &id)?;
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

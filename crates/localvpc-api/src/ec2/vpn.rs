//! Site-to-site VPN: customer gateways, virtual private gateways, VPN connections (on a
//! virtual private gateway with static routes, or on a transit gateway as a `vpn`
//! attachment), and Enable/DisableVgwRoutePropagation.

use super::filter::texts;
use super::input::Input;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{
    Command, CustomerGateway, CustomerGatewayId, Model, RouteTableId, TransitGatewayId, VpcId,
    VpnConnection, VpnConnectionId, VpnGateway, VpnGatewayId, VpnTarget, parse_ipv4_cidr,
};
use localvpc_wire::xml::XmlWriter;

const CGW_FILTERS: &[&str] = &[
    "bgp-asn",
    "customer-gateway-id",
    "ip-address",
    "state",
    "type",
];

const VGW_FILTERS: &[&str] = &[
    "amazon-side-asn",
    "attachment.state",
    "attachment.vpc-id",
    "availability-zone",
    "state",
    "type",
    "vpn-gateway-id",
];

const VPN_FILTERS: &[&str] = &[
    "bgp-asn",
    "customer-gateway-id",
    "option.static-routes-only",
    "route.destination-cidr-block",
    "state",
    "transit-gateway-id",
    "type",
    "vpn-connection-id",
    "vpn-gateway-id",
];

fn write_cgw(w: &mut XmlWriter, g: &CustomerGateway) {
    w.leaf("customerGatewayId", g.id.as_str())
        .leaf("state", if g.deleted { "deleted" } else { "available" })
        .leaf("type", "ipsec.1")
        .leaf("ipAddress", &g.ip_address.to_string())
        .leaf("bgpAsn", &g.bgp_asn.to_string())
        .leaf_opt("deviceName", g.device_name.as_deref());
    super::tags::write_tag_set(w, &g.tags);
}

fn write_vgw(w: &mut XmlWriter, g: &VpnGateway) {
    w.leaf("vpnGatewayId", g.id.as_str())
        .leaf("state", if g.deleted { "deleted" } else { "available" })
        .leaf("type", "ipsec.1")
        .list("attachments", vgw_attachments(g), |w, (vpc, state)| {
            w.leaf("vpcId", vpc.as_str()).leaf("state", state);
        })
        .num("amazonSideAsn", g.amazon_side_asn);
    super::tags::write_tag_set(w, &g.tags);
}

/// The current attachment, or the last one as `detached` (AWS keeps listing it).
fn vgw_attachments(g: &VpnGateway) -> Vec<(&VpcId, &'static str)> {
    match (&g.attached_vpc, &g.detached_vpc) {
        (Some(vpc), _) => vec![(vpc, "attached")],
        (None, Some(vpc)) => vec![(vpc, "detached")],
        (None, None) => Vec::new(),
    }
}

/// A generic device configuration for the response's `customerGatewayConfiguration`: the
/// tunnels' outside addresses and the gateways, in AWS's XML shape (no real keys).
fn customer_gateway_configuration(c: &VpnConnection, cgw_ip: &str) -> String {
    let tunnels: String = c
        .tunnel_outside_ips
        .iter()
        .map(|ip| {
            format!(
                "<ipsec_tunnel><customer_gateway><tunnel_outside_address><ip_address>{cgw_ip}</ip_address></tunnel_outside_address></customer_gateway><vpn_gateway><tunnel_outside_address><ip_address>{ip}</ip_address></tunnel_outside_address></vpn_gateway></ipsec_tunnel>"
            )
        })
        .collect();
    let gateway = match (&c.vpn_gateway_id, &c.transit_gateway_id) {
        (Some(vgw), _) => format!("<vpn_gateway_id>{vgw}</vpn_gateway_id>"),
        (None, Some(tgw)) => format!("<transit_gateway_id>{tgw}</transit_gateway_id>"),
        (None, None) => String::new(),
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<vpn_connection id=\"{}\"><customer_gateway_id>{}</customer_gateway_id>{gateway}<vpn_connection_type>ipsec.1</vpn_connection_type>{tunnels}</vpn_connection>",
        c.id, c.customer_gateway_id
    )
}

fn write_vpn(w: &mut XmlWriter, model: &Model, c: &VpnConnection) {
    if !c.deleted {
        let cgw_ip = model
            .customer_gateways_in(&c.scope)
            .find(|g| g.id == c.customer_gateway_id)
            .map(|g| g.ip_address.to_string())
            .unwrap_or_default();
        w.leaf(
            "customerGatewayConfiguration",
            &customer_gateway_configuration(c, &cgw_ip),
        );
    }
    w.leaf("vpnConnectionId", c.id.as_str())
        .leaf("state", if c.deleted { "deleted" } else { "available" })
        .leaf("type", "ipsec.1")
        .leaf("customerGatewayId", c.customer_gateway_id.as_str())
        .leaf_opt(
            "vpnGatewayId",
            c.vpn_gateway_id.as_ref().map(VpnGatewayId::as_str),
        )
        .leaf_opt(
            "transitGatewayId",
            c.transit_gateway_id.as_ref().map(TransitGatewayId::as_str),
        )
        .leaf("category", "VPN")
        .node("options", |w| {
            w.bool("staticRoutesOnly", c.static_routes_only)
                .bool("enableAcceleration", false)
                .leaf("localIpv4NetworkCidr", "0.0.0.0/0")
                .leaf("remoteIpv4NetworkCidr", "0.0.0.0/0")
                .leaf("tunnelInsideIpVersion", "ipv4");
        })
        .list("routes", &c.routes, |w, r| {
            w.leaf("destinationCidrBlock", &r.to_string())
                .leaf("source", "Static")
                .leaf("state", "available");
        })
        .list("vgwTelemetry", c.tunnel_outside_ips, |w, ip| {
            w.num("acceptedRouteCount", c.routes.len())
                .leaf("outsideIpAddress", &ip.to_string())
                .leaf("status", "UP")
                .leaf("statusMessage", "");
        });
    super::tags::write_tag_set_always(w, &c.tags);
}

fn vgw_id(p: &Input<'_>) -> Result<VpnGatewayId, ApiError> {
    Ok(VpnGatewayId::parse(p.required("VpnGatewayId")?)?)
}

pub(super) async fn create_customer_gateway<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let ip = p
        .opt("IpAddress")
        .or_else(|| p.opt("PublicIp"))
        .ok_or_else(|| ApiError::missing("IpAddress"))?;
    let ip_address = ip.parse().map_err(|_| {
        ApiError::invalid_value(format!("Value ({ip}) for parameter ipAddress is invalid."))
    })?;
    let asn = p
        .int("BgpAsn")?
        .or(p.int("BgpAsnExtended")?)
        .unwrap_or(65000);
    let bgp_asn = u32::try_from(asn)
        .ok()
        .filter(|a| *a >= 1)
        .ok_or_else(|| ApiError::invalid_value(format!("Invalid BGP ASN {asn}")))?;
    if p.required("Type")? != "ipsec.1" {
        return Err(ApiError::invalid_value(
            "The only customer gateway type is ipsec.1",
        ));
    }
    let command = Command::CreateCustomerGateway {
        bgp_asn,
        ip_address,
        device_name: p.opt("DeviceName").map(str::to_owned),
        tag_specifications: p.tag_specifications()?,
    };
    let g = op.run_as(command).await?;
    op.respond(|w| {
        w.node("customerGateway", |w| write_cgw(w, &g));
    })
}

pub(super) async fn delete_customer_gateway<B: Backend>(op: &Op<'_, B>) -> Body {
    let id = CustomerGatewayId::parse(op.params.required("CustomerGatewayId")?)?;
    op.run(Command::DeleteCustomerGateway { id }).await?;
    op.respond_true()
}

/// `deleted` or `available`: deleted VPN resources stay visible a while, as in AWS.
fn state(deleted: bool) -> Vec<String> {
    vec![(if deleted { "deleted" } else { "available" }).to_owned()]
}

fn cgw_values(g: &CustomerGateway, name: &str) -> Vec<String> {
    match name {
        "bgp-asn" => vec![g.bgp_asn.to_string()],
        "customer-gateway-id" => vec![g.id.to_string()],
        "ip-address" => vec![g.ip_address.to_string()],
        "state" => state(g.deleted),
        "type" => vec!["ipsec.1".to_owned()],
        _ => Vec::new(),
    }
}

pub(super) fn describe_customer_gateways<B: Backend>(op: &Op<'_, B>) -> Body {
    op.describe("CustomerGatewayId", CustomerGatewayId::parse)?
        .filters(CGW_FILTERS, true)?
        .answer("customerGatewaySet", cgw_values, write_cgw)
}

pub(super) async fn create_vpn_gateway<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let amazon_side_asn = p
        .int("AmazonSideAsn")?
        .map(|a| {
            u32::try_from(a)
                .map_err(|_| ApiError::invalid_value(format!("Invalid Amazon side ASN {a}")))
        })
        .transpose()?;
    if p.required("Type")? != "ipsec.1" {
        return Err(ApiError::invalid_value(
            "The only virtual private gateway type is ipsec.1",
        ));
    }
    let tag_specifications = p.tag_specifications()?;
    let g = op
        .run_as(Command::CreateVpnGateway {
            amazon_side_asn,
            tag_specifications,
        })
        .await?;
    op.respond(|w| {
        w.node("vpnGateway", |w| write_vgw(w, &g));
    })
}

pub(super) async fn attach_vpn_gateway<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let (id, vpc_id) = (vgw_id(p)?, VpcId::parse(p.required("VpcId")?)?);
    op.run(Command::AttachVpnGateway {
        id,
        vpc_id: vpc_id.clone(),
    })
    .await?;
    op.respond(|w| {
        w.node("attachment", |w| {
            w.leaf("vpcId", vpc_id.as_str()).leaf("state", "attached");
        });
    })
}

pub(super) async fn detach_vpn_gateway<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let (id, vpc_id) = (vgw_id(p)?, VpcId::parse(p.required("VpcId")?)?);
    op.run(Command::DetachVpnGateway { id, vpc_id }).await?;
    op.respond_true()
}

pub(super) async fn delete_vpn_gateway<B: Backend>(op: &Op<'_, B>) -> Body {
    let id = vgw_id(&op.params)?;
    op.run(Command::DeleteVpnGateway { id }).await?;
    op.respond_true()
}

fn vgw_values(g: &VpnGateway, name: &str) -> Vec<String> {
    match name {
        "amazon-side-asn" => vec![g.amazon_side_asn.to_string()],
        "attachment.state" => vgw_attachments(g)
            .into_iter()
            .map(|(_, s)| s.to_owned())
            .collect(),
        "attachment.vpc-id" => vgw_attachments(g)
            .into_iter()
            .map(|(v, _)| v.to_string())
            .collect(),
        "state" => state(g.deleted),
        "type" => vec!["ipsec.1".to_owned()],
        "vpn-gateway-id" => vec![g.id.to_string()],
        _ => Vec::new(),
    }
}

pub(super) fn describe_vpn_gateways<B: Backend>(op: &Op<'_, B>) -> Body {
    op.describe("VpnGatewayId", VpnGatewayId::parse)?
        .filters(VGW_FILTERS, true)?
        .answer("vpnGatewaySet", vgw_values, write_vgw)
}

pub(super) async fn create_vpn_connection<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    if p.opt("VpnConcentratorId").is_some() {
        return Err(ApiError::not_emulated(
            "VPN concentrators (VpnConcentratorId)",
        ));
    }
    let target = match (p.opt("VpnGatewayId"), p.opt("TransitGatewayId")) {
        (Some(_), None) => VpnTarget::VpnGateway(vgw_id(p)?),
        (None, Some(tgw)) => VpnTarget::TransitGateway(TransitGatewayId::parse(tgw)?),
        (None, None) => return Err(ApiError::missing("VpnGatewayId")),
        (Some(_), Some(_)) => {
            return Err(ApiError::combination(
                "Only one of VpnGatewayId or TransitGatewayId may be specified",
            ));
        }
    };
    if p.opt("Type").is_some_and(|t| t != "ipsec.1") {
        return Err(ApiError::invalid_value(
            "The only VPN connection type is ipsec.1",
        ));
    }
    p.required("Type")?;
    let command = Command::CreateVpnConnection {
        customer_gateway_id: CustomerGatewayId::parse(p.required("CustomerGatewayId")?)?,
        target,
        static_routes_only: p.bool("Options.StaticRoutesOnly")?.unwrap_or(false),
        tag_specifications: p.tag_specifications()?,
    };
    let c = op.run_as(command).await?;
    {
        let model = op.snapshot();
        op.respond(|w| {
            w.node("vpnConnection", |w| write_vpn(w, &model, &c));
        })
    }
}

pub(super) async fn delete_vpn_connection<B: Backend>(op: &Op<'_, B>) -> Body {
    let id = VpnConnectionId::parse(op.params.required("VpnConnectionId")?)?;
    op.run(Command::DeleteVpnConnection { id }).await?;
    op.respond_true()
}

pub(super) async fn vpn_connection_route<B: Backend>(op: &Op<'_, B>, present: bool) -> Body {
    let p = &op.params;
    let id = VpnConnectionId::parse(p.required("VpnConnectionId")?)?;
    let cidr = parse_ipv4_cidr(p.required("DestinationCidrBlock")?, "destinationCidrBlock")?;
    op.run(Command::SetVpnConnectionRoute { id, cidr, present })
        .await?;
    op.respond_true()
}

fn vpn_values(model: &Model, c: &VpnConnection, name: &str) -> Vec<String> {
    match name {
        "bgp-asn" => model
            .customer_gateway(&c.scope, &c.customer_gateway_id)
            .map(|g| vec![g.bgp_asn.to_string()])
            .unwrap_or_default(),
        "customer-gateway-id" => vec![c.customer_gateway_id.to_string()],
        "option.static-routes-only" => vec![c.static_routes_only.to_string()],
        "route.destination-cidr-block" => texts(&c.routes),
        "state" => state(c.deleted),
        "type" => vec!["ipsec.1".to_owned()],
        "vpn-connection-id" => vec![c.id.to_string()],
        "transit-gateway-id" => texts(&c.transit_gateway_id),
        "vpn-gateway-id" => texts(&c.vpn_gateway_id),
        _ => Vec::new(),
    }
}

pub(super) fn describe_vpn_connections<B: Backend>(op: &Op<'_, B>) -> Body {
    op.describe("VpnConnectionId", VpnConnectionId::parse)?
        .filters(VPN_FILTERS, true)?
        .answer_with_model("vpnConnectionSet", vpn_values, write_vpn)
}

pub(super) async fn vgw_route_propagation<B: Backend>(op: &Op<'_, B>, enable: bool) -> Body {
    let p = &op.params;
    let route_table_id = RouteTableId::parse(p.required("RouteTableId")?)?;
    let vpn_gateway_id = VpnGatewayId::parse(p.required("GatewayId")?)?;
    op.run(Command::SetVgwRoutePropagation {
        route_table_id,
        vpn_gateway_id,
        enable,
    })
    .await?;
    op.respond_true()
}

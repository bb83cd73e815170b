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
            .in_scope::<CustomerGateway>(&c.scope)
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
            .get::<CustomerGateway>(&c.scope, &c.customer_gateway_id)
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

#[cfg(test)]
mod tests {
    use super::super::testing::{
        Fake, ME, OTHER, all, dry_run, error, new_vpc, ok, unknown_filter,
    };

    const CGW: &str = "cgw-0123456789abcdef0";
    const VGW: &str = "vgw-0123456789abcdef0";
    const VPN: &str = "vpn-0123456789abcdef0";

    fn cgw(b: &Fake) -> String {
        let body = ok(
            b,
            ME,
            "Action=CreateCustomerGateway&Type=ipsec.1&IpAddress=203.0.113.10&BgpAsn=65010",
        );
        all(&body, "customerGatewayId").remove(0)
    }

    fn vgw(b: &Fake) -> String {
        let body = ok(b, ME, "Action=CreateVpnGateway&Type=ipsec.1");
        all(&body, "vpnGatewayId").remove(0)
    }

    /// A static VPN connection of `ME`: (connection, customer gateway, virtual private gateway).
    fn connection(b: &Fake) -> (String, String, String) {
        let (c, g) = (cgw(b), vgw(b));
        let body = ok(
            b,
            ME,
            &format!(
                "Action=CreateVpnConnection&Type=ipsec.1&CustomerGatewayId={c}\
                 &VpnGatewayId={g}&Options.StaticRoutesOnly=true"
            ),
        );
        (all(&body, "vpnConnectionId").remove(0), c, g)
    }

    #[test]
    fn customer_gateways_decode_and_map_errors() {
        let b = Fake::default();
        let create = "Action=CreateCustomerGateway";
        assert_eq!(
            error(&b, ME, &format!("{create}&Type=ipsec.1")),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, ME, &format!("{create}&IpAddress=203.0.113.10")),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, ME, &format!("{create}&Type=ipsec.1&IpAddress=host")),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}&Type=ipsec.1&IpAddress=203.0.113.10&BgpAsn=0")
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}&Type=ipsec.2&IpAddress=203.0.113.10")
            ),
            "InvalidParameterValue"
        );
        let with = format!("{create}&Type=ipsec.1&IpAddress=203.0.113.10&BgpAsn=65010");
        dry_run(&b, &with);
        assert!(
            all(
                &ok(&b, ME, "Action=DescribeCustomerGateways"),
                "customerGatewayId"
            )
            .is_empty()
        );
        let body = ok(&b, ME, &format!("{with}&DeviceName=edge"));
        let [id] = all(&body, "customerGatewayId").try_into().unwrap();
        assert!(id.starts_with("cgw-"), "{id}");
        assert_eq!(all(&body, "state"), ["available"]);
        assert_eq!(all(&body, "type"), ["ipsec.1"]);
        assert_eq!(all(&body, "ipAddress"), ["203.0.113.10"]);
        assert_eq!(all(&body, "bgpAsn"), ["65010"]);
        assert_eq!(all(&body, "deviceName"), ["edge"]);

        let describe = "Action=DescribeCustomerGateways";
        assert_eq!(
            error(&b, ME, &format!("{describe}&CustomerGatewayId.1=vgw-1")),
            "InvalidCustomerGatewayId.Malformed"
        );
        assert_eq!(
            error(&b, ME, &format!("{describe}&CustomerGatewayId.1={CGW}")),
            "InvalidCustomerGatewayID.NotFound"
        );
        assert_eq!(
            error(&b, OTHER, &format!("{describe}&CustomerGatewayId.1={id}")),
            "InvalidCustomerGatewayID.NotFound"
        );
        unknown_filter(&b, describe);
        dry_run(&b, describe);
        let listed = ok(
            &b,
            ME,
            &format!("{describe}&Filter.1.Name=bgp-asn&Filter.1.Value.1=65010"),
        );
        assert_eq!(all(&listed, "customerGatewayId"), [id.as_str()]);

        let delete = "Action=DeleteCustomerGateway";
        assert_eq!(error(&b, ME, delete), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{delete}&CustomerGatewayId=vgw-1")),
            "InvalidCustomerGatewayId.Malformed"
        );
        let by_id = format!("{delete}&CustomerGatewayId={id}");
        assert_eq!(
            error(&b, OTHER, &by_id),
            "InvalidCustomerGatewayID.NotFound"
        );
        dry_run(&b, &by_id);
        assert_eq!(all(&ok(&b, ME, &by_id), "return"), ["true"]);
        let listed = ok(&b, ME, &format!("{describe}&CustomerGatewayId.1={id}"));
        assert_eq!(all(&listed, "state"), ["deleted"]);
    }

    #[test]
    fn vpn_gateways_decode_and_map_errors() {
        let b = Fake::default();
        let v = new_vpc(&b);
        let create = "Action=CreateVpnGateway";
        assert_eq!(error(&b, ME, create), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{create}&Type=ipsec.2")),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(&b, ME, &format!("{create}&Type=ipsec.1&AmazonSideAsn=-5")),
            "InvalidParameterValue"
        );
        dry_run(&b, &format!("{create}&Type=ipsec.1"));
        let body = ok(
            &b,
            ME,
            &format!("{create}&Type=ipsec.1&AmazonSideAsn=64512"),
        );
        let [id] = all(&body, "vpnGatewayId").try_into().unwrap();
        assert!(id.starts_with("vgw-"), "{id}");
        assert_eq!(all(&body, "state"), ["available"]);
        assert_eq!(all(&body, "amazonSideAsn"), ["64512"]);
        assert!(body.contains("<attachments/>"), "{body}");

        for action in ["AttachVpnGateway", "DetachVpnGateway"] {
            let q = format!("Action={action}");
            assert_eq!(
                error(&b, ME, &format!("{q}&VpcId={v}")),
                "MissingParameter",
                "{action}"
            );
            assert_eq!(
                error(&b, ME, &format!("{q}&VpnGatewayId={id}")),
                "MissingParameter",
                "{action}"
            );
            assert_eq!(
                error(&b, ME, &format!("{q}&VpnGatewayId=cgw-1&VpcId={v}")),
                "InvalidVpnGatewayId.Malformed",
                "{action}"
            );
            assert_eq!(
                error(&b, ME, &format!("{q}&VpnGatewayId={VGW}&VpcId={v}")),
                "InvalidVpnGatewayID.NotFound",
                "{action}"
            );
            dry_run(&b, &format!("{q}&VpnGatewayId={id}&VpcId={v}"));
        }
        let attach = format!("Action=AttachVpnGateway&VpnGatewayId={id}&VpcId={v}");
        assert_eq!(error(&b, OTHER, &attach), "InvalidVpnGatewayID.NotFound");
        let body = ok(&b, ME, &attach);
        assert_eq!(all(&body, "vpcId"), [v.as_str()]);
        assert_eq!(all(&body, "state"), ["attached"]);

        let describe = "Action=DescribeVpnGateways";
        assert_eq!(
            error(&b, ME, &format!("{describe}&VpnGatewayId.1=cgw-1")),
            "InvalidVpnGatewayId.Malformed"
        );
        assert_eq!(
            error(&b, ME, &format!("{describe}&VpnGatewayId.1={VGW}")),
            "InvalidVpnGatewayID.NotFound"
        );
        assert_eq!(
            error(&b, OTHER, &format!("{describe}&VpnGatewayId.1={id}")),
            "InvalidVpnGatewayID.NotFound"
        );
        unknown_filter(&b, describe);
        dry_run(&b, describe);
        let listed = ok(
            &b,
            ME,
            &format!("{describe}&Filter.1.Name=attachment.vpc-id&Filter.1.Value.1={v}"),
        );
        assert_eq!(all(&listed, "vpnGatewayId"), [id.as_str()]);

        let detach = format!("Action=DetachVpnGateway&VpnGatewayId={id}&VpcId={v}");
        assert_eq!(all(&ok(&b, ME, &detach), "return"), ["true"]);
        let listed = ok(&b, ME, &format!("{describe}&VpnGatewayId.1={id}"));
        assert!(
            listed.contains(&format!(
                "<attachments><item><vpcId>{v}</vpcId><state>detached</state></item></attachments>"
            )),
            "{listed}"
        );

        let delete = "Action=DeleteVpnGateway";
        assert_eq!(error(&b, ME, delete), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{delete}&VpnGatewayId=cgw-1")),
            "InvalidVpnGatewayId.Malformed"
        );
        let by_id = format!("{delete}&VpnGatewayId={id}");
        assert_eq!(error(&b, OTHER, &by_id), "InvalidVpnGatewayID.NotFound");
        dry_run(&b, &by_id);
        assert_eq!(all(&ok(&b, ME, &by_id), "return"), ["true"]);
    }

    #[test]
    fn vpn_connections_decode_and_map_errors() {
        let b = Fake::default();
        let (c, g) = (cgw(&b), vgw(&b));
        let create = "Action=CreateVpnConnection";
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}&Type=ipsec.1&CustomerGatewayId={c}")
            ),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, ME, &format!("{create}&Type=ipsec.1&VpnGatewayId={g}")),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}&CustomerGatewayId={c}&VpnGatewayId={g}")
            ),
            "MissingParameter"
        );
        let with = format!("{create}&Type=ipsec.1&CustomerGatewayId={c}");
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{with}&VpnGatewayId={g}&TransitGatewayId=tgw-0123456789abcdef0")
            ),
            "InvalidParameterCombination"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{with}&VpnGatewayId={g}&VpnConcentratorId=vcn-1")
            ),
            "UnsupportedOperation"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}&Type=ipsec.2&CustomerGatewayId={c}&VpnGatewayId={g}")
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(&b, ME, &format!("{with}&VpnGatewayId=cgw-1")),
            "InvalidVpnGatewayId.Malformed"
        );
        assert_eq!(
            error(&b, ME, &format!("{with}&TransitGatewayId=vgw-1")),
            "InvalidTransitGatewayID.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}&Type=ipsec.1&CustomerGatewayId=vgw-1&VpnGatewayId={g}")
            ),
            "InvalidCustomerGatewayId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{with}&VpnGatewayId={g}&Options.StaticRoutesOnly=perhaps")
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(&b, ME, &format!("{with}&VpnGatewayId={VGW}")),
            "InvalidVpnGatewayID.NotFound"
        );
        let by_vgw = format!("{with}&VpnGatewayId={g}&Options.StaticRoutesOnly=true");
        assert_eq!(
            error(&b, OTHER, &by_vgw),
            "InvalidCustomerGatewayID.NotFound"
        );
        dry_run(&b, &by_vgw);
        let body = ok(&b, ME, &by_vgw);
        let [id] = all(&body, "vpnConnectionId").try_into().unwrap();
        assert!(id.starts_with("vpn-"), "{id}");
        assert_eq!(all(&body, "customerGatewayId"), [c.as_str()]);
        assert_eq!(all(&body, "vpnGatewayId"), [g.as_str()]);
        assert_eq!(all(&body, "staticRoutesOnly"), ["true"]);
        assert_eq!(all(&body, "category"), ["VPN"]);
        assert!(!body.contains("<transitGatewayId>"), "{body}");

        let describe = "Action=DescribeVpnConnections";
        assert_eq!(
            error(&b, ME, &format!("{describe}&VpnConnectionId.1=vgw-1")),
            "InvalidVpnConnectionID.Malformed"
        );
        assert_eq!(
            error(&b, ME, &format!("{describe}&VpnConnectionId.1={VPN}")),
            "InvalidVpnConnectionID.NotFound"
        );
        assert_eq!(
            error(&b, OTHER, &format!("{describe}&VpnConnectionId.1={id}")),
            "InvalidVpnConnectionID.NotFound"
        );
        unknown_filter(&b, describe);
        dry_run(&b, describe);
        let listed = ok(
            &b,
            ME,
            &format!("{describe}&Filter.1.Name=bgp-asn&Filter.1.Value.1=65010"),
        );
        assert_eq!(all(&listed, "vpnConnectionId"), [id.as_str()]);

        let delete = "Action=DeleteVpnConnection";
        assert_eq!(error(&b, ME, delete), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{delete}&VpnConnectionId=vgw-1")),
            "InvalidVpnConnectionID.Malformed"
        );
        let by_id = format!("{delete}&VpnConnectionId={id}");
        assert_eq!(error(&b, OTHER, &by_id), "InvalidVpnConnectionID.NotFound");
        dry_run(&b, &by_id);
        assert_eq!(all(&ok(&b, ME, &by_id), "return"), ["true"]);
        let listed = ok(&b, ME, &format!("{describe}&VpnConnectionId.1={id}"));
        assert_eq!(all(&listed, "vpnConnectionId"), [id.as_str()]);
        assert!(
            !listed.contains("<customerGatewayConfiguration>"),
            "{listed}"
        );
    }

    #[test]
    fn connection_routes_decode_and_map_errors() {
        let b = Fake::default();
        let (id, _, _) = connection(&b);
        for action in ["CreateVpnConnectionRoute", "DeleteVpnConnectionRoute"] {
            let q = format!("Action={action}");
            assert_eq!(
                error(&b, ME, &format!("{q}&DestinationCidrBlock=192.168.0.0/16")),
                "MissingParameter",
                "{action}"
            );
            assert_eq!(
                error(&b, ME, &format!("{q}&VpnConnectionId={id}")),
                "MissingParameter",
                "{action}"
            );
            assert_eq!(
                error(
                    &b,
                    ME,
                    &format!("{q}&VpnConnectionId=vgw-1&DestinationCidrBlock=192.168.0.0/16")
                ),
                "InvalidVpnConnectionID.Malformed",
                "{action}"
            );
            assert_eq!(
                error(
                    &b,
                    ME,
                    &format!("{q}&VpnConnectionId={id}&DestinationCidrBlock=192.168.0.0/33")
                ),
                "InvalidParameterValue",
                "{action}"
            );
            let with = format!("{q}&VpnConnectionId={id}&DestinationCidrBlock=192.168.0.0/16");
            assert_eq!(
                error(&b, OTHER, &with),
                "InvalidVpnConnectionID.NotFound",
                "{action}"
            );
            // The route operations take no DryRun in AWS's API.
            assert_eq!(
                error(&b, ME, &format!("{with}&DryRun=true")),
                "UnknownParameter",
                "{action}"
            );
        }
        let route = format!("VpnConnectionId={id}&DestinationCidrBlock=192.168.0.0/16");
        assert_eq!(
            all(
                &ok(&b, ME, &format!("Action=CreateVpnConnectionRoute&{route}")),
                "return"
            ),
            ["true"]
        );
        let listed = ok(
            &b,
            ME,
            &format!("Action=DescribeVpnConnections&VpnConnectionId.1={id}"),
        );
        assert_eq!(all(&listed, "destinationCidrBlock"), ["192.168.0.0/16"]);
        assert_eq!(
            all(
                &ok(&b, ME, &format!("Action=DeleteVpnConnectionRoute&{route}")),
                "return"
            ),
            ["true"]
        );
        let listed = ok(
            &b,
            ME,
            &format!("Action=DescribeVpnConnections&VpnConnectionId.1={id}"),
        );
        assert!(all(&listed, "destinationCidrBlock").is_empty(), "{listed}");
    }

    #[test]
    fn route_propagation_decodes_and_maps_errors() {
        let b = Fake::default();
        let v = new_vpc(&b);
        let g = vgw(&b);
        ok(
            &b,
            ME,
            &format!("Action=AttachVpnGateway&VpnGatewayId={g}&VpcId={v}"),
        );
        let tables = ok(
            &b,
            ME,
            &format!("Action=DescribeRouteTables&Filter.1.Name=vpc-id&Filter.1.Value.1={v}"),
        );
        let rtb = all(&tables, "routeTableId").remove(0);
        for action in ["EnableVgwRoutePropagation", "DisableVgwRoutePropagation"] {
            let q = format!("Action={action}");
            assert_eq!(
                error(&b, ME, &format!("{q}&GatewayId={g}")),
                "MissingParameter",
                "{action}"
            );
            assert_eq!(
                error(&b, ME, &format!("{q}&RouteTableId={rtb}")),
                "MissingParameter",
                "{action}"
            );
            assert_eq!(
                error(&b, ME, &format!("{q}&RouteTableId=vgw-1&GatewayId={g}")),
                "InvalidRouteTableId.Malformed",
                "{action}"
            );
            assert_eq!(
                error(&b, ME, &format!("{q}&RouteTableId={rtb}&GatewayId=rtb-1")),
                "InvalidVpnGatewayId.Malformed",
                "{action}"
            );
            assert_eq!(
                error(&b, ME, &format!("{q}&RouteTableId={rtb}&GatewayId={VGW}")),
                "InvalidVpnGatewayID.NotFound",
                "{action}"
            );
            let with = format!("{q}&RouteTableId={rtb}&GatewayId={g}");
            assert_eq!(
                error(&b, OTHER, &with),
                "InvalidRouteTableID.NotFound",
                "{action}"
            );
            dry_run(&b, &with);
        }
        let enable = format!("Action=EnableVgwRoutePropagation&RouteTableId={rtb}&GatewayId={g}");
        assert_eq!(all(&ok(&b, ME, &enable), "return"), ["true"]);
        let tables = ok(
            &b,
            ME,
            &format!("Action=DescribeRouteTables&RouteTableId.1={rtb}"),
        );
        assert!(
            tables.contains(&format!(
                "<propagatingVgwSet><item><gatewayId>{g}</gatewayId></item></propagatingVgwSet>"
            )),
            "{tables}"
        );
        let disable = format!("Action=DisableVgwRoutePropagation&RouteTableId={rtb}&GatewayId={g}");
        assert_eq!(all(&ok(&b, ME, &disable), "return"), ["true"]);
    }
}

//! Transit gateways: gateways (with ModifyTransitGateway), VPC attachments (with
//! acceptance), peering attachments, route tables, associations, propagations,
//! static/blackhole routes and SearchTransitGatewayRoutes.

use super::describe::Describe;
use super::filter::{Bounds, Filters, texts};
use super::input::Input;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{
    AccountId, AttachmentState, Command, CreateTgwPeering, CreateTgwVpcAttachment, Model,
    ModifyTgw, Scope, SubnetId, TgwRoute, TransitGateway, TransitGatewayAttachment,
    TransitGatewayAttachmentId, TransitGatewayId, TransitGatewayOptions, TransitGatewayRouteTable,
    TransitGatewayRouteTableId, VpcId, parse_ipv4_cidr,
};
use localvpc_wire::time::iso8601_millis;
use localvpc_wire::xml::XmlWriter;

const TGW_FILTERS: &[&str] = &[
    "options.amazon-side-asn",
    "options.association-default-route-table-id",
    "options.auto-accept-shared-attachments",
    "options.default-route-table-association",
    "options.default-route-table-propagation",
    "options.dns-support",
    "options.propagation-default-route-table-id",
    "options.vpn-ecmp-support",
    "owner-id",
    "state",
    "transit-gateway-id",
];

const ROUTE_TABLE_FILTERS: &[&str] = &[
    "default-association-route-table",
    "default-propagation-route-table",
    "state",
    "transit-gateway-id",
    "transit-gateway-route-table-id",
];

const LINK_FILTERS: &[&str] = &[
    "resource-id",
    "resource-type",
    "transit-gateway-attachment-id",
];

/// `TransitGatewayMaxResults`: 5–1000.
const BOUNDS: Bounds = Bounds { min: 5, max: 1000 };

fn flag(v: bool) -> &'static str {
    if v { "enable" } else { "disable" }
}

fn write_tgw(w: &mut XmlWriter, t: &TransitGateway) {
    let o = &t.options;
    w.leaf("transitGatewayId", t.id.as_str())
        .leaf("transitGatewayArn", &t.arn())
        .leaf("state", if t.deleted { "deleted" } else { "available" })
        .leaf("ownerId", t.scope.account.as_str())
        .leaf("description", &t.description)
        .leaf("creationTime", &iso8601_millis(t.created.0))
        .node("options", |w| {
            w.num("amazonSideAsn", o.amazon_side_asn);
            if !o.cidr_blocks.is_empty() {
                w.list("transitGatewayCidrBlocks", &o.cidr_blocks, |w, c| {
                    w.text(c);
                });
            }
            w.leaf(
                "autoAcceptSharedAttachments",
                flag(o.auto_accept_shared_attachments),
            )
            .leaf(
                "defaultRouteTableAssociation",
                flag(o.default_route_table_association),
            )
            .leaf_opt(
                "associationDefaultRouteTableId",
                o.association_default_route_table_id
                    .as_ref()
                    .map(|x| x.as_str()),
            )
            .leaf(
                "defaultRouteTablePropagation",
                flag(o.default_route_table_propagation),
            )
            .leaf_opt(
                "propagationDefaultRouteTableId",
                o.propagation_default_route_table_id
                    .as_ref()
                    .map(|x| x.as_str()),
            )
            .leaf("vpnEcmpSupport", flag(o.vpn_ecmp_support))
            .leaf("dnsSupport", flag(o.dns_support))
            .leaf(
                "securityGroupReferencingSupport",
                flag(o.security_group_referencing_support),
            )
            .leaf("multicastSupport", "disable");
        });
    super::tags::write_tag_set_always(w, &t.tags);
}

fn write_vpc_attachment(w: &mut XmlWriter, a: &TransitGatewayAttachment) {
    w.leaf("transitGatewayAttachmentId", a.id.as_str())
        .leaf("transitGatewayId", a.transit_gateway_id.as_str())
        .leaf("vpcId", a.resource_id())
        .leaf("vpcOwnerId", a.scope.account.as_str())
        .leaf("state", a.state.as_str())
        .list("subnetIds", &a.subnet_ids, |w, s| {
            w.text(s.as_str());
        })
        .leaf("creationTime", &iso8601_millis(a.created.0))
        .node("options", |w| {
            w.leaf("dnsSupport", flag(a.dns_support))
                .leaf("securityGroupReferencingSupport", "disable")
                .leaf("ipv6Support", "disable")
                .leaf("applianceModeSupport", "disable");
        });
    super::tags::write_tag_set_always(w, &a.tags);
}

/// An attachment as `viewer` sees it: a peering attachment's accepter sees it on the peer
/// gateway, attaching the requester's.
fn write_attachment(w: &mut XmlWriter, a: &TransitGatewayAttachment, viewer: &Scope) {
    let (tgw, tgw_scope) = a.local_tgw(viewer);
    w.leaf("transitGatewayAttachmentId", a.id.as_str())
        .leaf("transitGatewayId", tgw.as_str())
        .leaf("transitGatewayOwnerId", tgw_scope.account.as_str())
        .leaf(
            "resourceOwnerId",
            a.resource_owner_from(tgw).account.as_str(),
        )
        .leaf("resourceType", a.resource_type())
        .leaf("resourceId", a.resource_id_from(tgw))
        .leaf("state", a.state.as_str());
    if let Some(t) = a.association_on(tgw) {
        w.node("association", |w| {
            w.leaf("transitGatewayRouteTableId", t.as_str())
                .leaf("state", "associated");
        });
    }
    w.leaf("creationTime", &iso8601_millis(a.created.0));
    super::tags::write_tag_set_always(w, a.tags_for(viewer));
}

/// A peering attachment (DescribeTransitGatewayPeeringAttachments' shape) in `state`, with
/// AWS's status message for it.
fn write_peering_attachment(
    w: &mut XmlWriter,
    a: &TransitGatewayAttachment,
    viewer: &Scope,
    state: &str,
) {
    let Some(peer) = &a.peer else { return };
    let side = |w: &mut XmlWriter, tag: &str, tgw: &TransitGatewayId, scope: &Scope| {
        w.node(tag, |w| {
            w.leaf("transitGatewayId", tgw.as_str())
                .leaf("ownerId", scope.account.as_str())
                .leaf("region", &scope.region);
        });
    };
    let message = match state {
        "initiatingRequest" => format!("Initiating Request to {}", peer.scope.account),
        "pendingAcceptance" => format!("Pending Acceptance by {}", peer.scope.account),
        "failed" => format!(
            "Transit gateway {} does not exist in {} of {}",
            peer.transit_gateway_id, peer.scope.region, peer.scope.account
        ),
        other => {
            let mut m = other.to_owned();
            m[..1].make_ascii_uppercase();
            m
        }
    };
    w.leaf("transitGatewayAttachmentId", a.id.as_str());
    side(
        w,
        "requesterTgwInfo",
        &a.transit_gateway_id,
        &a.transit_gateway_scope,
    );
    side(w, "accepterTgwInfo", &peer.transit_gateway_id, &peer.scope);
    // Options only as the request gave them: Terraform's provider replaces an attachment
    // whose read-back options its configuration does not have.
    if let Some(dynamic) = peer.dynamic_routing {
        w.node("options", |w| {
            w.leaf("dynamicRouting", flag(dynamic));
        });
    }
    w.node("status", |w| {
        w.leaf("code", state).leaf("message", &message);
    })
    .leaf("state", state)
    .leaf("creationTime", &iso8601_millis(a.created.0));
    super::tags::write_tag_set_always(w, a.tags_for(viewer));
}

fn write_route_table(w: &mut XmlWriter, model: &Model, t: &TransitGatewayRouteTable) {
    write_route_table_in_state(w, model, t, "available");
}

fn write_route_table_in_state(
    w: &mut XmlWriter,
    model: &Model,
    t: &TransitGatewayRouteTable,
    state: &str,
) {
    let tgw = model.any::<TransitGateway>(&t.transit_gateway_id);
    let default_assoc =
        tgw.is_some_and(|g| g.options.association_default_route_table_id.as_ref() == Some(&t.id));
    let default_prop =
        tgw.is_some_and(|g| g.options.propagation_default_route_table_id.as_ref() == Some(&t.id));
    w.leaf("transitGatewayRouteTableId", t.id.as_str())
        .leaf("transitGatewayId", t.transit_gateway_id.as_str())
        .leaf("state", state)
        .bool("defaultAssociationRouteTable", default_assoc)
        .bool("defaultPropagationRouteTable", default_prop)
        .leaf("creationTime", &iso8601_millis(t.created.0));
    super::tags::write_tag_set_always(w, &t.tags);
}

/// A route of a route table of `tgw` (a peering attachment's resource is the other gateway).
fn write_route(w: &mut XmlWriter, model: &Model, tgw: &TransitGatewayId, r: &TgwRoute) {
    w.leaf("destinationCidrBlock", &r.destination.to_string());
    let attachment = r
        .attachment
        .as_ref()
        .and_then(|a| model.any::<TransitGatewayAttachment>(a));
    w.list("transitGatewayAttachments", attachment, |w, a| {
        w.leaf("resourceId", a.resource_id_from(tgw))
            .leaf("transitGatewayAttachmentId", a.id.as_str())
            .leaf("resourceType", a.resource_type());
    })
    .leaf("type", if r.propagated { "propagated" } else { "static" })
    .leaf("state", if r.active { "active" } else { "blackhole" });
}

fn enable(p: &Input<'_>, name: &str, default: bool) -> Result<bool, ApiError> {
    match p.opt(name) {
        None => Ok(default),
        Some("enable") => Ok(true),
        Some("disable") => Ok(false),
        Some(v) => Err(ApiError::invalid_value(format!(
            "Value ({v}) for parameter {name} is invalid."
        ))),
    }
}

fn strings(p: &Input<'_>, name: &str) -> Vec<String> {
    p.list(name).into_iter().map(str::to_owned).collect()
}

/// An `enable`/`disable` option that may be absent.
fn maybe_enable(p: &Input<'_>, name: &str) -> Result<Option<bool>, ApiError> {
    p.opt(name).map(|_| enable(p, name, false)).transpose()
}

fn tgw_id(p: &Input<'_>) -> Result<TransitGatewayId, ApiError> {
    Ok(TransitGatewayId::parse(p.required("TransitGatewayId")?)?)
}

fn attachment_id(p: &Input<'_>) -> Result<TransitGatewayAttachmentId, ApiError> {
    Ok(TransitGatewayAttachmentId::parse(
        p.required("TransitGatewayAttachmentId")?,
    )?)
}

fn table_id(p: &Input<'_>) -> Result<TransitGatewayRouteTableId, ApiError> {
    Ok(TransitGatewayRouteTableId::parse(
        p.required("TransitGatewayRouteTableId")?,
    )?)
}

pub(super) async fn create<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let defaults = TransitGatewayOptions::default();
    let asn = match p.int("Options.AmazonSideAsn")? {
        None => defaults.amazon_side_asn,
        Some(n) => u32::try_from(n)
            .map_err(|_| ApiError::invalid_value(format!("Invalid Amazon side ASN {n}")))?,
    };
    if p.opt("Options.MulticastSupport") == Some("enable") {
        return Err(ApiError::not_emulated("transit gateway multicast"));
    }
    let options = TransitGatewayOptions {
        amazon_side_asn: asn,
        auto_accept_shared_attachments: enable(
            p,
            "Options.AutoAcceptSharedAttachments",
            defaults.auto_accept_shared_attachments,
        )?,
        default_route_table_association: enable(
            p,
            "Options.DefaultRouteTableAssociation",
            defaults.default_route_table_association,
        )?,
        default_route_table_propagation: enable(
            p,
            "Options.DefaultRouteTablePropagation",
            defaults.default_route_table_propagation,
        )?,
        dns_support: enable(p, "Options.DnsSupport", defaults.dns_support)?,
        vpn_ecmp_support: enable(p, "Options.VpnEcmpSupport", defaults.vpn_ecmp_support)?,
        security_group_referencing_support: enable(
            p,
            "Options.SecurityGroupReferencingSupport",
            defaults.security_group_referencing_support,
        )?,
        cidr_blocks: strings(p, "Options.TransitGatewayCidrBlocks"),
        ..defaults
    };
    let description = p.opt("Description").unwrap_or_default().to_owned();
    let tag_specifications = p.tag_specifications()?;
    let t = op
        .run_as(Command::CreateTransitGateway {
            description,
            options,
            tag_specifications,
        })
        .await?;
    op.respond(|w| {
        w.node("transitGateway", |w| write_tgw(w, &t));
    })
}

pub(super) async fn modify<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let mut input = ModifyTgw::of(tgw_id(p)?);
    input.description = p.opt("Description").map(str::to_owned);
    input.amazon_side_asn = p
        .int("Options.AmazonSideAsn")?
        .map(|n| {
            u32::try_from(n)
                .map_err(|_| ApiError::invalid_value(format!("Invalid Amazon side ASN {n}")))
        })
        .transpose()?;
    input.auto_accept_shared_attachments = maybe_enable(p, "Options.AutoAcceptSharedAttachments")?;
    input.default_route_table_association =
        maybe_enable(p, "Options.DefaultRouteTableAssociation")?;
    input.default_route_table_propagation =
        maybe_enable(p, "Options.DefaultRouteTablePropagation")?;
    input.dns_support = maybe_enable(p, "Options.DnsSupport")?;
    input.vpn_ecmp_support = maybe_enable(p, "Options.VpnEcmpSupport")?;
    input.security_group_referencing_support =
        maybe_enable(p, "Options.SecurityGroupReferencingSupport")?;
    let table = |name: &str| {
        p.opt(name)
            .map(TransitGatewayRouteTableId::parse)
            .transpose()
    };
    input.association_default_route_table_id = table("Options.AssociationDefaultRouteTableId")?;
    input.propagation_default_route_table_id = table("Options.PropagationDefaultRouteTableId")?;
    input.add_cidr_blocks = strings(p, "Options.AddTransitGatewayCidrBlocks");
    input.remove_cidr_blocks = strings(p, "Options.RemoveTransitGatewayCidrBlocks");
    if maybe_enable(p, "Options.EncryptionSupport")? == Some(true) {
        return Err(ApiError::not_emulated("transit gateway encryption support"));
    }
    let t = op.run_as(Command::ModifyTransitGateway(input)).await?;
    op.respond(|w| {
        w.node("transitGateway", |w| write_tgw(w, &t));
    })
}

pub(super) async fn delete<B: Backend>(op: &Op<'_, B>) -> Body {
    let id = tgw_id(&op.params)?;
    let t = op.run_as(Command::DeleteTransitGateway { id }).await?;
    op.respond(|w| {
        w.node("transitGateway", |w| write_tgw(w, &t));
    })
}

fn tgw_values(t: &TransitGateway, name: &str) -> Vec<String> {
    let o = &t.options;
    match name {
        "options.amazon-side-asn" => vec![o.amazon_side_asn.to_string()],
        "options.association-default-route-table-id" => {
            texts(&o.association_default_route_table_id)
        }
        "options.propagation-default-route-table-id" => {
            texts(&o.propagation_default_route_table_id)
        }
        "options.auto-accept-shared-attachments" => {
            vec![flag(o.auto_accept_shared_attachments).to_owned()]
        }
        "options.default-route-table-association" => {
            vec![flag(o.default_route_table_association).to_owned()]
        }
        "options.default-route-table-propagation" => {
            vec![flag(o.default_route_table_propagation).to_owned()]
        }
        "options.dns-support" => vec![flag(o.dns_support).to_owned()],
        "options.vpn-ecmp-support" => vec![flag(o.vpn_ecmp_support).to_owned()],
        "owner-id" => vec![t.scope.account.to_string()],
        "state" => vec![(if t.deleted { "deleted" } else { "available" }).to_owned()],
        "transit-gateway-id" => vec![t.id.to_string()],
        _ => Vec::new(),
    }
}

pub(super) fn describe<B: Backend>(op: &Op<'_, B>) -> Body {
    op.describe("TransitGatewayIds", TransitGatewayId::parse)?
        .filters(TGW_FILTERS, true)?
        .paged(&BOUNDS)?
        .of::<TransitGateway>()
        .in_id_order()
        .answer("transitGatewaySet", tgw_values, write_tgw)
}

fn respond_vpc_attachment<B: Backend>(op: &Op<'_, B>, a: &TransitGatewayAttachment) -> Body {
    op.respond(|w| {
        w.node("transitGatewayVpcAttachment", |w| {
            write_vpc_attachment(w, a)
        });
    })
}

pub(super) async fn create_vpc_attachment<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let input = CreateTgwVpcAttachment {
        transit_gateway_id: tgw_id(p)?,
        vpc_id: VpcId::parse(p.required("VpcId")?)?,
        subnet_ids: p.ids("SubnetIds", SubnetId::parse)?,
        dns_support: enable(p, "Options.DnsSupport", true)?,
        tag_specifications: p.tag_specifications()?,
    };
    if p.opt("Options.Ipv6Support") == Some("enable")
        || p.opt("Options.ApplianceModeSupport") == Some("enable")
    {
        return Err(ApiError::not_emulated(
            "IPv6 or appliance mode on attachments",
        ));
    }
    let outcome = op
        .run_as(Command::CreateTransitGatewayVpcAttachment(input))
        .await?;
    respond_vpc_attachment(op, &outcome)
}

pub(super) async fn accept_vpc_attachment<B: Backend>(op: &Op<'_, B>) -> Body {
    let id = attachment_id(&op.params)?;
    let outcome = op
        .run_as(Command::AcceptTransitGatewayVpcAttachment { id })
        .await?;
    respond_vpc_attachment(op, &outcome)
}

pub(super) async fn reject_vpc_attachment<B: Backend>(op: &Op<'_, B>) -> Body {
    let id = attachment_id(&op.params)?;
    let outcome = op
        .run_as(Command::RejectTransitGatewayVpcAttachment { id })
        .await?;
    respond_vpc_attachment(op, &outcome)
}

pub(super) async fn delete_vpc_attachment<B: Backend>(op: &Op<'_, B>) -> Body {
    let id = attachment_id(&op.params)?;
    let outcome = op
        .run_as(Command::DeleteTransitGatewayVpcAttachment { id })
        .await?;
    respond_vpc_attachment(op, &outcome)
}

pub(super) async fn modify_vpc_attachment<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let id = attachment_id(p)?;
    let add_subnets = p.ids("AddSubnetIds", SubnetId::parse)?;
    let remove_subnets = p.ids("RemoveSubnetIds", SubnetId::parse)?;
    let dns_support = match p.opt("Options.DnsSupport") {
        None => None,
        Some(_) => Some(enable(p, "Options.DnsSupport", true)?),
    };
    // What CreateTransitGatewayVpcAttachment refuses, Modify refuses too, rather than
    // answering 200 and changing nothing.
    if p.opt("Options.Ipv6Support") == Some("enable")
        || p.opt("Options.ApplianceModeSupport") == Some("enable")
    {
        return Err(ApiError::not_emulated(
            "IPv6 or appliance mode on attachments",
        ));
    }
    let outcome = op
        .run_as(Command::ModifyTransitGatewayVpcAttachment {
            id,
            add_subnets,
            remove_subnets,
            dns_support,
        })
        .await?;
    respond_vpc_attachment(op, &outcome)
}

/// An attachment's values for a filter, as seen from `tgw` (the viewer's gateway).
fn attachment_values(
    a: &TransitGatewayAttachment,
    tgw: &TransitGatewayId,
    name: &str,
) -> Vec<String> {
    let association = a.association_on(tgw);
    match name {
        "association.state" => association
            .iter()
            .map(|_| "associated".to_owned())
            .collect(),
        "association.transit-gateway-route-table-id" => {
            association.iter().map(ToString::to_string).collect()
        }
        "resource-id" => vec![a.resource_id_from(tgw).to_owned()],
        "vpc-id" => a.vpc_id.iter().map(ToString::to_string).collect(),
        "resource-owner-id" => vec![a.resource_owner_from(tgw).account.to_string()],
        "resource-type" => vec![a.resource_type().to_owned()],
        "state" => vec![a.state.as_str().to_owned()],
        "transit-gateway-attachment-id" => vec![a.id.to_string()],
        "transit-gateway-id" => vec![tgw.to_string()],
        "transit-gateway-owner-id" => vec![a.tgw_owner(tgw).account.to_string()],
        _ => Vec::new(),
    }
}

/// Which attachments a Describe of attachments lists.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kinds {
    All,
    Vpc,
}

fn describe_attachments_with<B: Backend>(
    op: &Op<'_, B>,
    known: &[&str],
    list_tag: &str,
    write: fn(&mut XmlWriter, &TransitGatewayAttachment, &Scope),
    kinds: Kinds,
) -> Body {
    let scope = &op.ctx.scope;
    let ids = op.describe(
        "TransitGatewayAttachmentIds",
        TransitGatewayAttachmentId::parse,
    )?;
    ids.filters(known, true)?
        .paged(&BOUNDS)?
        .of::<TransitGatewayAttachment>()
        .in_id_order()
        // DescribeTransitGatewayVpcAttachments does not know VPN or peering attachments.
        .visible(move |a| a.visible_to(scope) && (kinds == Kinds::All || a.vpc_id.is_some()))
        .tags(|a| a.tags_for(scope))
        .answer(
            list_tag,
            |a, name| attachment_values(a, a.local_tgw(scope).0, name),
            |w, a| write(w, a, scope),
        )
}

pub(super) fn describe_vpc_attachments<B: Backend>(op: &Op<'_, B>) -> Body {
    describe_attachments_with(
        op,
        &[
            "state",
            "transit-gateway-attachment-id",
            "transit-gateway-id",
            "vpc-id",
        ],
        "transitGatewayVpcAttachments",
        |w, a, _| write_vpc_attachment(w, a),
        Kinds::Vpc,
    )
}

pub(super) fn describe_attachments<B: Backend>(op: &Op<'_, B>) -> Body {
    describe_attachments_with(
        op,
        &[
            "association.state",
            "association.transit-gateway-route-table-id",
            "resource-id",
            "resource-owner-id",
            "resource-type",
            "state",
            "transit-gateway-attachment-id",
            "transit-gateway-id",
            "transit-gateway-owner-id",
        ],
        "transitGatewayAttachments",
        write_attachment,
        Kinds::All,
    )
}

pub(super) async fn create_route_table<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let transit_gateway_id = tgw_id(p)?;
    let tag_specifications = p.tag_specifications()?;
    let t = op
        .run_as(Command::CreateTransitGatewayRouteTable {
            transit_gateway_id,
            tag_specifications,
        })
        .await?;
    {
        let model = op.snapshot();
        op.respond(|w| {
            w.node("transitGatewayRouteTable", |w| {
                write_route_table(w, &model, &t)
            });
        })
    }
}

pub(super) async fn delete_route_table<B: Backend>(op: &Op<'_, B>) -> Body {
    let id = table_id(&op.params)?;
    let t = op
        .run_as(Command::DeleteTransitGatewayRouteTable { id })
        .await?;
    {
        let model = op.snapshot();
        op.respond(|w| {
            w.node("transitGatewayRouteTable", |w| {
                write_route_table_in_state(w, &model, &t, "deleting")
            });
        })
    }
}

fn route_table_values(model: &Model, t: &TransitGatewayRouteTable, name: &str) -> Vec<String> {
    let tgw = model.any::<TransitGateway>(&t.transit_gateway_id);
    match name {
        "default-association-route-table" => vec![
            tgw.is_some_and(|g| {
                g.options.association_default_route_table_id.as_ref() == Some(&t.id)
            })
            .to_string(),
        ],
        "default-propagation-route-table" => vec![
            tgw.is_some_and(|g| {
                g.options.propagation_default_route_table_id.as_ref() == Some(&t.id)
            })
            .to_string(),
        ],
        "state" => vec!["available".to_owned()],
        "transit-gateway-id" => vec![t.transit_gateway_id.to_string()],
        "transit-gateway-route-table-id" => vec![t.id.to_string()],
        _ => Vec::new(),
    }
}

pub(super) fn describe_route_tables<B: Backend>(op: &Op<'_, B>) -> Body {
    let ids = op.describe(
        "TransitGatewayRouteTableIds",
        TransitGatewayRouteTableId::parse,
    )?;
    ids.filters(ROUTE_TABLE_FILTERS, true)?
        .paged(&BOUNDS)?
        .of::<TransitGatewayRouteTable>()
        .in_id_order()
        .answer_with_model(
            "transitGatewayRouteTables",
            route_table_values,
            write_route_table,
        )
}

fn pair(
    p: &Input<'_>,
) -> Result<(TransitGatewayRouteTableId, TransitGatewayAttachmentId), ApiError> {
    Ok((table_id(p)?, attachment_id(p)?))
}

fn write_link(
    w: &mut XmlWriter,
    tag: &str,
    table: &TransitGatewayRouteTableId,
    a: &TransitGatewayAttachmentId,
    model: &Model,
    state: &str,
) {
    let attachment = model.any::<TransitGatewayAttachment>(a);
    let tgw = model
        .any::<TransitGatewayRouteTable>(table)
        .map(|t| &t.transit_gateway_id);
    let resource = attachment.map_or("", |x| {
        tgw.map_or(x.resource_id(), |t| x.resource_id_from(t))
    });
    let kind = attachment.map_or("vpc", |x| x.resource_type());
    w.node(tag, |w| {
        w.leaf("transitGatewayRouteTableId", table.as_str())
            .leaf("transitGatewayAttachmentId", a.as_str())
            .leaf("resourceId", resource)
            .leaf("resourceType", kind)
            .leaf("state", state);
    });
}

pub(super) async fn associate_route_table<B: Backend>(op: &Op<'_, B>) -> Body {
    let (table, attachment) = pair(&op.params)?;
    op.run(Command::AssociateTransitGatewayRouteTable {
        table: table.clone(),
        attachment: attachment.clone(),
    })
    .await?;
    let model = op.snapshot();
    op.respond(|w| write_link(w, "association", &table, &attachment, &model, "associated"))
}

pub(super) async fn disassociate_route_table<B: Backend>(op: &Op<'_, B>) -> Body {
    let (table, attachment) = pair(&op.params)?;
    op.run(Command::DisassociateTransitGatewayRouteTable {
        table: table.clone(),
        attachment: attachment.clone(),
    })
    .await?;
    let model = op.snapshot();
    op.respond(|w| {
        write_link(
            w,
            "association",
            &table,
            &attachment,
            &model,
            "disassociated",
        )
    })
}

pub(super) async fn set_propagation<B: Backend>(op: &Op<'_, B>, enable: bool) -> Body {
    let (table, attachment) = pair(&op.params)?;
    op.run(Command::SetTransitGatewayRouteTablePropagation {
        table: table.clone(),
        attachment: attachment.clone(),
        enable,
    })
    .await?;
    let model = op.snapshot();
    op.respond(|w| {
        write_link(
            w,
            "propagation",
            &table,
            &attachment,
            &model,
            if enable { "enabled" } else { "disabled" },
        )
    })
}

fn get_links<B: Backend>(op: &Op<'_, B>, propagations: bool) -> Body {
    let table = table_id(&op.params)?;
    let describe = Describe::new(op)
        .filters(LINK_FILTERS, false)?
        .paged(&BOUNDS)?;
    let model = describe.snapshot()?;
    let tgw = &model
        .get::<TransitGatewayRouteTable>(&op.ctx.scope, &table)?
        .transit_gateway_id;
    let attachments = if propagations {
        model.tgw_propagations(&table)
    } else {
        model.tgw_associations(&table)
    };
    let matching: Vec<&TransitGatewayAttachment> = attachments
        .into_iter()
        .filter(|a| describe.matches(None, |f| attachment_values(a, tgw, f)))
        .collect();
    let (list, state) = if propagations {
        ("transitGatewayRouteTablePropagations", "enabled")
    } else {
        ("associations", "associated")
    };
    describe.respond(
        list,
        matching,
        |a| a.id.as_str(),
        |w, a| {
            w.leaf("transitGatewayAttachmentId", a.id.as_str())
                .leaf("resourceId", a.resource_id_from(tgw))
                .leaf("resourceType", a.resource_type())
                .leaf("state", state);
        },
    )
}

pub(super) fn get_associations<B: Backend>(op: &Op<'_, B>) -> Body {
    get_links(op, false)
}

pub(super) fn get_propagations<B: Backend>(op: &Op<'_, B>) -> Body {
    get_links(op, true)
}

/// The route target: an attachment, or `Blackhole=true`.
fn route_target(p: &Input<'_>) -> Result<Option<TransitGatewayAttachmentId>, ApiError> {
    match (
        // The Terraform provider sends an empty attachment id with Blackhole=true.
        p.opt("TransitGatewayAttachmentId")
            .filter(|a| !a.is_empty()),
        p.bool("Blackhole")?.unwrap_or(false),
    ) {
        (Some(a), false) => Ok(Some(TransitGatewayAttachmentId::parse(a)?)),
        (None, true) => Ok(None),
        (Some(_), true) => Err(ApiError::combination(
            "Specify either TransitGatewayAttachmentId or Blackhole, not both",
        )),
        (None, false) => Err(ApiError::missing("TransitGatewayAttachmentId")),
    }
}

fn respond_route<B: Backend>(
    op: &Op<'_, B>,
    table: &TransitGatewayRouteTableId,
    destination: localvpc_model::Ipv4Cidr,
) -> Body {
    let model = op.snapshot();
    let t = model.get::<TransitGatewayRouteTable>(&op.ctx.scope, table)?;
    let route = model
        .tgw_routes(t)
        .into_iter()
        .find(|r| r.destination == destination)
        .unwrap_or(TgwRoute {
            destination,
            attachment: None,
            propagated: false,
            active: false,
        });
    op.respond(|w| {
        w.node("route", |w| {
            write_route(w, &model, &t.transit_gateway_id, &route)
        });
    })
}

pub(super) async fn create_route<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let table = table_id(p)?;
    let destination = parse_ipv4_cidr(p.required("DestinationCidrBlock")?, "destinationCidrBlock")?;
    let attachment = route_target(p)?;
    op.run(Command::CreateTransitGatewayRoute {
        table: table.clone(),
        destination,
        attachment,
    })
    .await?;
    respond_route(op, &table, destination)
}

pub(super) async fn replace_route<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let table = table_id(p)?;
    let destination = parse_ipv4_cidr(p.required("DestinationCidrBlock")?, "destinationCidrBlock")?;
    let attachment = route_target(p)?;
    op.run(Command::ReplaceTransitGatewayRoute {
        table: table.clone(),
        destination,
        attachment,
    })
    .await?;
    respond_route(op, &table, destination)
}

pub(super) async fn delete_route<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let table = table_id(p)?;
    let destination = parse_ipv4_cidr(p.required("DestinationCidrBlock")?, "destinationCidrBlock")?;
    let before = {
        let model = op.snapshot();
        let t = model.get::<TransitGatewayRouteTable>(&op.ctx.scope, &table)?;
        let route = model
            .tgw_routes(t)
            .into_iter()
            .find(|r| r.destination == destination && !r.propagated);
        (t.transit_gateway_id.clone(), route)
    };
    op.run(Command::DeleteTransitGatewayRoute { table, destination })
        .await?;
    let model = op.snapshot();
    op.respond(|w| {
        if let (tgw, Some(r)) = &before {
            w.node("route", |w| write_route(w, &model, tgw, r));
        }
    })
}

/// SearchTransitGatewayRoutes: the documented route-search filters over the table's routes.
pub(super) fn search_routes<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let table = table_id(p)?;
    let known = [
        "attachment.resource-id",
        "attachment.resource-type",
        "attachment.transit-gateway-attachment-id",
        "prefix-list-id",
        "route-search.exact-match",
        "route-search.longest-prefix-match",
        "route-search.subnet-of-match",
        "route-search.supernet-of-match",
        "state",
        "type",
    ];
    if p.params().structs("Filter").is_empty() {
        return Err(ApiError::missing("Filters"));
    }
    let filters =
        Filters::parse(p.params(), &known, false)?.without(|n| n.starts_with("route-search."));
    let max = p.int("MaxResults")?.unwrap_or(1000).clamp(1, 1000);
    op.check_dry_run()?;
    let model = op.snapshot();
    let t = model.get::<TransitGatewayRouteTable>(&op.ctx.scope, &table)?;
    let routes = model.tgw_routes(t);
    // Route-search filters compare prefixes, not strings: evaluate them apart.
    let mut search = Vec::new();
    for f in p.params().structs("Filter") {
        if let Some(name) = f.get("Name").filter(|n| n.starts_with("route-search.")) {
            for v in f.list("Value") {
                search.push((name.to_owned(), parse_ipv4_cidr(v, name)?));
            }
        }
    }
    let mut matching: Vec<&TgwRoute> = routes
        .iter()
        .filter(|r| {
            search.iter().all(|(name, cidr)| match name.as_str() {
                "route-search.exact-match" => &r.destination == cidr,
                "route-search.subnet-of-match" => cidr.contains(&r.destination),
                "route-search.supernet-of-match" => r.destination.contains(cidr),
                _ => r.destination.contains(&cidr.network()),
            })
        })
        .filter(|r| {
            filters.matches(None, |f| match f {
                "attachment.resource-id" => r
                    .attachment
                    .as_ref()
                    .and_then(|a| model.any::<TransitGatewayAttachment>(a))
                    .map(|a| a.resource_id_from(&t.transit_gateway_id).to_owned())
                    .into_iter()
                    .collect(),
                "attachment.resource-type" => r
                    .attachment
                    .as_ref()
                    .and_then(|a| model.any::<TransitGatewayAttachment>(a))
                    .map(|a| a.resource_type().to_owned())
                    .into_iter()
                    .collect(),
                "attachment.transit-gateway-attachment-id" => {
                    r.attachment.iter().map(ToString::to_string).collect()
                }
                "state" => vec![(if r.active { "active" } else { "blackhole" }).to_owned()],
                "type" => vec![(if r.propagated { "propagated" } else { "static" }).to_owned()],
                _ => Vec::new(),
            })
        })
        .collect();
    if search
        .iter()
        .any(|(n, _)| n == "route-search.longest-prefix-match")
    {
        let best = matching.iter().map(|r| r.destination.prefix_len()).max();
        matching.retain(|r| Some(r.destination.prefix_len()) == best);
    }
    let limit = usize::try_from(max).unwrap_or(1000);
    let more = matching.len() > limit;
    matching.truncate(limit);
    op.respond(|w| {
        w.list("routeSet", matching, |w, r| {
            write_route(w, &model, &t.transit_gateway_id, r)
        });
        w.bool("additionalRoutesAvailable", more);
    })
}

const PEERING_FILTERS: &[&str] = &[
    "local-owner-id",
    "remote-owner-id",
    "state",
    "transit-gateway-attachment-id",
    "transit-gateway-id",
];

/// A peering attachment answered in `state`: the state each call's own answer catches
/// (initiatingRequest, pending, rejecting, deleting), later reads show the one after it.
fn respond_peering<B: Backend>(
    op: &Op<'_, B>,
    a: &TransitGatewayAttachment,
    state: Option<&str>,
) -> Body {
    op.respond(|w| {
        w.node("transitGatewayPeeringAttachment", |w| {
            let state = state.unwrap_or(a.state.as_str());
            write_peering_attachment(w, a, &op.ctx.scope, state);
        });
    })
}

pub(super) async fn create_peering_attachment<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let transit_gateway_id = tgw_id(p)?;
    let peer_transit_gateway_id = TransitGatewayId::parse(p.required("PeerTransitGatewayId")?)?;
    let account = p.required("PeerAccountId")?;
    let peer_account = AccountId::parse(account).ok_or_else(|| {
        ApiError::invalid_value(format!("Invalid value '{account}' for PeerAccountId"))
    })?;
    let peer_region = p.required("PeerRegion")?.to_owned();
    if p.opt("Options.DynamicRouting") == Some("enable") {
        return Err(ApiError::not_emulated(
            "dynamic routing on transit gateway peering attachments",
        ));
    }
    let input = CreateTgwPeering {
        transit_gateway_id,
        peer_transit_gateway_id,
        peer_account,
        peer_region,
        dynamic_routing: maybe_enable(p, "Options.DynamicRouting")?,
        tag_specifications: p.tag_specifications()?,
    };
    let outcome: TransitGatewayAttachment = op
        .run_as(Command::CreateTransitGatewayPeeringAttachment(input))
        .await?;
    // The request's answer catches it being initiated (CreateTransitGatewayPeeringAttachment
    // example: "initiatingRequest"); reads show pendingAcceptance from then on.
    let pending = outcome.state == AttachmentState::PendingAcceptance;
    respond_peering(op, &outcome, pending.then_some("initiatingRequest"))
}

pub(super) async fn accept_peering_attachment<B: Backend>(op: &Op<'_, B>) -> Body {
    let id = attachment_id(&op.params)?;
    let outcome = op
        .run_as(Command::AcceptTransitGatewayPeeringAttachment { id })
        .await?;
    respond_peering(op, &outcome, Some("pending"))
}

pub(super) async fn reject_peering_attachment<B: Backend>(op: &Op<'_, B>) -> Body {
    let id = attachment_id(&op.params)?;
    let outcome = op
        .run_as(Command::RejectTransitGatewayPeeringAttachment { id })
        .await?;
    respond_peering(op, &outcome, Some("rejecting"))
}

pub(super) async fn delete_peering_attachment<B: Backend>(op: &Op<'_, B>) -> Body {
    let id = attachment_id(&op.params)?;
    let outcome = op
        .run_as(Command::DeleteTransitGatewayPeeringAttachment { id })
        .await?;
    respond_peering(op, &outcome, Some("deleting"))
}

/// A peering attachment's values for a filter, as `viewer` sees it: `local-owner-id` is the
/// viewer's side, `remote-owner-id` the other; `transit-gateway-id` matches either gateway.
fn peering_values(a: &TransitGatewayAttachment, viewer: &Scope, name: &str) -> Vec<String> {
    let Some(peer) = &a.peer else {
        return Vec::new();
    };
    let (requester, accepter) = (&a.transit_gateway_scope.account, &peer.scope.account);
    let (local, remote) = if a.accepter_view(viewer) {
        (accepter, requester)
    } else {
        (requester, accepter)
    };
    match name {
        "local-owner-id" => vec![local.to_string()],
        "remote-owner-id" => vec![remote.to_string()],
        "state" => vec![a.state.as_str().to_owned()],
        "transit-gateway-attachment-id" => vec![a.id.to_string()],
        "transit-gateway-id" => vec![
            a.transit_gateway_id.to_string(),
            peer.transit_gateway_id.to_string(),
        ],
        _ => Vec::new(),
    }
}

pub(super) fn describe_peering_attachments<B: Backend>(op: &Op<'_, B>) -> Body {
    let scope = &op.ctx.scope;
    op.describe(
        "TransitGatewayAttachmentIds",
        TransitGatewayAttachmentId::parse,
    )?
    .filters(PEERING_FILTERS, true)?
    .paged(&BOUNDS)?
    .of::<TransitGatewayAttachment>()
    .in_id_order()
    .visible(move |a| a.peer.is_some() && a.visible_to(scope))
    .tags(|a| a.tags_for(scope))
    .answer(
        "transitGatewayPeeringAttachments",
        |a, name| peering_values(a, scope, name),
        |w, a| write_peering_attachment(w, a, scope, a.state.as_str()),
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{
        Fake, ME, OTHER, all, dry_run, error, missing_parameter, new_subnet, new_vpc_of, ok,
        subnet_in, subnet_of, unknown_filter,
    };

    fn tgw(b: &Fake, account: &str) -> String {
        all(
            &ok(b, account, "Action=CreateTransitGateway"),
            "transitGatewayId",
        )
        .remove(0)
    }

    #[test]
    fn each_side_sees_a_peering_attachment_on_its_own_gateway() {
        let b = Fake::default();
        let (mine, theirs) = (tgw(&b, ME), tgw(&b, OTHER));
        let create = format!(
            "Action=CreateTransitGatewayPeeringAttachment&TransitGatewayId={mine}\
             &PeerTransitGatewayId={theirs}&PeerAccountId={OTHER}&PeerRegion=ap-northeast-1"
        );
        let body = ok(&b, ME, &create);
        assert_eq!(all(&body, "state"), ["initiatingRequest"]);
        assert!(!body.contains("<options>"));
        let att = all(&body, "transitGatewayAttachmentId").remove(0);
        let accept = format!(
            "Action=AcceptTransitGatewayPeeringAttachment&TransitGatewayAttachmentId={att}"
        );
        assert_eq!(error(&b, ME, &accept), "OperationNotPermitted");
        assert_eq!(all(&ok(&b, OTHER, &accept), "state"), ["pending"]);
        let describe =
            format!("Action=DescribeTransitGatewayAttachments&TransitGatewayAttachmentIds.1={att}");
        for (account, local, remote) in [(ME, &mine, &theirs), (OTHER, &theirs, &mine)] {
            let body = ok(&b, account, &describe);
            assert_eq!(all(&body, "transitGatewayId"), [local.as_str()]);
            assert_eq!(all(&body, "resourceId"), [remote.as_str()]);
            assert_eq!(all(&body, "resourceType"), ["peering"]);
            assert_eq!(all(&body, "state"), ["available", "associated"]);
        }
        let filtered = format!(
            "Action=DescribeTransitGatewayPeeringAttachments\
             &Filter.1.Name=local-owner-id&Filter.1.Value.1={OTHER}"
        );
        assert!(all(&ok(&b, ME, &filtered), "transitGatewayAttachmentId").is_empty());
        assert_eq!(
            all(&ok(&b, OTHER, &filtered), "transitGatewayAttachmentId"),
            [att.as_str()]
        );
        let stranger = error(&b, "333333333333", &describe);
        assert_eq!(stranger, "InvalidTransitGatewayAttachmentID.NotFound");
    }

    #[test]
    fn modify_transit_gateway_answers_the_gateway_as_changed() {
        let b = Fake::default();
        let t = tgw(&b, ME);
        let body = ok(
            &b,
            ME,
            &format!(
                "Action=ModifyTransitGateway&TransitGatewayId={t}&Description=edge\
                 &Options.DnsSupport=disable&Options.AddTransitGatewayCidrBlocks.1=10.9.0.0/24"
            ),
        );
        assert_eq!(all(&body, "description"), ["edge"]);
        assert_eq!(all(&body, "dnsSupport"), ["disable"]);
        assert_eq!(all(&body, "item"), ["10.9.0.0/24"]);
        let other = format!("Action=ModifyTransitGateway&TransitGatewayId={t}&Description=x");
        assert_eq!(error(&b, OTHER, &other), "InvalidTransitGatewayID.NotFound");
    }

    /// A gateway of `ME` and a VPC attachment to the VPC of a new subnet: (gateway, attachment,
    /// vpc). The attachment is associated with and propagates to the default route table.
    fn attached(b: &Fake) -> (String, String, String) {
        let t = tgw(b, ME);
        let subnet = new_subnet(b);
        let q = format!("Action=DescribeSubnets&SubnetId.1={subnet}");
        let vpc = all(&ok(b, ME, &q), "vpcId").remove(0);
        let att = attach(b, ME, &t, &vpc, &subnet);
        (t, att, vpc)
    }

    /// A VPC attachment `account` makes of its `vpc`, in `subnet`, to the gateway `t`: its id.
    fn attach(b: &Fake, account: &str, t: &str, vpc: &str, subnet: &str) -> String {
        let q = format!(
            "Action=CreateTransitGatewayVpcAttachment&TransitGatewayId={t}&VpcId={vpc}\
             &SubnetIds.1={subnet}"
        );
        all(&ok(b, account, &q), "transitGatewayAttachmentId").remove(0)
    }

    /// A VPC attachment to the gateway `t` of `ME` from a new 10.0.0.0/16 VPC of `OTHER`,
    /// pending acceptance: (attachment, `OTHER`'s subnet).
    fn shared(b: &Fake, t: &str) -> (String, String) {
        let vpc = new_vpc_of(b, OTHER);
        let subnet = subnet_of(b, OTHER, &vpc, "10.0.1.0/24", "ap-northeast-1a");
        (attach(b, OTHER, t, &vpc, &subnet), subnet)
    }

    /// The ids of the attachments associated with (`GetTransitGatewayRouteTableAssociations`)
    /// or propagating to (`…Propagations`) a table of `ME`.
    fn links(b: &Fake, action: &str, table: &str) -> Vec<String> {
        let q = format!("Action={action}&TransitGatewayRouteTableId={table}");
        all(&ok(b, ME, &q), "transitGatewayAttachmentId")
    }

    fn default_table(b: &Fake, t: &str) -> String {
        let q = format!("Action=DescribeTransitGateways&TransitGatewayIds.1={t}");
        all(&ok(b, ME, &q), "associationDefaultRouteTableId").remove(0)
    }

    /// The destination CIDRs of a table's routes.
    fn routes(b: &Fake, table: &str) -> Vec<String> {
        let q = format!(
            "Action=SearchTransitGatewayRoutes&TransitGatewayRouteTableId={table}\
             &Filter.1.Name=state&Filter.1.Value.1=active&Filter.1.Value.2=blackhole"
        );
        all(&ok(b, ME, &q), "destinationCidrBlock")
    }

    #[test]
    fn create_reads_options_description_and_tags() {
        let b = Fake::default();
        let create = "Action=CreateTransitGateway&Description=core\
                      &Options.AmazonSideAsn=64600&Options.DefaultRouteTablePropagation=disable\
                      &Options.VpnEcmpSupport=disable\
                      &TagSpecification.1.ResourceType=transit-gateway\
                      &TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=core";
        dry_run(&b, create);
        let body = ok(&b, ME, create);
        let t = all(&body, "transitGatewayId").remove(0);
        assert!(t.starts_with("tgw-"), "{t}");
        let q = format!("Action=DescribeTransitGateways&TransitGatewayIds.1={t}");
        let described = ok(&b, ME, &q);
        assert_eq!(all(&described, "description"), ["core"]);
        assert_eq!(all(&described, "amazonSideAsn"), ["64600"]);
        assert_eq!(all(&described, "defaultRouteTablePropagation"), ["disable"]);
        assert_eq!(all(&described, "defaultRouteTableAssociation"), ["enable"]);
        assert_eq!(all(&described, "vpnEcmpSupport"), ["disable"]);
        assert_eq!(all(&described, "value"), ["core"]);
        assert_eq!(all(&described, "ownerId"), [ME]);
        assert_eq!(all(&described, "state"), ["available"]);
        for (extra, want) in [
            ("&Options.AmazonSideAsn=-1", "InvalidParameterValue"),
            ("&Options.AmazonSideAsn=big", "InvalidParameterValue"),
            ("&Options.DnsSupport=maybe", "InvalidParameterValue"),
            ("&Options.MulticastSupport=enable", "UnsupportedOperation"),
        ] {
            let q = format!("Action=CreateTransitGateway{extra}");
            assert_eq!(error(&b, ME, &q), want, "{extra}");
        }
        let q =
            "Action=DescribeTransitGateways&Filter.1.Name=owner-id&Filter.1.Value.1=222222222222";
        assert!(all(&ok(&b, ME, q), "transitGatewayId").is_empty());
        unknown_filter(&b, "Action=DescribeTransitGateways");
        assert!(
            all(
                &ok(&b, OTHER, "Action=DescribeTransitGateways"),
                "transitGatewayId"
            )
            .is_empty()
        );
    }

    #[test]
    fn delete_waits_for_its_attachments() {
        let b = Fake::default();
        let (t, att, _) = attached(&b);
        let delete = format!("Action=DeleteTransitGateway&TransitGatewayId={t}");
        missing_parameter(&b, "Action=DeleteTransitGateway");
        dry_run(&b, &delete);
        assert_eq!(error(&b, ME, &delete), "IncorrectState");
        let q =
            format!("Action=DeleteTransitGatewayVpcAttachment&TransitGatewayAttachmentId={att}");
        assert_eq!(
            all(&ok(&b, ME, &q), "transitGatewayAttachmentId"),
            [att.as_str()]
        );
        assert_eq!(all(&ok(&b, ME, &delete), "transitGatewayId"), [t.as_str()]);
        // Both are gone at once (localvpc is synchronous): described as deleted.
        let q = format!("Action=DescribeTransitGateways&TransitGatewayIds.1={t}");
        assert_eq!(all(&ok(&b, ME, &q), "state"), ["deleted"]);
        assert_eq!(
            error(&b, OTHER, &delete),
            "InvalidTransitGatewayID.NotFound"
        );
        assert_eq!(
            error(&b, ME, "Action=DeleteTransitGateway&TransitGatewayId=tgw-x"),
            "InvalidTransitGatewayID.Malformed"
        );
    }

    #[test]
    fn a_vpc_attachment_is_associated_and_propagated_by_default() {
        let b = Fake::default();
        let (t, att, vpc) = attached(&b);
        let q = format!(
            "Action=DescribeTransitGatewayVpcAttachments&TransitGatewayAttachmentIds.1={att}"
        );
        let body = ok(&b, ME, &q);
        assert_eq!(all(&body, "vpcId"), [vpc.as_str()]);
        assert_eq!(all(&body, "transitGatewayId"), [t.as_str()]);
        assert_eq!(all(&body, "state"), ["available"]);
        let table = default_table(&b, &t);
        assert_eq!(routes(&b, &table), ["10.0.0.0/16"]);
        let q = format!(
            "Action=GetTransitGatewayRouteTableAssociations&TransitGatewayRouteTableId={table}"
        );
        assert_eq!(
            all(&ok(&b, ME, &q), "transitGatewayAttachmentId"),
            [att.as_str()]
        );
        let q = format!(
            "Action=GetTransitGatewayRouteTablePropagations&TransitGatewayRouteTableId={table}"
        );
        assert_eq!(
            all(&ok(&b, ME, &q), "transitGatewayAttachmentId"),
            [att.as_str()]
        );
        // Its VPC and subnets are checked.
        let q =
            format!("Action=CreateTransitGatewayVpcAttachment&TransitGatewayId={t}&VpcId={vpc}");
        assert_eq!(error(&b, ME, &q), "MissingParameter");
        let q = format!(
            "Action=CreateTransitGatewayVpcAttachment&TransitGatewayId={t}\
             &VpcId=vpc-0123456789abcdef0&SubnetIds.1=subnet-0123456789abcdef0"
        );
        assert_eq!(error(&b, ME, &q), "InvalidVpcID.NotFound");
        let q = format!(
            "Action=CreateTransitGatewayVpcAttachment&TransitGatewayId={t}&VpcId={vpc}\
             &SubnetIds.1=subnet-0123456789abcdef0&Options.ApplianceModeSupport=enable"
        );
        assert_eq!(error(&b, ME, &q), "UnsupportedOperation");
    }

    #[test]
    fn route_tables_associations_and_propagations() {
        let b = Fake::default();
        let (t, att, _) = attached(&b);
        let default = default_table(&b, &t);
        let q = format!("Action=CreateTransitGatewayRouteTable&TransitGatewayId={t}");
        let table = all(&ok(&b, ME, &q), "transitGatewayRouteTableId").remove(0);
        let q = format!(
            "Action=DescribeTransitGatewayRouteTables&TransitGatewayRouteTableIds.1={table}"
        );
        let body = ok(&b, ME, &q);
        assert_eq!(all(&body, "defaultAssociationRouteTable"), ["false"]);
        assert_eq!(all(&body, "transitGatewayId"), [t.as_str()]);
        let pair = |action: &str, table: &str| {
            format!(
                "Action={action}&TransitGatewayRouteTableId={table}\
                 &TransitGatewayAttachmentId={att}"
            )
        };
        // An attachment has one association: the default table's first.
        assert_eq!(
            error(&b, ME, &pair("AssociateTransitGatewayRouteTable", &table)),
            "Resource.AlreadyAssociated"
        );
        let body = ok(
            &b,
            ME,
            &pair("DisassociateTransitGatewayRouteTable", &default),
        );
        assert_eq!(all(&body, "transitGatewayRouteTableId"), [default.as_str()]);
        let body = ok(&b, ME, &pair("AssociateTransitGatewayRouteTable", &table));
        assert_eq!(all(&body, "transitGatewayRouteTableId"), [table.as_str()]);
        assert_eq!(all(&body, "transitGatewayAttachmentId"), [att.as_str()]);
        let associations = |t: &str| links(&b, "GetTransitGatewayRouteTableAssociations", t);
        assert!(associations(&default).is_empty());
        assert_eq!(associations(&table), [att.as_str()]);
        // Propagation adds the VPC's CIDR to the table.
        assert!(routes(&b, &table).is_empty());
        ok(
            &b,
            ME,
            &pair("EnableTransitGatewayRouteTablePropagation", &table),
        );
        assert_eq!(routes(&b, &table), ["10.0.0.0/16"]);
        ok(
            &b,
            ME,
            &pair("DisableTransitGatewayRouteTablePropagation", &table),
        );
        assert!(routes(&b, &table).is_empty());
        // A table in use cannot go.
        let delete =
            format!("Action=DeleteTransitGatewayRouteTable&TransitGatewayRouteTableId={table}");
        assert_eq!(error(&b, ME, &delete), "IncorrectState");
        ok(
            &b,
            ME,
            &pair("DisassociateTransitGatewayRouteTable", &table),
        );
        let body = ok(&b, ME, &delete);
        assert_eq!(all(&body, "state"), ["deleting"]);
        assert_eq!(
            error(
                &b,
                ME,
                &format!(
                    "Action=GetTransitGatewayRouteTableAssociations&TransitGatewayRouteTableId={table}"
                )
            ),
            "InvalidRouteTableID.NotFound"
        );
        missing_parameter(&b, "Action=CreateTransitGatewayRouteTable");
    }

    #[test]
    fn static_routes_are_created_replaced_searched_and_deleted() {
        let b = Fake::default();
        let (t, att, _) = attached(&b);
        let table = default_table(&b, &t);
        let route = |action: &str, extra: &str| {
            format!(
                "Action={action}&TransitGatewayRouteTableId={table}\
                 &DestinationCidrBlock=192.168.0.0/16{extra}"
            )
        };
        let body = ok(
            &b,
            ME,
            &route(
                "CreateTransitGatewayRoute",
                &format!("&TransitGatewayAttachmentId={att}"),
            ),
        );
        assert_eq!(all(&body, "type"), ["static"]);
        assert_eq!(all(&body, "state"), ["active"]);
        assert_eq!(
            error(
                &b,
                ME,
                &route(
                    "CreateTransitGatewayRoute",
                    &format!("&TransitGatewayAttachmentId={att}")
                )
            ),
            "RouteAlreadyExists"
        );
        let body = ok(
            &b,
            ME,
            &route("ReplaceTransitGatewayRoute", "&Blackhole=true"),
        );
        assert_eq!(all(&body, "state"), ["blackhole"]);
        assert_eq!(routes(&b, &table), ["10.0.0.0/16", "192.168.0.0/16"]);
        // Route searches by prefix.
        let q = format!(
            "Action=SearchTransitGatewayRoutes&TransitGatewayRouteTableId={table}\
             &Filter.1.Name=route-search.supernet-of-match&Filter.1.Value.1=192.168.1.0/24"
        );
        assert_eq!(
            all(&ok(&b, ME, &q), "destinationCidrBlock"),
            ["192.168.0.0/16"]
        );
        let q = format!(
            "Action=SearchTransitGatewayRoutes&TransitGatewayRouteTableId={table}\
             &Filter.1.Name=type&Filter.1.Value.1=propagated"
        );
        assert_eq!(
            all(&ok(&b, ME, &q), "destinationCidrBlock"),
            ["10.0.0.0/16"]
        );
        missing_parameter(
            &b,
            &format!("Action=SearchTransitGatewayRoutes&TransitGatewayRouteTableId={table}"),
        );
        let body = ok(&b, ME, &route("DeleteTransitGatewayRoute", ""));
        assert_eq!(all(&body, "destinationCidrBlock"), ["192.168.0.0/16"]);
        assert_eq!(routes(&b, &table), ["10.0.0.0/16"]);
        assert_eq!(
            error(&b, ME, &route("DeleteTransitGatewayRoute", "")),
            "InvalidRoute.NotFound"
        );
        let q = format!(
            "Action=CreateTransitGatewayRoute&TransitGatewayRouteTableId={table}\
             &DestinationCidrBlock=192.168.0.0/33&Blackhole=true"
        );
        assert_eq!(error(&b, ME, &q), "InvalidParameterValue");
        let q = format!("Action=CreateTransitGatewayRoute&TransitGatewayRouteTableId={table}");
        missing_parameter(&b, &q);
    }

    /// A peering attachment from a new gateway of `ME` to a new gateway of `OTHER`, pending
    /// acceptance: its id.
    fn peering(b: &Fake) -> String {
        let (mine, theirs) = (tgw(b, ME), tgw(b, OTHER));
        let create = format!(
            "Action=CreateTransitGatewayPeeringAttachment&TransitGatewayId={mine}\
             &PeerTransitGatewayId={theirs}&PeerAccountId={OTHER}&PeerRegion=ap-northeast-1"
        );
        all(&ok(b, ME, &create), "transitGatewayAttachmentId").remove(0)
    }

    /// `action` on the attachment `att`.
    fn on(action: &str, att: &str) -> String {
        format!("Action={action}&TransitGatewayAttachmentId={att}")
    }

    /// `action` on an attachment id refused: malformed or unknown for `caller`, and `att`
    /// for a `stranger` who sees neither of its sides.
    fn refuses_attachment_ids(b: &Fake, action: &str, caller: &str, att: &str, stranger: &str) {
        for (account, id, want) in [
            (
                caller,
                "tgw-attach-x",
                "InvalidTransitGatewayAttachmentID.Malformed",
            ),
            (
                caller,
                "tgw-attach-0123456789abcdef0",
                "InvalidTransitGatewayAttachmentID.NotFound",
            ),
            (stranger, att, "InvalidTransitGatewayAttachmentID.NotFound"),
        ] {
            assert_eq!(error(b, account, &on(action, id)), want, "{account} {id}");
        }
    }

    /// The state of a peering attachment as `account` describes it.
    fn peering_state(b: &Fake, account: &str, att: &str) -> Vec<String> {
        attachment_state(b, account, "Peering", att)
    }

    /// The state of an attachment as `account` describes it with
    /// `DescribeTransitGateway{kind}Attachments`.
    fn attachment_state(b: &Fake, account: &str, kind: &str, att: &str) -> Vec<String> {
        let q = format!(
            "Action=DescribeTransitGateway{kind}Attachments&TransitGatewayAttachmentIds.1={att}"
        );
        all(&ok(b, account, &q), "state")
    }

    #[test]
    fn a_peering_attachment_is_rejected_by_its_accepter_only() {
        let b = Fake::default();
        let att = peering(&b);
        let reject = on("RejectTransitGatewayPeeringAttachment", &att);
        missing_parameter(&b, "Action=RejectTransitGatewayPeeringAttachment");
        // The requester cannot reject its own request.
        assert_eq!(error(&b, ME, &reject), "OperationNotPermitted");
        assert_eq!(peering_state(&b, ME, &att), ["pendingAcceptance"]);
        let body = ok(&b, OTHER, &reject);
        assert_eq!(all(&body, "transitGatewayAttachmentId"), [att.as_str()]);
        assert_eq!(all(&body, "state"), ["rejecting"]);
        assert_eq!(all(&body, "code"), ["rejecting"]);
        for account in [ME, OTHER] {
            assert_eq!(peering_state(&b, account, &att), ["rejected"], "{account}");
        }
        // Rejected: neither rejected again, accepted nor deleted.
        assert_eq!(error(&b, OTHER, &reject), "IncorrectState");
        let accept = on("AcceptTransitGatewayPeeringAttachment", &att);
        assert_eq!(error(&b, OTHER, &accept), "IncorrectState");
        let delete = on("DeleteTransitGatewayPeeringAttachment", &att);
        assert_eq!(error(&b, ME, &delete), "IncorrectState");
        refuses_attachment_ids(
            &b,
            "RejectTransitGatewayPeeringAttachment",
            OTHER,
            &att,
            "333333333333",
        );
    }

    #[test]
    fn a_peering_attachment_is_deleted_by_either_side_once() {
        let b = Fake::default();
        // Pending: its accepter may delete it rather than reject it.
        let pending = peering(&b);
        let delete = on("DeleteTransitGatewayPeeringAttachment", &pending);
        missing_parameter(&b, "Action=DeleteTransitGatewayPeeringAttachment");
        dry_run(&b, &delete);
        assert_eq!(peering_state(&b, ME, &pending), ["pendingAcceptance"]);
        let body = ok(&b, OTHER, &delete);
        assert_eq!(all(&body, "state"), ["deleting"]);
        assert_eq!(
            error(&b, ME, &delete),
            "InvalidTransitGatewayAttachmentID.NotFound"
        );
        // Available: its requester deletes it, and each gateway's attachments lose it.
        let available = peering(&b);
        ok(
            &b,
            OTHER,
            &on("AcceptTransitGatewayPeeringAttachment", &available),
        );
        assert_eq!(peering_state(&b, OTHER, &available), ["available"]);
        let delete = on("DeleteTransitGatewayPeeringAttachment", &available);
        assert_eq!(
            error(&b, "333333333333", &delete),
            "InvalidTransitGatewayAttachmentID.NotFound"
        );
        let body = ok(&b, ME, &delete);
        assert_eq!(
            all(&body, "transitGatewayAttachmentId"),
            [available.as_str()]
        );
        assert_eq!(all(&body, "state"), ["deleting"]);
        let live = "Action=DescribeTransitGatewayAttachments\
                    &Filter.1.Name=state&Filter.1.Value.1=available";
        for account in [ME, OTHER] {
            assert!(
                all(&ok(&b, account, live), "transitGatewayAttachmentId").is_empty(),
                "{account}"
            );
        }
        assert_eq!(
            error(&b, OTHER, &delete),
            "InvalidTransitGatewayAttachmentID.NotFound"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &on("DeleteTransitGatewayPeeringAttachment", "tgw-attach-x")
            ),
            "InvalidTransitGatewayAttachmentID.Malformed"
        );
    }

    /// The subnets of a VPC attachment answer or description.
    fn attachment_subnets(body: &str) -> Vec<String> {
        let list = body
            .split("<subnetIds>")
            .nth(1)
            .and_then(|s| s.split("</subnetIds>").next())
            .unwrap_or_default();
        all(list, "item")
    }

    /// The ids of the network interfaces of `ME` in `subnet`.
    fn interfaces_in(b: &Fake, subnet: &str) -> Vec<String> {
        interfaces_of(b, ME, subnet)
    }

    /// The ids of the network interfaces of `account` in `subnet`.
    fn interfaces_of(b: &Fake, account: &str, subnet: &str) -> Vec<String> {
        let q = format!(
            "Action=DescribeNetworkInterfaces&Filter.1.Name=subnet-id&Filter.1.Value.1={subnet}"
        );
        all(&ok(b, account, &q), "networkInterfaceId")
    }

    #[test]
    fn modify_vpc_attachment_adds_and_removes_subnets() {
        let b = Fake::default();
        let (_, att, vpc) = attached(&b);
        let describe = format!(
            "Action=DescribeTransitGatewayVpcAttachments&TransitGatewayAttachmentIds.1={att}"
        );
        let first = attachment_subnets(&ok(&b, ME, &describe)).remove(0);
        let second = subnet_in(&b, &vpc, "10.0.2.0/24", "ap-northeast-1c");
        let modify = on("ModifyTransitGatewayVpcAttachment", &att);
        dry_run(&b, &format!("{modify}&AddSubnetIds.1={second}"));
        assert!(interfaces_in(&b, &second).is_empty());
        let body = ok(&b, ME, &format!("{modify}&AddSubnetIds.1={second}"));
        assert_eq!(attachment_subnets(&body), [first.as_str(), second.as_str()]);
        assert_eq!(all(&body, "transitGatewayAttachmentId"), [att.as_str()]);
        assert_eq!(
            attachment_subnets(&ok(&b, ME, &describe)),
            [first.as_str(), second.as_str()]
        );
        // Each subnet holds the attachment's interface.
        assert_eq!(interfaces_in(&b, &second).len(), 1);
        let body = ok(&b, ME, &format!("{modify}&RemoveSubnetIds.1={first}"));
        assert_eq!(attachment_subnets(&body), [second.as_str()]);
        assert_eq!(
            attachment_subnets(&ok(&b, ME, &describe)),
            [second.as_str()]
        );
        assert!(interfaces_in(&b, &first).is_empty());
        // One subnet per zone, of the attachment's VPC, known; removed ones must be in it.
        let same_zone = subnet_in(&b, &vpc, "10.0.3.0/24", "ap-northeast-1c");
        let elsewhere = new_subnet(&b);
        for (extra, want) in [
            (
                format!("&AddSubnetIds.1={same_zone}"),
                "DuplicateSubnetsInSameZone",
            ),
            (
                format!("&AddSubnetIds.1={elsewhere}"),
                "InvalidParameterValue",
            ),
            (
                "&AddSubnetIds.1=subnet-0123456789abcdef0".to_owned(),
                "InvalidSubnetID.NotFound",
            ),
            (
                format!("&RemoveSubnetIds.1={first}"),
                "InvalidParameterValue",
            ),
        ] {
            assert_eq!(error(&b, ME, &format!("{modify}{extra}")), want, "{extra}");
        }
        assert_eq!(
            attachment_subnets(&ok(&b, ME, &describe)),
            [second.as_str()]
        );
        assert!(interfaces_in(&b, &same_zone).is_empty());
    }

    #[test]
    fn modify_vpc_attachment_changes_dns_support_and_refuses_what_it_cannot() {
        let b = Fake::default();
        let (_, att, _) = attached(&b);
        let modify =
            format!("Action=ModifyTransitGatewayVpcAttachment&TransitGatewayAttachmentId={att}");
        let answer = ok(&b, ME, &format!("{modify}&Options.DnsSupport=disable"));
        assert_eq!(all(&answer, "dnsSupport"), ["disable"]);
        let describe = format!(
            "Action=DescribeTransitGatewayVpcAttachments&TransitGatewayAttachmentIds.1={att}"
        );
        assert_eq!(all(&ok(&b, ME, &describe), "dnsSupport"), ["disable"]);
        for option in [
            "Options.Ipv6Support=enable",
            "Options.ApplianceModeSupport=enable",
        ] {
            assert_eq!(
                error(&b, ME, &format!("{modify}&{option}")),
                "UnsupportedOperation",
                "{option}"
            );
        }
        // A deleted attachment changes no more (and gets no new interface).
        ok(
            &b,
            ME,
            &format!("Action=DeleteTransitGatewayVpcAttachment&TransitGatewayAttachmentId={att}"),
        );
        assert_eq!(
            error(&b, ME, &format!("{modify}&Options.DnsSupport=enable")),
            "IncorrectState"
        );
    }

    #[test]
    fn modify_vpc_attachment_refuses_unknown_and_others_attachments() {
        let b = Fake::default();
        let (_, att, _) = attached(&b);
        missing_parameter(&b, "Action=ModifyTransitGatewayVpcAttachment");
        refuses_attachment_ids(&b, "ModifyTransitGatewayVpcAttachment", ME, &att, OTHER);
        // A peering attachment is not a VPC attachment.
        let peer = peering(&b);
        let q = on("ModifyTransitGatewayVpcAttachment", &peer);
        assert_eq!(
            error(&b, ME, &q),
            "InvalidTransitGatewayAttachmentID.NotFound"
        );
        let q = format!("{}&Bogus=1", on("ModifyTransitGatewayVpcAttachment", &att));
        assert_eq!(error(&b, ME, &q), "UnknownParameter");
    }

    #[test]
    fn a_shared_vpc_attachment_is_accepted_by_the_gateway_owner_only() {
        let b = Fake::default();
        let t = tgw(&b, ME);
        let (att, _) = shared(&b, &t);
        let accept = on("AcceptTransitGatewayVpcAttachment", &att);
        missing_parameter(&b, "Action=AcceptTransitGatewayVpcAttachment");
        for account in [ME, OTHER] {
            let state = attachment_state(&b, account, "Vpc", &att);
            assert_eq!(state, ["pendingAcceptance"], "{account}");
        }
        // The attachment's owner is not the gateway's.
        assert_eq!(error(&b, OTHER, &accept), "OperationNotPermitted");
        dry_run(&b, &accept);
        let table = default_table(&b, &t);
        assert!(routes(&b, &table).is_empty());
        let body = ok(&b, ME, &accept);
        assert_eq!(all(&body, "transitGatewayAttachmentId"), [att.as_str()]);
        assert_eq!(all(&body, "transitGatewayId"), [t.as_str()]);
        assert_eq!(all(&body, "vpcOwnerId"), [OTHER]);
        assert_eq!(all(&body, "state"), ["available"]);
        for account in [ME, OTHER] {
            let state = attachment_state(&b, account, "Vpc", &att);
            assert_eq!(state, ["available"], "{account}");
        }
        // Associated and propagating per the gateway's defaults.
        assert_eq!(
            links(&b, "GetTransitGatewayRouteTableAssociations", &table),
            [att.as_str()]
        );
        assert_eq!(routes(&b, &table), ["10.0.0.0/16"]);
        assert_eq!(error(&b, ME, &accept), "IncorrectState");
        refuses_attachment_ids(
            &b,
            "AcceptTransitGatewayVpcAttachment",
            ME,
            &att,
            "333333333333",
        );
        // A peering attachment is not a VPC attachment.
        let q = on("AcceptTransitGatewayVpcAttachment", &peering(&b));
        assert_eq!(
            error(&b, OTHER, &q),
            "InvalidTransitGatewayAttachmentID.NotFound"
        );
    }

    #[test]
    fn a_shared_vpc_attachment_is_rejected_by_the_gateway_owner_only() {
        let b = Fake::default();
        let t = tgw(&b, ME);
        let (att, subnet) = shared(&b, &t);
        let reject = on("RejectTransitGatewayVpcAttachment", &att);
        missing_parameter(&b, "Action=RejectTransitGatewayVpcAttachment");
        assert_eq!(error(&b, OTHER, &reject), "OperationNotPermitted");
        dry_run(&b, &reject);
        assert_eq!(
            attachment_state(&b, OTHER, "Vpc", &att),
            ["pendingAcceptance"]
        );
        assert_eq!(interfaces_of(&b, OTHER, &subnet).len(), 1);
        let body = ok(&b, ME, &reject);
        assert_eq!(all(&body, "transitGatewayAttachmentId"), [att.as_str()]);
        assert_eq!(all(&body, "vpcOwnerId"), [OTHER]);
        assert_eq!(all(&body, "state"), ["rejected"]);
        for account in [ME, OTHER] {
            let state = attachment_state(&b, account, "Vpc", &att);
            assert_eq!(state, ["rejected"], "{account}");
        }
        assert!(interfaces_of(&b, OTHER, &subnet).is_empty());
        let table = default_table(&b, &t);
        assert!(links(&b, "GetTransitGatewayRouteTableAssociations", &table).is_empty());
        assert!(routes(&b, &table).is_empty());
        // Rejected: neither rejected again nor accepted.
        assert_eq!(error(&b, ME, &reject), "IncorrectState");
        let accept = on("AcceptTransitGatewayVpcAttachment", &att);
        assert_eq!(error(&b, ME, &accept), "IncorrectState");
        // An attachment of the gateway owner's own VPC is available at once.
        let (_, own, _) = attached(&b);
        let q = on("RejectTransitGatewayVpcAttachment", &own);
        assert_eq!(error(&b, ME, &q), "IncorrectState");
        refuses_attachment_ids(
            &b,
            "RejectTransitGatewayVpcAttachment",
            ME,
            &att,
            "333333333333",
        );
    }

    /// `action` on the route table `table` and the attachment `att`.
    fn link(action: &str, table: &str, att: &str) -> String {
        format!(
            "Action={action}&TransitGatewayRouteTableId={table}&TransitGatewayAttachmentId={att}"
        )
    }

    #[test]
    fn associations_check_the_table_the_attachment_and_its_state() {
        let b = Fake::default();
        let (t, att, vpc) = attached(&b);
        let default = default_table(&b, &t);
        let associations =
            |table: &str| links(&b, "GetTransitGatewayRouteTableAssociations", table);
        let associate =
            |table: &str, att: &str| link("AssociateTransitGatewayRouteTable", table, att);
        let disassociate =
            |table: &str, att: &str| link("DisassociateTransitGatewayRouteTable", table, att);
        dry_run(&b, &disassociate(&default, &att));
        assert_eq!(associations(&default), [att.as_str()]);
        let body = ok(&b, ME, &disassociate(&default, &att));
        assert_eq!(all(&body, "transitGatewayRouteTableId"), [default.as_str()]);
        assert_eq!(all(&body, "transitGatewayAttachmentId"), [att.as_str()]);
        assert_eq!(all(&body, "resourceId"), [vpc.as_str()]);
        assert_eq!(all(&body, "resourceType"), ["vpc"]);
        assert_eq!(all(&body, "state"), ["disassociated"]);
        assert!(associations(&default).is_empty());
        assert_eq!(
            error(&b, ME, &disassociate(&default, &att)),
            "InvalidAssociationID.NotFound"
        );
        dry_run(&b, &associate(&default, &att));
        assert!(associations(&default).is_empty());
        let body = ok(&b, ME, &associate(&default, &att));
        assert_eq!(all(&body, "resourceId"), [vpc.as_str()]);
        assert_eq!(all(&body, "state"), ["associated"]);
        assert_eq!(associations(&default), [att.as_str()]);
        // A table of another gateway, a pending attachment, another account's table.
        let elsewhere = default_table(&b, &tgw(&b, ME));
        let (pending, _) = shared(&b, &t);
        for (account, query, want) in [
            (ME, associate(&elsewhere, &att), "InvalidParameterValue"),
            (ME, associate(&default, &pending), "IncorrectState"),
            (ME, disassociate(&elsewhere, &att), "InvalidParameterValue"),
            (
                OTHER,
                associate(&default, &att),
                "InvalidRouteTableID.NotFound",
            ),
            (
                ME,
                associate("tgw-rtb-0123456789abcdef0", &att),
                "InvalidRouteTableID.NotFound",
            ),
            (
                ME,
                associate("tgw-rtb-x", &att),
                "InvalidRouteTableId.Malformed",
            ),
            (
                ME,
                disassociate(&default, "tgw-attach-0123456789abcdef0"),
                "InvalidTransitGatewayAttachmentID.NotFound",
            ),
        ] {
            assert_eq!(error(&b, account, &query), want, "{account} {query}");
        }
        assert_eq!(associations(&default), [att.as_str()]);
        for action in [
            "AssociateTransitGatewayRouteTable",
            "DisassociateTransitGatewayRouteTable",
        ] {
            missing_parameter(
                &b,
                &format!("Action={action}&TransitGatewayRouteTableId={default}"),
            );
            missing_parameter(
                &b,
                &format!("Action={action}&TransitGatewayAttachmentId={att}"),
            );
        }
    }

    #[test]
    fn propagations_are_enabled_and_disabled_once() {
        let b = Fake::default();
        let (t, att, vpc) = attached(&b);
        let table = default_table(&b, &t);
        let enable = link("EnableTransitGatewayRouteTablePropagation", &table, &att);
        let disable = link("DisableTransitGatewayRouteTablePropagation", &table, &att);
        let propagations = || links(&b, "GetTransitGatewayRouteTablePropagations", &table);
        assert_eq!(
            error(&b, ME, &enable),
            "TransitGatewayRouteTablePropagation.Duplicate"
        );
        dry_run(&b, &disable);
        assert_eq!(routes(&b, &table), ["10.0.0.0/16"]);
        let body = ok(&b, ME, &disable);
        assert_eq!(all(&body, "transitGatewayRouteTableId"), [table.as_str()]);
        assert_eq!(all(&body, "transitGatewayAttachmentId"), [att.as_str()]);
        assert_eq!(all(&body, "resourceId"), [vpc.as_str()]);
        assert_eq!(all(&body, "state"), ["disabled"]);
        assert!(routes(&b, &table).is_empty());
        assert!(propagations().is_empty());
        assert_eq!(
            error(&b, ME, &disable),
            "TransitGatewayRouteTablePropagation.NotFound"
        );
        dry_run(&b, &enable);
        assert!(propagations().is_empty());
        let body = ok(&b, ME, &enable);
        assert_eq!(all(&body, "state"), ["enabled"]);
        assert_eq!(all(&body, "resourceType"), ["vpc"]);
        assert_eq!(routes(&b, &table), ["10.0.0.0/16"]);
        assert_eq!(propagations(), [att.as_str()]);
        assert_eq!(error(&b, OTHER, &enable), "InvalidRouteTableID.NotFound");
        // A peering attachment propagates nothing: its routes are static.
        let peer = peering(&b);
        ok(
            &b,
            OTHER,
            &on("AcceptTransitGatewayPeeringAttachment", &peer),
        );
        let q = format!(
            "Action=DescribeTransitGatewayAttachments&TransitGatewayAttachmentIds.1={peer}"
        );
        let mine = all(&ok(&b, ME, &q), "transitGatewayId").remove(0);
        let q = link(
            "EnableTransitGatewayRouteTablePropagation",
            &default_table(&b, &mine),
            &peer,
        );
        assert_eq!(error(&b, ME, &q), "InvalidParameterValue");
        for action in [
            "EnableTransitGatewayRouteTablePropagation",
            "DisableTransitGatewayRouteTablePropagation",
        ] {
            missing_parameter(
                &b,
                &format!("Action={action}&TransitGatewayRouteTableId={table}"),
            );
            let q = link(action, "tgw-rtb-x", &att);
            assert_eq!(error(&b, ME, &q), "InvalidRouteTableId.Malformed");
        }
    }

    #[test]
    fn replace_and_delete_route_need_a_static_route() {
        let b = Fake::default();
        let (t, att, _) = attached(&b);
        let table = default_table(&b, &t);
        let route = |action: &str, cidr: &str, extra: &str| {
            format!(
                "Action={action}&TransitGatewayRouteTableId={table}\
                 &DestinationCidrBlock={cidr}{extra}"
            )
        };
        let state = |cidr: &str| {
            let q = format!(
                "Action=SearchTransitGatewayRoutes&TransitGatewayRouteTableId={table}\
                 &Filter.1.Name=route-search.exact-match&Filter.1.Value.1={cidr}"
            );
            all(&ok(&b, ME, &q), "state")
        };
        ok(
            &b,
            ME,
            &route(
                "CreateTransitGatewayRoute",
                "192.168.0.0/16",
                "&Blackhole=true",
            ),
        );
        let to_att = format!("&TransitGatewayAttachmentId={att}");
        let replace = route("ReplaceTransitGatewayRoute", "192.168.0.0/16", &to_att);
        dry_run(&b, &replace);
        assert_eq!(state("192.168.0.0/16"), ["blackhole"]);
        let body = ok(&b, ME, &replace);
        assert_eq!(all(&body, "destinationCidrBlock"), ["192.168.0.0/16"]);
        assert_eq!(all(&body, "transitGatewayAttachmentId"), [att.as_str()]);
        assert_eq!(all(&body, "type"), ["static"]);
        assert_eq!(all(&body, "state"), ["active"]);
        assert_eq!(state("192.168.0.0/16"), ["active"]);
        let (_, foreign, _) = attached(&b);
        let replace_with =
            |extra: &str| route("ReplaceTransitGatewayRoute", "192.168.0.0/16", extra);
        for (account, query, want) in [
            (
                ME,
                route("ReplaceTransitGatewayRoute", "172.16.0.0/12", &to_att),
                "InvalidRoute.NotFound",
            ),
            (
                ME,
                replace_with(&format!("{to_att}&Blackhole=true")),
                "InvalidParameterCombination",
            ),
            (ME, replace_with(""), "MissingParameter"),
            (
                ME,
                replace_with(&format!("&TransitGatewayAttachmentId={foreign}")),
                "InvalidParameterValue",
            ),
            (
                ME,
                replace_with("&TransitGatewayAttachmentId=tgw-attach-0123456789abcdef0"),
                "InvalidTransitGatewayAttachmentID.NotFound",
            ),
            (
                ME,
                route("ReplaceTransitGatewayRoute", "192.168.0.0/33", &to_att),
                "InvalidParameterValue",
            ),
            (OTHER, replace.clone(), "InvalidRouteTableID.NotFound"),
        ] {
            assert_eq!(error(&b, account, &query), want, "{account} {query}");
        }
        assert_eq!(state("192.168.0.0/16"), ["active"]);
        let delete = route("DeleteTransitGatewayRoute", "192.168.0.0/16", "");
        dry_run(&b, &delete);
        assert_eq!(state("192.168.0.0/16"), ["active"]);
        assert_eq!(error(&b, OTHER, &delete), "InvalidRouteTableID.NotFound");
        let body = ok(&b, ME, &delete);
        assert_eq!(all(&body, "destinationCidrBlock"), ["192.168.0.0/16"]);
        assert_eq!(all(&body, "transitGatewayAttachmentId"), [att.as_str()]);
        assert_eq!(all(&body, "type"), ["static"]);
        assert!(state("192.168.0.0/16").is_empty());
        assert_eq!(error(&b, ME, &delete), "InvalidRoute.NotFound");
        // A propagated route is no static route to delete.
        let propagated = route("DeleteTransitGatewayRoute", "10.0.0.0/16", "");
        assert_eq!(error(&b, ME, &propagated), "InvalidRoute.NotFound");
        assert_eq!(routes(&b, &table), ["10.0.0.0/16"]);
        missing_parameter(
            &b,
            &format!("Action=DeleteTransitGatewayRoute&TransitGatewayRouteTableId={table}"),
        );
        missing_parameter(
            &b,
            "Action=DeleteTransitGatewayRoute&DestinationCidrBlock=192.168.0.0/16",
        );
        let q =
            route("DeleteTransitGatewayRoute", "192.168.0.0/16", "").replace(&table, "tgw-rtb-x");
        assert_eq!(error(&b, ME, &q), "InvalidRouteTableId.Malformed");
    }
}

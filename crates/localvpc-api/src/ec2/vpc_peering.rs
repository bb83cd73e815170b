//! VPC peering: Create/Accept/Reject/Delete/DescribeVpcPeeringConnections and
//! ModifyVpcPeeringConnectionOptions. Both sides see a connection.

use super::filter::DESCRIBE_BOUNDS;
use super::input::Input;
use super::vpc::unexpected;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{
    AccountId, Command, CreateVpcPeering, Outcome, PeeringOptions, PeeringSide, PeeringStatus,
    VpcId, VpcPeeringConnection, VpcPeeringConnectionId,
};
use localvpc_wire::time::iso8601_millis;
use localvpc_wire::xml::XmlWriter;

const FILTERS: &[&str] = &[
    "accepter-vpc-info.cidr-block",
    "accepter-vpc-info.owner-id",
    "accepter-vpc-info.vpc-id",
    "expiration-time",
    "requester-vpc-info.cidr-block",
    "requester-vpc-info.owner-id",
    "requester-vpc-info.vpc-id",
    "status-code",
    "status-message",
    "vpc-peering-connection-id",
];

fn write_side(w: &mut XmlWriter, tag: &str, side: &PeeringSide, show_cidrs: bool) {
    w.node(tag, |w| {
        if show_cidrs {
            if let Some(first) = side.cidrs.first() {
                w.leaf("cidrBlock", &first.to_string());
            }
            w.list("cidrBlockSet", &side.cidrs, |w, c| {
                w.leaf("cidrBlock", &c.to_string());
            });
            w.node("peeringOptions", |w| {
                w.bool(
                    "allowDnsResolutionFromRemoteVpc",
                    side.allow_dns_resolution_from_remote_vpc,
                )
                .bool("allowEgressFromLocalClassicLinkToRemoteVpc", false)
                .bool("allowEgressFromLocalVpcToRemoteClassicLink", false);
            });
        }
        w.leaf("ownerId", side.scope.account.as_str())
            .leaf("vpcId", side.vpc_id.as_str())
            .leaf("region", &side.scope.region);
    });
}

fn write_peering(w: &mut XmlWriter, p: &VpcPeeringConnection, viewer: &localvpc_model::Scope) {
    write_peering_as(w, p, viewer, (p.status.as_str(), &p.status_message));
}

/// A connection with the given status `(code, message)`.
fn write_peering_as(
    w: &mut XmlWriter,
    p: &VpcPeeringConnection,
    viewer: &localvpc_model::Scope,
    (code, message): (&str, &str),
) {
    // AWS shows the accepter's blocks only once the connection is active.
    write_side(
        w,
        "accepterVpcInfo",
        &p.accepter,
        p.status == PeeringStatus::Active,
    );
    if let Some(t) = p.expiration {
        w.leaf("expirationTime", &iso8601_millis(t.0));
    }
    write_side(w, "requesterVpcInfo", &p.requester, true);
    w.node("status", |w| {
        w.leaf("code", code).leaf("message", message);
    });
    super::tags::write_tag_set_always(w, p.tags_for(viewer));
    w.leaf("vpcPeeringConnectionId", p.id.as_str());
}

fn filter_values(p: &VpcPeeringConnection, name: &str) -> Vec<String> {
    let side = |s: &PeeringSide, field: &str| -> Vec<String> {
        match field {
            "cidr-block" => s.cidrs.iter().map(ToString::to_string).collect(),
            "owner-id" => vec![s.scope.account.to_string()],
            "vpc-id" => vec![s.vpc_id.to_string()],
            _ => Vec::new(),
        }
    };
    if let Some(f) = name.strip_prefix("accepter-vpc-info.") {
        return side(&p.accepter, f);
    }
    if let Some(f) = name.strip_prefix("requester-vpc-info.") {
        return side(&p.requester, f);
    }
    match name {
        "expiration-time" => p
            .expiration
            .map(|t| iso8601_millis(t.0))
            .into_iter()
            .collect(),
        "status-code" => vec![p.status.as_str().to_owned()],
        "status-message" => vec![p.status_message.clone()],
        "vpc-peering-connection-id" => vec![p.id.to_string()],
        _ => Vec::new(),
    }
}

fn pcx(p: &Input<'_>) -> Result<VpcPeeringConnectionId, ApiError> {
    Ok(VpcPeeringConnectionId::parse(
        p.required("VpcPeeringConnectionId")?,
    )?)
}

fn respond_peering<B: Backend>(op: &Op<'_, B>, outcome: Outcome) -> Body {
    match outcome {
        Outcome::VpcPeeringConnection(p) => op.respond(|w| {
            w.node("vpcPeeringConnection", |w| {
                write_peering(w, &p, &op.ctx.scope)
            });
        }),
        other => Err(unexpected(&other)),
    }
}

pub(super) async fn create<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let peer_owner = p
        .opt("PeerOwnerId")
        .map(|a| {
            AccountId::parse(a).ok_or_else(|| {
                ApiError::invalid_value(format!("Invalid value '{a}' for peerOwnerId"))
            })
        })
        .transpose()?;
    let input = CreateVpcPeering {
        vpc_id: VpcId::parse(p.required("VpcId")?)?,
        peer_vpc_id: VpcId::parse(p.required("PeerVpcId")?)?,
        peer_owner,
        peer_region: p.opt("PeerRegion").map(str::to_owned),
        tag_specifications: p.tag_specifications()?,
    };
    match op.run(Command::CreateVpcPeeringConnection(input)).await? {
        // The request's own answer catches the connection while it is being initiated; every
        // later read shows pending-acceptance (AWS's create-vpc-peering-connection example:
        // "initiating-request", "Initiating Request to <accepter account>").
        Outcome::VpcPeeringConnection(p) if p.status == PeeringStatus::PendingAcceptance => {
            let message = format!("Initiating Request to {}", p.accepter.scope.account);
            op.respond(|w| {
                w.node("vpcPeeringConnection", |w| {
                    write_peering_as(w, &p, &op.ctx.scope, ("initiating-request", &message));
                });
            })
        }
        other => respond_peering(op, other),
    }
}

pub(super) async fn accept<B: Backend>(op: &Op<'_, B>) -> Body {
    let id = pcx(&op.params)?;
    let outcome = op.run(Command::AcceptVpcPeeringConnection { id }).await?;
    respond_peering(op, outcome)
}

pub(super) async fn reject<B: Backend>(op: &Op<'_, B>) -> Body {
    let id = pcx(&op.params)?;
    op.run(Command::RejectVpcPeeringConnection { id }).await?;
    op.respond_true()
}

pub(super) async fn delete<B: Backend>(op: &Op<'_, B>) -> Body {
    let id = pcx(&op.params)?;
    op.run(Command::DeleteVpcPeeringConnection { id }).await?;
    op.respond_true()
}

pub(super) async fn modify_options<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let id = pcx(p)?;
    let side = |name: &str| -> Result<Option<PeeringOptions>, ApiError> {
        let Some(opts) = p.params().nested(name) else {
            return Ok(None);
        };
        let dns = match opts.get("AllowDnsResolutionFromRemoteVpc") {
            None => None,
            Some(v) if v.eq_ignore_ascii_case("true") => Some(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Some(false),
            Some(v) => {
                return Err(ApiError::invalid_value(format!(
                    "Invalid value '{v}' for AllowDnsResolutionFromRemoteVpc"
                )));
            }
        };
        Ok(Some(PeeringOptions {
            allow_dns_resolution_from_remote_vpc: dns,
        }))
    };
    let requester = side("RequesterPeeringConnectionOptions")?;
    let accepter = side("AccepterPeeringConnectionOptions")?;
    if requester.is_none() && accepter.is_none() {
        return Err(ApiError::missing(
            "RequesterPeeringConnectionOptions or AccepterPeeringConnectionOptions",
        ));
    }
    let pc: VpcPeeringConnection = op
        .run_as(Command::ModifyVpcPeeringConnectionOptions {
            id,
            requester,
            accepter,
        })
        .await?;
    op.respond(|w| {
        let write = |w: &mut XmlWriter, tag: &str, s: &PeeringSide| {
            w.node(tag, |w| {
                w.bool(
                    "allowDnsResolutionFromRemoteVpc",
                    s.allow_dns_resolution_from_remote_vpc,
                )
                .bool("allowEgressFromLocalClassicLinkToRemoteVpc", false)
                .bool("allowEgressFromLocalVpcToRemoteClassicLink", false);
            });
        };
        if accepter.is_some() {
            write(w, "accepterPeeringConnectionOptions", &pc.accepter);
        }
        if requester.is_some() {
            write(w, "requesterPeeringConnectionOptions", &pc.requester);
        }
    })
}

pub(super) fn describe<B: Backend>(op: &Op<'_, B>) -> Body {
    let scope = &op.ctx.scope;
    op.describe("VpcPeeringConnectionId", VpcPeeringConnectionId::parse)?
        .filters(FILTERS, true)?
        .paged(&DESCRIBE_BOUNDS)?
        .of::<VpcPeeringConnection>()
        .visible(|c| c.visible_to(scope))
        .tags(|c| c.tags_for(scope))
        .answer("vpcPeeringConnectionSet", filter_values, |w, c| {
            write_peering(w, c, scope)
        })
}

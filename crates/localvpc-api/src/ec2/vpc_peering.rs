//! VPC peering: Create/Accept/Reject/Delete/DescribeVpcPeeringConnections and
//! ModifyVpcPeeringConnectionOptions. Both sides see a connection.

use super::filter::DESCRIBE_BOUNDS;
use super::input::Input;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{
    AccountId, Command, CreateVpcPeering, PeeringOptions, PeeringSide, PeeringStatus, VpcId,
    VpcPeeringConnection, VpcPeeringConnectionId,
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

fn respond_peering<B: Backend>(op: &Op<'_, B>, p: &VpcPeeringConnection) -> Body {
    op.respond(|w| {
        w.node("vpcPeeringConnection", |w| {
            write_peering(w, p, &op.ctx.scope)
        });
    })
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
    let p: VpcPeeringConnection = op
        .run_as(Command::CreateVpcPeeringConnection(input))
        .await?;
    // The request's own answer catches the connection while it is being initiated; every
    // later read shows pending-acceptance (AWS's create-vpc-peering-connection example:
    // "initiating-request", "Initiating Request to <accepter account>").
    if p.status != PeeringStatus::PendingAcceptance {
        return respond_peering(op, &p);
    }
    let message = format!("Initiating Request to {}", p.accepter.scope.account);
    op.respond(|w| {
        w.node("vpcPeeringConnection", |w| {
            write_peering_as(w, &p, &op.ctx.scope, ("initiating-request", &message));
        });
    })
}

pub(super) async fn accept<B: Backend>(op: &Op<'_, B>) -> Body {
    let id = pcx(&op.params)?;
    let outcome = op
        .run_as(Command::AcceptVpcPeeringConnection { id })
        .await?;
    respond_peering(op, &outcome)
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

#[cfg(test)]
mod tests {
    use super::super::testing::{Fake, ME, OTHER, all, call, error, ok, unknown_filter};

    const THIRD: &str = "333333333333";

    fn vpc(b: &Fake, account: &str, cidr: &str) -> String {
        all(
            &ok(b, account, &format!("Action=CreateVpc&CidrBlock={cidr}")),
            "vpcId",
        )
        .remove(0)
    }

    /// `ME`'s 10.0.0.0/16 VPC asks `OTHER`'s 10.1.0.0/16 VPC: (connection, mine, theirs).
    fn requested(b: &Fake) -> (String, String, String) {
        let mine = vpc(b, ME, "10.0.0.0/16");
        let theirs = vpc(b, OTHER, "10.1.0.0/16");
        let body = ok(
            b,
            ME,
            &format!(
                "Action=CreateVpcPeeringConnection&VpcId={mine}&PeerVpcId={theirs}\
                 &PeerOwnerId={OTHER}"
            ),
        );
        (all(&body, "vpcPeeringConnectionId").remove(0), mine, theirs)
    }

    fn dry_run(b: &Fake, account: &str, query: &str) {
        let r = call(b, account, &format!("{query}&DryRun=true"));
        assert_eq!(r.status, 412, "{query}: {}", r.body);
        assert_eq!(all(&r.body, "Code"), ["DryRunOperation"]);
    }

    #[test]
    fn create_decodes_and_maps_errors() {
        let b = Fake::default();
        let mine = vpc(&b, ME, "10.0.0.0/16");
        let theirs = vpc(&b, OTHER, "10.1.0.0/16");
        let create = |rest: &str| format!("Action=CreateVpcPeeringConnection{rest}");
        assert_eq!(
            error(&b, ME, &create(&format!("&VpcId={mine}"))),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, ME, &create(&format!("&PeerVpcId={theirs}"))),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &create(&format!("&VpcId=subnet-1&PeerVpcId={theirs}"))
            ),
            "InvalidVpcID.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &create(&format!(
                    "&VpcId={mine}&PeerVpcId={theirs}&PeerOwnerId=12ab"
                ))
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &create(&format!("&VpcId=vpc-0123456789abcdef0&PeerVpcId={theirs}"))
            ),
            "InvalidVpcID.NotFound"
        );
        // Another account's VPC is not a requester VPC.
        assert_eq!(
            error(
                &b,
                OTHER,
                &create(&format!("&VpcId={mine}&PeerVpcId={theirs}"))
            ),
            "InvalidVpcID.NotFound"
        );
        let with = create(&format!(
            "&VpcId={mine}&PeerVpcId={theirs}&PeerOwnerId={OTHER}"
        ));
        dry_run(&b, ME, &with);
        assert!(
            all(
                &ok(&b, ME, "Action=DescribeVpcPeeringConnections"),
                "vpcPeeringConnectionId"
            )
            .is_empty()
        );
        let body = ok(&b, ME, &with);
        let [id] = all(&body, "vpcPeeringConnectionId").try_into().unwrap();
        assert!(id.starts_with("pcx-"), "{id}");
        assert_eq!(all(&body, "code"), ["initiating-request"]);
        assert_eq!(
            all(&body, "message"),
            [format!("Initiating Request to {OTHER}")]
        );
        assert_eq!(all(&body, "vpcId"), [theirs.as_str(), mine.as_str()]);
        assert_eq!(all(&body, "ownerId"), [OTHER, ME]);
        // The accepter's blocks show only once the connection is active.
        assert_eq!(all(&body, "cidrBlock"), ["10.0.0.0/16", "10.0.0.0/16"]);
    }

    #[test]
    fn both_sides_see_it_and_accept_decodes() {
        let b = Fake::default();
        let (id, mine, theirs) = requested(&b);
        let describe = "Action=DescribeVpcPeeringConnections";
        for account in [ME, OTHER] {
            let seen = ok(&b, account, describe);
            assert_eq!(all(&seen, "vpcPeeringConnectionId"), [id.as_str()]);
            assert_eq!(all(&seen, "code"), ["pending-acceptance"]);
        }
        assert!(all(&ok(&b, THIRD, describe), "vpcPeeringConnectionId").is_empty());
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{describe}&VpcPeeringConnectionId.1=vpc-1")
            ),
            "InvalidVpcPeeringConnectionId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{describe}&VpcPeeringConnectionId.1=pcx-0123456789abcdef0")
            ),
            "InvalidVpcPeeringConnectionID.NotFound"
        );
        unknown_filter(&b, describe);
        let filtered = ok(
            &b,
            OTHER,
            &format!("{describe}&Filter.1.Name=requester-vpc-info.vpc-id&Filter.1.Value.1={mine}"),
        );
        assert_eq!(all(&filtered, "vpcPeeringConnectionId"), [id.as_str()]);

        let accept = "Action=AcceptVpcPeeringConnection";
        assert_eq!(error(&b, OTHER, accept), "MissingParameter");
        assert_eq!(
            error(&b, OTHER, &format!("{accept}&VpcPeeringConnectionId=vpc-1")),
            "InvalidVpcPeeringConnectionId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                OTHER,
                &format!("{accept}&VpcPeeringConnectionId=pcx-0123456789abcdef0")
            ),
            "InvalidVpcPeeringConnectionID.NotFound"
        );
        let by_id = format!("{accept}&VpcPeeringConnectionId={id}");
        assert_eq!(
            error(&b, THIRD, &by_id),
            "InvalidVpcPeeringConnectionID.NotFound"
        );
        dry_run(&b, OTHER, &by_id);
        let body = ok(&b, OTHER, &by_id);
        assert_eq!(all(&body, "vpcPeeringConnectionId"), [id.as_str()]);
        assert_eq!(all(&body, "code"), ["active"]);
        assert_eq!(all(&body, "vpcId"), [theirs.as_str(), mine.as_str()]);
        assert_eq!(
            all(&body, "cidrBlock"),
            ["10.1.0.0/16", "10.1.0.0/16", "10.0.0.0/16", "10.0.0.0/16"]
        );
    }

    #[test]
    fn modify_options_decodes_and_maps_errors() {
        let b = Fake::default();
        let (id, _, _) = requested(&b);
        ok(
            &b,
            OTHER,
            &format!("Action=AcceptVpcPeeringConnection&VpcPeeringConnectionId={id}"),
        );
        let modify = "Action=ModifyVpcPeeringConnectionOptions";
        assert_eq!(
            error(
                &b,
                ME,
                &format!(
                    "{modify}&RequesterPeeringConnectionOptions.AllowDnsResolutionFromRemoteVpc=true"
                )
            ),
            "MissingParameter"
        );
        let by_id = format!("{modify}&VpcPeeringConnectionId={id}");
        assert_eq!(error(&b, ME, &by_id), "MissingParameter");
        assert_eq!(
            error(
                &b,
                ME,
                &format!(
                    "{modify}&VpcPeeringConnectionId=vpc-1&RequesterPeeringConnectionOptions.AllowDnsResolutionFromRemoteVpc=true"
                )
            ),
            "InvalidVpcPeeringConnectionId.Malformed"
        );
        let requester =
            format!("{by_id}&RequesterPeeringConnectionOptions.AllowDnsResolutionFromRemoteVpc");
        assert_eq!(
            error(&b, ME, &format!("{requester}=yes")),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(&b, THIRD, &format!("{requester}=true")),
            "InvalidVpcPeeringConnectionID.NotFound"
        );
        dry_run(&b, ME, &format!("{requester}=true"));
        // DNS resolution needs DNS hostnames on both VPCs, which new VPCs lack.
        assert_eq!(
            error(&b, ME, &format!("{requester}=true")),
            "InvalidVpcPeeringConnectionState.DnsHostnamesDisabled"
        );
        let body = ok(&b, ME, &format!("{requester}=false"));
        assert!(
            body.contains(
                "<requesterPeeringConnectionOptions><allowDnsResolutionFromRemoteVpc>false\
                 </allowDnsResolutionFromRemoteVpc>"
            ),
            "{body}"
        );
        assert!(
            !body.contains("<accepterPeeringConnectionOptions>"),
            "{body}"
        );
    }

    #[test]
    fn reject_and_delete_decode_and_map_errors() {
        let b = Fake::default();
        let (id, _, _) = requested(&b);
        for action in ["RejectVpcPeeringConnection", "DeleteVpcPeeringConnection"] {
            let q = format!("Action={action}");
            assert_eq!(error(&b, OTHER, &q), "MissingParameter", "{action}");
            assert_eq!(
                error(&b, OTHER, &format!("{q}&VpcPeeringConnectionId=pcx")),
                "InvalidVpcPeeringConnectionId.Malformed",
                "{action}"
            );
            assert_eq!(
                error(
                    &b,
                    OTHER,
                    &format!("{q}&VpcPeeringConnectionId=pcx-0123456789abcdef0")
                ),
                "InvalidVpcPeeringConnectionID.NotFound",
                "{action}"
            );
            assert_eq!(
                error(&b, THIRD, &format!("{q}&VpcPeeringConnectionId={id}")),
                "InvalidVpcPeeringConnectionID.NotFound",
                "{action}"
            );
            dry_run(&b, OTHER, &format!("{q}&VpcPeeringConnectionId={id}"));
        }
        let reject = format!("Action=RejectVpcPeeringConnection&VpcPeeringConnectionId={id}");
        assert_eq!(all(&ok(&b, OTHER, &reject), "return"), ["true"]);
        let seen = ok(&b, ME, "Action=DescribeVpcPeeringConnections");
        assert_eq!(all(&seen, "code"), ["rejected"]);

        let (id, _, _) = requested(&b);
        let delete = format!("Action=DeleteVpcPeeringConnection&VpcPeeringConnectionId={id}");
        assert_eq!(all(&ok(&b, ME, &delete), "return"), ["true"]);
        let seen = ok(
            &b,
            ME,
            &format!("Action=DescribeVpcPeeringConnections&VpcPeeringConnectionId.1={id}"),
        );
        assert_eq!(all(&seen, "code"), ["deleted"]);
    }
}

//! Unit tests of a private zone's VPCs: AssociateVPCWithHostedZone,
//! DisassociateVPCFromHostedZone, the cross-account VPC association authorizations,
//! ListHostedZonesByVPC and GetDNSSEC (`route53.rs`).

use super::testing::{
    answered, answered_as, call, doc, new_private_zone, new_zone, refused, refused_as, vpc_doc,
};
use crate::ec2::testing::{new_vpc, new_vpc_of};
use crate::testing::{Fake, ME, OTHER, all};

const REGION: &str = "ap-northeast-1";
const ASSOCIATE: &str = "AssociateVPCWithHostedZoneRequest";
const DISASSOCIATE: &str = "DisassociateVPCFromHostedZoneRequest";
const AUTHORIZE: &str = "CreateVPCAssociationAuthorizationRequest";
const DEAUTHORIZE: &str = "DeleteVPCAssociationAuthorizationRequest";

fn code(status: u16, code: &str) -> (u16, String) {
    (status, code.to_owned())
}

/// `{root}` naming `vpc` in `REGION` with a `Comment`.
fn with_comment(root: &str, vpc: &str, comment: &str) -> String {
    doc(
        root,
        &format!(
            "<VPC><VPCRegion>{REGION}</VPCRegion><VPCId>{vpc}</VPCId></VPC>\
             <Comment>{comment}</Comment>"
        ),
    )
}

/// The VPC ids GetHostedZone answers for a zone of `ME`.
fn zone_vpcs(b: &Fake, zone: &str) -> Vec<String> {
    all(
        &answered(b, 200, "GET", &format!("hostedzone/{zone}"), ""),
        "VPCId",
    )
}

/// The zone ids ListHostedZonesByVPC answers to `account` for its `vpc`.
fn zones_by_vpc(b: &Fake, account: &str, vpc: &str) -> Vec<String> {
    let q = format!("hostedzonesbyvpc?vpcid={vpc}&vpcregion={REGION}");
    all(&answered_as(b, account, 200, "GET", &q, ""), "HostedZoneId")
}

/// The VPC ids ListVPCAssociationAuthorizations answers for a zone of `ME`.
fn authorized(b: &Fake, zone: &str) -> Vec<String> {
    let path = format!("hostedzone/{zone}/authorizevpcassociation");
    let body = answered(b, 200, "GET", &path, "");
    assert_eq!(all(&body, "HostedZoneId"), [zone], "{body}");
    all(&body, "VPCId")
}

#[test]
fn the_owner_associates_and_disassociates_its_vpcs() {
    let b = Fake::default();
    let (first, second) = (new_vpc(&b), new_vpc(&b));
    let zone = new_private_zone(&b, "internal.example", &first);
    let associate = format!("hostedzone/{zone}/associatevpc");
    let disassociate = format!("hostedzone/{zone}/disassociatevpc");
    let body = answered(
        &b,
        200,
        "POST",
        &associate,
        &with_comment(ASSOCIATE, &second, "second"),
    );
    assert!(
        body.contains("<AssociateVPCWithHostedZoneResponse"),
        "{body}"
    );
    assert_eq!(all(&body, "Status"), ["PENDING"]);
    assert_eq!(all(&body, "Comment"), ["second"]);
    assert!(all(&body, "Id")[0].starts_with("/change/C"), "{body}");
    assert_eq!(zone_vpcs(&b, &zone), [first.as_str(), second.as_str()]);
    assert_eq!(zones_by_vpc(&b, ME, &second), [zone.as_str()]);
    let body = answered(
        &b,
        200,
        "POST",
        &disassociate,
        &with_comment(DISASSOCIATE, &second, "bye"),
    );
    assert!(
        body.contains("<DisassociateVPCFromHostedZoneResponse"),
        "{body}"
    );
    assert_eq!(all(&body, "Comment"), ["bye"]);
    assert_eq!(zone_vpcs(&b, &zone), [first.as_str()]);
    assert!(zones_by_vpc(&b, ME, &second).is_empty());
    // Not associated any more: VPCAssociationNotFound (404); the last VPC stays (400).
    let again = vpc_doc(DISASSOCIATE, REGION, &second);
    assert_eq!(
        refused(&b, "POST", &disassociate, &again),
        code(404, "VPCAssociationNotFound")
    );
    let last = vpc_doc(DISASSOCIATE, REGION, &first);
    assert_eq!(
        refused(&b, "POST", &disassociate, &last),
        code(400, "LastVPCAssociation")
    );
    assert_eq!(zone_vpcs(&b, &zone), [first.as_str()]);
}

#[test]
fn associating_refuses_bad_vpcs_zones_and_requests() {
    let b = Fake::default();
    let (first, second) = (new_vpc(&b), new_vpc(&b));
    let zone = new_private_zone(&b, "internal.example", &first);
    let associate = format!("hostedzone/{zone}/associatevpc");
    for (body, want) in [
        // No VPC element, or the wrong root element: InvalidInput.
        (
            doc(ASSOCIATE, "<Comment>x</Comment>"),
            code(400, "InvalidInput"),
        ),
        (
            vpc_doc("AssociateVPCWithHostedZone", REGION, &second),
            code(400, "InvalidInput"),
        ),
        (
            doc(
                ASSOCIATE,
                &format!("<VPC><VPCRegion>{REGION}</VPCRegion></VPC>"),
            ),
            code(400, "InvalidInput"),
        ),
        // A malformed id, an unknown VPC, a VPC named in another region: InvalidVPCId.
        (
            vpc_doc(ASSOCIATE, REGION, "vpc-nope"),
            code(400, "InvalidVPCId"),
        ),
        (
            vpc_doc(ASSOCIATE, REGION, "vpc-0123456789abcdef0"),
            code(400, "InvalidVPCId"),
        ),
        (
            vpc_doc(ASSOCIATE, "us-east-1", &second),
            code(400, "InvalidVPCId"),
        ),
    ] {
        assert_eq!(refused(&b, "POST", &associate, &body), want, "{body}");
    }
    let body = vpc_doc(ASSOCIATE, REGION, &second);
    assert_eq!(
        refused(
            &b,
            "POST",
            "hostedzone/Z0000000000000000000/associatevpc",
            &body
        ),
        code(404, "NoSuchHostedZone")
    );
    let public = new_zone(&b, "example.com");
    assert_eq!(
        refused(
            &b,
            "POST",
            &format!("hostedzone/{public}/associatevpc"),
            &body
        ),
        code(400, "PublicZoneVPCAssociation")
    );
    // A second zone of the same name cannot be associated with a VPC that sees the first.
    let twin = doc(
        "CreateHostedZoneRequest",
        &format!(
            "<Name>internal.example</Name><CallerReference>twin</CallerReference>\
             <VPC><VPCId>{second}</VPCId></VPC>"
        ),
    );
    let twin = all(&answered(&b, 201, "POST", "hostedzone", &twin), "Id").remove(0);
    let twin = format!("{}/associatevpc", twin.trim_start_matches('/'));
    let conflict = vpc_doc(ASSOCIATE, REGION, &first);
    assert_eq!(
        refused(&b, "POST", &twin, &conflict),
        code(400, "ConflictingDomainExists")
    );
    assert_eq!(zone_vpcs(&b, &zone), [first.as_str()]);
    let disassociate = vpc_doc(DISASSOCIATE, REGION, &second);
    assert_eq!(
        refused(
            &b,
            "POST",
            "hostedzone/Z0000000000000000000/disassociatevpc",
            &disassociate
        ),
        code(404, "NoSuchHostedZone")
    );
}

#[test]
fn another_account_associates_its_vpc_once_the_owner_authorizes_it() {
    let b = Fake::default();
    let mine = new_vpc(&b);
    let theirs = new_vpc_of(&b, OTHER);
    let zone = new_private_zone(&b, "internal.example", &mine);
    let associate = format!("hostedzone/{zone}/associatevpc");
    let authorize = format!("hostedzone/{zone}/authorizevpcassociation");
    let deauthorize = format!("hostedzone/{zone}/deauthorizevpcassociation");
    let their_vpc = vpc_doc(ASSOCIATE, REGION, &theirs);
    // Without an authorization the VPC's owner may not associate it (401).
    assert_eq!(
        refused_as(&b, OTHER, "POST", &associate, &their_vpc),
        code(401, "NotAuthorizedException")
    );
    assert!(authorized(&b, &zone).is_empty());
    // Another account can neither authorize on nor read the zone.
    let grant = vpc_doc(AUTHORIZE, REGION, &theirs);
    assert_eq!(
        refused_as(&b, OTHER, "POST", &authorize, &grant),
        code(404, "NoSuchHostedZone")
    );
    assert_eq!(
        refused_as(&b, OTHER, "GET", &authorize, ""),
        code(404, "NoSuchHostedZone")
    );
    let body = answered(&b, 200, "POST", &authorize, &grant);
    assert!(
        body.contains("<CreateVPCAssociationAuthorizationResponse"),
        "{body}"
    );
    assert_eq!(all(&body, "HostedZoneId"), [zone.as_str()]);
    assert_eq!(all(&body, "VPCId"), [theirs.as_str()]);
    assert_eq!(all(&body, "VPCRegion"), [REGION]);
    assert_eq!(authorized(&b, &zone), [theirs.as_str()]);
    // The zone's owner cannot associate another account's VPC, authorized or not.
    assert_eq!(
        refused(&b, "POST", &associate, &their_vpc),
        code(401, "NotAuthorizedException")
    );
    answered_as(&b, OTHER, 200, "POST", &associate, &their_vpc);
    assert_eq!(zone_vpcs(&b, &zone), [mine.as_str(), theirs.as_str()]);
    let q = format!("hostedzonesbyvpc?vpcid={theirs}&vpcregion={REGION}");
    let listed = answered_as(&b, OTHER, 200, "GET", &q, "");
    assert_eq!(all(&listed, "HostedZoneId"), [zone.as_str()]);
    assert_eq!(all(&listed, "Name"), ["internal.example."]);
    assert_eq!(all(&listed, "OwningAccount"), [ME]);
    // Deleting the authorization leaves the association; a second delete finds nothing.
    let revoke = vpc_doc(DEAUTHORIZE, REGION, &theirs);
    let body = answered(&b, 200, "POST", &deauthorize, &revoke);
    assert!(
        body.contains("<DeleteVPCAssociationAuthorizationResponse"),
        "{body}"
    );
    assert!(authorized(&b, &zone).is_empty());
    assert_eq!(
        refused(&b, "POST", &deauthorize, &revoke),
        code(404, "VPCAssociationAuthorizationNotFound")
    );
    assert_eq!(zone_vpcs(&b, &zone), [mine.as_str(), theirs.as_str()]);
    // The VPC's owner may disassociate it; associating again needs a new authorization.
    let leave = vpc_doc(DISASSOCIATE, REGION, &theirs);
    answered_as(
        &b,
        OTHER,
        200,
        "POST",
        &format!("hostedzone/{zone}/disassociatevpc"),
        &leave,
    );
    assert_eq!(zone_vpcs(&b, &zone), [mine.as_str()]);
    assert!(zones_by_vpc(&b, OTHER, &theirs).is_empty());
    assert_eq!(
        refused_as(&b, OTHER, "POST", &associate, &their_vpc),
        code(401, "NotAuthorizedException")
    );
}

#[test]
fn authorizations_are_checked_and_listed_a_page_at_a_time() {
    let b = Fake::default();
    let mine = new_vpc(&b);
    let theirs = [new_vpc_of(&b, OTHER), new_vpc_of(&b, OTHER)];
    let zone = new_private_zone(&b, "internal.example", &mine);
    let authorize = format!("hostedzone/{zone}/authorizevpcassociation");
    for vpc in &theirs {
        answered(
            &b,
            200,
            "POST",
            &authorize,
            &vpc_doc(AUTHORIZE, REGION, vpc),
        );
    }
    assert_eq!(authorized(&b, &zone), theirs);
    let first = answered(&b, 200, "GET", &format!("{authorize}?maxresults=1"), "");
    assert_eq!(all(&first, "VPCId"), [theirs[0].as_str()]);
    let token = all(&first, "NextToken").remove(0);
    let q = format!("{authorize}?maxresults=1&nexttoken={token}");
    let second = answered(&b, 200, "GET", &q, "");
    assert_eq!(all(&second, "VPCId"), [theirs[1].as_str()]);
    assert!(all(&second, "NextToken").is_empty(), "{second}");
    for (q, want) in [
        ("?maxresults=0", code(400, "InvalidInput")),
        ("?nexttoken=bogus", code(400, "InvalidPaginationToken")),
    ] {
        assert_eq!(
            refused(&b, "GET", &format!("{authorize}{q}"), ""),
            want,
            "{q}"
        );
    }
    for (path, body, want) in [
        (
            authorize.clone(),
            vpc_doc(AUTHORIZE, REGION, "vpc-0123456789abcdef0"),
            code(400, "InvalidVPCId"),
        ),
        (
            authorize.clone(),
            vpc_doc(AUTHORIZE, REGION, "vpc-nope"),
            code(400, "InvalidVPCId"),
        ),
        (
            authorize.clone(),
            doc(AUTHORIZE, "<HostedZoneId>x</HostedZoneId>"),
            code(400, "InvalidInput"),
        ),
        (
            "hostedzone/Z0000000000000000000/authorizevpcassociation".to_owned(),
            vpc_doc(AUTHORIZE, REGION, &theirs[0]),
            code(404, "NoSuchHostedZone"),
        ),
        (
            "hostedzone/Z0000000000000000000/deauthorizevpcassociation".to_owned(),
            vpc_doc(DEAUTHORIZE, REGION, &theirs[0]),
            code(404, "NoSuchHostedZone"),
        ),
    ] {
        assert_eq!(refused(&b, "POST", &path, &body), want, "{path} {body}");
    }
    assert_eq!(
        refused(
            &b,
            "GET",
            "hostedzone/Z0000000000000000000/authorizevpcassociation",
            ""
        ),
        code(404, "NoSuchHostedZone")
    );
    assert_eq!(authorized(&b, &zone), theirs);
}

#[test]
fn hosted_zones_by_vpc_are_paged_with_a_token() {
    let b = Fake::default();
    let vpc = new_vpc(&b);
    let mut zones = [
        new_private_zone(&b, "a.internal", &vpc),
        new_private_zone(&b, "b.internal", &vpc),
    ];
    zones.sort();
    assert_eq!(zones_by_vpc(&b, ME, &vpc), zones);
    let base = format!("hostedzonesbyvpc?vpcid={vpc}&vpcregion={REGION}");
    let first = answered(&b, 200, "GET", &format!("{base}&maxitems=1"), "");
    assert_eq!(all(&first, "HostedZoneId"), [zones[0].as_str()]);
    assert_eq!(all(&first, "MaxItems"), ["1"]);
    let token = all(&first, "NextToken").remove(0);
    let q = format!("{base}&maxitems=1&nexttoken={token}");
    let second = answered(&b, 200, "GET", &q, "");
    assert_eq!(all(&second, "HostedZoneId"), [zones[1].as_str()]);
    assert!(all(&second, "NextToken").is_empty(), "{second}");
    for (q, want) in [
        ("&nexttoken=bogus", code(400, "InvalidPaginationToken")),
        ("&maxitems=0", code(400, "InvalidInput")),
    ] {
        assert_eq!(refused(&b, "GET", &format!("{base}{q}"), ""), want, "{q}");
    }
    // Without VPCId; and another account's VPC, which the caller cannot name.
    let q = format!("hostedzonesbyvpc?vpcregion={REGION}");
    assert_eq!(refused(&b, "GET", &q, ""), code(400, "InvalidInput"));
    let theirs = new_vpc_of(&b, OTHER);
    let q = format!("hostedzonesbyvpc?vpcid={theirs}&vpcregion={REGION}");
    assert_eq!(refused(&b, "GET", &q, ""), code(400, "InvalidVPCId"));
    assert!(zones_by_vpc(&b, OTHER, &theirs).is_empty());
}

#[test]
fn get_dnssec_answers_a_zone_that_is_not_signed() {
    let b = Fake::default();
    let zone = new_zone(&b, "example.com");
    let path = format!("hostedzone/{zone}/dnssec");
    let body = answered(&b, 200, "GET", &path, "");
    assert!(body.contains("<GetDNSSECResponse"), "{body}");
    assert_eq!(all(&body, "ServeSignature"), ["NOT_SIGNING"]);
    // KeySigningKeys is required: present, and empty.
    assert_eq!(all(&body, "KeySigningKeys"), [""]);
    assert_eq!(
        refused_as(&b, OTHER, "GET", &path, ""),
        code(404, "NoSuchHostedZone")
    );
    assert_eq!(
        refused(&b, "GET", "hostedzone/Z0000000000000000000/dnssec", ""),
        code(404, "NoSuchHostedZone")
    );
    // Signing is not served: the request is refused, not answered as if done.
    let r = call(&b, "POST", &format!("hostedzone/{zone}/enable-dnssec"), "");
    assert_eq!(r.status, 400, "{}", r.body);
    let body = answered(&b, 200, "GET", &path, "");
    assert_eq!(all(&body, "ServeSignature"), ["NOT_SIGNING"]);
}

//! Helpers to call the Route 53 API on the shared fake backend (`crate::testing`), for the
//! unit tests of `route53.rs` and its operation files.

use crate::testing::{Fake, ME, all};
use crate::{ApiResponse, AwsRequest, Service};

/// `method` on `/2013-04-01/{path}` (which may carry `?query`) with an XML `body`, as `ME`.
pub(super) fn call(b: &Fake, method: &str, path: &str, body: &str) -> ApiResponse {
    call_as(b, ME, method, path, body)
}

/// [`call`] from `account`.
pub(super) fn call_as(
    b: &Fake,
    account: &str,
    method: &str,
    path: &str,
    body: &str,
) -> ApiResponse {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let path = format!("/{}/{path}", super::VERSION);
    let request = AwsRequest {
        method,
        path: &path,
        query,
        target: "",
        body: body.as_bytes(),
    };
    crate::testing::call(Service::Route53, b, account, &request)
}

/// The body of a call answered with `status`.
pub(super) fn answered(b: &Fake, status: u16, method: &str, path: &str, body: &str) -> String {
    answered_as(b, ME, status, method, path, body)
}

/// [`answered`] from `account`.
pub(super) fn answered_as(
    b: &Fake,
    account: &str,
    status: u16,
    method: &str,
    path: &str,
    body: &str,
) -> String {
    let r = call_as(b, account, method, path, body);
    assert_eq!(r.status, status, "{account} {method} {path}: {}", r.body);
    r.body
}

/// The status and code of a refused call.
pub(super) fn refused(b: &Fake, method: &str, path: &str, body: &str) -> (u16, String) {
    refused_as(b, ME, method, path, body)
}

/// [`refused`] from `account`.
pub(super) fn refused_as(
    b: &Fake,
    account: &str,
    method: &str,
    path: &str,
    body: &str,
) -> (u16, String) {
    let r = call_as(b, account, method, path, body);
    assert!(r.status >= 400, "{account} {method} {path}: {}", r.body);
    (r.status, all(&r.body, "Code").remove(0))
}

/// A request document `root` naming one VPC: `<VPC><VPCRegion/><VPCId/></VPC>`.
pub(super) fn vpc_doc(root: &str, region: &str, vpc: &str) -> String {
    doc(
        root,
        &format!("<VPC><VPCRegion>{region}</VPCRegion><VPCId>{vpc}</VPCId></VPC>"),
    )
}

/// A request document of the Route 53 namespace: `<root xmlns=…>inner</root>`.
pub(super) fn doc(root: &str, inner: &str) -> String {
    format!("<{root} xmlns=\"{}\">{inner}</{root}>", super::NAMESPACE)
}

/// A new public zone `name` of `ME`: its bare id (`Z…`).
pub(super) fn new_zone(b: &Fake, name: &str) -> String {
    let inner = format!("<Name>{name}</Name><CallerReference>ref-{name}</CallerReference>");
    let body = answered(
        b,
        201,
        "POST",
        "hostedzone",
        &doc("CreateHostedZoneRequest", &inner),
    );
    created_zone_id(&body)
}

/// CreateHostedZone of a private zone `internal.example` for `vpc` (no `VPCRegion`): the
/// 201 answer's body.
pub(super) fn create_private_zone(b: &Fake, vpc: &str) -> String {
    create_private_zone_named(b, "internal.example", vpc)
}

/// CreateHostedZone of a private zone `name` of `ME` for `vpc` (no `VPCRegion`, the
/// caller reference `p-{name}`): the 201 answer's body.
pub(super) fn create_private_zone_named(b: &Fake, name: &str, vpc: &str) -> String {
    let body = doc(
        "CreateHostedZoneRequest",
        &format!(
            "<Name>{name}</Name><CallerReference>p-{name}</CallerReference>\
             <VPC><VPCId>{vpc}</VPCId></VPC>"
        ),
    );
    answered(b, 201, "POST", "hostedzone", &body)
}

/// A new private zone `name` of `ME` for `vpc`: its bare id (`Z…`).
pub(super) fn new_private_zone(b: &Fake, name: &str, vpc: &str) -> String {
    let body = create_private_zone_named(b, name, vpc);
    created_zone_id(&body)
}

/// The bare id (`Z…`) of the zone a CreateHostedZone answer carries.
fn created_zone_id(body: &str) -> String {
    let id = all(body, "Id").remove(0);
    id.trim_start_matches("/hostedzone/").to_owned()
}

//! Helpers to call the EC2 API on the shared fake backend (`crate::testing`), for the unit
//! tests of the operations (ELBv2's tests use the EC2 helpers too).

pub(crate) use crate::testing::{Fake, ME, OTHER, all};
use crate::testing::{call as call_service, query_request};
use crate::{ApiResponse, Service};

pub(super) fn call(backend: &Fake, account: &str, query: &str) -> ApiResponse {
    let params = format!("{query}&Version=2016-11-15");
    call_service(Service::Ec2, backend, account, &query_request(&params))
}

/// The body of a successful call.
pub(crate) fn ok(backend: &Fake, account: &str, query: &str) -> String {
    let r = call(backend, account, query);
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    r.body
}

/// The error code of a failed call.
pub(crate) fn error(backend: &Fake, account: &str, query: &str) -> String {
    let r = call(backend, account, query);
    assert_ne!(r.status, 200, "{query}: {}", r.body);
    all(&r.body, "Code").remove(0)
}

/// A new 10.0.0.0/16 VPC of `ME` with a 10.0.1.0/24 subnet in ap-northeast-1a: the subnet's id.
pub(crate) fn new_subnet(b: &Fake) -> String {
    subnet_in(b, &new_vpc(b), "10.0.1.0/24", "ap-northeast-1a")
}

/// A new subnet of `ME` in `vpc` with `cidr`, in availability zone `zone`: its id.
pub(crate) fn subnet_in(b: &Fake, vpc: &str, cidr: &str, zone: &str) -> String {
    subnet_of(b, ME, vpc, cidr, zone)
}

/// A new subnet of `account` in its `vpc` with `cidr`, in availability zone `zone`: its id.
pub(crate) fn subnet_of(b: &Fake, account: &str, vpc: &str, cidr: &str, zone: &str) -> String {
    let q = format!("Action=CreateSubnet&VpcId={vpc}&CidrBlock={cidr}&AvailabilityZone={zone}");
    all(&ok(b, account, &q), "subnetId").remove(0)
}

/// One instance of `instance_type` launched by `ME` into `subnet`: its id.
pub(crate) fn launch_in(b: &Fake, subnet: &str, instance_type: &str) -> String {
    let run = format!(
        "Action=RunInstances&ImageId=ami-0123456789abcdef0&InstanceType={instance_type}\
         &MinCount=1&MaxCount=1&SubnetId={subnet}"
    );
    all(&ok(b, ME, &run), "instanceId").remove(0)
}

/// A permitted DryRun: 412 `DryRunOperation`.
pub(crate) fn dry_run(b: &Fake, query: &str) {
    let r = call(b, ME, &format!("{query}&DryRun=true"));
    assert_eq!(r.status, 412, "{query}: {}", r.body);
    assert_eq!(all(&r.body, "Code"), ["DryRunOperation"]);
}

/// An operation AWS defines without DryRun: the parameter is unknown (400).
pub(crate) fn no_dry_run(b: &Fake, query: &str) {
    let r = call(b, ME, &format!("{query}&DryRun=true"));
    assert_eq!(r.status, 400, "{query}: {}", r.body);
    assert_eq!(all(&r.body, "Code"), ["UnknownParameter"]);
}

/// A new 10.0.0.0/16 VPC of `ME`: its id.
pub(crate) fn new_vpc(b: &Fake) -> String {
    new_vpc_of(b, ME)
}

/// A new 10.0.0.0/16 VPC of `account` (in ap-northeast-1): its id.
pub(crate) fn new_vpc_of(b: &Fake, account: &str) -> String {
    all(
        &ok(b, account, "Action=CreateVpc&CidrBlock=10.0.0.0/16"),
        "vpcId",
    )
    .remove(0)
}

/// A Describe with a filter name it does not know: `InvalidParameterValue`.
pub(crate) fn unknown_filter(b: &Fake, describe: &str) {
    let query = format!("{describe}&Filter.1.Name=bogus&Filter.1.Value.1=x");
    assert_eq!(error(b, ME, &query), "InvalidParameterValue");
}

/// A call without a required parameter: 400 `MissingParameter`.
pub(crate) fn missing_parameter(b: &Fake, query: &str) {
    let r = call(b, ME, query);
    assert_eq!(r.status, 400, "{query}: {}", r.body);
    assert_eq!(all(&r.body, "Code"), ["MissingParameter"]);
}

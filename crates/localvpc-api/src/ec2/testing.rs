//! A backend without a writer thread or a store, and helpers to call the EC2 API with it, for
//! the unit tests of the operations (ELBv2's tests use the backend and the EC2 helpers too).

use crate::service::{self, Service};
use crate::{ApiResponse, Backend, ExecuteError};
use localvpc_model::{Catalog, Command, Ctx, Model, Outcome, Scope, SequentialIds, Timestamp};
use std::sync::{Arc, Mutex, PoisonError};

/// A backend without a writer thread or a store: a command runs on the model in place.
#[derive(Default)]
pub(crate) struct Fake {
    state: Mutex<(Arc<Model>, SequentialIds)>,
    catalog: Catalog,
}

impl Backend for Fake {
    fn snapshot(&self) -> Arc<Model> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(&state.0)
    }

    fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    fn default_vpc(&self) -> bool {
        false
    }

    fn now(&self) -> Timestamp {
        Timestamp(0)
    }

    async fn execute(&self, scope: Scope, command: Command) -> Result<Outcome, ExecuteError> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (model, ids) = &mut *state;
        let mut ctx = Ctx {
            scope: &scope,
            now: Timestamp(0),
            ids,
            catalog: &self.catalog,
        };
        let (next, outcome, _) = model.execute(&command, &mut ctx)?;
        *model = Arc::new(next);
        Ok(outcome)
    }
}

pub(crate) const ME: &str = "111111111111";
pub(crate) const OTHER: &str = "222222222222";

pub(super) fn call(backend: &Fake, account: &str, query: &str) -> ApiResponse {
    let params = format!("{query}&Version=2016-11-15");
    service::call(
        Service::Ec2,
        backend,
        account,
        &service::query_request(&params),
    )
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

/// The text of every `<tag>` of a body, in order.
pub(crate) fn all(body: &str, tag: &str) -> Vec<String> {
    body.split(&format!("<{tag}>"))
        .skip(1)
        .filter_map(|s| s.split(&format!("</{tag}>")).next())
        .map(str::to_owned)
        .collect()
}

/// A new 10.0.0.0/16 VPC of `ME` with a 10.0.1.0/24 subnet in ap-northeast-1a: the subnet's id.
pub(crate) fn new_subnet(b: &Fake) -> String {
    let vpc = all(
        &ok(b, ME, "Action=CreateVpc&CidrBlock=10.0.0.0/16"),
        "vpcId",
    )
    .remove(0);
    let body = ok(
        b,
        ME,
        &format!(
            "Action=CreateSubnet&VpcId={vpc}&CidrBlock=10.0.1.0/24\
             &AvailabilityZone=ap-northeast-1a"
        ),
    );
    all(&body, "subnetId").remove(0)
}

/// One instance of `instance_type` launched by `ME` into `subnet`: its id.
pub(super) fn launch_in(b: &Fake, subnet: &str, instance_type: &str) -> String {
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
    all(
        &ok(b, ME, "Action=CreateVpc&CidrBlock=10.0.0.0/16"),
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

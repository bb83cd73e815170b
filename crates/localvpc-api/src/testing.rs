//! A backend without a writer thread or a store, and what every service's unit tests share:
//! the accounts, calling a service as the server would and reading XML answers. Each
//! service keeps its own call helpers beside it (`ec2/testing.rs`, the tests of `elbv2.rs`,
//! `route53.rs` and `route53resolver.rs`).

use crate::{ApiResponse, AwsRequest, Backend, ExecuteError, Service};
use localvpc_model::{
    AccountId, Catalog, Command, Ctx, Model, Outcome, Scope, SequentialIds, Timestamp,
};
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

/// Calls a service as the server would, from `account`, signed for ap-northeast-1.
pub(crate) fn call(
    service: Service,
    backend: &Fake,
    account: &str,
    request: &AwsRequest<'_>,
) -> ApiResponse {
    let account = AccountId::parse(account).expect("a 12-digit account");
    let ctx = service.context(account, "ap-northeast-1", "req-1");
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
        .block_on(service.handle(backend, &ctx, request))
}

/// A JSON 1.1 call (`X-Amz-Target: <prefix>.<operation>`) from `account`: the status and
/// the answer's JSON, checked to be JSON 1.1.
pub(crate) fn call_json(
    service: Service,
    backend: &Fake,
    account: &str,
    target: &str,
    body: &str,
) -> (u16, serde_json::Value) {
    let request = AwsRequest {
        method: "POST",
        path: "/",
        query: "",
        target,
        body: body.as_bytes(),
    };
    let r = call(service, backend, account, &request);
    assert_eq!(r.content_type, "application/x-amz-json-1.1");
    (
        r.status,
        serde_json::from_str(&r.body).expect("a JSON answer"),
    )
}

/// A query-protocol request (EC2, ELBv2, STS) with `params` in its body.
pub(crate) fn query_request(params: &str) -> AwsRequest<'_> {
    AwsRequest {
        method: "POST",
        path: "/",
        query: "",
        target: "",
        body: params.as_bytes(),
    }
}

/// The text of every `<tag>` of a body, in order.
pub(crate) fn all(body: &str, tag: &str) -> Vec<String> {
    body.split(&format!("<{tag}>"))
        .skip(1)
        .filter_map(|s| s.split(&format!("</{tag}>")).next())
        .map(str::to_owned)
        .collect()
}

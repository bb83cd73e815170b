//! The AWS operations localvpc serves, one module per service.
//!
//! An operation decodes its wire input into a [`localvpc_model::Command`] (a write, sent to
//! the [`Backend`]) or reads a model snapshot (a query), then encodes the answer in its
//! protocol. Nothing here touches sockets or storage: the server crate implements
//! [`Backend`] and carries bytes.

pub mod ec2;
pub mod elbv2;
mod error;
mod json;
pub mod logs;
pub mod route53;
pub mod route53resolver;
pub mod s3;
mod service;
pub mod sts;
#[cfg(test)]
mod testing;

pub use error::ApiError;
pub use service::{Protocol, Service};

use localvpc_model::{Catalog, Command, FromOutcome, Model, ModelError, Outcome, Scope, Timestamp};
use std::future::Future;
use std::sync::Arc;

/// What the API needs from the running server.
pub trait Backend: Send + Sync {
    /// The latest committed state. Never waits for writers.
    fn snapshot(&self) -> Arc<Model>;

    fn catalog(&self) -> &Catalog;

    /// Whether new scopes get a default VPC (`--no-default-vpc` turns it off).
    fn default_vpc(&self) -> bool;

    /// The wall clock (for values outside the model, such as credential expiry).
    fn now(&self) -> Timestamp;

    /// The network decision tables of the latest snapshot (Reachability Analyzer). The
    /// default builds them; a server keeps them per snapshot.
    fn net_index(&self) -> Arc<localvpc_net::NetIndex> {
        Arc::new(localvpc_net::NetIndex::build(self.snapshot()))
    }

    /// Applies a command durably; resolves once it is committed and visible in snapshots.
    fn execute(
        &self,
        scope: Scope,
        command: Command,
    ) -> impl Future<Output = Result<Outcome, ExecuteError>> + Send;
}

/// Runs a command and takes its typed result: the one [`Outcome`] variant the command
/// answers with. Another variant is a bug of ours (a command paired with the wrong result
/// type), answered as `InternalError`.
pub(crate) async fn execute_as<B: Backend, T: FromOutcome>(
    backend: &B,
    scope: &Scope,
    command: Command,
) -> Result<T, ApiError> {
    let outcome = backend.execute(scope.clone(), command).await?;
    T::from_outcome(outcome)
        .map_err(|other| ApiError::internal(format!("unexpected outcome {other:?}")))
}

/// Why a command did not run.
#[derive(Debug)]
pub enum ExecuteError {
    /// The model refused it (the caller's fault).
    Model(ModelError),
    /// The store or writer failed (ours).
    Unavailable(String),
}

impl From<ModelError> for ExecuteError {
    fn from(e: ModelError) -> Self {
        Self::Model(e)
    }
}

/// Who is asking, and where (made by [`Service::context`]).
#[derive(Clone, Debug)]
pub struct RequestCtx {
    /// The account and region the request acts in.
    pub scope: Scope,
    /// The region the client signed for; differs from `scope.region` for global services
    /// (a Route 53 `VPC` without `VPCRegion` is taken to be there).
    pub signed_region: String,
    pub request_id: String,
}

/// The parts of an HTTP request the REST and JSON protocols read (the query protocols
/// need only the merged query/body parameters).
#[derive(Clone, Copy, Debug)]
pub struct AwsRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    /// The raw (still percent-encoded) query string, without `?`.
    pub query: &'a str,
    /// The `X-Amz-Target` header of JSON protocols, or "".
    pub target: &'a str,
    pub body: &'a [u8],
}

/// A rendered response: status, content type, body and any extra headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiResponse {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    /// Extra headers such as Route 53's `Location` on 201 Created.
    pub headers: Vec<(&'static str, String)>,
}

impl ApiResponse {
    pub fn xml(status: u16, body: String) -> Self {
        Self {
            status,
            content_type: "text/xml;charset=UTF-8",
            body,
            headers: Vec::new(),
        }
    }

    /// A JSON 1.1 protocol response (Route 53 Resolver).
    pub fn json(status: u16, body: String) -> Self {
        Self {
            status,
            content_type: "application/x-amz-json-1.1",
            body,
            headers: Vec::new(),
        }
    }
}

//! The AWS operations localvpc serves, one module per service.
//!
//! An operation decodes its wire input into a [`localvpc_model::Command`] (a write, sent to
//! the [`Backend`]) or reads a model snapshot (a query), then encodes the answer in its
//! protocol. Nothing here touches sockets or storage: the server crate implements
//! [`Backend`] and carries bytes.

pub mod ec2;
pub mod elbv2;
mod error;

pub use error::ApiError;

use localvpc_model::{Catalog, Command, Model, ModelError, Outcome, Scope};
use std::future::Future;
use std::sync::Arc;

/// What the API needs from the running server.
pub trait Backend: Send + Sync {
    /// The latest committed state. Never waits for writers.
    fn snapshot(&self) -> Arc<Model>;

    fn catalog(&self) -> &Catalog;

    /// Whether new scopes get a default VPC (`--no-default-vpc` turns it off).
    fn default_vpc(&self) -> bool;

    /// Applies a command durably; resolves once it is committed and visible in snapshots.
    fn execute(
        &self,
        scope: Scope,
        command: Command,
    ) -> impl Future<Output = Result<Outcome, ExecuteError>> + Send;
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

/// Who is asking, and where.
#[derive(Clone, Debug)]
pub struct RequestCtx {
    pub scope: Scope,
    pub request_id: String,
}

/// A rendered response: status, content type and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiResponse {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

impl ApiResponse {
    pub fn xml(status: u16, body: String) -> Self {
        Self {
            status,
            content_type: "text/xml;charset=UTF-8",
            body,
        }
    }
}

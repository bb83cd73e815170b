//! Errors as the wire sees them: an AWS code, a message, an HTTP status.

use crate::ExecuteError;
use localvpc_model::{ErrorClass, ModelError};
use std::borrow::Cow;

/// An AWS-shaped error, ready for any protocol's envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: Cow<'static, str>,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: Cow::Borrowed(code),
            message: message.into(),
        }
    }

    pub fn invalid_value(message: impl Into<String>) -> Self {
        Self::new(400, "InvalidParameterValue", message)
    }

    pub fn missing(param: &str) -> Self {
        Self::new(
            400,
            "MissingParameter",
            format!("The request must contain the parameter {param}"),
        )
    }

    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(400, "InvalidParameter", message)
    }

    /// A feature localvpc refuses rather than silently ignores (docs/aws-choices.md): one
    /// code and one sentence everywhere, so a client (or a test) can tell localvpc's limit
    /// from a refusal AWS would give.
    pub fn not_emulated(what: impl std::fmt::Display) -> Self {
        Self::new(
            400,
            "UnsupportedOperation",
            format!("localvpc does not emulate {what} (see docs/aws-choices.md)"),
        )
    }

    pub fn combination(message: impl Into<String>) -> Self {
        Self::new(400, "InvalidParameterCombination", message)
    }

    /// EC2 answers a permitted DryRun with HTTP 412 and this code.
    pub fn dry_run() -> Self {
        Self::new(
            412,
            "DryRunOperation",
            "Request would have succeeded, but DryRun flag is set.",
        )
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalError", message)
    }

    pub fn is_server_fault(&self) -> bool {
        self.status >= 500
    }
}

impl From<ModelError> for ApiError {
    fn from(e: ModelError) -> Self {
        let status = match e.class() {
            ErrorClass::Client => 400,
            ErrorClass::Server => 500,
        };
        Self {
            status,
            code: Cow::Borrowed(e.code()),
            message: e.to_string(),
        }
    }
}

impl From<ExecuteError> for ApiError {
    fn from(e: ExecuteError) -> Self {
        match e {
            ExecuteError::Model(m) => m.into(),
            ExecuteError::Unavailable(why) => {
                Self::internal(format!("An internal error has occurred: {why}"))
            }
        }
    }
}

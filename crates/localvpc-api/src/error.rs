//! Errors as the wire sees them: an AWS code, a message, an HTTP status.

use crate::ExecuteError;
use localvpc_model::ModelError;
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

/// The one place a model refusal becomes a wire error: code, status and message all come
/// from the variant.
impl From<ModelError> for ApiError {
    fn from(e: ModelError) -> Self {
        Self {
            status: e.status(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use localvpc_model::route53::Route53ErrorCode;
    use localvpc_model::{ElbErrorCode, ResolverErrorCode};

    fn wire(e: ModelError) -> (u16, String, String) {
        let a = ApiError::from(e);
        (a.status, a.code.into_owned(), a.message)
    }

    fn msg(m: &str) -> String {
        m.to_owned()
    }

    #[test]
    fn route53_codes_keep_their_rest_status() {
        for (code, status) in [
            (Route53ErrorCode::NoSuchHostedZone, 404),
            (Route53ErrorCode::NoSuchHealthCheck, 404),
            (Route53ErrorCode::HostedZoneAlreadyExists, 409),
            (Route53ErrorCode::NotAuthorizedException, 401),
            (Route53ErrorCode::InvalidInput, 400),
        ] {
            let e = ModelError::Route53 {
                code,
                message: msg("m"),
            };
            assert_eq!(
                wire(e),
                (status, code.as_str().to_owned(), msg("m")),
                "{code:?}"
            );
        }
    }

    #[test]
    fn query_and_json_service_codes_are_400() {
        let elb = ModelError::Elb {
            code: ElbErrorCode::ValidationError,
            message: msg("bad"),
        };
        assert_eq!(wire(elb), (400, msg("ValidationError"), msg("bad")));
        let resolver = ModelError::Resolver {
            code: ResolverErrorCode::InvalidParameter,
            message: msg("bad"),
        };
        assert_eq!(
            wire(resolver),
            (400, msg("InvalidParameterException"), msg("bad"))
        );
        let ec2 = ModelError::DefaultVpcDoesNotExist;
        assert_eq!(
            wire(ec2),
            (
                400,
                msg("DefaultVpcDoesNotExist"),
                msg("No default VPC exists for this account in this region.")
            )
        );
    }
}

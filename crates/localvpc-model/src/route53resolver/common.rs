//! What the Resolver's resource kinds share: the error codes and their constructors, ARNs,
//! name forms and the member checks several operations make.

use crate::ec2::vpc::Vpc;
use crate::error::ModelError;
use crate::id::{IdGen, VpcId};
use crate::resource::Model;
use crate::scope::Scope;
use std::net::Ipv4Addr;

/// The Resolver's JSON error types (all HTTP 400).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResolverErrorCode {
    InvalidParameter,
    InvalidRequest,
    ResourceNotFound,
    ResourceExists,
    ResourceInUse,
    LimitExceeded,
    InvalidTag,
}

impl ResolverErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidParameter => "InvalidParameterException",
            Self::InvalidRequest => "InvalidRequestException",
            Self::ResourceNotFound => "ResourceNotFoundException",
            Self::ResourceExists => "ResourceExistsException",
            Self::ResourceInUse => "ResourceInUseException",
            Self::LimitExceeded => "LimitExceededException",
            Self::InvalidTag => "InvalidTagException",
        }
    }
}

pub(super) fn rerr(code: ResolverErrorCode, message: impl Into<String>) -> ModelError {
    ModelError::Resolver {
        code,
        message: message.into(),
    }
}

pub(super) fn invalid_parameter(message: impl Into<String>) -> ModelError {
    rerr(ResolverErrorCode::InvalidParameter, message)
}

pub(super) fn invalid_request(message: impl Into<String>) -> ModelError {
    rerr(ResolverErrorCode::InvalidRequest, message)
}

pub(super) fn not_found(message: impl Into<String>) -> ModelError {
    rerr(ResolverErrorCode::ResourceNotFound, message)
}

/// An EC2 refusal met while managing an endpoint's interfaces, in the Resolver's terms.
pub(super) fn from_ec2(e: ModelError) -> ModelError {
    match e {
        ModelError::Resolver { .. } => e,
        ModelError::AddressInUse { ip } => rerr(
            ResolverErrorCode::ResourceExists,
            format!("The IP address '{ip}' is already in use"),
        ),
        ModelError::NotFound { .. } => not_found(e.to_string()),
        ModelError::SecurityGroupsPerInterfaceLimitExceeded => {
            rerr(ResolverErrorCode::LimitExceeded, e.to_string())
        }
        other => invalid_request(other.to_string()),
    }
}

pub(super) fn resolver_arn(scope: &Scope, kind: &str, id: &str) -> String {
    format!(
        "arn:aws:route53resolver:{}:{}:{kind}/{id}",
        scope.region, scope.account
    )
}

/// `name` lowercased with exactly one trailing dot.
pub(super) fn fqdn(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let trimmed = lower.trim_end_matches('.');
    format!("{trimmed}.")
}

pub(super) fn check_creator_request_id(id: &str) -> Result<(), ModelError> {
    let n = id.chars().count();
    if (1..=255).contains(&n) {
        Ok(())
    } else {
        Err(invalid_parameter(
            "CreatorRequestId must be between 1 and 255 characters long",
        ))
    }
}

/// The `Name` pattern: letters, digits, `-`, `_`, `'` and spaces, at most 64, not only digits.
pub(super) fn check_name(name: &str, field: &str) -> Result<(), ModelError> {
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '\'' | ' '));
    let all_digits = !name.is_empty() && name.chars().all(|c| c.is_ascii_digit());
    if name.chars().count() <= 64 && valid_chars && !all_digits {
        Ok(())
    } else {
        Err(invalid_parameter(format!(
            "[RSLVR-00201] Invalid {field} '{name}': at most 64 letters, digits, hyphens, underscores, apostrophes or spaces, and not only digits"
        )))
    }
}

pub(super) fn parse_ipv4(s: &str, field: &str) -> Result<Ipv4Addr, ModelError> {
    s.parse::<Ipv4Addr>()
        .map_err(|_| invalid_parameter(format!("{field} '{s}' is not a valid IPv4 address")))
}

impl Model {
    pub(super) fn scope_vpc(&self, scope: &Scope, id: &str) -> Option<VpcId> {
        let vpc = VpcId::parse(id).ok()?;
        self.get::<Vpc>(scope, &vpc).ok().map(|v| v.id.clone())
    }

    /// The VPC a per-VPC setting (Resolver config, DNSSEC config) is read for, or the
    /// setting APIs' not-found error.
    pub(super) fn setting_vpc(&self, scope: &Scope, id: &str) -> Result<VpcId, ModelError> {
        self.scope_vpc(scope, id).ok_or_else(|| {
            not_found(format!(
                "[RSLVR-01300] Resource with ID '{id}' does not exist"
            ))
        })
    }
}

/// A status message as AWS words those of writes: `[Trace id: 1-<8 hex>-<24 hex>] what`.
pub(super) fn traced(ids: &mut dyn IdGen, what: &str) -> String {
    format!("[Trace id: 1-{}-{}] {what}", ids.hex(8), ids.hex(24))
}

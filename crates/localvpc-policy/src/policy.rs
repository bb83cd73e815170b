//! The validated policy: what [`Policy::parse`] produces and [`Policy::evaluate`] reads.

use crate::condition::Condition;
use crate::error::PolicyError;
use crate::parse;
use crate::pattern::{ArnPattern, Tok};

/// A validated policy document.
///
/// Two policies are equal when they say the same thing; the text they came from (white
/// space, key order) is not kept. Store the caller's text separately when it must be echoed
/// back byte for byte.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub(crate) version: Option<Version>,
    pub(crate) id: Option<String>,
    // INVARIANT: never empty.
    pub(crate) statements: Vec<Statement>,
}

/// The policy language version (`Version` element).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// `2012-10-17`: the current version; policy variables are substituted.
    V2012_10_17,
    /// `2008-10-17`: the original version; `${…}` is literal text.
    V2008_10_17,
}

impl Version {
    /// The version as written in a document.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V2012_10_17 => "2012-10-17",
            Self::V2008_10_17 => "2008-10-17",
        }
    }
}

/// A statement's `Effect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// One statement of a policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub(crate) sid: Option<String>,
    pub(crate) effect: Effect,
    /// `None`: the statement names no principal and applies to every caller.
    pub(crate) principal: Option<PrincipalClause>,
    pub(crate) action: ActionClause,
    pub(crate) resource: ResourceClause,
    /// All must hold.
    pub(crate) conditions: Vec<Condition>,
}

impl Statement {
    /// The `Sid`, as written (it may be empty).
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// Whether the statement has a `Principal` or `NotPrincipal` element.
    pub fn has_principal(&self) -> bool {
        self.principal.is_some()
    }
}

/// `Principal` (or, `negated`, `NotPrincipal`): matches when any entry matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PrincipalClause {
    pub(crate) negated: bool,
    // INVARIANT: never empty.
    pub(crate) entries: Vec<PrincipalEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PrincipalEntry {
    /// `"*"` or `{"AWS": "*"}`: everyone, anonymous callers included.
    Everyone,
    /// An account id or its root ARN: the account's root user only (docs/aws-semantics.md §2.5). A partition
    /// is known when the root ARN was written.
    Account {
        partition: Option<String>,
        account: String,
    },
    /// An IAM role: the role itself and its sessions (`sts` `assumed-role/<name>/…`).
    Role {
        partition: String,
        account: String,
        name: String,
        arn: String,
    },
    /// Any other IAM or STS principal ARN: matched exactly.
    Arn(String),
    /// `{"Service": "…"}`.
    Service(String),
    /// `{"Federated": "…"}`: never a caller localvpc models.
    Federated(String),
    /// `{"CanonicalUser": "…"}`: never a caller localvpc models.
    CanonicalUser(String),
}

/// `Action` (or, `negated`, `NotAction`): patterns matched case-insensitively.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ActionClause {
    pub(crate) negated: bool,
    pub(crate) patterns: Vec<Vec<Tok>>,
}

/// `Resource` (or, `negated`, `NotResource`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ResourceClause {
    pub(crate) negated: bool,
    pub(crate) patterns: Vec<ResourcePattern>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ResourcePattern {
    /// `"*"`.
    Any,
    /// An ARN pattern with six segments.
    Arn(ArnPattern),
}

impl Policy {
    /// Parses and validates a resource policy document (JSON text).
    ///
    /// Every statement needs `Effect`, `Action` or `NotAction`, and `Resource` or
    /// `NotResource`; `Principal`/`NotPrincipal` is optional here.
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        parse::document(text, parse::Rules::Resource)
    }

    /// As [`Policy::parse`], plus the endpoint-policy rules: the text is at most
    /// [`MAX_ENDPOINT_POLICY_LEN`](crate::MAX_ENDPOINT_POLICY_LEN) characters (white space
    /// included) and every statement has `Principal` or `NotPrincipal`.
    pub fn parse_endpoint_policy(text: &str) -> Result<Policy, PolicyError> {
        parse::document(text, parse::Rules::Endpoint)
    }

    /// The `Version` element; `None` when absent (AWS then applies `2008-10-17`).
    pub fn version(&self) -> Option<Version> {
        self.version
    }

    /// The `Id` element.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The statements, in document order (at least one).
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }
}

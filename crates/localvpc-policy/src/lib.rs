//! The IAM policy language as VPC endpoint policies use it: parse, validate, evaluate.
//!
//! This crate owns the policy documents attached to VPC endpoints (and the same language
//! in the resource policies the data plane may evaluate, such as S3 bucket policies). It is
//! pure: no I/O, no clock, no randomness. Time-dependent conditions read the time from the
//! request [`Context`] (`aws:CurrentTime`, `aws:EpochTime`), which the caller fills.
//!
//! # Stages
//!
//! The design follows cedar's pipeline: every refusal happens when a document is written,
//! never when a request is evaluated.
//!
//! 1. **Text → JSON tree.** `serde_json` checks the syntax; a syntax error is reported with
//!    its position, as EC2 does (`Syntax error at position (line,column)`).
//! 2. **JSON tree → validated AST** ([`Policy::parse`], [`Policy::parse_endpoint_policy`]).
//!    Element names, effects, principals, action and resource shapes, condition operators
//!    and typed condition values (numbers, dates, IP ranges, booleans, base64) are checked
//!    and compiled here. A failure is a [`PolicyError`], which callers map to the EC2 error
//!    code `InvalidPolicyDocument` ([`PolicyError::CODE`]).
//! 3. **Evaluate** ([`Policy::evaluate`]). A pure function of the AST and one [`Request`]:
//!    it borrows the request and its [`Context`] and cannot fail. Statements are combined as
//!    IAM does: an explicit `Deny` beats any `Allow`; with no match the answer is an
//!    implicit deny.
//!
//! # Why not an existing crate
//!
//! We considered the `iam-rs` crate. It is pre-1.0 (its manifest was at `0.0.23` when we
//! looked; under Cargo's rules every `0.0.x` release may break its API), and its README
//! has carried the warning "STILL IN FINAL DEV AND VERIFICATION PHASE - CAUTION ON USAGE".
//! We also need things a general crate does not give us: validation messages shaped like
//! AWS's, refusals that match what EC2 refuses, our own context keys, and the endpoint
//! policy rules below. The language subset endpoint policies use is small enough to own.
//!
//! # AWS behaviour this crate follows
//!
//! - `Version` is `2012-10-17` or `2008-10-17` and may be absent (AWS then applies
//!   `2008-10-17`). Policy variables (`${aws:username}`) are substituted only under
//!   `2012-10-17`; under the older version they are literal text, as in AWS.
//! - Every statement needs `Effect`, one of `Action`/`NotAction` and one of
//!   `Resource`/`NotResource`. `Principal`/`NotPrincipal` is optional for [`Policy::parse`]
//!   and required in every statement by [`Policy::parse_endpoint_policy`].
//! - **Account principals match only the account's root user.** For endpoint policies AWS
//!   documents that `"Principal": {"AWS": "111122223333"}` (or the
//!   `arn:aws:iam::111122223333:root` form) matches only that account's root user, not its
//!   IAM users or roles. This crate implements that rule for every policy it evaluates.
//!   To admit a whole account, write `"Principal": "*"` with a condition on
//!   `aws:PrincipalAccount`.
//! - A role ARN in a principal also matches the role's sessions
//!   (`arn:aws:sts::<account>:assumed-role/<role-name>/<session>`).
//! - `"Principal": "*"` and `{"AWS": "*"}` both match everyone, anonymous callers included.
//! - A statement without `Principal` applies to every principal (identity-policy style).
//! - Actions match case-insensitively; resources and ARNs case-sensitively.
//! - Condition keys match case-insensitively; operator names are exact.

mod condition;
mod context;
mod error;
mod evaluate;
mod literal;
mod parse;
mod pattern;
mod policy;

pub use context::Context;
pub use error::PolicyError;
pub use evaluate::{Decision, Evaluation, Principal, Request};
pub use policy::{Effect, Policy, Statement, Version};

/// Max length AWS allows for an endpoint policy, in characters, white space included.
pub const MAX_ENDPOINT_POLICY_LEN: usize = 20_480;

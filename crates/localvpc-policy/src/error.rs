//! The one error this crate returns: a policy document AWS would refuse.

/// A policy document AWS would refuse. The message says what is wrong and where.
///
/// EC2 reports these as the error code [`PolicyError::CODE`] (`InvalidPolicyDocument`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PolicyError {
    /// The full message, ready to put in the EC2 error response.
    pub message: String,
}

/// The sentence every message starts with; EC2 uses it for its policy refusals
/// (`The Policy Document is not valid. Syntax error at position (1,75)`).
const PREFIX: &str = "The Policy Document is not valid.";

impl PolicyError {
    /// The EC2 error code for an invalid endpoint policy.
    pub const CODE: &'static str = "InvalidPolicyDocument";

    /// A refusal whose detail is `detail` (a full sentence).
    pub(crate) fn invalid(detail: impl AsRef<str>) -> Self {
        Self {
            message: format!("{PREFIX} {}", detail.as_ref()),
        }
    }

    /// A JSON syntax error at `line`/`column` (1-based, as `serde_json` reports them).
    pub(crate) fn syntax(line: usize, column: usize, what: &str) -> Self {
        if what.is_empty() {
            Self::invalid(format!("Syntax error at position ({line},{column})."))
        } else {
            Self::invalid(format!(
                "Syntax error at position ({line},{column}): {what}."
            ))
        }
    }

    /// The EC2 error code for this error; always [`PolicyError::CODE`].
    pub fn code(&self) -> &'static str {
        Self::CODE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_start_with_the_ec2_sentence() {
        let e = PolicyError::syntax(1, 75, "expected value");
        assert_eq!(
            e.message,
            "The Policy Document is not valid. Syntax error at position (1,75): expected value."
        );
        assert_eq!(e.to_string(), e.message);
        assert_eq!(e.code(), "InvalidPolicyDocument");
        assert_eq!(
            PolicyError::syntax(2, 3, "").message,
            "The Policy Document is not valid. Syntax error at position (2,3)."
        );
    }
}

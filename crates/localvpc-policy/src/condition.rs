//! The `Condition` element: operators, their typed values, and how they are evaluated.
//!
//! Evaluation rules (IAM User Guide, condition operators and multivalued keys):
//! - several operators, and several keys under one operator, must all hold (AND);
//! - several policy values for one key: any may match (OR); for a negated operator
//!   (`StringNotEquals`, `NotIpAddress`, `ArnNotLike`…) none may match (NOR);
//! - a key absent from the request: positive operators are false, negated ones true,
//!   `…IfExists` true, `ForAnyValue:` false, `ForAllValues:` true;
//! - `ForAnyValue:` holds when some request value satisfies the operator, `ForAllValues:`
//!   when every one does; without a qualifier a positive operator holds when some request
//!   value matches, a negated one when none does;
//! - `Null`: `true` holds when the key is absent, `false` when it is present.

use ipnet::IpNet;
use serde_json::Value;

use crate::context::Context;
use crate::error::PolicyError;
use crate::literal::{
    Timestamp, decode_base64, parse_bool, parse_date, parse_ip_range, parse_number,
};
use crate::pattern::{ArnPattern, Pattern, Template};

/// A condition operator, without its `ForAnyValue:`/`ForAllValues:` prefix and `IfExists`
/// suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

const OPERATORS: [(&str, Operator); 27] = [
    ("StringEquals", Operator::StringEquals),
    ("StringNotEquals", Operator::StringNotEquals),
    ("StringEqualsIgnoreCase", Operator::StringEqualsIgnoreCase),
    (
        "StringNotEqualsIgnoreCase",
        Operator::StringNotEqualsIgnoreCase,
    ),
    ("StringLike", Operator::StringLike),
    ("StringNotLike", Operator::StringNotLike),
    ("NumericEquals", Operator::NumericEquals),
    ("NumericNotEquals", Operator::NumericNotEquals),
    ("NumericLessThan", Operator::NumericLessThan),
    ("NumericLessThanEquals", Operator::NumericLessThanEquals),
    ("NumericGreaterThan", Operator::NumericGreaterThan),
    (
        "NumericGreaterThanEquals",
        Operator::NumericGreaterThanEquals,
    ),
    ("DateEquals", Operator::DateEquals),
    ("DateNotEquals", Operator::DateNotEquals),
    ("DateLessThan", Operator::DateLessThan),
    ("DateLessThanEquals", Operator::DateLessThanEquals),
    ("DateGreaterThan", Operator::DateGreaterThan),
    ("DateGreaterThanEquals", Operator::DateGreaterThanEquals),
    ("Bool", Operator::Bool),
    ("BinaryEquals", Operator::BinaryEquals),
    ("IpAddress", Operator::IpAddress),
    ("NotIpAddress", Operator::NotIpAddress),
    ("ArnEquals", Operator::ArnEquals),
    ("ArnLike", Operator::ArnLike),
    ("ArnNotEquals", Operator::ArnNotEquals),
    ("ArnNotLike", Operator::ArnNotLike),
    ("Null", Operator::Null),
];

impl Operator {
    /// The operator named exactly `name` (operator names are case-sensitive).
    fn from_name(name: &str) -> Option<Self> {
        OPERATORS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, op)| *op)
    }

    /// Whether the operator is a negation ("not equals", "not like", "not in range").
    fn negated(self) -> bool {
        matches!(
            self,
            Self::StringNotEquals
                | Self::StringNotEqualsIgnoreCase
                | Self::StringNotLike
                | Self::NumericNotEquals
                | Self::DateNotEquals
                | Self::NotIpAddress
                | Self::ArnNotEquals
                | Self::ArnNotLike
        )
    }

    /// The comparison a numeric or date operator makes, request value on the left.
    fn comparison(self) -> Comparison {
        match self {
            Self::NumericLessThan | Self::DateLessThan => Comparison::Lt,
            Self::NumericLessThanEquals | Self::DateLessThanEquals => Comparison::Le,
            Self::NumericGreaterThan | Self::DateGreaterThan => Comparison::Gt,
            Self::NumericGreaterThanEquals | Self::DateGreaterThanEquals => Comparison::Ge,
            _ => Comparison::Eq,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Comparison {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Comparison {
    fn holds<T: PartialOrd>(self, request: T, policy: T) -> bool {
        match self {
            Self::Eq => request == policy,
            Self::Lt => request < policy,
            Self::Le => request <= policy,
            Self::Gt => request > policy,
            Self::Ge => request >= policy,
        }
    }
}

/// `ForAnyValue:` or `ForAllValues:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SetQualifier {
    ForAnyValue,
    ForAllValues,
}

/// The policy's values for one key, parsed for the operator that tests them.
#[derive(Clone, Debug, PartialEq)]
enum Values {
    Exact(Vec<Template>),
    IgnoreCase(Vec<Template>),
    Like(Vec<Pattern>),
    Numeric(Comparison, Vec<f64>),
    Date(Comparison, Vec<Timestamp>),
    Bool(Vec<Template>),
    Binary(Vec<Vec<u8>>),
    Ip(Vec<IpNet>),
    Arn(Vec<ArnPattern>),
    Null(Vec<bool>),
}

impl Values {
    /// Parses `texts` for `op`; on failure, the offending value and why it is refused.
    fn parse(
        op: Operator,
        texts: &[String],
        variables: bool,
    ) -> Result<Self, (String, &'static str)> {
        let templates = || {
            texts
                .iter()
                .map(|t| Template::parse(t, variables))
                .collect::<Vec<_>>()
        };
        fn each<T>(
            texts: &[String],
            why: &'static str,
            parse: impl Fn(&str) -> Option<T>,
        ) -> Result<Vec<T>, (String, &'static str)> {
            texts
                .iter()
                .map(|t| parse(t).ok_or_else(|| (t.clone(), why)))
                .collect()
        }
        Ok(match op {
            Operator::StringEquals | Operator::StringNotEquals => Self::Exact(templates()),
            Operator::StringEqualsIgnoreCase | Operator::StringNotEqualsIgnoreCase => {
                Self::IgnoreCase(templates())
            }
            Operator::StringLike | Operator::StringNotLike => {
                Self::Like(templates().into_iter().map(Pattern::new).collect())
            }
            Operator::NumericEquals
            | Operator::NumericNotEquals
            | Operator::NumericLessThan
            | Operator::NumericLessThanEquals
            | Operator::NumericGreaterThan
            | Operator::NumericGreaterThanEquals => Self::Numeric(
                op.comparison(),
                each(texts, "it is not a number", parse_number)?,
            ),
            Operator::DateEquals
            | Operator::DateNotEquals
            | Operator::DateLessThan
            | Operator::DateLessThanEquals
            | Operator::DateGreaterThan
            | Operator::DateGreaterThanEquals => Self::Date(
                op.comparison(),
                each(
                    texts,
                    "it is not a date (use ISO 8601, such as 2020-01-01T00:00:00Z, or epoch seconds)",
                    parse_date,
                )?,
            ),
            Operator::Bool => {
                let values = templates();
                for (text, value) in texts.iter().zip(&values) {
                    if !value.has_variables() && parse_bool(text).is_none() {
                        return Err((text.clone(), "it is not true or false"));
                    }
                }
                Self::Bool(values)
            }
            Operator::BinaryEquals => Self::Binary(each(texts, "it is not base64", decode_base64)?),
            Operator::IpAddress | Operator::NotIpAddress => Self::Ip(each(
                texts,
                "it is not an IP address or CIDR block",
                parse_ip_range,
            )?),
            Operator::ArnEquals
            | Operator::ArnLike
            | Operator::ArnNotEquals
            | Operator::ArnNotLike => {
                Self::Arn(templates().into_iter().map(ArnPattern::new).collect())
            }
            Operator::Null => Self::Null(each(texts, "it is not true or false", parse_bool)?),
        })
    }

    /// Whether the request value `value` matches any of the policy's values.
    fn any_match(&self, value: &str, ctx: &Context) -> bool {
        match self {
            Self::Exact(ts) => ts
                .iter()
                .any(|t| t.resolve(ctx).is_some_and(|s| s == value)),
            Self::IgnoreCase(ts) => ts
                .iter()
                .any(|t| t.resolve(ctx).is_some_and(|s| eq_ignore_case(&s, value))),
            Self::Like(ps) => ps.iter().any(|p| p.matches(value, ctx)),
            Self::Numeric(cmp, ns) => {
                parse_number(value).is_some_and(|v| ns.iter().any(|n| cmp.holds(v, *n)))
            }
            Self::Date(cmp, ds) => {
                parse_date(value).is_some_and(|v| ds.iter().any(|d| cmp.holds(v, *d)))
            }
            Self::Bool(ts) => parse_bool(value).is_some_and(|v| {
                ts.iter()
                    .any(|t| t.resolve(ctx).and_then(|s| parse_bool(&s)) == Some(v))
            }),
            Self::Binary(bs) => decode_base64(value).is_some_and(|v| bs.contains(&v)),
            Self::Ip(nets) => {
                parse_ip_range(value).is_some_and(|v| nets.iter().any(|n| n.contains(&v)))
            }
            Self::Arn(ps) => ps.iter().any(|p| p.matches(value, ctx)),
            // `Null` looks only at presence; `Condition::matches` handles it.
            Self::Null(_) => false,
        }
    }
}

fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// One test: an operator applied to one condition key.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Condition {
    operator: Operator,
    qualifier: Option<SetQualifier>,
    if_exists: bool,
    /// The condition key, lowercased (keys are case-insensitive).
    key: String,
    values: Values,
}

impl Condition {
    /// Whether the condition holds for the request context `ctx`.
    pub(crate) fn matches(&self, ctx: &Context) -> bool {
        let request = ctx.present(&self.key);
        if let Values::Null(expected) = &self.values {
            let absent = request.is_none();
            return expected.contains(&absent);
        }
        let negated = self.operator.negated();
        let Some(request) = request else {
            return self.if_exists
                || match self.qualifier {
                    Some(SetQualifier::ForAnyValue) => false,
                    Some(SetQualifier::ForAllValues) => true,
                    None => negated,
                };
        };
        let satisfies = |value: &String| self.values.any_match(value, ctx) != negated;
        match self.qualifier {
            Some(SetQualifier::ForAllValues) => request.iter().all(satisfies),
            Some(SetQualifier::ForAnyValue) => request.iter().any(satisfies),
            None if negated => request.iter().all(satisfies),
            None => request.iter().any(satisfies),
        }
    }
}

/// Parses a statement's `Condition` element. `loc` names the statement in messages;
/// `variables` says whether policy variables are substituted (version `2012-10-17`).
pub(crate) fn parse_block(
    value: &Value,
    loc: &str,
    variables: bool,
) -> Result<Vec<Condition>, PolicyError> {
    let Value::Object(operators) = value else {
        return Err(PolicyError::invalid(format!(
            "The Condition element in {loc} must be an object."
        )));
    };
    let mut conditions = Vec::new();
    for (name, keys) in operators {
        let (qualifier, rest) = if let Some(rest) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else if let Some(rest) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else {
            (None, name.as_str())
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let operator = Operator::from_name(base)
            .filter(|op| !(if_exists && *op == Operator::Null))
            .ok_or_else(|| {
                PolicyError::invalid(format!("Invalid condition operator \"{name}\" in {loc}."))
            })?;
        let Value::Object(keys) = keys else {
            return Err(PolicyError::invalid(format!(
                "The condition operator {name} in {loc} must map condition keys to values."
            )));
        };
        for (key, raw) in keys {
            if !key
                .split_once(':')
                .is_some_and(|(vendor, rest)| !vendor.is_empty() && !rest.is_empty())
            {
                return Err(PolicyError::invalid(format!(
                    "Invalid condition key \"{key}\" in {loc}: condition keys must be prefaced by a vendor, such as aws:SourceVpce."
                )));
            }
            let texts = scalar_list(raw).ok_or_else(|| {
                PolicyError::invalid(format!(
                    "Invalid value for condition key {key} of {name} in {loc}: use a string, number or boolean, or a non-empty array of them."
                ))
            })?;
            let values = Values::parse(operator, &texts, variables).map_err(|(bad, why)| {
                PolicyError::invalid(format!(
                    "Invalid value \"{bad}\" for condition key {key} of {name} in {loc}: {why}."
                ))
            })?;
            conditions.push(Condition {
                operator,
                qualifier,
                if_exists,
                key: key.to_lowercase(),
                values,
            });
        }
    }
    Ok(conditions)
}

/// A condition value as text: a string, number or boolean, or a non-empty array of them.
fn scalar_list(value: &Value) -> Option<Vec<String>> {
    fn scalar(value: &Value) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
    match value {
        Value::Array(items) if !items.is_empty() => items.iter().map(scalar).collect(),
        Value::Array(_) => None,
        other => scalar(other).map(|s| vec![s]),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Parses `{"op": {"key": value}}` (variables on) and evaluates it against `ctx`.
    fn eval(block: Value, ctx: &Context) -> bool {
        let conditions = parse_block(&block, "Statement", true).unwrap();
        conditions.iter().all(|c| c.matches(ctx))
    }

    fn ctx(pairs: &[(&str, &str)]) -> Context {
        let mut c = Context::new();
        for (k, v) in pairs {
            c.insert(k, *v);
        }
        c
    }

    fn err(block: Value) -> String {
        parse_block(&block, "Statement[0]", true)
            .unwrap_err()
            .message
    }

    #[test]
    fn string_operators() {
        let c = ctx(&[("aws:SourceVpce", "vpce-1a2b3c4d")]);
        assert!(eval(
            json!({"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}),
            &c
        ));
        assert!(!eval(
            json!({"StringEquals": {"aws:SourceVpce": "VPCE-1A2B3C4D"}}),
            &c
        ));
        assert!(eval(
            json!({"StringEquals": {"AWS:SOURCEVPCE": ["x", "vpce-1a2b3c4d"]}}),
            &c
        ));
        assert!(!eval(
            json!({"StringNotEquals": {"aws:SourceVpce": ["x", "vpce-1a2b3c4d"]}}),
            &c
        ));
        assert!(eval(
            json!({"StringNotEquals": {"aws:SourceVpce": ["x", "y"]}}),
            &c
        ));
        assert!(eval(
            json!({"StringEqualsIgnoreCase": {"aws:SourceVpce": "VPCE-1A2B3C4D"}}),
            &c
        ));
        assert!(!eval(
            json!({"StringNotEqualsIgnoreCase": {"aws:SourceVpce": "VPCE-1A2B3C4D"}}),
            &c
        ));
        assert!(eval(
            json!({"StringLike": {"aws:SourceVpce": "vpce-1a2b*"}}),
            &c
        ));
        assert!(eval(
            json!({"StringLike": {"aws:SourceVpce": "vpce-????????"}}),
            &c
        ));
        assert!(!eval(
            json!({"StringLike": {"aws:SourceVpce": "VPCE-*"}}),
            &c
        ));
        assert!(eval(
            json!({"StringNotLike": {"aws:SourceVpce": "vpce-9*"}}),
            &c
        ));
        assert!(!eval(
            json!({"StringNotLike": {"aws:SourceVpce": ["vpce-9*", "vpce-1*"]}}),
            &c
        ));
        // StringEquals does not treat `*` as a wildcard.
        assert!(!eval(
            json!({"StringEquals": {"aws:SourceVpce": "vpce-*"}}),
            &c
        ));
        // Numbers and booleans compare as their text.
        let n = ctx(&[("s3:max-keys", "10")]);
        assert!(eval(json!({"StringEquals": {"s3:max-keys": 10}}), &n));
    }

    #[test]
    fn numeric_operators() {
        let c = ctx(&[("s3:max-keys", "10")]);
        assert!(eval(json!({"NumericEquals": {"s3:max-keys": "10"}}), &c));
        assert!(eval(json!({"NumericEquals": {"s3:max-keys": 10.0}}), &c));
        assert!(!eval(
            json!({"NumericNotEquals": {"s3:max-keys": "10"}}),
            &c
        ));
        assert!(eval(json!({"NumericNotEquals": {"s3:max-keys": "11"}}), &c));
        assert!(eval(json!({"NumericLessThan": {"s3:max-keys": 11}}), &c));
        assert!(!eval(json!({"NumericLessThan": {"s3:max-keys": 10}}), &c));
        assert!(eval(
            json!({"NumericLessThanEquals": {"s3:max-keys": 10}}),
            &c
        ));
        assert!(eval(
            json!({"NumericGreaterThan": {"s3:max-keys": 9.5}}),
            &c
        ));
        assert!(!eval(
            json!({"NumericGreaterThan": {"s3:max-keys": 10}}),
            &c
        ));
        assert!(eval(
            json!({"NumericGreaterThanEquals": {"s3:max-keys": "10"}}),
            &c
        ));
        // A request value that is not a number matches nothing.
        let bad = ctx(&[("s3:max-keys", "ten")]);
        assert!(!eval(json!({"NumericEquals": {"s3:max-keys": 10}}), &bad));
        assert!(err(json!({"NumericLessThan": {"s3:max-keys": "ten"}})).contains("\"ten\""));
    }

    #[test]
    fn date_operators() {
        let c = ctx(&[("aws:CurrentTime", "2024-06-01T12:00:00Z")]);
        assert!(eval(
            json!({"DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}}),
            &c
        ));
        assert!(eval(
            json!({"DateLessThan": {"aws:CurrentTime": "2025-01-01"}}),
            &c
        ));
        assert!(!eval(
            json!({"DateLessThan": {"aws:CurrentTime": "2024-06-01T12:00:00Z"}}),
            &c
        ));
        assert!(eval(
            json!({"DateLessThanEquals": {"aws:CurrentTime": "2024-06-01T12:00:00Z"}}),
            &c
        ));
        assert!(eval(
            json!({"DateGreaterThanEquals": {"aws:CurrentTime": "2024-06-01T14:00:00+02:00"}}),
            &c
        ));
        assert!(eval(
            json!({"DateEquals": {"aws:CurrentTime": 1_717_243_200}}),
            &c
        ));
        assert!(!eval(
            json!({"DateNotEquals": {"aws:CurrentTime": "1717243200"}}),
            &c
        ));
        assert!(eval(
            json!({"DateNotEquals": {"aws:CurrentTime": "2020-01-01"}}),
            &c
        ));
        let epoch = ctx(&[("aws:EpochTime", "1717243200")]);
        assert!(eval(
            json!({"DateGreaterThan": {"aws:EpochTime": "2024-01-01T00:00:00Z"}}),
            &epoch
        ));
        assert!(err(json!({"DateLessThan": {"aws:CurrentTime": "soon"}})).contains("not a date"));
    }

    #[test]
    fn bool_binary_and_null() {
        let c = ctx(&[
            ("aws:SecureTransport", "true"),
            ("x:bin", "QmluYXJ5VmFsdWU="),
        ]);
        assert!(eval(json!({"Bool": {"aws:SecureTransport": true}}), &c));
        assert!(eval(json!({"Bool": {"aws:SecureTransport": "TRUE"}}), &c));
        assert!(!eval(json!({"Bool": {"aws:SecureTransport": "false"}}), &c));
        assert!(!eval(
            json!({"Bool": {"aws:MultiFactorAuthPresent": "false"}}),
            &c
        ));
        assert!(err(json!({"Bool": {"aws:SecureTransport": "yes"}})).contains("not true or false"));
        assert!(eval(
            json!({"BinaryEquals": {"x:bin": "QmluYXJ5VmFsdWU="}}),
            &c
        ));
        assert!(!eval(json!({"BinaryEquals": {"x:bin": "Zm9v"}}), &c));
        assert!(err(json!({"BinaryEquals": {"x:bin": "***"}})).contains("not base64"));
        assert!(eval(json!({"Null": {"aws:TokenIssueTime": "true"}}), &c));
        assert!(!eval(json!({"Null": {"aws:TokenIssueTime": false}}), &c));
        assert!(eval(json!({"Null": {"aws:SecureTransport": false}}), &c));
        assert!(!eval(json!({"Null": {"aws:SecureTransport": "true"}}), &c));
        let mut empty = Context::new();
        empty.insert_many("aws:TagKeys", Vec::new());
        assert!(eval(json!({"Null": {"aws:TagKeys": true}}), &empty));
    }

    #[test]
    fn ip_operators() {
        let c = ctx(&[("aws:VpcSourceIp", "10.0.1.25")]);
        assert!(eval(
            json!({"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"}}),
            &c
        ));
        assert!(eval(
            json!({"IpAddress": {"aws:VpcSourceIp": ["192.0.2.0/24", "10.0.1.25"]}}),
            &c
        ));
        assert!(!eval(
            json!({"IpAddress": {"aws:VpcSourceIp": "10.1.0.0/16"}}),
            &c
        ));
        assert!(!eval(
            json!({"NotIpAddress": {"aws:VpcSourceIp": "10.0.0.0/8"}}),
            &c
        ));
        assert!(eval(
            json!({"NotIpAddress": {"aws:VpcSourceIp": "192.0.2.0/24"}}),
            &c
        ));
        // Mixed families never match.
        assert!(!eval(json!({"IpAddress": {"aws:VpcSourceIp": "::/0"}}), &c));
        let v6 = ctx(&[("aws:SourceIp", "2001:db8::5")]);
        assert!(eval(
            json!({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}),
            &v6
        ));
        // aws:SourceIp is absent for traffic through an endpoint (docs/aws-semantics.md §2.5).
        let none = Context::new();
        assert!(!eval(
            json!({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}),
            &none
        ));
        assert!(eval(
            json!({"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}),
            &none
        ));
        assert!(
            err(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/40"}}))
                .contains("not an IP address")
        );
    }

    #[test]
    fn arn_operators() {
        let c = ctx(&[(
            "aws:PrincipalArn",
            "arn:aws:iam::111122223333:role/app/Worker",
        )]);
        for op in ["ArnEquals", "ArnLike"] {
            assert!(eval(
                json!({op: {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}}),
                &c
            ));
            assert!(eval(
                json!({op: {"aws:PrincipalArn": "arn:aws:iam::*:role/app/Worker"}}),
                &c
            ));
            assert!(!eval(
                json!({op: {"aws:PrincipalArn": "arn:aws:iam::444455556666:role/*"}}),
                &c
            ));
            // A wildcard in the first five segments does not cross `:`.
            assert!(!eval(
                json!({op: {"aws:PrincipalArn": "arn:aws:*:role/*"}}),
                &c
            ));
        }
        for op in ["ArnNotEquals", "ArnNotLike"] {
            assert!(!eval(
                json!({op: {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}}),
                &c
            ));
            assert!(eval(
                json!({op: {"aws:PrincipalArn": "arn:aws:iam::444455556666:*"}}),
                &c
            ));
        }
        // A request value that is not an ARN matches no ARN pattern.
        let bad = ctx(&[("aws:PrincipalArn", "not-an-arn")]);
        assert!(!eval(
            json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:*"}}),
            &bad
        ));
    }

    #[test]
    fn missing_keys() {
        let none = Context::new();
        assert!(!eval(
            json!({"StringEquals": {"aws:SourceVpc": "vpc-1"}}),
            &none
        ));
        assert!(eval(
            json!({"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}),
            &none
        ));
        assert!(eval(
            json!({"StringNotLike": {"aws:SourceVpc": "vpc-*"}}),
            &none
        ));
        assert!(eval(
            json!({"ArnNotLike": {"aws:SourceArn": "arn:*"}}),
            &none
        ));
        assert!(!eval(json!({"NumericLessThan": {"s3:max-keys": 5}}), &none));
        assert!(!eval(json!({"Bool": {"aws:SecureTransport": true}}), &none));
        assert!(eval(
            json!({"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}}),
            &none
        ));
        assert!(eval(
            json!({"NumericLessThanIfExists": {"s3:max-keys": 5}}),
            &none
        ));
        assert!(!eval(
            json!({"ForAnyValue:StringEquals": {"aws:TagKeys": "a"}}),
            &none
        ));
        assert!(!eval(
            json!({"ForAnyValue:StringNotEquals": {"aws:TagKeys": "a"}}),
            &none
        ));
        assert!(eval(
            json!({"ForAllValues:StringEquals": {"aws:TagKeys": "a"}}),
            &none
        ));
        assert!(eval(
            json!({"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "a"}}),
            &none
        ));
    }

    #[test]
    fn if_exists_tests_present_keys_normally() {
        let c = ctx(&[("aws:SourceVpc", "vpc-2")]);
        assert!(!eval(
            json!({"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}}),
            &c
        ));
        assert!(eval(
            json!({"StringEqualsIfExists": {"aws:SourceVpc": "vpc-2"}}),
            &c
        ));
        assert!(eval(
            json!({"StringNotEqualsIfExists": {"aws:SourceVpc": "vpc-1"}}),
            &c
        ));
        assert!(eval(
            json!({"BoolIfExists": {"aws:SourceVpc": "false"}}),
            &Context::new()
        ));
    }

    #[test]
    fn set_qualifiers() {
        let mut c = Context::new();
        c.insert_many("aws:TagKeys", vec!["env".into(), "team".into()]);
        assert!(eval(
            json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team", "cost"]}}),
            &c
        ));
        assert!(!eval(
            json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}),
            &c
        ));
        assert!(eval(
            json!({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}),
            &c
        ));
        assert!(!eval(
            json!({"ForAnyValue:StringEquals": {"aws:TagKeys": ["cost"]}}),
            &c
        ));
        assert!(eval(
            json!({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["env"]}}),
            &c
        ));
        assert!(!eval(
            json!({"ForAllValues:StringNotEquals": {"aws:TagKeys": ["env"]}}),
            &c
        ));
        assert!(eval(
            json!({"ForAllValues:StringNotEquals": {"aws:TagKeys": ["cost"]}}),
            &c
        ));
        assert!(eval(
            json!({"ForAllValues:StringLike": {"aws:TagKeys": ["e*", "t*"]}}),
            &c
        ));
        // Without a qualifier: a positive operator needs one matching value, a negated one none.
        assert!(eval(json!({"StringEquals": {"aws:TagKeys": "team"}}), &c));
        assert!(!eval(
            json!({"StringNotEquals": {"aws:TagKeys": "team"}}),
            &c
        ));
        // An empty multivalued key counts as absent.
        let mut empty = Context::new();
        empty.insert_many("aws:TagKeys", Vec::new());
        assert!(eval(
            json!({"ForAllValues:StringEquals": {"aws:TagKeys": "x"}}),
            &empty
        ));
        assert!(!eval(
            json!({"ForAnyValue:StringEquals": {"aws:TagKeys": "x"}}),
            &empty
        ));
    }

    #[test]
    fn operators_and_keys_are_anded() {
        let c = ctx(&[("aws:SourceVpc", "vpc-1"), ("aws:SourceVpce", "vpce-1")]);
        assert!(!eval(
            json!({"StringEquals": {"aws:SourceVpc": "vpc-1", "aws:SourceVpce": "vpce-1"}, "Bool": {"aws:SecureTransport": "true"}}),
            &c
        ));
        assert!(eval(
            json!({"StringEquals": {"aws:SourceVpc": "vpc-1", "aws:SourceVpce": "vpce-1"}}),
            &c
        ));
        assert!(!eval(
            json!({"StringEquals": {"aws:SourceVpc": "vpc-1", "aws:SourceVpce": "vpce-2"}}),
            &c
        ));
    }

    #[test]
    fn variables_in_condition_values() {
        let c = ctx(&[("aws:username", "alice"), ("s3:prefix", "home/alice/docs")]);
        assert!(eval(
            json!({"StringLike": {"s3:prefix": "home/${aws:username}/*"}}),
            &c
        ));
        assert!(eval(
            json!({"StringEquals": {"aws:username": "${aws:username}"}}),
            &c
        ));
        let other = ctx(&[("s3:prefix", "home/alice/docs")]);
        // Unresolved: the value matches nothing.
        assert!(!eval(
            json!({"StringLike": {"s3:prefix": "home/${aws:username}/*"}}),
            &other
        ));
        assert!(eval(
            json!({"StringNotLike": {"s3:prefix": "home/${aws:username}/*"}}),
            &other
        ));
        // Version 2008-10-17 (variables off): literal text.
        let literal = parse_block(
            &json!({"StringEquals": {"s3:prefix": "${aws:username}"}}),
            "Statement",
            false,
        )
        .unwrap();
        let lit_ctx = ctx(&[("s3:prefix", "${aws:username}"), ("aws:username", "alice")]);
        assert!(literal.iter().all(|cond| cond.matches(&lit_ctx)));
    }

    #[test]
    fn refusals() {
        assert!(
            err(json!({"StringEqualz": {"aws:SourceVpc": "x"}}))
                .contains("Invalid condition operator \"StringEqualz\"")
        );
        assert!(
            err(json!({"stringequals": {"aws:SourceVpc": "x"}}))
                .contains("Invalid condition operator")
        );
        assert!(err(json!({"NullIfExists": {"aws:SourceVpc": true}})).contains("NullIfExists"));
        assert!(
            err(json!({"ForSomeValues:StringEquals": {"aws:SourceVpc": "x"}}))
                .contains("Invalid condition operator")
        );
        assert!(
            err(json!({"StringEquals": "aws:SourceVpc"}))
                .contains("must map condition keys to values")
        );
        assert!(
            err(json!({"StringEquals": {"SourceVpc": "x"}}))
                .contains("Invalid condition key \"SourceVpc\"")
        );
        assert!(err(json!({"StringEquals": {"aws:SourceVpc": []}})).contains("non-empty array"));
        assert!(
            err(json!({"StringEquals": {"aws:SourceVpc": {"a": "b"}}})).contains("non-empty array")
        );
        assert!(err(json!({"StringEquals": {"aws:SourceVpc": null}})).contains("non-empty array"));
        assert!(err(json!({"Null": {"aws:SourceVpc": "maybe"}})).contains("not true or false"));
        assert!(err(json!(["StringEquals"])).contains("must be an object"));
        // Every operator name, with and without the prefixes and suffix, is accepted.
        for (name, op) in OPERATORS {
            let value = match op {
                Operator::NumericEquals
                | Operator::NumericNotEquals
                | Operator::NumericLessThan
                | Operator::NumericLessThanEquals
                | Operator::NumericGreaterThan
                | Operator::NumericGreaterThanEquals => json!(1),
                Operator::DateEquals
                | Operator::DateNotEquals
                | Operator::DateLessThan
                | Operator::DateLessThanEquals
                | Operator::DateGreaterThan
                | Operator::DateGreaterThanEquals => json!("2020-01-01"),
                Operator::Bool | Operator::Null => json!(true),
                Operator::IpAddress | Operator::NotIpAddress => json!("10.0.0.0/8"),
                _ => json!("Zm9v"),
            };
            let mut names = vec![
                name.to_owned(),
                format!("ForAnyValue:{name}"),
                format!("ForAllValues:{name}"),
            ];
            if op != Operator::Null {
                names.push(format!("{name}IfExists"));
                names.push(format!("ForAllValues:{name}IfExists"));
            }
            for n in names {
                parse_block(
                    &json!({n.clone(): {"x:key": value.clone()}}),
                    "Statement",
                    true,
                )
                .unwrap_or_else(|e| panic!("{n}: {e}"));
            }
        }
    }
}

//! The Resolver's input validation, as AWS runs it before any other check: every member of
//! the request against its botocore constraints (required, length, pattern, enum, range),
//! all violations gathered into one `ValidationException`:
//!
//! ```text
//! 2 validation errors detected: Value 'x' at 'name' failed to satisfy constraint: Member must
//! satisfy regular expression pattern: …; Value null at 'creatorRequestId' failed to satisfy
//! constraint: Member must not be null
//! ```
//!
//! Members are checked in the model's order, a structure's members before the next member.
//! Paths are AWS's: the member name with its first letter lowercased (`vPCId`), `.` into a
//! structure, `.<n>.member` into the n-th item (from 1) of a list of structures. A list of
//! strings is one violation at the list, naming every constraint of its items. The table
//! itself is generated (`shapes.rs`, scripts/gen-resolver-shapes.py).

use super::shapes::OPERATIONS;
use crate::ApiError;
use serde_json::{Map, Value};

/// A botocore shape, reduced to what validation reads.
pub(super) enum Shape {
    String {
        min: Option<u64>,
        max: Option<u64>,
        pattern: Option<Pattern>,
        /// The enum values, in the model's order; empty when any string goes.
        values: &'static [&'static str],
    },
    Integer {
        min: Option<i64>,
        max: Option<i64>,
    },
    List {
        min: Option<u64>,
        max: Option<u64>,
        member: &'static Shape,
    },
    Structure(&'static [Member]),
    /// Booleans and anything else without constraints.
    Other,
}

pub(super) struct Member {
    pub(super) name: &'static str,
    pub(super) required: bool,
    pub(super) shape: &'static Shape,
}

/// A pattern of the model (quoted in messages as written there) and its hand-written matcher.
#[derive(Clone, Copy)]
pub(super) struct Pattern {
    pub(super) source: &'static str,
    pub(super) matches: fn(&str) -> bool,
}

/// Matchers for the model's patterns (Java `matches`: the whole value).
pub(super) mod patterns {
    /// `(?!^[0-9]+$)([a-zA-Z0-9\-_' ']+)`: letters, digits, `-`, `_`, `'` and spaces, at least
    /// one, and not only digits.
    pub(in super::super) fn name(s: &str) -> bool {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '\'' | ' '))
            && !s.chars().all(|c| c.is_ascii_digit())
    }

    /// `^arn:aws([a-z-]+)?:outposts:[a-z\d-]+:\d{12}:outpost/op-[a-f0-9]{17}$`.
    pub(in super::super) fn outpost_arn(s: &str) -> bool {
        let parts: Vec<&str> = s.split(':').collect();
        let [arn, partition, service, region, account, resource] = parts.as_slice() else {
            return false;
        };
        let partition_ok = partition
            .strip_prefix("aws")
            .is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
        let region_ok = !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
        let resource_ok = resource.strip_prefix("outpost/op-").is_some_and(|id| {
            id.len() == 17
                && id
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        });
        *arn == "arn"
            && partition_ok
            && *service == "outposts"
            && region_ok
            && account_ok
            && resource_ok
    }
}

/// Checks a request body (already parsed) against its operation's input shape.
pub(super) fn check(operation: &str, body: &Value) -> Result<(), ApiError> {
    let Some((_, shape)) = OPERATIONS.iter().find(|(op, _)| *op == operation) else {
        return Ok(());
    };
    let violations = violations(shape, body);
    if violations.is_empty() {
        return Ok(());
    }
    let n = violations.len();
    Err(ApiError::new(
        400,
        "ValidationException",
        format!(
            "{n} validation error{} detected: {}",
            if n == 1 { "" } else { "s" },
            violations.join("; ")
        ),
    ))
}

/// Every violation of a top-level input, in member order.
fn violations(shape: &Shape, body: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let (Shape::Structure(members), Value::Object(fields)) = (shape, body) {
        structure(members, fields, "", &mut out);
    }
    out
}

fn structure(members: &[Member], fields: &Map<String, Value>, prefix: &str, out: &mut Vec<String>) {
    for m in members {
        let path = format!("{prefix}{}", lower_first(m.name));
        match fields.get(m.name) {
            None | Some(Value::Null) => {
                if m.required {
                    out.push(format!(
                        "Value null at '{path}' failed to satisfy constraint: Member must not be null"
                    ));
                }
            }
            Some(v) => member(m.shape, v, &path, out),
        }
    }
}

fn member(shape: &Shape, value: &Value, path: &str, out: &mut Vec<String>) {
    let fail = |out: &mut Vec<String>, constraint: &str| {
        out.push(format!(
            "Value '{}' at '{path}' failed to satisfy constraint: {constraint}",
            render(value, shape)
        ));
    };
    match (shape, value) {
        (Shape::String { .. }, Value::String(s)) => {
            if let Some(c) = string_violation(shape, s) {
                fail(out, &c);
            }
        }
        (Shape::Integer { min, max }, Value::Number(n)) => {
            let Some(n) = n.as_i64() else { return };
            if let Some(min) = min.filter(|m| n < *m) {
                fail(
                    out,
                    &format!("Member must have value greater than or equal to {min}"),
                );
            } else if let Some(max) = max.filter(|m| n > *m) {
                fail(
                    out,
                    &format!("Member must have value less than or equal to {max}"),
                );
            }
        }
        (
            Shape::List {
                min,
                max,
                member: item,
            },
            Value::Array(items),
        ) => {
            let len = items.len() as u64;
            if let Some(min) = min.filter(|m| len < *m) {
                fail(
                    out,
                    &format!("Member must have length greater than or equal to {min}"),
                );
            } else if let Some(max) = max.filter(|m| len > *m) {
                fail(
                    out,
                    &format!("Member must have length less than or equal to {max}"),
                );
            }
            match item {
                Shape::Structure(members) => {
                    for (n, v) in items.iter().enumerate() {
                        if let Value::Object(fields) = v {
                            let prefix = format!("{path}.{}.member.", n + 1);
                            structure(members, fields, &prefix, out);
                        }
                    }
                }
                Shape::String { .. } => {
                    let bad = items
                        .iter()
                        .filter_map(Value::as_str)
                        .any(|s| string_violation(item, s).is_some());
                    if bad {
                        let all = string_constraints(item).join(", ");
                        fail(out, &format!("Member must satisfy constraint: [{all}]"));
                    }
                }
                _ => {}
            }
        }
        (Shape::Structure(members), Value::Object(fields)) => {
            structure(members, fields, &format!("{path}."), out);
        }
        // Another JSON type than the shape's was refused by deserialisation already.
        _ => {}
    }
}

/// The first constraint a string breaks: its length, then its pattern, then its enum.
fn string_violation(shape: &Shape, s: &str) -> Option<String> {
    let Shape::String {
        min,
        max,
        pattern,
        values,
    } = shape
    else {
        return None;
    };
    let len = s.chars().count() as u64;
    if let Some(min) = min.filter(|m| len < *m) {
        return Some(format!(
            "Member must have length greater than or equal to {min}"
        ));
    }
    if let Some(max) = max.filter(|m| len > *m) {
        return Some(format!(
            "Member must have length less than or equal to {max}"
        ));
    }
    if let Some(p) = pattern.filter(|p| !(p.matches)(s)) {
        return Some(format!(
            "Member must satisfy regular expression pattern: {}",
            p.source
        ));
    }
    if !values.is_empty() && !values.contains(&s) {
        return Some(format!(
            "Member must satisfy enum value set: [{}]",
            values.join(", ")
        ));
    }
    None
}

/// Every constraint of a string shape, as AWS lists them for the items of a list.
fn string_constraints(shape: &Shape) -> Vec<String> {
    let mut out = Vec::new();
    if let Shape::String {
        min,
        max,
        pattern,
        values,
    } = shape
    {
        if let Some(max) = max {
            out.push(format!(
                "Member must have length less than or equal to {max}"
            ));
        }
        if let Some(min) = min {
            out.push(format!(
                "Member must have length greater than or equal to {min}"
            ));
        }
        if let Some(p) = pattern {
            out.push(format!(
                "Member must satisfy regular expression pattern: {}",
                p.source
            ));
        }
        if !values.is_empty() {
            out.push(format!(
                "Member must satisfy enum value set: [{}]",
                values.join(", ")
            ));
        }
    }
    out
}

/// `VPCId` → `vPCId`, `IpAddresses` → `ipAddresses`.
fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

/// A value as the message quotes it: strings as they are, lists as `[a, b]`, structures as
/// `{Name: value,Other: value}` with their members in the model's order.
fn render(value: &Value, shape: &Shape) -> String {
    match (value, shape) {
        (Value::Null, _) => "null".to_owned(),
        (Value::String(s), _) => s.clone(),
        (Value::Bool(b), _) => b.to_string(),
        (Value::Number(n), _) => n.to_string(),
        (Value::Array(items), _) => {
            let item = match shape {
                Shape::List { member, .. } => member,
                _ => &Shape::Other,
            };
            let items: Vec<String> = items.iter().map(|v| render(v, item)).collect();
            format!("[{}]", items.join(", "))
        }
        (Value::Object(fields), Shape::Structure(members)) => {
            let fields: Vec<String> = members
                .iter()
                .filter_map(|m| {
                    let v = fields.get(m.name).filter(|v| !v.is_null())?;
                    Some(format!("{}: {}", m.name, render(v, m.shape)))
                })
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        (Value::Object(fields), _) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{k}: {}", render(v, &Shape::Other)))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(operation: &str, body: Value) -> Option<String> {
        check(operation, &body).err().map(|e| {
            assert_eq!((e.status, e.code.as_ref()), (400, "ValidationException"));
            e.message
        })
    }

    #[test]
    fn a_valid_request_passes() {
        let body = json!({
            "CreatorRequestId": "r1",
            "Name": "rule one's",
            "RuleType": "FORWARD",
            "DomainName": "example.com",
            "TargetIps": [{"Ip": "192.0.2.10", "Port": 53}],
            "Tags": [{"Key": "k", "Value": ""}],
        });
        assert_eq!(message("CreateResolverRule", body), None);
        assert_eq!(message("ListResolverRules", json!({})), None);
    }

    #[test]
    fn null_length_pattern_enum_and_range() {
        assert_eq!(
            message("GetResolverRule", json!({})).as_deref(),
            Some(
                "1 validation error detected: Value null at 'resolverRuleId' failed to satisfy constraint: Member must not be null"
            )
        );
        assert_eq!(
            message("GetResolverRule", json!({"ResolverRuleId": "x".repeat(65)})).as_deref(),
            Some(
                format!(
                    "1 validation error detected: Value '{}' at 'resolverRuleId' failed to satisfy constraint: Member must have length less than or equal to 64",
                    "x".repeat(65)
                )
                .as_str()
            )
        );
        assert_eq!(
            message("GetResolverRule", json!({"ResolverRuleId": ""})).as_deref(),
            Some(
                "1 validation error detected: Value '' at 'resolverRuleId' failed to satisfy constraint: Member must have length greater than or equal to 1"
            )
        );
        assert_eq!(
            message(
                "AssociateResolverRule",
                json!({"ResolverRuleId": "rslvr-rr-1", "VPCId": "vpc-1", "Name": "0123"})
            )
            .as_deref(),
            Some(
                "1 validation error detected: Value '0123' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9\\-_' ']+)"
            )
        );
        assert_eq!(
            message(
                "UpdateResolverDnssecConfig",
                json!({"ResourceId": "vpc-1", "Validation": "ON"})
            )
            .as_deref(),
            Some(
                "1 validation error detected: Value 'ON' at 'validation' failed to satisfy constraint: Member must satisfy enum value set: [ENABLE, DISABLE, USE_LOCAL_RESOURCE_SETTING]"
            )
        );
        assert_eq!(
            message("ListResolverRules", json!({"MaxResults": 0})).as_deref(),
            Some(
                "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"
            )
        );
        assert_eq!(
            message("ListResolverConfigs", json!({"MaxResults": 101})).as_deref(),
            Some(
                "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"
            )
        );
    }

    #[test]
    fn violations_accumulate_in_member_order_through_lists_and_structures() {
        let body = json!({
            "Name": "bad/name",
            "SecurityGroupIds": ["sg-1", ""],
            "Direction": "SIDEWAYS",
            "IpAddresses": [{"SubnetId": "subnet-1", "Ip": "1.2"}],
            "Protocols": ["Do53", "DoT"],
        });
        let got = message("CreateResolverEndpoint", body).unwrap_or_default();
        let want = [
            "7 validation errors detected: Value null at 'creatorRequestId' failed to satisfy constraint: Member must not be null",
            "Value 'bad/name' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9\\-_' ']+)",
            "Value '[sg-1, ]' at 'securityGroupIds' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 64, Member must have length greater than or equal to 1]",
            "Value 'SIDEWAYS' at 'direction' failed to satisfy constraint: Member must satisfy enum value set: [INBOUND, OUTBOUND, INBOUND_DELEGATION]",
            "Value '[{SubnetId: subnet-1,Ip: 1.2}]' at 'ipAddresses' failed to satisfy constraint: Member must have length greater than or equal to 2",
            "Value '1.2' at 'ipAddresses.1.member.ip' failed to satisfy constraint: Member must have length greater than or equal to 7",
            "Value '[Do53, DoT]' at 'protocols' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [DoH, Do53, DoH-FIPS]]",
        ]
        .join("; ");
        assert_eq!(got, want);
    }

    #[test]
    fn nested_structures_and_capitalised_names() {
        let body = json!({
            "ResolverRuleId": "rslvr-rr-1",
            "Config": {"Name": "", "TargetIps": [{"Ip": "192.0.2.1", "Port": 70000}]},
        });
        assert_eq!(
            message("UpdateResolverRule", body).as_deref(),
            Some(
                "2 validation errors detected: Value '' at 'config.name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9\\-_' ']+); Value '70000' at 'config.targetIps.1.member.port' failed to satisfy constraint: Member must have value less than or equal to 65535"
            )
        );
        assert_eq!(
            message("DisassociateResolverRule", json!({"ResolverRuleId": "r"})).as_deref(),
            Some(
                "1 validation error detected: Value null at 'vPCId' failed to satisfy constraint: Member must not be null"
            )
        );
        let tags = json!({
            "ResourceArn": "arn",
            "Tags": [{"Key": "", "Value": "v"}, {"Key": "k"}],
        });
        assert_eq!(
            message("TagResource", tags).as_deref(),
            Some(
                "2 validation errors detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1; Value null at 'tags.2.member.value' failed to satisfy constraint: Member must not be null"
            )
        );
    }

    #[test]
    fn patterns() {
        use super::patterns::{name, outpost_arn};
        assert!(name("my rule_1-'x'"));
        assert!(!name("123") && !name("") && !name("a.b") && !name("é"));
        assert!(name("123a"));
        assert!(outpost_arn(
            "arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0"
        ));
        assert!(outpost_arn(
            "arn:aws-us-gov:outposts:us-gov-west-1:123456789012:outpost/op-0123456789abcdef0"
        ));
        for bad in [
            "arn:aws:outposts:us-east-1:12345678901:outpost/op-0123456789abcdef0",
            "arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789ABCDEF0",
            "arn:aws:ec2:us-east-1:123456789012:outpost/op-0123456789abcdef0",
            "arn:aws:outposts::123456789012:outpost/op-0123456789abcdef0",
            "arn:aws1:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0",
        ] {
            assert!(!outpost_arn(bad), "{bad}");
        }
    }

    #[test]
    fn every_served_operation_has_a_shape() {
        for op in super::super::OPERATIONS {
            assert!(OPERATIONS.iter().any(|(o, _)| o == op), "{op}");
        }
    }
}

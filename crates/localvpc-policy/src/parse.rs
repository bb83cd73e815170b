//! JSON text → validated [`Policy`]. Every refusal happens here, never at evaluation.

use serde_json::{Map, Value};

use crate::MAX_ENDPOINT_POLICY_LEN;
use crate::condition;
use crate::error::PolicyError;
use crate::pattern::{ArnPattern, Template, Tok, wildcard_tokens};
use crate::policy::{
    ActionClause, Effect, Policy, PrincipalClause, PrincipalEntry, ResourceClause, ResourcePattern,
    Statement, Version,
};

/// Which rules a document must follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rules {
    /// A resource policy: `Principal` optional.
    Resource,
    /// A VPC endpoint policy: length limit, and `Principal` in every statement.
    Endpoint,
}

const TOP_LEVEL_FIELDS: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_FIELDS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

pub(crate) fn document(text: &str, rules: Rules) -> Result<Policy, PolicyError> {
    if rules == Rules::Endpoint {
        let len = text.chars().count();
        if len > MAX_ENDPOINT_POLICY_LEN {
            return Err(PolicyError::invalid(format!(
                "The policy is {len} characters long; an endpoint policy can have at most {MAX_ENDPOINT_POLICY_LEN} characters, including white space."
            )));
        }
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let full = e.to_string();
        let position = format!(" at line {} column {}", e.line(), e.column());
        PolicyError::syntax(
            e.line(),
            e.column(),
            full.strip_suffix(&position).unwrap_or(&full),
        )
    })?;
    let Value::Object(top) = value else {
        return Err(PolicyError::invalid("The policy must be a JSON object."));
    };
    if let Some(unknown) = top.keys().find(|k| !TOP_LEVEL_FIELDS.contains(&k.as_str())) {
        return Err(PolicyError::invalid(format!(
            "Unknown field {unknown} at the top level of the policy."
        )));
    }
    let version = match top.get("Version") {
        None => None,
        Some(Value::String(v)) if v == "2012-10-17" => Some(Version::V2012_10_17),
        Some(Value::String(v)) if v == "2008-10-17" => Some(Version::V2008_10_17),
        Some(other) => {
            return Err(PolicyError::invalid(format!(
                "The policy Version {} is not supported; use \"2012-10-17\" or \"2008-10-17\".",
                show(other)
            )));
        }
    };
    let id = match top.get("Id") {
        None => None,
        Some(Value::String(id)) => Some(id.clone()),
        Some(_) => return Err(PolicyError::invalid("The policy Id must be a string.")),
    };
    let variables = version == Some(Version::V2012_10_17);
    let statements = match top.get("Statement") {
        None => return Err(PolicyError::invalid("Missing required field Statement.")),
        Some(Value::Object(map)) => vec![statement(map, "Statement", variables, rules)?],
        Some(Value::Array(items)) if items.is_empty() => {
            return Err(PolicyError::invalid(
                "The Statement element must contain at least one statement.",
            ));
        }
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let loc = format!("Statement[{i}]");
                match item {
                    Value::Object(map) => statement(map, &loc, variables, rules),
                    _ => Err(PolicyError::invalid(format!(
                        "{loc} must be a JSON object."
                    ))),
                }
            })
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => {
            return Err(PolicyError::invalid(
                "The Statement element must be an object or an array of objects.",
            ));
        }
    };
    Ok(Policy {
        version,
        id,
        statements,
    })
}

/// A JSON value as it appears in a message.
fn show(value: &Value) -> String {
    value.to_string()
}

fn statement(
    map: &Map<String, Value>,
    loc: &str,
    variables: bool,
    rules: Rules,
) -> Result<Statement, PolicyError> {
    if let Some(unknown) = map.keys().find(|k| !STATEMENT_FIELDS.contains(&k.as_str())) {
        return Err(PolicyError::invalid(format!(
            "Unknown field {unknown} in {loc}."
        )));
    }
    let sid = match map.get("Sid") {
        None => None,
        Some(Value::String(sid)) => Some(sid.clone()),
        Some(_) => {
            return Err(PolicyError::invalid(format!(
                "The Sid in {loc} must be a string."
            )));
        }
    };
    let effect = match map.get("Effect") {
        None => {
            return Err(PolicyError::invalid(format!(
                "Missing required field Effect in {loc}."
            )));
        }
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(other) => {
            return Err(PolicyError::invalid(format!(
                "Invalid Effect {} in {loc}; the Effect must be \"Allow\" or \"Deny\".",
                show(other)
            )));
        }
    };

    let principal = match one_of(map, "Principal", "NotPrincipal", loc)? {
        Some((field, negated, value)) => Some(PrincipalClause {
            negated,
            entries: principal(value, field, loc)?,
        }),
        None if rules == Rules::Endpoint => {
            return Err(PolicyError::invalid(format!(
                "Missing required field Principal in {loc}; an endpoint policy must contain a Principal element."
            )));
        }
        None => None,
    };

    let Some((field, negated, value)) = one_of(map, "Action", "NotAction", loc)? else {
        return Err(PolicyError::invalid(format!(
            "Missing required field Action in {loc}."
        )));
    };
    let patterns = strings(value, field, loc)?
        .into_iter()
        .map(|a| action(a, field, loc))
        .collect::<Result<Vec<_>, _>>()?;
    let action = ActionClause { negated, patterns };

    let Some((field, negated, value)) = one_of(map, "Resource", "NotResource", loc)? else {
        return Err(PolicyError::invalid(format!(
            "Missing required field Resource in {loc}."
        )));
    };
    let patterns = strings(value, field, loc)?
        .into_iter()
        .map(|r| resource(r, field, loc, variables))
        .collect::<Result<Vec<_>, _>>()?;
    let resource = ResourceClause { negated, patterns };

    let conditions = match map.get("Condition") {
        None => Vec::new(),
        Some(block) => condition::parse_block(block, loc, variables)?,
    };
    Ok(Statement {
        sid,
        effect,
        principal,
        action,
        resource,
        conditions,
    })
}

/// The element present among `name` and its negation `not_name`: its name, whether it is
/// the negation, and its value. Both present is an error.
fn one_of<'a>(
    map: &'a Map<String, Value>,
    name: &'static str,
    not_name: &'static str,
    loc: &str,
) -> Result<Option<(&'static str, bool, &'a Value)>, PolicyError> {
    match (map.get(name), map.get(not_name)) {
        (Some(_), Some(_)) => Err(PolicyError::invalid(format!(
            "{loc} cannot contain both {name} and {not_name}."
        ))),
        (Some(v), None) => Ok(Some((name, false, v))),
        (None, Some(v)) => Ok(Some((not_name, true, v))),
        (None, None) => Ok(None),
    }
}

/// A string or a non-empty array of strings.
fn strings<'a>(value: &'a Value, field: &str, loc: &str) -> Result<Vec<&'a str>, PolicyError> {
    let wrong = || {
        PolicyError::invalid(format!(
            "The {field} element in {loc} must be a string or an array of strings."
        ))
    };
    match value {
        Value::String(s) => Ok(vec![s.as_str()]),
        Value::Array(items) if items.is_empty() => Err(PolicyError::invalid(format!(
            "The {field} element in {loc} must not be empty."
        ))),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().ok_or_else(wrong))
            .collect(),
        _ => Err(wrong()),
    }
}

fn principal(value: &Value, field: &str, loc: &str) -> Result<Vec<PrincipalEntry>, PolicyError> {
    let invalid = |what: String| {
        PolicyError::invalid(format!(
            "Invalid principal in policy: {what} in {loc}.{field}."
        ))
    };
    match value {
        Value::String(s) if s == "*" => Ok(vec![PrincipalEntry::Everyone]),
        Value::Object(kinds) if !kinds.is_empty() => {
            let mut entries = Vec::new();
            for (kind, names) in kinds {
                for name in strings(names, &format!("{field}.{kind}"), loc)? {
                    let entry = match kind.as_str() {
                        "AWS" => aws_principal(name),
                        "Service" if !name.is_empty() && !name.contains(char::is_whitespace) => {
                            Some(PrincipalEntry::Service(name.to_owned()))
                        }
                        "Federated" if !name.is_empty() => {
                            Some(PrincipalEntry::Federated(name.to_owned()))
                        }
                        "CanonicalUser" if !name.is_empty() => {
                            Some(PrincipalEntry::CanonicalUser(name.to_owned()))
                        }
                        _ => None,
                    };
                    entries.push(entry.ok_or_else(|| invalid(format!("\"{kind}\":\"{name}\"")))?);
                }
            }
            Ok(entries)
        }
        Value::String(s) => Err(invalid(format!("\"{s}\""))),
        other => Err(invalid(show(other))),
    }
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// An `AWS` principal: `*`, an account id, or an IAM/STS ARN with no wildcards (AWS does
/// not allow wildcards in principal ARNs).
fn aws_principal(name: &str) -> Option<PrincipalEntry> {
    if name == "*" {
        return Some(PrincipalEntry::Everyone);
    }
    if is_account_id(name) {
        return Some(PrincipalEntry::Account {
            partition: None,
            account: name.to_owned(),
        });
    }
    if name.contains(['*', '?']) {
        return None;
    }
    let mut fields = name.strip_prefix("arn:")?.splitn(5, ':');
    let (partition, service, region, account, resource) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    let partition_ok = partition.starts_with("aws")
        && partition
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'-');
    if !partition_ok || !region.is_empty() || !is_account_id(account) {
        return None;
    }
    let has_name = |prefix: &str| {
        resource
            .strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty())
    };
    match service {
        "iam" if resource == "root" => Some(PrincipalEntry::Account {
            partition: Some(partition.to_owned()),
            account: account.to_owned(),
        }),
        "iam" if has_name("role/") => {
            let role_name = resource.rsplit('/').next().filter(|n| !n.is_empty())?;
            Some(PrincipalEntry::Role {
                partition: partition.to_owned(),
                account: account.to_owned(),
                name: role_name.to_owned(),
                arn: name.to_owned(),
            })
        }
        "iam" if has_name("user/") => Some(PrincipalEntry::Arn(name.to_owned())),
        "sts" if has_name("assumed-role/") || has_name("federated-user/") => {
            Some(PrincipalEntry::Arn(name.to_owned()))
        }
        _ => None,
    }
}

/// An action: `*`, or `vendor:name` where the name may hold `*`/`?` wildcards.
fn action(text: &str, field: &str, loc: &str) -> Result<Vec<Tok>, PolicyError> {
    let invalid =
        |why: &str| PolicyError::invalid(format!("Invalid {field} \"{text}\" in {loc}: {why}."));
    if text != "*" {
        let Some((vendor, name)) = text.split_once(':') else {
            return Err(invalid(
                "actions must be prefaced by a vendor, such as s3:GetObject",
            ));
        };
        if name.contains(':') {
            return Err(invalid("an action can contain only one colon"));
        }
        if vendor.is_empty()
            || !vendor
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(invalid(&format!("vendor \"{vendor}\" is not valid")));
        }
        if name.is_empty() {
            return Err(invalid("the action name is missing"));
        }
    }
    let mut tokens = Vec::new();
    wildcard_tokens(text, &mut tokens);
    Ok(tokens)
}

/// A resource: `*`, or an ARN of six segments whose service segment is plain text.
fn resource(
    text: &str,
    field: &str,
    loc: &str,
    variables: bool,
) -> Result<ResourcePattern, PolicyError> {
    if text == "*" {
        return Ok(ResourcePattern::Any);
    }
    let invalid =
        |why: &str| PolicyError::invalid(format!("Invalid {field} \"{text}\" in {loc}: {why}."));
    let not_arn = "a resource must be in ARN format or \"*\"";
    if !text.starts_with("arn:") {
        return Err(invalid(not_arn));
    }
    let pattern = ArnPattern::new(Template::parse(text, variables));
    let [_, partition, service, _, _, _] = pattern.segments() else {
        return Err(invalid(not_arn));
    };
    if partition.template().plain().is_some_and(|p| p.is_empty()) {
        return Err(invalid("the partition is missing"));
    }
    if !service
        .template()
        .plain()
        .is_some_and(|s| !s.is_empty() && !s.contains(['*', '?']))
    {
        return Err(invalid(
            "the resource vendor must be fully qualified and cannot contain wildcards",
        ));
    }
    Ok(ResourcePattern::Arn(pattern))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        Policy::parse(text).unwrap_err().message
    }

    fn endpoint_err(text: &str) -> String {
        Policy::parse_endpoint_policy(text).unwrap_err().message
    }

    /// A one-statement policy with `fields` spliced into an otherwise valid statement.
    fn with(fields: &str) -> String {
        format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow",{fields}}}]}}"#)
    }

    const GATEWAY_DEFAULT: &str = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;
    const INTERFACE_DEFAULT: &str = "{\n  \"Statement\": [\n    {\n      \"Action\": \"*\", \n      \"Effect\": \"Allow\", \n      \"Principal\": \"*\", \n      \"Resource\": \"*\"\n    }\n  ]\n}";

    #[test]
    fn default_endpoint_policies_parse() {
        let gateway = Policy::parse_endpoint_policy(GATEWAY_DEFAULT).unwrap();
        assert_eq!(gateway.version(), Some(Version::V2008_10_17));
        assert_eq!(gateway.statements().len(), 1);
        let interface = Policy::parse_endpoint_policy(INTERFACE_DEFAULT).unwrap();
        assert_eq!(interface.version(), None);
        // Same meaning, different text.
        assert_eq!(gateway.statements(), interface.statements());
        // The CLI sample with an empty Sid.
        let with_sid = r#"{"Version":"2008-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;
        let p = Policy::parse_endpoint_policy(with_sid).unwrap();
        assert_eq!(p.statements().first().and_then(Statement::sid), Some(""));
    }

    #[test]
    fn s3_bucket_restricted_endpoint_policy_parses() {
        let text = r#"{
          "Version": "2012-10-17",
          "Id": "Policy1415115909152",
          "Statement": [
            {
              "Sid": "Access-to-specific-bucket-only",
              "Principal": "*",
              "Action": ["s3:GetObject", "s3:PutObject"],
              "Effect": "Allow",
              "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket", "arn:aws:s3:::amzn-s3-demo-bucket/*"]
            }
          ]
        }"#;
        let p = Policy::parse_endpoint_policy(text).unwrap();
        assert_eq!(p.id(), Some("Policy1415115909152"));
        let s = p.statements().first().unwrap();
        assert_eq!(s.sid(), Some("Access-to-specific-bucket-only"));
        assert_eq!(s.effect(), Effect::Allow);
        assert!(s.has_principal());
    }

    #[test]
    fn statement_may_be_a_single_object() {
        let p = Policy::parse(
            r#"{"Statement":{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::b/*"}}"#,
        )
        .unwrap();
        assert_eq!(p.statements().len(), 1);
        assert!(!p.statements().first().unwrap().has_principal());
    }

    #[test]
    fn json_syntax_errors_give_the_position() {
        assert_eq!(
            err(r#"{"Statement": [}"#),
            "The Policy Document is not valid. Syntax error at position (1,16): expected value."
        );
        assert!(
            err("").starts_with("The Policy Document is not valid. Syntax error at position (1,0)")
        );
        assert!(err(r#"{"Statement": []} trailing"#).contains("Syntax error at position (1,19)"));
    }

    #[test]
    fn document_level_refusals() {
        assert!(err("[]").contains("The policy must be a JSON object."));
        assert!(err(r#"{"Statement":[]}"#).contains("at least one statement"));
        assert!(err(r#"{"Version":"2012-10-17"}"#).contains("Missing required field Statement."));
        assert!(err(r#"{"Statement":"x"}"#).contains("must be an object or an array of objects"));
        assert!(err(r#"{"Statement":["x"]}"#).contains("Statement[0] must be a JSON object."));
        assert!(
            err(r#"{"Version":"2020-01-01","Statement":[]}"#)
                .contains("Version \"2020-01-01\" is not supported")
        );
        assert!(
            err(r#"{"Version":2012,"Statement":[]}"#).contains("Version 2012 is not supported")
        );
        assert!(err(r#"{"Id":5,"Statement":[]}"#).contains("The policy Id must be a string."));
        assert_eq!(
            err(r#"{"Statement":[],"Extra":1}"#),
            "The Policy Document is not valid. Unknown field Extra at the top level of the policy."
        );
        // Element names are case-sensitive.
        assert!(err(r#"{"statement":[]}"#).contains("Unknown field statement"));
    }

    #[test]
    fn statement_level_refusals() {
        assert_eq!(
            err(&with(r#""Action":"*","Resource":"*","Foo":1"#)),
            "The Policy Document is not valid. Unknown field Foo in Statement[0]."
        );
        assert!(
            err(r#"{"Statement":[{"Action":"*","Resource":"*"}]}"#)
                .contains("Missing required field Effect in Statement[0].")
        );
        assert!(
            err(r#"{"Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}"#)
                .contains("Invalid Effect \"allow\" in Statement[0]")
        );
        assert!(
            err(&with(r#""Resource":"*""#))
                .contains("Missing required field Action in Statement[0].")
        );
        assert!(
            err(&with(r#""Action":"*""#))
                .contains("Missing required field Resource in Statement[0].")
        );
        assert!(
            err(&with(r#""Action":"*","NotAction":"s3:*","Resource":"*""#))
                .contains("cannot contain both Action and NotAction")
        );
        assert!(
            err(&with(r#""Action":"*","Resource":"*","NotResource":"*""#))
                .contains("cannot contain both Resource and NotResource")
        );
        assert!(
            err(&with(
                r#""Principal":"*","NotPrincipal":"*","Action":"*","Resource":"*""#
            ))
            .contains("cannot contain both Principal and NotPrincipal")
        );
        assert!(
            err(&with(r#""Sid":1,"Action":"*","Resource":"*""#))
                .contains("The Sid in Statement[0] must be a string.")
        );
        assert!(
            err(&with(r#""Action":[],"Resource":"*""#))
                .contains("The Action element in Statement[0] must not be empty.")
        );
        assert!(
            err(&with(r#""Action":["s3:*",1],"Resource":"*""#))
                .contains("must be a string or an array of strings")
        );
        assert!(
            err(&with(r#""Action":"*","Resource":"*","Condition":[]"#))
                .contains("The Condition element in Statement[0] must be an object.")
        );
        // The second statement is named by its index.
        let two = r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Allow","Action":"*"}]}"#;
        assert!(err(two).contains("Missing required field Resource in Statement[1]."));
    }

    #[test]
    fn action_shapes() {
        for ok in [
            "*",
            "s3:GetObject",
            "s3:*",
            "s3:Get*",
            "iam:*AccessKey*",
            "ec2:Describe?pcs",
            "S3:getobject",
            "execute-api:Invoke",
        ] {
            Policy::parse(&with(&format!(r#""Action":"{ok}","Resource":"*""#)))
                .unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        assert!(
            err(&with(r#""Action":"s3GetObject","Resource":"*""#))
                .contains("actions must be prefaced by a vendor")
        );
        assert!(
            err(&with(r#""Action":"s3:Get:Object","Resource":"*""#)).contains("only one colon")
        );
        assert!(
            err(&with(r#""Action":":GetObject","Resource":"*""#))
                .contains("vendor \"\" is not valid")
        );
        assert!(
            err(&with(r#""Action":"s*:GetObject","Resource":"*""#))
                .contains("vendor \"s*\" is not valid")
        );
        assert!(
            err(&with(r#""Action":"s3:","Resource":"*""#)).contains("the action name is missing")
        );
        assert!(
            err(&with(r#""NotAction":"nope","Resource":"*""#))
                .contains("Invalid NotAction \"nope\"")
        );
    }

    #[test]
    fn resource_shapes() {
        for ok in [
            "*",
            "arn:aws:s3:::bucket",
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::*",
            "arn:aws:sqs:*:111122223333:queue?",
            "arn:aws:s3:::bucket/${aws:username}/*",
            "arn:aws:iam::${aws:PrincipalAccount}:user/x",
            "arn:aws-cn:ec2:cn-north-1:111122223333:vpc/*",
        ] {
            Policy::parse(&with(&format!(r#""Action":"*","Resource":"{ok}""#)))
                .unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        assert!(
            err(&with(r#""Action":"*","Resource":"bucket""#))
                .contains("must be in ARN format or \"*\"")
        );
        assert!(
            err(&with(r#""Action":"*","Resource":"arn:aws:s3""#)).contains("must be in ARN format")
        );
        assert!(
            err(&with(r#""Action":"*","Resource":"arn:aws:*:::b""#))
                .contains("vendor must be fully qualified")
        );
        assert!(
            err(&with(r#""Action":"*","Resource":"arn:aws::::b""#))
                .contains("vendor must be fully qualified")
        );
        assert!(
            err(&with(r#""Action":"*","Resource":"arn::s3:::b""#)).contains("partition is missing")
        );
        assert!(
            err(&with(r#""Action":"*","NotResource":["*",""]"#))
                .contains("Invalid NotResource \"\"")
        );
    }

    #[test]
    fn principal_shapes() {
        for ok in [
            r#""*""#,
            r#"{"AWS":"*"}"#,
            r#"{"AWS":"111122223333"}"#,
            r#"{"AWS":["arn:aws:iam::111122223333:root","arn:aws:iam::111122223333:user/alice"]}"#,
            r#"{"AWS":"arn:aws:iam::111122223333:role/path/Worker"}"#,
            r#"{"AWS":"arn:aws:sts::111122223333:assumed-role/Worker/session"}"#,
            r#"{"Service":"vpce.amazonaws.com"}"#,
            r#"{"Federated":"cognito-identity.amazonaws.com"}"#,
            r#"{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}"#,
            r#"{"AWS":"111122223333","Service":"s3.amazonaws.com"}"#,
        ] {
            Policy::parse_endpoint_policy(&with(&format!(
                r#""Principal":{ok},"Action":"*","Resource":"*""#
            )))
            .unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        let bad = |p: &str| {
            endpoint_err(&with(&format!(
                r#""Principal":{p},"Action":"*","Resource":"*""#
            )))
        };
        assert_eq!(
            bad(r#"{"AWS":"alice"}"#),
            "The Policy Document is not valid. Invalid principal in policy: \"AWS\":\"alice\" in Statement[0].Principal."
        );
        assert!(bad(r#""alice""#).contains("Invalid principal in policy: \"alice\""));
        assert!(bad(r#"{}"#).contains("Invalid principal in policy: {}"));
        assert!(bad(r#"{"AWS":"11112222333"}"#).contains("Invalid principal"));
        assert!(bad(r#"{"AWS":"arn:aws:iam::111122223333:user/*"}"#).contains("Invalid principal"));
        assert!(
            bad(r#"{"AWS":"arn:aws:iam::111122223333:group/devs"}"#).contains("Invalid principal")
        );
        assert!(bad(r#"{"AWS":"arn:aws:s3:::bucket"}"#).contains("Invalid principal"));
        assert!(bad(r#"{"AWS":"arn:aws:iam::*:root"}"#).contains("Invalid principal"));
        assert!(bad(r#"{"Users":"x"}"#).contains("Invalid principal in policy: \"Users\":\"x\""));
        assert!(
            bad(r#"{"AWS":[]}"#)
                .contains("The Principal.AWS element in Statement[0] must not be empty.")
        );
        assert!(bad(r#"["*"]"#).contains("Invalid principal in policy: [\"*\"]"));
    }

    #[test]
    fn endpoint_policies_need_a_principal_in_every_statement() {
        let text = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:Delete*","Resource":"*"}]}"#;
        assert!(Policy::parse(text).is_ok());
        assert_eq!(
            endpoint_err(text),
            "The Policy Document is not valid. Missing required field Principal in Statement[1]; an endpoint policy must contain a Principal element."
        );
        let not_principal = r#"{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"*","Resource":"*"}]}"#;
        assert!(Policy::parse_endpoint_policy(not_principal).is_ok());
    }

    #[test]
    fn endpoint_policy_length_limit() {
        let base = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Sid":""}]}"#;
        let pad =
            |n: usize| base.replacen(r#""Sid":"""#, &format!(r#""Sid":"{}""#, "x".repeat(n)), 1);
        let exact = pad(MAX_ENDPOINT_POLICY_LEN - base.len());
        assert_eq!(exact.chars().count(), MAX_ENDPOINT_POLICY_LEN);
        assert!(Policy::parse_endpoint_policy(&exact).is_ok());
        let over = pad(MAX_ENDPOINT_POLICY_LEN - base.len() + 1);
        assert!(endpoint_err(&over).contains("at most 20480 characters"));
        // White space counts; `parse` has no limit.
        let spaced = format!("{base}{}", " ".repeat(MAX_ENDPOINT_POLICY_LEN));
        assert!(endpoint_err(&spaced).contains("characters long"));
        assert!(Policy::parse(&spaced).is_ok());
        // Characters, not bytes.
        let wide = pad(MAX_ENDPOINT_POLICY_LEN - base.len()).replacen('x', "é", 100);
        assert!(wide.len() > MAX_ENDPOINT_POLICY_LEN);
        assert!(Policy::parse_endpoint_policy(&wide).is_ok());
    }
}

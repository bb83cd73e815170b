//! Tags of the taggable Resolver resources (endpoints, rules, query-logging configs), named
//! by ARN.

use super::ResolverErrorCode;
use super::common::{invalid_parameter, not_found, rerr};
use crate::ec2::tags::Tags;
use crate::error::ModelError;
use crate::resource::{Model, Resource};
use crate::scope::Scope;
use crate::txn::Txn;

/// Tags per Resolver resource (the TagList shape's maximum).
pub(crate) const MAX_RESOLVER_TAGS: usize = 200;

/// More than [`MAX_RESOLVER_TAGS`] tags on one resource, given or merged.
pub fn check_resolver_tag_count(count: usize) -> Result<(), ModelError> {
    if count > MAX_RESOLVER_TAGS {
        Err(rerr(
            ResolverErrorCode::LimitExceeded,
            format!("A Resolver resource can have at most {MAX_RESOLVER_TAGS} tags"),
        ))
    } else {
        Ok(())
    }
}

/// Tags as given, checked as the Resolver does: keys 1–128 without `aws:`, values ≤ 256.
pub(super) fn check_tags(tags: &[(String, String)]) -> Result<(), ModelError> {
    for (k, v) in tags {
        let n = k.chars().count();
        if n == 0 || n > 128 || v.chars().count() > 256 {
            return Err(rerr(
                ResolverErrorCode::InvalidTag,
                format!("Tag '{k}': keys have 1 to 128 characters, values at most 256"),
            ));
        }
        if k.to_ascii_lowercase().starts_with("aws:") {
            return Err(rerr(
                ResolverErrorCode::InvalidTag,
                format!("Tag key '{k}': the aws: prefix is reserved"),
            ));
        }
    }
    Ok(())
}

pub(super) fn merged_tags(current: &Tags, add: &[(String, String)]) -> Result<Tags, ModelError> {
    check_tags(add)?;
    let mut tags = current.clone();
    tags.extend(add.iter().cloned());
    check_resolver_tag_count(tags.len())?;
    Ok(tags)
}

impl Model {
    /// The tags of a taggable Resolver resource by ARN (endpoint, rule, query log config).
    pub fn resolver_tags(&self, scope: &Scope, arn: &str) -> Result<Tags, ModelError> {
        match parse_resolver_arn(scope, arn)? {
            ArnTarget::Endpoint(id) => self.resolver_endpoint(scope, &id).map(|e| e.tags.clone()),
            ArnTarget::Rule(id) => self.stored_rule(scope, &id).map(|r| r.tags.clone()),
            ArnTarget::QueryLogConfig(id) => self
                .resolver_query_log_config(scope, &id)
                .map(|c| c.tags.clone()),
        }
    }
}

pub(super) enum ArnTarget {
    Endpoint(String),
    Rule(String),
    QueryLogConfig(String),
}

/// `arn:aws:route53resolver:<region>:<account>:<kind>/<id>` of this scope.
pub(super) fn parse_resolver_arn(scope: &Scope, arn: &str) -> Result<ArnTarget, ModelError> {
    let invalid = || {
        invalid_parameter(format!(
            "[RSLVR-00905] '{arn}' is not a valid Resolver resource ARN"
        ))
    };
    let mut parts = arn.splitn(6, ':');
    let (
        Some("arn"),
        Some(_partition),
        Some("route53resolver"),
        Some(region),
        Some(account),
        Some(rest),
    ) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    )
    else {
        return Err(invalid());
    };
    let (kind, id) = rest.split_once('/').ok_or_else(invalid)?;
    let target = match kind {
        "resolver-endpoint" => ArnTarget::Endpoint(id.to_owned()),
        "resolver-rule" => ArnTarget::Rule(id.to_owned()),
        "resolver-query-log-config" => ArnTarget::QueryLogConfig(id.to_owned()),
        _ => return Err(invalid()),
    };
    if region != scope.region || account != scope.account.as_str() {
        return Err(not_found(format!(
            "Resource with ARN '{arn}' does not exist"
        )));
    }
    Ok(target)
}

impl Txn<'_, '_> {
    pub(super) fn tag_resolver_resource(
        &mut self,
        arn: &str,
        tags: &[(String, String)],
    ) -> Result<(), ModelError> {
        self.edit_resolver_tags(arn, |current| merged_tags(current, tags))
    }

    pub(super) fn untag_resolver_resource(
        &mut self,
        arn: &str,
        keys: &[String],
    ) -> Result<(), ModelError> {
        self.edit_resolver_tags(arn, |current| {
            let mut t = current.clone();
            for k in keys {
                t.remove(k);
            }
            Ok(t)
        })
    }

    pub(super) fn edit_resolver_tags(
        &mut self,
        arn: &str,
        edit: impl FnOnce(&Tags) -> Result<Tags, ModelError>,
    ) -> Result<(), ModelError> {
        let scope = self.ctx.scope;
        match parse_resolver_arn(scope, arn)? {
            ArnTarget::Endpoint(id) => {
                let mut e = self.model.resolver_endpoint(scope, &id)?.clone();
                e.tags = edit(&e.tags)?;
                self.put(Resource::ResolverEndpoint(e));
            }
            ArnTarget::Rule(id) => {
                let mut r = self.model.stored_rule(scope, &id)?.clone();
                r.tags = edit(&r.tags)?;
                self.put(Resource::ResolverRule(r));
            }
            ArnTarget::QueryLogConfig(id) => {
                let mut c = self.model.resolver_query_log_config(scope, &id)?.clone();
                c.tags = edit(&c.tags)?;
                self.put(Resource::ResolverQueryLogConfig(c));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::route53resolver::testing::*;
    use crate::route53resolver::{ResolverCommand, ResolverOutcome};

    #[test]
    fn tags_by_arn() {
        let mut h = harness();
        let ResolverOutcome::QueryLogConfig(q) = h
            .resolver(ResolverCommand::CreateQueryLogConfig {
                name: "logs".into(),
                destination_arn: "arn:aws:s3:::my-bucket".into(),
                creator_request_id: "q1".into(),
                tags: vec![("k".into(), "v".into())],
            })
            .unwrap()
        else {
            panic!()
        };
        h.resolver(ResolverCommand::TagResource {
            arn: q.arn(),
            tags: vec![("a".into(), "1".into())],
        })
        .unwrap();
        h.resolver(ResolverCommand::UntagResource {
            arn: q.arn(),
            keys: vec!["k".into()],
        })
        .unwrap();
        let tags = h.model.resolver_tags(&h.scope, &q.arn()).unwrap();
        assert_eq!(
            tags.into_iter().collect::<Vec<_>>(),
            [("a".to_owned(), "1".to_owned())]
        );
        let err = h
            .resolver(ResolverCommand::TagResource {
                arn: q.arn(),
                tags: vec![("aws:x".into(), "1".into())],
            })
            .unwrap_err();
        assert_eq!(code(&err), "InvalidTagException");
    }
}

//! Query-logging configurations: where the queries of associated VPCs are logged.

use super::ResolverErrorCode;
use super::common::{
    check_creator_request_id, check_name, invalid_parameter, invalid_request, not_found, rerr,
    resolver_arn,
};
use super::tags::check_tags;
use crate::ec2::tags::Tags;
use crate::error::ModelError;
use crate::id::{ResolverQueryLogConfigId, Timestamp};
use crate::resource::{Model, Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolverQueryLogConfig {
    pub id: ResolverQueryLogConfigId,
    pub scope: Scope,
    pub name: String,
    pub destination_arn: String,
    pub creator_request_id: String,
    pub created: Timestamp,
    pub tags: Tags,
}

impl ResolverQueryLogConfig {
    pub fn arn(&self) -> String {
        resolver_arn(&self.scope, "resolver-query-log-config", self.id.as_str())
    }
}

impl Model {
    /// A query-logging configuration of `scope` by the id as sent. Not `get`: Resolver
    /// answers a malformed id and another scope's alike, `ResourceNotFoundException`.
    pub fn resolver_query_log_config(
        &self,
        scope: &Scope,
        id: &str,
    ) -> Result<&ResolverQueryLogConfig, ModelError> {
        ResolverQueryLogConfigId::parse(id)
            .ok()
            .and_then(|k| self.resolver_query_log_configs.get(&k))
            .map(Arc::as_ref)
            .filter(|c| &c.scope == scope)
            .ok_or_else(|| {
                not_found(format!(
                    "Resolver query log config with ID '{id}' does not exist"
                ))
            })
    }

    /// How many VPCs a query-logging configuration is associated with.
    pub fn query_log_config_association_count(&self, id: &ResolverQueryLogConfigId) -> usize {
        self.resolver_query_log_config_associations
            .values()
            .filter(|a| &a.config_id == id)
            .count()
    }
}

impl Txn<'_, '_> {
    pub(super) fn create_query_log_config(
        &mut self,
        name: &str,
        destination_arn: &str,
        creator_request_id: &str,
        tags: &[(String, String)],
    ) -> Result<ResolverQueryLogConfig, ModelError> {
        let scope = self.ctx.scope;
        check_creator_request_id(creator_request_id)?;
        if name.is_empty() {
            return Err(invalid_parameter("Name is required"));
        }
        check_name(name, "Name")?;
        check_destination_arn(destination_arn)?;
        check_tags(tags)?;
        if let Some(existing) = self
            .model
            .in_scope::<ResolverQueryLogConfig>(scope)
            .find(|c| c.creator_request_id == creator_request_id)
        {
            if existing.name == name && existing.destination_arn == destination_arn {
                return Ok(existing.clone());
            }
            return Err(rerr(
                ResolverErrorCode::ResourceExists,
                format!(
                    "[RSLVR-00702] Resolver query log config with creator request ID '{creator_request_id}' already exists with different parameters"
                ),
            ));
        }
        let config = ResolverQueryLogConfig {
            id: ResolverQueryLogConfigId::generate(self.ctx.ids),
            scope: scope.clone(),
            name: name.to_owned(),
            destination_arn: destination_arn.to_owned(),
            creator_request_id: creator_request_id.to_owned(),
            created: self.ctx.now,
            tags: tags.iter().cloned().collect(),
        };
        self.put(Resource::ResolverQueryLogConfig(config.clone()));
        Ok(config)
    }

    pub(super) fn delete_query_log_config(
        &mut self,
        id: &str,
    ) -> Result<ResolverQueryLogConfig, ModelError> {
        let config = self
            .model
            .resolver_query_log_config(self.ctx.scope, id)?
            .clone();
        if self.model.query_log_config_association_count(&config.id) > 0 {
            return Err(invalid_request(format!(
                "Resolver query log config '{id}' is associated with VPCs; disassociate them first"
            )));
        }
        self.delete(ResourceRef::ResolverQueryLogConfig(config.id.clone()));
        Ok(config)
    }
}

/// An S3 bucket, CloudWatch Logs log group or Kinesis Data Firehose stream ARN. localvpc
/// does not emulate those services, so only the form is checked.
fn check_destination_arn(arn: &str) -> Result<(), ModelError> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = match parts.as_slice() {
        ["arn", _, "s3", "", "", bucket] => !bucket.is_empty(),
        ["arn", _, "logs", region, account, rest] => {
            !region.is_empty() && !account.is_empty() && rest.starts_with("log-group:")
        }
        ["arn", _, "firehose", region, account, rest] => {
            !region.is_empty() && !account.is_empty() && rest.starts_with("deliverystream/")
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(invalid_parameter(format!(
            "DestinationArn '{arn}' is not the ARN of an S3 bucket, a CloudWatch Logs log group or a Kinesis Data Firehose delivery stream"
        )))
    }
}

#[cfg(test)]
mod tests {
    use crate::route53resolver::testing::*;
    use crate::route53resolver::{ResolverCommand, ResolverOutcome};

    #[test]
    fn query_log_configs_association_and_destinations() {
        let mut h = harness();
        let vpc = h.vpc("10.0.0.0/16");
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
        h.resolver(ResolverCommand::AssociateQueryLogConfig {
            config_id: q.id.to_string(),
            vpc_id: vpc.id.to_string(),
        })
        .unwrap();
        assert_eq!(h.model.query_log_configs_for_vpc(&vpc.id).len(), 1);
        let err = h
            .resolver(ResolverCommand::DeleteQueryLogConfig {
                id: q.id.to_string(),
            })
            .unwrap_err();
        assert_eq!(code(&err), "InvalidRequestException");
        let err = h
            .resolver(ResolverCommand::CreateQueryLogConfig {
                name: "logs".into(),
                destination_arn: "not-an-arn".into(),
                creator_request_id: "q2".into(),
                tags: Vec::new(),
            })
            .unwrap_err();
        assert_eq!(code(&err), "InvalidParameterException");
    }
}

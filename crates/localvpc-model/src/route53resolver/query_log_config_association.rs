//! Associations of query-logging configurations with VPCs.

use super::ResolverErrorCode;
use super::common::{invalid_parameter, not_found, rerr};
use super::query_log_config::ResolverQueryLogConfig;
use crate::ec2::tags::Tags;
use crate::error::ModelError;
use crate::id::{ResolverQueryLogConfigAssociationId, ResolverQueryLogConfigId, Timestamp, VpcId};
use crate::resource::{Model, Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolverQueryLogConfigAssociation {
    pub id: ResolverQueryLogConfigAssociationId,
    pub scope: Scope,
    pub config_id: ResolverQueryLogConfigId,
    pub vpc_id: VpcId,
    pub created: Timestamp,
    /// Associations are not taggable; the field is the stored-resource contract.
    pub tags: Tags,
}

impl Model {
    /// An association of `scope` by the id as sent. Not `get`: Resolver answers a malformed
    /// id and another scope's alike, `ResourceNotFoundException`.
    pub fn resolver_query_log_config_association(
        &self,
        scope: &Scope,
        id: &str,
    ) -> Result<&ResolverQueryLogConfigAssociation, ModelError> {
        ResolverQueryLogConfigAssociationId::parse(id)
            .ok()
            .and_then(|k| self.resolver_query_log_config_associations.get(&k))
            .map(Arc::as_ref)
            .filter(|a| &a.scope == scope)
            .ok_or_else(|| {
                not_found(format!(
                    "Resolver query log config association with ID '{id}' does not exist"
                ))
            })
    }

    /// The VPCs a query-logging configuration is associated with.
    pub fn query_log_config_vpcs<'a>(
        &'a self,
        id: &'a ResolverQueryLogConfigId,
    ) -> impl Iterator<Item = &'a VpcId> + 'a {
        self.resolver_query_log_config_associations
            .values()
            .filter(move |a| &a.config_id == id)
            .map(|a| &a.vpc_id)
    }

    /// The query-logging configurations a VPC's queries are logged to.
    pub fn query_log_configs_for_vpc(&self, vpc_id: &VpcId) -> Vec<&ResolverQueryLogConfig> {
        self.resolver_query_log_config_associations
            .values()
            .filter(|a| &a.vpc_id == vpc_id)
            .filter_map(|a| self.resolver_query_log_configs.get(&a.config_id))
            .map(Arc::as_ref)
            .collect()
    }
}

impl Txn<'_, '_> {
    pub(super) fn associate_query_log_config(
        &mut self,
        config_id: &str,
        vpc_id: &str,
    ) -> Result<ResolverQueryLogConfigAssociation, ModelError> {
        let config = self
            .model
            .resolver_query_log_config(self.ctx.scope, config_id)?
            .clone();
        let vpc = self
            .model
            .scope_vpc(self.ctx.scope, vpc_id)
            .ok_or_else(|| invalid_parameter(format!("The vpc ID '{vpc_id}' does not exist")))?;
        if self
            .model
            .resolver_query_log_config_associations
            .values()
            .any(|a| a.config_id == config.id && a.vpc_id == vpc)
        {
            return Err(rerr(
                ResolverErrorCode::ResourceExists,
                format!(
                    "Resolver query log config '{config_id}' is already associated with VPC '{vpc_id}'"
                ),
            ));
        }
        let association = ResolverQueryLogConfigAssociation {
            id: ResolverQueryLogConfigAssociationId::generate(self.ctx.ids),
            scope: self.ctx.scope.clone(),
            config_id: config.id,
            vpc_id: vpc,
            created: self.ctx.now,
            tags: Tags::new(),
        };
        self.put(Resource::ResolverQueryLogConfigAssociation(
            association.clone(),
        ));
        Ok(association)
    }

    pub(super) fn disassociate_query_log_config(
        &mut self,
        config_id: &str,
        vpc_id: &str,
    ) -> Result<ResolverQueryLogConfigAssociation, ModelError> {
        self.model
            .resolver_query_log_config(self.ctx.scope, config_id)?;
        let found = self
            .model
            .in_scope::<ResolverQueryLogConfigAssociation>(self.ctx.scope)
            .find(|a| a.config_id.as_str() == config_id && a.vpc_id.as_str() == vpc_id)
            .cloned()
            .ok_or_else(|| {
                not_found(format!(
                    "Resolver query log config '{config_id}' is not associated with '{vpc_id}'"
                ))
            })?;
        self.delete(ResourceRef::ResolverQueryLogConfigAssociation(
            found.id.clone(),
        ));
        Ok(found)
    }
}

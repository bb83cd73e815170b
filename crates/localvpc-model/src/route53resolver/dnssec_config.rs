//! Per-VPC DNSSEC validation configs: derived from the VPC id, stored only once updated.

use super::common::invalid_parameter;
use crate::ec2::tags::Tags;
use crate::ec2::vpc::Vpc;
use crate::error::ModelError;
use crate::id::{ResolverDnssecConfigId, VpcId};
use crate::resource::{Model, Resource};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};

/// Per-VPC DNSSEC validation; stored once updated, else disabled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolverDnssecConfig {
    pub id: ResolverDnssecConfigId,
    pub scope: Scope,
    pub vpc_id: VpcId,
    pub validation: bool,
    pub tags: Tags,
}

impl Model {
    /// The DNSSEC config of a VPC (stored once updated, else the default: validation off).
    /// Not `get`: it is found by VPC, and exists before it is stored.
    pub fn resolver_dnssec_config(
        &self,
        scope: &Scope,
        vpc_id: &str,
    ) -> Result<ResolverDnssecConfig, ModelError> {
        let vpc = self.setting_vpc(scope, vpc_id)?;
        Ok(self.dnssec_config_of(scope, &vpc))
    }

    fn dnssec_config_of(&self, scope: &Scope, vpc: &VpcId) -> ResolverDnssecConfig {
        let id = ResolverDnssecConfigId::for_vpc(vpc);
        self.resolver_dnssec_configs.get(&id).map_or_else(
            || ResolverDnssecConfig {
                id: id.clone(),
                scope: scope.clone(),
                vpc_id: vpc.clone(),
                validation: false,
                tags: Tags::new(),
            },
            |c| ResolverDnssecConfig::clone(c),
        )
    }

    /// One DNSSEC config per VPC of the scope, in VPC id order (not `in_scope`: defaults
    /// included).
    pub fn resolver_dnssec_configs_in(&self, scope: &Scope) -> Vec<ResolverDnssecConfig> {
        self.in_scope::<Vpc>(scope)
            .map(|v| self.dnssec_config_of(scope, &v.id))
            .collect()
    }
}

impl Txn<'_, '_> {
    /// `ENABLE` or `DISABLE` DNSSEC validation for a VPC.
    pub(super) fn update_dnssec_config(
        &mut self,
        vpc_id: &str,
        validation: &str,
    ) -> Result<ResolverDnssecConfig, ModelError> {
        let mut config = self.model.resolver_dnssec_config(self.ctx.scope, vpc_id)?;
        config.validation = match validation {
            "ENABLE" => true,
            "DISABLE" => false,
            "USE_LOCAL_RESOURCE_SETTING" => {
                return Err(ModelError::not_emulated(
                    "Outposts resolvers, to which USE_LOCAL_RESOURCE_SETTING applies",
                ));
            }
            other => {
                return Err(invalid_parameter(format!(
                    "Validation '{other}' is not valid: ENABLE or DISABLE"
                )));
            }
        };
        self.put(Resource::ResolverDnssecConfig(config.clone()));
        Ok(config)
    }
}

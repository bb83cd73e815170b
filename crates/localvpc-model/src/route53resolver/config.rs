//! Per-VPC resolver configs (whether the autodefined reverse-DNS rules apply): derived from
//! the VPC id, stored only once updated.

use super::common::invalid_parameter;
use crate::ec2::tags::Tags;
use crate::ec2::vpc::Vpc;
use crate::error::ModelError;
use crate::id::{ResolverConfigId, VpcId};
use crate::resource::{Model, Resource};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};

/// Per-VPC settings (autodefined reverse rules); stored once updated, else the default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolverConfig {
    pub id: ResolverConfigId,
    pub scope: Scope,
    pub vpc_id: VpcId,
    pub autodefined_reverse: bool,
    pub tags: Tags,
}

impl Model {
    /// The resolver config of a VPC (stored once updated, else the default: reverse rules on).
    /// Not `get`: it is found by VPC, and exists before it is stored.
    pub fn resolver_config(
        &self,
        scope: &Scope,
        vpc_id: &str,
    ) -> Result<ResolverConfig, ModelError> {
        let vpc = self.setting_vpc(scope, vpc_id)?;
        Ok(self.resolver_config_of(scope, &vpc))
    }

    fn resolver_config_of(&self, scope: &Scope, vpc: &VpcId) -> ResolverConfig {
        let id = ResolverConfigId::for_vpc(vpc);
        self.resolver_configs.get(&id).map_or_else(
            || ResolverConfig {
                id: id.clone(),
                scope: scope.clone(),
                vpc_id: vpc.clone(),
                autodefined_reverse: true,
                tags: Tags::new(),
            },
            |c| ResolverConfig::clone(c),
        )
    }

    /// One config per VPC of the scope, in VPC id order (not `in_scope`: defaults included).
    pub fn resolver_configs_in(&self, scope: &Scope) -> Vec<ResolverConfig> {
        self.in_scope::<Vpc>(scope)
            .map(|v| self.resolver_config_of(scope, &v.id))
            .collect()
    }

    /// Whether the autodefined reverse-DNS rules apply to a VPC (default true).
    pub fn autodefined_reverse_enabled(&self, vpc_id: &VpcId) -> bool {
        self.resolver_configs
            .get(&ResolverConfigId::for_vpc(vpc_id))
            .is_none_or(|c| c.autodefined_reverse)
    }
}

impl Txn<'_, '_> {
    /// `ENABLE` or `DISABLE` the autodefined reverse rules of a VPC.
    pub(super) fn update_resolver_config(
        &mut self,
        vpc_id: &str,
        flag: &str,
    ) -> Result<ResolverConfig, ModelError> {
        let mut config = self.model.resolver_config(self.ctx.scope, vpc_id)?;
        config.autodefined_reverse = match flag {
            "ENABLE" => true,
            "DISABLE" => false,
            "USE_LOCAL_RESOURCE_SETTING" => {
                return Err(ModelError::not_emulated(
                    "Outposts resolvers, to which USE_LOCAL_RESOURCE_SETTING applies",
                ));
            }
            other => {
                return Err(invalid_parameter(format!(
                    "AutodefinedReverseFlag '{other}' is not valid: ENABLE or DISABLE"
                )));
            }
        };
        self.put(Resource::ResolverConfig(config.clone()));
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use crate::route53resolver::ResolverCommand;
    use crate::route53resolver::testing::*;

    #[test]
    fn configs_default_on_and_update() {
        let mut h = harness();
        let vpc = h.vpc("10.0.0.0/16");
        let c = h.model.resolver_config(&h.scope, vpc.id.as_str()).unwrap();
        assert!(c.autodefined_reverse);
        h.resolver(ResolverCommand::UpdateConfig {
            vpc_id: vpc.id.to_string(),
            flag: "DISABLE".into(),
        })
        .unwrap();
        assert!(!h.model.autodefined_reverse_enabled(&vpc.id));
        assert_eq!(
            h.model
                .resolver_config(&h.scope, vpc.id.as_str())
                .unwrap()
                .id,
            c.id
        );
        let err = h
            .model
            .resolver_config(&h.scope, "vpc-0123456789abcdef0")
            .unwrap_err();
        assert_eq!(code(&err), "ResourceNotFoundException");
    }
}

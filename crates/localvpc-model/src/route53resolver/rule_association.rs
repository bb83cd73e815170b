//! Associations of Resolver rules with VPCs, and the rule that decides a name queried from a
//! VPC (what the DNS server asks). The internet rule's association with each VPC is derived.

use super::ResolverErrorCode;
use super::common::{check_name, invalid_parameter, invalid_request, not_found, rerr};
use super::rule::{AUTODEFINED_INTERNET_RULE_ID, ResolverRule};
use crate::ec2::tags::Tags;
use crate::ec2::vpc::Vpc;
use crate::error::ModelError;
use crate::id::{ResolverRuleAssociationId, ResolverRuleId, VpcId};
use crate::resource::{Model, Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// AWS's default quota (docs/aws-semantics.md §7.3): rule associations per Region.
pub(crate) const MAX_RULE_ASSOCIATIONS: usize = 2000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolverRuleAssociation {
    pub id: ResolverRuleAssociationId,
    pub scope: Scope,
    pub rule_id: ResolverRuleId,
    pub vpc_id: VpcId,
    pub name: Option<String>,
    /// Associations are not taggable; the field is the stored-resource contract.
    pub tags: Tags,
}

impl ResolverRuleAssociation {
    pub fn is_autodefined(&self) -> bool {
        self.id.as_str().starts_with("rslvr-autodefined-")
    }
}

impl Model {
    /// Every rule association a scope sees: the stored ones, then the autodefined internet
    /// rule's association with each of its VPCs (AWS lists those too; `in_scope` would not).
    pub fn resolver_rule_associations_in(&self, scope: &Scope) -> Vec<ResolverRuleAssociation> {
        let mut out: Vec<ResolverRuleAssociation> = self
            .resolver_rule_associations
            .values()
            .filter(|a| &a.scope == scope)
            .map(|a| ResolverRuleAssociation::clone(a))
            .collect();
        out.extend(
            self.in_scope::<Vpc>(scope)
                .map(|v| internet_association(scope, &v.id)),
        );
        out
    }

    /// A stored association of `scope`, or the internet rule's with one of its VPCs, by the
    /// id as sent (not `get`: those are never stored, and a malformed id is not found).
    pub fn resolver_rule_association(
        &self,
        scope: &Scope,
        id: &str,
    ) -> Result<ResolverRuleAssociation, ModelError> {
        let stored = ResolverRuleAssociationId::parse(id)
            .ok()
            .and_then(|k| self.resolver_rule_associations.get(&k))
            .map(Arc::as_ref)
            .filter(|a| &a.scope == scope);
        if let Some(a) = stored {
            return Ok(a.clone());
        }
        self.in_scope::<Vpc>(scope)
            .map(|v| internet_association(scope, &v.id))
            .find(|a| a.id.as_str() == id)
            .ok_or_else(|| {
                not_found(format!(
                    "Resolver rule association with ID '{id}' does not exist"
                ))
            })
    }

    /// The rules that apply to queries from a VPC (or via an inbound endpoint hosted in it):
    /// its associated customer rules, in association order, then the autodefined internet
    /// rule (`.`, RECURSIVE). Autodefined local zones (PHZs, compute names, reverse zones,
    /// docs/aws-semantics.md §7.1) are not listed: the DNS server derives them from the VPC itself.
    pub fn resolver_rules_for_vpc(&self, vpc_id: &VpcId) -> Vec<ResolverRule> {
        let Some(scope) = self.vpcs.get(vpc_id).map(|v| v.scope.clone()) else {
            return Vec::new();
        };
        let mut out: Vec<ResolverRule> = self
            .resolver_rule_associations
            .values()
            .filter(|a| &a.vpc_id == vpc_id)
            .filter_map(|a| self.resolver_rules.get(&a.rule_id))
            .map(|r| ResolverRule::clone(r))
            .collect();
        out.push(ResolverRule::internet(&scope));
        out
    }

    /// The customer rule that decides a name queried from a VPC: the associated rule with
    /// the most specific matching domain (docs/aws-semantics.md §7.2 step 2), or the autodefined internet
    /// rule when none matches. On an exact tie with an autodefined local zone (a PHZ, say)
    /// the DNS server must still prefer the returned customer rule.
    pub fn resolver_rule_for_name(&self, vpc_id: &VpcId, name: &str) -> Option<ResolverRule> {
        self.resolver_rules_for_vpc(vpc_id)
            .into_iter()
            .filter(|r| r.matches(name))
            .max_by_key(|r| {
                // `.` counts as no labels; ties keep the first (association order).
                let labels = if r.domain_name == "." {
                    0
                } else {
                    r.domain_name.matches('.').count()
                };
                (labels, std::cmp::Reverse(r.is_autodefined()))
            })
    }
}

fn internet_association(scope: &Scope, vpc: &VpcId) -> ResolverRuleAssociation {
    ResolverRuleAssociation {
        id: ResolverRuleAssociationId::autodefined(format!(
            "rslvr-autodefined-assoc-{vpc}-internet-resolver"
        )),
        scope: scope.clone(),
        rule_id: ResolverRuleId::autodefined(AUTODEFINED_INTERNET_RULE_ID),
        vpc_id: vpc.clone(),
        name: Some("System Rule Association".to_owned()),
        tags: Tags::new(),
    }
}

impl Txn<'_, '_> {
    pub(super) fn associate_resolver_rule(
        &mut self,
        rule_id: &str,
        vpc_id: &str,
        name: Option<&str>,
    ) -> Result<ResolverRuleAssociation, ModelError> {
        let scope = self.ctx.scope;
        if let Some(n) = name {
            check_name(n, "Name")?;
        }
        if rule_id == AUTODEFINED_INTERNET_RULE_ID {
            return Err(invalid_request(
                "The autodefined internet rule is associated with every VPC already",
            ));
        }
        let rule = self.model.stored_rule(scope, rule_id)?.clone();
        let vpc = self
            .model
            .scope_vpc(scope, vpc_id)
            .ok_or_else(|| invalid_parameter(format!("The vpc ID '{vpc_id}' does not exist")))?;
        for existing in self
            .model
            .resolver_rule_associations
            .values()
            .filter(|a| a.vpc_id == vpc)
        {
            if existing.rule_id == rule.id {
                return Err(rerr(
                    ResolverErrorCode::ResourceExists,
                    format!(
                        "[RSLVR-00703] Resolver rule '{rule_id}' is already associated with VPC '{vpc_id}'"
                    ),
                ));
            }
            let same_domain = self
                .model
                .resolver_rules
                .get(&existing.rule_id)
                .is_some_and(|r| r.domain_name == rule.domain_name);
            if same_domain {
                return Err(invalid_request(format!(
                    "[RSLVR-00703] Cannot associate rules with same domain name with same VPC. Conflict with resolver rule '{}'",
                    existing.rule_id
                )));
            }
        }
        self.check_no_loop(&rule, &vpc)?;
        if self
            .model
            .resolver_rule_associations
            .values()
            .filter(|a| &a.scope == scope)
            .count()
            >= MAX_RULE_ASSOCIATIONS
        {
            return Err(rerr(
                ResolverErrorCode::LimitExceeded,
                format!(
                    "[RSLVR-00800] Account '{}' has reached the limit of {MAX_RULE_ASSOCIATIONS} rule associations",
                    scope.account
                ),
            ));
        }
        let association = ResolverRuleAssociation {
            id: ResolverRuleAssociationId::generate(self.ctx.ids),
            scope: scope.clone(),
            rule_id: rule.id,
            vpc_id: vpc,
            name: name.map(str::to_owned),
            tags: Tags::new(),
        };
        self.put(Resource::ResolverRuleAssociation(association.clone()));
        Ok(association)
    }

    pub(super) fn disassociate_resolver_rule(
        &mut self,
        rule_id: &str,
        vpc_id: &str,
    ) -> Result<ResolverRuleAssociation, ModelError> {
        self.model.resolver_rule(self.ctx.scope, rule_id)?;
        let found = self
            .model
            .resolver_rule_associations
            .values()
            .find(|a| {
                &a.scope == self.ctx.scope
                    && a.rule_id.as_str() == rule_id
                    && a.vpc_id.as_str() == vpc_id
            })
            .map(|a| ResolverRuleAssociation::clone(a))
            .ok_or_else(|| {
                not_found(format!(
                    "Resolver rule association between resolver rule '{rule_id}' and VPC '{vpc_id}' does not exist"
                ))
            })?;
        self.delete(ResourceRef::ResolverRuleAssociation(found.id.clone()));
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route53resolver::testing::*;

    #[test]
    fn forward_rules_associations_and_the_loop_check() {
        let mut h = harness();
        let (vpc, a, c, g) = network(&mut h);
        let inbound = h
            .endpoint(
                "in",
                "INBOUND",
                &g,
                &[(&a, Some("10.0.1.10")), (&c, Some("10.0.2.10"))],
            )
            .unwrap();
        let outbound = h
            .endpoint("out", "OUTBOUND", &g, &[(&a, None), (&c, None)])
            .unwrap();
        let rule = h
            .forward_rule("r1", "Corp.Example.Internal", &outbound, "192.168.0.10")
            .unwrap();
        assert_eq!(rule.domain_name, "corp.example.internal.");
        assert_eq!(rule.target_ips[0].port, 53);
        assert_eq!(rule.target_ips[0].protocol, "Do53");
        // Forwarding through an inbound endpoint is refused.
        let err = h
            .forward_rule("r2", "x.internal", &inbound, "192.168.0.10")
            .unwrap_err();
        assert_eq!(code(&err), "InvalidRequestException");
        h.associate(&rule, &vpc).unwrap();
        assert_eq!(
            code(&h.associate(&rule, &vpc).unwrap_err()),
            "ResourceExistsException"
        );
        // One rule per domain per VPC.
        let twin = h
            .forward_rule("r3", "corp.example.internal.", &outbound, "192.168.0.11")
            .unwrap();
        assert_eq!(
            code(&h.associate(&twin, &vpc).unwrap_err()),
            "InvalidRequestException"
        );
        // RSLVR-00804: a rule that targets the VPC's own inbound endpoint.
        let looping = h
            .forward_rule("r4", "onprem.example", &outbound, "10.0.1.10")
            .unwrap();
        let err = h.associate(&looping, &vpc).unwrap_err();
        assert_eq!(code(&err), "InvalidRequestException");
        assert!(err.to_string().contains("RSLVR-00804"), "{err}");
        // The same rule is fine for a VPC without that inbound endpoint.
        let other = h.vpc("10.9.0.0/16");
        h.associate(&looping, &other).unwrap();
        // Lookups for the DNS server.
        let pick = h
            .model
            .resolver_rule_for_name(&vpc.id, "host.corp.example.internal")
            .unwrap();
        assert_eq!(pick.id, rule.id);
        let pick = h
            .model
            .resolver_rule_for_name(&vpc.id, "example.com.")
            .unwrap();
        assert_eq!(pick.id.as_str(), AUTODEFINED_INTERNET_RULE_ID);
        // Rules in use cannot go; endpoints used by rules cannot go.
        let err = h
            .resolver(ResolverCommand::DeleteRule {
                id: rule.id.to_string(),
            })
            .unwrap_err();
        assert_eq!(code(&err), "ResourceInUseException");
        let err = h
            .resolver(ResolverCommand::DeleteEndpoint {
                id: outbound.id.to_string(),
            })
            .unwrap_err();
        assert_eq!(code(&err), "InvalidRequestException");
        h.resolver(ResolverCommand::DisassociateRule {
            rule_id: rule.id.to_string(),
            vpc_id: vpc.id.to_string(),
        })
        .unwrap();
        h.resolver(ResolverCommand::DeleteRule {
            id: rule.id.to_string(),
        })
        .unwrap();
        let err = h
            .resolver(ResolverCommand::DeleteRule {
                id: rule.id.to_string(),
            })
            .unwrap_err();
        assert_eq!(code(&err), "ResourceNotFoundException");
    }
}

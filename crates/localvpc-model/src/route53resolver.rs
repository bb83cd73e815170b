//! Route 53 Resolver (docs/aws-semantics.md §7): inbound and outbound endpoints with their requester-managed
//! interfaces, forwarding and system rules with their VPC associations, the per-VPC resolver
//! and DNSSEC configs, and query-logging configurations.
//!
//! Resolver is regional: every resource carries the scope of the request that made it.
//! Transitions are immediate: what AWS reports as `CREATING` in a create response is stored
//! `OPERATIONAL`/`COMPLETE` (the API renders the transient statuses, docs/aws-choices.md).
//!
//! One file per resource kind, each with its type, its reads (`impl Model`), its writes
//! (`impl Txn`) and its unit tests; `common.rs` holds what they share (error codes, ARNs,
//! name checks). This file holds the command enum and its dispatch. The reads the DNS server
//! needs (`Model::resolver_rules_for_vpc`, `Model::resolver_rule_for_name`,
//! `Model::inbound_resolver_endpoints`, …) live with their kinds.

mod common;
mod config;
mod dnssec_config;
mod endpoint;
mod query_log_config;
mod query_log_config_association;
mod rule;
mod rule_association;
mod tags;
#[cfg(test)]
mod testing;

pub use common::ResolverErrorCode;
pub use config::ResolverConfig;
pub use dnssec_config::ResolverDnssecConfig;
pub use endpoint::{
    CreateResolverEndpoint, EndpointIpRequest, ResolverDirection, ResolverEndpoint, ResolverIp,
};
pub use query_log_config::ResolverQueryLogConfig;
pub use query_log_config_association::ResolverQueryLogConfigAssociation;
pub use rule::{
    AUTODEFINED_INTERNET_RULE_ID, CreateResolverRule, ResolverRule, ResolverRuleType, TargetIp,
    TargetIpRequest, normalise_domain,
};
pub use rule_association::ResolverRuleAssociation;
pub use tags::check_resolver_tag_count;

use crate::error::ModelError;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};

/// The Resolver writes. Ids are given as strings: an unknown or malformed id is a
/// `ResourceNotFoundException`, as AWS answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResolverCommand {
    CreateEndpoint(CreateResolverEndpoint),
    UpdateEndpoint {
        id: String,
        name: Option<String>,
        endpoint_type: Option<String>,
        protocols: Option<Vec<String>>,
        /// Whether `UpdateIpAddresses` (IPv6 only) had items.
        update_ipv6: bool,
    },
    DeleteEndpoint {
        id: String,
    },
    AssociateEndpointIp {
        id: String,
        ip: EndpointIpRequest,
    },
    DisassociateEndpointIp {
        id: String,
        ip: EndpointIpRequest,
    },
    CreateRule(CreateResolverRule),
    UpdateRule {
        id: String,
        name: Option<String>,
        target_ips: Option<Vec<TargetIpRequest>>,
        resolver_endpoint_id: Option<String>,
    },
    DeleteRule {
        id: String,
    },
    AssociateRule {
        rule_id: String,
        vpc_id: String,
        name: Option<String>,
    },
    DisassociateRule {
        rule_id: String,
        vpc_id: String,
    },
    /// `ENABLE` or `DISABLE` the autodefined reverse rules of a VPC.
    UpdateConfig {
        vpc_id: String,
        flag: String,
    },
    /// `ENABLE` or `DISABLE` DNSSEC validation for a VPC.
    UpdateDnssecConfig {
        vpc_id: String,
        validation: String,
    },
    CreateQueryLogConfig {
        name: String,
        destination_arn: String,
        creator_request_id: String,
        tags: Vec<(String, String)>,
    },
    DeleteQueryLogConfig {
        id: String,
    },
    AssociateQueryLogConfig {
        config_id: String,
        vpc_id: String,
    },
    DisassociateQueryLogConfig {
        config_id: String,
        vpc_id: String,
    },
    TagResource {
        arn: String,
        tags: Vec<(String, String)>,
    },
    UntagResource {
        arn: String,
        keys: Vec<String>,
    },
}

/// What a Resolver write returns (deletions return the resource as it was).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResolverOutcome {
    Done,
    Endpoint(ResolverEndpoint),
    Rule(ResolverRule),
    RuleAssociation(ResolverRuleAssociation),
    Config(ResolverConfig),
    DnssecConfig(ResolverDnssecConfig),
    QueryLogConfig(ResolverQueryLogConfig),
    QueryLogConfigAssociation(ResolverQueryLogConfigAssociation),
}

impl Txn<'_, '_> {
    pub(crate) fn run_resolver(
        &mut self,
        command: &ResolverCommand,
    ) -> Result<ResolverOutcome, ModelError> {
        Ok(match command {
            ResolverCommand::CreateEndpoint(input) => {
                ResolverOutcome::Endpoint(self.create_resolver_endpoint(input)?)
            }
            ResolverCommand::UpdateEndpoint {
                id,
                name,
                endpoint_type,
                protocols,
                update_ipv6,
            } => ResolverOutcome::Endpoint(self.update_resolver_endpoint(
                id,
                name.as_ref(),
                endpoint_type.as_deref(),
                protocols.as_ref(),
                *update_ipv6,
            )?),
            ResolverCommand::DeleteEndpoint { id } => {
                ResolverOutcome::Endpoint(self.delete_resolver_endpoint(id)?)
            }
            ResolverCommand::AssociateEndpointIp { id, ip } => {
                ResolverOutcome::Endpoint(self.associate_endpoint_ip(id, ip)?)
            }
            ResolverCommand::DisassociateEndpointIp { id, ip } => {
                ResolverOutcome::Endpoint(self.disassociate_endpoint_ip(id, ip)?)
            }
            ResolverCommand::CreateRule(input) => {
                ResolverOutcome::Rule(self.create_resolver_rule(input)?)
            }
            ResolverCommand::UpdateRule {
                id,
                name,
                target_ips,
                resolver_endpoint_id,
            } => ResolverOutcome::Rule(self.update_resolver_rule(
                id,
                name.as_deref(),
                target_ips.as_deref(),
                resolver_endpoint_id.as_deref(),
            )?),
            ResolverCommand::DeleteRule { id } => {
                ResolverOutcome::Rule(self.delete_resolver_rule(id)?)
            }
            ResolverCommand::AssociateRule {
                rule_id,
                vpc_id,
                name,
            } => ResolverOutcome::RuleAssociation(self.associate_resolver_rule(
                rule_id,
                vpc_id,
                name.as_deref(),
            )?),
            ResolverCommand::DisassociateRule { rule_id, vpc_id } => {
                ResolverOutcome::RuleAssociation(self.disassociate_resolver_rule(rule_id, vpc_id)?)
            }
            ResolverCommand::UpdateConfig { vpc_id, flag } => {
                ResolverOutcome::Config(self.update_resolver_config(vpc_id, flag)?)
            }
            ResolverCommand::UpdateDnssecConfig { vpc_id, validation } => {
                ResolverOutcome::DnssecConfig(self.update_dnssec_config(vpc_id, validation)?)
            }
            ResolverCommand::CreateQueryLogConfig {
                name,
                destination_arn,
                creator_request_id,
                tags,
            } => ResolverOutcome::QueryLogConfig(self.create_query_log_config(
                name,
                destination_arn,
                creator_request_id,
                tags,
            )?),
            ResolverCommand::DeleteQueryLogConfig { id } => {
                ResolverOutcome::QueryLogConfig(self.delete_query_log_config(id)?)
            }
            ResolverCommand::AssociateQueryLogConfig { config_id, vpc_id } => {
                ResolverOutcome::QueryLogConfigAssociation(
                    self.associate_query_log_config(config_id, vpc_id)?,
                )
            }
            ResolverCommand::DisassociateQueryLogConfig { config_id, vpc_id } => {
                ResolverOutcome::QueryLogConfigAssociation(
                    self.disassociate_query_log_config(config_id, vpc_id)?,
                )
            }
            ResolverCommand::TagResource { arn, tags } => {
                self.tag_resolver_resource(arn, tags)?;
                ResolverOutcome::Done
            }
            ResolverCommand::UntagResource { arn, keys } => {
                self.untag_resolver_resource(arn, keys)?;
                ResolverOutcome::Done
            }
        })
    }
}

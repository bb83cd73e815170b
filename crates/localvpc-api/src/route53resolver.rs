//! Route 53 Resolver (JSON 1.1, `Route53Resolver.<Operation>`, `2018-04-01`): endpoints,
//! rules and their VPC associations, resolver and DNSSEC configs, query-logging configs and
//! tags (docs/aws-semantics.md §7, §10.3).
//!
//! Bodies are decoded with serde into typed requests (a body that is not JSON, or a member of
//! the wrong type, is a `SerializationException`), then every member is checked against the
//! botocore constraints of its operation's input (`validate.rs`, all violations in one
//! `ValidationException`), everything else by the model. Errors are
//! `{"__type": code, "Message": message}` with HTTP 400.

use crate::{ApiError, ApiResponse, AwsRequest, Backend, RequestCtx};
use localvpc_model::{
    Command, CreateResolverEndpoint, CreateResolverRule, EndpointIpRequest, FromOutcome, Model,
    ModelError, ResolverCommand, ResolverConfig, ResolverDnssecConfig, ResolverEndpoint,
    ResolverErrorCode, ResolverQueryLogConfig, ResolverQueryLogConfigAssociation, ResolverRule,
    ResolverRuleAssociation, TargetIpRequest, check_resolver_tag_count,
};
use localvpc_wire::time::iso8601_millis;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use std::sync::Arc;

mod shapes;
mod validate;

type Body = Result<Value, ApiError>;

/// Serves one Resolver request.
pub(crate) async fn serve<B: Backend>(
    backend: &B,
    ctx: &RequestCtx,
    operation: &str,
    request: &AwsRequest<'_>,
) -> Result<ApiResponse, ApiError> {
    let body = dispatch(backend, ctx, operation, request).await?;
    Ok(ApiResponse::json(200, body.to_string()))
}

pub(crate) const OPERATIONS: &[&str] = &[
    "AssociateResolverEndpointIpAddress",
    "AssociateResolverQueryLogConfig",
    "AssociateResolverRule",
    "CreateResolverEndpoint",
    "CreateResolverQueryLogConfig",
    "CreateResolverRule",
    "DeleteResolverEndpoint",
    "DeleteResolverQueryLogConfig",
    "DeleteResolverRule",
    "DisassociateResolverEndpointIpAddress",
    "DisassociateResolverQueryLogConfig",
    "DisassociateResolverRule",
    "GetResolverConfig",
    "GetResolverDnssecConfig",
    "GetResolverEndpoint",
    "GetResolverQueryLogConfig",
    "GetResolverQueryLogConfigAssociation",
    "GetResolverRule",
    "GetResolverRuleAssociation",
    "ListResolverConfigs",
    "ListResolverDnssecConfigs",
    "ListResolverEndpointIpAddresses",
    "ListResolverEndpoints",
    "ListResolverQueryLogConfigAssociations",
    "ListResolverQueryLogConfigs",
    "ListResolverRuleAssociations",
    "ListResolverRules",
    "ListTagsForResource",
    "TagResource",
    "UntagResource",
    "UpdateResolverConfig",
    "UpdateResolverDnssecConfig",
    "UpdateResolverEndpoint",
    "UpdateResolverRule",
];

/// A Resolver request member that is missing or names nothing the operation knows.
fn invalid_parameter(message: impl Into<String>) -> ApiError {
    resolver_error(ResolverErrorCode::InvalidParameter, message)
}

fn resolver_error(code: ResolverErrorCode, message: impl Into<String>) -> ApiError {
    ModelError::Resolver {
        code,
        message: message.into(),
    }
    .into()
}

/// A required member: present and not empty.
fn required<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str, ApiError> {
    value
        .as_deref()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| invalid_parameter(format!("[RSLVR-00101] {name} is required")))
}

/// A trace id like AWS puts in status messages: `1-<8 hex>-<24 hex>`.
fn trace(what: &str) -> String {
    format!(
        "[Trace id: 1-{:08x}-{:024x}] {what}",
        fastrand::u32(..),
        fastrand::u128(..) >> 32
    )
}

fn time(ms: u64) -> String {
    iso8601_millis(ms)
}

struct Op<'a, B> {
    backend: &'a B,
    ctx: &'a RequestCtx,
    operation: &'a str,
    body: &'a [u8],
}

impl<B: Backend> Op<'_, B> {
    /// The body as the operation's input type (an empty body is `{}`), once its members
    /// satisfy the operation's constraints.
    fn input<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        let (value, input) = crate::json::read_body(self.body)?;
        validate::check(self.operation, &value)?;
        Ok(input)
    }

    /// Runs a command and takes its typed result.
    async fn run_as<T: FromOutcome>(&self, command: ResolverCommand) -> Result<T, ApiError> {
        crate::execute_as(self.backend, &self.ctx.scope, Command::Resolver(command)).await
    }

    /// Runs a command whose answer carries nothing the response needs.
    async fn run(&self, command: ResolverCommand) -> Result<(), ApiError> {
        self.backend
            .execute(self.ctx.scope.clone(), Command::Resolver(command))
            .await?;
        Ok(())
    }

    fn snapshot(&self) -> Arc<Model> {
        self.backend.snapshot()
    }
}

async fn dispatch<B: Backend>(
    backend: &B,
    ctx: &RequestCtx,
    operation: &str,
    request: &AwsRequest<'_>,
) -> Body {
    crate::service::ensure_scope(backend, &ctx.scope).await?;
    let op = Op {
        backend,
        ctx,
        operation,
        body: request.body,
    };
    match operation {
        "CreateResolverEndpoint" => create_endpoint(&op).await,
        "GetResolverEndpoint" => {
            let input: IdInput = op.input()?;
            let id = required(&input.resolver_endpoint_id, "ResolverEndpointId")?;
            let model = op.snapshot();
            let e = model.resolver_endpoint(&op.ctx.scope, id)?;
            Ok(json!({ "ResolverEndpoint": endpoint_json(e, EndpointStatus::Operational) }))
        }
        "ListResolverEndpoints" => list_endpoints(&op),
        "UpdateResolverEndpoint" => {
            let input: UpdateEndpointInput = op.input()?;
            let id = required(&input.resolver_endpoint_id, "ResolverEndpointId")?;
            let command = ResolverCommand::UpdateEndpoint {
                id: id.to_owned(),
                name: input.name,
                endpoint_type: input.resolver_endpoint_type,
                protocols: input.protocols,
                update_ipv6: input.update_ip_addresses.is_some_and(|v| !v.is_empty()),
            };
            endpoint_answer(&op, command, EndpointStatus::Updating).await
        }
        "DeleteResolverEndpoint" => {
            let input: IdInput = op.input()?;
            let id = required(&input.resolver_endpoint_id, "ResolverEndpointId")?;
            let command = ResolverCommand::DeleteEndpoint { id: id.to_owned() };
            endpoint_answer(&op, command, EndpointStatus::Deleting).await
        }
        "AssociateResolverEndpointIpAddress" | "DisassociateResolverEndpointIpAddress" => {
            let input: EndpointIpInput = op.input()?;
            let id = required(&input.resolver_endpoint_id, "ResolverEndpointId")?.to_owned();
            let ip = input
                .ip_address
                .ok_or_else(|| invalid_parameter("[RSLVR-00101] IpAddress is required"))?;
            let ip = EndpointIpRequest {
                subnet_id: ip.subnet_id,
                ip: ip.ip,
                ipv6: ip.ipv6,
                ip_id: ip.ip_id,
            };
            let command = if operation == "AssociateResolverEndpointIpAddress" {
                ResolverCommand::AssociateEndpointIp { id, ip }
            } else {
                ResolverCommand::DisassociateEndpointIp { id, ip }
            };
            endpoint_answer(&op, command, EndpointStatus::Updating).await
        }
        "ListResolverEndpointIpAddresses" => {
            let input: ListIpsInput = op.input()?;
            let id = required(&input.resolver_endpoint_id, "ResolverEndpointId")?;
            let model = op.snapshot();
            let e = model.resolver_endpoint(&op.ctx.scope, id)?;
            let items: Vec<Value> = e
                .ip_addresses
                .iter()
                .map(|ip| {
                    json!({
                        "IpId": ip.id.as_str(),
                        "SubnetId": ip.subnet_id.as_str(),
                        "Ip": ip.ip.to_string(),
                        "Status": "ATTACHED",
                        "StatusMessage": "This IP address is operational.",
                        "CreationTime": time(ip.created.0),
                        "ModificationTime": time(ip.modified.0),
                    })
                })
                .collect();
            let page = Page::new(items, input.max_results, input.next_token.as_deref(), 1)?;
            Ok(page.render("IpAddresses", true))
        }
        "CreateResolverRule" => create_rule(&op).await,
        "GetResolverRule" => {
            let input: RuleIdInput = op.input()?;
            let id = required(&input.resolver_rule_id, "ResolverRuleId")?;
            let rule = op.snapshot().resolver_rule(&op.ctx.scope, id)?;
            Ok(json!({ "ResolverRule": rule_json(&rule, RuleStatus::Complete) }))
        }
        "ListResolverRules" => list_rules(&op),
        "UpdateResolverRule" => {
            let input: UpdateRuleInput = op.input()?;
            let id = required(&input.resolver_rule_id, "ResolverRuleId")?;
            let config = input
                .config
                .ok_or_else(|| invalid_parameter("[RSLVR-00101] Config is required"))?;
            let command = ResolverCommand::UpdateRule {
                id: id.to_owned(),
                name: config.name,
                target_ips: config.target_ips.map(targets),
                resolver_endpoint_id: config.resolver_endpoint_id,
            };
            let r: ResolverRule = op.run_as(command).await?;
            Ok(json!({ "ResolverRule": rule_json(&r, RuleStatus::Complete) }))
        }
        "DeleteResolverRule" => {
            let input: RuleIdInput = op.input()?;
            let id = required(&input.resolver_rule_id, "ResolverRuleId")?;
            let r: ResolverRule = op
                .run_as(ResolverCommand::DeleteRule { id: id.to_owned() })
                .await?;
            Ok(json!({ "ResolverRule": rule_json(&r, RuleStatus::Deleting) }))
        }
        "AssociateResolverRule" | "DisassociateResolverRule" => {
            let input: AssociateRuleInput = op.input()?;
            let rule_id = required(&input.resolver_rule_id, "ResolverRuleId")?.to_owned();
            let vpc_id = required(&input.vpc_id, "VPCId")?.to_owned();
            let (command, status, message) = if operation == "AssociateResolverRule" {
                (
                    ResolverCommand::AssociateRule {
                        rule_id,
                        vpc_id,
                        name: input.name,
                    },
                    "CREATING",
                    trace("Creating Association"),
                )
            } else {
                (
                    ResolverCommand::DisassociateRule { rule_id, vpc_id },
                    "DELETING",
                    trace("Deleting Association"),
                )
            };
            let a: ResolverRuleAssociation = op.run_as(command).await?;
            Ok(json!({
                "ResolverRuleAssociation": association_json(&a, status, &message)
            }))
        }
        "GetResolverRuleAssociation" => {
            let input: AssociationIdInput = op.input()?;
            let id = required(
                &input.resolver_rule_association_id,
                "ResolverRuleAssociationId",
            )?;
            let a = op.snapshot().resolver_rule_association(&op.ctx.scope, id)?;
            Ok(json!({ "ResolverRuleAssociation": association_json(&a, "COMPLETE", "") }))
        }
        "ListResolverRuleAssociations" => list_rule_associations(&op),
        "GetResolverConfig" | "GetResolverDnssecConfig" => {
            let input: ResourceIdInput = op.input()?;
            let id = required(&input.resource_id, "ResourceId")?;
            let model = op.snapshot();
            if operation == "GetResolverConfig" {
                let c = model.resolver_config(&op.ctx.scope, id)?;
                Ok(json!({ "ResolverConfig": config_json(&c, false) }))
            } else {
                let c = model.resolver_dnssec_config(&op.ctx.scope, id)?;
                Ok(json!({ "ResolverDNSSECConfig": dnssec_json(&c, false) }))
            }
        }
        "UpdateResolverConfig" => {
            let input: UpdateConfigInput = op.input()?;
            let vpc_id = required(&input.resource_id, "ResourceId")?.to_owned();
            let flag = required(&input.autodefined_reverse_flag, "AutodefinedReverseFlag")?;
            let command = ResolverCommand::UpdateConfig {
                vpc_id,
                flag: flag.to_owned(),
            };
            let c: ResolverConfig = op.run_as(command).await?;
            Ok(json!({ "ResolverConfig": config_json(&c, true) }))
        }
        "UpdateResolverDnssecConfig" => {
            let input: UpdateDnssecInput = op.input()?;
            let vpc_id = required(&input.resource_id, "ResourceId")?.to_owned();
            let validation = required(&input.validation, "Validation")?.to_owned();
            let c: ResolverDnssecConfig = op
                .run_as(ResolverCommand::UpdateDnssecConfig { vpc_id, validation })
                .await?;
            Ok(json!({ "ResolverDNSSECConfig": dnssec_json(&c, true) }))
        }
        "ListResolverConfigs" => {
            let input: ListInput = op.input()?;
            let model = op.snapshot();
            let items: Vec<Value> = model
                .resolver_configs_in(&op.ctx.scope)
                .iter()
                .map(|c| config_json(c, false))
                .collect();
            let page = Page::new(items, input.max_results, input.next_token.as_deref(), 5)?;
            Ok(page.render("ResolverConfigs", false))
        }
        "ListResolverDnssecConfigs" => {
            let input: ListInput = op.input()?;
            let model = op.snapshot();
            let items: Vec<Value> = model
                .resolver_dnssec_configs_in(&op.ctx.scope)
                .iter()
                .map(|c| dnssec_json(c, false))
                .collect();
            let items = filtered(items, input.filters.as_deref(), &DNSSEC_FILTERS)?;
            let page = Page::new(items, input.max_results, input.next_token.as_deref(), 1)?;
            Ok(page.render("ResolverDnssecConfigs", false))
        }
        "CreateResolverQueryLogConfig" => {
            let input: CreateQueryLogConfigInput = op.input()?;
            let command = ResolverCommand::CreateQueryLogConfig {
                name: required(&input.name, "Name")?.to_owned(),
                destination_arn: required(&input.destination_arn, "DestinationArn")?.to_owned(),
                creator_request_id: required(&input.creator_request_id, "CreatorRequestId")?
                    .to_owned(),
                tags: tags(input.tags)?,
            };
            query_log_config_answer(&op, command, "CREATING").await
        }
        "GetResolverQueryLogConfig" => {
            let input: QueryLogConfigIdInput = op.input()?;
            let id = required(
                &input.resolver_query_log_config_id,
                "ResolverQueryLogConfigId",
            )?;
            let model = op.snapshot();
            let c = model.resolver_query_log_config(&op.ctx.scope, id)?;
            Ok(json!({ "ResolverQueryLogConfig": query_log_config_json(&model, c, "CREATED") }))
        }
        "DeleteResolverQueryLogConfig" => {
            let input: QueryLogConfigIdInput = op.input()?;
            let id = required(
                &input.resolver_query_log_config_id,
                "ResolverQueryLogConfigId",
            )?;
            let command = ResolverCommand::DeleteQueryLogConfig { id: id.to_owned() };
            query_log_config_answer(&op, command, "DELETING").await
        }
        "ListResolverQueryLogConfigs" => {
            let input: ListInput = op.input()?;
            let model = op.snapshot();
            let items: Vec<Value> = model
                .in_scope::<ResolverQueryLogConfig>(&op.ctx.scope)
                .map(|c| query_log_config_json(&model, c, "CREATED"))
                .collect();
            sorted_page(
                input,
                items,
                &QUERY_LOG_CONFIG_FILTERS,
                "ResolverQueryLogConfigs",
            )
        }
        "AssociateResolverQueryLogConfig" | "DisassociateResolverQueryLogConfig" => {
            let input: QueryLogAssociationInput = op.input()?;
            let config_id = required(
                &input.resolver_query_log_config_id,
                "ResolverQueryLogConfigId",
            )?
            .to_owned();
            let vpc_id = required(&input.resource_id, "ResourceId")?.to_owned();
            let (command, status) = if operation == "AssociateResolverQueryLogConfig" {
                (
                    ResolverCommand::AssociateQueryLogConfig { config_id, vpc_id },
                    "CREATING",
                )
            } else {
                (
                    ResolverCommand::DisassociateQueryLogConfig { config_id, vpc_id },
                    "DELETING",
                )
            };
            let a: ResolverQueryLogConfigAssociation = op.run_as(command).await?;
            Ok(json!({
                "ResolverQueryLogConfigAssociation": query_log_association_json(&a, status)
            }))
        }
        "GetResolverQueryLogConfigAssociation" => {
            let input: QueryLogAssociationIdInput = op.input()?;
            let id = required(
                &input.resolver_query_log_config_association_id,
                "ResolverQueryLogConfigAssociationId",
            )?;
            let model = op.snapshot();
            let a = model.resolver_query_log_config_association(&op.ctx.scope, id)?;
            Ok(json!({
                "ResolverQueryLogConfigAssociation": query_log_association_json(a, "ACTIVE")
            }))
        }
        "ListResolverQueryLogConfigAssociations" => {
            let input: ListInput = op.input()?;
            let model = op.snapshot();
            let items: Vec<Value> = model
                .in_scope::<ResolverQueryLogConfigAssociation>(&op.ctx.scope)
                .map(|a| query_log_association_json(a, "ACTIVE"))
                .collect();
            sorted_page(
                input,
                items,
                &QUERY_LOG_ASSOCIATION_FILTERS,
                "ResolverQueryLogConfigAssociations",
            )
        }
        "TagResource" => {
            let input: TagInput = op.input()?;
            let arn = required(&input.resource_arn, "ResourceArn")?.to_owned();
            let tags =
                tags(Some(input.tags.ok_or_else(|| {
                    invalid_parameter("[RSLVR-00101] Tags is required")
                })?))?;
            op.run(ResolverCommand::TagResource { arn, tags }).await?;
            Ok(json!({}))
        }
        "UntagResource" => {
            let input: UntagInput = op.input()?;
            let arn = required(&input.resource_arn, "ResourceArn")?.to_owned();
            let keys = input
                .tag_keys
                .ok_or_else(|| invalid_parameter("[RSLVR-00101] TagKeys is required"))?;
            op.run(ResolverCommand::UntagResource { arn, keys }).await?;
            Ok(json!({}))
        }
        "ListTagsForResource" => {
            let input: ListTagsInput = op.input()?;
            let arn = required(&input.resource_arn, "ResourceArn")?;
            let tags = op.snapshot().resolver_tags(&op.ctx.scope, arn)?;
            let items: Vec<Value> = tags
                .iter()
                .map(|(k, v)| json!({ "Key": k, "Value": v }))
                .collect();
            let page = Page::new(items, input.max_results, input.next_token.as_deref(), 1)?;
            Ok(page.render("Tags", false))
        }
        other => Err(ApiError::new(
            400,
            "UnknownOperationException",
            format!("localvpc does not serve the Route 53 Resolver operation '{other}'"),
        )),
    }
}

// === inputs ===

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TagInputItem {
    key: Option<String>,
    value: Option<String>,
}

fn tags(list: Option<Vec<TagInputItem>>) -> Result<Vec<(String, String)>, ApiError> {
    let list = list.unwrap_or_default();
    check_resolver_tag_count(list.len())?;
    list.into_iter()
        .map(|t| {
            let key = t
                .key
                .ok_or_else(|| invalid_parameter("[RSLVR-00101] Tag.Key is required"))?;
            let value = t
                .value
                .ok_or_else(|| invalid_parameter("[RSLVR-00101] Tag.Value is required"))?;
            Ok((key, value))
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct IpAddressInput {
    subnet_id: Option<String>,
    ip: Option<String>,
    ipv6: Option<String>,
    ip_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateEndpointInput {
    creator_request_id: Option<String>,
    name: Option<String>,
    security_group_ids: Option<Vec<String>>,
    direction: Option<String>,
    ip_addresses: Option<Vec<IpAddressInput>>,
    outpost_arn: Option<String>,
    resolver_endpoint_type: Option<String>,
    protocols: Option<Vec<String>>,
    tags: Option<Vec<TagInputItem>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct IdInput {
    resolver_endpoint_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateEndpointInput {
    resolver_endpoint_id: Option<String>,
    name: Option<String>,
    resolver_endpoint_type: Option<String>,
    protocols: Option<Vec<String>>,
    update_ip_addresses: Option<Vec<Value>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EndpointIpInput {
    resolver_endpoint_id: Option<String>,
    ip_address: Option<IpAddressInput>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FilterInput {
    name: Option<String>,
    values: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListInput {
    max_results: Option<i64>,
    next_token: Option<String>,
    filters: Option<Vec<FilterInput>>,
    sort_by: Option<String>,
    sort_order: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListIpsInput {
    resolver_endpoint_id: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TargetInput {
    ip: Option<String>,
    ipv6: Option<String>,
    port: Option<i64>,
    protocol: Option<String>,
}

fn targets(list: Vec<TargetInput>) -> Vec<TargetIpRequest> {
    list.into_iter()
        .map(|t| TargetIpRequest {
            ip: t.ip,
            ipv6: t.ipv6,
            port: t.port,
            protocol: t.protocol,
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateRuleInput {
    creator_request_id: Option<String>,
    name: Option<String>,
    rule_type: Option<String>,
    domain_name: Option<String>,
    target_ips: Option<Vec<TargetInput>>,
    resolver_endpoint_id: Option<String>,
    tags: Option<Vec<TagInputItem>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RuleIdInput {
    resolver_rule_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RuleConfigInput {
    name: Option<String>,
    target_ips: Option<Vec<TargetInput>>,
    resolver_endpoint_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateRuleInput {
    resolver_rule_id: Option<String>,
    config: Option<RuleConfigInput>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AssociateRuleInput {
    resolver_rule_id: Option<String>,
    name: Option<String>,
    #[serde(rename = "VPCId")]
    vpc_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AssociationIdInput {
    resolver_rule_association_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ResourceIdInput {
    resource_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateConfigInput {
    resource_id: Option<String>,
    autodefined_reverse_flag: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateDnssecInput {
    resource_id: Option<String>,
    validation: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateQueryLogConfigInput {
    name: Option<String>,
    destination_arn: Option<String>,
    creator_request_id: Option<String>,
    tags: Option<Vec<TagInputItem>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct QueryLogConfigIdInput {
    resolver_query_log_config_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct QueryLogAssociationInput {
    resolver_query_log_config_id: Option<String>,
    resource_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct QueryLogAssociationIdInput {
    resolver_query_log_config_association_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TagInput {
    resource_arn: Option<String>,
    tags: Option<Vec<TagInputItem>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UntagInput {
    resource_arn: Option<String>,
    tag_keys: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListTagsInput {
    resource_arn: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

// === operations ===

async fn create_endpoint<B: Backend>(op: &Op<'_, B>) -> Body {
    let input: CreateEndpointInput = op.input()?;
    let creator_request_id = required(&input.creator_request_id, "CreatorRequestId")?.to_owned();
    let direction = required(&input.direction, "Direction")?.to_owned();
    let security_group_ids = input
        .security_group_ids
        .ok_or_else(|| invalid_parameter("[RSLVR-00101] SecurityGroupIds is required"))?;
    let ip_addresses = input
        .ip_addresses
        .ok_or_else(|| invalid_parameter("[RSLVR-00101] IpAddresses is required"))?;
    if input.outpost_arn.is_some() {
        return Err(ApiError::not_emulated(
            "Resolver endpoints on Outposts (OutpostArn)",
        ));
    }
    let command = ResolverCommand::CreateEndpoint(CreateResolverEndpoint {
        creator_request_id,
        name: input.name,
        security_group_ids,
        direction,
        ip_addresses: ip_addresses
            .into_iter()
            .map(|ip| EndpointIpRequest {
                subnet_id: ip.subnet_id,
                ip: ip.ip,
                ipv6: ip.ipv6,
                ip_id: None,
            })
            .collect(),
        endpoint_type: input.resolver_endpoint_type,
        protocols: input.protocols,
        tags: tags(input.tags)?,
    });
    endpoint_answer(op, command, EndpointStatus::Creating).await
}

async fn endpoint_answer<B: Backend>(
    op: &Op<'_, B>,
    command: ResolverCommand,
    status: EndpointStatus,
) -> Body {
    let e: ResolverEndpoint = op.run_as(command).await?;
    Ok(json!({ "ResolverEndpoint": endpoint_json(&e, status) }))
}

async fn create_rule<B: Backend>(op: &Op<'_, B>) -> Body {
    let input: CreateRuleInput = op.input()?;
    let command = ResolverCommand::CreateRule(CreateResolverRule {
        creator_request_id: required(&input.creator_request_id, "CreatorRequestId")?.to_owned(),
        name: input.name,
        rule_type: required(&input.rule_type, "RuleType")?.to_owned(),
        domain_name: input.domain_name,
        target_ips: input.target_ips.map(targets),
        resolver_endpoint_id: input.resolver_endpoint_id,
        tags: tags(input.tags)?,
    });
    let r: ResolverRule = op.run_as(command).await?;
    Ok(json!({ "ResolverRule": rule_json(&r, RuleStatus::Complete) }))
}

async fn query_log_config_answer<B: Backend>(
    op: &Op<'_, B>,
    command: ResolverCommand,
    status: &str,
) -> Body {
    let c: ResolverQueryLogConfig = op.run_as(command).await?;
    let model = op.snapshot();
    Ok(json!({ "ResolverQueryLogConfig": query_log_config_json(&model, &c, status) }))
}

/// One filter name of a list call: its documented spelling, the uppercase one of early
/// Resolver versions (still accepted, AWS says), and the response member it reads. Names
/// match exactly, one of the two spellings.
struct FilterName {
    name: &'static str,
    legacy: &'static str,
    member: &'static str,
}

type FilterTable = [FilterName];

const fn filter(name: &'static str, legacy: &'static str, member: &'static str) -> FilterName {
    FilterName {
        name,
        legacy,
        member,
    }
}

/// The names the Filter shape's documentation lists for each call.
const ENDPOINT_FILTERS: [FilterName; 7] = [
    filter("CreatorRequestId", "CREATOR_REQUEST_ID", "CreatorRequestId"),
    filter("Direction", "DIRECTION", "Direction"),
    filter("HostVPCId", "HOST_VPC_ID", "HostVPCId"),
    filter("IpAddressCount", "IP_ADDRESS_COUNT", "IpAddressCount"),
    filter("Name", "NAME", "Name"),
    filter("SecurityGroupIds", "SECURITY_GROUP_IDS", "SecurityGroupIds"),
    filter("Status", "STATUS", "Status"),
];
const RULE_FILTERS: [FilterName; 6] = [
    filter("CreatorRequestId", "CREATOR_REQUEST_ID", "CreatorRequestId"),
    filter("DomainName", "DOMAIN_NAME", "DomainName"),
    filter("Name", "NAME", "Name"),
    filter(
        "ResolverEndpointId",
        "RESOLVER_ENDPOINT_ID",
        "ResolverEndpointId",
    ),
    filter("Status", "STATUS", "Status"),
    filter("Type", "TYPE", "RuleType"),
];
const RULE_ASSOCIATION_FILTERS: [FilterName; 4] = [
    filter("Name", "NAME", "Name"),
    filter("ResolverRuleId", "RESOLVER_RULE_ID", "ResolverRuleId"),
    filter("Status", "STATUS", "Status"),
    filter("VPCId", "VPC_ID", "VPCId"),
];
/// Not documented: the members of ResolverDnssecConfig one would filter on.
const DNSSEC_FILTERS: [FilterName; 3] = [
    filter("ResourceId", "RESOURCE_ID", "ResourceId"),
    filter("ValidationStatus", "VALIDATION_STATUS", "ValidationStatus"),
    filter("OwnerId", "OWNER_ID", "OwnerId"),
];
const QUERY_LOG_CONFIG_FILTERS: [FilterName; 11] = [
    filter("Arn", "ARN", "Arn"),
    filter("AssociationCount", "ASSOCIATION_COUNT", "AssociationCount"),
    filter("CreationTime", "CREATION_TIME", "CreationTime"),
    filter("CreatorRequestId", "CREATOR_REQUEST_ID", "CreatorRequestId"),
    filter("Destination", "DESTINATION", "Destination"),
    filter("DestinationArn", "DESTINATION_ARN", "DestinationArn"),
    filter("Id", "ID", "Id"),
    filter("Name", "NAME", "Name"),
    filter("OwnerId", "OWNER_ID", "OwnerId"),
    filter("ShareStatus", "SHARE_STATUS", "ShareStatus"),
    filter("Status", "STATUS", "Status"),
];
const QUERY_LOG_ASSOCIATION_FILTERS: [FilterName; 6] = [
    filter("CreationTime", "CREATION_TIME", "CreationTime"),
    filter("Error", "ERROR", "Error"),
    filter("Id", "ID", "Id"),
    filter(
        "ResolverQueryLogConfigId",
        "RESOLVER_QUERY_LOG_CONFIG_ID",
        "ResolverQueryLogConfigId",
    ),
    filter("ResourceId", "RESOURCE_ID", "ResourceId"),
    filter("Status", "STATUS", "Status"),
];

/// The member a filter name reads: the documented name or its uppercase form, exactly.
fn filter_member(table: &FilterTable, name: &str) -> Option<&'static str> {
    table
        .iter()
        .find(|f| f.name == name || f.legacy == name)
        .map(|f| f.member)
}

/// The values of a member for filtering and sorting (lists give each item).
fn member_values(item: &Value, member: &str) -> Vec<String> {
    // `Destination` is derived from the destination ARN's service.
    if member == "Destination" {
        let service = item
            .get("DestinationArn")
            .and_then(Value::as_str)
            .and_then(|a| a.split(':').nth(2))
            .unwrap_or_default();
        let d = match service {
            "s3" => "S3",
            "logs" => "CloudWatchLogs",
            "firehose" => "KinesisFirehose",
            _ => "",
        };
        return vec![d.to_owned()];
    }
    match item.get(member) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Number(n)) => vec![n.to_string()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn filtered(
    items: Vec<Value>,
    filters: Option<&[FilterInput]>,
    table: &FilterTable,
) -> Result<Vec<Value>, ApiError> {
    let mut checks: Vec<(&str, Vec<String>)> = Vec::new();
    for f in filters.unwrap_or_default() {
        let name = f.name.as_deref().unwrap_or_default();
        let member = filter_member(table, name)
            .ok_or_else(|| invalid_parameter(format!("The filter '{name}' is invalid")))?;
        let values = f
            .values
            .clone()
            .ok_or_else(|| invalid_parameter(format!("No values specified for filter {name}")))?;
        checks.push((member, values));
    }
    Ok(items
        .into_iter()
        .filter(|item| {
            checks.iter().all(|(member, values)| {
                member_values(item, member)
                    .iter()
                    .any(|v| values.contains(v))
            })
        })
        .collect())
}

/// One page of a list: `NextToken` is the offset of the next item.
struct Page {
    items: Vec<Value>,
    next: Option<String>,
    max: i64,
}

impl Page {
    fn new(
        items: Vec<Value>,
        max_results: Option<i64>,
        token: Option<&str>,
        min: i64,
    ) -> Result<Self, ApiError> {
        let max = max_results.unwrap_or(100);
        if !(min..=100).contains(&max) {
            return Err(invalid_parameter(format!(
                "MaxResults must be between {min} and 100 (got {max})"
            )));
        }
        let start = match token {
            None => 0,
            Some(t) => t
                .strip_prefix("lvpc-")
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n <= items.len())
                .ok_or_else(|| {
                    ApiError::new(
                        400,
                        "InvalidNextTokenException",
                        format!("The NextToken '{t}' is not valid"),
                    )
                })?,
        };
        let take = usize::try_from(max).unwrap_or(100);
        let end = start.saturating_add(take).min(items.len());
        let next = (end < items.len()).then(|| format!("lvpc-{end}"));
        let items = items.into_iter().skip(start).take(take).collect();
        Ok(Self { items, next, max })
    }

    fn render(self, member: &str, echo_max: bool) -> Value {
        let mut out = Map::new();
        out.insert(member.to_owned(), Value::Array(self.items));
        if let Some(n) = self.next {
            out.insert("NextToken".to_owned(), Value::String(n));
        }
        if echo_max {
            out.insert("MaxResults".to_owned(), json!(self.max));
        }
        Value::Object(out)
    }
}

fn list_endpoints<B: Backend>(op: &Op<'_, B>) -> Body {
    let input: ListInput = op.input()?;
    let model = op.snapshot();
    let items: Vec<Value> = model
        .in_scope::<ResolverEndpoint>(&op.ctx.scope)
        .map(|e| endpoint_json(e, EndpointStatus::Operational))
        .collect();
    let items = filtered(items, input.filters.as_deref(), &ENDPOINT_FILTERS)?;
    let page = Page::new(items, input.max_results, input.next_token.as_deref(), 1)?;
    Ok(page.render("ResolverEndpoints", true))
}

fn list_rules<B: Backend>(op: &Op<'_, B>) -> Body {
    let input: ListInput = op.input()?;
    let model = op.snapshot();
    let items: Vec<Value> = model
        .resolver_rules_in(&op.ctx.scope)
        .iter()
        .map(|r| rule_json(r, RuleStatus::Complete))
        .collect();
    let items = filtered(items, input.filters.as_deref(), &RULE_FILTERS)?;
    let page = Page::new(items, input.max_results, input.next_token.as_deref(), 1)?;
    Ok(page.render("ResolverRules", true))
}

fn list_rule_associations<B: Backend>(op: &Op<'_, B>) -> Body {
    let input: ListInput = op.input()?;
    let model = op.snapshot();
    let items: Vec<Value> = model
        .resolver_rule_associations_in(&op.ctx.scope)
        .iter()
        .map(|a| association_json(a, "COMPLETE", ""))
        .collect();
    let items = filtered(items, input.filters.as_deref(), &RULE_ASSOCIATION_FILTERS)?;
    let page = Page::new(items, input.max_results, input.next_token.as_deref(), 1)?;
    Ok(page.render("ResolverRuleAssociations", true))
}

/// Query-log lists: filters, `SortBy`/`SortOrder`, and the total counts.
fn sorted_page(input: ListInput, items: Vec<Value>, table: &FilterTable, member: &str) -> Body {
    let total = items.len();
    let mut items = filtered(items, input.filters.as_deref(), table)?;
    let filtered_count = items.len();
    if let Some(sort_by) = input.sort_by.as_deref() {
        // The documented spellings only (SortBy has no uppercase form).
        let field = table
            .iter()
            .find(|f| f.name == sort_by)
            .map(|f| f.member)
            .ok_or_else(|| invalid_parameter(format!("SortBy '{sort_by}' is not valid")))?;
        items.sort_by_key(|i| member_values(i, field));
    }
    match input.sort_order.as_deref() {
        None | Some("ASCENDING") => {}
        Some("DESCENDING") => items.reverse(),
        Some(other) => {
            return Err(invalid_parameter(format!(
                "SortOrder '{other}' is not valid: ASCENDING or DESCENDING"
            )));
        }
    }
    let page = Page::new(items, input.max_results, input.next_token.as_deref(), 1)?;
    let mut out = page.render(member, false);
    if let Value::Object(m) = &mut out {
        m.insert("TotalCount".to_owned(), json!(total));
        m.insert("TotalFilteredCount".to_owned(), json!(filtered_count));
    }
    Ok(out)
}

// === encoders ===

#[derive(Clone, Copy)]
enum EndpointStatus {
    Creating,
    Operational,
    Updating,
    Deleting,
}

fn endpoint_json(e: &ResolverEndpoint, status: EndpointStatus) -> Value {
    let (status, message) = match status {
        EndpointStatus::Creating => ("CREATING", trace("Creating the Resolver Endpoint")),
        EndpointStatus::Operational => (
            "OPERATIONAL",
            "This Resolver Endpoint is operational.".to_owned(),
        ),
        EndpointStatus::Updating => ("UPDATING", trace("Updating the Resolver Endpoint")),
        EndpointStatus::Deleting => ("DELETING", trace("Deleting the Resolver Endpoint")),
    };
    let mut out = json!({
        "Id": e.id.as_str(),
        "CreatorRequestId": e.creator_request_id,
        "Arn": e.arn(),
        "SecurityGroupIds": e.security_group_ids.iter().map(|g| g.as_str()).collect::<Vec<_>>(),
        "Direction": e.direction.as_str(),
        "IpAddressCount": e.ip_addresses.len(),
        "HostVPCId": e.vpc_id.as_str(),
        "Status": status,
        "StatusMessage": message,
        "CreationTime": time(e.created.0),
        "ModificationTime": time(e.modified.0),
        "ResolverEndpointType": "IPV4",
        "Protocols": e.protocols,
    });
    if let (Some(name), Value::Object(m)) = (&e.name, &mut out) {
        m.insert("Name".to_owned(), json!(name));
    }
    out
}

enum RuleStatus {
    /// With the message of the rule's last write (create or update), which it keeps.
    Complete,
    Deleting,
}

fn rule_json(r: &ResolverRule, status: RuleStatus) -> Value {
    let (status, message) = match status {
        RuleStatus::Complete if r.is_autodefined() => ("COMPLETE", String::new()),
        // A rule stored before rules kept their message.
        RuleStatus::Complete if r.status_message.is_empty() => {
            ("COMPLETE", "Successfully created Resolver Rule".to_owned())
        }
        RuleStatus::Complete => ("COMPLETE", r.status_message.clone()),
        RuleStatus::Deleting => ("DELETING", trace("Deleting Resolver Rule")),
    };
    let mut m = Map::new();
    m.insert("Id".to_owned(), json!(r.id.as_str()));
    m.insert("CreatorRequestId".to_owned(), json!(r.creator_request_id));
    m.insert("Arn".to_owned(), json!(r.arn()));
    m.insert("DomainName".to_owned(), json!(r.domain_name));
    m.insert("Status".to_owned(), json!(status));
    m.insert("StatusMessage".to_owned(), json!(message));
    m.insert("RuleType".to_owned(), json!(r.rule_type.as_str()));
    if let Some(name) = &r.name {
        m.insert("Name".to_owned(), json!(name));
    }
    if !r.target_ips.is_empty() {
        let targets: Vec<Value> = r
            .target_ips
            .iter()
            .map(|t| json!({ "Ip": t.ip.to_string(), "Port": t.port, "Protocol": t.protocol }))
            .collect();
        m.insert("TargetIps".to_owned(), Value::Array(targets));
    }
    if let Some(e) = &r.resolver_endpoint_id {
        m.insert("ResolverEndpointId".to_owned(), json!(e.as_str()));
    }
    m.insert("OwnerId".to_owned(), json!(r.owner_id()));
    m.insert("ShareStatus".to_owned(), json!("NOT_SHARED"));
    if !r.is_autodefined() {
        m.insert("CreationTime".to_owned(), json!(time(r.created.0)));
        m.insert("ModificationTime".to_owned(), json!(time(r.modified.0)));
    }
    Value::Object(m)
}

fn association_json(a: &ResolverRuleAssociation, status: &str, message: &str) -> Value {
    let mut out = json!({
        "Id": a.id.as_str(),
        "ResolverRuleId": a.rule_id.as_str(),
        "VPCId": a.vpc_id.as_str(),
        "Status": status,
        "StatusMessage": message,
    });
    if let (Some(name), Value::Object(m)) = (&a.name, &mut out) {
        m.insert("Name".to_owned(), json!(name));
    }
    out
}

/// `updated`: the answer of an update call, which reports the transition (`ENABLING`).
fn config_json(c: &ResolverConfig, updated: bool) -> Value {
    let status = match (c.autodefined_reverse, updated) {
        (true, false) => "ENABLED",
        (false, false) => "DISABLED",
        (true, true) => "ENABLING",
        (false, true) => "DISABLING",
    };
    json!({
        "Id": c.id.as_str(),
        "ResourceId": c.vpc_id.as_str(),
        "OwnerId": c.scope.account.as_str(),
        "AutodefinedReverse": status,
    })
}

fn dnssec_json(c: &ResolverDnssecConfig, updated: bool) -> Value {
    let status = match (c.validation, updated) {
        (true, false) => "ENABLED",
        (false, false) => "DISABLED",
        (true, true) => "ENABLING",
        (false, true) => "DISABLING",
    };
    json!({
        "Id": c.id.as_str(),
        "OwnerId": c.scope.account.as_str(),
        "ResourceId": c.vpc_id.as_str(),
        "ValidationStatus": status,
    })
}

fn query_log_config_json(model: &Model, c: &ResolverQueryLogConfig, status: &str) -> Value {
    json!({
        "Id": c.id.as_str(),
        "OwnerId": c.scope.account.as_str(),
        "Status": status,
        "ShareStatus": "NOT_SHARED",
        "AssociationCount": model.query_log_config_association_count(&c.id),
        "Arn": c.arn(),
        "Name": c.name,
        "DestinationArn": c.destination_arn,
        "CreatorRequestId": c.creator_request_id,
        "CreationTime": time(c.created.0),
    })
}

fn query_log_association_json(a: &ResolverQueryLogConfigAssociation, status: &str) -> Value {
    json!({
        "Id": a.id.as_str(),
        "ResolverQueryLogConfigId": a.config_id.as_str(),
        "ResourceId": a.vpc_id.as_str(),
        "Status": status,
        "Error": "NONE",
        "ErrorMessage": "",
        "CreationTime": time(a.created.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Service;
    use crate::ec2::testing::{new_vpc, ok, subnet_in};
    use crate::testing::{Fake, ME, OTHER, all};

    /// `Route53Resolver.{operation}` with a JSON `body`, as `ME`: the status and the answer.
    fn call(b: &Fake, operation: &str, body: &str) -> (u16, Value) {
        call_as(b, ME, operation, body)
    }

    /// [`call`] from `account`.
    fn call_as(b: &Fake, account: &str, operation: &str, body: &str) -> (u16, Value) {
        let target = format!("Route53Resolver.{operation}");
        crate::testing::call_json(Service::Route53Resolver, b, account, &target, body)
    }

    /// The answer of a successful call.
    fn resolved(b: &Fake, operation: &str, body: Value) -> Value {
        let (status, answer) = call(b, operation, &body.to_string());
        assert_eq!(status, 200, "{operation} {body}: {answer}");
        answer
    }

    /// The status and `__type` of a refused call.
    fn refused(b: &Fake, operation: &str, body: Value) -> (u16, String) {
        let (status, answer) = call(b, operation, &body.to_string());
        assert_ne!(status, 200, "{operation} {body}: {answer}");
        let code = answer["__type"].as_str().unwrap().to_owned();
        assert!(answer["Message"].is_string(), "{answer}");
        (status, code)
    }

    fn code(c: &str) -> (u16, String) {
        (400, c.to_owned())
    }

    /// A VPC of `ME` with subnets in ap-northeast-1a and 1c and a security group:
    /// (vpc, subnets, group).
    fn network(b: &Fake) -> (String, [String; 2], String) {
        let vpc = new_vpc(b);
        let subnets = [
            subnet_in(b, &vpc, "10.0.1.0/24", "ap-northeast-1a"),
            subnet_in(b, &vpc, "10.0.2.0/24", "ap-northeast-1c"),
        ];
        let q =
            format!("Action=CreateSecurityGroup&GroupName=dns&GroupDescription=dns&VpcId={vpc}");
        let group = all(&ok(b, ME, &q), "groupId").remove(0);
        (vpc, subnets, group)
    }

    fn endpoint_input(direction: &str, subnets: &[String; 2], group: &str) -> Value {
        json!({
            "CreatorRequestId": format!("req-{direction}"),
            "Name": "dns",
            "Direction": direction,
            "SecurityGroupIds": [group],
            "IpAddresses": [
                {"SubnetId": subnets[0], "Ip": "10.0.1.10"},
                {"SubnetId": subnets[1]},
            ],
        })
    }

    /// A new endpoint of `ME` in `network`: its id.
    fn new_endpoint(b: &Fake, direction: &str, subnets: &[String; 2], group: &str) -> String {
        let e = resolved(
            b,
            "CreateResolverEndpoint",
            endpoint_input(direction, subnets, group),
        );
        e["ResolverEndpoint"]["Id"].as_str().unwrap().to_owned()
    }

    fn system_rule(b: &Fake, reference: &str, domain: &str) -> String {
        let body = json!({
            "CreatorRequestId": reference, "RuleType": "SYSTEM", "DomainName": domain,
        });
        let r = resolved(b, "CreateResolverRule", body);
        r["ResolverRule"]["Id"].as_str().unwrap().to_owned()
    }

    #[test]
    fn unknown_operations_and_unreadable_bodies_are_refused() {
        let b = Fake::default();
        assert_eq!(
            refused(&b, "CreateFirewallRule", json!({})),
            code("UnknownOperationException")
        );
        let (status, answer) = call(&b, "GetResolverRule", "{not json");
        assert_eq!(
            (status, &answer["__type"]),
            (400, &json!("SerializationException"))
        );
        assert_eq!(
            refused(&b, "GetResolverRule", json!({"ResolverRuleId": 7})),
            code("SerializationException")
        );
        // Botocore's constraints come before the model: a too-long id is a ValidationException.
        let long = "r".repeat(65);
        assert_eq!(
            refused(&b, "GetResolverRule", json!({"ResolverRuleId": long})),
            code("ValidationException")
        );
        // An empty body is `{}`: its required member is missing.
        let (status, answer) = call(&b, "GetResolverRule", "");
        assert_eq!(
            (status, &answer["__type"]),
            (400, &json!("ValidationException"))
        );
    }

    #[test]
    fn create_endpoint_reads_its_addresses_and_answers_creating() {
        let b = Fake::default();
        let (vpc, subnets, group) = network(&b);
        let created = resolved(
            &b,
            "CreateResolverEndpoint",
            endpoint_input("OUTBOUND", &subnets, &group),
        );
        let e = &created["ResolverEndpoint"];
        assert_eq!(e["Status"], "CREATING");
        assert_eq!(e["Direction"], "OUTBOUND");
        assert_eq!(e["HostVPCId"], vpc.as_str());
        assert_eq!(e["IpAddressCount"], 2);
        assert_eq!(e["SecurityGroupIds"], json!([group]));
        assert_eq!(e["Name"], "dns");
        let id = e["Id"].as_str().unwrap();
        assert!(id.starts_with("rslvr-out-"), "{id}");
        let got = resolved(&b, "GetResolverEndpoint", json!({"ResolverEndpointId": id}));
        assert_eq!(got["ResolverEndpoint"]["Status"], "OPERATIONAL");
        let ips = resolved(
            &b,
            "ListResolverEndpointIpAddresses",
            json!({"ResolverEndpointId": id}),
        );
        let listed: Vec<&str> = ips["IpAddresses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|ip| ip["SubnetId"].as_str().unwrap())
            .collect();
        assert_eq!(listed, [subnets[0].as_str(), subnets[1].as_str()]);
        assert_eq!(ips["IpAddresses"][0]["Ip"], "10.0.1.10");
        let list = resolved(&b, "ListResolverEndpoints", json!({}));
        assert_eq!(list["ResolverEndpoints"][0]["Id"], id);
        // The same request id and parameters again is the same endpoint.
        let again = resolved(
            &b,
            "CreateResolverEndpoint",
            endpoint_input("OUTBOUND", &subnets, &group),
        );
        assert_eq!(again["ResolverEndpoint"]["Id"], id);
    }

    #[test]
    fn create_endpoint_refuses_bad_input_with_its_codes() {
        let b = Fake::default();
        let (_, subnets, group) = network(&b);
        let with = |member: &str, value: Value| {
            let mut input = endpoint_input("INBOUND", &subnets, &group);
            input[member] = value;
            input
        };
        let without = |member: &str| {
            let mut input = endpoint_input("INBOUND", &subnets, &group);
            input.as_object_mut().unwrap().remove(member);
            input
        };
        for (input, want) in [
            // A missing required member breaks botocore's constraints.
            (without("CreatorRequestId"), "ValidationException"),
            (without("SecurityGroupIds"), "ValidationException"),
            (without("IpAddresses"), "ValidationException"),
            (with("Direction", json!("SIDEWAYS")), "ValidationException"),
            (
                // Botocore's IpAddresses has at least 2 members.
                with("IpAddresses", json!([{"SubnetId": subnets[0]}])),
                "ValidationException",
            ),
            (
                with("SecurityGroupIds", json!(["sg-0123456789abcdef0"])),
                "ResourceNotFoundException",
            ),
            (
                with(
                    "IpAddresses",
                    json!([{"SubnetId": "subnet-0123456789abcdef0"}, {"SubnetId": subnets[1]}]),
                ),
                "InvalidParameterException",
            ),
            (
                with("IpAddresses", json!("10.0.1.10")),
                "SerializationException",
            ),
        ] {
            assert_eq!(
                refused(&b, "CreateResolverEndpoint", input.clone()),
                code(want),
                "{input}"
            );
        }
        assert_eq!(
            resolved(&b, "ListResolverEndpoints", json!({}))["ResolverEndpoints"],
            json!([])
        );
    }

    #[test]
    fn update_and_delete_endpoint() {
        let b = Fake::default();
        let (_, subnets, group) = network(&b);
        let id = new_endpoint(&b, "INBOUND", &subnets, &group);
        let updated = resolved(
            &b,
            "UpdateResolverEndpoint",
            json!({"ResolverEndpointId": id, "Name": "renamed"}),
        );
        assert_eq!(updated["ResolverEndpoint"]["Name"], "renamed");
        assert_eq!(updated["ResolverEndpoint"]["Status"], "UPDATING");
        let got = resolved(&b, "GetResolverEndpoint", json!({"ResolverEndpointId": id}));
        assert_eq!(got["ResolverEndpoint"]["Name"], "renamed");
        let deleted = resolved(
            &b,
            "DeleteResolverEndpoint",
            json!({"ResolverEndpointId": id}),
        );
        assert_eq!(deleted["ResolverEndpoint"]["Status"], "DELETING");
        for operation in [
            "GetResolverEndpoint",
            "DeleteResolverEndpoint",
            "UpdateResolverEndpoint",
        ] {
            assert_eq!(
                refused(&b, operation, json!({"ResolverEndpointId": id})),
                code("ResourceNotFoundException"),
                "{operation}"
            );
        }
    }

    #[test]
    fn endpoint_addresses_are_associated_and_disassociated() {
        let b = Fake::default();
        let (_, subnets, group) = network(&b);
        let id = new_endpoint(&b, "INBOUND", &subnets, &group);
        let body = |ip: &str| json!({"ResolverEndpointId": id, "IpAddress": {"SubnetId": subnets[0], "Ip": ip}});
        let added = resolved(&b, "AssociateResolverEndpointIpAddress", body("10.0.1.20"));
        assert_eq!(added["ResolverEndpoint"]["IpAddressCount"], 3);
        assert_eq!(
            refused(&b, "AssociateResolverEndpointIpAddress", body("10.0.1.20")),
            code("ResourceExistsException")
        );
        assert_eq!(
            refused(
                &b,
                "AssociateResolverEndpointIpAddress",
                json!({"ResolverEndpointId": id})
            ),
            code("ValidationException")
        );
        let removed = resolved(
            &b,
            "DisassociateResolverEndpointIpAddress",
            body("10.0.1.20"),
        );
        assert_eq!(removed["ResolverEndpoint"]["IpAddressCount"], 2);
        // An endpoint keeps at least two addresses.
        assert_eq!(
            refused(
                &b,
                "DisassociateResolverEndpointIpAddress",
                body("10.0.1.10")
            ),
            code("InvalidRequestException")
        );
    }

    #[test]
    fn forward_rules_need_an_outbound_endpoint_and_targets() {
        let b = Fake::default();
        let (_, subnets, group) = network(&b);
        let outbound = new_endpoint(&b, "OUTBOUND", &subnets, &group);
        let rule = |extra: Value| {
            let mut input = json!({
                "CreatorRequestId": "fwd", "RuleType": "FORWARD", "DomainName": "corp.example",
                "Name": "corp",
            });
            for (k, v) in extra.as_object().unwrap() {
                input[k] = v.clone();
            }
            input
        };
        let targets = json!({"ResolverEndpointId": outbound, "TargetIps": [{"Ip": "192.0.2.53", "Port": 53}]});
        let created = resolved(&b, "CreateResolverRule", rule(targets));
        let r = &created["ResolverRule"];
        assert_eq!(r["RuleType"], "FORWARD");
        assert_eq!(r["DomainName"], "corp.example.");
        assert_eq!(r["ResolverEndpointId"], outbound.as_str());
        assert_eq!(r["TargetIps"][0]["Ip"], "192.0.2.53");
        assert_eq!(r["TargetIps"][0]["Port"], 53);
        let id = r["Id"].as_str().unwrap().to_owned();
        assert!(id.starts_with("rslvr-rr-"), "{id}");
        for (input, want) in [
            (
                rule(json!({"CreatorRequestId": "a"})),
                "InvalidRequestException",
            ),
            (
                rule(json!({"CreatorRequestId": "b", "ResolverEndpointId": outbound})),
                "InvalidRequestException",
            ),
            (
                rule(json!({"CreatorRequestId": "c", "RuleType": "RECURSIVE"})),
                "InvalidRequestException",
            ),
            (
                rule(json!({"CreatorRequestId": "d", "RuleType": "BOGUS"})),
                "ValidationException",
            ),
            (
                json!({"CreatorRequestId": "e", "RuleType": "SYSTEM"}),
                "InvalidParameterException",
            ),
            (
                json!({"RuleType": "SYSTEM", "DomainName": "x.example"}),
                "ValidationException",
            ),
            (
                rule(json!({"ResolverEndpointId": outbound, "DomainName": "other.example"})),
                "ResourceExistsException",
            ),
        ] {
            assert_eq!(
                refused(&b, "CreateResolverRule", input.clone()),
                code(want),
                "{input}"
            );
        }
        // A rule in use keeps its endpoint.
        assert_eq!(
            refused(
                &b,
                "DeleteResolverEndpoint",
                json!({"ResolverEndpointId": outbound})
            ),
            code("InvalidRequestException")
        );
        let updated = resolved(
            &b,
            "UpdateResolverRule",
            json!({"ResolverRuleId": id, "Config": {"TargetIps": [{"Ip": "192.0.2.54"}]}}),
        );
        assert_eq!(updated["ResolverRule"]["TargetIps"][0]["Ip"], "192.0.2.54");
        assert_eq!(
            refused(&b, "UpdateResolverRule", json!({"ResolverRuleId": id})),
            code("ValidationException")
        );
        let deleted = resolved(&b, "DeleteResolverRule", json!({"ResolverRuleId": id}));
        assert_eq!(deleted["ResolverRule"]["Status"], "DELETING");
        assert_eq!(
            refused(&b, "GetResolverRule", json!({"ResolverRuleId": id})),
            code("ResourceNotFoundException")
        );
    }

    #[test]
    fn rules_are_associated_with_vpcs() {
        let b = Fake::default();
        let vpc = new_vpc(&b);
        let rule = system_rule(&b, "sys", "internal.example");
        let got = resolved(&b, "GetResolverRule", json!({"ResolverRuleId": rule}));
        assert_eq!(got["ResolverRule"]["Status"], "COMPLETE");
        let body = json!({"ResolverRuleId": rule, "VPCId": vpc, "Name": "a"});
        let associated = resolved(&b, "AssociateResolverRule", body.clone());
        let a = &associated["ResolverRuleAssociation"];
        assert_eq!(a["Status"], "CREATING");
        assert_eq!(a["VPCId"], vpc.as_str());
        assert_eq!(a["ResolverRuleId"], rule.as_str());
        let id = a["Id"].as_str().unwrap().to_owned();
        let got = resolved(
            &b,
            "GetResolverRuleAssociation",
            json!({"ResolverRuleAssociationId": id}),
        );
        assert_eq!(got["ResolverRuleAssociation"]["Status"], "COMPLETE");
        assert_eq!(
            refused(&b, "AssociateResolverRule", body.clone()),
            code("ResourceExistsException")
        );
        let listed = resolved(
            &b,
            "ListResolverRuleAssociations",
            json!({"Filters": [{"Name": "VPCId", "Values": [vpc]}]}),
        );
        assert_eq!(listed["ResolverRuleAssociations"][0]["Id"], id.as_str());
        // A rule in use cannot go.
        assert_eq!(
            refused(&b, "DeleteResolverRule", json!({"ResolverRuleId": rule})),
            code("ResourceInUseException")
        );
        assert_eq!(
            refused(&b, "AssociateResolverRule", json!({"ResolverRuleId": rule})),
            code("ValidationException")
        );
        assert_eq!(
            refused(
                &b,
                "AssociateResolverRule",
                json!({"ResolverRuleId": "rslvr-rr-0123456789abcdef0", "VPCId": vpc})
            ),
            code("ResourceNotFoundException")
        );
        let gone = resolved(
            &b,
            "DisassociateResolverRule",
            json!({"ResolverRuleId": rule, "VPCId": vpc}),
        );
        assert_eq!(gone["ResolverRuleAssociation"]["Status"], "DELETING");
        assert_eq!(
            refused(
                &b,
                "DisassociateResolverRule",
                json!({"ResolverRuleId": rule, "VPCId": vpc})
            ),
            code("ResourceNotFoundException")
        );
    }

    #[test]
    fn list_rules_filters_and_pages() {
        let b = Fake::default();
        system_rule(&b, "a", "a.example");
        system_rule(&b, "b", "b.example");
        let by_domain = resolved(
            &b,
            "ListResolverRules",
            json!({"Filters": [{"Name": "DomainName", "Values": ["b.example."]}]}),
        );
        let rules = by_domain["ResolverRules"].as_array().unwrap();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0]["CreatorRequestId"], "b");
        let first = resolved(&b, "ListResolverRules", json!({"MaxResults": 1}));
        assert_eq!(first["ResolverRules"].as_array().unwrap().len(), 1);
        assert_eq!(first["MaxResults"], 1);
        let token = first["NextToken"].as_str().unwrap();
        let rest = resolved(&b, "ListResolverRules", json!({"NextToken": token}));
        assert!(!rest["ResolverRules"].as_array().unwrap().is_empty());
        assert_eq!(
            refused(&b, "ListResolverRules", json!({"NextToken": "nope"})),
            code("InvalidNextTokenException")
        );
        assert_eq!(
            refused(
                &b,
                "ListResolverRules",
                json!({"Filters": [{"Name": "Colour", "Values": ["x"]}]})
            ),
            code("InvalidParameterException")
        );
    }

    #[test]
    fn resolver_and_dnssec_configs_are_read_and_updated_per_vpc() {
        let b = Fake::default();
        let vpc = new_vpc(&b);
        let got = resolved(&b, "GetResolverConfig", json!({"ResourceId": vpc}));
        assert_eq!(got["ResolverConfig"]["ResourceId"], vpc.as_str());
        assert_eq!(got["ResolverConfig"]["AutodefinedReverse"], "ENABLED");
        let updated = resolved(
            &b,
            "UpdateResolverConfig",
            json!({"ResourceId": vpc, "AutodefinedReverseFlag": "DISABLE"}),
        );
        assert_eq!(updated["ResolverConfig"]["AutodefinedReverse"], "DISABLING");
        let got = resolved(&b, "GetResolverConfig", json!({"ResourceId": vpc}));
        assert_eq!(got["ResolverConfig"]["AutodefinedReverse"], "DISABLED");
        assert_eq!(
            refused(
                &b,
                "UpdateResolverConfig",
                json!({"ResourceId": vpc, "AutodefinedReverseFlag": "OFF"})
            ),
            code("ValidationException")
        );
        let dnssec = resolved(
            &b,
            "UpdateResolverDnssecConfig",
            json!({"ResourceId": vpc, "Validation": "ENABLE"}),
        );
        assert_eq!(
            dnssec["ResolverDNSSECConfig"]["ValidationStatus"],
            "ENABLING"
        );
        let got = resolved(&b, "GetResolverDnssecConfig", json!({"ResourceId": vpc}));
        assert_eq!(got["ResolverDNSSECConfig"]["ValidationStatus"], "ENABLED");
        let missing = json!({"ResourceId": "vpc-0123456789abcdef0"});
        for operation in ["GetResolverConfig", "GetResolverDnssecConfig"] {
            assert_eq!(
                refused(&b, operation, missing.clone()),
                code("ResourceNotFoundException"),
                "{operation}"
            );
        }
        let configs = resolved(&b, "ListResolverConfigs", json!({}));
        assert_eq!(configs["ResolverConfigs"].as_array().unwrap().len(), 1);
    }

    /// The `ResourceId`s and `ValidationStatus`es ListResolverDnssecConfigs answers.
    fn dnssec_configs(answer: &Value) -> Vec<(String, String)> {
        answer["ResolverDnssecConfigs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let field = |name: &str| c[name].as_str().unwrap().to_owned();
                (field("ResourceId"), field("ValidationStatus"))
            })
            .collect()
    }

    #[test]
    fn dnssec_configs_are_listed_one_per_vpc_filtered_and_paged() {
        let b = Fake::default();
        let mut vpcs = [new_vpc(&b), new_vpc(&b)];
        vpcs.sort();
        let listed = resolved(&b, "ListResolverDnssecConfigs", json!({}));
        let disabled = |v: &String| (v.clone(), "DISABLED".to_owned());
        assert_eq!(
            dnssec_configs(&listed),
            vpcs.iter().map(disabled).collect::<Vec<_>>()
        );
        let c = &listed["ResolverDnssecConfigs"][0];
        assert_eq!(c["OwnerId"], ME);
        assert!(c["Id"].as_str().unwrap().starts_with("rdsc-"), "{c}");
        assert!(listed.get("NextToken").is_none(), "{listed}");
        // Enabled on one VPC: a filter on its status finds it alone.
        resolved(
            &b,
            "UpdateResolverDnssecConfig",
            json!({"ResourceId": vpcs[1], "Validation": "ENABLE"}),
        );
        let enabled = json!({"Filters": [{"Name": "ValidationStatus", "Values": ["ENABLED"]}]});
        let listed = resolved(&b, "ListResolverDnssecConfigs", enabled);
        assert_eq!(
            dnssec_configs(&listed),
            [(vpcs[1].clone(), "ENABLED".to_owned())]
        );
        let by_vpc = json!({"Filters": [{"Name": "ResourceId", "Values": [vpcs[0]]}]});
        let listed = resolved(&b, "ListResolverDnssecConfigs", by_vpc);
        assert_eq!(dnssec_configs(&listed), [disabled(&vpcs[0])]);
        // One a page: the token leads to the second.
        let first = resolved(&b, "ListResolverDnssecConfigs", json!({"MaxResults": 1}));
        assert_eq!(dnssec_configs(&first), [disabled(&vpcs[0])]);
        let token = first["NextToken"].as_str().unwrap();
        let second = resolved(
            &b,
            "ListResolverDnssecConfigs",
            json!({"MaxResults": 1, "NextToken": token}),
        );
        assert_eq!(
            dnssec_configs(&second),
            [(vpcs[1].clone(), "ENABLED".to_owned())]
        );
        assert!(second.get("NextToken").is_none(), "{second}");
        for (input, want) in [
            (
                json!({"NextToken": "bogus"}),
                code("InvalidNextTokenException"),
            ),
            (json!({"MaxResults": 0}), code("ValidationException")),
            (
                json!({"Filters": [{"Name": "Colour", "Values": ["x"]}]}),
                code("InvalidParameterException"),
            ),
        ] {
            assert_eq!(
                refused(&b, "ListResolverDnssecConfigs", input.clone()),
                want,
                "{input}"
            );
        }
        // Another account's list holds its own VPCs only.
        let (status, theirs) = call_as(&b, OTHER, "ListResolverDnssecConfigs", "{}");
        assert_eq!(status, 200, "{theirs}");
        assert!(dnssec_configs(&theirs).is_empty(), "{theirs}");
    }

    #[test]
    fn dnssec_validation_is_enabled_disabled_and_checked() {
        let b = Fake::default();
        let vpc = new_vpc(&b);
        let update = |validation: &str| {
            resolved(
                &b,
                "UpdateResolverDnssecConfig",
                json!({"ResourceId": vpc, "Validation": validation}),
            )
        };
        let get = || {
            let got = resolved(&b, "GetResolverDnssecConfig", json!({"ResourceId": vpc}));
            got["ResolverDNSSECConfig"]["ValidationStatus"].clone()
        };
        assert_eq!(get(), "DISABLED");
        update("ENABLE");
        let disabling = update("DISABLE");
        let c = &disabling["ResolverDNSSECConfig"];
        assert_eq!(c["ValidationStatus"], "DISABLING");
        assert_eq!(c["ResourceId"], vpc.as_str());
        assert_eq!(c["OwnerId"], ME);
        assert_eq!(get(), "DISABLED");
        // Required members and the enum are checked against the model: ValidationException.
        for (input, want) in [
            (json!({"ResourceId": vpc}), "ValidationException"),
            (json!({"Validation": "ENABLE"}), "ValidationException"),
            (
                json!({"ResourceId": vpc, "Validation": "ON"}),
                "ValidationException",
            ),
            (
                json!({"ResourceId": vpc, "Validation": "USE_LOCAL_RESOURCE_SETTING"}),
                "UnsupportedOperation",
            ),
            (
                json!({"ResourceId": "vpc-0123456789abcdef0", "Validation": "ENABLE"}),
                "ResourceNotFoundException",
            ),
        ] {
            assert_eq!(
                refused(&b, "UpdateResolverDnssecConfig", input.clone()).1,
                want,
                "{input}"
            );
        }
        assert_eq!(
            refused(&b, "GetResolverDnssecConfig", json!({})).1,
            "ValidationException"
        );
        // Another account's VPC is not found, and stays as it was.
        let (status, answer) = call_as(
            &b,
            OTHER,
            "UpdateResolverDnssecConfig",
            &json!({"ResourceId": vpc, "Validation": "ENABLE"}).to_string(),
        );
        assert_eq!(
            (status, answer["__type"].as_str()),
            (400, Some("ResourceNotFoundException")),
            "{answer}"
        );
        assert_eq!(get(), "DISABLED");
    }

    #[test]
    fn query_log_configs_are_created_associated_and_deleted() {
        let b = Fake::default();
        let vpc = new_vpc(&b);
        let input = json!({
            "Name": "logs", "CreatorRequestId": "q1",
            "DestinationArn": "arn:aws:s3:::dns-logs",
        });
        let created = resolved(&b, "CreateResolverQueryLogConfig", input);
        let c = &created["ResolverQueryLogConfig"];
        assert_eq!(c["Status"], "CREATING");
        assert_eq!(c["DestinationArn"], "arn:aws:s3:::dns-logs");
        let id = c["Id"].as_str().unwrap().to_owned();
        assert_eq!(
            refused(
                &b,
                "CreateResolverQueryLogConfig",
                json!({"Name": "x", "CreatorRequestId": "q2"})
            ),
            code("ValidationException")
        );
        let associated = resolved(
            &b,
            "AssociateResolverQueryLogConfig",
            json!({"ResolverQueryLogConfigId": id, "ResourceId": vpc}),
        );
        let a = &associated["ResolverQueryLogConfigAssociation"];
        assert_eq!(a["Status"], "CREATING");
        assert_eq!(a["ResourceId"], vpc.as_str());
        let association = a["Id"].as_str().unwrap().to_owned();
        let got = resolved(
            &b,
            "GetResolverQueryLogConfigAssociation",
            json!({"ResolverQueryLogConfigAssociationId": association}),
        );
        assert_eq!(got["ResolverQueryLogConfigAssociation"]["Status"], "ACTIVE");
        let got = resolved(
            &b,
            "GetResolverQueryLogConfig",
            json!({"ResolverQueryLogConfigId": id}),
        );
        assert_eq!(got["ResolverQueryLogConfig"]["AssociationCount"], 1);
        let listed = resolved(&b, "ListResolverQueryLogConfigAssociations", json!({}));
        assert_eq!(
            listed["ResolverQueryLogConfigAssociations"][0]["Id"],
            association.as_str()
        );
        // Associated, it cannot go.
        assert_ne!(
            call(
                &b,
                "DeleteResolverQueryLogConfig",
                &json!({"ResolverQueryLogConfigId": id}).to_string()
            )
            .0,
            200
        );
        resolved(
            &b,
            "DisassociateResolverQueryLogConfig",
            json!({"ResolverQueryLogConfigId": id, "ResourceId": vpc}),
        );
        let deleted = resolved(
            &b,
            "DeleteResolverQueryLogConfig",
            json!({"ResolverQueryLogConfigId": id}),
        );
        assert_eq!(deleted["ResolverQueryLogConfig"]["Status"], "DELETING");
        assert_eq!(
            refused(
                &b,
                "GetResolverQueryLogConfig",
                json!({"ResolverQueryLogConfigId": id})
            ),
            code("ResourceNotFoundException")
        );
    }

    #[test]
    fn tags_are_added_listed_and_removed_by_arn() {
        let b = Fake::default();
        let rule = system_rule(&b, "t", "t.example");
        let got = resolved(&b, "GetResolverRule", json!({"ResolverRuleId": rule}));
        let arn = got["ResolverRule"]["Arn"].as_str().unwrap().to_owned();
        resolved(
            &b,
            "TagResource",
            json!({"ResourceArn": arn, "Tags": [{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "net"}]}),
        );
        resolved(
            &b,
            "UntagResource",
            json!({"ResourceArn": arn, "TagKeys": ["team"]}),
        );
        let listed = resolved(&b, "ListTagsForResource", json!({"ResourceArn": arn}));
        assert_eq!(listed["Tags"], json!([{"Key": "env", "Value": "dev"}]));
        assert_eq!(
            refused(&b, "TagResource", json!({"ResourceArn": arn})),
            code("ValidationException")
        );
        assert_eq!(
            refused(&b, "UntagResource", json!({"ResourceArn": arn})),
            code("ValidationException")
        );
        assert_eq!(
            refused(
                &b,
                "TagResource",
                json!({"ResourceArn": arn, "Tags": [{"Key": "k"}]})
            ),
            code("ValidationException")
        );
        let missing = arn.replace(&rule, "rslvr-rr-0123456789abcdef0");
        assert_eq!(
            refused(&b, "ListTagsForResource", json!({"ResourceArn": missing})),
            code("ResourceNotFoundException")
        );
    }

    #[test]
    fn filter_names_match_exactly_in_either_spelling() {
        assert_eq!(
            filter_member(&ENDPOINT_FILTERS, "HostVPCId"),
            Some("HostVPCId")
        );
        assert_eq!(
            filter_member(&ENDPOINT_FILTERS, "HOST_VPC_ID"),
            Some("HostVPCId")
        );
        assert_eq!(filter_member(&RULE_FILTERS, "TYPE"), Some("RuleType"));
        assert_eq!(filter_member(&RULE_FILTERS, "Type"), Some("RuleType"));
        for loose in [
            "hostvpcid",
            "HostVpcId",
            "Host_VPC_Id",
            "host_vpc_id",
            "HOSTVPCID",
        ] {
            assert_eq!(filter_member(&ENDPOINT_FILTERS, loose), None, "{loose}");
        }
        assert_eq!(filter_member(&RULE_FILTERS, "RuleType"), None);
    }

    #[test]
    fn pages_and_tokens() {
        let items: Vec<Value> = (0..5).map(|n| json!(n)).collect();
        let p = Page::new(items.clone(), Some(2), None, 1).unwrap();
        assert_eq!(p.items, [json!(0), json!(1)]);
        assert_eq!(p.next.as_deref(), Some("lvpc-2"));
        let p = Page::new(items.clone(), Some(2), Some("lvpc-4"), 1).unwrap();
        assert_eq!(p.items, [json!(4)]);
        assert!(p.next.is_none());
        let e = Page::new(items.clone(), Some(2), Some("bogus"), 1)
            .err()
            .unwrap();
        assert_eq!(e.code, "InvalidNextTokenException");
        let e = Page::new(items, Some(0), None, 1).err().unwrap();
        assert_eq!(e.code, "InvalidParameterException");
    }

    #[test]
    fn filters_match_members_and_lists() {
        let items = vec![
            json!({"Direction": "INBOUND", "SecurityGroupIds": ["sg-1", "sg-2"]}),
            json!({"Direction": "OUTBOUND", "SecurityGroupIds": ["sg-3"]}),
        ];
        let f = |name: &str, v: &str| {
            vec![FilterInput {
                name: Some(name.into()),
                values: Some(vec![v.into()]),
            }]
        };
        let got = filtered(
            items.clone(),
            Some(&f("DIRECTION", "INBOUND")),
            &ENDPOINT_FILTERS,
        )
        .unwrap();
        assert_eq!(got.len(), 1);
        let got = filtered(
            items.clone(),
            Some(&f("SecurityGroupIds", "sg-3")),
            &ENDPOINT_FILTERS,
        )
        .unwrap();
        assert_eq!(got.len(), 1);
        let e = filtered(items, Some(&f("Bogus", "x")), &ENDPOINT_FILTERS)
            .err()
            .unwrap();
        assert_eq!(e.code, "InvalidParameterException");
    }
}

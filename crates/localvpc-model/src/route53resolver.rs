//! Route 53 Resolver (spec §7): inbound and outbound endpoints with their requester-managed
//! interfaces, forwarding and system rules with their VPC associations, the per-VPC resolver
//! and DNSSEC configs, and query-logging configurations.
//!
//! Resolver is regional: every resource carries the scope of the request that made it.
//! Transitions are immediate: what AWS reports as `CREATING` in a create response is stored
//! `OPERATIONAL`/`COMPLETE` (the API renders the transient statuses, docs/aws-choices.md).
//!
//! The read helpers at the end of this file (`Model::resolver_rules_for_vpc`,
//! `Model::resolver_rule_for_name`, `Model::inbound_resolver_endpoints`, …) are what the
//! DNS server needs: which rule answers a name queried from a VPC, and where the endpoints are.

use crate::ec2::network_interface::{MAX_GROUPS, ManagedInterface};
use crate::ec2::subnet::Subnet;
use crate::ec2::tags::Tags;
use crate::error::ModelError;
use crate::id::{
    NetworkInterfaceId, ResolverConfigId, ResolverDnssecConfigId, ResolverEndpointId, ResolverIpId,
    ResolverQueryLogConfigAssociationId, ResolverQueryLogConfigId, ResolverRuleAssociationId,
    ResolverRuleId, SecurityGroupId, SubnetId, Timestamp, VpcId,
};
use crate::model::Txn;
use crate::resource::{Model, Resource, ResourceRef};
use crate::scope::Scope;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::sync::Arc;

/// The rule every VPC has for `.` (public recursion), spec §7.1.
pub const AUTODEFINED_INTERNET_RULE_ID: &str = "rslvr-autodefined-rr-internet-resolver";
/// AWS's default quotas (spec §7.3): endpoints per Region, IP addresses per endpoint, rules
/// per Region, rule associations per Region, target IPs per rule.
pub(crate) const MAX_ENDPOINTS: usize = 4;
pub(crate) const MAX_IPS_PER_ENDPOINT: usize = 6;
pub(crate) const MAX_RULES: usize = 1000;
pub(crate) const MAX_RULE_ASSOCIATIONS: usize = 2000;
pub(crate) const MAX_TARGET_IPS: usize = 6;
/// Tags per Resolver resource (the TagList shape's maximum).
pub(crate) const MAX_RESOLVER_TAGS: usize = 200;
/// Who owns the requester-managed interfaces of an endpoint.
const REQUESTER: &str = "route53resolver.amazonaws.com";

/// The Resolver's JSON error types (all HTTP 400).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResolverErrorCode {
    InvalidParameter,
    InvalidRequest,
    ResourceNotFound,
    ResourceExists,
    ResourceInUse,
    LimitExceeded,
    InvalidTag,
}

impl ResolverErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidParameter => "InvalidParameterException",
            Self::InvalidRequest => "InvalidRequestException",
            Self::ResourceNotFound => "ResourceNotFoundException",
            Self::ResourceExists => "ResourceExistsException",
            Self::ResourceInUse => "ResourceInUseException",
            Self::LimitExceeded => "LimitExceededException",
            Self::InvalidTag => "InvalidTagException",
        }
    }
}

fn rerr(code: ResolverErrorCode, message: impl Into<String>) -> ModelError {
    ModelError::Resolver {
        code,
        message: message.into(),
    }
}

fn invalid_parameter(message: impl Into<String>) -> ModelError {
    rerr(ResolverErrorCode::InvalidParameter, message)
}

fn invalid_request(message: impl Into<String>) -> ModelError {
    rerr(ResolverErrorCode::InvalidRequest, message)
}

fn not_found(message: impl Into<String>) -> ModelError {
    rerr(ResolverErrorCode::ResourceNotFound, message)
}

/// An EC2 refusal met while managing an endpoint's interfaces, in the Resolver's terms.
fn from_ec2(e: ModelError) -> ModelError {
    match e {
        ModelError::Resolver { .. } => e,
        ModelError::AddressInUse { ip } => rerr(
            ResolverErrorCode::ResourceExists,
            format!("The IP address '{ip}' is already in use"),
        ),
        ModelError::NotFound { .. } => not_found(e.to_string()),
        ModelError::SecurityGroupsPerInterfaceLimitExceeded => {
            rerr(ResolverErrorCode::LimitExceeded, e.to_string())
        }
        other => invalid_request(other.to_string()),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResolverDirection {
    Inbound,
    Outbound,
}

impl ResolverDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inbound => "INBOUND",
            Self::Outbound => "OUTBOUND",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResolverRuleType {
    Forward,
    System,
    /// Only the autodefined internet rule.
    Recursive,
}

impl ResolverRuleType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Forward => "FORWARD",
            Self::System => "SYSTEM",
            Self::Recursive => "RECURSIVE",
        }
    }
}

/// One IP address of an endpoint, backed by one requester-managed interface.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolverIp {
    pub id: ResolverIpId,
    pub subnet_id: SubnetId,
    pub ip: Ipv4Addr,
    pub network_interface_id: NetworkInterfaceId,
    pub created: Timestamp,
    pub modified: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolverEndpoint {
    pub id: ResolverEndpointId,
    pub scope: Scope,
    pub creator_request_id: String,
    pub name: Option<String>,
    pub security_group_ids: Vec<SecurityGroupId>,
    pub direction: ResolverDirection,
    pub vpc_id: VpcId,
    pub ip_addresses: Vec<ResolverIp>,
    /// `Do53`, `DoH`, `DoH-FIPS`.
    pub protocols: Vec<String>,
    pub created: Timestamp,
    pub modified: Timestamp,
    pub tags: Tags,
}

impl ResolverEndpoint {
    pub fn arn(&self) -> String {
        resolver_arn(&self.scope, "resolver-endpoint", self.id.as_str())
    }
}

/// Where a FORWARD rule sends queries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetIp {
    pub ip: Ipv4Addr,
    pub port: u16,
    pub protocol: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolverRule {
    pub id: ResolverRuleId,
    pub scope: Scope,
    pub creator_request_id: String,
    pub name: Option<String>,
    pub rule_type: ResolverRuleType,
    /// Lowercase, with the trailing dot (`corp.example.internal.`, or `.`).
    pub domain_name: String,
    pub target_ips: Vec<TargetIp>,
    pub resolver_endpoint_id: Option<ResolverEndpointId>,
    pub created: Timestamp,
    pub modified: Timestamp,
    pub tags: Tags,
}

impl ResolverRule {
    /// The `.` rule every VPC has (spec §7.1); never stored.
    fn internet(scope: &Scope) -> Self {
        Self {
            id: ResolverRuleId::autodefined(AUTODEFINED_INTERNET_RULE_ID),
            scope: scope.clone(),
            creator_request_id: String::new(),
            name: Some("Internet Resolver".to_owned()),
            rule_type: ResolverRuleType::Recursive,
            domain_name: ".".to_owned(),
            target_ips: Vec::new(),
            resolver_endpoint_id: None,
            created: Timestamp(0),
            modified: Timestamp(0),
            tags: Tags::new(),
        }
    }

    pub fn is_autodefined(&self) -> bool {
        self.id.as_str().starts_with("rslvr-autodefined-")
    }

    /// Autodefined rules have an ARN without account, under `autodefined-rule/`.
    pub fn arn(&self) -> String {
        if self.is_autodefined() {
            format!(
                "arn:aws:route53resolver:{}::autodefined-rule/{}",
                self.scope.region, self.id
            )
        } else {
            resolver_arn(&self.scope, "resolver-rule", self.id.as_str())
        }
    }

    /// `Route 53 Resolver` for autodefined rules, else the account.
    pub fn owner_id(&self) -> String {
        if self.is_autodefined() {
            "Route 53 Resolver".to_owned()
        } else {
            self.scope.account.to_string()
        }
    }

    /// Whether `name` (any case, with or without the trailing dot) is this rule's domain or
    /// below it. `.` matches everything.
    pub fn matches(&self, name: &str) -> bool {
        let name = fqdn(name);
        self.domain_name == "."
            || name == self.domain_name
            || name.ends_with(&format!(".{}", self.domain_name))
    }
}

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

/// Per-VPC settings (autodefined reverse rules); stored once updated, else the default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolverConfig {
    pub id: ResolverConfigId,
    pub scope: Scope,
    pub vpc_id: VpcId,
    pub autodefined_reverse: bool,
    pub tags: Tags,
}

/// Per-VPC DNSSEC validation; stored once updated, else disabled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolverDnssecConfig {
    pub id: ResolverDnssecConfigId,
    pub scope: Scope,
    pub vpc_id: VpcId,
    pub validation: bool,
    pub tags: Tags,
}

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

fn resolver_arn(scope: &Scope, kind: &str, id: &str) -> String {
    format!(
        "arn:aws:route53resolver:{}:{}:{kind}/{id}",
        scope.region, scope.account
    )
}

/// `name` lowercased with exactly one trailing dot.
fn fqdn(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let trimmed = lower.trim_end_matches('.');
    format!("{trimmed}.")
}

// === inputs ===

/// One `IpAddresses` item of CreateResolverEndpoint (strings as given; the model validates).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointIpRequest {
    pub subnet_id: Option<String>,
    pub ip: Option<String>,
    pub ipv6: Option<String>,
    /// Only DisassociateResolverEndpointIpAddress reads it.
    pub ip_id: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateResolverEndpoint {
    pub creator_request_id: String,
    pub name: Option<String>,
    pub security_group_ids: Vec<String>,
    pub direction: String,
    pub ip_addresses: Vec<EndpointIpRequest>,
    pub endpoint_type: Option<String>,
    pub protocols: Option<Vec<String>>,
    pub tags: Vec<(String, String)>,
}

/// One `TargetIps` item as given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetIpRequest {
    pub ip: Option<String>,
    pub ipv6: Option<String>,
    pub port: Option<i64>,
    pub protocol: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateResolverRule {
    pub creator_request_id: String,
    pub name: Option<String>,
    pub rule_type: String,
    pub domain_name: Option<String>,
    pub target_ips: Option<Vec<TargetIpRequest>>,
    pub resolver_endpoint_id: Option<String>,
    pub tags: Vec<(String, String)>,
}

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

// === validation ===

fn check_creator_request_id(id: &str) -> Result<(), ModelError> {
    let n = id.chars().count();
    if (1..=255).contains(&n) {
        Ok(())
    } else {
        Err(invalid_parameter(
            "CreatorRequestId must be between 1 and 255 characters long",
        ))
    }
}

/// The `Name` pattern: letters, digits, `-`, `_` and spaces, at most 64, not only digits.
fn check_name(name: &str, field: &str) -> Result<(), ModelError> {
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ' ');
    let all_digits = !name.is_empty() && name.chars().all(|c| c.is_ascii_digit());
    if name.chars().count() <= 64 && valid_chars && !all_digits {
        Ok(())
    } else {
        Err(invalid_parameter(format!(
            "[RSLVR-00201] Invalid {field} '{name}': at most 64 letters, digits, hyphens, underscores or spaces, and not only digits"
        )))
    }
}

fn parse_direction(s: &str) -> Result<ResolverDirection, ModelError> {
    match s {
        "INBOUND" => Ok(ResolverDirection::Inbound),
        "OUTBOUND" => Ok(ResolverDirection::Outbound),
        "INBOUND_DELEGATION" => Err(invalid_parameter(
            "localvpc does not emulate INBOUND_DELEGATION endpoints (INBOUND or OUTBOUND)",
        )),
        other => Err(invalid_parameter(format!(
            "Direction '{other}' is not valid: INBOUND or OUTBOUND"
        ))),
    }
}

fn check_endpoint_type(t: Option<&str>) -> Result<(), ModelError> {
    match t {
        None | Some("IPV4") => Ok(()),
        Some("IPV6" | "DUALSTACK") => Err(invalid_parameter(
            "localvpc emulates IPv4 Resolver endpoints only (ResolverEndpointType IPV4)",
        )),
        Some(other) => Err(invalid_parameter(format!(
            "ResolverEndpointType '{other}' is not valid: IPV4, IPV6 or DUALSTACK"
        ))),
    }
}

fn check_protocols(protocols: &[String]) -> Result<(), ModelError> {
    if protocols.is_empty() || protocols.len() > 2 {
        return Err(invalid_parameter("Protocols must have 1 or 2 items"));
    }
    for p in protocols {
        if !["Do53", "DoH", "DoH-FIPS"].contains(&p.as_str()) {
            return Err(invalid_parameter(format!(
                "Protocol '{p}' is not valid: Do53, DoH or DoH-FIPS"
            )));
        }
    }
    Ok(())
}

fn parse_ipv4(s: &str, field: &str) -> Result<Ipv4Addr, ModelError> {
    s.parse::<Ipv4Addr>()
        .map_err(|_| invalid_parameter(format!("{field} '{s}' is not a valid IPv4 address")))
}

/// Tags as given, checked as the Resolver does: keys 1–128 without `aws:`, values ≤ 256.
fn check_tags(tags: &[(String, String)]) -> Result<(), ModelError> {
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

fn merged_tags(current: &Tags, add: &[(String, String)]) -> Result<Tags, ModelError> {
    check_tags(add)?;
    let mut tags = current.clone();
    tags.extend(add.iter().cloned());
    if tags.len() > MAX_RESOLVER_TAGS {
        return Err(rerr(
            ResolverErrorCode::LimitExceeded,
            format!("A Resolver resource can have at most {MAX_RESOLVER_TAGS} tags"),
        ));
    }
    Ok(tags)
}

/// Lowercases, checks the labels, and ends the name with one dot (`.` stays `.`).
pub fn normalise_domain(name: &str) -> Result<String, ModelError> {
    let trimmed = name.trim();
    if trimmed == "." {
        return Ok(".".to_owned());
    }
    let bare = trimmed
        .strip_suffix('.')
        .unwrap_or(trimmed)
        .to_ascii_lowercase();
    let bad = |why: &str| invalid_parameter(format!("DomainName '{name}' is not valid: {why}"));
    if bare.is_empty() {
        return Err(bad("it is empty"));
    }
    if bare.len() > 253 {
        return Err(bad("it is longer than 253 characters"));
    }
    for label in bare.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(bad("each label has 1 to 63 characters"));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(bad("labels hold letters, digits, hyphens and underscores"));
        }
    }
    Ok(format!("{bare}."))
}

fn parse_targets(targets: &[TargetIpRequest]) -> Result<Vec<TargetIp>, ModelError> {
    if targets.is_empty() {
        return Err(invalid_parameter("TargetIps must have at least one item"));
    }
    if targets.len() > MAX_TARGET_IPS {
        return Err(rerr(
            ResolverErrorCode::LimitExceeded,
            format!("A rule can have at most {MAX_TARGET_IPS} target IP addresses"),
        ));
    }
    let mut out: Vec<TargetIp> = Vec::new();
    for t in targets {
        if t.ipv6.is_some() {
            return Err(invalid_parameter(
                "localvpc emulates IPv4 target addresses only (TargetIps.Ip)",
            ));
        }
        let ip =
            t.ip.as_deref()
                .ok_or_else(|| invalid_parameter("Each TargetIps item needs an Ip"))?;
        let ip = parse_ipv4(ip, "TargetIps.Ip")?;
        let port = match t.port {
            None => 53,
            Some(p) => u16::try_from(p).map_err(|_| {
                invalid_parameter(format!("TargetIps.Port {p} is not between 0 and 65535"))
            })?,
        };
        let protocol = t.protocol.clone().unwrap_or_else(|| "Do53".to_owned());
        if !["Do53", "DoH", "DoH-FIPS"].contains(&protocol.as_str()) {
            return Err(invalid_parameter(format!(
                "TargetIps.Protocol '{protocol}' is not valid: Do53, DoH or DoH-FIPS"
            )));
        }
        let target = TargetIp { ip, port, protocol };
        if !out.contains(&target) {
            out.push(target);
        }
    }
    Ok(out)
}

/// Why an address cannot be an endpoint IP in a subnet (spec §1.3), if it cannot.
fn check_endpoint_ip(
    subnet: &Subnet,
    ip: Ipv4Addr,
    used: &BTreeSet<Ipv4Addr>,
) -> Result<(), ModelError> {
    let net = subnet.cidr_block;
    let offset = u32::from(ip).wrapping_sub(u32::from(net.network()));
    if !net.contains(&ip) || offset < 4 || ip == net.broadcast() {
        return Err(invalid_request(format!(
            "IP address '{ip}' is either not in subnet '{}' CIDR range or is reserved",
            subnet.id
        )));
    }
    if used.contains(&ip) {
        return Err(rerr(
            ResolverErrorCode::ResourceExists,
            format!(
                "The IP address '{ip}' in subnet '{}' is already in use",
                subnet.id
            ),
        ));
    }
    Ok(())
}

// === reads ===

impl Model {
    pub fn resolver_endpoint(
        &self,
        scope: &Scope,
        id: &str,
    ) -> Result<&ResolverEndpoint, ModelError> {
        ResolverEndpointId::parse(id)
            .ok()
            .and_then(|k| self.resolver_endpoints.get(&k))
            .map(Arc::as_ref)
            .filter(|e| &e.scope == scope)
            .ok_or_else(|| not_found(format!("Resolver endpoint with ID '{id}' does not exist")))
    }

    /// A scope's endpoints in id order.
    pub fn resolver_endpoints_in<'a>(
        &'a self,
        scope: &'a Scope,
    ) -> impl Iterator<Item = &'a ResolverEndpoint> + 'a {
        self.in_scope(scope)
    }

    /// A customer rule, or the autodefined internet rule by its id.
    pub fn resolver_rule(&self, scope: &Scope, id: &str) -> Result<ResolverRule, ModelError> {
        if id == AUTODEFINED_INTERNET_RULE_ID {
            return Ok(ResolverRule::internet(scope));
        }
        self.stored_rule(scope, id).cloned()
    }

    fn stored_rule(&self, scope: &Scope, id: &str) -> Result<&ResolverRule, ModelError> {
        ResolverRuleId::parse(id)
            .ok()
            .and_then(|k| self.resolver_rules.get(&k))
            .map(Arc::as_ref)
            .filter(|r| &r.scope == scope)
            .ok_or_else(|| not_found(format!("Resolver rule with ID '{id}' does not exist")))
    }

    /// The autodefined internet rule first, then the scope's rules in id order.
    pub fn resolver_rules_in(&self, scope: &Scope) -> Vec<ResolverRule> {
        let mut out = vec![ResolverRule::internet(scope)];
        out.extend(
            self.resolver_rules
                .values()
                .filter(|r| &r.scope == scope)
                .map(|r| ResolverRule::clone(r)),
        );
        out
    }

    /// Every rule association a scope sees: the stored ones, then the autodefined internet
    /// rule's association with each of its VPCs (AWS lists those too).
    pub fn resolver_rule_associations_in(&self, scope: &Scope) -> Vec<ResolverRuleAssociation> {
        let mut out: Vec<ResolverRuleAssociation> = self
            .resolver_rule_associations
            .values()
            .filter(|a| &a.scope == scope)
            .map(|a| ResolverRuleAssociation::clone(a))
            .collect();
        out.extend(self.vpcs(scope).map(|v| internet_association(scope, &v.id)));
        out
    }

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
        self.vpcs(scope)
            .map(|v| internet_association(scope, &v.id))
            .find(|a| a.id.as_str() == id)
            .ok_or_else(|| {
                not_found(format!(
                    "Resolver rule association with ID '{id}' does not exist"
                ))
            })
    }

    fn scope_vpc(&self, scope: &Scope, id: &str) -> Option<VpcId> {
        let vpc = VpcId::parse(id).ok()?;
        self.vpc(scope, &vpc).ok().map(|v| v.id.clone())
    }

    /// The resolver config of a VPC (stored once updated, else the default: reverse rules on).
    pub fn resolver_config(
        &self,
        scope: &Scope,
        vpc_id: &str,
    ) -> Result<ResolverConfig, ModelError> {
        let vpc = self.scope_vpc(scope, vpc_id).ok_or_else(|| {
            not_found(format!(
                "[RSLVR-01300] Resource with ID '{vpc_id}' does not exist"
            ))
        })?;
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

    /// One config per VPC of the scope, in VPC id order.
    pub fn resolver_configs_in(&self, scope: &Scope) -> Vec<ResolverConfig> {
        self.vpcs(scope)
            .map(|v| self.resolver_config_of(scope, &v.id))
            .collect()
    }

    pub fn resolver_dnssec_config(
        &self,
        scope: &Scope,
        vpc_id: &str,
    ) -> Result<ResolverDnssecConfig, ModelError> {
        let vpc = self.scope_vpc(scope, vpc_id).ok_or_else(|| {
            not_found(format!(
                "[RSLVR-01300] Resource with ID '{vpc_id}' does not exist"
            ))
        })?;
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

    /// One DNSSEC config per VPC of the scope, in VPC id order.
    pub fn resolver_dnssec_configs_in(&self, scope: &Scope) -> Vec<ResolverDnssecConfig> {
        self.vpcs(scope)
            .map(|v| self.dnssec_config_of(scope, &v.id))
            .collect()
    }

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

    pub fn resolver_query_log_configs_in<'a>(
        &'a self,
        scope: &'a Scope,
    ) -> impl Iterator<Item = &'a ResolverQueryLogConfig> + 'a {
        self.in_scope(scope)
    }

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

    pub fn resolver_query_log_config_associations_in<'a>(
        &'a self,
        scope: &'a Scope,
    ) -> impl Iterator<Item = &'a ResolverQueryLogConfigAssociation> + 'a {
        self.in_scope(scope)
    }

    /// How many VPCs a query-logging configuration is associated with.
    pub fn query_log_config_association_count(&self, id: &ResolverQueryLogConfigId) -> usize {
        self.resolver_query_log_config_associations
            .values()
            .filter(|a| &a.config_id == id)
            .count()
    }

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

    // --- for the DNS server -------------------------------------------------------------

    /// The rules that apply to queries from a VPC (or via an inbound endpoint hosted in it):
    /// its associated customer rules, in association order, then the autodefined internet
    /// rule (`.`, RECURSIVE). Autodefined local zones (PHZs, compute names, reverse zones,
    /// spec §7.1) are not listed: the DNS server derives them from the VPC itself.
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
    /// the most specific matching domain (spec §7.2 step 2), or the autodefined internet
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

    /// Inbound endpoints hosted in a VPC (where on-premises resolvers send queries).
    pub fn inbound_resolver_endpoints<'a>(
        &'a self,
        vpc_id: &'a VpcId,
    ) -> impl Iterator<Item = &'a ResolverEndpoint> + 'a {
        self.resolver_endpoints
            .values()
            .map(Arc::as_ref)
            .filter(move |e| &e.vpc_id == vpc_id && e.direction == ResolverDirection::Inbound)
    }

    /// The endpoint (of any scope) that owns an address, with its direction: the DNS server
    /// listens on inbound endpoint addresses and sends forwarded queries from outbound ones.
    pub fn resolver_endpoint_by_ip(&self, ip: Ipv4Addr) -> Option<&ResolverEndpoint> {
        self.resolver_endpoints
            .values()
            .map(Arc::as_ref)
            .find(|e| e.ip_addresses.iter().any(|a| a.ip == ip))
    }

    /// An endpoint of any scope (a rule's outbound endpoint, seen from the DNS server).
    pub fn resolver_endpoint_any(&self, id: &ResolverEndpointId) -> Option<&ResolverEndpoint> {
        self.resolver_endpoints.get(id).map(Arc::as_ref)
    }

    /// Whether the autodefined reverse-DNS rules apply to a VPC (default true).
    pub fn autodefined_reverse_enabled(&self, vpc_id: &VpcId) -> bool {
        self.resolver_configs
            .get(&ResolverConfigId::for_vpc(vpc_id))
            .is_none_or(|c| c.autodefined_reverse)
    }

    /// Every query-logging configuration of every scope, ordered by id.
    pub fn all_query_log_configs(&self) -> impl Iterator<Item = &ResolverQueryLogConfig> + '_ {
        self.resolver_query_log_configs.values().map(Arc::as_ref)
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

enum ArnTarget {
    Endpoint(String),
    Rule(String),
    QueryLogConfig(String),
}

/// `arn:aws:route53resolver:<region>:<account>:<kind>/<id>` of this scope.
fn parse_resolver_arn(scope: &Scope, arn: &str) -> Result<ArnTarget, ModelError> {
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

// === writes ===

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
            } => {
                let mut e = self.model.resolver_endpoint(self.ctx.scope, id)?.clone();
                if *update_ipv6 {
                    return Err(invalid_parameter(
                        "localvpc emulates IPv4 Resolver endpoints only (UpdateIpAddresses sets IPv6 addresses)",
                    ));
                }
                check_endpoint_type(endpoint_type.as_deref())?;
                if let Some(n) = name {
                    check_name(n, "Name")?;
                    e.name = Some(n.clone());
                }
                if let Some(p) = protocols {
                    check_protocols(p)?;
                    e.protocols.clone_from(p);
                }
                e.modified = self.ctx.now;
                self.put(Resource::ResolverEndpoint(e.clone()));
                ResolverOutcome::Endpoint(e)
            }
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
                if id == AUTODEFINED_INTERNET_RULE_ID {
                    return Err(invalid_request("Autodefined rules cannot be deleted"));
                }
                let rule = self.model.stored_rule(self.ctx.scope, id)?.clone();
                if let Some(a) = self
                    .model
                    .resolver_rule_associations
                    .values()
                    .find(|a| a.rule_id == rule.id)
                {
                    return Err(rerr(
                        ResolverErrorCode::ResourceInUse,
                        format!(
                            "Please disassociate resolver rule '{}' from all VPCs before deleting it (it is associated with '{}')",
                            rule.id, a.vpc_id
                        ),
                    ));
                }
                self.delete(ResourceRef::ResolverRule(rule.id.clone()));
                ResolverOutcome::Rule(rule)
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
                ResolverOutcome::RuleAssociation(found)
            }
            ResolverCommand::UpdateConfig { vpc_id, flag } => {
                let mut config = self.model.resolver_config(self.ctx.scope, vpc_id)?;
                config.autodefined_reverse = match flag.as_str() {
                    "ENABLE" => true,
                    "DISABLE" => false,
                    "USE_LOCAL_RESOURCE_SETTING" => {
                        return Err(invalid_request(
                            "USE_LOCAL_RESOURCE_SETTING applies to Outposts resolvers, which localvpc does not emulate",
                        ));
                    }
                    other => {
                        return Err(invalid_parameter(format!(
                            "AutodefinedReverseFlag '{other}' is not valid: ENABLE or DISABLE"
                        )));
                    }
                };
                self.put(Resource::ResolverConfig(config.clone()));
                ResolverOutcome::Config(config)
            }
            ResolverCommand::UpdateDnssecConfig { vpc_id, validation } => {
                let mut config = self.model.resolver_dnssec_config(self.ctx.scope, vpc_id)?;
                config.validation = match validation.as_str() {
                    "ENABLE" => true,
                    "DISABLE" => false,
                    "USE_LOCAL_RESOURCE_SETTING" => {
                        return Err(invalid_request(
                            "USE_LOCAL_RESOURCE_SETTING applies to Outposts resolvers, which localvpc does not emulate",
                        ));
                    }
                    other => {
                        return Err(invalid_parameter(format!(
                            "Validation '{other}' is not valid: ENABLE or DISABLE"
                        )));
                    }
                };
                self.put(Resource::ResolverDnssecConfig(config.clone()));
                ResolverOutcome::DnssecConfig(config)
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
                ResolverOutcome::QueryLogConfig(config)
            }
            ResolverCommand::AssociateQueryLogConfig { config_id, vpc_id } => {
                let config = self
                    .model
                    .resolver_query_log_config(self.ctx.scope, config_id)?
                    .clone();
                let vpc = self
                    .model
                    .scope_vpc(self.ctx.scope, vpc_id)
                    .ok_or_else(|| {
                        invalid_parameter(format!("The vpc ID '{vpc_id}' does not exist"))
                    })?;
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
                ResolverOutcome::QueryLogConfigAssociation(association)
            }
            ResolverCommand::DisassociateQueryLogConfig { config_id, vpc_id } => {
                self.model
                    .resolver_query_log_config(self.ctx.scope, config_id)?;
                let found = self
                    .model
                    .resolver_query_log_config_associations_in(self.ctx.scope)
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
                ResolverOutcome::QueryLogConfigAssociation(found)
            }
            ResolverCommand::TagResource { arn, tags } => {
                self.edit_resolver_tags(arn, |current| merged_tags(current, tags))?;
                ResolverOutcome::Done
            }
            ResolverCommand::UntagResource { arn, keys } => {
                self.edit_resolver_tags(arn, |current| {
                    let mut t = current.clone();
                    for k in keys {
                        t.remove(k);
                    }
                    Ok(t)
                })?;
                ResolverOutcome::Done
            }
        })
    }

    fn edit_resolver_tags(
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

    fn endpoint_subnet(&self, subnet_id: Option<&str>) -> Result<Subnet, ModelError> {
        let subnet_id =
            subnet_id.ok_or_else(|| invalid_parameter("Each IP address needs a SubnetId"))?;
        SubnetId::parse(subnet_id)
            .ok()
            .and_then(|s| self.model.subnet(self.ctx.scope, &s).ok())
            .cloned()
            .ok_or_else(|| invalid_parameter(format!("The subnet ID '{subnet_id}' does not exist")))
    }

    /// Creates the interface of one endpoint IP (the address chosen when not given).
    fn endpoint_interface(
        &mut self,
        endpoint: &ResolverEndpointId,
        subnet: &Subnet,
        ip: Option<Ipv4Addr>,
        groups: &[SecurityGroupId],
    ) -> Result<ResolverIp, ModelError> {
        let ip_id = ResolverIpId::generate(self.ctx.ids);
        let eni = self
            .create_managed_interface(ManagedInterface {
                subnet_id: &subnet.id,
                ip,
                groups: groups.to_vec(),
                description: format!("Route 53 Resolver: {endpoint}:{ip_id}"),
                interface_type: "interface",
                requester_id: REQUESTER,
                source_dest_check: true,
            })
            .map_err(from_ec2)?;
        Ok(ResolverIp {
            id: ip_id,
            subnet_id: subnet.id.clone(),
            ip: eni.private_ip,
            network_interface_id: eni.id,
            created: self.ctx.now,
            modified: self.ctx.now,
        })
    }

    fn create_resolver_endpoint(
        &mut self,
        input: &CreateResolverEndpoint,
    ) -> Result<ResolverEndpoint, ModelError> {
        let scope = self.ctx.scope;
        check_creator_request_id(&input.creator_request_id)?;
        if let Some(n) = &input.name {
            check_name(n, "Name")?;
        }
        let direction = parse_direction(&input.direction)?;
        check_endpoint_type(input.endpoint_type.as_deref())?;
        let protocols = input
            .protocols
            .clone()
            .unwrap_or_else(|| vec!["Do53".to_owned()]);
        check_protocols(&protocols)?;
        check_tags(&input.tags)?;
        if input.tags.len() > MAX_RESOLVER_TAGS {
            return Err(rerr(
                ResolverErrorCode::LimitExceeded,
                format!("A Resolver resource can have at most {MAX_RESOLVER_TAGS} tags"),
            ));
        }
        if let Some(existing) = self
            .model
            .resolver_endpoints_in(scope)
            .find(|e| e.creator_request_id == input.creator_request_id)
        {
            // A retry of the same request answers the endpoint it made (idempotency).
            let same_groups = existing
                .security_group_ids
                .iter()
                .map(SecurityGroupId::as_str)
                .collect::<BTreeSet<_>>()
                == input
                    .security_group_ids
                    .iter()
                    .map(String::as_str)
                    .collect::<BTreeSet<_>>();
            if existing.direction == direction
                && same_groups
                && existing.ip_addresses.len() == input.ip_addresses.len()
            {
                return Ok(existing.clone());
            }
            return Err(rerr(
                ResolverErrorCode::ResourceExists,
                format!(
                    "[RSLVR-00702] Resolver endpoint with creator request ID '{}' already exists with different parameters",
                    input.creator_request_id
                ),
            ));
        }
        if self.model.resolver_endpoints_in(scope).count() >= MAX_ENDPOINTS {
            return Err(rerr(
                ResolverErrorCode::LimitExceeded,
                format!(
                    "[RSLVR-00800] Account '{}' has reached the limit of {MAX_ENDPOINTS} Resolver endpoints in {}",
                    scope.account, scope.region
                ),
            ));
        }
        if input.ip_addresses.len() < 2 {
            return Err(invalid_request(
                "[RSLVR-00408] A Resolver endpoint needs at least 2 IP addresses",
            ));
        }
        if input.ip_addresses.len() > MAX_IPS_PER_ENDPOINT {
            return Err(rerr(
                ResolverErrorCode::LimitExceeded,
                format!(
                    "[RSLVR-00801] A Resolver endpoint can have at most {MAX_IPS_PER_ENDPOINT} IP addresses"
                ),
            ));
        }
        // Subnets (one VPC) and addresses, before any interface exists.
        let mut vpc: Option<VpcId> = None;
        let mut planned: Vec<(Subnet, Option<Ipv4Addr>)> = Vec::new();
        for req in &input.ip_addresses {
            if req.ipv6.is_some() {
                return Err(invalid_parameter(
                    "localvpc emulates IPv4 Resolver endpoints only (IpAddresses.Ip)",
                ));
            }
            let subnet = self.endpoint_subnet(req.subnet_id.as_deref())?;
            match &vpc {
                Some(v) if v != &subnet.vpc_id => {
                    return Err(invalid_request(format!(
                        "[RSLVR-00402] All subnets of a Resolver endpoint must be in the same VPC ('{}' is in '{}', not '{v}')",
                        subnet.id, subnet.vpc_id
                    )));
                }
                _ => vpc = Some(subnet.vpc_id.clone()),
            }
            let ip = req
                .ip
                .as_deref()
                .map(|s| parse_ipv4(s, "IpAddresses.Ip"))
                .transpose()?;
            planned.push((subnet, ip));
        }
        let Some(vpc_id) = vpc else {
            return Err(invalid_request(
                "[RSLVR-00408] A Resolver endpoint needs at least 2 IP addresses",
            ));
        };
        let groups = self.endpoint_groups(&input.security_group_ids, &vpc_id)?;
        let mut taken: Vec<(SubnetId, Ipv4Addr)> = Vec::new();
        for (subnet, ip) in &planned {
            if let Some(ip) = ip {
                let mut used = self.model.used_addresses(&subnet.id);
                used.extend(
                    taken
                        .iter()
                        .filter(|(s, _)| s == &subnet.id)
                        .map(|(_, a)| *a),
                );
                check_endpoint_ip(subnet, *ip, &used)?;
                taken.push((subnet.id.clone(), *ip));
            }
        }
        let id =
            ResolverEndpointId::generate(self.ctx.ids, direction == ResolverDirection::Inbound);
        // Chosen addresses first, so an automatic pick cannot take one asked for later.
        let mut made: Vec<(usize, ResolverIp)> = Vec::new();
        for explicit in [true, false] {
            for (n, (subnet, ip)) in planned.iter().enumerate() {
                if ip.is_some() == explicit {
                    made.push((n, self.endpoint_interface(&id, subnet, *ip, &groups)?));
                }
            }
        }
        made.sort_by_key(|(n, _)| *n);
        let endpoint = ResolverEndpoint {
            id,
            scope: scope.clone(),
            creator_request_id: input.creator_request_id.clone(),
            name: input.name.clone(),
            security_group_ids: groups,
            direction,
            vpc_id,
            ip_addresses: made.into_iter().map(|(_, ip)| ip).collect(),
            protocols,
            created: self.ctx.now,
            modified: self.ctx.now,
            tags: input.tags.iter().cloned().collect(),
        };
        self.put(Resource::ResolverEndpoint(endpoint.clone()));
        Ok(endpoint)
    }

    /// The endpoint's security groups: at least one, existing, in its VPC.
    fn endpoint_groups(
        &self,
        ids: &[String],
        vpc_id: &VpcId,
    ) -> Result<Vec<SecurityGroupId>, ModelError> {
        if ids.is_empty() {
            return Err(invalid_parameter(
                "SecurityGroupIds must name at least one security group",
            ));
        }
        if ids.len() > MAX_GROUPS {
            return Err(rerr(
                ResolverErrorCode::LimitExceeded,
                format!("A Resolver endpoint can have at most {MAX_GROUPS} security groups"),
            ));
        }
        let mut out: Vec<SecurityGroupId> = Vec::new();
        for g in ids {
            let id = SecurityGroupId::parse(g).map_err(|_| {
                invalid_parameter(format!(
                    "Malformed security group ID: \"{g}\" (expecting \"sg-...\")"
                ))
            })?;
            let group = self
                .model
                .security_group(self.ctx.scope, &id)
                .map_err(|_| not_found(format!("The security group '{g}' does not exist")))?;
            if &group.vpc_id != vpc_id {
                return Err(invalid_request(format!(
                    "The security group '{g}' is not in VPC '{vpc_id}' of the endpoint's subnets"
                )));
            }
            if !out.contains(&id) {
                out.push(id);
            }
        }
        Ok(out)
    }

    fn delete_resolver_endpoint(&mut self, id: &str) -> Result<ResolverEndpoint, ModelError> {
        let endpoint = self.model.resolver_endpoint(self.ctx.scope, id)?.clone();
        let rules: Vec<String> = self
            .model
            .resolver_rules
            .values()
            .filter(|r| r.resolver_endpoint_id.as_ref() == Some(&endpoint.id))
            .map(|r| r.id.to_string())
            .collect();
        if !rules.is_empty() {
            return Err(invalid_request(format!(
                "[RSLVR-00705] Cannot delete Resolver endpoint '{id}' while rules use it: {}",
                rules.join(", ")
            )));
        }
        for ip in &endpoint.ip_addresses {
            self.delete(ResourceRef::NetworkInterface(
                ip.network_interface_id.clone(),
            ));
        }
        self.delete(ResourceRef::ResolverEndpoint(endpoint.id.clone()));
        Ok(endpoint)
    }

    fn associate_endpoint_ip(
        &mut self,
        id: &str,
        req: &EndpointIpRequest,
    ) -> Result<ResolverEndpoint, ModelError> {
        let mut endpoint = self.model.resolver_endpoint(self.ctx.scope, id)?.clone();
        if req.ipv6.is_some() {
            return Err(invalid_parameter(
                "localvpc emulates IPv4 Resolver endpoints only (IpAddress.Ip)",
            ));
        }
        let subnet = self.endpoint_subnet(req.subnet_id.as_deref())?;
        if subnet.vpc_id != endpoint.vpc_id {
            return Err(invalid_request(format!(
                "[RSLVR-00402] Subnet '{}' is not in the endpoint's VPC '{}'",
                subnet.id, endpoint.vpc_id
            )));
        }
        let ip = req
            .ip
            .as_deref()
            .map(|s| parse_ipv4(s, "IpAddress.Ip"))
            .transpose()?;
        if let Some(ip) = ip {
            if endpoint.ip_addresses.iter().any(|a| a.ip == ip) {
                return Err(rerr(
                    ResolverErrorCode::ResourceExists,
                    format!("The IP address '{ip}' is already associated with '{id}'"),
                ));
            }
            check_endpoint_ip(&subnet, ip, &self.model.used_addresses(&subnet.id))?;
        }
        if endpoint.ip_addresses.len() >= MAX_IPS_PER_ENDPOINT {
            return Err(rerr(
                ResolverErrorCode::LimitExceeded,
                format!(
                    "[RSLVR-00801] A Resolver endpoint can have at most {MAX_IPS_PER_ENDPOINT} IP addresses"
                ),
            ));
        }
        let added =
            self.endpoint_interface(&endpoint.id, &subnet, ip, &endpoint.security_group_ids)?;
        endpoint.ip_addresses.push(added);
        endpoint.modified = self.ctx.now;
        self.put(Resource::ResolverEndpoint(endpoint.clone()));
        Ok(endpoint)
    }

    fn disassociate_endpoint_ip(
        &mut self,
        id: &str,
        req: &EndpointIpRequest,
    ) -> Result<ResolverEndpoint, ModelError> {
        let mut endpoint = self.model.resolver_endpoint(self.ctx.scope, id)?.clone();
        let ip = req
            .ip
            .as_deref()
            .map(|s| parse_ipv4(s, "IpAddress.Ip"))
            .transpose()?;
        if req.ip_id.is_none() && ip.is_none() {
            return Err(invalid_parameter(
                "IpAddress needs an IpId, or an Ip (with its SubnetId)",
            ));
        }
        let index = endpoint
            .ip_addresses
            .iter()
            .position(|a| {
                req.ip_id.as_deref().is_none_or(|x| x == a.id.as_str())
                    && ip.is_none_or(|x| x == a.ip)
                    && req
                        .subnet_id
                        .as_deref()
                        .is_none_or(|s| s == a.subnet_id.as_str())
            })
            .ok_or_else(|| {
                not_found(format!(
                    "The IP address is not associated with Resolver endpoint '{id}'"
                ))
            })?;
        if endpoint.ip_addresses.len() <= 2 {
            return Err(invalid_request(format!(
                "[RSLVR-00408] Resolver endpoint '{id}' must keep at least 2 IP addresses"
            )));
        }
        let removed = endpoint.ip_addresses.remove(index);
        self.delete(ResourceRef::NetworkInterface(removed.network_interface_id));
        endpoint.modified = self.ctx.now;
        self.put(Resource::ResolverEndpoint(endpoint.clone()));
        Ok(endpoint)
    }

    /// A FORWARD rule's outbound endpoint.
    fn outbound_endpoint(&self, id: &str) -> Result<ResolverEndpointId, ModelError> {
        let endpoint = self.model.resolver_endpoint(self.ctx.scope, id)?;
        if endpoint.direction != ResolverDirection::Outbound {
            return Err(invalid_request(format!(
                "[RSLVR-00500] Resolver endpoint '{id}' is not an OUTBOUND endpoint: FORWARD rules send queries through outbound endpoints"
            )));
        }
        Ok(endpoint.id.clone())
    }

    fn create_resolver_rule(
        &mut self,
        input: &CreateResolverRule,
    ) -> Result<ResolverRule, ModelError> {
        let scope = self.ctx.scope;
        check_creator_request_id(&input.creator_request_id)?;
        if let Some(n) = &input.name {
            check_name(n, "Name")?;
        }
        let rule_type = match input.rule_type.as_str() {
            "FORWARD" => ResolverRuleType::Forward,
            "SYSTEM" => ResolverRuleType::System,
            "RECURSIVE" => {
                return Err(invalid_request(
                    "RECURSIVE rules are autodefined by Route 53 Resolver and cannot be created",
                ));
            }
            "DELEGATE" => {
                return Err(invalid_parameter(
                    "localvpc does not emulate DELEGATE rules (FORWARD or SYSTEM)",
                ));
            }
            other => {
                return Err(invalid_parameter(format!(
                    "RuleType '{other}' is not valid: FORWARD or SYSTEM"
                )));
            }
        };
        let domain = input.domain_name.as_deref().ok_or_else(|| {
            invalid_parameter("DomainName is required for FORWARD and SYSTEM rules")
        })?;
        let domain_name = normalise_domain(domain)?;
        check_tags(&input.tags)?;
        if input.tags.len() > MAX_RESOLVER_TAGS {
            return Err(rerr(
                ResolverErrorCode::LimitExceeded,
                format!("A Resolver resource can have at most {MAX_RESOLVER_TAGS} tags"),
            ));
        }
        if let Some(existing) = self
            .model
            .resolver_rules
            .values()
            .find(|r| &r.scope == scope && r.creator_request_id == input.creator_request_id)
        {
            let same_endpoint = existing
                .resolver_endpoint_id
                .as_ref()
                .map(ResolverEndpointId::as_str)
                == input.resolver_endpoint_id.as_deref();
            if existing.rule_type == rule_type
                && existing.domain_name == domain_name
                && same_endpoint
            {
                return Ok(ResolverRule::clone(existing));
            }
            return Err(rerr(
                ResolverErrorCode::ResourceExists,
                format!(
                    "[RSLVR-00702] Resolver rule with creator request ID '{}' already exists with different parameters",
                    input.creator_request_id
                ),
            ));
        }
        if self
            .model
            .resolver_rules
            .values()
            .filter(|r| &r.scope == scope)
            .count()
            >= MAX_RULES
        {
            return Err(rerr(
                ResolverErrorCode::LimitExceeded,
                format!(
                    "[RSLVR-00800] Account '{}' has reached the limit of {MAX_RULES} Resolver rules",
                    scope.account
                ),
            ));
        }
        let (target_ips, resolver_endpoint_id) = match rule_type {
            ResolverRuleType::Forward => {
                let endpoint = input.resolver_endpoint_id.as_deref().ok_or_else(|| {
                    invalid_request("[RSLVR-00500] FORWARD rules need a ResolverEndpointId (an outbound endpoint)")
                })?;
                let endpoint = self.outbound_endpoint(endpoint)?;
                let targets = input
                    .target_ips
                    .as_deref()
                    .ok_or_else(|| invalid_request("[RSLVR-00500] FORWARD rules need TargetIps"))?;
                (parse_targets(targets)?, Some(endpoint))
            }
            _ => {
                if input.target_ips.is_some() || input.resolver_endpoint_id.is_some() {
                    return Err(invalid_request(
                        "Cannot specify resolver endpoint ID and target IP for SYSTEM type resolver rule",
                    ));
                }
                (Vec::new(), None)
            }
        };
        let rule = ResolverRule {
            id: ResolverRuleId::generate(self.ctx.ids),
            scope: scope.clone(),
            creator_request_id: input.creator_request_id.clone(),
            name: input.name.clone(),
            rule_type,
            domain_name,
            target_ips,
            resolver_endpoint_id,
            created: self.ctx.now,
            modified: self.ctx.now,
            tags: input.tags.iter().cloned().collect(),
        };
        self.put(Resource::ResolverRule(rule.clone()));
        Ok(rule)
    }

    fn update_resolver_rule(
        &mut self,
        id: &str,
        name: Option<&str>,
        targets: Option<&[TargetIpRequest]>,
        endpoint: Option<&str>,
    ) -> Result<ResolverRule, ModelError> {
        if id == AUTODEFINED_INTERNET_RULE_ID {
            return Err(invalid_request("Autodefined rules cannot be updated"));
        }
        let mut rule = self.model.stored_rule(self.ctx.scope, id)?.clone();
        if let Some(n) = name {
            check_name(n, "Name")?;
            rule.name = Some(n.to_owned());
        }
        if (targets.is_some() || endpoint.is_some()) && rule.rule_type != ResolverRuleType::Forward
        {
            return Err(invalid_request(
                "Cannot specify resolver endpoint ID and target IP for SYSTEM type resolver rule",
            ));
        }
        if let Some(e) = endpoint {
            rule.resolver_endpoint_id = Some(self.outbound_endpoint(e)?);
        }
        if let Some(t) = targets {
            rule.target_ips = parse_targets(t)?;
            let vpcs: Vec<VpcId> = self
                .model
                .resolver_rule_associations
                .values()
                .filter(|a| a.rule_id == rule.id)
                .map(|a| a.vpc_id.clone())
                .collect();
            for vpc in &vpcs {
                self.check_no_loop(&rule, vpc)?;
            }
        }
        rule.modified = self.ctx.now;
        self.put(Resource::ResolverRule(rule.clone()));
        Ok(rule)
    }

    /// RSLVR-00804: a FORWARD rule may not send a VPC's queries to an inbound endpoint
    /// hosted in that same VPC (the query would come straight back, spec §7.3).
    fn check_no_loop(&self, rule: &ResolverRule, vpc: &VpcId) -> Result<(), ModelError> {
        for endpoint in self.model.inbound_resolver_endpoints(vpc) {
            if let Some(t) = rule
                .target_ips
                .iter()
                .find(|t| endpoint.ip_addresses.iter().any(|a| a.ip == t.ip))
            {
                return Err(invalid_request(format!(
                    "[RSLVR-00804] Cannot associate rule '{}' with VPC '{vpc}': its target IP {} is an IP address of inbound endpoint '{}' in that VPC, which would make a resolution loop",
                    rule.id, t.ip, endpoint.id
                )));
            }
        }
        Ok(())
    }

    fn associate_resolver_rule(
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

    fn create_query_log_config(
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
            .resolver_query_log_configs_in(scope)
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
    use super::*;
    use crate::catalog::Catalog;
    use crate::command::{Command, Outcome};
    use crate::ec2::security_group::{CreateSecurityGroup, SecurityGroup};
    use crate::ec2::subnet::CreateSubnet;
    use crate::ec2::vpc::{CreateVpc, Vpc};
    use crate::id::SequentialIds;
    use crate::model::Ctx;
    use crate::scope::AccountId;

    struct Harness {
        model: Model,
        ids: SequentialIds,
        catalog: Catalog,
        scope: Scope,
    }

    impl Harness {
        fn new() -> Self {
            let mut h = Self {
                model: Model::default(),
                ids: SequentialIds::default(),
                catalog: Catalog::default(),
                scope: Scope::new(AccountId::default_account(), "ap-northeast-1"),
            };
            h.run(Command::EnsureScope { default_vpc: false }).unwrap();
            h
        }

        fn run(&mut self, command: Command) -> Result<Outcome, ModelError> {
            let mut ctx = Ctx {
                scope: &self.scope,
                now: Timestamp(1_000),
                ids: &mut self.ids,
                catalog: &self.catalog,
            };
            let (next, outcome, changes) = self.model.execute(&command, &mut ctx)?;
            let mut replayed = self.model.clone();
            for c in &changes {
                replayed.apply_change(c);
            }
            assert_eq!(replayed, next);
            self.model = next;
            Ok(outcome)
        }

        fn resolver(&mut self, c: ResolverCommand) -> Result<ResolverOutcome, ModelError> {
            match self.run(Command::Resolver(c))? {
                Outcome::Resolver(o) => Ok(o),
                o => panic!("{o:?}"),
            }
        }

        fn vpc(&mut self, cidr: &str) -> Vpc {
            match self
                .run(Command::CreateVpc(CreateVpc {
                    cidr_block: Some(cidr.into()),
                    ..CreateVpc::default()
                }))
                .unwrap()
            {
                Outcome::Vpc(v) => v,
                o => panic!("{o:?}"),
            }
        }

        fn subnet(&mut self, vpc: &Vpc, cidr: &str, az: &str) -> Subnet {
            match self
                .run(Command::CreateSubnet(CreateSubnet {
                    vpc_id: vpc.id.clone(),
                    cidr_block: Some(cidr.into()),
                    availability_zone: Some(az.into()),
                    availability_zone_id: None,
                    ipv6_cidr_block: None,
                    ipv6_native: false,
                    tag_specifications: Vec::new(),
                }))
                .unwrap()
            {
                Outcome::Subnet(s) => s,
                o => panic!("{o:?}"),
            }
        }

        fn group(&mut self, vpc: &Vpc, name: &str) -> SecurityGroup {
            match self
                .run(Command::CreateSecurityGroup(CreateSecurityGroup {
                    group_name: name.into(),
                    description: "dns".into(),
                    vpc_id: Some(vpc.id.clone()),
                    tag_specifications: Vec::new(),
                }))
                .unwrap()
            {
                Outcome::SecurityGroup(g) => g,
                o => panic!("{o:?}"),
            }
        }

        fn endpoint(
            &mut self,
            request_id: &str,
            direction: &str,
            group: &SecurityGroup,
            ips: &[(&Subnet, Option<&str>)],
        ) -> Result<ResolverEndpoint, ModelError> {
            let input = CreateResolverEndpoint {
                creator_request_id: request_id.into(),
                name: Some("ep".into()),
                security_group_ids: vec![group.id.to_string()],
                direction: direction.into(),
                ip_addresses: ips
                    .iter()
                    .map(|(s, ip)| EndpointIpRequest {
                        subnet_id: Some(s.id.to_string()),
                        ip: ip.map(str::to_owned),
                        ..EndpointIpRequest::default()
                    })
                    .collect(),
                ..CreateResolverEndpoint::default()
            };
            match self.resolver(ResolverCommand::CreateEndpoint(input))? {
                ResolverOutcome::Endpoint(e) => Ok(e),
                o => panic!("{o:?}"),
            }
        }

        fn forward_rule(
            &mut self,
            request_id: &str,
            domain: &str,
            endpoint: &ResolverEndpoint,
            target: &str,
        ) -> Result<ResolverRule, ModelError> {
            let input = CreateResolverRule {
                creator_request_id: request_id.into(),
                rule_type: "FORWARD".into(),
                domain_name: Some(domain.into()),
                target_ips: Some(vec![TargetIpRequest {
                    ip: Some(target.into()),
                    ..TargetIpRequest::default()
                }]),
                resolver_endpoint_id: Some(endpoint.id.to_string()),
                ..CreateResolverRule::default()
            };
            match self.resolver(ResolverCommand::CreateRule(input))? {
                ResolverOutcome::Rule(r) => Ok(r),
                o => panic!("{o:?}"),
            }
        }

        fn associate(&mut self, rule: &ResolverRule, vpc: &Vpc) -> Result<(), ModelError> {
            self.resolver(ResolverCommand::AssociateRule {
                rule_id: rule.id.to_string(),
                vpc_id: vpc.id.to_string(),
                name: None,
            })
            .map(|_| ())
        }
    }

    /// A VPC with two subnets in two zones and a group.
    fn network(h: &mut Harness) -> (Vpc, Subnet, Subnet, SecurityGroup) {
        let vpc = h.vpc("10.0.0.0/16");
        let a = h.subnet(&vpc, "10.0.1.0/24", "ap-northeast-1a");
        let c = h.subnet(&vpc, "10.0.2.0/24", "ap-northeast-1c");
        let g = h.group(&vpc, "dns");
        (vpc, a, c, g)
    }

    fn code(e: &ModelError) -> &'static str {
        e.code()
    }

    #[test]
    fn inbound_endpoint_makes_requester_managed_interfaces() {
        let mut h = Harness::new();
        let (vpc, a, c, g) = network(&mut h);
        let e = h
            .endpoint(
                "req-1",
                "INBOUND",
                &g,
                &[(&a, Some("10.0.1.10")), (&c, None)],
            )
            .unwrap();
        assert!(e.id.as_str().starts_with("rslvr-in-"));
        assert_eq!(e.vpc_id, vpc.id);
        assert_eq!(e.protocols, ["Do53"]);
        assert_eq!(e.ip_addresses.len(), 2);
        assert_eq!(e.ip_addresses[0].ip.to_string(), "10.0.1.10");
        assert_eq!(e.ip_addresses[1].ip.to_string(), "10.0.2.4");
        for ip in &e.ip_addresses {
            let eni = h
                .model
                .get::<crate::NetworkInterface>(&h.scope, &ip.network_interface_id)
                .unwrap();
            assert!(eni.requester_managed);
            assert_eq!(eni.private_ip, ip.ip);
            assert_eq!(eni.subnet_id, ip.subnet_id);
            assert_eq!(eni.groups, std::slice::from_ref(&g.id));
            assert_eq!(
                eni.description,
                format!("Route 53 Resolver: {}:{}", e.id, ip.id)
            );
        }
        assert_eq!(
            e.arn(),
            format!(
                "arn:aws:route53resolver:ap-northeast-1:000000000000:resolver-endpoint/{}",
                e.id
            )
        );
        // The same request again answers the same endpoint; other parameters are refused.
        let again = h
            .endpoint(
                "req-1",
                "INBOUND",
                &g,
                &[(&a, Some("10.0.1.10")), (&c, None)],
            )
            .unwrap();
        assert_eq!(again, e);
        let err = h
            .endpoint("req-1", "OUTBOUND", &g, &[(&a, None), (&c, None)])
            .unwrap_err();
        assert_eq!(code(&err), "ResourceExistsException");
        // The subnet is in use now.
        let err = h
            .run(Command::DeleteSubnet {
                subnet_id: a.id.clone(),
            })
            .unwrap_err();
        assert_eq!(err.code(), "DependencyViolation");
        // Deleting the endpoint removes its interfaces.
        h.resolver(ResolverCommand::DeleteEndpoint {
            id: e.id.to_string(),
        })
        .unwrap();
        assert_eq!(h.model.interfaces_in(&h.scope).count(), 0);
        h.run(Command::DeleteSubnet {
            subnet_id: a.id.clone(),
        })
        .unwrap();
    }

    #[test]
    fn endpoint_refusals_leave_nothing_behind() {
        let mut h = Harness::new();
        let (_vpc, a, c, g) = network(&mut h);
        let other = h.vpc("10.1.0.0/16");
        let o = h.subnet(&other, "10.1.1.0/24", "ap-northeast-1a");
        type Ips<'a> = Vec<(&'a Subnet, Option<&'a str>)>;
        let cases: Vec<(Ips<'_>, &str)> = vec![
            (vec![(&a, None)], "InvalidRequestException"),
            (vec![(&a, None), (&o, None)], "InvalidRequestException"),
            (
                vec![(&a, Some("10.0.2.9")), (&c, None)],
                "InvalidRequestException",
            ),
            (
                vec![(&a, Some("10.0.1.3")), (&c, None)],
                "InvalidRequestException",
            ),
            (
                vec![(&a, Some("10.0.1.255")), (&c, None)],
                "InvalidRequestException",
            ),
            (
                vec![(&a, Some("10.0.1.9")), (&a, Some("10.0.1.9"))],
                "ResourceExistsException",
            ),
            (
                vec![(&a, Some("nope")), (&c, None)],
                "InvalidParameterException",
            ),
        ];
        for (ips, want) in cases {
            let err = h.endpoint("r", "INBOUND", &g, &ips).unwrap_err();
            assert_eq!(code(&err), want, "{ips:?}: {err}");
        }
        let err = h
            .endpoint("r", "SIDEWAYS", &g, &[(&a, None), (&c, None)])
            .unwrap_err();
        assert_eq!(code(&err), "InvalidParameterException");
        // A group of another VPC.
        let og = h.group(&other, "other");
        let err = h
            .endpoint("r", "INBOUND", &og, &[(&a, None), (&c, None)])
            .unwrap_err();
        assert_eq!(code(&err), "InvalidRequestException");
        assert_eq!(h.model.interfaces_in(&h.scope).count(), 0);
        assert_eq!(h.model.resolver_endpoints_in(&h.scope).count(), 0);
        // An address in use by another interface.
        h.endpoint("r1", "INBOUND", &g, &[(&a, Some("10.0.1.20")), (&c, None)])
            .unwrap();
        let err = h
            .endpoint("r2", "OUTBOUND", &g, &[(&a, Some("10.0.1.20")), (&c, None)])
            .unwrap_err();
        assert_eq!(code(&err), "ResourceExistsException");
    }

    #[test]
    fn endpoint_ip_association_keeps_two() {
        let mut h = Harness::new();
        let (_vpc, a, c, g) = network(&mut h);
        let e = h
            .endpoint("r", "OUTBOUND", &g, &[(&a, None), (&c, None)])
            .unwrap();
        let add = |subnet: &Subnet, ip: Option<&str>| ResolverCommand::AssociateEndpointIp {
            id: e.id.to_string(),
            ip: EndpointIpRequest {
                subnet_id: Some(subnet.id.to_string()),
                ip: ip.map(str::to_owned),
                ..EndpointIpRequest::default()
            },
        };
        let ResolverOutcome::Endpoint(e2) = h.resolver(add(&c, Some("10.0.2.50"))).unwrap() else {
            panic!()
        };
        assert_eq!(e2.ip_addresses.len(), 3);
        let err = h.resolver(add(&c, Some("10.0.2.50"))).unwrap_err();
        assert_eq!(code(&err), "ResourceExistsException");
        let remove = |ip_id: &ResolverIpId| ResolverCommand::DisassociateEndpointIp {
            id: e.id.to_string(),
            ip: EndpointIpRequest {
                ip_id: Some(ip_id.to_string()),
                ..EndpointIpRequest::default()
            },
        };
        h.resolver(remove(&e2.ip_addresses[0].id)).unwrap();
        let err = h.resolver(remove(&e2.ip_addresses[1].id)).unwrap_err();
        assert_eq!(code(&err), "InvalidRequestException");
        let err = h.resolver(remove(&e2.ip_addresses[0].id)).unwrap_err();
        assert_eq!(code(&err), "ResourceNotFoundException");
        assert_eq!(h.model.interfaces_in(&h.scope).count(), 2);
    }

    #[test]
    fn forward_rules_associations_and_the_loop_check() {
        let mut h = Harness::new();
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

    #[test]
    fn system_rules_domains_and_the_internet_rule() {
        let mut h = Harness::new();
        let system = |domain: &str, endpoint: Option<String>| {
            ResolverCommand::CreateRule(CreateResolverRule {
                creator_request_id: domain.into(),
                rule_type: "SYSTEM".into(),
                domain_name: Some(domain.into()),
                resolver_endpoint_id: endpoint,
                ..CreateResolverRule::default()
            })
        };
        let ResolverOutcome::Rule(r) = h.resolver(system("acme.example.com", None)).unwrap() else {
            panic!()
        };
        assert_eq!(r.domain_name, "acme.example.com.");
        for bad in ["a..b", "", "bad domain", "-"] {
            let want = if bad == "-" {
                None
            } else {
                Some("InvalidParameterException")
            };
            let got = h.resolver(system(bad, None)).err().map(|e| e.code());
            if let Some(w) = want {
                assert_eq!(got, Some(w), "{bad}");
            }
        }
        let err = h
            .resolver(system(
                "x.example",
                Some("rslvr-out-00000000000000001".into()),
            ))
            .unwrap_err();
        assert_eq!(code(&err), "InvalidRequestException");
        let rules = h.model.resolver_rules_in(&h.scope);
        assert_eq!(rules[0].id.as_str(), AUTODEFINED_INTERNET_RULE_ID);
        assert_eq!(rules[0].owner_id(), "Route 53 Resolver");
        assert_eq!(
            rules[0].arn(),
            "arn:aws:route53resolver:ap-northeast-1::autodefined-rule/rslvr-autodefined-rr-internet-resolver"
        );
        let err = h
            .resolver(ResolverCommand::DeleteRule {
                id: AUTODEFINED_INTERNET_RULE_ID.into(),
            })
            .unwrap_err();
        assert_eq!(code(&err), "InvalidRequestException");
    }

    #[test]
    fn configs_query_logs_and_tags() {
        let mut h = Harness::new();
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

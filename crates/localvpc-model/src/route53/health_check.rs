//! Route 53 health checks: their configuration as AWS validates it, `CallerReference`
//! idempotency, versioned updates, and the status localvpc reports without probing anything
//! (docs/aws-choices.md, "Route 53 health checks").

use super::{ROUTE53_REGION, Route53ErrorCode, Route53Outcome, r53_error};
use crate::ec2::tags::Tags;
use crate::error::ModelError;
use crate::id::{ResourceKind, Timestamp};
use crate::resource::{Model, Resource};
use crate::scope::{AccountId, Scope};
use crate::txn::Txn;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

/// Health checks per account (AWS default quota).
pub const MAX_HEALTH_CHECKS: usize = 200;
/// Child health checks of one CALCULATED check.
pub const MAX_CHILD_HEALTH_CHECKS: usize = 256;

/// The regions Route 53 health checkers run in (the `HealthCheckRegion` enum); a check
/// without `Regions` is checked from all of them.
pub const CHECKER_REGIONS: [&str; 8] = [
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
];

/// A health check id: a UUID as AWS spells it (`abcdef11-2222-3333-4444-555555fedcba`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HealthCheckId(String);

impl HealthCheckId {
    pub const KIND: ResourceKind = ResourceKind::HealthCheck;

    /// Any id of at most 64 characters (the model's constraint); a well-formed id that
    /// names nothing is `NoSuchHealthCheck` at lookup.
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        if s.is_empty() || s.chars().count() > 64 {
            return Err(r53_error(
                Route53ErrorCode::InvalidInput,
                format!(
                    "1 validation error detected: Value '{s}' at 'healthCheckId' failed to satisfy constraint: Member must have length less than or equal to 64"
                ),
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub(crate) fn generate(ids: &mut dyn crate::id::IdGen) -> Self {
        let hex = ids.hex(32);
        let part = |from: usize, to: usize| hex.get(from..to).unwrap_or_default().to_owned();
        Self(format!(
            "{}-{}-{}-{}-{}",
            part(0, 8),
            part(8, 12),
            part(12, 16),
            part(16, 20),
            part(20, 32)
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn not_found(&self) -> ModelError {
        no_such_health_check(&self.0)
    }
}

impl fmt::Display for HealthCheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) fn no_such_health_check(id: &str) -> ModelError {
    r53_error(
        Route53ErrorCode::NoSuchHealthCheck,
        format!("A health check with id {id} does not exist."),
    )
}

/// `HealthCheckConfig.Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HealthCheckType {
    Http,
    Https,
    HttpStrMatch,
    HttpsStrMatch,
    Tcp,
    Calculated,
    CloudwatchMetric,
    RecoveryControl,
}

impl HealthCheckType {
    pub const ALL: [Self; 8] = [
        Self::Http,
        Self::Https,
        Self::HttpStrMatch,
        Self::HttpsStrMatch,
        Self::Tcp,
        Self::Calculated,
        Self::CloudwatchMetric,
        Self::RecoveryControl,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Http => "HTTP",
            Self::Https => "HTTPS",
            Self::HttpStrMatch => "HTTP_STR_MATCH",
            Self::HttpsStrMatch => "HTTPS_STR_MATCH",
            Self::Tcp => "TCP",
            Self::Calculated => "CALCULATED",
            Self::CloudwatchMetric => "CLOUDWATCH_METRIC",
            Self::RecoveryControl => "RECOVERY_CONTROL",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Checks an endpoint (by IP address or domain name).
    pub fn is_endpoint(self) -> bool {
        matches!(
            self,
            Self::Http | Self::Https | Self::HttpStrMatch | Self::HttpsStrMatch | Self::Tcp
        )
    }

    fn is_https(self) -> bool {
        matches!(self, Self::Https | Self::HttpsStrMatch)
    }

    fn is_str_match(self) -> bool {
        matches!(self, Self::HttpStrMatch | Self::HttpsStrMatch)
    }
}

/// `AlarmIdentifier` of a CLOUDWATCH_METRIC check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmIdentifier {
    pub region: String,
    pub name: String,
}

/// `HealthCheckConfig` as stored: what was asked, with AWS's defaults filled in where AWS
/// reports them (port, interval, threshold, regions, SNI), so reads and the
/// `CallerReference` comparison see one form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheckConfig {
    pub check_type: Option<HealthCheckType>,
    pub ip_address: Option<String>,
    pub port: Option<u32>,
    pub resource_path: Option<String>,
    pub fqdn: Option<String>,
    pub search_string: Option<String>,
    pub request_interval: Option<u32>,
    pub failure_threshold: Option<u32>,
    pub measure_latency: Option<bool>,
    pub inverted: Option<bool>,
    pub disabled: Option<bool>,
    pub health_threshold: Option<u32>,
    pub child_health_checks: Vec<String>,
    pub enable_sni: Option<bool>,
    pub regions: Vec<String>,
    pub alarm: Option<AlarmIdentifier>,
    pub insufficient_data_health_status: Option<String>,
    pub routing_control_arn: Option<String>,
}

impl HealthCheckConfig {
    pub fn inverted(&self) -> bool {
        self.inverted.unwrap_or(false)
    }

    pub fn disabled(&self) -> bool {
        self.disabled.unwrap_or(false)
    }

    /// AWS's defaults, as GetHealthCheck reports them.
    fn with_defaults(mut self) -> Self {
        let Some(t) = self.check_type else {
            return self;
        };
        self.inverted.get_or_insert(false);
        self.disabled.get_or_insert(false);
        if t.is_endpoint() {
            if self.port.is_none() && t != HealthCheckType::Tcp {
                self.port = Some(if t.is_https() { 443 } else { 80 });
            }
            self.request_interval.get_or_insert(30);
            self.failure_threshold.get_or_insert(3);
            self.measure_latency.get_or_insert(false);
            self.enable_sni.get_or_insert(t.is_https());
            if self.regions.is_empty() {
                self.regions = CHECKER_REGIONS.iter().map(|r| (*r).to_owned()).collect();
            }
        }
        if t == HealthCheckType::CloudwatchMetric {
            self.insufficient_data_health_status
                .get_or_insert_with(|| "LastKnownStatus".to_owned());
        }
        self
    }
}

/// One health check. A deleted check is kept as a tombstone: its `CallerReference` stays
/// taken (AWS answers `HealthCheckAlreadyExists` for it), and nothing else sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheck {
    pub id: HealthCheckId,
    /// The owner account, region [`ROUTE53_REGION`].
    pub scope: Scope,
    pub caller_reference: String,
    pub config: HealthCheckConfig,
    /// 1 at creation, +1 per update.
    pub version: u64,
    pub created: Timestamp,
    /// The time of the last create or update (GetHealthCheckStatus's `CheckedTime`).
    pub updated: Timestamp,
    pub deleted: bool,
    pub tags: Tags,
}

/// What a health checker reports (no endpoint is ever probed: docs/aws-choices.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    /// `None` for a CALCULATED check's one observation.
    pub region: Option<&'static str>,
    pub checker_ip: Option<&'static str>,
    pub status: String,
    pub checked: Timestamp,
}

/// One address per checker region, from AWS's published `ROUTE53_HEALTHCHECKS` ranges.
fn checker_ip(region: &str) -> Option<&'static str> {
    Some(match region {
        "us-east-1" => "107.23.255.1",
        "us-west-1" => "54.183.255.129",
        "us-west-2" => "54.244.52.193",
        "eu-west-1" => "54.228.16.1",
        "ap-southeast-1" => "54.255.254.193",
        "ap-southeast-2" => "54.252.254.193",
        "ap-northeast-1" => "54.250.253.193",
        "sa-east-1" => "54.232.40.65",
        _ => return None,
    })
}

impl Model {
    /// A live health check of the caller's account (`NoSuchHealthCheck` otherwise). Not
    /// `get`: Route 53 is global (the region is not checked), and a deleted check is kept.
    pub fn health_check(
        &self,
        scope: &Scope,
        id: &HealthCheckId,
    ) -> Result<&HealthCheck, ModelError> {
        self.health_checks
            .get(id)
            .map(AsRef::as_ref)
            .filter(|h| h.scope.account == scope.account && !h.deleted)
            .ok_or_else(|| id.not_found())
    }

    /// The live health checks of an account, ordered by id (not `in_scope`: Route 53 is
    /// global, and deleted checks are kept).
    pub fn health_checks_of<'a>(
        &'a self,
        account: &'a AccountId,
    ) -> impl Iterator<Item = &'a HealthCheck> + 'a {
        self.health_checks
            .values()
            .map(AsRef::as_ref)
            .filter(move |h| &h.scope.account == account && !h.deleted)
    }

    /// Whether a check is healthy as localvpc reports it: every endpoint answers, so a check
    /// is healthy unless inverted; a CALCULATED check counts its healthy children; a disabled
    /// check is always healthy (as AWS documents).
    pub fn health_check_is_healthy(&self, check: &HealthCheck) -> bool {
        self.healthy_at_depth(check, 0)
    }

    fn healthy_at_depth(&self, check: &HealthCheck, depth: usize) -> bool {
        let c = &check.config;
        if c.disabled() {
            return true;
        }
        let raw = match c.check_type {
            Some(HealthCheckType::Calculated) if depth < 8 => {
                let healthy = self.healthy_children(check, depth);
                healthy >= c.health_threshold.unwrap_or(0) as usize
            }
            _ => true,
        };
        raw != c.inverted()
    }

    fn healthy_children(&self, check: &HealthCheck, depth: usize) -> usize {
        check
            .config
            .child_health_checks
            .iter()
            .filter_map(|id| self.health_checks.get(&HealthCheckId(id.clone())))
            .filter(|child| !child.deleted && self.healthy_at_depth(child, depth + 1))
            .count()
    }

    /// GetHealthCheckStatus: one observation per checker region for an endpoint check, one
    /// without a region for a CALCULATED check.
    pub fn health_check_observations(&self, check: &HealthCheck) -> Vec<Observation> {
        let c = &check.config;
        let healthy = self.health_check_is_healthy(check);
        let at = check.updated;
        let inverted_note = if c.inverted() {
            " (the health check is inverted)"
        } else {
            ""
        };
        let verdict = if healthy { "Success" } else { "Failure" };
        let status = match c.check_type {
            _ if c.disabled() => "Success: the health check is disabled".to_owned(),
            Some(HealthCheckType::Calculated) => {
                let children = c.child_health_checks.len();
                let up = self.healthy_children(check, 0);
                let threshold = c.health_threshold.unwrap_or(0);
                return vec![Observation {
                    region: None,
                    checker_ip: None,
                    status: format!(
                        "{verdict}: {up} of {children} child health checks are healthy (health threshold {threshold}){inverted_note}"
                    ),
                    checked: at,
                }];
            }
            Some(HealthCheckType::Tcp) => {
                format!("{verdict}: TCP connection established{inverted_note}")
            }
            Some(t) if t.is_endpoint() => {
                format!("{verdict}: HTTP Status Code 200, OK{inverted_note}")
            }
            _ => format!("{verdict}: the health check is healthy{inverted_note}"),
        };
        let regions: Vec<&str> = if c.regions.is_empty() {
            CHECKER_REGIONS.to_vec()
        } else {
            c.regions.iter().map(String::as_str).collect()
        };
        regions
            .into_iter()
            .filter_map(|r| CHECKER_REGIONS.iter().find(|k| **k == r).copied())
            .map(|region| Observation {
                region: Some(region),
                checker_ip: checker_ip(region),
                status: status.clone(),
                checked: at,
            })
            .collect()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateHealthCheck {
    pub caller_reference: String,
    pub config: HealthCheckConfig,
}

/// UpdateHealthCheck: every field optional; `reset` names the elements to clear.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateHealthCheck {
    pub version: Option<u64>,
    pub ip_address: Option<String>,
    pub port: Option<u32>,
    pub resource_path: Option<String>,
    pub fqdn: Option<String>,
    pub search_string: Option<String>,
    pub failure_threshold: Option<u32>,
    pub inverted: Option<bool>,
    pub disabled: Option<bool>,
    pub health_threshold: Option<u32>,
    pub child_health_checks: Option<Vec<String>>,
    pub enable_sni: Option<bool>,
    pub regions: Option<Vec<String>>,
    pub alarm: Option<AlarmIdentifier>,
    pub insufficient_data_health_status: Option<String>,
    pub reset: Vec<String>,
}

fn invalid(message: impl Into<String>) -> ModelError {
    r53_error(Route53ErrorCode::InvalidInput, message)
}

/// Addresses Route 53 cannot check (AWS: local, private, non-routable and multicast ranges,
/// RFC 5735, 6598 and 5156). The documentation ranges are localvpc's public addresses
/// (Elastic IPs, Amazon-provided IPv6), so they are accepted.
fn unreachable_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_unspecified()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments().first().copied().unwrap_or(0);
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

impl Txn<'_, '_> {
    /// Checks a whole configuration (after defaults) as AWS does for a create or update.
    fn check_health_check_config(&self, c: &HealthCheckConfig) -> Result<(), ModelError> {
        let Some(t) = c.check_type else {
            return Err(invalid("The parameter Type is required."));
        };
        let name = t.as_str();
        if let Some(port) = c.port
            && !(1..=65535).contains(&port)
        {
            return Err(invalid(format!(
                "1 validation error detected: Value '{port}' at 'healthCheckConfig.port' failed to satisfy constraint: Member must have value between 1 and 65535"
            )));
        }
        if let Some(interval) = c.request_interval
            && interval != 10
            && interval != 30
        {
            return Err(invalid(format!(
                "Invalid value for RequestInterval: {interval}. Valid values are 10 and 30."
            )));
        }
        if let Some(threshold) = c.failure_threshold
            && !(1..=10).contains(&threshold)
        {
            return Err(invalid(format!(
                "1 validation error detected: Value '{threshold}' at 'healthCheckConfig.failureThreshold' failed to satisfy constraint: Member must have value between 1 and 10"
            )));
        }
        if let Some(threshold) = c.health_threshold
            && threshold > 256
        {
            return Err(invalid(format!(
                "1 validation error detected: Value '{threshold}' at 'healthCheckConfig.healthThreshold' failed to satisfy constraint: Member must have value less than or equal to 256"
            )));
        }
        for (field, value) in [
            ("resourcePath", &c.resource_path),
            ("fullyQualifiedDomainName", &c.fqdn),
            ("searchString", &c.search_string),
        ] {
            if let Some(v) = value
                && v.chars().count() > 255
            {
                return Err(invalid(format!(
                    "1 validation error detected: Value at 'healthCheckConfig.{field}' failed to satisfy constraint: Member must have length less than or equal to 255"
                )));
            }
        }
        if !c.regions.is_empty() {
            if let Some(bad) = c
                .regions
                .iter()
                .find(|r| !CHECKER_REGIONS.contains(&r.as_str()))
            {
                return Err(invalid(format!(
                    "1 validation error detected: Value '{bad}' at 'healthCheckConfig.regions' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                    CHECKER_REGIONS.join(", ")
                )));
            }
            if c.regions.len() < 3 {
                return Err(invalid(
                    "1 validation error detected: Value at 'healthCheckConfig.regions' failed to satisfy constraint: Member must have length greater than or equal to 3",
                ));
            }
        }
        if t.is_endpoint() {
            self.check_endpoint_config(t, c)?;
        } else {
            let endpoint_fields = [
                ("IPAddress", c.ip_address.is_some()),
                ("Port", c.port.is_some()),
                ("ResourcePath", c.resource_path.is_some()),
                ("FullyQualifiedDomainName", c.fqdn.is_some()),
                ("SearchString", c.search_string.is_some()),
                ("RequestInterval", c.request_interval.is_some()),
                ("FailureThreshold", c.failure_threshold.is_some()),
            ];
            if let Some((field, _)) = endpoint_fields.iter().find(|(_, set)| *set) {
                return Err(invalid(format!(
                    "{field} is not valid for a health check of type {name}."
                )));
            }
        }
        if t != HealthCheckType::Calculated
            && (c.health_threshold.is_some() || !c.child_health_checks.is_empty())
        {
            return Err(invalid(format!(
                "HealthThreshold and ChildHealthChecks are valid only for health checks of type CALCULATED, not {name}."
            )));
        }
        match t {
            HealthCheckType::Calculated => self.check_children(c)?,
            HealthCheckType::CloudwatchMetric if c.alarm.is_none() => {
                return Err(invalid(
                    "AlarmIdentifier is required for a health check of type CLOUDWATCH_METRIC.",
                ));
            }
            HealthCheckType::RecoveryControl if c.routing_control_arn.is_none() => {
                return Err(invalid(
                    "RoutingControlArn is required for a health check of type RECOVERY_CONTROL.",
                ));
            }
            _ => {}
        }
        if let Some(s) = &c.insufficient_data_health_status
            && !["Healthy", "Unhealthy", "LastKnownStatus"].contains(&s.as_str())
        {
            return Err(invalid(format!(
                "1 validation error detected: Value '{s}' at 'healthCheckConfig.insufficientDataHealthStatus' failed to satisfy constraint: Member must satisfy enum value set: [Healthy, Unhealthy, LastKnownStatus]"
            )));
        }
        Ok(())
    }

    fn check_endpoint_config(
        &self,
        t: HealthCheckType,
        c: &HealthCheckConfig,
    ) -> Result<(), ModelError> {
        let name = t.as_str();
        if c.ip_address.is_none() && c.fqdn.is_none() {
            return Err(invalid(format!(
                "A health check of type {name} needs an IPAddress or a FullyQualifiedDomainName."
            )));
        }
        if let Some(raw) = &c.ip_address {
            let ip: IpAddr = raw.parse().map_err(|_| {
                invalid(format!(
                    "Invalid IP address: {raw}. Specify an IPv4 address (192.0.2.44) or an IPv6 address (2001:db8:85a3::abcd:1:2345)."
                ))
            })?;
            if unreachable_address(ip) {
                return Err(invalid(format!(
                    "IP address {raw} is in a local, private, non-routable or multicast range; Route 53 health checkers cannot reach it."
                )));
            }
        }
        if let Some(fqdn) = &c.fqdn {
            super::name::canonical(fqdn).map_err(|e| {
                invalid(format!(
                    "{fqdn} is not a valid domain name: {}",
                    e.describe()
                ))
            })?;
        }
        if t == HealthCheckType::Tcp && c.port.is_none() {
            return Err(invalid("A health check of type TCP needs a Port."));
        }
        if t.is_str_match() && c.search_string.as_deref().is_none_or(str::is_empty) {
            return Err(invalid(format!(
                "A health check of type {name} needs a SearchString."
            )));
        }
        if !t.is_str_match() && c.search_string.is_some() {
            return Err(invalid(format!(
                "SearchString is valid only for health checks of type HTTP_STR_MATCH or HTTPS_STR_MATCH, not {name}."
            )));
        }
        if t == HealthCheckType::Tcp && c.resource_path.is_some() {
            return Err(invalid(
                "ResourcePath is not valid for a health check of type TCP.",
            ));
        }
        Ok(())
    }

    /// A CALCULATED check's children: live checks of the same account, at most 256, none of
    /// them the check itself.
    fn check_children(&self, c: &HealthCheckConfig) -> Result<(), ModelError> {
        if c.child_health_checks.len() > MAX_CHILD_HEALTH_CHECKS {
            return Err(invalid(format!(
                "1 validation error detected: Value at 'healthCheckConfig.childHealthChecks' failed to satisfy constraint: Member must have length less than or equal to {MAX_CHILD_HEALTH_CHECKS}"
            )));
        }
        for child in &c.child_health_checks {
            let id = HealthCheckId::parse(child)?;
            if self.model.health_check(self.ctx.scope, &id).is_err() {
                return Err(invalid(format!(
                    "The child health check {child} does not exist."
                )));
            }
        }
        Ok(())
    }

    pub(crate) fn create_health_check(
        &mut self,
        input: &CreateHealthCheck,
    ) -> Result<Route53Outcome, ModelError> {
        let account = self.ctx.scope.account.clone();
        if input.caller_reference.is_empty() || input.caller_reference.chars().count() > 64 {
            return Err(invalid(
                "1 validation error detected: Value at 'callerReference' failed to satisfy constraint: Member must have length between 1 and 64",
            ));
        }
        let config = input.config.clone().with_defaults();
        let earlier =
            self.model.health_checks.values().find(|h| {
                h.scope.account == account && h.caller_reference == input.caller_reference
            });
        if let Some(earlier) = earlier {
            if !earlier.deleted && earlier.config == config {
                return Ok(Route53Outcome::HealthCheck(Box::new(HealthCheck::clone(
                    earlier,
                ))));
            }
            return Err(r53_error(
                Route53ErrorCode::HealthCheckAlreadyExists,
                format!(
                    "A health check has already been created with the specified caller reference: {}",
                    input.caller_reference
                ),
            ));
        }
        self.check_health_check_config(&config)?;
        if self.model.health_checks_of(&account).count() >= MAX_HEALTH_CHECKS {
            return Err(r53_error(
                Route53ErrorCode::TooManyHealthChecks,
                format!(
                    "This operation would exceed the limit of {MAX_HEALTH_CHECKS} health checks for the account."
                ),
            ));
        }
        let check = HealthCheck {
            id: HealthCheckId::generate(self.ctx.ids),
            scope: Scope::new(account, ROUTE53_REGION),
            caller_reference: input.caller_reference.clone(),
            config,
            version: 1,
            created: self.ctx.now,
            updated: self.ctx.now,
            deleted: false,
            tags: Tags::new(),
        };
        self.put(Resource::HealthCheck(check.clone()));
        Ok(Route53Outcome::HealthCheck(Box::new(check)))
    }

    pub(crate) fn update_health_check(
        &mut self,
        id: &HealthCheckId,
        u: &UpdateHealthCheck,
    ) -> Result<Route53Outcome, ModelError> {
        let mut check = self.model.health_check(self.ctx.scope, id)?.clone();
        if let Some(version) = u.version
            && version != check.version
        {
            return Err(r53_error(
                Route53ErrorCode::HealthCheckVersionMismatch,
                format!(
                    "The value of HealthCheckVersion in the request ({version}) doesn't match the value of HealthCheckVersion in the health check ({}).",
                    check.version
                ),
            ));
        }
        let c = &mut check.config;
        for element in &u.reset {
            match element.as_str() {
                "FullyQualifiedDomainName" => c.fqdn = None,
                "Regions" => c.regions.clear(),
                "ResourcePath" => c.resource_path = None,
                "ChildHealthChecks" => c.child_health_checks.clear(),
                other => {
                    return Err(invalid(format!(
                        "1 validation error detected: Value '{other}' at 'resetElements' failed to satisfy constraint: Member must satisfy enum value set: [FullyQualifiedDomainName, Regions, ResourcePath, ChildHealthChecks]"
                    )));
                }
            }
        }
        let set = |slot: &mut Option<String>, value: &Option<String>| {
            if value.is_some() {
                slot.clone_from(value);
            }
        };
        set(&mut c.ip_address, &u.ip_address);
        set(&mut c.resource_path, &u.resource_path);
        set(&mut c.fqdn, &u.fqdn);
        set(&mut c.search_string, &u.search_string);
        set(
            &mut c.insufficient_data_health_status,
            &u.insufficient_data_health_status,
        );
        if u.port.is_some() {
            c.port = u.port;
        }
        if u.failure_threshold.is_some() {
            c.failure_threshold = u.failure_threshold;
        }
        if u.inverted.is_some() {
            c.inverted = u.inverted;
        }
        if u.disabled.is_some() {
            c.disabled = u.disabled;
        }
        if u.health_threshold.is_some() {
            c.health_threshold = u.health_threshold;
        }
        if u.enable_sni.is_some() {
            c.enable_sni = u.enable_sni;
        }
        if let Some(children) = &u.child_health_checks {
            c.child_health_checks.clone_from(children);
        }
        if let Some(regions) = &u.regions {
            c.regions.clone_from(regions);
        }
        if u.alarm.is_some() {
            c.alarm.clone_from(&u.alarm);
        }
        if c.child_health_checks
            .iter()
            .any(|child| child == id.as_str())
        {
            return Err(invalid(format!(
                "The health check {id} cannot be a child of itself."
            )));
        }
        check.config = check.config.clone().with_defaults();
        self.check_health_check_config(&check.config)?;
        check.version += 1;
        check.updated = self.ctx.now;
        self.put(Resource::HealthCheck(check.clone()));
        Ok(Route53Outcome::HealthCheck(Box::new(check)))
    }

    /// AWS deletes a health check even while record sets or CALCULATED checks name it
    /// (`HealthCheckInUse` is "not in use"); the check stays as a tombstone.
    pub(crate) fn delete_health_check(&mut self, id: &HealthCheckId) -> Result<(), ModelError> {
        let mut check = self.model.health_check(self.ctx.scope, id)?.clone();
        check.deleted = true;
        check.tags.clear();
        self.put(Resource::HealthCheck(check));
        Ok(())
    }

    pub(crate) fn change_health_check_tags(
        &mut self,
        id: &HealthCheckId,
        add: &[(String, String)],
        remove: &[String],
    ) -> Result<(), ModelError> {
        let mut check = self.model.health_check(self.ctx.scope, id)?.clone();
        super::change_tags(&mut check.tags, add, remove, &format!("health check {id}"))?;
        self.put(Resource::HealthCheck(check));
        Ok(())
    }

    /// A record set's `HealthCheckId` must name a live check of the caller's account.
    pub(crate) fn check_record_health_check(&self, id: Option<&str>) -> Result<(), ModelError> {
        let Some(raw) = id else {
            return Ok(());
        };
        let id = HealthCheckId::parse(raw)?;
        self.model.health_check(self.ctx.scope, &id).map(|_| ())
    }
}

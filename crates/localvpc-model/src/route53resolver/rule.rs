//! Resolver rules: FORWARD rules (through an outbound endpoint to target IPs), SYSTEM rules,
//! and the autodefined internet rule (`.`, RECURSIVE) every VPC has, derived, never stored.

use super::ResolverErrorCode;
use super::common::{
    check_creator_request_id, check_name, fqdn, invalid_parameter, invalid_request, not_found,
    parse_ipv4, rerr, resolver_arn, traced,
};
use super::endpoint::ResolverDirection;
use super::tags::{check_resolver_tag_count, check_tags};
use crate::ec2::tags::Tags;
use crate::error::ModelError;
use crate::id::{ResolverEndpointId, ResolverRuleId, Timestamp, VpcId};
use crate::resource::{Model, Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;
use std::sync::Arc;

/// The rule every VPC has for `.` (public recursion), docs/aws-semantics.md §7.1.
pub const AUTODEFINED_INTERNET_RULE_ID: &str = "rslvr-autodefined-rr-internet-resolver";
/// AWS's default quotas (docs/aws-semantics.md §7.3): rules per Region, target IPs per rule.
pub(crate) const MAX_RULES: usize = 1000;
pub(crate) const MAX_TARGET_IPS: usize = 6;

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
    /// The status message of the write that made the rule what it is (create or update),
    /// which reads repeat; empty for the autodefined rule and rules stored before it was kept.
    #[serde(default)]
    pub status_message: String,
}

impl ResolverRule {
    /// The `.` rule every VPC has (docs/aws-semantics.md §7.1); never stored.
    pub(super) fn internet(scope: &Scope) -> Self {
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
            status_message: String::new(),
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

pub(super) fn parse_targets(targets: &[TargetIpRequest]) -> Result<Vec<TargetIp>, ModelError> {
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

impl Model {
    /// A customer rule, or the autodefined internet rule by its id (not `get`: that rule is
    /// never stored, and a malformed id is not found, as Resolver answers).
    pub fn resolver_rule(&self, scope: &Scope, id: &str) -> Result<ResolverRule, ModelError> {
        if id == AUTODEFINED_INTERNET_RULE_ID {
            return Ok(ResolverRule::internet(scope));
        }
        self.stored_rule(scope, id).cloned()
    }

    pub(super) fn stored_rule(&self, scope: &Scope, id: &str) -> Result<&ResolverRule, ModelError> {
        ResolverRuleId::parse(id)
            .ok()
            .and_then(|k| self.resolver_rules.get(&k))
            .map(Arc::as_ref)
            .filter(|r| &r.scope == scope)
            .ok_or_else(|| not_found(format!("Resolver rule with ID '{id}' does not exist")))
    }

    /// The autodefined internet rule first, then the scope's rules in id order (not
    /// `in_scope`, which lacks the unstored internet rule).
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
}

impl Txn<'_, '_> {
    pub(super) fn delete_resolver_rule(&mut self, id: &str) -> Result<ResolverRule, ModelError> {
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
        Ok(rule)
    }

    /// A FORWARD rule's outbound endpoint.
    pub(super) fn outbound_endpoint(&self, id: &str) -> Result<ResolverEndpointId, ModelError> {
        let endpoint = self.model.resolver_endpoint(self.ctx.scope, id)?;
        if endpoint.direction != ResolverDirection::Outbound {
            return Err(invalid_request(format!(
                "[RSLVR-00500] Resolver endpoint '{id}' is not an OUTBOUND endpoint: FORWARD rules send queries through outbound endpoints"
            )));
        }
        Ok(endpoint.id.clone())
    }

    pub(super) fn create_resolver_rule(
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
                return Err(ModelError::not_emulated(
                    "DELEGATE rules (FORWARD or SYSTEM)",
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
        check_resolver_tag_count(input.tags.len())?;
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
        let id = ResolverRuleId::generate(self.ctx.ids);
        let status_message = traced(self.ctx.ids, "Successfully created Resolver Rule");
        let rule = ResolverRule {
            id,
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
            status_message,
        };
        self.put(Resource::ResolverRule(rule.clone()));
        Ok(rule)
    }

    pub(super) fn update_resolver_rule(
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
        rule.status_message = traced(self.ctx.ids, "Successfully updated Resolver Rule");
        self.put(Resource::ResolverRule(rule.clone()));
        Ok(rule)
    }

    /// RSLVR-00804: a FORWARD rule may not send a VPC's queries to an inbound endpoint
    /// hosted in that same VPC (the query would come straight back, docs/aws-semantics.md §7.3).
    pub(super) fn check_no_loop(&self, rule: &ResolverRule, vpc: &VpcId) -> Result<(), ModelError> {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route53resolver::testing::*;

    #[test]
    fn system_rules_domains_and_the_internet_rule() {
        let mut h = harness();
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
    fn a_rule_keeps_the_status_message_of_its_last_write() {
        let mut h = harness();
        let (_vpc, a, c, g) = network(&mut h);
        let out = h
            .endpoint("out", "OUTBOUND", &g, &[(&a, None), (&c, None)])
            .unwrap();
        let rule = h
            .forward_rule("r1", "corp.example", &out, "192.0.2.10")
            .unwrap();
        assert!(
            rule.status_message.starts_with("[Trace id: 1-")
                && rule
                    .status_message
                    .ends_with("] Successfully created Resolver Rule"),
            "{}",
            rule.status_message
        );
        let read = h.model.resolver_rule(&h.scope, rule.id.as_str()).unwrap();
        assert_eq!(read.status_message, rule.status_message);
        let ResolverOutcome::Rule(updated) = h
            .resolver(ResolverCommand::UpdateRule {
                id: rule.id.to_string(),
                name: Some("renamed".into()),
                target_ips: None,
                resolver_endpoint_id: None,
            })
            .unwrap()
        else {
            panic!()
        };
        assert!(
            updated
                .status_message
                .ends_with("] Successfully updated Resolver Rule")
        );
        let read = h.model.resolver_rule(&h.scope, rule.id.as_str()).unwrap();
        assert_eq!(read.status_message, updated.status_message);
        let internet = h
            .model
            .resolver_rule(&h.scope, AUTODEFINED_INTERNET_RULE_ID)
            .unwrap();
        assert_eq!(internet.status_message, "");
    }
}

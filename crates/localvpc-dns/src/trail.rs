//! What `resolve` returns: the answer and the decision trail that produced it.

use crate::rr::Rr;
use localvpc_explain::{Component, Stage, Step};
use serde::Serialize;
use std::net::SocketAddr;

/// The response code (only those localvpc gives).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rcode {
    NoError,
    FormErr,
    ServFail,
    NxDomain,
    NotImp,
    Refused,
}

impl Rcode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoError => "NOERROR",
            Self::FormErr => "FORMERR",
            Self::ServFail => "SERVFAIL",
            Self::NxDomain => "NXDOMAIN",
            Self::NotImp => "NOTIMP",
            Self::Refused => "REFUSED",
        }
    }

    pub fn code(self) -> u16 {
        match self {
            Self::NoError => 0,
            Self::FormErr => 1,
            Self::ServFail => 2,
            Self::NxDomain => 3,
            Self::NotImp => 4,
            Self::Refused => 5,
        }
    }
}

impl Serialize for Rcode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A FORWARD rule's decision: the server sends the query and relays the answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Forward {
    pub rule_id: String,
    /// The rule's domain (`corp.example.com.`).
    pub domain: String,
    /// The rule's target addresses, as configured (emulated addresses).
    pub targets: Vec<SocketAddr>,
    /// The outbound endpoint queries leave from.
    pub outbound_endpoint: Option<String>,
    /// The VPC whose rule association decided (the view's VPC).
    pub vpc_id: String,
}

/// What kind of decision a step records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Which view answers and why (VPC resolver, inbound endpoint, public).
    View,
    /// A VPC attribute that decided or limited the answer.
    Attribute,
    /// A rule or local domain that matched and won.
    Match,
    /// A matching rule or zone that lost, or a public answer that was shadowed.
    Shadowed,
    /// A zone or domain that matched but does not apply (attributes, inbound-only).
    Ignored,
    /// The record (or synthesised data) that answered.
    Record,
    /// Alias expansion.
    Alias,
    /// CNAME chasing.
    Cname,
    /// Wildcard synthesis (RFC 4592).
    Wildcard,
    /// Why the answer is negative (NXDOMAIN, NODATA) or refused.
    Negative,
    /// A FORWARD decision and its outcome.
    Forward,
    /// Public-view lookups.
    Public,
}

impl StepKind {
    /// The name the trail's JSON gives it (`view`, `match`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::View => "view",
            Self::Attribute => "attribute",
            Self::Match => "match",
            Self::Shadowed => "shadowed",
            Self::Ignored => "ignored",
            Self::Record => "record",
            Self::Alias => "alias",
            Self::Cname => "cname",
            Self::Wildcard => "wildcard",
            Self::Negative => "negative",
            Self::Forward => "forward",
            Self::Public => "public",
        }
    }
}

/// One step of the decision trail: a human sentence plus machine-readable fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrailStep {
    pub step: StepKind,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
}

impl TrailStep {
    pub fn new(step: StepKind, detail: impl Into<String>) -> Self {
        Self {
            step,
            detail: detail.into(),
            rule_id: None,
            zone_id: None,
            zone_name: None,
            endpoint_id: None,
            record: None,
        }
    }

    pub fn rule(mut self, id: impl Into<String>) -> Self {
        self.rule_id = Some(id.into());
        self
    }

    pub fn zone(mut self, id: Option<&str>, name: &str) -> Self {
        self.zone_id = id.map(str::to_owned);
        self.zone_name = Some(name.to_owned());
        self
    }

    pub fn endpoint(mut self, id: impl Into<String>) -> Self {
        self.endpoint_id = Some(id.into());
        self
    }

    pub fn record(mut self, record: impl Into<String>) -> Self {
        self.record = Some(record.into());
        self
    }

    /// This decision as a step of an explanation (the vocabulary network hops share): the
    /// rule, zone or endpoint that decided is its component, the record its rule; a step
    /// saying why the answer is negative is the one that stopped the query.
    pub fn step(&self) -> Step {
        let component = if let Some(rule) = &self.rule_id {
            Some(Component::bare(rule))
        } else if let Some(name) = &self.zone_name {
            let id = self.zone_id.as_deref().unwrap_or(name);
            Some(Component::new(id, None, Some(name)))
        } else {
            self.endpoint_id.as_deref().map(Component::bare)
        };
        Step::new(Stage::Dns, self.step.as_str(), self.detail.clone())
            .component(component)
            .rule(self.record.clone())
            .blocked(self.step == StepKind::Negative)
    }
}

/// The outcome of resolving one question in one view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resolution {
    pub rcode: Rcode,
    pub authoritative: bool,
    pub answers: Vec<Rr>,
    /// The SOA of negative answers (TTL = min(SOA TTL, SOA minimum), docs/aws-semantics.md §6.3).
    pub authority: Vec<Rr>,
    /// Set when a FORWARD rule decided: the caller performs the I/O.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward: Option<Forward>,
    pub trail: Vec<TrailStep>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_kinds_are_named_as_the_trail_json_names_them() {
        for kind in [
            StepKind::View,
            StepKind::Attribute,
            StepKind::Match,
            StepKind::Shadowed,
            StepKind::Ignored,
            StepKind::Record,
            StepKind::Alias,
            StepKind::Cname,
            StepKind::Wildcard,
            StepKind::Negative,
            StepKind::Forward,
            StepKind::Public,
        ] {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::from(kind.as_str())
            );
        }
    }

    #[test]
    fn a_trail_step_is_a_dns_step_naming_what_decided() {
        let step = TrailStep::new(StepKind::Match, "the private zone wins")
            .zone(Some("Z1"), "corp.internal.")
            .record("db.corp.internal. A")
            .step();
        assert_eq!(
            (
                step.stage,
                step.kind.as_str(),
                step.rule.as_deref(),
                step.blocked
            ),
            (Stage::Dns, "match", Some("db.corp.internal. A"), false)
        );
        assert_eq!(
            step.component,
            Some(Component::new("Z1", None, Some("corp.internal.")))
        );
        let negative = TrailStep::new(StepKind::Negative, "NXDOMAIN").step();
        assert!(negative.blocked && negative.component.is_none());
        let rule = TrailStep::new(StepKind::Forward, "forwarded")
            .rule("rslvr-rr-1")
            .step();
        assert_eq!(rule.component, Some(Component::bare("rslvr-rr-1")));
    }
}

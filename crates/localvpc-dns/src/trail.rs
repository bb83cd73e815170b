//! What `resolve` returns: the answer and the decision trail that produced it.

use crate::rr::Rr;
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
}

/// The outcome of resolving one question in one view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resolution {
    pub rcode: Rcode,
    pub authoritative: bool,
    pub answers: Vec<Rr>,
    /// The SOA of negative answers (TTL = min(SOA TTL, SOA minimum), spec §6.3).
    pub authority: Vec<Rr>,
    /// Set when a FORWARD rule decided: the caller performs the I/O.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward: Option<Forward>,
    pub trail: Vec<TrailStep>,
}

//! The explanation vocabulary every view of localvpc speaks.
//!
//! A DNS answer and a network path are explained by the same kind of thing: an ordered list
//! of [`Step`]s, each naming the resource that decided ([`Component`]), the rule inside it
//! when there is one, a sentence, and whether it stopped the query or the packet. The DNS
//! resolver's trail (`localvpc-dns`) and the path search's hops (`localvpc-net`) convert to
//! steps, so `localvpc trace`, the API and the console print one list for "resolve this
//! name, then reach that address".
//!
//! This crate owns only the vocabulary: no model, no decisions, no I/O.

use serde::Serialize;

/// A resource an explanation names (`AnalysisComponent` in Reachability Analyzer: id, ARN,
/// Name tag).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Component {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Component {
    pub fn new(id: impl Into<String>, arn: Option<String>, name: Option<&str>) -> Self {
        Self {
            id: id.into(),
            arn,
            name: name.map(str::to_owned),
        }
    }

    /// A component without an ARN (an address, the internet, an AWS service).
    pub fn bare(id: impl Into<String>) -> Self {
        Self::new(id, None, None)
    }
}

/// Which part of an explanation a step belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Resolving the destination's name in the source's view.
    Dns,
    /// The packet on its way to the destination.
    Forward,
    /// The reply on its way back.
    Return,
}

/// One step of an explanation: a DNS decision or a network hop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    pub stage: Stage,
    /// What the step is: for DNS the kind of decision (`view`, `match`, `shadowed`,
    /// `record`, …), for a hop the kind of resource crossed (`instance`, `security-group`,
    /// `route-table`, …).
    pub kind: String,
    /// The resource that decided: a resolver rule, hosted zone or endpoint; the hop's
    /// resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<Component>,
    /// The rule inside it that decided, when there is one: a record, an ACL rule number, a
    /// security group rule id, a route's destination.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// What happened, in one sentence.
    pub detail: String,
    /// Whether this step stopped the query or the packet.
    pub blocked: bool,
}

impl Step {
    pub fn new(stage: Stage, kind: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            stage,
            kind: kind.into(),
            component: None,
            rule: None,
            detail: detail.into(),
            blocked: false,
        }
    }

    pub fn component(mut self, component: Option<Component>) -> Self {
        self.component = component;
        self
    }

    pub fn rule(mut self, rule: Option<String>) -> Self {
        self.rule = rule;
        self
    }

    pub fn blocked(mut self, blocked: bool) -> Self {
        self.blocked = blocked;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_serializes_without_empty_fields() {
        let step = Step::new(Stage::Forward, "security-group", "allowed by sgr-1")
            .component(Some(Component::bare("sg-1")))
            .rule(Some("sgr-1".to_owned()));
        assert_eq!(
            serde_json::to_string(&step).unwrap(),
            r#"{"stage":"forward","kind":"security-group","component":{"id":"sg-1"},"rule":"sgr-1","detail":"allowed by sgr-1","blocked":false}"#
        );
    }
}

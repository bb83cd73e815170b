//! DHCP option sets: every region has a default one that every VPC starts with.

use crate::ec2::tags::Tags;
use crate::id::DhcpOptionsId;
use crate::scope::Scope;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DhcpOptions {
    pub id: DhcpOptionsId,
    pub scope: Scope,
    /// (key, values) such as `domain-name-servers` → `AmazonProvidedDNS`.
    pub configurations: Vec<(String, Vec<String>)>,
    pub tags: Tags,
}

impl DhcpOptions {
    /// The default set: `AmazonProvidedDNS` and `<region>.compute.internal`
    /// (`ec2.internal` in us-east-1), spec §1.4.
    pub(crate) fn default_for(id: DhcpOptionsId, scope: Scope) -> Self {
        let domain = if scope.region == "us-east-1" {
            "ec2.internal".to_owned()
        } else {
            format!("{}.compute.internal", scope.region)
        };
        Self {
            id,
            scope,
            configurations: vec![
                ("domain-name".to_owned(), vec![domain]),
                (
                    "domain-name-servers".to_owned(),
                    vec!["AmazonProvidedDNS".to_owned()],
                ),
            ],
            tags: Tags::new(),
        }
    }
}

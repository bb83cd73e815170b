//! DHCP option sets: every region has a default one that every VPC starts with.

use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::ec2::vpc::Vpc;
use crate::error::ModelError;
use crate::id::{DhcpOptionsId, VpcId};
use crate::resource::{Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
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
    /// (`ec2.internal` in us-east-1), docs/aws-semantics.md §1.4.
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

/// The keys CreateDhcpOptions accepts (EC2 API reference).
const KEYS: &[&str] = &[
    "domain-name",
    "domain-name-servers",
    "ntp-servers",
    "netbios-name-servers",
    "netbios-node-type",
    "ipv6-address-preferred-lease-time",
];

impl DhcpOptions {
    /// The `domain-name-servers` values (`AmazonProvidedDNS` or addresses), for the DNS view.
    pub fn domain_name_servers(&self) -> Vec<&str> {
        self.configurations
            .iter()
            .filter(|(k, _)| k == "domain-name-servers")
            .flat_map(|(_, v)| v.iter().map(String::as_str))
            .collect()
    }
}

/// Checks a configuration as AWS does: known keys, at most four servers per server key,
/// addresses where addresses are expected.
fn validate(configurations: &[(String, Vec<String>)]) -> Result<(), ModelError> {
    if configurations.is_empty() {
        return Err(ModelError::missing(
            "The request must contain the parameter dhcpConfiguration",
        ));
    }
    for (key, values) in configurations {
        if !KEYS.contains(&key.as_str()) {
            return Err(ModelError::invalid_value(format!(
                "Value ({key}) for parameter key is invalid. Unknown key."
            )));
        }
        if values.is_empty() {
            return Err(ModelError::invalid_value(format!(
                "Value for parameter {key} must not be empty"
            )));
        }
        let servers = matches!(
            key.as_str(),
            "domain-name-servers" | "ntp-servers" | "netbios-name-servers"
        );
        if servers && values.len() > 4 {
            return Err(ModelError::invalid_value(format!(
                "Too many values for {key}: at most 4"
            )));
        }
        for v in values {
            let ok = match key.as_str() {
                "domain-name-servers" => {
                    v == "AmazonProvidedDNS" || v.parse::<std::net::IpAddr>().is_ok()
                }
                "ntp-servers" | "netbios-name-servers" => v.parse::<std::net::IpAddr>().is_ok(),
                "netbios-node-type" => matches!(v.as_str(), "1" | "2" | "4" | "8"),
                "ipv6-address-preferred-lease-time" => v
                    .parse::<u32>()
                    .is_ok_and(|n| (140..=2_147_483_647).contains(&n)),
                _ => !v.is_empty(),
            };
            if !ok {
                return Err(ModelError::invalid_value(format!(
                    "Value ({v}) for parameter {key} is invalid."
                )));
            }
        }
    }
    Ok(())
}

impl Txn<'_, '_> {
    pub(crate) fn create_dhcp_options(
        &mut self,
        configurations: &[(String, Vec<String>)],
        specs: &[TagSpecification],
    ) -> Result<DhcpOptions, ModelError> {
        validate(configurations)?;
        let id = DhcpOptionsId::generate(self.ctx.ids);
        let tags = tags_for(specs, "dhcp-options", id.as_str())?;
        let options = DhcpOptions {
            id,
            scope: self.ctx.scope.clone(),
            configurations: configurations.to_vec(),
            tags,
        };
        self.put(Resource::DhcpOptions(options.clone()));
        Ok(options)
    }

    /// `None` is AWS's `default`: no option set at all.
    pub(crate) fn associate_dhcp_options(
        &mut self,
        id: Option<&DhcpOptionsId>,
        vpc_id: &VpcId,
    ) -> Result<(), ModelError> {
        let mut vpc = self.model.get::<Vpc>(self.ctx.scope, vpc_id)?.clone();
        if let Some(id) = id {
            self.model.get::<DhcpOptions>(self.ctx.scope, id)?;
        }
        vpc.dhcp_options_id = id.cloned();
        self.put(Resource::Vpc(vpc));
        Ok(())
    }

    pub(crate) fn delete_dhcp_options(&mut self, id: &DhcpOptionsId) -> Result<(), ModelError> {
        self.model.get::<DhcpOptions>(self.ctx.scope, id)?;
        if self
            .model
            .vpcs
            .values()
            .any(|v| v.dhcp_options_id.as_ref() == Some(id))
        {
            return Err(ModelError::dependency(format!(
                "The dhcpOptions '{id}' has dependencies and cannot be deleted."
            )));
        }
        self.delete(ResourceRef::DhcpOptions(id.clone()));
        Ok(())
    }
}

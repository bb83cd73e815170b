//! Instances: no virtual machine, only their place in the network — a primary interface in
//! a subnet, security groups, a private name and address, and (when the subnet maps public
//! addresses or the request asks) a public address. Workloads run "inside" one later.

use crate::ec2::network_interface::{NetworkInterface, private_dns_name};
use crate::ec2::security_group::GroupRef;
use crate::ec2::subnet::Subnet;
use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::ec2::vpc::Vpc;
use crate::error::ModelError;
use crate::id::{InstanceId, NetworkInterfaceId, SecurityGroupId, SubnetId, Timestamp, VpcId};
use crate::resource::{Model, Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    pub id: InstanceId,
    pub scope: Scope,
    pub reservation_id: String,
    pub image_id: String,
    pub instance_type: String,
    pub key_name: Option<String>,
    pub state: InstanceState,
    pub vpc_id: VpcId,
    pub subnet_id: SubnetId,
    pub availability_zone: String,
    pub primary_interface: NetworkInterfaceId,
    pub private_ip: Ipv4Addr,
    /// An auto-assigned public address (not an Elastic IP); released on stop.
    pub public_ip: Option<Ipv4Addr>,
    pub map_public_ip: bool,
    pub launch_index: u32,
    pub launched: Timestamp,
    pub client_token: Option<String>,
    pub tags: Tags,
    /// Termination protection (`disableApiTermination`): TerminateInstances refuses it.
    #[serde(default)]
    pub disable_api_termination: bool,
    /// Stop protection (`disableApiStop`): StopInstances refuses it.
    #[serde(default)]
    pub disable_api_stop: bool,
    /// The instance profile's ARN (`IamInstanceProfile`): its role's credentials are what
    /// the instance metadata service hands out (IAM itself is not emulated: the role is
    /// named as the profile, docs/aws-choices.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam_instance_profile: Option<String>,
}

/// A change of ModifyInstanceAttribute (the attributes localvpc keeps).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InstanceAttributeChange {
    DisableApiTermination(bool),
    DisableApiStop(bool),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InstanceState {
    Running,
    Stopped,
    Terminated,
}

impl InstanceState {
    /// The API's (code, name) pair.
    pub fn code_name(self) -> (u8, &'static str) {
        match self {
            Self::Running => (16, "running"),
            Self::Stopped => (80, "stopped"),
            Self::Terminated => (48, "terminated"),
        }
    }
}

impl Instance {
    pub fn private_dns_name(&self) -> String {
        private_dns_name(&self.scope.region, self.private_ip)
    }

    /// The role of its instance profile: named as the profile (IAM is not emulated).
    pub fn role_name(&self) -> Option<&str> {
        self.iam_instance_profile
            .as_deref()
            .and_then(|arn| arn.rsplit('/').next())
            .filter(|name| !name.is_empty())
    }

    /// `ec2-203-0-113-5.<region>.compute.amazonaws.com` (us-east-1: `compute-1`), docs/aws-semantics.md §1.4.
    pub fn public_dns_name(&self, public_ip: Ipv4Addr) -> String {
        let dashed = public_ip.to_string().replace('.', "-");
        if self.scope.region == "us-east-1" {
            format!("ec2-{dashed}.compute-1.amazonaws.com")
        } else {
            format!("ec2-{dashed}.{}.compute.amazonaws.com", self.scope.region)
        }
    }
}

/// RunInstances' input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInstances {
    pub image_id: String,
    pub instance_type: String,
    pub min_count: u32,
    pub max_count: u32,
    pub subnet_id: Option<SubnetId>,
    pub availability_zone: Option<String>,
    pub groups: Vec<SecurityGroupId>,
    /// `SecurityGroup.N` names ([Default VPC]): resolved in the VPC the launch goes to,
    /// after `groups`.
    #[serde(default)]
    pub group_names: Vec<String>,
    pub private_ip: Option<Ipv4Addr>,
    /// `Ipv6Addresses` of the primary interface (one instance only).
    #[serde(default)]
    pub ipv6_addresses: Vec<std::net::Ipv6Addr>,
    /// `Ipv6AddressCount`; None takes the subnet's `AssignIpv6AddressOnCreation`.
    #[serde(default)]
    pub ipv6_count: Option<u32>,
    pub associate_public_ip: Option<bool>,
    pub key_name: Option<String>,
    pub client_token: Option<String>,
    pub tag_specifications: Vec<TagSpecification>,
    #[serde(default)]
    pub disable_api_termination: bool,
    #[serde(default)]
    pub disable_api_stop: bool,
    /// The instance profile's ARN.
    #[serde(default)]
    pub iam_instance_profile: Option<String>,
}

/// An interface attached to an instance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterfaceAttachment {
    pub id: String,
    pub instance_id: InstanceId,
    pub device_index: u32,
    pub delete_on_termination: bool,
    /// The network card it is on: always 0 (localvpc's instances have one card).
    #[serde(default)]
    pub network_card_index: u32,
    /// When AttachNetworkInterface attached it; `None` for a primary interface (attached
    /// at launch: the instance's launch time).
    #[serde(default)]
    pub attached: Option<Timestamp>,
}

impl Model {
    /// The interfaces attached to each of `instances`, by device index (primary first),
    /// with one pass over each of their VPCs' interfaces (a Describe answers many instances).
    pub fn interfaces_of_instances<'a>(
        &'a self,
        instances: &[&Instance],
    ) -> std::collections::BTreeMap<InstanceId, Vec<&'a NetworkInterface>> {
        let wanted: std::collections::BTreeSet<&InstanceId> =
            instances.iter().map(|i| &i.id).collect();
        let vpcs: std::collections::BTreeSet<&VpcId> =
            instances.iter().map(|i| &i.vpc_id).collect();
        let mut found: std::collections::BTreeMap<InstanceId, Vec<&NetworkInterface>> =
            std::collections::BTreeMap::new();
        for vpc in vpcs {
            let attached = self
                .members_of::<NetworkInterface>(
                    vpc,
                    crate::id::ResourceKind::NetworkInterface,
                    |id| NetworkInterfaceId::parse(id).ok(),
                )
                .filter_map(|e| e.attachment.as_ref().map(|a| (&a.instance_id, e)));
            for (instance, e) in attached {
                if wanted.contains(instance) {
                    found.entry(instance.clone()).or_default().push(e);
                }
            }
        }
        for list in found.values_mut() {
            list.sort_by_key(|e| e.attachment.as_ref().map(|a| a.device_index));
        }
        found
    }

    /// The interfaces attached to an instance, by device index (primary first). Attached
    /// interfaces are in the instance's VPC, so the VPC's membership index finds them.
    pub fn interfaces_of_instance(&self, instance: &Instance) -> Vec<&NetworkInterface> {
        let mut found: Vec<&NetworkInterface> = self
            .members_of::<NetworkInterface>(
                &instance.vpc_id,
                crate::id::ResourceKind::NetworkInterface,
                |id| NetworkInterfaceId::parse(id).ok(),
            )
            .filter(|e| {
                e.attachment
                    .as_ref()
                    .is_some_and(|a| a.instance_id == instance.id)
            })
            .collect();
        found.sort_by_key(|e| e.attachment.as_ref().map(|a| a.device_index));
        found
    }
}

/// The shapes AWS accepts as an instance type: family, generation and size (`t3.micro`).
fn valid_instance_type(t: &str) -> bool {
    t.split_once('.').is_some_and(|(family, size)| {
        !family.is_empty()
            && !size.is_empty()
            && family
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && size
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

impl Txn<'_, '_> {
    /// The groups of a launch: the ids given, then the groups named. Names are the default
    /// VPC's form (RunInstances reference, `SecurityGroup.N`); with a subnet of another VPC
    /// AWS refuses them with the combination error below.
    fn launch_groups(
        &self,
        input: &RunInstances,
        group_names: &[String],
        subnet: &Subnet,
    ) -> Result<Vec<SecurityGroupId>, ModelError> {
        let mut groups = input.groups.clone();
        if group_names.is_empty() {
            return Ok(groups);
        }
        if !self
            .model
            .vpcs
            .get(&subnet.vpc_id)
            .is_some_and(|v| v.is_default)
        {
            return Err(ModelError::InvalidParameterCombination {
                message: "The parameter groupName cannot be used with the parameter subnet"
                    .to_owned(),
            });
        }
        for name in group_names {
            let id = self.resolve_group(&GroupRef::Name(name.clone()))?.id;
            if !groups.contains(&id) {
                groups.push(id);
            }
        }
        Ok(groups)
    }

    pub(crate) fn run_instances(
        &mut self,
        input: &RunInstances,
    ) -> Result<Vec<Instance>, ModelError> {
        let group_names = &input.group_names;
        let scope = self.ctx.scope.clone();
        if !crate::ec2::image::valid_image_id(&input.image_id) {
            return Err(ModelError::InvalidAmiMalformed {
                id: input.image_id.clone(),
            });
        }
        if !valid_instance_type(&input.instance_type) {
            return Err(ModelError::invalid_value(format!(
                "The instance type '{}' does not exist in this region",
                input.instance_type
            )));
        }
        if input.min_count == 0 || input.max_count < input.min_count {
            return Err(ModelError::invalid_value(format!(
                "Invalid MinCount {} / MaxCount {}: MinCount must be at least 1 and not exceed MaxCount",
                input.min_count, input.max_count
            )));
        }
        if (input.private_ip.is_some() || !input.ipv6_addresses.is_empty()) && input.max_count > 1 {
            return Err(ModelError::InvalidParameterCombination {
                message: "A private IP address can be given for one instance only".to_owned(),
            });
        }
        let subnet = match &input.subnet_id {
            Some(id) => self.model.get::<Subnet>(&scope, id)?.clone(),
            None => {
                let default_vpc = self
                    .model
                    .in_scope::<Vpc>(&scope)
                    .find(|v| v.is_default)
                    .cloned()
                    .ok_or(ModelError::VpcIdNotSpecified)?;
                let mut candidates: Vec<_> = self
                    .model
                    .in_scope::<Subnet>(&scope)
                    .filter(|s| s.vpc_id == default_vpc.id && s.default_for_az)
                    .cloned()
                    .collect();
                candidates.sort_by(|a, b| a.availability_zone.cmp(&b.availability_zone));
                let chosen = match &input.availability_zone {
                    Some(az) => candidates.into_iter().find(|s| &s.availability_zone == az),
                    None => candidates.into_iter().next(),
                };
                chosen.ok_or_else(|| {
                    ModelError::invalid_value("No default subnet for the requested placement")
                })?
            }
        };
        if input
            .availability_zone
            .as_ref()
            .is_some_and(|az| az != &subnet.availability_zone)
        {
            return Err(ModelError::invalid_value(format!(
                "The subnet {} is not in the requested availability zone",
                subnet.id
            )));
        }
        let groups = self.launch_groups(input, group_names, &subnet)?;
        // An explicit address may lie in a CIDR reservation; automatic ones never do.
        let free = if input.private_ip.is_some() {
            self.model.available_ip_count(&subnet)
        } else {
            self.model.assignable_ip_count(&subnet)
        };
        let count = u64::from(input.max_count).min(free);
        if count < u64::from(input.min_count) {
            return Err(ModelError::InsufficientFreeAddresses {
                subnet_id: subnet.id.to_string(),
            });
        }
        let reservation_id = format!("r-{}", self.ctx.ids.hex(17));
        let map_public_ip = input
            .associate_public_ip
            .unwrap_or(subnet.map_public_ip_on_launch);
        if map_public_ip
            && !self
                .model
                .internet_gateways
                .values()
                .any(|g| g.attached_vpc.as_ref() == Some(&subnet.vpc_id))
            && input.associate_public_ip == Some(true)
        {
            return Err(ModelError::invalid_value(format!(
                "Network {} has no internet gateway attached; a public IP address cannot be associated",
                subnet.vpc_id
            )));
        }
        let mut launched = Vec::new();
        for index in 0..u32::try_from(count).unwrap_or(u32::MAX) {
            let id = InstanceId::generate(self.ctx.ids);
            let eni = self.create_network_interface(
                &crate::ec2::network_interface::CreateNetworkInterface {
                    subnet_id: Some(subnet.id.clone()),
                    description: Some(String::new()),
                    private_ip: input.private_ip,
                    groups: groups.clone(),
                    ipv6_addresses: input.ipv6_addresses.clone(),
                    ipv6_count: input.ipv6_count,
                    ..Default::default()
                },
            )?;
            let mut eni: NetworkInterface = eni;
            eni.attachment = Some(InterfaceAttachment {
                id: format!("eni-attach-{}", self.ctx.ids.hex(17)),
                instance_id: id.clone(),
                device_index: 0,
                delete_on_termination: true,
                network_card_index: 0,
                attached: None,
            });
            self.put(Resource::NetworkInterface(eni.clone()));
            let public_ip = if map_public_ip {
                Some(crate::ec2::elastic_ip::allocate_public_ip(self.model)?)
            } else {
                None
            };
            let tags = tags_for(
                &input
                    .tag_specifications
                    .iter()
                    .filter(|s| s.resource_type == "instance")
                    .cloned()
                    .collect::<Vec<_>>(),
                "instance",
                id.as_str(),
            )?;
            let instance = Instance {
                id,
                scope: scope.clone(),
                reservation_id: reservation_id.clone(),
                image_id: input.image_id.clone(),
                instance_type: input.instance_type.clone(),
                key_name: input.key_name.clone(),
                state: InstanceState::Running,
                vpc_id: subnet.vpc_id.clone(),
                subnet_id: subnet.id.clone(),
                availability_zone: subnet.availability_zone.clone(),
                primary_interface: eni.id.clone(),
                private_ip: eni.private_ip,
                public_ip,
                map_public_ip,
                launch_index: index,
                launched: self.ctx.now,
                client_token: input.client_token.clone(),
                tags,
                disable_api_termination: input.disable_api_termination,
                disable_api_stop: input.disable_api_stop,
                iam_instance_profile: input.iam_instance_profile.clone(),
            };
            self.put(Resource::Instance(instance.clone()));
            launched.push(instance);
        }
        for spec in &input.tag_specifications {
            if !matches!(
                spec.resource_type.as_str(),
                "instance" | "network-interface" | "volume"
            ) {
                return Err(ModelError::invalid_value(format!(
                    "'{}' is not a valid taggable resource type for this operation.",
                    spec.resource_type
                )));
            }
        }
        Ok(launched)
    }

    fn instance_mut(&self, id: &InstanceId) -> Result<Instance, ModelError> {
        Ok(self.model.get::<Instance>(self.ctx.scope, id)?.clone())
    }

    /// ModifyInstanceAttribute.
    pub(crate) fn modify_instance_attribute(
        &mut self,
        id: &InstanceId,
        change: InstanceAttributeChange,
    ) -> Result<(), ModelError> {
        let mut instance = self.instance_mut(id)?;
        match change {
            InstanceAttributeChange::DisableApiTermination(on) => {
                instance.disable_api_termination = on;
            }
            InstanceAttributeChange::DisableApiStop(on) => instance.disable_api_stop = on,
        }
        self.put(Resource::Instance(instance));
        Ok(())
    }

    /// Changes each instance's state; returns (id, previous, current) as the API reports.
    pub(crate) fn change_instance_states(
        &mut self,
        ids: &[InstanceId],
        target: InstanceState,
    ) -> Result<Vec<(InstanceId, InstanceState, InstanceState)>, ModelError> {
        let mut changes = Vec::new();
        for id in ids {
            let mut instance = self.instance_mut(id)?;
            let previous = instance.state;
            if previous == InstanceState::Terminated && target != InstanceState::Terminated {
                return Err(ModelError::IncorrectInstanceState {
                    id: id.to_string(),
                    state: "terminated",
                });
            }
            let protected = match target {
                InstanceState::Terminated => instance
                    .disable_api_termination
                    .then_some(("terminated", "disableApiTermination")),
                InstanceState::Stopped => instance
                    .disable_api_stop
                    .then_some(("stopped", "disableApiStop")),
                InstanceState::Running => None,
            };
            if let (Some((verb, attribute)), true) = (protected, previous != target) {
                return Err(ModelError::OperationNotPermitted {
                    message: format!(
                        "The instance '{id}' may not be {verb}. Modify its '{attribute}' instance attribute and try again."
                    ),
                });
            }
            if previous != target {
                match target {
                    InstanceState::Terminated => self.terminate(&mut instance)?,
                    InstanceState::Stopped => instance.public_ip = None,
                    InstanceState::Running => {
                        if instance.map_public_ip {
                            instance.public_ip =
                                Some(crate::ec2::elastic_ip::allocate_public_ip(self.model)?);
                        }
                    }
                }
                instance.state = target;
                self.put(Resource::Instance(instance));
            }
            changes.push((id.clone(), previous, target));
        }
        Ok(changes)
    }

    /// Releases what a terminated instance held: its public address and the interfaces
    /// deleted on termination (their Elastic IPs are disassociated, not released); the
    /// other interfaces are detached and keep their Elastic IPs.
    fn terminate(&mut self, instance: &mut Instance) -> Result<(), ModelError> {
        instance.public_ip = None;
        let attached: Vec<NetworkInterface> = self
            .model
            .interfaces_of_instance(instance)
            .into_iter()
            .cloned()
            .collect();
        for mut eni in attached {
            let delete = eni
                .attachment
                .as_ref()
                .is_some_and(|a| a.delete_on_termination);
            if !delete {
                // A surviving interface keeps its addresses and Elastic IP associations.
                eni.attachment = None;
                self.put(Resource::NetworkInterface(eni));
                continue;
            }
            let mapped: Vec<_> = self
                .model
                .elastic_ips
                .values()
                .filter(|e| {
                    e.association
                        .as_ref()
                        .is_some_and(|a| a.network_interface_id == eni.id)
                })
                .map(|e| (**e).clone())
                .collect();
            for mut eip in mapped {
                eip.association = None;
                self.put(Resource::ElasticIp(eip));
            }
            self.delete(ResourceRef::NetworkInterface(eni.id.clone()));
        }
        Ok(())
    }
}

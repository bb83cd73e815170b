//! Elastic network interfaces: one subnet, a primary private IP (plus secondaries), IPv6
//! addresses from the subnet's IPv6 block, security groups. Endpoints, load balancers and
//! resolver endpoints create requester-managed interfaces the user can see but not delete or
//! modify.

use crate::cidr::{self, Ipv4Cidr, Ipv6Cidr};
use crate::ec2::instance::{Instance, InstanceState, InterfaceAttachment};
use crate::ec2::security_group::SecurityGroup;
use crate::ec2::subnet::Subnet;
use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::error::ModelError;
use crate::id::{InstanceId, NetworkInterfaceId, SecurityGroupId, SubnetId, VpcId};
use crate::resource::{Model, Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::net::{Ipv4Addr, Ipv6Addr};

/// AWS's quota of security groups per interface.
pub(crate) const MAX_GROUPS: usize = 5;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkInterface {
    pub id: NetworkInterfaceId,
    pub scope: Scope,
    pub vpc_id: VpcId,
    pub subnet_id: SubnetId,
    pub availability_zone: String,
    pub availability_zone_id: String,
    pub description: String,
    /// `interface`, or `vpc_endpoint`, `network_load_balancer`, … for managed ones.
    pub interface_type: String,
    /// Who created it on the user's behalf (`amazon-elb`, the service principal…).
    pub requester_id: Option<String>,
    pub requester_managed: bool,
    pub private_ip: Ipv4Addr,
    pub secondary_ips: Vec<Ipv4Addr>,
    pub groups: Vec<SecurityGroupId>,
    pub source_dest_check: bool,
    pub mac_address: String,
    /// Set while attached to an instance.
    #[serde(default)]
    pub attachment: Option<InterfaceAttachment>,
    /// IPv6 addresses from the subnet's IPv6 block.
    #[serde(default)]
    pub ipv6_addresses: Vec<Ipv6Addr>,
    pub tags: Tags,
}

impl NetworkInterface {
    pub fn addresses(&self) -> impl Iterator<Item = Ipv4Addr> + '_ {
        std::iter::once(self.private_ip).chain(self.secondary_ips.iter().copied())
    }

    pub fn status(&self) -> &'static str {
        // Managed interfaces are in use by their service, attached ones by their instance.
        if self.requester_managed || self.attachment.is_some() {
            "in-use"
        } else {
            "available"
        }
    }
}

/// Amazon-provided private DNS name of an address (docs/aws-semantics.md §1.4).
pub fn private_dns_name(region: &str, ip: Ipv4Addr) -> String {
    let dashed = ip.to_string().replace('.', "-");
    if region == "us-east-1" {
        format!("ip-{dashed}.ec2.internal")
    } else {
        format!("ip-{dashed}.{region}.compute.internal")
    }
}

/// CreateNetworkInterface's input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateNetworkInterface {
    pub subnet_id: Option<SubnetId>,
    pub description: Option<String>,
    pub private_ip: Option<Ipv4Addr>,
    pub secondary_ips: Vec<Ipv4Addr>,
    pub secondary_count: u32,
    pub groups: Vec<SecurityGroupId>,
    /// `Ipv6Addresses`: explicit addresses from the subnet's IPv6 block.
    #[serde(default)]
    pub ipv6_addresses: Vec<Ipv6Addr>,
    /// `Ipv6AddressCount`; None takes the subnet's `AssignIpv6AddressOnCreation` (one or none).
    #[serde(default)]
    pub ipv6_count: Option<u32>,
    pub tag_specifications: Vec<TagSpecification>,
}

/// An interface created by a service for the user (endpoint, load balancer, resolver).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ManagedInterface<'a> {
    pub(crate) subnet_id: &'a SubnetId,
    pub(crate) ip: Option<Ipv4Addr>,
    pub(crate) groups: Vec<SecurityGroupId>,
    pub(crate) description: String,
    pub(crate) interface_type: &'a str,
    pub(crate) requester_id: &'a str,
    /// NAT gateways forward others' traffic, so their interface has the check off.
    pub(crate) source_dest_check: bool,
}

/// One attribute of ModifyNetworkInterfaceAttribute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NetworkInterfaceAttribute {
    Description(String),
    SourceDestCheck(bool),
    Groups(Vec<SecurityGroupId>),
    /// `Attachment.DeleteOnTermination` of the attachment named `attachment_id`.
    DeleteOnTermination {
        attachment_id: String,
        delete_on_termination: bool,
    },
}

/// AttachNetworkInterface's input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachNetworkInterface {
    pub network_interface_id: NetworkInterfaceId,
    pub instance_id: InstanceId,
    pub device_index: u32,
    /// `NetworkCardIndex`; only card 0 exists here.
    pub network_card_index: Option<u32>,
}

/// The prefix of interface attachment ids (`eni-attach-0123…`).
pub const ATTACHMENT_PREFIX: &str = "eni-attach-";

/// `InvalidAttachmentID.NotFound` for an attachment id that names no attachment of the caller.
fn attachment_not_found(id: &str) -> ModelError {
    ModelError::AttachmentNotFound { id: id.to_owned() }
}

impl Model {
    /// Addresses taken in a subnet by any interface.
    pub fn used_addresses(&self, subnet_id: &SubnetId) -> BTreeSet<Ipv4Addr> {
        self.interfaces_of_subnet(subnet_id)
            .flat_map(|e| e.addresses().collect::<Vec<_>>())
            .collect()
    }

    /// IPv6 addresses taken in a subnet by any interface.
    pub fn used_ipv6_addresses(&self, subnet_id: &SubnetId) -> BTreeSet<Ipv6Addr> {
        self.interfaces_of_subnet(subnet_id)
            .flat_map(|e| e.ipv6_addresses.clone())
            .collect()
    }

    /// The interfaces in a subnet (through its VPC's membership index).
    fn interfaces_of_subnet<'a>(
        &'a self,
        subnet_id: &'a SubnetId,
    ) -> impl Iterator<Item = &'a NetworkInterface> + 'a {
        let vpc = self.subnets.get(subnet_id).map(|s| s.vpc_id.clone());
        vpc.into_iter()
            .flat_map(move |vpc| {
                self.members_of::<NetworkInterface>(
                    &vpc,
                    crate::id::ResourceKind::NetworkInterface,
                    |id| NetworkInterfaceId::parse(id).ok(),
                )
                .collect::<Vec<_>>()
            })
            .filter(move |e| &e.subnet_id == subnet_id)
    }

    /// The network interfaces in a VPC (instances', endpoints', load balancers'…), of any
    /// owner (through the VPC's membership index, not a scan).
    pub fn interfaces_of_vpc<'a>(
        &'a self,
        vpc_id: &'a VpcId,
    ) -> impl Iterator<Item = &'a NetworkInterface> + 'a {
        self.members_of::<NetworkInterface>(
            vpc_id,
            crate::id::ResourceKind::NetworkInterface,
            |id| NetworkInterfaceId::parse(id).ok(),
        )
    }
}

/// Why an address cannot be used in a subnet, if it cannot (docs/aws-semantics.md §1.3).
fn check_address(
    subnet: &Subnet,
    ip: Ipv4Addr,
    used: &BTreeSet<Ipv4Addr>,
) -> Result<(), ModelError> {
    if !subnet.cidr_block.contains(&ip) {
        return Err(ModelError::invalid_value(format!(
            "Address {ip} does not fall within the subnet's address range"
        )));
    }
    let offset = u32::from(ip) - u32::from(subnet.cidr_block.network());
    let size = u32::try_from(cidr::size(&subnet.cidr_block)).unwrap_or(u32::MAX);
    if offset < 4 || offset + 1 == size {
        return Err(ModelError::invalid_value(format!(
            "Address {ip} is in subnet's reserved address range"
        )));
    }
    if used.contains(&ip) {
        return Err(ModelError::AddressInUse { ip: ip.to_string() });
    }
    Ok(())
}

/// Why an IPv6 address cannot be used in a subnet, if it cannot: the subnet needs an IPv6
/// block holding it, outside the reserved first four and last addresses (docs/aws-semantics.md §1.3).
fn check_ipv6_address(
    subnet: &Subnet,
    ip: Ipv6Addr,
    used: &BTreeSet<Ipv6Addr>,
) -> Result<(), ModelError> {
    let block = ipv6_block(subnet)?;
    if !block.contains(&ip) {
        return Err(ModelError::invalid_value(format!(
            "Address {ip} does not fall within the subnet's IPv6 address range {block}"
        )));
    }
    let offset = u128::from(ip) - u128::from(block.network());
    if offset < 4 || ip == block.broadcast() {
        return Err(ModelError::invalid_value(format!(
            "Address {ip} is in subnet's reserved address range"
        )));
    }
    if used.contains(&ip) {
        return Err(ModelError::AddressInUse { ip: ip.to_string() });
    }
    Ok(())
}

fn ipv6_block(subnet: &Subnet) -> Result<Ipv6Cidr, ModelError> {
    subnet.ipv6_cidr().copied().ok_or_else(|| {
        ModelError::invalid_value(format!(
            "The subnet {} has no IPv6 CIDR block; IPv6 addresses cannot be assigned in it",
            subnet.id
        ))
    })
}

/// The lowest free usable IPv6 address of the subnet's block outside `reserved` (its CIDR
/// reservations, which automatic assignment never uses).
fn first_free_ipv6(
    subnet: &Subnet,
    used: &BTreeSet<Ipv6Addr>,
    reserved: &[Ipv6Cidr],
) -> Result<Ipv6Addr, ModelError> {
    let block = ipv6_block(subnet)?;
    let last = u128::from(block.broadcast());
    let mut n = u128::from(block.network()).saturating_add(4);
    // Each step returns, passes one address in use or one whole reserved range, so a /64
    // (far more addresses than a subnet can use up) is never walked.
    while n < last {
        let ip = Ipv6Addr::from(n);
        if let Some(range) = reserved.iter().find(|r| r.contains(&ip)) {
            n = u128::from(range.broadcast()).saturating_add(1);
        } else if used.contains(&ip) {
            n += 1;
        } else {
            return Ok(ip);
        }
    }
    Err(ModelError::InsufficientFreeAddresses {
        subnet_id: subnet.id.to_string(),
    })
}

/// Picks the explicit addresses (checked) plus `count` lowest free ones.
fn pick_ipv6(
    subnet: &Subnet,
    used: &mut BTreeSet<Ipv6Addr>,
    reserved: &[Ipv6Cidr],
    explicit: &[Ipv6Addr],
    count: u32,
) -> Result<Vec<Ipv6Addr>, ModelError> {
    let mut picked = Vec::new();
    for ip in explicit {
        check_ipv6_address(subnet, *ip, used)?;
        used.insert(*ip);
        picked.push(*ip);
    }
    for _ in 0..count {
        let ip = first_free_ipv6(subnet, used, reserved)?;
        used.insert(ip);
        picked.push(ip);
    }
    Ok(picked)
}

/// The lowest free usable address outside `reserved` (the subnet's CIDR reservations, which
/// automatic assignment never uses). AWS picks any free one; lowest is repeatable.
fn first_free(
    subnet: &Subnet,
    used: &BTreeSet<Ipv4Addr>,
    reserved: &[Ipv4Cidr],
) -> Result<Ipv4Addr, ModelError> {
    let base = u32::from(subnet.cidr_block.network());
    let size = u32::try_from(cidr::size(&subnet.cidr_block)).unwrap_or(u32::MAX);
    let mut n: u32 = 4;
    while n < size.saturating_sub(1) {
        let ip = cidr::nth(&subnet.cidr_block, n);
        if let Some(range) = reserved.iter().find(|r| r.contains(&ip)) {
            n = (u32::from(range.broadcast()) - base).saturating_add(1);
        } else if used.contains(&ip) {
            n += 1;
        } else {
            return Ok(ip);
        }
    }
    Err(ModelError::InsufficientFreeAddresses {
        subnet_id: subnet.id.to_string(),
    })
}

impl Txn<'_, '_> {
    /// Checks that every group exists in the scope and belongs to the VPC.
    fn check_groups(&self, vpc_id: &VpcId, groups: &[SecurityGroupId]) -> Result<(), ModelError> {
        if groups.len() > MAX_GROUPS {
            return Err(ModelError::SecurityGroupsPerInterfaceLimitExceeded);
        }
        for g in groups {
            let group = self.model.get::<SecurityGroup>(self.ctx.scope, g)?;
            if &group.vpc_id != vpc_id {
                return Err(ModelError::invalid_value(format!(
                    "The security group '{g}' does not belong to VPC '{vpc_id}'"
                )));
            }
        }
        Ok(())
    }

    fn new_interface(
        &mut self,
        subnet: &Subnet,
        primary: Option<Ipv4Addr>,
        secondary: &[Ipv4Addr],
        secondary_count: u32,
        groups: Vec<SecurityGroupId>,
    ) -> Result<NetworkInterface, ModelError> {
        let mut used = self.model.used_addresses(&subnet.id);
        let reserved = self.model.reserved_v4(subnet);
        let private_ip = match primary {
            Some(ip) => {
                check_address(subnet, ip, &used)?;
                ip
            }
            None => {
                // The automatic primary never takes a secondary the same request names.
                let mut taken = used.clone();
                taken.extend(secondary.iter().copied());
                first_free(subnet, &taken, &reserved)?
            }
        };
        used.insert(private_ip);
        let mut secondary_ips = Vec::new();
        for ip in secondary {
            check_address(subnet, *ip, &used)?;
            used.insert(*ip);
            secondary_ips.push(*ip);
        }
        for _ in 0..secondary_count {
            let ip = first_free(subnet, &used, &reserved)?;
            used.insert(ip);
            secondary_ips.push(ip);
        }
        let id = NetworkInterfaceId::generate(self.ctx.ids);
        let mac = self.ctx.ids.hex(10);
        let mac_address = format!(
            "0e:{}:{}:{}:{}:{}",
            mac.get(0..2).unwrap_or("00"),
            mac.get(2..4).unwrap_or("00"),
            mac.get(4..6).unwrap_or("00"),
            mac.get(6..8).unwrap_or("00"),
            mac.get(8..10).unwrap_or("00")
        );
        Ok(NetworkInterface {
            id,
            scope: self.ctx.scope.clone(),
            vpc_id: subnet.vpc_id.clone(),
            subnet_id: subnet.id.clone(),
            availability_zone: subnet.availability_zone.clone(),
            availability_zone_id: subnet.availability_zone_id.clone(),
            description: String::new(),
            interface_type: "interface".to_owned(),
            requester_id: None,
            requester_managed: false,
            private_ip,
            secondary_ips,
            groups,
            source_dest_check: true,
            mac_address,
            attachment: None,
            ipv6_addresses: Vec::new(),
            tags: Tags::new(),
        })
    }

    pub(crate) fn create_network_interface(
        &mut self,
        input: &CreateNetworkInterface,
    ) -> Result<NetworkInterface, ModelError> {
        let Some(subnet_id) = &input.subnet_id else {
            return Err(ModelError::missing(
                "The request must contain the parameter SubnetId",
            ));
        };
        let subnet = self.model.get::<Subnet>(self.ctx.scope, subnet_id)?.clone();
        let groups = if input.groups.is_empty() {
            let default = self
                .model
                .in_scope::<SecurityGroup>(self.ctx.scope)
                .find(|g| g.vpc_id == subnet.vpc_id && g.is_default());
            default.map(|g| vec![g.id.clone()]).unwrap_or_default()
        } else {
            input.groups.clone()
        };
        self.check_groups(&subnet.vpc_id, &groups)?;
        let ipv6_count = match (input.ipv6_addresses.is_empty(), input.ipv6_count) {
            (false, Some(_)) => {
                return Err(ModelError::InvalidParameterCombination {
                    message: "Only one of ipv6Addresses or ipv6AddressCount may be specified"
                        .to_owned(),
                });
            }
            (_, Some(n)) => n,
            // AssignIpv6AddressOnCreation gives interfaces created in the subnet one address.
            (true, None) => u32::from(subnet.assign_ipv6_address_on_creation),
            (false, None) => 0,
        };
        let mut used6 = self.model.used_ipv6_addresses(&subnet.id);
        let reserved6 = self.model.reserved_v6(&subnet);
        let ipv6_addresses = pick_ipv6(
            &subnet,
            &mut used6,
            &reserved6,
            &input.ipv6_addresses,
            ipv6_count,
        )?;
        let mut eni = self.new_interface(
            &subnet,
            input.private_ip,
            &input.secondary_ips,
            input.secondary_count,
            groups,
        )?;
        eni.ipv6_addresses = ipv6_addresses;
        eni.description = input.description.clone().unwrap_or_default();
        eni.tags = tags_for(
            &input.tag_specifications,
            "network-interface",
            eni.id.as_str(),
        )?;
        self.put(Resource::NetworkInterface(eni.clone()));
        Ok(eni)
    }

    /// Creates a requester-managed interface for a service (endpoint, NLB, resolver).
    pub(crate) fn create_managed_interface(
        &mut self,
        spec: ManagedInterface<'_>,
    ) -> Result<NetworkInterface, ModelError> {
        let subnet = self
            .model
            .get::<Subnet>(self.ctx.scope, spec.subnet_id)?
            .clone();
        self.check_groups(&subnet.vpc_id, &spec.groups)?;
        let mut eni = self.new_interface(&subnet, spec.ip, &[], 0, spec.groups)?;
        eni.description = spec.description;
        eni.interface_type = spec.interface_type.to_owned();
        eni.requester_id = Some(spec.requester_id.to_owned());
        eni.requester_managed = true;
        eni.source_dest_check = spec.source_dest_check;
        self.put(Resource::NetworkInterface(eni.clone()));
        Ok(eni)
    }

    fn user_interface(
        &self,
        id: &NetworkInterfaceId,
        action: &str,
    ) -> Result<NetworkInterface, ModelError> {
        let eni = self.model.get::<NetworkInterface>(self.ctx.scope, id)?;
        if eni.requester_managed {
            return Err(ModelError::OperationNotPermitted {
                message: format!(
                    "You do not have permission to {action} the specified network interface {id}: it is managed by {}",
                    eni.requester_id.as_deref().unwrap_or("an AWS service")
                ),
            });
        }
        Ok(eni.clone())
    }

    pub(crate) fn delete_network_interface(
        &mut self,
        id: &NetworkInterfaceId,
    ) -> Result<(), ModelError> {
        let eni = self.user_interface(id, "delete")?;
        if let Some(a) = &eni.attachment {
            return Err(ModelError::InterfaceInUse {
                id: id.to_string(),
                instance: a.instance_id.to_string(),
            });
        }
        // Deleting an interface releases its Elastic IP associations (EC2 User Guide).
        let mapped: Vec<_> = self
            .model
            .elastic_ips
            .values()
            .filter(|e| {
                e.association
                    .as_ref()
                    .is_some_and(|a| &a.network_interface_id == id)
            })
            .map(|e| (**e).clone())
            .collect();
        for mut eip in mapped {
            eip.association = None;
            self.put(Resource::ElasticIp(eip));
        }
        self.delete(ResourceRef::NetworkInterface(id.clone()));
        Ok(())
    }

    pub(crate) fn modify_network_interface(
        &mut self,
        id: &NetworkInterfaceId,
        attribute: &NetworkInterfaceAttribute,
    ) -> Result<(), ModelError> {
        let mut eni = self.user_interface(id, "modify")?;
        match attribute {
            NetworkInterfaceAttribute::Description(d) => eni.description = d.clone(),
            NetworkInterfaceAttribute::SourceDestCheck(v) => eni.source_dest_check = *v,
            NetworkInterfaceAttribute::Groups(groups) => {
                if groups.is_empty() {
                    return Err(ModelError::missing(
                        "The request must contain the parameter groupId",
                    ));
                }
                self.check_groups(&eni.vpc_id, groups)?;
                eni.groups = groups.clone();
            }
            NetworkInterfaceAttribute::DeleteOnTermination {
                attachment_id,
                delete_on_termination,
            } => match &mut eni.attachment {
                Some(a) if &a.id == attachment_id => {
                    a.delete_on_termination = *delete_on_termination;
                }
                _ => return Err(attachment_not_found(attachment_id)),
            },
        }
        self.put(Resource::NetworkInterface(eni));
        Ok(())
    }

    /// Adds secondary addresses. With `allow_reassignment`, an address held as a secondary
    /// by another interface of the subnet moves here (AssignPrivateIpAddresses API reference);
    /// a primary address never moves.
    pub(crate) fn assign_private_ips(
        &mut self,
        id: &NetworkInterfaceId,
        ips: &[Ipv4Addr],
        count: u32,
        allow_reassignment: bool,
    ) -> Result<Vec<Ipv4Addr>, ModelError> {
        let mut eni = self.user_interface(id, "modify")?;
        let subnet = self
            .model
            .get::<Subnet>(self.ctx.scope, &eni.subnet_id)?
            .clone();
        if allow_reassignment {
            let holders: Vec<NetworkInterface> = self
                .model
                .network_interfaces
                .values()
                .filter(|e| {
                    e.id != eni.id
                        && e.subnet_id == subnet.id
                        && e.secondary_ips.iter().any(|a| ips.contains(a))
                })
                .map(|e| (**e).clone())
                .collect();
            for mut holder in holders {
                holder.secondary_ips.retain(|a| !ips.contains(a));
                self.put(Resource::NetworkInterface(holder));
            }
        }
        let mut used = self.model.used_addresses(&subnet.id);
        let reserved = self.model.reserved_v4(&subnet);
        let mut added = Vec::new();
        for ip in ips {
            check_address(&subnet, *ip, &used)?;
            used.insert(*ip);
            added.push(*ip);
        }
        for _ in 0..count {
            let ip = first_free(&subnet, &used, &reserved)?;
            used.insert(ip);
            added.push(ip);
        }
        eni.secondary_ips.extend(added.iter().copied());
        self.put(Resource::NetworkInterface(eni));
        Ok(added)
    }

    /// AssignIpv6Addresses: explicit addresses and/or a count of new ones.
    pub(crate) fn assign_ipv6_addresses(
        &mut self,
        id: &NetworkInterfaceId,
        ips: &[Ipv6Addr],
        count: u32,
    ) -> Result<Vec<Ipv6Addr>, ModelError> {
        let mut eni = self.user_interface(id, "modify")?;
        let subnet = self
            .model
            .get::<Subnet>(self.ctx.scope, &eni.subnet_id)?
            .clone();
        let mut used = self.model.used_ipv6_addresses(&subnet.id);
        let reserved = self.model.reserved_v6(&subnet);
        let added = pick_ipv6(&subnet, &mut used, &reserved, ips, count)?;
        eni.ipv6_addresses.extend(added.iter().copied());
        self.put(Resource::NetworkInterface(eni));
        Ok(added)
    }

    /// UnassignIpv6Addresses: every address must be the interface's.
    pub(crate) fn unassign_ipv6_addresses(
        &mut self,
        id: &NetworkInterfaceId,
        ips: &[Ipv6Addr],
    ) -> Result<Vec<Ipv6Addr>, ModelError> {
        let mut eni = self.user_interface(id, "modify")?;
        if let Some(ip) = ips.iter().find(|ip| !eni.ipv6_addresses.contains(ip)) {
            return Err(ModelError::invalid_value(format!(
                "Some of the specified addresses are not assigned to interface {id}: {ip}"
            )));
        }
        eni.ipv6_addresses.retain(|ip| !ips.contains(ip));
        self.put(Resource::NetworkInterface(eni));
        Ok(ips.to_vec())
    }

    pub(crate) fn unassign_private_ips(
        &mut self,
        id: &NetworkInterfaceId,
        ips: &[Ipv4Addr],
    ) -> Result<(), ModelError> {
        let mut eni = self.user_interface(id, "modify")?;
        for ip in ips {
            if *ip == eni.private_ip {
                return Err(ModelError::invalid_value(format!(
                    "The primary private IP address {ip} of a network interface cannot be unassigned"
                )));
            }
            if !eni.secondary_ips.contains(ip) {
                return Err(ModelError::invalid_value(format!(
                    "Some of the specified addresses are not assigned to interface {id}: {ip}"
                )));
            }
        }
        eni.secondary_ips.retain(|ip| !ips.contains(ip));
        self.put(Resource::NetworkInterface(eni));
        Ok(())
    }

    /// AttachNetworkInterface: an `available` user interface, in the instance's AZ and VPC,
    /// at a device index the instance does not use yet (AWS's message for a used index).
    pub(crate) fn attach_network_interface(
        &mut self,
        input: &AttachNetworkInterface,
    ) -> Result<InterfaceAttachment, ModelError> {
        let mut eni = self.user_interface(&input.network_interface_id, "attach")?;
        let instance = self
            .model
            .get::<Instance>(self.ctx.scope, &input.instance_id)?
            .clone();
        if instance.state == InstanceState::Terminated {
            return Err(ModelError::IncorrectInstanceState {
                id: instance.id.to_string(),
                state: "terminated",
            });
        }
        let card = input.network_card_index.unwrap_or(0);
        if card != 0 {
            return Err(ModelError::invalid_value(format!(
                "Invalid value '{card}' for networkCardIndex: the instance {} has one network card (index 0)",
                instance.id
            )));
        }
        if let Some(a) = &eni.attachment {
            return Err(ModelError::InterfaceInUse {
                id: eni.id.to_string(),
                instance: a.instance_id.to_string(),
            });
        }
        if eni.availability_zone != instance.availability_zone {
            return Err(ModelError::invalid_value(format!(
                "The network interface {} and the instance {} are not in the same availability zone \
                 ({} and {})",
                eni.id, instance.id, eni.availability_zone, instance.availability_zone
            )));
        }
        if eni.vpc_id != instance.vpc_id {
            // Multi-VPC attachments are not emulated (docs/aws-choices.md).
            return Err(ModelError::invalid_value(format!(
                "The network interface {} is in {}, the instance {} in {}: localvpc attaches \
                 interfaces of the instance's own VPC only",
                eni.id, eni.vpc_id, instance.id, instance.vpc_id
            )));
        }
        let taken = self
            .model
            .interfaces_of_instance(&instance)
            .iter()
            .filter_map(|e| e.attachment.as_ref())
            .any(|a| a.device_index == input.device_index && a.network_card_index == card);
        if taken {
            return Err(ModelError::invalid_value(format!(
                "Instance '{}' already has an interface attached at device index '{}'.",
                instance.id, input.device_index
            )));
        }
        let attachment = InterfaceAttachment {
            id: format!("{ATTACHMENT_PREFIX}{}", self.ctx.ids.hex(17)),
            instance_id: instance.id.clone(),
            device_index: input.device_index,
            // AWS's default for an attachment made after launch.
            delete_on_termination: false,
            network_card_index: card,
            attached: Some(self.ctx.now),
        };
        eni.attachment = Some(attachment.clone());
        self.put(Resource::NetworkInterface(eni));
        Ok(attachment)
    }

    /// DetachNetworkInterface: any attachment but the primary interface's (device index 0),
    /// which AWS refuses even with `Force`. `Force` changes nothing else here: there is no
    /// guest to wait for.
    pub(crate) fn detach_network_interface(
        &mut self,
        attachment_id: &str,
    ) -> Result<NetworkInterface, ModelError> {
        if !attachment_id.starts_with(ATTACHMENT_PREFIX) {
            return Err(attachment_not_found(attachment_id));
        }
        let found = self
            .model
            .in_scope::<NetworkInterface>(self.ctx.scope)
            .find(|e| e.attachment.as_ref().is_some_and(|a| a.id == attachment_id));
        let Some(mut eni) = found.cloned() else {
            return Err(attachment_not_found(attachment_id));
        };
        if let Some(a) = &eni.attachment
            && a.device_index == 0
        {
            return Err(ModelError::OperationNotPermitted {
                message: format!(
                    "The network interface at device index 0 and networkCard index {} cannot be detached.",
                    a.network_card_index
                ),
            });
        }
        eni.attachment = None;
        self.put(Resource::NetworkInterface(eni.clone()));
        Ok(eni)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{Command, Outcome};
    use crate::ec2::instance::RunInstances;
    use crate::ec2::subnet::CreateSubnet;
    use crate::ec2::vpc::CreateVpc;
    use crate::id::Timestamp;
    use crate::testing::Harness;

    impl Harness {
        fn instance(&mut self, subnet: &SubnetId) -> Instance {
            match self.run(Command::RunInstances(RunInstances {
                image_id: "ami-12345678".into(),
                instance_type: "t3.micro".into(),
                min_count: 1,
                max_count: 1,
                subnet_id: Some(subnet.clone()),
                ..RunInstances::default()
            })) {
                Ok(Outcome::Instances(mut v)) => v.remove(0),
                o => panic!("{o:?}"),
            }
        }

        fn attach(
            &mut self,
            eni: &NetworkInterfaceId,
            instance: &InstanceId,
            device_index: u32,
        ) -> Result<InterfaceAttachment, ModelError> {
            self.run(Command::AttachNetworkInterface(AttachNetworkInterface {
                network_interface_id: eni.clone(),
                instance_id: instance.clone(),
                device_index,
                network_card_index: None,
            }))
            .map(|o| match o {
                Outcome::NetworkInterfaceAttachment(a) => a,
                o => panic!("{o:?}"),
            })
        }

        fn detach(&mut self, attachment_id: &str) -> Result<Outcome, ModelError> {
            self.run(Command::DetachNetworkInterface {
                attachment_id: attachment_id.to_owned(),
                force: false,
            })
        }

        fn get(&self, id: &NetworkInterfaceId) -> Option<&NetworkInterface> {
            self.model.any::<NetworkInterface>(id)
        }
    }

    #[test]
    fn attach_and_detach_follow_aws_rules() {
        let mut h = Harness::new(false).at(Timestamp(7));
        let vpc = h.vpc("10.0.0.0/16").id;
        let a = h.subnet(&vpc, "10.0.1.0/24", "ap-northeast-1a").unwrap().id;
        let other_az = h.subnet(&vpc, "10.0.2.0/24", "ap-northeast-1c").unwrap().id;
        let instance = h.instance(&a);
        let eni = h.eni(&a);

        let attachment = h.attach(&eni.id, &instance.id, 1).unwrap();
        assert!(attachment.id.starts_with(ATTACHMENT_PREFIX));
        assert_eq!(attachment.id.len(), ATTACHMENT_PREFIX.len() + 17);
        assert!(!attachment.delete_on_termination);
        assert_eq!(attachment.attached, Some(Timestamp(7)));
        let attached = h.get(&eni.id).unwrap();
        assert_eq!(attached.status(), "in-use");
        let on_instance: Vec<_> = h
            .model
            .interfaces_of_instance(&instance)
            .iter()
            .map(|e| e.id.clone())
            .collect();
        assert_eq!(
            on_instance,
            vec![instance.primary_interface.clone(), eni.id.clone()]
        );
        let gathered: Vec<_> = h.model.interfaces_of_instances(&[&instance])[&instance.id]
            .iter()
            .map(|e| e.id.clone())
            .collect();
        assert_eq!(gathered, on_instance);

        // The same interface again: in use. Another at the same index: AWS's message.
        let err = h.attach(&eni.id, &instance.id, 2).unwrap_err();
        assert_eq!(err.code(), "InvalidNetworkInterface.InUse");
        let second = h.eni(&a);
        let err = h.attach(&second.id, &instance.id, 1).unwrap_err();
        assert_eq!(err.code(), "InvalidParameterValue");
        assert_eq!(
            err.to_string(),
            format!(
                "Instance '{}' already has an interface attached at device index '1'.",
                instance.id
            )
        );
        let err = h.attach(&second.id, &instance.id, 0).unwrap_err();
        assert_eq!(err.code(), "InvalidParameterValue");
        // Another AZ.
        let far = h.eni(&other_az);
        let err = h.attach(&far.id, &instance.id, 2).unwrap_err();
        assert_eq!(err.code(), "InvalidParameterValue");
        assert!(err.to_string().contains("availability zone"), "{err}");

        // The primary interface never detaches.
        let primary = h.get(&instance.primary_interface).unwrap().clone();
        let primary_attachment = primary.attachment.unwrap().id;
        let err = h.detach(&primary_attachment).unwrap_err();
        assert_eq!(err.code(), "OperationNotPermitted");

        h.detach(&attachment.id).unwrap();
        let detached = h.get(&eni.id).unwrap();
        assert_eq!(detached.status(), "available");
        assert!(detached.attachment.is_none());
        for unknown in [
            attachment.id.as_str(),
            "eni-attach-0123456789abcdef0",
            "bogus",
        ] {
            let err = h.detach(unknown).unwrap_err();
            assert_eq!(err.code(), "InvalidAttachmentID.NotFound", "{unknown}");
        }
        // The index is free again.
        h.attach(&second.id, &instance.id, 1).unwrap();
    }

    #[test]
    fn termination_deletes_or_detaches_by_delete_on_termination() {
        let mut h = Harness::new(false).at(Timestamp(7));
        let vpc = h.vpc("10.0.0.0/16").id;
        let a = h.subnet(&vpc, "10.0.1.0/24", "ap-northeast-1a").unwrap().id;
        let instance = h.instance(&a);
        let kept = h.eni(&a);
        let dropped = h.eni(&a);
        h.attach(&kept.id, &instance.id, 1).unwrap();
        let att = h.attach(&dropped.id, &instance.id, 2).unwrap();
        let modify = |attachment_id: String, on| Command::ModifyNetworkInterfaceAttribute {
            network_interface_id: dropped.id.clone(),
            attribute: NetworkInterfaceAttribute::DeleteOnTermination {
                attachment_id,
                delete_on_termination: on,
            },
        };
        let err = h
            .run(modify("eni-attach-00000000000000001".into(), true))
            .unwrap_err();
        assert_eq!(err.code(), "InvalidAttachmentID.NotFound");
        h.run(modify(att.id.clone(), true)).unwrap();
        assert!(
            h.get(&dropped.id)
                .unwrap()
                .attachment
                .as_ref()
                .unwrap()
                .delete_on_termination
        );

        h.run(Command::ChangeInstanceStates {
            instance_ids: vec![instance.id.clone()],
            target: InstanceState::Terminated,
        })
        .unwrap();
        assert!(h.get(&instance.primary_interface).is_none());
        assert!(h.get(&dropped.id).is_none());
        let survivor = h.get(&kept.id).unwrap();
        assert!(survivor.attachment.is_none());
        assert_eq!(survivor.status(), "available");
        // A terminated instance takes no interface.
        let err = h.attach(&kept.id, &instance.id, 1).unwrap_err();
        assert_eq!(err.code(), "IncorrectInstanceState");
    }

    #[test]
    fn automatic_primary_skips_secondaries_named_in_the_request() {
        let mut h = Harness::new(false).at(Timestamp(7));
        let vpc = h.vpc("10.0.0.0/16").id;
        let a = h.subnet(&vpc, "10.0.1.0/24", "ap-northeast-1a").unwrap().id;
        let eni = h
            .eni_with(CreateNetworkInterface {
                subnet_id: Some(a.clone()),
                secondary_ips: vec!["10.0.1.4".parse().unwrap(), "10.0.1.5".parse().unwrap()],
                secondary_count: 1,
                ..CreateNetworkInterface::default()
            })
            .unwrap();
        assert_eq!(eni.private_ip, Ipv4Addr::new(10, 0, 1, 6));
        let secondaries: Vec<String> = eni.secondary_ips.iter().map(ToString::to_string).collect();
        assert_eq!(secondaries, ["10.0.1.4", "10.0.1.5", "10.0.1.7"]);
    }

    #[test]
    fn interfaces_take_free_usable_addresses_and_block_deletes() {
        use crate::ec2::network_interface::{
            CreateNetworkInterface, ManagedInterface, NetworkInterfaceAttribute,
        };
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let s = h.subnet(&vpc.id, "10.0.1.0/28", "ap-northeast-1a").unwrap();
        let create = |ip: Option<&str>| {
            Command::CreateNetworkInterface(CreateNetworkInterface {
                subnet_id: Some(s.id.clone()),
                private_ip: ip.map(|i| i.parse().unwrap()),
                ..Default::default()
            })
        };
        let Outcome::NetworkInterface(first) = h.run(create(None)).unwrap() else {
            panic!()
        };
        assert_eq!(first.private_ip.to_string(), "10.0.1.4");
        assert_eq!(first.groups, vec![vpc.default_security_group_id.clone()]);
        assert_eq!(
            h.run(create(Some("10.0.1.4"))).unwrap_err().code(),
            "InvalidIPAddress.InUse"
        );
        for reserved in [
            "10.0.1.0",
            "10.0.1.1",
            "10.0.1.2",
            "10.0.1.3",
            "10.0.1.15",
            "10.0.2.4",
        ] {
            assert_eq!(
                h.run(create(Some(reserved))).unwrap_err().code(),
                "InvalidParameterValue",
                "{reserved}"
            );
        }
        assert_eq!(h.model.available_ip_count(&h.model.subnets[&s.id]), 10);
        for _ in 0..10 {
            h.run(create(None)).unwrap();
        }
        assert_eq!(
            h.run(create(None)).unwrap_err().code(),
            "InsufficientFreeAddressesInSubnet"
        );
        assert_eq!(
            h.run(Command::DeleteSubnet {
                subnet_id: s.id.clone()
            })
            .unwrap_err()
            .code(),
            "DependencyViolation"
        );
        let del_sg = Command::DeleteSecurityGroup {
            group: crate::GroupRef::Id(vpc.default_security_group_id.clone()),
        };
        assert_eq!(h.run(del_sg).unwrap_err().code(), "CannotDelete");
        // A managed interface is visible but not the user's to change.
        h.run(Command::DeleteNetworkInterface {
            network_interface_id: first.id.clone(),
        })
        .unwrap();
        let scope = h.scope.clone();
        let catalog = h.catalog.clone();
        let mut ctx = crate::txn::Ctx {
            scope: &scope,
            now: Timestamp(0),
            ids: &mut h.ids,
            catalog: &catalog,
        };
        let mut next = h.model.clone();
        let mut txn = Txn::new(&mut next, &mut ctx);
        let managed = txn
            .create_managed_interface(ManagedInterface {
                subnet_id: &s.id,
                ip: None,
                groups: vec![],
                description: "VPC Endpoint Interface vpce-1".into(),
                interface_type: "vpc_endpoint",
                requester_id: "727180483921",
                source_dest_check: true,
            })
            .unwrap();
        assert_eq!(managed.private_ip.to_string(), "10.0.1.4");
        h.model = next;
        let err = h
            .run(Command::DeleteNetworkInterface {
                network_interface_id: managed.id.clone(),
            })
            .unwrap_err();
        assert_eq!(err.code(), "OperationNotPermitted");
        let modify = Command::ModifyNetworkInterfaceAttribute {
            network_interface_id: managed.id,
            attribute: NetworkInterfaceAttribute::SourceDestCheck(false),
        };
        assert_eq!(h.run(modify).unwrap_err().code(), "OperationNotPermitted");
    }

    #[test]
    fn interfaces_take_lowest_free_ipv6_addresses() {
        let mut h = Harness::new(false);
        let Outcome::Vpc(vpc) = h
            .run(Command::CreateVpc(CreateVpc {
                cidr_block: Some("10.0.0.0/16".into()),
                amazon_provided_ipv6_cidr_block: true,
                ..CreateVpc::default()
            }))
            .unwrap()
        else {
            panic!()
        };
        let Outcome::Subnet(s) = h
            .run(Command::CreateSubnet(CreateSubnet {
                vpc_id: vpc.id.clone(),
                cidr_block: Some("10.0.1.0/24".into()),
                availability_zone: Some("ap-northeast-1a".into()),
                availability_zone_id: None,
                ipv6_cidr_block: Some("2001:db8:0:1::/64".into()),
                ipv6_native: false,
                tag_specifications: Vec::new(),
            }))
            .unwrap()
        else {
            panic!()
        };
        let create = |addresses: &[&str], count: Option<u32>| {
            Command::CreateNetworkInterface(CreateNetworkInterface {
                subnet_id: Some(s.id.clone()),
                ipv6_addresses: addresses.iter().map(|a| a.parse().unwrap()).collect(),
                ipv6_count: count,
                ..Default::default()
            })
        };
        let v6 = |o: Outcome| match o {
            Outcome::NetworkInterface(e) => e
                .ipv6_addresses
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            o => panic!("{o:?}"),
        };
        assert_eq!(
            v6(h.run(create(&[], Some(2))).unwrap()),
            ["2001:db8:0:1::4", "2001:db8:0:1::5"]
        );
        assert_eq!(
            v6(h.run(create(&["2001:db8:0:1::6"], None)).unwrap()),
            ["2001:db8:0:1::6"]
        );
        assert_eq!(
            v6(h.run(create(&[], Some(1))).unwrap()),
            ["2001:db8:0:1::7"]
        );
        let code = |h: &mut Harness, c| h.run(c).unwrap_err().code();
        assert_eq!(
            code(&mut h, create(&["2001:db8:0:1::6"], None)),
            "InvalidIPAddress.InUse"
        );
        for reserved in [
            "2001:db8:0:1::",
            "2001:db8:0:1::3",
            "2001:db8:0:1:ffff:ffff:ffff:ffff",
        ] {
            assert_eq!(
                code(&mut h, create(&[reserved], None)),
                "InvalidParameterValue"
            );
        }
        assert_eq!(
            code(&mut h, create(&["2001:db8:0:2::9"], None)),
            "InvalidParameterValue"
        );
        assert_eq!(
            code(&mut h, create(&["2001:db8:0:1::9"], Some(1))),
            "InvalidParameterCombination"
        );
        // Without a count or addresses, the subnet's AssignIpv6AddressOnCreation decides.
        assert!(v6(h.run(create(&[], None)).unwrap()).is_empty());
        h.run(Command::ModifySubnetAttribute {
            subnet_id: s.id.clone(),
            attribute: crate::SubnetAttribute::AssignIpv6AddressOnCreation(true),
        })
        .unwrap();
        assert_eq!(v6(h.run(create(&[], None)).unwrap()), ["2001:db8:0:1::8"]);
    }
}

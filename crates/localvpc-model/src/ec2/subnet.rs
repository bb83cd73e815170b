//! Subnets: one AZ, one block inside the VPC, no overlap, five reserved addresses.

use crate::catalog::AvailabilityZone;
use crate::cidr::{self, Ipv4Cidr, parse_ipv4_cidr};
use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::ec2::vpc::Vpc;
use crate::error::ModelError;
use crate::id::{SubnetId, Timestamp, VpcId};
use crate::model::Txn;
use crate::resource::{Resource, ResourceRef};
use crate::scope::Scope;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subnet {
    pub id: SubnetId,
    pub scope: Scope,
    pub vpc_id: VpcId,
    pub cidr_block: Ipv4Cidr,
    pub availability_zone: String,
    pub availability_zone_id: String,
    pub default_for_az: bool,
    pub map_public_ip_on_launch: bool,
    pub map_customer_owned_ip_on_launch: bool,
    pub assign_ipv6_address_on_creation: bool,
    pub enable_dns64: bool,
    pub hostname_type: HostnameType,
    pub enable_resource_name_dns_a_record: bool,
    pub enable_resource_name_dns_aaaa_record: bool,
    pub tags: Tags,
    pub created: Timestamp,
}

impl Subnet {
    pub fn arn(&self) -> String {
        self.scope.ec2_arn("subnet", self.id.as_str())
    }

    /// Addresses a caller may use: size minus AWS's five reserved (spec §1.3).
    pub fn usable_addresses(&self) -> u64 {
        cidr::usable_count(&self.cidr_block)
    }
}

/// `ip-name` (ip-10-0-0-1…) or `resource-name` (i-0123….) hostnames for new instances.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HostnameType {
    IpName,
    ResourceName,
}

impl HostnameType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::IpName => "ip-name",
            Self::ResourceName => "resource-name",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ip-name" => Some(Self::IpName),
            "resource-name" => Some(Self::ResourceName),
            _ => None,
        }
    }
}

/// CreateSubnet's input, as decoded from the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSubnet {
    pub vpc_id: VpcId,
    pub cidr_block: Option<String>,
    pub availability_zone: Option<String>,
    pub availability_zone_id: Option<String>,
    pub ipv6_cidr_block: Option<String>,
    pub ipv6_native: bool,
    pub tag_specifications: Vec<TagSpecification>,
}

/// One attribute of ModifySubnetAttribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubnetAttribute {
    MapPublicIpOnLaunch(bool),
    MapCustomerOwnedIpOnLaunch(bool),
    AssignIpv6AddressOnCreation(bool),
    EnableDns64(bool),
    PrivateDnsHostnameTypeOnLaunch(HostnameType),
    EnableResourceNameDnsARecordOnLaunch(bool),
    EnableResourceNameDnsAaaaRecordOnLaunch(bool),
}

impl Txn<'_, '_> {
    pub(crate) fn create_subnet(&mut self, input: &CreateSubnet) -> Result<Subnet, ModelError> {
        let vpc = self.model.vpc(self.ctx.scope, &input.vpc_id)?.clone();
        if input.ipv6_native || input.ipv6_cidr_block.is_some() {
            return Err(ModelError::invalid_value(
                "localvpc does not emulate IPv6 subnets yet",
            ));
        }
        let Some(text) = input.cidr_block.as_deref() else {
            return Err(ModelError::missing(
                "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.",
            ));
        };
        let cidr = parse_ipv4_cidr(text, "cidrBlock")?;
        if !(16..=28).contains(&cidr.prefix_len())
            || !vpc.associated_cidrs().any(|block| block.contains(&cidr))
        {
            return Err(ModelError::InvalidSubnetRange {
                cidr: text.to_owned(),
            });
        }
        let zone = self.choose_zone(&vpc, input)?;
        let conflict = self
            .model
            .subnets
            .values()
            .any(|s| s.vpc_id == vpc.id && cidr::overlaps(&s.cidr_block, &cidr));
        if conflict {
            return Err(ModelError::InvalidSubnetConflict {
                cidr: text.to_owned(),
            });
        }
        let id = SubnetId::generate(self.ctx.ids);
        let tags = tags_for(&input.tag_specifications, "subnet", id.as_str())?;
        self.insert_subnet_with_id(id, &vpc, cidr, &zone, false, tags)
    }

    pub(crate) fn insert_subnet(
        &mut self,
        vpc: &Vpc,
        cidr: Ipv4Cidr,
        zone: &AvailabilityZone,
        default_for_az: bool,
        tags: Tags,
    ) -> Result<Subnet, ModelError> {
        let id = SubnetId::generate(self.ctx.ids);
        self.insert_subnet_with_id(id, vpc, cidr, zone, default_for_az, tags)
    }

    fn insert_subnet_with_id(
        &mut self,
        id: SubnetId,
        vpc: &Vpc,
        cidr: Ipv4Cidr,
        zone: &AvailabilityZone,
        default_for_az: bool,
        tags: Tags,
    ) -> Result<Subnet, ModelError> {
        let subnet = Subnet {
            id,
            scope: self.ctx.scope.clone(),
            vpc_id: vpc.id.clone(),
            cidr_block: cidr,
            availability_zone: zone.name.clone(),
            availability_zone_id: zone.id.clone(),
            default_for_az,
            // Default subnets give instances public addresses (AWS "Default VPCs").
            map_public_ip_on_launch: default_for_az,
            map_customer_owned_ip_on_launch: false,
            assign_ipv6_address_on_creation: false,
            enable_dns64: false,
            hostname_type: HostnameType::IpName,
            enable_resource_name_dns_a_record: false,
            enable_resource_name_dns_aaaa_record: false,
            tags,
            created: self.ctx.now,
        };
        self.attach_default_acl(vpc, &subnet.id)?;
        self.put(Resource::Subnet(subnet.clone()));
        Ok(subnet)
    }

    /// The zone named by name or id, or — when neither is given — the zone with the fewest
    /// subnets of this VPC (AWS "selects one for you"; we choose deterministically).
    fn choose_zone(&self, vpc: &Vpc, input: &CreateSubnet) -> Result<AvailabilityZone, ModelError> {
        let scope = self.ctx.scope;
        let zones = self.ctx.catalog.zones(&scope.account, &scope.region);
        let offered = || {
            zones
                .iter()
                .map(|z| z.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match (&input.availability_zone, &input.availability_zone_id) {
            (Some(_), Some(_)) => Err(ModelError::InvalidParameterCombination {
                message: "Only one of availabilityZone or availabilityZoneId may be specified".to_owned(),
            }),
            (Some(name), None) => zones.iter().find(|z| &z.name == name).cloned().ok_or_else(|| {
                ModelError::invalid_value(format!(
                    "Value ({name}) for parameter availabilityZone is invalid. Subnets can currently only be \
                     created in the following availability zones: {}.",
                    offered()
                ))
            }),
            (None, Some(id)) => zones.iter().find(|z| &z.id == id).cloned().ok_or_else(|| {
                ModelError::invalid_value(format!(
                    "Value ({id}) for parameter availabilityZoneId is invalid. Subnets can currently only be \
                     created in the following availability zones: {}.",
                    offered()
                ))
            }),
            (None, None) => {
                let used = |z: &AvailabilityZone| {
                    self.model.subnets.values().filter(|s| s.vpc_id == vpc.id && s.availability_zone == z.name).count()
                };
                zones.iter().min_by_key(|z| used(z)).cloned().ok_or_else(|| {
                    ModelError::invalid_value(format!("The region '{}' has no availability zones", scope.region))
                })
            }
        }
    }

    pub(crate) fn delete_subnet(&mut self, subnet_id: &SubnetId) -> Result<(), ModelError> {
        let subnet = self.model.subnet(self.ctx.scope, subnet_id)?.clone();
        if self
            .model
            .network_interfaces
            .values()
            .any(|e| &e.subnet_id == subnet_id)
        {
            return Err(ModelError::dependency(format!(
                "The subnet '{subnet_id}' has dependencies and cannot be deleted."
            )));
        }
        // A subnet leaves every ACL and route-table association with it.
        let acls: Vec<_> = self
            .model
            .network_acls
            .values()
            .filter(|a| a.associations.iter().any(|x| &x.subnet_id == subnet_id))
            .map(|r| (**r).clone())
            .collect();
        for mut acl in acls {
            acl.associations.retain(|x| &x.subnet_id != subnet_id);
            self.put(Resource::NetworkAcl(acl));
        }
        let tables: Vec<_> = self
            .model
            .route_tables
            .values()
            .filter(|t| {
                t.associations
                    .iter()
                    .any(|x| x.subnet_id.as_ref() == Some(subnet_id))
            })
            .map(|r| (**r).clone())
            .collect();
        for mut table in tables {
            table
                .associations
                .retain(|x| x.subnet_id.as_ref() != Some(subnet_id));
            self.put(Resource::RouteTable(table));
        }
        self.delete(ResourceRef::Subnet(subnet.id));
        Ok(())
    }

    pub(crate) fn modify_subnet_attribute(
        &mut self,
        subnet_id: &SubnetId,
        attribute: SubnetAttribute,
    ) -> Result<(), ModelError> {
        let mut subnet = self.model.subnet(self.ctx.scope, subnet_id)?.clone();
        match attribute {
            SubnetAttribute::MapPublicIpOnLaunch(v) => subnet.map_public_ip_on_launch = v,
            SubnetAttribute::MapCustomerOwnedIpOnLaunch(v) => {
                if v {
                    return Err(ModelError::invalid_value(
                        "Customer-owned IP pools exist only on Outposts subnets",
                    ));
                }
                subnet.map_customer_owned_ip_on_launch = v;
            }
            SubnetAttribute::AssignIpv6AddressOnCreation(v) => {
                if v {
                    return Err(ModelError::invalid_value(format!(
                        "Invalid value 'true' for assignIpv6AddressOnCreation. Cannot set \
                         assignIpv6AddressOnCreation to true unless the subnet ({subnet_id}) has an IPv6 CIDR \
                         block associated with it."
                    )));
                }
                subnet.assign_ipv6_address_on_creation = v;
            }
            SubnetAttribute::EnableDns64(v) => subnet.enable_dns64 = v,
            SubnetAttribute::PrivateDnsHostnameTypeOnLaunch(t) => subnet.hostname_type = t,
            SubnetAttribute::EnableResourceNameDnsARecordOnLaunch(v) => {
                subnet.enable_resource_name_dns_a_record = v
            }
            SubnetAttribute::EnableResourceNameDnsAaaaRecordOnLaunch(v) => {
                subnet.enable_resource_name_dns_aaaa_record = v;
            }
        }
        self.put(Resource::Subnet(subnet));
        Ok(())
    }
}

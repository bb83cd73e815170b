//! Subnets: one AZ, one block inside the VPC, no overlap, five reserved addresses.

use crate::catalog::AvailabilityZone;
use crate::cidr::{self, Ipv4Cidr, Ipv6Cidr, parse_ipv4_cidr, parse_ipv6_cidr};
use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::ec2::vpc::Vpc;
use crate::error::ModelError;
use crate::id::{SubnetCidrAssociationId, SubnetId, Timestamp, VpcId};
use crate::resource::{Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
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
    /// The subnet's IPv6 block (AWS allows one), a /64 inside one of the VPC's /56s.
    #[serde(default)]
    pub ipv6_association: Option<SubnetIpv6Association>,
    pub tags: Tags,
    pub created: Timestamp,
}

/// A subnet's IPv6 block (`SubnetIpv6CidrBlockAssociation`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubnetIpv6Association {
    pub id: SubnetCidrAssociationId,
    pub cidr: Ipv6Cidr,
}

impl Subnet {
    /// The subnet's IPv6 block, if it has one.
    pub fn ipv6_cidr(&self) -> Option<&Ipv6Cidr> {
        self.ipv6_association.as_ref().map(|a| &a.cidr)
    }

    pub fn arn(&self) -> String {
        self.scope.ec2_arn("subnet", self.id.as_str())
    }

    /// Addresses a caller may use: size minus AWS's five reserved (docs/aws-semantics.md §1.3).
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

/// CreateDefaultSubnet's input: the zone by name or by id (exactly one).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateDefaultSubnet {
    pub availability_zone: Option<String>,
    pub availability_zone_id: Option<String>,
    pub ipv6_native: bool,
}

/// An IPv6-only subnet has no IPv4 block, which every address, interface and data-plane path
/// of localvpc assumes (docs/aws-choices.md).
fn ipv6_native_refused() -> ModelError {
    ModelError::not_emulated(
        "IPv6-only subnets (Ipv6Native); create a dual-stack subnet with CidrBlock and \
         Ipv6CidrBlock",
    )
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
        let vpc = self
            .model
            .get::<Vpc>(self.ctx.scope, &input.vpc_id)?
            .clone();
        if input.ipv6_native {
            // AWS's checks of the request come first (the API checked the parameters):
            // the zone, then the IPv6 block.
            self.choose_zone(&vpc, input)?;
            if let Some(text) = input.ipv6_cidr_block.as_deref() {
                self.check_subnet_ipv6(&vpc, text, None)?;
            }
            return Err(ipv6_native_refused());
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
        let ipv6 = input
            .ipv6_cidr_block
            .as_deref()
            .map(|text| self.check_subnet_ipv6(&vpc, text, None))
            .transpose()?;
        let id = SubnetId::generate(self.ctx.ids);
        let tags = tags_for(&input.tag_specifications, "subnet", id.as_str())?;
        let mut subnet = self.insert_subnet_with_id(id, &vpc, cidr, &zone, false, tags)?;
        if let Some(cidr) = ipv6 {
            subnet.ipv6_association = Some(SubnetIpv6Association {
                id: SubnetCidrAssociationId::generate(self.ctx.ids),
                cidr,
            });
            self.put(Resource::Subnet(subnet.clone()));
        }
        Ok(subnet)
    }

    /// An IPv6 subnet block must be /44–/64 in steps of 4, inside one of the VPC's IPv6
    /// blocks (`InvalidSubnet.Range`), and overlap no other subnet's (`InvalidSubnet.Conflict`).
    fn check_subnet_ipv6(
        &self,
        vpc: &Vpc,
        text: &str,
        except: Option<&SubnetId>,
    ) -> Result<Ipv6Cidr, ModelError> {
        let cidr = parse_ipv6_cidr(text, "ipv6CidrBlock")?;
        let len = cidr.prefix_len();
        if !(44..=64).contains(&len)
            || len % 4 != 0
            || !vpc.associated_ipv6_cidrs().any(|b| b.contains(&cidr))
        {
            return Err(ModelError::InvalidSubnetRange {
                cidr: text.to_owned(),
            });
        }
        let conflict = self.model.subnets.values().any(|s| {
            s.vpc_id == vpc.id
                && Some(&s.id) != except
                && s.ipv6_cidr().is_some_and(|c| cidr::overlaps6(c, &cidr))
        });
        if conflict {
            return Err(ModelError::InvalidSubnetConflict {
                cidr: text.to_owned(),
            });
        }
        Ok(cidr)
    }

    /// CreateDefaultSubnet: a default /20 of the default VPC in a zone that has none — the
    /// lowest /20 of the VPC's primary block no subnet overlaps.
    pub(crate) fn create_default_subnet(
        &mut self,
        input: &CreateDefaultSubnet,
    ) -> Result<Subnet, ModelError> {
        let scope = self.ctx.scope;
        let Some(vpc) = self
            .model
            .in_scope::<Vpc>(scope)
            .find(|v| v.is_default)
            .cloned()
        else {
            return Err(ModelError::DefaultVpcDoesNotExist);
        };
        let zone = self.choose_zone(
            &vpc,
            &CreateSubnet {
                vpc_id: vpc.id.clone(),
                cidr_block: None,
                availability_zone: input.availability_zone.clone(),
                availability_zone_id: input.availability_zone_id.clone(),
                ipv6_cidr_block: None,
                ipv6_native: input.ipv6_native,
                tag_specifications: Vec::new(),
            },
        )?;
        let subnets: Vec<Subnet> = self
            .model
            .members_of::<Subnet>(&vpc.id, crate::id::ResourceKind::Subnet, |id| {
                SubnetId::parse(id).ok()
            })
            .cloned()
            .collect();
        if subnets
            .iter()
            .any(|s| s.default_for_az && s.availability_zone == zone.name)
        {
            return Err(ModelError::DefaultSubnetAlreadyExistsInAvailabilityZone {
                zone: zone.name.clone(),
            });
        }
        if input.ipv6_native {
            return Err(ipv6_native_refused());
        }
        let block = vpc
            .cidr_block
            .subnets(20)
            .ok()
            .and_then(|mut blocks| {
                blocks.find(|b| !subnets.iter().any(|s| cidr::overlaps(&s.cidr_block, b)))
            })
            .ok_or_else(|| ModelError::InsufficientCidrBlocks {
                message: format!(
                    "The default VPC {} has no free /20 block left for a default subnet",
                    vpc.id
                ),
            })?;
        self.insert_subnet(&vpc, block, &zone, true, Tags::new())
    }

    /// AssociateSubnetCidrBlock: gives a subnet its (single) IPv6 block.
    pub(crate) fn associate_subnet_cidr_block(
        &mut self,
        subnet_id: &SubnetId,
        text: &str,
    ) -> Result<SubnetIpv6Association, ModelError> {
        let mut subnet = self.model.get::<Subnet>(self.ctx.scope, subnet_id)?.clone();
        let vpc = self
            .model
            .get::<Vpc>(self.ctx.scope, &subnet.vpc_id)?
            .clone();
        if let Some(existing) = &subnet.ipv6_association {
            // "You can only associate a single IPv6 CIDR block with your subnet."
            return Err(ModelError::invalid_value(format!(
                "The subnet {subnet_id} already has the IPv6 CIDR block {} (association {}); a subnet can \
                 have only one",
                existing.cidr, existing.id
            )));
        }
        let cidr = self.check_subnet_ipv6(&vpc, text, Some(subnet_id))?;
        let association = SubnetIpv6Association {
            id: SubnetCidrAssociationId::generate(self.ctx.ids),
            cidr,
        };
        subnet.ipv6_association = Some(association.clone());
        self.put(Resource::Subnet(subnet));
        Ok(association)
    }

    /// DisassociateSubnetCidrBlock: removes a subnet's IPv6 block. New interfaces stop
    /// getting IPv6 addresses (`AssignIpv6AddressOnCreation` is cleared with it).
    pub(crate) fn disassociate_subnet_cidr_block(
        &mut self,
        association_id: &SubnetCidrAssociationId,
    ) -> Result<(SubnetId, SubnetIpv6Association), ModelError> {
        let scope = self.ctx.scope;
        let found = self.model.subnets.values().find(|s| {
            &s.scope == scope
                && s.ipv6_association
                    .as_ref()
                    .is_some_and(|a| &a.id == association_id)
        });
        let Some(mut subnet) = found.map(|s| (**s).clone()) else {
            return Err(association_id.not_found());
        };
        let in_use = self
            .model
            .network_interfaces
            .values()
            .any(|e| e.subnet_id == subnet.id && !e.ipv6_addresses.is_empty());
        if in_use {
            return Err(ModelError::dependency(format!(
                "The subnet CIDR block with association ID {association_id} may not be disassociated. \
                 Network interfaces in subnet {} still use IPv6 addresses from it",
                subnet.id
            )));
        }
        let Some(association) = subnet.ipv6_association.take() else {
            return Err(association_id.not_found());
        };
        subnet.assign_ipv6_address_on_creation = false;
        let subnet_id = subnet.id.clone();
        self.put(Resource::Subnet(subnet));
        Ok((subnet_id, association))
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
            ipv6_association: None,
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
        let subnet = self.model.get::<Subnet>(self.ctx.scope, subnet_id)?.clone();
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
        self.delete_reservations_of(&subnet);
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
        let mut subnet = self.model.get::<Subnet>(self.ctx.scope, subnet_id)?.clone();
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
                if v && subnet.ipv6_association.is_none() {
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

#[cfg(test)]
mod tests {
    use crate::command::{Command, Outcome};
    use crate::ec2::subnet::CreateSubnet;
    use crate::ec2::subnet::Subnet;
    use crate::testing::Harness;

    #[test]
    fn subnets_stay_inside_and_apart() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let s = h.subnet(&vpc.id, "10.0.1.0/24", "ap-northeast-1a").unwrap();
        assert_eq!(s.availability_zone_id, "apne1-az4");
        assert_eq!(h.model.available_ip_count(&s), 251);
        assert_eq!(
            h.subnet(&vpc.id, "10.0.1.128/25", "ap-northeast-1a")
                .unwrap_err()
                .code(),
            "InvalidSubnet.Conflict"
        );
        assert_eq!(
            h.subnet(&vpc.id, "10.0.0.0/15", "ap-northeast-1a")
                .unwrap_err()
                .code(),
            "InvalidSubnet.Range"
        );
        assert_eq!(
            h.subnet(&vpc.id, "10.1.0.0/24", "ap-northeast-1a")
                .unwrap_err()
                .code(),
            "InvalidSubnet.Range"
        );
        assert_eq!(
            h.subnet(&vpc.id, "10.0.2.0/29", "ap-northeast-1a")
                .unwrap_err()
                .code(),
            "InvalidSubnet.Range"
        );
        assert_eq!(
            h.subnet(&vpc.id, "10.0.2.0/24", "ap-northeast-1b")
                .unwrap_err()
                .code(),
            "InvalidParameterValue"
        );
        // The subnet joined the default ACL.
        let acl = &h.model.network_acls[&vpc.default_network_acl_id];
        assert_eq!(acl.associations.len(), 1);
    }

    #[test]
    fn create_default_subnet_fills_a_zone_of_the_default_vpc() {
        use crate::ec2::subnet::CreateDefaultSubnet;
        let in_zone = |az: &str| {
            Command::CreateDefaultSubnet(CreateDefaultSubnet {
                availability_zone: Some(az.into()),
                ..CreateDefaultSubnet::default()
            })
        };
        let mut without = Harness::new(false);
        let err = without.run(in_zone("ap-northeast-1a")).unwrap_err();
        assert_eq!(err.code(), "DefaultVpcDoesNotExist");

        let mut h = Harness::new(true);
        let err = h.run(in_zone("ap-northeast-1a")).unwrap_err();
        assert_eq!(err.code(), "DefaultSubnetAlreadyExistsInAvailabilityZone");
        let err = h.run(in_zone("ap-northeast-1z")).unwrap_err();
        assert_eq!(err.code(), "InvalidParameterValue");
        let c = h
            .model
            .in_scope::<Subnet>(&h.scope)
            .find(|s| s.availability_zone == "ap-northeast-1c")
            .unwrap()
            .id
            .clone();
        h.run(Command::DeleteSubnet { subnet_id: c }).unwrap();
        // The lowest free /20 of the default VPC's block, default for its zone.
        let Ok(Outcome::Subnet(s)) = h.run(in_zone("ap-northeast-1c")) else {
            panic!("no subnet")
        };
        assert_eq!(s.cidr_block.to_string(), "172.31.16.0/20");
        assert!(s.default_for_az && s.map_public_ip_on_launch);
        let ipv6_only = Command::CreateDefaultSubnet(CreateDefaultSubnet {
            availability_zone_id: Some("apne1-az4".into()),
            ipv6_native: true,
            ..CreateDefaultSubnet::default()
        });
        // The zone's default subnet exists: AWS's refusal before "not emulated".
        assert_eq!(
            h.run(ipv6_only).unwrap_err().code(),
            "DefaultSubnetAlreadyExistsInAvailabilityZone"
        );
    }

    #[test]
    fn ipv6_native_subnets_get_aws_checks_before_the_refusal() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let ipv6_only = |az: &str, block: &str| {
            Command::CreateSubnet(CreateSubnet {
                vpc_id: vpc.id.clone(),
                cidr_block: None,
                availability_zone: Some(az.into()),
                availability_zone_id: None,
                ipv6_cidr_block: Some(block.into()),
                ipv6_native: true,
                tag_specifications: Vec::new(),
            })
        };
        // The VPC has no IPv6 block: the block is out of range, as for a dual-stack subnet.
        let err = h
            .run(ipv6_only("ap-northeast-1a", "2001:db8::/64"))
            .unwrap_err();
        assert_eq!(err.code(), "InvalidSubnet.Range");
        let err = h
            .run(ipv6_only("ap-northeast-1z", "2001:db8::/64"))
            .unwrap_err();
        assert_eq!(err.code(), "InvalidParameterValue");
        assert!(err.to_string().contains("availabilityZone"), "{err}");
    }
}

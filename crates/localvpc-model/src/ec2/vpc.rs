//! VPCs: creation with their default companions, CIDR blocks, DNS attributes, deletion.

use crate::cidr::{self, Family, Ipv4Cidr, Ipv6Cidr, parse_ipv4_cidr};
use crate::ec2::network_acl::{NetworkAcl, NetworkAclAssociation};
use crate::ec2::route_table::{RouteDestination, RouteTable, RouteTableAssociation};
use crate::ec2::security_group::{SecurityGroup, SecurityGroupRule, SgPeer};
use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::ec2::traffic::Traffic;
use crate::error::ModelError;
use crate::id::{
    NetworkAclAssociationId, NetworkAclId, ResourceKind, RouteTableAssociationId, RouteTableId,
    SecurityGroupId, SecurityGroupRuleId, Timestamp, VpcCidrAssociationId, VpcId,
};
use crate::resource::{Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};

/// AWS's default quota of IPv4 CIDR blocks per VPC (primary included).
pub(crate) const MAX_IPV4_CIDRS: usize = 5;
/// AWS's default quota of IPv6 CIDR blocks per VPC.
pub(crate) const MAX_IPV6_CIDRS: usize = 5;
/// The `Ipv6Pool` AWS reports for Amazon-provided blocks.
pub const AMAZON_IPV6_POOL_NAME: &str = "Amazon";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vpc {
    pub id: VpcId,
    pub scope: Scope,
    /// The primary block: the one the Resolver's +2 address derives from.
    pub cidr_block: Ipv4Cidr,
    /// Every IPv4 block, primary first.
    pub cidr_associations: Vec<CidrBlockAssociation>,
    /// Amazon-provided IPv6 blocks (/56), oldest first.
    #[serde(default)]
    pub ipv6_associations: Vec<Ipv6CidrBlockAssociation>,
    /// None once `default` (no option set) is associated.
    pub dhcp_options_id: Option<crate::id::DhcpOptionsId>,
    pub instance_tenancy: String,
    pub is_default: bool,
    pub enable_dns_support: bool,
    pub enable_dns_hostnames: bool,
    pub enable_network_address_usage_metrics: bool,
    pub default_network_acl_id: NetworkAclId,
    pub default_security_group_id: SecurityGroupId,
    pub tags: Tags,
    pub created: Timestamp,
}

impl Vpc {
    /// The blocks currently associated (the ones subnets and routes may use).
    pub fn associated_cidrs(&self) -> impl Iterator<Item = &Ipv4Cidr> {
        self.cidr_associations
            .iter()
            .filter(|a| a.state == CidrBlockState::Associated)
            .map(|a| &a.cidr)
    }

    /// The IPv6 blocks currently associated.
    pub fn associated_ipv6_cidrs(&self) -> impl Iterator<Item = &Ipv6Cidr> {
        self.ipv6_associations
            .iter()
            .filter(|a| a.state == CidrBlockState::Associated)
            .map(|a| &a.cidr)
    }

    /// The Route 53 Resolver's address: the primary block's base + 2 (docs/aws-semantics.md §1.4).
    pub fn resolver_address(&self) -> std::net::Ipv4Addr {
        cidr::nth(&self.cidr_block, 2)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CidrBlockAssociation {
    pub id: VpcCidrAssociationId,
    pub cidr: Ipv4Cidr,
    pub state: CidrBlockState,
}

/// An IPv6 block of a VPC (`VpcIpv6CidrBlockAssociation`). Association ids share the
/// `vpc-cidr-assoc-` prefix with IPv4 blocks, as in AWS.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ipv6CidrBlockAssociation {
    pub id: VpcCidrAssociationId,
    pub cidr: Ipv6Cidr,
    pub state: CidrBlockState,
    /// `Amazon` for Amazon-provided blocks.
    pub pool: String,
    /// The region: AWS's default network border group.
    pub network_border_group: String,
}

/// What DisassociateVpcCidrBlock removed: an IPv4 or an IPv6 block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VpcCidrAssociation {
    V4(CidrBlockAssociation),
    V6(Ipv6CidrBlockAssociation),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CidrBlockState {
    Associated,
    Disassociated,
}

impl CidrBlockState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Associated => "associated",
            Self::Disassociated => "disassociated",
        }
    }
}

/// CreateVpc's input, as decoded from the wire.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateVpc {
    pub cidr_block: Option<String>,
    pub instance_tenancy: Option<String>,
    pub amazon_provided_ipv6_cidr_block: bool,
    /// `Ipv6CidrBlockNetworkBorderGroup`: only the region itself exists here.
    #[serde(default)]
    pub ipv6_network_border_group: Option<String>,
    pub tag_specifications: Vec<TagSpecification>,
}

/// One VPC attribute of ModifyVpcAttribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VpcAttribute {
    EnableDnsSupport(bool),
    EnableDnsHostnames(bool),
    EnableNetworkAddressUsageMetrics(bool),
}

/// The default VPC's block in every region (docs/aws-semantics.md §1; AWS's documented default).
pub(crate) const DEFAULT_VPC_CIDR: &str = "172.31.0.0/16";

impl crate::resource::Model {
    /// The lowest /56 of the Amazon IPv6 pool no VPC of any account or region holds, so a
    /// block is never handed to two VPCs at once (docs/aws-choices.md).
    pub(crate) fn next_amazon_ipv6_block(&self) -> Result<Ipv6Cidr, ModelError> {
        let taken: std::collections::BTreeSet<u32> = self
            .vpcs
            .values()
            .flat_map(|v| v.ipv6_associations.iter())
            .filter_map(|a| cidr::amazon_ipv6_index(&a.cidr))
            .collect();
        let free = (0u32..).find(|n| !taken.contains(n)).unwrap_or(u32::MAX);
        cidr::amazon_ipv6_block(free).ok_or_else(|| ModelError::InsufficientCidrBlocks {
            message: "The Amazon IPv6 pool of localvpc has no free /56 left".to_owned(),
        })
    }
}

impl Txn<'_, '_> {
    pub(crate) fn create_vpc(&mut self, input: &CreateVpc) -> Result<Vpc, ModelError> {
        let Some(text) = input.cidr_block.as_deref() else {
            return Err(ModelError::missing(
                "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.",
            ));
        };
        if input.ipv6_network_border_group.is_some() && !input.amazon_provided_ipv6_cidr_block {
            return Err(ModelError::InvalidParameterCombination {
                message: "Ipv6CidrBlockNetworkBorderGroup requires AmazonProvidedIpv6CidrBlock"
                    .to_owned(),
            });
        }
        let cidr = parse_ipv4_cidr(text, "cidrBlock")?;
        if !(16..=28).contains(&cidr.prefix_len()) {
            return Err(ModelError::InvalidVpcRange {
                cidr: text.to_owned(),
            });
        }
        let tenancy = match input.instance_tenancy.as_deref() {
            None => "default",
            Some(t @ ("default" | "dedicated")) => t,
            Some(other) => {
                return Err(ModelError::invalid_value(format!(
                    "Value ({other}) for parameter instanceTenancy is invalid."
                )));
            }
        };
        let id = VpcId::generate(self.ctx.ids);
        let tags = tags_for(&input.tag_specifications, "vpc", id.as_str())?;
        let vpc = self.insert_vpc(id, cidr, tenancy, false, tags)?;
        if !input.amazon_provided_ipv6_cidr_block {
            return Ok(vpc);
        }
        self.associate_vpc_ipv6_cidr_block(&vpc.id, input.ipv6_network_border_group.as_deref())?;
        Ok(self.model.get::<Vpc>(self.ctx.scope, &vpc.id)?.clone())
    }

    /// Creates a VPC with its main route table, default network ACL and default security
    /// group, as AWS does.
    pub(crate) fn insert_vpc(
        &mut self,
        id: VpcId,
        cidr: Ipv4Cidr,
        tenancy: &str,
        is_default: bool,
        tags: Tags,
    ) -> Result<Vpc, ModelError> {
        let scope = self.ctx.scope.clone();
        let dhcp_options_id = Some(self.scope_state()?.default_dhcp_options_id.clone());
        let ids = &mut *self.ctx.ids;
        let rtb = RouteTable {
            id: RouteTableId::generate(ids),
            scope: scope.clone(),
            vpc_id: id.clone(),
            routes: vec![RouteTable::local_route(RouteDestination::Ipv4(cidr))],
            associations: vec![RouteTableAssociation {
                id: RouteTableAssociationId::generate(ids),
                main: true,
                subnet_id: None,
                gateway_id: None,
            }],
            propagating_vgws: Vec::new(),
            tags: Tags::new(),
        };
        let acl = NetworkAcl {
            id: NetworkAclId::generate(ids),
            scope: scope.clone(),
            vpc_id: id.clone(),
            is_default: true,
            entries: NetworkAcl::default_entries(),
            associations: Vec::new(),
            tags: Tags::new(),
        };
        let sg_id = SecurityGroupId::generate(ids);
        let mut all = |peer| SecurityGroupRule {
            id: SecurityGroupRuleId::generate(ids),
            traffic: Traffic::All,
            peer,
            description: None,
            tags: Tags::new(),
        };
        let ingress = vec![all(SgPeer::Group {
            group_id: sg_id.clone(),
            account: None,
        })];
        let egress = vec![all(SgPeer::Cidr(Ipv4Cidr::default()))];
        let sg = SecurityGroup {
            id: sg_id,
            scope: scope.clone(),
            vpc_id: id.clone(),
            name: "default".to_owned(),
            description: "default VPC security group".to_owned(),
            ingress,
            egress,
            tags: Tags::new(),
        };
        let vpc = Vpc {
            id,
            scope,
            cidr_block: cidr,
            cidr_associations: vec![CidrBlockAssociation {
                id: VpcCidrAssociationId::generate(ids),
                cidr,
                state: CidrBlockState::Associated,
            }],
            ipv6_associations: Vec::new(),
            dhcp_options_id,
            instance_tenancy: tenancy.to_owned(),
            is_default,
            enable_dns_support: true,
            enable_dns_hostnames: is_default,
            enable_network_address_usage_metrics: false,
            default_network_acl_id: acl.id.clone(),
            default_security_group_id: sg.id.clone(),
            tags,
            created: self.ctx.now,
        };
        self.put(Resource::RouteTable(rtb));
        self.put(Resource::NetworkAcl(acl));
        self.put(Resource::SecurityGroup(sg));
        self.put(Resource::Vpc(vpc.clone()));
        Ok(vpc)
    }

    pub(crate) fn delete_vpc(&mut self, vpc_id: &VpcId) -> Result<(), ModelError> {
        let vpc = self.model.get::<Vpc>(self.ctx.scope, vpc_id)?.clone();
        // What still lives in the VPC, from the membership index (no scan of every kind).
        let m = &self.model;
        let any = |kind: ResourceKind| m.vpc_members(vpc_id, kind).next().is_some();
        let has_dependents = any(ResourceKind::Subnet)
            || m.route_tables_of_vpc(vpc_id).any(|t| !t.is_main())
            || m.vpc_members(vpc_id, ResourceKind::NetworkAcl)
                .any(|id| id != vpc.default_network_acl_id.as_str())
            || m.vpc_members(vpc_id, ResourceKind::SecurityGroup)
                .any(|id| id != vpc.default_security_group_id.as_str())
            || any(ResourceKind::InternetGateway)
            || any(ResourceKind::VpnGateway)
            || any(ResourceKind::VpcEndpoint)
            || any(ResourceKind::EgressOnlyInternetGateway);
        if has_dependents {
            return Err(ModelError::dependency(format!(
                "The vpc '{vpc_id}' has dependencies and cannot be deleted."
            )));
        }
        self.delete_peerings_of(vpc_id);
        if let Some(main) = self.model.main_route_table(vpc_id).map(|t| t.id.clone()) {
            self.delete(ResourceRef::RouteTable(main));
        }
        self.delete(ResourceRef::NetworkAcl(vpc.default_network_acl_id.clone()));
        self.delete(ResourceRef::SecurityGroup(
            vpc.default_security_group_id.clone(),
        ));
        self.delete(ResourceRef::Vpc(vpc.id));
        Ok(())
    }

    pub(crate) fn modify_vpc_attribute(
        &mut self,
        vpc_id: &VpcId,
        attribute: VpcAttribute,
    ) -> Result<(), ModelError> {
        let mut vpc = self.model.get::<Vpc>(self.ctx.scope, vpc_id)?.clone();
        match attribute {
            VpcAttribute::EnableDnsSupport(v) => vpc.enable_dns_support = v,
            VpcAttribute::EnableDnsHostnames(v) => {
                if v && !vpc.enable_dns_support {
                    // The model documents that hostnames need DNS support (docs/aws-semantics.md §1.4).
                    return Err(ModelError::invalid_value(
                        "Cannot enable DNS hostnames: enableDnsSupport is disabled for this VPC",
                    ));
                }
                vpc.enable_dns_hostnames = v;
            }
            VpcAttribute::EnableNetworkAddressUsageMetrics(v) => {
                vpc.enable_network_address_usage_metrics = v
            }
        }
        self.put(Resource::Vpc(vpc));
        Ok(())
    }

    /// ModifyVpcTenancy: `dedicated` → `default` only (the API refuses other values).
    pub(crate) fn modify_vpc_tenancy(
        &mut self,
        vpc_id: &VpcId,
        tenancy: &str,
    ) -> Result<(), ModelError> {
        let mut vpc = self.model.get::<Vpc>(self.ctx.scope, vpc_id)?.clone();
        if tenancy != "default" {
            return Err(ModelError::invalid_value(format!(
                "Value ({tenancy}) for parameter instanceTenancy is invalid. A VPC's tenancy can only \
                 be changed to default."
            )));
        }
        if vpc.instance_tenancy != tenancy {
            vpc.instance_tenancy = tenancy.to_owned();
            self.put(Resource::Vpc(vpc));
        }
        Ok(())
    }

    pub(crate) fn associate_vpc_cidr_block(
        &mut self,
        vpc_id: &VpcId,
        text: &str,
    ) -> Result<CidrBlockAssociation, ModelError> {
        let mut vpc = self.model.get::<Vpc>(self.ctx.scope, vpc_id)?.clone();
        let cidr = parse_ipv4_cidr(text, "cidrBlock")?;
        if !(16..=28).contains(&cidr.prefix_len()) {
            return Err(ModelError::InvalidVpcRange {
                cidr: text.to_owned(),
            });
        }
        if vpc.associated_cidrs().count() >= MAX_IPV4_CIDRS {
            return Err(ModelError::CidrLimitExceeded {
                vpc_id: vpc_id.to_string(),
                limit: MAX_IPV4_CIDRS,
            });
        }
        // AWS documents only `InvalidVpc.Range` for unusable secondary blocks; we use it for
        // overlaps and for the RFC 1918 family restrictions alike (docs/aws-choices.md).
        if let Some(existing) = vpc.associated_cidrs().find(|c| cidr::overlaps(c, &cidr)) {
            return Err(ModelError::VpcRangeDetail {
                message: format!(
                    "The CIDR '{cidr}' conflicts with the VPC's existing CIDR '{existing}'."
                ),
            });
        }
        if restricted(cidr::family(&vpc.cidr_block), cidr::family(&cidr)) {
            return Err(ModelError::VpcRangeDetail {
                message: format!(
                    "The CIDR '{cidr}' is restricted. Use a CIDR from the same private address range \
                     as the current VPC CIDR, or use a publicly-routable CIDR."
                ),
            });
        }
        let association = CidrBlockAssociation {
            id: VpcCidrAssociationId::generate(self.ctx.ids),
            cidr,
            state: CidrBlockState::Associated,
        };
        vpc.cidr_associations.push(association.clone());
        // Every route table of the VPC gains a local route for the new block (docs/aws-semantics.md §1.2).
        let tables: Vec<RouteTable> = self
            .model
            .route_tables
            .values()
            .filter(|t| &t.vpc_id == vpc_id)
            .map(|r| (**r).clone())
            .collect();
        for mut table in tables {
            table
                .routes
                .push(RouteTable::local_route(RouteDestination::Ipv4(cidr)));
            self.put(Resource::RouteTable(table));
        }
        self.put(Resource::Vpc(vpc));
        Ok(association)
    }

    /// Associates an Amazon-provided /56 (CreateVpc or AssociateVpcCidrBlock with
    /// `AmazonProvidedIpv6CidrBlock`), with what AWS adds alongside: the `local` route in
    /// every route table, the default ACL's IPv6 rules and the default group's `::/0` egress.
    pub(crate) fn associate_vpc_ipv6_cidr_block(
        &mut self,
        vpc_id: &VpcId,
        network_border_group: Option<&str>,
    ) -> Result<Ipv6CidrBlockAssociation, ModelError> {
        let mut vpc = self.model.get::<Vpc>(self.ctx.scope, vpc_id)?.clone();
        let region = self.ctx.scope.region.clone();
        if let Some(group) = network_border_group
            && group != region.as_str()
        {
            return Err(ModelError::invalid_value(format!(
                "Value ({group}) for parameter Ipv6CidrBlockNetworkBorderGroup is invalid. The only network \
                 border group of {region} is {region}."
            )));
        }
        if vpc.associated_ipv6_cidrs().count() >= MAX_IPV6_CIDRS {
            return Err(ModelError::CidrLimitExceeded {
                vpc_id: vpc_id.to_string(),
                limit: MAX_IPV6_CIDRS,
            });
        }
        let cidr = self.model.next_amazon_ipv6_block()?;
        let association = Ipv6CidrBlockAssociation {
            id: VpcCidrAssociationId::generate(self.ctx.ids),
            cidr,
            state: CidrBlockState::Associated,
            pool: AMAZON_IPV6_POOL_NAME.to_owned(),
            network_border_group: region.to_string(),
        };
        let first = vpc.associated_ipv6_cidrs().next().is_none();
        vpc.ipv6_associations.push(association.clone());
        let tables: Vec<RouteTable> = self
            .model
            .route_tables
            .values()
            .filter(|t| &t.vpc_id == vpc_id)
            .map(|r| (**r).clone())
            .collect();
        for mut table in tables {
            table
                .routes
                .push(RouteTable::local_route(RouteDestination::Ipv6(cidr)));
            self.put(Resource::RouteTable(table));
        }
        if first {
            self.add_ipv6_defaults(&vpc)?;
        }
        self.put(Resource::Vpc(vpc));
        Ok(association)
    }

    /// The IPv6 rules AWS adds when a VPC gets its first IPv6 block: in the default ACL,
    /// rule 101 allowing `::/0` in each direction whose rules were not modified, and in every
    /// ACL the IPv6 `*` deny; in the default security group, egress to `::/0`.
    fn add_ipv6_defaults(&mut self, vpc: &Vpc) -> Result<(), ModelError> {
        let acls: Vec<NetworkAcl> = self
            .model
            .network_acls
            .values()
            .filter(|a| a.vpc_id == vpc.id)
            .map(|a| (**a).clone())
            .collect();
        for mut acl in acls {
            acl.add_ipv6_defaults();
            self.put(Resource::NetworkAcl(acl));
        }
        let mut group = self
            .model
            .get::<SecurityGroup>(self.ctx.scope, &vpc.default_security_group_id)?
            .clone();
        let all_v6 = SgPeer::Cidr6(Ipv6Cidr::default());
        let present = group
            .egress
            .iter()
            .any(|r| r.traffic == Traffic::All && r.peer == all_v6);
        if !present {
            group.egress.push(SecurityGroupRule {
                id: SecurityGroupRuleId::generate(self.ctx.ids),
                traffic: Traffic::All,
                peer: all_v6,
                description: None,
                tags: Tags::new(),
            });
            self.put(Resource::SecurityGroup(group));
        }
        Ok(())
    }

    pub(crate) fn disassociate_vpc_cidr_block(
        &mut self,
        association_id: &VpcCidrAssociationId,
    ) -> Result<(VpcId, VpcCidrAssociation), ModelError> {
        let scope = self.ctx.scope;
        let found = self.model.vpcs.values().find(|v| {
            &v.scope == scope
                && (v.cidr_associations.iter().any(|a| &a.id == association_id)
                    || v.ipv6_associations.iter().any(|a| &a.id == association_id))
        });
        let Some(mut vpc) = found.map(|v| (**v).clone()) else {
            return Err(association_id.not_found());
        };
        if let Some(index) = vpc
            .ipv6_associations
            .iter()
            .position(|a| &a.id == association_id)
        {
            let association = vpc.ipv6_associations.remove(index);
            return self.disassociate_ipv6(vpc, association);
        }
        let Some(index) = vpc
            .cidr_associations
            .iter()
            .position(|a| &a.id == association_id)
        else {
            return Err(association_id.not_found());
        };
        let association = vpc.cidr_associations.remove(index);
        if association.cidr == vpc.cidr_block {
            return Err(ModelError::OperationNotPermitted {
                message: format!(
                    "The vpc CIDR block with association ID {association_id} may not be disassociated. \
                     It is the primary IPv4 CIDR block of the VPC"
                ),
            });
        }
        if let Some(subnet) = self
            .model
            .subnets
            .values()
            .find(|s| s.vpc_id == vpc.id && association.cidr.contains(&s.cidr_block))
        {
            return Err(ModelError::dependency(format!(
                "The vpc CIDR block with association ID {association_id} may not be disassociated. \
                 It has subnets (for example {}) that are still in use",
                subnet.id
            )));
        }
        let tables: Vec<RouteTable> = self
            .model
            .route_tables
            .values()
            .filter(|t| t.vpc_id == vpc.id)
            .map(|r| (**r).clone())
            .collect();
        for mut table in tables {
            table
                .routes
                .retain(|r| r.destination != RouteDestination::Ipv4(association.cidr));
            self.put(Resource::RouteTable(table));
        }
        let vpc_id = vpc.id.clone();
        self.put(Resource::Vpc(vpc));
        Ok((
            vpc_id,
            VpcCidrAssociation::V4(CidrBlockAssociation {
                state: CidrBlockState::Disassociated,
                ..association
            }),
        ))
    }

    /// Removes an IPv6 block and its `local` routes; subnets still using it are a
    /// `DependencyViolation`, like IPv4 blocks.
    fn disassociate_ipv6(
        &mut self,
        vpc: Vpc,
        association: Ipv6CidrBlockAssociation,
    ) -> Result<(VpcId, VpcCidrAssociation), ModelError> {
        if let Some(subnet) = self.model.subnets.values().find(|s| {
            s.vpc_id == vpc.id && s.ipv6_cidr().is_some_and(|c| association.cidr.contains(c))
        }) {
            return Err(ModelError::dependency(format!(
                "The vpc CIDR block with association ID {} may not be disassociated. It has subnets \
                 (for example {}) that are still in use",
                association.id, subnet.id
            )));
        }
        let tables: Vec<RouteTable> = self
            .model
            .route_tables
            .values()
            .filter(|t| t.vpc_id == vpc.id)
            .map(|r| (**r).clone())
            .collect();
        let local = RouteDestination::Ipv6(association.cidr);
        for mut table in tables {
            table.routes.retain(|r| {
                !(r.destination == local
                    && r.origin == crate::ec2::route_table::RouteOrigin::CreateRouteTable)
            });
            self.put(Resource::RouteTable(table));
        }
        let vpc_id = vpc.id.clone();
        self.put(Resource::Vpc(vpc));
        Ok((
            vpc_id,
            VpcCidrAssociation::V6(Ipv6CidrBlockAssociation {
                state: CidrBlockState::Disassociated,
                ..association
            }),
        ))
    }

    /// Creates the account's default VPC with one default subnet per AZ (docs/aws-semantics.md §1; AWS docs
    /// "Default VPCs"): 172.31.0.0/16, /20 subnets in zone-name order.
    pub(crate) fn create_default_vpc(&mut self) -> Result<Vpc, ModelError> {
        let scope = self.ctx.scope;
        if self
            .model
            .vpcs
            .values()
            .any(|v| &v.scope == scope && v.is_default)
        {
            return Err(ModelError::DefaultVpcAlreadyExists);
        }
        let cidr = parse_ipv4_cidr(DEFAULT_VPC_CIDR, "cidrBlock")?;
        let id = VpcId::generate(self.ctx.ids);
        let vpc = self.insert_vpc(id, cidr, "default", true, Tags::new())?;
        // The default VPC is public: an attached internet gateway and a default route to it.
        let igw = self.create_internet_gateway(&[])?;
        self.attach_internet_gateway(&igw.id, &vpc.id)?;
        let route = crate::ec2::route_table::RouteSpec {
            destination: RouteDestination::Ipv4(Ipv4Cidr::default()),
            target: crate::ec2::route_table::RouteTarget::InternetGateway(igw.id),
        };
        let main = self
            .model
            .main_route_table(&vpc.id)
            .map(|t| t.id.clone())
            .ok_or_else(|| ModelError::InvalidParameterValue {
                message: "the default VPC has no main route table".to_owned(),
            })?;
        self.create_route(&main, &route)?;
        let zones = self.ctx.catalog.zones(&scope.account, &scope.region);
        let mut blocks = cidr
            .subnets(20)
            .map_err(|_| ModelError::NoDefaultSubnetSpace)?;
        for zone in zones {
            let block = blocks.next().ok_or(ModelError::NoDefaultSubnetSpace)?;
            self.insert_subnet(&vpc, block, &zone, true, Tags::new())?;
        }
        Ok(vpc)
    }

    /// Associates a new subnet with the VPC's default network ACL.
    pub(crate) fn attach_default_acl(
        &mut self,
        vpc: &Vpc,
        subnet_id: &crate::id::SubnetId,
    ) -> Result<(), ModelError> {
        let mut acl = self
            .model
            .network_acls
            .get(&vpc.default_network_acl_id)
            .map(|a| (**a).clone())
            .ok_or_else(|| vpc.default_network_acl_id.not_found())?;
        acl.associations.push(NetworkAclAssociation {
            id: NetworkAclAssociationId::generate(self.ctx.ids),
            subnet_id: subnet_id.clone(),
        });
        self.put(Resource::NetworkAcl(acl));
        Ok(())
    }
}

/// AWS's "IPv4 CIDR block association restrictions" table (docs/aws-semantics.md §1.2).
fn restricted(primary: Family, new: Family) -> bool {
    use Family::*;
    match primary {
        Ten => matches!(new, OneSevenTwo | OneNineTwo | OneNineEight),
        OneSevenTwo => matches!(new, Ten | OneNineTwo | OneNineEight),
        OneNineTwo => matches!(new, Ten | OneSevenTwo | OneNineEight),
        OneNineEight => matches!(new, Ten | OneSevenTwo | OneNineTwo),
        Other => matches!(new, Ten | OneSevenTwo | OneNineTwo | OneNineEight),
    }
}

#[cfg(test)]
mod tests {
    use crate::command::{Command, Outcome};
    use crate::ec2::subnet::Subnet;
    use crate::ec2::vpc::Vpc;
    use crate::ec2::vpc::{CreateVpc, VpcAttribute};
    use crate::testing::Harness;

    #[test]
    fn default_vpc_has_one_default_subnet_per_zone() {
        let h = Harness::new(true);
        let vpcs: Vec<_> = h.model.in_scope::<Vpc>(&h.scope).collect();
        assert_eq!(vpcs.len(), 1);
        assert!(vpcs[0].is_default && vpcs[0].enable_dns_hostnames);
        let subnets: Vec<_> = h
            .model
            .in_scope::<Subnet>(&h.scope)
            .map(|s| (s.cidr_block.to_string(), s.availability_zone.clone()))
            .collect();
        let mut subnets = subnets;
        subnets.sort();
        assert_eq!(
            subnets,
            [
                ("172.31.0.0/20".to_owned(), "ap-northeast-1a".to_owned()),
                ("172.31.16.0/20".to_owned(), "ap-northeast-1c".to_owned()),
                ("172.31.32.0/20".to_owned(), "ap-northeast-1d".to_owned()),
            ]
        );
        let mut h = h;
        assert_eq!(
            h.run(Command::CreateDefaultVpc).unwrap_err().code(),
            "DefaultVpcAlreadyExists"
        );
    }

    #[test]
    fn vpc_comes_with_main_table_default_acl_and_group() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.18/16");
        assert_eq!(vpc.cidr_block.to_string(), "10.0.0.0/16");
        assert!(vpc.enable_dns_support && !vpc.enable_dns_hostnames);
        assert_eq!(vpc.resolver_address().to_string(), "10.0.0.2");
        let rtb = &h.model.route_tables[&h.model.main_route_table(&vpc.id).unwrap().id.clone()];
        assert!(rtb.is_main());
        assert_eq!(rtb.routes.len(), 1);
        let acl = &h.model.network_acls[&vpc.default_network_acl_id];
        assert!(acl.is_default);
        assert_eq!(acl.entries.len(), 4);
        let sg = &h.model.security_groups[&vpc.default_security_group_id];
        assert_eq!(sg.name, "default");
        assert_eq!(
            sg.ingress[0].peer,
            crate::SgPeer::Group {
                group_id: sg.id.clone(),
                account: None
            }
        );
    }

    #[test]
    fn vpc_cidr_must_be_16_to_28() {
        let mut h = Harness::new(false);
        for bad in ["10.0.0.0/8", "10.0.0.0/15", "10.0.0.0/29"] {
            let cmd = Command::CreateVpc(CreateVpc {
                cidr_block: Some(bad.into()),
                ..CreateVpc::default()
            });
            assert_eq!(h.run(cmd).unwrap_err().code(), "InvalidVpc.Range", "{bad}");
        }
    }

    #[test]
    fn delete_vpc_waits_for_its_subnets() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let s = h.subnet(&vpc.id, "10.0.1.0/24", "ap-northeast-1c").unwrap();
        assert_eq!(
            h.run(Command::DeleteVpc {
                vpc_id: vpc.id.clone()
            })
            .unwrap_err()
            .code(),
            "DependencyViolation"
        );
        h.run(Command::DeleteSubnet { subnet_id: s.id }).unwrap();
        h.run(Command::DeleteVpc {
            vpc_id: vpc.id.clone(),
        })
        .unwrap();
        assert!(h.model.route_tables.is_empty() && h.model.network_acls.is_empty());
        assert!(h.model.security_groups.is_empty());
        assert_eq!(
            h.run(Command::DeleteVpc { vpc_id: vpc.id })
                .unwrap_err()
                .code(),
            "InvalidVpcID.NotFound"
        );
    }

    #[test]
    fn secondary_blocks_follow_the_family_table() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let assoc = |cidr: &str| Command::AssociateVpcCidrBlock {
            vpc_id: vpc.id.clone(),
            cidr_block: cidr.into(),
        };
        assert!(h.run(assoc("10.1.0.0/16")).is_ok());
        assert!(h.run(assoc("100.64.0.0/16")).is_ok());
        assert_eq!(
            h.run(assoc("192.168.0.0/16")).unwrap_err().code(),
            "InvalidVpc.Range"
        );
        assert_eq!(
            h.run(assoc("10.0.128.0/17")).unwrap_err().code(),
            "InvalidVpc.Range"
        );
        // The new block has a local route in the main table.
        let rtb = &h.model.route_tables[&h.model.main_route_table(&vpc.id).unwrap().id.clone()];
        assert_eq!(rtb.routes.len(), 3);
        assert!(h.run(assoc("10.2.0.0/16")).is_ok());
        assert!(h.run(assoc("10.3.0.0/16")).is_ok());
        let err = h.run(assoc("10.4.0.0/16")).unwrap_err();
        assert_eq!(err.code(), "CidrLimitExceeded");
        assert_eq!(
            err.to_string(),
            format!(
                "This network '{}' has met its maximum number of allowed CIDRs: 5",
                vpc.id
            )
        );
    }

    #[test]
    fn disassociation_protects_primary_and_used_blocks() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let primary = vpc.cidr_associations[0].id.clone();
        let cmd = Command::DisassociateVpcCidrBlock {
            association_id: primary,
        };
        assert_eq!(h.run(cmd).unwrap_err().code(), "OperationNotPermitted");
        let Outcome::CidrAssociation {
            association: crate::ec2::vpc::VpcCidrAssociation::V4(association),
            ..
        } = h
            .run(Command::AssociateVpcCidrBlock {
                vpc_id: vpc.id.clone(),
                cidr_block: "10.1.0.0/16".into(),
            })
            .unwrap()
        else {
            panic!()
        };
        let s = h.subnet(&vpc.id, "10.1.0.0/24", "ap-northeast-1a").unwrap();
        let cmd = Command::DisassociateVpcCidrBlock {
            association_id: association.id.clone(),
        };
        assert_eq!(
            h.run(cmd.clone()).unwrap_err().code(),
            "DependencyViolation"
        );
        h.run(Command::DeleteSubnet { subnet_id: s.id }).unwrap();
        h.run(cmd).unwrap();
        assert_eq!(
            h.model.route_tables[&h.model.main_route_table(&vpc.id).unwrap().id.clone()]
                .routes
                .len(),
            1
        );
    }

    #[test]
    fn dns_hostnames_need_dns_support() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let set = |a| Command::ModifyVpcAttribute {
            vpc_id: vpc.id.clone(),
            attribute: a,
        };
        h.run(set(VpcAttribute::EnableDnsSupport(false))).unwrap();
        assert_eq!(
            h.run(set(VpcAttribute::EnableDnsHostnames(true)))
                .unwrap_err()
                .code(),
            "InvalidParameterValue"
        );
        h.run(set(VpcAttribute::EnableDnsSupport(true))).unwrap();
        h.run(set(VpcAttribute::EnableDnsHostnames(true))).unwrap();
        assert!(h.model.vpcs[&vpc.id].enable_dns_hostnames);
    }

    #[test]
    fn vpc_tenancy_changes_to_default_only() {
        let mut h = Harness::new(false);
        let Ok(Outcome::Vpc(vpc)) = h.run(Command::CreateVpc(CreateVpc {
            cidr_block: Some("10.0.0.0/16".into()),
            instance_tenancy: Some("dedicated".into()),
            ..CreateVpc::default()
        })) else {
            panic!("no vpc")
        };
        let to = |t: &str| Command::ModifyVpcTenancy {
            vpc_id: vpc.id.clone(),
            instance_tenancy: t.into(),
        };
        assert_eq!(
            h.run(to("dedicated")).unwrap_err().code(),
            "InvalidParameterValue"
        );
        h.run(to("default")).unwrap();
        assert_eq!(
            h.model
                .get::<Vpc>(&h.scope, &vpc.id)
                .unwrap()
                .instance_tenancy,
            "default"
        );
        h.run(to("default")).unwrap();
    }
}

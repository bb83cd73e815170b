//! The writes the API can ask the model for, and what they return.

use crate::ec2::security_group::{
    CreateSecurityGroup, GroupRef, IpPermission, SecurityGroup, SecurityGroupRule,
};
use crate::ec2::subnet::{CreateSubnet, Subnet, SubnetAttribute};
use crate::ec2::vpc::{CidrBlockAssociation, CreateVpc, Vpc, VpcAttribute};
use crate::id::{SecurityGroupId, SecurityGroupRuleId, SubnetId, VpcCidrAssociationId, VpcId};
use serde::{Deserialize, Serialize};

/// A write against one (account, region) scope, given by the [`crate::Ctx`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    /// Sets up a scope on its first use: the default DHCP options and, when
    /// `default_vpc`, the default VPC. A no-op for a scope already set up.
    EnsureScope {
        default_vpc: bool,
    },
    CreateVpc(CreateVpc),
    DeleteVpc {
        vpc_id: VpcId,
    },
    ModifyVpcAttribute {
        vpc_id: VpcId,
        attribute: VpcAttribute,
    },
    AssociateVpcCidrBlock {
        vpc_id: VpcId,
        cidr_block: String,
    },
    DisassociateVpcCidrBlock {
        association_id: VpcCidrAssociationId,
    },
    CreateDefaultVpc,
    CreateSubnet(CreateSubnet),
    DeleteSubnet {
        subnet_id: SubnetId,
    },
    ModifySubnetAttribute {
        subnet_id: SubnetId,
        attribute: SubnetAttribute,
    },
    /// Adds or overwrites tags on each resource; all or nothing.
    CreateTags {
        resource_ids: Vec<String>,
        tags: Vec<(String, String)>,
    },
    /// Removes tags by key, or by key and value when a value is given.
    DeleteTags {
        resource_ids: Vec<String>,
        tags: Vec<(String, Option<String>)>,
    },
    CreateSecurityGroup(CreateSecurityGroup),
    DeleteSecurityGroup {
        group: GroupRef,
    },
    /// AuthorizeSecurityGroupIngress (egress = false) or …Egress.
    AuthorizeSecurityGroup {
        group: GroupRef,
        egress: bool,
        permissions: Vec<IpPermission>,
    },
    /// RevokeSecurityGroupIngress/Egress by permissions and/or rule ids.
    RevokeSecurityGroup {
        group: GroupRef,
        egress: bool,
        permissions: Vec<IpPermission>,
        rule_ids: Vec<SecurityGroupRuleId>,
    },
    /// Each rule id with its replacement (exactly one peer).
    ModifySecurityGroupRules {
        group_id: SecurityGroupId,
        rules: Vec<(SecurityGroupRuleId, IpPermission)>,
    },
    /// Clears every account and region.
    Reset,
}

impl Command {
    /// Whether the command needs its scope set up first (everything but Reset).
    pub fn needs_scope(&self) -> bool {
        !matches!(self, Self::Reset | Self::EnsureScope { .. })
    }
}

/// What a successful command returns to the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Vpc(Vpc),
    Subnet(Subnet),
    CidrAssociation {
        vpc_id: VpcId,
        association: CidrBlockAssociation,
    },
    SecurityGroup(SecurityGroup),
    SecurityGroupId(SecurityGroupId),
    /// Rules just created, with their group.
    Rules(Vec<(SecurityGroupId, SecurityGroupRule)>),
}

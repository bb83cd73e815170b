//! The unit of persistence: a whole resource put, or one removed.

use crate::ec2::dhcp::DhcpOptions;
use crate::ec2::network_acl::NetworkAcl;
use crate::ec2::route_table::RouteTable;
use crate::ec2::security_group::SecurityGroup;
use crate::ec2::subnet::Subnet;
use crate::ec2::vpc::Vpc;
use crate::id::{DhcpOptionsId, NetworkAclId, RouteTableId, SecurityGroupId, SubnetId, VpcId};
use crate::model::ScopeState;
use crate::scope::Scope;
use serde::{Deserialize, Serialize};

/// Any stored resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Resource {
    Scope(ScopeState),
    Vpc(Vpc),
    Subnet(Subnet),
    RouteTable(RouteTable),
    NetworkAcl(NetworkAcl),
    SecurityGroup(SecurityGroup),
    DhcpOptions(DhcpOptions),
}

/// The key of a stored resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResourceRef {
    Scope(Scope),
    Vpc(VpcId),
    Subnet(SubnetId),
    RouteTable(RouteTableId),
    NetworkAcl(NetworkAclId),
    SecurityGroup(SecurityGroupId),
    DhcpOptions(DhcpOptionsId),
}

/// One committed change. A command's changes are applied and persisted together.
#[expect(
    clippy::large_enum_variant,
    reason = "changes are few per write and mostly Puts; boxing buys nothing"
)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    Put(Resource),
    Delete(ResourceRef),
    /// Everything is gone (`POST /_localvpc/reset`).
    Reset,
}

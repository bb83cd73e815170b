//! Route tables. A VPC's main table is created with the VPC and holds one `local` route per
//! VPC CIDR; the route-table API itself arrives with the network issue.

use crate::cidr::Ipv4Cidr;
use crate::ec2::tags::Tags;
use crate::id::{RouteTableAssociationId, RouteTableId, SubnetId, VpcId};
use crate::scope::Scope;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteTable {
    pub id: RouteTableId,
    pub scope: Scope,
    pub vpc_id: VpcId,
    pub routes: Vec<Route>,
    pub associations: Vec<RouteTableAssociation>,
    pub tags: Tags,
}

impl RouteTable {
    pub fn is_main(&self) -> bool {
        self.associations.iter().any(|a| a.main)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    pub destination: Ipv4Cidr,
    pub target: RouteTarget,
    pub origin: RouteOrigin,
    pub state: RouteState,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteTarget {
    /// The VPC's own CIDR (`gatewayId=local`).
    Local,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteOrigin {
    CreateRouteTable,
    CreateRoute,
}

impl RouteOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CreateRouteTable => "CreateRouteTable",
            Self::CreateRoute => "CreateRoute",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteState {
    Active,
    Blackhole,
}

impl RouteState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Blackhole => "blackhole",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteTableAssociation {
    pub id: RouteTableAssociationId,
    /// The main association has no subnet: it stands for every subnet without its own.
    pub main: bool,
    pub subnet_id: Option<SubnetId>,
}

impl RouteTable {
    pub(crate) fn local_route(destination: Ipv4Cidr) -> Route {
        Route {
            destination,
            target: RouteTarget::Local,
            origin: RouteOrigin::CreateRouteTable,
            state: RouteState::Active,
        }
    }
}

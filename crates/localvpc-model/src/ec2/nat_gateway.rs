//! NAT gateways: a requester-managed interface in a subnet, public (with an Elastic IP, in a
//! VPC with an internet gateway) or private. Deleted gateways stay listed as `deleted`.

use crate::ec2::elastic_ip::ElasticIp;
use crate::ec2::network_interface::ManagedInterface;
use crate::ec2::subnet::Subnet;
use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::error::ModelError;
use crate::id::{AllocationId, NatGatewayId, NetworkInterfaceId, SubnetId, Timestamp, VpcId};
use crate::resource::{Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NatGateway {
    pub id: NatGatewayId,
    pub scope: Scope,
    pub vpc_id: VpcId,
    pub subnet_id: SubnetId,
    pub public: bool,
    pub state: NatGatewayState,
    pub failure: Option<(String, String)>,
    pub allocation_id: Option<AllocationId>,
    pub network_interface_id: Option<NetworkInterfaceId>,
    pub private_ip: Option<Ipv4Addr>,
    pub public_ip: Option<Ipv4Addr>,
    pub created: Timestamp,
    pub deleted: Option<Timestamp>,
    pub tags: Tags,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NatGatewayState {
    Available,
    Failed,
    Deleted,
}

impl NatGatewayState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::Failed => "failed",
            Self::Deleted => "deleted",
        }
    }
}

/// CreateNatGateway's input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateNatGateway {
    pub subnet_id: SubnetId,
    pub public: bool,
    pub allocation_id: Option<AllocationId>,
    pub private_ip: Option<Ipv4Addr>,
    pub tag_specifications: Vec<TagSpecification>,
}

impl Txn<'_, '_> {
    pub(crate) fn create_nat_gateway(
        &mut self,
        input: &CreateNatGateway,
    ) -> Result<NatGateway, ModelError> {
        let subnet = self
            .model
            .get::<Subnet>(self.ctx.scope, &input.subnet_id)?
            .clone();
        let id = NatGatewayId::generate(self.ctx.ids);
        let tags = tags_for(&input.tag_specifications, "natgateway", id.as_str())?;
        match (input.public, &input.allocation_id) {
            (true, None) => {
                return Err(ModelError::missing(
                    "The request must contain the parameter AllocationId",
                ));
            }
            (false, Some(_)) => {
                return Err(ModelError::InvalidParameterCombination {
                    message: "A private NAT gateway cannot have an Elastic IP address".to_owned(),
                });
            }
            _ => {}
        }
        if let Some(allocation_id) = &input.allocation_id {
            let eip = self.model.get::<ElasticIp>(self.ctx.scope, allocation_id)?;
            if eip.association.is_some() {
                return Err(ModelError::AlreadyAssociated {
                    message: format!("Elastic IP address [{allocation_id}] is already associated"),
                });
            }
        }
        let mut nat = NatGateway {
            id: id.clone(),
            scope: self.ctx.scope.clone(),
            vpc_id: subnet.vpc_id.clone(),
            subnet_id: subnet.id.clone(),
            public: input.public,
            state: NatGatewayState::Available,
            failure: None,
            allocation_id: input.allocation_id.clone(),
            network_interface_id: None,
            private_ip: None,
            public_ip: None,
            created: self.ctx.now,
            deleted: None,
            tags,
        };
        let has_igw = self
            .model
            .internet_gateways
            .values()
            .any(|g| g.attached_vpc.as_ref() == Some(&subnet.vpc_id));
        if input.public && !has_igw {
            // AWS accepts the call and the gateway then fails.
            nat.state = NatGatewayState::Failed;
            nat.failure = Some((
                "Gateway.NotAttached".to_owned(),
                format!("Network {} has no Internet gateway attached", subnet.vpc_id),
            ));
            self.put(Resource::NatGateway(nat.clone()));
            return Ok(nat);
        }
        let eni = self.create_managed_interface(ManagedInterface {
            subnet_id: &subnet.id,
            ip: input.private_ip,
            groups: Vec::new(),
            description: format!("Interface for NAT Gateway {id}"),
            interface_type: "natGateway",
            requester_id: "amazon-nat-gateway",
            source_dest_check: false,
        })?;
        if let Some(allocation_id) = &input.allocation_id {
            self.associate_address(allocation_id, &eni.id, None, false)?;
            nat.public_ip = Some(
                self.model
                    .get::<ElasticIp>(self.ctx.scope, allocation_id)?
                    .public_ip,
            );
        }
        nat.network_interface_id = Some(eni.id);
        nat.private_ip = Some(eni.private_ip);
        self.put(Resource::NatGateway(nat.clone()));
        Ok(nat)
    }

    pub(crate) fn delete_nat_gateway(&mut self, id: &NatGatewayId) -> Result<(), ModelError> {
        let mut nat = self.model.get::<NatGateway>(self.ctx.scope, id)?.clone();
        if nat.state == NatGatewayState::Deleted {
            return Err(ModelError::NatGatewayDeleted { id: id.to_string() });
        }
        if let Some(eni) = nat.network_interface_id.take() {
            let mapped: Vec<_> = self
                .model
                .elastic_ips
                .values()
                .filter(|e| {
                    e.association
                        .as_ref()
                        .is_some_and(|a| a.network_interface_id == eni)
                })
                .map(|e| (**e).clone())
                .collect();
            for mut eip in mapped {
                eip.association = None;
                self.put(Resource::ElasticIp(eip));
            }
            self.delete(ResourceRef::NetworkInterface(eni));
        }
        nat.state = NatGatewayState::Deleted;
        nat.deleted = Some(self.ctx.now);
        self.put(Resource::NatGateway(nat));
        Ok(())
    }
}

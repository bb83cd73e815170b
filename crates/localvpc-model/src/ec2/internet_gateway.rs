//! Internet gateways: created alone, attached to at most one VPC, and a VPC has at most one.

use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::ec2::vpc::Vpc;
use crate::error::ModelError;
use crate::id::{InternetGatewayId, VpcId};
use crate::resource::{Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InternetGateway {
    pub id: InternetGatewayId,
    pub scope: Scope,
    /// The VPC it is attached to (AWS reports the attachment state `available`).
    pub attached_vpc: Option<VpcId>,
    pub tags: Tags,
}

impl InternetGateway {
    pub fn arn(&self) -> String {
        self.scope.ec2_arn("internet-gateway", self.id.as_str())
    }
}

impl Txn<'_, '_> {
    pub(crate) fn create_internet_gateway(
        &mut self,
        specs: &[TagSpecification],
    ) -> Result<InternetGateway, ModelError> {
        let id = InternetGatewayId::generate(self.ctx.ids);
        let tags = tags_for(specs, "internet-gateway", id.as_str())?;
        let igw = InternetGateway {
            id,
            scope: self.ctx.scope.clone(),
            attached_vpc: None,
            tags,
        };
        self.put(Resource::InternetGateway(igw.clone()));
        Ok(igw)
    }

    pub(crate) fn attach_internet_gateway(
        &mut self,
        igw_id: &InternetGatewayId,
        vpc_id: &VpcId,
    ) -> Result<(), ModelError> {
        let mut igw = self
            .model
            .get::<InternetGateway>(self.ctx.scope, igw_id)?
            .clone();
        let vpc = self.model.get::<Vpc>(self.ctx.scope, vpc_id)?;
        if let Some(attached) = &igw.attached_vpc {
            return Err(ModelError::AlreadyAssociated {
                message: format!("resource {igw_id} is already attached to network {attached}"),
            });
        }
        if let Some(other) = self
            .model
            .internet_gateways
            .values()
            .find(|g| g.attached_vpc.as_ref() == Some(vpc_id))
        {
            return Err(ModelError::AlreadyAssociated {
                message: format!(
                    "network {} already has an internet gateway attached: {}",
                    vpc.id, other.id
                ),
            });
        }
        igw.attached_vpc = Some(vpc_id.clone());
        self.put(Resource::InternetGateway(igw));
        Ok(())
    }

    pub(crate) fn detach_internet_gateway(
        &mut self,
        igw_id: &InternetGatewayId,
        vpc_id: &VpcId,
    ) -> Result<(), ModelError> {
        let mut igw = self
            .model
            .get::<InternetGateway>(self.ctx.scope, igw_id)?
            .clone();
        self.model.get::<Vpc>(self.ctx.scope, vpc_id)?;
        if igw.attached_vpc.as_ref() != Some(vpc_id) {
            return Err(ModelError::GatewayNotAttached {
                message: format!("resource {igw_id} is not attached to network {vpc_id}"),
            });
        }
        let mapped = self.model.elastic_ips.values().any(|e| {
            e.association.as_ref().is_some_and(|a| {
                self.model
                    .network_interfaces
                    .get(&a.network_interface_id)
                    .is_some_and(|n| &n.vpc_id == vpc_id)
            })
        });
        if mapped {
            return Err(ModelError::dependency(format!(
                "Network {vpc_id} has some mapped public address(es). Please unmap those public address(es) \
                 before detaching the gateway."
            )));
        }
        igw.attached_vpc = None;
        self.put(Resource::InternetGateway(igw));
        Ok(())
    }

    pub(crate) fn delete_internet_gateway(
        &mut self,
        igw_id: &InternetGatewayId,
    ) -> Result<(), ModelError> {
        let igw = self.model.get::<InternetGateway>(self.ctx.scope, igw_id)?;
        if igw.attached_vpc.is_some() {
            return Err(ModelError::dependency(format!(
                "The internetGateway '{igw_id}' has dependencies and cannot be deleted."
            )));
        }
        self.delete(ResourceRef::InternetGateway(igw_id.clone()));
        Ok(())
    }
}

//! Elastic IP addresses: allocated from localvpc's public pool, associated with an interface
//! (or an instance's primary interface) in a VPC that has an internet gateway.

use crate::ec2::network_interface::NetworkInterface;
use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::error::ModelError;
use crate::id::{AllocationId, ElasticIpAssociationId, NetworkInterfaceId};
use crate::resource::{Model, Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// The public address space localvpc hands out: two of the documentation blocks
/// (RFC 5737), so an emulated public address can never be mistaken for a real one. The third,
/// 192.0.2.0/24, holds the AWS-side VPN tunnel endpoints.
const POOL: &[(Ipv4Addr, u32)] = &[
    (Ipv4Addr::new(203, 0, 113, 0), 256),
    (Ipv4Addr::new(198, 51, 100, 0), 256),
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElasticIp {
    pub id: AllocationId,
    pub scope: Scope,
    pub public_ip: Ipv4Addr,
    pub association: Option<EipAssociation>,
    pub tags: Tags,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EipAssociation {
    pub id: ElasticIpAssociationId,
    pub network_interface_id: NetworkInterfaceId,
    pub private_ip: Ipv4Addr,
}

impl Model {
    /// The Elastic IP mapped to an interface's private address, if any.
    pub fn elastic_ip_for(
        &self,
        eni: &NetworkInterfaceId,
        private_ip: Ipv4Addr,
    ) -> Option<&ElasticIp> {
        self.elastic_ips.values().map(AsRef::as_ref).find(|e| {
            e.association
                .as_ref()
                .is_some_and(|a| &a.network_interface_id == eni && a.private_ip == private_ip)
        })
    }

    /// The public address mapped to an interface's private address, if any.
    pub fn public_ip_of(&self, eni: &NetworkInterfaceId, private_ip: Ipv4Addr) -> Option<Ipv4Addr> {
        self.elastic_ips.values().find_map(|e| {
            e.association
                .as_ref()
                .filter(|a| &a.network_interface_id == eni && a.private_ip == private_ip)
                .map(|_| e.public_ip)
        })
    }
}

/// The lowest public address of the pool that no Elastic IP or instance holds (addresses
/// are unique across accounts and regions, like real public addresses).
pub(crate) fn allocate_public_ip(model: &Model) -> Result<Ipv4Addr, ModelError> {
    let mut taken: std::collections::BTreeSet<Ipv4Addr> =
        model.elastic_ips.values().map(|e| e.public_ip).collect();
    taken.extend(model.instances.values().filter_map(|i| i.public_ip));
    POOL.iter()
        .flat_map(|(base, len)| {
            (1..len.saturating_sub(1)).map(move |n| Ipv4Addr::from(u32::from(*base) + n))
        })
        .find(|ip| !taken.contains(ip))
        .ok_or(ModelError::AddressLimitExceeded)
}

impl Txn<'_, '_> {
    /// Takes the lowest free address of the pool (any account, any region: addresses are
    /// unique like real public addresses).
    pub(crate) fn allocate_address(
        &mut self,
        specs: &[TagSpecification],
    ) -> Result<ElasticIp, ModelError> {
        let taken: std::collections::BTreeSet<Ipv4Addr> = self
            .model
            .elastic_ips
            .values()
            .map(|e| e.public_ip)
            .collect();
        let public_ip = POOL
            .iter()
            .flat_map(|(base, len)| {
                (1..len.saturating_sub(1)).map(move |n| Ipv4Addr::from(u32::from(*base) + n))
            })
            .find(|ip| !taken.contains(ip))
            .ok_or(ModelError::AddressLimitExceeded)?;
        let id = AllocationId::generate(self.ctx.ids);
        let tags = tags_for(specs, "elastic-ip", id.as_str())?;
        let eip = ElasticIp {
            id,
            scope: self.ctx.scope.clone(),
            public_ip,
            association: None,
            tags,
        };
        self.put(Resource::ElasticIp(eip.clone()));
        Ok(eip)
    }

    /// Maps the address to one private address of an interface (its primary by default).
    pub(crate) fn associate_address(
        &mut self,
        allocation_id: &AllocationId,
        eni_id: &NetworkInterfaceId,
        private_ip: Option<Ipv4Addr>,
        allow_reassociation: bool,
    ) -> Result<ElasticIpAssociationId, ModelError> {
        let mut eip = self
            .model
            .get::<ElasticIp>(self.ctx.scope, allocation_id)?
            .clone();
        let eni = self
            .model
            .get::<NetworkInterface>(self.ctx.scope, eni_id)?
            .clone();
        let private_ip = private_ip.unwrap_or(eni.private_ip);
        if !eni.addresses().any(|a| a == private_ip) {
            return Err(ModelError::invalid_value(format!(
                "The private IP address {private_ip} is not assigned to interface {eni_id}"
            )));
        }
        let has_igw = self
            .model
            .internet_gateways
            .values()
            .any(|g| g.attached_vpc.as_ref() == Some(&eni.vpc_id));
        if !has_igw {
            return Err(ModelError::GatewayNotAttached {
                message: format!(
                    "Network {} is not attached to any internet gateway",
                    eni.vpc_id
                ),
            });
        }
        if eip.association.is_some() && !allow_reassociation {
            return Err(ModelError::AlreadyAssociated {
                message: format!(
                    "resource {allocation_id} is already associated with associate-id {}",
                    eip.association
                        .as_ref()
                        .map(|a| a.id.to_string())
                        .unwrap_or_default()
                ),
            });
        }
        // Another address mapped to the same private address is displaced, as in AWS
        // (AssociateAddress: "the previously associated address is disassociated").
        let displaced: Vec<ElasticIp> = self
            .model
            .elastic_ips
            .values()
            .filter(|e| {
                e.id != eip.id
                    && e.association.as_ref().is_some_and(|a| {
                        a.network_interface_id == eni.id && a.private_ip == private_ip
                    })
            })
            .map(|e| (**e).clone())
            .collect();
        if !displaced.is_empty() && !allow_reassociation {
            return Err(ModelError::AlreadyAssociated {
                message: format!(
                    "the private address {private_ip} already has an Elastic IP address"
                ),
            });
        }
        for mut other in displaced {
            other.association = None;
            self.put(Resource::ElasticIp(other));
        }
        let association = EipAssociation {
            id: ElasticIpAssociationId::generate(self.ctx.ids),
            network_interface_id: eni.id,
            private_ip,
        };
        let id = association.id.clone();
        eip.association = Some(association);
        self.put(Resource::ElasticIp(eip));
        Ok(id)
    }

    pub(crate) fn disassociate_address(
        &mut self,
        association_id: &ElasticIpAssociationId,
    ) -> Result<(), ModelError> {
        let scope = self.ctx.scope;
        let found = self
            .model
            .in_scope::<ElasticIp>(scope)
            .find(|e| {
                e.association
                    .as_ref()
                    .is_some_and(|a| &a.id == association_id)
            })
            .cloned();
        let Some(mut eip) = found else {
            return Err(association_id.not_found());
        };
        eip.association = None;
        self.put(Resource::ElasticIp(eip));
        Ok(())
    }

    pub(crate) fn release_address(
        &mut self,
        allocation_id: &AllocationId,
    ) -> Result<(), ModelError> {
        let eip = self.model.get::<ElasticIp>(self.ctx.scope, allocation_id)?;
        if eip.association.is_some() {
            return Err(ModelError::AddressInUse {
                ip: eip.public_ip.to_string(),
            });
        }
        self.delete(ResourceRef::ElasticIp(allocation_id.clone()));
        Ok(())
    }
}

//! Site-to-site VPN for on-premises networks: customer gateways, virtual private gateways
//! attached to a VPC, VPN connections with static routes, and route propagation from a
//! virtual private gateway into VPC route tables (propagated routes are derived). A VPN
//! connection on a transit gateway instead gets a transit gateway attachment (type `vpn`).

use crate::cidr::Ipv4Cidr;
use crate::ec2::route_table::RouteTable;
use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::ec2::transit_gateway::TransitGatewayAttachment;
use crate::ec2::vpc::Vpc;
use crate::error::ModelError;
use crate::id::{
    CustomerGatewayId, RouteTableId, TransitGatewayAttachmentId, TransitGatewayId, VpcId,
    VpnConnectionId, VpnGatewayId,
};
use crate::resource::{Model, Resource};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerGateway {
    pub id: CustomerGatewayId,
    pub scope: Scope,
    pub bgp_asn: u32,
    pub ip_address: Ipv4Addr,
    pub device_name: Option<String>,
    pub deleted: bool,
    pub tags: Tags,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpnGateway {
    pub id: VpnGatewayId,
    pub scope: Scope,
    pub amazon_side_asn: u32,
    /// The VPC it is attached to.
    pub attached_vpc: Option<VpcId>,
    /// The VPC it was last detached from: AWS keeps listing that attachment as `detached`.
    #[serde(default)]
    pub detached_vpc: Option<VpcId>,
    pub deleted: bool,
    pub tags: Tags,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpnConnection {
    pub id: VpnConnectionId,
    pub scope: Scope,
    pub customer_gateway_id: CustomerGatewayId,
    /// The virtual private gateway it terminates on, or None on a transit gateway.
    pub vpn_gateway_id: Option<VpnGatewayId>,
    #[serde(default)]
    pub transit_gateway_id: Option<TransitGatewayId>,
    /// The `vpn` attachment made on the transit gateway.
    #[serde(default)]
    pub transit_gateway_attachment_id: Option<TransitGatewayAttachmentId>,
    pub static_routes_only: bool,
    pub routes: Vec<Ipv4Cidr>,
    /// The two AWS-side tunnel endpoints.
    pub tunnel_outside_ips: [Ipv4Addr; 2],
    pub deleted: bool,
    pub tags: Tags,
}

impl Model {
    /// Routes a virtual private gateway propagates: the static routes of its live VPN
    /// connections (BGP-learned routes are not emulated).
    pub fn vgw_routes(&self, vgw: &VpnGatewayId) -> Vec<Ipv4Cidr> {
        let mut routes: Vec<Ipv4Cidr> = self
            .vpn_connections
            .values()
            .filter(|c| c.vpn_gateway_id.as_ref() == Some(vgw) && !c.deleted)
            .flat_map(|c| c.routes.clone())
            .collect();
        routes.sort();
        routes.dedup();
        routes
    }
}

/// Where CreateVpnConnection terminates a connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VpnTarget {
    VpnGateway(VpnGatewayId),
    TransitGateway(TransitGatewayId),
}

/// The tunnel endpoints of a connection: two addresses of the emulated public pool's last
/// documentation block, derived from the id so they are stable.
fn tunnel_ips(id: &VpnConnectionId) -> [Ipv4Addr; 2] {
    let seed = id
        .as_str()
        .bytes()
        .fold(0u8, |acc, b| acc.wrapping_mul(31).wrapping_add(b));
    let a = seed % 127 * 2 + 1;
    [Ipv4Addr::new(192, 0, 2, a), Ipv4Addr::new(192, 0, 2, a + 1)]
}

impl Txn<'_, '_> {
    pub(crate) fn create_customer_gateway(
        &mut self,
        bgp_asn: u32,
        ip_address: Ipv4Addr,
        device_name: Option<String>,
        specs: &[TagSpecification],
    ) -> Result<CustomerGateway, ModelError> {
        // The same address, ASN and device name return the existing gateway
        // (CreateCustomerGateway docs: a unique device name makes a new one).
        if let Some(existing) = self
            .model
            .in_scope::<CustomerGateway>(self.ctx.scope)
            .find(|g| {
                !g.deleted
                    && g.ip_address == ip_address
                    && g.bgp_asn == bgp_asn
                    && g.device_name == device_name
            })
        {
            return Ok(existing.clone());
        }
        let id = CustomerGatewayId::generate(self.ctx.ids);
        let tags = tags_for(specs, "customer-gateway", id.as_str())?;
        let gateway = CustomerGateway {
            id,
            scope: self.ctx.scope.clone(),
            bgp_asn,
            ip_address,
            device_name,
            deleted: false,
            tags,
        };
        self.put(Resource::CustomerGateway(gateway.clone()));
        Ok(gateway)
    }

    pub(crate) fn delete_customer_gateway(
        &mut self,
        id: &CustomerGatewayId,
    ) -> Result<(), ModelError> {
        let mut gateway = self
            .model
            .get::<CustomerGateway>(self.ctx.scope, id)?
            .clone();
        let in_use = self
            .model
            .vpn_connections
            .values()
            .any(|c| &c.customer_gateway_id == id && !c.deleted);
        if in_use {
            return Err(ModelError::IncorrectState {
                message: format!("The customer gateway {id} is in use by a VPN connection"),
            });
        }
        gateway.deleted = true;
        self.put(Resource::CustomerGateway(gateway));
        Ok(())
    }

    pub(crate) fn create_vpn_gateway(
        &mut self,
        asn: Option<u32>,
        specs: &[TagSpecification],
    ) -> Result<VpnGateway, ModelError> {
        let amazon_side_asn = asn.unwrap_or(64512);
        let private = (64512..=65534).contains(&amazon_side_asn)
            || (4_200_000_000..=4_294_967_294).contains(&amazon_side_asn);
        if !private {
            return Err(ModelError::invalid_value(format!(
                "Invalid Amazon side ASN {amazon_side_asn}"
            )));
        }
        let id = VpnGatewayId::generate(self.ctx.ids);
        let tags = tags_for(specs, "vpn-gateway", id.as_str())?;
        let gateway = VpnGateway {
            id,
            scope: self.ctx.scope.clone(),
            amazon_side_asn,
            attached_vpc: None,
            detached_vpc: None,
            deleted: false,
            tags,
        };
        self.put(Resource::VpnGateway(gateway.clone()));
        Ok(gateway)
    }

    fn live_vgw(&self, id: &VpnGatewayId) -> Result<VpnGateway, ModelError> {
        let gateway = self.model.get::<VpnGateway>(self.ctx.scope, id)?;
        if gateway.deleted {
            return Err(ModelError::IncorrectState {
                message: format!("The VPN gateway {id} is deleted"),
            });
        }
        Ok(gateway.clone())
    }

    pub(crate) fn attach_vpn_gateway(
        &mut self,
        id: &VpnGatewayId,
        vpc_id: &VpcId,
    ) -> Result<(), ModelError> {
        let mut gateway = self.live_vgw(id)?;
        self.model.get::<Vpc>(self.ctx.scope, vpc_id)?;
        if let Some(vpc) = &gateway.attached_vpc {
            return Err(ModelError::AlreadyAssociated {
                message: format!("resource {id} is already attached to network {vpc}"),
            });
        }
        let taken = self
            .model
            .vpn_gateways
            .values()
            .any(|g| !g.deleted && g.attached_vpc.as_ref() == Some(vpc_id));
        if taken {
            return Err(ModelError::InvalidVpcState {
                message: format!("The VPC {vpc_id} already has a virtual private gateway attached"),
            });
        }
        gateway.attached_vpc = Some(vpc_id.clone());
        gateway.detached_vpc = None;
        self.put(Resource::VpnGateway(gateway));
        Ok(())
    }

    pub(crate) fn detach_vpn_gateway(
        &mut self,
        id: &VpnGatewayId,
        vpc_id: &VpcId,
    ) -> Result<(), ModelError> {
        let mut gateway = self.live_vgw(id)?;
        if gateway.attached_vpc.as_ref() != Some(vpc_id) {
            return Err(ModelError::VpnAttachmentNotFound {
                vgw: id.to_string(),
                vpc: vpc_id.to_string(),
            });
        }
        gateway.detached_vpc = gateway.attached_vpc.take();
        self.put(Resource::VpnGateway(gateway));
        Ok(())
    }

    pub(crate) fn delete_vpn_gateway(&mut self, id: &VpnGatewayId) -> Result<(), ModelError> {
        let mut gateway = self.live_vgw(id)?;
        let connected = self
            .model
            .vpn_connections
            .values()
            .any(|c| c.vpn_gateway_id.as_ref() == Some(id) && !c.deleted);
        if gateway.attached_vpc.is_some() || connected {
            return Err(ModelError::IncorrectState {
                message: format!(
                    "The VPN gateway {id} is attached to a VPC or has VPN connections"
                ),
            });
        }
        gateway.deleted = true;
        self.put(Resource::VpnGateway(gateway));
        Ok(())
    }

    pub(crate) fn create_vpn_connection(
        &mut self,
        customer_gateway_id: &CustomerGatewayId,
        target: &VpnTarget,
        static_routes_only: bool,
        specs: &[TagSpecification],
    ) -> Result<VpnConnection, ModelError> {
        let cgw = self
            .model
            .get::<CustomerGateway>(self.ctx.scope, customer_gateway_id)?;
        if cgw.deleted {
            return Err(ModelError::IncorrectState {
                message: format!("The customer gateway {customer_gateway_id} is deleted"),
            });
        }
        let cgw_asn = cgw.bgp_asn;
        let (gateway, amazon_side_asn) = match target {
            VpnTarget::VpnGateway(id) => (id.to_string(), self.live_vgw(id)?.amazon_side_asn),
            VpnTarget::TransitGateway(id) => {
                // VPN attachments can be made only on a transit gateway the caller owns.
                let tgw = self.model.transit_gateway(self.ctx.scope, id)?;
                if &tgw.scope != self.ctx.scope {
                    return Err(id.not_found());
                }
                (id.to_string(), tgw.options.amazon_side_asn)
            }
        };
        if cgw_asn == amazon_side_asn && !static_routes_only {
            return Err(ModelError::AsnConflict {
                message: format!(
                    "The customer gateway {customer_gateway_id} and the gateway {gateway} have the same BGP ASN {cgw_asn}"
                ),
            });
        }
        let (vpn_gateway_id, transit_gateway_id) = match target {
            VpnTarget::VpnGateway(id) => (Some(id.clone()), None),
            VpnTarget::TransitGateway(id) => (None, Some(id.clone())),
        };
        let duplicate = self.model.vpn_connections.values().any(|c| {
            !c.deleted
                && &c.customer_gateway_id == customer_gateway_id
                && c.vpn_gateway_id.is_some()
                && c.vpn_gateway_id == vpn_gateway_id
        });
        if duplicate {
            return Err(ModelError::invalid_value(format!(
                "A VPN connection between {customer_gateway_id} and {gateway} already exists"
            )));
        }
        let id = VpnConnectionId::generate(self.ctx.ids);
        let tags = tags_for(specs, "vpn-connection", id.as_str())?;
        let transit_gateway_attachment_id = match &transit_gateway_id {
            Some(tgw) => Some(self.create_tgw_vpn_attachment(tgw, &id)?),
            None => None,
        };
        let connection = VpnConnection {
            tunnel_outside_ips: tunnel_ips(&id),
            id,
            scope: self.ctx.scope.clone(),
            customer_gateway_id: customer_gateway_id.clone(),
            vpn_gateway_id,
            transit_gateway_id,
            transit_gateway_attachment_id,
            static_routes_only,
            routes: Vec::new(),
            deleted: false,
            tags,
        };
        self.put(Resource::VpnConnection(connection.clone()));
        Ok(connection)
    }

    fn live_connection(&self, id: &VpnConnectionId) -> Result<VpnConnection, ModelError> {
        let connection = self.model.get::<VpnConnection>(self.ctx.scope, id)?;
        if connection.deleted {
            return Err(ModelError::IncorrectState {
                message: format!("The VPN connection {id} is deleted"),
            });
        }
        Ok(connection.clone())
    }

    pub(crate) fn delete_vpn_connection(&mut self, id: &VpnConnectionId) -> Result<(), ModelError> {
        let mut connection = self.live_connection(id)?;
        // Its transit gateway attachment goes with it.
        let attachment = connection
            .transit_gateway_attachment_id
            .as_ref()
            .and_then(|a| self.model.any::<TransitGatewayAttachment>(a))
            .cloned();
        if let Some(attachment) = attachment {
            self.end_attachment(
                attachment,
                crate::ec2::transit_gateway::AttachmentState::Deleted,
            );
        }
        connection.deleted = true;
        self.put(Resource::VpnConnection(connection));
        Ok(())
    }

    pub(crate) fn set_vpn_connection_route(
        &mut self,
        id: &VpnConnectionId,
        cidr: Ipv4Cidr,
        present: bool,
    ) -> Result<(), ModelError> {
        let mut connection = self.live_connection(id)?;
        if let Some(tgw) = &connection.transit_gateway_id {
            // "For a VPN connection on a transit gateway, you add, modify, or remove the
            // static routes in the transit gateway route table" (Site-to-Site VPN guide).
            return Err(ModelError::VpnConnectionInvalidType(format!(
                "The VPN connection {id} is attached to transit gateway {tgw}; add its static routes to the \
                 transit gateway route table (CreateTransitGatewayRoute)"
            )));
        }
        if !connection.static_routes_only {
            return Err(ModelError::VpnConnectionInvalidType(format!(
                "The VPN connection {id} uses dynamic (BGP) routing; static routes need StaticRoutesOnly"
            )));
        }
        let exists = connection.routes.contains(&cidr);
        match (present, exists) {
            (true, true) => {
                return Err(ModelError::RouteAlreadyExists {
                    destination: cidr.to_string(),
                    table: id.to_string(),
                });
            }
            (false, false) => {
                return Err(ModelError::RouteNotFound {
                    destination: cidr.to_string(),
                    table: id.to_string(),
                });
            }
            (true, false) => connection.routes.push(cidr),
            (false, true) => connection.routes.retain(|c| c != &cidr),
        }
        self.put(Resource::VpnConnection(connection));
        Ok(())
    }

    pub(crate) fn set_vgw_route_propagation(
        &mut self,
        table: &RouteTableId,
        vgw: &VpnGatewayId,
        enable: bool,
    ) -> Result<(), ModelError> {
        let mut t = self.model.get::<RouteTable>(self.ctx.scope, table)?.clone();
        let gateway = self.live_vgw(vgw)?;
        if gateway.attached_vpc.as_ref() != Some(&t.vpc_id) {
            return Err(ModelError::GatewayNotAttached {
                message: format!("resource {vgw} is not attached to network {}", t.vpc_id),
            });
        }
        let present = t.propagating_vgws.contains(vgw);
        match (enable, present) {
            (true, false) => t.propagating_vgws.push(vgw.clone()),
            (false, true) => t.propagating_vgws.retain(|g| g != vgw),
            // Enabling twice or disabling what is off is accepted silently, as AWS does.
            _ => return Ok(()),
        }
        self.put(Resource::RouteTable(t));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::command::{Command, Outcome};
    use crate::testing::Harness;

    #[test]
    fn vpn_connections_on_a_transit_gateway_are_vpn_attachments() {
        use crate::ec2::transit_gateway::AttachmentState;
        use crate::ec2::vpn::VpnTarget;
        let mut h = Harness::new(false);
        let (tgw, rtb) = h.transit_gateway();
        let Outcome::CustomerGateway(cgw) = h
            .run(Command::CreateCustomerGateway {
                bgp_asn: 65000,
                ip_address: "198.51.100.1".parse().unwrap(),
                device_name: None,
                tag_specifications: vec![],
            })
            .unwrap()
        else {
            panic!()
        };
        let Outcome::VpnConnection(vpn) = h
            .run(Command::CreateVpnConnection {
                customer_gateway_id: cgw.id.clone(),
                target: VpnTarget::TransitGateway(tgw.id.clone()),
                static_routes_only: true,
                tag_specifications: vec![],
            })
            .unwrap()
        else {
            panic!()
        };
        let att_id = vpn.transit_gateway_attachment_id.clone().unwrap();
        let att = h.model.transit_gateway_attachments[&att_id].clone();
        assert_eq!(
            (att.resource_type(), att.resource_id(), att.state),
            ("vpn", vpn.id.as_str(), AttachmentState::Available)
        );
        assert_eq!(att.association.as_ref(), Some(&rtb));
        assert_eq!(att.propagations, vec![rtb.clone()]);
        // Static routes go in the transit gateway route table, not on the connection.
        let route = Command::SetVpnConnectionRoute {
            id: vpn.id.clone(),
            cidr: "192.168.0.0/16".parse().unwrap(),
            present: true,
        };
        assert_eq!(
            h.run(route).unwrap_err().code(),
            "InvalidVpnConnection.InvalidType"
        );
        h.run(Command::CreateTransitGatewayRoute {
            table: rtb.clone(),
            destination: "192.168.0.0/16".parse().unwrap(),
            attachment: Some(att_id.clone()),
        })
        .unwrap();
        let table = h.model.transit_gateway_route_tables[&rtb].clone();
        let hit = h
            .model
            .tgw_lookup(&table, "192.168.1.1".parse().unwrap())
            .unwrap();
        assert_eq!((hit.attachment.as_ref(), hit.active), (Some(&att_id), true));
        // The VPC-attachment calls do not see it; the gateway cannot go while it lives.
        assert!(
            h.run(Command::DeleteTransitGatewayVpcAttachment { id: att_id.clone() })
                .unwrap_err()
                .is_not_found()
        );
        assert_eq!(
            h.run(Command::DeleteTransitGateway { id: tgw.id.clone() })
                .unwrap_err()
                .code(),
            "IncorrectState"
        );
        h.run(Command::DeleteVpnConnection { id: vpn.id }).unwrap();
        let att = &h.model.transit_gateway_attachments[&att_id];
        assert_eq!(att.state, AttachmentState::Deleted);
        assert!(att.association.is_none() && att.propagations.is_empty());
        let table = h.model.transit_gateway_route_tables[&rtb].clone();
        let hit = h
            .model
            .tgw_lookup(&table, "192.168.1.1".parse().unwrap())
            .unwrap();
        assert!(!hit.active);
        h.run(Command::DeleteTransitGateway { id: tgw.id }).unwrap();
    }
}

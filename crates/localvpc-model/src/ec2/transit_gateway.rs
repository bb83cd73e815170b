//! Transit gateways (docs/aws-semantics.md §1.9): VPC attachments with one interface per chosen subnet (one
//! subnet per AZ), VPN attachments (made by CreateVpnConnection), route tables, one
//! association per attachment, any number of propagations, static and blackhole routes.
//! Propagated routes are derived from the propagating attachments, never stored, so they
//! cannot go stale.

use crate::cidr::Ipv4Cidr;
use crate::ec2::network_interface::ManagedInterface;
use crate::ec2::subnet::Subnet;
use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::ec2::vpc::Vpc;
use crate::error::ModelError;
use crate::id::{
    NetworkInterfaceId, SubnetId, Timestamp, TransitGatewayAttachmentId, TransitGatewayId,
    TransitGatewayRouteTableId, VpcId, VpnConnectionId,
};
use crate::resource::{Model, Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitGateway {
    pub id: TransitGatewayId,
    pub scope: Scope,
    pub description: String,
    pub options: TransitGatewayOptions,
    pub deleted: bool,
    pub created: Timestamp,
    pub tags: Tags,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitGatewayOptions {
    pub amazon_side_asn: u32,
    pub auto_accept_shared_attachments: bool,
    pub default_route_table_association: bool,
    pub default_route_table_propagation: bool,
    pub association_default_route_table_id: Option<TransitGatewayRouteTableId>,
    pub propagation_default_route_table_id: Option<TransitGatewayRouteTableId>,
    pub dns_support: bool,
    pub vpn_ecmp_support: bool,
    /// Kept and shown; the path analyser does not read it (docs/aws-choices.md).
    #[serde(default)]
    pub security_group_referencing_support: bool,
    /// The gateway's own CIDR blocks (canonical text, IPv4 or IPv6): kept and shown, as no
    /// emulated attachment kind (Connect) takes addresses from them.
    #[serde(default)]
    pub cidr_blocks: Vec<String>,
}

impl Default for TransitGatewayOptions {
    /// AWS's defaults (CreateTransitGateway API reference).
    fn default() -> Self {
        Self {
            amazon_side_asn: 64512,
            auto_accept_shared_attachments: false,
            default_route_table_association: true,
            default_route_table_propagation: true,
            association_default_route_table_id: None,
            propagation_default_route_table_id: None,
            dns_support: true,
            vpn_ecmp_support: true,
            security_group_referencing_support: false,
            cidr_blocks: Vec::new(),
        }
    }
}

impl TransitGateway {
    pub fn arn(&self) -> String {
        self.scope.ec2_arn("transit-gateway", self.id.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitGatewayRouteTable {
    pub id: TransitGatewayRouteTableId,
    pub scope: Scope,
    pub transit_gateway_id: TransitGatewayId,
    pub routes: Vec<TgwStaticRoute>,
    pub created: Timestamp,
    pub tags: Tags,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TgwStaticRoute {
    pub destination: Ipv4Cidr,
    /// None is a blackhole route.
    pub attachment: Option<TransitGatewayAttachmentId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitGatewayAttachment {
    pub id: TransitGatewayAttachmentId,
    /// The attached resource's owner (the VPC's scope).
    pub scope: Scope,
    pub transit_gateway_id: TransitGatewayId,
    pub transit_gateway_scope: Scope,
    /// The attached VPC (resource type `vpc`); None for a VPN attachment.
    pub vpc_id: Option<VpcId>,
    /// The attached VPN connection (resource type `vpn`).
    #[serde(default)]
    pub vpn_connection_id: Option<VpnConnectionId>,
    pub subnet_ids: Vec<SubnetId>,
    pub interfaces: Vec<NetworkInterfaceId>,
    pub state: AttachmentState,
    pub association: Option<TransitGatewayRouteTableId>,
    pub propagations: Vec<TransitGatewayRouteTableId>,
    pub dns_support: bool,
    pub created: Timestamp,
    pub tags: Tags,
    /// A peering attachment's accepter side (resource type `peering`): the attachment joins
    /// `transit_gateway_id` (the requester's, owned by `scope`) to the peer gateway.
    #[serde(default)]
    pub peer: Option<TgwPeer>,
}

/// The accepter side of a peering attachment: the peer gateway, its owner and region, and
/// what that owner did with the attachment on its gateway.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TgwPeer {
    pub transit_gateway_id: TransitGatewayId,
    pub scope: Scope,
    /// The peer gateway's route table the attachment is associated with.
    pub association: Option<TransitGatewayRouteTableId>,
    /// The accepter's tags: each side tags its own view, as with VPC peering connections.
    pub tags: Tags,
    /// `Options.DynamicRouting` as the request gave it (only `disable` is emulated); shown
    /// only when given, as AWS answers no options for a request without them.
    #[serde(default)]
    pub dynamic_routing: Option<bool>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttachmentState {
    PendingAcceptance,
    Available,
    Rejected,
    Deleted,
    /// A peering request whose peer gateway does not exist.
    Failed,
}

impl AttachmentState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingAcceptance => "pendingAcceptance",
            Self::Available => "available",
            Self::Rejected => "rejected",
            Self::Deleted => "deleted",
            Self::Failed => "failed",
        }
    }

    pub(crate) fn is_live(self) -> bool {
        matches!(self, Self::PendingAcceptance | Self::Available)
    }
}

impl TransitGatewayAttachment {
    /// Refuses an action the attachment's state does not allow.
    pub(crate) fn incorrect_state(&self) -> ModelError {
        ModelError::IncorrectState {
            message: format!("{} is in state {}", self.id, self.state.as_str()),
        }
    }

    pub fn visible_to(&self, scope: &Scope) -> bool {
        &self.scope == scope
            || &self.transit_gateway_scope == scope
            || self.peer.as_ref().is_some_and(|p| &p.scope == scope)
    }

    /// `vpc`, `vpn` or `peering` (the `resourceType` of DescribeTransitGatewayAttachments).
    pub fn resource_type(&self) -> &'static str {
        if self.vpn_connection_id.is_some() {
            "vpn"
        } else if self.peer.is_some() {
            "peering"
        } else {
            "vpc"
        }
    }

    /// The attached VPC or VPN connection id; for a peering attachment, the peer gateway.
    pub fn resource_id(&self) -> &str {
        match (&self.vpc_id, &self.vpn_connection_id, &self.peer) {
            (Some(vpc), _, _) => vpc.as_str(),
            (None, Some(vpn), _) => vpn.as_str(),
            (None, None, Some(peer)) => peer.transit_gateway_id.as_str(),
            (None, None, None) => "",
        }
    }

    /// Whether `viewer` sees a peering attachment from the accepter's side: it owns the peer
    /// gateway and not the requester's (a peering within one account and region is seen
    /// from the requester's side).
    pub fn accepter_view(&self, viewer: &Scope) -> bool {
        self.peer
            .as_ref()
            .is_some_and(|p| &p.scope == viewer && &self.transit_gateway_scope != viewer)
    }

    /// The gateway `viewer` sees the attachment on, and that gateway's owner.
    pub fn local_tgw(&self, viewer: &Scope) -> (&TransitGatewayId, &Scope) {
        match &self.peer {
            Some(p) if self.accepter_view(viewer) => (&p.transit_gateway_id, &p.scope),
            _ => (&self.transit_gateway_id, &self.transit_gateway_scope),
        }
    }

    /// Whether the attachment is attached to `tgw` (a peering attachment, to two gateways).
    pub fn attaches(&self, tgw: &TransitGatewayId) -> bool {
        &self.transit_gateway_id == tgw
            || self
                .peer
                .as_ref()
                .is_some_and(|p| &p.transit_gateway_id == tgw)
    }

    /// Whether `tgw` is the peer (accepter) gateway of a peering attachment.
    fn is_peer_side(&self, tgw: &TransitGatewayId) -> bool {
        &self.transit_gateway_id != tgw
            && self
                .peer
                .as_ref()
                .is_some_and(|p| &p.transit_gateway_id == tgw)
    }

    /// The owner of the gateway `tgw` (one of those the attachment attaches).
    pub fn tgw_owner(&self, tgw: &TransitGatewayId) -> &Scope {
        match &self.peer {
            Some(p) if self.is_peer_side(tgw) => &p.scope,
            _ => &self.transit_gateway_scope,
        }
    }

    /// The attached resource as seen from `tgw`: for a peering attachment, the other gateway.
    pub fn resource_id_from(&self, tgw: &TransitGatewayId) -> &str {
        if self.is_peer_side(tgw) {
            self.transit_gateway_id.as_str()
        } else {
            self.resource_id()
        }
    }

    /// The attached resource's owner as seen from `tgw`.
    pub fn resource_owner_from(&self, tgw: &TransitGatewayId) -> &Scope {
        match &self.peer {
            Some(_) if self.is_peer_side(tgw) => &self.transit_gateway_scope,
            Some(p) => &p.scope,
            None => &self.scope,
        }
    }

    /// The route table of `tgw` the attachment is associated with.
    pub fn association_on(&self, tgw: &TransitGatewayId) -> Option<&TransitGatewayRouteTableId> {
        match &self.peer {
            Some(p) if self.is_peer_side(tgw) => p.association.as_ref(),
            _ => self.association.as_ref(),
        }
    }

    fn association_on_mut(
        &mut self,
        tgw: &TransitGatewayId,
    ) -> &mut Option<TransitGatewayRouteTableId> {
        let peer_side = self.is_peer_side(tgw);
        match &mut self.peer {
            Some(p) if peer_side => &mut p.association,
            _ => &mut self.association,
        }
    }

    /// The tags `viewer` sees: the accepter of a peering attachment has its own.
    pub fn tags_for(&self, viewer: &Scope) -> &Tags {
        match &self.peer {
            Some(p) if self.accepter_view(viewer) => &p.tags,
            _ => &self.tags,
        }
    }
}

/// A route as DescribeRoutes/SearchTransitGatewayRoutes show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TgwRoute {
    pub destination: Ipv4Cidr,
    pub attachment: Option<TransitGatewayAttachmentId>,
    pub propagated: bool,
    /// `active` or `blackhole`.
    pub active: bool,
}

/// CreateTransitGatewayVpcAttachment's input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateTgwVpcAttachment {
    pub transit_gateway_id: TransitGatewayId,
    pub vpc_id: VpcId,
    pub subnet_ids: Vec<SubnetId>,
    pub dns_support: bool,
    pub tag_specifications: Vec<TagSpecification>,
}

/// ModifyTransitGateway's input: `None` (or empty) leaves a setting as it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifyTgw {
    pub id: TransitGatewayId,
    pub description: Option<String>,
    pub amazon_side_asn: Option<u32>,
    pub auto_accept_shared_attachments: Option<bool>,
    pub default_route_table_association: Option<bool>,
    pub association_default_route_table_id: Option<TransitGatewayRouteTableId>,
    pub default_route_table_propagation: Option<bool>,
    pub propagation_default_route_table_id: Option<TransitGatewayRouteTableId>,
    pub dns_support: Option<bool>,
    pub vpn_ecmp_support: Option<bool>,
    pub security_group_referencing_support: Option<bool>,
    pub add_cidr_blocks: Vec<String>,
    pub remove_cidr_blocks: Vec<String>,
}

impl ModifyTgw {
    /// A modification of `id` that changes nothing yet.
    pub fn of(id: TransitGatewayId) -> Self {
        Self {
            id,
            description: None,
            amazon_side_asn: None,
            auto_accept_shared_attachments: None,
            default_route_table_association: None,
            association_default_route_table_id: None,
            default_route_table_propagation: None,
            propagation_default_route_table_id: None,
            dns_support: None,
            vpn_ecmp_support: None,
            security_group_referencing_support: None,
            add_cidr_blocks: Vec::new(),
            remove_cidr_blocks: Vec::new(),
        }
    }
}

impl Model {
    /// A transit gateway usable from `scope`: its own, or (RAM sharing is implied) any in
    /// the same region. Not `get`: that checks the account too, and would find a deleted one.
    pub fn transit_gateway(
        &self,
        scope: &Scope,
        id: &TransitGatewayId,
    ) -> Result<&TransitGateway, ModelError> {
        self.transit_gateways
            .get(id)
            .map(AsRef::as_ref)
            .filter(|t| t.scope.region == scope.region && !t.deleted)
            .ok_or_else(|| id.not_found())
    }

    /// An attachment any side sees: its owner, the gateway's, a peer gateway's. Not `get`,
    /// which sees only its owner's.
    pub fn tgw_attachment(
        &self,
        scope: &Scope,
        id: &TransitGatewayAttachmentId,
    ) -> Result<&TransitGatewayAttachment, ModelError> {
        self.transit_gateway_attachments
            .get(id)
            .map(AsRef::as_ref)
            .filter(|a| a.visible_to(scope))
            .ok_or_else(|| id.not_found())
    }

    /// The attachments any side sees (owner, gateway, peer gateway), in id order. Not
    /// `in_scope`, which lists only their owner's.
    pub fn tgw_attachments_visible<'a>(
        &'a self,
        scope: &'a Scope,
    ) -> impl Iterator<Item = &'a TransitGatewayAttachment> + 'a {
        self.transit_gateway_attachments
            .values()
            .map(AsRef::as_ref)
            .filter(move |a| a.visible_to(scope))
    }

    /// Attachments associated with a route table.
    pub fn tgw_associations(
        &self,
        table: &TransitGatewayRouteTableId,
    ) -> Vec<&TransitGatewayAttachment> {
        self.transit_gateway_attachments
            .values()
            .filter(|a| {
                a.association.as_ref() == Some(table)
                    || a.peer
                        .as_ref()
                        .is_some_and(|p| p.association.as_ref() == Some(table))
            })
            .map(AsRef::as_ref)
            .collect()
    }

    /// Attachments propagating into a route table.
    pub fn tgw_propagations(
        &self,
        table: &TransitGatewayRouteTableId,
    ) -> Vec<&TransitGatewayAttachment> {
        self.transit_gateway_attachments
            .values()
            .filter(|a| a.propagations.contains(table))
            .map(AsRef::as_ref)
            .collect()
    }

    /// Static routes plus routes propagated from attachments; static wins for equal prefixes.
    pub fn tgw_routes(&self, table: &TransitGatewayRouteTable) -> Vec<TgwRoute> {
        let mut routes: Vec<TgwRoute> = table
            .routes
            .iter()
            .map(|r| TgwRoute {
                destination: r.destination,
                attachment: r.attachment.clone(),
                propagated: false,
                active: r.attachment.as_ref().is_some_and(|a| {
                    self.transit_gateway_attachments
                        .get(a)
                        .is_some_and(|a| a.state == AttachmentState::Available)
                }),
            })
            .collect();
        for attachment in self.tgw_propagations(&table.id) {
            if attachment.state != AttachmentState::Available {
                continue;
            }
            // VPN attachments propagate what BGP learns, which is not emulated: static VPN
            // routes live in the transit gateway route table itself (docs/aws-choices.md).
            let Some(vpc) = attachment.vpc_id.as_ref().and_then(|v| self.vpcs.get(v)) else {
                continue;
            };
            for cidr in vpc.associated_cidrs() {
                if !routes.iter().any(|r| &r.destination == cidr) {
                    routes.push(TgwRoute {
                        destination: *cidr,
                        attachment: Some(attachment.id.clone()),
                        propagated: true,
                        active: true,
                    });
                }
            }
        }
        routes.sort_by(|a, b| {
            (a.destination.network(), a.destination.prefix_len())
                .cmp(&(b.destination.network(), b.destination.prefix_len()))
        });
        routes
    }

    /// Longest-prefix match in a transit gateway route table.
    pub fn tgw_lookup(
        &self,
        table: &TransitGatewayRouteTable,
        destination: Ipv4Addr,
    ) -> Option<TgwRoute> {
        tgw_longest_match(&self.tgw_routes(table), destination).cloned()
    }
}

/// The most specific of a transit gateway route table's routes that holds an address (the
/// routes as `Model::tgw_routes` gives them: static before propagated for equal prefixes).
pub fn tgw_longest_match(routes: &[TgwRoute], destination: Ipv4Addr) -> Option<&TgwRoute> {
    routes
        .iter()
        .filter(|r| r.destination.contains(&destination))
        .max_by_key(|r| r.destination.prefix_len())
}

impl Txn<'_, '_> {
    pub(crate) fn create_transit_gateway(
        &mut self,
        description: &str,
        mut options: TransitGatewayOptions,
        specs: &[TagSpecification],
    ) -> Result<TransitGateway, ModelError> {
        check_asn(options.amazon_side_asn)?;
        options.cidr_blocks = check_cidr_blocks(&options.cidr_blocks)?;
        let id = TransitGatewayId::generate(self.ctx.ids);
        let tags = tags_for(specs, "transit-gateway", id.as_str())?;
        if options.default_route_table_association || options.default_route_table_propagation {
            let table = self.new_tgw_route_table(&id, Tags::new());
            if options.default_route_table_association {
                options.association_default_route_table_id = Some(table.clone());
            }
            if options.default_route_table_propagation {
                options.propagation_default_route_table_id = Some(table);
            }
        }
        let tgw = TransitGateway {
            id,
            scope: self.ctx.scope.clone(),
            description: description.to_owned(),
            options,
            deleted: false,
            created: self.ctx.now,
            tags,
        };
        self.put(Resource::TransitGateway(tgw.clone()));
        Ok(tgw)
    }

    fn new_tgw_route_table(
        &mut self,
        tgw: &TransitGatewayId,
        tags: Tags,
    ) -> TransitGatewayRouteTableId {
        let table = TransitGatewayRouteTable {
            id: TransitGatewayRouteTableId::generate(self.ctx.ids),
            scope: self.ctx.scope.clone(),
            transit_gateway_id: tgw.clone(),
            routes: Vec::new(),
            created: self.ctx.now,
            tags,
        };
        let id = table.id.clone();
        self.put(Resource::TransitGatewayRouteTable(table));
        id
    }

    pub(crate) fn own_tgw(&self, id: &TransitGatewayId) -> Result<TransitGateway, ModelError> {
        let tgw = self.model.transit_gateway(self.ctx.scope, id)?;
        if &tgw.scope != self.ctx.scope {
            return Err(id.not_found());
        }
        Ok(tgw.clone())
    }

    /// ModifyTransitGateway: the new settings apply to attachments made from now on; existing
    /// associations and propagations stay as they are (API reference).
    pub(crate) fn modify_transit_gateway(
        &mut self,
        input: &ModifyTgw,
    ) -> Result<TransitGateway, ModelError> {
        let mut tgw = self.own_tgw(&input.id)?;
        if let Some(description) = &input.description {
            description.clone_into(&mut tgw.description);
        }
        let o = &mut tgw.options;
        if let Some(asn) = input.amazon_side_asn {
            check_asn(asn)?;
            // "The modify ASN operation is not allowed on a transit gateway if it has" VPN
            // (and Direct Connect or Connect) attachments (API reference).
            let vpn = self.model.transit_gateway_attachments.values().any(|a| {
                a.transit_gateway_id == input.id
                    && a.vpn_connection_id.is_some()
                    && a.state.is_live()
            });
            if vpn && asn != o.amazon_side_asn {
                return Err(ModelError::IncorrectState {
                    message: format!(
                        "The Amazon side ASN of {} cannot be modified while it has VPN attachments",
                        input.id
                    ),
                });
            }
            o.amazon_side_asn = asn;
        }
        let set = |field: &mut bool, value: Option<bool>| {
            if let Some(v) = value {
                *field = v;
            }
        };
        set(
            &mut o.auto_accept_shared_attachments,
            input.auto_accept_shared_attachments,
        );
        set(&mut o.dns_support, input.dns_support);
        set(&mut o.vpn_ecmp_support, input.vpn_ecmp_support);
        set(
            &mut o.security_group_referencing_support,
            input.security_group_referencing_support,
        );
        set(
            &mut o.default_route_table_association,
            input.default_route_table_association,
        );
        set(
            &mut o.default_route_table_propagation,
            input.default_route_table_propagation,
        );
        for (table, slot) in [
            (
                &input.association_default_route_table_id,
                &mut o.association_default_route_table_id,
            ),
            (
                &input.propagation_default_route_table_id,
                &mut o.propagation_default_route_table_id,
            ),
        ] {
            if let Some(t) = table {
                let found = self
                    .model
                    .get::<TransitGatewayRouteTable>(self.ctx.scope, t)?;
                if found.transit_gateway_id != input.id {
                    return Err(ModelError::invalid_value(format!(
                        "{t} is not a route table of {}",
                        input.id
                    )));
                }
                *slot = Some(t.clone());
            }
        }
        // Enabling a default with no table to name makes one, as CreateTransitGateway does
        // ("Transit Gateway will create the default transit gateway route table"); an
        // existing default table of the other kind serves both (docs/aws-choices.md).
        let wants_table = (o.default_route_table_association
            && o.association_default_route_table_id.is_none())
            || (o.default_route_table_propagation
                && o.propagation_default_route_table_id.is_none());
        if wants_table {
            let existing = o
                .association_default_route_table_id
                .clone()
                .or_else(|| o.propagation_default_route_table_id.clone());
            let table = match existing {
                Some(t) => t,
                None => self.new_tgw_route_table(&input.id, Tags::new()),
            };
            let o = &mut tgw.options;
            if o.default_route_table_association && o.association_default_route_table_id.is_none() {
                o.association_default_route_table_id = Some(table.clone());
            }
            if o.default_route_table_propagation && o.propagation_default_route_table_id.is_none() {
                o.propagation_default_route_table_id = Some(table);
            }
        }
        let o = &mut tgw.options;
        let mut blocks = o.cidr_blocks.clone();
        for text in &input.remove_cidr_blocks {
            let canonical = check_cidr_blocks(std::slice::from_ref(text))?.remove(0);
            let Some(i) = blocks.iter().position(|b| b == &canonical) else {
                return Err(ModelError::invalid_value(format!(
                    "{text} is not a CIDR block of {}",
                    input.id
                )));
            };
            blocks.remove(i);
        }
        blocks.extend(input.add_cidr_blocks.iter().cloned());
        o.cidr_blocks = check_cidr_blocks(&blocks)?;
        self.put(Resource::TransitGateway(tgw.clone()));
        Ok(tgw)
    }

    pub(crate) fn delete_transit_gateway(
        &mut self,
        id: &TransitGatewayId,
    ) -> Result<TransitGateway, ModelError> {
        let mut tgw = self.own_tgw(id)?;
        let attached = self
            .model
            .transit_gateway_attachments
            .values()
            .any(|a| a.attaches(id) && a.state.is_live());
        if attached {
            return Err(ModelError::IncorrectState {
                message: format!("{id} has non-deleted Transit Gateway Attachments"),
            });
        }
        let tables: Vec<_> = self
            .model
            .transit_gateway_route_tables
            .values()
            .filter(|t| &t.transit_gateway_id == id)
            .map(|t| t.id.clone())
            .collect();
        for t in tables {
            self.delete(ResourceRef::TransitGatewayRouteTable(t));
        }
        tgw.deleted = true;
        self.put(Resource::TransitGateway(tgw.clone()));
        Ok(tgw)
    }

    pub(crate) fn create_tgw_vpc_attachment(
        &mut self,
        input: &CreateTgwVpcAttachment,
    ) -> Result<TransitGatewayAttachment, ModelError> {
        let scope = self.ctx.scope.clone();
        let tgw = self
            .model
            .transit_gateway(&scope, &input.transit_gateway_id)?
            .clone();
        self.model.get::<Vpc>(&scope, &input.vpc_id)?;
        if input.subnet_ids.is_empty() {
            return Err(ModelError::missing(
                "The request must contain the parameter SubnetIds",
            ));
        }
        let mut zones = Vec::new();
        for subnet_id in &input.subnet_ids {
            let subnet = self.model.get::<Subnet>(&scope, subnet_id)?;
            if subnet.vpc_id != input.vpc_id {
                return Err(ModelError::invalid_value(format!(
                    "Subnet {subnet_id} does not belong to VPC {}",
                    input.vpc_id
                )));
            }
            if zones.contains(&subnet.availability_zone) {
                return Err(ModelError::DuplicateSubnetsInSameZone {
                    subnet_id: subnet_id.to_string(),
                });
            }
            zones.push(subnet.availability_zone.clone());
        }
        let duplicate = self.model.transit_gateway_attachments.values().any(|a| {
            a.vpc_id.as_ref() == Some(&input.vpc_id)
                && a.transit_gateway_id == input.transit_gateway_id
                && a.state.is_live()
        });
        if duplicate {
            // AWS's text, as terraform-provider-aws issues #10852 and #25868 quote it.
            return Err(ModelError::DuplicateTransitGatewayAttachment {
                message: format!(
                    "{} has non-deleted Transit Gateway Attachments with same VPC ID.",
                    input.transit_gateway_id
                ),
            });
        }
        let id = TransitGatewayAttachmentId::generate(self.ctx.ids);
        let tags = tags_for(
            &input.tag_specifications,
            "transit-gateway-attachment",
            id.as_str(),
        )?;
        let mut interfaces = Vec::new();
        for subnet_id in &input.subnet_ids {
            let eni = self.create_managed_interface(ManagedInterface {
                subnet_id,
                ip: None,
                groups: Vec::new(),
                description: format!("Network Interface for Transit Gateway Attachment {id}"),
                interface_type: "transit_gateway",
                requester_id: "amazon-transit-gateway",
                source_dest_check: true,
            })?;
            interfaces.push(eni.id);
        }
        let same_owner = tgw.scope.account == scope.account;
        let mut attachment = TransitGatewayAttachment {
            id,
            scope,
            transit_gateway_id: tgw.id.clone(),
            transit_gateway_scope: tgw.scope.clone(),
            vpc_id: Some(input.vpc_id.clone()),
            vpn_connection_id: None,
            subnet_ids: input.subnet_ids.clone(),
            interfaces,
            state: AttachmentState::PendingAcceptance,
            association: None,
            propagations: Vec::new(),
            dns_support: input.dns_support,
            created: self.ctx.now,
            tags,
            peer: None,
        };
        if same_owner || tgw.options.auto_accept_shared_attachments {
            make_available(&mut attachment, &tgw);
        }
        self.put(Resource::TransitGatewayAttachment(attachment.clone()));
        Ok(attachment)
    }

    /// The attachment CreateVpnConnection makes on a transit gateway of the caller: resource
    /// type `vpn`, available at once, associated and propagating per the gateway's defaults.
    pub(crate) fn create_tgw_vpn_attachment(
        &mut self,
        tgw_id: &TransitGatewayId,
        vpn: &VpnConnectionId,
    ) -> Result<TransitGatewayAttachmentId, ModelError> {
        let tgw = self.own_tgw(tgw_id)?;
        let mut attachment = TransitGatewayAttachment {
            id: TransitGatewayAttachmentId::generate(self.ctx.ids),
            scope: self.ctx.scope.clone(),
            transit_gateway_id: tgw.id.clone(),
            transit_gateway_scope: tgw.scope.clone(),
            vpc_id: None,
            vpn_connection_id: Some(vpn.clone()),
            subnet_ids: Vec::new(),
            interfaces: Vec::new(),
            state: AttachmentState::PendingAcceptance,
            association: None,
            propagations: Vec::new(),
            dns_support: false,
            created: self.ctx.now,
            tags: Tags::new(),
            peer: None,
        };
        make_available(&mut attachment, &tgw);
        let id = attachment.id.clone();
        self.put(Resource::TransitGatewayAttachment(attachment));
        Ok(id)
    }

    /// A VPC attachment: the `…VpcAttachment` calls do not see VPN attachments.
    fn vpc_attachment(
        &self,
        id: &TransitGatewayAttachmentId,
    ) -> Result<&TransitGatewayAttachment, ModelError> {
        self.model
            .tgw_attachment(self.ctx.scope, id)
            .ok()
            .filter(|a| a.vpc_id.is_some())
            .ok_or_else(|| id.not_found())
    }

    fn attachment_for_owner(
        &self,
        id: &TransitGatewayAttachmentId,
    ) -> Result<TransitGatewayAttachment, ModelError> {
        let attachment = self.vpc_attachment(id)?;
        if &attachment.transit_gateway_scope != self.ctx.scope {
            return Err(ModelError::OperationNotPermitted {
                message: format!(
                    "Only the owner of {} can accept or reject {id}",
                    attachment.transit_gateway_id
                ),
            });
        }
        Ok(attachment.clone())
    }

    pub(crate) fn accept_tgw_attachment(
        &mut self,
        id: &TransitGatewayAttachmentId,
    ) -> Result<TransitGatewayAttachment, ModelError> {
        let mut attachment = self.attachment_for_owner(id)?;
        if attachment.state != AttachmentState::PendingAcceptance {
            return Err(attachment.incorrect_state());
        }
        let tgw = self
            .model
            .transit_gateway(self.ctx.scope, &attachment.transit_gateway_id)?
            .clone();
        make_available(&mut attachment, &tgw);
        self.put(Resource::TransitGatewayAttachment(attachment.clone()));
        Ok(attachment)
    }

    pub(crate) fn end_attachment(
        &mut self,
        mut attachment: TransitGatewayAttachment,
        state: AttachmentState,
    ) -> TransitGatewayAttachment {
        for eni in std::mem::take(&mut attachment.interfaces) {
            self.delete(ResourceRef::NetworkInterface(eni));
        }
        attachment.association = None;
        attachment.propagations.clear();
        if let Some(peer) = &mut attachment.peer {
            peer.association = None;
        }
        attachment.state = state;
        self.put(Resource::TransitGatewayAttachment(attachment.clone()));
        attachment
    }

    pub(crate) fn reject_tgw_attachment(
        &mut self,
        id: &TransitGatewayAttachmentId,
    ) -> Result<TransitGatewayAttachment, ModelError> {
        let attachment = self.attachment_for_owner(id)?;
        if attachment.state != AttachmentState::PendingAcceptance {
            return Err(attachment.incorrect_state());
        }
        Ok(self.end_attachment(attachment, AttachmentState::Rejected))
    }

    pub(crate) fn delete_tgw_attachment(
        &mut self,
        id: &TransitGatewayAttachmentId,
    ) -> Result<TransitGatewayAttachment, ModelError> {
        let attachment = self.vpc_attachment(id)?.clone();
        if !attachment.state.is_live() {
            return Err(attachment.incorrect_state());
        }
        Ok(self.end_attachment(attachment, AttachmentState::Deleted))
    }

    pub(crate) fn modify_tgw_attachment(
        &mut self,
        id: &TransitGatewayAttachmentId,
        add: &[SubnetId],
        remove: &[SubnetId],
        dns_support: Option<bool>,
    ) -> Result<TransitGatewayAttachment, ModelError> {
        let mut attachment = self.vpc_attachment(id)?.clone();
        if &attachment.scope != self.ctx.scope {
            return Err(id.not_found());
        }
        // Only a live attachment changes: a deleted or rejected one keeps no interfaces.
        if !attachment.state.is_live() {
            return Err(attachment.incorrect_state());
        }
        if let Some(dns) = dns_support {
            attachment.dns_support = dns;
        }
        for subnet_id in remove {
            let Some(i) = attachment.subnet_ids.iter().position(|s| s == subnet_id) else {
                return Err(ModelError::invalid_value(format!(
                    "Subnet {subnet_id} is not part of {id}"
                )));
            };
            attachment.subnet_ids.remove(i);
            if i < attachment.interfaces.len() {
                let eni = attachment.interfaces.remove(i);
                self.delete(ResourceRef::NetworkInterface(eni));
            }
        }
        for subnet_id in add {
            let subnet = self.model.get::<Subnet>(self.ctx.scope, subnet_id)?.clone();
            if Some(&subnet.vpc_id) != attachment.vpc_id.as_ref() {
                return Err(ModelError::invalid_value(format!(
                    "Subnet {subnet_id} does not belong to VPC {}",
                    attachment.resource_id()
                )));
            }
            let taken = attachment.subnet_ids.iter().any(|s| {
                self.model
                    .subnets
                    .get(s)
                    .is_some_and(|x| x.availability_zone == subnet.availability_zone)
            });
            if taken {
                return Err(ModelError::DuplicateSubnetsInSameZone {
                    subnet_id: subnet_id.to_string(),
                });
            }
            let eni = self.create_managed_interface(ManagedInterface {
                subnet_id,
                ip: None,
                groups: Vec::new(),
                description: format!("Network Interface for Transit Gateway Attachment {id}"),
                interface_type: "transit_gateway",
                requester_id: "amazon-transit-gateway",
                source_dest_check: true,
            })?;
            attachment.subnet_ids.push(subnet_id.clone());
            attachment.interfaces.push(eni.id);
        }
        self.put(Resource::TransitGatewayAttachment(attachment.clone()));
        Ok(attachment)
    }

    pub(crate) fn create_tgw_route_table(
        &mut self,
        tgw: &TransitGatewayId,
        specs: &[TagSpecification],
    ) -> Result<TransitGatewayRouteTable, ModelError> {
        self.own_tgw(tgw)?;
        let tags = tags_for(specs, "transit-gateway-route-table", tgw.as_str())?;
        let id = self.new_tgw_route_table(tgw, tags);
        Ok(self
            .model
            .get::<TransitGatewayRouteTable>(self.ctx.scope, &id)?
            .clone())
    }

    pub(crate) fn delete_tgw_route_table(
        &mut self,
        id: &TransitGatewayRouteTableId,
    ) -> Result<TransitGatewayRouteTable, ModelError> {
        let table = self
            .model
            .get::<TransitGatewayRouteTable>(self.ctx.scope, id)?
            .clone();
        let tgw = self.own_tgw(&table.transit_gateway_id)?;
        let is_default = tgw.options.association_default_route_table_id.as_ref() == Some(id)
            || tgw.options.propagation_default_route_table_id.as_ref() == Some(id);
        if is_default {
            return Err(ModelError::IncorrectState {
                message: format!("{id} is the default route table of {}", tgw.id),
            });
        }
        if !self.model.tgw_associations(id).is_empty()
            || !self.model.tgw_propagations(id).is_empty()
        {
            return Err(ModelError::IncorrectState {
                message: format!("{id} has associations or propagations"),
            });
        }
        self.delete(ResourceRef::TransitGatewayRouteTable(id.clone()));
        Ok(table)
    }

    /// The table and the attachment, both of the same transit gateway of the caller.
    fn table_and_attachment(
        &self,
        table: &TransitGatewayRouteTableId,
        attachment: &TransitGatewayAttachmentId,
    ) -> Result<(TransitGatewayRouteTable, TransitGatewayAttachment), ModelError> {
        let table = self
            .model
            .get::<TransitGatewayRouteTable>(self.ctx.scope, table)?
            .clone();
        let attachment = self
            .model
            .tgw_attachment(self.ctx.scope, attachment)?
            .clone();
        if !attachment.attaches(&table.transit_gateway_id) {
            return Err(ModelError::invalid_value(format!(
                "{} and {} belong to different transit gateways",
                table.id, attachment.id
            )));
        }
        if attachment.state != AttachmentState::Available {
            return Err(ModelError::IncorrectState {
                message: format!(
                    "{} is in state {}",
                    attachment.id,
                    attachment.state.as_str()
                ),
            });
        }
        Ok((table, attachment))
    }

    pub(crate) fn associate_tgw_route_table(
        &mut self,
        table: &TransitGatewayRouteTableId,
        attachment: &TransitGatewayAttachmentId,
    ) -> Result<(), ModelError> {
        let (table, mut attachment) = self.table_and_attachment(table, attachment)?;
        if let Some(current) = attachment.association_on(&table.transit_gateway_id) {
            return Err(ModelError::AlreadyAssociated {
                message: format!("{} is already associated with {current}", attachment.id),
            });
        }
        *attachment.association_on_mut(&table.transit_gateway_id) = Some(table.id);
        self.put(Resource::TransitGatewayAttachment(attachment));
        Ok(())
    }

    pub(crate) fn disassociate_tgw_route_table(
        &mut self,
        table: &TransitGatewayRouteTableId,
        attachment: &TransitGatewayAttachmentId,
    ) -> Result<(), ModelError> {
        let (table, mut attachment) = self.table_and_attachment(table, attachment)?;
        if attachment.association_on(&table.transit_gateway_id) != Some(&table.id) {
            return Err(ModelError::AssociationNotFound {
                id: format!("{}/{}", table.id, attachment.id),
            });
        }
        *attachment.association_on_mut(&table.transit_gateway_id) = None;
        self.put(Resource::TransitGatewayAttachment(attachment));
        Ok(())
    }

    pub(crate) fn set_tgw_propagation(
        &mut self,
        table: &TransitGatewayRouteTableId,
        attachment: &TransitGatewayAttachmentId,
        enable: bool,
    ) -> Result<(), ModelError> {
        let (table, mut attachment) = self.table_and_attachment(table, attachment)?;
        // Routes reach a peered gateway by static routes only (Transit Gateway guide,
        // "Add a route"); the code of the refusal is ours (docs/aws-choices.md).
        if attachment.peer.is_some() {
            return Err(ModelError::invalid_value(format!(
                "{} is a peering attachment: transit gateway peering attachments do not propagate \
                 routes; add static routes to it instead",
                attachment.id
            )));
        }
        let present = attachment.propagations.contains(&table.id);
        match (enable, present) {
            (true, true) => {
                return Err(ModelError::PropagationDuplicate {
                    message: format!("{} already propagates to {}", attachment.id, table.id),
                });
            }
            (false, false) => {
                return Err(ModelError::PropagationNotFound {
                    message: format!("{} does not propagate to {}", attachment.id, table.id),
                });
            }
            (true, false) => attachment.propagations.push(table.id),
            (false, true) => attachment.propagations.retain(|t| t != &table.id),
        }
        self.put(Resource::TransitGatewayAttachment(attachment));
        Ok(())
    }

    fn check_tgw_route_attachment(
        &self,
        table: &TransitGatewayRouteTable,
        attachment: Option<&TransitGatewayAttachmentId>,
    ) -> Result<(), ModelError> {
        if let Some(a) = attachment {
            let found = self.model.tgw_attachment(self.ctx.scope, a)?;
            if !found.attaches(&table.transit_gateway_id) {
                return Err(ModelError::invalid_value(format!(
                    "{a} is not an attachment of {}",
                    table.transit_gateway_id
                )));
            }
        }
        Ok(())
    }

    pub(crate) fn create_tgw_route(
        &mut self,
        table: &TransitGatewayRouteTableId,
        destination: Ipv4Cidr,
        attachment: Option<TransitGatewayAttachmentId>,
    ) -> Result<(), ModelError> {
        let mut t = self
            .model
            .get::<TransitGatewayRouteTable>(self.ctx.scope, table)?
            .clone();
        if t.routes.iter().any(|r| r.destination == destination) {
            return Err(ModelError::RouteAlreadyExists {
                destination: destination.to_string(),
                table: table.to_string(),
            });
        }
        self.check_tgw_route_attachment(&t, attachment.as_ref())?;
        t.routes.push(TgwStaticRoute {
            destination,
            attachment,
        });
        self.put(Resource::TransitGatewayRouteTable(t));
        Ok(())
    }

    pub(crate) fn replace_tgw_route(
        &mut self,
        table: &TransitGatewayRouteTableId,
        destination: Ipv4Cidr,
        attachment: Option<TransitGatewayAttachmentId>,
    ) -> Result<(), ModelError> {
        let mut t = self
            .model
            .get::<TransitGatewayRouteTable>(self.ctx.scope, table)?
            .clone();
        self.check_tgw_route_attachment(&t, attachment.as_ref())?;
        let Some(route) = t.routes.iter_mut().find(|r| r.destination == destination) else {
            return Err(ModelError::RouteNotFound {
                destination: destination.to_string(),
                table: table.to_string(),
            });
        };
        route.attachment = attachment;
        self.put(Resource::TransitGatewayRouteTable(t));
        Ok(())
    }

    pub(crate) fn delete_tgw_route(
        &mut self,
        table: &TransitGatewayRouteTableId,
        destination: Ipv4Cidr,
    ) -> Result<(), ModelError> {
        let mut t = self
            .model
            .get::<TransitGatewayRouteTable>(self.ctx.scope, table)?
            .clone();
        let before = t.routes.len();
        t.routes.retain(|r| r.destination != destination);
        if t.routes.len() == before {
            return Err(ModelError::RouteNotFound {
                destination: destination.to_string(),
                table: table.to_string(),
            });
        }
        self.put(Resource::TransitGatewayRouteTable(t));
        Ok(())
    }
}

/// Amazon side ASNs AWS accepts: private 16-bit and 32-bit ones.
fn check_asn(asn: u32) -> Result<(), ModelError> {
    let private_16 = (64512..=65534).contains(&asn);
    let private_32 = (4_200_000_000..=4_294_967_294).contains(&asn);
    if !private_16 && !private_32 {
        return Err(ModelError::invalid_value(format!(
            "Amazon side ASN {asn} must be in 64512-65534 or 4200000000-4294967294"
        )));
    }
    Ok(())
}

/// A gateway's CIDR blocks in canonical form: IPv4 /24 or larger, IPv6 /64 or larger (the
/// API reference), no two overlapping (our choice: AWS documents no code).
fn check_cidr_blocks(blocks: &[String]) -> Result<Vec<String>, ModelError> {
    let param = "TransitGatewayCidrBlocks";
    let mut nets: Vec<ipnet::IpNet> = Vec::new();
    for text in blocks {
        let net = if text.contains(':') {
            let n = crate::cidr::parse_ipv6_cidr(text, param)?;
            if n.prefix_len() > 64 {
                return Err(ModelError::invalid_value(format!(
                    "{text}: an IPv6 transit gateway CIDR block must be /64 or larger"
                )));
            }
            ipnet::IpNet::V6(n)
        } else {
            let n = crate::cidr::parse_ipv4_cidr(text, param)?;
            if n.prefix_len() > 24 {
                return Err(ModelError::invalid_value(format!(
                    "{text}: an IPv4 transit gateway CIDR block must be /24 or larger"
                )));
            }
            ipnet::IpNet::V4(n)
        };
        if let Some(other) = nets
            .iter()
            .find(|o| o.contains(&net.network()) || net.contains(&o.network()))
        {
            return Err(ModelError::invalid_value(format!(
                "Transit gateway CIDR block {net} overlaps {other}"
            )));
        }
        nets.push(net);
    }
    Ok(nets.iter().map(ToString::to_string).collect())
}

/// Accepting an attachment applies the gateway's default association and propagation.
fn make_available(attachment: &mut TransitGatewayAttachment, tgw: &TransitGateway) {
    attachment.state = AttachmentState::Available;
    if tgw.options.default_route_table_association {
        attachment.association = tgw.options.association_default_route_table_id.clone();
    }
    if tgw.options.default_route_table_propagation
        && let Some(t) = &tgw.options.propagation_default_route_table_id
    {
        attachment.propagations = vec![t.clone()];
    }
}

#[cfg(test)]
mod tests {
    use crate::command::{Command, Outcome};
    use crate::ec2::vpc::Vpc;
    use crate::id::SubnetId;
    use crate::scope::{AccountId, Scope};
    use crate::testing::Harness;

    #[test]
    fn transit_gateway_defaults_acceptance_and_lookup() {
        use crate::ec2::transit_gateway::{AttachmentState, CreateTgwVpcAttachment};
        let mut h = Harness::new(false);
        let (tgw, rtb) = h.transit_gateway();
        let hub = h.vpc("10.0.0.0/16");
        let hs = h.subnet(&hub.id, "10.0.1.0/24", "ap-northeast-1a").unwrap();
        let attach = |vpc: &Vpc, subnets: Vec<SubnetId>| {
            Command::CreateTransitGatewayVpcAttachment(CreateTgwVpcAttachment {
                transit_gateway_id: tgw.id.clone(),
                vpc_id: vpc.id.clone(),
                subnet_ids: subnets,
                dns_support: true,
                tag_specifications: vec![],
            })
        };
        let Outcome::TransitGatewayAttachment(a) =
            h.run(attach(&hub, vec![hs.id.clone()])).unwrap()
        else {
            panic!()
        };
        assert_eq!(a.state, AttachmentState::Available);
        assert_eq!(a.association.as_ref(), Some(&rtb));
        let err = h.run(attach(&hub, vec![hs.id.clone()])).unwrap_err();
        assert_eq!(err.code(), "DuplicateTransitGatewayAttachment");
        assert_eq!(
            err.to_string(),
            format!(
                "{} has non-deleted Transit Gateway Attachments with same VPC ID.",
                tgw.id
            )
        );
        // Another account's attachment waits for the owner.
        let owner = h.scope.clone();
        h.scope = Scope::new(AccountId::parse("222222222222").unwrap(), "ap-northeast-1");
        h.run(Command::EnsureScope { default_vpc: false }).unwrap();
        let spoke = h.vpc("10.1.0.0/16");
        let s1 = h
            .subnet(&spoke.id, "10.1.1.0/24", "ap-northeast-1a")
            .unwrap();
        let s2 = h
            .subnet(&spoke.id, "10.1.2.0/24", "ap-northeast-1a")
            .unwrap();
        let err = h
            .run(attach(&spoke, vec![s1.id.clone(), s2.id.clone()]))
            .unwrap_err();
        assert_eq!(err.code(), "DuplicateSubnetsInSameZone");
        let Outcome::TransitGatewayAttachment(b) =
            h.run(attach(&spoke, vec![s1.id.clone()])).unwrap()
        else {
            panic!()
        };
        assert_eq!(b.state, AttachmentState::PendingAcceptance);
        let accept = Command::AcceptTransitGatewayVpcAttachment { id: b.id.clone() };
        assert_eq!(
            h.run(accept.clone()).unwrap_err().code(),
            "OperationNotPermitted"
        );
        h.scope = owner;
        h.run(accept).unwrap();
        let table = h.model.transit_gateway_route_tables[&rtb].as_ref().clone();
        let hop = h
            .model
            .tgw_lookup(&table, "10.1.1.9".parse().unwrap())
            .unwrap();
        assert!(hop.propagated && hop.active);
        assert_eq!(hop.attachment.as_ref(), Some(&b.id));
        let blackhole = Command::CreateTransitGatewayRoute {
            table: rtb.clone(),
            destination: "10.1.1.0/24".parse().unwrap(),
            attachment: None,
        };
        h.run(blackhole).unwrap();
        let table = h.model.transit_gateway_route_tables[&rtb].as_ref().clone();
        let hop = h
            .model
            .tgw_lookup(&table, "10.1.1.9".parse().unwrap())
            .unwrap();
        assert!(!hop.active && !hop.propagated);
        assert_eq!(
            h.run(Command::DeleteTransitGateway { id: tgw.id.clone() })
                .unwrap_err()
                .code(),
            "IncorrectState"
        );
    }
}

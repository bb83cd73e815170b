//! Transit gateway peering attachments: requested by the owner of one gateway, accepted or
//! rejected by the owner of the peer gateway (another account, another region of the
//! catalog, or the same), deleted by either. One attachment id, seen by both sides, each
//! with its own association (on its own gateway's route tables) and its own tags. Routes
//! cross a peering only by static routes: peering attachments propagate nothing.

use super::transit_gateway::{AttachmentState, TgwPeer, TransitGateway, TransitGatewayAttachment};
use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::error::ModelError;
use crate::id::{TransitGatewayAttachmentId, TransitGatewayId};
use crate::resource::Resource;
use crate::scope::{AccountId, Scope};
use crate::txn::Txn;
use serde::{Deserialize, Serialize};

/// CreateTransitGatewayPeeringAttachment's input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateTgwPeering {
    pub transit_gateway_id: TransitGatewayId,
    pub peer_transit_gateway_id: TransitGatewayId,
    pub peer_account: AccountId,
    pub peer_region: String,
    pub dynamic_routing: Option<bool>,
    pub tag_specifications: Vec<TagSpecification>,
}

impl Txn<'_, '_> {
    pub(crate) fn create_tgw_peering(
        &mut self,
        input: &CreateTgwPeering,
    ) -> Result<TransitGatewayAttachment, ModelError> {
        let scope = self.ctx.scope.clone();
        let tgw = self.own_tgw(&input.transit_gateway_id)?;
        let peer_scope = Scope::new(input.peer_account.clone(), input.peer_region.clone());
        if self.ctx.catalog.region(&peer_scope.region).is_none() {
            return Err(ModelError::invalid_value(format!(
                "Invalid region: {}",
                peer_scope.region
            )));
        }
        if input.peer_transit_gateway_id == input.transit_gateway_id {
            return Err(ModelError::invalid_value(
                "The requester and the accepter transit gateway cannot be the same",
            ));
        }
        let peer = self
            .model
            .any::<TransitGateway>(&input.peer_transit_gateway_id)
            .filter(|t| t.scope == peer_scope && !t.deleted);
        // A peer of the caller's own account and region must exist now; another's makes a
        // request that fails, as a VPC peering request to a missing VPC does.
        let state = match peer {
            None if peer_scope == scope => return Err(input.peer_transit_gateway_id.not_found()),
            None => AttachmentState::Failed,
            Some(_) => AttachmentState::PendingAcceptance,
        };
        let pair = |a: &TransitGatewayAttachment| {
            a.peer.as_ref().is_some_and(|p| {
                a.state.is_live()
                    && [&a.transit_gateway_id, &p.transit_gateway_id]
                        .contains(&&input.transit_gateway_id)
                    && [&a.transit_gateway_id, &p.transit_gateway_id]
                        .contains(&&input.peer_transit_gateway_id)
            })
        };
        if self
            .model
            .transit_gateway_attachments
            .values()
            .any(|a| pair(a))
        {
            return Err(ModelError::DuplicateTransitGatewayAttachment {
                message: format!(
                    "{} has a non-deleted peering attachment to {}",
                    input.transit_gateway_id, input.peer_transit_gateway_id
                ),
            });
        }
        let id = TransitGatewayAttachmentId::generate(self.ctx.ids);
        let tags = tags_for(
            &input.tag_specifications,
            "transit-gateway-attachment",
            id.as_str(),
        )?;
        let attachment = TransitGatewayAttachment {
            id,
            scope,
            transit_gateway_id: tgw.id.clone(),
            transit_gateway_scope: tgw.scope.clone(),
            vpc_id: None,
            vpn_connection_id: None,
            subnet_ids: Vec::new(),
            interfaces: Vec::new(),
            state,
            association: None,
            propagations: Vec::new(),
            dns_support: false,
            created: self.ctx.now,
            tags,
            peer: Some(TgwPeer {
                transit_gateway_id: input.peer_transit_gateway_id.clone(),
                scope: peer_scope,
                association: None,
                tags: Tags::new(),
                dynamic_routing: input.dynamic_routing,
            }),
        };
        self.put(Resource::TransitGatewayAttachment(attachment.clone()));
        Ok(attachment)
    }

    /// A peering attachment either side sees; the others, and deleted ones, are not found
    /// (AWS: "was deleted or does not exist"; Terraform's provider deletes the attachment
    /// from the requester after the accepter did, and counts on that answer).
    fn peering(
        &self,
        id: &TransitGatewayAttachmentId,
    ) -> Result<TransitGatewayAttachment, ModelError> {
        self.model
            .tgw_attachment(self.ctx.scope, id)
            .ok()
            .filter(|a| a.peer.is_some() && a.state != AttachmentState::Deleted)
            .cloned()
            .ok_or_else(|| id.not_found())
    }

    /// A pending peering attachment, for its accepter.
    fn pending_peering_for_accepter(
        &self,
        id: &TransitGatewayAttachmentId,
    ) -> Result<TransitGatewayAttachment, ModelError> {
        let attachment = self.peering(id)?;
        let Some(peer) = &attachment.peer else {
            return Err(id.not_found());
        };
        if &peer.scope != self.ctx.scope {
            return Err(ModelError::OperationNotPermitted {
                message: format!(
                    "Only the owner of {} can accept or reject {id}",
                    peer.transit_gateway_id
                ),
            });
        }
        if attachment.state != AttachmentState::PendingAcceptance {
            return Err(attachment.incorrect_state());
        }
        Ok(attachment)
    }

    /// Accepting associates the attachment with each gateway's default association route
    /// table when that gateway's options say so (as the Terraform provider's users observe
    /// on the accepter); nothing propagates.
    pub(crate) fn accept_tgw_peering(
        &mut self,
        id: &TransitGatewayAttachmentId,
    ) -> Result<TransitGatewayAttachment, ModelError> {
        let mut attachment = self.pending_peering_for_accepter(id)?;
        let gateway = |t: &TransitGatewayId| -> Result<TransitGateway, ModelError> {
            self.model
                .any::<TransitGateway>(t)
                .filter(|g| !g.deleted)
                .cloned()
                .ok_or_else(|| t.not_found())
        };
        let requester = gateway(&attachment.transit_gateway_id)?;
        let Some(peer) = attachment.peer.as_mut() else {
            return Err(id.not_found());
        };
        let accepter = gateway(&peer.transit_gateway_id)?;
        let default = |g: &TransitGateway| {
            g.options
                .association_default_route_table_id
                .clone()
                .filter(|_| g.options.default_route_table_association)
        };
        peer.association = default(&accepter);
        attachment.association = default(&requester);
        attachment.state = AttachmentState::Available;
        self.put(Resource::TransitGatewayAttachment(attachment.clone()));
        Ok(attachment)
    }

    pub(crate) fn reject_tgw_peering(
        &mut self,
        id: &TransitGatewayAttachmentId,
    ) -> Result<TransitGatewayAttachment, ModelError> {
        let attachment = self.pending_peering_for_accepter(id)?;
        Ok(self.end_attachment(attachment, AttachmentState::Rejected))
    }

    /// Either side may delete a pending, available or failed peering attachment (a rejected
    /// one: `IncorrectState`).
    pub(crate) fn delete_tgw_peering(
        &mut self,
        id: &TransitGatewayAttachmentId,
    ) -> Result<TransitGatewayAttachment, ModelError> {
        let attachment = self.peering(id)?;
        if !attachment.state.is_live() && attachment.state != AttachmentState::Failed {
            return Err(attachment.incorrect_state());
        }
        Ok(self.end_attachment(attachment, AttachmentState::Deleted))
    }

    /// Each side tags its own view of a peering attachment; other attachments are tagged
    /// by their owner only.
    pub(crate) fn edit_tgw_attachment_tags(
        &mut self,
        id: &str,
        edit: impl FnOnce(&mut Tags, &str) -> Result<(), ModelError>,
    ) -> Result<(), ModelError> {
        let key = TransitGatewayAttachmentId::parse(id)?;
        let mut a = self.model.tgw_attachment(self.ctx.scope, &key)?.clone();
        let accepter = a.accepter_view(self.ctx.scope);
        match &mut a.peer {
            Some(peer) if accepter => edit(&mut peer.tags, id)?,
            _ if &a.scope == self.ctx.scope => edit(&mut a.tags, id)?,
            _ => return Err(key.not_found()),
        }
        self.put(Resource::TransitGatewayAttachment(a));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Command;
    use crate::command::Outcome;
    use crate::ec2::transit_gateway::TransitGatewayRouteTable;
    use crate::ec2::transit_gateway::{ModifyTgw, TransitGatewayOptions};
    use crate::testing::Harness;

    fn tgw(h: &mut Harness) -> TransitGateway {
        match h.run(Command::CreateTransitGateway {
            description: String::new(),
            options: TransitGatewayOptions::default(),
            tag_specifications: Vec::new(),
        }) {
            Ok(Outcome::TransitGateway(t)) => t,
            o => panic!("{o:?}"),
        }
    }

    fn attachment(o: Result<Outcome, ModelError>) -> TransitGatewayAttachment {
        match o {
            Ok(Outcome::TransitGatewayAttachment(a)) => a,
            o => panic!("{o:?}"),
        }
    }

    fn enter(h: &mut Harness, scope: &Scope) {
        h.scope = scope.clone();
        h.run(Command::EnsureScope { default_vpc: false }).unwrap();
    }

    #[test]
    fn a_peering_across_accounts_and_regions_is_accepted_by_the_peer_and_deleted_by_either() {
        let mut h = Harness::new(false);
        let requester = h.scope.clone();
        let accepter = Scope::new(AccountId::parse("222222222222").unwrap(), "us-east-1");
        let a = tgw(&mut h);
        enter(&mut h, &accepter);
        let b = tgw(&mut h);
        enter(&mut h, &requester);
        let create = Command::CreateTransitGatewayPeeringAttachment(CreateTgwPeering {
            transit_gateway_id: a.id.clone(),
            peer_transit_gateway_id: b.id.clone(),
            peer_account: accepter.account.clone(),
            peer_region: accepter.region.clone(),
            dynamic_routing: None,
            tag_specifications: vec![TagSpecification {
                resource_type: "transit-gateway-attachment".into(),
                tags: vec![("Name".into(), "to-b".into())],
            }],
        });
        let p = attachment(h.run(create.clone()));
        assert_eq!(p.state, AttachmentState::PendingAcceptance);
        assert_eq!(p.resource_type(), "peering");
        let code = |r: Result<Outcome, ModelError>| r.unwrap_err().code();
        assert_eq!(code(h.run(create)), "DuplicateTransitGatewayAttachment");
        let accept = Command::AcceptTransitGatewayPeeringAttachment { id: p.id.clone() };
        assert_eq!(code(h.run(accept.clone())), "OperationNotPermitted");
        // The peer account in the requester's region does not see it.
        enter(
            &mut h,
            &Scope::new(accepter.account.clone(), requester.region.clone()),
        );
        assert!(code(h.run(accept.clone())).ends_with(".NotFound"));
        enter(&mut h, &accepter);
        let p = attachment(h.run(accept.clone()));
        assert_eq!(p.state, AttachmentState::Available);
        assert_eq!(code(h.run(accept)), "IncorrectState");
        // Each gateway's default table holds its side's association; nothing propagates.
        let (a_rtb, b_rtb) = (
            a.options
                .association_default_route_table_id
                .clone()
                .unwrap(),
            b.options
                .association_default_route_table_id
                .clone()
                .unwrap(),
        );
        assert_eq!(p.association_on(&a.id), Some(&a_rtb));
        assert_eq!(p.association_on(&b.id), Some(&b_rtb));
        assert_eq!(h.model.tgw_associations(&b_rtb)[0].id, p.id);
        assert!(h.model.tgw_propagations(&b_rtb).is_empty());
        let propagate = Command::SetTransitGatewayRouteTablePropagation {
            table: b_rtb.clone(),
            attachment: p.id.clone(),
            enable: true,
        };
        assert_eq!(code(h.run(propagate)), "InvalidParameterValue");
        // The accepter sees it on its own gateway, attaching the requester's, with its own tags.
        assert!(p.accepter_view(&accepter) && !p.accepter_view(&requester));
        assert_eq!(p.local_tgw(&accepter).0, &b.id);
        assert_eq!(p.resource_id_from(&b.id), a.id.as_str());
        assert!(p.tags_for(&accepter).is_empty());
        assert_eq!(p.tags_for(&requester)["Name"], "to-b");
        // A static route of the peer's table may target it.
        let dest = crate::cidr::parse_ipv4_cidr("10.1.0.0/16", "d").unwrap();
        h.run(Command::CreateTransitGatewayRoute {
            table: b_rtb.clone(),
            destination: dest,
            attachment: Some(p.id.clone()),
        })
        .unwrap();
        let table = h
            .model
            .get::<TransitGatewayRouteTable>(&accepter, &b_rtb)
            .unwrap()
            .clone();
        assert!(h.model.tgw_routes(&table)[0].active);
        // Neither gateway can go while it lives.
        assert_eq!(
            code(h.run(Command::DeleteTransitGateway { id: b.id.clone() })),
            "IncorrectState"
        );
        // The requester deletes it: the route turns blackhole, the associations go.
        enter(&mut h, &requester);
        let gone =
            attachment(h.run(Command::DeleteTransitGatewayPeeringAttachment { id: p.id.clone() }));
        assert_eq!(gone.state, AttachmentState::Deleted);
        assert!(!h.model.tgw_routes(&table)[0].active);
        assert!(h.model.tgw_associations(&b_rtb).is_empty());
        h.run(Command::DeleteTransitGateway { id: a.id.clone() })
            .unwrap();
    }

    #[test]
    fn a_peer_outside_the_callers_scope_that_does_not_exist_fails_the_request() {
        let mut h = Harness::new(false);
        let a = tgw(&mut h);
        let missing = TransitGatewayId::parse("tgw-0123456789abcdef0").unwrap();
        let request = |account: &str, region: &str| {
            Command::CreateTransitGatewayPeeringAttachment(CreateTgwPeering {
                transit_gateway_id: a.id.clone(),
                peer_transit_gateway_id: missing.clone(),
                peer_account: AccountId::parse(account).unwrap(),
                peer_region: region.into(),
                dynamic_routing: None,
                tag_specifications: Vec::new(),
            })
        };
        let own = h.scope.account.to_string();
        let err = h.run(request(&own, "ap-northeast-1")).unwrap_err();
        assert_eq!(err.code(), "InvalidTransitGatewayID.NotFound");
        assert_eq!(
            err.to_string(),
            format!("Transit Gateway {missing} was deleted or does not exist.")
        );
        let p = attachment(h.run(request("222222222222", "eu-west-1")));
        assert_eq!(p.state, AttachmentState::Failed);
        let err = h.run(request("222222222222", "mars-1")).unwrap_err();
        assert_eq!(err.code(), "InvalidParameterValue");
        // A failed request may be deleted, and holds nothing.
        h.run(Command::DeleteTransitGatewayPeeringAttachment { id: p.id })
            .unwrap();
    }

    #[test]
    fn modify_changes_what_it_names_and_makes_a_default_table_when_one_is_enabled() {
        let mut h = Harness::new(false);
        let t = match h.run(Command::CreateTransitGateway {
            description: "a".into(),
            options: TransitGatewayOptions {
                default_route_table_association: false,
                default_route_table_propagation: false,
                ..TransitGatewayOptions::default()
            },
            tag_specifications: Vec::new(),
        }) {
            Ok(Outcome::TransitGateway(t)) => t,
            o => panic!("{o:?}"),
        };
        let modify = |f: &dyn Fn(&mut ModifyTgw)| {
            let mut m = ModifyTgw::of(t.id.clone());
            f(&mut m);
            Command::ModifyTransitGateway(m)
        };
        let run = |h: &mut Harness, c: Command| match h.run(c) {
            Ok(Outcome::TransitGateway(t)) => t,
            o => panic!("{o:?}"),
        };
        let after = run(
            &mut h,
            modify(&|m| {
                m.default_route_table_propagation = Some(true);
                m.add_cidr_blocks = vec!["10.0.0.7/24".into()];
            }),
        );
        assert_eq!(after.description, "a");
        let made = after.options.propagation_default_route_table_id.clone();
        assert!(made.is_some());
        assert!(after.options.association_default_route_table_id.is_none());
        assert_eq!(after.options.cidr_blocks, ["10.0.0.0/24"]);
        let after = run(
            &mut h,
            modify(&|m| {
                m.default_route_table_association = Some(true);
                m.remove_cidr_blocks = vec!["10.0.0.0/24".into()];
                m.amazon_side_asn = Some(4_200_000_001);
            }),
        );
        // The existing default table serves both.
        assert_eq!(after.options.association_default_route_table_id, made);
        assert!(after.options.cidr_blocks.is_empty());
        assert_eq!(after.options.amazon_side_asn, 4_200_000_001);
        let err = h.run(modify(&|m| m.amazon_side_asn = Some(1))).unwrap_err();
        assert_eq!(err.code(), "InvalidParameterValue");
    }
}

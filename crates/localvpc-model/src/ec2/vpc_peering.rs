//! VPC peering connections (docs/aws-semantics.md §1.8): requested from one VPC, accepted by the peer VPC's
//! owner in the peer's region, visible from both sides. Overlapping CIDRs fail the request;
//! at most one live connection per VPC pair; non-transitive (routes and SG references only).

use crate::cidr::{self, Ipv4Cidr};
use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::ec2::vpc::Vpc;
use crate::error::ModelError;
use crate::id::{Timestamp, VpcId, VpcPeeringConnectionId};
use crate::resource::{Model, Resource};
use crate::scope::{AccountId, Scope};
use crate::txn::Txn;
use serde::{Deserialize, Serialize};

/// A pending request expires after seven days (docs/aws-semantics.md §1.8).
const PENDING_LIFETIME_MS: u64 = 7 * 24 * 3600 * 1000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcPeeringConnection {
    pub id: VpcPeeringConnectionId,
    /// The requester's scope (it owns the connection's tags).
    pub scope: Scope,
    pub requester: PeeringSide,
    pub accepter: PeeringSide,
    pub status: PeeringStatus,
    pub status_message: String,
    pub expiration: Option<Timestamp>,
    /// The requester account's tags (tags are per account, like the connection's view).
    pub tags: Tags,
    /// The accepter account's tags.
    #[serde(default)]
    pub accepter_tags: Tags,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeeringSide {
    pub scope: Scope,
    pub vpc_id: VpcId,
    /// The VPC's IPv4 blocks (refreshed on accept).
    pub cidrs: Vec<Ipv4Cidr>,
    pub allow_dns_resolution_from_remote_vpc: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PeeringStatus {
    PendingAcceptance,
    Active,
    Rejected,
    Failed,
    Deleted,
}

impl PeeringStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingAcceptance => "pending-acceptance",
            Self::Active => "active",
            Self::Rejected => "rejected",
            Self::Failed => "failed",
            Self::Deleted => "deleted",
        }
    }

    fn is_live(self) -> bool {
        matches!(self, Self::PendingAcceptance | Self::Active)
    }
}

impl VpcPeeringConnection {
    /// Both sides see the connection.
    pub fn visible_to(&self, scope: &Scope) -> bool {
        &self.requester.scope == scope || &self.accepter.scope == scope
    }

    pub fn involves(&self, vpc_id: &VpcId) -> bool {
        &self.requester.vpc_id == vpc_id || &self.accepter.vpc_id == vpc_id
    }

    pub fn is_active(&self) -> bool {
        self.status == PeeringStatus::Active
    }

    /// The tags `scope` sees: each side keeps its own.
    pub fn tags_for(&self, scope: &Scope) -> &Tags {
        if &self.requester.scope == scope {
            &self.tags
        } else {
            &self.accepter_tags
        }
    }
}

/// CreateVpcPeeringConnection's input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateVpcPeering {
    pub vpc_id: VpcId,
    pub peer_vpc_id: VpcId,
    pub peer_owner: Option<AccountId>,
    pub peer_region: Option<String>,
    pub tag_specifications: Vec<TagSpecification>,
}

/// One side's options in ModifyVpcPeeringConnectionOptions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeeringOptions {
    pub allow_dns_resolution_from_remote_vpc: Option<bool>,
}

impl Model {
    /// A peering connection either side sees (requester or accepter). Not `get`, which sees
    /// only the requester's.
    pub fn vpc_peering(
        &self,
        scope: &Scope,
        id: &VpcPeeringConnectionId,
    ) -> Result<&VpcPeeringConnection, ModelError> {
        self.vpc_peering_connections
            .get(id)
            .map(AsRef::as_ref)
            .filter(|p| p.visible_to(scope))
            .ok_or_else(|| id.not_found())
    }

    /// The peering connections either side sees, in id order. Not `in_scope`, which lists
    /// only the requester's.
    pub fn vpc_peerings_visible<'a>(
        &'a self,
        scope: &'a Scope,
    ) -> impl Iterator<Item = &'a VpcPeeringConnection> + 'a {
        self.vpc_peering_connections
            .values()
            .map(AsRef::as_ref)
            .filter(move |p| p.visible_to(scope))
    }

    /// Whether two VPCs are joined by an active peering connection.
    pub fn peered(&self, a: &VpcId, b: &VpcId) -> bool {
        self.vpc_peering_connections
            .values()
            .any(|p| p.is_active() && p.involves(a) && p.involves(b))
    }
}

impl Txn<'_, '_> {
    pub(crate) fn create_vpc_peering(
        &mut self,
        input: &CreateVpcPeering,
    ) -> Result<VpcPeeringConnection, ModelError> {
        let scope = self.ctx.scope.clone();
        let requester_vpc = self.model.get::<Vpc>(&scope, &input.vpc_id)?.clone();
        let peer_scope = Scope::new(
            input
                .peer_owner
                .clone()
                .unwrap_or_else(|| scope.account.clone()),
            input
                .peer_region
                .clone()
                .unwrap_or_else(|| scope.region.clone()),
        );
        if peer_scope.region != scope.region
            && self.ctx.catalog.region(&peer_scope.region).is_none()
        {
            return Err(ModelError::invalid_value(format!(
                "Invalid region: {}",
                peer_scope.region
            )));
        }
        if input.peer_vpc_id == input.vpc_id {
            return Err(ModelError::invalid_value(
                "The requester VPC and the accepter VPC cannot be the same",
            ));
        }
        let peer_vpc = self
            .model
            .vpcs
            .get(&input.peer_vpc_id)
            .filter(|v| v.scope == peer_scope)
            .map(|v| (**v).clone());
        // A VPC of the caller's own account and region must exist now; others fail later
        // (the request is accepted, then marked failed), as AWS does.
        let (status, message) = match &peer_vpc {
            None if peer_scope == scope => return Err(input.peer_vpc_id.not_found()),
            None => (
                PeeringStatus::Failed,
                format!("VPC {} does not exist", input.peer_vpc_id),
            ),
            Some(peer) if overlaps(&requester_vpc, peer) => (
                PeeringStatus::Failed,
                "Overlapping IPv4 CIDR blocks".to_owned(),
            ),
            Some(_) => (
                PeeringStatus::PendingAcceptance,
                format!("Pending Acceptance by {}", peer_scope.account),
            ),
        };
        let live = self.model.vpc_peering_connections.values().any(|p| {
            p.status.is_live() && p.involves(&input.vpc_id) && p.involves(&input.peer_vpc_id)
        });
        if live && status == PeeringStatus::PendingAcceptance {
            return Err(ModelError::PeeringAlreadyExists {
                vpc_id: input.vpc_id.to_string(),
                peer: input.peer_vpc_id.to_string(),
            });
        }
        let id = VpcPeeringConnectionId::generate(self.ctx.ids);
        let tags = tags_for(
            &input.tag_specifications,
            "vpc-peering-connection",
            id.as_str(),
        )?;
        let side = |vpc_scope: Scope, vpc_id: VpcId, cidrs: Vec<Ipv4Cidr>| PeeringSide {
            scope: vpc_scope,
            vpc_id,
            cidrs,
            allow_dns_resolution_from_remote_vpc: false,
        };
        let peering = VpcPeeringConnection {
            id,
            scope: scope.clone(),
            requester: side(
                scope,
                requester_vpc.id.clone(),
                requester_vpc.associated_cidrs().copied().collect(),
            ),
            accepter: side(
                peer_scope,
                input.peer_vpc_id.clone(),
                peer_vpc
                    .map(|v| v.associated_cidrs().copied().collect())
                    .unwrap_or_default(),
            ),
            status,
            status_message: message,
            expiration: (status == PeeringStatus::PendingAcceptance)
                .then(|| Timestamp(self.ctx.now.0 + PENDING_LIFETIME_MS)),
            tags,
            accepter_tags: Tags::new(),
        };
        self.put(Resource::VpcPeeringConnection(peering.clone()));
        Ok(peering)
    }

    fn peering_for_transition(
        &self,
        id: &VpcPeeringConnectionId,
    ) -> Result<VpcPeeringConnection, ModelError> {
        Ok(self.model.vpc_peering(self.ctx.scope, id)?.clone())
    }

    pub(crate) fn accept_vpc_peering(
        &mut self,
        id: &VpcPeeringConnectionId,
    ) -> Result<VpcPeeringConnection, ModelError> {
        let mut p = self.peering_for_transition(id)?;
        if &p.accepter.scope != self.ctx.scope {
            return Err(ModelError::OperationNotPermitted {
                message: format!("User {} cannot accept peering {id}", self.ctx.scope.account),
            });
        }
        if p.status != PeeringStatus::PendingAcceptance {
            return Err(ModelError::InvalidStateTransition {
                id: id.to_string(),
                from: p.status.as_str(),
                to: "active",
            });
        }
        let requester = self
            .model
            .vpcs
            .get(&p.requester.vpc_id)
            .map(|v| (**v).clone());
        let accepter = self
            .model
            .vpcs
            .get(&p.accepter.vpc_id)
            .map(|v| (**v).clone());
        match (requester, accepter) {
            (Some(r), Some(a)) if !overlaps(&r, &a) => {
                p.requester.cidrs = r.associated_cidrs().copied().collect();
                p.accepter.cidrs = a.associated_cidrs().copied().collect();
                p.status = PeeringStatus::Active;
                p.status_message = "Active".to_owned();
                p.expiration = None;
            }
            _ => {
                p.status = PeeringStatus::Failed;
                p.status_message =
                    "Overlapping IPv4 CIDR blocks or a VPC no longer exists".to_owned();
            }
        }
        self.put(Resource::VpcPeeringConnection(p.clone()));
        Ok(p)
    }

    pub(crate) fn reject_vpc_peering(
        &mut self,
        id: &VpcPeeringConnectionId,
    ) -> Result<(), ModelError> {
        let mut p = self.peering_for_transition(id)?;
        if &p.accepter.scope != self.ctx.scope {
            return Err(ModelError::OperationNotPermitted {
                message: format!("User {} cannot reject peering {id}", self.ctx.scope.account),
            });
        }
        if p.status != PeeringStatus::PendingAcceptance {
            return Err(ModelError::InvalidStateTransition {
                id: id.to_string(),
                from: p.status.as_str(),
                to: "rejected",
            });
        }
        p.status = PeeringStatus::Rejected;
        p.status_message = "Rejected".to_owned();
        self.put(Resource::VpcPeeringConnection(p));
        Ok(())
    }

    pub(crate) fn delete_vpc_peering(
        &mut self,
        id: &VpcPeeringConnectionId,
    ) -> Result<(), ModelError> {
        let mut p = self.peering_for_transition(id)?;
        if !p.status.is_live() {
            return Err(ModelError::InvalidStateTransition {
                id: id.to_string(),
                from: p.status.as_str(),
                to: "deleted",
            });
        }
        p.status = PeeringStatus::Deleted;
        p.status_message = format!("Deleted by {}", self.ctx.scope.account);
        self.put(Resource::VpcPeeringConnection(p));
        Ok(())
    }

    /// Marks a deleted VPC's live connections deleted (AWS deletes them with the VPC).
    pub(crate) fn delete_peerings_of(&mut self, vpc_id: &VpcId) {
        let live: Vec<VpcPeeringConnection> = self
            .model
            .vpc_peering_connections
            .values()
            .filter(|p| p.status.is_live() && p.involves(vpc_id))
            .map(|p| (**p).clone())
            .collect();
        for mut p in live {
            p.status = PeeringStatus::Deleted;
            p.status_message = format!("VPC {vpc_id} was deleted");
            self.put(Resource::VpcPeeringConnection(p));
        }
    }

    /// Each side's options may be changed only by that side's owner, on an active connection.
    pub(crate) fn modify_vpc_peering_options(
        &mut self,
        id: &VpcPeeringConnectionId,
        requester: Option<PeeringOptions>,
        accepter: Option<PeeringOptions>,
    ) -> Result<VpcPeeringConnection, ModelError> {
        let mut p = self.peering_for_transition(id)?;
        if !p.is_active() {
            return Err(ModelError::PeeringNotActive {
                id: id.to_string(),
                status: p.status.as_str(),
            });
        }
        let scope = self.ctx.scope.clone();
        for (options, side_is_requester) in [(requester, true), (accepter, false)] {
            let Some(options) = options else { continue };
            let side = if side_is_requester {
                &mut p.requester
            } else {
                &mut p.accepter
            };
            if side.scope != scope {
                return Err(ModelError::OperationNotPermitted {
                    message: format!(
                        "User {} cannot modify the {} options of {id}",
                        scope.account,
                        if side_is_requester {
                            "requester"
                        } else {
                            "accepter"
                        }
                    ),
                });
            }
            if let Some(allow) = options.allow_dns_resolution_from_remote_vpc {
                if allow {
                    let hostnames = |vpc_id: &VpcId| {
                        self.model
                            .vpcs
                            .get(vpc_id)
                            .is_some_and(|v| v.enable_dns_hostnames && v.enable_dns_support)
                    };
                    if !hostnames(&p.requester.vpc_id) || !hostnames(&p.accepter.vpc_id) {
                        return Err(ModelError::PeeringDnsHostnamesDisabled { id: id.to_string() });
                    }
                }
                let side = if side_is_requester {
                    &mut p.requester
                } else {
                    &mut p.accepter
                };
                side.allow_dns_resolution_from_remote_vpc = allow;
            }
        }
        self.put(Resource::VpcPeeringConnection(p.clone()));
        Ok(p)
    }
}

impl Txn<'_, '_> {
    /// Each side tags its own view of the connection.
    pub(crate) fn edit_peering_tags(
        &mut self,
        id: &str,
        edit: impl FnOnce(&mut Tags, &str) -> Result<(), ModelError>,
    ) -> Result<(), ModelError> {
        let key = VpcPeeringConnectionId::parse(id)?;
        let mut p = self.model.vpc_peering(self.ctx.scope, &key)?.clone();
        if &p.requester.scope == self.ctx.scope {
            edit(&mut p.tags, id)?;
        } else {
            edit(&mut p.accepter_tags, id)?;
        }
        self.put(Resource::VpcPeeringConnection(p));
        Ok(())
    }
}

fn overlaps(a: &Vpc, b: &Vpc) -> bool {
    a.associated_cidrs()
        .any(|x| b.associated_cidrs().any(|y| cidr::overlaps(x, y)))
}

#[cfg(test)]
mod tests {
    use crate::command::{Command, Outcome};
    use crate::ec2::vpc::Vpc;
    use crate::scope::{AccountId, Scope};
    use crate::testing::Harness;

    #[test]
    fn peering_needs_the_peer_owner_and_disjoint_blocks() {
        use crate::ec2::vpc_peering::{CreateVpcPeering, PeeringStatus};
        let mut h = Harness::new(false);
        let a = h.vpc("10.0.0.0/16");
        let hub_scope = h.scope.clone();
        let member = Scope::new(AccountId::parse("222222222222").unwrap(), "ap-northeast-1");
        h.scope = member.clone();
        h.run(Command::EnsureScope { default_vpc: false }).unwrap();
        let b = h.vpc("10.1.0.0/16");
        let c = h.vpc("10.0.0.0/24");
        let request = |vpc: &Vpc| {
            Command::CreateVpcPeeringConnection(CreateVpcPeering {
                vpc_id: vpc.id.clone(),
                peer_vpc_id: a.id.clone(),
                peer_owner: Some(AccountId::default_account()),
                peer_region: None,
                tag_specifications: vec![],
            })
        };
        let Outcome::VpcPeeringConnection(p) = h.run(request(&b)).unwrap() else {
            panic!()
        };
        assert_eq!(p.status, PeeringStatus::PendingAcceptance);
        assert_eq!(
            h.run(request(&b)).unwrap_err().code(),
            "VpcPeeringConnectionAlreadyExists"
        );
        let Outcome::VpcPeeringConnection(overlap) = h.run(request(&c)).unwrap() else {
            panic!()
        };
        assert_eq!(overlap.status, PeeringStatus::Failed);
        // Only the accepter may accept.
        let accept = Command::AcceptVpcPeeringConnection { id: p.id.clone() };
        assert_eq!(
            h.run(accept.clone()).unwrap_err().code(),
            "OperationNotPermitted"
        );
        h.scope = hub_scope.clone();
        assert!(h.model.vpc_peering(&hub_scope, &p.id).is_ok());
        h.run(accept.clone()).unwrap();
        assert!(h.model.peered(&a.id, &b.id));
        assert_eq!(h.run(accept).unwrap_err().code(), "InvalidStateTransition");
        // An outsider sees nothing.
        let outsider = Scope::new(AccountId::parse("333333333333").unwrap(), "ap-northeast-1");
        assert!(h.model.vpc_peering(&outsider, &p.id).is_err());
        // Deleting a peered VPC deletes the connection.
        h.run(Command::DeleteVpc {
            vpc_id: a.id.clone(),
        })
        .unwrap();
        assert_eq!(
            h.model.vpc_peering_connections[&p.id].status,
            PeeringStatus::Deleted
        );
    }
}

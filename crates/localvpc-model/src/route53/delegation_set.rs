//! Reusable delegation sets: four name servers an account's public zones can share, made
//! from nothing or from an existing zone's set.

use super::{
    HostedZone, HostedZoneId, ROUTE53_REGION, Route53ErrorCode, Route53Outcome, name, r53_error,
};
use crate::ec2::tags::Tags;
use crate::error::ModelError;
use crate::id::ResourceKind;
use crate::resource::{Model, Resource, ResourceRef};
use crate::scope::{AccountId, Scope};
use crate::txn::Txn;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Reusable delegation sets per account (AWS default quota).
pub const MAX_DELEGATION_SETS: usize = 100;
/// Hosted zones per reusable delegation set (AWS default quota,
/// `MAX_ZONES_BY_REUSABLE_DELEGATION_SET`).
pub const MAX_ZONES_PER_DELEGATION_SET: usize = 100;

fn no_such_delegation_set(id: &str) -> ModelError {
    let bare = id.strip_prefix("/delegationset/").unwrap_or(id);
    r53_error(
        Route53ErrorCode::NoSuchDelegationSet,
        format!("A reusable delegation set with the specified ID does not exist: {bare}"),
    )
}

route53_id!(/// `N…` (the API also accepts `/delegationset/N…`)
    DelegationSetId, ResourceKind::DelegationSet, "N", "delegationset", no_such_delegation_set);

/// A reusable delegation set. Tags are kept only because every stored kind has them; Route
/// 53 does not tag delegation sets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReusableDelegationSet {
    pub id: DelegationSetId,
    /// The owner account, region [`ROUTE53_REGION`].
    pub scope: Scope,
    pub caller_reference: String,
    /// Fully qualified (`ns-1.awsdns-01.com.`), as zones keep theirs.
    pub name_servers: Vec<String>,
    pub tags: Tags,
}

impl Model {
    /// A reusable delegation set of the caller's account (`NoSuchDelegationSet` otherwise).
    /// Not `get`: Route 53 is global, so the account is checked and the region is not.
    pub fn delegation_set(
        &self,
        scope: &Scope,
        id: &DelegationSetId,
    ) -> Result<&ReusableDelegationSet, ModelError> {
        self.delegation_sets
            .get(id)
            .map(AsRef::as_ref)
            .filter(|d| d.scope.account == scope.account)
            .ok_or_else(|| id.not_found())
    }

    /// Every reusable delegation set of an account, ordered by id (not `in_scope`: Route 53
    /// is global).
    pub fn delegation_sets_of<'a>(
        &'a self,
        account: &'a AccountId,
    ) -> impl Iterator<Item = &'a ReusableDelegationSet> + 'a {
        self.delegation_sets
            .values()
            .map(AsRef::as_ref)
            .filter(move |d| &d.scope.account == account)
    }

    /// The zones that use a reusable delegation set.
    pub fn zones_using<'a>(
        &'a self,
        id: &'a DelegationSetId,
    ) -> impl Iterator<Item = &'a HostedZone> + 'a {
        self.hosted_zones
            .values()
            .map(AsRef::as_ref)
            .filter(move |z| z.delegation_set_id.as_ref() == Some(id))
    }
}

impl Txn<'_, '_> {
    pub(crate) fn create_delegation_set(
        &mut self,
        caller_reference: &str,
        zone: Option<&HostedZoneId>,
    ) -> Result<Route53Outcome, ModelError> {
        let account = self.ctx.scope.account.clone();
        if caller_reference.is_empty() || caller_reference.chars().count() > 128 {
            return Err(r53_error(
                Route53ErrorCode::InvalidInput,
                "1 validation error detected: Value at 'callerReference' failed to satisfy constraint: Member must have length between 1 and 128",
            ));
        }
        if self
            .model
            .delegation_sets_of(&account)
            .any(|d| d.caller_reference == caller_reference)
        {
            return Err(r53_error(
                Route53ErrorCode::DelegationSetAlreadyCreated,
                format!(
                    "A delegation set has already been created with the specified caller reference: {caller_reference}"
                ),
            ));
        }
        if self.model.delegation_sets_of(&account).count() >= MAX_DELEGATION_SETS {
            return Err(r53_error(
                Route53ErrorCode::LimitsExceeded,
                format!(
                    "This operation would exceed the limit of {MAX_DELEGATION_SETS} reusable delegation sets for the account."
                ),
            ));
        }
        let id = DelegationSetId::generate(self.ctx.ids);
        let name_servers = match zone {
            None => super::delegation_set(id.as_str()),
            Some(zone_id) => {
                let mut z = self
                    .model
                    .hosted_zone(self.ctx.scope, zone_id)
                    .map_err(|_| {
                        r53_error(
                            Route53ErrorCode::HostedZoneNotFound,
                            format!("The specified hosted zone {zone_id} can't be found."),
                        )
                    })?
                    .clone();
                if z.private {
                    return Err(r53_error(
                        Route53ErrorCode::InvalidArgument,
                        format!(
                            "The hosted zone {zone_id} is private; a reusable delegation set can't be associated with a private hosted zone."
                        ),
                    ));
                }
                if let Some(existing) = &z.delegation_set_id {
                    return Err(r53_error(
                        Route53ErrorCode::DelegationSetAlreadyReusable,
                        format!(
                            "The delegation set of hosted zone {zone_id} has already been marked as reusable: {existing}"
                        ),
                    ));
                }
                z.delegation_set_id = Some(id.clone());
                let servers = z.name_servers.clone();
                self.put(Resource::HostedZone(z));
                servers
            }
        };
        let set = ReusableDelegationSet {
            id,
            scope: Scope::new(account, ROUTE53_REGION),
            caller_reference: caller_reference.to_owned(),
            name_servers,
            tags: Tags::new(),
        };
        self.put(Resource::DelegationSet(set.clone()));
        Ok(Route53Outcome::DelegationSet(Box::new(set)))
    }

    pub(crate) fn delete_delegation_set(&mut self, id: &DelegationSetId) -> Result<(), ModelError> {
        self.model.delegation_set(self.ctx.scope, id)?;
        if let Some(zone) = self.model.zones_using(id).next() {
            return Err(r53_error(
                Route53ErrorCode::DelegationSetInUse,
                format!(
                    "The reusable delegation set {id} is in use by hosted zone {} and can't be deleted until its hosted zones are deleted.",
                    zone.id
                ),
            ));
        }
        self.delete(ResourceRef::DelegationSet(id.clone()));
        Ok(())
    }

    /// The name servers a new public zone takes from a reusable delegation set, checked as
    /// AWS does: the set is the caller's, has room, and shares no server with a zone of the
    /// same, a parent or a child name.
    pub(crate) fn name_servers_of_set(
        &self,
        id: &DelegationSetId,
        zone_name: &str,
    ) -> Result<Vec<String>, ModelError> {
        let set = self.model.delegation_set(self.ctx.scope, id)?;
        if self.model.zones_using(id).count() >= MAX_ZONES_PER_DELEGATION_SET {
            return Err(r53_error(
                Route53ErrorCode::LimitsExceeded,
                format!(
                    "The reusable delegation set {id} is already used by {MAX_ZONES_PER_DELEGATION_SET} hosted zones."
                ),
            ));
        }
        let related = |other: &str| {
            other == zone_name
                || name::is_within(other, zone_name)
                || name::is_within(zone_name, other)
        };
        let clash = self
            .model
            .hosted_zones_of(&self.ctx.scope.account)
            .filter(|z| !z.private && related(&z.name))
            .find(|z| {
                z.name_servers
                    .iter()
                    .any(|ns| set.name_servers.contains(ns))
            });
        if let Some(other) = clash {
            return Err(r53_error(
                Route53ErrorCode::ConflictingDomainExists,
                format!(
                    "Cannot create hosted zone with DelegationSetId {id} as the DNSName {zone_name} conflicts with existing ones sharing the delegation set (hosted zone {})",
                    other.id
                ),
            ));
        }
        Ok(set.name_servers.clone())
    }
}

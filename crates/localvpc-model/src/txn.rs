//! The transaction core: a command runs in a `Txn` against a copy of the model, its writes
//! recorded as changes; `Model::execute` commits the copy, `Model::apply_change` replays a
//! change (the store's log) into a model. The command dispatch is in `dispatch.rs`.

use crate::catalog::Catalog;
use crate::command::{Command, Outcome};
use crate::ec2::dhcp::DhcpOptions;
use crate::ec2::tags::Tags;
use crate::error::ModelError;
use crate::id::{DhcpOptionsId, IdGen, ResourceKind, Timestamp, parse_resource_id};
use crate::resource::{Change, Model, Resource, ResourceRef};
use crate::scope::Scope;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Per-scope bookkeeping: a scope exists once it has been set up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeState {
    pub scope: Scope,
    pub default_dhcp_options_id: DhcpOptionsId,
}

/// What a command runs with: whose it is, when, and where ids come from.
pub struct Ctx<'a> {
    pub scope: &'a Scope,
    pub now: Timestamp,
    pub ids: &'a mut dyn IdGen,
    pub catalog: &'a Catalog,
}

/// A command in progress: reads see its own earlier writes; the changes are recorded.
pub(crate) struct Txn<'m, 'c> {
    pub(crate) model: &'m mut Model,
    pub(crate) ctx: &'m mut Ctx<'c>,
    changes: Vec<Change>,
}

impl<'m, 'c> Txn<'m, 'c> {
    /// A transaction over `model` (a copy: `execute` keeps it only if the command succeeds).
    pub(crate) fn new(model: &'m mut Model, ctx: &'m mut Ctx<'c>) -> Self {
        Self {
            model,
            ctx,
            changes: Vec::new(),
        }
    }
}

impl Txn<'_, '_> {
    pub(crate) fn put(&mut self, resource: Resource) {
        let change = Change::Put(resource);
        self.model.apply_change(&change);
        self.changes.push(change);
    }

    pub(crate) fn delete(&mut self, key: ResourceRef) {
        let change = Change::Delete(key);
        self.model.apply_change(&change);
        self.changes.push(change);
    }

    /// Empties the whole model (every scope), as one change.
    pub(crate) fn reset(&mut self) {
        self.model.apply_change(&Change::Reset);
        self.changes.push(Change::Reset);
    }

    pub(crate) fn scope_state(&self) -> Result<&ScopeState, ModelError> {
        self.model
            .scopes
            .get(self.ctx.scope)
            .map(Arc::as_ref)
            .ok_or_else(|| ModelError::InvalidParameterValue {
                message: format!(
                    "the region '{}' is not set up for this account",
                    self.ctx.scope.region
                ),
            })
    }

    pub(crate) fn ensure_scope(&mut self, default_vpc: bool) -> Result<(), ModelError> {
        if self.model.scopes.contains_key(self.ctx.scope) {
            return Ok(());
        }
        let scope = self.ctx.scope.clone();
        let dhcp = DhcpOptions::default_for(DhcpOptionsId::generate(self.ctx.ids), scope.clone());
        self.put(Resource::Scope(ScopeState {
            scope,
            default_dhcp_options_id: dhcp.id.clone(),
        }));
        self.put(Resource::DhcpOptions(dhcp));
        if default_vpc {
            self.create_default_vpc()?;
        }
        Ok(())
    }
}

impl Txn<'_, '_> {
    /// Runs `edit` on the tags of the resource `id` names in this scope and stores the result.
    pub(crate) fn with_tags(
        &mut self,
        id: &str,
        edit: impl FnOnce(&mut Tags, &str) -> Result<(), ModelError>,
    ) -> Result<(), ModelError> {
        let (kind, id) = parse_resource_id(id)?;
        match kind {
            // Rule tags live inside their group; peering tags are kept per side.
            ResourceKind::SecurityGroupRule => self.edit_rule_tags(&id, edit),
            ResourceKind::VpcPeeringConnection => self.edit_peering_tags(&id, edit),
            ResourceKind::TransitGatewayAttachment => self.edit_tgw_attachment_tags(&id, edit),
            _ => self.edit_tags(kind, &id, edit),
        }
    }
}

impl Model {
    /// Runs a command against a copy of the model. On success returns the new model, the
    /// outcome, and the changes to persist; on error the model is untouched.
    pub fn execute(
        &self,
        command: &Command,
        ctx: &mut Ctx<'_>,
    ) -> Result<(Model, Outcome, Vec<Change>), ModelError> {
        let mut next = self.clone();
        let mut txn = Txn::new(&mut next, ctx);
        let outcome = txn.run(command)?;
        let changes = txn.changes;
        Ok((next, outcome, changes))
    }

    /// Replays one committed change (also how `execute` itself writes).
    pub fn apply_change(&mut self, change: &Change) {
        match change {
            Change::Reset => *self = Model::default(),
            Change::Put(resource) => self.put_resource(resource.clone()),
            Change::Delete(key) => self.delete_resource(key),
        }
    }
}

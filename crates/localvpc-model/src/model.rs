//! The whole state, how commands run against it, and how changes replay into it.

use crate::catalog::Catalog;
use crate::command::{Command, Outcome};
use crate::ec2::dhcp::DhcpOptions;
use crate::ec2::network_acl::NetworkAcl;
use crate::ec2::route_table::RouteTable;
use crate::ec2::security_group::SecurityGroup;
use crate::ec2::subnet::Subnet;
use crate::ec2::tags::{Tags, merge_tags, validate_tag};
use crate::ec2::vpc::Vpc;
use crate::error::ModelError;
use crate::id::{
    DhcpOptionsId, IdGen, NetworkAclId, ResourceKind, RouteTableId, SecurityGroupId, SubnetId,
    Timestamp, VpcId, parse_resource_id,
};
use crate::resource::{Change, Resource, ResourceRef};
use crate::scope::Scope;
use imbl::OrdMap;
use serde::{Deserialize, Serialize};

/// Per-scope bookkeeping: a scope exists once it has been set up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeState {
    pub scope: Scope,
    pub default_dhcp_options_id: DhcpOptionsId,
}

/// Every resource of every account and region.
///
/// Maps are persistent (`imbl`), so `clone` is O(1) and shares structure: a snapshot for
/// readers and a scratch copy for a command cost nothing up front.
// INVARIANT: every resource's `scope` is in `scopes`, and every VPC's main route table,
// default ACL and default security group exist.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Model {
    pub(crate) scopes: OrdMap<Scope, ScopeState>,
    pub(crate) vpcs: OrdMap<VpcId, Vpc>,
    pub(crate) subnets: OrdMap<SubnetId, Subnet>,
    pub(crate) route_tables: OrdMap<RouteTableId, RouteTable>,
    pub(crate) network_acls: OrdMap<NetworkAclId, NetworkAcl>,
    pub(crate) security_groups: OrdMap<SecurityGroupId, SecurityGroup>,
    pub(crate) dhcp_options: OrdMap<DhcpOptionsId, DhcpOptions>,
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

    pub(crate) fn scope_state(&self) -> Result<&ScopeState, ModelError> {
        self.model
            .scopes
            .get(self.ctx.scope)
            .ok_or_else(|| ModelError::InvalidParameterValue {
                message: format!(
                    "the region '{}' is not set up for this account",
                    self.ctx.scope.region
                ),
            })
    }

    fn ensure_scope(&mut self, default_vpc: bool) -> Result<(), ModelError> {
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

    fn run(&mut self, command: &Command) -> Result<Outcome, ModelError> {
        Ok(match command {
            Command::EnsureScope { default_vpc } => {
                self.ensure_scope(*default_vpc)?;
                Outcome::Done
            }
            Command::CreateVpc(input) => Outcome::Vpc(self.create_vpc(input)?),
            Command::DeleteVpc { vpc_id } => {
                self.delete_vpc(vpc_id)?;
                Outcome::Done
            }
            Command::ModifyVpcAttribute { vpc_id, attribute } => {
                self.modify_vpc_attribute(vpc_id, *attribute)?;
                Outcome::Done
            }
            Command::AssociateVpcCidrBlock { vpc_id, cidr_block } => {
                let association = self.associate_vpc_cidr_block(vpc_id, cidr_block)?;
                Outcome::CidrAssociation {
                    vpc_id: vpc_id.clone(),
                    association,
                }
            }
            Command::DisassociateVpcCidrBlock { association_id } => {
                let (vpc_id, association) = self.disassociate_vpc_cidr_block(association_id)?;
                Outcome::CidrAssociation {
                    vpc_id,
                    association,
                }
            }
            Command::CreateDefaultVpc => Outcome::Vpc(self.create_default_vpc()?),
            Command::CreateSubnet(input) => Outcome::Subnet(self.create_subnet(input)?),
            Command::DeleteSubnet { subnet_id } => {
                self.delete_subnet(subnet_id)?;
                Outcome::Done
            }
            Command::ModifySubnetAttribute {
                subnet_id,
                attribute,
            } => {
                self.modify_subnet_attribute(subnet_id, *attribute)?;
                Outcome::Done
            }
            Command::CreateTags { resource_ids, tags } => {
                for (k, v) in tags {
                    validate_tag(k, v)?;
                }
                for id in resource_ids {
                    self.with_tags(id, |current, id| merge_tags(current, tags, id))?;
                }
                Outcome::Done
            }
            Command::DeleteTags { resource_ids, tags } => {
                for id in resource_ids {
                    self.with_tags(id, |current, _| {
                        for (key, value) in tags {
                            // A given value removes the tag only when it matches.
                            if value.as_ref().is_none_or(|v| current.get(key) == Some(v)) {
                                current.remove(key);
                            }
                        }
                        Ok(())
                    })?;
                }
                Outcome::Done
            }
            Command::Reset => {
                self.model.apply_change(&Change::Reset);
                self.changes.push(Change::Reset);
                Outcome::Done
            }
        })
    }
}

impl Txn<'_, '_> {
    /// Runs `edit` on the tags of the resource `id` names in this scope and stores the result.
    fn with_tags(
        &mut self,
        id: &str,
        edit: impl FnOnce(&mut Tags, &str) -> Result<(), ModelError>,
    ) -> Result<(), ModelError> {
        let (kind, id) = parse_resource_id(id)?;
        let scope = self.ctx.scope;
        let not_found = || ModelError::NotFound {
            kind,
            id: id.clone(),
        };
        let resource = match kind {
            ResourceKind::Vpc => {
                let mut r = self.model.vpc(scope, &VpcId::parse(&id)?)?.clone();
                edit(&mut r.tags, &id)?;
                Resource::Vpc(r)
            }
            ResourceKind::Subnet => {
                let mut r = self.model.subnet(scope, &SubnetId::parse(&id)?)?.clone();
                edit(&mut r.tags, &id)?;
                Resource::Subnet(r)
            }
            ResourceKind::RouteTable => {
                let key = RouteTableId::parse(&id)?;
                let mut r = scoped(self.model.route_tables.get(&key), scope)
                    .ok_or_else(not_found)?
                    .clone();
                edit(&mut r.tags, &id)?;
                Resource::RouteTable(r)
            }
            ResourceKind::NetworkAcl => {
                let key = NetworkAclId::parse(&id)?;
                let mut r = scoped(self.model.network_acls.get(&key), scope)
                    .ok_or_else(not_found)?
                    .clone();
                edit(&mut r.tags, &id)?;
                Resource::NetworkAcl(r)
            }
            ResourceKind::SecurityGroup => {
                let key = SecurityGroupId::parse(&id)?;
                let mut r = scoped(self.model.security_groups.get(&key), scope)
                    .ok_or_else(not_found)?
                    .clone();
                edit(&mut r.tags, &id)?;
                Resource::SecurityGroup(r)
            }
            ResourceKind::DhcpOptions => {
                let key = DhcpOptionsId::parse(&id)?;
                let mut r = scoped(self.model.dhcp_options.get(&key), scope)
                    .ok_or_else(not_found)?
                    .clone();
                edit(&mut r.tags, &id)?;
                Resource::DhcpOptions(r)
            }
            ResourceKind::VpcCidrAssociation => return Err(ModelError::InvalidId { id }),
        };
        self.put(resource);
        Ok(())
    }
}

/// Anything that lives in one scope.
pub(crate) trait Scoped {
    fn scope(&self) -> &Scope;
}

macro_rules! scoped_impl {
    ($($t:ty),*) => { $(impl Scoped for $t { fn scope(&self) -> &Scope { &self.scope } })* };
}
scoped_impl!(
    Vpc,
    Subnet,
    RouteTable,
    NetworkAcl,
    SecurityGroup,
    DhcpOptions
);

/// A resource is visible only from its own scope: others get NotFound, as in AWS.
fn scoped<'a, T: Scoped>(found: Option<&'a T>, scope: &Scope) -> Option<&'a T> {
    found.filter(|r| r.scope() == scope)
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
        let mut txn = Txn {
            model: &mut next,
            ctx,
            changes: Vec::new(),
        };
        let outcome = txn.run(command)?;
        let changes = txn.changes;
        Ok((next, outcome, changes))
    }

    /// Replays one committed change (also how `execute` itself writes).
    pub fn apply_change(&mut self, change: &Change) {
        match change {
            Change::Reset => *self = Model::default(),
            Change::Put(resource) => match resource.clone() {
                Resource::Scope(s) => {
                    self.scopes.insert(s.scope.clone(), s);
                }
                Resource::Vpc(r) => {
                    self.vpcs.insert(r.id.clone(), r);
                }
                Resource::Subnet(r) => {
                    self.subnets.insert(r.id.clone(), r);
                }
                Resource::RouteTable(r) => {
                    self.route_tables.insert(r.id.clone(), r);
                }
                Resource::NetworkAcl(r) => {
                    self.network_acls.insert(r.id.clone(), r);
                }
                Resource::SecurityGroup(r) => {
                    self.security_groups.insert(r.id.clone(), r);
                }
                Resource::DhcpOptions(r) => {
                    self.dhcp_options.insert(r.id.clone(), r);
                }
            },
            Change::Delete(key) => match key {
                ResourceRef::Scope(k) => {
                    self.scopes.remove(k);
                }
                ResourceRef::Vpc(k) => {
                    self.vpcs.remove(k);
                }
                ResourceRef::Subnet(k) => {
                    self.subnets.remove(k);
                }
                ResourceRef::RouteTable(k) => {
                    self.route_tables.remove(k);
                }
                ResourceRef::NetworkAcl(k) => {
                    self.network_acls.remove(k);
                }
                ResourceRef::SecurityGroup(k) => {
                    self.security_groups.remove(k);
                }
                ResourceRef::DhcpOptions(k) => {
                    self.dhcp_options.remove(k);
                }
            },
        }
    }

    /// Whether the scope has been set up (default DHCP options, default VPC).
    pub fn has_scope(&self, scope: &Scope) -> bool {
        self.scopes.contains_key(scope)
    }

    pub fn vpc(&self, scope: &Scope, id: &VpcId) -> Result<&Vpc, ModelError> {
        scoped(self.vpcs.get(id), scope).ok_or_else(|| id.not_found())
    }

    pub fn subnet(&self, scope: &Scope, id: &SubnetId) -> Result<&Subnet, ModelError> {
        scoped(self.subnets.get(id), scope).ok_or_else(|| id.not_found())
    }

    /// The scope's VPCs in id order.
    pub fn vpcs<'a>(&'a self, scope: &'a Scope) -> impl Iterator<Item = &'a Vpc> + 'a {
        self.vpcs.values().filter(move |v| &v.scope == scope)
    }

    /// The scope's subnets in id order.
    pub fn subnets<'a>(&'a self, scope: &'a Scope) -> impl Iterator<Item = &'a Subnet> + 'a {
        self.subnets.values().filter(move |s| &s.scope == scope)
    }

    pub fn route_tables<'a>(
        &'a self,
        scope: &'a Scope,
    ) -> impl Iterator<Item = &'a RouteTable> + 'a {
        self.route_tables
            .values()
            .filter(move |s| &s.scope == scope)
    }

    pub fn network_acls<'a>(
        &'a self,
        scope: &'a Scope,
    ) -> impl Iterator<Item = &'a NetworkAcl> + 'a {
        self.network_acls
            .values()
            .filter(move |s| &s.scope == scope)
    }

    pub fn security_groups<'a>(
        &'a self,
        scope: &'a Scope,
    ) -> impl Iterator<Item = &'a SecurityGroup> + 'a {
        self.security_groups
            .values()
            .filter(move |s| &s.scope == scope)
    }

    pub fn dhcp_options<'a>(
        &'a self,
        scope: &'a Scope,
    ) -> impl Iterator<Item = &'a DhcpOptions> + 'a {
        self.dhcp_options
            .values()
            .filter(move |s| &s.scope == scope)
    }

    /// Addresses still free in a subnet (AvailableIpAddressCount).
    pub fn available_ip_count(&self, subnet: &Subnet) -> u64 {
        // No ENIs exist yet; the network issue subtracts their addresses here.
        subnet.usable_addresses()
    }

    /// Every stored resource, for snapshots.
    pub fn resources(&self) -> impl Iterator<Item = Resource> + '_ {
        let scopes = self.scopes.values().cloned().map(Resource::Scope);
        let dhcp = self
            .dhcp_options
            .values()
            .cloned()
            .map(Resource::DhcpOptions);
        let vpcs = self.vpcs.values().cloned().map(Resource::Vpc);
        let subnets = self.subnets.values().cloned().map(Resource::Subnet);
        let rtbs = self
            .route_tables
            .values()
            .cloned()
            .map(Resource::RouteTable);
        let acls = self
            .network_acls
            .values()
            .cloned()
            .map(Resource::NetworkAcl);
        let sgs = self
            .security_groups
            .values()
            .cloned()
            .map(Resource::SecurityGroup);
        scopes
            .chain(dhcp)
            .chain(vpcs)
            .chain(subnets)
            .chain(rtbs)
            .chain(acls)
            .chain(sgs)
    }
}

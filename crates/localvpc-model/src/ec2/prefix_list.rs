//! Managed prefix lists: the AWS-managed lists of the gateway endpoint services (read-only,
//! from the catalogue) and customer-managed lists with versions. Both can be the destination
//! of a route and the peer of a security group rule (docs/aws-semantics.md §2.2).

use crate::catalog::{AwsPrefixList, aws_prefix_lists};
use crate::cidr::{Ipv4Cidr, parse_ipv4_cidr};
use crate::ec2::route_table::RouteDestination;
use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::error::ModelError;
use crate::id::PrefixListId;
use crate::resource::{Model, Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};

/// AWS's default quota of entries in one customer-managed list.
const MAX_ENTRIES_QUOTA: u32 = 1000;
/// At most this many additions or removals in one ModifyManagedPrefixList.
const MAX_CHANGES: usize = 100;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedPrefixList {
    pub id: PrefixListId,
    pub scope: Scope,
    pub name: String,
    pub max_entries: u32,
    /// `create-complete` until the first modification, then `modify-complete`.
    pub modified: bool,
    /// Every version's entries, oldest first: version n is `versions[n - 1]`.
    pub versions: Vec<Vec<PrefixListEntry>>,
    pub tags: Tags,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrefixListEntry {
    pub cidr: Ipv4Cidr,
    pub description: Option<String>,
}

impl ManagedPrefixList {
    pub fn version(&self) -> u64 {
        self.versions.len() as u64
    }

    pub fn entries(&self) -> &[PrefixListEntry] {
        self.versions.last().map(Vec::as_slice).unwrap_or_default()
    }

    pub fn state(&self) -> &'static str {
        if self.modified {
            "modify-complete"
        } else {
            "create-complete"
        }
    }

    pub fn arn(&self) -> String {
        self.scope.ec2_arn("prefix-list", self.id.as_str())
    }
}

/// CreateManagedPrefixList's input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateManagedPrefixList {
    pub name: String,
    pub max_entries: u32,
    pub address_family: String,
    pub entries: Vec<(String, Option<String>)>,
    pub tag_specifications: Vec<TagSpecification>,
}

/// ModifyManagedPrefixList's input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifyManagedPrefixList {
    pub prefix_list_id: PrefixListId,
    pub current_version: Option<u64>,
    pub name: Option<String>,
    pub add: Vec<(String, Option<String>)>,
    pub remove: Vec<String>,
    pub max_entries: Option<u32>,
}

/// A prefix list as readers see it: either kind.
#[derive(Clone, Copy, Debug)]
pub enum PrefixListRef<'a> {
    Aws(&'a AwsPrefixList),
    Customer(&'a ManagedPrefixList),
}

impl PrefixListRef<'_> {
    pub fn id(&self) -> &str {
        match self {
            Self::Aws(l) => &l.id,
            Self::Customer(l) => l.id.as_str(),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Self::Aws(l) => &l.name,
            Self::Customer(l) => &l.name,
        }
    }

    pub fn cidrs(&self) -> Vec<Ipv4Cidr> {
        match self {
            Self::Aws(l) => l.cidrs.clone(),
            Self::Customer(l) => l.entries().iter().map(|e| e.cidr).collect(),
        }
    }
}

impl Model {
    /// The AWS-managed lists of the scope's region, then the scope's own lists (not
    /// `in_scope`, which has only the stored ones).
    pub fn prefix_lists_in<'a>(&'a self, scope: &'a Scope) -> Vec<PrefixListRef<'a>> {
        let mut out: Vec<PrefixListRef<'a>> = aws_prefix_lists(&scope.region)
            .into_iter()
            .map(PrefixListRef::Aws)
            .collect();
        out.extend(
            self.managed_prefix_lists
                .values()
                .filter(|l| &l.scope == scope)
                .map(|l| PrefixListRef::Customer(l)),
        );
        out
    }

    /// A prefix list visible in this scope, by id: AWS-managed or the scope's own (not
    /// `get`, which finds only stored ones).
    pub fn prefix_list<'a>(&'a self, scope: &'a Scope, id: &str) -> Option<PrefixListRef<'a>> {
        self.prefix_lists_in(scope)
            .into_iter()
            .find(|l| l.id() == id)
    }

    /// Whether `id` names a prefix list usable in this scope (routes, SG rules).
    pub fn prefix_list_exists(&self, scope: &Scope, id: &str) -> bool {
        self.prefix_list(scope, id).is_some()
    }

    /// The CIDRs of a list visible in the scope (empty if none): what a route expands to.
    pub fn prefix_list_cidrs(&self, scope: &Scope, id: &str) -> Vec<Ipv4Cidr> {
        self.prefix_list(scope, id)
            .map(|l| l.cidrs())
            .unwrap_or_default()
    }

    /// The resources that reference a list: route tables and security groups, by id.
    pub fn prefix_list_users(&self, scope: &Scope, id: &str) -> Vec<String> {
        let destination = RouteDestination::PrefixList(id.to_owned());
        let mut out: Vec<String> = self
            .route_tables
            .values()
            .filter(|t| &t.scope == scope && t.routes.iter().any(|r| r.destination == destination))
            .map(|t| t.id.to_string())
            .collect();
        out.extend(
            self.security_groups
                .values()
                .filter(|g| &g.scope == scope && g.references_prefix_list(id))
                .map(|g| g.id.to_string()),
        );
        out
    }
}

fn parse_entries(entries: &[(String, Option<String>)]) -> Result<Vec<PrefixListEntry>, ModelError> {
    let mut out: Vec<PrefixListEntry> = Vec::new();
    for (cidr, description) in entries {
        let cidr = parse_ipv4_cidr(cidr, "Cidr")?;
        if description.as_ref().is_some_and(|d| d.len() > 255) {
            return Err(ModelError::invalid_value(
                "The description of a prefix list entry cannot be longer than 255 characters",
            ));
        }
        if out.iter().any(|e| e.cidr == cidr) {
            return Err(ModelError::PrefixListModification {
                message: format!("The request contains duplicate entries for {cidr}."),
            });
        }
        out.push(PrefixListEntry {
            cidr,
            description: description.clone(),
        });
    }
    Ok(out)
}

fn check_name(name: &str) -> Result<(), ModelError> {
    if name.is_empty() || name.len() > 255 {
        return Err(ModelError::invalid_value(
            "The prefix list name must be between 1 and 255 characters",
        ));
    }
    if name.starts_with("com.amazonaws") {
        return Err(ModelError::invalid_value(
            "The prefix list name cannot start with com.amazonaws.",
        ));
    }
    Ok(())
}

fn check_max_entries(max: u32) -> Result<(), ModelError> {
    if max == 0 || max > MAX_ENTRIES_QUOTA {
        return Err(ModelError::invalid_value(format!(
            "The maximum number of entries must be between 1 and {MAX_ENTRIES_QUOTA}"
        )));
    }
    Ok(())
}

impl Txn<'_, '_> {
    pub(crate) fn create_managed_prefix_list(
        &mut self,
        input: &CreateManagedPrefixList,
    ) -> Result<ManagedPrefixList, ModelError> {
        check_name(&input.name)?;
        match input.address_family.as_str() {
            "IPv4" => {}
            "IPv6" => {
                return Err(ModelError::invalid_value(
                    "localvpc emulates IPv4 networks only: an IPv6 prefix list is not supported",
                ));
            }
            other => {
                return Err(ModelError::invalid_value(format!(
                    "The address family {other} is invalid. Valid values are IPv4 and IPv6."
                )));
            }
        }
        check_max_entries(input.max_entries)?;
        let entries = parse_entries(&input.entries)?;
        if entries.len() > input.max_entries as usize {
            return Err(ModelError::PrefixListMaxEntriesExceeded {
                message: format!(
                    "The prefix list has {} entries, more than its maximum of {}.",
                    entries.len(),
                    input.max_entries
                ),
            });
        }
        let id = PrefixListId::generate(self.ctx.ids);
        let tags = tags_for(&input.tag_specifications, "prefix-list", id.as_str())?;
        let list = ManagedPrefixList {
            id,
            scope: self.ctx.scope.clone(),
            name: input.name.clone(),
            max_entries: input.max_entries,
            modified: false,
            versions: vec![entries],
            tags,
        };
        self.put(Resource::ManagedPrefixList(list.clone()));
        Ok(list)
    }

    fn customer_list(&self, id: &PrefixListId) -> Result<ManagedPrefixList, ModelError> {
        if aws_prefix_lists(&self.ctx.scope.region)
            .iter()
            .any(|l| l.id == id.as_str())
        {
            return Err(ModelError::PrefixListModification {
                message: format!("The prefix list {id} is AWS-managed and cannot be changed."),
            });
        }
        Ok(self
            .model
            .get::<ManagedPrefixList>(self.ctx.scope, id)?
            .clone())
    }

    pub(crate) fn modify_managed_prefix_list(
        &mut self,
        input: &ModifyManagedPrefixList,
    ) -> Result<ManagedPrefixList, ModelError> {
        let mut list = self.customer_list(&input.prefix_list_id)?;
        let changes_entries = !input.add.is_empty() || !input.remove.is_empty();
        if let Some(name) = &input.name {
            check_name(name)?;
            list.name.clone_from(name);
        }
        if let Some(max) = input.max_entries {
            if changes_entries {
                return Err(ModelError::InvalidParameterCombination {
                    message: "You cannot modify the entries of a prefix list and modify the size of a prefix \
                              list at the same time."
                        .to_owned(),
                });
            }
            check_max_entries(max)?;
            if (max as usize) < list.entries().len() {
                return Err(ModelError::invalid_value(format!(
                    "The prefix list has {} entries; the maximum cannot be smaller.",
                    list.entries().len()
                )));
            }
            list.max_entries = max;
            list.modified = true;
        }
        if changes_entries {
            if input.add.len() > MAX_CHANGES || input.remove.len() > MAX_CHANGES {
                return Err(ModelError::invalid_value(
                    "The request cannot contain more than 100 entry additions or removals",
                ));
            }
            match input.current_version {
                None => {
                    return Err(ModelError::missing(
                        "The request must contain the parameter CurrentVersion",
                    ));
                }
                Some(v) if v != list.version() => {
                    return Err(ModelError::PrefixListVersionMismatch);
                }
                Some(_) => {}
            }
            let mut entries = list.entries().to_vec();
            for cidr in &input.remove {
                let cidr = parse_ipv4_cidr(cidr, "Cidr")?;
                let Some(index) = entries.iter().position(|e| e.cidr == cidr) else {
                    return Err(ModelError::PrefixListModification {
                        message: format!("The entry {cidr} does not exist."),
                    });
                };
                entries.remove(index);
            }
            for entry in parse_entries(&input.add)? {
                if entries.iter().any(|e| e.cidr == entry.cidr) {
                    return Err(ModelError::PrefixListModification {
                        message: format!("The entry {} already exists.", entry.cidr),
                    });
                }
                entries.push(entry);
            }
            if entries.len() > list.max_entries as usize {
                return Err(ModelError::PrefixListMaxEntriesExceeded {
                    message: format!(
                        "The prefix list {} would have {} entries, more than its maximum of {}.",
                        list.id,
                        entries.len(),
                        list.max_entries
                    ),
                });
            }
            list.versions.push(entries);
            list.modified = true;
        }
        self.put(Resource::ManagedPrefixList(list.clone()));
        Ok(list)
    }

    pub(crate) fn delete_managed_prefix_list(
        &mut self,
        id: &PrefixListId,
    ) -> Result<ManagedPrefixList, ModelError> {
        let list = self.customer_list(id)?;
        let users = self.model.prefix_list_users(self.ctx.scope, id.as_str());
        if let Some(user) = users.first() {
            return Err(ModelError::dependency(format!(
                "The prefix list {id} is referenced by {user} and cannot be deleted."
            )));
        }
        self.delete(ResourceRef::ManagedPrefixList(id.clone()));
        Ok(list)
    }

    /// Puts back an older version's entries as a new version (RestoreManagedPrefixListVersion).
    pub(crate) fn restore_managed_prefix_list_version(
        &mut self,
        id: &PrefixListId,
        previous: u64,
        current: u64,
    ) -> Result<ManagedPrefixList, ModelError> {
        let mut list = self.customer_list(id)?;
        if current != list.version() {
            return Err(ModelError::PrefixListVersionMismatch);
        }
        let Some(entries) = usize::try_from(previous)
            .ok()
            .and_then(|v| v.checked_sub(1))
            .and_then(|i| list.versions.get(i))
            .cloned()
        else {
            return Err(ModelError::invalid_value(format!(
                "The prefix list {id} has no version {previous}."
            )));
        };
        list.versions.push(entries);
        list.modified = true;
        self.put(Resource::ManagedPrefixList(list.clone()));
        Ok(list)
    }
}

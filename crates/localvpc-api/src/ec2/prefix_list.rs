//! Prefix lists: DescribePrefixLists (the AWS-managed lists), the customer-managed list API
//! (Create/Modify/Delete/DescribeManagedPrefixLists, GetManagedPrefixListEntries,
//! GetManagedPrefixListAssociations, RestoreManagedPrefixListVersion).

use super::describe::Describe;
use super::filter::{Bounds, DESCRIBE_BOUNDS};
use super::vpc::unexpected;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{
    Command, CreateManagedPrefixList, ManagedPrefixList, ModifyManagedPrefixList, Outcome,
    PrefixListId, PrefixListRef,
};
use localvpc_wire::xml::XmlWriter;

/// DescribeManagedPrefixLists' `PrefixListMaxResults`: 1–100.
const MANAGED_BOUNDS: Bounds = Bounds { min: 1, max: 100 };
/// GetManagedPrefixListEntries and GetManagedPrefixListAssociations: 1–100 and 5–255.
const ENTRIES_BOUNDS: Bounds = Bounds { min: 1, max: 100 };
const ASSOCIATIONS_BOUNDS: Bounds = Bounds { min: 5, max: 255 };

fn write_managed(w: &mut XmlWriter, l: &PrefixListRef<'_>) {
    w.leaf("prefixListId", l.id()).leaf("addressFamily", "IPv4");
    match l {
        PrefixListRef::Aws(a) => {
            w.leaf("state", "create-complete")
                .leaf(
                    "prefixListArn",
                    &format!("arn:aws:ec2:{}:aws:prefix-list/{}", a.region, a.id),
                )
                .leaf("prefixListName", &a.name);
            w.list("tagSet", Vec::<()>::new(), |_, ()| {});
            w.leaf("ownerId", "AWS");
        }
        PrefixListRef::Customer(c) => {
            w.leaf("state", c.state())
                .leaf("prefixListArn", &c.arn())
                .leaf("prefixListName", &c.name)
                .leaf("maxEntries", &c.max_entries.to_string())
                .leaf("version", &c.version().to_string());
            super::tags::write_tag_set_always(w, &c.tags);
            w.leaf("ownerId", c.scope.account.as_str());
        }
    }
}

fn entries(p: &super::input::Input<'_>, name: &str) -> Vec<(String, Option<String>)> {
    p.params()
        .structs(name)
        .iter()
        .filter_map(|e| {
            e.get("Cidr")
                .map(|c| (c.to_owned(), e.get("Description").map(str::to_owned)))
        })
        .collect()
}

fn respond_list<B: Backend>(op: &Op<'_, B>, outcome: Outcome) -> Body {
    match outcome {
        Outcome::ManagedPrefixList(l) => op.respond(|w| {
            w.node("prefixList", |w| {
                write_managed(w, &PrefixListRef::Customer(&l));
            });
        }),
        other => Err(unexpected(&other)),
    }
}

fn u32_param(p: &super::input::Input<'_>, name: &str) -> Result<Option<u32>, ApiError> {
    p.int(name)?
        .map(|v| {
            u32::try_from(v).map_err(|_| {
                ApiError::invalid_value(format!("Value ({v}) for parameter {name} is invalid."))
            })
        })
        .transpose()
}

fn u64_param(p: &super::input::Input<'_>, name: &str) -> Result<Option<u64>, ApiError> {
    p.int(name)?
        .map(|v| {
            u64::try_from(v).map_err(|_| {
                ApiError::invalid_value(format!("Value ({v}) for parameter {name} is invalid."))
            })
        })
        .transpose()
}

pub(super) async fn create<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let input = CreateManagedPrefixList {
        name: p.required("PrefixListName")?.to_owned(),
        max_entries: u32_param(p, "MaxEntries")?.ok_or_else(|| ApiError::missing("MaxEntries"))?,
        address_family: p.required("AddressFamily")?.to_owned(),
        entries: entries(p, "Entry"),
        tag_specifications: p.tag_specifications()?,
    };
    let outcome = op.run(Command::CreateManagedPrefixList(input)).await?;
    respond_list(op, outcome)
}

pub(super) async fn modify<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let input = ModifyManagedPrefixList {
        prefix_list_id: PrefixListId::parse(p.required("PrefixListId")?)?,
        current_version: u64_param(p, "CurrentVersion")?,
        name: p.opt("PrefixListName").map(str::to_owned),
        add: entries(p, "AddEntry"),
        remove: entries(p, "RemoveEntry")
            .into_iter()
            .map(|(c, _)| c)
            .collect(),
        max_entries: u32_param(p, "MaxEntries")?,
    };
    let outcome = op.run(Command::ModifyManagedPrefixList(input)).await?;
    respond_list(op, outcome)
}

pub(super) async fn delete<B: Backend>(op: &Op<'_, B>) -> Body {
    let prefix_list_id = PrefixListId::parse(op.params.required("PrefixListId")?)?;
    let outcome = op
        .run(Command::DeleteManagedPrefixList { prefix_list_id })
        .await?;
    match outcome {
        Outcome::ManagedPrefixList(l) => op.respond(|w| {
            w.node("prefixList", |w| {
                write_managed(w, &PrefixListRef::Customer(&l));
                // The list is gone: AWS reports it as being deleted.
            });
        }),
        other => Err(unexpected(&other)),
    }
}

pub(super) async fn restore<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let prefix_list_id = PrefixListId::parse(p.required("PrefixListId")?)?;
    let previous_version =
        u64_param(p, "PreviousVersion")?.ok_or_else(|| ApiError::missing("PreviousVersion"))?;
    let current_version =
        u64_param(p, "CurrentVersion")?.ok_or_else(|| ApiError::missing("CurrentVersion"))?;
    let outcome = op
        .run(Command::RestoreManagedPrefixListVersion {
            prefix_list_id,
            previous_version,
            current_version,
        })
        .await?;
    respond_list(op, outcome)
}

/// The lists named by `PrefixListId.N` (each must exist) or all visible ones, sorted by id.
fn chosen<'m>(
    ids: &[&str],
    all: Vec<PrefixListRef<'m>>,
) -> Result<Vec<PrefixListRef<'m>>, ApiError> {
    for id in ids {
        let parsed = PrefixListId::parse(id)?;
        if !all.iter().any(|l| l.id() == *id) {
            return Err(parsed.not_found().into());
        }
    }
    let mut out: Vec<PrefixListRef<'m>> = all
        .into_iter()
        .filter(|l| ids.is_empty() || ids.contains(&l.id()))
        .collect();
    out.sort_by(|a, b| a.id().cmp(b.id()));
    Ok(out)
}

pub(super) fn describe_managed<B: Backend>(op: &Op<'_, B>) -> Body {
    // The ids are checked after DryRun, against the lists the caller sees.
    let ids = op.params.list("PrefixListId");
    let describe = Describe::new(op)
        .filters(&["owner-id", "prefix-list-id", "prefix-list-name"], true)?
        .paged(&MANAGED_BOUNDS)?;
    let model = describe.snapshot()?;
    let scope = &op.ctx.scope;
    let lists: Vec<PrefixListRef<'_>> = chosen(&ids, model.prefix_lists_in(scope))?
        .into_iter()
        .filter(|l| {
            let tags = match l {
                PrefixListRef::Customer(c) => Some(&c.tags),
                PrefixListRef::Aws(_) => None,
            };
            describe.matches(tags, |f| match f {
                "owner-id" => vec![match l {
                    PrefixListRef::Aws(_) => "AWS".to_owned(),
                    PrefixListRef::Customer(c) => c.scope.account.to_string(),
                }],
                "prefix-list-id" => vec![l.id().to_owned()],
                "prefix-list-name" => vec![l.name().to_owned()],
                _ => Vec::new(),
            })
        })
        .collect();
    describe.respond(
        "prefixListSet",
        lists,
        |l| l.id(),
        |w, l| write_managed(w, &l),
    )
}

/// DescribePrefixLists: only the AWS-managed lists (the "AWS services in prefix list form").
pub(super) fn describe<B: Backend>(op: &Op<'_, B>) -> Body {
    let ids = op.params.list("PrefixListId");
    let describe = Describe::new(op)
        .filters(&["prefix-list-id", "prefix-list-name"], false)?
        .paged(&DESCRIBE_BOUNDS)?;
    let model = describe.snapshot()?;
    let scope = &op.ctx.scope;
    let aws_only: Vec<PrefixListRef<'_>> = model
        .prefix_lists_in(scope)
        .into_iter()
        .filter(|l| matches!(l, PrefixListRef::Aws(_)))
        .collect();
    let lists: Vec<PrefixListRef<'_>> = chosen(&ids, aws_only)?
        .into_iter()
        .filter(|l| {
            describe.matches(None, |f| match f {
                "prefix-list-id" => vec![l.id().to_owned()],
                "prefix-list-name" => vec![l.name().to_owned()],
                _ => Vec::new(),
            })
        })
        .collect();
    describe.respond(
        "prefixListSet",
        lists,
        |l| l.id(),
        |w, l| {
            w.list("cidrSet", l.cidrs(), |w, c| {
                w.text(&c.to_string());
            });
            w.leaf("prefixListId", l.id())
                .leaf("prefixListName", l.name());
        },
    )
}

fn lookup<'m>(
    model: &'m localvpc_model::Model,
    scope: &'m localvpc_model::Scope,
    raw: &str,
) -> Result<PrefixListRef<'m>, ApiError> {
    let id = PrefixListId::parse(raw)?;
    model
        .prefix_list(scope, raw)
        .ok_or_else(|| id.not_found().into())
}

pub(super) fn get_entries<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let raw = p.required("PrefixListId")?;
    let target = u64_param(p, "TargetVersion")?;
    let describe = Describe::new(op).paged(&ENTRIES_BOUNDS)?;
    let model = describe.snapshot()?;
    let list = lookup(&model, &op.ctx.scope, raw)?;
    let mut entries: Vec<(String, Option<String>)> = match (&list, target) {
        (PrefixListRef::Customer(c), Some(v)) => version_entries(c, v)?,
        (PrefixListRef::Customer(c), None) => c
            .entries()
            .iter()
            .map(|e| (e.cidr.to_string(), e.description.clone()))
            .collect(),
        (PrefixListRef::Aws(a), _) => a.cidrs.iter().map(|c| (c.to_string(), None)).collect(),
    };
    entries.sort();
    describe.respond(
        "entrySet",
        entries,
        |e| e.0.as_str(),
        |w, (cidr, description)| {
            w.leaf("cidr", &cidr)
                .leaf_opt("description", description.as_deref());
        },
    )
}

fn version_entries(
    list: &ManagedPrefixList,
    version: u64,
) -> Result<Vec<(String, Option<String>)>, ApiError> {
    usize::try_from(version)
        .ok()
        .and_then(|v| v.checked_sub(1))
        .and_then(|i| list.versions.get(i))
        .map(|entries| {
            entries
                .iter()
                .map(|e| (e.cidr.to_string(), e.description.clone()))
                .collect()
        })
        .ok_or_else(|| {
            ApiError::invalid_value(format!(
                "The prefix list {} has no version {version}.",
                list.id
            ))
        })
}

pub(super) fn get_associations<B: Backend>(op: &Op<'_, B>) -> Body {
    let raw = op.params.required("PrefixListId")?;
    let describe = Describe::new(op).paged(&ASSOCIATIONS_BOUNDS)?;
    let model = describe.snapshot()?;
    let scope = &op.ctx.scope;
    let list = lookup(&model, scope, raw)?;
    if matches!(list, PrefixListRef::Aws(_)) {
        return Err(ApiError::invalid_value(format!(
            "The prefix list {raw} is AWS-managed; associations are shown for customer-managed lists only."
        )));
    }
    let mut users = model.prefix_list_users(scope, raw);
    users.sort();
    describe.respond(
        "prefixListAssociationSet",
        users,
        String::as_str,
        |w, id| {
            w.leaf("resourceId", &id)
                .leaf("resourceOwner", scope.account.as_str());
        },
    )
}

//! Prefix lists: DescribePrefixLists (the AWS-managed lists), the customer-managed list API
//! (Create/Modify/Delete/DescribeManagedPrefixLists, GetManagedPrefixListEntries,
//! GetManagedPrefixListAssociations, RestoreManagedPrefixListVersion).

use super::describe::Describe;
use super::filter::{Bounds, DESCRIBE_BOUNDS};
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{
    Command, CreateManagedPrefixList, ManagedPrefixList, ModifyManagedPrefixList, PrefixListId,
    PrefixListRef,
};
use localvpc_wire::xml::XmlWriter;

/// DescribeManagedPrefixLists' `PrefixListMaxResults`: 1–100.
const MANAGED_BOUNDS: Bounds = Bounds { min: 1, max: 100 };
/// GetManagedPrefixListEntries and GetManagedPrefixListAssociations: 1–100 and 5–255.
const ENTRIES_BOUNDS: Bounds = Bounds { min: 1, max: 100 };
const ASSOCIATIONS_BOUNDS: Bounds = Bounds { min: 5, max: 255 };

fn write_managed(w: &mut XmlWriter, l: &PrefixListRef<'_>) {
    write_managed_in_state(w, l, None);
}

/// A prefix list, its state given where the answer is not the stored one (a deleted list is
/// `delete-in-progress` in DeleteManagedPrefixList's answer, as AWS reports it).
fn write_managed_in_state(w: &mut XmlWriter, l: &PrefixListRef<'_>, state: Option<&str>) {
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
            w.leaf("state", state.unwrap_or(c.state()))
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

fn respond_list<B: Backend>(op: &Op<'_, B>, l: &ManagedPrefixList) -> Body {
    op.respond(|w| {
        w.node("prefixList", |w| {
            write_managed(w, &PrefixListRef::Customer(l));
        });
    })
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
    let outcome = op.run_as(Command::CreateManagedPrefixList(input)).await?;
    respond_list(op, &outcome)
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
    let outcome = op.run_as(Command::ModifyManagedPrefixList(input)).await?;
    respond_list(op, &outcome)
}

pub(super) async fn delete<B: Backend>(op: &Op<'_, B>) -> Body {
    let prefix_list_id = PrefixListId::parse(op.params.required("PrefixListId")?)?;
    let l: ManagedPrefixList = op
        .run_as(Command::DeleteManagedPrefixList { prefix_list_id })
        .await?;
    op.respond(|w| {
        w.node("prefixList", |w| {
            write_managed_in_state(w, &PrefixListRef::Customer(&l), Some("delete-in-progress"));
        });
    })
}

pub(super) async fn restore<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let prefix_list_id = PrefixListId::parse(p.required("PrefixListId")?)?;
    let previous_version =
        u64_param(p, "PreviousVersion")?.ok_or_else(|| ApiError::missing("PreviousVersion"))?;
    let current_version =
        u64_param(p, "CurrentVersion")?.ok_or_else(|| ApiError::missing("CurrentVersion"))?;
    let outcome = op
        .run_as(Command::RestoreManagedPrefixListVersion {
            prefix_list_id,
            previous_version,
            current_version,
        })
        .await?;
    respond_list(op, &outcome)
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

#[cfg(test)]
mod tests {
    use super::super::testing::{Fake, ME, OTHER, all, dry_run, error, ok, unknown_filter};

    const PL: &str = "pl-0123456789abcdef0";

    /// A customer-managed list of `ME` with 10.0.0.0/16 (version 1): its id.
    fn list(b: &Fake) -> String {
        let body = ok(
            b,
            ME,
            "Action=CreateManagedPrefixList&PrefixListName=office&MaxEntries=5\
             &AddressFamily=IPv4&Entry.1.Cidr=10.0.0.0/16&Entry.1.Description=hq",
        );
        all(&body, "prefixListId").remove(0)
    }

    #[test]
    fn create_decodes_and_maps_errors() {
        let b = Fake::default();
        let create = "Action=CreateManagedPrefixList";
        assert_eq!(
            error(&b, ME, &format!("{create}&MaxEntries=5&AddressFamily=IPv4")),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}&PrefixListName=a&AddressFamily=IPv4")
            ),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, ME, &format!("{create}&PrefixListName=a&MaxEntries=5")),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}&PrefixListName=a&MaxEntries=-1&AddressFamily=IPv4")
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}&PrefixListName=a&MaxEntries=many&AddressFamily=IPv4")
            ),
            "InvalidParameterValue"
        );
        let with = format!("{create}&PrefixListName=office&MaxEntries=5&AddressFamily=IPv4");
        dry_run(&b, &with);
        let body = ok(&b, ME, &format!("{with}&Entry.1.Cidr=10.0.0.0/16"));
        let [id] = all(&body, "prefixListId").try_into().unwrap();
        assert!(id.starts_with("pl-"), "{id}");
        assert_eq!(all(&body, "prefixListName"), ["office"]);
        assert_eq!(all(&body, "addressFamily"), ["IPv4"]);
        assert_eq!(all(&body, "maxEntries"), ["5"]);
        assert_eq!(all(&body, "version"), ["1"]);
        assert_eq!(all(&body, "ownerId"), [ME]);
        assert_eq!(
            all(&body, "prefixListArn"),
            [format!("arn:aws:ec2:ap-northeast-1:{ME}:prefix-list/{id}")]
        );
    }

    #[test]
    fn modify_restore_and_delete_decode_and_map_errors() {
        let b = Fake::default();
        let id = list(&b);
        let modify = "Action=ModifyManagedPrefixList";
        assert_eq!(error(&b, ME, modify), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{modify}&PrefixListId=vpc-1")),
            "InvalidPrefixListId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{modify}&PrefixListId={PL}&PrefixListName=x")
            ),
            "InvalidPrefixListID.NotFound"
        );
        let by_id = format!("{modify}&PrefixListId={id}");
        assert_eq!(
            error(&b, OTHER, &format!("{by_id}&PrefixListName=x")),
            "InvalidPrefixListID.NotFound"
        );
        assert_eq!(
            error(&b, ME, &format!("{by_id}&CurrentVersion=-1")),
            "InvalidParameterValue"
        );
        let add = format!("{by_id}&CurrentVersion=1&AddEntry.1.Cidr=10.1.0.0/16");
        dry_run(&b, &add);
        let body = ok(&b, ME, &add);
        assert_eq!(all(&body, "prefixListId"), [id.as_str()]);
        assert_eq!(all(&body, "version"), ["2"]);

        let restore = "Action=RestoreManagedPrefixListVersion";
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{restore}&PreviousVersion=1&CurrentVersion=2")
            ),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{restore}&PrefixListId={id}&CurrentVersion=2")
            ),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{restore}&PrefixListId={id}&PreviousVersion=1")
            ),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{restore}&PrefixListId=pl&PreviousVersion=1&CurrentVersion=2")
            ),
            "InvalidPrefixListId.Malformed"
        );
        let back = format!("{restore}&PrefixListId={id}&PreviousVersion=1&CurrentVersion=2");
        assert_eq!(error(&b, OTHER, &back), "InvalidPrefixListID.NotFound");
        dry_run(&b, &back);
        let body = ok(&b, ME, &back);
        assert_eq!(all(&body, "version"), ["3"]);
        let entries = ok(
            &b,
            ME,
            &format!("Action=GetManagedPrefixListEntries&PrefixListId={id}"),
        );
        assert_eq!(all(&entries, "cidr"), ["10.0.0.0/16"]);
        assert_eq!(all(&entries, "description"), ["hq"]);

        let delete = "Action=DeleteManagedPrefixList";
        assert_eq!(error(&b, ME, delete), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{delete}&PrefixListId=sg-1")),
            "InvalidPrefixListId.Malformed"
        );
        let by_id = format!("{delete}&PrefixListId={id}");
        assert_eq!(error(&b, OTHER, &by_id), "InvalidPrefixListID.NotFound");
        dry_run(&b, &by_id);
        let body = ok(&b, ME, &by_id);
        assert_eq!(all(&body, "prefixListId"), [id.as_str()]);
        assert_eq!(
            error(
                &b,
                ME,
                &format!(
                    "{managed}&PrefixListId.1={id}",
                    managed = "Action=DescribeManagedPrefixLists"
                )
            ),
            "InvalidPrefixListID.NotFound"
        );
    }

    #[test]
    fn delete_answers_delete_in_progress() {
        let b = Fake::default();
        let id = list(&b);
        let body = ok(
            &b,
            ME,
            &format!("Action=DeleteManagedPrefixList&PrefixListId={id}"),
        );
        assert_eq!(all(&body, "state"), ["delete-in-progress"]);
    }

    #[test]
    fn describes_and_gets_decode_and_map_errors() {
        let b = Fake::default();
        let id = list(&b);
        let managed = "Action=DescribeManagedPrefixLists";
        assert_eq!(
            error(&b, ME, &format!("{managed}&PrefixListId.1=vpc-1")),
            "InvalidPrefixListId.Malformed"
        );
        assert_eq!(
            error(&b, ME, &format!("{managed}&PrefixListId.1={PL}")),
            "InvalidPrefixListID.NotFound"
        );
        assert_eq!(
            error(&b, OTHER, &format!("{managed}&PrefixListId.1={id}")),
            "InvalidPrefixListID.NotFound"
        );
        assert_eq!(
            error(&b, ME, &format!("{managed}&MaxResults=101")),
            "InvalidParameterValue"
        );
        unknown_filter(&b, managed);
        dry_run(&b, managed);
        let mine = ok(
            &b,
            ME,
            &format!("{managed}&Filter.1.Name=owner-id&Filter.1.Value.1={ME}"),
        );
        assert_eq!(all(&mine, "prefixListId"), [id.as_str()]);
        let aws = ok(
            &b,
            ME,
            &format!(
                "{managed}&Filter.1.Name=prefix-list-name&Filter.1.Value.1=com.amazonaws.ap-northeast-1.s3"
            ),
        );
        let [s3] = all(&aws, "prefixListId").try_into().unwrap();
        assert_eq!(all(&aws, "ownerId"), ["AWS"]);
        assert_eq!(all(&aws, "state"), ["create-complete"]);

        let plain = "Action=DescribePrefixLists";
        // DescribePrefixLists shows the AWS-managed lists only.
        assert_eq!(
            error(&b, ME, &format!("{plain}&PrefixListId.1={id}")),
            "InvalidPrefixListID.NotFound"
        );
        assert_eq!(
            error(&b, ME, &format!("{plain}&PrefixListId.1=x")),
            "InvalidPrefixListId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{plain}&Filter.1.Name=owner-id&Filter.1.Value.1=x")
            ),
            "InvalidParameterValue"
        );
        dry_run(&b, plain);
        let listed = ok(&b, ME, &format!("{plain}&PrefixListId.1={s3}"));
        assert_eq!(all(&listed, "prefixListId"), [s3.as_str()]);
        assert_eq!(
            all(&listed, "prefixListName"),
            ["com.amazonaws.ap-northeast-1.s3"]
        );
        assert!(listed.contains("<cidrSet><item>"), "{listed}");

        let entries = "Action=GetManagedPrefixListEntries";
        assert_eq!(error(&b, ME, entries), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{entries}&PrefixListId=vpc-1")),
            "InvalidPrefixListId.Malformed"
        );
        let by_id = format!("{entries}&PrefixListId={id}");
        assert_eq!(error(&b, OTHER, &by_id), "InvalidPrefixListID.NotFound");
        assert_eq!(
            error(&b, ME, &format!("{by_id}&TargetVersion=7")),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(&b, ME, &format!("{by_id}&MaxResults=0")),
            "InvalidParameterValue"
        );
        dry_run(&b, &by_id);
        let body = ok(&b, ME, &format!("{by_id}&TargetVersion=1"));
        assert_eq!(all(&body, "cidr"), ["10.0.0.0/16"]);
        assert_eq!(all(&body, "description"), ["hq"]);

        let associations = "Action=GetManagedPrefixListAssociations";
        assert_eq!(error(&b, ME, associations), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{associations}&PrefixListId=vpc-1")),
            "InvalidPrefixListId.Malformed"
        );
        let by_id = format!("{associations}&PrefixListId={id}");
        assert_eq!(error(&b, OTHER, &by_id), "InvalidPrefixListID.NotFound");
        assert_eq!(
            error(&b, ME, &format!("{by_id}&MaxResults=4")),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(&b, ME, &format!("{associations}&PrefixListId={s3}")),
            "InvalidParameterValue"
        );
        dry_run(&b, &by_id);
        let body = ok(&b, ME, &by_id);
        assert!(body.contains("<prefixListAssociationSet/>"), "{body}");
    }
}

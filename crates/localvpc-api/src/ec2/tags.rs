//! CreateTags, DeleteTags, DescribeTags, and the `tagSet` every resource shape carries.

use super::describe::Describe;
use super::filter::DESCRIBE_BOUNDS;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{Command, Model, ResourceKind, Scope, Tags};
use localvpc_wire::xml::XmlWriter;

/// The `tagSet` of a kind AWS sends without the key when it has no tags (a VPC, a subnet, a
/// security group, …: boto3 and the CLI show no `Tags`): nothing when `tags` is empty. Which
/// kinds omit it and which keep `<tagSet/>` is listed, with AWS's evidence, in
/// docs/aws-choices.md.
pub(super) fn write_tag_set(w: &mut XmlWriter, tags: &Tags) {
    if !tags.is_empty() {
        write_tag_set_always(w, tags);
    }
}

/// The `tagSet` of a kind AWS sends as `<tagSet/>` even when it has no tags (a route table, a
/// network ACL, a network interface, …: boto3 and the CLI show `"Tags": []`).
pub(super) fn write_tag_set_always(w: &mut XmlWriter, tags: &Tags) {
    w.list("tagSet", tags, |w, (k, v)| {
        w.leaf("key", k).leaf("value", v);
    });
}

pub(super) async fn create_tags<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let resource_ids: Vec<String> = p
        .list("ResourceId")
        .into_iter()
        .map(str::to_owned)
        .collect();
    if resource_ids.is_empty() {
        return Err(ApiError::missing("ResourceId.1"));
    }
    let tags = p.tags("Tag")?;
    if tags.is_empty() {
        return Err(ApiError::missing("Tag.1.Key"));
    }
    op.run(Command::CreateTags { resource_ids, tags }).await?;
    op.respond_true()
}

pub(super) async fn delete_tags<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let resource_ids: Vec<String> = p
        .list("ResourceId")
        .into_iter()
        .map(str::to_owned)
        .collect();
    if resource_ids.is_empty() {
        return Err(ApiError::missing("ResourceId.1"));
    }
    let tags = p.tag_keys("Tag")?;
    let command = if tags.is_empty() {
        // No Tag parameter deletes every user tag of the resources (AWS DeleteTags docs).
        let model = op.snapshot();
        let all = all_tag_keys(&model, &op.ctx.scope, &resource_ids);
        Command::DeleteTags {
            resource_ids,
            tags: all,
        }
    } else {
        Command::DeleteTags { resource_ids, tags }
    };
    op.run(command).await?;
    op.respond_true()
}

fn all_tag_keys(model: &Model, scope: &Scope, ids: &[String]) -> Vec<(String, Option<String>)> {
    let mut keys: Vec<(String, Option<String>)> = Vec::new();
    for (id, _, tags) in tagged(model, scope) {
        if ids.iter().any(|i| i == id) {
            keys.extend(tags.keys().map(|k| (k.clone(), None)));
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

/// Every taggable resource of the scope: (id, resource-type, tags).
fn tagged<'a>(model: &'a Model, scope: &'a Scope) -> Vec<(&'a str, ResourceKind, &'a Tags)> {
    model.tagged(scope)
}

pub(super) fn describe_tags<B: Backend>(op: &Op<'_, B>) -> Body {
    let describe = Describe::new(op)
        .filters(&["key", "resource-id", "resource-type", "value"], true)?
        .paged(&DESCRIBE_BOUNDS)?;
    let model = describe.snapshot()?;
    let scope = &op.ctx.scope;
    // One row per (resource, tag); the page key orders rows by resource id, then key.
    let mut rows: Vec<(String, &str, &str, &str, &str)> = Vec::new();
    for (id, kind, tags) in tagged(&model, scope) {
        let resource_type = kind.tag_resource_type().unwrap_or_default();
        for (k, v) in tags {
            let mut single = Tags::new();
            single.insert(k.clone(), v.clone());
            let keep = describe.matches(Some(&single), |f| match f {
                "key" => vec![k.clone()],
                "value" => vec![v.clone()],
                "resource-id" => vec![id.to_owned()],
                "resource-type" => vec![resource_type.to_owned()],
                _ => Vec::new(),
            });
            if keep {
                rows.push((format!("{id}\u{1}{k}"), id, resource_type, k, v));
            }
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    describe.respond(
        "tagSet",
        rows,
        |r| r.0.as_str(),
        |w, (_, id, resource_type, k, v)| {
            w.leaf("resourceId", id)
                .leaf("resourceType", resource_type)
                .leaf("key", k)
                .leaf("value", v);
        },
    )
}

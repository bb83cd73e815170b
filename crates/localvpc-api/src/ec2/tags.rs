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

#[cfg(test)]
mod tests {
    use super::super::testing::{
        Fake, ME, OTHER, all, dry_run, error, missing_parameter, new_subnet, new_vpc, ok,
        unknown_filter,
    };

    #[test]
    fn create_tags_tags_every_resource_named() {
        let b = Fake::default();
        let (vpc, subnet) = (new_vpc(&b), new_subnet(&b));
        let create = format!(
            "Action=CreateTags&ResourceId.1={vpc}&ResourceId.2={subnet}\
             &Tag.1.Key=env&Tag.1.Value=dev&Tag.2.Key=empty"
        );
        dry_run(&b, &create);
        assert_eq!(all(&ok(&b, ME, &create), "return"), ["true"]);
        let q = format!("Action=DescribeVpcs&VpcId.1={vpc}");
        let body = ok(&b, ME, &q);
        assert_eq!(all(&body, "key"), ["empty", "env"]);
        assert_eq!(all(&body, "value"), ["", "dev"]);
        let q = format!("Action=DescribeSubnets&SubnetId.1={subnet}");
        assert_eq!(all(&ok(&b, ME, &q), "key"), ["empty", "env"]);
        missing_parameter(&b, "Action=CreateTags&Tag.1.Key=k");
        missing_parameter(&b, &format!("Action=CreateTags&ResourceId.1={vpc}"));
        // Another account's resource is not found.
        let theirs = format!("Action=CreateTags&ResourceId.1={vpc}&Tag.1.Key=k");
        assert_eq!(error(&b, OTHER, &theirs), "InvalidVpcID.NotFound");
        let bad = "Action=CreateTags&ResourceId.1=vpc-nope&Tag.1.Key=k";
        assert_eq!(error(&b, ME, bad), "InvalidID");
        // The aws: prefix is AWS's own.
        let reserved = format!("Action=CreateTags&ResourceId.1={vpc}&Tag.1.Key=aws:x");
        assert_eq!(error(&b, ME, &reserved), "InvalidParameterValue");
    }

    #[test]
    fn delete_tags_by_key_by_value_or_all() {
        let b = Fake::default();
        let vpc = new_vpc(&b);
        ok(
            &b,
            ME,
            &format!(
                "Action=CreateTags&ResourceId.1={vpc}&Tag.1.Key=a&Tag.1.Value=1\
                 &Tag.2.Key=b&Tag.2.Value=2&Tag.3.Key=c&Tag.3.Value=3"
            ),
        );
        let keys = || {
            let q = format!("Action=DescribeTags&Filter.1.Name=resource-id&Filter.1.Value.1={vpc}");
            all(&ok(&b, ME, &q), "key")
        };
        // A value that does not match keeps the tag.
        let q = format!("Action=DeleteTags&ResourceId.1={vpc}&Tag.1.Key=a&Tag.1.Value=9");
        assert_eq!(all(&ok(&b, ME, &q), "return"), ["true"]);
        assert_eq!(keys(), ["a", "b", "c"]);
        let q = format!("Action=DeleteTags&ResourceId.1={vpc}&Tag.1.Key=a&Tag.1.Value=1");
        ok(&b, ME, &q);
        assert_eq!(keys(), ["b", "c"]);
        let delete_all = format!("Action=DeleteTags&ResourceId.1={vpc}");
        dry_run(&b, &delete_all);
        ok(&b, ME, &delete_all);
        assert!(keys().is_empty());
        missing_parameter(&b, "Action=DeleteTags&Tag.1.Key=a");
    }

    #[test]
    fn describe_tags_filters_rows_by_key_value_type_and_id() {
        let b = Fake::default();
        let (vpc, subnet) = (new_vpc(&b), new_subnet(&b));
        ok(
            &b,
            ME,
            &format!(
                "Action=CreateTags&ResourceId.1={vpc}&ResourceId.2={subnet}\
                 &Tag.1.Key=env&Tag.1.Value=dev"
            ),
        );
        ok(
            &b,
            ME,
            &format!("Action=CreateTags&ResourceId.1={subnet}&Tag.1.Key=tier&Tag.1.Value=web"),
        );
        let body = ok(&b, ME, "Action=DescribeTags");
        assert_eq!(all(&body, "key").len(), 3);
        let q = "Action=DescribeTags&Filter.1.Name=resource-type&Filter.1.Value.1=subnet";
        let body = ok(&b, ME, q);
        assert_eq!(all(&body, "resourceId"), [subnet.as_str(), subnet.as_str()]);
        assert_eq!(all(&body, "resourceType"), ["subnet", "subnet"]);
        assert_eq!(all(&body, "key"), ["env", "tier"]);
        let q = "Action=DescribeTags&Filter.1.Name=value&Filter.1.Value.1=web";
        assert_eq!(all(&ok(&b, ME, q), "key"), ["tier"]);
        let q = "Action=DescribeTags&Filter.1.Name=key&Filter.1.Value.1=env\
                 &Filter.2.Name=resource-type&Filter.2.Value.1=vpc";
        assert_eq!(all(&ok(&b, ME, q), "resourceId"), [vpc.as_str()]);
        // Another account sees none of them.
        assert!(all(&ok(&b, OTHER, "Action=DescribeTags"), "key").is_empty());
        unknown_filter(&b, "Action=DescribeTags");
        // Pages of one row.
        let first = ok(&b, ME, "Action=DescribeTags&MaxResults=5");
        assert!(all(&first, "nextToken").is_empty());
        assert_eq!(
            error(&b, ME, "Action=DescribeTags&MaxResults=1"),
            "InvalidParameterValue"
        );
    }
}

//! Resource tags and the TagSpecification parameter.

use crate::error::ModelError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Tags on one resource, keyed by tag key.
pub type Tags = BTreeMap<String, String>;

/// AWS allows 50 user tags per resource.
pub(crate) const MAX_TAGS: usize = 50;

/// One `TagSpecification.N`: the tags to put on the created resource of `resource_type`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagSpecification {
    pub resource_type: String,
    pub tags: Vec<(String, String)>,
}

/// Validates one tag as AWS does: key 1–128 chars, value ≤ 256, no `aws:` prefix.
pub(crate) fn validate_tag(key: &str, value: &str) -> Result<(), ModelError> {
    if key.is_empty() || key.chars().count() > 128 {
        return Err(ModelError::invalid_value(format!(
            "Tag key '{key}' must be between 1 and 128 characters long"
        )));
    }
    if value.chars().count() > 256 {
        return Err(ModelError::invalid_value(format!(
            "Tag value for key '{key}' exceeds the maximum length of 256 characters"
        )));
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Err(ModelError::invalid_value(
            "Tag keys starting with 'aws:' are reserved for internal use",
        ));
    }
    Ok(())
}

/// Adds `new` to `tags` (overwriting equal keys), enforcing the per-resource limit.
pub(crate) fn merge_tags(
    tags: &mut Tags,
    new: &[(String, String)],
    resource_id: &str,
) -> Result<(), ModelError> {
    for (k, v) in new {
        validate_tag(k, v)?;
    }
    let mut merged = tags.clone();
    merged.extend(new.iter().cloned());
    if merged.len() > MAX_TAGS {
        return Err(ModelError::TagLimitExceeded {
            resource_id: resource_id.to_owned(),
            limit: MAX_TAGS,
        });
    }
    *tags = merged;
    Ok(())
}

/// Collects the tags of every specification for `resource_type`; any other type is refused,
/// as AWS refuses tagging a resource the operation does not create.
pub(crate) fn tags_for(
    specs: &[TagSpecification],
    resource_type: &str,
    resource_id: &str,
) -> Result<Tags, ModelError> {
    let mut tags = Tags::new();
    for spec in specs {
        if spec.resource_type != resource_type {
            return Err(ModelError::invalid_value(format!(
                "'{}' is not a valid taggable resource type for this operation.",
                spec.resource_type
            )));
        }
        merge_tags(&mut tags, &spec.tags, resource_id)?;
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use crate::command::Command;
    use crate::testing::Harness;

    #[test]
    fn tags_are_all_or_nothing() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let tag = |k: &str| (k.to_owned(), "v".to_owned());
        let missing = "subnet-0123456789abcdef0".to_owned();
        let cmd = Command::CreateTags {
            resource_ids: vec![vpc.id.to_string(), missing],
            tags: vec![tag("a")],
        };
        assert_eq!(h.run(cmd).unwrap_err().code(), "InvalidSubnetID.NotFound");
        assert!(h.model.vpcs[&vpc.id].tags.is_empty());
        let cmd = Command::CreateTags {
            resource_ids: vec!["bogus".into()],
            tags: vec![tag("a")],
        };
        assert_eq!(h.run(cmd).unwrap_err().code(), "InvalidID");
        let cmd = Command::CreateTags {
            resource_ids: vec![vpc.id.to_string()],
            tags: vec![tag("aws:x")],
        };
        assert_eq!(h.run(cmd).unwrap_err().code(), "InvalidParameterValue");
        let many: Vec<_> = (0..51).map(|i| tag(&format!("k{i}"))).collect();
        let cmd = Command::CreateTags {
            resource_ids: vec![vpc.id.to_string()],
            tags: many,
        };
        assert_eq!(h.run(cmd).unwrap_err().code(), "TagLimitExceeded");
        let cmd = Command::CreateTags {
            resource_ids: vec![vpc.id.to_string()],
            tags: vec![tag("a"), tag("b")],
        };
        h.run(cmd).unwrap();
        let cmd = Command::DeleteTags {
            resource_ids: vec![vpc.id.to_string()],
            tags: vec![("a".into(), Some("other".into())), ("b".into(), None)],
        };
        h.run(cmd).unwrap();
        assert_eq!(h.model.vpcs[&vpc.id].tags.keys().collect::<Vec<_>>(), ["a"]);
    }
}

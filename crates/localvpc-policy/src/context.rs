//! The request context: the condition keys and their values for one request.

use std::collections::BTreeMap;

/// The condition keys of one request (`aws:SourceVpce`, `aws:PrincipalArn`, `s3:prefix`…)
/// and their values. Keys are case-insensitive, as in IAM; a key may hold several values
/// (multivalued keys such as `aws:TagKeys`, tested with `ForAnyValue:`/`ForAllValues:`).
///
/// A key with no values behaves exactly like an absent key.
#[derive(Clone, Debug, Default)]
pub struct Context {
    // INVARIANT: every key is stored lowercased (`str::to_lowercase`).
    entries: BTreeMap<String, Vec<String>>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to the single value `value`, replacing any values it had.
    pub fn insert(&mut self, key: &str, value: impl Into<String>) {
        self.entries.insert(key.to_lowercase(), vec![value.into()]);
    }

    /// Sets `key` to `values`, replacing any values it had.
    pub fn insert_many(&mut self, key: &str, values: Vec<String>) {
        self.entries.insert(key.to_lowercase(), values);
    }

    /// The values of `key` (any case), if it was set.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.get_lower(&key.to_lowercase())
    }

    /// As [`Context::get`], for a key already lowercased (the AST stores keys that way).
    pub(crate) fn get_lower(&self, lower: &str) -> Option<&[String]> {
        self.entries.get(lower).map(Vec::as_slice)
    }

    /// The values of a key that is present with at least one value.
    pub(crate) fn present(&self, lower: &str) -> Option<&[String]> {
        self.get_lower(lower).filter(|values| !values.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_case_insensitive_and_insert_replaces() {
        let mut ctx = Context::new();
        ctx.insert("aws:SourceVpce", "vpce-1");
        assert_eq!(ctx.get("AWS:sourcevpce"), Some(&["vpce-1".to_owned()][..]));
        ctx.insert("aws:sourcevpce", "vpce-2");
        assert_eq!(ctx.get("aws:SourceVpce"), Some(&["vpce-2".to_owned()][..]));
        ctx.insert_many("aws:TagKeys", vec!["a".into(), "b".into()]);
        assert_eq!(ctx.get("aws:tagkeys").map(<[String]>::len), Some(2));
        assert_eq!(ctx.get("aws:Missing"), None);
        ctx.insert_many("aws:Empty", Vec::new());
        assert_eq!(ctx.get("aws:Empty"), Some(&[][..]));
        assert_eq!(ctx.present("aws:empty"), None);
    }
}

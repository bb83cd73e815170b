//! Query-protocol parameters: a flat `key=value` form read as a tree.

use std::collections::BTreeMap;

/// The parameters of one request, or of one nested structure within it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryParams {
    values: BTreeMap<String, String>,
}

impl QueryParams {
    /// Decodes a form body or query string. Later duplicates win, as in AWS's parser.
    pub fn parse(input: &[u8]) -> Self {
        let values = form_urlencoded::parse(input)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Self { values }
    }

    /// Merges another set in (query string plus body); `other` wins on conflicts.
    pub fn extend(&mut self, other: Self) {
        self.values.extend(other.values);
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    /// The members `name.1`, `name.2`, … in index order (a flattened list of scalars).
    pub fn list(&self, name: &str) -> Vec<&str> {
        let mut items: Vec<(u32, &str)> = self
            .values
            .iter()
            .filter_map(|(k, v)| {
                let index = k.strip_prefix(name)?.strip_prefix('.')?;
                Some((index.parse::<u32>().ok()?, v.as_str()))
            })
            .collect();
        items.sort_by_key(|(i, _)| *i);
        items.into_iter().map(|(_, v)| v).collect()
    }

    /// The structures `name.N.*` in index order, each with the `name.N.` prefix removed.
    pub fn structs(&self, name: &str) -> Vec<QueryParams> {
        let mut groups: BTreeMap<u32, QueryParams> = BTreeMap::new();
        for (k, v) in &self.values {
            let Some(rest) = k.strip_prefix(name).and_then(|r| r.strip_prefix('.')) else {
                continue;
            };
            let Some((index, member)) = rest.split_once('.') else {
                continue;
            };
            let Ok(index) = index.parse::<u32>() else {
                continue;
            };
            groups
                .entry(index)
                .or_default()
                .values
                .insert(member.to_owned(), v.clone());
        }
        groups.into_values().collect()
    }

    /// The structure `name.*` with the `name.` prefix removed (`None` when absent).
    pub fn nested(&self, name: &str) -> Option<QueryParams> {
        let values: BTreeMap<String, String> = self
            .values
            .iter()
            .filter_map(|(k, v)| {
                Some((
                    k.strip_prefix(name)?.strip_prefix('.')?.to_owned(),
                    v.clone(),
                ))
            })
            .collect();
        (!values.is_empty()).then_some(Self { values })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattened_lists_and_structs() {
        let p = QueryParams::parse(
            b"Action=DescribeVpcs&VpcId.2=vpc-b&VpcId.1=vpc-a&VpcId.10=vpc-j\
              &Filter.1.Name=vpc-id&Filter.1.Value.1=x&Filter.1.Value.2=y&Filter.2.Name=tag%3AEnv\
              &Filter.2.Value.1=prod%20a&EnableDnsHostnames.Value=true",
        );
        assert_eq!(p.get("Action"), Some("DescribeVpcs"));
        assert_eq!(p.list("VpcId"), ["vpc-a", "vpc-b", "vpc-j"]);
        let filters = p.structs("Filter");
        assert_eq!(filters.len(), 2);
        assert_eq!(filters[0].get("Name"), Some("vpc-id"));
        assert_eq!(filters[0].list("Value"), ["x", "y"]);
        assert_eq!(filters[1].get("Name"), Some("tag:Env"));
        assert_eq!(filters[1].list("Value"), ["prod a"]);
        assert_eq!(
            p.nested("EnableDnsHostnames").unwrap().get("Value"),
            Some("true")
        );
        assert!(p.nested("EnableDnsSupport").is_none());
    }

    #[test]
    fn nested_lists_of_structs() {
        let p = QueryParams::parse(
            b"TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=Name\
              &TagSpecification.1.Tag.1.Value=hub&TagSpecification.1.Tag.2.Key=Env&TagSpecification.1.Tag.2.Value=",
        );
        let specs = p.structs("TagSpecification");
        assert_eq!(specs.len(), 1);
        let tags = specs[0].structs("Tag");
        assert_eq!(tags[1].get("Key"), Some("Env"));
        assert_eq!(tags[1].get("Value"), Some(""));
    }

    #[test]
    fn prefixes_do_not_bleed() {
        let p = QueryParams::parse(b"SubnetId.1=a&SubnetIds.1=b&SubnetId=c&SubnetId.x=d");
        assert_eq!(p.list("SubnetId"), ["a"]);
    }

    #[test]
    fn garbage_is_not_a_panic() {
        let p = QueryParams::parse(b"%%%&=&==&a=%zz&\xff\xfe=1");
        assert_eq!(p.get("a"), Some("%zz"));
    }
}

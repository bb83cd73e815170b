//! Describe* filters (`Filter.N.Name` / `Filter.N.Value.M`) and pagination, with AWS's rules:
//! names are case-sensitive and must be known, values within a filter are OR-ed, filters are
//! AND-ed, `*` matches any run of characters and `?` zero or one character, as the EC2
//! User Guide states (`\` escapes both). At most 50 filters and 200 values per request.

use crate::ApiError;
use localvpc_model::Tags;
use localvpc_wire::query::QueryParams;

#[derive(Default)]
pub(super) struct Filters(Vec<(String, Vec<String>)>);

/// EC2 User Guide, "Filter your resources": 50 filters and 200 values per call.
const MAX_FILTERS: usize = 50;
const MAX_FILTER_VALUES: usize = 200;

impl Filters {
    /// Reads the filters, refusing names outside `known` (plus `tag:<key>` when `tags`).
    pub(super) fn parse(
        params: &QueryParams,
        known: &[&str],
        tags: bool,
    ) -> Result<Self, ApiError> {
        let structs = params.structs("Filter");
        let values: usize = structs.iter().map(|f| f.list("Value").len()).sum();
        if structs.len() > MAX_FILTERS || values > MAX_FILTER_VALUES {
            return Err(ApiError::new(
                400,
                "FilterLimitExceeded",
                format!(
                    "The maximum number of filter values specified on a single call is {MAX_FILTER_VALUES} \
                     (and of filters {MAX_FILTERS})"
                ),
            ));
        }
        let mut filters = Vec::new();
        for f in structs {
            let name = f
                .get("Name")
                .ok_or_else(|| ApiError::missing("Filter.N.Name"))?;
            let is_tag =
                tags && (name.starts_with("tag:") || name == "tag-key" || name == "tag-value");
            if !is_tag && !known.contains(&name) {
                return Err(ApiError::invalid_value(format!(
                    "The filter '{name}' is invalid"
                )));
            }
            let values: Vec<String> = f.list("Value").into_iter().map(str::to_owned).collect();
            filters.push((name.to_owned(), values));
        }
        Ok(Self(filters))
    }

    /// The values given to every filter named `name`.
    pub(super) fn values_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(n, _)| n == name)
            .flat_map(|(_, values)| values.iter().map(String::as_str))
    }

    /// Drops the filters an operation evaluates itself (e.g. prefix comparisons).
    pub(super) fn without(mut self, evaluated_apart: impl Fn(&str) -> bool) -> Self {
        self.0.retain(|(name, _)| !evaluated_apart(name));
        self
    }

    /// Whether an item passes every filter. `values(name)` gives the item's values for a
    /// (non-tag) filter name; `tags` its tags.
    pub(super) fn matches(
        &self,
        tags: Option<&Tags>,
        mut values: impl FnMut(&str) -> Vec<String>,
    ) -> bool {
        self.0.iter().all(|(name, patterns)| {
            let have: Vec<String> = match (tags, name.strip_prefix("tag:")) {
                (Some(tags), Some(key)) => tags.get(key).cloned().into_iter().collect(),
                (Some(tags), None) if name == "tag-key" => tags.keys().cloned().collect(),
                (Some(tags), None) if name == "tag-value" => tags.values().cloned().collect(),
                _ => values(name),
            };
            patterns.iter().any(|p| have.iter().any(|v| glob(p, v)))
        })
    }
}

/// The values of a filter from any displayable items (an `Option`, a list).
pub(super) fn texts<T: ToString>(items: impl IntoIterator<Item = T>) -> Vec<String> {
    items.into_iter().map(|i| i.to_string()).collect()
}

/// `*` = any run, `?` = zero or one character, `\x` = literal x.
pub(super) fn glob(pattern: &str, text: &str) -> bool {
    let tokens = tokenize(pattern);
    let text: Vec<char> = text.chars().collect();
    // positions[i] = can the first i text chars be consumed so far (NFA over the text).
    let mut positions = vec![false; text.len() + 1];
    if let Some(first) = positions.first_mut() {
        *first = true;
    }
    for token in &tokens {
        let mut next = vec![false; text.len() + 1];
        for (i, _) in positions
            .iter()
            .enumerate()
            .filter(|(_, reached)| **reached)
        {
            match token {
                Token::Star => next.iter_mut().skip(i).for_each(|n| *n = true),
                Token::Any => {
                    for j in [i, i + 1] {
                        if let Some(n) = next.get_mut(j) {
                            *n = true;
                        }
                    }
                }
                Token::Lit(c) => {
                    if text.get(i) == Some(c)
                        && let Some(n) = next.get_mut(i + 1)
                    {
                        *n = true;
                    }
                }
            }
        }
        positions = next;
    }
    positions.last().copied().unwrap_or(false)
}

fn tokenize(pattern: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        tokens.push(match c {
            '\\' => Token::Lit(chars.next().unwrap_or('\\')),
            '*' => Token::Star,
            '?' => Token::Any,
            c => Token::Lit(c),
        });
    }
    tokens
}

enum Token {
    Star,
    Any,
    Lit(char),
}

/// `MaxResults` bounds of an operation, from the botocore model.
pub(super) struct Bounds {
    pub(super) min: i64,
    pub(super) max: i64,
}

pub(super) const DESCRIBE_BOUNDS: Bounds = Bounds { min: 5, max: 1000 };

/// Cuts one page out of `items` (already filtered, in a stable order). The token names the
/// first key of the next page, so deletions between pages skip nothing that remains.
pub(super) fn paginate<T>(
    items: Vec<T>,
    key: impl Fn(&T) -> &str,
    max_results: Option<i64>,
    next_token: Option<&str>,
    bounds: &Bounds,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let start = match next_token.filter(|t| !t.is_empty()) {
        None => None,
        Some(token) => Some(decode_token(token).ok_or_else(|| {
            ApiError::new(
                400,
                "InvalidNextToken",
                format!("The token '{token}' is invalid."),
            )
        })?),
    };
    let mut items: Vec<T> = match &start {
        Some(start) => items
            .into_iter()
            .filter(|i| key(i) >= start.as_str())
            .collect(),
        None => items,
    };
    let Some(max) = max_results else {
        return Ok((items, None));
    };
    if max < bounds.min || max > bounds.max {
        return Err(ApiError::invalid_value(format!(
            "Value ( {max} ) for parameter maxResults is invalid. Expecting a value between {} and {}.",
            bounds.min, bounds.max
        )));
    }
    let page_len = usize::try_from(max).unwrap_or(usize::MAX);
    if items.len() <= page_len {
        return Ok((items, None));
    }
    let rest = items.split_off(page_len);
    let token = rest.first().map(|first| encode_token(key(first)));
    Ok((items, token))
}

/// A page token naming `key` (hex, so any text travels safely in a query string); ELBv2's
/// markers use it too.
pub(crate) fn encode_token(key: &str) -> String {
    key.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The key a token of [`encode_token`] names, or `None` for a token it did not make.
pub(crate) fn decode_token(token: &str) -> Option<String> {
    if !token.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..token.len())
        .step_by(2)
        .map(|i| {
            token
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect();
    String::from_utf8(bytes?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(glob("vpc-*", "vpc-123"));
        assert!(glob("*", ""));
        assert!(glob("10.0.?.0/24", "10.0.1.0/24"));
        assert!(!glob("10.0.?.0/24", "10.0.12.0/24"));
        // The EC2 User Guide: `?` matches zero or one character (`database?` ~ `database`).
        assert!(glob("database?", "database"));
        assert!(glob("database?", "database1"));
        assert!(!glob("database?", "database12"));
        assert!(glob("*prod*", "my-prod-vpc"));
        assert!(!glob("prod", "production"));
        assert!(glob("a\\*b", "a*b"));
        assert!(!glob("a\\*b", "axb"));
        assert!(glob("*a*b*c", "xxaxxbxxc"));
    }

    #[test]
    fn pages_cover_everything_once() {
        let items: Vec<String> = (0..23).map(|i| format!("id-{i:03}")).collect();
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let (page, next) = paginate(
                items.clone(),
                |s| s,
                Some(5),
                token.as_deref(),
                &DESCRIBE_BOUNDS,
            )
            .unwrap();
            seen.extend(page);
            match next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        assert_eq!(seen, items);
    }

    #[test]
    fn bounds_and_bad_tokens() {
        let items = vec!["a".to_owned()];
        let e = paginate(items.clone(), |s| s, Some(4), None, &DESCRIBE_BOUNDS).unwrap_err();
        assert_eq!(e.code, "InvalidParameterValue");
        let e = paginate(items, |s| s, None, Some("zz!"), &DESCRIBE_BOUNDS).unwrap_err();
        assert_eq!(e.code, "InvalidNextToken");
    }
}

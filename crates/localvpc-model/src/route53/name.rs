//! Domain names as Route 53 stores and returns them (docs/aws-semantics.md §6.1): lower case, fully
//! qualified with a trailing dot, and every character outside `a-z 0-9 - _ .` written as a
//! three-digit octal escape (`*.example.com` → `\052.example.com.`).

use std::cmp::Ordering;

/// Why a name is not a valid domain name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameError {
    Empty,
    /// A label longer than 63 bytes.
    LabelTooLong(String),
    /// More than 255 bytes on the wire.
    TooLong,
    /// `a..b` or a leading dot.
    EmptyLabel,
    /// A bad `\` escape.
    BadEscape,
    /// A raw space, tab or other control character (they must be written `\040`…).
    UnsupportedCharacter,
}

impl NameError {
    /// The FATAL-problem text Route 53 puts in its messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Self::Empty => "DomainNameEmpty (Domain name is empty)",
            Self::LabelTooLong(_) => "DomainLabelTooLong (Domain label is too long)",
            Self::TooLong => "DomainNameTooLong (Domain name is too long)",
            Self::EmptyLabel => "DomainLabelEmpty (Domain label is empty)",
            Self::BadEscape => "InvalidEscape (Invalid escape sequence)",
            Self::UnsupportedCharacter => {
                "UnsupportedCharacter (Value contains unsupported characters)"
            }
        }
    }
}

/// A name's labels as raw bytes (escapes decoded), or why it is invalid.
pub fn parse_labels(name: &str) -> Result<Vec<Vec<u8>>, NameError> {
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    if trimmed.is_empty() {
        return if name == "." {
            Ok(Vec::new())
        } else {
            Err(NameError::Empty)
        };
    }
    let mut labels = Vec::new();
    let mut label = Vec::new();
    let mut bytes = trimmed.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'.' => {
                if label.is_empty() {
                    return Err(NameError::EmptyLabel);
                }
                labels.push(std::mem::take(&mut label));
            }
            b'\\' => {
                let digits: Vec<u8> = bytes.by_ref().take(3).collect();
                let value = std::str::from_utf8(&digits)
                    .ok()
                    .filter(|d| d.len() == 3 && d.bytes().all(|c| (b'0'..=b'7').contains(&c)))
                    .and_then(|d| u8::from_str_radix(d, 8).ok())
                    .ok_or(NameError::BadEscape)?;
                label.push(value);
            }
            other if other <= b' ' || other == 0x7f => {
                return Err(NameError::UnsupportedCharacter);
            }
            other => label.push(other.to_ascii_lowercase()),
        }
    }
    if label.is_empty() {
        return Err(NameError::EmptyLabel);
    }
    labels.push(label);
    if let Some(long) = labels.iter().find(|l| l.len() > 63) {
        return Err(NameError::LabelTooLong(escape_label(long)));
    }
    // Wire length: a length byte per label plus the root byte.
    if labels.iter().map(|l| l.len() + 1).sum::<usize>() + 1 > 255 {
        return Err(NameError::TooLong);
    }
    Ok(labels)
}

fn escape_label(label: &[u8]) -> String {
    let mut out = String::with_capacity(label.len());
    for &b in label {
        if b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("\\{b:03o}"));
        }
    }
    out
}

/// The canonical (returned) form of a valid name: `\052.example.com.`.
pub fn canonical(name: &str) -> Result<String, NameError> {
    if let Some(plain) = canonical_plain(name) {
        return Ok(plain);
    }
    let labels = parse_labels(name)?;
    if labels.is_empty() {
        return Ok(".".to_owned());
    }
    let mut out = String::new();
    for label in &labels {
        out.push_str(&escape_label(label));
        out.push('.');
    }
    Ok(out)
}

/// [`canonical`] for the common name (every DNS query): only letters, digits, `-`, `_` and
/// non-empty labels of at most 63 bytes, so nothing is escaped and lower-casing is the whole
/// job. `None` sends anything else down the general path, which also says what is wrong.
fn canonical_plain(name: &str) -> Option<String> {
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    // Wire length = a length byte per label + the bytes + the root byte = len + 2.
    if trimmed.is_empty() || trimmed.len() + 2 > 255 {
        return None;
    }
    let mut label_len = 0usize;
    for b in trimmed.bytes() {
        if b == b'.' {
            if label_len == 0 {
                return None;
            }
            label_len = 0;
        } else if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            label_len += 1;
            if label_len > 63 {
                return None;
            }
        } else {
            return None;
        }
    }
    if label_len == 0 {
        return None;
    }
    let mut out = String::with_capacity(trimmed.len() + 1);
    out.push_str(trimmed);
    out.make_ascii_lowercase();
    out.push('.');
    Some(out)
}

/// Decodes a canonical name's escapes (for DNS): `\052.example.com.` → `*.example.com.`.
pub fn unescape(canonical: &str) -> String {
    match parse_labels(canonical) {
        Ok(labels) if !labels.is_empty() => {
            let mut out = String::new();
            for label in labels {
                out.push_str(&String::from_utf8_lossy(&label));
                out.push('.');
            }
            out
        }
        _ => canonical.to_owned(),
    }
}

/// Whether canonical `name` is `zone` or below it.
pub fn is_within(name: &str, zone: &str) -> bool {
    name == zone
        || (name.len() > zone.len() && name.ends_with(zone) && {
            let cut = name.len() - zone.len();
            name.get(..cut).is_some_and(|head| head.ends_with('.'))
        })
}

/// The sort key of ListResourceRecordSets and ListHostedZonesByName: labels reversed,
/// `www.example.com.` → `com.example.www.` (Route 53 Developer Guide).
pub fn reversed_key(canonical: &str) -> String {
    let trimmed = canonical.strip_suffix('.').unwrap_or(canonical);
    let mut out: String = trimmed.rsplit('.').collect::<Vec<_>>().join(".");
    out.push('.');
    out
}

/// Orders canonical names as Route 53 lists them: as their [`reversed_key`]s compare, without
/// building them (sorting a zone's records calls this n log n times).
pub fn compare(a: &str, b: &str) -> Ordering {
    fn key(name: &str) -> impl Iterator<Item = u8> + '_ {
        name.strip_suffix('.')
            .unwrap_or(name)
            .rsplit('.')
            .flat_map(|label| label.bytes().chain(std::iter::once(b'.')))
    }
    key(a).cmp(key(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The general path, for comparing with the fast one.
    fn canonical_general(name: &str) -> Result<String, NameError> {
        let labels = parse_labels(name)?;
        if labels.is_empty() {
            return Ok(".".to_owned());
        }
        Ok(labels
            .iter()
            .map(|l| escape_label(l) + ".")
            .collect::<String>())
    }

    #[test]
    fn compare_orders_as_the_reversed_keys_do() {
        let names = [
            ".",
            "com.",
            "example.com.",
            "example-x.com.",
            "www.example.com.",
            "a.www.example.com.",
            "www.example-x.com.",
            "\\052.example.com.",
            "_sip._tcp.example.com.",
            "example.org.",
            "xn--bcher-kva.example.",
        ];
        for a in names {
            for b in names {
                assert_eq!(
                    compare(a, b),
                    reversed_key(a).cmp(&reversed_key(b)),
                    "{a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn the_plain_fast_path_agrees_with_the_general_path() {
        let long_label = "a".repeat(63);
        let too_long_label = "a".repeat(64);
        let long_name = vec!["abcdefghi"; 25].join(".");
        let cases = [
            "www.Example.COM",
            "www.example.com.",
            "a",
            "_sip._tcp.example.com",
            "x-1.y_2.z",
            ".",
            "",
            "..",
            "a..b",
            ".a",
            "a.b..",
            "*.example.com",
            r"a\\056b.example",
            r"caf\303\251.example",
            "sp ace.example",
            long_label.as_str(),
            too_long_label.as_str(),
            long_name.as_str(),
        ];
        for case in cases {
            assert_eq!(canonical(case), canonical_general(case), "{case:?}");
        }
        // 253 bytes of name is the longest that fits in 255 wire bytes.
        let at_limit = format!(
            "{}.{}.{}",
            "a".repeat(63),
            vec!["b".repeat(62); 2].join("."),
            "c".repeat(63)
        );
        assert_eq!(at_limit.len(), 253);
        assert_eq!(canonical(&at_limit), canonical_general(&at_limit));
        let over = format!("{at_limit}c");
        assert_eq!(canonical(&over), canonical_general(&over));
        assert!(canonical(&over).is_err());
    }

    #[test]
    fn canonical_form_lowercases_qualifies_and_escapes() {
        assert_eq!(canonical("WWW.Example.com").unwrap(), "www.example.com.");
        assert_eq!(canonical("*.example.com.").unwrap(), "\\052.example.com.");
        assert_eq!(
            canonical("\\052.example.com").unwrap(),
            "\\052.example.com."
        );
        assert_eq!(
            canonical("_sip._tcp.example.com").unwrap(),
            "_sip._tcp.example.com."
        );
        assert_eq!(unescape("\\052.example.com."), "*.example.com.");
    }

    #[test]
    fn invalid_names_are_refused() {
        assert_eq!(canonical(""), Err(NameError::Empty));
        assert_eq!(canonical("a..b"), Err(NameError::EmptyLabel));
        assert!(matches!(
            canonical(&format!("{}.com", "a".repeat(64))),
            Err(NameError::LabelTooLong(_))
        ));
        let long = vec!["a".repeat(60); 5].join(".");
        assert_eq!(canonical(&long), Err(NameError::TooLong));
        assert_eq!(canonical("a\\9zz.com"), Err(NameError::BadEscape));
        assert_eq!(canonical("a b.com"), Err(NameError::UnsupportedCharacter));
        assert_eq!(canonical("a\tb.com"), Err(NameError::UnsupportedCharacter));
        assert_eq!(canonical("a\\040b.com").unwrap(), "a\\040b.com.");
    }

    #[test]
    fn containment_and_order() {
        assert!(is_within("a.example.com.", "example.com."));
        assert!(is_within("example.com.", "example.com."));
        assert!(!is_within("badexample.com.", "example.com."));
        let mut names = vec![
            "b.example.com.",
            "a.b.example.com.",
            "example.com.",
            "a.example.com.",
        ];
        names.sort_by(|a, b| compare(a, b));
        assert_eq!(
            names,
            [
                "example.com.",
                "a.example.com.",
                "b.example.com.",
                "a.b.example.com."
            ]
        );
    }
}

//! Timestamps as AWS writes them.

use std::time::{Duration, UNIX_EPOCH};

/// ISO 8601 UTC with milliseconds, `2021-03-05T14:46:16.030Z` (EC2 XML, Route 53).
pub fn iso8601_millis(epoch_millis: u64) -> String {
    let t = UNIX_EPOCH + Duration::from_millis(epoch_millis);
    humantime::format_rfc3339_millis(t).to_string()
}

/// Parses an RFC 3339 timestamp (`2021-03-05T14:46:16Z`, with or without fractions) to
/// epoch milliseconds, as EC2 accepts `DateTime` parameters.
pub fn parse_iso8601_millis(text: &str) -> Option<u64> {
    let t = humantime::parse_rfc3339_weak(text).ok()?;
    let ms = t.duration_since(UNIX_EPOCH).ok()?.as_millis();
    u64::try_from(ms).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_with_millis() {
        assert_eq!(
            super::iso8601_millis(1_614_955_576_030),
            "2021-03-05T14:46:16.030Z"
        );
        assert_eq!(
            super::parse_iso8601_millis("2021-03-05T14:46:16.030Z"),
            Some(1_614_955_576_030)
        );
        assert_eq!(super::parse_iso8601_millis("yesterday"), None);
    }
}

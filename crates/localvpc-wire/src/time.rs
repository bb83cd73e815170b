//! Timestamps as AWS writes them.

use std::time::{Duration, UNIX_EPOCH};

/// ISO 8601 UTC with milliseconds, `2021-03-05T14:46:16.030Z` (EC2 XML, Route 53).
pub fn iso8601_millis(epoch_millis: u64) -> String {
    let t = UNIX_EPOCH + Duration::from_millis(epoch_millis);
    humantime::format_rfc3339_millis(t).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_with_millis() {
        assert_eq!(
            super::iso8601_millis(1_614_955_576_030),
            "2021-03-05T14:46:16.030Z"
        );
    }
}

//! Typed condition values: numbers, dates, booleans, IP ranges and base64 binaries. The
//! same parsers read the policy's values (at parse time) and the request's (at evaluation).

use std::net::IpAddr;

use ipnet::IpNet;

/// A number for the `Numeric*` operators: an integer or a decimal.
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    // `f64::from_str` also takes `inf`, `NaN` and `1e5`; IAM numbers are plain decimals.
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty())
        || !all_digits(int)
        || !all_digits(frac)
        || digits.ends_with('.')
    {
        return None;
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A point in time: seconds since the Unix epoch and nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Timestamp {
    secs: i64,
    nanos: u32,
}

/// A date for the `Date*` operators: epoch seconds (`1577836800`) or ISO 8601
/// (`2020-01-01`, `2020-01-01T00:00:00Z`, with optional fraction and `±hh:mm` offset; no
/// offset means UTC).
pub(crate) fn parse_date(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<i64>()
            .ok()
            .map(|secs| Timestamp { secs, nanos: 0 });
    }
    let (date, time) = match text.split_once(['T', 't']) {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let mut fields = date.split('-');
    let year = fixed_digits(fields.next()?, 4)?;
    let month = fixed_digits(fields.next()?, 2)?;
    let day = fixed_digits(fields.next()?, 2)?;
    if fields.next().is_some()
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
    {
        return None;
    }
    let mut secs = days_from_civil(year, month, day).checked_mul(86_400)?;
    let mut nanos = 0;
    if let Some(time) = time {
        let (clock, offset) = split_offset(time)?;
        let (hms, fraction) = match clock.split_once(['.', ',']) {
            Some((hms, fraction)) => (hms, Some(fraction)),
            None => (clock, None),
        };
        let mut parts = hms.split(':');
        let hour = fixed_digits(parts.next()?, 2)?;
        let minute = fixed_digits(parts.next()?, 2)?;
        let second = match parts.next() {
            Some(s) => fixed_digits(s, 2)?,
            None if fraction.is_none() => 0,
            None => return None,
        };
        if parts.next().is_some() || hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        if let Some(fraction) = fraction {
            if fraction.is_empty()
                || fraction.len() > 9
                || !fraction.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            let padded = format!("{fraction:0<9}");
            nanos = padded.parse::<u32>().ok()?;
        }
        secs = secs
            .checked_add(hour * 3600 + minute * 60 + second)?
            .checked_sub(offset)?;
    }
    Some(Timestamp { secs, nanos })
}

/// Splits `hh:mm:ss…` from its zone: `Z`, `±hh:mm`, `±hhmm`, `±hh` or nothing (UTC).
/// Returns the clock text and the offset in seconds east of UTC.
fn split_offset(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    let Some(at) = time.rfind(['+', '-']) else {
        return Some((time, 0));
    };
    let (clock, zone) = time.split_at_checked(at)?;
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let zone = zone.get(1..)?;
    let (hours, minutes) = match zone.split_once(':') {
        Some((h, m)) => (fixed_digits(h, 2)?, fixed_digits(m, 2)?),
        None if zone.len() == 4 => (
            fixed_digits(zone.get(..2)?, 2)?,
            fixed_digits(zone.get(2..)?, 2)?,
        ),
        None => (fixed_digits(zone, 2)?, 0),
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some((clock, sign * (hours * 3600 + minutes * 60)))
}

fn fixed_digits(text: &str, len: usize) -> Option<i64> {
    if text.len() != len || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A boolean for `Bool` and `Null`: `true` or `false`, any case.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// An address range for `IpAddress`/`NotIpAddress`: a CIDR block, or a bare address
/// (a /32 or /128). IPv4 and IPv6.
pub(crate) fn parse_ip_range(text: &str) -> Option<IpNet> {
    let text = text.trim();
    if text.contains('/') {
        text.parse::<IpNet>().ok()
    } else {
        text.parse::<IpAddr>().ok().map(IpNet::from)
    }
}

/// Decodes standard base64 (RFC 4648 alphabet, `=` padding optional).
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let body = text.trim_end_matches('=');
    if text.len() - body.len() > 2 || body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for b in body.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_number("10"), Some(10.0));
        assert_eq!(parse_number("-1.5"), Some(-1.5));
        assert_eq!(parse_number(" 7 "), Some(7.0));
        assert_eq!(parse_number(".5"), Some(0.5));
        for bad in ["", "abc", "inf", "NaN", "1e5", "1.", "1.2.3", "-", "0x10"] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates() {
        let epoch = |s: &str| parse_date(s).map(|t| t.secs);
        assert_eq!(epoch("1970-01-01"), Some(0));
        assert_eq!(epoch("2020-01-01T00:00:00Z"), Some(1_577_836_800));
        assert_eq!(epoch("1577836800"), Some(1_577_836_800));
        assert_eq!(epoch("2020-01-01T01:00:00+01:00"), Some(1_577_836_800));
        assert_eq!(epoch("2019-12-31T19:00:00-0500"), Some(1_577_836_800));
        assert_eq!(epoch("2020-01-01T00:00Z"), Some(1_577_836_800));
        assert_eq!(epoch("2020-01-01T00:00:00"), Some(1_577_836_800));
        assert_eq!(epoch("2024-02-29"), Some(1_709_164_800));
        assert_eq!(epoch("1969-12-31T23:59:59Z"), Some(-1));
        let frac = parse_date("2020-01-01T00:00:00.25Z");
        assert_eq!(
            frac,
            Some(Timestamp {
                secs: 1_577_836_800,
                nanos: 250_000_000
            })
        );
        assert!(frac > parse_date("2020-01-01T00:00:00Z"));
        for bad in [
            "",
            "2020-13-01",
            "2023-02-29",
            "2020-1-1",
            "2020-01-01T25:00:00Z",
            "yesterday",
            "2020-01-01T00:00:00+2500",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn ip_ranges() {
        let net = parse_ip_range("10.0.0.0/8");
        assert!(net.is_some_and(|n| {
            n.contains(
                &"10.1.2.3"
                    .parse::<IpAddr>()
                    .unwrap_or(IpAddr::from([0, 0, 0, 0])),
            )
        }));
        assert_eq!(
            parse_ip_range("192.0.2.1").map(|n| n.prefix_len()),
            Some(32)
        );
        assert_eq!(
            parse_ip_range("2001:db8::1").map(|n| n.prefix_len()),
            Some(128)
        );
        assert!(parse_ip_range("2001:db8::/32").is_some());
        assert!(parse_ip_range("10.0.0.0/33").is_none());
        assert!(parse_ip_range("nope").is_none());
    }

    #[test]
    fn base64() {
        assert_eq!(
            decode_base64("QmluYXJ5VmFsdWU="),
            Some(b"BinaryValue".to_vec())
        );
        assert_eq!(
            decode_base64("QmluYXJ5VmFsdWU"),
            Some(b"BinaryValue".to_vec())
        );
        assert_eq!(decode_base64(""), Some(Vec::new()));
        assert_eq!(decode_base64("Zm9v"), Some(b"foo".to_vec()));
        assert_eq!(decode_base64("Zg=="), Some(b"f".to_vec()));
        assert_eq!(decode_base64("Z"), None);
        assert_eq!(decode_base64("Zm9v!"), None);
        assert_eq!(decode_base64("Zg==="), None);
    }

    #[test]
    fn bools() {
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("false"), Some(false));
        assert_eq!(parse_bool("yes"), None);
    }
}

//! Resource record sets: types, routing settings, and value validation with the
//! `FATAL problem` texts Route 53 uses in `InvalidChangeBatch` messages.

use super::name::{self, NameError};
use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, Ipv6Addr};

/// The record types Route 53 accepts (docs/aws-semantics.md §6.1).
pub const RECORD_TYPES: &[&str] = &[
    "SOA", "A", "TXT", "NS", "CNAME", "MX", "NAPTR", "PTR", "SRV", "SPF", "AAAA", "CAA", "DS",
    "TLSA", "SSHFP", "SVCB", "HTTPS",
];

/// Where an alias record points.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasTarget {
    pub hosted_zone_id: String,
    /// Canonical form (lower case, trailing dot).
    pub dns_name: String,
    pub evaluate_target_health: bool,
}

/// `GeoLocation` of a geolocation record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeoLocation {
    pub continent_code: Option<String>,
    pub country_code: Option<String>,
    pub subdivision_code: Option<String>,
}

/// The routing policy of a record set with a `SetIdentifier`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Routing {
    Weighted(u8),
    Latency(String),
    Failover(String),
    MultiValue,
    Geo(GeoLocation),
}

/// One resource record set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordSet {
    /// Canonical name (`\052.example.com.`).
    pub name: String,
    pub record_type: String,
    pub set_identifier: Option<String>,
    pub routing: Option<Routing>,
    pub ttl: Option<u32>,
    pub values: Vec<String>,
    pub alias: Option<AliasTarget>,
    pub health_check_id: Option<String>,
}

/// What identifies a record set in its zone: name, type and set identifier.
pub type RecordSetKey = (String, String, Option<String>);

impl RecordSet {
    /// `[name='www.example.com.', type='A']` (plus the set identifier when there is one),
    /// as Route 53's messages name a record set.
    pub fn describe(&self) -> String {
        match &self.set_identifier {
            Some(id) => format!(
                "[name='{}', type='{}', set-identifier='{id}']",
                self.name, self.record_type
            ),
            None => format!("[name='{}', type='{}']", self.name, self.record_type),
        }
    }

    /// The identity of a record set within a zone.
    pub fn key(&self) -> RecordSetKey {
        (
            self.name.clone(),
            self.record_type.clone(),
            self.set_identifier.clone(),
        )
    }
}

/// Checks one value of `record_type`; `Err` is the FATAL-problem text.
pub fn check_value(record_type: &str, value: &str) -> Result<(), String> {
    let fatal = |code: &str, what: &str| {
        Err(format!(
            "FATAL problem: {code} ({what}) encountered with '{value}'"
        ))
    };
    let domain = |v: &str| name::canonical(v).map(|_| ());
    let fields: Vec<&str> = value.split_whitespace().collect();
    match record_type {
        "A" => match value.parse::<Ipv4Addr>() {
            Ok(_) => Ok(()),
            Err(_) => fatal(
                "ARRDATAIllegalIPv4Address",
                "Value is not a valid IPv4 address",
            ),
        },
        "AAAA" => match value.parse::<Ipv6Addr>() {
            Ok(_) => Ok(()),
            Err(_) => fatal(
                "AAAARRDATAIllegalIPv6Address",
                "Value is not a valid IPv6 address",
            ),
        },
        "CNAME" | "NS" | "PTR" => match (fields.len(), domain(value.trim())) {
            (1, Ok(())) => Ok(()),
            (_, Err(e)) => fatal_name(value, &e),
            _ => fatal("DomainNameInvalid", "Domain name is invalid"),
        },
        "TXT" | "SPF" => check_character_strings(value),
        "MX" => match fields.as_slice() {
            [pref, host] if pref.parse::<u16>().is_ok() => {
                domain(host).or_else(|e| fatal_name(value, &e))
            }
            _ => fatal("MXRRDATAIllegalFormat", "Value is not a valid MX record"),
        },
        "SRV" => match fields.as_slice() {
            [p, w, port, host] if [p, w, port].iter().all(|n| n.parse::<u16>().is_ok()) => {
                domain(host).or_else(|e| fatal_name(value, &e))
            }
            _ => fatal("SRVRRDATAIllegalFormat", "Value is not a valid SRV record"),
        },
        "CAA" => match fields.as_slice() {
            [flags, tag, rest @ ..]
                if flags.parse::<u8>().is_ok()
                    && ["issue", "issuewild", "iodef", "issuemail", "issuevmc"].contains(tag)
                    && !rest.is_empty() =>
            {
                let v = rest.join(" ");
                if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
                    Ok(())
                } else {
                    fatal(
                        "CAARRDATAIllegalValue",
                        "Value must be enclosed in quotation marks",
                    )
                }
            }
            _ => fatal("CAARRDATAIllegalFormat", "Value is not a valid CAA record"),
        },
        "SOA" => match fields.as_slice() {
            [mname, rname, nums @ ..]
                if nums.len() == 5 && nums.iter().all(|n| n.parse::<u32>().is_ok()) =>
            {
                domain(mname)
                    .and_then(|()| domain(rname))
                    .or_else(|e| fatal_name(value, &e))
            }
            _ => fatal("SOARRDATAIllegalFormat", "Value is not a valid SOA record"),
        },
        "NAPTR" => match fields.as_slice() {
            [order, pref, _flags, _service, _regexp, replacement]
                if order.parse::<u16>().is_ok() && pref.parse::<u16>().is_ok() =>
            {
                domain(replacement).or_else(|e| fatal_name(value, &e))
            }
            _ => fatal(
                "NAPTRRDATAIllegalFormat",
                "Value is not a valid NAPTR record",
            ),
        },
        "DS" | "TLSA" | "SSHFP" => {
            let numeric = match record_type {
                "DS" => 3,
                "TLSA" => 3,
                _ => 2,
            };
            let ok = fields.len() == numeric + 1
                && fields
                    .iter()
                    .take(numeric)
                    .all(|n| n.parse::<u16>().is_ok())
                && fields
                    .last()
                    .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()));
            if ok {
                Ok(())
            } else {
                fatal(
                    "RRDATAIllegalFormat",
                    "Value is not in the format of this record type",
                )
            }
        }
        "SVCB" | "HTTPS" => match fields.as_slice() {
            [prio, target, ..] if prio.parse::<u16>().is_ok() => {
                domain(target).or_else(|e| fatal_name(value, &e))
            }
            _ => fatal(
                "RRDATAIllegalFormat",
                "Value is not in the format of this record type",
            ),
        },
        _ => fatal("UnsupportedType", "The record type is not supported"),
    }
}

fn fatal_name(value: &str, e: &NameError) -> Result<(), String> {
    Err(format!(
        "FATAL problem: {} encountered with '{value}'",
        e.describe()
    ))
}

/// TXT values: one or more `"…"` strings of at most 255 characters, separated by spaces.
fn check_character_strings(value: &str) -> Result<(), String> {
    let fatal = |code: &str, what: &str| {
        Err(format!(
            "FATAL problem: {code} ({what}) encountered with '{value}'"
        ))
    };
    let mut chars = value.trim().chars().peekable();
    if chars.peek().is_none() {
        return fatal(
            "InvalidCharacterString",
            "Value should be enclosed in quotation marks",
        );
    }
    while let Some(c) = chars.next() {
        if c != '"' {
            return fatal(
                "InvalidCharacterString",
                "Value should be enclosed in quotation marks",
            );
        }
        let mut len = 0usize;
        let mut closed = false;
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                    len += 1;
                }
                '"' => {
                    closed = true;
                    break;
                }
                _ => len += 1,
            }
        }
        if !closed {
            return fatal(
                "InvalidCharacterString",
                "Value should be enclosed in quotation marks",
            );
        }
        if len > 255 {
            return fatal("CharacterStringTooLong", "Value is too long");
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_per_type() {
        assert!(check_value("A", "10.0.0.1").is_ok());
        let err = check_value("A", "not-an-ip").unwrap_err();
        assert!(err.contains("ARRDATAIllegalIPv4Address"), "{err}");
        assert!(check_value("AAAA", "2001:db8::1").is_ok());
        assert!(check_value("CNAME", "target.example.com").is_ok());
        assert!(check_value("CNAME", "a b").is_err());
        assert!(check_value("TXT", "\"v=spf1 -all\"").is_ok());
        assert!(check_value("TXT", "\"a\" \"b\"").is_ok());
        assert!(check_value("TXT", "unquoted").is_err());
        assert!(check_value("TXT", &format!("\"{}\"", "x".repeat(256))).is_err());
        assert!(check_value("MX", "10 mail.example.com").is_ok());
        assert!(check_value("MX", "mail.example.com").is_err());
        assert!(check_value("SRV", "1 10 5060 sip.example.com").is_ok());
        assert!(check_value("SRV", "1 10 sip.example.com").is_err());
        assert!(check_value("CAA", "0 issue \"amazon.com\"").is_ok());
        assert!(check_value("CAA", "0 bogus \"amazon.com\"").is_err());
        assert!(
            check_value(
                "SOA",
                "ns-1536.awsdns-00.co.uk. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"
            )
            .is_ok()
        );
        assert!(check_value("PTR", "host.example.com").is_ok());
    }
}

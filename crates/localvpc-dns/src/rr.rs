//! The resolver's own small record type: what `resolve` returns, what the explainer prints,
//! and what the server turns into wire records. Names are canonical Route 53 names
//! (lower case, trailing dot, `\NNN` escapes); see `localvpc_model::route53::name`.

use serde::Serialize;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// A query type. Types localvpc has no record data for are kept by number (`Other`): a
/// name that exists answers them with NODATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QType {
    A,
    Aaaa,
    Cname,
    Ns,
    Ptr,
    Mx,
    Srv,
    Txt,
    Soa,
    Caa,
    Other(u16),
}

impl QType {
    pub fn from_u16(code: u16) -> Self {
        match code {
            1 => Self::A,
            28 => Self::Aaaa,
            5 => Self::Cname,
            2 => Self::Ns,
            12 => Self::Ptr,
            15 => Self::Mx,
            33 => Self::Srv,
            16 => Self::Txt,
            6 => Self::Soa,
            257 => Self::Caa,
            other => Self::Other(other),
        }
    }

    pub fn code(self) -> u16 {
        match self {
            Self::A => 1,
            Self::Aaaa => 28,
            Self::Cname => 5,
            Self::Ns => 2,
            Self::Ptr => 12,
            Self::Mx => 15,
            Self::Srv => 33,
            Self::Txt => 16,
            Self::Soa => 6,
            Self::Caa => 257,
            Self::Other(code) => code,
        }
    }

    /// `A`, `aaaa`, `TYPE65`… (case-insensitive, as dig and Route 53 spell them).
    pub fn parse(text: &str) -> Option<Self> {
        let upper = text.to_ascii_uppercase();
        Some(match upper.as_str() {
            "A" => Self::A,
            "AAAA" => Self::Aaaa,
            "CNAME" => Self::Cname,
            "NS" => Self::Ns,
            "PTR" => Self::Ptr,
            "MX" => Self::Mx,
            "SRV" => Self::Srv,
            "TXT" => Self::Txt,
            "SOA" => Self::Soa,
            "CAA" => Self::Caa,
            "SPF" => Self::Other(99),
            "ANY" => Self::Other(255),
            _ => return upper.strip_prefix("TYPE")?.parse().ok().map(Self::from_u16),
        })
    }

    /// The Route 53 record type this query type reads (`None` for types Route 53 has no
    /// record data for).
    pub fn route53_type(self) -> Option<&'static str> {
        Some(match self {
            Self::A => "A",
            Self::Aaaa => "AAAA",
            Self::Cname => "CNAME",
            Self::Ns => "NS",
            Self::Ptr => "PTR",
            Self::Mx => "MX",
            Self::Srv => "SRV",
            Self::Txt => "TXT",
            Self::Soa => "SOA",
            Self::Caa => "CAA",
            Self::Other(_) => return None,
        })
    }
}

impl fmt::Display for QType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.route53_type() {
            Some(t) => f.write_str(t),
            None => write!(f, "TYPE{}", self.code()),
        }
    }
}

impl Serialize for QType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Typed record data (names canonical).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RrData {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    Cname(String),
    Ns(String),
    Ptr(String),
    Mx {
        preference: u16,
        exchange: String,
    },
    Srv {
        priority: u16,
        weight: u16,
        port: u16,
        target: String,
    },
    Txt(Vec<String>),
    Soa(Soa),
    Caa {
        flags: u8,
        tag: String,
        value: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Soa {
    pub mname: String,
    pub rname: String,
    pub serial: u32,
    pub refresh: u32,
    pub retry: u32,
    pub expire: u32,
    pub minimum: u32,
}

impl Soa {
    /// The SOA of every private zone and of localvpc's synthetic zones (docs/aws-semantics.md §6.1).
    pub fn private_default() -> Self {
        Self {
            mname: "ns-1536.awsdns-00.co.uk.".to_owned(),
            rname: "awsdns-hostmaster.amazon.com.".to_owned(),
            serial: 1,
            refresh: 7200,
            retry: 900,
            expire: 1_209_600,
            minimum: 86_400,
        }
    }
}

impl RrData {
    pub fn qtype(&self) -> QType {
        match self {
            Self::A(_) => QType::A,
            Self::Aaaa(_) => QType::Aaaa,
            Self::Cname(_) => QType::Cname,
            Self::Ns(_) => QType::Ns,
            Self::Ptr(_) => QType::Ptr,
            Self::Mx { .. } => QType::Mx,
            Self::Srv { .. } => QType::Srv,
            Self::Txt(_) => QType::Txt,
            Self::Soa(_) => QType::Soa,
            Self::Caa { .. } => QType::Caa,
        }
    }

    /// Parses one Route 53 value of `qtype` (values were checked when written, so a
    /// failure here means a type localvpc does not serve).
    pub fn parse(qtype: QType, value: &str) -> Option<Self> {
        let mut words = value.split_whitespace();
        let mut next = || words.next();
        let name = |s: &str| localvpc_model::route53::name::canonical(s).ok();
        Some(match qtype {
            QType::A => Self::A(value.trim().parse().ok()?),
            QType::Aaaa => Self::Aaaa(value.trim().parse().ok()?),
            QType::Cname => Self::Cname(name(value.trim())?),
            QType::Ns => Self::Ns(name(value.trim())?),
            QType::Ptr => Self::Ptr(name(value.trim())?),
            QType::Mx => Self::Mx {
                preference: next()?.parse().ok()?,
                exchange: name(next()?)?,
            },
            QType::Srv => Self::Srv {
                priority: next()?.parse().ok()?,
                weight: next()?.parse().ok()?,
                port: next()?.parse().ok()?,
                target: name(next()?)?,
            },
            QType::Txt => Self::Txt(character_strings(value)),
            QType::Soa => Self::Soa(Soa {
                mname: name(next()?)?,
                rname: name(next()?)?,
                serial: next()?.parse().ok()?,
                refresh: next()?.parse().ok()?,
                retry: next()?.parse().ok()?,
                expire: next()?.parse().ok()?,
                minimum: next()?.parse().ok()?,
            }),
            QType::Caa => {
                let flags = next()?.parse().ok()?;
                let tag = next()?.to_owned();
                let rest: Vec<&str> = words.collect();
                let value = character_strings(&rest.join(" ")).concat();
                Self::Caa { flags, tag, value }
            }
            QType::Other(_) => return None,
        })
    }

    /// Presentation format, as dig prints it.
    pub fn text(&self) -> String {
        match self {
            Self::A(ip) => ip.to_string(),
            Self::Aaaa(ip) => ip.to_string(),
            Self::Cname(n) | Self::Ns(n) | Self::Ptr(n) => n.clone(),
            Self::Mx {
                preference,
                exchange,
            } => format!("{preference} {exchange}"),
            Self::Srv {
                priority,
                weight,
                port,
                target,
            } => format!("{priority} {weight} {port} {target}"),
            Self::Txt(parts) => parts
                .iter()
                .map(|p| format!("\"{}\"", p.replace('\\', "\\\\").replace('"', "\\\"")))
                .collect::<Vec<_>>()
                .join(" "),
            Self::Soa(s) => format!(
                "{} {} {} {} {} {} {}",
                s.mname, s.rname, s.serial, s.refresh, s.retry, s.expire, s.minimum
            ),
            Self::Caa { flags, tag, value } => format!("{flags} {tag} \"{value}\""),
        }
    }
}

/// `"a b" "c"` → `["a b", "c"]`; an unquoted value is one string.
fn character_strings(value: &str) -> Vec<String> {
    let value = value.trim();
    if !value.starts_with('"') {
        return vec![value.to_owned()];
    }
    let mut out = Vec::new();
    let mut current = String::new();
    let mut inside = false;
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match (c, inside) {
            ('"', false) => inside = true,
            ('"', true) => {
                out.push(std::mem::take(&mut current));
                inside = false;
            }
            ('\\', true) => {
                if let Some(escaped) = chars.next() {
                    current.push(escaped);
                }
            }
            (c, true) => current.push(c),
            (_, false) => {}
        }
    }
    if inside {
        out.push(current);
    }
    out
}

/// One resource record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rr {
    /// Canonical owner name.
    pub name: String,
    pub ttl: u32,
    pub data: RrData,
}

impl Serialize for Rr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Rr", 4)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("ttl", &self.ttl)?;
        st.serialize_field("type", &self.data.qtype())?;
        st.serialize_field("data", &self.data.text())?;
        st.end()
    }
}

impl fmt::Display for Rr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            self.name,
            self.ttl,
            self.data.qtype(),
            self.data.text()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_route53_values() {
        assert_eq!(
            RrData::parse(QType::Mx, "10 Mail.Example.com"),
            Some(RrData::Mx {
                preference: 10,
                exchange: "mail.example.com.".into()
            })
        );
        assert_eq!(
            RrData::parse(QType::Txt, "\"v=spf1 -all\" \"two \\\"q\\\"\""),
            Some(RrData::Txt(vec!["v=spf1 -all".into(), "two \"q\"".into()]))
        );
        assert_eq!(
            RrData::parse(QType::Caa, "0 issue \"amazon.com\""),
            Some(RrData::Caa {
                flags: 0,
                tag: "issue".into(),
                value: "amazon.com".into()
            })
        );
        let soa = RrData::parse(
            QType::Soa,
            "ns-1536.awsdns-00.co.uk. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400",
        );
        assert_eq!(soa, Some(RrData::Soa(Soa::private_default())));
        assert_eq!(RrData::parse(QType::A, "10.0.0.300"), None);
    }

    #[test]
    fn query_types_round_trip() {
        for t in [
            "A", "aaaa", "CNAME", "ns", "PTR", "MX", "SRV", "TXT", "SOA", "CAA",
        ] {
            let q = QType::parse(t).unwrap();
            assert_eq!(QType::from_u16(q.code()), q);
            assert_eq!(q.to_string(), t.to_ascii_uppercase());
        }
        assert_eq!(QType::parse("TYPE65"), Some(QType::Other(65)));
        assert_eq!(QType::parse("bogus"), None);
    }
}

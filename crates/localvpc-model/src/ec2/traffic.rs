//! The traffic a security group rule or a network ACL entry is about: all of it, or one IP
//! protocol, narrowed to a port range for TCP and UDP and to a type and code for ICMP.
//!
//! Both kinds of rule share this part. They differ in what a request must give (each
//! resource's module checks its own request: `security_group::traffic_of`,
//! `network_acl::traffic_of`) and in how the EC2 API spells the protocol back: security
//! group rules echo `tcp`, network ACL entries `6` ([`Traffic::sg_protocol`],
//! [`Traffic::acl_protocol`]).

use serde::Serialize;
use std::fmt;

/// An IP protocol number (IANA "Assigned Internet Protocol Numbers"): 6 TCP, 17 UDP,
/// 1 ICMP, 58 ICMPv6. Every byte is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpProtocol(pub u8);

impl IpProtocol {
    pub const ICMP: Self = Self(1);
    pub const TCP: Self = Self(6);
    pub const UDP: Self = Self(17);
    pub const ICMPV6: Self = Self(58);

    /// One protocol as the EC2 API names it: `tcp`, `udp`, `icmp`, `icmpv6` (any case) or
    /// a number 0–255. `-1`/`all` mean every protocol, which is a [`RuleProtocol`], not one.
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "tcp" => Some(Self::TCP),
            "udp" => Some(Self::UDP),
            "icmp" => Some(Self::ICMP),
            "icmpv6" => Some(Self::ICMPV6),
            n => n.parse().ok().map(Self),
        }
    }

    /// Whether packets of this protocol carry ports.
    pub fn has_ports(self) -> bool {
        self == Self::TCP || self == Self::UDP
    }

    pub fn is_icmp(self) -> bool {
        self == Self::ICMP || self == Self::ICMPV6
    }

    /// `tcp`, `udp`, `icmp`, `icmpv6`, else the number: how security group rules and the
    /// analyser name a protocol.
    pub fn name(self) -> String {
        match self {
            Self::TCP => "tcp".to_owned(),
            Self::UDP => "udp".to_owned(),
            Self::ICMP => "icmp".to_owned(),
            Self::ICMPV6 => "icmpv6".to_owned(),
            Self(n) => n.to_string(),
        }
    }
}

impl fmt::Display for IpProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl Serialize for IpProtocol {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

/// A rule's protocol field: every protocol (`-1`), or one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleProtocol {
    All,
    One(IpProtocol),
}

impl RuleProtocol {
    /// `-1` or `all` (any case) for every protocol, else [`IpProtocol::parse`]. This is the
    /// one parser of the protocol field of security group rules and network ACL entries.
    pub fn parse(text: &str) -> Option<Self> {
        if text == "-1" || text.eq_ignore_ascii_case("all") {
            return Some(Self::All);
        }
        IpProtocol::parse(text).map(Self::One)
    }

    pub fn matches(self, protocol: IpProtocol) -> bool {
        match self {
            Self::All => true,
            Self::One(p) => p == protocol,
        }
    }
}

/// An inclusive range of ports, never empty: `from <= to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct PortRange {
    from: u16,
    to: u16,
}

impl PortRange {
    pub const ALL: Self = Self {
        from: 0,
        to: u16::MAX,
    };

    /// The range `from..=to`, if it is one (`from <= to`).
    pub const fn new(from: u16, to: u16) -> Option<Self> {
        if from <= to {
            Some(Self { from, to })
        } else {
            None
        }
    }

    pub const fn single(port: u16) -> Self {
        Self {
            from: port,
            to: port,
        }
    }

    /// `from` and every port above it.
    pub const fn at_least(from: u16) -> Self {
        Self { from, to: u16::MAX }
    }

    pub const fn from(self) -> u16 {
        self.from
    }

    pub const fn to(self) -> u16 {
        self.to
    }

    pub fn intersect(self, other: Self) -> Option<Self> {
        Self::new(self.from.max(other.from), self.to.min(other.to))
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

/// The protocols whose rules name a port range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PortProtocol {
    Tcp,
    Udp,
}

impl PortProtocol {
    pub fn ip(self) -> IpProtocol {
        match self {
            Self::Tcp => IpProtocol::TCP,
            Self::Udp => IpProtocol::UDP,
        }
    }
}

/// ICMP for IPv4 (protocol 1) or ICMPv6 (protocol 58).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IcmpVersion {
    V4,
    V6,
}

impl IcmpVersion {
    pub fn ip(self) -> IpProtocol {
        match self {
            Self::V4 => IpProtocol::ICMP,
            Self::V6 => IpProtocol::ICMPV6,
        }
    }
}

/// A protocol that is neither TCP, UDP, ICMP nor ICMPv6: rules name it whole, without
/// ports or types (AWS ignores the ports given with it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OtherProtocol(u8);

impl OtherProtocol {
    pub fn new(protocol: IpProtocol) -> Option<Self> {
        (!protocol.has_ports() && !protocol.is_icmp()).then_some(Self(protocol.0))
    }

    pub fn ip(self) -> IpProtocol {
        IpProtocol(self.0)
    }
}

/// What traffic a rule is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Traffic {
    /// Protocol `-1`: every protocol, port, type and code.
    All,
    /// TCP or UDP to a port range (the destination port, in either direction).
    Ports {
        protocol: PortProtocol,
        range: PortRange,
    },
    /// ICMP or ICMPv6 of a type and code; `None` is AWS's `-1`, any.
    Icmp {
        version: IcmpVersion,
        icmp_type: Option<u8>,
        code: Option<u8>,
    },
    /// Every packet of another protocol.
    Other(OtherProtocol),
}

impl Traffic {
    pub const fn tcp(range: PortRange) -> Self {
        Self::Ports {
            protocol: PortProtocol::Tcp,
            range,
        }
    }

    pub const fn udp(range: PortRange) -> Self {
        Self::Ports {
            protocol: PortProtocol::Udp,
            range,
        }
    }

    /// The traffic of one protocol with nothing narrowed: all its ports, or any ICMP type
    /// and code.
    pub fn whole(protocol: RuleProtocol) -> Self {
        let RuleProtocol::One(p) = protocol else {
            return Self::All;
        };
        let any_icmp = |version| Self::Icmp {
            version,
            icmp_type: None,
            code: None,
        };
        match p {
            IpProtocol::TCP => Self::tcp(PortRange::ALL),
            IpProtocol::UDP => Self::udp(PortRange::ALL),
            IpProtocol::ICMP => any_icmp(IcmpVersion::V4),
            IpProtocol::ICMPV6 => any_icmp(IcmpVersion::V6),
            // INVARIANT: the four protocols above are the only ones `OtherProtocol` refuses.
            other => OtherProtocol::new(other).map_or(Self::All, Self::Other),
        }
    }

    /// ICMP of a type and code as the API gives them, −1 meaning any; `None` when either is
    /// outside −1..=255.
    pub fn icmp(version: IcmpVersion, icmp_type: i64, code: i64) -> Option<Self> {
        let part = |v: i64| match v {
            -1 => Some(None),
            v => u8::try_from(v).ok().map(Some),
        };
        Some(Self::Icmp {
            version,
            icmp_type: part(icmp_type)?,
            code: part(code)?,
        })
    }

    pub fn protocol(self) -> RuleProtocol {
        match self {
            Self::All => RuleProtocol::All,
            Self::Ports { protocol, .. } => RuleProtocol::One(protocol.ip()),
            Self::Icmp { version, .. } => RuleProtocol::One(version.ip()),
            Self::Other(p) => RuleProtocol::One(p.ip()),
        }
    }

    /// The port range of a TCP or UDP rule.
    pub fn port_range(self) -> Option<PortRange> {
        match self {
            Self::Ports { range, .. } => Some(range),
            _ => None,
        }
    }

    /// `IpProtocol` as security group rules show it: `-1`, `tcp`, `udp`, `icmp`, `icmpv6`,
    /// else the number.
    pub fn sg_protocol(self) -> String {
        match self.protocol() {
            RuleProtocol::All => "-1".to_owned(),
            RuleProtocol::One(p) => p.name(),
        }
    }

    /// `FromPort` and `ToPort` of a security group rule: the port range for TCP and UDP,
    /// the type and code for ICMP (−1 = any), none for the rest.
    pub fn sg_ports(self) -> (Option<i32>, Option<i32>) {
        let icmp = |v: Option<u8>| v.map_or(-1, i32::from);
        match self {
            Self::Ports { range, .. } => {
                (Some(i32::from(range.from())), Some(i32::from(range.to())))
            }
            Self::Icmp {
                icmp_type, code, ..
            } => (Some(icmp(icmp_type)), Some(icmp(code))),
            Self::All | Self::Other(_) => (None, None),
        }
    }

    /// `Protocol` as network ACL entries show it: `-1`, else the number.
    pub fn acl_protocol(self) -> String {
        match self.protocol() {
            RuleProtocol::All => "-1".to_owned(),
            RuleProtocol::One(p) => p.0.to_string(),
        }
    }

    /// The ICMP type and code, −1 meaning any.
    pub fn icmp_type_code(self) -> Option<(i32, i32)> {
        let icmp = |v: Option<u8>| v.map_or(-1, i32::from);
        match self {
            Self::Icmp {
                icmp_type, code, ..
            } => Some((icmp(icmp_type), icmp(code))),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_names_and_numbers_parse_to_one_value() {
        for (text, expected) in [
            ("-1", RuleProtocol::All),
            ("all", RuleProtocol::All),
            ("ALL", RuleProtocol::All),
            ("tcp", RuleProtocol::One(IpProtocol::TCP)),
            ("TCP", RuleProtocol::One(IpProtocol::TCP)),
            ("6", RuleProtocol::One(IpProtocol::TCP)),
            ("17", RuleProtocol::One(IpProtocol::UDP)),
            ("icmp", RuleProtocol::One(IpProtocol::ICMP)),
            ("icmpv6", RuleProtocol::One(IpProtocol::ICMPV6)),
            ("58", RuleProtocol::One(IpProtocol::ICMPV6)),
            ("0", RuleProtocol::One(IpProtocol(0))),
            ("255", RuleProtocol::One(IpProtocol(255))),
        ] {
            assert_eq!(RuleProtocol::parse(text), Some(expected), "{text}");
        }
        for text in ["", "-2", "256", "bogus", "tcp6"] {
            assert_eq!(RuleProtocol::parse(text), None, "{text}");
        }
    }

    #[test]
    fn each_kind_of_rule_spells_the_protocol_its_way() {
        let cases = [
            (Traffic::All, "-1", "-1"),
            (Traffic::tcp(PortRange::single(22)), "tcp", "6"),
            (Traffic::udp(PortRange::ALL), "udp", "17"),
            (
                Traffic::whole(RuleProtocol::One(IpProtocol::ICMP)),
                "icmp",
                "1",
            ),
            (
                Traffic::whole(RuleProtocol::One(IpProtocol::ICMPV6)),
                "icmpv6",
                "58",
            ),
            (
                Traffic::whole(RuleProtocol::One(IpProtocol(50))),
                "50",
                "50",
            ),
        ];
        for (traffic, sg, acl) in cases {
            assert_eq!(
                (
                    traffic.sg_protocol().as_str(),
                    traffic.acl_protocol().as_str()
                ),
                (sg, acl)
            );
        }
    }

    #[test]
    fn icmp_any_is_minus_one_on_the_wire() {
        let echo = Traffic::icmp(IcmpVersion::V4, 8, -1).unwrap();
        assert_eq!(
            echo,
            Traffic::Icmp {
                version: IcmpVersion::V4,
                icmp_type: Some(8),
                code: None
            }
        );
        assert_eq!(echo.sg_ports(), (Some(8), Some(-1)));
        assert_eq!(echo.icmp_type_code(), Some((8, -1)));
        assert_eq!(Traffic::icmp(IcmpVersion::V4, 256, 0), None);
        assert_eq!(Traffic::icmp(IcmpVersion::V6, 0, -2), None);
    }

    #[test]
    fn port_ranges_are_never_empty() {
        assert_eq!(PortRange::new(90, 80), None);
        let r = PortRange::new(80, 90).unwrap();
        assert_eq!((r.from(), r.to()), (80, 90));
        assert_eq!(r.intersect(PortRange::single(91)), None);
        assert_eq!(r.intersect(PortRange::at_least(85)), PortRange::new(85, 90));
        assert_eq!(Traffic::tcp(r).sg_ports(), (Some(80), Some(90)));
    }

    #[test]
    fn other_protocols_exclude_the_four_with_ports_or_types() {
        for p in [
            IpProtocol::TCP,
            IpProtocol::UDP,
            IpProtocol::ICMP,
            IpProtocol::ICMPV6,
        ] {
            assert_eq!(OtherProtocol::new(p), None);
        }
        assert_eq!(
            OtherProtocol::new(IpProtocol(47)).map(OtherProtocol::ip),
            Some(IpProtocol(47))
        );
    }
}

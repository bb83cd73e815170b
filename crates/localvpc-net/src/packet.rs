//! What a decision is asked about: a packet header, as sets where the analysis does not know a
//! value (a client's source port is "some ephemeral port"), the way Reachability Analyzer
//! reasons about headers.

use serde::Serialize;
use std::fmt;
use std::net::IpAddr;

/// An IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpProtocol(pub u8);

impl IpProtocol {
    pub const ICMP: Self = Self(1);
    pub const TCP: Self = Self(6);
    pub const UDP: Self = Self(17);
    pub const ICMPV6: Self = Self(58);

    /// `tcp`, `udp`, `icmp`, `icmpv6`, `all`/`-1` is not a packet's protocol, or a number.
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

    /// The name AWS's analyser prints (`tcp`, `udp`), else the number.
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

/// An inclusive port range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct PortRange {
    pub from: u16,
    pub to: u16,
}

impl PortRange {
    pub const ALL: Self = Self {
        from: 0,
        to: u16::MAX,
    };
    /// Where clients' source ports come from, as far as the analysis knows: any unprivileged
    /// port (Linux uses 32768–60999, NAT gateways and load balancers 1024–65535).
    pub const EPHEMERAL: Self = Self {
        from: 1024,
        to: u16::MAX,
    };

    pub fn single(port: u16) -> Self {
        Self {
            from: port,
            to: port,
        }
    }

    pub fn intersect(self, other: Self) -> Option<Self> {
        let from = self.from.max(other.from);
        let to = self.to.min(other.to);
        (from <= to).then_some(Self { from, to })
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

/// A set of ports as disjoint ranges: what is left of a header's ports after some rules
/// took their part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PortSet(Vec<PortRange>);

impl PortSet {
    pub(crate) fn of(range: PortRange) -> Self {
        Self(vec![range])
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn overlaps(&self, range: PortRange) -> bool {
        self.0.iter().any(|r| r.intersect(range).is_some())
    }

    /// The part of the set inside `range`, as one range per piece.
    #[cfg(test)]
    pub(crate) fn within(&self, range: PortRange) -> Vec<PortRange> {
        self.0.iter().filter_map(|r| r.intersect(range)).collect()
    }

    pub(crate) fn remove(&mut self, range: PortRange) {
        let mut out = Vec::with_capacity(self.0.len() + 1);
        for r in &self.0 {
            match r.intersect(range) {
                None => out.push(*r),
                Some(cut) => {
                    if cut.from > r.from {
                        out.push(PortRange {
                            from: r.from,
                            to: cut.from - 1,
                        });
                    }
                    if cut.to < r.to {
                        out.push(PortRange {
                            from: cut.to + 1,
                            to: r.to,
                        });
                    }
                }
            }
        }
        self.0 = out;
    }
}

/// One direction of a flow: protocol, addresses, and the ports it may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Packet {
    pub protocol: IpProtocol,
    pub source: IpAddr,
    pub destination: IpAddr,
    /// For TCP and UDP.
    pub source_ports: PortRange,
    /// For TCP and UDP.
    pub destination_ports: PortRange,
    /// For ICMP: type and code, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icmp: Option<(u8, u8)>,
}

impl Packet {
    /// A client's packet to a port (source port: any ephemeral one).
    pub fn new(
        protocol: IpProtocol,
        source: IpAddr,
        destination: IpAddr,
        port: Option<u16>,
    ) -> Self {
        Self {
            protocol,
            source,
            destination,
            source_ports: PortRange::EPHEMERAL,
            destination_ports: port.map_or(PortRange::ALL, PortRange::single),
            icmp: None,
        }
    }

    /// The reply: addresses and ports swapped.
    pub fn reply(&self) -> Self {
        Self {
            protocol: self.protocol,
            source: self.destination,
            destination: self.source,
            source_ports: self.destination_ports,
            destination_ports: self.source_ports,
            icmp: self.icmp.map(|(t, c)| (if t == 8 { 0 } else { t }, c)),
        }
    }

    /// The same packet from another source address (after NAT).
    pub fn with_source(&self, source: IpAddr) -> Self {
        Self { source, ..*self }
    }

    /// The same packet to another destination address (after NAT or a load balancer).
    pub fn with_destination(&self, destination: IpAddr) -> Self {
        Self {
            destination,
            ..*self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_set_removal_splits_ranges() {
        let mut set = PortSet::of(PortRange::EPHEMERAL);
        set.remove(PortRange {
            from: 2000,
            to: 3000,
        });
        assert_eq!(
            set.within(PortRange::ALL),
            vec![
                PortRange {
                    from: 1024,
                    to: 1999
                },
                PortRange {
                    from: 3001,
                    to: 65535
                }
            ]
        );
        set.remove(PortRange::ALL);
        assert!(set.is_empty());
    }

    #[test]
    fn reply_swaps_addresses_and_ports() {
        let p = Packet::new(
            IpProtocol::TCP,
            "10.0.0.5".parse().unwrap(),
            "10.0.1.9".parse().unwrap(),
            Some(443),
        );
        let r = p.reply();
        assert_eq!(r.source, p.destination);
        assert_eq!(r.destination_ports, PortRange::EPHEMERAL);
        assert_eq!(r.source_ports, PortRange::single(443));
    }
}

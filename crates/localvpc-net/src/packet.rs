//! What a decision is asked about: a packet header, as sets where the analysis does not know a
//! value (a client's source port is "some ephemeral port"), the way Reachability Analyzer
//! reasons about headers.

use localvpc_model::{IpProtocol, PortRange};
use serde::Serialize;
use std::net::IpAddr;

/// Where clients' source ports come from, as far as the analysis knows: any unprivileged
/// port (Linux uses 32768–60999, NAT gateways and load balancers 1024–65535).
pub(crate) const EPHEMERAL_PORTS: PortRange = PortRange::at_least(1024);

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
                    // The parts of `r` below and above the cut, where there are such.
                    let below = cut.from().checked_sub(1);
                    out.extend(below.and_then(|to| PortRange::new(r.from(), to)));
                    let above = cut.to().checked_add(1);
                    out.extend(above.and_then(|from| PortRange::new(from, r.to())));
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
            source_ports: EPHEMERAL_PORTS,
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
        let mut set = PortSet::of(EPHEMERAL_PORTS);
        set.remove(PortRange::new(2000, 3000).unwrap());
        assert_eq!(
            set.within(PortRange::ALL),
            vec![
                PortRange::new(1024, 1999).unwrap(),
                PortRange::new(3001, 65535).unwrap()
            ]
        );
        set.remove(PortRange::single(1024));
        set.remove(PortRange::single(65535));
        assert_eq!(
            set.within(PortRange::ALL),
            vec![
                PortRange::new(1025, 1999).unwrap(),
                PortRange::new(3001, 65534).unwrap()
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
        assert_eq!(r.destination_ports, EPHEMERAL_PORTS);
        assert_eq!(r.source_ports, PortRange::single(443));
    }
}

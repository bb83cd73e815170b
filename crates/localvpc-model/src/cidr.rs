//! IPv4 CIDR arithmetic in AWS's terms: canonical blocks, the five reserved addresses.

use crate::error::ModelError;
pub use ipnet::Ipv4Net as Ipv4Cidr;
use std::net::Ipv4Addr;

/// Parses `a.b.c.d/n` and canonicalises it to its network address, as AWS stores
/// `100.68.0.18/18` as `100.68.0.0/18`. `param` names the parameter in the error.
pub fn parse_ipv4_cidr(text: &str, param: &str) -> Result<Ipv4Cidr, ModelError> {
    // ipnet accepts a bare address; AWS wants the slash and a plain dotted quad.
    let valid_shape = text.split_once('/').is_some_and(|(addr, len)| {
        addr.split('.').count() == 4
            && !len.is_empty()
            && len.len() <= 2
            && len.bytes().all(|b| b.is_ascii_digit())
    });
    let net = valid_shape.then(|| text.parse::<Ipv4Cidr>().ok()).flatten();
    net.map(|n| n.trunc()).ok_or_else(|| {
        ModelError::invalid_value(format!(
            "Value ({text}) for parameter {param} is invalid. This is not a valid CIDR block."
        ))
    })
}

/// Whether two blocks share any address.
pub(crate) fn overlaps(a: &Ipv4Cidr, b: &Ipv4Cidr) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// Number of addresses in the block.
pub(crate) fn size(net: &Ipv4Cidr) -> u64 {
    1u64 << (32 - u32::from(net.prefix_len()))
}

/// Usable addresses: AWS reserves the first four and the last of every subnet.
pub(crate) fn usable_count(net: &Ipv4Cidr) -> u64 {
    size(net).saturating_sub(5)
}

/// The n-th address of a block (0 = network address).
pub(crate) fn nth(net: &Ipv4Cidr, n: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(net.network()).wrapping_add(n))
}

/// RFC 1918 family of a block, for AWS's secondary-CIDR restrictions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    Ten,
    OneSevenTwo,
    OneNineTwo,
    /// 198.19.0.0/16, which AWS treats apart.
    OneNineEight,
    /// 100.64.0.0/10 and publicly routable space.
    Other,
}

pub(crate) fn family(net: &Ipv4Cidr) -> Family {
    let inside = |outer: &str| outer.parse::<Ipv4Cidr>().is_ok_and(|o| o.contains(net));
    if inside("10.0.0.0/8") {
        Family::Ten
    } else if inside("172.16.0.0/12") {
        Family::OneSevenTwo
    } else if inside("192.168.0.0/16") {
        Family::OneNineTwo
    } else if inside("198.19.0.0/16") {
        Family::OneNineEight
    } else {
        Family::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonicalises() {
        assert_eq!(
            parse_ipv4_cidr("100.68.0.18/18", "cidrBlock")
                .unwrap()
                .to_string(),
            "100.68.0.0/18"
        );
    }

    #[test]
    fn rejects_non_cidrs() {
        for bad in [
            "10.0.0.0",
            "10.0.0/16",
            "10.0.0.0/33",
            "x/16",
            "10.0.0.0/",
            "10.0.0.0/016x",
            " 10.0.0.0/16",
        ] {
            let err = parse_ipv4_cidr(bad, "cidrBlock").unwrap_err();
            assert_eq!(err.code(), "InvalidParameterValue", "{bad}");
        }
    }

    #[test]
    fn counts_usable_addresses() {
        let n = parse_ipv4_cidr("10.0.1.0/28", "c").unwrap();
        assert_eq!(usable_count(&n), 11);
        assert_eq!(nth(&n, 2).to_string(), "10.0.1.2");
    }

    #[test]
    fn families() {
        let f = |s: &str| family(&parse_ipv4_cidr(s, "c").unwrap());
        assert_eq!(f("10.1.0.0/16"), Family::Ten);
        assert_eq!(f("172.31.0.0/16"), Family::OneSevenTwo);
        assert_eq!(f("192.168.0.0/20"), Family::OneNineTwo);
        assert_eq!(f("198.19.0.0/24"), Family::OneNineEight);
        assert_eq!(f("100.64.0.0/16"), Family::Other);
    }
}

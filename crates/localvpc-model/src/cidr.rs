//! CIDR arithmetic in AWS's terms: canonical blocks, the five reserved addresses, and the
//! pool Amazon-provided IPv6 blocks come from.

use crate::error::ModelError;
pub use ipnet::Ipv4Net as Ipv4Cidr;
pub use ipnet::Ipv6Net as Ipv6Cidr;
use std::net::{Ipv4Addr, Ipv6Addr};

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

/// Parses `x:y::/n` and canonicalises it to its network address, like the IPv4 form.
/// `param` names the parameter in the error.
pub fn parse_ipv6_cidr(text: &str, param: &str) -> Result<Ipv6Cidr, ModelError> {
    let valid_shape = text.split_once('/').is_some_and(|(addr, len)| {
        addr.contains(':')
            && !len.is_empty()
            && len.len() <= 3
            && len.bytes().all(|b| b.is_ascii_digit())
    });
    let net = valid_shape.then(|| text.parse::<Ipv6Cidr>().ok()).flatten();
    net.map(|n| n.trunc()).ok_or_else(|| {
        ModelError::invalid_value(format!(
            "Value ({text}) for parameter {param} is invalid. This is not a valid IPv6 CIDR block."
        ))
    })
}

/// The pool Amazon-provided IPv6 blocks come from: the RFC 3849 documentation prefix, so
/// no emulated address is ever a real one (as the public IPv4 pool uses RFC 5737 blocks).
pub(crate) const AMAZON_IPV6_POOL: Ipv6Cidr =
    Ipv6Cidr::new_assert(Ipv6Addr::new(0x2001, 0x0db8, 0, 0, 0, 0, 0, 0), 32);

/// The prefix length of an Amazon-provided VPC block.
pub(crate) const AMAZON_IPV6_BLOCK_LEN: u8 = 56;

/// The n-th /56 of the Amazon pool (n < 2^24), or None past its end.
pub(crate) fn amazon_ipv6_block(n: u32) -> Option<Ipv6Cidr> {
    let spare = AMAZON_IPV6_BLOCK_LEN - AMAZON_IPV6_POOL.prefix_len();
    if u64::from(n) >= 1u64 << spare {
        return None;
    }
    let base = u128::from(AMAZON_IPV6_POOL.network());
    let offset = u128::from(n) << (128 - u32::from(AMAZON_IPV6_BLOCK_LEN));
    Ipv6Cidr::new(Ipv6Addr::from(base | offset), AMAZON_IPV6_BLOCK_LEN).ok()
}

/// Which /56 of the Amazon pool a block is, if it is one.
pub(crate) fn amazon_ipv6_index(block: &Ipv6Cidr) -> Option<u32> {
    if block.prefix_len() != AMAZON_IPV6_BLOCK_LEN || !AMAZON_IPV6_POOL.contains(block) {
        return None;
    }
    let bits = u128::from(block.network()) ^ u128::from(AMAZON_IPV6_POOL.network());
    u32::try_from(bits >> (128 - u32::from(AMAZON_IPV6_BLOCK_LEN))).ok()
}

/// Whether two IPv6 blocks share any address.
pub(crate) fn overlaps6(a: &Ipv6Cidr, b: &Ipv6Cidr) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
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
    fn ipv6_blocks_canonicalise_and_refuse_ipv4() {
        let n = parse_ipv6_cidr("2001:db8:0:1::5/64", "ipv6CidrBlock").unwrap();
        assert_eq!(n.to_string(), "2001:db8:0:1::/64");
        for bad in [
            "10.0.0.0/16",
            "2001:db8::",
            "2001:db8::/129",
            "x/64",
            "2001:db8::/",
        ] {
            assert!(parse_ipv6_cidr(bad, "ipv6CidrBlock").is_err(), "{bad}");
        }
    }

    #[test]
    fn amazon_blocks_are_consecutive_56s_of_the_pool() {
        assert_eq!(amazon_ipv6_block(0).unwrap().to_string(), "2001:db8::/56");
        assert_eq!(
            amazon_ipv6_block(1).unwrap().to_string(),
            "2001:db8:0:100::/56"
        );
        assert_eq!(
            amazon_ipv6_block(256).unwrap().to_string(),
            "2001:db8:1::/56"
        );
        assert!(amazon_ipv6_block(1 << 24).is_none());
        for n in [0, 1, 255, 256, (1 << 24) - 1] {
            assert_eq!(amazon_ipv6_index(&amazon_ipv6_block(n).unwrap()), Some(n));
        }
        let other = parse_ipv6_cidr("2600:1f18::/56", "c").unwrap();
        assert_eq!(amazon_ipv6_index(&other), None);
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

//! AMIs. localvpc runs no machine images: RunInstances accepts any well-formed `ami-` id,
//! and DescribeImages answers from a small built-in catalogue per region plus any
//! well-formed id asked for by name (docs/aws-choices.md).

/// `ami-` followed by 8 or 17 lowercase hex digits.
pub fn valid_image_id(id: &str) -> bool {
    id.strip_prefix("ami-").is_some_and(|hex| {
        (hex.len() == 8 || hex.len() == 17)
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// A built-in image: (name, architecture, platform details).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltinImage {
    pub name: &'static str,
    pub architecture: &'static str,
    pub description: &'static str,
    /// The publishing account.
    pub owner: &'static str,
    /// `amazon` for Amazon's own images; None for other publishers.
    pub owner_alias: Option<&'static str>,
}

pub const BUILTIN_IMAGES: &[BuiltinImage] = &[
    BuiltinImage {
        name: "al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64",
        architecture: "x86_64",
        description: "Amazon Linux 2023 AMI 2023.6.20241212.0 x86_64 HVM kernel-6.1",
        owner: AMAZON_OWNER,
        owner_alias: Some("amazon"),
    },
    BuiltinImage {
        name: "al2023-ami-2023.6.20241212.0-kernel-6.1-arm64",
        architecture: "arm64",
        description: "Amazon Linux 2023 AMI 2023.6.20241212.0 arm64 HVM kernel-6.1",
        owner: AMAZON_OWNER,
        owner_alias: Some("amazon"),
    },
    BuiltinImage {
        name: "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241206",
        architecture: "x86_64",
        description: "Canonical, Ubuntu, 24.04, amd64 noble image",
        owner: CANONICAL_OWNER,
        owner_alias: None,
    },
];

/// The owner AWS shows for Amazon-published images.
pub const AMAZON_OWNER: &str = "137112412989";

/// Canonical's publishing account (Ubuntu images).
pub const CANONICAL_OWNER: &str = "099720109477";

/// A stable id for a built-in image in a region (FNV-1a of region and name).
pub fn builtin_image_id(region: &str, image: &BuiltinImage) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in region.bytes().chain([0]).chain(image.name.bytes()) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("ami-{:017x}", hash & 0x0000_0fff_ffff_ffff_ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_ids_are_well_formed_and_regional() {
        let a = builtin_image_id("ap-northeast-1", &BUILTIN_IMAGES[0]);
        let b = builtin_image_id("us-east-1", &BUILTIN_IMAGES[0]);
        assert!(valid_image_id(&a) && valid_image_id(&b));
        assert_ne!(a, b);
        assert!(!valid_image_id("ami-XYZ"));
    }
}

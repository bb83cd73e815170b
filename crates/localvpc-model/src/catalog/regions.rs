//! The commercial regions and their Availability Zones.
//!
//! Zone names are `<region><suffix>`; the ids are AWS's physical AZ ids. AWS shuffles the
//! name→id mapping per account; these defaults are one legal permutation (docs/aws-semantics.md §1.1).
//!
//! Coverage: every region of botocore's `aws` partition (China, GovCloud and the ISO
//! partitions are other partitions and are left out), each with only the zones AWS offers to
//! accounts today (e.g. `ap-northeast-1b`/`apne1-az3`, `ca-central-1c`/`cac1-az3` and
//! `usw1-az2` are closed to new accounts and absent).
//!
//! Mapping: regions launched after November 2012 map names to ids uniformly across accounts;
//! for those the pairs below are AWS's published mapping. The older, independently mapped
//! regions (us-east-1, us-west-1, us-west-2, eu-west-1, ap-northeast-1, ap-southeast-1,
//! ap-southeast-2, sa-east-1) have no single real mapping: any permutation of the region's
//! ids is what some account sees, so the pairs there are one such permutation.
//!
//! `opt_in_required` marks the regions launched after 20 March 2019, which accounts must
//! enable (ap-northeast-3 is older and enabled by default).

use super::RegionInfo;

pub(crate) const REGIONS: &[RegionInfo] = &[
    RegionInfo {
        name: "af-south-1",
        opt_in_required: true,
        zones: &[("a", "afs1-az1"), ("b", "afs1-az2"), ("c", "afs1-az3")],
    },
    RegionInfo {
        name: "ap-east-1",
        opt_in_required: true,
        zones: &[("a", "ape1-az1"), ("b", "ape1-az2"), ("c", "ape1-az3")],
    },
    RegionInfo {
        name: "ap-east-2",
        opt_in_required: true,
        zones: &[("a", "ape2-az1"), ("b", "ape2-az2"), ("c", "ape2-az3")],
    },
    RegionInfo {
        name: "ap-northeast-1",
        opt_in_required: false,
        zones: &[("a", "apne1-az4"), ("c", "apne1-az1"), ("d", "apne1-az2")],
    },
    RegionInfo {
        name: "ap-northeast-2",
        opt_in_required: false,
        zones: &[
            ("a", "apne2-az1"),
            ("b", "apne2-az2"),
            ("c", "apne2-az3"),
            ("d", "apne2-az4"),
        ],
    },
    RegionInfo {
        name: "ap-northeast-3",
        opt_in_required: false,
        zones: &[("a", "apne3-az1"), ("b", "apne3-az2"), ("c", "apne3-az3")],
    },
    RegionInfo {
        name: "ap-south-1",
        opt_in_required: false,
        zones: &[("a", "aps1-az1"), ("b", "aps1-az3"), ("c", "aps1-az2")],
    },
    RegionInfo {
        name: "ap-south-2",
        opt_in_required: true,
        zones: &[("a", "aps2-az1"), ("b", "aps2-az2"), ("c", "aps2-az3")],
    },
    RegionInfo {
        name: "ap-southeast-1",
        opt_in_required: false,
        zones: &[("a", "apse1-az1"), ("b", "apse1-az2"), ("c", "apse1-az3")],
    },
    RegionInfo {
        name: "ap-southeast-2",
        opt_in_required: false,
        zones: &[("a", "apse2-az1"), ("b", "apse2-az3"), ("c", "apse2-az2")],
    },
    RegionInfo {
        name: "ap-southeast-3",
        opt_in_required: true,
        zones: &[("a", "apse3-az1"), ("b", "apse3-az2"), ("c", "apse3-az3")],
    },
    RegionInfo {
        name: "ap-southeast-4",
        opt_in_required: true,
        zones: &[("a", "apse4-az1"), ("b", "apse4-az2"), ("c", "apse4-az3")],
    },
    RegionInfo {
        name: "ap-southeast-5",
        opt_in_required: true,
        zones: &[("a", "apse5-az1"), ("b", "apse5-az2"), ("c", "apse5-az3")],
    },
    RegionInfo {
        name: "ap-southeast-6",
        opt_in_required: true,
        zones: &[("a", "apse6-az1"), ("b", "apse6-az2"), ("c", "apse6-az3")],
    },
    RegionInfo {
        name: "ap-southeast-7",
        opt_in_required: true,
        zones: &[("a", "apse7-az1"), ("b", "apse7-az2"), ("c", "apse7-az3")],
    },
    RegionInfo {
        name: "ca-central-1",
        opt_in_required: false,
        zones: &[("a", "cac1-az1"), ("b", "cac1-az2"), ("d", "cac1-az4")],
    },
    RegionInfo {
        name: "ca-west-1",
        opt_in_required: true,
        zones: &[("a", "caw1-az1"), ("b", "caw1-az2"), ("c", "caw1-az3")],
    },
    RegionInfo {
        name: "eu-central-1",
        opt_in_required: false,
        zones: &[("a", "euc1-az2"), ("b", "euc1-az3"), ("c", "euc1-az1")],
    },
    RegionInfo {
        name: "eu-central-2",
        opt_in_required: true,
        zones: &[("a", "euc2-az1"), ("b", "euc2-az2"), ("c", "euc2-az3")],
    },
    RegionInfo {
        name: "eu-north-1",
        opt_in_required: false,
        zones: &[("a", "eun1-az1"), ("b", "eun1-az2"), ("c", "eun1-az3")],
    },
    RegionInfo {
        name: "eu-south-1",
        opt_in_required: true,
        zones: &[("a", "eus1-az1"), ("b", "eus1-az2"), ("c", "eus1-az3")],
    },
    RegionInfo {
        name: "eu-south-2",
        opt_in_required: true,
        zones: &[("a", "eus2-az1"), ("b", "eus2-az2"), ("c", "eus2-az3")],
    },
    RegionInfo {
        name: "eu-west-1",
        opt_in_required: false,
        zones: &[("a", "euw1-az1"), ("b", "euw1-az2"), ("c", "euw1-az3")],
    },
    RegionInfo {
        name: "eu-west-2",
        opt_in_required: false,
        zones: &[("a", "euw2-az2"), ("b", "euw2-az3"), ("c", "euw2-az1")],
    },
    RegionInfo {
        name: "eu-west-3",
        opt_in_required: false,
        zones: &[("a", "euw3-az1"), ("b", "euw3-az2"), ("c", "euw3-az3")],
    },
    RegionInfo {
        name: "il-central-1",
        opt_in_required: true,
        zones: &[("a", "ilc1-az1"), ("b", "ilc1-az2"), ("c", "ilc1-az3")],
    },
    RegionInfo {
        name: "me-central-1",
        opt_in_required: true,
        zones: &[("a", "mec1-az1"), ("b", "mec1-az2"), ("c", "mec1-az3")],
    },
    RegionInfo {
        name: "me-south-1",
        opt_in_required: true,
        zones: &[("a", "mes1-az1"), ("b", "mes1-az2"), ("c", "mes1-az3")],
    },
    RegionInfo {
        name: "mx-central-1",
        opt_in_required: true,
        zones: &[("a", "mxc1-az1"), ("b", "mxc1-az2"), ("c", "mxc1-az3")],
    },
    RegionInfo {
        name: "sa-east-1",
        opt_in_required: false,
        zones: &[("a", "sae1-az1"), ("b", "sae1-az2"), ("c", "sae1-az3")],
    },
    RegionInfo {
        name: "us-east-1",
        opt_in_required: false,
        zones: &[
            ("a", "use1-az6"),
            ("b", "use1-az1"),
            ("c", "use1-az2"),
            ("d", "use1-az4"),
            ("e", "use1-az3"),
            ("f", "use1-az5"),
        ],
    },
    RegionInfo {
        name: "us-east-2",
        opt_in_required: false,
        zones: &[("a", "use2-az1"), ("b", "use2-az2"), ("c", "use2-az3")],
    },
    RegionInfo {
        name: "us-west-1",
        opt_in_required: false,
        zones: &[("a", "usw1-az3"), ("b", "usw1-az1")],
    },
    RegionInfo {
        name: "us-west-2",
        opt_in_required: false,
        zones: &[
            ("a", "usw2-az1"),
            ("b", "usw2-az2"),
            ("c", "usw2-az3"),
            ("d", "usw2-az4"),
        ],
    },
];

//! The instance types DescribeInstanceTypes describes, read from `data/instance-types.txt`
//! (AWS's own values; see `scripts/gen-instance-types.py`). Data, not code.

use std::collections::BTreeMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../../data/instance-types.txt");

/// One instance type as DescribeInstanceTypes answers it. Lists are as AWS orders them;
/// `None` is a value AWS leaves out for the type.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceTypeInfo {
    pub name: &'static str,
    pub current_generation: bool,
    pub free_tier_eligible: bool,
    pub usage_classes: Vec<&'static str>,
    pub root_device_types: Vec<&'static str>,
    pub virtualization_types: Vec<&'static str>,
    pub bare_metal: bool,
    pub hypervisor: Option<&'static str>,
    pub architectures: Vec<&'static str>,
    pub clock_ghz: Option<&'static str>,
    pub vcpus: u32,
    pub cores: Option<u32>,
    pub threads_per_core: Option<u32>,
    pub memory_mib: u64,
    pub instance_storage: bool,
    pub storage_gb: Option<u64>,
    pub ebs_optimized_support: &'static str,
    pub ebs_encryption: &'static str,
    pub ebs_nvme: Option<&'static str>,
    pub max_interfaces: u32,
    pub ipv4_per_interface: u32,
    pub ipv6_per_interface: u32,
    pub ipv6_supported: bool,
    pub network_performance: &'static str,
    pub ena_support: &'static str,
    pub placement_strategies: Vec<&'static str>,
    pub hibernation: bool,
    pub burstable: bool,
    pub dedicated_hosts: bool,
    pub auto_recovery: bool,
    pub boot_modes: Vec<&'static str>,
}

impl InstanceTypeInfo {
    /// The CPU credit option a new instance of this type gets (DescribeInstanceCreditSpecifications):
    /// `standard` for T2, `unlimited` for the later burstable families, `None` otherwise.
    pub fn default_cpu_credits(&self) -> Option<&'static str> {
        if !self.burstable {
            None
        } else if self.name.starts_with("t2.") {
            Some("standard")
        } else {
            Some("unlimited")
        }
    }
}

/// Every instance type of the table, by name.
pub fn instance_types() -> &'static BTreeMap<&'static str, InstanceTypeInfo> {
    static TYPES: OnceLock<BTreeMap<&'static str, InstanceTypeInfo>> = OnceLock::new();
    TYPES.get_or_init(|| {
        // (A malformed line is left out; the tests check that none is.)
        data_lines(TABLE)
            .filter_map(parse_line)
            .map(|info| (info.name, info))
            .collect()
    })
}

/// The instance type `name`, if DescribeInstanceTypes describes it.
pub fn instance_type(name: &str) -> Option<&'static InstanceTypeInfo> {
    instance_types().get(name)
}

fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
}

fn parse_line(line: &'static str) -> Option<InstanceTypeInfo> {
    let mut c = Columns(line.split('\t'));
    let info = InstanceTypeInfo {
        name: c.word()?,
        current_generation: c.flag()?,
        free_tier_eligible: c.flag()?,
        usage_classes: c.list()?,
        root_device_types: c.list()?,
        virtualization_types: c.list()?,
        bare_metal: c.flag()?,
        hypervisor: c.opt()?,
        architectures: c.list()?,
        clock_ghz: c.opt()?,
        vcpus: c.num()?,
        cores: c.opt_num()?,
        threads_per_core: c.opt_num()?,
        memory_mib: c.num()?,
        instance_storage: c.flag()?,
        storage_gb: c.opt_num()?,
        ebs_optimized_support: c.word()?,
        ebs_encryption: c.word()?,
        ebs_nvme: c.opt()?,
        max_interfaces: c.num()?,
        ipv4_per_interface: c.num()?,
        ipv6_per_interface: c.num()?,
        ipv6_supported: c.flag()?,
        network_performance: c.word()?,
        ena_support: c.word()?,
        placement_strategies: c.list()?,
        hibernation: c.flag()?,
        burstable: c.flag()?,
        dedicated_hosts: c.flag()?,
        auto_recovery: c.flag()?,
        boot_modes: c.list()?,
    };
    // A line with more columns than the table's is as wrong as one with fewer.
    c.0.next().is_none().then_some(info)
}

/// The columns of one line, read in order; `None` when one is missing or malformed.
struct Columns<I>(I);

impl<I: Iterator<Item = &'static str>> Columns<I> {
    fn word(&mut self) -> Option<&'static str> {
        self.0.next().filter(|w| !w.is_empty())
    }

    /// `-` is absent.
    fn opt(&mut self) -> Option<Option<&'static str>> {
        self.word().map(|w| Some(w).filter(|w| *w != "-"))
    }

    fn flag(&mut self) -> Option<bool> {
        match self.word()? {
            "t" => Some(true),
            "f" => Some(false),
            _ => None,
        }
    }

    fn list(&mut self) -> Option<Vec<&'static str>> {
        Some(
            self.opt()?
                .map(|w| w.split(',').collect())
                .unwrap_or_default(),
        )
    }

    fn num<N: std::str::FromStr>(&mut self) -> Option<N> {
        self.word()?.parse().ok()
    }

    fn opt_num<N: std::str::FromStr>(&mut self) -> Option<Option<N>> {
        match self.opt()? {
            None => Some(None),
            Some(w) => w.parse().ok().map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_line_parses() {
        for line in data_lines(TABLE) {
            assert!(parse_line(line).is_some(), "{line}");
        }
        assert!(instance_types().len() > 1000);
    }

    #[test]
    fn t3_micro_has_aws_values() {
        let t = instance_type("t3.micro").unwrap();
        assert_eq!(
            (t.vcpus, t.cores, t.threads_per_core),
            (2, Some(1), Some(2))
        );
        assert_eq!(t.memory_mib, 1024);
        assert_eq!(t.hypervisor, Some("nitro"));
        assert_eq!(t.architectures, ["x86_64"]);
        assert_eq!(t.network_performance, "Up to 5 Gigabit");
        assert!(t.burstable && t.free_tier_eligible && t.current_generation);
        assert_eq!(t.default_cpu_credits(), Some("unlimited"));
    }

    #[test]
    fn cpu_credits_follow_the_family() {
        let credits = |n: &str| instance_type(n).unwrap().default_cpu_credits();
        assert_eq!(credits("t2.micro"), Some("standard"));
        assert_eq!(credits("t3a.small"), Some("unlimited"));
        assert_eq!(credits("t4g.nano"), Some("unlimited"));
        assert_eq!(credits("m5.large"), None);
        assert!(instance_type("nope.large").is_none());
    }
}

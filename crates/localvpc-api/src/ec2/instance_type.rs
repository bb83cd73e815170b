//! DescribeInstanceTypes and DescribeInstanceTypeOfferings, from the model's table of AWS's
//! own values (`localvpc-model/data/instance-types.txt`). Every type of the table is offered
//! in every region and in each of its Availability Zones.

use super::describe::Describe;
use super::filter::Bounds;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{InstanceTypeInfo, ModelError, instance_type, instance_types};
use localvpc_wire::xml::XmlWriter;

/// DescribeInstanceTypes' `MaxResults` (DITMaxResults).
const TYPE_BOUNDS: Bounds = Bounds { min: 5, max: 100 };
/// DescribeInstanceTypeOfferings' `MaxResults` (DITOMaxResults).
const OFFERING_BOUNDS: Bounds = Bounds { min: 5, max: 1000 };

const TYPE_FILTERS: &[&str] = &[
    "auto-recovery-supported",
    "bare-metal",
    "burstable-performance-supported",
    "current-generation",
    "dedicated-hosts-supported",
    "ebs-info.ebs-optimized-support",
    "ebs-info.encryption-support",
    "ebs-info.nvme-support",
    "free-tier-eligible",
    "hibernation-supported",
    "hypervisor",
    "instance-storage-info.total-size-in-gb",
    "instance-storage-supported",
    "instance-type",
    "memory-info.size-in-mib",
    "network-info.ena-support",
    "network-info.ipv4-addresses-per-interface",
    "network-info.ipv6-addresses-per-interface",
    "network-info.ipv6-supported",
    "network-info.maximum-network-interfaces",
    "network-info.network-performance",
    "placement-group-info.supported-strategy",
    "processor-info.supported-architecture",
    "processor-info.sustained-clock-speed-in-ghz",
    "supported-boot-mode",
    "supported-root-device-type",
    "supported-usage-class",
    "supported-virtualization-type",
    "vcpu-info.default-cores",
    "vcpu-info.default-threads-per-core",
    "vcpu-info.default-vcpus",
];

fn type_values(t: &InstanceTypeInfo, name: &str) -> Vec<String> {
    let one = |v: String| vec![v];
    let many = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect();
    match name {
        "auto-recovery-supported" => one(t.auto_recovery.to_string()),
        "bare-metal" => one(t.bare_metal.to_string()),
        "burstable-performance-supported" => one(t.burstable.to_string()),
        "current-generation" => one(t.current_generation.to_string()),
        "dedicated-hosts-supported" => one(t.dedicated_hosts.to_string()),
        "ebs-info.ebs-optimized-support" => one(t.ebs_optimized_support.to_owned()),
        "ebs-info.encryption-support" => one(t.ebs_encryption.to_owned()),
        "ebs-info.nvme-support" => t.ebs_nvme.iter().map(|s| (*s).to_owned()).collect(),
        "free-tier-eligible" => one(t.free_tier_eligible.to_string()),
        "hibernation-supported" => one(t.hibernation.to_string()),
        "hypervisor" => t.hypervisor.iter().map(|s| (*s).to_owned()).collect(),
        "instance-storage-info.total-size-in-gb" => {
            t.storage_gb.iter().map(ToString::to_string).collect()
        }
        "instance-storage-supported" => one(t.instance_storage.to_string()),
        "instance-type" => one(t.name.to_owned()),
        "memory-info.size-in-mib" => one(t.memory_mib.to_string()),
        "network-info.ena-support" => one(t.ena_support.to_owned()),
        "network-info.ipv4-addresses-per-interface" => one(t.ipv4_per_interface.to_string()),
        "network-info.ipv6-addresses-per-interface" => one(t.ipv6_per_interface.to_string()),
        "network-info.ipv6-supported" => one(t.ipv6_supported.to_string()),
        "network-info.maximum-network-interfaces" => one(t.max_interfaces.to_string()),
        "network-info.network-performance" => one(t.network_performance.to_owned()),
        "placement-group-info.supported-strategy" => many(&t.placement_strategies),
        "processor-info.supported-architecture" => many(&t.architectures),
        "processor-info.sustained-clock-speed-in-ghz" => {
            t.clock_ghz.iter().map(|s| (*s).to_owned()).collect()
        }
        "supported-boot-mode" => many(&t.boot_modes),
        "supported-root-device-type" => many(&t.root_device_types),
        "supported-usage-class" => many(&t.usage_classes),
        "supported-virtualization-type" => many(&t.virtualization_types),
        "vcpu-info.default-cores" => t.cores.iter().map(ToString::to_string).collect(),
        "vcpu-info.default-threads-per-core" => {
            t.threads_per_core.iter().map(ToString::to_string).collect()
        }
        "vcpu-info.default-vcpus" => one(t.vcpus.to_string()),
        _ => Vec::new(),
    }
}

fn write_words(w: &mut XmlWriter, tag: &str, words: &[&str]) {
    w.list(tag, words, |w, s| {
        w.text(s);
    });
}

fn write_type(w: &mut XmlWriter, t: &InstanceTypeInfo) {
    w.leaf("instanceType", t.name)
        .bool("currentGeneration", t.current_generation)
        .bool("freeTierEligible", t.free_tier_eligible);
    write_words(w, "supportedUsageClasses", &t.usage_classes);
    write_words(w, "supportedRootDeviceTypes", &t.root_device_types);
    write_words(w, "supportedVirtualizationTypes", &t.virtualization_types);
    w.bool("bareMetal", t.bare_metal)
        .leaf_opt("hypervisor", t.hypervisor)
        .node("processorInfo", |w| {
            write_words(w, "supportedArchitectures", &t.architectures);
            w.leaf_opt("sustainedClockSpeedInGhz", t.clock_ghz);
        })
        .node("vCpuInfo", |w| {
            w.num("defaultVCpus", t.vcpus);
            if let Some(cores) = t.cores {
                w.num("defaultCores", cores);
            }
            if let Some(threads) = t.threads_per_core {
                w.num("defaultThreadsPerCore", threads);
            }
        })
        .node("memoryInfo", |w| {
            w.num("sizeInMiB", t.memory_mib);
        })
        .bool("instanceStorageSupported", t.instance_storage);
    if let Some(gb) = t.storage_gb {
        w.node("instanceStorageInfo", |w| {
            w.num("totalSizeInGB", gb);
        });
    }
    w.node("ebsInfo", |w| {
        w.leaf("ebsOptimizedSupport", t.ebs_optimized_support)
            .leaf("encryptionSupport", t.ebs_encryption)
            .leaf_opt("nvmeSupport", t.ebs_nvme);
    })
    .node("networkInfo", |w| {
        w.leaf("networkPerformance", t.network_performance)
            .num("maximumNetworkInterfaces", t.max_interfaces)
            .num("maximumNetworkCards", 1)
            .num("defaultNetworkCardIndex", 0)
            .num("ipv4AddressesPerInterface", t.ipv4_per_interface)
            .num("ipv6AddressesPerInterface", t.ipv6_per_interface)
            .bool("ipv6Supported", t.ipv6_supported)
            .leaf("enaSupport", t.ena_support)
            .bool("efaSupported", false)
            .bool("encryptionInTransitSupported", false);
    });
    if !t.placement_strategies.is_empty() {
        w.node("placementGroupInfo", |w| {
            write_words(w, "supportedStrategies", &t.placement_strategies);
        });
    }
    w.bool("hibernationSupported", t.hibernation)
        .bool("burstablePerformanceSupported", t.burstable)
        .bool("dedicatedHostsSupported", t.dedicated_hosts)
        .bool("autoRecoverySupported", t.auto_recovery);
    write_words(w, "supportedBootModes", &t.boot_modes);
    w.bool("supportedInRegion", true);
}

pub(super) fn describe_types<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let named = p.list("InstanceType");
    let _unsupported = p.bool("IncludeUnsupportedInRegion")?;
    let describe = Describe::new(op)
        .filters(TYPE_FILTERS, false)?
        .paged(&TYPE_BOUNDS)?;
    let unknown: Vec<&str> = named
        .iter()
        .copied()
        .filter(|n| instance_type(n).is_none())
        .collect();
    if !unknown.is_empty() {
        return Err(ModelError::InvalidInstanceType {
            names: unknown.into_iter().map(str::to_owned).collect(),
        }
        .into());
    }
    describe.snapshot()?;
    let chosen: Vec<&InstanceTypeInfo> = instance_types()
        .values()
        .filter(|t| named.is_empty() || named.contains(&t.name))
        .filter(|t| describe.matches(None, |f| type_values(t, f)))
        .collect();
    describe.respond("instanceTypeSet", chosen, |t| t.name, write_type)
}

/// One row of DescribeInstanceTypeOfferings; `key` orders the pages.
struct Offering {
    key: String,
    instance_type: &'static str,
    location: String,
}

pub(super) fn describe_offerings<B: Backend>(op: &Op<'_, B>) -> Body {
    let location_type = op.params.opt("LocationType").unwrap_or("region");
    let describe = Describe::new(op)
        .filters(&["instance-type", "location"], false)?
        .paged(&OFFERING_BOUNDS)?;
    let scope = &op.ctx.scope;
    let zones = op.backend.catalog().zones(&scope.account, &scope.region);
    let locations: Vec<String> = match location_type {
        "region" => vec![scope.region.to_string()],
        "availability-zone" => zones.into_iter().map(|z| z.name).collect(),
        "availability-zone-id" => zones.into_iter().map(|z| z.id).collect(),
        // localvpc has no Outposts: nothing is offered on one.
        "outpost" => Vec::new(),
        other => {
            return Err(ApiError::invalid_value(format!(
                "Value ({other}) for parameter locationType is invalid. Valid values are region, availability-zone, availability-zone-id, outpost."
            )));
        }
    };
    describe.snapshot()?;
    let mut offerings: Vec<Offering> = Vec::new();
    for location in &locations {
        for t in instance_types().values() {
            let matched = describe.matches(None, |f| match f {
                "instance-type" => vec![t.name.to_owned()],
                "location" => vec![location.clone()],
                _ => Vec::new(),
            });
            if matched {
                offerings.push(Offering {
                    key: format!("{location}/{}", t.name),
                    instance_type: t.name,
                    location: location.clone(),
                });
            }
        }
    }
    offerings.sort_by(|a, b| a.key.cmp(&b.key));
    describe.respond(
        "instanceTypeOfferingSet",
        offerings,
        |o| o.key.as_str(),
        |w, o| {
            w.leaf("instanceType", o.instance_type)
                .leaf("locationType", location_type)
                .leaf("location", &o.location);
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fake, ME, all, error, ok};

    #[test]
    fn types_are_described_with_their_values() {
        let b = Fake::default();
        let body = ok(
            &b,
            ME,
            "Action=DescribeInstanceTypes&InstanceType.1=t3.micro&InstanceType.2=m5.large",
        );
        assert_eq!(all(&body, "instanceType"), ["m5.large", "t3.micro"]);
        assert!(body.contains("<vCpuInfo><defaultVCpus>2</defaultVCpus>"));
        assert!(body.contains("<memoryInfo><sizeInMiB>1024</sizeInMiB></memoryInfo>"));
        assert!(
            body.contains("<supportedArchitectures><item>x86_64</item></supportedArchitectures>")
        );
        let unknown = "Action=DescribeInstanceTypes&InstanceType.1=t3.enormous";
        assert_eq!(error(&b, ME, unknown), "InvalidInstanceType");
    }

    #[test]
    fn filters_and_pages() {
        let b = Fake::default();
        let t3 = "&Filter.1.Name=instance-type&Filter.1.Value.1=t3.*";
        let all_t3 = all(
            &ok(&b, ME, &format!("Action=DescribeInstanceTypes{t3}")),
            "instanceType",
        );
        assert!(all_t3.len() > 5 && all_t3.iter().all(|t| t.starts_with("t3.")));
        let first = ok(
            &b,
            ME,
            &format!("Action=DescribeInstanceTypes{t3}&MaxResults=5"),
        );
        let token = all(&first, "nextToken").remove(0);
        let rest = ok(
            &b,
            ME,
            &format!("Action=DescribeInstanceTypes{t3}&MaxResults=100&NextToken={token}"),
        );
        let mut paged = all(&first, "instanceType");
        paged.extend(all(&rest, "instanceType"));
        assert_eq!(paged, all_t3);
        let too_many = "Action=DescribeInstanceTypes&MaxResults=101";
        assert_eq!(error(&b, ME, too_many), "InvalidParameterValue");
        let burstable = "Action=DescribeInstanceTypes&Filter.1.Name=burstable-performance-supported\
                         &Filter.1.Value.1=true&Filter.2.Name=instance-type&Filter.2.Value.1=m5.*";
        assert!(all(&ok(&b, ME, burstable), "instanceType").is_empty());
    }

    #[test]
    fn offerings_by_region_and_zone() {
        let b = Fake::default();
        let one = "&Filter.1.Name=instance-type&Filter.1.Value.1=t3.micro";
        let region = ok(
            &b,
            ME,
            &format!("Action=DescribeInstanceTypeOfferings{one}"),
        );
        assert_eq!(all(&region, "location"), ["ap-northeast-1"]);
        assert_eq!(all(&region, "locationType"), ["region"]);
        let zones = ok(
            &b,
            ME,
            &format!("Action=DescribeInstanceTypeOfferings&LocationType=availability-zone{one}"),
        );
        assert_eq!(
            all(&zones, "location"),
            ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]
        );
        let bad = "Action=DescribeInstanceTypeOfferings&LocationType=planet";
        assert_eq!(error(&b, ME, bad), "InvalidParameterValue");
    }
}

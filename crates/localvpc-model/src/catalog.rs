//! The regions and Availability Zones localvpc offers.
//!
//! AZ *names* are per-account aliases of physical AZ *ids* (docs/aws-semantics.md §1.1). The default mapping
//! comes from [`regions::REGIONS`]; [`Catalog::map_az`] overrides it globally or per account.

mod aws_services;
mod instance_types;
mod regions;

pub(crate) use aws_services::fnv1a;
pub use aws_services::{
    AwsPrefixList, AwsServiceEntry, EndpointType, PREFIX_LIST_SERVICES, aws_prefix_list_for,
    aws_prefix_lists, aws_services,
};
pub use instance_types::{InstanceTypeInfo, instance_type, instance_types};

use crate::scope::AccountId;
use std::collections::BTreeMap;

/// One commercial region as AWS publishes it.
#[derive(Clone, Copy, Debug)]
pub struct RegionInfo {
    pub name: &'static str,
    /// Regions launched after March 2019 must be enabled by the account in AWS;
    /// localvpc treats them as enabled (`opted-in`).
    pub opt_in_required: bool,
    /// Default (zone-name suffix, zone id) pairs, e.g. `("a", "apne1-az4")`.
    pub zones: &'static [(&'static str, &'static str)],
}

impl RegionInfo {
    pub fn endpoint(&self) -> String {
        format!("ec2.{}.amazonaws.com", self.name)
    }

    /// `opt-in-not-required` or `opted-in`, as DescribeRegions reports it.
    pub fn opt_in_status(&self) -> &'static str {
        if self.opt_in_required {
            "opted-in"
        } else {
            "opt-in-not-required"
        }
    }
}

/// An Availability Zone as one account sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AvailabilityZone {
    pub region: &'static str,
    pub name: String,
    pub id: String,
}

/// The region table plus any configured AZ-id overrides.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    /// (account or None for all, zone name) → zone id.
    overrides: BTreeMap<(Option<AccountId>, String), String>,
}

impl Catalog {
    pub fn regions(&self) -> &'static [RegionInfo] {
        regions::REGIONS
    }

    pub fn region(&self, name: &str) -> Option<&'static RegionInfo> {
        regions::REGIONS.iter().find(|r| r.name == name)
    }

    /// Maps a zone name to another zone id, for one account or (None) for all.
    pub fn map_az(&mut self, account: Option<AccountId>, zone_name: &str, zone_id: &str) {
        self.overrides
            .insert((account, zone_name.to_owned()), zone_id.to_owned());
    }

    /// The zones of a region as `account` sees them, ordered by name.
    pub fn zones(&self, account: &AccountId, region: &str) -> Vec<AvailabilityZone> {
        let Some(info) = self.region(region) else {
            return Vec::new();
        };
        info.zones
            .iter()
            .map(|(suffix, default_id)| {
                let name = format!("{region}{suffix}");
                let id = self
                    .overrides
                    .get(&(Some(account.clone()), name.clone()))
                    .or_else(|| self.overrides.get(&(None, name.clone())))
                    .cloned()
                    .unwrap_or_else(|| (*default_id).to_owned());
                AvailabilityZone {
                    region: info.name,
                    name,
                    id,
                }
            })
            .collect()
    }

    /// Finds a zone of the account's region by name or by id.
    pub fn zone(
        &self,
        account: &AccountId,
        region: &str,
        name_or_id: &str,
    ) -> Option<AvailabilityZone> {
        self.zones(account, region)
            .into_iter()
            .find(|z| z.name == name_or_id || z.id == name_or_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokyo_defaults_follow_the_spec() {
        let c = Catalog::default();
        let zones = c.zones(&AccountId::default_account(), "ap-northeast-1");
        let pairs: Vec<_> = zones
            .iter()
            .map(|z| (z.name.as_str(), z.id.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("ap-northeast-1a", "apne1-az4"),
                ("ap-northeast-1c", "apne1-az1"),
                ("ap-northeast-1d", "apne1-az2")
            ]
        );
    }

    #[test]
    fn overrides_apply_per_account() {
        let mut c = Catalog::default();
        let acct = AccountId::parse("111111111111").unwrap();
        c.map_az(Some(acct.clone()), "ap-northeast-1a", "apne1-az1");
        assert_eq!(
            c.zone(&acct, "ap-northeast-1", "ap-northeast-1a")
                .unwrap()
                .id,
            "apne1-az1"
        );
        let other = AccountId::default_account();
        assert_eq!(
            c.zone(&other, "ap-northeast-1", "ap-northeast-1a")
                .unwrap()
                .id,
            "apne1-az4"
        );
    }

    #[test]
    fn every_region_has_zones_with_well_formed_ids() {
        for r in Catalog::default().regions() {
            assert!(r.zones.len() >= 2, "{}", r.name);
            for (suffix, id) in r.zones {
                assert_eq!(suffix.len(), 1, "{}", r.name);
                assert!(id.contains("-az"), "{id}");
            }
        }
    }
}

//! DescribeRegions and DescribeAvailabilityZones.

use super::describe::Describe;
use super::{Body, Op};
use crate::{ApiError, Backend};

pub(super) fn describe_regions<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let names = p.list("RegionName");
    let _all = p.bool("AllRegions")?;
    let describe =
        Describe::new(op).filters(&["endpoint", "opt-in-status", "region-name"], false)?;
    let catalog = op.backend.catalog();
    for name in &names {
        if catalog.region(name).is_none() {
            return Err(ApiError::invalid_value(format!(
                "Invalid region name: {name}"
            )));
        }
    }
    op.check_dry_run()?;
    // Every region is enabled in localvpc, so AllRegions changes nothing.
    let regions: Vec<_> = catalog
        .regions()
        .iter()
        .filter(|r| names.is_empty() || names.contains(&r.name))
        .filter(|r| {
            describe.matches(None, |f| match f {
                "endpoint" => vec![r.endpoint()],
                "opt-in-status" => vec![r.opt_in_status().to_owned()],
                "region-name" => vec![r.name.to_owned()],
                _ => Vec::new(),
            })
        })
        .collect();
    describe.respond(
        "regionInfo",
        regions,
        |r| r.name,
        |w, r| {
            w.leaf("regionName", r.name)
                .leaf("regionEndpoint", &r.endpoint())
                .leaf("optInStatus", r.opt_in_status());
        },
    )
}

pub(super) fn describe_availability_zones<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let names = p.list("ZoneName");
    let ids = p.list("ZoneId");
    let _all = p.bool("AllAvailabilityZones")?;
    let describe = Describe::new(op).filters(
        &[
            "group-long-name",
            "group-name",
            "message",
            "opt-in-status",
            "parent-zone-id",
            "parent-zone-name",
            "region-name",
            "state",
            "zone-id",
            "zone-name",
            "zone-type",
        ],
        false,
    )?;
    let scope = &op.ctx.scope;
    let zones = op.backend.catalog().zones(&scope.account, &scope.region);
    for wanted in names.iter().chain(ids.iter()) {
        if !zones.iter().any(|z| z.name == *wanted || z.id == *wanted) {
            return Err(ApiError::invalid_value(format!(
                "The zone '{wanted}' does not exist in the region"
            )));
        }
    }
    op.check_dry_run()?;
    let selected: Vec<_> = zones
        .into_iter()
        .filter(|z| {
            names.is_empty() && ids.is_empty()
                || names.contains(&z.name.as_str())
                || ids.contains(&z.id.as_str())
        })
        .filter(|z| {
            describe.matches(None, |f| match f {
                "group-name" | "region-name" => vec![z.region.to_owned()],
                "opt-in-status" => vec!["opt-in-not-required".to_owned()],
                "state" => vec!["available".to_owned()],
                "zone-id" => vec![z.id.clone()],
                "zone-name" => vec![z.name.clone()],
                "zone-type" => vec!["availability-zone".to_owned()],
                _ => Vec::new(),
            })
        })
        .collect();
    describe.respond(
        "availabilityZoneInfo",
        selected,
        |z| z.name.as_str(),
        |w, z| {
            w.leaf("zoneName", &z.name)
                .leaf("zoneState", "available")
                .leaf("regionName", z.region)
                .leaf("zoneId", &z.id)
                .leaf("optInStatus", "opt-in-not-required")
                .leaf("groupName", z.region)
                .leaf("networkBorderGroup", z.region)
                .leaf("zoneType", "availability-zone")
                .list("messageSet", Vec::<()>::new(), |_, ()| {});
        },
    )
}

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

#[cfg(test)]
mod tests {
    use super::super::testing::{Fake, ME, OTHER, all, dry_run, error, ok, unknown_filter};

    #[test]
    fn describe_regions_lists_every_region_or_the_ones_named() {
        let b = Fake::default();
        let describe = "Action=DescribeRegions";
        dry_run(&b, describe);
        let body = ok(&b, ME, describe);
        let names = all(&body, "regionName");
        assert!(names.len() > 30, "{names:?}");
        for name in ["ap-northeast-1", "us-east-1", "af-south-1"] {
            assert!(names.iter().any(|n| n == name), "{name}");
        }
        let one = ok(&b, ME, &format!("{describe}&RegionName.1=ap-northeast-1"));
        assert_eq!(all(&one, "regionName"), ["ap-northeast-1"]);
        assert_eq!(
            all(&one, "regionEndpoint"),
            ["ec2.ap-northeast-1.amazonaws.com"]
        );
        assert_eq!(all(&one, "optInStatus"), ["opt-in-not-required"]);
        let two = format!("{describe}&RegionName.1=us-east-1&RegionName.2=eu-west-1");
        assert_eq!(all(&ok(&b, ME, &two), "regionName").len(), 2);
        // Every region is enabled: AllRegions changes nothing.
        let every = ok(&b, ME, &format!("{describe}&AllRegions=true"));
        assert_eq!(all(&every, "regionName"), names);
        let opted_in = format!("{describe}&Filter.1.Name=opt-in-status&Filter.1.Value.1=opted-in");
        let opted_in = all(&ok(&b, ME, &opted_in), "regionName");
        assert!(opted_in.iter().any(|n| n == "af-south-1"), "{opted_in:?}");
        assert!(!opted_in.iter().any(|n| n == "ap-northeast-1"));
        let by_endpoint = format!(
            "{describe}&Filter.1.Name=endpoint&Filter.1.Value.1=ec2.us-east-1.amazonaws.com"
        );
        assert_eq!(all(&ok(&b, ME, &by_endpoint), "regionName"), ["us-east-1"]);
        let none = format!("{describe}&Filter.1.Name=region-name&Filter.1.Value.1=mars-1");
        assert!(all(&ok(&b, ME, &none), "regionName").is_empty());
        for bad in ["RegionName.1=mars-1", "AllRegions=perhaps"] {
            let q = format!("{describe}&{bad}");
            assert_eq!(error(&b, ME, &q), "InvalidParameterValue", "{bad}");
        }
        // A name is checked before DryRun answers.
        let q = format!("{describe}&RegionName.1=mars-1&DryRun=true");
        assert_eq!(error(&b, ME, &q), "InvalidParameterValue");
        unknown_filter(&b, describe);
    }

    #[test]
    fn describe_availability_zones_answers_the_caller_s_region() {
        let b = Fake::default();
        let describe = "Action=DescribeAvailabilityZones";
        dry_run(&b, describe);
        let body = ok(&b, ME, describe);
        let zones = ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"];
        assert_eq!(all(&body, "zoneName"), zones);
        assert_eq!(
            all(&body, "zoneId"),
            ["apne1-az4", "apne1-az1", "apne1-az2"]
        );
        assert_eq!(all(&body, "regionName"), ["ap-northeast-1"; 3]);
        assert_eq!(all(&body, "zoneState"), ["available"; 3]);
        assert_eq!(all(&body, "zoneType"), ["availability-zone"; 3]);
        assert_eq!(all(&ok(&b, OTHER, describe), "zoneName"), zones);
        let by_name = ok(&b, ME, &format!("{describe}&ZoneName.1=ap-northeast-1c"));
        assert_eq!(all(&by_name, "zoneId"), ["apne1-az1"]);
        let by_id = ok(&b, ME, &format!("{describe}&ZoneId.1=apne1-az2"));
        assert_eq!(all(&by_id, "zoneName"), ["ap-northeast-1d"]);
        let both = format!("{describe}&ZoneName.1=ap-northeast-1a&ZoneId.1=apne1-az2");
        assert_eq!(
            all(&ok(&b, ME, &both), "zoneName"),
            ["ap-northeast-1a", "ap-northeast-1d"]
        );
        let filtered = |filter: &str| {
            let q = format!("{describe}&Filter.1.Name={filter}");
            all(&ok(&b, ME, &q), "zoneName")
        };
        assert_eq!(
            filtered("zone-id&Filter.1.Value.1=apne1-az4"),
            ["ap-northeast-1a"]
        );
        assert_eq!(filtered("state&Filter.1.Value.1=available"), zones);
        assert!(filtered("state&Filter.1.Value.1=impaired").is_empty());
        assert!(filtered("region-name&Filter.1.Value.1=us-east-1").is_empty());
        for bad in [
            "ZoneName.1=ap-northeast-1b",
            "ZoneName.1=us-east-1a",
            "ZoneId.1=use1-az1",
            "AllAvailabilityZones=perhaps",
        ] {
            let q = format!("{describe}&{bad}");
            assert_eq!(error(&b, ME, &q), "InvalidParameterValue", "{bad}");
        }
        unknown_filter(&b, describe);
    }
}

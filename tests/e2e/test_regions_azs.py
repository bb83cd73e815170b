"""DescribeRegions and DescribeAvailabilityZones."""

import pytest

from helpers import APNE1_AZ_IDS, expect_client_error, expect_dry_run, expect_error

STANDARD_REGIONS = {"us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1", "ap-southeast-1"}


# --------------------------------------------------------------------------- regions


def test_describe_regions_lists_enabled_regions_with_endpoints(ec2):
    regions = ec2.describe_regions()["Regions"]
    names = [r["RegionName"] for r in regions]
    assert len(names) == len(set(names)), f"duplicate regions: {names}"
    assert STANDARD_REGIONS <= set(names)
    for r in regions:
        assert r["Endpoint"] == f"ec2.{r['RegionName']}.amazonaws.com"
        # Without AllRegions only regions enabled for the account are listed.
        assert r["OptInStatus"] in ("opt-in-not-required", "opted-in"), r
    apne1 = next(r for r in regions if r["RegionName"] == "ap-northeast-1")
    assert apne1["OptInStatus"] == "opt-in-not-required"


def test_describe_regions_by_name(ec2):
    regions = ec2.describe_regions(RegionNames=["ap-northeast-1", "us-east-1"])["Regions"]
    assert sorted(r["RegionName"] for r in regions) == ["ap-northeast-1", "us-east-1"]


def test_describe_regions_filters(ec2):
    got = ec2.describe_regions(Filters=[{"Name": "region-name", "Values": ["us-east-1"]}])["Regions"]
    assert [r["RegionName"] for r in got] == ["us-east-1"]

    got = ec2.describe_regions(Filters=[{"Name": "endpoint", "Values": ["ec2.ap-northeast-1.amazonaws.com"]}])
    assert [r["RegionName"] for r in got["Regions"]] == ["ap-northeast-1"]

    # Wildcards in filter values.
    got = ec2.describe_regions(Filters=[{"Name": "region-name", "Values": ["ap-northeast-*"]}])["Regions"]
    names = {r["RegionName"] for r in got}
    assert "ap-northeast-1" in names
    assert all(n.startswith("ap-northeast-") for n in names)

    got = ec2.describe_regions(Filters=[{"Name": "region-name", "Values": ["us-east-?"]}])["Regions"]
    names = {r["RegionName"] for r in got}
    assert "us-east-1" in names and all(len(n) == len("us-east-1") and n.startswith("us-east-") for n in names)

    got = ec2.describe_regions(Filters=[{"Name": "opt-in-status", "Values": ["opt-in-not-required"]}])["Regions"]
    assert STANDARD_REGIONS <= {r["RegionName"] for r in got}


def test_describe_regions_all_regions_is_superset(ec2):
    enabled = {r["RegionName"] for r in ec2.describe_regions()["Regions"]}
    everything = ec2.describe_regions(AllRegions=True)["Regions"]
    assert enabled <= {r["RegionName"] for r in everything}
    for r in everything:
        assert r["OptInStatus"] in ("opt-in-not-required", "opted-in", "not-opted-in")


def test_describe_regions_unknown_filter(ec2):
    expect_error(ec2.describe_regions, Filters=[{"Name": "no-such-filter", "Values": ["x"]}],
                 code="InvalidParameterValue")


def test_describe_regions_unknown_region_name(ec2):
    # AWS-UNCONFIRMED: exact code for an unknown RegionNames entry (InvalidParameterValue
    # is most likely); only the client-error class is asserted.
    expect_client_error(ec2.describe_regions, RegionNames=["xx-nowhere-9"])


def test_describe_regions_dry_run(ec2):
    expect_dry_run(ec2.describe_regions)


# --------------------------------------------------------------------------- availability zones


def test_describe_azs_ap_northeast_1_names_and_ids(ec2):
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    got = {z["ZoneName"]: z["ZoneId"] for z in zones}
    assert got == APNE1_AZ_IDS
    for z in zones:
        assert z["State"] == "available"
        assert z["RegionName"] == "ap-northeast-1"
        assert z["ZoneType"] == "availability-zone"
        assert z["OptInStatus"] == "opt-in-not-required"
        assert z["NetworkBorderGroup"] == "ap-northeast-1"
        # AWS-UNCONFIRMED: AWS has been moving GroupName from the region name to
        # "<region>-zg-1"; either is accepted.
        assert z["GroupName"] in ("ap-northeast-1", "ap-northeast-1-zg-1")


def test_describe_azs_us_east_1(make_client):
    ec2 = make_client(region="us-east-1")
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    assert len(zones) >= 2
    names = [z["ZoneName"] for z in zones]
    ids = [z["ZoneId"] for z in zones]
    assert len(set(names)) == len(names) and len(set(ids)) == len(ids)
    for z in zones:
        assert z["RegionName"] == "us-east-1"
        assert z["ZoneName"].startswith("us-east-1") and len(z["ZoneName"]) == len("us-east-1a")
        assert z["ZoneId"].startswith("use1-az"), z
        assert z["State"] == "available"
    assert "us-east-1a" in names


def test_describe_azs_by_name_and_id(ec2):
    got = ec2.describe_availability_zones(ZoneNames=["ap-northeast-1c"])["AvailabilityZones"]
    assert [(z["ZoneName"], z["ZoneId"]) for z in got] == [("ap-northeast-1c", "apne1-az1")]

    got = ec2.describe_availability_zones(ZoneIds=["apne1-az4", "apne1-az2"])["AvailabilityZones"]
    assert {z["ZoneName"] for z in got} == {"ap-northeast-1a", "ap-northeast-1d"}


def test_describe_azs_filters(ec2):
    def names(filters):
        return sorted(z["ZoneName"] for z in ec2.describe_availability_zones(Filters=filters)["AvailabilityZones"])

    assert names([{"Name": "zone-name", "Values": ["ap-northeast-1d"]}]) == ["ap-northeast-1d"]
    assert names([{"Name": "zone-id", "Values": ["apne1-az1", "apne1-az4"]}]) == ["ap-northeast-1a", "ap-northeast-1c"]
    assert names([{"Name": "state", "Values": ["available"]}]) == sorted(APNE1_AZ_IDS)
    assert names([{"Name": "region-name", "Values": ["ap-northeast-1"]}]) == sorted(APNE1_AZ_IDS)
    assert names([{"Name": "zone-type", "Values": ["availability-zone"]}]) == sorted(APNE1_AZ_IDS)
    assert names([{"Name": "zone-name", "Values": ["ap-northeast-1?"]}]) == sorted(APNE1_AZ_IDS)
    assert names([{"Name": "zone-id", "Values": ["apne1-az*"]}]) == sorted(APNE1_AZ_IDS)
    assert names([{"Name": "zone-name", "Values": ["ap-northeast-1c"]},
                  {"Name": "zone-id", "Values": ["apne1-az4"]}]) == []
    assert names([{"Name": "state", "Values": ["unavailable"]}]) == []


def test_describe_azs_are_per_region(make_client):
    use1 = make_client(region="us-east-1").describe_availability_zones()["AvailabilityZones"]
    assert not {z["ZoneName"] for z in use1} & set(APNE1_AZ_IDS)


def test_describe_azs_unknown_zone(ec2):
    # AWS-UNCONFIRMED: code for an unknown ZoneNames entry; InvalidParameterValue is what
    # clients observe ("Invalid availability zone: [...]").
    expect_error(ec2.describe_availability_zones, ZoneNames=["ap-northeast-1b"], code="InvalidParameterValue")


def test_describe_azs_unknown_filter(ec2):
    expect_error(ec2.describe_availability_zones, Filters=[{"Name": "bogus", "Values": ["1"]}],
                 code="InvalidParameterValue")


def test_describe_azs_dry_run(ec2):
    expect_dry_run(ec2.describe_availability_zones)

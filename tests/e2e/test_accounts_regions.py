"""Isolation between accounts (access keys mapped with --account) and between regions;
default VPC per account/region; --no-default-vpc."""

import pytest

from helpers import (
    ALPHA_ACCOUNT,
    ALPHA_KEY,
    APNE1_AZ_IDS,
    BRAVO_ACCOUNT,
    BRAVO_KEY,
    DEFAULT_VPC_CIDR,
    UNKNOWN_KEY_ACCOUNT,
    default_vpc,
    expect_error,
    new_ec2_client,
)

ALPHA_TWIN_KEY = "AKIAALPHATWINEXAMPLE"  # second key for the alpha account


@pytest.fixture
def accounts_server(spawn_server):
    return spawn_server(accounts={ALPHA_KEY: ALPHA_ACCOUNT, BRAVO_KEY: BRAVO_ACCOUNT, ALPHA_TWIN_KEY: ALPHA_ACCOUNT})


def client(srv, key, region="ap-northeast-1"):
    return new_ec2_client(srv.url, access_key=key, region=region)


# --------------------------------------------------------------------------- regions (shared server)


def test_regions_are_isolated(make_client):
    apne1 = make_client(region="ap-northeast-1")
    use1 = make_client(region="us-east-1")
    vpc_id = apne1.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    expect_error(use1.describe_vpcs, VpcIds=[vpc_id], code="InvalidVpcID.NotFound")
    assert vpc_id not in {v["VpcId"] for v in use1.describe_vpcs()["Vpcs"]}
    expect_error(use1.delete_vpc, VpcId=vpc_id, code="InvalidVpcID.NotFound")
    expect_error(use1.create_subnet, VpcId=vpc_id, CidrBlock="10.0.1.0/24", code="InvalidVpcID.NotFound")
    expect_error(use1.create_tags, Resources=[vpc_id], Tags=[{"Key": "a", "Value": "b"}], code="InvalidVpcID.NotFound")
    assert use1.describe_tags(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["Tags"] == []
    # Same CIDR in another region is its own VPC.
    other = use1.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    assert other != vpc_id
    apne1.describe_vpcs(VpcIds=[vpc_id])


def test_each_region_has_its_own_default_vpc(make_client):
    apne1 = make_client(region="ap-northeast-1")
    use1 = make_client(region="us-east-1")
    a, b = default_vpc(apne1), default_vpc(use1)
    assert a["VpcId"] != b["VpcId"]
    assert a["CidrBlock"] == b["CidrBlock"] == DEFAULT_VPC_CIDR
    # The default VPC is stable across calls.
    assert default_vpc(apne1)["VpcId"] == a["VpcId"]

    use1_zones = {z["ZoneName"]: z["ZoneId"] for z in use1.describe_availability_zones()["AvailabilityZones"]}
    subnets = use1.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    assert {s["AvailabilityZone"] for s in subnets} == set(use1_zones)
    assert len(subnets) == len(use1_zones)
    for s in subnets:
        assert s["VpcId"] == b["VpcId"]
        assert s["AvailabilityZoneId"] == use1_zones[s["AvailabilityZone"]]
        assert s["SubnetArn"].startswith("arn:aws:ec2:us-east-1:")
    apne1_subnets = apne1.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    assert {s["AvailabilityZone"] for s in apne1_subnets} == set(APNE1_AZ_IDS)


def test_unknown_access_key_maps_to_zero_account(make_client):
    ec2 = make_client(access_key="AKIANEVERMAPPED00001")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    assert vpc["OwnerId"] == UNKNOWN_KEY_ACCOUNT
    assert default_vpc(ec2)["OwnerId"] == UNKNOWN_KEY_ACCOUNT
    # Every unknown key is the same account.
    other = make_client(access_key="AKIASOMETHINGELSE999")
    assert vpc["VpcId"] in {v["VpcId"] for v in other.describe_vpcs()["Vpcs"]}


# --------------------------------------------------------------------------- accounts (dedicated server)


@pytest.mark.spawns
def test_accounts_are_isolated(accounts_server):
    alpha = client(accounts_server, ALPHA_KEY)
    bravo = client(accounts_server, BRAVO_KEY)
    vpc = alpha.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    assert vpc["OwnerId"] == ALPHA_ACCOUNT
    subnet = alpha.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.0.1.0/24")["Subnet"]
    assert subnet["OwnerId"] == ALPHA_ACCOUNT
    assert subnet["SubnetArn"] == f"arn:aws:ec2:ap-northeast-1:{ALPHA_ACCOUNT}:subnet/{subnet['SubnetId']}"
    alpha.create_tags(Resources=[vpc["VpcId"]], Tags=[{"Key": "Owner", "Value": "alpha"}])

    bravo_vpcs = bravo.describe_vpcs()["Vpcs"]
    assert [v["IsDefault"] for v in bravo_vpcs] == [True]
    assert bravo_vpcs[0]["OwnerId"] == BRAVO_ACCOUNT
    expect_error(bravo.describe_vpcs, VpcIds=[vpc["VpcId"]], code="InvalidVpcID.NotFound")
    expect_error(bravo.describe_subnets, SubnetIds=[subnet["SubnetId"]], code="InvalidSubnetID.NotFound")
    expect_error(bravo.delete_subnet, SubnetId=subnet["SubnetId"], code="InvalidSubnetID.NotFound")
    expect_error(bravo.delete_vpc, VpcId=vpc["VpcId"], code="InvalidVpcID.NotFound")
    expect_error(bravo.create_subnet, VpcId=vpc["VpcId"], CidrBlock="10.0.2.0/24", code="InvalidVpcID.NotFound")
    expect_error(bravo.modify_vpc_attribute, VpcId=vpc["VpcId"], EnableDnsHostnames={"Value": True},
                 code="InvalidVpcID.NotFound")
    expect_error(bravo.create_tags, Resources=[vpc["VpcId"]], Tags=[{"Key": "x", "Value": "y"}],
                 code="InvalidVpcID.NotFound")
    assert bravo.describe_tags()["Tags"] == []
    assert bravo.describe_subnets(Filters=[{"Name": "owner-id", "Values": [ALPHA_ACCOUNT]}])["Subnets"] == []

    # Default VPCs are per account.
    assert default_vpc(alpha)["VpcId"] != default_vpc(bravo)["VpcId"]
    assert default_vpc(alpha)["OwnerId"] == ALPHA_ACCOUNT

    # Alpha still has everything.
    assert alpha.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"][0]["Tags"] == [{"Key": "Owner", "Value": "alpha"}]
    # Identical CIDRs in different accounts do not conflict.
    other = bravo.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    bravo.create_subnet(VpcId=other, CidrBlock="10.0.1.0/24")


@pytest.mark.spawns
def test_two_keys_for_one_account_share_resources(accounts_server):
    alpha = client(accounts_server, ALPHA_KEY)
    twin = client(accounts_server, ALPHA_TWIN_KEY)
    vpc_id = alpha.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    assert twin.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["OwnerId"] == ALPHA_ACCOUNT
    twin.delete_vpc(VpcId=vpc_id)
    expect_error(alpha.describe_vpcs, VpcIds=[vpc_id], code="InvalidVpcID.NotFound")


@pytest.mark.spawns
def test_account_and_region_are_both_part_of_the_scope(accounts_server):
    alpha_apne1 = client(accounts_server, ALPHA_KEY, "ap-northeast-1")
    alpha_use1 = client(accounts_server, ALPHA_KEY, "us-east-1")
    bravo_use1 = client(accounts_server, BRAVO_KEY, "us-east-1")
    vpc_id = alpha_use1.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    assert alpha_use1.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["OwnerId"] == ALPHA_ACCOUNT
    expect_error(alpha_apne1.describe_vpcs, VpcIds=[vpc_id], code="InvalidVpcID.NotFound")
    expect_error(bravo_use1.describe_vpcs, VpcIds=[vpc_id], code="InvalidVpcID.NotFound")
    ids = {default_vpc(c)["VpcId"] for c in (alpha_apne1, alpha_use1, bravo_use1)}
    assert len(ids) == 3


@pytest.mark.spawns
def test_unknown_key_is_isolated_from_mapped_accounts(accounts_server):
    alpha = client(accounts_server, ALPHA_KEY)
    stranger = client(accounts_server, "AKIASTRANGEREXAMPLE1")
    vpc_id = alpha.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    expect_error(stranger.describe_vpcs, VpcIds=[vpc_id], code="InvalidVpcID.NotFound")
    assert default_vpc(stranger)["OwnerId"] == UNKNOWN_KEY_ACCOUNT


# --------------------------------------------------------------------------- --no-default-vpc


@pytest.mark.spawns
def test_no_default_vpc(spawn_server):
    srv = spawn_server(no_default_vpc=True, accounts={ALPHA_KEY: ALPHA_ACCOUNT})
    for key in (ALPHA_KEY, "AKIAUNMAPPEDEXAMPLE1"):
        for region in ("ap-northeast-1", "us-east-1"):
            ec2 = client(srv, key, region)
            assert ec2.describe_vpcs()["Vpcs"] == []
            assert ec2.describe_subnets()["Subnets"] == []
            assert ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"] == []
            # AZs are still there.
            assert len(ec2.describe_availability_zones()["AvailabilityZones"]) >= 2
    ec2 = client(srv, ALPHA_KEY)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    assert [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]] == [vpc["VpcId"]]
    # A default VPC can still be created on demand, for this account and region only.
    dvpc = ec2.create_default_vpc()["Vpc"]
    assert dvpc["IsDefault"] is True and dvpc["OwnerId"] == ALPHA_ACCOUNT
    assert client(srv, ALPHA_KEY, "us-east-1").describe_vpcs()["Vpcs"] == []

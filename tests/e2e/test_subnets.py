"""CreateSubnet, DescribeSubnets, DeleteSubnet, ModifySubnetAttribute, default subnets."""

import ipaddress

import pytest

from helpers import (
    NOT_EMULATED,
    APNE1_AZ_IDS,
    DEFAULT_REGION,
    DEFAULT_VPC_CIDR,
    MISSING_SUBNET_ID,
    MISSING_VPC_ID,
    SUBNET_ID_RE,
    UNKNOWN_KEY_ACCOUNT,
    available_ips,
    default_vpc,
    expect_client_error,
    expect_dry_run,
    expect_error,
    tag_spec,
    tags_of,
)


def describe_subnet(ec2, subnet_id):
    subnets = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"]
    assert len(subnets) == 1 and subnets[0]["SubnetId"] == subnet_id
    return subnets[0]


def f(name, *values):
    return {"Name": name, "Values": list(values)}


# --------------------------------------------------------------------------- CreateSubnet


def test_create_subnet_returns_full_subnet(ec2, vpc_id):
    sub = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZone="ap-northeast-1a")["Subnet"]
    assert SUBNET_ID_RE.match(sub["SubnetId"]), sub["SubnetId"]
    assert sub["VpcId"] == vpc_id
    assert sub["CidrBlock"] == "10.0.1.0/24"
    assert sub["AvailabilityZone"] == "ap-northeast-1a"
    assert sub["AvailabilityZoneId"] == "apne1-az4"
    assert sub["AvailableIpAddressCount"] == 251
    assert sub["State"] in ("pending", "available")
    assert sub["DefaultForAz"] is False
    assert sub["MapPublicIpOnLaunch"] is False
    assert sub["AssignIpv6AddressOnCreation"] is False
    assert sub["OwnerId"] == UNKNOWN_KEY_ACCOUNT
    assert sub["SubnetArn"] == f"arn:aws:ec2:{DEFAULT_REGION}:{UNKNOWN_KEY_ACCOUNT}:subnet/{sub['SubnetId']}"
    assert not sub.get("Ipv6CidrBlockAssociationSet")
    assert "Tags" not in sub  # AWS's describe-subnets example: an untagged subnet has no Tags key

    described = describe_subnet(ec2, sub["SubnetId"])
    assert described["State"] == "available"
    for key in ("VpcId", "CidrBlock", "AvailabilityZone", "AvailabilityZoneId", "AvailableIpAddressCount",
                "DefaultForAz", "MapPublicIpOnLaunch", "OwnerId", "SubnetArn"):
        assert described[key] == sub[key], key
    assert "Tags" not in described


@pytest.mark.parametrize("zone_name,zone_id", sorted(APNE1_AZ_IDS.items()))
def test_create_subnet_by_zone_id(ec2, vpc_id, zone_name, zone_id):
    sub = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24", AvailabilityZoneId=zone_id)["Subnet"]
    assert sub["AvailabilityZone"] == zone_name
    assert sub["AvailabilityZoneId"] == zone_id


def test_create_subnet_without_zone_picks_a_region_zone(ec2, vpc_id):
    sub = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.3.0/24")["Subnet"]
    assert sub["AvailabilityZone"] in APNE1_AZ_IDS
    assert sub["AvailabilityZoneId"] == APNE1_AZ_IDS[sub["AvailabilityZone"]]


@pytest.mark.parametrize("prefix", [16, 17, 20, 24, 27, 28])
def test_available_ip_address_count(ec2, vpc_id, prefix):
    cidr = f"10.0.0.0/{prefix}"
    sub = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr)["Subnet"]
    expected = 2 ** (32 - prefix) - 5
    assert expected == available_ips(cidr)
    assert sub["AvailableIpAddressCount"] == expected
    assert describe_subnet(ec2, sub["SubnetId"])["AvailableIpAddressCount"] == expected


@pytest.mark.parametrize("given,stored", [("10.0.1.77/24", "10.0.1.0/24"), ("10.0.200.255/20", "10.0.192.0/20")])
def test_create_subnet_canonicalises_cidr(ec2, vpc_id, given, stored):
    assert ec2.create_subnet(VpcId=vpc_id, CidrBlock=given)["Subnet"]["CidrBlock"] == stored


@pytest.mark.parametrize("cidr", ["10.0.0.0/29", "10.0.0.0/30", "10.0.0.0/32", "10.0.0.0/15", "10.0.0.0/8"])
def test_create_subnet_size_out_of_range(ec2, vpc_id, cidr):
    expect_error(ec2.create_subnet, VpcId=vpc_id, CidrBlock=cidr, code="InvalidSubnet.Range")


@pytest.mark.parametrize("cidr", ["10.1.0.0/24", "192.168.0.0/24", "9.255.255.240/28"])
def test_create_subnet_outside_vpc(ec2, vpc_id, cidr):
    expect_error(ec2.create_subnet, VpcId=vpc_id, CidrBlock=cidr, code="InvalidSubnet.Range")


def test_create_subnet_larger_than_vpc(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/24")["Vpc"]["VpcId"]
    expect_error(ec2.create_subnet, VpcId=vpc_id, CidrBlock="10.0.0.0/23", code="InvalidSubnet.Range")
    # The whole VPC block is a valid subnet.
    assert ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.0.0/24")["Subnet"]["AvailableIpAddressCount"] == 251


@pytest.mark.parametrize("second", ["10.0.1.0/24", "10.0.0.0/23", "10.0.1.128/25", "10.0.1.240/28", "10.0.0.0/16"])
def test_create_subnet_overlap_conflict(ec2, vpc_id, second):
    first = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    expect_error(ec2.create_subnet, VpcId=vpc_id, CidrBlock=second, code="InvalidSubnet.Conflict")
    subnets = ec2.describe_subnets(Filters=[f("vpc-id", vpc_id)])["Subnets"]
    assert [s["SubnetId"] for s in subnets] == [first]


def test_adjacent_subnets_do_not_conflict(ec2, vpc_id):
    cidrs = ["10.0.0.0/24", "10.0.1.0/25", "10.0.1.128/26", "10.0.1.192/28", "10.0.1.208/28", "10.0.2.0/23"]
    for c in cidrs:
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=c)
    got = sorted(s["CidrBlock"] for s in ec2.describe_subnets(Filters=[f("vpc-id", vpc_id)])["Subnets"])
    assert got == sorted(cidrs)


def test_same_cidr_in_different_vpcs_is_fine(ec2, vpc_id):
    other = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    a = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]
    b = ec2.create_subnet(VpcId=other, CidrBlock="10.0.1.0/24")["Subnet"]
    assert a["SubnetId"] != b["SubnetId"]


@pytest.mark.parametrize("zone", ["ap-northeast-1b", "us-east-1a", "ap-northeast-1", "nowhere"])
def test_create_subnet_invalid_zone_name(ec2, vpc_id, zone):
    # [OBS] "Value (x) for parameter availabilityZone is invalid. Subnets can currently only
    # be created in the following availability zones: ..."
    expect_error(ec2.create_subnet, VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZone=zone,
                 code="InvalidParameterValue")


@pytest.mark.parametrize("zone_id", ["apne1-az3", "apne1-az9", "use1-az1"])
def test_create_subnet_invalid_zone_id(ec2, vpc_id, zone_id):
    # apne1-az3 exists physically but is not offered to accounts by default (spec 1.1).
    # AWS-UNCONFIRMED: code for a bad AvailabilityZoneId; InvalidParameterValue by analogy.
    expect_error(ec2.create_subnet, VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZoneId=zone_id,
                 code="InvalidParameterValue")


def test_create_subnet_unknown_or_malformed_vpc(ec2):
    expect_error(ec2.create_subnet, VpcId=MISSING_VPC_ID, CidrBlock="10.0.1.0/24", code="InvalidVpcID.NotFound")
    expect_error(ec2.create_subnet, VpcId="vpc-!!", CidrBlock="10.0.1.0/24", code="InvalidVpcID.Malformed")


def test_create_subnet_missing_parameters(ec2_raw, vpc_id):
    expect_error(ec2_raw.create_subnet, CidrBlock="10.0.1.0/24", code="MissingParameter")
    # [OBS] MissingParameter: Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.
    expect_error(ec2_raw.create_subnet, VpcId=vpc_id, code="MissingParameter")


@pytest.mark.parametrize("cidr", ["banana", "10.0.1.0/40", "10.0.300.0/24"])
def test_create_subnet_malformed_cidr(ec2, vpc_id, cidr):
    expect_error(ec2.create_subnet, VpcId=vpc_id, CidrBlock=cidr, code="InvalidParameterValue")


def test_create_subnet_with_tags(ec2, vpc_id):
    sub = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24",
                            TagSpecifications=tag_spec("subnet", Name="private-a", Tier="private"))["Subnet"]
    assert tags_of(sub) == {"Name": "private-a", "Tier": "private"}
    assert tags_of(describe_subnet(ec2, sub["SubnetId"])) == {"Name": "private-a", "Tier": "private"}


def test_create_subnet_dry_run(ec2, vpc_id):
    expect_dry_run(ec2.create_subnet, VpcId=vpc_id, CidrBlock="10.0.1.0/24")
    assert ec2.describe_subnets(Filters=[f("vpc-id", vpc_id)])["Subnets"] == []


# --------------------------------------------------------------------------- default subnets


def test_default_subnets_one_per_zone(ec2):
    dvpc = default_vpc(ec2)
    subnets = ec2.describe_subnets(Filters=[f("vpc-id", dvpc["VpcId"])])["Subnets"]
    assert sorted(s["AvailabilityZone"] for s in subnets) == sorted(APNE1_AZ_IDS)
    assert {s["CidrBlock"] for s in subnets} == {"172.31.0.0/20", "172.31.16.0/20", "172.31.32.0/20"}
    for s in subnets:
        assert s["DefaultForAz"] is True
        assert s["MapPublicIpOnLaunch"] is True
        assert s["AvailableIpAddressCount"] == 4091
        assert s["AvailabilityZoneId"] == APNE1_AZ_IDS[s["AvailabilityZone"]]
        assert s["State"] == "available"
        assert s["OwnerId"] == UNKNOWN_KEY_ACCOUNT
        assert ipaddress.ip_network(s["CidrBlock"]).subnet_of(ipaddress.ip_network(DEFAULT_VPC_CIDR))


def test_default_vpc_has_room_for_more_subnets(ec2):
    dvpc = default_vpc(ec2)["VpcId"]
    sub = ec2.create_subnet(VpcId=dvpc, CidrBlock="172.31.48.0/20", AvailabilityZone="ap-northeast-1a")["Subnet"]
    assert sub["DefaultForAz"] is False
    expect_error(ec2.create_subnet, VpcId=dvpc, CidrBlock="172.31.0.0/24", code="InvalidSubnet.Conflict")


# --------------------------------------------------------------------------- DescribeSubnets


@pytest.fixture
def three_subnets(ec2, vpc_id):
    a = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZone="ap-northeast-1a",
                          TagSpecifications=tag_spec("subnet", Name="app-a", Tier="app"))["Subnet"]
    c = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24", AvailabilityZone="ap-northeast-1c",
                          TagSpecifications=tag_spec("subnet", Name="app-c", Tier="app"))["Subnet"]
    d = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.3.0/28", AvailabilityZone="ap-northeast-1d",
                          TagSpecifications=tag_spec("subnet", Name="db-d", Tier="db"))["Subnet"]
    return a, c, d


def test_describe_subnets_filters(ec2, vpc_id, three_subnets):
    a, c, d = (s["SubnetId"] for s in three_subnets)
    default_ids = sorted(s["SubnetId"] for s in ec2.describe_subnets(Filters=[f("default-for-az", "true")])["Subnets"])
    assert len(default_ids) == 3

    def ids(*filters):
        return sorted(s["SubnetId"] for s in ec2.describe_subnets(Filters=list(filters))["Subnets"])

    mine = sorted([a, c, d])
    assert ids(f("vpc-id", vpc_id)) == mine
    assert ids(f("subnet-id", a, d)) == sorted([a, d])
    assert ids(f("availability-zone", "ap-northeast-1c"), f("vpc-id", vpc_id)) == [c]
    assert ids(f("availabilityZone", "ap-northeast-1c"), f("vpc-id", vpc_id)) == [c]
    assert ids(f("availability-zone-id", "apne1-az2"), f("vpc-id", vpc_id)) == [d]
    assert ids(f("availabilityZoneId", "apne1-az2"), f("vpc-id", vpc_id)) == [d]
    assert ids(f("cidr-block", "10.0.2.0/24")) == [c]
    assert ids(f("cidr", "10.0.2.0/24")) == [c]
    assert ids(f("cidrBlock", "10.0.2.0/24")) == [c]
    assert ids(f("cidr-block", "10.0.2.0/23")) == []  # exact match only
    assert ids(f("default-for-az", "false")) == mine
    assert ids(f("defaultForAz", "true")) == default_ids
    assert ids(f("state", "available")) == sorted(mine + default_ids)
    assert ids(f("state", "pending")) == []
    assert ids(f("owner-id", UNKNOWN_KEY_ACCOUNT), f("vpc-id", vpc_id)) == mine
    assert ids(f("owner-id", "111111111111")) == []
    assert ids(f("available-ip-address-count", "251")) == sorted([a, c])
    assert ids(f("available-ip-address-count", "11")) == [d]
    assert ids(f("available-ip-address-count", "4091")) == default_ids
    assert ids(f("tag:Tier", "app")) == sorted([a, c])
    assert ids(f("tag:Name", "db-d", "app-a")) == sorted([a, d])
    assert ids(f("tag-key", "Tier")) == mine
    assert ids(f("tag-key", "Nope")) == []
    # AWS-UNCONFIRMED: tag-value is absent from today's DescribeSubnets filter list but was
    # documented for years and is in localvpc's contract.
    assert ids(f("tag-value", "db")) == [d]
    arn = three_subnets[0]["SubnetArn"]
    assert ids(f("subnet-arn", arn)) == [a]
    assert ids(f("map-public-ip-on-launch", "true")) == default_ids
    # Wildcards.
    assert ids(f("tag:Name", "app-*")) == sorted([a, c])
    assert ids(f("tag:Name", "app-?")) == sorted([a, c])
    assert ids(f("tag:Name", "*-d")) == [d]
    assert ids(f("cidr-block", "10.0.*")) == mine
    assert ids(f("availability-zone", "ap-northeast-1?"), f("vpc-id", vpc_id)) == mine
    assert ids(f("tag-key", "Ti*")) == mine
    # AND across filters, OR within values.
    assert ids(f("tag:Tier", "app"), f("availability-zone", "ap-northeast-1a", "ap-northeast-1d")) == [a]
    assert ids(f("tag:Tier", "db"), f("availability-zone", "ap-northeast-1a")) == []
    # Case-sensitive values.
    assert ids(f("tag:Tier", "APP")) == []


def test_describe_subnets_all_and_by_id(ec2, three_subnets):
    everything = ec2.describe_subnets()["Subnets"]
    assert len(everything) == 6  # 3 default + 3 created
    a = three_subnets[0]["SubnetId"]
    assert [s["SubnetId"] for s in ec2.describe_subnets(SubnetIds=[a])["Subnets"]] == [a]


def test_describe_subnets_unknown_and_malformed_ids(ec2, three_subnets):
    resp = expect_error(ec2.describe_subnets, SubnetIds=[MISSING_SUBNET_ID], code="InvalidSubnetID.NotFound")
    assert MISSING_SUBNET_ID in resp["Error"]["Message"]
    expect_error(ec2.describe_subnets, SubnetIds=[three_subnets[0]["SubnetId"], MISSING_SUBNET_ID],
                 code="InvalidSubnetID.NotFound")
    for bad in ("subnet-zzz", "sub-123", "vpc-0123456789abcdef0"):
        expect_error(ec2.describe_subnets, SubnetIds=[bad], code="InvalidSubnetID.Malformed")


def test_describe_subnets_unknown_filter(ec2):
    expect_error(ec2.describe_subnets, Filters=[f("flavour", "vanilla")], code="InvalidParameterValue")


def test_describe_subnets_dry_run(ec2):
    expect_dry_run(ec2.describe_subnets)


# --------------------------------------------------------------------------- DeleteSubnet


def test_delete_subnet(ec2, vpc_id):
    sid = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    ec2.delete_subnet(SubnetId=sid)
    expect_error(ec2.describe_subnets, SubnetIds=[sid], code="InvalidSubnetID.NotFound")
    expect_error(ec2.delete_subnet, SubnetId=sid, code="InvalidSubnetID.NotFound")
    # The CIDR is free again.
    ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")


def test_delete_subnet_errors(ec2, ec2_raw):
    expect_error(ec2.delete_subnet, SubnetId=MISSING_SUBNET_ID, code="InvalidSubnetID.NotFound")
    expect_error(ec2.delete_subnet, SubnetId="subnet-nothex", code="InvalidSubnetID.Malformed")
    expect_error(ec2_raw.delete_subnet, code="MissingParameter")


def test_delete_subnet_dry_run(ec2, vpc_id):
    sid = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    expect_dry_run(ec2.delete_subnet, SubnetId=sid)
    describe_subnet(ec2, sid)


def test_delete_default_subnet(ec2):
    dvpc = default_vpc(ec2)["VpcId"]
    subnets = ec2.describe_subnets(Filters=[f("vpc-id", dvpc)])["Subnets"]
    ec2.delete_subnet(SubnetId=subnets[0]["SubnetId"])
    left = ec2.describe_subnets(Filters=[f("vpc-id", dvpc)])["Subnets"]
    assert len(left) == 2


# --------------------------------------------------------------------------- ModifySubnetAttribute


def test_modify_subnet_map_public_ip(ec2, vpc_id):
    sid = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=sid, MapPublicIpOnLaunch={"Value": True})
    assert describe_subnet(ec2, sid)["MapPublicIpOnLaunch"] is True
    got = ec2.describe_subnets(Filters=[f("map-public-ip-on-launch", "true"), f("vpc-id", vpc_id)])["Subnets"]
    assert [s["SubnetId"] for s in got] == [sid]
    ec2.modify_subnet_attribute(SubnetId=sid, MapPublicIpOnLaunch={"Value": False})
    assert describe_subnet(ec2, sid)["MapPublicIpOnLaunch"] is False


def test_modify_default_subnet_map_public_ip(ec2):
    sid = ec2.describe_subnets(Filters=[f("default-for-az", "true")])["Subnets"][0]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=sid, MapPublicIpOnLaunch={"Value": False})
    s = describe_subnet(ec2, sid)
    assert s["MapPublicIpOnLaunch"] is False and s["DefaultForAz"] is True


def test_modify_subnet_attribute_errors(ec2, ec2_raw):
    expect_error(ec2.modify_subnet_attribute, SubnetId=MISSING_SUBNET_ID, MapPublicIpOnLaunch={"Value": True},
                 code="InvalidSubnetID.NotFound")
    expect_error(ec2.modify_subnet_attribute, SubnetId="subnet-?", MapPublicIpOnLaunch={"Value": True},
                 code="InvalidSubnetID.Malformed")
    expect_error(ec2_raw.modify_subnet_attribute, MapPublicIpOnLaunch={"Value": True}, code="MissingParameter")


def test_subnet_dns_option_defaults(ec2, vpc_id):
    # awscli's describe-subnets examples show these defaults on every subnet.
    sid = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    s = describe_subnet(ec2, sid)
    assert s["EnableDns64"] is False
    assert s["Ipv6Native"] is False
    assert s["PrivateDnsNameOptionsOnLaunch"] == {
        "HostnameType": "ip-name",
        "EnableResourceNameDnsARecord": False,
        "EnableResourceNameDnsAAAARecord": False,
    }


def test_modify_subnet_dns_attributes(ec2, vpc_id):
    sid = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=sid, PrivateDnsHostnameTypeOnLaunch="resource-name")
    ec2.modify_subnet_attribute(SubnetId=sid, EnableResourceNameDnsARecordOnLaunch={"Value": True})
    ec2.modify_subnet_attribute(SubnetId=sid, EnableDns64={"Value": True})
    s = describe_subnet(ec2, sid)
    assert s["PrivateDnsNameOptionsOnLaunch"]["HostnameType"] == "resource-name"
    assert s["PrivateDnsNameOptionsOnLaunch"]["EnableResourceNameDnsARecord"] is True
    assert s["EnableDns64"] is True
    assert s["MapPublicIpOnLaunch"] is False  # untouched


def test_modify_subnet_attribute_one_at_a_time(ec2, vpc_id):
    sid = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    # Model docs: "You can only modify one attribute at a time."
    # AWS-UNCONFIRMED: the code (InvalidParameterCombination by analogy with ModifyVpcAttribute).
    expect_client_error(ec2.modify_subnet_attribute, SubnetId=sid, MapPublicIpOnLaunch={"Value": True},
                        EnableDns64={"Value": True})
    s = describe_subnet(ec2, sid)
    assert s["MapPublicIpOnLaunch"] is False and s["EnableDns64"] is False


def test_subnet_must_fit_in_one_vpc_block(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/24")["Vpc"]["VpcId"]
    ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.0.1.0/24")
    # 10.0.0.0/23 is covered by the two blocks together but by neither alone.
    expect_error(ec2.create_subnet, VpcId=vpc_id, CidrBlock="10.0.0.0/23", code="InvalidSubnet.Range")
    ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/25")


def test_describe_subnets_more_documented_filters(ec2, vpc_id):
    sid = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=sid, EnableDns64={"Value": True})
    ec2.modify_subnet_attribute(SubnetId=sid, PrivateDnsHostnameTypeOnLaunch="resource-name")

    def ids(*filters):
        flt = list(filters) + [f("vpc-id", vpc_id)]
        return [s["SubnetId"] for s in ec2.describe_subnets(Filters=flt)["Subnets"]]

    assert ids(f("ipv6-native", "false")) == [sid]
    assert ids(f("ipv6-native", "true")) == []
    assert ids(f("enable-dns64", "true")) == [sid]
    assert ids(f("private-dns-name-options-on-launch.hostname-type", "resource-name")) == [sid]
    assert ids(f("private-dns-name-options-on-launch.hostname-type", "ip-name")) == []
    assert ids(f("map-customer-owned-ip-on-launch", "false")) == [sid]


# --------------------------------------------------------------------------- CreateDefaultSubnet


def default_subnets(ec2, vpc_id):
    return {s["AvailabilityZone"]: s for s in ec2.describe_subnets(
        Filters=[f("vpc-id", vpc_id), f("default-for-az", "true")])["Subnets"]}


def test_create_default_subnet(ec2, ec2_raw, cli):
    dvpc = default_vpc(ec2)["VpcId"]
    expect_error(ec2.create_default_subnet, AvailabilityZone="ap-northeast-1a",
                 code="DefaultSubnetAlreadyExistsInAvailabilityZone")
    expect_error(ec2_raw.create_default_subnet, code="MissingParameter")
    expect_error(ec2.create_default_subnet, AvailabilityZone="ap-northeast-1a", AvailabilityZoneId="apne1-az4",
                 code="InvalidParameterCombination")
    expect_error(ec2.create_default_subnet, AvailabilityZone="ap-northeast-1z", code="InvalidParameterValue")
    old = default_subnets(ec2, dvpc)["ap-northeast-1c"]
    ec2.delete_subnet(SubnetId=old["SubnetId"])
    expect_dry_run(ec2.create_default_subnet, AvailabilityZone="ap-northeast-1c")
    s = ec2.create_default_subnet(AvailabilityZone="ap-northeast-1c")["Subnet"]
    # The lowest free /20 of the default VPC, default for its zone and public.
    assert s["CidrBlock"] == old["CidrBlock"] == "172.31.16.0/20"
    assert s["VpcId"] == dvpc and s["DefaultForAz"] is True and s["MapPublicIpOnLaunch"] is True
    assert describe_subnet(ec2, s["SubnetId"])["AvailabilityZone"] == "ap-northeast-1c"
    # The aws CLI, by zone id.
    ec2.delete_subnet(SubnetId=s["SubnetId"])
    out = cli("ec2", "create-default-subnet", "--availability-zone-id", "apne1-az1").json
    assert out["Subnet"]["AvailabilityZone"] == "ap-northeast-1c"


def test_create_default_subnet_without_default_vpc(ec2):
    dvpc = default_vpc(ec2)["VpcId"]
    for s in default_subnets(ec2, dvpc).values():
        ec2.delete_subnet(SubnetId=s["SubnetId"])
    for gw in ec2.describe_internet_gateways(Filters=[f("attachment.vpc-id", dvpc)])["InternetGateways"]:
        ec2.detach_internet_gateway(InternetGatewayId=gw["InternetGatewayId"], VpcId=dvpc)
    ec2.delete_vpc(VpcId=dvpc)
    expect_error(ec2.create_default_subnet, AvailabilityZone="ap-northeast-1a", code="DefaultVpcDoesNotExist")


def test_ipv6_native_parameter_checks_come_first(ec2, ec2_raw, vpc_id):
    # AWS's checks of an IPv6-only request before localvpc's "not emulated" refusal.
    expect_error(ec2.create_subnet, VpcId=vpc_id, Ipv6Native=True, CidrBlock="10.0.1.0/24",
                 Ipv6CidrBlock="2001:db8::/64", code="InvalidParameterCombination")
    expect_error(ec2_raw.create_subnet, VpcId=vpc_id, Ipv6Native=True, code="MissingParameter")
    expect_error(ec2.create_subnet, VpcId=MISSING_VPC_ID, Ipv6Native=True, Ipv6CidrBlock="2001:db8::/64",
                 code="InvalidVpcID.NotFound")
    expect_error(ec2.create_subnet, VpcId=vpc_id, Ipv6Native=True, Ipv6CidrBlock="2001:db8::/64",
                 code="InvalidSubnet.Range")
    with_v6 = ec2.create_vpc(CidrBlock="10.1.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    [block] = [a["Ipv6CidrBlock"] for a in ec2.describe_vpcs(VpcIds=[with_v6])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"]]
    sub = block.replace("/56", "/64")
    err = expect_error(ec2.create_subnet, VpcId=with_v6, Ipv6Native=True, Ipv6CidrBlock=sub,
                       code=NOT_EMULATED)
    assert "Ipv6Native" in err["Error"]["Message"]


# --------------------------------------------------------------------------- subnet CIDR reservations


def test_subnet_cidr_reservations(ec2, ec2_raw, vpc_id, cli):
    sub = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZone="ap-northeast-1a")[
        "Subnet"]["SubnetId"]
    expect_dry_run(ec2.create_subnet_cidr_reservation, SubnetId=sub, Cidr="10.0.1.0/28",
                   ReservationType="explicit")
    r = ec2.create_subnet_cidr_reservation(SubnetId=sub, Cidr="10.0.1.0/28", ReservationType="explicit",
                                           Description="appliances",
                                           TagSpecifications=tag_spec("subnet-cidr-reservation", Name="a"))[
        "SubnetCidrReservation"]
    assert r["SubnetCidrReservationId"].startswith("scr-")
    assert (r["SubnetId"], r["Cidr"], r["ReservationType"], r["Description"]) == (
        sub, "10.0.1.0/28", "explicit", "appliances")
    assert r["OwnerId"] == UNKNOWN_KEY_ACCOUNT and tags_of(r) == {"Name": "a"}
    p = ec2.create_subnet_cidr_reservation(SubnetId=sub, Cidr="10.0.1.16/28", ReservationType="prefix")[
        "SubnetCidrReservation"]

    # Validation: inside the subnet, no overlap, a known type.
    for cidr in ("10.0.2.0/28", "10.0.1.8/29", "bogus"):
        expect_error(ec2.create_subnet_cidr_reservation, SubnetId=sub, Cidr=cidr, ReservationType="explicit",
                     code="InvalidParameterValue")
    expect_error(ec2_raw.create_subnet_cidr_reservation, SubnetId=sub, Cidr="10.0.1.32/28", ReservationType="other",
                 code="InvalidParameterValue")
    expect_error(ec2.create_subnet_cidr_reservation, SubnetId=MISSING_SUBNET_ID, Cidr="10.0.1.32/28",
                 ReservationType="explicit", code="InvalidSubnetID.NotFound")

    # Automatic addresses skip both reservations; a named one may use the explicit range.
    eni = ec2.create_network_interface(SubnetId=sub)["NetworkInterface"]
    assert eni["PrivateIpAddress"] == "10.0.1.32"
    named = ec2.create_network_interface(SubnetId=sub, PrivateIpAddress="10.0.1.5")["NetworkInterface"]
    assert named["PrivateIpAddress"] == "10.0.1.5"

    got = ec2.get_subnet_cidr_reservations(SubnetId=sub)
    assert [x["SubnetCidrReservationId"] for x in got["SubnetIpv4CidrReservations"]] == sorted(
        [r["SubnetCidrReservationId"], p["SubnetCidrReservationId"]])
    assert got["SubnetIpv6CidrReservations"] == []
    by_type = ec2.get_subnet_cidr_reservations(SubnetId=sub, Filters=[f("reservationType", "prefix")])
    assert [x["Cidr"] for x in by_type["SubnetIpv4CidrReservations"]] == ["10.0.1.16/28"]
    by_tag = ec2.get_subnet_cidr_reservations(SubnetId=sub, Filters=[f("tag:Name", "a")])
    assert [x["Cidr"] for x in by_tag["SubnetIpv4CidrReservations"]] == ["10.0.1.0/28"]
    expect_error(ec2.get_subnet_cidr_reservations, SubnetId=sub, Filters=[f("cidr", "x")],
                 code="InvalidParameterValue")
    expect_error(ec2.get_subnet_cidr_reservations, SubnetId=MISSING_SUBNET_ID, code="InvalidSubnetID.NotFound")
    page = ec2.get_subnet_cidr_reservations(SubnetId=sub, MaxResults=5)
    assert len(page["SubnetIpv4CidrReservations"]) == 2 and "NextToken" not in page

    # The aws CLI lists and deletes.
    out = cli("ec2", "get-subnet-cidr-reservations", "--subnet-id", sub).json
    assert len(out["SubnetIpv4CidrReservations"]) == 2
    deleted = cli("ec2", "delete-subnet-cidr-reservation", "--subnet-cidr-reservation-id",
                  p["SubnetCidrReservationId"]).json["DeletedSubnetCidrReservation"]
    assert deleted["Cidr"] == "10.0.1.16/28"
    expect_error(ec2.delete_subnet_cidr_reservation, SubnetCidrReservationId=p["SubnetCidrReservationId"],
                 code="InvalidSubnetCidrReservationID.NotFound")
    # With the prefix range gone, its addresses are handed out again.
    assert ec2.create_network_interface(SubnetId=sub)["NetworkInterface"]["PrivateIpAddress"] == "10.0.1.16"


def test_ipv6_subnet_cidr_reservation(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    [block] = [a["Ipv6CidrBlock"] for a in ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"]]
    sub64 = ipaddress.ip_network(block).subnets(new_prefix=64)
    net = next(sub64)
    sub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", Ipv6CidrBlock=str(net))["Subnet"]["SubnetId"]
    reserved = f"{net.network_address}/124"
    ec2.create_subnet_cidr_reservation(SubnetId=sub, Cidr=reserved, ReservationType="explicit")
    expect_error(ec2.create_subnet_cidr_reservation, SubnetId=sub, Cidr=str(next(sub64)),
                 ReservationType="explicit", code="InvalidParameterValue")
    got = ec2.get_subnet_cidr_reservations(SubnetId=sub)
    assert [x["Cidr"] for x in got["SubnetIpv6CidrReservations"]] == [reserved]
    eni = ec2.create_network_interface(SubnetId=sub, Ipv6AddressCount=1)["NetworkInterface"]
    assert eni["Ipv6Addresses"][0]["Ipv6Address"] == str(net.network_address + 16)

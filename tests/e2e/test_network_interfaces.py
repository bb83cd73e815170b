"""Elastic network interfaces: Create/Delete/DescribeNetworkInterfaces,
ModifyNetworkInterfaceAttribute, Assign/UnassignPrivateIpAddresses; address allocation
around the five reserved addresses, security groups, dependencies, and the
requester-managed interfaces of NAT and transit gateways (spec 1.3, docs/aws-choices.md)."""

import re

import pytest

from helpers import (
    ALPHA_KEY,
    MISSING_SUBNET_ID,
    UNKNOWN_KEY_ACCOUNT,
    expect_client_error,
    expect_dry_run,
    expect_error,
    tag_spec,
    tags_of,
)

ENI_ID_RE = re.compile(r"^eni-[0-9a-f]{17}$")
MAC_RE = re.compile(r"^([0-9a-f]{2}:){5}[0-9a-f]{2}$")
MISSING_ENI_ID = "eni-0123456789abcdef0"


def f(name, *values):
    return {"Name": name, "Values": list(values)}


@pytest.fixture
def default_sg(ec2, vpc_id):
    [g] = ec2.describe_security_groups(Filters=[f("vpc-id", vpc_id), f("group-name", "default")])["SecurityGroups"]
    return g["GroupId"]


def new_eni(ec2, subnet_id, **kw):
    return ec2.create_network_interface(SubnetId=subnet_id, **kw)["NetworkInterface"]


def describe_eni(ec2, eni_id):
    [e] = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"]
    assert e["NetworkInterfaceId"] == eni_id
    return e


def addresses(eni):
    """[(address, primary)] in the order described."""
    return [(a["PrivateIpAddress"], a["Primary"]) for a in eni["PrivateIpAddresses"]]


def free_count(ec2, subnet_id):
    return ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["AvailableIpAddressCount"]


# --------------------------------------------------------------------------- CreateNetworkInterface


def test_create_network_interface(ec2, vpc_id, subnet, default_sg):
    resp = ec2.create_network_interface(SubnetId=subnet, Description="app server",
                                        TagSpecifications=tag_spec("network-interface", Name="app"))
    e = resp["NetworkInterface"]
    assert ENI_ID_RE.match(e["NetworkInterfaceId"])
    assert e["SubnetId"] == subnet and e["VpcId"] == vpc_id
    assert e["AvailabilityZone"] == "ap-northeast-1a"
    assert e["AvailabilityZoneId"] == "apne1-az4"
    assert e["Description"] == "app server"
    assert e["OwnerId"] == UNKNOWN_KEY_ACCOUNT
    assert e["Status"] == "available"
    assert e["InterfaceType"] == "interface"
    assert e["RequesterManaged"] is False
    assert e["SourceDestCheck"] is True
    assert MAC_RE.match(e["MacAddress"])
    # Lowest free address first (docs/aws-choices.md): .0-.3 are reserved.
    assert e["PrivateIpAddress"] == "10.0.1.4"
    assert e["PrivateDnsName"] == "ip-10-0-1-4.ap-northeast-1.compute.internal"
    assert e["PrivateIpAddresses"] == [{"Primary": True, "PrivateIpAddress": "10.0.1.4",
                                        "PrivateDnsName": "ip-10-0-1-4.ap-northeast-1.compute.internal"}]
    # Without Groups the VPC's default security group is used (CreateNetworkInterface docs).
    assert e["Groups"] == [{"GroupId": default_sg, "GroupName": "default"}]
    assert tags_of({"Tags": e["TagSet"]}) == {"Name": "app"}
    assert "Attachment" not in e and "Association" not in e
    got = describe_eni(ec2, e["NetworkInterfaceId"])
    for key in ("PrivateIpAddress", "PrivateIpAddresses", "Groups", "MacAddress", "Description", "TagSet"):
        assert got[key] == e[key], key


def test_addresses_are_allocated_lowest_first(ec2, subnet):
    a = new_eni(ec2, subnet)
    b = new_eni(ec2, subnet)
    assert [a["PrivateIpAddress"], b["PrivateIpAddress"]] == ["10.0.1.4", "10.0.1.5"]
    ec2.delete_network_interface(NetworkInterfaceId=a["NetworkInterfaceId"])
    # The freed address is the lowest free one again.
    assert new_eni(ec2, subnet)["PrivateIpAddress"] == "10.0.1.4"
    assert new_eni(ec2, subnet)["PrivateIpAddress"] == "10.0.1.6"


def test_us_east_1_dns_names_use_ec2_internal(make_client):
    use1 = make_client(region="us-east-1")
    vpc = use1.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    sub = use1.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    e = new_eni(use1, sub)
    # VPC User Guide, DNS hostnames: ip-<address>.ec2.internal in us-east-1.
    assert e["PrivateDnsName"] == "ip-10-0-1-4.ec2.internal"


def test_explicit_private_address(ec2, subnet):
    e = new_eni(ec2, subnet, PrivateIpAddress="10.0.1.200")
    assert e["PrivateIpAddress"] == "10.0.1.200"
    assert e["PrivateDnsName"] == "ip-10-0-1-200.ap-northeast-1.compute.internal"
    # Automatic allocation still starts at the bottom.
    assert new_eni(ec2, subnet)["PrivateIpAddress"] == "10.0.1.4"
    # The highest usable address (.254) is fine.
    assert new_eni(ec2, subnet, PrivateIpAddress="10.0.1.254")["PrivateIpAddress"] == "10.0.1.254"


@pytest.mark.parametrize("address", ["10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255"])
def test_reserved_addresses_are_refused(ec2, subnet, address):
    # VPC User Guide, subnet sizing: the first four and the last address are reserved.
    # Code per docs/aws-choices.md ("ENI addresses").
    expect_error(ec2.create_network_interface, SubnetId=subnet, PrivateIpAddress=address,
                 code="InvalidParameterValue")
    assert ec2.describe_network_interfaces(Filters=[f("subnet-id", subnet)])["NetworkInterfaces"] == []


@pytest.mark.parametrize("address", ["10.0.2.10", "192.0.2.10"])
def test_address_outside_the_subnet_is_refused(ec2, subnet, address):
    # docs/aws-choices.md: outside the subnet is InvalidParameterValue.
    expect_error(ec2.create_network_interface, SubnetId=subnet, PrivateIpAddress=address,
                 code="InvalidParameterValue")


def test_address_in_use(ec2, subnet):
    new_eni(ec2, subnet, PrivateIpAddress="10.0.1.10")
    # Error-code reference, InvalidIPAddress.InUse: "The specified IP address is already in use."
    expect_error(ec2.create_network_interface, SubnetId=subnet, PrivateIpAddress="10.0.1.10",
                 code="InvalidIPAddress.InUse")
    expect_error(ec2.create_network_interface, SubnetId=subnet,
                 PrivateIpAddresses=[{"PrivateIpAddress": "10.0.1.10", "Primary": True}],
                 code="InvalidIPAddress.InUse")


def test_small_subnet_runs_out_of_addresses(ec2, vpc_id):
    tiny = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.9.0/28")["Subnet"]["SubnetId"]
    assert free_count(ec2, tiny) == 11
    got = [new_eni(ec2, tiny)["PrivateIpAddress"] for _ in range(11)]
    assert got == [f"10.0.9.{n}" for n in range(4, 15)]
    assert free_count(ec2, tiny) == 0
    # Error-code reference, InsufficientFreeAddressesInSubnet: "The specified subnet does not
    # contain enough free private IP addresses to fulfill your request."
    expect_error(ec2.create_network_interface, SubnetId=tiny, code="InsufficientFreeAddressesInSubnet")
    # Asking for more than fit in one call fails the same way and allocates nothing.
    tiny2 = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.9.16/28")["Subnet"]["SubnetId"]
    expect_error(ec2.create_network_interface, SubnetId=tiny2, SecondaryPrivateIpAddressCount=11,
                 code="InsufficientFreeAddressesInSubnet")
    assert free_count(ec2, tiny2) == 11


def test_secondary_private_address_count(ec2, subnet):
    e = new_eni(ec2, subnet, SecondaryPrivateIpAddressCount=2)
    assert addresses(e) == [("10.0.1.4", True), ("10.0.1.5", False), ("10.0.1.6", False)]
    assert e["PrivateIpAddress"] == "10.0.1.4"
    for a in e["PrivateIpAddresses"]:
        assert a["PrivateDnsName"] == "ip-{}.ap-northeast-1.compute.internal".format(
            a["PrivateIpAddress"].replace(".", "-"))
    assert addresses(describe_eni(ec2, e["NetworkInterfaceId"])) == addresses(e)


def test_private_ip_addresses_with_primary(ec2, subnet):
    e = new_eni(ec2, subnet, PrivateIpAddresses=[
        {"PrivateIpAddress": "10.0.1.20", "Primary": False},
        {"PrivateIpAddress": "10.0.1.21", "Primary": True},
    ])
    assert e["PrivateIpAddress"] == "10.0.1.21"
    assert sorted(addresses(e)) == [("10.0.1.20", False), ("10.0.1.21", True)]
    # Only one primary. AWS-UNCONFIRMED: the code.
    expect_client_error(ec2.create_network_interface, SubnetId=subnet, PrivateIpAddresses=[
        {"PrivateIpAddress": "10.0.1.30", "Primary": True}, {"PrivateIpAddress": "10.0.1.31", "Primary": True}])


def test_available_address_count_follows_allocations(ec2, subnet):
    assert free_count(ec2, subnet) == 251
    a = new_eni(ec2, subnet, SecondaryPrivateIpAddressCount=2)
    assert free_count(ec2, subnet) == 248
    b = new_eni(ec2, subnet)
    assert free_count(ec2, subnet) == 247
    ec2.assign_private_ip_addresses(NetworkInterfaceId=b["NetworkInterfaceId"], SecondaryPrivateIpAddressCount=3)
    assert free_count(ec2, subnet) == 244
    ec2.delete_network_interface(NetworkInterfaceId=a["NetworkInterfaceId"])
    assert free_count(ec2, subnet) == 247
    ec2.delete_network_interface(NetworkInterfaceId=b["NetworkInterfaceId"])
    assert free_count(ec2, subnet) == 251


def test_security_groups_on_create(ec2, vpc_id, subnet):
    groups = [ec2.create_security_group(GroupName=f"g{i}", Description="x", VpcId=vpc_id)["GroupId"]
              for i in range(6)]
    e = new_eni(ec2, subnet, Groups=groups[:2])
    assert sorted(g["GroupId"] for g in e["Groups"]) == sorted(groups[:2])
    assert {g["GroupName"] for g in e["Groups"]} == {"g0", "g1"}
    assert len(new_eni(ec2, subnet, Groups=groups[:5])["Groups"]) == 5
    # Amazon VPC quotas: 5 security groups per network interface (default). Error-code
    # reference: SecurityGroupsPerInterfaceLimitExceeded.
    expect_error(ec2.create_network_interface, SubnetId=subnet, Groups=groups,
                 code="SecurityGroupsPerInterfaceLimitExceeded")
    expect_error(ec2.create_network_interface, SubnetId=subnet, Groups=["sg-0123456789abcdef0"],
                 code="InvalidGroup.NotFound")


def test_security_group_of_another_vpc_is_refused(ec2, subnet):
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    foreign = ec2.create_security_group(GroupName="x", Description="x", VpcId=other)["GroupId"]
    # An interface's groups must belong to its VPC. AWS-UNCONFIRMED: the code
    # (InvalidParameterValue or InvalidGroup.NotFound "... does not exist in VPC ...").
    expect_client_error(ec2.create_network_interface, SubnetId=subnet, Groups=[foreign])
    assert ec2.describe_network_interfaces(Filters=[f("subnet-id", subnet)])["NetworkInterfaces"] == []


def test_create_network_interface_errors(ec2, ec2_raw, subnet):
    expect_error(ec2.create_network_interface, SubnetId=MISSING_SUBNET_ID, code="InvalidSubnetID.NotFound")
    expect_error(ec2.create_network_interface, SubnetId="subnet-xyz", code="InvalidSubnetID.Malformed")
    expect_error(ec2_raw.create_network_interface, code="MissingParameter")
    expect_client_error(ec2.create_network_interface, SubnetId=subnet, PrivateIpAddress="banana")
    expect_dry_run(ec2.create_network_interface, SubnetId=subnet)
    assert ec2.describe_network_interfaces(Filters=[f("subnet-id", subnet)])["NetworkInterfaces"] == []


# --------------------------------------------------------------------------- DescribeNetworkInterfaces


def test_describe_by_id(ec2, subnet):
    a = new_eni(ec2, subnet)["NetworkInterfaceId"]
    b = new_eni(ec2, subnet)["NetworkInterfaceId"]
    got = ec2.describe_network_interfaces(NetworkInterfaceIds=[a, b])["NetworkInterfaces"]
    assert sorted(e["NetworkInterfaceId"] for e in got) == sorted([a, b])
    resp = expect_error(ec2.describe_network_interfaces, NetworkInterfaceIds=[MISSING_ENI_ID],
                        code="InvalidNetworkInterfaceID.NotFound")
    assert MISSING_ENI_ID in resp["Error"]["Message"]
    expect_error(ec2.describe_network_interfaces, NetworkInterfaceIds=[a, MISSING_ENI_ID],
                 code="InvalidNetworkInterfaceID.NotFound")
    expect_error(ec2.describe_network_interfaces, NetworkInterfaceIds=["eni-12"],
                 code="InvalidNetworkInterfaceID.Malformed")


def test_describe_filters(ec2, vpc_id, subnet, default_sg):
    other_sub = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24",
                                  AvailabilityZone="ap-northeast-1c")["Subnet"]["SubnetId"]
    web_sg = ec2.create_security_group(GroupName="web", Description="x", VpcId=vpc_id)["GroupId"]
    a = new_eni(ec2, subnet, Description="frontend", Groups=[web_sg], SecondaryPrivateIpAddressCount=1,
                TagSpecifications=tag_spec("network-interface", Tier="web"))
    b = new_eni(ec2, other_sub, Description="backend")
    ec2.modify_network_interface_attribute(NetworkInterfaceId=b["NetworkInterfaceId"],
                                           SourceDestCheck={"Value": False})
    a_id, b_id = a["NetworkInterfaceId"], b["NetworkInterfaceId"]

    def ids(*filters):
        flt = list(filters) + [f("vpc-id", vpc_id)]
        return sorted(e["NetworkInterfaceId"] for e in ec2.describe_network_interfaces(Filters=flt)["NetworkInterfaces"])

    both = sorted([a_id, b_id])
    assert ids() == both
    assert ids(f("subnet-id", subnet)) == [a_id]
    assert ids(f("subnet-id", other_sub)) == [b_id]
    assert ids(f("network-interface-id", b_id)) == [b_id]
    assert ids(f("private-ip-address", "10.0.1.4")) == [a_id]
    # DescribeNetworkInterfaces filters: "private-ip-address - The private IPv4 address or
    # addresses of the network interface" (secondaries included).
    assert ids(f("private-ip-address", "10.0.1.5")) == [a_id]
    assert ids(f("addresses.private-ip-address", "10.0.1.5")) == [a_id]
    assert ids(f("addresses.private-ip-address", "10.0.2.4")) == [b_id]
    assert ids(f("private-dns-name", "ip-10-0-2-4.ap-northeast-1.compute.internal")) == [b_id]
    assert ids(f("description", "frontend")) == [a_id]
    assert ids(f("description", "*end")) == both
    assert ids(f("group-id", web_sg)) == [a_id]
    assert ids(f("group-id", default_sg)) == [b_id]
    assert ids(f("status", "available")) == both
    assert ids(f("status", "in-use")) == []
    assert ids(f("interface-type", "interface")) == both
    assert ids(f("requester-managed", "false")) == both
    assert ids(f("requester-managed", "true")) == []
    assert ids(f("source-dest-check", "false")) == [b_id]
    assert ids(f("availability-zone", "ap-northeast-1c")) == [b_id]
    assert ids(f("owner-id", UNKNOWN_KEY_ACCOUNT)) == both
    assert ids(f("mac-address", a["MacAddress"])) == [a_id]
    assert ids(f("tag:Tier", "web")) == [a_id]
    assert ids(f("tag-key", "Tier")) == [a_id]
    assert ids(f("vpc-id", "vpc-0123456789abcdef0")) == []


def test_describe_unknown_filter(ec2):
    expect_error(ec2.describe_network_interfaces, Filters=[f("colour", "red")], code="InvalidParameterValue")


# --------------------------------------------------------------------------- ModifyNetworkInterfaceAttribute


def test_modify_description(ec2, subnet):
    eni = new_eni(ec2, subnet, Description="old")["NetworkInterfaceId"]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, Description={"Value": "new"})
    assert describe_eni(ec2, eni)["Description"] == "new"


def test_modify_source_dest_check(ec2, subnet):
    eni = new_eni(ec2, subnet)["NetworkInterfaceId"]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, SourceDestCheck={"Value": False})
    assert describe_eni(ec2, eni)["SourceDestCheck"] is False
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, SourceDestCheck={"Value": True})
    assert describe_eni(ec2, eni)["SourceDestCheck"] is True


def test_modify_groups(ec2, vpc_id, subnet, default_sg):
    eni = new_eni(ec2, subnet)["NetworkInterfaceId"]
    g1 = ec2.create_security_group(GroupName="a", Description="x", VpcId=vpc_id)["GroupId"]
    g2 = ec2.create_security_group(GroupName="b", Description="x", VpcId=vpc_id)["GroupId"]
    # Groups replaces the whole set.
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, Groups=[g1, g2])
    assert sorted(g["GroupId"] for g in describe_eni(ec2, eni)["Groups"]) == sorted([g1, g2])
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, Groups=[g2])
    assert [g["GroupId"] for g in describe_eni(ec2, eni)["Groups"]] == [g2]
    # The default group is no longer in use by it: deletable groups stay deletable.
    ec2.delete_security_group(GroupId=g1)
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    foreign = ec2.create_security_group(GroupName="x", Description="x", VpcId=other)["GroupId"]
    # AWS-UNCONFIRMED: the code for a group of another VPC.
    expect_client_error(ec2.modify_network_interface_attribute, NetworkInterfaceId=eni, Groups=[foreign])
    expect_error(ec2.modify_network_interface_attribute, NetworkInterfaceId=eni, Groups=["sg-0123456789abcdef0"],
                 code="InvalidGroup.NotFound")
    more = [ec2.create_security_group(GroupName=f"m{i}", Description="x", VpcId=vpc_id)["GroupId"] for i in range(6)]
    expect_error(ec2.modify_network_interface_attribute, NetworkInterfaceId=eni, Groups=more,
                 code="SecurityGroupsPerInterfaceLimitExceeded")
    assert [g["GroupId"] for g in describe_eni(ec2, eni)["Groups"]] == [g2]


def test_modify_one_attribute_at_a_time(ec2, ec2_raw, subnet):
    eni = new_eni(ec2, subnet, Description="keep")["NetworkInterfaceId"]
    # ModifyNetworkInterfaceAttribute: "You can modify only one attribute at a time."
    # AWS-UNCONFIRMED: the code (InvalidParameterCombination, as localvpc answers for
    # ModifyVpcAttribute per docs/aws-choices.md); only the refusal is asserted.
    expect_client_error(ec2.modify_network_interface_attribute, NetworkInterfaceId=eni,
                        Description={"Value": "x"}, SourceDestCheck={"Value": False})
    e = describe_eni(ec2, eni)
    assert e["Description"] == "keep" and e["SourceDestCheck"] is True
    # None at all is refused too.
    expect_client_error(ec2_raw.modify_network_interface_attribute, NetworkInterfaceId=eni)


def test_modify_errors(ec2, ec2_raw, subnet):
    eni = new_eni(ec2, subnet)["NetworkInterfaceId"]
    expect_error(ec2.modify_network_interface_attribute, NetworkInterfaceId=MISSING_ENI_ID,
                 Description={"Value": "x"}, code="InvalidNetworkInterfaceID.NotFound")
    expect_error(ec2_raw.modify_network_interface_attribute, Description={"Value": "x"}, code="MissingParameter")
    expect_dry_run(ec2.modify_network_interface_attribute, NetworkInterfaceId=eni, Description={"Value": "x"})
    assert describe_eni(ec2, eni)["Description"] == ""


# --------------------------------------------------------------------------- Assign / Unassign


def test_assign_and_unassign_private_addresses(ec2, subnet):
    eni = new_eni(ec2, subnet)["NetworkInterfaceId"]
    resp = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=2)
    assert resp["NetworkInterfaceId"] == eni
    assert [a["PrivateIpAddress"] for a in resp["AssignedPrivateIpAddresses"]] == ["10.0.1.5", "10.0.1.6"]
    resp = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=["10.0.1.100"])
    assert [a["PrivateIpAddress"] for a in resp["AssignedPrivateIpAddresses"]] == ["10.0.1.100"]
    assert sorted(addresses(describe_eni(ec2, eni))) == [
        ("10.0.1.100", False), ("10.0.1.4", True), ("10.0.1.5", False), ("10.0.1.6", False)]

    ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=["10.0.1.5", "10.0.1.100"])
    assert sorted(addresses(describe_eni(ec2, eni))) == [("10.0.1.4", True), ("10.0.1.6", False)]
    # The freed address is allocatable again.
    assert new_eni(ec2, subnet)["PrivateIpAddress"] == "10.0.1.5"


def test_assign_address_in_use(ec2, subnet):
    a = new_eni(ec2, subnet)["NetworkInterfaceId"]
    b = new_eni(ec2, subnet)["NetworkInterfaceId"]
    # 10.0.1.4 is a's primary. AWS-UNCONFIRMED: the code (InvalidIPAddress.InUse is the
    # documented "already in use" code); only the refusal is asserted.
    expect_client_error(ec2.assign_private_ip_addresses, NetworkInterfaceId=b, PrivateIpAddresses=["10.0.1.4"])
    assert addresses(describe_eni(ec2, b)) == [("10.0.1.5", True)]


def test_assign_with_allow_reassignment_moves_a_secondary_address(ec2, subnet):
    a = new_eni(ec2, subnet)["NetworkInterfaceId"]
    b = new_eni(ec2, subnet)["NetworkInterfaceId"]
    # AssignPrivateIpAddresses, AllowReassignment: "Indicates whether to allow an IP address
    # that is already assigned to another network interface or instance to be reassigned to
    # the specified network interface."
    ec2.assign_private_ip_addresses(NetworkInterfaceId=a, PrivateIpAddresses=["10.0.1.50"])
    ec2.assign_private_ip_addresses(NetworkInterfaceId=b, PrivateIpAddresses=["10.0.1.50"], AllowReassignment=True)
    assert addresses(describe_eni(ec2, a)) == [("10.0.1.4", True)]
    assert sorted(addresses(describe_eni(ec2, b))) == [("10.0.1.5", True), ("10.0.1.50", False)]


def test_assign_reserved_or_outside_address(ec2, subnet):
    eni = new_eni(ec2, subnet)["NetworkInterfaceId"]
    # docs/aws-choices.md: reserved or outside the subnet is InvalidParameterValue.
    for bad in ("10.0.1.1", "10.0.1.255", "10.0.3.9"):
        expect_error(ec2.assign_private_ip_addresses, NetworkInterfaceId=eni, PrivateIpAddresses=[bad],
                     code="InvalidParameterValue")
    assert addresses(describe_eni(ec2, eni)) == [("10.0.1.4", True)]


def test_primary_address_cannot_be_unassigned(ec2, subnet):
    eni = new_eni(ec2, subnet, SecondaryPrivateIpAddressCount=1)["NetworkInterfaceId"]
    # UnassignPrivateIpAddresses unassigns secondary addresses only (API reference).
    # AWS-UNCONFIRMED: the code.
    expect_client_error(ec2.unassign_private_ip_addresses, NetworkInterfaceId=eni, PrivateIpAddresses=["10.0.1.4"])
    # An address the interface does not have is refused as well. AWS-UNCONFIRMED: the code.
    expect_client_error(ec2.unassign_private_ip_addresses, NetworkInterfaceId=eni, PrivateIpAddresses=["10.0.1.99"])
    assert addresses(describe_eni(ec2, eni)) == [("10.0.1.4", True), ("10.0.1.5", False)]


def test_assign_errors(ec2, ec2_raw, subnet):
    eni = new_eni(ec2, subnet)["NetworkInterfaceId"]
    expect_error(ec2.assign_private_ip_addresses, NetworkInterfaceId=MISSING_ENI_ID,
                 SecondaryPrivateIpAddressCount=1, code="InvalidNetworkInterfaceID.NotFound")
    expect_error(ec2.unassign_private_ip_addresses, NetworkInterfaceId=MISSING_ENI_ID,
                 PrivateIpAddresses=["10.0.1.5"], code="InvalidNetworkInterfaceID.NotFound")
    expect_error(ec2_raw.assign_private_ip_addresses, SecondaryPrivateIpAddressCount=1, code="MissingParameter")
    assert addresses(describe_eni(ec2, eni)) == [("10.0.1.4", True)]


# --------------------------------------------------------------------------- DeleteNetworkInterface


def test_delete_network_interface(ec2, subnet):
    eni = new_eni(ec2, subnet)["NetworkInterfaceId"]
    expect_dry_run(ec2.delete_network_interface, NetworkInterfaceId=eni)
    resp = ec2.delete_network_interface(NetworkInterfaceId=eni)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    expect_error(ec2.describe_network_interfaces, NetworkInterfaceIds=[eni], code="InvalidNetworkInterfaceID.NotFound")
    expect_error(ec2.delete_network_interface, NetworkInterfaceId=eni, code="InvalidNetworkInterfaceID.NotFound")
    expect_error(ec2.delete_network_interface, NetworkInterfaceId="eni-zz", code="InvalidNetworkInterfaceID.Malformed")


def test_subnet_with_interfaces_cannot_be_deleted(ec2, vpc_id, subnet):
    eni = new_eni(ec2, subnet)["NetworkInterfaceId"]
    # [OBS] DependencyViolation "The subnet 'subnet-...' has dependencies and cannot be deleted."
    expect_error(ec2.delete_subnet, SubnetId=subnet, code="DependencyViolation")
    expect_error(ec2.delete_vpc, VpcId=vpc_id, code="DependencyViolation")
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    ec2.delete_subnet(SubnetId=subnet)


def test_security_group_in_use_cannot_be_deleted(ec2, vpc_id, subnet):
    sg = ec2.create_security_group(GroupName="used", Description="x", VpcId=vpc_id)["GroupId"]
    eni = new_eni(ec2, subnet, Groups=[sg])["NetworkInterfaceId"]
    # [OBS] DependencyViolation "resource sg-... has a dependent object".
    expect_error(ec2.delete_security_group, GroupId=sg, code="DependencyViolation")
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    ec2.delete_security_group(GroupId=sg)


def test_interfaces_are_per_account(make_client, ec2, subnet, is_external):
    if is_external:
        pytest.skip("account mapping of an external server is unknown")
    eni = new_eni(ec2, subnet)["NetworkInterfaceId"]
    alpha = make_client(access_key=ALPHA_KEY)
    expect_error(alpha.describe_network_interfaces, NetworkInterfaceIds=[eni], code="InvalidNetworkInterfaceID.NotFound")
    expect_error(alpha.delete_network_interface, NetworkInterfaceId=eni, code="InvalidNetworkInterfaceID.NotFound")
    assert alpha.describe_network_interfaces()["NetworkInterfaces"] == []


# --------------------------------------------------------------------------- requester-managed


def test_nat_gateway_interface_is_requester_managed(ec2, vpc_id, subnet):
    nat = ec2.create_nat_gateway(SubnetId=subnet, ConnectivityType="private")["NatGateway"]
    [addr] = nat["NatGatewayAddresses"]
    eni_id = addr["NetworkInterfaceId"]
    e = describe_eni(ec2, eni_id)
    assert e["RequesterManaged"] is True
    # Model enum NetworkInterfaceType: natGateway.
    assert e["InterfaceType"] == "natGateway"
    assert e["Description"] == f"Interface for NAT Gateway {nat['NatGatewayId']}"
    assert e["Status"] == "in-use"
    assert e["SubnetId"] == subnet and e["PrivateIpAddress"] == addr["PrivateIp"] == "10.0.1.4"
    assert ec2.describe_network_interfaces(Filters=[f("vpc-id", vpc_id), f("requester-managed", "true")])[
        "NetworkInterfaces"][0]["NetworkInterfaceId"] == eni_id
    assert [x["NetworkInterfaceId"] for x in ec2.describe_network_interfaces(
        Filters=[f("interface-type", "natGateway")])["NetworkInterfaces"]] == [eni_id]

    # docs/aws-choices.md: requester-managed interfaces refuse Delete and Modify.
    expect_error(ec2.delete_network_interface, NetworkInterfaceId=eni_id, code="OperationNotPermitted")
    expect_error(ec2.modify_network_interface_attribute, NetworkInterfaceId=eni_id,
                 Description={"Value": "mine now"}, code="OperationNotPermitted")
    describe_eni(ec2, eni_id)
    # The subnet holding it cannot go.
    expect_error(ec2.delete_subnet, SubnetId=subnet, code="DependencyViolation")


def test_nat_gateway_interface_has_source_dest_check_off(ec2, subnet):
    nat = ec2.create_nat_gateway(SubnetId=subnet, ConnectivityType="private")["NatGateway"]
    eni_id = nat["NatGatewayAddresses"][0]["NetworkInterfaceId"]
    # [OBS] A NAT gateway's interface has source/destination checking off (it forwards other
    # hosts' traffic): AWS Config configuration items and terraformer exports of real NAT
    # gateway interfaces show "sourceDestCheck": false.
    assert describe_eni(ec2, eni_id)["SourceDestCheck"] is False


def test_transit_gateway_attachment_interface_is_requester_managed(ec2, vpc_id, subnet):
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    att = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=vpc_id, SubnetIds=[subnet])[
        "TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    [e] = ec2.describe_network_interfaces(Filters=[f("subnet-id", subnet)])["NetworkInterfaces"]
    assert e["RequesterManaged"] is True
    assert e["InterfaceType"] == "transit_gateway"
    assert att in e["Description"]
    assert e["PrivateIpAddress"] == "10.0.1.4"
    expect_error(ec2.delete_network_interface, NetworkInterfaceId=e["NetworkInterfaceId"],
                 code="OperationNotPermitted")
    expect_error(ec2.modify_network_interface_attribute, NetworkInterfaceId=e["NetworkInterfaceId"],
                 SourceDestCheck={"Value": False}, code="OperationNotPermitted")
    expect_error(ec2.delete_subnet, SubnetId=subnet, code="DependencyViolation")


# --------------------------------------------------------------------------- Attach/DetachNetworkInterface

AMI = "ami-0123456789abcdef0"


def launch(ec2, subnet_id):
    [i] = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                            SubnetId=subnet_id)["Instances"]
    return i["InstanceId"]


def instance_enis(ec2, instance_id):
    [r] = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    return {n["NetworkInterfaceId"]: n for n in r["Instances"][0]["NetworkInterfaces"]}


def test_attach_and_detach_network_interface(ec2, ec2_raw, subnet):
    instance = launch(ec2, subnet)
    eni = new_eni(ec2, subnet)["NetworkInterfaceId"]
    expect_dry_run(ec2.attach_network_interface, NetworkInterfaceId=eni, InstanceId=instance, DeviceIndex=1)
    resp = ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=instance, DeviceIndex=1)
    att = resp["AttachmentId"]
    assert re.match(r"^eni-attach-[0-9a-f]{17}$", att)
    assert resp["NetworkCardIndex"] == 0

    e = describe_eni(ec2, eni)
    assert e["Status"] == "in-use"
    a = e["Attachment"]
    assert a["AttachmentId"] == att and a["InstanceId"] == instance
    assert a["DeviceIndex"] == 1 and a["NetworkCardIndex"] == 0
    # AWS's default for an interface attached after launch.
    assert a["DeleteOnTermination"] is False
    assert a["Status"] == "attached" and a["InstanceOwnerId"] == e["OwnerId"]
    assert a["AttachTime"] is not None

    # The instance lists both interfaces, primary first.
    enis = instance_enis(ec2, instance)
    assert len(enis) == 2 and enis[eni]["Attachment"]["AttachmentId"] == att
    assert enis[eni]["Attachment"]["DeviceIndex"] == 1
    got = ec2.describe_instances(Filters=[f("network-interface.network-interface-id", eni)])["Reservations"]
    assert [i["InstanceId"] for r in got for i in r["Instances"]] == [instance]

    # The filters of an attachment.
    for name, value in (("attachment.attachment-id", att), ("attachment.instance-id", instance),
                        ("attachment.device-index", "1"), ("attachment.status", "attached"),
                        ("attachment.delete-on-termination", "false"), ("status", "in-use")):
        ids = [x["NetworkInterfaceId"] for x in
               ec2.describe_network_interfaces(Filters=[f(name, value), f("network-interface-id", eni)])[
                   "NetworkInterfaces"]]
        assert ids == [eni], name

    # In use: neither attached again nor deleted.
    expect_error(ec2.attach_network_interface, NetworkInterfaceId=eni, InstanceId=instance, DeviceIndex=2,
                 code="InvalidNetworkInterface.InUse")
    expect_error(ec2.delete_network_interface, NetworkInterfaceId=eni, code="InvalidNetworkInterface.InUse")
    # A device index already used.
    other = new_eni(ec2, subnet)["NetworkInterfaceId"]
    err = expect_error(ec2.attach_network_interface, NetworkInterfaceId=other, InstanceId=instance,
                       DeviceIndex=1, code="InvalidParameterValue")
    assert err["Error"]["Message"] == f"Instance '{instance}' already has an interface attached at device index '1'."
    expect_error(ec2_raw.attach_network_interface, NetworkInterfaceId=other, InstanceId=instance,
                 code="MissingParameter")

    # The primary interface never detaches, Force or not.
    [primary] = [n for n in enis.values() if n["Attachment"]["DeviceIndex"] == 0]
    err = expect_error(ec2.detach_network_interface, AttachmentId=primary["Attachment"]["AttachmentId"], Force=True,
                       code="OperationNotPermitted")
    assert "device index 0" in err["Error"]["Message"]

    expect_dry_run(ec2.detach_network_interface, AttachmentId=att)
    assert ec2.detach_network_interface(AttachmentId=att, Force=True)["ResponseMetadata"]["HTTPStatusCode"] == 200
    e = describe_eni(ec2, eni)
    assert e["Status"] == "available" and "Attachment" not in e
    assert list(instance_enis(ec2, instance)) == [primary["NetworkInterfaceId"]]
    expect_error(ec2.detach_network_interface, AttachmentId=att, code="InvalidAttachmentID.NotFound")
    # The index is free again.
    ec2.attach_network_interface(NetworkInterfaceId=other, InstanceId=instance, DeviceIndex=1)


def test_attach_needs_the_instance_availability_zone(ec2, vpc_id, subnet):
    instance = launch(ec2, subnet)
    far = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24",
                            AvailabilityZone="ap-northeast-1c")["Subnet"]["SubnetId"]
    eni = new_eni(ec2, far)["NetworkInterfaceId"]
    expect_error(ec2.attach_network_interface, NetworkInterfaceId=eni, InstanceId=instance, DeviceIndex=1,
                 code="InvalidParameterValue")
    expect_error(ec2.attach_network_interface, NetworkInterfaceId=eni, InstanceId="i-0123456789abcdef0",
                 DeviceIndex=1, code="InvalidInstanceID.NotFound")


def test_delete_on_termination_decides_an_attached_interface_fate(ec2, subnet):
    instance = launch(ec2, subnet)
    kept = new_eni(ec2, subnet)["NetworkInterfaceId"]
    dropped = new_eni(ec2, subnet)["NetworkInterfaceId"]
    ec2.attach_network_interface(NetworkInterfaceId=kept, InstanceId=instance, DeviceIndex=1)
    att = ec2.attach_network_interface(NetworkInterfaceId=dropped, InstanceId=instance, DeviceIndex=2)["AttachmentId"]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=dropped,
                                           Attachment={"AttachmentId": att, "DeleteOnTermination": True})
    assert describe_eni(ec2, dropped)["Attachment"]["DeleteOnTermination"] is True
    expect_error(ec2.modify_network_interface_attribute, NetworkInterfaceId=kept,
                 Attachment={"AttachmentId": att, "DeleteOnTermination": True},
                 code="InvalidAttachmentID.NotFound")
    ec2.terminate_instances(InstanceIds=[instance])
    expect_error(ec2.describe_network_interfaces, NetworkInterfaceIds=[dropped],
                 code="InvalidNetworkInterfaceID.NotFound")
    survivor = describe_eni(ec2, kept)
    assert survivor["Status"] == "available" and "Attachment" not in survivor


def test_cli_attach_and_detach_network_interface(ec2, cli, subnet):
    instance = launch(ec2, subnet)
    eni = new_eni(ec2, subnet)["NetworkInterfaceId"]
    out = cli("ec2", "attach-network-interface", "--network-interface-id", eni, "--instance-id", instance,
              "--device-index", "1").json
    assert out["AttachmentId"].startswith("eni-attach-")
    got = cli("ec2", "describe-network-interfaces", "--filters",
              f"Name=attachment.attachment-id,Values={out['AttachmentId']}").json
    assert [e["NetworkInterfaceId"] for e in got["NetworkInterfaces"]] == [eni]
    cli("ec2", "detach-network-interface", "--attachment-id", out["AttachmentId"])
    assert describe_eni(ec2, eni)["Status"] == "available"


def test_automatic_primary_avoids_requested_secondaries(ec2, subnet):
    e = new_eni(ec2, subnet, PrivateIpAddresses=[{"PrivateIpAddress": "10.0.1.4", "Primary": False}],
                SecondaryPrivateIpAddressCount=1)
    assert addresses(e) == [("10.0.1.5", True), ("10.0.1.4", False), ("10.0.1.6", False)]

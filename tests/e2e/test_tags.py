"""CreateTags, DeleteTags, DescribeTags."""

import pytest

from helpers import (
    MISSING_SUBNET_ID,
    MISSING_VPC_ID,
    all_pages,
    expect_client_error,
    expect_dry_run,
    expect_error,
    tags_of,
)


@pytest.fixture
def vpc_and_subnet(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    return vpc_id, subnet_id


def vpc_tags(ec2, vpc_id):
    return tags_of(ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0])


def subnet_tags(ec2, subnet_id):
    return tags_of(ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0])


def T(**kv):
    return [{"Key": k, "Value": v} for k, v in kv.items()]


# --------------------------------------------------------------------------- CreateTags


def test_create_tags_on_vpc_and_subnet_at_once(ec2, vpc_and_subnet):
    vpc_id, subnet_id = vpc_and_subnet
    ec2.create_tags(Resources=[vpc_id, subnet_id], Tags=T(Env="prod", Team="net"))
    assert vpc_tags(ec2, vpc_id) == {"Env": "prod", "Team": "net"}
    assert subnet_tags(ec2, subnet_id) == {"Env": "prod", "Team": "net"}


def test_create_tags_overwrites_value_and_keeps_others(ec2, vpc_and_subnet):
    vpc_id, _ = vpc_and_subnet
    ec2.create_tags(Resources=[vpc_id], Tags=T(Env="dev", Owner="alice"))
    ec2.create_tags(Resources=[vpc_id], Tags=T(Env="prod"))
    assert vpc_tags(ec2, vpc_id) == {"Env": "prod", "Owner": "alice"}


def test_create_tags_empty_value_and_case_sensitive_keys(ec2, vpc_and_subnet):
    vpc_id, _ = vpc_and_subnet
    ec2.create_tags(Resources=[vpc_id], Tags=T(flag="", Name="a", name="b"))
    assert vpc_tags(ec2, vpc_id) == {"flag": "", "Name": "a", "name": "b"}


def test_create_tags_on_default_vpc(ec2):
    dvpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    ec2.create_tags(Resources=[dvpc], Tags=T(Name="default"))
    assert vpc_tags(ec2, dvpc) == {"Name": "default"}


def test_create_tags_length_limits(ec2, vpc_and_subnet):
    vpc_id, _ = vpc_and_subnet
    ec2.create_tags(Resources=[vpc_id], Tags=T(**{"k" * 127: "v" * 256}))
    assert vpc_tags(ec2, vpc_id) == {"k" * 127: "v" * 256}
    # Keys are limited to 127/128 characters and values to 256 (model docs).
    # AWS-UNCONFIRMED: exact code (InvalidParameterValue expected); client-error class asserted.
    expect_client_error(ec2.create_tags, Resources=[vpc_id], Tags=T(**{"k" * 300: "v"}))
    expect_client_error(ec2.create_tags, Resources=[vpc_id], Tags=T(x="v" * 300))
    assert vpc_tags(ec2, vpc_id) == {"k" * 127: "v" * 256}


def test_create_tags_reserved_aws_prefix(ec2, vpc_and_subnet):
    vpc_id, _ = vpc_and_subnet
    # Error-code reference: InvalidTagKey.Malformed ("cannot start with aws:"); observed
    # wire answers are InvalidParameterValue "Tag keys starting with 'aws:' are reserved
    # for internal use". AWS-UNCONFIRMED which one; either is accepted.
    expect_error(ec2.create_tags, Resources=[vpc_id], Tags=T(**{"aws:owner": "me"}),
                 code={"InvalidParameterValue", "InvalidTagKey.Malformed"})
    assert vpc_tags(ec2, vpc_id) == {}


def test_create_tags_empty_key(ec2, vpc_and_subnet):
    vpc_id, _ = vpc_and_subnet
    # Error-code reference: InvalidTagKey.Malformed "Tag keys cannot be empty or null";
    # AWS-UNCONFIRMED which code CreateTags actually sends (InvalidParameterValue also seen).
    expect_error(ec2.create_tags, Resources=[vpc_id], Tags=T(**{"": "v"}),
                 code={"InvalidParameterValue", "InvalidTagKey.Malformed"})
    assert vpc_tags(ec2, vpc_id) == {}


def test_create_tags_limit_50_per_resource(ec2, vpc_and_subnet):
    vpc_id, _ = vpc_and_subnet
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": f"k{i}", "Value": str(i)} for i in range(50)])
    assert len(vpc_tags(ec2, vpc_id)) == 50
    # Overwriting an existing key does not count as a new tag.
    ec2.create_tags(Resources=[vpc_id], Tags=T(k0="zero"))
    expect_error(ec2.create_tags, Resources=[vpc_id], Tags=T(k50="x"), code="TagLimitExceeded")
    assert len(vpc_tags(ec2, vpc_id)) == 50


def test_create_tags_unknown_resources(ec2):
    # [OBS] for instances: InvalidInstanceID.NotFound "The instance ID 'i-...' does not exist";
    # AWS-UNCONFIRMED that VPC/subnet follow the same pattern (they do in every peer).
    expect_error(ec2.create_tags, Resources=[MISSING_VPC_ID], Tags=T(a="b"), code="InvalidVpcID.NotFound")
    expect_error(ec2.create_tags, Resources=[MISSING_SUBNET_ID], Tags=T(a="b"), code="InvalidSubnetID.NotFound")


def test_create_tags_invalid_id(ec2, vpc_and_subnet):
    vpc_id, _ = vpc_and_subnet
    # Error-code reference: InvalidID "The specified ID for the resource you are trying to tag is not valid."
    expect_error(ec2.create_tags, Resources=["banana"], Tags=T(a="b"), code="InvalidID")
    # The whole request fails: nothing is tagged. AWS-UNCONFIRMED: that CreateTags validates
    # every id before tagging any (no partial success); it returns no per-resource results.
    expect_error(ec2.create_tags, Resources=[vpc_id, "banana"], Tags=T(a="b"), code="InvalidID")
    assert vpc_tags(ec2, vpc_id) == {}


def test_create_tags_missing_parameters(ec2_raw, vpc_and_subnet):
    vpc_id, _ = vpc_and_subnet
    expect_error(ec2_raw.create_tags, Resources=[vpc_id], code="MissingParameter")
    expect_error(ec2_raw.create_tags, Tags=T(a="b"), code="MissingParameter")


def test_create_tags_dry_run(ec2, vpc_and_subnet):
    vpc_id, _ = vpc_and_subnet
    expect_dry_run(ec2.create_tags, Resources=[vpc_id], Tags=T(a="b"))
    assert vpc_tags(ec2, vpc_id) == {}


# --------------------------------------------------------------------------- DeleteTags


def test_delete_tags_by_key_removes_any_value(ec2, vpc_and_subnet):
    vpc_id, _ = vpc_and_subnet
    ec2.create_tags(Resources=[vpc_id], Tags=T(Env="prod", Keep="yes"))
    ec2.delete_tags(Resources=[vpc_id], Tags=[{"Key": "Env"}])
    assert vpc_tags(ec2, vpc_id) == {"Keep": "yes"}


def test_delete_tags_by_key_and_value(ec2, vpc_and_subnet):
    vpc_id, subnet_id = vpc_and_subnet
    ec2.create_tags(Resources=[vpc_id, subnet_id], Tags=T(Env="prod"))
    ec2.create_tags(Resources=[subnet_id], Tags=T(Env="dev"))
    # Value must match for the tag to go.
    ec2.delete_tags(Resources=[vpc_id, subnet_id], Tags=T(Env="prod"))
    assert vpc_tags(ec2, vpc_id) == {}
    assert subnet_tags(ec2, subnet_id) == {"Env": "dev"}


def test_delete_tags_empty_value_only_matches_empty(ec2, vpc_and_subnet):
    vpc_id, subnet_id = vpc_and_subnet
    ec2.create_tags(Resources=[vpc_id], Tags=T(Flag=""))
    ec2.create_tags(Resources=[subnet_id], Tags=T(Flag="set"))
    # Model docs: "If you specify a tag key with an empty string as the tag value, we delete
    # the tag only if its value is an empty string."
    ec2.delete_tags(Resources=[vpc_id, subnet_id], Tags=T(Flag=""))
    assert vpc_tags(ec2, vpc_id) == {}
    assert subnet_tags(ec2, subnet_id) == {"Flag": "set"}


def test_delete_tags_without_tags_deletes_all(ec2, vpc_and_subnet):
    vpc_id, subnet_id = vpc_and_subnet
    ec2.create_tags(Resources=[vpc_id, subnet_id], Tags=T(a="1", b="2"))
    # Model docs: "If you omit this parameter, we delete all user-defined tags".
    ec2.delete_tags(Resources=[vpc_id])
    assert vpc_tags(ec2, vpc_id) == {}
    assert subnet_tags(ec2, subnet_id) == {"a": "1", "b": "2"}


def test_delete_missing_tag_is_a_no_op(ec2, vpc_and_subnet):
    vpc_id, _ = vpc_and_subnet
    ec2.create_tags(Resources=[vpc_id], Tags=T(a="1"))
    ec2.delete_tags(Resources=[vpc_id], Tags=[{"Key": "nope"}])
    assert vpc_tags(ec2, vpc_id) == {"a": "1"}


def test_delete_tags_errors(ec2, ec2_raw):
    expect_error(ec2.delete_tags, Resources=[MISSING_VPC_ID], Tags=[{"Key": "a"}], code="InvalidVpcID.NotFound")
    expect_error(ec2.delete_tags, Resources=["banana"], Tags=[{"Key": "a"}], code="InvalidID")
    expect_error(ec2_raw.delete_tags, Tags=[{"Key": "a"}], code="MissingParameter")


def test_delete_tags_dry_run(ec2, vpc_and_subnet):
    vpc_id, _ = vpc_and_subnet
    ec2.create_tags(Resources=[vpc_id], Tags=T(a="1"))
    expect_dry_run(ec2.delete_tags, Resources=[vpc_id], Tags=[{"Key": "a"}])
    assert vpc_tags(ec2, vpc_id) == {"a": "1"}


# --------------------------------------------------------------------------- DescribeTags


def test_describe_tags_contents_and_filters(ec2, vpc_and_subnet):
    vpc_id, subnet_id = vpc_and_subnet
    ec2.create_tags(Resources=[vpc_id], Tags=T(Name="core", Env="prod"))
    ec2.create_tags(Resources=[subnet_id], Tags=T(Name="core-a", Tier="app"))

    def rows(*filters):
        resp = ec2.describe_tags(Filters=list(filters)) if filters else ec2.describe_tags()
        return sorted((t["ResourceType"], t["ResourceId"], t["Key"], t["Value"]) for t in resp["Tags"])

    every = sorted([
        ("vpc", vpc_id, "Env", "prod"),
        ("vpc", vpc_id, "Name", "core"),
        ("subnet", subnet_id, "Name", "core-a"),
        ("subnet", subnet_id, "Tier", "app"),
    ])
    assert rows() == every

    def f(name, *values):
        return {"Name": name, "Values": list(values)}

    assert rows(f("resource-id", vpc_id)) == [r for r in every if r[1] == vpc_id]
    assert rows(f("resource-type", "subnet")) == [r for r in every if r[0] == "subnet"]
    assert rows(f("resource-type", "vpc", "subnet")) == every
    assert rows(f("key", "Name")) == [r for r in every if r[2] == "Name"]
    assert rows(f("value", "app")) == [("subnet", subnet_id, "Tier", "app")]
    assert rows(f("key", "Name"), f("resource-type", "vpc")) == [("vpc", vpc_id, "Name", "core")]
    # AWS-UNCONFIRMED: whether tag:K=V on DescribeTags yields only the matching tag row or
    # every tag of the matching resources; both readings are accepted.
    by_tag = rows(f("tag:Name", "core"))
    assert ("vpc", vpc_id, "Name", "core") in by_tag
    assert set(by_tag) <= {r for r in every if r[1] == vpc_id}
    # Wildcards.
    assert rows(f("value", "core*")) == [r for r in every if r[3].startswith("core")]
    assert rows(f("value", "core-?")) == [("subnet", subnet_id, "Name", "core-a")]
    assert rows(f("key", "*e*")) == [r for r in every if "e" in r[2]]
    assert rows(f("resource-id", "subnet-*")) == [r for r in every if r[0] == "subnet"]
    assert rows(f("value", "nothing")) == []


def test_describe_tags_pagination(ec2, vpc_and_subnet):
    vpc_id, subnet_id = vpc_and_subnet
    ec2.create_tags(Resources=[vpc_id, subnet_id], Tags=[{"Key": f"k{i:02d}", "Value": str(i)} for i in range(12)])
    items, sizes = all_pages(ec2.describe_tags, "Tags", MaxResults=5)
    keys = [(t["ResourceId"], t["Key"]) for t in items]
    assert len(keys) == 24 and len(set(keys)) == 24
    assert all(n <= 5 for n in sizes) and len(sizes) >= 5, sizes
    # The botocore paginator agrees.
    paged = [t for page in ec2.get_paginator("describe_tags").paginate(PaginationConfig={"PageSize": 7})
             for t in page["Tags"]]
    assert sorted((t["ResourceId"], t["Key"]) for t in paged) == sorted(keys)


def test_describe_tags_errors(ec2, ec2_raw):
    expect_error(ec2.describe_tags, Filters=[{"Name": "colour", "Values": ["red"]}], code="InvalidParameterValue")
    # Model docs: MaxResults "can be between 5 and 1000".
    expect_error(ec2_raw.describe_tags, MaxResults=4, code="InvalidParameterValue")
    expect_error(ec2_raw.describe_tags, MaxResults=0, code="InvalidParameterValue")
    # AWS-UNCONFIRMED: above the maximum (AWS docs for some Describe* say values above 1000
    # are capped; the localvpc contract says InvalidParameterValue).
    expect_error(ec2_raw.describe_tags, MaxResults=1001, code="InvalidParameterValue")


def test_describe_tags_bad_next_token(ec2):
    # Error-code reference: InvalidNextToken "The specified NextToken is not valid."
    # AWS-UNCONFIRMED whether DescribeTags answers InvalidNextToken or InvalidParameterValue.
    expect_error(ec2.describe_tags, MaxResults=5, NextToken="definitely-not-a-token",
                 code={"InvalidNextToken", "InvalidParameterValue", "InvalidPaginationToken"})


def test_describe_tags_dry_run(ec2):
    expect_dry_run(ec2.describe_tags)


def test_tags_are_removed_with_their_resource(ec2, vpc_and_subnet):
    vpc_id, subnet_id = vpc_and_subnet
    ec2.create_tags(Resources=[vpc_id, subnet_id], Tags=T(x="1"))
    ec2.delete_subnet(SubnetId=subnet_id)
    rows = [(t["ResourceId"], t["Key"]) for t in ec2.describe_tags()["Tags"]]
    assert rows == [(vpc_id, "x")]


# --------------------------------------------------------------------------- untagged shapes


def test_untagged_resources_show_tags_as_aws_does(ec2, vpc_id, subnet, sg, rtb, igw, ami):
    """An untagged resource carries `"Tags": []` where AWS's CLI examples show it and no Tags key
    where they show none (or show nothing): docs/aws-choices.md, "Untagged resources"."""
    R = "ap-northeast-1"
    peer_vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, ConnectivityType="private")["NatGateway"]["NatGatewayId"]
    cgw = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="203.0.113.7", BgpAsn=65000)[
        "CustomerGateway"]["CustomerGatewayId"]
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    instance = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                                 SubnetId=subnet)["Instances"][0]["InstanceId"]
    without = {
        "vpc": ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0],
        "subnet": ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0],
        "security group": ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0],
        "internet gateway": ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"][0],
        "egress-only internet gateway": ec2.create_egress_only_internet_gateway(VpcId=vpc_id)[
            "EgressOnlyInternetGateway"],
        "elastic ip": ec2.describe_addresses(AllocationIds=[eip])["Addresses"][0],
        "nat gateway": ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0],
        "dhcp options": ec2.create_dhcp_options(DhcpConfigurations=[
            {"Key": "domain-name", "Values": ["example.internal"]}])["DhcpOptions"],
        "customer gateway": ec2.describe_customer_gateways(CustomerGatewayIds=[cgw])["CustomerGateways"][0],
        "vpn gateway": ec2.describe_vpn_gateways(VpnGatewayIds=[vgw])["VpnGateways"][0],
        "subnet cidr reservation": ec2.create_subnet_cidr_reservation(
            SubnetId=subnet, Cidr="10.0.1.64/28", ReservationType="explicit")["SubnetCidrReservation"],
        "network insights path": ec2.create_network_insights_path(
            Source=eni, Destination=instance, Protocol="tcp")["NetworkInsightsPath"],
    }
    for kind, shape in without.items():
        assert "Tags" not in shape, (kind, shape)
    empty = {
        "route table": ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0],
        "network acl": ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"],
        "instance": ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0],
        "vpc endpoint": ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=f"com.amazonaws.{R}.s3")["VpcEndpoint"],
        "managed prefix list": ec2.create_managed_prefix_list(
            PrefixListName="pl", MaxEntries=2, AddressFamily="IPv4")["PrefixList"],
        "vpc peering connection": ec2.create_vpc_peering_connection(VpcId=vpc_id, PeerVpcId=peer_vpc)[
            "VpcPeeringConnection"],
        "transit gateway": ec2.describe_transit_gateways(TransitGatewayIds=[tgw])["TransitGateways"][0],
        "transit gateway route table": ec2.create_transit_gateway_route_table(TransitGatewayId=tgw)[
            "TransitGatewayRouteTable"],
        "transit gateway vpc attachment": ec2.create_transit_gateway_vpc_attachment(
            TransitGatewayId=tgw, VpcId=vpc_id, SubnetIds=[subnet])["TransitGatewayVpcAttachment"],
    }
    for kind, shape in empty.items():
        assert shape["Tags"] == [], (kind, shape)
    # A network interface names its list TagSet.
    assert ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]["TagSet"] == []

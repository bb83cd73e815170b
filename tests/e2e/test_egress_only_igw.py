"""Create/Delete/DescribeEgressOnlyInternetGateways, their tags, and routes to them."""

import re

import pytest

from helpers import (
    MISSING_VPC_ID,
    all_pages,
    expect_client_error,
    expect_dry_run,
    expect_error,
    tag_spec,
    tags_of,
)

EIGW_ID_RE = re.compile(r"^eigw-[0-9a-f]{17}$")
MISSING_EIGW_ID = "eigw-0123456789abcdef0"


def f(name, *values):
    return {"Name": name, "Values": list(values)}


@pytest.fixture
def vpc_id(ec2):
    return ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]


@pytest.fixture
def eigw(ec2, vpc_id):
    return ec2.create_egress_only_internet_gateway(VpcId=vpc_id)["EgressOnlyInternetGateway"][
        "EgressOnlyInternetGatewayId"]


def describe(ec2, eigw_id):
    [g] = ec2.describe_egress_only_internet_gateways(EgressOnlyInternetGatewayIds=[eigw_id])[
        "EgressOnlyInternetGateways"]
    return g


def main_table(ec2, vpc_id):
    return ec2.describe_route_tables(Filters=[f("vpc-id", vpc_id), f("association.main", "true")])["RouteTables"][0]


def route_to(table, dest6):
    return next(r for r in table["Routes"] if r.get("DestinationIpv6CidrBlock") == dest6)


def test_create_and_describe(ec2, vpc_id):
    expect_dry_run(ec2.create_egress_only_internet_gateway, VpcId=vpc_id)
    resp = ec2.create_egress_only_internet_gateway(VpcId=vpc_id, ClientToken="token-1")
    assert resp["ClientToken"] == "token-1"
    g = resp["EgressOnlyInternetGateway"]
    assert EIGW_ID_RE.match(g["EgressOnlyInternetGatewayId"])
    assert g["Attachments"] == [{"State": "attached", "VpcId": vpc_id}]
    assert describe(ec2, g["EgressOnlyInternetGatewayId"]) == g
    assert [x["EgressOnlyInternetGatewayId"] for x in ec2.describe_egress_only_internet_gateways()[
        "EgressOnlyInternetGateways"]] == [g["EgressOnlyInternetGatewayId"]]


def test_create_refusals(ec2, ec2_raw, vpc_id, eigw):
    expect_error(ec2.create_egress_only_internet_gateway, VpcId=MISSING_VPC_ID, code="InvalidVpcID.NotFound")
    expect_error(ec2.create_egress_only_internet_gateway, VpcId="vpc-123", code="InvalidVpcID.Malformed")
    expect_error(ec2_raw.create_egress_only_internet_gateway, code="MissingParameter")
    # "You can attach only one egress-only internet gateway to a VPC at a time" (VPC quotas).
    # AWS-UNCONFIRMED: the code.
    expect_client_error(ec2.create_egress_only_internet_gateway, VpcId=vpc_id)
    assert len(ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"]) == 1


def test_a_vpc_without_ipv6_may_have_one(ec2):
    # The gateway only carries IPv6, but AWS documents no IPv6 requirement for creating it.
    plain = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    g = ec2.create_egress_only_internet_gateway(VpcId=plain)["EgressOnlyInternetGateway"]
    assert g["Attachments"][0]["VpcId"] == plain


def test_tags_and_filters(ec2, vpc_id):
    other_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    a = ec2.create_egress_only_internet_gateway(
        VpcId=vpc_id, TagSpecifications=tag_spec("egress-only-internet-gateway", Name="a", Env="prod"))[
        "EgressOnlyInternetGateway"]
    assert tags_of(a) == {"Name": "a", "Env": "prod"}
    b = ec2.create_egress_only_internet_gateway(VpcId=other_vpc)["EgressOnlyInternetGateway"][
        "EgressOnlyInternetGatewayId"]
    a = a["EgressOnlyInternetGatewayId"]
    ec2.create_tags(Resources=[b], Tags=[{"Key": "Env", "Value": "dev"}])

    def ids(*filters):
        return sorted(g["EgressOnlyInternetGatewayId"] for g in ec2.describe_egress_only_internet_gateways(
            Filters=list(filters))["EgressOnlyInternetGateways"])

    assert ids(f("tag:Env", "prod")) == [a]
    assert ids(f("tag-key", "Env")) == sorted([a, b])
    assert ids(f("tag:Env", "dev", "prod")) == sorted([a, b])
    assert ids(f("attachment.vpc-id", other_vpc)) == [b]
    expect_error(ec2.describe_egress_only_internet_gateways, Filters=[f("bogus", "x")],
                 code="InvalidParameterValue")
    tags = ec2.describe_tags(Filters=[f("resource-type", "egress-only-internet-gateway")])["Tags"]
    assert sorted((t["ResourceId"], t["Key"]) for t in tags) == sorted(
        [(a, "Env"), (a, "Name"), (b, "Env")])
    ec2.delete_tags(Resources=[a], Tags=[{"Key": "Env"}])
    assert tags_of(describe(ec2, a)) == {"Name": "a"}


def test_describe_errors_and_pages(ec2, make_client):
    expect_error(ec2.describe_egress_only_internet_gateways, EgressOnlyInternetGatewayIds=[MISSING_EIGW_ID],
                 code="InvalidEgressOnlyInternetGatewayId.NotFound")
    expect_error(ec2.describe_egress_only_internet_gateways, EgressOnlyInternetGatewayIds=["eigw-xyz"],
                 code="InvalidEgressOnlyInternetGatewayId.Malformed")
    expect_error(ec2.describe_egress_only_internet_gateways, MaxResults=256, code="InvalidParameterValue")
    made = []
    for i in range(6):
        vpc = ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")["Vpc"]["VpcId"]
        made.append(ec2.create_egress_only_internet_gateway(VpcId=vpc)["EgressOnlyInternetGateway"][
            "EgressOnlyInternetGatewayId"])
    pages, sizes = all_pages(ec2.describe_egress_only_internet_gateways, "EgressOnlyInternetGateways",
                             MaxResults=5)
    assert sizes[0] == 5
    assert sorted(g["EgressOnlyInternetGatewayId"] for g in pages) == sorted(made)
    # Another region sees nothing.
    assert make_client(region="us-east-1").describe_egress_only_internet_gateways()[
        "EgressOnlyInternetGateways"] == []


def test_delete(ec2, vpc_id, eigw):
    expect_dry_run(ec2.delete_egress_only_internet_gateway, EgressOnlyInternetGatewayId=eigw)
    assert ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=eigw)["ReturnCode"] is True
    assert ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"] == []
    # Terraform's provider treats InvalidGatewayID.NotFound as "already deleted".
    expect_error(ec2.delete_egress_only_internet_gateway, EgressOnlyInternetGatewayId=eigw,
                 code="InvalidGatewayID.NotFound")
    expect_error(ec2.delete_egress_only_internet_gateway, EgressOnlyInternetGatewayId="eigw-1",
                 code="InvalidEgressOnlyInternetGatewayId.Malformed")
    # The VPC can take a new one.
    ec2.create_egress_only_internet_gateway(VpcId=vpc_id)


def test_routes_ipv6_only_and_blackhole_after_delete(ec2, ec2_raw, vpc_id, eigw):
    rtb = main_table(ec2, vpc_id)["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw)
    r = route_to(main_table(ec2, vpc_id), "::/0")
    assert r["EgressOnlyInternetGatewayId"] == eigw and r["State"] == "active" and "GatewayId" not in r
    # IPv4 destinations are refused. AWS-UNCONFIRMED: the code (the gateway is "[IPv6 only]").
    expect_client_error(ec2.create_route, RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0",
                        EgressOnlyInternetGatewayId=eigw)
    expect_error(ec2.create_route, RouteTableId=rtb, DestinationIpv6CidrBlock="2600::/16",
                 EgressOnlyInternetGatewayId=MISSING_EIGW_ID, code="InvalidGatewayID.NotFound")
    # Another VPC's gateway.
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    other_gw = ec2.create_egress_only_internet_gateway(VpcId=other)["EgressOnlyInternetGateway"][
        "EgressOnlyInternetGatewayId"]
    expect_error(ec2.create_route, RouteTableId=rtb, DestinationIpv6CidrBlock="2600::/16",
                 EgressOnlyInternetGatewayId=other_gw, code="InvalidParameterValue")
    # The VPC cannot go while the gateway exists.
    expect_error(ec2.delete_vpc, VpcId=vpc_id, code="DependencyViolation")
    ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=eigw)
    r = route_to(main_table(ec2, vpc_id), "::/0")
    assert r["EgressOnlyInternetGatewayId"] == eigw and r["State"] == "blackhole"
    got = ec2.describe_route_tables(Filters=[f("route.egress-only-internet-gateway-id", eigw)])["RouteTables"]
    assert [t["RouteTableId"] for t in got] == [rtb]
    ec2.delete_route(RouteTableId=rtb, DestinationIpv6CidrBlock="::/0")
    ec2.delete_vpc(VpcId=vpc_id)


def aws(cli, *args):
    return cli(*args).json


def test_cli_egress_only_gateway_and_ipv6_route(cli):
    vpc = aws(cli, "ec2", "create-vpc", "--cidr-block", "10.0.0.0/16", "--amazon-provided-ipv6-cidr-block")["Vpc"]
    vpc_id = vpc["VpcId"]
    [assoc] = aws(cli, "ec2", "describe-vpcs", "--vpc-ids", vpc_id)["Vpcs"][0]["Ipv6CidrBlockAssociationSet"]
    block = assoc["Ipv6CidrBlock"]
    subnet6 = block.replace("::/56", "::/64")
    sub = aws(cli, "ec2", "create-subnet", "--vpc-id", vpc_id, "--cidr-block", "10.0.1.0/24",
                   "--ipv6-cidr-block", subnet6)["Subnet"]
    assert sub["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"] == subnet6
    gw = aws(cli, "ec2", "create-egress-only-internet-gateway", "--vpc-id", vpc_id)["EgressOnlyInternetGateway"]
    gw_id = gw["EgressOnlyInternetGatewayId"]
    rtb = aws(cli, "ec2", "create-route-table", "--vpc-id", vpc_id)["RouteTable"]["RouteTableId"]
    assert aws(cli, "ec2", "create-route", "--route-table-id", rtb, "--destination-ipv6-cidr-block", "::/0",
                    "--egress-only-internet-gateway-id", gw_id)["Return"] is True
    table = aws(cli, "ec2", "describe-route-tables", "--route-table-ids", rtb)["RouteTables"][0]
    assert {(r.get("DestinationIpv6CidrBlock"), r.get("EgressOnlyInternetGatewayId"), r.get("GatewayId"))
            for r in table["Routes"] if "DestinationIpv6CidrBlock" in r} == {
        (block, None, "local"), ("::/0", gw_id, None)}
    described = aws(cli, "ec2", "describe-egress-only-internet-gateways",
                         "--egress-only-internet-gateway-ids", gw_id)["EgressOnlyInternetGateways"]
    assert described[0]["Attachments"] == [{"State": "attached", "VpcId": vpc_id}]
    aws(cli, "ec2", "delete-route", "--route-table-id", rtb, "--destination-ipv6-cidr-block", "::/0")
    assert aws(cli, "ec2", "delete-egress-only-internet-gateway", "--egress-only-internet-gateway-id",
                    gw_id)["ReturnCode"] is True
    aws(cli, "ec2", "disassociate-subnet-cidr-block", "--association-id",
             sub["Ipv6CidrBlockAssociationSet"][0]["AssociationId"])
    out = aws(cli, "ec2", "disassociate-vpc-cidr-block", "--association-id", assoc["AssociationId"])
    assert out["Ipv6CidrBlockAssociation"]["Ipv6CidrBlock"] == block

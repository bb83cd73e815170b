"""Create/Attach/Detach/Delete/DescribeInternetGateways and the default VPC's gateway."""

import re

import pytest

from helpers import (
    ALPHA_KEY,
    MISSING_VPC_ID,
    UNKNOWN_KEY_ACCOUNT,
    all_pages,
    default_vpc,
    expect_client_error,
    expect_dry_run,
    expect_error,
    tag_spec,
    tags_of,
)

IGW_ID_RE = re.compile(r"^igw-[0-9a-f]{17}$")
MISSING_IGW_ID = "igw-0123456789abcdef0"


def f(name, *values):
    return {"Name": name, "Values": list(values)}


@pytest.fixture
def igw(ec2):
    return ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]


def describe_igw(ec2, igw_id):
    gws = ec2.describe_internet_gateways(InternetGatewayIds=[igw_id])["InternetGateways"]
    assert len(gws) == 1 and gws[0]["InternetGatewayId"] == igw_id
    return gws[0]


# --------------------------------------------------------------------------- create


def test_create_internet_gateway(ec2):
    gw = ec2.create_internet_gateway()["InternetGateway"]
    assert IGW_ID_RE.match(gw["InternetGatewayId"]), gw
    assert gw["Attachments"] == []
    assert gw["OwnerId"] == UNKNOWN_KEY_ACCOUNT
    assert "Tags" not in gw  # untagged: no Tags key (docs/aws-choices.md, "Untagged resources")
    described = describe_igw(ec2, gw["InternetGatewayId"])
    assert described["Attachments"] == [] and described["OwnerId"] == UNKNOWN_KEY_ACCOUNT
    assert "Tags" not in described


def test_create_internet_gateway_with_tags(ec2):
    gw = ec2.create_internet_gateway(TagSpecifications=tag_spec("internet-gateway", Name="edge"))["InternetGateway"]
    assert tags_of(gw) == {"Name": "edge"}
    assert tags_of(describe_igw(ec2, gw["InternetGatewayId"])) == {"Name": "edge"}
    tags = ec2.describe_tags(Filters=[f("resource-id", gw["InternetGatewayId"])])["Tags"]
    assert [(t["Key"], t["ResourceType"]) for t in tags] == [("Name", "internet-gateway")]


def test_create_internet_gateway_ids_are_distinct(ec2):
    ids = {ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"] for _ in range(5)}
    assert len(ids) == 5


def test_create_internet_gateway_dry_run(ec2):
    before = ec2.describe_internet_gateways()["InternetGateways"]
    expect_dry_run(ec2.create_internet_gateway)
    assert ec2.describe_internet_gateways()["InternetGateways"] == before


# --------------------------------------------------------------------------- attach / detach


def test_attach_and_detach(ec2, vpc_id, igw):
    resp = ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    # API reference (InternetGatewayAttachment): "For an internet gateway, the state is
    # available when attached to a VPC".
    assert describe_igw(ec2, igw)["Attachments"] == [{"State": "available", "VpcId": vpc_id}]
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    assert describe_igw(ec2, igw)["Attachments"] == []
    # A detached gateway can be attached elsewhere.
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=other)
    assert describe_igw(ec2, igw)["Attachments"] == [{"State": "available", "VpcId": other}]


def test_attach_already_attached_gateway(ec2, vpc_id, igw):
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    # Error-code reference, Resource.AlreadyAssociated: "You also cannot attach an internet
    # gateway to more than one VPC at a time."
    expect_error(ec2.attach_internet_gateway, InternetGatewayId=igw, VpcId=vpc_id, code="Resource.AlreadyAssociated")
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    expect_error(ec2.attach_internet_gateway, InternetGatewayId=igw, VpcId=other, code="Resource.AlreadyAssociated")
    assert describe_igw(ec2, igw)["Attachments"] == [{"State": "available", "VpcId": vpc_id}]


def test_vpc_takes_one_internet_gateway(ec2, vpc_id, igw):
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    second = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    # AttachInternetGateway: "You can attach one internet gateway to a VPC."
    expect_error(ec2.attach_internet_gateway, InternetGatewayId=second, VpcId=vpc_id, code="Resource.AlreadyAssociated")
    assert describe_igw(ec2, second)["Attachments"] == []


def test_default_vpc_already_has_a_gateway(ec2, igw):
    dvpc = default_vpc(ec2)["VpcId"]
    expect_error(ec2.attach_internet_gateway, InternetGatewayId=igw, VpcId=dvpc, code="Resource.AlreadyAssociated")


def test_attach_errors(ec2, vpc_id, igw):
    expect_error(ec2.attach_internet_gateway, InternetGatewayId=MISSING_IGW_ID, VpcId=vpc_id,
                 code="InvalidInternetGatewayID.NotFound")
    expect_error(ec2.attach_internet_gateway, InternetGatewayId="igw-xyz", VpcId=vpc_id,
                 code="InvalidInternetGatewayId.Malformed")
    expect_error(ec2.attach_internet_gateway, InternetGatewayId=igw, VpcId=MISSING_VPC_ID, code="InvalidVpcID.NotFound")
    expect_error(ec2.attach_internet_gateway, InternetGatewayId=igw, VpcId="vpc-xyz", code="InvalidVpcID.Malformed")
    assert describe_igw(ec2, igw)["Attachments"] == []


def test_attach_missing_parameters(ec2_raw, vpc_id, igw):
    expect_error(ec2_raw.attach_internet_gateway, VpcId=vpc_id, code="MissingParameter")
    expect_error(ec2_raw.attach_internet_gateway, InternetGatewayId=igw, code="MissingParameter")


def test_attach_dry_run(ec2, vpc_id, igw):
    expect_dry_run(ec2.attach_internet_gateway, InternetGatewayId=igw, VpcId=vpc_id)
    assert describe_igw(ec2, igw)["Attachments"] == []


def test_detach_from_wrong_vpc(ec2, vpc_id, igw):
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    # Error-code reference, Gateway.NotAttached: "If you are trying to detach an internet
    # gateway, ensure that you specify the correct VPC."
    expect_error(ec2.detach_internet_gateway, InternetGatewayId=igw, VpcId=other, code="Gateway.NotAttached")
    assert describe_igw(ec2, igw)["Attachments"] == [{"State": "available", "VpcId": vpc_id}]


def test_detach_unattached_gateway(ec2, vpc_id, igw):
    expect_error(ec2.detach_internet_gateway, InternetGatewayId=igw, VpcId=vpc_id, code="Gateway.NotAttached")
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    expect_error(ec2.detach_internet_gateway, InternetGatewayId=igw, VpcId=vpc_id, code="Gateway.NotAttached")


def test_detach_errors(ec2, ec2_raw, vpc_id, igw):
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    expect_error(ec2.detach_internet_gateway, InternetGatewayId=MISSING_IGW_ID, VpcId=vpc_id,
                 code="InvalidInternetGatewayID.NotFound")
    expect_error(ec2.detach_internet_gateway, InternetGatewayId="igw-1", VpcId=vpc_id,
                 code="InvalidInternetGatewayId.Malformed")
    # AWS-UNCONFIRMED: an unknown VPC may be reported as InvalidVpcID.NotFound or, since the
    # gateway is not attached to it, Gateway.NotAttached.
    expect_error(ec2.detach_internet_gateway, InternetGatewayId=igw, VpcId=MISSING_VPC_ID,
                 code={"InvalidVpcID.NotFound", "Gateway.NotAttached"})
    expect_error(ec2_raw.detach_internet_gateway, InternetGatewayId=igw, code="MissingParameter")
    expect_dry_run(ec2.detach_internet_gateway, InternetGatewayId=igw, VpcId=vpc_id)
    assert describe_igw(ec2, igw)["Attachments"] == [{"State": "available", "VpcId": vpc_id}]


def test_default_vpc_gateway_can_be_detached(ec2):
    dvpc = default_vpc(ec2)["VpcId"]
    [gw] = ec2.describe_internet_gateways(Filters=[f("attachment.vpc-id", dvpc)])["InternetGateways"]
    ec2.detach_internet_gateway(InternetGatewayId=gw["InternetGatewayId"], VpcId=dvpc)
    assert describe_igw(ec2, gw["InternetGatewayId"])["Attachments"] == []
    ec2.attach_internet_gateway(InternetGatewayId=gw["InternetGatewayId"], VpcId=dvpc)


# --------------------------------------------------------------------------- delete


def test_delete_internet_gateway(ec2, igw):
    ec2.delete_internet_gateway(InternetGatewayId=igw)
    expect_error(ec2.describe_internet_gateways, InternetGatewayIds=[igw], code="InvalidInternetGatewayID.NotFound")
    expect_error(ec2.delete_internet_gateway, InternetGatewayId=igw, code="InvalidInternetGatewayID.NotFound")


def test_delete_attached_gateway_is_dependency_violation(ec2, vpc_id, igw):
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    # DeleteInternetGateway: "The internet gateway must be detached from the VPC before you
    # can delete it." [OBS] DependencyViolation "The internetGateway 'igw-...' has dependencies
    # and cannot be deleted."
    expect_error(ec2.delete_internet_gateway, InternetGatewayId=igw, code="DependencyViolation")
    describe_igw(ec2, igw)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    ec2.delete_internet_gateway(InternetGatewayId=igw)


def test_delete_errors(ec2, ec2_raw, igw):
    expect_error(ec2.delete_internet_gateway, InternetGatewayId=MISSING_IGW_ID, code="InvalidInternetGatewayID.NotFound")
    expect_error(ec2.delete_internet_gateway, InternetGatewayId="igw_0123", code="InvalidInternetGatewayId.Malformed")
    expect_error(ec2_raw.delete_internet_gateway, code="MissingParameter")
    expect_dry_run(ec2.delete_internet_gateway, InternetGatewayId=igw)
    describe_igw(ec2, igw)


def test_vpc_with_attached_gateway_cannot_be_deleted(ec2, vpc_id, igw):
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    # DeleteVpc: "You must detach or delete all gateways and resources that are associated
    # with the VPC before you can delete it."
    expect_error(ec2.delete_vpc, VpcId=vpc_id, code="DependencyViolation")
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    ec2.delete_vpc(VpcId=vpc_id)
    # The gateway survives the VPC.
    assert describe_igw(ec2, igw)["Attachments"] == []


# --------------------------------------------------------------------------- describe


def test_default_vpc_internet_gateway(ec2):
    dvpc = default_vpc(ec2)["VpcId"]
    gws = ec2.describe_internet_gateways()["InternetGateways"]
    assert len(gws) == 1
    gw = gws[0]
    assert IGW_ID_RE.match(gw["InternetGatewayId"])
    assert gw["Attachments"] == [{"State": "available", "VpcId": dvpc}]
    assert gw["OwnerId"] == UNKNOWN_KEY_ACCOUNT


def test_each_region_default_vpc_has_its_own_gateway(make_client):
    ids = set()
    for region in ("ap-northeast-1", "us-east-1", "eu-west-1"):
        ec2 = make_client(region=region)
        dvpc = default_vpc(ec2)["VpcId"]
        [gw] = ec2.describe_internet_gateways(Filters=[f("attachment.vpc-id", dvpc)])["InternetGateways"]
        ids.add(gw["InternetGatewayId"])
    assert len(ids) == 3


def test_describe_internet_gateways_filters(ec2, vpc_id):
    a = ec2.create_internet_gateway(TagSpecifications=tag_spec("internet-gateway", Name="a", Env="prod"))[
        "InternetGateway"]["InternetGatewayId"]
    b = ec2.create_internet_gateway(TagSpecifications=tag_spec("internet-gateway", Name="b"))[
        "InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=a, VpcId=vpc_id)
    dflt = ec2.describe_internet_gateways(Filters=[f("attachment.vpc-id", default_vpc(ec2)["VpcId"])])[
        "InternetGateways"][0]["InternetGatewayId"]

    def ids(*filters):
        return sorted(g["InternetGatewayId"] for g in ec2.describe_internet_gateways(Filters=list(filters))[
            "InternetGateways"])

    assert ids() == sorted([a, b, dflt])
    assert ids(f("attachment.vpc-id", vpc_id)) == [a]
    assert ids(f("attachment.state", "available")) == sorted([a, dflt])
    assert ids(f("internet-gateway-id", b)) == [b]
    assert ids(f("internet-gateway-id", "igw-*")) == sorted([a, b, dflt])
    assert ids(f("owner-id", UNKNOWN_KEY_ACCOUNT)) == sorted([a, b, dflt])
    assert ids(f("owner-id", "111111111111")) == []
    assert ids(f("tag:Name", "a", "b")) == sorted([a, b])
    assert ids(f("tag:Env", "prod")) == [a]
    assert ids(f("tag-key", "Name")) == sorted([a, b])
    assert ids(f("tag:Name", "b"), f("attachment.state", "available")) == []


def test_describe_internet_gateways_by_id(ec2, igw):
    other = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    got = ec2.describe_internet_gateways(InternetGatewayIds=[igw, other])["InternetGateways"]
    assert sorted(g["InternetGatewayId"] for g in got) == sorted([igw, other])
    expect_error(ec2.describe_internet_gateways, InternetGatewayIds=[igw, MISSING_IGW_ID],
                 code="InvalidInternetGatewayID.NotFound")
    for bad in ("igw-", "igw-XYZ", "vpc-0123456789abcdef0"):
        expect_error(ec2.describe_internet_gateways, InternetGatewayIds=[bad], code="InvalidInternetGatewayId.Malformed")


def test_describe_internet_gateways_unknown_filter(ec2):
    expect_error(ec2.describe_internet_gateways, Filters=[f("attachment.colour", "x")], code="InvalidParameterValue")


def test_describe_internet_gateways_pagination(ec2):
    created = [ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"] for _ in range(6)]
    items, sizes = all_pages(ec2.describe_internet_gateways, "InternetGateways", MaxResults=5)
    ids = [g["InternetGatewayId"] for g in items]
    assert len(ids) == len(set(ids)) == 7
    assert set(created) <= set(ids)
    assert sizes == [5, 2]


@pytest.mark.parametrize("bad", [4, 1001])
def test_describe_internet_gateways_max_results_bounds(ec2_raw, bad):
    # Model: DescribeInternetGatewaysMaxResults is 5..1000.
    expect_error(ec2_raw.describe_internet_gateways, MaxResults=bad, code="InvalidParameterValue")


def test_describe_internet_gateways_dry_run(ec2):
    expect_dry_run(ec2.describe_internet_gateways)


def test_internet_gateways_are_per_account(make_client, ec2, vpc_id, igw, is_external):
    if is_external:
        pytest.skip("account mapping of an external server is unknown")
    alpha = make_client(access_key=ALPHA_KEY)
    expect_error(alpha.describe_internet_gateways, InternetGatewayIds=[igw], code="InvalidInternetGatewayID.NotFound")
    alpha_vpc = alpha.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    expect_error(alpha.attach_internet_gateway, InternetGatewayId=igw, VpcId=alpha_vpc,
                 code="InvalidInternetGatewayID.NotFound")
    # Nor can the owner attach its gateway to another account's VPC.
    expect_error(ec2.attach_internet_gateway, InternetGatewayId=igw, VpcId=alpha_vpc, code="InvalidVpcID.NotFound")
    assert igw not in {g["InternetGatewayId"] for g in alpha.describe_internet_gateways()["InternetGateways"]}


def test_tags_on_gateways_via_create_tags(ec2, igw):
    ec2.create_tags(Resources=[igw], Tags=[{"Key": "Team", "Value": "net"}])
    assert tags_of(describe_igw(ec2, igw)) == {"Team": "net"}
    ec2.delete_internet_gateway(InternetGatewayId=igw)
    assert ec2.describe_tags(Filters=[f("resource-id", igw)])["Tags"] == []


def test_gateway_detached_vpc_deleted_then_gateway_deleted(ec2, vpc_id, igw):
    """The usual teardown order: detach, delete the VPC, delete the gateway."""
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    expect_client_error(ec2.delete_internet_gateway, InternetGatewayId=igw)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    ec2.delete_vpc(VpcId=vpc_id)
    ec2.delete_internet_gateway(InternetGatewayId=igw)
    assert igw not in {g["InternetGatewayId"] for g in ec2.describe_internet_gateways()["InternetGateways"]}

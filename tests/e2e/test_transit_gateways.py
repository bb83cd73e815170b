"""Transit gateways: Create/Modify/Delete/DescribeTransitGateways, VPC attachments (same account
and across accounts with acceptance), peering attachments (across accounts and regions, with
acceptance), route tables with associations and propagations, static and blackhole routes,
propagated routes, SearchTransitGatewayRoutes, and VPC routes with a tgw- target (spec 1.9)."""

import re

import pytest

from helpers import (
    ALPHA_ACCOUNT,
    ALPHA_KEY,
    BRAVO_ACCOUNT,
    BRAVO_KEY,
    UNKNOWN_KEY_ACCOUNT,
    expect_client_error,
    expect_dry_run,
    expect_error,
    tag_spec,
    tags_of,
)

TGW_RE = re.compile(r"^tgw-[0-9a-f]{17}$")
TGW_RTB_RE = re.compile(r"^tgw-rtb-[0-9a-f]{17}$")
TGW_ATTACH_RE = re.compile(r"^tgw-attach-[0-9a-f]{17}$")
MISSING_TGW = "tgw-0123456789abcdef0"
MISSING_ATTACH = "tgw-attach-0123456789abcdef0"
MISSING_TGW_RTB = "tgw-rtb-0123456789abcdef0"


def f(name, *values):
    return {"Name": name, "Values": list(values)}


@pytest.fixture
def tgw(ec2):
    return ec2.create_transit_gateway(Description="core")["TransitGateway"]


@pytest.fixture
def tgw_id(tgw):
    return tgw["TransitGatewayId"]


@pytest.fixture
def default_rtb(tgw):
    return tgw["Options"]["AssociationDefaultRouteTableId"]


@pytest.fixture
def attachment(ec2, tgw_id, vpc_id, subnet_a):
    return ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, VpcId=vpc_id, SubnetIds=[subnet_a])[
        "TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]


def spoke(ec2, cidr, az="ap-northeast-1a"):
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    sub = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr.replace("0.0/16", "1.0/24"), AvailabilityZone=az)[
        "Subnet"]["SubnetId"]
    return vpc, sub


def attach(ec2, tgw_id, vpc, subnets, **kw):
    return ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, VpcId=vpc, SubnetIds=subnets, **kw)[
        "TransitGatewayVpcAttachment"]


def vpc_attachment(ec2, att):
    [a] = ec2.describe_transit_gateway_vpc_attachments(TransitGatewayAttachmentIds=[att])[
        "TransitGatewayVpcAttachments"]
    return a


def describe_tgw(ec2, tgw_id):
    [t] = ec2.describe_transit_gateways(TransitGatewayIds=[tgw_id])["TransitGateways"]
    return t


def search(ec2, rtb, *filters):
    """{destination: (type, state, [attachment ids])}"""
    flt = list(filters) or [f("state", "active", "blackhole")]
    out = {}
    for r in ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=rtb, Filters=flt)["Routes"]:
        out[r["DestinationCidrBlock"]] = (r["Type"], r["State"],
                                          [a["TransitGatewayAttachmentId"] for a in r.get("TransitGatewayAttachments", [])])
    return out


def associations(ec2, rtb):
    return [(a["TransitGatewayAttachmentId"], a["State"]) for a in
            ec2.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=rtb)["Associations"]]


def propagations(ec2, rtb):
    return [(p["TransitGatewayAttachmentId"], p["State"]) for p in
            ec2.get_transit_gateway_route_table_propagations(TransitGatewayRouteTableId=rtb)[
                "TransitGatewayRouteTablePropagations"]]


# --------------------------------------------------------------------------- CreateTransitGateway


def test_create_transit_gateway_defaults(ec2):
    t = ec2.create_transit_gateway(Description="core",
                                   TagSpecifications=tag_spec("transit-gateway", Name="core"))["TransitGateway"]
    tid = t["TransitGatewayId"]
    assert TGW_RE.match(tid)
    assert t["OwnerId"] == UNKNOWN_KEY_ACCOUNT
    assert t["TransitGatewayArn"] == f"arn:aws:ec2:ap-northeast-1:{UNKNOWN_KEY_ACCOUNT}:transit-gateway/{tid}"
    assert t["Description"] == "core"
    assert tags_of(t) == {"Name": "core"}
    o = t["Options"]
    # TransitGatewayRequestOptions defaults: Amazon side ASN 64512; default route table
    # association and propagation enabled; auto-accept of shared attachments disabled; DNS and
    # VPN ECMP support enabled.
    assert o["AmazonSideAsn"] == 64512
    assert o["DefaultRouteTableAssociation"] == "enable"
    assert o["DefaultRouteTablePropagation"] == "enable"
    assert o["AutoAcceptSharedAttachments"] == "disable"
    assert o["DnsSupport"] == "enable"
    assert o["VpnEcmpSupport"] == "enable"
    rtb = o["AssociationDefaultRouteTableId"]
    assert TGW_RTB_RE.match(rtb)
    assert o["PropagationDefaultRouteTableId"] == rtb
    got = describe_tgw(ec2, tid)
    assert got["State"] == "available"
    assert got["Options"] == o
    # Exactly one route table: the default one.
    [table] = ec2.describe_transit_gateway_route_tables(Filters=[f("transit-gateway-id", tid)])[
        "TransitGatewayRouteTables"]
    assert table["TransitGatewayRouteTableId"] == rtb
    assert table["DefaultAssociationRouteTable"] is True
    assert table["DefaultPropagationRouteTable"] is True
    assert table["State"] == "available"


def test_create_transit_gateway_options(ec2):
    t = ec2.create_transit_gateway(Options={
        "AmazonSideAsn": 65100, "DefaultRouteTableAssociation": "disable",
        "DefaultRouteTablePropagation": "disable", "DnsSupport": "disable"})["TransitGateway"]
    o = t["Options"]
    assert o["AmazonSideAsn"] == 65100
    assert o["DefaultRouteTableAssociation"] == "disable"
    assert o["DefaultRouteTablePropagation"] == "disable"
    assert o["DnsSupport"] == "disable"
    assert "AssociationDefaultRouteTableId" not in o and "PropagationDefaultRouteTableId" not in o
    # No default route table is created when both defaults are off.
    assert ec2.describe_transit_gateway_route_tables(Filters=[f("transit-gateway-id", t["TransitGatewayId"])])[
        "TransitGatewayRouteTables"] == []
    # 32-bit private ASNs are accepted as well.
    big = ec2.create_transit_gateway(Options={"AmazonSideAsn": 4200000000})["TransitGateway"]
    assert big["Options"]["AmazonSideAsn"] == 4200000000


@pytest.mark.parametrize("asn", [100, 64511, 65535, 4199999999, 4294967295])
def test_bad_amazon_side_asn(ec2_raw, ec2, asn):
    # TransitGatewayRequestOptions.AmazonSideAsn: "The range is 64512 to 65534 for 16-bit ASNs
    # and 4200000000 to 4294967294 for 32-bit ASNs." AWS-UNCONFIRMED: the code.
    expect_client_error(ec2_raw.create_transit_gateway, Options={"AmazonSideAsn": asn})
    assert ec2.describe_transit_gateways()["TransitGateways"] == []


def test_create_transit_gateway_dry_run(ec2):
    expect_dry_run(ec2.create_transit_gateway)
    assert ec2.describe_transit_gateways()["TransitGateways"] == []


# --------------------------------------------------------------------------- DescribeTransitGateways


def test_describe_transit_gateways(ec2, tgw_id):
    other = ec2.create_transit_gateway(Options={"AmazonSideAsn": 65001},
                                       TagSpecifications=tag_spec("transit-gateway", Env="dev"))[
        "TransitGateway"]["TransitGatewayId"]

    def ids(*filters):
        return sorted(t["TransitGatewayId"] for t in ec2.describe_transit_gateways(Filters=list(filters))[
            "TransitGateways"])

    both = sorted([tgw_id, other])
    assert ids() == both
    assert ids(f("transit-gateway-id", other)) == [other]
    assert ids(f("state", "available")) == both
    assert ids(f("owner-id", UNKNOWN_KEY_ACCOUNT)) == both
    assert ids(f("options.amazon-side-asn", "65001")) == [other]
    assert ids(f("options.amazon-side-asn", "64512")) == [tgw_id]
    assert ids(f("options.default-route-table-association", "enable")) == both
    assert ids(f("tag:Env", "dev")) == [other]
    assert ids(f("tag-key", "Env")) == [other]
    resp = expect_error(ec2.describe_transit_gateways, TransitGatewayIds=[MISSING_TGW],
                        code="InvalidTransitGatewayID.NotFound")
    assert resp["Error"]["Message"] == f"Transit Gateway {MISSING_TGW} was deleted or does not exist."
    expect_error(ec2.describe_transit_gateways, Filters=[f("colour", "red")], code="InvalidParameterValue")


# --------------------------------------------------------------------------- VPC attachments


def test_same_account_attachment(ec2, tgw_id, default_rtb, vpc_id, subnet_a, subnet_c):
    resp = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw_id, VpcId=vpc_id, SubnetIds=[subnet_a, subnet_c],
        TagSpecifications=tag_spec("transit-gateway-attachment", Name="core-vpc"))
    a = resp["TransitGatewayVpcAttachment"]
    att = a["TransitGatewayAttachmentId"]
    assert TGW_ATTACH_RE.match(att)
    assert a["TransitGatewayId"] == tgw_id and a["VpcId"] == vpc_id
    assert a["VpcOwnerId"] == UNKNOWN_KEY_ACCOUNT
    assert sorted(a["SubnetIds"]) == sorted([subnet_a, subnet_c])
    assert tags_of(a) == {"Name": "core-vpc"}
    got = vpc_attachment(ec2, att)
    assert got["State"] == "available"
    # Default association and propagation put it into the default table.
    assert associations(ec2, default_rtb) == [(att, "associated")]
    assert propagations(ec2, default_rtb) == [(att, "enabled")]
    [generic] = ec2.describe_transit_gateway_attachments(TransitGatewayAttachmentIds=[att])["TransitGatewayAttachments"]
    assert generic["ResourceType"] == "vpc" and generic["ResourceId"] == vpc_id
    assert generic["TransitGatewayOwnerId"] == generic["ResourceOwnerId"] == UNKNOWN_KEY_ACCOUNT
    assert generic["State"] == "available"
    assert generic["Association"] == {"TransitGatewayRouteTableId": default_rtb, "State": "associated"}


def test_attachment_places_one_interface_per_subnet(ec2, tgw_id, vpc_id, subnet_a, subnet_c):
    att = attach(ec2, tgw_id, vpc_id, [subnet_a, subnet_c])["TransitGatewayAttachmentId"]
    enis = ec2.describe_network_interfaces(Filters=[f("vpc-id", vpc_id)])["NetworkInterfaces"]
    # Spec 1.9: one transit gateway interface in each chosen subnet; requester-managed.
    assert sorted(e["SubnetId"] for e in enis) == sorted([subnet_a, subnet_c])
    for e in enis:
        assert e["InterfaceType"] == "transit_gateway"
        assert e["RequesterManaged"] is True
        assert att in e["Description"]
    assert {e["PrivateIpAddress"] for e in enis} == {"10.0.1.4", "10.0.2.4"}


def test_one_subnet_per_availability_zone(ec2, tgw_id, vpc_id, subnet_a):
    same_zone = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.3.0/24",
                                  AvailabilityZone="ap-northeast-1a")["Subnet"]["SubnetId"]
    # Transit Gateway guide: "you can select one subnet per Availability Zone".
    # [OBS] DuplicateSubnetsInSameZone.
    expect_error(ec2.create_transit_gateway_vpc_attachment, TransitGatewayId=tgw_id, VpcId=vpc_id,
                 SubnetIds=[subnet_a, same_zone], code="DuplicateSubnetsInSameZone")
    assert ec2.describe_transit_gateway_vpc_attachments()["TransitGatewayVpcAttachments"] == []


def test_duplicate_attachment(ec2, tgw_id, vpc_id, subnet_a, subnet_c, attachment):
    # AWS's text, as terraform-provider-aws issues #10852 and #25868 quote it.
    resp = expect_error(ec2.create_transit_gateway_vpc_attachment, TransitGatewayId=tgw_id, VpcId=vpc_id,
                        SubnetIds=[subnet_c], code="DuplicateTransitGatewayAttachment")
    assert resp["Error"]["Message"] == f"{tgw_id} has non-deleted Transit Gateway Attachments with same VPC ID."


def test_attachment_errors(ec2, ec2_raw, tgw_id, vpc_id, subnet_a):
    other_vpc, other_sub = spoke(ec2, "10.9.0.0/16")
    resp = expect_error(ec2.create_transit_gateway_vpc_attachment, TransitGatewayId=MISSING_TGW, VpcId=vpc_id,
                        SubnetIds=[subnet_a], code="InvalidTransitGatewayID.NotFound")
    # AWS's text, as terraform-aws-transit-gateway issue #89 and terraform-provider-aws #43786 quote it.
    assert resp["Error"]["Message"] == f"Transit Gateway {MISSING_TGW} was deleted or does not exist."
    expect_error(ec2.create_transit_gateway_vpc_attachment, TransitGatewayId=tgw_id, VpcId="vpc-0123456789abcdef0",
                 SubnetIds=[subnet_a], code="InvalidVpcID.NotFound")
    expect_error(ec2.create_transit_gateway_vpc_attachment, TransitGatewayId=tgw_id, VpcId=vpc_id,
                 SubnetIds=["subnet-0123456789abcdef0"], code="InvalidSubnetID.NotFound")
    # A subnet of another VPC. AWS-UNCONFIRMED: the code.
    expect_client_error(ec2.create_transit_gateway_vpc_attachment, TransitGatewayId=tgw_id, VpcId=vpc_id,
                        SubnetIds=[other_sub])
    expect_error(ec2_raw.create_transit_gateway_vpc_attachment, TransitGatewayId=tgw_id, VpcId=vpc_id,
                 code="MissingParameter")
    expect_dry_run(ec2.create_transit_gateway_vpc_attachment, TransitGatewayId=tgw_id, VpcId=vpc_id,
                   SubnetIds=[subnet_a])
    assert ec2.describe_transit_gateway_vpc_attachments()["TransitGatewayVpcAttachments"] == []


def test_modify_attachment_subnets(ec2, vpc_id, subnet_a, subnet_c, attachment):
    resp = ec2.modify_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment, AddSubnetIds=[subnet_c])
    assert sorted(resp["TransitGatewayVpcAttachment"]["SubnetIds"]) == sorted([subnet_a, subnet_c])
    assert sorted(vpc_attachment(ec2, attachment)["SubnetIds"]) == sorted([subnet_a, subnet_c])
    enis = ec2.describe_network_interfaces(Filters=[f("vpc-id", vpc_id)])["NetworkInterfaces"]
    assert sorted(e["SubnetId"] for e in enis) == sorted([subnet_a, subnet_c])
    ec2.modify_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment, RemoveSubnetIds=[subnet_a])
    assert vpc_attachment(ec2, attachment)["SubnetIds"] == [subnet_c]
    enis = ec2.describe_network_interfaces(Filters=[f("vpc-id", vpc_id)])["NetworkInterfaces"]
    assert [e["SubnetId"] for e in enis] == [subnet_c]
    # The freed subnet can be deleted now.
    ec2.delete_subnet(SubnetId=subnet_a)


def test_modify_attachment_keeps_one_subnet_per_zone(ec2, vpc_id, attachment):
    same_zone = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.3.0/24",
                                  AvailabilityZone="ap-northeast-1a")["Subnet"]["SubnetId"]
    expect_error(ec2.modify_transit_gateway_vpc_attachment, TransitGatewayAttachmentId=attachment,
                 AddSubnetIds=[same_zone], code="DuplicateSubnetsInSameZone")


def test_delete_attachment(ec2, vpc_id, subnet_a, default_rtb, attachment):
    resp = ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment)
    assert resp["TransitGatewayVpcAttachment"]["State"] in ("deleting", "deleted")
    assert vpc_attachment(ec2, attachment)["State"] in ("deleting", "deleted")
    assert associations(ec2, default_rtb) == []
    assert propagations(ec2, default_rtb) == []
    assert search(ec2, default_rtb) == {}
    # Its interfaces are gone: the subnet can be deleted.
    assert ec2.describe_network_interfaces(Filters=[f("subnet-id", subnet_a)])["NetworkInterfaces"] == []
    ec2.delete_subnet(SubnetId=subnet_a)
    expect_error(ec2.delete_transit_gateway_vpc_attachment, TransitGatewayAttachmentId=MISSING_ATTACH,
                 code="InvalidTransitGatewayAttachmentID.NotFound")


def test_vpc_with_an_attachment_cannot_be_deleted(ec2, vpc_id, subnet_a, attachment):
    expect_error(ec2.delete_subnet, SubnetId=subnet_a, code="DependencyViolation")
    expect_error(ec2.delete_vpc, VpcId=vpc_id, code="DependencyViolation")


def test_describe_attachments_filters(ec2, tgw_id, vpc_id, attachment):
    vpc2, sub2 = spoke(ec2, "10.2.0.0/16")
    att2 = attach(ec2, tgw_id, vpc2, [sub2], TagSpecifications=tag_spec("transit-gateway-attachment", Env="dev"))[
        "TransitGatewayAttachmentId"]

    def vpc_ids(*filters):
        return sorted(a["TransitGatewayAttachmentId"] for a in ec2.describe_transit_gateway_vpc_attachments(
            Filters=list(filters))["TransitGatewayVpcAttachments"])

    def generic_ids(*filters):
        return sorted(a["TransitGatewayAttachmentId"] for a in ec2.describe_transit_gateway_attachments(
            Filters=list(filters))["TransitGatewayAttachments"])

    both = sorted([attachment, att2])
    assert vpc_ids() == both == generic_ids()
    assert vpc_ids(f("vpc-id", vpc2)) == [att2]
    assert vpc_ids(f("transit-gateway-id", tgw_id)) == both
    assert vpc_ids(f("state", "available")) == both
    assert vpc_ids(f("tag:Env", "dev")) == [att2]
    assert generic_ids(f("resource-id", vpc_id)) == [attachment]
    assert generic_ids(f("resource-type", "vpc")) == both
    assert generic_ids(f("transit-gateway-id", tgw_id)) == both
    assert generic_ids(f("state", "available")) == both
    expect_error(ec2.describe_transit_gateway_vpc_attachments, TransitGatewayAttachmentIds=[MISSING_ATTACH],
                 code="InvalidTransitGatewayAttachmentID.NotFound")


# --------------------------------------------------------------------------- cross-account


@pytest.fixture
def owner(make_client, is_external):
    if is_external:
        pytest.skip("account mapping of an external server is unknown")
    return make_client(access_key=ALPHA_KEY)


@pytest.fixture
def member(make_client, is_external):
    if is_external:
        pytest.skip("account mapping of an external server is unknown")
    return make_client(access_key=BRAVO_KEY)


@pytest.fixture
def shared(owner, member):
    """(tgw id, default table, member vpc, member subnet, pending attachment id)"""
    t = owner.create_transit_gateway()["TransitGateway"]
    vpc, sub = spoke(member, "10.1.0.0/16")
    att = attach(member, t["TransitGatewayId"], vpc, [sub])
    return t["TransitGatewayId"], t["Options"]["AssociationDefaultRouteTableId"], vpc, sub, att


def test_cross_account_attachment_waits_for_acceptance(owner, member, shared):
    tgw_id, rtb, vpc, _, att = shared
    att_id = att["TransitGatewayAttachmentId"]
    assert att["VpcOwnerId"] == BRAVO_ACCOUNT
    # Transit Gateway guide: an attachment from another account stays pendingAcceptance until
    # the transit gateway owner accepts it (auto-accept is off by default).
    assert att["State"] in ("pending", "pendingAcceptance")
    for ec2 in (owner, member):
        assert vpc_attachment(ec2, att_id)["State"] == "pendingAcceptance"
        [g] = ec2.describe_transit_gateway_attachments(TransitGatewayAttachmentIds=[att_id])[
            "TransitGatewayAttachments"]
        assert g["TransitGatewayOwnerId"] == ALPHA_ACCOUNT and g["ResourceOwnerId"] == BRAVO_ACCOUNT
    assert associations(owner, rtb) == []

    resp = owner.accept_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=att_id)
    assert resp["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"] == att_id
    assert vpc_attachment(member, att_id)["State"] == "available"
    assert associations(owner, rtb) == [(att_id, "associated")]
    assert search(owner, rtb)["10.1.0.0/16"] == ("propagated", "active", [att_id])


def test_only_the_owner_may_accept(member, shared):
    _, _, _, _, att = shared
    # AcceptTransitGatewayVpcAttachment: "The VPC attachment must be in the pendingAcceptance
    # state" and is accepted by the transit gateway owner. AWS-UNCONFIRMED: the code for
    # another account (localvpc: OperationNotPermitted).
    expect_client_error(member.accept_transit_gateway_vpc_attachment,
                        TransitGatewayAttachmentId=att["TransitGatewayAttachmentId"])
    assert vpc_attachment(member, att["TransitGatewayAttachmentId"])["State"] == "pendingAcceptance"


def test_owner_may_reject(owner, member, shared):
    _, rtb, _, sub, att = shared
    att_id = att["TransitGatewayAttachmentId"]
    resp = owner.reject_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=att_id)
    assert resp["TransitGatewayVpcAttachment"]["State"] in ("rejecting", "rejected")
    assert vpc_attachment(member, att_id)["State"] in ("rejecting", "rejected")
    assert associations(owner, rtb) == []
    expect_client_error(owner.accept_transit_gateway_vpc_attachment, TransitGatewayAttachmentId=att_id)


def test_third_account_sees_nothing(make_client, shared, is_external):
    tgw_id, _, _, _, att = shared
    third = make_client()
    expect_error(third.describe_transit_gateways, TransitGatewayIds=[tgw_id], code="InvalidTransitGatewayID.NotFound")
    expect_error(third.describe_transit_gateway_vpc_attachments,
                 TransitGatewayAttachmentIds=[att["TransitGatewayAttachmentId"]],
                 code="InvalidTransitGatewayAttachmentID.NotFound")
    assert third.describe_transit_gateway_attachments()["TransitGatewayAttachments"] == []


# --------------------------------------------------------------------------- route tables


def test_route_table_lifecycle(ec2, tgw_id):
    resp = ec2.create_transit_gateway_route_table(
        TransitGatewayId=tgw_id, TagSpecifications=tag_spec("transit-gateway-route-table", Name="isolated"))
    t = resp["TransitGatewayRouteTable"]
    rtb = t["TransitGatewayRouteTableId"]
    assert TGW_RTB_RE.match(rtb)
    assert t["TransitGatewayId"] == tgw_id
    assert t["DefaultAssociationRouteTable"] is False and t["DefaultPropagationRouteTable"] is False
    assert tags_of(t) == {"Name": "isolated"}
    got = ec2.describe_transit_gateway_route_tables(TransitGatewayRouteTableIds=[rtb])["TransitGatewayRouteTables"]
    assert [x["State"] for x in got] == ["available"]
    tables = ec2.describe_transit_gateway_route_tables(Filters=[f("transit-gateway-id", tgw_id)])[
        "TransitGatewayRouteTables"]
    assert len(tables) == 2
    assert [x["TransitGatewayRouteTableId"] for x in ec2.describe_transit_gateway_route_tables(
        Filters=[f("default-association-route-table", "false"), f("transit-gateway-id", tgw_id)])[
        "TransitGatewayRouteTables"]] == [rtb]
    resp = ec2.delete_transit_gateway_route_table(TransitGatewayRouteTableId=rtb)
    remaining = [x["TransitGatewayRouteTableId"] for x in ec2.describe_transit_gateway_route_tables(
        Filters=[f("transit-gateway-id", tgw_id), f("state", "available")])["TransitGatewayRouteTables"]]
    assert rtb not in remaining
    # AWS CLI example for delete-transit-gateway-route-table (aws/aws-cli,
    # awscli/examples/ec2/delete-transit-gateway-route-table.rst) answers "State": "deleting".
    assert resp["TransitGatewayRouteTable"]["State"] in ("deleting", "deleted")


def test_default_route_table_cannot_be_deleted(ec2, tgw_id, default_rtb):
    # DeleteTransitGatewayRouteTable (API reference): "You can't delete a transit gateway route
    # table that is the default association route table or default propagation route table for
    # the transit gateway." AWS-UNCONFIRMED: the code.
    expect_client_error(ec2.delete_transit_gateway_route_table, TransitGatewayRouteTableId=default_rtb)
    [t] = ec2.describe_transit_gateway_route_tables(TransitGatewayRouteTableIds=[default_rtb])[
        "TransitGatewayRouteTables"]
    assert t["State"] == "available"


def test_route_table_errors(ec2, ec2_raw, tgw_id):
    expect_error(ec2.create_transit_gateway_route_table, TransitGatewayId=MISSING_TGW,
                 code="InvalidTransitGatewayID.NotFound")
    expect_error(ec2_raw.create_transit_gateway_route_table, code="MissingParameter")
    # terraform-provider-aws treats InvalidRouteTableID.NotFound as "transit gateway route
    # table not found".
    expect_error(ec2.describe_transit_gateway_route_tables, TransitGatewayRouteTableIds=[MISSING_TGW_RTB],
                 code="InvalidRouteTableID.NotFound")
    expect_error(ec2.delete_transit_gateway_route_table, TransitGatewayRouteTableId=MISSING_TGW_RTB,
                 code="InvalidRouteTableID.NotFound")


def test_associate_and_disassociate(ec2, tgw_id, default_rtb, attachment):
    rtb = ec2.create_transit_gateway_route_table(TransitGatewayId=tgw_id)["TransitGatewayRouteTable"][
        "TransitGatewayRouteTableId"]
    # Spec 1.9: an attachment is associated with exactly one route table. Error-code
    # reference, Resource.AlreadyAssociated.
    expect_error(ec2.associate_transit_gateway_route_table, TransitGatewayRouteTableId=rtb,
                 TransitGatewayAttachmentId=attachment, code="Resource.AlreadyAssociated")
    resp = ec2.disassociate_transit_gateway_route_table(TransitGatewayRouteTableId=default_rtb,
                                                        TransitGatewayAttachmentId=attachment)
    assert resp["Association"]["TransitGatewayAttachmentId"] == attachment
    assert resp["Association"]["State"] in ("disassociating", "disassociated")
    assert associations(ec2, default_rtb) == []
    resp = ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=rtb,
                                                     TransitGatewayAttachmentId=attachment)
    assert resp["Association"]["TransitGatewayRouteTableId"] == rtb
    assert resp["Association"]["State"] in ("associating", "associated")
    assert associations(ec2, rtb) == [(attachment, "associated")]
    [g] = ec2.describe_transit_gateway_attachments(TransitGatewayAttachmentIds=[attachment])[
        "TransitGatewayAttachments"]
    assert g["Association"]["TransitGatewayRouteTableId"] == rtb
    # A table with an association cannot be deleted. AWS-UNCONFIRMED: the code.
    expect_client_error(ec2.delete_transit_gateway_route_table, TransitGatewayRouteTableId=rtb)
    # Disassociating what is not associated. AWS-UNCONFIRMED: the code.
    expect_client_error(ec2.disassociate_transit_gateway_route_table, TransitGatewayRouteTableId=default_rtb,
                        TransitGatewayAttachmentId=attachment)


def test_propagation(ec2, tgw_id, default_rtb, attachment):
    rtb = ec2.create_transit_gateway_route_table(TransitGatewayId=tgw_id)["TransitGatewayRouteTable"][
        "TransitGatewayRouteTableId"]
    resp = ec2.enable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=rtb,
                                                              TransitGatewayAttachmentId=attachment)
    assert resp["Propagation"]["TransitGatewayAttachmentId"] == attachment
    assert resp["Propagation"]["State"] in ("enabling", "enabled")
    # Propagating into any number of tables (spec 1.9).
    assert propagations(ec2, rtb) == [(attachment, "enabled")]
    assert propagations(ec2, default_rtb) == [(attachment, "enabled")]
    assert search(ec2, rtb) == {"10.0.0.0/16": ("propagated", "active", [attachment])}
    # [OBS] TransitGatewayRouteTablePropagation.Duplicate for a second enable.
    expect_error(ec2.enable_transit_gateway_route_table_propagation, TransitGatewayRouteTableId=rtb,
                 TransitGatewayAttachmentId=attachment, code="TransitGatewayRouteTablePropagation.Duplicate")
    resp = ec2.disable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=rtb,
                                                               TransitGatewayAttachmentId=attachment)
    assert resp["Propagation"]["State"] in ("disabling", "disabled")
    assert propagations(ec2, rtb) == []
    assert search(ec2, rtb) == {}
    # terraform-provider-aws: TransitGatewayRouteTablePropagation.NotFound.
    expect_error(ec2.disable_transit_gateway_route_table_propagation, TransitGatewayRouteTableId=rtb,
                 TransitGatewayAttachmentId=attachment, code="TransitGatewayRouteTablePropagation.NotFound")


def test_propagated_routes_follow_vpc_cidrs(ec2, vpc_id, default_rtb, attachment):
    assert search(ec2, default_rtb) == {"10.0.0.0/16": ("propagated", "active", [attachment])}
    ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.100.0.0/16")
    assert search(ec2, default_rtb) == {
        "10.0.0.0/16": ("propagated", "active", [attachment]),
        "10.100.0.0/16": ("propagated", "active", [attachment]),
    }


def test_attachments_without_default_tables(ec2, vpc_id, subnet_a):
    t = ec2.create_transit_gateway(Options={"DefaultRouteTableAssociation": "disable",
                                            "DefaultRouteTablePropagation": "disable"})["TransitGateway"]
    att = attach(ec2, t["TransitGatewayId"], vpc_id, [subnet_a])["TransitGatewayAttachmentId"]
    [g] = ec2.describe_transit_gateway_attachments(TransitGatewayAttachmentIds=[att])["TransitGatewayAttachments"]
    assert g["State"] == "available"
    assert "Association" not in g


# --------------------------------------------------------------------------- routes


def test_static_and_blackhole_routes(ec2, default_rtb, attachment):
    resp = ec2.create_transit_gateway_route(DestinationCidrBlock="192.168.0.0/16",
                                            TransitGatewayRouteTableId=default_rtb,
                                            TransitGatewayAttachmentId=attachment)
    r = resp["Route"]
    assert (r["DestinationCidrBlock"], r["Type"], r["State"]) == ("192.168.0.0/16", "static", "active")
    assert [a["TransitGatewayAttachmentId"] for a in r["TransitGatewayAttachments"]] == [attachment]
    r = ec2.create_transit_gateway_route(DestinationCidrBlock="172.16.0.0/12", TransitGatewayRouteTableId=default_rtb,
                                         Blackhole=True)["Route"]
    assert (r["Type"], r["State"]) == ("static", "blackhole")
    assert search(ec2, default_rtb) == {
        "10.0.0.0/16": ("propagated", "active", [attachment]),
        "192.168.0.0/16": ("static", "active", [attachment]),
        "172.16.0.0/12": ("static", "blackhole", []),
    }
    # Error-code reference, RouteAlreadyExists.
    expect_error(ec2.create_transit_gateway_route, DestinationCidrBlock="172.16.0.0/12",
                 TransitGatewayRouteTableId=default_rtb, TransitGatewayAttachmentId=attachment,
                 code="RouteAlreadyExists")


def test_replace_and_delete_route(ec2, default_rtb, attachment):
    ec2.create_transit_gateway_route(DestinationCidrBlock="192.168.0.0/16", TransitGatewayRouteTableId=default_rtb,
                                     Blackhole=True)
    resp = ec2.replace_transit_gateway_route(DestinationCidrBlock="192.168.0.0/16",
                                             TransitGatewayRouteTableId=default_rtb,
                                             TransitGatewayAttachmentId=attachment)
    assert resp["Route"]["State"] == "active"
    assert search(ec2, default_rtb)["192.168.0.0/16"] == ("static", "active", [attachment])
    ec2.replace_transit_gateway_route(DestinationCidrBlock="192.168.0.0/16", TransitGatewayRouteTableId=default_rtb,
                                      Blackhole=True)
    assert search(ec2, default_rtb)["192.168.0.0/16"] == ("static", "blackhole", [])
    resp = ec2.delete_transit_gateway_route(DestinationCidrBlock="192.168.0.0/16",
                                            TransitGatewayRouteTableId=default_rtb)
    assert resp["Route"]["DestinationCidrBlock"] == "192.168.0.0/16"
    assert "192.168.0.0/16" not in search(ec2, default_rtb)
    # A route that is not there. AWS-UNCONFIRMED: the code (InvalidRoute.NotFound).
    expect_client_error(ec2.delete_transit_gateway_route, DestinationCidrBlock="192.168.0.0/16",
                        TransitGatewayRouteTableId=default_rtb)
    expect_client_error(ec2.replace_transit_gateway_route, DestinationCidrBlock="192.168.0.0/16",
                        TransitGatewayRouteTableId=default_rtb, Blackhole=True)


def test_route_errors(ec2, ec2_raw, default_rtb, attachment):
    expect_error(ec2.create_transit_gateway_route, DestinationCidrBlock="192.168.0.0/16",
                 TransitGatewayRouteTableId=MISSING_TGW_RTB, Blackhole=True, code="InvalidRouteTableID.NotFound")
    expect_error(ec2.create_transit_gateway_route, DestinationCidrBlock="192.168.0.0/16",
                 TransitGatewayRouteTableId=default_rtb, TransitGatewayAttachmentId=MISSING_ATTACH,
                 code="InvalidTransitGatewayAttachmentID.NotFound")
    expect_client_error(ec2.create_transit_gateway_route, DestinationCidrBlock="banana",
                        TransitGatewayRouteTableId=default_rtb, Blackhole=True)
    # Needs a target or Blackhole. AWS-UNCONFIRMED: the code.
    expect_client_error(ec2.create_transit_gateway_route, DestinationCidrBlock="192.168.0.0/16",
                        TransitGatewayRouteTableId=default_rtb)
    expect_error(ec2_raw.create_transit_gateway_route, TransitGatewayRouteTableId=default_rtb, Blackhole=True,
                 code="MissingParameter")
    assert set(search(ec2, default_rtb)) == {"10.0.0.0/16"}


def test_search_transit_gateway_routes(ec2, tgw_id, default_rtb, attachment):
    for cidr in ("192.168.0.0/16", "192.168.1.0/24", "192.168.1.128/25"):
        ec2.create_transit_gateway_route(DestinationCidrBlock=cidr, TransitGatewayRouteTableId=default_rtb,
                                         TransitGatewayAttachmentId=attachment)
    ec2.create_transit_gateway_route(DestinationCidrBlock="172.16.0.0/12", TransitGatewayRouteTableId=default_rtb,
                                     Blackhole=True)

    def dests(*filters):
        return sorted(search(ec2, default_rtb, *filters))

    assert dests(f("type", "static")) == ["172.16.0.0/12", "192.168.0.0/16", "192.168.1.0/24", "192.168.1.128/25"]
    assert dests(f("type", "propagated")) == ["10.0.0.0/16"]
    assert dests(f("state", "blackhole")) == ["172.16.0.0/12"]
    assert dests(f("state", "active"), f("type", "propagated")) == ["10.0.0.0/16"]
    assert dests(f("route-search.exact-match", "192.168.1.0/24")) == ["192.168.1.0/24"]
    # The most specific route that contains the address.
    assert dests(f("route-search.longest-prefix-match", "192.168.1.200/32")) == ["192.168.1.128/25"]
    assert dests(f("route-search.longest-prefix-match", "192.168.7.7/32")) == ["192.168.0.0/16"]
    assert dests(f("route-search.longest-prefix-match", "10.0.3.3/32")) == ["10.0.0.0/16"]
    # Routes that are subnets of the given CIDR / supernets of it (both include it).
    assert dests(f("route-search.subnet-of-match", "192.168.1.0/24")) == ["192.168.1.0/24", "192.168.1.128/25"]
    assert dests(f("route-search.supernet-of-match", "192.168.1.0/24")) == ["192.168.0.0/16", "192.168.1.0/24"]
    assert dests(f("attachment.resource-id", "vpc-0123456789abcdef0")) == []
    resp = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=default_rtb, Filters=[f("type", "static")])
    assert resp["AdditionalRoutesAvailable"] is False
    expect_error(ec2.search_transit_gateway_routes, TransitGatewayRouteTableId=MISSING_TGW_RTB,
                 Filters=[f("type", "static")], code="InvalidRouteTableID.NotFound")


# --------------------------------------------------------------------------- VPC routes to a tgw


def vpc_route(ec2, rtb, dest):
    [r] = [r for r in ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
           if r.get("DestinationCidrBlock") == dest]
    return r


def test_vpc_route_to_the_transit_gateway(ec2, tgw_id, vpc_id, attachment):
    rtb = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="10.0.0.0/8", TransitGatewayId=tgw_id)
    r = vpc_route(ec2, rtb, "10.0.0.0/8")
    # Spec 1.5: a transit gateway target is carried in transitGatewayId.
    assert r["TransitGatewayId"] == tgw_id and "GatewayId" not in r
    assert (r["Origin"], r["State"]) == ("CreateRoute", "active")
    found = ec2.describe_route_tables(Filters=[f("route.transit-gateway-id", tgw_id)])["RouteTables"]
    assert [t["RouteTableId"] for t in found] == [rtb]


def test_vpc_route_needs_an_attachment(ec2, tgw_id, vpc_id):
    rtb = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    # Spec 1.9: a VPC reaches a transit gateway only through an attachment. AWS-UNCONFIRMED:
    # the code.
    expect_client_error(ec2.create_route, RouteTableId=rtb, DestinationCidrBlock="10.0.0.0/8",
                        TransitGatewayId=tgw_id)
    assert "10.0.0.0/8" not in {r.get("DestinationCidrBlock") for r in
                                ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]}


# --------------------------------------------------------------------------- DeleteTransitGateway


def test_delete_transit_gateway(ec2, tgw_id, attachment):
    # [OBS] IncorrectState "tgw-... has non-deleted Transit Gateway Attachments"
    # (terraform-provider-aws retries the delete on exactly that).
    expect_error(ec2.delete_transit_gateway, TransitGatewayId=tgw_id, code="IncorrectState")
    ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment)
    resp = ec2.delete_transit_gateway(TransitGatewayId=tgw_id)
    assert resp["TransitGateway"]["State"] in ("deleting", "deleted")
    got = ec2.describe_transit_gateways(Filters=[f("transit-gateway-id", tgw_id)])["TransitGateways"]
    assert [t["State"] for t in got] in ([], ["deleting"], ["deleted"])
    assert ec2.describe_transit_gateways(Filters=[f("state", "available")])["TransitGateways"] == []


def test_delete_transit_gateway_errors(ec2, ec2_raw, tgw_id):
    expect_error(ec2.delete_transit_gateway, TransitGatewayId=MISSING_TGW, code="InvalidTransitGatewayID.NotFound")
    expect_error(ec2_raw.delete_transit_gateway, code="MissingParameter")
    expect_dry_run(ec2.delete_transit_gateway, TransitGatewayId=tgw_id)
    assert describe_tgw(ec2, tgw_id)["State"] == "available"


# --------------------------------------------------------------------------- ModifyTransitGateway


def test_modify_transit_gateway_options(ec2, tgw_id, default_rtb, attachment):
    t = ec2.modify_transit_gateway(TransitGatewayId=tgw_id, Description="edge", Options={
        "DnsSupport": "disable", "VpnEcmpSupport": "disable", "AutoAcceptSharedAttachments": "enable",
        "SecurityGroupReferencingSupport": "enable", "AmazonSideAsn": 65010,
        "AddTransitGatewayCidrBlocks": ["10.99.0.0/24", "fd00:10::/64"]})["TransitGateway"]
    assert t["TransitGatewayId"] == tgw_id and t["Description"] == "edge"
    o = t["Options"]
    assert (o["DnsSupport"], o["VpnEcmpSupport"], o["AutoAcceptSharedAttachments"],
            o["SecurityGroupReferencingSupport"]) == ("disable", "disable", "enable", "enable")
    assert o["AmazonSideAsn"] == 65010
    assert o["TransitGatewayCidrBlocks"] == ["10.99.0.0/24", "fd00:10::/64"]
    # What was not named stays as it was.
    assert o["DefaultRouteTableAssociation"] == "enable" and o["AssociationDefaultRouteTableId"] == default_rtb
    assert describe_tgw(ec2, tgw_id) == t
    o = ec2.modify_transit_gateway(TransitGatewayId=tgw_id, Options={
        "RemoveTransitGatewayCidrBlocks": ["fd00:10::/64"]})["TransitGateway"]["Options"]
    assert o["TransitGatewayCidrBlocks"] == ["10.99.0.0/24"]
    assert describe_tgw(ec2, tgw_id)["Description"] == "edge"
    # "The modified options are applied to new transit gateway attachments only."
    ec2.modify_transit_gateway(TransitGatewayId=tgw_id, Options={"DefaultRouteTableAssociation": "disable",
                                                                 "DefaultRouteTablePropagation": "disable"})
    assert associations(ec2, default_rtb) == [(attachment, "associated")]
    assert propagations(ec2, default_rtb) == [(attachment, "enabled")]
    vpc, sub = spoke(ec2, "10.5.0.0/16")
    late = attach(ec2, tgw_id, vpc, [sub])["TransitGatewayAttachmentId"]
    assert associations(ec2, default_rtb) == [(attachment, "associated")]
    assert late not in [a for a, _ in propagations(ec2, default_rtb)]


def test_modify_transit_gateway_default_tables(ec2):
    t = ec2.create_transit_gateway(Options={"DefaultRouteTableAssociation": "disable",
                                            "DefaultRouteTablePropagation": "disable"})["TransitGateway"]
    tid = t["TransitGatewayId"]
    # Enabling a default with no table makes one (localvpc's choice: docs/aws-choices.md).
    o = ec2.modify_transit_gateway(TransitGatewayId=tid, Options={"DefaultRouteTableAssociation": "enable"})[
        "TransitGateway"]["Options"]
    made = o["AssociationDefaultRouteTableId"]
    assert TGW_RTB_RE.match(made) and "PropagationDefaultRouteTableId" not in o
    o = ec2.modify_transit_gateway(TransitGatewayId=tid, Options={"DefaultRouteTablePropagation": "enable"})[
        "TransitGateway"]["Options"]
    assert o["PropagationDefaultRouteTableId"] == made
    other = ec2.create_transit_gateway_route_table(TransitGatewayId=tid)["TransitGatewayRouteTable"][
        "TransitGatewayRouteTableId"]
    o = ec2.modify_transit_gateway(TransitGatewayId=tid, Options={"AssociationDefaultRouteTableId": other})[
        "TransitGateway"]["Options"]
    assert o["AssociationDefaultRouteTableId"] == other and o["PropagationDefaultRouteTableId"] == made
    tables = {r["TransitGatewayRouteTableId"]: (r["DefaultAssociationRouteTable"], r["DefaultPropagationRouteTable"])
              for r in ec2.describe_transit_gateway_route_tables(Filters=[f("transit-gateway-id", tid)])[
                  "TransitGatewayRouteTables"]}
    assert tables == {made: (False, True), other: (True, False)}
    vpc, sub = spoke(ec2, "10.6.0.0/16")
    att = attach(ec2, tid, vpc, [sub])["TransitGatewayAttachmentId"]
    assert associations(ec2, other) == [(att, "associated")]
    assert propagations(ec2, made) == [(att, "enabled")]


def test_modify_transit_gateway_errors(ec2, ec2_raw, make_client, tgw_id, is_external):
    expect_error(ec2.modify_transit_gateway, TransitGatewayId=MISSING_TGW, code="InvalidTransitGatewayID.NotFound")
    expect_error(ec2.modify_transit_gateway, TransitGatewayId="tgw-nope",
                 code="InvalidTransitGatewayID.Malformed")
    expect_error(ec2.modify_transit_gateway, TransitGatewayId=tgw_id,
                 Options={"AssociationDefaultRouteTableId": MISSING_TGW_RTB}, code="InvalidRouteTableID.NotFound")
    other = ec2.create_transit_gateway()["TransitGateway"]["Options"]["AssociationDefaultRouteTableId"]
    expect_error(ec2.modify_transit_gateway, TransitGatewayId=tgw_id,
                 Options={"PropagationDefaultRouteTableId": other}, code="InvalidParameterValue")
    expect_error(ec2_raw.modify_transit_gateway, TransitGatewayId=tgw_id, Options={"AmazonSideAsn": 100},
                 code="InvalidParameterValue")
    for bad in (["10.0.0.0/25"], ["fd00::/80"], ["nope"], ["10.1.0.0/16", "10.1.2.0/24"]):
        expect_error(ec2.modify_transit_gateway, TransitGatewayId=tgw_id,
                     Options={"AddTransitGatewayCidrBlocks": bad}, code="InvalidParameterValue")
    expect_error(ec2.modify_transit_gateway, TransitGatewayId=tgw_id,
                 Options={"RemoveTransitGatewayCidrBlocks": ["10.9.0.0/24"]}, code="InvalidParameterValue")
    expect_error(ec2.modify_transit_gateway, TransitGatewayId=tgw_id, Options={"DnsSupport": "maybe"},
                 code="InvalidParameterValue")
    expect_dry_run(ec2.modify_transit_gateway, TransitGatewayId=tgw_id, Description="x")
    assert describe_tgw(ec2, tgw_id)["Description"] == "core"
    if not is_external:
        # Another account may use the gateway, not modify it.
        expect_error(make_client(access_key=BRAVO_KEY).modify_transit_gateway, TransitGatewayId=tgw_id,
                     Description="mine", code="InvalidTransitGatewayID.NotFound")


def test_modify_asn_refused_with_a_vpn_attachment(ec2, tgw_id):
    cgw = ec2.create_customer_gateway(BgpAsn=65000, PublicIp="198.51.100.7", Type="ipsec.1")[
        "CustomerGateway"]["CustomerGatewayId"]
    ec2.create_vpn_connection(CustomerGatewayId=cgw, Type="ipsec.1", TransitGatewayId=tgw_id,
                              Options={"StaticRoutesOnly": True})
    # ModifyTransitGatewayOptions.AmazonSideAsn: "The modify ASN operation is not allowed on a
    # transit gateway if it has ... Static VPN" attachments. AWS-UNCONFIRMED: the code.
    expect_error(ec2.modify_transit_gateway, TransitGatewayId=tgw_id, Options={"AmazonSideAsn": 65020},
                 code="IncorrectState")
    assert describe_tgw(ec2, tgw_id)["Options"]["AmazonSideAsn"] == 64512


def test_create_transit_gateway_cidr_blocks_and_sg_referencing(ec2):
    o = ec2.create_transit_gateway(Options={"TransitGatewayCidrBlocks": ["10.200.0.0/16"],
                                            "SecurityGroupReferencingSupport": "enable"})["TransitGateway"]["Options"]
    assert o["TransitGatewayCidrBlocks"] == ["10.200.0.0/16"]
    assert o["SecurityGroupReferencingSupport"] == "enable"


# --------------------------------------------------------------------------- peering attachments

PEER_REGION = "us-east-1"


@pytest.fixture
def peer(make_client, is_external):
    """The accepter: account BRAVO in us-east-1."""
    if is_external:
        pytest.skip("account mapping of an external server is unknown")
    return make_client(access_key=BRAVO_KEY, region=PEER_REGION)


@pytest.fixture
def peering(owner, peer):
    """(requester tgw, its default table, peer tgw, its default table, the create answer)"""
    a = owner.create_transit_gateway()["TransitGateway"]
    b = peer.create_transit_gateway()["TransitGateway"]
    att = owner.create_transit_gateway_peering_attachment(
        TransitGatewayId=a["TransitGatewayId"], PeerTransitGatewayId=b["TransitGatewayId"],
        PeerAccountId=BRAVO_ACCOUNT, PeerRegion=PEER_REGION,
        TagSpecifications=tag_spec("transit-gateway-attachment", Name="to-bravo"))[
        "TransitGatewayPeeringAttachment"]
    return (a["TransitGatewayId"], a["Options"]["AssociationDefaultRouteTableId"],
            b["TransitGatewayId"], b["Options"]["AssociationDefaultRouteTableId"], att)


def peering_attachment(ec2, att_id):
    [a] = ec2.describe_transit_gateway_peering_attachments(TransitGatewayAttachmentIds=[att_id])[
        "TransitGatewayPeeringAttachments"]
    return a


def generic_attachment(ec2, att_id):
    [a] = ec2.describe_transit_gateway_attachments(TransitGatewayAttachmentIds=[att_id])[
        "TransitGatewayAttachments"]
    return a


def test_peering_request_across_accounts_and_regions(owner, peer, make_client, peering):
    a, _, b, _, att = peering
    att_id = att["TransitGatewayAttachmentId"]
    assert TGW_ATTACH_RE.match(att_id)
    # The request's answer catches it being initiated (the CLI reference's example).
    assert att["State"] == "initiatingRequest"
    assert att["Status"] == {"Code": "initiatingRequest", "Message": f"Initiating Request to {BRAVO_ACCOUNT}"}
    assert att["RequesterTgwInfo"] == {"TransitGatewayId": a, "OwnerId": ALPHA_ACCOUNT, "Region": "ap-northeast-1"}
    assert att["AccepterTgwInfo"] == {"TransitGatewayId": b, "OwnerId": BRAVO_ACCOUNT, "Region": PEER_REGION}
    # Options only as the request gave them (none here).
    assert "Options" not in att
    assert tags_of(att) == {"Name": "to-bravo"}
    mine = peering_attachment(owner, att_id)
    theirs = peering_attachment(peer, att_id)
    assert mine["State"] == theirs["State"] == "pendingAcceptance"
    assert mine["Status"]["Message"] == f"Pending Acceptance by {BRAVO_ACCOUNT}"
    # Each side has tags of its own, as with VPC peering connections.
    assert tags_of(mine) == {"Name": "to-bravo"} and tags_of(theirs) == {}
    peer.create_tags(Resources=[att_id], Tags=[{"Key": "Name", "Value": "from-alpha"}])
    assert tags_of(peering_attachment(peer, att_id)) == {"Name": "from-alpha"}
    assert [(t["ResourceId"], t["Key"], t["Value"]) for t in peer.describe_tags(
        Filters=[f("resource-id", att_id)])["Tags"]] == [(att_id, "Name", "from-alpha")]
    assert tags_of(peering_attachment(owner, att_id)) == {"Name": "to-bravo"}
    # Each side sees it on its own gateway, attaching the other's.
    g = generic_attachment(owner, att_id)
    assert (g["TransitGatewayId"], g["TransitGatewayOwnerId"], g["ResourceType"], g["ResourceId"],
            g["ResourceOwnerId"], g["State"]) == (a, ALPHA_ACCOUNT, "peering", b, BRAVO_ACCOUNT, "pendingAcceptance")
    g = generic_attachment(peer, att_id)
    assert (g["TransitGatewayId"], g["TransitGatewayOwnerId"], g["ResourceType"], g["ResourceId"],
            g["ResourceOwnerId"]) == (b, BRAVO_ACCOUNT, "peering", a, ALPHA_ACCOUNT)
    # The VPC-attachment calls do not know it.
    expect_error(owner.describe_transit_gateway_vpc_attachments, TransitGatewayAttachmentIds=[att_id],
                 code="InvalidTransitGatewayAttachmentID.NotFound")
    # The peer account in another region, and a third account, see nothing.
    for stranger in (make_client(access_key=BRAVO_KEY), make_client(region=PEER_REGION)):
        expect_error(stranger.describe_transit_gateway_peering_attachments, TransitGatewayAttachmentIds=[att_id],
                     code="InvalidTransitGatewayAttachmentID.NotFound")
        assert stranger.describe_transit_gateway_peering_attachments()["TransitGatewayPeeringAttachments"] == []


def test_peering_accept_associates_and_routes_are_static(owner, peer, peering):
    a, a_rtb, b, b_rtb, att = peering
    att_id = att["TransitGatewayAttachmentId"]
    # The accepter is the peer gateway's owner. AWS-UNCONFIRMED: the code for the requester.
    expect_client_error(owner.accept_transit_gateway_peering_attachment, TransitGatewayAttachmentId=att_id)
    resp = peer.accept_transit_gateway_peering_attachment(TransitGatewayAttachmentId=att_id)[
        "TransitGatewayPeeringAttachment"]
    assert resp["TransitGatewayAttachmentId"] == att_id and resp["State"] == "pending"
    for side in (owner, peer):
        got = peering_attachment(side, att_id)
        assert got["State"] == "available" and got["Status"] == {"Code": "available", "Message": "Available"}
    expect_error(peer.accept_transit_gateway_peering_attachment, TransitGatewayAttachmentId=att_id,
                 code="IncorrectState")
    # Accepting associates it with each gateway's default association table; it propagates
    # nothing (Transit Gateway guide: add static routes to the peering attachment).
    assert associations(owner, a_rtb) == [(att_id, "associated")]
    assert associations(peer, b_rtb) == [(att_id, "associated")]
    assert generic_attachment(peer, att_id)["Association"] == {"TransitGatewayRouteTableId": b_rtb,
                                                                "State": "associated"}
    assert propagations(owner, a_rtb) == [] and propagations(peer, b_rtb) == []
    expect_error(owner.enable_transit_gateway_route_table_propagation, TransitGatewayRouteTableId=a_rtb,
                 TransitGatewayAttachmentId=att_id, code="InvalidParameterValue")
    # Static routes on both sides target it.
    r = owner.create_transit_gateway_route(TransitGatewayRouteTableId=a_rtb, DestinationCidrBlock="10.20.0.0/16",
                                           TransitGatewayAttachmentId=att_id)["Route"]
    assert r["Type"] == "static" and r["State"] == "active"
    assert r["TransitGatewayAttachments"] == [{"ResourceId": b, "TransitGatewayAttachmentId": att_id,
                                              "ResourceType": "peering"}]
    r = peer.create_transit_gateway_route(TransitGatewayRouteTableId=b_rtb, DestinationCidrBlock="10.10.0.0/16",
                                          TransitGatewayAttachmentId=att_id)["Route"]
    assert r["TransitGatewayAttachments"][0]["ResourceId"] == a
    assert search(peer, b_rtb, f("attachment.resource-type", "peering")) == {
        "10.10.0.0/16": ("static", "active", [att_id])}
    assert search(owner, a_rtb, f("attachment.resource-id", b)) == {"10.20.0.0/16": ("static", "active", [att_id])}
    # Association is per side: moving it on one gateway leaves the other's.
    peer.disassociate_transit_gateway_route_table(TransitGatewayRouteTableId=b_rtb, TransitGatewayAttachmentId=att_id)
    assert associations(peer, b_rtb) == [] and associations(owner, a_rtb) == [(att_id, "associated")]
    other = peer.create_transit_gateway_route_table(TransitGatewayId=b)["TransitGatewayRouteTable"][
        "TransitGatewayRouteTableId"]
    link = peer.associate_transit_gateway_route_table(TransitGatewayRouteTableId=other,
                                                      TransitGatewayAttachmentId=att_id)["Association"]
    assert (link["ResourceId"], link["ResourceType"]) == (a, "peering")
    expect_error(owner.associate_transit_gateway_route_table, TransitGatewayRouteTableId=a_rtb,
                 TransitGatewayAttachmentId=att_id, code="Resource.AlreadyAssociated")
    # Neither gateway can go while the peering lives.
    expect_error(owner.delete_transit_gateway, TransitGatewayId=a, code="IncorrectState")
    expect_error(peer.delete_transit_gateway, TransitGatewayId=b, code="IncorrectState")
    # Either side may delete it; its routes turn blackhole, its associations go.
    gone = peer.delete_transit_gateway_peering_attachment(TransitGatewayAttachmentId=att_id)[
        "TransitGatewayPeeringAttachment"]
    assert gone["State"] == "deleting"
    assert peering_attachment(owner, att_id)["State"] == "deleted"
    assert search(owner, a_rtb) == {"10.20.0.0/16": ("static", "blackhole", [att_id])}
    assert associations(owner, a_rtb) == [] and associations(peer, other) == []
    # A deleted attachment "was deleted or does not exist" for the calls that change one.
    expect_error(owner.delete_transit_gateway_peering_attachment, TransitGatewayAttachmentId=att_id,
                 code="InvalidTransitGatewayAttachmentID.NotFound")
    owner.delete_transit_gateway_route(TransitGatewayRouteTableId=a_rtb, DestinationCidrBlock="10.20.0.0/16")
    assert owner.delete_transit_gateway(TransitGatewayId=a)["TransitGateway"]["State"] in ("deleting", "deleted")


def test_peering_reject(owner, peer, peering):
    a, a_rtb, _, _, att = peering
    att_id = att["TransitGatewayAttachmentId"]
    expect_client_error(owner.reject_transit_gateway_peering_attachment, TransitGatewayAttachmentId=att_id)
    resp = peer.reject_transit_gateway_peering_attachment(TransitGatewayAttachmentId=att_id)[
        "TransitGatewayPeeringAttachment"]
    assert resp["State"] == "rejecting"
    assert peering_attachment(owner, att_id)["State"] == "rejected"
    assert peering_attachment(peer, att_id)["Status"] == {"Code": "rejected", "Message": "Rejected"}
    expect_error(peer.accept_transit_gateway_peering_attachment, TransitGatewayAttachmentId=att_id,
                 code="IncorrectState")
    expect_error(owner.delete_transit_gateway_peering_attachment, TransitGatewayAttachmentId=att_id,
                 code="IncorrectState")
    # A rejected request no longer holds the gateways.
    assert owner.delete_transit_gateway(TransitGatewayId=a)["TransitGateway"]["TransitGatewayId"] == a


def test_peering_errors(ec2, ec2_raw, owner, peer, peering):
    a, _, b, _, att = peering
    att_id = att["TransitGatewayAttachmentId"]
    for call in (ec2.accept_transit_gateway_peering_attachment, ec2.reject_transit_gateway_peering_attachment,
                 ec2.delete_transit_gateway_peering_attachment):
        expect_error(call, TransitGatewayAttachmentId=MISSING_ATTACH,
                     code="InvalidTransitGatewayAttachmentID.NotFound")
        expect_error(call, TransitGatewayAttachmentId="tgw-attach-zz",
                     code="InvalidTransitGatewayAttachmentID.Malformed")
    expect_error(ec2.describe_transit_gateway_peering_attachments, TransitGatewayAttachmentIds=[MISSING_ATTACH],
                 code="InvalidTransitGatewayAttachmentID.NotFound")
    # A VPC attachment is not a peering attachment.
    vpc, sub = spoke(owner, "10.1.0.0/16")
    vpc_att = attach(owner, a, vpc, [sub])["TransitGatewayAttachmentId"]
    expect_error(owner.delete_transit_gateway_peering_attachment, TransitGatewayAttachmentId=vpc_att,
                 code="InvalidTransitGatewayAttachmentID.NotFound")

    def create(**kw):
        args = dict(TransitGatewayId=a, PeerTransitGatewayId=b, PeerAccountId=BRAVO_ACCOUNT,
                    PeerRegion=PEER_REGION)
        args.update(kw)
        return owner.create_transit_gateway_peering_attachment(**args)["TransitGatewayPeeringAttachment"]

    # One live peering per pair of gateways, whichever side asks (localvpc's choice).
    expect_error(create, code="DuplicateTransitGatewayAttachment")
    expect_error(peer.create_transit_gateway_peering_attachment, TransitGatewayId=b, PeerTransitGatewayId=a,
                 PeerAccountId=ALPHA_ACCOUNT, PeerRegion="ap-northeast-1", code="DuplicateTransitGatewayAttachment")
    expect_error(create, TransitGatewayId=MISSING_TGW, code="InvalidTransitGatewayID.NotFound")
    expect_error(create, TransitGatewayId=b, code="InvalidTransitGatewayID.NotFound")
    expect_error(create, PeerTransitGatewayId=a, PeerAccountId=ALPHA_ACCOUNT, PeerRegion="ap-northeast-1",
                 code="InvalidParameterValue")
    expect_error(create, PeerRegion="mars-north-1", code="InvalidParameterValue")
    expect_error(create, PeerTransitGatewayId="tgw-x", code="InvalidTransitGatewayID.Malformed")
    # A peer of the caller's own account and region must exist; another's request fails later.
    expect_error(create, PeerTransitGatewayId=MISSING_TGW, PeerAccountId=ALPHA_ACCOUNT,
                 PeerRegion="ap-northeast-1", code="InvalidTransitGatewayID.NotFound")
    failed = create(PeerTransitGatewayId=MISSING_TGW)
    assert failed["State"] == "failed"
    assert peering_attachment(owner, failed["TransitGatewayAttachmentId"])["State"] == "failed"
    owner.delete_transit_gateway_peering_attachment(TransitGatewayAttachmentId=failed["TransitGatewayAttachmentId"])
    expect_error(ec2_raw.create_transit_gateway_peering_attachment, TransitGatewayId=a, PeerTransitGatewayId=b,
                 PeerRegion=PEER_REGION, code="MissingParameter")
    expect_error(create, Options={"DynamicRouting": "enable"}, code="UnsupportedOperation")
    given = create(PeerTransitGatewayId=MISSING_TGW, Options={"DynamicRouting": "disable"})
    assert given["Options"] == {"DynamicRouting": "disable"}
    expect_dry_run(owner.accept_transit_gateway_peering_attachment, TransitGatewayAttachmentId=att_id)
    expect_dry_run(owner.describe_transit_gateway_peering_attachments)


def test_peering_within_one_account_and_region(ec2, tgw_id, default_rtb):
    other = ec2.create_transit_gateway()["TransitGateway"]
    att = ec2.create_transit_gateway_peering_attachment(
        TransitGatewayId=tgw_id, PeerTransitGatewayId=other["TransitGatewayId"],
        PeerAccountId=UNKNOWN_KEY_ACCOUNT, PeerRegion="ap-northeast-1")["TransitGatewayPeeringAttachment"]
    att_id = att["TransitGatewayAttachmentId"]
    # Acceptance is still needed (CreateTransitGatewayPeeringAttachment: "the owner of the
    # accepter transit gateway must accept the attachment request").
    assert peering_attachment(ec2, att_id)["State"] == "pendingAcceptance"
    ec2.accept_transit_gateway_peering_attachment(TransitGatewayAttachmentId=att_id)
    assert associations(ec2, default_rtb) == [(att_id, "associated")]
    assert associations(ec2, other["Options"]["AssociationDefaultRouteTableId"]) == [(att_id, "associated")]
    peers = ec2.describe_transit_gateway_attachments(Filters=[f("resource-type", "peering")])[
        "TransitGatewayAttachments"]
    assert [(p["TransitGatewayId"], p["ResourceId"]) for p in peers] == [(tgw_id, other["TransitGatewayId"])]


def test_describe_peering_attachments_filters_and_pages(owner, peer, peering):
    a, _, b, _, first = peering
    # Five more peers of the requester, in its own account and region.
    more = []
    for _ in range(5):
        t = owner.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
        more.append(owner.create_transit_gateway_peering_attachment(
            TransitGatewayId=a, PeerTransitGatewayId=t, PeerAccountId=ALPHA_ACCOUNT, PeerRegion="ap-northeast-1",
            TagSpecifications=tag_spec("transit-gateway-attachment", Env="local"))[
            "TransitGatewayPeeringAttachment"]["TransitGatewayAttachmentId"])
    everything = sorted([first["TransitGatewayAttachmentId"], *more])
    peer.accept_transit_gateway_peering_attachment(TransitGatewayAttachmentId=first["TransitGatewayAttachmentId"])

    def ids(ec2=owner, *filters):
        return sorted(p["TransitGatewayAttachmentId"] for p in ec2.describe_transit_gateway_peering_attachments(
            Filters=list(filters))["TransitGatewayPeeringAttachments"])

    assert ids() == everything
    assert ids(owner, f("transit-gateway-id", a)) == everything
    assert ids(owner, f("transit-gateway-id", b)) == [first["TransitGatewayAttachmentId"]]
    assert ids(owner, f("state", "available")) == [first["TransitGatewayAttachmentId"]]
    assert ids(owner, f("state", "pendingAcceptance")) == sorted(more)
    assert ids(owner, f("remote-owner-id", BRAVO_ACCOUNT)) == [first["TransitGatewayAttachmentId"]]
    assert ids(owner, f("local-owner-id", ALPHA_ACCOUNT)) == everything
    assert ids(owner, f("tag:Env", "local")) == sorted(more)
    assert ids(owner, f("tag-key", "Name")) == [first["TransitGatewayAttachmentId"]]
    assert ids(owner, f("transit-gateway-attachment-id", more[0])) == [more[0]]
    # From the accepter's side local and remote swap.
    assert ids(peer) == [first["TransitGatewayAttachmentId"]]
    assert ids(peer, f("local-owner-id", BRAVO_ACCOUNT), f("remote-owner-id", ALPHA_ACCOUNT)) == [
        first["TransitGatewayAttachmentId"]]
    assert ids(peer, f("local-owner-id", ALPHA_ACCOUNT)) == []
    expect_error(owner.describe_transit_gateway_peering_attachments, Filters=[f("vpc-id", "x")],
                 code="InvalidParameterValue")
    # TransitGatewayMaxResults: 5–1000.
    page = owner.describe_transit_gateway_peering_attachments(MaxResults=5)
    assert len(page["TransitGatewayPeeringAttachments"]) == 5
    rest = owner.describe_transit_gateway_peering_attachments(MaxResults=5, NextToken=page["NextToken"])
    assert "NextToken" not in rest
    assert sorted(p["TransitGatewayAttachmentId"] for p in
                  page["TransitGatewayPeeringAttachments"] + rest["TransitGatewayPeeringAttachments"]) == everything
    # The generic call lists peering attachments beside the others.
    assert sorted(g["TransitGatewayAttachmentId"] for g in owner.describe_transit_gateway_attachments(
        Filters=[f("resource-type", "peering")])["TransitGatewayAttachments"]) == everything


def test_cli_peering_attachment(cli, is_external):
    if is_external:
        pytest.skip("account mapping of an external server is unknown")
    a = cli("ec2", "create-transit-gateway", access_key=ALPHA_KEY).json["TransitGateway"]["TransitGatewayId"]
    b = cli("ec2", "create-transit-gateway", access_key=BRAVO_KEY, region=PEER_REGION).json[
        "TransitGateway"]["TransitGatewayId"]
    att = cli("ec2", "create-transit-gateway-peering-attachment", "--transit-gateway-id", a,
              "--peer-transit-gateway-id", b, "--peer-account-id", BRAVO_ACCOUNT, "--peer-region", PEER_REGION,
              access_key=ALPHA_KEY).json["TransitGatewayPeeringAttachment"]
    att_id = att["TransitGatewayAttachmentId"]
    cli("ec2", "accept-transit-gateway-peering-attachment", "--transit-gateway-attachment-id", att_id,
        access_key=BRAVO_KEY, region=PEER_REGION)
    [got] = cli("ec2", "describe-transit-gateway-peering-attachments", "--filters",
                "Name=state,Values=available", access_key=ALPHA_KEY).json["TransitGatewayPeeringAttachments"]
    assert got["TransitGatewayAttachmentId"] == att_id
    assert got["AccepterTgwInfo"]["Region"] == PEER_REGION

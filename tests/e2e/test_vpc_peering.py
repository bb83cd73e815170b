"""VPC peering between accounts (and within one): Create/Accept/Reject/Delete/Describe
VpcPeeringConnections, ModifyVpcPeeringConnectionOptions, routes to pcx- targets and security
group references across an active peering (spec 1.8, docs/aws-choices.md "VPC peering").

The module runs its own server with two mapped access keys, as a hub-and-spoke setup would:
HUBKEY (111111111111) and MEMBERKEY (222222222222); any other key is account 000000000000."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest

from helpers import (
    UNKNOWN_KEY_ACCOUNT,
    LocalVpcServer,
    ServerStartError,
    expect_client_error,
    expect_dry_run,
    expect_error,
    new_ec2_client,
    reset_server,
    resolve_binary,
    tag_spec,
    tags_of,
    utcnow,
)

pytestmark = pytest.mark.spawns

HUB_KEY, HUB = "HUBKEY", "111111111111"
MEMBER_KEY, MEMBER = "MEMBERKEY", "222222222222"
PCX_ID_RE = re.compile(r"^pcx-[0-9a-f]{17}$")
MISSING_PCX = "pcx-0123456789abcdef0"


def f(name, *values):
    return {"Name": name, "Values": list(values)}


@pytest.fixture(scope="module")
def peering_server(tmp_path_factory):
    if os.environ.get("LOCALVPC_ENDPOINT"):
        pytest.skip("needs its own localvpc process with --account HUBKEY=... --account MEMBERKEY=...")
    srv = LocalVpcServer(binary=resolve_binary(), workdir=tmp_path_factory.mktemp("peering"), ephemeral=True,
                         accounts={HUB_KEY: HUB, MEMBER_KEY: MEMBER})
    try:
        srv.start()
    except ServerStartError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield srv
    if srv.alive():
        srv.terminate(timeout=15)


@pytest.fixture
def url(peering_server):
    if not peering_server.alive():
        pytest.fail(f"the peering server died\n{peering_server.stderr_tail()}", pytrace=False)
    reset_server(peering_server.url)
    return peering_server.url


@pytest.fixture
def hub(url):
    return new_ec2_client(url, access_key=HUB_KEY)


@pytest.fixture
def member(url):
    return new_ec2_client(url, access_key=MEMBER_KEY)


@pytest.fixture
def third(url):
    return new_ec2_client(url)  # unmapped key: account 000000000000


@pytest.fixture
def hub_vpc(hub):
    return hub.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


@pytest.fixture
def member_vpc(member):
    return member.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]


def request(hub, hub_vpc, member_vpc, **kw):
    return hub.create_vpc_peering_connection(VpcId=hub_vpc, PeerVpcId=member_vpc, PeerOwnerId=MEMBER,
                                             **kw)["VpcPeeringConnection"]


@pytest.fixture
def pending(hub, hub_vpc, member_vpc):
    return request(hub, hub_vpc, member_vpc)["VpcPeeringConnectionId"]


@pytest.fixture
def active(hub, member, hub_vpc, member_vpc):
    pcx = request(hub, hub_vpc, member_vpc)["VpcPeeringConnectionId"]
    member.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    return pcx


def describe(ec2, pcx):
    [c] = ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx])["VpcPeeringConnections"]
    assert c["VpcPeeringConnectionId"] == pcx
    return c


def status(ec2, pcx):
    return describe(ec2, pcx)["Status"]["Code"]


# --------------------------------------------------------------------------- create


def test_cross_account_request_is_pending_acceptance(hub, hub_vpc, member_vpc):
    before = utcnow()
    c = request(hub, hub_vpc, member_vpc, TagSpecifications=tag_spec("vpc-peering-connection", Name="hub-a"))
    assert PCX_ID_RE.match(c["VpcPeeringConnectionId"])
    # VPC peering lifecycle: the request's own answer is initiating-request (AWS's CLI
    # example); it then waits in pending-acceptance and expires after 7 days.
    assert c["Status"] == {"Code": "initiating-request", "Message": f"Initiating Request to {MEMBER}"}
    expires = c["ExpirationTime"]
    assert dt.timedelta(days=6, hours=23) < expires - before < dt.timedelta(days=7, hours=1)
    r, a = c["RequesterVpcInfo"], c["AccepterVpcInfo"]
    assert (r["VpcId"], r["OwnerId"], r["Region"], r["CidrBlock"]) == (hub_vpc, HUB, "ap-northeast-1", "10.0.0.0/16")
    assert r["CidrBlockSet"] == [{"CidrBlock": "10.0.0.0/16"}]
    assert (a["VpcId"], a["OwnerId"], a["Region"]) == (member_vpc, MEMBER, "ap-northeast-1")
    # The accepter's CIDR blocks are not shown before the connection is active (AWS CLI
    # examples of pending-acceptance connections show only OwnerId/VpcId/Region).
    assert "CidrBlock" not in a and not a.get("CidrBlockSet")
    assert tags_of(c) == {"Name": "hub-a"}
    assert status(hub, c["VpcPeeringConnectionId"]) == "pending-acceptance"


def test_same_account_request(hub, hub_vpc):
    other = hub.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    c = hub.create_vpc_peering_connection(VpcId=hub_vpc, PeerVpcId=other)["VpcPeeringConnection"]
    # Without PeerOwnerId the peer is in the caller's account; it still needs acceptance.
    assert c["Status"]["Code"] == "initiating-request"
    assert status(hub, c["VpcPeeringConnectionId"]) == "pending-acceptance"
    assert c["AccepterVpcInfo"]["OwnerId"] == HUB
    hub.accept_vpc_peering_connection(VpcPeeringConnectionId=c["VpcPeeringConnectionId"])
    assert status(hub, c["VpcPeeringConnectionId"]) == "active"


def test_same_account_missing_peer_vpc(hub, hub_vpc):
    # docs/aws-choices.md: a peer VPC of the caller's own account and region must exist.
    expect_error(hub.create_vpc_peering_connection, VpcId=hub_vpc, PeerVpcId="vpc-0123456789abcdef0",
                 code="InvalidVpcID.NotFound")
    expect_error(hub.create_vpc_peering_connection, VpcId="vpc-0123456789abcdef0", PeerVpcId=hub_vpc,
                 code="InvalidVpcID.NotFound")
    assert hub.describe_vpc_peering_connections()["VpcPeeringConnections"] == []


def test_other_account_missing_peer_vpc_fails_later(hub, member, hub_vpc):
    # docs/aws-choices.md: another account's missing VPC makes the request "failed" (AWS accepts
    # the call, then reports the failure).
    c = request(hub, hub_vpc, "vpc-0123456789abcdef0")
    assert status(hub, c["VpcPeeringConnectionId"]) == "failed"


def test_overlapping_cidrs_fail(hub, member, hub_vpc):
    overlapping = member.create_vpc(CidrBlock="10.0.128.0/17")["Vpc"]["VpcId"]
    # VPC peering limitations: no peering between VPCs with overlapping IPv4 CIDR blocks;
    # docs/aws-choices.md: the request is created and ends up "failed".
    c = request(hub, hub_vpc, overlapping)
    assert status(hub, c["VpcPeeringConnectionId"]) == "failed"
    expect_error(member.accept_vpc_peering_connection, VpcPeeringConnectionId=c["VpcPeeringConnectionId"],
                 code="InvalidStateTransition")


def test_overlap_with_a_secondary_block_fails(hub, member, hub_vpc):
    vpc = member.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    member.associate_vpc_cidr_block(VpcId=vpc, CidrBlock="10.0.0.0/24")
    c = request(hub, hub_vpc, vpc)
    assert status(hub, c["VpcPeeringConnectionId"]) == "failed"


def test_duplicate_live_pair(hub, member, hub_vpc, member_vpc, pending):
    # Error-code reference, VpcPeeringConnectionAlreadyExists: "A VPC peering connection
    # between the VPCs already exists."
    expect_error(request, hub, hub_vpc, member_vpc, code="VpcPeeringConnectionAlreadyExists")
    # The other direction is the same pair.
    expect_error(member.create_vpc_peering_connection, VpcId=member_vpc, PeerVpcId=hub_vpc, PeerOwnerId=HUB,
                 code="VpcPeeringConnectionAlreadyExists")
    member.accept_vpc_peering_connection(VpcPeeringConnectionId=pending)
    expect_error(request, hub, hub_vpc, member_vpc, code="VpcPeeringConnectionAlreadyExists")
    # Once deleted, the pair may be peered again.
    hub.delete_vpc_peering_connection(VpcPeeringConnectionId=pending)
    again = request(hub, hub_vpc, member_vpc)["VpcPeeringConnectionId"]
    assert again != pending


def test_create_errors(hub, ec2_raw_hub, hub_vpc, member_vpc):
    expect_error(hub.create_vpc_peering_connection, VpcId="vpc-1", PeerVpcId=member_vpc, PeerOwnerId=MEMBER,
                 code="InvalidVpcID.Malformed")
    expect_error(ec2_raw_hub.create_vpc_peering_connection, PeerVpcId=member_vpc, PeerOwnerId=MEMBER,
                 code="MissingParameter")
    expect_dry_run(hub.create_vpc_peering_connection, VpcId=hub_vpc, PeerVpcId=member_vpc, PeerOwnerId=MEMBER)
    assert hub.describe_vpc_peering_connections()["VpcPeeringConnections"] == []


@pytest.fixture
def ec2_raw_hub(url):
    return new_ec2_client(url, access_key=HUB_KEY, parameter_validation=False)


# --------------------------------------------------------------------------- visibility


def test_both_accounts_see_the_connection_but_not_a_third(hub, member, third, pending, hub_vpc, member_vpc):
    assert describe(member, pending)["RequesterVpcInfo"]["VpcId"] == hub_vpc
    assert [c["VpcPeeringConnectionId"] for c in member.describe_vpc_peering_connections()[
        "VpcPeeringConnections"]] == [pending]
    expect_error(third.describe_vpc_peering_connections, VpcPeeringConnectionIds=[pending],
                 code="InvalidVpcPeeringConnectionID.NotFound")
    assert third.describe_vpc_peering_connections()["VpcPeeringConnections"] == []
    expect_error(third.accept_vpc_peering_connection, VpcPeeringConnectionId=pending,
                 code={"InvalidVpcPeeringConnectionID.NotFound", "OperationNotPermitted"})
    expect_error(third.delete_vpc_peering_connection, VpcPeeringConnectionId=pending,
                 code={"InvalidVpcPeeringConnectionID.NotFound", "OperationNotPermitted"})
    assert status(hub, pending) == "pending-acceptance"


def test_accepter_cidrs_appear_once_active(hub, member, pending):
    member.accept_vpc_peering_connection(VpcPeeringConnectionId=pending)
    for ec2 in (hub, member):
        a = describe(ec2, pending)["AccepterVpcInfo"]
        assert a["CidrBlock"] == "10.1.0.0/16"
        assert a["CidrBlockSet"] == [{"CidrBlock": "10.1.0.0/16"}]
        assert a["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is False


def test_describe_filters(hub, member, hub_vpc, member_vpc, pending):
    spare = member.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    rejected = request(hub, hub_vpc, spare, TagSpecifications=tag_spec("vpc-peering-connection", Env="test"))[
        "VpcPeeringConnectionId"]
    member.reject_vpc_peering_connection(VpcPeeringConnectionId=rejected)

    def ids(ec2, *filters):
        return sorted(c["VpcPeeringConnectionId"] for c in ec2.describe_vpc_peering_connections(
            Filters=list(filters))["VpcPeeringConnections"])

    both = sorted([pending, rejected])
    assert ids(hub) == both
    assert ids(member) == both
    assert ids(hub, f("status-code", "pending-acceptance")) == [pending]
    assert ids(hub, f("status-code", "rejected")) == [rejected]
    assert ids(hub, f("requester-vpc-info.vpc-id", hub_vpc)) == both
    assert ids(hub, f("accepter-vpc-info.vpc-id", member_vpc)) == [pending]
    assert ids(member, f("accepter-vpc-info.owner-id", MEMBER)) == both
    assert ids(member, f("requester-vpc-info.owner-id", HUB)) == both
    assert ids(hub, f("requester-vpc-info.cidr-block", "10.0.0.0/16")) == both
    assert ids(hub, f("vpc-peering-connection-id", pending)) == [pending]
    assert ids(hub, f("tag:Env", "test")) == [rejected]
    assert ids(hub, f("tag-key", "Env")) == [rejected]
    expect_error(hub.describe_vpc_peering_connections, Filters=[f("colour", "red")], code="InvalidParameterValue")


def test_describe_unknown_and_malformed_ids(hub):
    resp = expect_error(hub.describe_vpc_peering_connections, VpcPeeringConnectionIds=[MISSING_PCX],
                        code="InvalidVpcPeeringConnectionID.NotFound")
    assert MISSING_PCX in resp["Error"]["Message"]
    # AWS-UNCONFIRMED: the Malformed code's spelling for pcx- ids.
    resp = expect_client_error(hub.describe_vpc_peering_connections, VpcPeeringConnectionIds=["pcx-12"])
    assert resp["Error"]["Code"].endswith("Malformed"), resp["Error"]


# --------------------------------------------------------------------------- accept / reject / delete


def test_accept(hub, member, pending):
    resp = member.accept_vpc_peering_connection(VpcPeeringConnectionId=pending)
    c = resp["VpcPeeringConnection"]
    assert c["VpcPeeringConnectionId"] == pending
    assert c["Status"]["Code"] == "active"
    assert status(hub, pending) == status(member, pending) == "active"


def test_only_the_accepter_may_accept(hub, member, pending):
    # docs/aws-choices.md: only the accepter's scope may accept (OperationNotPermitted).
    expect_error(hub.accept_vpc_peering_connection, VpcPeeringConnectionId=pending, code="OperationNotPermitted")
    assert status(member, pending) == "pending-acceptance"


def test_accept_twice(member, active):
    # Error-code reference, InvalidStateTransition: "The specified VPC peering connection is not
    # in the correct state for the request."
    expect_error(member.accept_vpc_peering_connection, VpcPeeringConnectionId=active, code="InvalidStateTransition")


def test_accept_errors(member, pending):
    expect_error(member.accept_vpc_peering_connection, VpcPeeringConnectionId=MISSING_PCX,
                 code="InvalidVpcPeeringConnectionID.NotFound")
    expect_dry_run(member.accept_vpc_peering_connection, VpcPeeringConnectionId=pending)
    assert status(member, pending) == "pending-acceptance"


def test_reject(hub, member, pending):
    resp = member.reject_vpc_peering_connection(VpcPeeringConnectionId=pending)
    assert resp["Return"] is True
    # docs/aws-choices.md: connections stay listed in their final state.
    assert status(hub, pending) == status(member, pending) == "rejected"
    expect_error(member.accept_vpc_peering_connection, VpcPeeringConnectionId=pending, code="InvalidStateTransition")


def test_only_the_accepter_may_reject(hub, member, pending):
    expect_error(hub.reject_vpc_peering_connection, VpcPeeringConnectionId=pending, code="OperationNotPermitted")
    assert status(member, pending) == "pending-acceptance"


@pytest.mark.parametrize("side", ["requester", "accepter"])
def test_either_side_may_delete(hub, member, active, side):
    ec2 = hub if side == "requester" else member
    resp = ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=active)
    assert resp["Return"] is True
    assert status(hub, active) == status(member, active) == "deleted"
    expect_error(member.accept_vpc_peering_connection, VpcPeeringConnectionId=active, code="InvalidStateTransition")


def test_requester_may_delete_a_pending_request(hub, member, pending):
    hub.delete_vpc_peering_connection(VpcPeeringConnectionId=pending)
    assert status(member, pending) == "deleted"


def test_delete_errors(hub, pending):
    expect_error(hub.delete_vpc_peering_connection, VpcPeeringConnectionId=MISSING_PCX,
                 code="InvalidVpcPeeringConnectionID.NotFound")
    expect_dry_run(hub.delete_vpc_peering_connection, VpcPeeringConnectionId=pending)
    assert status(hub, pending) == "pending-acceptance"


def test_deleting_a_vpc_deletes_its_peerings(hub, member, hub_vpc, active):
    # docs/aws-choices.md: deleting a VPC deletes its live peering connections.
    hub.delete_vpc(VpcId=hub_vpc)
    assert status(member, active) == "deleted"


def test_cross_region_request(hub, url, hub_vpc):
    member_use1 = new_ec2_client(url, access_key=MEMBER_KEY, region="us-east-1")
    peer = member_use1.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    c = request(hub, hub_vpc, peer, PeerRegion="us-east-1")
    assert c["AccepterVpcInfo"]["Region"] == "us-east-1"
    assert c["RequesterVpcInfo"]["Region"] == "ap-northeast-1"
    pcx = c["VpcPeeringConnectionId"]
    # The accepter sees and accepts it in its own region.
    assert status(member_use1, pcx) == "pending-acceptance"
    member_use1.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert status(hub, pcx) == "active"


# --------------------------------------------------------------------------- options


def enable_hostnames(ec2, vpc):
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})


def test_modify_options_each_side_by_its_owner(hub, member, hub_vpc, member_vpc, active):
    enable_hostnames(hub, hub_vpc)
    enable_hostnames(member, member_vpc)
    resp = hub.modify_vpc_peering_connection_options(
        VpcPeeringConnectionId=active, RequesterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True})
    assert resp["RequesterPeeringConnectionOptions"]["AllowDnsResolutionFromRemoteVpc"] is True
    member.modify_vpc_peering_connection_options(
        VpcPeeringConnectionId=active, AccepterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True})
    c = describe(hub, active)
    assert c["RequesterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is True
    assert c["AccepterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is True
    # ModifyVpcPeeringConnectionOptions: "If the peered VPCs are in different accounts, each
    # AWS account owner must initiate a separate request to modify the peering connection
    # options." AWS-UNCONFIRMED: the code for the wrong side (OperationNotPermitted).
    expect_client_error(member.modify_vpc_peering_connection_options, VpcPeeringConnectionId=active,
                        RequesterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": False})
    expect_client_error(hub.modify_vpc_peering_connection_options, VpcPeeringConnectionId=active,
                        AccepterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": False})
    c = describe(member, active)
    assert c["RequesterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is True
    assert c["AccepterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is True


def test_modify_options_needs_an_active_connection(hub, hub_vpc, member, member_vpc, pending):
    enable_hostnames(hub, hub_vpc)
    enable_hostnames(member, member_vpc)
    # ModifyVpcPeeringConnectionOptions works on active connections. AWS-UNCONFIRMED: the code.
    expect_client_error(hub.modify_vpc_peering_connection_options, VpcPeeringConnectionId=pending,
                        RequesterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True})


def test_dns_resolution_needs_hostnames_on_both_vpcs(hub, member, hub_vpc, member_vpc, active):
    opts = {"AllowDnsResolutionFromRemoteVpc": True}
    # Spec 1.8 and docs/aws-choices.md: InvalidVpcPeeringConnectionState.DnsHostnamesDisabled.
    expect_error(hub.modify_vpc_peering_connection_options, VpcPeeringConnectionId=active,
                 RequesterPeeringConnectionOptions=opts, code="InvalidVpcPeeringConnectionState.DnsHostnamesDisabled")
    enable_hostnames(hub, hub_vpc)  # one side is not enough
    expect_error(hub.modify_vpc_peering_connection_options, VpcPeeringConnectionId=active,
                 RequesterPeeringConnectionOptions=opts, code="InvalidVpcPeeringConnectionState.DnsHostnamesDisabled")
    enable_hostnames(member, member_vpc)
    hub.modify_vpc_peering_connection_options(VpcPeeringConnectionId=active, RequesterPeeringConnectionOptions=opts)


def test_modify_options_unknown_connection(hub):
    expect_error(hub.modify_vpc_peering_connection_options, VpcPeeringConnectionId=MISSING_PCX,
                 RequesterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True},
                 code="InvalidVpcPeeringConnectionID.NotFound")


# --------------------------------------------------------------------------- routes


def peer_route(ec2, rtb, dest):
    [r] = [r for r in ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
           if r.get("DestinationCidrBlock") == dest]
    return r


def test_routes_to_a_peering_connection(hub, member, hub_vpc, member_vpc, pending):
    rtb = hub.create_route_table(VpcId=hub_vpc)["RouteTable"]["RouteTableId"]
    # docs/aws-choices.md: routes to a peering connection are blackhole unless it is active.
    hub.create_route(RouteTableId=rtb, DestinationCidrBlock="10.1.0.0/16", VpcPeeringConnectionId=pending)
    r = peer_route(hub, rtb, "10.1.0.0/16")
    assert r["VpcPeeringConnectionId"] == pending and r["Origin"] == "CreateRoute"
    assert r["State"] == "blackhole"
    member.accept_vpc_peering_connection(VpcPeeringConnectionId=pending)
    assert peer_route(hub, rtb, "10.1.0.0/16")["State"] == "active"
    # The accepter routes back through the same connection.
    mrtb = member.create_route_table(VpcId=member_vpc)["RouteTable"]["RouteTableId"]
    member.create_route(RouteTableId=mrtb, DestinationCidrBlock="10.0.0.0/16", VpcPeeringConnectionId=pending)
    assert peer_route(member, mrtb, "10.0.0.0/16")["State"] == "active"
    member.delete_vpc_peering_connection(VpcPeeringConnectionId=pending)
    # Route states: "blackhole" when the target is gone.
    assert peer_route(hub, rtb, "10.1.0.0/16")["State"] == "blackhole"
    assert peer_route(member, mrtb, "10.0.0.0/16")["State"] == "blackhole"
    assert "GatewayId" not in peer_route(hub, rtb, "10.1.0.0/16")


def test_route_to_a_connection_of_another_vpc(hub, member, hub_vpc, active):
    other = hub.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    rtb = hub.create_route_table(VpcId=other)["RouteTable"]["RouteTableId"]
    # The peering does not involve this VPC. AWS-UNCONFIRMED: the code.
    expect_client_error(hub.create_route, RouteTableId=rtb, DestinationCidrBlock="10.1.0.0/16",
                        VpcPeeringConnectionId=active)


# --------------------------------------------------------------------------- security groups


def test_security_group_reference_across_an_active_peering(hub, member, hub_vpc, member_vpc, pending):
    hub_sg = hub.create_security_group(GroupName="web", Description="x", VpcId=hub_vpc)["GroupId"]
    member_sg = member.create_security_group(GroupName="app", Description="x", VpcId=member_vpc)["GroupId"]
    perm = [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
             "UserIdGroupPairs": [{"GroupId": member_sg, "UserId": MEMBER}]}]
    # Peering guide, "Update your security groups to reference peer security groups": "the VPC
    # peering connection must be in the active state". AWS-UNCONFIRMED: the code (the group
    # is not visible from here: InvalidGroup.NotFound).
    expect_client_error(hub.authorize_security_group_ingress, GroupId=hub_sg, IpPermissions=perm)
    member.accept_vpc_peering_connection(VpcPeeringConnectionId=pending)
    rules = hub.authorize_security_group_ingress(GroupId=hub_sg, IpPermissions=perm)["SecurityGroupRules"]
    assert [r["ReferencedGroupInfo"]["GroupId"] for r in rules] == [member_sg]
    assert rules[0]["ReferencedGroupInfo"]["UserId"] == MEMBER
    [g] = hub.describe_security_groups(GroupIds=[hub_sg])["SecurityGroups"]
    [p] = g["IpPermissions"]
    assert [(x["GroupId"], x["UserId"]) for x in p["UserIdGroupPairs"]] == [(member_sg, MEMBER)]
    # Egress works the same way.
    hub.authorize_security_group_egress(GroupId=hub_sg, IpPermissions=perm)


def test_security_group_reference_without_peering_is_refused(hub, member, hub_vpc, member_vpc):
    hub_sg = hub.create_security_group(GroupName="web", Description="x", VpcId=hub_vpc)["GroupId"]
    member_sg = member.create_security_group(GroupName="app", Description="x", VpcId=member_vpc)["GroupId"]
    # AWS-UNCONFIRMED: the code.
    expect_client_error(hub.authorize_security_group_ingress, GroupId=hub_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "UserIdGroupPairs": [{"GroupId": member_sg, "UserId": MEMBER}]}])
    assert hub.describe_security_groups(GroupIds=[hub_sg])["SecurityGroups"][0]["IpPermissions"] == []


def test_peer_may_delete_a_referenced_group(hub, member, hub_vpc, member_vpc, active):
    hub_sg = hub.create_security_group(GroupName="web", Description="x", VpcId=hub_vpc)["GroupId"]
    member_sg = member.create_security_group(GroupName="app", Description="x", VpcId=member_vpc)["GroupId"]
    hub.authorize_security_group_ingress(GroupId=hub_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "UserIdGroupPairs": [{"GroupId": member_sg, "UserId": MEMBER}]}])
    # DeleteSecurityGroup (API reference): the call fails with DependencyViolation when the group
    # "is referenced by another security group in the same VPC" -- a reference from a peered
    # VPC does not block it. DescribeStaleSecurityGroups: "Rules are stale when they reference
    # a deleted security group in a peered VPC."
    member.delete_security_group(GroupId=member_sg)
    expect_error(member.describe_security_groups, GroupIds=[member_sg], code="InvalidGroup.NotFound")


def test_tags_belong_to_the_requester(hub, pending):
    hub.create_tags(Resources=[pending], Tags=[{"Key": "Owner", "Value": "hub"}])
    assert tags_of(describe(hub, pending)) == {"Owner": "hub"}


def test_unmapped_key_is_account_zero(third):
    vpc = third.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    assert vpc["OwnerId"] == UNKNOWN_KEY_ACCOUNT

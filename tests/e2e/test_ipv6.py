"""IPv6 on VPCs, subnets, routes, security groups and network ACLs.

Amazon-provided /56 blocks come from 2001:db8::/32 (RFC 3849), lowest free /56 first, unique
across accounts and regions (docs/aws-choices.md); the tests below rely on that order only
where they say so.
"""

import ipaddress
import re

import pytest

from helpers import (
    NOT_EMULATED,
    ALPHA_KEY,
    BRAVO_KEY,
    MISSING_VPC_ID,
    expect_client_error,
    expect_dry_run,
    expect_error,
)

VPC_CIDR_ASSOC_RE = re.compile(r"^vpc-cidr-assoc-[0-9a-f]{17}$")
SUBNET_CIDR_ASSOC_RE = re.compile(r"^subnet-cidr-assoc-[0-9a-f]{17}$")
POOL = ipaddress.ip_network("2001:db8::/32")


def f(name, *values):
    return {"Name": name, "Values": list(values)}


def v6_block(vpc):
    """The VPC's associated IPv6 block (exactly one)."""
    blocks = [a for a in vpc.get("Ipv6CidrBlockAssociationSet", [])
              if a["Ipv6CidrBlockState"]["State"] == "associated"]
    assert len(blocks) == 1, vpc
    return blocks[0]


def describe_vpc(ec2, vpc_id):
    return ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]


def subnet64(block: str, n: int) -> str:
    """The n-th /64 of a /56 (as Terraform's cidrsubnet(block, 8, n))."""
    return str(list(ipaddress.ip_network(block).subnets(new_prefix=64))[n])


@pytest.fixture
def vpc6(ec2):
    """A dual-stack VPC: (vpc id, its /56)."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]
    vpc_id = vpc["VpcId"]
    return vpc_id, v6_block(describe_vpc(ec2, vpc_id))["Ipv6CidrBlock"]


def main_table(ec2, vpc_id):
    return ec2.describe_route_tables(Filters=[f("vpc-id", vpc_id), f("association.main", "true")])["RouteTables"][0]


def v6_routes(table):
    """{ipv6 destination: (target element, value, origin, state)}"""
    out = {}
    for r in table["Routes"]:
        if "DestinationIpv6CidrBlock" not in r:
            continue
        target = next((k, v) for k, v in r.items() if k.endswith("Id") and k != "InstanceOwnerId")
        out[r["DestinationIpv6CidrBlock"]] = (*target, r["Origin"], r["State"])
    return out


# --------------------------------------------------------------------------- VPC blocks


def test_create_vpc_with_amazon_ipv6_block(ec2):
    created = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]
    assoc = created["Ipv6CidrBlockAssociationSet"]
    assert len(assoc) == 1
    # CreateVpc answers while Amazon is still assigning the block.
    assert assoc[0]["Ipv6CidrBlockState"]["State"] == "associating"
    vpc = describe_vpc(ec2, created["VpcId"])
    block = v6_block(vpc)
    assert VPC_CIDR_ASSOC_RE.match(block["AssociationId"])
    assert block["Ipv6Pool"] == "Amazon"
    assert block["NetworkBorderGroup"] == "ap-northeast-1"
    net = ipaddress.ip_network(block["Ipv6CidrBlock"])
    assert net.prefixlen == 56 and net.subnet_of(POOL)
    # The IPv4 side is unchanged.
    assert vpc["CidrBlock"] == "10.0.0.0/16"


def test_amazon_blocks_never_repeat_across_vpcs_accounts_and_regions(ec2, make_client):
    blocks = set()
    for client in (ec2, make_client(access_key=ALPHA_KEY), make_client(access_key=BRAVO_KEY),
                   make_client(region="us-east-1")):
        for _ in range(2):
            vpc_id = client.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
            blocks.add(v6_block(describe_vpc(client, vpc_id))["Ipv6CidrBlock"])
    assert len(blocks) == 8


def test_us_east_1_border_group_is_the_region(make_client):
    ec2 = make_client(region="us-east-1")
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True,
                            Ipv6CidrBlockNetworkBorderGroup="us-east-1")["Vpc"]["VpcId"]
    assert v6_block(describe_vpc(ec2, vpc_id))["NetworkBorderGroup"] == "us-east-1"


def test_create_vpc_ipv6_refusals(ec2, ec2_raw):
    # BYOIP pools and IPAM are not emulated (docs/aws-choices.md): the refusal is ours.
    expect_error(ec2.create_vpc, CidrBlock="10.0.0.0/16", Ipv6Pool="ipv6pool-ec2-0123456789abcdef0",
                 Ipv6CidrBlock="2600:1f00::/56", code=NOT_EMULATED)
    expect_error(ec2.create_vpc, CidrBlock="10.0.0.0/16", Ipv6IpamPoolId="ipam-pool-0123456789abcdef0",
                 code=NOT_EMULATED)
    # A network border group other than the region.
    expect_error(ec2.create_vpc, CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True,
                 Ipv6CidrBlockNetworkBorderGroup="us-west-2-lax-1", code="InvalidParameterValue")
    expect_error(ec2.create_vpc, CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True,
                 Ipv6Pool="ipv6pool-ec2-0123456789abcdef0", code="InvalidParameterCombination")
    assert not [v for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]]


def test_associate_and_disassociate_vpc_ipv6_block(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    assert not describe_vpc(ec2, vpc_id).get("Ipv6CidrBlockAssociationSet")
    resp = ec2.associate_vpc_cidr_block(VpcId=vpc_id, AmazonProvidedIpv6CidrBlock=True)
    assert resp["VpcId"] == vpc_id and "CidrBlockAssociation" not in resp
    assoc = resp["Ipv6CidrBlockAssociation"]
    assert assoc["Ipv6CidrBlockState"]["State"] == "associating"
    assert assoc["Ipv6Pool"] == "Amazon" and assoc["NetworkBorderGroup"] == "ap-northeast-1"
    block = v6_block(describe_vpc(ec2, vpc_id))
    assert block["AssociationId"] == assoc["AssociationId"]
    assert block["Ipv6CidrBlock"] == assoc["Ipv6CidrBlock"]
    # The local route appears in every table of the VPC, existing and new.
    custom = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]
    assert v6_routes(custom) == {block["Ipv6CidrBlock"]: ("GatewayId", "local", "CreateRouteTable", "active")}
    assert v6_routes(main_table(ec2, vpc_id)) == v6_routes(custom)

    out = ec2.disassociate_vpc_cidr_block(AssociationId=assoc["AssociationId"])
    assert out["VpcId"] == vpc_id
    assert out["Ipv6CidrBlockAssociation"]["Ipv6CidrBlockState"]["State"] == "disassociating"
    assert out["Ipv6CidrBlockAssociation"]["Ipv6CidrBlock"] == block["Ipv6CidrBlock"]
    assert not describe_vpc(ec2, vpc_id).get("Ipv6CidrBlockAssociationSet")
    assert v6_routes(main_table(ec2, vpc_id)) == {}
    assert v6_routes(ec2.describe_route_tables(RouteTableIds=[custom["RouteTableId"]])["RouteTables"][0]) == {}
    expect_error(ec2.disassociate_vpc_cidr_block, AssociationId=assoc["AssociationId"],
                 code="InvalidVpcCidrBlockAssociationID.NotFound")


def test_associate_vpc_cidr_block_refusals(ec2, ec2_raw, vpc6):
    vpc_id, _ = vpc6
    expect_error(ec2.associate_vpc_cidr_block, VpcId=MISSING_VPC_ID, AmazonProvidedIpv6CidrBlock=True,
                 code="InvalidVpcID.NotFound")
    expect_error(ec2.associate_vpc_cidr_block, VpcId=vpc_id, Ipv6CidrBlock="2600:1f00::/56",
                 Ipv6Pool="ipv6pool-ec2-0123456789abcdef0", code=NOT_EMULATED)
    expect_error(ec2.associate_vpc_cidr_block, VpcId=vpc_id, AmazonProvidedIpv6CidrBlock=True,
                 CidrBlock="10.1.0.0/16", code="InvalidParameterCombination")
    expect_error(ec2_raw.associate_vpc_cidr_block, VpcId=vpc_id, code="MissingParameter")
    # VPC quotas: 5 IPv6 CIDR blocks per VPC.
    for _ in range(4):
        ec2.associate_vpc_cidr_block(VpcId=vpc_id, AmazonProvidedIpv6CidrBlock=True)
    expect_error(ec2.associate_vpc_cidr_block, VpcId=vpc_id, AmazonProvidedIpv6CidrBlock=True,
                 code="CidrLimitExceeded")
    assert len(describe_vpc(ec2, vpc_id)["Ipv6CidrBlockAssociationSet"]) == 5


def test_describe_vpcs_ipv6_filters(ec2, vpc6):
    vpc_id, block = vpc6
    plain = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    assoc = v6_block(describe_vpc(ec2, vpc_id))["AssociationId"]

    def ids(*filters):
        return sorted(v["VpcId"] for v in ec2.describe_vpcs(Filters=list(filters))["Vpcs"])

    assert ids(f("ipv6-cidr-block-association.ipv6-cidr-block", block)) == [vpc_id]
    assert ids(f("ipv6-cidr-block-association.association-id", assoc)) == [vpc_id]
    assert ids(f("ipv6-cidr-block-association.state", "associated")) == [vpc_id]
    assert ids(f("ipv6-cidr-block-association.ipv6-pool", "Amazon")) == [vpc_id]
    assert ids(f("ipv6-cidr-block-association.ipv6-cidr-block", "2001:db8:*")) == [vpc_id]
    assert plain not in ids(f("ipv6-cidr-block-association.state", "associated"))


def test_delete_vpc_releases_its_block(ec2, vpc6):
    vpc_id, block = vpc6
    ec2.delete_vpc(VpcId=vpc_id)
    again = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    # Lowest free /56 first: the released block is handed out again.
    assert v6_block(describe_vpc(ec2, again))["Ipv6CidrBlock"] == block


# --------------------------------------------------------------------------- subnets


def test_create_dual_stack_subnet(ec2, vpc6):
    vpc_id, block = vpc6
    cidr6 = subnet64(block, 1)
    sub = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", Ipv6CidrBlock=cidr6,
                            AvailabilityZone="ap-northeast-1a")["Subnet"]
    [assoc] = sub["Ipv6CidrBlockAssociationSet"]
    assert SUBNET_CIDR_ASSOC_RE.match(assoc["AssociationId"])
    assert assoc["Ipv6CidrBlock"] == cidr6
    assert assoc["Ipv6CidrBlockState"]["State"] == "associated"
    described = ec2.describe_subnets(SubnetIds=[sub["SubnetId"]])["Subnets"][0]
    assert described["Ipv6CidrBlockAssociationSet"] == sub["Ipv6CidrBlockAssociationSet"]
    assert described["Ipv6Native"] is False and described["AssignIpv6AddressOnCreation"] is False
    # Host bits are dropped, as for IPv4 blocks.
    net = ipaddress.ip_network(subnet64(block, 2))
    host = f"{net.network_address + 5}/64"
    sub2 = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24", Ipv6CidrBlock=host)["Subnet"]
    assert sub2["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"] == str(net)


def test_create_subnet_ipv6_range_and_conflict(ec2, ec2_raw, vpc6):
    vpc_id, block = vpc6
    other = ec2.create_vpc(CidrBlock="10.9.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    other_block = v6_block(describe_vpc(ec2, other))["Ipv6CidrBlock"]
    ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", Ipv6CidrBlock=subnet64(block, 1))
    # Overlapping another subnet's block.
    expect_error(ec2.create_subnet, VpcId=vpc_id, CidrBlock="10.0.2.0/24", Ipv6CidrBlock=subnet64(block, 1),
                 code="InvalidSubnet.Conflict")
    # Outside the VPC's block, or not a /44-/64 in steps of 4.
    expect_error(ec2.create_subnet, VpcId=vpc_id, CidrBlock="10.0.2.0/24", Ipv6CidrBlock=subnet64(other_block, 1),
                 code="InvalidSubnet.Range")
    too_small = str(next(ipaddress.ip_network(subnet64(block, 3)).subnets(new_prefix=65)))
    expect_error(ec2.create_subnet, VpcId=vpc_id, CidrBlock="10.0.2.0/24", Ipv6CidrBlock=too_small,
                 code="InvalidSubnet.Range")
    expect_error(ec2_raw.create_subnet, VpcId=vpc_id, CidrBlock="10.0.2.0/24", Ipv6CidrBlock="10.0.0.0/24",
                 code="InvalidParameterValue")
    # A VPC without an IPv6 block has no range for it.
    plain = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    expect_error(ec2.create_subnet, VpcId=plain, CidrBlock="10.8.1.0/24", Ipv6CidrBlock=subnet64(block, 9),
                 code="InvalidSubnet.Range")
    # IPv6-only subnets are not emulated (docs/aws-choices.md).
    expect_error(ec2.create_subnet, VpcId=vpc_id, Ipv6Native=True, Ipv6CidrBlock=subnet64(block, 4),
                 code=NOT_EMULATED)
    subnets = ec2.describe_subnets(Filters=[f("vpc-id", vpc_id)])["Subnets"]
    assert [s["CidrBlock"] for s in subnets] == ["10.0.1.0/24"]


def test_associate_and_disassociate_subnet_block(ec2, vpc6):
    vpc_id, block = vpc6
    sub = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    # AssignIpv6AddressOnCreation needs a block first.
    expect_error(ec2.modify_subnet_attribute, SubnetId=sub, AssignIpv6AddressOnCreation={"Value": True},
                 code="InvalidParameterValue")
    resp = ec2.associate_subnet_cidr_block(SubnetId=sub, Ipv6CidrBlock=subnet64(block, 7))
    assert resp["SubnetId"] == sub
    assoc = resp["Ipv6CidrBlockAssociation"]
    assert assoc["Ipv6CidrBlockState"]["State"] == "associating"
    assert assoc["Ipv6CidrBlock"] == subnet64(block, 7)
    # One block per subnet (API reference: "You can only associate a single IPv6 CIDR block
    # with your subnet"). AWS-UNCONFIRMED: the code.
    expect_client_error(ec2.associate_subnet_cidr_block, SubnetId=sub, Ipv6CidrBlock=subnet64(block, 8))
    ec2.modify_subnet_attribute(SubnetId=sub, AssignIpv6AddressOnCreation={"Value": True})
    s = ec2.describe_subnets(SubnetIds=[sub])["Subnets"][0]
    assert s["AssignIpv6AddressOnCreation"] is True
    assert s["Ipv6CidrBlockAssociationSet"][0]["AssociationId"] == assoc["AssociationId"]
    # The VPC block cannot go while the subnet uses it.
    expect_error(ec2.disassociate_vpc_cidr_block, AssociationId=v6_block(describe_vpc(ec2, vpc_id))["AssociationId"],
                 code="DependencyViolation")
    out = ec2.disassociate_subnet_cidr_block(AssociationId=assoc["AssociationId"])
    assert out["SubnetId"] == sub
    assert out["Ipv6CidrBlockAssociation"]["Ipv6CidrBlockState"]["State"] == "disassociating"
    s = ec2.describe_subnets(SubnetIds=[sub])["Subnets"][0]
    assert not s.get("Ipv6CidrBlockAssociationSet")
    assert s["AssignIpv6AddressOnCreation"] is False
    expect_error(ec2.disassociate_subnet_cidr_block, AssociationId=assoc["AssociationId"],
                 code="InvalidSubnetCidrBlockAssociationID.NotFound")
    expect_error(ec2.associate_subnet_cidr_block, SubnetId="subnet-0123456789abcdef0",
                 Ipv6CidrBlock=subnet64(block, 7), code="InvalidSubnetID.NotFound")


def test_describe_subnets_ipv6_filters(ec2, vpc6):
    vpc_id, block = vpc6
    a = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", Ipv6CidrBlock=subnet64(block, 1))["Subnet"]
    b = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    assoc = a["Ipv6CidrBlockAssociationSet"][0]["AssociationId"]

    def ids(*filters):
        return sorted(s["SubnetId"] for s in ec2.describe_subnets(Filters=[f("vpc-id", vpc_id), *filters])["Subnets"])

    assert ids(f("ipv6-cidr-block-association.ipv6-cidr-block", subnet64(block, 1))) == [a["SubnetId"]]
    assert ids(f("ipv6-cidr-block-association.association-id", assoc)) == [a["SubnetId"]]
    assert ids(f("ipv6-cidr-block-association.state", "associated")) == [a["SubnetId"]]
    assert ids() == sorted([a["SubnetId"], b])


# --------------------------------------------------------------------------- routes


def test_ipv6_routes_to_every_target_kind(ec2, vpc6):
    vpc_id, block = vpc6
    rtb = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    sub = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", Ipv6CidrBlock=subnet64(block, 1),
                            AvailabilityZone="ap-northeast-1a")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    eni = ec2.create_network_interface(SubnetId=sub)["NetworkInterface"]["NetworkInterfaceId"]
    eigw = ec2.create_egress_only_internet_gateway(VpcId=vpc_id)["EgressOnlyInternetGateway"][
        "EgressOnlyInternetGatewayId"]
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=vpc_id, SubnetIds=[sub])
    peer = ec2.create_vpc(CidrBlock="10.5.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc_id, PeerVpcId=peer)["VpcPeeringConnection"][
        "VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)

    expect_dry_run(ec2.create_route, RouteTableId=rtb, DestinationIpv6CidrBlock="::/0", GatewayId=igw)
    ec2.create_route(RouteTableId=rtb, DestinationIpv6CidrBlock="::/0", GatewayId=igw)
    ec2.create_route(RouteTableId=rtb, DestinationIpv6CidrBlock="2600:1::/32", EgressOnlyInternetGatewayId=eigw)
    ec2.create_route(RouteTableId=rtb, DestinationIpv6CidrBlock="2600:2::/32", NetworkInterfaceId=eni)
    ec2.create_route(RouteTableId=rtb, DestinationIpv6CidrBlock="2600:3::/32", TransitGatewayId=tgw)
    peer_block = v6_block(describe_vpc(ec2, peer))["Ipv6CidrBlock"]
    ec2.create_route(RouteTableId=rtb, DestinationIpv6CidrBlock=peer_block, VpcPeeringConnectionId=pcx)
    # Host bits are dropped from the destination.
    ec2.create_route(RouteTableId=rtb, DestinationIpv6CidrBlock="2600:4::1/48", GatewayId=igw)
    got = v6_routes(ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0])
    assert got == {
        block: ("GatewayId", "local", "CreateRouteTable", "active"),
        "::/0": ("GatewayId", igw, "CreateRoute", "active"),
        "2600:1::/32": ("EgressOnlyInternetGatewayId", eigw, "CreateRoute", "active"),
        "2600:2::/32": ("NetworkInterfaceId", eni, "CreateRoute", "active"),
        "2600:3::/32": ("TransitGatewayId", tgw, "CreateRoute", "active"),
        peer_block: ("VpcPeeringConnectionId", pcx, "CreateRoute", "active"),
        "2600:4::/48": ("GatewayId", igw, "CreateRoute", "active"),
    }

    # Filters.
    def ids(*filters):
        return [t["RouteTableId"] for t in ec2.describe_route_tables(Filters=[f("vpc-id", vpc_id), *filters])[
            "RouteTables"]]

    assert ids(f("route.destination-ipv6-cidr-block", "2600:1::/32")) == [rtb]
    assert ids(f("route.egress-only-internet-gateway-id", eigw)) == [rtb]
    assert ids(f("route.destination-ipv6-cidr-block", block)) == sorted(
        [rtb, main_table(ec2, vpc_id)["RouteTableId"]])
    assert ids(f("route.destination-cidr-block", "::/0")) == []

    # Replace, then delete.
    ec2.replace_route(RouteTableId=rtb, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw)
    got = v6_routes(ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0])
    assert got["::/0"] == ("EgressOnlyInternetGatewayId", eigw, "CreateRoute", "active")
    ec2.delete_route(RouteTableId=rtb, DestinationIpv6CidrBlock="::/0")
    got = v6_routes(ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0])
    assert "::/0" not in got


def test_ipv6_route_refusals(ec2, ec2_raw, vpc6):
    vpc_id, block = vpc6
    rtb = main_table(ec2, vpc_id)["RouteTableId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    ec2.create_route(RouteTableId=rtb, DestinationIpv6CidrBlock="::/0", GatewayId=igw)
    expect_error(ec2.create_route, RouteTableId=rtb, DestinationIpv6CidrBlock="::/0", GatewayId=igw,
                 code="RouteAlreadyExists")
    expect_error(ec2.replace_route, RouteTableId=rtb, DestinationIpv6CidrBlock="2600::/16", GatewayId=igw,
                 code="InvalidRoute.NotFound")
    expect_error(ec2.delete_route, RouteTableId=rtb, DestinationIpv6CidrBlock="2600::/16",
                 code="InvalidRoute.NotFound")
    # The local route cannot be deleted; routes inside the VPC block need a middlebox.
    expect_client_error(ec2.delete_route, RouteTableId=rtb, DestinationIpv6CidrBlock=block)
    expect_client_error(ec2.create_route, RouteTableId=rtb, DestinationIpv6CidrBlock=subnet64(block, 3),
                        GatewayId=igw)
    # Reserved for IMDS and the Resolver.
    expect_client_error(ec2.create_route, RouteTableId=rtb, DestinationIpv6CidrBlock="fd00:ec2::/64",
                        GatewayId=igw)
    expect_error(ec2_raw.create_route, RouteTableId=rtb, DestinationIpv6CidrBlock="10.0.0.0/8", GatewayId=igw,
                 code="InvalidParameterValue")
    expect_error(ec2.create_route, RouteTableId=rtb, DestinationIpv6CidrBlock="2600::/16",
                 DestinationCidrBlock="8.8.8.0/24", GatewayId=igw, code="InvalidParameterCombination")
    # A NAT gateway serves IPv6 only through NAT64 (64:ff9b::/96, "DNS64 and NAT64" in the
    # VPC User Guide). AWS-UNCONFIRMED: the code for other IPv6 destinations.
    sub = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    nat = ec2.create_nat_gateway(SubnetId=sub, ConnectivityType="private")["NatGateway"]["NatGatewayId"]
    ec2.describe_nat_gateways(NatGatewayIds=[nat])
    expect_client_error(ec2.create_route, RouteTableId=rtb, DestinationIpv6CidrBlock="2600::/16", NatGatewayId=nat)
    ec2.create_route(RouteTableId=rtb, DestinationIpv6CidrBlock="64:ff9b::/96", NatGatewayId=nat)
    got = v6_routes(ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0])
    assert got["64:ff9b::/96"][:2] == ("NatGatewayId", nat)


# --------------------------------------------------------------------------- SGs and ACLs


def test_default_security_group_gets_ipv6_egress(ec2, vpc6):
    vpc_id, _ = vpc6
    sg = ec2.describe_security_groups(Filters=[f("vpc-id", vpc_id), f("group-name", "default")])[
        "SecurityGroups"][0]
    [egress] = sg["IpPermissionsEgress"]
    assert egress["IpProtocol"] == "-1"
    assert egress["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}]
    assert egress["Ipv6Ranges"] == [{"CidrIpv6": "::/0"}]
    rules = ec2.describe_security_group_rules(Filters=[f("group-id", sg["GroupId"])])["SecurityGroupRules"]
    assert sorted(r.get("CidrIpv6", "") for r in rules if r["IsEgress"]) == ["", "::/0"]
    # A group created in the dual-stack VPC gets both default egress rules too (VPC User
    # Guide: all IPv6 traffic as well, when the VPC has an IPv6 block).
    custom = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc_id)["GroupId"]
    [egress] = ec2.describe_security_groups(GroupIds=[custom])["SecurityGroups"][0]["IpPermissionsEgress"]
    assert egress["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}] and egress["Ipv6Ranges"] == [{"CidrIpv6": "::/0"}]


def test_default_security_group_gets_ipv6_egress_on_association(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    sg = ec2.describe_security_groups(Filters=[f("vpc-id", vpc_id), f("group-name", "default")])[
        "SecurityGroups"][0]
    assert sg["IpPermissionsEgress"][0]["Ipv6Ranges"] == []
    ec2.associate_vpc_cidr_block(VpcId=vpc_id, AmazonProvidedIpv6CidrBlock=True)
    sg = ec2.describe_security_groups(GroupIds=[sg["GroupId"]])["SecurityGroups"][0]
    assert sg["IpPermissionsEgress"][0]["Ipv6Ranges"] == [{"CidrIpv6": "::/0"}]


def test_security_group_ipv6_rules_end_to_end(ec2, vpc6):
    vpc_id, block = vpc6
    sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "Ipv6Ranges": [{"CidrIpv6": "::/0", "Description": "https v6"}]}])
    ec2.authorize_security_group_egress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": block}]}])
    g = ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]
    assert g["IpPermissions"][0]["Ipv6Ranges"] == [{"CidrIpv6": "::/0", "Description": "https v6"}]
    assert {"CidrIpv6": block} in [r for p in g["IpPermissionsEgress"] for r in p["Ipv6Ranges"]]
    rules = ec2.describe_security_group_rules(Filters=[f("group-id", sg)])["SecurityGroupRules"]
    # Ingress ::/0, egress the defaults (0.0.0.0/0 and ::/0) and the block.
    assert sorted(r.get("CidrIpv6", "-") for r in rules) == sorted(["::/0", "::/0", block, "-"])
    ec2.revoke_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    assert ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]["IpPermissions"] == []


def acl_entries(acl):
    """{(egress, rule): (cidr field, cidr, action)}"""
    out = {}
    for e in acl["Entries"]:
        field = "Ipv6CidrBlock" if "Ipv6CidrBlock" in e else "CidrBlock"
        out[(e["Egress"], e["RuleNumber"])] = (field, e[field], e["RuleAction"])
    return out


def test_default_acl_gets_ipv6_rules(ec2, vpc6):
    vpc_id, _ = vpc6
    acl = ec2.describe_network_acls(Filters=[f("vpc-id", vpc_id), f("default", "true")])["NetworkAcls"][0]
    expected = {}
    for egress in (False, True):
        expected[(egress, 100)] = ("CidrBlock", "0.0.0.0/0", "allow")
        expected[(egress, 101)] = ("Ipv6CidrBlock", "::/0", "allow")
        expected[(egress, 32767)] = ("CidrBlock", "0.0.0.0/0", "deny")
        expected[(egress, 32768)] = ("Ipv6CidrBlock", "::/0", "deny")
    assert acl_entries(acl) == expected
    # A custom ACL in an IPv6 VPC ends each direction with both `*` rules.
    custom = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]
    assert acl_entries(custom) == {k: v for k, v in expected.items() if k[1] > 30000}


def test_default_acl_ipv6_rules_on_association_respect_modified_directions(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    acl = ec2.describe_network_acls(Filters=[f("vpc-id", vpc_id), f("default", "true")])["NetworkAcls"][0]
    assert sorted(acl_entries(acl)) == [(False, 100), (False, 32767), (True, 100), (True, 32767)]
    # Modify the inbound rules: AWS then does not add the inbound IPv6 allow rule.
    ec2.delete_network_acl_entry(NetworkAclId=acl["NetworkAclId"], RuleNumber=100, Egress=False)
    ec2.associate_vpc_cidr_block(VpcId=vpc_id, AmazonProvidedIpv6CidrBlock=True)
    got = acl_entries(ec2.describe_network_acls(NetworkAclIds=[acl["NetworkAclId"]])["NetworkAcls"][0])
    assert sorted(got) == [(False, 32767), (False, 32768), (True, 100), (True, 101), (True, 32767), (True, 32768)]


def test_network_acl_ipv6_entries(ec2, ec2_raw, vpc6):
    vpc_id, block = vpc6
    acl = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6", RuleAction="allow",
                                 Egress=False, Ipv6CidrBlock="::/0", PortRange={"From": 443, "To": 443})
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=110, Protocol="58", RuleAction="allow",
                                 Egress=False, Ipv6CidrBlock=block, IcmpTypeCode={"Type": -1, "Code": -1})
    # ICMPv6 with an IPv6 block needs a type and code (model, IcmpTypeCode).
    # AWS-UNCONFIRMED: the code.
    expect_client_error(ec2_raw.create_network_acl_entry, NetworkAclId=acl, RuleNumber=120, Protocol="58",
                        RuleAction="allow", Egress=False, Ipv6CidrBlock=block)
    # Rule numbers are shared by IPv4 and IPv6 entries of a direction.
    expect_error(ec2.create_network_acl_entry, NetworkAclId=acl, RuleNumber=100, Protocol="-1",
                 RuleAction="deny", Egress=False, CidrBlock="0.0.0.0/0", code="NetworkAclEntryAlreadyExists")
    expect_error(ec2_raw.create_network_acl_entry, NetworkAclId=acl, RuleNumber=130, Protocol="-1",
                 RuleAction="deny", Egress=False, CidrBlock="0.0.0.0/0", Ipv6CidrBlock="::/0",
                 code="InvalidParameterCombination")
    got = ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"][0]
    e100 = next(e for e in got["Entries"] if e["RuleNumber"] == 100)
    assert e100["Ipv6CidrBlock"] == "::/0" and "CidrBlock" not in e100
    assert e100["PortRange"] == {"From": 443, "To": 443}

    def ids(*filters):
        return [a["NetworkAclId"] for a in ec2.describe_network_acls(Filters=[f("vpc-id", vpc_id), *filters])[
            "NetworkAcls"]]

    assert ids(f("entry.ipv6-cidr", block)) == [acl]
    assert ids(f("entry.cidr", "::/0")) == []
    ec2.replace_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="-1", RuleAction="deny",
                                  Egress=False, Ipv6CidrBlock="2600::/16")
    ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=110, Egress=False)
    got = acl_entries(ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"][0])
    assert got[(False, 100)] == ("Ipv6CidrBlock", "2600::/16", "deny")
    assert (False, 110) not in got


# --------------------------------------------------------------------------- interfaces, instances


def v6_of(eni):
    return [a["Ipv6Address"] for a in eni.get("Ipv6Addresses", [])]


def test_interface_ipv6_addresses(ec2, ec2_raw, vpc6):
    vpc_id, block = vpc6
    cidr6 = subnet64(block, 1)
    net = ipaddress.ip_network(cidr6)
    sub = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", Ipv6CidrBlock=cidr6)["Subnet"]["SubnetId"]
    plain = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    # A count takes the lowest free addresses after the four reserved ones.
    eni = ec2.create_network_interface(SubnetId=sub, Ipv6AddressCount=2)["NetworkInterface"]
    assert v6_of(eni) == [str(net.network_address + 4), str(net.network_address + 5)]
    assert eni["Ipv6Addresses"][0]["IsPrimaryIpv6"] is False
    eni_id = eni["NetworkInterfaceId"]
    explicit = str(net.network_address + 0x100)
    other = ec2.create_network_interface(SubnetId=sub, Ipv6Addresses=[{"Ipv6Address": explicit}])[
        "NetworkInterface"]
    assert v6_of(other) == [explicit]
    # In use, reserved, outside the block, in a subnet without a block, both forms at once.
    expect_error(ec2.create_network_interface, SubnetId=sub, Ipv6Addresses=[{"Ipv6Address": explicit}],
                 code="InvalidIPAddress.InUse")
    expect_error(ec2.create_network_interface, SubnetId=sub,
                 Ipv6Addresses=[{"Ipv6Address": str(net.network_address + 1)}], code="InvalidParameterValue")
    expect_error(ec2.create_network_interface, SubnetId=sub, Ipv6Addresses=[{"Ipv6Address": "2600::1"}],
                 code="InvalidParameterValue")
    expect_error(ec2.create_network_interface, SubnetId=plain, Ipv6AddressCount=1, code="InvalidParameterValue")
    expect_error(ec2.create_network_interface, SubnetId=sub, Ipv6AddressCount=1,
                 Ipv6Addresses=[{"Ipv6Address": str(net.network_address + 0x200)}],
                 code="InvalidParameterCombination")
    # Assign and unassign.
    added = ec2.assign_ipv6_addresses(NetworkInterfaceId=eni_id, Ipv6AddressCount=1)
    assert added["NetworkInterfaceId"] == eni_id
    assert added["AssignedIpv6Addresses"] == [str(net.network_address + 6)]
    extra = str(net.network_address + 0x300)
    assert ec2.assign_ipv6_addresses(NetworkInterfaceId=eni_id, Ipv6Addresses=[extra])[
        "AssignedIpv6Addresses"] == [extra]
    expect_error(ec2_raw.assign_ipv6_addresses, NetworkInterfaceId=eni_id, code="MissingParameter")
    expect_error(ec2.assign_ipv6_addresses, NetworkInterfaceId="eni-0123456789abcdef0", Ipv6AddressCount=1,
                 code="InvalidNetworkInterfaceID.NotFound")
    gone = ec2.unassign_ipv6_addresses(NetworkInterfaceId=eni_id, Ipv6Addresses=[extra])
    assert gone["UnassignedIpv6Addresses"] == [extra] and gone["NetworkInterfaceId"] == eni_id
    expect_error(ec2.unassign_ipv6_addresses, NetworkInterfaceId=eni_id, Ipv6Addresses=[extra],
                 code="InvalidParameterValue")
    described = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    assert v6_of(described) == [str(net.network_address + n) for n in (4, 5, 6)]
    found = ec2.describe_network_interfaces(Filters=[f("ipv6-addresses.ipv6-address", explicit)])[
        "NetworkInterfaces"]
    assert [e["NetworkInterfaceId"] for e in found] == [other["NetworkInterfaceId"]]
    # The subnet's block cannot go while interfaces hold addresses from it.
    assoc = ec2.describe_subnets(SubnetIds=[sub])["Subnets"][0]["Ipv6CidrBlockAssociationSet"][0]["AssociationId"]
    expect_error(ec2.disassociate_subnet_cidr_block, AssociationId=assoc, code="DependencyViolation")
    for e in (eni_id, other["NetworkInterfaceId"]):
        ec2.delete_network_interface(NetworkInterfaceId=e)
    ec2.disassociate_subnet_cidr_block(AssociationId=assoc)


def test_assign_ipv6_on_creation_and_instances(ec2, vpc6):
    vpc_id, block = vpc6
    cidr6 = subnet64(block, 2)
    net = ipaddress.ip_network(cidr6)
    sub = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", Ipv6CidrBlock=cidr6)["Subnet"]["SubnetId"]
    assert v6_of(ec2.create_network_interface(SubnetId=sub)["NetworkInterface"]) == []
    ec2.modify_subnet_attribute(SubnetId=sub, AssignIpv6AddressOnCreation={"Value": True})
    auto = ec2.create_network_interface(SubnetId=sub)["NetworkInterface"]
    assert v6_of(auto) == [str(net.network_address + 4)]
    # An explicit count of 0 overrides the subnet's default.
    assert v6_of(ec2.create_network_interface(SubnetId=sub, Ipv6AddressCount=0)["NetworkInterface"]) == []
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    run = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=sub,
                            Ipv6AddressCount=2)["Instances"][0]
    expected = [str(net.network_address + 5), str(net.network_address + 6)]
    assert v6_of(run["NetworkInterfaces"][0]) == expected
    inst = ec2.describe_instances(InstanceIds=[run["InstanceId"]])["Reservations"][0]["Instances"][0]
    assert v6_of(inst["NetworkInterfaces"][0]) == expected
    assert inst["Ipv6Address"] == expected[0]
    found = ec2.describe_instances(Filters=[f("network-interface.ipv6-addresses.ipv6-address", expected[1])])[
        "Reservations"]
    assert [i["InstanceId"] for r in found for i in r["Instances"]] == [run["InstanceId"]]
    # Through a NetworkInterfaces spec, with an explicit address.
    chosen = str(net.network_address + 0x42)
    run2 = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro", NetworkInterfaces=[
        {"DeviceIndex": 0, "SubnetId": sub, "Ipv6Addresses": [{"Ipv6Address": chosen}]}])["Instances"][0]
    assert v6_of(run2["NetworkInterfaces"][0]) == [chosen]
    # Termination frees the addresses with the interface.
    ec2.terminate_instances(InstanceIds=[run["InstanceId"], run2["InstanceId"]])
    again = ec2.create_network_interface(SubnetId=sub, Ipv6Addresses=[{"Ipv6Address": chosen}])["NetworkInterface"]
    assert v6_of(again) == [chosen]


def test_unemulated_ipv6_options_are_refused_not_ignored(ec2, vpc6):
    vpc_id, block = vpc6
    sub = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.3.0/24", Ipv6CidrBlock=subnet64(block, 3))["Subnet"]["SubnetId"]
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    launch = dict(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro")
    expect_error(ec2.create_network_interface, SubnetId=sub, Ipv6PrefixCount=1, code=NOT_EMULATED)
    expect_error(ec2.create_network_interface, SubnetId=sub, EnablePrimaryIpv6=True, code=NOT_EMULATED)
    expect_error(ec2.run_instances, SubnetId=sub, EnablePrimaryIpv6=True, code=NOT_EMULATED, **launch)
    for spec in ({"PrimaryIpv6": True}, {"Ipv6PrefixCount": 1}):
        expect_error(ec2.run_instances, NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": sub, **spec}],
                     code=NOT_EMULATED, **launch)
    # Nothing was created by the refused requests.
    assert ec2.describe_network_interfaces(Filters=[f("subnet-id", sub)])["NetworkInterfaces"] == []

"""Persistence of the network pieces: network interfaces (with secondary addresses), Elastic
IPs, NAT gateways, network ACLs, DHCP option sets, VPC peering between two accounts, transit
gateways with cross-account attachments, route tables and static routes, and instances survive
a graceful (SIGTERM) restart -- and the restored state still enforces its rules. So do IPv6
blocks, IPv6 routes and addresses, egress-only internet gateways and transit gateway VPN
attachments."""

import signal

import pytest
from botocore.exceptions import ClientError

from helpers import ALPHA_ACCOUNT, ALPHA_KEY, BRAVO_ACCOUNT, BRAVO_KEY, new_ec2_client, tag_spec

pytestmark = pytest.mark.spawns


def f(name, *values):
    return {"Name": name, "Values": list(values)}


def _sorted(items, key):
    out = sorted(items, key=lambda x: x[key])
    for x in out:
        for tag_key in ("Tags", "TagSet"):
            if tag_key in x:
                x[tag_key] = sorted(x[tag_key], key=lambda t: t["Key"])
    return out


def snapshot(ec2):
    """Everything of the network families one account sees in one region."""
    snap = {
        "enis": _sorted(ec2.describe_network_interfaces()["NetworkInterfaces"], "NetworkInterfaceId"),
        "addresses": _sorted(ec2.describe_addresses()["Addresses"], "AllocationId"),
        "nats": _sorted(ec2.describe_nat_gateways()["NatGateways"], "NatGatewayId"),
        "acls": _sorted(ec2.describe_network_acls()["NetworkAcls"], "NetworkAclId"),
        "dhcp": _sorted(ec2.describe_dhcp_options()["DhcpOptions"], "DhcpOptionsId"),
        "vpcs": _sorted(ec2.describe_vpcs()["Vpcs"], "VpcId"),
        "subnets": _sorted(ec2.describe_subnets()["Subnets"], "SubnetId"),
        "eigws": _sorted(ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"],
                         "EgressOnlyInternetGatewayId"),
        "vpns": _sorted(ec2.describe_vpn_connections()["VpnConnections"], "VpnConnectionId"),
        "sgs": _sorted(ec2.describe_security_groups()["SecurityGroups"], "GroupId"),
        "pcx": _sorted(ec2.describe_vpc_peering_connections()["VpcPeeringConnections"], "VpcPeeringConnectionId"),
        "tgws": _sorted(ec2.describe_transit_gateways()["TransitGateways"], "TransitGatewayId"),
        "tgw_attachments": _sorted(ec2.describe_transit_gateway_attachments()["TransitGatewayAttachments"],
                                   "TransitGatewayAttachmentId"),
        "tgw_vpc_attachments": _sorted(ec2.describe_transit_gateway_vpc_attachments()[
            "TransitGatewayVpcAttachments"], "TransitGatewayAttachmentId"),
        "tgw_tables": _sorted(ec2.describe_transit_gateway_route_tables()["TransitGatewayRouteTables"],
                              "TransitGatewayRouteTableId"),
        "route_tables": _sorted(ec2.describe_route_tables()["RouteTables"], "RouteTableId"),
        "instances": _sorted([i for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]],
                             "InstanceId"),
    }
    for a in snap["acls"]:
        a["Associations"] = sorted(a["Associations"], key=lambda x: x["NetworkAclAssociationId"])
        a["Entries"] = sorted(a["Entries"], key=lambda e: (e["Egress"], e["RuleNumber"]))
    for t in snap["route_tables"]:
        t["Routes"] = sorted(t["Routes"], key=repr)
        t["Associations"] = sorted(t["Associations"], key=lambda x: x["RouteTableAssociationId"])
    tgw_routes = {}
    for t in snap["tgw_tables"]:
        rtb = t["TransitGatewayRouteTableId"]
        if t["State"] != "available":
            continue
        tgw_routes[rtb] = sorted(ec2.search_transit_gateway_routes(
            TransitGatewayRouteTableId=rtb, Filters=[f("state", "active", "blackhole")])["Routes"], key=repr)
        tgw_routes[rtb + "/assoc"] = sorted(ec2.get_transit_gateway_route_table_associations(
            TransitGatewayRouteTableId=rtb)["Associations"], key=repr)
        tgw_routes[rtb + "/prop"] = sorted(ec2.get_transit_gateway_route_table_propagations(
            TransitGatewayRouteTableId=rtb)["TransitGatewayRouteTablePropagations"], key=repr)
    snap["tgw_routes"] = tgw_routes
    for i in snap["instances"]:
        i.pop("ClientToken", None)
    for v in snap["vpns"]:
        v["Routes"] = sorted(v.get("Routes", []), key=repr)
    return snap


def refused(code, call, **kwargs):
    try:
        call(**kwargs)
    except ClientError as exc:
        got = exc.response["Error"]["Code"]
        assert got == code, f"{call.__name__}({kwargs}): expected {code}, got {got}: {exc.response['Error']}"
    else:
        raise AssertionError(f"{call.__name__}({kwargs}) succeeded after the restart; expected {code}")


def test_network_pieces_survive_sigterm_restart(spawn_server, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    srv = spawn_server(data_dir=data, accounts={ALPHA_KEY: ALPHA_ACCOUNT, BRAVO_KEY: BRAVO_ACCOUNT})
    hub = new_ec2_client(srv.url, access_key=ALPHA_KEY)
    member = new_ec2_client(srv.url, access_key=BRAVO_KEY)

    # --- hub account: two-tier VPC with NAT, ENIs, NACL, DHCP options, an instance ----------
    vpc = hub.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    hub.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    public = hub.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="ap-northeast-1a")[
        "Subnet"]["SubnetId"]
    private = hub.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="ap-northeast-1a")[
        "Subnet"]["SubnetId"]
    igw = hub.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    hub.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)

    nat_eip = hub.allocate_address(Domain="vpc")["AllocationId"]
    nat = hub.create_nat_gateway(SubnetId=public, AllocationId=nat_eip,
                                 TagSpecifications=tag_spec("natgateway", Name="egress"))["NatGateway"]["NatGatewayId"]
    private_nat = hub.create_nat_gateway(SubnetId=private, ConnectivityType="private")["NatGateway"]["NatGatewayId"]
    gone_nat = hub.create_nat_gateway(SubnetId=private, ConnectivityType="private")["NatGateway"]["NatGatewayId"]
    hub.delete_nat_gateway(NatGatewayId=gone_nat)
    rt = hub.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    hub.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    hub.create_route(RouteTableId=rt, DestinationCidrBlock="198.51.100.0/24", NatGatewayId=gone_nat)  # blackhole
    hub.associate_route_table(RouteTableId=rt, SubnetId=private)

    sg = hub.create_security_group(GroupName="app", Description="x", VpcId=vpc)["GroupId"]
    eni = hub.create_network_interface(SubnetId=public, Groups=[sg], Description="appliance",
                                       SecondaryPrivateIpAddressCount=2,
                                       TagSpecifications=tag_spec("network-interface", Role="fw"))[
        "NetworkInterface"]["NetworkInterfaceId"]
    hub.modify_network_interface_attribute(NetworkInterfaceId=eni, SourceDestCheck={"Value": False})
    web_eip = hub.allocate_address(Domain="vpc", TagSpecifications=tag_spec("elastic-ip", Name="web"))["AllocationId"]
    web_assoc = hub.associate_address(AllocationId=web_eip, NetworkInterfaceId=eni)["AssociationId"]
    spare_eip = hub.allocate_address(Domain="vpc")["AllocationId"]
    released = hub.allocate_address(Domain="vpc")["AllocationId"]
    hub.release_address(AllocationId=released)

    acl = hub.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    hub.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="tcp", RuleAction="allow", Egress=False,
                                 CidrBlock="10.0.0.0/16", PortRange={"From": 443, "To": 443})
    hub.create_network_acl_entry(NetworkAclId=acl, RuleNumber=120, Protocol="icmp", RuleAction="deny", Egress=True,
                                 CidrBlock="192.0.2.0/24", IcmpTypeCode={"Type": 8, "Code": -1})
    [dflt_acl] = hub.describe_network_acls(Filters=[f("vpc-id", vpc), f("default", "true")])["NetworkAcls"]
    [priv_assoc] = [a["NetworkAclAssociationId"] for a in dflt_acl["Associations"] if a["SubnetId"] == private]
    hub.replace_network_acl_association(AssociationId=priv_assoc, NetworkAclId=acl)
    dopt = hub.create_dhcp_options(DhcpConfigurations=[
        {"Key": "domain-name", "Values": ["corp.example.com"]},
        {"Key": "domain-name-servers", "Values": ["AmazonProvidedDNS"]}])["DhcpOptions"]["DhcpOptionsId"]
    hub.associate_dhcp_options(DhcpOptionsId=dopt, VpcId=vpc)

    ami = hub.describe_images(Owners=["amazon"], Filters=[f("architecture", "x86_64")])["Images"][0]["ImageId"]
    running = hub.run_instances(ImageId=ami, MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=private,
                                SecurityGroupIds=[sg], TagSpecifications=tag_spec("instance", Name="app-1"))[
        "Instances"][0]["InstanceId"]
    stopped = hub.run_instances(ImageId=ami, MinCount=1, MaxCount=1, InstanceType="t3.small")[
        "Instances"][0]["InstanceId"]  # default VPC, with a public address
    hub.stop_instances(InstanceIds=[stopped])
    terminated = hub.run_instances(ImageId=ami, MinCount=1, MaxCount=1, SubnetId=private)["Instances"][0]["InstanceId"]
    hub.terminate_instances(InstanceIds=[terminated])

    # --- peering with the member account ---------------------------------------------------
    member_vpc = member.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    member.modify_vpc_attribute(VpcId=member_vpc, EnableDnsHostnames={"Value": True})
    member_sub = member.create_subnet(VpcId=member_vpc, CidrBlock="10.1.1.0/24",
                                      AvailabilityZone="ap-northeast-1a")["Subnet"]["SubnetId"]
    pcx = hub.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=member_vpc, PeerOwnerId=BRAVO_ACCOUNT,
                                            TagSpecifications=tag_spec("vpc-peering-connection", Name="hub-a"))[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    member.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    hub.modify_vpc_peering_connection_options(VpcPeeringConnectionId=pcx, RequesterPeeringConnectionOptions={
        "AllowDnsResolutionFromRemoteVpc": True})
    hub.create_route(RouteTableId=rt, DestinationCidrBlock="10.1.0.0/16", VpcPeeringConnectionId=pcx)
    member_spare = member.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    pending_pcx = hub.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=member_spare, PeerOwnerId=BRAVO_ACCOUNT)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]

    # --- transit gateway: hub owns it, both VPCs attach -------------------------------------------
    tgw = hub.create_transit_gateway(Description="core", Options={"AmazonSideAsn": 65010})[
        "TransitGateway"]["TransitGatewayId"]
    default_rtb = hub.describe_transit_gateways(TransitGatewayIds=[tgw])["TransitGateways"][0]["Options"][
        "AssociationDefaultRouteTableId"]
    hub_att = hub.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[private])[
        "TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    member_att = member.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=member_vpc,
                                                              SubnetIds=[member_sub])[
        "TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    hub.accept_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=member_att)
    isolated = hub.create_transit_gateway_route_table(TransitGatewayId=tgw)["TransitGatewayRouteTable"][
        "TransitGatewayRouteTableId"]
    hub.enable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=isolated,
                                                       TransitGatewayAttachmentId=member_att)
    hub.create_transit_gateway_route(DestinationCidrBlock="192.168.0.0/16", TransitGatewayRouteTableId=default_rtb,
                                     TransitGatewayAttachmentId=hub_att)
    hub.create_transit_gateway_route(DestinationCidrBlock="172.16.0.0/12", TransitGatewayRouteTableId=default_rtb,
                                     Blackhole=True)
    hub.create_route(RouteTableId=rt, DestinationCidrBlock="172.16.0.0/12", TransitGatewayId=tgw)

    before_hub, before_member = snapshot(hub), snapshot(member)
    assert srv.terminate(signal.SIGTERM) == 0, srv.stderr_tail()

    srv.start()
    hub = new_ec2_client(srv.url, access_key=ALPHA_KEY)
    member = new_ec2_client(srv.url, access_key=BRAVO_KEY)
    after_hub, after_member = snapshot(hub), snapshot(member)
    for key in before_hub:
        assert after_hub[key] == before_hub[key], f"hub {key} changed across the restart"
    for key in before_member:
        assert after_member[key] == before_member[key], f"member {key} changed across the restart"

    # --- spot checks of what the snapshot covers ------------------------------------------------
    enis = {e["NetworkInterfaceId"]: e for e in after_hub["enis"]}
    assert sorted(a["PrivateIpAddress"] for a in enis[eni]["PrivateIpAddresses"]) == ["10.0.1.5", "10.0.1.6",
                                                                                     "10.0.1.7"]
    assert enis[eni]["SourceDestCheck"] is False
    addresses = {a["AllocationId"]: a for a in after_hub["addresses"]}
    assert released not in addresses
    assert addresses[web_eip]["AssociationId"] == web_assoc and addresses[web_eip]["NetworkInterfaceId"] == eni
    nats = {n["NatGatewayId"]: n for n in after_hub["nats"]}
    assert nats[nat]["State"] == "available" and nats[private_nat]["State"] == "available"
    assert nats[gone_nat]["State"] in ("deleting", "deleted")
    assert {p["VpcPeeringConnectionId"]: p["Status"]["Code"] for p in after_member["pcx"]} == {
        pcx: "active", pending_pcx: "pending-acceptance"}
    tables = {t["RouteTableId"]: t for t in after_hub["route_tables"]}
    states = {r["DestinationCidrBlock"]: r["State"] for r in tables[rt]["Routes"]}
    assert states == {"10.0.0.0/16": "active", "0.0.0.0/0": "active", "198.51.100.0/24": "blackhole",
                      "10.1.0.0/16": "active", "172.16.0.0/12": "active"}
    instances = {i["InstanceId"]: i["State"]["Name"] for i in after_hub["instances"]}
    assert instances == {running: "running", stopped: "stopped", terminated: "terminated"}
    assert {a["TransitGatewayAttachmentId"]: a["State"] for a in after_member["tgw_attachments"]} == {
        member_att: "available"}

    # --- the restored state still enforces its rules --------------------------------------------
    refused("InvalidIPAddress.InUse", hub.create_network_interface, SubnetId=public, PrivateIpAddress="10.0.1.5")
    refused("InvalidIPAddress.InUse", hub.release_address, AllocationId=web_eip)
    refused("DependencyViolation", hub.detach_internet_gateway, InternetGatewayId=igw, VpcId=vpc)
    refused("DependencyViolation", hub.delete_subnet, SubnetId=private)
    refused("DependencyViolation", hub.delete_security_group, GroupId=sg)
    refused("DependencyViolation", hub.delete_network_acl, NetworkAclId=acl)
    refused("DependencyViolation", hub.delete_dhcp_options, DhcpOptionsId=dopt)
    refused("NetworkAclEntryAlreadyExists", hub.create_network_acl_entry, NetworkAclId=acl, RuleNumber=100,
            Protocol="-1", RuleAction="deny", Egress=False, CidrBlock="0.0.0.0/0")
    nat_eni = nats[nat]["NatGatewayAddresses"][0]["NetworkInterfaceId"]
    refused("OperationNotPermitted", hub.delete_network_interface, NetworkInterfaceId=nat_eni)
    refused("InvalidStateTransition", member.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    refused("VpcPeeringConnectionAlreadyExists", hub.create_vpc_peering_connection, VpcId=vpc,
            PeerVpcId=member_vpc, PeerOwnerId=BRAVO_ACCOUNT)
    refused("OperationNotPermitted", hub.accept_vpc_peering_connection, VpcPeeringConnectionId=pending_pcx)
    refused("IncorrectState", hub.delete_transit_gateway, TransitGatewayId=tgw)
    refused("DuplicateTransitGatewayAttachment", member.create_transit_gateway_vpc_attachment,
            TransitGatewayId=tgw, VpcId=member_vpc, SubnetIds=[member_sub])
    refused("RouteAlreadyExists", hub.create_transit_gateway_route, DestinationCidrBlock="172.16.0.0/12",
            TransitGatewayRouteTableId=default_rtb, Blackhole=True)
    refused("TransitGatewayRouteTablePropagation.Duplicate", hub.enable_transit_gateway_route_table_propagation,
            TransitGatewayRouteTableId=isolated, TransitGatewayAttachmentId=member_att)
    refused("IncorrectInstanceState", hub.start_instances, InstanceIds=[terminated])

    # --- and keeps allocating where it left off -------------------------------------------------
    # 10.0.1.4 is the NAT gateway's, .5-.7 the appliance's: the next interface gets .8.
    assert hub.create_network_interface(SubnetId=public)["NetworkInterface"]["PrivateIpAddress"] == "10.0.1.8"
    used = {a["PublicIp"] for a in after_hub["addresses"]}
    fresh = hub.allocate_address(Domain="vpc")
    assert fresh["PublicIp"] not in used
    assert fresh["AllocationId"] not in addresses
    hub.start_instances(InstanceIds=[stopped])
    assert hub.describe_instances(InstanceIds=[stopped])["Reservations"][0]["Instances"][0]["State"]["Name"] == \
        "running"
    member.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert srv.terminate(signal.SIGTERM) == 0
    srv.start()
    hub = new_ec2_client(srv.url, access_key=ALPHA_KEY)
    [p] = hub.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx])["VpcPeeringConnections"]
    assert p["Status"]["Code"] == "deleted"
    routes = hub.describe_route_tables(RouteTableIds=[rt])["RouteTables"][0]["Routes"]
    assert {r["DestinationCidrBlock"]: r["State"] for r in routes}["10.1.0.0/16"] == "blackhole"
    assert hub.describe_addresses(AllocationIds=[spare_eip])["Addresses"][0]["PublicIp"]


def test_ipv6_eigw_and_tgw_vpn_survive_sigterm_restart(spawn_server, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    srv = spawn_server(data_dir=data, accounts={ALPHA_KEY: ALPHA_ACCOUNT})
    ec2 = new_ec2_client(srv.url, access_key=ALPHA_KEY)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    [assoc] = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"]
    block = assoc["Ipv6CidrBlock"]
    sub6 = block.replace("::/56", "::/64")
    sub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", Ipv6CidrBlock=sub6)["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=sub, AssignIpv6AddressOnCreation={"Value": True})
    eni = ec2.create_network_interface(SubnetId=sub, Ipv6AddressCount=2)["NetworkInterface"]
    eigw = ec2.create_egress_only_internet_gateway(
        VpcId=vpc, TagSpecifications=tag_spec("egress-only-internet-gateway", Name="out6"))[
        "EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rt, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw)
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="-1", RuleAction="allow", Egress=True,
                                 Ipv6CidrBlock="::/0")
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    cgw = ec2.create_customer_gateway(Type="ipsec.1", BgpAsn=65000, IpAddress="198.51.100.10")[
        "CustomerGateway"]["CustomerGatewayId"]
    vpn = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw, TransitGatewayId=tgw,
                                    Options={"StaticRoutesOnly": True})["VpnConnection"]["VpnConnectionId"]

    before = snapshot(ec2)
    assert srv.terminate(signal.SIGTERM) == 0, srv.stderr_tail()
    srv.start()
    ec2 = new_ec2_client(srv.url, access_key=ALPHA_KEY)
    after = snapshot(ec2)
    for key in before:
        assert after[key] == before[key], f"{key} changed across the restart"

    # Spot checks.
    assert [v["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"] for v in after["vpcs"] if v["VpcId"] == vpc] == [
        block]
    attachments = [a for a in after["tgw_attachments"] if a["ResourceType"] == "vpn"]
    assert [(a["ResourceId"], a["State"]) for a in attachments] == [(vpn, "available")]
    # The restored state still enforces its rules.
    refused("InvalidSubnet.Conflict", ec2.create_subnet, VpcId=vpc, CidrBlock="10.0.2.0/24", Ipv6CidrBlock=sub6)
    refused("Resource.AlreadyAssociated", ec2.create_egress_only_internet_gateway, VpcId=vpc)
    refused("InvalidIPAddress.InUse", ec2.create_network_interface, SubnetId=sub,
            Ipv6Addresses=[{"Ipv6Address": eni["Ipv6Addresses"][0]["Ipv6Address"]}])
    refused("RouteAlreadyExists", ec2.create_route, RouteTableId=rt, DestinationIpv6CidrBlock="::/0",
            EgressOnlyInternetGatewayId=eigw)
    refused("DependencyViolation", ec2.disassociate_vpc_cidr_block, AssociationId=assoc["AssociationId"])
    refused("IncorrectState", ec2.delete_transit_gateway, TransitGatewayId=tgw)
    # ... and keeps allocating where it left off.
    auto = ec2.create_network_interface(SubnetId=sub)["NetworkInterface"]
    assert len(auto["Ipv6Addresses"]) == 1
    assert auto["Ipv6Addresses"][0]["Ipv6Address"] not in [a["Ipv6Address"] for a in eni["Ipv6Addresses"]]
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    other_block = ec2.describe_vpcs(VpcIds=[other])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    assert other_block != block
    ec2.delete_vpn_connection(VpnConnectionId=vpn)
    ec2.delete_transit_gateway(TransitGatewayId=tgw)

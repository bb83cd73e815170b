#!/usr/bin/env python3
"""Scenario 3 with boto3: a centralised S3 interface endpoint in a hub account.

  hub account (HUBKEY -> 111111111111), VPC 10.0.0.0/16: S3 interface endpoint with private DNS
    OFF in two AZs; a private hosted zone s3.ap-northeast-1.amazonaws.com whose apex and
    wildcard are aliases of the endpoint's regional name; a Route 53 Resolver inbound endpoint
    for on-premises DNS forwarders; a site-to-site VPN to on-premises 192.168.0.0/16
  member account (MEMBERKEY -> 222222222222), VPC 10.1.0.0/16: associated with the hub's zone
    (authorisation by the hub, association by the member), connected to the hub by peering, and
    an instance whose S3 traffic goes to the hub

    python examples/3-centralised-s3-endpoint/boto3_scenario.py [--endpoint URL] [--keep]
    python examples/3-centralised-s3-endpoint/boto3_scenario.py --connectivity tgw
    python examples/3-centralised-s3-endpoint/boto3_scenario.py --destroy     # after --keep

--connectivity tgw joins the VPCs with a transit gateway instead of peering. In AWS a member
account can attach its VPC only after the hub shares the gateway through AWS RAM, which localvpc
does not model, so in that variant the "member" VPC lives in the hub account (same-account zone
association, no authorisation needed).

After the asserts it prints what DNS answers where (member VPC, hub VPC, an unassociated VPC, the
inbound endpoint, the internet) and asserts those answers too.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import boto3

# examples/dnsviews.py: the scenario's DNS questions, asked of localvpc's DNS server (real packets
# when dnspython is installed, else POST /_localvpc/dns/explain).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import dnsviews  # noqa: E402

REGION = "ap-northeast-1"
EXAMPLE = "3-centralised-s3-endpoint"
HUB_KEY = os.environ.get("HUB_ACCESS_KEY", "HUBKEY")
MEMBER_KEY = os.environ.get("MEMBER_ACCESS_KEY", "MEMBERKEY")
S3_ZONE = f"s3.{REGION}.amazonaws.com"
HUB_CIDR, MEMBER_CIDR, ONPREM_CIDR = "10.0.0.0/16", "10.1.0.0/16", "192.168.0.0/16"
RESOLVER_IPS = {"hub_subnet_a_id": "10.0.1.53", "hub_subnet_c_id": "10.0.2.53"}


class State(dict):
    """The ids created so far, written to a file after every change (for --destroy)."""

    def __init__(self, path: Path, initial: dict | None = None):
        super().__init__(initial or {})
        self.path = path

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self.path.write_text(json.dumps(self, indent=2))


class Account:
    """The clients of one account (the access key selects the account)."""

    def __init__(self, endpoint: str, key: str):
        def client(service):
            return boto3.client(service, endpoint_url=endpoint, region_name=REGION,
                                aws_access_key_id=key, aws_secret_access_key="test")
        self.ec2, self.r53, self.resolver = client("ec2"), client("route53"), client("route53resolver")
        self.id = client("sts").get_caller_identity()["Account"]


def tags(resource_type: str, name: str) -> list[dict]:
    return [{"ResourceType": resource_type,
             "Tags": [{"Key": "Name", "Value": name}, {"Key": "Example", "Value": EXAMPLE}]}]


def wait(what: str, pred, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(1)


def alias_change(action: str, name: str, st: State) -> dict:
    return {"Changes": [{"Action": action, "ResourceRecordSet": {
        "Name": name, "Type": "A",
        "AliasTarget": {"HostedZoneId": st["vpce_zone_id"], "DNSName": st["vpce_dns_name"],
                        "EvaluateTargetHealth": False}}}]}


def vpc(ec2, st: State, prefix: str, cidr: str) -> str:
    st[f"{prefix}_vpc_id"] = vpc_id = ec2.create_vpc(
        CidrBlock=cidr, TagSpecifications=tags("vpc", f"{prefix}-vpc"))["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    return vpc_id


def build(hub: Account, member: Account, connectivity: str, st: State) -> None:
    st["connectivity"] = connectivity
    # --- Hub: 1. the VPC (both DNS attributes on), two subnets in two AZs, one route table ---
    hub_vpc = vpc(hub.ec2, st, "hub", HUB_CIDR)
    for az, cidr in (("a", "10.0.1.0/24"), ("c", "10.0.2.0/24")):
        st[f"hub_subnet_{az}_id"] = hub.ec2.create_subnet(
            VpcId=hub_vpc, CidrBlock=cidr, AvailabilityZone=f"{REGION}{az}",
            TagSpecifications=tags("subnet", f"hub-{az}"))["Subnet"]["SubnetId"]
    st["hub_rtb_id"] = hub.ec2.create_route_table(
        VpcId=hub_vpc, TagSpecifications=tags("route-table", "hub-rt"))["RouteTable"]["RouteTableId"]
    st["hub_rtb_assocs"] = [hub.ec2.associate_route_table(RouteTableId=st["hub_rtb_id"], SubnetId=st[k])[
        "AssociationId"] for k in ("hub_subnet_a_id", "hub_subnet_c_id")]

    # --- Hub: 2. the S3 interface endpoint, private DNS OFF, HTTPS from members and on-premises.
    # (With private DNS on, AWS's hidden zone would serve only the hub VPC and would block our
    # own zone of the same name there.)
    st["endpoint_sg_id"] = hub.ec2.create_security_group(
        VpcId=hub_vpc, GroupName="s3-endpoint", Description="HTTPS to the S3 endpoint from the VPCs and on-premises",
        TagSpecifications=tags("security-group", "hub-s3-endpoint-sg"))["GroupId"]
    hub.ec2.authorize_security_group_ingress(GroupId=st["endpoint_sg_id"], IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "VPCs"},
                     {"CidrIp": ONPREM_CIDR, "Description": "on-premises"}]}])
    ep = hub.ec2.create_vpc_endpoint(
        VpcEndpointType="Interface", VpcId=hub_vpc, ServiceName=f"com.amazonaws.{REGION}.s3",
        SubnetIds=[st["hub_subnet_a_id"], st["hub_subnet_c_id"]], SecurityGroupIds=[st["endpoint_sg_id"]],
        PrivateDnsEnabled=False, TagSpecifications=tags("vpc-endpoint", "hub-s3-endpoint"))["VpcEndpoint"]
    st["s3_endpoint_id"] = ep["VpcEndpointId"]
    # DnsEntries[0] is the regional name, *.vpce-<id>-<suffix>.s3.ap-northeast-1.vpce.amazonaws.com.
    [ep] = hub.ec2.describe_vpc_endpoints(VpcEndpointIds=[st["s3_endpoint_id"]])["VpcEndpoints"]
    st["vpce_dns_name"], st["vpce_zone_id"] = ep["DnsEntries"][0]["DnsName"], ep["DnsEntries"][0]["HostedZoneId"]

    # --- Hub: 3. the private hosted zone named exactly like the service, aliases to the endpoint.
    zone = hub.r53.create_hosted_zone(
        Name=S3_ZONE, CallerReference=f"example-3-{time.time_ns()}",
        VPC={"VPCRegion": REGION, "VPCId": hub_vpc},
        HostedZoneConfig={"Comment": "S3 through the hub interface endpoint", "PrivateZone": True})["HostedZone"]
    st["zone_id"] = zone["Id"].removeprefix("/hostedzone/")
    for name in (S3_ZONE, f"*.{S3_ZONE}"):  # the apex and bucket.s3.ap-northeast-1...
        hub.r53.change_resource_record_sets(HostedZoneId=st["zone_id"], ChangeBatch=alias_change("CREATE", name, st))
    st["records"] = True

    # --- Member: 4. the member VPC, a subnet and a route table ---
    member_vpc = vpc(member.ec2, st, "member", MEMBER_CIDR)
    st["member_subnet_id"] = member.ec2.create_subnet(
        VpcId=member_vpc, CidrBlock="10.1.1.0/24", AvailabilityZone=f"{REGION}a",
        TagSpecifications=tags("subnet", "member-a"))["Subnet"]["SubnetId"]
    st["member_rtb_id"] = member.ec2.create_route_table(
        VpcId=member_vpc, TagSpecifications=tags("route-table", "member-rt"))["RouteTable"]["RouteTableId"]
    st["member_rtb_assoc"] = member.ec2.associate_route_table(
        RouteTableId=st["member_rtb_id"], SubnetId=st["member_subnet_id"])["AssociationId"]

    # --- 5. The member VPC uses the hub's zone. Cross-account: the zone owner authorises the
    # VPC, then the VPC owner associates it.
    member_ref = {"VPCRegion": REGION, "VPCId": member_vpc}
    if connectivity == "peering":
        hub.r53.create_vpc_association_authorization(HostedZoneId=st["zone_id"], VPC=member_ref)
        st["zone_authorized"] = True
    member.r53.associate_vpc_with_hosted_zone(HostedZoneId=st["zone_id"], VPC=member_ref)
    st["zone_associated"] = True

    # --- 6. The member reaches the hub's endpoint: VPC peering, or a transit gateway ---
    if connectivity == "peering":
        st["pcx_id"] = pcx = member.ec2.create_vpc_peering_connection(
            VpcId=member_vpc, PeerVpcId=hub_vpc, PeerOwnerId=hub.id,
            TagSpecifications=tags("vpc-peering-connection", "member-to-hub"))["VpcPeeringConnection"][
            "VpcPeeringConnectionId"]
        hub.ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
        wait("the peering to become active", lambda: hub.ec2.describe_vpc_peering_connections(
            VpcPeeringConnectionIds=[pcx])["VpcPeeringConnections"][0]["Status"]["Code"] == "active")
        target = {"VpcPeeringConnectionId": pcx}
    else:
        st["tgw_id"] = tgw = hub.ec2.create_transit_gateway(
            Description="hub for the centralised endpoints",
            TagSpecifications=tags("transit-gateway", "hub-tgw"))["TransitGateway"]["TransitGatewayId"]
        wait("the transit gateway", lambda: hub.ec2.describe_transit_gateways(
            TransitGatewayIds=[tgw])["TransitGateways"][0]["State"] == "available")
        for ec2, key, vpc_id, subnets, name in (
                (hub.ec2, "hub_attachment_id", hub_vpc, [st["hub_subnet_a_id"], st["hub_subnet_c_id"]], "hub"),
                (member.ec2, "member_attachment_id", member_vpc, [st["member_subnet_id"]], "member")):
            st[key] = ec2.create_transit_gateway_vpc_attachment(
                TransitGatewayId=tgw, VpcId=vpc_id, SubnetIds=subnets,
                TagSpecifications=tags("transit-gateway-attachment", f"{name}-attachment"),
            )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
        for key in ("hub_attachment_id", "member_attachment_id"):
            wait(f"the attachment {st[key]}", lambda: hub.ec2.describe_transit_gateway_vpc_attachments(
                TransitGatewayAttachmentIds=[st[key]])["TransitGatewayVpcAttachments"][0]["State"] == "available")
        target = {"TransitGatewayId": tgw}
    hub.ec2.create_route(RouteTableId=st["hub_rtb_id"], DestinationCidrBlock=MEMBER_CIDR, **target)
    st["hub_route"] = True
    member.ec2.create_route(RouteTableId=st["member_rtb_id"], DestinationCidrBlock=HUB_CIDR, **target)
    st["member_route"] = True

    # --- Hub: 7. the inbound Resolver endpoint that on-premises DNS forwards S3 names to ---
    st["resolver_sg_id"] = hub.ec2.create_security_group(
        VpcId=hub_vpc, GroupName="resolver-inbound",
        Description="DNS from on-premises to the inbound resolver endpoint",
        TagSpecifications=tags("security-group", "hub-resolver-sg"))["GroupId"]
    hub.ec2.authorize_security_group_ingress(GroupId=st["resolver_sg_id"], IpPermissions=[
        {"IpProtocol": proto, "FromPort": 53, "ToPort": 53, "IpRanges": [{"CidrIp": ONPREM_CIDR}]}
        for proto in ("udp", "tcp")])
    st["resolver_endpoint_id"] = hub.resolver.create_resolver_endpoint(
        Name="hub-inbound", Direction="INBOUND", CreatorRequestId=f"example-3-{time.time_ns()}",
        SecurityGroupIds=[st["resolver_sg_id"]],
        IpAddresses=[{"SubnetId": st[k], "Ip": ip} for k, ip in RESOLVER_IPS.items()],
        Tags=[{"Key": "Name", "Value": "hub-inbound"}, {"Key": "Example", "Value": EXAMPLE}],
    )["ResolverEndpoint"]["Id"]

    # --- Hub: 8. on-premises 192.168.0.0/16 over a site-to-site VPN ---
    st["cgw_id"] = hub.ec2.create_customer_gateway(
        Type="ipsec.1", PublicIp="203.0.113.10", BgpAsn=65000,
        TagSpecifications=tags("customer-gateway", "onprem-cgw"))["CustomerGateway"]["CustomerGatewayId"]
    st["vgw_id"] = vgw = hub.ec2.create_vpn_gateway(
        Type="ipsec.1", AmazonSideAsn=64512, TagSpecifications=tags("vpn-gateway", "hub-vgw"))["VpnGateway"][
        "VpnGatewayId"]
    hub.ec2.attach_vpn_gateway(VpnGatewayId=vgw, VpcId=hub_vpc)
    st["vgw_attached"] = True
    wait("the VPN gateway to attach", lambda: [a["State"] for a in hub.ec2.describe_vpn_gateways(
        VpnGatewayIds=[vgw])["VpnGateways"][0]["VpcAttachments"] if a["VpcId"] == hub_vpc] == ["attached"])
    st["vpn_id"] = hub.ec2.create_vpn_connection(
        Type="ipsec.1", CustomerGatewayId=st["cgw_id"], VpnGatewayId=vgw, Options={"StaticRoutesOnly": True},
        TagSpecifications=tags("vpn-connection", "onprem-vpn"))["VpnConnection"]["VpnConnectionId"]
    hub.ec2.create_vpn_connection_route(VpnConnectionId=st["vpn_id"], DestinationCidrBlock=ONPREM_CIDR)
    # The hub's route table learns 192.168.0.0/16 -> vgw from the gateway (route propagation).
    hub.ec2.enable_vgw_route_propagation(GatewayId=vgw, RouteTableId=st["hub_rtb_id"])
    st["propagating"] = True

    # --- Member: 9. the workload: one instance in member-a (Amazon Linux 2023, no public
    # address). Its S3 names resolve to the hub endpoint's ENIs (the zone), the route to
    # 10.0.0.0/16 takes it to the hub, and the endpoint's group admits 10.0.0.0/8 on 443. It has
    # the member VPC's default security group, which allows all outbound traffic.
    images = member.ec2.describe_images(Owners=["amazon"], Filters=[
        {"Name": "name", "Values": ["al2023-ami-2023*-x86_64"]}])["Images"]
    ami = max(images, key=lambda i: i["CreationDate"])["ImageId"]
    st["app_instance_id"] = app = member.ec2.run_instances(
        ImageId=ami, InstanceType="t3.micro", SubnetId=st["member_subnet_id"], MinCount=1, MaxCount=1,
        TagSpecifications=tags("instance", "member-app"))["Instances"][0]["InstanceId"]
    member.ec2.get_waiter("instance_running").wait(InstanceIds=[app], WaiterConfig={"Delay": 1})


def routes(ec2, rtb: str) -> dict:
    [rt] = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"]
    return {r["DestinationCidrBlock"]: (r.get("GatewayId") or r.get("VpcPeeringConnectionId")
                                        or r.get("TransitGatewayId"), r["State"], r["Origin"])
            for r in rt["Routes"] if "DestinationCidrBlock" in r}


def verify(hub: Account, member: Account, st: State) -> dict:
    [ep] = hub.ec2.describe_vpc_endpoints(VpcEndpointIds=[st["s3_endpoint_id"]])["VpcEndpoints"]
    assert (ep["VpcEndpointType"], ep["State"], ep["PrivateDnsEnabled"]) == ("Interface", "available", False), ep
    assert sorted(ep["SubnetIds"]) == sorted([st["hub_subnet_a_id"], st["hub_subnet_c_id"]])
    enis = hub.ec2.describe_network_interfaces(NetworkInterfaceIds=ep["NetworkInterfaceIds"])["NetworkInterfaces"]
    endpoint_ips = sorted(e["PrivateIpAddress"] for e in enis)
    assert len(endpoint_ips) == 2

    # The zone: private, on both VPCs; apex and wildcard alias the endpoint's regional name
    # (Route 53 returns names fully qualified, a leading * as \052).
    zone = hub.r53.get_hosted_zone(Id=st["zone_id"])
    assert zone["HostedZone"]["Config"]["PrivateZone"] is True
    assert sorted(v["VPCId"] for v in zone["VPCs"]) == sorted([st["hub_vpc_id"], st["member_vpc_id"]])
    records = hub.r53.list_resource_record_sets(HostedZoneId=st["zone_id"])["ResourceRecordSets"]
    target = st["vpce_dns_name"].replace("*", "\\052", 1) + "."
    aliases = {r["Name"]: (r["AliasTarget"]["DNSName"], r["AliasTarget"]["HostedZoneId"])
               for r in records if r["Type"] == "A"}
    assert aliases == {f"{S3_ZONE}.": (target, st["vpce_zone_id"]),
                       f"\\052.{S3_ZONE}.": (target, st["vpce_zone_id"])}, aliases
    by_vpc = member.r53.list_hosted_zones_by_vpc(VPCId=st["member_vpc_id"], VPCRegion=REGION)["HostedZoneSummaries"]
    assert [(z["HostedZoneId"], z["Name"], z["Owner"].get("OwningAccount")) for z in by_vpc] == \
        [(st["zone_id"], f"{S3_ZONE}.", hub.id)], by_vpc

    # Routes: hub <-> member both ways, on-premises propagated from the VPN gateway.
    via = st.get("pcx_id") or st.get("tgw_id")
    hub_routes, member_routes = routes(hub.ec2, st["hub_rtb_id"]), routes(member.ec2, st["member_rtb_id"])
    assert hub_routes == {HUB_CIDR: ("local", "active", "CreateRouteTable"),
                          MEMBER_CIDR: (via, "active", "CreateRoute"),
                          ONPREM_CIDR: (st["vgw_id"], "active", "EnableVgwRoutePropagation")}, hub_routes
    assert member_routes == {MEMBER_CIDR: ("local", "active", "CreateRouteTable"),
                             HUB_CIDR: (via, "active", "CreateRoute")}, member_routes

    # The inbound resolver endpoint and the VPN.
    rep = hub.resolver.get_resolver_endpoint(ResolverEndpointId=st["resolver_endpoint_id"])["ResolverEndpoint"]
    assert (rep["Direction"], rep["Status"], rep["IpAddressCount"]) == ("INBOUND", "OPERATIONAL", 2), rep
    ips = hub.resolver.list_resolver_endpoint_ip_addresses(ResolverEndpointId=rep["Id"])["IpAddresses"]
    assert sorted(i["Ip"] for i in ips) == sorted(RESOLVER_IPS.values()), ips
    [app] = member.ec2.describe_instances(InstanceIds=[st["app_instance_id"]])["Reservations"][0]["Instances"]
    assert (app["State"]["Name"], app["SubnetId"], app["InstanceType"]) == \
        ("running", st["member_subnet_id"], "t3.micro"), app
    [vpn] = hub.ec2.describe_vpn_connections(VpnConnectionIds=[st["vpn_id"]])["VpnConnections"]
    assert vpn["Options"]["StaticRoutesOnly"] is True
    assert [r["DestinationCidrBlock"] for r in vpn["Routes"]] == [ONPREM_CIDR], vpn["Routes"]
    return {"endpoint_ips": endpoint_ips, "aliases": aliases, "hub_routes": hub_routes,
            "member_routes": member_routes, "resolver_ips": sorted(RESOLVER_IPS.values())}


def summary(st: State, seen: dict) -> None:
    print(f"Scenario 3: centralised S3 interface endpoint, member connected by {st['connectivity']}")
    for key, value in st.items():
        print(f"  {key:22} {value}")
    print(f"  zone {S3_ZONE} (private): ")
    for name, (target, zone) in seen["aliases"].items():
        print(f"    {name} A alias -> {target} ({zone})")
    print(f"  S3 names resolve to the endpoint ENIs {', '.join(seen['endpoint_ips'])} (member VPC, on-premises)")
    print(f"  on-premises forwards {S3_ZONE} to the inbound resolver {', '.join(seen['resolver_ips'])}")
    for label, rts in (("hub", seen["hub_routes"]), ("member", seen["member_routes"])):
        print(f"  {label} routes: " + "; ".join(f"{d} -> {t} ({o})" for d, (t, _, o) in rts.items()))


def show_dns(endpoint: str, member: Account, seen: dict, st: State) -> None:
    """What DNS answers where. The zone answers the S3 names for the VPCs associated with it (hub
    and member) and for queries arriving through the inbound endpoint (answered as the hub VPC's
    resolver): the endpoint's two ENIs. Any other VPC, here the member account's default VPC, and
    the internet get public S3. A name the zone has without the asked type is NODATA, with the
    zone's SOA: no fallback to public DNS."""
    [default] = member.ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    st["unassociated_vpc_id"] = default["VpcId"]  # not associated with the zone; not ours to delete
    answers = dnsviews.report(endpoint, "3", st)
    by = {(a.question.where.split()[0], a.question.name, a.question.rtype): a for a in answers}
    ips, bucket = seen["endpoint_ips"], f"my-bucket.{S3_ZONE}"
    for view in ("member", "hub", "inbound"):
        for name in (S3_ZONE, bucket):
            assert by[(view, name, "A")].data == ips, (view, name, by[(view, name, "A")], ips)
    public = by[("internet", bucket, "A")]
    assert len(public.data) == 1 and public.data != ips, public
    assert by[("unassociated", bucket, "A")].data == public.data, by[("unassociated", bucket, "A")]
    nodata = by[("member", S3_ZONE, "AAAA")]
    assert (nodata.rcode, nodata.data, nodata.soa) == ("NOERROR", [], f"{S3_ZONE}."), nodata
    print("What the network lets through (exit 0 when the path is open, 2 when it is blocked):")
    print(f"  localvpc trace --from {st['app_instance_id']} --to {S3_ZONE}")
    print(f"  localvpc trace --from {st['app_instance_id']} --to {bucket} --request 'PUT s3://my-bucket/test.txt'")


def teardown(hub: Account, member: Account, st: State) -> None:
    if "app_instance_id" in st:
        member.ec2.terminate_instances(InstanceIds=[st["app_instance_id"]])
        member.ec2.get_waiter("instance_terminated").wait(InstanceIds=[st["app_instance_id"]],
                                                          WaiterConfig={"Delay": 1})
    # DNS: the member's association and its authorisation, the records, the zone, the resolver.
    member_ref = {"VPCRegion": REGION, "VPCId": st.get("member_vpc_id")}
    if st.get("zone_associated"):
        member.r53.disassociate_vpc_from_hosted_zone(HostedZoneId=st["zone_id"], VPC=member_ref)
    if st.get("zone_authorized"):
        hub.r53.delete_vpc_association_authorization(HostedZoneId=st["zone_id"], VPC=member_ref)
    if st.get("records"):
        for name in (S3_ZONE, f"*.{S3_ZONE}"):
            hub.r53.change_resource_record_sets(HostedZoneId=st["zone_id"], ChangeBatch=alias_change("DELETE", name, st))
    if "zone_id" in st:
        hub.r53.delete_hosted_zone(Id=st["zone_id"])
    if "resolver_endpoint_id" in st:
        hub.resolver.delete_resolver_endpoint(ResolverEndpointId=st["resolver_endpoint_id"])
        wait("the resolver endpoint to go", lambda: st["resolver_endpoint_id"] not in
             [e["Id"] for e in hub.resolver.list_resolver_endpoints()["ResolverEndpoints"]])
    # On-premises: propagation, the VPN, the gateways.
    if st.get("propagating"):
        hub.ec2.disable_vgw_route_propagation(GatewayId=st["vgw_id"], RouteTableId=st["hub_rtb_id"])
    if "vpn_id" in st:
        hub.ec2.delete_vpn_connection(VpnConnectionId=st["vpn_id"])
        wait("the VPN connection to be deleted", lambda: hub.ec2.describe_vpn_connections(
            VpnConnectionIds=[st["vpn_id"]])["VpnConnections"][0]["State"] == "deleted")
    if st.get("vgw_attached"):
        hub.ec2.detach_vpn_gateway(VpnGatewayId=st["vgw_id"], VpcId=st["hub_vpc_id"])
        wait("the VPN gateway to detach", lambda: all(a["State"] == "detached" for a in hub.ec2.describe_vpn_gateways(
            VpnGatewayIds=[st["vgw_id"]])["VpnGateways"][0]["VpcAttachments"]))
    if "vgw_id" in st:
        hub.ec2.delete_vpn_gateway(VpnGatewayId=st["vgw_id"])
    if "cgw_id" in st:
        hub.ec2.delete_customer_gateway(CustomerGatewayId=st["cgw_id"])
    # Hub <-> member connectivity.
    if st.get("hub_route"):
        hub.ec2.delete_route(RouteTableId=st["hub_rtb_id"], DestinationCidrBlock=MEMBER_CIDR)
    if st.get("member_route"):
        member.ec2.delete_route(RouteTableId=st["member_rtb_id"], DestinationCidrBlock=HUB_CIDR)
    if "pcx_id" in st:
        member.ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=st["pcx_id"])
    attachments = [st[k] for k in ("member_attachment_id", "hub_attachment_id") if k in st]
    for att in attachments:
        hub.ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=att)
    for att in attachments:
        wait(f"the attachment {att} to be deleted", lambda: hub.ec2.describe_transit_gateway_vpc_attachments(
            TransitGatewayAttachmentIds=[att])["TransitGatewayVpcAttachments"][0]["State"] == "deleted")
    if "tgw_id" in st:
        hub.ec2.delete_transit_gateway(TransitGatewayId=st["tgw_id"])
    # The endpoint, then the networks.
    if "s3_endpoint_id" in st:
        hub.ec2.delete_vpc_endpoints(VpcEndpointIds=[st["s3_endpoint_id"]])
    if "hub_vpc_id" in st:
        wait("the hub's ENIs to go", lambda: not hub.ec2.describe_network_interfaces(
            Filters=[{"Name": "vpc-id", "Values": [st["hub_vpc_id"]]}])["NetworkInterfaces"])
    for key in ("resolver_sg_id", "endpoint_sg_id"):
        if key in st:
            hub.ec2.delete_security_group(GroupId=st[key])
    for ec2, assocs, rtb, subnets, vpc_key in (
            (hub.ec2, st.get("hub_rtb_assocs", []), "hub_rtb_id", ("hub_subnet_a_id", "hub_subnet_c_id"), "hub_vpc_id"),
            (member.ec2, [st["member_rtb_assoc"]] if "member_rtb_assoc" in st else [], "member_rtb_id",
             ("member_subnet_id",), "member_vpc_id")):
        for assoc in assocs:
            ec2.disassociate_route_table(AssociationId=assoc)
        if rtb in st:
            ec2.delete_route_table(RouteTableId=st[rtb])
        for key in subnets:
            if key in st:
                ec2.delete_subnet(SubnetId=st[key])
        if vpc_key in st:
            ec2.delete_vpc(VpcId=st[vpc_key])
    st.path.unlink(missing_ok=True)
    print("deleted everything scenario 3 created")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--endpoint", default=os.environ.get("LOCALVPC_ENDPOINT", "http://127.0.0.1:4566"))
    ap.add_argument("--connectivity", choices=("peering", "tgw"),
                    default=os.environ.get("CONNECTIVITY", "peering"))
    ap.add_argument("--keep", action="store_true", help="leave the resources in place")
    ap.add_argument("--destroy", action="store_true", help="delete what an earlier --keep run left")
    ap.add_argument("--state-file", type=Path,
                    default=Path(tempfile.gettempdir()) / f"localvpc-example-{EXAMPLE[0]}-boto3.json")
    args = ap.parse_args(argv)

    saved = json.loads(args.state_file.read_text()) if args.destroy and args.state_file.exists() else {}
    connectivity = saved.get("connectivity", args.connectivity)
    hub = Account(args.endpoint, HUB_KEY)
    # The tgw variant keeps the "member" VPC in the hub account (no RAM sharing in localvpc).
    member = Account(args.endpoint, MEMBER_KEY if connectivity == "peering" else HUB_KEY)

    if args.destroy:
        if not saved:
            print(f"nothing to destroy ({args.state_file} not found)")
            return 0
        teardown(hub, member, State(args.state_file, saved))
        return 0
    if args.state_file.exists():
        sys.exit(f"{args.state_file} exists: run with --destroy first")

    st = State(args.state_file)
    try:
        build(hub, member, connectivity, st)
        seen = verify(hub, member, st)
        summary(st, seen)
        show_dns(args.endpoint, member, seen, st)
        print("all checks passed")
    finally:
        if not args.keep:
            teardown(hub, member, st)
    if args.keep:
        print(f"kept (ids in {args.state_file}); delete with: {sys.argv[0]} --destroy")
    return 0


if __name__ == "__main__":
    sys.exit(main())

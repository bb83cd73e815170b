"""`POST /_localvpc/trace` and `localvpc trace`: can a packet get from a source to a
destination, hop by hop, and if not, every blocker with AWS's Reachability Analyzer
explanation code and the rule that decided.

State is built with boto3 against the module's shared server; each test starts from a reset
server. AWS is the spec for the semantics (stateful security groups, stateless network ACLs
checked both ways with the reply to an ephemeral port, no ACL or route table inside one subnet,
gateway endpoints reached through their prefix-list route, interface endpoints through their
private DNS name) and for the explanation codes (`ENI_SG_RULES_MISMATCH`, `SG_HAS_NO_RULES`,
`SUBNET_ACL_RESTRICTION`, `NO_ROUTE_TO_DESTINATION`, `BAD_STATE_ROUTE`,
`IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS`, ...; their meanings as the Reachability Analyzer's
"explanation codes" page gives them). `LOCALVPC_*` codes are localvpc's own (endpoint policies
checked against a request, DNS names without an address).
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from path_helpers import AZ_A, AZ_C, R, Net, f, tcp
from helpers import http_call, resolve_binary
from route53_helpers import apply, change, new_route53_client, rrset, zone_id

S3 = f"com.amazonaws.{R}.s3"
SSM = f"com.amazonaws.{R}.ssm"
SSM_NAME = f"ssm.{R}.amazonaws.com"
S3_PL = "pl-61a54008"  # ap-northeast-1's com.amazonaws.ap-northeast-1.s3 prefix list
INTERNET = "203.0.113.7"  # TEST-NET-3: nobody's VPC
MISSING_INSTANCE = "i-0123456789abcdef0"


# --------------------------------------------------------------------------- helpers


def post_trace(url: str, body) -> tuple[int, dict]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    status, raw = http_call(url + "/_localvpc/trace", method="POST", data=data)
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = {"_raw": raw.decode("utf-8", "replace")}
    return status, parsed


def trace(url: str, frm: str, to: str, **extra) -> dict:
    body = {"from": frm, "to": to, **extra}
    status, r = post_trace(url, body)
    assert status == 200, (status, r)
    # The answer's envelope, whatever the outcome.
    for key in ("from", "to", "dns", "network_path_found", "forward_path_components",
                "return_path_components", "explanations"):
        assert key in r, (key, r)
    assert r["from"] == frm and r["to"] == to
    for hops in (r["forward_path_components"], r["return_path_components"]):
        assert [h["sequence_number"] for h in hops] == list(range(1, len(hops) + 1))
    # network_path_found and explanations never disagree.
    assert r["network_path_found"] == (r["explanations"] == []), summary(r)
    return r


def summary(r: dict) -> str:
    """The trace in a few lines, for assertion messages."""
    lines = []
    for title in ("forward_path_components", "return_path_components"):
        lines.append(title)
        for h in r.get(title, []):
            mark = "x" if h.get("blocked") else " "
            lines.append(f" {mark} {h['sequence_number']:>2} {h['kind']:<28} {h['component']['id']:<24} {h['detail']}")
    for e in r.get("explanations", []):
        lines.append(f"  {e['explanation_code']} ({e.get('direction')}, return={e['on_return_path']}): {e['detail']}")
    return "\n".join(lines)


def reachable(r: dict) -> None:
    assert r["network_path_found"] is True, summary(r)
    assert r["explanations"] == [], summary(r)
    assert not any(h["blocked"] for h in r["forward_path_components"] + r["return_path_components"]), summary(r)


def blocked(r: dict) -> list[dict]:
    assert r["network_path_found"] is False, summary(r)
    assert r["explanations"], summary(r)
    return r["explanations"]


def codes(r: dict) -> list[str]:
    return [e["explanation_code"] for e in r["explanations"]]


def kinds(hops: list[dict]) -> list[str]:
    return [h["kind"] for h in hops]


def hops_of(hops: list[dict], kind: str) -> list[dict]:
    return [h for h in hops if h["kind"] == kind]


def related(hop: dict, role: str) -> list[str]:
    return [x["component"]["id"] for x in hop.get("related", []) if x["role"] == role]


def arrival(r: dict) -> dict:
    """The last interface the forward path reaches."""
    enis = hops_of(r["forward_path_components"], "network-interface")
    assert enis, summary(r)
    return enis[-1]


@pytest.fixture
def net(ec2, ami) -> Net:
    return Net(ec2, ami)


# --------------------------------------------------------------------------- reachable paths


def test_same_subnet_skips_acls_and_route_tables(endpoint, net):
    vpc = net.vpc("10.0.0.0/16")
    sub = net.subnet(vpc, "10.0.1.0/24")
    a, b = net.instance(sub), net.instance(sub)
    r = trace(endpoint, a["InstanceId"], b["PrivateIpAddress"], port=22)
    reachable(r)
    assert r["protocol"] == "tcp" and r["port"] == 22 and r["dns"] is None and r["request"] is None
    fwd = r["forward_path_components"]
    # Within one subnet: no network ACL and no route table on the way (network ACLs filter
    # traffic entering and leaving a subnet only).
    assert "network-acl" not in kinds(fwd) and "route-table" not in kinds(fwd), summary(r)
    assert fwd[0]["kind"] == "instance" and fwd[0]["component"]["id"] == a["InstanceId"]
    assert fwd[-1]["kind"] == "instance" and fwd[-1]["component"]["id"] == b["InstanceId"]
    assert arrival(r)["component"]["id"] == net.eni_of(b)
    [default_sg] = net.ec2.describe_security_groups(Filters=[f("vpc-id", vpc), f("group-name", "default")])[
        "SecurityGroups"]
    sgs = hops_of(fwd, "security-group")
    assert [h["security_group_rule"]["direction"] for h in sgs] == ["egress", "ingress"], summary(r)
    # The default group's ingress rule that lets members talk to each other decided.
    ingress = sgs[1]["security_group_rule"]
    assert ingress["security_group_id"] == default_sg["GroupId"]
    assert ingress["referenced_group_id"] == default_sg["GroupId"]
    assert ingress["security_group_rule_id"].startswith("sgr-")
    assert related(sgs[1], "attachedTo") == [net.eni_of(b)]
    # Security groups are stateful: the return path passes them without a rule.
    back = r["return_path_components"]
    assert back and back[-1]["component"]["id"] == a["InstanceId"]
    assert all("security_group_rule" not in h for h in hops_of(back, "security-group")), summary(r)
    # The source may also be named by its interface or its address.
    for source in (net.eni_of(a), a["PrivateIpAddress"]):
        again = trace(endpoint, source, b["InstanceId"], port=22)
        reachable(again)
        assert arrival(again)["component"]["id"] == net.eni_of(b)
        assert again["forward_path_components"][1]["component"]["id"] == net.eni_of(a), summary(again)


def test_across_subnets_local_route_and_default_acl(endpoint, net):
    vpc = net.vpc("10.0.0.0/16")
    sa, sc = net.subnet(vpc, "10.0.1.0/24", AZ_A), net.subnet(vpc, "10.0.2.0/24", AZ_C)
    a, b = net.instance(sa), net.instance(sc)
    r = trace(endpoint, a["InstanceId"], b["InstanceId"], port=22)
    reachable(r)
    fwd = r["forward_path_components"]
    main = net.main_table(vpc)
    [rt] = hops_of(fwd, "route-table")
    assert rt["component"]["id"] == main
    assert rt["route_table_route"] == {
        "route_table_id": main, "destination_cidr": "10.0.0.0/16", "target_field": "gatewayId",
        "target": "local", "origin": "CreateRouteTable", "state": "active"}
    acl = net.default_acl(vpc)
    acls = hops_of(fwd, "network-acl")
    # Out of the source subnet, into the destination subnet: rule 100 of the default ACL both times.
    assert [(h["acl_rule"]["egress"], h["acl_rule"]["rule_number"], h["acl_rule"]["rule_action"])
            for h in acls] == [(True, 100, "allow"), (False, 100, "allow")], summary(r)
    assert {h["acl_rule"]["acl_id"] for h in acls} == {acl}
    assert related(acls[0], "subnet") == [sa] and related(acls[1], "subnet") == [sc]
    # Order: egress ACL, route table, ingress ACL.
    k = kinds(fwd)
    assert k.index("network-acl") < k.index("route-table") < len(k) - 1 - k[::-1].index("network-acl")
    # ACLs are stateless: the reply crosses both again, to an ephemeral port.
    back_acls = hops_of(r["return_path_components"], "network-acl")
    assert [h["acl_rule"]["egress"] for h in back_acls] == [True, False], summary(r)
    [reply_in] = [h for h in r["return_path_components"] if h["kind"] == "network-interface" and "inbound_header" in h]
    assert reply_in["inbound_header"]["destination_port_ranges"] == [{"from": 1024, "to": 65535}]
    assert reply_in["inbound_header"]["source_port_ranges"] == [{"from": 22, "to": 22}]
    # ICMP has no ports; a protocol number names the protocol.
    icmp = trace(endpoint, a["InstanceId"], b["InstanceId"], protocol="icmp", port=22)
    reachable(icmp)
    assert (icmp["protocol"], icmp["port"]) == ("icmp", None)
    six = trace(endpoint, a["InstanceId"], b["InstanceId"], protocol="6", port=22)
    reachable(six)
    assert (six["protocol"], six["port"]) == ("tcp", 22)


def test_interface_endpoint_by_private_dns_name(endpoint, net):
    vpc = net.vpc("10.0.0.0/16", dns_hostnames=True)
    sa, sc = net.subnet(vpc, "10.0.1.0/24", AZ_A), net.subnet(vpc, "10.0.2.0/24", AZ_C)
    sg = net.sg(vpc, "ssm-endpoint", tcp(443, "10.0.0.0/16"))
    ep = net.ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=SSM, VpcEndpointType="Interface",
                                     SubnetIds=[sa, sc], SecurityGroupIds=[sg],
                                     PrivateDnsEnabled=True)["VpcEndpoint"]
    enis = net.ec2.describe_network_interfaces(NetworkInterfaceIds=ep["NetworkInterfaceIds"])["NetworkInterfaces"]
    by_subnet = {e["SubnetId"]: e for e in enis}
    assert set(by_subnet) == {sa, sc}
    # The instance is in the 1c subnet: the name's address in 1c is the one a client uses.
    inst = net.instance(sc)
    r = trace(endpoint, inst["InstanceId"], SSM_NAME)
    reachable(r)
    assert r["port"] == 443  # a name's default port
    dns = r["dns"]
    assert dns is not None and dns["name"].rstrip(".") == SSM_NAME, dns
    answers = sorted(a["data"] for a in dns["answers"] if a["type"] == "A")
    assert answers == sorted(e["PrivateIpAddress"] for e in enis), dns
    got = arrival(r)
    assert got["component"]["id"] == by_subnet[sc]["NetworkInterfaceId"], summary(r)
    assert got["inbound_header"]["destination_addresses"] == [by_subnet[sc]["PrivateIpAddress"]]
    # The endpoint's group let 443 in from the VPC.
    [ingress] = [h for h in hops_of(r["forward_path_components"], "security-group")
                 if h["security_group_rule"]["direction"] == "ingress"]
    rule = ingress["security_group_rule"]
    assert (rule["security_group_id"], rule["protocol"], rule["cidr"], rule["port_range"]) == (
        sg, "tcp", "10.0.0.0/16", {"from": 443, "to": 443})
    assert ep["VpcEndpointId"] in json.dumps(r["forward_path_components"]), summary(r)
    # Same subnet as the endpoint interface: no ACL, no route table on the way.
    assert "network-acl" not in kinds(r["forward_path_components"]), summary(r)

    # One list of steps in one vocabulary: the DNS trail, then the hops both ways.
    steps = r["steps"]
    stages = [s["stage"] for s in steps]
    assert stages == sorted(stages, key=["dns", "forward", "return"].index), stages
    assert [s for s in steps if s["stage"] == "dns"] and not any(s["blocked"] for s in steps)
    assert len([s for s in steps if s["stage"] == "forward"]) == len(r["forward_path_components"])
    assert len([s for s in steps if s["stage"] == "return"]) == len(r["return_path_components"])
    assert [s["kind"] for s in steps if s["stage"] == "dns"] == [t["step"] for t in dns["trail"]]
    # The DNS step that decided names the endpoint's private-DNS zone; the group's step names
    # the rule that let 443 in.
    [match] = [s for s in steps if s["stage"] == "dns" and s["kind"] == "match"]
    assert match["component"]["name"].rstrip(".") == SSM_NAME, match
    sg_steps = [s for s in steps if s["stage"] == "forward" and s["kind"] == "security-group"
                and s["component"]["id"] == sg]
    assert [s["rule"] for s in sg_steps] == [rule["security_group_rule_id"]], steps

    # An explicit port goes through the same lookup, and the group then has no matching rule.
    r22 = trace(endpoint, inst["InstanceId"], f"{SSM_NAME}:22")
    assert r22["port"] == 22
    [e] = blocked(r22)
    assert (e["explanation_code"], e.get("direction")) == ("ENI_SG_RULES_MISMATCH", "ingress"), summary(r22)


def test_load_balancer_by_its_dns_name(endpoint, net):
    """An NLB's DNS name resolves (public DNS: its node addresses) and the path goes through a
    listener and the target group to the target; the target sees the client's address."""
    from elbv2_helpers import new_elbv2_client
    elbv2 = new_elbv2_client(endpoint)
    p = net.nlb_service(elbv2, "10.7.0.0/16")
    client = net.instance(p["subnet"])["InstanceId"]
    name = p["lb"]["DNSName"]
    r = trace(endpoint, client, name)
    reachable(r)
    answers = [a["data"] for a in r["dns"]["answers"] if a["type"] == "A"]
    assert answers == [p["lb_ip"]], r["dns"]
    [lb] = hops_of(r["forward_path_components"], "load-balancer")
    assert lb["component"]["id"] == p["lb"]["LoadBalancerArn"], summary(r)
    assert "target group backend" in lb["detail"], summary(r)
    assert r["forward_path_components"][-1]["component"]["id"] == p["backend"]["InstanceId"], summary(r)
    assert any(h["detail"].startswith("the balancer answers") for h in r["return_path_components"]), summary(r)
    # The backend admits the VPC's block only: with client IPs preserved, a client elsewhere
    # (over a peering) is refused at the target, not at the balancer.
    other = net.vpc("10.9.0.0/16")
    other_subnet = net.subnet(other, "10.9.1.0/24")
    pcx = net.peer(other, p["vpc"])
    net.ec2.create_route(RouteTableId=net.main_table(other), DestinationCidrBlock="10.7.0.0/16",
                         VpcPeeringConnectionId=pcx)
    net.ec2.create_route(RouteTableId=net.main_table(p["vpc"]), DestinationCidrBlock="10.9.0.0/16",
                         VpcPeeringConnectionId=pcx)
    far = net.instance(other_subnet)["InstanceId"]
    r = trace(endpoint, far, f"{p['lb_ip']}:443")
    [e] = blocked(r)
    assert (e["explanation_code"], e.get("direction")) == ("ENI_SG_RULES_MISMATCH", "ingress"), summary(r)
    # Not preserving client IPs: the target sees the balancer's address, inside the VPC.
    elbv2.modify_target_group_attributes(TargetGroupArn=p["tg"]["TargetGroupArn"], Attributes=[
        {"Key": "preserve_client_ip.enabled", "Value": "false"}])
    reachable(trace(endpoint, far, f"{p['lb_ip']}:443"))


def test_gateway_endpoint_prefix_list_route(endpoint, net):
    vpc = net.vpc("10.0.0.0/16")
    sub = net.subnet(vpc, "10.0.1.0/24")
    rtb = net.table_for(vpc, sub)
    ep = net.ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=S3, VpcEndpointType="Gateway",
                                     RouteTableIds=[rtb])["VpcEndpoint"]["VpcEndpointId"]
    inst = net.instance(sub)
    r = trace(endpoint, inst["InstanceId"], ep, port=443)
    reachable(r)
    fwd = r["forward_path_components"]
    [rt] = hops_of(fwd, "route-table")
    route = rt["route_table_route"]
    assert route["route_table_id"] == rtb
    assert route["destination_prefix_list_id"] == S3_PL
    assert route["target"] == ep and route["state"] == "active"
    assert "destination_cidr" not in route
    assert "vpc-endpoint" in kinds(fwd) and kinds(fwd).index("route-table") < kinds(fwd).index("vpc-endpoint")
    assert hops_of(fwd, "vpc-endpoint")[0]["component"]["id"] == ep

    # A gateway endpoint carries TCP (and ICMP) only.
    ru = trace(endpoint, inst["InstanceId"], ep, port=53, protocol="udp")
    assert "VPCE_GATEWAY_PROTOCOL_RESTRICTION" in codes(ru), summary(ru)

    # Without the endpoint's route in the subnet's table there is no way to the service.
    other = net.subnet(vpc, "10.0.2.0/24")
    stray = net.instance(other)
    r2 = trace(endpoint, stray["InstanceId"], ep, port=443)
    assert "NO_ROUTE_TO_DESTINATION" in [e["explanation_code"] for e in blocked(r2)], summary(r2)


def test_vpc_peering_both_route_tables(endpoint, net):
    va, vb = net.vpc("10.0.0.0/16"), net.vpc("10.1.0.0/16")
    sa, sb = net.subnet(va, "10.0.1.0/24"), net.subnet(vb, "10.1.1.0/24")
    pcx = net.peer(va, vb)
    ta, tb = net.main_table(va), net.main_table(vb)
    net.ec2.create_route(RouteTableId=ta, DestinationCidrBlock="10.1.0.0/16", VpcPeeringConnectionId=pcx)
    net.ec2.create_route(RouteTableId=tb, DestinationCidrBlock="10.0.0.0/16", VpcPeeringConnectionId=pcx)
    sg_b = net.sg(vb, "from-a", tcp(5432, "10.0.0.0/16"))
    a, b = net.instance(sa), net.instance(sb, groups=[sg_b])
    r = trace(endpoint, a["InstanceId"], b["PrivateIpAddress"], port=5432)
    reachable(r)
    fwd, back = r["forward_path_components"], r["return_path_components"]
    [rt] = hops_of(fwd, "route-table")
    assert rt["route_table_route"]["route_table_id"] == ta
    assert (rt["route_table_route"]["destination_cidr"], rt["route_table_route"]["target"],
            rt["route_table_route"]["target_field"]) == ("10.1.0.0/16", pcx, "vpcPeeringConnectionId")
    assert [h["component"]["id"] for h in hops_of(fwd, "vpc-peering-connection")] == [pcx], summary(r)
    assert arrival(r)["component"]["id"] == net.eni_of(b)
    # The reply takes B's route back over the same connection.
    [rt_back] = hops_of(back, "route-table")
    assert rt_back["route_table_route"]["route_table_id"] == tb
    assert (rt_back["route_table_route"]["destination_cidr"], rt_back["route_table_route"]["target"]) == (
        "10.0.0.0/16", pcx)
    assert [h["component"]["id"] for h in hops_of(back, "vpc-peering-connection")] == [pcx], summary(r)


def test_transit_gateway_propagated_route(endpoint, net):
    ec2 = net.ec2
    va, vb = net.vpc("10.0.0.0/16"), net.vpc("10.1.0.0/16")
    sa, sb = net.subnet(va, "10.0.1.0/24"), net.subnet(vb, "10.1.1.0/24")
    tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
    att_a = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=va, SubnetIds=[sa])[
        "TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    att_b = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=vb, SubnetIds=[sb])[
        "TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    ta, tb = net.main_table(va), net.main_table(vb)
    ec2.create_route(RouteTableId=ta, DestinationCidrBlock="10.1.0.0/16", TransitGatewayId=tgw)
    ec2.create_route(RouteTableId=tb, DestinationCidrBlock="10.0.0.0/16", TransitGatewayId=tgw)
    [tgw_rtb] = ec2.describe_transit_gateway_route_tables(Filters=[f("transit-gateway-id", tgw)])[
        "TransitGatewayRouteTables"]
    sg_b = net.sg(vb, "from-a", tcp(443, "10.0.0.0/16"))
    a, b = net.instance(sa), net.instance(sb, groups=[sg_b])
    r = trace(endpoint, a["InstanceId"], b["InstanceId"], port=443)
    reachable(r)
    fwd, back = r["forward_path_components"], r["return_path_components"]
    rt = hops_of(fwd, "route-table")[0]["route_table_route"]
    assert (rt["route_table_id"], rt["destination_cidr"], rt["target"], rt["target_field"]) == (
        ta, "10.1.0.0/16", tgw, "transitGatewayId")
    [tgw_hop] = [h for h in fwd if "transit_gateway_route_table_route" in h]
    assert tgw_hop["kind"] == "transit-gateway-route-table"
    route = tgw_hop["transit_gateway_route_table_route"]
    assert route["route_table_id"] == tgw_rtb["TransitGatewayRouteTableId"]
    assert route["route_origin"] == "propagated"
    assert route["destination_cidr"] == "10.1.0.0/16"
    assert route["attachment_id"] == att_b and route["resource_id"] == vb
    assert route["state"] == "active"
    atts = [h["component"]["id"] for h in hops_of(fwd, "transit-gateway-attachment")]
    assert atts == [att_a, att_b], summary(r)
    assert arrival(r)["component"]["id"] == net.eni_of(b)
    # Back through B's table and the gateway's route to A.
    assert hops_of(back, "route-table")[0]["route_table_route"]["route_table_id"] == tb
    [back_tgw] = [h for h in back if "transit_gateway_route_table_route" in h]
    assert back_tgw["transit_gateway_route_table_route"]["destination_cidr"] == "10.0.0.0/16"
    assert back_tgw["transit_gateway_route_table_route"]["attachment_id"] == att_a


def test_private_hosted_zone_name(endpoint, net):
    vpc = net.vpc("10.0.0.0/16", dns_hostnames=True)
    sa, sc = net.subnet(vpc, "10.0.1.0/24", AZ_A), net.subnet(vpc, "10.0.2.0/24", AZ_C)
    db_sg = net.sg(vpc, "db", tcp(5432, "10.0.0.0/16"))
    app, db = net.instance(sa), net.instance(sc, groups=[db_sg])
    r53 = new_route53_client(endpoint)
    zone = zone_id(r53, "corp.internal", vpc=vpc)
    apply(r53, zone, change("CREATE", rrset("db.corp.internal", "A", db["PrivateIpAddress"])))
    r = trace(endpoint, app["InstanceId"], "db.corp.internal:5432")
    reachable(r)
    assert r["port"] == 5432
    assert [a["data"] for a in r["dns"]["answers"] if a["type"] == "A"] == [db["PrivateIpAddress"]]
    assert r["dns"]["vpc_id"] == vpc
    assert arrival(r)["component"]["id"] == net.eni_of(db)
    assert r["forward_path_components"][-1]["component"]["id"] == db["InstanceId"]
    # Another VPC is not associated with the zone: the name has no address there.
    other = net.vpc("10.5.0.0/16")
    outsider = net.instance(net.subnet(other, "10.5.1.0/24"))
    r2 = trace(endpoint, outsider["InstanceId"], "db.corp.internal:5432")
    [e] = blocked(r2)
    assert e["explanation_code"] == "LOCALVPC_DNS_NO_ADDRESS", summary(r2)
    assert r2["dns"]["rcode"] == "NXDOMAIN" and r2["dns"]["vpc_id"] == other
    assert r2["forward_path_components"] == [] and e.get("fix")


def nat_setup(net, *, public_ip_for_instance: bool = False):
    ec2 = net.ec2
    vpc = net.vpc("10.0.0.0/16")
    public, private = net.subnet(vpc, "10.0.0.0/24"), net.subnet(vpc, "10.0.1.0/24")
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    pub_rt, priv_rt = net.table_for(vpc, public), net.table_for(vpc, private)
    ec2.create_route(RouteTableId=pub_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=alloc)["NatGateway"]["NatGatewayId"]
    ec2.create_route(RouteTableId=priv_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    inst = net.instance(private)
    return dict(vpc=vpc, public=public, private=private, igw=igw, pub_rt=pub_rt, priv_rt=priv_rt,
                nat=nat, inst=inst)


def test_nat_gateway_to_the_internet(endpoint, net):
    n = nat_setup(net)
    r = trace(endpoint, n["inst"]["InstanceId"], INTERNET, port=443)
    reachable(r)
    fwd = r["forward_path_components"]
    k = kinds(fwd)
    assert "nat-gateway" in k and "internet-gateway" in k, summary(r)
    assert k.index("nat-gateway") < k.index("internet-gateway"), summary(r)
    assert hops_of(fwd, "nat-gateway")[0]["component"]["id"] == n["nat"]
    assert hops_of(fwd, "internet-gateway")[0]["component"]["id"] == n["igw"]
    routes = [h["route_table_route"] for h in hops_of(fwd, "route-table")]
    assert [(x["route_table_id"], x["destination_cidr"], x["target"]) for x in routes] == [
        (n["priv_rt"], "0.0.0.0/0", n["nat"]), (n["pub_rt"], "0.0.0.0/0", n["igw"])], summary(r)
    assert routes[0]["target_field"] == "natGatewayId" and routes[1]["target_field"] == "gatewayId"


# --------------------------------------------------------------------------- blockers, one at a time


def two_subnets(net):
    vpc = net.vpc("10.0.0.0/16")
    return vpc, net.subnet(vpc, "10.0.1.0/24", AZ_A), net.subnet(vpc, "10.0.2.0/24", AZ_C)


def test_sg_without_any_rule(endpoint, net):
    vpc, sa, sc = two_subnets(net)
    empty = net.empty_sg(vpc, "locked")
    a, b = net.instance(sa), net.instance(sc, groups=[empty])
    r = trace(endpoint, a["InstanceId"], b["InstanceId"], port=22)
    [e] = blocked(r)
    # AWS: SG_HAS_NO_RULES, "This security group has no inbound or outbound rules."
    assert e["explanation_code"] == "SG_HAS_NO_RULES", summary(r)
    assert e["direction"] == "ingress" and e["on_return_path"] is False
    assert [g["id"] for g in e["security_groups"]] == [empty]
    assert e.get("fix"), e
    [hop] = [h for h in r["forward_path_components"] if h["blocked"]]
    assert hop["kind"] == "security-group" and hop["component"]["id"] == empty
    # The same group cannot send either.
    out = trace(endpoint, b["InstanceId"], a["InstanceId"], port=22)
    first = blocked(out)[0]
    assert (first["explanation_code"], first["direction"]) == ("SG_HAS_NO_RULES", "egress"), summary(out)


def test_sg_without_ingress_rules_is_a_mismatch(endpoint, net):
    vpc, sa, sc = two_subnets(net)
    # A new group: no inbound rule, the default outbound rule. It has rules, so AWS calls the
    # missing inbound one ENI_SG_RULES_MISMATCH, not SG_HAS_NO_RULES.
    outbound_only = net.sg(vpc, "outbound-only")
    ssh = net.sg(vpc, "ssh", tcp(22, "10.0.0.0/16"))
    a, b = net.instance(sa, groups=[ssh]), net.instance(sc, groups=[outbound_only])
    r = trace(endpoint, a["InstanceId"], b["InstanceId"], port=22)
    [e] = blocked(r)
    assert (e["explanation_code"], e["direction"], e["on_return_path"]) == (
        "ENI_SG_RULES_MISMATCH", "ingress", False), summary(r)
    assert [g["id"] for g in e["security_groups"]] == [outbound_only]
    # Outbound it passes.
    reachable(trace(endpoint, b["InstanceId"], a["InstanceId"], port=22))


def test_sg_rule_mismatch(endpoint, net):
    vpc, sa, sc = two_subnets(net)
    web = net.sg(vpc, "web", tcp(80))
    a, b = net.instance(sa), net.instance(sc, groups=[web])
    assert trace(endpoint, a["InstanceId"], b["InstanceId"], port=80)["network_path_found"] is True
    r = trace(endpoint, a["InstanceId"], b["InstanceId"], port=22)
    [e] = blocked(r)
    assert (e["explanation_code"], e["direction"], e["on_return_path"]) == (
        "ENI_SG_RULES_MISMATCH", "ingress", False), summary(r)
    assert [g["id"] for g in e["security_groups"]] == [web]
    # udp/80 is not tcp/80 either.
    ru = trace(endpoint, a["InstanceId"], b["InstanceId"], port=80, protocol="udp")
    assert ru["protocol"] == "udp"
    assert codes(ru) == ["ENI_SG_RULES_MISMATCH"], summary(ru)


def test_nacl_deny_names_the_rule(endpoint, net):
    vpc, sa, sc = two_subnets(net)
    acl = net.default_acl(vpc)
    net.ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=42, Protocol="6", RuleAction="deny",
                                     Egress=False, CidrBlock="10.0.1.0/24", PortRange={"From": 22, "To": 22})
    a, b = net.instance(sa), net.instance(sc)
    r = trace(endpoint, a["InstanceId"], b["InstanceId"], port=22)
    [e] = blocked(r)
    assert (e["explanation_code"], e["direction"], e["on_return_path"]) == (
        "SUBNET_ACL_RESTRICTION", "ingress", False), summary(r)
    rule = e["acl_rule"]
    assert (rule["acl_id"], rule["rule_number"], rule["egress"], rule["rule_action"], rule["cidr"],
            rule["protocol"], rule["port_range"]) == (acl, 42, False, "deny", "10.0.1.0/24", "6",
                                                      {"from": 22, "to": 22})
    [hop] = [h for h in r["forward_path_components"] if h["blocked"]]
    assert hop["kind"] == "network-acl" and hop["acl_rule"]["rule_number"] == 42
    # Another port is not matched by the deny: rule 100 allows it.
    ok = trace(endpoint, a["InstanceId"], b["InstanceId"], port=443)
    reachable(ok)
    # Inside one subnet the ACL is not evaluated at all.
    c = net.instance(sc)
    reachable(trace(endpoint, c["InstanceId"], b["InstanceId"], port=22))


def test_nacl_blocks_the_return_path(endpoint, net):
    vpc, sa, sc = two_subnets(net)
    ec2 = net.ec2
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6", RuleAction="allow", Egress=False,
                                 CidrBlock="0.0.0.0/0", PortRange={"From": 443, "To": 443})
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6", RuleAction="allow", Egress=True,
                                 CidrBlock="0.0.0.0/0", PortRange={"From": 80, "To": 80})
    [assoc] = [a for a in ec2.describe_network_acls(Filters=[f("association.subnet-id", sc)])["NetworkAcls"][0][
        "Associations"] if a["SubnetId"] == sc]
    ec2.replace_network_acl_association(AssociationId=assoc["NetworkAclAssociationId"], NetworkAclId=acl)
    sg = net.sg(vpc, "https", tcp(443))
    a, b = net.instance(sa), net.instance(sc, groups=[sg])
    r = trace(endpoint, a["InstanceId"], b["InstanceId"], port=443)
    [e] = blocked(r)
    assert (e["explanation_code"], e["direction"], e["on_return_path"]) == (
        "SUBNET_ACL_RESTRICTION", "egress", True), summary(r)
    # The reply to an ephemeral port matched no rule: the default deny (*, 32767) decided.
    assert e["acl_rule"]["acl_id"] == acl
    assert e["acl_rule"]["egress"] is True and e["acl_rule"]["rule_action"] == "deny"
    assert e["acl_rule"]["rule_number"] == 32767
    # The forward path got through (rule 100 inbound), the block is on the way back.
    assert not any(h["blocked"] for h in r["forward_path_components"]), summary(r)
    fwd_acl = [h for h in hops_of(r["forward_path_components"], "network-acl") if h["acl_rule"]["acl_id"] == acl]
    assert [(h["acl_rule"]["rule_number"], h["acl_rule"]["egress"]) for h in fwd_acl] == [(100, False)]
    [hop] = [h for h in r["return_path_components"] if h["blocked"]]
    assert hop["kind"] == "network-acl" and hop["component"]["id"] == acl
    # The usual fix: let replies out to the ephemeral ports.
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=110, Protocol="6", RuleAction="allow", Egress=True,
                                 CidrBlock="10.0.0.0/16", PortRange={"From": 1024, "To": 65535})
    fixed = trace(endpoint, a["InstanceId"], b["InstanceId"], port=443)
    reachable(fixed)
    [out] = [h for h in hops_of(fixed["return_path_components"], "network-acl") if h["acl_rule"]["acl_id"] == acl]
    assert (out["acl_rule"]["rule_number"], out["acl_rule"]["egress"], out["acl_rule"]["port_range"]) == (
        110, True, {"from": 1024, "to": 65535})


def peered_pair(net):
    va, vb = net.vpc("10.0.0.0/16"), net.vpc("10.1.0.0/16")
    sa, sb = net.subnet(va, "10.0.1.0/24"), net.subnet(vb, "10.1.1.0/24")
    pcx = net.peer(va, vb)
    sg_b = net.sg(vb, "from-a", tcp(22, "10.0.0.0/16"))
    return va, vb, pcx, net.instance(sa), net.instance(sb, groups=[sg_b])


def test_peering_without_routes_forward_and_return(endpoint, net):
    va, vb, pcx, a, b = peered_pair(net)
    r = trace(endpoint, a["InstanceId"], b["PrivateIpAddress"], port=22)
    ex = blocked(r)
    assert [(e["explanation_code"], e["on_return_path"]) for e in ex] == [
        ("NO_ROUTE_TO_DESTINATION", False), ("NO_ROUTE_TO_DESTINATION", True)], summary(r)
    assert ex[0]["component"]["id"] == net.main_table(va)
    assert ex[1]["component"]["id"] == net.main_table(vb)

    # With A's route only, the reply still has no way back.
    net.ec2.create_route(RouteTableId=net.main_table(va), DestinationCidrBlock="10.1.0.0/16",
                         VpcPeeringConnectionId=pcx)
    r = trace(endpoint, a["InstanceId"], b["PrivateIpAddress"], port=22)
    [e] = blocked(r)
    assert (e["explanation_code"], e["on_return_path"]) == ("NO_ROUTE_TO_DESTINATION", True), summary(r)
    assert not any(h["blocked"] for h in r["forward_path_components"]), summary(r)

    net.ec2.create_route(RouteTableId=net.main_table(vb), DestinationCidrBlock="10.0.0.0/16",
                         VpcPeeringConnectionId=pcx)
    reachable(trace(endpoint, a["InstanceId"], b["PrivateIpAddress"], port=22))


def test_blackhole_route_after_nat_gateway_deleted(endpoint, net):
    n = nat_setup(net)
    net.ec2.delete_nat_gateway(NatGatewayId=n["nat"])
    [rt] = net.ec2.describe_route_tables(RouteTableIds=[n["priv_rt"]])["RouteTables"]
    [default] = [x for x in rt["Routes"] if x.get("DestinationCidrBlock") == "0.0.0.0/0"]
    assert default["State"] == "blackhole"
    r = trace(endpoint, n["inst"]["InstanceId"], INTERNET, port=443)
    [e] = blocked(r)
    assert e["explanation_code"] == "BAD_STATE_ROUTE", summary(r)
    route = e["route_table_route"]
    assert (route["route_table_id"], route["destination_cidr"], route["target"], route["state"]) == (
        n["priv_rt"], "0.0.0.0/0", n["nat"], "blackhole")


def test_blackhole_route_after_igw_detached(endpoint, net):
    vpc = net.vpc("10.0.0.0/16")
    sub = net.subnet(vpc, "10.0.0.0/24")
    igw = net.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    net.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    rt = net.table_for(vpc, sub)
    net.ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    inst = net.instance(sub, public_ip=True)
    reachable(trace(endpoint, inst["InstanceId"], INTERNET, port=443))
    net.ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    r = trace(endpoint, inst["InstanceId"], INTERNET, port=443)
    [e] = blocked(r)
    assert e["explanation_code"] == "BAD_STATE_ROUTE", summary(r)
    assert (e["route_table_route"]["target"], e["route_table_route"]["state"]) == (igw, "blackhole")


def test_igw_egress_needs_a_public_ip(endpoint, net):
    vpc = net.vpc("10.0.0.0/16")
    sub = net.subnet(vpc, "10.0.0.0/24")
    igw = net.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    net.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    rt = net.table_for(vpc, sub)
    net.ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    inst = net.instance(sub)
    assert "PublicIpAddress" not in inst
    r = trace(endpoint, inst["InstanceId"], INTERNET, port=443)
    [e] = blocked(r)
    assert e["explanation_code"] == "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", summary(r)
    assert e["component"]["id"] == igw, e
    # With an Elastic IP on the instance the same path is open.
    alloc = net.ec2.allocate_address(Domain="vpc")["AllocationId"]
    net.ec2.associate_address(AllocationId=alloc, InstanceId=inst["InstanceId"])
    reachable(trace(endpoint, inst["InstanceId"], INTERNET, port=443))


def test_nat_subnet_acl_blocks_internet_replies(endpoint, net):
    n = nat_setup(net)
    ec2 = net.ec2
    # The public subnet lets the private subnet's packets in, but nothing from the internet:
    # the replies to the NAT gateway's ephemeral ports are dropped on the way back.
    acl = ec2.create_network_acl(VpcId=n["vpc"])["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6", RuleAction="allow", Egress=False,
                                 CidrBlock="10.0.0.0/16", PortRange={"From": 443, "To": 443})
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="-1", RuleAction="allow", Egress=True,
                                 CidrBlock="0.0.0.0/0")
    [assoc] = [a for a in ec2.describe_network_acls(Filters=[f("association.subnet-id", n["public"])])[
        "NetworkAcls"][0]["Associations"] if a["SubnetId"] == n["public"]]
    ec2.replace_network_acl_association(AssociationId=assoc["NetworkAclAssociationId"], NetworkAclId=acl)
    r = trace(endpoint, n["inst"]["InstanceId"], INTERNET, port=443)
    [e] = blocked(r)
    assert (e["explanation_code"], e["direction"], e["on_return_path"]) == (
        "SUBNET_ACL_RESTRICTION", "ingress", True), summary(r)
    assert (e["acl_rule"]["acl_id"], e["acl_rule"]["rule_number"], e["acl_rule"]["rule_action"]) == (
        acl, 32767, "deny")
    assert not any(h["blocked"] for h in r["forward_path_components"]), summary(r)
    # Forward, the packet entered the NAT's subnet by rule 100.
    [into_nat] = [h for h in hops_of(r["forward_path_components"], "network-acl") if h["acl_rule"]["acl_id"] == acl
                  and not h["acl_rule"]["egress"]]
    assert into_nat["acl_rule"]["rule_number"] == 100


def tgw_pair_without_propagation(net):
    ec2 = net.ec2
    va, vb = net.vpc("10.0.0.0/16"), net.vpc("10.1.0.0/16")
    sa, sb = net.subnet(va, "10.0.1.0/24"), net.subnet(vb, "10.1.1.0/24")
    tgw = ec2.create_transit_gateway(Options={"DefaultRouteTablePropagation": "disable"})["TransitGateway"][
        "TransitGatewayId"]
    atts = [ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[sub])[
        "TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"] for vpc, sub in ((va, sa), (vb, sb))]
    ec2.create_route(RouteTableId=net.main_table(va), DestinationCidrBlock="10.1.0.0/16", TransitGatewayId=tgw)
    ec2.create_route(RouteTableId=net.main_table(vb), DestinationCidrBlock="10.0.0.0/16", TransitGatewayId=tgw)
    [tgw_rtb] = ec2.describe_transit_gateway_route_tables(Filters=[f("transit-gateway-id", tgw)])[
        "TransitGatewayRouteTables"]
    sg_b = net.sg(vb, "from-a", tcp(443, "10.0.0.0/16"))
    return tgw_rtb["TransitGatewayRouteTableId"], atts, net.instance(sa), net.instance(sb, groups=[sg_b])


def test_transit_gateway_route_table_without_routes(endpoint, net):
    tgw_rtb, (att_a, att_b), a, b = tgw_pair_without_propagation(net)
    r = trace(endpoint, a["InstanceId"], b["PrivateIpAddress"], port=443)
    ex = blocked(r)
    # AWS: TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT, "This transit gateway route table has no route to
    # this transit gateway attachment."
    assert (ex[0]["explanation_code"], ex[0]["on_return_path"]) == (
        "TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT", False), summary(r)
    assert ex[0]["component"]["id"] == tgw_rtb
    [hop] = [h for h in r["forward_path_components"] if h["blocked"]]
    assert hop["kind"] == "transit-gateway-route-table" and hop["component"]["id"] == tgw_rtb

    # A static route towards B opens the way there; the reply still finds no route to A.
    net.ec2.create_transit_gateway_route(TransitGatewayRouteTableId=tgw_rtb, DestinationCidrBlock="10.1.0.0/16",
                                         TransitGatewayAttachmentId=att_b)
    r = trace(endpoint, a["InstanceId"], b["PrivateIpAddress"], port=443)
    [e] = blocked(r)
    assert (e["explanation_code"], e["on_return_path"]) == ("TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT", True), summary(r)
    assert not any(h["blocked"] for h in r["forward_path_components"])
    [fwd] = [h for h in r["forward_path_components"] if "transit_gateway_route_table_route" in h]
    assert (fwd["transit_gateway_route_table_route"]["route_origin"],
            fwd["transit_gateway_route_table_route"]["attachment_id"]) == ("static", att_b)

    net.ec2.create_transit_gateway_route(TransitGatewayRouteTableId=tgw_rtb, DestinationCidrBlock="10.0.0.0/16",
                                         TransitGatewayAttachmentId=att_a)
    reachable(trace(endpoint, a["InstanceId"], b["PrivateIpAddress"], port=443))


def test_transit_gateway_missing_routes_both_ways_are_listed(endpoint, net):
    tgw_rtb, _, a, b = tgw_pair_without_propagation(net)
    r = trace(endpoint, a["InstanceId"], b["PrivateIpAddress"], port=443)
    assert [(e["explanation_code"], e["on_return_path"]) for e in r["explanations"]] == [
        ("TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT", False), ("TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT", True)], summary(r)


def test_peering_route_outside_the_peer_cidr(endpoint, net):
    va, vb, pcx, a, b = peered_pair(net)
    net.ec2.create_route(RouteTableId=net.main_table(va), DestinationCidrBlock="0.0.0.0/0",
                         VpcPeeringConnectionId=pcx)
    r = trace(endpoint, a["InstanceId"], INTERNET, port=443)
    codes_found = [e["explanation_code"] for e in blocked(r)]
    # A peering connection carries only traffic to addresses in the peer VPC's CIDRs.
    assert codes_found[0] == "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR", summary(r)


def test_every_blocker_is_listed(endpoint, net):
    vpc, sa, sc = two_subnets(net)
    acl = net.default_acl(vpc)
    net.ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=10, Protocol="-1", RuleAction="deny",
                                     Egress=False, CidrBlock="10.0.1.0/24")
    empty = net.empty_sg(vpc, "locked")
    a, b = net.instance(sa), net.instance(sc, groups=[empty])
    r = trace(endpoint, a["InstanceId"], b["InstanceId"], port=22)
    ex = blocked(r)
    # In path order: the subnet's ACL, then the interface's group.
    assert [(e["explanation_code"], e.get("direction")) for e in ex] == [
        ("SUBNET_ACL_RESTRICTION", "ingress"), ("SG_HAS_NO_RULES", "ingress")], summary(r)
    assert ex[0]["acl_rule"]["rule_number"] == 10 and ex[0]["acl_rule"]["rule_action"] == "deny"
    assert [g["id"] for g in ex[1]["security_groups"]] == [empty]
    assert [h["kind"] for h in r["forward_path_components"] if h["blocked"]] == ["network-acl", "security-group"]


# --------------------------------------------------------------------------- endpoint policies


def test_gateway_endpoint_policy_checks_the_request(endpoint, net):
    vpc = net.vpc("10.0.0.0/16")
    sub = net.subnet(vpc, "10.0.1.0/24")
    rtb = net.table_for(vpc, sub)
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:PutObject"],
        "Resource": "arn:aws:s3:::reports/*"}]}
    ep = net.ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=S3, VpcEndpointType="Gateway", RouteTableIds=[rtb],
                                     PolicyDocument=json.dumps(policy))["VpcEndpoint"]["VpcEndpointId"]
    inst = net.instance(sub)
    put = trace(endpoint, inst["InstanceId"], ep, port=443, request="PUT s3://reports/test.txt")
    reachable(put)
    assert put["request"]["action"] == "s3:PutObject"
    assert put["request"]["resource"] == "arn:aws:s3:::reports/test.txt"
    assert "vpc-endpoint-policy" in kinds(put["forward_path_components"]), summary(put)

    listing = trace(endpoint, inst["InstanceId"], ep, port=443, request="LIST s3://reports")
    assert listing["request"]["action"] == "s3:ListBucket"
    [e] = blocked(listing)
    assert e["explanation_code"] == "LOCALVPC_ENDPOINT_POLICY_DENY", summary(listing)
    assert ep in json.dumps(e), e
    [hop] = [h for h in listing["forward_path_components"] if h["blocked"]]
    assert hop["kind"] == "vpc-endpoint-policy"

    # Outside the bucket the policy allows nothing either; without a request nothing is checked.
    assert codes(trace(endpoint, inst["InstanceId"], ep, port=443, request="GET s3://other/x")) == [
        "LOCALVPC_ENDPOINT_POLICY_DENY"]
    reachable(trace(endpoint, inst["InstanceId"], ep, port=443))


def test_protocol_as_a_json_number(endpoint, net):
    vpc = net.vpc("10.0.0.0/16")
    sub = net.subnet(vpc, "10.0.1.0/24")
    a, b = net.instance(sub), net.instance(sub)
    status, r = post_trace(endpoint, {"from": a["InstanceId"], "to": b["PrivateIpAddress"], "protocol": 17,
                                      "port": 53})
    assert status == 200, r
    assert (r["protocol"], r["port"], r["network_path_found"]) == ("udp", 53, True)


def test_dns_no_address_answer_has_the_whole_envelope(endpoint, net):
    vpc = net.vpc("10.0.0.0/16")
    inst = net.instance(net.subnet(vpc, "10.0.1.0/24"))
    r = trace(endpoint, inst["InstanceId"], "nothing.example.internal", request="GET s3://b/k")
    assert codes(r) == ["LOCALVPC_DNS_NO_ADDRESS"]
    assert (r.get("protocol"), r.get("port")) == ("tcp", 443), r
    assert r.get("request", {}).get("action") == "s3:GetObject", r


# --------------------------------------------------------------------------- the CLI


def run_cli(endpoint: str, *args: str) -> subprocess.CompletedProcess:
    if not resolve_binary().exists():
        pytest.skip(f"no localvpc binary at {resolve_binary()} to run `localvpc trace` with")
    return subprocess.run([str(resolve_binary()), "trace", "--endpoint", endpoint, *args],
                          capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)


def test_cli_exit_codes_and_output(endpoint, net):
    vpc, sa, sc = two_subnets(net)
    web = net.sg(vpc, "web", tcp(80))
    a, b = net.instance(sa), net.instance(sc, groups=[web])

    ok = run_cli(endpoint, "--from", a["InstanceId"], "--to", b["PrivateIpAddress"], "--port", "80")
    assert ok.returncode == 0, (ok.stdout, ok.stderr)
    assert ok.stdout.rstrip().splitlines()[-1] == "REACHABLE", ok.stdout
    assert b["PrivateIpAddress"] in ok.stdout and web in ok.stdout

    bad = run_cli(endpoint, "--from", a["InstanceId"], "--to", f"{b['PrivateIpAddress']}:22")
    assert bad.returncode == 2, (bad.stdout, bad.stderr)
    assert re.search(r"^NOT REACHABLE: 1 blocker", bad.stdout, re.M), bad.stdout
    assert re.search(r"^  ENI_SG_RULES_MISMATCH \(ingress\): ", bad.stdout, re.M), bad.stdout
    assert re.search(r"^    fix: ", bad.stdout, re.M), bad.stdout

    js = run_cli(endpoint, "--from", a["InstanceId"], "--to", b["InstanceId"], "--port", "22", "--json")
    assert js.returncode == 2, (js.stdout, js.stderr)
    doc = json.loads(js.stdout)
    assert doc["network_path_found"] is False and doc["port"] == 22
    assert [e["explanation_code"] for e in doc["explanations"]] == ["ENI_SG_RULES_MISMATCH"]

    err = run_cli(endpoint, "--from", MISSING_INSTANCE, "--to", b["PrivateIpAddress"], "--port", "22")
    assert err.returncode == 1, (err.stdout, err.stderr)
    assert MISSING_INSTANCE in err.stderr and err.stdout == ""


# --------------------------------------------------------------------------- bad input


def test_bad_requests(endpoint, net):
    vpc = net.vpc("10.0.0.0/16")
    sub = net.subnet(vpc, "10.0.1.0/24")
    inst, other = net.instance(sub), net.instance(sub)
    iid = inst["InstanceId"]
    cases = [
        (b"{not json", 400),
        (b"[]", 400),
        ({"from": iid}, 400),  # no destination
        ({"from": iid, "to": "10.0.1.9", "bogus": 1}, 400),
        ({"from": iid, "to": "10.0.1.9", "protocol": "tcpx"}, 400),
        ({"from": iid, "to": "10.0.1.9", "port": 70000}, 400),
        ({"from": iid, "to": "10.0.1.9", "request": "FETCH s3://b/k"}, 400),
        ({"from": iid, "to": "10.0.1.9", "request": "GET"}, 400),
        ({"from": iid, "to": "10.0.1.9", "request": "GET http://b/k"}, 400),
        ({"from": "web-server", "to": "10.0.1.9"}, 400),
        ({"from": "i-zz", "to": "10.0.1.9"}, 400),
        ({"from": MISSING_INSTANCE, "to": "10.0.1.9", "port": 22}, 404),
        ({"from": MISSING_INSTANCE, "to": SSM_NAME}, 404),
        ({"from": "eni-0123456789abcdef0", "to": "10.0.1.9", "port": 22}, 404),
        ({"from": iid, "to": "vpce-0123456789abcdef0", "port": 443}, 404),
        ({"from": iid, "to": "igw-0123456789abcdef0", "port": 443}, 404),
        ({"from": iid, "to": MISSING_INSTANCE, "port": 22}, 404),
    ]
    for body, want in cases:
        status, r = post_trace(endpoint, body)
        assert status == want, (body, status, r)
        assert isinstance(r.get("error"), str) and r["error"], (body, r)
    status, r = post_trace(endpoint, {"from": MISSING_INSTANCE, "to": "10.0.1.9"})
    assert MISSING_INSTANCE in r["error"]
    status, _ = http_call(endpoint + "/_localvpc/health")
    assert status == 200
    # ... and still answers.
    reachable(trace(endpoint, iid, other["PrivateIpAddress"], port=22))

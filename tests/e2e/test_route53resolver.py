"""Route 53 Resolver control plane (JSON 1.1, spec 7 and 10.3): endpoints and their
requester-managed interfaces, FORWARD/SYSTEM rules and VPC associations (one rule per domain
per VPC, the RSLVR-00804 loop refusal), the autodefined internet rule, resolver and DNSSEC
configs, query-logging configurations, tags, the JSON error envelope, a few `aws` CLI calls,
and durability across a restart."""

from __future__ import annotations

import json
import re
import signal

import pytest

from helpers import (
    MISSING_VPC_ID,
    expect_error,
    new_ec2_client,
    signed_request,
)
from resolver_helpers import new_resolver_client

R = "ap-northeast-1"
ACCOUNT = "000000000000"
INTERNET_RULE = "rslvr-autodefined-rr-internet-resolver"
ISO_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@pytest.fixture
def r53r(endpoint):
    return new_resolver_client(endpoint)


@pytest.fixture
def r53r_raw(endpoint):
    """Without botocore's client-side validation, so the server's own checks answer."""
    return new_resolver_client(endpoint, parameter_validation=False)


def network(ec2, cidr="10.20.0.0/16"):
    """A VPC with subnets .1/24 (1a) and .2/24 (1c) and a group admitting DNS."""
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    base = cidr.rsplit(".", 2)[0]
    sa = ec2.create_subnet(VpcId=vpc, CidrBlock=f"{base}.1.0/24", AvailabilityZone=f"{R}a")["Subnet"]["SubnetId"]
    sc = ec2.create_subnet(VpcId=vpc, CidrBlock=f"{base}.2.0/24", AvailabilityZone=f"{R}c")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="dns", Description="dns", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": p, "FromPort": 53, "ToPort": 53, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
        for p in ("tcp", "udp")])
    return vpc, sa, sc, sg


def create_endpoint(r53r, sg, ips, direction="INBOUND", request_id="req-1", **kw):
    return r53r.create_resolver_endpoint(
        CreatorRequestId=request_id, SecurityGroupIds=[sg], Direction=direction,
        IpAddresses=[{"SubnetId": s, **({"Ip": ip} if ip else {})} for s, ip in ips], **kw,
    )["ResolverEndpoint"]


def forward_rule(r53r, endpoint_id, domain="corp.example.internal", target="192.168.0.10", request_id="rule-1",
                 **kw):
    return r53r.create_resolver_rule(
        CreatorRequestId=request_id, RuleType="FORWARD", DomainName=domain,
        TargetIps=[{"Ip": target}], ResolverEndpointId=endpoint_id, **kw,
    )["ResolverRule"]


# ---------------------------------------------------------------------------
# Endpoints
# ---------------------------------------------------------------------------


def test_inbound_endpoint_lifecycle_and_interfaces(ec2, r53r):
    vpc, sa, sc, sg = network(ec2)
    ep = create_endpoint(r53r, sg, [(sa, "10.20.1.10"), (sc, None)], Name="inbound-1",
                         Tags=[{"Key": "Team", "Value": "dns"}])
    eid = ep["Id"]
    assert re.fullmatch(r"rslvr-in-[0-9a-f]{17}", eid), eid
    assert ep["Arn"] == f"arn:aws:route53resolver:{R}:{ACCOUNT}:resolver-endpoint/{eid}"
    assert (ep["Status"], ep["Direction"], ep["HostVPCId"], ep["IpAddressCount"], ep["Name"]) == \
        ("CREATING", "INBOUND", vpc, 2, "inbound-1")
    assert ep["SecurityGroupIds"] == [sg] and ep["CreatorRequestId"] == "req-1"
    assert ep["StatusMessage"].startswith("[Trace id: 1-") and ISO_MS.match(ep["CreationTime"])
    assert (ep["ResolverEndpointType"], ep["Protocols"]) == ("IPV4", ["Do53"])

    got = r53r.get_resolver_endpoint(ResolverEndpointId=eid)["ResolverEndpoint"]
    assert got["Status"] == "OPERATIONAL" and got["StatusMessage"] == "This Resolver Endpoint is operational."

    ips = r53r.list_resolver_endpoint_ip_addresses(ResolverEndpointId=eid)["IpAddresses"]
    assert [(i["SubnetId"], i["Ip"], i["Status"]) for i in ips] == \
        [(sa, "10.20.1.10", "ATTACHED"), (sc, "10.20.2.4", "ATTACHED")]
    assert all(re.fullmatch(r"rni-[0-9a-f]{17}", i["IpId"]) for i in ips)

    # One requester-managed interface per address, visible through EC2.
    enis = ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkInterfaces"]
    assert sorted((e["SubnetId"], e["PrivateIpAddress"], e["RequesterManaged"], e["Status"]) for e in enis) == \
        sorted([(sa, "10.20.1.10", True, "in-use"), (sc, "10.20.2.4", True, "in-use")])
    assert sorted(e["Description"] for e in enis) == sorted(f"Route 53 Resolver: {eid}:{i['IpId']}" for i in ips)
    assert all([g["GroupId"] for g in e["Groups"]] == [sg] for e in enis)
    expect_error(ec2.delete_subnet, SubnetId=sa, code="DependencyViolation")
    expect_error(ec2.delete_network_interface, NetworkInterfaceId=enis[0]["NetworkInterfaceId"],
                 code="OperationNotPermitted")

    # Update the name; add and remove an address.
    up = r53r.update_resolver_endpoint(ResolverEndpointId=eid, Name="renamed")["ResolverEndpoint"]
    assert up["Name"] == "renamed"
    added = r53r.associate_resolver_endpoint_ip_address(
        ResolverEndpointId=eid, IpAddress={"SubnetId": sc, "Ip": "10.20.2.50"})["ResolverEndpoint"]
    assert (added["IpAddressCount"], added["Status"]) == (3, "UPDATING")
    expect_error(r53r.associate_resolver_endpoint_ip_address, ResolverEndpointId=eid,
                 IpAddress={"SubnetId": sc, "Ip": "10.20.2.50"}, code="ResourceExistsException")
    first = ips[0]["IpId"]
    r53r.disassociate_resolver_endpoint_ip_address(ResolverEndpointId=eid, IpAddress={"IpId": first})
    now = r53r.list_resolver_endpoint_ip_addresses(ResolverEndpointId=eid)["IpAddresses"]
    assert sorted(i["Ip"] for i in now) == ["10.20.2.4", "10.20.2.50"]
    expect_error(r53r.disassociate_resolver_endpoint_ip_address, ResolverEndpointId=eid,
                 IpAddress={"IpId": now[0]["IpId"]}, code="InvalidRequestException")
    ec2.delete_subnet(SubnetId=sa)  # its interface went with the address

    deleted = r53r.delete_resolver_endpoint(ResolverEndpointId=eid)["ResolverEndpoint"]
    assert deleted["Status"] == "DELETING"
    assert ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkInterfaces"] == []
    err = expect_error(r53r.get_resolver_endpoint, ResolverEndpointId=eid, code="ResourceNotFoundException")
    assert eid in err["Error"]["Message"]
    expect_error(r53r.delete_resolver_endpoint, ResolverEndpointId=eid, code="ResourceNotFoundException")


def test_endpoint_refusals(ec2, r53r, r53r_raw):
    vpc, sa, sc, sg = network(ec2)
    other_vpc, oa, _, other_sg = network(ec2, "10.30.0.0/16")
    cases = [
        ([(sa, None)], "ValidationException"),                          # fewer than two addresses
        ([(sa, None), (oa, None)], "InvalidRequestException"),           # two VPCs
        ([(sa, "10.20.2.9"), (sc, None)], "InvalidRequestException"),    # outside the subnet
        ([(sa, "10.20.1.2"), (sc, None)], "InvalidRequestException"),    # reserved
        ([(sa, "10.20.1.9"), (sa, "10.20.1.9")], "ResourceExistsException"),
        ([("subnet-0123456789abcdef0", None), (sc, None)], "InvalidParameterException"),
        ([(sa, "300.1.1.1"), (sc, None)], "InvalidParameterException"),
    ]
    for ips, code in cases:
        err = expect_error(create_endpoint, r53r_raw, sg, ips, code=code)
        assert err["Error"]["Message"], ips
    expect_error(create_endpoint, r53r_raw, "sg-0123456789abcdef0", [(sa, None), (sc, None)],
                 code="ResourceNotFoundException")
    expect_error(create_endpoint, r53r_raw, other_sg, [(sa, None), (sc, None)], code="InvalidRequestException")
    expect_error(create_endpoint, r53r_raw, sg, [(sa, None), (sc, None)], direction="SIDEWAYS",
                 code="ValidationException")
    # Nothing was left behind by the refusals.
    assert ec2.describe_network_interfaces()["NetworkInterfaces"] == []
    assert r53r.list_resolver_endpoints()["ResolverEndpoints"] == []

    # An address another interface holds.
    ep = create_endpoint(r53r, sg, [(sa, "10.20.1.20"), (sc, None)], direction="OUTBOUND")
    assert ep["Id"].startswith("rslvr-out-")
    expect_error(create_endpoint, r53r, sg, [(sa, "10.20.1.20"), (sc, None)], request_id="req-2",
                 code="ResourceExistsException")
    # CreatorRequestId: a retry answers the same endpoint; other parameters are refused.
    again = create_endpoint(r53r, sg, [(sa, "10.20.1.20"), (sc, None)], direction="OUTBOUND")
    assert again["Id"] == ep["Id"]
    expect_error(create_endpoint, r53r, sg, [(sa, None), (sc, None)], direction="INBOUND",
                 code="ResourceExistsException")
    # Quota: four endpoints per Region.
    for n in range(3):
        create_endpoint(r53r, sg, [(sa, None), (sc, None)], request_id=f"q-{n}")
    expect_error(create_endpoint, r53r, sg, [(sa, None), (sc, None)], request_id="q-9",
                 code="LimitExceededException")
    expect_error(r53r.get_resolver_endpoint, ResolverEndpointId="rslvr-in-0123456789abcdef0",
                 code="ResourceNotFoundException")
    expect_error(r53r.get_resolver_endpoint, ResolverEndpointId="nonsense", code="ResourceNotFoundException")


def test_list_endpoints_filters_and_pages(ec2, r53r, r53r_raw):
    vpc, sa, sc, sg = network(ec2)
    made = [create_endpoint(r53r, sg, [(sa, None), (sc, None)], request_id=f"r{n}",
                            direction="INBOUND" if n < 3 else "OUTBOUND", Name=f"ep{n}")["Id"]
            for n in range(4)]
    page1 = r53r.list_resolver_endpoints(MaxResults=3)
    assert page1["MaxResults"] == 3 and len(page1["ResolverEndpoints"]) == 3 and page1["NextToken"]
    page2 = r53r.list_resolver_endpoints(MaxResults=3, NextToken=page1["NextToken"])
    assert "NextToken" not in page2
    assert sorted(e["Id"] for e in page1["ResolverEndpoints"] + page2["ResolverEndpoints"]) == sorted(made)
    paginator = r53r.get_paginator("list_resolver_endpoints")
    assert sum(len(p["ResolverEndpoints"]) for p in paginator.paginate(PaginationConfig={"PageSize": 1})) == 4
    out = r53r.list_resolver_endpoints(Filters=[{"Name": "Direction", "Values": ["OUTBOUND"]}])
    assert [e["Id"] for e in out["ResolverEndpoints"]] == [made[3]]
    old_style = r53r.list_resolver_endpoints(Filters=[{"Name": "HOST_VPC_ID", "Values": [vpc]},
                                                     {"Name": "NAME", "Values": ["ep1", "ep2"]}])
    assert sorted(e["Id"] for e in old_style["ResolverEndpoints"]) == sorted(made[1:3])
    by_sg = r53r.list_resolver_endpoints(Filters=[{"Name": "SecurityGroupIds", "Values": [sg]}])
    assert len(by_sg["ResolverEndpoints"]) == 4
    expect_error(r53r.list_resolver_endpoints, Filters=[{"Name": "Colour", "Values": ["x"]}],
                 code="InvalidParameterException")
    expect_error(r53r.list_resolver_endpoints, NextToken="garbage", code="InvalidNextTokenException")
    expect_error(r53r_raw.list_resolver_endpoints, MaxResults=0, code="ValidationException")


# ---------------------------------------------------------------------------
# Rules and associations
# ---------------------------------------------------------------------------


def test_forward_rule_association_lifecycle(ec2, r53r):
    vpc, sa, sc, sg = network(ec2)
    out_ep = create_endpoint(r53r, sg, [(sa, None), (sc, None)], direction="OUTBOUND")["Id"]
    rule = forward_rule(r53r, out_ep, domain="Corp.Example.Internal", Name="corp",
                        Tags=[{"Key": "Env", "Value": "test"}])
    rid = rule["Id"]
    assert re.fullmatch(r"rslvr-rr-[0-9a-f]{17}", rid)
    assert (rule["DomainName"], rule["RuleType"], rule["Status"], rule["ResolverEndpointId"]) == \
        ("corp.example.internal.", "FORWARD", "COMPLETE", out_ep)
    assert rule["TargetIps"] == [{"Ip": "192.168.0.10", "Port": 53, "Protocol": "Do53"}]
    assert (rule["OwnerId"], rule["ShareStatus"]) == (ACCOUNT, "NOT_SHARED")
    assert rule["Arn"] == f"arn:aws:route53resolver:{R}:{ACCOUNT}:resolver-rule/{rid}"
    assert r53r.get_resolver_rule(ResolverRuleId=rid)["ResolverRule"]["DomainName"] == "corp.example.internal."

    rules = r53r.list_resolver_rules()["ResolverRules"]
    assert [r["Id"] for r in rules] == [INTERNET_RULE, rid]
    internet = rules[0]
    assert (internet["DomainName"], internet["RuleType"], internet["Name"], internet["OwnerId"]) == \
        (".", "RECURSIVE", "Internet Resolver", "Route 53 Resolver")
    assert internet["Arn"] == f"arn:aws:route53resolver:{R}::autodefined-rule/{INTERNET_RULE}"
    assert r53r.get_resolver_rule(ResolverRuleId=INTERNET_RULE)["ResolverRule"]["RuleType"] == "RECURSIVE"
    fwd = r53r.list_resolver_rules(Filters=[{"Name": "TYPE", "Values": ["FORWARD"]}])["ResolverRules"]
    assert [r["Id"] for r in fwd] == [rid]
    by_domain = r53r.list_resolver_rules(Filters=[{"Name": "DomainName", "Values": ["corp.example.internal."]}])
    assert [r["Id"] for r in by_domain["ResolverRules"]] == [rid]

    assoc = r53r.associate_resolver_rule(ResolverRuleId=rid, VPCId=vpc, Name="corp-assoc")["ResolverRuleAssociation"]
    aid = assoc["Id"]
    assert re.fullmatch(r"rslvr-rrassoc-[0-9a-f]{17}", aid)
    assert (assoc["Status"], assoc["VPCId"], assoc["ResolverRuleId"], assoc["Name"]) == \
        ("CREATING", vpc, rid, "corp-assoc")
    got = r53r.get_resolver_rule_association(ResolverRuleAssociationId=aid)["ResolverRuleAssociation"]
    assert got["Status"] == "COMPLETE"
    listed = r53r.list_resolver_rule_associations(Filters=[{"Name": "VPCId", "Values": [vpc]}])
    by_rule = {a["ResolverRuleId"]: a for a in listed["ResolverRuleAssociations"]}
    assert set(by_rule) == {rid, INTERNET_RULE}
    assert by_rule[INTERNET_RULE]["Id"] == f"rslvr-autodefined-assoc-{vpc}-internet-resolver"

    # One association per rule and VPC; one rule per domain per VPC.
    expect_error(r53r.associate_resolver_rule, ResolverRuleId=rid, VPCId=vpc, code="ResourceExistsException")
    twin = forward_rule(r53r, out_ep, domain="corp.example.internal.", target="192.168.0.11", request_id="rule-2")
    err = expect_error(r53r.associate_resolver_rule, ResolverRuleId=twin["Id"], VPCId=vpc,
                       code="InvalidRequestException")
    assert "same domain name" in err["Error"]["Message"]
    expect_error(r53r.associate_resolver_rule, ResolverRuleId=rid, VPCId=MISSING_VPC_ID,
                 code="InvalidParameterException")
    expect_error(r53r.associate_resolver_rule, ResolverRuleId="rslvr-rr-0123456789abcdef0", VPCId=vpc,
                 code="ResourceNotFoundException")

    # In use: the rule by its association, the endpoint by its rules.
    expect_error(r53r.delete_resolver_rule, ResolverRuleId=rid, code="ResourceInUseException")
    expect_error(r53r.delete_resolver_endpoint, ResolverEndpointId=out_ep, code="InvalidRequestException")
    expect_error(r53r.delete_resolver_rule, ResolverRuleId=INTERNET_RULE, code="InvalidRequestException")

    # Update the targets and the name.
    upd = r53r.update_resolver_rule(ResolverRuleId=rid, Config={
        "Name": "corp2", "TargetIps": [{"Ip": "192.168.0.10"}, {"Ip": "192.168.0.20", "Port": 5353}]})["ResolverRule"]
    assert upd["Name"] == "corp2" and [(t["Ip"], t["Port"]) for t in upd["TargetIps"]] == \
        [("192.168.0.10", 53), ("192.168.0.20", 5353)]

    dis = r53r.disassociate_resolver_rule(ResolverRuleId=rid, VPCId=vpc)["ResolverRuleAssociation"]
    assert (dis["Id"], dis["Status"]) == (aid, "DELETING")
    expect_error(r53r.get_resolver_rule_association, ResolverRuleAssociationId=aid, code="ResourceNotFoundException")
    expect_error(r53r.disassociate_resolver_rule, ResolverRuleId=rid, VPCId=vpc, code="ResourceNotFoundException")
    assert r53r.delete_resolver_rule(ResolverRuleId=rid)["ResolverRule"]["Status"] == "DELETING"
    r53r.delete_resolver_rule(ResolverRuleId=twin["Id"])
    expect_error(r53r.get_resolver_rule, ResolverRuleId=rid, code="ResourceNotFoundException")
    r53r.delete_resolver_endpoint(ResolverEndpointId=out_ep)
    assert ec2.describe_network_interfaces()["NetworkInterfaces"] == []


def test_rule_targeting_the_vpcs_own_inbound_endpoint_is_refused(ec2, r53r):
    vpc, sa, sc, sg = network(ec2)
    other_vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    create_endpoint(r53r, sg, [(sa, "10.20.1.53"), (sc, "10.20.2.53")], request_id="in")
    out_ep = create_endpoint(r53r, sg, [(sa, None), (sc, None)], direction="OUTBOUND", request_id="out")["Id"]
    looping = forward_rule(r53r, out_ep, domain="onprem.example", target="10.20.2.53")
    err = expect_error(r53r.associate_resolver_rule, ResolverRuleId=looping["Id"], VPCId=vpc,
                       code="InvalidRequestException")
    assert "RSLVR-00804" in err["Error"]["Message"]
    # The same rule is fine in a VPC that does not host that inbound endpoint.
    r53r.associate_resolver_rule(ResolverRuleId=looping["Id"], VPCId=other_vpc)
    # And a rule already associated cannot be pointed at the inbound endpoint later.
    ok = forward_rule(r53r, out_ep, domain="dc.example", target="192.168.0.10", request_id="rule-ok")
    r53r.associate_resolver_rule(ResolverRuleId=ok["Id"], VPCId=vpc)
    expect_error(r53r.update_resolver_rule, ResolverRuleId=ok["Id"], Config={"TargetIps": [{"Ip": "10.20.1.53"}]},
                 code="InvalidRequestException")


def test_system_rules_and_rule_refusals(ec2, r53r, r53r_raw):
    vpc, sa, sc, sg = network(ec2)
    in_ep = create_endpoint(r53r, sg, [(sa, None), (sc, None)], request_id="in")["Id"]
    system = r53r.create_resolver_rule(CreatorRequestId="sys", RuleType="SYSTEM",
                                       DomainName="acme.example.com")["ResolverRule"]
    assert (system["DomainName"], system["RuleType"]) == ("acme.example.com.", "SYSTEM")
    assert "TargetIps" not in system and "ResolverEndpointId" not in system
    # Idempotent retry.
    again = r53r.create_resolver_rule(CreatorRequestId="sys", RuleType="SYSTEM",
                                      DomainName="acme.example.com")["ResolverRule"]
    assert again["Id"] == system["Id"]
    expect_error(r53r.create_resolver_rule, CreatorRequestId="sys", RuleType="SYSTEM", DomainName="other.example",
                 code="ResourceExistsException")
    expect_error(r53r.create_resolver_rule, CreatorRequestId="s2", RuleType="SYSTEM", DomainName="x.example",
                 TargetIps=[{"Ip": "192.168.0.1"}], code="InvalidRequestException")
    expect_error(forward_rule, r53r, in_ep, request_id="f1", code="InvalidRequestException")  # inbound endpoint
    expect_error(r53r.create_resolver_rule, CreatorRequestId="f2", RuleType="FORWARD", DomainName="x.example",
                 TargetIps=[{"Ip": "192.168.0.1"}], code="InvalidRequestException")       # no endpoint
    expect_error(forward_rule, r53r, "rslvr-out-0123456789abcdef0", request_id="f3", code="ResourceNotFoundException")
    expect_error(r53r.create_resolver_rule, CreatorRequestId="f4", RuleType="SYSTEM", DomainName="a..b",
                 code="InvalidParameterException")
    expect_error(r53r.create_resolver_rule, CreatorRequestId="f5", RuleType="RECURSIVE", DomainName="x.example",
                 code="InvalidRequestException")
    expect_error(r53r_raw.create_resolver_rule, CreatorRequestId="f6", RuleType="BOGUS", DomainName="x.example",
                 code="ValidationException")
    expect_error(r53r_raw.create_resolver_rule, RuleType="SYSTEM", DomainName="x.example",
                 code="ValidationException")
    expect_error(r53r_raw.create_resolver_rule, CreatorRequestId="f7", RuleType="SYSTEM", DomainName="x.example",
                 Name="0123", code="ValidationException")
    expect_error(r53r.update_resolver_rule, ResolverRuleId=system["Id"], Config={"TargetIps": [{"Ip": "10.0.0.1"}]},
                 code="InvalidRequestException")
    # Pagination of rules (the autodefined rule counts).
    for n in range(3):
        r53r.create_resolver_rule(CreatorRequestId=f"p{n}", RuleType="SYSTEM", DomainName=f"p{n}.example")
    p1 = r53r.list_resolver_rules(MaxResults=2)
    p2 = r53r.list_resolver_rules(MaxResults=2, NextToken=p1["NextToken"])
    p3 = r53r.list_resolver_rules(MaxResults=2, NextToken=p2["NextToken"])
    assert [len(p["ResolverRules"]) for p in (p1, p2, p3)] == [2, 2, 1] and "NextToken" not in p3


def test_rule_keeps_its_status_message(ec2, r53r):
    vpc, sa, sc, sg = network(ec2, "10.25.0.0/16")
    out_ep = create_endpoint(r53r, sg, [(sa, None), (sc, None)], direction="OUTBOUND", request_id="sm")["Id"]
    made = forward_rule(r53r, out_ep, domain="status.example", request_id="sm-rule")
    rid = made["Id"]
    assert re.fullmatch(r"\[Trace id: 1-[0-9a-f]{8}-[0-9a-f]{24}\] Successfully created Resolver Rule",
                        made["StatusMessage"]), made["StatusMessage"]
    assert r53r.get_resolver_rule(ResolverRuleId=rid)["ResolverRule"]["StatusMessage"] == made["StatusMessage"]
    listed = {r["Id"]: r for r in r53r.list_resolver_rules()["ResolverRules"]}
    assert listed[rid]["StatusMessage"] == made["StatusMessage"] and listed[INTERNET_RULE]["StatusMessage"] == ""
    updated = r53r.update_resolver_rule(ResolverRuleId=rid, Config={"Name": "renamed"})["ResolverRule"]
    assert updated["StatusMessage"].endswith("] Successfully updated Resolver Rule")
    assert r53r.get_resolver_rule(ResolverRuleId=rid)["ResolverRule"]["StatusMessage"] == updated["StatusMessage"]
    r53r.delete_resolver_rule(ResolverRuleId=rid)
    r53r.delete_resolver_endpoint(ResolverEndpointId=out_ep)


def test_filter_names_match_exactly(ec2, r53r):
    vpc, sa, sc, sg = network(ec2, "10.26.0.0/16")
    ep = create_endpoint(r53r, sg, [(sa, None), (sc, None)], request_id="filters")["Id"]
    for name in ("Direction", "DIRECTION"):
        out = r53r.list_resolver_endpoints(Filters=[{"Name": name, "Values": ["INBOUND"]}])
        assert [e["Id"] for e in out["ResolverEndpoints"]] == [ep], name
    for name in ("direction", "Host_VPC_Id", "hostvpcid", "HostVpcId"):
        err = expect_error(r53r.list_resolver_endpoints, Filters=[{"Name": name, "Values": ["x"]}],
                           code="InvalidParameterException")
        assert name in err["Error"]["Message"]
    assert [r["Id"] for r in r53r.list_resolver_rules(Filters=[{"Name": "Type", "Values": ["RECURSIVE"]}])[
        "ResolverRules"]] == [INTERNET_RULE]
    expect_error(r53r.list_resolver_rules, Filters=[{"Name": "RuleType", "Values": ["FORWARD"]}],
                 code="InvalidParameterException")
    expect_error(r53r.list_resolver_query_log_configs, SortBy="name", code="InvalidParameterException")
    r53r.delete_resolver_endpoint(ResolverEndpointId=ep)


PATTERN = r"(?!^[0-9]+$)([a-zA-Z0-9\-_' ']+)"


def validation_message(fn, **kwargs) -> str:
    err = expect_error(fn, code="ValidationException", status=400, **kwargs)
    return err["Error"]["Message"]


def test_validation_exceptions(ec2, r53r_raw):
    """Members are checked against the model's constraints before anything else, every
    violation in one ValidationException, in member order."""
    vpc, sa, sc, sg = network(ec2, "10.27.0.0/16")
    msg = validation_message(
        r53r_raw.create_resolver_endpoint, CreatorRequestId="r" * 256, Name="0123", SecurityGroupIds=[sg],
        Direction="SIDEWAYS", IpAddresses=[{"SubnetId": sa}])
    assert msg == (
        f"4 validation errors detected: Value '{'r' * 256}' at 'creatorRequestId' failed to satisfy constraint: "
        "Member must have length less than or equal to 255; "
        f"Value '0123' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: "
        f"{PATTERN}; "
        "Value 'SIDEWAYS' at 'direction' failed to satisfy constraint: Member must satisfy enum value set: "
        "[INBOUND, OUTBOUND, INBOUND_DELEGATION]; "
        f"Value '[{{SubnetId: {sa}}}]' at 'ipAddresses' failed to satisfy constraint: "
        "Member must have length greater than or equal to 2")
    # Nothing was made, and no other check ran first.
    assert r53r_raw.list_resolver_endpoints()["ResolverEndpoints"] == []
    assert validation_message(r53r_raw.get_resolver_rule, ResolverRuleId="x" * 65) == (
        f"1 validation error detected: Value '{'x' * 65}' at 'resolverRuleId' failed to satisfy constraint: "
        "Member must have length less than or equal to 64")
    assert validation_message(r53r_raw.create_resolver_rule, RuleType="SYSTEM", DomainName="x.example") == (
        "1 validation error detected: Value null at 'creatorRequestId' failed to satisfy constraint: "
        "Member must not be null")
    assert validation_message(r53r_raw.list_resolver_rules, MaxResults=0) == (
        "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1")
    assert validation_message(r53r_raw.list_resolver_configs, MaxResults=3) == (
        "1 validation error detected: Value '3' at 'maxResults' failed to satisfy constraint: "
        "Member must have value greater than or equal to 5")
    assert validation_message(r53r_raw.disassociate_resolver_rule, ResolverRuleId="rslvr-rr-1") == (
        "1 validation error detected: Value null at 'vPCId' failed to satisfy constraint: Member must not be null")
    assert validation_message(
        r53r_raw.update_resolver_rule, ResolverRuleId="rslvr-rr-1",
        Config={"Name": "", "TargetIps": [{"Ip": "192.0.2.1", "Port": 70000, "Protocol": "DoT"}]}) == (
        "3 validation errors detected: "
        f"Value '' at 'config.name' failed to satisfy constraint: Member must satisfy regular expression pattern: "
        f"{PATTERN}; "
        "Value '70000' at 'config.targetIps.1.member.port' failed to satisfy constraint: "
        "Member must have value less than or equal to 65535; "
        "Value 'DoT' at 'config.targetIps.1.member.protocol' failed to satisfy constraint: "
        "Member must satisfy enum value set: [DoH, Do53, DoH-FIPS]")
    assert validation_message(
        r53r_raw.tag_resource, ResourceArn="arn:aws:route53resolver:x",
        Tags=[{"Key": "", "Value": "v"}, {"Key": "k", "Value": "v" * 257}]) == (
        "2 validation errors detected: "
        "Value '' at 'tags.1.member.key' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; "
        f"Value '{'v' * 257}' at 'tags.2.member.value' failed to satisfy constraint: "
        "Member must have length less than or equal to 256")
    assert validation_message(r53r_raw.untag_resource, ResourceArn="arn", TagKeys=["ok", ""]) == (
        "1 validation error detected: Value '[ok, ]' at 'tagKeys' failed to satisfy constraint: "
        "Member must satisfy constraint: [Member must have length less than or equal to 128, "
        "Member must have length greater than or equal to 1]")
    assert validation_message(
        r53r_raw.list_resolver_endpoints, Filters=[{"Name": "", "Values": ["INBOUND"]}]) == (
        "1 validation error detected: Value '' at 'filters.1.member.name' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1")
    # A name with an apostrophe satisfies the pattern and is kept.
    rule = r53r_raw.create_resolver_rule(CreatorRequestId="apos", RuleType="SYSTEM", DomainName="apos.example",
                                         Name="Bob's rule")["ResolverRule"]
    assert rule["Name"] == "Bob's rule"
    r53r_raw.delete_resolver_rule(ResolverRuleId=rule["Id"])


# ---------------------------------------------------------------------------
# Configs, query logging, tags
# ---------------------------------------------------------------------------


def test_resolver_and_dnssec_configs(ec2, r53r):
    vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    cfg = r53r.get_resolver_config(ResourceId=vpc)["ResolverConfig"]
    assert (cfg["ResourceId"], cfg["OwnerId"], cfg["AutodefinedReverse"]) == (vpc, ACCOUNT, "ENABLED")
    assert re.fullmatch(r"rslvr-rc-[0-9a-f]{17}", cfg["Id"])
    upd = r53r.update_resolver_config(ResourceId=vpc, AutodefinedReverseFlag="DISABLE")["ResolverConfig"]
    assert (upd["Id"], upd["AutodefinedReverse"]) == (cfg["Id"], "DISABLING")
    assert r53r.get_resolver_config(ResourceId=vpc)["ResolverConfig"]["AutodefinedReverse"] == "DISABLED"
    listed = {c["ResourceId"]: c for c in r53r.list_resolver_configs()["ResolverConfigs"]}
    assert listed[vpc]["AutodefinedReverse"] == "DISABLED" and len(listed) == 2  # and the default VPC
    expect_error(r53r.get_resolver_config, ResourceId=MISSING_VPC_ID, code="ResourceNotFoundException")

    d = r53r.get_resolver_dnssec_config(ResourceId=vpc)["ResolverDNSSECConfig"]
    assert (d["ResourceId"], d["ValidationStatus"]) == (vpc, "DISABLED") and d["Id"].startswith("rdsc-")
    assert r53r.update_resolver_dnssec_config(ResourceId=vpc, Validation="ENABLE")["ResolverDNSSECConfig"][
        "ValidationStatus"] == "ENABLING"
    assert r53r.get_resolver_dnssec_config(ResourceId=vpc)["ResolverDNSSECConfig"]["ValidationStatus"] == "ENABLED"
    en = r53r.list_resolver_dnssec_configs(Filters=[{"Name": "ValidationStatus", "Values": ["ENABLED"]}])
    assert [c["ResourceId"] for c in en["ResolverDnssecConfigs"]] == [vpc]
    expect_error(r53r.update_resolver_dnssec_config, ResourceId=MISSING_VPC_ID, Validation="ENABLE",
                 code="ResourceNotFoundException")


def test_query_log_configs(ec2, r53r):
    vpc = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    dest = f"arn:aws:logs:{R}:{ACCOUNT}:log-group:/resolver/queries"
    q = r53r.create_resolver_query_log_config(Name="queries", DestinationArn=dest, CreatorRequestId="q1",
                                              Tags=[{"Key": "k", "Value": "v"}])["ResolverQueryLogConfig"]
    qid = q["Id"]
    assert re.fullmatch(r"rqlc-[0-9a-f]{17}", qid) and q["Status"] == "CREATING"
    assert q["Arn"] == f"arn:aws:route53resolver:{R}:{ACCOUNT}:resolver-query-log-config/{qid}"
    got = r53r.get_resolver_query_log_config(ResolverQueryLogConfigId=qid)["ResolverQueryLogConfig"]
    assert (got["Status"], got["AssociationCount"], got["DestinationArn"]) == ("CREATED", 0, dest)
    expect_error(r53r.create_resolver_query_log_config, Name="bad", DestinationArn="nope", CreatorRequestId="q2",
                 code="InvalidParameterException")

    a = r53r.associate_resolver_query_log_config(ResolverQueryLogConfigId=qid, ResourceId=vpc)[
        "ResolverQueryLogConfigAssociation"]
    assert (a["Status"], a["ResourceId"]) == ("CREATING", vpc) and a["Id"].startswith("rqlca-")
    expect_error(r53r.associate_resolver_query_log_config, ResolverQueryLogConfigId=qid, ResourceId=vpc,
                 code="ResourceExistsException")
    ga = r53r.get_resolver_query_log_config_association(ResolverQueryLogConfigAssociationId=a["Id"])
    assert ga["ResolverQueryLogConfigAssociation"]["Status"] == "ACTIVE"
    la = r53r.list_resolver_query_log_config_associations(
        Filters=[{"Name": "ResourceId", "Values": [vpc]}])
    assert (la["TotalCount"], la["TotalFilteredCount"]) == (1, 1)
    lc = r53r.list_resolver_query_log_configs(Filters=[{"Name": "Destination", "Values": ["CloudWatchLogs"]}],
                                              SortBy="Name", SortOrder="DESCENDING")
    assert [c["Id"] for c in lc["ResolverQueryLogConfigs"]] == [qid] and lc["TotalCount"] == 1
    assert lc["ResolverQueryLogConfigs"][0]["AssociationCount"] == 1
    expect_error(r53r.delete_resolver_query_log_config, ResolverQueryLogConfigId=qid, code="InvalidRequestException")
    d = r53r.disassociate_resolver_query_log_config(ResolverQueryLogConfigId=qid, ResourceId=vpc)
    assert d["ResolverQueryLogConfigAssociation"]["Status"] == "DELETING"
    assert r53r.delete_resolver_query_log_config(ResolverQueryLogConfigId=qid)["ResolverQueryLogConfig"][
        "Status"] == "DELETING"
    expect_error(r53r.get_resolver_query_log_config, ResolverQueryLogConfigId=qid, code="ResourceNotFoundException")


def test_tags(ec2, r53r):
    vpc, sa, sc, sg = network(ec2)
    ep = create_endpoint(r53r, sg, [(sa, None), (sc, None)], Tags=[{"Key": "a", "Value": "1"}])
    arn = ep["Arn"]
    assert r53r.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "a", "Value": "1"}]
    r53r.tag_resource(ResourceArn=arn, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "x"}])
    assert r53r.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "a", "Value": "x"},
                                                                    {"Key": "b", "Value": "2"}]
    page = r53r.list_tags_for_resource(ResourceArn=arn, MaxResults=1)
    assert len(page["Tags"]) == 1 and page["NextToken"]
    r53r.untag_resource(ResourceArn=arn, TagKeys=["a", "missing"])
    assert r53r.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    expect_error(r53r.tag_resource, ResourceArn=arn, Tags=[{"Key": "aws:x", "Value": "1"}], code="InvalidTagException")
    missing = arn.rsplit("/", 1)[0] + "/rslvr-in-0123456789abcdef0"
    expect_error(r53r.list_tags_for_resource, ResourceArn=missing, code="ResourceNotFoundException")
    expect_error(r53r.tag_resource, ResourceArn="arn:aws:ec2:x", Tags=[{"Key": "k", "Value": "v"}],
                 code="InvalidParameterException")
    # Another account does not see the endpoint.
    other = new_resolver_client(r53r.meta.endpoint_url, access_key="AKIAALPHAEXAMPLE0001")
    expect_error(other.list_tags_for_resource, ResourceArn=arn, code="ResourceNotFoundException")
    expect_error(other.get_resolver_endpoint, ResolverEndpointId=ep["Id"], code="ResourceNotFoundException")


# ---------------------------------------------------------------------------
# Wire protocol, CLI, durability
# ---------------------------------------------------------------------------


def raw(endpoint, target: str, body: bytes):
    return signed_request(endpoint, body=body, service="route53resolver",
                          headers={"Content-Type": "application/x-amz-json-1.1",
                                   "X-Amz-Target": f"Route53Resolver.{target}"})


def test_json_errors_for_bad_input(endpoint):
    for target, body, code in [
        ("GetResolverEndpoint", b"{not json", "SerializationException"),
        ("ListResolverEndpoints", b'{"MaxResults": "ten"}', "SerializationException"),
        ("CreateResolverEndpoint", b'{"IpAddresses": {"SubnetId": 1}}', "SerializationException"),
        ("GetResolverEndpoint", b"{}", "ValidationException"),
        ("GetResolverRule", b'{"ResolverRuleId": "rslvr-rr-0123456789abcdef0"}', "ResourceNotFoundException"),
        ("FlyToTheMoon", b"{}", "UnknownOperationException"),
    ]:
        resp = raw(endpoint, target, body)
        assert resp.status == 400, (target, resp.status, resp.text)
        doc = json.loads(resp.body)
        assert doc["__type"] == code and doc["Message"], (target, doc)
        assert resp.headers["content-type"] == "application/x-amz-json-1.1"
    ok = raw(endpoint, "ListResolverRules", b"")
    assert ok.status == 200 and json.loads(ok.body)["ResolverRules"][0]["Id"] == INTERNET_RULE


def test_cli(ec2, cli):
    vpc, sa, sc, sg = network(ec2)
    ep = cli("route53resolver", "create-resolver-endpoint", "--creator-request-id", "cli-1",
             "--security-group-ids", sg, "--direction", "OUTBOUND", "--name", "cli-out",
             "--ip-addresses", f"SubnetId={sa}", f"SubnetId={sc}").json["ResolverEndpoint"]
    rule = cli("route53resolver", "create-resolver-rule", "--creator-request-id", "cli-r", "--rule-type", "FORWARD",
               "--domain-name", "corp.example.internal", "--resolver-endpoint-id", ep["Id"],
               "--target-ips", "Ip=192.168.0.10,Port=53").json["ResolverRule"]
    assert rule["DomainName"] == "corp.example.internal."
    cli("route53resolver", "associate-resolver-rule", "--resolver-rule-id", rule["Id"], "--vpc-id", vpc)
    rules = cli("route53resolver", "list-resolver-rules").json["ResolverRules"]
    assert [r["Id"] for r in rules] == [INTERNET_RULE, rule["Id"]]
    assocs = cli("route53resolver", "list-resolver-rule-associations", "--filters",
                 f"Name=ResolverRuleId,Values={rule['Id']}").json["ResolverRuleAssociations"]
    assert [(a["VPCId"], a["Status"]) for a in assocs] == [(vpc, "COMPLETE")]
    bad = cli("route53resolver", "delete-resolver-rule", "--resolver-rule-id", rule["Id"], check=False)
    assert bad.returncode != 0 and "ResourceInUseException" in bad.stderr
    ips = cli("route53resolver", "list-resolver-endpoint-ip-addresses", "--resolver-endpoint-id",
              ep["Id"]).json["IpAddresses"]
    assert sorted(i["SubnetId"] for i in ips) == sorted([sa, sc])


def test_resolver_state_survives_restart(spawn_server):
    srv = spawn_server()
    ec2 = new_ec2_client(srv.url)
    r53r = new_resolver_client(srv.url)
    vpc, sa, sc, sg = network(ec2)
    ep = create_endpoint(r53r, sg, [(sa, "10.20.1.10"), (sc, None)], direction="OUTBOUND",
                         Tags=[{"Key": "keep", "Value": "yes"}])
    rule = forward_rule(r53r, ep["Id"])
    assoc = r53r.associate_resolver_rule(ResolverRuleId=rule["Id"], VPCId=vpc)["ResolverRuleAssociation"]
    r53r.update_resolver_config(ResourceId=vpc, AutodefinedReverseFlag="DISABLE")
    before = (r53r.get_resolver_endpoint(ResolverEndpointId=ep["Id"])["ResolverEndpoint"],
              r53r.list_resolver_endpoint_ip_addresses(ResolverEndpointId=ep["Id"])["IpAddresses"],
              r53r.get_resolver_rule(ResolverRuleId=rule["Id"])["ResolverRule"],
              r53r.list_resolver_rule_associations()["ResolverRuleAssociations"],
              r53r.list_tags_for_resource(ResourceArn=ep["Arn"])["Tags"],
              r53r.get_resolver_config(ResourceId=vpc)["ResolverConfig"])
    assert srv.terminate(signal.SIGTERM) == 0, srv.stderr_tail()
    srv.start()
    r53r = new_resolver_client(srv.url)
    ec2 = new_ec2_client(srv.url)
    after = (r53r.get_resolver_endpoint(ResolverEndpointId=ep["Id"])["ResolverEndpoint"],
             r53r.list_resolver_endpoint_ip_addresses(ResolverEndpointId=ep["Id"])["IpAddresses"],
             r53r.get_resolver_rule(ResolverRuleId=rule["Id"])["ResolverRule"],
             r53r.list_resolver_rule_associations()["ResolverRuleAssociations"],
             r53r.list_tags_for_resource(ResourceArn=ep["Arn"])["Tags"],
             r53r.get_resolver_config(ResourceId=vpc)["ResolverConfig"])
    assert after == before
    assert assoc["Id"] in {a["Id"] for a in after[3]}
    enis = ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkInterfaces"]
    assert len(enis) == 2
    expect_error(ec2.delete_subnet, SubnetId=sa, code="DependencyViolation")

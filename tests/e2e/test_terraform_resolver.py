"""Terraform leg for Route 53 Resolver: tests/e2e/terraform/resolver/ (aws_route53_resolver_endpoint
inbound with chosen addresses in two subnets, outbound with service-chosen addresses,
aws_route53_resolver_rule FORWARD corp.example.internal -> 192.168.0.10:53 through the outbound
endpoint, aws_route53_resolver_rule_association with the VPC).

Same plumbing as test_terraform.py (its `tf` fixture and inventories are imported from there):
an ephemeral server, init -> apply -> boto3 checks -> plan -detailed-exitcode (must be 0) ->
destroy -> nothing of the configuration left (no Resolver resource, no interface). The provider's
`endpoints` block points ec2, route53resolver and sts at localvpc; Resolver requests are routed by
their SigV4 credential scope (`route53resolver`).
"""

from __future__ import annotations

import pytest

import tfhelpers as tfh
from helpers import DEFAULT_SECRET_KEY, new_ec2_client
from resolver_helpers import new_resolver_client
from test_terraform import (  # noqa: F401  (tf is a fixture)
    NET_ACCOUNT,
    NET_KEY,
    REGION,
    apply_or_known_gap,
    assert_back_to_baseline,
    assert_only_defaults,
    inventory,
    one,
    plan_changes,
    tf,
)
from tfhelpers import TerraformError

pytestmark = [pytest.mark.spawns, pytest.mark.slow]

INTERNET_RULE = "rslvr-autodefined-rr-internet-resolver"
TAGS = {"Project": "localvpc-e2e", "Config": "resolver"}


def resolver_inventory(r53r) -> dict:
    return {
        "endpoints": sorted(e["Id"] for e in r53r.list_resolver_endpoints()["ResolverEndpoints"]),
        "rules": sorted(r["Id"] for r in r53r.list_resolver_rules()["ResolverRules"] if r["Id"] != INTERNET_RULE),
        "associations": sorted(a["Id"] for a in r53r.list_resolver_rule_associations()["ResolverRuleAssociations"]
                               if a["ResolverRuleId"] != INTERNET_RULE),
    }


EMPTY = {"endpoints": [], "rules": [], "associations": []}


def test_resolver_config_lifecycle(spawn_server, tf):  # noqa: F811
    tfh.require_terraform()
    srv = spawn_server(ephemeral=True, accounts={NET_KEY: NET_ACCOUNT})
    ec2 = new_ec2_client(srv.url, access_key=NET_KEY, region=REGION)
    r53r = new_resolver_client(srv.url, access_key=NET_KEY, region=REGION)
    baseline = inventory(ec2)
    assert_only_defaults(baseline, "fresh account")
    assert resolver_inventory(r53r) == EMPTY

    run = tf("resolver", {"endpoint": srv.url, "access_key": NET_KEY, "secret_key": DEFAULT_SECRET_KEY,
                          "region": REGION})
    run.init()
    gap = apply_or_known_gap(run, {})
    plan = None
    if gap is None:
        check_resolver(ec2, r53r, run.outputs())
        plan = run.run("plan", "-detailed-exitcode", "-input=false")
    run.destroy()

    assert resolver_inventory(r53r) == EMPTY
    assert ec2.describe_network_interfaces()["NetworkInterfaces"] == []
    assert_back_to_baseline(ec2, baseline, "resolver")
    assert_only_defaults(inventory(ec2), "after destroy")

    if gap is not None:
        raise gap
    if plan.returncode != 0:
        raise TerraformError("`terraform plan -detailed-exitcode` after apply was not empty "
                             f"(exit {plan.returncode}; would change {plan_changes(plan.output)})\n"
                             + run.failure_report(plan, n=120))


def check_resolver(ec2, r53r, out: dict) -> None:
    vpc_id, sn_a, sn_c, sg_id = out["vpc_id"], out["subnet_a_id"], out["subnet_c_id"], out["sg_id"]

    inbound = r53r.get_resolver_endpoint(ResolverEndpointId=out["inbound_id"])["ResolverEndpoint"]
    assert (inbound["Direction"], inbound["Status"], inbound["HostVPCId"], inbound["Name"]) == \
        ("INBOUND", "OPERATIONAL", vpc_id, "tf-inbound")
    assert inbound["SecurityGroupIds"] == [sg_id] and inbound["Arn"] == out["inbound_arn"]
    assert out["inbound_host_vpc_id"] == vpc_id
    in_ips = r53r.list_resolver_endpoint_ip_addresses(ResolverEndpointId=inbound["Id"])["IpAddresses"]
    assert sorted((i["SubnetId"], i["Ip"]) for i in in_ips) == sorted([(sn_a, "10.70.1.53"), (sn_c, "10.70.2.53")])
    tags = {t["Key"]: t["Value"] for t in r53r.list_tags_for_resource(ResourceArn=inbound["Arn"])["Tags"]}
    assert tags == {**TAGS, "Name": "tf-inbound"}

    outbound = r53r.get_resolver_endpoint(ResolverEndpointId=out["outbound_id"])["ResolverEndpoint"]
    assert (outbound["Direction"], outbound["IpAddressCount"]) == ("OUTBOUND", 2)
    out_ips = r53r.list_resolver_endpoint_ip_addresses(ResolverEndpointId=outbound["Id"])["IpAddresses"]
    assert sorted(i["Ip"] for i in out_ips) == out["outbound_ips"]
    assert sorted(i["SubnetId"] for i in out_ips) == sorted([sn_a, sn_c])

    # Four requester-managed interfaces, two per subnet, with the endpoints' group.
    enis = ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NetworkInterfaces"]
    assert sorted(e["PrivateIpAddress"] for e in enis) == sorted(
        ["10.70.1.53", "10.70.2.53", *out["outbound_ips"]])
    assert all(e["RequesterManaged"] and [g["GroupId"] for g in e["Groups"]] == [sg_id] for e in enis), enis
    assert all(e["Description"].startswith("Route 53 Resolver: rslvr-") for e in enis), enis

    rule = r53r.get_resolver_rule(ResolverRuleId=out["rule_id"])["ResolverRule"]
    assert (rule["DomainName"], rule["RuleType"], rule["ResolverEndpointId"], rule["Status"]) == \
        ("corp.example.internal.", "FORWARD", outbound["Id"], "COMPLETE")
    assert [(t["Ip"], t["Port"]) for t in rule["TargetIps"]] == [("192.168.0.10", 53)]
    assert rule["Arn"] == out["rule_arn"] and out["rule_owner_id"] == NET_ACCOUNT

    assoc = r53r.get_resolver_rule_association(ResolverRuleAssociationId=out["association_id"])
    a = assoc["ResolverRuleAssociation"]
    assert (a["ResolverRuleId"], a["VPCId"], a["Status"], a["Name"]) == (rule["Id"], vpc_id, "COMPLETE", "corp-main")
    one([x for x in r53r.list_resolver_rule_associations()["ResolverRuleAssociations"]
         if x["ResolverRuleId"] == rule["Id"]], "rule association")

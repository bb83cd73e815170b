"""Terraform leg for Route 53 private hosted zones across two accounts:
tests/e2e/terraform/route53_hub/ (hub account: VPC with DNS support and hostnames, two subnets,
a security group, an S3 interface endpoint without private DNS, aws_route53_zone
s3.<region>.amazonaws.com on the hub VPC with apex and wildcard alias A records to the
endpoint's regional DNS name, aws_route53_vpc_association_authorization for the member's VPC,
an aws_route53_health_check of the S3 name and an aws_route53_delegation_set; member account: a
VPC and aws_route53_zone_association).

Same plumbing as test_terraform.py (its `tf` fixture, inventories and KnownGap mechanism are
imported from there): an ephemeral server with two mapped access keys, init -> apply -> boto3
checks in both accounts (EC2 and Route 53) -> plan -detailed-exitcode (must be 0) -> destroy ->
nothing of the configuration left in either account (no zone, association, authorization,
endpoint or interface). The provider's `endpoints` block points ec2, route53 and sts at
localvpc; Route 53 requests are routed by their SigV4 credential scope (`route53`).

The provider waits 10-30 s (random) before its first GetChange poll after every Route 53 change,
so apply and destroy take a minute or two even against a server that answers INSYNC at once.
"""

from __future__ import annotations

import re

import pytest

import tfhelpers as tfh
from helpers import DEFAULT_SECRET_KEY, new_ec2_client, tags_of
from route53_helpers import (
    NS_TTL,
    PHZ_NS_VALUES,
    PHZ_SOA_VALUE,
    SOA_TTL,
    bare,
    new_route53_client,
    record_sets,
    unescape_name,
    values,
    zones_by_vpc,
)
from test_terraform import (  # noqa: F401  (tf is a fixture)
    apply_or_known_gap,
    assert_back_to_baseline,
    assert_only_defaults,
    inventory,
    one,
    perms,
    plan_changes,
    tf,
)
from tfhelpers import TerraformError

pytestmark = [pytest.mark.spawns, pytest.mark.slow]

REGION = "ap-northeast-1"
HUB_KEY, HUB_ACCOUNT = "AKIAR53HUBEXAMPLE001", "111111111111"
MEMBER_KEY, MEMBER_ACCOUNT = "AKIAR53MEMBEREXMPL02", "222222222222"
VPCE_ZONE = "Z2E726K9Y6RL4W"  # ap-northeast-1's vpce.amazonaws.com zone
S3_ZONE = f"s3.{REGION}.amazonaws.com"
TAGS = {"Project": "localvpc-e2e", "Config": "route53_hub"}


def route53_inventory(r53) -> dict:
    """What the configuration creates in Route 53, seen from one account."""
    zones = r53.list_hosted_zones()["HostedZones"]
    return {
        "zones": sorted((bare(z["Id"]), z["Name"]) for z in zones),
        "count": r53.get_hosted_zone_count()["HostedZoneCount"],
        "authorizations": sorted(
            (bare(z["Id"]), v["VPCId"]) for z in zones
            for v in r53.list_vpc_association_authorizations(HostedZoneId=z["Id"])["VPCs"]),
        "health_checks": sorted(h["Id"] for h in r53.list_health_checks()["HealthChecks"]),
        "delegation_sets": sorted(d["Id"] for d in r53.list_reusable_delegation_sets()["DelegationSets"]),
    }


EMPTY_R53 = {"zones": [], "count": 0, "authorizations": [], "health_checks": [], "delegation_sets": []}


def test_route53_hub_config_lifecycle(spawn_server, tf):  # noqa: F811
    tfh.require_terraform()
    srv = spawn_server(ephemeral=True, accounts={HUB_KEY: HUB_ACCOUNT, MEMBER_KEY: MEMBER_ACCOUNT})
    hub = new_ec2_client(srv.url, access_key=HUB_KEY, region=REGION)
    member = new_ec2_client(srv.url, access_key=MEMBER_KEY, region=REGION)
    hub_r53 = new_route53_client(srv.url, access_key=HUB_KEY)
    member_r53 = new_route53_client(srv.url, access_key=MEMBER_KEY)
    base_hub, base_member = inventory(hub), inventory(member)
    assert_only_defaults(base_hub, "fresh hub account")
    assert_only_defaults(base_member, "fresh member account")
    assert route53_inventory(hub_r53) == EMPTY_R53
    assert route53_inventory(member_r53) == EMPTY_R53

    run = tf("route53_hub", {"endpoint": srv.url, "hub_access_key": HUB_KEY, "member_access_key": MEMBER_KEY,
                             "secret_key": DEFAULT_SECRET_KEY, "region": REGION})
    run.init()
    gap = apply_or_known_gap(run, {})
    plan = None
    if gap is None:
        check_route53_hub(hub, member, hub_r53, member_r53, run.outputs())
        plan = run.run("plan", "-detailed-exitcode", "-input=false")
    run.destroy()

    # Nothing of the configuration is left in either account.
    assert_back_to_baseline(hub, base_hub, "hub account")
    assert_back_to_baseline(member, base_member, "member account")
    assert_only_defaults(inventory(hub), "hub account after destroy")
    assert_only_defaults(inventory(member), "member account after destroy")
    assert route53_inventory(hub_r53) == EMPTY_R53
    assert route53_inventory(member_r53) == EMPTY_R53
    for ec2 in (hub, member):
        assert ec2.describe_network_interfaces()["NetworkInterfaces"] == []
        assert [e for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["State"] != "deleted"] == []

    if gap is not None:
        raise gap
    if plan.returncode != 0:
        raise TerraformError("`terraform plan -detailed-exitcode` after apply was not empty "
                             f"(exit {plan.returncode}; would change {plan_changes(plan.output)})\n"
                             + run.failure_report(plan, n=120))


def check_route53_hub(hub, member, hub_r53, member_r53, out: dict) -> None:
    hub_vpc, member_vpc, (sn_a, sn_c) = out["hub_vpc_id"], out["member_vpc_id"], out["hub_subnet_ids"]

    # The VPCs: private DNS needs both attributes.
    for ec2, vpc_id, cidr in ((hub, hub_vpc, "10.50.0.0/16"), (member, member_vpc, "10.51.0.0/16")):
        vpc = one(ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"], "vpc")
        assert vpc["CidrBlock"] == cidr
        for attr in ("enableDnsSupport", "enableDnsHostnames"):
            key = attr[0].upper() + attr[1:]
            assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attr)[key]["Value"] is True, (vpc_id, attr)

    # The endpoint: S3 interface endpoint in both subnets, without private DNS.
    sg = one(hub.describe_security_groups(GroupIds=[out["sg_id"]])["SecurityGroups"], "endpoint sg")
    assert (sg["GroupName"], sg["VpcId"]) == ("s3-endpoint", hub_vpc)
    assert perms(sg["IpPermissions"]) == {("tcp", 443, 443, "cidr", "10.0.0.0/8", "https from 10/8")}
    vpce = out["endpoint_id"]
    ep = one(hub.describe_vpc_endpoints(VpcEndpointIds=[vpce])["VpcEndpoints"], "endpoint")
    assert (ep["VpcEndpointType"], ep["State"], ep["VpcId"], ep["ServiceName"], ep["PrivateDnsEnabled"]) == \
        ("Interface", "available", hub_vpc, f"com.amazonaws.{REGION}.s3", False)
    assert sorted(ep["SubnetIds"]) == sorted([sn_a, sn_c])
    assert [g["GroupId"] for g in ep["Groups"]] == [out["sg_id"]]
    assert tags_of(ep) == {**TAGS, "Name": "tf-r53-s3"}
    regional = ep["DnsEntries"][0]
    # docs/aws-semantics.md §3.3: S3 publishes wildcard names, *.vpce-...-xxxxxxxx.s3.<region>.vpce.amazonaws.com.
    assert re.fullmatch(rf"\*\.{vpce}-[a-z0-9]{{8}}\.s3\.{REGION}\.vpce\.amazonaws\.com", regional["DnsName"]), \
        ep["DnsEntries"]
    assert regional["HostedZoneId"] == VPCE_ZONE
    assert not any(d["DnsName"].endswith(".amazonaws.com") and ".vpce." not in d["DnsName"]
                   for d in ep["DnsEntries"]), ep["DnsEntries"]
    assert [(d["dns_name"], d["hosted_zone_id"]) for d in out["endpoint_dns_entries"]] == \
        [(d["DnsName"], d["HostedZoneId"]) for d in ep["DnsEntries"]]

    # The zone: private, on both VPCs, tagged.
    zid = out["zone_id"]
    assert re.fullmatch(r"Z[0-9A-Z]{8,32}", zid), zid
    assert out["zone_name"] == S3_ZONE
    assert out["zone_arn"] == f"arn:aws:route53:::hostedzone/{zid}"
    got = hub_r53.get_hosted_zone(Id=zid)
    hz = got["HostedZone"]
    assert (bare(hz["Id"]), hz["Name"]) == (zid, S3_ZONE + ".")
    assert hz["Config"] == {"Comment": "S3 through the hub's interface endpoint", "PrivateZone": True}
    assert hz["ResourceRecordSetCount"] == 4
    assert sorted((v["VPCRegion"], v["VPCId"]) for v in got["VPCs"]) == \
        sorted([(REGION, hub_vpc), (REGION, member_vpc)])
    tag_set = hub_r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zid)["ResourceTagSet"]
    assert {t["Key"]: t["Value"] for t in tag_set.get("Tags", [])} == {**TAGS, "Name": "tf-r53-s3-zone"}
    assert sorted(n.rstrip(".") for n in out["name_servers"]) == sorted(n.rstrip(".") for n in PHZ_NS_VALUES)
    assert [bare(z["Id"]) for z in hub_r53.list_hosted_zones()["HostedZones"]] == [zid]
    assert member_r53.list_hosted_zones()["HostedZones"] == []

    # The records: the fixed apex NS and SOA, and two aliases of the endpoint's regional name.
    sets = record_sets(hub_r53, zid)
    assert [(s["Name"], s["Type"]) for s in sets] == [
        (S3_ZONE + ".", "A"), (S3_ZONE + ".", "NS"), (S3_ZONE + ".", "SOA"), (f"\\052.{S3_ZONE}.", "A")]
    apex_a, ns, soa, wildcard = sets
    assert (ns["TTL"], values(ns)) == (NS_TTL, PHZ_NS_VALUES)
    assert (soa["TTL"], values(soa)) == (SOA_TTL, [PHZ_SOA_VALUE])
    for rec in (apex_a, wildcard):
        target = rec["AliasTarget"]
        assert (target["HostedZoneId"], target["EvaluateTargetHealth"]) == (VPCE_ZONE, False), rec
        # Returned fully qualified; the * of the S3 endpoint's wildcard name comes back as \052 (AWS
        # accepts that name as an alias target: hashicorp/terraform-provider-aws#21845 reads one back).
        assert target["DNSName"].endswith("."), rec
        assert unescape_name(target["DNSName"]).rstrip(".") == regional["DnsName"], rec
        assert "TTL" not in rec and "ResourceRecords" not in rec, rec
    assert (out["apex_fqdn"], out["wildcard_fqdn"]) == (S3_ZONE, f"*.{S3_ZONE}")

    # The member's side: authorization (hub) and association (member).
    assert hub_r53.list_vpc_association_authorizations(HostedZoneId=zid)["VPCs"] == \
        [{"VPCRegion": REGION, "VPCId": member_vpc}]
    assert out["authorization_id"] == f"{zid}:{member_vpc}"
    assert out["association_id"].startswith(f"{zid}:{member_vpc}"), out["association_id"]
    assert out["association_owning_account"] == HUB_ACCOUNT
    summaries = zones_by_vpc(member_r53, member_vpc, REGION)
    assert [(bare(s["HostedZoneId"]), s["Name"], s["Owner"]) for s in summaries] == \
        [(zid, S3_ZONE + ".", {"OwningAccount": HUB_ACCOUNT})]
    assert [bare(s["HostedZoneId"]) for s in zones_by_vpc(hub_r53, hub_vpc, REGION)] == [zid]

    # The health check and the delegation set (hub account only).
    hc = hub_r53.get_health_check(HealthCheckId=out["health_check_id"])["HealthCheck"]
    cfg = hc["HealthCheckConfig"]
    assert (cfg["Type"], cfg["FullyQualifiedDomainName"], cfg["Port"], cfg["ResourcePath"]) == \
        ("HTTPS", S3_ZONE, 443, "/")
    assert (cfg["FailureThreshold"], cfg["RequestInterval"], sorted(cfg["Regions"])) == \
        (3, 30, ["ap-northeast-1", "us-east-1", "us-west-2"])
    hc_tags = hub_r53.list_tags_for_resource(ResourceType="healthcheck", ResourceId=hc["Id"])["ResourceTagSet"]
    assert {t["Key"]: t["Value"] for t in hc_tags.get("Tags", [])} == {**TAGS, "Name": "tf-r53-s3-health"}
    assert member_r53.list_health_checks()["HealthChecks"] == []
    ds = hub_r53.get_reusable_delegation_set(Id=out["delegation_set_id"])["DelegationSet"]
    assert bare(ds["Id"]) == out["delegation_set_id"]
    assert sorted(n.rstrip(".") for n in out["delegation_set_name_servers"]) == sorted(ds["NameServers"])
    assert member_r53.list_reusable_delegation_sets()["DelegationSets"] == []

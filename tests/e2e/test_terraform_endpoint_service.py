"""Terraform leg for PrivateLink across two accounts: tests/e2e/terraform/endpoint_service/
(aws_lb network + aws_lb_target_group + aws_lb_listener + aws_lb_target_group_attachment,
aws_vpc_endpoint_service with allowed_principals in the provider account, aws_vpc_endpoint in
the consumer account, aws_vpc_endpoint_connection_accepter back in the provider account).

Same plumbing as test_terraform.py (its `tf` fixture, inventories and KnownGap mechanism are
imported from there): an ephemeral server with two mapped access keys, init -> apply -> boto3
checks in both accounts -> plan -detailed-exitcode (must be 0) -> destroy -> nothing of the
configuration left in either account (no interface, load balancer, target group, endpoint
service or endpoint). The provider's `endpoints` block points ec2, elbv2 and elb at localvpc;
ELBv2 requests are routed by their SigV4 credential scope (`elasticloadbalancing`).
"""

from __future__ import annotations

import re

import pytest

import tfhelpers as tfh
from elbv2_helpers import new_elbv2_client
from helpers import APNE1_AZ_IDS, DEFAULT_SECRET_KEY, new_ec2_client, tags_of, wait_until
from test_terraform import (  # noqa: F401  (tf is a fixture)
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

REGION = "ap-northeast-1"
PROVIDER_KEY, PROVIDER_ACCOUNT = "AKIASVCPROVIDER00001", "111111111111"
CONSUMER_KEY, CONSUMER_ACCOUNT = "AKIASVCCONSUMER00002", "222222222222"
VPCE_ZONE = "Z2E726K9Y6RL4W"  # ap-northeast-1's vpce.amazonaws.com zone
TAGS = {"Project": "localvpc-e2e", "Config": "endpoint_service"}

def elb_inventory(ec2, elbv2) -> dict:
    """What the configuration creates outside test_terraform.inventory's view."""
    return {
        "load_balancers": sorted(lb["LoadBalancerArn"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]),
        "target_groups": sorted(t["TargetGroupArn"] for t in elbv2.describe_target_groups()["TargetGroups"]),
        "endpoint_services": sorted(
            s["ServiceId"] for s in ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]),
        "connection_notifications": sorted(
            n["ConnectionNotificationId"] for n in
            ec2.describe_vpc_endpoint_connection_notifications()["ConnectionNotificationSet"]),
        "endpoint_connections": sorted(
            (c["VpcEndpointId"], c["VpcEndpointState"]) for c in
            ec2.describe_vpc_endpoint_connections()["VpcEndpointConnections"]
            if c["VpcEndpointState"] not in ("deleted", "rejected")),
    }


EMPTY_ELB = {"load_balancers": [], "target_groups": [], "endpoint_services": [], "connection_notifications": [],
             "endpoint_connections": []}


def test_endpoint_service_config_lifecycle(spawn_server, tf):  # noqa: F811
    tfh.require_terraform()
    srv = spawn_server(ephemeral=True, accounts={PROVIDER_KEY: PROVIDER_ACCOUNT, CONSUMER_KEY: CONSUMER_ACCOUNT})
    prov = new_ec2_client(srv.url, access_key=PROVIDER_KEY, region=REGION)
    cons = new_ec2_client(srv.url, access_key=CONSUMER_KEY, region=REGION)
    prov_elb = new_elbv2_client(srv.url, access_key=PROVIDER_KEY, region=REGION)
    cons_elb = new_elbv2_client(srv.url, access_key=CONSUMER_KEY, region=REGION)
    base_prov, base_cons = inventory(prov), inventory(cons)
    assert_only_defaults(base_prov, "fresh provider account")
    assert_only_defaults(base_cons, "fresh consumer account")
    assert elb_inventory(prov, prov_elb) == EMPTY_ELB
    assert elb_inventory(cons, cons_elb) == EMPTY_ELB

    run = tf("endpoint_service", {"endpoint": srv.url, "provider_access_key": PROVIDER_KEY,
                                  "consumer_access_key": CONSUMER_KEY, "consumer_account_id": CONSUMER_ACCOUNT,
                                  "secret_key": DEFAULT_SECRET_KEY, "region": REGION})
    run.init()
    gap = apply_or_known_gap(run, {})
    plan = None
    if gap is None:
        check_endpoint_service(prov, cons, prov_elb, run.outputs())
        plan = run.run("plan", "-detailed-exitcode", "-input=false")
    run.destroy()

    # Nothing of the configuration is left in either account.
    assert_back_to_baseline(prov, base_prov, "provider account")
    assert_back_to_baseline(cons, base_cons, "consumer account")
    assert_only_defaults(inventory(prov), "provider account after destroy")
    assert_only_defaults(inventory(cons), "consumer account after destroy")
    assert elb_inventory(prov, prov_elb) == EMPTY_ELB
    assert elb_inventory(cons, cons_elb) == EMPTY_ELB
    for ec2 in (prov, cons):
        assert ec2.describe_network_interfaces()["NetworkInterfaces"] == []
        assert [e for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["State"] != "deleted"] == []

    if gap is not None:
        raise gap
    if plan.returncode != 0:
        raise TerraformError("`terraform plan -detailed-exitcode` after apply was not empty "
                             f"(exit {plan.returncode}; would change {plan_changes(plan.output)})\n"
                             + run.failure_report(plan, n=120))


def check_endpoint_service(prov, cons, prov_elb, out: dict) -> None:
    vpc_id, (sn_a, sn_c) = out["provider_vpc_id"], out["provider_subnet_ids"]
    lb_arn, tg_arn, sid = out["lb_arn"], out["target_group_arn"], out["service_id"]

    # The network load balancer: internal, one node per subnet, requester-managed interfaces.
    lb = one(prov_elb.describe_load_balancers(LoadBalancerArns=[lb_arn])["LoadBalancers"], "load balancer")
    assert (lb["LoadBalancerName"], lb["Type"], lb["Scheme"], lb["VpcId"], lb["State"]["Code"]) == \
        ("tf-svc-nlb", "network", "internal", vpc_id, "active")
    assert re.fullmatch(rf"arn:aws:elasticloadbalancing:{REGION}:{PROVIDER_ACCOUNT}:loadbalancer/net/tf-svc-nlb/"
                        r"[0-9a-f]{16}", lb_arn), lb_arn
    assert lb["DNSName"] == out["lb_dns_name"]
    assert lb["DNSName"] == f"internal-tf-svc-nlb-{lb_arn.rsplit('/', 1)[-1]}.elb.{REGION}.amazonaws.com"
    assert sorted((z["ZoneName"], z["SubnetId"]) for z in lb["AvailabilityZones"]) == \
        [(f"{REGION}a", sn_a), (f"{REGION}c", sn_c)]
    [lb_tags] = prov_elb.describe_tags(ResourceArns=[lb_arn])["TagDescriptions"]
    assert {t["Key"]: t["Value"] for t in lb_tags["Tags"]} == {**TAGS, "Name": "tf-svc-nlb"}
    enis = prov.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NetworkInterfaces"]
    assert sorted((e["SubnetId"], e["InterfaceType"], e["RequesterManaged"]) for e in enis) == \
        sorted([(sn_a, "network_load_balancer", True), (sn_c, "network_load_balancer", True)]), enis

    # Target group, its one target (healthy behind the listener), the listener.
    tg = one(prov_elb.describe_target_groups(TargetGroupArns=[tg_arn])["TargetGroups"], "target group")
    assert (tg["TargetGroupName"], tg["Protocol"], tg["Port"], tg["TargetType"], tg["VpcId"]) == \
        ("tf-svc-targets", "TCP", 443, "ip", vpc_id)
    assert tg["LoadBalancerArns"] == [lb_arn]
    assert wait_until(lambda: [(d["Target"]["Id"], d["Target"]["Port"], d["TargetHealth"]["State"]) for d in
                               prov_elb.describe_target_health(TargetGroupArn=tg_arn)["TargetHealthDescriptions"]]
                      == [("10.40.1.10", 443, "healthy")], timeout=10), \
        prov_elb.describe_target_health(TargetGroupArn=tg_arn)["TargetHealthDescriptions"]
    listener = one(prov_elb.describe_listeners(LoadBalancerArn=lb_arn)["Listeners"], "listener")
    assert (listener["ListenerArn"], listener["Protocol"], listener["Port"]) == (out["listener_arn"], "TCP", 443)
    assert [(a["Type"], a["TargetGroupArn"]) for a in listener["DefaultActions"]] == [("forward", tg_arn)]

    # The endpoint service and who may use it.
    svc = one(prov.describe_vpc_endpoint_service_configurations(ServiceIds=[sid])["ServiceConfigurations"],
              "service configuration")
    assert svc["ServiceName"] == out["service_name"] == f"com.amazonaws.vpce.{REGION}.{sid}"
    assert (svc["ServiceState"], svc["AcceptanceRequired"], svc["NetworkLoadBalancerArns"]) == \
        ("Available", True, [lb_arn])
    assert svc["ServiceType"] == [{"ServiceType": "Interface"}]
    assert (out["service_state"], out["service_type"]) == ("Available", "Interface")
    assert svc["AvailabilityZones"] == [f"{REGION}a", f"{REGION}c"]
    assert sorted(out["availability_zones"]) == svc["AvailabilityZones"]
    assert svc["BaseEndpointDnsNames"] == [f"{sid}.{REGION}.vpce.amazonaws.com"]
    assert sorted(out["base_endpoint_dns_names"]) == svc["BaseEndpointDnsNames"]
    assert tags_of(svc) == {**TAGS, "Name": "tf-svc"}
    perms = prov.describe_vpc_endpoint_service_permissions(ServiceId=sid)["AllowedPrincipals"]
    assert [(p["PrincipalType"], p["Principal"]) for p in perms] == \
        [("Account", f"arn:aws:iam::{CONSUMER_ACCOUNT}:root")]

    # The consumer sees the service and its endpoint is connected.
    detail = one(cons.describe_vpc_endpoint_services(ServiceNames=[out["service_name"]])["ServiceDetails"],
                 "service detail")
    assert (detail["Owner"], detail["AcceptanceRequired"], detail["VpcEndpointPolicySupported"]) == \
        (PROVIDER_ACCOUNT, True, False)
    vpce = out["endpoint_id"]
    ep = one(cons.describe_vpc_endpoints(VpcEndpointIds=[vpce])["VpcEndpoints"], "endpoint")
    assert (ep["VpcEndpointType"], ep["State"], ep["VpcId"], ep["ServiceName"], ep["OwnerId"]) == \
        ("Interface", "available", out["consumer_vpc_id"], out["service_name"], CONSUMER_ACCOUNT)
    assert ep["SubnetIds"] == [out["consumer_subnet_id"]]
    assert tags_of(ep) == {**TAGS, "Name": "tf-svc-endpoint"}
    ep_enis = cons.describe_network_interfaces(NetworkInterfaceIds=ep["NetworkInterfaceIds"])["NetworkInterfaces"]
    assert [(i["SubnetId"], i["InterfaceType"], i["AvailabilityZoneId"]) for i in ep_enis] == \
        [(out["consumer_subnet_id"], "vpc_endpoint", APNE1_AZ_IDS[f"{REGION}a"])]
    assert sorted(ep["NetworkInterfaceIds"]) == out["endpoint_network_interface_ids"]
    base = f"{sid}.{REGION}.vpce.amazonaws.com"
    names = [(d["DnsName"], d["HostedZoneId"]) for d in ep["DnsEntries"]]
    m = re.fullmatch(rf"{vpce}-([a-z0-9]{{8}})\.{re.escape(base)}", names[0][0])
    assert m and names == [(f"{vpce}-{m.group(1)}.{base}", VPCE_ZONE),
                           (f"{vpce}-{m.group(1)}-{REGION}a.{base}", VPCE_ZONE)], names

    # The provider's view of the accepted connection.
    conn = one(prov.describe_vpc_endpoint_connections(
        Filters=[{"Name": "service-id", "Values": [sid]}])["VpcEndpointConnections"], "connection")
    assert (conn["VpcEndpointId"], conn["VpcEndpointOwner"], conn["VpcEndpointState"]) == \
        (vpce, CONSUMER_ACCOUNT, "available")
    assert out["accepter_state"] == "available"

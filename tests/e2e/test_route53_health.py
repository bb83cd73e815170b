"""Route 53 health checks and reusable delegation sets through boto3 (REST-XML 2013-04-01),
plus the Route 53 fidelity fixes of issue 18 item 9 (raw spaces in names, the real Action in
messages, ids never percent-encoded in messages, VPCRegion optional), a few aws CLI calls and
persistence across a restart.

Every route53 client carries route53_helpers' wire-fidelity guard. localvpc probes nothing:
GetHealthCheckStatus reports what docs/aws-choices.md describes (every endpoint answers, so a
check is healthy unless inverted; a disabled check is healthy; a CALCULATED check counts its
healthy children).

Where AWS's exact answer could not be confirmed the test asserts only the code and status and
says AWS-UNCONFIRMED."""

from __future__ import annotations

import json
import signal

import pytest

import helpers
from helpers import SHARED_ACCOUNTS, expect_error, new_ec2_client
from route53_helpers import (
    API,
    MISSING_ZONE_ID,
    R53_XMLNS,
    apply,
    bare,
    caller_ref,
    change,
    create_zone,
    error_fields,
    new_route53_client,
    r53_raw,
    record_sets,
    rrset,
    values,
    zone_id,
)

# A public address: Route 53 refuses private, loopback, link-local and multicast ones.
PUBLIC_IP = "52.95.110.1"
MISSING_CHECK = "00000000-0000-0000-0000-000000000000"
MISSING_SET = "N0000000000000000000A"
CHECKER_REGIONS = ["us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1",
                   "ap-southeast-2", "ap-northeast-1", "sa-east-1"]


@pytest.fixture
def r53(endpoint):
    return new_route53_client(endpoint)


@pytest.fixture
def r53_nv(endpoint):
    """Without botocore's client-side validation, so the server's own checks are exercised."""
    return new_route53_client(endpoint, parameter_validation=False)


def http_check(r53, ref: str | None = None, **config) -> dict:
    cfg = {"Type": "HTTP", "IPAddress": PUBLIC_IP, **config}
    return r53.create_health_check(CallerReference=ref or caller_ref(), HealthCheckConfig=cfg)["HealthCheck"]


def tag_dict(tag_set: dict) -> dict:
    return {t["Key"]: t["Value"] for t in tag_set.get("Tags", [])}


def error_message(resp: dict) -> str:
    return resp["Error"]["Message"]


# --------------------------------------------------------------------------- health checks


def test_create_get_and_list_a_health_check(r53):
    hc = http_check(r53, ref="web-1", ResourcePath="/health", FullyQualifiedDomainName="www.example.com")
    assert hc["CallerReference"] == "web-1"
    assert hc["HealthCheckVersion"] == 1
    cfg = hc["HealthCheckConfig"]
    # AWS's defaults are reported: port 80 for HTTP, 30 s, 3 failures, every checker region.
    assert (cfg["Type"], cfg["IPAddress"], cfg["Port"], cfg["ResourcePath"]) == ("HTTP", PUBLIC_IP, 80, "/health")
    assert (cfg["RequestInterval"], cfg["FailureThreshold"]) == (30, 3)
    assert (cfg["MeasureLatency"], cfg["Inverted"], cfg["Disabled"], cfg["EnableSNI"]) == (False, False, False, False)
    assert sorted(cfg["Regions"]) == sorted(CHECKER_REGIONS)
    assert r53.get_health_check(HealthCheckId=hc["Id"])["HealthCheck"] == hc
    https = http_check(r53, Type="HTTPS", RequestInterval=10, FailureThreshold=1,
                       Regions=["us-east-1", "eu-west-1", "ap-northeast-1"])
    cfg = https["HealthCheckConfig"]
    assert (cfg["Port"], cfg["EnableSNI"], cfg["RequestInterval"], cfg["FailureThreshold"]) == (443, True, 10, 1)
    assert cfg["Regions"] == ["us-east-1", "eu-west-1", "ap-northeast-1"]
    listed = r53.list_health_checks()
    assert [h["Id"] for h in listed["HealthChecks"]] == sorted([hc["Id"], https["Id"]])
    assert listed["IsTruncated"] is False
    assert r53.get_health_check_count()["HealthCheckCount"] == 2


def test_create_health_check_on_the_wire(endpoint):
    body = (f'<CreateHealthCheckRequest xmlns="{R53_XMLNS}"><CallerReference>wire</CallerReference>'
            f'<HealthCheckConfig><IPAddress>{PUBLIC_IP}</IPAddress><Port>8080</Port><Type>TCP</Type>'
            f'</HealthCheckConfig></CreateHealthCheckRequest>').encode()
    resp = r53_raw(endpoint, "POST", f"{API}/healthcheck", body=body)
    assert resp.status == 201, resp.text
    hc_id = resp.xml().find(f"{{{R53_XMLNS}}}HealthCheck/{{{R53_XMLNS}}}Id").text
    assert resp.headers.get("location", "").endswith(f"/2013-04-01/healthcheck/{hc_id}"), resp.headers


def test_caller_reference_is_idempotent_as_aws_documents(r53):
    first = http_check(r53, ref="same")
    # Same reference, same settings: the existing check.
    assert http_check(r53, ref="same")["Id"] == first["Id"]
    assert r53.get_health_check_count()["HealthCheckCount"] == 1
    # Same reference, other settings: refused.
    expect_error(http_check, r53, ref="same", Port=8080, code="HealthCheckAlreadyExists", status=409)
    # A unique reference with identical settings makes a second check.
    assert http_check(r53, ref="other")["Id"] != first["Id"]
    # The reference of a deleted check stays taken, whatever the settings.
    r53.delete_health_check(HealthCheckId=first["Id"])
    expect_error(http_check, r53, ref="same", code="HealthCheckAlreadyExists", status=409)


@pytest.mark.parametrize("config", [
    {"Type": "HTTP", "IPAddress": "10.0.0.5"},                       # private
    {"Type": "HTTP", "IPAddress": "127.0.0.1"},                      # loopback
    {"Type": "HTTP", "IPAddress": "999.1.1.1"},                      # not an address
    {"Type": "HTTP"},                                                # neither IPAddress nor FQDN
    {"Type": "HTTP", "IPAddress": PUBLIC_IP, "RequestInterval": 20},  # only 10 or 30
    {"Type": "HTTP", "IPAddress": PUBLIC_IP, "FailureThreshold": 11},
    {"Type": "HTTP", "IPAddress": PUBLIC_IP, "Port": 0},
    {"Type": "HTTP", "IPAddress": PUBLIC_IP, "Port": 70000},
    {"Type": "TCP", "IPAddress": PUBLIC_IP},                          # TCP needs a port
    {"Type": "HTTP_STR_MATCH", "IPAddress": PUBLIC_IP},               # needs SearchString
    {"Type": "HTTP", "IPAddress": PUBLIC_IP, "SearchString": "ok"},   # SearchString only for *_STR_MATCH
    {"Type": "CALCULATED", "IPAddress": PUBLIC_IP},                   # no endpoint on CALCULATED
    {"Type": "CALCULATED", "ChildHealthChecks": [MISSING_CHECK]},     # children must exist
    {"Type": "HTTP", "IPAddress": PUBLIC_IP, "Regions": ["us-east-1"]},  # at least 3 regions
    {"Type": "HTTP", "FullyQualifiedDomainName": "bad name.example.com"},
], ids=["private-ip", "loopback", "bad-ip", "no-endpoint", "interval", "threshold", "port-0",
        "port-high", "tcp-no-port", "str-match-no-string", "search-string-on-http",
        "calculated-with-ip", "missing-child", "two-regions", "fqdn-with-space"])
def test_invalid_configurations_are_invalid_input(r53, r53_nv, config):
    # Message texts are AWS-UNCONFIRMED; the code and status are the model's.
    expect_error(r53_nv.create_health_check, CallerReference=caller_ref(), HealthCheckConfig=config,
                 code="InvalidInput", status=400)
    assert r53.get_health_check_count()["HealthCheckCount"] == 0


def test_update_is_versioned(r53):
    hc = http_check(r53, ResourcePath="/a", FullyQualifiedDomainName="www.example.com")
    got = r53.update_health_check(HealthCheckId=hc["Id"], HealthCheckVersion=1, Port=8080, FailureThreshold=5,
                                  Inverted=True)["HealthCheck"]
    assert got["HealthCheckVersion"] == 2
    cfg = got["HealthCheckConfig"]
    assert (cfg["Port"], cfg["FailureThreshold"], cfg["Inverted"], cfg["ResourcePath"]) == (8080, 5, True, "/a")
    # A stale version is refused; no version at all applies to the current one.
    expect_error(r53.update_health_check, HealthCheckId=hc["Id"], HealthCheckVersion=1, Port=81,
                 code="HealthCheckVersionMismatch", status=409)
    got = r53.update_health_check(HealthCheckId=hc["Id"], ResetElements=["ResourcePath", "FullyQualifiedDomainName"],
                                  Regions=["us-east-1", "us-west-2", "eu-west-1"])["HealthCheck"]
    assert got["HealthCheckVersion"] == 3
    assert "ResourcePath" not in got["HealthCheckConfig"]
    assert "FullyQualifiedDomainName" not in got["HealthCheckConfig"]
    assert got["HealthCheckConfig"]["Regions"] == ["us-east-1", "us-west-2", "eu-west-1"]
    # An update is validated like a create.
    expect_error(r53.update_health_check, HealthCheckId=hc["Id"], IPAddress="192.168.1.1",
                 code="InvalidInput", status=400)
    assert r53.get_health_check(HealthCheckId=hc["Id"])["HealthCheck"]["HealthCheckVersion"] == 3


def test_list_health_checks_pages_with_marker(r53):
    ids = sorted(http_check(r53)["Id"] for _ in range(5))
    seen, marker, pages = [], None, 0
    while True:
        kw = {"MaxItems": "2", **({"Marker": marker} if marker else {})}
        page = r53.list_health_checks(**kw)
        pages += 1
        seen += [h["Id"] for h in page["HealthChecks"]]
        assert page["MaxItems"] == "2"
        if not page["IsTruncated"]:
            break
        marker = page["NextMarker"]
    assert (seen, pages) == (ids, 3)
    # boto3's own paginator follows the same markers.
    paged = [h["Id"] for p in r53.get_paginator("list_health_checks").paginate(PaginationConfig={"PageSize": 2})
             for h in p["HealthChecks"]]
    assert paged == ids


def test_unknown_health_check_is_404_everywhere(r53):
    for call, kw in [(r53.get_health_check, {}), (r53.delete_health_check, {}),
                     (r53.get_health_check_status, {}), (r53.get_health_check_last_failure_reason, {}),
                     (r53.update_health_check, {"Port": 81})]:
        resp = expect_error(call, HealthCheckId=MISSING_CHECK, code="NoSuchHealthCheck", status=404, **kw)
        assert MISSING_CHECK in error_message(resp)


def test_status_is_reported_per_checker_region(r53):
    hc = http_check(r53, Regions=["us-east-1", "eu-west-1", "ap-northeast-1"])
    obs = r53.get_health_check_status(HealthCheckId=hc["Id"])["HealthCheckObservations"]
    assert [o["Region"] for o in obs] == ["us-east-1", "eu-west-1", "ap-northeast-1"]
    for o in obs:
        assert o["StatusReport"]["Status"] == "Success: HTTP Status Code 200, OK", o
        assert o["IPAddress"] and o["StatusReport"]["CheckedTime"]
    assert r53.get_health_check_last_failure_reason(HealthCheckId=hc["Id"])["HealthCheckObservations"] == []
    tcp = r53.create_health_check(CallerReference=caller_ref(), HealthCheckConfig={
        "Type": "TCP", "IPAddress": PUBLIC_IP, "Port": 5432})["HealthCheck"]
    obs = r53.get_health_check_status(HealthCheckId=tcp["Id"])["HealthCheckObservations"]
    assert len(obs) == 8 and {o["StatusReport"]["Status"] for o in obs} == {"Success: TCP connection established"}
    # Inverted: the same observation turned into a failure.
    r53.update_health_check(HealthCheckId=hc["Id"], Inverted=True)
    obs = r53.get_health_check_status(HealthCheckId=hc["Id"])["HealthCheckObservations"]
    assert all(o["StatusReport"]["Status"].startswith("Failure:") for o in obs), obs
    assert len(r53.get_health_check_last_failure_reason(HealthCheckId=hc["Id"])["HealthCheckObservations"]) == 3


def test_calculated_check_counts_its_children(r53):
    up = http_check(r53)
    down = http_check(r53, Inverted=True)
    calc = r53.create_health_check(CallerReference=caller_ref(), HealthCheckConfig={
        "Type": "CALCULATED", "HealthThreshold": 2, "ChildHealthChecks": [up["Id"], down["Id"]]})["HealthCheck"]
    cfg = calc["HealthCheckConfig"]
    assert (cfg["Type"], cfg["HealthThreshold"], sorted(cfg["ChildHealthChecks"])) == \
        ("CALCULATED", 2, sorted([up["Id"], down["Id"]]))
    assert "IPAddress" not in cfg and "Port" not in cfg and "RequestInterval" not in cfg
    (obs,) = r53.get_health_check_status(HealthCheckId=calc["Id"])["HealthCheckObservations"]
    assert obs["StatusReport"]["Status"].startswith("Failure: 1 of 2 child health checks are healthy"), obs
    r53.update_health_check(HealthCheckId=calc["Id"], HealthThreshold=1)
    (obs,) = r53.get_health_check_status(HealthCheckId=calc["Id"])["HealthCheckObservations"]
    assert obs["StatusReport"]["Status"].startswith("Success: 1 of 2"), obs
    expect_error(r53.update_health_check, HealthCheckId=calc["Id"], ChildHealthChecks=[MISSING_CHECK],
                 code="InvalidInput", status=400)


def test_record_sets_name_existing_health_checks(r53):
    zid = zone_id(r53, "example.com")
    hc = http_check(r53)
    primary = rrset("www.example.com", "A", "192.0.2.1", SetIdentifier="primary", Failover="PRIMARY",
                    HealthCheckId=hc["Id"])
    secondary = rrset("www.example.com", "A", "192.0.2.2", SetIdentifier="secondary", Failover="SECONDARY")
    resp = expect_error(apply, r53, zid, change("CREATE", {**primary, "HealthCheckId": MISSING_CHECK}),
                        code="NoSuchHealthCheck", status=404)
    assert MISSING_CHECK in error_message(resp)
    apply(r53, zid, change("CREATE", primary), change("CREATE", secondary))
    got = {s.get("SetIdentifier"): s for s in record_sets(r53, zid)}
    assert got["primary"]["HealthCheckId"] == hc["Id"] and "HealthCheckId" not in got["secondary"]
    # AWS deletes a check even while a record set names it (HealthCheckInUse is "not in use").
    r53.delete_health_check(HealthCheckId=hc["Id"])
    expect_error(r53.get_health_check, HealthCheckId=hc["Id"], code="NoSuchHealthCheck", status=404)
    assert values(next(s for s in record_sets(r53, zid) if s.get("SetIdentifier") == "primary")) == ["192.0.2.1"]


def test_health_check_tags(r53):
    a, b = http_check(r53)["Id"], http_check(r53)["Id"]
    r53.change_tags_for_resource(ResourceType="healthcheck", ResourceId=a,
                                 AddTags=[{"Key": "Name", "Value": "web"}, {"Key": "env", "Value": "dev"}])
    r53.change_tags_for_resource(ResourceType="healthcheck", ResourceId=a, RemoveTagKeys=["env"])
    ts = r53.list_tags_for_resource(ResourceType="healthcheck", ResourceId=a)["ResourceTagSet"]
    assert (ts["ResourceType"], ts["ResourceId"], tag_dict(ts)) == ("healthcheck", a, {"Name": "web"})
    sets = r53.list_tags_for_resources(ResourceType="healthcheck", ResourceIds=[a, b])["ResourceTagSets"]
    assert {s["ResourceId"]: tag_dict(s) for s in sets} == {a: {"Name": "web"}, b: {}}
    expect_error(r53.list_tags_for_resource, ResourceType="healthcheck", ResourceId=MISSING_CHECK,
                 code="NoSuchHealthCheck", status=404)
    expect_error(r53.change_tags_for_resource, ResourceType="healthcheck", ResourceId=MISSING_CHECK,
                 AddTags=[{"Key": "k", "Value": "v"}], code="NoSuchHealthCheck", status=404)


def test_health_checks_are_per_account(endpoint, r53):
    hc = http_check(r53)
    alpha = new_route53_client(endpoint, access_key=helpers.ALPHA_KEY)
    assert alpha.list_health_checks()["HealthChecks"] == []
    expect_error(alpha.get_health_check, HealthCheckId=hc["Id"], code="NoSuchHealthCheck", status=404)


# --------------------------------------------------------------------------- delegation sets


def test_reusable_delegation_set_lifecycle(r53):
    ds = r53.create_reusable_delegation_set(CallerReference="set-1")["DelegationSet"]
    assert ds["Id"].startswith("/delegationset/N") and ds["CallerReference"] == "set-1"
    ns = ds["NameServers"]
    assert len(ns) == 4 and [n.rsplit(".", 1)[-1] for n in ns] == ["com", "net", "org", "uk"], ns
    assert r53.get_reusable_delegation_set(Id=bare(ds["Id"]))["DelegationSet"] == ds
    expect_error(r53.create_reusable_delegation_set, CallerReference="set-1",
                 code="DelegationSetAlreadyCreated", status=400)
    # A public zone made with the set takes its name servers (delegation set and apex NS).
    z = create_zone(r53, "example.com", DelegationSetId=ds["Id"])
    assert z["DelegationSet"]["NameServers"] == ns
    assert z["DelegationSet"]["Id"] == ds["Id"]
    zid = bare(z["HostedZone"]["Id"])
    got = r53.get_hosted_zone(Id=zid)
    assert (got["DelegationSet"]["Id"], got["DelegationSet"]["NameServers"]) == (ds["Id"], ns)
    apex_ns = next(s for s in record_sets(r53, zid) if s["Type"] == "NS")
    assert [v.rstrip(".") for v in values(apex_ns)] == ns
    # Only the set's zones are listed with DelegationSetId.
    zone_id(r53, "example.org")
    listed = r53.list_hosted_zones(DelegationSetId=bare(ds["Id"]))["HostedZones"]
    assert [bare(h["Id"]) for h in listed] == [zid]
    limit = r53.get_reusable_delegation_set_limit(Type="MAX_ZONES_BY_REUSABLE_DELEGATION_SET",
                                                  DelegationSetId=bare(ds["Id"]))
    assert (limit["Limit"]["Value"], limit["Count"]) == (100, 1)
    expect_error(r53.delete_reusable_delegation_set, Id=ds["Id"], code="DelegationSetInUse", status=400)
    r53.delete_hosted_zone(Id=zid)
    r53.delete_reusable_delegation_set(Id=ds["Id"])
    expect_error(r53.get_reusable_delegation_set, Id=ds["Id"], code="NoSuchDelegationSet", status=400)
    assert r53.list_reusable_delegation_sets()["DelegationSets"] == []


def test_delegation_set_from_an_existing_zone(r53, ec2):
    z = create_zone(r53, "example.net")
    zid = bare(z["HostedZone"]["Id"])
    ds = r53.create_reusable_delegation_set(CallerReference=caller_ref(), HostedZoneId=zid)["DelegationSet"]
    assert ds["NameServers"] == z["DelegationSet"]["NameServers"]
    assert r53.get_hosted_zone(Id=zid)["DelegationSet"]["Id"] == ds["Id"]
    expect_error(r53.create_reusable_delegation_set, CallerReference=caller_ref(), HostedZoneId=zid,
                 code="DelegationSetAlreadyReusable", status=400)
    # AWS-UNCONFIRMED message texts; codes from the model's error list.
    expect_error(r53.create_reusable_delegation_set, CallerReference=caller_ref(), HostedZoneId=MISSING_ZONE_ID,
                 code="HostedZoneNotFound", status=400)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    private = zone_id(r53, "corp.internal", vpc=vpc)
    expect_error(r53.create_reusable_delegation_set, CallerReference=caller_ref(), HostedZoneId=private,
                 code="InvalidArgument", status=400)
    expect_error(r53.delete_reusable_delegation_set, Id=ds["Id"], code="DelegationSetInUse", status=400)


def test_create_hosted_zone_with_a_delegation_set_is_checked(r53, ec2):
    expect_error(create_zone, r53, "example.com", DelegationSetId=MISSING_SET, code="NoSuchDelegationSet",
                 status=400)
    ds = r53.create_reusable_delegation_set(CallerReference=caller_ref())["DelegationSet"]
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    # AWS-UNCONFIRMED which code: a private zone cannot use a reusable set.
    expect_error(create_zone, r53, "corp.internal", vpc=vpc, DelegationSetId=ds["Id"], code="InvalidInput",
                 status=400)
    zone_id(r53, "example.com", DelegationSetId=ds["Id"])
    # Parent and child zones may not share name servers.
    expect_error(create_zone, r53, "shop.example.com", DelegationSetId=ds["Id"], code="ConflictingDomainExists",
                 status=400)
    assert len(r53.list_hosted_zones()["HostedZones"]) == 1
    expect_error(r53.get_reusable_delegation_set_limit, Type="MAX_ZONES_BY_REUSABLE_DELEGATION_SET",
                 DelegationSetId=MISSING_SET, code="NoSuchDelegationSet", status=400)


def test_list_reusable_delegation_sets_pages(r53):
    ids = sorted(r53.create_reusable_delegation_set(CallerReference=caller_ref())["DelegationSet"]["Id"]
                 for _ in range(3))
    first = r53.list_reusable_delegation_sets(MaxItems="2")
    assert first["IsTruncated"] is True and len(first["DelegationSets"]) == 2
    rest = r53.list_reusable_delegation_sets(MaxItems="2", Marker=first["NextMarker"])
    assert rest["IsTruncated"] is False
    assert [d["Id"] for d in first["DelegationSets"] + rest["DelegationSets"]] == ids


# --------------------------------------------------------------------------- issue 18 item 9


def test_raw_spaces_and_tabs_in_names_are_unsupported_characters(r53):
    for name in ("bad name.example", "tab\tname.example"):
        resp = expect_error(create_zone, r53, name, code="InvalidDomainName", status=400)
        assert "UnsupportedCharacter" in error_message(resp), resp["Error"]
    zid = zone_id(r53, "example.com")
    resp = expect_error(apply, r53, zid, change("CREATE", rrset("a b.example.com", "A", "192.0.2.1")),
                        code="InvalidChangeBatch", status=400)
    assert "UnsupportedCharacter" in error_message(resp), resp["Error"]
    # The escaped form is a valid name.
    apply(r53, zid, change("CREATE", rrset("a\\040b.example.com", "A", "192.0.2.1")))
    assert "a\\040b.example.com." in [s["Name"] for s in record_sets(r53, zid)]


def test_messages_name_the_real_action(r53_nv, r53):
    zid = zone_id(r53, "example.com")
    for action in ("CREATE", "UPSERT"):
        resp = expect_error(apply, r53_nv, zid, change(action, {"Name": "www.example.com", "Type": "A", "TTL": 60}),
                            code="InvalidInput", status=400)
        assert f"Action={action}" in error_message(resp), resp["Error"]


def test_zone_ids_are_never_percent_encoded_in_messages(endpoint):
    resp = r53_raw(endpoint, "GET", f"{API}/hostedzone/Z%20BAD")
    assert resp.status == 404, resp.text
    message = error_fields(resp)["Message"]
    assert "Z BAD" in message and "%20" not in message, message
    resp = r53_raw(endpoint, "GET", f"{API}/hostedzone/%2Fhostedzone%2F{MISSING_ZONE_ID}")
    message = error_fields(resp)["Message"]
    assert resp.status == 404 and MISSING_ZONE_ID in message and "%2F" not in message, message


def test_vpc_region_defaults_to_the_signing_region(endpoint, r53):
    # The boto3 client signs for us-east-1: a VPC without VPCRegion is taken to be there.
    east = new_ec2_client(endpoint, region="us-east-1")
    v1 = east.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    v2 = east.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    z = r53.create_hosted_zone(Name="corp.internal", CallerReference=caller_ref(), VPC={"VPCId": v1},
                               HostedZoneConfig={"PrivateZone": True})
    assert z["VPC"] == {"VPCRegion": "us-east-1", "VPCId": v1}
    zid = bare(z["HostedZone"]["Id"])
    r53.associate_vpc_with_hosted_zone(HostedZoneId=zid, VPC={"VPCId": v2})
    assert sorted(v["VPCId"] for v in r53.get_hosted_zone(Id=zid)["VPCs"]) == sorted([v1, v2])
    r53.disassociate_vpc_from_hosted_zone(HostedZoneId=zid, VPC={"VPCId": v2})
    r53.create_vpc_association_authorization(HostedZoneId=zid, VPC={"VPCId": v2})
    assert r53.list_vpc_association_authorizations(HostedZoneId=zid)["VPCs"] == \
        [{"VPCRegion": "us-east-1", "VPCId": v2}]
    r53.delete_vpc_association_authorization(HostedZoneId=zid, VPC={"VPCId": v2})
    # A VPC of another region still needs its VPCRegion.
    tokyo = new_ec2_client(endpoint).create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    expect_error(r53.associate_vpc_with_hosted_zone, HostedZoneId=zid, VPC={"VPCId": tokyo},
                 code="InvalidVPCId", status=400)


# --------------------------------------------------------------------------- aws CLI


def test_health_check_and_delegation_set_with_the_cli(cli):
    config = json.dumps({"Type": "HTTPS", "FullyQualifiedDomainName": "www.example.com", "ResourcePath": "/"})
    hc = cli("route53", "create-health-check", "--caller-reference", "cli-1",
             "--health-check-config", config).json["HealthCheck"]
    assert (hc["HealthCheckConfig"]["Port"], hc["HealthCheckVersion"]) == (443, 1)
    status = cli("route53", "get-health-check-status", "--health-check-id", hc["Id"]).json
    assert len(status["HealthCheckObservations"]) == 8
    res = cli("route53", "get-health-check", "--health-check-id", MISSING_CHECK, check=False)
    assert res.returncode in (254, 255) and "(NoSuchHealthCheck)" in res.stderr, res.stderr
    ds = cli("route53", "create-reusable-delegation-set", "--caller-reference", "cli-set").json["DelegationSet"]
    zone = cli("route53", "create-hosted-zone", "--name", "cli.example", "--caller-reference", "cli-zone",
               "--delegation-set-id", ds["Id"]).json
    assert zone["DelegationSet"]["NameServers"] == ds["NameServers"]
    listed = cli("route53", "list-health-checks").json["HealthChecks"]
    assert [h["Id"] for h in listed] == [hc["Id"]]


# --------------------------------------------------------------------------- durability


def snapshot(r53) -> dict:
    checks = r53.list_health_checks()["HealthChecks"]
    return {
        "checks": checks,
        "tags": {h["Id"]: tag_dict(r53.list_tags_for_resource(ResourceType="healthcheck", ResourceId=h["Id"])
                                   ["ResourceTagSet"]) for h in checks},
        "status": {h["Id"]: r53.get_health_check_status(HealthCheckId=h["Id"])["HealthCheckObservations"]
                   for h in checks},
        "sets": r53.list_reusable_delegation_sets()["DelegationSets"],
        "zones": {bare(z["Id"]): r53.get_hosted_zone(Id=z["Id"])["DelegationSet"]
                  for z in r53.list_hosted_zones()["HostedZones"]},
    }


@pytest.mark.spawns
def test_health_checks_and_delegation_sets_survive_a_restart(spawn_server, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    srv = spawn_server(data_dir=data, accounts=SHARED_ACCOUNTS)
    r53 = new_route53_client(srv.url)
    web = http_check(r53, ref="web")
    r53.change_tags_for_resource(ResourceType="healthcheck", ResourceId=web["Id"],
                                 AddTags=[{"Key": "Name", "Value": "web"}])
    r53.update_health_check(HealthCheckId=web["Id"], FailureThreshold=2)
    gone = http_check(r53, ref="gone")
    r53.delete_health_check(HealthCheckId=gone["Id"])
    r53.create_health_check(CallerReference="calc", HealthCheckConfig={
        "Type": "CALCULATED", "HealthThreshold": 1, "ChildHealthChecks": [web["Id"]]})
    ds = r53.create_reusable_delegation_set(CallerReference="set")["DelegationSet"]
    zid = zone_id(r53, "example.com", DelegationSetId=ds["Id"])
    before = snapshot(r53)

    assert srv.terminate(signal.SIGTERM) == 0, srv.stderr_tail()
    srv.start()
    r53 = new_route53_client(srv.url)
    assert snapshot(r53) == before
    # The deleted check's reference is still taken; the set is still in use.
    expect_error(http_check, r53, ref="gone", code="HealthCheckAlreadyExists", status=409)
    expect_error(r53.delete_reusable_delegation_set, Id=ds["Id"], code="DelegationSetInUse", status=400)
    assert r53.get_health_check(HealthCheckId=web["Id"])["HealthCheck"]["HealthCheckVersion"] == 2
    assert bare(zid) in before["zones"]

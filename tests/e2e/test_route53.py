"""Route 53 hosted zones through boto3 (REST-XML 2013-04-01; docs/aws-semantics.md §3.3-§3.4, §6, §10.2):
public and private zones, their apex records, listings and counts, VPC associations (also
across accounts with authorizations), conflicts with the hidden zones of interface endpoints
with private DNS, record changes as atomic batches, aliases, tags, the error envelope and
persistence across a restart.

Every route53 client here carries route53_helpers' wire-fidelity guard (element names, list
members, types, enums and required members against the botocore model; the ErrorResponse
envelope; the request-id header). Route 53 is global: the clients sign for us-east-1, while the
VPCs they name live in ap-northeast-1 (VPCRegion).

Where AWS's exact answer could not be confirmed the test asserts only what is certain and says
AWS-UNCONFIRMED."""

from __future__ import annotations

import datetime as dt
import re
import signal

import pytest
from botocore.exceptions import ClientError

import helpers
from helpers import (
    ALPHA_ACCOUNT,
    ALPHA_KEY,
    BRAVO_KEY,
    MISSING_VPC_ID,
    NOT_EMULATED,
    SHARED_ACCOUNTS,
    UNKNOWN_KEY_ACCOUNT,
    expect_error,
    new_ec2_client,
    wait_until,
)
from route53_helpers import (
    API,
    CHANGE_ID_RE,
    MISSING_ZONE_ID,
    NS_TTL,
    PHZ_NS_VALUES,
    PHZ_SOA_VALUE,
    R53_XMLNS,
    SOA_TTL,
    ZONE_ID_RE,
    alias,
    apply,
    bare,
    caller_ref,
    change,
    create_zone,
    error_fields,
    keyed,
    new_route53_client,
    r53_raw,
    record_sets,
    reversed_labels,
    rrset,
    values,
    wait_insync,
    zone_id,
    zone_vpcs,
    zones_by_vpc,
)

R = "ap-northeast-1"
SSM = f"com.amazonaws.{R}.ssm"
SSM_DNS = f"ssm.{R}.amazonaws.com"
VPCE_ZONE = "Z2E726K9Y6RL4W"  # ap-northeast-1's public vpce.amazonaws.com zone (docs/aws-semantics.md §3.3)
MISSING_CHANGE_ID = "C0000000000000000000A"


# --------------------------------------------------------------------------- fixtures / helpers


@pytest.fixture
def make_r53(endpoint):
    def factory(access_key: str = helpers.DEFAULT_ACCESS_KEY, **kw):
        return new_route53_client(endpoint, access_key=access_key, **kw)

    return factory


@pytest.fixture
def r53(make_r53):
    """Account 000000000000 (unknown access key), signed for us-east-1."""
    return make_r53()


@pytest.fixture
def r53_nv(make_r53):
    """Without botocore's client-side validation, so the server's own checks are exercised."""
    return make_r53(parameter_validation=False)


@pytest.fixture
def vpc(ec2):
    return ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


@pytest.fixture
def vpc2(ec2):
    return ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]


@pytest.fixture
def dns_vpc(ec2, vpc):
    """`vpc` with enableDnsHostnames on (enableDnsSupport is on by default): private DNS needs both."""
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    return vpc


@pytest.fixture
def subnet_a(ec2, vpc):
    return ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone=f"{R}a")["Subnet"]["SubnetId"]


@pytest.fixture
def subnet_c(ec2, vpc):
    return ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone=f"{R}c")["Subnet"]["SubnetId"]


def vpc_ref(vpc_id: str, region: str = R) -> dict:
    return {"VPCRegion": region, "VPCId": vpc_id}


def describe_endpoint(ec2, vpce_id: str) -> dict:
    [e] = ec2.describe_vpc_endpoints(VpcEndpointIds=[vpce_id])["VpcEndpoints"]
    return e


def ssm_endpoint(ec2, vpc_id: str, subnet_id: str, *, private_dns: bool) -> dict:
    """An SSM interface endpoint, once available (its DnsEntries then carry real zone ids)."""
    e = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=SSM, VpcEndpointType="Interface",
                                SubnetIds=[subnet_id], PrivateDnsEnabled=private_dns)["VpcEndpoint"]
    assert wait_until(lambda: describe_endpoint(ec2, e["VpcEndpointId"])["State"] == "available", timeout=15), \
        describe_endpoint(ec2, e["VpcEndpointId"])
    return describe_endpoint(ec2, e["VpcEndpointId"])


def zone_names(r53) -> list[str]:
    return [z["Name"] for z in r53.list_hosted_zones()["HostedZones"]]


def message(resp: dict) -> str:
    return resp["Error"]["Message"]


def error_code(fn, *args, **kwargs) -> str:
    try:
        fn(*args, **kwargs)
    except ClientError as exc:
        return exc.response["Error"]["Code"]
    raise AssertionError(f"{fn} succeeded")


# --------------------------------------------------------------------------- CreateHostedZone


def test_create_public_zone(r53):
    ref = caller_ref()
    resp = r53.create_hosted_zone(Name="example.com", CallerReference=ref,
                                  HostedZoneConfig={"Comment": "public zone"})
    # docs/aws-semantics.md §6.1 / model: HTTP 201 with a Location header.
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 201
    hz = resp["HostedZone"]
    m = ZONE_ID_RE.match(hz["Id"])
    assert m, hz["Id"]
    assert resp["Location"].endswith(f"/2013-04-01/hostedzone/{m.group(1)}"), resp["Location"]
    assert hz["Name"] == "example.com."
    assert hz["CallerReference"] == ref
    assert hz["Config"] == {"Comment": "public zone", "PrivateZone": False}
    assert hz["ResourceRecordSetCount"] == 2
    info = resp["ChangeInfo"]
    assert CHANGE_ID_RE.match(info["Id"]), info
    assert info["Status"] in ("PENDING", "INSYNC")
    assert abs(info["SubmittedAt"] - helpers.utcnow()) < dt.timedelta(minutes=5), info["SubmittedAt"]
    # Public zones get a delegation set of four name servers, one per top-level domain [OBS].
    servers = resp["DelegationSet"]["NameServers"]
    assert len(set(servers)) == 4, servers
    assert all(re.fullmatch(r"ns-\d+\.awsdns-\d{2}\.(com|net|org|co\.uk)", s) for s in servers), servers
    assert sorted(s.split(".", 2)[2] for s in servers) == ["co.uk", "com", "net", "org"]
    assert "VPC" not in resp

    # A trailing dot in the request changes nothing.
    other = r53.create_hosted_zone(Name="example.org.", CallerReference=caller_ref())["HostedZone"]
    assert other["Name"] == "example.org."
    assert other["Id"] != hz["Id"]


def test_public_zone_apex_ns_and_soa(r53):
    resp = create_zone(r53, "example.com")
    zid = bare(resp["HostedZone"]["Id"])
    sets = record_sets(r53, zid)
    assert [(s["Name"], s["Type"]) for s in sets] == [("example.com.", "NS"), ("example.com.", "SOA")]
    ns, soa = sets
    assert (ns["TTL"], soa["TTL"]) == (NS_TTL, SOA_TTL)
    # The NS record names the delegation set's servers, fully qualified.
    assert sorted(values(ns)) == sorted(s + "." for s in resp["DelegationSet"]["NameServers"])
    [soa_value] = values(soa)
    m = re.fullmatch(r"(\S+) awsdns-hostmaster\.amazon\.com\. 1 7200 900 1209600 86400", soa_value)
    assert m and m.group(1) in values(ns), soa_value


def test_create_private_zone(r53, vpc):
    ref = caller_ref()
    resp = r53.create_hosted_zone(Name="corp.internal", CallerReference=ref, VPC=vpc_ref(vpc),
                                  HostedZoneConfig={"Comment": "private zone", "PrivateZone": True})
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 201
    hz = resp["HostedZone"]
    assert ZONE_ID_RE.match(hz["Id"]) and hz["Name"] == "corp.internal." and hz["CallerReference"] == ref
    assert hz["Config"] == {"Comment": "private zone", "PrivateZone": True}
    assert hz["ResourceRecordSetCount"] == 2
    assert resp["VPC"] == vpc_ref(vpc)
    assert CHANGE_ID_RE.match(resp["ChangeInfo"]["Id"])
    # Private zones have no delegation set.
    assert "DelegationSet" not in resp
    assert resp["Location"].endswith(f"/hostedzone/{bare(hz['Id'])}")

    # docs/aws-semantics.md §6.1: a VPC in the request makes the zone private, even without PrivateZone=true.
    implicit = r53.create_hosted_zone(Name="other.internal", CallerReference=caller_ref(),
                                      VPC=vpc_ref(vpc))["HostedZone"]
    assert implicit["Config"]["PrivateZone"] is True


def test_private_zone_apex_records_are_fixed(r53, vpc):
    zid = zone_id(r53, "corp.internal", vpc=vpc)
    sets = record_sets(r53, zid)
    # docs/aws-semantics.md §6.1 [OBS]: the same NS and SOA values in every private zone.
    assert [(s["Name"], s["Type"], s["TTL"], values(s)) for s in sets] == [
        ("corp.internal.", "NS", NS_TTL, PHZ_NS_VALUES),
        ("corp.internal.", "SOA", SOA_TTL, [PHZ_SOA_VALUE]),
    ]


def test_private_zone_needs_an_existing_vpc_in_that_region(r53, vpc):
    expect_error(create_zone, r53, "corp.internal", vpc=MISSING_VPC_ID, code="InvalidVPCId", status=400)
    # The VPC exists, but in ap-northeast-1, not in the region the request names.
    expect_error(create_zone, r53, "corp.internal", vpc=vpc, region="us-east-1", code="InvalidVPCId", status=400)
    assert zone_names(r53) == []
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == 0


def test_private_zone_needs_a_vpc_of_the_same_account(r53, make_client):
    alpha_vpc = make_client(access_key=ALPHA_KEY).create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    # docs/aws-semantics.md §6.1: the VPC must belong to the account creating the zone (cross-account VPCs are
    # associated afterwards, with an authorization).
    expect_error(create_zone, r53, "corp.internal", vpc=alpha_vpc, code="InvalidVPCId", status=400)
    assert zone_names(r53) == []


def test_caller_reference_is_single_use(r53, make_r53):
    ref = caller_ref()
    first = create_zone(r53, "example.com", ref=ref)["HostedZone"]
    expect_error(create_zone, r53, "example.com", ref=ref, code="HostedZoneAlreadyExists", status=409)
    expect_error(create_zone, r53, "example.net", ref=ref, code="HostedZoneAlreadyExists", status=409)
    assert [z["Id"] for z in r53.list_hosted_zones()["HostedZones"]] == [first["Id"]]
    # Caller references are per account.
    alpha = make_r53(ALPHA_KEY)
    assert create_zone(alpha, "example.com", ref=ref)["HostedZone"]["Id"] != first["Id"]


@pytest.mark.parametrize("name", ["com", "net."])
def test_top_level_domain_alone_is_refused(r53, name):
    expect_error(create_zone, r53, name, code="InvalidDomainName", status=400)
    assert zone_names(r53) == []


# --------------------------------------------------------------------------- GetHostedZone / errors


def test_get_hosted_zone(r53, vpc):
    pub = create_zone(r53, "example.com", comment="pub")
    priv = create_zone(r53, "corp.internal", vpc=vpc, comment="priv")
    # botocore strips the /hostedzone/ prefix; both spellings reach the same zone.
    for zid in (pub["HostedZone"]["Id"], bare(pub["HostedZone"]["Id"])):
        got = r53.get_hosted_zone(Id=zid)
        assert got["HostedZone"] == pub["HostedZone"]
        assert got["DelegationSet"]["NameServers"] == pub["DelegationSet"]["NameServers"]
        assert "VPCs" not in got
    got = r53.get_hosted_zone(Id=priv["HostedZone"]["Id"])
    assert got["HostedZone"] == priv["HostedZone"]
    assert got["VPCs"] == [vpc_ref(vpc)]
    assert "DelegationSet" not in got


def test_unknown_zone_is_404_everywhere(r53, vpc):
    resp = expect_error(r53.get_hosted_zone, Id=MISSING_ZONE_ID, code="NoSuchHostedZone", status=404)
    # docs/aws-semantics.md §10.2: "No hosted zone found with ID: Z123".
    assert f"No hosted zone found with ID: {MISSING_ZONE_ID}" in message(resp)
    kw = dict(code="NoSuchHostedZone", status=404)
    expect_error(r53.list_resource_record_sets, HostedZoneId=MISSING_ZONE_ID, **kw)
    expect_error(apply, r53, MISSING_ZONE_ID, change("CREATE", rrset("a.example.com", "A", "192.0.2.1")), **kw)
    expect_error(r53.delete_hosted_zone, Id=MISSING_ZONE_ID, **kw)
    expect_error(r53.update_hosted_zone_comment, Id=MISSING_ZONE_ID, Comment="x", **kw)
    expect_error(r53.associate_vpc_with_hosted_zone, HostedZoneId=MISSING_ZONE_ID, VPC=vpc_ref(vpc), **kw)
    expect_error(r53.disassociate_vpc_from_hosted_zone, HostedZoneId=MISSING_ZONE_ID, VPC=vpc_ref(vpc), **kw)
    expect_error(r53.list_tags_for_resource, ResourceType="hostedzone", ResourceId=MISSING_ZONE_ID, **kw)
    expect_error(r53.create_vpc_association_authorization, HostedZoneId=MISSING_ZONE_ID, VPC=vpc_ref(vpc), **kw)
    expect_error(r53.list_vpc_association_authorizations, HostedZoneId=MISSING_ZONE_ID, **kw)


def test_record_set_count_follows_changes(r53):
    zid = zone_id(r53, "example.com")
    apply(r53, zid, change("CREATE", rrset("www.example.com", "A", "192.0.2.1")),
          change("CREATE", rrset("mail.example.com", "A", "192.0.2.2")))
    assert r53.get_hosted_zone(Id=zid)["HostedZone"]["ResourceRecordSetCount"] == 4
    apply(r53, zid, change("DELETE", rrset("mail.example.com", "A", "192.0.2.2")))
    assert r53.get_hosted_zone(Id=zid)["HostedZone"]["ResourceRecordSetCount"] == 3
    [listed] = r53.list_hosted_zones()["HostedZones"]
    assert listed["ResourceRecordSetCount"] == 3


# --------------------------------------------------------------------------- listings and counts


def test_list_hosted_zones_pages_with_marker(r53, vpc):
    ids = {zone_id(r53, f"zone{i}.example") for i in range(4)} | {zone_id(r53, "corp.internal", vpc=vpc)}
    full = r53.list_hosted_zones()
    assert full["IsTruncated"] is False and "NextMarker" not in full
    assert full["MaxItems"] == "100"  # the documented default page size
    assert {bare(z["Id"]) for z in full["HostedZones"]} == ids
    private = {z["Name"]: z["Config"]["PrivateZone"] for z in full["HostedZones"]}
    assert private["corp.internal."] is True and private["zone0.example."] is False

    pages, marker = [], None
    for _ in range(10):
        kw = {"MaxItems": "2", **({"Marker": marker} if marker else {})}
        resp = r53.list_hosted_zones(**kw)
        assert resp["MaxItems"] == "2"
        if marker:
            assert resp["Marker"] == marker
        page = [bare(z["Id"]) for z in resp["HostedZones"]]
        if marker:
            # NextMarker is the id of the first zone of the next page.
            assert page[0] == bare(marker), (marker, page)
        pages.append(page)
        if not resp["IsTruncated"]:
            assert "NextMarker" not in resp
            break
        marker = resp["NextMarker"]
    assert [len(p) for p in pages] == [2, 2, 1]
    flat = [z for p in pages for z in p]
    assert len(flat) == len(set(flat)) and set(flat) == ids
    assert flat == [bare(z["Id"]) for z in full["HostedZones"]]


BY_NAME = ["b.example.com", "example.com", "aaa.org", "a.b.example.com", "example.net", "a.example.com"]
# ListHostedZonesByName sorts by name with the labels reversed (com.example.www.).
BY_NAME_ORDER = ["example.com.", "a.example.com.", "b.example.com.", "a.b.example.com.", "example.net.", "aaa.org."]


def test_list_hosted_zones_by_name_order(r53):
    for name in BY_NAME:
        create_zone(r53, name)
    resp = r53.list_hosted_zones_by_name()
    got = [z["Name"] for z in resp["HostedZones"]]
    assert got == BY_NAME_ORDER
    assert got == sorted(got, key=reversed_labels)
    assert resp["IsTruncated"] is False
    assert "NextDNSName" not in resp and "NextHostedZoneId" not in resp


def test_list_hosted_zones_by_name_start_and_pages(r53):
    ids = {f"{name}.": zone_id(r53, name) for name in BY_NAME}
    resp = r53.list_hosted_zones_by_name(DNSName="b.example.com")
    assert [z["Name"] for z in resp["HostedZones"]] == BY_NAME_ORDER[2:]
    # A name without a zone: the list starts at the next name in that order.
    resp = r53.list_hosted_zones_by_name(DNSName="ab.example.com")
    assert [z["Name"] for z in resp["HostedZones"]] == BY_NAME_ORDER[2:]

    got, kw = [], {}
    for _ in range(10):
        resp = r53.list_hosted_zones_by_name(MaxItems="2", **kw)
        assert resp["MaxItems"] == "2"
        names = [z["Name"] for z in resp["HostedZones"]]
        if kw:
            assert names[0] == kw["DNSName"] and bare(resp["HostedZones"][0]["Id"]) == bare(kw["HostedZoneId"])
        got += names
        if not resp["IsTruncated"]:
            break
        kw = {"DNSName": resp["NextDNSName"], "HostedZoneId": resp["NextHostedZoneId"]}
        assert bare(kw["HostedZoneId"]) == ids[kw["DNSName"]]
    assert got == BY_NAME_ORDER


def test_public_and_private_zones_may_share_a_name(r53, vpc):
    pub = zone_id(r53, "example.com")
    priv = zone_id(r53, "example.com", vpc=vpc)
    zones = r53.list_hosted_zones_by_name(DNSName="example.com")["HostedZones"]
    assert sorted((bare(z["Id"]), z["Name"], z["Config"]["PrivateZone"]) for z in zones[:2]) == \
        sorted([(pub, "example.com.", False), (priv, "example.com.", True)])
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == 2


def test_get_hosted_zone_count(r53, make_r53, vpc):
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == 0
    pub = zone_id(r53, "example.com")
    zone_id(r53, "corp.internal", vpc=vpc)
    alpha = make_r53(ALPHA_KEY)
    zone_id(alpha, "alpha.example")
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == 2
    assert alpha.get_hosted_zone_count()["HostedZoneCount"] == 1
    r53.delete_hosted_zone(Id=pub)
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == 1


def test_update_hosted_zone_comment(r53, vpc):
    zid = zone_id(r53, "corp.internal", vpc=vpc, comment="before")
    resp = r53.update_hosted_zone_comment(Id=zid, Comment="after")
    hz = resp["HostedZone"]
    assert bare(hz["Id"]) == zid and hz["Name"] == "corp.internal."
    assert hz["Config"] == {"Comment": "after", "PrivateZone": True}
    assert r53.get_hosted_zone(Id=zid)["HostedZone"]["Config"] == {"Comment": "after", "PrivateZone": True}


def test_hosted_zones_are_per_account(r53, make_r53):
    alpha, bravo = make_r53(ALPHA_KEY), make_r53(BRAVO_KEY)
    zid = zone_id(alpha, "alpha.example")
    assert zone_names(bravo) == [] and zone_names(r53) == []
    assert bravo.list_hosted_zones_by_name()["HostedZones"] == []
    # AWS-UNCONFIRMED whether another account's zone id answers NoSuchHostedZone or AccessDenied.
    not_yours = {"NoSuchHostedZone", "AccessDenied"}
    assert error_code(bravo.get_hosted_zone, Id=zid) in not_yours
    assert error_code(apply, bravo, zid, change("CREATE", rrset("x.alpha.example", "A", "192.0.2.1"))) in not_yours
    assert error_code(bravo.delete_hosted_zone, Id=zid) in not_yours
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == 0
    assert [(s["Name"], s["Type"]) for s in record_sets(alpha, zid)] == \
        [("alpha.example.", "NS"), ("alpha.example.", "SOA")]


# --------------------------------------------------------------------------- DeleteHostedZone


def test_delete_zone_with_records_is_refused(r53):
    zid = zone_id(r53, "example.com")
    www = rrset("www.example.com", "A", "192.0.2.10")
    apply(r53, zid, change("CREATE", www))
    expect_error(r53.delete_hosted_zone, Id=zid, code="HostedZoneNotEmpty", status=400)
    assert r53.get_hosted_zone(Id=zid)["HostedZone"]["ResourceRecordSetCount"] == 3

    apply(r53, zid, change("DELETE", www))
    resp = r53.delete_hosted_zone(Id=zid)
    assert CHANGE_ID_RE.match(resp["ChangeInfo"]["Id"])
    expect_error(r53.get_hosted_zone, Id=zid, code="NoSuchHostedZone", status=404)
    assert zone_names(r53) == []
    expect_error(r53.delete_hosted_zone, Id=zid, code="NoSuchHostedZone", status=404)


def test_deleted_private_zone_releases_its_name_in_the_vpc(r53, vpc):
    zid = zone_id(r53, "corp.internal", vpc=vpc)
    r53.delete_hosted_zone(Id=zid)
    assert zones_by_vpc(r53, vpc) == []
    again = zone_id(r53, "corp.internal", vpc=vpc)
    assert [bare(s["HostedZoneId"]) for s in zones_by_vpc(r53, vpc)] == [again]


# --------------------------------------------------------------------------- VPC associations


def test_associate_a_second_vpc(r53, vpc, vpc2):
    zid = zone_id(r53, "corp.internal", vpc=vpc)
    resp = r53.associate_vpc_with_hosted_zone(HostedZoneId=zid, VPC=vpc_ref(vpc2), Comment="second vpc")
    info = resp["ChangeInfo"]
    assert CHANGE_ID_RE.match(info["Id"]) and info["Status"] in ("PENDING", "INSYNC")
    assert wait_insync(r53, info["Id"])["Status"] == "INSYNC"
    assert zone_vpcs(r53, zid) == sorted([(R, vpc), (R, vpc2)])
    [summary] = zones_by_vpc(r53, vpc2)
    assert bare(summary["HostedZoneId"]) == zid
    assert summary["Name"] == "corp.internal."
    assert summary["Owner"] == {"OwningAccount": UNKNOWN_KEY_ACCOUNT}


def test_disassociate_a_vpc(r53, vpc, vpc2):
    zid = zone_id(r53, "corp.internal", vpc=vpc)
    r53.associate_vpc_with_hosted_zone(HostedZoneId=zid, VPC=vpc_ref(vpc2))
    resp = r53.disassociate_vpc_from_hosted_zone(HostedZoneId=zid, VPC=vpc_ref(vpc), Comment="bye")
    assert CHANGE_ID_RE.match(resp["ChangeInfo"]["Id"])
    assert zone_vpcs(r53, zid) == [(R, vpc2)]
    assert zones_by_vpc(r53, vpc) == []
    assert [bare(s["HostedZoneId"]) for s in zones_by_vpc(r53, vpc2)] == [zid]


def test_last_vpc_cannot_be_disassociated(r53, vpc):
    zid = zone_id(r53, "corp.internal", vpc=vpc)
    expect_error(r53.disassociate_vpc_from_hosted_zone, HostedZoneId=zid, VPC=vpc_ref(vpc),
                 code="LastVPCAssociation", status=400)
    assert zone_vpcs(r53, zid) == [(R, vpc)]


def test_disassociating_a_vpc_that_is_not_associated(ec2, r53, vpc, vpc2):
    # Two VPCs associated, so the answer cannot be LastVPCAssociation.
    zid = zone_id(r53, "corp.internal", vpc=vpc)
    r53.associate_vpc_with_hosted_zone(HostedZoneId=zid, VPC=vpc_ref(vpc2))
    vpc3 = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    expect_error(r53.disassociate_vpc_from_hosted_zone, HostedZoneId=zid, VPC=vpc_ref(vpc3),
                 code="VPCAssociationNotFound", status=404)
    assert zone_vpcs(r53, zid) == sorted([(R, vpc), (R, vpc2)])


def test_public_zone_cannot_take_a_vpc(r53, vpc):
    zid = zone_id(r53, "example.com")
    expect_error(r53.associate_vpc_with_hosted_zone, HostedZoneId=zid, VPC=vpc_ref(vpc),
                 code="PublicZoneVPCAssociation", status=400)
    got = r53.get_hosted_zone(Id=zid)
    assert "VPCs" not in got and got["HostedZone"]["Config"]["PrivateZone"] is False
    assert zones_by_vpc(r53, vpc) == []


def test_associate_unknown_vpc(r53, vpc):
    zid = zone_id(r53, "corp.internal", vpc=vpc)
    expect_error(r53.associate_vpc_with_hosted_zone, HostedZoneId=zid, VPC=vpc_ref(MISSING_VPC_ID),
                 code="InvalidVPCId", status=400)
    expect_error(r53.associate_vpc_with_hosted_zone, HostedZoneId=zid, VPC=vpc_ref(vpc, "eu-west-1"),
                 code="InvalidVPCId", status=400)
    assert zone_vpcs(r53, zid) == [(R, vpc)]


def test_same_name_twice_in_one_vpc_conflicts(r53, vpc, vpc2):
    first = zone_id(r53, "corp.internal", vpc=vpc)
    # docs/aws-semantics.md §6.2: ConflictingDomainExists when the VPC already has a zone of that name.
    expect_error(create_zone, r53, "corp.internal", vpc=vpc, code="ConflictingDomainExists", status=400)
    second = zone_id(r53, "corp.internal", vpc=vpc2)
    expect_error(r53.associate_vpc_with_hosted_zone, HostedZoneId=second, VPC=vpc_ref(vpc),
                 code="ConflictingDomainExists", status=400)
    assert zone_vpcs(r53, second) == [(R, vpc2)]
    assert [bare(s["HostedZoneId"]) for s in zones_by_vpc(r53, vpc)] == [first]
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == 2


def test_parent_and_child_zones_share_a_vpc(r53, vpc):
    parent = zone_id(r53, "example.internal", vpc=vpc)
    child = zone_id(r53, "dev.example.internal", vpc=vpc)
    assert sorted((bare(s["HostedZoneId"]), s["Name"]) for s in zones_by_vpc(r53, vpc)) == \
        sorted([(parent, "example.internal."), (child, "dev.example.internal.")])


def test_list_hosted_zones_by_vpc_pages(r53, vpc, vpc2):
    ids = {zone_id(r53, f"z{i}.internal", vpc=vpc) for i in range(3)}
    zone_id(r53, "elsewhere.internal", vpc=vpc2)
    seen, token = [], None
    for _ in range(10):
        kw = {"VPCId": vpc, "VPCRegion": R, "MaxItems": "1", **({"NextToken": token} if token else {})}
        resp = r53.list_hosted_zones_by_vpc(**kw)
        assert resp["MaxItems"] == "1"
        assert len(resp["HostedZoneSummaries"]) <= 1
        seen += [bare(s["HostedZoneId"]) for s in resp["HostedZoneSummaries"]]
        token = resp.get("NextToken")
        if not token:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == 3


# --------------------------------------------------------------------------- hidden endpoint zones


def test_endpoint_private_dns_name_conflicts_with_a_customer_zone(ec2, r53, dns_vpc, subnet_a, vpc2):
    ssm_endpoint(ec2, dns_vpc, subnet_a, private_dns=True)
    # docs/aws-semantics.md §3.4 [OBS]: the hidden zone ssm.<region>.amazonaws.com is associated with the VPC,
    # so a customer zone of that name cannot be (create or associate).
    resp = expect_error(create_zone, r53, SSM_DNS, vpc=dns_vpc, code="ConflictingDomainExists", status=400)
    assert dns_vpc in message(resp), message(resp)
    assert zone_names(r53) == []
    other = zone_id(r53, SSM_DNS, vpc=vpc2)
    resp = expect_error(r53.associate_vpc_with_hosted_zone, HostedZoneId=other, VPC=vpc_ref(dns_vpc),
                        code="ConflictingDomainExists", status=400)
    assert dns_vpc in message(resp)
    assert zone_vpcs(r53, other) == [(R, vpc2)]


def test_parent_and_sibling_names_of_an_endpoint_zone_do_not_conflict(ec2, r53, dns_vpc, subnet_a):
    ssm_endpoint(ec2, dns_vpc, subnet_a, private_dns=True)
    # docs/aws-semantics.md §3.4 [DOC]: a zone for a parent name does not conflict (most specific zone wins).
    parent = zone_id(r53, f"{R}.amazonaws.com", vpc=dns_vpc)
    sibling = zone_id(r53, f"logs.{R}.amazonaws.com", vpc=dns_vpc)
    assert {bare(s["HostedZoneId"]) for s in zones_by_vpc(r53, dns_vpc)} >= {parent, sibling}


def test_customer_zone_blocks_endpoint_private_dns(ec2, r53, dns_vpc, subnet_a, subnet_c, vpc2):
    zid = zone_id(r53, SSM_DNS, vpc=vpc2)
    r53.associate_vpc_with_hosted_zone(HostedZoneId=zid, VPC=vpc_ref(dns_vpc))

    def create(subnet, private_dns):
        return ec2.create_vpc_endpoint(VpcId=dns_vpc, ServiceName=SSM, VpcEndpointType="Interface",
                                       SubnetIds=[subnet], PrivateDnsEnabled=private_dns)

    # docs/aws-semantics.md §3.4 [OBS]: InvalidParameter "private-dns-enabled cannot be set because there is already
    # a conflicting DNS domain for ssm.ap-northeast-1.amazonaws.com in the VPC vpc-...".
    resp = expect_error(create, subnet_a, True, code="InvalidParameter", status=400)
    assert "conflicting DNS domain" in message(resp) and SSM_DNS in message(resp), message(resp)
    assert ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [dns_vpc]}])["VpcEndpoints"] == []
    # Without private DNS the endpoint is fine.
    create(subnet_a, False)
    # Once the customer zone leaves the VPC, private DNS can be enabled.
    r53.disassociate_vpc_from_hosted_zone(HostedZoneId=zid, VPC=vpc_ref(dns_vpc))
    ep = create(subnet_c, True)["VpcEndpoint"]
    assert ep["PrivateDnsEnabled"] is True


def test_hidden_endpoint_zone_is_not_the_customers(ec2, r53, dns_vpc, subnet_a):
    ep = ssm_endpoint(ec2, dns_vpc, subnet_a, private_dns=True)
    private = [d for d in ep["DnsEntries"] if d["DnsName"] == SSM_DNS]
    assert len(private) == 1, ep["DnsEntries"]
    hidden = private[0]["HostedZoneId"]
    assert re.fullmatch(r"Z[0-9A-Z]+", hidden) and hidden != VPCE_ZONE
    # Never listed or counted in the customer's account.
    assert r53.list_hosted_zones()["HostedZones"] == []
    assert r53.list_hosted_zones_by_name()["HostedZones"] == []
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == 0
    # AWS-owned: the customer can neither read nor change it (AWS-UNCONFIRMED which code).
    not_yours = {"NoSuchHostedZone", "AccessDenied"}
    assert error_code(r53.get_hosted_zone, Id=hidden) in not_yours
    assert error_code(r53.list_resource_record_sets, HostedZoneId=hidden) in not_yours
    assert error_code(apply, r53, hidden, change("CREATE", rrset(f"x.{SSM_DNS}", "A", "192.0.2.1"))) in not_yours
    assert error_code(r53.delete_hosted_zone, Id=hidden) in not_yours


def test_deleting_the_endpoint_frees_the_name(ec2, r53, dns_vpc, subnet_a):
    ep = ssm_endpoint(ec2, dns_vpc, subnet_a, private_dns=True)
    expect_error(create_zone, r53, SSM_DNS, vpc=dns_vpc, code="ConflictingDomainExists", status=400)
    ec2.delete_vpc_endpoints(VpcEndpointIds=[ep["VpcEndpointId"]])
    created: list[str] = []

    def try_create() -> bool:
        try:
            created.append(zone_id(r53, SSM_DNS, vpc=dns_vpc))
            return True
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "ConflictingDomainExists", exc.response
            return False

    assert wait_until(try_create, timeout=15, interval=0.5), "the hidden zone outlived its endpoint"
    assert [bare(s["HostedZoneId"]) for s in zones_by_vpc(r53, dns_vpc)] == created


# --------------------------------------------------------------------------- cross-account


@pytest.fixture
def two_accounts(make_client, make_r53):
    """Alpha (111111111111) owns a private zone on its VPC; Bravo (222222222222) has two VPCs."""
    alpha_ec2, bravo_ec2 = make_client(access_key=ALPHA_KEY), make_client(access_key=BRAVO_KEY)
    alpha, bravo = make_r53(ALPHA_KEY), make_r53(BRAVO_KEY)
    alpha_vpc = alpha_ec2.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
    bravo_vpc = bravo_ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    bravo_vpc2 = bravo_ec2.create_vpc(CidrBlock="10.21.0.0/16")["Vpc"]["VpcId"]
    zid = zone_id(alpha, "shared.internal", vpc=alpha_vpc)
    return dict(alpha=alpha, bravo=bravo, alpha_vpc=alpha_vpc, bravo_vpc=bravo_vpc, bravo_vpc2=bravo_vpc2, zone=zid)


def test_cross_account_association_with_an_authorization(two_accounts):
    t = two_accounts
    alpha, bravo, zid, bvpc = t["alpha"], t["bravo"], t["zone"], t["bravo_vpc"]
    # Without an authorization the VPC owner may not associate: 401 NotAuthorizedException.
    expect_error(bravo.associate_vpc_with_hosted_zone, HostedZoneId=zid, VPC=vpc_ref(bvpc),
                 code="NotAuthorizedException", status=401)

    auth = alpha.create_vpc_association_authorization(HostedZoneId=zid, VPC=vpc_ref(bvpc))
    assert bare(auth["HostedZoneId"]) == zid and auth["VPC"] == vpc_ref(bvpc)
    listed = alpha.list_vpc_association_authorizations(HostedZoneId=zid)
    assert bare(listed["HostedZoneId"]) == zid and listed["VPCs"] == [vpc_ref(bvpc)]
    # The authorization alone associates nothing.
    assert zone_vpcs(alpha, zid) == [(R, t["alpha_vpc"])]

    resp = bravo.associate_vpc_with_hosted_zone(HostedZoneId=zid, VPC=vpc_ref(bvpc))
    assert CHANGE_ID_RE.match(resp["ChangeInfo"]["Id"])
    assert zone_vpcs(alpha, zid) == sorted([(R, t["alpha_vpc"]), (R, bvpc)])
    [summary] = zones_by_vpc(bravo, bvpc)
    assert (bare(summary["HostedZoneId"]), summary["Name"], summary["Owner"]) == \
        (zid, "shared.internal.", {"OwningAccount": ALPHA_ACCOUNT})
    # The zone stays Alpha's: Bravo's own listings do not show it.
    assert zone_names(bravo) == []

    # Deleting the authorization afterwards keeps the association (docs/aws-semantics.md §6.2).
    alpha.delete_vpc_association_authorization(HostedZoneId=zid, VPC=vpc_ref(bvpc))
    assert alpha.list_vpc_association_authorizations(HostedZoneId=zid)["VPCs"] == []
    assert zone_vpcs(alpha, zid) == sorted([(R, t["alpha_vpc"]), (R, bvpc)])
    assert [bare(s["HostedZoneId"]) for s in zones_by_vpc(bravo, bvpc)] == [zid]
    expect_error(alpha.delete_vpc_association_authorization, HostedZoneId=zid, VPC=vpc_ref(bvpc),
                 code="VPCAssociationAuthorizationNotFound", status=404)


def test_authorization_is_for_one_vpc(two_accounts):
    t = two_accounts
    t["alpha"].create_vpc_association_authorization(HostedZoneId=t["zone"], VPC=vpc_ref(t["bravo_vpc"]))
    expect_error(t["bravo"].associate_vpc_with_hosted_zone, HostedZoneId=t["zone"], VPC=vpc_ref(t["bravo_vpc2"]),
                 code="NotAuthorizedException", status=401)
    assert zone_vpcs(t["alpha"], t["zone"]) == [(R, t["alpha_vpc"])]


def test_vpc_owner_can_disassociate_from_another_accounts_zone(two_accounts):
    t = two_accounts
    alpha, bravo, zid, bvpc = t["alpha"], t["bravo"], t["zone"], t["bravo_vpc"]
    alpha.create_vpc_association_authorization(HostedZoneId=zid, VPC=vpc_ref(bvpc))
    bravo.associate_vpc_with_hosted_zone(HostedZoneId=zid, VPC=vpc_ref(bvpc))
    resp = bravo.disassociate_vpc_from_hosted_zone(HostedZoneId=zid, VPC=vpc_ref(bvpc))
    assert CHANGE_ID_RE.match(resp["ChangeInfo"]["Id"])
    assert zone_vpcs(alpha, zid) == [(R, t["alpha_vpc"])]
    assert zones_by_vpc(bravo, bvpc) == []


def test_authorization_errors(two_accounts):
    t = two_accounts
    expect_error(t["alpha"].delete_vpc_association_authorization, HostedZoneId=t["zone"],
                 VPC=vpc_ref(t["bravo_vpc"]), code="VPCAssociationAuthorizationNotFound", status=404)
    # Only the zone's owner authorizes (AWS-UNCONFIRMED which 4xx another account gets).
    code = error_code(t["bravo"].create_vpc_association_authorization, HostedZoneId=t["zone"],
                      VPC=vpc_ref(t["bravo_vpc"]))
    assert code in {"NoSuchHostedZone", "AccessDenied", "NotAuthorizedException"}, code
    assert t["alpha"].list_vpc_association_authorizations(HostedZoneId=t["zone"])["VPCs"] == []


# --------------------------------------------------------------------------- ChangeResourceRecordSets


RECORDS = [
    rrset("example.com", "A", "192.0.2.1", "192.0.2.2", ttl=60),
    rrset("example.com", "TXT", '"v=spf1 -all"', '"hello world" "second string"'),
    rrset("example.com", "MX", "10 mail.example.com.", "20 mail2.example.com."),
    rrset("example.com", "CAA", '0 issue "amazon.com"'),
    rrset("www.example.com", "AAAA", "2001:db8::1"),
    rrset("web.example.com", "CNAME", "www.example.com."),
    rrset("_sip._tcp.example.com", "SRV", "1 10 5060 sip.example.com."),
    rrset("ptr.example.com", "PTR", "host.example.com."),
    rrset("sub.example.com", "NS", "ns1.example.net.", "ns2.example.net.", ttl=86400),
]


def test_records_of_each_type_round_trip(r53):
    zid = zone_id(r53, "example.com")
    resp = apply(r53, zid, *[change("CREATE", r) for r in RECORDS])
    assert CHANGE_ID_RE.match(resp["ChangeInfo"]["Id"])
    got = keyed(record_sets(r53, zid))
    for r in RECORDS:
        rec = got.get((r["Name"] + ".", r["Type"]))
        assert rec is not None, (r, sorted(got))
        assert (rec["TTL"], values(rec)) == (r["TTL"], values(r)), (r, rec)
        assert "AliasTarget" not in rec
    assert len(got) == 2 + len(RECORDS)
    assert r53.get_hosted_zone(Id=zid)["HostedZone"]["ResourceRecordSetCount"] == 2 + len(RECORDS)


def test_upsert_creates_then_replaces(r53):
    zid = zone_id(r53, "example.com")
    apply(r53, zid, change("UPSERT", rrset("api.example.com", "A", "192.0.2.1")))
    apply(r53, zid, change("UPSERT", rrset("api.example.com", "A", "192.0.2.7", "192.0.2.8", ttl=30)))
    api = [s for s in record_sets(r53, zid) if s["Name"] == "api.example.com."]
    assert [(s["Type"], s["TTL"], values(s)) for s in api] == [("A", 30, ["192.0.2.7", "192.0.2.8"])]


def test_create_of_an_existing_record(r53):
    zid = zone_id(r53, "example.com")
    apply(r53, zid, change("CREATE", rrset("www.example.com", "A", "192.0.2.1")))
    resp = expect_error(apply, r53, zid, change("CREATE", rrset("www.example.com", "A", "192.0.2.99")),
                        code="InvalidChangeBatch", status=400)
    assert ("Tried to create resource record set [name='www.example.com.', type='A'] but it already exists"
            in message(resp)), message(resp)
    assert values(keyed(record_sets(r53, zid))[("www.example.com.", "A")]) == ["192.0.2.1"]


def test_delete_needs_the_current_values(r53):
    zid = zone_id(r53, "example.com")
    apply(r53, zid, change("CREATE", rrset("www.example.com", "A", "192.0.2.1", ttl=300)))
    resp = expect_error(apply, r53, zid, change("DELETE", rrset("www.example.com", "A", "192.0.2.99", ttl=300)),
                        code="InvalidChangeBatch", status=400)
    assert ("Tried to delete resource record set [name='www.example.com.', type='A'] but the values provided "
            "do not match the current values" in message(resp)), message(resp)
    # The TTL is one of the values.
    resp = expect_error(apply, r53, zid, change("DELETE", rrset("www.example.com", "A", "192.0.2.1", ttl=60)),
                        code="InvalidChangeBatch", status=400)
    assert "do not match the current values" in message(resp)
    assert ("www.example.com.", "A") in keyed(record_sets(r53, zid))
    apply(r53, zid, change("DELETE", rrset("www.example.com", "A", "192.0.2.1", ttl=300)))
    assert ("www.example.com.", "A") not in keyed(record_sets(r53, zid))


def test_delete_of_a_missing_record(r53):
    zid = zone_id(r53, "example.com")
    resp = expect_error(apply, r53, zid, change("DELETE", rrset("x.example.com", "A", "192.0.2.1")),
                        code="InvalidChangeBatch", status=400)
    assert ("Tried to delete resource record set [name='x.example.com.', type='A'] but it was not found"
            in message(resp)), message(resp)


def test_a_batch_applies_all_or_nothing(r53):
    zid = zone_id(r53, "example.com")
    www = rrset("www.example.com", "A", "192.0.2.1")
    apply(r53, zid, change("CREATE", www))
    before = record_sets(r53, zid)
    # The second change fails: the first one is not applied either.
    expect_error(apply, r53, zid, change("CREATE", rrset("new.example.com", "A", "192.0.2.5")),
                 change("CREATE", rrset("www.example.com", "A", "192.0.2.6")),
                 code="InvalidChangeBatch", status=400)
    # A valid DELETE followed by an invalid CREATE: the record survives.
    expect_error(apply, r53, zid, change("DELETE", www), change("CREATE", rrset("bad.example.com", "A", "not-an-ip")),
                 code="InvalidChangeBatch", status=400)
    # Deleting the same record set twice in one batch is refused.
    expect_error(apply, r53, zid, change("DELETE", www), change("DELETE", www), code="InvalidChangeBatch", status=400)
    assert record_sets(r53, zid) == before
    assert r53.get_hosted_zone(Id=zid)["HostedZone"]["ResourceRecordSetCount"] == 3


def test_delete_and_create_of_one_name_in_one_batch(r53):
    # The documented example: delete the CNAME for www and create another record for www at once.
    zid = zone_id(r53, "example.com")
    cname = rrset("www.example.com", "CNAME", "web.example.net.")
    apply(r53, zid, change("CREATE", cname))
    apply(r53, zid, change("DELETE", cname), change("CREATE", rrset("www.example.com", "A", "192.0.2.80")))
    www = [(s["Type"], values(s)) for s in record_sets(r53, zid) if s["Name"] == "www.example.com."]
    assert www == [("A", ["192.0.2.80"])]
    # The same record set deleted and created again with new values (replacing it in one
    # batch); a third change to it in the batch is refused.
    old = rrset("www.example.com", "A", "192.0.2.80")
    new = rrset("www.example.com", "A", "192.0.2.81")
    apply(r53, zid, change("DELETE", old), change("CREATE", new))
    www = [(s["Type"], values(s)) for s in record_sets(r53, zid) if s["Name"] == "www.example.com."]
    assert www == [("A", ["192.0.2.81"])]
    expect_error(apply, r53, zid, change("DELETE", new), change("CREATE", old), change("UPSERT", new),
                 code="InvalidChangeBatch", status=400)
    expect_error(apply, r53, zid, change("UPSERT", new), change("UPSERT", old), code="InvalidChangeBatch", status=400)


def test_cname_at_the_apex_is_refused(r53, vpc):
    for zid, apex in ((zone_id(r53, "example.com"), "example.com"),
                      (zone_id(r53, "corp.internal", vpc=vpc), "corp.internal")):
        resp = expect_error(apply, r53, zid, change("CREATE", rrset(apex, "CNAME", "target.example.net.")),
                            code="InvalidChangeBatch", status=400)
        # [OBS] "RRSet of type CNAME with DNS name example.com. is not permitted at apex in zone example.com."
        assert "is not permitted at apex" in message(resp), message(resp)
        assert len(record_sets(r53, zid)) == 2


def test_cname_cannot_share_its_name(r53):
    zid = zone_id(r53, "example.com")
    apply(r53, zid, change("CREATE", rrset("www.example.com", "A", "192.0.2.1")),
          change("CREATE", rrset("web.example.com", "CNAME", "www.example.com.")))
    # [OBS] "... is not permitted as it conflicts with other records with the same DNS name ..."
    resp = expect_error(apply, r53, zid, change("CREATE", rrset("www.example.com", "CNAME", "x.example.net.")),
                        code="InvalidChangeBatch", status=400)
    assert "is not permitted" in message(resp) and "conflict" in message(resp), message(resp)
    # [OBS] "... is not permitted because a conflicting RRSet of type CNAME with the same DNS name ..."
    resp = expect_error(apply, r53, zid, change("CREATE", rrset("web.example.com", "TXT", '"x"')),
                        code="InvalidChangeBatch", status=400)
    assert "is not permitted" in message(resp) and "conflict" in message(resp), message(resp)
    assert len(record_sets(r53, zid)) == 4


@pytest.mark.parametrize("rtype,value", [("A", "not-an-ip"), ("A", "256.1.1.1"), ("AAAA", "192.0.2.1")])
def test_invalid_record_values(r53, rtype, value):
    zid = zone_id(r53, "example.com")
    resp = expect_error(apply, r53, zid, change("CREATE", rrset("bad.example.com", rtype, value)),
                        code="InvalidChangeBatch", status=400)
    # [OBS] AWS (2017 and 2022 reports): "[Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address
    # (Value is not a valid IPv4 address) encountered with 'not-an-ip'']" (AAAA: AAAARRDATAIllegalIPv6Address).
    assert "Invalid Resource Record" in message(resp) and "FATAL problem" in message(resp), message(resp)
    assert len(record_sets(r53, zid)) == 2


@pytest.mark.parametrize("name", ["www.example.net", "notexample.com", "com"])
def test_record_outside_the_zone(r53, name):
    zid = zone_id(r53, "example.com")
    resp = expect_error(apply, r53, zid, change("CREATE", rrset(name, "A", "192.0.2.1")),
                        code="InvalidChangeBatch", status=400)
    # [OBS] "RRSet with DNS name www.example.net. is not permitted in zone example.com."
    assert "is not permitted in zone" in message(resp), message(resp)


def test_unknown_record_type_is_invalid_input(r53):
    # botocore does not check enums, so the bad type reaches the server.
    zid = zone_id(r53, "example.com")
    expect_error(apply, r53, zid, change("CREATE", rrset("x.example.com", "BOGUS", "1")), code="InvalidInput", status=400)
    assert len(record_sets(r53, zid)) == 2


def test_names_too_long(r53):
    zid = zone_id(r53, "example.com")
    resp = expect_error(apply, r53, zid, change("CREATE", rrset("a" * 64 + ".example.com", "A", "192.0.2.1")),
                        code="InvalidChangeBatch", status=400)
    # [OBS] "FATAL problem: DomainLabelTooLong (Domain label is too long) encountered with '...'".
    assert "DomainLabelTooLong" in message(resp), message(resp)
    # Labels of 63 are fine; a whole name beyond 255 bytes is not (AWS-UNCONFIRMED which code).
    ok = "b" * 63 + ".example.com"
    apply(r53, zid, change("CREATE", rrset(ok, "A", "192.0.2.1")))
    assert (ok + ".", "A") in keyed(record_sets(r53, zid))
    long_name = ".".join(["c" * 63] * 4) + ".example.com"
    expect_error(apply, r53, zid, change("CREATE", rrset(long_name, "A", "192.0.2.1")),
                 code=("InvalidChangeBatch", "InvalidInput"), status=400)


def test_ttl_and_alias_are_exclusive(r53):
    zid = zone_id(r53, "example.com")
    apply(r53, zid, change("CREATE", rrset("www.example.com", "A", "192.0.2.1")))
    # [OBS] "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or
    # TrafficPolicyInstanceId], but found none in Change with [Action=CREATE, Name=..., Type=A, ...]".
    resp = expect_error(apply, r53, zid, change("CREATE", rrset("x.example.com", "A", "192.0.2.1", ttl=None)),
                        code="InvalidInput", status=400)
    assert "Expected exactly one of" in message(resp), message(resp)
    # An alias that also carries a TTL and values: "... but found more than one ...".
    both = alias("y.example.com", "A", zid, "www.example.com")
    both.update(TTL=60, ResourceRecords=[{"Value": "192.0.2.2"}])
    expect_error(apply, r53, zid, change("CREATE", both), code="InvalidInput", status=400)
    assert len(record_sets(r53, zid)) == 3


def test_wildcard_names_are_escaped(r53):
    zid = zone_id(r53, "example.com")
    apply(r53, zid, change("CREATE", rrset("*.example.com", "A", "192.0.2.1")),
          change("CREATE", rrset("*.dev.example.com", "TXT", '"dev"')))
    names = [s["Name"] for s in record_sets(r53, zid)]
    # docs/aws-semantics.md §6.3: stored and returned as \052.
    assert "\\052.example.com." in names and "\\052.dev.example.com." in names, names
    assert not any("*" in n for n in names), names
    # Both spellings address the record: delete one with *, the other as listed (\052).
    apply(r53, zid, change("DELETE", rrset("*.example.com", "A", "192.0.2.1")))
    listed = keyed(record_sets(r53, zid))[("\\052.dev.example.com.", "TXT")]
    apply(r53, zid, change("DELETE", listed))
    assert [s["Type"] for s in record_sets(r53, zid)] == ["NS", "SOA"]


def test_apex_ns_and_soa_cannot_be_deleted(r53):
    zid = zone_id(r53, "example.com")
    before = record_sets(r53, zid)
    for rec in before:
        expect_error(apply, r53, zid, change("DELETE", rec), code="InvalidChangeBatch", status=400)
    expect_error(apply, r53, zid, change("CREATE", rrset("example.com", "SOA", PHZ_SOA_VALUE, ttl=900)),
                 code="InvalidChangeBatch", status=400)
    assert record_sets(r53, zid) == before


# --------------------------------------------------------------------------- alias records


def test_alias_to_an_interface_endpoint(ec2, r53, vpc, subnet_a):
    ep = ssm_endpoint(ec2, vpc, subnet_a, private_dns=False)
    regional = ep["DnsEntries"][0]
    assert regional["HostedZoneId"] == VPCE_ZONE, regional
    zid = zone_id(r53, "ssm.corp.internal", vpc=vpc)
    apply(r53, zid,
          change("CREATE", alias("ssm.corp.internal", "A", regional["HostedZoneId"], regional["DnsName"])),
          change("CREATE", alias("*.ssm.corp.internal", "A", regional["HostedZoneId"], regional["DnsName"])))
    got = keyed(record_sets(r53, zid))
    for name in ("ssm.corp.internal.", "\\052.ssm.corp.internal."):
        rec = got[(name, "A")]
        assert rec["AliasTarget"] == {"HostedZoneId": VPCE_ZONE, "DNSName": regional["DnsName"] + ".",
                                      "EvaluateTargetHealth": False}, rec
        # Alias records have no TTL and no values of their own.
        assert "TTL" not in rec and "ResourceRecords" not in rec, rec
    assert r53.get_hosted_zone(Id=zid)["HostedZone"]["ResourceRecordSetCount"] == 4
    # DELETE names the same alias target.
    apply(r53, zid, change("DELETE", alias("ssm.corp.internal", "A", VPCE_ZONE, regional["DnsName"])))
    assert ("ssm.corp.internal.", "A") not in keyed(record_sets(r53, zid))


def test_alias_to_a_record_of_the_same_zone(r53):
    zid = zone_id(r53, "example.com")
    apply(r53, zid, change("CREATE", rrset("www.example.com", "A", "192.0.2.1")))
    apply(r53, zid, change("CREATE", alias("app.example.com", "A", zid, "www.example.com")))
    rec = keyed(record_sets(r53, zid))[("app.example.com.", "A")]
    assert rec["AliasTarget"] == {"HostedZoneId": zid, "DNSName": "www.example.com.", "EvaluateTargetHealth": False}
    assert "TTL" not in rec
    # [OBS] "Tried to create an alias that targets nothing.example.com., type A in zone Z..., but that
    # target was not found".
    resp = expect_error(apply, r53, zid, change("CREATE", alias("ghost.example.com", "A", zid, "nothing.example.com")),
                        code="InvalidChangeBatch", status=400)
    assert "not found" in message(resp), message(resp)


# --------------------------------------------------------------------------- GetChange


def test_get_change(r53):
    created = create_zone(r53, "example.com")
    zid = bare(created["HostedZone"]["Id"])
    resp = apply(r53, zid, change("CREATE", rrset("www.example.com", "A", "192.0.2.1")), comment="first record")
    info = resp["ChangeInfo"]
    assert info["Status"] in ("PENDING", "INSYNC")
    assert info.get("Comment") == "first record"
    done = wait_insync(r53, info["Id"])
    assert (done["Id"], done["Status"]) == (info["Id"], "INSYNC")
    assert done["SubmittedAt"] == info["SubmittedAt"]
    # The zone's creation is a change of its own.
    assert wait_insync(r53, created["ChangeInfo"]["Id"])["Status"] == "INSYNC"
    expect_error(r53.get_change, Id=MISSING_CHANGE_ID, code="NoSuchChange", status=404)


# --------------------------------------------------------------------------- ListResourceRecordSets


ORDER_RECORDS = [
    rrset("a.b.example.com", "A", "192.0.2.4"),
    rrset("z.example.com", "A", "192.0.2.26"),
    rrset("b.example.com", "A", "192.0.2.3"),
    rrset("example.com", "TXT", '"apex"'),
    rrset("a.example.com", "AAAA", "2001:db8::1"),
    rrset("a-b.example.com", "A", "192.0.2.9"),
    rrset("a.example.com", "A", "192.0.2.1"),
    rrset("example.com", "A", "192.0.2.100"),
]
# Names with the labels reversed (com.example.a.), then by type. "a-b" sorts before "a" because
# "-" (45) is below the trailing "." (46), as the API reference warns.
ORDER = [("example.com.", "A"), ("example.com.", "NS"), ("example.com.", "SOA"), ("example.com.", "TXT"),
         ("a-b.example.com.", "A"), ("a.example.com.", "A"), ("a.example.com.", "AAAA"),
         ("b.example.com.", "A"), ("a.b.example.com.", "A"), ("z.example.com.", "A")]


@pytest.fixture
def ordered_zone(r53):
    zid = zone_id(r53, "example.com")
    apply(r53, zid, *[change("CREATE", r) for r in ORDER_RECORDS])
    return zid


def test_list_resource_record_sets_order(r53, ordered_zone):
    resp = r53.list_resource_record_sets(HostedZoneId=ordered_zone)
    assert resp["IsTruncated"] is False and "NextRecordName" not in resp
    got = [(s["Name"], s["Type"]) for s in resp["ResourceRecordSets"]]
    assert got == ORDER
    assert [n for n, _ in got] == sorted((n for n, _ in got), key=reversed_labels)


def test_list_resource_record_sets_pages(r53, ordered_zone):
    pages, start = [], {}
    for _ in range(10):
        resp = r53.list_resource_record_sets(HostedZoneId=ordered_zone, MaxItems="3", **start)
        assert resp["MaxItems"] == "3"
        page = [(s["Name"], s["Type"]) for s in resp["ResourceRecordSets"]]
        if start:
            # The next page starts at NextRecordName / NextRecordType.
            assert page[0] == (start["StartRecordName"], start["StartRecordType"]), (start, page)
        pages.append(page)
        if not resp["IsTruncated"]:
            assert "NextRecordName" not in resp and "NextRecordType" not in resp
            break
        start = {"StartRecordName": resp["NextRecordName"], "StartRecordType": resp["NextRecordType"]}
    assert [len(p) for p in pages] == [3, 3, 3, 1]
    assert [k for p in pages for k in p] == ORDER
    assert [(s["Name"], s["Type"]) for s in record_sets(r53, ordered_zone, page_size=1)] == ORDER


def test_list_resource_record_sets_start(r53, ordered_zone):
    def first(**kw):
        s = r53.list_resource_record_sets(HostedZoneId=ordered_zone, MaxItems="1", **kw)["ResourceRecordSets"][0]
        return (s["Name"], s["Type"])

    assert first(StartRecordName="b.example.com") == ("b.example.com.", "A")
    assert first(StartRecordName="a.example.com", StartRecordType="AAAA") == ("a.example.com.", "AAAA")
    assert first(StartRecordName="example.com", StartRecordType="SOA") == ("example.com.", "SOA")
    # A name without records: the first name after it in that order.
    assert first(StartRecordName="ab.example.com") == ("b.example.com.", "A")
    # Documented: a type without a name is InvalidInput.
    expect_error(r53.list_resource_record_sets, HostedZoneId=ordered_zone, StartRecordType="A",
                 code="InvalidInput", status=400)


# --------------------------------------------------------------------------- tags


def tag_dict(tag_set: dict) -> dict:
    return {t["Key"]: t["Value"] for t in tag_set.get("Tags", [])}


def test_hosted_zone_tags(r53, vpc):
    z1 = zone_id(r53, "example.com")
    z2 = zone_id(r53, "corp.internal", vpc=vpc)
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=z1,
                                 AddTags=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "net"}])
    ts = r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=z1)["ResourceTagSet"]
    assert (ts["ResourceType"], ts["ResourceId"]) == ("hostedzone", z1)
    assert tag_dict(ts) == {"env": "dev", "team": "net"}

    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=z1,
                                 AddTags=[{"Key": "env", "Value": "prod"}], RemoveTagKeys=["team"])
    assert tag_dict(r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=z1)["ResourceTagSet"]) == \
        {"env": "prod"}
    assert tag_dict(r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=z2)["ResourceTagSet"]) == {}

    sets = r53.list_tags_for_resources(ResourceType="hostedzone", ResourceIds=[z1, z2])["ResourceTagSets"]
    assert {s["ResourceId"]: (s["ResourceType"], tag_dict(s)) for s in sets} == \
        {z1: ("hostedzone", {"env": "prod"}), z2: ("hostedzone", {})}

    expect_error(r53.change_tags_for_resource, ResourceType="hostedzone", ResourceId=MISSING_ZONE_ID,
                 AddTags=[{"Key": "k", "Value": "v"}], code="NoSuchHostedZone", status=404)
    r53.delete_hosted_zone(Id=z1)
    expect_error(r53.list_tags_for_resource, ResourceType="hostedzone", ResourceId=z1,
                 code="NoSuchHostedZone", status=404)


# --------------------------------------------------------------------------- wire: raw requests


def assert_route53_error(resp, status: int, codes) -> dict:
    assert resp.status == status, (resp.status, resp.text)
    assert "xml" in resp.headers.get("content-type", ""), resp.headers
    f = error_fields(resp)
    assert (f["_root"], f["_ns"]) == ("ErrorResponse", R53_XMLNS), resp.text
    assert f.get("Type") == "Sender", resp.text
    assert f.get("Code") in ({codes} if isinstance(codes, str) else set(codes)), resp.text
    assert f.get("RequestId"), resp.text
    return f


def test_error_envelope(endpoint):
    resp = r53_raw(endpoint, "GET", f"{API}/hostedzone/{MISSING_ZONE_ID}")
    f = assert_route53_error(resp, 404, "NoSuchHostedZone")
    assert MISSING_ZONE_ID in f["Message"]


def test_create_hosted_zone_on_the_wire(endpoint, r53):
    body = (f'<?xml version="1.0" encoding="UTF-8"?><CreateHostedZoneRequest xmlns="{R53_XMLNS}">'
            f'<Name>wire.example</Name><CallerReference>{caller_ref()}</CallerReference>'
            f'</CreateHostedZoneRequest>').encode()
    resp = r53_raw(endpoint, "POST", f"{API}/hostedzone", body=body)
    assert resp.status == 201, resp.text
    root = resp.xml()
    assert root.tag == f"{{{R53_XMLNS}}}CreateHostedZoneResponse", root.tag
    zid = root.find(f"{{{R53_XMLNS}}}HostedZone/{{{R53_XMLNS}}}Id").text
    assert ZONE_ID_RE.match(zid), zid
    assert resp.headers.get("location", "").endswith(f"/2013-04-01/hostedzone/{bare(zid)}"), resp.headers
    assert resp.headers.get("x-amzn-requestid") or resp.headers.get("x-amz-request-id"), resp.headers
    assert zone_names(r53) == ["wire.example."]


def test_malformed_xml_body(endpoint, r53):
    body = (f'<?xml version="1.0"?><CreateHostedZoneRequest xmlns="{R53_XMLNS}"><Name>example.com</Name>'
            f'<CallerReference>x').encode()
    # AWS-UNCONFIRMED which: MalformedInput ("Could not parse XML") [OBS] or InvalidInput ("Invalid XML ; ...").
    assert_route53_error(r53_raw(endpoint, "POST", f"{API}/hostedzone", body=body), 400,
                         ("MalformedInput", "InvalidInput"))
    # The wrong root element for the operation.
    wrong = f'<ChangeResourceRecordSetsRequest xmlns="{R53_XMLNS}"/>'.encode()
    assert_route53_error(r53_raw(endpoint, "POST", f"{API}/hostedzone", body=wrong), 400,
                         ("MalformedInput", "InvalidInput"))
    assert zone_names(r53) == []


def test_missing_required_element_is_invalid_input(r53, r53_nv):
    # [OBS] "Invalid XML ; cvc-complex-type.2.4.b: The content of element ... is not complete".
    expect_error(r53_nv.create_hosted_zone, Name="example.com", code="InvalidInput", status=400)
    zid = zone_id(r53, "example.com")
    expect_error(r53_nv.change_resource_record_sets, HostedZoneId=zid,
                 ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": {"Type": "A", "TTL": 60,
                                           "ResourceRecords": [{"Value": "192.0.2.1"}]}}]},
                 code="InvalidInput", status=400)
    expect_error(r53_nv.change_resource_record_sets, HostedZoneId=zid, ChangeBatch={"Changes": []},
                 code="InvalidInput", status=400)
    assert zone_names(r53) == ["example.com."]


# --------------------------------------------------------------------------- durability


def route53_snapshot(r53, alpha) -> dict:
    zones = sorted(r53.list_hosted_zones()["HostedZones"], key=lambda z: z["Id"])
    detail = {}
    for z in zones:
        zid = bare(z["Id"])
        got = r53.get_hosted_zone(Id=zid)
        got.pop("ResponseMetadata")
        got["VPCs"] = sorted(got.get("VPCs", []), key=lambda v: v["VPCId"])
        detail[zid] = {
            "zone": got,
            "records": record_sets(r53, zid),
            "tags": tag_dict(r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zid)["ResourceTagSet"]),
        }
    alpha_zones = sorted(alpha.list_hosted_zones()["HostedZones"], key=lambda z: z["Id"])
    auths = {bare(z["Id"]): alpha.list_vpc_association_authorizations(HostedZoneId=z["Id"])["VPCs"]
             for z in alpha_zones}
    return {"zones": zones, "detail": detail, "count": r53.get_hosted_zone_count()["HostedZoneCount"],
            "alpha_zones": alpha_zones, "alpha_auths": auths}


@pytest.mark.spawns
def test_zones_and_records_survive_a_restart(spawn_server, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    srv = spawn_server(data_dir=data, accounts=SHARED_ACCOUNTS)
    ec2, r53 = new_ec2_client(srv.url), new_route53_client(srv.url)
    alpha = new_route53_client(srv.url, access_key=ALPHA_KEY)
    alpha_ec2, bravo_ec2 = new_ec2_client(srv.url, access_key=ALPHA_KEY), new_ec2_client(srv.url, access_key=BRAVO_KEY)
    v1 = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    v2 = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]

    pub = zone_id(r53, "example.com", comment="public")
    apply(r53, pub, *[change("CREATE", r) for r in RECORDS], change("CREATE", rrset("*.example.com", "A", "192.0.2.9")))
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=pub, AddTags=[{"Key": "env", "Value": "prod"}])
    priv = zone_id(r53, "corp.internal", vpc=v1)
    r53.associate_vpc_with_hosted_zone(HostedZoneId=priv, VPC=vpc_ref(v2))
    apply(r53, priv, change("CREATE", rrset("db.corp.internal", "A", "10.0.1.5")),
          change("CREATE", alias("app.corp.internal", "A", priv, "db.corp.internal")))
    change_id = apply(r53, priv, change("UPSERT", rrset("db.corp.internal", "A", "10.0.1.6")))["ChangeInfo"]["Id"]
    doomed = zone_id(r53, "doomed.example")
    r53.delete_hosted_zone(Id=doomed)
    alpha_vpc = alpha_ec2.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
    bravo_vpc = bravo_ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    shared = zone_id(alpha, "shared.internal", vpc=alpha_vpc)
    alpha.create_vpc_association_authorization(HostedZoneId=shared, VPC=vpc_ref(bravo_vpc))

    before = route53_snapshot(r53, alpha)
    assert srv.terminate(signal.SIGTERM) == 0, srv.stderr_tail()
    srv.start()
    r53, alpha = new_route53_client(srv.url), new_route53_client(srv.url, access_key=ALPHA_KEY)
    bravo = new_route53_client(srv.url, access_key=BRAVO_KEY)
    assert route53_snapshot(r53, alpha) == before
    assert r53.get_change(Id=change_id)["ChangeInfo"]["Status"] == "INSYNC"
    expect_error(r53.get_hosted_zone, Id=doomed, code="NoSuchHostedZone", status=404)
    # The authorization still works after the restart, and ids stay unique.
    bravo.associate_vpc_with_hosted_zone(HostedZoneId=shared, VPC=vpc_ref(bravo_vpc))
    assert [bare(s["HostedZoneId"]) for s in zones_by_vpc(bravo, bravo_vpc)] == [shared]
    fresh = zone_id(r53, "fresh.example")
    assert fresh not in {pub, priv, doomed, shared}
    assert [bare(s["HostedZoneId"]) for s in zones_by_vpc(r53, v2)] == [priv]


# --------------------------------------------------------------------------- the guard itself


def test_route53_wire_guard_rejects_deviations():
    """The guard is not vacuous: the same answer AWS gives passes, each deviation is named.
    (No server involved: the operation models come from botocore.)"""
    from route53_helpers import check_route53_response

    model = helpers._shared_session().client(
        "route53", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b").meta.service_model
    create, listing = model.operation_model("CreateHostedZone"), model.operation_model("ListResourceRecordSets")
    hdr = {"x-amzn-RequestId": "0b1c2d3e-example"}
    good = (f'<?xml version="1.0"?><CreateHostedZoneResponse xmlns="{R53_XMLNS}"><HostedZone>'
            "<Id>/hostedzone/Z0123456789ABCDEFGHIJ</Id><Name>corp.internal.</Name><CallerReference>r</CallerReference>"
            "<Config><PrivateZone>true</PrivateZone></Config><ResourceRecordSetCount>2</ResourceRecordSetCount>"
            "</HostedZone><ChangeInfo><Id>/change/C0123456789ABC</Id><Status>PENDING</Status>"
            "<SubmittedAt>2024-01-01T00:00:00.000Z</SubmittedAt></ChangeInfo><VPC><VPCRegion>ap-northeast-1</VPCRegion>"
            "<VPCId>vpc-0123456789abcdef0</VPCId></VPC></CreateHostedZoneResponse>")
    assert check_route53_response(create, 201, hdr, good.encode()) == []

    def problems(status=201, headers=hdr, old="", new=""):
        return " | ".join(check_route53_response(create, status, headers, good.replace(old, new).encode()))

    assert "AWS answers 201" in problems(status=200)
    assert "request-id" in problems(headers={})
    assert "root namespace" in problems(old=R53_XMLNS, new="https://route53.amazonaws.com/doc/2012-12-12/")
    assert "expected <CreateHostedZoneResponse>" in problems(old="CreateHostedZoneResponse", new="CreateHostedZone")
    assert "required member <Id>" in problems(old="<Id>/hostedzone/Z0123456789ABCDEFGHIJ</Id>")
    assert "not in enum ChangeStatus" in problems(old="PENDING", new="DONE")
    assert "boolean" in problems(old="<PrivateZone>true", new="<PrivateZone>True")
    assert "belongs in an HTTP header" in problems(old="</CreateHostedZoneResponse>",
                                                  new="<Location>x</Location></CreateHostedZoneResponse>")
    assert "unknown element <HostedZoneId>" in problems(old="<VPC>", new="<HostedZoneId>Z1</HostedZoneId><VPC>")

    rrsets = (f'<ListResourceRecordSetsResponse xmlns="{R53_XMLNS}"><ResourceRecordSets><ResourceRecordSet>'
              "<Name>a.example.com.</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord>"
              "<Value>192.0.2.1</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></ResourceRecordSets>"
              "<IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListResourceRecordSetsResponse>")
    assert check_route53_response(listing, 200, hdr, rrsets.encode()) == []
    assert "expected <ResourceRecord>" in " ".join(check_route53_response(
        listing, 200, hdr, rrsets.replace("ResourceRecord>", "member>").encode()))
    assert "long expected" in " ".join(check_route53_response(
        listing, 200, hdr, rrsets.replace("<TTL>60", "<TTL>sixty").encode()))

    error = (f'<ErrorResponse xmlns="{R53_XMLNS}"><Error><Type>Sender</Type><Code>NoSuchHostedZone</Code>'
             "<Message>No hosted zone found with ID: Z1</Message></Error><RequestId>r</RequestId></ErrorResponse>")
    xml = {**hdr, "Content-Type": "text/xml"}
    assert check_route53_response(listing, 404, xml, error.encode()) == []
    assert "expected <ErrorResponse>" in " ".join(check_route53_response(
        listing, 404, xml, error.replace("ErrorResponse", "Response").encode()))
    assert "Sender|Receiver" in " ".join(check_route53_response(
        listing, 404, xml, error.replace("<Type>Sender</Type>", "").encode()))
    assert "Content-Type" in " ".join(check_route53_response(listing, 404, hdr, error.encode()))


def test_cidr_and_geoproximity_routing_are_refused_as_not_emulated(r53):
    zone = zone_id(r53, "routing.example.com")
    for extra in ({"CidrRoutingConfig": {"CollectionId": "00000000-0000-0000-0000-000000000000",
                                         "LocationName": "*"}, "SetIdentifier": "a"},
                  {"GeoProximityLocation": {"AWSRegion": "ap-northeast-1", "Bias": 0}, "SetIdentifier": "b"}):
        err = expect_error(apply, r53, zone, change("CREATE", rrset("www.routing.example.com", "A", "10.0.0.1",
                                                                     **extra)), code=NOT_EMULATED)
        assert "localvpc does not emulate" in err["Error"]["Message"], err
    names = [r["Name"] for r in r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]]
    assert "www.routing.example.com." not in names


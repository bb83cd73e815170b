"""The DNS server, end to end: real DNS packets (dnspython) to the listeners that
`GET /_localvpc/dns/listeners` names, state built with boto3, and the explainer's trail
(`POST /_localvpc/dns/explain`, `localvpc dns query`) for each scenario.

The module runs its own server: DNS listeners on 127.53.0.0/16 with a free port each
(`--dns-port 0`), and `--map-ip 192.168.0.10:53=<a dnspython server on loopback>` so a
FORWARD rule reaches a real process.
"""

from __future__ import annotations

import json
import socket
import struct
import subprocess
import threading
import time

import boto3
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest
from botocore.config import Config

import helpers
from helpers import (
    ALPHA_ACCOUNT,
    ALPHA_KEY,
    BRAVO_KEY,
    DEFAULT_SECRET_KEY,
    SHARED_ACCOUNTS,
    LocalVpcServer,
    http_call,
    new_ec2_client,
    reset_server,
    resolve_binary,
)
from resolver_helpers import new_resolver_client

R = "ap-northeast-1"
UPSTREAM_ANSWER = "203.0.113.77"


# ---------------------------------------------------------------------------
# A tiny upstream DNS server ("on premises") and the module's localvpc
# ---------------------------------------------------------------------------


class Upstream:
    """Answers A 203.0.113.77 for names under corp.example, NXDOMAIN otherwise."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.seen: list[str] = []
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        zone = dns.name.from_text("corp.example.")
        while True:
            try:
                data, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            try:
                q = dns.message.from_wire(data)
            except Exception:  # noqa: BLE001 - a test server ignores junk
                continue
            name = q.question[0].name
            self.seen.append(name.to_text().lower())
            r = dns.message.make_response(q)
            if name.is_subdomain(zone) and q.question[0].rdtype == dns.rdatatype.A:
                r.answer.append(dns.rrset.from_text(name, 30, "IN", "A", UPSTREAM_ANSWER))
            else:
                r.set_rcode(dns.rcode.NXDOMAIN)
            self.sock.sendto(r.to_wire(), peer)

    def close(self):
        self.sock.close()


@pytest.fixture(scope="module")
def upstream():
    u = Upstream()
    yield u
    u.close()


@pytest.fixture(scope="module")
def dns_server(tmp_path_factory, upstream, is_external):
    if is_external:
        pytest.skip("needs its own localvpc process with DNS flags")
    srv = LocalVpcServer(
        binary=resolve_binary(),
        workdir=tmp_path_factory.mktemp("dns-server"),
        ephemeral=True,
        accounts=SHARED_ACCOUNTS,
        extra_args=("--dns-listen", "127.53.0.0/16", "--dns-port", "0",
                    "--map-ip", f"192.168.0.10:53=127.0.0.1:{upstream.port}"),
    )
    srv.start()
    yield srv
    if srv.alive():
        srv.terminate(timeout=15)


@pytest.fixture
def url(dns_server, upstream) -> str:
    assert dns_server.alive(), dns_server.stderr_tail()
    reset_server(dns_server.url)
    upstream.seen.clear()
    return dns_server.url


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def listeners(url: str) -> list[dict]:
    status, body = http_call(url + "/_localvpc/dns/listeners")
    assert status == 200, body
    return json.loads(body)


def listener(url: str, *, vpc: str | None = None, endpoint: str | None = None,
             public: bool = False) -> tuple[str, int]:
    for item in listeners(url):
        if (public and item["view"] == "public") or (
            vpc and item["view"] == "vpc" and item["vpc_id"] == vpc) or (
            endpoint and item["view"] == "inbound" and item["endpoint_id"] == endpoint):
            host, port = item["listen"].rsplit(":", 1)
            return host, int(port)
    raise AssertionError(f"no listener for vpc={vpc} endpoint={endpoint} public={public}: {listeners(url)}")


def ask(addr: tuple[str, int], name: str, rtype: str = "A", *, tcp: bool = False,
        use_edns: bool = True) -> dns.message.Message:
    q = dns.message.make_query(name, rtype, use_edns=0 if use_edns else False)
    if tcp:
        return dns.query.tcp(q, addr[0], port=addr[1], timeout=5)
    return dns.query.udp(q, addr[0], port=addr[1], timeout=5, ignore_trailing=True)


def a_of(resp: dns.message.Message) -> list[str]:
    return sorted(rr.address for rrset in resp.answer if rrset.rdtype == dns.rdatatype.A for rr in rrset)


def explain(url: str, **body) -> dict:
    status, raw = http_call(url + "/_localvpc/dns/explain", method="POST", data=json.dumps(body).encode())
    assert status == 200, raw
    return json.loads(raw)


def trail(ex: dict) -> str:
    return "\n".join(step["detail"] for step in ex["trail"])


def clients(url: str, key: str = helpers.DEFAULT_ACCESS_KEY):
    ec2 = new_ec2_client(url, access_key=key)
    r53 = boto3.client("route53", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key,
                       aws_secret_access_key=DEFAULT_SECRET_KEY,
                       config=Config(retries={"max_attempts": 1}))
    resolver = new_resolver_client(url, access_key=key)
    return ec2, r53, resolver


def network(ec2, cidr: str, hostnames: bool = True) -> tuple[str, list[str]]:
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    if hostnames:
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    base = cidr.rsplit(".", 2)[0]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"{base}.{n}.0/24", AvailabilityZone=f"{R}{az}")["Subnet"]["SubnetId"]
        for n, az in enumerate("ac")
    ]
    return vpc, subnets


def interface_endpoint(ec2, vpc, subnets, service, private_dns) -> dict:
    e = ec2.create_vpc_endpoint(VpcEndpointType="Interface", VpcId=vpc, ServiceName=f"com.amazonaws.{R}.{service}",
                                SubnetIds=subnets, PrivateDnsEnabled=private_dns)["VpcEndpoint"]
    return e


def eni_ips(ec2, endpoint: dict) -> list[str]:
    enis = ec2.describe_network_interfaces(NetworkInterfaceIds=endpoint["NetworkInterfaceIds"])["NetworkInterfaces"]
    return sorted(e["PrivateIpAddress"] for e in enis)


def private_zone(r53, name: str, vpc: str, ref: str) -> str:
    return r53.create_hosted_zone(Name=name, CallerReference=ref, VPC={"VPCRegion": R, "VPCId": vpc},
                                  HostedZoneConfig={"PrivateZone": True})["HostedZone"]["Id"]


def upsert(r53, zone: str, name: str, rtype: str, values=(), alias=None, ttl=300):
    rrset = {"Name": name, "Type": rtype}
    if alias:
        rrset["AliasTarget"] = alias
    else:
        rrset["TTL"] = ttl
        rrset["ResourceRecords"] = [{"Value": v} for v in values]
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": rrset}]})


def inbound_endpoint(ec2, resolver, vpc, subnets, direction="INBOUND", ref="in-1") -> dict:
    sg = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"][0]["GroupId"]
    return resolver.create_resolver_endpoint(
        CreatorRequestId=ref, SecurityGroupIds=[sg], Direction=direction,
        IpAddresses=[{"SubnetId": s} for s in subnets])["ResolverEndpoint"]


def in_prefix_list(ec2, service: str, ip: str) -> bool:
    import ipaddress
    lists = ec2.describe_managed_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [f"com.amazonaws.{R}.{service}"]}])
    plid = lists["PrefixLists"][0]["PrefixListId"]
    entries = ec2.get_managed_prefix_list_entries(PrefixListId=plid)["Entries"]
    return any(ipaddress.ip_address(ip) in ipaddress.ip_network(e["Cidr"]) for e in entries)


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------


def test_listeners_health_and_cli(url):
    ec2, _, _ = clients(url)
    vpc, _ = network(ec2, "10.0.0.0/16")
    status, body = http_call(url + "/_localvpc/health")
    assert json.loads(body)["services"]["dns"] == "running"
    items = listeners(url)
    assert items[0]["view"] == "public" and items[0]["listen"].startswith("127.53.0.1:")
    mine = [i for i in items if i.get("vpc_id") == vpc]
    assert len(mine) == 1 and mine[0]["emulated_ip"] == "10.0.0.2"
    assert mine[0]["listen"].startswith("127.53.")
    # Every listener answers on UDP and TCP.
    addr = listener(url, vpc=vpc)
    assert ask(addr, "ip-10-0-0-9.ap-northeast-1.compute.internal").rcode() == dns.rcode.NXDOMAIN
    assert ask(addr, "ip-10-0-0-9.ap-northeast-1.compute.internal", tcp=True).rcode() == dns.rcode.NXDOMAIN
    out = subprocess.run([str(resolve_binary()), "dns", "listeners", "--endpoint", url],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert vpc in out.stdout and "10.0.0.2" in out.stdout
    # A deleted VPC's listener goes away.
    for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=s["SubnetId"])
    ec2.delete_vpc(VpcId=vpc)
    assert not [i for i in listeners(url) if i.get("vpc_id") == vpc]


def test_private_dns_on_and_off(url):
    ec2, _, _ = clients(url)
    vpc, subnets = network(ec2, "10.1.0.0/16")
    e = interface_endpoint(ec2, vpc, subnets, "ssm", True)
    ips = eni_ips(ec2, e)
    name = "SSM.ap-northeast-1.amazonaws.com"
    inside = ask(listener(url, vpc=vpc), name)
    assert a_of(inside) == ips
    assert inside.question[0].name.to_text() == name + "."  # case preserved
    assert inside.answer[0].name.to_text() == name + "."
    assert inside.flags & dns.flags.RA
    public = a_of(ask(listener(url, public=True), name))
    assert len(public) == 1 and public[0] not in ips
    ex = explain(url, vpc=vpc, name=name, type="A")
    assert sorted(a["data"] for a in ex["answers"]) == ips
    assert f"shadowed by endpoint {e['VpcEndpointId']} private DNS" in trail(ex)
    # Live update: turning private DNS off is visible to the next query.
    ec2.modify_vpc_endpoint(VpcEndpointId=e["VpcEndpointId"], PrivateDnsEnabled=False)
    assert a_of(ask(listener(url, vpc=vpc), name)) == public
    ex = explain(url, vpc=vpc, name=name, type="A")
    assert "internet rule" in trail(ex)


def test_vpc_dns_attributes(url):
    ec2, r53, _ = clients(url)
    vpc, subnets = network(ec2, "10.2.0.0/16")
    zone = private_zone(r53, "internal.example", vpc, "attr-zone")
    upsert(r53, zone, "db.internal.example", "A", ["10.2.0.50"])
    addr = listener(url, vpc=vpc)
    assert a_of(ask(addr, "db.internal.example")) == ["10.2.0.50"]
    # enableDnsHostnames off: private zones are not honoured.
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": False})
    assert a_of(ask(addr, "db.internal.example")) == []
    ex = explain(url, vpc=vpc, name="db.internal.example")
    assert "not honoured" in trail(ex)
    # enableDnsSupport off: the resolver does not answer at all (REFUSED).
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": False})
    assert ask(addr, "db.internal.example").rcode() == dns.rcode.REFUSED
    ex = explain(url, vpc=vpc, name="db.internal.example")
    assert ex["rcode"] == "REFUSED" and "enableDnsSupport is false" in trail(ex)


def test_phz_precedence_and_nxdomain_without_fallback(url):
    ec2, r53, _ = clients(url)
    vpc, _ = network(ec2, "10.3.0.0/16")
    parent = private_zone(r53, "example.com", vpc, "parent")
    child = private_zone(r53, "acme.example.com", vpc, "child")
    upsert(r53, parent, "www.acme.example.com", "A", ["192.0.2.1"])
    upsert(r53, child, "api.acme.example.com", "A", ["192.0.2.3"])
    upsert(r53, child, "*.wild.acme.example.com", "A", ["192.0.2.4"])
    upsert(r53, child, "many.acme.example.com", "A", [f"192.0.2.{n}" for n in range(10, 70)])
    addr = listener(url, vpc=vpc)
    r = ask(addr, "ApI.Acme.Example.com")
    assert a_of(r) == ["192.0.2.3"] and r.flags & dns.flags.AA
    assert r.answer[0].name.to_text() == "ApI.Acme.Example.com."
    r = ask(addr, "www.acme.example.com")
    assert r.rcode() == dns.rcode.NXDOMAIN
    soa = r.authority[0]
    assert soa.rdtype == dns.rdatatype.SOA and soa.name.to_text() == "acme.example.com." and soa.ttl == 900
    ex = explain(url, vpc=vpc, name="www.acme.example.com")
    assert ex["rcode"] == "NXDOMAIN" and "no fallback" in trail(ex) and "less specific" in trail(ex)
    # Wildcard synthesis; NODATA with SOA for another type.
    assert a_of(ask(addr, "x.wild.acme.example.com")) == ["192.0.2.4"]
    r = ask(addr, "api.acme.example.com", "TXT")
    assert r.rcode() == dns.rcode.NOERROR and not r.answer and r.authority[0].rdtype == dns.rdatatype.SOA
    # Too big for 512 bytes without EDNS: TC set, TCP has it all.
    r = ask(addr, "many.acme.example.com", use_edns=False)
    assert r.flags & dns.flags.TC and not r.answer
    assert len(a_of(ask(addr, "many.acme.example.com", tcp=True))) == 60
    # Not associated: another VPC falls through to public DNS, which does not know it.
    other, _ = network(ec2, "10.4.0.0/16")
    assert ask(listener(url, vpc=other), "api.acme.example.com").rcode() == dns.rcode.NXDOMAIN


def test_repeated_questions_follow_every_change(url):
    """Each listener answers a repeated question from its answer cache; every API change
    must still show in the very next answer, with each query's own id, flags and spelling."""
    ec2, r53, _ = clients(url)
    vpc, _ = network(ec2, "10.5.0.0/16")
    zone = private_zone(r53, "cache.internal", vpc, "cache")
    upsert(r53, zone, "app.cache.internal", "A", ["10.5.0.10"])
    addr = listener(url, vpc=vpc)
    for spelling in ("app.cache.internal", "APP.Cache.Internal", "aPp.CACHE.internal"):
        for use_edns in (True, False):
            r = ask(addr, spelling, use_edns=use_edns)
            assert a_of(r) == ["10.5.0.10"] and r.flags & dns.flags.AA
            assert r.answer[0].name.to_text() == spelling + "."
            assert r.question[0].name.to_text() == spelling + "."
            assert (r.edns >= 0) == use_edns
    # RD off in the request: off in the answer (dnspython checks the id itself).
    q = dns.message.make_query("app.cache.internal", "A")
    q.flags &= ~dns.flags.RD
    r = dns.query.udp(q, addr[0], port=addr[1], timeout=5)
    assert not r.flags & dns.flags.RD and r.flags & dns.flags.RA and a_of(r) == ["10.5.0.10"]
    # A change to the record, then its deletion, then the VPC attribute.
    upsert(r53, zone, "app.cache.internal", "A", ["10.5.0.11"])
    assert a_of(ask(addr, "app.cache.internal")) == ["10.5.0.11"]
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": {
        "Name": "app.cache.internal", "Type": "A", "TTL": 300, "ResourceRecords": [{"Value": "10.5.0.11"}]}}]})
    assert ask(addr, "app.cache.internal").rcode() == dns.rcode.NXDOMAIN
    upsert(r53, zone, "app.cache.internal", "A", ["10.5.0.12"])
    assert a_of(ask(addr, "app.cache.internal")) == ["10.5.0.12"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": False})
    assert ask(addr, "app.cache.internal").rcode() == dns.rcode.NXDOMAIN
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": False})
    assert ask(addr, "app.cache.internal").rcode() == dns.rcode.REFUSED


def test_hub_zone_member_vs_unassociated(url):
    hub_ec2, hub_r53, _ = clients(url, ALPHA_KEY)
    mem_ec2, mem_r53, _ = clients(url, BRAVO_KEY)
    hub, hub_subnets = network(hub_ec2, "10.10.0.0/16")
    member, _ = network(mem_ec2, "10.11.0.0/16")
    stranger, _ = network(mem_ec2, "10.12.0.0/16")
    e = interface_endpoint(hub_ec2, hub, hub_subnets, "s3", False)
    ips = eni_ips(hub_ec2, e)
    regional = e["DnsEntries"][0]
    target = regional["DnsName"].removeprefix("*.")
    zone = private_zone(hub_r53, "s3.ap-northeast-1.amazonaws.com", hub, "hub-s3")
    alias = {"HostedZoneId": regional["HostedZoneId"], "DNSName": target, "EvaluateTargetHealth": False}
    upsert(hub_r53, zone, "s3.ap-northeast-1.amazonaws.com", "A", alias=alias)
    upsert(hub_r53, zone, "*.s3.ap-northeast-1.amazonaws.com", "A", alias=alias)
    hub_r53.create_vpc_association_authorization(HostedZoneId=zone, VPC={"VPCRegion": R, "VPCId": member})
    mem_r53.associate_vpc_with_hosted_zone(HostedZoneId=zone, VPC={"VPCRegion": R, "VPCId": member})
    name = "my-bucket.s3.ap-northeast-1.amazonaws.com"
    assert a_of(ask(listener(url, vpc=member), name)) == ips
    ex = explain(url, vpc=member, name=name)
    assert "private hosted zone s3.ap-northeast-1.amazonaws.com." in trail(ex)
    assert e["VpcEndpointId"] in trail(ex) and "alias" in trail(ex)
    public = a_of(ask(listener(url, vpc=stranger), name))
    assert len(public) == 1 and public[0] not in ips
    assert in_prefix_list(mem_ec2, "s3", public[0])
    ex = explain(url, vpc=stranger, name=name)
    assert "internet rule" in trail(ex) and "managed prefix list" in trail(ex)


def test_inbound_endpoint_answers_on_premises(url):
    ec2, r53, resolver = clients(url, ALPHA_KEY)
    hub, subnets = network(ec2, "10.20.0.0/16")
    zone = private_zone(r53, "corp.internal", hub, "inbound-zone")
    upsert(r53, zone, "app.corp.internal", "A", ["10.20.0.99"])
    ep = inbound_endpoint(ec2, resolver, hub, subnets)
    ips = sorted(a["Ip"] for a in resolver.list_resolver_endpoint_ip_addresses(ResolverEndpointId=ep["Id"])["IpAddresses"])
    mine = [i for i in listeners(url) if i.get("endpoint_id") == ep["Id"]]
    assert sorted(i["emulated_ip"] for i in mine) == ips and all(i["vpc_id"] == hub for i in mine)
    addr = listener(url, endpoint=ep["Id"])
    assert a_of(ask(addr, "app.corp.internal")) == ["10.20.0.99"]
    # S3 with PrivateDnsOnlyForInboundResolverEndpoint: private answers only via the inbound endpoint.
    ec2.create_vpc_endpoint(VpcId=hub, ServiceName=f"com.amazonaws.{R}.s3")
    e = interface_endpoint(ec2, hub, subnets, "s3", True)
    assert e["DnsOptions"].get("PrivateDnsOnlyForInboundResolverEndpoint") is True
    name = "bucket.s3.ap-northeast-1.amazonaws.com"
    assert a_of(ask(addr, name)) == eni_ips(ec2, e)
    in_vpc = a_of(ask(listener(url, vpc=hub), name))
    assert len(in_vpc) == 1 and in_prefix_list(ec2, "s3", in_vpc[0])
    ex = explain(url, vpc=hub, name=name)
    assert "PrivateDnsOnlyForInboundResolverEndpoint" in trail(ex)
    ex = explain(url, inbound_endpoint=ep["Id"], name=name)
    assert "inbound Resolver endpoint" in trail(ex) and sorted(a["data"] for a in ex["answers"]) == eni_ips(ec2, e)


def test_forward_rule_reaches_a_real_server_and_system_rule_pulls_back(url, upstream):
    ec2, r53, resolver = clients(url)
    vpc, subnets = network(ec2, "10.30.0.0/16")
    out = inbound_endpoint(ec2, resolver, vpc, subnets, direction="OUTBOUND", ref="out-1")
    fwd = resolver.create_resolver_rule(CreatorRequestId="fwd", RuleType="FORWARD", DomainName="corp.example",
                                        TargetIps=[{"Ip": "192.168.0.10", "Port": 53}],
                                        ResolverEndpointId=out["Id"])["ResolverRule"]
    resolver.associate_resolver_rule(ResolverRuleId=fwd["Id"], VPCId=vpc)
    addr = listener(url, vpc=vpc)
    assert a_of(ask(addr, "app.corp.example")) == [UPSTREAM_ANSWER]
    assert "app.corp.example." in upstream.seen
    # Forwarded answers are never cached: the upstream sees every repeat.
    seen = upstream.seen.count("app.corp.example.")
    assert a_of(ask(addr, "app.corp.example")) == [UPSTREAM_ANSWER]
    assert upstream.seen.count("app.corp.example.") == seen + 1
    ex = explain(url, vpc=vpc, name="app.corp.example")
    assert ex["forward"]["rule_id"] == fwd["Id"] and "mapped to 127.0.0.1" in trail(ex)
    assert [a["data"] for a in ex["answers"]] == [UPSTREAM_ANSWER]
    # A PHZ of the same name as the FORWARD rule: the rule wins the tie, the zone is not read.
    zone = private_zone(r53, "corp.example", vpc, "corp")
    upsert(r53, zone, "db.lab.corp.example", "A", ["10.30.0.7"])
    assert a_of(ask(addr, "db.lab.corp.example")) == [UPSTREAM_ANSWER]
    assert "customer rule wins the tie" in trail(explain(url, vpc=vpc, name="db.lab.corp.example"))
    # SYSTEM for a subdomain pulls it back to the Resolver: answered from the zone, not forwarded.
    sys_rule = resolver.create_resolver_rule(CreatorRequestId="sys", RuleType="SYSTEM",
                                             DomainName="lab.corp.example")["ResolverRule"]
    resolver.associate_resolver_rule(ResolverRuleId=sys_rule["Id"], VPCId=vpc)
    upstream.seen.clear()
    assert a_of(ask(addr, "db.lab.corp.example")) == ["10.30.0.7"]
    assert upstream.seen == []
    ex = explain(url, vpc=vpc, name="db.lab.corp.example")
    assert sys_rule["Id"] in trail(ex) and "SYSTEM" in trail(ex)
    # An unreachable target: SERVFAIL, with the reason in the trail.
    dead = resolver.create_resolver_rule(CreatorRequestId="dead", RuleType="FORWARD", DomainName="dead.example",
                                         TargetIps=[{"Ip": "127.0.0.1", "Port": 9}],
                                         ResolverEndpointId=out["Id"])["ResolverRule"]
    resolver.associate_resolver_rule(ResolverRuleId=dead["Id"], VPCId=vpc)
    started = time.monotonic()
    ex = explain(url, vpc=vpc, name="x.dead.example")
    assert ex["rcode"] == "SERVFAIL" and "unreachable" in trail(ex)
    assert time.monotonic() - started < 10
    assert ask(addr, "x.dead.example").rcode() == dns.rcode.SERVFAIL


def test_public_vpce_names(url):
    ec2, _, _ = clients(url)
    vpc, subnets = network(ec2, "10.40.0.0/16")
    e = interface_endpoint(ec2, vpc, subnets, "ssm", False)
    ips = eni_ips(ec2, e)
    regional, zonal = e["DnsEntries"][0]["DnsName"], e["DnsEntries"][1]["DnsName"]
    public = listener(url, public=True)
    assert a_of(ask(public, regional)) == ips
    z = a_of(ask(public, zonal))
    assert len(z) == 1 and z[0] in ips
    other, _ = network(clients(url, BRAVO_KEY)[0], "10.41.0.0/16")
    assert a_of(ask(listener(url, vpc=other), regional)) == ips
    ex = explain(url, view="public", name=regional)
    assert "regional DNS name of interface endpoint" in trail(ex) and "public records" in trail(ex)
    # Not an open resolver.
    r = ask(public, "www.example.org")
    assert r.rcode() == dns.rcode.NXDOMAIN
    assert "not an open recursive resolver" in trail(explain(url, view="public", name="www.example.org"))


def test_bad_packets_never_crash_the_server(url):
    addr = listener(url, public=True)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1)

    def send(packet: bytes) -> bytes | None:
        s.sendto(packet, addr)
        try:
            return s.recv(4096)
        except socket.timeout:
            return None

    assert send(b"\x01") is None  # shorter than a header: dropped
    header = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
    reply = send(header)  # claims a question it does not carry
    assert reply is not None and reply[:2] == b"\x12\x34" and reply[3] & 0x0F == dns.rcode.FORMERR
    loop = header + b"\xc0\x0c" + struct.pack("!HH", 1, 1)  # name pointing at itself
    reply = send(loop)
    assert reply is not None and reply[3] & 0x0F == dns.rcode.FORMERR
    assert send(struct.pack("!HHHHHH", 1, 0x8180, 0, 0, 0, 0)) is None  # a response: dropped
    long_name = ".".join(["a" * 63] * 5)
    raw = header + b"".join(bytes([63]) + b"a" * 63 for _ in range(5)) + b"\x00" + struct.pack("!HH", 1, 1)
    reply = send(raw)
    assert reply is not None and reply[3] & 0x0F == dns.rcode.FORMERR, long_name
    chaos = dns.message.make_query("version.bind", "TXT", rdclass="CH")
    assert dns.query.udp(chaos, addr[0], port=addr[1], timeout=2).rcode() == dns.rcode.REFUSED
    odd = ask(addr, "ssm.ap-northeast-1.amazonaws.com", "TYPE65")
    assert odd.rcode() == dns.rcode.NOERROR and not odd.answer
    # Still serving.
    assert a_of(ask(addr, "ssm.ap-northeast-1.amazonaws.com"))


def test_explain_errors_and_cli_query(url):
    for body in (b"{", b'{"name": "a.example"}', b'{"vpc": "nope", "name": "a"}',
                 b'{"view": "public", "name": "a.example", "type": "BOGUS"}'):
        status, raw = http_call(url + "/_localvpc/dns/explain", method="POST", data=body)
        assert status == 400 and "error" in json.loads(raw), raw
    ec2, _, _ = clients(url)
    vpc, subnets = network(ec2, "10.50.0.0/16")
    e = interface_endpoint(ec2, vpc, subnets, "kms", True)
    binary = str(resolve_binary())
    out = subprocess.run([binary, "dns", "query", "--endpoint", url, "--vpc", vpc,
                          "kms.ap-northeast-1.amazonaws.com", "A", "--json"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert sorted(a["data"] for a in json.loads(out.stdout)["answers"]) == eni_ips(ec2, e)
    out = subprocess.run([binary, "dns", "query", "--endpoint", url, "--vpc", vpc,
                          "kms.ap-northeast-1.amazonaws.com"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and ";; WHY" in out.stdout and e["VpcEndpointId"] in out.stdout


def test_listener_addresses_survive_a_restart(spawn_server, tmp_path):
    args = ("--dns-listen", "127.53.0.0/16", "--dns-port", "0")
    srv = spawn_server(data_dir=tmp_path, extra_args=args)
    ec2, _, _ = clients(srv.url)
    vpc, _ = network(ec2, "10.60.0.0/16")
    before = listener(srv.url, vpc=vpc)[0]
    srv.terminate()
    srv.start()
    after = listener(srv.url, vpc=vpc)[0]
    assert before == after and after.startswith("127.53.")
    assert ask(listener(srv.url, vpc=vpc), "ip-10-60-0-9.ap-northeast-1.compute.internal").rcode() == dns.rcode.NXDOMAIN

"""DNS listeners and the open-file limit.

On a loopback block (the default, `127.53.0.0/16`) every view shares one UDP socket and one
TCP listener on Linux: the view of a packet is the address it was sent to. So 10,000 VPC
views listen and answer under a hard limit of 96 open files. With one address
(`--dns-listen 127.0.0.1`) each view holds two sockets of its own: `localvpc serve` raises
its soft RLIMIT_NOFILE to the hard limit at start, so a low soft limit (1,024 is common)
does not cap the views that get a listener; when the hard limit itself runs out, health says
so (`dns: degraded`, `dns_views_without_listener`) instead of claiming `running`. The limits
are set on the server process only, with util-linux's `prlimit` (the test process keeps its
own).
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import sys
import urllib.parse

import dns.exception
import dns.message
import dns.query
import dns.rcode
import pytest

from helpers import (DEFAULT_REGION, LocalVpcServer, ServerStartError, http_call, new_ec2_client,
                     resolve_binary)
from route53_helpers import new_route53_client

BLOCK = ("--dns-listen", "127.53.0.0/16", "--dns-port", "0")
SINGLE = ("--dns-listen", "127.0.0.1", "--dns-port", "0")

pytestmark = [pytest.mark.spawns]


class LimitedServer(LocalVpcServer):
    """A server started under `prlimit --nofile=SOFT:HARD` (prlimit execs it: same pid)."""

    nofile: str = ""

    def argv(self) -> list[str]:
        return ["prlimit", f"--nofile={self.nofile}", "--"] + super().argv()


@pytest.fixture
def limited(tmp_path, is_external):
    if is_external:
        pytest.skip("needs its own localvpc process")
    if not shutil.which("prlimit"):
        pytest.skip("prlimit (util-linux) is not installed")
    started: list[LimitedServer] = []

    def start(nofile: str, listen: tuple[str, ...]) -> LimitedServer:
        srv = LimitedServer(binary=resolve_binary(), workdir=tmp_path / f"srv{len(started)}",
                            ephemeral=True, no_default_vpc=True,
                            extra_args=listen + ("--default-region", DEFAULT_REGION))
        srv.nofile = nofile
        started.append(srv)
        try:
            srv.start()
        except ServerStartError as exc:
            pytest.fail(str(exc), pytrace=False)
        return srv

    yield start
    for srv in started:
        if srv.alive():
            srv.terminate(timeout=10)


def make_vpcs(url: str, n: int) -> None:
    ec2 = new_ec2_client(url)
    for i in range(n):
        ec2.create_vpc(CidrBlock=f"10.{i // 256}.{i % 256}.0/24")


def health(url: str) -> dict:
    status, body = http_call(url + "/_localvpc/health")
    assert status == 200
    return json.loads(body)


def vpc_listeners(url: str) -> list[dict]:
    status, body = http_call(url + "/_localvpc/dns/listeners")
    assert status == 200
    return [entry for entry in json.loads(body) if entry.get("vpc_id")]


def test_a_low_soft_limit_is_raised_so_every_view_listens(limited):
    # 150 VPC views need 300 sockets, beyond a soft limit of 256.
    srv = limited("256:", SINGLE)
    make_vpcs(srv.url, 150)
    assert len(vpc_listeners(srv.url)) == 150
    h = health(srv.url)
    assert h["services"]["dns"] == "running"
    assert h["dns_views_without_listener"] == 0


def test_health_reports_views_without_a_listener(limited):
    # A hard limit of 96 leaves room for only a few dozen views.
    srv = limited("96:96", SINGLE)
    make_vpcs(srv.url, 60)
    listening = len(vpc_listeners(srv.url))
    assert listening < 60
    h = health(srv.url)
    assert h["services"]["dns"] == "degraded"
    assert h["dns_views_without_listener"] == 60 - listening
    # The API still works.
    assert len(new_ec2_client(srv.url).describe_vpcs()["Vpcs"]) == 60


def create_vpcs_unsigned(url: str, n: int) -> list[str]:
    """`n` VPCs of the default account and region, through one keep-alive connection with
    unsigned query requests: far quicker than boto3 for thousands."""
    parsed = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    ids = []
    try:
        for i in range(n):
            body = urllib.parse.urlencode({"Action": "CreateVpc", "Version": "2016-11-15",
                                           "CidrBlock": f"10.{i // 256}.{i % 256}.0/24"})
            conn.request("POST", "/", body, {"Content-Type": "application/x-www-form-urlencoded"})
            resp = conn.getresponse()
            text = resp.read().decode()
            assert resp.status == 200, text
            ids.append(re.search(r"<vpcId>(vpc-[0-9a-f]+)</vpcId>", text).group(1))
    finally:
        conn.close()
    return ids


def ask(listen: str, name: str, tcp: bool = False) -> dns.message.Message:
    host, port = listen.rsplit(":", 1)
    q = dns.message.make_query(name, "A")
    send = dns.query.tcp if tcp else dns.query.udp
    return send(q, host, port=int(port), timeout=5)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="shared DNS sockets are Linux-only")
def test_ten_thousand_views_share_one_socket_per_protocol(limited):
    # 10,000 views would need 20,000 sockets of their own; the block needs two.
    srv = limited("96:96", BLOCK)
    vpcs = create_vpcs_unsigned(srv.url, 10_000)
    # A private zone associated with one VPC tells that VPC's view from the others (private
    # zones answer where DNS hostnames are on).
    ec2 = new_ec2_client(srv.url, access_key="unknown-key-default-account")
    for vpc in vpcs[4321:4323]:
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    r53 = new_route53_client(srv.url, access_key="unknown-key-default-account")
    zone = r53.create_hosted_zone(
        Name="views.internal", CallerReference="views",
        VPC={"VPCRegion": DEFAULT_REGION, "VPCId": vpcs[4321]},
        HostedZoneConfig={"PrivateZone": True})["HostedZone"]["Id"]
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{
        "Action": "CREATE", "ResourceRecordSet": {
            "Name": "who.views.internal", "Type": "A", "TTL": 60,
            "ResourceRecords": [{"Value": "10.16.225.10"}]}}]})

    listeners = vpc_listeners(srv.url)
    assert len(listeners) == 10_000
    by_vpc = {entry["vpc_id"]: entry["listen"] for entry in listeners}
    assert set(by_vpc) == set(vpcs)
    assert len(set(by_vpc.values())) == 10_000  # one address each
    ports = {listen.rsplit(":", 1)[1] for listen in by_vpc.values()}
    assert len(ports) == 1
    h = health(srv.url)
    assert h["services"]["dns"] == "running"
    assert h["dns_views_without_listener"] == 0

    # Every view answers, from its own address (dnspython checks the source), and only the
    # zone's VPC knows the name.
    for vpc in vpcs:
        expected = dns.rcode.NOERROR if vpc == vpcs[4321] else dns.rcode.NXDOMAIN
        assert ask(by_vpc[vpc], "who.views.internal").rcode() == expected, vpc
    # Over UDP and TCP.
    for tcp in (False, True):
        answer = ask(by_vpc[vpcs[4321]], "who.views.internal", tcp=tcp)
        assert [rr.to_text() for rrset in answer.answer for rr in rrset] == ["10.16.225.10"]
        assert ask(by_vpc[vpcs[4322]], "who.views.internal", tcp=tcp).rcode() == dns.rcode.NXDOMAIN

    # A deleted VPC's address stops answering.
    ec2.delete_vpc(VpcId=vpcs[0])
    assert vpcs[0] not in {entry["vpc_id"] for entry in vpc_listeners(srv.url)}
    with pytest.raises(dns.exception.Timeout):
        host, port = by_vpc[vpcs[0]].rsplit(":", 1)
        dns.query.udp(dns.message.make_query("who.views.internal", "A"), host, port=int(port),
                      timeout=0.5)

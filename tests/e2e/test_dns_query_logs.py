"""Resolver query logs, end to end: a query-logging configuration made with boto3 and
associated with a VPC; real DNS queries (dnspython, UDP and TCP) to the VPC's listener and
to an inbound endpoint; the JSON lines read back from the file that
`GET /_localvpc/dns/query-logs` names. Disassociating stops the lines.

The module runs its own server: `--ephemeral` writes nothing by default, so it passes
`--query-log-dir` explicitly.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import dns.rcode
import pytest

from helpers import ALPHA_ACCOUNT, ALPHA_KEY, SHARED_ACCOUNTS, LocalVpcServer, http_call, reset_server, resolve_binary
from test_dns import R, a_of, ask, clients, inbound_endpoint, listener, network, private_zone, upsert


@pytest.fixture(scope="module")
def log_server(tmp_path_factory, is_external):
    if is_external:
        pytest.skip("needs its own localvpc process with DNS flags")
    log_dir = tmp_path_factory.mktemp("query-logs")
    srv = LocalVpcServer(
        binary=resolve_binary(),
        workdir=tmp_path_factory.mktemp("dns-log-server"),
        ephemeral=True,
        accounts=SHARED_ACCOUNTS,
        extra_args=("--dns-listen", "127.53.0.0/16", "--dns-port", "0", "--query-log-dir", str(log_dir)),
    )
    srv.start()
    yield srv, log_dir
    if srv.alive():
        srv.terminate(timeout=15)


@pytest.fixture
def url(log_server) -> str:
    srv, _ = log_server
    assert srv.alive(), srv.stderr_tail()
    reset_server(srv.url)
    return srv.url


def query_logs(url: str) -> dict:
    status, body = http_call(url + "/_localvpc/dns/query-logs")
    assert status == 200, body
    return json.loads(body)


def lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def wait_lines(path: Path, count: int, timeout: float = 5.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = lines(path)
        if len(got) >= count:
            return got
        time.sleep(0.05)
    raise AssertionError(f"{path}: {len(lines(path))} lines, expected {count}")


def test_queries_are_logged_in_the_resolver_format_until_disassociated(url, log_server):
    _, log_dir = log_server
    ec2, r53, resolver = clients(url, ALPHA_KEY)
    vpc, subnets = network(ec2, "10.30.0.0/16")
    other, _ = network(ec2, "10.31.0.0/16")
    zone = private_zone(r53, "corp.internal", vpc, "qlog-zone")
    private_zone(r53, "corp.internal", other, "qlog-zone-other")
    upsert(r53, zone, "app.corp.internal", "A", ["10.30.0.99"])
    upsert(r53, zone, "www.corp.internal", "CNAME", ["app.corp.internal"])
    dest = f"arn:aws:logs:{R}:{ALPHA_ACCOUNT}:log-group:/resolver/queries"
    config = resolver.create_resolver_query_log_config(
        Name="queries", DestinationArn=dest, CreatorRequestId="qlog-1")["ResolverQueryLogConfig"]
    assoc = resolver.associate_resolver_query_log_config(
        ResolverQueryLogConfigId=config["Id"], ResourceId=vpc)["ResolverQueryLogConfigAssociation"]

    info = query_logs(url)
    assert info["enabled"] and info["dir"] == str(log_dir) and info["dropped"] == 0
    [c] = info["configs"]
    assert c["config_id"] == config["Id"] and c["destination_arn"] == dest and c["vpcs"] == [vpc]
    path = Path(c["file"])
    assert path == log_dir / f"{config['Id']}.log"

    addr = listener(url, vpc=vpc)
    assert a_of(ask(addr, "App.Corp.Internal")) == ["10.30.0.99"]
    assert ask(addr, "missing.corp.internal", "TXT", tcp=True).rcode() == dns.rcode.NXDOMAIN
    www = ask(addr, "www.corp.internal")
    assert a_of(www) == ["10.30.0.99"]
    # Not logged: another VPC without an association, and the public view.
    assert a_of(ask(listener(url, vpc=other), "app.corp.internal")) == []
    ask(listener(url, public=True), "example.com")

    got = wait_lines(path, 3)
    assert len(got) == 3
    first, nx, cname = got
    for line in got:
        assert line["version"] == "1.100000"
        assert line["account_id"] == ALPHA_ACCOUNT and line["region"] == R and line["vpc_id"] == vpc
        assert line["query_class"] == "IN" and line["srcaddr"] == "127.0.0.1"
        assert line["srcport"].isdigit() and line["srcids"] == {}
        assert line["query_timestamp"].endswith("Z") and "T" in line["query_timestamp"]
    assert first["query_name"] == "App.Corp.Internal." and first["query_type"] == "A"
    assert first["rcode"] == "NOERROR" and first["transport"] == "UDP"
    assert first["answers"] == [{"Rdata": "10.30.0.99", "Type": "A", "Class": "IN"}]
    assert nx["query_name"] == "missing.corp.internal." and nx["query_type"] == "TXT"
    assert nx["rcode"] == "NXDOMAIN" and nx["answers"] == [] and nx["transport"] == "TCP"
    assert cname["answers"] == [
        {"Rdata": "app.corp.internal.", "Type": "CNAME", "Class": "IN"},
        {"Rdata": "10.30.0.99", "Type": "A", "Class": "IN"},
    ]

    # An inbound endpoint in the VPC: logged with its id in srcids.
    ep = inbound_endpoint(ec2, resolver, vpc, subnets, ref="qlog-in")
    assert a_of(ask(listener(url, endpoint=ep["Id"]), "app.corp.internal")) == ["10.30.0.99"]
    inbound = wait_lines(path, 4)[3]
    assert inbound["srcids"] == {"resolver_endpoint": ep["Id"]} and inbound["vpc_id"] == vpc
    assert query_logs(url)["configs"][0]["written"] == 4
    # A repeated question (answered from the listener's answer cache) is logged all the same,
    # with this query's spelling.
    assert a_of(ask(addr, "APP.corp.internal")) == ["10.30.0.99"]
    again = wait_lines(path, 5)[4]
    assert again["query_name"] == "APP.corp.internal." and again["rcode"] == "NOERROR"
    assert again["answers"] == [{"Rdata": "10.30.0.99", "Type": "A", "Class": "IN"}]

    # Disassociated: the next query is no longer logged.
    resolver.disassociate_resolver_query_log_config(ResolverQueryLogConfigId=config["Id"], ResourceId=vpc)
    assert a_of(ask(addr, "app.corp.internal")) == ["10.30.0.99"]
    time.sleep(0.5)
    assert len(lines(path)) == 5
    assert query_logs(url)["configs"][0]["vpcs"] == []
    assert assoc["Id"].startswith("rqlca-")


def test_two_configs_on_one_vpc_write_two_files(url, log_server):
    _, log_dir = log_server
    ec2, r53, resolver = clients(url, ALPHA_KEY)
    vpc, _ = network(ec2, "10.32.0.0/16")
    ids = []
    for n, dest in enumerate([f"arn:aws:s3:::query-logs-{ALPHA_ACCOUNT}",
                              f"arn:aws:firehose:{R}:{ALPHA_ACCOUNT}:deliverystream/queries"]):
        c = resolver.create_resolver_query_log_config(
            Name=f"q{n}", DestinationArn=dest, CreatorRequestId=f"qlog-two-{n}")["ResolverQueryLogConfig"]
        resolver.associate_resolver_query_log_config(ResolverQueryLogConfigId=c["Id"], ResourceId=vpc)
        ids.append(c["Id"])
    ask(listener(url, vpc=vpc), f"ip-10-32-0-9.{R}.compute.internal")
    for qid in ids:
        [line] = wait_lines(log_dir / f"{qid}.log", 1)
        assert line["rcode"] == "NXDOMAIN" and line["query_name"] == f"ip-10-32-0-9.{R}.compute.internal."


def test_ephemeral_without_a_directory_writes_nothing(spawn_server):
    srv = spawn_server(ephemeral=True, extra_args=("--dns-listen", "127.53.0.0/16", "--dns-port", "0"))
    info = query_logs(srv.url)
    assert info == {"enabled": False, "dir": None, "dropped": 0, "write_errors": 0, "configs": []}

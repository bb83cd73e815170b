"""VPC flow logs of real traffic: `localvpc exec` runs curl inside instances, the data plane
decides each connection, and the flow logs watching the interfaces it crossed get records in
AWS's format (default version 2 fields, or a custom `LogFormat`) in a CloudWatch Logs group,
one stream per interface, read back with boto3 and the unmodified `aws logs` CLI.

AWS is the spec (VPC User Guide, "Flow log records", "Publish flow logs to CloudWatch
Logs"): a record is `version account-id interface-id srcaddr dstaddr srcport dstport
protocol packets bytes start end action log-status`; an accepted connection is recorded on
each interface it crosses, the request and the reply apart; traffic a security group or
network ACL stops is REJECT at the interface that stopped it (the sender's records still say
ACCEPT: its packets left); a flow log with `TrafficType=REJECT` holds only those; the log
group is created on first delivery when it does not exist.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import threading
import time

import pytest

from helpers import (DEFAULT_ACCESS_KEY, DEFAULT_REGION, DEFAULT_SECRET_KEY, LocalVpcServer,
                     ServerStartError, find_aws_cli, isolated_aws_env, new_ec2_client,
                     resolve_binary)
from path_helpers import Net

if shutil.which("curl") is None:
    pytest.skip("curl is not installed: the flow-log tests run it inside instances "
                "(scripts/test installs it with apt-get as root)", allow_module_level=True)

INTERNET = "203.0.113.90"
BACKEND = "10.60.1.50"
ROLE = "arn:aws:iam::000000000000:role/flow-logs"
DEFAULT_FIELDS = 14


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        body = b"x" * 5000
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


@pytest.fixture(scope="module")
def web():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv.server_address[1]
    srv.shutdown()


@pytest.fixture(scope="module")
def server(tmp_path_factory, web):
    srv = LocalVpcServer(
        binary=resolve_binary(),
        workdir=tmp_path_factory.mktemp("flow-logs-server"),
        ephemeral=True,
        extra_args=("--map-ip", f"{INTERNET}:80=127.0.0.1:{web}",
                    "--map-ip", f"{BACKEND}:8080=127.0.0.1:{web}"),
    )
    try:
        srv.start()
    except ServerStartError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield srv
    srv.terminate(timeout=15)


def client(server, service: str):
    import boto3

    return boto3.client(service, endpoint_url=server.url, region_name=DEFAULT_REGION,
                        aws_access_key_id=DEFAULT_ACCESS_KEY, aws_secret_access_key=DEFAULT_SECRET_KEY)


@pytest.fixture(scope="module")
def site(server):
    """A VPC with a public subnet: a public instance, one whose group has no rules, and a
    backend (BACKEND) admitting 8080 from the VPC; a flow log of ALL traffic for the VPC
    and one of REJECT traffic for the subnet with a custom format, in another group."""
    ec2 = new_ec2_client(server.url)
    net = Net(ec2)
    vpc = net.vpc("10.60.0.0/16")
    subnet = net.subnet(vpc, "10.60.1.0/24")
    net.igw_for(vpc, subnet)
    closed = net.empty_sg(vpc, "closed")
    backend_sg = net.sg(vpc, "backend", {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                                         "IpRanges": [{"CidrIp": "10.60.0.0/16"}]})
    public = net.instance(subnet, public_ip=True)
    closed_instance = net.instance(subnet, groups=[closed], public_ip=True)
    [backend] = ec2.run_instances(ImageId=net.ami, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                  SubnetId=subnet, PrivateIpAddress=BACKEND,
                                  SecurityGroupIds=[backend_sg])["Instances"]
    made = ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[vpc], TrafficType="ALL",
                                LogGroupName="vpc-flows", DeliverLogsPermissionArn=ROLE,
                                MaxAggregationInterval=60)
    assert made["Unsuccessful"] == [], made
    rejects = ec2.create_flow_logs(
        ResourceType="Subnet", ResourceIds=[subnet], TrafficType="REJECT",
        LogDestination=f"arn:aws:logs:{DEFAULT_REGION}:000000000000:log-group:rejects",
        DeliverLogsPermissionArn=ROLE,
        LogFormat="${interface-id} ${srcaddr} ${dstaddr} ${dstport} ${action} ${flow-direction} "
                  "${instance-id} ${vpc-id}")
    assert rejects["Unsuccessful"] == [], rejects
    return {"ec2": ec2, "vpc": vpc, "subnet": subnet, "public": public, "closed": closed_instance,
            "backend": backend, "flow_logs": made["FlowLogIds"] + rejects["FlowLogIds"]}


def curl(server, instance: str, url: str) -> int:
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env["LOCALVPC_ENDPOINT"] = server.url
    r = subprocess.run([str(resolve_binary()), "exec", "--instance", instance, "--", "curl", "-sS",
                        "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20", url],
                       capture_output=True, text=True, env=env, timeout=60)
    return int(r.stdout or 0)


def events(logs, group: str, want, timeout: float = 15.0) -> list[dict]:
    """The group's events once `want(events)` holds (delivery is asynchronous, as in AWS)."""
    deadline = time.monotonic() + timeout
    found: list[dict] = []
    while time.monotonic() < deadline:
        try:
            found = logs.filter_log_events(logGroupName=group)["events"]
        except logs.exceptions.ResourceNotFoundException:
            found = []
        if want(found):
            return found
        time.sleep(0.2)
    raise AssertionError(f"{group}: no such events in {timeout}s: {json.dumps(found, indent=1)}")


@pytest.fixture(scope="module")
def traffic(server, site):
    """Four connections: public → the internet (accepted), closed → the internet (its group
    stops it), public → backend:8080 (accepted) and public → backend:9090 (the backend's
    group stops it)."""
    public, closed = site["public"]["InstanceId"], site["closed"]["InstanceId"]
    assert curl(server, public, f"http://{INTERNET}/") == 200
    assert curl(server, closed, f"http://{INTERNET}/") == 403
    assert curl(server, public, f"http://{BACKEND}:8080/") == 200
    assert curl(server, public, f"http://{BACKEND}:9090/") == 403
    return site


def fields(event: dict) -> list[str]:
    return event["message"].split(" ")


def test_accepted_connections_are_recorded_on_each_interface_request_and_reply(server, traffic):
    logs = client(server, "logs")
    eni = traffic["public"]["NetworkInterfaces"][0]
    backend_eni = traffic["backend"]["NetworkInterfaces"][0]["NetworkInterfaceId"]

    def to_backend(found):
        return any(fields(e)[4] == BACKEND and fields(e)[6] == "8080" for e in found) and \
            any(e["logStreamName"] == backend_eni for e in found)

    found = events(logs, "vpc-flows", to_backend)
    for e in found:
        f = fields(e)
        assert len(f) == DEFAULT_FIELDS, e
        assert f[0] == "2" and f[1] == "000000000000" and f[2] == e["logStreamName"], e
        assert f[7] == "6" and f[13] == "OK", e
        assert int(f[10]) <= int(f[11]), e
        # CloudWatch Logs' timestamp is the record's start.
        assert e["timestamp"] == int(f[10]) * 1000, e
    mine = [fields(e) for e in found if e["logStreamName"] == eni["NetworkInterfaceId"]]
    ip = eni["PrivateIpAddress"]
    # To the internet: the request leaves, the reply (5000 bytes and more) comes back.
    out = [f for f in mine if f[3] == ip and f[4] == INTERNET]
    back = [f for f in mine if f[3] == INTERNET and f[4] == ip]
    assert out and back, mine
    assert out[0][6] == "80" and out[0][12] == "ACCEPT"
    assert back[0][5] == "80" and back[0][6] == out[0][5]
    assert int(back[0][9]) > 5000 and int(back[0][8]) >= 4
    # The backend records the request arriving and its reply leaving.
    at_backend = [fields(e) for e in found if e["logStreamName"] == backend_eni]
    assert any(f[3] == ip and f[4] == BACKEND and f[6] == "8080" and f[12] == "ACCEPT"
               for f in at_backend), at_backend
    assert any(f[3] == BACKEND and f[4] == ip and f[5] == "8080" for f in at_backend), at_backend


def test_rejected_connections_are_recorded_where_they_were_stopped(server, traffic):
    logs = client(server, "logs")
    closed_eni = traffic["closed"]["NetworkInterfaces"][0]["NetworkInterfaceId"]
    backend_eni = traffic["backend"]["NetworkInterfaces"][0]["NetworkInterfaceId"]
    public_eni = traffic["public"]["NetworkInterfaces"][0]["NetworkInterfaceId"]

    def rejects(found):
        streams = {e["logStreamName"] for e in found if fields(e)[12] == "REJECT"}
        return {closed_eni, backend_eni} <= streams

    found = events(logs, "vpc-flows", rejects)
    # The closed instance's own group stopped its request: REJECT as it leaves, no reply.
    closed = [fields(e) for e in found if e["logStreamName"] == closed_eni]
    assert closed and all(f[12] == "REJECT" and f[4] == INTERNET for f in closed), closed
    # The backend's group stopped the request on 9090: REJECT at the backend, while the
    # sender's record says its packet left.
    assert any(fields(e)[6] == "9090" and fields(e)[12] == "REJECT"
               for e in found if e["logStreamName"] == backend_eni)
    assert any(fields(e)[6] == "9090" and fields(e)[12] == "ACCEPT"
               for e in found if e["logStreamName"] == public_eni)
    # The subnet's REJECT flow log holds only rejections, in its own format.
    custom = events(logs, "rejects", lambda f: len(f) >= 2)
    for e in custom:
        f = fields(e)
        assert len(f) == 8 and f[4] == "REJECT" and f[7] == traffic["vpc"], e
        assert f[0] == e["logStreamName"] and f[5] in ("ingress", "egress"), e
    assert {fields(e)[3] for e in custom} == {"80", "9090"}
    assert any(fields(e)[6] == traffic["closed"]["InstanceId"] for e in custom)


def test_the_aws_cli_filters_flow_log_records_with_the_documented_pattern(server, traffic, tmp_path):
    aws = find_aws_cli()
    logs = client(server, "logs")
    events(logs, "vpc-flows", lambda found: any(fields(e)[6] == "9090" for e in found))
    empty = tmp_path / "empty-aws-config"
    empty.write_text("")
    env = isolated_aws_env(dict(os.environ), empty, access_key=DEFAULT_ACCESS_KEY,
                           secret_key=DEFAULT_SECRET_KEY, region=DEFAULT_REGION)
    pattern = ('[version, account, eni, source, destination, srcport, destport="9090", protocol="6", '
               'packets, bytes, windowstart, windowend, action="REJECT", flowlogstatus]')
    r = subprocess.run([aws, "--endpoint-url", server.url, "logs", "filter-log-events",
                        "--log-group-name", "vpc-flows", "--filter-pattern", pattern,
                        "--query", "events[].message", "--output", "json"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    messages = json.loads(r.stdout)
    backend_eni = traffic["backend"]["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert messages and all(m.split()[2] == backend_eni and m.split()[6] == "9090" for m in messages)


def test_flow_logs_are_described_and_deleted(server, site, traffic):
    ec2 = site["ec2"]
    described = ec2.describe_flow_logs(FlowLogIds=site["flow_logs"])["FlowLogs"]
    by_group = {f["LogGroupName"]: f for f in described}
    assert set(by_group) == {"vpc-flows", "rejects"}
    assert by_group["vpc-flows"]["ResourceId"] == site["vpc"]
    assert by_group["vpc-flows"]["MaxAggregationInterval"] == 60
    assert by_group["vpc-flows"]["LogFormat"].startswith("${version} ${account-id} ${interface-id}")
    assert by_group["rejects"]["TrafficType"] == "REJECT"
    assert by_group["rejects"]["DeliverLogsStatus"] == "SUCCESS"
    # A second flow log of the same configuration is refused per resource.
    again = ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[site["vpc"]], TrafficType="ALL",
                                 LogGroupName="vpc-flows", DeliverLogsPermissionArn=ROLE)
    assert [u["Error"]["Code"] for u in again["Unsuccessful"]] == ["FlowLogAlreadyExists"]
    # Deleted, a flow log records nothing more; its group keeps what it had.
    logs = client(server, "logs")
    before = len(events(logs, "rejects", lambda f: len(f) >= 2))
    left = ec2.delete_flow_logs(FlowLogIds=[by_group["rejects"]["FlowLogId"]])
    assert left["Unsuccessful"] == []
    assert curl(server, site["closed"]["InstanceId"], f"http://{INTERNET}/") == 403
    time.sleep(1.0)
    assert len(logs.filter_log_events(logGroupName="rejects")["events"]) == before
    gone = ec2.delete_flow_logs(FlowLogIds=[by_group["rejects"]["FlowLogId"]])
    assert [u["Error"]["Code"] for u in gone["Unsuccessful"]] == ["InvalidFlowLogId.NotFound"]


def test_localvpc_flows_ties_each_record_to_the_rule_that_decided_it(server, traffic):
    public = traffic["public"]["InstanceId"]
    backend_eni = traffic["backend"]["NetworkInterfaces"][0]["NetworkInterfaceId"]
    env = dict(os.environ, LOCALVPC_ENDPOINT=server.url)
    r = subprocess.run([str(resolve_binary()), "flows", "--instance", public, "--limit", "50", "--json"],
                       capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 0, r.stderr
    flows = json.loads(r.stdout)["flows"]
    assert flows and all(f["instance"] == public for f in flows)
    [refused] = [f for f in flows if f["destination"] == f"{BACKEND}:9090"]
    assert refused["blocked"] == "ENI_SG_RULES_MISMATCH"
    at_backend = [s for s in refused["sightings"] if s["interface"] == backend_eni]
    assert [s["action"] for s in at_backend] == ["REJECT"]
    assert at_backend[0]["decided_by"].startswith("sg-") and "no ingress rule" in at_backend[0]["decided_by"]
    [accepted] = [f for f in flows if f["destination"] == f"{BACKEND}:8080"][:1]
    admitted = [s for s in accepted["sightings"] if s["interface"] == backend_eni and not s["reply"]]
    assert admitted[0]["action"] == "ACCEPT" and admitted[0]["decided_by"].startswith("sgr-")
    assert admitted[0]["record"].split()[6] == "8080"
    # The same, for people.
    r = subprocess.run([str(resolve_binary()), "flows", "--instance", public],
                       capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 0 and "refused: ENI_SG_RULES_MISMATCH" in r.stdout, r.stdout

"""`localvpc exec --instance i-… -- COMMAND`: a real program (curl) runs "inside" an instance,
and its HTTP traffic crosses the data plane — the name resolved in the instance's VPC view,
then routes, network ACLs and security groups decided by the same decision core as
`localvpc trace` — to a real server standing behind an emulated "internet" address
(`--map-ip`), or is refused at once with the blocker named in `x-localvpc-blocked`.

AWS is the spec for what passes: an instance reaches the internet through an internet
gateway only from a subnet routed to it and with a public IPv4 address
(`IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS` otherwise), a subnet without such a route has no
route (`NO_ROUTE_TO_DESTINATION`), a security group without an outbound rule stops the
packet (`SG_HAS_NO_RULES`). How a refusal looks (an immediate 403 with headers, instead of
AWS's timeout) is localvpc's choice (docs/exec.md).
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading

import pytest

from helpers import (DEFAULT_ACCESS_KEY, DEFAULT_REGION, DEFAULT_SECRET_KEY, SHARED_ACCOUNTS,
                     LocalVpcServer, ServerStartError, find_aws_cli, http_call, isolated_aws_env,
                     new_ec2_client, resolve_binary)
from path_helpers import Net
from route53_helpers import apply, change, new_route53_client, rrset, zone_id

if shutil.which("curl") is None:
    pytest.skip("curl is not installed: the data-plane tests run it inside instances "
                "(scripts/test installs it with apt-get as root)", allow_module_level=True)

INTERNET = "203.0.113.80"  # TEST-NET-3: nobody's VPC
PROVIDER_TARGET = "10.40.1.10"  # the provider's backend instance behind its load balancer
GREETING = b"hello from the internet\n"


class _Quiet(http.server.BaseHTTPRequestHandler):
    def answer(self, body: bytes, content_type: str = "text/plain") -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


class _Handler(_Quiet):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.answer(GREETING + f"host={self.headers.get('Host')} path={self.path}\n".encode())


class _Ssm(_Quiet):
    """Another emulator's SSM: answers GetParameter with what it was asked."""

    def do_POST(self):  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length", "0"))
        asked = json.loads(self.rfile.read(length) or b"{}")
        target = self.headers.get("X-Amz-Target", "")
        body = json.dumps({"Parameter": {"Name": asked.get("Name", ""), "Type": "String",
                                         "Value": f"from-upstream {target}"}}).encode()
        self.answer(body, "application/x-amz-json-1.1")


def _loopback_server(handler):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


@pytest.fixture(scope="module")
def web():
    """A real HTTP server on loopback: what the emulated internet address stands for."""
    srv = _loopback_server(_Handler)
    yield srv.server_address[1]
    srv.shutdown()


@pytest.fixture(scope="module")
def ssm_upstream():
    srv = _loopback_server(_Ssm)
    yield srv.server_address[1]
    srv.shutdown()


@pytest.fixture(scope="module")
def server(tmp_path_factory, web, ssm_upstream):
    """This module's server: the emulated internet address INTERNET:80 is the local web server."""
    srv = LocalVpcServer(
        binary=resolve_binary(),
        workdir=tmp_path_factory.mktemp("exec-server"),
        ephemeral=True,
        accounts=SHARED_ACCOUNTS,
        extra_args=("--map-ip", f"{INTERNET}:80=127.0.0.1:{web}",
                    "--map-ip", f"{PROVIDER_TARGET}:8080=127.0.0.1:{web}",
                    "--upstream", f"ssm=http://127.0.0.1:{ssm_upstream}"),
    )
    try:
        srv.start()
    except ServerStartError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield srv
    srv.terminate(timeout=15)


@pytest.fixture(scope="module")
def site(server):
    """One VPC: a public subnet (routed to an internet gateway) and a private one, with
    instances: public (with a public IP), public without one, private, and one whose only
    group has no rules."""
    ec2 = new_ec2_client(server.url)
    net = Net(ec2)
    vpc = net.vpc("10.20.0.0/16", dns_hostnames=True)
    public = net.subnet(vpc, "10.20.1.0/24")
    private = net.subnet(vpc, "10.20.2.0/24")
    net.igw_for(vpc, public)
    closed = net.empty_sg(vpc, "closed")
    r53 = new_route53_client(server.url)
    zone = zone_id(r53, "corp.example", vpc=vpc)
    apply(r53, zone, change("CREATE", rrset("web.corp.example", "A", INTERNET)))
    # Every connection of this module is also a flow log record (checked where it matters).
    flow_log(ec2, vpc)
    return {
        "ec2": ec2,
        "vpc": vpc,
        "public": net.instance(public, public_ip=True)["InstanceId"],
        "no_public_ip": net.instance(public)["InstanceId"],
        "private": net.instance(private),
        "closed": net.instance(public, groups=[closed], public_ip=True)["InstanceId"],
    }


FLOW_LOG_GROUP = "exec-flows"


def flow_log(ec2, vpc: str) -> None:
    made = ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[vpc], TrafficType="ALL",
                                LogGroupName=FLOW_LOG_GROUP,
                                DeliverLogsPermissionArn="arn:aws:iam::000000000000:role/flow-logs")
    assert made["Unsuccessful"] == [], made


def flow_records(server, interface: str, want, timeout: float = 10.0) -> list[list[str]]:
    """The default-format records of one interface's stream, once `want(records)` holds
    (each record split into its 14 fields: version … action log-status)."""
    import time

    import boto3

    logs = boto3.client("logs", endpoint_url=server.url, region_name=DEFAULT_REGION,
                        aws_access_key_id=DEFAULT_ACCESS_KEY, aws_secret_access_key=DEFAULT_SECRET_KEY)
    deadline = time.monotonic() + timeout
    records: list[list[str]] = []
    while time.monotonic() < deadline:
        try:
            events = logs.filter_log_events(logGroupName=FLOW_LOG_GROUP, logStreamNames=[interface])["events"]
        except logs.exceptions.ResourceNotFoundException:
            events = []
        records = [e["message"].split(" ") for e in events]
        if want(records):
            assert all(len(r) == 14 and r[0] == "2" and r[2] == interface for r in records), records
            return records
        time.sleep(0.2)
    raise AssertionError(f"{interface}: no such flow log records in {timeout}s: {records}")


def eni_of(ec2, instance: str) -> tuple[str, str]:
    [i] = ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"]
    eni = i["NetworkInterfaces"][0]
    return eni["NetworkInterfaceId"], eni["PrivateIpAddress"]


def exec_(server, instance: str, *argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = dict(env or os.environ, LOCALVPC_ENDPOINT=server.url)
    # The caller's own proxy settings must not leak in: exec sets them.
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(name, None)
    return subprocess.run([str(resolve_binary()), "exec", "--instance", instance, "--", *argv],
                          capture_output=True, text=True, env=env, timeout=60)


def curl(server, instance: str, url: str, *extra: str) -> tuple[int, dict[str, str], str]:
    """curl -i through exec: (status, lower-case headers, body)."""
    r = exec_(server, instance, "curl", "-sS", "-i", "--max-time", "20", *extra, url)
    # 56: the proxy refused a CONNECT (curl still prints the refusal's head).
    assert r.returncode == 0 or (r.returncode == 56 and "--proxytunnel" in extra), r.stderr
    text = r.stdout.replace("\r\n", "\n")
    # A CONNECT tunnel prints the proxy's "200 Connection established" head first.
    while text.startswith("HTTP/") and "\n\nHTTP/" in text and " 200 " in text.split("\n", 1)[0] \
            and text.split("\n\n", 1)[1].startswith("HTTP/"):
        text = text.split("\n\n", 1)[1]
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
    return status, headers, body


def test_a_public_instance_reaches_the_internet_server(server, site):
    status, headers, body = curl(server, site["public"], f"http://{INTERNET}/a?b=1")
    assert status == 200, (headers, body)
    assert body.startswith(GREETING.decode())
    # The request arrives in origin form with its Host, without the proxy's credential.
    assert f"host={INTERNET} path=/a?b=1" in body


def test_a_name_is_resolved_in_the_instances_vpc_view(server, site):
    status, _, body = curl(server, site["public"], "http://web.corp.example/")
    assert status == 200, body
    assert "host=web.corp.example" in body


def test_a_connect_tunnel_is_decided_the_same_way(server, site):
    status, _, body = curl(server, site["public"], f"http://{INTERNET}/tunnel", "--proxytunnel")
    assert status == 200, body
    assert "path=/tunnel" in body
    status, headers, _ = curl(server, site["private"]["InstanceId"], f"http://{INTERNET}/", "--proxytunnel")
    assert status == 403
    assert headers["x-localvpc-blocked"] == "NO_ROUTE_TO_DESTINATION"


@pytest.mark.parametrize("who, code", [
    ("no_public_ip", "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS"),
    ("closed", "SG_HAS_NO_RULES"),
])
def test_blocked_paths_are_refused_at_once_with_the_blocker_named(server, site, who, code):
    instance = site[who]
    status, headers, body = curl(server, instance, f"http://{INTERNET}/")
    assert status == 403, body
    assert headers["x-localvpc-blocked"] == code
    assert headers["x-localvpc-trace"] == f"localvpc trace --from {instance} --to {INTERNET}:80"
    assert code in body and GREETING.decode() not in body
    # The explanation agrees: trace names the same blocker.
    status, raw = http_call(server.url + "/_localvpc/trace", method="POST",
                            data=json.dumps({"from": instance, "to": f"{INTERNET}:80"}).encode())
    r = json.loads(raw)
    assert status == 200 and r["network_path_found"] is False
    assert code in [e["explanation_code"] for e in r["explanations"]]
    # Flow logs: the closed instance's own group rejected the request as it left; the
    # instance without a public address sent it (ACCEPT), the internet gateway dropped it.
    eni, ip = eni_of(site["ec2"], instance)
    action = "REJECT" if code == "SG_HAS_NO_RULES" else "ACCEPT"
    flow_records(server, eni, lambda rs: any(r[3] == ip and r[4] == INTERNET and r[6] == "80" and r[12] == action
                                             for r in rs))


def test_a_private_subnet_has_no_route_out(server, site):
    status, headers, _ = curl(server, site["private"]["InstanceId"], f"http://{INTERNET}/")
    assert status == 403
    assert headers["x-localvpc-blocked"] == "NO_ROUTE_TO_DESTINATION"


def test_an_open_path_to_an_emulated_address_without_a_backend_says_so(server, site):
    # Inside the VPC the default group admits its own members: the path is open, but no
    # real process stands behind the private instance's address.
    target = site["private"]["PrivateIpAddress"]
    status, headers, body = curl(server, site["public"], f"http://{target}:8080/")
    assert status == 502, body
    assert headers["x-localvpc-blocked"] == "LOCALVPC_NO_BACKEND"
    assert f"localvpc map add {target}:8080=" in body and "--publish 8080" in body, body


def test_a_name_without_an_address_is_refused(server, site):
    status, headers, _ = curl(server, site["public"], "http://nothing.corp.example/")
    assert status == 502
    assert headers["x-localvpc-blocked"] == "LOCALVPC_DNS_NO_ADDRESS"


def test_exec_exits_with_the_programs_status_and_names_its_session(server, site):
    r = exec_(server, site["public"], "sh", "-c",
              'echo "$LOCALVPC_INSTANCE $LOCALVPC_SESSION $https_proxy $NO_PROXY"; exit 7')
    assert r.returncode == 7, r.stderr
    instance, session, proxy, no_proxy = r.stdout.split()
    assert instance == site["public"] and session.startswith("s-")
    assert proxy.startswith(f"http://{session}:") and "@127.0.0.1:" in proxy
    assert no_proxy == "localhost,127.0.0.1,::1"
    # The session ended with the program: its credential no longer opens the proxy.
    r = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
                        "-x", proxy, f"http://{INTERNET}/"], capture_output=True, text=True)
    assert r.stdout == "407", r


def test_the_proxy_refuses_requests_without_a_session(server, site):
    status, raw = http_call(server.url + "/_localvpc/health")
    proxy = json.loads(raw)["proxy"]
    assert status == 200 and proxy.startswith("127.0.0.1:")
    for extra in ([], ["-U", "s-0000000000000000:wrong"]):
        r = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
                            "-x", f"http://{proxy}", *extra, f"http://{INTERNET}/"],
                           capture_output=True, text=True)
        assert r.stdout == "407", r


def test_exec_refuses_unknown_and_stopped_instances(server, site):
    r = exec_(server, "i-0123456789abcdef0", "true")
    assert r.returncode == 1 and "does not exist" in r.stderr
    ec2 = site["ec2"]
    stopped = site["no_public_ip"]
    ec2.stop_instances(InstanceIds=[stopped])
    try:
        r = exec_(server, stopped, "true")
        assert r.returncode == 1 and "stopped" in r.stderr, r.stderr
    finally:
        ec2.start_instances(InstanceIds=[stopped])
    status, raw = http_call(server.url + "/_localvpc/sessions", method="POST", data=b"{}")
    assert status == 400 and b"instance" in raw


# --------------------------------------------------------------------------- AWS APIs through endpoints
#
# The unmodified aws CLI and boto3, with no --endpoint-url, inside a private subnet: their
# HTTPS to ec2/sts.ap-northeast-1.amazonaws.com reaches localvpc's own API only through
# interface endpoints with private DNS (the proxy ends TLS with the local CA's certificate,
# which exec makes them trust), exactly as such calls need endpoints in AWS.


@pytest.fixture(scope="module")
def endpoints(server, site):
    """Interface endpoints for ec2 and sts (private DNS) in the site's private subnet, their
    group admitting HTTPS from the VPC; and a second VPC with a private instance and none."""
    ec2 = site["ec2"]
    net = Net(ec2)
    sg = net.sg(site["vpc"], "endpoints", {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                           "IpRanges": [{"CidrIp": "10.20.0.0/16"}]})
    private_subnet = site["private"]["SubnetId"]
    ids = {}
    for service in ("ec2", "sts"):
        ids[service] = ec2.create_vpc_endpoint(
            VpcId=site["vpc"], VpcEndpointType="Interface", ServiceName=f"com.amazonaws.{DEFAULT_REGION}.{service}",
            SubnetIds=[private_subnet], SecurityGroupIds=[sg], PrivateDnsEnabled=True)["VpcEndpoint"]["VpcEndpointId"]
    bare_vpc = net.vpc("10.30.0.0/16", dns_hostnames=True)
    bare = net.instance(net.subnet(bare_vpc, "10.30.1.0/24"))["InstanceId"]
    return {"sg": sg, "ids": ids, "bare": bare}


def aws_env(tmp_path) -> dict[str, str]:
    empty = tmp_path / "empty-aws-config"
    empty.write_text("")
    return isolated_aws_env(dict(os.environ), empty, access_key=DEFAULT_ACCESS_KEY,
                            secret_key=DEFAULT_SECRET_KEY, region=DEFAULT_REGION)


def test_the_aws_cli_reaches_ec2_through_its_interface_endpoint(server, site, endpoints, tmp_path):
    aws = find_aws_cli()
    r = exec_(server, site["private"]["InstanceId"], aws, "ec2", "describe-vpcs", "--vpc-ids", site["vpc"],
              "--query", "Vpcs[].VpcId", "--output", "text", env=aws_env(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [site["vpc"]]
    # Flow logs: the request arrived at the endpoint's interface on 443 and was answered.
    [endpoint] = site["ec2"].describe_vpc_endpoints(VpcEndpointIds=[endpoints["ids"]["ec2"]])["VpcEndpoints"]
    _, ip = eni_of(site["ec2"], site["private"]["InstanceId"])
    records = flow_records(server, endpoint["NetworkInterfaceIds"][0],
                           lambda rs: any(r[3] == ip and r[6] == "443" for r in rs)
                           and any(r[4] == ip and r[5] == "443" for r in rs))
    assert all(r[12] == "ACCEPT" for r in records if r[3] == ip or r[4] == ip)


def test_boto3_reaches_sts_through_its_interface_endpoint(server, site, endpoints, tmp_path):
    program = ("import boto3; print(boto3.client('sts', region_name='ap-northeast-1')"
               ".get_caller_identity()['Account'])")
    r = exec_(server, site["private"]["InstanceId"], sys.executable, "-c", program, env=aws_env(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "000000000000"


def test_curl_verifies_the_intercepted_certificate(server, site, endpoints):
    # Unsigned, the request is EC2's in the default account; what matters is that TLS verified
    # against the bundle exec handed over and that localvpc's API answered.
    status, headers, body = curl(server, site["private"]["InstanceId"],
                                 f"https://ec2.{DEFAULT_REGION}.amazonaws.com/?Action=DescribeRegions")
    assert status == 200, body
    assert "<regionName>ap-northeast-1</regionName>" in body


def test_without_an_endpoint_a_private_instance_cannot_reach_the_api(server, endpoints, tmp_path):
    status, headers, _ = curl(server, endpoints["bare"], f"https://ec2.{DEFAULT_REGION}.amazonaws.com/",
                              "--proxytunnel")
    assert status == 403
    assert headers["x-localvpc-blocked"] == "NO_ROUTE_TO_DESTINATION"
    r = exec_(server, endpoints["bare"], find_aws_cli(), "ec2", "describe-vpcs", env=aws_env(tmp_path))
    assert r.returncode != 0


def test_a_public_instance_reaches_the_api_at_its_public_address(server, site, endpoints):
    # A service without an endpoint in its VPC: the public name leads out through the
    # internet gateway to the public service, which localvpc also serves.
    status, headers, body = curl(server, site["public"],
                                 f"https://elasticloadbalancing.{DEFAULT_REGION}.amazonaws.com/"
                                 "?Action=DescribeLoadBalancers&Version=2015-12-01")
    assert "x-localvpc-blocked" not in headers, body
    # Unsigned, the request is routed as EC2's (docs/aws-choices.md), which does not know
    # the action: still localvpc's API answering through TLS it could verify.
    assert status == 400 and "InvalidAction" in body
    # Without a public IP the same name is out of reach.
    status, headers, _ = curl(server, site["no_public_ip"],
                              f"https://elasticloadbalancing.{DEFAULT_REGION}.amazonaws.com/", "--proxytunnel")
    assert (status, headers["x-localvpc-blocked"]) == (403, "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS")


def test_an_endpoint_to_a_service_localvpc_does_not_serve_says_so(server, site, endpoints):
    ec2 = site["ec2"]
    kms = ec2.create_vpc_endpoint(
        VpcId=site["vpc"], VpcEndpointType="Interface", ServiceName=f"com.amazonaws.{DEFAULT_REGION}.kms",
        SubnetIds=[site["private"]["SubnetId"]], SecurityGroupIds=[endpoints["sg"]],
        PrivateDnsEnabled=True)["VpcEndpoint"]["VpcEndpointId"]
    try:
        status, headers, body = curl(server, site["private"]["InstanceId"],
                                     f"https://kms.{DEFAULT_REGION}.amazonaws.com/", "--proxytunnel")
        assert status == 502
        assert headers["x-localvpc-blocked"] == "LOCALVPC_NO_UPSTREAM"
    finally:
        ec2.delete_vpc_endpoints(VpcEndpointIds=[kms])


def test_a_service_with_an_upstream_is_relayed_through_its_endpoint(server, site, endpoints, tmp_path):
    ec2 = site["ec2"]
    ssm = ec2.create_vpc_endpoint(
        VpcId=site["vpc"], VpcEndpointType="Interface", ServiceName=f"com.amazonaws.{DEFAULT_REGION}.ssm",
        SubnetIds=[site["private"]["SubnetId"]], SecurityGroupIds=[endpoints["sg"]],
        PrivateDnsEnabled=True)["VpcEndpoint"]["VpcEndpointId"]
    program = ("import boto3; print(boto3.client('ssm', region_name='ap-northeast-1')"
               ".get_parameter(Name='/app/db')['Parameter']['Value'])")
    try:
        r = exec_(server, site["private"]["InstanceId"], sys.executable, "-c", program, env=aws_env(tmp_path))
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == "from-upstream AmazonSSM.GetParameter"
    finally:
        ec2.delete_vpc_endpoints(VpcEndpointIds=[ssm])
    # Without the endpoint the private subnet has no way to SSM: the upstream is not a shortcut.
    r = exec_(server, site["private"]["InstanceId"], sys.executable, "-c", program, env=aws_env(tmp_path))
    assert r.returncode != 0


def test_the_endpoint_policy_decides_each_request_through_the_endpoint(server, site, endpoints, tmp_path):
    """An endpoint policy that allows ec2:DescribeSubnets only: the aws CLI in the private
    subnet lists subnets, and is refused DescribeVpcs with EC2's UnauthorizedOperation;
    an explicit deny says so; the same request explained by trace names the same policy."""
    ec2 = site["ec2"]
    endpoint = endpoints["ids"]["ec2"]
    allow_subnets = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "ec2:DescribeSubnets", "Resource": "*"}]}
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint, PolicyDocument=json.dumps(allow_subnets))
    aws, env = find_aws_cli(), aws_env(tmp_path)
    instance = site["private"]["InstanceId"]
    try:
        r = exec_(server, instance, aws, "ec2", "describe-subnets", "--subnet-ids", site["private"]["SubnetId"],
                  "--query", "Subnets[].SubnetId", "--output", "text", env=env)
        assert r.returncode == 0, r.stderr
        assert r.stdout.split() == [site["private"]["SubnetId"]]
        r = exec_(server, instance, aws, "ec2", "describe-vpcs", env=env)
        assert r.returncode != 0
        assert "UnauthorizedOperation" in r.stderr, r.stderr
        assert "because no VPC endpoint policy allows the ec2:DescribeVpcs action" in r.stderr, r.stderr
        # The refusal names the blocker like every other refusal of the data plane.
        status, headers, body = curl(server, instance, f"https://ec2.{DEFAULT_REGION}.amazonaws.com/",
                                     "--data", "Action=DescribeVpcs&Version=2016-11-15")
        assert status == 403, body
        assert headers["x-localvpc-blocked"] == "LOCALVPC_ENDPOINT_POLICY_DENY"
        assert "<Code>UnauthorizedOperation</Code>" in body
        # trace evaluates the same policy for the same request.
        status, raw = http_call(server.url + "/_localvpc/trace", method="POST", data=json.dumps({
            "from": instance, "to": f"ec2.{DEFAULT_REGION}.amazonaws.com:443",
            "request": "ec2:DescribeVpcs *", "principal": "arn:aws:iam::000000000000:root"}).encode())
        assert status == 200, raw
        assert "LOCALVPC_ENDPOINT_POLICY_DENY" in [e["explanation_code"] for e in json.loads(raw)["explanations"]]
        deny = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Principal": "*", "Action": "ec2:DescribeSubnets", "Resource": "*"}]}
        ec2.modify_vpc_endpoint(VpcEndpointId=endpoint, PolicyDocument=json.dumps(deny))
        r = exec_(server, instance, aws, "ec2", "describe-subnets", env=env)
        assert r.returncode != 0 and "with an explicit deny in a VPC endpoint policy" in r.stderr, r.stderr
        r = exec_(server, instance, aws, "ec2", "describe-vpcs", "--vpc-ids", site["vpc"],
                  "--query", "Vpcs[].VpcId", "--output", "text", env=env)
        assert r.returncode == 0 and r.stdout.split() == [site["vpc"]], r.stderr
    finally:
        ec2.modify_vpc_endpoint(VpcEndpointId=endpoint, ResetPolicy=True)


def test_revoking_the_endpoint_rule_closes_the_path(server, site, endpoints, tmp_path):
    ec2 = site["ec2"]
    rule = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.20.0.0/16"}]}
    ec2.revoke_security_group_ingress(GroupId=endpoints["sg"], IpPermissions=[rule])
    try:
        status, headers, _ = curl(server, site["private"]["InstanceId"],
                                  f"https://ec2.{DEFAULT_REGION}.amazonaws.com/", "--proxytunnel")
        assert status == 403
        assert headers["x-localvpc-blocked"] in ("ENI_SG_RULES_MISMATCH", "SG_HAS_NO_RULES")
        r = exec_(server, site["private"]["InstanceId"], find_aws_cli(), "ec2", "describe-vpcs",
                  env=aws_env(tmp_path))
        assert r.returncode != 0
    finally:
        ec2.authorize_security_group_ingress(GroupId=endpoints["sg"], IpPermissions=[rule])


def test_the_ca_is_printed_and_stays_with_the_server(server):
    r = subprocess.run([str(resolve_binary()), "ca", "--endpoint", server.url], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("-----BEGIN CERTIFICATE-----")
    status, raw = http_call(server.url + "/_localvpc/ca")
    assert status == 200 and raw.decode() == r.stdout


# --------------------------------------------------------------------------- PrivateLink


def nlb_service(server, site, backend: str, vpc: str, subnet: str, name: str) -> tuple[dict, dict]:
    """`backend` behind an internal NLB `name` in `subnet` (listener 80 → target port 8080),
    published as an endpoint service without acceptance; the site's private subnet gets an
    interface endpoint to it whose group admits 80 from the site. (service, endpoint)."""
    import boto3

    ec2 = site["ec2"]
    net = Net(ec2)
    elbv2 = boto3.client("elbv2", endpoint_url=server.url, region_name=DEFAULT_REGION,
                         aws_access_key_id=DEFAULT_ACCESS_KEY, aws_secret_access_key=DEFAULT_SECRET_KEY)
    [lb] = elbv2.create_load_balancer(Name=name, Type="network", Scheme="internal",
                                      Subnets=[subnet])["LoadBalancers"]
    [tg] = elbv2.create_target_group(Name=f"{name}-targets", Protocol="TCP", Port=8080, VpcId=vpc,
                                     TargetType="instance")["TargetGroups"]
    elbv2.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": backend}])
    elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="TCP", Port=80,
                          DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
    service = ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[lb["LoadBalancerArn"]], AcceptanceRequired=False)["ServiceConfiguration"]
    sg = net.sg(site["vpc"], f"to-{name}", {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
                                           "IpRanges": [{"CidrIp": "10.20.0.0/16"}]})
    endpoint = ec2.create_vpc_endpoint(
        VpcId=site["vpc"], VpcEndpointType="Interface", ServiceName=service["ServiceName"],
        SubnetIds=[site["private"]["SubnetId"]], SecurityGroupIds=[sg])["VpcEndpoint"]
    return service, endpoint


@pytest.fixture(scope="module")
def privatelink(server, site):
    """A provider's service: its backend instance (PROVIDER_TARGET, port 8080, mapped to the
    local web server) behind an internal NLB listening on 80, published as an endpoint service
    without acceptance; the site's private subnet gets an interface endpoint to it."""
    ec2 = site["ec2"]
    net = Net(ec2)
    vpc = net.vpc("10.40.0.0/16")
    flow_log(ec2, vpc)
    subnet = net.subnet(vpc, "10.40.1.0/24")
    backend_sg = net.sg(vpc, "backend", {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                                         "IpRanges": [{"CidrIp": "10.40.0.0/16"}]})
    [backend] = ec2.run_instances(ImageId=net.ami, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                  SubnetId=subnet, PrivateIpAddress=PROVIDER_TARGET,
                                  SecurityGroupIds=[backend_sg])["Instances"]
    service, endpoint = nlb_service(server, site, backend["InstanceId"], vpc, subnet, "provider")
    [eni] = ec2.describe_network_interfaces(NetworkInterfaceIds=endpoint["NetworkInterfaceIds"])[
        "NetworkInterfaces"]
    return {"service": service["ServiceId"], "endpoint": endpoint["VpcEndpointId"],
            "name": endpoint["DnsEntries"][0]["DnsName"], "ip": eni["PrivateIpAddress"],
            "eni": eni["NetworkInterfaceId"], "backend": backend["InstanceId"]}


def test_privatelink_carries_the_request_to_the_providers_process(server, site, privatelink):
    status, headers, body = curl(server, site["private"]["InstanceId"], f"http://{privatelink['name']}/pl")
    assert status == 200, (headers, body)
    assert body.startswith(GREETING.decode())
    assert f"host={privatelink['name']} path=/pl" in body
    # Flow logs: the consumer's request at its endpoint's interface on 80; the provider's
    # target sees the balancer's address on the target port (8080), and answers.
    _, client_ip = eni_of(site["ec2"], site["private"]["InstanceId"])
    flow_records(server, privatelink["eni"], lambda rs: any(
        r[3] == client_ip and r[4] == privatelink["ip"] and r[6] == "80" and r[12] == "ACCEPT" for r in rs))
    backend_eni, _ = eni_of(site["ec2"], privatelink["backend"])
    records = flow_records(server, backend_eni, lambda rs: any(
        r[4] == PROVIDER_TARGET and r[6] == "8080" and r[12] == "ACCEPT" for r in rs))
    assert all(r[3].startswith("10.40.") for r in records if r[4] == PROVIDER_TARGET), records
    # Another port: the endpoint's group admits only 80.
    status, headers, _ = curl(server, site["private"]["InstanceId"], f"http://{privatelink['name']}:81/")
    assert (status, headers["x-localvpc-blocked"]) == (403, "ENI_SG_RULES_MISMATCH")


def test_privatelink_stops_when_the_provider_rejects_the_connection(server, site, privatelink):
    ec2 = site["ec2"]
    ec2.reject_vpc_endpoint_connections(ServiceId=privatelink["service"],
                                        VpcEndpointIds=[privatelink["endpoint"]])
    # The rejected endpoint's names no longer resolve, and its interface carries nothing.
    status, headers, _ = curl(server, site["private"]["InstanceId"], f"http://{privatelink['name']}/")
    assert (status, headers["x-localvpc-blocked"]) == (502, "LOCALVPC_DNS_NO_ADDRESS")
    status, headers, body = curl(server, site["private"]["InstanceId"], f"http://{privatelink['ip']}/")
    assert status == 403, body
    assert headers["x-localvpc-blocked"] == "BAD_STATE"


# --------------------------------------------------------------------------- instance metadata


@pytest.fixture(scope="module")
def profiled(server, site, endpoints):
    """An instance in the private subnet (with the sts endpoint) launched with an instance profile."""
    ec2 = site["ec2"]
    [i] = ec2.run_instances(ImageId=Net(ec2).ami, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                            SubnetId=site["private"]["SubnetId"],
                            IamInstanceProfile={"Name": "app-role"})["Instances"]
    return i


def test_the_instance_profile_is_described(site, profiled):
    [r] = site["ec2"].describe_instances(InstanceIds=[profiled["InstanceId"]])["Reservations"]
    profile = r["Instances"][0]["IamInstanceProfile"]
    assert profile["Arn"] == "arn:aws:iam::000000000000:instance-profile/app-role"
    assert profile["Id"].startswith("AIPA") and len(profile["Id"]) == 21


def test_imds_v1_and_v2_answer_the_instances_own_metadata(server, site, profiled):
    instance = profiled["InstanceId"]
    status, _, body = curl(server, instance, "http://169.254.169.254/latest/meta-data/instance-id")
    assert (status, body) == (200, instance)
    # IMDSv2: a token from PUT, then reads with it; a wrong token is refused.
    script = (
        'T=$(curl -sS -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" '
        'http://169.254.169.254/latest/api/token) && '
        'curl -sS -H "X-aws-ec2-metadata-token: $T" '
        'http://169.254.169.254/latest/meta-data/placement/availability-zone && echo && '
        'curl -sS -o /dev/null -w "%{http_code}" -H "X-aws-ec2-metadata-token: nope" '
        'http://169.254.169.254/latest/meta-data/instance-id'
    )
    r = exec_(server, instance, "sh", "-c", script)
    assert r.returncode == 0, r.stderr
    zone, refused = r.stdout.split()
    assert zone == profiled["Placement"]["AvailabilityZone"] and refused == "401"
    status, _, body = curl(server, instance, "http://169.254.169.254/latest/dynamic/instance-identity/document")
    document = json.loads(body)
    assert status == 200 and document["instanceId"] == instance and document["accountId"] == "000000000000"
    assert document["privateIp"] == profiled["PrivateIpAddress"] and document["region"] == DEFAULT_REGION
    status, _, body = curl(server, instance, "http://169.254.169.254/latest/meta-data/iam/security-credentials/")
    assert (status, body) == (200, "app-role")
    # An instance without a profile has no credentials to give.
    status, _, _ = curl(server, site["private"]["InstanceId"],
                        "http://169.254.169.254/latest/meta-data/iam/security-credentials/")
    assert status == 404


def test_an_sdk_without_keys_acts_as_the_instance_role(server, profiled, tmp_path):
    env = {k: v for k, v in aws_env(tmp_path).items()
           if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_EC2_METADATA_DISABLED")}
    program = ("import boto3; s = boto3.Session(region_name='ap-northeast-1'); "
               "c = s.get_credentials(); print(c.method, c.access_key[:4]); "
               "print(s.client('sts').get_caller_identity()['Account'])")
    r = exec_(server, profiled["InstanceId"], sys.executable, "-c", program, env=env)
    assert r.returncode == 0, r.stderr
    method_and_key, account = r.stdout.strip().split("\n")
    assert method_and_key == "iam-role ASIA"
    assert account == "000000000000"


# --------------------------------------------------------------------------- each way to close the path


def test_an_acl_deny_closes_the_path_to_the_endpoint(server, site, endpoints):
    # From the public subnet, so the path crosses subnets (ACLs do not apply inside one).
    ec2 = site["ec2"]
    client = site["public"]
    [i] = ec2.describe_instances(InstanceIds=[client])["Reservations"][0]["Instances"]
    subnet = i["SubnetId"]
    [acl] = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"]
    [assoc] = [a for a in acl["Associations"] if a["SubnetId"] == subnet]
    # A new ACL denies everything (only its default * rules).
    deny = ec2.create_network_acl(VpcId=site["vpc"])["NetworkAcl"]["NetworkAclId"]
    moved = ec2.replace_network_acl_association(AssociationId=assoc["NetworkAclAssociationId"],
                                                NetworkAclId=deny)["NewAssociationId"]
    try:
        status, headers, _ = curl(server, client,
                                  f"https://ec2.{DEFAULT_REGION}.amazonaws.com/", "--proxytunnel")
        assert (status, headers.get("x-localvpc-blocked")) == (403, "SUBNET_ACL_RESTRICTION"), (status, headers)
    finally:
        ec2.replace_network_acl_association(AssociationId=moved, NetworkAclId=acl["NetworkAclId"])
    status, _, body = curl(server, client,
                           f"https://ec2.{DEFAULT_REGION}.amazonaws.com/?Action=DescribeRegions")
    assert status == 200, body


def test_disabling_private_dns_sends_the_name_to_the_public_address(server, site, endpoints):
    ec2 = site["ec2"]
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoints["ids"]["ec2"], PrivateDnsEnabled=False)
    try:
        status, headers, _ = curl(server, site["private"]["InstanceId"],
                                  f"https://ec2.{DEFAULT_REGION}.amazonaws.com/", "--proxytunnel")
        assert (status, headers["x-localvpc-blocked"]) == (403, "NO_ROUTE_TO_DESTINATION")
    finally:
        ec2.modify_vpc_endpoint(VpcEndpointId=endpoints["ids"]["ec2"], PrivateDnsEnabled=True)


def test_deleting_the_endpoint_closes_the_path(server, site, endpoints, tmp_path):
    ec2 = site["ec2"]
    net = Net(ec2)
    vpc = net.vpc("10.50.0.0/16", dns_hostnames=True)
    subnet = net.subnet(vpc, "10.50.1.0/24")
    instance = net.instance(subnet)["InstanceId"]
    sg = net.sg(vpc, "https", {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                               "IpRanges": [{"CidrIp": "10.50.0.0/16"}]})
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc, VpcEndpointType="Interface", ServiceName=f"com.amazonaws.{DEFAULT_REGION}.sts",
        SubnetIds=[subnet], SecurityGroupIds=[sg], PrivateDnsEnabled=True)["VpcEndpoint"]["VpcEndpointId"]
    program = ("import boto3; print(boto3.client('sts', region_name='ap-northeast-1')"
               ".get_caller_identity()['Account'])")
    r = exec_(server, instance, sys.executable, "-c", program, env=aws_env(tmp_path))
    assert (r.returncode, r.stdout.strip()) == (0, "000000000000"), r.stderr
    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint])
    r = exec_(server, instance, sys.executable, "-c", program, env=aws_env(tmp_path))
    assert r.returncode != 0
    status, headers, _ = curl(server, instance, f"https://sts.{DEFAULT_REGION}.amazonaws.com/", "--proxytunnel")
    assert (status, headers["x-localvpc-blocked"]) == (403, "NO_ROUTE_TO_DESTINATION")


def test_a_spoke_reaches_the_hubs_endpoint_over_peering(server, site, endpoints):
    """The centralised layout: the hub's ec2 endpoint with private DNS off, a private hosted
    zone in the spoke aliasing the service name to the endpoint, and a peering connection."""
    ec2 = site["ec2"]
    net = Net(ec2)
    hub_endpoint = ec2.create_vpc_endpoint(
        VpcId=site["vpc"], VpcEndpointType="Interface", ServiceName=f"com.amazonaws.{DEFAULT_REGION}.elasticloadbalancing",
        SubnetIds=[site["private"]["SubnetId"]], SecurityGroupIds=[endpoints["sg"]],
        PrivateDnsEnabled=False)["VpcEndpoint"]
    spoke = net.vpc("10.21.0.0/16", dns_hostnames=True)
    spoke_subnet = net.subnet(spoke, "10.21.1.0/24")
    client = net.instance(spoke_subnet)["InstanceId"]
    name = f"elasticloadbalancing.{DEFAULT_REGION}.amazonaws.com"
    r53 = new_route53_client(server.url)
    zone = zone_id(r53, name, vpc=spoke)
    regional = hub_endpoint["DnsEntries"][0]
    apply(r53, zone, change("CREATE", {"Name": name, "Type": "A", "AliasTarget": {
        "HostedZoneId": regional["HostedZoneId"], "DNSName": regional["DnsName"],
        "EvaluateTargetHealth": False}}))
    url = f"https://{name}/?Action=DescribeRegions"
    # No peering yet: the alias answers the hub's address, and nothing routes there.
    status, headers, _ = curl(server, client, url, "--proxytunnel")
    assert (status, headers["x-localvpc-blocked"]) == (403, "NO_ROUTE_TO_DESTINATION")
    pcx = net.peer(spoke, site["vpc"])
    ec2.create_route(RouteTableId=net.main_table(spoke), DestinationCidrBlock="10.20.0.0/16",
                     VpcPeeringConnectionId=pcx)
    ec2.create_route(RouteTableId=net.main_table(site["vpc"]), DestinationCidrBlock="10.21.0.0/16",
                     VpcPeeringConnectionId=pcx)
    # The endpoint's group admits only the hub's CIDR so far.
    status, headers, _ = curl(server, client, url, "--proxytunnel")
    assert (status, headers["x-localvpc-blocked"]) == (403, "ENI_SG_RULES_MISMATCH")
    ec2.authorize_security_group_ingress(GroupId=endpoints["sg"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.21.0.0/16"}]}])
    status, _, body = curl(server, client, url)
    assert status == 200, body
    assert "<regionName>ap-northeast-1</regionName>" in body
    # Flow logs at the hub's endpoint: the spoke's request rejected by the endpoint's group
    # before the rule, accepted after it, over the peering.
    _, spoke_ip = eni_of(ec2, client)
    flow_records(server, hub_endpoint["NetworkInterfaceIds"][0], lambda rs: {
        r[12] for r in rs if r[3] == spoke_ip and r[6] == "443"} == {"ACCEPT", "REJECT"})


def test_hang_mode_leaves_a_blocked_connection_unanswered(spawn_server):
    import time

    srv = spawn_server(ephemeral=True, extra_args=("--refusals", "hang"))
    ec2 = new_ec2_client(srv.url)
    net = Net(ec2)
    vpc = net.vpc("10.60.0.0/16")
    instance = net.instance(net.subnet(vpc, "10.60.1.0/24"))["InstanceId"]
    started = time.monotonic()
    r = exec_(srv, instance, "curl", "-sS", "-o", "/dev/null", "--max-time", "2", f"http://{INTERNET}/")
    # curl's own timeout (28) ends it, as a dropped packet would, not an answer.
    assert r.returncode == 28, (r.returncode, r.stderr)
    assert time.monotonic() - started >= 2


def test_socks5_carries_any_tcp_under_the_same_decisions(server, site):
    # ALL_PROXY is the session's SOCKS5 (socks5h: the proxy resolves the name in the VPC view).
    script = 'curl -sS --max-time 20 -x "$ALL_PROXY" http://web.corp.example/socks'
    r = exec_(server, site["public"], "sh", "-c", script)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(GREETING.decode()) and "path=/socks" in r.stdout
    r = exec_(server, site["private"]["InstanceId"], "sh", "-c", script)
    assert r.returncode != 0 and "SOCKS" in r.stderr.upper(), (r.returncode, r.stderr)


def test_a_global_service_is_reached_at_its_global_name_through_the_internet_gateway(server, site, tmp_path):
    # Route 53 has no interface endpoint: a public instance reaches route53.amazonaws.com
    # through its internet gateway, a private one not at all.
    argv = (find_aws_cli(), "route53", "list-hosted-zones", "--query", "HostedZones[].Name", "--output", "text")
    r = exec_(server, site["public"], *argv, env=aws_env(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "corp.example." in r.stdout.split()
    status, headers, _ = curl(server, site["private"]["InstanceId"], "https://route53.amazonaws.com/", "--proxytunnel")
    assert (status, headers["x-localvpc-blocked"]) == (403, "NO_ROUTE_TO_DESTINATION")


def test_a_spoke_reaches_the_hubs_endpoint_over_a_transit_gateway(server, site, endpoints, tmp_path):
    """The same centralised layout as over peering, with a transit gateway: both VPCs
    attached (default association and propagation), VPC routes to the gateway, and a private
    hosted zone in the spoke aliasing sts's name to the hub's sts endpoint."""
    ec2 = site["ec2"]
    net = Net(ec2)
    spoke = net.vpc("10.22.0.0/16", dns_hostnames=True)
    spoke_subnet = net.subnet(spoke, "10.22.1.0/24")
    client = net.instance(spoke_subnet)["InstanceId"]
    [sts] = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoints["ids"]["sts"]])["VpcEndpoints"]
    regional = sts["DnsEntries"][0]
    name = f"sts.{DEFAULT_REGION}.amazonaws.com"
    r53 = new_route53_client(server.url)
    zone = zone_id(r53, name, vpc=spoke)
    apply(r53, zone, change("CREATE", {"Name": name, "Type": "A", "AliasTarget": {
        "HostedZoneId": regional["HostedZoneId"], "DNSName": regional["DnsName"],
        "EvaluateTargetHealth": False}}))
    program = ("import boto3; print(boto3.client('sts', region_name='ap-northeast-1')"
               ".get_caller_identity()['Account'])")
    tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
    for vpc, subnet in ((spoke, spoke_subnet), (site["vpc"], site["private"]["SubnetId"])):
        ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[subnet])
    ec2.create_route(RouteTableId=net.main_table(spoke), DestinationCidrBlock="10.20.0.0/16",
                     TransitGatewayId=tgw)
    # The hub has no route back yet: the return path is blocked.
    status, headers, _ = curl(server, client, f"https://{name}/", "--proxytunnel")
    assert status == 403, headers
    ec2.create_route(RouteTableId=net.main_table(site["vpc"]), DestinationCidrBlock="10.22.0.0/16",
                     TransitGatewayId=tgw)
    ec2.authorize_security_group_ingress(GroupId=endpoints["sg"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.22.0.0/16"}]}])
    r = exec_(server, client, sys.executable, "-c", program, env=aws_env(tmp_path))
    assert (r.returncode, r.stdout.strip()) == (0, "000000000000"), r.stderr
    # Flow logs at the hub's sts endpoint: the spoke's request over the transit gateway and
    # the reply.
    _, spoke_ip = eni_of(ec2, client)
    flow_records(server, sts["NetworkInterfaceIds"][0], lambda rs: any(
        r[3] == spoke_ip and r[6] == "443" and r[12] == "ACCEPT" for r in rs) and any(
        r[4] == spoke_ip and r[5] == "443" for r in rs))


# --------------------------------------------------------------------------- a real process behind an instance
#
# `exec --publish PORT[:REALPORT]`: while the program runs, the data plane carries what it
# delivers to the instance's private addresses on PORT to 127.0.0.1:REALPORT, the program's
# own listener. Run-time mappings (`localvpc map`, /_localvpc/map-ip) do the same for
# addresses no instance holds.

# The provider program: serves HTTP on 127.0.0.1:PORT, naming itself, until its stdin closes.
SERVING = """
import http.server, sys, threading
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"served by {sys.argv[2]} path={self.path}\\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *_):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
print("ready", flush=True)
sys.stdin.read()
"""


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Publishing:
    """`localvpc exec --instance I --publish SPEC -- python3 SERVING PORT LABEL`, running until
    the context ends (its stdin closes, the program exits, exec closes the session)."""

    def __init__(self, server, instance: str, spec: str, real_port: int, label: str):
        env = dict(os.environ, LOCALVPC_ENDPOINT=server.url)
        self.proc = subprocess.Popen(
            [str(resolve_binary()), "exec", "--instance", instance, "--publish", spec, "--",
             sys.executable, "-c", SERVING, str(real_port), label],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

    def __enter__(self):
        line = self.proc.stdout.readline()
        if line != "ready\n":
            self.proc.kill()
            pytest.fail(f"the published program did not start: {line!r} {self.proc.stderr.read()}")
        return self

    def __exit__(self, *_):
        self.proc.stdin.close()
        assert self.proc.wait(timeout=20) == 0
        self.stderr = self.proc.stderr.read()


def mappings(server) -> list[dict]:
    status, raw = http_call(server.url + "/_localvpc/map-ip")
    assert status == 200, raw
    return json.loads(raw)["mappings"]


@pytest.fixture(scope="module")
def published(server, site):
    """A provider's backend instance behind an NLB (listener 80 → target port 8080) published
    as an endpoint service without acceptance, the site's private subnet holding an interface
    endpoint to it; and, in the site's own VPC, a web instance whose group admits 8080 from
    the VPC. Nothing real stands behind either until a program publishes it."""
    ec2 = site["ec2"]
    net = Net(ec2)
    vpc = net.vpc("10.50.0.0/16")
    subnet = net.subnet(vpc, "10.50.1.0/24")
    backend_sg = net.sg(vpc, "pub-backend", {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                                             "IpRanges": [{"CidrIp": "10.50.0.0/16"}]})
    backend = net.instance(subnet, groups=[backend_sg])
    _, endpoint = nlb_service(server, site, backend["InstanceId"], vpc, subnet, "pub-nlb")
    web_sg = net.sg(site["vpc"], "web-8080", {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                                              "IpRanges": [{"CidrIp": "10.20.0.0/16"}]})
    web = net.instance(site["private"]["SubnetId"], groups=[web_sg])
    return {"backend": backend["InstanceId"], "backend_ip": backend["PrivateIpAddress"],
            "name": endpoint["DnsEntries"][0]["DnsName"],
            "web": web["InstanceId"], "web_ip": web["PrivateIpAddress"]}


def test_a_published_instance_serves_through_privatelink(server, site, published):
    consumer = site["private"]["InstanceId"]
    url = f"http://{published['name']}/via-privatelink"
    status, headers, body = curl(server, consumer, url)
    assert (status, headers["x-localvpc-blocked"]) == (502, "LOCALVPC_NO_BACKEND"), body
    assert "--publish" in body, body
    port = _free_port()
    with Publishing(server, published["backend"], f"8080:{port}", port, "the provider") as p:
        status, headers, body = curl(server, consumer, url)
        assert status == 200, (headers, body)
        assert body == "served by the provider path=/via-privatelink\n"
        [entry] = [m for m in mappings(server) if m["emulated"] == f"{published['backend_ip']}:8080"]
        assert (entry["real"], entry["origin"], entry["instance"]) == \
            (f"127.0.0.1:{port}", "session", published["backend"])
    assert f"{published['backend_ip']}:8080 is served by 127.0.0.1:{port}" in p.stderr
    # The program ended, and its session with it: nothing stands behind the target again.
    assert not [m for m in mappings(server) if m["emulated"] == f"{published['backend_ip']}:8080"]
    status, headers, _ = curl(server, consumer, url)
    assert (status, headers["x-localvpc-blocked"]) == (502, "LOCALVPC_NO_BACKEND")


def test_a_published_instance_serves_its_own_vpc_directly(server, site, published):
    consumer, ip = site["private"]["InstanceId"], published["web_ip"]
    port = _free_port()
    with Publishing(server, published["web"], f"8080:{port}", port, "web"):
        status, _, body = curl(server, consumer, f"http://{ip}:8080/direct")
        assert (status, body) == (200, "served by web path=/direct\n")
        # The group admits 8080 only; the program's port is no way around it.
        status, headers, _ = curl(server, consumer, f"http://{ip}:{port}/")
        assert (status, headers["x-localvpc-blocked"]) == (403, "ENI_SG_RULES_MISMATCH")
    status, headers, _ = curl(server, consumer, f"http://{ip}:8080/")
    assert (status, headers["x-localvpc-blocked"]) == (502, "LOCALVPC_NO_BACKEND")


def test_terminating_exec_ends_the_program_and_its_published_port(server, site, published):
    """`kill EXEC_PID` (SIGTERM, as `kill %1` sends a backgrounded exec): exec passes it on to
    the program, and closes the session once the program has ended."""
    import signal

    port = _free_port()
    p = Publishing(server, published["web"], f"8080:{port}", port, "web").__enter__()
    assert [m for m in mappings(server) if m["emulated"] == f"{published['web_ip']}:8080"]
    p.proc.send_signal(signal.SIGTERM)
    # The program died of the signal: exec exits with 128 + 15.
    assert p.proc.wait(timeout=20) == 143, p.proc.stderr.read()
    assert not [m for m in mappings(server) if m["emulated"] == f"{published['web_ip']}:8080"]


def test_a_killed_exec_leaves_no_port_published(server, site, published):
    """`kill -9` of exec: it cannot close the session, but the lease it holds open
    (GET /_localvpc/sessions/ID/lease) drops with it, and the server closes the session."""
    import time

    port = _free_port()
    p = Publishing(server, published["web"], f"8080:{port}", port, "web").__enter__()
    socket_ = f"{published['web_ip']}:8080"
    [entry] = [m for m in mappings(server) if m["emulated"] == socket_]
    p.proc.kill()
    p.proc.wait(timeout=20)
    deadline = time.monotonic() + 10
    while [m for m in mappings(server) if m["emulated"] == socket_] and time.monotonic() < deadline:
        time.sleep(0.1)
    p.proc.stdin.close()  # the orphaned program reads its stdin to the end, then exits
    assert not [m for m in mappings(server) if m["emulated"] == socket_]
    status, _ = http_call(server.url + f"/_localvpc/sessions/{entry['session']}", method="DELETE")
    assert status == 404  # already closed
    # ... so the port can be published again at once.
    r = exec_with_publish(server, published["web"], "8080", "true")
    assert r.returncode == 0, r.stderr


def test_a_port_published_twice_is_refused(server, site, published):
    port = _free_port()
    with Publishing(server, published["web"], f"8080:{port}", port, "first"):
        r = exec_with_publish(server, published["web"], "8080", "true")
        assert r.returncode == 1, r
        assert f"{published['web_ip']}:8080 is already mapped to 127.0.0.1:{port} by session s-" in r.stderr
        body = json.dumps({"instance": published["web"], "publish": [{"port": 8080}]}).encode()
        status, raw = http_call(server.url + "/_localvpc/sessions", method="POST", data=body)
        assert status == 409, raw
        # A different port of the same instance is free.
        r = exec_with_publish(server, published["web"], "9090", "true")
        assert r.returncode == 0, r.stderr


def exec_with_publish(server, instance: str, spec: str, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(resolve_binary()), "exec", "--instance", instance, "--publish", spec, "--", *argv],
                          capture_output=True, text=True, timeout=30, env=dict(os.environ, LOCALVPC_ENDPOINT=server.url))


@pytest.mark.parametrize("spec", ["0", "80:0", "http", "70000", "80:90:100"])
def test_a_bad_publish_spec_is_refused_before_anything_starts(server, site, spec, tmp_path):
    marker = tmp_path / "ran"
    r = exec_with_publish(server, site["private"]["InstanceId"], spec, "touch", str(marker))
    assert r.returncode == 2 and "PORT[:REALPORT]" in r.stderr, r
    assert not marker.exists()


@pytest.mark.parametrize("publish", [[{"port": 0}], [{"port": 80, "real_port": 0}], [{"port": "x"}],
                                     [{"port": 80}, {"port": 80}], [{"port": 80, "other": 1}]])
def test_the_session_api_refuses_bad_publish_lists(server, site, publish):
    body = json.dumps({"instance": site["private"]["InstanceId"], "publish": publish}).encode()
    status, raw = http_call(server.url + "/_localvpc/sessions", method="POST", data=body)
    assert status == 400, raw


def localvpc_map(server, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(resolve_binary()), "map", *argv], capture_output=True, text=True, timeout=30,
                          env=dict(os.environ, LOCALVPC_ENDPOINT=server.url))


def test_the_map_cli_adds_lists_and_removes_mappings_at_run_time(server, site, web):
    stand_in = "203.0.113.90"  # another "internet" server, mapped while the server runs
    r = localvpc_map(server, "add", f"{stand_in}:80=127.0.0.1:{web}")
    assert r.returncode == 0 and r.stdout == f"{stand_in}:80 -> 127.0.0.1:{web}\n", r
    status, _, body = curl(server, site["public"], f"http://{stand_in}/mapped")
    assert status == 200 and body.startswith(GREETING.decode()) and "path=/mapped" in body, body
    r = localvpc_map(server, "list")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert any(l.split()[:4] == [f"{stand_in}:80", "->", f"127.0.0.1:{web}", "api"] for l in lines), r.stdout
    assert any(l.split()[:4] == [f"{INTERNET}:80", "->", f"127.0.0.1:{web}", "--map-ip"] for l in lines), r.stdout
    # Twice: refused; --map-ip's entries stay as the server started.
    r = localvpc_map(server, "add", f"{stand_in}:80=127.0.0.1:1")
    assert r.returncode == 1 and "already mapped" in r.stderr and "HTTP 409" in r.stderr, r
    r = localvpc_map(server, "remove", f"{INTERNET}:80")
    assert r.returncode == 1 and "HTTP 409" in r.stderr, r
    r = localvpc_map(server, "remove", f"{stand_in}:80")
    assert r.returncode == 0 and r.stdout == f"removed {stand_in}:80\n", r
    assert not [m for m in mappings(server) if m["emulated"] == f"{stand_in}:80"]
    r = localvpc_map(server, "remove", f"{stand_in}:80")
    assert r.returncode == 1 and "HTTP 404" in r.stderr, r
    r = localvpc_map(server, "add", "10.0.0.1=127.0.0.1:80")
    assert r.returncode == 2 and "EMULATED:PORT=REAL:PORT" in r.stderr, r


def test_the_map_api_speaks_json(server):
    add = json.dumps({"emulated": "198.51.100.7:443", "real": "127.0.0.1:9443"}).encode()
    status, raw = http_call(server.url + "/_localvpc/map-ip", method="POST", data=add)
    assert (status, json.loads(raw)) == (201, {"emulated": "198.51.100.7:443", "real": "127.0.0.1:9443",
                                               "origin": "api"})
    assert {"emulated": "198.51.100.7:443", "real": "127.0.0.1:9443", "origin": "api"} in mappings(server)
    for bad in (b"{}", b'{"emulated": "198.51.100.7", "real": "127.0.0.1:1"}',
                b'{"emulated": "198.51.100.8:1", "real": "localhost:1"}'):
        status, raw = http_call(server.url + "/_localvpc/map-ip", method="POST", data=bad)
        assert status == 400 and b"error" in raw, (bad, raw)
    status, raw = http_call(server.url + "/_localvpc/map-ip/198.51.100.7:443", method="DELETE")
    assert (status, json.loads(raw)) == (200, {"removed": "198.51.100.7:443", "real": "127.0.0.1:9443"})
    status, _ = http_call(server.url + "/_localvpc/map-ip/not-a-socket", method="DELETE")
    assert status == 400

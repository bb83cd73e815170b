"""What really gets through, for one scenario: real programs run inside its app instance with
`localvpc exec` (docs/exec.md), their traffic carried by localvpc's data plane.

Used by run.py after the traces (paths.py), and by the end-to-end suite. Standard library only;
`localvpc` itself runs the programs (its path: run.py's --localvpc, $LOCALVPC_BIN, or `localvpc`
on PATH). Each step is a program run inside the instance and what it met: an HTTP status, and
for a refusal the code in `x-localvpc-blocked` (the blocker on the path, or why nothing answered
at its end: `LOCALVPC_NO_UPSTREAM` for an AWS service localvpc does not serve, such as SSM,
`LOCALVPC_NO_BACKEND` for an address nothing real stands behind; `LOCALVPC_ENDPOINT_POLICY_DENY`
when the endpoint's policy refuses the request).

The HTTP requests are made by a small probe (PROBE below: Python's standard library, through the
session's proxy, as `curl -si URL` would, CONNECT for https) so that no curl is needed and the
refusal's headers are seen even on a refused tunnel. The same by hand:

    localvpc exec --instance i-… -- curl -si https://s3.ap-northeast-1.amazonaws.com/
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

REGION = "ap-northeast-1"
S3 = f"https://s3.{REGION}.amazonaws.com/"
INTERNET = "https://203.0.113.10/"  # TEST-NET-3: an address on the internet, outside every VPC
TARGET = "10.0.1.10:443"  # scenario 4's NLB target: "the application's IP"

# An HTTP(S) GET through the session's proxy; prints {"status", "blocked", "body"} as JSON.
PROBE = r"""
import base64, json, os, socket, ssl, sys, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1])
https = url.scheme == "https"
proxy = urllib.parse.urlsplit(os.environ["HTTPS_PROXY" if https else "HTTP_PROXY"])
auth = base64.b64encode(f"{proxy.username}:{proxy.password}".encode()).decode()
port = url.port or (443 if https else 80)
def answer(f):
    status = int(f.readline().split()[1])
    headers = {}
    while (line := f.readline().strip()):
        k, _, v = line.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()
    n = headers.get("content-length")
    body = f.read(int(n)) if n is not None else f.read()
    return status, headers, body
def report(status, headers, body):
    print(json.dumps({"status": status, "blocked": headers.get("x-localvpc-blocked"),
                      "body": body.decode("utf-8", "replace")[:300]}))
    sys.exit(0)
sock = socket.create_connection((proxy.hostname, proxy.port), timeout=30)
if https:
    sock.sendall(f"CONNECT {url.hostname}:{port} HTTP/1.1\r\nHost: {url.hostname}:{port}\r\n"
                 f"Proxy-Authorization: Basic {auth}\r\n\r\n".encode())
    f = sock.makefile("rb")
    status = int(f.readline().split()[1])
    headers = {}
    while (line := f.readline().strip()):
        k, _, v = line.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()
    if status != 200:
        n = int(headers.get("content-length", "0"))
        report(status, headers, f.read(n))
    sock = ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE")).wrap_socket(
        sock, server_hostname=url.hostname)
    request = f"GET {url.path or '/'} HTTP/1.1\r\nHost: {url.hostname}\r\nConnection: close\r\n\r\n"
else:
    request = (f"GET {url.geturl()} HTTP/1.1\r\nHost: {url.netloc}\r\nConnection: close\r\n"
               f"Proxy-Authorization: Basic {auth}\r\n\r\n")
sock.sendall(request.encode())
report(*answer(sock.makefile("rb")))
"""


@dataclass
class Step:
    label: str                  # what the user does
    shown: str                  # the program as the user would run it inside the instance
    argv: list[str]             # the program localvpc exec really runs
    expect: str                 # "200", "502 LOCALVPC_NO_UPSTREAM", "403 NO_ROUTE_…", or "exit 0"
    env: dict = field(default_factory=dict)
    contains: str = ""          # for "exit 0" / "200": what its output must hold
    before: str = ""            # a command run on the host before it (scenario 4's mapping)
    got: str = ""
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.got == self.expect and (self.contains in self.detail)


def probe(label: str, url: str, expect: str, contains: str = "") -> Step:
    return Step(label, f"curl -si {url}", [sys.executable, "-c", PROBE, url], expect, contains=contains)


def find_localvpc(given: str | None = None) -> str | None:
    for candidate in (given, os.environ.get("LOCALVPC_BIN"), shutil.which("localvpc")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def run_step(localvpc: str, endpoint: str, instance: str, step: Step) -> Step:
    env = {k: v for k, v in os.environ.items()
           if not k.lower().endswith("_proxy") and not k.startswith("AWS_ENDPOINT_URL")}
    env.update(step.env, LOCALVPC_ENDPOINT=endpoint)
    argv = [localvpc, "exec", "--instance", instance, "--", *step.argv]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    if step.argv[:2] == [sys.executable, "-c"] and step.argv[2] == PROBE and proc.returncode == 0:
        try:
            answer = json.loads(proc.stdout.strip().splitlines()[-1])
            step.got = f"{answer['status']}" + (f" {answer['blocked']}" if answer.get("blocked") else "")
            # The refusal's one-line body, without the "localvpc: CODE from i-…: " that repeats it.
            step.detail = re.sub(r"^localvpc: \S+ from \S+: ", "", answer["body"].strip())
            return step
        except (ValueError, IndexError, KeyError):
            pass
    step.got = f"exit {proc.returncode}"
    step.detail = (proc.stdout.strip() or proc.stderr.strip())[-300:]
    return step


# ---------------------------------------------------------------------------------------------
# The programs of each scenario. `facts` holds the ids a form created; app_instance_id is where
# they run.
# ---------------------------------------------------------------------------------------------

def aws_cli_env() -> dict:
    """The key the scenarios 1 and 2 use (account 000000000000), the scenario's region, one
    attempt; no --endpoint-url: the CLI finds EC2 by its normal name, through the endpoint."""
    return {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION, "AWS_MAX_ATTEMPTS": "1", "AWS_PAGER": "", "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull}


def steps_1(f: dict) -> list[Step]:
    # The endpoint's policy allows s3:GetObject/PutObject on example-bucket only: listing the
    # buckets is refused by it; getting an object passes it, and S3 answers (no such bucket).
    return [probe("S3 through the gateway endpoint: list the buckets", S3, "403 LOCALVPC_ENDPOINT_POLICY_DENY"),
            probe("S3 through the gateway endpoint: get example-bucket/test.txt",
                  f"https://example-bucket.s3.{REGION}.amazonaws.com/test.txt", "404"),
            probe("the internet, from the private subnet", INTERNET, "403 NO_ROUTE_TO_DESTINATION")]


def steps_2(f: dict) -> list[Step]:
    steps = []
    aws = shutil.which("aws")
    describe = ["ec2", "describe-vpcs", "--query", "Vpcs[].VpcId", "--output", "text"]
    if aws:
        steps.append(Step("EC2 through the ec2 interface endpoint", shlex.join(["aws", *describe]),
                          [aws, *describe], "exit 0", env=aws_cli_env(), contains=f.get("vpc_id", "vpc-")))
    steps.append(probe("SSM through the ssm interface endpoint", f"https://ssm.{REGION}.amazonaws.com/",
                       "502 LOCALVPC_NO_UPSTREAM"))
    return steps


def steps_3(f: dict) -> list[Step]:
    over = f.get("connectivity") or "peering"
    return [probe(f"S3 at the hub's endpoint, over the {'transit gateway' if over == 'tgw' else 'peering'}: "
                  "list the buckets", S3, "200", contains="ListAllMyBucketsResult")]


def steps_4(f: dict) -> list[Step]:
    url = f"http://{f['consumer_vpce_dns']}:443/"
    return [probe("the provider's process, through PrivateLink", url, "200", contains=GREETING.strip()),
            probe("the endpoint on port 80 (its group admits 443 only)", f"http://{f['consumer_vpce_dns']}:80/",
                  "403 ENI_SG_RULES_MISMATCH")]


STEPS = {"1": steps_1, "2": steps_2, "3": steps_3, "4": steps_4}
GREETING = "hello from the provider's own process\n"


class _Provider(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        body = GREETING.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


def localvpc_map(localvpc: str, endpoint: str, *argv: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, LOCALVPC_ENDPOINT=endpoint)
    return subprocess.run([localvpc, "map", *argv], env=env, capture_output=True, text=True, timeout=30)


def run(n: str, facts: dict, endpoint: str, localvpc: str) -> list[Step]:
    """Runs the scenario's programs in its app instance; the steps with what they met."""
    instance = facts["app_instance_id"]
    steps = STEPS[n](facts)
    provider = None
    mapped = False
    if n == "4":
        # The NLB's target is an IP target, 10.0.1.10:443, which no instance holds: a local
        # HTTP server stands behind it for the time of these steps (`localvpc map add`).
        provider = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Provider)
        threading.Thread(target=provider.serve_forever, daemon=True).start()
        real = f"127.0.0.1:{provider.server_address[1]}"
        added = localvpc_map(localvpc, endpoint, "add", f"{TARGET}={real}")
        mapped = added.returncode == 0
        steps[0].before = f"localvpc map add {TARGET}={real}    # the provider's process: a local HTTP server" + (
            "" if mapped else f"\n      {added.stderr.strip()}")
    try:
        for step in steps:
            run_step(localvpc, endpoint, instance, step)
    finally:
        if mapped:
            localvpc_map(localvpc, endpoint, "remove", TARGET)
            after = probe("the same, once the mapping is removed", steps[0].argv[-1], "502 LOCALVPC_NO_BACKEND")
            after.before = f"localvpc map remove {TARGET}"
            steps.append(run_step(localvpc, endpoint, instance, after))
        if provider:
            provider.shutdown()
            provider.server_close()
    return steps


def table(instance: str, steps: list[Step], title: str) -> str:
    """Each step: what, the program (run with `localvpc exec --instance I --`), what it met."""
    lines = [f"{title}, from {instance} (each program run with `localvpc exec --instance {instance} -- …`):"]
    for s in steps:
        lines.append(f"  {s.label}")
        if s.before:
            lines.append(f"    $ {s.before}")
        met = s.got.replace(" ", ", x-localvpc-blocked: ", 1) if s.got[:1].isdigit() else s.got
        detail = s.detail.splitlines()[0] if s.detail else ""
        detail = detail if len(detail) <= 160 else detail[:157] + "..."
        lines.append(f"    inside: {s.shown}")
        lines.append(f"    -> {met}" + (f": {detail}" if detail else "") + ("" if s.ok else f"  [expected {s.expect}]"))
    if any("NO_UPSTREAM" in s.expect for s in steps):
        lines.append("  (localvpc does not serve SSM: the path is open, and the proxy answers "
                     "LOCALVPC_NO_UPSTREAM; `localvpc serve --upstream ssm=http://HOST:PORT` relays to another emulator)")
    return "\n".join(lines)

"""What the network lets through, for one scenario: the paths to trace and how to ask.

Used by run.py after a form has built a scenario (whichever form it was), next to dnsviews.py.
Standard library only. Each path goes to `POST /_localvpc/trace` (docs/trace.md): from the
scenario's app instance to a name, an address or an endpoint, optionally with an AWS request
checked against the endpoint policies on the way. The server resolves a name as the source VPC's
resolver answers it (the answer of the instance's AZ when there are several), then follows the
packet hop by hop — security groups, network ACLs, routes, peering, transit gateway, endpoint —
and back, and names every blocker with its Reachability Analyzer code.

The same by hand: `localvpc trace --from i-… --to NAME[:PORT] [--request 'PUT s3://b/k']`
(exit 0 when the path is open, 2 when it is blocked; `--json` for the whole answer).
"""

from __future__ import annotations

import json
import shlex
import urllib.error
import urllib.request
from dataclasses import dataclass

REGION = "ap-northeast-1"
S3 = f"s3.{REGION}.amazonaws.com"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Path:
    label: str          # what the user does, e.g. "aws s3 cp test.txt s3://example-bucket/"
    body: dict          # the trace request: {"from", "to", "request"?, ...}
    expect: str = "REACHABLE"   # or the explanation code expected to block it


# ---------------------------------------------------------------------------------------------
# Asking
# ---------------------------------------------------------------------------------------------

def trace(endpoint: str, body: dict) -> dict:
    """The server's answer for one path (an HTTP error answers {"error": ...})."""
    req = urllib.request.Request(endpoint.rstrip("/") + "/_localvpc/trace", data=json.dumps(body).encode(),
                                 method="POST", headers={"Content-Type": "application/json"})
    try:
        with _OPENER.open(req, timeout=15) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return {"error": f"HTTP {err.code}: {err.read().decode('utf-8', 'replace')}"}


def codes(res: dict) -> list[str]:
    return sorted({e["explanation_code"] for e in res.get("explanations", [])})


def result(res: dict) -> str:
    """REACHABLE / NOT REACHABLE (codes): the first blocker."""
    if "error" in res:
        return f"ERROR {res['error']}"
    if res["network_path_found"]:
        return "REACHABLE"
    return f"NOT REACHABLE ({', '.join(codes(res))}): {res['explanations'][0]['detail']}"


def _related(hop: dict, role: str) -> str | None:
    return next((r["component"]["id"] for r in hop.get("related", []) if r["role"] == role), None)


def route(res: dict) -> str:
    """Where the packet went: the routes that left the VPC and the interface it arrived at."""
    hops = res.get("forward_path_components", [])
    parts = []
    for hop in hops:
        r = hop.get("route_table_route")
        if r and r["target"] != "local":
            parts.append(f"{r.get('destination_cidr') or r.get('destination_prefix_list_id')} -> {r['target']}")
    arrived = [h for h in hops[1:] if h["kind"] == "network-interface" and h["detail"].startswith("arrives")]
    if arrived:
        hop = arrived[0]
        addresses = hop.get("inbound_header", {}).get("destination_addresses", [])
        owner = _related(hop, "attachedTo")
        parts.append(f"{hop['component']['id']} {', '.join(addresses)}".strip() + (f" of {owner}" if owner else ""))
    return "; ".join(parts)


def command(body: dict) -> str:
    """The same question with the CLI."""
    words = ["localvpc", "trace", "--from", body["from"], "--to", body["to"]]
    for key in ("protocol", "port", "request", "principal"):
        if key in body:
            words += [f"--{key}", str(body[key])]
    return " ".join(shlex.quote(w) for w in words)


def table(paths: list[Path], answers: list[dict], title: str = "What the network lets through") -> str:
    rows = [("what", "from", "to", "result")]
    for p, res in zip(paths, answers):
        to = p.body["to"] + (f" ({p.body['request']})" if "request" in p.body else "")
        got, found = result(res), bool(res.get("network_path_found"))
        as_expected = found if p.expect == "REACHABLE" else (not found and p.expect in codes(res))
        note = "" if as_expected else f"  [expected {p.expect}]"
        where = route(res) if found else ""
        rows.append((p.label, p.body["from"], to, got + (f": {where}" if where else "") + note))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [title + ":"]
    for i, r in enumerate(rows):
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[3])
        if i == 0:
            lines.append("  " + "  ".join("-" * w for w in widths) + "  " + "-" * 6)
    lines.append("  (traced through POST /_localvpc/trace)")
    return "\n".join(lines)


def hops(path: Path, res: dict) -> str:
    """The hops of one trace, as `localvpc trace` prints them."""
    out = [f"The hops of {path.label} (`{command(path.body)}`): {result(res)}"]
    if res.get("dns"):
        d = res["dns"]
        out.append(f"   DNS in {d.get('vpc_id')}: {d['rcode']} {', '.join(a['data'] for a in d['answers'])}")
    for title in ("forward_path_components", "return_path_components"):
        items = res.get(title, [])
        if items:
            out.append(f"   {title.split('_')[0]}:")
            out += [f"    {h['sequence_number']:2}. {h['kind']:24} {h['component']['id']:24} {h['detail']}" for h in items]
    out += [f"   {e['explanation_code']}: {e['detail']}" + (f" (fix: {e['fix']})" if e.get("fix") else "")
            for e in res.get("explanations", [])]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# The paths of each scenario. `facts` holds the ids a form created (its state file, or the
# Terraform outputs): each function names the few it needs; app_instance_id is the workload.
# ---------------------------------------------------------------------------------------------

SSM_SERVICES = ("ssm", "ssmmessages", "ec2", "ec2messages", "monitoring")
# Scenario 1's endpoint policy allows s3:GetObject, s3:PutObject and s3:ListBucket on this
# bucket and its objects, and nothing else.
S3GW_BUCKET = "example-bucket"


def paths_1(f: dict) -> list[Path]:
    app, to = f["app_instance_id"], f"{S3}:443"
    return [Path(f"aws s3 cp test.txt s3://{S3GW_BUCKET}/", {"from": app, "to": to,
                 "request": f"PUT s3://{S3GW_BUCKET}/test.txt"}),
            Path(f"aws s3 ls s3://{S3GW_BUCKET}", {"from": app, "to": to, "request": f"LIST s3://{S3GW_BUCKET}"}),
            Path("aws s3 ls", {"from": app, "to": to, "request": "s3:ListAllMyBuckets arn:aws:s3:::*"},
                 "LOCALVPC_ENDPOINT_POLICY_DENY")]


def paths_2(f: dict) -> list[Path]:
    return [Path(f"{svc} agent", {"from": f["app_instance_id"], "to": f"{svc}.{REGION}.amazonaws.com"})
            for svc in SSM_SERVICES]


def paths_3(f: dict) -> list[Path]:
    app = f["app_instance_id"]
    return [Path("S3 from the member", {"from": app, "to": S3}),
            Path("aws s3 cp test.txt s3://my-bucket/", {"from": app, "to": f"my-bucket.{S3}",
                                                        "request": "PUT s3://my-bucket/test.txt"})]


def paths_4(f: dict) -> list[Path]:
    # Through the endpoint, PrivateLink and the provider's NLB (listener 443, svc-targets) to the
    # target 10.0.1.10, "the application's IP": no interface holds it (it stands for your own
    # server), so the path ends at that address.
    app, vpce = f["app_instance_id"], f.get("vpce_id") or f["endpoint_id"]
    paths = [Path("the service, by the endpoint's id", {"from": app, "to": vpce, "port": 443}),
             Path("the service, by the endpoint's name", {"from": app, "to": f"{f['consumer_vpce_dns']}:443"})]
    if f.get("service_id"):
        # The service by its own id: the consumer VPC's endpoint to it is found for you.
        paths.append(Path("the service, by its id", {"from": app, "to": f["service_id"], "port": 443}))
    return paths


PATHS = {"1": paths_1, "2": paths_2, "3": paths_3, "4": paths_4}
# The one trace per scenario whose hops run.py prints (an index into the paths).
FEATURED = {"1": 0, "2": 0, "3": 0, "4": 0}


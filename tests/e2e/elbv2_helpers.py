"""ELBv2 (service `elasticloadbalancing`, query protocol 2015-12-01) plumbing for the e2e suite:
an `elbv2` boto3 client with a wire-fidelity guard, and builders for the network and gateway
load balancers that test_elbv2.py and test_endpoint_services.py put behind endpoint services.

The guard is the ELBv2 counterpart of helpers.install_wire_guard (which knows only EC2's
envelope): a success body must be `<{Op}Response xmlns=".../2015-12-01/"><{Op}Result>...
</{Op}Result><ResponseMetadata><RequestId/></ResponseMetadata></{Op}Response>` whose Result
matches the botocore output shape (list members `<member>`, booleans, integers, timestamps,
enums); an error body must be the query `<ErrorResponse><Error><Type/><Code/><Message/></Error>
<RequestId/></ErrorResponse>`. Problems are recorded in helpers.WIRE_VIOLATIONS, so the autouse
wire_guard_check fixture fails the test even if it swallowed the exception.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import helpers
from botocore.config import Config
from helpers import DEFAULT_ACCESS_KEY, DEFAULT_REGION, DEFAULT_SECRET_KEY

ELBV2_XMLNS = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"

_ERROR_CHILDREN = {"Error", "RequestId"}
_ERROR_FIELDS = {"Type", "Code", "Message"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _ns(tag: str) -> str | None:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else None


def check_elbv2_response_xml(operation_model, status: int, body: bytes) -> list[str]:
    op = operation_model.name
    if not body:
        return [f"{op}: empty body (HTTP {status})"]
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        return [f"{op}: body is not well-formed XML ({exc}): {body[:200]!r}"]
    problems: list[str] = []
    if status >= 300:
        if _local(root.tag) != "ErrorResponse":
            return [f"{op}: error root is <{_local(root.tag)}>, expected <ErrorResponse>"]
        names = [_local(c.tag) for c in root]
        if names.count("Error") != 1 or names.count("RequestId") != 1 or set(names) - _ERROR_CHILDREN:
            problems.append(f"{op}: ErrorResponse children {names}, expected Error and RequestId")
        for err in (c for c in root if _local(c.tag) == "Error"):
            fields = {_local(c.tag): (c.text or "").strip() for c in err}
            if set(fields) - _ERROR_FIELDS:
                problems.append(f"{op}: unknown elements in <Error>: {sorted(set(fields) - _ERROR_FIELDS)}")
            if not fields.get("Code"):
                problems.append(f"{op}: <Error> without a <Code>")
            if fields.get("Type") not in ("Sender", "Receiver"):
                problems.append(f"{op}: <Error><Type> is {fields.get('Type')!r}, expected Sender|Receiver")
        return problems

    want_root = f"{op}Response"
    if _local(root.tag) != want_root:
        problems.append(f"{op}: root element <{_local(root.tag)}>, expected <{want_root}>")
    if _ns(root.tag) != ELBV2_XMLNS:
        problems.append(f"{op}: root namespace {_ns(root.tag)!r}, expected {ELBV2_XMLNS!r}")
    children = [_local(c.tag) for c in root]
    if children != [f"{op}Result", "ResponseMetadata"]:
        problems.append(f"{op}: root children {children}, expected [{op}Result, ResponseMetadata]")
    for child in root:
        name = _local(child.tag)
        if name == "ResponseMetadata":
            meta = [_local(c.tag) for c in child]
            if meta != ["RequestId"] or not (child[0].text or "").strip():
                problems.append(f"{op}: ResponseMetadata children {meta}, expected one non-empty RequestId")
        elif name == f"{op}Result":
            shape = operation_model.output_shape
            if shape is None:
                if len(child):
                    problems.append(f"{op}: Result has children but the operation has no output")
            else:
                helpers._walk_structure(child, shape, f"{want_root}/{name}", problems)
    return problems


def install_elbv2_wire_guard(client) -> None:
    def after_call(http_response, parsed, model, **_):
        body = http_response.content or b""
        problems = check_elbv2_response_xml(model, http_response.status_code, body)
        if problems:
            helpers._record(problems)
            raise helpers.WireFidelityError(
                "wire-fidelity guard: ELBv2 response to %s does not match the botocore model:\n  %s\n"
                "--- body ---\n%s" % (model.name, "\n  ".join(problems), body[:4000].decode("utf-8", "replace")))

    event = f"after-call.{client.meta.service_model.service_id.hyphenize()}"
    client.meta.events.register(event, after_call, unique_id="localvpc-elbv2-wire-guard")


def new_elbv2_client(endpoint_url: str, *, access_key: str = DEFAULT_ACCESS_KEY,
                     secret_key: str = DEFAULT_SECRET_KEY, region: str = DEFAULT_REGION,
                     parameter_validation: bool = True, guard: bool = True):
    cfg = Config(region_name=region, retries={"total_max_attempts": 1, "mode": "standard"},
                 parameter_validation=parameter_validation, connect_timeout=5, read_timeout=30,
                 proxies={})
    with helpers._SESSION_LOCK:
        client = helpers._shared_session().client(
            "elbv2", endpoint_url=endpoint_url, region_name=region, config=cfg,
            aws_access_key_id=access_key, aws_secret_access_key=secret_key)
    if guard:
        install_elbv2_wire_guard(client)
    return client


# ---------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------


def network(ec2, cidr: str = "10.0.0.0/16", azs=("ap-northeast-1a", "ap-northeast-1c")) -> dict:
    """A VPC with one /24 subnet per AZ: {"vpc": id, "subnets": [ids], "cidrs": [cidrs], "azs": [...]}."""
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    base = cidr.split(".")
    subnets, cidrs = [], []
    for i, az in enumerate(azs, start=1):
        sn_cidr = f"{base[0]}.{base[1]}.{i}.0/24"
        subnets.append(ec2.create_subnet(VpcId=vpc, CidrBlock=sn_cidr, AvailabilityZone=az)["Subnet"]["SubnetId"])
        cidrs.append(sn_cidr)
    return {"vpc": vpc, "subnets": subnets, "cidrs": cidrs, "azs": list(azs)}


def create_nlb(elbv2, name: str, subnets, *, internal: bool = True, **kw) -> dict:
    kw.setdefault("Scheme", "internal" if internal else "internet-facing")
    [lb] = elbv2.create_load_balancer(Name=name, Type="network", Subnets=list(subnets), **kw)["LoadBalancers"]
    return lb


def create_gwlb(elbv2, name: str, subnets, **kw) -> dict:
    [lb] = elbv2.create_load_balancer(Name=name, Type="gateway", Subnets=list(subnets), **kw)["LoadBalancers"]
    return lb


def create_tg(elbv2, name: str, vpc: str, *, protocol: str = "TCP", port: int = 443,
              target_type: str = "ip", **kw) -> dict:
    [tg] = elbv2.create_target_group(Name=name, Protocol=protocol, Port=port, VpcId=vpc,
                                     TargetType=target_type, **kw)["TargetGroups"]
    return tg


def forward(tg_arn: str) -> list[dict]:
    return [{"Type": "forward", "TargetGroupArn": tg_arn}]


def create_listener(elbv2, lb_arn: str, tg_arn: str, *, protocol: str | None = "TCP",
                    port: int | None = 443, **kw) -> dict:
    if protocol is not None:
        kw["Protocol"] = protocol
    if port is not None:
        kw["Port"] = port
    [listener] = elbv2.create_listener(LoadBalancerArn=lb_arn, DefaultActions=forward(tg_arn), **kw)["Listeners"]
    return listener


def nlb_stack(ec2, elbv2, name: str = "svc-nlb", cidr: str = "10.0.0.0/16", targets=("10.0.1.10",)) -> dict:
    """An internal NLB in two AZs with a TCP 443 ip target group (targets registered) and a
    TCP 443 listener: {"net", "lb", "tg", "listener"}."""
    net = network(ec2, cidr)
    lb = create_nlb(elbv2, name, net["subnets"])
    tg = create_tg(elbv2, f"{name}-tg", net["vpc"])
    if targets:
        elbv2.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": t} for t in targets])
    listener = create_listener(elbv2, lb["LoadBalancerArn"], tg["TargetGroupArn"])
    return {"net": net, "lb": lb, "tg": tg, "listener": listener}


def gwlb_stack(ec2, elbv2, name: str = "appliances", cidr: str = "10.9.0.0/16") -> dict:
    """A gateway load balancer in one AZ, a GENEVE 6081 ip target group with one appliance and
    the (protocol-less) listener: {"net", "lb", "tg", "listener"}."""
    net = network(ec2, cidr, azs=("ap-northeast-1a",))
    lb = create_gwlb(elbv2, name, net["subnets"])
    tg = create_tg(elbv2, f"{name}-tg", net["vpc"], protocol="GENEVE", port=6081)
    appliance = cidr.split(".")
    elbv2.register_targets(TargetGroupArn=tg["TargetGroupArn"],
                           Targets=[{"Id": f"{appliance[0]}.{appliance[1]}.1.20"}])
    listener = create_listener(elbv2, lb["LoadBalancerArn"], tg["TargetGroupArn"], protocol=None, port=None)
    return {"net": net, "lb": lb, "tg": tg, "listener": listener}


def lb_id(arn: str) -> str:
    """The trailing 16-hex id of a load balancer ARN."""
    return arn.rsplit("/", 1)[-1]

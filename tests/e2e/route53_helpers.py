"""Route 53 (REST-XML, API version 2013-04-01) plumbing for the e2e suite: a `route53` boto3
client with a wire-fidelity guard, a raw signed-request helper for bodies boto3 cannot send,
and small builders for hosted zones and change batches (docs/aws-semantics.md §6, §10.2).

The guard is the Route 53 counterpart of helpers.install_wire_guard (EC2) and
elbv2_helpers.install_elbv2_wire_guard (query protocol):

* success: HTTP status = the operation's documented code (201 for CreateHostedZone, else 200);
  body `<{Op}Response xmlns="https://route53.amazonaws.com/doc/2013-04-01/">…</{Op}Response>`
  whose children match the botocore output shape (element names, list members by their
  locationName — <HostedZone>, <ResourceRecordSet>, <VPC>, <Tag>, <NameServer>… —, booleans,
  integers, timestamps, enums) and carry every member the model marks required; members the
  model puts in a header (CreateHostedZone's Location) must not appear in the body; a request
  id header (x-amzn-RequestId or x-amz-request-id) on every answer.
* error: `<ErrorResponse xmlns="…/2013-04-01/"><Error><Type>Sender|Receiver</Type><Code/>
  <Message/></Error><RequestId/></ErrorResponse>` with an XML content type.

Problems are recorded in helpers.WIRE_VIOLATIONS, so the autouse wire_guard_check fixture fails
the test even if the test swallowed the exception.

Route 53 is a global service: the real endpoint route53.amazonaws.com is signed for us-east-1,
so the boto3 clients here default to region us-east-1 (the credential scope then reads
.../us-east-1/route53/aws4_request). The aws CLI tests sign with the suite's ap-northeast-1, as a
user with AWS_DEFAULT_REGION=ap-northeast-1 and --endpoint-url would.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET

import helpers
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from helpers import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, RawResponse

R53_XMLNS = "https://route53.amazonaws.com/doc/2013-04-01/"
R53_SIGNING_REGION = "us-east-1"
API = "/2013-04-01"

# docs/aws-semantics.md §6.1 [OBS]: every private hosted zone gets these apex records.
PHZ_NS_VALUES = ["ns-1536.awsdns-00.co.uk.", "ns-0.awsdns-00.com.", "ns-1024.awsdns-00.org.", "ns-512.awsdns-00.net."]
PHZ_SOA_VALUE = "ns-1536.awsdns-00.co.uk. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"
NS_TTL, SOA_TTL = 172800, 900

ZONE_ID_RE = re.compile(r"^/hostedzone/(Z[0-9A-Z]{8,32})$")
BARE_ZONE_ID_RE = re.compile(r"^Z[0-9A-Z]{8,32}$")
CHANGE_ID_RE = re.compile(r"^/change/C[0-9A-Z]{8,32}$")
# A well-formed id no test ever creates.
MISSING_ZONE_ID = "Z0000000000000000000A"

_ERROR_CHILDREN = {"Error", "RequestId"}
# Members the model marks required that AWS leaves out: a private zone's CreateHostedZone answer
# has no DelegationSet (only public zones get name servers), and ListHostedZones without a
# `marker` parameter has no Marker to echo (AWS-UNCONFIRMED whether it sends an empty one).
_REQUIRED_EXEMPT = {("CreateHostedZoneResponse", "DelegationSet"), ("ListHostedZonesResponse", "Marker")}
_ERROR_FIELDS = {"Type", "Code", "Message"}


# XML tag helpers shared with the EC2 wire guard.
_local = helpers._local
_ns = helpers._ns


# ---------------------------------------------------------------------------
# Wire-fidelity guard
# ---------------------------------------------------------------------------


def _required_missing(elem, shape, path: str, problems: list[str]) -> None:
    """Every member the model marks required is present (recursively, in structures and lists)."""
    if shape is None or shape.type_name != "structure":
        return
    members = helpers._member_xml_names(shape)
    by_member = {name: (m.serialization.get("name") or name) for name, m in shape.members.items()}
    present = {_local(c.tag) for c in elem}
    for req in shape.required_members or []:
        m = shape.members.get(req)
        if m is None or m.serialization.get("location") or (shape.name, req) in _REQUIRED_EXEMPT:
            continue
        xml = by_member[req]
        if m.type_name == "list" and m.serialization.get("flattened"):
            xml = m.member.serialization.get("name") or xml
        if xml not in present:
            problems.append(f"{path}: required member <{xml}> of {shape.name} is missing")
    for child in elem:
        cname = _local(child.tag)
        mshape = members.get(cname)
        if mshape is None:
            continue
        if mshape.type_name == "structure":
            _required_missing(child, mshape, f"{path}/{cname}", problems)
        elif mshape.type_name == "list" and mshape.member.type_name == "structure":
            item = mshape.member.serialization.get("name") or "member"
            for sub in child:
                if _local(sub.tag) == item:
                    _required_missing(sub, mshape.member, f"{path}/{cname}/{item}", problems)


def _error_shape_members(operation_model, code: str) -> set[str]:
    try:
        shape = operation_model.service_model.shape_for(code)
    except Exception:  # botocore.exceptions.NoShapeFoundError: a code the model does not name
        return set()
    if shape.type_name != "structure" or not shape.metadata.get("exception"):
        return set()
    return {(m.serialization.get("name") or n) for n, m in shape.members.items()}


def check_route53_response(operation_model, status: int, headers, body: bytes) -> list[str]:
    op = operation_model.name
    problems: list[str] = []
    lower = {k.lower(): v for k, v in (headers or {}).items()}
    if not (lower.get("x-amzn-requestid") or lower.get("x-amz-request-id")):
        problems.append(f"{op}: no x-amzn-RequestId / x-amz-request-id header (HTTP {status})")
    if not body:
        return problems + [f"{op}: empty body (HTTP {status}); AWS answers an XML document"]
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        return problems + [f"{op}: body is not well-formed XML ({exc}): {body[:200]!r}"]

    if status >= 300:
        if "xml" not in lower.get("content-type", ""):
            problems.append(f"{op}: error Content-Type {lower.get('content-type')!r}, expected text/xml")
        if _local(root.tag) != "ErrorResponse":
            return problems + [f"{op}: error root is <{_local(root.tag)}>, expected <ErrorResponse>"]
        if _ns(root.tag) != R53_XMLNS:
            problems.append(f"{op}: ErrorResponse namespace {_ns(root.tag)!r}, expected {R53_XMLNS!r}")
        names = [_local(c.tag) for c in root]
        if names.count("Error") != 1 or names.count("RequestId") != 1 or set(names) - _ERROR_CHILDREN:
            problems.append(f"{op}: ErrorResponse children {names}, expected Error and RequestId")
        for child in root:
            if _local(child.tag) == "RequestId" and not (child.text or "").strip():
                problems.append(f"{op}: empty <RequestId>")
        for err in (c for c in root if _local(c.tag) == "Error"):
            fields = {_local(c.tag): (c.text or "").strip() for c in err}
            # Besides Type/Code/Message, <Error> may carry the members the model gives the error's
            # shape (InvalidChangeBatch: `messages`, `message`).
            allowed = _ERROR_FIELDS | _error_shape_members(operation_model, fields.get("Code", ""))
            if set(fields) - allowed:
                problems.append(f"{op}: unknown elements in <Error>: {sorted(set(fields) - allowed)}")
            if not fields.get("Code"):
                problems.append(f"{op}: <Error> without a <Code>")
            if fields.get("Type") not in ("Sender", "Receiver"):
                problems.append(f"{op}: <Error><Type> is {fields.get('Type')!r}, expected Sender|Receiver")
        return problems

    want_status = operation_model.http.get("responseCode", 200)
    if status != want_status:
        problems.append(f"{op}: HTTP {status}, AWS answers {want_status}")
    shape = operation_model.output_shape
    want_root = shape.name if shape is not None else f"{op}Response"
    if _local(root.tag) != want_root:
        problems.append(f"{op}: root element <{_local(root.tag)}>, expected <{want_root}>")
    if _ns(root.tag) != R53_XMLNS:
        problems.append(f"{op}: root namespace {_ns(root.tag)!r}, expected {R53_XMLNS!r}")
    if shape is None:
        if len(root):
            problems.append(f"{op}: the operation has no output members, body has {[_local(c.tag) for c in root]}")
        return problems
    header_members = {(m.serialization.get("name") or n) for n, m in shape.members.items()
                      if m.serialization.get("location")}
    for child in root:
        if _local(child.tag) in header_members:
            problems.append(f"{op}: <{_local(child.tag)}> belongs in an HTTP header, not in the body")
    helpers._walk_structure(root, shape, want_root, problems)
    _required_missing(root, shape, want_root, problems)
    return problems


def install_route53_wire_guard(client) -> None:
    def after_call(http_response, parsed, model, **_):
        body = http_response.content or b""
        problems = check_route53_response(model, http_response.status_code, http_response.headers, body)
        if problems:
            helpers._record(problems)
            raise helpers.WireFidelityError(
                "wire-fidelity guard: Route 53 response to %s does not match AWS:\n  %s\n--- body ---\n%s"
                % (model.name, "\n  ".join(problems), body[:4000].decode("utf-8", "replace")))

    event = f"after-call.{client.meta.service_model.service_id.hyphenize()}"
    client.meta.events.register(event, after_call, unique_id="localvpc-route53-wire-guard")


def new_route53_client(endpoint_url: str, *, access_key: str = DEFAULT_ACCESS_KEY,
                       secret_key: str = DEFAULT_SECRET_KEY, region: str = R53_SIGNING_REGION,
                       parameter_validation: bool = True, guard: bool = True):
    cfg = Config(region_name=region, retries={"total_max_attempts": 1, "mode": "standard"},
                 parameter_validation=parameter_validation, connect_timeout=5, read_timeout=30,
                 proxies={})
    with helpers._SESSION_LOCK:
        client = helpers._shared_session().client(
            "route53", endpoint_url=endpoint_url, region_name=region, config=cfg,
            aws_access_key_id=access_key, aws_secret_access_key=secret_key)
    if guard:
        install_route53_wire_guard(client)
    return client


# ---------------------------------------------------------------------------
# Raw signed requests (malformed bodies, envelopes, headers)
# ---------------------------------------------------------------------------

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def r53_raw(endpoint_url: str, method: str, path: str, *, body: bytes | None = None,
            query: dict[str, str] | None = None, access_key: str = DEFAULT_ACCESS_KEY,
            secret_key: str = DEFAULT_SECRET_KEY, region: str = R53_SIGNING_REGION,
            timeout: float = 30.0) -> RawResponse:
    """One SigV4-signed (service route53) request to `path` (e.g. /2013-04-01/hostedzone)."""
    url = endpoint_url.rstrip("/") + path
    if query:
        url += "?" + urllib.parse.urlencode(query)
    headers = {"Content-Type": "text/xml"} if body is not None else {}
    req = AWSRequest(method=method, url=url, data=body, headers=headers)
    SigV4Auth(Credentials(access_key, secret_key), "route53", region).add_auth(req)
    prepared = req.prepare()
    ureq = urllib.request.Request(prepared.url, data=prepared.body, method=method,
                                  headers=dict(prepared.headers.items()))
    try:
        with _OPENER.open(ureq, timeout=timeout) as resp:
            return RawResponse(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
    except urllib.error.HTTPError as err:
        return RawResponse(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())


def error_fields(resp: RawResponse) -> dict[str, str]:
    """{Type, Code, Message, RequestId, _root, _ns} of a raw Route 53 error body."""
    root = ET.fromstring(resp.body)
    out = {"_root": _local(root.tag), "_ns": _ns(root.tag)}
    for child in root:
        if _local(child.tag) == "Error":
            out.update({_local(c.tag): (c.text or "").strip() for c in child})
        else:
            out[_local(child.tag)] = (child.text or "").strip()
    return out


# ---------------------------------------------------------------------------
# Builders and readers
# ---------------------------------------------------------------------------


def bare(zone_id: str) -> str:
    """Z… from /hostedzone/Z… (or Z… unchanged)."""
    return zone_id.rsplit("/", 1)[-1]


def caller_ref() -> str:
    return f"e2e-{uuid.uuid4()}"


def create_zone(r53, name: str, *, vpc: str | None = None, region: str = helpers.DEFAULT_REGION,
                comment: str | None = None, ref: str | None = None, **kw) -> dict:
    """CreateHostedZone (private when vpc is given); returns the whole response."""
    args = {"Name": name, "CallerReference": ref or caller_ref(), **kw}
    config = dict(args.pop("HostedZoneConfig", {}))
    if comment is not None:
        config["Comment"] = comment
    if vpc is not None:
        args["VPC"] = {"VPCRegion": region, "VPCId": vpc}
        config.setdefault("PrivateZone", True)
    if config:
        args["HostedZoneConfig"] = config
    return r53.create_hosted_zone(**args)


def zone_id(r53, name: str, **kw) -> str:
    """Create a zone; its bare id."""
    return bare(create_zone(r53, name, **kw)["HostedZone"]["Id"])


def rrset(name: str, rtype: str, *values: str, ttl: int | None = 300, **kw) -> dict:
    out = {"Name": name, "Type": rtype, **kw}
    if ttl is not None:
        out["TTL"] = ttl
    if values:
        out["ResourceRecords"] = [{"Value": v} for v in values]
    return out


def alias(name: str, rtype: str, target_zone: str, target_name: str, evaluate: bool = False) -> dict:
    return {"Name": name, "Type": rtype,
            "AliasTarget": {"HostedZoneId": target_zone, "DNSName": target_name, "EvaluateTargetHealth": evaluate}}


def change(action: str, record: dict) -> dict:
    return {"Action": action, "ResourceRecordSet": record}


def apply(r53, zone: str, *changes: dict, comment: str | None = None) -> dict:
    batch = {"Changes": list(changes)}
    if comment is not None:
        batch["Comment"] = comment
    return r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch=batch)


def record_sets(r53, zone: str, page_size: int | None = None) -> list[dict]:
    """All record sets of a zone, following NextRecordName/NextRecordType by hand."""
    out: list[dict] = []
    start: dict = {}
    for _ in range(1000):
        kw = dict(start)
        if page_size:
            kw["MaxItems"] = str(page_size)
        resp = r53.list_resource_record_sets(HostedZoneId=zone, **kw)
        out.extend(resp["ResourceRecordSets"])
        if not resp["IsTruncated"]:
            return out
        start = {"StartRecordName": resp["NextRecordName"], "StartRecordType": resp["NextRecordType"]}
        if resp.get("NextRecordIdentifier"):
            start["StartRecordIdentifier"] = resp["NextRecordIdentifier"]
    raise AssertionError("ListResourceRecordSets pagination does not terminate")


def keyed(sets: list[dict]) -> dict[tuple[str, str], dict]:
    return {(s["Name"], s["Type"]): s for s in sets}


def values(record: dict) -> list[str]:
    return [r["Value"] for r in record.get("ResourceRecords", [])]


def reversed_labels(name: str) -> str:
    """The sort key AWS documents for ListResourceRecordSets / ListHostedZonesByName:
    www.example.com. -> com.example.www."""
    labels = name.rstrip(".").split(".")
    return ".".join(reversed(labels)) + "."


def wait_insync(r53, change_id: str, timeout: float = 15.0) -> dict:
    """GetChange until INSYNC (AWS: PENDING while the change propagates)."""
    deadline = time.monotonic() + timeout
    while True:
        info = r53.get_change(Id=change_id)["ChangeInfo"]
        if info["Status"] == "INSYNC" or time.monotonic() > deadline:
            return info
        time.sleep(0.2)


def zone_vpcs(r53, zone: str) -> list[tuple[str, str]]:
    return sorted((v["VPCRegion"], v["VPCId"]) for v in r53.get_hosted_zone(Id=zone).get("VPCs", []))


def zones_by_vpc(r53, vpc_id: str, region: str = helpers.DEFAULT_REGION) -> list[dict]:
    """Every HostedZoneSummary of ListHostedZonesByVPC, all pages."""
    out: list[dict] = []
    token = None
    for _ in range(1000):
        kw = {"VPCId": vpc_id, "VPCRegion": region}
        if token:
            kw["NextToken"] = token
        resp = r53.list_hosted_zones_by_vpc(**kw)
        out.extend(resp["HostedZoneSummaries"])
        token = resp.get("NextToken")
        if not token:
            return out
    raise AssertionError("ListHostedZonesByVPC pagination does not terminate")


def unescape_name(name: str) -> str:
    r"""Route 53 returns characters outside a-z0-9-_ as \ooo octal escapes (\052 for *)."""
    return re.sub(r"\\(\d{3})", lambda m: chr(int(m.group(1), 8)), name)

"""What localvpc's DNS server answers where, for one scenario: the questions and how to ask them.

Used by run.py (after a form has built a scenario, whichever form it was) and by the boto3 forms.
Standard library only. With dnspython installed each question goes as a real DNS packet (UDP) to
the listener of its view, found in `GET /_localvpc/dns/listeners`; without it, or when that
listener cannot be reached (a server on another machine), to `POST /_localvpc/dns/explain`, the
same resolver answering over HTTP, which also says *why* (the decision trail).

A view is one of
    PUBLIC                      a client on the internet (or on premises without Resolver)
    in_vpc("vpc-…")             the VPC's Route 53 Resolver (VPC+2)
    via_inbound("rslvr-in-…")   an on-premises server asking through an inbound Resolver endpoint

The same lookups by hand: `localvpc dns query --vpc vpc-… NAME [TYPE]` (or `--public`,
`--inbound-endpoint rslvr-in-…`) prints the answer and the trail; `localvpc dns listeners` lists
the addresses to point `dig @ADDR -p PORT` at.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass, field

REGION = "ap-northeast-1"
S3 = f"s3.{REGION}.amazonaws.com"
PUBLIC = {"view": "public"}
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def in_vpc(vpc_id: str) -> dict:
    return {"vpc": vpc_id}


def via_inbound(endpoint_id: str) -> dict:
    return {"inbound_endpoint": endpoint_id}


@dataclass
class Question:
    where: str          # what the table prints in its first column
    view: dict          # PUBLIC, in_vpc(...) or via_inbound(...)
    name: str
    rtype: str = "A"


@dataclass
class Answer:
    question: Question
    rcode: str                      # NOERROR, NXDOMAIN, REFUSED, ...
    data: list[str] = field(default_factory=list)   # the answer section's data, sorted
    authoritative: bool = False
    soa: str | None = None          # the owner of the SOA in the authority section, if any
    how: str = ""                   # "udp 127.53.x.y:port" or "explain"

    @property
    def text(self) -> str:
        if self.data:
            return ", ".join(self.data)
        if self.rcode == "NOERROR":
            return f"NODATA (SOA {self.soa})" if self.soa else "NODATA"
        return f"{self.rcode} (SOA {self.soa})" if self.soa else self.rcode


# ---------------------------------------------------------------------------------------------
# Asking
# ---------------------------------------------------------------------------------------------

def _http(url: str, body: dict | None = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET",
                                 headers={"Content-Type": "application/json"})
    with _OPENER.open(req, timeout=15) as resp:
        return json.loads(resp.read())


def listeners(endpoint: str) -> list[dict]:
    return _http(endpoint.rstrip("/") + "/_localvpc/dns/listeners")


def explain(endpoint: str, view: dict, name: str, rtype: str = "A") -> dict:
    """The server's answer and its decision trail (`trail[].detail`), over HTTP."""
    return _http(endpoint.rstrip("/") + "/_localvpc/dns/explain", {**view, "name": name, "type": rtype})


def listen_address(items: list[dict], view: dict) -> tuple[str, int] | None:
    for item in items:
        if (view.get("view") == "public" and item["view"] == "public") or (
                item["view"] == "vpc" and item.get("vpc_id") == view.get("vpc")) or (
                item["view"] == "inbound" and item.get("endpoint_id") == view.get("inbound_endpoint")):
            host, port = item["listen"].rsplit(":", 1)
            return host, int(port)
    return None


def _over_udp(addr: tuple[str, int], q: Question) -> Answer:
    import dns.exception
    import dns.flags
    import dns.message
    import dns.query
    import dns.rcode
    import dns.rdatatype

    msg = dns.message.make_query(q.name, q.rtype)
    try:
        resp = dns.query.udp(msg, addr[0], port=addr[1], timeout=3)
        if resp.flags & dns.flags.TC:
            resp = dns.query.tcp(msg, addr[0], port=addr[1], timeout=3)
    except dns.exception.Timeout as exc:
        raise OSError(f"no answer from {addr[0]}:{addr[1]}") from exc
    want = dns.rdatatype.from_text(q.rtype)
    data = sorted(rr.to_text() for rrset in resp.answer if rrset.rdtype == want for rr in rrset)
    soa = next((rrset.name.to_text() for rrset in resp.authority if rrset.rdtype == dns.rdatatype.SOA), None)
    return Answer(q, dns.rcode.to_text(resp.rcode()), data, bool(resp.flags & dns.flags.AA), soa,
                  f"udp {addr[0]}:{addr[1]}")


def _over_http(endpoint: str, q: Question) -> Answer:
    ex = explain(endpoint, q.view, q.name, q.rtype)
    data = sorted(a["data"] for a in ex["answers"] if a["type"] == q.rtype)
    soa = next((a["name"] for a in ex.get("authority", []) if a["type"] == "SOA"), None)
    return Answer(q, ex["rcode"], data, bool(ex.get("authoritative")), soa, "explain")


def have_dnspython() -> bool:
    try:
        import dns.query  # noqa: F401
    except ImportError:
        return False
    return True


def ask_all(endpoint: str, questions: list[Question], packets: bool | None = None) -> list[Answer]:
    """Real packets when dnspython is there (packets=None) and the listener answers, else explain."""
    packets = have_dnspython() if packets is None else packets
    items = listeners(endpoint) if packets else []
    out = []
    for q in questions:
        addr = listen_address(items, q.view) if packets else None
        answer = None
        if addr:
            try:
                answer = _over_udp(addr, q)
            except OSError:  # not reachable from here (a server on another machine): ask over HTTP
                answer = None
        out.append(answer or _over_http(endpoint, q))
    return out


def table(answers: list[Answer], title: str = "What DNS answers where") -> str:
    rows = [("view", "name", "type", "answer")]
    rows += [(a.question.where, a.question.name, a.question.rtype, a.text) for a in answers]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [title + ":"]
    for i, r in enumerate(rows):
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[3])
        if i == 0:
            lines.append("  " + "  ".join("-" * w for w in widths) + "  " + "-" * 6)
    hows = sorted({a.how.split(" ")[0] for a in answers})
    lines.append("  (asked " + " and ".join(
        "as real DNS packets to each view's listener" if h == "udp" else "through POST /_localvpc/dns/explain"
        for h in hows) + ")")
    return "\n".join(lines)


def command(q: Question) -> str:
    """The same question by hand."""
    view = ("--public" if q.view.get("view") == "public" else
            f"--vpc {q.view['vpc']}" if "vpc" in q.view else f"--inbound-endpoint {q.view['inbound_endpoint']}")
    return f"localvpc dns query {view} {q.name}" + ("" if q.rtype == "A" else f" {q.rtype}")


def why(endpoint: str, q: Question) -> str:
    """The decision trail for one question, as `localvpc dns query` prints it."""
    ex = explain(endpoint, q.view, q.name, q.rtype)
    steps = "\n".join(f"   {i}. [{s['step']}] {s['detail']}" for i, s in enumerate(ex["trail"], 1))
    return f"Why {q.where} gets that for {q.name} {q.rtype} (`{command(q)}`):\n{steps}"


# ---------------------------------------------------------------------------------------------
# The questions of each scenario. `facts` holds the ids a form created (its state file, or the
# Terraform outputs): each function names the few it needs.
# ---------------------------------------------------------------------------------------------

SSM_SERVICES = ("ssm", "ssmmessages", "ec2", "ec2messages", "monitoring")


def questions_1(f: dict) -> list[Question]:
    vpc, where = in_vpc(f["vpc_id"]), f"VPC {f['vpc_id']}"
    return [Question(where, vpc, S3),
            Question(where, vpc, f"example-bucket.{S3}"),
            Question("internet", PUBLIC, S3)]


def questions_2(f: dict) -> list[Question]:
    vpc, where = in_vpc(f["vpc_id"]), f"VPC {f['vpc_id']}"
    qs = [Question(where, vpc, f"{svc}.{REGION}.amazonaws.com") for svc in SSM_SERVICES]
    qs += [Question("internet", PUBLIC, f"{svc}.{REGION}.amazonaws.com") for svc in SSM_SERVICES]
    qs.append(Question("internet", PUBLIC, f["ssm_vpce_dns"]))
    return qs


def questions_3(f: dict) -> list[Question]:
    member, hub = in_vpc(f["member_vpc_id"]), in_vpc(f["hub_vpc_id"])
    other, inbound = in_vpc(f["unassociated_vpc_id"]), via_inbound(f["resolver_endpoint_id"])
    m, h, o = f"member {f['member_vpc_id']}", f"hub {f['hub_vpc_id']}", f"unassociated {f['unassociated_vpc_id']}"
    i = f"inbound {f['resolver_endpoint_id']}"
    bucket = f"my-bucket.{S3}"
    return [Question(m, member, S3), Question(m, member, bucket), Question(m, member, S3, "AAAA"),
            Question(h, hub, S3), Question(h, hub, bucket),
            Question(o, other, bucket),
            Question(i, inbound, S3), Question(i, inbound, bucket),
            Question("internet", PUBLIC, bucket)]


def questions_4(f: dict) -> list[Question]:
    return [Question("internet", PUBLIC, f["consumer_vpce_dns"]),
            Question(f"consumer {f['consumer_vpc_id']}", in_vpc(f["consumer_vpc_id"]), f["consumer_vpce_dns"])]


QUESTIONS = {"1": questions_1, "2": questions_2, "3": questions_3, "4": questions_4}
# The one answer per scenario whose trail run.py prints (an index into the questions).
FEATURED = {"1": 0, "2": 0, "3": 1, "4": 0}


def report(endpoint: str, n: str, facts: dict, title: str = "What DNS answers where") -> list[Answer]:
    """Ask a scenario's questions, print the table and one trail; return the answers."""
    qs = QUESTIONS[n](facts)
    answers = ask_all(endpoint, qs)
    print(table(answers, title))
    print(why(endpoint, qs[FEATURED[n]]), flush=True)
    return answers

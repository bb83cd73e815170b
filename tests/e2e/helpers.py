"""Shared helpers for the localvpc end-to-end suite.

Nothing in here talks to pytest fixtures; conftest.py wires these pieces together.
Kept as a plain module so test files can ``import helpers`` (pytest puts this
directory on sys.path because it has no ``__init__.py``).
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import boto3
import botocore.session
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

# ---------------------------------------------------------------------------
# Constants shared by the tests
# ---------------------------------------------------------------------------

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO_ROOT / "target" / "debug" / "localvpc"

DEFAULT_REGION = "ap-northeast-1"
# Not mapped with --account anywhere, so it must land in account 000000000000.
DEFAULT_ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
DEFAULT_SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
UNKNOWN_KEY_ACCOUNT = "000000000000"

# The one code of every feature localvpc refuses rather than ignores (docs/aws-choices.md).
NOT_EMULATED = "UnsupportedOperation"

# Access keys that the shared server (and the account tests) map explicitly.
ALPHA_KEY, ALPHA_ACCOUNT = "AKIAALPHAEXAMPLE0001", "111111111111"
BRAVO_KEY, BRAVO_ACCOUNT = "AKIABRAVOEXAMPLE0002", "222222222222"
SHARED_ACCOUNTS = {ALPHA_KEY: ALPHA_ACCOUNT, BRAVO_KEY: BRAVO_ACCOUNT}

EC2_XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/"

# ap-northeast-1 AZ name -> default AZ id (contract; see docs/aws-semantics.md §1.1).
APNE1_AZ_IDS = {
    "ap-northeast-1a": "apne1-az4",
    "ap-northeast-1c": "apne1-az1",
    "ap-northeast-1d": "apne1-az2",
}
DEFAULT_VPC_CIDR = "172.31.0.0/16"

VPC_ID_RE = re.compile(r"^vpc-[0-9a-f]{17}$")
SUBNET_ID_RE = re.compile(r"^subnet-[0-9a-f]{17}$")
VPC_CIDR_ASSOC_RE = re.compile(r"^vpc-cidr-assoc-[0-9a-f]{17}$")
DOPT_ID_RE = re.compile(r"^dopt-[0-9a-f]{8,17}$")

READY_LINE_RE = re.compile(r"^listening on (http://127\.0\.0\.1:(\d+))$")

# A syntactically valid id that no test ever creates.
MISSING_VPC_ID = "vpc-0123456789abcdef0"
MISSING_SUBNET_ID = "subnet-0123456789abcdef0"


def available_ips(cidr: str) -> int:
    """2^(32-len) - 5: AWS reserves the first four and the last address."""
    return ipaddress.ip_network(cidr).num_addresses - 5


# ---------------------------------------------------------------------------
# Environment hygiene: the host's AWS config must never leak into the suite.
# ---------------------------------------------------------------------------

_AWS_ENV_PREFIXES = ("AWS_",)


def isolated_aws_env(base: dict[str, str], empty_config: Path, *, access_key: str,
                     secret_key: str, region: str) -> dict[str, str]:
    env = {k: v for k, v in base.items() if not k.startswith(_AWS_ENV_PREFIXES)}
    env.update(
        AWS_ACCESS_KEY_ID=access_key,
        AWS_SECRET_ACCESS_KEY=secret_key,
        AWS_DEFAULT_REGION=region,
        AWS_REGION=region,
        AWS_CONFIG_FILE=str(empty_config),
        AWS_SHARED_CREDENTIALS_FILE=str(empty_config),
        AWS_PAGER="",
        AWS_MAX_ATTEMPTS="1",
        AWS_RETRY_MODE="standard",
        AWS_EC2_METADATA_DISABLED="true",
    )
    no_proxy = ",".join(x for x in (env.get("NO_PROXY", ""), "127.0.0.1,localhost") if x)
    env["NO_PROXY"] = env["no_proxy"] = no_proxy
    return env


# ---------------------------------------------------------------------------
# Wire-fidelity guard
# ---------------------------------------------------------------------------


class WireFidelityError(AssertionError):
    """Raised when a response body contains something the botocore model does not know."""


WIRE_VIOLATIONS: list[str] = []
_WIRE_LOCK = threading.Lock()

_ERROR_ENVELOPE = {
    # element -> allowed children
    "Response": {"Errors", "RequestID", "RequestId", "requestId"},
    "Errors": {"Error"},
    "Error": {"Code", "Message"},
}
_ROOT_EXTRAS = {"requestId", "return"}
_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")

# Enum values AWS documents (and sends) although the botocore model's enum lacks them:
# (enum shape name, regex on the element path) -> extra values.
# - InternetGatewayAttachment.State: "For an internet gateway, the state is available when
#   attached to a VPC" (EC2 API reference, InternetGatewayAttachment), while the shared
#   AttachmentStatus enum only lists attaching|attached|detaching|detached.
# - VpcEndpoint.State: EC2 sends the endpoint state in lower camel case (pendingAcceptance,
#   pending, available, ...; the vpc-endpoint-state filter takes the same values), while the
#   botocore State enum is written PendingAcceptance|Pending|Available|... (docs/aws-semantics.md
#   §3.6; the aws-cli create-vpc-endpoint example shows "State": "available" / "pending").
#   The provider's view, VpcEndpointConnection.VpcEndpointState, uses the same values (docs/aws-semantics.md §5.3;
#   the aws-cli describe-vpc-endpoint-connections example shows "pendingAcceptance").
_ENUM_EXTRAS: list[tuple[str, re.Pattern, frozenset]] = [
    ("AttachmentStatus", re.compile(r"/internetGateway(Set/item)?/attachmentSet/item/state$"),
     frozenset({"available"})),
    ("State", re.compile(r"(/vpcEndpoint(Set/item)?/state|/vpcEndpointConnectionSet/item/vpcEndpointState)$"),
     frozenset({"pendingAcceptance", "pending", "available", "deleting", "deleted", "rejected", "failed",
                "expired", "partial"})),
]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _ns(tag: str) -> str | None:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else None


def check_ec2_response_xml(operation_model, status: int, body: bytes) -> list[str]:
    """Return a list of human-readable problems with an EC2 query response body.

    Success bodies are walked against the operation's output shape: every element
    must be a member (by its serialized name), list children must carry the list
    member's name (``item``), scalar leaves must parse as their model type and
    enum values must be in the enum.  Error bodies must be the EC2 error envelope.
    """
    op = operation_model.name
    problems: list[str] = []
    if not body:
        if status < 300:
            problems.append(f"{op}: empty success body")
        return problems
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        snippet = body[:200].decode("utf-8", "replace")
        return [f"{op}: body is not well-formed XML ({exc}): {snippet!r}"]

    if status >= 300:
        _check_envelope(root, op, problems)
        return problems

    want_root = f"{op}Response"
    if _local(root.tag) != want_root:
        problems.append(f"{op}: root element <{_local(root.tag)}>, expected <{want_root}>")
    if _ns(root.tag) != EC2_XMLNS and not (
        os.environ.get("LOCALVPC_WIRE_LAX_NAMESPACE") and _ns(root.tag) == EC2_XMLNS.rstrip("/")
    ):
        problems.append(f"{op}: root namespace {_ns(root.tag)!r}, expected {EC2_XMLNS!r}")
    _walk_structure(root, operation_model.output_shape, f"{want_root}", problems, is_root=True)
    return problems


def _check_envelope(root, op, problems):
    def walk(elem, path):
        name = _local(elem.tag)
        allowed = _ERROR_ENVELOPE.get(name)
        if allowed is None:
            if len(elem):
                problems.append(f"{op}: error element {path} must be a leaf")
            return
        for child in elem:
            cname = _local(child.tag)
            if cname not in allowed:
                problems.append(f"{op}: unknown element <{cname}> in error envelope at {path}")
            else:
                walk(child, f"{path}/{cname}")

    if _local(root.tag) != "Response":
        problems.append(f"{op}: error root is <{_local(root.tag)}>, expected <Response>")
        return
    walk(root, "Response")
    codes = [c for e in root if _local(e.tag) == "Errors" for r in e if _local(r.tag) == "Error"
             for c in r if _local(c.tag) == "Code"]
    if len(codes) != 1 or not (codes[0].text or "").strip():
        problems.append(f"{op}: error envelope must carry exactly one non-empty <Code>")


def _member_xml_names(shape) -> dict[str, Any]:
    names = {}
    for member_name, member_shape in shape.members.items():
        if member_shape.type_name == "list" and member_shape.serialization.get("flattened"):
            xml = member_shape.member.serialization.get("name") or member_shape.serialization.get("name") or member_name
        else:
            xml = member_shape.serialization.get("name") or member_name
        names[xml] = member_shape
    return names


def _walk_structure(elem, shape, path, problems, is_root=False):
    if shape is None:
        # Operations without an output shape answer <return>true</return>.
        for child in elem:
            cname = _local(child.tag)
            if cname not in _ROOT_EXTRAS:
                problems.append(f"unknown element <{cname}> at {path} (operation has no output members)")
            elif cname == "return" and (child.text or "").strip() not in ("true", "false"):
                problems.append(f"{path}/return must be true|false, got {child.text!r}")
        return
    members = _member_xml_names(shape)
    seen: dict[str, int] = {}
    for child in elem:
        cname = _local(child.tag)
        if cname in members:
            mshape = members[cname]
            seen[cname] = seen.get(cname, 0) + 1
            flattened = mshape.type_name == "list" and mshape.serialization.get("flattened")
            if seen[cname] > 1 and not flattened:
                problems.append(f"element <{cname}> repeated at {path}")
            _walk_value(child, mshape, f"{path}/{cname}", problems, flattened_item=flattened)
        elif is_root and cname in _ROOT_EXTRAS:
            if cname == "return" and (child.text or "").strip() not in ("true", "false"):
                problems.append(f"{path}/return must be true|false, got {child.text!r}")
        else:
            problems.append(
                f"unknown element <{cname}> at {path} (shape {shape.name} has "
                f"{sorted(members)})"
            )


def _walk_value(elem, shape, path, problems, flattened_item=False):
    t = shape.type_name
    if t == "structure":
        if (elem.text or "").strip():
            problems.append(f"{path}: structure {shape.name} carries text {elem.text.strip()!r}")
        _walk_structure(elem, shape, path, problems)
    elif t == "list":
        if flattened_item:
            _walk_value(elem, shape.member, path, problems)
            return
        item_name = shape.member.serialization.get("name") or "member"
        for child in elem:
            cname = _local(child.tag)
            if cname != item_name:
                problems.append(f"list {path} has child <{cname}>, expected <{item_name}>")
            else:
                _walk_value(child, shape.member, f"{path}/{cname}", problems)
    elif t == "map":
        key_name = shape.key.serialization.get("name") or "key"
        value_name = shape.value.serialization.get("name") or "value"
        for entry in elem:
            for pair in entry:
                pname = _local(pair.tag)
                if pname == key_name:
                    _walk_value(pair, shape.key, f"{path}/entry/{pname}", problems)
                elif pname == value_name:
                    _walk_value(pair, shape.value, f"{path}/entry/{pname}", problems)
                else:
                    problems.append(f"map {path} has unknown child <{pname}>")
    else:
        if len(elem):
            problems.append(f"{path}: scalar {shape.name} ({t}) has child elements")
            return
        text = elem.text or ""
        _check_scalar(text, shape, path, problems)


def _check_scalar(text, shape, path, problems):
    t = shape.type_name
    if t == "boolean":
        if text not in ("true", "false"):
            problems.append(f"{path}: boolean must be 'true' or 'false', got {text!r}")
    elif t in ("integer", "long"):
        if not re.fullmatch(r"-?\d+", text.strip()):
            problems.append(f"{path}: {t} expected, got {text!r}")
    elif t in ("float", "double"):
        try:
            float(text)
        except ValueError:
            problems.append(f"{path}: {t} expected, got {text!r}")
    elif t == "timestamp":
        if not _ISO_RE.match(text.strip()):
            problems.append(f"{path}: ISO-8601 timestamp expected, got {text!r}")
    elif t == "string":
        enum = shape.enum
        if enum and text not in enum and not any(
            name == shape.name and where.search(path) and text in extra for name, where, extra in _ENUM_EXTRAS
        ):
            problems.append(f"{path}: {text!r} is not in enum {shape.name} {sorted(enum)}")


def _record(problems: list[str]) -> None:
    with _WIRE_LOCK:
        WIRE_VIOLATIONS.extend(problems)


def install_wire_guard(client) -> None:
    """Check every raw EC2 response this client receives (success and error)."""

    def after_call(http_response, parsed, model, **_):
        body = http_response.content or b""
        problems = check_ec2_response_xml(model, http_response.status_code, body)
        if problems:
            _record(problems)
            raise WireFidelityError(
                "wire-fidelity guard: response to %s does not match the botocore model:\n  %s\n--- body ---\n%s"
                % (model.name, "\n  ".join(problems), body[:4000].decode("utf-8", "replace"))
            )

    client.meta.events.register("after-call.ec2", after_call, unique_id="localvpc-wire-guard")


def take_wire_violations() -> list[str]:
    with _WIRE_LOCK:
        out = list(WIRE_VIOLATIONS)
        WIRE_VIOLATIONS.clear()
    return out


# ---------------------------------------------------------------------------
# boto3 clients
# ---------------------------------------------------------------------------


_SESSION = None
_SESSION_LOCK = threading.Lock()


def _shared_session():
    """One boto3 session for the whole run so the EC2 model is loaded once.

    Created lazily, i.e. after conftest has scrubbed the AWS_* environment. Credentials
    are always passed per client, so nothing from the session's own chain is used."""
    global _SESSION
    if _SESSION is None:
        _SESSION = boto3.session.Session()
    return _SESSION


def new_ec2_client(endpoint_url: str, *, access_key: str = DEFAULT_ACCESS_KEY,
                   secret_key: str = DEFAULT_SECRET_KEY, region: str = DEFAULT_REGION,
                   parameter_validation: bool = True, read_timeout: float = 30.0,
                   guard: bool = True):
    cfg = Config(
        region_name=region,
        retries={"total_max_attempts": 1, "mode": "standard"},
        parameter_validation=parameter_validation,
        connect_timeout=5,
        read_timeout=read_timeout,
        max_pool_connections=64,
        proxies={},
    )
    with _SESSION_LOCK:  # client creation on a shared session is not thread-safe
        client = _shared_session().client(
            "ec2", endpoint_url=endpoint_url, region_name=region, config=cfg,
            aws_access_key_id=access_key, aws_secret_access_key=secret_key,
        )
    if guard:
        install_wire_guard(client)
    return client


# ---------------------------------------------------------------------------
# Error assertions
# ---------------------------------------------------------------------------


def call_error(fn: Callable, *args, **kwargs) -> ClientError:
    try:
        result = fn(*args, **kwargs)
    except ClientError as exc:
        return exc
    raise AssertionError(f"expected a ClientError from {getattr(fn, '__name__', fn)}, got success: {result!r}")


def expect_error(fn: Callable, *args, code: str | Iterable[str] | None, status: int | None = 400,
                 **kwargs) -> dict:
    """Call fn and assert it fails with the given AWS error code(s) and HTTP status.

    ``code=None`` only checks the status (used where the exact code is AWS-UNCONFIRMED).
    Returns the parsed error response.
    """
    exc = call_error(fn, *args, **kwargs)
    resp = exc.response
    got_code = resp.get("Error", {}).get("Code")
    got_status = resp.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code is not None:
        wanted = {code} if isinstance(code, str) else set(code)
        assert got_code in wanted, f"expected error code {sorted(wanted)}, got {got_code!r}: {resp.get('Error')}"
    if status is not None:
        assert got_status == status, f"expected HTTP {status}, got {got_status} ({got_code}: {resp.get('Error')})"
    return resp


def expect_client_error(fn: Callable, *args, **kwargs) -> dict:
    """AWS-UNCONFIRMED helper: the call must be refused with some 4xx client error."""
    exc = call_error(fn, *args, **kwargs)
    status = exc.response["ResponseMetadata"]["HTTPStatusCode"]
    assert 400 <= status < 500, f"expected a 4xx client error, got {status}: {exc.response.get('Error')}"
    assert exc.response.get("Error", {}).get("Code"), exc.response
    return exc.response


def expect_dry_run(fn: Callable, **kwargs) -> None:
    resp = expect_error(fn, code="DryRunOperation", status=412, DryRun=True, **kwargs)
    assert resp["Error"]["Code"] != "UnauthorizedOperation"


# ---------------------------------------------------------------------------
# Raw signed HTTP requests (for protocol tests that boto3 cannot express)
# ---------------------------------------------------------------------------

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def xml(self):
        return ET.fromstring(self.body)

    def error_code(self) -> str | None:
        """Error code from an EC2 XML envelope or a JSON error body."""
        ctype = self.headers.get("content-type", "")
        body = self.body.strip()
        if body.startswith(b"<"):
            root = ET.fromstring(body)
            for elem in root.iter():
                if _local(elem.tag) == "Code":
                    return (elem.text or "").strip()
            return None
        if body.startswith(b"{") or "json" in ctype:
            doc = json.loads(body)
            for key in ("__type", "code", "Code"):
                if key in doc:
                    return str(doc[key]).split("#")[-1]
            err = doc.get("Error") or doc.get("error")
            if isinstance(err, dict):
                return err.get("Code") or err.get("code")
        return None


def signed_request(endpoint_url: str, *, params: dict[str, str] | None = None,
                   body: bytes | None = None, method: str = "POST", region: str = DEFAULT_REGION,
                   service: str = "ec2", access_key: str = DEFAULT_ACCESS_KEY,
                   secret_key: str = DEFAULT_SECRET_KEY, headers: dict[str, str] | None = None,
                   sign: bool = True, presign: bool = False, timeout: float = 30.0) -> RawResponse:
    """Send one SigV4-signed request. POST sends params form-encoded; GET in the query string.
    presign=True puts the signature in the query string (X-Amz-Credential=...) instead."""
    url = endpoint_url.rstrip("/") + "/"
    hdrs = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    hdrs.update(headers or {})
    if method == "GET":
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = None
        hdrs.pop("Content-Type", None)
    else:
        data = body if body is not None else urllib.parse.urlencode(params or {}).encode()
    req = AWSRequest(method=method, url=url, data=data, headers=hdrs)
    if presign:
        SigV4QueryAuth(Credentials(access_key, secret_key), service, region, expires=300).add_auth(req)
    elif sign:
        SigV4Auth(Credentials(access_key, secret_key), service, region).add_auth(req)
    prepared = req.prepare()
    ureq = urllib.request.Request(prepared.url, data=prepared.body, method=method,
                                  headers=dict(prepared.headers.items()))
    try:
        with _OPENER.open(ureq, timeout=timeout) as resp:
            return RawResponse(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
    except urllib.error.HTTPError as err:
        return RawResponse(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())


def http_call(url: str, method: str = "GET", data: bytes | None = None, timeout: float = 10.0) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=data, method=method)
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


# ---------------------------------------------------------------------------
# Server processes
# ---------------------------------------------------------------------------


def resolve_binary() -> Path:
    raw = os.environ.get("LOCALVPC_BIN")
    path = Path(raw) if raw else DEFAULT_BIN
    if not path.is_absolute():
        path = REPO_ROOT / path
    return path


class ServerStartError(RuntimeError):
    pass


@dataclass
class LocalVpcServer:
    """One `localvpc serve` child process."""

    binary: Path
    workdir: Path
    data_dir: Path | None = None
    ephemeral: bool = False
    accounts: dict[str, str] = field(default_factory=dict)
    no_default_vpc: bool = False
    extra_args: tuple[str, ...] = ()
    env: dict[str, str] | None = None  # extra environment variables
    cwd: Path | None = None
    proc: subprocess.Popen | None = None
    url: str | None = None
    stdout_lines: list[str] = field(default_factory=list)
    stderr_path: Path | None = None
    _stdout_thread: threading.Thread | None = None

    def argv(self) -> list[str]:
        args = [str(self.binary), "serve", "--listen", "127.0.0.1:0"]
        if self.ephemeral:
            args.append("--ephemeral")
        else:
            assert self.data_dir is not None, "data_dir or ephemeral required"
            args += ["--data-dir", str(self.data_dir)]
        for key, account in self.accounts.items():
            args += ["--account", f"{key}={account}"]
        if self.no_default_vpc:
            args.append("--no-default-vpc")
        args += list(self.extra_args)
        return args

    def start(self, timeout: float = 30.0) -> "LocalVpcServer":
        if not self.binary.exists():
            raise ServerStartError(
                f"localvpc binary not found at {self.binary} (set LOCALVPC_BIN or build it first, "
                f"e.g. `cargo build` in {REPO_ROOT}); set LOCALVPC_ENDPOINT to test a running server"
            )
        self.workdir.mkdir(parents=True, exist_ok=True)
        n = len(list(self.workdir.glob("stderr-*.log")))
        self.stderr_path = self.workdir / f"stderr-{n}.log"
        stderr = open(self.stderr_path, "wb")
        env = dict(os.environ)
        env.setdefault("RUST_BACKTRACE", "1")
        env.update(self.env or {})
        self.url = None
        self.stdout_lines = []
        self.proc = subprocess.Popen(
            self.argv(), stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL,
            env=env, cwd=str(self.cwd) if self.cwd else None, start_new_session=True,
        )
        stderr.close()
        ready = threading.Event()

        def pump():
            assert self.proc and self.proc.stdout
            for raw in iter(self.proc.stdout.readline, b""):
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                self.stdout_lines.append(line)
                m = READY_LINE_RE.match(line)
                if m and self.url is None:
                    self.url = m.group(1)
                    ready.set()
            ready.set()

        self._stdout_thread = threading.Thread(target=pump, daemon=True)
        self._stdout_thread.start()
        if not ready.wait(timeout) or self.url is None:
            rc = self.proc.poll()
            self.kill()
            raise ServerStartError(
                f"localvpc did not print 'listening on http://127.0.0.1:PORT' within {timeout}s "
                f"(exit code {rc}); stdout={self.stdout_lines!r}\n--- stderr tail ---\n{self.stderr_tail()}"
            )
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                status, _ = http_call(self.url + "/_localvpc/health", timeout=2)
                if status == 200:
                    return self
                last = status
            except OSError as exc:  # connection refused etc.
                last = exc
            time.sleep(0.05)
        self.kill()
        raise ServerStartError(f"health check never returned 200 (last: {last})\n{self.stderr_tail()}")

    @property
    def pid(self) -> int:
        assert self.proc
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def terminate(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Send sig and wait; returns the exit code. Falls back to SIGKILL on timeout."""
        assert self.proc
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise AssertionError(f"localvpc did not exit within {timeout}s of signal {sig}")
        self._join_stdout()
        return self.proc.returncode

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._join_stdout()

    def _join_stdout(self):
        if self._stdout_thread:
            self._stdout_thread.join(5)

    def stderr_tail(self, n: int = 4000) -> str:
        if self.stderr_path and self.stderr_path.exists():
            return self.stderr_path.read_bytes()[-n:].decode("utf-8", "replace")
        return ""


@dataclass
class ExternalServer:
    """A server someone else started (LOCALVPC_ENDPOINT)."""

    url: str

    def alive(self) -> bool:
        return True

    def stderr_tail(self, n: int = 0) -> str:
        return "(external server: no logs)"


def reset_server(url: str) -> None:
    path = os.environ.get("LOCALVPC_RESET_PATH", "/_localvpc/reset")
    status, body = http_call(url.rstrip("/") + path, method="POST", data=b"")
    assert status == 200, f"POST {path} answered {status}: {body[:300]!r}"


# ---------------------------------------------------------------------------
# aws CLI
# ---------------------------------------------------------------------------


def find_aws_cli() -> str | None:
    """The `aws` the suite runs: the fork server's shim while one serves this process
    (conftest.py, aws_forkserver.py), else the CLI installed next to this Python."""
    shim = os.environ.get("LOCALVPC_E2E_AWS_SHIM")
    if shim and Path(shim).exists():
        return shim
    return find_real_aws_cli()


def find_real_aws_cli() -> str | None:
    candidate = Path(sys.executable).parent / "aws"
    if candidate.exists():
        return str(candidate)
    import shutil

    return shutil.which("aws")


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str
    argv: list[str]

    @property
    def json(self) -> Any:
        return json.loads(self.stdout) if self.stdout.strip() else None


class AwsCli:
    def __init__(self, endpoint_url: str, empty_config: Path, aws_path: str):
        self.endpoint_url = endpoint_url
        self.empty_config = empty_config
        self.aws_path = aws_path

    def __call__(self, *args: str, access_key: str = DEFAULT_ACCESS_KEY, region: str = DEFAULT_REGION,
                 check: bool = True, timeout: float = 120.0) -> CliResult:
        env = isolated_aws_env(os.environ, self.empty_config, access_key=access_key,
                               secret_key=DEFAULT_SECRET_KEY, region=region)
        argv = [self.aws_path, "--endpoint-url", self.endpoint_url, "--output", "json", *args]
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
        res = CliResult(proc.returncode, proc.stdout, proc.stderr, argv)
        if check and proc.returncode != 0:
            raise AssertionError(
                f"aws CLI failed ({proc.returncode}): {' '.join(argv)}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
            )
        return res


# ---------------------------------------------------------------------------
# Small conveniences used by many tests
# ---------------------------------------------------------------------------


def tags_of(resource: dict) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in resource.get("Tags", []) or []}


def tag_spec(resource_type: str, **tags: str) -> list[dict]:
    return [{"ResourceType": resource_type, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


def default_vpc(ec2) -> dict:
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    assert len(vpcs) == 1, f"expected exactly one default VPC, got {vpcs}"
    return vpcs[0]


def all_pages(method: Callable, result_key: str, **kwargs) -> tuple[list[dict], list[int]]:
    """Follow NextToken by hand; returns (items, size_of_each_page)."""
    items: list[dict] = []
    sizes: list[int] = []
    token = None
    while True:
        call = dict(kwargs)
        if token:
            call["NextToken"] = token
        resp = method(**call)
        page = resp.get(result_key, [])
        sizes.append(len(page))
        items.extend(page)
        token = resp.get("NextToken")
        if not token:
            return items, sizes
        assert len(sizes) < 1000, "pagination does not terminate"


def wait_until(pred: Callable[[], bool], timeout: float = 10.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(interval)
    return pred()


def utcnow() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)

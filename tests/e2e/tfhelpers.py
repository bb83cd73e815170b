"""Terraform plumbing for test_terraform.py.

- find_aws_provider_mirror(): locate a filesystem mirror of hashicorp/aws by searching for
  `terraform-provider-aws_*` under a few common roots (bounded walk, never a fixed path).
- TerraformRun: one Terraform working directory (config copied from tests/e2e/terraform/<name>,
  with terraform/_shared/*.tf and terraform/modules/ beside it) with its own CLI config,
  environment and per-command DEBUG log; every command has a timeout.
- summarize_debug_log(): the EC2 `Action=` requests and the failing responses from a
  TF_LOG=DEBUG log, for precise failure reports.

No pytest fixtures here (test_terraform.py has them); require_terraform() skips with the
one-line missing_reason() when Terraform or the provider mirror is absent.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CONFIG_ROOT = HERE / "terraform"
SHARED_DIR = CONFIG_ROOT / "_shared"
MODULES_DIR = CONFIG_ROOT / "modules"

PROVIDER_ADDR = "registry.terraform.io/hashicorp/aws"
PROVIDER_GLOB_PREFIX = "terraform-provider-aws_"
REGISTRY_DIR = "registry.terraform.io"

# Bounded search: these roots, at most this deep below each, at most this many directories.
MAX_DEPTH = 8
MAX_DIRS = 50_000
_PRUNE = {".git", "node_modules", "__pycache__", "site-packages", "dist-packages", "proc", "sys",
          "man", "locale", "doc", "icons", "fonts", "zoneinfo", "i18n"}

# Stop a command once one EC2 request has failed identically this many times (see run()).
STUCK_AFTER = 5
# Per-command time limits (seconds). The provider binary is ~700 MB; on a loaded 2-core machine
# each provider start costs a few seconds, and apply/destroy poll with waiters (several of the
# provider's waiters sleep 10 s even when the first answer is final).
TIMEOUTS = {"init": 180, "apply": 600, "plan": 300, "destroy": 600, "output": 60, "version": 30}


def search_roots() -> list[Path]:
    roots: list[Path] = []
    env_root = os.environ.get("TF_PLUGIN_MIRROR")
    if env_root:
        roots.append(Path(env_root))
    home = Path.home()
    roots += [
        home / ".terraform.d" / "plugins",
        home / ".local" / "share" / "terraform" / "plugins",
        Path("/opt"),
        Path("/usr/local"),
        Path("/usr/share"),
    ]
    seen, out = set(), []
    for r in roots:
        key = str(r)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _platform() -> str:
    machine = os.uname().machine.lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return f"{os.uname().sysname.lower()}_{arch}"


@dataclass(frozen=True)
class ProviderMirror:
    root: Path       # directory that contains registry.terraform.io/
    binary: Path     # the terraform-provider-aws_* file that was found
    version: str     # e.g. 5.100.0


def _mirror_for(path: Path) -> ProviderMirror | None:
    """Walk up from a terraform-provider-aws_* file to the directory holding registry.terraform.io."""
    for parent in path.parents:
        if parent.name == REGISTRY_DIR:
            root = parent.parent
            rel = path.relative_to(parent).parts  # hashicorp/aws/<ver>/<os_arch>/file or .../aws/file.zip
            if len(rel) < 3 or rel[0] != "hashicorp" or rel[1] != "aws":
                return None
            m = re.match(r"terraform-provider-aws_v?(\d+\.\d+\.\d+[^_]*)", path.name)
            version = rel[2] if len(rel) >= 4 else (m.group(1) if m else "?")
            platform = rel[3] if len(rel) >= 5 else path.name
            if _platform() not in platform:
                return None
            return ProviderMirror(root=root, binary=path, version=version)
    return None


@functools.lru_cache(maxsize=1)
def find_aws_provider_mirror() -> ProviderMirror | None:
    dirs_seen = 0
    for root in search_roots():
        if not root.is_dir():
            continue
        base_depth = len(root.parts)
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirs_seen += 1
            if dirs_seen > MAX_DIRS:
                return None
            for name in filenames:
                if name.startswith(PROVIDER_GLOB_PREFIX):
                    found = _mirror_for(Path(dirpath) / name)
                    if found:
                        return found
            depth = len(Path(dirpath).parts) - base_depth
            if depth >= MAX_DEPTH:
                dirnames[:] = []
            else:
                dirnames[:] = sorted(d for d in dirnames if d not in _PRUNE)
    return None


def find_terraform() -> str | None:
    return shutil.which("terraform")


@functools.lru_cache(maxsize=1)
def missing_reason() -> str | None:
    """None when Terraform and a mirrored AWS provider are both available, else one line."""
    tf = find_terraform()
    mirror = find_aws_provider_mirror()
    if tf and mirror:
        return None
    roots = ", ".join(str(r) for r in search_roots())
    if not tf and not mirror:
        return (f"Terraform tests skipped: `terraform` is not on PATH and no terraform-provider-aws_* "
                f"filesystem mirror was found (searched {roots})")
    if not tf:
        return "Terraform tests skipped: `terraform` is not on PATH"
    return (f"Terraform tests skipped: no terraform-provider-aws_* for {_platform()} in a filesystem "
            f"mirror (searched {roots}, depth <= {MAX_DEPTH})")


def require_terraform() -> tuple[str, ProviderMirror]:
    """(terraform path, mirror), or skip the calling test with missing_reason(). Called from the
    test body (not a fixture) so every skip has this one location and -ra prints one line."""
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    return find_terraform(), find_aws_provider_mirror()


def cli_config_text(mirror: ProviderMirror) -> str:
    return f"""\
# Generated by tests/e2e/tfhelpers.py: the AWS provider comes only from the local mirror.
provider_installation {{
  filesystem_mirror {{
    path    = {json.dumps(str(mirror.root))}
    include = [{json.dumps(PROVIDER_ADDR)}]
  }}
  direct {{
    exclude = [{json.dumps(PROVIDER_ADDR)}]
  }}
}}
disable_checkpoint = true
"""


# ---------------------------------------------------------------------------
# Running terraform
# ---------------------------------------------------------------------------


@dataclass
class TfResult:
    step: str
    argv: list[str]
    returncode: int
    output: str
    seconds: float
    log_path: Path
    timed_out: bool = False
    stuck: str | None = None  # the repeated failing request when stopped early


class TerraformError(AssertionError):
    """A terraform command failed; the message has the output tail and failing EC2 requests."""


class KnownGap(AssertionError):
    """A failure matching a documented localvpc gap (tests use xfail(strict=True, raises=KnownGap))."""


def tail(text: str, n: int = 60) -> str:
    lines = text.rstrip().splitlines()
    cut = lines[-n:]
    prefix = f"... ({len(lines) - n} earlier lines)\n" if len(lines) > n else ""
    return prefix + "\n".join(cut)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class TerraformRun:
    """One working directory: copies tests/e2e/terraform/<config>/*.tf (with _shared/*.tf and
    modules/) and writes tfvars."""

    config: str
    workdir: Path
    variables: dict
    mirror: ProviderMirror
    terraform: str
    results: list[TfResult] = field(default_factory=list)

    def __post_init__(self):
        src = CONFIG_ROOT / self.config
        self.workdir.mkdir(parents=True, exist_ok=True)
        if src.resolve().parent == CONFIG_ROOT:
            # The suite's own configs share terraform/_shared/*.tf (the terraform block, the
            # common variables, the default provider) and the local modules (./modules/...);
            # a config given by absolute path (examples/*) is taken as it is.
            for tf in sorted(SHARED_DIR.glob("*.tf")):
                if (src / tf.name).exists():
                    raise ValueError(f"{src / tf.name} would replace the shared {tf}")
                shutil.copy(tf, self.workdir / tf.name)
            shutil.copytree(MODULES_DIR, self.workdir / "modules", dirs_exist_ok=True)
        for tf in sorted(src.glob("*.tf")):
            shutil.copy(tf, self.workdir / tf.name)
        (self.workdir / "terraform.tfvars.json").write_text(json.dumps(self.variables, indent=2))
        self.cli_config = self.workdir / "terraformrc"
        self.cli_config.write_text(cli_config_text(self.mirror))
        self.logs = self.workdir / "logs"
        self.logs.mkdir(exist_ok=True)
        self.aws_empty = self.workdir / "aws-empty"
        self.aws_empty.write_text("")

    def env(self, log_path: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TF_", "AWS_", "CHECKPOINT_"))}
        env.update(
            TF_CLI_CONFIG_FILE=str(self.cli_config),
            TF_IN_AUTOMATION="1",
            TF_INPUT="0",
            TF_LOG="DEBUG",
            TF_LOG_PATH=str(log_path),
            CHECKPOINT_DISABLE="1",
            # Terraform starts the AWS provider two to four times a command, and each start
            # builds its whole schema: a lazier garbage collector cuts about a fifth of that
            # CPU (2.6 → 2.0 s a start here) for ~50 MB more memory.
            GOGC="400",
            # No provider plugin cache: the mirror is local, init links/copies from it.
            AWS_CONFIG_FILE=str(self.aws_empty),
            AWS_SHARED_CREDENTIALS_FILE=str(self.aws_empty),
            AWS_EC2_METADATA_DISABLED="true",
        )
        no_proxy = ",".join(x for x in (env.get("NO_PROXY", ""), "127.0.0.1,localhost") if x)
        env["NO_PROXY"] = env["no_proxy"] = no_proxy
        return env

    def run(self, step: str, *args: str, timeout: float | None = None,
            stuck_after: int | None = STUCK_AFTER) -> TfResult:
        """Run one terraform command with a time limit. With stuck_after=N the command is also
        stopped as soon as its DEBUG log shows the same EC2 request failing with the same error
        N times: localvpc is strongly consistent, so such a loop is the provider retrying a
        server answer it will never accept (it would otherwise retry for minutes)."""
        n = len(self.results)
        log_path = self.logs / f"{n:02d}-{step}.log"
        out_path = self.logs / f"{n:02d}-{step}.out"
        argv = [self.terraform, step, "-no-color", *args]
        limit = timeout or TIMEOUTS.get(step, 300)
        started = time.monotonic()
        timed_out, stuck = False, None
        with open(out_path, "wb") as out:
            proc = subprocess.Popen(argv, cwd=self.workdir, env=self.env(log_path), stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
            next_scan = started + 2
            while proc.poll() is None:
                now = time.monotonic()
                if now - started > limit:
                    timed_out = True
                elif stuck_after and now >= next_scan:
                    next_scan = now + 2
                    stuck = repeated_failure(log_path, stuck_after)
                if timed_out or stuck:
                    # Terraform and its provider plugin run in the session created for them.
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    proc.wait()
                    break
                time.sleep(0.2)
        text = _ANSI.sub("", out_path.read_bytes().decode("utf-8", "replace"))
        code = proc.returncode if not (timed_out or stuck) else -9
        res = TfResult(step, argv, code, text, time.monotonic() - started, log_path, timed_out, stuck)
        self.results.append(res)
        return res

    def must(self, step: str, *args: str, ok=(0,), timeout: float | None = None) -> TfResult:
        res = self.run(step, *args, timeout=timeout)
        if res.returncode not in ok:
            raise TerraformError(self.failure_report(res))
        return res

    def init(self) -> TfResult:
        return self.must("init", "-input=false")

    def apply(self) -> TfResult:
        return self.must("apply", "-auto-approve", "-input=false")

    def destroy(self) -> TfResult:
        return self.must("destroy", "-auto-approve", "-input=false")

    def outputs(self) -> dict:
        res = self.must("output", "-json")
        return {k: v["value"] for k, v in json.loads(res.output).items()}

    def timings(self) -> str:
        return ", ".join(f"{r.step} {r.seconds:.1f}s" for r in self.results)

    def failure_report(self, res: TfResult, n: int = 60) -> str:
        if res.timed_out:
            how = f"timed out after {res.seconds:.0f}s"
        elif res.stuck:
            how = f"was stopped after {res.seconds:.0f}s: provider stuck retrying {res.stuck}"
        else:
            how = f"exited {res.returncode} after {res.seconds:.0f}s"
        head = f"`terraform {' '.join(res.argv[1:])}` {how} (workdir {self.workdir})"
        parts = [head, "--- terraform output (tail) ---", tail(res.output, n)]
        summary = summarize_debug_log(res.log_path)
        if summary:
            parts += [f"--- EC2 requests from {res.log_path.name} (TF_LOG=DEBUG) ---", summary]
        return "\n".join(parts)


# ---------------------------------------------------------------------------
# DEBUG log digestion
# ---------------------------------------------------------------------------

_RECORD_START = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
_FIELD_RE = {
    "method": re.compile(r"\brpc\.method=(\S+)"),
    "req_id": re.compile(r"\btf_req_id=(\S+)"),
    "status": re.compile(r"\bhttp\.status_code=(\d+)"),
    "resource": re.compile(r"\btf_resource_type=(\S+)"),
}
_ACTION_RE = re.compile(r"(?:^|&)Action=([A-Za-z0-9]+)")
_ERROR_RE = re.compile(r"<Code>([^<]*)</Code>\s*<Message>([^<]*)</Message>", re.S)


def _records(text: str):
    """TF_LOG records: a timestamped line plus its continuation lines."""
    cur: list[str] = []
    for line in text.splitlines():
        if _RECORD_START.match(line) and cur:
            yield cur
            cur = []
        cur.append(line)
    if cur:
        yield cur


def _split_record(lines: list[str]) -> tuple[str, str]:
    """(header fields text, body) where body is the `  | ...` continuation lines."""
    header, body = [], []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith("| "):
            body.append(stripped[2:])
        elif stripped == "|":
            body.append("")
        else:
            header.append(line)
    return " ".join(header), "\n".join(body)


def parse_debug_log(path: Path | None) -> list[dict]:
    """EC2 requests from a TF_LOG=DEBUG log, in order:
    [{action, resource, body, status, response, error}]. A response is paired with the oldest
    open request of the same provider request id and RPC method."""
    if not path or not path.exists():
        return []
    out: list[dict] = []
    pending: dict[tuple, list[dict]] = {}
    for lines in _records(path.read_text("utf-8", "replace")):
        first = lines[0]
        if "HTTP Request Sent" not in first and "HTTP Response Received" not in first:
            continue
        header, body = _split_record(lines)
        f = {k: (m.group(1) if (m := rx.search(header)) else None) for k, rx in _FIELD_RE.items()}
        key = (f["req_id"], f["method"])
        if "HTTP Request Sent" in first:
            a = _ACTION_RE.search(body)
            entry = {"action": a.group(1) if a else (f["method"] or "?"), "resource": f["resource"],
                     "body": body, "status": None, "response": None, "error": None}
            out.append(entry)
            pending.setdefault(key, []).append(entry)
        else:
            queue = pending.get(key) or []
            if queue:
                entry = queue.pop(0)
            else:  # response without a logged request
                entry = {"action": f["method"] or "?", "resource": f["resource"], "body": "",
                         "status": None, "response": None, "error": None}
                out.append(entry)
            entry["status"] = int(f["status"]) if f["status"] else None
            entry["response"] = body
            if entry["status"] is not None and entry["status"] >= 400:
                e = _ERROR_RE.search(body)
                entry["error"] = (html.unescape(f"{e.group(1)}: {e.group(2)}") if e
                                  else (body[:500] or "(empty body)"))
    return out


def repeated_failure(path: Path, times: int) -> str | None:
    """'Action -> HTTP status Code: message' when one request failed identically `times` times."""
    counts: dict[tuple, int] = {}
    for e in parse_debug_log(path):
        if e["error"]:
            # The same request body: distinct resources failing alike (e.g. the provider's
            # tolerated RevokeSecurityGroupEgress of ::/0 on every new group) do not count.
            key = (e["action"], e["body"], e["status"], e["error"])
            counts[key] = counts.get(key, 0) + 1
            if counts[key] >= times:
                return f"{key[0]} -> HTTP {key[2]} {key[3]} (same request x{counts[key]})"
    return None


def summarize_debug_log(path: Path, limit: int = 20) -> str:
    """The actions a command sent, then each distinct failing request (HTTP >= 400) once,
    with its count, the request body and the server's error."""
    entries = parse_debug_log(path)
    if not entries:
        return ""
    actions = sorted({e["action"] for e in entries})
    lines = [f"{len(entries)} requests; actions: {' '.join(actions)}"]
    groups: dict[tuple, list[dict]] = {}
    for e in entries:
        if e["error"]:
            groups.setdefault((e["action"], e["status"], e["error"]), []).append(e)
    for (action, status, error), items in list(groups.items())[:limit]:
        first = items[0]
        lines.append(f"HTTP {status} x{len(items)} {action} (from {first['resource']}): {error}\n"
                     f"    request: {first['body'][:1500]}")
    return "\n".join(lines)

#!/usr/bin/env python3
"""Run one example scenario end to end against a running localvpc and print what it created and
what DNS answers where.

    python examples/run.py 3                      # the aws CLI form: create, print, check, delete
    python examples/run.py 3 --form boto3
    python examples/run.py 3 --form terraform     # init, apply, outputs, re-plan (no changes), destroy
    python examples/run.py 3 --connectivity tgw   # scenario 3 over a transit gateway instead of peering
    python examples/run.py 4 --keep               # leave everything in place to look at ...
    python examples/run.py 4 --destroy            # ... and delete it later

The server: `localvpc serve --ephemeral --accounts-file examples/accounts.txt` (see
examples/README.md). --endpoint (default $LOCALVPC_ENDPOINT or http://127.0.0.1:4566) points
at it. Only the Python standard library is needed here; the boto3 form needs boto3, the CLI form
the `aws` CLI, the Terraform form `terraform` (the hashicorp/aws provider comes from a local
filesystem mirror when the machine has one, else from the registry).

After the create (and before any delete) run.py asks localvpc's DNS server the scenario's
questions in each view that matters (a VPC's resolver, the inbound endpoint, the internet; see
dnsviews.py) and traces the paths the scenario is for, from its app instance (see paths.py). It
ends with both as tables: view, name, type, answer, plus the trail of one answer (what
`localvpc dns query` prints); then what, from, to, REACHABLE / NOT REACHABLE (codes) and where
the packet went, plus the hops of one trace (what `localvpc trace` prints). Last, the traffic
step (traffic.py): real programs run in the app instance with `localvpc exec` (the binary from
--localvpc, $LOCALVPC_BIN or PATH) and what they met — an HTTP status, and a refusal's
x-localvpc-blocked code.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import dnsviews
import paths
import traffic

HERE = Path(__file__).resolve().parent
PROVIDER = "registry.terraform.io/hashicorp/aws"


def scenario_dir(n: str) -> Path:
    found = sorted(HERE.glob(f"{n}-*/"))
    if len(found) != 1:
        sys.exit(f"no scenario {n!r}; choose one of: {', '.join(p.name for p in sorted(HERE.glob('[0-9]-*/')))}")
    return found[0]


def check_server(endpoint: str) -> None:
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(endpoint.rstrip("/") + "/_localvpc/health", timeout=5) as resp:
            if resp.status == 200:
                return
    except OSError as exc:
        sys.exit(f"localvpc is not answering at {endpoint} ({exc}).\nStart it first: "
                 "localvpc serve --ephemeral --accounts-file examples/accounts.txt")


def run(argv: list[str], env: dict, cwd: Path | None = None, ok=(0,)) -> int:
    print(f"$ {' '.join(argv)}", flush=True)
    code = subprocess.run(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL).returncode
    if ok is not None and code not in ok:
        sys.exit(f"`{' '.join(argv)}` exited {code}")
    return code


# ---------------------------------------------------------------------------------------------
# What it created, and what DNS answers where
# ---------------------------------------------------------------------------------------------

def cli_facts(path: Path) -> dict:
    """cli.sh's state file: KEY=value lines (bash %q quoting) -> {"key": "value"}."""
    facts = {}
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep:
            words = shlex.split(value)
            facts[key.lower()] = words[0] if words else ""
    return facts


class DnsReport:
    """The scenario's DNS questions and traces, asked right after the create; printed at the very end."""

    def __init__(self, endpoint: str, n: str, localvpc: str | None = None):
        self.endpoint, self.n, self.localvpc = endpoint, n, localvpc
        self.facts: dict = {}
        self.lines: list[str] = []

    def ask(self, facts: dict, kept: bool) -> None:
        self.facts = facts
        title = "What DNS answers where" if kept else "What DNS answered where (asked before the delete)"
        try:
            qs = dnsviews.QUESTIONS[self.n](facts)
            answers = dnsviews.ask_all(self.endpoint, qs)
            self.lines = [dnsviews.table(answers, title), dnsviews.why(self.endpoint, qs[dnsviews.FEATURED[self.n]])]
        except (OSError, urllib.error.URLError, KeyError, ValueError) as exc:
            self.lines = [f"{title}: could not ask localvpc's DNS server ({type(exc).__name__}: {exc})"]
        self.lines.append("")
        title = "What the network lets through" if kept else "What the network let through (traced before the delete)"
        if not facts.get("app_instance_id"):
            self.lines.append(f"{title}: nothing to trace from (the form made no app instance; "
                              "the Terraform form launches it only with app_instance = true, see its main.tf)")
            return
        try:
            ps = paths.PATHS[self.n](facts)
            traced = [paths.trace(self.endpoint, p.body) for p in ps]
            featured = paths.FEATURED[self.n]
            self.lines += [paths.table(ps, traced, title), paths.hops(ps[featured], traced[featured])]
        except (OSError, urllib.error.URLError, KeyError, ValueError) as exc:
            self.lines.append(f"{title}: could not trace ({type(exc).__name__}: {exc})")
        self.lines.append("")
        title = "What really gets through" if kept else "What really got through (run before the delete)"
        if not self.localvpc:
            self.lines.append(f"{title}: not run (no localvpc binary: give --localvpc PATH or LOCALVPC_BIN, "
                              "or put localvpc on PATH)")
            return
        try:
            steps = traffic.run(self.n, facts, self.endpoint, self.localvpc)
            self.lines.append(traffic.table(facts["app_instance_id"], steps, title))
        except (OSError, subprocess.SubprocessError, KeyError, ValueError) as exc:
            self.lines.append(f"{title}: could not run ({type(exc).__name__}: {exc})")

    def print(self, label: str) -> None:
        created = {k: v for k, v in self.facts.items()
                   if v not in (None, "", True, False, "yes") and not isinstance(v, (list, dict))}
        print(f"\n== {label}: what it created")
        width = max((len(k) for k in created), default=0)
        for key, value in created.items():
            print(f"  {key:{width}}  {value}")
        print()
        print("\n".join(self.lines), flush=True)


# ---------------------------------------------------------------------------------------------
# Terraform: a working directory per scenario, the provider from a local mirror when there is one
# ---------------------------------------------------------------------------------------------

def find_provider_mirror() -> Path | None:
    """The directory holding registry.terraform.io/hashicorp/aws/<version>/<os_arch>/ with a
    terraform-provider-aws_* binary for this machine, found by a bounded search."""
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine)
    platform = f"{os.uname().sysname.lower()}_{arch}"
    roots = [os.environ.get("TF_PLUGIN_MIRROR"), Path.home() / ".terraform.d" / "plugins",
             Path.home() / ".local" / "share" / "terraform" / "plugins", "/opt", "/usr/local", "/usr/share"]
    seen = 0
    for root in filter(None, roots):
        root = Path(root)
        if not root.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            seen += 1
            if seen > 50_000:
                return None
            dirnames[:] = [d for d in dirnames if d not in {".git", "node_modules", "site-packages", "proc"}]
            if len(Path(dirpath).parts) - len(root.parts) >= 8:
                dirnames[:] = []
            for name in filenames:
                if name.startswith("terraform-provider-aws_") and platform in dirpath:
                    parts = Path(dirpath).parts
                    if "registry.terraform.io" in parts:
                        return Path(*parts[:parts.index("registry.terraform.io")])
    return None


def terraform(sdir: Path, args, endpoint: str, dns: DnsReport) -> int:
    """0 when the second plan had no changes."""
    tf = shutil.which("terraform")
    if not tf:
        sys.exit("terraform is not on PATH")
    work = Path(tempfile.gettempdir()) / "localvpc-examples" / f"{sdir.name}-terraform"
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(sdir / "main.tf", work / "main.tf")
    variables = {"endpoint": endpoint}
    if args.connectivity:
        variables["connectivity"] = args.connectivity
    (work / "terraform.tfvars.json").write_text(json.dumps(variables, indent=2))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    env.update(TF_IN_AUTOMATION="1", TF_INPUT="0", CHECKPOINT_DISABLE="1", AWS_EC2_METADATA_DISABLED="true")
    mirror = find_provider_mirror()
    if mirror:
        rc = work / "terraformrc"
        rc.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path    = {json.dumps(str(mirror))}\n'
                      f'    include = ["{PROVIDER}"]\n  }}\n  direct {{\n    exclude = ["{PROVIDER}"]\n  }}\n}}\n')
        env["TF_CLI_CONFIG_FILE"] = str(rc)
        print(f"hashicorp/aws from the local mirror {mirror}")
    else:
        print("no terraform-provider-aws_* mirror found on this machine: terraform init uses the registry")
    print(f"working directory {work}")

    if args.destroy:
        if (work / "terraform.tfstate").exists():
            run([tf, "init", "-input=false", "-no-color"], env, work)
            run([tf, "destroy", "-auto-approve", "-input=false", "-no-color"], env, work)
        else:
            print("nothing to destroy (no state)")
        return 0
    run([tf, "init", "-input=false", "-no-color"], env, work)
    run([tf, "apply", "-auto-approve", "-input=false", "-no-color"], env, work)
    run([tf, "output", "-no-color"], env, work)
    outputs = subprocess.run([tf, "output", "-json", "-no-color"], env=env, cwd=work, capture_output=True,
                             text=True, stdin=subprocess.DEVNULL)
    facts = {k: v.get("value") for k, v in json.loads(outputs.stdout or "{}").items()} if outputs.returncode == 0 else {}
    dns.ask(facts, kept=args.keep)
    code = run([tf, "plan", "-detailed-exitcode", "-input=false", "-no-color"], env, work, ok=(0, 2))
    print("second plan: no changes" if code == 0 else "second plan: CHANGES PENDING (see above)")
    if not args.keep:
        run([tf, "destroy", "-auto-approve", "-input=false", "-no-color"], env, work)
    else:
        print(f"kept; delete with: python {sys.argv[0]} {args.scenario} --form terraform --destroy")
    return code


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario", help="1, 2, 3 or 4")
    ap.add_argument("--form", choices=("cli", "boto3", "terraform"), default="cli")
    ap.add_argument("--endpoint", default=os.environ.get("LOCALVPC_ENDPOINT", "http://127.0.0.1:4566"))
    ap.add_argument("--connectivity", choices=("peering", "tgw"),
                    help="scenario 3: member VPC reaches the hub by VPC peering (default) or a transit gateway")
    ap.add_argument("--localvpc", help="the localvpc binary that runs the traffic step's programs "
                    "(default: $LOCALVPC_BIN, else localvpc on PATH)")
    ap.add_argument("--keep", action="store_true", help="leave the resources in place")
    ap.add_argument("--destroy", action="store_true", help="delete what an earlier --keep run left")
    args = ap.parse_args()
    sdir = scenario_dir(args.scenario)
    if args.connectivity and not re.match(r"3-", sdir.name):
        sys.exit("--connectivity applies to scenario 3 only")
    check_server(args.endpoint)
    env = dict(os.environ, LOCALVPC_ENDPOINT=args.endpoint)
    if args.connectivity:
        env["CONNECTIVITY"] = args.connectivity
    print(f"== scenario {sdir.name}, {args.form} form, against {args.endpoint}", flush=True)

    n = sdir.name.split("-", 1)[0]
    dns = DnsReport(args.endpoint, n, traffic.find_localvpc(args.localvpc))
    label = f"scenario {sdir.name} ({args.form}{', ' + args.connectivity if args.connectivity else ''})"
    if args.form == "terraform":
        code = terraform(sdir, args, args.endpoint, dns)
        if not args.destroy:
            dns.print(label)
        if code != 0:
            sys.exit("second plan: CHANGES PENDING (see above)")
        return

    # The CLI and boto3 forms keep their ids in a state file: build (keeping everything), ask the
    # DNS questions, then delete unless --keep. A failed build is deleted too (unless --keep).
    if args.form == "cli":
        state = Path(env.get("STATE_FILE") or Path(tempfile.gettempdir()) / f"localvpc-example-{n}-cli.env")
        env["STATE_FILE"] = str(state)
        create = ["bash", str(sdir / "cli.sh")]
        destroy = create + ["destroy"]
        read_facts = cli_facts
    else:
        state = Path(tempfile.gettempdir()) / f"localvpc-example-{n}-boto3.json"
        create = [sys.executable, str(sdir / "boto3_scenario.py"), "--endpoint", args.endpoint,
                  "--state-file", str(state)]
        create += ["--connectivity", args.connectivity] if args.connectivity else []
        destroy = create + ["--destroy"]
        create = create + ["--keep"]
        read_facts = lambda path: json.loads(path.read_text())  # noqa: E731
    if args.destroy:
        run(destroy, env)
        return
    if run(create, env, ok=None) != 0:
        if not args.keep:
            run(destroy, env)
        sys.exit(f"scenario {sdir.name} ({args.form}) failed")
    dns.ask(read_facts(state) if state.exists() else {}, kept=args.keep)
    if args.keep:
        print(f"kept; delete with: python {sys.argv[0]} {args.scenario} --form {args.form} --destroy")
    else:
        run(destroy, env)
    dns.print(label)


if __name__ == "__main__":
    main()

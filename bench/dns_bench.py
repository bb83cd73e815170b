#!/usr/bin/env python3
"""DNS benchmark: dnsperf against localvpc's VPC view and against Unbound serving the same
records as local data, in one run, on this machine, over loopback only.

Run through bench/dns.sh (which installs the tools and builds the release binary). For
each server: a fixed-rate run (latency percentiles from dnsperf -v) and an unthrottled run
(throughput); server CPU time per query from /proc/PID/stat (utime+stime, all threads).
localvpc also gets a fixed-rate run while the API takes writes (a thread upserting and
deleting records in the same private hosted zone), and one with a query-logging
configuration associated with the VPC. Benchmarks are not tests: nothing here fails on a
figure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import boto3
from botocore.config import Config

REGION = "ap-northeast-1"
ZONE = "bench.internal"
SSM = f"ssm.{REGION}.amazonaws.com"
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # After the `(comm)` field: state is fields[0], utime fields[11], stime fields[12].
    return (int(fields[11]) + int(fields[12])) / TICKS


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def client(service: str, endpoint: str):
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION if service != "route53" else "us-east-1",
                        aws_access_key_id="AKIDBENCHDNS", aws_secret_access_key="secret",
                        config=Config(retries={"max_attempts": 1}))


# ---------------------------------------------------------------------------
# localvpc
# ---------------------------------------------------------------------------


class LocalVpc:
    def __init__(self, binary: str, log_dir: Path, query_log_dir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.stderr = open(log_dir / "localvpc-dns.log", "wb")
        self.proc = subprocess.Popen(
            [binary, "serve", "--ephemeral", "--listen", f"127.0.0.1:{self.port}", "--no-default-vpc",
             "--dns-listen", "127.53.0.0/16", "--dns-port", "0", "--query-log-dir", str(query_log_dir),
             "--log", "warn"],
            stdout=subprocess.PIPE, stderr=self.stderr)
        line = self.proc.stdout.readline().decode()
        if not line.startswith("listening on"):
            raise SystemExit(f"localvpc did not start: {line!r}")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def listener(self, vpc: str) -> tuple[str, int]:
        import urllib.request
        with urllib.request.urlopen(self.url + "/_localvpc/dns/listeners") as r:
            for item in json.load(r):
                if item.get("vpc_id") == vpc and item["view"] == "vpc":
                    host, port = item["listen"].rsplit(":", 1)
                    return host, int(port)
        raise SystemExit(f"no listener for {vpc}")


def seed(url: str, records: int) -> dict:
    ec2, r53, resolver = client("ec2", url), client("route53", url), client("route53resolver", url)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"{REGION}{az}")
               ["Subnet"]["SubnetId"] for n, az in ((1, "a"), (2, "c"))]
    endpoint = ec2.create_vpc_endpoint(VpcEndpointType="Interface", VpcId=vpc, SubnetIds=subnets,
                                       ServiceName=f"com.amazonaws.{REGION}.ssm",
                                       PrivateDnsEnabled=True)["VpcEndpoint"]
    enis = ec2.describe_network_interfaces(NetworkInterfaceIds=endpoint["NetworkInterfaceIds"])["NetworkInterfaces"]
    zone = r53.create_hosted_zone(Name=ZONE, CallerReference="bench-dns", VPC={"VPCRegion": REGION, "VPCId": vpc},
                                  HostedZoneConfig={"PrivateZone": True})["HostedZone"]["Id"]
    hosts = {f"host{i}.{ZONE}.": f"10.0.{1 + i // 250 % 200}.{1 + i % 250}" for i in range(records)}
    items = list(hosts.items())
    for start in range(0, len(items), 500):
        changes = [{"Action": "UPSERT", "ResourceRecordSet": {"Name": n, "Type": "A", "TTL": 300,
                                                              "ResourceRecords": [{"Value": ip}]}}
                   for n, ip in items[start:start + 500]]
        r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": changes})
    soa = next(r for r in r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"] if r["Type"] == "SOA")
    return {"vpc": vpc, "zone": zone, "hosts": hosts, "ssm_ips": sorted(e["PrivateIpAddress"] for e in enis),
            "soa": (soa["TTL"], soa["ResourceRecords"][0]["Value"]), "resolver": resolver, "r53": r53}


class Writer(threading.Thread):
    """Keeps the API busy: UPSERT then DELETE of a record in the benchmark's zone.

    Raw HTTP on one keep-alive connection, not boto3: on a 2-core machine boto3's own CPU
    (signing, parsing, about 2 ms a call) competes with dnsperf and the server for the cores,
    and that contention, not the server, set the tail latency. The server routes by the
    credential scope of the Authorization header and does not check signatures, so a
    well-formed header is enough; the body is what boto3 sends."""

    def __init__(self, url: str, zone: str, rate: int | None = None):
        super().__init__(daemon=True)
        self.url = url
        self.zone = zone.rsplit("/", 1)[-1]
        self.rate = rate
        self.stop_flag = threading.Event()
        self.writes = 0
        self.failures = 0

    def body(self, action: str, name: str) -> bytes:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">'
            f"<ChangeBatch><Changes><Change><Action>{action}</Action><ResourceRecordSet>"
            f"<Name>{name}</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord>"
            "<Value>10.0.250.1</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>"
            "</Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>"
        ).encode()

    def run(self):
        import http.client
        import urllib.parse
        target = urllib.parse.urlsplit(self.url)
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        path = f"/2013-04-01/hostedzone/{self.zone}/rrset/"
        headers = {
            "Content-Type": "text/xml",
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDBENCHDNS/20260101/us-east-1/route53/aws4_request, "
                             "SignedHeaders=host, Signature=0",
        }
        n = 0
        start = time.monotonic()
        while not self.stop_flag.is_set():
            name = f"churn{n % 50}.{ZONE}."
            for action in ("UPSERT", "DELETE"):
                if self.rate:
                    # Paced: write k is due at start + k/rate.
                    delay = start + self.writes / self.rate - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                conn.request("POST", path, self.body(action, name), headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    self.failures += 1
                self.writes += 1
            n += 1
        conn.close()


# ---------------------------------------------------------------------------
# Unbound
# ---------------------------------------------------------------------------


class Unbound:
    def __init__(self, workdir: Path, data: dict, threads: int, log_dir: Path):
        self.port = free_port()
        soa_ttl, soa = data["soa"]
        lines = [
            "server:",
            f"  interface: 127.0.0.1@{self.port}",
            "  do-daemonize: no", '  username: ""', '  chroot: ""', f'  directory: "{workdir}"',
            '  pidfile: ""', '  logfile: ""', "  use-syslog: no", "  verbosity: 0",
            f"  num-threads: {threads}", "  so-reuseport: yes",
            "  access-control: 127.0.0.0/8 allow", '  module-config: "iterator"',
            "  do-ip6: no",
            f'  local-zone: "{ZONE}." static',
            f'  local-data: "{ZONE}. {soa_ttl} IN SOA {soa}"',
        ]
        lines += [f'  local-data: "{name} 300 IN A {ip}"' for name, ip in data["hosts"].items()]
        lines += [f'  local-zone: "{SSM}." static']
        lines += [f'  local-data: "{SSM}. 60 IN A {ip}"' for ip in data["ssm_ips"]]
        lines += ["remote-control:", "  control-enable: no"]
        conf = workdir / "unbound.conf"
        conf.write_text("\n".join(lines) + "\n")
        self.stderr = open(log_dir / "unbound.log", "wb")
        self.proc = subprocess.Popen(["unbound", "-d", "-c", str(conf)], stdout=self.stderr, stderr=self.stderr)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"unbound exited; see {log_dir / 'unbound.log'}")
            probe = subprocess.run(["dnsperf", "-s", "127.0.0.1", "-p", str(self.port), "-n", "1", "-t", "1"],
                                   input=f"{ZONE} SOA\n", capture_output=True, text=True)
            if "Queries completed:    1" in probe.stdout:
                return
            time.sleep(0.2)
        raise SystemExit("unbound did not answer within 20 s")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# ---------------------------------------------------------------------------
# dnsperf
# ---------------------------------------------------------------------------


def query_file(path: Path, data: dict) -> None:
    """Every record once, the endpoint's private name every 10th line, a missing name
    (NXDOMAIN) every 20th."""
    out = []
    for i, name in enumerate(data["hosts"]):
        out.append(f"{name} A")
        if i % 10 == 0:
            out.append(f"{SSM} A")
        if i % 20 == 0:
            out.append(f"missing{i}.{ZONE}. A")
    path.write_text("\n".join(out) + "\n")


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = max(1, int(round(p / 100 * len(sorted_values) + 0.5)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def dnsperf(addr: tuple[str, int], pid: int, queries: Path, duration: int, rate: int | None,
            workdir: Path, label: str) -> dict:
    args = ["dnsperf", "-s", addr[0], "-p", str(addr[1]), "-d", str(queries), "-l", str(duration),
            "-c", "4", "-T", "1", "-t", "2"]
    if rate:
        args += ["-Q", str(rate), "-q", "100", "-v"]
    else:
        args += ["-q", "200"]
    out_path = workdir / f"dnsperf-{label}.out"
    cpu0, kids0, wall0 = cpu_seconds(pid), children_cpu(), time.monotonic()
    with open(out_path, "w") as out:
        subprocess.run(args, stdout=out, stderr=subprocess.STDOUT, check=False, timeout=duration + 60)
    cpu1, kids1, wall1 = cpu_seconds(pid), children_cpu(), time.monotonic()
    stats: dict = {"label": label}
    latencies: list[float] = []
    for line in out_path.read_text().splitlines():
        if line.startswith("> "):
            try:
                latencies.append(float(line.rsplit(" ", 1)[1]))
            except ValueError:
                pass
            continue
        line = line.strip()
        for key, field in (("Queries completed:", "completed"), ("Queries lost:", "lost"),
                           ("Queries per second:", "qps"), ("Run time (s):", "run_time")):
            if line.startswith(key):
                stats[field] = float(line[len(key):].split()[0])
        if line.startswith("Response codes:"):
            stats["rcodes"] = line[len("Response codes:"):].strip()
        if line.startswith("Average Latency (s):"):
            stats["avg_latency_ms"] = float(line.split()[3]) * 1000
    latencies.sort()
    completed = stats.get("completed", 0) or 1
    stats["server_cpu_s"] = cpu1 - cpu0
    stats["cpu_us_per_query"] = (cpu1 - cpu0) / completed * 1e6
    stats["server_cores"] = (cpu1 - cpu0) / (wall1 - wall0)
    stats["dnsperf_cores"] = (kids1 - kids0) / (wall1 - wall0)
    if latencies:
        stats["p50_ms"] = percentile(latencies, 50) * 1000
        stats["p99_ms"] = percentile(latencies, 99) * 1000
        stats["p999_ms"] = percentile(latencies, 99.9) * 1000
    if not rate:
        out_path.unlink(missing_ok=True)
    print(f"   {label}: {stats.get('qps', 0):,.0f} q/s, lost {stats.get('lost', 0):.0f}, "
          f"p50 {stats.get('p50_ms', float('nan')):.3f} ms, p99 {stats.get('p99_ms', float('nan')):.3f} ms, "
          f"{stats['cpu_us_per_query']:.1f} µs CPU/query, rcodes {stats.get('rcodes', '?')}", file=sys.stderr)
    return stats


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------


def table(results: dict) -> str:
    lv, ub = results["localvpc"], results["unbound"]
    rows = []

    def row(name, a, b, fmt, ratio=None):
        cell = lambda v: (fmt.format(v) if isinstance(v, (int, float)) and v == v else "n/a")  # noqa: E731
        r = ""
        if ratio and isinstance(a, (int, float)) and isinstance(b, (int, float)) and a and b:
            r = f"{ratio(a, b):.2f}x"
        rows.append(f"{name:<44}{cell(a):>14}{cell(b):>14}{r:>10}")

    rows.append(f"{'':<44}{'localvpc':>14}{'unbound':>14}{'ratio':>10}")
    m, n = lv["max"], ub["max"]
    row("unthrottled: throughput (q/s)", m.get("qps"), n.get("qps"), "{:,.0f}", lambda a, b: a / b)
    row("unthrottled: server CPU per query (µs)", m["cpu_us_per_query"], n["cpu_us_per_query"], "{:.1f}",
        lambda a, b: a / b)
    row("unthrottled: server cores busy", m["server_cores"], n["server_cores"], "{:.2f}")
    row("unthrottled: dnsperf cores busy", m["dnsperf_cores"], n["dnsperf_cores"], "{:.2f}")
    row("unthrottled: average latency (ms)", m.get("avg_latency_ms"), n.get("avg_latency_ms"), "{:.3f}",
        lambda a, b: a / b)
    f, g = lv["fixed"], ub["fixed"]
    rate = results["rate"]
    row(f"{rate} q/s: latency p50 (ms)", f.get("p50_ms"), g.get("p50_ms"), "{:.3f}", lambda a, b: a / b)
    row(f"{rate} q/s: latency p99 (ms)", f.get("p99_ms"), g.get("p99_ms"), "{:.3f}", lambda a, b: a / b)
    row(f"{rate} q/s: latency p99.9 (ms)", f.get("p999_ms"), g.get("p999_ms"), "{:.3f}", lambda a, b: a / b)
    row(f"{rate} q/s: server CPU per query (µs)", f["cpu_us_per_query"], g["cpu_us_per_query"], "{:.1f}",
        lambda a, b: a / b)
    row(f"{rate} q/s: queries lost", f.get("lost"), g.get("lost"), "{:.0f}")
    for key, what in (("writes_paced", f"{results.get('write_rate')} writes/s"), ("writes", "max writes")):
        w = lv.get(key)
        if not w:
            continue
        row(f"{rate} q/s + {what}: p50 (ms)", w.get("p50_ms"), None, "{:.3f}")
        row(f"{rate} q/s + {what}: p99 (ms)", w.get("p99_ms"), None, "{:.3f}")
        row(f"{rate} q/s + {what}: CPU per query (µs)", w["cpu_us_per_query"], None, "{:.1f}")
        row(f"{rate} q/s + {what}: lost", w.get("lost"), None, "{:.0f}")
        row("  API writes during the run (/s)", w["writes_per_s"], None, "{:.0f}")
        row("  server CPU per API write (µs, beyond queries)", w["cpu_us_per_write"], None, "{:,.0f}")
    q = lv.get("query_log")
    if q:
        row(f"{rate} q/s + query log: p50 (ms)", q.get("p50_ms"), None, "{:.3f}")
        row(f"{rate} q/s + query log: p99 (ms)", q.get("p99_ms"), None, "{:.3f}")
        row(f"{rate} q/s + query log: CPU per query (µs)", q["cpu_us_per_query"], None, "{:.1f}")
        row("  log lines written / dropped", q["log_lines"], q["log_dropped"], "{:,.0f}")
    return "\n".join(rows)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--localvpc", default="target/release/localvpc")
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--rate", type=int, default=5000)
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--write-rate", type=int, default=100, help="API writes/s of the paced writes run")
    ap.add_argument("--unbound-threads", type=int, default=2)
    ap.add_argument("--out", default="bench/results/dns-latest.json")
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    results_dir = Path(args.out).parent
    results_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="localvpc-dns-bench-"))
    results: dict = {"label": args.label, "rate": args.rate, "duration_s": args.duration,
                     "write_rate": args.write_rate,
                     "records": args.records, "unbound_threads": args.unbound_threads}

    print(f"== localvpc: seeding a VPC with a {args.records}-record private hosted zone and an SSM "
          f"interface endpoint (private DNS)", file=sys.stderr)
    lv = LocalVpc(args.localvpc, results_dir, work / "query-logs")
    try:
        data = seed(lv.url, args.records)
        addr = lv.listener(data["vpc"])
        queries = work / "queries.txt"
        query_file(queries, data)
        pid = lv.proc.pid
        r = {}
        r["fixed"] = dnsperf(addr, pid, queries, args.duration, args.rate, work, "localvpc-fixed")
        r["max"] = dnsperf(addr, pid, queries, args.duration, None, work, "localvpc-max")
        # Queries while the API takes writes: at a steady rate, then as fast as one raw HTTP
        # client on one connection goes.
        for key, write_rate in (("writes_paced", args.write_rate), ("writes", None)):
            writer = Writer(lv.url, data["zone"], write_rate)
            t0 = time.monotonic()
            writer.start()
            w = dnsperf(addr, pid, queries, args.duration, args.rate, work, f"localvpc-{key}")
            writer.stop_flag.set()
            writer.join(30)
            w["writes_per_s"] = writer.writes / (time.monotonic() - t0)
            w["write_failures"] = writer.failures
            # The server's CPU beyond what the same queries cost without writes, per write.
            extra = w["server_cpu_s"] - r["fixed"]["cpu_us_per_query"] * w.get("completed", 0) / 1e6
            w["cpu_us_per_write"] = max(extra, 0) / max(writer.writes, 1) * 1e6
            r[key] = w
            print(f"   API writes: {w['writes_per_s']:.0f}/s", file=sys.stderr)
        resolver = data["resolver"]
        cfg = resolver.create_resolver_query_log_config(
            Name="bench", CreatorRequestId="bench-dns",
            DestinationArn=f"arn:aws:logs:{REGION}:000000000000:log-group:bench")["ResolverQueryLogConfig"]
        resolver.associate_resolver_query_log_config(ResolverQueryLogConfigId=cfg["Id"], ResourceId=data["vpc"])
        r["query_log"] = dnsperf(addr, pid, queries, args.duration, args.rate, work, "localvpc-query-log")
        time.sleep(0.5)
        import urllib.request
        with urllib.request.urlopen(lv.url + "/_localvpc/dns/query-logs") as resp:
            info = json.load(resp)
        r["query_log"]["log_lines"] = sum(c["written"] for c in info["configs"])
        r["query_log"]["log_dropped"] = info["dropped"]
        results["localvpc"] = r
    finally:
        lv.stop()

    print(f"== unbound ({args.unbound_threads} threads): the same records as local-data", file=sys.stderr)
    ub = Unbound(work, data, args.unbound_threads, results_dir)
    try:
        u = {}
        u["fixed"] = dnsperf(("127.0.0.1", ub.port), ub.proc.pid, queries, args.duration, args.rate, work,
                             "unbound-fixed")
        u["max"] = dnsperf(("127.0.0.1", ub.port), ub.proc.pid, queries, args.duration, None, work,
                           "unbound-max")
        results["unbound"] = u
    finally:
        ub.stop()

    text = table(results)
    print()
    print(f"DNS benchmark {args.label}: {args.records} records, {args.duration} s per run, "
          f"dnsperf -c 4 -T 1, {os.cpu_count()} cores")
    print(text)
    print("ratios: throughput localvpc/unbound; CPU per query and latency localvpc/unbound (lower is better)")
    for run in ("fixed", "max"):
        for server in ("localvpc", "unbound"):
            results[server][run].pop("label", None)
    Path(args.out).write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Data-plane benchmark, every figure against a peer measured in the same run (over loopback):

1. bulk: a SIZE_MIB download by curl from a local process standing behind a PrivateLink
   target (consumer instance -> interface endpoint -> endpoint service -> NLB -> target,
   --map-ip), through `localvpc exec` by HTTP forwarding, a CONNECT tunnel and SOCKS5, against
   the same curl downloading straight from that process;
2. https: keep-alive HTTPS requests (EC2 DescribeVpcs) through an ec2 interface endpoint, the
   proxy ending TLS and answering in-process, against haproxy ending TLS in front of the same
   server's API port; the same client (localvpc-bench https) for both;
3. sessions: RSS growth per open session and per idle proxied tunnel, and new proxied HTTPS
   connections per second (CONNECT, TLS handshake, one request, close);
4. contention: the API's p99 (localvpc-bench https against haproxy -> API) and a VPC DNS
   view's p99 (a fixed-rate query loop) alone and while tunnels carry bulk transfers.

Prints a table and writes bench/results/proxy-latest.json. A benchmark, not a test: nothing
asserts on timings. PHASES=bulk,https,sessions,contention selects phases; CLIENT_THREADS=N gives
the load generator N runtime threads (1 by default) to check that it is not the bottleneck.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / "target" / "release" / "localvpc"
LOADGEN = ROOT / "target" / "release" / "localvpc-bench"
SIZE = int(os.environ.get("SIZE_MIB", "512")) * 1024 * 1024
RUNS = int(os.environ.get("RUNS", "5"))
SECS = int(os.environ.get("DURATION_SECS", "5"))
CONC = int(os.environ.get("CONCURRENCY", "8"))
SESSIONS = int(os.environ.get("SESSIONS", "1000"))
IDLE = int(os.environ.get("IDLE", "500"))
PHASES = set(os.environ.get("PHASES", "bulk,https,sessions,contention").split(","))
REGION = "ap-northeast-1"
TARGET = "10.40.1.10"
EC2_NAME = f"ec2.{REGION}.amazonaws.com"
CHUNK = b"\0" * (1 << 20)
MIB = 1024 * 1024


def backend() -> int:
    """Answers every HTTP request with SIZE bytes, as fast as the socket takes them."""
    srv = socket.create_server(("127.0.0.1", 0), backlog=4096)

    def one(conn):
        with conn:
            buf = b""
            while b"\r\n\r\n" not in buf:
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
            conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {SIZE}\r\nConnection: close\r\n\r\n".encode())
            left = SIZE
            while left > 0:
                n = min(left, len(CHUNK))
                conn.sendall(CHUNK[:n])
                left -= n

    def serve():
        while True:
            conn, _ = srv.accept()
            threading.Thread(target=one, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return srv.getsockname()[1]


def curl_speed(argv: list[str], env=None) -> float:
    """Bytes per second of one download (curl's own measure)."""
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
    if out.returncode != 0:
        raise SystemExit(f"{argv}: {out.returncode} {out.stderr}")
    return float(out.stdout.strip())


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def loadgen(*args: str, timeout: int = 120) -> dict:
    threads = ["--client-threads", os.environ["CLIENT_THREADS"]] if os.environ.get("CLIENT_THREADS") else []
    out = subprocess.run([str(LOADGEN), *threads, *args], capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise SystemExit(f"localvpc-bench {args[0]}: {out.returncode} {out.stderr}")
    return json.loads(out.stdout)


def post_json(url: str, body: dict) -> dict:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Haproxy:
    """haproxy ending TLS (a P-256 certificate for EC2_NAME, as the proxy's leaves) in front of
    `api_port`, and relaying TCP (with splice, as the proxy) to `bulk_port`."""

    def __init__(self, work: Path, api_port: int, bulk_port: int):
        self.port = free_port()
        self.bulk_port = free_port()
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        run = lambda *a: subprocess.run(["openssl", *a], check=True, capture_output=True, timeout=30)
        # A CA and a leaf it signs (webpki refuses a CA certificate as the server's own).
        run("req", "-x509", *ec, "-keyout", str(work / "hca.key"), "-out", str(work / "hca.crt"), "-days", "2",
            "-subj", "/CN=bench CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=keyCertSign")
        run("req", *ec, "-keyout", str(work / "h.key"), "-out", str(work / "h.csr"), "-subj", f"/CN={EC2_NAME}")
        (work / "h.ext").write_text(f"subjectAltName=DNS:{EC2_NAME}\nbasicConstraints=CA:FALSE\n"
                                    "extendedKeyUsage=serverAuth\n")
        run("x509", "-req", "-in", str(work / "h.csr"), "-CA", str(work / "hca.crt"), "-CAkey", str(work / "hca.key"),
            "-CAcreateserial", "-out", str(work / "h.crt"), "-days", "2", "-extfile", str(work / "h.ext"))
        (work / "h.pem").write_bytes((work / "h.crt").read_bytes() + (work / "h.key").read_bytes())
        self.ca = work / "hca.crt"
        cfg = work / "haproxy.cfg"
        cfg.write_text(f"""global
    maxconn 4000
    nbthread 2
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option http-keep-alive
frontend tls
    bind 127.0.0.1:{self.port} ssl crt {work / 'h.pem'} alpn http/1.1
    default_backend api
backend api
    http-reuse always
    server api 127.0.0.1:{api_port}
frontend bulk
    mode tcp
    option splice-auto
    bind 127.0.0.1:{self.bulk_port}
    default_backend bulk
backend bulk
    mode tcp
    server sender 127.0.0.1:{bulk_port}
""")
        self.proc = subprocess.Popen(["haproxy", "-db", "-f", str(cfg)], stdout=subprocess.DEVNULL,
                                     stderr=open(work / "haproxy.log", "wb"))
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("haproxy did not start; see haproxy.log")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def dns_query(name: str) -> bytes:
    head = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.rstrip(".").split(".")) + b"\0"
    return head + q + struct.pack(">HH", 1, 1)


def dns_p99(addr: tuple[str, int], name: str, seconds: float, rate: int = 500) -> dict:
    """Fixed-rate A queries from one UDP socket; latency percentiles in ms."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    q = dns_query(name)
    lat, lost = [], 0
    start = time.perf_counter()
    n = 0
    while time.perf_counter() - start < seconds:
        due = start + n / rate
        now = time.perf_counter()
        if due > now:
            time.sleep(due - now)
        t0 = time.perf_counter()
        s.sendto(q, addr)
        try:
            s.recvfrom(4096)
            lat.append((time.perf_counter() - t0) * 1000)
        except socket.timeout:
            lost += 1
        n += 1
    lat.sort()
    pick = lambda p: lat[min(len(lat) - 1, int(p / 100 * len(lat)))] if lat else float("nan")
    return {"queries": n, "lost": lost, "p50_ms": round(pick(50), 3), "p99_ms": round(pick(99), 3)}


def main() -> None:
    port = backend()
    work = Path(tempfile.mkdtemp(prefix="localvpc-proxy-bench-"))
    server = subprocess.Popen([str(BIN), "serve", "--ephemeral", "--listen", "127.0.0.1:0",
                               "--dns-listen", "127.53.0.0/16", "--dns-port", "0",
                               "--map-ip", f"{TARGET}:8080=127.0.0.1:{port}", "--log", "warn"],
                              stdout=subprocess.PIPE, stderr=open(work / "localvpc.log", "wb"), text=True)
    results: dict = {"label": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "cores": os.cpu_count()}
    haproxy = None
    try:
        line = server.stdout.readline()
        url = re.search(r"http://\S+", line).group(0)
        api_port = int(url.rsplit(":", 1)[1])
        kw = dict(endpoint_url=url, region_name=REGION, aws_access_key_id="AKIDBENCH",
                  aws_secret_access_key="x")
        ec2, elbv2 = boto3.client("ec2", **kw), boto3.client("elbv2", **kw)
        ami = "ami-0abcdef1234567890"
        pvpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
        psub = ec2.create_subnet(VpcId=pvpc, CidrBlock="10.40.1.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
        sg = ec2.create_security_group(GroupName="b", Description="b", VpcId=pvpc)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 8080,
                                                                          "ToPort": 8080, "IpRanges": [{"CidrIp": "10.40.0.0/16"}]}])
        [target] = ec2.run_instances(ImageId=ami, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=psub,
                                     PrivateIpAddress=TARGET, SecurityGroupIds=[sg])["Instances"]
        [lb] = elbv2.create_load_balancer(Name="p", Type="network", Scheme="internal", Subnets=[psub])["LoadBalancers"]
        [tg] = elbv2.create_target_group(Name="t", Protocol="TCP", Port=8080, VpcId=pvpc, TargetType="instance")["TargetGroups"]
        elbv2.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": target["InstanceId"]}])
        elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="TCP", Port=80,
                              DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
        service = ec2.create_vpc_endpoint_service_configuration(NetworkLoadBalancerArns=[lb["LoadBalancerArn"]],
                                                                AcceptanceRequired=False)["ServiceConfiguration"]
        cvpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        ec2.modify_vpc_attribute(VpcId=cvpc, EnableDnsHostnames={"Value": True})
        csub = ec2.create_subnet(VpcId=cvpc, CidrBlock="10.20.1.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
        esg = ec2.create_security_group(GroupName="e", Description="e", VpcId=cvpc)["GroupId"]
        for p in (80, 443):
            ec2.authorize_security_group_ingress(GroupId=esg, IpPermissions=[{"IpProtocol": "tcp", "FromPort": p,
                                                                               "ToPort": p, "IpRanges": [{"CidrIp": "10.20.0.0/16"}]}])
        endpoint = ec2.create_vpc_endpoint(VpcId=cvpc, VpcEndpointType="Interface", ServiceName=service["ServiceName"],
                                           SubnetIds=[csub], SecurityGroupIds=[esg])["VpcEndpoint"]
        name = endpoint["DnsEntries"][0]["DnsName"]
        ec2.create_vpc_endpoint(VpcId=cvpc, VpcEndpointType="Interface", ServiceName=f"com.amazonaws.{REGION}.ec2",
                                SubnetIds=[csub], SecurityGroupIds=[esg], PrivateDnsEnabled=True)
        [client] = ec2.run_instances(ImageId=ami, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                     SubnetId=csub)["Instances"]
        iid = client["InstanceId"]
        env = dict(os.environ, LOCALVPC_ENDPOINT=url)
        session = post_json(f"{url}/_localvpc/sessions", {"instance": iid})
        cred = f"{session['session']}:{session['token']}"
        proxy_addr = session["proxy"].rsplit("@", 1)[1]
        ca = work / "ca.pem"
        with urllib.request.urlopen(f"{url}/_localvpc/ca", timeout=10) as r:
            ca.write_bytes(r.read())

        def tunnel_load(stop: threading.Event):
            curl = ["curl", "-sS", "-o", "/dev/null", "--proxytunnel", "-x", session["proxy"], f"http://{name}/"]
            while not stop.is_set():
                subprocess.run(curl, capture_output=True, timeout=300)

        if shutil.which("haproxy") is None and shutil.which("apt-get") and os.geteuid() == 0:
            subprocess.run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy",
                           shell=True, capture_output=True, timeout=300)
        if shutil.which("haproxy") and shutil.which("openssl"):
            haproxy = Haproxy(work, api_port, port)
        else:
            print("SKIP the haproxy peers: haproxy (Debian package) or openssl cannot be installed")

        if "bulk" in PHASES:
            curl = ["curl", "-sS", "-o", "/dev/null", "-w", "%{speed_download}"]
            exec_ = [str(BIN), "exec", "--instance", iid, "--"]
            ways = {
                "forwarding": exec_ + curl + [f"http://{name}/"],
                "tunnel": exec_ + curl + ["--proxytunnel", f"http://{name}/"],
                "socks5": exec_ + ["sh", "-c", " ".join(curl) + f' -x "$ALL_PROXY" http://{name}/'],
            }
            direct, proxied = [], {k: [] for k in ways}
            cpu = {k: 0.0 for k in ways}
            peer = []
            for _ in range(RUNS):
                direct.append(curl_speed(curl + [f"http://127.0.0.1:{port}/"]))
                if haproxy:
                    peer.append(curl_speed(curl + [f"http://127.0.0.1:{haproxy.bulk_port}/"]))
                for k, argv in ways.items():
                    c0 = cpu_seconds(server.pid)
                    proxied[k].append(curl_speed(argv, env=env))
                    cpu[k] += cpu_seconds(server.pid) - c0
            d = statistics.median(direct)
            gib = RUNS * SIZE / (1 << 30)
            results["bulk"] = {"size_bytes": SIZE, "runs": RUNS, "direct_bytes_per_s": direct,
                               "load_average": os.getloadavg(),
                               **{f"{k}_bytes_per_s": v for k, v in proxied.items()},
                               **{f"{k}_ratio": statistics.median(v) / d for k, v in proxied.items()},
                               **{f"{k}_server_cpu_s_per_gib": c / gib for k, c in cpu.items()}}
            print(f"bulk TCP, {SIZE // MIB} MiB per transfer, median of {RUNS} (curl's speed_download); "
                  f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
            print(f"  direct                              {d / MIB:9.1f} MiB/s")
            if peer:
                h = statistics.median(peer)
                results["bulk"]["haproxy_tcp_bytes_per_s"] = peer
                results["bulk"]["haproxy_tcp_ratio"] = h / d
                print(f"  through haproxy (TCP, splice-auto)  {h / MIB:9.1f} MiB/s  {h / d:5.2f}x  (a peer relay)")
            for k, v in proxied.items():
                p = statistics.median(v)
                print(f"  exec + PrivateLink, {k:<15} {p / MIB:9.1f} MiB/s  {p / d:5.2f}x  (aim >= 0.8)"
                      f"  localvpc CPU {1000 * cpu[k] / gib:6.0f} ms/GiB")


        common = ["--name", EC2_NAME, "--concurrency", str(CONC), "--duration-secs", str(SECS)]
        if "https" in PHASES and haproxy:
            runs = {"proxy": [], "haproxy": []}
            for _ in range(max(1, RUNS // 2)):
                runs["proxy"].append(loadgen("https", "--connect", proxy_addr, "--proxy-credential", cred,
                                             "--ca", str(ca), *common))
                runs["haproxy"].append(loadgen("https", "--connect", f"127.0.0.1:{haproxy.port}",
                                               "--ca", str(haproxy.ca), *common))
            if any(r["errors"] for v in runs.values() for r in v):
                print("  errors:", {k: [r["first_error"] for r in v] for k, v in runs.items()})
            med = {k: {m: statistics.median(r[m] for r in v) for m in ("requests_per_s", "p50_ms", "p99_ms")}
                   for k, v in runs.items()}
            errors = {k: sum(r["errors"] for r in v) for k, v in runs.items()}
            results["https"] = {"runs": runs, "median": med, "errors": errors,
                                "rps_ratio": med["proxy"]["requests_per_s"] / med["haproxy"]["requests_per_s"],
                                "p99_ratio": med["proxy"]["p99_ms"] / med["haproxy"]["p99_ms"]}
            print(f"HTTPS DescribeVpcs, keep-alive, {CONC} connections, {SECS} s, median of {len(runs['proxy'])}")
            for k in ("proxy", "haproxy"):
                m = med[k]
                print(f"  {k:<8} {m['requests_per_s']:9.0f} req/s  p50 {m['p50_ms']:6.3f} ms  p99 {m['p99_ms']:6.3f} ms"
                      f"  errors {errors[k]}  body {runs[k][0]['body_bytes_per_response']} B")
            print(f"  ratio    {results['https']['rps_ratio']:.2f}x req/s (aim >= 1.0), "
                  f"p99 {results['https']['p99_ratio']:.2f}x of haproxy's")

        if "sessions" in PHASES:
            pid = server.pid
            time.sleep(0.5)
            before = rss_kib(pid)
            for _ in range(SESSIONS):
                post_json(f"{url}/_localvpc/sessions", {"instance": iid})
            time.sleep(0.5)
            after_sessions = rss_kib(pid)
            # Idle CONNECT tunnels through PrivateLink (a backend connection each).
            idle = subprocess.Popen([str(LOADGEN), "idle", "--connect", proxy_addr, "--proxy-credential", cred,
                                     "--ca", str(ca), "--name", name, "--port", "80", "--count", str(IDLE), "--hold-secs", "20"],
                                    stdout=subprocess.PIPE, text=True)
            ready = idle.stdout.readline()
            time.sleep(0.5)
            after_idle = rss_kib(pid)
            idle.terminate()
            idle.wait(10)
            rate = loadgen("connect-rate", "--connect", proxy_addr, "--proxy-credential", cred, "--ca", str(ca),
                           *common)
            peer_rate = loadgen("connect-rate", "--connect", f"127.0.0.1:{haproxy.port}", "--ca", str(haproxy.ca),
                                *common) if haproxy else None
            results["sessions"] = {
                "sessions": SESSIONS, "rss_kib_before": before, "rss_kib_after_sessions": after_sessions,
                "bytes_per_session": (after_sessions - before) * 1024 / SESSIONS,
                "idle_ready": ready.strip(), "idle": IDLE, "rss_kib_after_idle": after_idle,
                "bytes_per_idle_tunnel": (after_idle - after_sessions) * 1024 / IDLE,
                "connect_rate": rate, "haproxy_connect_rate": peer_rate}
            s = results["sessions"]
            print(f"sessions and connections (RSS of the localvpc process)")
            print(f"  per session          {s['bytes_per_session'] / 1024:8.2f} KiB  ({SESSIONS} sessions)")
            print(f"  per idle tunnel      {s['bytes_per_idle_tunnel'] / 1024:8.2f} KiB  ({ready.strip()})")
            print(f"  new HTTPS connections through the proxy {rate['connections_per_s']:8.0f}/s p50 {rate['p50_ms']} ms "
                  f"(p99 {rate['p99_ms']} ms, errors {rate['errors']})"
                  + (f"; straight to haproxy {peer_rate['connections_per_s']:.0f}/s "
                     f"({rate['connections_per_s'] / peer_rate['connections_per_s']:.2f}x)" if peer_rate else ""))

        if "contention" in PHASES and haproxy:
            with urllib.request.urlopen(f"{url}/_localvpc/dns/listeners", timeout=10) as r:
                listeners = json.load(r)
            dns = next((i["listen"] for i in listeners if i.get("vpc_id") == cvpc and i["view"] == "vpc"), None)
            dns_addr = (dns.rsplit(":", 1)[0], int(dns.rsplit(":", 1)[1])) if dns else None
            api_args = ["https", "--connect", f"127.0.0.1:{haproxy.port}", "--ca", str(haproxy.ca), *common]

            def measure() -> dict:
                out: dict = {}
                t = threading.Thread(target=lambda: out.setdefault("dns", dns_p99(dns_addr, EC2_NAME, SECS)))
                if dns_addr:
                    t.start()
                out["api"] = loadgen(*api_args)
                if dns_addr:
                    t.join()
                return out

            quiet = measure()
            stop = threading.Event()
            loaders = [threading.Thread(target=tunnel_load, args=(stop,)) for _ in range(2)]
            for t in loaders:
                t.start()
            time.sleep(1)
            busy = measure()
            stop.set()
            for t in loaders:
                t.join()
            results["contention"] = {"quiet": quiet, "busy": busy}
            print("API and DNS while two tunnels carry bulk transfers (API through haproxy, as above)")
            print(f"  API p99 {quiet['api']['p99_ms']:.3f} ms quiet, {busy['api']['p99_ms']:.3f} ms busy "
                  f"({busy['api']['p99_ms'] / quiet['api']['p99_ms']:.2f}x); "
                  f"req/s {quiet['api']['requests_per_s']:.0f} vs {busy['api']['requests_per_s']:.0f}")
            if dns_addr:
                print(f"  DNS p99 {quiet['dns']['p99_ms']:.3f} ms quiet, {busy['dns']['p99_ms']:.3f} ms busy "
                      f"({busy['dns']['p99_ms'] / quiet['dns']['p99_ms']:.2f}x), 500 q/s")

        out = ROOT / "bench" / "results"
        out.mkdir(parents=True, exist_ok=True)
        (out / "proxy-latest.json").write_text(json.dumps(results, indent=2))
    finally:
        if haproxy:
            haproxy.stop()
        server.terminate()
        server.wait(15)
        if os.environ.get("KEEP_WORK") != "1":
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

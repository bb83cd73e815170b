"""Data-plane benchmark: bulk TCP through `localvpc exec` — consumer instance → interface
endpoint → PrivateLink → NLB → target (a real local process via --map-ip) — against the same
transfer made directly, in the same run, over loopback. Prints the table and writes
bench/results/proxy-latest.json. A benchmark, not a test: nothing asserts on timings."""

from __future__ import annotations

import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / "target" / "release" / "localvpc"
SIZE = int(os.environ.get("SIZE_MIB", "512")) * 1024 * 1024
RUNS = int(os.environ.get("RUNS", "5"))
REGION = "ap-northeast-1"
TARGET = "10.40.1.10"
CHUNK = b"\0" * (1 << 20)


def backend() -> int:
    """Answers every HTTP request with SIZE bytes, as fast as the socket takes them."""
    srv = socket.create_server(("127.0.0.1", 0))

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


def main() -> None:
    port = backend()
    server = subprocess.Popen([str(BIN), "serve", "--ephemeral", "--listen", "127.0.0.1:0",
                               "--dns-listen", "off", "--map-ip", f"{TARGET}:8080=127.0.0.1:{port}",
                               "--log", "warn"], stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        url = re.search(r"http://\S+", line).group(0)
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
        csub = ec2.create_subnet(VpcId=cvpc, CidrBlock="10.20.1.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
        esg = ec2.create_security_group(GroupName="e", Description="e", VpcId=cvpc)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=esg, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 80,
                                                                           "ToPort": 80, "IpRanges": [{"CidrIp": "10.20.0.0/16"}]}])
        endpoint = ec2.create_vpc_endpoint(VpcId=cvpc, VpcEndpointType="Interface", ServiceName=service["ServiceName"],
                                           SubnetIds=[csub], SecurityGroupIds=[esg])["VpcEndpoint"]
        name = endpoint["DnsEntries"][0]["DnsName"]
        [client] = ec2.run_instances(ImageId=ami, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                     SubnetId=csub)["Instances"]
        curl = ["curl", "-sS", "-o", "/dev/null", "-w", "%{speed_download}"]
        # TUNNEL=1: through a CONNECT tunnel (bytes copied as they are) instead of HTTP forwarding.
        tunnel = ["--proxytunnel"] if os.environ.get("TUNNEL") == "1" else []
        env = dict(os.environ, LOCALVPC_ENDPOINT=url)
        direct, proxied = [], []
        for _ in range(RUNS):
            direct.append(curl_speed(curl + [f"http://127.0.0.1:{port}/"]))
            proxied.append(curl_speed([str(BIN), "exec", "--instance", client["InstanceId"], "--"] + curl
                                      + tunnel + [f"http://{name}/"], env=env))
        d, p = statistics.median(direct), statistics.median(proxied)
        mib = 1024 * 1024
        how = "a CONNECT tunnel" if tunnel else "HTTP forwarding"
        print(f"bulk TCP, {SIZE // mib} MiB per transfer through {how}, median of {RUNS} (curl's speed_download)")
        print(f"  direct                        {d / mib:9.1f} MiB/s")
        print(f"  through exec + PrivateLink    {p / mib:9.1f} MiB/s")
        print(f"  ratio (aim >= 0.8)            {p / d:9.2f}x")
        out = ROOT / "bench" / "results"
        out.mkdir(parents=True, exist_ok=True)
        (out / "proxy-latest.json").write_text(json.dumps({
            "label": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "size_bytes": SIZE, "runs": RUNS,
            "direct_bytes_per_s": direct, "proxied_bytes_per_s": proxied, "ratio": p / d}, indent=2))
    finally:
        server.terminate()
        server.wait(15)


if __name__ == "__main__":
    sys.exit(main())

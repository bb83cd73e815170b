"""Persistence: graceful restarts, kill -9 during concurrent writes, --ephemeral."""

import ipaddress
import os
import signal
import threading
import time

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from helpers import ALPHA_ACCOUNT, ALPHA_KEY, default_vpc, new_ec2_client, tag_spec

pytestmark = pytest.mark.spawns


def snapshot(ec2):
    """Everything a client can see in one account+region, minus volatile metadata."""
    vpcs = sorted(ec2.describe_vpcs()["Vpcs"], key=lambda v: v["VpcId"])
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["SubnetId"])
    tags = sorted((t["ResourceId"], t["Key"], t["Value"]) for t in ec2.describe_tags()["Tags"])
    attrs = {}
    for v in vpcs:
        for name in ("enableDnsSupport", "enableDnsHostnames"):
            r = ec2.describe_vpc_attribute(VpcId=v["VpcId"], Attribute=name)
            attrs[(v["VpcId"], name)] = r[name[0].upper() + name[1:]]["Value"]
    for v in vpcs:
        v["CidrBlockAssociationSet"] = sorted(v["CidrBlockAssociationSet"], key=lambda a: a["CidrBlock"])
        v["Tags"] = sorted(v.get("Tags", []), key=lambda t: t["Key"])
    for s in subnets:
        s["Tags"] = sorted(s.get("Tags", []), key=lambda t: t["Key"])
    return {"vpcs": vpcs, "subnets": subnets, "tags": tags, "attrs": attrs}


def test_state_survives_sigterm_restart(spawn_server, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    srv = spawn_server(data_dir=data, accounts={ALPHA_KEY: ALPHA_ACCOUNT})
    ec2 = new_ec2_client(srv.url)
    alpha_use1 = new_ec2_client(srv.url, access_key=ALPHA_KEY, region="us-east-1")

    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=tag_spec("vpc", Name="keep"))["Vpc"]["VpcId"]
    ec2.associate_vpc_cidr_block(VpcId=vpc, CidrBlock="10.1.0.0/16")
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    sub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.4.0/22", AvailabilityZoneId="apne1-az2")["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=sub, MapPublicIpOnLaunch={"Value": True})
    ec2.create_tags(Resources=[sub], Tags=[{"Key": "Tier", "Value": "web"}])
    doomed = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.9.0/24")["Subnet"]["SubnetId"]
    ec2.delete_subnet(SubnetId=doomed)
    alpha_vpc = alpha_use1.create_vpc(CidrBlock="192.168.0.0/20")["Vpc"]["VpcId"]

    before = snapshot(ec2)
    before_alpha = snapshot(alpha_use1)
    assert srv.terminate(signal.SIGTERM) == 0, srv.stderr_tail()

    srv.start()
    ec2 = new_ec2_client(srv.url)
    alpha_use1 = new_ec2_client(srv.url, access_key=ALPHA_KEY, region="us-east-1")
    after = snapshot(ec2)
    assert after == before
    assert snapshot(alpha_use1) == before_alpha
    assert alpha_use1.describe_vpcs(VpcIds=[alpha_vpc])["Vpcs"][0]["OwnerId"] == ALPHA_ACCOUNT
    assert doomed not in {s["SubnetId"] for s in after["subnets"]}

    # Writes after the restart persist as well, and ids keep being unique.
    ec2.delete_subnet(SubnetId=sub)
    new_sub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    assert new_sub not in {s["SubnetId"] for s in before["subnets"]}
    before2 = snapshot(ec2)
    assert srv.terminate(signal.SIGTERM) == 0
    srv.start()
    assert snapshot(new_ec2_client(srv.url)) == before2


def test_sigint_is_graceful_and_durable(spawn_server, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    srv = spawn_server(data_dir=data)
    ec2 = new_ec2_client(srv.url)
    vpc = ec2.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    assert srv.terminate(signal.SIGINT) == 0, srv.stderr_tail()
    srv.start()
    assert new_ec2_client(srv.url).describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["CidrBlock"] == "10.3.0.0/16"


def test_default_vpc_identity_survives_restart(spawn_server, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    srv = spawn_server(data_dir=data)
    dvpc = default_vpc(new_ec2_client(srv.url))["VpcId"]
    assert srv.terminate() == 0
    srv.start()
    assert default_vpc(new_ec2_client(srv.url))["VpcId"] == dvpc


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_stop_during_concurrent_writes_loses_no_acknowledged_write(spawn_server, tmp_path, sig):
    """Four writers (one region each) create subnets and tag them; the server is stopped
    in the middle. Every write that got a 200 must be there after a restart."""
    data = tmp_path / "data"
    data.mkdir()
    srv = spawn_server(data_dir=data)
    regions = ["ap-northeast-1", "us-east-1", "us-west-2", "eu-west-1"]
    vpcs = {}
    for region in regions:
        vpcs[region] = new_ec2_client(srv.url, region=region).create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]

    per_thread_cap = 150  # stays under the 200-subnets-per-VPC quota
    acked_subnets: dict[str, dict[str, str]] = {r: {} for r in regions}  # region -> id -> cidr
    acked_tags: dict[str, dict[str, str]] = {r: {} for r in regions}  # region -> id -> tag value
    attempted: dict[str, set[str]] = {r: set() for r in regions}
    lock = threading.Lock()
    stop = threading.Event()
    failures_before_kill: list[str] = []
    killed = threading.Event()

    def writer(region):
        ec2 = new_ec2_client(srv.url, region=region, read_timeout=10, guard=False)
        net = ipaddress.ip_network("10.0.0.0/16")
        for i, cidr in enumerate(net.subnets(new_prefix=28)):
            if stop.is_set() or i >= per_thread_cap:
                return
            cidr = str(cidr)
            attempted[region].add(cidr)
            try:
                sid = ec2.create_subnet(VpcId=vpcs[region], CidrBlock=cidr)["Subnet"]["SubnetId"]
            except (ClientError, BotoCoreError, OSError) as exc:
                if not killed.is_set():
                    failures_before_kill.append(f"{region} {cidr}: {exc}")
                return
            with lock:
                acked_subnets[region][sid] = cidr
            try:
                ec2.create_tags(Resources=[sid], Tags=[{"Key": "seq", "Value": str(i)}])
            except (ClientError, BotoCoreError, OSError) as exc:
                if not killed.is_set():
                    failures_before_kill.append(f"{region} tag {sid}: {exc}")
                return
            with lock:
                acked_tags[region][sid] = str(i)

    threads = [threading.Thread(target=writer, args=(r,), daemon=True) for r in regions]
    for t in threads:
        t.start()

    def acked_count():
        with lock:
            return sum(len(v) for v in acked_subnets.values())

    deadline = time.monotonic() + 60
    while acked_count() < 200 and time.monotonic() < deadline and any(t.is_alive() for t in threads):
        time.sleep(0.005)
    assert any(t.is_alive() for t in threads), "writers finished before the kill; nothing was in flight"
    killed.set()
    os.kill(srv.pid, sig)
    code = srv.proc.wait(30)
    stop.set()
    for t in threads:
        t.join(30)
    assert not failures_before_kill, failures_before_kill[:5]
    total = acked_count()
    assert total >= 200, f"only {total} acknowledged writes before the kill"
    if sig == signal.SIGTERM:
        assert code == 0, f"SIGTERM during writes must still exit 0, got {code}\n{srv.stderr_tail()}"

    srv.start()
    for region in regions:
        ec2 = new_ec2_client(srv.url, region=region)
        found = {s["SubnetId"]: s for s in ec2.describe_subnets(
            Filters=[{"Name": "vpc-id", "Values": [vpcs[region]]}])["Subnets"]}
        missing = set(acked_subnets[region]) - set(found)
        assert not missing, f"{region}: {len(missing)} acknowledged subnets lost after kill -9: {sorted(missing)[:5]}"
        for sid, cidr in acked_subnets[region].items():
            assert found[sid]["CidrBlock"] == cidr
        for sid, value in acked_tags[region].items():
            tags = {t["Key"]: t["Value"] for t in found[sid].get("Tags", [])}
            assert tags.get("seq") == value, f"{region}: acknowledged tag on {sid} lost"
        # No phantom writes: anything present was attempted, and CIDRs are unique.
        cidrs = [s["CidrBlock"] for s in found.values()]
        assert len(cidrs) == len(set(cidrs))
        assert set(cidrs) <= attempted[region]
    # The store is writable again after recovery.
    ec2 = new_ec2_client(srv.url)
    ec2.create_subnet(VpcId=vpcs["ap-northeast-1"], CidrBlock="10.0.255.0/24")
    assert srv.terminate() == 0


def test_ephemeral_writes_nothing(spawn_server, tmp_path):
    home, xdg, cwd, tmp = (tmp_path / n for n in ("home", "xdg", "cwd", "tmp"))
    for d in (home, xdg, cwd, tmp):
        d.mkdir()
    env = {
        "HOME": str(home),
        "XDG_DATA_HOME": str(xdg / "data"),
        "XDG_STATE_HOME": str(xdg / "state"),
        "XDG_CACHE_HOME": str(xdg / "cache"),
        "XDG_CONFIG_HOME": str(xdg / "config"),
        "TMPDIR": str(tmp),
    }
    srv = spawn_server(ephemeral=True, env=env, cwd=cwd)
    ec2 = new_ec2_client(srv.url)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "a", "Value": "b"}])
    assert srv.terminate() == 0
    written = [str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()
               or (p.is_dir() and p not in (home, xdg, cwd, tmp))]
    assert written == [], f"--ephemeral wrote files: {written[:20]}"

    # And nothing survives a restart.
    srv.start()
    ec2 = new_ec2_client(srv.url)
    expect = [v for v in ec2.describe_vpcs()["Vpcs"] if v["VpcId"] == vpc]
    assert expect == []
    assert [v["IsDefault"] for v in ec2.describe_vpcs()["Vpcs"]] == [True]

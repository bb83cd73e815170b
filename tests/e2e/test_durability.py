"""Persistence: graceful restarts (VPCs, subnets, tags; security groups, route tables,
internet gateways), kill -9 during concurrent writes, --ephemeral."""

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
    scr = ec2.create_subnet_cidr_reservation(
        SubnetId=sub, Cidr="10.1.4.16/28", ReservationType="explicit", Description="appliances",
        TagSpecifications=tag_spec("subnet-cidr-reservation", Name="keep"))["SubnetCidrReservation"]

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
    # Subnet CIDR reservations are stored like every other kind.
    got = ec2.get_subnet_cidr_reservations(SubnetId=sub)
    assert got["SubnetIpv4CidrReservations"] == [scr]

    # Writes after the restart persist as well, and ids keep being unique.
    ec2.delete_subnet(SubnetId=sub)
    new_sub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    assert new_sub not in {s["SubnetId"] for s in before["subnets"]}
    before2 = snapshot(ec2)
    assert srv.terminate(signal.SIGTERM) == 0
    srv.start()
    assert snapshot(new_ec2_client(srv.url)) == before2


def network_snapshot(ec2):
    """Security groups with their rules, route tables, routes, associations and internet
    gateways, in a stable order."""
    groups = sorted(ec2.describe_security_groups()["SecurityGroups"], key=lambda g: g["GroupId"])
    for g in groups:
        for direction in ("IpPermissions", "IpPermissionsEgress"):
            perms = []
            for p in g[direction]:
                p = dict(p)
                for k in ("IpRanges", "Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs"):
                    p[k] = sorted(p.get(k, []), key=repr)
                perms.append(p)
            g[direction] = sorted(perms, key=repr)
        g["Tags"] = sorted(g.get("Tags", []), key=lambda t: t["Key"])
    rules = sorted(ec2.describe_security_group_rules()["SecurityGroupRules"], key=lambda r: r["SecurityGroupRuleId"])
    tables = sorted(ec2.describe_route_tables()["RouteTables"], key=lambda t: t["RouteTableId"])
    for t in tables:
        t["Routes"] = sorted(t["Routes"], key=repr)
        t["Associations"] = sorted(t["Associations"], key=lambda a: a["RouteTableAssociationId"])
        t["Tags"] = sorted(t.get("Tags", []), key=lambda x: x["Key"])
    gateways = sorted(ec2.describe_internet_gateways()["InternetGateways"], key=lambda g: g["InternetGatewayId"])
    return {"groups": groups, "rules": rules, "tables": tables, "gateways": gateways}


def test_network_state_survives_restart(spawn_server, tmp_path):
    """Security group rules (with their ids), route tables, routes, associations (the main one
    moved), blackholes and internet gateway attachments survive a graceful restart."""
    data = tmp_path / "data"
    data.mkdir()
    srv = spawn_server(data_dir=data)
    ec2 = new_ec2_client(srv.url)

    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    sub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    web = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc,
                                    TagSpecifications=tag_spec("security-group", Tier="web"))["GroupId"]
    app = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "vpc"}], "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/32"}]},
        {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ec2.authorize_security_group_ingress(GroupId=app, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": web}]}])
    ec2.revoke_security_group_egress(GroupId=app, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ec2.authorize_security_group_egress(GroupId=app, IpPermissions=[
        {"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "IpRanges": [{"CidrIp": "10.0.0.2/32"}]}])

    igw = ec2.create_internet_gateway(TagSpecifications=tag_spec("internet-gateway", Name="edge"))[
        "InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    spare = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]  # never attached
    public = ec2.create_route_table(VpcId=vpc, TagSpecifications=tag_spec("route-table", Name="public"))[
        "RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.create_route(RouteTableId=public, DestinationCidrBlock="198.51.100.0/24", GatewayId=igw)
    assoc = ec2.associate_route_table(RouteTableId=public, SubnetId=sub)["AssociationId"]
    # Move the main association to a new table.
    new_main = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    main_assoc = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                    {"Name": "association.main", "Values": ["true"]}])[
        "RouteTables"][0]["Associations"][0]["RouteTableAssociationId"]
    ec2.replace_route_table_association(AssociationId=main_assoc, RouteTableId=new_main)
    # A second VPC whose gateway was detached: its route is a blackhole.
    vpc2 = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    igw2 = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw2, VpcId=vpc2)
    rt2 = ec2.create_route_table(VpcId=vpc2)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rt2, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw2)
    ec2.detach_internet_gateway(InternetGatewayId=igw2, VpcId=vpc2)
    # Deleted things stay deleted.
    gone_sg = ec2.create_security_group(GroupName="gone", Description="x", VpcId=vpc)["GroupId"]
    ec2.delete_security_group(GroupId=gone_sg)

    before = network_snapshot(ec2)
    assert srv.terminate(signal.SIGTERM) == 0, srv.stderr_tail()
    srv.start()
    ec2 = new_ec2_client(srv.url)
    after = network_snapshot(ec2)
    assert after == before

    # Spot checks of what the snapshot covers.
    tables = {t["RouteTableId"]: t for t in after["tables"]}
    assert {(r["DestinationCidrBlock"], r["GatewayId"], r["State"]) for r in tables[public]["Routes"]} == {
        ("10.0.0.0/16", "local", "active"), ("0.0.0.0/0", igw, "active"), ("198.51.100.0/24", igw, "active")}
    assert [(a["SubnetId"], a["RouteTableAssociationId"]) for a in tables[public]["Associations"]] == [(sub, assoc)]
    assert [a["Main"] for a in tables[new_main]["Associations"]] == [True]
    assert [r["State"] for r in tables[rt2]["Routes"] if r["DestinationCidrBlock"] == "0.0.0.0/0"] == ["blackhole"]
    gateways = {g["InternetGatewayId"]: g for g in after["gateways"]}
    assert gateways[igw]["Attachments"] == [{"State": "available", "VpcId": vpc}]
    assert gateways[spare]["Attachments"] == [] and gateways[igw2]["Attachments"] == []
    assert gone_sg not in {g["GroupId"] for g in after["groups"]}

    # The restored state still enforces its rules...
    for call, kwargs in [
        (ec2.delete_security_group, {"GroupId": web}),         # referenced by app
        (ec2.delete_internet_gateway, {"InternetGatewayId": igw}),  # attached
        (ec2.delete_route_table, {"RouteTableId": public}),    # associated
        (ec2.delete_vpc, {"VpcId": vpc}),
    ]:
        try:
            call(**kwargs)
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "DependencyViolation", exc.response["Error"]
        else:
            raise AssertionError(f"{call.__name__}({kwargs}) succeeded after the restart")
    try:
        ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "InvalidPermission.Duplicate"
    else:
        raise AssertionError("a duplicate rule was accepted after the restart")

    # ...and takes new writes, which persist too.
    ec2.revoke_security_group_ingress(GroupId=app, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": web}]}])
    ec2.delete_route(RouteTableId=public, DestinationCidrBlock="198.51.100.0/24")
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.attach_internet_gateway(InternetGatewayId=igw2, VpcId=vpc2)
    new_rules = {r["SecurityGroupRuleId"] for r in ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "192.0.2.0/24"}]}])[
        "SecurityGroupRules"]}
    assert not new_rules & {r["SecurityGroupRuleId"] for r in before["rules"]}
    before2 = network_snapshot(ec2)
    assert srv.terminate(signal.SIGTERM) == 0
    srv.start()
    after2 = network_snapshot(new_ec2_client(srv.url))
    assert after2 == before2
    tables2 = {t["RouteTableId"]: t for t in after2["tables"]}
    assert [r["State"] for r in tables2[rt2]["Routes"] if r["DestinationCidrBlock"] == "0.0.0.0/0"] == ["active"]
    assert [r["State"] for r in tables2[public]["Routes"] if r["DestinationCidrBlock"] == "0.0.0.0/0"] == [
        "blackhole"]


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

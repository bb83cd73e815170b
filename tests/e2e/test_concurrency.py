"""Concurrent writers: overlapping CIDR races have exactly one winner."""

import ipaddress
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from helpers import new_ec2_client

THREADS = 16


def race(endpoint, vpc_id, cidrs, region="ap-northeast-1"):
    """Fire one CreateSubnet per CIDR at the same moment; return (winners, error codes)."""
    clients = [new_ec2_client(endpoint, region=region) for _ in cidrs]
    barrier = threading.Barrier(len(cidrs))

    def attempt(i):
        barrier.wait(timeout=30)
        try:
            sub = clients[i].create_subnet(VpcId=vpc_id, CidrBlock=cidrs[i])["Subnet"]
            return ("ok", sub["SubnetId"], sub["CidrBlock"])
        except ClientError as exc:
            return ("err", exc.response["Error"]["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"])

    with ThreadPoolExecutor(max_workers=len(cidrs)) as pool:
        results = list(pool.map(attempt, range(len(cidrs))))
    winners = [r for r in results if r[0] == "ok"]
    errors = [r for r in results if r[0] == "err"]
    return winners, errors


@pytest.mark.parametrize("round_", range(5))
def test_identical_cidr_race_has_one_winner(endpoint, ec2, round_):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    cidr = f"10.0.{round_}.0/24"
    winners, errors = race(endpoint, vpc_id, [cidr] * THREADS)
    assert len(winners) == 1, winners
    assert all(code == "InvalidSubnet.Conflict" and status == 400 for _, code, status in errors), errors
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    assert [(s["SubnetId"], s["CidrBlock"]) for s in subnets] == [(winners[0][1], cidr)]


@pytest.mark.parametrize("round_", range(3))
def test_nested_overlapping_cidrs_race_has_one_winner(endpoint, ec2, round_):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    # Every pair overlaps: all blocks contain 10.0.16.0 (or sit inside 10.0.16.0/20).
    cidrs = ["10.0.16.0/20", "10.0.16.0/21", "10.0.16.0/22", "10.0.16.0/23", "10.0.16.0/24", "10.0.16.0/25",
             "10.0.16.0/26", "10.0.16.0/27", "10.0.16.0/28", "10.0.16.16/28", "10.0.17.0/24", "10.0.20.0/22",
             "10.0.24.0/21", "10.0.16.128/25", "10.0.31.240/28", "10.0.16.0/20"]
    assert len(cidrs) == THREADS
    cidrs = cidrs[round_:] + cidrs[:round_]
    winners, errors = race(endpoint, vpc_id, cidrs)
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    # /20 overlaps everything, but the smaller ones are pairwise overlapping only through
    # containment chains; check the invariant that matters: no two stored subnets overlap,
    # every refusal is InvalidSubnet.Conflict, and every success is stored.
    nets = [ipaddress.ip_network(s["CidrBlock"]) for s in subnets]
    for i, a in enumerate(nets):
        for b in nets[i + 1:]:
            assert not a.overlaps(b), (a, b)
    assert sorted(w[1] for w in winners) == sorted(s["SubnetId"] for s in subnets)
    assert all(code == "InvalidSubnet.Conflict" and status == 400 for _, code, status in errors), errors
    assert len(winners) + len(errors) == THREADS


def test_all_pairwise_overlapping_race_has_exactly_one_winner(endpoint, ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    # Every block contains 10.0.32.0, so every pair overlaps and exactly one may win.
    cidrs = [f"10.0.32.0/{p}" for p in range(16, 29)] + ["10.0.32.0/24", "10.0.32.0/20", "10.0.32.0/28"]
    assert len(cidrs) == THREADS
    winners, errors = race(endpoint, vpc_id, cidrs)
    assert len(winners) == 1, winners
    assert all(code == "InvalidSubnet.Conflict" for _, code, _ in errors), errors


def test_disjoint_concurrent_creates_all_succeed(endpoint, ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    cidrs = [f"10.0.{i}.0/24" for i in range(THREADS)]
    winners, errors = race(endpoint, vpc_id, cidrs)
    assert errors == []
    assert sorted(w[2] for w in winners) == sorted(cidrs)
    ids = [w[1] for w in winners]
    assert len(set(ids)) == THREADS
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    assert sorted(s["CidrBlock"] for s in subnets) == sorted(cidrs)


def test_concurrent_vpc_creation_yields_unique_ids(endpoint, make_client):
    # Four VPCs per region (quota 5 with the default VPC), in four regions at once.
    regions = ["ap-northeast-1", "us-east-1", "us-west-2", "eu-west-1"]
    jobs = [(r, f"10.{i}.0.0/16") for r in regions for i in range(4)]
    barrier = threading.Barrier(len(jobs))

    def create(job):
        region, cidr = job
        c = new_ec2_client(endpoint, region=region)
        barrier.wait(timeout=30)
        return region, c.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(create, jobs))
    ids = [vid for _, vid in results]
    assert len(set(ids)) == len(ids)
    for region in regions:
        listed = {v["VpcId"] for v in make_client(region=region).describe_vpcs()["Vpcs"] if not v["IsDefault"]}
        assert listed == {vid for r, vid in results if r == region}


def test_concurrent_tag_writes_on_one_resource(endpoint, ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    barrier = threading.Barrier(THREADS)

    def tag(i):
        c = new_ec2_client(endpoint)
        barrier.wait(timeout=30)
        c.create_tags(Resources=[vpc_id], Tags=[{"Key": f"k{i}", "Value": str(i)}])

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(tag, range(THREADS)))
    tags = {t["Key"]: t["Value"] for t in ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["Tags"]}
    assert tags == {f"k{i}": str(i) for i in range(THREADS)}


def _outcome(fn, **kwargs):
    try:
        return "ok", fn(**kwargs)
    except ClientError as exc:
        return exc.response["Error"]["Code"], None


def _pair(endpoint, first, second):
    """Run two callables (each given its own client) at the same instant."""
    clients = [new_ec2_client(endpoint), new_ec2_client(endpoint)]
    barrier = threading.Barrier(2)

    def run(i):
        barrier.wait(timeout=30)
        return (first, second)[i](clients[i])

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(run, range(2)))


@pytest.mark.parametrize("round_", range(8))
def test_delete_vpc_races_create_subnet(endpoint, ec2, round_):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    deleted, created = _pair(
        endpoint,
        lambda c: _outcome(c.delete_vpc, VpcId=vpc_id),
        lambda c: _outcome(c.create_subnet, VpcId=vpc_id, CidrBlock="10.0.1.0/24"),
    )
    assert not (deleted[0] == "ok" and created[0] == "ok"), "VPC deleted while a subnet was created in it"
    if created[0] == "ok":
        assert deleted[0] == "DependencyViolation", deleted
        assert ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    else:
        assert deleted[0] == "ok", deleted
        assert created[0] == "InvalidVpcID.NotFound", created
    # Never an orphan: every subnet's VPC exists.
    vpcs = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    assert {s["VpcId"] for s in ec2.describe_subnets()["Subnets"]} <= vpcs


@pytest.mark.parametrize("round_", range(8))
def test_create_tags_races_delete_subnet(endpoint, ec2, round_):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    sid = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    tagged, deleted = _pair(
        endpoint,
        lambda c: _outcome(c.create_tags, Resources=[sid], Tags=[{"Key": "k", "Value": "v"}]),
        lambda c: _outcome(c.delete_subnet, SubnetId=sid),
    )
    assert deleted[0] == "ok", deleted
    assert tagged[0] in ("ok", "InvalidSubnetID.NotFound"), tagged
    # No tag may outlive its resource.
    assert ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [sid]}])["Tags"] == []


@pytest.mark.parametrize("round_", range(8))
def test_disassociate_cidr_races_create_subnet(endpoint, ec2, round_):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    assoc = ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.1.0.0/16")["CidrBlockAssociation"]
    created, gone = _pair(
        endpoint,
        lambda c: _outcome(c.create_subnet, VpcId=vpc_id, CidrBlock="10.1.1.0/24"),
        lambda c: _outcome(c.disassociate_vpc_cidr_block, AssociationId=assoc["AssociationId"]),
    )
    assert not (created[0] == "ok" and gone[0] == "ok"), "a subnet was left outside every VPC block"
    if created[0] == "ok":
        assert gone[0] != "ok"
    else:
        assert created[0] == "InvalidSubnet.Range", created
    blocks = [ipaddress.ip_network(a["CidrBlock"])
              for a in ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["CidrBlockAssociationSet"]
              if a["CidrBlockState"]["State"] in ("associated", "associating")]
    for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]:
        net = ipaddress.ip_network(s["CidrBlock"])
        assert any(net.subnet_of(b) for b in blocks), (net, blocks)

"""The core flows through the real `aws` CLI."""

import json

import pytest

from helpers import ALPHA_ACCOUNT, ALPHA_KEY, APNE1_AZ_IDS, UNKNOWN_KEY_ACCOUNT

CLI_ERROR_EXIT = (254, 255)  # awscli v2 uses 254 for service errors, v1 uses 255


def assert_cli_error(res, code):
    assert res.returncode in CLI_ERROR_EXIT, (res.returncode, res.stdout, res.stderr)
    assert f"({code})" in res.stderr, res.stderr


def test_cli_vpc_and_subnet_lifecycle(cli):
    vpc = cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16",
              "--tag-specifications", "ResourceType=vpc,Tags=[{Key=Name,Value=cli-vpc}]").json["Vpc"]
    vpc_id = vpc["VpcId"]
    assert vpc["CidrBlock"] == "10.0.0.0/16"
    assert vpc["IsDefault"] is False
    assert vpc["OwnerId"] == UNKNOWN_KEY_ACCOUNT
    assert {"Key": "Name", "Value": "cli-vpc"} in vpc["Tags"]

    found = cli("ec2", "describe-vpcs", "--filters", "Name=tag:Name,Values=cli-vpc").json["Vpcs"]
    assert [v["VpcId"] for v in found] == [vpc_id]
    found = cli("ec2", "describe-vpcs", "--filters", "Name=cidr,Values=10.0.0.0/16",
                "Name=is-default,Values=false").json["Vpcs"]
    assert [v["VpcId"] for v in found] == [vpc_id]
    found = cli("ec2", "describe-vpcs", "--vpc-ids", vpc_id).json["Vpcs"]
    assert found[0]["State"] == "available"

    sub = cli("ec2", "create-subnet", "--vpc-id", vpc_id, "--cidr-block", "10.0.1.0/24",
              "--availability-zone", "ap-northeast-1a").json["Subnet"]
    assert sub["AvailabilityZoneId"] == APNE1_AZ_IDS["ap-northeast-1a"]
    assert sub["AvailableIpAddressCount"] == 251
    sub2 = cli("ec2", "create-subnet", "--vpc-id", vpc_id, "--cidr-block", "10.0.2.0/24",
               "--availability-zone-id", "apne1-az1").json["Subnet"]
    assert sub2["AvailabilityZone"] == "ap-northeast-1c"

    subs = cli("ec2", "describe-subnets", "--filters", f"Name=vpc-id,Values={vpc_id}").json["Subnets"]
    assert sorted(s["CidrBlock"] for s in subs) == ["10.0.1.0/24", "10.0.2.0/24"]
    subs = cli("ec2", "describe-subnets", "--filters", "Name=availability-zone,Values=ap-northeast-1c",
               f"Name=vpc-id,Values={vpc_id}").json["Subnets"]
    assert [s["SubnetId"] for s in subs] == [sub2["SubnetId"]]

    cli("ec2", "modify-vpc-attribute", "--vpc-id", vpc_id, "--enable-dns-hostnames")
    attr = cli("ec2", "describe-vpc-attribute", "--vpc-id", vpc_id, "--attribute", "enableDnsHostnames").json
    assert attr == {"VpcId": vpc_id, "EnableDnsHostnames": {"Value": True}}
    cli("ec2", "modify-vpc-attribute", "--vpc-id", vpc_id, "--no-enable-dns-hostnames")
    attr = cli("ec2", "describe-vpc-attribute", "--vpc-id", vpc_id, "--attribute", "enableDnsHostnames").json
    assert attr["EnableDnsHostnames"]["Value"] is False

    cli("ec2", "modify-subnet-attribute", "--subnet-id", sub["SubnetId"], "--map-public-ip-on-launch")
    got = cli("ec2", "describe-subnets", "--subnet-ids", sub["SubnetId"]).json["Subnets"][0]
    assert got["MapPublicIpOnLaunch"] is True

    # Deleting the VPC while subnets exist is refused.
    assert_cli_error(cli("ec2", "delete-vpc", "--vpc-id", vpc_id, check=False), "DependencyViolation")

    cli("ec2", "delete-subnet", "--subnet-id", sub["SubnetId"])
    cli("ec2", "delete-subnet", "--subnet-id", sub2["SubnetId"])
    cli("ec2", "delete-vpc", "--vpc-id", vpc_id)
    assert_cli_error(cli("ec2", "describe-vpcs", "--vpc-ids", vpc_id, check=False), "InvalidVpcID.NotFound")


def test_cli_errors(cli):
    vpc_id = cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16").json["Vpc"]["VpcId"]
    cli("ec2", "create-subnet", "--vpc-id", vpc_id, "--cidr-block", "10.0.1.0/24")
    assert_cli_error(cli("ec2", "create-subnet", "--vpc-id", vpc_id, "--cidr-block", "10.0.1.128/25", check=False),
                     "InvalidSubnet.Conflict")
    assert_cli_error(cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/8", check=False), "InvalidVpc.Range")
    assert_cli_error(cli("ec2", "create-subnet", "--vpc-id", vpc_id, "--cidr-block", "10.0.9.0/24",
                         "--availability-zone", "ap-northeast-1b", check=False), "InvalidParameterValue")
    assert_cli_error(cli("ec2", "describe-subnets", "--subnet-ids", "subnet-0123456789abcdef0", check=False),
                     "InvalidSubnetID.NotFound")
    assert_cli_error(cli("ec2", "describe-vpcs", "--filters", "Name=bogus,Values=1", check=False),
                     "InvalidParameterValue")
    assert_cli_error(cli("ec2", "create-vpc", "--cidr-block", "10.5.0.0/16", "--dry-run", check=False),
                     "DryRunOperation")
    # The dry run created nothing.
    vpcs = cli("ec2", "describe-vpcs").json["Vpcs"]
    assert sorted(v["CidrBlock"] for v in vpcs) == ["10.0.0.0/16", "172.31.0.0/16"]


def test_cli_auto_pagination(cli):
    vpc_id = cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16").json["Vpc"]["VpcId"]
    for i in range(7):
        cli("ec2", "create-subnet", "--vpc-id", vpc_id, "--cidr-block", f"10.0.{i}.0/24")
    # --page-size makes the CLI fetch several pages (MaxResults=5) and merge them.
    subs = cli("ec2", "describe-subnets", "--page-size", "5").json["Subnets"]
    ids = [s["SubnetId"] for s in subs]
    assert len(ids) == len(set(ids)) == 10  # 7 + 3 default subnets


def test_cli_regions_and_zones(cli):
    zones = cli("ec2", "describe-availability-zones", region="us-east-1").json["AvailabilityZones"]
    assert zones and all(z["ZoneId"].startswith("use1-az") for z in zones)
    names = cli("ec2", "describe-regions", "--query", "Regions[].RegionName").json
    assert "ap-northeast-1" in names and "us-east-1" in names
    text = cli("ec2", "describe-availability-zones", "--query",
               "AvailabilityZones[].[ZoneName,ZoneId]").json
    assert dict(map(tuple, text)) == APNE1_AZ_IDS


def test_cli_tags(cli):
    vpc_id = cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16").json["Vpc"]["VpcId"]
    cli("ec2", "create-tags", "--resources", vpc_id, "--tags", "Key=Env,Value=prod", "Key=Team,Value=net")
    tags = cli("ec2", "describe-tags", "--filters", f"Name=resource-id,Values={vpc_id}").json["Tags"]
    assert sorted((t["Key"], t["Value"], t["ResourceType"]) for t in tags) == [
        ("Env", "prod", "vpc"), ("Team", "net", "vpc")]
    cli("ec2", "delete-tags", "--resources", vpc_id, "--tags", "Key=Env")
    tags = cli("ec2", "describe-tags", "--filters", f"Name=resource-id,Values={vpc_id}").json["Tags"]
    assert [t["Key"] for t in tags] == ["Team"]


def test_cli_account_from_access_key(cli, is_external):
    if is_external:
        pytest.skip("account mapping of an external server is unknown")
    vpc = cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16", access_key=ALPHA_KEY).json["Vpc"]
    assert vpc["OwnerId"] == ALPHA_ACCOUNT
    mine = cli("ec2", "describe-vpcs", access_key=ALPHA_KEY).json["Vpcs"]
    assert vpc["VpcId"] in {v["VpcId"] for v in mine}
    others = cli("ec2", "describe-vpcs").json["Vpcs"]
    assert vpc["VpcId"] not in {v["VpcId"] for v in others}


def test_cli_ignores_host_aws_config(cli, tmp_path, monkeypatch):
    # A hostile host config (wrong region, bogus endpoint) must not leak into the suite.
    bad = tmp_path / "config"
    bad.write_text("[default]\nregion = eu-west-3\nendpoint_url = http://127.0.0.1:9\noutput = text\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(bad))
    monkeypatch.setenv("AWS_PROFILE", "nope")
    zones = cli("ec2", "describe-availability-zones").json["AvailabilityZones"]
    assert {z["ZoneName"] for z in zones} == set(APNE1_AZ_IDS)
    assert json.loads(cli("ec2", "describe-regions").stdout)

"""Health and reset routes."""

import pytest

from helpers import default_vpc, expect_error, http_call, new_ec2_client


@pytest.mark.parametrize("path", ["/_localvpc/reset", "/moto-api/reset"])
def test_reset_clears_everything(endpoint, make_client, path):
    apne1 = make_client()
    use1 = make_client(region="us-east-1", access_key="AKIAOTHERKEYEXAMPLE1")
    old_default = default_vpc(apne1)["VpcId"]
    vpc = apne1.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    apne1.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")
    apne1.create_tags(Resources=[vpc], Tags=[{"Key": "a", "Value": "b"}])
    apne1.modify_vpc_attribute(VpcId=old_default, EnableDnsHostnames={"Value": False})
    use1.create_vpc(CidrBlock="10.1.0.0/16")

    status, _ = http_call(endpoint + path, method="POST", data=b"")
    assert status == 200

    vpcs = apne1.describe_vpcs()["Vpcs"]
    # Only a (fresh) default VPC remains; it is recreated on first use.
    assert [v["IsDefault"] for v in vpcs] == [True]
    assert apne1.describe_tags()["Tags"] == []
    assert len(apne1.describe_subnets()["Subnets"]) == 3
    new_default = vpcs[0]["VpcId"]
    attr = apne1.describe_vpc_attribute(VpcId=new_default, Attribute="enableDnsHostnames")
    assert attr["EnableDnsHostnames"]["Value"] is True
    assert [v["IsDefault"] for v in use1.describe_vpcs()["Vpcs"]] == [True]
    # The old ids are gone.
    if new_default != old_default:
        expect_error(apne1.describe_vpcs, VpcIds=[old_default], code="InvalidVpcID.NotFound")


def test_health(endpoint):
    status, _ = http_call(endpoint + "/_localvpc/health")
    assert status == 200


@pytest.mark.spawns
def test_reset_is_durable(spawn_server, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    srv = spawn_server(data_dir=data)
    ec2 = new_ec2_client(srv.url)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    status, _ = http_call(srv.url + "/_localvpc/reset", method="POST", data=b"")
    assert status == 200
    assert srv.terminate() == 0
    srv.start()
    ids = {v["VpcId"] for v in new_ec2_client(srv.url).describe_vpcs()["Vpcs"]}
    assert vpc not in ids


@pytest.mark.spawns
def test_reset_on_fresh_server_and_ready_line(spawn_server):
    srv = spawn_server(ephemeral=True)
    # Exactly one stdout line once ready.
    assert len(srv.stdout_lines) == 1 and srv.stdout_lines[0] == f"listening on {srv.url}", srv.stdout_lines
    for path in ("/_localvpc/reset", "/moto-api/reset"):
        status, _ = http_call(srv.url + path, method="POST", data=b"")
        assert status == 200
    assert [v["IsDefault"] for v in new_ec2_client(srv.url).describe_vpcs()["Vpcs"]] == [True]

"""A two-tier VPC built and torn down with the real `aws` CLI: public and private subnets, an
internet gateway, an Elastic IP and a NAT gateway with the private default route through it, a
custom network ACL on the private subnet, an instance in the private subnet, and a transit
gateway attached to the VPC. Teardown goes in dependency order and meets the
DependencyViolations (and IncorrectState) on the way. The CLI's own waiters are used where a
script would use them."""

import pytest

from helpers import expect_error
from test_cli import assert_cli_error


def f(name, *values):
    return {"Name": name, "Values": list(values)}


@pytest.mark.slow  # ~60 CLI runs at ~0.4 s of interpreter start-up each
def test_cli_two_tier_vpc_with_nat_nacl_instance_and_transit_gateway(cli, ec2):
    run = lambda *args, **kw: cli("ec2", *args, **kw)  # noqa: E731
    fail = lambda *args: run(*args, check=False)  # noqa: E731

    # --- network ---------------------------------------------------------------------
    vpc = run("create-vpc", "--cidr-block", "10.0.0.0/16", "--tag-specifications",
              "ResourceType=vpc,Tags=[{Key=Name,Value=two-tier}]").json["Vpc"]["VpcId"]
    public = run("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.1.0/24",
                 "--availability-zone", "ap-northeast-1a").json["Subnet"]["SubnetId"]
    private = run("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.2.0/24",
                  "--availability-zone", "ap-northeast-1a").json["Subnet"]["SubnetId"]
    igw = run("create-internet-gateway").json["InternetGateway"]["InternetGatewayId"]
    run("attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc)

    public_rt = run("create-route-table", "--vpc-id", vpc).json["RouteTable"]["RouteTableId"]
    run("create-route", "--route-table-id", public_rt, "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", igw)
    public_assoc = run("associate-route-table", "--route-table-id", public_rt, "--subnet-id", public).json[
        "AssociationId"]

    # --- NAT gateway with an Elastic IP --------------------------------------------------
    eip = run("allocate-address", "--domain", "vpc").json
    assert eip["PublicIp"] == "203.0.113.1"
    nat = run("create-nat-gateway", "--subnet-id", public, "--allocation-id", eip["AllocationId"],
              "--tag-specifications", "ResourceType=natgateway,Tags=[{Key=Name,Value=egress}]").json["NatGateway"]
    nat_id = nat["NatGatewayId"]
    assert nat["State"] == "pending"
    run("wait", "nat-gateway-available", "--nat-gateway-ids", nat_id)
    described = run("describe-nat-gateways", "--nat-gateway-ids", nat_id,
                    "--query", "NatGateways[0].NatGatewayAddresses[0]").json
    assert described["PublicIp"] == "203.0.113.1"
    assert described["PrivateIp"] == "10.0.1.4"
    assert described["AllocationId"] == eip["AllocationId"]

    private_rt = run("create-route-table", "--vpc-id", vpc).json["RouteTable"]["RouteTableId"]
    run("create-route", "--route-table-id", private_rt, "--destination-cidr-block", "0.0.0.0/0",
        "--nat-gateway-id", nat_id)
    private_assoc = run("associate-route-table", "--route-table-id", private_rt, "--subnet-id", private).json[
        "AssociationId"]
    [table] = ec2.describe_route_tables(RouteTableIds=[private_rt])["RouteTables"]
    assert {(r["DestinationCidrBlock"], r.get("NatGatewayId") or r.get("GatewayId"), r["State"])
            for r in table["Routes"]} == {("10.0.0.0/16", "local", "active"), ("0.0.0.0/0", nat_id, "active")}

    # --- custom network ACL on the private subnet ----------------------------------------
    acl = run("create-network-acl", "--vpc-id", vpc).json["NetworkAcl"]["NetworkAclId"]
    run("create-network-acl-entry", "--network-acl-id", acl, "--ingress", "--rule-number", "100",
        "--protocol", "tcp", "--port-range", "From=443,To=443", "--cidr-block", "10.0.1.0/24",
        "--rule-action", "allow")
    run("create-network-acl-entry", "--network-acl-id", acl, "--ingress", "--rule-number", "110",
        "--protocol", "tcp", "--port-range", "From=1024,To=65535", "--cidr-block", "0.0.0.0/0",
        "--rule-action", "allow")
    run("create-network-acl-entry", "--network-acl-id", acl, "--egress", "--rule-number", "100",
        "--protocol", "-1", "--cidr-block", "0.0.0.0/0", "--rule-action", "allow")
    # The same rule number in the same direction again.
    assert_cli_error(fail("create-network-acl-entry", "--network-acl-id", acl, "--egress", "--rule-number", "100",
                          "--protocol", "-1", "--cidr-block", "0.0.0.0/0", "--rule-action", "deny"),
                     "NetworkAclEntryAlreadyExists")
    current = run("describe-network-acls", "--filters", f"Name=association.subnet-id,Values={private}",
                  "--query", "NetworkAcls[0].Associations[?SubnetId=='" + private + "'].NetworkAclAssociationId | [0]"
                  ).json
    acl_assoc = run("replace-network-acl-association", "--association-id", current,
                    "--network-acl-id", acl).json["NewAssociationId"]
    [got] = ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"]
    assert [a["SubnetId"] for a in got["Associations"]] == [private]
    assert sorted((e["Egress"], e["RuleNumber"], e["Protocol"]) for e in got["Entries"]) == [
        (False, 100, "6"), (False, 110, "6"), (False, 32767, "-1"), (True, 100, "-1"), (True, 32767, "-1")]

    # --- an instance in the private subnet -------------------------------------------------
    ami = run("describe-images", "--owners", "amazon", "--filters", "Name=name,Values=al2023-ami-*",
              "Name=architecture,Values=x86_64", "--query", "Images[0].ImageId").json
    sg = run("create-security-group", "--group-name", "app", "--description", "app tier", "--vpc-id", vpc).json[
        "GroupId"]
    run("authorize-security-group-ingress", "--group-id", sg, "--protocol", "tcp", "--port", "443",
        "--cidr", "10.0.1.0/24")
    inst = run("run-instances", "--image-id", ami, "--instance-type", "t3.micro", "--count", "1",
               "--subnet-id", private, "--security-group-ids", sg,
               "--tag-specifications", "ResourceType=instance,Tags=[{Key=Name,Value=app-1}]").json["Instances"][0]
    iid = inst["InstanceId"]
    assert inst["PrivateIpAddress"] == "10.0.2.4"
    assert "PublicIpAddress" not in inst  # private subnet: no public address
    run("wait", "instance-running", "--instance-ids", iid)
    found = run("describe-instances", "--filters", "Name=tag:Name,Values=app-1",
                "--query", "Reservations[].Instances[].[InstanceId,State.Name,SubnetId]").json
    assert found == [[iid, "running", private]]

    # --- transit gateway attachment ----------------------------------------------------------
    tgw = run("create-transit-gateway", "--description", "core").json["TransitGateway"]["TransitGatewayId"]
    att = run("create-transit-gateway-vpc-attachment", "--transit-gateway-id", tgw, "--vpc-id", vpc,
              "--subnet-ids", private).json["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    [a] = ec2.describe_transit_gateway_vpc_attachments(TransitGatewayAttachmentIds=[att])[
        "TransitGatewayVpcAttachments"]
    assert a["State"] == "available"
    run("create-route", "--route-table-id", private_rt, "--destination-cidr-block", "192.168.0.0/16",
        "--transit-gateway-id", tgw)
    rtb = run("describe-transit-gateways", "--transit-gateway-ids", tgw,
              "--query", "TransitGateways[0].Options.AssociationDefaultRouteTableId").json
    routes = run("search-transit-gateway-routes", "--transit-gateway-route-table-id", rtb,
                 "--filters", "Name=type,Values=propagated").json["Routes"]
    assert [(r["DestinationCidrBlock"], r["Type"]) for r in routes] == [("10.0.0.0/16", "propagated")]
    # The private subnet now holds the instance, the attachment's interface, and 10.0.2.4-5.
    enis = ec2.describe_network_interfaces(Filters=[f("subnet-id", private)])["NetworkInterfaces"]
    assert sorted(e["PrivateIpAddress"] for e in enis) == ["10.0.2.4", "10.0.2.5"]

    # --- teardown, in dependency order ---------------------------------------------------------
    assert_cli_error(fail("delete-vpc", "--vpc-id", vpc), "DependencyViolation")
    assert_cli_error(fail("delete-subnet", "--subnet-id", private), "DependencyViolation")
    # The NAT gateway's Elastic IP is a mapped public address of the VPC.
    assert_cli_error(fail("detach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc),
                     "DependencyViolation")
    assert_cli_error(fail("delete-transit-gateway", "--transit-gateway-id", tgw), "IncorrectState")
    assert_cli_error(fail("delete-network-acl", "--network-acl-id", acl), "DependencyViolation")
    assert_cli_error(fail("delete-security-group", "--group-id", sg), "DependencyViolation")

    run("terminate-instances", "--instance-ids", iid)
    run("wait", "instance-terminated", "--instance-ids", iid)
    run("delete-security-group", "--group-id", sg)

    run("delete-transit-gateway-vpc-attachment", "--transit-gateway-attachment-id", att)
    run("delete-transit-gateway", "--transit-gateway-id", tgw)
    # The route to the transit gateway stays, as a blackhole.
    [table] = ec2.describe_route_tables(RouteTableIds=[private_rt])["RouteTables"]
    assert {r["DestinationCidrBlock"]: r["State"] for r in table["Routes"]}["192.168.0.0/16"] == "blackhole"

    run("delete-nat-gateway", "--nat-gateway-id", nat_id)
    run("wait", "nat-gateway-deleted", "--nat-gateway-ids", nat_id)
    [table] = ec2.describe_route_tables(RouteTableIds=[private_rt])["RouteTables"]
    assert {r["DestinationCidrBlock"]: r["State"] for r in table["Routes"]}["0.0.0.0/0"] == "blackhole"
    run("release-address", "--allocation-id", eip["AllocationId"])

    default_acl = run("describe-network-acls", "--filters", f"Name=vpc-id,Values={vpc}", "Name=default,Values=true",
                      "--query", "NetworkAcls[0].NetworkAclId").json
    run("replace-network-acl-association", "--association-id", acl_assoc, "--network-acl-id", default_acl)
    run("delete-network-acl", "--network-acl-id", acl)

    assert_cli_error(fail("delete-route-table", "--route-table-id", private_rt), "DependencyViolation")
    run("disassociate-route-table", "--association-id", private_assoc)
    run("disassociate-route-table", "--association-id", public_assoc)
    run("delete-route-table", "--route-table-id", private_rt)
    run("delete-route-table", "--route-table-id", public_rt)

    run("detach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc)
    run("delete-internet-gateway", "--internet-gateway-id", igw)
    run("delete-subnet", "--subnet-id", private)
    run("delete-subnet", "--subnet-id", public)
    run("delete-vpc", "--vpc-id", vpc)

    assert_cli_error(fail("describe-vpcs", "--vpc-ids", vpc), "InvalidVpcID.NotFound")
    expect_error(ec2.describe_network_acls, NetworkAclIds=[acl], code="InvalidNetworkAclID.NotFound")
    assert ec2.describe_network_interfaces(Filters=[f("vpc-id", vpc)])["NetworkInterfaces"] == []
    assert ec2.describe_addresses()["Addresses"] == []

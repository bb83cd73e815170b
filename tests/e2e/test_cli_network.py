"""A public subnet built and torn down with the real `aws` CLI: VPC, subnet, internet
gateway, route table with a default route, association, and security groups (CIDR and
group references); deletion in dependency order with the DependencyViolations on the way."""

import json

from helpers import UNKNOWN_KEY_ACCOUNT, expect_error
from test_cli import assert_cli_error


def test_cli_public_subnet_build_and_teardown(cli, ec2):
    """Every change goes through the CLI; boto3 (ec2) does most of the checking,
    which keeps the test quick (each CLI run costs ~0.4 s of interpreter start-up)."""
    run = lambda *args, **kw: cli("ec2", *args, **kw)  # noqa: E731

    # --- build -----------------------------------------------------------------------
    vpc_id = run("create-vpc", "--cidr-block", "10.0.0.0/16",
                 "--tag-specifications", "ResourceType=vpc,Tags=[{Key=Name,Value=public-demo}]").json["Vpc"]["VpcId"]
    subnet_id = run("create-subnet", "--vpc-id", vpc_id, "--cidr-block", "10.0.1.0/24",
                    "--availability-zone", "ap-northeast-1a").json["Subnet"]["SubnetId"]
    run("modify-subnet-attribute", "--subnet-id", subnet_id, "--map-public-ip-on-launch")

    igw = run("create-internet-gateway", "--tag-specifications",
              "ResourceType=internet-gateway,Tags=[{Key=Name,Value=public-demo}]").json["InternetGateway"]
    igw_id = igw["InternetGatewayId"]
    assert igw["Attachments"] == [] and igw["OwnerId"] == UNKNOWN_KEY_ACCOUNT
    run("attach-internet-gateway", "--internet-gateway-id", igw_id, "--vpc-id", vpc_id)
    attachments = run("describe-internet-gateways", "--internet-gateway-ids", igw_id,
                      "--query", "InternetGateways[0].Attachments").json
    assert attachments == [{"State": "available", "VpcId": vpc_id}]
    assert ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["MapPublicIpOnLaunch"] is True

    rtb_id = run("create-route-table", "--vpc-id", vpc_id).json["RouteTable"]["RouteTableId"]
    created = run("create-route", "--route-table-id", rtb_id, "--destination-cidr-block", "0.0.0.0/0",
                  "--gateway-id", igw_id).json
    assert created == {"Return": True}
    assoc_id = run("associate-route-table", "--route-table-id", rtb_id, "--subnet-id", subnet_id).json[
        "AssociationId"]
    table = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])[
        "RouteTables"]
    assert [t["RouteTableId"] for t in table] == [rtb_id]
    assert sorted((r["DestinationCidrBlock"], r["GatewayId"], r["State"]) for r in table[0]["Routes"]) == [
        ("0.0.0.0/0", igw_id, "active"), ("10.0.0.0/16", "local", "active")]
    assert table[0]["Associations"][0]["RouteTableAssociationId"] == assoc_id

    web = run("create-security-group", "--group-name", "web", "--description", "HTTPS from the VPC",
              "--vpc-id", vpc_id).json["GroupId"]
    app = run("create-security-group", "--group-name", "app", "--description", "app tier",
              "--vpc-id", vpc_id).json["GroupId"]
    # The CLI's --protocol/--port/--cidr shorthand.
    rules = run("authorize-security-group-ingress", "--group-id", web, "--protocol", "tcp", "--port", "443",
                "--cidr", "10.0.0.0/16").json
    assert rules["Return"] is True
    assert [(r["IpProtocol"], r["FromPort"], r["ToPort"], r["CidrIpv4"]) for r in rules["SecurityGroupRules"]] == [
        ("tcp", 443, 443, "10.0.0.0/16")]
    # ... and --source-group for a group reference.
    run("authorize-security-group-ingress", "--group-id", app, "--protocol", "tcp", "--port", "8080",
        "--source-group", web)
    # The JSON --ip-permissions form, with a description.
    run("authorize-security-group-egress", "--group-id", web, "--ip-permissions", json.dumps([
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
         "UserIdGroupPairs": [{"GroupId": app, "Description": "to app"}]}]))

    groups = {g["GroupName"]: g for g in ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]}
    assert sorted(groups) == ["app", "default", "web"]
    assert [(p["IpProtocol"], p["FromPort"], p["IpRanges"]) for p in groups["web"]["IpPermissions"]] == [
        ("tcp", 443, [{"CidrIp": "10.0.0.0/16"}])]
    app_in = groups["app"]["IpPermissions"]
    assert [(p["FromPort"], [g["GroupId"] for g in p["UserIdGroupPairs"]]) for p in app_in] == [(8080, [web])]
    egress_refs = [pair["GroupId"] for p in groups["web"]["IpPermissionsEgress"] for pair in p["UserIdGroupPairs"]]
    assert egress_refs == [app]
    found = run("describe-security-groups", "--filters", "Name=ip-permission.group-id,Values=" + web,
                "--query", "SecurityGroups[].GroupName").json
    assert found == ["app"]
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [web]}])["SecurityGroupRules"]
    assert len(rules) == 3  # 443 in, default all-traffic out, 8080 out to app

    # --- tear down, in dependency order ----------------------------------------------
    # The VPC still holds a subnet, non-default groups, a custom table and a gateway.
    assert_cli_error(run("delete-vpc", "--vpc-id", vpc_id, check=False), "DependencyViolation")
    # web is referenced by app's inbound rule (and references app itself, outbound).
    assert_cli_error(run("delete-security-group", "--group-id", web, check=False), "DependencyViolation")
    assert_cli_error(run("delete-security-group", "--group-id", app, check=False), "DependencyViolation")
    run("revoke-security-group-egress", "--group-id", web, "--ip-permissions", json.dumps([
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": app}]}]))
    deleted = run("delete-security-group", "--group-id", app).json
    assert deleted == {"Return": True, "GroupId": app}
    run("delete-security-group", "--group-id", web)

    # An associated table cannot go; an attached gateway cannot go.
    assert_cli_error(run("delete-route-table", "--route-table-id", rtb_id, check=False), "DependencyViolation")
    assert_cli_error(run("delete-internet-gateway", "--internet-gateway-id", igw_id, check=False),
                     "DependencyViolation")
    run("disassociate-route-table", "--association-id", assoc_id)
    run("detach-internet-gateway", "--internet-gateway-id", igw_id, "--vpc-id", vpc_id)
    routes = ec2.describe_route_tables(RouteTableIds=[rtb_id])["RouteTables"][0]["Routes"]
    assert [r["State"] for r in routes if r["DestinationCidrBlock"] == "0.0.0.0/0"] == ["blackhole"]
    run("delete-route-table", "--route-table-id", rtb_id)
    run("delete-internet-gateway", "--internet-gateway-id", igw_id)

    assert_cli_error(run("delete-vpc", "--vpc-id", vpc_id, check=False), "DependencyViolation")  # the subnet
    run("delete-subnet", "--subnet-id", subnet_id)
    run("delete-vpc", "--vpc-id", vpc_id)

    # Everything is gone, including the VPC's main table and default group.
    assert_cli_error(run("describe-vpcs", "--vpc-ids", vpc_id, check=False), "InvalidVpcID.NotFound")
    assert_cli_error(run("describe-internet-gateways", "--internet-gateway-ids", igw_id, check=False),
                     "InvalidInternetGatewayID.NotFound")
    expect_error(ec2.describe_route_tables, RouteTableIds=[rtb_id], code="InvalidRouteTableID.NotFound")
    expect_error(ec2.describe_security_groups, GroupIds=[web], code="InvalidGroup.NotFound")
    assert ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"] == []
    assert ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"] == []


def test_cli_network_errors(cli, ec2):
    """The CLI surfaces the network error codes (setup through boto3, which is quicker)."""
    run = lambda *args: cli("ec2", *args, check=False)  # noqa: E731
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    sg = ec2.create_security_group(GroupName="web", Description="x", VpcId=vpc_id)["GroupId"]
    assert_cli_error(run("create-security-group", "--group-name", "web", "--description", "x", "--vpc-id", vpc_id),
                     "InvalidGroup.Duplicate")
    cli("ec2", "authorize-security-group-ingress", "--group-id", sg, "--protocol", "tcp", "--port", "22",
        "--cidr", "192.0.2.0/24")
    assert_cli_error(run("authorize-security-group-ingress", "--group-id", sg, "--protocol", "tcp", "--port", "22",
                         "--cidr", "192.0.2.0/24"), "InvalidPermission.Duplicate")
    assert_cli_error(run("revoke-security-group-ingress", "--group-id", sg, "--protocol", "tcp", "--port", "23",
                         "--cidr", "192.0.2.0/24"), "InvalidPermission.NotFound")
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    rtb = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    assert_cli_error(run("create-route", "--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0",
                         "--gateway-id", igw), "InvalidParameterValue")
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    assert_cli_error(run("attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", other),
                     "Resource.AlreadyAssociated")
    assert_cli_error(run("detach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", other),
                     "Gateway.NotAttached")
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    assert_cli_error(run("create-route", "--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0",
                         "--gateway-id", igw), "RouteAlreadyExists")
    assert_cli_error(run("delete-route", "--route-table-id", rtb, "--destination-cidr-block", "192.0.2.0/24"),
                     "InvalidRoute.NotFound")

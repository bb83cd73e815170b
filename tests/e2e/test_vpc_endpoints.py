"""VPC endpoints: DescribeVpcEndpointServices, gateway endpoints (S3, DynamoDB: prefix-list
routes, policies), interface endpoints (requester-managed ENIs, DNS entries, private DNS, the
S3 PrivateDnsOnlyForInboundResolverEndpoint option), ModifyVpcEndpoint, DeleteVpcEndpoints and
DescribeVpcEndpoints (spec 2, 3, 5.5, 10.1).

Where localvpc does not match a documented AWS behaviour the test still asserts AWS and is
marked xfail(strict=True); its reason names the request, AWS's answer and localvpc's."""

import ipaddress
import json
import re

import pytest
from botocore.exceptions import ClientError

from helpers import (
    ALPHA_KEY,
    MISSING_SUBNET_ID,
    MISSING_VPC_ID,
    UNKNOWN_KEY_ACCOUNT,
    all_pages,
    expect_client_error,
    expect_dry_run,
    NOT_EMULATED,
    expect_error,
    tag_spec,
    tags_of,
    wait_until,
)

R = "ap-northeast-1"
S3 = f"com.amazonaws.{R}.s3"
DDB = f"com.amazonaws.{R}.dynamodb"
SSM = f"com.amazonaws.{R}.ssm"
LOGS = f"com.amazonaws.{R}.logs"
ECR_DKR = f"com.amazonaws.{R}.ecr.dkr"
S3_PL = "pl-61a54008"
VPCE_ZONE = "Z2E726K9Y6RL4W"  # ap-northeast-1's public vpce.amazonaws.com zone (spec 3.3)

# Spec 2.5 [OBS]: the default policy of a gateway endpoint, returned verbatim as a string.
DEFAULT_GATEWAY_POLICY = (
    '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}'
)
# Spec 3.8 [OBS]: the default policy of an interface endpoint (pretty-printed, no Version).
DEFAULT_INTERFACE_POLICY = (
    '{\n  "Statement": [\n    {\n      "Action": "*", \n      "Effect": "Allow", \n'
    '      "Principal": "*", \n      "Resource": "*"\n    }\n  ]\n}'
)

VPCE_ID_RE = re.compile(r"^vpce-[0-9a-f]{17}$")
ENI_ID_RE = re.compile(r"^eni-[0-9a-f]{17}$")
SVC_ID_RE = re.compile(r"^vpce-svc-[0-9a-f]{17}$")
MISSING_VPCE = "vpce-0123456789abcdef0"


def f(name, *values):
    return {"Name": name, "Values": list(values)}


# --------------------------------------------------------------------------- fixtures / helpers


@pytest.fixture
def dns_vpc(ec2, vpc_id):
    """The VPC with enableDnsSupport and enableDnsHostnames on (private DNS needs both)."""
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    return vpc_id


def make_subnet(ec2, vpc_id, cidr, az):
    return ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]


@pytest.fixture
def subnet_a(ec2, vpc_id):
    return make_subnet(ec2, vpc_id, "10.0.1.0/24", f"{R}a")


@pytest.fixture
def subnet_c(ec2, vpc_id):
    return make_subnet(ec2, vpc_id, "10.0.2.0/24", f"{R}c")


@pytest.fixture
def subnet_d(ec2, vpc_id):
    return make_subnet(ec2, vpc_id, "10.0.3.0/24", f"{R}d")


@pytest.fixture
def rtb2(ec2, vpc_id):
    return ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]


@pytest.fixture
def sg(ec2, vpc_id):
    return ec2.create_security_group(GroupName="endpoints", Description="endpoint ENIs", VpcId=vpc_id)["GroupId"]


@pytest.fixture
def sg2(ec2, vpc_id):
    return ec2.create_security_group(GroupName="extra", Description="extra", VpcId=vpc_id)["GroupId"]


def default_sg(ec2, vpc_id):
    [g] = ec2.describe_security_groups(Filters=[f("vpc-id", vpc_id), f("group-name", "default")])["SecurityGroups"]
    return g["GroupId"]


def describe_ep(ec2, vpce_id):
    [e] = ec2.describe_vpc_endpoints(VpcEndpointIds=[vpce_id])["VpcEndpoints"]
    assert e["VpcEndpointId"] == vpce_id
    return e


def available(ec2, vpce_id):
    """The endpoint once it is available (AWS provisions interface endpoints asynchronously)."""
    assert wait_until(lambda: describe_ep(ec2, vpce_id)["State"] == "available", timeout=10), describe_ep(ec2, vpce_id)
    return describe_ep(ec2, vpce_id)


def gone(ec2, vpce_id):
    """Deleted: unknown to DescribeVpcEndpoints, or still listed as deleting/deleted.
    AWS-UNCONFIRMED: how long a deleted endpoint stays visible."""
    try:
        eps = ec2.describe_vpc_endpoints(VpcEndpointIds=[vpce_id])["VpcEndpoints"]
    except ClientError as exc:
        return exc.response["Error"]["Code"] == "InvalidVpcEndpointId.NotFound"
    return all(e["State"] in ("deleting", "deleted") for e in eps)


def gateway(ec2, vpc_id, *tables, service=S3, **kw):
    return ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=service, VpcEndpointType="Gateway",
                                   RouteTableIds=list(tables), **kw)["VpcEndpoint"]


def interface(ec2, vpc_id, *subnets, service=SSM, **kw):
    return ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=service, VpcEndpointType="Interface",
                                   SubnetIds=list(subnets), **kw)["VpcEndpoint"]


def table_routes(ec2, rtb_id):
    return ec2.describe_route_tables(RouteTableIds=[rtb_id])["RouteTables"][0]["Routes"]


def pl_routes(ec2, rtb_id):
    return [r for r in table_routes(ec2, rtb_id) if "DestinationPrefixListId" in r]


def prefix_list_id(ec2, service_name):
    [p] = ec2.describe_prefix_lists(Filters=[f("prefix-list-name", service_name)])["PrefixLists"]
    return p["PrefixListId"]


def enis(ec2, ids):
    if not ids:
        return []
    return ec2.describe_network_interfaces(NetworkInterfaceIds=list(ids))["NetworkInterfaces"]


def endpoint_enis_in_vpc(ec2, vpc_id):
    return ec2.describe_network_interfaces(
        Filters=[f("vpc-id", vpc_id), f("interface-type", "vpc_endpoint")])["NetworkInterfaces"]


def free_ips(ec2, subnet_id):
    return ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["AvailableIpAddressCount"]


def endpoint_ids(ec2, *filters):
    eps = ec2.describe_vpc_endpoints(Filters=list(filters))["VpcEndpoints"] if filters else \
        ec2.describe_vpc_endpoints()["VpcEndpoints"]
    return sorted(e["VpcEndpointId"] for e in eps)


# --------------------------------------------------------------------------- DescribeVpcEndpointServices


def services(ec2, **kw):
    return ec2.describe_vpc_endpoint_services(**kw)


def test_service_names_are_sorted(ec2):
    resp = services(ec2)
    names = resp["ServiceNames"]
    assert names == sorted(names)
    assert [d["ServiceName"] for d in resp["ServiceDetails"]] == names


def test_service_catalogue_shape(ec2):
    resp = services(ec2)
    names = resp["ServiceNames"]
    assert {S3, DDB, SSM, LOGS, ECR_DKR} <= set(names)
    assert "NextToken" not in resp
    assert len(resp["ServiceDetails"]) == len(names)
    assert sorted(d["ServiceName"] for d in resp["ServiceDetails"]) == sorted(names)
    for d in resp["ServiceDetails"]:
        assert d["Owner"] == "amazon", d
        assert d["AcceptanceRequired"] is False, d
        assert SVC_ID_RE.match(d["ServiceId"]), d
        assert d["ServiceName"].startswith(f"com.amazonaws.{R}.") or d["ServiceName"].startswith("aws."), d
        assert len(d["ServiceType"]) == 1 and d["ServiceType"][0]["ServiceType"] in ("Interface", "Gateway"), d


def test_s3_is_listed_once_per_endpoint_type(ec2):
    resp = services(ec2)
    assert resp["ServiceNames"].count(S3) == 2
    s3 = {d["ServiceType"][0]["ServiceType"]: d for d in resp["ServiceDetails"] if d["ServiceName"] == S3}
    assert set(s3) == {"Gateway", "Interface"}
    assert s3["Interface"]["BaseEndpointDnsNames"] == [f"s3.{R}.vpce.amazonaws.com"]
    assert "PrivateDnsName" not in s3["Gateway"]
    assert s3["Interface"]["PrivateDnsName"] == f"s3.{R}.amazonaws.com"
    assert s3["Gateway"]["ServiceId"] != s3["Interface"]["ServiceId"]


def test_dynamodb_gateway_service(ec2):
    [d] = [d for d in services(ec2, ServiceNames=[DDB])["ServiceDetails"]
           if d["ServiceType"] == [{"ServiceType": "Gateway"}]]
    assert d["Owner"] == "amazon"
    assert d["BaseEndpointDnsNames"] == [f"dynamodb.{R}.amazonaws.com"]
    # Gateway services publish no private DNS name.
    assert "PrivateDnsName" not in d and not d.get("PrivateDnsNames")
    assert d["VpcEndpointPolicySupported"] is True


def test_ssm_interface_service(ec2):
    [d] = services(ec2, ServiceNames=[SSM])["ServiceDetails"]
    assert d["ServiceType"] == [{"ServiceType": "Interface"}]
    assert d["PrivateDnsName"] == f"ssm.{R}.amazonaws.com"
    assert d["BaseEndpointDnsNames"] == [f"ssm.{R}.vpce.amazonaws.com"]
    assert d["AvailabilityZones"] == [f"{R}a", f"{R}c", f"{R}d"]
    assert d["ManagesVpcEndpoints"] is False
    assert d["PrivateDnsNameVerificationState"] == "verified"


def test_base_endpoint_dns_names_reverse_the_dotted_suffix(ec2):
    # Spec 3.3: com.amazonaws.R.ecr.dkr -> dkr.ecr.R.vpce.amazonaws.com.
    [d] = services(ec2, ServiceNames=[ECR_DKR])["ServiceDetails"]
    assert d["BaseEndpointDnsNames"] == [f"dkr.ecr.{R}.vpce.amazonaws.com"]
    [api] = services(ec2, ServiceNames=[f"com.amazonaws.{R}.ecr.api"])["ServiceDetails"]
    assert api["BaseEndpointDnsNames"] == [f"api.ecr.{R}.vpce.amazonaws.com"]


def test_describe_services_filters(ec2):
    gw = services(ec2, Filters=[f("service-type", "Gateway")])
    assert {S3, DDB} <= set(gw["ServiceNames"])
    assert SSM not in gw["ServiceNames"]
    assert all(d["ServiceType"] == [{"ServiceType": "Gateway"}] for d in gw["ServiceDetails"])
    iface = services(ec2, Filters=[f("service-type", "Interface")])
    assert SSM in iface["ServiceNames"] and S3 in iface["ServiceNames"]
    assert all(d["ServiceType"] == [{"ServiceType": "Interface"}] for d in iface["ServiceDetails"])
    by_name = services(ec2, Filters=[f("service-name", SSM, LOGS)])
    assert sorted(by_name["ServiceNames"]) == sorted([SSM, LOGS])
    both = services(ec2, Filters=[f("service-name", S3), f("service-type", "Gateway")])
    assert both["ServiceNames"] == [S3]
    assert services(ec2, Filters=[f("owner", "amazon"), f("service-name", SSM)])["ServiceNames"] == [SSM]
    assert services(ec2, ServiceNames=[S3])["ServiceNames"] == [S3, S3]


def test_describe_services_pagination(ec2):
    everything = services(ec2)["ServiceNames"]
    names, sizes = [], []
    token = None
    while True:
        kw = {"MaxResults": 7}
        if token:
            kw["NextToken"] = token
        page = services(ec2, **kw)
        sizes.append(len(page["ServiceNames"]))
        assert len(page["ServiceDetails"]) == len(page["ServiceNames"])
        names += page["ServiceNames"]
        token = page.get("NextToken")
        if not token:
            break
        assert len(sizes) < 100
    assert names == everything
    assert all(s == 7 for s in sizes[:-1]) and 0 < sizes[-1] <= 7
    # Any MaxResults the model allows: small pages, and more than 1,000 reads as 1,000.
    assert len(services(ec2, MaxResults=1)["ServiceNames"]) == 1
    assert services(ec2, MaxResults=5000)["ServiceNames"] == everything[:1000]


def test_describe_services_unknown_name(ec2):
    # Spec 3.1 [OBS]: InvalidServiceName "The Vpc Endpoint Service '...' does not exist".
    name = f"com.amazonaws.{R}.no-such-service"
    resp = expect_error(services, ec2, ServiceNames=[name], code="InvalidServiceName")
    assert name in resp["Error"]["Message"]
    expect_error(services, ec2, ServiceNames=["com.amazonaws.eu-west-1.ssm"], code="InvalidServiceName")


# --------------------------------------------------------------------------- gateway endpoints


def test_gateway_endpoint_defaults(ec2, vpc_id, rtb):
    # Spec 2.1: VpcEndpointType defaults to Gateway.
    resp = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3, RouteTableIds=[rtb])
    e = resp["VpcEndpoint"]
    assert VPCE_ID_RE.match(e["VpcEndpointId"])
    assert e["VpcEndpointType"] == "Gateway"
    assert e["VpcId"] == vpc_id and e["ServiceName"] == S3
    # Gateway endpoints are created available (aws-cli create-vpc-endpoint example).
    assert e["State"] == "available"
    assert e["PolicyDocument"] == DEFAULT_GATEWAY_POLICY
    assert e["RouteTableIds"] == [rtb]
    assert e.get("SubnetIds", []) == [] and e.get("Groups", []) == []
    assert e.get("NetworkInterfaceIds", []) == [] and e.get("DnsEntries", []) == []
    assert e["PrivateDnsEnabled"] is False and e["RequesterManaged"] is False
    assert e["OwnerId"] == UNKNOWN_KEY_ACCOUNT
    got = describe_ep(ec2, e["VpcEndpointId"])
    assert got["State"] == "available"
    assert got["PolicyDocument"] == DEFAULT_GATEWAY_POLICY
    assert got["RouteTableIds"] == [rtb]


def test_gateway_endpoint_installs_prefix_list_routes(ec2, vpc_id, rtb, rtb2):
    e = gateway(ec2, vpc_id, rtb, rtb2)
    vpce = e["VpcEndpointId"]
    assert sorted(e["RouteTableIds"]) == sorted([rtb, rtb2])
    for table in (rtb, rtb2):
        [r] = pl_routes(ec2, table)
        # Spec 2.3: destination = the service's prefix list, target (gatewayId) = the endpoint.
        assert r["DestinationPrefixListId"] == S3_PL
        assert r["GatewayId"] == vpce
        assert (r["Origin"], r["State"]) == ("CreateRoute", "active")
        assert "DestinationCidrBlock" not in r
    found = ec2.describe_route_tables(Filters=[f("route.gateway-id", vpce)])["RouteTables"]
    assert sorted(t["RouteTableId"] for t in found) == sorted([rtb, rtb2])
    found = ec2.describe_route_tables(Filters=[f("route.destination-prefix-list-id", S3_PL)])["RouteTables"]
    assert sorted(t["RouteTableId"] for t in found) == sorted([rtb, rtb2])


def test_dynamodb_gateway_endpoint(ec2, vpc_id, rtb):
    e = gateway(ec2, vpc_id, rtb, service=DDB)
    [r] = pl_routes(ec2, rtb)
    assert r["DestinationPrefixListId"] == prefix_list_id(ec2, DDB)
    assert r["GatewayId"] == e["VpcEndpointId"]
    # Spec 2.3: one S3 route and one DynamoDB route may share a table.
    s3 = gateway(ec2, vpc_id, rtb)
    assert {(r["DestinationPrefixListId"], r["GatewayId"]) for r in pl_routes(ec2, rtb)} == {
        (prefix_list_id(ec2, DDB), e["VpcEndpointId"]), (S3_PL, s3["VpcEndpointId"])}


def test_gateway_endpoint_custom_policy_is_echoed(ec2, vpc_id, rtb):
    policy = ('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Sid": "OnlyMyBucket", "Effect": "Allow", '
              '"Principal": "*", "Action": ["s3:GetObject", "s3:PutObject"],\n'
              '     "Resource": ["arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"]}\n  ]\n}')
    e = gateway(ec2, vpc_id, rtb, PolicyDocument=policy)
    assert e["PolicyDocument"] == policy
    assert describe_ep(ec2, e["VpcEndpointId"])["PolicyDocument"] == policy


def test_gateway_endpoint_invalid_policy(ec2, vpc_id, rtb):
    # Spec 3.1 (11): "The specified policy document is not a valid JSON policy document".
    expect_error(gateway, ec2, vpc_id, rtb, PolicyDocument="not a policy", code="InvalidPolicyDocument")
    expect_error(gateway, ec2, vpc_id, rtb, PolicyDocument="[1, 2", code="InvalidPolicyDocument")
    assert endpoint_ids(ec2) == []
    assert pl_routes(ec2, rtb) == []
    e = gateway(ec2, vpc_id, rtb)["VpcEndpointId"]
    expect_error(ec2.modify_vpc_endpoint, VpcEndpointId=e, PolicyDocument="[1, 2", code="InvalidPolicyDocument")
    assert describe_ep(ec2, e)["PolicyDocument"] == DEFAULT_GATEWAY_POLICY


def test_gateway_endpoint_truncated_json_policy(ec2, vpc_id, rtb, rtb2):
    expect_error(gateway, ec2, vpc_id, rtb, PolicyDocument='{"Statement": [', code="InvalidPolicyDocument")
    expect_error(gateway, ec2, vpc_id, rtb, PolicyDocument="{not json", code="InvalidPolicyDocument")
    e = gateway(ec2, vpc_id, rtb2)["VpcEndpointId"]
    expect_error(ec2.modify_vpc_endpoint, VpcEndpointId=e, PolicyDocument='{"a" 1}', code="InvalidPolicyDocument")


def test_modify_gateway_route_tables(ec2, vpc_id, rtb, rtb2):
    vpce = gateway(ec2, vpc_id, rtb)["VpcEndpointId"]
    resp = ec2.modify_vpc_endpoint(VpcEndpointId=vpce, AddRouteTableIds=[rtb2])
    assert resp["Return"] is True
    assert sorted(describe_ep(ec2, vpce)["RouteTableIds"]) == sorted([rtb, rtb2])
    assert [r["GatewayId"] for r in pl_routes(ec2, rtb2)] == [vpce]
    ec2.modify_vpc_endpoint(VpcEndpointId=vpce, RemoveRouteTableIds=[rtb])
    assert describe_ep(ec2, vpce)["RouteTableIds"] == [rtb2]
    assert pl_routes(ec2, rtb) == []
    assert [r["GatewayId"] for r in pl_routes(ec2, rtb2)] == [vpce]
    # Both in one call.
    ec2.modify_vpc_endpoint(VpcEndpointId=vpce, AddRouteTableIds=[rtb], RemoveRouteTableIds=[rtb2])
    assert describe_ep(ec2, vpce)["RouteTableIds"] == [rtb]
    assert pl_routes(ec2, rtb2) == [] and len(pl_routes(ec2, rtb)) == 1


def test_modify_gateway_policy_and_reset(ec2, vpc_id, rtb):
    vpce = gateway(ec2, vpc_id, rtb)["VpcEndpointId"]
    policy = json.dumps({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
                                        "Resource": "*"}]})
    ec2.modify_vpc_endpoint(VpcEndpointId=vpce, PolicyDocument=policy)
    assert describe_ep(ec2, vpce)["PolicyDocument"] == policy
    # ModifyVpcEndpoint, ResetPolicy: "Specify true to reset the policy document to the default
    # policy."
    ec2.modify_vpc_endpoint(VpcEndpointId=vpce, ResetPolicy=True)
    assert describe_ep(ec2, vpce)["PolicyDocument"] == DEFAULT_GATEWAY_POLICY


def test_endpoint_route_is_managed_by_the_endpoint(ec2, vpc_id, rtb):
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    vpce = gateway(ec2, vpc_id, rtb)["VpcEndpointId"]
    # Spec 2.3: the route cannot be created, replaced or deleted through the route-table APIs.
    # AWS-UNCONFIRMED: the codes.
    expect_client_error(ec2.delete_route, RouteTableId=rtb, DestinationPrefixListId=S3_PL)
    expect_client_error(ec2.replace_route, RouteTableId=rtb, DestinationPrefixListId=S3_PL, GatewayId=igw)
    expect_client_error(ec2.create_route, RouteTableId=rtb, DestinationPrefixListId=S3_PL, GatewayId=igw)
    # VpcEndpointId on CreateRoute names a Gateway Load Balancer endpoint, not a gateway endpoint.
    expect_client_error(ec2.create_route, RouteTableId=rtb, DestinationCidrBlock="198.51.100.0/24",
                        VpcEndpointId=vpce)
    [r] = pl_routes(ec2, rtb)
    assert (r["GatewayId"], r["State"]) == (vpce, "active")


def test_second_s3_gateway_endpoint_on_the_same_table(ec2, vpc_id, rtb):
    first = gateway(ec2, vpc_id, rtb)["VpcEndpointId"]
    # Spec 2.3 [OBS]: "route table rtb-... already has a route with destination-prefix-list-id
    # pl-..." seen as InvalidParameter, once as RouteAlreadyExists.
    resp = expect_error(gateway, ec2, vpc_id, rtb, code={"InvalidParameter", "RouteAlreadyExists"})
    assert rtb in resp["Error"]["Message"]
    assert endpoint_ids(ec2) == [first]
    assert [r["GatewayId"] for r in pl_routes(ec2, rtb)] == [first]


def test_two_s3_gateway_endpoints_on_different_tables(ec2, vpc_id, rtb, rtb2):
    # Spec 2.3 [DOC]: several gateway endpoints for one service in a VPC, on different tables.
    a = gateway(ec2, vpc_id, rtb)["VpcEndpointId"]
    b = gateway(ec2, vpc_id, rtb2)["VpcEndpointId"]
    assert a != b
    assert [r["GatewayId"] for r in pl_routes(ec2, rtb)] == [a]
    assert [r["GatewayId"] for r in pl_routes(ec2, rtb2)] == [b]
    # Adding a's table to b is the same conflict.
    expect_error(ec2.modify_vpc_endpoint, VpcEndpointId=b, AddRouteTableIds=[rtb],
                 code={"InvalidParameter", "RouteAlreadyExists"})
    assert describe_ep(ec2, b)["RouteTableIds"] == [rtb2]


def test_gateway_endpoint_takes_no_subnets_or_groups(ec2, vpc_id, rtb, subnet_a, sg):
    # Spec 2.1: no ENI, no security group. AWS-UNCONFIRMED: the codes.
    expect_client_error(gateway, ec2, vpc_id, rtb, SubnetIds=[subnet_a])
    expect_client_error(gateway, ec2, vpc_id, rtb, SecurityGroupIds=[sg])
    assert endpoint_ids(ec2) == []
    vpce = gateway(ec2, vpc_id, rtb)["VpcEndpointId"]
    expect_client_error(ec2.modify_vpc_endpoint, VpcEndpointId=vpce, AddSubnetIds=[subnet_a])
    expect_client_error(ec2.modify_vpc_endpoint, VpcEndpointId=vpce, AddSecurityGroupIds=[sg])
    got = describe_ep(ec2, vpce)
    assert got.get("SubnetIds", []) == [] and got.get("Groups", []) == []


def test_gateway_endpoint_route_table_of_another_vpc(ec2, vpc_id):
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    foreign = ec2.create_route_table(VpcId=other)["RouteTable"]["RouteTableId"]
    # Spec 2.3: tables of the same VPC only. AWS-UNCONFIRMED: the code.
    expect_client_error(gateway, ec2, vpc_id, foreign)
    assert endpoint_ids(ec2) == []
    assert pl_routes(ec2, foreign) == []


def test_create_vpc_endpoint_errors(ec2, ec2_raw, vpc_id, rtb):
    expect_error(gateway, ec2, MISSING_VPC_ID, rtb, code="InvalidVpcID.NotFound")
    expect_error(gateway, ec2, vpc_id, "rtb-0123456789abcdef0", code="InvalidRouteTableID.NotFound")
    expect_error(gateway, ec2, vpc_id, rtb, service=f"com.amazonaws.{R}.nope", code="InvalidServiceName")
    # A service of another region is unknown here (spec 3.1).
    expect_error(gateway, ec2, vpc_id, rtb, service="com.amazonaws.us-east-1.s3", code="InvalidServiceName")
    # ssm offers no gateway endpoint. AWS-UNCONFIRMED: the code (InvalidParameter or
    # InvalidVpcEndpointType, spec 3.1 (3)).
    expect_client_error(gateway, ec2, vpc_id, rtb, service=SSM)
    expect_error(ec2_raw.create_vpc_endpoint, VpcId=vpc_id, code="MissingParameter")
    expect_error(ec2_raw.create_vpc_endpoint, ServiceName=S3, code="MissingParameter")
    expect_dry_run(ec2.create_vpc_endpoint, VpcId=vpc_id, ServiceName=S3, RouteTableIds=[rtb])
    assert endpoint_ids(ec2) == []
    assert pl_routes(ec2, rtb) == []


def test_delete_gateway_endpoint_removes_its_routes(ec2, vpc_id, rtb, rtb2):
    vpce = gateway(ec2, vpc_id, rtb, rtb2)["VpcEndpointId"]
    expect_dry_run(ec2.delete_vpc_endpoints, VpcEndpointIds=[vpce])
    resp = ec2.delete_vpc_endpoints(VpcEndpointIds=[vpce])
    assert resp.get("Unsuccessful", []) == []
    assert pl_routes(ec2, rtb) == [] and pl_routes(ec2, rtb2) == []
    assert wait_until(lambda: gone(ec2, vpce))
    # The tables are free again.
    ec2.delete_route_table(RouteTableId=rtb)


def test_delete_vpc_endpoints_reports_missing_ids(ec2, vpc_id, rtb):
    vpce = gateway(ec2, vpc_id, rtb)["VpcEndpointId"]
    # Spec 10.1 [OBS]: DeleteVpcEndpoints never fails for a missing id; it answers HTTP 200 with
    # an unsuccessful item.
    resp = ec2.delete_vpc_endpoints(VpcEndpointIds=[MISSING_VPCE, vpce])
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    [bad] = resp["Unsuccessful"]
    assert bad["ResourceId"] == MISSING_VPCE
    assert bad["Error"]["Code"] == "InvalidVpcEndpointId.NotFound"
    assert bad["Error"]["Message"]
    assert wait_until(lambda: gone(ec2, vpce))
    assert pl_routes(ec2, rtb) == []


def test_describe_unknown_endpoint(ec2, vpc_id, rtb):
    gateway(ec2, vpc_id, rtb)
    # Spec 10.1: an unknown id fails the whole call.
    resp = expect_error(ec2.describe_vpc_endpoints, VpcEndpointIds=[MISSING_VPCE],
                        code="InvalidVpcEndpointId.NotFound")
    assert MISSING_VPCE in resp["Error"]["Message"]
    expect_error(ec2.describe_vpc_endpoints, VpcEndpointIds=["vpce-xyz"], code="InvalidVpcEndpointId.Malformed")
    expect_error(ec2.modify_vpc_endpoint, VpcEndpointId=MISSING_VPCE, ResetPolicy=True,
                 code="InvalidVpcEndpointId.NotFound")


def test_dry_runs(ec2, vpc_id, rtb, rtb2):
    vpce = gateway(ec2, vpc_id, rtb)["VpcEndpointId"]
    expect_dry_run(ec2.describe_vpc_endpoints)
    expect_dry_run(ec2.describe_vpc_endpoint_services)
    expect_dry_run(ec2.modify_vpc_endpoint, VpcEndpointId=vpce, AddRouteTableIds=[rtb2])
    assert describe_ep(ec2, vpce)["RouteTableIds"] == [rtb]
    assert pl_routes(ec2, rtb2) == []


def test_route_table_with_an_endpoint_cannot_be_deleted(ec2, vpc_id, rtb):
    vpce = gateway(ec2, vpc_id, rtb)["VpcEndpointId"]
    # [OBS] DependencyViolation "The routeTable 'rtb-...' has dependencies and cannot be deleted."
    expect_error(ec2.delete_route_table, RouteTableId=rtb, code="DependencyViolation")
    ec2.modify_vpc_endpoint(VpcEndpointId=vpce, RemoveRouteTableIds=[rtb])
    ec2.delete_route_table(RouteTableId=rtb)


def test_vpc_with_endpoints_cannot_be_deleted(ec2, vpc_id):
    main = ec2.describe_route_tables(Filters=[f("vpc-id", vpc_id)])["RouteTables"][0]["RouteTableId"]
    vpce = gateway(ec2, vpc_id, main)["VpcEndpointId"]
    expect_error(ec2.delete_vpc, VpcId=vpc_id, code="DependencyViolation")
    ec2.delete_vpc_endpoints(VpcEndpointIds=[vpce])
    assert wait_until(lambda: gone(ec2, vpce))
    ec2.delete_vpc(VpcId=vpc_id)


def test_endpoints_are_per_account(make_client, ec2, vpc_id, rtb, is_external):
    if is_external:
        pytest.skip("account mapping of an external server is unknown")
    vpce = gateway(ec2, vpc_id, rtb)["VpcEndpointId"]
    alpha = make_client(access_key=ALPHA_KEY)
    expect_error(alpha.describe_vpc_endpoints, VpcEndpointIds=[vpce], code="InvalidVpcEndpointId.NotFound")
    assert alpha.describe_vpc_endpoints()["VpcEndpoints"] == []
    resp = alpha.delete_vpc_endpoints(VpcEndpointIds=[vpce])
    assert [u["Error"]["Code"] for u in resp["Unsuccessful"]] == ["InvalidVpcEndpointId.NotFound"]
    describe_ep(ec2, vpce)


# --------------------------------------------------------------------------- interface endpoints: ENIs


def test_interface_endpoint_creates_one_eni_per_subnet(ec2, vpc_id, subnet_a, subnet_c, sg):
    before = {s: free_ips(ec2, s) for s in (subnet_a, subnet_c)}
    e = interface(ec2, vpc_id, subnet_a, subnet_c, SecurityGroupIds=[sg])
    vpce = e["VpcEndpointId"]
    assert VPCE_ID_RE.match(vpce)
    assert e["VpcEndpointType"] == "Interface"
    assert sorted(e["SubnetIds"]) == sorted([subnet_a, subnet_c])
    assert e["Groups"] == [{"GroupId": sg, "GroupName": "endpoints"}]
    assert e.get("RouteTableIds", []) == []
    assert len(e["NetworkInterfaceIds"]) == 2
    subnets = {s["SubnetId"]: s for s in ec2.describe_subnets(SubnetIds=[subnet_a, subnet_c])["Subnets"]}
    seen_subnets = set()
    for n in enis(ec2, e["NetworkInterfaceIds"]):
        assert ENI_ID_RE.match(n["NetworkInterfaceId"])
        # Spec 3.2: the requester-managed ENI of an endpoint.
        assert n["InterfaceType"] == "vpc_endpoint"
        assert n["Description"] == f"VPC Endpoint Interface {vpce}"
        assert n["RequesterManaged"] is True
        assert n["Status"] == "in-use"
        assert n["OwnerId"] == UNKNOWN_KEY_ACCOUNT
        assert n["VpcId"] == vpc_id
        assert [g["GroupId"] for g in n["Groups"]] == [sg]
        sub = subnets[n["SubnetId"]]
        assert n["AvailabilityZone"] == sub["AvailabilityZone"]
        net = ipaddress.ip_network(sub["CidrBlock"])
        ip = ipaddress.ip_address(n["PrivateIpAddress"])
        assert ip in net
        reserved = {net[0], net[1], net[2], net[3], net[-1]}
        assert ip not in reserved
        seen_subnets.add(n["SubnetId"])
    assert seen_subnets == {subnet_a, subnet_c}
    for s in (subnet_a, subnet_c):
        assert free_ips(ec2, s) == before[s] - 1
    found = ec2.describe_network_interfaces(Filters=[f("requester-managed", "true"), f("vpc-id", vpc_id)])
    assert sorted(n["NetworkInterfaceId"] for n in found["NetworkInterfaces"]) == sorted(e["NetworkInterfaceIds"])


def test_interface_endpoint_uses_the_default_group(ec2, vpc_id, subnet_a):
    e = interface(ec2, vpc_id, subnet_a)
    dflt = default_sg(ec2, vpc_id)
    assert [g["GroupId"] for g in e["Groups"]] == [dflt]
    [n] = enis(ec2, e["NetworkInterfaceIds"])
    assert [g["GroupId"] for g in n["Groups"]] == [dflt]


def test_interface_endpoint_state_and_default_policy(ec2, vpc_id, subnet_a):
    e = interface(ec2, vpc_id, subnet_a)
    # AWS answers CreateVpcEndpoint while the interface endpoint is provisioned.
    assert e["State"] == "pending"
    assert e["RequesterManaged"] is False
    assert e["OwnerId"] == UNKNOWN_KEY_ACCOUNT
    got = available(ec2, e["VpcEndpointId"])
    assert got["PolicyDocument"] == DEFAULT_INTERFACE_POLICY


def test_interface_endpoint_dns_entries(ec2, dns_vpc, subnet_a, subnet_c):
    e = interface(ec2, dns_vpc, subnet_a, subnet_c, PrivateDnsEnabled=True)
    vpce = e["VpcEndpointId"]
    assert e["PrivateDnsEnabled"] is True
    base = f"ssm.{R}.vpce.amazonaws.com"

    def check(entries, private_zone):
        names = [d["DnsName"] for d in entries]
        assert len(names) == 4, names
        m = re.fullmatch(rf"({vpce})-([a-z0-9]{{8}})\.{re.escape(base)}", names[0])
        assert m, names[0]
        token = m.group(2)
        # Spec 3.3: regional first, then one zonal name per AZ (any order), then the private names.
        assert sorted(names[1:3]) == sorted(f"{vpce}-{token}-{az}.{base}" for az in (f"{R}a", f"{R}c"))
        assert names[3] == f"ssm.{R}.amazonaws.com"
        assert [d["HostedZoneId"] for d in entries[:3]] == [VPCE_ZONE] * 3
        private_zone(entries[3]["HostedZoneId"])
        return token

    def pending_zone(z):
        assert z == "ZONEIDPENDING"

    def real_zone(z):
        assert z != "ZONEIDPENDING" and re.fullmatch(r"Z[0-9A-Z]{8,32}", z), z

    assert e["State"] == "pending"
    token = check(e["DnsEntries"], pending_zone)
    got = available(ec2, vpce)
    assert check(got["DnsEntries"], real_zone) == token


def test_interface_endpoint_without_private_dns(ec2, dns_vpc, subnet_a):
    e = interface(ec2, dns_vpc, subnet_a, PrivateDnsEnabled=False)
    got = available(ec2, e["VpcEndpointId"])
    assert got["PrivateDnsEnabled"] is False
    names = [d["DnsName"] for d in got["DnsEntries"]]
    assert len(names) == 2
    assert not any(n == f"ssm.{R}.amazonaws.com" for n in names)
    assert names[1].endswith(f"-{R}a.ssm.{R}.vpce.amazonaws.com")


def test_ecr_dkr_dns_names(ec2, dns_vpc, subnet_a):
    e = interface(ec2, dns_vpc, subnet_a, service=ECR_DKR, PrivateDnsEnabled=True)
    got = available(ec2, e["VpcEndpointId"])
    names = [d["DnsName"] for d in got["DnsEntries"]]
    assert names[0].endswith(f".dkr.ecr.{R}.vpce.amazonaws.com")
    assert names[1].endswith(f"-{R}a.dkr.ecr.{R}.vpce.amazonaws.com")
    # Spec 3.4: both dkr.ecr.R.amazonaws.com and *.dkr.ecr.R.amazonaws.com.
    assert set(names[2:]) == {f"dkr.ecr.{R}.amazonaws.com", f"*.dkr.ecr.{R}.amazonaws.com"}


def test_private_dns_needs_dns_support_and_hostnames(ec2, vpc_id, subnet_a):
    # A new VPC has enableDnsHostnames=false. Spec 3.4 [OBS]: InvalidParameter "Enabling private
    # DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true".
    resp = expect_error(interface, ec2, vpc_id, subnet_a, PrivateDnsEnabled=True, code="InvalidParameter")
    assert "enableDnsHostnames" in resp["Error"]["Message"]
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": False})
    expect_error(interface, ec2, vpc_id, subnet_a, PrivateDnsEnabled=True, code="InvalidParameter")
    assert endpoint_ids(ec2) == []
    assert endpoint_enis_in_vpc(ec2, vpc_id) == []
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": True})
    interface(ec2, vpc_id, subnet_a, PrivateDnsEnabled=True)


def test_conflicting_private_dns_domain(ec2, dns_vpc, subnet_a, subnet_c):
    interface(ec2, dns_vpc, subnet_a, PrivateDnsEnabled=True)
    # Spec 3.4 [OBS]: "private-dns-enabled cannot be set because there is already a conflicting
    # DNS domain for ssm.ap-northeast-1.amazonaws.com in the VPC vpc-...".
    resp = expect_error(interface, ec2, dns_vpc, subnet_c, PrivateDnsEnabled=True, code="InvalidParameter")
    assert "conflicting DNS domain" in resp["Error"]["Message"]
    assert f"ssm.{R}.amazonaws.com" in resp["Error"]["Message"]
    # Without private DNS a second endpoint for the service is fine.
    interface(ec2, dns_vpc, subnet_c, PrivateDnsEnabled=False)
    assert len(endpoint_ids(ec2)) == 2


def test_two_subnets_in_one_zone(ec2, vpc_id, subnet_a):
    other_a = make_subnet(ec2, vpc_id, "10.0.9.0/24", f"{R}a")
    # Spec 3.1 (5) [DOC]: DuplicateSubnetsInSameZone.
    expect_error(interface, ec2, vpc_id, subnet_a, other_a, code="DuplicateSubnetsInSameZone")
    assert endpoint_ids(ec2) == []
    assert endpoint_enis_in_vpc(ec2, vpc_id) == []


def test_subnet_of_another_vpc(ec2, vpc_id):
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    foreign = make_subnet(ec2, other, "10.1.1.0/24", f"{R}a")
    # AWS-UNCONFIRMED: the code.
    expect_client_error(interface, ec2, vpc_id, foreign)
    expect_error(interface, ec2, vpc_id, MISSING_SUBNET_ID, code="InvalidSubnetID.NotFound")
    assert endpoint_ids(ec2) == []
    assert endpoint_enis_in_vpc(ec2, other) == []


def test_security_group_errors(ec2, vpc_id, subnet_a):
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    foreign = ec2.create_security_group(GroupName="x", Description="x", VpcId=other)["GroupId"]
    expect_error(interface, ec2, vpc_id, subnet_a, SecurityGroupIds=["sg-0123456789abcdef0"],
                 code="InvalidGroup.NotFound")
    # Spec 3.1 (6): groups of the endpoint's VPC only. AWS-UNCONFIRMED: the code.
    expect_client_error(interface, ec2, vpc_id, subnet_a, SecurityGroupIds=[foreign])
    assert endpoint_ids(ec2) == []


def test_failed_create_leaves_nothing_behind(ec2, vpc_id, subnet_a):
    before = free_ips(ec2, subnet_a)
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    foreign = make_subnet(ec2, other, "10.1.1.0/24", f"{R}c")
    # The first subnet is fine, the second is not: no ENI may be left in the first.
    expect_client_error(interface, ec2, vpc_id, subnet_a, foreign)
    expect_error(interface, ec2, vpc_id, subnet_a, MISSING_SUBNET_ID, code="InvalidSubnetID.NotFound")
    assert endpoint_ids(ec2) == []
    assert ec2.describe_network_interfaces(Filters=[f("subnet-id", subnet_a)])["NetworkInterfaces"] == []
    assert free_ips(ec2, subnet_a) == before


def test_subnet_configurations_choose_the_address(ec2, vpc_id, subnet_a, subnet_c):
    e = interface(ec2, vpc_id, subnet_a, subnet_c, SubnetConfigurations=[
        {"SubnetId": subnet_a, "Ipv4": "10.0.1.20"}, {"SubnetId": subnet_c, "Ipv4": "10.0.2.30"}])
    ips = {n["SubnetId"]: n["PrivateIpAddress"] for n in enis(ec2, e["NetworkInterfaceIds"])}
    assert ips == {subnet_a: "10.0.1.20", subnet_c: "10.0.2.30"}


def test_subnet_configuration_address_in_use(ec2, vpc_id, subnet_a):
    ec2.create_network_interface(SubnetId=subnet_a, PrivateIpAddress="10.0.1.20")
    # Error-code reference, InvalidIPAddress.InUse: "The specified IP address is already in use."
    expect_error(interface, ec2, vpc_id, subnet_a, SubnetConfigurations=[{"SubnetId": subnet_a, "Ipv4": "10.0.1.20"}],
                 code="InvalidIPAddress.InUse")
    assert endpoint_ids(ec2) == []
    assert endpoint_enis_in_vpc(ec2, vpc_id) == []


def test_endpoint_enis_cannot_be_deleted_by_the_user(ec2, vpc_id, subnet_a, sg2):
    e = interface(ec2, vpc_id, subnet_a)
    [eni] = e["NetworkInterfaceIds"]
    # Spec 3.2 [DOC]: the customer cannot delete or modify a requester-managed ENI.
    # AWS-UNCONFIRMED: the codes (OperationNotPermitted / InvalidNetworkInterface.InUse).
    expect_client_error(ec2.delete_network_interface, NetworkInterfaceId=eni)
    expect_client_error(ec2.modify_network_interface_attribute, NetworkInterfaceId=eni, Groups=[sg2])
    [n] = enis(ec2, [eni])
    assert [g["GroupId"] for g in n["Groups"]] == [default_sg(ec2, vpc_id)]
    # Tags are allowed.
    ec2.create_tags(Resources=[eni], Tags=[{"Key": "Name", "Value": "ssm-endpoint"}])
    assert tags_of({"Tags": enis(ec2, [eni])[0]["TagSet"]}) == {"Name": "ssm-endpoint"}


def test_subnet_and_group_in_use_by_an_endpoint(ec2, vpc_id, subnet_a, sg):
    vpce = interface(ec2, vpc_id, subnet_a, SecurityGroupIds=[sg])["VpcEndpointId"]
    # Spec 10.1: a subnet holding endpoint ENIs cannot be deleted (DependencyViolation); nor can
    # a group they use.
    expect_error(ec2.delete_subnet, SubnetId=subnet_a, code="DependencyViolation")
    expect_error(ec2.delete_security_group, GroupId=sg, code="DependencyViolation")
    ec2.delete_vpc_endpoints(VpcEndpointIds=[vpce])
    assert wait_until(lambda: gone(ec2, vpce))
    ec2.delete_security_group(GroupId=sg)
    ec2.delete_subnet(SubnetId=subnet_a)


# --------------------------------------------------------------------------- ModifyVpcEndpoint (interface)


def test_modify_subnets_creates_and_deletes_enis(ec2, vpc_id, subnet_a, subnet_c, subnet_d):
    e = interface(ec2, vpc_id, subnet_a)
    vpce = e["VpcEndpointId"]
    [first] = e["NetworkInterfaceIds"]
    assert ec2.modify_vpc_endpoint(VpcEndpointId=vpce, AddSubnetIds=[subnet_c, subnet_d])["Return"] is True
    got = available(ec2, vpce)
    assert sorted(got["SubnetIds"]) == sorted([subnet_a, subnet_c, subnet_d])
    assert len(got["NetworkInterfaceIds"]) == 3 and first in got["NetworkInterfaceIds"]
    assert {n["SubnetId"] for n in enis(ec2, got["NetworkInterfaceIds"])} == {subnet_a, subnet_c, subnet_d}
    assert len([d for d in got["DnsEntries"] if d["DnsName"].startswith(f"{vpce}-")]) == 4
    ec2.modify_vpc_endpoint(VpcEndpointId=vpce, RemoveSubnetIds=[subnet_a])
    got = available(ec2, vpce)
    assert sorted(got["SubnetIds"]) == sorted([subnet_c, subnet_d])
    assert first not in got["NetworkInterfaceIds"]
    expect_error(ec2.describe_network_interfaces, NetworkInterfaceIds=[first],
                 code="InvalidNetworkInterfaceID.NotFound")
    assert not any(d["DnsName"].endswith(f"-{R}a.ssm.{R}.vpce.amazonaws.com") for d in got["DnsEntries"])
    # A second subnet in an AZ the endpoint already serves.
    other_c = make_subnet(ec2, vpc_id, "10.0.9.0/24", f"{R}c")
    expect_error(ec2.modify_vpc_endpoint, VpcEndpointId=vpce, AddSubnetIds=[other_c],
                 code="DuplicateSubnetsInSameZone")
    assert sorted(describe_ep(ec2, vpce)["SubnetIds"]) == sorted([subnet_c, subnet_d])


def test_modify_security_groups_updates_the_enis(ec2, vpc_id, subnet_a, subnet_c, sg, sg2):
    e = interface(ec2, vpc_id, subnet_a, subnet_c, SecurityGroupIds=[sg])
    vpce = e["VpcEndpointId"]
    ec2.modify_vpc_endpoint(VpcEndpointId=vpce, AddSecurityGroupIds=[sg2])
    got = available(ec2, vpce)
    assert sorted(g["GroupId"] for g in got["Groups"]) == sorted([sg, sg2])
    for n in enis(ec2, got["NetworkInterfaceIds"]):
        assert sorted(g["GroupId"] for g in n["Groups"]) == sorted([sg, sg2])
    ec2.modify_vpc_endpoint(VpcEndpointId=vpce, RemoveSecurityGroupIds=[sg])
    got = available(ec2, vpce)
    assert [g["GroupId"] for g in got["Groups"]] == [sg2]
    for n in enis(ec2, got["NetworkInterfaceIds"]):
        assert [g["GroupId"] for g in n["Groups"]] == [sg2]


def test_modify_private_dns(ec2, dns_vpc, subnet_a):
    vpce = interface(ec2, dns_vpc, subnet_a, PrivateDnsEnabled=False)["VpcEndpointId"]
    private = f"ssm.{R}.amazonaws.com"
    ec2.modify_vpc_endpoint(VpcEndpointId=vpce, PrivateDnsEnabled=True)
    got = available(ec2, vpce)
    assert got["PrivateDnsEnabled"] is True
    assert got["DnsEntries"][-1]["DnsName"] == private
    ec2.modify_vpc_endpoint(VpcEndpointId=vpce, PrivateDnsEnabled=False)
    got = available(ec2, vpce)
    assert got["PrivateDnsEnabled"] is False
    assert private not in [d["DnsName"] for d in got["DnsEntries"]]


# --------------------------------------------------------------------------- S3 interface endpoints


def test_s3_interface_endpoint_names_are_wildcards(ec2, vpc_id, subnet_a):
    e = interface(ec2, vpc_id, subnet_a, service=S3)
    got = available(ec2, e["VpcEndpointId"])
    names = [d["DnsName"] for d in got["DnsEntries"]]
    # Spec 3.3 (aws-cli create-vpc-endpoint example 2): *.vpce-...-xxxxxxxx.s3.R.vpce.amazonaws.com.
    assert len(names) == 2
    assert re.fullmatch(rf"\*\.{e['VpcEndpointId']}-[a-z0-9]{{8}}\.s3\.{R}\.vpce\.amazonaws\.com", names[0]), names
    assert re.fullmatch(rf"\*\.{e['VpcEndpointId']}-[a-z0-9]{{8}}-{R}a\.s3\.{R}\.vpce\.amazonaws\.com", names[1]), names


def test_s3_private_dns_needs_a_gateway_endpoint(ec2, dns_vpc, subnet_a, subnet_c, rtb):
    # Spec 3.7: with private DNS on, PrivateDnsOnlyForInboundResolverEndpoint defaults to true
    # and needs an S3 gateway endpoint in the VPC.
    resp = expect_error(interface, ec2, dns_vpc, subnet_a, service=S3, PrivateDnsEnabled=True,
                        code="InvalidParameter")
    assert "Gateway endpoint" in resp["Error"]["Message"]
    assert endpoint_ids(ec2) == []
    # ...unless the option is turned off.
    e = interface(ec2, dns_vpc, subnet_a, service=S3, PrivateDnsEnabled=True,
                  DnsOptions={"PrivateDnsOnlyForInboundResolverEndpoint": False})
    assert e["DnsOptions"]["PrivateDnsOnlyForInboundResolverEndpoint"] is False
    ec2.delete_vpc_endpoints(VpcEndpointIds=[e["VpcEndpointId"]])
    assert wait_until(lambda: gone(ec2, e["VpcEndpointId"]))


def test_s3_inbound_only_option_defaults_to_true(ec2, dns_vpc, subnet_a, rtb):
    gw = gateway(ec2, dns_vpc, rtb)["VpcEndpointId"]
    e = interface(ec2, dns_vpc, subnet_a, service=S3, PrivateDnsEnabled=True)
    assert e["DnsOptions"]["PrivateDnsOnlyForInboundResolverEndpoint"] is True
    got = available(ec2, e["VpcEndpointId"])
    assert got["DnsOptions"]["PrivateDnsOnlyForInboundResolverEndpoint"] is True
    assert f"s3.{R}.amazonaws.com" in [d["DnsName"] for d in got["DnsEntries"]]
    # While the option is on, the gateway endpoint cannot go (spec 3.7 [DOC]).
    # AWS-UNCONFIRMED: the code of the unsuccessful item.
    resp = ec2.delete_vpc_endpoints(VpcEndpointIds=[gw])
    [bad] = resp["Unsuccessful"]
    assert bad["ResourceId"] == gw and bad["Error"]["Code"]
    assert describe_ep(ec2, gw)["State"] == "available"
    # Clear the option first, then the gateway endpoint can be deleted.
    ec2.modify_vpc_endpoint(VpcEndpointId=e["VpcEndpointId"],
                            DnsOptions={"PrivateDnsOnlyForInboundResolverEndpoint": False})
    assert available(ec2, e["VpcEndpointId"])["DnsOptions"]["PrivateDnsOnlyForInboundResolverEndpoint"] is False
    assert ec2.delete_vpc_endpoints(VpcEndpointIds=[gw]).get("Unsuccessful", []) == []
    assert wait_until(lambda: gone(ec2, gw))


# --------------------------------------------------------------------------- idempotency, tags, filters


def test_client_token_idempotency(ec2, vpc_id, subnet_a, subnet_c):
    resp = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=SSM, VpcEndpointType="Interface",
                                   SubnetIds=[subnet_a], ClientToken="token-1")
    assert resp["ClientToken"] == "token-1"
    first = resp["VpcEndpoint"]
    again = interface(ec2, vpc_id, subnet_a, ClientToken="token-1")
    # Spec 3.1 (12) [DOC]: same token and parameters -> the original endpoint.
    assert again["VpcEndpointId"] == first["VpcEndpointId"]
    assert again["NetworkInterfaceIds"] == first["NetworkInterfaceIds"]
    assert endpoint_ids(ec2) == [first["VpcEndpointId"]]
    assert len(endpoint_enis_in_vpc(ec2, vpc_id)) == 1
    # Different parameters with the same token.
    expect_error(interface, ec2, vpc_id, subnet_c, ClientToken="token-1", code="IdempotentParameterMismatch")
    assert endpoint_ids(ec2) == [first["VpcEndpointId"]]
    other = interface(ec2, vpc_id, subnet_c, ClientToken="token-2")
    assert other["VpcEndpointId"] != first["VpcEndpointId"]


def test_tags_and_tag_filters(ec2, vpc_id, subnet_a, rtb):
    a = interface(ec2, vpc_id, subnet_a, TagSpecifications=tag_spec("vpc-endpoint", Env="prod", Name="ssm"))
    b = gateway(ec2, vpc_id, rtb, TagSpecifications=tag_spec("vpc-endpoint", Env="dev"))
    assert tags_of(a) == {"Env": "prod", "Name": "ssm"}
    assert tags_of(describe_ep(ec2, b["VpcEndpointId"])) == {"Env": "dev"}
    assert endpoint_ids(ec2, f("tag:Env", "prod")) == [a["VpcEndpointId"]]
    assert endpoint_ids(ec2, f("tag:Env", "prod", "dev")) == sorted([a["VpcEndpointId"], b["VpcEndpointId"]])
    assert endpoint_ids(ec2, f("tag-key", "Name")) == [a["VpcEndpointId"]]
    ec2.create_tags(Resources=[b["VpcEndpointId"]], Tags=[{"Key": "Name", "Value": "s3"}])
    assert endpoint_ids(ec2, f("tag-key", "Name")) == sorted([a["VpcEndpointId"], b["VpcEndpointId"]])


def test_describe_vpc_endpoints_filters(ec2, vpc_id, subnet_a, rtb):
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    other_rtb = ec2.create_route_table(VpcId=other)["RouteTable"]["RouteTableId"]
    i = interface(ec2, vpc_id, subnet_a)["VpcEndpointId"]
    g = gateway(ec2, vpc_id, rtb)["VpcEndpointId"]
    d = gateway(ec2, other, other_rtb, service=DDB)["VpcEndpointId"]
    available(ec2, i)
    assert endpoint_ids(ec2) == sorted([i, g, d])
    assert endpoint_ids(ec2, f("vpc-id", vpc_id)) == sorted([i, g])
    assert endpoint_ids(ec2, f("vpc-id", other)) == [d]
    assert endpoint_ids(ec2, f("service-name", S3)) == [g]
    assert endpoint_ids(ec2, f("service-name", SSM, DDB)) == sorted([i, d])
    assert endpoint_ids(ec2, f("vpc-endpoint-type", "Interface")) == [i]
    assert endpoint_ids(ec2, f("vpc-endpoint-type", "Gateway")) == sorted([g, d])
    assert endpoint_ids(ec2, f("vpc-endpoint-state", "available")) == sorted([i, g, d])
    assert endpoint_ids(ec2, f("vpc-endpoint-state", "pending")) == []
    assert endpoint_ids(ec2, f("vpc-endpoint-id", g, d)) == sorted([g, d])
    assert endpoint_ids(ec2, f("vpc-id", vpc_id), f("vpc-endpoint-type", "Gateway")) == [g]
    assert endpoint_ids(ec2, f("service-region", R)) == sorted([i, g, d])
    assert sorted(e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints(VpcEndpointIds=[i, d])["VpcEndpoints"]) \
        == sorted([i, d])
    expect_error(ec2.describe_vpc_endpoints, Filters=[f("colour", "red")], code="InvalidParameterValue")


def test_describe_vpc_endpoints_pagination(ec2, vpc_id):
    tables = [ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"] for _ in range(5)]
    made = sorted(gateway(ec2, vpc_id, t)["VpcEndpointId"] for t in tables)
    items, sizes = all_pages(ec2.describe_vpc_endpoints, "VpcEndpoints", MaxResults=2)
    assert sorted(e["VpcEndpointId"] for e in items) == made
    assert sizes == [2, 2, 1]


def test_delete_interface_endpoint_removes_its_enis(ec2, vpc_id, subnet_a, subnet_c):
    before = {s: free_ips(ec2, s) for s in (subnet_a, subnet_c)}
    e = interface(ec2, vpc_id, subnet_a, subnet_c)
    vpce = e["VpcEndpointId"]
    resp = ec2.delete_vpc_endpoints(VpcEndpointIds=[vpce])
    assert resp.get("Unsuccessful", []) == []
    assert wait_until(lambda: gone(ec2, vpce))
    assert wait_until(lambda: endpoint_enis_in_vpc(ec2, vpc_id) == [])
    for eni in e["NetworkInterfaceIds"]:
        expect_error(ec2.describe_network_interfaces, NetworkInterfaceIds=[eni],
                     code="InvalidNetworkInterfaceID.NotFound")
    assert {s: free_ips(ec2, s) for s in (subnet_a, subnet_c)} == before


# --------------------------------------------------------------------------- aws CLI


def test_cli_vpc_endpoint_flow(cli, ec2, vpc_id, rtb, rtb2, subnet_a, subnet_c, sg):
    run = lambda *args, **kw: cli("ec2", *args, **kw)  # noqa: E731
    gw = run("create-vpc-endpoint", "--vpc-id", vpc_id, "--service-name", S3,
             "--route-table-ids", rtb).json["VpcEndpoint"]
    assert gw["VpcEndpointType"] == "Gateway" and gw["State"] == "available"
    assert gw["PolicyDocument"] == DEFAULT_GATEWAY_POLICY
    iface = run("create-vpc-endpoint", "--vpc-id", vpc_id, "--vpc-endpoint-type", "Interface",
                "--service-name", SSM, "--subnet-ids", subnet_a, "--security-group-ids", sg,
                "--tag-specifications", "ResourceType=vpc-endpoint,Tags=[{Key=service,Value=SSM}]").json["VpcEndpoint"]
    assert iface["State"] == "pending"
    assert iface["Groups"][0]["GroupId"] == sg
    listed = run("describe-vpc-endpoints", "--filters", f"Name=vpc-id,Values={vpc_id}").json["VpcEndpoints"]
    assert sorted(e["VpcEndpointId"] for e in listed) == sorted([gw["VpcEndpointId"], iface["VpcEndpointId"]])
    assert run("modify-vpc-endpoint", "--vpc-endpoint-id", gw["VpcEndpointId"],
               "--add-route-table-ids", rtb2, "--remove-route-table-ids", rtb).json == {"Return": True}
    run("modify-vpc-endpoint", "--vpc-endpoint-id", iface["VpcEndpointId"], "--add-subnet-ids", subnet_c)
    got = {e["VpcEndpointId"]: e for e in run("describe-vpc-endpoints", "--vpc-endpoint-ids", gw["VpcEndpointId"],
                                              iface["VpcEndpointId"]).json["VpcEndpoints"]}
    assert got[gw["VpcEndpointId"]]["RouteTableIds"] == [rtb2]
    assert sorted(got[iface["VpcEndpointId"]]["SubnetIds"]) == sorted([subnet_a, subnet_c])
    assert tags_of(got[iface["VpcEndpointId"]]) == {"service": "SSM"}
    catalogue = run("describe-vpc-endpoint-services", "--service-names", SSM).json
    assert catalogue["ServiceNames"] == [SSM]
    out = run("delete-vpc-endpoints", "--vpc-endpoint-ids", gw["VpcEndpointId"], iface["VpcEndpointId"],
              MISSING_VPCE).json
    assert [(u["ResourceId"], u["Error"]["Code"]) for u in out["Unsuccessful"]] == [
        (MISSING_VPCE, "InvalidVpcEndpointId.NotFound")]
    assert wait_until(lambda: gone(ec2, gw["VpcEndpointId"]) and gone(ec2, iface["VpcEndpointId"]))
    assert pl_routes(ec2, rtb2) == []
    assert endpoint_enis_in_vpc(ec2, vpc_id) == []
    bad = run("describe-vpc-endpoints", "--vpc-endpoint-ids", MISSING_VPCE, check=False)
    assert bad.returncode != 0 and "InvalidVpcEndpointId.NotFound" in bad.stderr


def test_dual_stack_endpoints_are_refused_as_not_emulated(ec2, vpc_id, subnet_a):
    for kw in ({"IpAddressType": "dualstack"},
               {"SubnetConfigurations": [{"SubnetId": subnet_a, "Ipv6": "2600:1f00::10"}]}):
        extra = {} if "SubnetConfigurations" in kw else {"SubnetIds": [subnet_a]}
        err = expect_error(ec2.create_vpc_endpoint, VpcId=vpc_id, ServiceName=SSM, VpcEndpointType="Interface",
                           code=NOT_EMULATED, **extra, **kw)
        assert "localvpc does not emulate" in err["Error"]["Message"], err
    assert ec2.describe_vpc_endpoints()["VpcEndpoints"] == []

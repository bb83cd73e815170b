#!/usr/bin/env python3
"""Scenario 1 with boto3: an S3 *gateway* endpoint on a private subnet's route table, with an
endpoint policy that allows only s3:GetObject, s3:PutObject and s3:ListBucket on one bucket, and
an instance in that subnet (the workload that uses S3 through it).

    python examples/1-s3-gateway-endpoint/boto3_scenario.py [--endpoint URL] [--keep]
    python examples/1-s3-gateway-endpoint/boto3_scenario.py --destroy     # after --keep

Builds the VPC, verifies the result with asserts, prints a summary and what DNS answers where
(asserting the answers too), and deletes everything again
unless --keep (the ids are kept in --state-file for a later --destroy). The endpoint defaults to
$LOCALVPC_ENDPOINT or http://127.0.0.1:4566; the access key "test" maps to account 000000000000.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys
import tempfile
from pathlib import Path

import boto3

# examples/dnsviews.py: the scenario's DNS questions, asked of localvpc's DNS server (real packets
# when dnspython is installed, else POST /_localvpc/dns/explain).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import dnsviews  # noqa: E402

REGION = "ap-northeast-1"
EXAMPLE = "1-s3-gateway-endpoint"
ACCESS_KEY = os.environ.get("EXAMPLE_ACCESS_KEY", "test")
BUCKET = "arn:aws:s3:::example-bucket"
S3_NAME = f"s3.{REGION}.amazonaws.com"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "ExampleBucketOnly",
        "Effect": "Allow",
        "Principal": "*",
        "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
        "Resource": [BUCKET, f"{BUCKET}/*"],
    }],
}


class State(dict):
    """The ids created so far, written to a file after every change (for --destroy)."""

    def __init__(self, path: Path, initial: dict | None = None):
        super().__init__(initial or {})
        self.path = path

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self.path.write_text(json.dumps(self, indent=2))


def tags(resource_type: str, name: str) -> list[dict]:
    return [{"ResourceType": resource_type,
             "Tags": [{"Key": "Name", "Value": name}, {"Key": "Example", "Value": EXAMPLE}]}]


def build(ec2, st: State) -> None:
    # 1. A VPC with one private subnet (no internet gateway anywhere) and its own route table.
    st["vpc_id"] = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=tags("vpc", "s3gw-vpc"))["Vpc"]["VpcId"]
    st["subnet_id"] = ec2.create_subnet(
        VpcId=st["vpc_id"], CidrBlock="10.0.1.0/24", AvailabilityZone=f"{REGION}a",
        TagSpecifications=tags("subnet", "s3gw-private-a"))["Subnet"]["SubnetId"]
    st["route_table_id"] = ec2.create_route_table(
        VpcId=st["vpc_id"], TagSpecifications=tags("route-table", "s3gw-private-rt"))["RouteTable"]["RouteTableId"]
    st["association_id"] = ec2.associate_route_table(
        RouteTableId=st["route_table_id"], SubnetId=st["subnet_id"])["AssociationId"]

    # 2. The gateway endpoint: no ENI, no security group, no DNS names. It is attached to route
    #    tables, and its policy (IAM syntax) limits what can be done through it.
    st["endpoint_id"] = ec2.create_vpc_endpoint(
        VpcEndpointType="Gateway", VpcId=st["vpc_id"], ServiceName=f"com.amazonaws.{REGION}.s3",
        RouteTableIds=[st["route_table_id"]], PolicyDocument=json.dumps(POLICY),
        TagSpecifications=tags("vpc-endpoint", "s3gw-endpoint"))["VpcEndpoint"]["VpcEndpointId"]

    # 3. The workload: one instance in the private subnet (Amazon Linux 2023, no public address).
    #    It has the VPC's default security group, which allows all outbound traffic.
    st["app_instance_id"] = launch_app(ec2, st["subnet_id"], "s3gw-app")


def launch_app(ec2, subnet_id: str, name: str) -> str:
    images = ec2.describe_images(Owners=["amazon"], Filters=[
        {"Name": "name", "Values": ["al2023-ami-2023*-x86_64"]}])["Images"]
    ami = max(images, key=lambda i: i["CreationDate"])["ImageId"]
    instance = ec2.run_instances(ImageId=ami, InstanceType="t3.micro", SubnetId=subnet_id, MinCount=1, MaxCount=1,
                                 TagSpecifications=tags("instance", name))["Instances"][0]["InstanceId"]
    ec2.get_waiter("instance_running").wait(InstanceIds=[instance], WaiterConfig={"Delay": 1})
    return instance


def verify(ec2, st: State) -> dict:
    """Assert the API state; returns what the summary prints."""
    # The AWS-managed prefix list that stands for "S3 in this region".
    [pl] = ec2.describe_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": [f"com.amazonaws.{REGION}.s3"]}])["PrefixLists"]

    [ep] = ec2.describe_vpc_endpoints(VpcEndpointIds=[st["endpoint_id"]])["VpcEndpoints"]
    assert (ep["VpcEndpointType"], ep["State"]) == ("Gateway", "available"), ep
    assert ep["RouteTableIds"] == [st["route_table_id"]], ep["RouteTableIds"]
    assert ep.get("NetworkInterfaceIds", []) == [] and ep.get("DnsEntries", []) == [], ep
    assert json.loads(ep["PolicyDocument"]) == POLICY, ep["PolicyDocument"]

    # The endpoint added `pl-... -> vpce-...` to the route table it was given, and nowhere else.
    [rt] = ec2.describe_route_tables(RouteTableIds=[st["route_table_id"]])["RouteTables"]
    routes = {r.get("DestinationPrefixListId") or r["DestinationCidrBlock"]: (r["GatewayId"], r["State"])
              for r in rt["Routes"]}
    assert routes == {"10.0.0.0/16": ("local", "active"), pl["PrefixListId"]: (st["endpoint_id"], "active")}, routes
    with_s3_route = ec2.describe_route_tables(Filters=[
        {"Name": "vpc-id", "Values": [st["vpc_id"]]},
        {"Name": "route.destination-prefix-list-id", "Values": [pl["PrefixListId"]]}])["RouteTables"]
    assert [r["RouteTableId"] for r in with_s3_route] == [st["route_table_id"]]
    assert [a["SubnetId"] for a in rt["Associations"]] == [st["subnet_id"]]
    enis = ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [st["vpc_id"]]}])
    assert [e["Attachment"]["InstanceId"] for e in enis["NetworkInterfaces"]] == [st["app_instance_id"]], \
        "a gateway endpoint has no network interfaces: the VPC's only one is the instance's"
    [instance] = ec2.describe_instances(InstanceIds=[st["app_instance_id"]])["Reservations"][0]["Instances"]
    assert (instance["State"]["Name"], instance["SubnetId"], instance["InstanceType"]) == \
        ("running", st["subnet_id"], "t3.micro"), instance
    return {"prefix_list": pl, "routes": routes, "policy": json.loads(ep["PolicyDocument"])}


def summary(st: State, seen: dict) -> None:
    print("Scenario 1: S3 gateway endpoint with a bucket-restricted policy")
    for key, value in st.items():
        print(f"  {key:16} {value}")
    print(f"  route table {st['route_table_id']}:")
    for dest, (target, state) in seen["routes"].items():
        print(f"    {dest:14} -> {target} ({state})")
    pl = seen["prefix_list"]
    print(f"  {pl['PrefixListId']} = {pl['PrefixListName']}: {', '.join(pl['Cidrs'])}")
    stmt = seen["policy"]["Statement"][0]
    print(f"  policy: {stmt['Effect']} {', '.join(stmt['Action'])} on {', '.join(stmt['Resource'])}")


def show_dns(endpoint: str, ec2, seen: dict, st: State) -> None:
    """What DNS answers where. A gateway endpoint changes no DNS answer: inside the VPC, as on the
    internet, S3's names resolve to public S3 addresses, and those lie inside the prefix list, so
    from the private subnet the `pl-… -> vpce-…` route is the one that carries the traffic."""
    in_vpc, bucket, internet = dnsviews.report(endpoint, "1", st)
    pl = seen["prefix_list"]["PrefixListId"]
    cidrs = [ipaddress.ip_network(e["Cidr"])
             for e in ec2.get_managed_prefix_list_entries(PrefixListId=pl)["Entries"]]
    for a in (in_vpc, bucket):
        assert len(a.data) == 1 and any(ipaddress.ip_address(a.data[0]) in c for c in cidrs), (a, cidrs)
    assert internet.data == in_vpc.data, (internet, in_vpc)
    print(f"  {S3_NAME} is {in_vpc.data[0]}: inside {pl}, so the gateway route takes it")
    print("What the network lets through (exit 0 when the path is open, 2 when it is blocked):")
    for request in ("PUT s3://example-bucket/test.txt", "s3:ListAllMyBuckets arn:aws:s3:::*"):
        print(f"  localvpc trace --from {st['app_instance_id']} --to {S3_NAME}:443 --request '{request}'")


def teardown(ec2, st: State) -> None:
    if "app_instance_id" in st:
        ec2.terminate_instances(InstanceIds=[st["app_instance_id"]])
        ec2.get_waiter("instance_terminated").wait(InstanceIds=[st["app_instance_id"]], WaiterConfig={"Delay": 1})
    if "endpoint_id" in st:
        ec2.delete_vpc_endpoints(VpcEndpointIds=[st["endpoint_id"]])
    if "association_id" in st:
        ec2.disassociate_route_table(AssociationId=st["association_id"])
    if "route_table_id" in st:
        ec2.delete_route_table(RouteTableId=st["route_table_id"])
    if "subnet_id" in st:
        ec2.delete_subnet(SubnetId=st["subnet_id"])
    if "vpc_id" in st:
        ec2.delete_vpc(VpcId=st["vpc_id"])
    st.path.unlink(missing_ok=True)
    print("deleted everything scenario 1 created")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--endpoint", default=os.environ.get("LOCALVPC_ENDPOINT", "http://127.0.0.1:4566"))
    ap.add_argument("--keep", action="store_true", help="leave the resources in place")
    ap.add_argument("--destroy", action="store_true", help="delete what an earlier --keep run left")
    ap.add_argument("--state-file", type=Path,
                    default=Path(tempfile.gettempdir()) / f"localvpc-example-{EXAMPLE[0]}-boto3.json")
    args = ap.parse_args(argv)
    ec2 = boto3.client("ec2", endpoint_url=args.endpoint, region_name=REGION,
                       aws_access_key_id=ACCESS_KEY, aws_secret_access_key="test")

    if args.destroy:
        if not args.state_file.exists():
            print(f"nothing to destroy ({args.state_file} not found)")
            return 0
        teardown(ec2, State(args.state_file, json.loads(args.state_file.read_text())))
        return 0
    if args.state_file.exists():
        sys.exit(f"{args.state_file} exists: run with --destroy first")

    st = State(args.state_file)
    try:
        build(ec2, st)
        seen = verify(ec2, st)
        summary(st, seen)
        show_dns(args.endpoint, ec2, seen, st)
        print("all checks passed")
    finally:
        if not args.keep:
            teardown(ec2, st)
    if args.keep:
        print(f"kept (ids in {args.state_file}); delete with: {sys.argv[0]} --destroy")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Scenario 2 with boto3: what Session Manager and the CloudWatch agent need in a private subnet
without internet access. Five *interface* endpoints (ssm, ssmmessages, ec2, ec2messages,
monitoring) with private DNS, each with one ENI in each of two subnets (two AZs), behind a
security group that admits HTTPS from the VPC, and the instance whose agents use them.

    python examples/2-ssm-interface-endpoints/boto3_scenario.py [--endpoint URL] [--keep]
    python examples/2-ssm-interface-endpoints/boto3_scenario.py --destroy     # after --keep

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
import time
from pathlib import Path

import boto3

# examples/dnsviews.py: the scenario's DNS questions, asked of localvpc's DNS server (real packets
# when dnspython is installed, else POST /_localvpc/dns/explain).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import dnsviews  # noqa: E402

REGION = "ap-northeast-1"
EXAMPLE = "2-ssm-interface-endpoints"
ACCESS_KEY = os.environ.get("EXAMPLE_ACCESS_KEY", "test")
SERVICES = ("ssm", "ssmmessages", "ec2", "ec2messages", "monitoring")
VPC_CIDR = "10.0.0.0/16"


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
    # 1. The VPC. Private DNS needs both DNS attributes on (AWS refuses it otherwise).
    st["vpc_id"] = vpc = ec2.create_vpc(CidrBlock=VPC_CIDR, TagSpecifications=tags("vpc", "ssm-vpc"))["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})

    # 2. Two private subnets in two AZs: an interface endpoint takes one subnet per AZ.
    st["subnet_a_id"] = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone=f"{REGION}a",
                                          TagSpecifications=tags("subnet", "ssm-private-a"))["Subnet"]["SubnetId"]
    st["subnet_c_id"] = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone=f"{REGION}c",
                                          TagSpecifications=tags("subnet", "ssm-private-c"))["Subnet"]["SubnetId"]

    # 3. The security group on the endpoints' ENIs: HTTPS from anywhere in the VPC.
    st["sg_id"] = ec2.create_security_group(
        VpcId=vpc, GroupName="vpc-endpoints", Description="HTTPS from the VPC to the interface endpoints",
        TagSpecifications=tags("security-group", "ssm-endpoints-sg"))["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=st["sg_id"], IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "IpRanges": [{"CidrIp": VPC_CIDR, "Description": "https from the vpc"}]}])

    # 4. One interface endpoint per service, private DNS on: inside this VPC the service's usual
    #    name (ssm.ap-northeast-1.amazonaws.com) will resolve to the endpoint's ENIs.
    st["endpoints"] = {}
    for svc in SERVICES:
        vpce = ec2.create_vpc_endpoint(
            VpcEndpointType="Interface", VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.{svc}",
            SubnetIds=[st["subnet_a_id"], st["subnet_c_id"]], SecurityGroupIds=[st["sg_id"]],
            PrivateDnsEnabled=True, TagSpecifications=tags("vpc-endpoint", f"ssm-endpoint-{svc}"),
        )["VpcEndpoint"]["VpcEndpointId"]
        st["endpoints"] = {**st["endpoints"], svc: vpce}

    # 5. The workload: one instance in ssm-private-a (Amazon Linux 2023, no public address) whose
    #    SSM and CloudWatch agents reach the services through the endpoints. It has the VPC's
    #    default security group, which allows all outbound traffic; the endpoints' group admits it.
    st["app_instance_id"] = launch_app(ec2, st["subnet_a_id"], "ssm-app")


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
    subnets = {st["subnet_a_id"]: f"{REGION}a", st["subnet_c_id"]: f"{REGION}c"}
    seen = {}
    for svc, vpce in st["endpoints"].items():
        [ep] = ec2.describe_vpc_endpoints(VpcEndpointIds=[vpce])["VpcEndpoints"]
        assert (ep["VpcEndpointType"], ep["State"], ep["PrivateDnsEnabled"]) == ("Interface", "available", True), ep
        assert [g["GroupId"] for g in ep["Groups"]] == [st["sg_id"]]
        # DNS names: the regional one first, one per AZ, then the service's own (private) name.
        names = [d["DnsName"] for d in ep["DnsEntries"]]
        assert names[0].startswith(f"{vpce}-") and names[0].endswith(f".{svc}.{REGION}.vpce.amazonaws.com"), names
        assert f"{svc}.{REGION}.amazonaws.com" in names, names
        assert sum(f"-{az}." in n for n in names for az in subnets.values()) == 2, names
        # One requester-managed ENI in each subnet, carrying the endpoint's security group.
        enis = ec2.describe_network_interfaces(NetworkInterfaceIds=ep["NetworkInterfaceIds"])["NetworkInterfaces"]
        assert sorted(e["SubnetId"] for e in enis) == sorted(subnets), enis
        for e in enis:
            assert (e["InterfaceType"], e["RequesterManaged"], e["AvailabilityZone"]) == \
                ("vpc_endpoint", True, subnets[e["SubnetId"]]), e
            assert [g["GroupId"] for g in e["Groups"]] == [st["sg_id"]]
        seen[svc] = {"names": names, "ips": sorted((e["AvailabilityZone"], e["PrivateIpAddress"]) for e in enis)}

    all_enis = ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [st["vpc_id"]]}])
    others = [e for e in all_enis["NetworkInterfaces"] if e["InterfaceType"] != "vpc_endpoint"]
    assert len(all_enis["NetworkInterfaces"]) - len(others) == 2 * len(SERVICES)
    assert [(e["SubnetId"], e["Attachment"]["InstanceId"]) for e in others] == \
        [(st["subnet_a_id"], st["app_instance_id"])], others
    [sg] = ec2.describe_security_groups(GroupIds=[st["sg_id"]])["SecurityGroups"]
    assert [(p["IpProtocol"], p["FromPort"], p["ToPort"], [r["CidrIp"] for r in p["IpRanges"]])
            for p in sg["IpPermissions"]] == [("tcp", 443, 443, [VPC_CIDR])], sg["IpPermissions"]
    return seen


def summary(st: State, seen: dict) -> None:
    print("Scenario 2: SSM and CloudWatch interface endpoints with private DNS in two AZs")
    for key in ("vpc_id", "subnet_a_id", "subnet_c_id", "sg_id"):
        print(f"  {key:12} {st[key]}")
    print(f"  {'app':12} {st['app_instance_id']} (ssm-app, in {st['subnet_a_id']})")
    for svc, vpce in st["endpoints"].items():
        print(f"  {svc:12} {vpce}  ENIs {', '.join(f'{az} {ip}' for az, ip in seen[svc]['ips'])}")
        for name in seen[svc]["names"]:
            print(f"  {'':12}   {name}")


def show_dns(endpoint: str, seen: dict, st: State) -> None:
    """What DNS answers where. Private DNS puts each service's usual name in a hidden private zone
    of this VPC only: inside, the endpoint's two ENI addresses (one per AZ); on the internet, a
    public address. The endpoint's own vpce-… names are public: its ENIs from anywhere."""
    st["ssm_vpce_dns"] = seen["ssm"]["names"][0]  # the regional name
    answers = dnsviews.report(endpoint, "2", st)
    inside, outside, regional = answers[:len(SERVICES)], answers[len(SERVICES):-1], answers[-1]
    for svc, a, b in zip(SERVICES, inside, outside):
        eni_ips = sorted(ip for _, ip in seen[svc]["ips"])
        assert a.data == eni_ips, (svc, a, eni_ips)
        assert len(b.data) == 1 and ipaddress.ip_address(b.data[0]) not in ipaddress.ip_network(VPC_CIDR), (svc, b)
    assert regional.data == sorted(ip for _, ip in seen["ssm"]["ips"]), regional
    print("What the network lets through (exit 0 when the path is open, 2 when it is blocked):")
    for svc in SERVICES:
        print(f"  localvpc trace --from {st['app_instance_id']} --to {svc}.{REGION}.amazonaws.com")


def teardown(ec2, st: State) -> None:
    if "app_instance_id" in st:
        ec2.terminate_instances(InstanceIds=[st["app_instance_id"]])
        ec2.get_waiter("instance_terminated").wait(InstanceIds=[st["app_instance_id"]], WaiterConfig={"Delay": 1})
    ids = list(st.get("endpoints", {}).values())
    if ids:
        ec2.delete_vpc_endpoints(VpcEndpointIds=ids)
    if "vpc_id" in st:  # the endpoints' ENIs go away with them
        for _ in range(60):
            if not ec2.describe_network_interfaces(
                    Filters=[{"Name": "vpc-id", "Values": [st["vpc_id"]]}])["NetworkInterfaces"]:
                break
            time.sleep(1)
    if "sg_id" in st:
        ec2.delete_security_group(GroupId=st["sg_id"])
    for key in ("subnet_c_id", "subnet_a_id"):
        if key in st:
            ec2.delete_subnet(SubnetId=st[key])
    if "vpc_id" in st:
        ec2.delete_vpc(VpcId=st["vpc_id"])
    st.path.unlink(missing_ok=True)
    print("deleted everything scenario 2 created")


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
        show_dns(args.endpoint, seen, st)
        print("all checks passed")
    finally:
        if not args.keep:
            teardown(ec2, st)
    if args.keep:
        print(f"kept (ids in {args.state_file}); delete with: {sys.argv[0]} --destroy")
    return 0


if __name__ == "__main__":
    sys.exit(main())

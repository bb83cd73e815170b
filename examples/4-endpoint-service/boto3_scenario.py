#!/usr/bin/env python3
"""Scenario 4 with boto3: a provider publishes its own service (behind an internal network load
balancer) as a PrivateLink endpoint service that requires acceptance and allows one consumer
account; the consumer creates an interface endpoint to it (pendingAcceptance), the provider
accepts it, and it becomes available for the consumer's instance.

    python examples/4-endpoint-service/boto3_scenario.py [--endpoint URL] [--keep]
    python examples/4-endpoint-service/boto3_scenario.py --destroy     # after --keep

Builds both sides, verifies the result with asserts, prints a summary and what DNS answers where
(asserting the answers too), and deletes everything again unless --keep (the ids are kept in --state-file for a later --destroy). The server maps
the access keys with examples/accounts.txt: PROVIDERKEY -> 333333333333, CONSUMERKEY ->
444444444444.
"""

from __future__ import annotations

import argparse
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
EXAMPLE = "4-endpoint-service"
PROVIDER_KEY = os.environ.get("PROVIDER_ACCESS_KEY", "PROVIDERKEY")
CONSUMER_KEY = os.environ.get("CONSUMER_ACCESS_KEY", "CONSUMERKEY")
TARGET_IP = "10.0.1.10"


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


def elb_tags(name: str) -> list[dict]:
    return [{"Key": "Name", "Value": name}, {"Key": "Example", "Value": EXAMPLE}]


def wait(what: str, pred, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(1)


def network(ec2, st: State, side: str) -> None:
    """A VPC 10.0.0.0/16 with subnets in two AZs. Both sides use the same CIDR: PrivateLink does
    not care about overlapping address space, unlike peering."""
    st[f"{side}_vpc_id"] = vpc = ec2.create_vpc(
        CidrBlock="10.0.0.0/16", TagSpecifications=tags("vpc", f"svc-{side}-vpc"))["Vpc"]["VpcId"]
    for az, cidr in (("a", "10.0.1.0/24"), ("c", "10.0.2.0/24")):
        st[f"{side}_subnet_{az}_id"] = ec2.create_subnet(
            VpcId=vpc, CidrBlock=cidr, AvailabilityZone=f"{REGION}{az}",
            TagSpecifications=tags("subnet", f"svc-{side}-{az}"))["Subnet"]["SubnetId"]


def build(prov, prov_elb, cons, consumer_account: str, st: State) -> None:
    # --- Provider account ---
    # 1. The provider's VPC with two subnets (two AZs) for the load balancer.
    network(prov, st, "provider")
    subnets = [st["provider_subnet_a_id"], st["provider_subnet_c_id"]]

    # 2. The service itself: an internal network load balancer, a target group whose target is
    #    the application's IP (10.0.1.10:443), and a TCP 443 listener forwarding to it.
    st["lb_arn"] = prov_elb.create_load_balancer(
        Name="svc-nlb", Type="network", Scheme="internal", Subnets=subnets,
        Tags=elb_tags("svc-nlb"))["LoadBalancers"][0]["LoadBalancerArn"]
    st["tg_arn"] = prov_elb.create_target_group(
        Name="svc-targets", Protocol="TCP", Port=443, TargetType="ip", VpcId=st["provider_vpc_id"],
        Tags=elb_tags("svc-targets"))["TargetGroups"][0]["TargetGroupArn"]
    prov_elb.register_targets(TargetGroupArn=st["tg_arn"], Targets=[{"Id": TARGET_IP, "Port": 443}])
    st["listener_arn"] = prov_elb.create_listener(
        LoadBalancerArn=st["lb_arn"], Protocol="TCP", Port=443,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": st["tg_arn"]}])["Listeners"][0]["ListenerArn"]
    prov_elb.get_waiter("load_balancer_available").wait(LoadBalancerArns=[st["lb_arn"]],
                                                       WaiterConfig={"Delay": 2})

    # 3. The endpoint service: acceptance required, and only the consumer account may connect.
    svc = prov.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[st["lb_arn"]], AcceptanceRequired=True,
        TagSpecifications=tags("vpc-endpoint-service", "svc-endpoint-service"))["ServiceConfiguration"]
    st["service_id"], st["service_name"] = svc["ServiceId"], svc["ServiceName"]
    prov.modify_vpc_endpoint_service_permissions(
        ServiceId=st["service_id"], AddAllowedPrincipals=[f"arn:aws:iam::{consumer_account}:root"])

    # --- Consumer account ---
    # 4. The consumer's VPC, two subnets and a group admitting HTTPS from the VPC.
    network(cons, st, "consumer")
    cons.modify_vpc_attribute(VpcId=st["consumer_vpc_id"], EnableDnsHostnames={"Value": True})
    st["consumer_sg_id"] = cons.create_security_group(
        VpcId=st["consumer_vpc_id"], GroupName="svc-endpoint",
        Description="HTTPS from the VPC to the provider service",
        TagSpecifications=tags("security-group", "svc-consumer-sg"))["GroupId"]
    cons.authorize_security_group_ingress(GroupId=st["consumer_sg_id"], IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])

    # 5. The consumer can see the service (it is allowed) and asks for an endpoint to it.
    [detail] = cons.describe_vpc_endpoint_services(ServiceNames=[st["service_name"]])["ServiceDetails"]
    assert detail["AcceptanceRequired"] is True
    st["vpce_id"] = cons.create_vpc_endpoint(
        VpcEndpointType="Interface", VpcId=st["consumer_vpc_id"], ServiceName=st["service_name"],
        SubnetIds=[st["consumer_subnet_a_id"], st["consumer_subnet_c_id"]],
        SecurityGroupIds=[st["consumer_sg_id"]],
        TagSpecifications=tags("vpc-endpoint", "svc-consumer-endpoint"))["VpcEndpoint"]["VpcEndpointId"]
    [ep] = cons.describe_vpc_endpoints(VpcEndpointIds=[st["vpce_id"]])["VpcEndpoints"]
    assert ep["State"] == "pendingAcceptance", ep["State"]

    # --- Provider account again ---
    # 6. The provider sees the pending connection and accepts it.
    [conn] = prov.describe_vpc_endpoint_connections(
        Filters=[{"Name": "service-id", "Values": [st["service_id"]]}])["VpcEndpointConnections"]
    assert (conn["VpcEndpointId"], conn["VpcEndpointState"]) == (st["vpce_id"], "pendingAcceptance"), conn
    result = prov.accept_vpc_endpoint_connections(ServiceId=st["service_id"], VpcEndpointIds=[st["vpce_id"]])
    assert result["Unsuccessful"] == [], result
    wait("the endpoint to become available", lambda: cons.describe_vpc_endpoints(
        VpcEndpointIds=[st["vpce_id"]])["VpcEndpoints"][0]["State"] == "available")

    # --- Consumer account again ---
    # 7. The consumer's workload: one instance in svc-consumer-a (Amazon Linux 2023, no public
    #    address) that calls the service through the endpoint on 443. It has the VPC's default
    #    security group, which allows all outbound traffic; the endpoint's group admits the VPC.
    images = cons.describe_images(Owners=["amazon"], Filters=[
        {"Name": "name", "Values": ["al2023-ami-2023*-x86_64"]}])["Images"]
    ami = max(images, key=lambda i: i["CreationDate"])["ImageId"]
    st["app_instance_id"] = app = cons.run_instances(
        ImageId=ami, InstanceType="t3.micro", SubnetId=st["consumer_subnet_a_id"], MinCount=1, MaxCount=1,
        TagSpecifications=tags("instance", "svc-consumer-app"))["Instances"][0]["InstanceId"]
    cons.get_waiter("instance_running").wait(InstanceIds=[app], WaiterConfig={"Delay": 1})


def verify(prov, prov_elb, cons, consumer_account: str, st: State) -> dict:
    [lb] = prov_elb.describe_load_balancers(LoadBalancerArns=[st["lb_arn"]])["LoadBalancers"]
    assert (lb["Type"], lb["Scheme"], lb["State"]["Code"]) == ("network", "internal", "active"), lb
    health = prov_elb.describe_target_health(TargetGroupArn=st["tg_arn"])["TargetHealthDescriptions"]
    assert [(h["Target"]["Id"], h["Target"]["Port"]) for h in health] == [(TARGET_IP, 443)], health
    [listener] = prov_elb.describe_listeners(LoadBalancerArn=st["lb_arn"])["Listeners"]
    assert (listener["Protocol"], listener["Port"], listener["DefaultActions"][0]["TargetGroupArn"]) == \
        ("TCP", 443, st["tg_arn"])

    [svc] = prov.describe_vpc_endpoint_service_configurations(
        ServiceIds=[st["service_id"]])["ServiceConfigurations"]
    assert (svc["AcceptanceRequired"], svc["ServiceState"], svc["NetworkLoadBalancerArns"]) == \
        (True, "Available", [st["lb_arn"]]), svc
    perms = prov.describe_vpc_endpoint_service_permissions(ServiceId=st["service_id"])["AllowedPrincipals"]
    assert [p["Principal"] for p in perms] == [f"arn:aws:iam::{consumer_account}:root"], perms
    [conn] = prov.describe_vpc_endpoint_connections(
        Filters=[{"Name": "service-id", "Values": [st["service_id"]]}])["VpcEndpointConnections"]
    assert (conn["VpcEndpointId"], conn["VpcEndpointOwner"], conn["VpcEndpointState"]) == \
        (st["vpce_id"], consumer_account, "available"), conn

    [ep] = cons.describe_vpc_endpoints(VpcEndpointIds=[st["vpce_id"]])["VpcEndpoints"]
    assert (ep["VpcEndpointType"], ep["State"], ep["ServiceName"]) == \
        ("Interface", "available", st["service_name"]), ep
    enis = cons.describe_network_interfaces(NetworkInterfaceIds=ep["NetworkInterfaceIds"])["NetworkInterfaces"]
    assert sorted(e["SubnetId"] for e in enis) == sorted([st["consumer_subnet_a_id"], st["consumer_subnet_c_id"]])
    [app] = cons.describe_instances(InstanceIds=[st["app_instance_id"]])["Reservations"][0]["Instances"]
    assert (app["State"]["Name"], app["SubnetId"], app["InstanceType"]) == \
        ("running", st["consumer_subnet_a_id"], "t3.micro"), app
    return {"names": [d["DnsName"] for d in ep["DnsEntries"]],
            "ips": sorted((e["AvailabilityZone"], e["PrivateIpAddress"]) for e in enis), "lb_dns": lb["DNSName"]}


def summary(st: State, seen: dict) -> None:
    print("Scenario 4: an NLB-backed endpoint service and a consumer in another account")
    for key, value in st.items():
        print(f"  {key:22} {value}")
    print(f"  NLB name               {seen['lb_dns']}")
    print(f"  endpoint ENIs          {', '.join(f'{az} {ip}' for az, ip in seen['ips'])}")
    for name in seen["names"]:
        print(f"  endpoint name          {name}")


def show_dns(endpoint: str, seen: dict, st: State) -> None:
    """What DNS answers where. The endpoint's regional name (vpce-….vpce-svc-….vpce.amazonaws.com)
    lives in a public zone: now that the endpoint is available it answers the endpoint's two ENI
    addresses from the internet and in the consumer VPC alike."""
    st["consumer_vpce_dns"] = seen["names"][0]
    internet, consumer = dnsviews.report(endpoint, "4", st)
    ips = sorted(ip for _, ip in seen["ips"])
    assert internet.data == ips and consumer.data == ips, (internet, consumer, ips)
    print("What the network lets through (exit 0 when the path is open, 2 when it is blocked):")
    print(f"  localvpc trace --from {st['app_instance_id']} --to {st['consumer_vpce_dns']}:443")
    print(f"  localvpc trace --from {st['app_instance_id']} --to {st['vpce_id']} --port 443")


def teardown(prov, prov_elb, cons, st: State) -> None:
    # Consumer side first: the instance, the endpoint (its ENIs go with it), then its network.
    if "app_instance_id" in st:
        cons.terminate_instances(InstanceIds=[st["app_instance_id"]])
        cons.get_waiter("instance_terminated").wait(InstanceIds=[st["app_instance_id"]], WaiterConfig={"Delay": 1})
    if "vpce_id" in st:
        cons.delete_vpc_endpoints(VpcEndpointIds=[st["vpce_id"]])
    if "consumer_vpc_id" in st:
        wait("the endpoint's ENIs to go", lambda: not cons.describe_network_interfaces(
            Filters=[{"Name": "vpc-id", "Values": [st["consumer_vpc_id"]]}])["NetworkInterfaces"])
    if "consumer_sg_id" in st:
        cons.delete_security_group(GroupId=st["consumer_sg_id"])
    # Provider side: the service, then the load balancer stack, then the network.
    if "service_id" in st:
        prov.delete_vpc_endpoint_service_configurations(ServiceIds=[st["service_id"]])
    if "listener_arn" in st:
        prov_elb.delete_listener(ListenerArn=st["listener_arn"])
    if "lb_arn" in st:
        prov_elb.delete_load_balancer(LoadBalancerArn=st["lb_arn"])
        prov_elb.get_waiter("load_balancers_deleted").wait(LoadBalancerArns=[st["lb_arn"]], WaiterConfig={"Delay": 2})
    if "tg_arn" in st:
        prov_elb.delete_target_group(TargetGroupArn=st["tg_arn"])
    for ec2, side in ((cons, "consumer"), (prov, "provider")):
        if f"{side}_vpc_id" in st:
            wait(f"the {side} ENIs to go", lambda: not ec2.describe_network_interfaces(
                Filters=[{"Name": "vpc-id", "Values": [st[f"{side}_vpc_id"]]}])["NetworkInterfaces"])
        for az in ("c", "a"):
            if f"{side}_subnet_{az}_id" in st:
                ec2.delete_subnet(SubnetId=st[f"{side}_subnet_{az}_id"])
        if f"{side}_vpc_id" in st:
            ec2.delete_vpc(VpcId=st[f"{side}_vpc_id"])
    st.path.unlink(missing_ok=True)
    print("deleted everything scenario 4 created")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--endpoint", default=os.environ.get("LOCALVPC_ENDPOINT", "http://127.0.0.1:4566"))
    ap.add_argument("--keep", action="store_true", help="leave the resources in place")
    ap.add_argument("--destroy", action="store_true", help="delete what an earlier --keep run left")
    ap.add_argument("--state-file", type=Path,
                    default=Path(tempfile.gettempdir()) / f"localvpc-example-{EXAMPLE[0]}-boto3.json")
    args = ap.parse_args(argv)

    def client(service: str, key: str):
        return boto3.client(service, endpoint_url=args.endpoint, region_name=REGION,
                            aws_access_key_id=key, aws_secret_access_key="test")

    prov, prov_elb, cons = client("ec2", PROVIDER_KEY), client("elbv2", PROVIDER_KEY), client("ec2", CONSUMER_KEY)
    consumer_account = client("sts", CONSUMER_KEY).get_caller_identity()["Account"]

    if args.destroy:
        if not args.state_file.exists():
            print(f"nothing to destroy ({args.state_file} not found)")
            return 0
        teardown(prov, prov_elb, cons, State(args.state_file, json.loads(args.state_file.read_text())))
        return 0
    if args.state_file.exists():
        sys.exit(f"{args.state_file} exists: run with --destroy first")

    st = State(args.state_file)
    try:
        build(prov, prov_elb, cons, consumer_account, st)
        seen = verify(prov, prov_elb, cons, consumer_account, st)
        summary(st, seen)
        show_dns(args.endpoint, seen, st)
        print("all checks passed")
    finally:
        if not args.keep:
            teardown(prov, prov_elb, cons, st)
    if args.keep:
        print(f"kept (ids in {args.state_file}); delete with: {sys.argv[0]} --destroy")
    return 0


if __name__ == "__main__":
    sys.exit(main())

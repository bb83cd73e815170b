"""Builders for the path tests (test_trace.py, test_network_insights.py): a small network over
one boto3 ec2 client, and the rule shapes those tests use."""

from __future__ import annotations

R = "ap-northeast-1"
AZ_A, AZ_C = f"{R}a", f"{R}c"


def f(name: str, *values: str) -> dict:
    return {"Name": name, "Values": list(values)}


def tcp(port: int, cidr: str = "0.0.0.0/0") -> dict:
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}


def amazon_linux(ec2) -> str:
    imgs = ec2.describe_images(Owners=["amazon"], Filters=[f("name", "al2023-ami-*"),
                                                           f("architecture", "x86_64")])["Images"]
    assert imgs
    return imgs[0]["ImageId"]


class Net:
    """Small builders over one ec2 client."""

    def __init__(self, ec2, ami: str | None = None):
        self.ec2 = ec2
        self.ami = ami or amazon_linux(ec2)

    def vpc(self, cidr: str, *, dns_hostnames: bool = False) -> str:
        vpc = self.ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        if dns_hostnames:
            self.ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        return vpc

    def subnet(self, vpc: str, cidr: str, az: str = AZ_A) -> str:
        return self.ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]

    def instance(self, subnet: str, *, groups: list[str] | None = None, public_ip: bool = False) -> dict:
        kw: dict = {}
        if groups is not None or public_ip:
            iface: dict = {"DeviceIndex": 0, "SubnetId": subnet, "AssociatePublicIpAddress": public_ip}
            if groups is not None:
                iface["Groups"] = groups
            kw["NetworkInterfaces"] = [iface]
        else:
            kw["SubnetId"] = subnet
        [i] = self.ec2.run_instances(ImageId=self.ami, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                     **kw)["Instances"]
        return i

    def eni_of(self, instance: dict) -> str:
        return instance["NetworkInterfaces"][0]["NetworkInterfaceId"]

    def sg(self, vpc: str, name: str, *ingress: dict) -> str:
        sg = self.ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
        if ingress:
            self.ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=list(ingress))
        return sg

    def empty_sg(self, vpc: str, name: str) -> str:
        """A group without any rule (its default outbound rule revoked)."""
        sg = self.sg(vpc, name)
        self.ec2.revoke_security_group_egress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        [g] = self.ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"]
        assert g["IpPermissions"] == [] and g["IpPermissionsEgress"] == []
        return sg

    def default_sg(self, vpc: str) -> str:
        [g] = self.ec2.describe_security_groups(Filters=[f("vpc-id", vpc), f("group-name", "default")])[
            "SecurityGroups"]
        return g["GroupId"]

    def main_table(self, vpc: str) -> str:
        [rt] = self.ec2.describe_route_tables(Filters=[f("vpc-id", vpc), f("association.main", "true")])[
            "RouteTables"]
        return rt["RouteTableId"]

    def table_for(self, vpc: str, subnet: str) -> str:
        rt = self.ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        self.ec2.associate_route_table(RouteTableId=rt, SubnetId=subnet)
        return rt

    def default_acl(self, vpc: str) -> str:
        [acl] = self.ec2.describe_network_acls(Filters=[f("vpc-id", vpc), f("default", "true")])["NetworkAcls"]
        return acl["NetworkAclId"]

    def acl_for(self, vpc: str, subnet: str) -> str:
        """A new (deny-all) network ACL associated with the subnet."""
        acl = self.ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
        [assoc] = [a for n in self.ec2.describe_network_acls(Filters=[f("association.subnet-id", subnet)])[
            "NetworkAcls"] for a in n["Associations"] if a["SubnetId"] == subnet]
        self.ec2.replace_network_acl_association(AssociationId=assoc["NetworkAclAssociationId"], NetworkAclId=acl)
        return acl

    def peer(self, a: str, b: str) -> str:
        pcx = self.ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"][
            "VpcPeeringConnectionId"]
        self.ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
        return pcx

    def igw_for(self, vpc: str, subnet: str) -> tuple[str, str]:
        """An attached internet gateway and a subnet route table 0.0.0.0/0 -> it."""
        igw = self.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        self.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        rt = self.table_for(vpc, subnet)
        self.ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        return igw, rt

    def nlb_service(self, elbv2, cidr: str = "10.7.0.0/16") -> dict:
        """A provider's service: an instance backend (its group admits 8443 from the VPC) behind
        an internal NLB listening on 443 → 8443, published as an endpoint service without
        acceptance: {"vpc", "subnet", "backend", "lb", "tg", "lb_ip", "service"}."""
        vpc = self.vpc(cidr)
        base = cidr.rsplit(".", 2)[0]
        subnet = self.subnet(vpc, f"{base}.1.0/24")
        sg = self.sg(vpc, "backend", {"IpProtocol": "tcp", "FromPort": 8443, "ToPort": 8443,
                                      "IpRanges": [{"CidrIp": cidr}]})
        backend = self.instance(subnet, groups=[sg])
        [lb] = elbv2.create_load_balancer(Name="svc", Type="network", Scheme="internal",
                                          Subnets=[subnet])["LoadBalancers"]
        [tg] = elbv2.create_target_group(Name="backend", Protocol="TCP", Port=8443, VpcId=vpc,
                                         TargetType="instance")["TargetGroups"]
        elbv2.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": backend["InstanceId"]}])
        elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="TCP", Port=443,
                              DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
        lb_id = lb["LoadBalancerArn"].split("loadbalancer/", 1)[1]
        [eni] = self.ec2.describe_network_interfaces(Filters=[f("description", f"ELB {lb_id}")])[
            "NetworkInterfaces"]
        service = self.ec2.create_vpc_endpoint_service_configuration(
            NetworkLoadBalancerArns=[lb["LoadBalancerArn"]], AcceptanceRequired=False)["ServiceConfiguration"]
        return {"vpc": vpc, "subnet": subnet, "backend": backend, "lb": lb, "tg": tg,
                "lb_ip": eni["PrivateIpAddress"], "service": service}

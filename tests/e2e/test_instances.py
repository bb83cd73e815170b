"""Instances as network endpoints: DescribeImages (built-in catalogue), RunInstances,
DescribeInstances, Stop/Start/TerminateInstances, DescribeInstanceStatus; what Terraform's
aws_instance reads besides (DescribeInstanceTypes and ...Offerings, DescribeInstanceAttribute,
DescribeVolumes, DescribeInstanceCreditSpecifications); their primary network interfaces, public addresses and DNS names, and routes to instances (spec 1.3, 1.4)."""

import re

import pytest

from helpers import (
    ALPHA_KEY,
    DEFAULT_VPC_CIDR,
    NOT_EMULATED,
    UNKNOWN_KEY_ACCOUNT,
    default_vpc,
    expect_client_error,
    expect_dry_run,
    expect_error,
    tag_spec,
    tags_of,
)

INSTANCE_RE = re.compile(r"^i-[0-9a-f]{17}$")
RESERVATION_RE = re.compile(r"^r-[0-9a-f]{17}$")
AMI_RE = re.compile(r"^ami-[0-9a-f]{17}$")
MISSING_INSTANCE = "i-0123456789abcdef0"
AMAZON_OWNER = "137112412989"  # owner of the Amazon Linux images
CANONICAL_OWNER = "099720109477"  # owner of the Ubuntu images (Ubuntu "Find Ubuntu images on AWS")
PENDING, RUNNING, STOPPED, TERMINATED = (
    {"Code": 0, "Name": "pending"}, {"Code": 16, "Name": "running"},
    {"Code": 80, "Name": "stopped"}, {"Code": 48, "Name": "terminated"})


def f(name, *values):
    return {"Name": name, "Values": list(values)}


def run(ec2, ami, **kw):
    kw.setdefault("MinCount", 1)
    kw.setdefault("MaxCount", 1)
    return ec2.run_instances(ImageId=ami, InstanceType=kw.pop("InstanceType", "t3.micro"), **kw)


def run_one(ec2, ami, **kw):
    [i] = run(ec2, ami, **kw)["Instances"]
    return i


def describe(ec2, iid):
    [r] = ec2.describe_instances(InstanceIds=[iid])["Reservations"]
    [i] = r["Instances"]
    return i


def primary_eni(ec2, iid):
    [ni] = describe(ec2, iid)["NetworkInterfaces"]
    return ni["NetworkInterfaceId"]


def default_subnets(ec2):
    return {s["AvailabilityZone"]: s for s in ec2.describe_subnets(Filters=[f("default-for-az", "true")])["Subnets"]}


# --------------------------------------------------------------------------- DescribeImages


def test_describe_amazon_images(ec2):
    imgs = ec2.describe_images(Owners=["amazon"])["Images"]
    assert imgs
    for i in imgs:
        assert AMI_RE.match(i["ImageId"])
        assert i["ImageOwnerAlias"] == "amazon"
        assert i["OwnerId"] == AMAZON_OWNER
        assert i["State"] == "available"
        assert i["Public"] is True
        assert i["ImageType"] == "machine"
        assert i["Architecture"] in ("x86_64", "arm64")
    names = {i["Name"] for i in imgs}
    assert any(n.startswith("al2023-ami-") for n in names)


def test_image_filters(ec2):
    arm = ec2.describe_images(Owners=["amazon"], Filters=[f("name", "al2023-ami-*"), f("architecture", "arm64")])[
        "Images"]
    assert arm and all(i["Architecture"] == "arm64" and i["Name"].startswith("al2023-ami-") for i in arm)
    x86 = ec2.describe_images(Filters=[f("name", "al2023-ami-*-x86_64")])["Images"]
    assert x86 and all(i["Architecture"] == "x86_64" for i in x86)
    assert ec2.describe_images(Filters=[f("name", "no-such-image-*")])["Images"] == []
    # No images of this account's own.
    assert ec2.describe_images(Owners=["self"])["Images"] == []
    by_id = ec2.describe_images(Filters=[f("image-id", arm[0]["ImageId"])])["Images"]
    assert [i["ImageId"] for i in by_id] == [arm[0]["ImageId"]]


def test_ubuntu_images_belong_to_canonical(ec2):
    ubuntu = ec2.describe_images(Filters=[f("name", "ubuntu/images/*")])["Images"]
    if not ubuntu:
        pytest.skip("the catalogue has no Ubuntu image")
    # Ubuntu's "Find Ubuntu images on AWS": Canonical publishes its images from owner
    # 099720109477 -- they are not Amazon-owned images.
    assert {i["OwnerId"] for i in ubuntu} == {CANONICAL_OWNER}
    amazon_names = {i["Name"] for i in ec2.describe_images(Owners=["amazon"])["Images"]}
    assert not {i["Name"] for i in ubuntu} & amazon_names


def test_images_are_per_region(make_client):
    apne1 = make_client(region="ap-northeast-1").describe_images(Owners=["amazon"])["Images"]
    use1 = make_client(region="us-east-1").describe_images(Owners=["amazon"])["Images"]
    # AMI ids are regional: the same image name has another id in another region.
    a = {i["Name"]: i["ImageId"] for i in apne1}
    b = {i["Name"]: i["ImageId"] for i in use1}
    common = set(a) & set(b)
    assert common
    for name in common:
        assert a[name] != b[name], name


def test_any_well_formed_image_id_exists(ec2):
    # localvpc accepts any well-formed ami- id, so templates with real AMI ids run unchanged.
    [img] = ec2.describe_images(ImageIds=["ami-0123456789abcdef0"])["Images"]
    assert img["ImageId"] == "ami-0123456789abcdef0"
    assert img["State"] == "available"


@pytest.mark.parametrize("bad", ["ami-zz", "ami-", "ami-0123456789abcdef0123", "vpc-0123456789abcdef0"])
def test_malformed_image_id(ec2, bad):
    # Error-code reference, InvalidAMIID.Malformed: "The specified AMI ID is malformed."
    expect_error(ec2.describe_images, ImageIds=[bad], code="InvalidAMIID.Malformed")


# --------------------------------------------------------------------------- RunInstances


def test_run_instance_in_the_default_vpc(ec2, ami):
    resp = run(ec2, ami, TagSpecifications=tag_spec("instance", Name="web-1"))
    assert RESERVATION_RE.match(resp["ReservationId"])
    assert resp["OwnerId"] == UNKNOWN_KEY_ACCOUNT
    [i] = resp["Instances"]
    assert INSTANCE_RE.match(i["InstanceId"])
    # RunInstances answers while the instance is pending.
    assert i["State"] == PENDING
    assert i["ImageId"] == ami and i["InstanceType"] == "t3.micro"
    assert i["AmiLaunchIndex"] == 0
    assert tags_of(i) == {"Name": "web-1"}
    # Without a subnet the instance lands in a default subnet of the default VPC.
    dvpc = default_vpc(ec2)["VpcId"]
    subnets = default_subnets(ec2)
    az = i["Placement"]["AvailabilityZone"]
    sub = subnets[az]
    assert i["VpcId"] == dvpc and i["SubnetId"] == sub["SubnetId"]
    # Lowest free address of that subnet (docs/aws-choices.md).
    base = sub["CidrBlock"].split("/")[0].rsplit(".", 1)[0]
    assert i["PrivateIpAddress"] == f"{base}.4"
    assert i["PrivateDnsName"] == "ip-{}.ap-northeast-1.compute.internal".format(i["PrivateIpAddress"].replace(".", "-"))
    # Default subnets map public IPv4 addresses on launch; the public DNS name follows spec 1.4.
    assert i["PublicIpAddress"] == "203.0.113.1"
    assert i["PublicDnsName"] == "ec2-203-0-113-1.ap-northeast-1.compute.amazonaws.com"
    # The default security group of the default VPC.
    [g] = i["SecurityGroups"]
    assert g["GroupName"] == "default"
    assert describe(ec2, i["InstanceId"])["State"] == RUNNING


def test_default_instance_type_is_m1_small(ec2, ami):
    # RunInstances, InstanceType: "Default: m1.small".
    [i] = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1)["Instances"]
    assert i["InstanceType"] == "m1.small"


def test_placement_picks_the_zone_default_subnet(ec2, ami):
    i = run_one(ec2, ami, Placement={"AvailabilityZone": "ap-northeast-1c"})
    subnets = default_subnets(ec2)
    assert i["Placement"]["AvailabilityZone"] == "ap-northeast-1c"
    assert i["SubnetId"] == subnets["ap-northeast-1c"]["SubnetId"]
    assert i["PrivateIpAddress"].startswith("172.31.")
    assert DEFAULT_VPC_CIDR == "172.31.0.0/16"


def test_run_in_a_subnet_with_security_groups(ec2, ami, vpc_id, subnet):
    sg = ec2.create_security_group(GroupName="web", Description="x", VpcId=vpc_id)["GroupId"]
    i = run_one(ec2, ami, SubnetId=subnet, SecurityGroupIds=[sg])
    assert (i["VpcId"], i["SubnetId"]) == (vpc_id, subnet)
    assert i["Placement"]["AvailabilityZone"] == "ap-northeast-1a"
    assert i["SecurityGroups"] == [{"GroupId": sg, "GroupName": "web"}]
    assert i["PrivateIpAddress"] == "10.0.1.4"
    # A non-default subnet does not map public addresses unless told to.
    assert "PublicIpAddress" not in i
    assert i.get("PublicDnsName", "") == ""
    # The security group is now in use.
    expect_error(ec2.delete_security_group, GroupId=sg, code="DependencyViolation")


def test_run_with_group_names_in_the_default_vpc(ec2, ami):
    # RunInstances reference, SecurityGroup.N: "[Default VPC] The names of the security groups".
    web = ec2.create_security_group(GroupName="web", Description="x")["GroupId"]
    dflt = ec2.describe_security_groups(GroupNames=["default"])["SecurityGroups"][0]["GroupId"]
    i = run_one(ec2, ami, SecurityGroups=["web", "default"])
    assert i["VpcId"] == default_vpc(ec2)["VpcId"]
    assert i["SecurityGroups"] == [{"GroupId": web, "GroupName": "web"}, {"GroupId": dflt, "GroupName": "default"}]
    [eni] = i["NetworkInterfaces"]
    assert [g["GroupId"] for g in eni["Groups"]] == [web, dflt]
    # Names and ids together: one group each, ids first.
    both = run_one(ec2, ami, SecurityGroupIds=[dflt], SecurityGroups=["web", "default"])
    assert [g["GroupId"] for g in both["SecurityGroups"]] == [dflt, web]
    # A default subnet given explicitly is still the default VPC.
    subnet = default_subnets(ec2)["ap-northeast-1a"]["SubnetId"]
    assert run_one(ec2, ami, SubnetId=subnet, SecurityGroups=["web"])["SecurityGroups"][0]["GroupId"] == web
    resp = expect_error(ec2.run_instances, ImageId=ami, MinCount=1, MaxCount=1, SecurityGroups=["nope"],
                        code="InvalidGroup.NotFound")
    assert resp["Error"]["Message"] == (
        f"The security group 'nope' does not exist in default VPC '{default_vpc(ec2)['VpcId']}'")


def test_run_with_group_names_outside_the_default_vpc(ec2, ami, vpc_id, subnet):
    # Names are the default VPC's form; with a subnet of another VPC AWS answers
    # InvalidParameterCombination "The parameter groupName cannot be used with the parameter
    # subnet", even for a group of that VPC.
    ec2.create_security_group(GroupName="web", Description="x", VpcId=vpc_id)
    resp = expect_error(ec2.run_instances, ImageId=ami, MinCount=1, MaxCount=1, SubnetId=subnet,
                        SecurityGroups=["web"], code="InvalidParameterCombination")
    assert resp["Error"]["Message"] == "The parameter groupName cannot be used with the parameter subnet"
    expect_error(ec2.run_instances, ImageId=ami, MinCount=1, MaxCount=1, SecurityGroups=["default"],
                 NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet}], code="InvalidParameterCombination")
    assert ec2.describe_instances()["Reservations"] == []


def test_cli_run_with_a_group_name(cli, ec2, ami):
    ec2.create_security_group(GroupName="cli-web", Description="x")
    out = cli("ec2", "run-instances", "--image-id", ami, "--count", "1", "--security-groups", "cli-web").json
    assert [g["GroupName"] for g in out["Instances"][0]["SecurityGroups"]] == ["cli-web"]


def test_run_with_an_explicit_private_address(ec2, ami, subnet):
    i = run_one(ec2, ami, SubnetId=subnet, PrivateIpAddress="10.0.1.50")
    assert i["PrivateIpAddress"] == "10.0.1.50"
    expect_error(ec2.run_instances, ImageId=ami, MinCount=1, MaxCount=1, SubnetId=subnet,
                 PrivateIpAddress="10.0.1.50", code="InvalidIPAddress.InUse")


def test_associate_public_ip_address_on_the_interface(ec2, ami, vpc_id, subnet, igw):
    sg = ec2.create_security_group(GroupName="web", Description="x", VpcId=vpc_id)["GroupId"]
    i = run_one(ec2, ami, NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet, "Groups": [sg],
                                              "AssociatePublicIpAddress": True}])
    assert i["SubnetId"] == subnet
    assert i["PublicIpAddress"] == "203.0.113.1"
    assert i["PublicDnsName"] == "ec2-203-0-113-1.ap-northeast-1.compute.amazonaws.com"
    assert i["SecurityGroups"] == [{"GroupId": sg, "GroupName": "web"}]


def test_subnet_that_maps_public_addresses(ec2, ami, subnet, igw):
    ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
    i = run_one(ec2, ami, SubnetId=subnet)
    assert i["PublicIpAddress"] == "203.0.113.1"


def test_us_east_1_public_dns_names(make_client, ami):
    use1 = make_client(region="us-east-1")
    us_ami = use1.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    i = run_one(use1, us_ami)
    ip = i["PublicIpAddress"].replace(".", "-")
    # Spec 1.4: us-east-1 uses ec2.internal and compute-1.amazonaws.com.
    assert i["PublicDnsName"] == f"ec2-{ip}.compute-1.amazonaws.com"
    assert i["PrivateDnsName"] == "ip-{}.ec2.internal".format(i["PrivateIpAddress"].replace(".", "-"))


def test_min_and_max_count(ec2, ami, subnet):
    resp = run(ec2, ami, SubnetId=subnet, MinCount=2, MaxCount=3)
    insts = resp["Instances"]
    # RunInstances launches MaxCount when capacity allows.
    assert len(insts) == 3
    assert [i["AmiLaunchIndex"] for i in insts] == [0, 1, 2]
    assert [i["PrivateIpAddress"] for i in insts] == ["10.0.1.4", "10.0.1.5", "10.0.1.6"]
    assert len({i["InstanceId"] for i in insts}) == 3
    [r] = ec2.describe_instances(Filters=[f("subnet-id", subnet)])["Reservations"]
    assert r["ReservationId"] == resp["ReservationId"]
    assert len(r["Instances"]) == 3


def test_count_beyond_free_addresses(ec2, ami, vpc_id):
    tiny = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.9.0/28")["Subnet"]["SubnetId"]
    # 11 usable addresses: MinCount 12 cannot be met. Error-code reference,
    # InsufficientFreeAddressesInSubnet.
    expect_error(ec2.run_instances, ImageId=ami, MinCount=12, MaxCount=12, SubnetId=tiny,
                 code="InsufficientFreeAddressesInSubnet")
    assert ec2.describe_instances(Filters=[f("subnet-id", tiny)])["Reservations"] == []


@pytest.mark.parametrize("itype", ["banana", "t3", ".micro", "t3.micro.large"])
def test_malformed_instance_type(ec2, ami, subnet, itype):
    # [OBS] InvalidParameterValue "Invalid value '...' for InstanceType." docs/aws-choices.md:
    # localvpc accepts any type of the form family.size, so only malformed ones are refused.
    expect_error(ec2.run_instances, ImageId=ami, MinCount=1, MaxCount=1, InstanceType=itype,
                 SubnetId=subnet, code="InvalidParameterValue")
    assert ec2.describe_instances(Filters=[f("subnet-id", subnet)])["Reservations"] == []


def test_run_instances_errors(ec2, ec2_raw, ami, subnet):
    expect_error(ec2.run_instances, ImageId="ami-zz", MinCount=1, MaxCount=1, code="InvalidAMIID.Malformed")
    expect_error(ec2.run_instances, ImageId=ami, MinCount=1, MaxCount=1, SubnetId="subnet-0123456789abcdef0",
                 code="InvalidSubnetID.NotFound")
    expect_error(ec2.run_instances, ImageId=ami, MinCount=1, MaxCount=1, SubnetId=subnet,
                 SecurityGroupIds=["sg-0123456789abcdef0"], code="InvalidGroup.NotFound")
    # AWS-UNCONFIRMED: the codes of these refusals.
    expect_client_error(ec2_raw.run_instances, ImageId=ami, MinCount=3, MaxCount=1, SubnetId=subnet)
    expect_client_error(ec2.run_instances, ImageId=ami, MinCount=1, MaxCount=1, SubnetId=subnet,
                        Placement={"AvailabilityZone": "ap-northeast-1c"})
    expect_error(ec2_raw.run_instances, ImageId=ami, MaxCount=1, code="MissingParameter")
    expect_dry_run(ec2.run_instances, ImageId=ami, MinCount=1, MaxCount=1, SubnetId=subnet)
    assert ec2.describe_instances(Filters=[f("subnet-id", subnet)])["Reservations"] == []


# --------------------------------------------------------------------------- DescribeInstances


def test_describe_instances_filters(ec2, ami, vpc_id, subnet):
    a = run_one(ec2, ami, SubnetId=subnet, TagSpecifications=tag_spec("instance", Name="alpha"))["InstanceId"]
    b = run_one(ec2, ami, SubnetId=subnet, TagSpecifications=tag_spec("instance", Name="bravo"))["InstanceId"]
    c = run_one(ec2, ami)["InstanceId"]  # default VPC
    ec2.stop_instances(InstanceIds=[b])

    def ids(*filters):
        return sorted(i["InstanceId"] for r in ec2.describe_instances(Filters=list(filters))["Reservations"]
                      for i in r["Instances"])

    assert ids() == sorted([a, b, c])
    assert ids(f("instance-state-name", "running")) == sorted([a, c])
    assert ids(f("instance-state-name", "stopped")) == [b]
    assert ids(f("instance-state-code", "80")) == [b]
    assert ids(f("instance-id", a, c)) == sorted([a, c])
    assert ids(f("subnet-id", subnet)) == sorted([a, b])
    assert ids(f("vpc-id", vpc_id)) == sorted([a, b])
    assert ids(f("private-ip-address", "10.0.1.5")) == [b]
    assert ids(f("tag:Name", "alpha")) == [a]
    assert ids(f("tag:Name", "*a*")) == sorted([a, b])
    assert ids(f("tag-key", "Name")) == sorted([a, b])
    assert ids(f("instance-type", "t3.micro")) == sorted([a, b, c])
    assert ids(f("image-id", ami)) == sorted([a, b, c])
    assert ids(f("availability-zone", "ap-northeast-1a"), f("vpc-id", vpc_id)) == sorted([a, b])
    # One reservation per RunInstances call.
    assert len(ec2.describe_instances()["Reservations"]) == 3
    expect_error(ec2.describe_instances, Filters=[f("colour", "red")], code="InvalidParameterValue")


def test_describe_instances_by_id(ec2, ami):
    i = run_one(ec2, ami)["InstanceId"]
    resp = expect_error(ec2.describe_instances, InstanceIds=[MISSING_INSTANCE], code="InvalidInstanceID.NotFound")
    assert MISSING_INSTANCE in resp["Error"]["Message"]
    expect_error(ec2.describe_instances, InstanceIds=[i, MISSING_INSTANCE], code="InvalidInstanceID.NotFound")
    expect_error(ec2.describe_instances, InstanceIds=["i-zz"], code="InvalidInstanceID.Malformed")
    # DescribeInstances, MaxResults: "You cannot specify this parameter and the instance IDs
    # parameter in the same request." AWS-UNCONFIRMED: the code (InvalidParameterCombination).
    expect_client_error(ec2.describe_instances, InstanceIds=[i], MaxResults=5)


def test_describe_instances_pagination(ec2, ami, subnet):
    run(ec2, ami, SubnetId=subnet, MinCount=7, MaxCount=7)
    seen, token, pages = [], None, 0
    while True:
        kw = {"MaxResults": 5, "Filters": [f("subnet-id", subnet)]}
        if token:
            kw["NextToken"] = token
        resp = ec2.describe_instances(**kw)
        seen += [i["InstanceId"] for r in resp["Reservations"] for i in r["Instances"]]
        pages += 1
        token = resp.get("NextToken")
        if not token:
            break
        assert pages < 10
    assert len(seen) == len(set(seen)) == 7


def test_instances_are_per_account(make_client, ec2, ami, is_external):
    if is_external:
        pytest.skip("account mapping of an external server is unknown")
    i = run_one(ec2, ami)["InstanceId"]
    alpha = make_client(access_key=ALPHA_KEY)
    expect_error(alpha.describe_instances, InstanceIds=[i], code="InvalidInstanceID.NotFound")
    expect_error(alpha.terminate_instances, InstanceIds=[i], code="InvalidInstanceID.NotFound")
    assert alpha.describe_instances()["Reservations"] == []


# --------------------------------------------------------------------------- primary interface


def test_primary_interface_is_attached(ec2, ami, subnet):
    i = run_one(ec2, ami, SubnetId=subnet)
    iid = i["InstanceId"]
    [ni] = describe(ec2, iid)["NetworkInterfaces"]
    assert ni["PrivateIpAddress"] == "10.0.1.4"
    assert ni["Attachment"]["DeviceIndex"] == 0
    assert ni["Attachment"]["Status"] == "attached"
    assert ni["Attachment"]["DeleteOnTermination"] is True
    # AWS CLI example for describe-network-interfaces (aws/aws-cli,
    # awscli/examples/ec2/describe-network-interfaces.rst): an instance's primary interface is
    # "Status": "in-use" with an Attachment naming the instance, device index 0.
    assert ni["Status"] == "in-use"
    [e] = ec2.describe_network_interfaces(NetworkInterfaceIds=[ni["NetworkInterfaceId"]])["NetworkInterfaces"]
    assert e["Status"] == "in-use"
    att = e.get("Attachment", {})
    assert att.get("InstanceId") == iid
    assert att.get("DeviceIndex") == 0
    assert att.get("Status") == "attached"
    assert att.get("DeleteOnTermination") is True
    assert att.get("InstanceOwnerId") == UNKNOWN_KEY_ACCOUNT
    found = ec2.describe_network_interfaces(Filters=[f("attachment.instance-id", iid)])["NetworkInterfaces"]
    assert [x["NetworkInterfaceId"] for x in found] == [ni["NetworkInterfaceId"]]


def test_auto_assigned_public_address_shows_on_the_interface(ec2, ami):
    i = run_one(ec2, ami)
    eni = primary_eni(ec2, i["InstanceId"])
    [e] = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"]
    # AWS CLI example for describe-network-interfaces: an auto-assigned public address appears
    # as "Association": {"PublicIp": ..., "IpOwnerId": "amazon"} on the interface and on its
    # primary private address.
    assert e.get("Association", {}).get("PublicIp") == i["PublicIpAddress"]
    assert e["Association"].get("IpOwnerId") == "amazon"
    assert e["PrivateIpAddresses"][0].get("Association", {}).get("PublicIp") == i["PublicIpAddress"]


def test_primary_interface_cannot_be_deleted(ec2, ami, subnet):
    iid = run_one(ec2, ami, SubnetId=subnet)["InstanceId"]
    eni = primary_eni(ec2, iid)
    # Error-code reference, InvalidNetworkInterface.InUse: "The specified interface is
    # currently in use and cannot be deleted or attached to another instance."
    expect_error(ec2.delete_network_interface, NetworkInterfaceId=eni, code="InvalidNetworkInterface.InUse")
    assert primary_eni(ec2, iid) == eni
    ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])


def test_instance_blocks_subnet_deletion(ec2, ami, subnet):
    iid = run_one(ec2, ami, SubnetId=subnet)["InstanceId"]
    expect_error(ec2.delete_subnet, SubnetId=subnet, code="DependencyViolation")
    ec2.terminate_instances(InstanceIds=[iid])
    ec2.delete_subnet(SubnetId=subnet)


# --------------------------------------------------------------------------- lifecycle


def test_stop_releases_the_public_address_and_start_assigns_a_new_one(ec2, ami):
    i = run_one(ec2, ami)
    iid, first_ip = i["InstanceId"], i["PublicIpAddress"]
    resp = ec2.stop_instances(InstanceIds=[iid])
    [s] = resp["StoppingInstances"]
    assert s["InstanceId"] == iid and s["PreviousState"] == RUNNING
    assert s["CurrentState"]["Name"] in ("stopping", "stopped")
    d = describe(ec2, iid)
    assert d["State"] == STOPPED
    # EC2 User Guide, public IPv4 addresses: "We release the public IP address for your
    # instance when it's stopped"; the private address is kept.
    assert "PublicIpAddress" not in d
    assert d.get("PublicDnsName", "") == ""
    assert d["PrivateIpAddress"] == i["PrivateIpAddress"]
    # Another launch takes the released address ...
    other = run_one(ec2, ami)
    assert other["PublicIpAddress"] == first_ip
    # ... and the restarted instance gets a new one.
    resp = ec2.start_instances(InstanceIds=[iid])
    [s] = resp["StartingInstances"]
    assert s["PreviousState"] == STOPPED and s["CurrentState"]["Name"] in ("pending", "running")
    d = describe(ec2, iid)
    assert d["State"] == RUNNING
    assert d["PublicIpAddress"] not in (None, first_ip)
    assert d["PublicDnsName"] == "ec2-{}.ap-northeast-1.compute.amazonaws.com".format(
        d["PublicIpAddress"].replace(".", "-"))
    assert d["PrivateIpAddress"] == i["PrivateIpAddress"]


def test_terminate(ec2, ami, subnet):
    i = run_one(ec2, ami, SubnetId=subnet)
    iid = i["InstanceId"]
    eni = primary_eni(ec2, iid)
    resp = ec2.terminate_instances(InstanceIds=[iid])
    [t] = resp["TerminatingInstances"]
    assert t["InstanceId"] == iid and t["PreviousState"] == RUNNING
    assert t["CurrentState"]["Name"] in ("shutting-down", "terminated")
    d = describe(ec2, iid)
    assert d["State"] == TERMINATED
    # The primary interface has DeleteOnTermination: it is gone, and its address is free.
    expect_error(ec2.describe_network_interfaces, NetworkInterfaceIds=[eni], code="InvalidNetworkInterfaceID.NotFound")
    assert ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["AvailableIpAddressCount"] == 251
    # Terminated instances stay visible for a while.
    assert [x["InstanceId"] for r in ec2.describe_instances(Filters=[f("instance-state-name", "terminated")])[
        "Reservations"] for x in r["Instances"]] == [iid]
    ec2.delete_subnet(SubnetId=subnet)


def test_terminated_instance_cannot_be_started_or_stopped(ec2, ami):
    iid = run_one(ec2, ami)["InstanceId"]
    ec2.terminate_instances(InstanceIds=[iid])
    # Error-code reference, IncorrectInstanceState: "The instance is in an incorrect state
    # for the requested action."
    expect_error(ec2.start_instances, InstanceIds=[iid], code="IncorrectInstanceState")
    expect_error(ec2.stop_instances, InstanceIds=[iid], code="IncorrectInstanceState")
    # Terminating again is harmless.
    [t] = ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"]
    assert t["CurrentState"] == TERMINATED


def test_lifecycle_errors(ec2, ami):
    iid = run_one(ec2, ami)["InstanceId"]
    for call in (ec2.stop_instances, ec2.start_instances, ec2.terminate_instances):
        expect_error(call, InstanceIds=[MISSING_INSTANCE], code="InvalidInstanceID.NotFound")
        expect_dry_run(call, InstanceIds=[iid])
    assert describe(ec2, iid)["State"] == RUNNING


# --------------------------------------------------------------------------- DescribeInstanceStatus


def test_describe_instance_status(ec2, ami):
    running = run_one(ec2, ami)["InstanceId"]
    stopped = run_one(ec2, ami)["InstanceId"]
    ec2.stop_instances(InstanceIds=[stopped])
    # DescribeInstanceStatus: by default only running instances are described;
    # IncludeAllInstances includes the others.
    statuses = ec2.describe_instance_status()["InstanceStatuses"]
    assert [s["InstanceId"] for s in statuses] == [running]
    [s] = statuses
    assert s["InstanceState"] == RUNNING
    assert s["InstanceStatus"]["Status"] == "ok" and s["SystemStatus"]["Status"] == "ok"
    assert s["AvailabilityZone"].startswith("ap-northeast-1")
    every = ec2.describe_instance_status(IncludeAllInstances=True)["InstanceStatuses"]
    assert sorted(x["InstanceId"] for x in every) == sorted([running, stopped])
    [st] = [x for x in every if x["InstanceId"] == stopped]
    assert st["InstanceState"] == STOPPED
    assert st["InstanceStatus"]["Status"] == "not-applicable"
    expect_error(ec2.describe_instance_status, InstanceIds=[MISSING_INSTANCE], code="InvalidInstanceID.NotFound")


# --------------------------------------------------------------------------- instances as route targets


def test_route_to_an_instance(ec2, ami, vpc_id, subnet):
    iid = run_one(ec2, ami, SubnetId=subnet)["InstanceId"]
    eni = primary_eni(ec2, iid)
    rtb = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", InstanceId=iid)
    [r] = [r for r in ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
           if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
    # Spec 1.5: an instance target is its primary network interface.
    assert r["NetworkInterfaceId"] == eni
    assert (r["Origin"], r["State"]) == ("CreateRoute", "active")
    ec2.terminate_instances(InstanceIds=[iid])
    [r] = [r for r in ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
           if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
    assert r["State"] == "blackhole"


def test_elastic_ip_on_an_instance_replaces_its_previous_one(ec2, ami, subnet, igw):
    iid = run_one(ec2, ami, SubnetId=subnet)["InstanceId"]
    a = ec2.allocate_address(Domain="vpc")["AllocationId"]
    b = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=a, InstanceId=iid)
    d = describe(ec2, iid)
    assert d["PublicIpAddress"] == "203.0.113.1"
    # AssociateAddress: "If you associate an Elastic IP address with an instance that has an
    # existing Elastic IP address, the existing address is disassociated from the instance, but
    # remains allocated to your account."
    ec2.associate_address(AllocationId=b, InstanceId=iid)
    assert describe(ec2, iid)["PublicIpAddress"] == "203.0.113.2"
    [old] = ec2.describe_addresses(AllocationIds=[a])["Addresses"]
    assert "AssociationId" not in old and "InstanceId" not in old
    [new] = ec2.describe_addresses(AllocationIds=[b])["Addresses"]
    assert new["InstanceId"] == iid


def test_an_empty_placement_zone_is_no_zone(ec2, ami, subnet):
    # Terraform's aws_instance sends Placement.AvailabilityZone= when none is configured.
    i = run_one(ec2, ami, SubnetId=subnet, Placement={"AvailabilityZone": ""})
    assert i["SubnetId"] == subnet
    assert i["Placement"]["AvailabilityZone"] == "ap-northeast-1a"


# --------------------------------------------------------------------------- instance types


def test_describe_instance_types_has_aws_values(ec2):
    types = {t["InstanceType"]: t for t in
             ec2.describe_instance_types(InstanceTypes=["t3.micro", "m5.large", "t4g.nano"])["InstanceTypes"]}
    assert set(types) == {"t3.micro", "m5.large", "t4g.nano"}
    t = types["t3.micro"]
    assert t["VCpuInfo"]["DefaultVCpus"] == 2 and t["VCpuInfo"]["DefaultCores"] == 1
    assert t["VCpuInfo"]["DefaultThreadsPerCore"] == 2
    assert t["MemoryInfo"]["SizeInMiB"] == 1024
    assert t["ProcessorInfo"]["SupportedArchitectures"] == ["x86_64"]
    assert t["ProcessorInfo"]["SustainedClockSpeedInGhz"] == 2.5
    assert t["Hypervisor"] == "nitro" and t["BurstablePerformanceSupported"] and t["FreeTierEligible"]
    assert t["NetworkInfo"]["MaximumNetworkInterfaces"] == 2
    assert t["NetworkInfo"]["Ipv4AddressesPerInterface"] == 2
    assert t["NetworkInfo"]["NetworkPerformance"] == "Up to 5 Gigabit"
    assert t["SupportedUsageClasses"] == ["on-demand", "spot"]
    assert t["EbsInfo"]["EbsOptimizedSupport"] == "default"
    assert types["t4g.nano"]["ProcessorInfo"]["SupportedArchitectures"] == ["arm64"]
    assert not types["m5.large"]["BurstablePerformanceSupported"]


def test_describe_instance_types_filters_and_pages(ec2):
    got = ec2.describe_instance_types(Filters=[f("instance-type", "t3.*"), f("current-generation", "true")])
    names = [t["InstanceType"] for t in got["InstanceTypes"]]
    assert "t3.micro" in names and all(n.startswith("t3.") for n in names)
    arm = ec2.describe_instance_types(Filters=[f("processor-info.supported-architecture", "arm64"),
                                               f("instance-type", "t4g.*")])["InstanceTypes"]
    assert arm and all(t["InstanceType"].startswith("t4g.") for t in arm)
    seen, token = [], None
    while True:
        kw = {"NextToken": token} if token else {}
        page = ec2.describe_instance_types(MaxResults=5, Filters=[f("instance-type", "t3.*")], **kw)
        assert len(page["InstanceTypes"]) <= 5
        seen += [t["InstanceType"] for t in page["InstanceTypes"]]
        token = page.get("NextToken")
        if not token:
            break
    assert sorted(seen) == sorted(names) and len(seen) == len(set(seen))
    everything = ec2.get_paginator("describe_instance_types").paginate().build_full_result()
    assert len(everything["InstanceTypes"]) > 1000


def test_describe_instance_types_errors(ec2):
    err = expect_error(ec2.describe_instance_types, InstanceTypes=["t3.micro", "t3.gigantic"],
                       code="InvalidInstanceType")
    assert "t3.gigantic" in err["Error"]["Message"]
    expect_error(ec2.describe_instance_types, MaxResults=101, code="InvalidParameterValue")
    expect_error(ec2.describe_instance_types, Filters=[f("bogus", "x")], code="InvalidParameterValue")
    expect_dry_run(ec2.describe_instance_types)


def test_describe_instance_type_offerings(ec2):
    region = ec2.describe_instance_type_offerings(Filters=[f("instance-type", "t3.micro")])
    assert region["InstanceTypeOfferings"] == [
        {"InstanceType": "t3.micro", "LocationType": "region", "Location": "ap-northeast-1"}]
    zones = ec2.describe_instance_type_offerings(LocationType="availability-zone",
                                                 Filters=[f("instance-type", "t3.micro")])["InstanceTypeOfferings"]
    azs = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
    assert sorted(o["Location"] for o in zones) == sorted(azs)
    assert {o["LocationType"] for o in zones} == {"availability-zone"}
    one = ec2.describe_instance_type_offerings(LocationType="availability-zone",
                                               Filters=[f("location", azs[0]), f("instance-type", "m5.large")])
    assert [o["Location"] for o in one["InstanceTypeOfferings"]] == [azs[0]]
    ids = ec2.describe_instance_type_offerings(LocationType="availability-zone-id",
                                               Filters=[f("instance-type", "t3.micro")])["InstanceTypeOfferings"]
    zone_ids = [z["ZoneId"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
    assert sorted(o["Location"] for o in ids) == sorted(zone_ids)
    page = ec2.describe_instance_type_offerings(MaxResults=5)
    assert len(page["InstanceTypeOfferings"]) == 5 and page["NextToken"]


# --------------------------------------------------------------------------- instance attributes, volumes, credits


def test_describe_instance_attribute(ec2, ami, vpc_id, subnet):
    sg = ec2.create_security_group(GroupName="web", Description="w", VpcId=vpc_id)["GroupId"]
    iid = run_one(ec2, ami, SubnetId=subnet, SecurityGroupIds=[sg])["InstanceId"]
    attr = lambda name: ec2.describe_instance_attribute(InstanceId=iid, Attribute=name)
    assert attr("instanceType")["InstanceType"] == {"Value": "t3.micro"}
    assert attr("disableApiTermination")["DisableApiTermination"] == {"Value": False}
    assert attr("disableApiStop")["DisableApiStop"] == {"Value": False}
    assert attr("instanceInitiatedShutdownBehavior")["InstanceInitiatedShutdownBehavior"] == {"Value": "stop"}
    assert attr("sourceDestCheck")["SourceDestCheck"] == {"Value": True}
    assert attr("ebsOptimized")["EbsOptimized"] == {"Value": False}
    assert attr("enaSupport")["EnaSupport"] == {"Value": True}
    assert attr("enclaveOptions")["EnclaveOptions"] == {"Enabled": False}
    assert attr("rootDeviceName")["RootDeviceName"] == {"Value": "/dev/xvda"}
    assert attr("groupSet")["Groups"] == [{"GroupId": sg, "GroupName": "web"}]
    assert attr("userData")["InstanceId"] == iid
    [bdm] = attr("blockDeviceMapping")["BlockDeviceMappings"]
    assert bdm["DeviceName"] == "/dev/xvda" and bdm["Ebs"]["DeleteOnTermination"]
    assert bdm["Ebs"]["VolumeId"] == "vol-" + iid[2:]
    assert describe(ec2, iid)["BlockDeviceMappings"] == [bdm]
    err = expect_error(ec2.describe_instance_attribute, InstanceId=iid, Attribute="colour",
                       code="InvalidParameterValue")
    assert "colour" in err["Error"]["Message"]
    expect_error(ec2.describe_instance_attribute, InstanceId=MISSING_INSTANCE, Attribute="instanceType",
                 code="InvalidInstanceID.NotFound")
    expect_dry_run(ec2.describe_instance_attribute, InstanceId=iid, Attribute="instanceType")


def test_each_instance_has_a_root_volume(ec2, ami, subnet):
    a = run_one(ec2, ami, SubnetId=subnet)["InstanceId"]
    b = run_one(ec2, ami, SubnetId=subnet)["InstanceId"]
    [vol] = ec2.describe_volumes(Filters=[f("attachment.instance-id", a)])["Volumes"]
    assert vol["VolumeId"] == "vol-" + a[2:]
    assert (vol["Size"], vol["VolumeType"], vol["Iops"], vol["Throughput"]) == (8, "gp3", 3000, 125)
    assert vol["State"] == "in-use" and not vol["Encrypted"]
    assert vol["AvailabilityZone"] == "ap-northeast-1a"
    [att] = vol["Attachments"]
    assert (att["InstanceId"], att["Device"], att["State"], att["DeleteOnTermination"]) == \
        (a, "/dev/xvda", "attached", True)
    both = ec2.describe_volumes(VolumeIds=["vol-" + b[2:], "vol-" + a[2:]])["Volumes"]
    assert {v["VolumeId"] for v in both} == {"vol-" + a[2:], "vol-" + b[2:]}
    assert ec2.describe_volumes(Filters=[f("volume-id", "vol-" + b[2:])])["Volumes"][0]["Attachments"][0][
        "InstanceId"] == b
    ec2.terminate_instances(InstanceIds=[a])
    assert ec2.describe_volumes(Filters=[f("attachment.instance-id", a)])["Volumes"] == []
    expect_error(ec2.describe_volumes, VolumeIds=["vol-" + a[2:]], code="InvalidVolume.NotFound")
    expect_error(ec2.describe_volumes, VolumeIds=["vpc-123"], code="InvalidParameterValue")
    expect_dry_run(ec2.describe_volumes)


def test_instance_credit_specifications(ec2, ami, subnet):
    t3 = run_one(ec2, ami, SubnetId=subnet)["InstanceId"]
    t2 = run_one(ec2, ami, SubnetId=subnet, InstanceType="t2.micro")["InstanceId"]
    m5 = run_one(ec2, ami, SubnetId=subnet, InstanceType="m5.large")["InstanceId"]
    named = ec2.describe_instance_credit_specifications(InstanceIds=[t3, t2])["InstanceCreditSpecifications"]
    assert {s["InstanceId"]: s["CpuCredits"] for s in named} == {t3: "unlimited", t2: "standard"}
    # Unnamed: the instances with the unlimited option only.
    listed = ec2.describe_instance_credit_specifications(Filters=[f("instance-id", t3, t2, m5)])[
        "InstanceCreditSpecifications"]
    assert [s["InstanceId"] for s in listed] == [t3]
    expect_error(ec2.describe_instance_credit_specifications, InstanceIds=[m5], code="UnsupportedOperation")
    expect_error(ec2.describe_instance_credit_specifications, InstanceIds=[MISSING_INSTANCE],
                 code="InvalidInstanceID.NotFound")


def test_get_instance_uefi_data(ec2, ami, subnet):
    iid = run_one(ec2, ami, SubnetId=subnet)["InstanceId"]
    got = ec2.get_instance_uefi_data(InstanceId=iid)
    assert got["InstanceId"] == iid and "UefiData" not in got
    # The AWS provider's aws_ami data source asks with the image id.
    expect_error(ec2.get_instance_uefi_data, InstanceId=ami, code="InvalidInstanceID.Malformed")
    expect_error(ec2.get_instance_uefi_data, InstanceId=MISSING_INSTANCE, code="InvalidInstanceID.NotFound")


def test_termination_and_stop_protection(ec2, ami, subnet):
    iid = run_one(ec2, ami, SubnetId=subnet, DisableApiTermination=True)["InstanceId"]
    attr = lambda name: ec2.describe_instance_attribute(InstanceId=iid, Attribute=name)
    assert attr("disableApiTermination")["DisableApiTermination"] == {"Value": True}
    expect_error(ec2.terminate_instances, InstanceIds=[iid], code="OperationNotPermitted")
    ec2.modify_instance_attribute(InstanceId=iid, DisableApiStop={"Value": True})
    assert attr("disableApiStop")["DisableApiStop"] == {"Value": True}
    expect_error(ec2.stop_instances, InstanceIds=[iid], code="OperationNotPermitted")
    expect_error(ec2.modify_instance_attribute, InstanceId=iid, InstanceType={"Value": "t3.large"},
                 code=NOT_EMULATED)
    ec2.modify_instance_attribute(InstanceId=iid, Attribute="disableApiTermination", Value="false")
    ec2.modify_instance_attribute(InstanceId=iid, DisableApiStop={"Value": False})
    assert describe(ec2, iid)["State"] == RUNNING
    ec2.terminate_instances(InstanceIds=[iid])
    expect_error(ec2.modify_instance_attribute, InstanceId=MISSING_INSTANCE, DisableApiStop={"Value": True},
                 code="InvalidInstanceID.NotFound")

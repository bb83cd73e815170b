"""CreateVpc, DescribeVpcs, DeleteVpc, Describe/ModifyVpcAttribute,
Associate/DisassociateVpcCidrBlock, CreateDefaultVpc."""

import pytest

from helpers import (
    DEFAULT_VPC_CIDR,
    DOPT_ID_RE,
    MISSING_VPC_ID,
    UNKNOWN_KEY_ACCOUNT,
    VPC_CIDR_ASSOC_RE,
    VPC_ID_RE,
    default_vpc,
    expect_client_error,
    expect_dry_run,
    expect_error,
    new_ec2_client,
    tag_spec,
    tags_of,
    wait_until,
)


def describe_one(ec2, vpc_id):
    vpcs = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    assert len(vpcs) == 1 and vpcs[0]["VpcId"] == vpc_id
    return vpcs[0]


def attr(ec2, vpc_id, name):
    resp = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=name)
    assert resp["VpcId"] == vpc_id
    key = name[0].upper() + name[1:]
    return resp[key]["Value"]


# --------------------------------------------------------------------------- CreateVpc


def test_create_vpc_returns_full_vpc(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    assert VPC_ID_RE.match(vpc["VpcId"]), vpc["VpcId"]
    assert vpc["CidrBlock"] == "10.0.0.0/16"
    assert vpc["State"] in ("pending", "available")
    assert vpc["IsDefault"] is False
    assert vpc["InstanceTenancy"] == "default"
    assert vpc["OwnerId"] == UNKNOWN_KEY_ACCOUNT
    assert DOPT_ID_RE.match(vpc["DhcpOptionsId"]), vpc["DhcpOptionsId"]
    assocs = vpc["CidrBlockAssociationSet"]
    assert len(assocs) == 1
    assert assocs[0]["CidrBlock"] == "10.0.0.0/16"
    assert VPC_CIDR_ASSOC_RE.match(assocs[0]["AssociationId"]), assocs[0]
    assert assocs[0]["CidrBlockState"]["State"] == "associated"
    assert not vpc.get("Ipv6CidrBlockAssociationSet")
    assert "Tags" not in vpc  # AWS's create-vpc example 2: an untagged VPC has no Tags key

    described = describe_one(ec2, vpc["VpcId"])
    assert described["State"] == "available"
    for key in ("CidrBlock", "IsDefault", "InstanceTenancy", "OwnerId", "DhcpOptionsId"):
        assert described[key] == vpc[key], key
    assert "Tags" not in described
    assert described["CidrBlockAssociationSet"] == assocs


@pytest.mark.parametrize(
    "given,stored",
    [
        ("100.68.0.18/18", "100.68.0.0/18"),
        ("10.1.2.3/16", "10.1.0.0/16"),
        ("192.168.7.200/28", "192.168.7.192/28"),
    ],
)
def test_create_vpc_canonicalises_cidr(ec2, given, stored):
    vpc = ec2.create_vpc(CidrBlock=given)["Vpc"]
    assert vpc["CidrBlock"] == stored
    assert vpc["CidrBlockAssociationSet"][0]["CidrBlock"] == stored
    assert describe_one(ec2, vpc["VpcId"])["CidrBlock"] == stored


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "10.0.0.0/20", "10.0.0.0/24", "10.0.0.0/28"])
def test_create_vpc_size_bounds_accepted(ec2, cidr):
    assert ec2.create_vpc(CidrBlock=cidr)["Vpc"]["CidrBlock"] == cidr


@pytest.mark.parametrize("cidr", ["10.0.0.0/8", "10.0.0.0/15", "10.0.0.0/29", "10.0.0.0/32", "0.0.0.0/0"])
def test_create_vpc_size_out_of_range(ec2, cidr):
    expect_error(ec2.create_vpc, CidrBlock=cidr, code="InvalidVpc.Range")
    assert len(ec2.describe_vpcs()["Vpcs"]) == 1  # only the default VPC


@pytest.mark.parametrize("cidr", ["not-a-cidr", "10.0.0.0/33", "300.1.0.0/16"])
def test_create_vpc_malformed_cidr(ec2, cidr):
    # "Value (x) for parameter cidrBlock is invalid. This is not a valid CIDR block." [OBS]
    expect_error(ec2.create_vpc, CidrBlock=cidr, code="InvalidParameterValue")


def test_create_vpc_address_without_prefix_length(ec2):
    # AWS-UNCONFIRMED: whether a bare address is a syntax error or a range error.
    expect_error(ec2.create_vpc, CidrBlock="10.0.0.0", code={"InvalidParameterValue", "InvalidVpc.Range"})


def test_create_vpc_without_cidr(ec2):
    # [OBS] MissingParameter: Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.
    expect_error(ec2.create_vpc, code="MissingParameter")


def test_create_vpc_with_tags(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16",
                         TagSpecifications=tag_spec("vpc", Name="main", Env="dev", Empty=""))["Vpc"]
    assert tags_of(vpc) == {"Name": "main", "Env": "dev", "Empty": ""}
    assert tags_of(describe_one(ec2, vpc["VpcId"])) == {"Name": "main", "Env": "dev", "Empty": ""}


def test_create_vpc_dry_run_creates_nothing(ec2):
    expect_dry_run(ec2.create_vpc, CidrBlock="10.0.0.0/16")
    assert [v["IsDefault"] for v in ec2.describe_vpcs()["Vpcs"]] == [True]


def test_created_vpcs_have_distinct_ids(ec2):
    # Stays within the default quota of 5 VPCs per Region (default VPC included).
    ids = {ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")["Vpc"]["VpcId"] for i in range(3)}
    assert len(ids) == 3
    # Overlapping VPCs are allowed: VPCs are independent address spaces.
    again = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    assert again not in ids


# --------------------------------------------------------------------------- DescribeVpcs


def test_describe_vpcs_lists_default_and_created(ec2):
    created = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    vpcs = {v["VpcId"]: v for v in ec2.describe_vpcs()["Vpcs"]}
    assert len(vpcs) == 2
    assert created in vpcs and vpcs[created]["IsDefault"] is False
    dflt = [v for v in vpcs.values() if v["IsDefault"]]
    assert len(dflt) == 1 and dflt[0]["CidrBlock"] == DEFAULT_VPC_CIDR


def test_describe_vpcs_by_ids(ec2):
    a = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    b = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    ec2.create_vpc(CidrBlock="10.2.0.0/16")
    got = sorted(v["VpcId"] for v in ec2.describe_vpcs(VpcIds=[a, b])["Vpcs"])
    assert got == sorted([a, b])


def test_describe_vpcs_unknown_id(ec2):
    resp = expect_error(ec2.describe_vpcs, VpcIds=[MISSING_VPC_ID], code="InvalidVpcID.NotFound")
    assert MISSING_VPC_ID in resp["Error"]["Message"]


def test_describe_vpcs_known_plus_unknown_id_fails_whole_call(ec2):
    a = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    expect_error(ec2.describe_vpcs, VpcIds=[a, MISSING_VPC_ID], code="InvalidVpcID.NotFound")


@pytest.mark.parametrize("bad", ["vpc-xyz!", "foo", "subnet-0123456789abcdef0", "vpc-"])
def test_describe_vpcs_malformed_id(ec2, bad):
    expect_error(ec2.describe_vpcs, VpcIds=[bad], code="InvalidVpcID.Malformed")


def test_describe_vpcs_filters(ec2):
    a = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=tag_spec("vpc", Name="web-1", Tier="web"))["Vpc"]
    b = ec2.create_vpc(CidrBlock="10.1.0.0/16", TagSpecifications=tag_spec("vpc", Name="web-2", Tier="web"))["Vpc"]
    c = ec2.create_vpc(CidrBlock="192.168.0.0/20", TagSpecifications=tag_spec("vpc", Name="db-1"))["Vpc"]
    dflt = default_vpc(ec2)

    def ids(*filters):
        return sorted(v["VpcId"] for v in ec2.describe_vpcs(Filters=list(filters))["Vpcs"])

    def f(name, *values):
        return {"Name": name, "Values": list(values)}

    everyone = sorted([a["VpcId"], b["VpcId"], c["VpcId"], dflt["VpcId"]])
    assert ids(f("vpc-id", a["VpcId"])) == [a["VpcId"]]
    assert ids(f("vpc-id", a["VpcId"], c["VpcId"])) == sorted([a["VpcId"], c["VpcId"]])
    assert ids(f("cidr", "10.1.0.0/16")) == [b["VpcId"]]
    assert ids(f("cidr-block-association.cidr-block", "192.168.0.0/20")) == [c["VpcId"]]
    assoc_id = a["CidrBlockAssociationSet"][0]["AssociationId"]
    assert ids(f("cidr-block-association.association-id", assoc_id)) == [a["VpcId"]]
    assert ids(f("cidr-block-association.state", "associated")) == everyone
    assert ids(f("is-default", "true")) == [dflt["VpcId"]]
    assert ids(f("is-default", "false")) == sorted([a["VpcId"], b["VpcId"], c["VpcId"]])
    assert ids(f("state", "available")) == everyone
    assert ids(f("state", "pending")) == []
    assert ids(f("owner-id", UNKNOWN_KEY_ACCOUNT)) == everyone
    assert ids(f("owner-id", "999999999999")) == []
    assert ids(f("dhcp-options-id", a["DhcpOptionsId"])) == sorted(
        v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v["DhcpOptionsId"] == a["DhcpOptionsId"])
    assert ids(f("tag:Tier", "web")) == sorted([a["VpcId"], b["VpcId"]])
    assert ids(f("tag:Name", "db-1", "web-2")) == sorted([b["VpcId"], c["VpcId"]])
    assert ids(f("tag-key", "Tier")) == sorted([a["VpcId"], b["VpcId"]])
    assert ids(f("tag-key", "Name")) == sorted([a["VpcId"], b["VpcId"], c["VpcId"]])
    # Wildcards.
    assert ids(f("tag:Name", "web-*")) == sorted([a["VpcId"], b["VpcId"]])
    assert ids(f("tag:Name", "db-?")) == [c["VpcId"]]
    assert ids(f("tag:Name", "*-1")) == sorted([a["VpcId"], c["VpcId"]])
    assert ids(f("cidr", "10.*")) == sorted([a["VpcId"], b["VpcId"]])
    # Filters are AND-ed, values OR-ed.
    assert ids(f("tag:Tier", "web"), f("cidr", "10.1.0.0/16")) == [b["VpcId"]]
    assert ids(f("tag:Tier", "web"), f("cidr", "192.168.0.0/20")) == []
    # Filter values are case-sensitive.
    assert ids(f("tag:Tier", "WEB")) == []
    # Filter combined with explicit ids.
    ids_with = sorted(v["VpcId"] for v in ec2.describe_vpcs(
        VpcIds=[a["VpcId"], c["VpcId"]], Filters=[f("tag:Tier", "web")])["Vpcs"])
    assert ids_with == [a["VpcId"]]


def test_describe_vpcs_unknown_filter(ec2):
    expect_error(ec2.describe_vpcs, Filters=[{"Name": "no-such-filter", "Values": ["x"]}],
                 code="InvalidParameterValue")


def test_describe_vpcs_dry_run(ec2):
    expect_dry_run(ec2.describe_vpcs)


# --------------------------------------------------------------------------- DeleteVpc


def test_delete_vpc(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.delete_vpc(VpcId=vpc_id)
    expect_error(ec2.describe_vpcs, VpcIds=[vpc_id], code="InvalidVpcID.NotFound")
    assert vpc_id not in [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]]
    # Deleting again: it is gone.
    expect_error(ec2.delete_vpc, VpcId=vpc_id, code="InvalidVpcID.NotFound")


def test_delete_vpc_unknown_and_malformed(ec2):
    expect_error(ec2.delete_vpc, VpcId=MISSING_VPC_ID, code="InvalidVpcID.NotFound")
    expect_error(ec2.delete_vpc, VpcId="not-a-vpc-id", code="InvalidVpcID.Malformed")


def test_delete_vpc_with_subnet_is_dependency_violation(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    expect_error(ec2.delete_vpc, VpcId=vpc_id, code="DependencyViolation")
    assert describe_one(ec2, vpc_id)["State"] == "available"
    ec2.delete_subnet(SubnetId=subnet_id)
    ec2.delete_vpc(VpcId=vpc_id)
    expect_error(ec2.describe_vpcs, VpcIds=[vpc_id], code="InvalidVpcID.NotFound")


def test_delete_vpc_missing_parameter(ec2_raw):
    expect_error(ec2_raw.delete_vpc, code="MissingParameter")


def test_delete_vpc_dry_run_keeps_vpc(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    expect_dry_run(ec2.delete_vpc, VpcId=vpc_id)
    describe_one(ec2, vpc_id)


def test_deleting_vpc_removes_its_tags(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=tag_spec("vpc", Name="gone"))["Vpc"]["VpcId"]
    ec2.delete_vpc(VpcId=vpc_id)
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["Tags"]
    assert tags == []


# --------------------------------------------------------------------------- VPC attributes


def test_vpc_attribute_defaults_for_created_vpc(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    assert attr(ec2, vpc_id, "enableDnsSupport") is True
    assert attr(ec2, vpc_id, "enableDnsHostnames") is False
    assert attr(ec2, vpc_id, "enableNetworkAddressUsageMetrics") is False


def test_vpc_attribute_defaults_for_default_vpc(ec2):
    vpc_id = default_vpc(ec2)["VpcId"]
    assert attr(ec2, vpc_id, "enableDnsSupport") is True
    assert attr(ec2, vpc_id, "enableDnsHostnames") is True


def test_describe_vpc_attribute_returns_only_requested_attribute(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    resp = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")
    assert "EnableDnsHostnames" in resp
    assert "EnableDnsSupport" not in resp


def test_modify_vpc_attribute_round_trip(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    assert attr(ec2, vpc_id, "enableDnsHostnames") is True
    assert attr(ec2, vpc_id, "enableDnsSupport") is True
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": False})
    assert attr(ec2, vpc_id, "enableDnsHostnames") is False
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": False})
    assert attr(ec2, vpc_id, "enableDnsSupport") is False
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": True})
    assert attr(ec2, vpc_id, "enableDnsSupport") is True
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableNetworkAddressUsageMetrics={"Value": True})
    assert attr(ec2, vpc_id, "enableNetworkAddressUsageMetrics") is True
    # Other VPCs are untouched.
    assert attr(ec2, default_vpc(ec2)["VpcId"], "enableDnsHostnames") is True


def test_modify_vpc_attribute_two_attributes_in_one_call(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    # [OBS] InvalidParameterCombination: Fields for multiple attribute types specified:
    # enableDnsHostnames, enableDnsSupport
    expect_error(ec2.modify_vpc_attribute, VpcId=vpc_id, EnableDnsSupport={"Value": True},
                 EnableDnsHostnames={"Value": True}, code="InvalidParameterCombination")
    assert attr(ec2, vpc_id, "enableDnsHostnames") is False


def test_modify_vpc_attribute_no_attribute(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    # AWS-UNCONFIRMED: peers answer InvalidParameterCombination "No attributes specified.";
    # only the client-error class is asserted.
    expect_client_error(ec2.modify_vpc_attribute, VpcId=vpc_id)


def test_enable_dns_hostnames_requires_dns_support(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": False})
    # Documented ("You can only enable DNS hostnames if you've enabled DNS support");
    # AWS-UNCONFIRMED: the exact error code, so only the client-error class is asserted.
    expect_client_error(ec2.modify_vpc_attribute, VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    assert attr(ec2, vpc_id, "enableDnsHostnames") is False


def test_vpc_attribute_unknown_vpc(ec2):
    expect_error(ec2.describe_vpc_attribute, VpcId=MISSING_VPC_ID, Attribute="enableDnsSupport",
                 code="InvalidVpcID.NotFound")
    expect_error(ec2.modify_vpc_attribute, VpcId=MISSING_VPC_ID, EnableDnsSupport={"Value": True},
                 code="InvalidVpcID.NotFound")
    expect_error(ec2.describe_vpc_attribute, VpcId="bogus", Attribute="enableDnsSupport",
                 code="InvalidVpcID.Malformed")


def test_describe_vpc_attribute_bad_or_missing_attribute(ec2_raw):
    vpc_id = ec2_raw.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    expect_error(ec2_raw.describe_vpc_attribute, VpcId=vpc_id, code="MissingParameter")
    # AWS-UNCONFIRMED: code for an attribute name outside the enum (InvalidParameterValue likely).
    expect_client_error(ec2_raw.describe_vpc_attribute, VpcId=vpc_id, Attribute="enableTeleport")


def test_describe_vpc_attribute_dry_run(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    expect_dry_run(ec2.describe_vpc_attribute, VpcId=vpc_id, Attribute="enableDnsSupport")


# --------------------------------------------------------------------------- CIDR associations


def test_associate_secondary_cidr(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    resp = ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.1.0.0/16")
    assert resp["VpcId"] == vpc_id
    assoc = resp["CidrBlockAssociation"]
    assert assoc["CidrBlock"] == "10.1.0.0/16"
    assert VPC_CIDR_ASSOC_RE.match(assoc["AssociationId"])
    assert assoc["CidrBlockState"]["State"] in ("associating", "associated")

    def associated():
        sets = describe_one(ec2, vpc_id)["CidrBlockAssociationSet"]
        return {a["CidrBlock"]: a["CidrBlockState"]["State"] for a in sets} == {
            "10.0.0.0/16": "associated", "10.1.0.0/16": "associated"}

    assert wait_until(associated), describe_one(ec2, vpc_id)
    vpc = describe_one(ec2, vpc_id)
    assert vpc["CidrBlock"] == "10.0.0.0/16"  # primary is unchanged
    # The secondary block is found by the association filters.
    by_cidr = ec2.describe_vpcs(Filters=[{"Name": "cidr-block-association.cidr-block", "Values": ["10.1.0.0/16"]}])
    assert [v["VpcId"] for v in by_cidr["Vpcs"]] == [vpc_id]
    by_assoc = ec2.describe_vpcs(Filters=[{"Name": "cidr-block-association.association-id",
                                           "Values": [assoc["AssociationId"]]}])
    assert [v["VpcId"] for v in by_assoc["Vpcs"]] == [vpc_id]
    # "cidr" only matches the primary block.
    assert ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.1.0.0/16"]}])["Vpcs"] == []
    # Subnets may live in the secondary block.
    sub = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.1.5.0/24")["Subnet"]
    assert sub["CidrBlock"] == "10.1.5.0/24"


def test_associate_cidr_is_canonicalised(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    assoc = ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.2.3.4/16")["CidrBlockAssociation"]
    assert assoc["CidrBlock"] == "10.2.0.0/16"


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "10.0.128.0/17", "10.0.4.0/24", "10.0.0.0/15"])
def test_associate_overlapping_cidr_refused(ec2, cidr):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    # AWS-UNCONFIRMED: the code for an overlapping secondary block (InvalidVpc.Range is the
    # usual answer for CIDR problems); only the client-error class is asserted.
    expect_client_error(ec2.associate_vpc_cidr_block, VpcId=vpc_id, CidrBlock=cidr)
    assert len(describe_one(ec2, vpc_id)["CidrBlockAssociationSet"]) == 1


@pytest.mark.parametrize(
    "primary,secondary",
    [
        ("10.0.0.0/16", "192.168.0.0/16"),
        ("10.0.0.0/16", "172.16.0.0/16"),
        ("172.16.0.0/16", "10.1.0.0/16"),
        ("172.16.0.0/16", "192.168.0.0/16"),
        ("192.168.0.0/16", "10.0.0.0/16"),
        ("192.168.0.0/16", "172.20.0.0/16"),
        ("10.0.0.0/16", "198.19.0.0/16"),
    ],
)
def test_associate_rfc1918_family_restrictions(ec2, primary, secondary):
    vpc_id = ec2.create_vpc(CidrBlock=primary)["Vpc"]["VpcId"]
    # [OBS] "The CIDR '...' is restricted. Use a CIDR from the same private address range as
    # the current VPC CIDR, or use a publicly-routable CIDR." -> InvalidVpc.Range
    expect_error(ec2.associate_vpc_cidr_block, VpcId=vpc_id, CidrBlock=secondary, code="InvalidVpc.Range")


@pytest.mark.parametrize(
    "primary,secondary",
    [
        ("10.0.0.0/16", "100.64.0.0/16"),   # RFC 6598 shared space is allowed
        ("10.0.0.0/16", "10.200.0.0/16"),   # same RFC 1918 family
        ("172.16.0.0/16", "172.17.0.0/16"),
        ("192.168.0.0/20", "192.168.16.0/20"),
        ("10.0.0.0/16", "52.95.0.0/24"),    # publicly routable
    ],
)
def test_associate_permitted_families(ec2, primary, secondary):
    vpc_id = ec2.create_vpc(CidrBlock=primary)["Vpc"]["VpcId"]
    assoc = ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock=secondary)["CidrBlockAssociation"]
    assert assoc["CidrBlock"] == secondary


@pytest.mark.parametrize("cidr", ["10.1.0.0/15", "10.1.0.0/29"])
def test_associate_size_out_of_range(ec2, cidr):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    expect_error(ec2.associate_vpc_cidr_block, VpcId=vpc_id, CidrBlock=cidr, code="InvalidVpc.Range")


def test_associate_beyond_the_cidr_limit(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    for n in range(1, 5):
        ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock=f"10.{n}.0.0/16")
    resp = expect_error(ec2.associate_vpc_cidr_block, VpcId=vpc_id, CidrBlock="10.5.0.0/16",
                        code="CidrLimitExceeded")
    # AWS's text, as moto's tests of AssociateVpcCidrBlock quote it.
    assert resp["Error"]["Message"] == f"This network '{vpc_id}' has met its maximum number of allowed CIDRs: 5"
    assert len(describe_one(ec2, vpc_id)["CidrBlockAssociationSet"]) == 5


def test_associate_unknown_vpc(ec2):
    expect_error(ec2.associate_vpc_cidr_block, VpcId=MISSING_VPC_ID, CidrBlock="10.1.0.0/16",
                 code="InvalidVpcID.NotFound")


def test_disassociate_secondary_cidr(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    assoc_id = ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.1.0.0/16")["CidrBlockAssociation"]["AssociationId"]
    resp = ec2.disassociate_vpc_cidr_block(AssociationId=assoc_id)
    assert resp["VpcId"] == vpc_id
    assert resp["CidrBlockAssociation"]["AssociationId"] == assoc_id
    assert resp["CidrBlockAssociation"]["CidrBlock"] == "10.1.0.0/16"
    assert resp["CidrBlockAssociation"]["CidrBlockState"]["State"] in ("disassociating", "disassociated")

    def gone():
        live = [a for a in describe_one(ec2, vpc_id)["CidrBlockAssociationSet"]
                if a["CidrBlockState"]["State"] not in ("disassociated", "disassociating")]
        return [a["CidrBlock"] for a in live] == ["10.0.0.0/16"]

    assert wait_until(gone), describe_one(ec2, vpc_id)
    # The block can be associated again afterwards.
    ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.1.0.0/16")


def test_disassociate_primary_cidr_refused(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    primary_assoc = vpc["CidrBlockAssociationSet"][0]["AssociationId"]
    # Documented: "You cannot disassociate the CIDR block with which you originally created
    # the VPC". AWS-UNCONFIRMED: the code (moto: OperationNotPermitted).
    expect_client_error(ec2.disassociate_vpc_cidr_block, AssociationId=primary_assoc)
    assert describe_one(ec2, vpc["VpcId"])["CidrBlockAssociationSet"][0]["CidrBlockState"]["State"] == "associated"


def test_disassociate_unknown_association(ec2):
    # AWS-UNCONFIRMED: code for an unknown association id (InvalidVpcCidrBlockAssociationID.NotFound
    # in moto); only the client-error class is asserted.
    expect_client_error(ec2.disassociate_vpc_cidr_block, AssociationId="vpc-cidr-assoc-0123456789abcdef0")


def test_cidr_association_missing_parameters(ec2_raw):
    expect_error(ec2_raw.associate_vpc_cidr_block, CidrBlock="10.1.0.0/16", code="MissingParameter")
    expect_error(ec2_raw.disassociate_vpc_cidr_block, code="MissingParameter")


# --------------------------------------------------------------------------- default VPC


def test_default_vpc_shape(ec2):
    vpc = default_vpc(ec2)
    assert VPC_ID_RE.match(vpc["VpcId"])
    assert vpc["CidrBlock"] == DEFAULT_VPC_CIDR
    assert vpc["IsDefault"] is True
    assert vpc["State"] == "available"
    assert vpc["OwnerId"] == UNKNOWN_KEY_ACCOUNT
    assert vpc["InstanceTenancy"] == "default"
    assert vpc["CidrBlockAssociationSet"][0]["CidrBlock"] == DEFAULT_VPC_CIDR


def test_create_default_vpc_when_one_exists(ec2):
    expect_error(ec2.create_default_vpc, code="DefaultVpcAlreadyExists")
    assert len(ec2.describe_vpcs()["Vpcs"]) == 1


@pytest.mark.spawns
def test_create_default_vpc_after_none(spawn_server):
    srv = spawn_server(no_default_vpc=True)
    ec2 = new_ec2_client(srv.url)
    assert ec2.describe_vpcs()["Vpcs"] == []
    expect_dry_run(ec2.create_default_vpc)
    assert ec2.describe_vpcs()["Vpcs"] == []
    vpc = ec2.create_default_vpc()["Vpc"]
    assert vpc["IsDefault"] is True
    assert vpc["CidrBlock"] == DEFAULT_VPC_CIDR
    assert VPC_ID_RE.match(vpc["VpcId"])
    assert attr(ec2, vpc["VpcId"], "enableDnsHostnames") is True
    assert attr(ec2, vpc["VpcId"], "enableDnsSupport") is True
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]
    zones = {z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]}
    assert {s["AvailabilityZone"] for s in subnets} == zones
    assert len(subnets) == len(zones)
    for s in subnets:
        assert s["DefaultForAz"] is True and s["MapPublicIpOnLaunch"] is True
        assert s["CidrBlock"].endswith("/20") and s["CidrBlock"].startswith("172.31.")
    expect_error(ec2.create_default_vpc, code="DefaultVpcAlreadyExists")


def test_vpc_cidr_block_quota(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    for i in range(1, 5):
        ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock=f"10.{i}.0.0/16")
    # Documented default quota: 5 IPv4 CIDR blocks per VPC (primary included).
    # AWS-UNCONFIRMED: the code (CidrLimitExceeded in peers).
    expect_client_error(ec2.associate_vpc_cidr_block, VpcId=vpc_id, CidrBlock="10.9.0.0/16")
    blocks = [a["CidrBlock"] for a in describe_one(ec2, vpc_id)["CidrBlockAssociationSet"]
              if a["CidrBlockState"]["State"] == "associated"]
    assert sorted(blocks) == sorted(f"10.{i}.0.0/16" for i in range(5))


def test_disassociate_cidr_with_subnet_refused(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    assoc = ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.1.0.0/16")["CidrBlockAssociation"]
    ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.1.0.0/24")
    # Model docs: "You must detach or delete all gateways and resources that are associated
    # with the CIDR block before you can disassociate it." AWS-UNCONFIRMED: the code.
    expect_client_error(ec2.disassociate_vpc_cidr_block, AssociationId=assoc["AssociationId"])
    blocks = {a["CidrBlock"]: a["CidrBlockState"]["State"] for a in describe_one(ec2, vpc_id)["CidrBlockAssociationSet"]}
    assert blocks["10.1.0.0/16"] == "associated"


def test_create_vpc_dedicated_tenancy(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", InstanceTenancy="dedicated")["Vpc"]
    assert vpc["InstanceTenancy"] == "dedicated"
    assert describe_one(ec2, vpc["VpcId"])["InstanceTenancy"] == "dedicated"


def test_create_vpc_tag_spec_for_wrong_resource_type(ec2):
    # AWS-UNCONFIRMED: code for a TagSpecification whose ResourceType does not match the
    # created resource (InvalidParameterValue expected); only the client-error class is asserted.
    expect_client_error(ec2.create_vpc, CidrBlock="10.0.0.0/16", TagSpecifications=tag_spec("subnet", Name="x"))
    assert [v["IsDefault"] for v in ec2.describe_vpcs()["Vpcs"]] == [True]


def test_delete_default_vpc_with_default_subnets_is_dependency_violation(ec2):
    dvpc = default_vpc(ec2)["VpcId"]
    expect_error(ec2.delete_vpc, VpcId=dvpc, code="DependencyViolation")
    assert default_vpc(ec2)["VpcId"] == dvpc


def test_modify_vpc_tenancy_to_default_only(ec2, cli):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", InstanceTenancy="dedicated")["Vpc"]["VpcId"]
    expect_error(ec2.modify_vpc_tenancy, VpcId=vpc, InstanceTenancy="dedicated", code="InvalidParameterValue")
    expect_dry_run(ec2.modify_vpc_tenancy, VpcId=vpc, InstanceTenancy="default")
    assert ec2.modify_vpc_tenancy(VpcId=vpc, InstanceTenancy="default")["ReturnValue"] is True
    assert ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["InstanceTenancy"] == "default"
    expect_error(ec2.modify_vpc_tenancy, VpcId="vpc-0123456789abcdef0", InstanceTenancy="default",
                 code="InvalidVpcID.NotFound")
    out = cli("ec2", "modify-vpc-tenancy", "--vpc-id", vpc, "--instance-tenancy", "default").json
    assert out["ReturnValue"] is True

"""DHCP option sets: Create/Delete/DescribeDhcpOptions and AssociateDhcpOptions, including the
per-region default set and `default` (no options) (spec 1.4, docs/aws-choices.md)."""

import pytest

from helpers import (
    ALPHA_KEY,
    DOPT_ID_RE,
    MISSING_VPC_ID,
    UNKNOWN_KEY_ACCOUNT,
    default_vpc,
    expect_client_error,
    expect_dry_run,
    expect_error,
    tag_spec,
    tags_of,
)

MISSING_DOPT_ID = "dopt-0123456789abcdef0"
# terraform-provider-aws (internal/service/ec2/errors.go) knows both spellings;
# InvalidDhcpOptionID.NotFound is the one in the EC2 error-code reference.
DOPT_NOT_FOUND = {"InvalidDhcpOptionID.NotFound", "InvalidDhcpOptionsID.NotFound"}


def f(name, *values):
    return {"Name": name, "Values": list(values)}


def conf(**kv):
    """conf(domain_name=["a"]) -> DhcpConfigurations"""
    return [{"Key": k.replace("_", "-"), "Values": v} for k, v in kv.items()]


def as_dict(dopt):
    return {c["Key"]: [v["Value"] for v in c["Values"]] for c in dopt["DhcpConfigurations"]}


def create(ec2, **kv):
    return ec2.create_dhcp_options(DhcpConfigurations=conf(**kv))["DhcpOptions"]


def describe(ec2, dopt_id):
    [d] = ec2.describe_dhcp_options(DhcpOptionsIds=[dopt_id])["DhcpOptions"]
    return d


def vpc_dopt(ec2, vpc_id):
    return ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["DhcpOptionsId"]


# --------------------------------------------------------------------------- default sets


@pytest.mark.parametrize("region,domain", [
    ("ap-northeast-1", "ap-northeast-1.compute.internal"),
    ("eu-west-1", "eu-west-1.compute.internal"),
    ("us-east-1", "ec2.internal"),
])
def test_every_region_has_a_default_set(make_client, region, domain):
    # VPC User Guide, DHCP option sets: the default set has domain-name
    # <region>.compute.internal (ec2.internal in us-east-1) and AmazonProvidedDNS.
    ec2 = make_client(region=region)
    dvpc = default_vpc(ec2)
    sets = ec2.describe_dhcp_options()["DhcpOptions"]
    assert len(sets) == 1
    d = sets[0]
    assert DOPT_ID_RE.match(d["DhcpOptionsId"])
    assert d["OwnerId"] == UNKNOWN_KEY_ACCOUNT
    assert as_dict(d) == {"domain-name": [domain], "domain-name-servers": ["AmazonProvidedDNS"]}
    assert dvpc["DhcpOptionsId"] == d["DhcpOptionsId"]


def test_new_vpc_uses_the_default_set(ec2, vpc_id):
    # "Each VPC uses the default DHCP option set for its Region unless" told otherwise.
    dflt = default_vpc(ec2)["DhcpOptionsId"]
    assert vpc_dopt(ec2, vpc_id) == dflt
    created = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]
    assert created["DhcpOptionsId"] == dflt


def test_default_sets_are_per_region(make_client):
    a = make_client(region="ap-northeast-1").describe_dhcp_options()["DhcpOptions"][0]["DhcpOptionsId"]
    b = make_client(region="eu-west-1").describe_dhcp_options()["DhcpOptions"][0]["DhcpOptionsId"]
    assert a != b


# --------------------------------------------------------------------------- CreateDhcpOptions


def test_create_dhcp_options(ec2):
    resp = ec2.create_dhcp_options(
        DhcpConfigurations=conf(domain_name=["corp.example.com"],
                                domain_name_servers=["10.0.0.2", "192.0.2.53"],
                                ntp_servers=["169.254.169.123", "192.0.2.123"],
                                netbios_name_servers=["192.0.2.5"],
                                netbios_node_type=["2"]),
        TagSpecifications=tag_spec("dhcp-options", Name="corp"))
    d = resp["DhcpOptions"]
    assert DOPT_ID_RE.match(d["DhcpOptionsId"])
    assert d["OwnerId"] == UNKNOWN_KEY_ACCOUNT
    assert as_dict(d) == {
        "domain-name": ["corp.example.com"],
        "domain-name-servers": ["10.0.0.2", "192.0.2.53"],
        "ntp-servers": ["169.254.169.123", "192.0.2.123"],
        "netbios-name-servers": ["192.0.2.5"],
        "netbios-node-type": ["2"],
    }
    assert tags_of(d) == {"Name": "corp"}
    got = describe(ec2, d["DhcpOptionsId"])
    assert as_dict(got) == as_dict(d) and tags_of(got) == {"Name": "corp"}


def test_amazon_provided_dns_and_custom_servers(ec2):
    d = create(ec2, domain_name_servers=["AmazonProvidedDNS", "192.0.2.53"])
    assert as_dict(d) == {"domain-name-servers": ["AmazonProvidedDNS", "192.0.2.53"]}


def test_several_domain_names(ec2):
    # CreateDhcpOptions: domain-name "... you can specify multiple domain names separated by
    # spaces" (a single value).
    d = create(ec2, domain_name=["a.example.com b.example.com"])
    assert as_dict(d) == {"domain-name": ["a.example.com b.example.com"]}


def test_four_servers_at_most(ec2):
    # CreateDhcpOptions: "The IP addresses of up to four domain name servers", "up to four
    # NetBIOS name servers", NTP "up to four". AWS-UNCONFIRMED: the code for five.
    four = [f"192.0.2.{i}" for i in range(1, 5)]
    five = four + ["192.0.2.5"]
    assert as_dict(create(ec2, domain_name_servers=four)) == {"domain-name-servers": four}
    before = len(ec2.describe_dhcp_options()["DhcpOptions"])
    for key in ("domain_name_servers", "ntp_servers", "netbios_name_servers"):
        expect_client_error(ec2.create_dhcp_options, DhcpConfigurations=conf(**{key: five}))
    assert len(ec2.describe_dhcp_options()["DhcpOptions"]) == before


@pytest.mark.parametrize("configs", [
    [{"Key": "domain-search", "Values": ["example.com"]}],           # not an EC2 key
    [{"Key": "domain-name-servers", "Values": ["dns.example.com"]}],  # not an IP nor AmazonProvidedDNS
    [{"Key": "ntp-servers", "Values": ["pool.ntp.org"]}],
    [{"Key": "netbios-name-servers", "Values": ["300.1.1.1"]}],
    [{"Key": "netbios-node-type", "Values": ["3"]}],                 # RFC 2132: 1, 2, 4 or 8
])
def test_unknown_keys_and_bad_values(ec2, configs):
    # CreateDhcpOptions lists the keys domain-name-servers, domain-name, ntp-servers,
    # netbios-name-servers, netbios-node-type, ipv6-address-preferred-lease-time.
    # [OBS] InvalidParameterValue "Value (...) for parameter ... is invalid."
    expect_error(ec2.create_dhcp_options, DhcpConfigurations=configs, code="InvalidParameterValue")
    assert len(ec2.describe_dhcp_options()["DhcpOptions"]) == 1


def test_create_dhcp_options_errors(ec2, ec2_raw):
    expect_error(ec2_raw.create_dhcp_options, code="MissingParameter")
    expect_dry_run(ec2.create_dhcp_options, DhcpConfigurations=conf(domain_name=["example.com"]))
    assert len(ec2.describe_dhcp_options()["DhcpOptions"]) == 1


# --------------------------------------------------------------------------- AssociateDhcpOptions


def test_associate_dhcp_options(ec2, vpc_id):
    d = create(ec2, domain_name=["corp.example.com"])["DhcpOptionsId"]
    resp = ec2.associate_dhcp_options(DhcpOptionsId=d, VpcId=vpc_id)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert vpc_dopt(ec2, vpc_id) == d
    assert ec2.describe_vpcs(Filters=[f("dhcp-options-id", d)])["Vpcs"][0]["VpcId"] == vpc_id
    # Other VPCs keep theirs.
    assert default_vpc(ec2)["DhcpOptionsId"] != d


def test_associate_default_means_no_options(ec2, vpc_id):
    # AssociateDhcpOptions: "Specify default to associate no DHCP options with the VPC."
    # docs/aws-choices.md: DescribeVpcs then shows dhcpOptionsId "default".
    region_default = vpc_dopt(ec2, vpc_id)
    ec2.associate_dhcp_options(DhcpOptionsId="default", VpcId=vpc_id)
    assert vpc_dopt(ec2, vpc_id) == "default"
    # The region's default set still exists and can be associated again.
    describe(ec2, region_default)
    ec2.associate_dhcp_options(DhcpOptionsId=region_default, VpcId=vpc_id)
    assert vpc_dopt(ec2, vpc_id) == region_default


def test_associate_errors(ec2, ec2_raw, vpc_id):
    d = create(ec2, domain_name=["corp.example.com"])["DhcpOptionsId"]
    expect_error(ec2.associate_dhcp_options, DhcpOptionsId=MISSING_DOPT_ID, VpcId=vpc_id, code=DOPT_NOT_FOUND)
    expect_error(ec2.associate_dhcp_options, DhcpOptionsId=d, VpcId=MISSING_VPC_ID, code="InvalidVpcID.NotFound")
    expect_error(ec2_raw.associate_dhcp_options, DhcpOptionsId=d, code="MissingParameter")
    expect_dry_run(ec2.associate_dhcp_options, DhcpOptionsId=d, VpcId=vpc_id)
    assert vpc_dopt(ec2, vpc_id) != d


# --------------------------------------------------------------------------- DeleteDhcpOptions


def test_delete_dhcp_options(ec2):
    d = create(ec2, domain_name=["corp.example.com"])["DhcpOptionsId"]
    expect_dry_run(ec2.delete_dhcp_options, DhcpOptionsId=d)
    resp = ec2.delete_dhcp_options(DhcpOptionsId=d)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    expect_error(ec2.describe_dhcp_options, DhcpOptionsIds=[d], code=DOPT_NOT_FOUND)
    expect_error(ec2.delete_dhcp_options, DhcpOptionsId=d, code=DOPT_NOT_FOUND)


def test_delete_in_use_is_dependency_violation(ec2, vpc_id):
    d = create(ec2, domain_name=["corp.example.com"])["DhcpOptionsId"]
    ec2.associate_dhcp_options(DhcpOptionsId=d, VpcId=vpc_id)
    # DeleteDhcpOptions: "You must disassociate the set of DHCP options before you can delete
    # it." [OBS] DependencyViolation "The dhcpOptions 'dopt-...' has dependencies and cannot be
    # deleted."
    expect_error(ec2.delete_dhcp_options, DhcpOptionsId=d, code="DependencyViolation")
    ec2.associate_dhcp_options(DhcpOptionsId="default", VpcId=vpc_id)
    ec2.delete_dhcp_options(DhcpOptionsId=d)


def test_deleting_the_vpc_releases_its_set(ec2, vpc_id):
    d = create(ec2, domain_name=["corp.example.com"])["DhcpOptionsId"]
    ec2.associate_dhcp_options(DhcpOptionsId=d, VpcId=vpc_id)
    ec2.delete_vpc(VpcId=vpc_id)
    ec2.delete_dhcp_options(DhcpOptionsId=d)


def test_region_default_set_in_use_cannot_be_deleted(ec2):
    dflt = default_vpc(ec2)["DhcpOptionsId"]
    expect_error(ec2.delete_dhcp_options, DhcpOptionsId=dflt, code="DependencyViolation")


def test_delete_errors(ec2, ec2_raw):
    expect_error(ec2.delete_dhcp_options, DhcpOptionsId=MISSING_DOPT_ID, code=DOPT_NOT_FOUND)
    # AWS-UNCONFIRMED: the Malformed code's spelling for dopt- ids.
    resp = expect_client_error(ec2.delete_dhcp_options, DhcpOptionsId="dopt-zz")
    assert resp["Error"]["Code"].endswith("Malformed"), resp["Error"]
    expect_error(ec2_raw.delete_dhcp_options, code="MissingParameter")


# --------------------------------------------------------------------------- DescribeDhcpOptions


def test_describe_by_id(ec2):
    a = create(ec2, domain_name=["a.example.com"])["DhcpOptionsId"]
    b = create(ec2, domain_name=["b.example.com"])["DhcpOptionsId"]
    got = ec2.describe_dhcp_options(DhcpOptionsIds=[a, b])["DhcpOptions"]
    assert sorted(d["DhcpOptionsId"] for d in got) == sorted([a, b])
    resp = expect_error(ec2.describe_dhcp_options, DhcpOptionsIds=[MISSING_DOPT_ID], code=DOPT_NOT_FOUND)
    assert MISSING_DOPT_ID in resp["Error"]["Message"]
    expect_error(ec2.describe_dhcp_options, DhcpOptionsIds=[a, MISSING_DOPT_ID], code=DOPT_NOT_FOUND)
    assert len(ec2.describe_dhcp_options()["DhcpOptions"]) == 3


def test_describe_filters(ec2):
    dflt = ec2.describe_dhcp_options()["DhcpOptions"][0]["DhcpOptionsId"]
    corp = ec2.create_dhcp_options(
        DhcpConfigurations=conf(domain_name=["corp.example.com"], domain_name_servers=["192.0.2.53"]),
        TagSpecifications=tag_spec("dhcp-options", Env="prod"))["DhcpOptions"]["DhcpOptionsId"]
    ntp = create(ec2, ntp_servers=["192.0.2.123"])["DhcpOptionsId"]

    def ids(*filters):
        return sorted(d["DhcpOptionsId"] for d in ec2.describe_dhcp_options(Filters=list(filters))["DhcpOptions"])

    assert ids() == sorted([dflt, corp, ntp])
    assert ids(f("dhcp-options-id", corp, ntp)) == sorted([corp, ntp])
    assert ids(f("key", "domain-name")) == sorted([dflt, corp])
    assert ids(f("key", "ntp-servers")) == [ntp]
    assert ids(f("value", "AmazonProvidedDNS")) == [dflt]
    assert ids(f("value", "192.0.2.*")) == sorted([corp, ntp])
    assert ids(f("value", "*.compute.internal")) == [dflt]
    assert ids(f("key", "domain-name"), f("value", "corp.example.com")) == [corp]
    assert ids(f("owner-id", UNKNOWN_KEY_ACCOUNT)) == sorted([dflt, corp, ntp])
    assert ids(f("tag:Env", "prod")) == [corp]
    assert ids(f("tag-key", "Env")) == [corp]


def test_describe_unknown_filter(ec2):
    expect_error(ec2.describe_dhcp_options, Filters=[f("colour", "red")], code="InvalidParameterValue")


def test_dhcp_options_are_per_account(make_client, ec2, is_external):
    if is_external:
        pytest.skip("account mapping of an external server is unknown")
    d = create(ec2, domain_name=["corp.example.com"])["DhcpOptionsId"]
    alpha = make_client(access_key=ALPHA_KEY)
    expect_error(alpha.describe_dhcp_options, DhcpOptionsIds=[d], code=DOPT_NOT_FOUND)
    alpha_vpc = alpha.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    expect_error(alpha.associate_dhcp_options, DhcpOptionsId=d, VpcId=alpha_vpc, code=DOPT_NOT_FOUND)
    # alpha has its own default set, not this account's.
    [own] = alpha.describe_dhcp_options()["DhcpOptions"]
    assert own["DhcpOptionsId"] != d and own["OwnerId"] == "111111111111"

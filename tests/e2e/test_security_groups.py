"""CreateSecurityGroup, DeleteSecurityGroup, DescribeSecurityGroups,
Authorize/RevokeSecurityGroupIngress/Egress, DescribeSecurityGroupRules,
ModifySecurityGroupRules, UpdateSecurityGroupRuleDescriptionsIngress/Egress, and the default
group of every VPC."""

import re

import pytest

from helpers import (
    ALPHA_KEY,
    DEFAULT_REGION,
    MISSING_VPC_ID,
    UNKNOWN_KEY_ACCOUNT,
    all_pages,
    default_vpc,
    expect_client_error,
    expect_dry_run,
    expect_error,
    tag_spec,
    tags_of,
)

SG_ID_RE = re.compile(r"^sg-[0-9a-f]{17}$")
SGR_ID_RE = re.compile(r"^sgr-[0-9a-f]{17}$")
MISSING_SG_ID = "sg-0123456789abcdef0"
MISSING_SGR_ID = "sgr-0123456789abcdef0"
MISSING_PL_ID = "pl-0123456789abcdef0"


def f(name, *values):
    return {"Name": name, "Values": list(values)}


def tcp(port, *cidrs, to=None, desc=None):
    ranges = [{"CidrIp": c, **({"Description": desc} if desc else {})} for c in cidrs]
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port if to is None else to, "IpRanges": ranges}


def from_group(protocol, port, group_id, desc=None, to=None):
    pair = {"GroupId": group_id, **({"Description": desc} if desc else {})}
    perm = {"IpProtocol": protocol, "UserIdGroupPairs": [pair]}
    if port is not None:
        perm.update(FromPort=port, ToPort=port if to is None else to)
    return perm


ALL_TO_ANYWHERE = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}


def describe_sg(ec2, group_id):
    groups = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    assert len(groups) == 1 and groups[0]["GroupId"] == group_id
    return groups[0]


def default_group(ec2, vpc_id):
    groups = ec2.describe_security_groups(Filters=[f("vpc-id", vpc_id), f("group-name", "default")])["SecurityGroups"]
    assert len(groups) == 1, groups
    return groups[0]


def rules_of(ec2, group_id, egress=None):
    rules = ec2.describe_security_group_rules(Filters=[f("group-id", group_id)])["SecurityGroupRules"]
    if egress is not None:
        rules = [r for r in rules if r["IsEgress"] is egress]
    return rules


def simple(perms):
    """IpPermissions as comparable tuples: (protocol, from, to, peer-kind, peer, description)."""
    out = []
    for p in perms:
        key = (p["IpProtocol"], p.get("FromPort"), p.get("ToPort"))
        for r in p.get("IpRanges", []):
            out.append(key + ("cidr", r["CidrIp"], r.get("Description")))
        for r in p.get("Ipv6Ranges", []):
            out.append(key + ("cidr6", r["CidrIpv6"], r.get("Description")))
        for r in p.get("PrefixListIds", []):
            out.append(key + ("pl", r["PrefixListId"], r.get("Description")))
        for r in p.get("UserIdGroupPairs", []):
            out.append(key + ("group", r["GroupId"], r.get("Description")))
    return sorted(out, key=repr)


# --------------------------------------------------------------------------- CreateSecurityGroup


def test_create_security_group_returns_id_and_arn(ec2, vpc_id):
    resp = ec2.create_security_group(GroupName="web", Description="web tier", VpcId=vpc_id)
    gid = resp["GroupId"]
    assert SG_ID_RE.match(gid), gid
    assert resp["SecurityGroupArn"] == f"arn:aws:ec2:{DEFAULT_REGION}:{UNKNOWN_KEY_ACCOUNT}:security-group/{gid}"
    assert "Tags" not in resp  # AWS's create-security-group example: GroupId only

    g = describe_sg(ec2, gid)
    assert g["GroupName"] == "web"
    assert g["Description"] == "web tier"
    assert g["VpcId"] == vpc_id
    assert g["OwnerId"] == UNKNOWN_KEY_ACCOUNT
    assert g["SecurityGroupArn"] == resp["SecurityGroupArn"]
    # A new group has no inbound rules and one outbound all-traffic rule to 0.0.0.0/0.
    assert g["IpPermissions"] == []
    assert len(g["IpPermissionsEgress"]) == 1
    egress = g["IpPermissionsEgress"][0]
    assert egress["IpProtocol"] == "-1"
    assert "FromPort" not in egress and "ToPort" not in egress
    assert egress["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}]
    assert egress["UserIdGroupPairs"] == [] and egress["Ipv6Ranges"] == [] and egress["PrefixListIds"] == []


def test_new_group_egress_rule_in_rules_api(ec2, sg):
    rules = rules_of(ec2, sg)
    assert len(rules) == 1
    r = rules[0]
    assert SGR_ID_RE.match(r["SecurityGroupRuleId"])
    assert r["GroupId"] == sg
    assert r["GroupOwnerId"] == UNKNOWN_KEY_ACCOUNT
    assert r["IsEgress"] is True
    assert r["IpProtocol"] == "-1"
    assert r["FromPort"] == -1 and r["ToPort"] == -1
    assert r["CidrIpv4"] == "0.0.0.0/0"
    assert r["SecurityGroupRuleArn"] == (
        f"arn:aws:ec2:{DEFAULT_REGION}:{UNKNOWN_KEY_ACCOUNT}:security-group-rule/{r['SecurityGroupRuleId']}")


def test_new_group_in_a_dual_stack_vpc_also_allows_ipv6_egress(ec2):
    # VPC User Guide, security group rules: the default outbound rules allow all IPv4 traffic
    # and, when the VPC has an IPv6 block, all IPv6 traffic.
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    gid = ec2.create_security_group(GroupName="dual", Description="x", VpcId=vpc)["GroupId"]
    [egress] = describe_sg(ec2, gid)["IpPermissionsEgress"]
    assert egress["IpProtocol"] == "-1"
    assert egress["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}] and egress["Ipv6Ranges"] == [{"CidrIpv6": "::/0"}]
    rules = rules_of(ec2, gid, egress=True)
    assert sorted((r.get("CidrIpv4", ""), r.get("CidrIpv6", "")) for r in rules) == [("", "::/0"), ("0.0.0.0/0", "")]
    # Each is its own rule: the IPv6 one can be revoked alone.
    ec2.revoke_security_group_egress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    assert [r.get("CidrIpv4") for r in rules_of(ec2, gid, egress=True)] == ["0.0.0.0/0"]


def test_create_security_group_without_vpc_uses_default_vpc(ec2):
    gid = ec2.create_security_group(GroupName="in-default", Description="x")["GroupId"]
    assert describe_sg(ec2, gid)["VpcId"] == default_vpc(ec2)["VpcId"]


def test_create_security_group_with_tags(ec2, vpc_id):
    resp = ec2.create_security_group(GroupName="web", Description="d", VpcId=vpc_id,
                                     TagSpecifications=tag_spec("security-group", Name="web-sg", Tier="web"))
    assert tags_of(resp) == {"Name": "web-sg", "Tier": "web"}
    assert tags_of(describe_sg(ec2, resp["GroupId"])) == {"Name": "web-sg", "Tier": "web"}
    tags = ec2.describe_tags(Filters=[f("resource-id", resp["GroupId"])])["Tags"]
    assert {(t["Key"], t["ResourceType"]) for t in tags} == {("Name", "security-group"), ("Tier", "security-group")}


def test_duplicate_name_in_same_vpc(ec2, vpc_id, sg):
    resp = expect_error(ec2.create_security_group, GroupName="web", Description="again", VpcId=vpc_id,
                        code="InvalidGroup.Duplicate")
    assert "web" in resp["Error"]["Message"]
    # The same name is fine in another VPC (names are unique per VPC).
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    gid = ec2.create_security_group(GroupName="web", Description="other vpc", VpcId=other)["GroupId"]
    assert gid != sg


def test_duplicate_name_is_case_insensitive(ec2, vpc_id, sg):
    # API reference, CreateSecurityGroup GroupName: "Names are case-insensitive and must be
    # unique within the VPC."
    expect_error(ec2.create_security_group, GroupName="WEB", Description="x", VpcId=vpc_id,
                 code="InvalidGroup.Duplicate")
    names = sorted(g["GroupName"] for g in ec2.describe_security_groups(Filters=[f("vpc-id", vpc_id)])["SecurityGroups"])
    assert names == ["default", "web"]


def test_name_default_is_reserved(ec2, vpc_id):
    expect_error(ec2.create_security_group, GroupName="default", Description="x", VpcId=vpc_id,
                 code="InvalidGroup.Reserved")
    expect_error(ec2.create_security_group, GroupName="default", Description="x", code="InvalidGroup.Reserved")
    # Names are case-insensitive (API reference), so "Default" is the reserved name too.
    expect_error(ec2.create_security_group, GroupName="Default", Description="x", VpcId=vpc_id,
                 code={"InvalidGroup.Reserved", "InvalidGroup.Duplicate"})


def test_name_may_not_start_with_sg_dash(ec2, vpc_id):
    # API reference: "Constraints: ... Cannot start with sg-."
    expect_error(ec2.create_security_group, GroupName="sg-web", Description="x", VpcId=vpc_id,
                 code="InvalidParameterValue")


def test_name_and_description_length(ec2, vpc_id):
    # Up to 255 characters.
    ec2.create_security_group(GroupName="n" * 255, Description="d" * 255, VpcId=vpc_id)
    expect_error(ec2.create_security_group, GroupName="m" * 256, Description="x", VpcId=vpc_id,
                 code="InvalidParameterValue")
    expect_error(ec2.create_security_group, GroupName="m", Description="d" * 256, VpcId=vpc_id,
                 code="InvalidParameterValue")


@pytest.mark.parametrize("field,value", [
    ("Description", "caf\u00e9"),         # [OBS] "Character sets beyond ASCII are not supported."
    ("Description", "Bastion \u2014 SSH"),  # em dash, the classic CloudFormation failure
    ("Description", "it's mine"),          # [OBS] "Invalid security group description. Valid descriptions ..."
    ("GroupName", "web<1>"),
])
def test_characters_outside_the_documented_set(ec2, vpc_id, field, value):
    # API reference, CreateSecurityGroup: for VPC groups both name and description may only
    # use a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*. AWS answers InvalidParameterValue
    # (observed messages quoted in terraform-provider-aws#43854 and cds-snc/notification-terraform#561).
    params = {"GroupName": "ok", "Description": "ok", "VpcId": vpc_id, field: value}
    expect_error(ec2.create_security_group, code="InvalidParameterValue", **params)
    assert [g["GroupName"] for g in ec2.describe_security_groups(Filters=[f("vpc-id", vpc_id)])["SecurityGroups"]] \
        == ["default"]


def test_every_documented_character_is_accepted(ec2, vpc_id):
    text = "aZ09 ._-:/()#,@[]+=&;{}!$*"
    gid = ec2.create_security_group(GroupName=text, Description=text, VpcId=vpc_id)["GroupId"]
    g = describe_sg(ec2, gid)
    assert g["GroupName"] == text and g["Description"] == text


def test_create_security_group_missing_parameters(ec2_raw, vpc_id):
    expect_error(ec2_raw.create_security_group, GroupName="x", VpcId=vpc_id, code="MissingParameter")
    expect_error(ec2_raw.create_security_group, Description="x", VpcId=vpc_id, code="MissingParameter")


def test_create_security_group_unknown_or_malformed_vpc(ec2):
    expect_error(ec2.create_security_group, GroupName="x", Description="x", VpcId=MISSING_VPC_ID,
                 code="InvalidVpcID.NotFound")
    expect_error(ec2.create_security_group, GroupName="x", Description="x", VpcId="vpc-nope",
                 code="InvalidVpcID.Malformed")


def test_create_security_group_dry_run(ec2, vpc_id):
    expect_dry_run(ec2.create_security_group, GroupName="dry", Description="x", VpcId=vpc_id)
    names = [g["GroupName"] for g in ec2.describe_security_groups(Filters=[f("vpc-id", vpc_id)])["SecurityGroups"]]
    assert names == ["default"]


# --------------------------------------------------------------------------- default groups


def test_every_vpc_gets_a_default_group(ec2, vpc_id):
    g = default_group(ec2, vpc_id)
    gid = g["GroupId"]
    assert SG_ID_RE.match(gid)
    assert g["Description"] == "default VPC security group"
    assert g["OwnerId"] == UNKNOWN_KEY_ACCOUNT
    # Inbound: all traffic from members of the group itself.
    assert len(g["IpPermissions"]) == 1
    inbound = g["IpPermissions"][0]
    assert inbound["IpProtocol"] == "-1"
    assert inbound["UserIdGroupPairs"] == [{"GroupId": gid, "UserId": UNKNOWN_KEY_ACCOUNT}]
    assert inbound["IpRanges"] == []
    # Outbound: all traffic anywhere.
    assert simple(g["IpPermissionsEgress"]) == [("-1", None, None, "cidr", "0.0.0.0/0", None)]
    rules = rules_of(ec2, gid)
    ingress = [r for r in rules if not r["IsEgress"]]
    assert [r["ReferencedGroupInfo"]["GroupId"] for r in ingress] == [gid]
    assert ingress[0]["ReferencedGroupInfo"]["UserId"] == UNKNOWN_KEY_ACCOUNT


def test_default_vpc_has_its_default_group(ec2):
    dvpc = default_vpc(ec2)["VpcId"]
    g = default_group(ec2, dvpc)
    assert g["VpcId"] == dvpc
    # DescribeSecurityGroups(GroupNames=...) looks names up in the default VPC.
    by_name = ec2.describe_security_groups(GroupNames=["default"])["SecurityGroups"]
    assert [x["GroupId"] for x in by_name] == [g["GroupId"]]


def test_each_vpc_has_its_own_default_group(ec2, vpc_id):
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    a, b = default_group(ec2, vpc_id)["GroupId"], default_group(ec2, other)["GroupId"]
    assert a != b
    defaults = ec2.describe_security_groups(Filters=[f("group-name", "default")])["SecurityGroups"]
    assert len(defaults) == 3  # default VPC + two created


@pytest.mark.parametrize("which", ["created", "default-vpc"])
def test_default_group_cannot_be_deleted(ec2, vpc_id, which):
    vpc = vpc_id if which == "created" else default_vpc(ec2)["VpcId"]
    gid = default_group(ec2, vpc)["GroupId"]
    expect_error(ec2.delete_security_group, GroupId=gid, code="CannotDelete")
    describe_sg(ec2, gid)
    if which == "default-vpc":
        expect_error(ec2.delete_security_group, GroupName="default", code="CannotDelete")


def test_default_group_rules_can_be_changed(ec2, vpc_id):
    g = default_group(ec2, vpc_id)
    gid = g["GroupId"]
    ec2.revoke_security_group_ingress(GroupId=gid, IpPermissions=[from_group("-1", None, gid)])
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[tcp(22, "10.0.0.0/16")])
    assert simple(describe_sg(ec2, gid)["IpPermissions"]) == [("tcp", 22, 22, "cidr", "10.0.0.0/16", None)]


# --------------------------------------------------------------------------- DeleteSecurityGroup


def test_delete_security_group_by_id(ec2, vpc_id, sg):
    resp = ec2.delete_security_group(GroupId=sg)
    assert resp["Return"] is True
    assert resp["GroupId"] == sg
    expect_error(ec2.describe_security_groups, GroupIds=[sg], code="InvalidGroup.NotFound")
    expect_error(ec2.delete_security_group, GroupId=sg, code="InvalidGroup.NotFound")
    assert rules_of(ec2, sg) == []
    # The name is free again.
    ec2.create_security_group(GroupName="web", Description="again", VpcId=vpc_id)


def test_delete_security_group_by_name_in_default_vpc(ec2):
    gid = ec2.create_security_group(GroupName="legacy", Description="x")["GroupId"]
    ec2.delete_security_group(GroupName="legacy")
    expect_error(ec2.describe_security_groups, GroupIds=[gid], code="InvalidGroup.NotFound")


def test_delete_by_name_only_looks_in_default_vpc(ec2, sg):
    # API reference: "For security groups in a nondefault VPC, you must specify the security group ID."
    expect_error(ec2.delete_security_group, GroupName="web", code="InvalidGroup.NotFound")
    describe_sg(ec2, sg)


def test_delete_security_group_errors(ec2, ec2_raw):
    expect_error(ec2.delete_security_group, GroupId=MISSING_SG_ID, code="InvalidGroup.NotFound")
    expect_error(ec2.delete_security_group, GroupId="sg-123", code="InvalidGroupId.Malformed")
    expect_error(ec2.delete_security_group, GroupId="vpc-0123456789abcdef0", code="InvalidGroupId.Malformed")
    expect_error(ec2.delete_security_group, GroupName="no-such-group", code="InvalidGroup.NotFound")
    # AWS-UNCONFIRMED: the code for a DeleteSecurityGroup naming no group (MissingParameter
    # is what every other EC2 action answers for a missing required id).
    expect_client_error(ec2_raw.delete_security_group)


@pytest.mark.parametrize("direction", ["ingress", "egress"])
def test_delete_group_referenced_by_another_group(ec2, vpc_id, sg, direction):
    other = ec2.create_security_group(GroupName="app", Description="x", VpcId=vpc_id)["GroupId"]
    authorize = getattr(ec2, f"authorize_security_group_{direction}")
    revoke = getattr(ec2, f"revoke_security_group_{direction}")
    authorize(GroupId=other, IpPermissions=[from_group("tcp", 8080, sg)])
    # Error-code reference, DependencyViolation: "this error occurs if you try to delete a
    # security group in a VPC that is in use by another security group".
    expect_error(ec2.delete_security_group, GroupId=sg, code="DependencyViolation")
    describe_sg(ec2, sg)
    revoke(GroupId=other, IpPermissions=[from_group("tcp", 8080, sg)])
    ec2.delete_security_group(GroupId=sg)


def test_group_referencing_itself_can_be_deleted(ec2, sg):
    # Only rules of *another* group keep a group alive.
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[from_group("-1", None, sg)])
    ec2.delete_security_group(GroupId=sg)
    expect_error(ec2.describe_security_groups, GroupIds=[sg], code="InvalidGroup.NotFound")


def test_referencing_group_can_be_deleted(ec2, vpc_id, sg):
    other = ec2.create_security_group(GroupName="app", Description="x", VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=other, IpPermissions=[from_group("tcp", 443, sg)])
    ec2.delete_security_group(GroupId=other)
    ec2.delete_security_group(GroupId=sg)


def test_delete_security_group_dry_run(ec2, sg):
    expect_dry_run(ec2.delete_security_group, GroupId=sg)
    describe_sg(ec2, sg)


def test_vpc_with_a_group_cannot_be_deleted(ec2, vpc_id, sg):
    dflt = default_group(ec2, vpc_id)["GroupId"]
    expect_error(ec2.delete_vpc, VpcId=vpc_id, code="DependencyViolation")
    ec2.delete_security_group(GroupId=sg)
    ec2.delete_vpc(VpcId=vpc_id)
    # The VPC's default group goes with it.
    expect_error(ec2.describe_security_groups, GroupIds=[dflt], code="InvalidGroup.NotFound")
    assert ec2.describe_security_groups(Filters=[f("vpc-id", vpc_id)])["SecurityGroups"] == []


# --------------------------------------------------------------------------- DescribeSecurityGroups


def test_describe_by_ids_and_names(ec2, vpc_id, sg):
    app = ec2.create_security_group(GroupName="app", Description="x", VpcId=vpc_id)["GroupId"]
    got = ec2.describe_security_groups(GroupIds=[sg, app])["SecurityGroups"]
    assert sorted(g["GroupId"] for g in got) == sorted([sg, app])
    legacy = ec2.create_security_group(GroupName="legacy", Description="x")["GroupId"]
    got = ec2.describe_security_groups(GroupNames=["legacy", "default"])["SecurityGroups"]
    assert {g["GroupName"] for g in got} == {"legacy", "default"}
    assert legacy in {g["GroupId"] for g in got}
    everything = ec2.describe_security_groups()["SecurityGroups"]
    assert len(everything) == 5  # 2 defaults + web + app + legacy


def test_describe_unknown_and_malformed(ec2, sg):
    resp = expect_error(ec2.describe_security_groups, GroupIds=[MISSING_SG_ID], code="InvalidGroup.NotFound")
    assert MISSING_SG_ID in resp["Error"]["Message"]
    # One unknown id fails the whole call.
    expect_error(ec2.describe_security_groups, GroupIds=[sg, MISSING_SG_ID], code="InvalidGroup.NotFound")
    for bad in ("sg-zzz", "sg-", "subnet-0123456789abcdef0"):
        expect_error(ec2.describe_security_groups, GroupIds=[bad], code="InvalidGroupId.Malformed")
    # Names resolve in the default VPC only: "web" lives in another VPC.
    expect_error(ec2.describe_security_groups, GroupNames=["web"], code="InvalidGroup.NotFound")


@pytest.mark.parametrize("operation", ["describe_security_groups", "describe_security_group_rules"])
def test_group_id_filter_values_are_checked(ec2, sg, operation):
    describe = getattr(ec2, operation)
    # The group-id filter takes group ids: a malformed one is refused as GroupId.N is, with
    # AWS's text.
    resp = expect_error(describe, Filters=[f("group-id", sg, "bogus")], code="InvalidGroupId.Malformed")
    assert resp["Error"]["Message"] == 'Invalid id: "bogus" (expecting "sg-...")'
    # docs/aws-choices.md: a value with a wildcard is a pattern and is not checked.
    key = "SecurityGroups" if operation == "describe_security_groups" else "SecurityGroupRules"
    assert {x["GroupId"] for x in describe(Filters=[f("group-id", sg[:6] + "*")])[key]} == {sg}
    # A well-formed unknown id matches nothing.
    assert describe(Filters=[f("group-id", MISSING_SG_ID)])[key] == []


def test_describe_security_groups_filters(ec2, vpc_id):
    web = ec2.create_security_group(GroupName="web", Description="web tier", VpcId=vpc_id,
                                    TagSpecifications=tag_spec("security-group", Tier="web"))["GroupId"]
    app = ec2.create_security_group(GroupName="app", Description="app tier", VpcId=vpc_id,
                                    TagSpecifications=tag_spec("security-group", Tier="app"))["GroupId"]
    db = ec2.create_security_group(GroupName="db", Description="database", VpcId=vpc_id)["GroupId"]
    dflt = default_group(ec2, vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[tcp(443, "0.0.0.0/0"), tcp(80, "192.0.2.0/24")])
    ec2.authorize_security_group_ingress(GroupId=app, IpPermissions=[from_group("tcp", 8080, web)])
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": app}],
         "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/32"}]}])
    ec2.revoke_security_group_egress(GroupId=db, IpPermissions=[ALL_TO_ANYWHERE])
    ec2.authorize_security_group_egress(GroupId=db, IpPermissions=[
        {"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "IpRanges": [{"CidrIp": "10.0.0.2/32"}]}])

    def ids(*filters):
        flt = list(filters) + [f("vpc-id", vpc_id)]
        return sorted(g["GroupId"] for g in ec2.describe_security_groups(Filters=flt)["SecurityGroups"])

    mine = sorted([web, app, db, dflt])
    assert ids() == mine
    assert ids(f("group-name", "web", "db")) == sorted([web, db])
    assert ids(f("group-id", app)) == [app]
    assert ids(f("description", "database")) == [db]
    assert ids(f("description", "* tier")) == sorted([web, app])
    assert ids(f("owner-id", UNKNOWN_KEY_ACCOUNT)) == mine
    assert ids(f("owner-id", "111111111111")) == []
    assert ids(f("tag:Tier", "web")) == [web]
    assert ids(f("tag-key", "Tier")) == sorted([web, app])
    assert ids(f("ip-permission.cidr", "0.0.0.0/0")) == [web]
    assert ids(f("ip-permission.cidr", "192.0.2.*")) == [web]
    assert ids(f("ip-permission.from-port", "443")) == [web]
    assert ids(f("ip-permission.to-port", "5432")) == [db]
    assert ids(f("ip-permission.protocol", "tcp")) == sorted([web, app, db])
    assert ids(f("ip-permission.protocol", "-1")) == [dflt]
    assert ids(f("ip-permission.group-id", web)) == [app]
    assert ids(f("ip-permission.group-name", "app")) == [db]
    assert ids(f("ip-permission.user-id", UNKNOWN_KEY_ACCOUNT)) == sorted([app, db, dflt])
    assert ids(f("ip-permission.ipv6-cidr", "2001:db8::/32")) == [db]
    assert ids(f("egress.ip-permission.cidr", "0.0.0.0/0")) == sorted([web, app, dflt])
    assert ids(f("egress.ip-permission.protocol", "udp")) == [db]
    assert ids(f("egress.ip-permission.from-port", "53")) == [db]
    assert ids(f("egress.ip-permission.cidr", "10.0.0.2/32")) == [db]
    assert ids(f("ip-permission.cidr", "10.0.0.2/32")) == []  # egress rules do not match ingress filters
    # AND across filters, OR within values.
    assert ids(f("ip-permission.protocol", "tcp"), f("ip-permission.from-port", "8080", "5432")) == sorted([app, db])
    assert ids(f("group-name", "web"), f("tag:Tier", "app")) == []


def test_describe_security_groups_unknown_filter(ec2):
    expect_error(ec2.describe_security_groups, Filters=[f("colour", "red")], code="InvalidParameterValue")


def test_describe_security_groups_pagination(ec2, vpc_id):
    created = [ec2.create_security_group(GroupName=f"g{i}", Description="x", VpcId=vpc_id)["GroupId"]
               for i in range(7)]
    items, sizes = all_pages(ec2.describe_security_groups, "SecurityGroups", MaxResults=5,
                             Filters=[f("vpc-id", vpc_id)])
    ids = [g["GroupId"] for g in items]
    assert sorted(ids) == sorted(created + [default_group(ec2, vpc_id)["GroupId"]])
    assert len(ids) == len(set(ids))
    assert sizes[0] == 5 and all(n <= 5 for n in sizes)


@pytest.mark.parametrize("bad", [4, 0, 1001])
def test_describe_security_groups_max_results_bounds(ec2_raw, bad):
    # Model: DescribeSecurityGroupsMaxResults is 5..1000.
    expect_error(ec2_raw.describe_security_groups, MaxResults=bad, code="InvalidParameterValue")


def test_describe_security_groups_dry_run(ec2):
    expect_dry_run(ec2.describe_security_groups)


def test_groups_are_per_account(ec2, make_client, sg, is_external):
    if is_external:
        pytest.skip("account mapping of an external server is unknown")
    alpha = make_client(access_key=ALPHA_KEY)
    expect_error(alpha.describe_security_groups, GroupIds=[sg], code="InvalidGroup.NotFound")
    expect_error(alpha.delete_security_group, GroupId=sg, code="InvalidGroup.NotFound")
    expect_error(alpha.authorize_security_group_ingress, GroupId=sg, IpPermissions=[tcp(22, "10.0.0.0/8")],
                 code="InvalidGroup.NotFound")
    assert sg not in {g["GroupId"] for g in alpha.describe_security_groups()["SecurityGroups"]}


# --------------------------------------------------------------------------- AuthorizeSecurityGroupIngress


def test_authorize_ingress_cidr(ec2, sg):
    resp = ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[tcp(443, "10.0.0.0/16", desc="vpc")])
    assert resp["Return"] is True
    [rule] = resp["SecurityGroupRules"]
    assert SGR_ID_RE.match(rule["SecurityGroupRuleId"])
    assert rule["GroupId"] == sg
    assert rule["GroupOwnerId"] == UNKNOWN_KEY_ACCOUNT
    assert rule["IsEgress"] is False
    assert rule["IpProtocol"] == "tcp"
    assert rule["FromPort"] == 443 and rule["ToPort"] == 443
    assert rule["CidrIpv4"] == "10.0.0.0/16"
    assert rule["Description"] == "vpc"

    g = describe_sg(ec2, sg)
    assert g["IpPermissions"] == [{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "vpc"}],
        "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": [],
    }]
    described = [r for r in rules_of(ec2, sg) if r["SecurityGroupRuleId"] == rule["SecurityGroupRuleId"]]
    assert described == [rule]


def test_authorize_ingress_canonicalises_cidr(ec2, sg):
    # API reference (CidrIp): "AWS canonicalizes IPv4 and IPv6 CIDRs ... if you attempt to add
    # another rule with the non-canonical form ... the API throws an duplicate rule error."
    [rule] = ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[tcp(22, "100.68.0.18/18")])[
        "SecurityGroupRules"]
    assert rule["CidrIpv4"] == "100.68.0.0/18"
    assert simple(describe_sg(ec2, sg)["IpPermissions"]) == [("tcp", 22, 22, "cidr", "100.68.0.0/18", None)]
    expect_error(ec2.authorize_security_group_ingress, GroupId=sg, IpPermissions=[tcp(22, "100.68.0.0/18")],
                 code="InvalidPermission.Duplicate")
    expect_error(ec2.authorize_security_group_ingress, GroupId=sg, IpPermissions=[tcp(22, "100.68.63.255/18")],
                 code="InvalidPermission.Duplicate")


def test_authorize_ingress_several_peers_and_permissions(ec2, vpc_id, sg):
    app = ec2.create_security_group(GroupName="app", Description="x", VpcId=vpc_id)["GroupId"]
    resp = ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
         "IpRanges": [{"CidrIp": "192.0.2.0/24"}, {"CidrIp": "198.51.100.0/24", "Description": "office"}],
         "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/32"}],
         "UserIdGroupPairs": [{"GroupId": app, "Description": "from app"}]},
        {"IpProtocol": "udp", "FromPort": 1000, "ToPort": 2000, "IpRanges": [{"CidrIp": "203.0.113.0/24"}]},
    ])
    rules = resp["SecurityGroupRules"]
    assert len(rules) == 5  # one rule per peer
    assert len({r["SecurityGroupRuleId"] for r in rules}) == 5
    assert all(r["IsEgress"] is False and r["GroupId"] == sg for r in rules)
    assert simple(describe_sg(ec2, sg)["IpPermissions"]) == simple([
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
         "IpRanges": [{"CidrIp": "192.0.2.0/24"}, {"CidrIp": "198.51.100.0/24", "Description": "office"}],
         "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/32"}],
         "UserIdGroupPairs": [{"GroupId": app, "Description": "from app"}]},
        {"IpProtocol": "udp", "FromPort": 1000, "ToPort": 2000, "IpRanges": [{"CidrIp": "203.0.113.0/24"}]},
    ])
    # Describe groups rules of one protocol/port range into one IpPermission.
    tcp80 = [p for p in describe_sg(ec2, sg)["IpPermissions"] if p["IpProtocol"] == "tcp"]
    assert len(tcp80) == 1
    assert tcp80[0]["UserIdGroupPairs"] == [{"GroupId": app, "UserId": UNKNOWN_KEY_ACCOUNT, "Description": "from app"}]


def test_authorize_ingress_from_security_group(ec2, vpc_id, sg):
    app = ec2.create_security_group(GroupName="app", Description="x", VpcId=vpc_id)["GroupId"]
    [rule] = ec2.authorize_security_group_ingress(
        GroupId=app, IpPermissions=[from_group("tcp", 8080, sg, desc="from web")])["SecurityGroupRules"]
    assert rule["ReferencedGroupInfo"]["GroupId"] == sg
    assert rule["ReferencedGroupInfo"]["UserId"] == UNKNOWN_KEY_ACCOUNT
    assert "CidrIpv4" not in rule
    assert rule["Description"] == "from web"
    perms = describe_sg(ec2, app)["IpPermissions"]
    assert perms[0]["UserIdGroupPairs"] == [{"GroupId": sg, "UserId": UNKNOWN_KEY_ACCOUNT, "Description": "from web"}]
    assert perms[0]["IpRanges"] == []


def test_authorize_ingress_ipv6(ec2, sg):
    [rule] = ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "Ipv6Ranges": [{"CidrIpv6": "2001:db8::1/64"}]},
    ])["SecurityGroupRules"]
    assert rule["CidrIpv6"] == "2001:db8::/64"
    perms = describe_sg(ec2, sg)["IpPermissions"]
    assert perms[0]["Ipv6Ranges"] == [{"CidrIpv6": "2001:db8::/64"}]


def test_authorize_ingress_legacy_parameters(ec2, sg):
    # The flat IpProtocol/FromPort/ToPort/CidrIp form of AuthorizeSecurityGroupIngress.
    [rule] = ec2.authorize_security_group_ingress(GroupId=sg, IpProtocol="tcp", FromPort=22, ToPort=22,
                                                  CidrIp="192.0.2.0/24")["SecurityGroupRules"]
    assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"], rule["CidrIpv4"]) == ("tcp", 22, 22, "192.0.2.0/24")
    assert simple(describe_sg(ec2, sg)["IpPermissions"]) == [("tcp", 22, 22, "cidr", "192.0.2.0/24", None)]


def test_authorize_ingress_by_group_name_in_default_vpc(ec2):
    gid = ec2.create_security_group(GroupName="legacy", Description="x")["GroupId"]
    ec2.authorize_security_group_ingress(GroupName="legacy", IpPermissions=[tcp(22, "192.0.2.0/24")])
    assert simple(describe_sg(ec2, gid)["IpPermissions"]) == [("tcp", 22, 22, "cidr", "192.0.2.0/24", None)]


def test_authorize_ingress_source_security_group_name_in_default_vpc(ec2):
    a = ec2.create_security_group(GroupName="a", Description="x")["GroupId"]
    b = ec2.create_security_group(GroupName="b", Description="x")["GroupId"]
    # API reference, SourceSecurityGroupName: "[Default VPC] The name of the source security
    # group. The rule grants full ICMP, UDP, and TCP access."
    ec2.authorize_security_group_ingress(GroupName="a", SourceSecurityGroupName="b")
    perms = describe_sg(ec2, a)["IpPermissions"]
    assert {p["IpProtocol"] for p in perms} == {"icmp", "tcp", "udp"}
    for p in perms:
        assert [pair["GroupId"] for pair in p["UserIdGroupPairs"]] == [b]
    # AWS-UNCONFIRMED: the exact port ranges of the three rules (all ports / all ICMP expected).


def test_authorize_ingress_group_pair_by_name_in_default_vpc(ec2):
    a = ec2.create_security_group(GroupName="a", Description="x")["GroupId"]
    b = ec2.create_security_group(GroupName="b", Description="x")["GroupId"]
    # UserIdGroupPair.GroupName: "[Default VPC] The name of the security group. For a security
    # group in a nondefault VPC, use the security group ID."
    ec2.authorize_security_group_ingress(GroupId=a, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "UserIdGroupPairs": [{"GroupName": "b"}]}])
    [p] = describe_sg(ec2, a)["IpPermissions"]
    assert [pair["GroupId"] for pair in p["UserIdGroupPairs"]] == [b]


def test_unknown_group_names_in_the_default_vpc(ec2, vpc_id):
    # Every [Default VPC] name form is looked up in the default VPC, with AWS's text naming
    # it ("The security group 'x' does not exist in default VPC 'vpc-…'", as observed).
    a = ec2.create_security_group(GroupName="a", Description="x")["GroupId"]
    ec2.create_security_group(GroupName="elsewhere", Description="x", VpcId=vpc_id)
    text = f"The security group 'elsewhere' does not exist in default VPC '{default_vpc(ec2)['VpcId']}'"
    pair = {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "UserIdGroupPairs": [{"GroupName": "elsewhere"}]}
    for call, kw in [
        (ec2.describe_security_groups, {"GroupNames": ["elsewhere"]}),
        (ec2.delete_security_group, {"GroupName": "elsewhere"}),
        (ec2.authorize_security_group_ingress, {"GroupName": "elsewhere", "IpPermissions": [tcp(22, "10.0.0.0/8")]}),
        (ec2.authorize_security_group_ingress, {"GroupId": a, "IpPermissions": [pair]}),
        (ec2.authorize_security_group_ingress, {"GroupName": "a", "SourceSecurityGroupName": "elsewhere"}),
        (ec2.revoke_security_group_ingress, {"GroupId": a, "IpPermissions": [pair]}),
        (ec2.update_security_group_rule_descriptions_ingress, {"GroupName": "elsewhere",
                                                               "IpPermissions": [tcp(22, "10.0.0.0/8")]}),
    ]:
        resp = expect_error(call, **kw, code="InvalidGroup.NotFound")
        assert resp["Error"]["Message"] == text, (call, resp["Error"])
    assert describe_sg(ec2, a)["IpPermissions"] == []


@pytest.mark.parametrize("perm,expected", [
    ({"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1}, ("icmp", 8, -1)),       # echo request, any code
    ({"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1}, ("icmp", -1, -1)),     # all ICMP
    ({"IpProtocol": "udp", "FromPort": 0, "ToPort": 65535}, ("udp", 0, 65535)),
    ({"IpProtocol": "tcp", "FromPort": 1024, "ToPort": 65535}, ("tcp", 1024, 65535)),
    ({"IpProtocol": "-1"}, ("-1", None, None)),
])
def test_authorize_ingress_protocols(ec2, sg, perm, expected):
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[{**perm, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    [p] = describe_sg(ec2, sg)["IpPermissions"]
    assert (p["IpProtocol"], p.get("FromPort"), p.get("ToPort")) == expected
    [r] = rules_of(ec2, sg, egress=False)
    assert (r["IpProtocol"], r["FromPort"], r["ToPort"]) == (expected[0], expected[1] if expected[1] is not None else -1,
                                                              expected[2] if expected[2] is not None else -1)


def test_authorize_ingress_protocol_number(ec2, sg):
    # Model docs: IpProtocol takes a name or a protocol number (50 = ESP).
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "50", "IpRanges": [{"CidrIp": "198.51.100.7/32"}]}])
    [p] = describe_sg(ec2, sg)["IpPermissions"]
    assert p["IpProtocol"] == "50"
    assert p["IpRanges"] == [{"CidrIp": "198.51.100.7/32"}]


def test_authorize_ingress_icmpv6(ec2, sg):
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "icmpv6", "FromPort": -1, "ToPort": -1, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    [p] = describe_sg(ec2, sg)["IpPermissions"]
    assert (p["IpProtocol"], p["Ipv6Ranges"]) == ("icmpv6", [{"CidrIpv6": "::/0"}])


def test_authorize_ingress_duplicate(ec2, sg):
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[tcp(443, "10.0.0.0/16", desc="first")])
    # A description does not make a rule different.
    expect_error(ec2.authorize_security_group_ingress, GroupId=sg, IpPermissions=[tcp(443, "10.0.0.0/16", desc="2")],
                 code="InvalidPermission.Duplicate")
    # A request with one new and one existing rule is refused as a whole.
    expect_error(ec2.authorize_security_group_ingress, GroupId=sg,
                 IpPermissions=[tcp(8443, "10.0.0.0/16"), tcp(443, "10.0.0.0/16")],
                 code="InvalidPermission.Duplicate")
    assert simple(describe_sg(ec2, sg)["IpPermissions"]) == [("tcp", 443, 443, "cidr", "10.0.0.0/16", "first")]
    # Different ports, protocol or peer are different rules.
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[tcp(443, "10.0.0.0/24"), tcp(443, "10.0.0.0/16", to=444)])
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "udp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
    assert len(rules_of(ec2, sg, egress=False)) == 4


def test_authorize_same_permission_twice_in_one_request(ec2, sg):
    # [OBS] AWS answers "InvalidParameterValue: The same permission must not appear multiple
    # times" (quoted from terraform in input-output-hk/bitte#24) when one request lists a
    # CIDR twice.
    expect_error(ec2.authorize_security_group_ingress, GroupId=sg,
                 IpPermissions=[tcp(80, "192.0.2.0/24", "192.0.2.0/24")], code="InvalidParameterValue")
    assert describe_sg(ec2, sg)["IpPermissions"] == []


@pytest.mark.parametrize("perm", [
    {"IpProtocol": "tcp", "FromPort": 100, "ToPort": 70000},   # port out of range
    {"IpProtocol": "tcp", "FromPort": 100, "ToPort": 50},      # reversed range
    {"IpProtocol": "udp", "FromPort": -5, "ToPort": 53},
    {"IpProtocol": "udp"},                                     # TCP/UDP need a port range
    {"IpProtocol": "icmp", "FromPort": 256, "ToPort": 0},      # ICMP type is 0..255 or -1
    {"IpProtocol": "bogus", "FromPort": 1, "ToPort": 2},
    {"IpProtocol": "256"},
])
def test_authorize_ingress_invalid_protocol_or_ports(ec2, sg, perm):
    # [OBS] e.g. "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange."
    expect_error(ec2.authorize_security_group_ingress, GroupId=sg,
                 IpPermissions=[{**perm, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}], code="InvalidParameterValue")
    assert describe_sg(ec2, sg)["IpPermissions"] == []


@pytest.mark.parametrize("cidr", ["banana", "10.0.0.0/33", "300.0.0.0/8", "10.0.0.0/8/8"])
def test_authorize_ingress_malformed_cidr(ec2, sg, cidr):
    # [OBS] "InvalidParameterValue: CIDR block x is malformed" (aws/aws-cli#2428,
    # smoketurner/serverless-vpc-plugin#318).
    expect_error(ec2.authorize_security_group_ingress, GroupId=sg, IpPermissions=[tcp(22, cidr)],
                 code="InvalidParameterValue")


def test_authorize_ingress_without_a_source(ec2, sg):
    # [OBS] "MissingParameter: Missing source specification: include source security group or
    # CIDR information" (boto/boto3#1078).
    expect_error(ec2.authorize_security_group_ingress, GroupId=sg,
                 IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}], code="MissingParameter")


@pytest.mark.parametrize("desc", ["it's ssh", "x" * 256, "caf\u00e9"], ids=["apostrophe", "256-chars", "non-ascii"])
def test_authorize_ingress_rule_description_characters(ec2, sg, desc):
    # IpRange.Description: "Constraints: Up to 255 characters in length. Allowed characters are
    # a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*"; [OBS] InvalidParameterValue "Invalid
    # rule description. Valid descriptions are strings less than 256 characters from the
    # following set: ..." (aws-cloudformation/cfn-lint#173).
    expect_error(ec2.authorize_security_group_ingress, GroupId=sg,
                 IpPermissions=[tcp(22, "10.0.0.0/8", desc=desc)], code="InvalidParameterValue")
    assert describe_sg(ec2, sg)["IpPermissions"] == []


def test_authorize_ingress_rule_description_limits_accepted(ec2, sg):
    text = "x" * 230 + "aZ09 ._-:/()#,@[]+=&;{}!$*"[:25]
    assert len(text) == 255
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[tcp(22, "10.0.0.0/8", desc=text)])
    assert simple(describe_sg(ec2, sg)["IpPermissions"]) == [("tcp", 22, 22, "cidr", "10.0.0.0/8", text)]


def test_authorize_ingress_unknown_groups(ec2, sg):
    expect_error(ec2.authorize_security_group_ingress, GroupId=MISSING_SG_ID, IpPermissions=[tcp(22, "10.0.0.0/8")],
                 code="InvalidGroup.NotFound")
    expect_error(ec2.authorize_security_group_ingress, GroupId="sg-!", IpPermissions=[tcp(22, "10.0.0.0/8")],
                 code="InvalidGroupId.Malformed")
    expect_error(ec2.authorize_security_group_ingress, GroupId=sg, IpPermissions=[from_group("tcp", 22, MISSING_SG_ID)],
                 code="InvalidGroup.NotFound")
    expect_error(ec2.authorize_security_group_ingress, GroupName="not-there", IpPermissions=[tcp(22, "10.0.0.0/8")],
                 code="InvalidGroup.NotFound")


def test_authorize_ingress_from_group_in_another_vpc(ec2, sg):
    other_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    other = ec2.create_security_group(GroupName="other", Description="x", VpcId=other_vpc)["GroupId"]
    # Same-VPC only without peering. AWS-UNCONFIRMED: the code. AWS's message is "You have
    # specified two resources that belong to different networks." and it has been seen with
    # both InvalidParameterValue and InvalidGroup.NotFound (philips-software/go-hsdp-api#43).
    expect_error(ec2.authorize_security_group_ingress, GroupId=sg, IpPermissions=[from_group("tcp", 22, other)],
                 code={"InvalidParameterValue", "InvalidGroup.NotFound"})
    assert describe_sg(ec2, sg)["IpPermissions"] == []


def test_authorize_ingress_unknown_prefix_list(ec2, sg):
    # Error-code reference: InvalidPrefixListID.NotFound "The specified prefix list ID does not exist."
    expect_error(ec2.authorize_security_group_ingress, GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": [{"PrefixListId": MISSING_PL_ID}]}],
        code="InvalidPrefixListID.NotFound")


def test_authorize_ingress_missing_parameters(ec2_raw, sg):
    # AWS-UNCONFIRMED: codes for a request without permissions / without a group
    # (MissingParameter by analogy with every other required EC2 parameter).
    expect_client_error(ec2_raw.authorize_security_group_ingress, GroupId=sg)
    expect_client_error(ec2_raw.authorize_security_group_ingress, IpPermissions=[tcp(22, "10.0.0.0/8")])


def test_authorize_ingress_dry_run(ec2, sg):
    expect_dry_run(ec2.authorize_security_group_ingress, GroupId=sg, IpPermissions=[tcp(22, "10.0.0.0/8")])
    assert describe_sg(ec2, sg)["IpPermissions"] == []


def test_rules_per_group_quota_inbound(ec2, sg):
    # Amazon VPC quotas: 60 inbound and 60 outbound rules per security group (default);
    # each CIDR / group / prefix list counts as one rule.
    cidrs = [f"10.{i}.0.0/16" for i in range(60)]
    assert len(ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[tcp(443, *cidrs)])[
        "SecurityGroupRules"]) == 60
    expect_error(ec2.authorize_security_group_ingress, GroupId=sg, IpPermissions=[tcp(443, "11.0.0.0/16")],
                 code="RulesPerSecurityGroupLimitExceeded")
    assert len(rules_of(ec2, sg, egress=False)) == 60
    # The outbound quota is separate.
    ec2.authorize_security_group_egress(GroupId=sg, IpPermissions=[tcp(443, "11.0.0.0/16")])


def test_rules_per_group_quota_outbound(ec2, sg):
    cidrs = [f"10.{i}.0.0/16" for i in range(59)]  # plus the default all-traffic rule = 60
    ec2.authorize_security_group_egress(GroupId=sg, IpPermissions=[tcp(443, *cidrs)])
    expect_error(ec2.authorize_security_group_egress, GroupId=sg, IpPermissions=[tcp(443, "11.0.0.0/16")],
                 code="RulesPerSecurityGroupLimitExceeded")


def test_rules_quota_refuses_a_request_that_would_cross_it(ec2, sg):
    cidrs = [f"10.{i}.0.0/16" for i in range(61)]
    expect_error(ec2.authorize_security_group_ingress, GroupId=sg, IpPermissions=[tcp(443, *cidrs)],
                 code="RulesPerSecurityGroupLimitExceeded")
    assert describe_sg(ec2, sg)["IpPermissions"] == []


# --------------------------------------------------------------------------- AuthorizeSecurityGroupEgress


def test_authorize_egress(ec2, vpc_id, sg):
    db = ec2.create_security_group(GroupName="db", Description="x", VpcId=vpc_id)["GroupId"]
    resp = ec2.authorize_security_group_egress(GroupId=sg, IpPermissions=[
        from_group("tcp", 5432, db, desc="to db"), tcp(443, "203.0.113.0/24")])
    assert resp["Return"] is True
    rules = resp["SecurityGroupRules"]
    assert len(rules) == 2 and all(r["IsEgress"] is True for r in rules)
    ref = [r for r in rules if "ReferencedGroupInfo" in r][0]
    assert ref["ReferencedGroupInfo"]["GroupId"] == db and ref["FromPort"] == 5432
    assert simple(describe_sg(ec2, sg)["IpPermissionsEgress"]) == simple([
        ALL_TO_ANYWHERE, from_group("tcp", 5432, db, desc="to db"), tcp(443, "203.0.113.0/24")])
    assert describe_sg(ec2, sg)["IpPermissions"] == []
    assert len(rules_of(ec2, sg, egress=True)) == 3


def test_authorize_egress_duplicate_of_default_rule(ec2, sg):
    expect_error(ec2.authorize_security_group_egress, GroupId=sg, IpPermissions=[ALL_TO_ANYWHERE],
                 code="InvalidPermission.Duplicate")


def test_authorize_egress_legacy_parameters_not_supported(ec2_raw, sg):
    # API reference, AuthorizeSecurityGroupEgress: CidrIp, FromPort, IpProtocol, ToPort are
    # "Not supported. Use IP permissions instead." AWS-UNCONFIRMED: the code, so only the
    # refusal and the absence of a new rule are asserted.
    expect_client_error(ec2_raw.authorize_security_group_egress, GroupId=sg, IpProtocol="tcp",
                        FromPort=22, ToPort=22, CidrIp="192.0.2.0/24")
    assert len(rules_of(ec2_raw, sg, egress=True)) == 1


def test_authorize_egress_errors(ec2, sg):
    expect_error(ec2.authorize_security_group_egress, GroupId=MISSING_SG_ID, IpPermissions=[tcp(22, "10.0.0.0/8")],
                 code="InvalidGroup.NotFound")
    expect_error(ec2.authorize_security_group_egress, GroupId=sg,
                 IpPermissions=[{"IpProtocol": "tcp", "FromPort": 9, "ToPort": 1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
                 code="InvalidParameterValue")
    expect_dry_run(ec2.authorize_security_group_egress, GroupId=sg, IpPermissions=[tcp(22, "10.0.0.0/8")])
    assert len(rules_of(ec2, sg, egress=True)) == 1


# --------------------------------------------------------------------------- Revoke


def test_revoke_ingress_by_permission(ec2, sg):
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[tcp(443, "10.0.0.0/16", desc="vpc"),
                                                                     tcp(22, "192.0.2.0/24")])
    rule_id = [r for r in rules_of(ec2, sg, egress=False) if r["FromPort"] == 443][0]["SecurityGroupRuleId"]
    # API reference: "If the security group rule has a description, you do not need to specify
    # the description to revoke the rule."
    resp = ec2.revoke_security_group_ingress(GroupId=sg, IpPermissions=[tcp(443, "10.0.0.0/16")])
    assert resp["Return"] is True
    [revoked] = resp["RevokedSecurityGroupRules"]
    assert revoked["SecurityGroupRuleId"] == rule_id
    assert revoked["GroupId"] == sg
    assert revoked["IsEgress"] is False
    assert (revoked["IpProtocol"], revoked["FromPort"], revoked["ToPort"]) == ("tcp", 443, 443)
    assert revoked["CidrIpv4"] == "10.0.0.0/16"
    assert not resp.get("UnknownIpPermissions")
    assert simple(describe_sg(ec2, sg)["IpPermissions"]) == [("tcp", 22, 22, "cidr", "192.0.2.0/24", None)]


def test_revoke_ingress_legacy_parameters(ec2, sg):
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[tcp(22, "192.0.2.0/24")])
    ec2.revoke_security_group_ingress(GroupId=sg, IpProtocol="tcp", FromPort=22, ToPort=22, CidrIp="192.0.2.0/24")
    assert describe_sg(ec2, sg)["IpPermissions"] == []


def test_revoke_group_reference(ec2, vpc_id, sg):
    app = ec2.create_security_group(GroupName="app", Description="x", VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=app, IpPermissions=[from_group("tcp", 8080, sg)])
    [revoked] = ec2.revoke_security_group_ingress(GroupId=app, IpPermissions=[from_group("tcp", 8080, sg)])[
        "RevokedSecurityGroupRules"]
    assert revoked["ReferencedGroupId"] == sg
    assert describe_sg(ec2, app)["IpPermissions"] == []


def test_revoke_by_rule_ids(ec2, sg):
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[tcp(443, "10.0.0.0/16"), tcp(80, "10.0.0.0/16")])
    ids = sorted(r["SecurityGroupRuleId"] for r in rules_of(ec2, sg, egress=False))
    resp = ec2.revoke_security_group_ingress(GroupId=sg, SecurityGroupRuleIds=ids)
    assert sorted(r["SecurityGroupRuleId"] for r in resp["RevokedSecurityGroupRules"]) == ids
    assert describe_sg(ec2, sg)["IpPermissions"] == []
    [egress] = rules_of(ec2, sg, egress=True)
    resp = ec2.revoke_security_group_egress(GroupId=sg, SecurityGroupRuleIds=[egress["SecurityGroupRuleId"]])
    assert [r["SecurityGroupRuleId"] for r in resp["RevokedSecurityGroupRules"]] == [egress["SecurityGroupRuleId"]]
    assert describe_sg(ec2, sg)["IpPermissionsEgress"] == []


def test_revoke_by_rule_id_errors(ec2, sg):
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[tcp(443, "10.0.0.0/16")])
    [ingress] = rules_of(ec2, sg, egress=False)
    expect_error(ec2.revoke_security_group_ingress, GroupId=sg, SecurityGroupRuleIds=[MISSING_SGR_ID],
                 code="InvalidSecurityGroupRuleId.NotFound")
    expect_error(ec2.revoke_security_group_ingress, GroupId=sg, SecurityGroupRuleIds=["sgr-nothex"],
                 code="InvalidSecurityGroupRuleId.Malformed")
    # One unknown id revokes nothing.
    expect_error(ec2.revoke_security_group_ingress, GroupId=sg,
                 SecurityGroupRuleIds=[ingress["SecurityGroupRuleId"], MISSING_SGR_ID],
                 code="InvalidSecurityGroupRuleId.NotFound")
    assert len(rules_of(ec2, sg, egress=False)) == 1
    # AWS-UNCONFIRMED: an inbound rule id given to RevokeSecurityGroupEgress; it is not an
    # outbound rule of the group, so it must be refused and stay.
    expect_client_error(ec2.revoke_security_group_egress, GroupId=sg,
                        SecurityGroupRuleIds=[ingress["SecurityGroupRuleId"]])
    assert len(rules_of(ec2, sg, egress=False)) == 1


def test_revoke_missing_rule_in_nondefault_vpc(ec2, sg):
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[tcp(443, "10.0.0.0/16")])
    # API reference: "For a non-default VPC, if the values you specify do not match the
    # existing rule's values, an InvalidPermission.NotFound client error is returned, and no
    # rules are revoked."
    expect_error(ec2.revoke_security_group_ingress, GroupId=sg, IpPermissions=[tcp(444, "10.0.0.0/16")],
                 code="InvalidPermission.NotFound")
    expect_error(ec2.revoke_security_group_ingress, GroupId=sg,
                 IpPermissions=[tcp(443, "10.0.0.0/16"), tcp(22, "10.0.0.0/16")],
                 code="InvalidPermission.NotFound")
    assert simple(describe_sg(ec2, sg)["IpPermissions"]) == [("tcp", 443, 443, "cidr", "10.0.0.0/16", None)]


def test_revoke_missing_rule_in_default_vpc_reports_unknown_permissions(ec2):
    gid = ec2.create_security_group(GroupName="dv", Description="in the default VPC")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[tcp(443, "10.0.0.0/16")])
    # API reference: "For a default VPC, if the values you specify do not match the existing
    # rule's values, no error is returned, and the output describes the security group rules
    # that were not revoked." (UnknownIpPermissions)
    resp = ec2.revoke_security_group_ingress(GroupId=gid, IpPermissions=[tcp(443, "10.0.0.0/16"),
                                                                        tcp(22, "198.51.100.0/24")])
    assert [r["FromPort"] for r in resp["RevokedSecurityGroupRules"]] == [443]
    unknown = resp.get("UnknownIpPermissions")
    assert unknown, resp
    assert simple(unknown) == [("tcp", 22, 22, "cidr", "198.51.100.0/24", None)]
    assert describe_sg(ec2, gid)["IpPermissions"] == []


def test_revoke_egress(ec2, sg):
    resp = ec2.revoke_security_group_egress(GroupId=sg, IpPermissions=[ALL_TO_ANYWHERE])
    [revoked] = resp["RevokedSecurityGroupRules"]
    assert revoked["IsEgress"] is True and revoked["IpProtocol"] == "-1" and revoked["CidrIpv4"] == "0.0.0.0/0"
    assert describe_sg(ec2, sg)["IpPermissionsEgress"] == []
    assert rules_of(ec2, sg) == []
    # AWS-UNCONFIRMED: the egress page documents only the default-VPC case; by analogy with
    # RevokeSecurityGroupIngress a missing rule in a non-default VPC is InvalidPermission.NotFound.
    expect_error(ec2.revoke_security_group_egress, GroupId=sg, IpPermissions=[ALL_TO_ANYWHERE],
                 code="InvalidPermission.NotFound")


def test_revoke_errors(ec2, ec2_raw, sg):
    expect_error(ec2.revoke_security_group_ingress, GroupId=MISSING_SG_ID, IpPermissions=[tcp(22, "10.0.0.0/8")],
                 code="InvalidGroup.NotFound")
    expect_error(ec2.revoke_security_group_egress, GroupId="sg-xyz", IpPermissions=[tcp(22, "10.0.0.0/8")],
                 code="InvalidGroupId.Malformed")
    # AWS-UNCONFIRMED: the code for a revoke that names no rule at all.
    expect_client_error(ec2_raw.revoke_security_group_ingress, GroupId=sg)


def test_revoke_dry_run(ec2, sg):
    expect_dry_run(ec2.revoke_security_group_egress, GroupId=sg, IpPermissions=[ALL_TO_ANYWHERE])
    assert len(rules_of(ec2, sg, egress=True)) == 1


# --------------------------------------------------------------------------- DescribeSecurityGroupRules


def test_describe_security_group_rules(ec2, vpc_id, sg):
    app = ec2.create_security_group(GroupName="app", Description="x", VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=app, IpPermissions=[
        from_group("tcp", 8080, sg, desc="web"),
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/64"}]}])
    rules = rules_of(ec2, app)
    assert len(rules) == 3
    by_kind = {("egress" if r["IsEgress"] else "ingress", r["FromPort"]): r for r in rules}
    ref = by_kind[("ingress", 8080)]
    assert ref["ReferencedGroupInfo"] == {"GroupId": sg, "UserId": UNKNOWN_KEY_ACCOUNT}
    assert ref["Description"] == "web"
    assert by_kind[("ingress", 22)]["CidrIpv6"] == "2001:db8::/64"
    assert by_kind[("egress", -1)]["CidrIpv4"] == "0.0.0.0/0"
    for r in rules:
        assert r["GroupId"] == app and r["GroupOwnerId"] == UNKNOWN_KEY_ACCOUNT

    # By id, and the security-group-rule-id filter.
    rid = ref["SecurityGroupRuleId"]
    assert ec2.describe_security_group_rules(SecurityGroupRuleIds=[rid])["SecurityGroupRules"] == [ref]
    got = ec2.describe_security_group_rules(Filters=[f("security-group-rule-id", rid)])["SecurityGroupRules"]
    assert got == [ref]
    # group-id takes several values.
    both = ec2.describe_security_group_rules(Filters=[f("group-id", sg, app)])["SecurityGroupRules"]
    assert len(both) == 4


def test_describe_security_group_rules_errors(ec2, ec2_raw):
    expect_error(ec2.describe_security_group_rules, SecurityGroupRuleIds=[MISSING_SGR_ID],
                 code="InvalidSecurityGroupRuleId.NotFound")
    expect_error(ec2.describe_security_group_rules, SecurityGroupRuleIds=["sgr-q"],
                 code="InvalidSecurityGroupRuleId.Malformed")
    expect_error(ec2.describe_security_group_rules, Filters=[f("flavour", "x")], code="InvalidParameterValue")
    # Model: DescribeSecurityGroupRulesMaxResults is 5..1000.
    expect_error(ec2_raw.describe_security_group_rules, MaxResults=4, code="InvalidParameterValue")
    expect_error(ec2_raw.describe_security_group_rules, MaxResults=1001, code="InvalidParameterValue")
    expect_dry_run(ec2.describe_security_group_rules)


def test_describe_security_group_rules_pagination(ec2, sg):
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[tcp(443, *[f"10.{i}.0.0/16" for i in range(11)])])
    items, sizes = all_pages(ec2.describe_security_group_rules, "SecurityGroupRules", MaxResults=5,
                             Filters=[f("group-id", sg)])
    ids = [r["SecurityGroupRuleId"] for r in items]
    assert len(ids) == len(set(ids)) == 12
    assert sizes[0] == 5 and len(sizes) >= 3


# --------------------------------------------------------------------------- ModifySecurityGroupRules


def test_modify_security_group_rules(ec2, vpc_id, sg):
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[tcp(22, "10.0.0.0/8", desc="old")])
    [rule] = rules_of(ec2, sg, egress=False)
    rid = rule["SecurityGroupRuleId"]
    resp = ec2.modify_security_group_rules(GroupId=sg, SecurityGroupRules=[{
        "SecurityGroupRuleId": rid,
        "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 2222, "ToPort": 2223, "CidrIpv4": "192.0.2.0/24",
                              "Description": "new"}}])
    assert resp["Return"] is True
    [after] = ec2.describe_security_group_rules(SecurityGroupRuleIds=[rid])["SecurityGroupRules"]
    assert (after["IpProtocol"], after["FromPort"], after["ToPort"]) == ("tcp", 2222, 2223)
    assert after["CidrIpv4"] == "192.0.2.0/24" and after["Description"] == "new"
    assert after["IsEgress"] is False
    assert simple(describe_sg(ec2, sg)["IpPermissions"]) == [("tcp", 2222, 2223, "cidr", "192.0.2.0/24", "new")]

    # SecurityGroupRuleRequest reference: "When you modify a rule, you cannot change the rule
    # type" (an IPv4 rule stays an IPv4 rule). docs/aws-choices.md: InvalidParameterValue.
    app = ec2.create_security_group(GroupName="app", Description="x", VpcId=vpc_id)["GroupId"]
    resp = expect_error(ec2.modify_security_group_rules, GroupId=sg, SecurityGroupRules=[{
        "SecurityGroupRuleId": rid,
        "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "ReferencedGroupId": app}}],
        code="InvalidParameterValue")
    assert "CidrIpv4" in resp["Error"]["Message"]

    # A rule that references a group can be pointed at another group.
    db = ec2.create_security_group(GroupName="db", Description="x", VpcId=vpc_id)["GroupId"]
    [ref] = ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[from_group("tcp", 8080, app)])[
        "SecurityGroupRules"]
    ec2.modify_security_group_rules(GroupId=sg, SecurityGroupRules=[{
        "SecurityGroupRuleId": ref["SecurityGroupRuleId"],
        "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "ReferencedGroupId": db}}])
    [after] = ec2.describe_security_group_rules(SecurityGroupRuleIds=[ref["SecurityGroupRuleId"]])[
        "SecurityGroupRules"]
    assert after["ReferencedGroupInfo"]["GroupId"] == db and "CidrIpv4" not in after
    expect_error(ec2.delete_security_group, GroupId=db, code="DependencyViolation")
    ec2.delete_security_group(GroupId=app)


def test_modify_egress_rule(ec2, sg):
    [rule] = rules_of(ec2, sg, egress=True)
    ec2.modify_security_group_rules(GroupId=sg, SecurityGroupRules=[{
        "SecurityGroupRuleId": rule["SecurityGroupRuleId"],
        "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIpv4": "0.0.0.0/0"}}])
    assert simple(describe_sg(ec2, sg)["IpPermissionsEgress"]) == [("tcp", 443, 443, "cidr", "0.0.0.0/0", None)]
    assert describe_sg(ec2, sg)["IpPermissions"] == []


def test_modify_security_group_rules_errors(ec2, vpc_id, sg):
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[tcp(22, "10.0.0.0/8"), tcp(80, "10.0.0.0/8")])
    r22 = [r for r in rules_of(ec2, sg, egress=False) if r["FromPort"] == 22][0]["SecurityGroupRuleId"]
    change = {"IpProtocol": "tcp", "FromPort": 23, "ToPort": 23, "CidrIpv4": "10.0.0.0/8"}

    def modify(rule_id=r22, group=sg, **rule):
        return ec2.modify_security_group_rules(GroupId=group, SecurityGroupRules=[{
            "SecurityGroupRuleId": rule_id, "SecurityGroupRule": rule or change}])

    resp = expect_error(modify, MISSING_SGR_ID, code="InvalidSecurityGroupRuleId.NotFound")
    assert resp["Error"]["Message"] == f"The security group rule ID '{MISSING_SGR_ID}' does not exist"
    resp = expect_error(modify, "sgr-nothex", code="InvalidSecurityGroupRuleId.Malformed")
    assert resp["Error"]["Message"] == 'Invalid id: "sgr-nothex" (expecting "sgr-...")'
    expect_error(modify, group=MISSING_SG_ID, code="InvalidGroup.NotFound")
    # docs/aws-choices.md: a rule of another group does not exist in this one.
    other = ec2.create_security_group(GroupName="other", Description="x", VpcId=vpc_id)["GroupId"]
    expect_error(modify, group=other, code="InvalidSecurityGroupRuleId.NotFound")
    # A change that would duplicate another rule: AWS's duplicate error and text.
    resp = expect_error(modify, IpProtocol="tcp", FromPort=80, ToPort=80, CidrIpv4="10.0.0.0/8",
                        code="InvalidPermission.Duplicate")
    assert resp["Error"]["Message"] == (
        'the specified rule "peer: 10.0.0.0/8, TCP, from port: 80, to port: 80, ALLOW" already exists')
    # Exactly one of CidrIpv4, CidrIpv6, PrefixListId, ReferencedGroupId (SecurityGroupRuleRequest).
    expect_error(modify, IpProtocol="tcp", FromPort=23, ToPort=23, CidrIpv4="10.0.0.0/8", ReferencedGroupId=other,
                 code="InvalidParameterCombination")
    expect_error(modify, IpProtocol="tcp", FromPort=23, ToPort=23, code="MissingParameter")
    # Protocols and ports are read as Authorize reads them.
    for bad in ({"IpProtocol": "tcp", "FromPort": 90, "ToPort": 80}, {"IpProtocol": "tcp", "FromPort": 1},
                {"IpProtocol": "bogus"}, {"IpProtocol": "icmp", "FromPort": 300, "ToPort": 0}):
        expect_error(modify, **bad, CidrIpv4="10.0.0.0/8", code="InvalidParameterValue")
    expect_error(modify, IpProtocol="tcp", FromPort=23, ToPort=23, CidrIpv4="10.0.0.0/33",
                 code="InvalidParameterValue")
    expect_error(modify, IpProtocol="tcp", FromPort=23, ToPort=23, CidrIpv4="10.0.0.0/8", Description="caf\u00e9",
                 code="InvalidParameterValue")
    expect_dry_run(ec2.modify_security_group_rules, GroupId=sg,
                   SecurityGroupRules=[{"SecurityGroupRuleId": r22, "SecurityGroupRule": change}])
    assert sorted(r["FromPort"] for r in rules_of(ec2, sg, egress=False)) == [22, 80]


def test_modify_security_group_rules_is_all_or_nothing(ec2, sg):
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[tcp(22, "10.0.0.0/8"), tcp(80, "10.0.0.0/8")])
    ids = {r["FromPort"]: r["SecurityGroupRuleId"] for r in rules_of(ec2, sg, egress=False)}
    update = lambda rid, port: {"SecurityGroupRuleId": rid, "SecurityGroupRule": {  # noqa: E731
        "IpProtocol": "tcp", "FromPort": port, "ToPort": port, "CidrIpv4": "10.0.0.0/8"}}
    # The second update collides with the first as changed: nothing changes.
    expect_error(ec2.modify_security_group_rules, GroupId=sg,
                 SecurityGroupRules=[update(ids[22], 23), update(ids[80], 23)], code="InvalidPermission.Duplicate")
    assert sorted(r["FromPort"] for r in rules_of(ec2, sg, egress=False)) == [22, 80]
    # Updates apply in order, so two rules can trade ports.
    ec2.modify_security_group_rules(GroupId=sg, SecurityGroupRules=[update(ids[80], 81), update(ids[22], 80)])
    assert {r["SecurityGroupRuleId"]: r["FromPort"] for r in rules_of(ec2, sg, egress=False)} == {
        ids[22]: 80, ids[80]: 81}
    # docs/aws-choices.md: one rule twice in a request.
    expect_error(ec2.modify_security_group_rules, GroupId=sg,
                 SecurityGroupRules=[update(ids[22], 90), update(ids[22], 91)], code="InvalidParameterValue")


# --------------------------------------------------------------------------- UpdateSecurityGroupRuleDescriptions*


def test_update_rule_descriptions_by_permission(ec2, vpc_id, sg):
    app = ec2.create_security_group(GroupName="app", Description="x", VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[tcp(22, "10.0.0.0/8", desc="old"),
                                                                     from_group("tcp", 8080, app)])
    resp = ec2.update_security_group_rule_descriptions_ingress(GroupId=sg, IpPermissions=[
        tcp(22, "10.0.0.0/8", desc="ssh from the VPC"), from_group("tcp", 8080, app, desc="app")])
    assert resp["Return"] is True
    assert simple(describe_sg(ec2, sg)["IpPermissions"]) == simple([
        tcp(22, "10.0.0.0/8", desc="ssh from the VPC"), from_group("tcp", 8080, app, desc="app")])
    # API reference: "You can remove a description ... by omitting the description parameter".
    ec2.update_security_group_rule_descriptions_ingress(GroupId=sg, IpPermissions=[tcp(22, "10.0.0.0/8")])
    assert ("tcp", 22, 22, "cidr", "10.0.0.0/8", None) in simple(describe_sg(ec2, sg)["IpPermissions"])
    # Egress: the default allow-all rule.
    ec2.update_security_group_rule_descriptions_egress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "anywhere"}]}])
    [egress] = rules_of(ec2, sg, egress=True)
    assert egress["Description"] == "anywhere"


def test_update_rule_descriptions_by_rule_id(ec2, sg):
    [rule] = ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[tcp(443, "10.0.0.0/16")])[
        "SecurityGroupRules"]
    rid = rule["SecurityGroupRuleId"]
    ec2.update_security_group_rule_descriptions_ingress(GroupId=sg, SecurityGroupRuleDescriptions=[
        {"SecurityGroupRuleId": rid, "Description": "https"}])
    [after] = ec2.describe_security_group_rules(SecurityGroupRuleIds=[rid])["SecurityGroupRules"]
    assert after["Description"] == "https" and after["FromPort"] == 443
    ec2.update_security_group_rule_descriptions_ingress(GroupId=sg, SecurityGroupRuleDescriptions=[
        {"SecurityGroupRuleId": rid}])
    [after] = ec2.describe_security_group_rules(SecurityGroupRuleIds=[rid])["SecurityGroupRules"]
    assert "Description" not in after


def test_update_rule_descriptions_errors(ec2, ec2_raw, sg):
    [rule] = ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[tcp(443, "10.0.0.0/16")])[
        "SecurityGroupRules"]
    rid = rule["SecurityGroupRuleId"]
    update = ec2.update_security_group_rule_descriptions_ingress
    # A permission that matches no rule: AWS's not-found error and text.
    resp = expect_error(update, GroupId=sg, IpPermissions=[tcp(444, "10.0.0.0/16", desc="x")],
                        code="InvalidPermission.NotFound")
    assert resp["Error"]["Message"] == (
        'The specified rule "peer: 10.0.0.0/16, TCP, from port: 444, to port: 444, ALLOW" '
        "does not exist in this security group.")
    expect_error(update, GroupId=sg, SecurityGroupRuleDescriptions=[{"SecurityGroupRuleId": MISSING_SGR_ID,
                                                                     "Description": "x"}],
                 code="InvalidSecurityGroupRuleId.NotFound")
    expect_error(update, GroupId=sg, SecurityGroupRuleDescriptions=[{"SecurityGroupRuleId": "sgr-q"}],
                 code="InvalidSecurityGroupRuleId.Malformed")
    # An inbound rule is not one of the outbound rules.
    expect_error(ec2.update_security_group_rule_descriptions_egress, GroupId=sg,
                 SecurityGroupRuleDescriptions=[{"SecurityGroupRuleId": rid, "Description": "x"}],
                 code="InvalidSecurityGroupRuleId.NotFound")
    expect_error(update, GroupId=MISSING_SG_ID, IpPermissions=[tcp(443, "10.0.0.0/16")], code="InvalidGroup.NotFound")
    expect_error(update, GroupId=sg, IpPermissions=[tcp(443, "10.0.0.0/16", desc="it's")],
                 code="InvalidParameterValue")
    # docs/aws-choices.md: one form or the other, as the reference asks.
    expect_error(ec2_raw.update_security_group_rule_descriptions_ingress, GroupId=sg, code="MissingParameter")
    expect_error(update, GroupId=sg, IpPermissions=[tcp(443, "10.0.0.0/16")],
                 SecurityGroupRuleDescriptions=[{"SecurityGroupRuleId": rid, "Description": "x"}],
                 code="InvalidParameterCombination")
    expect_dry_run(update, GroupId=sg, SecurityGroupRuleDescriptions=[{"SecurityGroupRuleId": rid,
                                                                        "Description": "x"}])
    # Nothing above changed the rule.
    [after] = ec2.describe_security_group_rules(SecurityGroupRuleIds=[rid])["SecurityGroupRules"]
    assert "Description" not in after


def test_update_rule_descriptions_by_group_name_in_default_vpc(ec2):
    gid = ec2.create_security_group(GroupName="dv-desc", Description="default VPC")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[tcp(22, "192.0.2.0/24")])
    ec2.update_security_group_rule_descriptions_ingress(GroupName="dv-desc", IpPermissions=[
        tcp(22, "192.0.2.0/24", desc="by name")])
    assert simple(describe_sg(ec2, gid)["IpPermissions"]) == [("tcp", 22, 22, "cidr", "192.0.2.0/24", "by name")]


def test_cli_update_rule_description(cli, ec2, sg):
    [rule] = ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[tcp(22, "10.0.0.0/8")])[
        "SecurityGroupRules"]
    out = cli("ec2", "update-security-group-rule-descriptions-ingress", "--group-id", sg,
              "--security-group-rule-descriptions",
              f"SecurityGroupRuleId={rule['SecurityGroupRuleId']},Description=from the CLI").json
    assert out["Return"] is True
    [after] = rules_of(ec2, sg, egress=False)
    assert after["Description"] == "from the CLI"


def test_cli_security_group_fidelity(cli, ec2):
    run = lambda *args, **kw: cli("ec2", *args, **kw)  # noqa: E731
    vpc = run("create-vpc", "--cidr-block", "10.0.0.0/16", "--amazon-provided-ipv6-cidr-block").json["Vpc"]["VpcId"]
    gid = run("create-security-group", "--group-name", "cli", "--description", "x", "--vpc-id", vpc).json["GroupId"]
    # A dual-stack VPC's new group allows all egress over both families.
    rules = run("describe-security-group-rules", "--filters", f"Name=group-id,Values={gid}").json["SecurityGroupRules"]
    assert sorted(r.get("CidrIpv4") or r.get("CidrIpv6") for r in rules) == ["0.0.0.0/0", "::/0"]
    # A rule keeps its type: the IPv4 rule cannot become an IPv6 one.
    v4 = [r for r in rules if r.get("CidrIpv4")][0]["SecurityGroupRuleId"]
    bad = run("modify-security-group-rules", "--group-id", gid, "--security-group-rules",
              f"SecurityGroupRuleId={v4},SecurityGroupRule={{IpProtocol=-1,CidrIpv6=2001:db8::/32}}", check=False)
    assert bad.returncode != 0 and "InvalidParameterValue" in bad.stderr and "CidrIpv4" in bad.stderr
    run("modify-security-group-rules", "--group-id", gid, "--security-group-rules",
        f"SecurityGroupRuleId={v4},SecurityGroupRule={{IpProtocol=tcp,FromPort=443,ToPort=443,CidrIpv4=10.0.0.0/8}}")
    [after] = ec2.describe_security_group_rules(SecurityGroupRuleIds=[v4])["SecurityGroupRules"]
    assert (after["IpProtocol"], after["FromPort"], after["CidrIpv4"]) == ("tcp", 443, "10.0.0.0/8")
    # The group-id filter takes group ids only.
    bad = run("describe-security-groups", "--filters", "Name=group-id,Values=web", check=False)
    assert bad.returncode != 0 and "InvalidGroupId.Malformed" in bad.stderr and '(expecting "sg-...")' in bad.stderr

"""Prefix lists: DescribePrefixLists (the AWS-managed lists of the gateway endpoint services),
DescribeManagedPrefixLists, and customer-managed lists (Create/Modify/Delete/Restore,
GetManagedPrefixListEntries/Associations) used as route destinations and security group peers
(spec 2.2, 1.5, 10.1)."""

import ipaddress
import re

import pytest

from helpers import (
    ALPHA_KEY,
    UNKNOWN_KEY_ACCOUNT,
    expect_client_error,
    expect_dry_run,
    expect_error,
    tag_spec,
    tags_of,
    wait_until,
)

REGION = "ap-northeast-1"
# Spec 2.2 [OBS]: the S3 lists of ap-northeast-1 and us-east-1.
S3_PL = "pl-61a54008"
S3_PL_NAME = f"com.amazonaws.{REGION}.s3"
DDB_PL_NAME = f"com.amazonaws.{REGION}.dynamodb"
US_EAST_1_S3_PL = "pl-63a5400a"

PL_ID_RE = re.compile(r"^pl-[0-9a-f]{17}$")
AWS_PL_ID_RE = re.compile(r"^pl-[0-9a-f]{8}$")
MISSING_PL_ID = "pl-0123456789abcdef0"


def f(name, *values):
    return {"Name": name, "Values": list(values)}


def entries(*cidrs, desc=None):
    return [{"Cidr": c, **({"Description": desc} if desc else {})} for c in cidrs]


def create_pl(ec2, name="corp", cidrs=("198.51.100.0/24",), max_entries=5, **kw):
    return ec2.create_managed_prefix_list(PrefixListName=name, MaxEntries=max_entries, AddressFamily="IPv4",
                                          Entries=entries(*cidrs), **kw)["PrefixList"]


def describe_pl(ec2, pl_id):
    [pl] = ec2.describe_managed_prefix_lists(PrefixListIds=[pl_id])["PrefixLists"]
    assert pl["PrefixListId"] == pl_id
    return pl


def settled(ec2, pl_id):
    """The list once its state has left *-in-progress (AWS applies changes asynchronously)."""
    assert wait_until(lambda: not describe_pl(ec2, pl_id)["State"].endswith("-in-progress"), timeout=10)
    return describe_pl(ec2, pl_id)


def cidrs_of(ec2, pl_id, **kw):
    return sorted(e["Cidr"] for e in ec2.get_managed_prefix_list_entries(PrefixListId=pl_id, **kw)["Entries"])


@pytest.fixture
def pl(ec2):
    return create_pl(ec2, cidrs=("198.51.100.0/24", "203.0.113.0/24"))["PrefixListId"]


# --------------------------------------------------------------------------- DescribePrefixLists


def test_describe_prefix_lists_shows_the_aws_service_lists(ec2):
    lists = {p["PrefixListName"]: p for p in ec2.describe_prefix_lists()["PrefixLists"]}
    assert {S3_PL_NAME, DDB_PL_NAME} <= set(lists)
    s3 = lists[S3_PL_NAME]
    assert s3["PrefixListId"] == S3_PL
    assert AWS_PL_ID_RE.match(lists[DDB_PL_NAME]["PrefixListId"])
    for p in (s3, lists[DDB_PL_NAME]):
        assert p["Cidrs"], p
        for cidr in p["Cidrs"]:
            assert ipaddress.ip_network(cidr).version == 4, cidr


def test_describe_prefix_lists_is_per_region(make_client):
    us = make_client(region="us-east-1")
    names = {p["PrefixListName"]: p["PrefixListId"] for p in us.describe_prefix_lists()["PrefixLists"]}
    assert names["com.amazonaws.us-east-1.s3"] == US_EAST_1_S3_PL
    assert "com.amazonaws.us-east-1.dynamodb" in names
    assert not any(n.startswith(f"com.amazonaws.{REGION}.") for n in names)


def test_describe_prefix_lists_filters_and_ids(ec2):
    def ids(**kw):
        return [p["PrefixListId"] for p in ec2.describe_prefix_lists(**kw)["PrefixLists"]]

    assert ids(PrefixListIds=[S3_PL]) == [S3_PL]
    assert ids(Filters=[f("prefix-list-id", S3_PL)]) == [S3_PL]
    assert ids(Filters=[f("prefix-list-name", S3_PL_NAME)]) == [S3_PL]
    [ddb] = ec2.describe_prefix_lists(Filters=[f("prefix-list-name", DDB_PL_NAME)])["PrefixLists"]
    assert ddb["PrefixListName"] == DDB_PL_NAME
    assert ids(Filters=[f("prefix-list-name", "com.amazonaws.eu-west-1.s3")]) == []


def test_describe_prefix_lists_unknown_and_malformed_ids(ec2):
    # Error-code reference: InvalidPrefixListID.NotFound "The specified prefix list ID does
    # not exist"; InvalidPrefixListId.Malformed "The specified prefix list ID is malformed".
    resp = expect_error(ec2.describe_prefix_lists, PrefixListIds=["pl-12345678"], code="InvalidPrefixListID.NotFound")
    assert "pl-12345678" in resp["Error"]["Message"]
    expect_error(ec2.describe_prefix_lists, PrefixListIds=["pl-xyz"], code="InvalidPrefixListId.Malformed")
    expect_error(ec2.describe_prefix_lists, PrefixListIds=["banana"], code="InvalidPrefixListId.Malformed")


# --------------------------------------------------------------------------- DescribeManagedPrefixLists


def test_describe_managed_prefix_lists_shows_aws_lists(ec2):
    lists = {p["PrefixListId"]: p for p in ec2.describe_managed_prefix_lists()["PrefixLists"]}
    s3 = lists[S3_PL]
    assert s3["PrefixListName"] == S3_PL_NAME
    assert s3["OwnerId"] == "AWS"
    assert s3["AddressFamily"] == "IPv4"
    assert s3["State"] == "create-complete"
    # AWS-managed lists carry no size or version.
    assert "MaxEntries" not in s3 and "Version" not in s3
    aws_owned = ec2.describe_managed_prefix_lists(Filters=[f("owner-id", "AWS")])["PrefixLists"]
    assert {p["PrefixListName"] for p in aws_owned} >= {S3_PL_NAME, DDB_PL_NAME}
    assert all(p["OwnerId"] == "AWS" for p in aws_owned)


def test_entries_of_an_aws_managed_list(ec2):
    [s3] = ec2.describe_prefix_lists(PrefixListIds=[S3_PL])["PrefixLists"]
    assert cidrs_of(ec2, S3_PL) == sorted(s3["Cidrs"])


def test_aws_managed_lists_cannot_be_changed(ec2):
    # AWS-managed prefix lists are read-only: "You can't modify or delete an AWS-managed
    # prefix list" (VPC User Guide). AWS-UNCONFIRMED: the codes.
    expect_client_error(ec2.modify_managed_prefix_list, PrefixListId=S3_PL, PrefixListName="mine")
    expect_client_error(ec2.modify_managed_prefix_list, PrefixListId=S3_PL, CurrentVersion=1,
                        AddEntries=entries("198.51.100.0/24"))
    expect_client_error(ec2.delete_managed_prefix_list, PrefixListId=S3_PL)
    expect_client_error(ec2.restore_managed_prefix_list_version, PrefixListId=S3_PL, PreviousVersion=1,
                        CurrentVersion=1)
    assert describe_pl(ec2, S3_PL)["PrefixListName"] == S3_PL_NAME


# --------------------------------------------------------------------------- CreateManagedPrefixList


def test_create_managed_prefix_list(ec2):
    resp = ec2.create_managed_prefix_list(
        PrefixListName="office", MaxEntries=10, AddressFamily="IPv4",
        Entries=[{"Cidr": "198.51.100.0/24", "Description": "tokyo"}, {"Cidr": "203.0.113.0/24"}],
        TagSpecifications=tag_spec("prefix-list", Name="office"))
    p = resp["PrefixList"]
    pl_id = p["PrefixListId"]
    assert PL_ID_RE.match(pl_id)
    assert p["PrefixListName"] == "office"
    assert p["OwnerId"] == UNKNOWN_KEY_ACCOUNT
    assert p["PrefixListArn"] == f"arn:aws:ec2:{REGION}:{UNKNOWN_KEY_ACCOUNT}:prefix-list/{pl_id}"
    assert p["AddressFamily"] == "IPv4"
    assert p["MaxEntries"] == 10
    assert p["Version"] == 1
    # The CLI example shows create-in-progress; the list then settles at create-complete.
    assert p["State"] in ("create-in-progress", "create-complete")
    assert tags_of(p) == {"Name": "office"}

    got = settled(ec2, pl_id)
    assert got["State"] == "create-complete"
    assert (got["Version"], got["MaxEntries"], got["OwnerId"]) == (1, 10, UNKNOWN_KEY_ACCOUNT)
    assert tags_of(got) == {"Name": "office"}
    found = {(e["Cidr"], e.get("Description")) for e in
             ec2.get_managed_prefix_list_entries(PrefixListId=pl_id)["Entries"]}
    assert found == {("198.51.100.0/24", "tokyo"), ("203.0.113.0/24", None)}


def test_create_managed_prefix_list_without_entries(ec2):
    p = ec2.create_managed_prefix_list(PrefixListName="empty", MaxEntries=3, AddressFamily="IPv4")["PrefixList"]
    assert ec2.get_managed_prefix_list_entries(PrefixListId=p["PrefixListId"])["Entries"] == []


def test_describe_managed_prefix_lists_filters(ec2, pl):
    other = create_pl(ec2, name="partners", cidrs=("192.0.2.0/24",))["PrefixListId"]

    def ids(*filters, **kw):
        return sorted(p["PrefixListId"] for p in
                      ec2.describe_managed_prefix_lists(Filters=list(filters), **kw)["PrefixLists"])

    assert ids(f("owner-id", UNKNOWN_KEY_ACCOUNT)) == sorted([pl, other])
    assert ids(f("prefix-list-name", "partners")) == [other]
    assert ids(f("prefix-list-id", pl)) == [pl]
    assert ids(PrefixListIds=[other]) == [other]
    everything = ids()
    assert {pl, other, S3_PL} <= set(everything)


def test_describe_managed_prefix_lists_unknown(ec2):
    expect_error(ec2.describe_managed_prefix_lists, PrefixListIds=[MISSING_PL_ID], code="InvalidPrefixListID.NotFound")
    expect_error(ec2.get_managed_prefix_list_entries, PrefixListId=MISSING_PL_ID, code="InvalidPrefixListID.NotFound")
    expect_error(ec2.describe_managed_prefix_lists, PrefixListIds=["pl-xyz"], code="InvalidPrefixListId.Malformed")


def test_create_managed_prefix_list_errors(ec2, ec2_raw):
    # CreateManagedPrefixList, PrefixListName: "Constraints: Up to 255 characters in length.
    # The name cannot start with com.amazonaws." AWS-UNCONFIRMED: the code.
    expect_client_error(ec2.create_managed_prefix_list, PrefixListName="com.amazonaws.mine", MaxEntries=5,
                        AddressFamily="IPv4")
    # MaxEntries is required (API reference, "Required: Yes").
    expect_error(ec2_raw.create_managed_prefix_list, PrefixListName="nomax", AddressFamily="IPv4",
                 code="MissingParameter")
    # More entries than MaxEntries: PrefixListMaxEntriesExceeded [OBS: an SDK error class].
    expect_error(ec2.create_managed_prefix_list, PrefixListName="toobig", MaxEntries=1, AddressFamily="IPv4",
                 Entries=entries("198.51.100.0/24", "203.0.113.0/24"), code="PrefixListMaxEntriesExceeded")
    # A CIDR that is not one. AWS-UNCONFIRMED: the code.
    expect_client_error(ec2.create_managed_prefix_list, PrefixListName="bad", MaxEntries=2, AddressFamily="IPv4",
                        Entries=entries("banana"))
    expect_dry_run(ec2.create_managed_prefix_list, PrefixListName="dry", MaxEntries=2, AddressFamily="IPv4")
    mine = ec2.describe_managed_prefix_lists(Filters=[f("owner-id", UNKNOWN_KEY_ACCOUNT)])["PrefixLists"]
    assert mine == []


def test_prefix_lists_are_per_account(make_client, ec2, pl, is_external):
    if is_external:
        pytest.skip("account mapping of an external server is unknown")
    alpha = make_client(access_key=ALPHA_KEY)
    expect_error(alpha.describe_managed_prefix_lists, PrefixListIds=[pl], code="InvalidPrefixListID.NotFound")
    assert [p["PrefixListId"] for p in alpha.describe_managed_prefix_lists()["PrefixLists"]
            if p["OwnerId"] != "AWS"] == []
    # Every account sees the AWS-managed lists.
    assert describe_pl(alpha, S3_PL)["OwnerId"] == "AWS"


# --------------------------------------------------------------------------- ModifyManagedPrefixList


def test_modify_entries_creates_a_new_version(ec2, pl):
    assert describe_pl(ec2, pl)["Version"] == 1
    resp = ec2.modify_managed_prefix_list(PrefixListId=pl, CurrentVersion=1,
                                          AddEntries=entries("192.0.2.0/24", desc="lab"),
                                          RemoveEntries=[{"Cidr": "203.0.113.0/24"}])
    assert resp["PrefixList"]["PrefixListId"] == pl
    # ModifyManagedPrefixList: "Adding or removing entries in a prefix list creates a new version".
    got = settled(ec2, pl)
    assert got["Version"] == 2
    assert got["State"] == "modify-complete"
    assert cidrs_of(ec2, pl) == ["192.0.2.0/24", "198.51.100.0/24"]
    ec2.modify_managed_prefix_list(PrefixListId=pl, CurrentVersion=2, RemoveEntries=[{"Cidr": "192.0.2.0/24"}])
    assert settled(ec2, pl)["Version"] == 3
    assert cidrs_of(ec2, pl) == ["198.51.100.0/24"]


def test_modify_with_a_stale_version(ec2, pl):
    ec2.modify_managed_prefix_list(PrefixListId=pl, CurrentVersion=1, AddEntries=entries("192.0.2.0/24"))
    settled(ec2, pl)
    # "If you specify a current version number that does not match the true current version
    # number, the request fails." [OBS] PrefixListVersionMismatch.
    expect_error(ec2.modify_managed_prefix_list, PrefixListId=pl, CurrentVersion=1,
                 AddEntries=entries("192.0.2.128/25"), code="PrefixListVersionMismatch")
    assert describe_pl(ec2, pl)["Version"] == 2
    assert "192.0.2.128/25" not in cidrs_of(ec2, pl)


def test_modify_removing_a_missing_entry(ec2, pl):
    # [OBS] InvalidPrefixListModification "The entry ... does not exist." (terraform-provider-aws
    # treats it as already removed).
    expect_error(ec2.modify_managed_prefix_list, PrefixListId=pl, CurrentVersion=1,
                 RemoveEntries=[{"Cidr": "192.0.2.0/24"}], code="InvalidPrefixListModification")
    assert describe_pl(ec2, pl)["Version"] == 1


def test_modify_beyond_max_entries(ec2):
    p = create_pl(ec2, cidrs=("198.51.100.0/24",), max_entries=1)["PrefixListId"]
    expect_error(ec2.modify_managed_prefix_list, PrefixListId=p, CurrentVersion=1,
                 AddEntries=entries("192.0.2.0/24"), code="PrefixListMaxEntriesExceeded")
    assert describe_pl(ec2, p)["Version"] == 1


def test_modify_max_entries_alone(ec2, pl):
    ec2.modify_managed_prefix_list(PrefixListId=pl, MaxEntries=20)
    got = settled(ec2, pl)
    assert got["MaxEntries"] == 20
    # Resizing adds or removes no entry, so no new version.
    assert got["Version"] == 1


def test_modify_max_entries_and_entries_together_is_refused(ec2, pl):
    # MaxEntries: "You cannot modify the entries of a prefix list and modify the size of a
    # prefix list at the same time." AWS-UNCONFIRMED: the code.
    expect_client_error(ec2.modify_managed_prefix_list, PrefixListId=pl, CurrentVersion=1, MaxEntries=20,
                        AddEntries=entries("192.0.2.0/24"))
    got = describe_pl(ec2, pl)
    assert (got["MaxEntries"], got["Version"]) == (5, 1)
    assert "192.0.2.0/24" not in cidrs_of(ec2, pl)


def test_renaming_does_not_change_the_version(ec2, pl):
    ec2.modify_managed_prefix_list(PrefixListId=pl, PrefixListName="renamed")
    # "Changing the name of the prefix list does not affect the version."
    got = settled(ec2, pl)
    assert got["PrefixListName"] == "renamed"
    assert got["Version"] == 1
    # The new name may not take the reserved prefix either. AWS-UNCONFIRMED: the code.
    expect_client_error(ec2.modify_managed_prefix_list, PrefixListId=pl, PrefixListName="com.amazonaws.x")
    assert describe_pl(ec2, pl)["PrefixListName"] == "renamed"


def test_modify_unknown_list(ec2):
    expect_error(ec2.modify_managed_prefix_list, PrefixListId=MISSING_PL_ID, PrefixListName="x",
                 code="InvalidPrefixListID.NotFound")


# --------------------------------------------------------------------------- versions


def test_entries_of_an_older_version(ec2, pl):
    ec2.modify_managed_prefix_list(PrefixListId=pl, CurrentVersion=1, AddEntries=entries("192.0.2.0/24"),
                                   RemoveEntries=[{"Cidr": "198.51.100.0/24"}])
    settled(ec2, pl)
    assert cidrs_of(ec2, pl) == ["192.0.2.0/24", "203.0.113.0/24"]
    # GetManagedPrefixListEntries, TargetVersion: "The version of the prefix list for which to
    # return the entries. The default is the current version."
    assert cidrs_of(ec2, pl, TargetVersion=1) == ["198.51.100.0/24", "203.0.113.0/24"]
    assert cidrs_of(ec2, pl, TargetVersion=2) == ["192.0.2.0/24", "203.0.113.0/24"]
    # A version that never existed. AWS-UNCONFIRMED: the code.
    expect_client_error(ec2.get_managed_prefix_list_entries, PrefixListId=pl, TargetVersion=9)


def test_restore_an_older_version(ec2, pl):
    ec2.modify_managed_prefix_list(PrefixListId=pl, CurrentVersion=1, RemoveEntries=[{"Cidr": "203.0.113.0/24"}])
    settled(ec2, pl)
    resp = ec2.restore_managed_prefix_list_version(PrefixListId=pl, PreviousVersion=1, CurrentVersion=2)
    assert resp["PrefixList"]["PrefixListId"] == pl
    # RestoreManagedPrefixListVersion: "Restores the entries from a previous version of a
    # managed prefix list to a new version of the prefix list."
    got = settled(ec2, pl)
    assert got["Version"] == 3
    assert cidrs_of(ec2, pl) == ["198.51.100.0/24", "203.0.113.0/24"]
    # CurrentVersion must be the current one. [OBS] PrefixListVersionMismatch.
    expect_error(ec2.restore_managed_prefix_list_version, PrefixListId=pl, PreviousVersion=2, CurrentVersion=2,
                 code="PrefixListVersionMismatch")
    assert describe_pl(ec2, pl)["Version"] == 3


# --------------------------------------------------------------------------- references


def test_prefix_list_as_a_route_destination(ec2, vpc_id, rtb, igw, pl):
    ec2.create_route(RouteTableId=rtb, DestinationPrefixListId=pl, GatewayId=igw)
    table = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]
    [r] = [r for r in table["Routes"] if r.get("DestinationPrefixListId") == pl]
    assert r["GatewayId"] == igw
    assert (r["Origin"], r["State"]) == ("CreateRoute", "active")
    assert "DestinationCidrBlock" not in r
    found = ec2.describe_route_tables(Filters=[f("route.destination-prefix-list-id", pl)])["RouteTables"]
    assert [t["RouteTableId"] for t in found] == [rtb]
    # Spec 1.5: one route per destination. Error-code reference: RouteAlreadyExists.
    expect_error(ec2.create_route, RouteTableId=rtb, DestinationPrefixListId=pl, GatewayId=igw,
                 code="RouteAlreadyExists")
    ec2.delete_route(RouteTableId=rtb, DestinationPrefixListId=pl)
    table = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]
    assert not [r for r in table["Routes"] if r.get("DestinationPrefixListId") == pl]


def test_prefix_list_in_security_group_rules(ec2, sg, pl):
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "PrefixListIds": [{"PrefixListId": pl, "Description": "office"}]}])
    ec2.authorize_security_group_egress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": [{"PrefixListId": S3_PL}]}])
    [g] = ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"]
    [ingress] = g["IpPermissions"]
    assert ingress["PrefixListIds"] == [{"PrefixListId": pl, "Description": "office"}]
    egress = [p for p in g["IpPermissionsEgress"] if p.get("PrefixListIds")]
    assert [p["PrefixListIds"][0]["PrefixListId"] for p in egress] == [S3_PL]
    rules = ec2.describe_security_group_rules(Filters=[f("group-id", sg)])["SecurityGroupRules"]
    assert {r.get("PrefixListId") for r in rules} >= {pl, S3_PL}


def test_get_managed_prefix_list_associations(ec2, rtb, igw, sg, pl):
    assert ec2.get_managed_prefix_list_associations(PrefixListId=pl)["PrefixListAssociations"] == []
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "PrefixListIds": [{"PrefixListId": pl}]}])
    ec2.create_route(RouteTableId=rtb, DestinationPrefixListId=pl, GatewayId=igw)
    assoc = ec2.get_managed_prefix_list_associations(PrefixListId=pl)["PrefixListAssociations"]
    assert sorted((a["ResourceId"], a["ResourceOwner"]) for a in assoc) == sorted(
        [(sg, UNKNOWN_KEY_ACCOUNT), (rtb, UNKNOWN_KEY_ACCOUNT)])
    expect_error(ec2.get_managed_prefix_list_associations, PrefixListId=MISSING_PL_ID,
                 code="InvalidPrefixListID.NotFound")


def test_a_referenced_list_cannot_be_deleted(ec2, rtb, igw, sg, pl):
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "PrefixListIds": [{"PrefixListId": pl}]}])
    ec2.create_route(RouteTableId=rtb, DestinationPrefixListId=pl, GatewayId=igw)
    # DeleteManagedPrefixList reference: "You must first remove all references to the prefix
    # list in your resources." AWS documents no code for the refusal; docs/aws-choices.md:
    # DependencyViolation, naming a resource that holds a reference.
    resp = expect_error(ec2.delete_managed_prefix_list, PrefixListId=pl, code="DependencyViolation")
    assert pl in resp["Error"]["Message"]
    assert rtb in resp["Error"]["Message"] or sg in resp["Error"]["Message"]
    ec2.delete_route(RouteTableId=rtb, DestinationPrefixListId=pl)
    resp = expect_error(ec2.delete_managed_prefix_list, PrefixListId=pl, code="DependencyViolation")
    assert sg in resp["Error"]["Message"]
    ec2.revoke_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "PrefixListIds": [{"PrefixListId": pl}]}])
    assert ec2.get_managed_prefix_list_associations(PrefixListId=pl)["PrefixListAssociations"] == []
    ec2.delete_managed_prefix_list(PrefixListId=pl)


def test_an_egress_rule_reference_also_keeps_a_list(ec2, sg, pl):
    [rule] = ec2.authorize_security_group_egress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": [{"PrefixListId": pl}]}])[
        "SecurityGroupRules"]
    expect_error(ec2.delete_managed_prefix_list, PrefixListId=pl, code="DependencyViolation")
    # The list is still whole and still referenced.
    assert describe_pl(ec2, pl)["State"] == "create-complete"
    assert ec2.describe_security_group_rules(SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]])[
        "SecurityGroupRules"][0]["PrefixListId"] == pl
    ec2.revoke_security_group_egress(GroupId=sg, SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]])
    ec2.delete_managed_prefix_list(PrefixListId=pl)


def test_cli_a_referenced_list_cannot_be_deleted(cli, ec2, sg, pl):
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "PrefixListIds": [{"PrefixListId": pl}]}])
    bad = cli("ec2", "delete-managed-prefix-list", "--prefix-list-id", pl, check=False)
    assert bad.returncode != 0 and "DependencyViolation" in bad.stderr and sg in bad.stderr


def test_delete_managed_prefix_list(ec2, pl):
    expect_dry_run(ec2.delete_managed_prefix_list, PrefixListId=pl)
    resp = ec2.delete_managed_prefix_list(PrefixListId=pl)
    assert (resp["PrefixList"]["PrefixListId"], resp["PrefixList"]["State"]) == (pl, "delete-in-progress")

    # AWS-UNCONFIRMED: whether a deleted list lingers (delete-in-progress/delete-complete) or
    # disappears at once; either way it is no longer a live list.
    def gone():
        lists = ec2.describe_managed_prefix_lists(Filters=[f("prefix-list-id", pl)])["PrefixLists"]
        return all(p["State"].startswith("delete-") for p in lists)

    assert wait_until(gone, timeout=10)
    expect_error(ec2.delete_managed_prefix_list, PrefixListId=MISSING_PL_ID, code="InvalidPrefixListID.NotFound")


def test_cli_managed_prefix_list(cli):
    run = lambda *args, **kw: cli("ec2", *args, **kw)  # noqa: E731
    created = run("create-managed-prefix-list", "--prefix-list-name", "cli-list", "--max-entries", "4",
                  "--address-family", "IPv4", "--entries", "Cidr=198.51.100.0/24,Description=one").json
    pl_id = created["PrefixList"]["PrefixListId"]
    assert PL_ID_RE.match(pl_id)
    run("modify-managed-prefix-list", "--prefix-list-id", pl_id, "--current-version", "1",
        "--add-entries", "Cidr=192.0.2.0/24")
    got = run("get-managed-prefix-list-entries", "--prefix-list-id", pl_id).json
    assert sorted(e["Cidr"] for e in got["Entries"]) == ["192.0.2.0/24", "198.51.100.0/24"]
    listed = run("describe-managed-prefix-lists", "--prefix-list-ids", pl_id).json["PrefixLists"]
    assert listed[0]["Version"] == 2
    aws_lists = run("describe-prefix-lists", "--filters", f"Name=prefix-list-name,Values={S3_PL_NAME}").json
    assert [p["PrefixListId"] for p in aws_lists["PrefixLists"]] == [S3_PL]
    run("delete-managed-prefix-list", "--prefix-list-id", pl_id)
    bad = run("describe-prefix-lists", "--prefix-list-ids", MISSING_PL_ID, check=False)
    assert bad.returncode != 0 and "InvalidPrefixListID.NotFound" in bad.stderr

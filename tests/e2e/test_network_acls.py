"""Network ACLs: Create/Delete/DescribeNetworkAcls, Create/Replace/DeleteNetworkAclEntry,
ReplaceNetworkAclAssociation; the default ACL of every VPC, subnet associations and the
dependencies on subnets and VPCs (spec 1.7)."""

import re

import pytest

from helpers import (
    ALPHA_KEY,
    MISSING_VPC_ID,
    UNKNOWN_KEY_ACCOUNT,
    default_vpc,
    expect_client_error,
    expect_dry_run,
    expect_error,
    tag_spec,
    tags_of,
)

ACL_ID_RE = re.compile(r"^acl-[0-9a-f]{17}$")
ACLASSOC_ID_RE = re.compile(r"^aclassoc-[0-9a-f]{17}$")
MISSING_ACL_ID = "acl-0123456789abcdef0"


def f(name, *values):
    return {"Name": name, "Values": list(values)}


@pytest.fixture
def acl(ec2, vpc_id):
    return ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]


def describe_acl(ec2, acl_id):
    [a] = ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"]
    assert a["NetworkAclId"] == acl_id
    return a


def default_acl(ec2, vpc_id):
    acls = ec2.describe_network_acls(Filters=[f("vpc-id", vpc_id), f("default", "true")])["NetworkAcls"]
    assert len(acls) == 1, acls
    return acls[0]


def entries(acl):
    """{(egress, rule number): (protocol, action, cidr, ports, icmp)}"""
    out = {}
    for e in acl["Entries"]:
        ports = (e["PortRange"]["From"], e["PortRange"]["To"]) if e.get("PortRange") else None
        icmp = (e["IcmpTypeCode"]["Type"], e["IcmpTypeCode"]["Code"]) if e.get("IcmpTypeCode") else None
        out[(e["Egress"], e["RuleNumber"])] = (e["Protocol"], e["RuleAction"], e["CidrBlock"], ports, icmp)
    return out


DENY_ALL = {
    (False, 32767): ("-1", "deny", "0.0.0.0/0", None, None),
    (True, 32767): ("-1", "deny", "0.0.0.0/0", None, None),
}
DEFAULT_ENTRIES = {
    (False, 100): ("-1", "allow", "0.0.0.0/0", None, None),
    (True, 100): ("-1", "allow", "0.0.0.0/0", None, None),
    **DENY_ALL,
}


def acl_of_subnet(ec2, subnet_id):
    acls = ec2.describe_network_acls(Filters=[f("association.subnet-id", subnet_id)])["NetworkAcls"]
    assert len(acls) == 1, acls
    [assoc] = [a for a in acls[0]["Associations"] if a["SubnetId"] == subnet_id]
    return acls[0]["NetworkAclId"], assoc["NetworkAclAssociationId"]


def add_entry(ec2, acl_id, number, *, egress=False, protocol="-1", action="allow", cidr="0.0.0.0/0", **kw):
    return ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=number, Protocol=protocol,
                                        RuleAction=action, Egress=egress, CidrBlock=cidr, **kw)


# --------------------------------------------------------------------------- default ACLs


def test_new_vpc_has_a_default_acl(ec2, vpc_id):
    # VPC User Guide, "Default network ACL": allows all inbound and outbound IPv4 traffic
    # (rule 100) before the "*" deny-all rule. The API reports "*" as rule 32767.
    acls = ec2.describe_network_acls(Filters=[f("vpc-id", vpc_id)])["NetworkAcls"]
    assert len(acls) == 1
    a = acls[0]
    assert ACL_ID_RE.match(a["NetworkAclId"])
    assert a["IsDefault"] is True
    assert a["VpcId"] == vpc_id
    assert a["OwnerId"] == UNKNOWN_KEY_ACCOUNT
    assert a["Associations"] == []
    assert entries(a) == DEFAULT_ENTRIES
    assert len(a["Entries"]) == 4


def test_every_subnet_is_associated_with_the_default_acl(ec2, vpc_id):
    dflt = default_acl(ec2, vpc_id)["NetworkAclId"]
    s1 = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    s2 = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    a = describe_acl(ec2, dflt)
    assocs = {x["SubnetId"]: x for x in a["Associations"]}
    assert set(assocs) == {s1, s2}
    for sub, x in assocs.items():
        assert ACLASSOC_ID_RE.match(x["NetworkAclAssociationId"])
        assert x["NetworkAclId"] == dflt
    assert assocs[s1]["NetworkAclAssociationId"] != assocs[s2]["NetworkAclAssociationId"]
    assert acl_of_subnet(ec2, s1)[0] == dflt


def test_default_vpc_default_acl_holds_the_default_subnets(ec2):
    dvpc = default_vpc(ec2)["VpcId"]
    a = default_acl(ec2, dvpc)
    assert entries(a) == DEFAULT_ENTRIES
    subnets = {s["SubnetId"] for s in ec2.describe_subnets(Filters=[f("vpc-id", dvpc)])["Subnets"]}
    assert len(subnets) == 3
    assert {x["SubnetId"] for x in a["Associations"]} == subnets


def test_vpc_deletion_takes_its_default_acl(ec2, vpc_id):
    dflt = default_acl(ec2, vpc_id)["NetworkAclId"]
    ec2.delete_vpc(VpcId=vpc_id)
    expect_error(ec2.describe_network_acls, NetworkAclIds=[dflt], code="InvalidNetworkAclID.NotFound")
    assert ec2.describe_network_acls(Filters=[f("vpc-id", vpc_id)])["NetworkAcls"] == []


# --------------------------------------------------------------------------- CreateNetworkAcl


def test_create_network_acl_denies_everything(ec2, vpc_id):
    resp = ec2.create_network_acl(VpcId=vpc_id, TagSpecifications=tag_spec("network-acl", Name="private"))
    a = resp["NetworkAcl"]
    assert ACL_ID_RE.match(a["NetworkAclId"])
    assert a["IsDefault"] is False
    assert a["VpcId"] == vpc_id
    assert a["OwnerId"] == UNKNOWN_KEY_ACCOUNT
    assert a["Associations"] == []
    # VPC User Guide, "Custom network ACLs": a new ACL denies all traffic until rules are added.
    assert entries(a) == DENY_ALL
    assert tags_of(a) == {"Name": "private"}
    got = describe_acl(ec2, a["NetworkAclId"])
    assert entries(got) == DENY_ALL and tags_of(got) == {"Name": "private"}
    # The VPC's default ACL is unchanged.
    assert default_acl(ec2, vpc_id)["NetworkAclId"] != a["NetworkAclId"]


def test_create_network_acl_errors(ec2, ec2_raw, vpc_id):
    expect_error(ec2.create_network_acl, VpcId=MISSING_VPC_ID, code="InvalidVpcID.NotFound")
    expect_error(ec2.create_network_acl, VpcId="vpc-12", code="InvalidVpcID.Malformed")
    expect_error(ec2_raw.create_network_acl, code="MissingParameter")
    expect_dry_run(ec2.create_network_acl, VpcId=vpc_id)
    assert len(ec2.describe_network_acls(Filters=[f("vpc-id", vpc_id)])["NetworkAcls"]) == 1


# --------------------------------------------------------------------------- entries


def test_create_entries_store_protocol_numbers(ec2, acl):
    add_entry(ec2, acl, 100, protocol="tcp", cidr="10.0.0.0/8", PortRange={"From": 22, "To": 22})
    add_entry(ec2, acl, 110, protocol="udp", egress=True, cidr="192.0.2.0/24", PortRange={"From": 53, "To": 53})
    add_entry(ec2, acl, 120, protocol="icmp", action="deny", cidr="198.51.100.0/24",
              IcmpTypeCode={"Type": 8, "Code": -1})
    add_entry(ec2, acl, 130, protocol="all", egress=True, action="deny", cidr="203.0.113.0/24")
    add_entry(ec2, acl, 140, protocol="6", cidr="10.0.0.0/8", PortRange={"From": 1024, "To": 65535})
    add_entry(ec2, acl, 150, protocol="47", cidr="10.0.0.0/8")  # GRE: no ports
    # Model, NetworkAclEntry.Protocol: "The protocol number. A value of "-1" means all protocols."
    assert entries(describe_acl(ec2, acl)) == {
        (False, 100): ("6", "allow", "10.0.0.0/8", (22, 22), None),
        (True, 110): ("17", "allow", "192.0.2.0/24", (53, 53), None),
        (False, 120): ("1", "deny", "198.51.100.0/24", None, (8, -1)),
        (True, 130): ("-1", "deny", "203.0.113.0/24", None, None),
        (False, 140): ("6", "allow", "10.0.0.0/8", (1024, 65535), None),
        (False, 150): ("47", "allow", "10.0.0.0/8", None, None),
        **DENY_ALL,
    }


def test_entries_are_described_in_rule_order_per_direction(ec2, acl):
    for n in (300, 100, 200):
        add_entry(ec2, acl, n, cidr=f"10.{n // 100}.0.0/16")
    add_entry(ec2, acl, 50, egress=True)
    got = [(e["Egress"], e["RuleNumber"]) for e in describe_acl(ec2, acl)["Entries"]]
    ingress = [n for eg, n in got if not eg]
    egress = [n for eg, n in got if eg]
    assert ingress == [100, 200, 300, 32767]
    assert egress == [50, 32767]


@pytest.mark.parametrize("number", [0, 32767, 32768, 65535, -1])
def test_rule_number_out_of_range(ec2_raw, acl, number):
    # Model, CreateNetworkAclEntry.RuleNumber: "Constraints: Positive integer from 1 to 32766.
    # The range 32767 to 65535 is reserved for internal use."
    # AWS-UNCONFIRMED: the code (InvalidParameterValue is what AWS uses for out-of-range values
    # elsewhere); only the refusal is asserted.
    expect_client_error(ec2_raw.create_network_acl_entry, NetworkAclId=acl, RuleNumber=number, Protocol="-1",
                        RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0")


def test_rule_number_edges_are_accepted(ec2, acl):
    add_entry(ec2, acl, 1)
    add_entry(ec2, acl, 32766)
    assert {n for eg, n in entries(describe_acl(ec2, acl)) if not eg} == {1, 32766, 32767}


def test_duplicate_rule_number_per_direction(ec2, acl):
    add_entry(ec2, acl, 100, cidr="10.0.0.0/8")
    # Error-code reference, NetworkAclEntryAlreadyExists: "The specified rule number already
    # exists in this network ACL."
    expect_error(add_entry, ec2, acl, 100, cidr="192.0.2.0/24", code="NetworkAclEntryAlreadyExists")
    # The same number in the other direction is a different rule.
    add_entry(ec2, acl, 100, egress=True, cidr="192.0.2.0/24")
    assert entries(describe_acl(ec2, acl))[(False, 100)][2] == "10.0.0.0/8"


def test_tcp_and_udp_need_a_port_range(ec2, ec2_raw, acl):
    # Model, CreateNetworkAclEntry.PortRange: "Required if specifying protocol 6 (TCP) or 17 (UDP)."
    # AWS-UNCONFIRMED: the code (MissingParameter, as for any required parameter).
    for proto in ("tcp", "6", "udp", "17"):
        expect_client_error(add_entry, ec2_raw, acl, 100, protocol=proto)
    assert entries(describe_acl(ec2, acl)) == DENY_ALL


def test_icmp_needs_type_and_code(ec2, ec2_raw, acl):
    # Model, CreateNetworkAclEntry.IcmpTypeCode: "Required if specifying protocol 1 (ICMP) or
    # protocol 58 (ICMPv6) with an IPv6 CIDR block." AWS-UNCONFIRMED: the code.
    for proto in ("icmp", "1"):
        expect_client_error(add_entry, ec2_raw, acl, 100, protocol=proto)
    add_entry(ec2, acl, 100, protocol="1", IcmpTypeCode={"Type": -1, "Code": -1})
    assert entries(describe_acl(ec2, acl))[(False, 100)] == ("1", "allow", "0.0.0.0/0", None, (-1, -1))


def test_create_entry_value_errors(ec2, ec2_raw, acl):
    # AWS-UNCONFIRMED: the exact codes for a bad protocol, action, CIDR and port order; the
    # refusals are certain (model: RuleAction is allow|deny; CidrBlock is an IPv4 CIDR).
    expect_client_error(add_entry, ec2_raw, acl, 100, protocol="banana")
    expect_client_error(add_entry, ec2_raw, acl, 100, action="maybe")
    expect_client_error(add_entry, ec2_raw, acl, 100, cidr="banana")
    expect_client_error(add_entry, ec2_raw, acl, 100, protocol="tcp", PortRange={"From": 90, "To": 80})
    expect_error(add_entry, ec2, MISSING_ACL_ID, 100, code="InvalidNetworkAclID.NotFound")
    expect_error(add_entry, ec2, "acl-nope", 100, code="InvalidNetworkAclId.Malformed")
    expect_error(ec2_raw.create_network_acl_entry, NetworkAclId=acl, Protocol="-1", RuleAction="allow",
                 Egress=False, CidrBlock="0.0.0.0/0", code="MissingParameter")
    expect_dry_run(ec2.create_network_acl_entry, NetworkAclId=acl, RuleNumber=100, Protocol="-1",
                   RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0")
    assert entries(describe_acl(ec2, acl)) == DENY_ALL


def test_twenty_rules_per_direction(ec2, acl):
    # Amazon VPC quotas: "Rules per network ACL: 20. This is the one-way quota for a single
    # network ACL" (the default "*" rules are not counted). Error-code reference:
    # NetworkAclEntryLimitExceeded.
    for i in range(20):
        add_entry(ec2, acl, 100 + i, cidr=f"10.{i}.0.0/16")
    expect_error(add_entry, ec2, acl, 200, cidr="10.99.0.0/16", code="NetworkAclEntryLimitExceeded")
    # The other direction has its own 20.
    for i in range(20):
        add_entry(ec2, acl, 100 + i, egress=True, cidr=f"10.{i}.0.0/16")
    expect_error(add_entry, ec2, acl, 200, egress=True, code="NetworkAclEntryLimitExceeded")
    # Freeing one makes room again.
    ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=False)
    add_entry(ec2, acl, 200, cidr="10.99.0.0/16")
    assert len(describe_acl(ec2, acl)["Entries"]) == 42


def test_replace_entry(ec2, acl):
    add_entry(ec2, acl, 100, protocol="tcp", PortRange={"From": 80, "To": 80}, cidr="10.0.0.0/8")
    resp = ec2.replace_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="udp", RuleAction="deny",
                                         Egress=False, CidrBlock="192.0.2.0/24", PortRange={"From": 53, "To": 53})
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert entries(describe_acl(ec2, acl)) == {(False, 100): ("17", "deny", "192.0.2.0/24", (53, 53), None),
                                               **DENY_ALL}


def test_replace_entry_in_the_default_acl(ec2, vpc_id):
    dflt = default_acl(ec2, vpc_id)["NetworkAclId"]
    ec2.replace_network_acl_entry(NetworkAclId=dflt, RuleNumber=100, Protocol="-1", RuleAction="deny",
                                  Egress=True, CidrBlock="0.0.0.0/0")
    got = entries(describe_acl(ec2, dflt))
    assert got[(True, 100)] == ("-1", "deny", "0.0.0.0/0", None, None)
    assert got[(False, 100)] == ("-1", "allow", "0.0.0.0/0", None, None)


def test_replace_missing_entry(ec2, acl):
    add_entry(ec2, acl, 100)
    # Error-code reference, InvalidNetworkAclEntry.NotFound: "The specified network ACL entry
    # does not exist." The egress rule 100 does not exist (only the ingress one).
    expect_error(ec2.replace_network_acl_entry, NetworkAclId=acl, RuleNumber=100, Protocol="-1", RuleAction="deny",
                 Egress=True, CidrBlock="0.0.0.0/0", code="InvalidNetworkAclEntry.NotFound")
    expect_error(ec2.replace_network_acl_entry, NetworkAclId=acl, RuleNumber=200, Protocol="-1", RuleAction="deny",
                 Egress=False, CidrBlock="0.0.0.0/0", code="InvalidNetworkAclEntry.NotFound")
    expect_error(ec2.replace_network_acl_entry, NetworkAclId=MISSING_ACL_ID, RuleNumber=100, Protocol="-1",
                 RuleAction="deny", Egress=False, CidrBlock="0.0.0.0/0", code="InvalidNetworkAclID.NotFound")
    assert entries(describe_acl(ec2, acl))[(False, 100)] == ("-1", "allow", "0.0.0.0/0", None, None)


def test_replace_entry_keeps_the_protocol_rules(ec2_raw, ec2, acl):
    add_entry(ec2, acl, 100)
    # The same PortRange rule as CreateNetworkAclEntry. AWS-UNCONFIRMED: the code.
    expect_client_error(ec2_raw.replace_network_acl_entry, NetworkAclId=acl, RuleNumber=100, Protocol="tcp",
                        RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0")
    assert entries(describe_acl(ec2, acl))[(False, 100)] == ("-1", "allow", "0.0.0.0/0", None, None)


def test_delete_entry(ec2, acl):
    add_entry(ec2, acl, 100)
    add_entry(ec2, acl, 100, egress=True)
    resp = ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=False)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert set(entries(describe_acl(ec2, acl))) == {(True, 100), (False, 32767), (True, 32767)}
    expect_error(ec2.delete_network_acl_entry, NetworkAclId=acl, RuleNumber=100, Egress=False,
                 code="InvalidNetworkAclEntry.NotFound")
    expect_error(ec2.delete_network_acl_entry, NetworkAclId=acl, RuleNumber=555, Egress=True,
                 code="InvalidNetworkAclEntry.NotFound")
    expect_error(ec2.delete_network_acl_entry, NetworkAclId=MISSING_ACL_ID, RuleNumber=100, Egress=True,
                 code="InvalidNetworkAclID.NotFound")
    expect_dry_run(ec2.delete_network_acl_entry, NetworkAclId=acl, RuleNumber=100, Egress=True)
    assert (True, 100) in entries(describe_acl(ec2, acl))


def test_deny_all_rule_cannot_be_deleted(ec2_raw, ec2, acl):
    # VPC User Guide: "You can't modify or remove" the "*" rule. AWS-UNCONFIRMED: the code.
    expect_client_error(ec2_raw.delete_network_acl_entry, NetworkAclId=acl, RuleNumber=32767, Egress=False)
    assert entries(describe_acl(ec2, acl)) == DENY_ALL


def test_default_acl_rule_100_can_be_deleted(ec2, vpc_id):
    dflt = default_acl(ec2, vpc_id)["NetworkAclId"]
    ec2.delete_network_acl_entry(NetworkAclId=dflt, RuleNumber=100, Egress=False)
    assert set(entries(describe_acl(ec2, dflt))) == {(True, 100), (False, 32767), (True, 32767)}


# --------------------------------------------------------------------------- associations


def test_replace_network_acl_association(ec2, vpc_id, subnet, acl):
    dflt = default_acl(ec2, vpc_id)["NetworkAclId"]
    owner, old_assoc = acl_of_subnet(ec2, subnet)
    assert owner == dflt
    resp = ec2.replace_network_acl_association(AssociationId=old_assoc, NetworkAclId=acl)
    new_assoc = resp["NewAssociationId"]
    assert ACLASSOC_ID_RE.match(new_assoc) and new_assoc != old_assoc
    assert acl_of_subnet(ec2, subnet) == (acl, new_assoc)
    assert describe_acl(ec2, acl)["Associations"] == [
        {"NetworkAclAssociationId": new_assoc, "NetworkAclId": acl, "SubnetId": subnet}]
    assert describe_acl(ec2, dflt)["Associations"] == []
    # The old association id is gone. Error-code reference: InvalidAssociationID.NotFound.
    expect_error(ec2.replace_network_acl_association, AssociationId=old_assoc, NetworkAclId=dflt,
                 code="InvalidAssociationID.NotFound")
    # Back to the default ACL (the only way to "disassociate").
    back = ec2.replace_network_acl_association(AssociationId=new_assoc, NetworkAclId=dflt)["NewAssociationId"]
    assert acl_of_subnet(ec2, subnet) == (dflt, back)
    assert describe_acl(ec2, acl)["Associations"] == []


def test_replace_association_to_an_acl_of_another_vpc(ec2, subnet):
    other_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    foreign = ec2.create_network_acl(VpcId=other_vpc)["NetworkAcl"]["NetworkAclId"]
    owner, assoc = acl_of_subnet(ec2, subnet)
    # A subnet can only use its own VPC's ACLs. AWS-UNCONFIRMED: the code
    # (InvalidParameterValue "... belong to different networks" is the pattern for routes).
    expect_client_error(ec2.replace_network_acl_association, AssociationId=assoc, NetworkAclId=foreign)
    assert acl_of_subnet(ec2, subnet) == (owner, assoc)


def test_replace_association_errors(ec2, ec2_raw, subnet, acl):
    _, assoc = acl_of_subnet(ec2, subnet)
    expect_error(ec2.replace_network_acl_association, AssociationId="aclassoc-0123456789abcdef0", NetworkAclId=acl,
                 code="InvalidAssociationID.NotFound")
    expect_error(ec2.replace_network_acl_association, AssociationId=assoc, NetworkAclId=MISSING_ACL_ID,
                 code="InvalidNetworkAclID.NotFound")
    expect_error(ec2_raw.replace_network_acl_association, NetworkAclId=acl, code="MissingParameter")
    expect_dry_run(ec2.replace_network_acl_association, AssociationId=assoc, NetworkAclId=acl)
    assert acl_of_subnet(ec2, subnet)[1] == assoc


def test_subnet_deletion_removes_its_association(ec2, vpc_id, subnet, acl):
    _, assoc = acl_of_subnet(ec2, subnet)
    ec2.replace_network_acl_association(AssociationId=assoc, NetworkAclId=acl)
    ec2.delete_subnet(SubnetId=subnet)
    assert describe_acl(ec2, acl)["Associations"] == []
    assert ec2.describe_network_acls(Filters=[f("association.subnet-id", subnet)])["NetworkAcls"] == []
    # With no association left, the ACL can be deleted.
    ec2.delete_network_acl(NetworkAclId=acl)


# --------------------------------------------------------------------------- DeleteNetworkAcl


def test_delete_network_acl(ec2, acl):
    resp = ec2.delete_network_acl(NetworkAclId=acl)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    expect_error(ec2.describe_network_acls, NetworkAclIds=[acl], code="InvalidNetworkAclID.NotFound")
    expect_error(ec2.delete_network_acl, NetworkAclId=acl, code="InvalidNetworkAclID.NotFound")


def test_default_acl_cannot_be_deleted(ec2, vpc_id):
    dflt = default_acl(ec2, vpc_id)["NetworkAclId"]
    # DeleteNetworkAcl (API reference): "You can't delete the default network ACL."
    # AWS-UNCONFIRMED: the code; only the refusal is asserted.
    expect_client_error(ec2.delete_network_acl, NetworkAclId=dflt)
    describe_acl(ec2, dflt)


def test_associated_acl_cannot_be_deleted(ec2, vpc_id, subnet, acl):
    _, assoc = acl_of_subnet(ec2, subnet)
    new_assoc = ec2.replace_network_acl_association(AssociationId=assoc, NetworkAclId=acl)["NewAssociationId"]
    # DeleteNetworkAcl: "You can't delete the ACL if it's associated with any subnets."
    # [OBS] DependencyViolation (terraform-provider-aws retries the delete on that code after
    # moving the subnets to the default ACL).
    expect_error(ec2.delete_network_acl, NetworkAclId=acl, code="DependencyViolation")
    ec2.replace_network_acl_association(AssociationId=new_assoc, NetworkAclId=default_acl(ec2, vpc_id)["NetworkAclId"])
    ec2.delete_network_acl(NetworkAclId=acl)


def test_delete_network_acl_errors(ec2, ec2_raw, acl):
    expect_error(ec2.delete_network_acl, NetworkAclId=MISSING_ACL_ID, code="InvalidNetworkAclID.NotFound")
    expect_error(ec2.delete_network_acl, NetworkAclId="acl-xyz", code="InvalidNetworkAclId.Malformed")
    expect_error(ec2_raw.delete_network_acl, code="MissingParameter")
    expect_dry_run(ec2.delete_network_acl, NetworkAclId=acl)
    describe_acl(ec2, acl)


def test_vpc_with_a_custom_acl_cannot_be_deleted(ec2, vpc_id, acl):
    # DeleteVpc: every resource associated with the VPC (except its defaults) must go first.
    expect_error(ec2.delete_vpc, VpcId=vpc_id, code="DependencyViolation")
    ec2.delete_network_acl(NetworkAclId=acl)
    ec2.delete_vpc(VpcId=vpc_id)


# --------------------------------------------------------------------------- DescribeNetworkAcls


def test_describe_by_id(ec2, vpc_id, acl):
    dflt = default_acl(ec2, vpc_id)["NetworkAclId"]
    got = ec2.describe_network_acls(NetworkAclIds=[acl, dflt])["NetworkAcls"]
    assert sorted(a["NetworkAclId"] for a in got) == sorted([acl, dflt])
    resp = expect_error(ec2.describe_network_acls, NetworkAclIds=[MISSING_ACL_ID], code="InvalidNetworkAclID.NotFound")
    assert MISSING_ACL_ID in resp["Error"]["Message"]
    expect_error(ec2.describe_network_acls, NetworkAclIds=[acl, MISSING_ACL_ID], code="InvalidNetworkAclID.NotFound")
    for bad in ("acl-", "acl-XYZ", "rtb-0123456789abcdef0"):
        expect_error(ec2.describe_network_acls, NetworkAclIds=[bad], code="InvalidNetworkAclId.Malformed")
    # Default VPC's default ACL + this VPC's default + acl.
    assert len(ec2.describe_network_acls()["NetworkAcls"]) == 3


def test_describe_filters(ec2, vpc_id, subnet):
    dflt = default_acl(ec2, vpc_id)["NetworkAclId"]
    web = ec2.create_network_acl(VpcId=vpc_id, TagSpecifications=tag_spec("network-acl", Tier="web"))[
        "NetworkAcl"]["NetworkAclId"]
    db = ec2.create_network_acl(VpcId=vpc_id, TagSpecifications=tag_spec("network-acl", Tier="db"))[
        "NetworkAcl"]["NetworkAclId"]
    add_entry(ec2, web, 100, protocol="tcp", cidr="0.0.0.0/0", PortRange={"From": 443, "To": 443})
    add_entry(ec2, web, 110, protocol="udp", egress=True, action="deny", cidr="192.0.2.0/24",
              PortRange={"From": 53, "To": 53})
    add_entry(ec2, db, 200, protocol="icmp", cidr="10.0.0.0/16", IcmpTypeCode={"Type": 0, "Code": 0})
    _, assoc = acl_of_subnet(ec2, subnet)
    new_assoc = ec2.replace_network_acl_association(AssociationId=assoc, NetworkAclId=web)["NewAssociationId"]

    def ids(*filters):
        flt = list(filters) + [f("vpc-id", vpc_id)]
        return sorted(a["NetworkAclId"] for a in ec2.describe_network_acls(Filters=flt)["NetworkAcls"])

    mine = sorted([dflt, web, db])
    assert ids() == mine
    assert ids(f("network-acl-id", web, db)) == sorted([web, db])
    assert ids(f("default", "true")) == [dflt]
    assert ids(f("default", "false")) == sorted([web, db])
    assert ids(f("association.subnet-id", subnet)) == [web]
    assert ids(f("association.association-id", new_assoc)) == [web]
    assert ids(f("association.network-acl-id", web)) == [web]
    assert ids(f("entry.rule-number", "100")) == sorted([dflt, web])
    assert ids(f("entry.rule-number", "200")) == [db]
    assert ids(f("entry.rule-number", "32767")) == mine
    assert ids(f("entry.cidr", "192.0.2.0/24")) == [web]
    assert ids(f("entry.cidr", "10.0.0.0/16")) == [db]
    assert ids(f("entry.cidr", "0.0.0.0/0")) == mine
    # entry.protocol is matched against the stored number.
    assert ids(f("entry.protocol", "6")) == [web]
    assert ids(f("entry.protocol", "17")) == [web]
    assert ids(f("entry.protocol", "1")) == [db]
    assert ids(f("entry.protocol", "-1")) == mine
    assert ids(f("entry.rule-action", "deny")) == mine
    assert ids(f("entry.rule-action", "allow")) == sorted([dflt, web, db])
    assert ids(f("entry.egress", "true"), f("entry.rule-action", "deny")) == mine
    assert ids(f("entry.rule-number", "110"), f("entry.egress", "true")) == [web]
    assert ids(f("owner-id", UNKNOWN_KEY_ACCOUNT)) == mine
    assert ids(f("owner-id", "111111111111")) == []
    assert ids(f("tag:Tier", "web")) == [web]
    assert ids(f("tag:Tier", "w*")) == [web]
    assert ids(f("tag-key", "Tier")) == sorted([web, db])
    # Filters across VPCs: vpc-id alone.
    dvpc = default_vpc(ec2)["VpcId"]
    assert len(ec2.describe_network_acls(Filters=[f("vpc-id", dvpc)])["NetworkAcls"]) == 1
    assert len(ec2.describe_network_acls(Filters=[f("vpc-id", dvpc, vpc_id)])["NetworkAcls"]) == 4


def test_describe_unknown_filter(ec2):
    expect_error(ec2.describe_network_acls, Filters=[f("entry.colour", "red")], code="InvalidParameterValue")


def test_describe_dry_run(ec2):
    expect_dry_run(ec2.describe_network_acls)


def test_network_acls_are_per_account(make_client, ec2, acl, is_external):
    if is_external:
        pytest.skip("account mapping of an external server is unknown")
    alpha = make_client(access_key=ALPHA_KEY)
    expect_error(alpha.describe_network_acls, NetworkAclIds=[acl], code="InvalidNetworkAclID.NotFound")
    expect_error(alpha.delete_network_acl, NetworkAclId=acl, code="InvalidNetworkAclID.NotFound")
    expect_error(add_entry, alpha, acl, 100, code="InvalidNetworkAclID.NotFound")
    assert acl not in {a["NetworkAclId"] for a in alpha.describe_network_acls()["NetworkAcls"]}

"""Route 53 private hosted zones through the real `aws` CLI (docs/aws-semantics.md §6, §10.2): a zone created
with --vpc, a change batch read from a JSON file, list-resource-record-sets (whole and paged by
the CLI's own paginator), associations, the cross-account authorization flow, and errors.

The CLI signs with the suite's region (ap-northeast-1) against --endpoint-url, as a user with
AWS_DEFAULT_REGION=ap-northeast-1 would; the boto3 tests sign for us-east-1."""

from __future__ import annotations

import json

from helpers import ALPHA_ACCOUNT, ALPHA_KEY, BRAVO_KEY
from route53_helpers import CHANGE_ID_RE, MISSING_ZONE_ID, PHZ_NS_VALUES, PHZ_SOA_VALUE, ZONE_ID_RE, bare, caller_ref

R = "ap-northeast-1"
CLI_ERROR_EXIT = (254, 255)  # awscli v2 uses 254 for service errors, v1 uses 255


def assert_cli_error(res, code: str) -> None:
    assert res.returncode in CLI_ERROR_EXIT, (res.returncode, res.stdout, res.stderr)
    assert f"({code})" in res.stderr, res.stderr


def create_vpc(cli, cidr: str, **kw) -> str:
    return cli("ec2", "create-vpc", "--cidr-block", cidr, **kw).json["Vpc"]["VpcId"]


def vpc_arg(vpc_id: str) -> str:
    return f"VPCRegion={R},VPCId={vpc_id}"


def rr(action: str, name: str, rtype: str, ttl: int, *values: str) -> dict:
    return {"Action": action, "ResourceRecordSet": {"Name": name, "Type": rtype, "TTL": ttl,
                                                    "ResourceRecords": [{"Value": v} for v in values]}}


def rows(sets: list[dict]) -> list[tuple]:
    return [(s["Name"], s["Type"], s.get("TTL"), [r["Value"] for r in s.get("ResourceRecords", [])]) for s in sets]


def test_cli_private_zone_records_and_associations(cli, tmp_path):
    vpc, vpc2 = create_vpc(cli, "10.0.0.0/16"), create_vpc(cli, "10.1.0.0/16")
    out = cli("route53", "create-hosted-zone", "--name", "corp.internal", "--caller-reference", caller_ref(),
              "--vpc", vpc_arg(vpc), "--hosted-zone-config", "Comment=cli zone,PrivateZone=true").json
    hz = out["HostedZone"]
    assert ZONE_ID_RE.match(hz["Id"]), hz
    zid = bare(hz["Id"])
    assert (hz["Name"], hz["Config"], hz["ResourceRecordSetCount"]) == \
        ("corp.internal.", {"Comment": "cli zone", "PrivateZone": True}, 2)
    assert out["VPC"] == {"VPCRegion": R, "VPCId": vpc}
    assert out["Location"].endswith(f"/2013-04-01/hostedzone/{zid}")
    assert "DelegationSet" not in out

    # A change batch from a file, then the CLI's waiter on the change.
    batch = {"Comment": "from a file", "Changes": [
        rr("CREATE", "db.corp.internal", "A", 60, "10.0.1.10", "10.0.2.10"),
        rr("CREATE", "app.corp.internal", "CNAME", 300, "db.corp.internal."),
        rr("CREATE", "corp.internal", "TXT", 300, '"owner=platform"'),
        rr("CREATE", "*.corp.internal", "A", 60, "10.0.3.10"),
    ]}
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(batch))
    info = cli("route53", "change-resource-record-sets", "--hosted-zone-id", zid,
               "--change-batch", f"file://{path}").json["ChangeInfo"]
    assert CHANGE_ID_RE.match(info["Id"]) and info["Status"] in ("PENDING", "INSYNC"), info
    cli("route53", "wait", "resource-record-sets-changed", "--id", info["Id"], timeout=150)
    assert cli("route53", "get-change", "--id", info["Id"]).json["ChangeInfo"]["Status"] == "INSYNC"

    expected = [
        ("corp.internal.", "NS", 172800, PHZ_NS_VALUES),
        ("corp.internal.", "SOA", 900, [PHZ_SOA_VALUE]),
        ("corp.internal.", "TXT", 300, ['"owner=platform"']),
        ("\\052.corp.internal.", "A", 60, ["10.0.3.10"]),
        ("app.corp.internal.", "CNAME", 300, ["db.corp.internal."]),
        ("db.corp.internal.", "A", 60, ["10.0.1.10", "10.0.2.10"]),
    ]
    listed = cli("route53", "list-resource-record-sets", "--hosted-zone-id", zid).json["ResourceRecordSets"]
    assert rows(listed) == expected
    # --page-size 1: the CLI follows NextRecordName/NextRecordType one record at a time.
    paged = cli("route53", "list-resource-record-sets", "--hosted-zone-id", zid, "--page-size", "1").json
    assert rows(paged["ResourceRecordSets"]) == expected
    names = cli("route53", "list-resource-record-sets", "--hosted-zone-id", zid,
                "--query", "ResourceRecordSets[?Type=='A'].Name").json
    assert names == ["\\052.corp.internal.", "db.corp.internal."]
    assert cli("route53", "get-hosted-zone", "--id", zid).json["HostedZone"]["ResourceRecordSetCount"] == 6

    # A second VPC, then the first one leaves.
    assoc = cli("route53", "associate-vpc-with-hosted-zone", "--hosted-zone-id", zid, "--vpc", vpc_arg(vpc2),
                "--comment", "second vpc").json
    assert CHANGE_ID_RE.match(assoc["ChangeInfo"]["Id"])
    got = cli("route53", "get-hosted-zone", "--id", zid).json
    assert sorted(v["VPCId"] for v in got["VPCs"]) == sorted([vpc, vpc2])
    by_vpc = cli("route53", "list-hosted-zones-by-vpc", "--vpc-id", vpc2, "--vpc-region", R).json
    assert [(bare(s["HostedZoneId"]), s["Name"]) for s in by_vpc["HostedZoneSummaries"]] == [(zid, "corp.internal.")]
    cli("route53", "disassociate-vpc-from-hosted-zone", "--hosted-zone-id", zid, "--vpc", vpc_arg(vpc))
    assert cli("route53", "get-hosted-zone", "--id", zid).json["VPCs"] == [{"VPCRegion": R, "VPCId": vpc2}]
    assert cli("route53", "list-hosted-zones-by-vpc", "--vpc-id", vpc, "--vpc-region", R).json[
        "HostedZoneSummaries"] == []

    # Tear down: delete the records as listed (the wildcard by its escaped name), then the zone.
    deletes = [{"Action": "DELETE", "ResourceRecordSet": s} for s in listed if s["Type"] not in ("NS", "SOA")]
    path.write_text(json.dumps({"Changes": deletes}))
    cli("route53", "change-resource-record-sets", "--hosted-zone-id", zid, "--change-batch", f"file://{path}")
    cli("route53", "delete-hosted-zone", "--id", zid)
    assert cli("route53", "list-hosted-zones").json["HostedZones"] == []


def test_cli_errors(cli, tmp_path):
    vpc = create_vpc(cli, "10.0.0.0/16")
    assert_cli_error(cli("route53", "get-hosted-zone", "--id", MISSING_ZONE_ID, check=False), "NoSuchHostedZone")
    ref = caller_ref()
    zid = bare(cli("route53", "create-hosted-zone", "--name", "corp.internal", "--caller-reference", ref,
                   "--vpc", vpc_arg(vpc)).json["HostedZone"]["Id"])
    assert_cli_error(cli("route53", "create-hosted-zone", "--name", "corp.internal", "--caller-reference", ref,
                         "--vpc", vpc_arg(vpc), check=False), "HostedZoneAlreadyExists")
    assert_cli_error(cli("route53", "create-hosted-zone", "--name", "other.internal", "--caller-reference",
                         caller_ref(), "--vpc", vpc_arg("vpc-0123456789abcdef0"), check=False), "InvalidVPCId")

    path = tmp_path / "batch.json"
    path.write_text(json.dumps({"Changes": [rr("CREATE", "db.corp.internal", "A", 60, "10.0.1.10")]}))
    cli("route53", "change-resource-record-sets", "--hosted-zone-id", zid, "--change-batch", f"file://{path}")
    res = cli("route53", "change-resource-record-sets", "--hosted-zone-id", zid, "--change-batch", f"file://{path}",
              check=False)
    assert_cli_error(res, "InvalidChangeBatch")
    assert "Tried to create resource record set [name='db.corp.internal.', type='A'] but it already exists" \
        in res.stderr, res.stderr
    assert_cli_error(cli("route53", "delete-hosted-zone", "--id", zid, check=False), "HostedZoneNotEmpty")
    assert_cli_error(cli("route53", "disassociate-vpc-from-hosted-zone", "--hosted-zone-id", zid,
                         "--vpc", vpc_arg(vpc), check=False), "LastVPCAssociation")


def test_cli_cross_account_association(cli):
    hub_vpc = create_vpc(cli, "10.10.0.0/16", access_key=ALPHA_KEY)
    member_vpc = create_vpc(cli, "10.20.0.0/16", access_key=BRAVO_KEY)
    zid = bare(cli("route53", "create-hosted-zone", "--name", "shared.internal", "--caller-reference", caller_ref(),
                   "--vpc", vpc_arg(hub_vpc), access_key=ALPHA_KEY).json["HostedZone"]["Id"])

    associate = ("route53", "associate-vpc-with-hosted-zone", "--hosted-zone-id", zid, "--vpc", vpc_arg(member_vpc))
    assert_cli_error(cli(*associate, access_key=BRAVO_KEY, check=False), "NotAuthorizedException")

    auth = cli("route53", "create-vpc-association-authorization", "--hosted-zone-id", zid,
               "--vpc", vpc_arg(member_vpc), access_key=ALPHA_KEY).json
    assert bare(auth["HostedZoneId"]) == zid and auth["VPC"] == {"VPCRegion": R, "VPCId": member_vpc}
    listed = cli("route53", "list-vpc-association-authorizations", "--hosted-zone-id", zid, access_key=ALPHA_KEY).json
    assert listed["VPCs"] == [{"VPCRegion": R, "VPCId": member_vpc}]

    assert CHANGE_ID_RE.match(cli(*associate, access_key=BRAVO_KEY).json["ChangeInfo"]["Id"])
    summaries = cli("route53", "list-hosted-zones-by-vpc", "--vpc-id", member_vpc, "--vpc-region", R,
                    access_key=BRAVO_KEY).json["HostedZoneSummaries"]
    assert [(bare(s["HostedZoneId"]), s["Name"], s["Owner"]) for s in summaries] == \
        [(zid, "shared.internal.", {"OwningAccount": ALPHA_ACCOUNT})]

    cli("route53", "delete-vpc-association-authorization", "--hosted-zone-id", zid, "--vpc", vpc_arg(member_vpc),
        access_key=ALPHA_KEY)
    got = cli("route53", "get-hosted-zone", "--id", zid, access_key=ALPHA_KEY).json
    assert sorted(v["VPCId"] for v in got["VPCs"]) == sorted([hub_vpc, member_vpc])
    assert_cli_error(cli("route53", "delete-vpc-association-authorization", "--hosted-zone-id", zid,
                         "--vpc", vpc_arg(member_vpc), access_key=ALPHA_KEY, check=False),
                     "VPCAssociationAuthorizationNotFound")

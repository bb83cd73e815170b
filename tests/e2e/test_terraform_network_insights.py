"""Terraform leg for Reachability Analyzer: tests/e2e/terraform/network_insights/ (the provider's
acceptance "basic" case: aws_ec2_network_insights_path between two aws_network_interface in one
subnet with the VPC's default security group, tcp without a port, and an
aws_ec2_network_insights_analysis of it with wait_for_completion = true).

Same plumbing as test_terraform.py (its `tf` fixture and inventories are imported from there):
an ephemeral server, init -> apply -> `terraform output -json` and boto3 checks (path found,
status succeeded) -> plan -detailed-exitcode (must be 0) -> destroy -> nothing of the
configuration left (no path, no analysis, the account back to its defaults).
"""

from __future__ import annotations

import pytest

import tfhelpers as tfh
from helpers import DEFAULT_SECRET_KEY, new_ec2_client, tags_of
from test_terraform import (  # noqa: F401  (tf is a fixture)
    NET_ACCOUNT,
    NET_KEY,
    REGION,
    apply_or_known_gap,
    assert_back_to_baseline,
    assert_only_defaults,
    inventory,
    one,
    plan_changes,
    tf,
)
from tfhelpers import TerraformError

pytestmark = [pytest.mark.spawns, pytest.mark.slow]

TAGS = {"Project": "localvpc-e2e", "Config": "network_insights"}


def insights_inventory(ec2) -> dict:
    return {
        "paths": sorted(p["NetworkInsightsPathId"]
                        for p in ec2.describe_network_insights_paths()["NetworkInsightsPaths"]),
        "analyses": sorted(a["NetworkInsightsAnalysisId"]
                           for a in ec2.describe_network_insights_analyses()["NetworkInsightsAnalyses"]),
    }


EMPTY = {"paths": [], "analyses": []}


def test_network_insights_config_lifecycle(spawn_server, tf):  # noqa: F811
    tfh.require_terraform()
    srv = spawn_server(ephemeral=True, accounts={NET_KEY: NET_ACCOUNT})
    ec2 = new_ec2_client(srv.url, access_key=NET_KEY, region=REGION)
    baseline = inventory(ec2)
    assert_only_defaults(baseline, "fresh account")
    assert insights_inventory(ec2) == EMPTY

    run = tf("network_insights", {"endpoint": srv.url, "access_key": NET_KEY,
                                  "secret_key": DEFAULT_SECRET_KEY, "region": REGION})
    run.init()
    gap = apply_or_known_gap(run, {})
    plan = None
    if gap is None:
        check_network_insights(ec2, run.outputs())
        plan = run.run("plan", "-detailed-exitcode", "-input=false")
    run.destroy()

    assert insights_inventory(ec2) == EMPTY
    assert ec2.describe_network_insights_paths()["NetworkInsightsPaths"] == []
    assert_back_to_baseline(ec2, baseline, "network_insights")
    assert_only_defaults(inventory(ec2), "after destroy")

    if gap is not None:
        raise gap
    if plan.returncode != 0:
        raise TerraformError("`terraform plan -detailed-exitcode` after apply was not empty "
                             f"(exit {plan.returncode}; would change {plan_changes(plan.output)})\n"
                             + run.failure_report(plan, n=120))


def check_network_insights(ec2, out: dict) -> None:
    # What Terraform read back from the analysis it waited for.
    assert out["path_found"] is True, out
    assert out["status"] == "succeeded", out
    assert out["explanation_count"] == 0, out

    src, dst, vpc_id = out["source_eni_id"], out["destination_eni_id"], out["vpc_id"]
    [default_sg] = [g["GroupId"] for g in ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}])[
        "SecurityGroups"]]
    # ENI -> default group (egress) -> default group (ingress) -> ENI; one subnet: no ACL, no table.
    forward = [c.split(":", 1) for c in out["forward_component_ids"]]
    assert [cid for _, cid in sorted(forward, key=lambda x: int(x[0]))] == [src, default_sg, default_sg, dst], out

    path = one(ec2.describe_network_insights_paths(NetworkInsightsPathIds=[out["path_id"]])["NetworkInsightsPaths"],
               "path")
    assert (path["Source"], path["Destination"], path["Protocol"]) == (src, dst, "tcp")
    assert "DestinationPort" not in path
    assert path["NetworkInsightsPathArn"] == out["path_arn"]
    assert path["SourceArn"] == out["path_source_arn"] == \
        f"arn:aws:ec2:{REGION}:{NET_ACCOUNT}:network-interface/{src}"
    assert tags_of(path) == {**TAGS, "Name": "tf-nia-path"}

    analysis = one(ec2.describe_network_insights_analyses(
        NetworkInsightsPathId=out["path_id"])["NetworkInsightsAnalyses"], "analysis")
    assert analysis["NetworkInsightsAnalysisId"] == out["analysis_id"]
    assert analysis["NetworkInsightsAnalysisArn"] == out["analysis_arn"]
    assert (analysis["Status"], analysis["NetworkPathFound"], analysis["Explanations"]) == ("succeeded", True, [])
    assert tags_of(analysis) == {**TAGS, "Name": "tf-nia-analysis"}

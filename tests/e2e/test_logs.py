"""Amazon CloudWatch Logs (JSON 1.1, `Logs_20140328`, signing name `logs`): log groups and
streams, PutLogEvents with its batch rules, GetLogEvents and its tokens, FilterLogEvents with
term and space-delimited filter patterns over flow-log-shaped lines, describe paging,
retention, tags, errors (codes and 400), the real `aws logs` CLI, and durability across
kill -9."""

from __future__ import annotations

import json
import signal
import time

import pytest

import helpers
from botocore.config import Config
from helpers import DEFAULT_ACCESS_KEY, DEFAULT_REGION, DEFAULT_SECRET_KEY, expect_error, http_call, signed_request
from resolver_helpers import check_resolver_response_json

R = DEFAULT_REGION
ACCOUNT = "000000000000"
FIELDS = ("version, account, eni, source, destination, srcport, destport, protocol, packets, bytes, "
          "windowstart, windowend")
REJECT_PATTERN = f"[{FIELDS}, action=\"REJECT\", flowlogstatus]"


def new_logs_client(endpoint_url: str, *, access_key: str = DEFAULT_ACCESS_KEY, region: str = R,
                    parameter_validation: bool = True):
    """A `logs` client whose responses are checked against the botocore model (the JSON
    guard the Resolver's tests use)."""
    cfg = Config(region_name=region, retries={"total_max_attempts": 1, "mode": "standard"},
                 parameter_validation=parameter_validation, connect_timeout=5, read_timeout=30,
                 proxies={})
    with helpers._SESSION_LOCK:
        client = helpers._shared_session().client(
            "logs", endpoint_url=endpoint_url, region_name=region, config=cfg,
            aws_access_key_id=access_key, aws_secret_access_key=DEFAULT_SECRET_KEY,
        )

    def after_call(http_response, parsed, model, **_):
        body = http_response.content or b""
        problems = check_resolver_response_json(model, http_response.status_code, body)
        if problems:
            helpers._record(problems)
            raise helpers.WireFidelityError(
                "wire-fidelity guard: response to %s does not match the botocore model:\n  %s\n%s"
                % (model.name, "\n  ".join(problems), body[:2000].decode("utf-8", "replace")))

    client.meta.events.register("after-call.logs", after_call, unique_id="localvpc-logs-wire-guard")
    return client


@pytest.fixture
def logs(endpoint):
    return new_logs_client(endpoint)


def now_ms() -> int:
    return int(time.time() * 1000)


def flow(eni: str, src: str, dport: int, action: str, t: int) -> str:
    """A default-format VPC flow log record (version 2)."""
    return (f"2 {ACCOUNT} {eni} {src} 10.0.1.5 49152 {dport} 6 10 840 "
            f"{t // 1000 - 60} {t // 1000} {action} OK")


def put_flows(logs, group: str, stream: str, base: int) -> list[str]:
    lines = [flow(stream, "10.0.2.7", 22, "REJECT", base),
             flow(stream, "10.0.2.8", 443, "ACCEPT", base),
             flow(stream, "198.51.100.9", 3389, "REJECT", base)]
    events = [{"timestamp": base + i, "message": m} for i, m in enumerate(lines)]
    r = logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
    assert "rejectedLogEventsInfo" not in r
    assert len(r["nextSequenceToken"]) == 56
    return lines


def test_groups_streams_events_retention_tags(logs):
    group = "/aws/vpc/flow-logs"
    logs.create_log_group(logGroupName=group, tags={"team": "net"})
    expect_error(logs.create_log_group, logGroupName=group, code="ResourceAlreadyExistsException")
    logs.put_retention_policy(logGroupName=group, retentionInDays=14)
    expect_error(logs.put_retention_policy, logGroupName=group, retentionInDays=2,
                 code="InvalidParameterException")
    g = logs.describe_log_groups(logGroupNamePrefix="/aws/vpc/")["logGroups"]
    assert [x["logGroupName"] for x in g] == [group]
    arn = f"arn:aws:logs:{R}:{ACCOUNT}:log-group:{group}"
    assert g[0]["arn"] == arn + ":*" and g[0]["logGroupArn"] == arn
    assert g[0]["retentionInDays"] == 14 and g[0]["logGroupClass"] == "STANDARD"
    assert g[0]["storedBytes"] == 0 and g[0]["metricFilterCount"] == 0

    base = now_ms() - 60_000
    for eni in ("eni-0aaa", "eni-0bbb"):
        logs.create_log_stream(logGroupName=group, logStreamName=eni)
    expect_error(logs.create_log_stream, logGroupName=group, logStreamName="eni-0aaa",
                 code="ResourceAlreadyExistsException")
    a = put_flows(logs, group, "eni-0aaa", base)
    b = put_flows(logs, group, "eni-0bbb", base + 10)

    got = logs.get_log_events(logGroupName=group, logStreamName="eni-0aaa", startFromHead=True)
    assert [e["message"] for e in got["events"]] == a
    assert got["nextForwardToken"].startswith("f/") and got["nextBackwardToken"].startswith("b/")
    again = logs.get_log_events(logGroupName=group, logStreamName="eni-0aaa", nextToken=got["nextForwardToken"])
    assert again["events"] == [] and again["nextForwardToken"] == got["nextForwardToken"]

    streams = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime", descending=True)["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["eni-0bbb", "eni-0aaa"]
    assert streams[1]["firstEventTimestamp"] == base and streams[1]["lastEventTimestamp"] == base + 2
    assert streams[1]["arn"] == f"{arn}:log-stream:eni-0aaa"

    # Interleaved by time across streams; patterns as users type them against flow logs.
    all_events = logs.filter_log_events(logGroupName=group)["events"]
    assert [e["message"] for e in all_events] == a + b
    rejected = logs.filter_log_events(logGroupName=group, filterPattern=REJECT_PATTERN)["events"]
    assert [(e["logStreamName"], e["message"]) for e in rejected] == [
        ("eni-0aaa", a[0]), ("eni-0aaa", a[2]), ("eni-0bbb", b[0]), ("eni-0bbb", b[2])]
    assert len({e["eventId"] for e in rejected}) == 4
    ssh = logs.filter_log_events(logGroupIdentifier=arn, logStreamNames=["eni-0bbb"],
                                 filterPattern=f"[{FIELDS.replace('destport', 'destport=22')}, action, status]")
    assert [e["message"] for e in ssh["events"]] == [b[0]]
    terms = logs.filter_log_events(logGroupName=group, filterPattern="?3389 ?443",
                                   startTime=base + 10, endTime=base + 13)["events"]
    assert [e["message"] for e in terms] == b[1:]
    expect_error(logs.filter_log_events, logGroupName=group, filterPattern="[version, account",
                 code="InvalidParameterException")

    # Old, too-new and out-of-order events.
    r = logs.put_log_events(logGroupName=group, logStreamName="eni-0aaa", logEvents=[
        {"timestamp": now_ms(), "message": "now"}, {"timestamp": now_ms() + 3 * 3_600_000, "message": "later"}])
    assert r["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 1}
    expect_error(logs.put_log_events, logGroupName=group, logStreamName="eni-0aaa", logEvents=[
        {"timestamp": base + 5, "message": "b"}, {"timestamp": base, "message": "a"}],
        code="InvalidParameterException")
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["storedBytes"] > 0

    # Tags, by ARN and by name.
    logs.tag_resource(resourceArn=arn, tags={"env": "dev"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "dev", "team": "net"}
    logs.untag_resource(resourceArn=arn, tagKeys=["team"])
    logs.tag_log_group(logGroupName=group, tags={"x": "1"})
    logs.untag_log_group(logGroupName=group, tags=["env"])
    assert logs.list_tags_log_group(logGroupName=group)["tags"] == {"x": "1"}

    # Deletion, and the errors that follow.
    logs.delete_log_stream(logGroupName=group, logStreamName="eni-0bbb")
    expect_error(logs.get_log_events, logGroupName=group, logStreamName="eni-0bbb",
                 code="ResourceNotFoundException")
    logs.delete_retention_policy(logGroupName=group)
    assert "retentionInDays" not in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    logs.delete_log_group(logGroupName=group)
    err = expect_error(logs.delete_log_group, logGroupName=group, code="ResourceNotFoundException")
    assert err["Error"]["Message"] == "The specified log group does not exist."
    expect_error(logs.put_log_events, logGroupName=group, logStreamName="eni-0aaa",
                 logEvents=[{"timestamp": now_ms(), "message": "x"}], code="ResourceNotFoundException")


def test_describe_paginates_and_validates(endpoint, logs):
    for i in range(7):
        logs.create_log_group(logGroupName=f"page/{i}")
    first = logs.describe_log_groups(logGroupNamePrefix="page/", limit=3)
    assert [g["logGroupName"] for g in first["logGroups"]] == ["page/0", "page/1", "page/2"]
    names = [g["logGroupName"] for p in logs.get_paginator("describe_log_groups").paginate(
        logGroupNamePrefix="page/", PaginationConfig={"PageSize": 2}) for g in p["logGroups"]]
    assert names == [f"page/{i}" for i in range(7)]
    pattern = logs.describe_log_groups(logGroupNamePattern="age/6")["logGroups"]
    assert [g["logGroupName"] for g in pattern] == ["page/6"] and "storedBytes" not in pattern[0]
    for i in range(5):
        logs.create_log_stream(logGroupName="page/0", logStreamName=f"s{i}")
    names = [s["logStreamName"] for p in logs.get_paginator("describe_log_streams").paginate(
        logGroupName="page/0", descending=True, PaginationConfig={"PageSize": 2}) for s in p["logStreams"]]
    assert names == ["s4", "s3", "s2", "s1", "s0"]

    raw_logs = new_logs_client(endpoint, parameter_validation=False)
    for call, kw in [(raw_logs.create_log_group, {"logGroupName": "bad name"}),
                     (raw_logs.create_log_stream, {"logGroupName": "page/0", "logStreamName": "a:b"}),
                     (raw_logs.describe_log_groups, {"limit": 51}),
                     (raw_logs.describe_log_streams, {"logGroupName": "page/0", "orderBy": "LastEventTime",
                                                      "logStreamNamePrefix": "s"})]:
        err = expect_error(call, code="InvalidParameterException", **kw)
        assert err["Error"]["Message"], err
    expect_error(raw_logs.describe_log_streams, logGroupName="missing", code="ResourceNotFoundException")
    # Another account sees none of it.
    other = new_logs_client(endpoint, access_key=helpers.ALPHA_KEY)
    assert other.describe_log_groups(logGroupNamePrefix="page/")["logGroups"] == []


def test_wire_errors_and_health(endpoint):
    def raw(target: str, body: bytes):
        return signed_request(endpoint, body=body, service="logs",
                              headers={"Content-Type": "application/x-amz-json-1.1",
                                       "X-Amz-Target": f"Logs_20140328.{target}"})

    for target, body, code in [
        ("DescribeLogGroups", b"{not json", "SerializationException"),
        ("DescribeLogGroups", b'{"limit": "ten"}', "SerializationException"),
        ("CreateLogGroup", b"{}", "InvalidParameterException"),
        ("CreateExportTask", b"{}", "UnknownOperationException"),
    ]:
        resp = raw(target, body)
        assert resp.status == 400, (target, resp.status, resp.text)
        doc = json.loads(resp.body)
        assert doc["__type"] == code and doc["Message"], (target, doc)
        assert resp.headers["content-type"] == "application/x-amz-json-1.1"
    ok = raw("DescribeLogGroups", b"")
    assert ok.status == 200 and "logGroups" in json.loads(ok.body)
    status, body = http_call(endpoint + "/_localvpc/health")
    assert status == 200 and json.loads(body)["services"]["logs"] == "running"


def test_cli(logs, cli):
    group = "cli-flows"
    base = now_ms() - 30_000
    cli("logs", "create-log-group", "--log-group-name", group)
    cli("logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", "eni-0ccc")
    events = [{"timestamp": base + i, "message": flow("eni-0ccc", "10.0.2.7", p, act, base)}
              for i, (p, act) in enumerate([(22, "REJECT"), (80, "ACCEPT"), (25, "REJECT")])]
    cli("logs", "put-log-events", "--log-group-name", group, "--log-stream-name", "eni-0ccc",
        "--log-events", json.dumps(events))
    got = cli("logs", "get-log-events", "--log-group-name", group, "--log-stream-name", "eni-0ccc").json
    assert [e["message"] for e in got["events"]] == [e["message"] for e in events]
    found = cli("logs", "filter-log-events", "--log-group-name", group, "--filter-pattern",
                f"[{FIELDS}, action=\"REJECT\", flowlogstatus]").json
    assert [e["message"] for e in found["events"]] == [events[0]["message"], events[2]["message"]]
    bad = cli("logs", "describe-log-streams", "--log-group-name", "nope", check=False)
    assert bad.returncode != 0 and "ResourceNotFoundException" in bad.stderr


def test_events_survive_kill_9(spawn_server):
    srv = spawn_server()
    logs = new_logs_client(srv.url)
    logs.create_log_group(logGroupName="durable", tags={"keep": "yes"})
    logs.put_retention_policy(logGroupName="durable", retentionInDays=30)
    logs.create_log_stream(logGroupName="durable", logStreamName="s")
    base = now_ms() - 10_000
    logs.put_log_events(logGroupName="durable", logStreamName="s",
                        logEvents=[{"timestamp": base + i, "message": f"m{i}"} for i in range(600)])

    def state(c):
        return (c.describe_log_groups()["logGroups"],
                c.describe_log_streams(logGroupName="durable")["logStreams"],
                c.get_log_events(logGroupName="durable", logStreamName="s", startFromHead=True)["events"],
                c.list_tags_log_group(logGroupName="durable")["tags"])

    before = state(logs)
    assert len(before[2]) == 600  # stored in three chunks
    assert srv.terminate(signal.SIGKILL) != 0
    srv.start()
    logs = new_logs_client(srv.url)
    assert state(logs) == before
    # Writes go on after the restart, in order.
    logs.put_log_events(logGroupName="durable", logStreamName="s",
                        logEvents=[{"timestamp": base + 1000, "message": "after"}])
    tail = logs.get_log_events(logGroupName="durable", logStreamName="s", limit=1)["events"]
    assert [e["message"] for e in tail] == ["after"]

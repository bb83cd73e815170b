"""Route 53 Resolver (service `route53resolver`, JSON 1.1 protocol 2018-04-01) plumbing for the
e2e suite: a `route53resolver` boto3 client with a wire-fidelity guard.

The guard is the JSON counterpart of helpers.install_wire_guard: a success body must be a JSON
object whose members are members of the operation's botocore output shape (recursively: lists,
structures, enum values, integers, strings); an error body must be `{"__type", "Message"}` plus
only the members the error shape declares. Problems are recorded in helpers.WIRE_VIOLATIONS so
the autouse wire_guard_check fixture fails the test even if it swallowed the exception.
"""

from __future__ import annotations

import json

import helpers
from botocore.config import Config
from helpers import DEFAULT_ACCESS_KEY, DEFAULT_REGION, DEFAULT_SECRET_KEY

_ERROR_MEMBERS = {"__type", "Message", "message", "FieldName", "ResourceType"}


def _walk(value, shape, path: str, problems: list[str]) -> None:
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected an object, got {type(value).__name__}")
            return
        for k, v in value.items():
            if k not in shape.members:
                problems.append(f"{path}: unknown member {k!r}")
            else:
                _walk(v, shape.members[k], f"{path}.{k}", problems)
    elif t == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: expected a list")
            return
        for n, item in enumerate(value):
            _walk(item, shape.member, f"{path}[{n}]", problems)
    elif t == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: expected a string, got {value!r}")
        elif shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} is not in the enum {shape.enum}")
    elif t in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path}: expected an integer, got {value!r}")
    elif t == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: expected a boolean, got {value!r}")


def check_resolver_response_json(operation_model, status: int, body: bytes) -> list[str]:
    op = operation_model.name
    try:
        doc = json.loads(body or b"null")
    except ValueError as exc:
        return [f"{op}: body is not JSON ({exc}): {body[:200]!r}"]
    problems: list[str] = []
    if status >= 300:
        if not isinstance(doc, dict) or not doc.get("__type") or "Message" not in doc:
            return [f"{op}: error body must be an object with __type and Message, got {doc!r}"]
        extra = set(doc) - _ERROR_MEMBERS
        if extra:
            problems.append(f"{op}: unknown members in the error body: {sorted(extra)}")
        return problems
    if not isinstance(doc, dict):
        return [f"{op}: success body is not an object: {doc!r}"]
    shape = operation_model.output_shape
    if shape is None:
        if doc:
            problems.append(f"{op}: operation has no output but the body is {doc!r}")
        return problems
    _walk(doc, shape, op, problems)
    return problems


def install_resolver_wire_guard(client) -> None:
    def after_call(http_response, parsed, model, **_):
        body = http_response.content or b""
        problems = check_resolver_response_json(model, http_response.status_code, body)
        if problems:
            helpers._record(problems)
            raise helpers.WireFidelityError(
                "wire-fidelity guard: response to %s does not match the botocore model:\n  %s\n--- body ---\n%s"
                % (model.name, "\n  ".join(problems), body[:4000].decode("utf-8", "replace"))
            )

    client.meta.events.register("after-call.route53resolver", after_call,
                                unique_id="localvpc-resolver-wire-guard")


def new_resolver_client(endpoint_url: str, *, access_key: str = DEFAULT_ACCESS_KEY,
                        secret_key: str = DEFAULT_SECRET_KEY, region: str = DEFAULT_REGION,
                        parameter_validation: bool = True, guard: bool = True):
    cfg = Config(region_name=region, retries={"total_max_attempts": 1, "mode": "standard"},
                 parameter_validation=parameter_validation, connect_timeout=5, read_timeout=30,
                 proxies={})
    with helpers._SESSION_LOCK:
        client = helpers._shared_session().client(
            "route53resolver", endpoint_url=endpoint_url, region_name=region, config=cfg,
            aws_access_key_id=access_key, aws_secret_access_key=secret_key,
        )
    if guard:
        install_resolver_wire_guard(client)
    return client

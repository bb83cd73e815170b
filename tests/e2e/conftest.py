"""Fixtures for the localvpc end-to-end suite.

Environment:
  LOCALVPC_BIN         path to the binary (default: <repo>/target/debug/localvpc;
                       relative paths are taken from the repo root).
  LOCALVPC_ENDPOINT    test an already-running server instead of spawning one
                       (tests that need their own process are skipped).
  LOCALVPC_RESET_PATH  reset route used between tests (default /_localvpc/reset;
                       set /moto-api/reset when pointing at moto_server).
  LOCALVPC_WIRE_LAX_NAMESPACE=1  let the wire guard accept the namespace without its
                       trailing slash (moto); real EC2 sends ".../2016-11-15/".
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import helpers
from helpers import (
    SHARED_ACCOUNTS,
    AwsCli,
    ExternalServer,
    LocalVpcServer,
    ServerStartError,
    find_aws_cli,
    new_ec2_client,
    reset_server,
    resolve_binary,
    take_wire_violations,
)

EXTERNAL = os.environ.get("LOCALVPC_ENDPOINT", "").rstrip("/") or None

_EMPTY_DIR = Path(tempfile.mkdtemp(prefix="localvpc-e2e-awsconfig-"))
EMPTY_AWS_CONFIG = _EMPTY_DIR / "empty"
EMPTY_AWS_CONFIG.write_text("")
atexit.register(shutil.rmtree, _EMPTY_DIR, True)


def pytest_configure(config):
    # Registered here too, so a run without xdist (`-p no:xdist`) still accepts the group
    # markers pytest_collection_modifyitems adds under --strict-markers.
    config.addinivalue_line("markers", "xdist_group(name): the tests of a group share one xdist worker")
    # Never let the host's AWS configuration (profiles, endpoints, retry settings,
    # credentials) influence boto3 in this process.
    for key in list(os.environ):
        if key.startswith("AWS_"):
            del os.environ[key]
    os.environ["AWS_CONFIG_FILE"] = str(EMPTY_AWS_CONFIG)
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(EMPTY_AWS_CONFIG)
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    no_proxy = ",".join(x for x in (os.environ.get("NO_PROXY", ""), "127.0.0.1,localhost") if x)
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = no_proxy
    # pytest-xdist registers its marker itself; without it (-p no:xdist) the marker the
    # collection hook below adds must still be known.
    config.addinivalue_line("markers", "xdist_group(name): run the group's tests on one worker")


# How the suite is spread over workers (scripts/test runs pytest-xdist with --dist
# loadgroup): every file is one group, so its tests share its one module server, except
# test_examples.py, whose tests each start a fresh server and are spread one by one (the
# file alone takes longer than the rest of the suite). The slowest come first, so none starts
# last and keeps one worker busy while the others sit idle: the examples' Terraform forms,
# the Terraform files, the other examples, then the rest in collection order.
SPREAD_PER_TEST = "test_examples.py"


def _rank(item) -> int:
    name = item.path.name
    if name == SPREAD_PER_TEST:
        return 0 if "terraform" in item.name else 2
    return 1 if name.startswith("test_terraform") else 3


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(session, config, items):
    items.sort(key=_rank)  # stable: each group keeps its collection order
    for item in items:
        if item.path.name != SPREAD_PER_TEST:
            item.add_marker(pytest.mark.xdist_group(item.path.name))


# ---------------------------------------------------------------------------
# Server processes
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def is_external() -> bool:
    return EXTERNAL is not None


@pytest.fixture
def spawn_server(tmp_path_factory, request):
    """Factory for dedicated server processes; every process is stopped at teardown.

    spawn_server(data_dir=None|Path, ephemeral=False, accounts={}, no_default_vpc=False)
    With data_dir=None and ephemeral=False a fresh temp data dir is used.
    """
    if EXTERNAL:
        pytest.skip("needs its own localvpc process; LOCALVPC_ENDPOINT targets an external server")
    binary = resolve_binary()
    if not binary.exists():
        pytest.fail(f"localvpc binary not found at {binary} (set LOCALVPC_BIN or build first)", pytrace=False)
    started: list[LocalVpcServer] = []
    workdir = tmp_path_factory.mktemp("spawned")

    def factory(*, data_dir: Path | None = None, ephemeral: bool = False, accounts=None,
                no_default_vpc: bool = False, extra_args=(), env=None, cwd=None,
                start: bool = True) -> LocalVpcServer:
        if data_dir is None and not ephemeral:
            data_dir = tmp_path_factory.mktemp("data")
        srv = LocalVpcServer(binary=binary, workdir=workdir, data_dir=data_dir, ephemeral=ephemeral,
                             accounts=dict(accounts or {}), no_default_vpc=no_default_vpc,
                             extra_args=tuple(extra_args), env=env, cwd=cwd)
        started.append(srv)
        if start:
            try:
                srv.start()
            except ServerStartError as exc:
                pytest.fail(str(exc), pytrace=False)
        return srv

    yield factory
    failed = request.node.rep_call.failed if hasattr(request.node, "rep_call") else False
    for srv in started:
        if srv.alive():
            try:
                srv.terminate(timeout=10)
            except AssertionError:
                srv.kill()
        if failed:
            print(f"\n--- localvpc stderr ({srv.stderr_path}) ---\n{srv.stderr_tail()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory, request):
    """One server per test module (persistent data dir, the shared account map)."""
    if EXTERNAL:
        yield ExternalServer(EXTERNAL)
        return
    binary = resolve_binary()
    if not binary.exists():
        pytest.fail(
            f"localvpc binary not found at {binary}. Build it first (cargo build) or set LOCALVPC_BIN; "
            "set LOCALVPC_ENDPOINT to test an already-running server.",
            pytrace=False,
        )
    srv = LocalVpcServer(
        binary=binary,
        workdir=tmp_path_factory.mktemp("shared-server"),
        data_dir=tmp_path_factory.mktemp("shared-data"),
        accounts=SHARED_ACCOUNTS,
    )
    try:
        srv.start()
    except ServerStartError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield srv
    if srv.alive():
        code = srv.terminate(timeout=15)
        if code != 0:
            print(f"\nshared localvpc exited with {code}\n{srv.stderr_tail()}")


@pytest.fixture
def endpoint(server) -> str:
    """URL of a freshly reset server."""
    if not server.alive():
        pytest.fail(f"shared localvpc died earlier in this module\n{server.stderr_tail()}", pytrace=False)
    reset_server(server.url)
    return server.url


# ---------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------


@pytest.fixture
def make_client(endpoint):
    """make_client(access_key=..., region=..., parameter_validation=True, endpoint_url=None)"""

    def factory(access_key: str = helpers.DEFAULT_ACCESS_KEY, region: str = helpers.DEFAULT_REGION,
                parameter_validation: bool = True, endpoint_url: str | None = None, **kw):
        return new_ec2_client(endpoint_url or endpoint, access_key=access_key, region=region,
                              parameter_validation=parameter_validation, **kw)

    return factory


@pytest.fixture
def ec2(make_client):
    """ap-northeast-1, unknown access key (account 000000000000)."""
    return make_client()


@pytest.fixture
def ec2_raw(make_client):
    """Like ec2 but without botocore's client-side parameter validation, so the
    server's own validation (MissingParameter, MaxResults bounds...) is exercised."""
    return make_client(parameter_validation=False)


# ---------------------------------------------------------------------------
# Resources many modules start from (a module may define its own of the same name)
# ---------------------------------------------------------------------------


@pytest.fixture
def vpc_id(ec2) -> str:
    return ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


@pytest.fixture
def subnet(ec2, vpc_id) -> str:
    """10.0.1.0/24 in ap-northeast-1a."""
    return ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24",
                             AvailabilityZone="ap-northeast-1a")["Subnet"]["SubnetId"]


@pytest.fixture
def subnet_a(subnet) -> str:
    """The same first subnet, under the name the two-AZ modules use."""
    return subnet


@pytest.fixture
def subnet_c(ec2, vpc_id) -> str:
    """10.0.2.0/24 in ap-northeast-1c."""
    return ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24",
                             AvailabilityZone="ap-northeast-1c")["Subnet"]["SubnetId"]


@pytest.fixture
def igw(ec2, vpc_id) -> str:
    """An internet gateway attached to vpc_id."""
    gw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gw, VpcId=vpc_id)
    return gw


@pytest.fixture
def sg(ec2, vpc_id) -> str:
    return ec2.create_security_group(GroupName="web", Description="web tier", VpcId=vpc_id)["GroupId"]


@pytest.fixture
def rtb(ec2, vpc_id) -> str:
    return ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]


@pytest.fixture
def ami(ec2) -> str:
    """An Amazon Linux 2023 x86_64 image of the catalog."""
    imgs = ec2.describe_images(Owners=["amazon"], Filters=[
        {"Name": "name", "Values": ["al2023-ami-*"]},
        {"Name": "architecture", "Values": ["x86_64"]}])["Images"]
    assert imgs
    return imgs[0]["ImageId"]


@pytest.fixture(scope="session", autouse=True)
def aws_forkserver(tmp_path_factory):
    """One `aws` fork server per worker (aws_forkserver.py): every `aws` call of the tests
    and example scripts runs the real CLI in a process forked from one that has already
    imported it, about a fifth of the CPU of a fresh start. E2E_AWS_FORKSERVER=0 turns it off."""
    real = helpers.find_real_aws_cli()
    if os.environ.get("E2E_AWS_FORKSERVER", "1") == "0" or not real:
        yield None
        return
    directory = tmp_path_factory.mktemp("aws-forkserver")
    sock = str(directory / "s")
    proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("aws_forkserver.py")), sock],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ready = proc.stdout.readline().strip() if proc.stdout else ""
    if ready != "ready":
        proc.kill()
        print(f"aws fork server did not start ({ready!r}); using the plain aws CLI")
        yield None
        return
    import aws_forkserver

    shim = aws_forkserver.write_shim(directory, sock, real)
    os.environ["LOCALVPC_E2E_AWS_SHIM"] = str(shim)
    yield shim
    os.environ.pop("LOCALVPC_E2E_AWS_SHIM", None)
    proc.kill()
    proc.wait(10)


@pytest.fixture(scope="session")
def aws_cli_path(aws_forkserver) -> str:
    path = find_aws_cli()
    if not path:
        pytest.fail("the `aws` CLI is not installed (pip install -r tests/e2e/requirements.txt)", pytrace=False)
    return path


@pytest.fixture
def cli(endpoint, aws_cli_path) -> AwsCli:
    return AwsCli(endpoint, EMPTY_AWS_CONFIG, aws_cli_path)


# ---------------------------------------------------------------------------
# Wire-fidelity guard bookkeeping
# ---------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    setattr(item, "rep_" + rep.when, rep)
    return rep


@pytest.fixture(autouse=True)
def wire_guard_check(request):
    """Fail a test whose clients saw a response the botocore model does not describe,
    even if the test swallowed the exception the guard raised (e.g. in a thread)."""
    take_wire_violations()
    yield
    problems = take_wire_violations()
    rep = getattr(request.node, "rep_call", None)
    if problems and not (rep is not None and rep.failed):
        uniq = list(dict.fromkeys(problems))
        pytest.fail("wire-fidelity guard found problems:\n  " + "\n  ".join(uniq[:50]), pytrace=False)

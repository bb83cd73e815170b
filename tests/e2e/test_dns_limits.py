"""DNS listeners and the open-file limit: each VPC view holds two sockets (UDP and TCP).

`localvpc serve` raises its soft RLIMIT_NOFILE to the hard limit at start, so a low soft
limit (1,024 is common) does not cap the views that get a listener; when the hard limit
itself runs out, health says so (`dns: degraded`, `dns_views_without_listener`) instead of
claiming `running`. The limits are set on the server process only, with util-linux's
`prlimit` (the test process keeps its own).
"""

from __future__ import annotations

import json
import shutil

import pytest

from helpers import LocalVpcServer, ServerStartError, http_call, new_ec2_client, resolve_binary

pytestmark = [pytest.mark.spawns]


class LimitedServer(LocalVpcServer):
    """A server started under `prlimit --nofile=SOFT:HARD` (prlimit execs it: same pid)."""

    nofile: str = ""

    def argv(self) -> list[str]:
        return ["prlimit", f"--nofile={self.nofile}", "--"] + super().argv()


@pytest.fixture
def limited(tmp_path, is_external):
    if is_external:
        pytest.skip("needs its own localvpc process")
    if not shutil.which("prlimit"):
        pytest.skip("prlimit (util-linux) is not installed")
    started: list[LimitedServer] = []

    def start(nofile: str) -> LimitedServer:
        srv = LimitedServer(binary=resolve_binary(), workdir=tmp_path / f"srv{len(started)}",
                            ephemeral=True, no_default_vpc=True,
                            extra_args=("--dns-listen", "127.53.0.0/16", "--dns-port", "0"))
        srv.nofile = nofile
        started.append(srv)
        try:
            srv.start()
        except ServerStartError as exc:
            pytest.fail(str(exc), pytrace=False)
        return srv

    yield start
    for srv in started:
        if srv.alive():
            srv.terminate(timeout=10)


def make_vpcs(url: str, n: int) -> None:
    ec2 = new_ec2_client(url)
    for i in range(n):
        ec2.create_vpc(CidrBlock=f"10.{i // 256}.{i % 256}.0/24")


def health(url: str) -> dict:
    status, body = http_call(url + "/_localvpc/health")
    assert status == 200
    return json.loads(body)


def vpc_listeners(url: str) -> list[dict]:
    status, body = http_call(url + "/_localvpc/dns/listeners")
    assert status == 200
    return [entry for entry in json.loads(body) if entry.get("vpc_id")]


def test_a_low_soft_limit_is_raised_so_every_view_listens(limited):
    # 150 VPC views need 300 sockets, beyond a soft limit of 256.
    srv = limited("256:")
    make_vpcs(srv.url, 150)
    assert len(vpc_listeners(srv.url)) == 150
    h = health(srv.url)
    assert h["services"]["dns"] == "running"
    assert h["dns_views_without_listener"] == 0


def test_health_reports_views_without_a_listener(limited):
    # A hard limit of 96 leaves room for only a few dozen views.
    srv = limited("96:96")
    make_vpcs(srv.url, 60)
    listening = len(vpc_listeners(srv.url))
    assert listening < 60
    h = health(srv.url)
    assert h["services"]["dns"] == "degraded"
    assert h["dns_views_without_listener"] == 60 - listening
    # The API still works.
    assert len(new_ec2_client(srv.url).describe_vpcs()["Vpcs"]) == 60

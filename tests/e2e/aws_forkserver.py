"""A fork server for the `aws` CLI, so the suite does not pay its start-up on every call.

The aws CLI (v1) spends about 0.5 s of CPU importing botocore and awscli before it sends a
request; the suite makes well over a thousand calls, on two cores. This server imports
`awscli.clidriver` once and forks a child per call; the child takes the caller's stdin,
stdout and stderr (passed over a Unix socket), argv, environment and working directory, and
runs the CLI's own entry point (`awscli.clidriver.main`, what the `aws` script runs) in a
fresh process. The CLI's code runs as shipped; the one thing the server changes is botocore's
JSON data-file loader, which it memoises by path (the files never change during a run) so a
child does not parse the service models again.

`aws` (the shim written next to the socket) is what tests and example scripts find on
PATH: a few lines of stdlib-only Python (`python -SE`: no site import) that connect, pass
their file descriptors, and exit with the child's status. Without a server (socket gone)
it execs the real `aws`.
"""

from __future__ import annotations

import array
import json
import os
import signal
import socket
import struct
import sys
import threading
from pathlib import Path

SHIM = r'''#!{python} -SE
import array, json, os, socket, struct, sys
SOCKET = {socket!r}
REAL = {real!r}
try:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(SOCKET)
except OSError:
    os.execv(REAL, [REAL] + sys.argv[1:])
msg = json.dumps({{"argv": sys.argv[1:], "env": dict(os.environ), "cwd": os.getcwd()}}).encode()
s.sendmsg([struct.pack("!I", len(msg))], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [0, 1, 2]))])
s.sendall(msg)
rc = b""
while len(rc) < 4:
    chunk = s.recv(4 - len(rc))
    if not chunk:
        sys.exit(255)
    rc += chunk
sys.exit(struct.unpack("!i", rc)[0])
'''


def _recv_exact(conn: socket.socket, n: int) -> bytes:
    out = b""
    while len(out) < n:
        chunk = conn.recv(n - len(out))
        if not chunk:
            raise ConnectionError("the shim went away")
        out += chunk
    return out


def _start(conn: socket.socket) -> int:
    """Reads one call and forks its child (on the main thread only: a fork while another
    thread holds a lock would leave that lock held forever in the child)."""
    fds = array.array("i")
    head, ancdata, _, _ = conn.recvmsg(4, socket.CMSG_LEN(3 * fds.itemsize))
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    try:
        (size,) = struct.unpack("!I", head)
        request = json.loads(_recv_exact(conn, size))
        pid = os.fork()
        if pid == 0:
            _child(request, list(fds))
        return pid
    finally:
        for fd in fds:
            os.close(fd)


def _finish(conn: socket.socket, pid: int) -> None:
    """Waits for the child and answers its exit status; kills it if the shim goes away (a
    test's timeout killed it)."""
    with conn:
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                try:
                    if conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                        os.kill(pid, signal.SIGKILL)
                        return
                except BlockingIOError:
                    pass
                except OSError:
                    return
                done.wait(0.2)

        threading.Thread(target=watch, daemon=True).start()
        _, status = os.waitpid(pid, 0)
        done.set()
        rc = os.waitstatus_to_exitcode(status)
        try:
            conn.sendall(struct.pack("!i", rc if rc >= 0 else 128 - rc))
        except OSError:
            pass


def _child(request: dict, fds: list[int]) -> None:
    rc = 255
    try:
        for target, fd in enumerate(fds[:3]):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ.update(_IMPORT_ENV)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        sys.stdin = open(0, "r", closefd=False)
        sys.stdout = open(1, "w", closefd=False)
        sys.stderr = open(2, "w", closefd=False)
        sys.argv = ["aws"] + request["argv"]
        from awscli.clidriver import main

        rc = main()
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:  # noqa: BLE001 — report it like the CLI would, then exit
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001
                pass
        os._exit(rc if isinstance(rc, int) else 1)


# Services the suite calls: their models (and botocore's endpoint, retry and CLI data) are
# parsed once here, so each child does not parse megabytes of JSON again.
_WARM_SERVICES = ("ec2", "route53", "route53resolver", "elbv2", "sts")


def _share_parsed_json() -> None:
    """Remembers each JSON data file botocore parses, by path, and parses the suite's
    services now. The files never change during a run, and a child's changes to the parsed
    objects stay in the child (its memory is a copy), so every call still starts from what
    a fresh `aws` would have read."""
    from botocore import loaders
    from botocore.session import Session

    parsed: dict[str, object] = {}
    original = loaders.JSONFileLoader.load_file

    def load_file(self, file_path):
        if file_path not in parsed:
            parsed[file_path] = original(self, file_path)
        return parsed[file_path]

    loaders.JSONFileLoader.load_file = load_file
    session = Session()
    for data in ("endpoints", "partitions", "sdk-default-configuration", "_retry", "cli"):
        try:
            session.get_data(data)
        except Exception:  # noqa: BLE001 — a file this botocore does not have
            pass
    loader = session.get_component("data_loader")
    for service in _WARM_SERVICES:
        for kind in ("service-2", "paginators-1", "waiters-2", "endpoint-rule-set-1"):
            try:
                loader.load_service_model(service, kind)
            except Exception:  # noqa: BLE001
                pass



# What importing awscli adds to the environment (its data path): a child re-applies it over
# the caller's environment, as the import would have in a fresh process.
_IMPORT_ENV: dict[str, str] = {}


def serve(sock_path: str) -> None:
    before = dict(os.environ)
    import awscli.clidriver  # noqa: F401 — the point: imported once, shared by every fork
    import awscli.handlers  # noqa: F401 — the customizations every call loads as plugins

    _IMPORT_ENV.update({k: v for k, v in os.environ.items() if before.get(k) != v})
    _share_parsed_json()

    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(sock_path)
    server.listen(64)
    print("ready", flush=True)
    # Nobody reads the pipe after this line: never block on it.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    while True:
        conn, _ = server.accept()
        try:
            pid = _start(conn)
        except (OSError, ValueError, ConnectionError):
            conn.close()
            continue
        threading.Thread(target=_finish, args=(conn, pid), daemon=True).start()


def write_shim(directory: Path, sock_path: str, real_aws: str) -> Path:
    shim = directory / "aws"
    shim.write_text(SHIM.format(python=sys.executable, socket=sock_path, real=real_aws))
    shim.chmod(0o755)
    return shim


if __name__ == "__main__":
    serve(sys.argv[1])

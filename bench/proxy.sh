#!/usr/bin/env bash
# Data-plane benchmark (bench/proxy_bench.py says how), every figure against a peer measured in
# the same run over loopback: bulk TCP through `localvpc exec` + PrivateLink (HTTP forwarding,
# CONNECT tunnel, SOCKS5) vs direct; HTTPS through the intercepting proxy vs haproxy ending TLS
# in front of the same API; memory per session and per idle tunnel, connections/s; API and DNS
# p99 while tunnels are saturated.
#
#   bench/proxy.sh                                   # 512 MiB per transfer, median of 5
#   SIZE_MIB=128 RUNS=3 DURATION_SECS=5 bench/proxy.sh
#   PHASES=bulk bench/proxy.sh                       # bulk,https,sessions,contention
#
# Needs curl, openssl and python3 with boto3 (the test suite's .venv has it); installs haproxy
# (Debian package) when run as root without it, and skips its comparisons if it cannot.
# Builds localvpc and the load generator in release mode first. Every step is bounded by
# `timeout`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v curl >/dev/null || { echo "SKIP bench/proxy.sh: curl is missing"; exit 0; }
PYTHON="${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)}"
echo "== building localvpc and the load generator (release)" >&2
timeout 1800 cargo build --release --quiet -p localvpc-cli -p localvpc-bench
timeout 1500 "$PYTHON" bench/proxy_bench.py

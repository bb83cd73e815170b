#!/usr/bin/env bash
# Data-plane benchmark: bulk TCP through `localvpc exec` and PrivateLink vs the same transfer
# direct, in one run, over loopback (bench/proxy_bench.py says how).
#
#   bench/proxy.sh                  # 512 MiB per transfer, median of 5
#   SIZE_MIB=128 RUNS=3 bench/proxy.sh
#
# Needs curl and python3 with boto3 (the test suite's .venv has it). Builds localvpc in release
# mode first. Every step is bounded by `timeout`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v curl >/dev/null || { echo "SKIP bench/proxy.sh: curl is missing"; exit 0; }
PYTHON="${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)}"
echo "== building localvpc (release)" >&2
timeout 1200 cargo build --release --quiet -p localvpc-cli
timeout 900 "$PYTHON" bench/proxy_bench.py

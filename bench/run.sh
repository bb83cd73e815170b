#!/usr/bin/env bash
# Benchmarks localvpc against moto_server in one run, over loopback HTTP only.
#
#   bench/run.sh                      # 8 workers, 10 s per server
#   CONCURRENCY=16 DURATION_SECS=5 bench/run.sh
#   BENCH_SKIP_LOCALVPC=1 bench/run.sh   # moto alone
#
# Builds localvpc and the load generator (release), makes bench/.venv with
# moto[server]==5.2.1 if it is not there yet, then for each server in turn: spawn it on
# a free 127.0.0.1 port, time spawn -> first DescribeVpcs 200 (1 ms polling), seed it
# (20 VPCs x 3 subnets, 2 security groups each where supported), read its RSS, run the
# fixed mix at a fixed concurrency for a fixed time, stop it. Prints the side-by-side
# table and writes bench/results/latest.json. Every step is bounded by `timeout`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

CONCURRENCY="${CONCURRENCY:-8}"
DURATION_SECS="${DURATION_SECS:-10}"
MOTO_VERSION="5.2.1"
VENV="bench/.venv"
RESULTS="bench/results"
PYTHON="${PYTHON:-python3}"

mkdir -p "$RESULTS"

echo "== building the load generator (release)" >&2
timeout 1200 cargo build --release --quiet -p localvpc-bench

localvpc_args=()
if [[ -z "${BENCH_SKIP_LOCALVPC:-}" ]]; then
    echo "== building localvpc (release)" >&2
    if timeout 1200 cargo build --release --quiet -p localvpc-cli; then
        localvpc_args=(--localvpc "target/release/localvpc serve --ephemeral --listen 127.0.0.1:{port}")
    else
        echo "!! localvpc does not build; measuring moto alone" >&2
    fi
fi

if ! "$VENV/bin/python" -c "import moto, moto.server, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    echo "== creating $VENV with moto[server]==$MOTO_VERSION" >&2
    rm -rf "$VENV"
    timeout 120 "$PYTHON" -m venv "$VENV"
    timeout 600 "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

label="$(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD 2>/dev/null || echo no-commit)"

# Two servers x (cold start <= 60 s + seed + DURATION_SECS + drain) stays well inside this.
timeout $((240 + 2 * DURATION_SECS)) target/release/localvpc-bench compare \
    "${localvpc_args[@]}" \
    --moto "$VENV/bin/moto_server -H 127.0.0.1 -p {port}" \
    --concurrency "$CONCURRENCY" \
    --duration-secs "$DURATION_SECS" \
    --out "$RESULTS/latest.json" \
    --log-dir "$RESULTS" \
    --label "$label"

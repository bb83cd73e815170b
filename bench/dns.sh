#!/usr/bin/env bash
# DNS benchmark: dnsperf against localvpc's VPC view and against Unbound serving the same
# records as local data, in the same run, over loopback only.
#
#   bench/dns.sh                          # 1,000 records, 10 s per run, 5,000 q/s fixed rate
#   DURATION_SECS=5 RECORDS=5000 bench/dns.sh
#
# Needs dnsperf and unbound (Debian packages: installed with apt-get when missing and
# possible; otherwise prints a SKIP line and exits 0) and python3 with boto3. Builds localvpc
# in release mode, then runs bench/dns_bench.py, which prints the side-by-side table and
# writes bench/results/dns-latest.json. Every step is bounded by `timeout`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION_SECS="${DURATION_SECS:-10}"
RATE="${RATE:-5000}"
RECORDS="${RECORDS:-1000}"
WRITE_RATE="${WRITE_RATE:-100}"
UNBOUND_THREADS="${UNBOUND_THREADS:-2}"
PYTHON="${PYTHON:-python3}"

skip() {
    echo "SKIP bench/dns.sh: $*"
    exit 0
}

if ! command -v dnsperf >/dev/null || ! command -v unbound >/dev/null; then
    echo "== installing dnsperf and unbound (apt-get)" >&2
    SUDO=""
    if [[ "$(id -u)" != 0 ]]; then
        command -v sudo >/dev/null && sudo -n true 2>/dev/null && SUDO="sudo -n" ||
            skip "dnsperf/unbound are missing and this user cannot install packages (apt-get install dnsperf unbound)"
    fi
    command -v apt-get >/dev/null || skip "dnsperf/unbound are missing and there is no apt-get"
    { timeout 300 $SUDO apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive timeout 600 $SUDO apt-get install -y -qq dnsperf unbound; } >&2 ||
        skip "apt-get could not install dnsperf and unbound"
    command -v dnsperf >/dev/null && command -v unbound >/dev/null || skip "dnsperf/unbound still missing"
fi
"$PYTHON" -c "import boto3" 2>/dev/null || skip "python3 has no boto3 (pip install boto3)"

echo "== building localvpc (release)" >&2
timeout 1200 cargo build --release --quiet -p localvpc-cli

label="$(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD 2>/dev/null || echo no-commit)"

# 7 runs of DURATION_SECS plus seeding and start-up.
timeout $((180 + 10 * DURATION_SECS)) "$PYTHON" bench/dns_bench.py \
    --localvpc target/release/localvpc \
    --duration "$DURATION_SECS" \
    --rate "$RATE" \
    --records "$RECORDS" \
    --write-rate "$WRITE_RATE" \
    --unbound-threads "$UNBOUND_THREADS" \
    --out bench/results/dns-latest.json \
    --label "$label"

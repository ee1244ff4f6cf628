#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# compare.sh: PromQL answers of flint against Prometheus 2.42 on the same data. Generates
# tests/promql/gen_openmetrics.py data, backfills it into Prometheus (promtool tsdb
# create-blocks-from openmetrics) and into flint (flint tsdb import openmetrics), starts
# both on loopback, and runs every query of tests/promql/queries.txt through both HTTP
# APIs (tests/promql/compare.py: instant queries at 5 times, range queries at 3 steps;
# labels exact, values within 1e-9 relative). Ends with "N passed, N failed".
# Env: FLINT (binary), HOURS (data span, default 2).
set -u
cd "$(dirname "$0")/../../.."
FLINT=${FLINT:-build/${VARIANT:-release}/flint/flint}
HOURS=${HOURS:-2}
START=1700000000
for b in promtool prometheus python3 curl; do
    command -v "$b" >/dev/null || { echo "missing $b"; echo "0 passed, 1 failed"; exit 1; }
done
[ -x "$FLINT" ] || { echo "missing $FLINT"; echo "0 passed, 1 failed"; exit 1; }
work=$(mktemp -d /tmp/flint-promql-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; sleep 0.3; rm -rf "$work"; }
trap cleanup EXIT
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_ready() {
    for _ in $(seq 300); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$1/-/ready")" = 200 ] && return 0
        sleep 0.1
    done
    return 1
}
fail_setup() { echo "setup failed: $1"; [ -f "$2" ] && tail -5 "$2"; echo "0 passed, 1 failed"; exit 1; }

python3 tests/promql/gen_openmetrics.py --start $START --hours "$HOURS" >"$work/data.om" ||
    fail_setup "data generation" /dev/null
promtool tsdb create-blocks-from openmetrics "$work/data.om" "$work/prom" >"$work/promtool.log" 2>&1 ||
    fail_setup "promtool import" "$work/promtool.log"
"$FLINT" tsdb import openmetrics "$work/data.om" "$work/flint" >"$work/import.log" 2>&1 ||
    fail_setup "flint tsdb import" "$work/import.log"
printf 'global:\n  scrape_interval: 15s\n' >"$work/cfg.yml"
pp=$(freeport); fp=$(freeport)
prometheus --config.file="$work/cfg.yml" --storage.tsdb.path="$work/prom" \
    --storage.tsdb.retention.time=100y --web.listen-address=127.0.0.1:$pp \
    >"$work/prom.log" 2>&1 & pids+=($!)
"$FLINT" --config.file="$work/cfg.yml" --storage.tsdb.path="$work/flint" \
    --storage.tsdb.retention.time=100y --web.listen-address=127.0.0.1:$fp \
    >"$work/flint.log" 2>&1 & pids+=($!)
wait_ready "http://127.0.0.1:$pp" || fail_setup "prometheus start" "$work/prom.log"
wait_ready "http://127.0.0.1:$fp" || fail_setup "flint start" "$work/flint.log"
end=$(awk -v s=$START -v h="$HOURS" 'BEGIN{printf "%d", s + h*3600 - 15}')
python3 tests/promql/compare.py --ref "http://127.0.0.1:$pp" --test "http://127.0.0.1:$fp" \
    --queries tests/promql/queries.txt --start $START --end "$end"

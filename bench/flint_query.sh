#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# flint_query.sh: query latency of flint against Prometheus 2.42 on the same data: at
# least 10,000 series over 6 hours at a 15 s interval (tests/promql/gen_openmetrics.py
# --scale), backfilled into both (promtool tsdb create-blocks-from openmetrics / flint
# tsdb import openmetrics), then bench/flint_query.py times the dashboard queries of
# issue 5 (median of 7, peak memory per query) and prints flint's ratios. Ends with
# "N passed, N failed". Env: SCALE (instances x4; default 120 -> ~10,500 series), HOURS (6),
# STEP (sample interval in seconds, default 60).
set -u
cd "$(dirname "$0")/.."
FLINT=${FLINT:-build/release/flint/flint}
SCALE=${SCALE:-120}
HOURS=${HOURS:-6}
STEP=${STEP:-60}
START=1700000000
work=$(mktemp -d /tmp/bench-query-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; sleep 0.3; rm -rf "$work"; }
trap cleanup EXIT
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_ready() {
    for _ in $(seq 1200); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$1/-/ready")" = 200 ] && return 0
        sleep 0.1
    done
    return 1
}
die() { echo "bench: $1"; echo "0 passed, 1 failed"; exit 1; }
[ -x "$FLINT" ] || die "missing $FLINT"
echo "generating $HOURS h of data for $((SCALE * 4)) instances..."
python3 tests/promql/gen_openmetrics.py --start $START --hours "$HOURS" --scale "$SCALE" --step "$STEP" \
    >"$work/data.om" || die "generator failed"
t0=$(date +%s)
promtool tsdb create-blocks-from openmetrics "$work/data.om" "$work/prom" >"$work/pi.log" 2>&1 ||
    die "promtool import failed"
t1=$(date +%s)
"$FLINT" tsdb import openmetrics "$work/data.om" "$work/flint" >"$work/fi.log" 2>&1 ||
    die "flint import failed: $(tail -3 "$work/fi.log")"
t2=$(date +%s)
echo "import: promtool $((t1 - t0)) s, flint $((t2 - t1)) s; on disk: prometheus $(du -sh "$work/prom" | cut -f1), flint $(du -sh "$work/flint" | cut -f1)"
rm -f "$work/data.om"
printf 'global:\n  scrape_interval: 15s\n' >"$work/cfg.yml"
pp=$(freeport); fp=$(freeport)
prometheus --config.file="$work/cfg.yml" --storage.tsdb.path="$work/prom" \
    --storage.tsdb.retention.time=100y --web.listen-address=127.0.0.1:$pp \
    >"$work/prom.log" 2>&1 & ppid=$!; pids+=($ppid)
"$FLINT" --config.file="$work/cfg.yml" --storage.tsdb.path="$work/flint" \
    --storage.tsdb.retention.time=100y --web.listen-address=127.0.0.1:$fp \
    >"$work/flint.log" 2>&1 & fpid=$!; pids+=($fpid)
wait_ready "http://127.0.0.1:$pp" || die "prometheus did not start"
wait_ready "http://127.0.0.1:$fp" || die "flint did not start: $(tail -3 "$work/flint.log")"
end=$(awk -v s=$START -v h="$HOURS" -v st="$STEP" 'BEGIN{printf "%d", s + h*3600 - st}')
python3 bench/flint_query.py --end "$end" --hours "$HOURS" \
    --server "prometheus=http://127.0.0.1:$pp=$ppid" --server "flint=http://127.0.0.1:$fp=$fpid" ||
    die "query timing failed"
echo "1 passed, 0 failed"

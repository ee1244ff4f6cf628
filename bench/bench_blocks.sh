#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench_blocks.sh: bytes per sample on disk of flint's blocks against Prometheus's
# (promtool) for the same realistic node_exporter-like dataset
# (tests/integration/flint_tsdb/gen_openmetrics.py: counters and gauges scraped every
# 15 s), as 2 h blocks and as 18 h blocks (--max-block-duration=24h, what compaction
# makes), plus import time. FLINT names the binary; SERIES and HOURS size the dataset.
set -eu
cd "$(dirname "$0")/.."
BIN=${FLINT:-build/${VARIANT:-release}/flint/flint}
SERIES=${SERIES:-1000}
HOURS=${HOURS:-24}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 tests/integration/flint_tsdb/gen_openmetrics.py --series "$SERIES" --hours "$HOURS" \
    > "$work/in.om"
n=$(grep -vc '^#' "$work/in.om")
echo "dataset: $SERIES series, $HOURS h at 15 s: $n samples, $(du -h "$work/in.om" | cut -f1) of OpenMetrics"
printf '%-34s %12s %10s %8s\n' "store" "bytes" "B/sample" "seconds"
run() {  # run NAME DIR CMD...
    local name=$1 dir=$2; shift 2
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s.%N)
    local b
    b=$(du -sb "$dir" | cut -f1)
    printf '%-34s %12d %10.3f %8.2f\n' "$name" "$b" "$(echo "$b / $n" | bc -l)" \
        "$(echo "$t1 - $t0" | bc -l)"
}
run "flint, 2h blocks" "$work/f2" "$BIN" tsdb import openmetrics "$work/in.om" "$work/f2"
run "flint, 18h blocks" "$work/f18" "$BIN" tsdb import openmetrics --max-block-duration=24h \
    "$work/in.om" "$work/f18"
if command -v promtool >/dev/null; then
    run "prometheus (promtool), 2h blocks" "$work/p2" promtool tsdb create-blocks-from \
        openmetrics "$work/in.om" "$work/p2"
    run "prometheus (promtool), 18h blocks" "$work/p18" promtool tsdb create-blocks-from \
        openmetrics --max-block-duration=24h "$work/in.om" "$work/p18"
fi

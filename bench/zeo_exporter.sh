#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# zeo_exporter.sh: scrape latency (wrk, 1 connection: p50/p99) and resident memory of
# zeo_exporter against the ZEO stand-in (tests/tools/fake_zeo): one TCP server with one
# storage and one unix-socket server with two, so each scrape makes two ZEO round trips.
# Targets: p99 < 5 ms, RSS < 2 MiB. There is no upstream (Go or other) ZEO exporter to
# compare with (EXPORTERS.md 8), so only our figures are printed.
# BENCH_SECONDS (default 10) sets the wrk run; BENCH_BUILD (default build/release) the
# build directory; BENCH_RSS_MAP=1 also prints RSS per mapping (rss_by_mapping.sh).
# Needs wrk, curl, python3.
set -u
cd "$(dirname "$0")/.."
OURS=${BENCH_BUILD:-build/release}/zeo_exporter/zeo_exporter
FAKE=${BENCH_BUILD:-build/release}/tests/tools/fake_zeo
SECS=${BENCH_SECONDS:-10}
for b in "$OURS" "$FAKE" wrk curl python3; do
    command -v "$b" >/dev/null || { echo "bench: missing $b (make all unit; make bench installs wrk)"; exit 1; }
done
. tests/lib.sh
t_init bench-zeo; work=$T

ZP=$(t_free_port); EP=$(t_free_port)
"$FAKE" --listen "127.0.0.1:$ZP" --fixture tests/fixtures/zeo_exporter/one.fixture & t_pids+=($!)
"$FAKE" --listen "$work/zeo.sock" --fixture tests/fixtures/zeo_exporter/two.fixture & t_pids+=($!)
sleep 0.3
"$OURS" --web.listen-address="127.0.0.1:$EP" --zeo.address="127.0.0.1:$ZP" \
    --zeo.address="$work/zeo.sock" >"$work/exporter.log" 2>&1 &
EPID=$!; t_pids+=("$EPID")
t_wait_http "http://127.0.0.1:$EP/metrics" 50
series=$(curl -s "http://127.0.0.1:$EP/metrics" | grep -c '^zeo_')
up=$(curl -s "http://127.0.0.1:$EP/metrics" | grep -c '^zeo_up{.*} 1$')
echo "== zeo_exporter ($OURS) against fake_zeo: $up servers up, $series zeo_* series per scrape"
echo "RSS at start: $(t_rss_kb "$EPID") KiB"
wrk -t1 -c1 -d"${SECS}s" --latency "http://127.0.0.1:$EP/metrics" 2>/dev/null |
    awk '/Requests\/sec/{r=$2} / 50%/{p50=$2} / 99%/{p99=$2}
         function ms(v){ if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
         END{printf "wrk 1 conn %ss: %.1f req/s, p50 %.3f ms, p99 %.3f ms (target p99 < 5 ms)\n", "'"$SECS"'", r, ms(p50), ms(p99)}'
kb=$(t_rss_kb "$EPID")
awk -v k="$kb" 'BEGIN{printf "RSS after the run: %d KiB (%.2f MiB; target < 2 MiB)\n", k, k/1024}'
if [ "${BENCH_RSS_MAP:-0}" = 1 ]; then bash bench/rss_by_mapping.sh "$EPID"; fi
echo "no Go original exists for ZEO, so there is no comparison column"

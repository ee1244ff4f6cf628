#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# node_exporter.sh: our node_exporter against the Debian Go build (prometheus-node-exporter),
# side by side in one run on loopback: wrk latency at 1 and 4 connections, CPU seconds per
# 1,000 scrapes (plain and gzip), resident memory after them, and a textfile directory of
# 100,000 series. Prints each figure for both and the ratio Go/ours (or ours/Go for
# latency and memory where lower is better, said on each line).
# BENCH_SECONDS (default 10) sets each wrk run; BENCH_BUILD (default build/release) the build
# directory of ours; BENCH_RSS_MAP=1 also prints our RSS per mapping (rss_by_mapping.sh).
# Needs wrk, curl, prometheus-node-exporter.
set -u
cd "$(dirname "$0")/.."
OURS=${BENCH_BUILD:-build/release}/node_exporter/node_exporter
GO=/usr/bin/prometheus-node-exporter
SECS=${BENCH_SECONDS:-10}
for b in "$OURS" "$GO" wrk curl; do
    command -v "$b" >/dev/null || { echo "bench: missing $b (run make bench, which installs it)"; exit 1; }
done
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 100); do curl -fs "http://127.0.0.1:$1/metrics" >/dev/null && return 0; sleep 0.1; done; return 1; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }
# private memory: pages no other process shares (anonymous + private file pages); for a
# static Go binary this is nearly all of its RSS, for ours it excludes shared libc/gnutls
priv_kb() { awk '/^Private_(Clean|Dirty):/{s+=$2} END{print s}' "/proc/$1/smaps_rollup"; }
hz=$(getconf CLK_TCK)

start() {  # start NAME BIN ARGS...: sets PORT_<NAME> and PID_<NAME>
    local name=$1 bin=$2; shift 2
    local port; port=$(free_port)
    "$bin" --web.listen-address="127.0.0.1:$port" "$@" >"$work/$name.log" 2>&1 &
    local pid=$!
    pids+=("$pid")
    wait_up "$port" || { echo "bench: $name did not start"; cat "$work/$name.log"; exit 1; }
    eval "PORT_$name=$port PID_$name=$pid"
}

wrk_run() {  # wrk_run PORT CONNS -> "req/s p50_ms p99_ms"
    wrk -t"$(( $2 < 2 ? 1 : 2 ))" -c"$2" -d"${SECS}s" --latency "http://127.0.0.1:$1/metrics" 2>/dev/null |
        awk '/Requests\/sec/{r=$2} / 50%/{p50=$2} / 99%/{p99=$2}
             function ms(v){ if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
             END{printf "%.1f %.2f %.2f\n", r, ms(p50), ms(p99)}'
}

scrapes() {  # scrapes PORT N [gzip]
    local h=(); [ "${3:-}" = gzip ] && h=(-H 'Accept-Encoding: gzip')
    for _ in $(seq "$2"); do curl -s "${h[@]}" -o /dev/null "http://127.0.0.1:$1/metrics"; done
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b+0 == 0) print "n/a"; else printf "%.2f", a/b }'; }

echo "== node_exporter: ours ($OURS) vs Go ($($GO --version 2>&1 | head -1))"
start ours "$OURS"
start go "$GO"
series_ours=$(curl -s "http://127.0.0.1:$PORT_ours/metrics" | grep -vc '^#')
series_go=$(curl -s "http://127.0.0.1:$PORT_go/metrics" | grep -vc '^#')
echo "series on the page: ours $series_ours, Go $series_go"

for c in 1 4; do
    read -r r_o p50_o p99_o < <(wrk_run "$PORT_ours" $c)
    read -r r_g p50_g p99_g < <(wrk_run "$PORT_go" $c)
    echo "wrk ${c} conn: ours ${r_o} req/s p50 ${p50_o} ms p99 ${p99_o} ms | Go ${r_g} req/s p50 ${p50_g} ms p99 ${p99_g} ms | p50 ours/Go $(ratio "$p50_o" "$p50_g") (target <= 0.5)"
done

for mode in plain gzip; do
    t0o=$(cpu_ticks "$PID_ours"); scrapes "$PORT_ours" 1000 $mode; t1o=$(cpu_ticks "$PID_ours")
    t0g=$(cpu_ticks "$PID_go"); scrapes "$PORT_go" 1000 $mode; t1g=$(cpu_ticks "$PID_go")
    co=$(awk -v a=$t0o -v b=$t1o -v h=$hz 'BEGIN{printf "%.2f", (b-a)/h}')
    cg=$(awk -v a=$t0g -v b=$t1g -v h=$hz 'BEGIN{printf "%.2f", (b-a)/h}')
    echo "CPU per 1000 scrapes ($mode): ours ${co} s | Go ${cg} s | ours/Go $(ratio "$co" "$cg") (target <= 0.25)"
done
ro=$(rss_kb "$PID_ours"); rg=$(rss_kb "$PID_go")
po=$(priv_kb "$PID_ours"); pg=$(priv_kb "$PID_go")
echo "RSS after the scrapes: ours ${ro} KiB | Go ${rg} KiB | ours/Go $(ratio "$ro" "$rg") (target <= 0.10)"
echo "private memory after the scrapes: ours ${po} KiB | Go ${pg} KiB | ours/Go $(ratio "$po" "$pg")"
[ "${BENCH_RSS_MAP:-0}" = 1 ] && bash bench/rss_by_mapping.sh "$PID_ours"

# textfile directory with 100,000 series
kill "$PID_ours" "$PID_go" 2>/dev/null; wait 2>/dev/null; pids=()
mkdir -p "$work/tf"
awk 'BEGIN{ for (f = 0; f < 10; f++) { fn = sprintf("'"$work"'/tf/batch%d.prom", f);
      printf "# HELP batch_metric_%d A metric from a batch job.\n# TYPE batch_metric_%d gauge\n", f, f > fn;
      for (i = 0; i < 10000; i++) printf "batch_metric_%d{job=\"j%d\",instance=\"host%d\",shard=\"%d\"} %d.5\n", f, i % 50, i, i % 7, i > fn } }'
start ours "$OURS" --collector.disable-defaults --collector.textfile --collector.textfile.directory="$work/tf"
start go "$GO" --collector.disable-defaults --collector.textfile --collector.textfile.directory="$work/tf"
for who in ours go; do
    port_var=PORT_$who; n=$(curl -s "http://127.0.0.1:${!port_var}/metrics" | grep -c '^batch_metric_')
    echo "textfile series served by $who: $n"
done
read -r r_o p50_o p99_o < <(wrk_run "$PORT_ours" 1)
read -r r_g p50_g p99_g < <(wrk_run "$PORT_go" 1)
echo "textfile 100k series, 1 conn: ours ${r_o} req/s p50 ${p50_o} ms | Go ${r_g} req/s p50 ${p50_g} ms | speed ours/Go $(ratio "$r_o" "$r_g")x (target >= 3)"

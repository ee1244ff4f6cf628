#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# small_exporters.sh: supervisord_exporter and uwsgi_exporter each against its real server
# on loopback (supervisord with 10 programs over its unix socket; two uWSGI instances
# with stats on a unix socket and on TCP): wrk -c1 scrape latency p50/p99 and resident
# memory after the run. Targets: p99 < 5 ms, RSS < 2 MiB. No Go builds of these two
# exporters exist in Debian, so there is no side-by-side comparison here.
# BENCH_SECONDS (default 10) sets each wrk run; BENCH_BUILD (default build/release) the build
# directory of ours; BENCH_RSS_MAP=1 also prints our RSS per mapping (rss_by_mapping.sh).
# Needs wrk, curl, supervisor, uwsgi.
set -u
cd "$(dirname "$0")/.."
SV=${BENCH_BUILD:-build/release}/supervisord_exporter/supervisord_exporter
UW=${BENCH_BUILD:-build/release}/uwsgi_exporter/uwsgi_exporter
SECS=${BENCH_SECONDS:-10}
for b in "$SV" "$UW" wrk curl supervisord uwsgi; do
    command -v "$b" >/dev/null || { echo "bench: missing $b"; exit 1; }
done
. tests/lib.sh
t_init bench-small; work=$T
uwpids=(); svpid=
t_on_exit() {
    local p
    for p in "${uwpids[@]}"; do kill -INT "$p" 2>/dev/null; done   # uWSGI: INT = stop
    [ -n "$svpid" ] && kill -TERM "$svpid" 2>/dev/null
    sleep 0.5
    for p in "${uwpids[@]}"; do kill -KILL "$p" 2>/dev/null; done
    [ -n "$svpid" ] && kill -KILL "$svpid" 2>/dev/null
}

# supervisord with 10 sleeping programs
{
    printf '[unix_http_server]\nfile=%s/sv.sock\n[supervisord]\nlogfile=%s/sv.log\n' "$work" "$work"
    printf 'pidfile=%s/sv.pid\nchildlogdir=%s\nnodaemon=true\n' "$work" "$work"
    printf '[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n'
    for i in $(seq 10); do printf '[program:p%d]\ncommand=sleep 100000\n' "$i"; done
} >"$work/sv.conf"
supervisord -c "$work/sv.conf" >/dev/null 2>&1 & svpid=$!; disown $!
t_wait_port "$work/sv.sock" 100
printf 'def application(e, s):\n    s("200 OK", [])\n    return [b"ok"]\n' >"$work/app.py"
tport=$(t_free_port)
for st in "$work/a.stats.sock" "127.0.0.1:$tport"; do
    uwsgi --plugin python3 --http-socket 127.0.0.1:"$(t_free_port)" --wsgi-file "$work/app.py" \
        --master --processes 4 --stats "$st" >/dev/null 2>&1 &
    uwpids+=($!); disown $!
done
sleep 2

run() {  # run NAME BIN ARGS...
    local name=$1 bin=$2; shift 2
    local port; port=$(t_free_port)
    "$bin" --web.listen-address=127.0.0.1:"$port" "$@" >"$work/$name.log" 2>&1 &
    local pid=$!; t_pids+=("$pid"); disown "$pid"
    t_wait_http "http://127.0.0.1:$port/metrics" || { echo "bench: $name did not start"; cat "$work/$name.log"; return; }
    curl -fs "http://127.0.0.1:$port/metrics" -o "$work/$name.prom"
    local series; series=$(grep -vc '^#' "$work/$name.prom")
    local up; up=$(grep -E '^(supervisord|uwsgi)_up' "$work/$name.prom" | awk '{printf "%s ", $NF}')
    wrk -t1 -c1 -d"${SECS}s" --latency "http://127.0.0.1:$port/metrics" >"$work/$name.wrk" 2>&1
    awk -v n="$name" -v s="$series" -v up="$up" -v rss="$(t_rss_kb "$pid")" '
        /Requests\/sec/ {r = $2} / 50%/ {p50 = $2} / 99%/ {p99 = $2}
        END {printf "%-22s series=%-4s up=[%s] req/s=%-8s p50=%-8s p99=%-8s rss=%.2f MiB\n",
             n, s, up, r, p50, p99, rss / 1024}' "$work/$name.wrk"
    if [ "${BENCH_RSS_MAP:-0}" = 1 ]; then bash bench/rss_by_mapping.sh "$pid"; fi
}
echo "wrk -c1 for ${SECS}s per exporter on loopback; targets: p99 < 5 ms, RSS < 2 MiB"
echo "(no Go supervisord_exporter or uwsgi_exporter is packaged in Debian: no comparison)"
run supervisord_exporter "$SV" --supervisord.url="unix://$work/sv.sock"
run uwsgi_exporter "$UW" --stats.uri="unix://$work/a.stats.sock" --stats.uri="tcp://127.0.0.1:$tport"

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# uwsgi.sh: uwsgi_exporter against REAL uWSGI instances (Debian `uwsgi`,
# `uwsgi-plugin-python3`) serving a tiny WSGI app on loopback: one with stats on a unix
# socket, one on TCP, one with --stats-http (the latter found by URI; the unix one also
# by --stats.glob in a second exporter). Sends requests so counters move, checks values,
# labels and promtool, then stops one instance: its uwsgi_up goes 0, the others report.
# Prints "N passed, N failed" last; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/../../.."
BIN=${UWSGI_EXPORTER:-build/${VARIANT:-release}/uwsgi_exporter/uwsgi_exporter}
. tests/lib.sh
t_init uwx-it; work=$T
T_DETAIL=30
uwpids=()
t_on_exit() {   # uWSGI: INT = stop
    local p
    for p in "${uwpids[@]}"; do kill -INT "$p" 2>/dev/null; done
    sleep 0.3
    for p in "${uwpids[@]}"; do pkill -KILL -P "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; done
}
val() { awk -v k="$2" 'index($0, k" ") == 1 {print $NF}' "$1"; }   # val FILE SERIES
command -v uwsgi >/dev/null || { t_bad "uwsgi installed (apt-get install uwsgi uwsgi-plugin-python3)"; t_finish; }
[ -x "$BIN" ] || { t_bad "binary $BIN exists (make all)"; t_finish; }

cat >"$work/app.py" <<'APP'
def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'hello\n']
APP
# uw NAME STATS [EXTRA...]: a uWSGI instance with 2 workers on a fresh HTTP port
uw() {
    local name=$1 stats=$2; shift 2
    local port; port=$(t_free_port)
    uwsgi --plugin python3 --http-socket 127.0.0.1:$port --wsgi-file "$work/app.py" \
        --master --processes 2 --stats "$stats" --memory-report --die-on-term "$@" \
        >"$work/uw-$name.log" 2>&1 &
    uwpids+=($!); disown $!
    eval "port_$name=$port pid_$name=$!"
    t_wait_http "http://127.0.0.1:$port/" && return 0
    t_bad "uWSGI $name starts" "$(tail "$work/uw-$name.log")"; t_finish
}
usock=$work/a.stats.sock
tport=$(t_free_port); hport=$(t_free_port)
uw unix "$usock"
uw tcp "127.0.0.1:$tport"
uw http "127.0.0.1:$hport" --stats-http
t_ok "three uWSGI instances up"
NA=7; NB=11; NC=3
for _ in $(seq $NA); do curl -fs "http://127.0.0.1:$port_unix/" -o /dev/null; done
for _ in $(seq $NB); do curl -fs "http://127.0.0.1:$port_tcp/" -o /dev/null; done
for _ in $(seq $NC); do curl -fs "http://127.0.0.1:$port_http/" -o /dev/null; done

U1="unix://$usock"; U2="tcp://127.0.0.1:$tport"; U3="http://127.0.0.1:$hport"
eport=$(t_free_port)
"$BIN" --web.listen-address=127.0.0.1:$eport --stats.uri="$U1" --stats.uri "$U2" \
    --stats.uri="$U3" --collect.cores --stats.timeout=2s >"$work/exporter.log" 2>&1 &
t_pids+=($!); disown $!
gport=$(t_free_port)
"$BIN" --web.listen-address=127.0.0.1:$gport --stats.glob="$work/*.stats.sock" >"$work/glob.log" 2>&1 &
t_pids+=($!); disown $!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$eport/metrics" -o "$work/m1.prom" && break; sleep 0.05; done
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$gport/metrics" -o "$work/g.prom" && break; sleep 0.05; done

for u in "$U1" "$U2" "$U3"; do
    v=$(val "$work/m1.prom" "uwsgi_up{stats_uri=\"$u\"}")
    [ "$v" = 1 ] && t_ok "uwsgi_up 1 for $u" || t_bad "uwsgi_up for $u is '$v'" "$(grep uwsgi_up "$work/m1.prom"; cat "$work/exporter.log")"
    w=$(val "$work/m1.prom" "uwsgi_workers{stats_uri=\"$u\"}")
    [ "$w" = 2 ] && t_ok "2 workers for $u" || t_bad "workers for $u: '$w'"
done
sumreq() {  # sumreq FILE URI: sum of uwsgi_worker_requests_total for URI
    grep "^uwsgi_worker_requests_total{stats_uri=\"$2\"," "$1" | awk '{s += $NF} END {print s + 0}'
}
for pair in "$U1:$NA" "$U2:$NB" "$U3:$NC"; do
    u=${pair%:*}; n=${pair##*:}
    s=$(sumreq "$work/m1.prom" "$u")
    [ "$s" -ge "$n" ] 2>/dev/null && t_ok "requests counted for $u: $s >= $n" || t_bad "requests for $u: $s < $n"
done
grep -q "^uwsgi_worker_core_requests_total{core_id=\"0\",stats_uri=\"$U1\",worker_id=\"1\"}" "$work/m1.prom" \
    && t_ok "--collect.cores gives per-core series" || t_bad "per-core series"
grep -q "^uwsgi_socket_queue_length{name=\"127.0.0.1:$port_tcp\",proto=\"http\",stats_uri=\"$U2\"}" "$work/m1.prom" \
    && t_ok "socket series labelled name, proto, stats_uri" || t_bad "socket series" "$(grep uwsgi_socket "$work/m1.prom")"
rss=$(val "$work/m1.prom" "uwsgi_worker_rss_bytes{stats_uri=\"$U1\",worker_id=\"1\"}")
awk -v r="$rss" 'BEGIN{exit !(r > 1e6)}' && t_ok "rss bytes reported with --memory-report ($rss)" || t_bad "rss: '$rss'"
[ "$(val "$work/g.prom" "uwsgi_up{stats_uri=\"$U1\"}")" = 1 ] && t_ok "--stats.glob finds the unix socket" \
    || t_bad "glob" "$(grep uwsgi_up "$work/g.prom"; cat "$work/glob.log")"
promtool check metrics <"$work/m1.prom" >"$work/promtool.out" 2>&1; rc=$?
if [ $rc = 0 ] || { [ $rc = 3 ] && ! grep -qv '^uwsgi_cache_\(hits\|misses\|full\) counter metrics should have "_total" suffix$' "$work/promtool.out"; }; then
    t_ok "promtool check metrics: exit $rc"
else t_bad "promtool check metrics (exit $rc)" "$(cat "$work/promtool.out")"; fi

# more requests: counters move between scrapes
for _ in $(seq 5); do curl -fs "http://127.0.0.1:$port_unix/" -o /dev/null; done
curl -fs "http://127.0.0.1:$eport/metrics" -o "$work/m2.prom"
a=$(sumreq "$work/m1.prom" "$U1"); b=$(sumreq "$work/m2.prom" "$U1")
[ "$b" -ge $((a + 5)) ] && t_ok "counters move: $a -> $b" || t_bad "counters move: $a -> $b"

# stop the TCP instance: its up goes 0 within the timeout, the others still report
kill -INT "$pid_tcp"
for _ in $(seq 50); do kill -0 "$pid_tcp" 2>/dev/null || break; sleep 0.1; done
t0=$(date +%s.%N)
curl -fs --max-time 10 "http://127.0.0.1:$eport/metrics" -o "$work/m3.prom"; t1=$(date +%s.%N)
[ "$(val "$work/m3.prom" "uwsgi_up{stats_uri=\"$U2\"}")" = 0 ] && t_ok "stopped instance: uwsgi_up 0" || t_bad "stopped instance up"
[ "$(val "$work/m3.prom" "uwsgi_up{stats_uri=\"$U1\"}")" = 1 ] && [ "$(val "$work/m3.prom" "uwsgi_up{stats_uri=\"$U3\"}")" = 1 ] \
    && t_ok "the others still up" || t_bad "others up" "$(grep uwsgi_up "$work/m3.prom")"
grep -q "stats_uri=\"$U2\"" <(grep -v '^uwsgi_up' "$work/m3.prom") && t_bad "no stale series for the stopped instance" \
    || t_ok "no stale series for the stopped instance"
[ "$(sumreq "$work/m3.prom" "$U1")" -ge "$b" ] && t_ok "the others' counters still there" || t_bad "others' counters"
grep -q 'refused' "$work/exporter.log" && t_ok "the failure is logged (connection refused)" || t_bad "failure logged" "$(cat "$work/exporter.log")"

# a peer that accepts and never writes: the scrape ends within --stats.timeout
hang=$work/hang.sock
t_hang "$hang"
hp=$(t_free_port)
"$BIN" --web.listen-address=127.0.0.1:$hp --stats.uri="unix://$hang" --stats.uri="$U1" \
    --stats.timeout=1s >"$work/hang.log" 2>&1 &
t_pids+=($!); disown $!
t_wait_http "http://127.0.0.1:$hp/"
t0=$(date +%s.%N); curl -fs --max-time 10 "http://127.0.0.1:$hp/metrics" -o "$work/h.prom"; t1=$(date +%s.%N)
el=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
awk -v e="$el" 'BEGIN{exit !(e < 2)}' && t_ok "hung peer: scrape answered in ${el}s (timeout 1s)" || t_bad "hung peer: ${el}s"
[ "$(val "$work/h.prom" "uwsgi_up{stats_uri=\"unix://$hang\"}")" = 0 ] && [ "$(val "$work/h.prom" "uwsgi_up{stats_uri=\"$U1\"}")" = 1 ] \
    && t_ok "hung peer: up 0, the other up 1" || t_bad "hung peer up values" "$(grep uwsgi_up "$work/h.prom")"
t_finish

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
pass=0; fail=0
work=$(mktemp -d /tmp/uwx-it-XXXXXX)
pids=(); uwpids=()
cleanup() {
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
    for p in "${uwpids[@]}"; do kill -INT "$p" 2>/dev/null; done   # uWSGI: INT = stop
    sleep 0.3
    for p in "${uwpids[@]}"; do pkill -KILL -P "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | head -n 30 | sed 's/^/     | /'; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
val() { awk -v k="$2" 'index($0, k" ") == 1 {print $NF}' "$1"; }   # val FILE SERIES
command -v uwsgi >/dev/null || { bad "uwsgi installed (apt-get install uwsgi uwsgi-plugin-python3)"; finish; }
[ -x "$BIN" ] || { bad "binary $BIN exists (make all)"; finish; }

cat >"$work/app.py" <<'APP'
def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'hello\n']
APP
# uw NAME STATS [EXTRA...]: a uWSGI instance with 2 workers on a fresh HTTP port
uw() {
    local name=$1 stats=$2; shift 2
    local port; port=$(freeport)
    uwsgi --plugin python3 --http-socket 127.0.0.1:$port --wsgi-file "$work/app.py" \
        --master --processes 2 --stats "$stats" --memory-report --die-on-term "$@" \
        >"$work/uw-$name.log" 2>&1 &
    uwpids+=($!); disown $!
    eval "port_$name=$port pid_$name=$!"
    for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/" -o /dev/null && return 0; sleep 0.1; done
    bad "uWSGI $name starts" "$(tail "$work/uw-$name.log")"; finish
}
usock=$work/a.stats.sock
tport=$(freeport); hport=$(freeport)
uw unix "$usock"
uw tcp "127.0.0.1:$tport"
uw http "127.0.0.1:$hport" --stats-http
ok "three uWSGI instances up"
NA=7; NB=11; NC=3
for _ in $(seq $NA); do curl -fs "http://127.0.0.1:$port_unix/" -o /dev/null; done
for _ in $(seq $NB); do curl -fs "http://127.0.0.1:$port_tcp/" -o /dev/null; done
for _ in $(seq $NC); do curl -fs "http://127.0.0.1:$port_http/" -o /dev/null; done

U1="unix://$usock"; U2="tcp://127.0.0.1:$tport"; U3="http://127.0.0.1:$hport"
eport=$(freeport)
"$BIN" --web.listen-address=127.0.0.1:$eport --stats.uri="$U1" --stats.uri "$U2" \
    --stats.uri="$U3" --collect.cores --stats.timeout=2s >"$work/exporter.log" 2>&1 &
pids+=($!); disown $!
gport=$(freeport)
"$BIN" --web.listen-address=127.0.0.1:$gport --stats.glob="$work/*.stats.sock" >"$work/glob.log" 2>&1 &
pids+=($!); disown $!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$eport/metrics" -o "$work/m1.prom" && break; sleep 0.05; done
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$gport/metrics" -o "$work/g.prom" && break; sleep 0.05; done

for u in "$U1" "$U2" "$U3"; do
    v=$(val "$work/m1.prom" "uwsgi_up{stats_uri=\"$u\"}")
    [ "$v" = 1 ] && ok "uwsgi_up 1 for $u" || bad "uwsgi_up for $u is '$v'" "$(grep uwsgi_up "$work/m1.prom"; cat "$work/exporter.log")"
    w=$(val "$work/m1.prom" "uwsgi_workers{stats_uri=\"$u\"}")
    [ "$w" = 2 ] && ok "2 workers for $u" || bad "workers for $u: '$w'"
done
sumreq() {  # sumreq FILE URI: sum of uwsgi_worker_requests_total for URI
    grep "^uwsgi_worker_requests_total{stats_uri=\"$2\"," "$1" | awk '{s += $NF} END {print s + 0}'
}
for pair in "$U1:$NA" "$U2:$NB" "$U3:$NC"; do
    u=${pair%:*}; n=${pair##*:}
    s=$(sumreq "$work/m1.prom" "$u")
    [ "$s" -ge "$n" ] 2>/dev/null && ok "requests counted for $u: $s >= $n" || bad "requests for $u: $s < $n"
done
grep -q "^uwsgi_worker_core_requests_total{core_id=\"0\",stats_uri=\"$U1\",worker_id=\"1\"}" "$work/m1.prom" \
    && ok "--collect.cores gives per-core series" || bad "per-core series"
grep -q "^uwsgi_socket_queue_length{name=\"127.0.0.1:$port_tcp\",proto=\"http\",stats_uri=\"$U2\"}" "$work/m1.prom" \
    && ok "socket series labelled name, proto, stats_uri" || bad "socket series" "$(grep uwsgi_socket "$work/m1.prom")"
rss=$(val "$work/m1.prom" "uwsgi_worker_rss_bytes{stats_uri=\"$U1\",worker_id=\"1\"}")
awk -v r="$rss" 'BEGIN{exit !(r > 1e6)}' && ok "rss bytes reported with --memory-report ($rss)" || bad "rss: '$rss'"
[ "$(val "$work/g.prom" "uwsgi_up{stats_uri=\"$U1\"}")" = 1 ] && ok "--stats.glob finds the unix socket" \
    || bad "glob" "$(grep uwsgi_up "$work/g.prom"; cat "$work/glob.log")"
promtool check metrics <"$work/m1.prom" >"$work/promtool.out" 2>&1; rc=$?
if [ $rc = 0 ] || { [ $rc = 3 ] && ! grep -qv '^uwsgi_cache_\(hits\|misses\|full\) counter metrics should have "_total" suffix$' "$work/promtool.out"; }; then
    ok "promtool check metrics: exit $rc"
else bad "promtool check metrics (exit $rc)" "$(cat "$work/promtool.out")"; fi

# more requests: counters move between scrapes
for _ in $(seq 5); do curl -fs "http://127.0.0.1:$port_unix/" -o /dev/null; done
curl -fs "http://127.0.0.1:$eport/metrics" -o "$work/m2.prom"
a=$(sumreq "$work/m1.prom" "$U1"); b=$(sumreq "$work/m2.prom" "$U1")
[ "$b" -ge $((a + 5)) ] && ok "counters move: $a -> $b" || bad "counters move: $a -> $b"

# stop the TCP instance: its up goes 0 within the timeout, the others still report
kill -INT "$pid_tcp"
for _ in $(seq 50); do kill -0 "$pid_tcp" 2>/dev/null || break; sleep 0.1; done
t0=$(date +%s.%N)
curl -fs --max-time 10 "http://127.0.0.1:$eport/metrics" -o "$work/m3.prom"; t1=$(date +%s.%N)
[ "$(val "$work/m3.prom" "uwsgi_up{stats_uri=\"$U2\"}")" = 0 ] && ok "stopped instance: uwsgi_up 0" || bad "stopped instance up"
[ "$(val "$work/m3.prom" "uwsgi_up{stats_uri=\"$U1\"}")" = 1 ] && [ "$(val "$work/m3.prom" "uwsgi_up{stats_uri=\"$U3\"}")" = 1 ] \
    && ok "the others still up" || bad "others up" "$(grep uwsgi_up "$work/m3.prom")"
grep -q "stats_uri=\"$U2\"" <(grep -v '^uwsgi_up' "$work/m3.prom") && bad "no stale series for the stopped instance" \
    || ok "no stale series for the stopped instance"
[ "$(sumreq "$work/m3.prom" "$U1")" -ge "$b" ] && ok "the others' counters still there" || bad "others' counters"
grep -q 'refused' "$work/exporter.log" && ok "the failure is logged (connection refused)" || bad "failure logged" "$(cat "$work/exporter.log")"

# a peer that accepts and never writes: the scrape ends within --stats.timeout
hang=$work/hang.sock
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' "$hang" &
pids+=($!); disown $!
for _ in $(seq 50); do [ -S "$hang" ] && break; sleep 0.1; done
hp=$(freeport)
"$BIN" --web.listen-address=127.0.0.1:$hp --stats.uri="unix://$hang" --stats.uri="$U1" \
    --stats.timeout=1s >"$work/hang.log" 2>&1 &
pids+=($!); disown $!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$hp/" -o /dev/null && break; sleep 0.05; done
t0=$(date +%s.%N); curl -fs --max-time 10 "http://127.0.0.1:$hp/metrics" -o "$work/h.prom"; t1=$(date +%s.%N)
el=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
awk -v e="$el" 'BEGIN{exit !(e < 2)}' && ok "hung peer: scrape answered in ${el}s (timeout 1s)" || bad "hung peer: ${el}s"
[ "$(val "$work/h.prom" "uwsgi_up{stats_uri=\"unix://$hang\"}")" = 0 ] && [ "$(val "$work/h.prom" "uwsgi_up{stats_uri=\"$U1\"}")" = 1 ] \
    && ok "hung peer: up 0, the other up 1" || bad "hung peer up values" "$(grep uwsgi_up "$work/h.prom")"
finish

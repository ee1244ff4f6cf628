#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# haproxy.sh: haproxy_exporter against a real Debian haproxy started here on loopback
# with its own temp config: a stats socket in the temp dir, a stats page, a frontend and
# two backends with two servers each, one of them down (closed port, health checks on).
# Checks our output from the socket (unix:) and from the page (;csv), the exclude-states
# and server-metric-fields flags, a missing socket, then compares family and label names
# with Debian's prometheus-haproxy-exporter on the same haproxy.
# Prints "N passed, N failed" last; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/../../.."
BIN=${BIN:-build/release/haproxy_exporter/haproxy_exporter}
GO=${GO:-/usr/bin/prometheus-haproxy-exporter}
T=$(mktemp -d /tmp/hap-it-XXXXXX)
pass=0; fail=0; pids=()

ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
freeport() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    sleep 0.2
    rm -rf "$T"
}
trap cleanup EXIT
wait_port() {
    for _ in $(seq 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

for f in "$BIN" /usr/sbin/haproxy; do
    [ -x "$f" ] || { bad "missing $f (make all; scripts/deps.sh --test)"; echo "$pass passed, $fail failed"; exit 1; }
done

FP=$(freeport); SP=$(freeport); WP=$(freeport); DOWN1=$(freeport); DOWN2=$(freeport)
EP=$(freeport); GP=$(freeport)

mkdir -p "$T/www"; echo hello > "$T/www/index.html"
python3 -m http.server "$WP" --bind 127.0.0.1 --directory "$T/www" >/dev/null 2>&1 &
pids+=("$!")
wait_port "$WP"

cat > "$T/haproxy.cfg" <<EOF
global
    stats socket $T/admin.sock mode 600 level admin
    pidfile $T/haproxy.pid
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe_main
    bind 127.0.0.1:$FP
    use_backend be_other if { path_beg /other }
    default_backend be_app
backend be_app
    server web1 127.0.0.1:$WP check inter 300ms
    server web2 127.0.0.1:$DOWN1 check inter 300ms fall 1
backend be_other
    server web3 127.0.0.1:$WP check inter 300ms
    server web4 127.0.0.1:$DOWN2 check inter 300ms fall 1
listen stats
    bind 127.0.0.1:$SP
    stats enable
    stats uri /stats
EOF
/usr/sbin/haproxy -f "$T/haproxy.cfg" -db >"$T/haproxy.log" 2>&1 &
pids+=("$!")
wait_port "$FP" || { bad "haproxy start"; cat "$T/haproxy.log"; echo "$pass passed, $fail failed"; exit 1; }
sleep 1.5   # let the health checks mark web2/web4 down
for i in 1 2 3 4; do curl -s "http://127.0.0.1:$FP/" >/dev/null; curl -s "http://127.0.0.1:$FP/other" >/dev/null; done

start_exporter() {  # start_exporter ARGS...: ours on $EP
    "$BIN" --web.listen-address="127.0.0.1:$EP" "$@" >"$T/exporter.log" 2>&1 &
    EPID=$!
    pids+=("$EPID")
    for _ in $(seq 50); do
        kill -0 "$EPID" 2>/dev/null || break
        curl -sf "http://127.0.0.1:$EP/-/healthy" >/dev/null && return 0
        sleep 0.1
    done
    echo "exporter did not start:"; cat "$T/exporter.log"; return 1
}
stop_exporter() { kill "$EPID" 2>/dev/null; wait "$EPID" 2>/dev/null; }
scrape() { curl -s --max-time 10 "http://127.0.0.1:$EP/metrics" > "$T/out.prom"; }
has() { grep -q -- "$1" "$T/out.prom"; }
hasnt() { ! grep -q -- "$1" "$T/out.prom"; }
families() {
    grep -v '^#' "$1" | grep -v '^\(go_\|process_\|promhttp_\)' | sed -E 's/ [^ ]+$//' |
        python3 -c '
import re, sys
for line in sys.stdin:
    m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?", line.strip())
    if not m: continue
    labels = sorted(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)=\"", m.group(3) or ""))
    print(m.group(1) + "{" + ",".join(labels) + "}")' | sort -u
}
common_asserts() {  # common_asserts WHAT
    check "$1: haproxy_up 1" has '^haproxy_up 1$'
    check "$1: web1 up" has '^haproxy_server_up{backend="be_app",server="web1"} 1$'
    check "$1: web2 down" has '^haproxy_server_up{backend="be_app",server="web2"} 0$'
    check "$1: web4 down" has '^haproxy_server_up{backend="be_other",server="web4"} 0$'
    check "$1: backend up" has '^haproxy_backend_up{backend="be_app"} 1$'
    check "$1: frontend sessions" has '^haproxy_frontend_sessions_total{frontend="fe_main"} '
    check "$1: responses by code" has '^haproxy_frontend_http_responses_total{code="2xx",frontend="fe_main"} '
    check "$1: server check failures" has '^haproxy_server_check_failures_total{backend="be_app",server="web2"} '
    check "$1: check duration in seconds" has '^haproxy_server_check_duration_seconds{backend="be_app",server="web1"} '
    check "$1: no parse failures" has '^haproxy_exporter_csv_parse_failures_total 0$'
    check "$1: scrapes counted" has '^haproxy_exporter_scrapes_total 1$'
    if command -v promtool >/dev/null; then
        promtool check metrics < "$T/out.prom" >"$T/promtool.log" 2>&1
        local rc=$?
        check "$1: promtool check metrics (exit $rc; 3 = lint only)" test $rc = 0 -o $rc = 3
    fi
}

# ---- 1. stats socket ------------------------------------------------------------------
start_exporter --haproxy.scrape-uri="unix:$T/admin.sock"
scrape
common_asserts socket
check "socket: haproxy_version_info" has '^haproxy_version_info{release_date="[^"]*",version="[0-9]'
cp "$T/out.prom" "$T/ours_socket.prom"
stop_exporter

# ---- 2. stats page --------------------------------------------------------------------
start_exporter --haproxy.scrape-uri="http://127.0.0.1:$SP/stats;csv" --haproxy.timeout=2s
scrape
common_asserts page
check "page: no version_info (as upstream)" hasnt '^haproxy_version_info'
cp "$T/out.prom" "$T/ours_page.prom"
stop_exporter

# ---- 3. flags: exclude states, metric fields ------------------------------------------
start_exporter --haproxy.scrape-uri="unix://$T/admin.sock" --haproxy.server-exclude-states=DOWN,MAINT \
    --haproxy.server-metric-fields=4,17
scrape
check "exclude DOWN: web2 gone" hasnt 'server="web2"'
check "exclude DOWN: web1 kept" has '^haproxy_server_up{backend="be_app",server="web1"} 1$'
check "metric fields 4,17: current_sessions kept" has '^haproxy_server_current_sessions{'
check "metric fields 4,17: bytes_in dropped" hasnt '^haproxy_server_bytes_in_total{'
stop_exporter
check "bad --haproxy.server-metric-fields refuses to start" \
    bash -c "! timeout 5 '$BIN' --web.listen-address=127.0.0.1:$EP --haproxy.server-metric-fields=1,x >/dev/null 2>&1"

# ---- 4. socket missing ----------------------------------------------------------------
start_exporter --haproxy.scrape-uri="unix:$T/nosuch.sock"
scrape
check "missing socket: haproxy_up 0" has '^haproxy_up 0$'
check "missing socket: counters still there" has '^haproxy_exporter_scrapes_total 1$'
check "missing socket: log names the socket" grep -q 'nosuch.sock' "$T/exporter.log"
stop_exporter

# ---- 5. the Debian Go build on the same haproxy ---------------------------------------
if [ -x "$GO" ]; then
    for mode in socket page; do
        if [ $mode = socket ]; then uri="unix:$T/admin.sock"; else uri="http://127.0.0.1:$SP/stats;csv"; fi
        "$GO" --web.listen-address="127.0.0.1:$GP" --haproxy.scrape-uri="$uri" >"$T/go.log" 2>&1 &
        g=$!
        wait_port "$GP"
        curl -s "http://127.0.0.1:$GP/metrics" > "$T/go_$mode.prom"
        kill "$g"; wait "$g" 2>/dev/null
        families "$T/go_$mode.prom" > "$T/go.fam"
        families "$T/ours_$mode.prom" > "$T/ours.fam"
        echo "---- $mode: family{labels} only in the Go exporter:"
        comm -23 "$T/go.fam" "$T/ours.fam" | sed 's/^/     /'
        echo "---- $mode: family{labels} only in ours:"
        comm -13 "$T/go.fam" "$T/ours.fam" | sed 's/^/     /'
        missing=$(comm -23 "$T/go.fam" "$T/ours.fam" | wc -l)
        check "$mode: every Go family{labels} is in ours ($missing missing)" test "$missing" = 0
        extra=$(comm -13 "$T/go.fam" "$T/ours.fam" | grep -vc '^haproxy_scrape_collector_')
        check "$mode: ours adds only the collector meta pair ($extra other)" test "$extra" = 0
        grep '^# HELP haproxy_' "$T/go_$mode.prom" | sort > "$T/go.help"
        grep '^# HELP haproxy_' "$T/ours_$mode.prom" | grep -v scrape_collector | sort > "$T/ours.help"
        check "$mode: HELP texts identical" diff "$T/go.help" "$T/ours.help"
    done
else
    bad "Go exporter $GO not installed"
fi

echo
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

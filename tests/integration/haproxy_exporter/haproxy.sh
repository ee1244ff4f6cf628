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
. tests/lib.sh
t_init hap-it

t_need "$BIN" /usr/sbin/haproxy

EP=$(t_free_port); GP=$(t_free_port)
t_haproxy "$T" || { t_bad "haproxy start"; cat "$T/haproxy.log"; t_finish; }

start_exporter() {  # start_exporter ARGS...: ours on $EP
    "$BIN" --web.listen-address="127.0.0.1:$EP" "$@" >"$T/exporter.log" 2>&1 &
    EPID=$!
    t_pids+=("$EPID")
    t_wait_up "$EPID" "http://127.0.0.1:$EP/-/healthy" 100 && return 0
    echo "exporter did not start:"; cat "$T/exporter.log"; return 1
}
stop_exporter() { kill "$EPID" 2>/dev/null; wait "$EPID" 2>/dev/null; }
scrape() { curl -s --max-time 10 "http://127.0.0.1:$EP/metrics" > "$T/out.prom"; }
has() { grep -q -- "$1" "$T/out.prom"; }
hasnt() { ! grep -q -- "$1" "$T/out.prom"; }
common_asserts() {  # common_asserts WHAT
    t_check "$1: haproxy_up 1" has '^haproxy_up 1$'
    t_check "$1: web1 up" has '^haproxy_server_up{backend="be_app",server="web1"} 1$'
    t_check "$1: web2 down" has '^haproxy_server_up{backend="be_app",server="web2"} 0$'
    t_check "$1: web4 down" has '^haproxy_server_up{backend="be_other",server="web4"} 0$'
    t_check "$1: backend up" has '^haproxy_backend_up{backend="be_app"} 1$'
    t_check "$1: frontend sessions" has '^haproxy_frontend_sessions_total{frontend="fe_main"} '
    t_check "$1: responses by code" has '^haproxy_frontend_http_responses_total{code="2xx",frontend="fe_main"} '
    t_check "$1: server check failures" has '^haproxy_server_check_failures_total{backend="be_app",server="web2"} '
    t_check "$1: check duration in seconds" has '^haproxy_server_check_duration_seconds{backend="be_app",server="web1"} '
    t_check "$1: no parse failures" has '^haproxy_exporter_csv_parse_failures_total 0$'
    t_check "$1: scrapes counted" has '^haproxy_exporter_scrapes_total 1$'
    if command -v promtool >/dev/null; then
        promtool check metrics < "$T/out.prom" >"$T/promtool.log" 2>&1
        local rc=$?
        t_check "$1: promtool check metrics (exit $rc; 3 = lint only)" test $rc = 0 -o $rc = 3
    fi
}

# ---- 1. stats socket ------------------------------------------------------------------
start_exporter --haproxy.scrape-uri="unix:$T/admin.sock"
scrape
common_asserts socket
t_check "socket: haproxy_version_info" has '^haproxy_version_info{release_date="[^"]*",version="[0-9]'
cp "$T/out.prom" "$T/ours_socket.prom"
stop_exporter

# ---- 2. stats page --------------------------------------------------------------------
start_exporter --haproxy.scrape-uri="http://127.0.0.1:$SP/stats;csv" --haproxy.timeout=2s
scrape
common_asserts page
t_check "page: no version_info (as upstream)" hasnt '^haproxy_version_info'
cp "$T/out.prom" "$T/ours_page.prom"
stop_exporter

# ---- 3. flags: exclude states, metric fields ------------------------------------------
start_exporter --haproxy.scrape-uri="unix://$T/admin.sock" --haproxy.server-exclude-states=DOWN,MAINT \
    --haproxy.server-metric-fields=4,17
scrape
t_check "exclude DOWN: web2 gone" hasnt 'server="web2"'
t_check "exclude DOWN: web1 kept" has '^haproxy_server_up{backend="be_app",server="web1"} 1$'
t_check "metric fields 4,17: current_sessions kept" has '^haproxy_server_current_sessions{'
t_check "metric fields 4,17: bytes_in dropped" hasnt '^haproxy_server_bytes_in_total{'
stop_exporter
t_check "bad --haproxy.server-metric-fields refuses to start" \
    bash -c "! timeout 5 '$BIN' --web.listen-address=127.0.0.1:$EP --haproxy.server-metric-fields=1,x >/dev/null 2>&1"

# ---- 4. socket missing ----------------------------------------------------------------
start_exporter --haproxy.scrape-uri="unix:$T/nosuch.sock"
scrape
t_check "missing socket: haproxy_up 0" has '^haproxy_up 0$'
t_check "missing socket: counters still there" has '^haproxy_exporter_scrapes_total 1$'
t_check "missing socket: log names the socket" grep -q 'nosuch.sock' "$T/exporter.log"
stop_exporter

# ---- 5. the Debian Go build on the same haproxy ---------------------------------------
if [ -x "$GO" ]; then
    for mode in socket page; do
        if [ $mode = socket ]; then uri="unix:$T/admin.sock"; else uri="http://127.0.0.1:$SP/stats;csv"; fi
        "$GO" --web.listen-address="127.0.0.1:$GP" --haproxy.scrape-uri="$uri" >"$T/go.log" 2>&1 &
        g=$!
        t_wait_port "$GP"
        curl -s "http://127.0.0.1:$GP/metrics" > "$T/go_$mode.prom"
        kill "$g"; wait "$g" 2>/dev/null
        t_families "$T/go_$mode.prom" > "$T/go.fam"
        t_families "$T/ours_$mode.prom" > "$T/ours.fam"
        echo "---- $mode: family{labels} only in the Go exporter:"
        comm -23 "$T/go.fam" "$T/ours.fam" | sed 's/^/     /'
        echo "---- $mode: family{labels} only in ours:"
        comm -13 "$T/go.fam" "$T/ours.fam" | sed 's/^/     /'
        missing=$(comm -23 "$T/go.fam" "$T/ours.fam" | wc -l)
        t_check "$mode: every Go family{labels} is in ours ($missing missing)" test "$missing" = 0
        extra=$(comm -13 "$T/go.fam" "$T/ours.fam" | grep -vc '^haproxy_scrape_collector_')
        t_check "$mode: ours adds only the collector meta pair ($extra other)" test "$extra" = 0
        grep '^# HELP haproxy_' "$T/go_$mode.prom" | sort > "$T/go.help"
        grep '^# HELP haproxy_' "$T/ours_$mode.prom" | grep -v scrape_collector | sort > "$T/ours.help"
        t_check "$mode: HELP texts identical" diff "$T/go.help" "$T/ours.help"
    done
else
    t_bad "Go exporter $GO not installed"
fi

echo
t_summary

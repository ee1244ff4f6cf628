#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# supervisord.sh: the supervisord collector against a REAL supervisord (Debian package
# `supervisor`) started from a temp config: a unix socket in a temp dir plus a loopback
# inet_http_server with basic auth, and three programs (running, stopped, exited 3).
# Checks our node_exporter over unix:// (flag and $SUPERVISORD_URL) and http://user:pass@,
# compares node_supervisord_* with the Go build (prometheus-node-exporter) byte for byte,
# then stops supervisord and checks both exporters keep answering with success 0.
# Prints "N passed, N failed" last; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/../../.."
BIN=${NODE_EXPORTER:-build/${VARIANT:-release}/node_exporter/node_exporter}
GO_BIN=${GO_NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
. tests/lib.sh
t_init sv-it; work=$T
T_DETAIL=30
svpid=
t_on_exit() { [ -n "$svpid" ] && t_stop_tree "$svpid"; }

# has FILE LINE: FILE contains exactly the line LINE
has() { grep -qxF -- "$2" "$1"; }
expect() {  # expect NAME FILE LINE...: every LINE is in FILE
    local name=$1 file=$2; shift 2
    local missing=()
    for l in "$@"; do has "$file" "$l" || missing+=("$l"); done
    if [ ${#missing[@]} = 0 ]; then t_ok "$name"
    else t_bad "$name" "missing: $(printf '%s\n' "${missing[@]}")
got: $(grep -E '^(# [A-Z]+ )?node_(supervisord|scrape_collector_success\{collector="supervisord")' "$file")"; fi
}

if ! command -v supervisord >/dev/null; then
    t_bad "supervisord installed (apt-get install supervisor)"; t_finish
fi
# another engineer writes main.c: wait for the binary a while
for _ in $(seq 1 120); do [ -x "$BIN" ] && break; sleep 5; done
if [ ! -x "$BIN" ]; then t_bad "binary $BIN exists (run make all)"; t_finish; fi
# run a private copy, so a concurrent `make` relinking $BIN cannot break a later start
sleep 1; cp "$BIN" "$work/node_exporter" && BIN=$work/node_exporter

sock=$work/supervisor.sock
svport=$(t_free_port)
cat >"$work/supervisord.conf" <<EOF
[unix_http_server]
file=$sock
chmod=0700

[inet_http_server]
port=127.0.0.1:$svport
username=monitor
password=s3cret-pw

[supervisord]
logfile=$work/supervisord.log
pidfile=$work/supervisord.pid
childlogdir=$work
nodaemon=true
identifier=lm-test

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$sock

[program:sleeper]
command=sleep 1000
startsecs=1

[program:stopped]
command=sleep 1000
autostart=false

[program:quick]
command=sh -c 'exit 3'
autorestart=false
startsecs=0
exitcodes=0
EOF

supervisord -c "$work/supervisord.conf" >"$work/supervisord.out" 2>&1 &
# (disowned: stopped by pid below, without a job message after the summary)
svpid=$!; disown "$svpid"
ctl() { supervisorctl -c "$work/supervisord.conf" "$@"; }
ready=0
for _ in $(seq 1 100); do
    st=$(ctl status 2>/dev/null)
    if grep -q '^sleeper  *RUNNING' <<<"$st" && grep -q '^quick  *EXITED' <<<"$st"; then
        ready=1; break
    fi
    kill -0 "$svpid" 2>/dev/null || break
    sleep 0.1
done
if [ $ready = 1 ]; then t_ok "supervisord up: sleeper RUNNING, stopped STOPPED, quick EXITED"
else t_bad "supervisord up" "$(ctl status 2>&1; cat "$work/supervisord.out" "$work/supervisord.log" 2>/dev/null | tail)"; t_finish; fi

# start BIN ARGS...: run an exporter on a fresh port; sets $url; waits for /metrics
start() {
    local bin=$1; shift
    local port; port=$(t_free_port)
    url=http://127.0.0.1:$port/metrics
    "$bin" --web.listen-address=127.0.0.1:$port --collector.disable-defaults "$@" \
        >>"$work/exporter.log" 2>&1 &
    t_pids+=($!); disown $!
    for _ in $(seq 1 200); do
        curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
scrape() { curl -fsS -o "$2" -w '%{http_code}' "$1" 2>/dev/null; }

# --- ours, over the unix socket -----------------------------------------------------
start "$BIN" --collector.supervisord --collector.supervisord.url="unix://$sock" ||
    t_bad "our node_exporter starts" "$(tail "$work/exporter.log")"
ours_url=$url
scrape "$ours_url" "$work/ours" >/dev/null
expect "ours: unix socket, collector success 1" "$work/ours" \
    'node_scrape_collector_success{collector="supervisord"} 1'
expect "ours: node_supervisord_up" "$work/ours" \
    '# HELP node_supervisord_up Process Up' '# TYPE node_supervisord_up gauge' \
    'node_supervisord_up{group="quick",name="quick"} 0' \
    'node_supervisord_up{group="sleeper",name="sleeper"} 1' \
    'node_supervisord_up{group="stopped",name="stopped"} 0'
expect "ours: node_supervisord_state (20 running, 0 stopped, 100 exited)" "$work/ours" \
    '# HELP node_supervisord_state Process State' '# TYPE node_supervisord_state gauge' \
    'node_supervisord_state{group="quick",name="quick"} 100' \
    'node_supervisord_state{group="sleeper",name="sleeper"} 20' \
    'node_supervisord_state{group="stopped",name="stopped"} 0'
expect "ours: node_supervisord_exit_status (quick 3)" "$work/ours" \
    '# HELP node_supervisord_exit_status Process Exit Status' \
    '# TYPE node_supervisord_exit_status gauge' \
    'node_supervisord_exit_status{group="quick",name="quick"} 3' \
    'node_supervisord_exit_status{group="sleeper",name="sleeper"} 0' \
    'node_supervisord_exit_status{group="stopped",name="stopped"} 0'
expect "ours: node_supervisord_start_time_seconds HELP/TYPE" "$work/ours" \
    '# HELP node_supervisord_start_time_seconds Process start time' \
    '# TYPE node_supervisord_start_time_seconds counter'
st=$(grep '^node_supervisord_start_time_seconds{' "$work/ours")
v=$(sed -n 's/^node_supervisord_start_time_seconds{group="sleeper",name="sleeper"} //p' <<<"$st")
if [ "$(wc -l <<<"$st")" = 1 ] &&
    python3 -c "import sys,time; sys.exit(0 if abs(float('$v') - time.time()) < 600 else 1)" 2>/dev/null; then
    t_ok "ours: start_time_seconds only for the running process, about now ($v)"
else t_bad "ours: start_time_seconds only for the running process" "$st"; fi
if grep -q '^node_supervisord_uptime' "$work/ours"; then
    t_bad "ours: no node_supervisord_uptime (gone since node_exporter 0.16)"
else t_ok "ours: no node_supervisord_uptime (gone since node_exporter 0.16)"; fi

# --- ours, URL from $SUPERVISORD_URL, and over HTTP with basic auth --------------------
SUPERVISORD_URL="unix://$sock" start "$BIN" --collector.supervisord ||
    t_bad "our node_exporter starts with SUPERVISORD_URL"
scrape "$url" "$work/ours_env" >/dev/null
expect "ours: \$SUPERVISORD_URL is honoured" "$work/ours_env" \
    'node_scrape_collector_success{collector="supervisord"} 1' \
    'node_supervisord_state{group="quick",name="quick"} 100'
start "$BIN" --collector.supervisord \
    --collector.supervisord.url="http://monitor:s3cret-pw@127.0.0.1:$svport/RPC2" ||
    t_bad "our node_exporter starts (http)"
scrape "$url" "$work/ours_http" >/dev/null
if diff <(grep '^node_supervisord_' "$work/ours") <(grep '^node_supervisord_' "$work/ours_http") \
    >"$work/diff"; then t_ok "ours: http://user:pass@ gives the same samples as unix://"
else t_bad "ours: http://user:pass@ gives the same samples as unix://" "$(cat "$work/diff")"; fi
start "$BIN" --collector.supervisord \
    --collector.supervisord.url="http://monitor:wrong-pw@127.0.0.1:$svport/RPC2" ||
    t_bad "our node_exporter starts (wrong password)"
scrape "$url" "$work/ours_401" >/dev/null
expect "ours: wrong password gives success 0" "$work/ours_401" \
    'node_scrape_collector_success{collector="supervisord"} 0'
if grep -q 'wrong-pw\|s3cret-pw' "$work/exporter.log"; then
    t_bad "no password in our log" "$(grep 'pw' "$work/exporter.log")"
elif grep -q 'collector failed.*401' "$work/exporter.log"; then t_ok "no password in our log (401 logged)"
else t_bad "401 logged" "$(tail -5 "$work/exporter.log")"; fi

# --- the Go build, same supervisord ----------------------------------------------------
if [ -x "$GO_BIN" ]; then
    start "$GO_BIN" --collector.supervisord \
        --collector.supervisord.url="http://monitor:s3cret-pw@127.0.0.1:$svport/RPC2" ||
        t_bad "Go node_exporter starts" "$(tail "$work/exporter.log")"
    go_url=$url
    scrape "$go_url" "$work/go" >/dev/null
    # families, HELP/TYPE and label names
    shape() { grep -E '^(# (HELP|TYPE) )?node_supervisord_' "$1" |
        sed -E 's/="[^"]*"/=/g; s/\} .*/}/' | sort -u; }
    if diff <(shape "$work/go") <(shape "$work/ours") >"$work/diff" && [ -s "$work/go" ] &&
        grep -q '^node_supervisord_up' "$work/go"; then
        t_ok "Go vs ours: same node_supervisord_* families, HELP, TYPE and label names"
    else t_bad "Go vs ours: same families and label names" "$(cat "$work/diff")"; fi
    if diff <(grep -E '^(# [A-Z]+ )?node_supervisord_' "$work/go") \
        <(grep -E '^(# [A-Z]+ )?node_supervisord_' "$work/ours") >"$work/diff"; then
        t_ok "Go vs ours: node_supervisord_* identical byte for byte (values too)"
    else t_bad "Go vs ours: node_supervisord_* identical" "$(cat "$work/diff")"; fi
    # node_exporter >= 1.0 also takes unix:// (PR #1592): the Debian 1.5 build must agree
    start "$GO_BIN" --collector.supervisord --collector.supervisord.url="unix://$sock" ||
        t_bad "Go node_exporter starts (unix)"
    scrape "$url" "$work/go_unix" >/dev/null
    if diff <(grep '^node_supervisord_' "$work/go") <(grep '^node_supervisord_' "$work/go_unix") \
        >"$work/diff"; then t_ok "Go build reads unix:// too (same samples)"
    else t_bad "Go build reads unix:// too" "$(cat "$work/diff")"; fi
else
    t_bad "Go node_exporter at $GO_BIN (apt-get install prometheus-node-exporter)"
fi

# --- supervisord goes away: the scrape still works, the collector fails ----------------
kill -TERM "$svpid"
for _ in $(seq 1 100); do kill -0 "$svpid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$svpid" 2>/dev/null; then t_bad "supervisord stopped"; else t_ok "supervisord stopped"; fi
svpid=
code=$(scrape "$ours_url" "$work/ours_down")
if [ "$code" = 200 ] && has "$work/ours_down" 'node_scrape_collector_success{collector="supervisord"} 0'; then
    t_ok "ours: supervisord down: /metrics 200, collector success 0"
else t_bad "ours: supervisord down: /metrics 200, collector success 0" "code $code"; fi
# upstream emits no node_supervisord_* at all then (there is no process to label)
if grep -q '^node_supervisord_' "$work/ours_down"; then
    t_bad "ours: supervisord down: no node_supervisord_* series" "$(grep '^node_supervisord_' "$work/ours_down")"
else t_ok "ours: supervisord down: no node_supervisord_* series (as upstream)"; fi
if grep -q 'collector failed.*supervisord.*unable to call supervisord' "$work/exporter.log"; then
    t_ok "ours: failure logged as 'unable to call supervisord'"
else t_bad "ours: failure logged" "$(tail -5 "$work/exporter.log")"; fi
if [ -x "$GO_BIN" ] && [ -n "${go_url:-}" ]; then
    code=$(scrape "$go_url" "$work/go_down")
    if [ "$code" = 200 ] && has "$work/go_down" 'node_scrape_collector_success{collector="supervisord"} 0' &&
        ! grep -q '^node_supervisord_' "$work/go_down"; then
        t_ok "Go agrees when supervisord is down (success 0, no node_supervisord_*)"
    else t_bad "Go agrees when supervisord is down" "code $code: $(grep supervisord "$work/go_down")"; fi
fi

t_finish

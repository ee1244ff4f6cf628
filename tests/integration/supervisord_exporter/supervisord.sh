#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# supervisord.sh: supervisord_exporter against a REAL supervisord (Debian `supervisor`)
# from a temp config: a unix socket only (with basic auth), programs running, stopped,
# exited 3 and FATAL. Checks values and promtool, then the failure paths: no credentials
# (401), a socket without permission (exporter run as nobody), a peer that accepts and
# never answers (scrape ends within the timeout), the socket gone. Must run as root.
# Prints "N passed, N failed" last; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/../../.."
BIN=${SUPERVISORD_EXPORTER:-build/${VARIANT:-release}/supervisord_exporter/supervisord_exporter}
. tests/lib.sh
t_init svx-it; work=$T
chmod 755 "$work"
T_DETAIL=30
svpid=
t_on_exit() { [ -n "$svpid" ] && t_stop_tree "$svpid"; }
expect() {  # expect NAME FILE LINE...: every LINE is in FILE
    local name=$1 file=$2; shift 2; local missing=()
    for l in "$@"; do grep -qxF -- "$l" "$file" || missing+=("$l"); done
    if [ ${#missing[@]} = 0 ]; then t_ok "$name"
    else t_bad "$name" "missing: $(printf '%s\n' "${missing[@]}")
got: $(grep '^supervisord_' "$file")"; fi
}
[ "$(id -u)" = 0 ] || { t_bad "runs as root (needed to drop to nobody)"; t_finish; }
command -v supervisord >/dev/null || { t_bad "supervisord installed"; t_finish; }
[ -x "$BIN" ] || { t_bad "binary $BIN exists (make all)"; t_finish; }
cp "$BIN" "$work/exporter" && chmod 755 "$work/exporter" && BIN=$work/exporter

sock=$work/supervisor.sock
printf 's3cret pw\n' >"$work/pw"; chmod 600 "$work/pw"
cat >"$work/supervisord.conf" <<CONF
[unix_http_server]
file=$sock
chmod=0700
username=monitor
password=s3cret pw

[supervisord]
logfile=$work/supervisord.log
pidfile=$work/supervisord.pid
childlogdir=$work
nodaemon=true

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$sock
username=monitor
password=s3cret pw

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

[program:failer]
command=/nonexistent/bin/failer
startretries=0
CONF
supervisord -c "$work/supervisord.conf" >"$work/supervisord.out" 2>&1 &
svpid=$!; disown "$svpid"
ctl() { supervisorctl -c "$work/supervisord.conf" "$@"; }
ready=0
for _ in $(seq 1 100); do
    st=$(ctl status 2>/dev/null)
    if grep -q '^sleeper  *RUNNING' <<<"$st" && grep -q '^quick  *EXITED' <<<"$st" &&
       grep -q '^failer  *FATAL' <<<"$st"; then ready=1; break; fi
    sleep 0.1
done
if [ $ready = 1 ]; then t_ok "supervisord up: RUNNING, STOPPED, EXITED, FATAL"
else t_bad "supervisord up" "$(ctl status 2>&1; tail "$work/supervisord.log")"; t_finish; fi

# start NAME [--as-nobody] ARGS...: an exporter on a fresh port; sets url_NAME
start() {
    local name=$1; shift
    local pre=()
    if [ "${1:-}" = --as-nobody ]; then
        pre=(setpriv --reuid=nobody --regid=nogroup --clear-groups); shift
    fi
    local port; port=$(t_free_port)
    "${pre[@]}" "$BIN" --web.listen-address=127.0.0.1:$port "$@" >"$work/$name.log" 2>&1 &
    t_pids+=($!); disown $!
    eval "url_$name=http://127.0.0.1:$port/metrics"
    t_wait_http "http://127.0.0.1:$port/metrics" && return 0
    t_bad "exporter $name starts" "$(cat "$work/$name.log")"
}
scrape() { curl -fsS --max-time 10 "$1" -o "$2"; }

start good --supervisord.url=unix://$sock --supervisord.username=monitor \
    --supervisord.password-file="$work/pw" --supervisord.timeout=2s
scrape "$url_good" "$work/good.prom"
expect "supervisord_up, state and info" "$work/good.prom" \
    'supervisord_up 1' 'supervisord_state 1' \
    "supervisord_info{state_name=\"RUNNING\",version=\"$(supervisord --version)\"} 1"
expect "running process" "$work/good.prom" \
    'supervisord_process_running{group="sleeper",name="sleeper"} 1' \
    'supervisord_process_state{group="sleeper",name="sleeper"} 20' \
    'supervisord_process_info{group="sleeper",name="sleeper",state_name="RUNNING"} 1' \
    "supervisord_process_pid{group=\"sleeper\",name=\"sleeper\"} $(ctl pid sleeper)"
expect "stopped process" "$work/good.prom" \
    'supervisord_process_running{group="stopped",name="stopped"} 0' \
    'supervisord_process_state{group="stopped",name="stopped"} 0' \
    'supervisord_process_pid{group="stopped",name="stopped"} 0' \
    'supervisord_process_start_time_seconds{group="stopped",name="stopped"} 0' \
    'supervisord_process_uptime_seconds{group="stopped",name="stopped"} 0'
expect "exited non-zero" "$work/good.prom" \
    'supervisord_process_state{group="quick",name="quick"} 100' \
    'supervisord_process_exit_status{group="quick",name="quick"} 3' \
    'supervisord_process_info{group="quick",name="quick",state_name="EXITED"} 1'
expect "fatal" "$work/good.prom" \
    'supervisord_process_state{group="failer",name="failer"} 200' \
    'supervisord_process_running{group="failer",name="failer"} 0' \
    'supervisord_process_info{group="failer",name="failer",state_name="FATAL"} 1'
start_t=$(awk '/^supervisord_process_start_time_seconds\{group="sleeper"/{print $2}' "$work/good.prom")
up_t=$(awk '/^supervisord_process_uptime_seconds\{group="sleeper"/{print $2}' "$work/good.prom")
now=$(date +%s)
if awk -v s="$start_t" -v u="$up_t" -v n="$now" 'BEGIN{exit !(s > n-60 && s <= n && u >= 0 && u < 60)}'
then t_ok "start time $start_t and uptime $up_t plausible"; else t_bad "start time/uptime" "start=$start_t uptime=$up_t now=$now"; fi
promtool check metrics <"$work/good.prom" >"$work/promtool.out" 2>&1; rc=$?
if [ $rc = 0 ]; then t_ok "promtool check metrics: exit 0"; else t_bad "promtool check metrics (exit $rc)" "$(cat "$work/promtool.out")"; fi

# no credentials: 401 said in the log, up 0, scrape answers
start noauth --supervisord.url=unix://$sock
scrape "$url_noauth" "$work/noauth.prom"
expect "no credentials: up 0" "$work/noauth.prom" 'supervisord_up 0'
if grep -q '401' "$work/noauth.log"; then t_ok "no credentials: log says 401"; else t_bad "401 logged" "$(cat "$work/noauth.log")"; fi
if grep -rq 's3cret' "$work"/*.log; then t_bad "password never logged" "$(grep -r s3cret "$work"/*.log)"; else t_ok "password never logged"; fi

# permission denied: the socket chmod 000, exporter as nobody
chmod 000 "$sock"
start perm --as-nobody --supervisord.url=unix://$sock --supervisord.username=monitor \
    --supervisord.password-file=/dev/null
scrape "$url_perm" "$work/perm.prom"
expect "no permission: up 0" "$work/perm.prom" 'supervisord_up 0'
if grep -q 'permission denied on socket' "$work/perm.log"; then t_ok "no permission: clear log line"
else t_bad "permission denied logged" "$(cat "$work/perm.log")"; fi
chmod 700 "$sock"

# a peer that accepts and never answers
hang=$work/hang.sock
t_hang "$hang"
start hang --supervisord.url=unix://$hang --supervisord.timeout=1s
t0=$(date +%s.%N); scrape "$url_hang" "$work/hang.prom"; t1=$(date +%s.%N)
el=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
if awk -v e="$el" 'BEGIN{exit !(e < 2.5)}'; then t_ok "hung peer: scrape answered in ${el}s (timeout 1s)"
else t_bad "hung peer: scrape took ${el}s"; fi
expect "hung peer: up 0" "$work/hang.prom" 'supervisord_up 0'
grep -qi 'timed out' "$work/hang.log" && t_ok "hung peer: timeout logged" || t_bad "timeout logged" "$(cat "$work/hang.log")"

# supervisord stopped: socket removed, scrape still answers with up 0
kill -TERM "$svpid"
for _ in $(seq 1 100); do kill -0 "$svpid" 2>/dev/null || break; sleep 0.1; done
[ -e "$sock" ] && rm -f "$sock"
if scrape "$url_good" "$work/gone.prom"; then t_ok "socket gone: scrape answers"; else t_bad "socket gone: scrape answers"; fi
expect "socket gone: up 0, no process series" "$work/gone.prom" 'supervisord_up 0' \
    'supervisord_scrape_collector_success{collector="supervisord"} 1'
if grep -q '^supervisord_process_' "$work/gone.prom"; then t_bad "no stale process series"; else t_ok "no stale process series"; fi
grep -q 'does not exist' "$work/good.log" && t_ok "socket gone: log says the socket does not exist" \
    || t_bad "missing socket logged" "$(cat "$work/good.log")"
promtool check metrics <"$work/gone.prom" >/dev/null 2>&1 && t_ok "promtool on the down page: exit 0" || t_bad "promtool on the down page"
t_finish

# SPDX-License-Identifier: Apache-2.0
# lib.bash: what flint's integration scripts share (sourced, not run): the binaries from
# $FLINT and $NODE_EXPORTER (default: this variant's build), a temporary work dir removed
# on exit with every process started through start_bg, free loopback ports, ok/bad
# counters with the closing "N passed, N failed" line, and waiting helpers.
cd "$(dirname "$0")/../../.."
FLINT=${FLINT:-build/${VARIANT:-release}/flint/flint}
NODE_EXPORTER=${NODE_EXPORTER:-build/${VARIANT:-release}/node_exporter/node_exporter}
pass=0; fail=0
work=$(mktemp -d)
bg_pids=()
cleanup() {
    exec 2>/dev/null   # no "Killed" job notices after the summary line
    for p in "${bg_pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | head -n 20 | sed 's/^/     | /'; }
check() {  # check NAME CMD...: passes when CMD succeeds
    local name=$1; shift
    if "$@" >"$work/out" 2>&1; then ok "$name"; else bad "$name" "$(cat "$work/out")"; fi
}
finish() {  # a sanitizer build's reports in any log fail the script, then the summary
    if grep -q 'Sanitizer\|runtime error:' "$work"/*.log 2>/dev/null; then
        bad "no sanitizer report in the logs" "$(grep -h -A8 'Sanitizer\|runtime error:' "$work"/*.log)"
    else
        ok "no sanitizer report in the logs"
    fi
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit $?
}
need() {  # need BIN...: stop the script (as a failure) when a binary is missing
    for b in "$@"; do
        if [ ! -x "$b" ]; then bad "binary $b exists (run make all)"; finish; fi
    done
}
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
# start_bg LOG CMD...: run CMD in the background, output to LOG; sets $last_pid.
start_bg() {
    local log=$1; shift
    "$@" >"$log" 2>&1 &
    last_pid=$!
    bg_pids+=("$last_pid")
}
# wait_http URL [TRIES]: until URL answers 200 (0.1 s steps; default 100).
wait_http() {
    local i
    for i in $(seq 1 "${2:-100}"); do
        curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
# wait_for TRIES CMD...: until CMD succeeds (0.2 s steps).
wait_for() {
    local n=$1 i; shift
    for i in $(seq 1 "$n"); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    return 1
}
# json EXPR URL: evaluate a Python expression on the JSON answer (bound to d).
json() {
    curl -gfsS "$2" | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}

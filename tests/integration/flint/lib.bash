# SPDX-License-Identifier: Apache-2.0
# lib.bash: what flint's integration scripts share (sourced, not run): tests/lib.sh (a temp
# dir $work removed on exit with every process started through start_bg, free loopback
# ports, ok/bad counters with the closing "N passed, N failed" line, waiting helpers) under
# the names these scripts use, the binaries from $FLINT and $NODE_EXPORTER (default: this
# variant's build), and a failure for any sanitizer report in the logs.
cd "$(dirname "$0")/../../.."
. tests/lib.sh
FLINT=${FLINT:-build/${VARIANT:-release}/flint/flint}
NODE_EXPORTER=${NODE_EXPORTER:-build/${VARIANT:-release}/node_exporter/node_exporter}
t_init flint-it; work=$T

ok()  { t_ok "$@"; }
bad() { t_bad "$@"; }
check() { t_check_quiet "$@"; }   # check NAME CMD...: passes when CMD succeeds
finish() {  # a sanitizer build's reports in any log fail the script, then the summary
    if grep -q 'Sanitizer\|runtime error:' "$work"/*.log 2>/dev/null; then
        bad "no sanitizer report in the logs" "$(grep -h -A8 'Sanitizer\|runtime error:' "$work"/*.log)"
    else
        ok "no sanitizer report in the logs"
    fi
    t_finish
}
need() {  # need BIN...: stop the script (as a failure) when a binary is missing
    for b in "$@"; do
        if [ ! -x "$b" ]; then bad "binary $b exists (run make all)"; finish; fi
    done
}
free_port() { t_free_port; }
# start_bg LOG CMD...: run CMD in the background, output to LOG; sets $last_pid.
start_bg() { t_bg "$@"; last_pid=$t_pid; }
wait_http() { t_wait_http "$@"; }   # wait_http URL [TRIES]: until URL answers 2xx
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

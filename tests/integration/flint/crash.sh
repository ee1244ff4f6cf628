#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# crash.sh: flint killed with SIGKILL at random moments (CRASH_ROUNDS, default 20) while
# it scrapes a node_exporter and itself every 200ms, restarted on the same data
# directory each time. After every restart: it comes back ready; every `up` sample it
# had acknowledged (returned by the API) before the kill is still there (the count of
# up samples only grows); every series seen before is still listed by /api/v1/series and
# the recent ones by /federate; and no corrupt-block error is logged (a torn WAL tail is
# expected and allowed). Prints "N passed, N failed" last.
set -u
. "$(dirname "$0")/lib.bash"
need "$FLINT" "$NODE_EXPORTER"
ROUNDS=${CRASH_ROUNDS:-20}

nport=$(free_port); fport=$(free_port)
start_bg "$work/ne.log" "$NODE_EXPORTER" --web.listen-address=127.0.0.1:$nport
cat >"$work/flint.yml" <<YML
global: {scrape_interval: 200ms, scrape_timeout: 190ms}
scrape_configs:
  - job_name: node
    static_configs: [{targets: ['127.0.0.1:$nport']}]
  - job_name: flint
    static_configs: [{targets: ['127.0.0.1:$fport']}]
YML
url=http://127.0.0.1:$fport
ups() {  # the number of up samples stored (all jobs), or empty on failure
    json "int(float(d['data']['result'][0]['value'][1])) if d['data']['result'] else 0" \
        "$url/api/v1/query?query=sum(count_over_time(up[1d]))"
}
series_of() {  # series_of FILE: the sorted series of both jobs (labels as JSON) into FILE
    curl -gfsS "$url/api/v1/series?match[]={job=~\"node|flint\",__name__=~\"up|node_load1|process_cpu_seconds_total\"}&start=0" |
        python3 -c 'import json,sys; [print(json.dumps(s, sort_keys=True)) for s in sorted(json.load(sys.stdin)["data"], key=lambda s: json.dumps(s, sort_keys=True))]' >"$1"
}

prev=0
: >"$work/seen"
rounds_ok=0
for round in $(seq 1 "$ROUNDS"); do
    start_bg "$work/flint.$round.log" "$FLINT" --config.file="$work/flint.yml" \
        --web.listen-address=127.0.0.1:$fport --storage.tsdb.path="$work/data"
    fpid=$last_pid
    if ! wait_http "$url/-/ready" 300; then
        bad "round $round: flint restarts after SIGKILL" "$(tail -20 "$work/flint.$round.log")"
        break
    fi
    # everything acknowledged before the previous kill is still there
    n=$(ups)
    if [ -z "$n" ] || [ "$n" -lt "$prev" ]; then
        bad "round $round: up samples only grow ($prev before the kill, ${n:-none} after)"
    fi
    series_of "$work/now"
    missing=$(comm -23 "$work/seen" "$work/now")
    [ -n "$missing" ] && bad "round $round: series from before the kill are listed" "$missing"
    if grep -i 'corrupt' "$work/flint.$round.log" | grep -qi 'block'; then
        bad "round $round: no corrupt block" "$(grep -i corrupt "$work/flint.$round.log")"
    fi
    # let it scrape a while, note what it acknowledges, then kill it at a random moment
    sleep "$(python3 -c 'import random; print(round(random.uniform(0.3, 2.5), 2))')"
    n=$(ups)
    [ -n "$n" ] && prev=$n
    series_of "$work/now" && sort -u "$work/seen" "$work/now" -o "$work/seen"
    sleep "$(python3 -c 'import random; print(round(random.uniform(0, 0.4), 3))')"
    kill -KILL "$fpid"
    wait "$fpid" 2>/dev/null
    rounds_ok=$((rounds_ok + 1))
done
if [ "$rounds_ok" = "$ROUNDS" ] && [ "$fail" = 0 ]; then ok "$ROUNDS kill -9 rounds: nothing acknowledged was lost"; fi
check "up samples were stored ($prev)" test "$prev" -gt 0
check "series were seen before the kills" test "$(wc -l <"$work/seen")" -ge 4

# a last clean start: the data is still all there, /federate sees recent series
start_bg "$work/flint.last.log" "$FLINT" --config.file="$work/flint.yml" \
    --web.listen-address=127.0.0.1:$fport --storage.tsdb.path="$work/data"
fpid=$last_pid
check "final restart is ready" wait_http "$url/-/ready" 300
n=$(ups)
check "final: up samples only grew ($prev -> ${n:-none})" test "${n:-0}" -ge "$prev"
series_of "$work/now"
check "final: every series seen is listed" test -z "$(comm -23 "$work/seen" "$work/now")"
check "final: /federate has up of both jobs" sh -c "curl -gfsS '$url/federate?match[]=up' | grep -c '^up{' | grep -qx 2"
check "final: no corrupt block in any log" sh -c "! cat '$work'/flint.*.log | grep -i corrupt | grep -qi block"
kill -TERM "$fpid"
finish

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scrape.sh: flint scraping our node_exporter and itself on loopback: both targets up in
# /api/v1/targets, node_* series and label values through the API, promtool's query
# series/labels against flint, /federate, flint's own /metrics, the lifecycle flag, and
# `promtool check config` on the default flint.yml. When the Debian prometheus is
# installed, the same endpoints of a Prometheus scraping the same node_exporter are
# compared key by key (shapes, not values). Prints "N passed, N failed" last.
set -u
. "$(dirname "$0")/lib.bash"
need "$FLINT" "$NODE_EXPORTER"

check "promtool check config flint.yml" promtool check config flint.yml

nport=$(free_port); fport=$(free_port)
start_bg "$work/ne.log" "$NODE_EXPORTER" --web.listen-address=127.0.0.1:$nport
cat >"$work/flint.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
  external_labels: {site: test}
scrape_configs:
  - job_name: flint
    static_configs: [{targets: ['127.0.0.1:$fport']}]
  - job_name: node
    static_configs: [{targets: ['127.0.0.1:$nport']}]
YML
start_bg "$work/flint.log" "$FLINT" --config.file="$work/flint.yml" \
    --web.listen-address=127.0.0.1:$fport --storage.tsdb.path="$work/data"
fpid=$last_pid
url=http://127.0.0.1:$fport
if wait_http "$url/-/ready"; then ok "flint is ready"; else bad "flint is ready" "$(cat "$work/flint.log")"; finish; fi
check "log: Server is ready" grep -q 'msg="Server is ready to receive web requests."' "$work/flint.log"

both_up() {
    [ "$(json "sorted(t['labels']['job'] + '=' + t['health'] for t in d['data']['activeTargets'])" "$url/api/v1/targets")" = "['flint=up', 'node=up']" ]
}
if wait_for 50 both_up; then ok "targets: flint and node up"
else bad "targets: flint and node up" "$(curl -s "$url/api/v1/targets")"; fi
check "targets: scrapeUrl and pool" test "$(json "[t['scrapeUrl'] for t in d['data']['activeTargets'] if t['scrapePool'] == 'node']" "$url/api/v1/targets")" = "['http://127.0.0.1:$nport/metrics']"

check "series: node_load1" test "$(json "[s['job'] for s in d['data']]" "$url/api/v1/series?match[]=node_load1")" = "['node']"
n=$(json "len(d['data'])" "$url/api/v1/series?match[]={__name__=~\"node_.*\"}")
if [ "${n:-0}" -gt 50 ]; then ok "series: $n node_* series"; else bad "series: node_* series" "$n"; fi
check "series: bad selector is 400 bad_data" test "$(curl -gs -o /dev/null -w '%{http_code}' "$url/api/v1/series?match[]=up{")" = 400
check "labels include instance, job" test "$(json "'instance' in d['data'] and 'job' in d['data']" "$url/api/v1/labels")" = True
check "label values: job" test "$(json "d['data']" "$url/api/v1/label/job/values")" = "['flint', 'node']"
check "label values: __name__ has node_cpu_seconds_total" test "$(json "'node_cpu_seconds_total' in d['data']" "$url/api/v1/label/__name__/values")" = True

check "promtool query series" sh -c "promtool query series $url --match=node_load1 | grep -q 'job=\"node\"'"
check "promtool query labels job" sh -c "promtool query labels $url job | grep -qx node"
check "promtool query instant" sh -c "promtool query instant $url 'up{job=\"node\"}' | grep -q '^up{instance=\"127.0.0.1:$nport\", job=\"node\"} => 1 @'"
now=$(date +%s)
check "promtool query range" sh -c "promtool query range --start=$((now - 1)) --end=$now --step=1s $url 'up{job=\"node\"}' | grep -c '^1 @' | grep -qx 2"

curl -gfsS "$url/federate?match[]=up" >"$work/fed" 2>&1
check "federate: up of both jobs with external labels" sh -c "grep -c '^up{instance=\"127.0.0.1:[0-9]*\",job=\"\(flint\|node\)\",site=\"test\"} 1 [0-9]*$' '$work/fed' | grep -qx 2"
check "federate: TYPE line" grep -qx '# TYPE up untyped' "$work/fed"

curl -fsS "$url/metrics" >"$work/self" 2>&1
for fam in prometheus_build_info process_resident_memory_bytes prometheus_config_last_reload_successful prometheus_tsdb_head_series prometheus_target_scrape_pool_targets; do
    check "/metrics has $fam" grep -q "^$fam" "$work/self"
done
check "reload without --web.enable-lifecycle: 403" test "$(curl -s -o /dev/null -w '%{http_code}' -XPOST "$url/-/reload")" = 403
check "status/config returns the file" test "$(json "d['data']['yaml'] == open('$work/flint.yml').read()" "$url/api/v1/status/config")" = True
check "status/flags: storage.tsdb.path" test "$(json "d['data']['storage.tsdb.path']" "$url/api/v1/status/flags")" = "$work/data"
check "admin snapshot without --web.enable-admin-api: 503" test "$(curl -s -o /dev/null -w '%{http_code}' -XPOST "$url/api/v1/admin/tsdb/snapshot")" = 503
check "format_query pretty-prints as Prometheus" test "$(json "d['data']" "$url/api/v1/format_query?query=sum(rate(a[5m]))by(job)")" = "sum by (job) (rate(a[5m]))"

# A second flint with the admin API: a snapshot holds the head as a block that opens.
aport=$(free_port)
start_bg "$work/admin.log" "$FLINT" --config.file="$work/flint.yml" --web.enable-admin-api \
    --web.listen-address=127.0.0.1:$aport --storage.tsdb.path="$work/adata"
apid=$last_pid
aurl=http://127.0.0.1:$aport
if wait_http "$aurl/-/ready" && wait_for 50 sh -c "curl -gs '$aurl/api/v1/query?query=up' | grep -q '\"1\"'"; then
    snap=$(curl -s -XPOST "$aurl/api/v1/admin/tsdb/snapshot" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["name"])')
    check "admin snapshot: name like Prometheus's" sh -c "echo '$snap' | grep -Eq '^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{16}$'"
    check "admin snapshot: the head as a block" sh -c "ls '$work/adata/snapshots/$snap'/*/meta.json"
    check "admin snapshot: flint tsdb analyze reads it" sh -c "'$FLINT' tsdb analyze '$work/adata/snapshots/$snap' | grep -qi series"
else
    bad "second flint with the admin API scrapes" "$(tail -5 "$work/admin.log")"
fi
kill -TERM "$apid" 2>/dev/null

# Side by side with the Debian Prometheus: the same JSON keys on the same endpoints.
if command -v prometheus >/dev/null; then
    pport=$(free_port)
    sed "s/127.0.0.1:$fport/127.0.0.1:$pport/" "$work/flint.yml" >"$work/prom.yml"
    start_bg "$work/prom.log" prometheus --config.file="$work/prom.yml" \
        --web.listen-address=127.0.0.1:$pport --storage.tsdb.path="$work/promdata"
    purl=http://127.0.0.1:$pport
    prom_up() { [ "$(json "len([t for t in d['data']['activeTargets'] if t['health'] == 'up'])" "$purl/api/v1/targets")" = 2 ]; }
    if wait_for 100 prom_up; then
        for p in /api/v1/targets '/api/v1/targets?state=dropped' /api/v1/status/runtimeinfo \
                 /api/v1/status/buildinfo /api/v1/status/tsdb /api/v1/status/config \
                 '/api/v1/series?match[]=node_load1' /api/v1/labels /api/v1/label/job/values \
                 '/api/v1/series' '/api/v1/series?match[]=up&start=x' '/api/v1/label/1x/values' \
                 '/api/v1/query?query=up' '/api/v1/query?query=up{' '/api/v1/query?query=1' \
                 '/api/v1/query_range?query=up&start=0&end=10&step=0' \
                 "/api/v1/query_range?query=up&start=$(date +%s)&end=$(($(date +%s) + 2))&step=1" \
                 '/api/v1/metadata?metric=nothing_here' '/api/v1/query_exemplars?query=up' \
                 '/api/v1/format_query?query=sum(rate(x[5m]))by(job)' '/api/v1/format_query?query=x{'; do
            out=$(python3 - "$purl$p" "$url$p" <<'PY'
import json, sys, urllib.request, urllib.error
def get(u):
    try:
        r = urllib.request.urlopen(u); return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)
def shape(v, key=""):
    if isinstance(v, dict):
        if key in ("labels", "discoveredLabels", "metric") or key == "data" and False:
            return "labels"
        return {k: shape(x, k) for k, x in sorted(v.items())}
    if isinstance(v, list):
        s = [shape(x, key) for x in v]
        return [s[0]] if s else []
    return type(v).__name__
a, b = get(sys.argv[1]), get(sys.argv[2])
if a[0] != b[0]: print("status", a[0], "vs", b[0])
elif shape(a[1]) != shape(b[1]): print(json.dumps(shape(a[1]))[:400], "\nvs", json.dumps(shape(b[1]))[:400])
PY
)
            if [ -z "$out" ]; then ok "same shape as Prometheus: $p"; else bad "same shape as Prometheus: $p" "$out"; fi
        done
    else
        bad "Debian prometheus scrapes both targets" "$(tail -5 "$work/prom.log")"
    fi
fi

kill -TERM "$fpid"
wait_for 50 sh -c "! kill -0 $fpid" && ok "SIGTERM stops flint" || bad "SIGTERM stops flint"
check "log: clean exit" grep -q 'See you next time' "$work/flint.log"
check "no error in the log" sh -c "! grep 'level=error' '$work/flint.log'"
finish

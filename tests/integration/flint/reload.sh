#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# reload.sh: configuration reloads of a running flint (--web.enable-lifecycle): a bad
# file is refused through POST /-/reload (500 naming file:line) and through SIGHUP, and
# the old configuration keeps scraping; good files applied through PUT /-/reload and
# SIGHUP change the targets; prometheus_config_last_reload_successful follows.
# Prints "N passed, N failed" last.
set -u
. "$(dirname "$0")/lib.bash"
need "$FLINT" "$NODE_EXPORTER"

nport=$(free_port); fport=$(free_port)
start_bg "$work/ne.log" "$NODE_EXPORTER" --web.listen-address=127.0.0.1:$nport
cfg=$work/flint.yml
good1="global: {scrape_interval: 1s, scrape_timeout: 900ms}
scrape_configs:
  - job_name: node
    static_configs: [{targets: ['127.0.0.1:$nport']}]
"
good2="$good1  - job_name: flint
    static_configs: [{targets: ['127.0.0.1:$fport']}]
"
good3="global: {scrape_interval: 1s, scrape_timeout: 900ms}
scrape_configs:
  - job_name: flint
    static_configs: [{targets: ['127.0.0.1:$fport']}]
"
bad="global: {scrape_interval: 1s}
scrape_configs:
  - job_name: node
    scrape_intervall: 5s
"
printf '%s' "$good1" >"$cfg"
start_bg "$work/flint.log" "$FLINT" --config.file="$cfg" --web.enable-lifecycle \
    --web.listen-address=127.0.0.1:$fport --storage.tsdb.path="$work/data"
fpid=$last_pid
url=http://127.0.0.1:$fport
if wait_http "$url/-/ready"; then ok "flint is ready"; else bad "flint is ready" "$(cat "$work/flint.log")"; finish; fi

jobs_up() {  # jobs_up WANT: the sorted list of up jobs is WANT
    [ "$(json "','.join(sorted(t['labels']['job'] for t in d['data']['activeTargets'] if t['health'] == 'up'))" "$url/api/v1/targets")" = "$1" ]
}
reload_metric() {
    curl -fsS "$url/metrics" | grep '^prometheus_config_last_reload_successful ' | cut -d' ' -f2
}
scrapes_of_node() {  # lastScrape of the node target
    json "[t['lastScrape'] for t in d['data']['activeTargets'] if t['labels']['job'] == 'node'][0]" "$url/api/v1/targets"
}
check "node target up" wait_for 50 jobs_up node
check "reload metric is 1 at start" test "$(reload_metric)" = 1

# a bad file through POST /-/reload
printf '%s' "$bad" >"$cfg"
code=$(curl -s -o "$work/resp" -w '%{http_code}' -XPOST "$url/-/reload")
if [ "$code" = 500 ] && grep -q "^failed to reload config: $cfg:4" "$work/resp"; then ok "bad config: POST /-/reload answers 500 with file:line"
else bad "bad config: POST /-/reload answers 500 with file:line" "$code $(cat "$work/resp")"; fi
check "bad config: error logged with the file" grep -q "level=error.*msg=\"Error reloading config\".*$cfg:4" "$work/flint.log"
check "bad config: reload metric is 0" test "$(reload_metric)" = 0
check "bad config: runtimeinfo reloadConfigSuccess false" test "$(json "d['data']['reloadConfigSuccess']" "$url/api/v1/status/runtimeinfo")" = False
check "bad config: status/config still the old file" test "$(json "d['data']['yaml'] == '''$good1'''" "$url/api/v1/status/config")" = True
s1=$(scrapes_of_node); sleep 2.2; s2=$(scrapes_of_node)
if [ -n "$s1" ] && [ "$s1" != "$s2" ]; then ok "bad config: the old one keeps scraping"; else bad "bad config: the old one keeps scraping" "$s1 / $s2"; fi

# a bad file through SIGHUP
n=$(grep -c 'Error reloading config' "$work/flint.log")
kill -HUP "$fpid"
check "SIGHUP with a bad config: logged" wait_for 25 sh -c "[ \$(grep -c 'Error reloading config' '$work/flint.log') -gt $n ]"
check "SIGHUP with a bad config: still running" kill -0 "$fpid"
s3=$(scrapes_of_node); sleep 2.2; s4=$(scrapes_of_node)
if [ "$s3" != "$s4" ]; then ok "SIGHUP with a bad config: still scraping"; else bad "SIGHUP with a bad config: still scraping" "$s3 / $s4"; fi

# good files through PUT /-/reload and SIGHUP
printf '%s' "$good2" >"$cfg"
check "PUT /-/reload with a good config: 200" test "$(curl -s -o /dev/null -w '%{http_code}' -XPUT "$url/-/reload")" = 200
check "good config: both jobs up" wait_for 50 jobs_up flint,node
check "good config: reload metric back to 1" test "$(reload_metric)" = 1
printf '%s' "$good3" >"$cfg"
kill -HUP "$fpid"
check "SIGHUP with a good config: node target removed" wait_for 50 jobs_up flint
check "SIGHUP with a good config: status/config is the new file" test "$(json "d['data']['yaml'] == '''$good3'''" "$url/api/v1/status/config")" = True
check "GET /-/reload: 405" test "$(curl -s -o /dev/null -w '%{http_code}' "$url/-/reload")" = 405
check "POST /-/quit answers" curl -fsS -XPOST "$url/-/quit"
check "POST /-/quit stops flint" wait_for 75 sh -c "! kill -0 $fpid"
check "log: termination via web" grep -q 'Received termination request via web service' "$work/flint.log"
finish

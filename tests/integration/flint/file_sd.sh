#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# file_sd.sh: file_sd_configs changed while flint runs: two node_exporters; a target
# added to the JSON file is scraped, a removed one leaves /api/v1/targets and its series
# get staleness markers (they leave /federate, which skips stale series, while their
# samples stay queryable through /api/v1/series); a broken file keeps the last good
# targets; a YAML file with group labels works too. Prints "N passed, N failed" last.
set -u
. "$(dirname "$0")/lib.bash"
need "$FLINT" "$NODE_EXPORTER"

a=$(free_port); b=$(free_port); fport=$(free_port)
start_bg "$work/ne_a.log" "$NODE_EXPORTER" --web.listen-address=127.0.0.1:$a
start_bg "$work/ne_b.log" "$NODE_EXPORTER" --web.listen-address=127.0.0.1:$b
mkdir -p "$work/sd"
echo "[{\"targets\": [\"127.0.0.1:$a\"], \"labels\": {\"team\": \"ops\"}}]" >"$work/sd/nodes.json"
cat >"$work/flint.yml" <<YML
global: {scrape_interval: 1s, scrape_timeout: 900ms}
scrape_configs:
  - job_name: node
    file_sd_configs:
      - files: ['sd/*.json']
        refresh_interval: 30s
  - job_name: yaml
    file_sd_configs:
      - files: ['sd/extra.yml']
YML
start_bg "$work/flint.log" "$FLINT" --config.file="$work/flint.yml" \
    --web.listen-address=127.0.0.1:$fport --storage.tsdb.path="$work/data"
url=http://127.0.0.1:$fport
if wait_http "$url/-/ready"; then ok "flint is ready"; else bad "flint is ready" "$(cat "$work/flint.log")"; finish; fi

instances() {  # instances JOB: sorted instance list of up targets of JOB
    json "','.join(sorted(t['labels']['instance'] for t in d['data']['activeTargets'] if t['health'] == 'up' and t['scrapePool'] == '$1'))" "$url/api/v1/targets"
}
is() { [ "$(instances "$1")" = "$2" ]; }
fed_has() {  # fed_has SELECTOR: /federate returns a sample for it
    curl -gfsS "$url/federate?match[]=$1" | grep -q '^[a-z]'
}
check "first target up" wait_for 50 is node "127.0.0.1:$a"
check "group label team=ops on the target" test "$(json "[t['labels'].get('team') for t in d['data']['activeTargets']]" "$url/api/v1/targets")" = "['ops']"
check "discoveredLabels carry __meta_filepath" test "$(json "[t['discoveredLabels'].get('__meta_filepath', '').endswith('sd/nodes.json') for t in d['data']['activeTargets']]" "$url/api/v1/targets")" = "[True]"

# add a target (write a new file, then rename over the old one: atomic as tools do)
echo "[{\"targets\": [\"127.0.0.1:$a\", \"127.0.0.1:$b\"], \"labels\": {\"team\": \"ops\"}}]" >"$work/sd/nodes.json.tmp"
mv "$work/sd/nodes.json.tmp" "$work/sd/nodes.json"
# instances() sorts as strings: so must the expected list (the ports are random)
both=$(printf '127.0.0.1:%s\n' "$a" "$b" | LC_ALL=C sort | paste -sd, -)
check "added target is scraped" wait_for 50 is node "$both"
check "added target's series in /federate" wait_for 25 fed_has "node_load1{instance=\"127.0.0.1:$b\"}"

# remove the first one (in place this time)
echo "[{\"targets\": [\"127.0.0.1:$b\"], \"labels\": {\"team\": \"ops\"}}]" >"$work/sd/nodes.json"
check "removed target leaves /api/v1/targets" wait_for 50 is node "127.0.0.1:$b"
gone() { ! fed_has "up{instance=\"127.0.0.1:$a\"}" && ! fed_has "node_load1{instance=\"127.0.0.1:$a\"}"; }
check "removed target's series are stale (gone from /federate)" wait_for 50 gone
check "removed target's series still in /api/v1/series" test "$(json "len(d['data'])" "$url/api/v1/series?match[]=up{instance=\"127.0.0.1:$a\"}")" = 1
check "remaining target's series still fresh" fed_has "up{instance=\"127.0.0.1:$b\"}"

# a broken file keeps the last good groups
echo '[{"targets": ["127.0.0.1:1"' >"$work/sd/nodes.json"
sleep 2
check "broken file: last good target kept" is node "127.0.0.1:$b"
check "broken file: logged" grep -q 'nodes.json' "$work/flint.log"

# a YAML file appears later, for the other job
printf -- "- targets: ['127.0.0.1:%s']\n  labels: {env: test}\n" "$a" >"$work/sd/extra.yml"
check "YAML file: its target is scraped" wait_for 75 is yaml "127.0.0.1:$a"
check "YAML file: group label env=test" test "$(json "[t['labels'].get('env') for t in d['data']['activeTargets'] if t['scrapePool'] == 'yaml']" "$url/api/v1/targets")" = "['test']"
finish

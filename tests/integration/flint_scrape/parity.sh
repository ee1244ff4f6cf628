#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# parity.sh: flint's scraper against Prometheus 2.42 ($PROMETHEUS, default the Debian
# build) on the same tricky page, served by a static file server: honor_labels both
# ways (exported_ prefixes, repeated, empty-valued exposed labels), metric relabeling,
# a line given twice, then a page where series vanish (staleness markers). The series
# sets, the kept values and the scrape_* report values must be the same in both.
# Binaries from $FLINT (see ../flint/lib.bash). Prints "N passed, N failed" last.
set -u
. "$(dirname "$0")/../flint/lib.bash"
PROMETHEUS=${PROMETHEUS:-/usr/bin/prometheus}
need "$FLINT" "$PROMETHEUS"

mkdir -p "$work/www"
cat >"$work/www/metrics" <<'PAGE'
# TYPE a gauge
a{job="x",instance="y",exported_job="z"} 1
b{job=""} 2
c{exported_instance="q",instance="w"} 3
d{x="1"} 4
d{x="2"} 5
dup 6
dup 7
drop_me 8
PAGE
sport=$(free_port); pport=$(free_port); fport=$(free_port)
start_bg "$work/www.log" python3 -m http.server "$sport" --bind 127.0.0.1 --directory "$work/www"
cat >"$work/scrape.yml" <<YML
global: {scrape_interval: 1s, scrape_timeout: 900ms}
scrape_configs:
  - job_name: hfalse
    static_configs: [{targets: ['127.0.0.1:$sport'], labels: {env: prod}}]
    metric_relabel_configs:
      - {source_labels: [__name__], regex: drop_.*, action: drop}
      - {source_labels: [x], target_label: y, replacement: 'was_\$1'}
  - job_name: htrue
    honor_labels: true
    static_configs: [{targets: ['127.0.0.1:$sport']}]
YML
start_bg "$work/prom.log" "$PROMETHEUS" --config.file="$work/scrape.yml" \
    --web.listen-address=127.0.0.1:$pport --storage.tsdb.path="$work/prom"
start_bg "$work/flint.log" "$FLINT" --config.file="$work/scrape.yml" \
    --web.listen-address=127.0.0.1:$fport --storage.tsdb.path="$work/flint"
check "prometheus is up" wait_http "http://127.0.0.1:$pport/-/ready" 300
check "flint is up" wait_http "http://127.0.0.1:$fport/-/ready" 300
sleep 8  # Prometheus starts scraping ~5 s after start (its discovery update delay)

# series PORT: every series of the two jobs' names over the last hour (a range query,
# stale ones included), one sorted JSON object a line
series() {
    curl -fsS -G "http://127.0.0.1:$1/api/v1/query" \
        --data-urlencode 'query={__name__=~"a|b|c|d|dup|drop_me|up|scrape_.*"}[1h]' |
        python3 -c 'import json,sys; print("\n".join(sorted(json.dumps(r["metric"], sort_keys=True) for r in json.load(sys.stdin)["data"]["result"])))'
}
# values PORT QUERY: the instant vector as sorted "labels value" lines
values() {
    curl -fsS -G "http://127.0.0.1:$1/api/v1/query" --data-urlencode "query=$2" |
        python3 -c 'import json,sys; print("\n".join(sorted(json.dumps(r["metric"], sort_keys=True) + " " + r["value"][1] for r in json.load(sys.stdin)["data"]["result"])))'
}
same() {  # same NAME CMD...: CMD PORT ... gives the same output for both servers
    local name=$1; shift
    "$@" "$pport" >"$work/p.out" 2>&1
    "$@" "$fport" >"$work/f.out" 2>&1
    if [ -s "$work/p.out" ] && cmp -s "$work/p.out" "$work/f.out"; then
        ok "$name"
    else
        bad "$name" "$(diff "$work/p.out" "$work/f.out")"
    fi
}
q() { values "$2" "$1"; }   # q QUERY PORT
same "series and labels (honor_labels, exported_, empty values, relabeling)" series
same "values of the page (first of a line given twice wins)" q '{__name__=~"a|b|c|d|dup"}'
same "up" q up
same "scrape_samples_scraped" q scrape_samples_scraped
same "scrape_samples_post_metric_relabeling" q scrape_samples_post_metric_relabeling
same "scrape_series_added after the first scrape" q 'scrape_series_added'

# series vanish: stale markers end them in instant queries in both
cat >"$work/www/metrics" <<'PAGE'
a{job="x",instance="y",exported_job="z"} 1
d{x="1"} 4
PAGE
sleep 3
same "vanished series are stale" q '{__name__=~"a|b|c|d|dup"}'
same "samples_scraped after the change" q scrape_samples_scraped
same "stale series still have their samples" q 'count by (__name__, job) (count_over_time({__name__=~"b|c|dup"}[1h]) > 0)'
finish

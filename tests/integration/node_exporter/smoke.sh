#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# smoke.sh: start the built node_exporter on 127.0.0.1 and an ephemeral port and check its
# HTTP surface and command line as upstream behaves: /-/healthy, the landing page,
# /metrics (plain and gzip), meta metrics, collect[] errors, --help, kingpin's unknown-flag
# error, promtool's lint, and a clean exit on SIGTERM. Needs no particular collector.
# Prints "N passed, N failed" last; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/../../.."
BIN=${NODE_EXPORTER:-build/${VARIANT:-release}/node_exporter/node_exporter}
. tests/lib.sh
t_init ne-it; work=$T
pid=
t_on_exit() { [ -n "$pid" ] && t_kill "$pid"; }


if [ ! -x "$BIN" ]; then
    t_bad "binary $BIN exists (run make all)"
    t_finish
fi

port=$(t_free_port)
url=http://127.0.0.1:$port

"$BIN" --web.listen-address=127.0.0.1:$port >"$work/log" 2>&1 &
pid=$!

if t_wait_up "$pid" "$url/-/healthy"; then t_ok "/-/healthy answers"; else t_bad "/-/healthy answers" "$(cat "$work/log")"; fi

t_check_quiet "log has Listening on" grep -q "msg=\"Listening on\" address=127.0.0.1:$port" "$work/log"

code=$(curl -s -o "$work/landing" -w '%{http_code}' "$url/")
if [ "$code" = 200 ] && grep -q 'href="/metrics"' "$work/landing"; then t_ok "landing page links /metrics"
else t_bad "landing page links /metrics" "code $code: $(head -c 400 "$work/landing")"; fi

curl -fsS -D "$work/hdr" "$url/metrics" -o "$work/metrics" 2>"$work/err"
t_check_quiet "/metrics 200" test -s "$work/metrics"
t_check_quiet "content type text 0.0.4" grep -qi '^content-type: text/plain; version=0.0.4' "$work/hdr"
for fam in node_exporter_build_info process_resident_memory_bytes; do
    t_check_quiet "/metrics has $fam" grep -q "^$fam" "$work/metrics"
done
# One duration and one success sample per enabled collector (the log names them); with no
# collector enabled yet there are none, which must not fail this script.
ncoll=$(grep -c 'level=info collector=' "$work/log")
nok=$(grep -c '^node_scrape_collector_success{' "$work/metrics")
ndur=$(grep -c '^node_scrape_collector_duration_seconds{' "$work/metrics")
if [ "$nok" = "$ncoll" ] && [ "$ndur" = "$ncoll" ]; then
    t_ok "node_scrape_collector_success/duration for each of $ncoll collectors"
else t_bad "node_scrape_collector_success/duration per collector" "log $ncoll, success $nok, duration $ndur"; fi

curl -fsS -H 'Accept-Encoding: gzip' -D "$work/ghdr" "$url/metrics" -o "$work/metrics.gz"
t_check_quiet "gzip content-encoding" grep -qi '^content-encoding: gzip' "$work/ghdr"
if gzip -dc "$work/metrics.gz" >"$work/metrics.gunz" 2>"$work/err"; then
    diff <(grep '^# TYPE' "$work/metrics" | sort) <(grep '^# TYPE' "$work/metrics.gunz" | sort) \
        >"$work/diff" && t_ok "gzip body has the same families" ||
        t_bad "gzip body has the same families" "$(cat "$work/diff")"
else t_bad "gzip body decodes" "$(cat "$work/err")"; fi

code=$(curl -s -o "$work/body400" -w '%{http_code}' "$url/metrics?collect%5B%5D=nosuch")
want="Couldn't create filtered metrics handler: couldn't create collector: missing collector: nosuch"
if [ "$code" = 400 ] && grep -qF "$want" "$work/body400"; then t_ok "collect[]=nosuch gives 400"
else t_bad "collect[]=nosuch gives 400" "code $code: $(cat "$work/body400")"; fi

if command -v promtool >/dev/null; then
    promtool check metrics <"$work/metrics" >"$work/lint" 2>&1; rc=$?
    if [ $rc = 0 ]; then t_ok "promtool check metrics"
    elif [ $rc = 3 ]; then t_ok "promtool check metrics (lint only, rc 3)"; sed 's/^/     lint: /' "$work/lint"
    else t_bad "promtool check metrics (rc $rc)" "$(cat "$work/lint")"; fi
else
    t_bad "promtool installed (scripts/deps.sh --test installs prometheus)"
fi

"$BIN" --help >"$work/help" 2>&1
t_check_quiet "--help lists --web.listen-address=:9100" grep -q -- '--web.listen-address=:9100' "$work/help"
t_check_quiet "--help lists --[no-]collector flags" grep -q -- '--collector.disable-defaults' "$work/help"
"$BIN" --version >"$work/version" 2>&1
t_check_quiet "--version" grep -q '^node_exporter, version ' "$work/version"

"$BIN" --x >"$work/unknown" 2>&1; rc=$?
if [ $rc != 0 ] && grep -qF "node_exporter: error: unknown long flag '--x', try --help" "$work/unknown"
then t_ok "unknown flag: kingpin's message"; else t_bad "unknown flag: kingpin's message" "rc $rc: $(cat "$work/unknown")"; fi

kill -TERM "$pid"
t0=$(date +%s%N); rc=
for _ in $(seq 1 40); do
    if ! kill -0 "$pid" 2>/dev/null; then wait "$pid"; rc=$?; break; fi
    sleep 0.05
done
t1=$(date +%s%N)
if [ "$rc" = 0 ]; then t_ok "SIGTERM: exit 0 in $(( (t1 - t0) / 1000000 )) ms"; pid=
else t_bad "SIGTERM: exit 0 within 2 s" "rc '${rc}'; log: $(tail -n 5 "$work/log")"; fi

t_summary

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# zeo.sh: zeo_exporter against the ZEO stand-in (tests/tools/fake_zeo, wire protocol as in
# EXPORTERS.md 8): one server on TCP (storage "1"), one on a unix socket (storages "main"
# and "catalog", msgpack "M5" announcement), a ZEO 4 monitor server; then a hanging
# server (the scrape ends inside --zeo.timeout, zeo_up 0 for it, the others report),
# garbage / truncated / huge / bad-JSON answers (zeo_up 0, no crash), promtool.
# Prints "N passed, N failed" last; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/../../.."
BIN=${BIN:-build/release/zeo_exporter/zeo_exporter}
FAKE=${FAKE:-build/release/tests/tools/fake_zeo}
FIX=tests/fixtures/zeo_exporter
. tests/lib.sh
t_init zeo-it

for f in "$BIN" "$FAKE"; do
    [ -x "$f" ] || { t_bad "missing $f (make all unit)"; t_finish; }
done

fake() {  # fake LISTEN FIXTURE [ARGS...]
    local l=$1 fx=$2; shift 2
    "$FAKE" --listen "$l" --fixture "$FIX/$fx" "$@" >>"$T/fake.log" 2>&1 &
    t_pids+=($!)
}
start_exporter() {  # start_exporter ARGS...
    "$BIN" --web.listen-address="127.0.0.1:$EP" "$@" >"$T/exporter.log" 2>&1 &
    EPID=$!
    t_pids+=("$EPID")
    t_wait_up "$EPID" "http://127.0.0.1:$EP/-/healthy" 100 && return 0
    echo "exporter did not start:"; cat "$T/exporter.log"
    return 1
}
stop_exporter() { kill "$EPID" 2>/dev/null; wait "$EPID" 2>/dev/null; }
scrape() { curl -s --max-time 20 "http://127.0.0.1:$EP/metrics" > "$T/out.prom"; }
has() { grep -qxF -- "$1" "$T/out.prom"; }
hasre() { grep -qE -- "$1" "$T/out.prom"; }
promtool_ok() {
    command -v promtool >/dev/null || { echo "(promtool not installed)"; return 1; }
    promtool check metrics < "$T/out.prom"
}

P1=$(t_free_port); P3=$(t_free_port); PH=$(t_free_port); PG=$(t_free_port); PT=$(t_free_port)
PB=$(t_free_port); PJ=$(t_free_port); EP=$(t_free_port)
SOCK="$T/zeo.sock"
fake "127.0.0.1:$P1" one.fixture
fake "$SOCK" two.fixture --proto M5
fake "127.0.0.1:$P3" two.fixture --mode monitor
for w in "$P1" "$SOCK" "$P3"; do t_wait_port "$w" || t_bad "fake_zeo on $w did not start"; done

# ---- three good servers: TCP, unix socket (two storages), ZEO 4 monitor ----
start_exporter --zeo.address="127.0.0.1:$P1" --zeo.address "$SOCK" \
    --zeo.monitor-address="127.0.0.1:$P3" --zeo.timeout=2s
scrape
A="127.0.0.1:$P1"; M="127.0.0.1:$P3"
t_check "tcp: zeo_up 1" has "zeo_up{address=\"$A\"} 1"
t_check "unix: zeo_up 1" has "zeo_up{address=\"$SOCK\"} 1"
t_check "monitor: zeo_up 1" has "zeo_up{address=\"$M\"} 1"
t_check "tcp: protocol Z5" has "zeo_protocol_info{address=\"$A\",version=\"Z5\"} 1"
t_check "unix: protocol M5" has "zeo_protocol_info{address=\"$SOCK\",version=\"M5\"} 1"
t_check "tcp: connections" has "zeo_connections{address=\"$A\",storage=\"1\"} 1"
t_check "tcp: commits counter" has "zeo_commits_total{address=\"$A\",storage=\"1\"} 1"
t_check "tcp: last transaction from TID" \
    has "zeo_last_transaction_timestamp_seconds{address=\"$A\",storage=\"1\"} 1.42038222403486e+09"
t_check "tcp: timeout thread alive" has "zeo_timeout_thread_alive{address=\"$A\",storage=\"1\"} 1"
t_check "tcp: lock free -> 0" has "zeo_lock_held_seconds{address=\"$A\",storage=\"1\"} 0"
t_check "tcp: start time" hasre "^zeo_start_time_seconds\{address=\"$A\",storage=\"1\"\} 1\.42[0-9.]+e\+09$"
t_check "unix: storage main loads" has "zeo_loads_total{address=\"$SOCK\",storage=\"main\"} 48213"
t_check "unix: storage main waiting" has "zeo_waiting{address=\"$SOCK\",storage=\"main\"} 3"
t_check "unix: storage main active txns" has "zeo_active_transactions{address=\"$SOCK\",storage=\"main\"} 2"
t_check "unix: conflicts" has "zeo_conflicts_total{address=\"$SOCK\",storage=\"main\"} 5"
t_check "unix: conflicts resolved" has "zeo_conflicts_resolved_total{address=\"$SOCK\",storage=\"main\"} 4"
t_check "unix: aborts, stores" bash -c "grep -qxF 'zeo_aborts_total{address=\"$SOCK\",storage=\"main\"} 7' $T/out.prom && grep -qxF 'zeo_stores_total{address=\"$SOCK\",storage=\"main\"} 912' $T/out.prom"
t_check "unix: lock held > 0" hasre "^zeo_lock_held_seconds\{address=\"$SOCK\",storage=\"main\"\} [1-9]"
t_check "unix: stub timeout thread -> absent" bash -c "! grep -q 'zeo_timeout_thread_alive{address=\"$SOCK\",storage=\"main\"}' $T/out.prom"
t_check "unix: dead timeout thread -> 0" has "zeo_timeout_thread_alive{address=\"$SOCK\",storage=\"catalog\"} 0"
t_check "unix: empty storage has no last-transaction time" bash -c "! grep -q 'zeo_last_transaction_timestamp_seconds{address=\"$SOCK\",storage=\"catalog\"}' $T/out.prom"
t_check "monitor: commit lock held for" has "zeo_lock_held_seconds{address=\"$M\",storage=\"main\"} 4"
t_check "monitor: clients" has "zeo_connections{address=\"$M\",storage=\"main\"} 12"
t_check "monitor: no waiting figure" bash -c "! grep -q 'zeo_waiting{address=\"$M\"' $T/out.prom"
t_check "collector success 1" has 'zeo_scrape_collector_success{collector="zeo"} 1'
t_check "promtool check metrics (good servers)" promtool_ok
stop_exporter

# ---- a hanging server, a dead port and misbehaving ones beside a good one ----
fake "127.0.0.1:$PH" one.fixture --mode hang
fake "127.0.0.1:$PG" one.fixture --mode garbage
fake "127.0.0.1:$PT" one.fixture --mode truncated
fake "127.0.0.1:$PB" one.fixture --mode huge
fake "127.0.0.1:$PJ" one.fixture --mode badjson
for w in "$PH" "$PG" "$PT" "$PB" "$PJ"; do t_wait_port "$w" || t_bad "fake_zeo on $w did not start"; done
DEAD=$(t_free_port)
start_exporter --zeo.address="127.0.0.1:$PH" --zeo.address="127.0.0.1:$PG" \
    --zeo.address="127.0.0.1:$PT" --zeo.address="127.0.0.1:$PB" --zeo.address="127.0.0.1:$PJ" \
    --zeo.address="127.0.0.1:$DEAD" --zeo.address="$SOCK" --zeo.timeout=1s
t0=$(date +%s.%N); scrape; t1=$(date +%s.%N)
el=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
echo "     scrape with a hanging server took ${el}s (--zeo.timeout=1s)"
t_check "hang: scrape finishes inside the timeout (+0.5s)" awk -v e="$el" 'BEGIN{exit !(e < 1.5)}'
t_check "hang: zeo_up 0" has "zeo_up{address=\"127.0.0.1:$PH\"} 0"
t_check "garbage: zeo_up 0" has "zeo_up{address=\"127.0.0.1:$PG\"} 0"
t_check "truncated: zeo_up 0" has "zeo_up{address=\"127.0.0.1:$PT\"} 0"
t_check "huge frame: zeo_up 0" has "zeo_up{address=\"127.0.0.1:$PB\"} 0"
t_check "bad JSON: zeo_up 0" has "zeo_up{address=\"127.0.0.1:$PJ\"} 0"
t_check "refused: zeo_up 0" has "zeo_up{address=\"127.0.0.1:$DEAD\"} 0"
t_check "good server still reports" has "zeo_up{address=\"$SOCK\"} 1"
t_check "good server's storages still there" has "zeo_connections{address=\"$SOCK\",storage=\"main\"} 12"
t_check "reasons logged (timeout)" grep -q "127.0.0.1:$PH: reading the protocol announcement: timed out" "$T/exporter.log"
t_check "reasons logged (too big)" grep -q "127.0.0.1:$PB: ruok reply: frame of 4294967280 bytes" "$T/exporter.log"
t_check "reasons logged (truncated)" grep -q "127.0.0.1:$PT: server closed the connection" "$T/exporter.log"
t_check "reasons logged (bad JSON)" grep -q "127.0.0.1:$PJ: reply is not JSON" "$T/exporter.log"
t_check "promtool check metrics (bad servers)" promtool_ok
scrape
t_check "exporter still alive after bad peers" kill -0 "$EPID"
stop_exporter

# ---- flags ----
t_check "--help lists --zeo.address" bash -c "'$BIN' --help 2>&1 | grep -q -- '--zeo.address'"
t_check "bad --zeo.timeout refused" bash -c "! '$BIN' --web.listen-address=127.0.0.1:$EP --zeo.timeout=soon >/dev/null 2>&1"

t_summary

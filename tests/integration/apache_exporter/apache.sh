#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# apache.sh: apache_exporter against a real Debian apache2 started here on loopback with
# its own temp config (mod_status, ExtendedStatus On): apache_up 1 and upstream's
# families; then the diagnoses (mod_status not loaded -> 404, no ?auto -> HTML,
# ExtendedStatus Off, a hanging server, a followed redirect); then the Debian Go build
# (prometheus-apache-exporter) on the same apache, comparing family and label names.
# Prints "N passed, N failed" last; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/../../.."
BIN=${BIN:-build/release/apache_exporter/apache_exporter}
GO=${GO:-/usr/bin/prometheus-apache-exporter}
MODS=/usr/lib/apache2/modules
. tests/lib.sh
t_init ap-it
chmod 755 "$T"
t_on_exit() { [ -f "$T/apache.pid" ] && kill "$(cat "$T/apache.pid")" 2>/dev/null; }

for f in "$BIN" /usr/sbin/apache2 "$MODS/mod_status.so"; do
    [ -e "$f" ] || { t_bad "missing $f (make all; scripts/deps.sh --test)"; t_finish; }
done

AP=$(t_free_port); EP=$(t_free_port); GP=$(t_free_port); HP=$(t_free_port)
mkdir -p "$T/htdocs/old"
echo hello > "$T/htdocs/index.html"

start_apache() {  # start_apache STATUS EXTENDED
    t_apache_conf "$T" "$AP" "$1" "$2"
    rm -f "$T/apache.pid"
    /usr/sbin/apache2 -f "$T/apache.conf" -DFOREGROUND >>"$T/apache-out.log" 2>&1 &
    APID=$!
    t_wait_port "$AP" || { echo "apache did not start:"; cat "$T/apache-out.log" "$T/apache-error.log" 2>/dev/null; return 1; }
}
stop_apache() {
    kill -TERM "$APID" 2>/dev/null
    wait "$APID" 2>/dev/null
    rm -f "$T/apache.pid"
}

start_exporter() {  # start_exporter URI: ours, with upstream's flag names
    "$BIN" --telemetry.address="127.0.0.1:$EP" --telemetry.endpoint=/metrics \
        --scrape_uri="$1" >"$T/exporter.log" 2>&1 &
    EPID=$!
    t_pids+=("$EPID")
    t_wait_up "$EPID" "http://127.0.0.1:$EP/-/healthy" 100 && return 0
    echo "exporter did not start:"; cat "$T/exporter.log"
    return 1
}
stop_exporter() { kill "$EPID" 2>/dev/null; wait "$EPID" 2>/dev/null; }
scrape() { curl -s --max-time 10 "$@" "http://127.0.0.1:$EP/metrics" > "$T/out.prom"; }
has() { grep -q -- "$1" "$T/out.prom"; }
logged() { grep -q -- "$1" "$T/exporter.log"; }


# ---- 1. mod_status with ExtendedStatus On --------------------------------------------
start_apache yes On || { t_bad "apache start"; t_finish; }
curl -s "http://127.0.0.1:$AP/" >/dev/null
start_exporter "http://127.0.0.1:$AP/server-status?auto"
t_check "exporter listens on --telemetry.address" true
scrape
t_check "apache_up 1" has '^apache_up 1$'
for fam in apache_accesses_total apache_sent_kilobytes_total apache_cpuload \
    apache_uptime_seconds_total 'apache_workers{state="busy"}' 'apache_workers{state="idle"}' \
    'apache_scoreboard{state="open_slot"}' 'apache_scoreboard{state="idle"}' \
    'apache_connections{state="total"}' 'apache_info{mpm="event",version="Apache/2.4' \
    'apache_generation{type="config"}' 'apache_load{interval="1min"}' \
    apache_duration_ms_total 'apache_cpu_time_ms_total{type="user"}' apache_version \
    'apache_processes{state="all"}' apache_exporter_build_info \
    'apache_exporter_scrape_failures_total 0'; do
    t_check "family $fam" has "^$fam"
done
t_check "no problem metric when healthy" bash -c "! grep -q apache_exporter_scrape_problem '$T/out.prom'"
if command -v promtool >/dev/null; then
    promtool check metrics < "$T/out.prom" >"$T/promtool.log" 2>&1
    rc=$?
    t_check "promtool check metrics (exit $rc; 3 = lint only)" test $rc = 0 -o $rc = 3
fi
cp "$T/out.prom" "$T/ours_ok.prom"

# ---- 2. the Debian Go build on the same apache: family and label names ---------------
if [ -x "$GO" ]; then
    "$GO" --telemetry.address="127.0.0.1:$GP" --scrape_uri="http://127.0.0.1:$AP/server-status?auto" \
        >"$T/go.log" 2>&1 &
    t_pids+=("$!")
    t_wait_port "$GP"
    curl -s "http://127.0.0.1:$GP/metrics" > "$T/go.prom"
    scrape; cp "$T/out.prom" "$T/ours_ok.prom"
    t_families "$T/go.prom" > "$T/go.fam"
    t_families "$T/ours_ok.prom" > "$T/ours.fam"
    echo "---- family{labels} only in the Go exporter:"
    comm -23 "$T/go.fam" "$T/ours.fam" | sed 's/^/     /'
    echo "---- family{labels} only in ours:"
    comm -13 "$T/go.fam" "$T/ours.fam" | sed 's/^/     /'
    # Deliberate: ours adds the scaffold's apache_scrape_collector_* pair, and
    # apache_exporter_scrape_failures_total is always present (upstream: only after a failure).
    missing=$(comm -23 "$T/go.fam" "$T/ours.fam" | wc -l)
    t_check "every Go family{labels} is in ours ($missing missing)" test "$missing" = 0
    extra=$(comm -13 "$T/go.fam" "$T/ours.fam" | grep -v '^apache_scrape_collector_\|^apache_exporter_scrape_failures_total{}' | wc -l)
    t_check "ours adds only the deliberate families ($extra other)" test "$extra" = 0
    for f in apache_up apache_accesses_total apache_cpuload apache_scoreboard apache_workers; do
        h1=$(grep "^# HELP $f " "$T/go.prom"); h2=$(grep "^# HELP $f " "$T/ours_ok.prom")
        t_check "HELP of $f identical" test "$h1" = "$h2"
    done
else
    t_bad "Go exporter $GO not installed"
fi

# ---- 3. a followed redirect: still up, one warning ------------------------------------
stop_exporter
start_exporter "http://127.0.0.1:$AP/old-status?auto"
scrape; scrape
t_check "redirect followed: apache_up 1" has '^apache_up 1$'
t_check "redirect: warning logged once" test "$(grep -c 'is redirected' "$T/exporter.log")" = 1

# ---- 4. status page without ?auto: HTML ----------------------------------------------
stop_exporter
start_exporter "http://127.0.0.1:$AP/server-status"
scrape
t_check "HTML page: apache_up 0" has '^apache_up 0$'
t_check "HTML page: problem html_without_auto" has 'apache_exporter_scrape_problem{problem="html_without_auto"} 1'
t_check "HTML page: log says add ?auto" logged 'add ?auto to --scrape_uri'
t_check "HTML page: failures counted" has '^apache_exporter_scrape_failures_total 1$'
stop_exporter
stop_apache

# ---- 5. ExtendedStatus Off ------------------------------------------------------------
start_apache yes Off
start_exporter "http://127.0.0.1:$AP/server-status?auto"
scrape
t_check "ExtendedStatus Off: apache_up 0" has '^apache_up 0$'
t_check "ExtendedStatus Off: problem" has 'problem="extended_status_off"'
t_check "ExtendedStatus Off: log says ExtendedStatus On" logged 'ExtendedStatus On'
t_check "ExtendedStatus Off: workers still exported" has '^apache_workers{state="busy"}'
t_check "ExtendedStatus Off: one log line for two scrapes" \
    bash -c "scrape() { curl -s http://127.0.0.1:$EP/metrics >/dev/null; }; scrape; test \$(grep -c 'ExtendedStatus is Off' '$T/exporter.log') = 1"
stop_exporter
stop_apache

# ---- 6. mod_status not loaded: 404 ----------------------------------------------------
start_apache no On
start_exporter "http://127.0.0.1:$AP/server-status?auto"
scrape
t_check "no mod_status: apache_up 0" has '^apache_up 0$'
t_check "no mod_status: problem not_found" has 'problem="not_found"'
t_check "no mod_status: log names 404 and a2enmod" logged '404 Not Found.*a2enmod status'
if [ -x "$GO" ]; then
    curl -s "http://127.0.0.1:$GP/metrics" > "$T/go404.prom"
    if grep -q '^apache_up 1' "$T/go404.prom"; then
        echo "     (Go build reports apache_up 1 on the 404: the upstream complaint this fixes)"
    fi
fi
stop_exporter
stop_apache

# ---- 7. apache unreachable, and a server that hangs -----------------------------------
start_exporter "http://127.0.0.1:$AP/server-status?auto"
scrape
t_check "unreachable: apache_up 0" has '^apache_up 0$'
t_check "unreachable: problem" has 'problem="unreachable"'
stop_exporter
t_hang "$HP"
start_exporter "http://127.0.0.1:$HP/server-status?auto"
t0=$SECONDS
scrape -H 'X-Prometheus-Scrape-Timeout-Seconds: 2'
t_check "hanging server: answered within the scrape timeout" test $((SECONDS - t0)) -le 4
t_check "hanging server: apache_up 0, problem timeout" grep -q 'problem="timeout"' "$T/out.prom"
stop_exporter

echo
t_summary

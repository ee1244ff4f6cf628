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
T=$(mktemp -d /tmp/ap-it-XXXXXX)
chmod 755 "$T"
pass=0; fail=0; pids=()

ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
freeport() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    [ -f "$T/apache.pid" ] && kill "$(cat "$T/apache.pid")" 2>/dev/null
    sleep 0.3
    rm -rf "$T"
}
trap cleanup EXIT

wait_port() {  # wait_port PORT: until something listens (5 s)
    for _ in $(seq 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

for f in "$BIN" /usr/sbin/apache2 "$MODS/mod_status.so"; do
    [ -e "$f" ] || { bad "missing $f (make all; scripts/deps.sh --test)"; echo "$pass passed, $fail failed"; exit 1; }
done

AP=$(freeport); EP=$(freeport); GP=$(freeport); HP=$(freeport)
mkdir -p "$T/htdocs/old"
echo hello > "$T/htdocs/index.html"

# write_conf STATUS(yes|no) EXTENDED(On|Off): the whole apache config, nothing from /etc.
write_conf() {
    local user=""
    [ "$(id -u)" = 0 ] && user=$'User nobody\nGroup nogroup'
    {
        echo "ServerRoot /etc/apache2"
        echo "LoadModule mpm_event_module $MODS/mod_mpm_event.so"
        echo "LoadModule authz_core_module $MODS/mod_authz_core.so"
        echo "LoadModule alias_module $MODS/mod_alias.so"
        [ "$1" = yes ] && echo "LoadModule status_module $MODS/mod_status.so"
        echo "$user"
        echo "ServerName 127.0.0.1"
        echo "Listen 127.0.0.1:$AP"
        echo "PidFile $T/apache.pid"
        echo "ErrorLog $T/apache-error.log"
        echo "DefaultRuntimeDir $T"
        echo "ScoreBoardFile $T/apache.scoreboard"
        echo "DocumentRoot $T/htdocs"
        echo "StartServers 1"
        echo "Redirect /old-status /server-status"
        if [ "$1" = yes ]; then
            echo "ExtendedStatus $2"
            echo "<Location /server-status>"
            echo "    SetHandler server-status"
            echo "</Location>"
        fi
    } > "$T/apache.conf"
}

start_apache() {  # start_apache STATUS EXTENDED
    write_conf "$1" "$2"
    rm -f "$T/apache.pid"
    /usr/sbin/apache2 -f "$T/apache.conf" -DFOREGROUND >>"$T/apache-out.log" 2>&1 &
    APID=$!
    wait_port "$AP" || { echo "apache did not start:"; cat "$T/apache-out.log" "$T/apache-error.log" 2>/dev/null; return 1; }
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
    pids+=("$EPID")
    for _ in $(seq 50); do
        kill -0 "$EPID" 2>/dev/null || break
        curl -sf "http://127.0.0.1:$EP/-/healthy" >/dev/null && return 0
        sleep 0.1
    done
    echo "exporter did not start:"; cat "$T/exporter.log"
    return 1
}
stop_exporter() { kill "$EPID" 2>/dev/null; wait "$EPID" 2>/dev/null; }
scrape() { curl -s --max-time 10 "$@" "http://127.0.0.1:$EP/metrics" > "$T/out.prom"; }
has() { grep -q -- "$1" "$T/out.prom"; }
logged() { grep -q -- "$1" "$T/exporter.log"; }

# families FILE: "name{label,label}" per series shape, sorted unique, without Go/process noise.
families() {
    grep -v '^#' "$1" | grep -v '^\(go_\|process_\|promhttp_\)' |
        sed -E 's/ [^ ]+$//' |
        python3 -c '
import re, sys
for line in sys.stdin:
    m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?", line.strip())
    if not m: continue
    labels = sorted(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)=\"", m.group(3) or ""))
    print(m.group(1) + "{" + ",".join(labels) + "}")' | sort -u
}

# ---- 1. mod_status with ExtendedStatus On --------------------------------------------
start_apache yes On || { bad "apache start"; echo "$pass passed, $fail failed"; exit 1; }
curl -s "http://127.0.0.1:$AP/" >/dev/null
start_exporter "http://127.0.0.1:$AP/server-status?auto"
check "exporter listens on --telemetry.address" true
scrape
check "apache_up 1" has '^apache_up 1$'
for fam in apache_accesses_total apache_sent_kilobytes_total apache_cpuload \
    apache_uptime_seconds_total 'apache_workers{state="busy"}' 'apache_workers{state="idle"}' \
    'apache_scoreboard{state="open_slot"}' 'apache_scoreboard{state="idle"}' \
    'apache_connections{state="total"}' 'apache_info{mpm="event",version="Apache/2.4' \
    'apache_generation{type="config"}' 'apache_load{interval="1min"}' \
    apache_duration_ms_total 'apache_cpu_time_ms_total{type="user"}' apache_version \
    'apache_processes{state="all"}' apache_exporter_build_info \
    'apache_exporter_scrape_failures_total 0'; do
    check "family $fam" has "^$fam"
done
check "no problem metric when healthy" bash -c "! grep -q apache_exporter_scrape_problem '$T/out.prom'"
if command -v promtool >/dev/null; then
    promtool check metrics < "$T/out.prom" >"$T/promtool.log" 2>&1
    rc=$?
    check "promtool check metrics (exit $rc; 3 = lint only)" test $rc = 0 -o $rc = 3
fi
cp "$T/out.prom" "$T/ours_ok.prom"

# ---- 2. the Debian Go build on the same apache: family and label names ---------------
if [ -x "$GO" ]; then
    "$GO" --telemetry.address="127.0.0.1:$GP" --scrape_uri="http://127.0.0.1:$AP/server-status?auto" \
        >"$T/go.log" 2>&1 &
    pids+=("$!")
    wait_port "$GP"
    curl -s "http://127.0.0.1:$GP/metrics" > "$T/go.prom"
    scrape; cp "$T/out.prom" "$T/ours_ok.prom"
    families "$T/go.prom" > "$T/go.fam"
    families "$T/ours_ok.prom" > "$T/ours.fam"
    echo "---- family{labels} only in the Go exporter:"
    comm -23 "$T/go.fam" "$T/ours.fam" | sed 's/^/     /'
    echo "---- family{labels} only in ours:"
    comm -13 "$T/go.fam" "$T/ours.fam" | sed 's/^/     /'
    # Deliberate: ours adds the scaffold's apache_scrape_collector_* pair, and
    # apache_exporter_scrape_failures_total is always present (upstream: only after a failure).
    missing=$(comm -23 "$T/go.fam" "$T/ours.fam" | wc -l)
    check "every Go family{labels} is in ours ($missing missing)" test "$missing" = 0
    extra=$(comm -13 "$T/go.fam" "$T/ours.fam" | grep -v '^apache_scrape_collector_\|^apache_exporter_scrape_failures_total{}' | wc -l)
    check "ours adds only the deliberate families ($extra other)" test "$extra" = 0
    for f in apache_up apache_accesses_total apache_cpuload apache_scoreboard apache_workers; do
        h1=$(grep "^# HELP $f " "$T/go.prom"); h2=$(grep "^# HELP $f " "$T/ours_ok.prom")
        check "HELP of $f identical" test "$h1" = "$h2"
    done
else
    bad "Go exporter $GO not installed"
fi

# ---- 3. a followed redirect: still up, one warning ------------------------------------
stop_exporter
start_exporter "http://127.0.0.1:$AP/old-status?auto"
scrape; scrape
check "redirect followed: apache_up 1" has '^apache_up 1$'
check "redirect: warning logged once" test "$(grep -c 'is redirected' "$T/exporter.log")" = 1

# ---- 4. status page without ?auto: HTML ----------------------------------------------
stop_exporter
start_exporter "http://127.0.0.1:$AP/server-status"
scrape
check "HTML page: apache_up 0" has '^apache_up 0$'
check "HTML page: problem html_without_auto" has 'apache_exporter_scrape_problem{problem="html_without_auto"} 1'
check "HTML page: log says add ?auto" logged 'add ?auto to --scrape_uri'
check "HTML page: failures counted" has '^apache_exporter_scrape_failures_total 1$'
stop_exporter
stop_apache

# ---- 5. ExtendedStatus Off ------------------------------------------------------------
start_apache yes Off
start_exporter "http://127.0.0.1:$AP/server-status?auto"
scrape
check "ExtendedStatus Off: apache_up 0" has '^apache_up 0$'
check "ExtendedStatus Off: problem" has 'problem="extended_status_off"'
check "ExtendedStatus Off: log says ExtendedStatus On" logged 'ExtendedStatus On'
check "ExtendedStatus Off: workers still exported" has '^apache_workers{state="busy"}'
check "ExtendedStatus Off: one log line for two scrapes" \
    bash -c "scrape() { curl -s http://127.0.0.1:$EP/metrics >/dev/null; }; scrape; test \$(grep -c 'ExtendedStatus is Off' '$T/exporter.log') = 1"
stop_exporter
stop_apache

# ---- 6. mod_status not loaded: 404 ----------------------------------------------------
start_apache no On
start_exporter "http://127.0.0.1:$AP/server-status?auto"
scrape
check "no mod_status: apache_up 0" has '^apache_up 0$'
check "no mod_status: problem not_found" has 'problem="not_found"'
check "no mod_status: log names 404 and a2enmod" logged '404 Not Found.*a2enmod status'
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
check "unreachable: apache_up 0" has '^apache_up 0$'
check "unreachable: problem" has 'problem="unreachable"'
stop_exporter
python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", '"$HP"')); s.listen(8)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)' &
pids+=("$!")
wait_port "$HP"
start_exporter "http://127.0.0.1:$HP/server-status?auto"
t0=$SECONDS
scrape -H 'X-Prometheus-Scrape-Timeout-Seconds: 2'
check "hanging server: answered within the scrape timeout" test $((SECONDS - t0)) -le 4
check "hanging server: apache_up 0, problem timeout" grep -q 'problem="timeout"' "$T/out.prom"
stop_exporter

echo
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

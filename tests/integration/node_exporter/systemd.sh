#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# systemd.sh: the systemd collector against a private dbus-daemon (session-type config,
# unix socket in a temp dir) and tests/tools/fake_systemd serving the fixture units as
# org.freedesktop.systemd1. node_exporter gets the bus through DBUS_SYSTEM_BUS_ADDRESS.
# Checks unit states, counts, version, system state, timers, sockets and the exclude
# regex; then kills the stand-in and checks the scrape still works with
# node_scrape_collector_success{collector="systemd"} 0. Prints "N passed, N failed" last.
set -u
cd "$(dirname "$0")/../../.."
V=${VARIANT:-release}
BIN=${NODE_EXPORTER:-build/$V/node_exporter/node_exporter}
FAKE=build/$V/tests/tools/fake_systemd
UNITS=tests/fixtures/node_exporter/systemd/units.txt
pass=0; fail=0
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do { kill -KILL "$p"; wait "$p"; } 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT

ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | head -n 20 | sed 's/^/     | /'; }
has() {  # has LINE: the last scrape holds exactly this sample line
    if grep -qxF -- "$1" "$work/metrics"; then ok "$1"
    else bad "$1" "$(grep -F "${1%%\{*}" "$work/metrics" | head -n 8)"; fi
}
hasnt() {  # hasnt PATTERN: no line of the last scrape matches
    if grep -qE -- "$1" "$work/metrics"; then bad "no line matches $1" "$(grep -E -- "$1" "$work/metrics" | head -n 5)"
    else ok "no line matches $1"; fi
}
finish() { echo "$pass passed, $fail failed"; [ $fail -eq 0 ]; exit $?; }

for x in "$BIN" "$FAKE"; do
    [ -x "$x" ] || { bad "$x exists (run make all unit)"; finish; }
done
command -v dbus-daemon >/dev/null || { bad "dbus-daemon installed (Debian package dbus)"; finish; }

cat > "$work/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=$work</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
dbus-daemon --config-file="$work/bus.conf" --nofork --print-address=1 >"$work/addr" 2>"$work/dbus.log" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/addr" ] && break; sleep 0.05; done
addr=$(head -n 1 "$work/addr")
[ -n "$addr" ] || { bad "dbus-daemon prints its address" "$(cat "$work/dbus.log")"; finish; }
ok "dbus-daemon listening"

"$FAKE" --address "$addr" "$UNITS" >"$work/fake.out" 2>&1 &
fake=$!
pids+=($fake)
for _ in $(seq 1 100); do grep -q READY "$work/fake.out" 2>/dev/null && break; sleep 0.05; done
if grep -q READY "$work/fake.out"; then ok "fake_systemd owns org.freedesktop.systemd1"
else bad "fake_systemd owns org.freedesktop.systemd1" "$(cat "$work/fake.out")"; finish; fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
url=http://127.0.0.1:$port
DBUS_SYSTEM_BUS_ADDRESS=$addr "$BIN" --web.listen-address=127.0.0.1:$port \
    --collector.disable-defaults --collector.systemd --collector.systemd.enable-restarts-metrics \
    >"$work/log" 2>&1 &
pids+=($!)
up=0
for _ in $(seq 1 100); do
    curl -fsS "$url/-/healthy" >/dev/null 2>&1 && { up=1; break; }
    sleep 0.05
done
[ $up = 1 ] || { bad "node_exporter starts" "$(cat "$work/log")"; finish; }

curl -fsS "$url/metrics" -o "$work/metrics" || bad "scrape /metrics"
has 'node_scrape_collector_success{collector="systemd"} 1'
has 'node_systemd_unit_state{name="ssh.service",state="active",type="notify"} 1'
has 'node_systemd_unit_state{name="ssh.service",state="inactive",type="notify"} 0'
has 'node_systemd_unit_state{name="broken.service",state="failed",type="oneshot"} 1'
has 'node_systemd_unit_state{name="broken.service",state="active",type="oneshot"} 0'
has 'node_systemd_unit_state{name="slow-start.service",state="activating",type="forking"} 1'
has 'node_systemd_unit_state{name="stopping.service",state="deactivating",type="simple"} 1'
has 'node_systemd_unit_state{name="logrotate.timer",state="active",type=""} 1'
has 'node_systemd_unit_state{name="multi-user.target",state="active",type=""} 1'
n=$(grep -c '^node_systemd_unit_state{name="cron.service",' "$work/metrics")
if [ "$n" = 5 ]; then ok "five states per unit"; else bad "five states per unit" "got $n"; fi
hasnt 'name="(home\.mount|dev-sda1\.device|user-1000\.slice)"'
hasnt 'name="ghost\.service"'
has 'node_systemd_units{state="active"} 8'
has 'node_systemd_units{state="failed"} 1'
has 'node_systemd_units{state="activating"} 1'
has 'node_systemd_units{state="deactivating"} 1'
has 'node_systemd_units{state="inactive"} 2'
has 'node_systemd_system_running 0'
has 'node_systemd_version{version="252.39-1~deb12u2"} 252.39'
has 'node_systemd_timer_last_trigger_seconds{name="logrotate.timer"} 1.70000000025e+09'
has 'node_systemd_socket_accepted_connections_total{name="docker.socket"} 42'
has 'node_systemd_socket_current_connections{name="docker.socket"} 3'
has 'node_systemd_socket_refused_connections_total{name="docker.socket"} 1'
has 'node_systemd_service_restart_total{name="ssh.service"} 2'
has '# TYPE node_systemd_unit_state gauge'

# the stand-in goes away: the scrape still answers, the collector reports failure
kill "$fake"; wait "$fake" 2>/dev/null
if curl -fsS "$url/metrics" -o "$work/metrics"; then ok "scrape works without systemd"
else bad "scrape works without systemd"; fi
has 'node_scrape_collector_success{collector="systemd"} 0'
hasnt '^node_systemd_unit_state'
if grep -q 'level=error.*systemd.*couldn.t get units' "$work/log"; then ok "failure logged"
else bad "failure logged" "$(tail -n 5 "$work/log")"; fi
finish

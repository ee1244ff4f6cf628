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
. tests/lib.sh
t_init ne-it; work=$T

has() { t_has "$work/metrics" "$1"; }     # has LINE: the last scrape holds exactly this line
hasnt() { t_hasnt "$work/metrics" "$1"; } # hasnt PATTERN: no line of the last scrape matches

for x in "$BIN" "$FAKE"; do
    [ -x "$x" ] || { t_bad "$x exists (run make all unit)"; t_finish; }
done
command -v dbus-daemon >/dev/null || { t_bad "dbus-daemon installed (Debian package dbus)"; t_finish; }

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
t_pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/addr" ] && break; sleep 0.05; done
addr=$(head -n 1 "$work/addr")
[ -n "$addr" ] || { t_bad "dbus-daemon prints its address" "$(cat "$work/dbus.log")"; t_finish; }
t_ok "dbus-daemon listening"

"$FAKE" --address "$addr" "$UNITS" >"$work/fake.out" 2>&1 &
fake=$!
t_pids+=($fake)
for _ in $(seq 1 100); do grep -q READY "$work/fake.out" 2>/dev/null && break; sleep 0.05; done
if grep -q READY "$work/fake.out"; then t_ok "fake_systemd owns org.freedesktop.systemd1"
else t_bad "fake_systemd owns org.freedesktop.systemd1" "$(cat "$work/fake.out")"; t_finish; fi

port=$(t_free_port)
url=http://127.0.0.1:$port
DBUS_SYSTEM_BUS_ADDRESS=$addr "$BIN" --web.listen-address=127.0.0.1:$port \
    --collector.disable-defaults --collector.systemd --collector.systemd.enable-restarts-metrics \
    >"$work/log" 2>&1 &
t_pids+=($!)
t_wait_http "$url/-/healthy" || { t_bad "node_exporter starts" "$(cat "$work/log")"; t_finish; }

curl -fsS "$url/metrics" -o "$work/metrics" || t_bad "scrape /metrics"
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
if [ "$n" = 5 ]; then t_ok "five states per unit"; else t_bad "five states per unit" "got $n"; fi
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
if curl -fsS "$url/metrics" -o "$work/metrics"; then t_ok "scrape works without systemd"
else t_bad "scrape works without systemd"; fi
has 'node_scrape_collector_success{collector="systemd"} 0'
hasnt '^node_systemd_unit_state'
if grep -q 'level=error.*systemd.*couldn.t get units' "$work/log"; then t_ok "failure logged"
else t_bad "failure logged" "$(tail -n 5 "$work/log")"; fi
t_finish

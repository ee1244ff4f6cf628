#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# deps.sh: install the Debian 12 packages that building and testing the suite need.
# Idempotent: installs only what is missing. As root it runs apt-get itself; otherwise
# it prints the command to run and exits non-zero when something is missing.
set -euo pipefail

# Build: compilers, pkg-config and the -dev packages of every library we link.
BUILD_PKGS="build-essential pkg-config clang libclang-rt-14-dev
  libcurl4-openssl-dev libyaml-dev libpq-dev
  libsystemd-dev libjansson-dev libpcre2-dev zlib1g-dev libssl-dev libgnutls28-dev
  libcrypt-dev check libzstd-dev"
# Tests: real peers and reference tools (promtool from the prometheus package,
# openssl to make certificates, htpasswd for bcrypt hashes, curl as a client, dbus-daemon
# for the private bus the systemd stand-in uses).
TEST_PKGS="prometheus openssl apache2-utils curl ca-certificates procps wrk python3 dbus
  supervisor prometheus-node-exporter
  apache2 prometheus-apache-exporter haproxy prometheus-haproxy-exporter
  uwsgi uwsgi-plugin-python3 postgresql prometheus-postgres-exporter"
TEST_PKGS="$TEST_PKGS prometheus-blackbox-exporter dnsmasq-base"  # blackbox_exporter parity + dns test
TEST_PKGS="$TEST_PKGS victoria-metrics"  # flint benchmarks: flint vs VictoriaMetrics and Prometheus

want="$BUILD_PKGS"
case "${1:-}" in
    --test) want="$BUILD_PKGS $TEST_PKGS" ;;
    --run|"") ;;
    *) echo "usage: $0 [--test|--run]" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
    echo "deps.sh: missing Debian packages:$missing" >&2
    echo "deps.sh: run as root: apt-get update && $cmd" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# A package's postinst must not start a daemon here (tests start what they need).
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq || true
# shellcheck disable=SC2086
$cmd

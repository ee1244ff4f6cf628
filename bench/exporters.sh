#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# exporters.sh: apache_exporter, haproxy_exporter, postgres_exporter and blackbox_exporter,
# ours against the Debian Go build, side by side in one run on loopback, each against one
# real server started here (apache2 with mod_status, haproxy with a stats socket, a
# PostgreSQL 15 primary, python3 http.server as the probe target), with the set-up lines
# of tests/integration/*. Prints wrk -c1 scrape (probe) latency p50/p99, for blackbox
# also probes/s at -c4, then VmRSS and private memory (Private_Clean+Private_Dirty from
# smaps_rollup) after the wrk runs, and ours/Go with the target on each line (issue 7:
# memory <= 1/5 of Go, latency no slower; issue 8: memory <= 1/5, throughput >= Go).
# Ends with "N passed, N failed": an exporter fails only when something could not run.
# BENCH_SECONDS (default 8) sets each wrk run; BENCH_BUILD (default build/release) the build
# directory of ours; BENCH_RSS_MAP=1 also prints our RSS per mapping (rss_by_mapping.sh).
# Must run as root (postgres via runuser).
set -u
cd "$(dirname "$0")/.."
SECS=${BENCH_SECONDS:-8}
R=${BENCH_BUILD:-build/release}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
MODS=/usr/lib/apache2/modules
for b in wrk curl python3; do
    command -v "$b" >/dev/null || { echo "bench: missing $b"; echo "0 passed, 1 failed"; exit 1; }
done
. tests/lib.sh
t_init bench-exp; work=$T
chmod 755 "$work"
t_on_exit() {
    [ -f "$work/apache.pid" ] && kill "$(cat "$work/apache.pid")" 2>/dev/null
    [ -d "$work/pg/primary" ] && t_pgctl -D "$work/pg/primary" -m immediate stop
}

priv_kb() { awk '/^Private_(Clean|Dirty):/{s+=$2} END{print s}' "/proc/$1/smaps_rollup"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b+0 == 0) print "n/a"; else printf "%.2f", a/b }'; }
wrk_run() {  # wrk_run URL CONNS -> "req/s p50_ms p99_ms errors"
    wrk -t"$(( $2 < 2 ? 1 : 2 ))" -c"$2" -d"${SECS}s" --latency "$1" 2>&1 |
        awk '/Requests\/sec/{r=$2} / 50%/{p50=$2} / 99%/{p99=$2} /Non-2xx|Socket errors/{e++}
             function ms(v){ if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
             END{printf "%.1f %.2f %.2f %d\n", r, ms(p50), ms(p99), e}'
}
launch() {  # launch PORT LOG CMD...: start an exporter, set LPID, wait for its port
    local port=$1 log=$2; shift 2
    "$@" >"$work/$log.log" 2>&1 &
    LPID=$!; t_pids+=("$LPID")
    t_wait_port "$port" 100 && kill -0 "$LPID" 2>/dev/null && return 0
    echo "bench: $log did not start:"; tail -5 "$work/$log.log"; return 1
}

# compare NAME UPRE URL_OURS PID_OURS URL_GO PID_GO [throughput]: the wrk runs and memory
compare() {
    local name=$1 upre=$2 uo=$3 po=$4 ug=$5 pg=$6 tp=${7:-}
    local ok_up; ok_up="ours $(curl -s --max-time 30 "$uo" | grep -m1 "$upre" || echo '(none)'),"
    ok_up="$ok_up Go $(curl -s --max-time 30 "$ug" | grep -m1 "$upre" || echo '(none)')"
    echo "$name: $ok_up"
    read -r r_o p50_o p99_o e_o < <(wrk_run "$uo" 1)
    read -r r_g p50_g p99_g e_g < <(wrk_run "$ug" 1)
    [ "$e_o$e_g" != 00 ] && echo "$name: wrk reported errors or non-2xx (ours $e_o, Go $e_g)"
    echo "$name wrk 1 conn: ours ${r_o} req/s p50 ${p50_o} ms p99 ${p99_o} ms | Go ${r_g} req/s p50 ${p50_g} ms p99 ${p99_g} ms | ours/Go p50 $(ratio "$p50_o" "$p50_g") p99 $(ratio "$p99_o" "$p99_g") (target <= 1.00)"
    local ok=1
    awk -v a="$r_o" -v b="$r_g" 'BEGIN{exit !(a > 0 && b > 0)}' || ok=0
    if [ -n "$tp" ]; then
        read -r t_o _ _ e_o < <(wrk_run "$uo" 4)
        read -r t_g _ _ e_g < <(wrk_run "$ug" 4)
        [ "$e_o$e_g" != 00 ] && echo "$name: wrk -c4 reported errors or non-2xx (ours $e_o, Go $e_g)"
        echo "$name probes/s 4 conn: ours ${t_o} | Go ${t_g} | ours/Go $(ratio "$t_o" "$t_g") (target >= 1.00)"
        awk -v a="$t_o" -v b="$t_g" 'BEGIN{exit !(a > 0 && b > 0)}' || ok=0
    fi
    local ro rg vo vg
    ro=$(t_rss_kb "$po"); rg=$(t_rss_kb "$pg"); vo=$(priv_kb "$po"); vg=$(priv_kb "$pg")
    echo "$name RSS after wrk: ours ${ro} KiB | Go ${rg} KiB | ours/Go $(ratio "$ro" "$rg") (target <= 0.20)"
    echo "$name private memory after wrk: ours ${vo} KiB | Go ${vg} KiB | ours/Go $(ratio "$vo" "$vg") (target <= 0.20)"
    [ "${BENCH_RSS_MAP:-0}" = 1 ] && bash bench/rss_by_mapping.sh "$po"
    [ $ok = 1 ]
}
result() {  # result NAME RC
    if [ "$2" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "bench $1: FAILED to run"; fi
    echo
}
need() { local f; for f in "$@"; do [ -x "$f" ] || { echo "bench: missing $f"; return 1; }; done; }

# ---- apache_exporter: apache2 with mod_status, ExtendedStatus On (apache.sh) ------------
bench_apache() {
    local OURS=$R/apache_exporter/apache_exporter GO=/usr/bin/prometheus-apache-exporter
    need "$OURS" "$GO" /usr/sbin/apache2 || return 1
    [ -e "$MODS/mod_status.so" ] || { echo "bench: missing $MODS/mod_status.so"; return 1; }
    echo "== apache_exporter: ours vs Go ($($GO --version 2>&1 | head -1))"
    local AP EP GP; AP=$(t_free_port); EP=$(t_free_port); GP=$(t_free_port)
    mkdir -p "$work/htdocs"; echo hello > "$work/htdocs/index.html"
    t_apache_conf "$work" "$AP" yes On
    /usr/sbin/apache2 -f "$work/apache.conf" -DFOREGROUND >>"$work/apache-out.log" 2>&1 &
    t_pids+=("$!")
    t_wait_port "$AP" 100 || { echo "apache did not start:"; cat "$work/apache-out.log" "$work/apache-error.log" 2>/dev/null; return 1; }
    curl -s "http://127.0.0.1:$AP/" >/dev/null
    local URI="http://127.0.0.1:$AP/server-status?auto" PO PG
    launch "$EP" apache-ours "$OURS" --telemetry.address="127.0.0.1:$EP" --scrape_uri="$URI" || return 1; PO=$LPID
    launch "$GP" apache-go "$GO" --telemetry.address="127.0.0.1:$GP" --scrape_uri="$URI" || return 1; PG=$LPID
    compare apache_exporter '^apache_up ' "http://127.0.0.1:$EP/metrics" "$PO" "http://127.0.0.1:$GP/metrics" "$PG"
}

# ---- haproxy_exporter: haproxy with a stats socket, two backends (haproxy.sh) -----------
bench_haproxy() {
    local OURS=$R/haproxy_exporter/haproxy_exporter GO=/usr/bin/prometheus-haproxy-exporter
    need "$OURS" "$GO" /usr/sbin/haproxy || return 1
    echo "== haproxy_exporter: ours vs Go ($($GO --version 2>&1 | head -1)), scraping unix:admin.sock"
    local FP SP WP DOWN1 DOWN2 EP GP
    EP=$(t_free_port); GP=$(t_free_port)
    t_haproxy "$work" || { echo "haproxy did not start:"; cat "$work/haproxy.log"; return 1; }
    local URI="unix:$work/admin.sock" PO PG
    launch "$EP" haproxy-ours "$OURS" --web.listen-address="127.0.0.1:$EP" --haproxy.scrape-uri="$URI" || return 1; PO=$LPID
    launch "$GP" haproxy-go "$GO" --web.listen-address="127.0.0.1:$GP" --haproxy.scrape-uri="$URI" || return 1; PG=$LPID
    compare haproxy_exporter '^haproxy_up ' "http://127.0.0.1:$EP/metrics" "$PO" "http://127.0.0.1:$GP/metrics" "$PG"
}

# ---- postgres_exporter: a PostgreSQL 15 primary (postgres.sh, without the replica) ------
bench_postgres() {
    local OURS GO=/usr/bin/prometheus-postgres-exporter
    OURS=$(realpath -m "$R/postgres_exporter/postgres_exporter")
    [ "$(id -u)" = 0 ] || { echo "bench: postgres_exporter must run as root (runuser -u postgres)"; return 1; }
    need "$OURS" "$GO" "$PGBIN/initdb" "$PGBIN/pg_ctl" || return 1
    echo "== postgres_exporter: ours vs Go ($($GO --version 2>&1 | head -1)), one DSN"
    local T=$work/pg PASS='s3cr3t-Pw-9187' P1 EP GP
    mkdir -p "$T"
    P1=$(t_free_port); EP=$(t_free_port); GP=$(t_free_port)
    t_pg_primary "$T" "$P1" "$PASS"
    case $? in
    1) echo "initdb failed:"; tail -5 "$T/initdb.log"; return 1 ;;
    2) echo "primary did not start:"; tail -5 "$T/primary.log"; return 1 ;;
    3) echo "primary not ready"; return 1 ;;
    esac
    local DSN="postgresql://postgres:$PASS@127.0.0.1:$P1/postgres?sslmode=disable" PO PG
    DATA_SOURCE_NAME="$DSN" launch "$EP" pg-ours "$OURS" --web.listen-address="127.0.0.1:$EP" || return 1; PO=$LPID
    DATA_SOURCE_NAME="$DSN" launch "$GP" pg-go "$GO" --web.listen-address="127.0.0.1:$GP" || return 1; PG=$LPID
    compare postgres_exporter '^pg_up ' "http://127.0.0.1:$EP/metrics" "$PO" "http://127.0.0.1:$GP/metrics" "$PG"
}

# ---- blackbox_exporter: http_2xx probing python3 http.server (blackbox.sh) --------------
bench_blackbox() {
    local OURS=$R/blackbox_exporter/blackbox_exporter GO=/usr/bin/prometheus-blackbox-exporter
    need "$OURS" "$GO" || return 1
    echo "== blackbox_exporter: ours vs Go ($($GO --version 2>&1 | head -1)), http_2xx against python3 http.server"
    local HP BP GP; HP=$(t_free_port); BP=$(t_free_port); GP=$(t_free_port)
    mkdir -p "$work/bbwww"; echo "hello blackbox" > "$work/bbwww/index.html"
    python3 -m http.server "$HP" --bind 127.0.0.1 --directory "$work/bbwww" >/dev/null 2>&1 &
    t_pids+=("$!")
    t_wait_port "$HP" 100 || { echo "python http.server did not start"; return 1; }
    cat > "$work/bb.yml" <<EOF
modules:
  http_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
EOF
    local PO PG Q="/probe?module=http_2xx&target=127.0.0.1:$HP"
    launch "$BP" bb-ours "$OURS" --config.file="$work/bb.yml" --web.listen-address="127.0.0.1:$BP" || return 1; PO=$LPID
    launch "$GP" bb-go "$GO" --config.file="$work/bb.yml" --web.listen-address="127.0.0.1:$GP" || return 1; PG=$LPID
    compare blackbox_exporter '^probe_success ' "http://127.0.0.1:$BP$Q" "$PO" "http://127.0.0.1:$GP$Q" "$PG" throughput
}

for e in apache haproxy postgres blackbox; do
    "bench_$e"; result "${e}_exporter" $?
done
t_summary

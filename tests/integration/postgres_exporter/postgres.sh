#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# postgres.sh: postgres_exporter against a real PostgreSQL 15 primary and a streaming
# replica (initdb, pg_basebackup -R) started here on loopback as the postgres user, with
# pgbench load: pg_up, key families, replication on both sides, a queries.yaml query,
# reconnection after a primary restart, a wrong password (pg_up 0, not in the log), the
# other ways in (an md5 user, trust over the unix socket, TLS with sslmode=require and
# prefer through libpq loaded on demand; libpq not mapped for plain connections),
# --constantLabels, --auto-discover-databases with include/exclude lists, HISTOGRAM
# columns, a hanging server and an endless query cut at the scrape deadline, the
# family/label comparison with Debian's prometheus-postgres-exporter, promtool.
# Must run as root. Prints "N passed, N failed" last; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/../../.."
BIN=${BIN:-$PWD/build/release/postgres_exporter/postgres_exporter}
GO=${GO:-/usr/bin/prometheus-postgres-exporter}
. tests/lib.sh
t_init pge-it
PASS='s3cr3t-Pw-9187'
t_on_exit() {
    [ -d "$T/replica" ] && t_pgctl -D "$T/replica" -m immediate stop
    [ -d "$T/primary" ] && t_pgctl -D "$T/primary" -m immediate stop
}

[ "$(id -u)" = 0 ] || { t_bad "must run as root (runuser -u postgres)"; t_finish; }
t_need "$BIN" "$PGBIN/initdb" "$PGBIN/pg_ctl" /usr/bin/pg_basebackup /usr/bin/pgbench

P1=$(t_free_port); P2=$(t_free_port); EP=$(t_free_port); GP=$(t_free_port)
t_pg_primary "$T" "$P1" "$PASS" replica; rc=$?
case $rc in
1) t_bad "initdb"; cat "$T/initdb.log"; t_finish ;;
2) t_bad "primary start"; cat "$T/primary.log"; t_finish ;;
esac
t_check "primary ready" test $rc = 0

export PGPASSWORD=$PASS
t_as_pg env PGPASSWORD="$PASS" pg_basebackup -h 127.0.0.1 -p "$P1" -U postgres -D "$T/replica" -R -X stream \
    -C -S replica1 >"$T/basebackup.log" 2>&1 || { t_bad "pg_basebackup"; cat "$T/basebackup.log"; t_finish; }
t_pgctl -D "$T/replica" -o "-p $P2" -l "$T/replica.log" start || { t_bad "replica start"; cat "$T/replica.log"; t_finish; }
t_as_pg pg_isready -h 127.0.0.1 -p "$P2" -t 30 >/dev/null; t_check "replica ready" test $? = 0

psqlp() { t_as_pg psql -h "$T" -p "$P1" -X -q -t -A "$@"; }
psqlp -c "CREATE DATABASE appdb" >/dev/null
t_as_pg pgbench -h "$T" -p "$P1" -i -s 1 appdb >"$T/pgbench.log" 2>&1
t_as_pg pgbench -h "$T" -p "$P1" -c 2 -T 3 appdb >>"$T/pgbench.log" 2>&1
t_check "pgbench load" test $? = 0
for _ in $(seq 60); do   # the replica has replayed the load
    [ "$(t_as_pg psql -h "$T" -p "$P2" -X -t -A -c "SELECT count(*) FROM pg_database WHERE datname='appdb'" 2>/dev/null)" = 1 ] && break
    sleep 0.5
done

cat > "$T/queries.yaml" <<'YAML'
pg_replication:
  query: "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 ELSE GREATEST (0, EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp()))) END AS lag"
  master: true
  metrics:
    - lag:
        usage: "GAUGE"
        description: "Replication lag behind master in seconds"
pg_custom_table:
  query: "SELECT current_database() AS datname, 42 AS answer, 3.5 AS ratio, 'b' AS state"
  metrics:
    - datname:
        usage: "LABEL"
        description: "Database"
    - answer:
        usage: "COUNTER"
        description: "A counter"
    - ratio:
        usage: "GAUGE"
        description: "A gauge"
    - state:
        usage: "MAPPEDMETRIC"
        description: "A mapped value"
        metric_mapping:
          a: 1
          b: 2
YAML

DSN1="postgresql://postgres:$PASS@127.0.0.1:$P1/postgres?sslmode=disable"
DSN2="postgresql://postgres:$PASS@127.0.0.1:$P2/postgres?sslmode=disable"
start_exporter() {  # start_exporter PORT BIN ARGS... (env DATA_SOURCE_NAME set by caller)
    local port=$1 bin=$2; shift 2
    "$bin" --web.listen-address="127.0.0.1:$port" "$@" >>"$T/exporter.log" 2>&1 &
    EPID=$!
    t_pids+=("$EPID")
    t_wait_up "$EPID" "http://127.0.0.1:$port/" 200 && return 0
    echo "exporter did not start:"; tail -5 "$T/exporter.log"; return 1
}
stop_exporter() { kill "$EPID" 2>/dev/null; wait "$EPID" 2>/dev/null; }
scrape() { curl -s --max-time 30 "http://127.0.0.1:$1/metrics" > "$T/out.prom"; }
has() { grep -q -- "$1" "$T/out.prom"; }

# ---- 1. two servers, custom queries ----------------------------------------------------
S1="127.0.0.1:$P1"; S2="127.0.0.1:$P2"
DATA_SOURCE_NAME="$DSN1,$DSN2" start_exporter "$EP" "$BIN" --extend.query-path="$T/queries.yaml" ||
    { t_bad "exporter start"; t_finish; }
scrape "$EP"; cp "$T/out.prom" "$T/ours.prom"
t_check "pg_up 1" has '^pg_up 1$'
t_check "no scrape error" has '^pg_exporter_last_scrape_error 0$'
t_check "pg_static primary" has "^pg_static{server=\"$S1\",short_version=\"15\.[0-9]*\.0\",version=\"PostgreSQL 15"
t_check "pg_static replica" has "^pg_static{server=\"$S2\","
t_check "pg_stat_database xact_commit appdb" has "^pg_stat_database_xact_commit{datid=\"[0-9]*\",datname=\"appdb\",server=\"$S1\"} [1-9]"
t_check "pg_stat_database shared row" has "^pg_stat_database_numbackends{datid=\"0\",datname=\"\",server=\"$S1\"} "
t_check "bgwriter counters" has "^pg_stat_bgwriter_buffers_alloc_total{server=\"$S1\"} [1-9]"
t_check "activity by state" has "^pg_stat_activity_count{datname=\"postgres\",server=\"$S1\",state=\"active\"} [1-9]"
t_check "max_tx_duration" has "^pg_stat_activity_max_tx_duration{datname=\"appdb\",server=\"$S1\",state=\"idle\"} "
t_check "database size" has "^pg_database_size_bytes{datname=\"appdb\",server=\"$S1\"} [1-9]"
t_check "locks" has "^pg_locks_count{datname=\"postgres\",mode=\"accesssharelock\",server=\"$S1\"} [1-9]"
t_check "settings bytes" has "^pg_settings_shared_buffers_bytes{server=\"$S1\"} 1.34217728e+08$"
t_check "settings seconds" has "^pg_settings_checkpoint_timeout_seconds{server=\"$S1\"} 300$"
t_check "settings bool" has "^pg_settings_fsync{server=\"$S1\"} 1$"
t_check "primary: pg_stat_replication per standby (slot_name = walsender pid, as 0.11)" has "^pg_stat_replication_pg_wal_lsn_diff{application_name=\"[^\"]*\",client_addr=\"127.0.0.1\",server=\"$S1\",slot_name=\"[0-9]*\",state=\"streaming\"} "
t_check "primary: replication slot" has "^pg_replication_slots_active{database=\"\",server=\"$S1\",slot_name=\"replica1\"} 1$"
t_check "primary: is_replica 0" has "^pg_replication_is_replica{server=\"$S1\"} 0$"
t_check "replica: is_replica 1" has "^pg_replication_is_replica{server=\"$S2\"} 1$"
t_check "replica: lag seconds" has "^pg_replication_lag_seconds{server=\"$S2\"} "
t_check "replica: lag bytes" has "^pg_replication_lag_bytes{server=\"$S2\"} "
t_check "custom: pg_replication_lag replica" has "^pg_replication_lag{server=\"$S2\"} "
t_check "custom: counter" has "^pg_custom_table_answer{datname=\"postgres\",server=\"$S1\"} 42$"
t_check "custom: gauge" has "^pg_custom_table_ratio{datname=\"postgres\",server=\"$S2\"} 3.5$"
t_check "custom: mapped" has "^pg_custom_table_state{datname=\"postgres\",server=\"$S1\"} 2$"
t_check "custom: load ok" has '^pg_exporter_user_queries_load_error{filename="[^"]*",hashsum="[0-9a-f]\{64\}"} 0$'
t_check "custom: types" grep -q '^# TYPE pg_custom_table_answer counter' "$T/out.prom"
if command -v promtool >/dev/null; then
    promtool check metrics < "$T/out.prom" >"$T/promtool.log" 2>&1
    rc=$?
    t_check "promtool check metrics (exit $rc; 3 = lint only)" test $rc = 0 -o $rc = 3
fi

# ---- 2. primary restart: the next scrape reconnects ------------------------------------
t_pgctl -D "$T/primary" -m fast restart -o "-p $P1" -l "$T/primary.log"
t_as_pg pg_isready -h 127.0.0.1 -p "$P1" -t 30 >/dev/null
scrape "$EP"
t_check "after restart: pg_up 1" has '^pg_up 1$'
t_check "after restart: primary scraped again" has "^pg_static{server=\"$S1\","
t_check "after restart: no scrape error" has '^pg_exporter_last_scrape_error 0$'
t_check "password not in log" bash -c "! grep -qF -- '$PASS' '$T/exporter.log'"
stop_exporter

# ---- 3. wrong password: pg_up 0, password not logged -----------------------------------
BADPW='Wr0ng-PassWord-xyz'
DATA_SOURCE_URI="127.0.0.1:$P1/postgres?sslmode=disable" DATA_SOURCE_USER=postgres \
    DATA_SOURCE_PASS="$BADPW" start_exporter "$EP" "$BIN" || t_bad "exporter start (bad pw)"
scrape "$EP"
t_check "wrong password: pg_up 0" has '^pg_up 0$'
t_check "wrong password: scrape error 1" has '^pg_exporter_last_scrape_error 1$'
t_check "wrong password: logged" grep -q 'password authentication failed' "$T/exporter.log"
t_check "wrong password: not in log" bash -c "! grep -qF -- '$BADPW' '$T/exporter.log'"
t_check "wrong password: not in output" bash -c "! grep -qF -- '$BADPW' '$T/out.prom'"
stop_exporter

# ---- 3b. other authentication methods and TLS ---------------------------------------------
maps_has() { grep -q "$1" "/proc/$EPID/maps"; }
MD5PW='Md5-Pw-4242'
psqlp -c "SET password_encryption = 'md5'" -c "CREATE ROLE md5user LOGIN PASSWORD '$MD5PW' IN ROLE pg_monitor" >/dev/null
sed -i "1i host all md5user 127.0.0.1/32 md5" "$T/primary/pg_hba.conf"
psqlp -c "SELECT pg_reload_conf()" >/dev/null; sleep 0.5
DATA_SOURCE_NAME="postgresql://md5user:$MD5PW@127.0.0.1:$P1/postgres?sslmode=disable" start_exporter "$EP" "$BIN" ||
    t_bad "exporter start (md5)"
scrape "$EP"
t_check "md5 user: pg_up 1" has '^pg_up 1$'
t_check "md5 user: no scrape error" has '^pg_exporter_last_scrape_error 0$'
t_check "md5 user: password not in log" bash -c "! grep -qF -- '$MD5PW' '$T/exporter.log'"
t_check "plain TCP: libpq not mapped" bash -c "! grep -q libpq /proc/$EPID/maps"
stop_exporter
DATA_SOURCE_NAME="postgresql://md5user:wrong-$MD5PW@127.0.0.1:$P1/postgres?sslmode=disable" start_exporter "$EP" "$BIN" ||
    t_bad "exporter start (md5, bad pw)"
scrape "$EP"
t_check "md5 wrong password: pg_up 0" has '^pg_up 0$'
t_check "md5 wrong password: clear error" grep -q 'password authentication failed for user \\\?"md5user' "$T/exporter.log"
t_check "md5 wrong password: not in log" bash -c "! grep -qF -- 'wrong-$MD5PW' '$T/exporter.log'"
stop_exporter

DATA_SOURCE_NAME="postgresql:///postgres?host=$T&port=$P1&user=postgres" start_exporter "$EP" "$BIN" ||
    t_bad "exporter start (unix socket)"
scrape "$EP"
t_check "trust over unix socket: pg_up 1" has '^pg_up 1$'
t_check "trust over unix socket: server label" has "^pg_static{server=\"$T:$P1\","
t_check "unix socket (prefer): libpq not mapped" bash -c "! grep -q libpq /proc/$EPID/maps"
stop_exporter

# upstream's remaining flags: --constantLabels, --auto-discover-databases with
# --exclude-databases / --include-databases (master: false maps on every database), and
# HISTOGRAM columns in queries.yaml
cat > "$T/disc.yaml" <<'YAML'
pg_db_local:
  query: "SELECT current_database() AS datname, 1 AS one"
  master: false
  metrics:
    - datname:
        usage: "LABEL"
        description: "database"
    - one:
        usage: "GAUGE"
        description: "one per database"
pg_hist:
  query: "SELECT 'a' AS kind, ARRAY[0.1, 0.5, 1]::float8[] AS lat, ARRAY[2, 5, 9]::int8[] AS lat_bucket, 4.25::float8 AS lat_sum, 10::int8 AS lat_count"
  master: true
  metrics:
    - kind:
        usage: "LABEL"
        description: "kind"
    - lat:
        usage: "HISTOGRAM"
        description: "latency"
YAML
psqlp -c "CREATE DATABASE otherdb" >/dev/null
DATA_SOURCE_NAME="$DSN1" start_exporter "$EP" "$BIN" --extend.query-path="$T/disc.yaml" \
    --auto-discover-databases --exclude-databases=otherdb --constantLabels=env=test,team=db ||
    t_bad "exporter start (discovery)"
scrape "$EP"
t_check "constantLabels on pg_up" has '^pg_up{env="test",team="db"} 1$'
t_check "constantLabels on server series" has "^pg_settings_fsync{env=\"test\",server=\"$S1\",team=\"db\"} 1$"
t_check "constantLabels not on the collector package" has "^pg_stat_bgwriter_buffers_alloc_total{server=\"$S1\"} "
t_check "discovery: the DSN's database" has "^pg_db_local_one{datname=\"postgres\",env=\"test\",server=\"$S1\",team=\"db\"} 1$"
t_check "discovery: appdb found" has "^pg_db_local_one{datname=\"appdb\",env=\"test\",server=\"$S1\",team=\"db\"} 1$"
t_check "discovery: otherdb excluded" bash -c "! grep -q 'pg_db_local_one{datname=\"otherdb\"' '$T/out.prom'"
t_check "discovery: master maps once" test "$(grep -c '^pg_hist_lat_count' "$T/out.prom")" = 1
t_check "discovery: pg_static once" test "$(grep -c '^pg_static' "$T/out.prom")" = 1
t_check "histogram bucket" has "^pg_hist_lat_bucket{env=\"test\",kind=\"a\",server=\"$S1\",team=\"db\",le=\"0.5\"} 5$"
t_check "histogram +Inf = count" has "^pg_hist_lat_bucket{env=\"test\",kind=\"a\",server=\"$S1\",team=\"db\",le=\"+Inf\"} 10$"
t_check "histogram sum" has "^pg_hist_lat_sum{env=\"test\",kind=\"a\",server=\"$S1\",team=\"db\"} 4.25$"
t_check "histogram type" grep -q '^# TYPE pg_hist_lat histogram' "$T/out.prom"
t_check "discovery: no scrape error" has '^pg_exporter_last_scrape_error{env="test",team="db"} 0$'
if command -v promtool >/dev/null; then
    promtool check metrics < "$T/out.prom" >"$T/promtool2.log" 2>&1
    rc=$?
    t_check "promtool: discovery + histogram output (exit $rc)" test $rc = 0 -o $rc = 3
fi
stop_exporter
DATA_SOURCE_NAME="$DSN1" start_exporter "$EP" "$BIN" --extend.query-path="$T/disc.yaml" \
    --auto-discover-databases --include-databases=otherdb || t_bad "exporter start (include)"
scrape "$EP"
t_check "include-databases: otherdb only" has "^pg_db_local_one{datname=\"otherdb\",server=\"$S1\"} 1$"
t_check "include-databases: appdb left out" bash -c "! grep -q 'pg_db_local_one{datname=\"appdb\"' '$T/out.prom'"
stop_exporter

# a server that accepts and never answers, and a query that never ends: both are cut at
# the scrape deadline Prometheus sends (X-Prometheus-Scrape-Timeout-Seconds)
HP=$(t_free_port)
t_hang "$HP"
timed_scrape() {  # timed_scrape PORT TIMEOUT: scrape with Prometheus's header, print seconds
    curl -s --max-time 30 -H "X-Prometheus-Scrape-Timeout-Seconds: $2" -o "$T/out.prom" \
        -w '%{time_total}' "http://127.0.0.1:$1/metrics"
}
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$HP") 2>/dev/null && break; sleep 0.1; done
DATA_SOURCE_NAME="postgresql://postgres:x@127.0.0.1:$HP/postgres?sslmode=disable" start_exporter "$EP" "$BIN" ||
    t_bad "exporter start (hanging server)"
t=$(timed_scrape "$EP" 3)
t_check "hanging server: pg_up 0" has '^pg_up 0$'
t_check "hanging server: answered within the scrape timeout (${t}s)" awk -v t="$t" 'BEGIN{exit !(t > 1 && t < 3)}'
t_check "hanging server: logged as a timeout" grep -q "127.0.0.1:$HP.*timeout" "$T/exporter.log"
stop_exporter
cat > "$T/slow.yaml" <<'YAML'
pg_slow:
  query: "SELECT pg_sleep(60) AS x, 1 AS y"
  metrics:
    - y:
        usage: "GAUGE"
        description: "never seen"
YAML
DATA_SOURCE_NAME="$DSN1" start_exporter "$EP" "$BIN" --extend.query-path="$T/slow.yaml" ||
    t_bad "exporter start (slow query)"
t=$(timed_scrape "$EP" 3)
t_check "slow query: answered within the scrape timeout (${t}s)" awk -v t="$t" 'BEGIN{exit !(t < 3)}'
t_check "slow query: pg_up 1" has '^pg_up 1$'
t_check "slow query: scrape error 1" has '^pg_exporter_last_scrape_error 1$'
t_check "slow query: other families there" has "^pg_settings_fsync{server=\"$S1\"} 1$"
t=$(timed_scrape "$EP" 3)
t_check "slow query: next scrape reconnects" has "^pg_static{server=\"$S1\","
t_check "slow query: logged as a timeout" grep -q 'pg_slow.*timeout' "$T/exporter.log"
stop_exporter
sleep 0.3
t_check "slow query: cancelled on the server" test "$(psqlp -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%'")" = 0

# TLS: a self-signed certificate made here; ssl can be turned on with a reload
openssl req -new -x509 -days 2 -nodes -subj "/CN=127.0.0.1" -keyout "$T/server.key" \
    -out "$T/server.crt" >"$T/openssl.log" 2>&1 || t_bad "openssl req"
chown postgres "$T/server.key" "$T/server.crt"; chmod 600 "$T/server.key"
psqlp -c "ALTER SYSTEM SET ssl_cert_file = '$T/server.crt'" -c "ALTER SYSTEM SET ssl_key_file = '$T/server.key'" \
    -c "ALTER SYSTEM SET ssl = on" >/dev/null
psqlp -c "SELECT pg_reload_conf()" >/dev/null; sleep 0.5
t_check "server ssl on" test "$(psqlp -c 'SHOW ssl')" = on
tls_sessions() { psqlp -c "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE s.ssl AND a.application_name = 'postgres_exporter'"; }
for mode in require prefer; do
    DATA_SOURCE_NAME="postgresql://postgres:$PASS@127.0.0.1:$P1/postgres?sslmode=$mode" start_exporter "$EP" "$BIN" ||
        t_bad "exporter start (sslmode=$mode)"
    scrape "$EP"
    t_check "sslmode=$mode: pg_up 1" has '^pg_up 1$'
    t_check "sslmode=$mode: no scrape error" has '^pg_exporter_last_scrape_error 0$'
    t_check "sslmode=$mode: libpq loaded" maps_has libpq.so.5
    t_check "sslmode=$mode: session uses TLS" test "$(tls_sessions)" -ge 1
    stop_exporter
done
DATA_SOURCE_NAME="postgresql://postgres:$PASS@127.0.0.1:$P1/postgres?sslmode=disable" start_exporter "$EP" "$BIN" ||
    t_bad "exporter start (ssl server, sslmode=disable)"
scrape "$EP"
t_check "ssl server, sslmode=disable: pg_up 1" has '^pg_up 1$'
t_check "ssl server, sslmode=disable: libpq not mapped" bash -c "! grep -q libpq /proc/$EPID/maps"
stop_exporter
t_check "no password in the log" bash -c "! grep -qF -e '$PASS' -e '$MD5PW' '$T/exporter.log'"

# ---- 4. family and label names against the Go build ------------------------------------
# Upstream 0.11 answers an error page ("collected metric ... was collected before") when
# given two DSNs (its top complaint), so the Go build gets the primary only; the primary
# has the standby and the slot, so its replication families are all there.
if [ -x "$GO" ]; then
    DATA_SOURCE_NAME="$DSN1" start_exporter "$GP" "$GO" --extend.query-path="$T/queries.yaml" ||
        t_bad "go exporter start"
    scrape "$GP"; cp "$T/out.prom" "$T/go.prom"
    t_check "Go build answered metrics" grep -q '^pg_up ' "$T/go.prom" || head -3 "$T/go.prom"
    grep -h "^pg_stat_replication_pg_wal_lsn_diff" "$T/go.prom" "$T/ours.prom"   # label values, for the log
    stop_exporter
    t_families "$T/go.prom" > "$T/go.fam"; t_families "$T/ours.prom" > "$T/ours.fam"
    # Deliberate differences (see postgres_exporter/README.md):
    #  postgres_exporter_build_info: ours has the build labels of our build (same names).
    allow='^(postgres_exporter_build_info)\{'
    missing=$(comm -23 "$T/go.fam" "$T/ours.fam" | grep -Ev "$allow")
    extra=$(comm -13 "$T/go.fam" "$T/ours.fam")
    echo "--- only in Go:"; echo "${missing:-(none)}"
    echo "--- only in ours:"; echo "${extra:-(none)}"
    t_check "every Go family/label set is in ours" test -z "$missing"
fi
t_finish

# SPDX-License-Identifier: Apache-2.0
# tests/lib.sh: what the integration scripts and benches share (sourced, not run): a temp
# dir $T removed on exit with every process started through t_bg (plus the script's own
# t_on_exit, when it defines one), free loopback ports, waiting for a port or an HTTP
# answer, the ok/bad counters and the closing "N passed, N failed" line.
# Use: `. tests/lib.sh; t_init NAME` after cd to the top of the tree.

pass=0; fail=0
t_pids=()
T_DETAIL=${T_DETAIL:-20}   # lines of detail t_bad prints under a failure

# t_init [NAME]: make the temp dir $T (/tmp/NAME-XXXXXX) and the cleanup trap.
t_init() {
    T=$(mktemp -d "/tmp/${1:-t}-XXXXXX")
    trap t_cleanup EXIT
}
# t_cleanup: the EXIT trap: t_on_exit, then stop the t_bg processes, then remove $T.
t_cleanup() {
    exec 2>/dev/null   # no "Terminated" job notices after the summary line
    declare -F t_on_exit >/dev/null && t_on_exit
    t_kill "${t_pids[@]}"
    rm -rf "$T"
}

t_ok()  { pass=$((pass + 1)); echo "ok   $1"; }
# t_bad NAME [DETAIL]: count a failure; DETAIL (its first $T_DETAIL lines) indented below.
t_bad() {
    fail=$((fail + 1)); echo "FAIL $1"
    [ -n "${2:-}" ] && printf '%s\n' "$2" | head -n "$T_DETAIL" | sed 's/^/     | /'
    return 0
}
# t_check NAME CMD...: passes when CMD succeeds.
t_check() { local name=$1; shift; if "$@"; then t_ok "$name"; else t_bad "$name"; fi; }
# t_check_quiet NAME CMD...: passes when CMD succeeds; its output shown only on failure.
t_check_quiet() {
    local name=$1; shift
    if "$@" >"$T/out" 2>&1; then t_ok "$name"; else t_bad "$name" "$(cat "$T/out")"; fi
}
# t_summary: print "N passed, N failed"; status 0 when nothing failed.
t_summary() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; }
# t_finish: the summary, then exit with its status.
t_finish() { t_summary; exit $?; }
# t_need FILE...: stop the script (as a failure) when one is not executable.
t_need() {
    local f
    for f in "$@"; do [ -x "$f" ] || { t_bad "missing $f (make all; scripts/deps.sh --test)"; t_finish; }; done
}

t_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
# t_until TRIES STEP CMD...: until CMD succeeds, TRIES times STEP seconds apart.
t_until() {
    local n=$1 step=$2 i; shift 2
    for i in $(seq 1 "$n"); do
        "$@" && return 0
        sleep "$step"
    done
    return 1
}
t_listens() {  # t_listens PORT|PATH: a loopback TCP port or a unix socket accepts
    if [[ $1 == */* ]]; then [ -S "$1" ]; else (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; fi
}
t_answers() { curl -fsS -o /dev/null "$1" 2>/dev/null; }   # t_answers URL: 2xx
# t_wait_port PORT|PATH [TRIES]: until t_listens (0.1 s steps; default 50).
t_wait_port() { t_until "${2:-50}" 0.1 t_listens "$1"; }
# t_wait_http URL [TRIES]: until URL answers 2xx (0.1 s steps; default 100).
t_wait_http() { t_until "${2:-100}" 0.1 t_answers "$1"; }
# t_wait_up PID URL [TRIES]: until URL answers 2xx while PID lives (0.05 s steps; default 200).
t_wait_up() {
    t_until "${3:-200}" 0.05 t__up_or_gone "$1" "$2" && t_answers "$2"
}
t__up_or_gone() { t_answers "$2" || ! kill -0 "$1" 2>/dev/null; }
# t_has FILE LINE: passes (named LINE) when FILE holds exactly LINE; else shows the family.
t_has() {
    if grep -qxF -- "$2" "$1"; then t_ok "$2"
    else t_bad "$2" "$(grep -F "${2%%[\{ ]*}" "$1" | head -n 8)"; fi
}
# t_hasnt FILE PATTERN: passes when no line of FILE matches the extended regex PATTERN.
t_hasnt() {
    if grep -qE -- "$2" "$1"; then t_bad "no line matches $2" "$(grep -E -- "$2" "$1" | head -n 5)"
    else t_ok "no line matches $2"; fi
}

# t_bg LOG CMD...: run CMD in the background, output to LOG, stopped on exit; sets $t_pid.
t_bg() {
    local log=$1; shift
    "$@" >"$log" 2>&1 &
    t_pid=$!
    t_pids+=("$t_pid")
}
# t_kill PID...: TERM, up to 2 s to exit, then KILL; reaps them.
t_kill() {
    local p i
    [ $# -eq 0 ] && return 0
    kill -TERM "$@" 2>/dev/null
    for i in $(seq 1 20); do
        for p in "$@"; do kill -0 "$p" 2>/dev/null && break; p=; done
        [ -z "$p" ] && break
        sleep 0.1
    done
    kill -KILL "$@" 2>/dev/null
    for p in "$@"; do wait "$p" 2>/dev/null; done
    return 0
}
# t_hang PORT|PATH: a peer that accepts on the loopback TCP port or the unix socket PATH and
# never answers (stopped on exit); returns once it listens.
t_hang() {
    t_bg /dev/null python3 -c '
import socket, sys
a = sys.argv[1]
if "/" in a:
    s = socket.socket(socket.AF_UNIX); s.bind(a)
else:
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(a)))
s.listen(8)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)' "$1"
    t_wait_port "$1"
}
# t_stop_tree PID: stop a supervisor (TERM, 5 s to stop its children), then KILL it and
# any children left.
t_stop_tree() {
    local kids i
    kill -0 "$1" 2>/dev/null || return 0
    kids=$(pgrep -P "$1")
    kill -TERM "$1" 2>/dev/null
    for i in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$1" $kids 2>/dev/null
    return 0
}
# t_families FILE: "name{label,label}" per series shape in a scrape, sorted unique, without
# the Go runtime's go_*, process_* and promhttp_* families.
t_families() {
    grep -v '^#' "$1" | grep -v '^\(go_\|process_\|promhttp_\)' | sed -E 's/ [^ ]+$//' |
        python3 -c '
import re, sys
for line in sys.stdin:
    m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?", line.strip())
    if not m: continue
    labels = sorted(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)=\"", m.group(3) or ""))
    print(m.group(1) + "{" + ",".join(labels) + "}")' | sort -u
}
t_rss_kb() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }

# ---- real servers the exporter tests and benches share ----------------------------------
# t_apache_conf DIR PORT STATUS(yes|no) EXTENDED(On|Off): DIR/apache.conf, the whole apache
# config (nothing from /etc): mod_status at /server-status when STATUS is yes, a redirect
# /old-status -> /server-status, pid file, logs, scoreboard and DocumentRoot DIR/htdocs.
t_apache_conf() {
    local d=$1 port=$2 mods=/usr/lib/apache2/modules user=""
    [ "$(id -u)" = 0 ] && user=$'User nobody\nGroup nogroup'
    {
        echo "ServerRoot /etc/apache2"
        echo "LoadModule mpm_event_module $mods/mod_mpm_event.so"
        echo "LoadModule authz_core_module $mods/mod_authz_core.so"
        echo "LoadModule alias_module $mods/mod_alias.so"
        [ "$3" = yes ] && echo "LoadModule status_module $mods/mod_status.so"
        echo "$user"
        echo "ServerName 127.0.0.1"
        echo "Listen 127.0.0.1:$port"
        echo "PidFile $d/apache.pid"
        echo "ErrorLog $d/apache-error.log"
        echo "DefaultRuntimeDir $d"
        echo "ScoreBoardFile $d/apache.scoreboard"
        echo "DocumentRoot $d/htdocs"
        echo "StartServers 1"
        echo "Redirect /old-status /server-status"
        if [ "$3" = yes ]; then
            echo "ExtendedStatus $4"
            echo "<Location /server-status>"
            echo "    SetHandler server-status"
            echo "</Location>"
        fi
    } > "$d/apache.conf"
}

# t_haproxy DIR: a python3 http.server (DIR/www) and haproxy (DIR/haproxy.cfg, stats socket
# DIR/admin.sock, log DIR/haproxy.log) on fresh ports, set here: FP the frontend, SP the
# stats page, WP the web server, DOWN1/DOWN2 closed ports. Frontend fe_main (/other ->
# be_other), backends be_app (web1 up, web2 down) and be_other (web3 up, web4 down).
# Waits for the health checks and sends a few requests. Status 1: haproxy did not start.
t_haproxy() {
    local d=$1 i
    FP=$(t_free_port); SP=$(t_free_port); WP=$(t_free_port); DOWN1=$(t_free_port); DOWN2=$(t_free_port)
    mkdir -p "$d/www"; echo hello > "$d/www/index.html"
    t_bg /dev/null python3 -m http.server "$WP" --bind 127.0.0.1 --directory "$d/www"
    t_wait_port "$WP"
    cat > "$d/haproxy.cfg" <<CFG
global
    stats socket $d/admin.sock mode 600 level admin
    pidfile $d/haproxy.pid
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe_main
    bind 127.0.0.1:$FP
    use_backend be_other if { path_beg /other }
    default_backend be_app
backend be_app
    server web1 127.0.0.1:$WP check inter 300ms
    server web2 127.0.0.1:$DOWN1 check inter 300ms fall 1
backend be_other
    server web3 127.0.0.1:$WP check inter 300ms
    server web4 127.0.0.1:$DOWN2 check inter 300ms fall 1
listen stats
    bind 127.0.0.1:$SP
    stats enable
    stats uri /stats
CFG
    t_bg "$d/haproxy.log" /usr/sbin/haproxy -f "$d/haproxy.cfg" -db
    t_wait_port "$FP" || return 1
    sleep 1.5   # let the health checks mark web2/web4 down
    for i in 1 2 3 4; do curl -s "http://127.0.0.1:$FP/" >/dev/null; curl -s "http://127.0.0.1:$FP/other" >/dev/null; done
    return 0
}

# PostgreSQL 15 as user postgres ($PGBIN: its binaries). t_pgctl logs to $T/pg_ctl.log.
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
t_as_pg() { runuser -u postgres -- "$@"; }
t_pgctl() { t_as_pg "$PGBIN/pg_ctl" -w -t 60 "$@" >>"$T/pg_ctl.log" 2>&1; }
# t_pg_primary DIR PORT PASSWORD [replica]: initdb DIR/primary (superuser postgres with
# PASSWORD, scram over TCP, trust on the socket in DIR), start it on 127.0.0.1:PORT, wait
# until ready. With "replica": wal_level replica, hot_standby and a replication hba line.
# Status 1: initdb failed (DIR/initdb.log); 2: did not start (DIR/primary.log); 3: not ready.
t_pg_primary() {
    local d=$1 port=$2
    chown postgres "$d"; chmod 700 "$d"
    echo "$3" > "$d/pw"; chown postgres "$d/pw"
    t_as_pg "$PGBIN/initdb" -D "$d/primary" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        --pwfile="$d/pw" >"$d/initdb.log" 2>&1 || return 1
    printf "listen_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n" "$d" >> "$d/primary/postgresql.conf"
    if [ "${4:-}" = replica ]; then
        printf 'wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n' >> "$d/primary/postgresql.conf"
        echo "host replication postgres 127.0.0.1/32 scram-sha-256" >> "$d/primary/pg_hba.conf"
    fi
    t_pgctl -D "$d/primary" -o "-p $port" -l "$d/primary.log" start || return 2
    t_as_pg pg_isready -h 127.0.0.1 -p "$port" -t 30 >/dev/null || return 3
}

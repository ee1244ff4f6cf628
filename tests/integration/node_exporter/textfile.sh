#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# textfile.sh: the textfile collector in the built node_exporter over HTTP: a directory
# with good files, a broken file, a file with client-side timestamps and conflicting HELP
# across files. Checks the served families, node_textfile_mtime_seconds,
# node_textfile_scrape_error, the error log line (file:line:col and reason), and that a
# changed file is picked up on the next scrape. Prints "N passed, N failed" last.
set -u
cd "$(dirname "$0")/../../.."
BIN=${NODE_EXPORTER:-build/${VARIANT:-release}/node_exporter/node_exporter}
pass=0; fail=0
work=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && { kill -KILL "$pid"; wait "$pid"; } 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | head -n 20 | sed 's/^/     | /'; }
has() {
    if grep -qxF -- "$1" "$work/metrics"; then ok "$1"
    else bad "$1" "$(grep -F "${1%%[\{ ]*}" "$work/metrics" | head -n 8)"; fi
}
hasnt() {
    if grep -qE -- "$1" "$work/metrics"; then bad "no line matches $1" "$(grep -E -- "$1" "$work/metrics" | head -n 5)"
    else ok "no line matches $1"; fi
}
finish() { echo "$pass passed, $fail failed"; [ $fail -eq 0 ]; exit $?; }
[ -x "$BIN" ] || { bad "binary $BIN exists (run make all)"; finish; }

d=$work/textfile
mkdir -p "$d"
printf '# HELP batch_last_success_seconds Last success of the batch job.\n# TYPE batch_last_success_seconds gauge\nbatch_last_success_seconds{job="backup"} 1.7e+09\n' > "$d/backup.prom"
printf '# TYPE batch_last_success_seconds gauge\nbatch_last_success_seconds{job="rotate"} 1.6e+09\nrole{role="db",extra="x"} 1\nrole{role="web"} 1\n' > "$d/rotate.prom"
printf 'helpless{n="1"} 1\n' > "$d/x1.prom"
printf 'helpless{n="2"} 2\n' > "$d/x2.prom"
printf 'ok_metric 1\nbroken_metric{a="b" 2\n' > "$d/broken.prom"
printf 'stamped_metric 1 1700000000000\n' > "$d/stamped.prom"
printf 'not_read 1\n' > "$d/notes.txt"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
url=http://127.0.0.1:$port
"$BIN" --web.listen-address=127.0.0.1:$port --collector.disable-defaults --collector.textfile \
    --collector.textfile.directory="$d" >"$work/log" 2>&1 &
pid=$!
up=0
for _ in $(seq 1 100); do
    curl -fsS "$url/-/healthy" >/dev/null 2>&1 && { up=1; break; }
    sleep 0.05
done
[ $up = 1 ] || { bad "node_exporter starts" "$(cat "$work/log")"; finish; }

curl -fsS "$url/metrics" -o "$work/metrics" || bad "scrape /metrics"
has 'node_scrape_collector_success{collector="textfile"} 1'
has 'node_textfile_scrape_error 1'
has '# HELP batch_last_success_seconds Last success of the batch job.'
has 'batch_last_success_seconds{job="backup"} 1.7e+09'
# rotate.prom has no HELP: its generated help differs from backup.prom's, so upstream's
# gatherer drops its samples (first file wins)
hasnt 'batch_last_success_seconds\{job="rotate"\}'
has 'role{extra="",role="web"} 1'
has 'role{extra="x",role="db"} 1'
has "# HELP helpless Metric read from $d/x1.prom, $d/x2.prom"
has 'helpless{n="1"} 1'
has 'helpless{n="2"} 2'
hasnt '^(ok_metric|broken_metric|stamped_metric|not_read)'
for f in backup rotate x1 x2; do
    if grep -qE "^node_textfile_mtime_seconds\{file=\"$d/$f.prom\"\} [0-9.e+]+$" "$work/metrics"; then ok "mtime of $f.prom"
    else bad "mtime of $f.prom" "$(grep mtime "$work/metrics")"; fi
done
hasnt 'node_textfile_mtime_seconds\{file="[^"]*(broken|stamped)\.prom"\}'
sleep 0.2
if grep -qF "msg=\"failed to collect textfile data\" file=broken.prom err=\"$d/broken.prom:2:21: " "$work/log"; then
    ok "broken file logged with file:line:col"
else bad "broken file logged with file:line:col" "$(grep textfile "$work/log")"; fi
if grep -q 'file=stamped.prom err=.*contains unsupported client-side timestamps' "$work/log"; then
    ok "timestamped file logged"
else bad "timestamped file logged" "$(grep textfile "$work/log")"; fi
if grep -q 'level=error.*metric=batch_last_success_seconds.*rotate.prom' "$work/log"; then
    ok "HELP conflict logged"
else bad "HELP conflict logged" "$(grep -i conflict "$work/log")"; fi

# fix the broken file and remove the stamped one: next scrape is clean
printf 'ok_metric 1\nbroken_metric{a="b"} 2\n' > "$d/broken.prom"
rm "$d/stamped.prom"
curl -fsS "$url/metrics" -o "$work/metrics" || bad "second scrape"
sleep 0.1; grep textfile "$work/log" | tail -3
has 'node_textfile_scrape_error 0'
has 'broken_metric{a="b"} 2'
has 'ok_metric 1'
finish

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
. tests/lib.sh
t_init ne-it; work=$T
pid=
t_on_exit() { [ -n "$pid" ] && t_kill "$pid"; }

has() { t_has "$work/metrics" "$1"; }     # has LINE: the last scrape holds exactly this line
hasnt() { t_hasnt "$work/metrics" "$1"; } # hasnt PATTERN: no line of the last scrape matches
[ -x "$BIN" ] || { t_bad "binary $BIN exists (run make all)"; t_finish; }

d=$work/textfile
mkdir -p "$d"
printf '# HELP batch_last_success_seconds Last success of the batch job.\n# TYPE batch_last_success_seconds gauge\nbatch_last_success_seconds{job="backup"} 1.7e+09\n' > "$d/backup.prom"
printf '# TYPE batch_last_success_seconds gauge\nbatch_last_success_seconds{job="rotate"} 1.6e+09\nrole{role="db",extra="x"} 1\nrole{role="web"} 1\n' > "$d/rotate.prom"
printf 'helpless{n="1"} 1\n' > "$d/x1.prom"
printf 'helpless{n="2"} 2\n' > "$d/x2.prom"
printf 'ok_metric 1\nbroken_metric{a="b" 2\n' > "$d/broken.prom"
printf 'stamped_metric 1 1700000000000\n' > "$d/stamped.prom"
printf 'not_read 1\n' > "$d/notes.txt"

port=$(t_free_port)
url=http://127.0.0.1:$port
"$BIN" --web.listen-address=127.0.0.1:$port --collector.disable-defaults --collector.textfile \
    --collector.textfile.directory="$d" >"$work/log" 2>&1 &
pid=$!
t_wait_http "$url/-/healthy" || { t_bad "node_exporter starts" "$(cat "$work/log")"; t_finish; }

curl -fsS "$url/metrics" -o "$work/metrics" || t_bad "scrape /metrics"
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
    if grep -qE "^node_textfile_mtime_seconds\{file=\"$d/$f.prom\"\} [0-9.e+]+$" "$work/metrics"; then t_ok "mtime of $f.prom"
    else t_bad "mtime of $f.prom" "$(grep mtime "$work/metrics")"; fi
done
hasnt 'node_textfile_mtime_seconds\{file="[^"]*(broken|stamped)\.prom"\}'
sleep 0.2
if grep -qF "msg=\"failed to collect textfile data\" file=broken.prom err=\"$d/broken.prom:2:21: " "$work/log"; then
    t_ok "broken file logged with file:line:col"
else t_bad "broken file logged with file:line:col" "$(grep textfile "$work/log")"; fi
if grep -q 'file=stamped.prom err=.*contains unsupported client-side timestamps' "$work/log"; then
    t_ok "timestamped file logged"
else t_bad "timestamped file logged" "$(grep textfile "$work/log")"; fi
if grep -q 'level=error.*metric=batch_last_success_seconds.*rotate.prom' "$work/log"; then
    t_ok "HELP conflict logged"
else t_bad "HELP conflict logged" "$(grep -i conflict "$work/log")"; fi

# fix the broken file and remove the stamped one: next scrape is clean
printf 'ok_metric 1\nbroken_metric{a="b"} 2\n' > "$d/broken.prom"
rm "$d/stamped.prom"
curl -fsS "$url/metrics" -o "$work/metrics" || t_bad "second scrape"
sleep 0.1; grep textfile "$work/log" | tail -3
has 'node_textfile_scrape_error 0'
has 'broken_metric{a="b"} 2'
has 'ok_metric 1'
t_finish

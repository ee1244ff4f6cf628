#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# asan_scrapes.sh: 1,000 scrapes of the ASan+UBSan build of node_exporter (built by
# `make VARIANT=asan all`; this script builds nothing): plain, gzip, collect[] and
# exclude[] filters, a bad collect[] name; then SIGTERM, and the exporter must exit 0 with
# nothing in the ASan/LSan/UBSan logs. Prints "N passed, N failed" last.
set -u
cd "$(dirname "$0")/../../.."
BIN=${NODE_EXPORTER_ASAN:-build/asan/node_exporter/node_exporter}
SCRAPES=${SCRAPES:-1000}
. tests/lib.sh
t_init ne-it; work=$T
T_DETAIL=60
pid=
t_on_exit() { [ -n "$pid" ] && t_kill "$pid"; }

if [ ! -x "$BIN" ]; then
    t_bad "binary $BIN exists (run make VARIANT=asan all)"
    t_finish
fi

mkdir "$work/textfile"
printf '# HELP demo_value A demo.\n# TYPE demo_value gauge\ndemo_value{a="1"} 1\n' >"$work/textfile/good.prom"
printf 'demo_value{a="1"} 1 2\nnot a metric\n' >"$work/textfile/bad.prom"

port=$(t_free_port)
url=http://127.0.0.1:$port
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:log_path=$work/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$work/ubsan"
export LSAN_OPTIONS="log_path=$work/lsan"
"$BIN" --web.listen-address=127.0.0.1:$port --collector.textfile.directory="$work/textfile" \
    >"$work/log" 2>&1 &
pid=$!
if t_wait_up "$pid" "$url/-/healthy"; then t_ok "ASan build starts"
else t_bad "ASan build starts" "$(tail -n 30 "$work/log"; cat "$work"/asan.* 2>/dev/null)"
    t_finish; fi

# The mix: most scrapes plain; every 10th gzip, every 25th a collect[] filter, every 50th
# an exclude[] filter, every 100th an unknown collector (400). Counts non-2xx/400 answers.
errs=0; n=0
for i in $(seq 1 "$SCRAPES"); do
    args=(-s -o /dev/null -w '%{http_code}')
    want=200; u="$url/metrics"
    if (( i % 100 == 0 )); then u="$url/metrics?collect%5B%5D=nosuch"; want=400
    elif (( i % 50 == 0 )); then u="$url/metrics?exclude%5B%5D=cpu&exclude%5B%5D=textfile"
    elif (( i % 25 == 0 )); then u="$url/metrics?collect%5B%5D=cpu&collect%5B%5D=meminfo&collect%5B%5D=textfile"
    elif (( i % 10 == 0 )); then args+=(-H 'Accept-Encoding: gzip')
    fi
    code=$(curl "${args[@]}" "$u")
    n=$((n + 1))
    if [ "$code" != "$want" ]; then
        errs=$((errs + 1))
        [ $errs -le 5 ] && echo "     scrape $i: $u: HTTP $code (want $want)"
        kill -0 "$pid" 2>/dev/null || break
    fi
done
if [ $errs = 0 ]; then t_ok "$n scrapes answered as expected"
else t_bad "$errs of $n scrapes failed"; fi

# one full page must still parse after all that
curl -fsS "$url/metrics" -o "$work/page" && grep -q '^node_exporter_build_info' "$work/page" &&
    t_ok "last page complete" || t_bad "last page complete"

kill -TERM "$pid" 2>/dev/null
rc=
for _ in $(seq 1 200); do
    if ! kill -0 "$pid" 2>/dev/null; then wait "$pid"; rc=$?; break; fi
    sleep 0.05
done
pid=
if [ "$rc" = 0 ]; then t_ok "SIGTERM: exit 0"
else t_bad "SIGTERM: exit 0 within 10 s" "rc '$rc'; log: $(tail -n 10 "$work/log")"; fi

reports=$(cat "$work"/asan.* "$work"/ubsan.* "$work"/lsan.* 2>/dev/null)
if [ -z "$reports" ] && ! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$work/log"; then
    t_ok "no ASan/LSan/UBSan reports"
else t_bad "sanitizer reports" "$reports$(grep -A30 -E 'Sanitizer|runtime error' "$work/log")"; fi

t_summary

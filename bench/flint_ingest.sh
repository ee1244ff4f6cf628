#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# flint_ingest.sh: flint against Prometheus 2.42 and VictoriaMetrics 1.79 (Debian
# packages), one after another in one run, scraping the same synthetic targets
# (tests/tools/synth_targets: TARGETS loopback addresses x SERIES node-like series that
# move every second) at the same interval for the same time. For each: CPU seconds and
# CPU per sample, peak resident memory (VmHWM), bytes on disk while live, bytes per
# sample after compaction (Prometheus and flint: an admin snapshot, which writes the
# head into blocks; VictoriaMetrics: force_flush + force_merge), and restart time
# (SIGTERM, start again, until /-/ready (or /health) answers 200). Prints flint's ratios
# to both (issue 4: less CPU and memory than VictoriaMetrics, <= 1/4 of Prometheus's
# memory, <= 1.0 byte/sample). Ends with "N passed, N failed" (a system fails when it
# could not run). Env: BENCH_INGEST_SECONDS (300), TARGETS (200), SERIES (1000),
# INTERVAL (5s).
set -u
cd "$(dirname "$0")/.."
SECS=${BENCH_INGEST_SECONDS:-300}
NT=${TARGETS:-200}
NS=${SERIES:-1000}
IV=${INTERVAL:-5s}
R=build/release
SYNTH=$R/tests/tools/synth_targets
FLINT=${FLINT:-$R/flint/flint}
work=$(mktemp -d /tmp/bench-ingest-XXXXXX)
pids=(); pass=0; fail=0
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    sleep 0.5
    rm -rf "$work"
}
trap cleanup EXIT
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_ok() {  # wait_ok URL SECONDS: until URL answers 200; prints the seconds it took
    local t0 now
    t0=$(date +%s.%N)
    for _ in $(seq $(( $2 * 20 ))); do
        if [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ]; then
            now=$(date +%s.%N); awk -v a="$t0" -v b="$now" 'BEGIN{printf "%.2f", b-a}'; return 0
        fi
        sleep 0.05
    done
    return 1
}
cpu_s() { awk '{printf "%.2f", ($14+$15)/100}' "/proc/$1/stat"; }
hwm_mb() { awk '/^VmHWM/{printf "%.1f", $2/1024}' "/proc/$1/status"; }
du_b() { du -sb "$1" 2>/dev/null | awk '{print $1}'; }
metric() {  # metric URL NAME: sum of the samples of NAME on a /metrics page
    curl -s "$1" | awk -v n="$2" '$1 == n || index($1, n "{") == 1 {s += $NF} END{printf "%.0f", s}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b+0 == 0) print "n/a"; else printf "%.2f", a/b }'; }

[ -x "$SYNTH" ] || { echo "bench: $SYNTH not built (make all unit)"; echo "0 passed, 1 failed"; exit 1; }
sport=$(freeport)
"$SYNTH" "$sport" "$NS" & pids+=($!)
targets=""
for i in $(seq 1 "$NT"); do targets="$targets\"127.0.0.$i:$sport\","; done
cat >"$work/scrape.yml" <<YML
global:
  scrape_interval: $IV
  scrape_timeout: $IV
scrape_configs:
  - job_name: synth
    static_configs:
      - targets: [${targets%,}]
YML

declare -A CPU MEM LIVE BPS RESTART SAMPLES
run_system() {  # run_system NAME: start, ingest for SECS, measure, restart
    local name=$1 port dir pid url ready t0
    port=$(freeport); dir=$work/$name; mkdir -p "$dir"
    case $name in
    prometheus)
        prometheus --config.file="$work/scrape.yml" --storage.tsdb.path="$dir" \
            --web.listen-address=127.0.0.1:$port --web.enable-admin-api \
            >"$work/$name.log" 2>&1 & pid=$!
        ready=/-/ready; url=http://127.0.0.1:$port ;;
    victoria)
        victoria-metrics -promscrape.config="$work/scrape.yml" -storageDataPath="$dir" \
            -httpListenAddr=127.0.0.1:$port -retentionPeriod=1y >"$work/$name.log" 2>&1 & pid=$!
        ready=/health; url=http://127.0.0.1:$port ;;
    flint)
        "$FLINT" --config.file="$work/scrape.yml" --storage.tsdb.path="$dir" \
            --web.listen-address=127.0.0.1:$port --web.enable-admin-api \
            >"$work/$name.log" 2>&1 & pid=$!
        ready=/-/ready; url=http://127.0.0.1:$port ;;
    esac
    pids+=("$pid")
    if ! wait_ok "$url$ready" 30 >/dev/null; then
        echo "$name: did not become ready"; tail -5 "$work/$name.log"; return 1
    fi
    sleep "$SECS"
    CPU[$name]=$(cpu_s "$pid"); MEM[$name]=$(hwm_mb "$pid"); LIVE[$name]=$(du_b "$dir")
    case $name in
    prometheus|flint)
        SAMPLES[$name]=$(metric "$url/metrics" prometheus_tsdb_head_samples_appended_total)
        local snap
        snap=$(curl -s -XPOST "$url/api/v1/admin/tsdb/snapshot" |
               python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["name"])' 2>/dev/null)
        if [ -n "$snap" ] && [ -d "$dir/snapshots/$snap" ]; then
            BPS[$name]=$(ratio "$(du_b "$dir/snapshots/$snap")" "${SAMPLES[$name]}")
        else
            BPS[$name]=n/a
        fi ;;
    victoria)
        SAMPLES[$name]=$(metric "$url/metrics" vm_rows_inserted_total)
        curl -s "$url/internal/force_flush" >/dev/null; curl -s "$url/internal/force_merge" >/dev/null
        sleep 5
        BPS[$name]=$(ratio "$(du_b "$dir/data")" "${SAMPLES[$name]}") ;;
    esac
    LIVE[$name]=$(ratio "${LIVE[$name]}" "${SAMPLES[$name]}")
    kill -TERM "$pid"; wait "$pid" 2>/dev/null
    case $name in
    prometheus) prometheus --config.file="$work/scrape.yml" --storage.tsdb.path="$dir" \
                    --web.listen-address=127.0.0.1:$port >>"$work/$name.log" 2>&1 & pid=$! ;;
    victoria) victoria-metrics -promscrape.config="$work/scrape.yml" -storageDataPath="$dir" \
                  -httpListenAddr=127.0.0.1:$port -retentionPeriod=1y >>"$work/$name.log" 2>&1 & pid=$! ;;
    flint) "$FLINT" --config.file="$work/scrape.yml" --storage.tsdb.path="$dir" \
               --web.listen-address=127.0.0.1:$port >>"$work/$name.log" 2>&1 & pid=$! ;;
    esac
    pids+=("$pid")
    RESTART[$name]=$(wait_ok "$url$ready" 120) || RESTART[$name]=n/a
    kill -TERM "$pid"; wait "$pid" 2>/dev/null
    rm -rf "$dir"
    return 0
}

echo "ingest: $NT targets x $NS series every $IV for ${SECS}s each"
printf '%-11s %9s %9s %10s %9s %9s %10s %9s\n' system cpu_s samples us/sample peak_MiB live_B/s compact_B/s restart_s
for s in prometheus victoria flint; do
    if run_system "$s"; then
        pass=$((pass + 1))
        printf '%-11s %9s %9s %10s %9s %9s %10s %9s\n' "$s" "${CPU[$s]}" "${SAMPLES[$s]}" \
            "$(awk -v c="${CPU[$s]}" -v n="${SAMPLES[$s]}" 'BEGIN{ if (n > 0) printf "%.2f", c*1e6/n; else print "n/a"}')" \
            "${MEM[$s]}" "${LIVE[$s]}" "${BPS[$s]}" "${RESTART[$s]}"
    else
        fail=$((fail + 1)); echo "$s: FAILED to run"
    fi
done
if [ -n "${CPU[flint]:-}" ]; then
    for o in victoria prometheus; do
        [ -n "${CPU[$o]:-}" ] || continue
        cps_f=$(awk -v c="${CPU[flint]}" -v n="${SAMPLES[flint]}" 'BEGIN{ if (n > 0) print c/n; else print 0}')
        cps_o=$(awk -v c="${CPU[$o]}" -v n="${SAMPLES[$o]}" 'BEGIN{ if (n > 0) print c/n; else print 0}')
        echo "flint/$o: cpu per sample $(ratio "$cps_f" "$cps_o"), peak memory $(ratio "${MEM[flint]}" "${MEM[$o]}")"
    done
    echo "targets: cpu and memory < victoria (ratio < 1), memory <= 0.25 of prometheus, compacted <= 1.0 B/sample (flint: ${BPS[flint]})"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]

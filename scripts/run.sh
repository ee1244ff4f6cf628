#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run.sh: `make run`: start every exporter binary that has been built, each on its
# upstream default port, and flint (:9090) scraping them and itself with the default
# flint.yml (data in build/flint-data, or $FLINT_DATA; /-/reload enabled); print their
# URLs, and stop them all on Ctrl-C (or when one dies).
# To add a binary, add one "path|url|args..." line to PROGRAMS below.
set -u
cd "$(dirname "$0")/.."
VARIANT=${VARIANT:-release}
B=build/$VARIANT
FLINT_DATA=${FLINT_DATA:-build/flint-data}

PROGRAMS=(
    "$B/node_exporter/node_exporter|http://localhost:9100/metrics|--web.listen-address=:9100"
    "$B/flint/flint|http://localhost:9090/api/v1/targets|--config.file=flint.yml --web.listen-address=:9090 --web.enable-lifecycle --storage.tsdb.path=$FLINT_DATA"
)

pids=()
stop() {
    trap - INT TERM
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    exit 0
}
trap stop INT TERM

for entry in "${PROGRAMS[@]}"; do
    IFS='|' read -r bin url args <<<"$entry"
    if [ ! -x "$bin" ]; then
        echo "skip: $bin (not built)"
        continue
    fi
    # shellcheck disable=SC2086  # args is a word list on purpose
    "$bin" $args &
    pids+=($!)
    echo "started ${bin##*/} (pid $!): $url"
done

if [ ${#pids[@]} -eq 0 ]; then
    echo "nothing to run: build with 'make all' first" >&2
    exit 1
fi
echo "Ctrl-C stops everything."
wait -n "${pids[@]}"
echo "a program exited; stopping the others" >&2
stop

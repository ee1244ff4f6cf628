#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run.sh: runs every benchmark binary under build/release/bench/ (built by `make bench`),
# then every bench/*.sh side-by-side script unless BENCH_SCRIPTS=0 (rss_by_mapping.sh is a
# helper they call, not a benchmark). Each prints its own
# figures; this prints a "N passed, N failed" line last (a bench fails when it exits
# non-zero, e.g. a missing dependency) and exits non-zero when one failed.
set -u
cd "$(dirname "$0")/.."
pass=0; fail=0; failed=()
run() {
    local name=$1; shift
    echo "=== $name"
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed+=("$name"); fi
    echo
}
for b in build/release/bench/*; do
    [ -f "$b" ] && [ -x "$b" ] && run "${b##*/}" "$b"
done
if [ "${BENCH_SCRIPTS:-1}" != 0 ]; then
    for s in bench/*.sh; do
        [ "$s" = bench/run.sh ] || [ "$s" = bench/rss_by_mapping.sh ] || [ ! -f "$s" ] || run "${s##*/}" bash "$s"
    done
fi
[ $fail -gt 0 ] && echo "failed: ${failed[*]}"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]

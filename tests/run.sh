#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run.sh: runs every test suite that `make test` built, in order: check unit tests
# (release, then ASan+UBSan), fuzz corpus replay, a short libFuzzer run per target,
# and the integration scripts under tests/integration/ (each starts the real servers it
# needs on loopback). Ends with the line "N passed, N failed".
# FUZZ_SECONDS (default 20) sets each fuzz run's length.
set -u
cd "$(dirname "$0")/.."
pass=0; fail=0; failed_names=()
FUZZ_SECONDS=${FUZZ_SECONDS:-20}

step() {  # step NAME CMD...: run one step, count it, show its output on failure
    local name=$1; shift
    local log; log=$(mktemp)
    local t0=$SECONDS
    if "$@" >"$log" 2>&1; then
        pass=$((pass + 1)); printf 'PASS %-50s %3ss\n' "$name" $((SECONDS - t0))
        grep -E '^[0-9]+%: Checks|passed, [0-9]+ failed' "$log" | sed 's/^/     /'
    else
        fail=$((fail + 1)); failed_names+=("$name")
        printf 'FAIL %-50s %3ss\n' "$name" $((SECONDS - t0))
        tail -n 60 "$log" | sed 's/^/     | /'
    fi
    rm -f "$log"
}

step "checksrc (house rules)" ./scripts/checksrc

for v in release asan; do
    for t in build/$v/tests/unit_*; do
        [ -x "$t" ] && step "unit/$v/${t##*/unit_}" "$t"
    done
    for r in build/$v/fuzz/replay_*; do
        [ -x "$r" ] || continue
        n=${r##*/replay_}
        step "fuzz-replay/$v/$n" "$r" "tests/fuzz/corpus/$n"
    done
done

for f in build/fuzz/*; do
    [ -x "$f" ] || continue
    n=${f##*/}
    work=$(mktemp -d)
    cp -r "tests/fuzz/corpus/$n/." "$work/" 2>/dev/null
    dict=(); [ -f "tests/fuzz/$n.dict" ] && dict=(-dict="tests/fuzz/$n.dict")
    step "fuzz/$n (${FUZZ_SECONDS}s)" "$f" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 \
        -max_len=65536 "${dict[@]}" "$work"
    rm -rf "$work"
done

for s in $(find tests/integration -name '*.sh' -type f | sort); do
    step "integration/${s#tests/integration/}" bash "$s"
done

echo
if [ $fail -gt 0 ]; then
    echo "failed: ${failed_names[*]}"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# import.sh: `flint tsdb import openmetrics` against `promtool tsdb create-blocks-from
# openmetrics` on the same generated file: both accept it, make blocks of the same 2 h
# ranges with the same sample and series counts (also with --max-block-duration), both
# reject a malformed file (flint with file:line:col); `flint tsdb analyze` reports on
# the blocks; flint's blocks are smaller. FLINT names the binary.
# Prints "N passed, N failed" last; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/../../.."
BIN=${FLINT:-build/${VARIANT:-release}/flint/flint}
pass=0; fail=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | head -n 20 | sed 's/^/     | /'; }
check() {  # check NAME CMD...: passes when CMD succeeds
    local name=$1; shift
    if "$@" >"$work/out" 2>&1; then ok "$name"; else bad "$name" "$(cat "$work/out")"; fi
}

if [ ! -x "$BIN" ]; then
    bad "binary $BIN exists (run make all)"
    echo "$pass passed, $fail failed"; exit 1
fi
if ! command -v promtool >/dev/null; then
    bad "promtool installed (scripts/deps.sh --test)"
    echo "$pass passed, $fail failed"; exit 1
fi

# blocks DIR: one line per block, sorted by minTime: "<range start> <samples> <series>"
# with the range start aligned down to RANGE ms (promtool's minTime is the first sample).
blocks() {
    python3 - "$1" "$2" <<'PY'
import json, os, sys
d, rng = sys.argv[1], int(sys.argv[2])
rows = []
for b in os.listdir(d):
    p = os.path.join(d, b, "meta.json")
    if os.path.exists(p):
        m = json.load(open(p))
        rows.append((m["minTime"] // rng * rng, m["stats"]["numSamples"], m["stats"]["numSeries"]))
for r in sorted(rows):
    print(*r)
PY
}

gen=tests/integration/flint_tsdb/gen_openmetrics.py
python3 "$gen" --series 100 --hours 7 --start 1700000123 > "$work/in.om"
nsamples=$(grep -vc '^#' "$work/in.om")

check "promtool accepts the file" promtool tsdb create-blocks-from openmetrics "$work/in.om" "$work/prom"
check "flint imports the file" "$BIN" tsdb import openmetrics "$work/in.om" "$work/flint"
grep -q "BLOCK ULID" "$work/out" && ok "import prints the block table" || bad "import prints the block table" "$(cat "$work/out")"

blocks "$work/prom" 7200000 > "$work/prom.txt"
blocks "$work/flint" 7200000 > "$work/flint.txt"
if [ -s "$work/prom.txt" ] && diff "$work/prom.txt" "$work/flint.txt" >"$work/diff"; then
    ok "same 2h ranges, samples and series as promtool ($(wc -l < "$work/prom.txt") blocks)"
else
    bad "same 2h ranges, samples and series as promtool" "$(cat "$work/diff")"
fi
total=$(awk '{s += $2} END {print s}' "$work/flint.txt")
[ "$total" = "$nsamples" ] && ok "every sample imported ($nsamples)" || bad "every sample imported" "$total != $nsamples"

check "analyze" "$BIN" tsdb analyze "$work/flint"
for want in "Block ID: " "Series: 100" "Highest cardinality metric names:" "Bytes per sample: " "All blocks: "; do
    grep -q "$want" "$work/out" && ok "analyze shows '$want'" || bad "analyze shows '$want'" "$(head -20 "$work/out")"
done
pb=$(du -sb "$work/prom" | cut -f1); fb=$(du -sb "$work/flint" | cut -f1)
echo "     bytes: promtool $pb, flint $fb ($(python3 -c "print('%.3f vs %.3f B/sample' % ($pb/$nsamples, $fb/$nsamples))"))"
[ "$fb" -lt "$pb" ] && ok "flint blocks smaller than promtool's" || bad "flint blocks smaller" "$fb >= $pb"

rm -rf "$work/prom" "$work/flint"
check "promtool --max-block-duration=24h" promtool tsdb create-blocks-from openmetrics --max-block-duration=24h "$work/in.om" "$work/prom"
check "flint --max-block-duration=24h" "$BIN" tsdb import openmetrics --quiet --max-block-duration=24h "$work/in.om" "$work/flint"
blocks "$work/prom" 64800000 > "$work/prom.txt"
blocks "$work/flint" 64800000 > "$work/flint.txt"
if [ -s "$work/prom.txt" ] && diff "$work/prom.txt" "$work/flint.txt" >"$work/diff"; then
    ok "same 18h ranges as promtool"
else
    bad "same 18h ranges as promtool" "$(cat "$work/diff")"
fi

printf 'up{job="a"} 1 1700000000\nup{job="a" 2 1700000015\n# EOF\n' > "$work/bad.om"
if promtool tsdb create-blocks-from openmetrics "$work/bad.om" "$work/pbad" >/dev/null 2>&1; then
    bad "promtool rejects a malformed file"
else
    ok "promtool rejects a malformed file"
fi
if "$BIN" tsdb import openmetrics "$work/bad.om" "$work/fbad" >"$work/out" 2>&1; then
    bad "flint rejects a malformed file"
elif grep -q "bad.om:2:" "$work/out"; then
    ok "flint rejects a malformed file with file:line:col"
else
    bad "flint error names file:line:col" "$(cat "$work/out")"
fi
printf 'up{job="a"} 1\n# EOF\n' > "$work/nots.om"
if "$BIN" tsdb import openmetrics "$work/nots.om" "$work/fbad" >"$work/out" 2>&1; then
    bad "flint rejects samples without timestamp"
else
    grep -q "expected timestamp" "$work/out" && ok "flint rejects samples without timestamp" ||
        bad "timestamp error message" "$(cat "$work/out")"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

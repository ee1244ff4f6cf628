#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# promtool.sh: `promtool check metrics` (the Go reference linter) on a representative page
# written by libmetrics (tests/tools/expo_page: every type, labels, escaping, process_*,
# build_info), in text 0.0.4; the OpenMetrics page is checked for its structure. Builds
# nothing: uses build/release/tests/tools/expo_page. Prints "N passed, N failed" last.
set -u
cd "$(dirname "$0")/../../.."
TOOL=build/release/tests/tools/expo_page
PROMTOOL=${PROMTOOL:-/usr/bin/promtool}
. tests/lib.sh
T_DETAIL=100000

if [ ! -x "$TOOL" ] || [ ! -x "$PROMTOOL" ]; then
    t_bad "prerequisites" "need $TOOL (make all unit) and $PROMTOOL"
    t_finish
fi
t_init pt-it; work=$T

if "$TOOL" text >"$work/page.txt" 2>"$work/err"; then t_ok "write text page"
else t_bad "write text page" "$(cat "$work/err")"; fi

out=$("$PROMTOOL" check metrics <"$work/page.txt" 2>&1); rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ]; then t_ok "promtool check metrics: no error, no lint advice"
else t_bad "promtool check metrics (rc=$rc)" "$out"; fi

for t in counter gauge untyped histogram summary; do
    if grep -q "^# TYPE [a-z_]* $t\$" "$work/page.txt"; then t_ok "text page has a $t"
    else t_bad "text page has a $t"; fi
done
if grep -q '^demo_collected_temperature_celsius{sensor="outside \\"north\\"\\\\wall"} -3.25$' "$work/page.txt"
then t_ok "label value escaping"; else t_bad "label value escaping"; fi
if grep -q '^# HELP demo_http_requests_total Total HTTP requests.\\nBy method and code.$' "$work/page.txt"
then t_ok "HELP escaping"; else t_bad "HELP escaping"; fi
if LC_ALL=C sort -c <(grep '^# HELP' "$work/page.txt" | awk '{print $3}') 2>/dev/null
then t_ok "families sorted by name"; else t_bad "families sorted by name"; fi

if "$TOOL" openmetrics >"$work/page.om" 2>"$work/err"; then t_ok "write OpenMetrics page"
else t_bad "write OpenMetrics page" "$(cat "$work/err")"; fi
if [ "$(tail -n 1 "$work/page.om")" = "# EOF" ]; then t_ok "OpenMetrics ends with # EOF"
else t_bad "OpenMetrics ends with # EOF"; fi
if grep -q '^# TYPE demo_http_requests counter$' "$work/page.om" &&
   grep -q '^demo_http_requests_total{' "$work/page.om"
then t_ok "OpenMetrics counter family without _total"; else t_bad "OpenMetrics counter family"; fi
if grep -q '^# TYPE demo_legacy_ratio unknown$' "$work/page.om"
then t_ok "OpenMetrics unknown type"; else t_bad "OpenMetrics unknown type"; fi
# promtool checks text format only; the OM page minus its OM-only syntax must pass too
awk '/^# TYPE [^ ]* counter$/ { c[$3] = 1 }
     { lines[NR] = $0 }
     END { for (i = 1; i <= NR; i++) { $0 = lines[i]
             if ($0 == "# EOF") continue
             if (($1 == "#") && ($2 == "HELP" || $2 == "TYPE") && ($3 in c)) sub($3, $3 "_total")
             if ($1 == "#" && $2 == "TYPE" && $4 == "unknown") $4 = "untyped"
             print } }' "$work/page.om" >"$work/page.om.txt"
out=$("$PROMTOOL" check metrics <"$work/page.om.txt" 2>&1); rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ]; then t_ok "promtool on the OpenMetrics page (as text)"
else t_bad "promtool on the OpenMetrics page (rc=$rc)" "$out"; fi

t_summary

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# parity.sh: run the Debian Go build (/usr/bin/prometheus-node-exporter, 1.5) and ours on
# loopback ephemeral ports with the same flags, then compare the pages: every metric family
# Go emits must exist in ours with the same label names, ours must not add families, and
# both must run the same collectors. Also `promtool check metrics` on our page.
# Prints the differences, then "N passed, N failed" last; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/../../.."
BIN=${NODE_EXPORTER:-build/${VARIANT:-release}/node_exporter/node_exporter}
GO=${GO_NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
. tests/lib.sh
t_init ne-it; work=$T
T_DETAIL=60

# Deliberate differences: families Go emits here that ours does not, or the reverse.
# Each entry needs a reason; the README lists them. (go_* and promhttp_* are skipped:
# they describe the Go runtime and its HTTP handler, which we do not have.)
# Format: one family name per line, each preceded by a comment saying why.
ALLOW=(
)
# Collectors upstream enables by default that ours does not have yet: a known gap, listed
# in the README, printed by this test, and removed from here as each one lands.
NOT_YET=()

for b in "$BIN" "$GO"; do
    if [ ! -x "$b" ]; then
        t_bad "binary $b exists (make all; scripts/deps.sh --test installs the Go one)"
        t_finish
    fi
done

mkdir "$work/textfile"
# Same flags for both. systemd is off on both: Debian enables it by default but there is
# no systemd (nor its D-Bus) on the test machines, so Go's would only report a failure.
FLAGS=(--collector.textfile.directory="$work/textfile" --no-collector.systemd)

start() {  # start NAME BIN: run it, wait for /metrics, leave the page in $work/NAME.txt
    local name=$1 bin=$2 port; port=$(t_free_port)
    "$bin" --web.listen-address=127.0.0.1:$port "${FLAGS[@]}" >"$work/$name.log" 2>&1 &
    t_pids+=($!)
    for _ in $(seq 1 100); do
        curl -fsS "http://127.0.0.1:$port/metrics" -o "$work/$name.txt" 2>/dev/null && return 0
        kill -0 "${t_pids[-1]}" 2>/dev/null || break
        sleep 0.05
    done
    t_bad "$name exporter serves /metrics" "$(tail -n 20 "$work/$name.log")"
    return 1
}
start go "$GO" || { t_finish; }
start ours "$BIN" || { t_finish; }

# summary: one line per family "name<TAB>type<TAB>sorted,label,names" (labels unioned over
# the family's samples, without le/quantile), plus "collector<TAB>name" per
# node_scrape_collector_success sample.
summarize() {
    python3 - "$1" <<'PY'
import re, sys
types, labels, colls = {}, {}, set()
fam_of = {}
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    line = line.rstrip("\n")
    if line.startswith("# TYPE "):
        _, _, name, typ = line.split(" ", 3)
        types[name] = typ
        labels.setdefault(name, set())
        continue
    if not line or line.startswith("#"):
        continue
    m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s', line)
    if not m:
        continue
    name = m.group(1)
    fam = name
    if fam not in types:
        for suf in ("_bucket", "_sum", "_count"):
            if name.endswith(suf) and name[: -len(suf)] in types:
                fam = name[: -len(suf)]
    names = set(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"', m.group(3) or ""))
    names -= {"le", "quantile"}
    labels.setdefault(fam, set()).update(names)
    types.setdefault(fam, "untyped")
    if name == "node_scrape_collector_success":
        c = re.search(r'collector="([^"]*)"', m.group(3) or "")
        if c:
            colls.add(c.group(1))
for f in sorted(types):
    print("family\t%s\t%s\t%s" % (f, types[f], ",".join(sorted(labels[f]))))
for c in sorted(colls):
    print("collector\t%s" % c)
PY
}
summarize "$work/go.txt" | grep -Ev $'^family\t(go_|promhttp_)' >"$work/go.sum"
summarize "$work/ours.txt" | grep -Ev $'^family\t(go_|promhttp_)' >"$work/ours.sum"

allowed() { local f; for f in "${ALLOW[@]}"; do [ "$f" = "$1" ] && return 0; done; return 1; }

# 1. collectors: the same set runs in both (less the known gaps, which are printed)
[ ${#NOT_YET[@]} -gt 0 ] && echo "note: not yet implemented here: ${NOT_YET[*]}"
notyet_re="^($(IFS='|'; echo "${NOT_YET[*]:-@none@}"))\$"
diff <(grep $'^collector\t' "$work/go.sum" | cut -f2 | grep -Ev "$notyet_re") \
     <(grep $'^collector\t' "$work/ours.sum" | cut -f2) \
    >"$work/cdiff" && t_ok "same collectors enabled ($(grep -c $'^collector\t' "$work/go.sum"))" ||
    t_bad "same collectors enabled (< Go only, > ours only)" "$(grep '^[<>]' "$work/cdiff")"

# 2. families and label names
missing=(); labeldiff=(); typediff=(); extra=()
while IFS=$'\t' read -r _ fam typ lab; do
    allowed "$fam" && continue
    line=$(grep -P "^family\t\Q$fam\E\t" "$work/ours.sum")
    if [ -z "$line" ]; then missing+=("$fam {$lab}"); continue; fi
    otyp=$(cut -f3 <<<"$line"); olab=$(cut -f4 <<<"$line")
    [ "$otyp" != "$typ" ] && typediff+=("$fam: go $typ, ours $otyp")
    [ "$olab" != "$lab" ] && labeldiff+=("$fam: go {$lab}, ours {$olab}")
done < <(grep $'^family\t' "$work/go.sum")
while IFS=$'\t' read -r _ fam _ lab; do
    allowed "$fam" && continue
    grep -qP "^family\t\Q$fam\E\t" "$work/go.sum" || extra+=("$fam {$lab}")
done < <(grep $'^family\t' "$work/ours.sum")

ngo=$(grep -c $'^family\t' "$work/go.sum")
if [ ${#missing[@]} = 0 ]; then t_ok "all $ngo Go families present in ours"
else t_bad "${#missing[@]} of $ngo Go families missing in ours" "$(printf '%s\n' "${missing[@]}")"; fi
if [ ${#labeldiff[@]} = 0 ]; then t_ok "label names match per family"
else t_bad "label names differ in ${#labeldiff[@]} families" "$(printf '%s\n' "${labeldiff[@]}")"; fi
if [ ${#typediff[@]} = 0 ]; then t_ok "types match per family"
else t_bad "types differ in ${#typediff[@]} families" "$(printf '%s\n' "${typediff[@]}")"; fi
if [ ${#extra[@]} = 0 ]; then t_ok "no families only in ours"
else t_bad "${#extra[@]} families only in ours" "$(printf '%s\n' "${extra[@]}")"; fi

# 3. promtool on our page: 0, or 3 with lint advice only (upstream's own names)
if command -v promtool >/dev/null; then
    promtool check metrics <"$work/ours.txt" >"$work/lint" 2>&1; rc=$?
    if [ $rc = 0 ]; then t_ok "promtool check metrics"
    elif [ $rc = 3 ]; then
        # lint advice is acceptable only on names the Go build itself emits
        own=$(grep -oE '^[a-zA-Z_:][a-zA-Z0-9_:]*' "$work/lint" | sort -u | while read -r n; do
            grep -qP "^family\t\Q$n\E\t" "$work/go.sum" || echo "$n"; done)
        if [ -z "$own" ]; then t_ok "promtool check metrics (lint advice on upstream names only, rc 3)"
        else t_bad "promtool lint on names Go does not emit" "$own"; fi
        sed 's/^/     lint: /' "$work/lint"
    else t_bad "promtool check metrics (rc $rc)" "$(cat "$work/lint")"; fi
else
    t_bad "promtool installed (scripts/deps.sh --test)"
fi

t_summary

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# rss_by_mapping.sh PID [MIN_KIB]: where a process's resident memory is, per mapped file
# (each shared library, the binary) and per anonymous kind ([heap], [stack], [anon]):
# RSS and Private_Dirty in KiB from /proc/PID/smaps, largest last, then the total and
# the anonymous part. Rows under MIN_KIB (default 40) are summed into one line. Used to
# attribute an exporter's RSS to the libraries it maps (see the bench/*.sh RSS lines).
set -u
pid=${1:?usage: rss_by_mapping.sh PID [MIN_KIB]}
min=${2:-40}
[ -r "/proc/$pid/smaps" ] || { echo "rss_by_mapping: cannot read /proc/$pid/smaps"; exit 1; }
awk -v min="$min" '
/^[0-9a-f]+-[0-9a-f]+ / { name = $6; if (name == "") name = "[anon]"; next }
/^Rss:/ { rss[name] += $2; total += $2 }
/^Private_Dirty:/ { pd[name] += $2 }
/^Anonymous:/ { anon += $2 }
END {
    for (n in rss) {
        if (rss[n] >= min) printf "%8d %8d  %s\n", rss[n], pd[n], n
        else { small += rss[n]; nsmall++ }
    }
    if (nsmall) printf "%8d %8s  (%d mappings under %d KiB each)\n", small, "-", nsmall, min
}' "/proc/$pid/smaps" | sort -n | { echo "  RSS KiB  PrivDirty  mapping"; cat; }
awk '/^Rss:/{r=$2} /^Anonymous:/{a=$2} END{printf "%8d total RSS KiB, %d KiB anonymous\n", r, a}' \
    "/proc/$pid/smaps_rollup"

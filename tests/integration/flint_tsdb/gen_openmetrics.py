#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# gen_openmetrics.py: a deterministic, node_exporter-like dataset as OpenMetrics text
# with float-second timestamps and "# EOF", the input of `flint tsdb import openmetrics`
# and `promtool tsdb create-blocks-from openmetrics` (tests and bench/bench_blocks.sh).
# Mix per 20 series: 6 constant gauges, 3 rarely moving counters, 3 busy counters,
# 3 CPU-seconds counters (USER_HZ ticks / 100), 3 memory gauges, 2 decimal gauges;
# 5% of scrapes are 0-2 ms late (scrape jitter).
import argparse
import random
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", type=int, default=200)
    ap.add_argument("--hours", type=float, default=6)
    ap.add_argument("--step", type=int, default=15, help="scrape interval, seconds")
    ap.add_argument("--start", type=int, default=1700000123, help="first timestamp, s")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    n = int(a.hours * 3600 / a.step)
    out = sys.stdout
    kinds = ["const"] * 6 + ["rare"] * 3 + ["busy"] * 3 + ["cpu"] * 3 + ["mem"] * 3 + ["dec"] * 2
    families = {}
    for s in range(a.series):
        families.setdefault(kinds[s % 20] + str(s % 20), []).append(s)
    for fam, members in sorted(families.items()):
        kind = kinds[int(fam.lstrip("abcdefghijklmnopqrstuvwxyz"))]
        counter = kind in ("rare", "busy", "cpu")
        name = "node_%s" % fam
        out.write("# HELP %s Generated %s series.\n" % (name, kind))
        out.write("# TYPE %s %s\n" % (name, "counter" if counter else "gauge"))
        sample = name + "_total" if counter else name
        for s in members:
            labels = 'instance="host-%d:9100",job="node"' % (s // 20)
            c = float(rnd.randrange(100000))
            ticks = rnd.randrange(1000000)
            for i in range(n):
                t_ms = (a.start + i * a.step) * 1000
                if rnd.randrange(20) == 0:
                    t_ms += rnd.randrange(3)
                r = rnd.randrange(1 << 30)
                if kind == "const":
                    v = 1.0 if s % 20 == 0 else float(s * 1048576)
                elif kind == "rare":
                    if r % 10 == 0:
                        c += 1 + r % 3
                    v = c
                elif kind == "busy":
                    base = 1000 * (1 + s % 7)
                    c += base + r % (base // 20 + 1)
                    v = c
                elif kind == "cpu":
                    ticks += 1400 + r % 200 if s % 20 == 12 else r % 50
                    v = ticks / 100
                elif kind == "mem":
                    if r % 2:
                        c += (rnd.randrange(9) - 4) * 4096
                    v = 1e9 + c
                else:
                    v = (400 + r % 10) / 10 if s % 20 == 18 else (r % 300) / 100
                out.write("%s{%s} %r %d.%03d\n" % (sample, labels, v, t_ms // 1000, t_ms % 1000))
    out.write("# EOF\n")


if __name__ == "__main__":
    main()

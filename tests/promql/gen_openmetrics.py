#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# gen_openmetrics.py: deterministic OpenMetrics test data for the PromQL comparison
# harness (tests/integration/flint_promql/compare.sh) and the query benchmark
# (bench/flint_query.sh). The same file is backfilled into Prometheus 2.42 (promtool tsdb
# create-blocks-from openmetrics) and into flint (flint tsdb import openmetrics).
# It holds the awkward cases PromQL must get right: counter resets, gaps longer than the
# 5 minute lookback, series that start late or end early, NaN and +Inf samples, decimal
# gauges, a classic histogram, histograms with a missing +Inf bucket and with buckets out
# of order, duplicate-ish label sets for vector matching (one-to-one, many-to-one).
# Usage: gen_openmetrics.py [--start UNIX_S] [--hours H] [--step S] [--scale N] > out.om
# --scale multiplies the number of instances (the bench uses it for >= 10,000 series).
import argparse
import math
import random
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--start", type=int, default=1700000000)
    ap.add_argument("--hours", type=float, default=2.0)
    ap.add_argument("--step", type=int, default=15)
    ap.add_argument("--scale", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(42)
    n = int(a.hours * 3600 // a.step)
    ts = [a.start + i * a.step for i in range(n)]
    out = sys.stdout
    w = out.write
    instances = ["host-%d:9100" % i for i in range(4 * a.scale)]

    def fmt(v):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "+Inf" if v > 0 else "-Inf"
        return repr(float(v)) if v != int(v) or abs(v) >= 1e15 else str(int(v))

    def series(name, labels, values):
        lab = ",".join('%s="%s"' % kv for kv in labels)
        for t, v in zip(ts, values):
            if v is None:
                continue
            w("%s{%s} %s %d\n" % (name, lab, fmt(v), t))

    # Counters with resets and gaps.
    w("# HELP http_requests Requests served.\n# TYPE http_requests counter\n")
    for ii, inst in enumerate(instances):
        for method in ("GET", "POST"):
            for code in ("200", "500"):
                rate = rnd.uniform(0.1, 20.0) if code == "200" else rnd.uniform(0.0, 0.5)
                v, vals = rnd.uniform(0, 1000), []
                reset_at = set(rnd.sample(range(n), 2)) if ii % 2 == 0 else set()
                gap = (n // 3, n // 3 + 30) if (ii + len(method)) % 3 == 0 else (0, 0)
                for i in range(n):
                    v = 0.0 if i in reset_at else v + rate * a.step * rnd.uniform(0.5, 1.5)
                    vals.append(None if gap[0] <= i < gap[1] else round(v, 3))
                series("http_requests_total",
                       [("instance", inst), ("job", "api"), ("method", method), ("code", code)],
                       vals)
    # Gauges: decimals, a NaN, a +Inf, one series starting late and one ending early.
    w("# HELP node_memory_free_bytes Free memory.\n# TYPE node_memory_free_bytes gauge\n")
    for ii, inst in enumerate(instances):
        vals = [8e9 - rnd.randrange(0, 1000) * 4096 for _ in range(n)]
        if ii == 0:
            vals[n // 2] = float("nan")
            vals[n // 2 + 5] = float("inf")
        if ii == 1:
            vals = [None] * (n // 4) + vals[n // 4:]
        if ii == 2:
            vals = vals[: n // 2] + [None] * (n - n // 2)
        series("node_memory_free_bytes", [("instance", inst), ("job", "node")], vals)
    w("# HELP node_temperature_celsius Temperature.\n# TYPE node_temperature_celsius gauge\n")
    for inst in instances:
        v, vals = 40.0, []
        for _ in range(n):
            v = round(min(90.0, max(20.0, v + rnd.choice((-0.1, 0.0, 0.1, 0.2, -0.2)))), 1)
            vals.append(v)
        for sensor in ("cpu", "board"):
            series("node_temperature_celsius",
                   [("instance", inst), ("job", "node"), ("sensor", sensor)],
                   [x + (5 if sensor == "cpu" else 0) for x in vals])
    # A one-side table for many-to-one matching (group_left), with an info-style value 1.
    w("# HELP node_uname_info Host info.\n# TYPE node_uname_info gauge\n")
    for ii, inst in enumerate(instances):
        series("node_uname_info", [("instance", inst), ("job", "node"),
                                   ("release", "6.1.%d" % (ii % 3)), ("nodename", "n%d" % ii)],
               [1] * n)
    # Step-like gauge for changes() and date functions.
    w("# HELP batch_last_success_timestamp_seconds Last batch.\n"
      "# TYPE batch_last_success_timestamp_seconds gauge\n")
    for inst in instances[:2]:
        last, vals = ts[0], []
        for t in ts:
            if rnd.random() < 0.05:
                last = t
            vals.append(last)
        series("batch_last_success_timestamp_seconds", [("instance", inst), ("job", "batch")],
               vals)
    # A classic histogram.
    les = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]
    w("# HELP request_duration_seconds Request latency.\n"
      "# TYPE request_duration_seconds histogram\n")
    for inst in instances:
        counts = [0.0] * len(les)
        total, rows = 0.0, []
        for _ in range(n):
            k = rnd.randrange(5, 60)
            for _ in range(k):
                x = rnd.expovariate(4.0)
                total += x
                for bi, le in enumerate(les):
                    if le == "+Inf" or x <= float(le):
                        counts[bi] += 1
            rows.append((list(counts), round(total, 6)))
        labels = [("instance", inst), ("job", "api")]
        for bi, le in enumerate(les):
            series("request_duration_seconds_bucket", labels + [("le", le)],
                   [r[0][bi] for r in rows])
        series("request_duration_seconds_count", labels, [r[0][-1] for r in rows])
        series("request_duration_seconds_sum", labels, [r[1] for r in rows])
    # Broken histograms as plain gauges: missing +Inf, and non-monotonic buckets.
    w("# HELP broken_latency_bucket Buckets with defects.\n# TYPE broken_latency_bucket gauge\n")
    for case, bl in (("noinf", [("0.1", 3), ("1", 7), ("10", 9)]),
                     ("nonmono", [("0.1", 5), ("1", 4), ("10", 9), ("+Inf", 10)])):
        for le, base in bl:
            series("broken_latency_bucket", [("case", case), ("le", le)],
                   [base * (1 + i) for i in range(n)])
    w("# EOF\n")


if __name__ == "__main__":
    main()

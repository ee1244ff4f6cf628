#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# flint_query.py: times a set of dashboard queries against Prometheus-compatible HTTP
# APIs (bench/flint_query.sh starts Prometheus 2.42 and flint on the same imported data).
# For each query: the median latency of --runs runs per server, and the peak resident
# memory of the server process while the query ran minus its resident memory before
# (sampled every 5 ms from /proc/PID/status). Prints one line per query with flint's
# ratios (issue 5: flint at least 2x faster on every query, peak memory per query below
# Prometheus's). Usage: flint_query.py --end S --server NAME=URL=PID ... (first = ref).
import argparse
import statistics
import threading
import time
import urllib.parse
import urllib.request


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def run(url, path, params, pid):
    base = rss_kb(pid)
    peak = [base]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kb(pid))
            time.sleep(0.005)
    th = threading.Thread(target=sample)
    th.start()
    t0 = time.perf_counter()
    data = urllib.parse.urlencode(params).encode()
    with urllib.request.urlopen(url + path, data=data, timeout=300) as r:
        body = r.read()
        ok = r.status == 200 and b'"success"' in body[:40]
    dt = time.perf_counter() - t0
    done.set()
    th.join()
    return dt, max(0, peak[0] - base), ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--end", type=int, required=True)
    ap.add_argument("--hours", type=float, default=6)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--server", action="append", required=True)
    a = ap.parse_args()
    servers = [s.split("=", 2) for s in a.server]
    end, start = a.end, a.end - int(a.hours * 3600)
    inst = {"time": str(end)}
    rng = {"start": str(start), "end": str(end), "step": "15"}
    queries = [
        ("rate all", "rate(http_requests_total[5m])", inst),
        ("sum by rate", "sum by (method, code) (rate(http_requests_total[5m]))", inst),
        ("hist quantile", "histogram_quantile(0.9, sum by (le) (rate(request_duration_seconds_bucket[5m])))", inst),
        ("topk", "topk(10, rate(http_requests_total[5m]))", inst),
        ("regex sel", 'sum(node_temperature_celsius{instance=~"host-1.*|host-2.*", sensor!~"b.*"})', inst),
        ("range 6h sum", "sum by (method) (rate(http_requests_total[5m]))", rng),
        ("range 6h hq", "histogram_quantile(0.99, sum by (le) (rate(request_duration_seconds_bucket[5m])))", rng),
    ]
    ref = servers[0][0]
    print("%-14s" % "query" + "".join("%14s %10s" % (n + " ms", "+MiB") for n, _, _ in servers)
          + "   ratios (test/ref time, memory)")
    worst = 0.0
    for label, q, extra in queries:
        path = "/api/v1/query_range" if "step" in extra else "/api/v1/query"
        params = dict(extra, query=q)
        res = {}
        for name, url, pid in servers:
            run(url, path, params, int(pid))  # warm-up
            times, mems, oks = [], [], True
            for _ in range(a.runs):
                dt, mem, ok = run(url, path, params, int(pid))
                times.append(dt)
                mems.append(mem)
                oks = oks and ok
            res[name] = (statistics.median(times) * 1000, max(mems) / 1024.0, oks)
        line = "%-14s" % label
        for name, _, _ in servers:
            ms, mib, ok = res[name]
            line += "%14s %10.1f" % ("%.1f%s" % (ms, "" if ok else "!"), mib)
        for name, _, _ in servers[1:]:
            r = res[name][0] / res[ref][0] if res[ref][0] > 0 else float("inf")
            worst = max(worst, r)
            line += "   %s: %.2f, %.2f" % (name, r, (res[name][1] + 0.01) / (res[ref][1] + 0.01))
        print(line)
    print("slowest ratio: %.2f (target <= 0.50); '!' marks a failed query" % worst)


if __name__ == "__main__":
    main()

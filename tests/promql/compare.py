#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# compare.py: runs every query of a query file through two Prometheus HTTP APIs (the
# reference, Prometheus 2.42, and flint) as instant queries at several times and as range
# queries at several steps, and compares the answers: status and errorType, resultType,
# label sets exactly, timestamps exactly, values within 1e-9 relative or both NaN.
# Series order is compared only for sort() and sort_desc(). Prints each mismatch (up to
# --show), then the pass rate and "N passed, N failed"; exits 1 on any mismatch.
# Usage: compare.py --ref URL --test URL --queries FILE --start S --end S
import argparse
import json
import math
import sys
import urllib.error
import urllib.parse
import urllib.request


def call(base, path, params):
    data = urllib.parse.urlencode(params).encode()
    req = urllib.request.Request(base + path, data=data, method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        body = e.read()
        try:
            return e.code, json.loads(body)
        except ValueError:
            return e.code, {"status": "error", "errorType": "unparsable", "error": body[:200].decode(errors="replace")}
    except (urllib.error.URLError, OSError, ValueError) as e:
        return 0, {"status": "error", "errorType": "transport", "error": str(e)}


def num_eq(a, b):
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    if math.isnan(x) and math.isnan(y):
        return True
    if math.isinf(x) or math.isinf(y):
        return x == y
    return abs(x - y) <= 1e-9 * max(abs(x), abs(y))


def key(m):
    return json.dumps(m, sort_keys=True)


def diff(ra, rb, ordered):
    """Returns None when equal, else a short reason."""
    if ra.get("resultType") != rb.get("resultType"):
        return "resultType %s vs %s" % (ra.get("resultType"), rb.get("resultType"))
    rt, a, b = ra["resultType"], ra["result"], rb["result"]
    if rt in ("scalar", "string"):
        if a[0] != b[0] or not num_eq(a[1], b[1]) if rt == "scalar" else a != b:
            return "%s %s vs %s" % (rt, a, b)
        return None
    if len(a) != len(b):
        ka = {key(s["metric"]) for s in a}
        kb = {key(s["metric"]) for s in b}
        return "%d vs %d series; only ref: %s; only test: %s" % (
            len(a), len(b), sorted(ka - kb)[:2], sorted(kb - ka)[:2])
    if ordered:
        if [key(s["metric"]) for s in a] != [key(s["metric"]) for s in b]:
            return "order differs"
    mb = {key(s["metric"]): s for s in b}
    for s in a:
        k = key(s["metric"])
        if k not in mb:
            return "series %s missing from test" % k
        t = mb[k]
        pa = [s["value"]] if rt == "vector" else s["values"]
        pb = [t["value"]] if rt == "vector" else t["values"]
        if len(pa) != len(pb):
            return "%s: %d vs %d points" % (k, len(pa), len(pb))
        for x, y in zip(pa, pb):
            if x[0] != y[0] or not num_eq(x[1], y[1]):
                return "%s: point %s vs %s" % (k, x, y)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ref", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--start", type=int, required=True)
    ap.add_argument("--end", type=int, required=True)
    ap.add_argument("--show", type=int, default=40)
    a = ap.parse_args()
    s, e = a.start, a.end
    instants = [s + 1800, s + 3607.5, e, e + 180, e + 420]
    ranges = [(s + 1200, s + 3000, "60"), (s + 3600, e + 360, "37"), (s, e, "300")]
    passed = failed = shown = nonempty = 0
    for line in open(a.queries):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        q = line[2:] if line.startswith("! ") else line
        ordered = q.startswith("sort")
        cases = [("/api/v1/query", {"query": q, "time": str(t)}) for t in instants]
        cases += [("/api/v1/query_range", {"query": q, "start": str(x), "end": str(y), "step": st})
                  for x, y, st in ranges]
        for path, params in cases:
            ca, ja = call(a.ref, path, params)
            cb, jb = call(a.test, path, params)
            why = None
            if ja.get("status") != "success" or jb.get("status") != "success":
                if ja.get("status") != jb.get("status") or ca != cb or \
                        ja.get("errorType") != jb.get("errorType"):
                    why = "ref %s %s %s / test %s %s %s" % (
                        ca, ja.get("errorType"), ja.get("error", "")[:100],
                        cb, jb.get("errorType"), jb.get("error", "")[:100])
            else:
                why = diff(ja["data"], jb["data"], ordered)
                res = ja["data"].get("result")
                if res and ja["data"].get("resultType") in ("vector", "matrix"):
                    nonempty += 1
            if why:
                failed += 1
                if shown < a.show:
                    shown += 1
                    print("MISMATCH %s %s: %s" % (path, json.dumps(params), why))
            else:
                passed += 1
    total = passed + failed
    # a harness whose data did not load would compare empty answers: demand real ones
    if nonempty < total // 2:
        failed += 1
        print("MISMATCH only %d of %d answers hold series: the data did not load" % (nonempty, total))
    else:
        print("%d of %d answers hold series" % (nonempty, total))
    print("pass rate: %d/%d (%.1f%%)" % (passed, total, 100.0 * passed / max(total, 1)))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

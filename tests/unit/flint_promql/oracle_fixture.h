/* SPDX-License-Identifier: Apache-2.0 */
/* oracle_fixture.h: helpers shared by the oracle tests: the recorded cases
 * (oracle_cases.h), series expansion from promtool's notation, and comparing a result
 * with promtool's printed answer. */
#ifndef TESTS_FLINT_PROMQL_ORACLE_FIXTURE_H
#define TESTS_FLINT_PROMQL_ORACLE_FIXTURE_H

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flint/promql/engine_int.h"
#include "lm/buf.h"

#include "oracle_cases.h"

#define NSERIES (sizeof oracle_series / sizeof oracle_series[0])

static struct pql_mem_series mem[NSERIES];
static struct pql_point *pts[NSERIES];

/* parse_metric: name{a="b",...} into ls. */
static inline void parse_metric(const char *s, struct lbl_set *ls)
{
    const char *b = strchr(s, '{');
    size_t nl = b ? (size_t)(b - s) : strlen(s);
    if (nl)
        ck_assert_int_eq(lbl_set_addn(ls, "__name__", 8, s, nl), 0);
    if (!b)
        return;
    const char *p = b + 1;
    while (*p && *p != '}') {
        const char *eq = strchr(p, '=');
        const char *v = eq + 2, *ve = strchr(v, '"');
        ck_assert_int_eq(lbl_set_addn(ls, p, (size_t)(eq - p), v, (size_t)(ve - v)), 0);
        p = ve + 1;
        if (*p == ',')
            p++;
    }
}

static inline double stale_nan(void)
{
    uint64_t b = 0x7ff0000000000002ULL;
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

/* expand_at: promtool's "a+bxN", "_", "stale" (kept when stale) and plain numbers, 15 s
 * apart from t (ms). expand: from 0 with stale markers. */
static inline size_t expand_at(const char *s, struct pql_point *out, int64_t t, bool stale)
{
    size_t n = 0;
    while (*s) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        const char *e = strchr(s, ' ');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        char tok[64];
        snprintf(tok, sizeof tok, "%.*s", (int)len, s);
        s += len;
        if (!strcmp(tok, "_")) {
            t += 15000;
            continue;
        }
        if (!strcmp(tok, "stale")) {
            if (stale)
                out[n++] = (struct pql_point){t, stale_nan()};
            t += 15000;
            continue;
        }
        char *x = strchr(tok, 'x');
        if (x) {
            *x = '\0';
            char *end;
            double a = strtod(tok, &end);
            double step = strtod(end, NULL);
            long cnt = strtol(x + 1, NULL, 10);
            for (long i = 0; i <= cnt; i++) {
                out[n++] = (struct pql_point){t, a + step * (double)i};
                t += 15000;
            }
            continue;
        }
        out[n++] = (struct pql_point){t, strtod(tok, NULL)};
        t += 15000;
    }
    return n;
}

static inline size_t expand(const char *s, struct pql_point *out)
{
    return expand_at(s, out, 0, true);
}

static inline void oracle_setup(void)
{
    for (size_t i = 0; i < NSERIES; i++) {
        memset(&mem[i], 0, sizeof mem[i]);
        parse_metric(oracle_series[i].metric, &mem[i].ls);
        pts[i] = calloc(256, sizeof *pts[i]);
        mem[i].n = expand(oracle_series[i].values, pts[i]);
        mem[i].pts = pts[i];
    }
}

static inline void oracle_teardown(void)
{
    for (size_t i = 0; i < NSERIES; i++) {
        lbl_set_free(&mem[i].ls);
        free(pts[i]);
    }
}

struct got {
    char labels[512];
    double v;
};

static inline int cmp_sample(const void *a, const void *b)
{
    return lbl_set_cmp(&((const struct pql_sample *)a)->ls, &((const struct pql_sample *)b)->ls);
}

/* render: res as promtool prints it: samples sorted by labels. */
static inline size_t collect(struct pql_result *res, struct got *g, size_t max)
{
    size_t n = 0;
    if (res->type == PQL_VAL_SCALAR) {
        snprintf(g[0].labels, sizeof g[0].labels, "{}");
        g[0].v = res->v;
        return 1;
    }
    ck_assert_int_eq(res->type, PQL_VAL_VECTOR);
    /* promtool prints samples sorted by labels (labels.Compare) */
    qsort(res->vec, res->nvec, sizeof *res->vec, cmp_sample);
    struct lm_buf b;
    lm_buf_init(&b, 1 << 16);
    for (size_t i = 0; i < res->nvec && n < max; i++, n++) {
        lm_buf_reset(&b);
        lbl_set_format(&res->vec[i].ls, &b);
        snprintf(g[n].labels, sizeof g[n].labels, "%s", lm_buf_cstr(&b));
        g[n].v = res->vec[i].v;
    }
    lm_buf_cleanup(&b);
    return n;
}

/* parse_want: promtool's "{..} 1E+00, {..} 2E+00" list. */
static inline size_t parse_want(const char *w, struct got *g, size_t max)
{
    size_t n = 0;
    if (!strcmp(w, "nil"))
        return 0;
    const char *p = w;
    while (*p && n < max) {
        ck_assert_int_eq(*p, '{');
        const char *q = p;
        bool inq = false;
        for (; *q; q++) {
            if (*q == '\\' && inq) {
                q++;
                continue;
            }
            if (*q == '"')
                inq = !inq;
            if (*q == '}' && !inq)
                break;
        }
        snprintf(g[n].labels, sizeof g[n].labels, "%.*s", (int)(q - p + 1), p);
        char *end;
        g[n].v = strtod(q + 2, &end);
        n++;
        p = end;
        if (*p == ',')
            p += 2;
    }
    return n;
}

static inline bool same(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    if (a == b)
        return true;
    return fabs(a - b) <= 1e-12 * fmax(fabs(a), fabs(b));
}


/* oracle_check: res (rc, err) against promtool's answer want. */
static inline void oracle_check(const char *expr, int64_t t, const char *want, int rc,
                                struct pql_result *res, const struct pql_err *err)
{
    if (!strncmp(want, "err:", 4)) {
        ck_assert_msg(rc != 0, "%s: want error %s", expr, want + 4);
        ck_assert_msg(strstr(err->msg, want + 4), "%s: error %s, want %s", expr, err->msg,
                      want + 4);
        return;
    }
    ck_assert_msg(rc == 0, "%s: unexpected error %s", expr, err->msg);
    static struct got got[64], wantv[64];
    size_t ng = collect(res, got, 64), nw = parse_want(want, wantv, 64);
    ck_assert_msg(ng == nw, "%s @%lld: %zu samples, want %zu (%s; first got %s %g)", expr,
                  (long long)t, ng, nw, want, ng ? got[0].labels : "-", ng ? got[0].v : 0.0);
    for (size_t i = 0; i < ng; i++) {
        ck_assert_msg(!strcmp(got[i].labels, wantv[i].labels), "%s: labels %s, want %s", expr,
                      got[i].labels, wantv[i].labels);
        ck_assert_msg(same(got[i].v, wantv[i].v), "%s: %s = %.17g, want %.17g", expr,
                      got[i].labels, got[i].v, wantv[i].v);
    }
}

#endif

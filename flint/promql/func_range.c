/* SPDX-License-Identifier: Apache-2.0 */
/* func_range.c: the range-vector functions over one window of points, as Prometheus
 * 2.42 computes them: rate/increase/delta with its extrapolation, irate/idelta, deriv and
 * predict_linear (compensated least squares), resets, changes, holt_winters and the
 * *_over_time family (sum, avg and stddev/stdvar compensated, as 2.42). */
#include "flint/promql/func.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lm/alloc.h"

void pql_kahan_inc(double inc, double *sum, double *c)
{
    double t = *sum + inc;
    if (fabs(*sum) >= fabs(inc))
        *c += (*sum - t) + inc;
    else
        *c += (inc - t) + *sum;
    *sum = t;
}

/* extrapolated_rate: Prometheus 2.42's extrapolatedRate. */
static int extrapolated_rate(const struct pql_point *p, size_t n, const struct pql_roll *r,
                             bool counter, bool is_rate, double *out)
{
    if (n < 2)
        return 0;
    double result = p[n - 1].v - p[0].v;
    if (counter) {
        double last = 0;
        for (size_t i = 0; i < n; i++) {
            if (p[i].v < last)
                result += last;
            last = p[i].v;
        }
    }
    double to_start = (double)(p[0].t - r->range_start) / 1000;
    double to_end = (double)(r->range_end - p[n - 1].t) / 1000;
    double sampled = (double)(p[n - 1].t - p[0].t) / 1000;
    double avg = sampled / (double)(n - 1);
    if (counter && result > 0 && p[0].v >= 0) {
        double to_zero = sampled * (p[0].v / result);
        if (to_zero < to_start)
            to_start = to_zero;
    }
    double threshold = avg * 1.1;
    double interval = sampled;
    interval += to_start < threshold ? to_start : avg / 2;
    interval += to_end < threshold ? to_end : avg / 2;
    double factor = interval / sampled;
    if (is_rate)
        factor /= (double)r->range_ms / 1000;
    *out = result * factor;
    return 1;
}

static int instant_value(const struct pql_point *p, size_t n, bool is_rate, double *out)
{
    if (n < 2)
        return 0;
    const struct pql_point *last = &p[n - 1], *prev = &p[n - 2];
    double res;
    if (is_rate && last->v < prev->v)
        res = last->v;
    else
        res = last->v - prev->v;
    int64_t dt = last->t - prev->t;
    if (dt == 0)
        return 0;
    if (is_rate)
        res /= (double)dt / 1000;
    *out = res;
    return 1;
}

/* linear_regression: Prometheus's linearRegression (Kahan sums, constant-y shortcut). */
static void linear_regression(const struct pql_point *p, size_t n, int64_t icept_t,
                              double *slope, double *icept)
{
    double cnt = 0, sx = 0, cx = 0, sy = 0, cy = 0, sxy = 0, cxy = 0, sx2 = 0, cx2 = 0;
    double init_y = p[0].v;
    bool const_y = true;
    for (size_t i = 0; i < n; i++) {
        if (const_y && i > 0 && p[i].v != init_y)
            const_y = false;
        cnt += 1.0;
        double x = (double)(p[i].t - icept_t) / 1e3;
        pql_kahan_inc(x, &sx, &cx);
        pql_kahan_inc(p[i].v, &sy, &cy);
        pql_kahan_inc(x * p[i].v, &sxy, &cxy);
        pql_kahan_inc(x * x, &sx2, &cx2);
    }
    if (const_y) {
        if (isinf(init_y)) {
            *slope = NAN;
            *icept = NAN;
        } else {
            *slope = 0;
            *icept = init_y;
        }
        return;
    }
    sx += cx;
    sy += cy;
    sxy += cxy;
    sx2 += cx2;
    double cov = sxy - sx * sy / cnt;
    double var = sx2 - sx * sx / cnt;
    *slope = cov / var;
    *icept = sy / cnt - *slope * sx / cnt;
}

static int holt_winters(const struct pql_point *p, size_t n, double sf, double tf,
                        double *out, char *msg)
{
    if (sf <= 0 || sf >= 1) {
        snprintf(msg, PQL_ERR_MSG_MAX,
                 "invalid smoothing factor. Expected: 0 < sf < 1, got: %f", sf);
        return -1;
    }
    if (tf <= 0 || tf >= 1) {
        snprintf(msg, PQL_ERR_MSG_MAX, "invalid trend factor. Expected: 0 < tf < 1, got: %f",
                 tf);
        return -1;
    }
    if (n < 2)
        return 0;
    double s0 = 0, s1 = p[0].v, b = p[1].v - p[0].v;
    for (size_t i = 1; i < n; i++) {
        double x = sf * p[i].v;
        if (i - 1 != 0)
            b = tf * (s1 - s0) + (1 - tf) * b;
        double y = (1 - sf) * (s1 + b);
        s0 = s1;
        s1 = x + y;
    }
    *out = s1;
    return 1;
}

static double avg_over_time(const struct pql_point *p, size_t n)
{
    double mean = 0, count = 0, c = 0;
    for (size_t i = 0; i < n; i++) {
        double v = p[i].v;
        count++;
        if (isinf(mean)) {
            if (isinf(v) && (mean > 0) == (v > 0))
                continue;
            if (!isinf(v) && !isnan(v))
                continue;
        }
        pql_kahan_inc(v / count - mean / count, &mean, &c);
    }
    return isinf(mean) ? mean : mean + c;
}

static double stdvar_over_time(const struct pql_point *p, size_t n)
{
    double count = 0, mean = 0, cmean = 0, aux = 0, caux = 0;
    for (size_t i = 0; i < n; i++) {
        count++;
        double delta = p[i].v - (mean + cmean);
        pql_kahan_inc(delta / count, &mean, &cmean);
        pql_kahan_inc(delta * (p[i].v - (mean + cmean)), &aux, &caux);
    }
    return (aux + caux) / count;
}

static int quantile_over_time(const struct pql_point *p, size_t n, double phi, double *out)
{
    double stackbuf[256];
    double *v = n <= 256 ? stackbuf : lm_malloc(n * sizeof *v);
    if (!v)
        return -2;
    for (size_t i = 0; i < n; i++)
        v[i] = p[i].v;
    *out = pql_quantile(phi, v, n);
    if (v != stackbuf)
        lm_free(v);
    return 1;
}

int pql_rollup(enum pql_func_id fn, const struct pql_point *p, size_t n,
               const struct pql_roll *r, double *out, char *msg)
{
    switch (fn) {
    case PQL_FN_RATE: return extrapolated_rate(p, n, r, true, true, out);
    case PQL_FN_INCREASE: return extrapolated_rate(p, n, r, true, false, out);
    case PQL_FN_DELTA: return extrapolated_rate(p, n, r, false, false, out);
    case PQL_FN_IRATE: return instant_value(p, n, true, out);
    case PQL_FN_IDELTA: return instant_value(p, n, false, out);
    case PQL_FN_DERIV: {
        if (n < 2)
            return 0;
        double slope, icept;
        linear_regression(p, n, p[0].t, &slope, &icept);
        *out = slope;
        return 1;
    }
    case PQL_FN_PREDICT_LINEAR: {
        if (n < 2)
            return 0;
        double slope, icept;
        linear_regression(p, n, r->ts, &slope, &icept);
        *out = slope * r->arg + icept;
        return 1;
    }
    case PQL_FN_RESETS:
    case PQL_FN_CHANGES: {
        int c = 0;
        double prev = p[0].v;
        for (size_t i = 1; i < n; i++) {
            double cur = p[i].v;
            if (fn == PQL_FN_RESETS ? cur < prev : (cur != prev && !(isnan(cur) && isnan(prev))))
                c++;
            prev = cur;
        }
        *out = c;
        return 1;
    }
    case PQL_FN_HOLT_WINTERS: return holt_winters(p, n, r->arg, r->arg2, out, msg);
    case PQL_FN_SUM_OVER_TIME: {
        double sum = 0, c = 0;
        for (size_t i = 0; i < n; i++)
            pql_kahan_inc(p[i].v, &sum, &c);
        *out = isinf(sum) ? sum : sum + c;
        return 1;
    }
    case PQL_FN_AVG_OVER_TIME: *out = avg_over_time(p, n); return 1;
    case PQL_FN_COUNT_OVER_TIME: *out = (double)n; return 1;
    case PQL_FN_MAX_OVER_TIME:
    case PQL_FN_MIN_OVER_TIME: {
        double m = p[0].v;
        for (size_t i = 0; i < n; i++) {
            double v = p[i].v;
            if ((fn == PQL_FN_MAX_OVER_TIME ? v > m : v < m) || isnan(m))
                m = v;
        }
        *out = m;
        return 1;
    }
    case PQL_FN_STDVAR_OVER_TIME: *out = stdvar_over_time(p, n); return 1;
    case PQL_FN_STDDEV_OVER_TIME: *out = sqrt(stdvar_over_time(p, n)); return 1;
    case PQL_FN_LAST_OVER_TIME: *out = p[n - 1].v; return 1;
    case PQL_FN_PRESENT_OVER_TIME: *out = 1; return 1;
    case PQL_FN_QUANTILE_OVER_TIME: {
        int rc = quantile_over_time(p, n, r->arg, out);
        if (rc == -2) {
            snprintf(msg, PQL_ERR_MSG_MAX, "out of memory");
            return -1;
        }
        return rc;
    }
    default:
        break;
    }
    snprintf(msg, PQL_ERR_MSG_MAX, "function is not a range function");
    return -1;
}

bool pql_rollup_keeps_name(enum pql_func_id fn)
{
    return fn == PQL_FN_LAST_OVER_TIME;
}

bool pql_is_rollup(enum pql_func_id fn)
{
    switch (fn) {
    case PQL_FN_RATE: case PQL_FN_INCREASE: case PQL_FN_DELTA: case PQL_FN_IRATE:
    case PQL_FN_IDELTA: case PQL_FN_DERIV: case PQL_FN_PREDICT_LINEAR: case PQL_FN_RESETS:
    case PQL_FN_CHANGES: case PQL_FN_HOLT_WINTERS: case PQL_FN_SUM_OVER_TIME:
    case PQL_FN_AVG_OVER_TIME: case PQL_FN_COUNT_OVER_TIME: case PQL_FN_MAX_OVER_TIME:
    case PQL_FN_MIN_OVER_TIME: case PQL_FN_STDVAR_OVER_TIME: case PQL_FN_STDDEV_OVER_TIME:
    case PQL_FN_LAST_OVER_TIME: case PQL_FN_PRESENT_OVER_TIME:
    case PQL_FN_QUANTILE_OVER_TIME:
        return true;
    default:
        return false;
    }
}

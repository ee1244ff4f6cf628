/* SPDX-License-Identifier: Apache-2.0 */
/* func.h: the evaluator's private function library (not for other parts): range-vector
 * functions over one window of points (rate, *_over_time, ...), element-wise math and
 * date functions, the quantile helpers shared with aggregations, and
 * histogram_quantile's bucket math. Each follows Prometheus 2.42's promql/functions.go
 * to the floating-point operation, so answers compare exactly. */
#ifndef FLINT_PROMQL_FUNC_H
#define FLINT_PROMQL_FUNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flint/promql/ast_funcs.h"
#include "flint/promql/engine.h"

/* The window a range function sees and its scalar arguments. */
struct pql_roll {
    int64_t range_start;   /* ms: ref time - range (the window is [start, end]) */
    int64_t range_end;     /* ms: the reference time (eval time - offset, or @) */
    int64_t range_ms;      /* the written range */
    int64_t ts;            /* ms: the evaluation time (predict_linear's intercept) */
    double arg;            /* predict_linear: seconds; quantile_over_time: phi;
                            * holt_winters: smoothing factor */
    double arg2;           /* holt_winters: trend factor */
};

/* pql_rollup: apply the range function fn to pts[0..n) (ascending, no stale markers,
 * n >= 1). 1 with *out set, 0 when the function gives no sample (e.g. rate with fewer
 * than 2 points), -1 on an argument error (holt_winters factors) with msg filled
 * (PQL_ERR_MSG_MAX bytes) as Prometheus words it. */
int pql_rollup(enum pql_func_id fn, const struct pql_point *pts, size_t n,
               const struct pql_roll *r, double *out, char *msg);
/* pql_rollup_keeps_name: last_over_time keeps __name__; the others drop it. */
bool pql_rollup_keeps_name(enum pql_func_id fn);
/* pql_is_rollup: fn takes a range vector and is computed by pql_rollup. */
bool pql_is_rollup(enum pql_func_id fn);

/* pql_kahan_inc: Neumaier-compensated sum step (Prometheus's kahanSumInc). */
void pql_kahan_inc(double inc, double *sum, double *c);

/* pql_quantile: Prometheus's quantile(): phi < 0 gives -Inf, > 1 +Inf, no values NaN;
 * else linear interpolation between closest ranks. Sorts v in place (NaN first). */
double pql_quantile(double phi, double *v, size_t n);

struct pql_bucket {
    double upper;          /* the le bound */
    double count;
};
/* pql_bucket_quantile: histogram_quantile's math for one group of classic buckets
 * (any order; sorted, coalesced and made monotonic in place). n >= 1. */
double pql_bucket_quantile(double phi, struct pql_bucket *b, size_t n);

/* pql_math: the element-wise function fn (abs, ceil, ..., deg, rad, sgn, date functions
 * on a value in seconds) applied to v. Only for ids where pql_is_math(fn). */
double pql_math(enum pql_func_id fn, double v);
bool pql_is_math(enum pql_func_id fn);
/* pql_is_date: hour, minute, month, year, day_of_*, days_in_month. */
bool pql_is_date(enum pql_func_id fn);

/* Go's math.Atan / math.Atan2 (Cephes), for the same last bits as Prometheus. */
double pql_go_atan(double x);
double pql_go_atan2(double y, double x);

/* Go's math.Max / math.Min (NaN wins except over +Inf/-Inf respectively; +0 > -0). */
double pql_go_max(double a, double b);
double pql_go_min(double a, double b);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* ast_funcs.h: the table of PromQL functions known to the parser (Prometheus 2.42's
 * promql/parser/functions.go): name, argument types, variadic count, return type. The
 * parser type-checks calls against it; the evaluator maps pql_func_def.id to its
 * implementation. Prefix pql_. */
#ifndef FLINT_PROMQL_AST_FUNCS_H
#define FLINT_PROMQL_AST_FUNCS_H

#include <stddef.h>

/* X(id, name, return type, variadic, nargs, arg types...). Types: S scalar, V instant
 * vector, M range vector, T string. variadic: 0 = exactly nargs; n > 0 = the last
 * argument may be given 0..n times (so nargs-1 .. nargs-1+n arguments); -1 = the last
 * argument may repeat without limit. */
#define PQL_FUNCS(X)                                              \
    X(ABS, "abs", V, 0, 1, V)                                     \
    X(ABSENT, "absent", V, 0, 1, V)                               \
    X(ABSENT_OVER_TIME, "absent_over_time", V, 0, 1, M)           \
    X(ACOS, "acos", V, 0, 1, V)                                   \
    X(ACOSH, "acosh", V, 0, 1, V)                                 \
    X(ASIN, "asin", V, 0, 1, V)                                   \
    X(ASINH, "asinh", V, 0, 1, V)                                 \
    X(ATAN, "atan", V, 0, 1, V)                                   \
    X(ATANH, "atanh", V, 0, 1, V)                                 \
    X(AVG_OVER_TIME, "avg_over_time", V, 0, 1, M)                 \
    X(CEIL, "ceil", V, 0, 1, V)                                   \
    X(CHANGES, "changes", V, 0, 1, M)                             \
    X(CLAMP, "clamp", V, 0, 3, V, S, S)                           \
    X(CLAMP_MAX, "clamp_max", V, 0, 2, V, S)                      \
    X(CLAMP_MIN, "clamp_min", V, 0, 2, V, S)                      \
    X(COS, "cos", V, 0, 1, V)                                     \
    X(COSH, "cosh", V, 0, 1, V)                                   \
    X(COUNT_OVER_TIME, "count_over_time", V, 0, 1, M)             \
    X(DAYS_IN_MONTH, "days_in_month", V, 1, 1, V)                 \
    X(DAY_OF_MONTH, "day_of_month", V, 1, 1, V)                   \
    X(DAY_OF_WEEK, "day_of_week", V, 1, 1, V)                     \
    X(DAY_OF_YEAR, "day_of_year", V, 1, 1, V)                     \
    X(DEG, "deg", V, 0, 1, V)                                     \
    X(DELTA, "delta", V, 0, 1, M)                                 \
    X(DERIV, "deriv", V, 0, 1, M)                                 \
    X(EXP, "exp", V, 0, 1, V)                                     \
    X(FLOOR, "floor", V, 0, 1, V)                                 \
    X(HISTOGRAM_COUNT, "histogram_count", V, 0, 1, V)             \
    X(HISTOGRAM_SUM, "histogram_sum", V, 0, 1, V)                 \
    X(HISTOGRAM_FRACTION, "histogram_fraction", V, 0, 3, S, S, V) \
    X(HISTOGRAM_QUANTILE, "histogram_quantile", V, 0, 2, S, V)    \
    X(HOLT_WINTERS, "holt_winters", V, 0, 3, M, S, S)             \
    X(HOUR, "hour", V, 1, 1, V)                                   \
    X(IDELTA, "idelta", V, 0, 1, M)                               \
    X(INCREASE, "increase", V, 0, 1, M)                           \
    X(IRATE, "irate", V, 0, 1, M)                                 \
    X(LABEL_REPLACE, "label_replace", V, 0, 5, V, T, T, T, T)     \
    X(LABEL_JOIN, "label_join", V, -1, 4, V, T, T, T)             \
    X(LAST_OVER_TIME, "last_over_time", V, 0, 1, M)               \
    X(LN, "ln", V, 0, 1, V)                                       \
    X(LOG10, "log10", V, 0, 1, V)                                 \
    X(LOG2, "log2", V, 0, 1, V)                                   \
    X(MAX_OVER_TIME, "max_over_time", V, 0, 1, M)                 \
    X(MIN_OVER_TIME, "min_over_time", V, 0, 1, M)                 \
    X(MINUTE, "minute", V, 1, 1, V)                               \
    X(MONTH, "month", V, 1, 1, V)                                 \
    X(PI, "pi", S, 0, 0, 0)                                       \
    X(PREDICT_LINEAR, "predict_linear", V, 0, 2, M, S)            \
    X(PRESENT_OVER_TIME, "present_over_time", V, 0, 1, M)         \
    X(QUANTILE_OVER_TIME, "quantile_over_time", V, 0, 2, S, M)    \
    X(RAD, "rad", V, 0, 1, V)                                     \
    X(RATE, "rate", V, 0, 1, M)                                   \
    X(RESETS, "resets", V, 0, 1, M)                               \
    X(ROUND, "round", V, 1, 2, V, S)                              \
    X(SCALAR, "scalar", S, 0, 1, V)                               \
    X(SGN, "sgn", V, 0, 1, V)                                     \
    X(SIN, "sin", V, 0, 1, V)                                     \
    X(SINH, "sinh", V, 0, 1, V)                                   \
    X(SORT, "sort", V, 0, 1, V)                                   \
    X(SORT_DESC, "sort_desc", V, 0, 1, V)                         \
    X(SQRT, "sqrt", V, 0, 1, V)                                   \
    X(STDDEV_OVER_TIME, "stddev_over_time", V, 0, 1, M)           \
    X(STDVAR_OVER_TIME, "stdvar_over_time", V, 0, 1, M)           \
    X(SUM_OVER_TIME, "sum_over_time", V, 0, 1, M)                 \
    X(TAN, "tan", V, 0, 1, V)                                     \
    X(TANH, "tanh", V, 0, 1, V)                                   \
    X(TIME, "time", S, 0, 0, 0)                                   \
    X(TIMESTAMP, "timestamp", V, 0, 1, V)                         \
    X(VECTOR, "vector", V, 0, 1, S)                               \
    X(YEAR, "year", V, 1, 1, V)

/* Function ids, in table order: PQL_FN_ABS, PQL_FN_RATE, ...; PQL_FN_COUNT_ is the count. */
enum pql_func_id {
#define PQL_FUNC_ENUM_(id, ...) PQL_FN_##id,
    PQL_FUNCS(PQL_FUNC_ENUM_)
#undef PQL_FUNC_ENUM_
    PQL_FN_COUNT_
};

#define PQL_FUNC_MAX_ARGS 5

struct pql_func_def {
    enum pql_func_id id;
    const char *name;
    int ret;                         /* enum pql_type (ast.h) */
    int variadic;                    /* see PQL_FUNCS */
    size_t nargs;                    /* entries used in args */
    int args[PQL_FUNC_MAX_ARGS];     /* enum pql_type of each argument */
};

/* pql_func_lookup: the entry named name (len bytes, case-sensitive), or NULL. */
const struct pql_func_def *pql_func_lookup(const char *name, size_t len);
/* pql_func_by_id: the entry for id (id < PQL_FN_COUNT_). */
const struct pql_func_def *pql_func_by_id(enum pql_func_id id);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* engine.h: the PromQL engine's public face, used by the HTTP API and the rules. It
 * parses a query, evaluates it against a tsdb as Prometheus 2.42 does (instant or range,
 * lookback delta, staleness, limits: timeout, max samples, max concurrent queries) and
 * hands back an owned result, plus the JSON writer of Prometheus's "data" object.
 * Prefix pql_. Thread-safe: one engine serves any number of threads at once. */
#ifndef FLINT_PROMQL_ENGINE_H
#define FLINT_PROMQL_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flint/labels.h"

struct lm_buf;
struct tsdb;

/* Defaults as Prometheus's flags. */
#define PQL_DEFAULT_TIMEOUT_MS     (2 * 60 * 1000)   /* --query.timeout=2m */
#define PQL_DEFAULT_MAX_SAMPLES    50000000          /* --query.max-samples */
#define PQL_DEFAULT_LOOKBACK_MS    (5 * 60 * 1000)   /* --query.lookback-delta=5m */
#define PQL_DEFAULT_CONCURRENCY    20                /* --query.max-concurrency */
#define PQL_DEFAULT_SUBQUERY_STEP  (60 * 1000)       /* global evaluation_interval */

struct pql_engine_opts {
    int64_t timeout_ms;      /* per query; 0 = PQL_DEFAULT_TIMEOUT_MS */
    int64_t max_samples;     /* 0 = PQL_DEFAULT_MAX_SAMPLES */
    int64_t lookback_ms;     /* 0 = PQL_DEFAULT_LOOKBACK_MS */
    int max_concurrency;     /* queries running at once (others wait); 0 = default */
    int64_t subquery_step_ms;/* default subquery step; 0 = PQL_DEFAULT_SUBQUERY_STEP */
};

/* Per-query options (the API's lookback_delta and timeout parameters, cancellation). */
struct pql_query_opts {
    int64_t lookback_ms;          /* 0 = the engine's */
    int64_t timeout_ms;           /* 0 = the engine's; a smaller value wins */
    const volatile int *cancel;   /* borrowed; when *cancel != 0 the query stops with
                                   * a "canceled" error; NULL = never */
};

/* ---- results ------------------------------------------------------------------- */

enum pql_value_type {
    PQL_VAL_NONE,     /* nothing (error) */
    PQL_VAL_SCALAR,
    PQL_VAL_STRING,
    PQL_VAL_VECTOR,
    PQL_VAL_MATRIX,
};

struct pql_point {
    int64_t t;        /* ms */
    double v;
};

struct pql_sample {   /* one element of an instant vector */
    struct lbl_set ls;/* owned (or a view into the result's lblmem) */
    int64_t t;        /* ms: the evaluation time in results */
    double v;
};

struct pql_series {   /* one element of a range vector */
    struct lbl_set ls;      /* owned (or a view into the result's lblmem) */
    struct pql_point *pts;  /* owned, ascending by t */
    size_t n, cap;
};

struct pql_result {
    enum pql_value_type type;
    int64_t t;                /* scalar and string: the evaluation time (ms) */
    double v;                 /* scalar */
    char *str;                /* string: owned */
    struct pql_sample *vec;   /* vector: owned array of nvec */
    size_t nvec;
    struct pql_series *mat;   /* matrix: owned array of nmat, sorted by labels */
    size_t nmat;
    void *lblmem;             /* owned, or NULL: one block holding every label set of
                               * vec/mat (their ls are views then, never lbl_set_free'd) */
};

/* pql_result_free: release everything the result owns and zero it. NULL ok. */
void pql_result_free(struct pql_result *r);

/* ---- errors --------------------------------------------------------------------- */

/* errorType of Prometheus's API. */
enum pql_err_type {
    PQL_ERR_NONE,
    PQL_ERR_BAD_DATA,     /* "bad_data": parse errors, bad arguments */
    PQL_ERR_EXECUTION,    /* "execution": runtime errors, too many samples */
    PQL_ERR_TIMEOUT,      /* "timeout" */
    PQL_ERR_CANCELED,     /* "canceled" */
    PQL_ERR_INTERNAL,     /* "internal": out of memory, storage failures */
};

#define PQL_ERR_MSG_MAX 1024

struct pql_err {
    enum pql_err_type type;
    char msg[PQL_ERR_MSG_MAX];   /* Prometheus's error text, e.g. "query processing would
                                  * load too many samples into memory in query execution" */
};

/* pql_err_type_str: "bad_data", "execution", "timeout", "canceled", "internal" ("" for
 * PQL_ERR_NONE). Static string. */
const char *pql_err_type_str(enum pql_err_type t);

/* ---- the engine ----------------------------------------------------------------- */

struct pql_engine;

/* pql_engine_new: an engine with the given limits (o may be NULL: all defaults). Owned by
 * the caller, freed with pql_engine_free (no query may still run then). NULL on ENOMEM. */
struct pql_engine *pql_engine_new(const struct pql_engine_opts *o);
void pql_engine_free(struct pql_engine *e);

/* pql_exec_instant: evaluate query at t_ms against db. On success returns 0 and fills
 * res (owned by the caller: pql_result_free), of type scalar, string, vector or matrix
 * (a range selector or subquery at the top). On failure returns -1, res is empty and err
 * holds the type and text. Waits for a concurrency slot first. */
int pql_exec_instant(struct pql_engine *e, struct tsdb *db, const char *query, int64_t t_ms,
                     struct pql_result *res, struct pql_err *err);

/* pql_exec_range: evaluate query at start, start+step, ... <= end (ms; step > 0). res is
 * always a matrix (scalars become one series without labels), series sorted by labels.
 * The query must give a scalar or an instant vector (else bad_data). Same contract as
 * pql_exec_instant. */
int pql_exec_range(struct pql_engine *e, struct tsdb *db, const char *query, int64_t start,
                   int64_t end, int64_t step, struct pql_result *res, struct pql_err *err);

/* pql_exec: both of the above with per-query options (qo may be NULL); step == 0 means
 * an instant query at start (end is ignored). */
int pql_exec(struct pql_engine *e, struct tsdb *db, const char *query, int64_t start,
             int64_t end, int64_t step, const struct pql_query_opts *qo,
             struct pql_result *res, struct pql_err *err);

/* ---- JSON ---------------------------------------------------------------------- */

/* pql_result_json: append Prometheus's "data" object for /api/v1/query(_range):
 * {"resultType":"vector","result":[{"metric":{...},"value":[1435781451.781,"1.5"]}]}
 * (scalar: "result":[t,"v"]; string: [t,"s"]; matrix: "values":[[t,"v"],...]).
 * Returns 0 or out's sticky error. */
int pql_result_json(const struct pql_result *r, struct lm_buf *out);

/* pql_fmt_value: v as Prometheus's API prints sample values: Go's
 * strconv.FormatFloat(v, 'f', -1, 64), or 'e' when |v| < 1e-6 or |v| >= 1e21, and
 * "NaN", "+Inf", "-Inf". out needs PQL_FMT_VALUE_MAX bytes; returns the length. */
#define PQL_FMT_VALUE_MAX 64
size_t pql_fmt_value(char *out, double v);

/* pql_fmt_float_f: Go's strconv.FormatFloat(v, 'f', -1, 64) (count_values labels), with
 * "NaN", "+Inf", "-Inf". out needs PQL_FMT_FLOAT_MAX bytes; returns the length. */
#define PQL_FMT_FLOAT_MAX 400
size_t pql_fmt_float_f(char *out, double v);

/* pql_fmt_time: t (ms) as a JSON number of seconds: "1435781451", "1435781451.781",
 * "1435781451.050" (3 digits when the fraction is not zero). out needs 24 bytes. */
size_t pql_fmt_time(char *out, int64_t t);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* registry.h: long-lived metric families (counter, gauge, histogram, summary, untyped)
 * with constant and variable labels, updated from any thread, plus named collectors that
 * write into an emitter on every scrape. Write a registry with lm/expo.h. Children (one per
 * label-value combination) live until the registry is freed; there is no delete yet. */
#ifndef LM_REGISTRY_H
#define LM_REGISTRY_H

#include <stddef.h>
#include <stdint.h>
#include "lm/emit.h"
#include "lm/err.h"

struct lm_registry;
struct lm_family;   /* a registered family; owned by its registry */
struct lm_metric;   /* one child of a family (one set of label values); owned likewise */

/* client_golang's DefBuckets: .005 .01 .025 .05 .1 .25 .5 1 2.5 5 10. */
#define LM_DEF_BUCKETS_N 11
extern const double lm_def_buckets[LM_DEF_BUCKETS_N];

/* Summary defaults (client_golang): a 10 minute window in 5 age buckets. */
#define LM_SUMMARY_MAX_AGE 600.0
#define LM_SUMMARY_AGE_BUCKETS 5
/* Each age bucket keeps at most this many observations exactly; past it, a uniform
 * reservoir sample of them (the quantiles become estimates with ~1/sqrt(N) rank error). */
#define LM_SUMMARY_WINDOW_SAMPLES 4096

/* One summary objective: quantile q (0..1) and its allowed rank error (kept for API
 * compatibility with client_golang; the estimator is exact up to the cap above). */
struct lm_quantile {
    double q;     /* quantile, 0 <= q <= 1 */
    double err;   /* allowed rank error, e.g. 0.01 */
};

/* What to register. Strings and arrays are borrowed for the call and copied. */
struct lm_metric_opts {
    const char *name;                        /* full name; counters usually end in _total */
    const char *help;                        /* HELP text; NULL means "" */
    enum lm_type type;                       /* family type */
    const char *const *label_names;          /* variable label names, or NULL */
    size_t nlabels;                          /* entries in label_names */
    const struct lm_label *const_labels;     /* constant labels, or NULL */
    size_t nconst;                           /* entries in const_labels */
    const double *buckets;                   /* histogram upper bounds, ascending; NULL: default */
    size_t nbuckets;                         /* entries in buckets (a final +Inf is dropped) */
    const struct lm_quantile *objectives;    /* summary quantiles; NULL: only _sum/_count */
    size_t nobjectives;                      /* entries in objectives */
    double max_age;                          /* summary window, seconds; 0: LM_SUMMARY_MAX_AGE */
    unsigned age_buckets;                    /* summary age buckets; 0: LM_SUMMARY_AGE_BUCKETS */
};

/* lm_registry_new: an empty registry. NULL on OOM. lm_registry_free frees it with every
 * family and child (accepts NULL); no other thread may use it then. */
struct lm_registry *lm_registry_new(void);
void lm_registry_free(struct lm_registry *r);

/* lm_registry_add: register a family. Returns it (owned by r), or NULL with err set:
 * LM_ENAME (bad metric name), LM_ELABEL (bad, duplicate or reserved label name: "__"
 * prefix, "le" on histograms, "quantile" on summaries), LM_EINVAL (bad buckets or
 * objectives), LM_EDUP (name already registered), LM_ENOMEM. Thread-safe. */
struct lm_family *lm_registry_add(struct lm_registry *r, const struct lm_metric_opts *o,
                                  struct lm_err *err);

/* lm_registry_add_collector: call collect(state, e, err) on every write of r, in
 * registration order; its families merge with r's (same name: help and type must agree).
 * name (copied) identifies it in errors. collect must not register into r. state is
 * borrowed. Returns 0, LM_EDUP (name taken) or LM_ENOMEM. Thread-safe. */
int lm_registry_add_collector(struct lm_registry *r, const char *name,
                              int (*collect)(void *state, struct lm_emit *e, struct lm_err *err),
                              void *state, struct lm_err *err);

/* lm_registry_set_clock: the clock summaries use (seconds, any epoch, non-decreasing);
 * NULL restores CLOCK_MONOTONIC. For tests; call before any observation. */
void lm_registry_set_clock(struct lm_registry *r, double (*now)(void *arg), void *arg);

/* Shorthands for lm_registry_add. _new forms register an unlabelled family and return
 * its only child; _vec_new forms return the family. NULL with err set on failure. */
struct lm_metric *lm_counter_new(struct lm_registry *r, const char *name, const char *help,
                                 struct lm_err *err);
struct lm_metric *lm_gauge_new(struct lm_registry *r, const char *name, const char *help,
                               struct lm_err *err);
struct lm_family *lm_counter_vec_new(struct lm_registry *r, const char *name, const char *help,
                                     const char *const *label_names, size_t nlabels,
                                     struct lm_err *err);
struct lm_family *lm_gauge_vec_new(struct lm_registry *r, const char *name, const char *help,
                                   const char *const *label_names, size_t nlabels,
                                   struct lm_err *err);

/* lm_family_with: the child for these label values (one per variable label, in declared
 * order; borrowed, copied on creation), created on first use. Lock-free when it exists;
 * a short lock when it is created. NULL on OOM, a NULL value or a value over 65535 bytes.
 * For an unlabelled family, values is ignored. The pointer stays valid for r's life. */
struct lm_metric *lm_family_with(struct lm_family *f, const char *const *values);
/* lm_family_withv: the same with the values as arguments, then NULL. */
struct lm_metric *lm_family_withv(struct lm_family *f, ...) __attribute__((sentinel));
/* lm_family_children: how many children f has. */
size_t lm_family_children(struct lm_family *f);

/* Updates: lock-free (atomic compare-and-swap on the double's bits), from any thread.
 * Calling a function of another type (e.g. lm_counter_inc on a histogram) does nothing.
 * lm_counter_add refuses negative values with LM_EINVAL (client_golang panics). */
void lm_counter_inc(struct lm_metric *m);
int lm_counter_add(struct lm_metric *m, double v);
void lm_gauge_set(struct lm_metric *m, double v);   /* also sets an untyped metric */
void lm_gauge_add(struct lm_metric *m, double v);
void lm_gauge_sub(struct lm_metric *m, double v);
void lm_gauge_inc(struct lm_metric *m);
void lm_gauge_dec(struct lm_metric *m);
void lm_gauge_set_to_current_time(struct lm_metric *m);   /* Unix time, seconds */
void lm_histogram_observe(struct lm_metric *m, double v);
/* lm_summary_observe: takes the child's short mutex (the window is not lock-free). */
void lm_summary_observe(struct lm_metric *m, double v);

/* Reads, for tests and collectors. lm_metric_value: a counter/gauge/untyped value, or a
 * histogram/summary count. lm_metric_sum: histogram/summary sum (else the value).
 * lm_histogram_bucket: cumulative count of bucket i (i == nbuckets is +Inf).
 * lm_summary_quantile: the current estimate of quantile q over the window (NaN when the
 * window is empty or on OOM). */
double lm_metric_value(struct lm_metric *m);
double lm_metric_sum(struct lm_metric *m);
uint64_t lm_histogram_bucket(struct lm_metric *m, size_t i);
double lm_summary_quantile(struct lm_metric *m, double q);

/* Bucket helpers (client_golang's LinearBuckets/ExponentialBuckets): fill out[0..count)
 * with start, start+width, ... or start, start*factor, .... LM_EINVAL when count is 0,
 * or (exponential) start <= 0 or factor <= 1. */
int lm_buckets_linear(double start, double width, size_t count, double *out);
int lm_buckets_exponential(double start, double factor, size_t count, double *out);

#endif

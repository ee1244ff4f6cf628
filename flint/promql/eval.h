/* SPDX-License-Identifier: Apache-2.0 */
/* eval.h: the evaluator's private context and entry points (not for other parts). One
 * pql_ev per query: the selected series loaded once into arrays per selector node, the
 * arenas and label pool, the limits, and the error exit (longjmp to pql_ev_run, safe
 * because everything a step allocates lives in the query's arenas or pool). A range
 * query evaluates the tree once per step over whole vectors, as Prometheus does. */
#ifndef FLINT_PROMQL_EVAL_H
#define FLINT_PROMQL_EVAL_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flint/promql/ast.h"
#include "flint/promql/engine.h"
#include "flint/promql/value.h"

struct pql_ev;

/* One selected series of one selector node. */
struct pql_sser {
    const struct pql_ls *ls;      /* interned */
    struct pql_point *all;        /* every sample in the loaded range, stale markers too */
    size_t nall, capall;
    struct pql_point *clean;      /* the same without stale markers (== all when none) */
    size_t nclean;
    size_t hint_all, hint_lo, hint_hi; /* cursors of the last lookups (steps ascend) */
};

/* The data of one selector node (vector or the vector inside a matrix selector). */
struct pql_sel {
    const struct pql_node *node;  /* the PQL_VECTOR_SEL */
    int64_t mint, maxt;           /* loaded range (ms, inclusive) */
    struct pql_sser *s;           /* lm_malloc'd array, sorted by labels */
    size_t n, cap;
};

/* Where samples come from: tsdb in engine_tsdb.c, arrays in tests. select loads into sel
 * every series matching sel->node's matchers with samples in [sel->mint, sel->maxt],
 * through pql_sel_series / pql_sel_point, in label order. 0, or -1 with err set. */
struct pql_source {
    int (*select)(void *ctx, struct pql_ev *ev, struct pql_sel *sel);
    void *ctx;
};

/* One output series of a range query being built. */
struct pql_oser {
    const struct pql_ls *ls;
    struct pql_point *pts;        /* lm_malloc'd */
    size_t n, cap;
};

/* A value at one evaluation step. */
struct pql_v {
    enum pql_type type;
    double s;                     /* scalar */
    const char *str;              /* string: borrowed from the tree */
    struct pql_vec vec;           /* instant vector (arena) */
    struct pql_mat mat;           /* range vector (arena) */
};

/* Per-node state kept across steps (compiled regexes, subquery caches). */
struct pql_nstate {
    const void *node;             /* the key: a node or an address derived from it */
    void *p;                      /* owned by the destructor below */
    void (*free_fn)(void *p);
};

struct pql_ev {
    int64_t start, end, step;     /* query times (ms); step 0 = instant */
    int64_t lookback;             /* ms */
    int64_t sq_step;              /* default subquery step (ms) */
    int64_t max_samples, loaded;  /* limit; samples loaded + held */
    int64_t deadline_ns;          /* CLOCK_MONOTONIC deadline, 0 = none */
    const volatile int *cancel;
    unsigned tick;                /* counts work between clock checks */
    struct pql_arena arena;       /* query lifetime */
    struct pql_arena tmp;         /* one top-level step */
    struct pql_lspool pool;
    struct pql_sel *sels;         /* lm_malloc'd */
    size_t nsels, capsels;
    struct pql_nstate *states;    /* lm_malloc'd */
    size_t nstates, capstates;
    struct lbl_set scratch;       /* label set under construction (freed at the end) */
    struct lbl *view;             /* lm_malloc'd: borrowed labels for pql_ev_intern_sub */
    size_t capview;
    struct pql_pmap scratch_map;  /* for pql_ev_check_dups */
    struct pql_oser *out;         /* range query output series (lm_malloc'd) */
    size_t nout, capout;
    struct pql_pmap outmap;       /* interned labels -> index + 1 in out */
    struct pql_source src;
    jmp_buf jb;
    struct pql_err *err;
};

/* pql_ev_fail: set the error and leave the evaluation (longjmp). Never returns. */
_Noreturn void pql_ev_fail(struct pql_ev *ev, enum pql_err_type type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* pql_ev_oom: fail with "out of memory" (internal). */
_Noreturn void pql_ev_oom(struct pql_ev *ev);
/* pql_ev_check: timeout / cancellation check (cheap; reads the clock now and then). */
void pql_ev_check(struct pql_ev *ev);
/* pql_ev_count: count n more samples held; fails past max_samples. */
void pql_ev_count(struct pql_ev *ev, int64_t n);

/* pql_tsub: a - b on millisecond times with Go's wrapping int64 arithmetic, as
 * Prometheus computes them: `@ 1e17` and huge offsets must not be undefined behaviour. */
static inline int64_t pql_tsub(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a - (uint64_t)b);
}

/* Loading (called by sources, never longjmp): a new series (labels copied), then its
 * samples in ascending time order. 0, or -1 with ev->err set (ENOMEM, max samples). */
int pql_sel_series(struct pql_ev *ev, struct pql_sel *sel, const struct lbl_set *ls);
int pql_sel_point(struct pql_ev *ev, struct pql_sel *sel, int64_t t, double v);

/* pql_ev_run: evaluate root for the query times in ev into res (public form). 0, or -1
 * with ev->err set. Loads the selectors first through ev->src. */
int pql_ev_run(struct pql_ev *ev, const struct pql_node *root, struct pql_result *res);
/* pql_ev_cleanup: free everything ev owns (not ev itself). */
void pql_ev_cleanup(struct pql_ev *ev);

/* Helpers shared by the eval*, agg*, binop*, func* files. */
void pql_eval(struct pql_ev *ev, const struct pql_node *n, int64_t ts, struct pql_v *out);
const struct pql_ls *pql_ev_intern(struct pql_ev *ev, struct lbl_set *s);
const struct pql_ls *pql_ev_drop_name(struct pql_ev *ev, const struct pql_ls *ls);
/* pql_ev_intern_sub: the interned subset of ls's labels whose name keep() accepts (no
 * label set built: the pool copies it only when new). */
const struct pql_ls *pql_ev_intern_sub(struct pql_ev *ev, const struct pql_ls *ls,
                                       bool (*keep)(const char *name, const void *ctx),
                                       const void *ctx);
void pql_ev_push(struct pql_ev *ev, struct pql_vec *v, const struct pql_ls *ls, int64_t t,
                 double val);
void *pql_ev_alloc(struct pql_ev *ev, size_t n);
struct pql_nstate *pql_ev_state(struct pql_ev *ev, const void *node);
/* pql_ev_pmap: the pointer map kept under key (a node, or a node address + k for a
 * node's k-th map) across steps, owned by ev; emptied first when clear. The pointer
 * stays valid while other states are added. */
struct pql_pmap *pql_ev_pmap(struct pql_ev *ev, const void *key, bool clear);
/* pql_ev_check_dups: "vector cannot contain metrics with the same labelset". */
void pql_ev_check_dups(struct pql_ev *ev, const struct pql_vec *v);
/* pql_node_unparen: n without enclosing parentheses. */
const struct pql_node *pql_node_unparen(const struct pql_node *n);

/* pql_ev_sel: the loaded data of selector node vs (fails the query when not loaded). */
struct pql_sel *pql_ev_sel(struct pql_ev *ev, const struct pql_node *vs);
/* pql_upper_from / pql_lower_from: the first index of p[0..n) with p[i].t > t / >= t,
 * searched from the previous answer *hint (updated) when t ascends. */
size_t pql_upper_from(const struct pql_point *p, size_t n, int64_t t, size_t *hint);
size_t pql_lower_from(const struct pql_point *p, size_t n, int64_t t, size_t *hint);
/* pql_rollup_batched: in a range query, call node n (a rollup of a plain matrix
 * selector) at step ts from values computed series by series for a batch of steps (the
 * samples stay in cache). false when that does not apply: the caller evaluates the step. */
bool pql_rollup_batched(struct pql_ev *ev, const struct pql_node *n, int64_t ts,
                        struct pql_v *out);
/* pql_at_time: the time a selector with modifier at (and at_ms) is evaluated at ts. */
int64_t pql_at_time(const struct pql_ev *ev, enum pql_at at, int64_t at_ms, int64_t ts);
/* pql_eval_subquery: a subquery's range vector at ts (eval_subquery.c). */
void pql_eval_subquery(struct pql_ev *ev, const struct pql_node *n, int64_t ts,
                       struct pql_v *out);

/* Aggregations (agg.c), binary operators (binop.c), calls (eval_call.c). */
void pql_eval_aggregate(struct pql_ev *ev, const struct pql_node *n, int64_t ts,
                        struct pql_v *out);
void pql_eval_binary(struct pql_ev *ev, const struct pql_node *n, int64_t ts,
                     struct pql_v *out);
void pql_eval_call(struct pql_ev *ev, const struct pql_node *n, int64_t ts, struct pql_v *out);
/* pql_eval_label_fn: label_replace / label_join over vec (func_label.c). */
void pql_eval_label_fn(struct pql_ev *ev, const struct pql_node *n, const struct pql_vec *in,
                       int64_t ts, struct pql_vec *out);
/* pql_absent_labels: the labels absent() gives for its argument expression. */
const struct pql_ls *pql_absent_labels(struct pql_ev *ev, const struct pql_node *arg);

#endif

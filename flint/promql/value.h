/* SPDX-License-Identifier: Apache-2.0 */
/* value.h: the evaluator's private value model (not for other parts): a bump arena for
 * one query's temporaries, interned label sets (one pointer per distinct set, with its
 * hash, so grouping and matching compare pointers and hashes), instant vectors and
 * range-vector windows. Everything here lives until the query ends. */
#ifndef FLINT_PROMQL_VALUE_H
#define FLINT_PROMQL_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flint/labels.h"
#include "flint/promql/engine.h"

/* ---- arena ------------------------------------------------------------------------ */

struct pql_arena_blk;

struct pql_arena {
    struct pql_arena_blk *head;   /* owned chain, newest first */
    struct pql_arena_blk *spare;  /* owned chain of released blocks kept for reuse */
    size_t used;                  /* bytes handed out (for limits) */
};

struct pql_arena_mark {
    struct pql_arena_blk *blk;
    size_t off;
    size_t used;
};

/* pql_arena_alloc: n bytes aligned for any type, or NULL on ENOMEM. Freed with the arena
 * (pql_arena_free) or by pql_arena_release to an earlier mark. */
void *pql_arena_alloc(struct pql_arena *a, size_t n);
struct pql_arena_mark pql_arena_mark(const struct pql_arena *a);
void pql_arena_release(struct pql_arena *a, struct pql_arena_mark m);
void pql_arena_free(struct pql_arena *a);

/* ---- interned label sets ---------------------------------------------------------- */

struct pql_ls {
    struct lbl_set s;             /* owned by the pool: names and values packed after the
                                   * entry in the pool's arena; never lbl_set_* mutated */
    uint64_t hash;                /* the pool's hash of s */
    const struct pql_ls *noname;  /* cache: the same set without __name__ (or NULL) */
};

struct pql_lsslot {
    uint64_t hash;                /* e->hash (no pointer chase while probing) */
    struct pql_ls *e;             /* NULL = empty */
};

struct pql_lspool {
    struct pql_lsslot *tab;       /* owned open-addressing table of entries in mem */
    size_t n, cap;
    struct pql_arena mem;         /* the entries, each one block: pql_ls, lbl[], strings */
};

/* pql_lbl_packed_size: the bytes a packed deep copy of s takes (labels, then the
 * NUL-terminated names and values), rounded up to pointer alignment. */
size_t pql_lbl_packed_size(const struct lbl_set *s);
/* pql_lbl_pack: write that copy at mem (pointer-aligned, pql_lbl_packed_size(s) bytes,
 * owned by the caller) and set *dst to a view of it. */
void pql_lbl_pack(void *mem, const struct lbl_set *s, struct lbl_set *dst);
/* pql_lspool_take: the interned copy of *s; s is consumed (its content freed) and left
 * empty. NULL on ENOMEM (s freed). */
const struct pql_ls *pql_lspool_take(struct pql_lspool *p, struct lbl_set *s);
/* pql_lspool_get: interned deep copy of s (s untouched; its strings may be borrowed, as
 * in a view built by pql_ev_intern_sub). NULL on ENOMEM. */
const struct pql_ls *pql_lspool_get(struct pql_lspool *p, const struct lbl_set *s);
void pql_lspool_free(struct pql_lspool *p);

/* ---- vectors and windows ---------------------------------------------------------- */

struct pql_el {                   /* one instant-vector element */
    const struct pql_ls *ls;      /* interned */
    int64_t t;                    /* sample time for selector output, else eval time */
    double v;
};

struct pql_vec {
    struct pql_el *v;             /* arena memory */
    size_t n, cap;
};

struct pql_win {                  /* one series of a range vector at one step */
    const struct pql_ls *ls;
    const struct pql_point *pts;  /* borrowed: storage arrays or subquery output */
    size_t n;
};

struct pql_mat {
    struct pql_win *v;            /* arena memory */
    size_t n, cap;
};

/* pql_vec_push: append; false on ENOMEM. */
bool pql_vec_push(struct pql_arena *a, struct pql_vec *vec, const struct pql_ls *ls, int64_t t,
                  double v);
bool pql_mat_push(struct pql_arena *a, struct pql_mat *m, const struct pql_win *w);

/* ---- pointer map ----------------------------------------------------------------- */

/* A map from a pointer (e.g. an interned label set) to a pointer or an index, open
 * addressing; lm_malloc'd storage (pql_pmap_free). Zero-initialised is empty. */
struct pql_pmap_ent {
    const void *key;              /* NULL = empty slot */
    void *val;
};

struct pql_pmap {
    struct pql_pmap_ent *tab;
    size_t n, cap;
};

/* pql_pmap_get: the value for key, or NULL. */
void *pql_pmap_get(const struct pql_pmap *m, const void *key);
/* pql_pmap_slot: the value slot of key, inserted with NULL when absent (*found tells);
 * NULL on ENOMEM. The slot moves at the next insertion. */
void **pql_pmap_slot(struct pql_pmap *m, const void *key, bool *found);
void pql_pmap_clear(struct pql_pmap *m);
void pql_pmap_free(struct pql_pmap *m);

/* pql_is_stale: v is the staleness marker (bit pattern 0x7ff0000000000002). */
bool pql_is_stale(double v);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* postings.h: the head's inverted index: for every label pair (name id, value id) a
 * sorted array of series refs, per name the list of its value ids, and the list of all
 * series; plus the set operations queries use on sorted ref arrays (intersection with
 * galloping search, k-way union, subtraction). Not locked: the head's lock covers it.
 * Internal to flint/tsdb. Prefix tsdb_post_ / tsdb_plist_. */
#ifndef FLINT_TSDB_POSTINGS_H
#define FLINT_TSDB_POSTINGS_H

#include <stddef.h>
#include <stdint.h>

/* A sorted list of distinct series refs. Zeroed = empty. */
struct tsdb_plist {
    uint32_t *v;       /* owned */
    uint32_t n, cap;   /* used / allocated */
};

/* tsdb_plist_add: insert ref keeping the list sorted (appends in O(1) when ref is the
 * largest, as it nearly always is). 0 or LM_ENOMEM. */
int tsdb_plist_add(struct tsdb_plist *l, uint32_t ref);
void tsdb_plist_free(struct tsdb_plist *l);

/* tsdb_post_intersect: a ∩ b into out (room for min(na, nb); out may be a). Count. */
size_t tsdb_post_intersect(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                           uint32_t *out);
/* tsdb_post_subtract: a \ b into out (room for na; out may be a). Count. */
size_t tsdb_post_subtract(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                          uint32_t *out);
/* tsdb_post_union: the union of k sorted lists into out (replaced; owned by the
 * caller). 0 or LM_ENOMEM. */
int tsdb_post_union(const struct tsdb_plist *const *lists, size_t k, struct tsdb_plist *out);

struct tsdb_postings;

struct tsdb_postings *tsdb_postings_new(void);
void tsdb_postings_free(struct tsdb_postings *p);
/* tsdb_postings_add: index series ref with n label pairs lbl[2i] = name id, lbl[2i+1] =
 * value id. 0 or LM_ENOMEM (the index may then hold the series partially: callers
 * remove it with tsdb_postings_gc). */
int tsdb_postings_add(struct tsdb_postings *p, uint32_t ref, const uint32_t *lbl, size_t n);
/* tsdb_postings_get: the list of (name, value), or NULL. Borrowed until the next change. */
const struct tsdb_plist *tsdb_postings_get(const struct tsdb_postings *p, uint32_t name,
                                           uint32_t value);
/* tsdb_postings_all: every indexed series. */
const struct tsdb_plist *tsdb_postings_all(const struct tsdb_postings *p);
/* tsdb_postings_values: the value ids of name that have series (unsorted; borrowed
 * until the next change); NULL and *n = 0 for an unknown name. */
const uint32_t *tsdb_postings_values(const struct tsdb_postings *p, uint32_t name, size_t *n);
/* tsdb_postings_names: every name id ever indexed (unsorted; borrowed likewise); a name
 * whose series are all gone has no values left (check tsdb_postings_values). */
const uint32_t *tsdb_postings_names(const struct tsdb_postings *p, size_t *n);
/* tsdb_postings_gc: remove the series whose ref bit is set in dead (a bitmap of nbits
 * bits); lbl/nlbl list the label pairs of those series (flattened pairs, nlbl pairs),
 * so only those lists are rewritten. */
void tsdb_postings_gc(struct tsdb_postings *p, const uint64_t *dead, size_t nbits,
                      const uint32_t *lbl, size_t nlbl);
/* tsdb_postings_bytes: memory held (for stats). */
size_t tsdb_postings_bytes(const struct tsdb_postings *p);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* head.h: the in-memory head of the TSDB: series (interned label id pairs, one open XOR
 * chunk plus closed chunks), found by a label hash or by ref (a dense index that is
 * never reused), an inverted index, time bounds, truncation and garbage collection.
 * Locks: one rwlock for the series table, hash, symbols and postings; striped mutexes
 * for each series' chunks and last sample. Internal to flint/tsdb. Prefix tsdb_head_. */
#ifndef FLINT_TSDB_HEAD_H
#define FLINT_TSDB_HEAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "flint/labels.h"
#include "flint/tsdb/chunk.h"
#include "flint/tsdb/head_chunks.h"
#include "flint/tsdb/postings.h"
#include "flint/tsdb/symbols.h"
#include "lm/buf.h"

#define TSDB_HEAD_STRIPES 4096
#define TSDB_HEAD_CHUNK_BYTES 1024   /* cut the open chunk past this size (Prometheus) */
#define TSDB_MAX_LABELS 256          /* label pairs per series (more: LM_ELABEL) */

/* A closed head chunk: immutable once closed, freed by truncation. */
struct tsdb_hchunk {
    int64_t mint, maxt;    /* first / last sample time */
    const uint8_t *b;      /* payload (chunk.h format): in a head chunks file, or
                            * owned on the heap when file == TSDB_HCS_HEAP */
    uint32_t len;          /* bytes in b */
    uint32_t file;         /* head chunks file, or TSDB_HCS_HEAP */
};

/* 128 bytes + the label ids (fields ordered so that nothing is padding). */
struct tsdb_series {
    uint64_t hash;                 /* tsdb_head_hash_labels of the label strings */
    struct tsdb_series *next;      /* hash chain */
    struct tsdb_hchunk *closed;    /* closed chunks, oldest first (owned; room for
                                    * the next power of two >= nclosed, at least 2) */
    int64_t chunk_end;             /* the open chunk is cut at or after this time */
    uint32_t ref;                  /* index in the series table (the ref is ref + 1) */
    atomic_int pending;            /* staged samples not yet committed or rolled back */
    uint32_t nclosed;              /* closed chunks */
    uint16_t nlbl;                 /* label pairs */
    atomic_bool logged;            /* its series record is in the WAL */
    struct tsdb_chunk_enc open;    /* the open chunk; its t / vbits are the newest
                                    * sample (none when count = 0: a new series, or one
                                    * whose samples were all truncated) */
    uint32_t lbl[];                /* 2 * nlbl symbol ids, name then value */
};

struct tsdb_head {
    pthread_rwlock_t lock;             /* table, hash, symbols, postings */
    pthread_mutex_t stripes[TSDB_HEAD_STRIPES];  /* series chunk data, by ref */
    struct tsdb_syms *syms;            /* owned */
    struct tsdb_postings *post;        /* owned */
    struct tsdb_hcs *hcs;              /* closed chunks' store (owned), or NULL: heap */
    struct tsdb_series **tab;          /* ref -> series or NULL (owned) */
    uint32_t ntab, captab;             /* refs handed out / allocated */
    struct tsdb_series **buckets;      /* hash chains (owned) */
    uint32_t bmask;                    /* buckets - 1 */
    uint32_t nseries;                  /* live series */
    int64_t range;                     /* block range, ms */
    _Atomic int64_t mint, maxt;        /* sample time bounds (INT64_MAX/MIN: empty) */
    _Atomic int64_t min_valid;         /* older samples are out of bounds */
    atomic_uint_fast64_t nchunks;      /* open (non-empty) + closed chunks */
    atomic_uint_fast64_t appended;     /* samples appended, total */
    atomic_uint_fast64_t nsamples;     /* samples in the head now */
    atomic_uint_fast64_t created, removed;  /* series, total */
    atomic_uint_fast64_t ooo, dup, oob;     /* rejected samples, total */
    atomic_uint_fast64_t truncations;       /* head truncations, total */
    bool replaying;                    /* WAL replay: no "too old vs maxt" check */
};

/* tsdb_head_hash_labels: the hash the head files a label set under. */
uint64_t tsdb_head_hash_labels(const struct lbl_set *ls);

/* tsdb_head_new: an empty head with block range range_ms. NULL on OOM. */
struct tsdb_head *tsdb_head_new(int64_t range_ms);
/* tsdb_head_set_chunk_dir: keep closed chunks in files under dir from now on (see
 * head_chunks.h). Before any append. 0 or LM_E* with err set. */
int tsdb_head_set_chunk_dir(struct tsdb_head *h, const char *dir, struct lm_err *err);
void tsdb_head_free(struct tsdb_head *h);

/* tsdb_head_get_or_create: the series with labels ls (hash = tsdb_head_hash_labels),
 * created when absent (with ref `want` when want != UINT32_MAX, as WAL replay needs;
 * fails with LM_EINVAL if that ref is taken by other labels). *created tells which.
 * Takes the head lock. 0 or LM_ENOMEM/LM_ELABEL/LM_EINVAL. On success the series is
 * pinned (->pending incremented, so GC keeps it): the caller unpins it when done. */
int tsdb_head_get_or_create(struct tsdb_head *h, const struct lbl_set *ls, uint64_t hash,
                            uint32_t want, struct tsdb_series **out, bool *created);
/* tsdb_head_by_ref: the series of index ref, or NULL; takes the read lock. When pin is
 * true ->pending is incremented before the lock is released (so GC keeps it). */
struct tsdb_series *tsdb_head_by_ref(struct tsdb_head *h, uint32_t ref, bool pin);

/* tsdb_head_appendable: may (t, v) be appended to s now? 0, 1 (an exact duplicate: to
 * be ignored) or TSDB_EOUTOFORDER/EDUPLICATE/EOUTOFBOUNDS. Caller holds s's stripe. */
int tsdb_head_appendable(struct tsdb_head *h, const struct tsdb_series *s, int64_t t,
                         uint64_t vbits);
/* tsdb_head_append: append (t, v) to s (checks as _appendable; a duplicate is ignored
 * and returns 0). Caller holds s's stripe. 0, TSDB_E* or LM_ENOMEM. */
int tsdb_head_append(struct tsdb_head *h, struct tsdb_series *s, int64_t t, double v);
/* tsdb_head_stripe: s's stripe mutex. */
pthread_mutex_t *tsdb_head_stripe(struct tsdb_head *h, uint32_t ref);

/* tsdb_head_truncate: drop every chunk that ends before t, raise min_valid and mint to
 * t, then remove series left without samples and not pinned. Returns series removed. */
uint32_t tsdb_head_truncate(struct tsdb_head *h, int64_t t);

/* tsdb_head_labels_view: fill ls (its v points at the n pairs in lv, with borrowed
 * interned strings: never free them) with s's labels. Caller holds the head lock. */
void tsdb_head_labels_view(const struct tsdb_head *h, const struct tsdb_series *s,
                           struct lbl *lv, struct lbl_set *ls);

/* tsdb_head_postings: the refs (sorted) of series matching all n matchers, into *out
 * (owned by the caller, lm_free). With n = 0, every series. Caller holds the read lock.
 * 0 or LM_ENOMEM. */
int tsdb_head_postings(struct tsdb_head *h, const struct lbl_matcher *ms, size_t n,
                       uint32_t **out, size_t *count);

/* A copy of a series' labels and chunks overlapping a range, for reading without
 * locks. Zeroed = empty. */
struct tsdb_hsnap {
    struct lm_buf data;       /* chunk payloads, back to back */
    size_t *off, *len;        /* per chunk: offset and length in data (owned) */
    int64_t *cmaxt;           /* per chunk: last sample time */
    size_t n, cap;            /* chunks */
    struct lbl *lv;           /* label pairs (owned array; interned strings borrowed) */
    size_t lvcap;             /* pairs allocated */
    struct lbl_set ls;        /* the labels, a view over lv (never lbl_set_free it) */
};
/* tsdb_head_snapshot: replace snap's content with the labels and copies of the chunks
 * of series ref that overlap [mint, maxt]. Takes the read lock and the stripe. 0,
 * LM_ENOENT (series gone) or LM_ENOMEM. */
int tsdb_head_snapshot(struct tsdb_head *h, uint32_t ref, int64_t mint, int64_t maxt,
                       struct tsdb_hsnap *snap);
void tsdb_hsnap_free(struct tsdb_hsnap *snap);

/* tsdb_head_series_range: the time range of s's samples; false when it has none.
 * Caller holds the stripe. */
bool tsdb_head_series_range(const struct tsdb_series *s, int64_t *mint, int64_t *maxt);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* tsdb_int.h: the database object shared by tsdb.c (open, close, background cuts),
 * head_append.c (appenders), querier.c and tsdb_stats.c. Private to flint/tsdb. */
#ifndef FLINT_TSDB_INT_H
#define FLINT_TSDB_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "flint/tsdb/blocks.h"
#include "flint/tsdb/head.h"
#include "flint/tsdb/tsdb.h"
#include "flint/tsdb/wal.h"

struct tsdb {
    char *dir;                      /* owned */
    int lockfd;                     /* flock'ed <dir>/lock */
    struct lm_log *log;             /* borrowed */
    int64_t range;                  /* block range, ms */
    int64_t retention_ms;           /* 0: none */
    uint64_t retention_bytes;       /* 0: none */
    struct tsdb_head *head;         /* owned */
    struct tsdb_wal *wal;           /* owned */
    struct tsdb_blocks *blocks;     /* owned */
    pthread_t bg;                   /* background compaction thread */
    bool bg_started;                /* bg must be joined */
    bool stop;                      /* ask bg to end (under bg_mu) */
    pthread_mutex_t bg_mu;          /* stop, bg_cv */
    pthread_cond_t bg_cv;           /* wakes bg */
    pthread_mutex_t cut_mu;         /* one cut / compaction at a time */
    atomic_uint_fast64_t compactions, compactions_failed, head_cuts, cut_failed;
    atomic_uint_fast64_t checkpoints, checkpoint_failed, retentions;
    atomic_uint_fast64_t appenders;         /* open appenders */
    atomic_uint_fast64_t unknown_refs;      /* WAL samples for unknown series (replay) */
    double replay_seconds;                  /* WAL replay duration at open */
    bool wal_compress;                      /* zstd WAL records */
    pthread_mutex_t z_mu;                   /* zpool */
    void *zpool[8];                         /* idle ZSTD_CCtx for commits (owned) */
    size_t nz;
    pthread_mutex_t q_mu;                   /* q_epoch, q_readers, q_cv */
    pthread_cond_t q_cv;                    /* a querier closed */
    uint64_t q_epoch;                       /* bumped by each head cut */
    uint64_t q_readers[2];                  /* open queriers by epoch parity */
};

/* tsdb_head_write_block: write the head's samples in [a, b) (ms, b exclusive) as one
 * level-1 block into bs (db->blocks for a head cut, another set for a snapshot);
 * ulid gets its id (TSDB_BLOCK_ULID_LEN+1 bytes). 0, LM_ENODATA (nothing in range) or
 * LM_E* with err set. The head is not changed. (tsdb.c) */
int tsdb_head_write_block(struct tsdb *db, struct tsdb_blocks *bs, int64_t a, int64_t b,
                          char *ulid, struct lm_err *err);

/* A querier (querier.c, querier_labels.c). */
struct tsdb_q {
    struct tsdb *db;                 /* borrowed */
    uint64_t epoch;                  /* db->q_epoch when opened */
    int64_t mint, maxt;              /* inclusive */
    struct tsdb_blocks_view *bv;     /* owned */
};

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* wal_int.h: the WAL's state, shared by wal.c (writing, checkpoints) and wal_replay.c
 * (reading back). Private to those two files. */
#ifndef FLINT_TSDB_WAL_INT_H
#define FLINT_TSDB_WAL_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "flint/tsdb/wal.h"

struct tsdb_wal_seg {
    uint32_t seq;      /* file number */
    int64_t maxt;      /* newest sample time in it (INT64_MIN: none) */
    uint64_t size;     /* bytes */
};

struct tsdb_wal {
    char *dir;                   /* owned */
    uint64_t seg_max;            /* rotate past this size */
    struct lm_log *log;          /* borrowed */
    pthread_mutex_t mu;          /* fd, segs, sizes */
    pthread_mutex_t ckpt_mu;     /* one checkpoint at a time */
    int fd;                      /* the segment being written, or -1 */
    uint32_t cur_seq;            /* its number */
    uint64_t cur_size;           /* its size */
    struct tsdb_wal_seg *segs;   /* every segment on disk, ascending (owned) */
    size_t nsegs, capsegs;
    bool has_ckpt;               /* a checkpoint exists */
    uint32_t ckpt_seq;           /* its number */
    uint64_t ckpt_bytes;         /* its size */
    atomic_uint_fast64_t corruptions;  /* torn/corrupt tails cut */
};

uint32_t tsdb_wal_crc(uint8_t type, const uint8_t *p, size_t n);
void tsdb_wal_seg_path(const struct tsdb_wal *w, uint32_t seq, char *out, size_t outsz);
int tsdb_wal_seg_push(struct tsdb_wal *w, uint32_t seq, int64_t maxt, uint64_t size);
int tsdb_wal_new_segment(struct tsdb_wal *w, uint32_t seq, struct lm_err *err);
void tsdb_wal_remove_dir(const char *path);

#endif

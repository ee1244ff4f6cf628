/* SPDX-License-Identifier: Apache-2.0 */
/* wal.h: the write-ahead log (format written down in FORMAT-wal.md). Segment files <dir>/00000001, 00000002, ... (at most
 * seg_max bytes each, 128 MiB by default; a record never spans two) hold records
 *     type:1 | len:4 LE | crc:4 LE (CRC-32 of the type byte and the payload) | payload
 * Types: 1 = series (per series: uvarint ref, uvarint n, then n times uvarint len +
 * name bytes, uvarint len + value bytes), 2 = samples (per sample: uvarint ref, varint
 * t (the first raw, then the delta from the previous sample's t), value: 8 bytes LE).
 * With compression on, a record's payload may be a zstd frame instead: its type byte
 * then has TSDB_WAL_ZSTD (0x80) set (replay reads both forms).
 * A commit is one write() of its series records then its samples record; no fsync per
 * commit (the page cache survives a killed process). Replay reads the newest checkpoint
 * (<dir>/checkpoint.N/00000000: series records of the live series when segments <= N
 * were deleted), then the segments after N; a torn or corrupt record cuts its segment
 * there (logged, counted) and replay goes on. Internal to flint/tsdb. Prefix tsdb_wal_. */
#ifndef FLINT_TSDB_WAL_H
#define FLINT_TSDB_WAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flint/labels.h"
#include "lm/buf.h"
#include "lm/err.h"

struct lm_log;

#define TSDB_WAL_SEGMENT_MAX (128UL * 1024 * 1024)
#define TSDB_WAL_HDR 9
#define TSDB_WAL_SERIES 1
#define TSDB_WAL_SAMPLES 2
#define TSDB_WAL_ZSTD 0x80

struct tsdb_wal;

/* tsdb_wal_open: the WAL in dir (created if absent). Nothing is read or written until
 * tsdb_wal_replay. seg_max 0 = TSDB_WAL_SEGMENT_MAX. log borrowed (may be NULL). NULL
 * with err set. */
struct tsdb_wal *tsdb_wal_open(const char *dir, uint64_t seg_max, struct lm_log *log,
                               struct lm_err *err);
/* tsdb_wal_close: flush (fsync) and close; NULL ok. */
void tsdb_wal_close(struct tsdb_wal *w);

struct tsdb_wal_replay_cb {
    void *ctx;
    /* series: a series record (ls borrowed for the call). Nonzero aborts replay. */
    int (*series)(void *ctx, uint32_t ref, const struct lbl_set *ls);
    /* sample: one sample (errors such as out-of-order are the callback's to count). */
    void (*sample)(void *ctx, uint32_t ref, int64_t t, double v);
};

struct tsdb_wal_replay_stats {
    uint64_t segments, records, series, samples, corruptions;
};

/* tsdb_wal_replay: replay the checkpoint and segments through cb, cutting torn or
 * corrupt tails (logged), then open a new segment for writing. 0 or LM_EIO/LM_ENOMEM
 * with err set (the directory cannot be read or the new segment not created). */
int tsdb_wal_replay(struct tsdb_wal *w, const struct tsdb_wal_replay_cb *cb,
                    struct tsdb_wal_replay_stats *st, struct lm_err *err);

/* tsdb_wal_write: append len bytes of whole records, in one write(); maxt is the
 * newest sample time in them (INT64_MIN: none). Thread-safe. 0 or LM_EIO with err set
 * (the segment is cut back to its previous size then, e.g. on ENOSPC). */
int tsdb_wal_write(struct tsdb_wal *w, const void *recs, size_t len, int64_t maxt,
                   struct lm_err *err);

/* tsdb_wal_checkpoint: start a new segment, then, when the oldest segments hold only
 * samples older than t, write checkpoint.N (series records produced by
 * write_series(ctx, out), which appends whole records to out), and delete those
 * segments and older checkpoints. 0 or LM_E* with err set (nothing deleted then). */
int tsdb_wal_checkpoint(struct tsdb_wal *w, int64_t t,
                        int (*write_series)(void *ctx, struct lm_buf *out), void *ctx,
                        struct lm_err *err);

/* tsdb_wal_sync: fdatasync the segment being written, without blocking writers (for
 * the background thread: bounds what a machine crash, not a process crash, can lose). */
void tsdb_wal_sync(struct tsdb_wal *w);

/* tsdb_wal_bytes: bytes in segments and checkpoints. tsdb_wal_corruptions: total cut. */
uint64_t tsdb_wal_bytes(struct tsdb_wal *w);
uint64_t tsdb_wal_corruptions(struct tsdb_wal *w);

/* Record building: _begin reserves a header for a record of type and returns its start;
 * _end fills length and CRC. Between them append the payload with the put helpers. */
size_t tsdb_wal_rec_begin(struct lm_buf *b, uint8_t type);
void tsdb_wal_rec_end(struct lm_buf *b, size_t start);
void tsdb_wal_put_uvarint(struct lm_buf *b, uint64_t x);
void tsdb_wal_put_varint(struct lm_buf *b, int64_t x);
void tsdb_wal_put_u64(struct lm_buf *b, uint64_t x);
/* tsdb_wal_rec_compress: replace the payload of the record that starts at start (the
 * last in b, ended) by its zstd frame when that is smaller; zctx is a ZSTD_CCtx. */
void tsdb_wal_rec_compress(struct lm_buf *b, size_t start, void *zctx);
/* tsdb_wal_put_series: one series entry (ref and labels) in a series record. */
void tsdb_wal_put_series(struct lm_buf *b, uint32_t ref, const struct lbl_set *ls);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* blocks.h: flint's persisted, immutable, memory-mapped blocks (internal to flint/tsdb):
 * the set of blocks in a data dir, writing a block from a series source, refcounted
 * read views that yield series sorted by labels (merged across blocks) with postings and
 * matchers, compaction into 3x larger ranges, retention by time and size, stats.
 * The on-disk format is described in flint/tsdb/FORMAT-blocks.md. Prefix tsdb_blocks_ /
 * tsdb_block_ / tsdb_bss_ / tsdb_bit_.
 *
 * Threads: a struct tsdb_blocks has its own lock; views, selects and iterators are used
 * by one thread each but any number may exist at once. A view keeps the blocks it saw
 * (and their mmaps) alive even after compaction or retention removed them from the set. */
#ifndef FLINT_TSDB_BLOCKS_H
#define FLINT_TSDB_BLOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flint/labels.h"
#include "lm/err.h"

struct lm_log;

#define TSDB_BLOCK_RANGE_MS (2 * 3600 * 1000LL)  /* the smallest block range: 2 h */
#define TSDB_BLOCK_ULID_LEN 26                    /* Crockford base32 ULID */
#define TSDB_BLOCK_CHUNK_SAMPLES 1024             /* max samples per chunk in a block */

struct tsdb_blocks;

/* ---- the set of blocks in a dir ---------------------------------------------- */

/* tsdb_blocks_open: load every block directory in dir (created if absent). A block that
 * fails to open (bad meta, index or chunks: CRC, bounds) is logged on log (borrowed,
 * may be NULL, must outlive the set) and left out, not fatal. Leftover "*.tmp" dirs are
 * removed, and so are blocks that a newer compacted block names as its sources. Owned
 * by the caller; NULL with err set when dir cannot be created or read. */
struct tsdb_blocks *tsdb_blocks_open(const char *dir, struct lm_log *log,
                                     struct lm_err *err);
/* tsdb_blocks_close: drop the set's references (views still open keep their blocks). */
void tsdb_blocks_close(struct tsdb_blocks *bs);

struct tsdb_blocks_stats {
    uint64_t blocks;       /* number of blocks */
    uint64_t bytes;        /* bytes on disk (index + chunks + meta) */
    uint64_t series, samples, chunks;  /* summed over blocks */
    int64_t min_time;      /* oldest sample, ms; INT64_MAX when there is no block */
    int64_t max_time;      /* newest sample, ms; INT64_MIN when there is no block */
};
void tsdb_blocks_stats(struct tsdb_blocks *bs, struct tsdb_blocks_stats *st);

/* ---- writing a block ----------------------------------------------------------- */

/* A series source for the writer. Series may come in ANY order (the writer sorts them
 * by lbl_set_cmp); the same label set twice is LM_EINVAL. Samples of a series must be
 * strictly ascending in time; samples outside [mint, maxt) of the block are dropped. */
struct tsdb_block_src {
    void *ctx;
    /* next_series: advance to the next series and set *ls (borrowed until the next
     * call). 1 = a series, 0 = the end, < 0 = an LM_E* error (aborts the write). */
    int (*next_series)(void *ctx, const struct lbl_set **ls);
    /* next_sample: the next sample of the current series; false at its end. */
    bool (*next_sample)(void *ctx, int64_t *t, double *v);
};

/* tsdb_blocks_write: write a block of the samples in [mint, maxt) (ms; maxt exclusive as
 * in Prometheus's meta.json) from src into bs's dir (tmp dir, fsync, rename) and add it
 * to the set. level is the compaction level (1 for a block cut from the head or an
 * import). On success, ulid_out (when not NULL, TSDB_BLOCK_ULID_LEN+1 bytes) gets the
 * new block's id. A source with no sample in range writes nothing and returns LM_ENODATA.
 * 0 or LM_E* with err set (LM_EIO, LM_ENOMEM, LM_EINVAL). */
int tsdb_blocks_write(struct tsdb_blocks *bs, int64_t mint, int64_t maxt, int level,
                      const struct tsdb_block_src *src, char *ulid_out,
                      struct lm_err *err);

/* ---- reading: views, series sets, iterators ------------------------------------ */

struct tsdb_blocks_view;  /* refcounted snapshot of the blocks overlapping a range */
struct tsdb_bss;          /* series matching matchers, sorted by labels */
struct tsdb_bit;          /* samples of one series, ascending, merged across blocks */

/* tsdb_blocks_view: the blocks overlapping [mint, maxt] (inclusive). Owned by the
 * caller: free with tsdb_blocks_view_free (after freeing its series sets). NULL on
 * ENOMEM. */
struct tsdb_blocks_view *tsdb_blocks_view(struct tsdb_blocks *bs, int64_t mint,
                                          int64_t maxt);
void tsdb_blocks_view_free(struct tsdb_blocks_view *v);
/* tsdb_blocks_view_count: how many blocks the view holds (0: select gives nothing). */
size_t tsdb_blocks_view_count(const struct tsdb_blocks_view *v);

/* tsdb_blocks_select: series of the view matching all n matchers (n = 0: every series;
 * unlike tsdb_q_select, matchers that all match "" are allowed here), with at least one
 * sample in the view's range, sorted by lbl_set_cmp, each label set once even when it
 * is in several blocks. Owned by the caller (tsdb_bss_free). NULL with err set. */
struct tsdb_bss *tsdb_blocks_select(struct tsdb_blocks_view *v, const struct lbl_matcher *ms,
                                    size_t n, struct lm_err *err);
/* tsdb_bss_next: advance; false at the end. */
bool tsdb_bss_next(struct tsdb_bss *ss);
/* tsdb_bss_labels: the current series (borrowed until the next _next). */
const struct lbl_set *tsdb_bss_labels(const struct tsdb_bss *ss);
/* tsdb_bss_iter: an iterator over the current series' samples within the view's range
 * (borrowed, valid until the next _next; each call restarts it). Samples present in
 * several blocks (overlap) come once (the first block's value wins). */
struct tsdb_bit *tsdb_bss_iter(struct tsdb_bss *ss);
/* tsdb_bss_err: 0, or LM_ENOMEM when _next or an iterator stopped early for lack of
 * memory (the results are then incomplete). */
int tsdb_bss_err(const struct tsdb_bss *ss);
void tsdb_bss_free(struct tsdb_bss *ss);

/* tsdb_bit_next: the next sample; false at the end or on ENOMEM (tsdb_bss_err). A
 * corrupt chunk (CRC or format) is skipped. */
bool tsdb_bit_next(struct tsdb_bit *it, int64_t *t, double *v);
/* tsdb_bit_seek: advance to the first sample with time >= t (never backwards). */
bool tsdb_bit_seek(struct tsdb_bit *it, int64_t t, int64_t *ts, double *v);

/* tsdb_blocks_label_names / _label_values: sorted distinct names (values of name) of the
 * view's series that match ms (n = 0: all), found through the postings. *out: *count
 * strings owned by the caller (free each with lm_free, then the array; or
 * tsdb_strv_free from tsdb.h). 0 or LM_E* with err set. */
int tsdb_blocks_label_names(struct tsdb_blocks_view *v, const struct lbl_matcher *ms,
                            size_t n, char ***out, size_t *count, struct lm_err *err);
int tsdb_blocks_label_values(struct tsdb_blocks_view *v, const char *name,
                             const struct lbl_matcher *ms, size_t n, char ***out,
                             size_t *count, struct lm_err *err);

/* ---- compaction and retention -------------------------------------------------- */

/* tsdb_blocks_compact: merge blocks into the exponential ranges base*3, base*9, ...
 * (base = block_range_ms, 0 = 2 h) up to max_range_ms (0 = 31 d): a group of >= 2 blocks
 * that lies inside one aligned range and whose range ends at or before the newest
 * block's max time is rewritten as one block (re-encoded, overlapping samples merged),
 * then the old blocks are removed (views holding them keep reading). Repeats until
 * nothing qualifies; concurrent calls wait for each other, while writes, views and
 * retention go on. *ncompacted (may be NULL) gets the number of new blocks.
 * 0 or LM_E* with err set (the set is unchanged on failure). */
int tsdb_blocks_compact(struct tsdb_blocks *bs, int64_t block_range_ms, int64_t max_range_ms,
                        unsigned *ncompacted, struct lm_err *err);

/* tsdb_blocks_retention: delete whole blocks, oldest first: those whose max time is
 * older than (the newest block's max time - retention_ms) (retention_ms <= 0: no time
 * limit), then while the blocks' bytes + extra_bytes (the caller's WAL and head chunk
 * bytes) exceed retention_bytes (0: no size limit). Returns the number deleted. */
unsigned tsdb_blocks_retention(struct tsdb_blocks *bs, int64_t retention_ms,
                               uint64_t retention_bytes, uint64_t extra_bytes);

/* tsdb_blocks_retention_at: as above with time measured against now_ms instead (e.g.
 * the head's max time), so blocks older than now_ms - retention_ms go. */
unsigned tsdb_blocks_retention_at(struct tsdb_blocks *bs, int64_t now_ms, int64_t retention_ms,
                                  uint64_t retention_bytes, uint64_t extra_bytes);

#endif

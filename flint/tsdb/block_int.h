/* SPDX-License-Identifier: Apache-2.0 */
/* block_int.h: private to the block files (block_*.c, compact.c, retention.c, import.c,
 * analyze.c): one open block (mmapped index + chunks), the block chunk codecs, the
 * index writer/reader helpers. Not for tsdb-head's files: they use blocks.h. */
#ifndef FLINT_TSDB_BLOCK_INT_H
#define FLINT_TSDB_BLOCK_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flint/labels.h"
#include "flint/tsdb/blocks.h"
#include "lm/buf.h"
#include "lm/err.h"

/* ---- chunk encodings inside a block's chunks file ---- */
#define TSDB_BENC_XOR 1       /* Prometheus XOR payload (chunk.h) */
#define TSDB_BENC_COL 2       /* flint columnar, uncompressed */
#define TSDB_BENC_COLZ 3      /* flint columnar, uvarint raw length + zstd frame */
#define TSDB_BCHUNK_MAX_RAW (4u << 20)   /* cap on a decompressed chunk */

/* tsdb_bchunk_encode: append the best encoding of n (1..65535) samples to out, as
 * "enc:1 | len:uvarint | payload"; the caller adds the CRC. zctx is a ZSTD_CCtx * (NULL:
 * never compress). 0 or LM_ENOMEM/LM_ETOOBIG (out's sticky error). */
int tsdb_bchunk_encode(const int64_t *ts, const double *vs, size_t n, void *zctx,
                       struct lm_buf *out);
/* tsdb_bchunk_decode: decode a payload of encoding enc into ts/vs (room for cap samples;
 * scratch is a reusable buffer for decompression; dctx a ZSTD_DCtx *). The number of
 * samples, -1 when the bytes are malformed (never reads outside p[0..len)), -2 when
 * scratch cannot grow (out of memory). */
long tsdb_bchunk_decode(uint8_t enc, const uint8_t *p, size_t len, int64_t *ts, double *vs,
                        size_t cap, struct lm_buf *scratch, void *dctx);

/* varints shared by the block files: each returns bytes read, 0 on malformed/short */
size_t tsdb_get_uvarint(const uint8_t *p, size_t len, uint64_t *out);
size_t tsdb_get_varint(const uint8_t *p, size_t len, int64_t *out);
void tsdb_put_uvarint(struct lm_buf *b, uint64_t x);
void tsdb_put_varint(struct lm_buf *b, int64_t x);

/* ---- one open block ---- */
struct tsdb_chunk_meta {
    int64_t mint, maxt;   /* inclusive sample times */
    uint64_t ref;         /* offset of the chunk record in the chunks file */
    uint32_t n;           /* samples */
};

struct tsdb_block {
    atomic_int refs;          /* the set's reference + one per view */
    char ulid[TSDB_BLOCK_ULID_LEN + 1];
    char *dir;                /* owned: the block's directory */
    int64_t mint, maxt;       /* meta.json minTime (incl.), maxTime (excl.) */
    int level;                /* compaction level */
    uint64_t nseries, nsamples, nchunks, bytes;
    char **sources;           /* owned: parent ULIDs (compaction sources) */
    size_t nsources;
    const uint8_t *ix;        /* mmapped index */
    size_t ixlen;
    const uint8_t *ck;        /* mmapped chunks */
    size_t cklen;
    /* parsed index sections (views into ix) */
    uint32_t nsyms;
    const uint8_t *symoff;    /* u32 LE [nsyms+1] offsets into symdata */
    const uint8_t *symdata;
    size_t symdatalen;
    const uint8_t *seroff;    /* u64 LE [nseries] offsets into serdata */
    const uint8_t *serdata;
    size_t serdatalen;
    uint32_t npost;           /* postings table entries */
    const uint8_t *posttab;   /* per entry: name u32, value u32, off u64, n u32 (20 B) */
    const uint8_t *postdata;  /* u32 LE series ids */
    size_t postdatalen;
    _Atomic(char *) symstr;   /* owned: NUL-terminated symbols, built by the first
                               * tsdb_block_series_view (block_read.c), or b itself
                               * when the table is unusable */
    bool deleted;             /* rm -rf the dir when the last reference goes */
    bool borrowed;            /* ix/ck are the caller's (tsdb_block_from_mem), not mmaps */
};

/* tsdb_block_open: open the block in dir (copied). NULL with err set (corrupt). */
struct tsdb_block *tsdb_block_open(const char *dir, struct lm_err *err);
/* tsdb_block_from_mem: a block over borrowed index and chunks bytes (no meta.json;
 * for the fuzz target and tests). NULL with err set when they do not parse. */
struct tsdb_block *tsdb_block_from_mem(const uint8_t *ix, size_t ixlen, const uint8_t *ck,
                                       size_t cklen, struct lm_err *err);
void tsdb_block_ref(struct tsdb_block *b);
void tsdb_block_unref(struct tsdb_block *b);
/* tsdb_block_sym: symbol i (borrowed from the mmap, *len bytes) or NULL if out of range. */
const char *tsdb_block_sym(const struct tsdb_block *b, uint32_t i, size_t *len);
/* tsdb_block_series: decode series id's labels into ls (copied) and its chunk metas
 * (*metas grown with lm_realloc, *nmeta set). 0 or LM_EIO (corrupt) / LM_ENOMEM. */
int tsdb_block_series(const struct tsdb_block *b, uint32_t id, struct lbl_set *ls,
                      struct tsdb_chunk_meta **metas, size_t *nmeta, size_t *capmeta);
/* tsdb_block_series_view: as tsdb_block_series, but ls is a view: its array is grown
 * with lm_realloc (the caller frees ls->v with lm_free, never lbl_set_free) and its names
 * and values are borrowed from the block (valid while the block is referenced). */
int tsdb_block_series_view(const struct tsdb_block *b, uint32_t id, struct lbl_set *ls,
                           struct tsdb_chunk_meta **metas, size_t *nmeta, size_t *capmeta);
/* tsdb_block_chunk: the chunk record at ref: its encoding and payload (borrowed from
 * the mmap). false when out of bounds or the CRC does not match. */
bool tsdb_block_chunk(const struct tsdb_block *b, uint64_t ref, uint8_t *enc,
                      const uint8_t **p, size_t *len);
/* tsdb_block_postings: the series ids (u32 LE, sorted) of name=value: *ids points into
 * the mmap, *n ids. false when absent. */
bool tsdb_block_postings(const struct tsdb_block *b, const char *name, const char *value,
                         const uint8_t **ids, uint32_t *n);
/* tsdb_block_name_range: the postings table entries [*lo, *hi) of label name. */
void tsdb_block_name_range(const struct tsdb_block *b, const char *name, uint32_t *lo,
                           uint32_t *hi);
/* tsdb_block_post_entry: entry i of the postings table: name/value symbols, ids. */
bool tsdb_block_post_entry(const struct tsdb_block *b, uint32_t i, uint32_t *name,
                           uint32_t *value, const uint8_t **ids, uint32_t *n);
/* tsdb_block_match: sorted series ids (owned, lm_free) matching all matchers (n = 0:
 * all). 0 or LM_ENOMEM. */
int tsdb_block_match(const struct tsdb_block *b, const struct lbl_matcher *ms, size_t n,
                     uint32_t **ids, size_t *count);

static inline uint32_t
tsdb_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t
tsdb_rd64(const uint8_t *p)
{
    return (uint64_t)tsdb_rd32(p) | (uint64_t)tsdb_rd32(p + 4) << 32;
}

/* ---- the set ---- */
struct tsdb_blocks {
    pthread_mutex_t mu;        /* guards v, n, cap */
    pthread_mutex_t compact_mu; /* one compaction at a time */
    char *dir;                 /* owned */
    struct lm_log *log;        /* borrowed */
    struct tsdb_block **v;     /* sorted by mint, one reference each */
    size_t n, cap;
};

/* tsdb_blocks_add: insert b (takes the caller's reference) in mint order. 0/LM_ENOMEM. */
int tsdb_blocks_add(struct tsdb_blocks *bs, struct tsdb_block *b);
/* tsdb_blocks_remove: drop b from the set and mark it deleted (dir removed at last unref). */
void tsdb_blocks_remove(struct tsdb_blocks *bs, struct tsdb_block *b);
/* tsdb_blocks_view_of: a view over exactly the blocks g[0..n) (each referenced; the
 * caller keeps its own references). NULL on ENOMEM. */
struct tsdb_blocks_view *tsdb_blocks_view_of(struct tsdb_block *const *g, size_t n,
                                             int64_t mint, int64_t maxt);
/* tsdb_block_ulid_new: a fresh ULID (time ms + 80 random bits) into out[27]. */
void tsdb_block_ulid_new(char *out);
/* tsdb_rm_rf: remove a directory tree (best effort). */
void tsdb_rm_rf(const char *path);

/* tsdb_block_write_dir: write a complete block into parent/<ulid> via a tmp dir
 * (meta, index, chunks; fsync; rename). sources: parent ULIDs for meta.json. The new
 * block dir path is stored in *out_dir (owned). LM_ENODATA when there is no sample. */
int tsdb_block_write_dir(const char *parent, int64_t mint, int64_t maxt, int level,
                         const char *const *sources, size_t nsources,
                         const struct tsdb_block_src *src, char *ulid_out, char **out_dir,
                         struct lm_err *err);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* flint_block.c: libFuzzer target for the block reader (flint/tsdb/block_read.c,
 * block_query.c, block_chunk.c). Input: index length (u32 LE), index bytes, chunks
 * bytes. The harness repairs the index section CRCs so mutations reach the section
 * parsers, then reads every series, chunk and postings entry, runs matchers, a merged
 * select and label queries, and decodes the chunks bytes directly with each codec.
 * Nothing may crash, hang or read out of bounds. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "flint/tsdb/block_int.h"
#include "lm/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* fix_crcs: recompute section and TOC CRCs where the TOC points in bounds. */
static void
fix_crcs(uint8_t *ix, size_t len)
{
    const size_t toclen = 68;
    if (len < 8 + toclen)
        return;
    uint8_t *toc = ix + len - toclen;
    for (int s = 0; s < 3; s++) {
        uint64_t off = tsdb_rd64(toc + s * 20), l = tsdb_rd64(toc + s * 20 + 8);
        if (off <= len && l <= len - off)
            put32(toc + s * 20 + 16, (uint32_t)crc32(0, ix + off, (uInt)l));
    }
    put32(toc + 60, (uint32_t)crc32(0, toc, 60));
}

static void
walk(struct tsdb_block *b, const struct lbl_matcher *ms, size_t nms)
{
    struct lbl_set ls = {0};
    struct tsdb_chunk_meta *metas = NULL;
    size_t nmeta = 0, capmeta = 0;
    for (uint32_t id = 0; id < b->nseries && id < 4096; id++) {
        if (tsdb_block_series(b, id, &ls, &metas, &nmeta, &capmeta) != 0)
            continue;
        for (size_t k = 0; k < nmeta && k < 64; k++) {
            uint8_t enc;
            const uint8_t *p;
            size_t len;
            (void)tsdb_block_chunk(b, metas[k].ref, &enc, &p, &len);
        }
    }
    lbl_set_free(&ls);
    lm_free(metas);
    for (size_t i = 0; i <= nms; i++) {
        uint32_t *ids;
        size_t n;
        if (tsdb_block_match(b, ms, i, &ids, &n) == 0)
            lm_free(ids);
    }
    struct tsdb_block *g[1] = {b};
    struct tsdb_blocks_view *v = tsdb_blocks_view_of(g, 1, INT64_MIN, INT64_MAX);
    if (!v)
        return;
    struct lm_err err;
    struct tsdb_bss *ss = tsdb_blocks_select(v, ms, 1, &err);
    for (int s = 0; ss && s < 256 && tsdb_bss_next(ss); s++) {
        struct tsdb_bit *it = tsdb_bss_iter(ss);
        int64_t t;
        double val;
        for (int k = 0; k < 100000 && tsdb_bit_next(it, &t, &val); k++)
            ;
        it = tsdb_bss_iter(ss);
        (void)tsdb_bit_seek(it, 1000, &t, &val);
    }
    tsdb_bss_free(ss);
    char **out;
    size_t n;
    if (tsdb_blocks_label_names(v, NULL, 0, &out, &n, &err) == 0) {
        for (size_t i = 0; i < n; i++)
            lm_free(out[i]);
        lm_free(out);
    }
    if (tsdb_blocks_label_values(v, "job", ms, nms, &out, &n, &err) == 0) {
        for (size_t i = 0; i < n; i++)
            lm_free(out[i]);
        lm_free(out);
    }
    tsdb_blocks_view_free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct lbl_matcher ms[3];
    static int init;
    if (!init) {
        struct lm_err e;
        lbl_matcher_init(&ms[0], LBL_MATCH_RE, "__name__", ".+", &e);
        lbl_matcher_init(&ms[1], LBL_MATCH_NEQ, "job", "x", &e);
        lbl_matcher_init(&ms[2], LBL_MATCH_RE, "instance", "a|", &e);
        init = 1;
    }
    if (size < 4)
        return 0;
    size_t ixlen = tsdb_rd32(data);
    if (ixlen > size - 4)
        ixlen = size - 4;
    uint8_t *ix = malloc(ixlen ? ixlen : 1), *ck = malloc(size - 4 - ixlen + 1);
    if (!ix || !ck) {
        free(ix);
        free(ck);
        return 0;
    }
    memcpy(ix, data + 4, ixlen);
    memcpy(ck, data + 4 + ixlen, size - 4 - ixlen);
    size_t cklen = size - 4 - ixlen;
    fix_crcs(ix, ixlen);
    struct lm_err err;
    struct tsdb_block *b = tsdb_block_from_mem(ix, ixlen, ck, cklen, &err);
    if (b) {
        walk(b, ms, 3);
        tsdb_block_unref(b);
    }
    /* the chunk codecs on the raw chunks bytes */
    static int64_t ts[65536];
    static double vs[65536];
    struct lm_buf scratch;
    lm_buf_init(&scratch, TSDB_BCHUNK_MAX_RAW + 1);
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    for (uint8_t enc = TSDB_BENC_XOR; dc && enc <= TSDB_BENC_COLZ && cklen > 0; enc++)
        (void)tsdb_bchunk_decode(enc, ck, cklen, ts, vs, 65536, &scratch, dc);
    ZSTD_freeDCtx(dc);
    lm_buf_cleanup(&scratch);
    free(ix);
    free(ck);
    return 0;
}

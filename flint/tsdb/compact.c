/* SPDX-License-Identifier: Apache-2.0 */
/* compact.c: block compaction. Plans as Prometheus's leveled compactor: ranges of
 * base*3^k; blocks that overlap in time are merged first (vertical compaction); then a
 * group of >= 2 blocks inside one aligned range is merged when it spans the range or the
 * range lies before the newest block (which is never a candidate). The new block is
 * written from a merged view over the group (re-encoded into long chunks), opened,
 * added, and only then the old blocks are removed; views that hold them keep reading. */
#include <string.h>

#include "flint/tsdb/block_int.h"
#include "lm/alloc.h"
#include "lm/log.h"

#define DEFAULT_MAX_RANGE_MS (31LL * 24 * 3600 * 1000)

struct msrc {
    struct tsdb_bss *ss;
    struct tsdb_bit *it;
};

static int
msrc_next_series(void *ctx, const struct lbl_set **ls)
{
    struct msrc *m = ctx;
    if (!tsdb_bss_next(m->ss))
        return 0;
    *ls = tsdb_bss_labels(m->ss);
    m->it = tsdb_bss_iter(m->ss);
    return 1;
}

static bool
msrc_next_sample(void *ctx, int64_t *t, double *v)
{
    struct msrc *m = ctx;
    return tsdb_bit_next(m->it, t, v);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* compact_group: merge g[0..n) (references held by the caller) into one block. */
static int
compact_group(struct tsdb_blocks *bs, struct tsdb_block **g, size_t n, struct lm_err *err)
{
    int64_t mint = g[0]->mint, maxt = g[0]->maxt;
    int level = 0;
    const char *src[64];
    size_t nsrc = 0;
    for (size_t i = 0; i < n; i++) {
        if (g[i]->mint < mint)
            mint = g[i]->mint;
        if (g[i]->maxt > maxt)
            maxt = g[i]->maxt;
        if (g[i]->level > level)
            level = g[i]->level;
        if (nsrc < 64)
            src[nsrc++] = g[i]->ulid;
    }
    struct tsdb_blocks_view *vp = tsdb_blocks_view_of(g, n, mint, maxt - 1);
    struct tsdb_bss *ss = vp ? tsdb_blocks_select(vp, NULL, 0, err) : NULL;
    if (!ss) {
        tsdb_blocks_view_free(vp);
        return lm_err_set(err, LM_ENOMEM, bs->dir, "out of memory compacting");
    }
    struct msrc m = {ss, NULL};
    struct tsdb_block_src s = {&m, msrc_next_series, msrc_next_sample};
    char *dir = NULL;
    char ulid[TSDB_BLOCK_ULID_LEN + 1];
    int rc = tsdb_block_write_dir(bs->dir, mint, maxt, level + 1, src, nsrc, &s, ulid, &dir, err);
    tsdb_bss_free(ss);
    tsdb_blocks_view_free(vp);
    if (rc == LM_ENODATA)
        rc = 0; /* nothing left: just drop the old blocks */
    else if (rc != 0)
        return rc;
    if (dir) {
        struct tsdb_block *nb = tsdb_block_open(dir, err);
        lm_free(dir);
        if (!nb)
            return err ? err->code : LM_EIO;
        if (tsdb_blocks_add(bs, nb) != 0) {
            tsdb_block_unref(nb);
            return lm_err_set(err, LM_ENOMEM, bs->dir, "out of memory");
        }
        lm_info(bs->log, "compacted blocks", "block", ulid, NULL);
    }
    for (size_t i = 0; i < n; i++)
        tsdb_blocks_remove(bs, g[i]);
    return 0;
}

/* plan: pick the next group into g (referenced); its size, 0 when nothing to do. */
static size_t
plan(struct tsdb_blocks *bs, int64_t base, int64_t maxr, struct tsdb_block **g, size_t cap)
{
    size_t ng = 0;
    pthread_mutex_lock(&bs->mu);
    /* 1. overlapping blocks */
    for (size_t i = 0; i + 1 < bs->n && ng == 0; i++) {
        int64_t end = bs->v[i]->maxt;
        size_t j = i + 1;
        while (j < bs->n && bs->v[j]->mint < end) {
            if (bs->v[j]->maxt > end)
                end = bs->v[j]->maxt;
            j++;
        }
        if (j - i > 1)
            for (size_t k = i; k < j && ng < cap; k++)
                g[ng++] = bs->v[k];
    }
    /* 2. leveled ranges, the newest block excluded */
    if (ng == 0 && bs->n > 1) {
        size_t last = 0;
        for (size_t i = 1; i < bs->n; i++)
            if (bs->v[i]->mint > bs->v[last]->mint)
                last = i;
        int64_t high = bs->v[last]->mint;
        for (int64_t r = base * 3; r <= maxr && ng == 0; r *= 3) {
            for (size_t i = 0; i < bs->n && ng == 0;) {
                if (i == last) {
                    i++;
                    continue;
                }
                int64_t s = floor_div(bs->v[i]->mint, r) * r;
                size_t j = i;
                int64_t mint = bs->v[i]->mint, maxt = bs->v[i]->maxt;
                bool fits = true;
                ng = 0;
                while (j < bs->n && bs->v[j]->mint < s + r) {
                    if (j != last) {
                        fits = fits && bs->v[j]->maxt <= s + r;
                        if (bs->v[j]->maxt > maxt)
                            maxt = bs->v[j]->maxt;
                        if (ng < cap)
                            g[ng++] = bs->v[j];
                    }
                    j++;
                }
                if (!(fits && ng > 1 && (maxt - mint == r || s + r <= high)))
                    ng = 0;
                i = j > i ? j : i + 1;
            }
        }
    }
    for (size_t i = 0; i < ng; i++)
        tsdb_block_ref(g[i]);
    pthread_mutex_unlock(&bs->mu);
    return ng;
}

int
tsdb_blocks_compact(struct tsdb_blocks *bs, int64_t block_range_ms, int64_t max_range_ms,
                    unsigned *ncompacted, struct lm_err *err)
{
    int64_t base = block_range_ms > 0 ? block_range_ms : TSDB_BLOCK_RANGE_MS;
    int64_t maxr = max_range_ms > 0 ? max_range_ms : DEFAULT_MAX_RANGE_MS;
    unsigned done = 0;
    int rc = 0;
    struct tsdb_block *g[64];
    size_t ng;
    pthread_mutex_lock(&bs->compact_mu);
    while (rc == 0 && (ng = plan(bs, base, maxr, g, 64)) > 0) {
        rc = compact_group(bs, g, ng, err);
        for (size_t i = 0; i < ng; i++)
            tsdb_block_unref(g[i]);
        if (rc == 0)
            done++;
    }
    pthread_mutex_unlock(&bs->compact_mu);
    if (ncompacted)
        *ncompacted = done;
    return rc;
}

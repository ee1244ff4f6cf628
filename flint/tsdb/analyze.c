/* SPDX-License-Identifier: Apache-2.0 */
/* analyze.c: `flint tsdb analyze [--limit=20] [DIR] [BLOCK_ID]`, as `promtool tsdb
 * analyze`: for one block (the newest by default) its series, label names, postings,
 * churn, most common label pairs, longest and highest-cardinality labels and metric
 * names; plus what promtool does not show: chunks per encoding and bytes per sample,
 * for the block and for all blocks of the dir. Read-only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flint/tsdb/block_int.h"
#include "flint/tsdb/tsdb_cli.h"
#include "lm/alloc.h"

struct stat_ent {
    char *name;          /* owned */
    uint64_t v;
};

struct stat_list {
    struct stat_ent *v;
    size_t n, cap;
};

/* stat_add: add v to the entry named name[0..len) (created). 0 or LM_ENOMEM. Linear
 * search from the end: callers add in sorted name order, so hits are at the end. */
static int
stat_add(struct stat_list *l, const char *name, size_t len, uint64_t v, bool find)
{
    if (find && l->n > 0 && strlen(l->v[l->n - 1].name) == len &&
        memcmp(l->v[l->n - 1].name, name, len) == 0) {
        l->v[l->n - 1].v += v;
        return 0;
    }
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 64;
        struct stat_ent *nv = lm_realloc(l->v, ncap * sizeof(*nv));
        if (!nv)
            return LM_ENOMEM;
        l->v = nv;
        l->cap = ncap;
    }
    if (!(l->v[l->n].name = lm_strndup(name, len)))
        return LM_ENOMEM;
    l->v[l->n++].v = v;
    return 0;
}

static int
cmp_desc(const void *a, const void *b)
{
    const struct stat_ent *x = a, *y = b;
    if (x->v != y->v)
        return x->v > y->v ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int
cmp_name(const void *a, const void *b)
{
    return strcmp(((const struct stat_ent *)a)->name, ((const struct stat_ent *)b)->name);
}

static void
stat_print(struct stat_list *l, const char *title, size_t limit)
{
    printf("%s:\n", title);
    if (l->n > 1)
        qsort(l->v, l->n, sizeof(*l->v), cmp_desc);
    for (size_t i = 0; i < l->n && i < limit; i++)
        printf("%llu %s\n", (unsigned long long)l->v[i].v, l->v[i].name);
    printf("\n");
}

static void
stat_free(struct stat_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        lm_free(l->v[i].name);
    lm_free(l->v);
    memset(l, 0, sizeof(*l));
}

/* pair_name: "name=value" for postings entry syms. */
static int
pair_name(const struct tsdb_block *b, uint32_t n, uint32_t v, char *out, size_t sz)
{
    size_t nl, vl;
    const char *ns = tsdb_block_sym(b, n, &nl), *vs = tsdb_block_sym(b, v, &vl);
    if (!ns || !vs)
        return -1;
    return snprintf(out, sz, "%.*s=%.*s", (int)nl, ns, (int)vl, vs);
}

/* churn: per label pair and name, the block time not covered by each series, in units
 * of the block duration (promtool's "most involved in churning"). */
static int
churn(const struct tsdb_block *b, struct stat_list *pairs, struct stat_list *names,
      uint64_t enc_count[4])
{
    struct lbl_set ls = {0};
    struct tsdb_chunk_meta *metas = NULL;
    size_t nmeta = 0, capmeta = 0;
    int rc = 0;
    uint64_t dur = (uint64_t)(b->maxt - b->mint);
    char buf[4096];
    for (uint32_t id = 0; id < b->nseries && rc == 0; id++) {
        if (tsdb_block_series(b, id, &ls, &metas, &nmeta, &capmeta) != 0 || nmeta == 0)
            continue;
        for (size_t k = 0; k < nmeta; k++) {
            uint8_t enc;
            const uint8_t *p;
            size_t len;
            if (tsdb_block_chunk(b, metas[k].ref, &enc, &p, &len))
                enc_count[enc < 4 ? enc : 0]++;
            else
                enc_count[0]++;
        }
        uint64_t cov = (uint64_t)(metas[nmeta - 1].maxt - metas[0].mint);
        uint64_t unc = dur > cov ? dur - cov : 0;
        if (unc == 0)
            continue;
        for (size_t j = 0; j < ls.n && rc == 0; j++) {
            int n = snprintf(buf, sizeof(buf), "%s=%s", ls.v[j].name, ls.v[j].value);
            size_t l = n < 0 ? 0 : (size_t)n >= sizeof(buf) ? sizeof(buf) - 1 : (size_t)n;
            rc = stat_add(pairs, buf, l, unc, false);
            if (rc == 0)
                rc = stat_add(names, ls.v[j].name, strlen(ls.v[j].name), unc, false);
        }
    }
    lbl_set_free(&ls);
    lm_free(metas);
    /* merge duplicates: sort by name, sum, then scale to block durations */
    struct stat_list *ls2[2] = {pairs, names};
    for (int w = 0; w < 2; w++) {
        struct stat_list *l = ls2[w];
        if (l->n > 1)
            qsort(l->v, l->n, sizeof(*l->v), cmp_name);
        size_t k = 0;
        for (size_t i = 0; i < l->n; i++) {
            if (k > 0 && strcmp(l->v[k - 1].name, l->v[i].name) == 0) {
                l->v[k - 1].v += l->v[i].v;
                lm_free(l->v[i].name);
                continue;
            }
            l->v[k++] = l->v[i];
        }
        l->n = k;
        for (size_t i = 0; i < l->n; i++)
            l->v[i].v = dur ? l->v[i].v / dur : 0;
    }
    return rc;
}

/* analyze_block: promtool's report for one block, then flint's chunk figures. */
static int
analyze_block(const struct tsdb_block *b, size_t limit)
{
    struct stat_list common = {0}, vlen = {0}, card = {0}, metric = {0}, cpairs = {0},
                     cnames = {0};
    uint64_t entries = 0, names = 0, encs[4] = {0};
    char buf[4096];
    int rc = 0;
    for (uint32_t e = 0; e < b->npost && rc == 0; e++) {
        uint32_t n, v, cnt;
        const uint8_t *ids;
        size_t nl, vl;
        if (!tsdb_block_post_entry(b, e, &n, &v, &ids, &cnt))
            continue;
        const char *ns = tsdb_block_sym(b, n, &nl), *vs = tsdb_block_sym(b, v, &vl);
        if (!ns || !vs)
            continue;
        entries += cnt;
        int w = pair_name(b, n, v, buf, sizeof(buf));
        if (w > 0)
            rc = stat_add(&common, buf, (size_t)w < sizeof(buf) ? (size_t)w : sizeof(buf) - 1,
                          cnt, false);
        size_t before = card.n;
        if (rc == 0)
            rc = stat_add(&card, ns, nl, 1, true);
        if (rc == 0)
            rc = stat_add(&vlen, ns, nl, vl, true);
        names += card.n > before;
        if (rc == 0 && nl == strlen(LBL_METRIC_NAME) && memcmp(ns, LBL_METRIC_NAME, nl) == 0)
            rc = stat_add(&metric, vs, vl, cnt, false);
    }
    if (rc == 0)
        rc = churn(b, &cpairs, &cnames, encs);
    if (rc == 0) {
        char dur[64];
        int64_t ms = b->maxt - b->mint;
        snprintf(dur, sizeof(dur), "%lldh%lldm%llds", (long long)(ms / 3600000),
                 (long long)(ms / 60000 % 60), (long long)(ms / 1000 % 60));
        printf("Block ID: %s\nDuration: %s\nSeries: %llu\nLabel names: %llu\n"
               "Postings (unique label pairs): %u\nPostings entries (total label pairs): %llu\n\n",
               b->ulid, dur, (unsigned long long)b->nseries, (unsigned long long)names, b->npost,
               (unsigned long long)entries);
        stat_print(&cpairs, "Label pairs most involved in churning", limit);
        stat_print(&cnames, "Label names most involved in churning", limit);
        stat_print(&common, "Most common label pairs", limit);
        stat_print(&vlen, "Label names with highest cumulative label value length", limit);
        stat_print(&card, "Highest cardinality labels", limit);
        stat_print(&metric, "Highest cardinality metric names", limit);
        printf("Samples: %llu\nChunks: %llu (XOR %llu, columnar %llu, columnar+zstd %llu, "
               "unreadable %llu)\nCompaction level: %d\nBytes: %llu (index %zu, chunks %zu)\n"
               "Bytes per sample: %.3f\n\n",
               (unsigned long long)b->nsamples, (unsigned long long)b->nchunks,
               (unsigned long long)encs[TSDB_BENC_XOR], (unsigned long long)encs[TSDB_BENC_COL],
               (unsigned long long)encs[TSDB_BENC_COLZ], (unsigned long long)encs[0], b->level,
               (unsigned long long)b->bytes, b->ixlen, b->cklen,
               b->nsamples ? (double)b->bytes / (double)b->nsamples : 0.0);
    }
    stat_free(&common);
    stat_free(&vlen);
    stat_free(&card);
    stat_free(&metric);
    stat_free(&cpairs);
    stat_free(&cnames);
    return rc;
}

int
tsdb_cli_analyze(int argc, char **argv)
{
    const char *pos[2] = {NULL, NULL};
    size_t npos = 0, limit = 20;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--limit", 7) == 0) {
            const char *v = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : "");
            char *end;
            unsigned long l = strtoul(v, &end, 10);
            if (!*v || *end) {
                fprintf(stderr, "flint: --limit: not a number: %s\n", v);
                return 2;
            }
            limit = l;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0 || (a[0] == '-' && a[1]) ||
                   npos == 2) {
            fprintf(stderr, "usage: flint tsdb analyze [--limit=20] [DIR] [BLOCK_ID]\n");
            return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0 ? 0 : 2;
        } else {
            pos[npos++] = a;
        }
    }
    const char *dir = npos > 0 ? pos[0] : "data/";
    struct lm_err err = {0};
    struct tsdb_blocks *bs = tsdb_blocks_open(dir, NULL, &err);
    if (!bs) {
        fprintf(stderr, "flint: %s: %s\n", err.where, err.msg);
        return 1;
    }
    struct tsdb_block *b = NULL;
    for (size_t i = 0; i < bs->n; i++) {
        if (npos > 1 ? strcmp(bs->v[i]->ulid, pos[1]) == 0
                     : (!b || bs->v[i]->maxt > b->maxt ||
                        (bs->v[i]->maxt == b->maxt && strcmp(bs->v[i]->ulid, b->ulid) > 0)))
            b = bs->v[i];
    }
    int rc = 0;
    if (!b) {
        fprintf(stderr, "flint: %s: %s\n", dir, npos > 1 ? "no such block" : "no blocks found");
        rc = 1;
    } else if (analyze_block(b, limit) != 0) {
        fprintf(stderr, "flint: out of memory\n");
        rc = 1;
    } else {
        struct tsdb_blocks_stats st;
        tsdb_blocks_stats(bs, &st);
        printf("All blocks: %llu blocks, %llu series (summed), %llu samples, %llu chunks, "
               "%llu bytes, %.3f bytes per sample\n",
               (unsigned long long)st.blocks, (unsigned long long)st.series,
               (unsigned long long)st.samples, (unsigned long long)st.chunks,
               (unsigned long long)st.bytes,
               st.samples ? (double)st.bytes / (double)st.samples : 0.0);
    }
    tsdb_blocks_close(bs);
    return rc;
}

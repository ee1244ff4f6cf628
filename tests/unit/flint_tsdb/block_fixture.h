/* SPDX-License-Identifier: Apache-2.0 */
/* block_fixture.h: test helpers for the block tests: a deterministic series generator
 * (plain counters, label patterns for matcher tests, a realistic mix of counters and
 * gauges scraped every 15 s with ms jitter), a block source over it, and a checker that
 * reads every series back through a view and compares samples bit for bit. */
#ifndef TESTS_FLINT_TSDB_BLOCK_FIXTURE_H
#define TESTS_FLINT_TSDB_BLOCK_FIXTURE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "flint/tsdb/blocks.h"
#include "lm/alloc.h"

#define TSDB_STALE_BITS 0x7ff0000000000002ULL

struct fb_gen {
    size_t ns, n;            /* series, samples per series */
    struct lbl_set *ls;      /* labels per series */
    int64_t *ts;             /* ns * n */
    double *vs;
    size_t cur, pos;         /* source cursor */
};

static inline uint64_t
fb_u64(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof(b));
    return b;
}

static inline double
fb_bits(uint64_t b)
{
    double v;
    memcpy(&v, &b, sizeof(v));
    return v;
}

static inline void
fb_tmpdir(char *out)
{
    snprintf(out, 64, "/tmp/flint_blk_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(out));
}

static inline uint32_t
fb_rand(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*s >> 33);
}

/* fb_realistic: the next value of a node_exporter-like series of type 0..19: 30%
 * constant, 15% rarely moving counters, 15% busy integer counters, 15% CPU seconds
 * (USER_HZ ticks / 100), 15% memory gauges, 10% decimal gauges. */
static inline double
fb_realistic(uint64_t *seed, int type, size_t s, double *c0, int64_t *ticks, uint32_t r)
{
    if (type < 6)
        return type == 0 ? 1 : (double)(s * 1048576);
    if (type < 9) {
        if (r % 10 == 0)
            *c0 += 1 + r % 3;
        return *c0;
    }
    if (type < 12) {
        double base = 1000.0 * (double)(1 + s % 7);
        *c0 += base + (double)(r % (uint32_t)(base / 20 + 1));
        return *c0;
    }
    if (type < 15) {
        *ticks += type == 12 ? 1400 + r % 200 : r % 50;
        return (double)*ticks / 100.0;
    }
    if (type < 18) {
        if (r % 2)
            *c0 += (double)((int)(fb_rand(seed) % 9) - 4) * 4096;
        return 1e9 + *c0;
    }
    return type == 18 ? (double)(400 + (int)(r % 10)) / 10 : (double)(r % 300) / 100;
}

/* fb_gen_init: kind 1 = counters, 2 = matcher label pattern, 3 = gauges with decimals
 * and a stale marker, 4 = realistic mix with timestamp jitter. */
static inline void
fb_gen_init(struct fb_gen *g, size_t ns, int64_t t0, int64_t step, size_t n, int kind)
{
    memset(g, 0, sizeof(*g));
    g->ns = ns;
    g->n = n;
    g->ls = calloc(ns, sizeof(*g->ls));
    g->ts = malloc(ns * n * sizeof(*g->ts));
    g->vs = malloc(ns * n * sizeof(*g->vs));
    uint64_t seed = 42 + (uint64_t)kind;
    for (size_t s = 0; s < ns; s++) {
        char a[32], b[32], c[32];
        int type = (int)(s % 10);
        if (kind == 2) {
            snprintf(a, sizeof(a), "m%zu", s % 4);
            snprintf(b, sizeof(b), "i%zu", s % 10);
            snprintf(c, sizeof(c), "j%zu", s / 10);
            lbl_set_add(&g->ls[s], "__name__", a);
            lbl_set_add(&g->ls[s], "instance", b);
            lbl_set_add(&g->ls[s], "job", c);
            if (s % 5 == 0)
                lbl_set_add(&g->ls[s], "odd", "y");
        } else {
            snprintf(a, sizeof(a), "metric_%d", type);
            snprintf(b, sizeof(b), "host-%zu:9100", s / 10);
            lbl_set_add(&g->ls[s], "__name__", a);
            lbl_set_add(&g->ls[s], "instance", b);
            lbl_set_add(&g->ls[s], "job", "node");
        }
        double c0 = (double)(fb_rand(&seed) % 100000);
        int64_t ticks = fb_rand(&seed) % 1000000;
        int64_t t = t0;
        for (size_t i = 0; i < n; i++) {
            int64_t ts = t;
            if (kind == 4 && fb_rand(&seed) % 20 == 0)
                ts += (int64_t)(fb_rand(&seed) % 3);
            g->ts[s * n + i] = ts;
            t += step;
            double v;
            uint32_t r = fb_rand(&seed);
            if (kind == 1 || kind == 2) {
                c0 += r % 10;
                v = c0;
            } else if (kind == 3) {
                v = i + 1 == n / 2 ? fb_bits(TSDB_STALE_BITS) : (double)(r % 1000) / 10;
            } else {
                v = fb_realistic(&seed, (int)(s % 20), s, &c0, &ticks, r);
            }
            g->vs[s * n + i] = v;
        }
    }
}

static inline void
fb_gen_free(struct fb_gen *g)
{
    for (size_t s = 0; s < g->ns; s++)
        lbl_set_free(&g->ls[s]);
    free(g->ls);
    free(g->ts);
    free(g->vs);
}

static inline int
fb_next_series(void *ctx, const struct lbl_set **ls)
{
    struct fb_gen *g = ctx;
    if (g->cur >= g->ns)
        return 0;
    *ls = &g->ls[g->cur++];
    g->pos = 0;
    return 1;
}

static inline bool
fb_next_sample(void *ctx, int64_t *t, double *v)
{
    struct fb_gen *g = ctx;
    if (g->pos >= g->n)
        return false;
    size_t i = (g->cur - 1) * g->n + g->pos++;
    *t = g->ts[i];
    *v = g->vs[i];
    return true;
}

/* fb_gen_src: a source yielding every series and sample (rewinds the cursor). */
static inline struct tsdb_block_src
fb_gen_src(struct fb_gen *g)
{
    g->cur = g->pos = 0;
    return (struct tsdb_block_src){g, fb_next_series, fb_next_sample};
}

/* fb_check_all: every generated series with samples in [mint, maxt] comes back from a
 * view over that range, in label order, with identical samples; seek works too.
 * Series the generator does not know are skipped. */
static inline void
fb_check_all(struct tsdb_blocks *bs, const struct fb_gen *g, int64_t mint, int64_t maxt)
{
    struct lm_err err = {0};
    struct tsdb_blocks_view *v = tsdb_blocks_view(bs, mint, maxt);
    ck_assert_ptr_nonnull(v);
    struct tsdb_bss *ss = tsdb_blocks_select(v, NULL, 0, &err);
    ck_assert_ptr_nonnull(ss);
    size_t seen = 0, want = 0;
    for (size_t s = 0; s < g->ns; s++)
        for (size_t i = 0; i < g->n; i++)
            if (g->ts[s * g->n + i] >= mint && g->ts[s * g->n + i] <= maxt) {
                want++;
                break;
            }
    struct lbl_set prev = {0};
    while (tsdb_bss_next(ss)) {
        const struct lbl_set *ls = tsdb_bss_labels(ss);
        if (seen > 0)
            ck_assert_int_lt(lbl_set_cmp(&prev, ls), 0);
        lbl_set_copy(&prev, ls);
        size_t s = 0;
        while (s < g->ns && !lbl_set_eq(&g->ls[s], ls))
            s++;
        if (s == g->ns)
            continue; /* another generator's series */
        struct tsdb_bit *it = tsdb_bss_iter(ss);
        int64_t t;
        double val;
        size_t got = 0;
        for (size_t i = 0; i < g->n; i++) {
            int64_t wt = g->ts[s * g->n + i];
            if (wt < mint || wt > maxt)
                continue;
            ck_assert(tsdb_bit_next(it, &t, &val));
            ck_assert_int_eq(t, wt);
            ck_assert_uint_eq(fb_u64(val), fb_u64(g->vs[s * g->n + i]));
            got++;
        }
        ck_assert(!tsdb_bit_next(it, &t, &val));
        ck_assert_uint_gt(got, 0);
        /* seek to the middle sample in range */
        size_t mid = g->n / 2;
        int64_t mt = g->ts[s * g->n + mid];
        if (mt >= mint && mt <= maxt) {
            it = tsdb_bss_iter(ss);
            ck_assert(tsdb_bit_seek(it, mt, &t, &val));
            ck_assert_int_eq(t, mt);
            ck_assert(tsdb_bit_seek(it, mt - 5, &t, &val)); /* never backwards */
            ck_assert_int_eq(t, mt);
        }
        seen++;
    }
    ck_assert_uint_eq(seen, want);
    lbl_set_free(&prev);
    tsdb_bss_free(ss);
    tsdb_blocks_view_free(v);
}

/* fb_count: series matching ms in view v. */
static inline int
fb_count(struct tsdb_blocks_view *v, const struct lbl_matcher *ms, size_t n)
{
    struct lm_err err = {0};
    struct tsdb_bss *ss = tsdb_blocks_select(v, ms, n, &err);
    ck_assert_ptr_nonnull(ss);
    int c = 0;
    while (tsdb_bss_next(ss))
        c++;
    tsdb_bss_free(ss);
    return c;
}

static inline void
fb_strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lm_free(v[i]);
    lm_free(v);
}

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* test_compact.c: compaction (2 h -> 6 h -> 18 h, samples identical before and after,
 * fewer bytes, old views still readable), vertical compaction of overlapping blocks,
 * recovery from a crash between writing a compacted block and deleting its parents,
 * leftover tmp dirs, and retention by time and by size. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "flint/tsdb/block_int.h"
#include "flint/tsdb/blocks.h"
#include "tests/unit/flint_tsdb/block_fixture.h"

Suite *compact_suite(void);

#define H2 TSDB_BLOCK_RANGE_MS

/* write_blocks: blocks [i*2h, (i+1)*2h) for i in [from, to) from g. */
static void
write_blocks(struct tsdb_blocks *bs, struct fb_gen *g, int from, int to)
{
    struct lm_err err = {0};
    for (int i = from; i < to; i++) {
        struct tsdb_block_src src = fb_gen_src(g);
        ck_assert_int_eq(tsdb_blocks_write(bs, i * H2, (i + 1) * H2, 1, &src, NULL, &err), 0);
    }
}

START_TEST(leveled)
{
    char dir[64];
    fb_tmpdir(dir);
    struct lm_err err = {0};
    struct tsdb_blocks *bs = tsdb_blocks_open(dir, NULL, &err);
    struct fb_gen g;
    fb_gen_init(&g, 60, 0, 15000, 10 * 480, 4);
    write_blocks(bs, &g, 0, 9);
    struct tsdb_blocks_stats st0, st;
    tsdb_blocks_stats(bs, &st0);
    ck_assert_uint_eq(st0.blocks, 9);
    struct tsdb_blocks_view *old = tsdb_blocks_view(bs, INT64_MIN, INT64_MAX);
    unsigned n = 0;
    ck_assert_int_eq(tsdb_blocks_compact(bs, 0, 0, &n, &err), 0);
    ck_assert_uint_eq(n, 2); /* [0,6h) [6h,12h); [12h,18h) waits for a newer block */
    tsdb_blocks_stats(bs, &st);
    ck_assert_uint_eq(st.blocks, 5);
    ck_assert_uint_eq(st.samples, st0.samples);
    ck_assert_uint_lt(st.bytes, st0.bytes);
    fb_check_all(bs, &g, INT64_MIN, 18 * 3600000LL - 1);
    /* the old view still reads the removed blocks */
    ck_assert_int_eq(fb_count(old, NULL, 0), 60);
    tsdb_blocks_view_free(old);
    write_blocks(bs, &g, 9, 10);
    ck_assert_int_eq(tsdb_blocks_compact(bs, 0, 0, &n, &err), 0);
    ck_assert_uint_eq(n, 2); /* [12h,18h), then [0,18h) */
    tsdb_blocks_stats(bs, &st);
    ck_assert_uint_eq(st.blocks, 2);
    ck_assert_uint_eq(st.samples, g.ns * g.n);
    fb_check_all(bs, &g, INT64_MIN, INT64_MAX);
    fb_check_all(bs, &g, 5 * H2 - 1000, 5 * H2 + 1000);
    double bps = (double)st.bytes / (double)st.samples;
    fprintf(stderr, "compacted 18 h block: %.3f bytes/sample (2 h blocks: %.3f)\n", bps,
            (double)st0.bytes / (double)st0.samples);
    ck_assert(bps < 1.0);
    tsdb_blocks_close(bs);
    /* reopen: levels and ranges persisted */
    bs = tsdb_blocks_open(dir, NULL, &err);
    ck_assert_uint_eq(bs->n, 2);
    ck_assert_int_eq(bs->v[0]->mint, 0);
    ck_assert_int_eq(bs->v[0]->maxt, 9 * H2);
    ck_assert_int_eq(bs->v[0]->level, 3);
    ck_assert_int_eq(bs->v[1]->level, 1);
    fb_check_all(bs, &g, INT64_MIN, INT64_MAX);
    tsdb_blocks_close(bs);
    fb_gen_free(&g);
    tsdb_rm_rf(dir);
}
END_TEST

START_TEST(vertical)
{
    char dir[64];
    fb_tmpdir(dir);
    struct lm_err err = {0};
    struct tsdb_blocks *bs = tsdb_blocks_open(dir, NULL, &err);
    struct fb_gen g, g2;
    fb_gen_init(&g, 20, 0, 15000, 720, 3);
    fb_gen_init(&g2, 25, 7000, 30000, 240, 2); /* other series, interleaved times */
    write_blocks(bs, &g, 0, 1);
    struct tsdb_block_src src = fb_gen_src(&g);
    ck_assert_int_eq(tsdb_blocks_write(bs, 3600000, 3 * 3600000, 1, &src, NULL, &err), 0);
    src = fb_gen_src(&g2);
    ck_assert_int_eq(tsdb_blocks_write(bs, 0, 3 * 3600000, 1, &src, NULL, &err), 0);
    unsigned n = 0;
    ck_assert_int_eq(tsdb_blocks_compact(bs, 0, 0, &n, &err), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(bs->n, 1);
    ck_assert_int_eq(bs->v[0]->mint, 0);
    ck_assert_int_eq(bs->v[0]->maxt, 3 * 3600000);
    fb_check_all(bs, &g, INT64_MIN, INT64_MAX);
    fb_check_all(bs, &g2, INT64_MIN, INT64_MAX);
    tsdb_blocks_close(bs);
    fb_gen_free(&g);
    fb_gen_free(&g2);
    tsdb_rm_rf(dir);
}
END_TEST

START_TEST(crash_leftovers)
{
    char dir[64], path[256];
    fb_tmpdir(dir);
    struct lm_err err = {0};
    struct tsdb_blocks *bs = tsdb_blocks_open(dir, NULL, &err);
    struct fb_gen g;
    fb_gen_init(&g, 10, 0, 15000, 960, 1);
    char a[27], b[27], c[27];
    struct tsdb_block_src src = fb_gen_src(&g);
    ck_assert_int_eq(tsdb_blocks_write(bs, 0, H2, 1, &src, a, &err), 0);
    src = fb_gen_src(&g);
    ck_assert_int_eq(tsdb_blocks_write(bs, H2, 2 * H2, 1, &src, b, &err), 0);
    tsdb_blocks_close(bs);
    /* the compacted block was written, the parents not yet deleted */
    const char *parents[2] = {a, b};
    char *cdir = NULL;
    src = fb_gen_src(&g);
    ck_assert_int_eq(tsdb_block_write_dir(dir, 0, 2 * H2, 2, parents, 2, &src, c, &cdir, &err), 0);
    free(cdir);
    snprintf(path, sizeof(path), "%s/01ARZ3NDEKTSV4RRFFQ69G5FAV.tmp", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    bs = tsdb_blocks_open(dir, NULL, &err);
    ck_assert_uint_eq(bs->n, 1);
    ck_assert_str_eq(bs->v[0]->ulid, c);
    ck_assert_uint_eq(bs->v[0]->nsources, 2);
    fb_check_all(bs, &g, INT64_MIN, INT64_MAX);
    struct stat st;
    ck_assert_int_ne(stat(path, &st), 0);
    snprintf(path, sizeof(path), "%s/%s", dir, a);
    ck_assert_int_ne(stat(path, &st), 0);
    tsdb_blocks_close(bs);
    fb_gen_free(&g);
    tsdb_rm_rf(dir);
}
END_TEST

START_TEST(retention)
{
    char dir[64];
    fb_tmpdir(dir);
    struct lm_err err = {0};
    struct tsdb_blocks *bs = tsdb_blocks_open(dir, NULL, &err);
    struct fb_gen g;
    fb_gen_init(&g, 10, 0, 15000, 5 * 480, 1);
    write_blocks(bs, &g, 0, 5); /* newest maxt = 10 h */
    ck_assert_uint_eq(tsdb_blocks_retention(bs, 0, 0, 0), 0);
    ck_assert_uint_eq(tsdb_blocks_retention(bs, 5 * 3600000LL, 0, 0), 2); /* maxt <= 5 h */
    struct tsdb_blocks_stats st;
    tsdb_blocks_stats(bs, &st);
    ck_assert_uint_eq(st.blocks, 3);
    ck_assert_int_eq(st.min_time, 2 * H2);
    /* by size: the blocks are about the same size; keep two, then the WAL counts too */
    uint64_t one = bs->v[0]->bytes;
    ck_assert_uint_eq(tsdb_blocks_retention(bs, 0, st.bytes - 1, 0), 1);
    ck_assert_uint_eq(tsdb_blocks_retention(bs, 0, 3 * one, 0), 0);
    ck_assert_uint_eq(tsdb_blocks_retention(bs, 0, 3 * one, 2 * one), 1);
    ck_assert_uint_eq(tsdb_blocks_retention_at(bs, 11 * H2, H2, 0, 0), 1);
    tsdb_blocks_stats(bs, &st);
    ck_assert_uint_eq(st.blocks, 0);
    ck_assert_int_eq(st.min_time, INT64_MAX);
    tsdb_blocks_close(bs);
    bs = tsdb_blocks_open(dir, NULL, &err);
    ck_assert_uint_eq(bs->n, 0);
    tsdb_blocks_close(bs);
    fb_gen_free(&g);
    tsdb_rm_rf(dir);
}
END_TEST

Suite *
compact_suite(void)
{
    Suite *s = suite_create("compact");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, leveled);
    tcase_add_test(tc, vertical);
    tcase_add_test(tc, crash_leftovers);
    tcase_add_test(tc, retention);
    suite_add_tcase(s, tc);
    return s;
}

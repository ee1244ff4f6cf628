/* SPDX-License-Identifier: Apache-2.0 */
/* test_block.c: persisted blocks: write/read round trip (bit-exact values, stale NaN),
 * postings and matchers, label names/values, views spanning blocks, overlapping blocks
 * merged, a corrupt block skipped with a log line, the block codec on its own, bytes
 * per sample on realistic data. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flint/tsdb/block_int.h"
#include "flint/tsdb/blocks.h"
#include "flint/tsdb/chunk.h"
#include "lm/alloc.h"
#include "lm/log.h"
#include "tests/unit/flint_tsdb/block_fixture.h"

Suite *block_suite(void);

START_TEST(codec_round_trip)
{
    struct lm_buf out, scratch;
    lm_buf_init(&out, 1 << 24);
    lm_buf_init(&scratch, TSDB_BCHUNK_MAX_RAW + 1);
    void *zc = ZSTD_createCCtx();
    void *dc = ZSTD_createDCtx();
    srand(7);
    int64_t ts[2000], t2[2000];
    double vs[2000], v2[2000];
    for (int kind = 0; kind < 6; kind++) {
        size_t n = (size_t)(1 + rand() % 2000);
        int64_t t = 1700000000000LL;
        double c = 0;
        for (size_t i = 0; i < n; i++) {
            t += 15000 + (kind == 1 ? rand() % 7 - 3 : 0);
            ts[i] = t;
            switch (kind) {
            case 0: c += rand() % 10; vs[i] = c; break;
            case 1: c += (rand() % 1000) / 100.0; vs[i] = c; break;
            case 2: vs[i] = (double)rand() / RAND_MAX; break;
            case 3: vs[i] = i % 50 == 0 ? fb_bits(TSDB_STALE_BITS) : (rand() % 5) * 0.1; break;
            case 4: vs[i] = i % 3 ? -0.0 : (i % 2 ? INFINITY : NAN); break;
            default: vs[i] = 1e300 * (double)(i % 4) + 1.0 / 3; break;
            }
        }
        lm_buf_reset(&out);
        ck_assert_int_eq(tsdb_bchunk_encode(ts, vs, n, zc, &out), 0);
        const uint8_t *p = (const uint8_t *)out.data;
        uint64_t len;
        size_t r = tsdb_get_uvarint(p + 1, out.len - 1, &len);
        ck_assert_uint_eq(1 + r + len, out.len);
        long got = tsdb_bchunk_decode(p[0], p + 1 + r, len, t2, v2, n, &scratch, dc);
        ck_assert_int_eq(got, (long)n);
        for (size_t i = 0; i < n; i++) {
            ck_assert_int_eq(t2[i], ts[i]);
            ck_assert_uint_eq(fb_u64(v2[i]), fb_u64(vs[i]));
        }
        /* truncations never crash and never succeed with the wrong count */
        for (uint64_t cut = 0; cut < len; cut += 1 + len / 64) {
            long g = tsdb_bchunk_decode(p[0], p + 1 + r, cut, t2, v2, n, &scratch, dc);
            ck_assert(g == -1 || g == (long)n);
        }
    }
    ZSTD_freeCCtx(zc);
    ZSTD_freeDCtx(dc);
    lm_buf_cleanup(&out);
    lm_buf_cleanup(&scratch);
}
END_TEST

START_TEST(write_read_round_trip)
{
    char dir[64];
    fb_tmpdir(dir);
    struct lm_err err = {0};
    struct tsdb_blocks *bs = tsdb_blocks_open(dir, NULL, &err);
    ck_assert_ptr_nonnull(bs);
    struct fb_gen g;
    fb_gen_init(&g, 50, 0, 15000, 480, 1); /* 50 series, 2 h at 15 s */
    char ulid[TSDB_BLOCK_ULID_LEN + 1];
    struct tsdb_block_src src = fb_gen_src(&g);
    ck_assert_int_eq(tsdb_blocks_write(bs, 0, TSDB_BLOCK_RANGE_MS, 1, &src, ulid, &err), 0);
    ck_assert_uint_eq(strlen(ulid), 26);
    struct tsdb_blocks_stats st;
    tsdb_blocks_stats(bs, &st);
    ck_assert_uint_eq(st.blocks, 1);
    ck_assert_uint_eq(st.series, 50);
    ck_assert_uint_eq(st.samples, 50 * 480);
    ck_assert_int_eq(st.min_time, 0);
    tsdb_blocks_close(bs);

    /* reopen from disk and compare every sample */
    bs = tsdb_blocks_open(dir, NULL, &err);
    ck_assert_ptr_nonnull(bs);
    fb_check_all(bs, &g, INT64_MIN, INT64_MAX);
    fb_check_all(bs, &g, 3600000, 3600000 + 15000 * 10);
    tsdb_blocks_close(bs);
    fb_gen_free(&g);
    tsdb_rm_rf(dir);
}
END_TEST

START_TEST(matchers_and_labels)
{
    char dir[64];
    fb_tmpdir(dir);
    struct lm_err err = {0};
    struct tsdb_blocks *bs = tsdb_blocks_open(dir, NULL, &err);
    struct fb_gen g;
    fb_gen_init(&g, 40, 0, 15000, 100, 2);
    struct tsdb_block_src src = fb_gen_src(&g);
    ck_assert_int_eq(tsdb_blocks_write(bs, 0, TSDB_BLOCK_RANGE_MS, 1, &src, NULL, &err), 0);
    struct tsdb_blocks_view *v = tsdb_blocks_view(bs, INT64_MIN, INT64_MAX);
    ck_assert_uint_eq(tsdb_blocks_view_count(v), 1);
    /* generator: __name__ m<i%4>, instance i<i%10>, job j; every 5th has "odd"="y" */
    struct lbl_matcher ms[2];
    ck_assert_int_eq(lbl_matcher_init(&ms[0], LBL_MATCH_EQ, "__name__", "m1", &err), 0);
    ck_assert_int_eq(fb_count(v, ms, 1), 10);
    ck_assert_int_eq(lbl_matcher_init(&ms[1], LBL_MATCH_RE, "instance", "i[13]", &err), 0);
    ck_assert_int_eq(fb_count(v, ms, 2), 4); /* i%4==1, i%10 in {1,3}: 1 13 21 33 */
    lbl_matcher_free(&ms[1]);
    ck_assert_int_eq(lbl_matcher_init(&ms[1], LBL_MATCH_NEQ, "odd", "y", &err), 0);
    ck_assert_int_eq(fb_count(v, &ms[1], 1), 32);
    lbl_matcher_free(&ms[1]);
    ck_assert_int_eq(lbl_matcher_init(&ms[1], LBL_MATCH_EQ, "odd", "", &err), 0);
    ck_assert_int_eq(fb_count(v, &ms[1], 1), 32);
    lbl_matcher_free(&ms[1]);
    ck_assert_int_eq(lbl_matcher_init(&ms[1], LBL_MATCH_NRE, "instance", "i.*", &err), 0);
    ck_assert_int_eq(fb_count(v, &ms[1], 1), 0);
    lbl_matcher_free(&ms[1]);
    ck_assert_int_eq(lbl_matcher_init(&ms[1], LBL_MATCH_RE, "odd", "y|", &err), 0);
    ck_assert_int_eq(fb_count(v, &ms[1], 1), 40);
    ck_assert_int_eq(fb_count(v, NULL, 0), 40);
    lbl_matcher_free(&ms[1]);

    char **out;
    size_t n;
    ck_assert_int_eq(tsdb_blocks_label_names(v, NULL, 0, &out, &n, &err), 0);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(out[0], "__name__");
    ck_assert_str_eq(out[1], "instance");
    ck_assert_str_eq(out[2], "job");
    ck_assert_str_eq(out[3], "odd");
    fb_strv_free(out, n);
    ck_assert_int_eq(tsdb_blocks_label_values(v, "__name__", NULL, 0, &out, &n, &err), 0);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(out[3], "m3");
    fb_strv_free(out, n);
    ck_assert_int_eq(tsdb_blocks_label_values(v, "instance", ms, 1, &out, &n, &err), 0);
    ck_assert_uint_eq(n, 5); /* m1: i = 1,5,9,13,... -> i%10 in {1,3,5,7,9} */
    ck_assert_str_eq(out[0], "i1");
    fb_strv_free(out, n);
    ck_assert_int_eq(tsdb_blocks_label_names(v, ms, 1, &out, &n, &err), 0);
    ck_assert_uint_eq(n, 4); /* m1 series 5 is odd */
    fb_strv_free(out, n);
    ck_assert_int_eq(tsdb_blocks_label_values(v, "nope", NULL, 0, &out, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
    fb_strv_free(out, n);
    lbl_matcher_free(&ms[0]);
    tsdb_blocks_view_free(v);
    tsdb_blocks_close(bs);
    fb_gen_free(&g);
    tsdb_rm_rf(dir);
}
END_TEST

START_TEST(views_and_overlap)
{
    char dir[64];
    fb_tmpdir(dir);
    struct lm_err err = {0};
    struct tsdb_blocks *bs = tsdb_blocks_open(dir, NULL, &err);
    /* three consecutive 2 h blocks of the same series, plus an overlapping one */
    struct fb_gen g;
    fb_gen_init(&g, 8, 0, 15000, 3 * 480, 3);
    for (int i = 0; i < 3; i++) {
        struct tsdb_block_src src = fb_gen_src(&g);
        ck_assert_int_eq(tsdb_blocks_write(bs, i * TSDB_BLOCK_RANGE_MS,
                                           (i + 1) * TSDB_BLOCK_RANGE_MS, 1, &src, NULL, &err),
                         0);
    }
    struct tsdb_block_src src = fb_gen_src(&g);
    ck_assert_int_eq(tsdb_blocks_write(bs, 3600000, 3 * 3600000, 1, &src, NULL, &err), 0);
    fb_check_all(bs, &g, INT64_MIN, INT64_MAX);
    fb_check_all(bs, &g, 7000000, 7300000); /* spans a block boundary */
    /* a view keeps its blocks after they leave the set */
    struct tsdb_blocks_view *v = tsdb_blocks_view(bs, 0, 1000);
    ck_assert_uint_eq(tsdb_blocks_view_count(v), 1);
    ck_assert_uint_eq(tsdb_blocks_retention(bs, 1, 0, 0), 3);
    ck_assert_int_eq(fb_count(v, NULL, 0), 8);
    tsdb_blocks_view_free(v);
    tsdb_blocks_close(bs);
    fb_gen_free(&g);
    tsdb_rm_rf(dir);
}
END_TEST

START_TEST(corrupt_block_skipped)
{
    char dir[64], path[256], logpath[128];
    fb_tmpdir(dir);
    struct lm_err err = {0};
    struct tsdb_blocks *bs = tsdb_blocks_open(dir, NULL, &err);
    struct fb_gen g;
    fb_gen_init(&g, 5, 0, 15000, 960, 1);
    char ulid[2][TSDB_BLOCK_ULID_LEN + 1];
    for (int i = 0; i < 2; i++) {
        struct tsdb_block_src src = fb_gen_src(&g);
        ck_assert_int_eq(tsdb_blocks_write(bs, i * TSDB_BLOCK_RANGE_MS,
                                           (i + 1) * TSDB_BLOCK_RANGE_MS, 1, &src, ulid[i], &err),
                         0);
    }
    tsdb_blocks_close(bs);
    /* flip a byte in the middle of block 0's index */
    snprintf(path, sizeof(path), "%s/%s/index", dir, ulid[0]);
    FILE *f = fopen(path, "r+b");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, sz / 2, SEEK_SET);
    int c = fgetc(f);
    fseek(f, sz / 2, SEEK_SET);
    fputc(c ^ 0x5a, f);
    fclose(f);
    snprintf(logpath, sizeof(logpath), "%s.log", dir);
    FILE *lf = fopen(logpath, "w+");
    struct lm_log *log = lm_log_new(lf, LM_LOG_INFO, LM_LOG_LOGFMT);
    bs = tsdb_blocks_open(dir, log, &err);
    ck_assert_ptr_nonnull(bs);
    struct tsdb_blocks_stats st;
    tsdb_blocks_stats(bs, &st);
    ck_assert_uint_eq(st.blocks, 1);
    ck_assert_int_eq(st.min_time, TSDB_BLOCK_RANGE_MS);
    fflush(lf);
    rewind(lf);
    char line[2048] = {0};
    ck_assert_ptr_nonnull(fgets(line, sizeof(line), lf));
    ck_assert_ptr_nonnull(strstr(line, "skipping corrupt block"));
    ck_assert_ptr_nonnull(strstr(line, ulid[0]));
    ck_assert_ptr_nonnull(strstr(line, "checksum"));
    tsdb_blocks_close(bs);
    lm_log_free(log);
    fclose(lf);
    unlink(logpath);
    fb_gen_free(&g);
    tsdb_rm_rf(dir);
}
END_TEST

START_TEST(realistic_bytes_per_sample)
{
    char dir[64];
    fb_tmpdir(dir);
    struct lm_err err = {0};
    struct tsdb_blocks *bs = tsdb_blocks_open(dir, NULL, &err);
    struct fb_gen g;
    fb_gen_init(&g, 200, 0, 15000, 3 * 480, 4); /* realistic mix, 6 h */
    struct tsdb_block_src src = fb_gen_src(&g);
    ck_assert_int_eq(tsdb_blocks_write(bs, 0, 3 * TSDB_BLOCK_RANGE_MS, 2, &src, NULL, &err), 0);
    struct tsdb_blocks_stats st;
    tsdb_blocks_stats(bs, &st);
    double bps = (double)st.bytes / (double)st.samples;
    /* Gorilla baseline: XOR chunks of 120 samples, payload bytes only */
    size_t xor_bytes = 0;
    for (size_t sr = 0; sr < g.ns; sr++) {
        struct tsdb_chunk_enc e;
        tsdb_chunk_enc_init(&e);
        for (size_t i = 0; i < g.n; i++) {
            if (e.count == 120) {
                size_t l;
                tsdb_chunk_enc_bytes(&e, &l);
                xor_bytes += l;
                tsdb_chunk_enc_free(&e);
            }
            tsdb_chunk_enc_append(&e, g.ts[sr * g.n + i], g.vs[sr * g.n + i]);
        }
        size_t l;
        tsdb_chunk_enc_bytes(&e, &l);
        xor_bytes += l;
        tsdb_chunk_enc_free(&e);
    }
    fprintf(stderr, "block bytes/sample (6 h, 200 realistic series): %.3f (XOR chunks alone: %.3f)\n",
            bps, (double)xor_bytes / (double)st.samples);
    ck_assert(bps < 1.0);
    fb_check_all(bs, &g, INT64_MIN, INT64_MAX);
    tsdb_blocks_close(bs);
    fb_gen_free(&g);
    tsdb_rm_rf(dir);
}
END_TEST

/* oom_round: write, reopen, select and read with allocation n failing; 0 when all of it
 * worked, else the step that failed cleanly. */
static int
oom_round(const char *dir, struct fb_gen *g, long n)
{
    struct lm_err err = {0};
    lm_alloc_fail_after(n);
    struct tsdb_blocks *bs = tsdb_blocks_open(dir, NULL, &err);
    if (!bs) {
        lm_alloc_fail_after(0);
        return 1;
    }
    struct tsdb_block_src src = fb_gen_src(g);
    int rc = tsdb_blocks_write(bs, 0, TSDB_BLOCK_RANGE_MS, 1, &src, NULL, &err);
    if (rc != 0) {
        ck_assert_int_ne(err.code, 0);
        lm_alloc_fail_after(0);
        tsdb_blocks_close(bs);
        return 2;
    }
    int step = 0;
    struct tsdb_blocks_view *v = tsdb_blocks_view(bs, INT64_MIN, INT64_MAX);
    struct tsdb_bss *ss = v ? tsdb_blocks_select(v, NULL, 0, &err) : NULL;
    size_t samples = 0;
    while (ss && tsdb_bss_next(ss)) {
        struct tsdb_bit *it = tsdb_bss_iter(ss);
        int64_t t;
        double val;
        while (tsdb_bit_next(it, &t, &val))
            samples++;
    }
    if (!v || !ss || tsdb_bss_err(ss))
        step = 3;
    else
        ck_assert_uint_eq(samples, g->ns * g->n);
    lm_alloc_fail_after(0);
    tsdb_bss_free(ss);
    tsdb_blocks_view_free(v);
    tsdb_blocks_close(bs);
    return step;
}

START_TEST(oom_torture)
{
    struct fb_gen g;
    fb_gen_init(&g, 6, 0, 15000, 300, 3);
    long n;
    for (n = 1; n < 5000; n++) {
        char dir[64];
        fb_tmpdir(dir);
        int step = oom_round(dir, &g, n);
        tsdb_rm_rf(dir);
        if (step == 0)
            break;
    }
    ck_assert_int_lt(n, 5000);
    fb_gen_free(&g);
}
END_TEST

Suite *
block_suite(void)
{
    Suite *s = suite_create("block");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, codec_round_trip);
    tcase_add_test(tc, write_read_round_trip);
    tcase_add_test(tc, matchers_and_labels);
    tcase_add_test(tc, views_and_overlap);
    tcase_add_test(tc, corrupt_block_skipped);
    tcase_add_test(tc, realistic_bytes_per_sample);
    tcase_add_test(tc, oom_torture);
    suite_add_tcase(s, tc);
    return s;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* test_wal.c: the write-ahead log: records written in batches over several segments
 * come back in order (plain and zstd-compressed); mutated and random segments never
 * crash the replay; a last segment cut at random byte offsets keeps every complete
 * record before the cut (and is truncated there); a corrupt CRC in an older segment
 * keeps what precedes it and every later segment; checkpoints replace old segments. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "flint/tsdb/wal.h"
#include "head_fixture.h"
#include "lm/alloc.h"

Suite *wal_suite(void);

struct got {
    uint32_t series[4096];      /* refs of series records */
    size_t nseries;
    int64_t t[100000];          /* sample times, in order */
    uint32_t ref[100000];
    double v[100000];
    size_t n;
};

static int
on_series(void *ctx, uint32_t ref, const struct lbl_set *ls)
{
    struct got *g = ctx;
    char want[64];
    snprintf(want, sizeof(want), "s%u", ref);
    ck_assert_str_eq(lbl_set_get(ls, "name"), want);
    g->series[g->nseries++] = ref;
    return 0;
}

static void
on_sample(void *ctx, uint32_t ref, int64_t t, double v)
{
    struct got *g = ctx;
    g->ref[g->n] = ref;
    g->t[g->n] = t;
    g->v[g->n] = v;
    g->n++;
}

/* batch: a series record for ref (when new) and a samples record of k samples. */
static void
batch(struct lm_buf *b, uint32_t ref, bool new_series, int64_t t0, size_t k)
{
    if (new_series) {
        struct lbl_set ls = {0};
        char v[64];
        snprintf(v, sizeof(v), "s%u", ref);
        lbl_set_add(&ls, "name", v);
        size_t st = tsdb_wal_rec_begin(b, TSDB_WAL_SERIES);
        tsdb_wal_put_series(b, ref, &ls);
        tsdb_wal_rec_end(b, st);
        lbl_set_free(&ls);
    }
    size_t st = tsdb_wal_rec_begin(b, TSDB_WAL_SAMPLES);
    for (size_t i = 0; i < k; i++) {
        tsdb_wal_put_uvarint(b, ref);
        tsdb_wal_put_varint(b, i ? 1000 : t0);
        double v = (double)ref * 1000 + (double)(t0 + 1000 * (int64_t)i);
        uint64_t bits;
        memcpy(&bits, &v, 8);
        tsdb_wal_put_u64(b, bits);
    }
    tsdb_wal_rec_end(b, st);
}

static struct tsdb_wal *
open_replay(const char *dir, uint64_t seg_max, struct got *g, struct tsdb_wal_replay_stats *st)
{
    struct lm_err err = {0};
    struct tsdb_wal *w = tsdb_wal_open(dir, seg_max, NULL, &err);
    ck_assert_ptr_nonnull(w);
    memset(g, 0, sizeof(*g));
    struct tsdb_wal_replay_cb cb = {g, on_series, on_sample};
    ck_assert_int_eq(tsdb_wal_replay(w, &cb, st, &err), 0);
    return w;
}

START_TEST(write_replay_segments)
{
    char dir[64];
    hf_tmpdir(dir, sizeof(dir));
    static struct got g;
    struct tsdb_wal_replay_stats st;
    struct tsdb_wal *w = open_replay(dir, 4096, &g, &st);
    ck_assert_uint_eq(g.n, 0);
    struct lm_buf b;
    lm_buf_init(&b, 1 << 20);
    struct lm_err err = {0};
    for (uint32_t i = 0; i < 200; i++) {
        lm_buf_reset(&b);
        batch(&b, i % 50, i < 50, 1000 * (int64_t)i, 5);
        ck_assert_int_eq(tsdb_wal_write(w, b.data, b.len, 1000 * (int64_t)i + 4000, &err), 0);
    }
    ck_assert_uint_gt(tsdb_wal_bytes(w), 200 * 5 * 10);
    tsdb_wal_close(w);
    w = open_replay(dir, 4096, &g, &st);
    ck_assert_uint_ge(st.segments, 3);   /* 4 KiB segments */
    ck_assert_uint_eq(st.corruptions, 0);
    ck_assert_uint_eq(g.nseries, 50);
    ck_assert_uint_eq(g.n, 1000);
    for (size_t i = 0; i < g.n; i++) {
        size_t bi = i / 5, k = i % 5;
        ck_assert_uint_eq(g.ref[i], bi % 50);
        ck_assert_int_eq(g.t[i], 1000 * (int64_t)bi + 1000 * (int64_t)k);
        ck_assert(g.v[i] == (double)g.ref[i] * 1000 + (double)g.t[i]);
    }
    tsdb_wal_close(w);
    lm_buf_cleanup(&b);
    hf_rmrf(dir);
}
END_TEST

static void
write_file(const char *path, const void *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, p, n), (ssize_t)n);
    close(fd);
}

START_TEST(torn_tail_random)
{
    /* one segment of 100 batches; remember each record's end offset */
    struct lm_buf b;
    lm_buf_init(&b, 1 << 22);
    size_t ends[300], nends = 0, nsamples_before[300];
    size_t samples = 0;
    for (uint32_t i = 0; i < 100; i++) {
        if (i < 10) {
            /* the series record alone is a whole record too */
            size_t before = b.len;
            batch(&b, i % 10, true, 0, 0);
            b.len = before + (b.len - before - TSDB_WAL_HDR); /* drop the empty samples rec */
            ends[nends] = b.len;
            nsamples_before[nends++] = samples;
        }
        batch(&b, i % 10, false, 1000 * (int64_t)i, 1 + i % 7);
        samples += 1 + i % 7;
        ends[nends] = b.len;
        nsamples_before[nends++] = samples;
    }
    uint64_t seed = 7;
    static struct got g;
    for (int trial = 0; trial < 40; trial++) {
        char dir[64], path[128];
        hf_tmpdir(dir, sizeof(dir));
        snprintf(path, sizeof(path), "%s/00000001", dir);
        size_t cut = trial == 0 ? b.len : hf_rand(&seed) % b.len;
        write_file(path, b.data, cut);
        struct tsdb_wal_replay_stats st;
        struct tsdb_wal *w = open_replay(dir, 0, &g, &st);
        size_t complete = 0, want = 0, end = 0;
        while (complete < nends && ends[complete] <= cut) {
            want = nsamples_before[complete];
            end = ends[complete];
            complete++;
        }
        ck_assert_uint_eq(g.n, want);
        ck_assert_uint_eq(st.corruptions, cut == end ? 0 : 1);
        struct stat sb;
        ck_assert_int_eq(stat(path, &sb), 0);
        ck_assert_uint_eq((size_t)sb.st_size, end);  /* cut back to the last whole record */
        /* the next segment takes new writes, and a second replay sees both */
        struct lm_buf nb;
        lm_buf_init(&nb, 1 << 16);
        batch(&nb, 3, true, 10000000, 2);
        struct lm_err err = {0};
        ck_assert_int_eq(tsdb_wal_write(w, nb.data, nb.len, 10001000, &err), 0);
        lm_buf_cleanup(&nb);
        tsdb_wal_close(w);
        w = open_replay(dir, 0, &g, &st);
        ck_assert_uint_eq(g.n, want + 2);
        ck_assert_int_eq(g.t[g.n - 1], 10001000);
        ck_assert_uint_eq(st.corruptions, 0);
        tsdb_wal_close(w);
        hf_rmrf(dir);
    }
    lm_buf_cleanup(&b);
}
END_TEST

START_TEST(corrupt_middle)
{
    char dir[64], path[128];
    hf_tmpdir(dir, sizeof(dir));
    struct lm_buf s1, s2;
    lm_buf_init(&s1, 1 << 20);
    lm_buf_init(&s2, 1 << 20);
    size_t mid = 0;
    for (uint32_t i = 0; i < 20; i++) {
        batch(&s1, i, true, 1000 * (int64_t)i, 3);
        if (i == 9)
            mid = s1.len;
    }
    for (uint32_t i = 0; i < 20; i++)
        batch(&s2, i, false, 100000 + 1000 * (int64_t)i, 2);
    /* flip a payload byte of the record right after mid */
    ((unsigned char *)s1.data)[mid + TSDB_WAL_HDR + 2] ^= 0x40;
    snprintf(path, sizeof(path), "%s/00000001", dir);
    write_file(path, s1.data, s1.len);
    snprintf(path, sizeof(path), "%s/00000002", dir);
    write_file(path, s2.data, s2.len);
    static struct got g;
    struct tsdb_wal_replay_stats st;
    struct tsdb_wal *w = open_replay(dir, 0, &g, &st);
    ck_assert_uint_eq(st.corruptions, 1);
    ck_assert_uint_eq(g.nseries, 10);       /* series 0..9 before the corruption */
    ck_assert_uint_eq(g.n, 10 * 3 + 20 * 2); /* their samples and all of segment 2 */
    ck_assert_int_eq(g.t[g.n - 1], 100000 + 19 * 1000 + 1000);
    ck_assert_uint_eq(tsdb_wal_corruptions(w), 1);
    tsdb_wal_close(w);
    lm_buf_cleanup(&s1);
    lm_buf_cleanup(&s2);
    hf_rmrf(dir);
}
END_TEST

static int
ckpt_cb(void *ctx, struct lm_buf *out)
{
    (void)ctx;
    size_t st = tsdb_wal_rec_begin(out, TSDB_WAL_SERIES);
    struct lbl_set ls = {0};
    lbl_set_add(&ls, "name", "s7");
    tsdb_wal_put_series(out, 7, &ls);
    lbl_set_free(&ls);
    tsdb_wal_rec_end(out, st);
    return 0;
}

START_TEST(checkpoint)
{
    char dir[64], path[128];
    hf_tmpdir(dir, sizeof(dir));
    static struct got g;
    struct tsdb_wal_replay_stats st;
    struct tsdb_wal *w = open_replay(dir, 0, &g, &st);
    struct lm_buf b;
    lm_buf_init(&b, 1 << 20);
    struct lm_err err = {0};
    for (uint32_t i = 0; i < 10; i++)
        batch(&b, i, true, 1000, 2);
    ck_assert_int_eq(tsdb_wal_write(w, b.data, b.len, 2000, &err), 0);
    /* nothing older than 1500 only: no checkpoint, but a new segment */
    ck_assert_int_eq(tsdb_wal_checkpoint(w, 1500, ckpt_cb, NULL, &err), 0);
    snprintf(path, sizeof(path), "%s/checkpoint.00000001", dir);
    ck_assert_int_ne(access(path, F_OK), 0);
    lm_buf_reset(&b);
    batch(&b, 7, false, 5000, 2);
    ck_assert_int_eq(tsdb_wal_write(w, b.data, b.len, 6000, &err), 0);
    ck_assert_int_eq(tsdb_wal_checkpoint(w, 3000, ckpt_cb, NULL, &err), 0);
    ck_assert_int_eq(access(path, F_OK), 0);
    snprintf(path, sizeof(path), "%s/00000001", dir);
    ck_assert_int_ne(access(path, F_OK), 0);   /* deleted */
    tsdb_wal_close(w);
    w = open_replay(dir, 0, &g, &st);
    ck_assert_uint_eq(g.nseries, 1);
    ck_assert_uint_eq(g.series[0], 7);
    ck_assert_uint_eq(g.n, 2);
    ck_assert_int_eq(g.t[0], 5000);
    tsdb_wal_close(w);
    lm_buf_cleanup(&b);
    hf_rmrf(dir);
}
END_TEST

START_TEST(write_error_is_reported)
{
    if (access("/dev/full", W_OK) != 0)
        ck_abort_msg("/dev/full is needed for this test");
    char dir[64], path[128];
    hf_tmpdir(dir, sizeof(dir));
    static struct got g;
    struct tsdb_wal_replay_stats st;
    struct tsdb_wal *w = open_replay(dir, 0, &g, &st);
    /* replace the open segment by /dev/full: writes fail with ENOSPC */
    snprintf(path, sizeof(path), "%s/00000001", dir);
    int fd = open("/dev/full", O_WRONLY);
    ck_assert_int_ge(fd, 0);
    struct lm_buf b;
    lm_buf_init(&b, 1 << 20);
    batch(&b, 1, true, 1000, 2);
    struct lm_err err = {0};
    /* the segment fd is private: swap it through dup2 on the lowest fd we can find */
    int segfd = -1;
    for (int i = 3; i < 64 && segfd < 0; i++) {
        char lp[64], tgt[256];
        snprintf(lp, sizeof(lp), "/proc/self/fd/%d", i);
        ssize_t k = readlink(lp, tgt, sizeof(tgt) - 1);
        if (k > 0) {
            tgt[k] = '\0';
            if (strstr(tgt, dir))
                segfd = i;
        }
    }
    ck_assert_int_ge(segfd, 0);
    ck_assert_int_eq(dup2(fd, segfd), segfd);
    close(fd);
    ck_assert_int_eq(tsdb_wal_write(w, b.data, b.len, 2000, &err), LM_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "No space"));
    tsdb_wal_close(w);
    lm_buf_cleanup(&b);
    hf_rmrf(dir);
}
END_TEST

static int
any_series(void *ctx, uint32_t ref, const struct lbl_set *ls)
{
    size_t *n = ctx;
    ck_assert_uint_gt(ls->n, 0);
    for (size_t i = 0; i < ls->n; i++)
        ck_assert_ptr_nonnull(ls->v[i].name);
    (*n)++;
    (void)ref;
    return 0;
}

static void
any_sample(void *ctx, uint32_t ref, int64_t t, double v)
{
    size_t *n = ctx;
    (*n)++;
    (void)ref, (void)t, (void)v;
}

START_TEST(garbage_never_crashes)
{
    /* mutated valid segments and random bytes (with valid CRCs re-applied half the
     * time, so the record decoders see garbage too): replay must not crash or loop */
    struct lm_buf good;
    lm_buf_init(&good, 1 << 20);
    ZSTD_CCtx *z = ZSTD_createCCtx();
    for (uint32_t i = 0; i < 30; i++) {
        size_t before = good.len;
        batch(&good, i, i < 10, 1000 * (int64_t)i, 1 + i % 4 + (i % 3 == 0 ? 20 : 0));
        if (i % 3 == 0) {
            /* the samples record (the last one) compressed */
            size_t st = before;
            while (st < good.len) {
                uint32_t len = (uint32_t)(unsigned char)good.data[st + 1] |
                               (uint32_t)(unsigned char)good.data[st + 2] << 8;
                if (st + TSDB_WAL_HDR + len == good.len)
                    break;
                st += TSDB_WAL_HDR + len;
            }
            size_t was = good.len;
            tsdb_wal_rec_compress(&good, st, z);
            ck_assert_uint_lt(good.len, was);
            ck_assert_uint_eq((unsigned char)good.data[st], TSDB_WAL_SAMPLES | TSDB_WAL_ZSTD);
        }
    }
    ZSTD_freeCCtx(z);
    /* the unmutated file replays whole */
    {
        char dir[64], path[128];
        hf_tmpdir(dir, sizeof(dir));
        snprintf(path, sizeof(path), "%s/00000001", dir);
        write_file(path, good.data, good.len);
        static struct got g;
        struct tsdb_wal_replay_stats st;
        struct tsdb_wal *w = open_replay(dir, 0, &g, &st);
        ck_assert_uint_eq(st.corruptions, 0);
        ck_assert_uint_eq(g.nseries, 10);
        ck_assert_uint_eq(g.n, 73 + 10 * 20);
        tsdb_wal_close(w);
        hf_rmrf(dir);
    }
    uint64_t seed = 11;
    unsigned char *buf = malloc(good.len + 64);
    for (int trial = 0; trial < 300; trial++) {
        char dir[64], path[128];
        hf_tmpdir(dir, sizeof(dir));
        size_t n = good.len;
        memcpy(buf, good.data, n);
        for (int k = 0; k < 1 + trial % 8; k++)
            buf[hf_rand(&seed) % n] = (unsigned char)hf_rand(&seed);
        if (trial % 2) {
            /* fix up CRCs record by record where the length still fits */
            size_t pos = 0;
            while (pos + TSDB_WAL_HDR <= n) {
                uint32_t len = (uint32_t)buf[pos + 1] | (uint32_t)buf[pos + 2] << 8 |
                               (uint32_t)buf[pos + 3] << 16 | (uint32_t)buf[pos + 4] << 24;
                if (len > n - pos - TSDB_WAL_HDR)
                    break;
                struct lm_buf one;
                lm_buf_init(&one, 1 << 20);
                size_t st = tsdb_wal_rec_begin(&one, buf[pos]);
                lm_buf_append(&one, buf + pos + TSDB_WAL_HDR, len);
                tsdb_wal_rec_end(&one, st);
                memcpy(buf + pos, one.data, one.len);
                lm_buf_cleanup(&one);
                pos += TSDB_WAL_HDR + len;
            }
        }
        snprintf(path, sizeof(path), "%s/00000001", dir);
        write_file(path, buf, n);
        struct lm_err err = {0};
        struct tsdb_wal *w = tsdb_wal_open(dir, 0, NULL, &err);
        size_t cnt = 0;
        struct tsdb_wal_replay_cb cb = {&cnt, any_series, any_sample};
        struct tsdb_wal_replay_stats st;
        ck_assert_int_eq(tsdb_wal_replay(w, &cb, &st, &err), 0);
        ck_assert_uint_le(st.samples, 1000);
        tsdb_wal_close(w);
        hf_rmrf(dir);
    }
    free(buf);
    lm_buf_cleanup(&good);
}
END_TEST

Suite *
wal_suite(void)
{
    Suite *s = suite_create("wal");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, write_replay_segments);
    tcase_add_test(tc, torn_tail_random);
    tcase_add_test(tc, corrupt_middle);
    tcase_add_test(tc, checkpoint);
    tcase_add_test(tc, write_error_is_reported);
    tcase_add_test(tc, garbage_never_crashes);
    suite_add_tcase(s, tc);
    return s;
}

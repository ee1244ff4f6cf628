/* SPDX-License-Identifier: Apache-2.0 */
/* test_tsdb.c: the database object: restarts keep every committed sample (WAL replay,
 * after block cuts and checkpoints too; a writer killed with SIGKILL 20 times loses no
 * acknowledged sample); a WAL cut at random offsets keeps every
 * earlier commit; the data dir lock; a dir that cannot be created is a clean error; appenders in
 * threads while others query (run under ASan); the prometheus_tsdb_* metrics. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flint/tsdb/tsdb.h"
#include "head_fixture.h"
#include "lm/alloc.h"
#include "lm/buf.h"
#include "lm/expo.h"
#include "lm/registry.h"

Suite *tsdb_suite(void);

/* commit_batch: one commit of sample k (t = t0 + k*step, v = k) for series 0..ns-1. */
static void
commit_batch(struct tsdb *db, size_t ns, size_t k, int64_t t0, int64_t step, uint64_t *refs)
{
    struct tsdb_app *a = tsdb_appender(db);
    ck_assert_ptr_nonnull(a);
    for (size_t i = 0; i < ns; i++) {
        int rc;
        if (refs && refs[i]) {
            rc = tsdb_app_add_ref(a, refs[i], t0 + (int64_t)k * step, (double)k);
        } else {
            struct lbl_set ls = {0};
            char spec[128];
            snprintf(spec, sizeof(spec), "__name__=m,i=%zu,job=j%zu", i, i % 7);
            hf_labels(&ls, spec);
            rc = tsdb_app_add(a, &ls, t0 + (int64_t)k * step, (double)k, refs ? &refs[i] : NULL);
            lbl_set_free(&ls);
        }
        ck_assert_int_eq(rc, 0);
    }
    struct lm_err err = {0};
    ck_assert_int_eq(tsdb_app_commit(a, &err), 0);
}

/* verify: every series 0..ns-1 holds samples 0..nk-1 exactly. */
static void
verify(struct tsdb *db, size_t ns, size_t nk, int64_t t0, int64_t step)
{
    struct lbl_matcher m;
    hf_matcher(&m, "__name__", "=", "m");
    struct lm_err err = {0};
    struct tsdb_q *q = tsdb_querier(db, INT64_MIN, INT64_MAX, &err);
    struct tsdb_ss *ss = tsdb_q_select(q, &m, 1, &err);
    ck_assert_ptr_nonnull(ss);
    size_t seen = 0;
    while (tsdb_ss_next(ss)) {
        seen++;
        struct tsdb_it *it = tsdb_ss_iter(ss);
        int64_t t;
        double v;
        size_t k = 0;
        while (tsdb_it_next(it, &t, &v)) {
            ck_assert_int_eq(t, t0 + (int64_t)k * step);
            ck_assert(v == (double)k);
            k++;
        }
        ck_assert_uint_eq(k, nk);
    }
    ck_assert_uint_eq(seen, nk ? ns : 0);
    tsdb_ss_free(ss);
    tsdb_q_close(q);
    lbl_matcher_free(&m);
}

START_TEST(restart_keeps_data)
{
    /* _i = 1: with WAL compression (zstd records), switched off again at the end */
    char dir[64];
    hf_tmpdir(dir, sizeof(dir));
    const int64_t t0 = 1700000000000LL, step = 15000;
    bool z = _i == 1;
    struct tsdb *db = hf_open2(dir, 0, z);
    uint64_t refs[100] = {0};
    for (size_t k = 0; k < 50; k++)
        commit_batch(db, 100, k, t0, step, refs);
    struct tsdb_stats st;
    ck_assert_int_eq(tsdb_stats(db, &st), 0);
    if (z)
        ck_assert_uint_lt(st.wal_bytes, 30000);
    else
        ck_assert_uint_gt(st.wal_bytes, 50 * 100 * 10);
    tsdb_stats_free(&st);
    tsdb_close(db);
    db = hf_open2(dir, 0, z);
    verify(db, 100, 50, t0, step);
    /* keep appending after the restart (new refs), restart again */
    for (size_t k = 50; k < 80; k++)
        commit_batch(db, 100, k, t0, step, NULL);
    tsdb_close(db);
    db = hf_open2(dir, 0, !z);
    verify(db, 100, 80, t0, step);
    tsdb_close(db);
    hf_rmrf(dir);
}
END_TEST

START_TEST(restart_after_cuts)
{
    /* 10 min blocks, 4 h of data at 15 s: many cuts, checkpoints, compactions */
    char dir[64];
    hf_tmpdir(dir, sizeof(dir));
    const int64_t t0 = 1700000000000LL, step = 15000, R = 600000;
    struct tsdb *db = hf_open(dir, R);
    uint64_t refs[20] = {0};
    struct lm_err err = {0};
    for (size_t k = 0; k < 960; k++) {
        commit_batch(db, 20, k, t0, step, refs);
        if (k % 40 == 39)
            ck_assert_int_eq(tsdb_compact(db, false, &err), 0);
    }
    struct tsdb_stats st;
    ck_assert_int_eq(tsdb_stats(db, &st), 0);
    ck_assert_uint_gt(st.blocks, 0);
    ck_assert_uint_lt(st.head_samples, 20 * 960);   /* most went to blocks */
    tsdb_stats_free(&st);
    verify(db, 20, 960, t0, step);
    tsdb_close(db);
    /* the WAL was checkpointed: few segments remain */
    char wal[128];
    snprintf(wal, sizeof(wal), "%s/wal", dir);
    DIR *d = opendir(wal);
    ck_assert_ptr_nonnull(d);
    int nseg = 0, nckpt = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        nseg += strlen(de->d_name) == 8;
        nckpt += !strncmp(de->d_name, "checkpoint.", 11);
    }
    closedir(d);
    ck_assert_int_eq(nckpt, 1);
    ck_assert_int_lt(nseg, 30);
    db = hf_open(dir, R);
    verify(db, 20, 960, t0, step);
    for (size_t k = 960; k < 1000; k++)
        commit_batch(db, 20, k, t0, step, NULL);
    tsdb_close(db);
    db = hf_open(dir, R);
    verify(db, 20, 1000, t0, step);
    tsdb_close(db);
    hf_rmrf(dir);
}
END_TEST

static void
copy_file(const char *from, const char *to, off_t len)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "head -c %lld '%s' > '%s'", (long long)len, from, to);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(torn_wal_keeps_prefix)
{
    /* commits of 10 series; after each, note the WAL size; then for random cut
     * points restore a copy of the WAL cut there: every commit that ended before the
     * cut must be back, none after it */
    char dir[64], seg[128], saved[128];
    hf_tmpdir(dir, sizeof(dir));
    const int64_t t0 = 1000000, step = 1000;
    struct tsdb *db = hf_open(dir, 0);
    snprintf(seg, sizeof(seg), "%s/wal/00000001", dir);
    off_t ends[60];
    for (size_t k = 0; k < 60; k++) {
        commit_batch(db, 10, k, t0, step, NULL);
        struct stat sb;
        ck_assert_int_eq(stat(seg, &sb), 0);
        ends[k] = sb.st_size;
    }
    tsdb_close(db);
    snprintf(saved, sizeof(saved), "%s.saved", dir);
    copy_file(seg, saved, ends[59]);
    uint64_t seed = 3;
    for (int trial = 0; trial < 15; trial++) {
        hf_rmrf(dir);
        ck_assert_int_eq(mkdir(dir, 0755), 0);
        char wal[128];
        snprintf(wal, sizeof(wal), "%s/wal", dir);
        ck_assert_int_eq(mkdir(wal, 0755), 0);
        off_t cut = (off_t)(hf_rand(&seed) % (uint32_t)ends[59]);
        copy_file(saved, seg, cut);
        size_t whole = 0;
        while (whole < 60 && ends[whole] <= cut)
            whole++;
        db = hf_open(dir, 0);
        verify(db, 10, whole, t0, step);
        tsdb_close(db);
    }
    unlink(saved);
    hf_rmrf(dir);
}
END_TEST

START_TEST(lock_and_errors)
{
    char dir[64];
    hf_tmpdir(dir, sizeof(dir));
    struct tsdb *db = hf_open(dir, 0);
    struct tsdb_opts o = {.dir = dir};
    struct lm_err err = {0};
    ck_assert_ptr_null(tsdb_open(&o, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "locked"));
    tsdb_close(db);
    db = hf_open(dir, 0);   /* the lock goes with the db */
    tsdb_close(db);
    /* a data dir that cannot be created (a file is in the way): a clean error */
    char file[128], inner[160];
    snprintf(file, sizeof(file), "%s/file", dir);
    FILE *f = fopen(file, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    snprintf(inner, sizeof(inner), "%s/data", file);
    o.dir = inner;
    memset(&err, 0, sizeof(err));
    ck_assert_ptr_null(tsdb_open(&o, &err));
    ck_assert_int_eq(err.code, LM_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "Not a directory"));
    hf_rmrf(dir);
}
END_TEST

START_TEST(disk_full_commit)
{
    /* the WAL segment behind /dev/full: commit fails with LM_EIO and a clear message,
     * nothing of it becomes visible, what was stored stays readable */
    ck_assert_int_eq(access("/dev/full", W_OK), 0);
    char dir[64];
    hf_tmpdir(dir, sizeof(dir));
    struct tsdb *db = hf_open(dir, 0);
    commit_batch(db, 3, 0, 1000, 1000, NULL);
    int segfd = -1;
    for (int i = 3; i < 256 && segfd < 0; i++) {
        char lp[64], tgt[256];
        snprintf(lp, sizeof(lp), "/proc/self/fd/%d", i);
        ssize_t k = readlink(lp, tgt, sizeof(tgt) - 1);
        if (k > 0) {
            tgt[k] = '\0';
            if (strstr(tgt, dir) && strstr(tgt, "/wal/0"))
                segfd = i;
        }
    }
    ck_assert_int_ge(segfd, 0);
    int full = open("/dev/full", O_WRONLY);
    ck_assert_int_eq(dup2(full, segfd), segfd);
    close(full);
    struct tsdb_app *a = tsdb_appender(db);
    struct lbl_set ls = {0};
    hf_labels(&ls, "__name__=m,i=0,job=j0");
    ck_assert_int_eq(tsdb_app_add(a, &ls, 2000, 1, NULL), 0);
    hf_labels(&ls, "__name__=m,i=9,job=j2");
    ck_assert_int_eq(tsdb_app_add(a, &ls, 2000, 1, NULL), 0);
    lbl_set_free(&ls);
    struct lm_err err = {0};
    ck_assert_int_eq(tsdb_app_commit(a, &err), LM_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "No space left"));
    verify(db, 3, 1, 1000, 1000);   /* the new series and sample are not there */
    tsdb_close(db);
    hf_rmrf(dir);
}
END_TEST

START_TEST(oom_open_append)
{
    /* fail the Nth allocation of open (with a WAL to replay), append and commit: clean
     * errors, no crash, no leak (ASan) */
    char dir[64];
    hf_tmpdir(dir, sizeof(dir));
    struct tsdb *db = hf_open(dir, 0);
    commit_batch(db, 20, 0, 1000, 1000, NULL);
    tsdb_close(db);
    int opened = 0;
    for (long n = 1; n < 400; n += 3) {
        struct tsdb_opts o = {.dir = dir};
        struct lm_err err = {0};
        lm_alloc_fail_after(n);
        db = tsdb_open(&o, &err);
        if (db) {
            opened++;
            struct tsdb_app *a = tsdb_appender(db);
            if (a) {
                struct lbl_set ls = {0};
                lm_alloc_fail_after(0);
                hf_labels(&ls, "__name__=oom,x=1");
                lm_alloc_fail_after(3);
                int rc = tsdb_app_add(a, &ls, 5000 + n, 1, NULL);
                if (rc == 0)
                    rc = tsdb_app_commit(a, &err);
                else
                    tsdb_app_rollback(a);
                lm_alloc_fail_after(0);
                lbl_set_free(&ls);
            }
            lm_alloc_fail_after(0);
            tsdb_close(db);
        } else {
            ck_assert_int_ne(err.code, 0);
        }
        lm_alloc_fail_after(0);
    }
    ck_assert_int_gt(opened, 0);
    db = hf_open(dir, 0);
    verify(db, 20, 1, 1000, 1000);
    tsdb_close(db);
    hf_rmrf(dir);
}
END_TEST

struct thr {
    struct tsdb *db;
    int id;
    size_t batches;
    volatile int *stop;
};

static void *
appender_thread(void *arg)
{
    struct thr *t = arg;
    uint64_t refs[200] = {0};
    for (size_t k = 0; k < t->batches; k++) {
        struct tsdb_app *a = tsdb_appender(t->db);
        for (size_t i = 0; i < 200; i++) {
            int rc;
            if (refs[i]) {
                rc = tsdb_app_add_ref(a, refs[i], 1000 + (int64_t)k * 1000, (double)k);
            } else {
                struct lbl_set ls = {0};
                char spec[128];
                snprintf(spec, sizeof(spec), "__name__=c,i=%zu,t=%d", i, t->id);
                hf_labels(&ls, spec);
                rc = tsdb_app_add(a, &ls, 1000 + (int64_t)k * 1000, (double)k, &refs[i]);
                lbl_set_free(&ls);
            }
            if (rc)
                return (void *)1;
        }
        struct lm_err err = {0};
        if (tsdb_app_commit(a, &err))
            return (void *)2;
    }
    return NULL;
}

static void *
query_thread(void *arg)
{
    struct thr *t = arg;
    struct lbl_matcher m;
    hf_matcher(&m, "__name__", "=~", "c|d");
    while (!*t->stop) {
        size_t samples;
        size_t ns = hf_count(t->db, &m, 1, INT64_MIN, INT64_MAX, &samples);
        if (ns > 800)
            return (void *)3;
        struct lm_err err = {0};
        struct tsdb_q *q = tsdb_querier(t->db, 0, INT64_MAX, &err);
        char **v;
        size_t n;
        if (tsdb_q_label_values(q, "i", NULL, 0, &v, &n, &err) == 0)
            tsdb_strv_free(v, n);
        tsdb_q_close(q);
        struct tsdb_stats st;
        if (tsdb_stats(t->db, &st) == 0)
            tsdb_stats_free(&st);
    }
    lbl_matcher_free(&m);
    return NULL;
}

START_TEST(concurrent_append_query)
{
    char dir[64];
    hf_tmpdir(dir, sizeof(dir));
    struct tsdb *db = hf_open(dir, 0);
    volatile int stop = 0;
    struct thr th[6];
    pthread_t tid[6];
    for (int i = 0; i < 6; i++) {
        th[i] = (struct thr){db, i, 150, &stop};
        ck_assert_int_eq(pthread_create(&tid[i], NULL, i < 4 ? appender_thread : query_thread,
                                        &th[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        void *rv;
        pthread_join(tid[i], &rv);
        ck_assert_ptr_null(rv);
    }
    stop = 1;
    for (int i = 4; i < 6; i++) {
        void *rv;
        pthread_join(tid[i], &rv);
        ck_assert_ptr_null(rv);
    }
    struct lbl_matcher m;
    hf_matcher(&m, "__name__", "=", "c");
    size_t samples;
    ck_assert_uint_eq(hf_count(db, &m, 1, INT64_MIN, INT64_MAX, &samples), 800);
    ck_assert_uint_eq(samples, 800 * 150);
    tsdb_close(db);
    db = hf_open(dir, 0);
    ck_assert_uint_eq(hf_count(db, &m, 1, INT64_MIN, INT64_MAX, &samples), 800);
    ck_assert_uint_eq(samples, 800 * 150);
    lbl_matcher_free(&m);
    tsdb_close(db);
    hf_rmrf(dir);
}
END_TEST

START_TEST(metrics)
{
    char dir[64];
    hf_tmpdir(dir, sizeof(dir));
    struct tsdb *db = hf_open(dir, 0);
    commit_batch(db, 5, 0, 1000, 1000, NULL);
    commit_batch(db, 5, 1, 1000, 1000, NULL);
    struct lm_registry *r = lm_registry_new();
    ck_assert_int_eq(tsdb_register_metrics(db, r), 0);
    struct lm_buf b;
    lm_buf_init(&b, 1 << 20);
    struct lm_err err = {0};
    ck_assert_int_eq(lm_expo_write(r, LM_FORMAT_TEXT, &b, &err), 0);
    const char *page = lm_buf_cstr(&b);
    ck_assert_ptr_nonnull(strstr(page, "\nprometheus_tsdb_head_series 5\n"));
    ck_assert_ptr_nonnull(
        strstr(page, "\nprometheus_tsdb_head_samples_appended_total{type=\"float\"} 10\n"));
    ck_assert_ptr_nonnull(strstr(page, "\nprometheus_tsdb_wal_corruptions_total 0\n"));
    ck_assert_ptr_nonnull(strstr(page, "\nprometheus_tsdb_blocks_loaded 0\n"));
    ck_assert_ptr_nonnull(strstr(page, "\nprometheus_tsdb_head_chunks 5\n"));
    ck_assert_ptr_nonnull(strstr(page, "\nprometheus_tsdb_head_max_time 2000\n"));
    lm_buf_cleanup(&b);
    lm_registry_free(r);
    tsdb_close(db);
    hf_rmrf(dir);
}
END_TEST

static void *
compact_thread(void *arg)
{
    struct lm_err err = {0};
    return (void *)(intptr_t)tsdb_compact(arg, true, &err);
}

START_TEST(query_across_cut)
{
    /* a querier opened before a cut keeps seeing the cut range: the head waits for it */
    char dir[64];
    hf_tmpdir(dir, sizeof(dir));
    const int64_t t0 = 0, step = 60000, R = 3600000;
    struct tsdb *db = hf_open(dir, R);
    for (size_t k = 0; k < 150; k++)
        commit_batch(db, 5, k, t0, step, NULL);
    struct lbl_matcher m;
    hf_matcher(&m, "__name__", "=", "m");
    struct lm_err err = {0};
    struct tsdb_q *q = tsdb_querier(db, INT64_MIN, INT64_MAX, &err);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, compact_thread, db), 0);
    usleep(300000);   /* the block is written; the truncation waits for q */
    struct tsdb_ss *ss = tsdb_q_select(q, &m, 1, &err);
    size_t n = 0;
    while (tsdb_ss_next(ss)) {
        struct tsdb_it *it = tsdb_ss_iter(ss);
        int64_t t;
        double v;
        while (tsdb_it_next(it, &t, &v))
            n++;
    }
    ck_assert_uint_eq(n, 5 * 150);
    tsdb_ss_free(ss);
    tsdb_q_close(q);
    void *rv;
    pthread_join(th, &rv);
    ck_assert_ptr_null(rv);
    struct tsdb_stats st;
    ck_assert_int_eq(tsdb_stats(db, &st), 0);
    ck_assert_uint_ge(st.blocks, 1);
    ck_assert_uint_lt(st.head_samples, 5 * 150);
    tsdb_stats_free(&st);
    verify(db, 5, 150, t0, step);
    lbl_matcher_free(&m);
    tsdb_close(db);
    hf_rmrf(dir);
}
END_TEST

/* crash_child: append rounds of 10 series forever, reporting each acknowledged
 * (committed) batch number on fd; cut blocks now and then. Never returns. */
static void
crash_child(const char *dir, int round, int fd)
{
    struct tsdb_opts o = {.dir = dir, .block_range_ms = 60000};
    struct lm_err err = {0};
    struct tsdb *db = tsdb_open(&o, &err);
    if (!db)
        _exit(3);
    uint64_t refs[10] = {0};
    for (int64_t k = 0; k < 900; k++) {
        struct tsdb_app *a = tsdb_appender(db);
        for (int i = 0; i < 10; i++) {
            int64_t t = 1000000000LL + round * 1000000LL + k * 1000;
            if (refs[i] && tsdb_app_add_ref(a, refs[i], t, (double)k) == 0)
                continue;
            struct lbl_set ls = {0};
            char spec[96];
            snprintf(spec, sizeof(spec), "__name__=crash,i=%d,round=%d", i, round);
            hf_labels(&ls, spec);
            if (tsdb_app_add(a, &ls, t, (double)k, &refs[i]))
                _exit(4);
            lbl_set_free(&ls);
        }
        if (tsdb_app_commit(a, &err))
            _exit(5);
        if (write(fd, &k, sizeof(k)) != sizeof(k))
            _exit(6);
        if (k == (round % 3 == 2 ? 100 : 600))
            tsdb_compact(db, false, &err);   /* blocks, checkpoint: slow (fsync) */
        usleep(150);   /* spread the commits so kills land between and inside them */
    }
    for (;;)
        pause();
}

START_TEST(crash_kill9)
{
    char dir[64];
    hf_tmpdir(dir, sizeof(dir));
    int64_t acked[20];
    uint64_t seed = 77;
    for (int r = 0; r < 20; r++) {
        int p[2];
        ck_assert_int_eq(pipe(p), 0);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            close(p[0]);
            crash_child(dir, r, p[1]);
        }
        close(p[1]);
        acked[r] = -1;
        int64_t k;
        if (r % 4 != 3) {
            /* wait for the first commit (start-up may be slow under ASan), then kill
             * at a random moment; every 4th round kills at any time, start-up too */
            struct pollfd pf = {p[0], POLLIN, 0};
            ck_assert_int_eq(poll(&pf, 1, 60000), 1);
            ck_assert_int_eq(read(p[0], &k, sizeof(k)), sizeof(k));
            acked[r] = k;
        }
        usleep(hf_rand(&seed) % 150000);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        ck_assert(WIFSIGNALED(status));
        while (read(p[0], &k, sizeof(k)) == sizeof(k))
            acked[r] = k;
        close(p[0]);
        /* every acknowledged batch of every round so far is there, in order */
        struct tsdb *db = hf_open(dir, 60000);
        for (int rr = 0; rr <= r; rr++) {
            struct lbl_matcher m[2];
            char rv[16];
            snprintf(rv, sizeof(rv), "%d", rr);
            hf_matcher(&m[0], "__name__", "=", "crash");
            hf_matcher(&m[1], "round", "=", rv);
            struct lm_err err = {0};
            struct tsdb_q *q = tsdb_querier(db, INT64_MIN, INT64_MAX, &err);
            struct tsdb_ss *ss = tsdb_q_select(q, m, 2, &err);
            ck_assert_ptr_nonnull(ss);
            int nser = 0;
            while (tsdb_ss_next(ss)) {
                nser++;
                struct tsdb_it *it = tsdb_ss_iter(ss);
                int64_t t, want = 0;
                double v;
                while (tsdb_it_next(it, &t, &v)) {
                    ck_assert_int_eq(t, 1000000000LL + rr * 1000000LL + want * 1000);
                    ck_assert(v == (double)want);
                    want++;
                }
                ck_assert_msg(want > acked[rr], "round %d: %lld samples, %lld acknowledged",
                              rr, (long long)want, (long long)acked[rr] + 1);
            }
            if (acked[rr] >= 0)
                ck_assert_int_eq(nser, 10);
            tsdb_ss_free(ss);
            tsdb_q_close(q);
            lbl_matcher_free(&m[0]);
            lbl_matcher_free(&m[1]);
        }
        tsdb_close(db);
    }
    int total = 0;
    for (int r = 0; r < 20; r++)
        total += acked[r] >= 0;
    if (getenv("HF_DEBUG"))
        for (int r = 0; r < 20; r++)
            fprintf(stderr, "round %d acked %lld\n", r, (long long)acked[r]);
    ck_assert_int_ge(total, 10);   /* most rounds got commits in before the kill */
    hf_rmrf(dir);
}
END_TEST

Suite *
tsdb_suite(void)
{
    Suite *s = suite_create("tsdb");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, restart_keeps_data, 0, 2);
    tcase_add_test(tc, restart_after_cuts);
    tcase_add_test(tc, torn_wal_keeps_prefix);
    tcase_add_test(tc, lock_and_errors);
    tcase_add_test(tc, disk_full_commit);
    tcase_add_test(tc, oom_open_append);
    tcase_add_test(tc, concurrent_append_query);
    tcase_add_test(tc, metrics);
    tcase_add_test(tc, crash_kill9);
    tcase_add_test(tc, query_across_cut);
    suite_add_tcase(s, tc);
    return s;
}

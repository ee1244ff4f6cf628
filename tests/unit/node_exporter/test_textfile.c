/* SPDX-License-Identifier: Apache-2.0 */
/* test_textfile.c: unit tests for the textfile collector on fixture directories under
 * tests/fixtures/node_exporter/textfile/ with golden output (mtime values masked): good
 * files, broken/timestamped files reported and skipped, HELP/TYPE conflicts across files,
 * the cache (re-parse on change, eviction), an empty or missing directory, a glob, and
 * an allocation-failure torture run. */
#include <stdlib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "harness.h"
#include "lm/alloc.h"
#include "lm/log.h"

extern const struct lm_collector_desc ne_textfile_collector;

#define TF NE_FIX "/textfile"

/* A collector instance with its flags and a logger writing to a temp file. */
struct tf {
    struct lm_flags *flags;    /* parsed flags */
    FILE *logf;                /* log output */
    struct lm_log *log;        /* logger on logf */
    void *state;               /* collector state */
};

static void
tf_open(struct tf *t, const char *dir)
{
    char arg[512];
    snprintf(arg, sizeof arg, "--collector.textfile.directory=%s", dir);
    char *argv[] = {(char *)"node_exporter", arg, NULL};
    t->flags = lm_flags_new("node_exporter", "test");
    ck_assert_ptr_nonnull(t->flags);
    ck_assert_int_eq(lm_flags_add_table(t->flags, ne_textfile_collector.flags), 0);
    bool exit_now = false;
    struct lm_err err = {0};
    ck_assert_int_eq(lm_flags_parse(t->flags, 2, argv, stderr, &exit_now, &err), 0);
    t->logf = tmpfile();
    ck_assert_ptr_nonnull(t->logf);
    t->log = lm_log_new(t->logf, LM_LOG_DEBUG, LM_LOG_LOGFMT);
    ck_assert_ptr_nonnull(t->log);
    struct lm_collect_ctx ctx = {.flags = t->flags, .log = t->log};
    ck_assert_int_eq(ne_textfile_collector.init(&t->state, &ctx, &err), 0);
}

static void
tf_close(struct tf *t)
{
    ne_textfile_collector.fini(t->state);
    lm_log_free(t->log);
    fclose(t->logf);
    lm_flags_free(t->flags);
}

/* tf_collect: one scrape into out (text), with mtime values replaced by "MTIME". */
static int
tf_collect(struct tf *t, struct lm_buf *out)
{
    struct lm_collect_ctx ctx = {.flags = t->flags, .log = t->log};
    struct lm_emit *e = lm_emit_new(LM_FORMAT_TEXT);
    ck_assert_ptr_nonnull(e);
    struct lm_err err = {0};
    int rc = ne_textfile_collector.collect(t->state, &ctx, e, &err);
    struct lm_buf raw;
    lm_buf_init(&raw, LM_LIMIT_EXPO_BYTES);
    lm_emit_finish(e, &raw);
    lm_emit_free(e);
    lm_buf_init(out, LM_LIMIT_EXPO_BYTES);
    const char *s = lm_buf_cstr(&raw);
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) + 1 : strlen(s);
        if (strncmp(s, "node_textfile_mtime_seconds{", 28) == 0) {
            const char *sp = memrchr(s, ' ', n);
            lm_buf_append(out, s, (size_t)(sp - s));
            lm_buf_puts(out, " MTIME\n");
        } else {
            lm_buf_append(out, s, n);
        }
        s += n;
    }
    lm_buf_cleanup(&raw);
    return rc;
}

/* tf_log: everything logged so far. */
static const char *
tf_log(struct tf *t)
{
    static char buf[16384];
    fflush(t->logf);
    rewind(t->logf);
    size_t n = fread(buf, 1, sizeof buf - 1, t->logf);
    buf[n] = '\0';
    return buf;
}

static void
golden_case(const char *dir, const char *golden, const char *log_has)
{
    struct tf t;
    struct lm_buf out;
    tf_open(&t, dir);
    ck_assert_int_eq(tf_collect(&t, &out), 0);
    ne_golden(golden, &out);
    lm_buf_cleanup(&out);
    if (log_has)
        ck_assert_msg(strstr(tf_log(&t), log_has), "log lacks %s:\n%s", log_has, tf_log(&t));
    tf_close(&t);
}

START_TEST(good)
{
    golden_case(TF "/good", "textfile/good.expected", NULL);
}
END_TEST

START_TEST(bad)
{
    golden_case(TF "/bad", "textfile/bad.expected",
                "err=\"" TF "/bad/broken.prom:2:14: ");
    struct tf t;
    struct lm_buf out;
    tf_open(&t, TF "/bad");
    tf_collect(&t, &out);
    const char *log = tf_log(&t);
    ck_assert_ptr_nonnull(strstr(log, "file=timestamped.prom"));
    ck_assert_ptr_nonnull(strstr(log, "contains unsupported client-side timestamps"));
    ck_assert_ptr_nonnull(strstr(log, "second HELP line for metric name \\\"dup\\\""));
    lm_buf_cleanup(&out);
    tf_close(&t);
}
END_TEST

START_TEST(conflict)
{
    golden_case(TF "/conflict", "textfile/conflict.expected", "metric=x file=" TF "/conflict/b.prom");
}
END_TEST

START_TEST(glob)
{
    golden_case(TF "/goo?", "textfile/good.expected", NULL);
}
END_TEST

START_TEST(empty_and_missing)
{
    struct tf t;
    struct lm_buf out;
    tf_open(&t, "");
    ck_assert_int_eq(tf_collect(&t, &out), 0);
    ck_assert_str_eq(lm_buf_cstr(&out),
                     "# HELP node_textfile_scrape_error 1 if there was an error opening or "
                     "reading a file, 0 otherwise\n# TYPE node_textfile_scrape_error gauge\n"
                     "node_textfile_scrape_error 0\n");
    lm_buf_cleanup(&out);
    tf_close(&t);
    tf_open(&t, TF "/nonexistent");
    ck_assert_int_eq(tf_collect(&t, &out), 0);
    ck_assert_ptr_nonnull(strstr(lm_buf_cstr(&out), "node_textfile_scrape_error 1\n"));
    ck_assert_ptr_nonnull(strstr(tf_log(&t), "failed to read textfile collector directory"));
    lm_buf_cleanup(&out);
    tf_close(&t);
}
END_TEST

static void
write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs(text, fp);
    fclose(fp);
}

START_TEST(cache)
{
    char dir[] = "/tmp/ne_textfile_XXXXXX", path[128];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/m.prom", dir);
    write_file(path, "m 1\n");
    struct tf t;
    struct lm_buf out;
    tf_open(&t, dir);
    tf_collect(&t, &out);
    ck_assert_ptr_nonnull(strstr(lm_buf_cstr(&out), "\nm 1\n"));
    lm_buf_cleanup(&out);
    tf_collect(&t, &out);   /* cached */
    ck_assert_ptr_nonnull(strstr(lm_buf_cstr(&out), "\nm 1\n"));
    lm_buf_cleanup(&out);
    /* same size, new content and mtime: must be re-read */
    write_file(path, "m 2\n");
    struct timespec ts[2] = {{0, UTIME_OMIT}, {1000000000, 0}};
    utimensat(AT_FDCWD, path, ts, 0);
    tf_collect(&t, &out);
    ck_assert_ptr_nonnull(strstr(lm_buf_cstr(&out), "\nm 2\n"));
    ck_assert_ptr_nonnull(strstr(lm_buf_cstr(&out), "node_textfile_mtime_seconds{file=\""));
    lm_buf_cleanup(&out);
    write_file(path, "m{\n");   /* now broken: reported, nothing served */
    tf_collect(&t, &out);
    ck_assert_ptr_null(strstr(lm_buf_cstr(&out), "\nm "));
    ck_assert_ptr_nonnull(strstr(lm_buf_cstr(&out), "node_textfile_scrape_error 1\n"));
    lm_buf_cleanup(&out);
    write_file(path, "m{a=\"b\"} 3\n");   /* fixed again */
    tf_collect(&t, &out);
    ck_assert_ptr_nonnull(strstr(lm_buf_cstr(&out), "\nm{a=\"b\"} 3\n"));
    ck_assert_ptr_nonnull(strstr(lm_buf_cstr(&out), "node_textfile_scrape_error 0\n"));
    lm_buf_cleanup(&out);
    unlink(path);           /* gone: evicted, no error */
    tf_collect(&t, &out);
    ck_assert_ptr_nonnull(strstr(lm_buf_cstr(&out), "node_textfile_scrape_error 0\n"));
    lm_buf_cleanup(&out);
    tf_close(&t);
    rmdir(dir);
}
END_TEST

/* Fail allocation N = 1, 2, ... inside collect until a scrape succeeds: never a crash,
 * and (under ASan) never a leak; the last run must match the golden output. */
START_TEST(oom)
{
    for (long n = 1; n < 100000; n++) {
        struct tf t;
        struct lm_buf out;
        tf_open(&t, TF "/good");
        struct lm_collect_ctx ctx = {.flags = t.flags, .log = t.log};
        struct lm_emit *e = lm_emit_new(LM_FORMAT_TEXT);
        ck_assert_ptr_nonnull(e);
        struct lm_err err = {0};
        lm_alloc_fail_after(n);
        int rc = ne_textfile_collector.collect(t.state, &ctx, e, &err);
        lm_alloc_fail_after(0);
        lm_emit_free(e);
        if (rc == 0) {
            /* state is intact: the next scrape is complete */
            ck_assert_int_eq(tf_collect(&t, &out), 0);
            ne_golden("textfile/good.expected", &out);
            lm_buf_cleanup(&out);
            tf_close(&t);
            return;
        }
        ck_assert_int_eq(rc, LM_ENOMEM);
        ck_assert_int_eq(tf_collect(&t, &out), 0);   /* and it recovers */
        ne_golden("textfile/good.expected", &out);
        lm_buf_cleanup(&out);
        tf_close(&t);
    }
    ck_abort_msg("collect never succeeded");
}
END_TEST

Suite *textfile_suite(void);

Suite *
textfile_suite(void)
{
    Suite *s = suite_create("textfile");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, good);
    tcase_add_test(tc, bad);
    tcase_add_test(tc, conflict);
    tcase_add_test(tc, glob);
    tcase_add_test(tc, empty_and_missing);
    tcase_add_test(tc, cache);
    tcase_add_test(tc, oom);
    suite_add_tcase(s, tc);
    return s;
}

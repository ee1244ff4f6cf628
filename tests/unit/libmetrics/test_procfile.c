/* SPDX-License-Identifier: Apache-2.0 */
/* test_procfile.c: unit tests for lm/procfile.h: line/word splitting, bounds-checked
 * accessors, re-reads into the same buffers, missing files, the number parsers and the
 * one-value readers. Files are written to a private temporary directory. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "lm/procfile.h"

static char tmpdir[64];

static void
setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/lm_procfile_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* put: write content (n bytes) to tmpdir/name; returns the path in a static-free buffer */
static const char *
put(const char *name, const char *content, size_t n, char *path, size_t pathsz)
{
    snprintf(path, pathsz, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(content, 1, n, f), n);
    fclose(f);
    return path;
}

START_TEST(split_lines_and_words)
{
    char path[256];
    const char *c = "cpu  1 2\t3\n\nintr 5\nlast no newline";
    put("stat", c, strlen(c), path, sizeof path);
    struct lm_procfile *pf = lm_procfile_new(NULL);
    struct lm_err err = {0};
    ck_assert_int_eq(lm_procfile_read(pf, path, &err), 0);
    ck_assert_uint_eq(lm_procfile_lines(pf), 4);
    ck_assert_uint_eq(lm_procfile_words(pf, 0), 4);
    ck_assert_str_eq(lm_procfile_word(pf, 0, 0), "cpu");
    ck_assert_str_eq(lm_procfile_word(pf, 0, 3), "3");
    ck_assert_uint_eq(lm_procfile_words(pf, 1), 0);
    ck_assert_str_eq(lm_procfile_line(pf, 0), "cpu  1 2\t3");
    ck_assert_str_eq(lm_procfile_line(pf, 1), "");
    ck_assert_str_eq(lm_procfile_word(pf, 3, 2), "newline");
    ck_assert_str_eq(lm_procfile_line(pf, 3), "last no newline");
    /* out of range */
    ck_assert_str_eq(lm_procfile_word(pf, 0, 4), "");
    ck_assert_str_eq(lm_procfile_word(pf, 9, 0), "");
    ck_assert_str_eq(lm_procfile_line(pf, 9), "");
    ck_assert_uint_eq(lm_procfile_words(pf, 9), 0);
    size_t len;
    ck_assert_str_eq(lm_procfile_data(pf, &len), c);
    ck_assert_uint_eq(len, strlen(c));
    lm_procfile_free(pf);
}
END_TEST

START_TEST(custom_separators_and_reread)
{
    char path[256];
    put("kv", "a: 1\nb:2\n", 9, path, sizeof path);
    struct lm_procfile *pf = lm_procfile_new(": ");
    ck_assert_int_eq(lm_procfile_read(pf, path, NULL), 0);
    ck_assert_uint_eq(lm_procfile_lines(pf), 2);
    ck_assert_str_eq(lm_procfile_word(pf, 1, 0), "b");
    ck_assert_str_eq(lm_procfile_word(pf, 1, 1), "2");
    /* a bigger file through the same object, then a smaller one */
    size_t n = 200000;
    char *big = malloc(n);
    for (size_t i = 0; i < n; i++)
        big[i] = (i % 10 == 9) ? '\n' : (i % 2 ? ' ' : 'x');
    put("big", big, n, path, sizeof path);
    free(big);
    ck_assert_int_eq(lm_procfile_read(pf, path, NULL), 0);
    ck_assert_uint_eq(lm_procfile_lines(pf), n / 10);
    ck_assert_uint_eq(lm_procfile_words(pf, 17), 5);
    put("empty", "", 0, path, sizeof path);
    ck_assert_int_eq(lm_procfile_read(pf, path, NULL), 0);
    ck_assert_uint_eq(lm_procfile_lines(pf), 0);
    ck_assert_str_eq(lm_procfile_word(pf, 0, 0), "");
    lm_procfile_free(pf);
}
END_TEST

START_TEST(missing_file)
{
    char path[256];
    snprintf(path, sizeof path, "%s/nope", tmpdir);
    struct lm_procfile *pf = lm_procfile_new(NULL);
    struct lm_err err = {0};
    ck_assert_int_eq(lm_procfile_read(pf, path, &err), LM_ENOENT);
    ck_assert_int_eq(err.code, LM_ENOENT);
    ck_assert_str_eq(err.where, path);
    ck_assert_ptr_nonnull(strstr(err.msg, "No such file"));
    ck_assert_uint_eq(lm_procfile_lines(pf), 0);
    /* a directory is an I/O error, not a crash */
    ck_assert_int_eq(lm_procfile_read(pf, tmpdir, &err), LM_EIO);
    lm_procfile_free(pf);
    lm_procfile_free(NULL);
}
END_TEST

START_TEST(oom)
{
    char path[256];
    put("f", "a b\nc d\n", 8, path, sizeof path);
    for (long n = 1; n < 20; n++) {
        lm_alloc_fail_after(n);
        struct lm_procfile *pf = lm_procfile_new(NULL);
        if (!pf)
            continue;
        struct lm_err err = {0};
        int rc = lm_procfile_read(pf, path, &err);
        lm_alloc_fail_after(0);
        if (rc == 0) {
            ck_assert_str_eq(lm_procfile_word(pf, 1, 1), "d");
        } else {
            ck_assert_int_eq(rc, LM_ENOMEM);
            ck_assert_uint_eq(lm_procfile_lines(pf), 0);
        }
        lm_procfile_free(pf);
    }
    lm_alloc_fail_after(0);
}
END_TEST

START_TEST(parse_numbers)
{
    uint64_t u;
    int64_t i;
    double d;
    ck_assert_int_eq(lm_parse_u64("0", &u), 0);
    ck_assert_uint_eq(u, 0);
    ck_assert_int_eq(lm_parse_u64("18446744073709551615\n", &u), 0);
    ck_assert_uint_eq(u, UINT64_MAX);
    ck_assert_int_eq(lm_parse_u64("18446744073709551616", &u), LM_EPARSE);
    ck_assert_int_eq(lm_parse_u64("", &u), LM_EPARSE);
    ck_assert_int_eq(lm_parse_u64("12a", &u), LM_EPARSE);
    ck_assert_int_eq(lm_parse_u64(" 1", &u), LM_EPARSE);
    ck_assert_int_eq(lm_parse_u64("-1", &u), LM_EPARSE);
    ck_assert_int_eq(lm_parse_i64("-9223372036854775808", &i), 0);
    ck_assert(i == INT64_MIN);
    ck_assert_int_eq(lm_parse_i64("9223372036854775808", &i), LM_EPARSE);
    ck_assert_int_eq(lm_parse_i64("+42", &i), 0);
    ck_assert_int_eq(i, 42);
    ck_assert_int_eq(lm_parse_i64("-", &i), LM_EPARSE);
    ck_assert_int_eq(lm_parse_double("0.25", &d), 0);
    ck_assert_double_eq(d, 0.25);
    ck_assert_int_eq(lm_parse_double("123456789012345678901\n", &d), 0);
    ck_assert_double_eq(d, 123456789012345678901.0);
    ck_assert_int_eq(lm_parse_double("-1e3", &d), 0);
    ck_assert_double_eq(d, -1000.0);
    ck_assert_int_eq(lm_parse_double("1.5x", &d), LM_EPARSE);
    ck_assert_int_eq(lm_parse_double(" 1", &d), LM_EPARSE);
    ck_assert_int_eq(lm_parse_double("", &d), LM_EPARSE);
    ck_assert_int_eq(lm_parse_double("1e999", &d), LM_EPARSE);
}
END_TEST

START_TEST(one_value_files)
{
    char path[256], s[8];
    uint64_t u;
    double d;
    put("u", "4096\n", 5, path, sizeof path);
    ck_assert_int_eq(lm_read_u64(path, &u), 0);
    ck_assert_uint_eq(u, 4096);
    put("d", "1.5 \n", 5, path, sizeof path);
    ck_assert_int_eq(lm_read_double(path, &d), 0);
    ck_assert_double_eq(d, 1.5);
    put("bad", "x\n", 2, path, sizeof path);
    ck_assert_int_eq(lm_read_u64(path, &u), LM_EPARSE);
    put("s", "tsc hpet\n", 9, path, sizeof path);
    ck_assert_int_eq(lm_read_str(path, s, sizeof s), 0);
    ck_assert_str_eq(s, "tsc hpe");
    snprintf(path, sizeof path, "%s/missing", tmpdir);
    ck_assert_int_eq(lm_read_u64(path, &u), LM_ENOENT);
    ck_assert_int_eq(lm_read_str(path, s, sizeof s), LM_ENOENT);
}
END_TEST

Suite *procfile_suite(void);

Suite *
procfile_suite(void)
{
    Suite *s = suite_create("procfile");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, split_lines_and_words);
    tcase_add_test(tc, custom_separators_and_reread);
    tcase_add_test(tc, missing_file);
    tcase_add_test(tc, oom);
    tcase_add_test(tc, parse_numbers);
    tcase_add_test(tc, one_value_files);
    suite_add_tcase(s, tc);
    return s;
}

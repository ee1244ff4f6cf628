/* SPDX-License-Identifier: Apache-2.0 */
/* test_dsn.c: DSN sources (DATA_SOURCE_NAME lists, DATA_SOURCE_URI + USER + PASS with
 * escaping, *_FILE variants, nothing set), password masking in URL and key=value forms,
 * and the server label. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "postgres_exporter/pge.h"

static const char *const *env_tab;   /* name, value, ..., NULL for the fake getenv */

static const char *
fake_getenv(const char *name)
{
    for (const char *const *p = env_tab; p && *p; p += 2)
        if (!strcmp(p[0], name))
            return p[1];
    return NULL;
}

START_TEST(test_name_list)
{
    static const char *const env[] = {"DATA_SOURCE_NAME", "postgresql://a@h1/db,host=h2 user=b", NULL};
    env_tab = env;
    char **l;
    size_t n;
    struct lm_err err;
    ck_assert_int_eq(pge_dsn_list(fake_getenv, &l, &n, &err), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(l[0], "postgresql://a@h1/db");
    ck_assert_str_eq(l[1], "host=h2 user=b");
    pge_dsn_list_free(l, n);
}
END_TEST

START_TEST(test_uri_user_pass)
{
    char path[] = "/tmp/pge-pass-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, " p@ss:w/rd\n", 11), 11);
    close(fd);
    const char *const env[] = {"DATA_SOURCE_URI", "h1:5433/db?sslmode=disable,h2/db",
                               "DATA_SOURCE_USER", "mon", "DATA_SOURCE_PASS_FILE", path, NULL};
    env_tab = env;
    char **l;
    size_t n;
    struct lm_err err;
    ck_assert_int_eq(pge_dsn_list(fake_getenv, &l, &n, &err), 0);
    unlink(path);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(l[0], "postgresql://mon:p%40ss%3Aw%2Frd@h1:5433/db?sslmode=disable");
    ck_assert_str_eq(l[1], "postgresql://mon:p%40ss%3Aw%2Frd@h2/db");
    char *m = pge_dsn_mask(l[0]);
    ck_assert_str_eq(m, "postgresql://mon:" PGE_MASK "@h1:5433/db?sslmode=disable");
    lm_free(m);
    char *s = pge_dsn_server(l[0], &err);
    ck_assert_str_eq(s, "h1:5433");
    lm_free(s);
    pge_dsn_list_free(l, n);
}
END_TEST

START_TEST(test_nothing_and_missing_file)
{
    static const char *const none[] = {NULL};
    static const char *const nofile[] = {"DATA_SOURCE_URI", "h/db", "DATA_SOURCE_PASS_FILE",
                                         "/nonexistent/pw", NULL};
    char **l;
    size_t n;
    struct lm_err err;
    env_tab = none;
    ck_assert_int_eq(pge_dsn_list(fake_getenv, &l, &n, &err), LM_ENOENT);
    env_tab = nofile;
    ck_assert_int_eq(pge_dsn_list(fake_getenv, &l, &n, &err), LM_EIO);
}
END_TEST

START_TEST(test_mask)
{
    static const char *const cases[][2] = {
        {"postgres://u:secret@h/db", "postgres://u:" PGE_MASK "@h/db"},
        {"postgresql://u@h/db?password=secret&sslmode=disable",
         "postgresql://u@h/db?password=" PGE_MASK "&sslmode=disable"},
        {"postgresql://h/db", "postgresql://h/db"},
        {"host=h password=secret user=u", "host=h password=" PGE_MASK " user=u"},
        {"host=h password = 'se cr\\'et' user=u", "host=h password = " PGE_MASK " user=u"},
        {"user=u", "user=u"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *m = pge_dsn_mask(cases[i][0]);
        ck_assert_str_eq(m, cases[i][1]);
        ck_assert_ptr_null(strstr(m, "secret"));
        lm_free(m);
    }
}
END_TEST

START_TEST(test_server_label)
{
    struct lm_err err;
    char *s = pge_dsn_server("host=db.example port=6432 password=x", &err);
    ck_assert_str_eq(s, "db.example:6432");
    lm_free(s);
    s = pge_dsn_server("dbname=x", &err);
    ck_assert_str_eq(s, "localhost:5432");
    lm_free(s);
    s = pge_dsn_server("host=a password='s3cr3tvalue", &err);
    ck_assert_ptr_null(s);
    ck_assert_ptr_null(strstr(err.msg, "s3cr3tvalue"));
}
END_TEST

Suite *dsn_suite(void);

Suite *
dsn_suite(void)
{
    Suite *s = suite_create("dsn");
    TCase *tc = tcase_create("dsn");
    tcase_add_test(tc, test_name_list);
    tcase_add_test(tc, test_uri_user_pass);
    tcase_add_test(tc, test_nothing_and_missing_file);
    tcase_add_test(tc, test_mask);
    tcase_add_test(tc, test_server_label);
    suite_add_tcase(s, tc);
    return s;
}

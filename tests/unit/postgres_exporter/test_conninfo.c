/* SPDX-License-Identifier: Apache-2.0 */
/* test_conninfo.c: libpq's DSN forms read without libpq (URL with percent-encoding, IPv6
 * and host lists, query parameters, key=value with quotes and escapes, refusals that
 * never quote a value), the resolved parameters with environment defaults, and
 * ~/.pgpass lookup (wildcards, escapes, a group-readable file ignored). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "postgres_exporter/pgconn.h"

Suite *conninfo_suite(void);

static const char *const *env_tab;

static const char *
fake_getenv(const char *name)
{
    for (const char *const *p = env_tab; p && *p; p += 2)
        if (!strcmp(p[0], name))
            return p[1];
    return NULL;
}

static void
expect(const char *dsn, const char *const *kv)
{
    struct pge_conninfo ci;
    struct lm_err err;
    ck_assert_msg(pge_conninfo_parse(dsn, &ci, &err) == 0, "%s: %s", dsn, err.msg);
    size_t n = 0;
    for (; kv[n]; n += 2) {
        const char *v = pge_conninfo_get(&ci, kv[n]);
        ck_assert_msg(v && !strcmp(v, kv[n + 1]), "%s: %s = %s, want %s", dsn, kv[n],
                      v ? v : "(unset)", kv[n + 1]);
    }
    ck_assert_uint_eq(ci.n, n / 2);
    pge_conninfo_free(&ci);
}

START_TEST(url_form)
{
    expect("postgresql://mon:p%40ss%3Aw%2Frd@h1:5433/db?sslmode=disable",
           (const char *[]){"user", "mon", "password", "p@ss:w/rd", "host", "h1", "port",
                            "5433", "dbname", "db", "sslmode", "disable", NULL});
    expect("postgres://h", (const char *[]){"host", "h", NULL});
    expect("postgresql:///postgres?host=/run/pg&port=5433",
           (const char *[]){"dbname", "postgres", "host", "/run/pg", "port", "5433", NULL});
    expect("postgresql://[::1]:6432,h2/x?ssl=true&application_name=a%20b",
           (const char *[]){"host", "::1,h2", "port", "6432,", "dbname", "x", "sslmode",
                            "require", "application_name", "a b", NULL});
    expect("postgresql://u@/d", (const char *[]){"user", "u", "dbname", "d", NULL});
    expect("postgresql://", (const char *[]){NULL});
}
END_TEST

START_TEST(kv_form)
{
    expect("host=h port=1 password='it s' user = x",
           (const char *[]){"host", "h", "port", "1", "password", "it s", "user", "x", NULL});
    expect("password='a \\'b\\\\ c' dbname=d\\ e",
           (const char *[]){"password", "a 'b\\ c", "dbname", "d e", NULL});
    expect("  ", (const char *[]){NULL});
    expect("application_name=''", (const char *[]){"application_name", "", NULL});
}
END_TEST

START_TEST(refusals)
{
    static const char *const bad[] = {
        "host=a password='s3cr3tvalue",                /* unterminated */
        "s3cr3tvalue",                                 /* no '=' */
        "bogus=s3cr3tvalue",
        "postgresql://h/db?bogus=s3cr3tvalue",
        "postgresql://h/db?password",
        "postgresql://u:s3cr3tvalue%zz@h/db",
        "postgresql://u:s3cr3tvalue%4@h/db",
        "postgresql://[::1/db",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct pge_conninfo ci;
        struct lm_err err;
        ck_assert_msg(pge_conninfo_parse(bad[i], &ci, &err) == LM_ECONFIG, "%s", bad[i]);
        ck_assert_msg(!strstr(err.msg, "s3cr3tvalue"), "%s: %s", bad[i], err.msg);
    }
}
END_TEST

START_TEST(resolve)
{
    struct pge_conninfo ci;
    struct pge_params p;
    struct lm_err err;
    static const char *const env[] = {"PGPORT", "6000", "PGUSER", "envuser",
                                      "PGPASSWORD", "envpw", "PGSSLMODE", "disable", NULL};
    env_tab = env;
    ck_assert_int_eq(pge_conninfo_parse("dbname=x connect_timeout=1", &ci, &err), 0);
    ck_assert_int_eq(pge_params_resolve(&ci, fake_getenv, &p, &err), 0);
    ck_assert_str_eq(p.host, "/var/run/postgresql");
    ck_assert(p.unix_socket);
    ck_assert_str_eq(p.port, "6000");
    ck_assert_str_eq(p.user, "envuser");
    ck_assert_str_eq(p.dbname, "x");
    ck_assert_str_eq(p.password, "envpw");
    ck_assert_str_eq(p.sslmode, "disable");
    ck_assert_int_eq(p.connect_timeout, 2);    /* libpq's minimum */
    pge_params_cleanup(&p);
    pge_conninfo_free(&ci);
    env_tab = NULL;
    ck_assert_int_eq(pge_conninfo_parse("postgresql://u:pw@h1,h2:1,2/", &ci, &err), 0);
    ck_assert_int_eq(pge_params_resolve(&ci, fake_getenv, &p, &err), 0);
    ck_assert_str_eq(p.host, "h1");
    ck_assert(!p.unix_socket);
    ck_assert_str_eq(p.port, "5432");          /* h1 has no port of its own */
    ck_assert_str_eq(p.dbname, "u");           /* defaults to the user */
    ck_assert_str_eq(p.sslmode, "prefer");
    ck_assert_str_eq(p.password, "pw");
    pge_params_cleanup(&p);
    pge_conninfo_free(&ci);
    ck_assert_int_eq(pge_conninfo_parse("sslmode=sometimes", &ci, &err), 0);
    ck_assert_int_eq(pge_params_resolve(&ci, fake_getenv, &p, &err), LM_ECONFIG);
    pge_params_cleanup(&p);
    pge_conninfo_free(&ci);
    ck_assert_int_eq(pge_conninfo_parse("port=5432x", &ci, &err), 0);
    ck_assert_int_eq(pge_params_resolve(&ci, fake_getenv, &p, &err), LM_ECONFIG);
    pge_params_cleanup(&p);
    pge_conninfo_free(&ci);
    ck_assert_int_eq(pge_conninfo_parse("connect_timeout=ten", &ci, &err), 0);
    ck_assert_int_eq(pge_params_resolve(&ci, fake_getenv, &p, &err), LM_ECONFIG);
    pge_params_cleanup(&p);
    pge_conninfo_free(&ci);
}
END_TEST

START_TEST(pgpass)
{
    char path[] = "/tmp/pge-pgpass-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    const char *text = "# comment\n"
                       "other:5432:*:mon:nope\n"
                       "db\\:x:*:app:mon:fir\\:st\n"
                       "*:5432:*:mon:second\n"
                       "localhost:*:*:*:sock\n";
    ck_assert_int_eq(write(fd, text, strlen(text)), (long)strlen(text));
    close(fd);
    chmod(path, 0600);
    char *pw = pge_pgpass_lookup(path, "db:x", "9", "app", "mon");
    ck_assert_str_eq(pw, "fir:st");
    free(pw);
    pw = pge_pgpass_lookup(path, "h", "5432", "app", "mon");
    ck_assert_str_eq(pw, "second");
    free(pw);
    pw = pge_pgpass_lookup(path, "localhost", "1", "d", "u");
    ck_assert_str_eq(pw, "sock");
    free(pw);
    ck_assert_ptr_null(pge_pgpass_lookup(path, "h", "1", "d", "u"));
    chmod(path, 0640);                          /* libpq ignores such a file */
    ck_assert_ptr_null(pge_pgpass_lookup(path, "h", "5432", "app", "mon"));
    unlink(path);
    ck_assert_ptr_null(pge_pgpass_lookup(path, "h", "5432", "app", "mon"));
    /* the resolver reads it through PGPASSFILE */
    memcpy(path + strlen(path) - 6, "XXXXXX", 6);
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "h:5432:d:u:frompass\n", 20), 20);
    close(fd);
    chmod(path, 0600);
    const char *env[] = {"PGPASSFILE", path, NULL};
    env_tab = env;
    struct pge_conninfo ci;
    struct pge_params p;
    struct lm_err err;
    ck_assert_int_eq(pge_conninfo_parse("host=h user=u dbname=d", &ci, &err), 0);
    ck_assert_int_eq(pge_params_resolve(&ci, fake_getenv, &p, &err), 0);
    ck_assert_str_eq(p.password, "frompass");
    pge_params_cleanup(&p);
    pge_conninfo_free(&ci);
    env_tab = NULL;
    unlink(path);
}
END_TEST

Suite *
conninfo_suite(void)
{
    Suite *s = suite_create("conninfo");
    TCase *tc = tcase_create("conninfo");
    tcase_add_test(tc, url_form);
    tcase_add_test(tc, kv_form);
    tcase_add_test(tc, refusals);
    tcase_add_test(tc, resolve);
    tcase_add_test(tc, pgpass);
    suite_add_tcase(s, tc);
    return s;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* test_discovery.c: the pieces of --auto-discover-databases and HISTOGRAM that need no
 * server: a DSN re-pointed at another database (both forms, read back with the conninfo
 * reader, quotes and escapes kept), the include/exclude lists, and the array reader of
 * HISTOGRAM bucket columns. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "postgres_exporter/pge.h"

Suite *discovery_suite(void);

static void
db_of(const char *dsn, const char *db, const char *want_db, const char *want_pw)
{
    char *d = pge_dsn_with_db(dsn, db);
    ck_assert_ptr_nonnull(d);
    struct pge_conninfo ci;
    struct lm_err err;
    ck_assert_msg(pge_conninfo_parse(d, &ci, &err) == 0, "%s: %s", d, err.msg);
    ck_assert_str_eq(pge_conninfo_get(&ci, "dbname"), want_db);
    if (want_pw)
        ck_assert_str_eq(pge_conninfo_get(&ci, "password"), want_pw);
    pge_conninfo_free(&ci);
    free(d);
}

START_TEST(dsn_with_db)
{
    db_of("postgresql://u:p%40w@h:5/postgres?sslmode=disable", "appdb", "appdb", "p@w");
    db_of("postgresql://u@h", "we ird&db", "we ird&db", NULL);
    db_of("host=h dbname=postgres password='a b'", "it's", "it's", "a b");
    db_of("host=h", "back\\slash", "back\\slash", NULL);
}
END_TEST

START_TEST(lists)
{
    struct pge_discovery *d = pge_discovery_new("", "a, b ,c");
    ck_assert_ptr_nonnull(d);
    ck_assert(!pge_discovery_wanted(d, "a"));
    ck_assert(!pge_discovery_wanted(d, "b"));
    ck_assert(!pge_discovery_wanted(d, "c"));
    ck_assert(pge_discovery_wanted(d, "ab"));
    ck_assert(pge_discovery_wanted(d, ""));
    ck_assert_uint_eq(pge_discovery_count(d), 0);
    pge_discovery_free(d);
    d = pge_discovery_new("x,y", "y");
    ck_assert(pge_discovery_wanted(d, "x"));
    ck_assert(!pge_discovery_wanted(d, "y"));     /* exclusion wins */
    ck_assert(!pge_discovery_wanted(d, "z"));
    pge_discovery_free(d);
}
END_TEST

START_TEST(arrays)
{
    double v[4];
    ck_assert_int_eq(pge_float_array("{0.1,0.5,1}", v, 4), 3);
    ck_assert(v[0] == 0.1 && v[2] == 1);
    ck_assert_int_eq(pge_float_array("{}", v, 4), 0);
    ck_assert_int_eq(pge_float_array("{\"2.5\",Infinity,-3}", v, 4), 3);
    ck_assert(v[0] == 2.5 && isinf(v[1]) && v[2] == -3);
    ck_assert_int_eq(pge_float_array("{NaN}", v, 4), 1);
    ck_assert(isnan(v[0]));
    static const char *const bad[] = {"", "1,2", "{1,2", "{1,,2}", "{1,NULL}", "{x}",
                                      "{1}x", "{\"1}", "{1,2,3,4,5}", "{{1},{2}}", "{,}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(pge_float_array(bad[i], v, 4) == -1, "accepted %s", bad[i]);
}
END_TEST

Suite *
discovery_suite(void)
{
    Suite *s = suite_create("discovery");
    TCase *tc = tcase_create("discovery");
    tcase_add_test(tc, dsn_with_db);
    tcase_add_test(tc, lists);
    tcase_add_test(tc, arrays);
    suite_add_tcase(s, tc);
    return s;
}

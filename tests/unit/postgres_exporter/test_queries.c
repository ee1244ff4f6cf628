/* SPDX-License-Identifier: Apache-2.0 */
/* test_queries.c: the queries.yaml reader (namespaces, usages, metric_mapping,
 * pg_version, runonserver, master, cache_seconds; errors with line:col; an OOM torture)
 * and the semver-range matcher and settings unit conversion it feeds. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "lm/alloc.h"
#include "postgres_exporter/pge.h"

static char *
read_corpus(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "tests/fuzz/corpus/pg_queries/%s", name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f, "cannot open %s", path);
    static char buf[65536];
    *len = fread(buf, 1, sizeof buf - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

START_TEST(test_example)
{
    size_t len;
    char *t = read_corpus("example.yaml", &len);
    struct lm_err err;
    struct pge_queries *q = pge_queries_parse(t, len, &err);
    ck_assert_ptr_nonnull(q);
    ck_assert_uint_eq(pge_queries_count(q), 2);
    const struct pge_qmap *m = pge_queries_get(q, 0);
    ck_assert_str_eq(m->ns, "pg_replication");
    ck_assert(m->master);
    ck_assert_uint_eq(m->cache_seconds, 30);
    ck_assert_str_eq(m->runonserver, ">=10.0.0");
    ck_assert_uint_eq(m->ncols, 1);
    ck_assert_int_eq(m->cols[0].usage, PGE_GAUGE);
    m = pge_queries_get(q, 1);
    ck_assert_uint_eq(m->ncols, 4);
    ck_assert_int_eq(m->cols[0].usage, PGE_LABEL);
    ck_assert_int_eq(m->cols[1].usage, PGE_COUNTER);
    ck_assert_str_eq(m->cols[1].pg_version, ">=14.0.0 <99.0.0");
    ck_assert_int_eq(m->cols[2].usage, PGE_MAPPED);
    ck_assert_uint_eq(m->cols[2].nmap, 2);
    ck_assert_str_eq(m->cols[2].map[1].key, "b");
    ck_assert(m->cols[2].map[1].value == 2);
    ck_assert_int_eq(m->cols[3].usage, PGE_DURATION);
    pge_queries_free(q);
}
END_TEST

START_TEST(test_errors)
{
    size_t len;
    struct lm_err err;
    char *t = read_corpus("bad_usage.yaml", &len);
    ck_assert_ptr_null(pge_queries_parse(t, len, &err));
    ck_assert_int_eq(err.code, LM_ECONFIG);
    ck_assert_str_eq(err.where, "4:16");
    t = read_corpus("bad_flow.yaml", &len);
    ck_assert_ptr_null(pge_queries_parse(t, len, &err));
    ck_assert_int_eq(err.code, LM_EPARSE);
    ck_assert_ptr_null(pge_queries_parse("- a\n- b\n", 8, &err));
    ck_assert_int_eq(err.code, LM_EPARSE);
    ck_assert_ptr_null(pge_queries_parse("x:\n  master: true\n", 18, &err));
    ck_assert_int_eq(err.code, LM_ECONFIG);
    struct pge_queries *q = pge_queries_parse("", 0, &err);
    ck_assert_ptr_nonnull(q);
    ck_assert_uint_eq(pge_queries_count(q), 0);
    pge_queries_free(q);
}
END_TEST

START_TEST(test_oom)
{
    size_t len;
    char *t = read_corpus("example.yaml", &len);
    for (long n = 1;; n++) {
        struct lm_err err;
        lm_alloc_fail_after(n);
        struct pge_queries *q = pge_queries_parse(t, len, &err);
        lm_alloc_fail_after(0);
        if (q) {
            ck_assert_uint_eq(pge_queries_count(q), 2);
            pge_queries_free(q);
            break;
        }
        ck_assert_int_eq(err.code, LM_ENOMEM);
        ck_assert_int_lt(n, 1000);
    }
}
END_TEST

START_TEST(test_version_match)
{
    ck_assert(pge_version_match(NULL, 150018));
    ck_assert(pge_version_match(">=10.0.0", 150018));
    ck_assert(!pge_version_match("<10.0.0", 150018));
    ck_assert(pge_version_match(">=15.18.0 <16", 150018));
    ck_assert(!pge_version_match(">15.18.0", 150018));
    ck_assert(pge_version_match("<10.0.0", 90624));
    ck_assert(pge_version_match("9.6.24", 90624));
    ck_assert(!pge_version_match(">=x", 150018));
}
END_TEST

START_TEST(test_settings_units)
{
    double v = 8;
    const char *suf;
    ck_assert(pge_settings_convert("8kB", &v, &suf));
    ck_assert(v == 65536);
    ck_assert_str_eq(suf, "_bytes");
    v = 300;
    ck_assert(pge_settings_convert("s", &v, &suf) && v == 300);
    ck_assert_str_eq(suf, "_seconds");
    v = -1;
    ck_assert(pge_settings_convert("ms", &v, &suf) && v == -1);
    v = 100;
    ck_assert(pge_settings_convert("", &v, &suf) && v == 100);
    ck_assert_str_eq(suf, "");
    ck_assert(!pge_settings_convert("furlong", &v, &suf));
}
END_TEST

Suite *queries_suite(void);

Suite *
queries_suite(void)
{
    Suite *s = suite_create("queries");
    TCase *tc = tcase_create("queries");
    tcase_add_test(tc, test_example);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_oom);
    tcase_add_test(tc, test_version_match);
    tcase_add_test(tc, test_settings_units);
    suite_add_tcase(s, tc);
    return s;
}

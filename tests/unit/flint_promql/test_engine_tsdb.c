/* SPDX-License-Identifier: Apache-2.0 */
/* test_engine_tsdb.c: the engine over a real tsdb in a temporary directory: the oracle
 * series appended through an appender (stale markers included), every recorded case
 * through pql_exec_instant, a range query's JSON, and the limits (max samples,
 * bad range-query types, parse errors as bad_data). */
#include <unistd.h>

#include "flint/tsdb/tsdb.h"
#include "oracle_fixture.h"

Suite *engine_tsdb_suite(void);

static char dir[256];
static struct tsdb *db;

static void db_setup(void)
{
    oracle_setup();
    snprintf(dir, sizeof dir, "/tmp/flint_promql_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    struct tsdb_opts o = {0};
    o.dir = dir;
    struct lm_err err = {0};
    db = tsdb_open(&o, &err);
    ck_assert_msg(db != NULL, "tsdb_open: %s", err.msg);
    struct tsdb_app *a = tsdb_appender(db);
    ck_assert_ptr_nonnull(a);
    for (size_t i = 0; i < NSERIES; i++)
        for (size_t j = 0; j < mem[i].n; j++)
            ck_assert_int_eq(tsdb_app_add(a, &mem[i].ls, mem[i].pts[j].t, mem[i].pts[j].v,
                                          NULL), 0);
    ck_assert_int_eq(tsdb_app_commit(a, &err), 0);
}

static void db_teardown(void)
{
    tsdb_close(db);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    oracle_teardown();
}

START_TEST(test_tsdb_oracle)
{
    struct pql_engine *e = pql_engine_new(NULL);
    ck_assert_ptr_nonnull(e);
    size_t n = sizeof oracle_cases / sizeof oracle_cases[0];
    for (size_t i = 0; i < n; i++) {
        const struct oracle_case *c = &oracle_cases[i];
        struct pql_result res;
        struct pql_err err;
        int rc = pql_exec_instant(e, db, c->expr, c->t, &res, &err);
        oracle_check(c->expr, c->t, c->want, rc, &res, &err);
        pql_result_free(&res);
    }
    pql_engine_free(e);
}
END_TEST

START_TEST(test_tsdb_range_json)
{
    struct pql_engine *e = pql_engine_new(NULL);
    struct pql_result res;
    struct pql_err err;
    ck_assert_int_eq(pql_exec_range(e, db, "g", 105000, 150000, 15000, &res, &err), 0);
    struct lm_buf b;
    lm_buf_init(&b, 1 << 20);
    ck_assert_int_eq(pql_result_json(&res, &b), 0);
    /* g: 7 at 105s, stale at 120s, 9 at 135s, 8 at 150s */
    ck_assert_str_eq(lm_buf_cstr(&b),
                     "{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"__name__\":\"g\","
                     "\"job\":\"b\"},\"values\":[[105,\"7\"],[135,\"9\"],[150,\"8\"]]}]}");
    pql_result_free(&res);
    lm_buf_reset(&b);
    ck_assert_int_eq(pql_exec_instant(e, db, "sum(n)", 300500, &res, &err), 0);
    ck_assert_int_eq(pql_result_json(&res, &b), 0);
    ck_assert_str_eq(lm_buf_cstr(&b), "{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
                                      "\"value\":[300.500,\"60\"]}]}");
    pql_result_free(&res);
    lm_buf_cleanup(&b);
    pql_engine_free(e);
}
END_TEST

START_TEST(test_tsdb_errors)
{
    struct pql_engine_opts o = {0};
    o.max_samples = 100;
    struct pql_engine *e = pql_engine_new(&o);
    struct pql_result res;
    struct pql_err err;
    ck_assert_int_ne(pql_exec_instant(e, db, "sum_over_time(c[10m])", 600000, &res, &err), 0);
    ck_assert_int_eq(err.type, PQL_ERR_EXECUTION);
    ck_assert_str_eq(pql_err_type_str(err.type), "execution");
    ck_assert_str_eq(err.msg, "query processing would load too many samples into memory in "
                              "query execution");
    ck_assert_int_ne(pql_exec_range(e, db, "c[5m]", 0, 60000, 15000, &res, &err), 0);
    ck_assert_int_eq(err.type, PQL_ERR_BAD_DATA);
    ck_assert_str_eq(err.msg, "invalid expression type \"range vector\" for range query, "
                              "must be Scalar or instant Vector");
    ck_assert_int_ne(pql_exec_instant(e, db, "sum(", 0, &res, &err), 0);
    ck_assert_int_eq(err.type, PQL_ERR_BAD_DATA);
    ck_assert_int_ne(pql_exec_range(e, db, "n", 0, 60000, 0, &res, &err), 0);
    ck_assert_int_eq(err.type, PQL_ERR_BAD_DATA);
    pql_engine_free(e);
}
END_TEST

Suite *engine_tsdb_suite(void)
{
    Suite *s = suite_create("engine_tsdb");
    TCase *tc = tcase_create("tsdb");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, db_setup, db_teardown);
    tcase_add_test(tc, test_tsdb_oracle);
    tcase_add_test(tc, test_tsdb_range_json);
    tcase_add_test(tc, test_tsdb_errors);
    suite_add_tcase(s, tc);
    return s;
}

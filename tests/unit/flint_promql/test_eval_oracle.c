/* SPDX-License-Identifier: Apache-2.0 */
/* test_eval_oracle.c: the evaluator against answers recorded from Prometheus 2.42
 * (oracle_cases.h): every case runs as an instant query over in-memory series and must
 * give the same samples (labels exactly, values to 1e-12 relative) or the same error;
 * and a range query over the same expression gives, at every step, the instant answer. */
#include "oracle_fixture.h"

Suite *eval_oracle_suite(void);

START_TEST(test_oracle_case)
{
    const struct oracle_case *c = &oracle_cases[_i];
    struct pql_mem_src ms = {mem, NSERIES};
    struct pql_source src = pql_mem_source(&ms);
    struct pql_engine *e = pql_engine_new(NULL);
    ck_assert_ptr_nonnull(e);
    struct pql_result res;
    struct pql_err err;
    int rc = pql_exec_src(e, &src, c->expr, c->t, c->t, 0, NULL, &res, &err);
    oracle_check(c->expr, c->t, c->want, rc, &res, &err);
    pql_result_free(&res);
    pql_engine_free(e);
}
END_TEST

/* test_range_matches_instant: each step of a range query equals the instant query. */
START_TEST(test_range_matches_instant)
{
    const struct oracle_case *c = &oracle_cases[_i];
    struct pql_mem_src ms = {mem, NSERIES};
    struct pql_source src = pql_mem_source(&ms);
    struct pql_engine *e = pql_engine_new(NULL);
    struct pql_result rr, ri;
    struct pql_err err;
    int64_t start = 30000, end = 660000, step = 45000;
    int rc = pql_exec_src(e, &src, c->expr, start, end, step, NULL, &rr, &err);
    if (rc) {
        /* errors and range-vector expressions: nothing to compare */
        pql_engine_free(e);
        return;
    }
    ck_assert_int_eq(rr.type, PQL_VAL_MATRIX);
    for (size_t i = 1; i < rr.nmat; i++)
        ck_assert_int_lt(lbl_set_cmp(&rr.mat[i - 1].ls, &rr.mat[i].ls), 0);
    for (int64_t t = start; t <= end; t += step) {
        rc = pql_exec_src(e, &src, c->expr, t, t, 0, NULL, &ri, &err);
        if (rc)
            continue;   /* an error at one step fails the whole range query too */
        size_t ninst = ri.type == PQL_VAL_SCALAR ? 1 : ri.nvec, nrange = 0;
        for (size_t i = 0; i < rr.nmat; i++) {
            const struct pql_series *s = &rr.mat[i];
            for (size_t j = 0; j < s->n; j++) {
                if (s->pts[j].t != t)
                    continue;
                nrange++;
                double want = NAN;
                bool found = false;
                if (ri.type == PQL_VAL_SCALAR) {
                    want = ri.v;
                    found = true;
                }
                for (size_t k = 0; k < ri.nvec && !found; k++) {
                    if (lbl_set_eq(&ri.vec[k].ls, &s->ls)) {
                        want = ri.vec[k].v;
                        found = true;
                    }
                }
                ck_assert_msg(found, "%s @%lld: range series not in instant result", c->expr,
                              (long long)t);
                ck_assert_msg(same(s->pts[j].v, want), "%s @%lld: %g vs %g", c->expr,
                              (long long)t, s->pts[j].v, want);
            }
        }
        ck_assert_msg(nrange == ninst, "%s @%lld: %zu range points, %zu instant", c->expr,
                      (long long)t, nrange, ninst);
        pql_result_free(&ri);
    }
    pql_result_free(&rr);
    pql_engine_free(e);
}
END_TEST

Suite *eval_oracle_suite(void)
{
    Suite *s = suite_create("eval_oracle");
    TCase *tc = tcase_create("cases");
    tcase_add_checked_fixture(tc, oracle_setup, oracle_teardown);
    int n = (int)(sizeof oracle_cases / sizeof oracle_cases[0]);
    tcase_add_loop_test(tc, test_oracle_case, 0, n);
    tcase_add_loop_test(tc, test_range_matches_instant, 0, n);
    suite_add_tcase(s, tc);
    return s;
}

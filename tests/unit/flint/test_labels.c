/* SPDX-License-Identifier: Apache-2.0 */
/* test_labels.c: flint label sets (sorted insert, replace, delete by empty value, copy,
 * compare, hash, format with escapes) and matchers (=, !=, =~ anchored, !~, absent). */
#include <check.h>
#include <string.h>

#include "flint/labels.h"
#include "lm/buf.h"

Suite *labels_suite(void);

START_TEST(sorted_and_replace)
{
    struct lbl_set ls = {0};
    ck_assert_int_eq(lbl_set_add(&ls, "job", "node"), 0);
    ck_assert_int_eq(lbl_set_add(&ls, "__name__", "up"), 0);
    ck_assert_int_eq(lbl_set_add(&ls, "instance", "a:1"), 0);
    ck_assert_int_eq(lbl_set_add(&ls, "job", "flint"), 0);
    ck_assert_uint_eq(ls.n, 3);
    ck_assert_str_eq(ls.v[0].name, "__name__");
    ck_assert_str_eq(ls.v[1].name, "instance");
    ck_assert_str_eq(lbl_set_get(&ls, "job"), "flint");
    ck_assert_ptr_null(lbl_set_get(&ls, "jo"));
    ck_assert_int_eq(lbl_set_add(&ls, "instance", ""), 0);
    ck_assert_uint_eq(ls.n, 2);
    ck_assert_ptr_null(lbl_set_get(&ls, "instance"));
    struct lbl_set c = {0};
    ck_assert_int_eq(lbl_set_copy(&c, &ls), 0);
    ck_assert(lbl_set_eq(&c, &ls));
    ck_assert_uint_eq(lbl_set_hash(&c), lbl_set_hash(&ls));
    lbl_set_add(&c, "a", "b\"\\\n");
    ck_assert(!lbl_set_eq(&c, &ls));
    ck_assert_int_gt(lbl_set_cmp(&ls, &c), 0); /* "job" > "a" at the second pair */
    struct lm_buf b;
    lm_buf_init(&b, 1024);
    lbl_set_format(&c, &b);
    ck_assert_str_eq(lm_buf_cstr(&b), "{__name__=\"up\", a=\"b\\\"\\\\\\n\", job=\"flint\"}");
    lm_buf_cleanup(&b);
    lbl_set_free(&c);
    lbl_set_free(&ls);
}
END_TEST

START_TEST(matchers)
{
    struct lm_err err = {0};
    struct lbl_matcher m;
    ck_assert_int_eq(lbl_matcher_init(&m, LBL_MATCH_RE, "job", "no.e", &err), 0);
    ck_assert(lbl_matcher_matches(&m, "node"));
    ck_assert(!lbl_matcher_matches(&m, "nodes")); /* anchored */
    ck_assert(!lbl_matcher_matches_empty(&m));
    lbl_matcher_free(&m);
    ck_assert_int_eq(lbl_matcher_init(&m, LBL_MATCH_NEQ, "job", "x", &err), 0);
    ck_assert(lbl_matcher_matches(&m, NULL));
    ck_assert(lbl_matcher_matches_empty(&m));
    lbl_matcher_free(&m);
    ck_assert_int_ne(lbl_matcher_init(&m, LBL_MATCH_NRE, "job", "(", &err), 0);
    ck_assert(lbl_name_valid("a_1", 3));
    ck_assert(!lbl_name_valid("1a", 2));
    ck_assert(!lbl_name_valid("a:b", 3));
    ck_assert(lbl_metric_name_valid("a:b", 3));
}
END_TEST

/* A name with a NUL inside (from a hostile block or page) must compare by length, not
 * read past the stored name's end (found by the flint_block fuzzer under ASan). */
START_TEST(embedded_nul)
{
    struct lbl_set ls = {0};
    ck_assert_int_eq(lbl_set_add(&ls, "a", "1"), 0);
    ck_assert_int_eq(lbl_set_addn(&ls, "a\0zzzz", 6, "2", 1), LM_ELABEL);
    ck_assert_int_eq(lbl_set_addn(&ls, "b", 1, "x\0y", 3), LM_ELABEL);
    ck_assert_uint_eq(ls.n, 1);
    ck_assert_str_eq(lbl_set_get(&ls, "a"), "1");
    lbl_set_free(&ls);
}
END_TEST

Suite *labels_suite(void)
{
    Suite *s = suite_create("labels");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, sorted_and_replace);
    tcase_add_test(tc, matchers);
    tcase_add_test(tc, embedded_nul);
    suite_add_tcase(s, tc);
    return s;
}

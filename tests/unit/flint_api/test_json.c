/* SPDX-License-Identifier: Apache-2.0 */
/* test_json.c: flint/api's JSON writer against what Go's encoding/json writes: string
 * escaping (HTML-safe, control characters, invalid UTF-8, U+2028), label objects, Go
 * time.Time and float64 forms. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "flint/api/api_int.h"

Suite *json_suite(void);

static struct lm_buf b;

static void
setup(void)
{
    lm_buf_init(&b, 1 << 20);
}

static void
teardown(void)
{
    lm_buf_cleanup(&b);
}

START_TEST(strings)
{
    static const struct {
        const char *in;
        const char *out;
    } cases[] = {
        {"plain", "\"plain\""},
        {"a\"b\\c", "\"a\\\"b\\\\c\""},
        {"<a href=x>&</a>", "\"\\u003ca href=x\\u003e\\u0026\\u003c/a\\u003e\""},
        {"l1\nl2\r\t", "\"l1\\nl2\\r\\t\""},
        {"\x01\x1f\b\f", "\"\\u0001\\u001f\\u0008\\u000c\""},
        {"caf\xc3\xa9 \xe2\x82\xac", "\"caf\xc3\xa9 \xe2\x82\xac\""},
        {"bad\xff\xc3", "\"bad\\ufffd\\ufffd\""},
        {"\xe2\x80\xa8|\xe2\x80\xa9", "\"\\u2028|\\u2029\""},
        {"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""},   /* surrogate: 3 bad bytes */
        {"", "\"\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lm_buf_reset(&b);
        ck_assert_int_eq(api_json_str(&b, cases[i].in), 0);
        ck_assert_str_eq(lm_buf_cstr(&b), cases[i].out);
    }
    lm_buf_reset(&b);
    api_json_strn(&b, "a\0b", 3);
    ck_assert_str_eq(lm_buf_cstr(&b), "\"a\\u0000b\"");
}
END_TEST

START_TEST(labels_and_lists)
{
    struct lbl_set ls = {0};
    ck_assert_int_eq(lbl_set_add(&ls, "job", "node"), 0);
    ck_assert_int_eq(lbl_set_add(&ls, "__name__", "up"), 0);
    ck_assert_int_eq(lbl_set_add(&ls, "q", "\"x\""), 0);
    api_json_labels(&b, &ls);
    ck_assert_str_eq(lm_buf_cstr(&b), "{\"__name__\":\"up\",\"job\":\"node\",\"q\":\"\\\"x\\\"\"}");
    lbl_set_free(&ls);
    lm_buf_reset(&b);
    api_json_labels(&b, &ls);
    ck_assert_str_eq(lm_buf_cstr(&b), "{}");
    char *v[] = {"a", "b<"};
    lm_buf_reset(&b);
    api_json_strv(&b, v, 2);
    ck_assert_str_eq(lm_buf_cstr(&b), "[\"a\",\"b\\u003c\"]");
    lm_buf_reset(&b);
    api_json_strv(&b, v, 0);
    ck_assert_str_eq(lm_buf_cstr(&b), "[]");
}
END_TEST

START_TEST(times)
{
    api_json_time(&b, 0);
    ck_assert_str_eq(lm_buf_cstr(&b), "\"0001-01-01T00:00:00Z\"");
    lm_buf_reset(&b);
    api_json_time(&b, 1435781451781);
    ck_assert_str_eq(lm_buf_cstr(&b), "\"2015-07-01T20:10:51.781Z\"");
    lm_buf_reset(&b);
    api_json_time(&b, 1435781451500);
    ck_assert_str_eq(lm_buf_cstr(&b), "\"2015-07-01T20:10:51.5Z\"");
    lm_buf_reset(&b);
    api_json_time(&b, 1435781451000);
    ck_assert_str_eq(lm_buf_cstr(&b), "\"2015-07-01T20:10:51Z\"");
    lm_buf_reset(&b);
    api_json_time(&b, 1435781451050);
    ck_assert_str_eq(lm_buf_cstr(&b), "\"2015-07-01T20:10:51.05Z\"");
}
END_TEST

START_TEST(floats)
{
    static const struct {
        double v;
        const char *out;
    } cases[] = {
        {0, "0"},       {1, "1"},          {0.012345, "0.012345"}, {-2.5, "-2.5"},
        {1e-7, "1e-7"}, {1e21, "1e+21"},   {123456789, "123456789"}, {NAN, "0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lm_buf_reset(&b);
        api_json_float(&b, cases[i].v);
        ck_assert_str_eq(lm_buf_cstr(&b), cases[i].out);
    }
}
END_TEST

Suite *
json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, strings);
    tcase_add_test(tc, labels_and_lists);
    tcase_add_test(tc, times);
    tcase_add_test(tc, floats);
    suite_add_tcase(s, tc);
    return s;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* test_regex.c: lm/regex.h: anchored and unanchored matching as Prometheus and the
 * exporters use them, the error for a bad pattern, and Go's Regexp.Expand rules in
 * lm_regex_expand ($1, ${1}, named groups, $$, malformed '$', absent groups). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "lm/buf.h"
#include "lm/regex.h"

START_TEST(anchoring)
{
    struct lm_err err;
    struct lm_regex *a = lm_regex_new("foo|bar", true, &err);
    struct lm_regex *u = lm_regex_new("foo|bar", false, &err);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(u);
    ck_assert(lm_regex_match(a, "bar", SIZE_MAX));
    ck_assert(!lm_regex_match(a, "xbar", SIZE_MAX));   /* whole subject, alternation too */
    ck_assert(!lm_regex_match(a, "foox", SIZE_MAX));
    ck_assert(lm_regex_match(u, "xbarx", SIZE_MAX));
    ck_assert(lm_regex_match(u, "foo\nzz", 3));        /* length-bounded subject */
    ck_assert_str_eq(lm_regex_pattern(a), "foo|bar");
    lm_regex_free(a);
    lm_regex_free(u);
    struct lm_regex *d = lm_regex_new("^lo$", false, &err);   /* $ only at the very end */
    ck_assert(!lm_regex_match(d, "lo\n", SIZE_MAX));
    lm_regex_free(d);
}
END_TEST

START_TEST(bad_pattern)
{
    struct lm_err err;
    lm_err_clear(&err);
    ck_assert_ptr_null(lm_regex_new("a(b", true, &err));
    ck_assert_int_eq(err.code, LM_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "error parsing regexp"));
    ck_assert_ptr_nonnull(strstr(err.msg, "`a(b`"));
}
END_TEST

/* expand: lm_regex_expand of tmpl over s with pattern pat, as a string ("<nomatch>"). */
static const char *
expand(const char *pat, const char *s, const char *tmpl, char *out, size_t n)
{
    struct lm_err err;
    struct lm_regex *re = lm_regex_new(pat, true, &err);
    ck_assert_ptr_nonnull(re);
    struct lm_buf b;
    lm_buf_init(&b, 4096);
    bool m = lm_regex_expand(re, s, SIZE_MAX, tmpl, &b);
    snprintf(out, n, "%s", m ? lm_buf_cstr(&b) : "<nomatch>");
    lm_buf_cleanup(&b);
    lm_regex_free(re);
    return out;
}

START_TEST(expansion)
{
    char o[256];
    ck_assert_str_eq(expand("(\\w+):(\\d+)", "host:9100", "$1", o, sizeof o), "host");
    ck_assert_str_eq(expand("(\\w+):(\\d+)", "host:9100", "${2}-${1}", o, sizeof o),
                     "9100-host");
    ck_assert_str_eq(expand("(\\w+):(\\d+)", "host:9100", "$1x", o, sizeof o), "");
    ck_assert_str_eq(expand("(\\w+):(\\d+)", "host:9100", "${1}x", o, sizeof o), "hostx");
    ck_assert_str_eq(expand("(\\w+):(\\d+)", "host:9100", "$$1 costs $", o, sizeof o),
                     "$1 costs $");
    ck_assert_str_eq(expand("(\\w+):(\\d+)", "host:9100", "${1", o, sizeof o), "${1");
    ck_assert_str_eq(expand("(\\w+):(\\d+)", "host:9100", "$9|$0", o, sizeof o),
                     "|host:9100");
    ck_assert_str_eq(expand("(?P<h>\\w+):(?<p>\\d+)", "a:1", "$p/${h}", o, sizeof o), "1/a");
    ck_assert_str_eq(expand("(a)|(b)", "b", "[$1][$2]", o, sizeof o), "[][b]");
    ck_assert_str_eq(expand("(\\w+)", "no match here", "$1", o, sizeof o), "<nomatch>");
}
END_TEST

Suite *regex_suite(void);

Suite *
regex_suite(void)
{
    Suite *s = suite_create("regex");
    TCase *tc = tcase_create("regex");
    tcase_add_test(tc, anchoring);
    tcase_add_test(tc, bad_pattern);
    tcase_add_test(tc, expansion);
    suite_add_tcase(s, tc);
    return s;
}

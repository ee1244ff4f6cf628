/* SPDX-License-Identifier: Apache-2.0 */
/* test_fmt.c: the float formatter against Go's strconv.FormatFloat(v,'g',-1,64) outputs
 * (taken from real node_exporter pages and Go's documented behaviour), round-trip and
 * shortest-digit properties on random doubles, escaping and name validation. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/fmt.h"

struct fcase {
    double v;          /* input */
    const char *go;    /* strconv.FormatFloat(v, 'g', -1, 64) */
};

static const struct fcase go_cases[] = {
    /* from /work/shared/compat/samples/node_exporter-1.5.txt */
    {1.7275e-05, "1.7275e-05"},
    {2.4347e-05, "2.4347e-05"},
    {9.1776e-05, "9.1776e-05"},
    {0.008505945, "0.008505945"},
    {284, "284"},
    {1200, "1200"},
    {20923, "20923"},
    {2.42776e+06, "2.42776e+06"},
    {6.03405304e+08, "6.03405304e+08"},
    {1.553769e+06, "1.553769e+06"},
    {1.7956102555878966e+09, "1.7956102555878966e+09"},
    {1.7e+09, "1.7e+09"},
    {8.2921222144e+10, "8.2921222144e+10"},
    {2.70553174016e+11, "2.70553174016e+11"},
    {1.6777216e+07, "1.6777216e+07"},
    {2.0296968e+07, "2.0296968e+07"},
    /* Go's documented 'g' shortest behaviour (%e when exp < -4 || exp >= 6) */
    {0, "0"},
    {-0.0, "-0"},
    {1, "1"},
    {-1, "-1"},
    {0.1, "0.1"},
    {0.5, "0.5"},
    {-0.5, "-0.5"},
    {1.5, "1.5"},
    {2.5, "2.5"},
    {0.005, "0.005"},
    {0.025, "0.025"},
    {0.0001, "0.0001"},
    {0.00012, "0.00012"},
    {1e-05, "1e-05"},
    {1.5e-05, "1.5e-05"},
    {999999, "999999"},
    {1e6, "1e+06"},
    {100000, "100000"},
    {123456, "123456"},
    {123456.7, "123456.7"},
    {1234567.8, "1.2345678e+06"},
    {-2.5e+06, "-2.5e+06"},
    {1e21, "1e+21"},
    {1e23, "1e+23"},
    {1e100, "1e+100"},
    {1e-100, "1e-100"},
    {5e-324, "5e-324"},
    {1.7976931348623157e308, "1.7976931348623157e+308"},
    {2.2250738585072014e-308, "2.2250738585072014e-308"},
    {0.30000000000000004, "0.30000000000000004"},
    {3.141592653589793, "3.141592653589793"},
    {1.0 / 3, "0.3333333333333333"},
    {2.0 / 3, "0.6666666666666666"},
    {9007199254740992.0, "9.007199254740992e+15"},
    {9007199254740993.0, "9.007199254740992e+15"},
    {9223372036854775808.0, "9.223372036854776e+18"},
    {18446744073709551615.0, "1.8446744073709552e+19"},
    {4503599627370495.5, "4.5035996273704955e+15"},
    {123.456, "123.456"},
    {1e15, "1e+15"},
    {1.23e-4, "0.000123"},
    {NAN, "NaN"},
    {INFINITY, "+Inf"},
    {-INFINITY, "-Inf"},
};

START_TEST(test_go_table)
{
    for (size_t i = 0; i < sizeof go_cases / sizeof go_cases[0]; i++) {
        char out[LM_FMT_DOUBLE_MAX];
        size_t n = lm_fmt_double_go(out, go_cases[i].v);
        ck_assert_msg(strcmp(out, go_cases[i].go) == 0, "case %zu: got %s want %s", i, out,
                      go_cases[i].go);
        ck_assert_uint_eq(n, strlen(out));
    }
}
END_TEST

START_TEST(test_text_and_om)
{
    char out[LM_FMT_DOUBLE_MAX];
    lm_fmt_double(out, -0.0);
    ck_assert_str_eq(out, "0");
    lm_fmt_double(out, 1);
    ck_assert_str_eq(out, "1");
    lm_fmt_double(out, 1e6);
    ck_assert_str_eq(out, "1e+06");
    lm_fmt_double_om(out, 0);
    ck_assert_str_eq(out, "0.0");
    lm_fmt_double_om(out, -0.0);
    ck_assert_str_eq(out, "0.0");
    lm_fmt_double_om(out, 1);
    ck_assert_str_eq(out, "1.0");
    lm_fmt_double_om(out, -1);
    ck_assert_str_eq(out, "-1.0");
    lm_fmt_double_om(out, 42);
    ck_assert_str_eq(out, "42.0");
    lm_fmt_double_om(out, 1e6);
    ck_assert_str_eq(out, "1e+06");
    lm_fmt_double_om(out, 0.25);
    ck_assert_str_eq(out, "0.25");
    lm_fmt_double_om(out, NAN);
    ck_assert_str_eq(out, "NaN");
    lm_fmt_double_om(out, INFINITY);
    ck_assert_str_eq(out, "+Inf");
    lm_fmt_double_fmt(out, 3, LM_FORMAT_OPENMETRICS);
    ck_assert_str_eq(out, "3.0");
    lm_fmt_double_fmt(out, 3, LM_FORMAT_TEXT);
    ck_assert_str_eq(out, "3");
    ck_assert_uint_eq(lm_fmt_u64(out, 18446744073709551615ULL), 20);
    ck_assert_str_eq(out, "18446744073709551615");
    lm_fmt_i64(out, INT64_MIN);
    ck_assert_str_eq(out, "-9223372036854775808");
    lm_fmt_u64(out, 0);
    ck_assert_str_eq(out, "0");
}
END_TEST

/* sigdigits: significant digits in a Go-style rendering. */
static int
sigdigits(const char *s)
{
    char d[64];
    int n = 0;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9' && (n > 0 || *s != '0'))
            d[n++] = *s;
    while (n > 1 && d[n - 1] == '0')
        n--;
    return n;
}

/* shortest_ref: the fewest %e digits that round-trip (brute force). */
static int
shortest_ref(double v)
{
    char tmp[64];
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
        if (strtod(tmp, NULL) == v)
            return p;
    }
    return 17;
}

START_TEST(test_roundtrip_random)
{
    unsigned seed = 12345;
    for (int i = 0; i < 200000; i++) {
        double v;
        int kind = i % 4;
        if (kind == 0) {   /* arbitrary bit patterns */
            uint64_t bits = ((uint64_t)rand_r(&seed) << 33) ^ ((uint64_t)rand_r(&seed) << 11) ^
                            (uint64_t)rand_r(&seed);
            memcpy(&v, &bits, sizeof v);
            if (isnan(v) || isinf(v))
                continue;
        } else if (kind == 1) {   /* short decimals like real metrics */
            v = (double)(rand_r(&seed) % 100000) / pow(10, rand_r(&seed) % 12);
        } else if (kind == 2) {
            v = (double)rand_r(&seed) * (double)rand_r(&seed);
        } else {
            v = (double)rand_r(&seed) / (double)RAND_MAX;
        }
        char out[LM_FMT_DOUBLE_MAX];
        lm_fmt_double_go(out, v);
        ck_assert_msg(strtod(out, NULL) == v || (v == 0 && strtod(out, NULL) == 0),
                      "%s does not round-trip (%.17g)", out, v);
        if (v != 0)
            ck_assert_msg(sigdigits(out) == shortest_ref(v), "%s is not shortest for %.17g (%d)",
                          out, v, shortest_ref(v));
    }
}
END_TEST

/* sigstr: the significant digits of s (a Go-style or %e rendering), no trailing zeros. */
static void
sigstr(const char *s, char *d)
{
    int n = 0;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9' && (n > 0 || *s != '0'))
            d[n++] = *s;
    while (n > 1 && d[n - 1] == '0')
        n--;
    d[n] = '\0';
}

/* The exact 128-bit path and the 17-digit snprintf path (whose 15/16-digit roundings
 * come from the 17 digits unless those sit exactly on a rounding boundary, last digits 5
 * or 50): decimals built to end that way, random doubles over the whole range and over
 * the 128-bit path's, and powers of two (a closer lower neighbour) must give the digits
 * of the brute-force %e search. */
START_TEST(test_digits_boundary)
{
    unsigned seed = 777;
    for (int i = 0; i < 100000; i++) {
        double v;
        if (i % 2) {
            char num[64];
            unsigned long long hi = (unsigned long long)rand_r(&seed) * 100000 +
                                    (unsigned long long)(rand_r(&seed) % 100000);
            hi = hi % 1000000000000000ULL + 100000000000000ULL;   /* 15 digits */
            snprintf(num, sizeof num, "%llu%se%d", hi, i % 4 == 1 ? "50" : "05",
                     rand_r(&seed) % 40 - 30);
            v = strtod(num, NULL);
        } else if (i % 4 == 0) {
            uint64_t bits = ((uint64_t)rand_r(&seed) << 33) ^ ((uint64_t)rand_r(&seed) << 11) ^
                            (uint64_t)rand_r(&seed);
            memcpy(&v, &bits, sizeof v);
            if (isnan(v) || isinf(v) || v == 0)
                continue;
        } else {   /* the 128-bit path's range, ~1e-8 .. 1e39, and powers of two */
            uint64_t mant = ((uint64_t)rand_r(&seed) << 31 ^ (uint64_t)rand_r(&seed)) &
                            ((1ULL << 53) - 1);
            if (i % 20 == 2)
                mant = 1ULL << 52;
            v = ldexp((double)(mant | 1ULL << 52), rand_r(&seed) % 185 - 80);
        }
        char out[LM_FMT_DOUBLE_MAX], ref[64], a[64], b[64];
        lm_fmt_double_go(out, v);
        snprintf(ref, sizeof ref, "%.*e", shortest_ref(v) - 1, v);
        sigstr(out, a);
        sigstr(ref, b);
        ck_assert_msg(strcmp(a, b) == 0, "%.17g: got %s want digits of %s", v, out, ref);
        ck_assert(strtod(out, NULL) == v);
    }
}
END_TEST

START_TEST(test_escape)
{
    struct lm_buf b;
    lm_buf_init(&b, 1024);
    const char *v = "a\\b\"c\nd";
    lm_fmt_put_label_value(&b, v, strlen(v));
    ck_assert_str_eq(lm_buf_cstr(&b), "a\\\\b\\\"c\\nd");
    lm_buf_reset(&b);
    lm_fmt_put_help(&b, v, strlen(v), LM_FORMAT_TEXT);
    ck_assert_str_eq(lm_buf_cstr(&b), "a\\\\b\"c\\nd");
    lm_buf_reset(&b);
    lm_fmt_put_help(&b, v, strlen(v), LM_FORMAT_OPENMETRICS);
    ck_assert_str_eq(lm_buf_cstr(&b), "a\\\\b\\\"c\\nd");
    lm_buf_cleanup(&b);
    char out[32];
    size_t n = lm_fmt_escape_label_value(out, v, strlen(v));
    ck_assert_uint_eq(n, 10);
    ck_assert(memcmp(out, "a\\\\b\\\"c\\nd", n) == 0);
    ck_assert(lm_fmt_label_value_needs_escape(v, strlen(v)));
    ck_assert(!lm_fmt_label_value_needs_escape("plain ü", 8));
}
END_TEST

START_TEST(test_names)
{
    ck_assert(lm_metric_name_valid("node_cpu_seconds_total"));
    ck_assert(lm_metric_name_valid("a:b_c9"));
    ck_assert(lm_metric_name_valid("_x"));
    ck_assert(lm_metric_name_valid(":x"));
    ck_assert(!lm_metric_name_valid(""));
    ck_assert(!lm_metric_name_valid(NULL));
    ck_assert(!lm_metric_name_valid("9x"));
    ck_assert(!lm_metric_name_valid("a-b"));
    ck_assert(!lm_metric_name_valid("a b"));
    ck_assert(!lm_metric_name_valid("é"));
    ck_assert(lm_label_name_valid("device"));
    ck_assert(lm_label_name_valid("_x"));
    ck_assert(lm_label_name_valid("le"));
    ck_assert(!lm_label_name_valid("__name__"));
    ck_assert(!lm_label_name_valid("a:b"));
    ck_assert(!lm_label_name_valid("1a"));
    ck_assert(!lm_label_name_valid(""));
    char big[2048];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ck_assert(!lm_metric_name_valid(big));
    ck_assert(!lm_label_name_valid(big));
}
END_TEST

Suite *fmt_suite(void);
Suite *
fmt_suite(void)
{
    Suite *s = suite_create("fmt");
    TCase *tc = tcase_create("fmt");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_go_table);
    tcase_add_test(tc, test_text_and_om);
    tcase_add_test(tc, test_roundtrip_random);
    tcase_add_test(tc, test_digits_boundary);
    tcase_add_test(tc, test_escape);
    tcase_add_test(tc, test_names);
    suite_add_tcase(s, tc);
    return s;
}

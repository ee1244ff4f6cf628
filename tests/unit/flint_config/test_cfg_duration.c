/* SPDX-License-Identifier: Apache-2.0 */
/* test_cfg_duration.c: Prometheus model.Duration parsing and formatting (units y w d h m
 * s ms in order, integers only, "0", overflow) as prometheus.yml uses them. */
#include <check.h>
#include <string.h>

#include "flint/config/config.h"

Suite *cfg_duration_suite(void);

static int64_t
ms(const char *s)
{
    int64_t v = -1;
    struct lm_err err = {0};
    ck_assert_msg(cfg_duration_parse(s, &v, &err) == 0, "%s: %s", s, err.msg);
    return v;
}

static void
bad(const char *s, const char *msg)
{
    int64_t v = 0;
    struct lm_err err = {0};
    ck_assert_msg(cfg_duration_parse(s, &v, &err) == LM_EINVAL, "accepted %s", s);
    ck_assert_msg(strstr(err.msg, msg), "%s: %s", s, err.msg);
}

START_TEST(parse)
{
    ck_assert_int_eq(ms("0"), 0);
    ck_assert_int_eq(ms("15s"), 15000);
    ck_assert_int_eq(ms("1m"), 60000);
    ck_assert_int_eq(ms("1h30m"), 5400000);
    ck_assert_int_eq(ms("250ms"), 250);
    ck_assert_int_eq(ms("1m30s500ms"), 90500);
    ck_assert_int_eq(ms("2d"), 2 * 86400000LL);
    ck_assert_int_eq(ms("1w"), 7 * 86400000LL);
    ck_assert_int_eq(ms("1y"), 365 * 86400000LL);
    ck_assert_int_eq(ms("0s"), 0);
    ck_assert_int_eq(ms("1y2w3d4h5m6s7ms"),
                     365 * 86400000LL + 14 * 86400000LL + 3 * 86400000LL + 4 * 3600000LL +
                         5 * 60000 + 6000 + 7);
    bad("", "empty duration string");
    bad("15", "not a valid duration string: \"15\"");
    bad("1.5m", "not a valid duration");
    bad("1s1m", "not a valid duration");
    bad("1m1m", "not a valid duration");
    bad("-1s", "not a valid duration");
    bad("1us", "not a valid duration");
    bad("5 s", "not a valid duration");
    bad("300y", "duration out of range");
    bad("99999999999999999999999s", "duration out of range");
}
END_TEST

START_TEST(format)
{
    char b[32];
    ck_assert_str_eq(cfg_duration_format(0, b, sizeof b), "0s");
    ck_assert_str_eq(cfg_duration_format(15000, b, sizeof b), "15s");
    ck_assert_str_eq(cfg_duration_format(90500, b, sizeof b), "1m30s500ms");
    ck_assert_str_eq(cfg_duration_format(90 * 86400000LL, b, sizeof b), "90d");
    ck_assert_str_eq(cfg_duration_format(14 * 86400000LL, b, sizeof b), "2w");
    ck_assert_str_eq(cfg_duration_format(365 * 86400000LL, b, sizeof b), "1y");
    ck_assert_str_eq(cfg_duration_format(3600000, b, sizeof b), "1h");
}
END_TEST

Suite *
cfg_duration_suite(void)
{
    Suite *s = suite_create("cfg_duration");
    TCase *tc = tcase_create("duration");
    tcase_add_test(tc, parse);
    tcase_add_test(tc, format);
    suite_add_tcase(s, tc);
    return s;
}

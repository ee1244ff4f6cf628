/* SPDX-License-Identifier: Apache-2.0 */
/* test_duration.c: lm_duration_parse, the Go-style timeout text both
 * supervisord_exporter and uwsgi_exporter read: units, chains, bare seconds and the
 * errors for empty, negative, zero and unknown-unit values. */
#include <check.h>
#include <string.h>
#include "lm/duration.h"

START_TEST(good)
{
    static const struct {
        const char *in;   /* text */
        double secs;      /* expected seconds */
    } cases[] = {{"5s", 5}, {"250ms", 0.25}, {"1m30s", 90}, {"2.5", 2.5}, {"1h", 3600},
                 {"10us", 1e-5}, {"0.5s", 0.5}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double d = -1;
        struct lm_err err;
        ck_assert_int_eq(lm_duration_parse(cases[i].in, "--t", &d, &err), 0);
        ck_assert_msg(d > cases[i].secs - 1e-12 && d < cases[i].secs + 1e-12, "%s", cases[i].in);
    }
}
END_TEST

START_TEST(bad)
{
    static const char *const cases[] = {"", "-1s", "0s", "5x", "s", "1.2.3s", "+3s"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double d = 7;
        struct lm_err err;
        ck_assert_int_eq(lm_duration_parse(cases[i], "--t", &d, &err), LM_EINVAL);
        ck_assert_str_eq(err.where, "--t");
        ck_assert(d == 7);
    }
}
END_TEST

Suite *duration_suite(void);

Suite *
duration_suite(void)
{
    Suite *s = suite_create("duration");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, good);
    tcase_add_test(tc, bad);
    suite_add_tcase(s, tc);
    return s;
}

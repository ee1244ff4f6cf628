/* SPDX-License-Identifier: Apache-2.0 */
/* test_params.c: time, duration and selector parameters as Prometheus's API parses
 * them: Unix seconds with ms rounding, RFC 3339 with offsets, its min/max strings,
 * durations in seconds or model.Duration, and match[] selectors through the API's
 * wrapper of flint/promql's parser (matchers, escapes, Prometheus's error texts). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "flint/api/api_int.h"

Suite *params_suite(void);

START_TEST(times)
{
    static const struct {
        const char *in;
        int64_t ms;
    } ok[] = {
        {"1435781451", 1435781451000},
        {"1435781451.781", 1435781451781},
        {"1435781451.7816", 1435781451782},
        {"0", 0},
        {"-1.5", -1500},
        {"2015-07-01T20:10:51.781Z", 1435781451781},
        {"2015-07-01T20:10:51Z", 1435781451000},
        {"2015-07-01T22:10:51.5+02:00", 1435781451500},
        {"2015-07-01T20:10:51.123456789Z", 1435781451123},
        {"-292273086-05-16T16:47:06Z", API_PROM_MIN_MS},
        {"292277025-08-18T07:12:54.999999999Z", API_PROM_MAX_MS},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t ms = 42;
        struct lm_err err = {0};
        ck_assert_msg(api_parse_time(ok[i].in, &ms, &err) == 0, "%s: %s", ok[i].in, err.msg);
        ck_assert_msg(ms == ok[i].ms, "%s: %lld", ok[i].in, (long long)ms);
    }
    static const char *bad[] = {"", "x", "2015-07-01", "2015-13-01T00:00:00Z",
                                "2015-02-30T00:00:00Z", "2015-07-01T20:10:51", "1 ",
                                "2015-07-01 20:10:51Z", "2015-07-01T20:10:51.Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms;
        struct lm_err err = {0};
        ck_assert_msg(api_parse_time(bad[i], &ms, &err) == LM_EINVAL, "%s", bad[i]);
        char want[128];
        snprintf(want, sizeof want, "cannot parse \"%s\" to a valid timestamp", bad[i]);
        ck_assert_str_eq(err.msg, want);
    }
}
END_TEST

START_TEST(durations)
{
    int64_t ms;
    struct lm_err err = {0};
    ck_assert_int_eq(api_parse_duration("15", &ms, &err), 0);
    ck_assert_int_eq(ms, 15000);
    ck_assert_int_eq(api_parse_duration("0.5", &ms, &err), 0);
    ck_assert_int_eq(ms, 500);
    ck_assert_int_eq(api_parse_duration("1m30s", &ms, &err), 0);
    ck_assert_int_eq(ms, 90000);
    ck_assert_int_eq(api_parse_duration("2h", &ms, &err), 0);
    ck_assert_int_eq(ms, 7200000);
    ck_assert_int_eq(api_parse_duration("1e30", &ms, &err), LM_EINVAL);
    ck_assert_str_eq(err.msg, "cannot parse \"1e30\" to a valid duration. It overflows int64");
    ck_assert_int_eq(api_parse_duration("1x", &ms, &err), LM_EINVAL);
    ck_assert_str_eq(err.msg, "cannot parse \"1x\" to a valid duration");
}
END_TEST

/* sel: parse s and describe the matchers as "name op value;..." in order. */
static int
sel(const char *s, char *out, size_t outsz, struct lm_err *err)
{
    struct lbl_matcher *ms;
    size_t n;
    int rc = api_parse_selector(s, &ms, &n, err);
    out[0] = '\0';
    if (rc)
        return rc;
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(out + o, outsz - o, "%s%s%s;", ms[i].name,
                              lbl_match_type_str(ms[i].type), ms[i].value);
    api_matchers_free(ms, n);
    return 0;
}

START_TEST(selectors)
{
    char d[512];
    struct lm_err err = {0};
    ck_assert_int_eq(sel("up", d, sizeof d, &err), 0);
    ck_assert_str_eq(d, "__name__=up;");
    ck_assert_int_eq(sel(" node_cpu:rate5m { mode =~ \"idle|user\" , cpu!=\"0\", } ", d,
                         sizeof d, &err), 0);
    ck_assert_str_eq(d, "mode=~idle|user;cpu!=0;__name__=node_cpu:rate5m;");
    ck_assert_int_eq(sel("{job='a\\'b',x!~`c\\d`}", d, sizeof d, &err), 0);
    ck_assert_str_eq(d, "job=a'b;x!~c\\d;");
    ck_assert_int_eq(sel("{a=\"\\u00e9\\x41\\101\\n\"}", d, sizeof d, &err), 0);
    ck_assert_str_eq(d, "a=\xc3\xa9" "AA\n;");
    ck_assert_int_eq(sel("{__name__=~\"node_.+\"}", d, sizeof d, &err), 0);
    ck_assert_str_eq(d, "__name__=~node_.+;");
    /* the non-empty rule is the API's, as Prometheus's ParseMetricSelector */
    ck_assert_int_eq(sel("{a=\"\"}", d, sizeof d, &err), 0);
    ck_assert_str_eq(d, "a=;");
    ck_assert_int_eq(sel("up{__name__=\"x\"}", d, sizeof d, &err), 0);
    /* errors */
    /* texts as the Debian prometheus 2.42 answers them */
    static const struct {
        const char *in;
        const char *msg;
    } bad[] = {
        {"", "1:1: parse error: unexpected end of input"},
        {"up{", "1:4: parse error: unexpected end of input inside braces"},
        {"up{a=b}", "1:6: parse error: unexpected identifier \"b\" in label matching, "
                    "expected string"},
        {"up{a~\"b\"}", "1:5: parse error: unexpected character inside braces: '~'"},
        {"up{a=\"b}", "1:6: parse error: unterminated quoted string"},
        {"up{a=~\"(\"}", NULL},
        {"up[5m]", "1:3: parse error: unexpected \"[\""},
        {"up{a=\"\\q\"}", "1:6: parse error: unknown escape sequence U+0071 'q'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&err, 0, sizeof err);
        ck_assert_msg(sel(bad[i].in, d, sizeof d, &err) == LM_EPARSE, "%s", bad[i].in);
        if (bad[i].msg)
            ck_assert_msg(!strcmp(err.msg, bad[i].msg), "%s: %s", bad[i].in, err.msg);
        else
            ck_assert_ptr_nonnull(strstr(err.msg, "parse error"));
    }
}
END_TEST

Suite *
params_suite(void)
{
    Suite *s = suite_create("params");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, times);
    tcase_add_test(tc, durations);
    tcase_add_test(tc, selectors);
    suite_add_tcase(s, tc);
    return s;
}

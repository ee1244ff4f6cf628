/* SPDX-License-Identifier: Apache-2.0 */
/* test_status_parse.c: the mod_status ?auto parser: the captured Apache 2.4 page (values
 * as upstream reads them), ExtendedStatus off, HTML pages with and without the status
 * marker, proxy balancer lines, odd values (counted, not fatal), CRLF line ends,
 * version numbers, and an OOM torture of the worker array. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "apache_exporter/status_parse.h"
#include "lm/alloc.h"

/* read_corpus: a seed file of tests/fuzz/corpus/apache_status (tests run from the root). */
static char *
read_corpus(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "tests/fuzz/corpus/apache_status/%s", name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f, "cannot open %s", path);
    static char buf[65536];
    *len = fread(buf, 1, sizeof buf - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static void
parse_file(const char *name, struct ap_status *st)
{
    size_t len;
    char *b = read_corpus(name, &len);
    struct lm_err err;
    lm_err_clear(&err);
    ap_status_init(st);
    ck_assert_int_eq(ap_status_parse(b, len, st, &err), 0);
}

START_TEST(test_event_extended)
{
    struct ap_status st;
    parse_file("event_extended.txt", &st);
    ck_assert_int_eq(st.page, AP_PAGE_AUTO);
    ck_assert_str_eq(st.version, "Apache/2.4.71 (Debian)");
    ck_assert_str_eq(st.mpm, "event");
    ck_assert(st.has[AP_K_ACCESSES] && st.v[AP_K_ACCESSES] == 305);
    ck_assert(st.v[AP_K_KBYTES] == 100 && st.v[AP_K_DURATION] == 80);
    ck_assert(st.v[AP_K_CPU_USER] == 0.04 && st.v[AP_K_CPU_SYSTEM] == 0.05);
    ck_assert(st.v[AP_K_CPULOAD] == 0.037037 && st.v[AP_K_UPTIME] == 243);
    ck_assert(st.v[AP_K_LOAD1] == 0.77 && st.v[AP_K_LOAD15] == 0.16);
    ck_assert(st.v[AP_K_CONFIG_GEN] == 1 && st.has[AP_K_MPM_GEN] && st.v[AP_K_MPM_GEN] == 0);
    ck_assert(st.v[AP_K_BUSY] == 1 && st.v[AP_K_IDLE] == 74);
    ck_assert(st.v[AP_K_PROCESSES] == 3 && st.has[AP_K_STOPPING]);
    ck_assert(st.has[AP_K_CONNS_TOTAL] && st.has[AP_K_CONNS_CLOSING]);
    ck_assert(st.sb[AP_SB_IDLE] == 74 && st.sb[AP_SB_REPLY] == 1 && st.sb[AP_SB_OPEN] == 325);
    ck_assert_uint_eq(st.bad_values, 0);
    ck_assert_uint_eq(st.nworkers, 0);
    double v;
    ck_assert_int_eq(ap_status_version_number(st.version, &v), 0);
    ck_assert(v == 2.04071);
    ap_status_cleanup(&st);
}
END_TEST

START_TEST(test_extended_off)
{
    struct ap_status st;
    parse_file("extended_off.txt", &st);
    ck_assert_int_eq(st.page, AP_PAGE_AUTO);
    ck_assert(!st.has[AP_K_ACCESSES] && !st.has[AP_K_UPTIME] && !st.has[AP_K_CPULOAD]);
    ck_assert(st.has[AP_K_BUSY] && st.has_scoreboard);
    ap_status_cleanup(&st);
}
END_TEST

START_TEST(test_html)
{
    struct ap_status st;
    parse_file("html_status.txt", &st);
    ck_assert_int_eq(st.page, AP_PAGE_HTML_STATUS);
    ap_status_cleanup(&st);
    parse_file("html_404.txt", &st);
    ck_assert_int_eq(st.page, AP_PAGE_HTML_OTHER);
    ap_status_cleanup(&st);
    parse_file("plain.txt", &st);
    ck_assert_int_eq(st.page, AP_PAGE_OTHER);
    ap_status_cleanup(&st);
    parse_file("empty.txt", &st);
    ck_assert_int_eq(st.page, AP_PAGE_EMPTY);
    ap_status_cleanup(&st);
}
END_TEST

START_TEST(test_balancer)
{
    struct ap_status st;
    parse_file("balancer.txt", &st);
    ck_assert_uint_eq(st.nworkers, 2);
    ck_assert_str_eq(st.workers[0].balancer, "balancer://app");
    ck_assert_str_eq(st.workers[0].worker, "http://10.0.0.1:8080");
    ck_assert_str_eq(st.workers[0].status, "Init Ok");
    ck_assert(st.workers[0].elected == 5808 && st.workers[0].sent_kb == 8234);
    ck_assert(st.workers[0].rcvd_kb == 167452 && st.workers[0].have == 15);
    ck_assert_str_eq(st.workers[1].status, "Init Err");
    ck_assert_uint_eq(st.workers[1].have, 1);
    ck_assert(st.sb_other['?'] == 1 && st.sb[AP_SB_KEEPALIVE] == 1 && st.sb[AP_SB_IDLE] == 2);
    ap_status_cleanup(&st);
}
END_TEST

START_TEST(test_odd_values)
{
    struct ap_status st;
    parse_file("odd_values.txt", &st);
    ck_assert_int_eq(st.page, AP_PAGE_AUTO);
    ck_assert(st.has[AP_K_ACCESSES] && st.v[AP_K_ACCESSES] == 1000);
    ck_assert(!st.has[AP_K_KBYTES] && !st.has[AP_K_UPTIME]);
    ck_assert(st.has[AP_K_CPULOAD] && st.v[AP_K_CPULOAD] == 0.5);
    ck_assert_uint_eq(st.bad_values, 2);
    ck_assert_uint_eq(st.first_bad_line, 4);
    ck_assert_str_eq(st.first_bad_key, "Total kBytes");
    double v;
    ck_assert_int_eq(ap_status_version_number(st.version, &v), LM_EPARSE);
    ap_status_cleanup(&st);
    parse_file("crlf_minor.txt", &st);
    ck_assert_str_eq(st.version, "Apache/2.4");
    ck_assert(st.has[AP_K_LOAD1] && st.v[AP_K_LOAD1] == 0.1 && st.sb[AP_SB_IDLE] == 4);
    ck_assert_int_eq(ap_status_version_number(st.version, &v), LM_EPARSE);
    ap_status_cleanup(&st);
}
END_TEST

START_TEST(test_version_number)
{
    double v;
    ck_assert_int_eq(ap_status_version_number("Apache/2.4.57 (Debian)", &v), 0);
    ck_assert(v == 2.04057);
    ck_assert_int_eq(ap_status_version_number("Apache/2.2.3", &v), 0);
    ck_assert(v == 2.02003);
    ck_assert_int_eq(ap_status_version_number("Apache/2.4.x", &v), LM_EPARSE);
    ck_assert_int_eq(ap_status_version_number("", &v), LM_EPARSE);
}
END_TEST

START_TEST(test_oom)
{
    size_t len;
    char *b = read_corpus("balancer.txt", &len);
    for (long n = 1;; n++) {
        struct ap_status st;
        struct lm_err err;
        lm_err_clear(&err);
        ap_status_init(&st);
        lm_alloc_fail_after(n);
        int rc = ap_status_parse(b, len, &st, &err);
        lm_alloc_fail_after(0);
        ap_status_cleanup(&st);
        if (rc == 0)
            break;
        ck_assert_int_eq(rc, LM_ENOMEM);
        ck_assert_int_eq(err.code, LM_ENOMEM);
        ck_assert_int_lt(n, 20);
    }
}
END_TEST

Suite *status_parse_suite(void);

Suite *
status_parse_suite(void)
{
    Suite *s = suite_create("status_parse");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_event_extended);
    tcase_add_test(tc, test_extended_off);
    tcase_add_test(tc, test_html);
    tcase_add_test(tc, test_balancer);
    tcase_add_test(tc, test_odd_values);
    tcase_add_test(tc, test_version_number);
    tcase_add_test(tc, test_oom);
    suite_add_tcase(s, tc);
    return s;
}

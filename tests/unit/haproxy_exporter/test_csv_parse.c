/* SPDX-License-Identifier: Apache-2.0 */
/* test_csv_parse.c: the HAProxy stats CSV reader: the captured HAProxy 2.6 `show stat`
 * (header skipped, 129 fields per row with the trailing comma), quoting as Go's
 * encoding/csv (doubled quotes, fields spanning lines, bare and unterminated quotes),
 * the field count fixed by the first good record, CRLF, the status mapping and the
 * millisecond columns, and an OOM torture. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "haproxy_exporter/csv_parse.h"
#include "haproxy_exporter/hap.h"
#include "lm/alloc.h"

static char *
read_corpus(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "tests/fuzz/corpus/haproxy_csv/%s", name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f, "cannot open %s", path);
    static char buf[65536];
    *len = fread(buf, 1, sizeof buf - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

START_TEST(test_show_stat)
{
    size_t len;
    char *b = read_corpus("show_stat_2.6.csv", &len);
    struct hap_csv c;
    struct lm_err err;
    hap_csv_init(&c, b, len);
    ck_assert_int_eq(hap_csv_next(&c, &err), 1);
    ck_assert_uint_eq(hap_csv_nfields(&c), 129);
    ck_assert_str_eq(hap_csv_field(&c, 0), "fe_main");
    ck_assert_str_eq(hap_csv_field(&c, 17), "OPEN");
    ck_assert_str_eq(hap_csv_field(&c, 32), "0");
    ck_assert_str_eq(hap_csv_field(&c, 2), "");
    ck_assert_str_eq(hap_csv_field(&c, 500), "");
    int rows = 1;
    while (hap_csv_next(&c, &err) == 1) {
        rows++;
        if (rows == 3) {
            ck_assert_str_eq(hap_csv_field(&c, 1), "web2");
            ck_assert_str_eq(hap_csv_field(&c, 17), "DOWN");
            ck_assert_str_eq(hap_csv_field(&c, 73), "127.0.0.1:18099");
        }
    }
    ck_assert_int_eq(rows, 6);
    hap_csv_cleanup(&c);
}
END_TEST

START_TEST(test_quoting)
{
    size_t len;
    char *b = read_corpus("quoting.csv", &len);
    struct hap_csv c;
    struct lm_err err;
    hap_csv_init(&c, b, len);
    ck_assert_int_eq(hap_csv_next(&c, &err), 1);
    ck_assert_uint_eq(hap_csv_nfields(&c), 3);
    ck_assert_int_eq(hap_csv_next(&c, &err), 1);
    ck_assert_str_eq(hap_csv_field(&c, 0), "multi\nline");
    ck_assert_str_eq(hap_csv_field(&c, 2), "a\"b");
    ck_assert_int_eq(hap_csv_next(&c, &err), LM_EPARSE);
    ck_assert_str_eq(err.where, "line 5");
    ck_assert(strstr(err.msg, "bare \""));
    /* "unterminated runs to the end of the input: one error, then the end */
    ck_assert_int_eq(hap_csv_next(&c, &err), LM_EPARSE);
    ck_assert(strstr(err.msg, "extraneous or missing"));
    ck_assert_int_eq(hap_csv_next(&c, &err), 0);
    hap_csv_cleanup(&c);
}
END_TEST

START_TEST(test_field_count)
{
    const char *in = "# h\n\na,b,c\r\nshort,row\nd,e,f\nx,y,z,extra\n";
    struct hap_csv c;
    struct lm_err err;
    hap_csv_init(&c, in, strlen(in));
    ck_assert_int_eq(hap_csv_next(&c, &err), 1);
    ck_assert_str_eq(hap_csv_field(&c, 2), "c");
    ck_assert_int_eq(hap_csv_next(&c, &err), LM_EPARSE);
    ck_assert(strstr(err.msg, "wrong number of fields"));
    ck_assert_int_eq(hap_csv_next(&c, &err), 1);
    ck_assert_str_eq(hap_csv_field(&c, 0), "d");
    ck_assert_int_eq(hap_csv_next(&c, &err), LM_EPARSE);
    ck_assert_int_eq(hap_csv_next(&c, &err), 0);
    hap_csv_cleanup(&c);
}
END_TEST

START_TEST(test_status_and_columns)
{
    ck_assert_int_eq(hap_status_up("UP"), 1);
    ck_assert_int_eq(hap_status_up("UP 2/3"), 1);
    ck_assert_int_eq(hap_status_up("DRAIN"), 1);
    ck_assert_int_eq(hap_status_up("no check"), 1);
    ck_assert_int_eq(hap_status_up("OPEN"), 1);
    ck_assert_int_eq(hap_status_up("UP 1/2"), 0);
    ck_assert_int_eq(hap_status_up("MAINT"), 0);
    ck_assert_int_eq(hap_status_up(""), 0);
    ck_assert(hap_col_is_ms(38) && hap_col_is_ms(61) && !hap_col_is_ms(62));
    ck_assert(!hap_col_is_ms(17));
}
END_TEST

START_TEST(test_oom)
{
    size_t len;
    char *b = read_corpus("show_stat_2.6.csv", &len);
    for (long n = 1;; n++) {
        struct hap_csv c;
        struct lm_err err;
        hap_csv_init(&c, b, len);
        lm_alloc_fail_after(n);
        int rc, rows = 0;
        while ((rc = hap_csv_next(&c, &err)) == 1)
            rows++;
        lm_alloc_fail_after(0);
        hap_csv_cleanup(&c);
        if (rc == 0) {
            ck_assert_int_eq(rows, 6);
            break;
        }
        ck_assert_int_eq(rc, LM_ENOMEM);
        ck_assert_int_lt(n, 50);
    }
}
END_TEST

Suite *csv_parse_suite(void);

Suite *
csv_parse_suite(void)
{
    Suite *s = suite_create("csv_parse");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_show_stat);
    tcase_add_test(tc, test_quoting);
    tcase_add_test(tc, test_field_count);
    tcase_add_test(tc, test_status_and_columns);
    tcase_add_test(tc, test_oom);
    suite_add_tcase(s, tc);
    return s;
}

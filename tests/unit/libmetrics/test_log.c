/* SPDX-License-Identifier: Apache-2.0 */
/* test_log.c: the logger (libmetrics/log.c): logfmt and JSON shapes, quoting, level
 * filtering, rate limiting of identical lines, and one write per line across threads. */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "lm/log.h"

/* slurp: everything written to tmp so far, as a malloc'd string. */
static char *
slurp(FILE *tmp)
{
    fflush(tmp);
    long n = ftell(tmp);
    char *s = calloc(1, (size_t)n + 1);
    rewind(tmp);
    ck_assert_uint_eq(fread(s, 1, (size_t)n, tmp), (size_t)n);
    return s;
}

START_TEST(logfmt_shape)
{
    FILE *tmp = tmpfile();
    struct lm_log *l = lm_log_new(tmp, LM_LOG_INFO, LM_LOG_LOGFMT);
    lm_info(l, "Listening on", "address", "[::]:9100", NULL);
    lm_error(l, "collector failed", "name", "cpu", "err", "open /proc/stat: no such \"file\"",
             "empty", "", "eq", "a=b", NULL);
    lm_debug(l, "hidden", "k", "v", NULL);
    char *s = slurp(tmp);
    char *nl = strchr(s, '\n');
    ck_assert_ptr_nonnull(nl);
    /* ts=2026-11-25T13:58:18.123Z */
    ck_assert(!strncmp(s, "ts=", 3));
    ck_assert_int_eq(s[13], 'T');
    ck_assert_int_eq(s[26], 'Z');
    ck_assert(!strncmp(s + 27, " caller=test_log.c:", 19));
    ck_assert_ptr_nonnull(strstr(s, " level=info msg=\"Listening on\" address=[::]:9100\n"));
    ck_assert_ptr_nonnull(strstr(nl + 1,
        " level=error msg=\"collector failed\" name=cpu "
        "err=\"open /proc/stat: no such \\\"file\\\"\" empty= eq=\"a=b\"\n"));
    ck_assert_ptr_null(strstr(s, "hidden"));
    free(s);
    lm_log_free(l);
    fclose(tmp);
}
END_TEST

START_TEST(json_shape)
{
    FILE *tmp = tmpfile();
    struct lm_log *l = lm_log_new(tmp, LM_LOG_DEBUG, LM_LOG_JSON);
    lm_warn(l, "x\ny", "address", "a\tb\x01", NULL);
    char *s = slurp(tmp);
    ck_assert(!strncmp(s, "{\"address\":\"a\\tb\\u0001\",\"caller\":\"test_log.c:", 44));
    ck_assert_ptr_nonnull(strstr(s, "\",\"level\":\"warn\",\"msg\":\"x\\ny\",\"ts\":\""));
    ck_assert(!strcmp(s + strlen(s) - 3, "Z\"}\n") || !strcmp(s + strlen(s) - 4, "Z\"}\n"));
    free(s);
    lm_log_free(l);
    fclose(tmp);
}
END_TEST

START_TEST(ratelimit)
{
    FILE *tmp = tmpfile();
    struct lm_log *l = lm_log_new(tmp, LM_LOG_INFO, LM_LOG_LOGFMT);
    for (int i = 0; i < 5; i++)
        lm_error(l, "collector failed", "name", "cpu", NULL);
    lm_error(l, "collector failed", "name", "mem", NULL);
    lm_error(l, "collector failed", "name", "cpu", NULL);
    char *s = slurp(tmp);
    int lines = 0;
    for (char *p = s; (p = strchr(p, '\n')); p++)
        lines++;
    ck_assert_int_eq(lines, 3);
    free(s);
    lm_log_free(l);
    fclose(tmp);
}
END_TEST

START_TEST(parse_and_null)
{
    enum lm_log_level lv;
    enum lm_log_format fm;
    ck_assert_int_eq(lm_log_level_parse("warn", &lv), 0);
    ck_assert_int_eq(lv, LM_LOG_WARN);
    ck_assert_int_eq(lm_log_level_parse("verbose", &lv), LM_EINVAL);
    ck_assert_int_eq(lm_log_format_parse("json", &fm), 0);
    ck_assert_int_eq(fm, LM_LOG_JSON);
    ck_assert_int_eq(lm_log_format_parse("xml", &fm), LM_EINVAL);
    ck_assert_int_eq(lm_log_enabled(NULL, LM_LOG_ERROR), 0);
    lm_log_write(NULL, LM_LOG_ERROR, __FILE__, __LINE__, "nothing", NULL);
    lm_log_free(NULL);
}
END_TEST

START_TEST(long_line)
{
    FILE *tmp = tmpfile();
    struct lm_log *l = lm_log_new(tmp, LM_LOG_INFO, LM_LOG_LOGFMT);
    char *big = malloc(10000);
    memset(big, 'a', 9999);
    big[9999] = '\0';
    lm_info(l, "big", "v", big, NULL);
    char *s = slurp(tmp);
    ck_assert_uint_le(strlen(s), 4096);
    ck_assert_ptr_nonnull(strstr(s, "...\n"));
    free(s);
    free(big);
    lm_log_free(l);
    fclose(tmp);
}
END_TEST

struct thr_arg {
    struct lm_log *l;   /* shared logger */
    int id;             /* thread number, makes lines distinct */
};

static void *
thr(void *p)
{
    struct thr_arg *a = p;
    char id[16], n[16];
    snprintf(id, sizeof id, "%d", a->id);
    for (int i = 0; i < 200; i++) {
        snprintf(n, sizeof n, "%d", i);
        lm_info(a->l, "line", "thread", id, "n", n, "pad",
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", NULL);
    }
    return NULL;
}

START_TEST(threads)
{
    FILE *tmp = tmpfile();
    struct lm_log *l = lm_log_new(tmp, LM_LOG_INFO, LM_LOG_LOGFMT);
    pthread_t t[4];
    struct thr_arg a[4];
    for (int i = 0; i < 4; i++) {
        a[i] = (struct thr_arg){l, i};
        pthread_create(&t[i], NULL, thr, &a[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    char *s = slurp(tmp);
    int lines = 0;
    for (char *p = s; *p;) {
        char *nl = strchr(p, '\n');
        ck_assert_ptr_nonnull(nl);
        ck_assert(!strncmp(p, "ts=", 3));
        ck_assert(!strncmp(nl - 5, "xxxxx", 5));
        lines++;
        p = nl + 1;
    }
    ck_assert_int_eq(lines, 800);
    free(s);
    lm_log_free(l);
    fclose(tmp);
}
END_TEST

Suite *log_suite(void);

Suite *
log_suite(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, logfmt_shape);
    tcase_add_test(tc, json_shape);
    tcase_add_test(tc, ratelimit);
    tcase_add_test(tc, parse_and_null);
    tcase_add_test(tc, long_line);
    tcase_add_test(tc, threads);
    suite_add_tcase(s, tc);
    return s;
}

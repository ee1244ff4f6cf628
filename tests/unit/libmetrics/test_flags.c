/* SPDX-License-Identifier: Apache-2.0 */
/* test_flags.c: kingpin-compatible flag parsing (libmetrics/flags.c): value forms,
 * switches and --no-, repeatable flags, kingpin's error texts, --help and --version
 * output, and an OOM torture run of declare + parse. */
#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/flags.h"

static const struct lm_flag_desc table[] = {
    {"web.telemetry-path", "/metrics", "Path under which to expose metrics.", false},
    {"collector.cpu", "true", "Enable the cpu collector (default: enabled).", true},
    {"collector.ntp", "false", "Enable the ntp collector (default: disabled).", true},
    {"log.level", "info", "Only log messages with the given severity or above.", false},
    {NULL, NULL, NULL, false},
};
static const struct lm_flag_desc listen = {
    "web.listen-address", ":9100",
    "Addresses on which to expose metrics and web interface. Repeatable for multiple addresses.",
    false};

static struct lm_flags *
mk(void)
{
    struct lm_flags *f = lm_flags_new("node_exporter", NULL);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(lm_flags_add_table(f, table), 0);
    ck_assert_int_eq(lm_flags_add(f, &listen, true), 0);
    return f;
}

/* parse: run lm_flags_parse on a NULL-terminated argument list (argv[0] added). */
static int
parse(struct lm_flags *f, struct lm_err *err, bool *exit_now, FILE *out, ...)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = "prog";
    va_list ap;
    va_start(ap, out);
    for (char *a; (a = va_arg(ap, char *)) && argc < 31;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    return lm_flags_parse(f, argc, argv, out, exit_now, err);
}

START_TEST(defaults)
{
    struct lm_flags *f = mk();
    ck_assert_str_eq(lm_flags_get(f, "web.telemetry-path"), "/metrics");
    ck_assert(lm_flags_get_bool(f, "collector.cpu"));
    ck_assert(!lm_flags_get_bool(f, "collector.ntp"));
    ck_assert_ptr_null(lm_flags_get(f, "nosuch"));
    size_t n;
    const char *const *v = lm_flags_get_all(f, "web.listen-address", &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(v[0], ":9100");
    ck_assert(!lm_flags_is_set(f, "web.telemetry-path"));
    lm_flags_free(f);
}
END_TEST

START_TEST(value_forms)
{
    struct lm_flags *f = mk();
    struct lm_err err;
    bool ex;
    ck_assert_int_eq(parse(f, &err, &ex, stdout, "--web.telemetry-path=/m", "--log.level", "debug",
                           "--no-collector.cpu", "--collector.ntp", NULL), 0);
    ck_assert(!ex);
    ck_assert_str_eq(lm_flags_get(f, "web.telemetry-path"), "/m");
    ck_assert_str_eq(lm_flags_get(f, "log.level"), "debug");
    ck_assert(!lm_flags_get_bool(f, "collector.cpu"));
    ck_assert(lm_flags_get_bool(f, "collector.ntp"));
    ck_assert(lm_flags_is_set(f, "collector.cpu"));
    lm_flags_free(f);

    f = mk();
    ck_assert_int_eq(parse(f, &err, &ex, stdout, "--collector.cpu=false", "--collector.ntp=1",
                           "--web.telemetry-path=", NULL), 0);
    ck_assert(!lm_flags_get_bool(f, "collector.cpu"));
    ck_assert_str_eq(lm_flags_get(f, "collector.ntp"), "true");
    ck_assert_str_eq(lm_flags_get(f, "web.telemetry-path"), "");
    lm_flags_free(f);
}
END_TEST

START_TEST(repeatable)
{
    struct lm_flags *f = mk();
    struct lm_err err;
    bool ex;
    ck_assert_int_eq(parse(f, &err, &ex, stdout, "--web.listen-address=127.0.0.1:1",
                           "--web.listen-address", "[::1]:2", NULL), 0);
    size_t n;
    const char *const *v = lm_flags_get_all(f, "web.listen-address", &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(v[0], "127.0.0.1:1");
    ck_assert_str_eq(v[1], "[::1]:2");
    ck_assert_str_eq(lm_flags_get(f, "web.listen-address"), "[::1]:2");
    lm_flags_free(f);
}
END_TEST

START_TEST(errors)
{
    struct lm_flags *f = mk();
    struct lm_err err;
    bool ex;
    ck_assert_int_eq(parse(f, &err, &ex, stdout, "--x", NULL), LM_EINVAL);
    ck_assert_str_eq(err.msg, "unknown long flag '--x', try --help");
    ck_assert_int_eq(parse(f, &err, &ex, stdout, "--x=3", NULL), LM_EINVAL);
    ck_assert_str_eq(err.msg, "unknown long flag '--x', try --help");
    ck_assert_int_eq(parse(f, &err, &ex, stdout, "--no-log.level", NULL), LM_EINVAL);
    ck_assert_str_eq(err.msg, "unknown long flag '--no-log.level', try --help");
    ck_assert_int_eq(parse(f, &err, &ex, stdout, "-x", NULL), LM_EINVAL);
    ck_assert_str_eq(err.msg, "unknown short flag '-x'");
    ck_assert_int_eq(parse(f, &err, &ex, stdout, "stray", NULL), LM_EINVAL);
    ck_assert_str_eq(err.msg, "unexpected stray");
    ck_assert_int_eq(parse(f, &err, &ex, stdout, "--log.level", NULL), LM_EINVAL);
    ck_assert_str_eq(err.msg, "expected argument for flag '--log.level'");
    ck_assert_str_eq(err.where, "--log.level");
    lm_flags_free(f);

    f = mk();
    ck_assert_int_eq(parse(f, &err, &ex, stdout, "--collector.cpu=maybe", NULL), LM_EINVAL);
    ck_assert_str_eq(err.msg, "strconv.ParseBool: parsing \"maybe\": invalid syntax");
    lm_flags_free(f);

    f = mk();
    ck_assert_int_eq(parse(f, &err, &ex, stdout, "--log.level=a", "--log.level=b", NULL),
                     LM_EINVAL);
    ck_assert_str_eq(err.msg, "flag 'log.level' cannot be repeated");
    ck_assert_int_eq(lm_flags_add(f, &table[0], false), LM_EDUP);
    lm_flags_free(f);
}
END_TEST

/* capture: what a fresh flag set prints for "--log.level=warn ARG". */
static char *
capture(const char *arg, bool *ex)
{
    struct lm_flags *f = mk();
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    struct lm_err err;
    ck_assert_int_eq(parse(f, &err, ex, out, "--log.level=warn", arg, NULL), 0);
    lm_flags_free(f);
    fclose(out);
    return text;
}

START_TEST(help_and_version)
{
    bool ex;
    char *h = capture("--help", &ex);
    ck_assert(ex);
    ck_assert_ptr_nonnull(strstr(h, "usage: node_exporter [<flags>]\n"));
    ck_assert_ptr_nonnull(strstr(h, "\nFlags:\n  -h, --help "));
    ck_assert_ptr_nonnull(strstr(h, "      --web.telemetry-path=\"/metrics\""));
    ck_assert_ptr_nonnull(strstr(h, "      --web.listen-address=:9100 ..."));
    ck_assert_ptr_nonnull(strstr(h, "      --collector.cpu "));
    ck_assert_ptr_nonnull(strstr(h, "Show application version."));
    ck_assert_ptr_nonnull(strstr(h, "Repeatable for multiple addresses."));
    /* help lines never run past 80 columns unless one word is too long */
    for (char *l = h; *l;) {
        size_t n = strcspn(l, "\n");
        ck_assert_uint_le(n, 80);
        l += n + (l[n] != '\0');
    }
    free(h);
    char *v = capture("-h", &ex);
    ck_assert(ex);
    free(v);
    v = capture("--version", &ex);
    ck_assert(ex);
    ck_assert(!strncmp(v, "node_exporter, version ", 23));
    ck_assert_ptr_nonnull(strstr(v, "(branch: "));
    ck_assert_ptr_nonnull(strstr(v, ", revision: "));
    ck_assert_ptr_nonnull(strstr(v, "\n  build user:       "));
    ck_assert_ptr_nonnull(strstr(v, "\n  build date:       "));
    ck_assert_ptr_nonnull(strstr(v, "\n  platform:         linux/"));
    free(v);
}
END_TEST

START_TEST(oom)
{
    for (long n = 1; n < 200; n++) {
        lm_alloc_fail_after(n);
        struct lm_flags *f = lm_flags_new("p", NULL);
        int rc = f ? lm_flags_add_table(f, table) : LM_ENOMEM;
        if (!rc)
            rc = lm_flags_add(f, &listen, true);
        struct lm_err err;
        bool ex;
        if (!rc)
            rc = parse(f, &err, &ex, stdout, "--web.listen-address=a", "--web.listen-address=b",
                       "--web.listen-address=c", "--log.level=x", NULL);
        lm_alloc_fail_after(0);
        lm_flags_free(f);
        if (!rc)
            return;
        ck_assert_int_eq(rc, LM_ENOMEM);
    }
    ck_abort_msg("never succeeded");
}
END_TEST

Suite *flags_suite(void);

Suite *
flags_suite(void)
{
    Suite *s = suite_create("flags");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, value_forms);
    tcase_add_test(tc, repeatable);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, help_and_version);
    tcase_add_test(tc, oom);
    suite_add_tcase(s, tc);
    return s;
}

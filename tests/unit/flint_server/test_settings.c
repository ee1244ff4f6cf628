/* SPDX-License-Identifier: Apache-2.0 */
/* test_settings.c: flint's command line: Prometheus's defaults, retention (the
 * deprecated flag, size only, both, the runtimeinfo text), byte sizes, durations,
 * external URL and route prefix, and errors naming the flag. */
#include <check.h>
#include <stdarg.h>
#include <string.h>

#include "flint/server/settings.h"
#include "lm/flags.h"

Suite *settings_suite(void);

/* parse: argv (NULL-terminated, without the program name) into s. */
static int
parse(struct srv_settings *s, struct lm_err *err, struct lm_flags **out, ...)
{
    char *argv[32] = {"flint"};
    int argc = 1;
    va_list ap;
    va_start(ap, out);
    for (char *a; argc < 31 && (a = va_arg(ap, char *));)
        argv[argc++] = a;
    va_end(ap);
    struct lm_flags *f = lm_flags_new("flint", "test");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(lm_flags_add_table(f, srv_flag_table), 0);
    bool exit_now = false;
    int rc = lm_flags_parse(f, argc, argv, stdout, &exit_now, err);
    if (!rc)
        rc = srv_settings_from_flags(f, s, err);
    *out = f;
    return rc;
}

START_TEST(defaults)
{
    struct srv_settings s;
    struct lm_err err = {0};
    struct lm_flags *f;
    ck_assert_int_eq(parse(&s, &err, &f, NULL), 0);
    ck_assert_str_eq(s.config_file, "flint.yml");
    ck_assert_str_eq(s.listen, "0.0.0.0:9090");
    ck_assert_str_eq(s.tsdb_path, "data/");
    ck_assert(!s.enable_lifecycle);
    ck_assert_int_eq(s.retention_ms, SRV_DEFAULT_RETENTION_MS);
    ck_assert_int_eq(s.retention_bytes, 0);
    ck_assert_str_eq(s.retention_str, "15d");
    ck_assert_int_eq(s.query_timeout_ms, 120000);
    ck_assert_int_eq(s.lookback_ms, 300000);
    ck_assert_int_eq(s.query_max_samples, 50000000);
    ck_assert_int_eq(s.query_max_concurrency, 20);
    ck_assert_int_eq(s.min_block_ms, 2 * 3600 * 1000);
    ck_assert_int_eq(s.read_timeout_ms, 300000);
    ck_assert(s.wal_compression);
    ck_assert_str_eq(s.log_level, "info");
    ck_assert_ptr_nonnull(strstr(s.external_url, ":9090/"));
    ck_assert_int_eq(strncmp(s.external_url, "http://", 7), 0);
    ck_assert(!s.deprecated_retention);
    lm_flags_free(f);
}
END_TEST

START_TEST(retention)
{
    struct srv_settings s;
    struct lm_err err = {0};
    struct lm_flags *f;
    ck_assert_int_eq(parse(&s, &err, &f, "--storage.tsdb.retention=30d", NULL), 0);
    ck_assert_int_eq(s.retention_ms, 30LL * 86400000);
    ck_assert(s.deprecated_retention);
    lm_flags_free(f);
    ck_assert_int_eq(parse(&s, &err, &f, "--storage.tsdb.retention=30d",
                           "--storage.tsdb.retention.time=1w", NULL), 0);
    ck_assert_int_eq(s.retention_ms, 7LL * 86400000);
    ck_assert_str_eq(s.retention_str, "1w");
    lm_flags_free(f);
    ck_assert_int_eq(parse(&s, &err, &f, "--storage.tsdb.retention.size=1GB", NULL), 0);
    ck_assert_int_eq(s.retention_ms, 0);
    ck_assert_uint_eq(s.retention_bytes, 1024ULL * 1024 * 1024);
    ck_assert_str_eq(s.retention_str, "1GiB");
    lm_flags_free(f);
    ck_assert_int_eq(parse(&s, &err, &f, "--storage.tsdb.retention.size=512MiB",
                           "--storage.tsdb.retention.time=15d", NULL), 0);
    ck_assert_str_eq(s.retention_str, "15d or 512MiB");
    lm_flags_free(f);
    ck_assert_int_eq(parse(&s, &err, &f, "--storage.tsdb.retention.time=200y", NULL), 0);
    ck_assert_int_eq(s.retention_ms, SRV_RETENTION_MAX_MS);
    lm_flags_free(f);
    ck_assert_int_eq(parse(&s, &err, &f, "--storage.tsdb.retention.size=12", NULL), LM_EINVAL);
    ck_assert_str_eq(err.where, "--storage.tsdb.retention.size");
    lm_flags_free(f);
}
END_TEST

START_TEST(bytes)
{
    uint64_t v;
    char out[64];
    ck_assert_int_eq(srv_parse_bytes("0", &v), 0);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(srv_parse_bytes("0B", &v), 0);
    ck_assert_int_eq(srv_parse_bytes("10KB", &v), 0);
    ck_assert_uint_eq(v, 10240);
    ck_assert_int_eq(srv_parse_bytes("1.5GB", &v), 0);
    ck_assert_uint_eq(v, 1536ULL * 1024 * 1024);
    ck_assert_int_eq(srv_parse_bytes("2TiB", &v), 0);
    ck_assert_uint_eq(v, 2ULL << 40);
    ck_assert_int_eq(srv_parse_bytes("5", &v), LM_EINVAL);
    ck_assert_int_eq(srv_parse_bytes("5XB", &v), LM_EINVAL);
    ck_assert_int_eq(srv_parse_bytes("-1GB", &v), LM_EINVAL);
    ck_assert_str_eq(srv_format_bytes(0, out, sizeof out), "0B");
    ck_assert_str_eq(srv_format_bytes(1536ULL << 20, out, sizeof out), "1GiB512MiB");
    ck_assert_str_eq(srv_format_bytes(1025, out, sizeof out), "1KiB1B");
}
END_TEST

START_TEST(web_and_errors)
{
    struct srv_settings s;
    struct lm_err err = {0};
    struct lm_flags *f;
    ck_assert_int_eq(parse(&s, &err, &f, "--web.external-url=https://mon.example/",
                           "--web.route-prefix=/", "--web.enable-lifecycle",
                           "--web.listen-address=:19090", NULL), 0);
    ck_assert_str_eq(s.external_url, "https://mon.example/");
    ck_assert(s.enable_lifecycle);
    ck_assert_str_eq(s.listen, ":19090");
    lm_flags_free(f);
    ck_assert_int_eq(parse(&s, &err, &f, "--web.external-url=https://mon.example/prom", NULL),
                     LM_EUNSUPP);
    ck_assert_str_eq(err.where, "--web.route-prefix");
    lm_flags_free(f);
    ck_assert_int_eq(parse(&s, &err, &f, "--web.external-url=mon.example", NULL), LM_EINVAL);
    ck_assert_str_eq(err.where, "--web.external-url");
    lm_flags_free(f);
    ck_assert_int_eq(parse(&s, &err, &f, "--query.timeout=2x", NULL), LM_EINVAL);
    ck_assert_str_eq(err.where, "--query.timeout");
    lm_flags_free(f);
    ck_assert_int_eq(parse(&s, &err, &f, "--query.max-concurrency=0", NULL), LM_EINVAL);
    ck_assert_str_eq(err.where, "--query.max-concurrency");
    lm_flags_free(f);
    ck_assert_int_eq(parse(&s, &err, &f, "--config.file=", NULL), LM_EINVAL);
    lm_flags_free(f);
    /* ignored Prometheus flags are accepted */
    ck_assert_int_eq(parse(&s, &err, &f, "--web.enable-admin-api", "--enable-feature=x",
                           "--enable-feature=y", "--web.console.templates=/x", NULL), 0);
    lm_flags_free(f);
}
END_TEST

Suite *
settings_suite(void)
{
    Suite *s = suite_create("settings");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, retention);
    tcase_add_test(tc, bytes);
    tcase_add_test(tc, web_and_errors);
    suite_add_tcase(s, tc);
    return s;
}

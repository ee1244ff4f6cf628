/* SPDX-License-Identifier: Apache-2.0 */
/* test_cfg_load.c: loading prometheus.yml: the example fixture (also accepted by
 * promtool), defaults and inheritance from global, bearer_token folding, relative path
 * resolution, raw text kept, warnings for unsupported sections, equality for reloads,
 * and an OOM torture run. */
#include <check.h>
#include <string.h>

#include "flint/config/config.h"
#include "lm/alloc.h"
#include "lm/regex.h"

Suite *cfg_load_suite(void);

#define FIX "tests/fixtures/flint/example.yml"

static struct cfg *
load(const char *text, struct lm_err *err)
{
    return cfg_load_string("t.yml", text, strlen(text), "/etc/flint", err);
}

START_TEST(example_fixture)
{
    struct lm_err err = {0};
    struct cfg *c = cfg_load_file(FIX, &err);
    ck_assert_msg(c, "%s: %s", err.where, err.msg);
    ck_assert_int_eq(c->global.scrape_interval_ms, 15000);
    ck_assert_int_eq(c->global.scrape_timeout_ms, 10000);
    ck_assert_int_eq(c->global.evaluation_interval_ms, 60000);
    ck_assert_str_eq(lbl_set_get(&c->global.external_labels, "site"), "paris");
    ck_assert_uint_eq(c->nrule_files, 1);
    ck_assert_str_eq(c->rule_files[0], "tests/fixtures/flint/rules/*.yml");
    ck_assert_uint_eq(c->nscrapes, 4);

    const struct cfg_scrape *s = cfg_scrape_find(c, "flint");
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(s->scrape_interval_ms, 15000);
    ck_assert_int_eq(s->scrape_timeout_ms, 10000);
    ck_assert_str_eq(s->metrics_path, "/metrics");
    ck_assert_str_eq(s->scheme, "http");
    ck_assert(s->honor_timestamps);
    ck_assert(!s->honor_labels);
    ck_assert(s->http.follow_redirects);
    ck_assert_uint_eq(s->sd.nstatics, 1);
    ck_assert_str_eq(s->sd.statics[0].targets[0], "localhost:9090");

    s = cfg_scrape_find(c, "node");
    ck_assert_int_eq(s->scrape_interval_ms, 30000);
    ck_assert_int_eq(s->scrape_timeout_ms, 20000);
    ck_assert_uint_eq(s->sample_limit, 50000);
    ck_assert_uint_eq(s->label_limit, 64);
    ck_assert_uint_eq(s->label_name_length_limit, 200);
    ck_assert_uint_eq(s->label_value_length_limit, 2048);
    ck_assert_uint_eq(s->body_size_limit, 10u << 20);
    ck_assert_uint_eq(s->sd.nfile_sds, 1);
    ck_assert_uint_eq(s->sd.file_sds[0].nfiles, 2);
    ck_assert_str_eq(s->sd.file_sds[0].files[0], "tests/fixtures/flint/sd/*.json");
    ck_assert_int_eq(s->sd.file_sds[0].refresh_ms, 60000);
    ck_assert_str_eq(lbl_set_get(&s->sd.statics[0].labels, "role"), "web");
    ck_assert_uint_eq(s->nrelabel, 5);
    ck_assert_int_eq(s->relabel[0].action, RL_REPLACE);
    ck_assert_str_eq(s->relabel[0].replacement, "${1}");
    ck_assert_str_eq(lm_regex_pattern(s->relabel[0].regex), "([^:]+):\\d+");
    ck_assert_int_eq(s->relabel[1].action, RL_KEEP);
    ck_assert_int_eq(s->relabel[2].action, RL_HASHMOD);
    ck_assert_uint_eq(s->relabel[2].modulus, 4);
    ck_assert_int_eq(s->relabel[3].action, RL_LABELMAP);
    ck_assert_str_eq(s->relabel[3].replacement, "$1");
    ck_assert_int_eq(s->relabel[4].action, RL_UPPERCASE);
    ck_assert_uint_eq(s->nmetric_relabel, 2);
    ck_assert_int_eq(s->metric_relabel[1].action, RL_LABELDROP);

    s = cfg_scrape_find(c, "blackbox");
    ck_assert_str_eq(s->metrics_path, "/probe");
    ck_assert_str_eq(s->scheme, "https");
    ck_assert_uint_eq(s->nparams, 1);
    ck_assert_str_eq(s->params[0].name, "module");
    ck_assert_str_eq(s->params[0].values[0], "http_2xx");
    ck_assert(s->http.has_basic_auth);
    ck_assert_str_eq(s->http.basic_auth.username, "prom");
    ck_assert_str_eq(s->http.basic_auth.password_file, "tests/fixtures/flint/secrets/bb.pass");
    ck_assert_str_eq(s->http.tls.ca_file, "tests/fixtures/flint/ca.pem");
    ck_assert_str_eq(s->http.tls.server_name, "blackbox.example.org");
    ck_assert_str_eq(s->relabel[0].separator, ";");
    ck_assert_ptr_null(s->relabel[2].source_labels);

    s = cfg_scrape_find(c, "apps");
    ck_assert(s->http.has_authorization);
    ck_assert_str_eq(s->http.auth_type, "Bearer");
    ck_assert_str_eq(s->http.auth_credentials_file, "tests/fixtures/flint/secrets/token");
    ck_assert_ptr_null(s->http.bearer_token_file);
    ck_assert(!s->http.follow_redirects);
    ck_assert_int_eq(s->relabel[2].action, RL_KEEPEQUAL);
    ck_assert_ptr_null(cfg_scrape_find(c, "nope"));

    ck_assert_uint_eq(c->alerting.nams, 1);
    ck_assert_int_eq(c->alerting.ams[0].timeout_ms, 5000);
    ck_assert_str_eq(c->alerting.ams[0].path_prefix, "/");
    ck_assert_uint_eq(c->alerting.nalert_relabel, 1);
    ck_assert_uint_eq(c->nrws, 1);
    ck_assert_str_eq(c->rws[0].name, "vm");
    ck_assert_int_eq(c->rws[0].q_capacity, 10000);
    ck_assert_int_eq(c->rws[0].q_max_samples_per_send, 500);
    ck_assert_str_eq(c->rws[0].headers[0].name, "X-Tenant");
    ck_assert_uint_eq(c->nwarnings, 0);
    ck_assert_ptr_nonnull(strstr(c->raw, "job_name: blackbox"));
    ck_assert_uint_eq(c->raw_len, strlen(c->raw));

    /* the same file twice: every job compares equal */
    struct cfg *d = cfg_load_file(FIX, &err);
    ck_assert_ptr_nonnull(d);
    for (size_t i = 0; i < c->nscrapes; i++)
        ck_assert(cfg_scrape_eq(&c->scrapes[i], &d->scrapes[i]));
    ck_assert(!cfg_scrape_eq(&c->scrapes[0], &d->scrapes[1]));
    cfg_free(d);
    cfg_free(c);
}
END_TEST

START_TEST(defaults_and_inheritance)
{
    struct lm_err err = {0};
    struct cfg *c = load("", &err);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(c->global.scrape_interval_ms, 60000);
    ck_assert_int_eq(c->global.scrape_timeout_ms, 10000);
    ck_assert_int_eq(c->global.evaluation_interval_ms, 60000);
    ck_assert_uint_eq(c->nscrapes, 0);
    cfg_free(c);

    /* a global interval below the default timeout caps the timeout */
    c = load("global: {scrape_interval: 5s}\n"
             "scrape_configs:\n"
             "  - job_name: a\n"
             "  - job_name: b\n"
             "    scrape_interval: 2s\n"
             "  - job_name: c\n"
             "    scrape_interval: 1m\n"
             "    honor_timestamps: false\n"
             "    scrape_timeout: 30s\n",
             &err);
    ck_assert_msg(c, "%s: %s", err.where, err.msg);
    ck_assert_int_eq(c->global.scrape_timeout_ms, 5000);
    ck_assert_int_eq(c->scrapes[0].scrape_interval_ms, 5000);
    ck_assert_int_eq(c->scrapes[0].scrape_timeout_ms, 5000);
    ck_assert_int_eq(c->scrapes[1].scrape_interval_ms, 2000);
    ck_assert_int_eq(c->scrapes[1].scrape_timeout_ms, 2000);
    ck_assert_int_eq(c->scrapes[2].scrape_timeout_ms, 30000);
    ck_assert(!c->scrapes[2].honor_timestamps);
    ck_assert(!cfg_scrape_eq(&c->scrapes[0], &c->scrapes[1]));
    cfg_free(c);
}
END_TEST

START_TEST(bearer_token_and_paths)
{
    struct lm_err err = {0};
    struct cfg *c = load("scrape_configs:\n"
                         "  - job_name: a\n"
                         "    bearer_token: s3cret\n"
                         "    file_sd_configs: [{files: [targets/*.yaml, /abs/x.json]}]\n"
                         "rule_files: [r.yml, /abs/r.yml]\n",
                         &err);
    ck_assert_msg(c, "%s: %s", err.where, err.msg);
    const struct cfg_scrape *s = &c->scrapes[0];
    ck_assert_str_eq(s->http.auth_type, "Bearer");
    ck_assert_str_eq(s->http.auth_credentials, "s3cret");
    ck_assert_str_eq(s->sd.file_sds[0].files[0], "/etc/flint/targets/*.yaml");
    ck_assert_str_eq(s->sd.file_sds[0].files[1], "/abs/x.json");
    ck_assert_int_eq(s->sd.file_sds[0].refresh_ms, 300000);
    ck_assert_str_eq(c->rule_files[0], "/etc/flint/r.yml");
    ck_assert_str_eq(c->rule_files[1], "/abs/r.yml");
    cfg_free(c);

    c = load("scrape_configs:\n"
             "  - job_name: a\n"
             "    authorization: {type: Token, credentials: abc}\n",
             &err);
    ck_assert_msg(c, "%s: %s", err.where, err.msg);
    ck_assert_str_eq(c->scrapes[0].http.auth_type, "Token");
    cfg_free(c);
}
END_TEST

START_TEST(warnings_for_unsupported)
{
    struct lm_err err = {0};
    struct cfg *c = load("remote_read:\n"
                         "  - url: http://x/read\n"
                         "scrape_configs:\n"
                         "  - job_name: k\n"
                         "    kubernetes_sd_configs:\n"
                         "      - role: pod\n",
                         &err);
    ck_assert_msg(c, "%s: %s", err.where, err.msg);
    ck_assert_uint_eq(c->nwarnings, 2);
    ck_assert_ptr_nonnull(strstr(c->warnings[0], "t.yml:1:1: remote_read"));
    ck_assert_ptr_nonnull(strstr(c->warnings[1], "t.yml:5:5: kubernetes_sd_configs"));
    cfg_free(c);
    /* Prometheus accepts any scheme; we warn */
    c = load("scrape_configs:\n"
             "  - job_name: a\n"
             "    scheme: ftp\n",
             &err);
    ck_assert_msg(c, "%s: %s", err.where, err.msg);
    ck_assert_uint_eq(c->nwarnings, 1);
    ck_assert_ptr_nonnull(strstr(c->warnings[0], "t.yml:3:13: scheme \"ftp\""));
    cfg_free(c);
}
END_TEST

START_TEST(null_values_are_zero)
{
    /* yaml.v2 sets the zero value for an explicit null */
    struct lm_err err = {0};
    struct cfg *c = load("global:\n"
                         "scrape_configs:\n"
                         "  - job_name: a\n"
                         "    honor_timestamps:\n"
                         "    static_configs:\n"
                         "      - targets:\n"
                         "        labels:\n",
                         &err);
    ck_assert_msg(c, "%s: %s", err.where, err.msg);
    ck_assert(!c->scrapes[0].honor_timestamps);
    ck_assert_uint_eq(c->scrapes[0].sd.statics[0].ntargets, 0);
    ck_assert_int_eq(c->global.scrape_interval_ms, 60000);
    cfg_free(c);
}
END_TEST

START_TEST(anchors_and_merge_keys)
{
    /* yaml.v2 (so Prometheus) resolves aliases and "<<" merge keys */
    struct lm_err err = {0};
    struct cfg *c = load("scrape_configs:\n"
                         "  - &base\n"
                         "    job_name: a\n"
                         "    scrape_interval: 5s\n"
                         "    metrics_path: /m\n"
                         "    static_configs: &st [{targets: ['h:1']}]\n"
                         "  - <<: *base\n"
                         "    job_name: b\n"
                         "  - <<: [{honor_labels: true}, *base]\n"
                         "    job_name: c\n"
                         "    metrics_path: /z\n"
                         "    static_configs: *st\n",
                         &err);
    ck_assert_msg(c, "%s: %s", err.where, err.msg);
    ck_assert_uint_eq(c->nscrapes, 3);
    ck_assert_str_eq(c->scrapes[1].job_name, "b");
    ck_assert_int_eq(c->scrapes[1].scrape_interval_ms, 5000);
    ck_assert_str_eq(c->scrapes[1].metrics_path, "/m");
    ck_assert_str_eq(c->scrapes[1].sd.statics[0].targets[0], "h:1");
    ck_assert_str_eq(c->scrapes[2].metrics_path, "/z");
    ck_assert(c->scrapes[2].honor_labels);
    ck_assert_int_eq(c->scrapes[2].scrape_interval_ms, 5000);
    ck_assert_str_eq(c->scrapes[2].sd.statics[0].targets[0], "h:1");
    cfg_free(c);
    const char *bad = "scrape_configs:\n  - <<: 5\n    job_name: b\n";
    ck_assert_ptr_null(cfg_load_string("t.yml", bad, strlen(bad), NULL, &err));
    ck_assert_str_eq(err.where, "t.yml:2:9");
}
END_TEST

START_TEST(oom_torture)
{
    size_t len;
    const char *text = "global: {external_labels: {a: b}}\n"
                       "scrape_configs:\n"
                       "  - job_name: a\n"
                       "    params: {module: [x]}\n"
                       "    static_configs: [{targets: ['h:1'], labels: {x: y}}]\n"
                       "    file_sd_configs: [{files: [a.json]}]\n"
                       "    relabel_configs: [{source_labels: [a], target_label: b}]\n"
                       "    bearer_token: t\n"
                       "remote_write: [{url: 'http://x/', headers: {A: b}}]\n"
                       "alerting: {alertmanagers: [{static_configs: [{targets: [a:1]}]}]}\n";
    len = strlen(text);
    int ok = 0;
    for (long n = 1; n < 2000 && !ok; n++) {
        struct lm_err err = {0};
        lm_alloc_fail_after(n);
        struct cfg *c = cfg_load_string("t.yml", text, len, "/d", &err);
        lm_alloc_fail_after(0);
        if (c) {
            ok = 1;
            ck_assert_uint_eq(c->nscrapes, 1);
            cfg_free(c);
        } else {
            ck_assert_int_eq(err.code, LM_ENOMEM);
        }
    }
    ck_assert(ok);
}
END_TEST

Suite *
cfg_load_suite(void)
{
    Suite *s = suite_create("cfg_load");
    TCase *tc = tcase_create("load");
    tcase_add_test(tc, example_fixture);
    tcase_add_test(tc, defaults_and_inheritance);
    tcase_add_test(tc, bearer_token_and_paths);
    tcase_add_test(tc, warnings_for_unsupported);
    tcase_add_test(tc, null_values_are_zero);
    tcase_add_test(tc, anchors_and_merge_keys);
    tcase_add_test(tc, oom_torture);
    suite_add_tcase(s, tc);
    return s;
}

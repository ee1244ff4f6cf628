/* SPDX-License-Identifier: Apache-2.0 */
/* test_cfg_errors.c: every kind of bad prometheus.yml is refused with the file, line,
 * column and a message naming the key: unknown keys, wrong types, bad regexes, bad
 * durations, duplicate jobs, timeout > interval, relabel rule validation, YAML syntax. */
#include <check.h>
#include <string.h>

#include "flint/config/config.h"

Suite *cfg_errors_suite(void);

/* expect: loading text fails at where with a message containing msg. */
static void
expect(const char *text, const char *where, const char *msg)
{
    struct lm_err err = {0};
    struct cfg *c = cfg_load_string("p.yml", text, strlen(text), NULL, &err);
    ck_assert_msg(!c, "accepted: %s", text);
    ck_assert_msg(!strcmp(err.where, where), "where %s, want %s (%s)", err.where, where,
                  err.msg);
    ck_assert_msg(strstr(err.msg, msg), "msg \"%s\" lacks \"%s\"", err.msg, msg);
    ck_assert_int_ne(err.code, 0);
}

START_TEST(unknown_keys)
{
    expect("scrape_configs:\n"
           "  - job_name: a\n"
           "    scrape_intervall: 5s\n",
           "p.yml:3:5", "field scrape_intervall not found in type config.ScrapeConfig");
    expect("global:\n  foo: 1\n", "p.yml:2:3", "field foo not found in type config.GlobalConfig");
    expect("scrapeconfigs: []\n", "p.yml:1:1", "field scrapeconfigs not found in type config.Config");
    expect("scrape_configs:\n"
           "  - job_name: a\n"
           "    relabel_configs:\n"
           "      - source_label: [a]\n",
           "p.yml:4:9", "field source_label not found in type relabel.Config");
    expect("scrape_configs:\n"
           "  - job_name: a\n"
           "    static_configs:\n"
           "      - targets: [a]\n"
           "        label: {a: b}\n",
           "p.yml:5:9", "field label not found in type targetgroup.Group");
    expect("scrape_configs:\n"
           "  - job_name: a\n"
           "    tls_config: {ca: x, cafile: y}\n",
           "p.yml:3:25", "field cafile not found in type config.TLSConfig");
}
END_TEST

START_TEST(wrong_types)
{
    expect("scrape_configs:\n"
           "  - job_name: [a]\n",
           "p.yml:2:15", "job_name: cannot unmarshal !!seq into string");
    expect("scrape_configs:\n"
           "  - job_name: a\n"
           "    honor_labels: maybe\n",
           "p.yml:3:19", "honor_labels: cannot unmarshal !!str `maybe` into bool");
    expect("scrape_configs:\n"
           "  - job_name: a\n"
           "    sample_limit: -1\n",
           "p.yml:3:19", "sample_limit: cannot unmarshal !!int `-1` into uint");
    expect("scrape_configs: {a: b}\n", "p.yml:1:17", "scrape_configs: cannot unmarshal !!map");
    expect("global: [1]\n", "p.yml:1:9", "cannot unmarshal !!seq into config.GlobalConfig");
    expect("global:\n  external_labels:\n    0bad: x\n", "p.yml:3:5",
           "\"0bad\" is not a valid label name");
}
END_TEST

START_TEST(bad_regex)
{
    expect("scrape_configs:\n"
           "  - job_name: a\n"
           "    relabel_configs:\n"
           "      - source_labels: [a]\n"
           "        regex: 'a(b'\n"
           "        target_label: x\n",
           "p.yml:5:16", "regex: error parsing regexp");
}
END_TEST

START_TEST(bad_duration)
{
    expect("global:\n  scrape_interval: 15\n", "p.yml:2:20",
           "scrape_interval: not a valid duration string: \"15\"");
    expect("scrape_configs:\n"
           "  - job_name: a\n"
           "    scrape_timeout: 1s5m\n",
           "p.yml:3:21", "not a valid duration string");
    expect("global:\n  evaluation_interval: 1.5m\n", "p.yml:2:24", "not a valid duration");
}
END_TEST

START_TEST(duplicate_job_and_timeout)
{
    expect("scrape_configs:\n"
           "  - job_name: a\n"
           "  - job_name: b\n"
           "  - job_name: a\n",
           "p.yml:4:5", "found multiple scrape configs with job name \"a\"");
    expect("scrape_configs:\n"
           "  - job_name: a\n"
           "    scrape_interval: 10s\n"
           "    scrape_timeout: 20s\n",
           "p.yml:2:5", "scrape timeout greater than scrape interval for scrape config with "
           "job name \"a\"");
    expect("global:\n  scrape_interval: 5s\n  scrape_timeout: 6s\n", "p.yml:3:19",
           "global scrape timeout greater than scrape interval");
    expect("scrape_configs:\n  - scrape_interval: 5s\n", "p.yml:2:5", "job_name is empty");
    expect("scrape_configs:\n"
           "  - job_name: a\n"
           "    static_configs: [{targets: ['http://x:1/']}]\n",
           "p.yml:2:5", "\"http://x:1/\" is not a valid hostname");
    expect("rule_files: ['ok/*.yml', 'a[']\n", "p.yml:1:13", "invalid rule file path \"a[\"");
    expect("scrape_configs:\n"
           "  - job_name: a\n"
           "    relabel_configs: [~]\n",
           "p.yml:3:23", "empty or null target relabeling rule in relabel_configs");
    expect("scrape_configs:\n"
           "  - job_name: a\n"
           "    tls_config: {key_file: k}\n",
           "p.yml:3:17", "client key file \"k\" specified without client cert file");
}
END_TEST

START_TEST(relabel_validation)
{
#define RL(body) "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - " body "\n"
    expect(RL("{source_labels: [a]}"), "p.yml:4:9",
           "relabel configuration for replace action requires 'target_label' value");
    expect(RL("{action: hashmod, target_label: x}"), "p.yml:4:9",
           "relabel configuration for hashmod requires non-zero modulus");
    expect(RL("{action: bogus}"), "p.yml:4:18", "unknown relabel action \"bogus\"");
    expect(RL("{action: replace, target_label: '1x'}"), "p.yml:4:9",
           "\"1x\" is invalid 'target_label' for replace action");
    expect(RL("{action: lowercase, target_label: x, replacement: y}"), "p.yml:4:9",
           "'replacement' can not be set for lowercase action");
    expect(RL("{action: labelmap, regex: 'a(.*)', replacement: '-$1'}"), "p.yml:4:9",
           "\"-$1\" is invalid 'replacement' for labelmap action");
    expect(RL("{action: hashmod, modulus: 2, target_label: '${1}'}"), "p.yml:4:9",
           "is invalid 'target_label' for hashmod action");
    expect(RL("{action: keepequal, target_label: x, regex: a}"), "p.yml:4:9",
           "keepequal action requires only 'source_labels' and `target_label`");
    expect(RL("{action: labeldrop, source_labels: [a], regex: a}"), "p.yml:4:9",
           "labeldrop action requires only 'regex', and no other fields");
    expect(RL("{source_labels: ['a-b'], target_label: x}"), "p.yml:4:25",
           "\"a-b\" is not a valid label name");
    expect(RL("{action: '', target_label: x}"), "p.yml:4:18", "relabel action cannot be empty");
    /* accepted: templated target, upper-case action name */
    struct lm_err err = {0};
    const char *ok = RL("{source_labels: [a], regex: '(.*)', target_label: 'x_${1}', "
                        "action: Replace}");
    struct cfg *c = cfg_load_string("p.yml", ok, strlen(ok), NULL, &err);
    ck_assert_msg(c, "%s: %s", err.where, err.msg);
    cfg_free(c);
#undef RL
}
END_TEST

START_TEST(file_sd_and_others)
{
    expect("scrape_configs:\n"
           "  - job_name: a\n"
           "    file_sd_configs: [{files: [targets.txt]}]\n",
           "p.yml:3:23", "path name \"targets.txt\" is not valid for file discovery");
    expect("scrape_configs:\n"
           "  - job_name: a\n"
           "    file_sd_configs: [{refresh_interval: 1m}]\n",
           "p.yml:3:23", "must contain at least one path name");
    expect("scrape_configs:\n"
           "  - job_name: a\n"
           "    bearer_token: x\n"
           "    bearer_token_file: y\n",
           "p.yml:2:5", "at most one of bearer_token & bearer_token_file");
    expect("scrape_configs:\n"
           "  - job_name: a\n"
           "    basic_auth: {username: u}\n"
           "    authorization: {credentials: c}\n",
           "p.yml:2:5", "at most one of basic_auth, oauth2 & authorization");
    expect("remote_write:\n  - name: x\n", "p.yml:2:5", "url for remote_write is empty");
    expect("remote_write:\n  - url: http://a/\n    headers: {Authorization: x}\n", "p.yml:3:15",
           "Authorization is a reserved header");
    expect("alerting:\n  alertmanagers:\n    - api_version: v3\n", "p.yml:3:20",
           "expected Alertmanager api version");
    expect("a: 1\na: 2\n", "p.yml:2:1", "mapping key \"a\" already defined at line 1");
}
END_TEST

START_TEST(yaml_syntax)
{
    expect("scrape_configs:\n  - job_name: a\n   bad: [\n", "p.yml:3:4", "yaml:");
    /* later documents are ignored, as by yaml.v2 */
    const char *two = "global: {scrape_interval: 7s}\n---\nbogus: [\n";
    struct cfg *c2 = cfg_load_string("p.yml", two, strlen(two), NULL, NULL);
    ck_assert_ptr_nonnull(c2);
    ck_assert_int_eq(c2->global.scrape_interval_ms, 7000);
    cfg_free(c2);
    struct lm_err err = {0};
    ck_assert_ptr_null(cfg_load_file("/nonexistent/flint.yml", &err));
    ck_assert_int_eq(err.code, LM_EIO);
    ck_assert_str_eq(err.where, "/nonexistent/flint.yml");
}
END_TEST

Suite *
cfg_errors_suite(void)
{
    Suite *s = suite_create("cfg_errors");
    TCase *tc = tcase_create("errors");
    tcase_add_test(tc, unknown_keys);
    tcase_add_test(tc, wrong_types);
    tcase_add_test(tc, bad_regex);
    tcase_add_test(tc, bad_duration);
    tcase_add_test(tc, duplicate_job_and_timeout);
    tcase_add_test(tc, relabel_validation);
    tcase_add_test(tc, file_sd_and_others);
    tcase_add_test(tc, yaml_syntax);
    suite_add_tcase(s, tc);
    return s;
}

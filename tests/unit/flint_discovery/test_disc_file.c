/* SPDX-License-Identifier: Apache-2.0 */
/* test_disc_file.c: file_sd target files in JSON and YAML (targets, labels, sources
 * "<file>:<i>", __meta_filepath), their errors with file:line:col, and static_configs
 * groups. */
#include <check.h>
#include <string.h>

#include "flint/discovery/discovery.h"
#include "lm/alloc.h"

Suite *disc_file_suite(void);

static int
parse(const char *name, const char *text, struct disc_group **g, size_t *n,
      struct lm_err *err)
{
    return disc_file_parse(name, text, strlen(text), g, n, err);
}

START_TEST(json_groups)
{
    struct disc_group *g;
    size_t n;
    struct lm_err err = {0};
    ck_assert_int_eq(parse("/sd/a.json",
                           "[{\"targets\": [\"h1:9100\", \"h2:9100\"], \"labels\": "
                           "{\"env\": \"prod\"}, \"ignored\": 1},\n {\"targets\": [\"h3:1\"]}]",
                           &g, &n, &err),
                     0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(g[0].source, "/sd/a.json:0");
    ck_assert_str_eq(g[1].source, "/sd/a.json:1");
    ck_assert_uint_eq(g[0].ntargets, 2);
    ck_assert_str_eq(lbl_set_get(&g[0].targets[1], "__address__"), "h2:9100");
    ck_assert_str_eq(lbl_set_get(&g[0].labels, "env"), "prod");
    ck_assert_str_eq(lbl_set_get(&g[0].labels, "__meta_filepath"), "/sd/a.json");
    ck_assert_str_eq(lbl_set_get(&g[1].labels, "__meta_filepath"), "/sd/a.json");
    ck_assert_uint_eq(g[1].targets[0].n, 1);
    disc_groups_free(g, n);

    ck_assert_int_eq(parse("a.JSON", "[]", &g, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(g);
}
END_TEST

START_TEST(json_errors)
{
    struct disc_group *g;
    size_t n;
    struct lm_err err = {0};
    ck_assert_int_eq(parse("a.json", "[{\"targets\": [\"a\"],\n  }]", &g, &n, &err), LM_EPARSE);
    ck_assert_str_eq(err.where, "a.json:2:3");
    ck_assert_ptr_null(g);
    ck_assert_int_eq(parse("a.json", "{\"targets\": []}", &g, &n, &err), LM_ECONFIG);
    ck_assert_int_eq(parse("a.json", "[{\"targets\": [1]}]", &g, &n, &err), LM_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot unmarshal"));
    ck_assert_str_eq(err.where, "a.json:1:14");
    ck_assert_int_eq(parse("a.json", "[\n {\"targets\": []},\n {\"labels\": {\"a\": 1}}]", &g,
                           &n, &err),
                     LM_ECONFIG);
    ck_assert_str_eq(err.where, "a.json:3:13");
    ck_assert_int_eq(parse("a.json", "[{\"labels\": {\"a-b\": \"x\"}}]", &g, &n, &err),
                     LM_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "\"a-b\" is not a valid label name"));
    ck_assert_int_eq(parse("a.json", "[null]", &g, &n, &err), LM_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "nil target group"));
    ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(yaml_groups)
{
    struct disc_group *g;
    size_t n;
    struct lm_err err = {0};
    ck_assert_int_eq(parse("t.yml",
                           "- targets: ['db1:9100', db2:9100]\n"
                           "  labels:\n"
                           "    role: db\n"
                           "- targets: []\n",
                           &g, &n, &err),
                     0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(g[0].source, "t.yml:0");
    ck_assert_str_eq(lbl_set_get(&g[0].targets[1], "__address__"), "db2:9100");
    ck_assert_str_eq(lbl_set_get(&g[0].labels, "role"), "db");
    ck_assert_str_eq(lbl_set_get(&g[1].labels, "__meta_filepath"), "t.yml");
    ck_assert_uint_eq(g[1].ntargets, 0);
    disc_groups_free(g, n);

    ck_assert_int_eq(parse("t.yaml", "", &g, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
    /* strict: unknown keys and wrong types are errors with line and column */
    ck_assert_int_eq(parse("t.yaml", "- targets: [a]\n  lables: {a: b}\n", &g, &n, &err),
                     LM_ECONFIG);
    ck_assert_str_eq(err.where, "t.yaml:2:3");
    ck_assert_ptr_nonnull(strstr(err.msg, "field lables not found"));
    ck_assert_int_eq(parse("t.yaml", "targets: [a]\n", &g, &n, &err), LM_ECONFIG);
    ck_assert_str_eq(err.where, "t.yaml:1:1");
    ck_assert_int_eq(parse("t.yaml", "- targets: [a\n", &g, &n, &err), LM_EPARSE);
}
END_TEST

START_TEST(load_fixture)
{
    struct disc_group *g;
    size_t n;
    struct lm_err err = {0};
    ck_assert_int_eq(disc_file_load("tests/fixtures/flint/sd/web.json", &g, &n, &err), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(g[0].source, "tests/fixtures/flint/sd/web.json:0");
    disc_groups_free(g, n);
    ck_assert_int_eq(disc_file_load("tests/fixtures/flint/sd/db.yml", &g, &n, &err), 0);
    ck_assert_uint_eq(n, 1);
    disc_groups_free(g, n);
    ck_assert_int_eq(disc_file_load("tests/fixtures/flint/sd/none.yml", &g, &n, &err), LM_EIO);
}
END_TEST

START_TEST(static_groups)
{
    const char *text = "scrape_configs:\n"
                       "  - job_name: a\n"
                       "    static_configs:\n"
                       "      - targets: ['h1:1', 'h2:2']\n"
                       "        labels: {x: y}\n"
                       "      - targets: ['h3:3']\n";
    struct lm_err err = {0};
    struct cfg *c = cfg_load_string("p.yml", text, strlen(text), NULL, &err);
    ck_assert_ptr_nonnull(c);
    struct disc_group *g;
    size_t n;
    ck_assert_int_eq(disc_static_groups(&c->scrapes[0].sd, &g, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(g[0].source, "0");
    ck_assert_str_eq(g[1].source, "1");
    ck_assert_str_eq(lbl_set_get(&g[0].targets[0], "__address__"), "h1:1");
    ck_assert_str_eq(lbl_set_get(&g[0].labels, "x"), "y");
    ck_assert_uint_eq(g[1].ntargets, 1);
    disc_groups_free(g, n);
    cfg_free(c);
}
END_TEST

START_TEST(oom_torture)
{
    static const struct {
        const char *name, *text;
    } in[] = {
        {"a.json", "[{\"targets\": [\"a:1\", \"b:2\"], \"labels\": {\"x\": \"y\"}}, {}]"},
        {"a.yml", "- targets: [a:1, b:2]\n  labels: {x: y}\n- {}\n"},
    };
    for (size_t k = 0; k < sizeof in / sizeof in[0]; k++) {
        bool ok = false;
        for (long n = 1; n < 500 && !ok; n++) {
            struct disc_group *g;
            size_t ng;
            struct lm_err err = {0};
            lm_alloc_fail_after(n);
            int rc = parse(in[k].name, in[k].text, &g, &ng, &err);
            lm_alloc_fail_after(0);
            if (!rc) {
                ok = true;
                ck_assert_uint_eq(ng, 2);
                ck_assert_uint_eq(g[0].ntargets, 2);
                disc_groups_free(g, ng);
            } else {
                ck_assert_int_eq(rc, LM_ENOMEM);
                ck_assert_ptr_null(g);
            }
        }
        ck_assert(ok);
    }
}
END_TEST

Suite *
disc_file_suite(void)
{
    Suite *s = suite_create("disc_file");
    TCase *tc = tcase_create("file");
    tcase_add_test(tc, json_groups);
    tcase_add_test(tc, json_errors);
    tcase_add_test(tc, yaml_groups);
    tcase_add_test(tc, load_fixture);
    tcase_add_test(tc, static_groups);
    tcase_add_test(tc, oom_torture);
    suite_add_tcase(s, tc);
    return s;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* test_rl_actions.c: every relabel action as Prometheus 2.42 applies it (cases taken
 * from model/relabel's tests where they exist): replace (templates, empty result
 * deletes, invalid target, no match), keep, drop, keepequal, dropequal, hashmod (md5
 * values checked against Prometheus), labelmap, labeldrop, labelkeep, lowercase,
 * uppercase, the defaults, and the blackbox __param_target/__address__ pattern. Rules
 * are built by flint/config's parser from YAML, as in production. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "flint/config/config.h"
#include "lm/hash.h"
#include "flint/relabel/relabel.h"
#include "lm/buf.h"

Suite *rl_actions_suite(void);

/* rules: parse a YAML flow list of relabel configs. */
static struct cfg *
rules(const char *list)
{
    char text[4096];
    snprintf(text, sizeof text, "scrape_configs:\n  - job_name: j\n    relabel_configs: %s\n",
             list);
    struct lm_err err = {0};
    struct cfg *c = cfg_load_string("r.yml", text, strlen(text), NULL, &err);
    ck_assert_msg(c, "%s: %s", err.where, err.msg);
    return c;
}

/* set: a label set from "name", "value", ..., NULL. */
static struct lbl_set
set(const char *name, ...)
{
    struct lbl_set ls = {0};
    va_list ap;
    va_start(ap, name);
    for (const char *n = name; n; n = va_arg(ap, const char *))
        ck_assert_int_eq(lbl_set_add(&ls, n, va_arg(ap, const char *)), 0);
    va_end(ap);
    return ls;
}

static char *
fmt(const struct lbl_set *ls)
{
    static char out[1024];
    struct lm_buf b;
    lm_buf_init(&b, sizeof out);
    lbl_set_format(ls, &b);
    snprintf(out, sizeof out, "%s", lm_buf_cstr(&b));
    lm_buf_cleanup(&b);
    return out;
}

/* check: apply list to in; want is the expected {..} text or NULL for dropped. */
static void
check(const char *list, struct lbl_set in, const char *want)
{
    struct cfg *c = rules(list);
    bool oom = false;
    bool keep = rl_process(c->scrapes[0].relabel, c->scrapes[0].nrelabel, &in, &oom);
    ck_assert(!oom);
    if (!want)
        ck_assert_msg(!keep, "kept %s for %s", fmt(&in), list);
    else {
        ck_assert_msg(keep, "dropped for %s", list);
        ck_assert_str_eq(fmt(&in), want);
    }
    lbl_set_free(&in);
    cfg_free(c);
}

START_TEST(replace)
{
    check("[{source_labels: [a], regex: 'f(.*)', target_label: d, "
          "replacement: 'ch${1}-ch${1}'}]",
          set("a", "foo", "b", "bar", "c", "baz", NULL),
          "{a=\"foo\", b=\"bar\", c=\"baz\", d=\"choo-choo\"}");
    /* several sources joined by the separator */
    check("[{source_labels: [a, b], regex: 'f(.*);(.*)r', target_label: a, "
          "replacement: 'b${1}${2}m'}]",
          set("a", "foo", "b", "bar", "c", "baz", NULL),
          "{a=\"boobam\", b=\"bar\", c=\"baz\"}");
    /* no match: nothing happens */
    check("[{source_labels: [a], regex: 'x(.*)', target_label: d}]",
          set("a", "foo", NULL), "{a=\"foo\"}");
    /* empty result deletes the target */
    check("[{source_labels: [a], regex: '(f).*', target_label: b, replacement: '${2}'}]",
          set("a", "foo", "b", "bar", NULL), "{a=\"foo\"}");
    /* templated target */
    check("[{source_labels: [a], regex: 'some-([^-]+)-([^,]+)', target_label: '${1}', "
          "replacement: '${2}'}]",
          set("a", "some-name-value", NULL), "{a=\"some-name-value\", name=\"value\"}");
    /* a target that expands to an invalid name: nothing set */
    check("[{source_labels: [a], regex: 'some-([^-]+)-([^,]+)', target_label: '${3}', "
          "replacement: '${2}'}]",
          set("a", "some-name-value", NULL), "{a=\"some-name-value\"}");
    /* missing source labels read as "", joined with the separator */
    check("[{source_labels: [x, y], separator: '|', target_label: z}]",
          set("y", "1", NULL), "{y=\"1\", z=\"|1\"}");
    /* defaults: regex (.*), replacement $1, no sources: value "" -> deletes target */
    check("[{target_label: a}]", set("a", "foo", NULL), "{}");
    check("[{target_label: a, replacement: fixed}]", set("a", "foo", NULL), "{a=\"fixed\"}");
    /* $1x is group "1x" (empty), as in Go */
    check("[{source_labels: [a], regex: '(.*)', target_label: b, replacement: '$1x'}]",
          set("a", "v", NULL), "{a=\"v\"}");
    /* the regex is anchored */
    check("[{source_labels: [a], regex: 'o', target_label: b, replacement: hit}]",
          set("a", "foo", NULL), "{a=\"foo\"}");
}
END_TEST

START_TEST(keep_drop)
{
    check("[{source_labels: [a], regex: 'f.*', action: drop}]", set("a", "foo", NULL), NULL);
    check("[{source_labels: [a], regex: 'f.*', action: drop}]", set("a", "boo", NULL),
          "{a=\"boo\"}");
    check("[{source_labels: [a], regex: 'f.*', action: keep}]", set("a", "boo", NULL), NULL);
    check("[{source_labels: [a], regex: 'f.*', action: keep}]", set("a", "foo", NULL),
          "{a=\"foo\"}");
    /* keep with the default regex keeps everything, even an absent label */
    check("[{source_labels: [x], action: keep}]", set("a", "foo", NULL), "{a=\"foo\"}");
    /* drop of an empty joined value */
    check("[{source_labels: [x], regex: '', action: drop}]", set("a", "foo", NULL), NULL);
    /* rules stop at the first drop */
    check("[{source_labels: [a], regex: foo, action: drop}, {target_label: z, "
          "replacement: never}]",
          set("a", "foo", NULL), NULL);
}
END_TEST

START_TEST(equal)
{
    check("[{source_labels: [a], target_label: b, action: keepequal}]",
          set("a", "x", "b", "x", NULL), "{a=\"x\", b=\"x\"}");
    check("[{source_labels: [a], target_label: b, action: keepequal}]",
          set("a", "x", "b", "y", NULL), NULL);
    check("[{source_labels: [a], target_label: b, action: dropequal}]",
          set("a", "x", "b", "x", NULL), NULL);
    check("[{source_labels: [a], target_label: b, action: dropequal}]",
          set("a", "x", "b", "y", NULL), "{a=\"x\", b=\"y\"}");
    /* absent on both sides compares equal ("" == "") */
    check("[{source_labels: [m], target_label: n, action: keepequal}]", set("a", "x", NULL),
          "{a=\"x\"}");
}
END_TEST

START_TEST(hashmod)
{
    /* values from Python's md5, last 8 bytes big-endian, as Prometheus's sum64 */
    check("[{source_labels: [c], target_label: d, modulus: 1000, action: hashmod}]",
          set("a", "foo", "b", "bar", "c", "baz", NULL),
          "{a=\"foo\", b=\"bar\", c=\"baz\", d=\"976\"}");
    check("[{source_labels: [a, b], target_label: h, modulus: 7, action: hashmod}]",
          set("a", "foo", "b", "bar", NULL), "{a=\"foo\", b=\"bar\", h=\"6\"}");
    check("[{source_labels: [__address__], target_label: __tmp_hash, modulus: 4, "
          "action: hashmod}, {source_labels: [__tmp_hash], regex: '1', action: keep}]",
          set("__address__", "10.0.0.1:9100", NULL),
          "{__address__=\"10.0.0.1:9100\", __tmp_hash=\"1\"}");
    check("[{source_labels: [c], target_label: d, modulus: 18446744073709551615, "
          "action: hashmod}]",
          set("c", "baz", NULL), "{c=\"baz\", d=\"16450797887570275976\"}");
    uint8_t sum[16];
    lm_md5("", 0, sum);
    ck_assert_uint_eq(sum[0], 0xd4);
    ck_assert_uint_eq(sum[15], 0x7e);
    /* a 100-byte input crosses the 56-byte padding boundary */
    char big[100];
    memset(big, 'a', sizeof big);
    lm_md5(big, sizeof big, sum);
    ck_assert_uint_eq(sum[0], 0x36); /* md5("a"*100) = 36a92cc94a9e0fa21f625f8bfb007adf */
    ck_assert_uint_eq(sum[15], 0xdf);
}
END_TEST

START_TEST(labelmap)
{
    check("[{action: labelmap, regex: '__meta_(.+)'}]",
          set("__meta_role", "web", "__meta_env", "prod", "a", "1", NULL),
          "{__meta_env=\"prod\", __meta_role=\"web\", a=\"1\", env=\"prod\", role=\"web\"}");
    check("[{action: labelmap, regex: '(b.*)', replacement: 'x_$1'}]",
          set("a", "foo", "b", "bar", "bc", "baz", NULL),
          "{a=\"foo\", b=\"bar\", bc=\"baz\", x_b=\"bar\", x_bc=\"baz\"}");
    /* labelmap reads the original set: mapped labels are not mapped again */
    check("[{action: labelmap, regex: 'a(.*)', replacement: 'aa$1'}]", set("a", "1", NULL),
          "{a=\"1\", aa=\"1\"}");
}
END_TEST

START_TEST(labeldrop_keep)
{
    check("[{action: labeldrop, regex: 'b.*'}]", set("a", "foo", "b", "bar", "bc", "baz", NULL),
          "{a=\"foo\"}");
    check("[{action: labelkeep, regex: 'b.*'}]", set("a", "foo", "b", "bar", "bc", "baz", NULL),
          "{b=\"bar\", bc=\"baz\"}");
    /* anchored: "b" does not drop "ab" */
    check("[{action: labeldrop, regex: b}]", set("ab", "1", "b", "2", NULL), "{ab=\"1\"}");
}
END_TEST

START_TEST(case_change)
{
    check("[{source_labels: [foo], target_label: foo_uppercase, action: uppercase}, "
          "{source_labels: [foo], target_label: foo_lowercase, action: lowercase}]",
          set("foo", "bAr123Foo", NULL),
          "{foo=\"bAr123Foo\", foo_lowercase=\"bar123foo\", foo_uppercase=\"BAR123FOO\"}");
    check("[{source_labels: [a], target_label: b, action: lowercase}]",
          set("a", "\xc3\x80\xc3\x89\xc3\x8e X", NULL),
          "{a=\"\xc3\x80\xc3\x89\xc3\x8e X\", b=\"\xc3\xa0\xc3\xa9\xc3\xae x\"}");
    /* invalid UTF-8 becomes U+FFFD, as Go's strings.Map does */
    check("[{source_labels: [a], target_label: b, action: uppercase}]",
          set("a", "\xe9t\xc3\xa9", NULL), "{a=\"\xe9t\xc3\xa9\", b=\"\xef\xbf\xbdT\xc3\x89\"}");
    /* an empty value removes the target */
    check("[{source_labels: [x], target_label: a, action: lowercase}]", set("a", "A", NULL),
          "{}");
}
END_TEST

START_TEST(blackbox)
{
    const char *bb = "[{source_labels: [__address__], target_label: __param_target}, "
                     "{source_labels: [__param_target], target_label: instance}, "
                     "{target_label: __address__, replacement: '127.0.0.1:9115'}]";
    check(bb, set("__address__", "https://www.example.org", "job", "blackbox", NULL),
          "{__address__=\"127.0.0.1:9115\", __param_target=\"https://www.example.org\", "
          "instance=\"https://www.example.org\", job=\"blackbox\"}");
}
END_TEST

START_TEST(actions_names)
{
    enum rl_action a;
    ck_assert(rl_action_parse("labelmap", &a));
    ck_assert_int_eq(a, RL_LABELMAP);
    ck_assert(rl_action_parse("HashMod", &a));
    ck_assert_int_eq(a, RL_HASHMOD);
    ck_assert(!rl_action_parse("map", &a));
    ck_assert_str_eq(rl_action_name(RL_DROPEQUAL), "dropequal");
    ck_assert_str_eq(rl_action_name(RL_UPPERCASE), "uppercase");
    struct rl_rule r = {0};
    rl_rule_free(&r);
    rl_rule_free(NULL);
    struct lbl_set ls = set("a", "1", NULL);
    ck_assert(rl_process(NULL, 0, &ls, NULL));
    lbl_set_free(&ls);
}
END_TEST

Suite *
rl_actions_suite(void)
{
    Suite *s = suite_create("rl_actions");
    TCase *tc = tcase_create("actions");
    tcase_add_test(tc, replace);
    tcase_add_test(tc, keep_drop);
    tcase_add_test(tc, equal);
    tcase_add_test(tc, hashmod);
    tcase_add_test(tc, labelmap);
    tcase_add_test(tc, labeldrop_keep);
    tcase_add_test(tc, case_change);
    tcase_add_test(tc, blackbox);
    tcase_add_test(tc, actions_names);
    suite_add_tcase(s, tc);
    return s;
}

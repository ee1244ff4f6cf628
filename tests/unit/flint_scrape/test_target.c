/* SPDX-License-Identifier: Apache-2.0 */
/* test_target.c: target label population as Prometheus 2.42's PopulateLabels (scrape
 * labels, params, relabel_configs incl. the blackbox pattern, default ports, checks,
 * __meta_ removal, instance) and the scrape URL. Configs come from the real loader. */
#include "scrape_test.h"

Suite *target_suite(void);

/* populate: scr_target_labels for job 0 of yaml and one discovered set given as
 * "name=value" pairs; fills out and returns the rc. */
static int populate(const char *yaml, const char *const *kv, size_t nkv, struct lbl_set *out,
                    struct lbl_set *disc, bool *keep, struct lm_err *err)
{
    struct cfg *c = st_cfg(yaml);
    struct scr_job job;
    scr_job_from_cfg(&job, &c->scrapes[0]);
    struct lbl_set d = {0};
    for (size_t i = 0; i + 1 < nkv; i += 2)
        ck_assert_int_eq(lbl_set_add(&d, kv[i], kv[i + 1]), 0);
    int rc = scr_target_labels(&job, c->scrapes[0].relabel, c->scrapes[0].nrelabel, &d, out,
                               disc, keep, err);
    lbl_set_free(&d);
    cfg_free(c);
    return rc;
}

static const char *fmt(const struct lbl_set *ls, struct lm_buf *b)
{
    lm_buf_reset(b);
    lbl_set_format(ls, b);
    return lm_buf_cstr(b);
}

#define JOB "scrape_configs:\n  - job_name: node\n"

START_TEST(defaults)
{
    struct lbl_set out = {0}, disc = {0};
    struct lm_err err = {0};
    struct lm_buf b;
    lm_buf_init(&b, 4096);
    bool keep = false;
    const char *kv[] = {"__address__", "localhost", "__meta_x", "y", "env", "prod"};
    ck_assert_int_eq(populate(JOB, kv, 6, &out, &disc, &keep, &err), 0);
    ck_assert(keep);
    ck_assert_str_eq(fmt(&out, &b),
                     "{__address__=\"localhost:80\", __metrics_path__=\"/metrics\", "
                     "__scheme__=\"http\", __scrape_interval__=\"1m\", "
                     "__scrape_timeout__=\"10s\", env=\"prod\", instance=\"localhost:80\", "
                     "job=\"node\"}");
    ck_assert_str_eq(fmt(&disc, &b),
                     "{__address__=\"localhost\", __meta_x=\"y\", __metrics_path__=\"/metrics\", "
                     "__scheme__=\"http\", __scrape_interval__=\"1m\", "
                     "__scrape_timeout__=\"10s\", env=\"prod\", job=\"node\"}");
    struct lbl_set pub = {0};
    ck_assert_int_eq(scr_public_labels(&out, &pub), 0);
    ck_assert_str_eq(fmt(&pub, &b), "{env=\"prod\", instance=\"localhost:80\", job=\"node\"}");
    lbl_set_free(&pub);
    lbl_set_free(&out);
    lbl_set_free(&disc);
    lm_buf_cleanup(&b);
}
END_TEST

/* addr: the final __address__ and instance for an address and scheme. */
static void check_addr(const char *scheme, const char *addr, const char *want)
{
    char yaml[256];
    snprintf(yaml, sizeof yaml, JOB "    scheme: %s\n", scheme);
    struct lbl_set out = {0};
    struct lm_err err = {0};
    bool keep;
    const char *kv[] = {"__address__", addr};
    ck_assert_int_eq(populate(yaml, kv, 2, &out, NULL, &keep, &err), 0);
    ck_assert_str_eq(lbl_set_get(&out, "__address__"), want);
    ck_assert_str_eq(lbl_set_get(&out, "instance"), want);
    lbl_set_free(&out);
}

START_TEST(ports)
{
    check_addr("http", "host", "host:80");
    check_addr("https", "host", "host:443");
    check_addr("http", "host:9100", "host:9100");
    check_addr("https", "[::1]", "[::1]:443");
    check_addr("http", "[::1]:9100", "[::1]:9100");
    check_addr("http", "::1", "::1");          /* not splittable even with a port */
    check_addr("http", "host:", "host:");      /* an empty port is a port */
}
END_TEST

/* fails: populate gives LM_EINVAL with message msg. */
static void check_fails(const char *yaml, const char *const *kv, size_t nkv, const char *msg)
{
    struct lbl_set out = {0};
    struct lm_err err = {0};
    bool keep = true;
    ck_assert_int_eq(populate(yaml, kv, nkv, &out, NULL, &keep, &err), LM_EINVAL);
    ck_assert_str_eq(err.msg, msg);
    ck_assert(!keep);
    ck_assert_uint_eq(out.n, 0);
    lbl_set_free(&out);
}

START_TEST(errors)
{
    const char *noaddr[] = {"foo", "bar"};
    check_fails(JOB, noaddr, 2, "no address");
    const char *slash[] = {"__address__", "a/b"};
    check_fails(JOB, slash, 2, "\"a/b:80\" is not a valid hostname");
    const char *iv[] = {"__address__", "h:1", "__scrape_interval__", "5s"};
    check_fails(JOB, iv, 4,
                "scrape timeout cannot be greater than scrape interval (\"10s\" > \"5s\")");
    const char *zero[] = {"__address__", "h:1", "__scrape_interval__", "0s"};
    check_fails(JOB, zero, 4, "scrape interval cannot be 0");
    const char *tzero[] = {"__address__", "h:1", "__scrape_timeout__", "0s"};
    check_fails(JOB, tzero, 4, "scrape timeout cannot be 0");
    const char *scheme[] = {"__address__", "h", "__scheme__", "ftp"};
    check_fails(JOB, scheme, 4, "invalid scheme: \"http\"");
    struct lbl_set out = {0};
    struct lm_err err = {0};
    bool keep;
    const char *bad[] = {"__address__", "h:1", "__scrape_interval__", "abc"};
    ck_assert_int_eq(populate(JOB, bad, 4, &out, NULL, &keep, &err), LM_EINVAL);
    ck_assert_msg(!strncmp(err.msg, "error parsing scrape interval: ", 31), "%s", err.msg);
}
END_TEST

START_TEST(keep_existing_and_drop)
{
    struct lbl_set out = {0}, disc = {0};
    struct lm_err err = {0};
    struct lm_buf b;
    lm_buf_init(&b, 4096);
    bool keep;
    /* job, instance, __metrics_path__ from discovery win over the defaults; an
     * interval of 30s from discovery is kept and is valid. */
    const char *kv[] = {"__address__", "h:1",       "job", "other", "instance", "me",
                        "__metrics_path__", "/m", "__scrape_interval__", "30s"};
    ck_assert_int_eq(populate(JOB, kv, 10, &out, &disc, &keep, &err), 0);
    ck_assert(keep);
    ck_assert_str_eq(lbl_set_get(&out, "job"), "other");
    ck_assert_str_eq(lbl_set_get(&out, "instance"), "me");
    ck_assert_str_eq(lbl_set_get(&out, "__metrics_path__"), "/m");
    ck_assert_str_eq(lbl_set_get(&out, "__scrape_interval__"), "30s");
    /* relabel keep: a target that does not match is dropped, with its discovered
     * labels for the API, and no error. */
    const char *yaml = JOB "    relabel_configs:\n"
                           "      - source_labels: [env]\n        regex: prod\n"
                           "        action: keep\n";
    const char *kv2[] = {"__address__", "h:1", "env", "dev"};
    ck_assert_int_eq(populate(yaml, kv2, 4, &out, &disc, &keep, &err), 0);
    ck_assert(!keep);
    ck_assert_uint_eq(out.n, 0);
    ck_assert_str_eq(lbl_set_get(&disc, "env"), "dev");
    ck_assert_str_eq(lbl_set_get(&disc, "job"), "node");
    const char *kv3[] = {"__address__", "h:1", "env", "prod"};
    ck_assert_int_eq(populate(yaml, kv3, 4, &out, &disc, &keep, &err), 0);
    ck_assert(keep);
    lbl_set_free(&out);
    lbl_set_free(&disc);
    lm_buf_cleanup(&b);
}
END_TEST

START_TEST(blackbox)
{
    const char *yaml =
        "scrape_configs:\n"
        "  - job_name: blackbox\n"
        "    metrics_path: /probe\n"
        "    params:\n      module: [http_2xx]\n"
        "    relabel_configs:\n"
        "      - source_labels: [__address__]\n        target_label: __param_target\n"
        "      - source_labels: [__param_target]\n        target_label: instance\n"
        "      - target_label: __address__\n        replacement: 127.0.0.1:9115\n";
    struct cfg *c = st_cfg(yaml);
    struct scr_job job;
    scr_job_from_cfg(&job, &c->scrapes[0]);
    struct lbl_set d = {0}, out = {0}, disc = {0}, pub = {0};
    lbl_set_add(&d, "__address__", "https://example.com/a b?x=1");
    struct lm_err err = {0};
    bool keep;
    ck_assert_int_eq(scr_target_labels(&job, c->scrapes[0].relabel, c->scrapes[0].nrelabel,
                                       &d, &out, &disc, &keep, &err), 0);
    ck_assert(keep);
    struct lm_buf b;
    lm_buf_init(&b, 4096);
    scr_public_labels(&out, &pub);
    ck_assert_str_eq(fmt(&pub, &b),
                     "{instance=\"https://example.com/a b?x=1\", job=\"blackbox\"}");
    ck_assert_str_eq(lbl_set_get(&disc, "__param_module"), "http_2xx");
    lm_buf_reset(&b);
    ck_assert_int_eq(scr_target_url(&job, &out, &b), 0);
    ck_assert_str_eq(lm_buf_cstr(&b), "http://127.0.0.1:9115/probe?module=http_2xx&target="
                                      "https%3A%2F%2Fexample.com%2Fa+b%3Fx%3D1");
    lbl_set_free(&d);
    lbl_set_free(&out);
    lbl_set_free(&disc);
    lbl_set_free(&pub);
    lm_buf_cleanup(&b);
    cfg_free(c);
}
END_TEST

START_TEST(url_params)
{
    /* Several values of a param: the first is replaced by the __param_ label, the
     * others are kept; names sorted; path escaped as Go's url.URL. */
    const char *yaml = JOB "    metrics_path: /a path!\n"
                           "    params:\n      z: [1, 2]\n      a: ['x y']\n";
    struct cfg *c = st_cfg(yaml);
    struct scr_job job;
    scr_job_from_cfg(&job, &c->scrapes[0]);
    struct lbl_set d = {0}, out = {0};
    lbl_set_add(&d, "__address__", "h:1");
    lbl_set_add(&d, "__param_z", "9");
    bool keep;
    struct lm_err err = {0};
    ck_assert_int_eq(scr_target_labels(&job, NULL, 0, &d, &out, NULL, &keep, &err), 0);
    /* params override discovered __param_ labels, as Prometheus */
    ck_assert_str_eq(lbl_set_get(&out, "__param_z"), "1");
    lbl_set_add(&out, "__param_z", "9");
    lbl_set_add(&out, "__param_b", "&");
    struct lm_buf b;
    lm_buf_init(&b, 4096);
    ck_assert_int_eq(scr_target_url(&job, &out, &b), 0);
    ck_assert_str_eq(lm_buf_cstr(&b), "http://h:1/a%20path%21?a=x+y&b=%26&z=9&z=2");
    lm_buf_cleanup(&b);
    lbl_set_free(&d);
    lbl_set_free(&out);
    cfg_free(c);
}
END_TEST

Suite *target_suite(void)
{
    Suite *s = suite_create("scrape_target");
    TCase *tc = tcase_create("populate");
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, ports);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, keep_existing_and_drop);
    tcase_add_test(tc, blackbox);
    tcase_add_test(tc, url_params);
    suite_add_tcase(s, tc);
    return s;
}

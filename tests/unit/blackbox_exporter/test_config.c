/* SPDX-License-Identifier: Apache-2.0 */
/* test_config.c: the blackbox.yml reader: defaults filled in, every prober section,
 * and errors naming file:line:col for unknown keys, bad regexes, bad durations, unknown
 * probers and broken YAML; plus an OOM torture that must fail cleanly at every step. */
#include <check.h>
#include <string.h>
#include "blackbox_exporter/bb.h"
#include "lm/alloc.h"

static const char good[] =
    "modules:\n"
    "  http_2xx:\n"
    "    prober: http\n"
    "    timeout: 5s\n"
    "    http:\n"
    "      preferred_ip_protocol: ip4\n"
    "      valid_status_codes: [200, 204]\n"
    "      headers: {X-Test: yes}\n"
    "      fail_if_body_not_matches_regexp: [\"ok\"]\n"
    "      no_follow_redirects: true\n"
    "      tls_config: {insecure_skip_verify: true}\n"
    "  tcp_banner:\n"
    "    prober: tcp\n"
    "    tcp:\n"
    "      tls: true\n"
    "      query_response:\n"
    "        - expect: \"^220 \"\n"
    "        - send: \"QUIT\"\n"
    "  ping: {prober: icmp}\n"
    "  dns_soa:\n"
    "    prober: dns\n"
    "    dns: {query_name: example.org, query_type: SOA, transport_protocol: tcp}\n";

static struct bb_config *
parse(const char *text, struct lm_err *err)
{
    return bb_config_parse(text, strlen(text), "bb.yml", err);
}

START_TEST(test_good)
{
    struct lm_err err = {0};
    struct bb_config *c = parse(good, &err);
    ck_assert_msg(c, "%s: %s", err.where, err.msg);
    ck_assert_uint_eq(bb_config_count(c), 4);
    const struct bb_module *m = bb_config_module(c, "http_2xx");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->prober, BB_HTTP);
    ck_assert(m->timeout == 5.0);
    ck_assert_int_eq(m->http.ip.preferred, 4);
    ck_assert(m->http.ip.fallback);
    ck_assert_uint_eq(m->http.nvalid_status, 2);
    ck_assert_int_eq(m->http.valid_status[1], 204);
    ck_assert_str_eq(m->http.headers[0].key, "X-Test");
    ck_assert(!m->http.follow_redirects);
    ck_assert(m->http.tls.insecure_skip_verify);
    ck_assert_uint_eq(m->http.body_not_match.n, 1);
    m = bb_config_module(c, "tcp_banner");
    ck_assert(m->tcp.tls);
    ck_assert_uint_eq(m->tcp.nqr, 2);
    ck_assert_str_eq(m->tcp.qr[1].send, "QUIT");
    m = bb_config_module(c, "ping");
    ck_assert_int_eq(m->icmp.ttl, 64);
    ck_assert_int_eq(m->icmp.ip.preferred, 6);
    m = bb_config_module(c, "dns_soa");
    ck_assert_int_eq(m->dns.query_type, 6);
    ck_assert(m->dns.tcp);
    ck_assert(m->dns.recursion_desired);
    ck_assert_ptr_null(bb_config_module(c, "nosuch"));
    bb_config_free(c);
}
END_TEST

static void
expect_error(const char *text, const char *where, const char *msgpart)
{
    struct lm_err err = {0};
    struct bb_config *c = parse(text, &err);
    ck_assert_ptr_null(c);
    ck_assert_str_eq(err.where, where);
    ck_assert_msg(strstr(err.msg, msgpart), "msg \"%s\" lacks \"%s\"", err.msg, msgpart);
}

START_TEST(test_errors)
{
    expect_error("modules:\n  a:\n    prober: http\n    http:\n      bogus: 1\n", "bb.yml:5:7",
                 "field bogus not found in type config.HTTPProbe");
    expect_error("modules:\n  a:\n    prober: http\n    http:\n"
                 "      fail_if_body_matches_regexp: [\"a(b\"]\n",
                 "bb.yml:5:37", "error parsing regexp");
    expect_error("modules:\n  a:\n    prober: smtp\n", "bb.yml:3:13", "unknown prober");
    expect_error("modules:\n  a:\n    timeout: 5x\n", "bb.yml:3:14", "bad duration");
    expect_error("modules:\n  a: {prober: dns}\n", "bb.yml:2:3", "query name");
    expect_error("modulez: {}\n", "bb.yml:1:1", "field modulez not found");
    expect_error("modules:\n  a: [\n", "bb.yml:3:1", "yaml:");
    expect_error("modules:\n  a:\n    prober: tcp\n    tcp:\n      query_response:\n"
                 "        - expect: \"(\"\n",
                 "bb.yml:6:19", "error parsing regexp");
    /* the http prober has no proxy client: refused up front, not ignored */
    expect_error("modules:\n  a:\n    prober: http\n    http:\n"
                 "      proxy_url: http://proxy:3128\n",
                 "bb.yml:5:18", "proxy_url: not supported");
}
END_TEST

START_TEST(test_oom)
{
    for (long n = 1; n < 2000; n++) {
        struct lm_err err = {0};
        lm_alloc_fail_after(n);
        struct bb_config *c = parse(good, &err);
        lm_alloc_fail_after(0);
        if (c) {
            bb_config_free(c);
            return;
        }
        ck_assert_int_ne(err.code, 0);
    }
    ck_abort_msg("never succeeded");
}
END_TEST

Suite *config_suite(void);

Suite *
config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_good);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_oom);
    suite_add_tcase(s, tc);
    return s;
}

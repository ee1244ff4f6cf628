/* SPDX-License-Identifier: Apache-2.0 */
/* test_netlink.c: unit tests for the rtnetlink link dump (node_exporter/netlink.h) and the
 * netdev collector's use of it on the real /sys: lo's counters agree with its sysfs
 * statistics files, a callback's non-zero return stops the walk, and the collector
 * emits lo's legacy-named counters when included. */
#include <string.h>
#include "harness.h"
#include "lm/procfile.h"
#include "node_exporter/netlink.h"

extern const struct lm_collector_desc ne_netdev_collector;

struct seen {
    int links;                      /* links reported */
    bool lo;                        /* lo was among them */
    struct rtnl_link_stats64 st;    /* lo's counters */
};

static int
collect_lo(void *arg, const char *name, const struct rtnl_link_stats64 *st)
{
    struct seen *s = arg;
    s->links++;
    if (!strcmp(name, "lo")) {
        s->lo = true;
        s->st = *st;
    }
    return 0;
}

static uint64_t
lo_sysfs(const char *file)
{
    char p[128];
    uint64_t v = 0;
    snprintf(p, sizeof p, "/sys/class/net/lo/statistics/%s", file);
    ck_assert_int_eq(lm_read_u64(p, &v), 0);
    return v;
}

START_TEST(lo_matches_sysfs)
{
    uint64_t rx0 = lo_sysfs("rx_bytes"), tx0 = lo_sysfs("tx_packets");
    struct seen s = {0};
    struct lm_err err = {0};
    ck_assert_msg(ne_nl_links(collect_lo, &s, &err) == 0, "%s", err.msg);
    uint64_t rx1 = lo_sysfs("rx_bytes"), tx1 = lo_sysfs("tx_packets");
    ck_assert(s.lo);
    ck_assert_int_ge(s.links, 1);
    ck_assert_uint_ge(s.st.rx_bytes, rx0);
    ck_assert_uint_le(s.st.rx_bytes, rx1);
    ck_assert_uint_ge(s.st.tx_packets, tx0);
    ck_assert_uint_le(s.st.tx_packets, tx1);
    ck_assert_uint_eq(s.st.collisions, lo_sysfs("collisions"));
    ck_assert_uint_eq(s.st.rx_nohandler, lo_sysfs("rx_nohandler"));
}
END_TEST

static int
stop_first(void *arg, const char *name, const struct rtnl_link_stats64 *st)
{
    (void)name;
    (void)st;
    ++*(int *)arg;
    return LM_EINVAL;
}

START_TEST(callback_stops)
{
    int n = 0;
    struct lm_err err = {0};
    ck_assert_int_eq(ne_nl_links(stop_first, &n, &err), LM_EINVAL);
    ck_assert_int_eq(n, 1);
}
END_TEST

START_TEST(collector_on_real_sys)
{
    const char *args[] = {"--collector.netdev.device-include=^lo$", NULL};
    struct ne_run r;
    ne_run(&ne_netdev_collector, args, &r);
    ck_assert_int_eq(r.init_rc, 0);
    ck_assert_msg(r.rc == 0, "%s", r.err.msg);
    const char *out = lm_buf_cstr(&r.out);
    ck_assert_ptr_nonnull(strstr(out, "node_network_receive_bytes_total{device=\"lo\"} "));
    ck_assert_ptr_nonnull(strstr(out, "node_network_transmit_carrier_total{device=\"lo\"} 0\n"));
    ck_assert_ptr_nonnull(strstr(out, "node_network_receive_nohandler_total{device=\"lo\"} "));
    ck_assert_ptr_null(strstr(out, "device=\"eth"));
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *netlink_suite(void);

Suite *
netlink_suite(void)
{
    Suite *s = suite_create("netlink");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, lo_matches_sysfs);
    tcase_add_test(tc, callback_stops);
    tcase_add_test(tc, collector_on_real_sys);
    suite_add_tcase(s, tc);
    return s;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* test_dnsmsg.c: the dns prober's wire format: query bytes for a known question, reply
 * RRs rendered as zone-file text (A, AAAA, MX with compression, TXT escaping, SOA),
 * and refusal of truncated messages and compression loops. */
#include <check.h>
#include <string.h>
#include "blackbox_exporter/bb.h"

START_TEST(test_query)
{
    unsigned char q[512];
    int n = bb_dns_build_query(q, sizeof q, 0xabcd, "www.test.lan.", 1, 1, true);
    static const unsigned char want[] = {
        0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
        3, 'w', 'w', 'w', 4, 't', 'e', 's', 't', 3, 'l', 'a', 'n', 0, 0, 1, 0, 1,
    };
    ck_assert_int_eq(n, (int)sizeof want);
    ck_assert_mem_eq(q, want, sizeof want);
    ck_assert_int_eq(bb_dns_build_query(q, sizeof q, 1, "a..b", 1, 1, true), -1);
    ck_assert_int_eq(bb_dns_build_query(q, 10, 1, "a", 1, 1, true), -1);
    ck_assert_int_eq(bb_dns_build_query(q, sizeof q, 1, ".", 6, 1, false), 17);
}
END_TEST

/* header, question test.lan MX, answer MX 10 mail.test.lan (compressed), additional A,
 * authority TXT with a quote, a backslash and a control byte, plus SOA. */
static const unsigned char reply[] = {
    0x00, 0x02, 0x85, 0x80, 0, 1, 0, 1, 0, 2, 0, 1,
    4, 't', 'e', 's', 't', 3, 'l', 'a', 'n', 0, 0, 15, 0, 1,
    0xc0, 0x0c, 0, 15, 0, 1, 0, 0, 2, 0x58, 0, 9, 0, 10, 4, 'm', 'a', 'i', 'l', 0xc0, 0x0c,
    0xc0, 0x0c, 0, 16, 0, 1, 0, 0, 0, 60, 0, 6, 5, 'a', '"', 'b', '\\', 1,
    0xc0, 0x0c, 0, 6, 0, 1, 0, 0, 0, 60, 0, 29, 2, 'n', 's', 0xc0, 0x0c, 1, 'h', 0xc0, 0x0c,
    0x78, 0xa3, 0x6a, 0x75, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5,
    0xc0, 0x28, 0, 1, 0, 1, 0, 0, 2, 0x58, 0, 4, 192, 0, 2, 25,
};

START_TEST(test_reply)
{
    struct bb_dns_reply r;
    ck_assert_int_eq(bb_dns_parse_reply(reply, sizeof reply, &r), 0);
    ck_assert_uint_eq(r.id, 2);
    ck_assert(r.qr);
    ck_assert_int_eq(r.rcode, 0);
    ck_assert_uint_eq(r.n[0], 1);
    ck_assert_uint_eq(r.n[1], 2);
    ck_assert_uint_eq(r.n[2], 1);
    ck_assert_str_eq(r.rrs[0][0].text, "test.lan.\t600\tIN\tMX\t10 mail.test.lan.");
    ck_assert_str_eq(r.rrs[1][0].text, "test.lan.\t60\tIN\tTXT\t\"a\\\"b\\\\\\001\"");
    ck_assert_str_eq(r.rrs[1][1].text,
                     "test.lan.\t60\tIN\tSOA\tns.test.lan. h.test.lan. 2023975541 2 3 4 5");
    ck_assert_uint_eq(r.rrs[1][1].soa_serial, 2023975541ul);
    ck_assert_str_eq(r.rrs[2][0].text, "mail.test.lan.\t600\tIN\tA\t192.0.2.25");
    bb_dns_reply_free(&r);
    for (size_t n = 0; n < sizeof reply; n++)
        ck_assert_int_eq(bb_dns_parse_reply(reply, n, &r), -1);
}
END_TEST

START_TEST(test_loops)
{
    /* answer name is a pointer to itself; then one to a label run that points back. */
    unsigned char m[] = {
        0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0,
        0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4,
    };
    struct bb_dns_reply r;
    ck_assert_int_eq(bb_dns_parse_reply(m, sizeof m, &r), -1);
    unsigned char m2[] = {
        0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0,
        1, 'a', 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4,
    };
    ck_assert_int_eq(bb_dns_parse_reply(m2, sizeof m2, &r), -1);
    ck_assert_str_eq(bb_dns_rcode_name(3), "NXDOMAIN");
}
END_TEST

Suite *dnsmsg_suite(void);

Suite *
dnsmsg_suite(void)
{
    Suite *s = suite_create("dnsmsg");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_query);
    tcase_add_test(tc, test_reply);
    tcase_add_test(tc, test_loops);
    suite_add_tcase(s, tc);
    return s;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* test_history.c: the probe history (ids, the ring dropping the oldest, texts kept
 * deflated and given back intact, the HTML table newest first and escaped, limit 0) and
 * the http prober's body decoding (gzip, raw deflate, bad data, the output cap). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include "blackbox_exporter/bb.h"
#include "lm/buf.h"

START_TEST(test_ring)
{
    struct bb_history *h = bb_history_new(2);
    struct lm_buf b;
    char text[5000];
    ck_assert_ptr_nonnull(h);
    lm_buf_init(&b, 1 << 20);
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)('a' + (i * 7) % 26);
    bb_history_add(h, "m0", "t0", true, "zero", 4);
    bb_history_add(h, "m1", "<t&1>", false, text, sizeof text);
    ck_assert_int_eq(bb_history_text(h, 0, &b), 0);
    ck_assert_str_eq(lm_buf_cstr(&b), "zero");
    lm_buf_reset(&b);
    ck_assert_int_eq(bb_history_text(h, 1, &b), 0);
    ck_assert_uint_eq(b.len, sizeof text);
    ck_assert_int_eq(memcmp(b.data, text, sizeof text), 0);
    bb_history_add(h, "m2", "t2", true, "", 0);   /* drops id 0 */
    lm_buf_reset(&b);
    ck_assert_int_eq(bb_history_text(h, 0, &b), LM_ENOENT);
    ck_assert_int_eq(bb_history_text(h, 2, &b), 0);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_int_eq(bb_history_text(h, 3, &b), LM_ENOENT);
    ck_assert_int_eq(bb_history_text(h, -1, &b), LM_ENOENT);
    lm_buf_reset(&b);
    bb_history_html(h, &b);
    const char *s = lm_buf_cstr(&b);
    const char *two = strstr(s, "logs?id=2"), *one = strstr(s, "logs?id=1");
    ck_assert_ptr_nonnull(two);
    ck_assert_ptr_nonnull(one);
    ck_assert(two < one);
    ck_assert_ptr_null(strstr(s, "logs?id=0"));
    ck_assert_ptr_nonnull(strstr(s, "<td>&lt;t&amp;1&gt;</td>"));
    ck_assert_ptr_nonnull(strstr(s, "Failure"));
    lm_buf_cleanup(&b);
    bb_history_free(h);
    /* limit 0 keeps nothing */
    h = bb_history_new(0);
    ck_assert_ptr_nonnull(h);
    bb_history_add(h, "m", "t", true, "x", 1);
    lm_buf_init(&b, 1024);
    ck_assert_int_eq(bb_history_text(h, 0, &b), LM_ENOENT);
    lm_buf_cleanup(&b);
    bb_history_free(h);
}
END_TEST

/* pack: text deflated as gzip (gz) or raw deflate into out; its length. */
static size_t
pack(const char *text, int gz, unsigned char *out, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    ck_assert_int_eq(deflateInit2(&z, 6, Z_DEFLATED, gz ? 16 + MAX_WBITS : -MAX_WBITS, 8,
                                  Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)(uintptr_t)text;
    z.avail_in = (uInt)strlen(text);
    z.next_out = out;
    z.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = cap - z.avail_out;
    deflateEnd(&z);
    return n;
}

START_TEST(test_decompress)
{
    unsigned char z[4096];
    char why[128];
    struct lm_buf out;
    lm_buf_init(&out, 1000);
    const char *text = "hello hello hello compressed world";
    size_t n = pack(text, 1, z, sizeof z);
    ck_assert_int_eq(bb_decompress("gzip", z, n, &out, why, sizeof why), 0);
    ck_assert_str_eq(lm_buf_cstr(&out), text);
    lm_buf_reset(&out);
    n = pack(text, 0, z, sizeof z);
    ck_assert_int_eq(bb_decompress("deflate", z, n, &out, why, sizeof why), 0);
    ck_assert_str_eq(lm_buf_cstr(&out), text);
    lm_buf_reset(&out);
    ck_assert_int_eq(bb_decompress("gzip", "plain text", 10, &out, why, sizeof why), LM_EIO);
    ck_assert_int_eq(strncmp(why, "gzip: ", 6), 0);
    lm_buf_reset(&out);
    n = pack(text, 1, z, sizeof z);
    ck_assert_int_eq(bb_decompress("gzip", z, n - 4, &out, why, sizeof why), LM_EIO);
    lm_buf_cleanup(&out);
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    n = pack(big, 1, z, sizeof z);
    lm_buf_init(&out, 1000);
    ck_assert_int_eq(bb_decompress("gzip", z, n, &out, why, sizeof why), LM_ETOOBIG);
    ck_assert_str_eq(why, "http: request body too large");
    lm_buf_cleanup(&out);
    ck_assert(bb_compression_known("gzip") && bb_compression_known("") &&
              bb_compression_known("identity") && !bb_compression_known("br"));
}
END_TEST

Suite *history_suite(void);

Suite *
history_suite(void)
{
    Suite *s = suite_create("history");
    TCase *tc = tcase_create("history");
    tcase_add_test(tc, test_ring);
    tcase_add_test(tc, test_decompress);
    suite_add_tcase(s, tc);
    return s;
}

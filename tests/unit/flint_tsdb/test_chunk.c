/* SPDX-License-Identifier: Apache-2.0 */
/* test_chunk.c: the XOR chunk codec: bit-exact round trips of random and adversarial
 * series (big jumps, every dod bucket edge, NaN payloads, the stale NaN, +-Inf, -0.0),
 * a golden 3-sample chunk derived by hand from Prometheus's format, a chunk written by
 * Prometheus itself (decoded, then re-encoded to the same bytes), truncated and
 * garbage input that must stop cleanly, and the 65535-sample limit. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "flint/tsdb/chunk.h"
#include "lm/err.h"

Suite *chunk_suite(void);

static uint64_t
bits_of(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof(b));
    return b;
}

static double
from_bits(uint64_t b)
{
    double v;
    memcpy(&v, &b, sizeof(v));
    return v;
}

/* round_trip: encode n samples, decode them, compare timestamps and value bits. */
static void
round_trip(const int64_t *ts, const double *vs, size_t n)
{
    struct tsdb_chunk_enc e;
    tsdb_chunk_enc_init(&e);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(tsdb_chunk_enc_append(&e, ts[i], vs[i]), 0);
    size_t len;
    const uint8_t *b = tsdb_chunk_enc_bytes(&e, &len);
    ck_assert_uint_eq(tsdb_chunk_count(b, len), n);
    if (n > 0) {
        ck_assert_int_eq(e.mint, ts[0]);
        ck_assert_int_eq(e.maxt, ts[n - 1]);
    }
    /* decode from an exact-size copy so ASan catches any overread */
    uint8_t *copy = malloc(len);
    memcpy(copy, b, len);
    struct tsdb_chunk_dec d;
    tsdb_chunk_dec_init(&d, copy, len);
    int64_t t;
    double v;
    size_t i = 0;
    while (tsdb_chunk_dec_next(&d, &t, &v)) {
        ck_assert_uint_lt(i, n);
        ck_assert_int_eq(t, ts[i]);
        ck_assert_uint_eq(bits_of(v), bits_of(vs[i]));
        i++;
    }
    ck_assert(!d.err);
    ck_assert_uint_eq(i, n);
    /* every strict prefix of the bytes is either fine or an error, never a crash */
    for (size_t cut = 0; cut < len; cut++) {
        tsdb_chunk_dec_init(&d, copy, cut);
        size_t k = 0;
        while (tsdb_chunk_dec_next(&d, &t, &v))
            k++;
        ck_assert_uint_le(k, n);
    }
    free(copy);
    tsdb_chunk_enc_free(&e);
}

START_TEST(golden_three)
{
    /* (1000,1.0) (2000,2.0) (3000,3.0), derived bit by bit from chunks.md/xor.go:
     * 00 03 | varint(1000)=d0 0f | 3ff0000000000000 | uvarint(1000)=e8 07 |
     * 1 1 00001 001011 11111111111 | 0 | 1 1 01100 000001 1 | pad */
    static const uint8_t want[] = {0x00, 0x03, 0xd0, 0x0f, 0x3f, 0xf0, 0x00, 0x00, 0x00, 0x00,
                                   0x00, 0x00, 0xe8, 0x07, 0xc2, 0x5f, 0xff, 0x6c, 0x06};
    struct tsdb_chunk_enc e;
    tsdb_chunk_enc_init(&e);
    ck_assert_int_eq(tsdb_chunk_enc_append(&e, 1000, 1.0), 0);
    ck_assert_int_eq(tsdb_chunk_enc_append(&e, 2000, 2.0), 0);
    ck_assert_int_eq(tsdb_chunk_enc_append(&e, 3000, 3.0), 0);
    size_t len;
    const uint8_t *b = tsdb_chunk_enc_bytes(&e, &len);
    ck_assert_uint_eq(len, sizeof(want));
    ck_assert_mem_eq(b, want, sizeof(want));
    tsdb_chunk_enc_free(&e);
}
END_TEST

START_TEST(golden_prometheus)
{
    /* The XOR chunk Prometheus 2.42 wrote (promtool tsdb create-blocks-from openmetrics,
     * chunks/000001, first record's data) for the series x with, in OpenMetrics:
     * 1@1700000000, 2@..15, 3@..30, 2.5@..45.001, 0.1@..60, -7.25e-05@..90, NaN@..95,
     * +Inf@..96, 1e+300@1700001100, 1e+300@..1115, 123456789@1700002000.5, -0.0@..2010.
     * Decoding it and encoding the samples again must give the same bytes. */
    static const uint8_t prom[] = {
        0x00, 0x0c, 0x80, 0xa0, 0xab, 0xfe, 0xf9, 0x62, 0x3f, 0xf0, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x98, 0x75, 0xc2, 0x5f, 0xff, 0x6c, 0x07, 0x00, 0x03, 0xb0, 0x2e, 0xff,
        0xfb, 0x0f, 0xdf, 0xef, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0xe1, 0xd4, 0xce, 0x0e,
        0x60, 0x2a, 0xa6, 0x3f, 0x47, 0x65, 0xe3, 0xbb, 0x3c, 0xb1, 0x80, 0x0c, 0x0e, 0xb0,
        0x16, 0x48, 0x40, 0xe1, 0x71, 0xbb, 0x06, 0x08, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x07, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x03, 0xd3, 0x7e, 0x20, 0x1c, 0x7e, 0x43,
        0xc8, 0x80, 0x07, 0x59, 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0, 0xe8, 0xb8, 0x78,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x6a, 0x43, 0x24, 0x7f, 0x55, 0x16, 0x11, 0xb8, 0x00,
        0xeb, 0x39, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0x54, 0x44, 0x16, 0x0c, 0xeb, 0x79,
        0xa2, 0xa0, 0x00, 0x00, 0x00};
    struct tsdb_chunk_dec d;
    struct tsdb_chunk_enc e;
    tsdb_chunk_dec_init(&d, prom, sizeof(prom));
    tsdb_chunk_enc_init(&e);
    int64_t t, ts[12];
    double v, vs[12];
    int n = 0;
    while (tsdb_chunk_dec_next(&d, &t, &v)) {
        ck_assert_int_lt(n, 12);
        ts[n] = t;
        vs[n++] = v;
        ck_assert_int_eq(tsdb_chunk_enc_append(&e, t, v), 0);
    }
    ck_assert(!d.err);
    ck_assert_int_eq(n, 12);
    ck_assert_int_eq(ts[0], 1700000000000LL);
    ck_assert(vs[0] == 1);
    ck_assert_int_eq(ts[4], 1700000060000LL);
    ck_assert(vs[5] == -7.25e-05);
    ck_assert_uint_eq(bits_of(vs[6]), 0x7ff8000000000001ULL); /* Prometheus's NormalNaN */
    ck_assert(isinf(vs[7]) && vs[7] > 0);
    ck_assert_int_eq(ts[10], 1700002000500LL);
    ck_assert(vs[10] == 123456789);
    ck_assert_uint_eq(bits_of(vs[11]), 0x8000000000000000ULL);
    size_t len;
    const uint8_t *b = tsdb_chunk_enc_bytes(&e, &len);
    ck_assert_uint_eq(len, sizeof(prom));
    ck_assert_mem_eq(b, prom, sizeof(prom));
    tsdb_chunk_enc_free(&e);
}
END_TEST

START_TEST(golden_reuse_window)
{
    /* 4th sample reuses the window: (4000, 2.0) after 3.0: xor 0x0008.. lead 12 trail
     * 51 fits the window (12, 51) -> '1','0', 1 bit '1'. dod 0 -> '0'. */
    struct tsdb_chunk_enc e;
    tsdb_chunk_enc_init(&e);
    ck_assert_int_eq(tsdb_chunk_enc_append(&e, 1000, 1.0), 0);
    ck_assert_int_eq(tsdb_chunk_enc_append(&e, 2000, 2.0), 0);
    ck_assert_int_eq(tsdb_chunk_enc_append(&e, 3000, 3.0), 0);
    ck_assert_int_eq(tsdb_chunk_enc_append(&e, 4000, 2.0), 0);
    size_t len;
    const uint8_t *b = tsdb_chunk_enc_bytes(&e, &len);
    /* bits after c2 5f ff: 0110110 0000001 1 | 0 1 0 1 -> 0110 1100 0000 0110 1010 */
    ck_assert_uint_eq(len, 20);
    ck_assert_uint_eq(b[1], 4);
    ck_assert_uint_eq(b[17], 0x6c);
    ck_assert_uint_eq(b[18], 0x06);
    ck_assert_uint_eq(b[19], 0xa0);
    tsdb_chunk_enc_free(&e);
}
END_TEST

START_TEST(empty_and_one)
{
    struct tsdb_chunk_enc e;
    tsdb_chunk_enc_init(&e);
    size_t len;
    const uint8_t *b = tsdb_chunk_enc_bytes(&e, &len);
    ck_assert_uint_eq(len, 2);
    ck_assert_uint_eq(tsdb_chunk_count(b, len), 0);
    struct tsdb_chunk_dec d;
    int64_t t;
    double v;
    tsdb_chunk_dec_init(&d, b, len);
    ck_assert(!tsdb_chunk_dec_next(&d, &t, &v));
    ck_assert(!d.err);
    int64_t ts[1] = {-5};
    double vs[1] = {42};
    round_trip(ts, vs, 1);
    ck_assert_uint_eq(tsdb_chunk_count(b, 1), 0);
}
END_TEST

START_TEST(special_values)
{
    double vs[] = {from_bits(0x7ff0000000000002ULL), INFINITY, -INFINITY, -0.0, 0.0,
                   from_bits(0x7ff8000000000001ULL), from_bits(0xfff0000000000001ULL),
                   from_bits(0x7ff0000000000002ULL), 5e-324, -1.7976931348623157e308,
                   from_bits(0x7ff0000000000002ULL), 1.0, 1.0, NAN};
    size_t n = sizeof(vs) / sizeof(vs[0]);
    int64_t ts[sizeof(vs) / sizeof(vs[0])];
    for (size_t i = 0; i < n; i++)
        ts[i] = 1700000000000 + (int64_t)i * 15000;
    round_trip(ts, vs, n);
}
END_TEST

START_TEST(dod_buckets)
{
    /* dods at every bucket edge, both signs, plus the 64-bit case */
    int64_t dods[] = {0, 1, -1, 8191, 8192, 8193, -8191, -8192, 65535, 65536, 65537, -65535,
                      -65536, 524287, 524288, 524289, -524287, -524288, 1LL << 40,
                      -(1LL << 39), 3, 0, 0, 7};
    size_t n = sizeof(dods) / sizeof(dods[0]) + 2;
    int64_t *ts = malloc(n * sizeof(*ts));
    double *vs = malloc(n * sizeof(*vs));
    ts[0] = -1000000;
    ts[1] = ts[0] + 2000000000000LL; /* a huge first delta */
    int64_t delta = ts[1] - ts[0];
    for (size_t i = 2; i < n; i++) {
        delta += dods[i - 2];
        ts[i] = ts[i - 1] + delta;
        ck_assert_int_gt(delta, 0);
    }
    for (size_t i = 0; i < n; i++)
        vs[i] = (double)i * 0.1;
    round_trip(ts, vs, n);
    free(ts);
    free(vs);
}
END_TEST

START_TEST(extreme_times)
{
    int64_t ts[] = {INT64_MIN + 1, -1, 0, INT64_MAX / 2, INT64_MAX - 1};
    double vs[] = {1, 2, 3, 4, 5};
    round_trip(ts, vs, 5);
}
END_TEST

START_TEST(random_series)
{
    srand(12345);
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)(rand() % 300) + 1;
        int64_t *ts = malloc(n * sizeof(*ts));
        double *vs = malloc(n * sizeof(*vs));
        int64_t t = (int64_t)rand() * 1000 - 1000000000LL;
        double c = 0;
        int kind = round % 4;
        for (size_t i = 0; i < n; i++) {
            t += 15000 + (rand() % 5 == 0 ? rand() % 2000 - 1000 : 0);
            if (rand() % 50 == 0)
                t += (int64_t)rand() * 997;
            ts[i] = t;
            switch (kind) {
            case 0: c += rand() % 100; vs[i] = c; break;               /* counter */
            case 1: vs[i] = (double)rand() / RAND_MAX * 100; break;     /* noisy gauge */
            case 2: vs[i] = (rand() % 10) * 0.1; break;                 /* decimals */
            default: {                                                  /* raw bits */
                uint64_t b = (uint64_t)rand() << 33 ^ (uint64_t)rand() << 11 ^ (uint64_t)rand();
                vs[i] = from_bits(b);
            }
            }
        }
        round_trip(ts, vs, n);
        free(ts);
        free(vs);
    }
}
END_TEST

START_TEST(full_chunk)
{
    struct tsdb_chunk_enc e;
    tsdb_chunk_enc_init(&e);
    for (int i = 0; i < 65535; i++)
        ck_assert_int_eq(tsdb_chunk_enc_append(&e, i * 10LL, i % 7), 0);
    ck_assert_int_eq(tsdb_chunk_enc_append(&e, 1LL << 40, 1), LM_ETOOBIG);
    size_t len;
    const uint8_t *b = tsdb_chunk_enc_bytes(&e, &len);
    ck_assert_uint_eq(tsdb_chunk_count(b, len), 65535);
    struct tsdb_chunk_dec d;
    tsdb_chunk_dec_init(&d, b, len);
    int64_t t;
    double v;
    int n = 0;
    while (tsdb_chunk_dec_next(&d, &t, &v)) {
        ck_assert_int_eq(t, n * 10LL);
        ck_assert(v == n % 7);
        n++;
    }
    ck_assert_int_eq(n, 65535);
    tsdb_chunk_enc_free(&e);
}
END_TEST

START_TEST(garbage_input)
{
    srand(99);
    uint8_t buf[64];
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)(rand() % (int)sizeof(buf));
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)rand();
        uint8_t *copy = malloc(len ? len : 1);
        memcpy(copy, buf, len);
        struct tsdb_chunk_dec d;
        tsdb_chunk_dec_init(&d, copy, len);
        int64_t t;
        double v;
        unsigned k = 0;
        while (tsdb_chunk_dec_next(&d, &t, &v))
            k++;
        ck_assert_uint_le(k, tsdb_chunk_count(copy, len));
        /* a count claiming more samples than bits must end with err */
        if (k < tsdb_chunk_count(copy, len))
            ck_assert(d.err);
        free(copy);
    }
    /* a window declaring lead 31 + 64 sigbits ... is rejected, not mis-shifted */
    static const uint8_t bad[] = {0x00, 0x02, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
                                  0xff, 0xc0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    struct tsdb_chunk_dec d;
    tsdb_chunk_dec_init(&d, bad, sizeof(bad));
    int64_t t;
    double v;
    ck_assert(tsdb_chunk_dec_next(&d, &t, &v));
    ck_assert(!tsdb_chunk_dec_next(&d, &t, &v));
    ck_assert(d.err);
}
END_TEST

Suite *
chunk_suite(void)
{
    Suite *s = suite_create("chunk");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, golden_three);
    tcase_add_test(tc, golden_reuse_window);
    tcase_add_test(tc, golden_prometheus);
    tcase_add_test(tc, empty_and_one);
    tcase_add_test(tc, special_values);
    tcase_add_test(tc, dod_buckets);
    tcase_add_test(tc, extreme_times);
    tcase_add_test(tc, random_series);
    tcase_add_test(tc, full_chunk);
    tcase_add_test(tc, garbage_input);
    suite_add_tcase(s, tc);
    return s;
}

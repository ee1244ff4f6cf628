/* SPDX-License-Identifier: Apache-2.0 */
/* test_zeo_client.c: the ZEO client's pure parts (zeo_client.h): frame sizes and caps,
 * announcements (Z5, M5, Z4, garbage), TID decoding against known times, ctime parsing,
 * the ruok JSON mapping (captured seed streams from tests/fuzz/corpus/zeo_status), the
 * ZEO 4 monitor report, wrong types, the duration flag parser, and OOM torture. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lm/alloc.h"
#include "zeo_exporter/zeo.h"
#include "zeo_exporter/zeo_client.h"

/* seed: a file of tests/fuzz/corpus/zeo_status (tests run from the repository root). */
static unsigned char *
seed(const char *name, size_t *len)
{
    static unsigned char buf[65536];
    char path[256];
    snprintf(path, sizeof path, "tests/fuzz/corpus/zeo_status/%s", name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f, "cannot open %s", path);
    *len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return buf;
}

static int
parse_seed(const char *name, struct zeo_status *st, struct lm_err *err)
{
    size_t len;
    unsigned char *b = seed(name, &len);
    zeo_status_init(st);
    lm_err_clear(err);
    return zeo_reply_parse(b, len, st, err);
}

static const struct zeo_storage *
find(const struct zeo_status *st, const char *name)
{
    for (size_t i = 0; i < st->n; i++)
        if (!strcmp(st->storages[i].name, name))
            return &st->storages[i];
    return NULL;
}

START_TEST(test_frame_size)
{
    const unsigned char hdr[] = {0, 0, 0, 2, 'Z', '5'};
    size_t total = 0;
    struct lm_err err;
    lm_err_clear(&err);
    ck_assert_int_eq(zeo_frame_size(hdr, 3, 64, &total, &err), 0);
    ck_assert_uint_eq(total, 4);
    ck_assert_int_eq(zeo_frame_size(hdr, 6, 64, &total, &err), 0);
    ck_assert_uint_eq(total, 6);
    const unsigned char big[] = {0xff, 0xff, 0xff, 0xf0};
    ck_assert_int_eq(zeo_frame_size(big, 4, ZEO_MAX_REPLY, &total, &err), LM_ETOOBIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "4294967280"));
    const unsigned char exact[] = {0, 0, 0, 64};
    ck_assert_int_eq(zeo_frame_size(exact, 4, 64, &total, &err), 0);
    ck_assert_int_eq(zeo_frame_size(exact, 4, 63, &total, &err), LM_ETOOBIG);
}
END_TEST

START_TEST(test_announce)
{
    struct zeo_status st;
    struct lm_err err;
    zeo_status_init(&st);
    ck_assert_int_eq(zeo_announce_check((const unsigned char *)"Z5", 2, &st, &err), 0);
    ck_assert_str_eq(st.protocol, "Z5");
    ck_assert_int_eq(zeo_announce_check((const unsigned char *)"M5", 2, &st, &err), 0);
    ck_assert_str_eq(st.protocol, "M5");
    ck_assert_int_eq(zeo_announce_check((const unsigned char *)"Z3101", 5, &st, &err), 0);
    ck_assert_int_eq(zeo_announce_check((const unsigned char *)"HT", 2, &st, &err),
                     LM_EPARSE);
    ck_assert_int_eq(zeo_announce_check((const unsigned char *)"Z", 1, &st, &err), LM_EPARSE);
    ck_assert_int_eq(zeo_announce_check((const unsigned char *)"Z\n", 2, &st, &err),
                     LM_EPARSE);
    zeo_status_cleanup(&st);
}
END_TEST

START_TEST(test_tid)
{
    double t = 0;
    bool empty = true;
    /* The ZEO doctest's TID: 2015-01-04 14:37:04.03486 UTC. */
    ck_assert_int_eq(zeo_tid_time("03ac11cd11372499", 16, &t, &empty), 0);
    ck_assert(!empty);
    ck_assert_double_eq_tol(t, 1420382224.03486, 1e-4);
    /* 2015-03-01 20:30:25.2 UTC, upper-case hex accepted. */
    ck_assert_int_eq(zeo_tid_time("03AD5F0E6B851EB8", 16, &t, &empty), 0);
    ck_assert_double_eq_tol(t, 1425241825.2, 1e-4);
    /* A leap day: 2000-02-29 23:59:00 UTC. */
    ck_assert_int_eq(zeo_tid_time("0332b37f00000000", 16, &t, &empty), 0);
    ck_assert_double_eq_tol(t, 951868740, 1e-6);
    ck_assert_int_eq(zeo_tid_time("0000000000000000", 16, &t, &empty), 0);
    ck_assert(empty);
    ck_assert_int_eq(zeo_tid_time("03ac11cd1137249", 15, &t, &empty), LM_EPARSE);
    ck_assert_int_eq(zeo_tid_time("03ac11cd1137249g", 16, &t, &empty), LM_EPARSE);
}
END_TEST

START_TEST(test_ctime)
{
    setenv("TZ", "UTC", 1);
    tzset();
    double t = 0;
    ck_assert_int_eq(zeo_ctime_parse("Sun Jan  4 09:37:03 2015", &t), 0);
    ck_assert_double_eq(t, 1420364223);
    ck_assert_int_eq(zeo_ctime_parse("Mon Feb 16 08:05:09 2026", &t), 0);
    ck_assert_double_eq(t, 1771229109);
    setenv("TZ", "EST5", 1);
    tzset();
    ck_assert_int_eq(zeo_ctime_parse("Sun Jan  4 09:37:03 2015", &t), 0);
    ck_assert_double_eq(t, 1420364223 + 5 * 3600);
    setenv("TZ", "UTC", 1);
    tzset();
    ck_assert_int_eq(zeo_ctime_parse("Sun Foo  4 09:37:03 2015", &t), LM_EPARSE);
    ck_assert_int_eq(zeo_ctime_parse("Sun Jan 32 09:37:03 2015", &t), LM_EPARSE);
    ck_assert_int_eq(zeo_ctime_parse("Sun Jan  4 09:37:03 2015 x", &t), LM_EPARSE);
    ck_assert_int_eq(zeo_ctime_parse("", &t), LM_EPARSE);
    ck_assert_int_eq(zeo_ctime_parse("Sun eb  4 09:37:03 2015", &t), LM_EPARSE);
}
END_TEST

START_TEST(test_json_one)
{
    setenv("TZ", "UTC", 1);
    tzset();
    struct zeo_status st;
    struct lm_err err;
    ck_assert_int_eq(parse_seed("z5_one", &st, &err), 0);
    ck_assert_str_eq(st.protocol, "Z5");
    ck_assert_uint_eq(st.n, 1);
    const struct zeo_storage *s = &st.storages[0];
    ck_assert_str_eq(s->name, "1");
    ck_assert_double_eq(s->connections, 1);
    ck_assert_double_eq(s->loads, 1);
    ck_assert_double_eq(s->commits, 1);
    ck_assert_double_eq(s->aborts, 0);
    ck_assert(!s->lock_held);
    ck_assert(s->has_start);
    ck_assert_double_eq(s->start, 1420364223);
    ck_assert(s->has_last_txn);
    ck_assert_double_eq_tol(s->last_txn, 1420382224.03486, 1e-4);
    ck_assert_int_eq(s->timeout_thread, ZEO_TT_ALIVE);
    ck_assert(s->seen & ZEO_SEEN(offsetof(struct zeo_storage, waiting)));
    ck_assert(!s->has_verifying);
    zeo_status_cleanup(&st);
}
END_TEST

START_TEST(test_json_two)
{
    struct zeo_status st;
    struct lm_err err;
    ck_assert_int_eq(parse_seed("m5_two", &st, &err), 0);
    ck_assert_str_eq(st.protocol, "M5");
    ck_assert_uint_eq(st.n, 2);
    const struct zeo_storage *m = find(&st, "main"), *c = find(&st, "catalog");
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_nonnull(c);
    ck_assert_double_eq(m->loads, 48213);
    ck_assert_double_eq(m->waiting, 3);
    ck_assert_double_eq(m->conflicts_resolved, 4);
    ck_assert(m->lock_held);
    ck_assert_double_eq(m->lock_time, 1420382220.5);
    ck_assert_int_eq(m->timeout_thread, ZEO_TT_STUB);
    ck_assert_int_eq(c->timeout_thread, ZEO_TT_DEAD);
    ck_assert(!c->has_last_txn);            /* empty storage: no timestamp */
    zeo_status_cleanup(&st);

    ck_assert_int_eq(parse_seed("z4_verifying", &st, &err), 0);
    ck_assert_str_eq(st.protocol, "Z4");
    ck_assert(st.storages[0].has_verifying);
    ck_assert_int_eq(st.storages[0].timeout_thread, ZEO_TT_ABSENT);
    zeo_status_cleanup(&st);
}
END_TEST

START_TEST(test_bad_streams)
{
    static const struct { const char *seed; int rc; const char *msg; } cases[] = {
        {"truncated", LM_EPARSE, "truncated reply"},
        {"huge_len", LM_ETOOBIG, "4294967280"},
        {"badjson", LM_EPARSE, "not JSON"},
        {"garbage", LM_ETOOBIG, "announced"},
        {"badtype", LM_EPARSE, "\"connections\" is not a number"},
        {"z3101", LM_EPARSE, "truncated reply"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct zeo_status st;
        struct lm_err err;
        int rc = parse_seed(cases[i].seed, &st, &err);
        ck_assert_msg(rc == cases[i].rc, "%s: rc %d", cases[i].seed, rc);
        ck_assert_msg(strstr(err.msg, cases[i].msg), "%s: %s", cases[i].seed, err.msg);
        zeo_status_cleanup(&st);
    }
    struct zeo_status st;
    struct lm_err err;
    zeo_status_init(&st);
    ck_assert_int_eq(zeo_status_parse_json("[1]", 3, &st, &err), LM_EPARSE);
    ck_assert_int_eq(zeo_status_parse_json("{\"1\": 2}", 8, &st, &err), LM_EPARSE);
    ck_assert_int_eq(zeo_status_parse_json("{\"1\": {\"last-transaction\": \"00\"}}", 33, &st,
                                           &err), LM_EPARSE);
    ck_assert_int_eq(zeo_status_parse_json("{\"1\": {\"new-key\": [1]}}", 23, &st, &err), 0);
    zeo_status_cleanup(&st);
}
END_TEST

START_TEST(test_monitor)
{
    setenv("TZ", "UTC", 1);
    tzset();
    static const char rep[] = "ZEO monitor server version 4.3.1\n"
                              "Mon Jan  5 10:00:00 2015\n\n"
                              "Storage: 1\n"
                              "Server started: Sun Jan  4 09:37:03 2015\n"
                              "Clients: 3\nClients verifying: 0\nActive transactions: 1\n"
                              "Commit lock held for: 7\nCommits: 10\nAborts: 2\n"
                              "Loads: 100\nStores: 20\nConflicts: 1\nConflicts resolved: 1\n\n"
                              "Storage: temp\nClients: 0\n\n";
    struct zeo_status st;
    struct lm_err err;
    zeo_status_init(&st);
    ck_assert_int_eq(zeo_monitor_parse(rep, sizeof rep - 1, &st, &err), 0);
    ck_assert_uint_eq(st.n, 2);
    const struct zeo_storage *s = &st.storages[0];
    ck_assert_str_eq(s->name, "1");
    ck_assert_double_eq(s->connections, 3);
    ck_assert_double_eq(s->loads, 100);
    ck_assert(s->has_lock_held_for);
    ck_assert_double_eq(s->lock_held_for, 7);
    ck_assert_double_eq(s->start, 1420364223);
    ck_assert(!(s->seen & ZEO_SEEN(offsetof(struct zeo_storage, waiting))));
    ck_assert(s->seen & ZEO_SEEN(offsetof(struct zeo_storage, commits)));
    ck_assert(!st.storages[1].has_lock_held_for);
    zeo_status_cleanup(&st);

    zeo_status_init(&st);
    ck_assert_int_eq(zeo_monitor_parse("hello\n", 6, &st, &err), LM_EPARSE);
    static const char bad[] = "ZEO monitor server version x\nStorage: 1\nClients: many\n";
    ck_assert_int_eq(zeo_monitor_parse(bad, sizeof bad - 1, &st, &err), LM_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.msg, "line 3"));
    ck_assert_int_eq(zeo_monitor_parse("", 0, &st, &err), LM_EPARSE);
    zeo_status_cleanup(&st);
}
END_TEST

START_TEST(test_oom)
{
    size_t len;
    unsigned char *b = seed("m5_two", &len);
    for (long n = 1;; n++) {
        struct zeo_status st;
        struct lm_err err;
        zeo_status_init(&st);
        lm_err_clear(&err);
        lm_alloc_fail_after(n);
        int rc = zeo_reply_parse(b, len, &st, &err);
        lm_alloc_fail_after(0);
        zeo_status_cleanup(&st);
        if (rc == 0)
            break;
        ck_assert_msg(rc == LM_ENOMEM, "n=%ld rc=%d %s", n, rc, err.msg);
        ck_assert_int_eq(err.code, LM_ENOMEM);
        ck_assert_int_lt(n, 500);
    }
}
END_TEST

Suite *zeo_client_suite(void);

Suite *
zeo_client_suite(void)
{
    Suite *s = suite_create("zeo_client");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_frame_size);
    tcase_add_test(tc, test_announce);
    tcase_add_test(tc, test_tid);
    tcase_add_test(tc, test_ctime);
    tcase_add_test(tc, test_json_one);
    tcase_add_test(tc, test_json_two);
    tcase_add_test(tc, test_bad_streams);
    tcase_add_test(tc, test_monitor);
    tcase_add_test(tc, test_oom);
    suite_add_tcase(s, tc);
    return s;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* head_fixture.h: helpers for the head, WAL, postings and database tests: a seeded
 * random generator, temporary data dirs (created and removed), label sets from a
 * "k=v,k=v" string and matchers from a short form. */
#ifndef TESTS_FLINT_TSDB_HEAD_FIXTURE_H
#define TESTS_FLINT_TSDB_HEAD_FIXTURE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flint/labels.h"

static inline uint32_t
hf_rand(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*s >> 33);
}

static inline void
hf_tmpdir(char *out, size_t n)
{
    snprintf(out, n, "/tmp/flint_head_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(out));
}

static inline void
hf_rmrf(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* hf_labels: ls from "a=1,b=2" (replaces ls's content). */
static inline void
hf_labels(struct lbl_set *ls, const char *spec)
{
    lbl_set_clear(ls);
    char buf[1024];
    snprintf(buf, sizeof(buf), "%s", spec);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        ck_assert_ptr_nonnull(eq);
        *eq = '\0';
        ck_assert_int_eq(lbl_set_add(ls, tok, eq + 1), 0);
    }
}

/* hf_matcher: m from name, op ("=", "!=", "=~", "!~") and value. */
static inline void
hf_matcher(struct lbl_matcher *m, const char *name, const char *op, const char *value)
{
    enum lbl_match_type t = !strcmp(op, "=") ? LBL_MATCH_EQ : !strcmp(op, "!=") ? LBL_MATCH_NEQ
                            : !strcmp(op, "=~") ? LBL_MATCH_RE : LBL_MATCH_NRE;
    struct lm_err err = {0};
    ck_assert_int_eq(lbl_matcher_init(m, t, name, value, &err), 0);
}

#endif

#ifndef TESTS_FLINT_TSDB_HEAD_FIXTURE_DB
#define TESTS_FLINT_TSDB_HEAD_FIXTURE_DB
#include "flint/tsdb/tsdb.h"

static inline struct tsdb *
hf_open2(const char *dir, int64_t range, bool compress)
{
    struct tsdb_opts o = {.dir = dir, .block_range_ms = range, .wal_compression = compress};
    struct lm_err err = {0};
    struct tsdb *db = tsdb_open(&o, &err);
    ck_assert_msg(db != NULL, "tsdb_open: %s", err.msg);
    return db;
}

static inline struct tsdb *
hf_open(const char *dir, int64_t range)
{
    struct tsdb_opts o = {.dir = dir, .block_range_ms = range};
    struct lm_err err = {0};
    struct tsdb *db = tsdb_open(&o, &err);
    ck_assert_msg(db != NULL, "tsdb_open: %s", err.msg);
    return db;
}

static inline uint64_t
hf_bits(double v)
{
    uint64_t b;
    memcpy(&b, &v, 8);
    return b;
}

/* hf_count: series and samples selected by one matcher set over [mint, maxt]. */
static inline size_t
hf_count(struct tsdb *db, const struct lbl_matcher *ms, size_t n, int64_t mint, int64_t maxt,
         size_t *samples)
{
    struct lm_err err = {0};
    struct tsdb_q *q = tsdb_querier(db, mint, maxt, &err);
    ck_assert_ptr_nonnull(q);
    struct tsdb_ss *ss = tsdb_q_select(q, ms, n, &err);
    ck_assert_msg(ss != NULL, "select: %s", err.msg);
    size_t ns = 0, nsm = 0;
    while (tsdb_ss_next(ss)) {
        ns++;
        struct tsdb_it *it = tsdb_ss_iter(ss);
        int64_t t, prev = INT64_MIN;
        double v;
        while (tsdb_it_next(it, &t, &v)) {
            ck_assert_int_gt(t, prev);
            ck_assert_int_ge(t, mint);
            ck_assert_int_le(t, maxt);
            prev = t;
            nsm++;
        }
    }
    tsdb_ss_free(ss);
    tsdb_q_close(q);
    if (samples)
        *samples = nsm;
    return ns;
}
#endif

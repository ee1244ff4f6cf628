/* SPDX-License-Identifier: Apache-2.0 */
/* scrape_test.h: helpers shared by the scraper's unit tests: a scrape config from YAML
 * (the real config loader), a TSDB in a temporary directory, and reading back what the
 * scraper appended through the TSDB querier. */
#ifndef SCRAPE_TEST_H
#define SCRAPE_TEST_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flint/config/config.h"
#include "flint/scrape/scrape.h"
#include "flint/tsdb/tsdb.h"
#include "lm/buf.h"

/* st_cfg: load a prometheus.yml text; fails the test on error. */
static inline struct cfg *st_cfg(const char *yaml)
{
    struct lm_err err = {0};
    struct cfg *c = cfg_load_string("test.yml", yaml, strlen(yaml), "/tmp", &err);
    if (!c)
        ck_abort_msg("config: %s: %s", err.where, err.msg);
    return c;
}

/* A TSDB in a fresh temporary directory. */
struct st_db {
    char dir[64];       /* the directory */
    struct tsdb *db;    /* open database */
};

static inline void st_db_open(struct st_db *d)
{
    snprintf(d->dir, sizeof d->dir, "/tmp/scrtest.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d->dir));
    struct tsdb_opts o = {0};
    o.dir = d->dir;
    struct lm_err err = {0};
    d->db = tsdb_open(&o, &err);
    if (!d->db)
        ck_abort_msg("tsdb_open: %s", err.msg);
}

static inline void st_db_close(struct st_db *d)
{
    tsdb_close(d->db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", d->dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* st_dump: every series whose __name__ matches the regex re, one line each:
 * `{labels} t=v t=v ...` (values %g, stale markers as "stale"), into out. Returns the
 * number of series. */
static inline size_t st_dump(struct tsdb *db, const char *re, struct lm_buf *out)
{
    struct lm_err err = {0};
    struct lbl_matcher m;
    ck_assert_int_eq(lbl_matcher_init(&m, LBL_MATCH_RE, "__name__", re, &err), 0);
    struct tsdb_q *q = tsdb_querier(db, 0, INT64_MAX, &err);
    ck_assert_ptr_nonnull(q);
    struct tsdb_ss *ss = tsdb_q_select(q, &m, 1, &err);
    ck_assert_ptr_nonnull(ss);
    size_t n = 0;
    lm_buf_reset(out);
    while (tsdb_ss_next(ss)) {
        lbl_set_format(tsdb_ss_labels(ss), out);
        struct tsdb_it *it = tsdb_ss_iter(ss);
        int64_t t;
        double v;
        while (tsdb_it_next(it, &t, &v)) {
            if (tsdb_is_stale(v))
                lm_buf_printf(out, " %lld=stale", (long long)t);
            else
                lm_buf_printf(out, " %lld=%g", (long long)t, v);
        }
        lm_buf_putc(out, '\n');
        n++;
    }
    tsdb_ss_free(ss);
    tsdb_q_close(q);
    lbl_matcher_free(&m);
    return n;
}

/* st_has: does the dump contain s? (message shows the dump) */
#define st_has(buf, s)                                                           \
    ck_assert_msg(strstr(lm_buf_cstr(buf), (s)), "missing %s in:\n%s", (s),      \
                  lm_buf_cstr(buf))
#define st_hasnt(buf, s)                                                         \
    ck_assert_msg(!strstr(lm_buf_cstr(buf), (s)), "unexpected %s in:\n%s", (s),  \
                  lm_buf_cstr(buf))

#endif

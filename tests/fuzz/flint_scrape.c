/* SPDX-License-Identifier: Apache-2.0 */
/* flint_scrape.c (fuzz): the scraper's append step on arbitrary pages: the input is a
 * flags byte (honor_labels, honor_timestamps, OpenMetrics, sample_limit, label limits,
 * a metric relabel rule) and then pages separated by "\n--\n", each appended to a real
 * TSDB like a worker does (on error: roll back and append an empty page), then the
 * report. Checks the counters' invariants; any crash, leak or abort is a bug. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flint/scrape/scrape_int.h"
#include "lm/alloc.h"
#include "lm/parse.h"
#include "lm/regex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tsdb *db;     /* one database for the whole run */
static int64_t clock_ms;    /* grows with every page */
static char dir[64];        /* its directory, removed at exit */

static void close_db(void)
{
    tsdb_close(db);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd))
        fprintf(stderr, "cannot remove %s\n", dir);
}

static void open_db(void)
{
    snprintf(dir, sizeof dir, "/tmp/flint_scrape_fuzz.%d", (int)getpid());
    struct tsdb_opts o = {0};
    o.dir = dir;
    struct lm_err err = {0};
    db = tsdb_open(&o, &err);
    if (!db)
        abort();
    atexit(close_db);
}

/* page: append one page (len bytes; NULL: a failed scrape) as a worker does. */
static void page(struct scri_target *t, struct lm_parser *p, const char *b, size_t len)
{
    struct scri_append_res res;
    struct lm_err err;
    int64_t ts = clock_ms += 1000;
    struct tsdb_app *app = tsdb_appender(db);
    if (!app)
        abort();
    int rc = scri_append(t, b ? p : NULL, app, b ? b : "", b ? len : 0, ts, &res, &err);
    if (res.added > res.total || res.series_added > res.added)
        abort();
    if (rc) {
        if (!err.code || !err.msg[0])
            abort();
        tsdb_app_rollback(app);
        app = tsdb_appender(db);
        struct scri_append_res r2;
        if (!app || scri_append(t, NULL, app, NULL, 0, ts, &r2, &err))
            abort();
    }
    /* as the worker: a report sample older than the head accepts (a page with honoured
     * timestamps moved the head far ahead) is logged there and the rest committed */
    int rrc = scri_report(t, app, ts, 0.1, &res, b && !rc, false);
    if (rrc && rrc != TSDB_EOUTOFBOUNDS)
        abort();
    struct lm_err cerr;
    if (tsdb_app_commit(app, &cerr))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db)
        open_db();
    if (size < 1)
        return 0;
    uint8_t fl = data[0];
    struct scr_job job = {0};
    job.job_name = "fuzz";
    job.interval_ms = 1000;
    job.timeout_ms = 1000;
    job.honor_labels = fl & 1;
    job.honor_timestamps = fl & 2;
    job.sample_limit = fl & 8 ? 5 : 0;
    job.label_limit = fl & 16 ? 6 : 0;
    job.label_value_length_limit = fl & 16 ? 40 : 0;
    struct rl_rule rule = {0};
    char *src[] = {"__name__"};
    if (fl & 32) {
        struct lm_err err;
        rule.source_labels = src;
        rule.nsource = 1;
        rule.separator = ";";
        rule.regex = lm_regex_new("drop.*|(x)", true, &err);
        rule.action = fl & 64 ? RL_DROP : RL_LABELDROP;
        job.metric_relabel = &rule;
        job.nmetric_relabel = 1;
    }
    struct lm_err err;
    struct scri_pool *pool = scri_pool_new(&job, &err);
    lm_regex_free(rule.regex);
    if (!pool)
        abort();
    struct lbl_set tl = {0};
    lbl_set_add(&tl, "job", "fuzz");
    lbl_set_add(&tl, "instance", "h:1");
    struct scri_target t;
    scri_target_init(&t, pool, &tl);
    struct lm_parser *p = lm_parser_new(fl & 4 ? LM_FORMAT_OPENMETRICS : LM_FORMAT_TEXT);
    if (!p)
        abort();
    const char *b = (const char *)data + 1, *end = (const char *)data + size;
    while (b <= end) {
        const char *sep = memmem(b, (size_t)(end - b), "\n--\n", 4);
        size_t len = sep ? (size_t)(sep - b) + 1 : (size_t)(end - b);
        if (len == 2 && !memcmp(b, "!\n", 2))
            page(&t, p, NULL, 0); /* a failed scrape */
        else
            page(&t, p, b, len);
        if (!sep)
            break;
        b = sep + 4;
    }
    lm_parser_free(p);
    scri_target_cleanup(&t);
    lbl_set_free(&tl);
    scri_pool_unref(pool);
    return 0;
}

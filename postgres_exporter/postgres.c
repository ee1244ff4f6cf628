/* SPDX-License-Identifier: Apache-2.0 */
/* postgres.c: the postgres collector: reads the DSNs at init, keeps one pge_server per
 * DSN, and on each scrape checks every connection, then emits pg_static, the built-in
 * maps, the database and bgwriter collectors, pg_settings, replica-side replication and
 * the queries.yaml maps for each server, plus pg_up and pg_exporter_* meta metrics.
 * Failures are returned (first one, with a count) for the runner to log. */
#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/exporter.h"
#include "lm/flags.h"
#include "lm/log.h"
#include "postgres_exporter/pge.h"

#define PGE_CONNECT_TIMEOUT 10   /* seconds, when the DSN sets no connect_timeout */

struct pge_state {
    struct pge_server servers[PGE_MAX_DSNS];  /* one per DSN */
    size_t n;                                 /* servers used */
    bool defaults;                            /* !--disable-default-metrics */
    bool settings;                            /* !--disable-settings-metrics */
    const char *query_path;                   /* --extend.query-path (flag view) */
    struct pge_queries *queries;              /* parsed file, or NULL */
    bool queries_failed;                      /* the file did not load */
    char hashsum[65];                         /* sha256 of the file, hex */
    double scrapes;                           /* pg_exporter_scrapes_total */
};

const struct lm_flag_desc pge_flags[] = {
    {"disable-default-metrics", "false", "Do not include default metrics.", true, false},
    {"disable-settings-metrics", "false", "Do not include pg_settings metrics.", true, false},
    {"auto-discover-databases", "false", "Whether to discover the databases on a server "
     "dynamically. Accepted for compatibility; not supported (a warning is logged).", true, false},
    {"extend.query-path", "", "Path to custom queries to run.", false, false},
    {"dumpmaps", "false", "Do not run, simply dump the maps. Not supported.", true, false},
    {"constantLabels", "", "A list of label=value separated by comma(,). Not supported: "
     "must be empty.", false, false},
    {"exclude-databases", "", "A list of databases to remove when autoDiscoverDatabases is "
     "enabled", false, false},
    {"include-databases", "", "A list of databases to include when autoDiscoverDatabases is "
     "enabled", false, false},
    {"metric-prefix", "pg", "A metric prefix can be used to have non-default (not \"pg\") "
     "prefixes for each of the metrics. Only \"pg\" is supported.", false, false},
    {NULL, NULL, NULL, false, false},
};

static const char *
env_get(const char *name)
{
    return getenv(name);
}

/* load_queries: read and parse the file; a failure is kept for the load_error metric
 * and returned for logging, it does not stop the exporter (as upstream). */
static int
load_queries(struct pge_state *st, struct lm_err *err)
{
    FILE *f = fopen(st->query_path, "rb");
    if (!f) {
        st->queries_failed = true;
        return lm_err_set(err, LM_EIO, st->query_path, "cannot open queries file");
    }
    char *buf = lm_malloc(PGE_QUERIES_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    }
    size_t len = fread(buf, 1, PGE_QUERIES_MAX_BYTES + 1, f);
    fclose(f);
    unsigned char dig[32];
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, buf, len, dig) == 0)
        for (size_t i = 0; i < 32; i++)
            snprintf(st->hashsum + 2 * i, 3, "%02x", dig[i]);
    st->queries = pge_queries_parse(buf, len, err);
    lm_free(buf);
    st->queries_failed = !st->queries;
    if (!st->queries)
        snprintf(err->where, sizeof err->where, "%s", st->query_path);
    return st->queries ? 0 : err->code;
}

static void
pge_fini(void *state)
{
    struct pge_state *st = state;
    if (!st)
        return;
    for (size_t i = 0; i < st->n; i++)
        pge_server_cleanup(&st->servers[i]);
    pge_queries_free(st->queries);
    lm_free(st);
}

static int
pge_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    const struct lm_flags *fl = ctx->flags;
    if (strcmp(lm_flags_get(fl, "metric-prefix"), "pg"))
        return lm_err_set(err, LM_EUNSUPP, "--metric-prefix", "only \"pg\" is supported");
    if (*lm_flags_get(fl, "constantLabels"))
        return lm_err_set(err, LM_EUNSUPP, "--constantLabels", "not supported");
    if (lm_flags_get_bool(fl, "dumpmaps"))
        return lm_err_set(err, LM_EUNSUPP, "--dumpmaps", "not supported");
    if (lm_flags_get_bool(fl, "auto-discover-databases"))
        lm_warn(ctx->log, "--auto-discover-databases is not supported; scraping only the "
                "database named in each DSN", NULL);
    struct pge_state *st = lm_malloc(sizeof *st);
    if (!st)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    memset(st, 0, sizeof *st);
    st->defaults = !lm_flags_get_bool(fl, "disable-default-metrics");
    st->settings = !lm_flags_get_bool(fl, "disable-settings-metrics");
    st->query_path = lm_flags_get(fl, "extend.query-path");
    char **dsns = NULL;
    size_t n = 0;
    int rc = pge_dsn_list(env_get, &dsns, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        rc = pge_server_init(&st->servers[i], dsns[i], PGE_CONNECT_TIMEOUT, err);
        if (!rc)
            st->n++;
    }
    pge_dsn_list_free(dsns, n);
    if (rc) {
        pge_fini(st);
        return rc;
    }
    if (*st->query_path) {
        struct lm_err qerr;
        lm_err_clear(&qerr);
        if (load_queries(st, &qerr)) {
            char msg[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX];
            lm_error(ctx->log, "failed to reload user queries", "path", st->query_path,
                     "err", lm_err_format(&qerr, msg, sizeof msg), NULL);
        }
    }
    *state = st;
    return 0;
}

/* note: keep the first error in *err, count the rest. */
static void
note(int rc, const struct lm_err *one, struct lm_err *err, int *nerr)
{
    if (!rc)
        return;
    if (!(*nerr)++)
        *err = *one;
}

/* run_custom: every queries.yaml map for one server. */
static int
run_custom(struct pge_state *st, struct pge_server *s, struct lm_emit *e, struct lm_err *err,
           int *nerr)
{
    int failed = 0;
    for (size_t i = 0; i < pge_queries_count(st->queries); i++) {
        const struct pge_qmap *q = pge_queries_get(st->queries, i);
        if (q->runonserver && !pge_version_match(q->runonserver, s->version_num))
            continue;
        struct lm_err one;
        lm_err_clear(&one);
        PGresult *r = pge_server_query(s, q->query, &one);
        int rc = r ? pge_qmap_emit(e, q, s->label, s->version_num, r, &one) : one.code;
        PQclear(r);
        if (rc) {
            char where[LM_ERR_WHERE_MAX];
            snprintf(where, sizeof where, "%s: %s", s->label, q->ns);
            snprintf(one.where, sizeof one.where, "%s", where);
            failed = 1;
        }
        note(rc, &one, err, nerr);
    }
    return failed;
}

/* scrape_server: everything for one server. Returns -1 when it could not connect,
 * 1 when a query failed, 0 when all went well. Durations add into dur[2]. */
static int
scrape_server(struct pge_state *st, struct pge_server *s, struct lm_emit *e, double dur[2],
              bool ok[2], struct lm_err *err, int *nerr)
{
    struct lm_err one;
    lm_err_clear(&one);
    int rc = pge_server_check(s, &one);
    note(rc, &one, err, nerr);
    if (rc) {
        ok[0] = ok[1] = false;
        return -1;
    }
    int failed = 0;
    char shortv[32];
    int v = s->version_num;
    snprintf(shortv, sizeof shortv, "%d.%d.%d", v >= 100000 ? v / 10000 : v / 10000,
             v >= 100000 ? v % 10000 : (v / 100) % 100, v >= 100000 ? 0 : v % 100);
    if (!lm_emit_family(e, "pg_static", "Version string as reported by postgres", LM_TYPE_UNTYPED))
        lm_emit_samplev(e, 1, "server", s->label, "short_version", shortv, "version",
                        s->version, NULL);
    if (st->defaults) {
        int (*const coll[2])(struct pge_server *, struct lm_emit *, struct lm_err *) = {
            pge_bgwriter_collect, pge_database_collect};
        for (int c = 0; c < 2; c++) {
            double t0 = lm_monotonic();
            lm_err_clear(&one);
            rc = coll[c](s, e, &one);
            dur[c] += lm_monotonic() - t0;
            if (rc)
                ok[c] = false;
            failed |= rc != 0;
            note(rc, &one, err, nerr);
        }
        lm_err_clear(&one);
        rc = pge_builtin_collect(s, e, &one);
        failed |= rc != 0;
        note(rc, &one, err, nerr);
        lm_err_clear(&one);
        rc = pge_replication_collect(s, e, &one);
        failed |= rc != 0;
        note(rc, &one, err, nerr);
    }
    if (st->settings) {
        lm_err_clear(&one);
        rc = pge_settings_collect(s, e, &one);
        failed |= rc != 0;
        note(rc, &one, err, nerr);
    }
    failed |= run_custom(st, s, e, err, nerr);
    return failed;
}

static int
pge_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
            struct lm_err *err)
{
    struct pge_state *st = state;
    (void)ctx;
    double t0 = lm_monotonic();
    double dur[2] = {0, 0};
    bool ok[2] = {true, true};
    int nerr = 0;
    size_t down = 0, failed = 0;
    st->scrapes++;
    for (size_t i = 0; i < st->n; i++) {
        int rc = scrape_server(st, &st->servers[i], e, dur, ok, err, &nerr);
        down += rc < 0;
        failed += rc != 0;
    }
    /* as upstream 0.11: pg_up is 0 only when no server could be reached */
    lm_emit_one(e, "pg_up", "Whether the last scrape of metrics from PostgreSQL was able to "
                "connect to the server (1 for yes, 0 for no).", LM_TYPE_GAUGE,
                down >= st->n ? 0 : 1);
    lm_emit_one(e, "pg_exporter_last_scrape_error", "Whether the last scrape of metrics from "
                "PostgreSQL resulted in an error (1 for error, 0 for success).", LM_TYPE_GAUGE,
                failed ? 1 : 0);
    lm_emit_one(e, "pg_exporter_scrapes_total",
                "Total number of times PostgreSQL was scraped for metrics.", LM_TYPE_COUNTER,
                st->scrapes);
    if (*st->query_path &&
        !lm_emit_family(e, "pg_exporter_user_queries_load_error", "Whether the user queries "
                        "file was loaded and parsed successfully (1 for error, 0 for success).",
                        LM_TYPE_GAUGE))
        lm_emit_samplev(e, st->queries_failed ? 1 : 0, "filename", st->query_path,
                        "hashsum", st->hashsum, NULL);
    if (st->defaults) {
        static const char *const names[2] = {"bgwriter", "database"};
        lm_emit_family(e, "pg_scrape_collector_duration_seconds",
                       "postgres_exporter: Duration of a collector scrape.", LM_TYPE_GAUGE);
        for (int c = 0; c < 2; c++)
            lm_emit_samplev(e, dur[c], "collector", names[c], NULL);
        lm_emit_family(e, "pg_scrape_collector_success",
                       "postgres_exporter: Whether a collector succeeded.", LM_TYPE_GAUGE);
        for (int c = 0; c < 2; c++)
            lm_emit_samplev(e, ok[c] ? 1 : 0, "collector", names[c], NULL);
    }
    lm_emit_one(e, "pg_exporter_last_scrape_duration_seconds",
                "Duration of the last scrape of metrics from PostgreSQL.", LM_TYPE_GAUGE,
                lm_monotonic() - t0);
    if (nerr > 1) {
        size_t l = strlen(err->msg);
        snprintf(err->msg + l, sizeof err->msg - l, " (and %d more errors)", nerr - 1);
    }
    return nerr ? (err->code ? err->code : LM_EIO) : 0;
}

const struct lm_collector_desc pge_collector = {
    .name = "postgres",
    .enabled_by_default = true,
    .flags = pge_flags,
    .init = pge_init,
    .collect = pge_collect,
    .fini = pge_fini,
};

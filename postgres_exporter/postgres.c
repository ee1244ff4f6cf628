/* SPDX-License-Identifier: Apache-2.0 */
/* postgres.c: the postgres collector: reads the DSNs at init, keeps one pge_server per
 * DSN, and on each scrape checks every connection, then emits pg_static, the built-in
 * maps, the database and bgwriter collectors, pg_settings, replica-side replication and
 * the queries.yaml maps for each server, plus pg_up and pg_exporter_* meta metrics.
 * Failures are returned (first one, with a count) for the runner to log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/exporter.h"
#include "lm/flags.h"
#include "lm/fmt.h"
#include "lm/hash.h"
#include "lm/log.h"
#include "postgres_exporter/pge.h"

#define PGE_CONNECT_TIMEOUT 10   /* seconds, when the DSN sets no connect_timeout */
#define PGE_QUERY_TIMEOUT 10     /* seconds one query may take (upstream has no bound) */
#define PGE_DEADLINE_MARGIN 0.5  /* seconds kept from Prometheus's scrape timeout to answer */

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
    char *constbuf;                           /* owned copy of --constantLabels */
    struct lm_label constant[PGE_MAX_CONST];  /* pointing into constbuf */
    size_t nconst;
    struct pge_discovery *disc;               /* --auto-discover-databases, or NULL */
};

const struct lm_flag_desc pge_flags[] = {
    {"disable-default-metrics", "false", "Do not include default metrics.", true, false},
    {"disable-settings-metrics", "false", "Do not include pg_settings metrics.", true, false},
    {"auto-discover-databases", "false", "Whether to discover the databases on a server "
     "dynamically.", true, false},
    {"extend.query-path", "", "Path to custom queries to run.", false, false},
    {"dumpmaps", "false", "Do not run, simply dump the maps. Not supported.", true, false},
    {"constantLabels", "", "A list of label=value separated by comma(,).", false, false},
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
    uint8_t dig[LM_SHA256_LEN];
    lm_sha256(buf, len, dig);
    lm_hex(dig, sizeof dig, st->hashsum);
    st->queries = pge_queries_parse(buf, len, err);
    lm_free(buf);
    st->queries_failed = !st->queries;
    if (!st->queries)
        snprintf(err->where, sizeof err->where, "%s", st->query_path);
    return st->queries ? 0 : err->code;
}

/* parse_constant: --constantLabels "a=b,c=d" (as upstream: split on ',' then on the
 * first '='; empty parts skipped) into st->constant. */
static int
parse_constant(struct pge_state *st, const char *flag, struct lm_err *err)
{
    if (!*flag)
        return 0;
    st->constbuf = lm_strdup(flag);
    if (!st->constbuf)
        return lm_err_set(err, LM_ENOMEM, "--constantLabels", "out of memory");
    for (char *p = st->constbuf; p && *p;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        char *eq = strchr(p, '=');
        if (*p) {
            if (!eq || eq == p)
                return lm_err_set(err, LM_ECONFIG, "--constantLabels", "\"%s\" is not "
                                  "label=value", p);
            *eq = '\0';
            if (!lm_label_name_valid(p) || !strcmp(p, "server"))
                return lm_err_set(err, LM_ECONFIG, "--constantLabels", "invalid label "
                                  "name \"%s\"", p);
            if (st->nconst >= PGE_MAX_CONST)
                return lm_err_set(err, LM_ETOOBIG, "--constantLabels", "more than %d labels",
                                  PGE_MAX_CONST);
            st->constant[st->nconst].name = p;
            st->constant[st->nconst++].value = eq + 1;
        }
        p = comma ? comma + 1 : NULL;
    }
    return 0;
}

/* emit_global: a family with one sample carrying only the constant labels */
static void
emit_global(struct pge_state *st, struct lm_emit *e, const char *name, const char *help,
            enum lm_type type, double v)
{
    if (!lm_emit_family(e, name, help, type))
        lm_emit_sample(e, st->constant, st->nconst, v);
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
    pge_discovery_free(st->disc);
    lm_free(st->constbuf);
    lm_free(st);
}

static int
pge_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    const struct lm_flags *fl = ctx->flags;
    if (strcmp(lm_flags_get(fl, "metric-prefix"), "pg"))
        return lm_err_set(err, LM_EUNSUPP, "--metric-prefix", "only \"pg\" is supported");
    if (lm_flags_get_bool(fl, "dumpmaps"))
        return lm_err_set(err, LM_EUNSUPP, "--dumpmaps", "not supported");
    struct pge_state *st = lm_malloc(sizeof *st);
    if (!st)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    memset(st, 0, sizeof *st);
    st->defaults = !lm_flags_get_bool(fl, "disable-default-metrics");
    st->settings = !lm_flags_get_bool(fl, "disable-settings-metrics");
    st->query_path = lm_flags_get(fl, "extend.query-path");
    int crc = parse_constant(st, lm_flags_get(fl, "constantLabels"), err);
    if (crc) {
        pge_fini(st);
        return crc;
    }
    if (lm_flags_get_bool(fl, "auto-discover-databases") &&
        !(st->disc = pge_discovery_new(lm_flags_get(fl, "include-databases"),
                                       lm_flags_get(fl, "exclude-databases")))) {
        pge_fini(st);
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    }
    char **dsns = NULL;
    size_t n = 0;
    int rc = pge_dsn_list(env_get, &dsns, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        rc = pge_server_init(&st->servers[i], dsns[i], PGE_CONNECT_TIMEOUT, err);
        if (!rc) {
            st->servers[i].constant = st->constant;
            st->servers[i].nconst = st->nconst;
            st->servers[i].master = true;
            st->n++;
        }
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

/* run_custom: every queries.yaml map for one server (on an auto-discovered database only
 * those with master: false, as upstream). */
static int
run_custom(struct pge_state *st, struct pge_server *s, struct lm_emit *e, struct lm_err *err,
           int *nerr)
{
    int failed = 0;
    for (size_t i = 0; i < pge_queries_count(st->queries); i++) {
        const struct pge_qmap *q = pge_queries_get(st->queries, i);
        if (q->runonserver && !pge_version_match(q->runonserver, s->version_num))
            continue;
        if (!s->master && q->master)
            continue;
        struct lm_err one;
        lm_err_clear(&one);
        struct pge_result *r = pge_server_query(s, q->query, &one);
        int rc = r ? pge_qmap_emit(e, q, s, true, r, &one) : one.code;
        pge_result_free(r);
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

/* scrape_sql: the queries one scrape of s runs, in order, into sql (PGE_MAX_PREFETCH - 1
 * at most, room for the probe); the count. */
static size_t
scrape_sql(const struct pge_state *st, const struct pge_server *s, const char **sql)
{
    size_t n = st->defaults && s->master ? pge_defaults_sql(sql, PGE_MAX_PREFETCH - 1) : 0;
    if (st->settings && s->master && n < PGE_MAX_PREFETCH - 1)
        sql[n++] = pge_settings_sql;
    for (size_t i = 0; i < pge_queries_count(st->queries) && n < PGE_MAX_PREFETCH - 1; i++) {
        const struct pge_qmap *q = pge_queries_get(st->queries, i);
        if ((!q->runonserver || pge_version_match(q->runonserver, s->version_num)) &&
            (s->master || !q->master))
            sql[n++] = q->query;
    }
    return n;
}

/* scrape_server: everything for one server. Returns -1 when it could not connect,
 * 1 when a query failed, 0 when all went well. Durations add into dur[2]. */
static int
scrape_server(struct pge_state *st, struct pge_server *s, struct lm_emit *e, double dur[2],
              bool ok[2], struct lm_err *err, int *nerr)
{
    struct lm_err one;
    lm_err_clear(&one);
    s->query_timeout = PGE_QUERY_TIMEOUT;
    /* database sizes are slow (a stat of every file): they run on a second connection
     * while the rest runs on the first; sent first when that connection is up */
    bool db_started = false;
    double db_t0 = lm_monotonic();
    bool db_wanted = st->defaults && s->master;
    if (db_wanted && s->aux && !pge_conn_broken(s->aux))
        db_started = !pge_database_start(s, &one);
    lm_err_clear(&one);
    const char *sql[PGE_MAX_PREFETCH];
    size_t nsql = scrape_sql(st, s, sql);
    bool sent;
    int rc = pge_server_check(s, sql, nsql, &sent, &one);
    note(rc, &one, err, nerr);
    if (rc) {
        if (s->master)
            ok[0] = ok[1] = false;
        if (db_started)
            pge_server_drop_aux(s);
        return -1;
    }
    if (db_wanted && !db_started) {
        lm_err_clear(&one);
        db_started = !pge_database_start(s, &one);
    }
    /* every query of this scrape sent at once: one round trip, and the server works while
     * we format the answers (on failure they run one by one) */
    if (!sent) {
        lm_err_clear(&one);
        nsql = scrape_sql(st, s, sql);
        pge_server_prefetch(s, sql, nsql, &one);
    }
    if (!s->master) {
        int f = run_custom(st, s, e, err, nerr);
        pge_server_drain(s);
        return f;
    }
    int failed = 0;
    char shortv[32];
    int v = s->version_num;
    snprintf(shortv, sizeof shortv, "%d.%d.%d", v >= 100000 ? v / 10000 : v / 10000,
             v >= 100000 ? v % 10000 : (v / 100) % 100, v >= 100000 ? 0 : v % 100);
    if (s->master &&
        !lm_emit_family(e, "pg_static", "Version string as reported by postgres", LM_TYPE_UNTYPED)) {
        const struct lm_label vl[2] = {{"short_version", shortv}, {"version", s->version}};
        pge_server_sample(e, s, true, vl, 2, 1);
    }
    if (st->defaults) {
        double t0 = lm_monotonic();
        lm_err_clear(&one);
        rc = pge_bgwriter_collect(s, e, &one);
        dur[0] += lm_monotonic() - t0;
        if (rc)
            ok[0] = false;
        failed |= rc != 0;
        note(rc, &one, err, nerr);
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
    pge_server_drain(s);
    if (st->defaults) {
        lm_err_clear(&one);
        rc = pge_database_finish(s, db_started, e, &one);
        dur[1] += lm_monotonic() - db_t0;
        if (rc)
            ok[1] = false;
        failed |= rc != 0;
        note(rc, &one, err, nerr);
    }
    return failed;
}

static int
pge_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
            struct lm_err *err)
{
    struct pge_state *st = state;
    double t0 = lm_monotonic();
    double deadline = ctx->deadline ? ctx->deadline - PGE_DEADLINE_MARGIN : 0;
    if (deadline && deadline < t0 + 1)
        deadline = t0 + 1;
    double dur[2] = {0, 0};
    bool ok[2] = {true, true};
    int nerr = 0;
    size_t down = 0, failed = 0;
    st->scrapes++;
    for (size_t i = 0; i < st->n; i++) {
        st->servers[i].deadline = deadline;
        int rc = scrape_server(st, &st->servers[i], e, dur, ok, err, &nerr);
        down += rc < 0;
        failed += rc != 0;
        if (!st->disc)
            continue;
        if (rc < 0) {
            pge_discovery_deactivate(st->disc, i);
            continue;
        }
        struct lm_err one;
        lm_err_clear(&one);
        rc = pge_discovery_update(st->disc, i, &st->servers[i], &one);
        failed += rc != 0;
        note(rc, &one, err, &nerr);
    }
    for (size_t i = 0; i < pge_discovery_count(st->disc); i++) {
        struct pge_server *s = pge_discovery_get(st->disc, i);
        if (!s)
            continue;
        s->deadline = deadline;
        failed += scrape_server(st, s, e, dur, ok, err, &nerr) != 0;
    }
    /* as upstream 0.11: pg_up is 0 only when no server could be reached */
    emit_global(st, e, "pg_up", "Whether the last scrape of metrics from PostgreSQL was able "
                "to connect to the server (1 for yes, 0 for no).", LM_TYPE_GAUGE,
                down >= st->n ? 0 : 1);
    emit_global(st, e, "pg_exporter_last_scrape_error", "Whether the last scrape of metrics "
                "from PostgreSQL resulted in an error (1 for error, 0 for success).",
                LM_TYPE_GAUGE, failed ? 1 : 0);
    emit_global(st, e, "pg_exporter_scrapes_total",
                "Total number of times PostgreSQL was scraped for metrics.", LM_TYPE_COUNTER,
                st->scrapes);
    if (*st->query_path &&
        !lm_emit_family(e, "pg_exporter_user_queries_load_error", "Whether the user queries "
                        "file was loaded and parsed successfully (1 for error, 0 for success).",
                        LM_TYPE_GAUGE)) {
        struct lm_label ql[2 + PGE_MAX_CONST] = {{"filename", st->query_path},
                                                 {"hashsum", st->hashsum}};
        memcpy(ql + 2, st->constant, st->nconst * sizeof *st->constant);
        lm_emit_sample(e, ql, 2 + st->nconst, st->queries_failed ? 1 : 0);
    }
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
    emit_global(st, e, "pg_exporter_last_scrape_duration_seconds",
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

/* SPDX-License-Identifier: Apache-2.0 */
/* pge.h: postgres_exporter's internal interfaces: DSN handling (dsn.c), one reused
 * connection per server (conn.c), the column-map engine that turns a query result into
 * families (qmap.c), the built-in maps (builtin.c), pg_settings (settings.c), replica-side
 * replication (replication.c), the queries.yaml reader (queries.c) and the collector
 * (postgres.c). Private to the binary and its tests. */
#ifndef PGE_H
#define PGE_H

#include <stdbool.h>
#include <stddef.h>
#include "lm/collector.h"
#include "lm/emit.h"
#include "lm/err.h"
#include "postgres_exporter/pgconn.h"

#define PGE_MASK "PASSWORD_REMOVED"      /* what replaces a password in a loggable DSN */
#define PGE_MAX_DSNS 64                  /* servers one exporter watches */
#define PGE_MAX_COLS 64                  /* columns described by one query map */
#define PGE_MAX_QUERIES 256              /* namespaces in one queries.yaml */
#define PGE_MAX_MAPPING 64               /* metric_mapping entries of one column */
#define PGE_MAX_CONST 16                 /* --constantLabels pairs */
#define PGE_MAX_PREFETCH 64              /* queries sent ahead in one round trip */
#define PGE_MAX_DISCOVERED 256           /* databases kept by --auto-discover-databases */
#define PGE_QUERIES_MAX_BYTES (1UL << 20) /* queries.yaml size cap */

/* ---- dsn.c ------------------------------------------------------------------------ */
/* pge_dsn_list: the DSNs upstream 0.11 would use: DATA_SOURCE_NAME split on commas, else
 * one postgresql://USER:PASS@URI per comma-separated DATA_SOURCE_URI (each of URI, USER,
 * PASS may come from a *_FILE variable, whose content is trimmed). *out receives an owned
 * array of n owned strings (free with pge_dsn_list_free). Returns 0, LM_ENOENT (nothing
 * set), LM_EIO (a *_FILE cannot be read), LM_ETOOBIG or LM_ENOMEM. Errors never carry a
 * password. */
int pge_dsn_list(pge_getenv_fn *get, char ***out, size_t *n, struct lm_err *err);
void pge_dsn_list_free(char **list, size_t n);
/* pge_dsn_mask: an owned copy of dsn with any password (URL userinfo, password= in a
 * URL query or in key=value form) replaced by PGE_MASK. NULL on OOM. */
char *pge_dsn_mask(const char *dsn);
/* pge_dsn_server: the `server` label, "host:port" (first host; defaults localhost and
 * 5432), owned. NULL with err set when dsn does not parse (message without secrets). */
char *pge_dsn_server(const char *dsn, struct lm_err *err);

/* pge_dsn_with_db: an owned copy of dsn (URL or key=value form) naming database db
 * instead (a dbname setting appended, which wins over an earlier one). NULL on OOM. */
char *pge_dsn_with_db(const char *dsn, const char *db);

/* ---- conn.c ----------------------------------------------------------------------- */
struct pge_server {
    char *dsn;                    /* owned; secret: never log it */
    char *masked;                 /* owned; pge_dsn_mask(dsn), safe to log */
    char *label;                  /* owned; `server` label value */
    struct pge_conn *conn;        /* reused between scrapes; NULL before the first */
    struct pge_conn *aux;         /* a second one for the slow database-size query, which
                                   * runs while the others run on conn (as upstream's
                                   * collectors use their own connection); NULL until used */
    int connect_timeout;          /* seconds, unless the DSN sets connect_timeout */
    double query_timeout;         /* seconds one query may take (0: none) */
    double deadline;              /* this scrape's end (CLOCK_MONOTONIC seconds; 0: none):
                                   * connects and queries are cut there */
    const struct lm_label *constant;  /* --constantLabels (borrowed), or NULL */
    size_t nconst;                /* count of constant */
    bool master;                  /* a DSN given by the user, not an auto-discovered one */
    const char *pf[PGE_MAX_PREFETCH]; /* queries sent ahead (pge_server_prefetch), borrowed */
    size_t pf_head, pf_n;         /* next answer to read, queries in pf */
    char version[512];            /* SELECT version() of the last good check */
    int version_num;              /* server_version_num, e.g. 150018 */
    bool in_recovery;             /* pg_is_in_recovery() at the last check */
};

/* pge_server_init: fill s for dsn (copied). Does not connect. LM_ENOMEM or a DSN parse
 * error (LM_ECONFIG, masked). pge_server_cleanup closes and frees; safe on zeroed s. */
int pge_server_init(struct pge_server *s, const char *dsn, int connect_timeout,
                    struct lm_err *err);
void pge_server_cleanup(struct pge_server *s);
/* pge_server_check: make sure s has a working connection (connect, or reconnect after a
 * server restart, bounded by connect_timeout) and refresh version and recovery state.
 * On a connection already open, the n queries of sql (what the scrape will run, chosen
 * with the last version seen) are sent with the version probe, and *sent says so; else
 * the caller prefetches them itself. Returns 0 or LM_EIO/LM_ETIMEOUT with err naming
 * s->label and the reason (no password). */
int pge_server_check(struct pge_server *s, const char *const *sql, size_t n, bool *sent,
                     struct lm_err *err);
/* pge_server_query: run sql, bounded by query_timeout; the result is owned
 * (pge_result_free). NULL with err set (LM_EIO, LM_ETIMEOUT) on failure. */
struct pge_result *pge_server_query(struct pge_server *s, const char *sql, struct lm_err *err);
/* pge_server_prefetch: send the n queries (strings borrowed until they are answered)
 * at once when the connection allows pipelining, so the server runs them back to back;
 * pge_server_query then takes their answers, in that order, instead of sending them
 * again (a query out of order first drains the rest). No-op for libpq. Returns 0 or the
 * send error (nothing left queued). pge_server_drain: read and drop what is left. */
int pge_server_prefetch(struct pge_server *s, const char *const *sql, size_t n,
                        struct lm_err *err);
void pge_server_drain(struct pge_server *s);
/* pge_server_send_aux: send sql on s->aux (connected first when needed). 0 or an error
 * (then run it on s->conn instead). pge_server_recv_aux: its result, as
 * pge_server_query. */
int pge_server_send_aux(struct pge_server *s, const char *sql, struct lm_err *err);
struct pge_result *pge_server_recv_aux(struct pge_server *s, struct lm_err *err);
/* pge_server_drop_aux: close s->aux (a query sent on it is abandoned). */
void pge_server_drop_aux(struct pge_server *s);

/* ---- qmap.c ----------------------------------------------------------------------- */
enum pge_usage {
    PGE_DISCARD = 0,              /* ignore the column */
    PGE_LABEL,                    /* a label on every value column */
    PGE_COUNTER,                  /* counter */
    PGE_GAUGE,                    /* gauge */
    PGE_MAPPED,                   /* MAPPEDMETRIC: string -> value through a mapping */
    PGE_DURATION,                 /* DURATION: interval text -> <col>_milliseconds */
    PGE_HISTOGRAM,                /* HISTOGRAM: <col> bounds, <col>_bucket/_sum/_count */
};

struct pge_mapping {
    const char *key;              /* column text */
    double value;                 /* exported value */
};

struct pge_col {
    const char *name;             /* result column name */
    enum pge_usage usage;         /* what to do with it */
    const char *help;             /* HELP text */
    const char *metric;           /* metric suffix when not the column name, or NULL */
    const struct pge_mapping *map;  /* PGE_MAPPED entries, or NULL */
    size_t nmap;                  /* count of map */
    const char *pg_version;       /* semver range the column applies to, or NULL */
};

struct pge_qmap {
    const char *ns;               /* metric prefix, e.g. "pg_stat_database" */
    const char *query;            /* SQL */
    const struct pge_col *cols;   /* known columns */
    size_t ncols;                 /* count of cols */
    bool untyped_unknown;         /* columns not in cols: untyped "Unknown metric from" */
    const char *runonserver;      /* semver range, or NULL for every server */
    bool master;                  /* queries.yaml master: (accepted) */
    unsigned cache_seconds;       /* queries.yaml cache_seconds (accepted, not applied) */
};

/* pge_server_sample: one sample of the current family: labels (n), then server = s's
 * label and, when constant, s's --constantLabels. 0 or the emit error. */
int pge_server_sample(struct lm_emit *e, const struct pge_server *s, bool constant,
                      const struct lm_label *labels, size_t n, double value);
/* pge_qmap_emit: the families of one result: for each value column, ns_<col> with the
 * LABEL columns (NULL as "") plus server (and the constant labels when constant).
 * Values: numbers, t/f as 1/0, timestamps as epoch seconds, NULL as NaN; a value that
 * does not convert is skipped. s->version_num selects per-column pg_version ranges.
 * A HISTOGRAM column <col> (as upstream) holds the bucket upper bounds as an array, and
 * the result's <col>_bucket (cumulative counts, an array), <col>_sum and <col>_count
 * columns complete it; a row where they are missing or malformed is skipped with an
 * error. Returns 0 or the first error. */
int pge_qmap_emit(struct lm_emit *e, const struct pge_qmap *q, const struct pge_server *s,
                  bool constant, const struct pge_result *res, struct lm_err *err);
/* pge_float_array (pgarray.c): the elements of a one-dimensional PostgreSQL array in
 * text form ("{0.1,0.5,Infinity}", elements possibly quoted) into out (cap entries).
 * Returns the count, or -1: malformed, a NULL element, or more than cap. */
int pge_float_array(const char *text, double *out, size_t cap);
/* pge_value: convert one cell as above; false when it does not convert. */
bool pge_value(const struct pge_result *res, int row, int col, double *out);
/* pge_version_match: does "150018" satisfy a range like ">=10.0.0 <16.0.0"? A range that
 * does not parse matches nothing. NULL or "" matches everything. */
bool pge_version_match(const char *range, int version_num);

/* ---- builtin.c, settings.c, replication.c ------------------------------------------ */
/* The built-in maps (pg_stat_database, _conflicts, pg_stat_activity, pg_locks,
 * pg_stat_archiver, pg_stat_replication, pg_replication_slots), each run and emitted for
 * s. Returns 0 or the first failure (the others still run). */
int pge_builtin_collect(struct pge_server *s, struct lm_emit *e, struct lm_err *err);
/* The 0.11 "database" and "bgwriter" collectors: pg_database_size_bytes and
 * pg_stat_bgwriter_*_total for s. */
int pge_database_collect(struct pge_server *s, struct lm_emit *e, struct lm_err *err);
/* The same in two halves: start sends the query on the aux connection (0, or an error
 * and nothing sent); finish emits its answer, or runs the query on the main connection
 * when started is false. */
int pge_database_start(struct pge_server *s, struct lm_err *err);
int pge_database_finish(struct pge_server *s, bool started, struct lm_emit *e,
                        struct lm_err *err);
int pge_bgwriter_collect(struct pge_server *s, struct lm_emit *e, struct lm_err *err);
/* pg_settings_* for s. */
int pge_settings_collect(struct pge_server *s, struct lm_emit *e, struct lm_err *err);
/* pge_defaults_sql: the SQL the default collectors run, in the order a scrape runs them
 * (bgwriter, the built-in maps, replication), into out (max entries; static strings).
 * Returns the count. pge_settings_sql / pge_replication_sql: their queries. */
size_t pge_defaults_sql(const char **out, size_t max);
extern const char pge_settings_sql[];
extern const char pge_replication_sql[];
/* pge_settings_convert: unit handling of one setting: *value scaled to seconds or bytes
 * and *suffix set to "_seconds", "_bytes" or "". Negative values are kept as they are.
 * Returns false for a unit it does not know (the setting is skipped). */
bool pge_settings_convert(const char *unit, double *value, const char **suffix);
/* Replica side: pg_replication_is_replica, _lag_seconds, _last_replay_seconds, _lag_bytes. */
int pge_replication_collect(struct pge_server *s, struct lm_emit *e, struct lm_err *err);

/* ---- queries.c -------------------------------------------------------------------- */
struct pge_queries;
/* pge_queries_parse: read upstream's queries.yaml format from text (len bytes). Returns
 * the owned set, or NULL with err (LM_EPARSE with "line:col", LM_ECONFIG for a bad
 * usage, LM_ETOOBIG, LM_ENOMEM). */
struct pge_queries *pge_queries_parse(const char *text, size_t len, struct lm_err *err);
void pge_queries_free(struct pge_queries *q);
size_t pge_queries_count(const struct pge_queries *q);
/* pge_queries_get: map i, valid until pge_queries_free. */
const struct pge_qmap *pge_queries_get(const struct pge_queries *q, size_t i);

/* ---- discover.c ------------------------------------------------------------------- */
struct pge_discovery;
/* pge_discovery_new: owned, for the comma-separated --include-databases and
 * --exclude-databases lists (copied; "" for none). NULL on OOM. */
struct pge_discovery *pge_discovery_new(const char *include, const char *exclude);
void pge_discovery_free(struct pge_discovery *d);
/* pge_discovery_wanted: does db pass the two lists? */
bool pge_discovery_wanted(const struct pge_discovery *d, const char *db);
/* pge_discovery_update: list the databases of master m (DSN number midx, connected) and
 * keep one server per wanted database, active for this scrape; the others of m are
 * closed. 0 or the query error. pge_discovery_deactivate: m is down: none of its
 * databases is scraped this time. */
int pge_discovery_update(struct pge_discovery *d, size_t midx, struct pge_server *m,
                         struct lm_err *err);
void pge_discovery_deactivate(struct pge_discovery *d, size_t midx);
/* pge_discovery_count / _get: the servers kept; _get gives NULL for one that is not
 * active this scrape. Valid until the next update or free. */
size_t pge_discovery_count(const struct pge_discovery *d);
struct pge_server *pge_discovery_get(struct pge_discovery *d, size_t i);

/* ---- postgres.c ------------------------------------------------------------------- */
extern const struct lm_flag_desc pge_flags[];
extern const struct lm_collector_desc pge_collector;

#endif

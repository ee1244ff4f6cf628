/* SPDX-License-Identifier: Apache-2.0 */
/* pge.h: postgres_exporter's internal interfaces: DSN handling (dsn.c), one reused libpq
 * connection per server (conn.c), the column-map engine that turns a query result into
 * families (qmap.c), the built-in maps (builtin.c), pg_settings (settings.c), replica-side
 * replication (replication.c), the queries.yaml reader (queries.c) and the collector
 * (postgres.c). Private to the binary and its tests. */
#ifndef PGE_H
#define PGE_H

#include <stdbool.h>
#include <stddef.h>
#include <libpq-fe.h>
#include "lm/collector.h"
#include "lm/emit.h"
#include "lm/err.h"

#define PGE_MASK "PASSWORD_REMOVED"      /* what replaces a password in a loggable DSN */
#define PGE_MAX_DSNS 64                  /* servers one exporter watches */
#define PGE_MAX_COLS 64                  /* columns described by one query map */
#define PGE_MAX_QUERIES 256              /* namespaces in one queries.yaml */
#define PGE_MAX_MAPPING 64               /* metric_mapping entries of one column */
#define PGE_QUERIES_MAX_BYTES (1UL << 20) /* queries.yaml size cap */

/* ---- dsn.c ------------------------------------------------------------------------ */
/* Looks up an environment variable (getenv in production, a table in tests). */
typedef const char *pge_getenv_fn(const char *name);

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
 * 5432), owned. NULL with err set when libpq cannot parse dsn (message without secrets). */
char *pge_dsn_server(const char *dsn, struct lm_err *err);

/* ---- conn.c ----------------------------------------------------------------------- */
struct pge_server {
    char *dsn;                    /* owned; secret: never log it */
    char *masked;                 /* owned; pge_dsn_mask(dsn), safe to log */
    char *label;                  /* owned; `server` label value */
    PGconn *conn;                 /* reused between scrapes; NULL before the first */
    int connect_timeout;          /* seconds, handed to libpq as connect_timeout */
    char version[512];            /* SELECT version() of the last good check */
    int version_num;              /* server_version_num, e.g. 150018 */
    bool in_recovery;             /* pg_is_in_recovery() at the last check */
};

/* pge_server_init: fill s for dsn (copied). Does not connect. LM_ENOMEM or a DSN parse
 * error (LM_ECONFIG, masked). pge_server_cleanup closes and frees; safe on zeroed s. */
int pge_server_init(struct pge_server *s, const char *dsn, int connect_timeout,
                    struct lm_err *err);
void pge_server_cleanup(struct pge_server *s);
/* pge_server_check: make sure s has a working connection (connect, or PQreset after a
 * server restart, bounded by connect_timeout) and refresh version and recovery state.
 * Returns 0 or LM_EIO with err naming s->label and libpq's reason (no password). */
int pge_server_check(struct pge_server *s, struct lm_err *err);
/* pge_server_query: run sql; the result (owned; PQclear it) has tuples. NULL with err
 * set (LM_EIO) on failure. */
PGresult *pge_server_query(struct pge_server *s, const char *sql, struct lm_err *err);

/* ---- qmap.c ----------------------------------------------------------------------- */
enum pge_usage {
    PGE_DISCARD = 0,              /* ignore the column */
    PGE_LABEL,                    /* a label on every value column */
    PGE_COUNTER,                  /* counter */
    PGE_GAUGE,                    /* gauge */
    PGE_MAPPED,                   /* MAPPEDMETRIC: string -> value through a mapping */
    PGE_DURATION,                 /* DURATION: interval text -> <col>_milliseconds */
    PGE_HISTOGRAM,                /* HISTOGRAM: not supported, skipped */
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

/* pge_qmap_emit: the families of one result: for each value column, ns_<col> with the
 * LABEL columns (NULL as "") plus server. Values: numbers, t/f as 1/0, timestamps as epoch
 * seconds, NULL as NaN; a value that does not convert is skipped. version_num selects
 * per-column pg_version ranges. Returns 0 or the first emit error. */
int pge_qmap_emit(struct lm_emit *e, const struct pge_qmap *q, const char *server,
                  int version_num, const PGresult *res, struct lm_err *err);
/* pge_value: convert one cell as above; false when it does not convert. */
bool pge_value(const PGresult *res, int row, int col, double *out);
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
int pge_bgwriter_collect(struct pge_server *s, struct lm_emit *e, struct lm_err *err);
/* pg_settings_* for s. */
int pge_settings_collect(struct pge_server *s, struct lm_emit *e, struct lm_err *err);
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

/* ---- postgres.c ------------------------------------------------------------------- */
extern const struct lm_flag_desc pge_flags[];
extern const struct lm_collector_desc pge_collector;

#endif

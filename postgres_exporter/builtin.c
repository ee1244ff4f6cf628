/* SPDX-License-Identifier: Apache-2.0 */
/* builtin.c: the default metrics (off with --disable-default-metrics): the built-in
 * column maps for pg_stat_database, pg_stat_database_conflicts, pg_stat_activity,
 * pg_locks, pg_stat_archiver, pg_stat_replication and pg_replication_slots, and the 0.11
 * "database" and "bgwriter" collectors. Names, HELP texts and types are upstream 0.11's;
 * the SQL is ours. Rendering goes through qmap.c. */
#include <string.h>
#include "postgres_exporter/pge.h"

#define C(n, u, h) {n, u, h, NULL, NULL, 0, NULL}
#define M(n, u, h, m) {n, u, h, m, NULL, 0, NULL}
#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct pge_col stat_database_cols[] = {
    C("datid", PGE_LABEL, "OID of a database"),
    C("datname", PGE_LABEL, "Name of this database"),
    C("numbackends", PGE_GAUGE, "Number of backends currently connected to this database. "
      "This is the only column in this view that returns a value reflecting current state; "
      "all other columns return the accumulated values since the last reset."),
    C("xact_commit", PGE_COUNTER, "Number of transactions in this database that have been committed"),
    C("xact_rollback", PGE_COUNTER, "Number of transactions in this database that have been rolled back"),
    C("blks_read", PGE_COUNTER, "Number of disk blocks read in this database"),
    C("blks_hit", PGE_COUNTER, "Number of times disk blocks were found already in the buffer "
      "cache, so that a read was not necessary (this only includes hits in the PostgreSQL "
      "buffer cache, not the operating system's file system cache)"),
    C("tup_returned", PGE_COUNTER, "Number of rows returned by queries in this database"),
    C("tup_fetched", PGE_COUNTER, "Number of rows fetched by queries in this database"),
    C("tup_inserted", PGE_COUNTER, "Number of rows inserted by queries in this database"),
    C("tup_updated", PGE_COUNTER, "Number of rows updated by queries in this database"),
    C("tup_deleted", PGE_COUNTER, "Number of rows deleted by queries in this database"),
    C("conflicts", PGE_COUNTER, "Number of queries canceled due to conflicts with recovery in "
      "this database. (Conflicts occur only on standby servers; see "
      "pg_stat_database_conflicts for details.)"),
    C("temp_files", PGE_COUNTER, "Number of temporary files created by queries in this "
      "database. All temporary files are counted, regardless of why the temporary file was "
      "created (e.g., sorting or hashing), and regardless of the log_temp_files setting."),
    C("temp_bytes", PGE_COUNTER, "Total amount of data written to temporary files by queries "
      "in this database. All temporary files are counted, regardless of why the temporary "
      "file was created, and regardless of the log_temp_files setting."),
    C("deadlocks", PGE_COUNTER, "Number of deadlocks detected in this database"),
    C("blk_read_time", PGE_COUNTER, "Time spent reading data file blocks by backends in this database, in milliseconds"),
    C("blk_write_time", PGE_COUNTER, "Time spent writing data file blocks by backends in this database, in milliseconds"),
    C("stats_reset", PGE_COUNTER, "Time at which these statistics were last reset"),
};

static const struct pge_col conflicts_cols[] = {
    C("datid", PGE_LABEL, "OID of a database"),
    C("datname", PGE_LABEL, "Name of this database"),
    C("confl_tablespace", PGE_COUNTER, "Number of queries in this database that have been canceled due to dropped tablespaces"),
    C("confl_lock", PGE_COUNTER, "Number of queries in this database that have been canceled due to lock timeouts"),
    C("confl_snapshot", PGE_COUNTER, "Number of queries in this database that have been canceled due to old snapshots"),
    C("confl_bufferpin", PGE_COUNTER, "Number of queries in this database that have been canceled due to pinned buffers"),
    C("confl_deadlock", PGE_COUNTER, "Number of queries in this database that have been canceled due to deadlocks"),
};

static const struct pge_col activity_cols[] = {
    C("datname", PGE_LABEL, "Name of this database"),
    C("state", PGE_LABEL, "connection state"),
    C("count", PGE_GAUGE, "number of connections in this state"),
    C("max_tx_duration", PGE_GAUGE, "max duration in seconds any active transaction has been running"),
};

static const struct pge_col locks_cols[] = {
    C("datname", PGE_LABEL, "Name of this database"),
    C("mode", PGE_LABEL, "Type of Lock"),
    C("count", PGE_GAUGE, "Number of locks"),
};

static const struct pge_col archiver_cols[] = {
    C("archived_count", PGE_COUNTER, "Number of WAL files that have been successfully archived"),
    C("failed_count", PGE_COUNTER, "Number of failed attempts for archiving WAL files"),
    C("last_archive_age", PGE_GAUGE, "Time in seconds since last WAL segment was successfully archived"),
};

static const struct pge_col replication_cols[] = {
    C("pid", PGE_DISCARD, NULL), C("usesysid", PGE_DISCARD, NULL),
    C("usename", PGE_DISCARD, NULL),
    C("application_name", PGE_LABEL, "Name of the application"),
    C("client_addr", PGE_LABEL, "Client IP address"),
    C("client_hostname", PGE_DISCARD, NULL), C("client_port", PGE_DISCARD, NULL),
    C("backend_start", PGE_DISCARD, NULL), C("backend_xmin", PGE_DISCARD, NULL),
    C("state", PGE_LABEL, "Current WAL sender state"),
    C("sent_lsn", PGE_DISCARD, NULL), C("write_lsn", PGE_DISCARD, NULL),
    C("flush_lsn", PGE_DISCARD, NULL), C("replay_lsn", PGE_DISCARD, NULL),
    C("write_lag", PGE_DISCARD, NULL), C("flush_lag", PGE_DISCARD, NULL),
    C("replay_lag", PGE_DISCARD, NULL), C("sync_priority", PGE_DISCARD, NULL),
    C("sync_state", PGE_DISCARD, NULL), C("slot_name", PGE_LABEL, "Name of the replication slot"),
    C("pg_current_wal_lsn", PGE_DISCARD, NULL),
    C("pg_current_wal_lsn_bytes", PGE_GAUGE, "WAL position in bytes"),
    C("pg_wal_lsn_diff", PGE_GAUGE, "Lag in bytes between master and slave"),
};

static const struct pge_col slots_cols[] = {
    C("slot_name", PGE_LABEL, "Name of the replication slot"),
    C("database", PGE_LABEL, "Name of the database"),
    C("active", PGE_GAUGE, "Flag indicating if the slot is active"),
    C("pg_wal_lsn_diff", PGE_GAUGE, "Replication lag in bytes"),
};

static const struct pge_qmap builtin_maps[] = {
    {"pg_stat_database", "SELECT * FROM pg_stat_database", stat_database_cols,
     N(stat_database_cols), true, NULL, false, 0},
    {"pg_stat_database_conflicts", "SELECT * FROM pg_stat_database_conflicts", conflicts_cols,
     N(conflicts_cols), true, NULL, false, 0},
    {"pg_stat_activity",
     "SELECT d.datname, st.state, COALESCE(a.n, 0) AS count, "
     "COALESCE(a.longest, 0) AS max_tx_duration FROM pg_database d "
     "CROSS JOIN (VALUES ('active'), ('idle'), ('idle in transaction'), "
     "('idle in transaction (aborted)'), ('fastpath function call'), ('disabled')) "
     "AS st(state) LEFT JOIN (SELECT datname, state, count(*) AS n, "
     "max(extract(epoch FROM now() - xact_start))::float8 AS longest "
     "FROM pg_stat_activity GROUP BY datname, state) a "
     "ON a.datname = d.datname AND a.state = st.state",
     activity_cols, N(activity_cols), true, NULL, false, 0},
    {"pg_locks",
     "SELECT d.datname, m.mode, COALESCE(l.n, 0) AS count FROM pg_database d "
     "CROSS JOIN (VALUES ('accesssharelock'), ('rowsharelock'), ('rowexclusivelock'), "
     "('shareupdateexclusivelock'), ('sharelock'), ('sharerowexclusivelock'), "
     "('exclusivelock'), ('accessexclusivelock'), ('sireadlock')) AS m(mode) "
     "LEFT JOIN (SELECT database, lower(mode) AS mode, count(*) AS n FROM pg_locks "
     "WHERE database IS NOT NULL GROUP BY database, lower(mode)) l "
     "ON l.database = d.oid AND l.mode = m.mode",
     locks_cols, N(locks_cols), true, NULL, false, 0},
    {"pg_stat_archiver",
     "SELECT archived_count, failed_count, "
     "extract(epoch FROM now() - last_archived_time)::float8 AS last_archive_age "
     "FROM pg_stat_archiver",
     archiver_cols, N(archiver_cols), true, NULL, false, 0},
    {"pg_stat_replication",
     "SELECT *, CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn() END "
     "AS pg_current_wal_lsn, CASE WHEN pg_is_in_recovery() THEN NULL ELSE "
     "pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::float8 END AS pg_current_wal_lsn_bytes, "
     "CASE WHEN pg_is_in_recovery() THEN NULL ELSE "
     "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 END AS pg_wal_lsn_diff "
     "FROM pg_stat_replication",
     replication_cols, N(replication_cols), true, NULL, false, 0},
    {"pg_replication_slots",
     "SELECT slot_name, database, active, CASE WHEN pg_is_in_recovery() THEN NULL ELSE "
     "pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::float8 END AS pg_wal_lsn_diff "
     "FROM pg_replication_slots",
     slots_cols, N(slots_cols), true, NULL, false, 0},
};

static const struct pge_qmap size_map, bgwriter_map;

/* run_map: one query and its families; err keeps the first failure. */
static int
run_map(struct pge_server *s, const struct pge_qmap *q, struct lm_emit *e, struct lm_err *err)
{
    struct pge_result *r = pge_server_query(s, q->query, err);
    if (!r)
        return err->code;
    /* the 0.11 collector package (database, bgwriter) has no constant labels */
    int rc = pge_qmap_emit(e, q, s, q != &size_map && q != &bgwriter_map, r, err);
    pge_result_free(r);
    return rc;
}

size_t
pge_defaults_sql(const char **out, size_t max)
{
    size_t n = 0;
    if (n < max)
        out[n++] = bgwriter_map.query;
    for (size_t i = 0; i < N(builtin_maps) && n < max; i++)
        out[n++] = builtin_maps[i].query;
    if (n < max)
        out[n++] = pge_replication_sql;
    return n;
}

int
pge_builtin_collect(struct pge_server *s, struct lm_emit *e, struct lm_err *err)
{
    int first = 0;
    struct lm_err one;
    for (size_t i = 0; i < N(builtin_maps); i++) {
        lm_err_clear(&one);
        int rc = run_map(s, &builtin_maps[i], e, &one);
        if (rc && !first) {
            first = rc;
            *err = one;
        }
    }
    return first;
}

static const struct pge_col size_cols[] = {
    C("datname", PGE_LABEL, NULL),
    C("size_bytes", PGE_GAUGE, "Disk space used by the database"),
};

static const struct pge_qmap size_map = {
    "pg_database", "SELECT datname, pg_database_size(oid)::float8 AS size_bytes FROM pg_database",
    size_cols, N(size_cols), false, NULL, false, 0};

int
pge_database_collect(struct pge_server *s, struct lm_emit *e, struct lm_err *err)
{
    return run_map(s, &size_map, e, err);
}

int
pge_database_start(struct pge_server *s, struct lm_err *err)
{
    return pge_server_send_aux(s, size_map.query, err);
}

int
pge_database_finish(struct pge_server *s, bool started, struct lm_emit *e, struct lm_err *err)
{
    if (!started)
        return run_map(s, &size_map, e, err);
    struct pge_result *r = pge_server_recv_aux(s, err);
    if (!r && s->aux && pge_conn_broken(s->aux) && err->code != LM_ETIMEOUT) {
        lm_err_clear(err);                 /* e.g. the server restarted: use the main one */
        return run_map(s, &size_map, e, err);
    }
    if (!r)
        return err->code;
    int rc = pge_qmap_emit(e, &size_map, s, false, r, err);
    pge_result_free(r);
    return rc;
}

static const struct pge_col bgwriter_cols[] = {
    M("checkpoints_timed", PGE_COUNTER, "Number of scheduled checkpoints that have been performed", "checkpoints_timed_total"),
    M("checkpoints_req", PGE_COUNTER, "Number of requested checkpoints that have been performed", "checkpoints_req_total"),
    M("checkpoint_write_time", PGE_COUNTER, "Total amount of time that has been spent in the "
      "portion of checkpoint processing where files are written to disk, in milliseconds",
      "checkpoint_write_time_total"),
    M("checkpoint_sync_time", PGE_COUNTER, "Total amount of time that has been spent in the "
      "portion of checkpoint processing where files are synchronized to disk, in milliseconds",
      "checkpoint_sync_time_total"),
    M("buffers_checkpoint", PGE_COUNTER, "Number of buffers written during checkpoints", "buffers_checkpoint_total"),
    M("buffers_clean", PGE_COUNTER, "Number of buffers written by the background writer", "buffers_clean_total"),
    M("maxwritten_clean", PGE_COUNTER, "Number of times the background writer stopped a "
      "cleaning scan because it had written too many buffers", "maxwritten_clean_total"),
    M("buffers_backend", PGE_COUNTER, "Number of buffers written directly by a backend", "buffers_backend_total"),
    M("buffers_backend_fsync", PGE_COUNTER, "Number of times a backend had to execute its own "
      "fsync call (normally the background writer handles those even when the backend does "
      "its own write)", "buffers_backend_fsync_total"),
    M("buffers_alloc", PGE_COUNTER, "Number of buffers allocated", "buffers_alloc_total"),
    M("stats_reset", PGE_COUNTER, "Time at which these statistics were last reset", "stats_reset_total"),
};

static const struct pge_qmap bgwriter_map = {
    "pg_stat_bgwriter", "SELECT * FROM pg_stat_bgwriter", bgwriter_cols, N(bgwriter_cols),
    false, NULL, false, 0};

int
pge_bgwriter_collect(struct pge_server *s, struct lm_emit *e, struct lm_err *err)
{
    return run_map(s, &bgwriter_map, e, err);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* replication.c: the replica's view of streaming replication, which upstream 0.11 has only
 * through its example queries.yaml: whether the server is a replica, replay lag in seconds
 * (0 when caught up or on a primary), seconds since the last replayed transaction, and the
 * received-but-not-replayed WAL in bytes. Names follow upstream 0.13's replication
 * collector; _lag_bytes is ours. The primary's side is pg_stat_replication (builtin.c). */
#include <stdio.h>
#include "postgres_exporter/pge.h"

const char pge_replication_sql[] =
        "SELECT CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END, "
        "CASE WHEN NOT pg_is_in_recovery() THEN 0 "
        "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
        "ELSE GREATEST(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp())) "
        "END::float8, "
        "CASE WHEN pg_is_in_recovery() THEN "
        "extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END, "
        "CASE WHEN pg_is_in_recovery() THEN GREATEST(0, pg_wal_lsn_diff("
        "pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()))::float8 ELSE 0 END";

int
pge_replication_collect(struct pge_server *s, struct lm_emit *e, struct lm_err *err)
{
    struct pge_result *r = pge_server_query(s, pge_replication_sql, err);
    if (!r)
        return err->code;
    static const struct { const char *name; const char *help; } fam[] = {
        {"pg_replication_is_replica", "Indicates if the server is a replica"},
        {"pg_replication_lag_seconds", "Replication lag behind primary in seconds"},
        {"pg_replication_last_replay_seconds", "Age of last replay in seconds"},
        {"pg_replication_lag_bytes",
         "WAL received by this replica but not yet replayed, in bytes (0 on a primary)"},
    };
    int first = 0;
    for (int c = 0; c < 4 && r->ntuples == 1; c++) {
        double v;
        if (!pge_value(r, 0, c, &v))
            continue;
        if (c == 2 && !s->in_recovery)
            continue;   /* no replay on a primary */
        int rc = lm_emit_family(e, fam[c].name, fam[c].help, LM_TYPE_GAUGE);
        if (!rc)
            rc = pge_server_sample(e, s, true, NULL, 0, v);
        if (rc && !first)
            first = lm_err_set(err, rc, fam[c].name, "%s", lm_strerror(rc));
    }
    pge_result_free(r);
    return first;
}

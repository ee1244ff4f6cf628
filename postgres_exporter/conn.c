/* SPDX-License-Identifier: Apache-2.0 */
/* conn.c: one libpq connection per server, opened on the first scrape, reused after that
 * and re-established (PQreset) when the server went away, e.g. after a restart; every
 * connect is bounded by connect_timeout. Reports libpq's reason with the server label,
 * never the DSN itself (which may carry a password). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lm/alloc.h"
#include "postgres_exporter/pge.h"

int
pge_server_init(struct pge_server *s, const char *dsn, int connect_timeout,
                struct lm_err *err)
{
    memset(s, 0, sizeof *s);
    s->connect_timeout = connect_timeout;
    s->dsn = lm_strdup(dsn);
    s->masked = pge_dsn_mask(dsn);
    if (!s->dsn || !s->masked) {
        pge_server_cleanup(s);
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    }
    s->label = pge_dsn_server(dsn, err);
    if (!s->label) {
        /* say which DSN, masked */
        char msg[LM_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        int code = err->code;
        lm_err_set(err, code, s->masked, "%s", msg);
        pge_server_cleanup(s);
        return code;
    }
    return 0;
}

void
pge_server_cleanup(struct pge_server *s)
{
    if (s->conn)
        PQfinish(s->conn);
    if (s->dsn)
        memset(s->dsn, 0, strlen(s->dsn));
    lm_free(s->dsn);
    lm_free(s->masked);
    lm_free(s->label);
    memset(s, 0, sizeof *s);
}

/* conn_error: err from libpq's message (first line; libpq never echoes the password). */
static int
conn_error(struct pge_server *s, const char *what, struct lm_err *err)
{
    const char *m = s->conn ? PQerrorMessage(s->conn) : "out of memory";
    char line[LM_ERR_MSG_MAX - 64];
    snprintf(line, sizeof line, "%s", m && *m ? m : "unknown error");
    line[strcspn(line, "\n")] = '\0';
    return lm_err_set(err, LM_EIO, s->label, "%s: %s", what, line);
}

/* open_conn: connect (or reset) and prepare the session: ISO dates in UTC, so timestamps
 * convert the same way everywhere. */
static int
open_conn(struct pge_server *s, struct lm_err *err)
{
    if (!s->conn) {
        char tmo[16];
        snprintf(tmo, sizeof tmo, "%d", s->connect_timeout);
        const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
        const char *const vals[] = {tmo, "postgres_exporter", s->dsn, NULL};
        s->conn = PQconnectdbParams(keys, vals, 1);
    } else {
        PQreset(s->conn);
    }
    if (!s->conn || PQstatus(s->conn) != CONNECTION_OK)
        return conn_error(s, "error connecting to server", err);
    PGresult *r = PQexec(s->conn, "SET DateStyle = ISO; SET TimeZone = 'UTC'");
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return ok ? 0 : conn_error(s, "error preparing session", err);
}

/* probe: version, version number and recovery state in one round trip. */
static int
probe(struct pge_server *s, struct lm_err *err)
{
    PGresult *r = PQexec(s->conn, "SELECT version(), current_setting('server_version_num'), "
                                  "pg_is_in_recovery()");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1 || PQnfields(r) != 3) {
        PQclear(r);
        return conn_error(s, "error querying server version", err);
    }
    snprintf(s->version, sizeof s->version, "%s", PQgetvalue(r, 0, 0));
    s->version_num = (int)strtol(PQgetvalue(r, 0, 1), NULL, 10);
    s->in_recovery = PQgetvalue(r, 0, 2)[0] == 't';
    PQclear(r);
    return 0;
}

int
pge_server_check(struct pge_server *s, struct lm_err *err)
{
    int rc;
    if (!s->conn || PQstatus(s->conn) != CONNECTION_OK) {
        if ((rc = open_conn(s, err)))
            return rc;
        return probe(s, err);
    }
    if (!probe(s, err))
        return 0;
    if (PQstatus(s->conn) == CONNECTION_OK)
        return err->code;
    /* the server went away since the last scrape (restart): reconnect once */
    if ((rc = open_conn(s, err)))
        return rc;
    return probe(s, err);
}

PGresult *
pge_server_query(struct pge_server *s, const char *sql, struct lm_err *err)
{
    PGresult *r = PQexec(s->conn, sql);
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        return r;
    const char *m = r ? PQresultErrorMessage(r) : "";
    if (!m || !*m)
        m = PQerrorMessage(s->conn);
    char line[LM_ERR_MSG_MAX - 64];
    snprintf(line, sizeof line, "%s", m && *m ? m : "unknown error");
    line[strcspn(line, "\n")] = '\0';
    PQclear(r);
    lm_err_set(err, LM_EIO, s->label, "query failed: %s", line);
    return NULL;
}

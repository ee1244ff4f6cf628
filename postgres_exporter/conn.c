/* SPDX-License-Identifier: Apache-2.0 */
/* conn.c: one connection per server (pgconn.h), opened on the first scrape, reused after
 * that and re-established when the server went away, e.g. after a restart; every connect
 * is bounded by connect_timeout and every query by query_timeout. Reports the reason with
 * the server label, never the DSN itself (which may carry a password). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/exporter.h"
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
    pge_conn_close(s->conn);
    pge_conn_close(s->aux);
    if (s->dsn)
        memset(s->dsn, 0, strlen(s->dsn));
    lm_free(s->dsn);
    lm_free(s->masked);
    lm_free(s->label);
    memset(s, 0, sizeof *s);
}

/* open_conn: (re)connect and prepare the session: ISO dates in UTC, so timestamps
 * convert the same way everywhere. */
static int
open_conn(struct pge_server *s, struct lm_err *err)
{
    pge_conn_close(s->conn);
    s->conn = NULL;
    s->pf_head = s->pf_n = 0;
    int rc = pge_conn_open(s->dsn, s->label, s->connect_timeout, s->deadline, NULL, &s->conn,
                           err);
    if (rc)
        return rc;
    struct pge_result *r = pge_server_query(s, "SET DateStyle = ISO; SET TimeZone = 'UTC'",
                                            err);
    if (!r) {
        char msg[LM_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return lm_err_set(err, err->code, s->label, "error preparing session: %s", msg);
    }
    pge_result_free(r);
    return 0;
}

static const char probe_sql[] =
    "SELECT version(), current_setting('server_version_num'), pg_is_in_recovery()";

/* probe: version, version number and recovery state in one round trip. */
static int
probe(struct pge_server *s, struct lm_err *err)
{
    struct pge_result *r = pge_server_query(s, probe_sql, err);
    if (!r)
        return err->code;
    if (r->ntuples != 1 || r->nfields != 3) {
        pge_result_free(r);
        return lm_err_set(err, LM_EIO, s->label, "error querying server version: "
                          "unexpected answer");
    }
    snprintf(s->version, sizeof s->version, "%s", pge_result_value(r, 0, 0));
    s->version_num = (int)strtol(pge_result_value(r, 0, 1), NULL, 10);
    s->in_recovery = pge_result_value(r, 0, 2)[0] == 't';
    pge_result_free(r);
    return 0;
}

int
pge_server_check(struct pge_server *s, const char *const *sql, size_t n, bool *sent,
                 struct lm_err *err)
{
    int rc;
    *sent = false;
    if (s->conn)
        pge_server_drain(s);
    if (!s->conn || pge_conn_broken(s->conn)) {
        if ((rc = open_conn(s, err)))
            return rc;
        return probe(s, err);
    }
    /* a connection in use: the probe and the scrape's queries go in one round trip */
    const char *all[PGE_MAX_PREFETCH];
    size_t k = 0;
    all[k++] = probe_sql;
    for (size_t i = 0; i < n && k < PGE_MAX_PREFETCH; i++)
        all[k++] = sql[i];
    struct lm_err perr;
    lm_err_clear(&perr);
    if (!pge_server_prefetch(s, all, k, &perr))
        *sent = s->pf_n == k && k == n + 1;
    if (!probe(s, err))
        return 0;
    *sent = false;
    if (!pge_conn_broken(s->conn) || err->code == LM_ETIMEOUT)
        return err->code;   /* a server that hangs gets no second wait in this scrape */
    /* the server went away since the last scrape (restart): reconnect once */
    lm_err_clear(err);
    if ((rc = open_conn(s, err)))
        return rc;
    return probe(s, err);
}

/* query_deadline: now + query_timeout, or the scrape's end when that comes first */
static double
query_deadline(const struct pge_server *s)
{
    double d = lm_monotonic() + (s->query_timeout > 0 ? s->query_timeout : 86400);
    return s->deadline && s->deadline < d ? s->deadline : d;
}

void
pge_server_drain(struct pge_server *s)
{
    while (s->pf_head < s->pf_n) {
        struct pge_result *r = NULL;
        struct lm_err ignored;
        s->pf_head++;
        if (!pge_conn_recv(s->conn, query_deadline(s), &r, &ignored))
            pge_result_free(r);
    }
    s->pf_head = s->pf_n = 0;
}

int
pge_server_prefetch(struct pge_server *s, const char *const *sql, size_t n, struct lm_err *err)
{
    pge_server_drain(s);
    if (!s->conn || !s->conn->ops->pipeline)
        return 0;
    if (n > PGE_MAX_PREFETCH)
        n = PGE_MAX_PREFETCH;
    for (size_t i = 0; i < n; i++) {
        int rc = pge_conn_send(s->conn, sql[i], query_deadline(s), err);
        if (rc) {
            pge_server_drain(s);
            return rc;
        }
        s->pf[s->pf_n++] = sql[i];
    }
    return 0;
}

struct pge_result *
pge_server_query(struct pge_server *s, const char *sql, struct lm_err *err)
{
    struct pge_result *r = NULL;
    if (!s->conn) {
        lm_err_set(err, LM_EIO, s->label, "not connected");
        return NULL;
    }
    if (s->pf_head < s->pf_n && !strcmp(s->pf[s->pf_head], sql)) {
        s->pf_head++;
        if (s->pf_head == s->pf_n)
            s->pf_head = s->pf_n = 0;
        if (pge_conn_recv(s->conn, query_deadline(s), &r, err))
            return NULL;
        return r;
    }
    pge_server_drain(s);
    if (pge_conn_query(s->conn, sql, query_deadline(s), &r, err))
        return NULL;
    return r;
}

int
pge_server_send_aux(struct pge_server *s, const char *sql, struct lm_err *err)
{
    if (s->aux && pge_conn_broken(s->aux)) {
        pge_conn_close(s->aux);
        s->aux = NULL;
    }
    int rc = 0;
    if (!s->aux)
        rc = pge_conn_open(s->dsn, s->label, s->connect_timeout, query_deadline(s), NULL,
                           &s->aux, err);
    return rc ? rc : pge_conn_send(s->aux, sql, query_deadline(s), err);
}

struct pge_result *
pge_server_recv_aux(struct pge_server *s, struct lm_err *err)
{
    struct pge_result *r = NULL;
    if (!s->aux) {
        lm_err_set(err, LM_EIO, s->label, "not connected");
        return NULL;
    }
    if (pge_conn_recv(s->aux, query_deadline(s), &r, err))
        return NULL;
    return r;
}

void
pge_server_drop_aux(struct pge_server *s)
{
    pge_conn_close(s->aux);
    s->aux = NULL;
}

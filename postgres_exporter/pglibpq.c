/* SPDX-License-Identifier: Apache-2.0 */
/* pglibpq.c: the "libpq" backend of pgconn.h, for connections that use TLS: libpq.so.5
 * loaded with dlopen at the first such connection (so libpq, libcrypto, Kerberos and
 * LDAP are mapped only when a server really uses TLS), PQconnectdbParams bounded by
 * connect_timeout, and queries sent with PQsendQuery and waited for with poll() up to
 * the deadline; the result is copied into a struct pge_result. */
#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/dl.h"
#include "lm/exporter.h"
#include "postgres_exporter/pgconn.h"

static struct {
    PGconn *(*connectdb_params)(const char *const *, const char *const *, int);
    ConnStatusType (*status)(const PGconn *);
    char *(*error_message)(const PGconn *);
    void (*finish)(PGconn *);
    int (*send_query)(PGconn *, const char *);
    int (*socket)(const PGconn *);
    int (*consume_input)(PGconn *);
    int (*is_busy)(PGconn *);
    PGresult *(*get_result)(PGconn *);
    ExecStatusType (*result_status)(const PGresult *);
    char *(*result_error_message)(const PGresult *);
    int (*ntuples)(const PGresult *);
    int (*nfields)(const PGresult *);
    char *(*fname)(const PGresult *, int);
    Oid (*ftype)(const PGresult *, int);
    int (*getisnull)(const PGresult *, int, int);
    char *(*getvalue)(const PGresult *, int, int);
    int (*getlength)(const PGresult *, int, int);
    void (*clear)(PGresult *);
    PGcancel *(*get_cancel)(PGconn *);
    int (*cancel)(PGcancel *, char *, int);
    void (*free_cancel)(PGcancel *);
} pq;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256];

static void
load(void)
{
    const struct lm_dl_sym syms[] = {
        {"PQconnectdbParams", (void **)&pq.connectdb_params},
        {"PQstatus", (void **)&pq.status},
        {"PQerrorMessage", (void **)&pq.error_message},
        {"PQfinish", (void **)&pq.finish},
        {"PQsendQuery", (void **)&pq.send_query},
        {"PQsocket", (void **)&pq.socket},
        {"PQconsumeInput", (void **)&pq.consume_input},
        {"PQisBusy", (void **)&pq.is_busy},
        {"PQgetResult", (void **)&pq.get_result},
        {"PQresultStatus", (void **)&pq.result_status},
        {"PQresultErrorMessage", (void **)&pq.result_error_message},
        {"PQntuples", (void **)&pq.ntuples},
        {"PQnfields", (void **)&pq.nfields},
        {"PQfname", (void **)&pq.fname},
        {"PQftype", (void **)&pq.ftype},
        {"PQgetisnull", (void **)&pq.getisnull},
        {"PQgetvalue", (void **)&pq.getvalue},
        {"PQgetlength", (void **)&pq.getlength},
        {"PQclear", (void **)&pq.clear},
        {"PQgetCancel", (void **)&pq.get_cancel},
        {"PQcancel", (void **)&pq.cancel},
        {"PQfreeCancel", (void **)&pq.free_cancel},
    };
    if (lm_dl_open("libpq.so.5", "libpq (needed for TLS connections)", syms,
                   sizeof syms / sizeof syms[0], load_error, sizeof load_error))
        return;
    load_error[0] = '\0';
}

struct lpq {
    struct pge_conn base;
    PGconn *conn;
    bool broken;
    char where[128];
};

/* first_line: libpq's message (never holding the password) up to its first newline */
static int
pq_error(const char *where, const char *what, const char *m, struct lm_err *err)
{
    char line[LM_ERR_MSG_MAX - 64];
    snprintf(line, sizeof line, "%s", m && *m ? m : "unknown error");
    line[strcspn(line, "\n")] = '\0';
    return lm_err_set(err, LM_EIO, where, "%s: %s", what, line);
}

/* copy: the tuples of r into an owned pge_result */
static int
copy(const PGresult *r, struct pge_result **out, const char *where, struct lm_err *err)
{
    struct pge_result *res = pge_result_new();
    int rc = res ? 0 : LM_ENOMEM;
    int nf = res ? pq.nfields(r) : 0, nt = res ? pq.ntuples(r) : 0;
    for (int c = 0; !rc && c < nf; c++) {
        const char *n = pq.fname(r, c);
        rc = pge_result_add_field(res, n, strlen(n), (uint32_t)pq.ftype(r, c));
    }
    for (int t = 0; !rc && t < nt; t++) {
        for (int c = 0; !rc && c < nf; c++)
            rc = pq.getisnull(r, t, c)
                     ? pge_result_add_cell(res, NULL, 0)
                     : pge_result_add_cell(res, pq.getvalue(r, t, c),
                                           (size_t)pq.getlength(r, t, c));
        pge_result_end_row(res);
    }
    if (rc) {
        pge_result_free(res);
        return lm_err_set(err, rc, where, "%s", lm_strerror(rc));
    }
    *out = res;
    return 0;
}

static int
lpq_send(struct pge_conn *c, const char *sql, double deadline, struct lm_err *err)
{
    struct lpq *l = (struct lpq *)c;
    (void)deadline;                         /* libpq writes a short query at once */
    if (l->broken || pq.status(l->conn) != CONNECTION_OK) {
        l->broken = true;
        return lm_err_set(err, LM_EIO, l->where, "connection is broken");
    }
    if (!pq.send_query(l->conn, sql)) {
        l->broken = pq.status(l->conn) != CONNECTION_OK;
        return pq_error(l->where, "query failed", pq.error_message(l->conn), err);
    }
    return 0;
}

static int
lpq_recv(struct pge_conn *c, double deadline, struct pge_result **out, struct lm_err *err)
{
    struct lpq *l = (struct lpq *)c;
    *out = NULL;
    if (l->broken)
        return lm_err_set(err, LM_EIO, l->where, "connection is broken");
    while (pq.is_busy(l->conn)) {
        double left = deadline - lm_monotonic();
        if (left <= 0) {
            /* stop the query on the server too (best effort), then drop the connection */
            PGcancel *pc = pq.get_cancel(l->conn);
            char buf[256];
            if (pc) {
                pq.cancel(pc, buf, sizeof buf);
                pq.free_cancel(pc);
            }
            l->broken = true;
            return lm_err_set(err, LM_ETIMEOUT, l->where, "no answer from the server before "
                              "the timeout");
        }
        struct pollfd pfd = {pq.socket(l->conn), POLLIN, 0};
        int ms = left > 3600 ? 3600000 : (int)(left * 1000) + 1;
        if (poll(&pfd, 1, ms) < 0 && errno != EINTR) {
            l->broken = true;
            return lm_err_set(err, LM_EIO, l->where, "poll: %s", strerror(errno));
        }
        if (!pq.consume_input(l->conn)) {
            l->broken = true;
            return pq_error(l->where, "query failed", pq.error_message(l->conn), err);
        }
    }
    PGresult *r, *last = NULL;
    int rc = 0;
    while ((r = pq.get_result(l->conn))) {
        ExecStatusType st = pq.result_status(r);
        if (!rc && st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK &&
            st != PGRES_EMPTY_QUERY) {
            const char *m = pq.result_error_message(r);
            rc = pq_error(l->where, "query failed", m && *m ? m : pq.error_message(l->conn),
                          err);
        }
        if (last)
            pq.clear(last);
        last = r;
    }
    if (pq.status(l->conn) != CONNECTION_OK)
        l->broken = true;
    if (!rc && last)
        rc = copy(last, out, l->where, err);
    else if (!rc && !(*out = pge_result_new()))
        rc = lm_err_set(err, LM_ENOMEM, l->where, "out of memory");
    if (last)
        pq.clear(last);
    return rc;
}

static bool
lpq_broken(const struct pge_conn *c)
{
    const struct lpq *l = (const struct lpq *)c;
    return l->broken || pq.status(l->conn) != CONNECTION_OK;
}

static void
lpq_close(struct pge_conn *c)
{
    struct lpq *l = (struct lpq *)c;
    if (l->conn)
        pq.finish(l->conn);
    lm_free(l);
}

static const struct pge_conn_ops lpq_ops = {"libpq", false, lpq_send, lpq_recv, lpq_broken,
                                         lpq_close};

int
pge_libpq_open(const char *dsn, const char *label, int connect_timeout, struct pge_conn **out,
               struct lm_err *err)
{
    *out = NULL;
    pthread_once(&load_once, load);
    if (load_error[0])
        return lm_err_set(err, LM_EUNSUPP, label, "%s", load_error);
    struct lpq *l = lm_calloc(1, sizeof *l);
    if (!l)
        return lm_err_set(err, LM_ENOMEM, label, "out of memory");
    l->base.ops = &lpq_ops;
    snprintf(l->where, sizeof l->where, "%s", label);
    char tmo[16];
    snprintf(tmo, sizeof tmo, "%d", connect_timeout);
    /* dbname first with expand_dbname: the DSN's own settings override these defaults */
    const char *const keys[] = {"connect_timeout", "fallback_application_name", "dbname", NULL};
    const char *const vals[] = {tmo, "postgres_exporter", dsn, NULL};
    l->conn = pq.connectdb_params(keys, vals, 1);
    if (!l->conn || pq.status(l->conn) != CONNECTION_OK) {
        int rc = pq_error(label, "error connecting to server",
                          l->conn ? pq.error_message(l->conn) : "out of memory", err);
        lpq_close(&l->base);
        return rc;
    }
    *out = &l->base;
    return 0;
}

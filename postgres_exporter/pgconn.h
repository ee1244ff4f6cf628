/* SPDX-License-Identifier: Apache-2.0 */
/* pgconn.h: how postgres_exporter reaches a server: the DSN reader (conninfo.c: libpq's
 * URL and key=value forms, environment defaults), ~/.pgpass (pgpass.c), and one small
 * connection interface with two backends: our own protocol v3 client (pgsession.c, plain
 * TCP or unix socket) and libpq loaded with dlopen (pglibpq.c) for the connections that
 * use TLS. pgconn.c picks the backend (sslmode, SSLRequest answer). Prefix pge_. */
#ifndef PGE_PGCONN_H
#define PGE_PGCONN_H

#include <stdbool.h>
#include <stddef.h>
#include "lm/err.h"
#include "postgres_exporter/pgwire.h"

/* Looks up an environment variable (getenv in production, a table in tests). */
typedef const char *pge_getenv_fn(const char *name);

/* ---- conninfo.c -------------------------------------------------------------------- */
#define PGE_CI_MAX 48                 /* settings in one DSN */
struct pge_conninfo {
    size_t n;                     /* settings used */
    char *key[PGE_CI_MAX];        /* owned keywords (libpq's names) */
    char *val[PGE_CI_MAX];        /* owned values, decoded; a later one wins */
};
/* pge_conninfo_parse: read a DSN in libpq's URL form (postgres[ql]://user:pw@host:port,
 * host2/db?key=value, percent-decoded) or key=value form (quotes, backslash escapes).
 * Unknown keywords are refused as libpq does. 0, LM_ECONFIG (message quotes at most a
 * keyword, never a value) or LM_ENOMEM. pge_conninfo_free wipes and frees (zeroed ci ok). */
int pge_conninfo_parse(const char *dsn, struct pge_conninfo *ci, struct lm_err *err);
void pge_conninfo_free(struct pge_conninfo *ci);
/* pge_conninfo_get: the value for key (last setting), or NULL. */
const char *pge_conninfo_get(const struct pge_conninfo *ci, const char *key);

/* What our own client needs, with libpq's defaults and environment variables applied. */
struct pge_params {
    char host[256];               /* first host: name or address, or a socket directory */
    char hostaddr[64];            /* numeric address to use instead of resolving, or "" */
    char port[16];                /* first port */
    char user[128];
    char dbname[128];
    char sslmode[16];             /* disable allow prefer require verify-ca verify-full */
    char application_name[128];
    char options[256];            /* the "options" startup parameter, or "" */
    char *password;               /* owned, NULL when none (DSN, PGPASSWORD, .pgpass) */
    int connect_timeout;          /* seconds; 0 when not set */
    bool unix_socket;             /* host is a directory */
};
/* pge_params_resolve: fill p from ci, then PGHOST, PGPORT, PGUSER, PGDATABASE,
 * PGSSLMODE, PGCONNECT_TIMEOUT, PGAPPNAME, PGPASSWORD, PGPASSFILE / ~/.pgpass, then
 * libpq's built-in defaults (unix socket /var/run/postgresql, port 5432, the OS user).
 * 0, LM_ECONFIG (a value too long or invalid: names the keyword) or LM_ENOMEM.
 * pge_params_cleanup wipes the password. */
int pge_params_resolve(const struct pge_conninfo *ci, pge_getenv_fn *get,
                       struct pge_params *p, struct lm_err *err);
void pge_params_cleanup(struct pge_params *p);

/* ---- pgpass.c ---------------------------------------------------------------------- */
/* pge_pgpass_lookup: the password of the first line of the passfile at path matching
 * host, port, db and user ('*' matches anything; "localhost" stands for a unix socket),
 * owned, or NULL (no file, no match, OOM, or a file readable by group or others, which
 * libpq ignores too). */
char *pge_pgpass_lookup(const char *path, const char *host, const char *port, const char *db,
                        const char *user);

/* ---- pgconn.c: the connection interface --------------------------------------------- */
struct pge_conn;
struct pge_conn_ops {
    const char *name;             /* "pgwire" or "libpq" */
    bool pipeline;                /* several sends may precede their recvs */
    /* send sql (simple Query protocol) by the deadline (CLOCK_MONOTONIC seconds), without
     * waiting for the answer. 0, LM_EIO, LM_ETIMEOUT. */
    int (*send)(struct pge_conn *c, const char *sql, double deadline, struct lm_err *err);
    /* wait for the answer to the last send: *out is the owned result of the last
     * statement (no columns for a command). 0 or LM_EIO (server error, "ERROR: ...
     * (SQLSTATE x)"), LM_ETIMEOUT, LM_ENOMEM. */
    int (*recv)(struct pge_conn *c, double deadline, struct pge_result **out,
                struct lm_err *err);
    bool (*broken)(const struct pge_conn *c);     /* must reconnect */
    void (*close)(struct pge_conn *c);            /* Terminate, close, free */
};
struct pge_conn {
    const struct pge_conn_ops *ops;
};

/* pge_conn_open: connect to dsn (the server's label names it in errors), by
 * connect_timeout seconds unless the DSN sets its own, and by deadline (CLOCK_MONOTONIC
 * seconds; 0: none) if that comes first. sslmode disable, or allow/prefer
 * over a unix socket, or a server answering 'N' to SSLRequest: our client; 'S', or
 * sslmode require/verify-*: libpq (dlopen). *out owned (pge_conn_close). 0, LM_EIO,
 * LM_ETIMEOUT, LM_ECONFIG, LM_EUNSUPP (libpq cannot be loaded), LM_ENOMEM. Errors never
 * carry the password. get: environment (NULL for getenv). */
int pge_conn_open(const char *dsn, const char *label, int connect_timeout, double deadline,
                  pge_getenv_fn *get, struct pge_conn **out, struct lm_err *err);
/* pge_conn_query: send, then recv. pge_conn_send / pge_conn_recv: the two halves, so a
 * slow query can run on one connection while others run on another. */
int pge_conn_query(struct pge_conn *c, const char *sql, double deadline,
                   struct pge_result **out, struct lm_err *err);
int pge_conn_send(struct pge_conn *c, const char *sql, double deadline, struct lm_err *err);
int pge_conn_recv(struct pge_conn *c, double deadline, struct pge_result **out,
                  struct lm_err *err);
bool pge_conn_broken(const struct pge_conn *c);
void pge_conn_close(struct pge_conn *c);          /* NULL ok */

/* The backends. pge_session_open: our client on fd (connected, non-blocking; taken over
 * even on failure): StartupMessage, authentication, wait for ReadyForQuery. */
int pge_session_open(int fd, const struct pge_params *p, const char *label, double deadline,
                     struct pge_conn **out, struct lm_err *err);
/* pge_libpq_open: libpq (loaded at the first call) connecting with dsn and
 * connect_timeout seconds. */
int pge_libpq_open(const char *dsn, const char *label, int connect_timeout,
                   struct pge_conn **out, struct lm_err *err);

#endif

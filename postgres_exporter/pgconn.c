/* SPDX-License-Identifier: Apache-2.0 */
/* pgconn.c: opening a connection and picking its backend. sslmode disable or
 * allow (libpq tries plain first too), or prefer over a unix socket: our client. Over
 * TCP with prefer we send SSLRequest first: 'N' keeps our client on that socket, 'S' means the server wants TLS,
 * so the socket is dropped and libpq (dlopen) connects instead; require/verify-* go to
 * libpq straight away. The rest of the exporter only sees struct pge_conn. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "lm/exporter.h"
#include "postgres_exporter/pgconn.h"
#include "proto/sock.h"

/* ssl_request: send SSLRequest on fd and read the one-byte answer into *answer. */
static int
ssl_request(int fd, const char *label, double deadline, char *answer, struct lm_err *err)
{
    struct lm_buf b;
    lm_buf_init(&b, 64);
    pgw_put_ssl_request(&b);
    int rc = b.err ? b.err : proto_sock_write(fd, b.data, b.len, deadline, label, err);
    lm_buf_reset(&b);
    if (!rc)
        rc = proto_sock_read(fd, &b, 1, deadline, label, err);
    if (!rc && b.len != 1)
        rc = lm_err_set(err, LM_EIO, label, "server closed the connection during SSL "
                        "negotiation");
    if (!rc)
        *answer = b.data[0];
    lm_buf_cleanup(&b);
    return rc;
}

/* dial: a connected socket to the server of p */
static int
dial(const struct pge_params *p, const char *label, double deadline, struct lm_err *err)
{
    int fd;
    if (p->unix_socket) {
        char path[512];
        snprintf(path, sizeof path, "%s/.s.PGSQL.%s", p->host, p->port);
        fd = proto_sock_connect_unix(path, deadline, err);
    } else {
        fd = proto_sock_connect_tcp(*p->hostaddr ? p->hostaddr : p->host, p->port, deadline,
                                    err);
    }
    if (fd < 0) {
        char msg[LM_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        lm_err_set(err, err->code ? err->code : LM_EIO, label, "error connecting to server: "
                   "%s", msg);
    }
    return fd;
}

int
pge_conn_open(const char *dsn, const char *label, int connect_timeout, double deadline,
              pge_getenv_fn *get, struct pge_conn **out, struct lm_err *err)
{
    struct pge_conninfo ci;
    struct pge_params p;
    *out = NULL;
    memset(&p, 0, sizeof p);
    int rc = pge_conninfo_parse(dsn, &ci, err);
    if (rc)
        return rc;
    rc = pge_params_resolve(&ci, get, &p, err);
    pge_conninfo_free(&ci);
    if (rc) {
        pge_params_cleanup(&p);
        return rc;
    }
    if (p.connect_timeout)
        connect_timeout = p.connect_timeout;
    if (!*p.application_name)
        snprintf(p.application_name, sizeof p.application_name, "postgres_exporter");
    double now = lm_monotonic();
    double own = now + (connect_timeout > 0 ? connect_timeout : 3600);
    if (!deadline || own < deadline)
        deadline = own;
    /* libpq takes whole seconds (and at least 2) */
    connect_timeout = (int)(deadline - now + 0.999);
    if (connect_timeout < 2)
        connect_timeout = 2;
    bool tls_only = !strcmp(p.sslmode, "require") || !strncmp(p.sslmode, "verify-", 7);
    bool try_tls = !strcmp(p.sslmode, "prefer") && !p.unix_socket;
    if (tls_only) {
        pge_params_cleanup(&p);
        return pge_libpq_open(dsn, label, connect_timeout, out, err);
    }
    int fd = dial(&p, label, deadline, err);
    if (fd < 0) {
        pge_params_cleanup(&p);
        return err->code;
    }
    if (try_tls) {
        char answer = 0;
        rc = ssl_request(fd, label, deadline, &answer, err);
        if (!rc && answer == 'S') {
            close(fd);
            pge_params_cleanup(&p);
            return pge_libpq_open(dsn, label, connect_timeout, out, err);
        }
        if (!rc && answer != 'N')
            rc = lm_err_set(err, LM_EIO, label, "protocol error: bad answer to SSLRequest "
                            "(is this a PostgreSQL server?)");
        if (rc) {
            close(fd);
            pge_params_cleanup(&p);
            return rc;
        }
    }
    rc = pge_session_open(fd, &p, label, deadline, out, err);
    pge_params_cleanup(&p);
    return rc;
}

int
pge_conn_send(struct pge_conn *c, const char *sql, double deadline, struct lm_err *err)
{
    return c->ops->send(c, sql, deadline, err);
}

int
pge_conn_recv(struct pge_conn *c, double deadline, struct pge_result **out, struct lm_err *err)
{
    return c->ops->recv(c, deadline, out, err);
}

int
pge_conn_query(struct pge_conn *c, const char *sql, double deadline, struct pge_result **out,
               struct lm_err *err)
{
    *out = NULL;
    int rc = c->ops->send(c, sql, deadline, err);
    return rc ? rc : c->ops->recv(c, deadline, out, err);
}

bool
pge_conn_broken(const struct pge_conn *c)
{
    return c->ops->broken(c);
}

void
pge_conn_close(struct pge_conn *c)
{
    if (c)
        c->ops->close(c);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* pgsession.c: our own PostgreSQL client on a plain socket (the "pgwire" backend of
 * pgconn.h): StartupMessage, authentication (trust, cleartext, md5, SCRAM-SHA-256 with
 * the server signature checked), the simple Query protocol and Terminate. Every read
 * and write is bounded by a deadline; a timeout or a protocol error marks the connection
 * broken so the next scrape reconnects. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "lm/exporter.h"
#include "postgres_exporter/pgconn.h"
#include "proto/sock.h"

#define SESS_RX_CHUNK 65536

struct session {
    struct pge_conn base;
    int fd;
    bool broken;
    unsigned pending;             /* queries sent whose answers were not read yet */
    uint32_t pid, secret;         /* BackendKeyData, for CancelRequest */
    bool unix_socket;             /* how to reach the server again to cancel */
    char host[256], port[16];
    char where[128];              /* the server label, for errors */
    struct lm_buf rx;             /* bytes read, not yet consumed from pos */
    size_t pos;
    struct lm_buf tx;             /* the message being sent */
};

/* send_tx: write s->tx and reset it. */
static int
send_tx(struct session *s, double deadline, struct lm_err *err)
{
    if (s->tx.err) {
        s->broken = true;
        return lm_err_set(err, s->tx.err, s->where, "%s", lm_strerror(s->tx.err));
    }
    int rc = proto_sock_write(s->fd, s->tx.data, s->tx.len, deadline, s->where, err);
    memset(s->tx.data, 0, s->tx.len);    /* it may have held a password */
    lm_buf_reset(&s->tx);
    if (rc)
        s->broken = true;
    return rc;
}

/* fill: read what the socket has (at least one byte) into rx by the deadline. */
static int
fill(struct session *s, double deadline, struct lm_err *err)
{
    if (s->pos && s->pos == s->rx.len) {
        lm_buf_reset(&s->rx);
        s->pos = 0;
    } else if (s->pos > SESS_RX_CHUNK) {
        memmove(s->rx.data, s->rx.data + s->pos, s->rx.len - s->pos);
        s->rx.len -= s->pos;
        s->pos = 0;
    }
    int rc = lm_buf_reserve(&s->rx, SESS_RX_CHUNK);
    if (rc)
        return lm_err_set(err, rc, s->where, "%s", lm_strerror(rc));
    for (;;) {
        ssize_t r = read(s->fd, s->rx.data + s->rx.len, SESS_RX_CHUNK);
        if (r > 0) {
            s->rx.len += (size_t)r;
            return 0;
        }
        if (r == 0)
            return lm_err_set(err, LM_EIO, s->where, "server closed the connection "
                              "unexpectedly");
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return lm_err_set(err, LM_EIO, s->where, "read: %s", strerror(errno));
        double left = deadline - lm_monotonic();
        if (left <= 0)
            return lm_err_set(err, LM_ETIMEOUT, s->where, "no answer from the server before "
                              "the timeout");
        struct pollfd pfd = {s->fd, POLLIN, 0};
        int ms = left > 3600 ? 3600000 : (int)(left * 1000) + 1;
        if (poll(&pfd, 1, ms) < 0 && errno != EINTR)
            return lm_err_set(err, LM_EIO, s->where, "poll: %s", strerror(errno));
    }
}

/* next: the next backend message; body valid until the next call. */
static int
next(struct session *s, double deadline, char *type, const uint8_t **body, size_t *blen,
     struct lm_err *err)
{
    for (;;) {
        size_t need = 0;
        long m = pgw_frame((const uint8_t *)s->rx.data + s->pos, s->rx.len - s->pos, type,
                           body, blen, &need);
        if (m > 0) {
            s->pos += (size_t)m;
            return 0;
        }
        if (m < 0) {
            s->broken = true;
            return lm_err_set(err, LM_EIO, s->where, "protocol error: bad message length "
                              "(is this a PostgreSQL server?)");
        }
        int rc = fill(s, deadline, err);
        if (rc) {
            s->broken = true;
            return rc;
        }
    }
}

/* server_error: err from an ErrorResponse body. */
static int
server_error(struct session *s, const char *what, const uint8_t *b, size_t n,
             struct lm_err *err)
{
    struct pgw_notice nt;
    if (pgw_read_notice(b, n, &nt)) {
        s->broken = true;
        return lm_err_set(err, LM_EIO, s->where, "%s: malformed ErrorResponse", what);
    }
    char msg[LM_ERR_MSG_MAX - 64];
    pgw_notice_format(&nt, msg, sizeof msg);
    return lm_err_set(err, LM_EIO, s->where, "%s: %s", what, msg);
}

static int
proto_error(struct session *s, const char *what, char type, struct lm_err *err)
{
    s->broken = true;
    return lm_err_set(err, LM_EIO, s->where, "protocol error: unexpected message '%c' %s",
                      type >= 0x20 && type < 0x7f ? type : '?', what);
}

/* sasl: the SCRAM-SHA-256 exchange, after AuthenticationSASL (mechanisms in b, n). */
static int
sasl(struct session *s, const struct pge_params *p, const uint8_t *b, size_t n,
     double deadline, struct lm_err *err)
{
    bool have = false;
    for (size_t off = 0; off < n;) {
        const uint8_t *z = memchr(b + off, 0, n - off);
        if (!z)
            break;
        have |= !strcmp((const char *)b + off, "SCRAM-SHA-256");
        off = (size_t)(z - b) + 1;
    }
    if (!have)
        return lm_err_set(err, LM_EUNSUPP, s->where, "the server offers no SASL mechanism "
                          "we support (SCRAM-SHA-256 without channel binding)");
    if (!p->password)
        return lm_err_set(err, LM_EIO, s->where, "the server requested a password but none "
                          "was given (DSN, PGPASSWORD or ~/.pgpass)");
    struct pgw_scram sc;
    struct lm_buf msg;
    lm_buf_init(&msg, 4096);
    int rc = pgw_scram_first(&sc, "", NULL, &msg, err);
    if (!rc && !(rc = pgw_put_sasl_initial(&s->tx, "SCRAM-SHA-256", msg.data, msg.len)))
        rc = send_tx(s, deadline, err);
    char type;
    const uint8_t *body;
    size_t blen;
    uint32_t code = 0;
    const uint8_t *data = NULL;
    size_t dlen = 0;
    for (int step = 0; !rc && step < 2; step++) {
        if ((rc = next(s, deadline, &type, &body, &blen, err)))
            break;
        if (type == 'E') {
            rc = server_error(s, "error connecting to server", body, blen, err);
            break;
        }
        if (type != 'R' || pgw_read_auth(body, blen, &code, &data, &dlen) ||
            code != (step ? 12u : 11u)) {
            rc = proto_error(s, "during SCRAM authentication", type, err);
            break;
        }
        if (!step) {
            lm_buf_reset(&msg);
            rc = pgw_scram_final(&sc, p->password, (const char *)data, dlen, &msg, err);
            if (!rc && !(rc = pgw_put_sasl_response(&s->tx, msg.data, msg.len)))
                rc = send_tx(s, deadline, err);
        } else {
            rc = pgw_scram_verify(&sc, (const char *)data, dlen, err);
        }
    }
    if (rc && !err->where[0])
        snprintf(err->where, sizeof err->where, "%s", s->where);
    if (msg.data)
        memset(msg.data, 0, msg.len);
    lm_buf_cleanup(&msg);
    pgw_scram_cleanup(&sc);
    return rc;
}

/* authenticate: the Authentication* exchange up to AuthenticationOk. */
static int
authenticate(struct session *s, const struct pge_params *p, double deadline,
             struct lm_err *err)
{
    bool sasl_done = false;
    for (;;) {
        char type;
        const uint8_t *body, *data;
        size_t blen, dlen;
        uint32_t code;
        int rc = next(s, deadline, &type, &body, &blen, err);
        if (rc)
            return rc;
        if (type == 'E')
            return server_error(s, "error connecting to server", body, blen, err);
        if (type == 'N')
            continue;
        if (type != 'R' || pgw_read_auth(body, blen, &code, &data, &dlen))
            return proto_error(s, "during authentication", type, err);
        if (code == 0) {
            /* a server that started SCRAM must have proven it knows the password */
            return 0;
        }
        if (sasl_done)
            return proto_error(s, "after SCRAM authentication", type, err);
        if ((code == 3 || code == 5) && !p->password)
            return lm_err_set(err, LM_EIO, s->where, "the server requested a password but "
                              "none was given (DSN, PGPASSWORD or ~/.pgpass)");
        if (code == 3) {
            pgw_put_password(&s->tx, p->password);
        } else if (code == 5 && dlen == 4) {
            char hash[36];
            pgw_md5_password(p->user, p->password, data, hash);
            pgw_put_password(&s->tx, hash);
            memset(hash, 0, sizeof hash);
        } else if (code == 10) {
            if ((rc = sasl(s, p, data, dlen, deadline, err)))
                return rc;
            sasl_done = true;
            continue;
        } else {
            return lm_err_set(err, LM_EUNSUPP, s->where, "authentication method %u not "
                              "supported (use trust, password, md5 or scram-sha-256)", code);
        }
        if ((rc = send_tx(s, deadline, err)))
            return rc;
    }
}

/* wait_ready: skip ParameterStatus, BackendKeyData and notices until ReadyForQuery. */
static int
wait_ready(struct session *s, double deadline, struct lm_err *err)
{
    for (;;) {
        char type, st;
        const uint8_t *body;
        size_t blen;
        const char *name, *value;
        uint32_t pid, key;
        int rc = next(s, deadline, &type, &body, &blen, err);
        if (rc)
            return rc;
        switch (type) {
        case 'S':
            if (pgw_read_param(body, blen, &name, &value))
                return proto_error(s, "(malformed ParameterStatus)", type, err);
            break;
        case 'K':
            if (pgw_read_key(body, blen, &pid, &key))
                return proto_error(s, "(malformed BackendKeyData)", type, err);
            s->pid = pid;
            s->secret = key;
            break;
        case 'N':
            break;
        case 'E':
            return server_error(s, "error connecting to server", body, blen, err);
        case 'Z':
            if (pgw_read_ready(body, blen, &st))
                return proto_error(s, "(malformed ReadyForQuery)", type, err);
            return 0;
        default:
            return proto_error(s, "before ReadyForQuery", type, err);
        }
    }
}

/* idle_check: between queries the server sends nothing unless it is going away (FATAL
 * ErrorResponse on shutdown, then EOF): notice that before sending, so a connection to
 * a restarted server is replaced instead of failing one query. */
static void
idle_check(struct session *s)
{
    struct pollfd pfd = {s->fd, POLLIN, 0};
    if (poll(&pfd, 1, 0) <= 0)
        return;
    struct lm_err ignored;
    if (fill(s, lm_monotonic(), &ignored)) {
        s->broken = true;
        return;
    }
    char type;
    const uint8_t *body;
    size_t blen, need;
    long m;
    while ((m = pgw_frame((const uint8_t *)s->rx.data + s->pos, s->rx.len - s->pos, &type,
                          &body, &blen, &need)) > 0) {
        s->pos += (size_t)m;
        if (type == 'E')
            s->broken = true;          /* NoticeResponse, ParameterStatus: harmless */
    }
    if (m < 0)
        s->broken = true;
}

static int
sess_send(struct pge_conn *c, const char *sql, double deadline, struct lm_err *err)
{
    struct session *s = (struct session *)c;
    if (!s->broken && !s->pending)
        idle_check(s);
    if (s->broken)
        return lm_err_set(err, LM_EIO, s->where, "connection is broken");
    pgw_put_query(&s->tx, sql);
    int rc = send_tx(s, deadline, err);
    s->pending += !rc;
    return rc;
}

/* cancel: ask the server to stop the running query (CancelRequest on a new connection,
 * one second at most), so a timed-out query does not keep a backend busy after we close
 * our end. Best effort. */
static void
cancel(struct session *s)
{
    if (!s->pid)
        return;
    double deadline = lm_monotonic() + 1;
    struct lm_err ignored;
    int fd;
    if (s->unix_socket) {
        char path[300];
        snprintf(path, sizeof path, "%s/.s.PGSQL.%s", s->host, s->port);
        fd = proto_sock_connect_unix(path, deadline, &ignored);
    } else {
        fd = proto_sock_connect_tcp(s->host, s->port, deadline, &ignored);
    }
    if (fd < 0)
        return;
    struct lm_buf b;
    lm_buf_init(&b, 64);
    if (!pgw_put_cancel(&b, s->pid, s->secret))
        proto_sock_write(fd, b.data, b.len, deadline, s->where, &ignored);
    lm_buf_cleanup(&b);
    close(fd);
}

static int
sess_recv(struct pge_conn *c, double deadline, struct pge_result **out, struct lm_err *err)
{
    struct session *s = (struct session *)c;
    *out = NULL;
    if (s->broken)
        return lm_err_set(err, LM_EIO, s->where, "connection is broken");
    if (!s->pending)
        return lm_err_set(err, LM_EINVAL, s->where, "no query sent");
    s->pending--;
    int rc = 0;
    struct pge_result *res = NULL;
    struct lm_err qerr;
    lm_err_clear(&qerr);
    for (;;) {
        char type, st;
        const uint8_t *body;
        size_t blen;
        bool oom = false;
        if ((rc = next(s, deadline, &type, &body, &blen, err)))
            break;
        if (type == 'Z') {
            if (pgw_read_ready(body, blen, &st))
                rc = proto_error(s, "(malformed ReadyForQuery)", type, err);
            break;
        }
        switch (type) {
        case 'T':                           /* a new result set: keep the last, as PQexec */
            pge_result_free(res);
            res = pge_result_new();
            if (!res)
                oom = true;
            else if (pgw_read_rowdesc(body, blen, res, &oom) && !oom)
                rc = proto_error(s, "(malformed RowDescription)", type, err);
            break;
        case 'D':
            if (!res)
                rc = proto_error(s, "(DataRow before RowDescription)", type, err);
            else if (pgw_read_datarow(body, blen, res, &oom) && !oom)
                rc = proto_error(s, "(malformed DataRow)", type, err);
            break;
        case 'C':
        case 'I':
            if (!res && !(res = pge_result_new()))
                oom = true;
            break;
        case 'E':
            if (!qerr.code)
                server_error(s, "query failed", body, blen, &qerr);
            break;
        case 'N':
        case 'S':
        case 'A':
            break;
        default:
            rc = proto_error(s, "in a query answer", type, err);
        }
        if (oom && !rc)
            rc = qerr.code ? qerr.code : lm_err_set(&qerr, LM_ENOMEM, s->where, "out of memory");
        if (rc)
            break;
    }
    if (rc == LM_ETIMEOUT)
        cancel(s);
    if (!rc && qerr.code) {
        *err = qerr;
        rc = qerr.code;
    }
    if (!rc && !res && !(res = pge_result_new()))
        rc = lm_err_set(err, LM_ENOMEM, s->where, "out of memory");
    if (rc) {
        if (rc == LM_ENOMEM && qerr.code == LM_ENOMEM)
            *err = qerr;
        pge_result_free(res);
        return rc;
    }
    *out = res;
    return 0;
}

static bool
sess_broken(const struct pge_conn *c)
{
    return ((const struct session *)c)->broken;
}

static void
sess_close(struct pge_conn *c)
{
    struct session *s = (struct session *)c;
    if (s->fd >= 0) {
        if (!s->broken) {
            struct lm_err ignored;
            pgw_put_terminate(&s->tx);
            send_tx(s, lm_monotonic() + 1, &ignored);
        }
        close(s->fd);
    }
    lm_buf_cleanup(&s->rx);
    lm_buf_cleanup(&s->tx);
    lm_free(s);
}

static const struct pge_conn_ops sess_ops = {"pgwire", true, sess_send, sess_recv,
                                          sess_broken, sess_close};

int
pge_session_open(int fd, const struct pge_params *p, const char *label, double deadline,
                 struct pge_conn **out, struct lm_err *err)
{
    *out = NULL;
    struct session *s = lm_calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        return lm_err_set(err, LM_ENOMEM, label, "out of memory");
    }
    s->base.ops = &sess_ops;
    s->fd = fd;
    snprintf(s->where, sizeof s->where, "%s", label);
    s->unix_socket = p->unix_socket;
    snprintf(s->host, sizeof s->host, "%s", *p->hostaddr ? p->hostaddr : p->host);
    snprintf(s->port, sizeof s->port, "%s", p->port);
    lm_buf_init(&s->rx, PGW_MAX_MSG + 2 * SESS_RX_CHUNK);
    lm_buf_init(&s->tx, 1u << 20);
    const char *kv[12];
    int k = 0;
    kv[k++] = "user";
    kv[k++] = p->user;
    kv[k++] = "database";
    kv[k++] = p->dbname;
    if (*p->application_name) {
        kv[k++] = "application_name";
        kv[k++] = p->application_name;
    }
    if (*p->options) {
        kv[k++] = "options";
        kv[k++] = p->options;
    }
    kv[k++] = "client_encoding";
    kv[k++] = "UTF8";
    kv[k] = NULL;
    pgw_put_startup(&s->tx, kv);
    int rc = send_tx(s, deadline, err);
    if (!rc)
        rc = authenticate(s, p, deadline, err);
    if (!rc)
        rc = wait_ready(s, deadline, err);
    if (rc) {
        s->broken = true;
        sess_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* http_conn.h: the HTTP/1.1 connection layer under lm/http.h (http_conn.c, with TLS in
 * http_tls.c): an accept thread per listening socket, worker threads (http_pool.h;
 * reused for the next connection), request parsing with limits (head size, header
 * count, body), keep-alive, the idle timeout, 100-continue, and the response writer.
 * http.c gives it a dispatch function that answers one parsed request. Private to
 * libmetrics. */
#ifndef LM_HTTP_CONN_H
#define LM_HTTP_CONN_H

#include <stddef.h>
#include "lm/buf.h"
#include "lm/err.h"
#include "http_int.h"

#define LMI_HTTP_HEAD_MAX (64 * 1024)  /* request line + headers; past it: 431 */
#define LMI_HTTP_HEADERS_MAX 100       /* header lines per request; past it: 431 */

struct lm_log;
struct lm_webcfg;
struct lmi_conn;
struct lmi_conns;

/* One parsed request; views valid during the dispatch call. */
struct lmi_req {
    char *head;                     /* a copy of the request head, owned; the views
                                     * below point into it */
    const char *method;             /* "GET", ... */
    const char *path;               /* percent-decoded path */
    const char *hname[LMI_HTTP_HEADERS_MAX];  /* header names as sent */
    const char *hval[LMI_HTTP_HEADERS_MAX];   /* header values, spaces trimmed */
    size_t nheaders;                /* entries in hname/hval */
    struct lmi_form query;          /* the decoded URL query */
    int form;                       /* POST/PUT with a urlencoded body (kept in body) */
    int toobig;                     /* the form body passed LM_HTTP_MAX_FORM_BYTES */
    struct lm_buf body;             /* the form body (empty for other requests) */
    void *tls;                      /* gnutls_session_t, or NULL on plain HTTP */
};

/* lmi_req_header: the value of header name (case-insensitive, first one), or NULL. */
const char *lmi_req_header(const struct lmi_req *r, const char *name);

/* A response to write. */
struct lmi_answer {
    int status;                     /* HTTP status */
    const char *ctype;              /* Content-Type */
    const struct lm_buf *headers;   /* extra headers: "name\0value\0" pairs */
    const char *body;               /* the body (also measured for HEAD) */
    size_t len;                     /* bytes in body */
};

/* Answers one request: fill and send the answer with lmi_conn_send and return 0, or
 * return -1 to close the connection without an answer. */
typedef int lmi_dispatch_fn(void *ud, struct lmi_conn *c, const struct lmi_req *req);

/* lmi_conn_send: write a (status line, Date, Content-Length, Content-Type, the extra
 * headers, then the web config's headers that a did not set, and the body unless the
 * request was HEAD). 0 or -1 (write failed; the connection closes). */
int lmi_conn_send(struct lmi_conn *c, const struct lmi_answer *a);

/* How connections are served. */
struct lmi_conn_opts {
    unsigned timeout_s;             /* idle timeout; 0 = never */
    const struct lm_webcfg *wc;     /* web config (TLS, headers), or NULL */
    struct lm_log *log;             /* connection errors at debug level, or NULL */
    lmi_dispatch_fn *dispatch;      /* the request handler */
    void *ud;                       /* its argument */
};

/* lmi_conns_new: connection state for a server (TLS credentials when wc has TLS; GnuTLS
 * is loaded then). NULL with err set (LM_ECONFIG TLS, LM_ENOMEM). */
struct lmi_conns *lmi_conns_new(const struct lmi_conn_opts *o, struct lm_err *err);

/* lmi_conns_listen: serve the listening socket fd (taken over, closed by _stop) from a
 * new accept thread. 0, or LM_ENOMEM / LM_EIO with err->where = addr (fd closed). */
int lmi_conns_listen(struct lmi_conns *cs, int fd, const char *addr, struct lm_err *err);

/* lmi_conns_stop: stop accepting, close the listeners, shut down open connections and
 * wait until every connection thread has ended (handlers in flight finish). Idempotent. */
void lmi_conns_stop(struct lmi_conns *cs);

/* lmi_conns_free: stop and free. Accepts NULL. */
void lmi_conns_free(struct lmi_conns *cs);

/* TLS (http_tls.c). */
struct lmi_tls;
/* lmi_tls_new: credentials and priorities from wc (loads GnuTLS). NULL with err set. */
struct lmi_tls *lmi_tls_new(const struct lm_webcfg *wc, struct lm_err *err);
void lmi_tls_free(struct lmi_tls *t);
/* lmi_tls_accept: a server session on the connected socket fd, handshake done within
 * timeout_ms (0: none). The session (gnutls_session_t), or NULL when it failed (why set). */
void *lmi_tls_accept(struct lmi_tls *t, const struct lm_webcfg *wc, int fd, unsigned timeout_ms,
                     char *why, size_t whysz);
/* lmi_tls_recv / _send: like recv/send on the session: bytes, 0 at EOF, -1 on error. */
long lmi_tls_recv(void *session, void *p, size_t n);
long lmi_tls_send(void *session, const void *p, size_t n);
/* lmi_tls_close: say goodbye (best effort) and free the session. Accepts NULL. */
void lmi_tls_close(void *session);

#endif

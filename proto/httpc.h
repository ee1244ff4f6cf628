/* SPDX-License-Identifier: Apache-2.0 */
/* httpc.h: a small HTTP/1.1 client for plain http:// and HTTP over unix sockets, so the
 * exporters that read a status page or speak XML-RPC need no libcurl (and none of its
 * TLS/Kerberos/LDAP tree) in memory. One request per connection ("Connection: close"),
 * bounded by a CLOCK_MONOTONIC deadline, with Content-Length, chunked or read-to-EOF
 * bodies, a capped body, basic auth, extra headers, and a URL parser with password
 * redaction. The transport is a socket (proto_httpc_exchange) or any read/write pair
 * (proto_httpc_exchange_io: blackbox's prober runs it over lm/tlsc.h for https).
 * proto/fetch.c and proto/xmlrpc_call.c hand https:// to libcurl, loaded with dlopen only
 * then (proto/curl_dl.h). Never logs. Includes libc headers only. */
#ifndef PROTO_HTTPC_H
#define PROTO_HTTPC_H

#include <stddef.h>
#include "lm/buf.h"
#include "lm/err.h"

#define PROTO_HTTPC_HOST_MAX 256       /* host name bytes */
#define PROTO_HTTPC_TARGET_MAX 2048    /* path?query bytes */
#define PROTO_HTTPC_CRED_MAX 256       /* user / password bytes (decoded) */
#define PROTO_HTTPC_HEAD_MAX 65536     /* response status line + headers bytes */

/* A parsed http(s) URL. Plain value; fields are NUL-terminated. */
struct proto_url {
    char scheme[8];                        /* "http" or "https" (lower case) */
    char user[PROTO_HTTPC_CRED_MAX];       /* percent-decoded, "" when absent */
    char pass[PROTO_HTTPC_CRED_MAX];       /* percent-decoded, "" when absent */
    int has_user;                          /* userinfo was present */
    char host[PROTO_HTTPC_HOST_MAX];       /* without brackets for an IPv6 literal */
    char hostport[PROTO_HTTPC_HOST_MAX + 8];  /* for the Host header: "h", "h:p", "[v6]:p" */
    char port[8];                          /* explicit or the scheme's default */
    char target[PROTO_HTTPC_TARGET_MAX];   /* "/path?query" ("/" when empty), no #frag */
};

/* proto_url_parse: url ("http(s)://[user[:pass]@]host[:port][/path][?q][#f]") into u.
 * 0, or LM_EINVAL with err->msg saying why (err->where left to the caller). */
int proto_url_parse(const char *url, struct proto_url *u, struct lm_err *err);

/* proto_url_unescape: n bytes at s, percent-decoded, into out (cap bytes, NUL-terminated).
 * 0, or -1 for a bad escape, a NUL byte or no room. */
int proto_url_unescape(const char *s, size_t n, char *out, size_t cap);

/* proto_url_redact: url with the password replaced by "xxxxx" into out (n bytes); a URL
 * without a password is copied as is; one that does not parse is shown up to its first
 * ':'. Returns out. */
const char *proto_url_redact(const char *url, char *out, size_t n);

/* One request. Strings are borrowed for the call. */
struct proto_httpc_req {
    const char *method;        /* "GET", "POST", ... */
    const char *target;        /* "/path?query" */
    const char *host;          /* Host header value */
    const char *user;          /* basic auth user, or NULL for none */
    const char *pass;          /* basic auth password (with user), or NULL for "" */
    const char *user_agent;    /* User-Agent value, or NULL for none */
    const char *content_type;  /* Content-Type of body, or NULL */
    const void *body;          /* request body, or NULL */
    size_t body_len;           /* bytes in body */
    const char *const *headers;  /* extra headers as name, value pairs (2 * nheaders
                                    strings), or NULL; an "Accept" here replaces the
                                    default Accept header */
    size_t nheaders;           /* pairs in headers */
};

/* What came back. */
struct proto_httpc_resp {
    int status;                /* status code (the final one after 1xx answers) */
    char content_type[128];    /* Content-Type, "" when absent (truncated) */
    char location[1024];       /* Location, "" when absent (truncated) */
    struct lm_buf *body;       /* caller's buffer; its max is the body cap */
    struct lm_buf *head;       /* caller's buffer for the final answer's status line and
                                  headers (as received, CRLFs kept), or NULL */
    int minor;                 /* the answer's HTTP/1.minor version */
    long long content_length;  /* Content-Length, -1 when absent */
    double first_byte;         /* exchange: CLOCK_MONOTONIC time of the first answer byte,
                                  0 when none came */
};

/* A transport for proto_httpc_exchange_io. read: up to n bytes into p by deadline; > 0
 * bytes, 0 at EOF, or a negative LM_* code with err set (msg only). write: all n bytes by
 * deadline; 0 or a negative LM_* code with err set. */
struct proto_httpc_io {
    void *ctx;                 /* passed back to read and write */
    long (*read)(void *ctx, void *p, size_t n, double deadline, struct lm_err *err);
    int (*write)(void *ctx, const void *p, size_t n, double deadline, struct lm_err *err);
};

/* proto_httpc_exchange: send req on the connected socket fd (proto_sock_connect*) and
 * read the answer into resp until the deadline (CLOCK_MONOTONIC seconds). The body is
 * appended to resp->body after de-chunking. 0 whatever the status, or LM_ETIMEOUT,
 * LM_ETOOBIG (body over resp->body->max), LM_EIO (connection closed early, malformed
 * answer: err->msg says which) or LM_ENOMEM, with err->where = where. Does not close fd. */
int proto_httpc_exchange(int fd, const struct proto_httpc_req *req,
                         struct proto_httpc_resp *resp, double deadline, const char *where,
                         struct lm_err *err);

/* proto_httpc_exchange_io: the same over io (the socket's messages for a timeout). */
int proto_httpc_exchange_io(const struct proto_httpc_io *io, const struct proto_httpc_req *req,
                            struct proto_httpc_resp *resp, double deadline, const char *where,
                            struct lm_err *err);

/* proto_httpc_header: the value of the first header called name (case-insensitive) in
 * the head block head[0..len) (as proto_httpc_resp.head holds), spaces trimmed, into out
 * (cap bytes, truncated); start (may be NULL) is where to look from, and gets the offset
 * after that line, for walking repeated headers. 1 found, 0 not. */
int proto_httpc_header(const char *head, size_t len, const char *name, size_t *start,
                       char *out, size_t cap);

/* proto_httpc_parse: the answer in data[0..len) (as read to EOF) into resp, for tests and
 * the fuzz target. complete: the peer closed the connection after data. 0 with the body
 * appended, LM_ENODATA (more bytes are needed), LM_EIO (malformed), LM_ETOOBIG or
 * LM_ENOMEM, with err set (where left as is). head_only: the request was HEAD. */
int proto_httpc_parse(const char *data, size_t len, int complete, int head_only,
                      struct proto_httpc_resp *resp, struct lm_err *err);

#endif

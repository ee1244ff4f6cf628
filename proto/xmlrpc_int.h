/* SPDX-License-Identifier: Apache-2.0 */
/* xmlrpc_int.h: between the parts of the XML-RPC client: the value tree (xmlrpc.c) and
 * the response reader that builds it (xmlrpc_read.c); the transport (xmlrpc_call.c: unix
 * sockets and plain http with proto/httpc.h) and its https side (xmlrpc_curl.c, libcurl
 * loaded on first use). Private to proto/. */
#ifndef PROTO_XMLRPC_INT_H
#define PROTO_XMLRPC_INT_H

#include "lm/buf.h"
#include "lm/err.h"
#include "proto/xmlrpc.h"

/* A node of the value tree (opaque in xmlrpc.h). */
struct proto_xmlrpc_value {
    enum proto_xmlrpc_type type;           /* what this node holds */
    int64_t i;                             /* INT value; BOOL as 0/1 */
    double d;                              /* DOUBLE value */
    char *s;                               /* STRING/DATETIME/BASE64 bytes, NUL-ended */
    size_t n;                              /* bytes in s, or kids in an ARRAY/STRUCT */
    size_t cap;                            /* slots allocated in kids (and names) */
    struct proto_xmlrpc_value **kids;      /* ARRAY elements or STRUCT member values */
    char **names;                          /* STRUCT member names, parallel to kids */
};

/* proto_xmlrpc_value_add: append kid (and, for a STRUCT, its member name) to an ARRAY or
 * STRUCT node, which takes both. 0, or LM_ENOMEM and nothing is taken. */
int proto_xmlrpc_value_add(struct proto_xmlrpc_value *v, struct proto_xmlrpc_value *kid,
                           char *name);

/* proto_xmlrpc_value_take: detach the ith element (or member value) of an ARRAY or
 * STRUCT and hand it to the caller, leaving an absent value (NULL) in its place. NULL
 * when out of range. */
struct proto_xmlrpc_value *proto_xmlrpc_value_take(struct proto_xmlrpc_value *v, size_t i);

#define PROTO_XMLRPC_USER_AGENT "lm-xmlrpc/1.0"

/* The HTTP answer to one call. body is set up by the caller (cap
 * PROTO_XMLRPC_MAX_RESPONSE). */
struct proto_xmlrpc_http {
    int status;                 /* HTTP status */
    char content_type[128];     /* Content-Type, "" when absent */
    struct lm_buf body;         /* the response body */
};

/* proto_xmlrpc_post_curl: POST req to the https url within timeout seconds into out.
 * 0 whatever the status, or LM_ETIMEOUT, LM_ETOOBIG, LM_EIO, LM_EUNSUPP (no libcurl),
 * LM_ENOMEM with err->where = where. */
int proto_xmlrpc_post_curl(const char *url, const struct lm_buf *req, double timeout,
                           struct proto_xmlrpc_http *out, const char *where,
                           struct lm_err *err);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* xmlrpc_int.h: between the XML-RPC transport (xmlrpc_call.c: unix sockets and plain
 * http with proto/httpc.h) and its https side (xmlrpc_curl.c, libcurl loaded on first
 * use). Private to proto/. */
#ifndef PROTO_XMLRPC_INT_H
#define PROTO_XMLRPC_INT_H

#include "lm/buf.h"
#include "lm/err.h"
#include "proto/xmlrpc.h"

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

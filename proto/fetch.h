/* SPDX-License-Identifier: Apache-2.0 */
/* fetch.h: the libcurl GET wrapper shared by the exporters that scrape an HTTP status page
 * (apache_exporter, haproxy_exporter, ...). One reusable client per collector keeps
 * connections alive between scrapes. A GET has a time limit, optional TLS verification,
 * an optional Host override, an optional unix socket to carry the HTTP, and a capped
 * body; the answer gives the status, Content-Type and redirect details. Errors name the
 * URL with any password replaced by "xxxxx". Never logs. Includes libc headers only. */
#ifndef PROTO_FETCH_H
#define PROTO_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include "lm/buf.h"
#include "lm/err.h"

#define PROTO_FETCH_MAX_BODY (16UL * 1024 * 1024)  /* default body cap, bytes */
#define PROTO_FETCH_MAX_REDIRECTS 10               /* as Go's net/http client */
#define PROTO_FETCH_URL_MAX 1024                   /* final URL / Location bytes kept */
#define PROTO_FETCH_CTYPE_MAX 128                  /* Content-Type bytes kept */

/* One GET. Strings are borrowed for the duration of the call. */
struct proto_fetch_req {
    const char *url;          /* http:// or https:// URL (user:password@ allowed) */
    const char *unix_socket;  /* carry the HTTP over this unix socket path, or NULL */
    const char *host;         /* Host header override, or NULL/"" */
    const char *user_agent;   /* User-Agent, or NULL for "lm-fetch/1.0" */
    double timeout;           /* seconds for the whole transfer; <= 0: no limit */
    double deadline;          /* CLOCK_MONOTONIC seconds to finish by; 0: none (the
                                 earlier of timeout and deadline wins) */
    bool insecure;            /* skip TLS certificate and host name verification */
    bool follow_redirects;    /* follow up to PROTO_FETCH_MAX_REDIRECTS redirects */
    bool proxy_from_env;      /* honour $http_proxy/$https_proxy/$no_proxy; false: never
                                 use a proxy (Go's default for a custom Transport) */
    size_t max_body;          /* body cap in bytes; 0: PROTO_FETCH_MAX_BODY */
};

/* What came back. Set up with proto_fetch_resp_init, freed with _cleanup. */
struct proto_fetch_resp {
    long status;                              /* HTTP status code; 0 when none */
    char content_type[PROTO_FETCH_CTYPE_MAX]; /* Content-Type header, "" when absent */
    char final_url[PROTO_FETCH_URL_MAX];      /* last URL fetched, password redacted */
    char location[PROTO_FETCH_URL_MAX];       /* Location of a 3xx not followed, or "" */
    unsigned redirects;                       /* redirects followed */
    struct lm_buf body;                       /* the body (capped at max_body) */
};

struct proto_fetch;

/* proto_fetch_new: a client (one curl handle; libcurl is initialised on first use).
 * Not thread-safe: use one client per thread or serialise calls. NULL on OOM or when
 * libcurl cannot start. proto_fetch_free accepts NULL. */
struct proto_fetch *proto_fetch_new(void);
void proto_fetch_free(struct proto_fetch *f);

/* proto_fetch_resp_init: empty answer storage (allocates nothing; cannot fail).
 * proto_fetch_resp_cleanup: free the body and reset to the init state. */
void proto_fetch_resp_init(struct proto_fetch_resp *r);
void proto_fetch_resp_cleanup(struct proto_fetch_resp *r);

/* proto_fetch_get: GET req->url into r (which is reset first). Any HTTP answer, 404 or
 * 500 included, returns 0 with r->status set: judging the status is the caller's job.
 * Errors (err->where is the redacted URL; err->msg is libcurl's reason in words):
 * LM_EINVAL bad URL or scheme, LM_ETIMEOUT time limit reached, LM_ETOOBIG body over the
 * cap, LM_EIO connection or protocol failure, LM_ENOMEM. */
int proto_fetch_get(struct proto_fetch *f, const struct proto_fetch_req *req,
                    struct proto_fetch_resp *r, struct lm_err *err)
    __attribute__((warn_unused_result));

/* proto_fetch_redact: url with its password replaced by "xxxxx" into out (n bytes);
 * an unparsable URL is shown up to its first ':' only. Returns out. */
const char *proto_fetch_redact(const char *url, char *out, size_t n);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* http_int.h: what the HTTP server files share: basic auth with its cache, TLS client
 * certificate policy and the rate limiter (http_auth.c), used by the request dispatcher
 * (http.c). Private to libmetrics; nothing here includes microhttpd.h. */
#ifndef LM_HTTP_INT_H
#define LM_HTTP_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include "lm/http.h"
#include "lm/webcfg.h"

struct lmi_auth;
struct lm_http_server;

/* lmi_http_route_owned: lm_http_route, and the server calls free_ud(ud) when it is freed
 * (also when registration fails, so ud never leaks). */
int lmi_http_route_owned(struct lm_http_server *srv, const char *path, unsigned flags,
                         lm_http_handler_fn *handler, void *ud, void (*free_ud)(void *));

/* A decoded urlencoded form body (http_form.c). */
struct lmi_form {
    char *data;       /* "name\0value\0" pairs, owned, or NULL when empty */
    size_t len;       /* bytes used in data */
    size_t npairs;    /* pairs in data */
};

/* lmi_form_content_type: ct is application/x-www-form-urlencoded (any case, with or
 * without parameters). NULL is not. */
bool lmi_form_content_type(const char *ct);
/* lmi_form_decode: decode body (len bytes) into f (overwritten): '&'-separated pairs,
 * '+' = space, %XX = byte, malformed escapes kept. 0 or LM_ENOMEM (f empty). */
int lmi_form_decode(struct lmi_form *f, const char *body, size_t len);
void lmi_form_free(struct lmi_form *f);
/* lmi_form_find: the value of name at index want among f's values of name, or NULL;
 * *seen is increased by the number of values of name passed (so a caller can continue
 * counting in another source). */
const char *lmi_form_find(const struct lmi_form *f, const char *name, size_t want,
                          size_t *seen);

/* lmi_auth_new: basic-auth state for the users of c (borrowed; must outlive it): a keyed
 * cache of successful checks and a lock that runs one bcrypt at a time. NULL on OOM. */
struct lmi_auth *lmi_auth_new(const struct lm_webcfg *c);
void lmi_auth_free(struct lmi_auth *a);

/* lmi_auth_check: 1 when user/pass match a configured bcrypt hash, else 0. Unknown users
 * cost one bcrypt too, so timing does not tell which users exist. Thread-safe. */
int lmi_auth_check(struct lmi_auth *a, const char *user, const char *pass);

/* lmi_tls_prepare: at connection start, ask the client for a certificate as the
 * configured client_auth_type wants, and make the handshake fail on a certificate that
 * does not verify (verifying types). session is a gnutls_session_t. */
void lmi_tls_prepare(const struct lm_webcfg *c, void *session);

/* lmi_tls_check: enforce client_auth_type and client_allowed_sans on an established
 * session before a request is served. 0 when allowed; -1 with a reason in why. */
int lmi_tls_check(const struct lm_webcfg *c, void *session, char *why, size_t whysz);

/* A token bucket (golang.org/x/time/rate): burst tokens, one more every interval. */
struct lmi_rate {
    pthread_mutex_t mu;   /* guards the fields below */
    double per_sec;       /* refill rate, tokens per second */
    double burst;         /* bucket size */
    double tokens;        /* tokens now */
    double last;          /* monotonic seconds of the last refill */
};

/* lmi_rate_init: interval_ns > 0. lmi_rate_allow: take a token; 1 when allowed. */
void lmi_rate_init(struct lmi_rate *r, long long interval_ns, long burst);
void lmi_rate_cleanup(struct lmi_rate *r);
int lmi_rate_allow(struct lmi_rate *r);

#endif

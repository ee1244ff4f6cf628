/* SPDX-License-Identifier: Apache-2.0 */
/* webcfg.h: exporter-toolkit's web-config.yml (--web.config.file): TLS server settings,
 * extra HTTP headers, basic-auth users with bcrypt hashes and a rate limit. Parsing is
 * strict (unknown keys, wrong types and bad values are errors with "file:line:col"), and
 * referenced certificate files are read and checked at load time, so a bad file stops
 * start-up. The result is immutable and safe to share between threads. */
#ifndef LM_WEBCFG_H
#define LM_WEBCFG_H

#include <stddef.h>
#include <stdint.h>
#include "lm/err.h"

/* client_auth_type values, in Go's crypto/tls order. */
enum lm_tls_client_auth {
    LM_TLS_NO_CLIENT_CERT = 0,             /* "NoClientCert" (default) */
    LM_TLS_REQUEST_CLIENT_CERT,            /* "RequestClientCert": asked, never checked */
    LM_TLS_REQUIRE_ANY_CLIENT_CERT,        /* "RequireAnyClientCert": required, not verified */
    LM_TLS_VERIFY_CLIENT_CERT_IF_GIVEN,    /* "VerifyClientCertIfGiven" */
    LM_TLS_REQUIRE_AND_VERIFY_CLIENT_CERT  /* "RequireAndVerifyClientCert" */
};

/* min_version / max_version values ("TLS10".."TLS13"). */
enum lm_tls_version { LM_TLS10 = 10, LM_TLS11 = 11, LM_TLS12 = 12, LM_TLS13 = 13 };

struct lm_webcfg;

/* lm_webcfg_load: read and parse the web config file at path (capped at
 * LM_LIMIT_CONFIG_BYTES). Relative file names inside are taken from the directory of
 * path, as upstream does. On success *out is a new config (free with lm_webcfg_free) and
 * 0 is returned. On failure *out is NULL and a negative LM_E* is returned: LM_EIO (file
 * unreadable), LM_EPARSE (not YAML), LM_ECONFIG (valid YAML, bad content), LM_ETOOBIG or
 * LM_ENOMEM; err->where is "path:line:col" whenever a position is known. */
int lm_webcfg_load(const char *path, struct lm_webcfg **out, struct lm_err *err)
    __attribute__((warn_unused_result));

/* lm_webcfg_parse_mem: the same from len bytes at data (need not be NUL-terminated).
 * name is used in error places only; relative file names are taken from basedir (the
 * working directory when NULL). Same contract as lm_webcfg_load. */
int lm_webcfg_parse_mem(const char *name, const void *data, size_t len, const char *basedir,
                        struct lm_webcfg **out, struct lm_err *err)
    __attribute__((warn_unused_result));

/* lm_webcfg_free: accepts NULL. */
void lm_webcfg_free(struct lm_webcfg *c);

/* Accessors. All take a non-NULL config; strings are views valid until lm_webcfg_free. */

/* 1 when tls_server_config enables TLS (any of cert, cert_file, key, key_file,
 * client_ca, client_ca_file, client_auth_type is set), else 0. */
int lm_webcfg_tls_enabled(const struct lm_webcfg *c);
enum lm_tls_client_auth lm_webcfg_client_auth(const struct lm_webcfg *c);
enum lm_tls_version lm_webcfg_min_version(const struct lm_webcfg *c);  /* default TLS12 */
enum lm_tls_version lm_webcfg_max_version(const struct lm_webcfg *c);  /* default TLS13 */
/* The GnuTLS priority string built from versions, cipher_suites, curve_preferences and
 * prefer_server_cipher_suites (already checked with gnutls_priority_init). */
const char *lm_webcfg_tls_priorities(const struct lm_webcfg *c);
/* http_server_config.http2 (default 1). Accepted for compatibility; the server speaks
 * HTTP/1.1 only. */
int lm_webcfg_http2(const struct lm_webcfg *c);

/* http_server_config.headers, in file order. */
size_t lm_webcfg_header_count(const struct lm_webcfg *c);
const char *lm_webcfg_header_name(const struct lm_webcfg *c, size_t i);   /* NULL if i OOR */
const char *lm_webcfg_header_value(const struct lm_webcfg *c, size_t i);  /* NULL if i OOR */

/* basic_auth_users: count, i-th user name (file order), and the bcrypt hash of a user
 * (NULL when no such user). Never log the hash. */
size_t lm_webcfg_user_count(const struct lm_webcfg *c);
const char *lm_webcfg_user_name(const struct lm_webcfg *c, size_t i);
const char *lm_webcfg_user_hash(const struct lm_webcfg *c, const char *user);

/* rate_limit: interval in nanoseconds (0 = disabled) and burst. */
int64_t lm_webcfg_rate_interval_ns(const struct lm_webcfg *c);
long lm_webcfg_rate_burst(const struct lm_webcfg *c);

#endif

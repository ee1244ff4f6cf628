/* SPDX-License-Identifier: Apache-2.0 */
/* webcfg_int.h: the layout of struct lm_webcfg, shared by the parser (webcfg.c), the TLS
 * checks (webcfg_tls.c) and the HTTP server (http*.c). Private to libmetrics. */
#ifndef LM_WEBCFG_INT_H
#define LM_WEBCFG_INT_H

#include <stddef.h>
#include <stdint.h>
#include "lm/err.h"
#include "lm/webcfg.h"

/* A name/value pair owned by the config. */
struct lmi_kv {
    char *name;    /* owned, NUL-terminated */
    char *value;   /* owned, NUL-terminated */
};

struct lm_webcfg {
    int tls;                              /* TLS enabled (see lm_webcfg_tls_enabled) */
    char *cert_pem;                       /* server certificate chain, PEM, NUL-terminated */
    char *key_pem;                        /* server private key, PEM, NUL-terminated */
    char *ca_pem;                         /* client CA bundle, PEM, or NULL */
    enum lm_tls_client_auth client_auth;  /* client_auth_type */
    enum lm_tls_version min_version;      /* min_version (default TLS12) */
    enum lm_tls_version max_version;      /* max_version (default TLS13) */
    char *priorities;                     /* GnuTLS priority string, or NULL without TLS */
    char **sans;                          /* client_allowed_sans, owned strings */
    size_t nsans;                         /* entries in sans; 0 = no SAN check */
    int http2;                            /* http_server_config.http2 */
    struct lmi_kv *headers;               /* http_server_config.headers */
    size_t nheaders;                      /* entries in headers */
    struct lmi_kv *users;                 /* basic_auth_users: name -> bcrypt hash */
    size_t nusers;                        /* entries in users; 0 = no basic auth */
    int64_t rate_interval_ns;             /* rate_limit.interval; 0 = no rate limit */
    long rate_burst;                      /* rate_limit.burst */
};

/* TLS settings collected by the parser before they are checked. Strings are borrowed
 * from the YAML document; the *_at fields are "file:line:col" places for messages. */
struct lmi_tls_raw {
    const char *cert;                     /* inline certificate PEM, or NULL */
    const char *key;                      /* inline key PEM, or NULL */
    const char *client_ca;                /* inline client CA PEM, or NULL */
    const char *cert_file;                /* cert_file, or NULL */
    const char *key_file;                 /* key_file, or NULL */
    const char *ca_file;                  /* client_ca_file, or NULL */
    int auth_set;                         /* client_auth_type was given */
    enum lm_tls_client_auth client_auth;  /* its value */
    enum lm_tls_version min_version;      /* min_version (default TLS12) */
    enum lm_tls_version max_version;      /* max_version (default TLS13) */
    int *ciphers;                         /* cipher_suites, as lmi_tls_cipher_index values */
    size_t nciphers;                      /* entries in ciphers */
    int *curves;                          /* curve_preferences, lmi_tls_curve_index values */
    size_t ncurves;                       /* entries in curves */
    int prefer_server;                    /* prefer_server_cipher_suites (default 1) */
    char section_at[LM_ERR_WHERE_MAX];    /* the tls_server_config key */
    char cert_at[LM_ERR_WHERE_MAX];       /* cert_file (or cert) value */
    char key_at[LM_ERR_WHERE_MAX];        /* key_file (or key) value */
    char ca_at[LM_ERR_WHERE_MAX];         /* client_ca_file (or client_ca) value */
    char max_at[LM_ERR_WHERE_MAX];        /* max_version value, or the section */
    char ciphers_at[LM_ERR_WHERE_MAX];    /* cipher_suites key */
    char sans_at[LM_ERR_WHERE_MAX];       /* client_allowed_sans key */
};

/* lmi_tls_cipher_index / lmi_tls_curve_index: the table index of a Go cipher suite name
 * (tls.CipherSuites()) or curve name (CurveP256, CurveP384, CurveP521, X25519); -1 when
 * unknown. lmi_tls_version_parse: "TLS10".."TLS13"; LM_EINVAL otherwise. */
int lmi_tls_cipher_index(const char *name);
int lmi_tls_curve_index(const char *name);
int lmi_tls_version_parse(const char *name, enum lm_tls_version *out);

/* lmi_webcfg_tls: check raw TLS settings, read the files (relative to basedir when not
 * NULL) and fill the TLS fields of c. 0, or LM_ECONFIG / LM_EIO / LM_ENOMEM with err. */
int lmi_webcfg_tls(struct lm_webcfg *c, const struct lmi_tls_raw *raw, const char *basedir,
                   struct lm_err *err);

/* lmi_bcrypt_hash_ok: 1 when s looks like a bcrypt hash ($2a$/$2b$/$2y$, cost 04-31,
 * 53 characters of bcrypt base64), else 0. */
int lmi_bcrypt_hash_ok(const char *s);

/* lmi_parse_duration: a Go duration ("1s", "1m30s", "250ms", "0") into nanoseconds.
 * 0 or LM_EINVAL. */
int lmi_parse_duration(const char *s, int64_t *ns);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* webcfg_tls.c: the checks behind web-config.yml that need more than YAML: reading the
 * certificate, key and client CA files, loading them with GnuTLS to prove they parse and
 * match, the Go cipher/curve/version names and the GnuTLS priority string built from
 * them, bcrypt hash syntax and Go durations. Owns no state; the parser is webcfg.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "lm/buf.h"
#include "lm/limits.h"
#include "http_gnutls.h"  /* GnuTLS through dlopen: loaded only when TLS is configured */
#include "webcfg_int.h"

/* Where Debian keeps the system trust store; used as the client CA pool when a verifying
 * client_auth_type has no client_ca_file (Go falls back to the system pool too). */
#define SYSTEM_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

/* Go's tls.CipherSuites() names and the GnuTLS priority items that select them. TLS 1.3
 * suites have no key exchange item. */
static const struct {
    const char *go;       /* Go constant name */
    const char *kx;       /* GnuTLS KX item, or NULL (TLS 1.3) */
    const char *cipher;   /* GnuTLS CIPHER item */
    const char *mac;      /* GnuTLS MAC item */
} ciphers[] = {
    {"TLS_RSA_WITH_AES_128_CBC_SHA", "RSA", "AES-128-CBC", "SHA1"},
    {"TLS_RSA_WITH_AES_256_CBC_SHA", "RSA", "AES-256-CBC", "SHA1"},
    {"TLS_RSA_WITH_AES_128_GCM_SHA256", "RSA", "AES-128-GCM", "AEAD"},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", "RSA", "AES-256-GCM", "AEAD"},
    {"TLS_AES_128_GCM_SHA256", NULL, "AES-128-GCM", "AEAD"},
    {"TLS_AES_256_GCM_SHA384", NULL, "AES-256-GCM", "AEAD"},
    {"TLS_CHACHA20_POLY1305_SHA256", NULL, "CHACHA20-POLY1305", "AEAD"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA", "AES-128-CBC", "SHA1"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA", "AES-256-CBC", "SHA1"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA", "AES-128-CBC", "SHA1"},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA", "AES-256-CBC", "SHA1"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA", "AES-128-GCM", "AEAD"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA", "AES-256-GCM", "AEAD"},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA", "AES-128-GCM", "AEAD"},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA", "AES-256-GCM", "AEAD"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA", "CHACHA20-POLY1305",
     "AEAD"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "ECDHE-ECDSA", "CHACHA20-POLY1305", "AEAD"},
};

/* Go curve names and GnuTLS groups. */
static const struct {
    const char *go;      /* Go name in web-config.yml */
    const char *group;   /* GnuTLS GROUP item */
} curves[] = {
    {"CurveP256", "SECP256R1"},
    {"CurveP384", "SECP384R1"},
    {"CurveP521", "SECP521R1"},
    {"X25519", "X25519"},
};

int
lmi_tls_cipher_index(const char *name)
{
    for (size_t i = 0; i < sizeof ciphers / sizeof ciphers[0]; i++)
        if (!strcmp(name, ciphers[i].go))
            return (int)i;
    return -1;
}

int
lmi_tls_curve_index(const char *name)
{
    for (size_t i = 0; i < sizeof curves / sizeof curves[0]; i++)
        if (!strcmp(name, curves[i].go))
            return (int)i;
    return -1;
}

int
lmi_tls_version_parse(const char *name, enum lm_tls_version *out)
{
    if (strlen(name) != 5 || strncmp(name, "TLS1", 4) || name[4] < '0' || name[4] > '3')
        return LM_EINVAL;
    *out = (enum lm_tls_version)(LM_TLS10 + (name[4] - '0'));
    return 0;
}

/* read_pem: the regular file name (relative to basedir) into a new NUL-terminated string.
 * what names the setting for messages; at is its place. */
static int
read_pem(const char *name, const char *basedir, const char *what, const char *at, char **out,
         struct lm_err *err)
{
    char *path = NULL, *buf = NULL;
    int fd = -1, rc = 0;
    size_t plen = strlen(name) + (basedir ? strlen(basedir) : 0) + 2;
    if (!(path = lm_malloc(plen)))
        return lm_err_set(err, LM_ENOMEM, at, "out of memory");
    if (name[0] != '/' && basedir && *basedir)
        snprintf(path, plen, "%s/%s", basedir, name);
    else
        snprintf(path, plen, "%s", name);
    struct stat st;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
        rc = lm_err_set(err, LM_EIO, at, "cannot read %s \"%s\": %s", what, path, strerror(errno));
        goto out;
    }
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        rc = lm_err_set(err, LM_EIO, at, "cannot read %s \"%s\": not a regular file", what, path);
        goto out;
    }
    if ((unsigned long long)st.st_size > LM_LIMIT_CONFIG_BYTES) {
        rc = lm_err_set(err, LM_ETOOBIG, at, "%s \"%s\" is too big", what, path);
        goto out;
    }
    size_t cap = (size_t)st.st_size + 1, len = 0;
    if (!(buf = lm_malloc(cap))) {
        rc = lm_err_set(err, LM_ENOMEM, at, "out of memory");
        goto out;
    }
    for (;;) {
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = lm_err_set(err, LM_EIO, at, "cannot read %s \"%s\": %s", what, path,
                            strerror(errno));
            goto out;
        }
        if (n == 0 || (len += (size_t)n) == cap - 1)
            break;
    }
    buf[len] = '\0';
    *out = buf;
    buf = NULL;
out:
    if (fd >= 0)
        close(fd);
    lm_free(buf);
    lm_free(path);
    return rc;
}

/* pem: the inline text or the file of one setting into *out. */
static int
pem(const char *inline_text, const char *file, const char *basedir, const char *what,
    const char *at, char **out, struct lm_err *err)
{
    if (file)
        return read_pem(file, basedir, what, at, out, err);
    if (!(*out = lm_strdup(inline_text)))
        return lm_err_set(err, LM_ENOMEM, at, "out of memory");
    return 0;
}

/* priorities: the GnuTLS priority string for raw; NULL on OOM. */
static char *
priorities(const struct lmi_tls_raw *raw)
{
    struct lm_buf b;
    lm_buf_init(&b, 8192);
    lm_buf_puts(&b, "NORMAL:-VERS-ALL");
    for (int v = (int)raw->min_version; v <= (int)raw->max_version; v++)
        lm_buf_printf(&b, ":+VERS-TLS1.%d", v - LM_TLS10);
    if (raw->nciphers) {
        lm_buf_puts(&b, ":-CIPHER-ALL:-KX-ALL:-MAC-ALL");
        for (size_t i = 0; i < raw->nciphers; i++) {
            int c = raw->ciphers[i];
            if (ciphers[c].kx)
                lm_buf_printf(&b, ":+%s", ciphers[c].kx);
            lm_buf_printf(&b, ":+%s:+%s", ciphers[c].cipher, ciphers[c].mac);
        }
        /* cipher_suites only restricts TLS 1.2 and older, as in Go. */
        if (raw->max_version >= LM_TLS13)
            lm_buf_puts(&b, ":+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+AEAD");
    }
    if (raw->ncurves) {
        lm_buf_puts(&b, ":-GROUP-ALL");
        for (size_t i = 0; i < raw->ncurves; i++)
            lm_buf_printf(&b, ":+GROUP-%s", curves[raw->curves[i]].group);
    }
    if (raw->prefer_server)
        lm_buf_puts(&b, ":%SERVER_PRECEDENCE");
    size_t len;
    lm_buf_cstr(&b);  /* NUL-terminates the data that _take hands out */
    return lm_buf_take(&b, &len);
}

/* check_gnutls: load the key pair and the client CA as the server will, and the priority
 * string, so that a bad file or setting fails at start-up. */
static int
check_gnutls(const struct lm_webcfg *c, const struct lmi_tls_raw *raw, struct lm_err *err)
{
    gnutls_certificate_credentials_t cred;
    struct lm_err le;
    if (lmi_gnutls_load(&le))
        return lm_err_set(err, le.code, raw->section_at, "%s", le.msg);
    if (gnutls_certificate_allocate_credentials(&cred) < 0)
        return lm_err_set(err, LM_ENOMEM, raw->section_at, "out of memory");
    int rc = 0, g;
    gnutls_datum_t cd = {(unsigned char *)c->cert_pem, (unsigned)strlen(c->cert_pem)};
    gnutls_datum_t kd = {(unsigned char *)c->key_pem, (unsigned)strlen(c->key_pem)};
    if ((g = gnutls_certificate_set_x509_key_mem(cred, &cd, &kd, GNUTLS_X509_FMT_PEM)) < 0) {
        rc = lm_err_set(err, LM_ECONFIG, raw->cert_at, "failed to load X509 key pair: %s",
                        gnutls_strerror(g));
        goto out;
    }
    if (c->ca_pem) {
        gnutls_datum_t ad = {(unsigned char *)c->ca_pem, (unsigned)strlen(c->ca_pem)};
        g = gnutls_certificate_set_x509_trust_mem(cred, &ad, GNUTLS_X509_FMT_PEM);
        if (g <= 0) {
            rc = lm_err_set(err, LM_ECONFIG, raw->ca_at[0] ? raw->ca_at : raw->section_at,
                            "no valid certificates in the client CA: %s",
                            g < 0 ? gnutls_strerror(g) : "none found");
            goto out;
        }
    }
    gnutls_priority_t prio;
    const char *errpos = NULL;
    if ((g = gnutls_priority_init(&prio, c->priorities, &errpos)) < 0) {
        rc = lm_err_set(err, LM_ECONFIG, raw->ciphers_at[0] ? raw->ciphers_at : raw->max_at,
                        "TLS settings rejected by GnuTLS (%s) at \"%s\"", gnutls_strerror(g),
                        errpos ? errpos : "?");
        goto out;
    }
    gnutls_priority_deinit(prio);
out:
    gnutls_certificate_free_credentials(cred);
    return rc;
}

int
lmi_webcfg_tls(struct lm_webcfg *c, const struct lmi_tls_raw *raw, const char *basedir,
               struct lm_err *err)
{
    c->min_version = raw->min_version;
    c->max_version = raw->max_version;
    c->client_auth = raw->client_auth;
    if (!raw->cert && !raw->cert_file && !raw->key && !raw->key_file && !raw->client_ca &&
        !raw->ca_file && !raw->auth_set)
        return 0;  /* no TLS: the rest of tls_server_config is ignored, as upstream does */
    c->tls = 1;
    if (raw->min_version > raw->max_version)
        return lm_err_set(err, LM_ECONFIG, raw->max_at, "min_version is greater than max_version");
    if (!raw->cert && !raw->cert_file)
        return lm_err_set(err, LM_ECONFIG, raw->section_at, "missing one of cert or cert_file");
    if (!raw->key && !raw->key_file)
        return lm_err_set(err, LM_ECONFIG, raw->section_at, "missing one of key or key_file");
    int verify = c->client_auth == LM_TLS_VERIFY_CLIENT_CERT_IF_GIVEN ||
                 c->client_auth == LM_TLS_REQUIRE_AND_VERIFY_CLIENT_CERT;
    if ((raw->client_ca || raw->ca_file) && c->client_auth == LM_TLS_NO_CLIENT_CERT)
        return lm_err_set(err, LM_ECONFIG, raw->ca_at,
                          "client CA's have been configured without a Client Auth Policy");
    if (c->nsans && c->client_auth != LM_TLS_REQUIRE_ANY_CLIENT_CERT &&
        c->client_auth != LM_TLS_REQUIRE_AND_VERIFY_CLIENT_CERT)
        return lm_err_set(err, LM_ECONFIG, raw->sans_at,
                          "client_allowed_sans requires client_auth_type to be one of "
                          "RequireAnyClientCert or RequireAndVerifyClientCert");
    int rc = pem(raw->cert, raw->cert_file, basedir, "cert_file", raw->cert_at, &c->cert_pem, err);
    if (!rc)
        rc = pem(raw->key, raw->key_file, basedir, "key_file", raw->key_at, &c->key_pem, err);
    if (!rc && (raw->client_ca || raw->ca_file))
        rc = pem(raw->client_ca, raw->ca_file, basedir, "client_ca_file", raw->ca_at, &c->ca_pem,
                 err);
    else if (!rc && verify)
        rc = read_pem(SYSTEM_CA_BUNDLE, NULL, "system CA bundle", raw->section_at, &c->ca_pem,
                      err);
    if (rc)
        return rc;
    if (!(c->priorities = priorities(raw)))
        return lm_err_set(err, LM_ENOMEM, raw->section_at, "out of memory");
    return check_gnutls(c, raw, err);
}

int
lmi_bcrypt_hash_ok(const char *s)
{
    static const char b64[] = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    if (strlen(s) != 60 || s[0] != '$' || s[1] != '2' || !strchr("aby", s[2]) || !s[2] ||
        s[3] != '$' || s[6] != '$')
        return 0;
    if (s[4] < '0' || s[4] > '3' || s[5] < '0' || s[5] > '9')
        return 0;
    int cost = (s[4] - '0') * 10 + (s[5] - '0');
    if (cost < 4 || cost > 31)
        return 0;
    for (size_t i = 7; i < 60; i++)
        if (!strchr(b64, s[i]) || !s[i])
            return 0;
    return 1;
}

/* Go's duration units, longest spelling first where one is a prefix of another. */
static const struct {
    const char *unit;   /* spelling */
    double ns;          /* nanoseconds per unit */
} units[] = {
    {"ns", 1}, {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"\xce\xbcs", 1e3}, {"ms", 1e6},
    {"s", 1e9}, {"m", 60e9}, {"h", 3600e9},
};

int
lmi_parse_duration(const char *s, int64_t *ns)
{
    const char *p = s;
    if (!strcmp(s, "0")) {
        *ns = 0;
        return 0;
    }
    if (*p >= '0' && *p <= '9' && p[strspn(p, "0123456789")] == '\0' && strlen(p) < 19) {
        *ns = 0;  /* a bare integer: nanoseconds, as yaml.v2 stores it in a Duration */
        for (; *p; p++)
            *ns = *ns * 10 + (*p - '0');
        return 0;
    }
    double total = 0;
    if (!*p)
        return LM_EINVAL;
    while (*p) {
        double v = 0, scale = 1;
        int digits = 0;
        for (; *p >= '0' && *p <= '9'; p++, digits++)
            v = v * 10 + (*p - '0');
        if (*p == '.')
            for (p++; *p >= '0' && *p <= '9'; p++, digits++)
                v += (*p - '0') * (scale /= 10);
        if (!digits)
            return LM_EINVAL;
        size_t best = sizeof units / sizeof units[0], blen = 0;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            size_t l = strlen(units[i].unit);
            if (l > blen && !strncmp(p, units[i].unit, l)) {
                best = i;
                blen = l;
            }
        }
        if (!blen)
            return LM_EINVAL;
        total += v * units[best].ns;
        p += blen;
        if (total > 9.2e18)
            return LM_EINVAL;
    }
    *ns = (int64_t)total;
    return 0;
}

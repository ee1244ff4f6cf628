/* SPDX-License-Identifier: Apache-2.0 */
/* http_auth.c: who may talk to the HTTP server: basic auth against bcrypt hashes (libcrypt's
 * crypt_rn, loaded with dlopen when basic auth is configured) with an in-memory cache of
 * successful checks keyed by an HMAC-SHA256 (lm/hash.h) under a random per-server key
 * (getrandom), TLS client-certificate policy on the GnuTLS session (loaded with dlopen
 * only when TLS is configured, http_gnutls.h), and the rate limiter. Never logs or keeps
 * a password; the dispatcher lives in http.c. */
#include <arpa/inet.h>
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include "lm/alloc.h"
#include "lm/dl.h"
#include "lm/hash.h"
#include "http_gnutls.h"
#include "http_int.h"
#include "webcfg_int.h"

#define CACHE_SLOTS 64      /* successful (user, hash, password) checks remembered */
#define DIGEST_LEN 32       /* HMAC-SHA256 */

/* bcrypt hash of a random, discarded password: checked for unknown users so that they
 * take as long as known ones. */
static const char fake_hash[] = "$2y$10$VxME4plD.5P0YfLl0QVjbuicJ6lWxsBsybSfqQtFQ5WtM7djAHt1.";

/* libcrypt's crypt_rn, resolved by load_crypt(); NULL before. */
static char *(*crypt_rn_fn)(const char *phrase, const char *setting, void *data, int size);
static pthread_once_t crypt_once = PTHREAD_ONCE_INIT;

/* load_crypt: dlopen libcrypt.so.1 once; crypt_rn_fn stays NULL when it is missing. */
static void
load_crypt(void)
{
    char *(*fn)(const char *, const char *, void *, int) = NULL;
    char why[256];
    const struct lm_dl_sym syms[] = {{"crypt_rn", (void **)&fn}};
    if (!lm_dl_open("libcrypt.so.1", "libcrypt", syms, 1, why, sizeof why))
        crypt_rn_fn = fn;
}

struct lmi_auth {
    const struct lm_webcfg *c;                       /* users and hashes (borrowed) */
    unsigned char key[DIGEST_LEN];                   /* random HMAC key of this server */
    pthread_mutex_t cache_mu;                        /* guards slots and next */
    unsigned char slots[CACHE_SLOTS][DIGEST_LEN];    /* digests of good checks */
    unsigned char used[CACHE_SLOTS];                 /* slot holds a digest */
    size_t next;                                     /* slot replaced next (round robin) */
    pthread_mutex_t bcrypt_mu;                       /* one bcrypt at a time, as upstream */
};

/* random_key: n (<= 256) bytes from getrandom(2) into key. 0 or -1. */
static int
random_key(unsigned char *key, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(key + got, n - got, 0);
        if (r < 0 && errno != EINTR)
            return -1;
        if (r > 0)
            got += (size_t)r;
    }
    return 0;
}

struct lmi_auth *
lmi_auth_new(const struct lm_webcfg *c)
{
    struct lmi_auth *a = lm_calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->c = c;
    pthread_once(&crypt_once, load_crypt);
    if (!crypt_rn_fn || random_key(a->key, sizeof a->key)) {
        lm_free(a);
        return NULL;
    }
    pthread_mutex_init(&a->cache_mu, NULL);
    pthread_mutex_init(&a->bcrypt_mu, NULL);
    return a;
}

void
lmi_auth_free(struct lmi_auth *a)
{
    if (!a)
        return;
    pthread_mutex_destroy(&a->cache_mu);
    pthread_mutex_destroy(&a->bcrypt_mu);
    explicit_bzero(a, sizeof *a);
    lm_free(a);
}

static int
same(const unsigned char *x, const unsigned char *y, size_t n)
{
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++)
        d |= x[i] ^ y[i];
    return d == 0;
}

/* digest: HMAC-SHA256(key, len(user) user len(hash) hash password). Lengths prefix the
 * parts so that no two triples share an input. 0 or -1. */
static int
digest(const struct lmi_auth *a, const char *user, const char *hash, const char *pass,
       unsigned char out[DIGEST_LEN])
{
    const char *parts[3] = {user, hash, pass};
    unsigned long long lens[3];
    size_t total = 0;
    for (int i = 0; i < 3; i++) {
        lens[i] = strlen(parts[i]);
        total += sizeof lens[i] + lens[i];
    }
    unsigned char *msg = lm_malloc(total);
    if (!msg)
        return -1;
    size_t off = 0;
    for (int i = 0; i < 3; i++) {
        memcpy(msg + off, &lens[i], sizeof lens[i]);
        off += sizeof lens[i];
        memcpy(msg + off, parts[i], lens[i]);
        off += lens[i];
    }
    lm_hmac_sha256(a->key, sizeof a->key, msg, total, out);
    explicit_bzero(msg, total);
    lm_free(msg);
    return 0;
}

/* bcrypt_ok: 1 when pass hashes to hash. */
static int
bcrypt_ok(struct lmi_auth *a, const char *hash, const char *pass)
{
    struct crypt_data *cd = lm_calloc(1, sizeof *cd);
    if (!cd)
        return 0;
    pthread_mutex_lock(&a->bcrypt_mu);
    const char *h = crypt_rn_fn(pass, hash, cd, sizeof *cd);
    pthread_mutex_unlock(&a->bcrypt_mu);
    size_t n = strlen(hash);
    int ok = h && h[0] != '*' && strlen(h) == n && same((const void *)h, (const void *)hash, n);
    explicit_bzero(cd, sizeof *cd);
    lm_free(cd);
    return ok;
}

int
lmi_auth_check(struct lmi_auth *a, const char *user, const char *pass)
{
    const char *hash = lm_webcfg_user_hash(a->c, user);
    if (!hash) {
        bcrypt_ok(a, fake_hash, pass);
        return 0;
    }
    unsigned char d[DIGEST_LEN];
    int have_digest = digest(a, user, hash, pass, d) == 0, hit = 0;
    if (have_digest) {
        pthread_mutex_lock(&a->cache_mu);
        for (size_t i = 0; i < CACHE_SLOTS && !hit; i++)
            hit = a->used[i] && same(a->slots[i], d, DIGEST_LEN);
        pthread_mutex_unlock(&a->cache_mu);
        if (hit)
            return 1;
    }
    if (!bcrypt_ok(a, hash, pass))
        return 0;
    if (have_digest) {
        pthread_mutex_lock(&a->cache_mu);
        memcpy(a->slots[a->next], d, DIGEST_LEN);
        a->used[a->next] = 1;
        a->next = (a->next + 1) % CACHE_SLOTS;
        pthread_mutex_unlock(&a->cache_mu);
    }
    return 1;
}

/* verify_peer: handshake-time check: a certificate the client sent must verify against
 * the client CA. No certificate passes here; requiring one is the REQUIRE request's job. */
static int
verify_peer(gnutls_session_t s)
{
    unsigned n = 0, status = 0;
    if (!gnutls_certificate_get_peers(s, &n) || !n)
        return 0;
    if (gnutls_certificate_verify_peers2(s, &status) < 0 || status)
        return -1;
    return 0;
}

void
lmi_tls_prepare(const struct lm_webcfg *c, void *session)
{
    gnutls_session_t s = session;
    switch (c->client_auth) {
    case LM_TLS_NO_CLIENT_CERT:
        return;
    case LM_TLS_REQUEST_CLIENT_CERT:
        gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUEST);
        return;
    case LM_TLS_REQUIRE_ANY_CLIENT_CERT:
        gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUIRE);
        return;
    case LM_TLS_VERIFY_CLIENT_CERT_IF_GIVEN:
        gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUEST);
        break;
    case LM_TLS_REQUIRE_AND_VERIFY_CLIENT_CERT:
        gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUIRE);
        break;
    }
    gnutls_session_set_verify_function(s, verify_peer);
}

/* san_allowed: 1 when one of the subject alternative names of the DER certificate is in
 * client_allowed_sans (DNS, e-mail, URI or IP address, as Go compares them). */
static int
san_allowed(const struct lm_webcfg *c, const gnutls_datum_t *der)
{
    gnutls_x509_crt_t crt;
    int found = 0;
    if (gnutls_x509_crt_init(&crt) < 0)
        return 0;
    if (gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) < 0)
        goto out;
    for (unsigned seq = 0; !found; seq++) {
        char buf[1024], ip[INET6_ADDRSTRLEN];
        size_t len = sizeof buf - 1;
        int type = gnutls_x509_crt_get_subject_alt_name(crt, seq, buf, &len, NULL);
        if (type == GNUTLS_E_SHORT_MEMORY_BUFFER)
            continue;
        if (type < 0)
            break;
        const char *name = NULL;
        if (type == GNUTLS_SAN_DNSNAME || type == GNUTLS_SAN_RFC822NAME || type == GNUTLS_SAN_URI) {
            buf[len] = '\0';
            name = strlen(buf) == len ? buf : NULL;
        } else if (type == GNUTLS_SAN_IPADDRESS && (len == 4 || len == 16)) {
            name = inet_ntop(len == 4 ? AF_INET : AF_INET6, buf, ip, sizeof ip);
        }
        for (size_t i = 0; name && i < c->nsans && !found; i++)
            found = !strcmp(name, c->sans[i]);
    }
out:
    gnutls_x509_crt_deinit(crt);
    return found;
}

int
lmi_tls_check(const struct lm_webcfg *c, void *session, char *why, size_t whysz)
{
    gnutls_session_t s = session;
    unsigned n = 0, status = 0;
    const gnutls_datum_t *certs;
    if (c->client_auth == LM_TLS_NO_CLIENT_CERT || c->client_auth == LM_TLS_REQUEST_CLIENT_CERT)
        return 0;
    if (!s) {
        snprintf(why, whysz, "no TLS session");
        return -1;
    }
    certs = gnutls_certificate_get_peers(s, &n);
    if (!certs || !n) {
        if (c->client_auth == LM_TLS_VERIFY_CLIENT_CERT_IF_GIVEN)
            return 0;
        snprintf(why, whysz, "no client certificate");
        return -1;
    }
    if (c->client_auth != LM_TLS_REQUIRE_ANY_CLIENT_CERT &&
        (gnutls_certificate_verify_peers2(s, &status) < 0 || status)) {
        snprintf(why, whysz, "client certificate not verified (status 0x%x)", status);
        return -1;
    }
    if (c->nsans && !san_allowed(c, &certs[0])) {
        snprintf(why, whysz, "no allowed SAN in the client certificate");
        return -1;
    }
    return 0;
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
lmi_rate_init(struct lmi_rate *r, long long interval_ns, long burst)
{
    pthread_mutex_init(&r->mu, NULL);
    r->per_sec = 1e9 / (double)interval_ns;
    r->burst = burst > 0 ? (double)burst : 0;
    r->tokens = r->burst;
    r->last = now_s();
}

void
lmi_rate_cleanup(struct lmi_rate *r)
{
    pthread_mutex_destroy(&r->mu);
}

int
lmi_rate_allow(struct lmi_rate *r)
{
    pthread_mutex_lock(&r->mu);
    double t = now_s();
    r->tokens += (t - r->last) * r->per_sec;
    if (r->tokens > r->burst)
        r->tokens = r->burst;
    r->last = t;
    int ok = r->tokens >= 1;
    if (ok)
        r->tokens -= 1;
    pthread_mutex_unlock(&r->mu);
    return ok;
}

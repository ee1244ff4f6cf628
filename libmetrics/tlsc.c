/* SPDX-License-Identifier: Apache-2.0 */
/* tlsc.c: the TLS client of lm/tlsc.h on the dlopen'ed GnuTLS (http_gnutls.h). The
 * handshake and every record call run on the caller's non-blocking socket, each wait one
 * poll() for the time left. Credentials (trust store or CA file, client key pair) are
 * built once per file set and file modification times and kept in a small cache shared
 * by all threads (GnuTLS credentials are read-only once set); priorities are built once
 * per minimum version. Verification happens after the handshake with the server name,
 * and its status is worded as Go's crypto/x509 errors. The verified chain's expiry is
 * taken over the presented chain (GnuTLS does not hand out the path it built; the trust
 * anchor is left out: in practice it outlives the certificates under it). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include "lm/alloc.h"
#include "lm/exporter.h"
#include "lm/tlsc.h"
#include "http_gnutls.h"

#define CRED_CACHE 16          /* credential sets kept */
#define PATH_KEY_MAX 1024      /* bytes of the three paths in a cache key */

struct lm_tlsc {
    gnutls_session_t s;                      /* the session */
    gnutls_certificate_credentials_t own;    /* credentials not in the cache, or NULL */
    int fd;                                  /* the socket (borrowed) */
    struct lm_tlsc_info info;                /* facts of the handshake */
};

struct cred_entry {
    char key[PATH_KEY_MAX];                  /* "ca\ncert\nkey" */
    struct timespec mt[3];                   /* the files' modification times */
    gnutls_certificate_credentials_t cred;   /* built credentials */
};

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct cred_entry cache[CRED_CACHE];  /* guarded by cache_mu */
static size_t cache_n;                        /* entries used */
static size_t cache_next;                     /* next slot to replace once full */
static gnutls_priority_t prios[4];            /* by minimum version, under cache_mu */

static void
mtime_of(const char *path, struct timespec *ts)
{
    struct stat st;
    memset(ts, 0, sizeof *ts);
    if (path && !stat(path, &st))
        *ts = st.st_mtim;
}

/* build_cred: credentials for o into *out. 0 or LM_ECONFIG / LM_ENOMEM with err set. */
static int
build_cred(const struct lm_tlsc_opts *o, gnutls_certificate_credentials_t *out,
           struct lm_err *err)
{
    gnutls_certificate_credentials_t c;
    if (gnutls_certificate_allocate_credentials(&c) < 0)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    int r = o->ca_file ? gnutls_certificate_set_x509_trust_file(c, o->ca_file,
                                                                GNUTLS_X509_FMT_PEM)
                       : gnutls_certificate_set_x509_system_trust(c);
    if (r < 0 || (o->ca_file && r == 0)) {
        gnutls_certificate_free_credentials(c);
        if (!o->ca_file)
            return lm_err_set(err, LM_ECONFIG, NULL, "cannot load the system trust store: %s",
                              gnutls_strerror(r));
        return lm_err_set(err, LM_ECONFIG, NULL, "unable to load specified CA cert %s: %s",
                          o->ca_file, r < 0 ? gnutls_strerror(r) : "no certificate in it");
    }
    if (o->cert_file && o->key_file &&
        (r = gnutls_certificate_set_x509_key_file(c, o->cert_file, o->key_file,
                                                  GNUTLS_X509_FMT_PEM)) < 0) {
        gnutls_certificate_free_credentials(c);
        return lm_err_set(err, LM_ECONFIG, NULL,
                          "unable to use specified client cert (%s) & key (%s): %s",
                          o->cert_file, o->key_file, gnutls_strerror(r));
    }
    *out = c;
    return 0;
}

/* get_cred: cached credentials for o into *c (*own set when the caller must free them). */
static int
get_cred(const struct lm_tlsc_opts *o, gnutls_certificate_credentials_t *c, bool *own,
         struct lm_err *err)
{
    char key[PATH_KEY_MAX];
    struct timespec mt[3];
    int kl = snprintf(key, sizeof key, "%s\n%s\n%s", o->ca_file ? o->ca_file : "",
                      o->cert_file ? o->cert_file : "", o->key_file ? o->key_file : "");
    mtime_of(o->ca_file, &mt[0]);
    mtime_of(o->cert_file, &mt[1]);
    mtime_of(o->key_file, &mt[2]);
    *own = kl < 0 || (size_t)kl >= sizeof key;
    if (*own)
        return build_cred(o, c, err);
    pthread_mutex_lock(&cache_mu);
    for (size_t i = 0; i < cache_n; i++)
        if (!strcmp(cache[i].key, key) && !memcmp(cache[i].mt, mt, sizeof mt)) {
            *c = cache[i].cred;
            pthread_mutex_unlock(&cache_mu);
            return 0;
        }
    /* Built under the lock: rare (once per file set), and it keeps the cache simple. A
     * replaced entry's credentials are leaked on purpose: a session on another thread
     * may still use them. */
    int rc = build_cred(o, c, err);
    if (!rc) {
        size_t slot = cache_n < CRED_CACHE ? cache_n++ : cache_next++ % CRED_CACHE;
        snprintf(cache[slot].key, sizeof cache[slot].key, "%s", key);
        memcpy(cache[slot].mt, mt, sizeof mt);
        cache[slot].cred = *c;
    }
    pthread_mutex_unlock(&cache_mu);
    return rc;
}

/* get_prio: the priority cache for min_version. */
static int
get_prio(const char *min, gnutls_priority_t *p, struct lm_err *err)
{
    static const char *const names[4] = {"TLS10", "TLS11", "TLS12", "TLS13"};
    static const char *const strs[4] = {
        "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0",
        "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:+VERS-TLS1.1",
        "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
        "NORMAL:-VERS-ALL:+VERS-TLS1.3",
    };
    int i = 2;
    if (min && *min) {
        for (i = 0; i < 4 && strcmp(min, names[i]); i++)
            ;
        if (i == 4)
            return lm_err_set(err, LM_ECONFIG, NULL, "unknown TLS version: %s", min);
    }
    int rc = 0;
    pthread_mutex_lock(&cache_mu);
    if (!prios[i]) {
        int r = gnutls_priority_init(&prios[i], strs[i], NULL);
        if (r < 0) {
            prios[i] = NULL;
            rc = lm_err_set(err, LM_ECONFIG, NULL, "TLS priorities \"%s\": %s", strs[i],
                            gnutls_strerror(r));
        }
    }
    *p = prios[i];
    pthread_mutex_unlock(&cache_mu);
    return rc;
}

/* wait_dir: wait until the socket is ready for what GnuTLS last wanted. */
static int
wait_dir(struct lm_tlsc *t, double deadline)
{
    short ev = gnutls_record_get_direction(t->s) ? POLLOUT : POLLIN;
    for (;;) {
        double left = deadline - lm_monotonic();
        if (left <= 0)
            return LM_ETIMEOUT;
        struct pollfd p = {.fd = t->fd, .events = ev};
        int n = poll(&p, 1, left > 1e6 ? 1000000000 : (int)(left * 1000) + 1);
        if (n > 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return LM_EIO;
    }
}

static bool
is_ip(const char *s)
{
    unsigned char a[16];
    return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/* verify_error: Go's crypto/x509 wording for a failed verification status. */
static int
verify_error(unsigned st, const char *name, struct lm_err *err)
{
    if (st & GNUTLS_CERT_SIGNER_NOT_FOUND)
        return lm_err_set(err, LM_EIO, NULL, "x509: certificate signed by unknown authority");
    if (st & (GNUTLS_CERT_EXPIRED | GNUTLS_CERT_NOT_ACTIVATED))
        return lm_err_set(err, LM_EIO, NULL,
                          "x509: certificate has expired or is not yet valid");
    if (st & GNUTLS_CERT_UNEXPECTED_OWNER)
        return lm_err_set(err, LM_EIO, NULL, "x509: certificate is not valid for %s",
                          name && *name ? name : "(no server name)");
    if (st & GNUTLS_CERT_SIGNER_NOT_CA)
        return lm_err_set(err, LM_EIO, NULL,
                          "x509: certificate signed by a certificate that is not a CA");
    return lm_err_set(err, LM_EIO, NULL, "x509: certificate verification failed (status %#x)",
                      st);
}

/* dn_text: the subject (issuer: the issuer) of crt in RFC 4514 order, as Go prints it. */
static void
dn_text(gnutls_x509_crt_t crt, int issuer, char *out, size_t outsz)
{
    gnutls_datum_t d = {NULL, 0};
    int r = issuer ? gnutls_x509_crt_get_issuer_dn3(crt, &d, 0)
                   : gnutls_x509_crt_get_dn3(crt, &d, 0);
    out[0] = '\0';
    if (r >= 0 && d.data)
        snprintf(out, outsz, "%.*s", (int)d.size, (const char *)d.data);
    if (d.data)
        (*lmi_gnutls.free_var)(d.data);
}

/* collect: the certificate facts of the presented chain into t->info. */
static void
collect(struct lm_tlsc *t)
{
    struct lm_tlsc_info *in = &t->info;
    const char *v = gnutls_protocol_get_name(gnutls_protocol_get_version(t->s));
    if (v && !strncmp(v, "TLS", 3) && v[3] != ' ')
        snprintf(in->version, sizeof in->version, "TLS %s", v + 3);
    else
        snprintf(in->version, sizeof in->version, "%s", v ? v : "unknown");
    const char *c = gnutls_cipher_get_name(gnutls_cipher_get(t->s));
    snprintf(in->cipher, sizeof in->cipher, "%s", c ? c : "");
    unsigned n = 0;
    const gnutls_datum_t *peers = gnutls_certificate_get_peers(t->s, &n);
    double earliest = 0;
    for (unsigned i = 0; peers && i < n; i++) {
        gnutls_x509_crt_t crt;
        if (gnutls_x509_crt_init(&crt) < 0)
            break;
        if (gnutls_x509_crt_import(crt, &peers[i], GNUTLS_X509_FMT_DER) < 0) {
            gnutls_x509_crt_deinit(crt);
            continue;
        }
        time_t na = gnutls_x509_crt_get_expiration_time(crt);
        if (na != (time_t)-1 && (earliest == 0 || (double)na < earliest))
            earliest = (double)na;
        if (i == 0) {
            unsigned char md[32];
            size_t ml = sizeof md;
            if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, md, &ml) >= 0)
                for (size_t k = 0; k < ml && k < 32; k++)
                    snprintf(in->fingerprint + 2 * k, 3, "%02x", md[k]);
            dn_text(crt, 0, in->subject, sizeof in->subject);
            dn_text(crt, 1, in->issuer, sizeof in->issuer);
            size_t used = 0;
            for (unsigned seq = 0;; seq++) {
                char san[256];
                size_t sl = sizeof san - 1;
                int type = gnutls_x509_crt_get_subject_alt_name(crt, seq, san, &sl, NULL);
                if (type == GNUTLS_E_SHORT_MEMORY_BUFFER)
                    continue;
                if (type < 0)
                    break;
                if (type != GNUTLS_SAN_DNSNAME)
                    continue;
                san[sl < sizeof san ? sl : sizeof san - 1] = '\0';
                int w = snprintf(in->san + used, sizeof in->san - used, "%s%s",
                                 used ? "," : "", san);
                if (w < 0 || (size_t)w >= sizeof in->san - used) {
                    in->san[used] = '\0';
                    break;
                }
                used += (size_t)w;
            }
        }
        gnutls_x509_crt_deinit(crt);
    }
    in->earliest_expiry = earliest;
    in->last_chain_expiry = in->verified && earliest ? earliest : LM_TLSC_GO_ZERO_TIME;
}

struct lm_tlsc *
lm_tlsc_start(int fd, const struct lm_tlsc_opts *o, double deadline, struct lm_err *err)
{
    if (lmi_gnutls_load(err))
        return NULL;
    struct lm_tlsc *t = lm_malloc(sizeof *t);
    if (!t) {
        lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        return NULL;
    }
    memset(t, 0, sizeof *t);
    t->fd = fd;
    gnutls_certificate_credentials_t cred = NULL;
    gnutls_priority_t prio = NULL;
    bool own = false;
    if (get_prio(o->min_version, &prio, err) || get_cred(o, &cred, &own, err)) {
        lm_free(t);
        return NULL;
    }
    if (own)
        t->own = cred;
    if (gnutls_init(&t->s, GNUTLS_CLIENT | GNUTLS_NONBLOCK) < 0) {
        t->s = NULL;
        lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        goto fail;
    }
    gnutls_priority_set(t->s, prio);
    gnutls_credentials_set(t->s, GNUTLS_CRD_CERTIFICATE, cred);
    const char *name = o->server_name;
    if (name && *name && !is_ip(name))
        gnutls_server_name_set(t->s, GNUTLS_NAME_DNS, name, strlen(name));
    gnutls_transport_set_int2(t->s, fd, fd);
    for (;;) {
        int r = gnutls_handshake(t->s);
        if (!r)
            break;
        if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED || !gnutls_error_is_fatal(r)) {
            int w = wait_dir(t, deadline);
            if (w == LM_ETIMEOUT) {
                lm_err_set(err, LM_ETIMEOUT, NULL, "tls: handshake: i/o timeout");
                goto fail;
            }
            if (w) {
                lm_err_set(err, LM_EIO, NULL, "tls: handshake: poll: %s", strerror(errno));
                goto fail;
            }
            continue;
        }
        if (r == GNUTLS_E_FATAL_ALERT_RECEIVED)
            lm_err_set(err, LM_EIO, NULL, "remote error: tls: %s",
                       gnutls_alert_get_name(gnutls_alert_get(t->s)));
        else
            lm_err_set(err, LM_EIO, NULL, "tls: handshake failure: %s", gnutls_strerror(r));
        goto fail;
    }
    if (!o->insecure_skip_verify) {
        unsigned st = 0;
        int r = gnutls_certificate_verify_peers3(t->s, name && *name ? name : NULL, &st);
        if (r < 0) {
            lm_err_set(err, LM_EIO, NULL, "x509: %s", gnutls_strerror(r));
            goto fail;
        }
        if (st) {
            verify_error(st, name, err);
            goto fail;
        }
        t->info.verified = true;
    }
    collect(t);
    return t;
fail:
    lm_tlsc_free(t);
    return NULL;
}

ssize_t
lm_tlsc_read(struct lm_tlsc *t, void *p, size_t n, double deadline, struct lm_err *err)
{
    for (;;) {
        ssize_t r = gnutls_record_recv(t->s, p, n);
        if (r >= 0)
            return r;
        if (r == GNUTLS_E_PREMATURE_TERMINATION)
            return 0;
        if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED || !gnutls_error_is_fatal((int)r)) {
            int w = wait_dir(t, deadline);
            if (w == LM_ETIMEOUT)
                return lm_err_set(err, LM_ETIMEOUT, NULL, "read: i/o timeout");
            if (w)
                return lm_err_set(err, LM_EIO, NULL, "read: poll: %s", strerror(errno));
            continue;
        }
        return lm_err_set(err, LM_EIO, NULL, "read: tls: %s", gnutls_strerror((int)r));
    }
}

int
lm_tlsc_write(struct lm_tlsc *t, const void *p, size_t n, double deadline, struct lm_err *err)
{
    const char *b = p;
    while (n) {
        ssize_t r = gnutls_record_send(t->s, b, n);
        if (r > 0) {
            b += r;
            n -= (size_t)r;
            continue;
        }
        if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
            int w = wait_dir(t, deadline);
            if (w == LM_ETIMEOUT)
                return lm_err_set(err, LM_ETIMEOUT, NULL, "write: i/o timeout");
            if (w)
                return lm_err_set(err, LM_EIO, NULL, "write: poll: %s", strerror(errno));
            continue;
        }
        return lm_err_set(err, LM_EIO, NULL, "write: tls: %s", gnutls_strerror((int)r));
    }
    return 0;
}

void
lm_tlsc_info(const struct lm_tlsc *t, struct lm_tlsc_info *out)
{
    *out = t->info;
}

void
lm_tlsc_free(struct lm_tlsc *t)
{
    if (!t)
        return;
    if (t->s)
        gnutls_deinit(t->s);
    if (t->own)
        gnutls_certificate_free_credentials(t->own);
    lm_free(t);
}

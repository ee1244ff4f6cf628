/* SPDX-License-Identifier: Apache-2.0 */
/* http_tls.c: the server side of TLS for the HTTP server: the key pair, client CA and
 * priorities of the web config loaded once into GnuTLS credentials (GnuTLS itself is
 * loaded with dlopen only here and for basic auth, see http_gnutls.h), then one session
 * per connection: handshake under the idle timeout with the client-certificate request
 * of http_auth.c, and record I/O for http_conn.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/webcfg.h"
#include "http_conn.h"
#include "http_gnutls.h"
#include "webcfg_int.h"
#include "http_int.h"

struct lmi_tls {
    gnutls_certificate_credentials_t cred;   /* key pair and client CA */
    gnutls_priority_t prio;                  /* versions, ciphers, curves */
};

struct lmi_tls *
lmi_tls_new(const struct lm_webcfg *wc, struct lm_err *err)
{
    if (lmi_gnutls_load(err))
        return NULL;
    struct lmi_tls *t = lm_calloc(1, sizeof *t);
    if (!t) {
        lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        return NULL;
    }
    int g = gnutls_certificate_allocate_credentials(&t->cred);
    if (g < 0) {
        lm_free(t);
        lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        return NULL;
    }
    gnutls_datum_t cd = {(unsigned char *)wc->cert_pem, (unsigned)strlen(wc->cert_pem)};
    gnutls_datum_t kd = {(unsigned char *)wc->key_pem, (unsigned)strlen(wc->key_pem)};
    const char *errpos = NULL;
    if ((g = gnutls_certificate_set_x509_key_mem(t->cred, &cd, &kd, GNUTLS_X509_FMT_PEM)) < 0) {
        lm_err_set(err, LM_ECONFIG, NULL, "TLS key pair: %s", gnutls_strerror(g));
    } else if (wc->ca_pem &&
               (g = gnutls_certificate_set_x509_trust_mem(
                    t->cred, &(gnutls_datum_t){(unsigned char *)wc->ca_pem,
                                               (unsigned)strlen(wc->ca_pem)},
                    GNUTLS_X509_FMT_PEM)) < 0) {
        lm_err_set(err, LM_ECONFIG, NULL, "TLS client CA: %s", gnutls_strerror(g));
    } else if ((g = gnutls_priority_init(&t->prio, wc->priorities, &errpos)) < 0) {
        t->prio = NULL;
        lm_err_set(err, LM_ECONFIG, NULL, "TLS settings rejected by GnuTLS (%s)",
                   gnutls_strerror(g));
    } else {
        return t;
    }
    lmi_tls_free(t);
    return NULL;
}

void
lmi_tls_free(struct lmi_tls *t)
{
    if (!t)
        return;
    if (t->prio)
        gnutls_priority_deinit(t->prio);
    gnutls_certificate_free_credentials(t->cred);
    lm_free(t);
}

void *
lmi_tls_accept(struct lmi_tls *t, const struct lm_webcfg *wc, int fd, unsigned timeout_ms,
               char *why, size_t whysz)
{
    gnutls_session_t s;
    int g = gnutls_init(&s, GNUTLS_SERVER | GNUTLS_NO_SIGNAL);
    if (g < 0) {
        snprintf(why, whysz, "%s", gnutls_strerror(g));
        return NULL;
    }
    if ((g = gnutls_priority_set(s, t->prio)) < 0 ||
        (g = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, t->cred)) < 0) {
        snprintf(why, whysz, "%s", gnutls_strerror(g));
        gnutls_deinit(s);
        return NULL;
    }
    lmi_tls_prepare(wc, s);
    gnutls_transport_set_int2(s, fd, fd);
    if (timeout_ms)
        gnutls_handshake_set_timeout(s, timeout_ms);
    do {
        g = gnutls_handshake(s);
    } while (g < 0 && !gnutls_error_is_fatal(g) && g != GNUTLS_E_AGAIN);
    if (g < 0) {
        snprintf(why, whysz, "TLS handshake: %s", gnutls_strerror(g));
        gnutls_deinit(s);
        return NULL;
    }
    return s;
}

long
lmi_tls_recv(void *session, void *p, size_t n)
{
    for (;;) {
        ssize_t r = gnutls_record_recv(session, p, n);
        if (r >= 0)
            return (long)r;
        if (r == GNUTLS_E_INTERRUPTED || r == GNUTLS_E_REHANDSHAKE)
            continue;
        if (r == GNUTLS_E_PREMATURE_TERMINATION)
            return 0;
        errno = r == GNUTLS_E_AGAIN ? EAGAIN : EIO;
        return -1;
    }
}

long
lmi_tls_send(void *session, const void *p, size_t n)
{
    for (;;) {
        ssize_t r = gnutls_record_send(session, p, n);
        if (r >= 0)
            return (long)r;
        if (r == GNUTLS_E_INTERRUPTED)
            continue;
        errno = r == GNUTLS_E_AGAIN ? EAGAIN : EIO;
        return -1;
    }
}

void
lmi_tls_close(void *session)
{
    if (!session)
        return;
    gnutls_bye(session, GNUTLS_SHUT_WR);
    gnutls_deinit(session);
}

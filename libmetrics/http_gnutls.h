/* SPDX-License-Identifier: Apache-2.0 */
/* http_gnutls.h: GnuTLS loaded with dlopen on first use instead of linked, so a binary
 * whose web config has no TLS and no basic auth users never maps GnuTLS and its
 * dependencies (p11-kit, nettle, hogweed, gmp, tasn1, unistring, idn2: ~2.3 MB of RSS).
 * Include this after the GnuTLS headers, instead of linking: it maps each gnutls_*
 * function libmetrics uses onto the loaded table, so the TLS code reads as plain GnuTLS.
 * Call lmi_gnutls_load() (thread-safe, idempotent) before any other gnutls_* call.
 * Private to libmetrics (http_tls.c, http_auth.c, webcfg_tls.c on the server side, tlsc.c
 * for the TLS client of lm/tlsc.h). */
#ifndef LM_HTTP_GNUTLS_H
#define LM_HTTP_GNUTLS_H

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include "lm/err.h"

/* The loaded functions. */
struct lmi_gnutls_api {
    int (*certificate_allocate_credentials)(gnutls_certificate_credentials_t *c);
    void (*certificate_free_credentials)(gnutls_certificate_credentials_t c);
    const gnutls_datum_t *(*certificate_get_peers)(gnutls_session_t s, unsigned *n);
    void (*certificate_server_set_request)(gnutls_session_t s, gnutls_certificate_request_t r);
    int (*certificate_set_x509_key_mem)(gnutls_certificate_credentials_t c,
                                        const gnutls_datum_t *cert, const gnutls_datum_t *key,
                                        gnutls_x509_crt_fmt_t fmt);
    int (*certificate_set_x509_trust_mem)(gnutls_certificate_credentials_t c,
                                          const gnutls_datum_t *ca, gnutls_x509_crt_fmt_t fmt);
    int (*certificate_verify_peers2)(gnutls_session_t s, unsigned *status);
    int (*hmac_init)(gnutls_hmac_hd_t *h, gnutls_mac_algorithm_t alg, const void *key,
                     size_t keylen);
    int (*hmac)(gnutls_hmac_hd_t h, const void *p, size_t n);
    void (*hmac_deinit)(gnutls_hmac_hd_t h, void *digest);
    int (*priority_init)(gnutls_priority_t *p, const char *prio, const char **errpos);
    void (*priority_deinit)(gnutls_priority_t p);
    int (*rnd)(gnutls_rnd_level_t level, void *p, size_t n);
    void (*session_set_verify_function)(gnutls_session_t s,
                                        gnutls_certificate_verify_function *f);
    const char *(*strerror)(int e);
    int (*x509_crt_init)(gnutls_x509_crt_t *c);
    int (*x509_crt_import)(gnutls_x509_crt_t c, const gnutls_datum_t *d,
                           gnutls_x509_crt_fmt_t fmt);
    int (*x509_crt_get_subject_alt_name)(gnutls_x509_crt_t c, unsigned seq, void *san,
                                         size_t *len, unsigned *critical);
    void (*x509_crt_deinit)(gnutls_x509_crt_t c);
    int (*init)(gnutls_session_t *s, unsigned flags);
    void (*deinit)(gnutls_session_t s);
    int (*priority_set)(gnutls_session_t s, gnutls_priority_t p);
    int (*credentials_set)(gnutls_session_t s, gnutls_credentials_type_t t, void *cred);
    void (*transport_set_int2)(gnutls_session_t s, int r, int w);
    int (*handshake)(gnutls_session_t s);
    void (*handshake_set_timeout)(gnutls_session_t s, unsigned ms);
    ssize_t (*record_recv)(gnutls_session_t s, void *p, size_t n);
    ssize_t (*record_send)(gnutls_session_t s, const void *p, size_t n);
    size_t (*record_check_pending)(gnutls_session_t s);
    int (*bye)(gnutls_session_t s, gnutls_close_request_t how);
    int (*error_is_fatal)(int e);
    /* client side (tlsc.c) */
    int (*certificate_set_x509_system_trust)(gnutls_certificate_credentials_t c);
    int (*certificate_set_x509_trust_file)(gnutls_certificate_credentials_t c,
                                           const char *file, gnutls_x509_crt_fmt_t fmt);
    int (*certificate_set_x509_key_file)(gnutls_certificate_credentials_t c,
                                         const char *cert, const char *key,
                                         gnutls_x509_crt_fmt_t fmt);
    int (*certificate_verify_peers3)(gnutls_session_t s, const char *host, unsigned *status);
    int (*server_name_set)(gnutls_session_t s, gnutls_server_name_type_t t, const void *name,
                           size_t len);
    int (*record_get_direction)(gnutls_session_t s);
    gnutls_protocol_t (*protocol_get_version)(gnutls_session_t s);
    const char *(*protocol_get_name)(gnutls_protocol_t v);
    gnutls_cipher_algorithm_t (*cipher_get)(gnutls_session_t s);
    const char *(*cipher_get_name)(gnutls_cipher_algorithm_t c);
    gnutls_alert_description_t (*alert_get)(gnutls_session_t s);
    const char *(*alert_get_name)(gnutls_alert_description_t a);
    time_t (*x509_crt_get_expiration_time)(gnutls_x509_crt_t c);
    int (*x509_crt_get_dn3)(gnutls_x509_crt_t c, gnutls_datum_t *dn, unsigned flags);
    int (*x509_crt_get_issuer_dn3)(gnutls_x509_crt_t c, gnutls_datum_t *dn, unsigned flags);
    gnutls_free_function *free_var;   /* the gnutls_free variable: (*free_var)(p) */
    int (*x509_crt_get_fingerprint)(gnutls_x509_crt_t c, gnutls_digest_algorithm_t a,
                                    void *buf, size_t *len);
};

/* The table after a successful lmi_gnutls_load(); all NULL before. */
extern struct lmi_gnutls_api lmi_gnutls;

/* lmi_gnutls_load: dlopen libgnutls.so.30 and resolve the table, once per process. 0, or
 * LM_EUNSUPP with err saying why (where left NULL). */
int lmi_gnutls_load(struct lm_err *err);

#define gnutls_certificate_allocate_credentials (*lmi_gnutls.certificate_allocate_credentials)
#define gnutls_certificate_free_credentials (*lmi_gnutls.certificate_free_credentials)
#define gnutls_certificate_get_peers (*lmi_gnutls.certificate_get_peers)
#define gnutls_certificate_server_set_request (*lmi_gnutls.certificate_server_set_request)
#define gnutls_certificate_set_x509_key_mem (*lmi_gnutls.certificate_set_x509_key_mem)
#define gnutls_certificate_set_x509_trust_mem (*lmi_gnutls.certificate_set_x509_trust_mem)
#define gnutls_certificate_verify_peers2 (*lmi_gnutls.certificate_verify_peers2)
#define gnutls_hmac_init (*lmi_gnutls.hmac_init)
#define gnutls_hmac (*lmi_gnutls.hmac)
#define gnutls_hmac_deinit (*lmi_gnutls.hmac_deinit)
#define gnutls_priority_init (*lmi_gnutls.priority_init)
#define gnutls_priority_deinit (*lmi_gnutls.priority_deinit)
#define gnutls_rnd (*lmi_gnutls.rnd)
#define gnutls_session_set_verify_function (*lmi_gnutls.session_set_verify_function)
#define gnutls_strerror (*lmi_gnutls.strerror)
#define gnutls_x509_crt_init (*lmi_gnutls.x509_crt_init)
#define gnutls_x509_crt_import (*lmi_gnutls.x509_crt_import)
#define gnutls_x509_crt_get_subject_alt_name (*lmi_gnutls.x509_crt_get_subject_alt_name)
#define gnutls_x509_crt_deinit (*lmi_gnutls.x509_crt_deinit)
#define gnutls_init (*lmi_gnutls.init)
#define gnutls_deinit (*lmi_gnutls.deinit)
#define gnutls_priority_set (*lmi_gnutls.priority_set)
#define gnutls_credentials_set (*lmi_gnutls.credentials_set)
#define gnutls_transport_set_int2 (*lmi_gnutls.transport_set_int2)
#define gnutls_handshake (*lmi_gnutls.handshake)
#define gnutls_handshake_set_timeout (*lmi_gnutls.handshake_set_timeout)
#define gnutls_record_recv (*lmi_gnutls.record_recv)
#define gnutls_record_send (*lmi_gnutls.record_send)
#define gnutls_record_check_pending (*lmi_gnutls.record_check_pending)
#define gnutls_bye (*lmi_gnutls.bye)
#define gnutls_error_is_fatal (*lmi_gnutls.error_is_fatal)
#define gnutls_certificate_set_x509_system_trust (*lmi_gnutls.certificate_set_x509_system_trust)
#define gnutls_certificate_set_x509_trust_file (*lmi_gnutls.certificate_set_x509_trust_file)
#define gnutls_certificate_set_x509_key_file (*lmi_gnutls.certificate_set_x509_key_file)
#define gnutls_certificate_verify_peers3 (*lmi_gnutls.certificate_verify_peers3)
#define gnutls_server_name_set (*lmi_gnutls.server_name_set)
#define gnutls_record_get_direction (*lmi_gnutls.record_get_direction)
#define gnutls_protocol_get_version (*lmi_gnutls.protocol_get_version)
#define gnutls_protocol_get_name (*lmi_gnutls.protocol_get_name)
#define gnutls_cipher_get (*lmi_gnutls.cipher_get)
#define gnutls_cipher_get_name (*lmi_gnutls.cipher_get_name)
#define gnutls_alert_get (*lmi_gnutls.alert_get)
#define gnutls_alert_get_name (*lmi_gnutls.alert_get_name)
#define gnutls_x509_crt_get_expiration_time (*lmi_gnutls.x509_crt_get_expiration_time)
#define gnutls_x509_crt_get_dn3 (*lmi_gnutls.x509_crt_get_dn3)
#define gnutls_x509_crt_get_issuer_dn3 (*lmi_gnutls.x509_crt_get_issuer_dn3)
#define gnutls_x509_crt_get_fingerprint (*lmi_gnutls.x509_crt_get_fingerprint)

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* http_gnutls.c: loads libgnutls.so.30 with dlopen once (pthread_once) and fills the
 * function table of http_gnutls.h. GnuTLS initialises itself when loaded; the library
 * stays loaded for the life of the process. */
#include <pthread.h>
#include <stdio.h>
#include "lm/dl.h"
#include "http_gnutls.h"

struct lmi_gnutls_api lmi_gnutls;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256];   /* "" after a successful load */

static void
load(void)
{
    struct lmi_gnutls_api t;
    const struct lm_dl_sym syms[] = {
        {"gnutls_certificate_allocate_credentials", (void **)&t.certificate_allocate_credentials},
        {"gnutls_certificate_free_credentials", (void **)&t.certificate_free_credentials},
        {"gnutls_certificate_get_peers", (void **)&t.certificate_get_peers},
        {"gnutls_certificate_server_set_request", (void **)&t.certificate_server_set_request},
        {"gnutls_certificate_set_x509_key_mem", (void **)&t.certificate_set_x509_key_mem},
        {"gnutls_certificate_set_x509_trust_mem", (void **)&t.certificate_set_x509_trust_mem},
        {"gnutls_certificate_verify_peers2", (void **)&t.certificate_verify_peers2},
        {"gnutls_hmac_init", (void **)&t.hmac_init},
        {"gnutls_hmac", (void **)&t.hmac},
        {"gnutls_hmac_deinit", (void **)&t.hmac_deinit},
        {"gnutls_priority_init", (void **)&t.priority_init},
        {"gnutls_priority_deinit", (void **)&t.priority_deinit},
        {"gnutls_rnd", (void **)&t.rnd},
        {"gnutls_session_set_verify_function", (void **)&t.session_set_verify_function},
        {"gnutls_strerror", (void **)&t.strerror},
        {"gnutls_x509_crt_init", (void **)&t.x509_crt_init},
        {"gnutls_x509_crt_import", (void **)&t.x509_crt_import},
        {"gnutls_x509_crt_get_subject_alt_name", (void **)&t.x509_crt_get_subject_alt_name},
        {"gnutls_x509_crt_deinit", (void **)&t.x509_crt_deinit},
        {"gnutls_init", (void **)&t.init},
        {"gnutls_deinit", (void **)&t.deinit},
        {"gnutls_priority_set", (void **)&t.priority_set},
        {"gnutls_credentials_set", (void **)&t.credentials_set},
        {"gnutls_transport_set_int2", (void **)&t.transport_set_int2},
        {"gnutls_handshake", (void **)&t.handshake},
        {"gnutls_handshake_set_timeout", (void **)&t.handshake_set_timeout},
        {"gnutls_record_recv", (void **)&t.record_recv},
        {"gnutls_record_send", (void **)&t.record_send},
        {"gnutls_record_check_pending", (void **)&t.record_check_pending},
        {"gnutls_bye", (void **)&t.bye},
        {"gnutls_error_is_fatal", (void **)&t.error_is_fatal},
        {"gnutls_certificate_set_x509_system_trust", (void **)&t.certificate_set_x509_system_trust},
        {"gnutls_certificate_set_x509_trust_file", (void **)&t.certificate_set_x509_trust_file},
        {"gnutls_certificate_set_x509_key_file", (void **)&t.certificate_set_x509_key_file},
        {"gnutls_certificate_verify_peers3", (void **)&t.certificate_verify_peers3},
        {"gnutls_server_name_set", (void **)&t.server_name_set},
        {"gnutls_record_get_direction", (void **)&t.record_get_direction},
        {"gnutls_protocol_get_version", (void **)&t.protocol_get_version},
        {"gnutls_protocol_get_name", (void **)&t.protocol_get_name},
        {"gnutls_cipher_get", (void **)&t.cipher_get},
        {"gnutls_cipher_get_name", (void **)&t.cipher_get_name},
        {"gnutls_alert_get", (void **)&t.alert_get},
        {"gnutls_alert_get_name", (void **)&t.alert_get_name},
        {"gnutls_x509_crt_get_expiration_time", (void **)&t.x509_crt_get_expiration_time},
        {"gnutls_x509_crt_get_dn3", (void **)&t.x509_crt_get_dn3},
        {"gnutls_x509_crt_get_issuer_dn3", (void **)&t.x509_crt_get_issuer_dn3},
        {"gnutls_free", (void **)&t.free_var},
        {"gnutls_x509_crt_get_fingerprint", (void **)&t.x509_crt_get_fingerprint},
    };
    if (lm_dl_open("libgnutls.so.30", "GnuTLS", syms,
                   sizeof syms / sizeof syms[0], load_error, sizeof load_error))
        return;
    lmi_gnutls = t;
}

int
lmi_gnutls_load(struct lm_err *err)
{
    pthread_once(&load_once, load);
    if (load_error[0])
        return lm_err_set(err, LM_EUNSUPP, NULL, "%s", load_error);
    return 0;
}

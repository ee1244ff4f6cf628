/* SPDX-License-Identifier: Apache-2.0 */
/* tls.c: certificate facts from a finished OpenSSL handshake (the presented chain's
 * earliest notAfter, the verified chain's, the leaf's names and fingerprint, the protocol
 * version) and the probe_ssl_* / probe_tls_version_info families built from them. Used by
 * the http prober (through libcurl's OpenSSL handle) and the tcp prober. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "blackbox_exporter/bb.h"

#define GO_ZERO_TIME (-62135596800.0)   /* Go's time.Time{}.Unix() */

static double
not_after(X509 *x)
{
    struct tm tm;
    const ASN1_TIME *t = X509_get0_notAfter(x);
    if (!t || !ASN1_TIME_to_tm(t, &tm))
        return 0;
    return (double)timegm(&tm);
}

static void
name_text(X509_NAME *n, char *out, size_t outsz)
{
    out[0] = '\0';
    BIO *b = BIO_new(BIO_s_mem());
    if (!b)
        return;
    if (X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
        int r = BIO_read(b, out, (int)outsz - 1);
        out[r > 0 ? r : 0] = '\0';
    }
    BIO_free(b);
}

static void
leaf_facts(X509 *x, struct bb_tls_info *info)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (X509_digest(x, EVP_sha256(), md, &mdlen))
        for (unsigned i = 0; i < mdlen && i < 32; i++)
            snprintf(info->fingerprint + 2 * i, 3, "%02x", md[i]);
    name_text(X509_get_subject_name(x), info->subject, sizeof info->subject);
    name_text(X509_get_issuer_name(x), info->issuer, sizeof info->issuer);
    GENERAL_NAMES *sans = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    size_t used = 0;
    for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); i++) {
        GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, i);
        if (g->type != GEN_DNS)
            continue;
        const char *s = (const char *)ASN1_STRING_get0_data(g->d.dNSName);
        int w = snprintf(info->san + used, sizeof info->san - used, "%s%s", used ? "," : "",
                         s);
        if (w < 0 || (size_t)w >= sizeof info->san - used)
            break;
        used += (size_t)w;
    }
    GENERAL_NAMES_free(sans);
}

void
bb_tls_collect(const void *vssl, struct bb_tls_info *info)
{
    SSL *ssl = (SSL *)vssl;
    memset(info, 0, sizeof *info);
    if (!ssl)
        return;
    info->have = true;
    const char *v = SSL_get_version(ssl);
    if (!strncmp(v, "TLSv", 4))
        snprintf(info->version, sizeof info->version, "TLS %s", v[4] ? v + 4 : "1.0");
    else
        snprintf(info->version, sizeof info->version, "%s", v);
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
    for (int i = 0; chain && i < sk_X509_num(chain); i++) {
        double t = not_after(sk_X509_value(chain, i));
        if (i == 0 || t < info->earliest_expiry)
            info->earliest_expiry = t;
    }
    X509 *leaf = SSL_get0_peer_certificate(ssl);
    if (leaf)
        leaf_facts(leaf, info);
    info->last_chain_expiry = GO_ZERO_TIME;
    STACK_OF(X509) *vchain = SSL_get0_verified_chain(ssl);
    if (vchain && SSL_get_verify_result(ssl) == X509_V_OK && sk_X509_num(vchain) > 0) {
        for (int i = 0; i < sk_X509_num(vchain); i++) {
            double t = not_after(sk_X509_value(vchain, i));
            if (i == 0 || t < info->last_chain_expiry)
                info->last_chain_expiry = t;
        }
    }
}

void
bb_tls_emit(struct lm_emit *e, const struct bb_tls_info *info)
{
    if (!info->have)
        return;
    bb_gauge(e, "probe_ssl_earliest_cert_expiry", "Returns last SSL chain expiry in unixtime",
             info->earliest_expiry);
    bb_gauge(e, "probe_ssl_last_chain_expiry_timestamp_seconds",
             "Returns last SSL chain expiry in timestamp", info->last_chain_expiry);
    lm_emit_family(e, "probe_ssl_last_chain_info", "Contains SSL leaf certificate information",
                   LM_TYPE_GAUGE);
    lm_emit_samplev(e, 1.0, "fingerprint_sha256", info->fingerprint, "issuer", info->issuer,
                    "subject", info->subject, "subjectalternative", info->san, NULL);
    lm_emit_family(e, "probe_tls_version_info",
                   "Returns the TLS version used or NaN when unknown", LM_TYPE_GAUGE);
    lm_emit_samplev(e, 1.0, "version", info->version, NULL);
}

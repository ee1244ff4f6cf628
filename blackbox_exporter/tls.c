/* SPDX-License-Identifier: Apache-2.0 */
/* tls.c: what the http and tcp probers share about TLS: the lm/tlsc.h options built from
 * a module's tls_config, and the probe_ssl_* / probe_tls_version_info families built from
 * a finished handshake's facts (lm_tlsc_info), named and labelled as the Go build's. */
#include <stdbool.h>
#include "blackbox_exporter/bb.h"
#include "lm/tlsc.h"

void
bb_tls_opts(const struct bb_tls_config *t, const char *name, struct lm_tlsc_opts *o)
{
    o->server_name = t->server_name && *t->server_name ? t->server_name : name;
    o->ca_file = t->ca_file;
    o->cert_file = t->cert_file;
    o->key_file = t->key_file;
    o->insecure_skip_verify = t->insecure_skip_verify;
    o->min_version = t->min_version;
}

void
bb_tls_emit(struct lm_emit *e, const struct lm_tlsc_info *info)
{
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

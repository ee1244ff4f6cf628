/* SPDX-License-Identifier: Apache-2.0 */
/* tlsc.h: a TLS client over a connected socket, on GnuTLS loaded with dlopen at the first
 * session (the server side's loader, http_gnutls.c), so a process that never opens a TLS
 * connection never maps GnuTLS. Every call is bounded by a CLOCK_MONOTONIC deadline
 * (lm_monotonic()). Verification follows Go's crypto/tls client: the peer chain must lead
 * to the CA file (or the system trust store) and name the server name; the default
 * minimum version is TLS 1.2. After the handshake the session reports the facts a prober
 * shows: version, cipher, the presented chain's earliest expiry, the verified chain's,
 * and the leaf's fingerprint, subject, issuer and DNS names. Sessions are independent:
 * use one per thread; credentials (CA, client certificate) are cached per file set. */
#ifndef LM_TLSC_H
#define LM_TLSC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "lm/err.h"

#define LM_TLSC_GO_ZERO_TIME (-62135596800.0)   /* Go's time.Time{}.Unix() */

/* How to connect. Strings are borrowed for the call to lm_tlsc_start. */
struct lm_tlsc_opts {
    const char *server_name;     /* SNI (not sent for an IP literal) and verification name */
    const char *ca_file;         /* PEM CA bundle, or NULL for the system trust store */
    const char *cert_file;       /* PEM client certificate (with key_file), or NULL */
    const char *key_file;        /* PEM client key, or NULL */
    bool insecure_skip_verify;   /* do not verify the peer */
    const char *min_version;     /* "TLS10", "TLS11", "TLS12", "TLS13", or NULL: TLS12 */
};

/* The facts of a finished handshake. Plain value. */
struct lm_tlsc_info {
    char version[16];            /* "TLS 1.3" (Go's tls.VersionName wording) */
    char cipher[48];             /* GnuTLS's cipher name, e.g. "AES-256-GCM" */
    bool verified;               /* the chain was verified (not insecure_skip_verify) */
    double earliest_expiry;      /* min notAfter over the presented certificates, unix s */
    double last_chain_expiry;    /* min notAfter of the verified chain (the presented
                                    chain: see tlsc.c), LM_TLSC_GO_ZERO_TIME unverified */
    char fingerprint[65];        /* leaf SHA-256 of the DER, lower-case hex */
    char subject[256];           /* leaf subject, RFC 4514 (as Go's pkix.Name.String) */
    char issuer[256];            /* leaf issuer, same form */
    char san[512];               /* leaf DNS names, comma-separated */
};

struct lm_tlsc;

/* lm_tlsc_start: run a client handshake on fd (connected, non-blocking; the caller keeps
 * and closes it) by deadline and verify the peer as o says. Returns an owned session
 * (lm_tlsc_free) or NULL with err set: LM_EUNSUPP (GnuTLS not loadable), LM_ECONFIG (a
 * CA, certificate or key file that does not load: msg names it), LM_ETIMEOUT, or LM_EIO
 * with Go-like wording ("x509: certificate signed by unknown authority", "x509:
 * certificate is valid for ..., not NAME", "tls: handshake failure: ..."); err->where is
 * left "". */
struct lm_tlsc *lm_tlsc_start(int fd, const struct lm_tlsc_opts *o, double deadline,
                              struct lm_err *err);

/* lm_tlsc_read: up to n bytes into p by deadline. > 0 bytes read, 0 at the end of the
 * stream (close_notify, or the peer closing the socket without one, as Go reads it), or
 * a negative LM_ETIMEOUT / LM_EIO with err set. */
ssize_t lm_tlsc_read(struct lm_tlsc *t, void *p, size_t n, double deadline,
                     struct lm_err *err);

/* lm_tlsc_write: all n bytes of p by deadline. 0, LM_ETIMEOUT or LM_EIO with err set. */
int lm_tlsc_write(struct lm_tlsc *t, const void *p, size_t n, double deadline,
                  struct lm_err *err);

/* lm_tlsc_info: the handshake's facts into out. */
void lm_tlsc_info(const struct lm_tlsc *t, struct lm_tlsc_info *out);

/* lm_tlsc_free: end the session (no close_notify wait; accepts NULL). Does not close the
 * socket. */
void lm_tlsc_free(struct lm_tlsc *t);

#endif

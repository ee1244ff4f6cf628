/* SPDX-License-Identifier: Apache-2.0 */
/* hash.h: small hash functions with no crypto library behind them: MD5 (RFC 1321; for
 * Prometheus's hashmod and PostgreSQL's md5 password exchange, not for new security
 * uses), SHA-256 (FIPS 180-4), HMAC-SHA-256 (RFC 2104) and PBKDF2-HMAC-SHA-256 (RFC 8018),
 * enough for SCRAM-SHA-256 (RFC 7677). None of them allocates or fails. */
#ifndef LM_HASH_H
#define LM_HASH_H

#include <stddef.h>
#include <stdint.h>

#define LM_MD5_LEN 16
#define LM_SHA256_LEN 32

/* lm_md5: the digest of len bytes at p into out. */
void lm_md5(const void *p, size_t len, uint8_t out[LM_MD5_LEN]);

/* Incremental SHA-256: init, update any number of times, final (which wipes the state). */
struct lm_sha256 {
    uint32_t h[8];
    uint64_t len;                 /* bytes hashed so far */
    uint8_t buf[64];              /* partial block */
    size_t nbuf;                  /* bytes in buf */
};
void lm_sha256_init(struct lm_sha256 *c);
void lm_sha256_update(struct lm_sha256 *c, const void *p, size_t len);
void lm_sha256_final(struct lm_sha256 *c, uint8_t out[LM_SHA256_LEN]);
/* lm_sha256: the digest of len bytes at p into out. */
void lm_sha256(const void *p, size_t len, uint8_t out[LM_SHA256_LEN]);

/* lm_hmac_sha256: HMAC-SHA-256 of msg under key into out. */
void lm_hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
                    uint8_t out[LM_SHA256_LEN]);

/* lm_pbkdf2_sha256: PBKDF2 with HMAC-SHA-256, iter iterations (>= 1), dklen bytes of
 * derived key into out. */
void lm_pbkdf2_sha256(const void *pw, size_t pwlen, const void *salt, size_t saltlen,
                      unsigned iter, uint8_t *out, size_t dklen);

/* lm_hex: the lower-case hex of n bytes at p into out (2n + 1 bytes, NUL-terminated). */
void lm_hex(const uint8_t *p, size_t n, char *out);

#endif

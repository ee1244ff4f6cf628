/* SPDX-License-Identifier: Apache-2.0 */
/* pgauth.c: the password exchanges of PostgreSQL's protocol: the md5 hash answer and a
 * SCRAM-SHA-256 client (RFC 5802 / RFC 7677) with gs2 header "n,," (no channel binding)
 * that checks the server's signature. The password is used as given (no SASLprep: an
 * ASCII password is unchanged by it; PostgreSQL falls back to the raw bytes too when a
 * password is not valid UTF-8). Hash primitives come from lm/hash.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include "lm/alloc.h"
#include "lm/hash.h"
#include "postgres_exporter/pgwire.h"

#define SCRAM_MAX_ITER 10000000   /* a server asking more is refused (CPU bound) */
#define SCRAM_MIN_ITER 1

void
pgw_md5_password(const char *user, const char *password, const uint8_t salt[4], char out[36])
{
    uint8_t d[LM_MD5_LEN];
    char hex[2 * LM_MD5_LEN + 1];
    size_t pl = strlen(password), ul = strlen(user);
    char *tmp = lm_malloc(pl + ul + 1);
    if (tmp) {
        memcpy(tmp, password, pl);
        memcpy(tmp + pl, user, ul);
        lm_md5(tmp, pl + ul, d);
        memset(tmp, 0, pl + ul);
        lm_free(tmp);
    } else {
        memset(d, 0, sizeof d);
    }
    lm_hex(d, sizeof d, hex);
    uint8_t salted[32 + 4];
    memcpy(salted, hex, 32);
    memcpy(salted + 32, salt, 4);
    lm_md5(salted, sizeof salted, d);
    memcpy(out, "md5", 3);
    lm_hex(d, sizeof d, out + 3);
    memset(hex, 0, sizeof hex);
    memset(salted, 0, sizeof salted);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* b64_encode: n bytes of p as base64 into out (4 * ((n + 2) / 3) + 1 bytes). */
static void
b64_encode(const uint8_t *p, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        out[o++] = b64[v >> 18 & 63];
        out[o++] = b64[v >> 12 & 63];
        out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    out[o] = '\0';
}

/* b64_decode: strict base64 (padding required) of n chars into out (cap bytes). Returns
 * the decoded length or -1. */
static long
b64_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
    if (n % 4)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = 0;
        int pad = 0;
        for (int j = 0; j < 4; j++) {
            const char *q = s[i + j] ? strchr(b64, s[i + j]) : NULL;
            if (s[i + j] == '=' && i + 4 == n && j >= 2) {
                pad++;
                v <<= 6;
                continue;
            }
            if (!q || pad)
                return -1;
            v = v << 6 | (uint32_t)(q - b64);
        }
        for (int j = 0; j < 3 - pad; j++) {
            if (o >= cap)
                return -1;
            out[o++] = (uint8_t)(v >> (16 - 8 * j));
        }
    }
    return (long)o;
}

int
pgw_scram_first(struct pgw_scram *s, const char *user, const char *nonce, struct lm_buf *out,
                struct lm_err *err)
{
    memset(s, 0, sizeof *s);
    if (nonce) {
        if (strlen(nonce) >= sizeof s->nonce || strchr(nonce, ','))
            return lm_err_set(err, LM_EINVAL, "scram", "bad client nonce");
        snprintf(s->nonce, sizeof s->nonce, "%s", nonce);
    } else {
        uint8_t raw[18];
        if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
            return lm_err_set(err, LM_EIO, "scram", "no random bytes for the nonce");
        b64_encode(raw, sizeof raw, s->nonce);
    }
    /* the user name is not used by PostgreSQL (it takes the startup packet's); '=' and
     * ',' would need escaping, so such a name is sent empty, as libpq does */
    const char *u = user && !strpbrk(user, "=,") && strlen(user) < 64 ? user : "";
    int k = snprintf(s->first_bare, sizeof s->first_bare, "n=%s,r=%s", u, s->nonce);
    if (k < 0 || (size_t)k >= sizeof s->first_bare)
        return lm_err_set(err, LM_EINVAL, "scram", "client-first-message too long");
    lm_buf_puts(out, "n,,");
    return lm_buf_puts(out, s->first_bare);
}

/* attr: the value of "X=" among the comma-separated attributes of msg (n bytes). */
static const char *
attr(const char *msg, size_t n, char name, size_t *len)
{
    const char *p = msg, *end = msg + n;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *e = comma ? comma : end;
        if (e - p >= 2 && p[0] == name && p[1] == '=') {
            *len = (size_t)(e - p - 2);
            return p + 2;
        }
        p = e + 1;
    }
    return NULL;
}

int
pgw_scram_final(struct pgw_scram *s, const char *password, const char *msg, size_t n,
                struct lm_buf *out, struct lm_err *err)
{
    size_t rlen, slen, ilen, nl = strlen(s->nonce);
    const char *r = attr(msg, n, 'r', &rlen), *salt = attr(msg, n, 's', &slen);
    const char *it = attr(msg, n, 'i', &ilen);
    if (n > 1024 || memchr(msg, 0, n))
        return lm_err_set(err, LM_EPARSE, "scram", "bad server-first-message");
    if (!r || !salt || !it || n < 2 || msg[0] != 'r')
        return lm_err_set(err, LM_EPARSE, "scram", "server-first-message without r, s or i");
    if (rlen <= nl || memcmp(r, s->nonce, nl))
        return lm_err_set(err, LM_EPARSE, "scram", "server nonce does not extend ours");
    for (size_t i = 0; i < rlen; i++)
        if (r[i] < 0x21 || r[i] > 0x7e)
            return lm_err_set(err, LM_EPARSE, "scram", "bad server nonce");
    char num[16];
    if (!ilen || ilen >= sizeof num)
        return lm_err_set(err, LM_EPARSE, "scram", "bad iteration count");
    memcpy(num, it, ilen);
    num[ilen] = '\0';
    char *endp;
    long iter = strtol(num, &endp, 10);
    if (*endp || iter < SCRAM_MIN_ITER || iter > SCRAM_MAX_ITER || num[0] == '-' || num[0] == '+')
        return lm_err_set(err, LM_EPARSE, "scram", "iteration count out of range");
    uint8_t saltb[256];
    long sl = b64_decode(salt, slen, saltb, sizeof saltb);
    if (sl <= 0)
        return lm_err_set(err, LM_EPARSE, "scram", "bad salt");

    uint8_t salted[32], ckey[32], stored[32], skey[32], csig[32], proof[32];
    lm_pbkdf2_sha256(password, strlen(password), saltb, (size_t)sl, (unsigned)iter, salted,
                     sizeof salted);
    lm_hmac_sha256(salted, sizeof salted, "Client Key", 10, ckey);
    lm_sha256(ckey, sizeof ckey, stored);
    lm_hmac_sha256(salted, sizeof salted, "Server Key", 10, skey);

    /* AuthMessage = client-first-bare "," server-first "," client-final-without-proof */
    struct lm_buf am;
    lm_buf_init(&am, 4096);
    size_t start = out->len;
    lm_buf_puts(out, "c=biws,r=");
    lm_buf_append(out, r, rlen);
    lm_buf_puts(&am, s->first_bare);
    lm_buf_putc(&am, ',');
    lm_buf_append(&am, msg, n);
    lm_buf_putc(&am, ',');
    if (!out->err)
        lm_buf_append(&am, out->data + start, out->len - start);
    int rc = am.err ? am.err : out->err;
    if (!rc) {
        lm_hmac_sha256(stored, sizeof stored, am.data, am.len, csig);
        for (int i = 0; i < 32; i++)
            proof[i] = ckey[i] ^ csig[i];
        lm_hmac_sha256(skey, sizeof skey, am.data, am.len, s->server_sig);
        char p64[48];
        b64_encode(proof, sizeof proof, p64);
        lm_buf_puts(out, ",p=");
        rc = lm_buf_puts(out, p64);
    }
    lm_buf_cleanup(&am);
    memset(salted, 0, sizeof salted);
    memset(ckey, 0, sizeof ckey);
    memset(stored, 0, sizeof stored);
    memset(skey, 0, sizeof skey);
    memset(csig, 0, sizeof csig);
    memset(proof, 0, sizeof proof);
    if (rc)
        return lm_err_set(err, rc, "scram", "%s", lm_strerror(rc));
    s->final_sent = true;
    return 0;
}

int
pgw_scram_verify(struct pgw_scram *s, const char *msg, size_t n, struct lm_err *err)
{
    size_t len;
    if (!s->final_sent)
        return lm_err_set(err, LM_EPARSE, "scram", "server-final-message out of order");
    const char *e = attr(msg, n, 'e', &len);
    if (e)
        return lm_err_set(err, LM_EPARSE, "scram", "server error: %.*s",
                          (int)(len > 64 ? 64 : len), e);
    const char *v = attr(msg, n, 'v', &len);
    uint8_t sig[64];
    long sl = v && msg[0] == 'v' ? b64_decode(v, len, sig, sizeof sig) : -1;
    if (sl != 32)
        return lm_err_set(err, LM_EPARSE, "scram", "malformed server-final-message");
    uint8_t diff = 0;
    for (int i = 0; i < 32; i++)
        diff |= (uint8_t)(sig[i] ^ s->server_sig[i]);
    if (diff)
        return lm_err_set(err, LM_EPARSE, "scram",
                          "server signature does not match: the server does not know the "
                          "password (possible impostor)");
    return 0;
}

void
pgw_scram_cleanup(struct pgw_scram *s)
{
    memset(s, 0, sizeof *s);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* hash.c: MD5, SHA-256, HMAC-SHA-256 and PBKDF2-HMAC-SHA-256 (lm/hash.h), plain portable
 * C without tables beyond the round constants, so no binary needs a crypto library for
 * hashmod, the queries.yaml checksum or PostgreSQL's password exchanges. */
#include "lm/hash.h"

#include <string.h>

/* ---- MD5 (RFC 1321) ------------------------------------------------------------------ */
static const uint32_t md5_k[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
    0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
    0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
    0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
    0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
    0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
    0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
    0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
    0xeb86d391,
};
static const uint8_t md5_r[64] = {
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
    5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
};

static void
md5_block(uint32_t h[4], const uint8_t *b)
{
    uint32_t m[16];
    for (int i = 0; i < 16; i++)
        m[i] = (uint32_t)b[i * 4] | (uint32_t)b[i * 4 + 1] << 8 |
               (uint32_t)b[i * 4 + 2] << 16 | (uint32_t)b[i * 4 + 3] << 24;
    uint32_t a = h[0], bb = h[1], c = h[2], d = h[3];
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16) {
            f = (bb & c) | (~bb & d);
            g = i;
        } else if (i < 32) {
            f = (d & bb) | (~d & c);
            g = (5 * i + 1) % 16;
        } else if (i < 48) {
            f = bb ^ c ^ d;
            g = (3 * i + 5) % 16;
        } else {
            f = c ^ (bb | ~d);
            g = (7 * i) % 16;
        }
        uint32_t t = d;
        d = c;
        c = bb;
        uint32_t x = a + f + md5_k[i] + m[g];
        bb = bb + (x << md5_r[i] | x >> (32 - md5_r[i]));
        a = t;
    }
    h[0] += a;
    h[1] += bb;
    h[2] += c;
    h[3] += d;
}

void
lm_md5(const void *p, size_t len, uint8_t out[LM_MD5_LEN])
{
    uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    const uint8_t *s = p;
    size_t n = len;
    for (; n >= 64; n -= 64, s += 64)
        md5_block(h, s);
    uint8_t tail[128] = {0};
    memcpy(tail, s, n);
    tail[n] = 0x80;
    size_t tl = n < 56 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++)
        tail[tl - 8 + i] = (uint8_t)(bits >> (8 * i));
    md5_block(h, tail);
    if (tl == 128)
        md5_block(h, tail + 64);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            out[i * 4 + j] = (uint8_t)(h[i] >> (8 * j));
}

/* ---- SHA-256 (FIPS 180-4) ------------------------------------------------------------ */
static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
};

static uint32_t
ror(uint32_t x, int n)
{
    return x >> n | x << (32 - n);
}

static void
sha_block(uint32_t h[8], const uint8_t *b)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)b[i * 4] << 24 | (uint32_t)b[i * 4 + 1] << 16 |
               (uint32_t)b[i * 4 + 2] << 8 | (uint32_t)b[i * 4 + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ w[i - 15] >> 3;
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ w[i - 2] >> 10;
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) +
                      sha_k[i] + w[i];
        uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & bb) ^ (a & c) ^ (bb & c));
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = bb;
        bb = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += bb;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

void
lm_sha256_init(struct lm_sha256 *c)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, iv, sizeof iv);
    c->len = 0;
    c->nbuf = 0;
}

void
lm_sha256_update(struct lm_sha256 *c, const void *p, size_t len)
{
    const uint8_t *s = p;
    c->len += len;
    if (c->nbuf) {
        size_t take = 64 - c->nbuf < len ? 64 - c->nbuf : len;
        memcpy(c->buf + c->nbuf, s, take);
        c->nbuf += take;
        s += take;
        len -= take;
        if (c->nbuf < 64)
            return;
        sha_block(c->h, c->buf);
        c->nbuf = 0;
    }
    for (; len >= 64; len -= 64, s += 64)
        sha_block(c->h, s);
    if (len)
        memcpy(c->buf, s, len);
    c->nbuf = len;
}

void
lm_sha256_final(struct lm_sha256 *c, uint8_t out[LM_SHA256_LEN])
{
    uint64_t bits = c->len * 8;
    uint8_t pad[72] = {0x80};
    size_t padlen = c->nbuf < 56 ? 56 - c->nbuf : 120 - c->nbuf;
    for (int i = 0; i < 8; i++)
        pad[padlen + (size_t)i] = (uint8_t)(bits >> (56 - 8 * i));
    lm_sha256_update(c, pad, padlen + 8);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 4; j++)
            out[i * 4 + j] = (uint8_t)(c->h[i] >> (24 - 8 * j));
    memset(c, 0, sizeof *c);
}

void
lm_sha256(const void *p, size_t len, uint8_t out[LM_SHA256_LEN])
{
    struct lm_sha256 c;
    lm_sha256_init(&c);
    lm_sha256_update(&c, p, len);
    lm_sha256_final(&c, out);
}

/* ---- HMAC (RFC 2104) and PBKDF2 (RFC 8018) -------------------------------------------- */
/* hmac_keys: the inner and outer contexts after the padded key, reusable per message. */
static void
hmac_keys(const void *key, size_t klen, struct lm_sha256 *in, struct lm_sha256 *out)
{
    uint8_t k[64] = {0}, pad[64];
    if (klen > 64)
        lm_sha256(key, klen, k);
    else if (klen)
        memcpy(k, key, klen);
    for (int i = 0; i < 64; i++)
        pad[i] = k[i] ^ 0x36;
    lm_sha256_init(in);
    lm_sha256_update(in, pad, 64);
    for (int i = 0; i < 64; i++)
        pad[i] = k[i] ^ 0x5c;
    lm_sha256_init(out);
    lm_sha256_update(out, pad, 64);
    memset(k, 0, sizeof k);
    memset(pad, 0, sizeof pad);
}

static void
hmac_finish(const struct lm_sha256 *in0, const struct lm_sha256 *out0, const void *msg,
            size_t mlen, uint8_t mac[LM_SHA256_LEN])
{
    struct lm_sha256 c = *in0;
    uint8_t inner[LM_SHA256_LEN];
    lm_sha256_update(&c, msg, mlen);
    lm_sha256_final(&c, inner);
    c = *out0;
    lm_sha256_update(&c, inner, sizeof inner);
    lm_sha256_final(&c, mac);
}

void
lm_hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
               uint8_t out[LM_SHA256_LEN])
{
    struct lm_sha256 in, o;
    hmac_keys(key, klen, &in, &o);
    hmac_finish(&in, &o, msg, mlen, out);
    memset(&in, 0, sizeof in);
    memset(&o, 0, sizeof o);
}

void
lm_pbkdf2_sha256(const void *pw, size_t pwlen, const void *salt, size_t saltlen,
                 unsigned iter, uint8_t *out, size_t dklen)
{
    struct lm_sha256 in, o;
    hmac_keys(pw, pwlen, &in, &o);
    for (uint32_t blk = 1; dklen; blk++) {
        uint8_t be[4] = {(uint8_t)(blk >> 24), (uint8_t)(blk >> 16), (uint8_t)(blk >> 8),
                         (uint8_t)blk};
        uint8_t u[LM_SHA256_LEN], t[LM_SHA256_LEN];
        struct lm_sha256 c = in;
        lm_sha256_update(&c, salt, saltlen);
        lm_sha256_update(&c, be, 4);
        lm_sha256_final(&c, u);
        c = o;
        lm_sha256_update(&c, u, sizeof u);
        lm_sha256_final(&c, u);
        memcpy(t, u, sizeof t);
        for (unsigned i = 1; i < iter; i++) {
            hmac_finish(&in, &o, u, sizeof u, u);
            for (int j = 0; j < LM_SHA256_LEN; j++)
                t[j] ^= u[j];
        }
        size_t n = dklen < sizeof t ? dklen : sizeof t;
        memcpy(out, t, n);
        out += n;
        dklen -= n;
        memset(u, 0, sizeof u);
        memset(t, 0, sizeof t);
    }
    memset(&in, 0, sizeof in);
    memset(&o, 0, sizeof o);
}

void
lm_hex(const uint8_t *p, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[p[i] >> 4];
        out[2 * i + 1] = hx[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/* SPDX-License-Identifier: Apache-2.0 */
/* chunk.c: the XOR chunk codec, bit-exact with Prometheus's chunkenc/xor.go: a 2-byte
 * big-endian sample count, then a bit stream (MSB first) of ts0 varint, v0 raw bits,
 * ts1-ts0 uvarint, then delta-of-delta timestamps in the 0 / 10+14 / 110+17 / 1110+20 /
 * 1111+64 buckets and Gorilla XOR values. The encoder owns its buffer; the decoder
 * borrows bytes and checks every read against their length. */
#include <string.h>

#include "flint/tsdb/chunk.h"
#include "lm/alloc.h"
#include "lm/err.h"

#define CHUNK_HDR_BITS 16
#define CHUNK_MAX_APPEND_BYTES 24 /* worst case for one sample: 10+8 or 9+10, rounded */

/* ---- encoder ------------------------------------------------------------------ */

void
tsdb_chunk_enc_init(struct tsdb_chunk_enc *e)
{
    memset(e, 0, sizeof(*e));
    e->nbits = CHUNK_HDR_BITS;
    e->leading = 0xff;
}

/* reserve: room for CHUNK_MAX_APPEND_BYTES more bytes (new bytes zeroed).
 * 0 or LM_ENOMEM (nothing changed). */
static int
reserve(struct tsdb_chunk_enc *e)
{
    size_t need = (e->nbits + 7) / 8 + CHUNK_MAX_APPEND_BYTES;
    if (need <= e->cap)
        return 0;
    /* grow by a quarter, to a size malloc serves without slack (16k + 8 bytes on glibc):
     * the open chunks of all head series are most of flint's ingest memory */
    size_t ncap = need + need / 4;
    ncap = ((ncap + 8 + 15) & ~(size_t)15) - 8;
    uint8_t *nb = lm_realloc(e->b, ncap);
    if (!nb)
        return LM_ENOMEM;
    memset(nb + e->cap, 0, ncap - e->cap);
    e->b = nb;
    e->cap = (uint32_t)ncap;
    return 0;
}

/* put_bits: append the low n (0..64) bits of v, most significant first. Room must
 * have been reserved; the bytes past nbits are zero. */
static void
put_bits(struct tsdb_chunk_enc *e, uint64_t v, unsigned n)
{
    while (n > 0) {
        size_t byte = e->nbits >> 3;
        unsigned free_bits = 8 - (unsigned)(e->nbits & 7);
        unsigned take = n < free_bits ? n : free_bits;
        uint8_t chunk = (uint8_t)((v >> (n - take)) & ((1u << take) - 1));
        e->b[byte] |= (uint8_t)(chunk << (free_bits - take));
        e->nbits += take;
        n -= take;
    }
}

static void
put_uvarint(struct tsdb_chunk_enc *e, uint64_t x)
{
    while (x >= 0x80) {
        put_bits(e, (x & 0x7f) | 0x80, 8);
        x >>= 7;
    }
    put_bits(e, x, 8);
}

static void
put_varint(struct tsdb_chunk_enc *e, int64_t x)
{
    uint64_t ux = (uint64_t)x << 1;
    if (x < 0)
        ux = ~ux;
    put_uvarint(e, ux);
}

/* bit_range: x fits the n-bit dod bucket, -(2^(n-1)-1) <= x <= 2^(n-1) (Prometheus). */
static int
bit_range(int64_t x, unsigned n)
{
    int64_t h = (int64_t)1 << (n - 1);
    return -(h - 1) <= x && x <= h;
}

/* put_xor: the value of sample >= 2 against the previous one (xorWrite). */
static void
put_xor(struct tsdb_chunk_enc *e, uint64_t vbits)
{
    uint64_t delta = vbits ^ e->vbits;
    if (delta == 0) {
        put_bits(e, 0, 1);
        return;
    }
    put_bits(e, 1, 1);
    unsigned lead = (unsigned)__builtin_clzll(delta);
    unsigned trail = (unsigned)__builtin_ctzll(delta);
    if (lead >= 32)
        lead = 31;
    if (e->leading != 0xff && lead >= e->leading && trail >= e->trailing) {
        put_bits(e, 0, 1);
        put_bits(e, delta >> e->trailing, 64 - e->leading - e->trailing);
        return;
    }
    e->leading = (uint8_t)lead;
    e->trailing = (uint8_t)trail;
    unsigned sig = 64 - lead - trail;
    put_bits(e, 1, 1);
    put_bits(e, lead, 5);
    put_bits(e, sig, 6); /* 64 is written as 0 */
    put_bits(e, delta >> trail, sig);
}

int
tsdb_chunk_enc_append(struct tsdb_chunk_enc *e, int64_t t, double v)
{
    if (e->count == UINT16_MAX)
        return LM_ETOOBIG;
    if (reserve(e) != 0)
        return LM_ENOMEM;
    uint64_t vbits;
    memcpy(&vbits, &v, sizeof(vbits));
    if (e->count == 0) {
        put_varint(e, t);
        put_bits(e, vbits, 64);
        e->mint = t;
    } else if (e->count == 1) {
        int64_t delta = (int64_t)((uint64_t)t - (uint64_t)e->t);
        put_uvarint(e, (uint64_t)delta);
        put_xor(e, vbits);
        e->tdelta = delta;
    } else {
        int64_t delta = (int64_t)((uint64_t)t - (uint64_t)e->t);
        int64_t dod = (int64_t)((uint64_t)delta - (uint64_t)e->tdelta);
        if (dod == 0) {
            put_bits(e, 0, 1);
        } else if (bit_range(dod, 14)) {
            put_bits(e, 0x2, 2);
            put_bits(e, (uint64_t)dod, 14);
        } else if (bit_range(dod, 17)) {
            put_bits(e, 0x6, 3);
            put_bits(e, (uint64_t)dod, 17);
        } else if (bit_range(dod, 20)) {
            put_bits(e, 0xe, 4);
            put_bits(e, (uint64_t)dod, 20);
        } else {
            put_bits(e, 0xf, 4);
            put_bits(e, (uint64_t)dod, 64);
        }
        put_xor(e, vbits);
        e->tdelta = delta;
    }
    e->t = t;
    e->maxt = t;
    e->vbits = vbits;
    e->count++;
    e->b[0] = (uint8_t)(e->count >> 8);
    e->b[1] = (uint8_t)e->count;
    return 0;
}

const uint8_t *
tsdb_chunk_enc_bytes(const struct tsdb_chunk_enc *e, size_t *len)
{
    static const uint8_t empty[2] = {0, 0};
    if (!e->b) {
        *len = 2;
        return empty;
    }
    *len = (e->nbits + 7) / 8;
    return e->b;
}

void
tsdb_chunk_enc_free(struct tsdb_chunk_enc *e)
{
    lm_free(e->b);
    tsdb_chunk_enc_init(e);
}

/* ---- decoder ------------------------------------------------------------------ */

void
tsdb_chunk_dec_init(struct tsdb_chunk_dec *d, const uint8_t *b, size_t len)
{
    memset(d, 0, sizeof(*d));
    d->b = b;
    d->len = len;
    d->pos = CHUNK_HDR_BITS;
    d->count = tsdb_chunk_count(b, len);
}

uint16_t
tsdb_chunk_count(const uint8_t *b, size_t len)
{
    if (len < 2)
        return 0;
    return (uint16_t)((unsigned)b[0] << 8 | b[1]);
}

/* get_bits: read n (0..64) bits into *out; false (and d->err) past the end. */
static inline bool
get_bits(struct tsdb_chunk_dec *d, unsigned n, uint64_t *out)
{
    if (n == 0) {
        *out = 0;
        return true;
    }
    if (d->pos + n > d->len * 8) {
        d->err = true;
        return false;
    }
    size_t byte = d->pos >> 3;
    unsigned off = (unsigned)(d->pos & 7);
    if (byte + 8 <= d->len && off + n <= 64) {
        const uint8_t *p = d->b + byte;
        uint64_t w = (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 |
                     (uint64_t)p[3] << 32 | (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
                     (uint64_t)p[6] << 8 | (uint64_t)p[7];
        *out = (w << off) >> (64 - n);
        d->pos += n;
        return true;
    }
    uint64_t v = 0;
    while (n > 0) {
        byte = d->pos >> 3;
        unsigned avail = 8 - (unsigned)(d->pos & 7);
        unsigned take = n < avail ? n : avail;
        uint64_t bits = ((unsigned)d->b[byte] >> (avail - take)) & ((1u << take) - 1);
        v = take == 64 ? bits : (v << take) | bits;
        d->pos += take;
        n -= take;
    }
    *out = v;
    return true;
}

static bool
get_uvarint(struct tsdb_chunk_dec *d, uint64_t *out)
{
    uint64_t x = 0;
    unsigned s = 0;
    for (int i = 0; i < 10; i++) {
        uint64_t b;
        if (!get_bits(d, 8, &b))
            return false;
        if (b < 0x80) {
            if (i == 9 && b > 1)
                break; /* overflow */
            *out = x | b << s;
            return true;
        }
        x |= (b & 0x7f) << s;
        s += 7;
    }
    d->err = true;
    return false;
}

static bool
get_varint(struct tsdb_chunk_dec *d, int64_t *out)
{
    uint64_t ux;
    if (!get_uvarint(d, &ux))
        return false;
    int64_t x = (int64_t)(ux >> 1);
    if (ux & 1)
        x = ~x;
    *out = x;
    return true;
}

/* get_xor: the next value (xorRead). */
static bool
get_xor(struct tsdb_chunk_dec *d)
{
    uint64_t bit;
    if (!get_bits(d, 1, &bit))
        return false;
    if (bit == 0)
        return true;
    if (!get_bits(d, 1, &bit))
        return false;
    if (bit == 1) {
        uint64_t lead, sig;
        if (!get_bits(d, 5, &lead) || !get_bits(d, 6, &sig))
            return false;
        if (sig == 0)
            sig = 64;
        if (lead + sig > 64) {
            d->err = true;
            return false;
        }
        d->leading = (uint8_t)lead;
        d->trailing = (uint8_t)(64 - lead - sig);
    }
    unsigned mbits = 64u - d->leading - d->trailing;
    uint64_t bits;
    if (!get_bits(d, mbits, &bits))
        return false;
    d->vbits ^= d->trailing < 64 ? bits << d->trailing : 0;
    return true;
}

/* get_dod: the delta-of-delta prefix and payload. */
static bool
get_dod(struct tsdb_chunk_dec *d, int64_t *dod)
{
    unsigned ones = 0;
    uint64_t bit;
    while (ones < 4) {
        if (!get_bits(d, 1, &bit))
            return false;
        if (bit == 0)
            break;
        ones++;
    }
    static const unsigned sizes[5] = {0, 14, 17, 20, 64};
    unsigned sz = sizes[ones];
    uint64_t bits;
    if (!get_bits(d, sz, &bits))
        return false;
    if (sz == 64) {
        *dod = (int64_t)bits;
    } else if (sz == 0) {
        *dod = 0;
    } else {
        int64_t v = (int64_t)bits;
        if (bits > (1ULL << (sz - 1)))
            v -= (int64_t)1 << sz;
        *dod = v;
    }
    return true;
}

bool
tsdb_chunk_dec_next(struct tsdb_chunk_dec *d, int64_t *t, double *v)
{
    if (d->err || d->read >= d->count)
        return false;
    if (d->read == 0) {
        if (!get_varint(d, &d->t) || !get_bits(d, 64, &d->vbits))
            return false;
    } else if (d->read == 1) {
        uint64_t delta;
        if (!get_uvarint(d, &delta) || !get_xor(d))
            return false;
        d->tdelta = (int64_t)delta;
        d->t = (int64_t)((uint64_t)d->t + delta);
    } else {
        int64_t dod;
        if (!get_dod(d, &dod) || !get_xor(d))
            return false;
        d->tdelta = (int64_t)((uint64_t)d->tdelta + (uint64_t)dod);
        d->t = (int64_t)((uint64_t)d->t + (uint64_t)d->tdelta);
    }
    d->read++;
    *t = d->t;
    memcpy(v, &d->vbits, sizeof(*v));
    return true;
}

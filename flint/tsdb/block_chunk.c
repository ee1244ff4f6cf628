/* SPDX-License-Identifier: Apache-2.0 */
/* block_chunk.c: the chunk codecs of persisted blocks. Besides Prometheus's XOR
 * payload, the flint columnar encoding (FORMAT-blocks.md): timestamps as first value, first
 * delta and zigzag varint delta-of-deltas; values as decimal mantissas with one scale
 * per chunk (v = m / 10^k, checked bit-exact at encode time; other values are stored
 * raw as exceptions), delta or delta-of-delta coded, or as XOR'd raw bits when too few
 * values are decimal; the whole column block zstd-compressed when that is smaller.
 * Decoders never read outside the bytes they are given. */
#include <math.h>
#include <string.h>
#include <zstd.h>

#include "flint/tsdb/block_int.h"
#include "flint/tsdb/chunk.h"
#include "lm/alloc.h"

#define VMODE_XOR 0
#define VMODE_DELTA 1
#define VMODE_DOD 2
#define MAX_SCALE 15
#define ZSTD_LEVEL 3
#define ZSTD_MIN_RAW 32           /* don't try zstd on smaller column blocks */
#define XOR_TRY_BELOW 64          /* decimal chunks shorter than this also try XOR */

static const double pow10tab[MAX_SCALE + 1] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                                1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/* ---- varints ---- */

void
tsdb_put_uvarint(struct lm_buf *b, uint64_t x)
{
    uint8_t tmp[10];
    size_t n = 0;
    while (x >= 0x80) {
        tmp[n++] = (uint8_t)(x | 0x80);
        x >>= 7;
    }
    tmp[n++] = (uint8_t)x;
    lm_buf_append(b, tmp, n);
}

static uint64_t
zigzag(int64_t x)
{
    return ((uint64_t)x << 1) ^ (uint64_t)(x >> 63);
}

static int64_t
unzigzag(uint64_t u)
{
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

void
tsdb_put_varint(struct lm_buf *b, int64_t x)
{
    tsdb_put_uvarint(b, zigzag(x));
}

size_t
tsdb_get_uvarint(const uint8_t *p, size_t len, uint64_t *out)
{
    uint64_t x = 0;
    unsigned s = 0;
    for (size_t i = 0; i < len && i < 10; i++) {
        uint8_t c = p[i];
        if (c < 0x80) {
            if (i == 9 && c > 1)
                return 0;
            *out = x | (uint64_t)c << s;
            return i + 1;
        }
        x |= (uint64_t)(c & 0x7f) << s;
        s += 7;
    }
    return 0;
}

size_t
tsdb_get_varint(const uint8_t *p, size_t len, int64_t *out)
{
    uint64_t u;
    size_t n = tsdb_get_uvarint(p, len, &u);
    if (n)
        *out = unzigzag(u);
    return n;
}

static size_t
uvarint_len(uint64_t x)
{
    size_t n = 1;
    while (x >= 0x80) {
        x >>= 7;
        n++;
    }
    return n;
}

/* ---- decimal analysis ---- */

static bool
same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof(a)) == 0;
}

/* decimal_at: v == m / 10^k exactly for an integer m with |m| <= 2^53. */
static bool
decimal_at(double v, int k, int64_t *m)
{
    double x = v * pow10tab[k];
    if (!(fabs(x) <= 9007199254740992.0)) /* also false for NaN */
        return false;
    double r = nearbyint(x);
    if (!same_bits(r / pow10tab[k], v))
        return false;
    *m = (int64_t)r;
    return true;
}

/* encode_values_decimal: try the decimal column (one scale k for the chunk: the
 * smallest that represents every non-exception value); false when too many values
 * are exceptions. mant is scratch for n mantissas. */
static bool
encode_values_decimal(const double *vs, size_t n, struct lm_buf *out, int64_t *mant)
{
    bool *exc = lm_malloc(n * sizeof(*exc));
    if (!exc)
        return false;
    /* pass 1: the scale. A value that fits the current k needs no search. */
    int k = 0;
    size_t nexc = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t m;
        exc[i] = !isfinite(vs[i]) || (vs[i] == 0 && signbit(vs[i]));
        if (exc[i] || decimal_at(vs[i], k, &m))
            continue;
        int s = k + 1;
        while (s <= MAX_SCALE && !decimal_at(vs[i], s, &m))
            s++;
        if (s <= MAX_SCALE)
            k = s;
        else
            exc[i] = true;
    }
    /* pass 2: the mantissas at k (a value found at a smaller k may overflow at k) */
    for (size_t i = 0; i < n; i++) {
        if (!exc[i] && !decimal_at(vs[i], k, &mant[i]))
            exc[i] = true;
        if (exc[i]) {
            mant[i] = i > 0 ? mant[i - 1] : 0;
            nexc++;
        }
    }
    if (nexc * 4 > n) {
        lm_free(exc);
        return false;
    }
    /* delta or delta-of-delta, whichever is shorter */
    size_t sz_d = 0, sz_dd = 0;
    for (size_t i = 1; i < n; i++) {
        int64_t d = (int64_t)((uint64_t)mant[i] - (uint64_t)mant[i - 1]);
        sz_d += uvarint_len(zigzag(d));
        int64_t pd = i > 1 ? (int64_t)((uint64_t)mant[i - 1] - (uint64_t)mant[i - 2]) : 0;
        sz_dd += uvarint_len(zigzag((int64_t)((uint64_t)d - (uint64_t)pd)));
    }
    int mode = sz_dd < sz_d ? VMODE_DOD : VMODE_DELTA;
    lm_buf_putc(out, (char)mode);
    lm_buf_putc(out, (char)k);
    tsdb_put_varint(out, mant[0]);
    for (size_t i = 1; i < n; i++) {
        int64_t d = (int64_t)((uint64_t)mant[i] - (uint64_t)mant[i - 1]);
        if (mode == VMODE_DOD) {
            int64_t pd = i > 1 ? (int64_t)((uint64_t)mant[i - 1] - (uint64_t)mant[i - 2]) : 0;
            d = (int64_t)((uint64_t)d - (uint64_t)pd);
        }
        tsdb_put_varint(out, d);
    }
    tsdb_put_uvarint(out, nexc);
    size_t last = 0;
    for (size_t i = 0; i < n; i++) {
        if (!exc[i])
            continue;
        tsdb_put_uvarint(out, i - last);
        last = i;
        uint64_t bits;
        memcpy(&bits, &vs[i], sizeof(bits));
        uint8_t le[8];
        for (int j = 0; j < 8; j++)
            le[j] = (uint8_t)(bits >> (8 * j));
        lm_buf_append(out, le, 8);
    }
    lm_free(exc);
    return true;
}

/* encode_columns: the uncompressed columnar payload. */
static int
encode_columns(const int64_t *ts, const double *vs, size_t n, struct lm_buf *out,
               bool *decimal)
{
    tsdb_put_uvarint(out, n);
    tsdb_put_varint(out, ts[0]);
    if (n > 1)
        tsdb_put_varint(out, (int64_t)((uint64_t)ts[1] - (uint64_t)ts[0]));
    for (size_t i = 2; i < n; i++) {
        int64_t d = (int64_t)((uint64_t)ts[i] - (uint64_t)ts[i - 1]);
        int64_t pd = (int64_t)((uint64_t)ts[i - 1] - (uint64_t)ts[i - 2]);
        tsdb_put_varint(out, (int64_t)((uint64_t)d - (uint64_t)pd));
    }
    int64_t *mant = lm_malloc(n * sizeof(*mant));
    if (!mant)
        return LM_ENOMEM;
    size_t mark = out->len;
    bool dec = encode_values_decimal(vs, n, out, mant);
    lm_free(mant);
    *decimal = dec;
    if (!dec) {
        if (out->err)
            return out->err;
        out->len = mark;
        lm_buf_putc(out, VMODE_XOR);
        uint64_t prev = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t bits;
            memcpy(&bits, &vs[i], sizeof(bits));
            uint64_t x = bits ^ prev;
            prev = bits;
            uint8_t le[8];
            for (int j = 0; j < 8; j++)
                le[j] = (uint8_t)(x >> (8 * (7 - j)));
            lm_buf_append(out, le, 8);
        }
    }
    return out->err;
}

int
tsdb_bchunk_encode(const int64_t *ts, const double *vs, size_t n, void *zctx,
                   struct lm_buf *out)
{
    if (n == 0 || n > UINT16_MAX)
        return LM_EINVAL;
    struct lm_buf raw;
    lm_buf_init(&raw, TSDB_BCHUNK_MAX_RAW);
    bool decimal = false;
    int rc = encode_columns(ts, vs, n, &raw, &decimal);
    if (rc != 0) {
        lm_buf_cleanup(&raw);
        return rc;
    }
    /* the XOR chunk as the baseline, unless decimal columns are sure to win: they are
     * tried only for short chunks or values that are not decimals */
    struct tsdb_chunk_enc x;
    tsdb_chunk_enc_init(&x);
    bool xok = !decimal || n < XOR_TRY_BELOW;
    for (size_t i = 0; i < n && xok; i++)
        xok = tsdb_chunk_enc_append(&x, ts[i], vs[i]) == 0;
    size_t xlen = 0;
    const uint8_t *xb = tsdb_chunk_enc_bytes(&x, &xlen);
    if (!xok)
        xlen = SIZE_MAX;

    void *zbuf = NULL;
    size_t zlen = SIZE_MAX;
    if (zctx && raw.len >= ZSTD_MIN_RAW) {
        size_t bound = ZSTD_compressBound(raw.len);
        zbuf = lm_malloc(bound);
        if (zbuf) {
            size_t r = ZSTD_compressCCtx(zctx, zbuf, bound, raw.data, raw.len, ZSTD_LEVEL);
            if (!ZSTD_isError(r))
                zlen = r + uvarint_len(raw.len);
        }
    }
    if (xlen <= raw.len && xlen <= zlen) {
        lm_buf_putc(out, TSDB_BENC_XOR);
        tsdb_put_uvarint(out, xlen);
        lm_buf_append(out, xb, xlen);
    } else if (raw.len <= zlen) {
        lm_buf_putc(out, TSDB_BENC_COL);
        tsdb_put_uvarint(out, raw.len);
        lm_buf_append(out, raw.data, raw.len);
    } else {
        lm_buf_putc(out, TSDB_BENC_COLZ);
        tsdb_put_uvarint(out, zlen);
        tsdb_put_uvarint(out, raw.len);
        lm_buf_append(out, zbuf, zlen - uvarint_len(raw.len));
    }
    lm_free(zbuf);
    tsdb_chunk_enc_free(&x);
    lm_buf_cleanup(&raw);
    return out->err;
}

/* ---- decoding ---- */

/* decode_columns: parse the columnar payload p[0..len). */
static long
decode_columns(const uint8_t *p, size_t len, int64_t *ts, double *vs, size_t cap)
{
    size_t pos = 0, r;
    uint64_t n;
    if (!(r = tsdb_get_uvarint(p, len, &n)) || n == 0 || n > cap)
        return -1;
    pos += r;
    int64_t t, d = 0;
    if (!(r = tsdb_get_varint(p + pos, len - pos, &t)))
        return -1;
    pos += r;
    ts[0] = t;
    for (size_t i = 1; i < n; i++) {
        int64_t x;
        if (!(r = tsdb_get_varint(p + pos, len - pos, &x)))
            return -1;
        pos += r;
        d = i == 1 ? x : (int64_t)((uint64_t)d + (uint64_t)x);
        ts[i] = (int64_t)((uint64_t)ts[i - 1] + (uint64_t)d);
    }
    if (pos >= len)
        return -1;
    uint8_t mode = p[pos++];
    if (mode == VMODE_XOR) {
        if (len - pos < n * 8)
            return -1;
        uint64_t prev = 0;
        for (size_t i = 0; i < n; i++, pos += 8) {
            uint64_t x = 0;
            for (int j = 0; j < 8; j++)
                x = x << 8 | p[pos + (size_t)j];
            prev ^= x;
            memcpy(&vs[i], &prev, sizeof(prev));
        }
        return (long)n;
    }
    if ((mode != VMODE_DELTA && mode != VMODE_DOD) || pos >= len || p[pos] > MAX_SCALE)
        return -1;
    double scale = pow10tab[p[pos++]];
    int64_t m = 0, md = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t x;
        if (!(r = tsdb_get_varint(p + pos, len - pos, &x)))
            return -1;
        pos += r;
        if (i == 0) {
            m = x;
        } else {
            md = mode == VMODE_DOD && i > 1 ? (int64_t)((uint64_t)md + (uint64_t)x) : x;
            m = (int64_t)((uint64_t)m + (uint64_t)md);
        }
        vs[i] = (double)m / scale;
    }
    uint64_t nexc, gap;
    if (!(r = tsdb_get_uvarint(p + pos, len - pos, &nexc)) || nexc > n)
        return -1;
    pos += r;
    size_t idx = 0;
    for (uint64_t e = 0; e < nexc; e++) {
        if (!(r = tsdb_get_uvarint(p + pos, len - pos, &gap)) || gap >= n - idx)
            return -1;
        pos += r;
        idx += gap;
        if (len - pos < 8)
            return -1;
        uint64_t bits = tsdb_rd64(p + pos);
        pos += 8;
        memcpy(&vs[idx], &bits, sizeof(bits));
    }
    return (long)n;
}

long
tsdb_bchunk_decode(uint8_t enc, const uint8_t *p, size_t len, int64_t *ts, double *vs,
                   size_t cap, struct lm_buf *scratch, void *dctx)
{
    if (enc == TSDB_BENC_XOR) {
        struct tsdb_chunk_dec d;
        tsdb_chunk_dec_init(&d, p, len);
        size_t n = 0;
        int64_t t;
        double v;
        while (n < cap && tsdb_chunk_dec_next(&d, &t, &v)) {
            ts[n] = t;
            vs[n] = v;
            n++;
        }
        return d.err || n == 0 || n != tsdb_chunk_count(p, len) ? -1 : (long)n;
    }
    if (enc == TSDB_BENC_COL)
        return decode_columns(p, len, ts, vs, cap);
    if (enc != TSDB_BENC_COLZ || !dctx)
        return -1;
    uint64_t rawlen;
    size_t r = tsdb_get_uvarint(p, len, &rawlen);
    if (!r || rawlen == 0 || rawlen > TSDB_BCHUNK_MAX_RAW)
        return -1;
    lm_buf_reset(scratch);
    if (lm_buf_reserve(scratch, rawlen) != 0)
        return -2;
    size_t got = ZSTD_decompressDCtx(dctx, scratch->data, rawlen, p + r, len - r);
    if (ZSTD_isError(got) || got != rawlen)
        return -1;
    return decode_columns((const uint8_t *)scratch->data, rawlen, ts, vs, cap);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* chunk.h: the XOR chunk codec (Gorilla: delta-of-delta timestamps, XOR'd float bits),
 * bit-compatible with Prometheus's chunkenc XOR payload (num_samples uint16 BE, ts0
 * varint, v0 raw 64 bits, ts delta uvarint, then dod/xor pairs). Used by the head (one
 * open chunk per series), blocks and import. Internal to flint/tsdb. Prefix tsdb_chunk_.
 *
 * An encoder owns a growable byte buffer; a decoder borrows bytes (e.g. an mmapped
 * block) and never reads past the length it was given, whatever the bytes are. */
#ifndef FLINT_TSDB_CHUNK_H
#define FLINT_TSDB_CHUNK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TSDB_CHUNK_MAX_SAMPLES 120  /* a head chunk is cut after this many (Prometheus) */

struct tsdb_chunk_enc {   /* 64 bytes: one per head series, so packed */
    uint8_t *b;          /* owned payload: [0,1] sample count BE, then the bit stream */
    int64_t t, tdelta;   /* last timestamp and last delta */
    uint64_t vbits;      /* last value's bits */
    int64_t mint, maxt;
    uint32_t cap;        /* bytes allocated (a chunk holds < 65536 samples of <= 24 bytes) */
    uint32_t nbits;      /* bits written, counting the 16-bit header */
    uint16_t count;
    uint8_t leading, trailing;  /* current XOR window (leading 0xff = none yet) */
};

/* tsdb_chunk_enc_init: an empty chunk (no allocation yet). */
void tsdb_chunk_enc_init(struct tsdb_chunk_enc *e);
/* tsdb_chunk_enc_append: add (t, v); t must be > the last t (checked by the caller).
 * 0, or LM_ENOMEM (the chunk is unchanged), or LM_ETOOBIG at 65535 samples. */
int tsdb_chunk_enc_append(struct tsdb_chunk_enc *e, int64_t t, double v);
/* tsdb_chunk_enc_bytes: the payload so far (borrowed; *len bytes, the last byte padded
 * with zero bits). Valid until the next append. */
const uint8_t *tsdb_chunk_enc_bytes(const struct tsdb_chunk_enc *e, size_t *len);
/* tsdb_chunk_enc_free: release the buffer; e is then empty again. */
void tsdb_chunk_enc_free(struct tsdb_chunk_enc *e);

struct tsdb_chunk_dec {
    const uint8_t *b;    /* borrowed */
    size_t len;          /* bytes */
    size_t pos;          /* bit position */
    uint16_t count, read;
    int64_t t, tdelta;
    uint64_t vbits;
    uint8_t leading, trailing;
    bool err;            /* the bytes were malformed (then next returns false) */
};

/* tsdb_chunk_dec_init: iterate the chunk in b[0..len). */
void tsdb_chunk_dec_init(struct tsdb_chunk_dec *d, const uint8_t *b, size_t len);
/* tsdb_chunk_dec_next: the next sample; false at the end or on malformed input (then
 * d->err is set). */
bool tsdb_chunk_dec_next(struct tsdb_chunk_dec *d, int64_t *t, double *v);
/* tsdb_chunk_count: the sample count in a payload's header (0 if len < 2). */
uint16_t tsdb_chunk_count(const uint8_t *b, size_t len);

#endif

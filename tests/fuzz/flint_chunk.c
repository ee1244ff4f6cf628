/* SPDX-License-Identifier: Apache-2.0 */
/* flint_chunk.c: libFuzzer target for the XOR chunk decoder (flint/tsdb/chunk.h): any
 * bytes must decode without reading past their length, yield at most the header's
 * count, and a decoded prefix must re-encode to a chunk that decodes the same. */
#include <stdlib.h>
#include <string.h>

#include "flint/tsdb/chunk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    struct tsdb_chunk_dec d;
    struct tsdb_chunk_enc e;
    tsdb_chunk_dec_init(&d, copy, size);
    tsdb_chunk_enc_init(&e);
    int64_t t, last = 0;
    double v;
    unsigned n = 0;
    int ordered = 1;
    while (tsdb_chunk_dec_next(&d, &t, &v)) {
        if (n > 0 && t <= last)
            ordered = 0;
        if (ordered && tsdb_chunk_enc_append(&e, t, v) != 0)
            abort();
        last = t;
        n++;
    }
    if (n > tsdb_chunk_count(copy, size))
        abort();
    if (ordered && n > 0) {
        size_t len;
        const uint8_t *b = tsdb_chunk_enc_bytes(&e, &len);
        struct tsdb_chunk_dec d2, d3;
        tsdb_chunk_dec_init(&d2, b, len);
        tsdb_chunk_dec_init(&d3, copy, size);
        int64_t t2, t3;
        double v2, v3;
        for (unsigned i = 0; i < n; i++) {
            if (!tsdb_chunk_dec_next(&d2, &t2, &v2) || !tsdb_chunk_dec_next(&d3, &t3, &v3))
                abort();
            if (t2 != t3 || memcmp(&v2, &v3, sizeof(v2)) != 0)
                abort();
        }
    }
    tsdb_chunk_enc_free(&e);
    free(copy);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* decompress.c: the http prober's `compression`: the answer body decoded as the module
 * says, whatever Content-Encoding claims (as the Go prober does): gzip, or raw deflate
 * (Go's compress/flate), with zlib. The output is capped by its buffer's max, which is how
 * body_size_limit applies after decompression, as in Go. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include "blackbox_exporter/bb.h"

int
bb_decompress(const char *alg, const void *in, size_t n, struct lm_buf *out, char *why,
              size_t whysz)
{
    z_stream z;
    unsigned char chunk[16384];
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, !strcmp(alg, "gzip") ? 16 + MAX_WBITS : -MAX_WBITS) != Z_OK) {
        snprintf(why, whysz, "%s: cannot start the decoder", alg);
        return LM_ENOMEM;
    }
    z.next_in = (unsigned char *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    int rc = 0, zr;
    do {
        z.next_out = chunk;
        z.avail_out = sizeof chunk;
        zr = inflate(&z, Z_NO_FLUSH);
        if (zr != Z_OK && zr != Z_STREAM_END) {
            snprintf(why, whysz, "%s: %s", !strcmp(alg, "gzip") ? "gzip" : "flate",
                     zr == Z_BUF_ERROR ? "unexpected EOF" : z.msg ? z.msg : "corrupt input");
            rc = LM_EIO;
            break;
        }
        if (lm_buf_append(out, chunk, sizeof chunk - z.avail_out)) {
            snprintf(why, whysz, "http: request body too large");
            rc = LM_ETOOBIG;
            break;
        }
    } while (zr != Z_STREAM_END);
    inflateEnd(&z);
    return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* flint_wal.c: libFuzzer target for the WAL replay (flint/tsdb/wal.h): any bytes as the
 * only segment must replay without crashing, looping or leaking, every series record
 * handed over must be a valid sorted label set, and a corrupt tail must be counted. The
 * first input byte chooses whether the rest is the segment as is or a sequence of
 * records whose headers (length and CRC) are made valid, so the record decoders see
 * garbage payloads too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "flint/tsdb/wal.h"
#include "lm/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_series(void *ctx, uint32_t ref, const struct lbl_set *ls)
{
    (void)ctx, (void)ref;
    for (size_t i = 1; i < ls->n; i++)
        if (strcmp(ls->v[i - 1].name, ls->v[i].name) >= 0)
            abort();
    return 0;
}

static void on_sample(void *ctx, uint32_t ref, int64_t t, double v)
{
    (void)ref, (void)t, (void)v;
    (*(size_t *)ctx)++;
}

static void rmdir_all(const char *dir)
{
    char path[256];
    static const char *const names[] = {"00000000", "00000001", "00000002", "00000003"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* fixup: turn data into records with valid headers: each chunk is type:1, len:1 (mod
 * the remaining bytes), then the payload; the CRC-32 covers type and payload. */
static void fixup(struct lm_buf *out, const uint8_t *d, size_t n)
{
    while (n >= 2) {
        uint8_t type = d[0];
        size_t len = d[1] % (n - 1);
        d += 2, n -= 2;
        if (len > n)
            len = n;
        uLong crc = crc32(0L, &type, 1);
        crc = crc32(crc, d, (uInt)len);
        uint8_t hdr[9] = {type, (uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16),
                          (uint8_t)(len >> 24), (uint8_t)crc, (uint8_t)(crc >> 8),
                          (uint8_t)(crc >> 16), (uint8_t)(crc >> 24)};
        lm_buf_append(out, hdr, sizeof hdr);
        lm_buf_append(out, d, len);
        d += len, n -= len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char dir[] = "/tmp/flint-walfuzz-XXXXXX";
    if (!mkdtemp(dir))
        return 0;
    struct lm_buf seg;
    lm_buf_init(&seg, 1 << 22);
    if (data[0] & 1)
        fixup(&seg, data + 1, size - 1);
    else
        lm_buf_append(&seg, data + 1, size - 1);
    char path[256];
    snprintf(path, sizeof path, "%s/00000001", dir);
    FILE *f = fopen(path, "wb");
    if (f) {
        if (seg.len)
            fwrite(seg.data, 1, seg.len, f);
        fclose(f);
    }
    lm_buf_cleanup(&seg);
    struct lm_err err;
    lm_err_clear(&err);
    struct tsdb_wal *w = tsdb_wal_open(dir, 0, NULL, &err);
    if (w) {
        size_t n = 0;
        struct tsdb_wal_replay_cb cb = {&n, on_series, on_sample};
        struct tsdb_wal_replay_stats st;
        memset(&st, 0, sizeof st);
        (void)tsdb_wal_replay(w, &cb, &st, &err);
        if (st.samples != n)
            abort();
        tsdb_wal_close(w);
    }
    rmdir_all(dir);
    return 0;
}

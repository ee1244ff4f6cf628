/* SPDX-License-Identifier: Apache-2.0 */
/* wal_replay.c: reading the WAL back at start-up (see wal.h): the newest checkpoint,
 * then every later segment in order, decoding series and samples records into the
 * caller's callbacks. A record that is torn (short) or fails its CRC or decoding cuts
 * its file there, with a log line; everything before it is kept. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "flint/tsdb/head.h"
#include "flint/tsdb/wal_int.h"
#include "lm/alloc.h"
#include "lm/log.h"

static const uint8_t *
get_uvarint(const uint8_t *p, const uint8_t *end, uint64_t *out)
{
    uint64_t x = 0;
    for (unsigned shift = 0; p < end && shift < 64; shift += 7) {
        uint8_t c = *p++;
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *out = x;
            return p;
        }
    }
    return NULL;
}

static uint32_t
le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* series_rec: decode a series record. 0, 1 (malformed) or the callback's error. */
static int
series_rec(const uint8_t *p, const uint8_t *end, const struct tsdb_wal_replay_cb *cb,
           struct lm_buf *scratch, struct tsdb_wal_replay_stats *st)
{
    struct lbl lv[TSDB_MAX_LABELS];
    while (p < end) {
        uint64_t ref, n;
        if (!(p = get_uvarint(p, end, &ref)) || !(p = get_uvarint(p, end, &n)) || !n ||
            n > TSDB_MAX_LABELS || ref >= UINT32_MAX - 1)
            return 1;
        lm_buf_reset(scratch);
        size_t offs[2 * TSDB_MAX_LABELS];
        for (uint64_t i = 0; i < 2 * n; i++) {
            uint64_t len;
            if (!(p = get_uvarint(p, end, &len)) || len > (uint64_t)(end - p) || !len ||
                memchr(p, '\0', len))
                return 1;
            offs[i] = scratch->len;
            lm_buf_append(scratch, p, len);
            lm_buf_putc(scratch, '\0');
            p += len;
        }
        if (scratch->err)
            return scratch->err;
        for (uint64_t i = 0; i < n; i++) {
            lv[i].name = scratch->data + offs[2 * i];
            lv[i].value = scratch->data + offs[2 * i + 1];
            /* a label set is sorted by name without duplicates: anything else was not
             * written by us (the head's index relies on it) */
            if (i > 0 && strcmp(lv[i - 1].name, lv[i].name) >= 0)
                return 1;
        }
        struct lbl_set ls = {lv, n, n};
        st->series++;
        int rc = cb->series(cb->ctx, (uint32_t)ref, &ls);
        if (rc)
            return rc;
    }
    return 0;
}

/* samples_rec: decode a samples record; 0 or 1 (malformed: samples before the bad one
 * were delivered, as they were committed together this cannot be told apart from a
 * torn record, and a torn record is never a committed one). */
static int
samples_rec(const uint8_t *p, const uint8_t *end, const struct tsdb_wal_replay_cb *cb,
            struct tsdb_wal_replay_stats *st, int64_t *maxt)
{
    int64_t t = 0;
    bool first = true;
    while (p < end) {
        uint64_t ref, zt;
        if (!(p = get_uvarint(p, end, &ref)) || !(p = get_uvarint(p, end, &zt)) ||
            end - p < 8 || ref >= UINT32_MAX)
            return 1;
        int64_t d = (int64_t)(zt >> 1) ^ -(int64_t)(zt & 1);
        t = first ? d : (int64_t)((uint64_t)t + (uint64_t)d);
        first = false;
        uint64_t bits = 0;
        for (int i = 7; i >= 0; i--)
            bits = bits << 8 | p[i];
        p += 8;
        double v;
        memcpy(&v, &bits, 8);
        if (t > *maxt)
            *maxt = t;
        st->samples++;
        cb->sample(cb->ctx, (uint32_t)ref, t, v);
    }
    return 0;
}

/* drop_behind: give back the pages of the mapped file b before pos (read-only, private:
 * they fault in again from the page cache if needed), every DROP_BYTES, so a replay
 * holds a few MiB of the segment resident instead of all of it (up to its 128 MiB).
 * *dropped: the offset up to which pages were dropped (page-aligned). */
#define DROP_BYTES (4UL << 20)
static void
drop_behind(const uint8_t *b, size_t *dropped, size_t pos)
{
    if (pos - *dropped < DROP_BYTES)
        return;
    size_t to = pos & ~(size_t)(sysconf(_SC_PAGESIZE) - 1);
    madvise((void *)(uintptr_t)(b + *dropped), to - *dropped, MADV_DONTNEED);
    *dropped = to;
}

/* validate: the length of the valid record prefix of b[0..n); *why says what stopped
 * it (NULL: the whole file is valid). */
static size_t
valid_prefix(const uint8_t *b, size_t n, const char **why)
{
    size_t pos = 0, dropped = 0;
    *why = NULL;
    while (pos < n) {
        drop_behind(b, &dropped, pos);
        if (n - pos < TSDB_WAL_HDR) {
            *why = "torn record header";
            break;
        }
        uint8_t type = b[pos];
        uint32_t len = le32(b + pos + 1);
        uint8_t base = type & (uint8_t)~TSDB_WAL_ZSTD;
        if (base != TSDB_WAL_SERIES && base != TSDB_WAL_SAMPLES) {
            *why = "unknown record type";
            break;
        }
        if (len > n - pos - TSDB_WAL_HDR) {
            *why = "torn record";
            break;
        }
        if (tsdb_wal_crc(type, b + pos + TSDB_WAL_HDR, len) != le32(b + pos + 5)) {
            *why = "record checksum mismatch";
            break;
        }
        pos += TSDB_WAL_HDR + len;
    }
    return pos;
}

/* replay_file: replay one file; a bad tail is cut off. 0 or a callback error / ENOMEM. */
/* unzstd: the plain payload of a compressed record into z; NULL when malformed. */
static const uint8_t *
unzstd(const uint8_t *p, size_t n, struct lm_buf *z, size_t *out)
{
    unsigned long long sz = ZSTD_getFrameContentSize(p, n);
    if (sz == ZSTD_CONTENTSIZE_ERROR || sz == ZSTD_CONTENTSIZE_UNKNOWN || sz > (1ULL << 30))
        return NULL;
    lm_buf_reset(z);
    if (lm_buf_reserve(z, (size_t)sz + 1))
        return NULL;
    size_t r = ZSTD_decompress(z->data, (size_t)sz + 1, p, n);
    if (ZSTD_isError(r) || r != sz)
        return NULL;
    *out = r;
    return (const uint8_t *)z->data;
}

static int
replay_file(struct tsdb_wal *w, const char *path, const struct tsdb_wal_replay_cb *cb,
            struct tsdb_wal_replay_stats *st, struct lm_buf *scratch, int64_t *maxt,
            uint64_t *size)
{
    struct lm_buf zbuf;
    lm_buf_init(&zbuf, (1UL << 30) + 2);
    *maxt = INT64_MIN;
    *size = 0;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        lm_warn(w->log, "cannot open WAL file, skipped", "file", path, "err", strerror(errno),
                NULL);
        return 0;
    }
    struct stat sb;
    if (fstat(fd, &sb) || sb.st_size == 0) {
        close(fd);
        return 0;
    }
    size_t n = (size_t)sb.st_size;
    uint8_t *b = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
    if (b == MAP_FAILED) {
        lm_warn(w->log, "cannot map WAL file, skipped", "file", path, "err", strerror(errno),
                NULL);
        close(fd);
        return 0;
    }
    madvise(b, n, MADV_SEQUENTIAL);
    const char *why;
    size_t good = valid_prefix(b, n, &why);
    size_t pos = 0, dropped = 0;
    int rc = 0;
    while (pos < good && !rc) {
        drop_behind(b, &dropped, pos);
        uint8_t type = b[pos];
        uint32_t len = le32(b + pos + 1);
        const uint8_t *p = b + pos + TSDB_WAL_HDR, *end = p + len;
        if (type & TSDB_WAL_ZSTD) {
            size_t plain;
            p = unzstd(p, len, &zbuf, &plain);
            end = p ? p + plain : NULL;
            type &= (uint8_t)~TSDB_WAL_ZSTD;
        }
        if (!p)
            rc = 1;
        else
            rc = type == TSDB_WAL_SERIES ? series_rec(p, end, cb, scratch, st)
                                         : samples_rec(p, end, cb, st, maxt);
        if (rc == 1) {
            why = "malformed record";
            good = pos;
            rc = 0;
            break;
        }
        st->records++;
        pos += TSDB_WAL_HDR + len;
    }
    munmap(b, n);
    lm_buf_cleanup(&zbuf);
    if (!rc && why) {
        char off[32], lost[32];
        snprintf(off, sizeof(off), "%zu", good);
        snprintf(lost, sizeof(lost), "%zu", n - good);
        lm_warn(w->log, "WAL corruption, cutting the file there", "file", path, "offset", off,
                "lost_bytes", lost, "reason", why, NULL);
        st->corruptions++;
        atomic_fetch_add(&w->corruptions, 1);
        if (ftruncate(fd, (off_t)good))
            lm_warn(w->log, "cannot truncate WAL file", "file", path, "err", strerror(errno),
                    NULL);
        n = good;
    }
    close(fd);
    *size = n;
    return rc;
}

static int
cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static bool
all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return n > 0;
}

int
tsdb_wal_replay(struct tsdb_wal *w, const struct tsdb_wal_replay_cb *cb,
                struct tsdb_wal_replay_stats *st, struct lm_err *err)
{
    memset(st, 0, sizeof(*st));
    DIR *d = opendir(w->dir);
    if (!d)
        return lm_err_set(err, LM_EIO, w->dir, "cannot read WAL directory: %s", strerror(errno));
    uint32_t *seqs = NULL;
    size_t nseq = 0, capseq = 0;
    bool has_ckpt = false;
    uint32_t ckpt = 0;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *nm = de->d_name;
        size_t len = strlen(nm);
        if (len == 8 && all_digits(nm, 8)) {
            if (nseq == capseq) {
                size_t ncap = capseq ? capseq * 2 : 64;
                uint32_t *ns = lm_realloc(seqs, sizeof(*ns) * ncap);
                if (!ns) {
                    rc = lm_err_set(err, LM_ENOMEM, w->dir, "out of memory");
                    break;
                }
                seqs = ns;
                capseq = ncap;
            }
            seqs[nseq++] = (uint32_t)strtoul(nm, NULL, 10);
        } else if (len == 19 && !strncmp(nm, "checkpoint.", 11) && all_digits(nm + 11, 8)) {
            uint32_t c = (uint32_t)strtoul(nm + 11, NULL, 10);
            char p[4096];
            if (has_ckpt) {
                /* keep the newest one only */
                snprintf(p, sizeof(p), "%s/checkpoint.%08" PRIu32, w->dir, c < ckpt ? c : ckpt);
                tsdb_wal_remove_dir(p);
            }
            if (!has_ckpt || c > ckpt)
                ckpt = c;
            has_ckpt = true;
        } else if (!strncmp(nm, "checkpoint.", 11) && len > 4 && !strcmp(nm + len - 4, ".tmp")) {
            char p[4096];
            snprintf(p, sizeof(p), "%s/%s", w->dir, nm);
            tsdb_wal_remove_dir(p);
        }
    }
    closedir(d);
    if (rc) {
        lm_free(seqs);
        return rc;
    }
    if (nseq)
        qsort(seqs, nseq, sizeof(*seqs), cmp_u32);
    struct lm_buf scratch;
    lm_buf_init(&scratch, 1UL << 24);
    char path[4200];
    int64_t maxt;
    uint64_t size;
    if (has_ckpt) {
        snprintf(path, sizeof(path), "%s/checkpoint.%08" PRIu32 "/00000000", w->dir, ckpt);
        rc = replay_file(w, path, cb, st, &scratch, &maxt, &size);
        w->has_ckpt = true;
        w->ckpt_seq = ckpt;
        w->ckpt_bytes = size;
    }
    uint32_t last = has_ckpt ? ckpt : 0;
    for (size_t i = 0; i < nseq && !rc; i++) {
        tsdb_wal_seg_path(w, seqs[i], path, sizeof(path));
        if (has_ckpt && seqs[i] <= ckpt) {
            unlink(path);   /* covered by the checkpoint: left over from a crash */
            continue;
        }
        rc = replay_file(w, path, cb, st, &scratch, &maxt, &size);
        if (!rc && tsdb_wal_seg_push(w, seqs[i], maxt, size))
            rc = LM_ENOMEM;
        st->segments++;
        last = seqs[i];
    }
    lm_buf_cleanup(&scratch);
    lm_free(seqs);
    if (rc)
        return lm_err_set(err, rc, w->dir, "WAL replay failed: %s", lm_strerror(rc));
    pthread_mutex_lock(&w->mu);
    rc = tsdb_wal_new_segment(w, last + 1, err);
    pthread_mutex_unlock(&w->mu);
    return rc;
}

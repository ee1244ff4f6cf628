/* SPDX-License-Identifier: Apache-2.0 */
/* wal.c: the write-ahead log's segments (see wal.h): record framing, appending whole
 * commits under one mutex, segment rotation, checkpoints and deletion of old segments.
 * Reading back is in wal_replay.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "flint/tsdb/wal_int.h"
#include "lm/alloc.h"
#include "lm/log.h"

uint32_t
tsdb_wal_crc(uint8_t type, const uint8_t *p, size_t n)
{
    uLong c = crc32(0L, Z_NULL, 0);
    c = crc32(c, &type, 1);
    while (n > 0) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c = crc32(c, p, k);
        p += k;
        n -= k;
    }
    return (uint32_t)c;
}

size_t
tsdb_wal_rec_begin(struct lm_buf *b, uint8_t type)
{
    size_t start = b->len;
    uint8_t hdr[TSDB_WAL_HDR] = {type};
    lm_buf_append(b, hdr, sizeof(hdr));
    return start;
}

static void
put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

void
tsdb_wal_rec_end(struct lm_buf *b, size_t start)
{
    if (b->err)
        return;
    uint8_t *h = (uint8_t *)b->data + start;
    size_t len = b->len - start - TSDB_WAL_HDR;
    put_le32(h + 1, (uint32_t)len);
    put_le32(h + 5, tsdb_wal_crc(h[0], h + TSDB_WAL_HDR, len));
}

void
tsdb_wal_rec_compress(struct lm_buf *b, size_t start, void *zctx)
{
    size_t plen = b->len - start - TSDB_WAL_HDR;
    if (b->err || !zctx || plen < 64)
        return;
    size_t bound = ZSTD_compressBound(plen);
    uint8_t *z = lm_malloc(bound);
    if (!z)
        return;
    size_t r = ZSTD_compressCCtx(zctx, z, bound, b->data + start + TSDB_WAL_HDR, plen, 1);
    if (!ZSTD_isError(r) && r < plen) {
        uint8_t type = (uint8_t)(b->data[start] | TSDB_WAL_ZSTD);
        b->len = start;
        tsdb_wal_rec_begin(b, type);
        lm_buf_append(b, z, r);
        tsdb_wal_rec_end(b, start);
    }
    lm_free(z);
}

void
tsdb_wal_put_uvarint(struct lm_buf *b, uint64_t x)
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

void
tsdb_wal_put_varint(struct lm_buf *b, int64_t x)
{
    tsdb_wal_put_uvarint(b, ((uint64_t)x << 1) ^ (uint64_t)(x >> 63));
}

void
tsdb_wal_put_u64(struct lm_buf *b, uint64_t x)
{
    uint8_t tmp[8];
    for (int i = 0; i < 8; i++)
        tmp[i] = (uint8_t)(x >> (8 * i));
    lm_buf_append(b, tmp, 8);
}

void
tsdb_wal_put_series(struct lm_buf *b, uint32_t ref, const struct lbl_set *ls)
{
    tsdb_wal_put_uvarint(b, ref);
    tsdb_wal_put_uvarint(b, ls->n);
    for (size_t i = 0; i < ls->n; i++) {
        size_t nl = strlen(ls->v[i].name), vl = strlen(ls->v[i].value);
        tsdb_wal_put_uvarint(b, nl);
        lm_buf_append(b, ls->v[i].name, nl);
        tsdb_wal_put_uvarint(b, vl);
        lm_buf_append(b, ls->v[i].value, vl);
    }
}

void
tsdb_wal_seg_path(const struct tsdb_wal *w, uint32_t seq, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s/%08" PRIu32, w->dir, seq);
}

struct tsdb_wal *
tsdb_wal_open(const char *dir, uint64_t seg_max, struct lm_log *log, struct lm_err *err)
{
    if (mkdir(dir, 0777) && errno != EEXIST) {
        lm_err_set(err, LM_EIO, dir, "cannot create WAL directory: %s", strerror(errno));
        return NULL;
    }
    struct tsdb_wal *w = lm_calloc(1, sizeof(*w));
    if (!w || !(w->dir = lm_strdup(dir))) {
        lm_free(w);
        lm_err_set(err, LM_ENOMEM, dir, "out of memory");
        return NULL;
    }
    w->seg_max = seg_max ? seg_max : TSDB_WAL_SEGMENT_MAX;
    w->log = log;
    w->fd = -1;
    pthread_mutex_init(&w->mu, NULL);
    pthread_mutex_init(&w->ckpt_mu, NULL);
    return w;
}

void
tsdb_wal_close(struct tsdb_wal *w)
{
    if (!w)
        return;
    if (w->fd >= 0) {
        fdatasync(w->fd);
        close(w->fd);
    }
    pthread_mutex_destroy(&w->mu);
    pthread_mutex_destroy(&w->ckpt_mu);
    lm_free(w->segs);
    lm_free(w->dir);
    lm_free(w);
}

int
tsdb_wal_seg_push(struct tsdb_wal *w, uint32_t seq, int64_t maxt, uint64_t size)
{
    if (w->nsegs == w->capsegs) {
        size_t ncap = w->capsegs ? w->capsegs * 2 : 16;
        struct tsdb_wal_seg *ns = lm_realloc(w->segs, sizeof(*ns) * ncap);
        if (!ns)
            return LM_ENOMEM;
        w->segs = ns;
        w->capsegs = ncap;
    }
    w->segs[w->nsegs].seq = seq;
    w->segs[w->nsegs].maxt = maxt;
    w->segs[w->nsegs].size = size;
    w->nsegs++;
    return 0;
}

int
tsdb_wal_new_segment(struct tsdb_wal *w, uint32_t seq, struct lm_err *err)
{
    char path[4096];
    tsdb_wal_seg_path(w, seq, path, sizeof(path));
    if (tsdb_wal_seg_push(w, seq, INT64_MIN, 0))
        return lm_err_set(err, LM_ENOMEM, path, "out of memory");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0666);
    if (fd < 0) {
        w->nsegs--;
        return lm_err_set(err, LM_EIO, path, "cannot create WAL segment: %s", strerror(errno));
    }
    if (w->fd >= 0)
        close(w->fd);
    w->fd = fd;
    w->cur_seq = seq;
    w->cur_size = 0;
    return 0;
}

int
tsdb_wal_write(struct tsdb_wal *w, const void *recs, size_t len, int64_t maxt,
               struct lm_err *err)
{
    int rc = 0;
    pthread_mutex_lock(&w->mu);
    if (w->fd < 0) {
        rc = lm_err_set(err, LM_EIO, w->dir, "WAL is not open for writing");
        goto out;
    }
    if (w->cur_size && w->cur_size + len > w->seg_max) {
        rc = tsdb_wal_new_segment(w, w->cur_seq + 1, err);
        if (rc)
            goto out;
    }
    const uint8_t *p = recs;
    size_t left = len;
    while (left) {
        ssize_t k = write(w->fd, p, left);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            int e = k < 0 ? errno : ENOSPC;
            char path[4096];
            tsdb_wal_seg_path(w, w->cur_seq, path, sizeof(path));
            if (ftruncate(w->fd, (off_t)w->cur_size))
                (void)0; /* the replay cuts the torn record anyway */
            rc = lm_err_set(err, LM_EIO, path, "WAL write failed: %s", strerror(e));
            goto out;
        }
        p += k;
        left -= (size_t)k;
    }
    w->cur_size += len;
    struct tsdb_wal_seg *s = &w->segs[w->nsegs - 1];
    s->size = w->cur_size;
    if (maxt > s->maxt)
        s->maxt = maxt;
out:
    pthread_mutex_unlock(&w->mu);
    return rc;
}

void
tsdb_wal_sync(struct tsdb_wal *w)
{
    pthread_mutex_lock(&w->mu);
    int fd = w->fd >= 0 ? dup(w->fd) : -1;
    pthread_mutex_unlock(&w->mu);
    if (fd >= 0) {
        fdatasync(fd);
        close(fd);
    }
}

uint64_t
tsdb_wal_bytes(struct tsdb_wal *w)
{
    pthread_mutex_lock(&w->mu);
    uint64_t b = w->ckpt_bytes;
    for (size_t i = 0; i < w->nsegs; i++)
        b += w->segs[i].size;
    pthread_mutex_unlock(&w->mu);
    return b;
}

uint64_t
tsdb_wal_corruptions(struct tsdb_wal *w)
{
    return atomic_load(&w->corruptions);
}

/* fsync_dir: make renames and unlinks in dir durable (best effort). */
static void
fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* write_all: write buf to path, fsync. 0 or LM_EIO with err set. */
static int
write_file(const char *path, const void *buf, size_t len, struct lm_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return lm_err_set(err, LM_EIO, path, "cannot create: %s", strerror(errno));
    const uint8_t *p = buf;
    while (len) {
        ssize_t k = write(fd, p, len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            int e = k < 0 ? errno : ENOSPC;
            close(fd);
            return lm_err_set(err, LM_EIO, path, "write failed: %s", strerror(e));
        }
        p += k;
        len -= (size_t)k;
    }
    if (fsync(fd)) {
        int e = errno;
        close(fd);
        return lm_err_set(err, LM_EIO, path, "fsync failed: %s", strerror(e));
    }
    close(fd);
    return 0;
}

void
tsdb_wal_remove_dir(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d))) {
            if (de->d_name[0] == '.')
                continue;
            char p[4096];
            snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(path);
}

int
tsdb_wal_checkpoint(struct tsdb_wal *w, int64_t t,
                    int (*write_series)(void *ctx, struct lm_buf *out), void *ctx,
                    struct lm_err *err)
{
    int rc = 0;
    pthread_mutex_lock(&w->ckpt_mu);
    pthread_mutex_lock(&w->mu);
    if (w->fd < 0) {
        pthread_mutex_unlock(&w->mu);
        pthread_mutex_unlock(&w->ckpt_mu);
        return lm_err_set(err, LM_EIO, w->dir, "WAL is not open for writing");
    }
    if (w->cur_size)
        rc = tsdb_wal_new_segment(w, w->cur_seq + 1, err);
    /* the longest prefix of closed segments that holds only samples older than t */
    size_t k = 0;
    while (!rc && k + 1 < w->nsegs && w->segs[k].maxt < t)
        k++;
    uint32_t upto = k ? w->segs[k - 1].seq : 0;
    pthread_mutex_unlock(&w->mu);
    if (rc || !k) {
        pthread_mutex_unlock(&w->ckpt_mu);
        return rc;
    }

    char tmp[4200], final[4096], file[4300];
    snprintf(final, sizeof(final), "%s/checkpoint.%08" PRIu32, w->dir, upto);
    snprintf(tmp, sizeof(tmp), "%s.tmp", final);
    tsdb_wal_remove_dir(tmp);
    struct lm_buf b;
    lm_buf_init(&b, (size_t)1 << 34);
    if (mkdir(tmp, 0777)) {
        rc = lm_err_set(err, LM_EIO, tmp, "cannot create checkpoint: %s", strerror(errno));
        goto done;
    }
    rc = write_series(ctx, &b);
    if (!rc && b.err)
        rc = b.err;
    if (rc) {
        lm_err_set(err, rc, tmp, "cannot build checkpoint: %s", lm_strerror(rc));
        goto done;
    }
    snprintf(file, sizeof(file), "%s/00000000", tmp);
    rc = write_file(file, b.data, b.len, err);
    if (rc)
        goto done;
    fsync_dir(tmp);
    if (rename(tmp, final)) {
        rc = lm_err_set(err, LM_EIO, final, "cannot rename checkpoint: %s", strerror(errno));
        goto done;
    }
    fsync_dir(w->dir);

    /* delete the covered segments and older checkpoints */
    pthread_mutex_lock(&w->mu);
    size_t drop = 0;
    while (drop < w->nsegs && w->segs[drop].seq <= upto) {
        char p[4096];
        tsdb_wal_seg_path(w, w->segs[drop].seq, p, sizeof(p));
        unlink(p);
        drop++;
    }
    memmove(w->segs, w->segs + drop, sizeof(*w->segs) * (w->nsegs - drop));
    w->nsegs -= drop;
    uint32_t old = w->ckpt_seq;
    bool had = w->has_ckpt;
    w->ckpt_seq = upto;
    w->has_ckpt = true;
    w->ckpt_bytes = b.len;
    pthread_mutex_unlock(&w->mu);
    if (had && old != upto) {
        char p[4096];
        snprintf(p, sizeof(p), "%s/checkpoint.%08" PRIu32, w->dir, old);
        tsdb_wal_remove_dir(p);
    }
    lm_info(w->log, "WAL checkpoint written", "checkpoint", final, "dropped_segments",
            upto ? "yes" : "no", NULL);
done:
    if (rc)
        tsdb_wal_remove_dir(tmp);
    lm_buf_cleanup(&b);
    pthread_mutex_unlock(&w->ckpt_mu);
    return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* block_set.c: the set of blocks of a data dir: loading at open (corrupt blocks logged
 * and skipped, leftover tmp dirs and blocks superseded by a compacted block removed),
 * adding a freshly written block, removing one (its dir goes when the last view lets
 * go), stats, ULIDs. The set owns one reference to each block; views own their own. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "flint/tsdb/block_int.h"
#include "lm/alloc.h"
#include "lm/log.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void
tsdb_block_ulid_new(char *out)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
    uint8_t r[10] = {0};
    if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)out;
        for (int i = 0; i < 10; i++, x = x * 6364136223846793005ULL + 1442695040888963407ULL)
            r[i] = (uint8_t)(x >> 56);
    }
    /* 48-bit time: 10 chars (first holds 3 bits); 80 random bits: 16 chars */
    for (int i = 9; i >= 0; i--) {
        out[i] = crockford[ms & 31];
        ms >>= 5;
    }
    unsigned bit = 0;
    for (int i = 0; i < 16; i++) {
        unsigned v = 0;
        for (int k = 0; k < 5; k++, bit++)
            v = v << 1 | ((r[bit / 8] >> (7 - bit % 8)) & 1);
        out[10 + i] = crockford[v];
    }
    out[TSDB_BLOCK_ULID_LEN] = 0;
}

static bool
is_ulid(const char *s)
{
    if (strlen(s) != TSDB_BLOCK_ULID_LEN)
        return false;
    for (const char *p = s; *p; p++)
        if (!strchr(crockford, *p))
            return false;
    return true;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void
tsdb_rm_rf(const char *path)
{
    nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
tsdb_blocks_add(struct tsdb_blocks *bs, struct tsdb_block *b)
{
    pthread_mutex_lock(&bs->mu);
    if (bs->n == bs->cap) {
        size_t ncap = bs->cap ? bs->cap * 2 : 16;
        struct tsdb_block **nv = lm_realloc(bs->v, ncap * sizeof(*nv));
        if (!nv) {
            pthread_mutex_unlock(&bs->mu);
            return LM_ENOMEM;
        }
        bs->v = nv;
        bs->cap = ncap;
    }
    size_t i = bs->n;
    while (i > 0 && (bs->v[i - 1]->mint > b->mint ||
                     (bs->v[i - 1]->mint == b->mint && strcmp(bs->v[i - 1]->ulid, b->ulid) > 0))) {
        bs->v[i] = bs->v[i - 1];
        i--;
    }
    bs->v[i] = b;
    bs->n++;
    pthread_mutex_unlock(&bs->mu);
    return 0;
}

void
tsdb_blocks_remove(struct tsdb_blocks *bs, struct tsdb_block *b)
{
    pthread_mutex_lock(&bs->mu);
    for (size_t i = 0; i < bs->n; i++) {
        if (bs->v[i] == b) {
            memmove(&bs->v[i], &bs->v[i + 1], (bs->n - i - 1) * sizeof(*bs->v));
            bs->n--;
            b->deleted = true;
            /* rename first so a crash before the last unref cannot resurrect it */
            size_t l = strlen(b->dir);
            char *gone = lm_malloc(l + 9);
            if (gone) {
                memcpy(gone, b->dir, l);
                memcpy(gone + l, ".deleted", 9);
                if (rename(b->dir, gone) == 0) {
                    lm_free(b->dir);
                    b->dir = gone;
                } else {
                    lm_free(gone);
                }
            }
            pthread_mutex_unlock(&bs->mu);
            tsdb_block_unref(b);
            return;
        }
    }
    pthread_mutex_unlock(&bs->mu);
}

/* drop_superseded: remove blocks named as sources by another loaded block (a crash
 * between writing a compacted block and deleting its parents). */
static void
drop_superseded(struct tsdb_blocks *bs)
{
    for (size_t i = 0; i < bs->n;) {
        bool parent = false;
        for (size_t j = 0; j < bs->n && !parent; j++)
            for (size_t k = 0; j != i && k < bs->v[j]->nsources && !parent; k++)
                parent = strcmp(bs->v[j]->sources[k], bs->v[i]->ulid) == 0;
        if (parent) {
            lm_info(bs->log, "removing block superseded by compaction", "block", bs->v[i]->ulid,
                    NULL);
            tsdb_blocks_remove(bs, bs->v[i]);
        } else {
            i++;
        }
    }
}

struct tsdb_blocks *
tsdb_blocks_open(const char *dir, struct lm_log *log, struct lm_err *err)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        lm_err_set(err, LM_EIO, dir, "mkdir: %s", strerror(errno));
        return NULL;
    }
    DIR *d = opendir(dir);
    if (!d) {
        lm_err_set(err, LM_EIO, dir, "opendir: %s", strerror(errno));
        return NULL;
    }
    struct tsdb_blocks *bs = lm_calloc(1, sizeof(*bs));
    if (!bs || !(bs->dir = lm_strdup(dir))) {
        lm_free(bs);
        closedir(d);
        lm_err_set(err, LM_ENOMEM, dir, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&bs->mu, NULL);
    pthread_mutex_init(&bs->compact_mu, NULL);
    bs->log = log;
    struct dirent *de;
    char path[4200];
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (l > 4 && (strcmp(de->d_name + l - 4, ".tmp") == 0 ||
                      (l > 8 && strcmp(de->d_name + l - 8, ".deleted") == 0))) {
            if (l >= TSDB_BLOCK_ULID_LEN + 4) {
                tsdb_rm_rf(path);
                lm_info(log, "removed leftover block dir", "dir", path, NULL);
            }
            continue;
        }
        if (!is_ulid(de->d_name))
            continue;
        struct lm_err e = {0};
        struct tsdb_block *b = tsdb_block_open(path, &e);
        if (!b) {
            char msg[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX + 4];
            lm_error(log, "skipping corrupt block", "block", de->d_name, "err",
                     lm_err_format(&e, msg, sizeof(msg)), NULL);
            continue;
        }
        if (tsdb_blocks_add(bs, b) != 0) {
            tsdb_block_unref(b);
            closedir(d);
            tsdb_blocks_close(bs);
            lm_err_set(err, LM_ENOMEM, dir, "out of memory");
            return NULL;
        }
    }
    closedir(d);
    drop_superseded(bs);
    return bs;
}

void
tsdb_blocks_close(struct tsdb_blocks *bs)
{
    if (!bs)
        return;
    for (size_t i = 0; i < bs->n; i++)
        tsdb_block_unref(bs->v[i]);
    lm_free(bs->v);
    lm_free(bs->dir);
    pthread_mutex_destroy(&bs->mu);
    pthread_mutex_destroy(&bs->compact_mu);
    lm_free(bs);
}

void
tsdb_blocks_stats(struct tsdb_blocks *bs, struct tsdb_blocks_stats *st)
{
    memset(st, 0, sizeof(*st));
    st->min_time = INT64_MAX;
    st->max_time = INT64_MIN;
    pthread_mutex_lock(&bs->mu);
    st->blocks = bs->n;
    for (size_t i = 0; i < bs->n; i++) {
        struct tsdb_block *b = bs->v[i];
        st->bytes += b->bytes;
        st->series += b->nseries;
        st->samples += b->nsamples;
        st->chunks += b->nchunks;
        if (b->mint < st->min_time)
            st->min_time = b->mint;
        if (b->maxt - 1 > st->max_time)
            st->max_time = b->maxt - 1;
    }
    pthread_mutex_unlock(&bs->mu);
}

int
tsdb_blocks_write(struct tsdb_blocks *bs, int64_t mint, int64_t maxt, int level,
                  const struct tsdb_block_src *src, char *ulid_out, struct lm_err *err)
{
    char *dir = NULL;
    int rc = tsdb_block_write_dir(bs->dir, mint, maxt, level, NULL, 0, src, ulid_out, &dir, err);
    if (rc != 0)
        return rc;
    struct tsdb_block *b = tsdb_block_open(dir, err);
    lm_free(dir);
    if (!b)
        return err ? err->code : LM_EIO;
    if (tsdb_blocks_add(bs, b) != 0) {
        tsdb_block_unref(b);
        return lm_err_set(err, LM_ENOMEM, bs->dir, "out of memory");
    }
    return 0;
}

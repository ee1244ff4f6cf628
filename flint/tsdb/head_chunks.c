/* SPDX-License-Identifier: Apache-2.0 */
/* head_chunks.c: closed head chunks in memory-mapped files (see head_chunks.h): one
 * file written at a time (pwrite at its end, under a mutex), each mapped read-only in
 * full at creation so chunk pointers stay valid; per-file live chunk counts decide when
 * a file goes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flint/tsdb/head_chunks.h"
#include "lm/alloc.h"

struct hcfile {
    int fd;            /* -1 once closed */
    uint8_t *map;      /* TSDB_HCS_FILE_MAX bytes mapped */
    uint64_t size;     /* bytes written */
    uint64_t live;     /* chunks not released */
};

struct tsdb_hcs {
    pthread_mutex_t mu;        /* everything below */
    char *dir;                 /* owned */
    struct hcfile *f;          /* by file number (index), owned */
    uint32_t nf, capf;         /* files created / allocated */
    bool cur;                  /* f[nf - 1] takes writes */
    uint32_t broken;           /* writing failed: this many more puts stay on the heap */
    uint64_t bytes;            /* in open files */
};

struct tsdb_hcs *
tsdb_hcs_open(const char *dir, struct lm_err *err)
{
    if (mkdir(dir, 0777) && errno != EEXIST) {
        lm_err_set(err, LM_EIO, dir, "cannot create head chunks directory: %s", strerror(errno));
        return NULL;
    }
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d))) {
            if (de->d_name[0] == '.')
                continue;
            char p[4096];
            snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
            unlink(p);
        }
        closedir(d);
    }
    struct tsdb_hcs *hc = lm_calloc(1, sizeof(*hc));
    if (!hc || !(hc->dir = lm_strdup(dir))) {
        lm_free(hc);
        lm_err_set(err, LM_ENOMEM, dir, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&hc->mu, NULL);
    return hc;
}

static void
file_drop(struct tsdb_hcs *hc, uint32_t i)
{
    struct hcfile *f = &hc->f[i];
    if (f->fd < 0)
        return;
    munmap(f->map, TSDB_HCS_FILE_MAX);
    close(f->fd);
    f->fd = -1;
    hc->bytes -= f->size;
    char p[4096];
    snprintf(p, sizeof(p), "%s/%06u", hc->dir, i + 1);
    unlink(p);
}

void
tsdb_hcs_close(struct tsdb_hcs *hc)
{
    if (!hc)
        return;
    for (uint32_t i = 0; i < hc->nf; i++)
        file_drop(hc, i);
    pthread_mutex_destroy(&hc->mu);
    lm_free(hc->f);
    lm_free(hc->dir);
    lm_free(hc);
}

/* new_file: start file nf. 0 or -1. Caller holds mu. */
static int
new_file(struct tsdb_hcs *hc)
{
    if (hc->nf == hc->capf) {
        uint32_t ncap = hc->capf ? hc->capf * 2 : 16;
        struct hcfile *nf = lm_realloc(hc->f, sizeof(*nf) * ncap);
        if (!nf)
            return -1;
        hc->f = nf;
        hc->capf = ncap;
    }
    char p[4096];
    snprintf(p, sizeof(p), "%s/%06u", hc->dir, hc->nf + 1);
    int fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return -1;
    void *m = mmap(NULL, TSDB_HCS_FILE_MAX, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        close(fd);
        unlink(p);
        return -1;
    }
    struct hcfile *f = &hc->f[hc->nf++];
    f->fd = fd;
    f->map = m;
    f->size = 0;
    f->live = 0;
    hc->cur = true;
    return 0;
}

int
tsdb_hcs_put(struct tsdb_hcs *hc, const uint8_t *b, size_t len, const uint8_t **out,
             uint32_t *file)
{
    int rc = -1;
    pthread_mutex_lock(&hc->mu);
    if (hc->broken) {
        hc->broken--;   /* retry now and then (the disk may have room again) */
        goto out;
    }
    if (len > TSDB_HCS_FILE_MAX)
        goto out;
    if (hc->cur && hc->f[hc->nf - 1].size + len > TSDB_HCS_FILE_MAX) {
        hc->cur = false;
        if (!hc->f[hc->nf - 1].live)
            file_drop(hc, hc->nf - 1);
    }
    if (!hc->cur && new_file(hc)) {
        hc->broken = 10000;
        goto out;
    }
    struct hcfile *f = &hc->f[hc->nf - 1];
    size_t done = 0;
    while (done < len) {
        ssize_t k = pwrite(f->fd, b + done, len - done, (off_t)(f->size + done));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            /* disk full or similar: cut the partial write, keep chunks on the heap */
            if (ftruncate(f->fd, (off_t)f->size))
                (void)0;
            hc->broken = 10000;
            goto out;
        }
        done += (size_t)k;
    }
    *out = f->map + f->size;
    *file = hc->nf - 1;
    f->size += len;
    f->live++;
    hc->bytes += len;
    rc = 0;
out:
    pthread_mutex_unlock(&hc->mu);
    return rc;
}

void
tsdb_hcs_release(struct tsdb_hcs *hc, uint32_t file)
{
    pthread_mutex_lock(&hc->mu);
    if (file < hc->nf && hc->f[file].live) {
        hc->f[file].live--;
        if (!hc->f[file].live && !(hc->cur && file == hc->nf - 1))
            file_drop(hc, file);
    }
    pthread_mutex_unlock(&hc->mu);
}

uint64_t
tsdb_hcs_bytes(struct tsdb_hcs *hc)
{
    pthread_mutex_lock(&hc->mu);
    uint64_t b = hc->bytes;
    pthread_mutex_unlock(&hc->mu);
    return b;
}

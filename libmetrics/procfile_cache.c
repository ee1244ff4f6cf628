/* SPDX-License-Identifier: Apache-2.0 */
/* procfile_cache.c: the open-file cache behind lm/procfile.h's readers. sysfs and procfs
 * generate a file's content afresh on every read at offset 0, so a scrape can pread a
 * descriptor kept from the last scrape instead of open + read + read(EOF) + close: one
 * system call instead of four, and no path walk. A descriptor is dropped when its read
 * fails with ENODEV/ENOENT/ESTALE (the kernel object went away: reopened once, so a
 * device re-added under the same name is read afresh) and when a directory walk reports
 * that an entry on the path now has another inode (lm_procfile_dirent: a device renamed
 * and another given its name). Bounded: at most max descriptors; when full, only an entry
 * unused for FC_STALE_ROUNDS * max lookups is evicted, otherwise the file is read
 * uncached, so a working set over the bound costs what it did before the cache.
 * Off until lm_procfile_cache enables it; one mutex guards it and is held across a read
 * so no descriptor is closed under a reader. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "lm/procfile.h"
#include "procfile_int.h"

/* An entry not used for this many rounds of max lookups may be evicted. */
#define FC_STALE_ROUNDS 4

enum fc_kind {
    FC_FILE,    /* an open descriptor for a path */
    FC_DIRENT,  /* the inode a directory walk last saw for "dir/name" */
};

struct fc_ent {
    char *path;             /* key (owned); NULL while the slot is free */
    uint64_t hash;          /* hash of kind + path */
    uint64_t ino;           /* FC_DIRENT: the entry's inode */
    uint64_t used;          /* fc.clock at the last lookup that hit this entry */
    int fd;                 /* FC_FILE: the descriptor; -1 for FC_DIRENT */
    enum fc_kind kind;      /* what the entry is */
    bool virt;              /* FC_FILE on sysfs/procfs: no unlink check needed */
    int next;               /* next slot in the bucket chain or the free list; -1 ends */
};

static struct {
    pthread_mutex_t mu;     /* guards everything below */
    size_t max;             /* most descriptors kept; 0 when the cache is off */
    bool all_fs;            /* also keep files on ordinary filesystems (tests) */
    struct fc_ent *ents;    /* cap slots (owned) */
    size_t cap;             /* 2 * max: descriptors plus directory-entry records */
    int *buckets;           /* nbuckets chain heads (owned) */
    size_t nbuckets;        /* a power of two */
    int free_head;          /* first free slot, -1 when none */
    size_t nents;           /* slots in use */
    size_t nfds;            /* FC_FILE slots in use */
    uint64_t clock;         /* lookups so far */
} fc = {.mu = PTHREAD_MUTEX_INITIALIZER, .free_head = -1};

static uint64_t
fc_hash(enum fc_kind kind, const char *path)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)kind;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

/* fc_find: the slot of (kind, path), or -1. Marks it used. */
static int
fc_find(enum fc_kind kind, const char *path, uint64_t h)
{
    for (int i = fc.buckets[h & (fc.nbuckets - 1)]; i >= 0; i = fc.ents[i].next) {
        struct fc_ent *e = &fc.ents[i];
        if (e->hash == h && e->kind == kind && !strcmp(e->path, path)) {
            e->used = fc.clock;
            return i;
        }
    }
    return -1;
}

/* fc_drop: remove slot i from its chain, close its descriptor, free its key. */
static void
fc_drop(int i)
{
    struct fc_ent *e = &fc.ents[i];
    int *link = &fc.buckets[e->hash & (fc.nbuckets - 1)];
    while (*link != i)
        link = &fc.ents[*link].next;
    *link = e->next;
    if (e->kind == FC_FILE) {
        close(e->fd);
        fc.nfds--;
    }
    lm_free(e->path);
    e->path = NULL;
    e->next = fc.free_head;
    fc.free_head = i;
    fc.nents--;
}

/* fc_evict_stale: drop the least recently used entry (of kind file when files_only) if
 * it is stale. true when a slot was freed. */
static bool
fc_evict_stale(bool files_only)
{
    int lru = -1;
    for (size_t i = 0; i < fc.cap; i++) {
        const struct fc_ent *e = &fc.ents[i];
        if (!e->path || (files_only && e->kind != FC_FILE))
            continue;
        if (lru < 0 || e->used < fc.ents[lru].used)
            lru = (int)i;
    }
    if (lru < 0 || fc.ents[lru].used + FC_STALE_ROUNDS * fc.max > fc.clock)
        return false;
    fc_drop(lru);
    return true;
}

/* fc_insert: add (kind, path); fd for FC_FILE. The slot, or -1 when full or out of
 * memory (the caller keeps ownership of fd then). */
static int
fc_insert(enum fc_kind kind, const char *path, uint64_t h, int fd)
{
    if (kind == FC_FILE && fc.nfds >= fc.max && !fc_evict_stale(true))
        return -1;
    if (fc.free_head < 0 && !fc_evict_stale(false))
        return -1;
    char *key = lm_strdup(path);
    if (!key)
        return -1;
    int i = fc.free_head;
    struct fc_ent *e = &fc.ents[i];
    fc.free_head = e->next;
    *e = (struct fc_ent){.path = key, .hash = h, .used = fc.clock, .fd = fd, .kind = kind};
    e->next = fc.buckets[h & (fc.nbuckets - 1)];
    fc.buckets[h & (fc.nbuckets - 1)] = i;
    fc.nents++;
    if (kind == FC_FILE)
        fc.nfds++;
    return i;
}

/* fc_drop_under: drop the file "path" and every file below "path/". */
static void
fc_drop_under(const char *path)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < fc.cap; i++) {
        const struct fc_ent *e = &fc.ents[i];
        if (e->path && e->kind == FC_FILE && !strncmp(e->path, path, n) &&
            (e->path[n] == '/' || e->path[n] == '\0'))
            fc_drop((int)i);
    }
}

/* fc_reset: drop everything and free the tables; the cache is off afterwards. */
static void
fc_reset(void)
{
    for (size_t i = 0; i < fc.cap; i++)
        if (fc.ents[i].path)
            fc_drop((int)i);
    lm_free(fc.ents);
    lm_free(fc.buckets);
    fc.ents = NULL;
    fc.buckets = NULL;
    fc.cap = fc.nbuckets = fc.max = 0;
    fc.free_head = -1;
}

int
lm_procfile_cache(size_t max, bool all_fs)
{
    pthread_mutex_lock(&fc.mu);
    fc_reset();
    int rc = 0;
    if (max) {
        size_t cap = 2 * max, nb = 16;
        while (nb < 2 * cap)
            nb *= 2;
        fc.ents = lm_calloc(cap, sizeof *fc.ents);
        fc.buckets = lm_malloc(nb * sizeof *fc.buckets);
        if (!fc.ents || !fc.buckets) {
            lm_free(fc.ents);
            lm_free(fc.buckets);
            fc.ents = NULL;
            fc.buckets = NULL;
            rc = LM_ENOMEM;
        } else {
            for (size_t i = 0; i < nb; i++)
                fc.buckets[i] = -1;
            for (size_t i = 0; i < cap; i++)
                fc.ents[i].next = i + 1 < cap ? (int)(i + 1) : -1;
            fc.free_head = 0;
            fc.cap = cap;
            fc.nbuckets = nb;
            fc.max = max;
            fc.all_fs = all_fs;
        }
    }
    pthread_mutex_unlock(&fc.mu);
    return rc;
}

size_t
lm_procfile_cache_count(void)
{
    pthread_mutex_lock(&fc.mu);
    size_t n = fc.nfds;
    pthread_mutex_unlock(&fc.mu);
    return n;
}

void
lm_procfile_dirent(const char *dir, const char *name, uint64_t ino)
{
    char key[4096];
    int n = snprintf(key, sizeof key, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof key)
        return;
    pthread_mutex_lock(&fc.mu);
    if (fc.max) {
        fc.clock++;
        uint64_t h = fc_hash(FC_DIRENT, key);
        int i = fc_find(FC_DIRENT, key, h);
        if (i < 0 || fc.ents[i].ino != ino) {
            /* files cached before this record existed were never checked against it */
            fc_drop_under(key);
            if (i < 0)
                i = fc_insert(FC_DIRENT, key, h, -1);
            if (i >= 0)
                fc.ents[i].ino = ino;
        }
    }
    pthread_mutex_unlock(&fc.mu);
}

/* fc_virtual: true when fd is on sysfs or procfs (content made on read, no renames). */
static bool
fc_virtual(int fd)
{
    struct statfs sf;
    if (fstatfs(fd, &sf))
        return false;
    return sf.f_type == SYSFS_MAGIC || sf.f_type == PROC_SUPER_MAGIC;
}

/* fc_gone: true when the errno of a read on a kept descriptor means its object left. */
static bool
fc_gone(int rc)
{
    return rc == ENODEV || rc == ENOENT || rc == ESTALE;
}

/* fc_cached_read: under fc.mu, read path on its kept descriptor. true with *rc set when
 * one was used; false (entry dropped or absent) to open the path afresh. */
static bool
fc_cached_read(const char *path, uint64_t h, int (*rd)(int fd, void *arg), void *arg,
               int *rc)
{
    int i = fc_find(FC_FILE, path, h);
    if (i < 0)
        return false;
    struct fc_ent *e = &fc.ents[i];
    struct stat st;
    if (!e->virt && (fstat(e->fd, &st) || st.st_nlink == 0)) {  /* replaced or removed */
        fc_drop(i);
        return false;
    }
    *rc = rd(e->fd, arg);
    if (*rc > 0 && fc_gone(*rc)) {
        fc_drop(i);
        return false;
    }
    return true;
}

int
lmi_pfc_with_file(const char *path, int (*rd)(int fd, void *arg), void *arg, bool *opened)
{
    int rc;
    *opened = false;
    pthread_mutex_lock(&fc.mu);
    bool on = fc.max != 0;
    uint64_t h = 0;
    if (!on) {
        pthread_mutex_unlock(&fc.mu);
    } else {
        fc.clock++;
        h = fc_hash(FC_FILE, path);
        if (fc_cached_read(path, h, rd, arg, &rc)) {
            pthread_mutex_unlock(&fc.mu);
            *opened = true;
            return rc;
        }
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = errno;
        if (on)
            pthread_mutex_unlock(&fc.mu);
        return rc;
    }
    *opened = true;
    rc = rd(fd, arg);
    /* a read that failed for another reason (EINVAL from a virtual device's speed, EIO
     * from a sensor) fails afresh on each later pread too: keep the descriptor */
    if (on && (rc == 0 || (rc > 0 && !fc_gone(rc)))) {
        bool virt = fc_virtual(fd);
        int i = virt || fc.all_fs ? fc_insert(FC_FILE, path, h, fd) : -1;
        if (i >= 0) {
            fc.ents[i].virt = virt;
            fd = -1;
        }
    }
    if (fd >= 0)
        close(fd);
    if (on)
        pthread_mutex_unlock(&fc.mu);
    return rc;
}

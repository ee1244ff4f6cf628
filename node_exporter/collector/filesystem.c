/* SPDX-License-Identifier: Apache-2.0 */
/* filesystem.c: the filesystem collector: mounts from <procfs>/1/mounts (falling back to
 * <procfs>/mounts), statfs(2) under --path.rootfs in a worker thread bounded by
 * --collector.filesystem.mount-timeout. A mount whose statfs hangs is reported with
 * node_filesystem_device_error 1 and skipped on later scrapes until the hung call returns
 * (upstream's stuckMounts). Does not read /proc/self/mountinfo. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lm/alloc.h"
#include "lm/flags.h"
#include "lm/log.h"
#include "lm/procfile.h"
#include "lm/regex.h"
#include "node_exporter/collector/filesystem.h"
#include "node_exporter/ne.h"
#include "node_exporter/sysfs.h"

#define DEF_MP "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)"
#define DEF_FST "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$"

static const struct lm_flag_desc flags[] = {
    {"collector.filesystem.mount-points-exclude", DEF_MP,
     "Regexp of mount points to exclude for filesystem collector.", false},
    {"collector.filesystem.ignored-mount-points", NULL,
     "Regexp of mount points to ignore for filesystem collector.", false},
    {"collector.filesystem.fs-types-exclude", DEF_FST,
     "Regexp of filesystem types to exclude for filesystem collector.", false},
    {"collector.filesystem.ignored-fs-types", NULL,
     "Regexp of filesystem types to ignore for filesystem collector.", false},
    {"collector.filesystem.mount-timeout", "5s",
     "how long to wait for a mount to respond before marking it as stale", false},
    {NULL, NULL, NULL, false},
};

/* Shared between the collector and abandoned workers; freed by whoever drops it last. */
struct fs_shared {
    pthread_mutex_t mu;       /* guards everything here and every job */
    pthread_cond_t cv;        /* signalled when a job finishes */
    int refs;                 /* 1 for the collector + 1 per abandoned (stuck) job */
    struct fs_stuck *stuck;   /* mount points whose statfs has not returned */
};

struct fs_stuck {
    struct fs_stuck *next;    /* list link */
    char *mountpoint;         /* owned */
};

struct fs_job {
    struct fs_shared *sh;     /* back pointer */
    ne_statfs_fn fn;          /* statfs to call */
    char path[4096];          /* rootfs-relative path to stat */
    char *mountpoint;         /* owned; key in the stuck list when abandoned */
    struct statfs buf;        /* result */
    int err_no;               /* 0 or errno of the call */
    bool done;                /* the call returned */
    bool abandoned;           /* timed out: the worker cleans up */
};

struct filesystem {
    struct lm_regex *mp_exclude;   /* mount points to skip */
    struct lm_regex *fs_exclude;   /* fs types to skip */
    double timeout;                /* seconds */
    struct lm_procfile *pf;        /* the mounts file */
    ne_statfs_fn statfs_fn;        /* statfs(2), or a test's replacement */
    struct fs_shared *sh;          /* stuck-mount bookkeeping */
};

static void
shared_unref_locked(struct fs_shared *sh)
{
    if (--sh->refs > 0) {
        pthread_mutex_unlock(&sh->mu);
        return;
    }
    pthread_mutex_unlock(&sh->mu);
    for (struct fs_stuck *s = sh->stuck, *n; s; s = n) {
        n = s->next;
        lm_free(s->mountpoint);
        lm_free(s);
    }
    pthread_cond_destroy(&sh->cv);
    pthread_mutex_destroy(&sh->mu);
    lm_free(sh);
}

static struct fs_stuck **
stuck_find(struct fs_shared *sh, const char *mp)
{
    struct fs_stuck **p = &sh->stuck;
    while (*p && strcmp((*p)->mountpoint, mp) != 0)
        p = &(*p)->next;
    return p;
}

static void *
worker(void *arg)
{
    struct fs_job *j = arg;
    int rc = j->fn(j->path, &j->buf);
    int en = rc ? (errno ? errno : EIO) : 0;
    struct fs_shared *sh = j->sh;
    pthread_mutex_lock(&sh->mu);
    j->err_no = en;
    j->done = true;
    if (!j->abandoned) {
        pthread_cond_broadcast(&sh->cv);
        pthread_mutex_unlock(&sh->mu);
        return NULL;
    }
    /* recovered: unmark the mount point so the next scrape stats it again */
    struct fs_stuck **p = stuck_find(sh, j->mountpoint), *s = *p;
    if (s) {
        *p = s->next;
        lm_free(s->mountpoint);
        lm_free(s);
    }
    lm_free(j->mountpoint);
    lm_free(j);
    shared_unref_locked(sh);
    return NULL;
}

/* parse_duration: Go-style "5s", "250ms", "1m30s", "1.5s" into seconds. */
static int
parse_duration(const char *s, double *out)
{
    double total = 0;
    if (!*s)
        return LM_EPARSE;
    while (*s) {
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (end == s || errno)
            return LM_EPARSE;
        s = end;
        double unit;
        if (!strncmp(s, "ms", 2)) { unit = 1e-3; s += 2; }
        else if (!strncmp(s, "us", 2)) { unit = 1e-6; s += 2; }
        else if (!strncmp(s, "ns", 2)) { unit = 1e-9; s += 2; }
        else if (*s == 's') { unit = 1; s++; }
        else if (*s == 'm') { unit = 60; s++; }
        else if (*s == 'h') { unit = 3600; s++; }
        else if (v == 0 && !*s) { unit = 0; }
        else return LM_EPARSE;
        total += v * unit;
    }
    *out = total;
    return 0;
}

static void fs_fini(void *state);

static int
fs_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    int rc;
    const char *mp = ne_flag_alias(ctx, "collector.filesystem.mount-points-exclude",
                                   "collector.filesystem.ignored-mount-points", &rc, err);
    if (rc)
        return rc;
    const char *fst = ne_flag_alias(ctx, "collector.filesystem.fs-types-exclude",
                                    "collector.filesystem.ignored-fs-types", &rc, err);
    if (rc)
        return rc;
    if (!ctx->flags) {
        mp = DEF_MP;
        fst = DEF_FST;
    }
    const char *to = ctx->flags ? lm_flags_get(ctx->flags, "collector.filesystem.mount-timeout") : NULL;
    struct filesystem *s = lm_calloc(1, sizeof *s);
    if (!s)
        return lm_err_set(err, LM_ENOMEM, "filesystem", "out of memory");
    s->statfs_fn = statfs;
    s->pf = lm_procfile_new(NULL);
    s->sh = lm_calloc(1, sizeof *s->sh);
    if (!s->pf || !s->sh) {
        lm_procfile_free(s->pf);
        lm_free(s->sh);
        lm_free(s);
        return lm_err_set(err, LM_ENOMEM, "filesystem", "out of memory");
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&s->sh->mu, NULL);
    pthread_cond_init(&s->sh->cv, &ca);
    pthread_condattr_destroy(&ca);
    s->sh->refs = 1;
    *state = s;
    if (parse_duration(to && *to ? to : "5s", &s->timeout)) {
        rc = lm_err_set(err, LM_ECONFIG, "--collector.filesystem.mount-timeout",
                        "bad duration %s", to);
        goto fail;
    }
    struct lm_err e = {0};
    if (*mp && !(s->mp_exclude = lm_regex_new(mp, false, &e))) {
        rc = lm_err_set(err, LM_ECONFIG, "--collector.filesystem.mount-points-exclude", "%s", e.msg);
        goto fail;
    }
    if (*fst && !(s->fs_exclude = lm_regex_new(fst, false, &e))) {
        rc = lm_err_set(err, LM_ECONFIG, "--collector.filesystem.fs-types-exclude", "%s", e.msg);
        goto fail;
    }
    return 0;
fail:
    fs_fini(s);
    *state = NULL;
    return rc;
}

static void
fs_fini(void *state)
{
    struct filesystem *s = state;
    if (!s)
        return;
    lm_regex_free(s->mp_exclude);
    lm_regex_free(s->fs_exclude);
    lm_procfile_free(s->pf);
    pthread_mutex_lock(&s->sh->mu);
    shared_unref_locked(s->sh);
    lm_free(s);
}

void
ne_filesystem_set_statfs(void *state, ne_statfs_fn fn)
{
    struct filesystem *s = state;
    if (s)
        s->statfs_fn = fn ? fn : statfs;
}

/* local_fs: true for filesystem types backed by local memory or block devices, whose
 * statfs cannot hang on a peer; the others (nfs, cifs, fuse.*, ceph, unknown types) are
 * asked from a worker thread under the mount timeout. Saves a thread per mount. */
static bool
local_fs(const char *fstype)
{
    static const char *const local[] = {
        "ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "ramfs", "vfat", "exfat", "f2fs",
        "zfs", "jfs", "reiserfs", "overlay", "squashfs", "devtmpfs", "hugetlbfs", "ntfs",
        "ntfs3", "bcachefs", "nilfs2", "efivarfs", "iso9660", "udf", NULL,
    };
    for (size_t i = 0; local[i]; i++)
        if (!strcmp(fstype, local[i]))
            return true;
    return false;
}

/* Stats one mount point with the timeout. Returns 0 (buf filled), an errno (statfs
 * failed), ETIMEDOUT (now stuck) or EALREADY (was already stuck). */
static int
stat_mount(struct filesystem *s, const struct lm_collect_ctx *ctx, const char *mp,
           const char *fstype, struct statfs *buf)
{
    struct fs_shared *sh = s->sh;
    if (local_fs(fstype)) {
        char path[4096];
        ne_path(ctx, NE_ROOTFS, mp, path, sizeof path);
        int rc = s->statfs_fn(path, buf) == 0 ? 0 : errno;
        if (rc)
            lm_debug(ctx->log, "Error on statfs() system call", "rootfs", mp, "err",
                     strerror(rc), NULL);
        return rc;
    }
    pthread_mutex_lock(&sh->mu);
    bool stuck = *stuck_find(sh, mp) != NULL;
    pthread_mutex_unlock(&sh->mu);
    if (stuck) {
        lm_debug(ctx->log, "Mount point is in an unresponsive state", "mountpoint", mp, NULL);
        return EALREADY;
    }
    struct fs_job *j = lm_calloc(1, sizeof *j);
    if (!j || !(j->mountpoint = lm_strdup(mp))) {
        lm_free(j);
        return ENOMEM;
    }
    j->sh = sh;
    j->fn = s->statfs_fn;
    ne_path(ctx, NE_ROOTFS, mp, j->path, sizeof j->path);
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_t th;
    int rc = pthread_create(&th, &at, worker, j);
    pthread_attr_destroy(&at);
    if (rc) {
        lm_free(j->mountpoint);
        lm_free(j);
        return rc;
    }
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    double t = (double)dl.tv_sec + dl.tv_nsec * 1e-9 + s->timeout;
    dl.tv_sec = (time_t)t;
    dl.tv_nsec = (long)((t - (double)dl.tv_sec) * 1e9);
    pthread_mutex_lock(&sh->mu);
    while (!j->done && pthread_cond_timedwait(&sh->cv, &sh->mu, &dl) != ETIMEDOUT)
        ;
    if (!j->done) {
        struct fs_stuck *st = lm_calloc(1, sizeof *st);
        if (st && (st->mountpoint = lm_strdup(mp))) {
            st->next = sh->stuck;
            sh->stuck = st;
        } else {
            lm_free(st);
        }
        j->abandoned = true;
        sh->refs++;
        pthread_mutex_unlock(&sh->mu);
        lm_warn(ctx->log, "Mount point timed out, it is being labeled as stuck and will not be monitored",
                "mountpoint", mp, NULL);
        return ETIMEDOUT;
    }
    pthread_mutex_unlock(&sh->mu);
    rc = j->err_no;
    *buf = j->buf;
    lm_free(j->mountpoint);
    lm_free(j);
    if (rc)
        lm_debug(ctx->log, "Error on statfs() system call", "rootfs", mp, "err", strerror(rc), NULL);
    return rc;
}

/* unescape: fstab(5) \040 and \011 in place. */
static void
unescape(char *p)
{
    char *w = p;
    for (; *p; p++) {
        if (p[0] == '\\' && p[1] == '0' && p[2] == '4' && p[3] == '0') { *w++ = ' '; p += 3; }
        else if (p[0] == '\\' && p[1] == '0' && p[2] == '1' && p[3] == '1') { *w++ = '\t'; p += 3; }
        else *w++ = *p;
    }
    *w = '\0';
}

static const struct {
    const char *name, *help;   /* family name and upstream HELP */
} fam[] = {
    {"node_filesystem_device_error", "Whether an error occurred while getting statistics for the given device."},
    {"node_filesystem_size_bytes", "Filesystem size in bytes."},
    {"node_filesystem_free_bytes", "Filesystem free space in bytes."},
    {"node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes."},
    {"node_filesystem_files", "Filesystem total file nodes."},
    {"node_filesystem_files_free", "Filesystem total free file nodes."},
    {"node_filesystem_readonly", "Filesystem read-only status."},
};

static int
fs_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    struct filesystem *s = state;
    char path[4096], root[4096];
    int rc = lm_procfile_read(s->pf, ne_path(ctx, NE_PROCFS, "1/mounts", path, sizeof path), err);
    if (rc == LM_ENOENT) {
        lm_debug(ctx->log, "Reading root mounts failed, falling back to system mounts", NULL);
        rc = lm_procfile_read(s->pf, ne_path(ctx, NE_PROCFS, "mounts", path, sizeof path), err);
    }
    if (rc)
        return rc;
    ne_path(ctx, NE_ROOTFS, "", root, sizeof root);
    size_t rlen = strcmp(root, "/") ? strlen(root) : 0;
    size_t nl = lm_procfile_lines(s->pf), nseen = 0;
    const char **seen = lm_emit_alloc(e, (nl + 1) * 3 * sizeof *seen);
    if (!seen)
        return lm_err_set(err, LM_ENOMEM, "filesystem", "out of memory");
    for (size_t l = 0; l < nl; l++) {
        if (lm_procfile_words(s->pf, l) == 0)
            continue;
        if (lm_procfile_words(s->pf, l) < 4)
            return lm_err_set(err, LM_EPARSE, path, "malformed mount point information: %s",
                              lm_procfile_line(s->pf, l));
        const char *dev = lm_procfile_word(s->pf, l, 0), *fstype = lm_procfile_word(s->pf, l, 2);
        const char *w1 = lm_procfile_word(s->pf, l, 1), *opts = lm_procfile_word(s->pf, l, 3);
        char *mp = lm_emit_alloc(e, strlen(w1) + 2);
        if (!mp)
            return lm_err_set(err, LM_ENOMEM, "filesystem", "out of memory");
        memcpy(mp, w1, strlen(w1) + 1);
        unescape(mp);
        if (rlen && !strncmp(mp, root, rlen) && (mp[rlen] == '/' || !mp[rlen])) {
            memmove(mp, mp + rlen, strlen(mp + rlen) + 1);
            if (!*mp)
                memcpy(mp, "/", 2);
        }
        if (s->mp_exclude && lm_regex_match(s->mp_exclude, mp, SIZE_MAX)) {
            lm_debug(ctx->log, "Ignoring mount point", "mountpoint", mp, NULL);
            continue;
        }
        if (s->fs_exclude && lm_regex_match(s->fs_exclude, fstype, SIZE_MAX)) {
            lm_debug(ctx->log, "Ignoring fs", "type", fstype, NULL);
            continue;
        }
        bool dup = false;
        for (size_t i = 0; i < nseen && !dup; i++)
            dup = !strcmp(seen[3 * i], dev) && !strcmp(seen[3 * i + 1], mp) &&
                  !strcmp(seen[3 * i + 2], fstype);
        if (dup)
            continue;
        seen[3 * nseen] = dev;
        seen[3 * nseen + 1] = mp;
        seen[3 * nseen++ + 2] = fstype;
        struct statfs b = {0};
        int se = stat_mount(s, ctx, mp, fstype, &b);
        if (se == ENOMEM)
            return lm_err_set(err, LM_ENOMEM, "filesystem", "out of memory");
        double ro = 0;
        for (const char *o = opts; *o; o += strcspn(o, ","), o += *o == ',') {
            if (!strncmp(o, "ro", 2) && (o[2] == ',' || !o[2]))
                ro = 1;
        }
        double v[7] = {se ? 1 : 0, (double)b.f_blocks * (double)b.f_bsize,
                       (double)b.f_bfree * (double)b.f_bsize, (double)b.f_bavail * (double)b.f_bsize,
                       (double)b.f_files, (double)b.f_ffree, ro};
        for (size_t i = 0; i < (se ? 1 : 7); i++) {
            lm_emit_family(e, fam[i].name, fam[i].help, LM_TYPE_GAUGE);
            lm_emit_samplev(e, v[i], "device", dev, "fstype", fstype, "mountpoint", mp, NULL);
        }
    }
    return 0;
}

const struct lm_collector_desc ne_filesystem_collector = {
    .name = "filesystem",
    .enabled_by_default = true,
    .flags = flags,
    .init = fs_init,
    .collect = fs_collect,
    .fini = fs_fini,
};

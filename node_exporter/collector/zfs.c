/* SPDX-License-Identifier: Apache-2.0 */
/* zfs.c: the zfs collector (ZFS on Linux kstats under <procfs>/spl/kstat/zfs): one untyped
 * metric per int64/uint64 kstat of arcstats, abdstats, dbufstats, ... (node_zfs_<group>_*),
 * per pool the io counters (node_zfs_zpool_*), per dataset the objset counters
 * (node_zfs_zpool_dataset_*) and the pool state set (node_zfs_zpool_state). No
 * spl/kstat/zfs directory: LM_ENODATA. A kstat file that is missing is skipped. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "lm/procfile.h"
#include "node_exporter/ne.h"
#include "node_exporter/procutil.h"
#include "node_exporter/sysfs.h"

/* metric group (after node_) and kstat file name */
static const struct {
    const char *group;    /* e.g. "zfs_arc" */
    const char *file;     /* e.g. "arcstats" */
} groups[] = {
    {"zfs_abd", "abdstats"}, {"zfs_arc", "arcstats"}, {"zfs_dbuf", "dbufstats"},
    {"zfs_dmu_tx", "dmu_tx"}, {"zfs_dnode", "dnodestats"}, {"zfs_fm", "fm"},
    {"zfs_vdev_cache", "vdev_cache_stats"}, {"zfs_vdev_mirror", "vdev_mirror_stats"},
    {"zfs_xuio", "xuio_stats"}, {"zfs_zfetch", "zfetchstats"}, {"zfs_zil", "zil"},
};

static const char *const states[] = {"online", "degraded", "faulted", "offline", "removed",
                                     "unavail", "suspended"};

struct zfs_walk {
    struct lm_procfile *pf;   /* reused reader */
    struct lm_emit *e;        /* output */
    struct lm_err *err;       /* collect's error */
    const char *pool;         /* pool being walked */
};

/* emit: node_<prefix>_<name with '-' as '_'>, HELP "kstat.zfs.misc.<file>.<name>". */
static void
emit(struct zfs_walk *w, const char *prefix, const char *file, const char *name, double v,
     const char *dataset)
{
    char m[256], help[256], n[128];
    snprintf(n, sizeof n, "%s", name);
    for (char *p = n; *p; p++)
        if (*p == '-')
            *p = '_';
    snprintf(m, sizeof m, "node_%s_%s", prefix, n);
    snprintf(help, sizeof help, "kstat.zfs.misc.%s.%s", file, name);
    lm_emit_family(w->e, m, help, LM_TYPE_UNTYPED);
    if (dataset)
        lm_emit_samplev(w->e, v, "dataset", dataset, "zpool", w->pool, NULL);
    else if (w->pool)
        lm_emit_samplev(w->e, v, "zpool", w->pool, NULL);
    else
        lm_emit_samplev(w->e, v, NULL);
}

/* kstat: a "name type data" table in w->pf (already read from path). objset: only uint64
 * rows, dataset_name sets the dataset label. Otherwise int64 and uint64 rows. */
static int
kstat(struct zfs_walk *w, const char *path, const char *prefix, const char *file, bool objset)
{
    const struct lm_procfile *pf = w->pf;
    size_t start = 0, nl = lm_procfile_lines(pf);
    const char *dataset = NULL;
    for (size_t l = 0; l < nl && !start; l++)
        if (lm_procfile_words(pf, l) == 3 && !strcmp(lm_procfile_word(pf, l, 0), "name") &&
            !strcmp(lm_procfile_word(pf, l, 1), "type") && !strcmp(lm_procfile_word(pf, l, 2), "data"))
            start = l + 1;
    if (!start)
        return lm_err_set(w->err, LM_EPARSE, path, "did not parse a single %s metric", file);
    for (size_t l = start; l < nl; l++) {
        if (lm_procfile_words(pf, l) < 3)
            continue;
        const char *name = lm_procfile_word(pf, l, 0), *type = lm_procfile_word(pf, l, 1);
        if (objset && !strcmp(name, "dataset_name")) {
            dataset = lm_procfile_word(pf, l, 2);
            continue;
        }
        if (strcmp(type, "4") && (objset || strcmp(type, "3")))
            continue;
        uint64_t v;
        if (lm_parse_u64(lm_procfile_word(pf, l, 2), &v))
            return lm_err_set(w->err, LM_EPARSE, path,
                              "could not parse expected integer value for \"kstat.zfs.misc.%s.%s\"",
                              objset ? "objset" : file, name);
        emit(w, prefix, objset ? "objset" : file, name, (double)v, objset ? (dataset ? dataset : "") : NULL);
    }
    return 0;
}

/* io: a header line starting with nread (12+ columns) and one line of values. */
static int
pool_io(struct zfs_walk *w, const char *path)
{
    const struct lm_procfile *pf = w->pf;
    for (size_t l = 0; l + 1 < lm_procfile_lines(pf); l++) {
        size_t n = lm_procfile_words(pf, l);
        if (n < 12 || strcmp(lm_procfile_word(pf, l, 0), "nread"))
            continue;
        for (size_t r = l + 1; r < lm_procfile_lines(pf); r++)
            for (size_t i = 0; i < n; i++) {
                uint64_t v;
                if (lm_parse_u64(lm_procfile_word(pf, r, i), &v))
                    return lm_err_set(w->err, LM_EPARSE, path,
                                      "could not parse expected integer value for \"kstat.zfs.misc.io.%s\"",
                                      lm_procfile_word(pf, l, i));
                emit(w, "zfs_zpool", "io", lm_procfile_word(pf, l, i), (double)v, NULL);
            }
        break;
    }
    return 0;
}

static int
objset(void *arg, const char *dir, const char *name)
{
    struct zfs_walk *w = arg;
    char p[4096];
    int rc = lm_procfile_read(w->pf, ne_join(p, sizeof p, dir, name), w->err);
    return rc ? rc : kstat(w, p, "zfs_zpool_dataset", name, true);
}

static int
pool(void *arg, const char *dir, const char *name)
{
    struct zfs_walk *w = arg;
    char d[4096], p[4096], state[64];
    int rc;
    ne_join(d, sizeof d, dir, name);
    w->pool = name;
    if (lm_procfile_read(w->pf, ne_join(p, sizeof p, d, "io"), NULL) == 0 && (rc = pool_io(w, p)))
        return rc;
    if ((rc = ne_dir_each(d, "objset-", objset, w)) && rc != LM_ENOENT)
        return rc;
    if (ne_attr_str(d, "state", state, sizeof state) == 0) {
        for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
            lm_emit_family(w->e, "node_zfs_zpool_state", "kstat.zfs.misc.state", LM_TYPE_GAUGE);
            lm_emit_samplev(w->e, strcasecmp(state, states[i]) == 0, "state", states[i], "zpool",
                            name, NULL);
        }
    }
    w->pool = NULL;
    return 0;
}

static int
zfs_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    char dir[4096], p[4096];
    struct zfs_walk w = {state, e, err, NULL};
    ne_path(ctx, NE_PROCFS, "spl/kstat/zfs", dir, sizeof dir);
    struct stat st;
    if (stat(dir, &st) && (errno == ENOENT || errno == ENOTDIR))  /* no ZFS: one lookup */
        return lm_err_set(err, LM_ENODATA, dir, "ZFS / ZFS statistics are not available");
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        int rc = lm_procfile_read(w.pf, ne_join(p, sizeof p, dir, groups[i].file), err);
        if (rc == LM_ENOENT) {
            lm_err_clear(err);
            continue;  /* this ZFS version lacks that kstat */
        }
        if (rc || (rc = kstat(&w, p, groups[i].group, groups[i].file, false)))
            return rc;
    }
    int rc = ne_dir_each(dir, NULL, pool, &w);
    if (rc == LM_ENOENT && !err->code)
        return lm_err_set(err, LM_ENODATA, dir, "ZFS / ZFS statistics are not available");
    if (rc && !err->code)
        return lm_err_set(err, rc, dir, "%s", lm_strerror(rc));
    return rc;
}

const struct lm_collector_desc ne_zfs_collector = {
    .name = "zfs",
    .enabled_by_default = true,
    .init = ne_pf_init,
    .collect = zfs_collect,
    .fini = ne_pf_fini,
};

/* SPDX-License-Identifier: Apache-2.0 */
/* btrfs.c: the btrfs collector: per filesystem <sysfs>/fs/btrfs/<uuid>/ (directories named
 * like a UUID), node_btrfs_info, the global reserve, and per block group type (data,
 * metadata, system) the reserved bytes and, per layout subdirectory, used/size bytes and
 * the allocation ratio; device sizes from devices/<dev>/size (512-byte sectors). Missing
 * files read as empty/0, as upstream's sysfs reader does. The ioctl device statistics
 * (node_btrfs_device_errors_total, _device_unused_bytes) are not read. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "lm/procfile.h"
#include "node_exporter/ne.h"
#include "node_exporter/sysfs.h"

/* block group types, each a subdirectory of allocation/ */
static const char *const types[] = {"data", "metadata", "system"};

struct fs_walk {
    struct lm_emit *e;      /* output */
    const char *uuid;       /* the filesystem's UUID label */
    const char *bgtype;     /* "data", "metadata", "system" while walking layouts */
    size_t ndev;            /* devices in the filesystem (for raid5/6 ratios) */
    int hard;               /* first read error other than "missing", or 0 */
};

/* u64: the value of dir/name; 0 when missing or not a number (upstream ignores both);
 * other read errors are remembered in w->hard. */
static double
u64(struct fs_walk *w, const char *dir, const char *name)
{
    uint64_t v = 0;
    int rc = ne_attr_u64(dir, name, &v);
    if (rc == LM_EIO && !w->hard)
        w->hard = rc;
    return rc ? 0 : (double)v;
}

static double
ratio(const char *mode, size_t ndev)
{
    if (!strcmp(mode, "single") || !strcmp(mode, "raid0"))
        return 1;
    if (!strcmp(mode, "dup") || !strcmp(mode, "raid1") || !strcmp(mode, "raid10"))
        return 2;
    if (!strcmp(mode, "raid5"))
        return (double)ndev / ((double)ndev - 1);
    if (!strcmp(mode, "raid6"))
        return (double)ndev / ((double)ndev - 2);
    return 0;
}

static int
layout(void *arg, const char *dir, const char *mode)
{
    struct fs_walk *w = arg;
    char d[4096];
    ne_join(d, sizeof d, dir, mode);
    struct lm_emit *e = w->e;
    double used = u64(w, d, "used_bytes"), size = u64(w, d, "total_bytes");
    lm_emit_family(e, "node_btrfs_used_bytes", "Amount of used space by a layout/data type",
                   LM_TYPE_GAUGE);
    lm_emit_samplev(e, used, "block_group_type", w->bgtype, "mode", mode, "uuid", w->uuid, NULL);
    lm_emit_family(e, "node_btrfs_size_bytes", "Amount of space allocated for a layout/data type",
                   LM_TYPE_GAUGE);
    lm_emit_samplev(e, size, "block_group_type", w->bgtype, "mode", mode, "uuid", w->uuid, NULL);
    lm_emit_family(e, "node_btrfs_allocation_ratio", "Data allocation ratio for a layout/data type",
                   LM_TYPE_GAUGE);
    lm_emit_samplev(e, ratio(mode, w->ndev), "block_group_type", w->bgtype, "mode", mode, "uuid",
                    w->uuid, NULL);
    return 0;
}

static int
device(void *arg, const char *dir, const char *name)
{
    struct fs_walk *w = arg;
    char d[4096];
    double sectors = u64(w, ne_join(d, sizeof d, dir, name), "size");
    lm_emit_family(w->e, "node_btrfs_device_size_bytes",
                   "Size of a device that is part of the filesystem.", LM_TYPE_GAUGE);
    lm_emit_samplev(w->e, sectors * 512, "device", name, "uuid", w->uuid, NULL);
    return 0;
}

static int
count(void *arg, const char *dir, const char *name)
{
    (void)dir;
    (void)name;
    (*(size_t *)arg)++;
    return 0;
}

/* Only the subdirectories of an allocation dir are layouts. */
static int
layout_dir(void *arg, const char *dir, const char *name)
{
    char d[4096];
    struct stat st;
    if (stat(ne_join(d, sizeof d, dir, name), &st) || !S_ISDIR(st.st_mode))
        return 0;
    return layout(arg, dir, name);
}

static int
filesystem(void *arg, const char *dir, const char *name)
{
    struct fs_walk *w = arg;
    char d[4096], sub[4096], label[256], uuid[64];
    if (!strchr(name, '-'))
        return 0;  /* "features" and other non-UUID entries */
    ne_join(d, sizeof d, dir, name);
    w->ndev = 0;
    int rc = ne_dir_each(ne_join(sub, sizeof sub, d, "devices"), NULL, count, &w->ndev);
    if (rc && rc != LM_ENOENT)
        return rc;
    if (ne_attr_str(d, "label", label, sizeof label))
        label[0] = '\0';
    if (ne_attr_str(d, "metadata_uuid", uuid, sizeof uuid) || !uuid[0])
        snprintf(uuid, sizeof uuid, "%s", name);
    w->uuid = uuid;
    lm_emit_family(w->e, "node_btrfs_info", "Filesystem information", LM_TYPE_GAUGE);
    lm_emit_samplev(w->e, 1, "label", label, "uuid", uuid, NULL);
    lm_emit_family(w->e, "node_btrfs_global_rsv_size_bytes", "Size of global reserve.",
                   LM_TYPE_GAUGE);
    lm_emit_samplev(w->e, u64(w, d, "allocation/global_rsv_size"), "uuid", uuid, NULL);
    for (size_t i = 0; i < 3; i++) {
        char a[4096], rel[32];
        snprintf(rel, sizeof rel, "allocation/%s", types[i]);
        ne_join(a, sizeof a, d, rel);
        w->bgtype = types[i];
        lm_emit_family(w->e, "node_btrfs_reserved_bytes", "Amount of space reserved for a data type",
                       LM_TYPE_GAUGE);
        lm_emit_samplev(w->e, u64(w, a, "bytes_reserved"), "block_group_type", types[i], "uuid",
                        uuid, NULL);
        rc = ne_dir_each(a, NULL, layout_dir, w);
        if (rc && rc != LM_ENOENT)
            return rc;
    }
    rc = ne_dir_each(sub, NULL, device, w);
    if (rc && rc != LM_ENOENT)
        return rc;
    return w->hard;
}

static int
btrfs_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    (void)state;
    char dir[4096];
    struct fs_walk w = {.e = e};
    int rc = ne_dir_each(ne_path(ctx, NE_SYSFS, "fs/btrfs", dir, sizeof dir), NULL, filesystem, &w);
    if (rc == LM_ENOENT)
        return 0;  /* no btrfs module: no filesystems, as upstream's empty glob */
    if (rc)
        return lm_err_set(err, rc, dir, "failed to retrieve Btrfs stats from sysfs: %s",
                          lm_strerror(rc));
    return 0;
}

const struct lm_collector_desc ne_btrfs_collector = {
    .name = "btrfs",
    .enabled_by_default = true,
    .collect = btrfs_collect,
};

/* SPDX-License-Identifier: Apache-2.0 */
/* diskstats.c: the diskstats collector: per-device counters from /proc/diskstats (the
 * discard and flush columns only when the kernel prints them), node_disk_info and the
 * udev-derived info/ATA gauges from --path.udev.data/b<major>:<minor>. Does not read
 * /sys/block. */
#include <stdio.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/flags.h"
#include "lm/procfile.h"
#include "node_exporter/ne.h"
#include "node_exporter/sysfs.h"

#define DEF_EXCLUDE "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$"

static const struct lm_flag_desc flags[] = {
    {"collector.diskstats.device-exclude", DEF_EXCLUDE,
     "Regexp of diskstats devices to exclude (mutually exclusive to device-include).", false},
    {"collector.diskstats.ignored-devices", NULL,
     "DEPRECATED: Use collector.diskstats.device-exclude", false},
    {"collector.diskstats.device-include", NULL,
     "Regexp of diskstats devices to include (mutually exclusive to device-exclude).", false},
    {NULL, NULL, NULL, false},
};

/* One /proc/diskstats column after major, minor and name, in kernel order. */
static const struct {
    const char *name;   /* family name */
    const char *help;   /* upstream HELP */
    enum lm_type type;  /* counter, except io_now */
    double scale;       /* sectors -> bytes, ms -> s */
} cols[] = {
    {"node_disk_reads_completed_total", "The total number of reads completed successfully.", LM_TYPE_COUNTER, 1},
    {"node_disk_reads_merged_total", "The total number of reads merged.", LM_TYPE_COUNTER, 1},
    {"node_disk_read_bytes_total", "The total number of bytes read successfully.", LM_TYPE_COUNTER, 512},
    {"node_disk_read_time_seconds_total", "The total number of seconds spent by all reads.", LM_TYPE_COUNTER, 0.001},
    {"node_disk_writes_completed_total", "The total number of writes completed successfully.", LM_TYPE_COUNTER, 1},
    {"node_disk_writes_merged_total", "The number of writes merged.", LM_TYPE_COUNTER, 1},
    {"node_disk_written_bytes_total", "The total number of bytes written successfully.", LM_TYPE_COUNTER, 512},
    {"node_disk_write_time_seconds_total", "This is the total number of seconds spent by all writes.", LM_TYPE_COUNTER, 0.001},
    {"node_disk_io_now", "The number of I/Os currently in progress.", LM_TYPE_GAUGE, 1},
    {"node_disk_io_time_seconds_total", "Total seconds spent doing I/Os.", LM_TYPE_COUNTER, 0.001},
    {"node_disk_io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.", LM_TYPE_COUNTER, 0.001},
    {"node_disk_discards_completed_total", "The total number of discards completed successfully.", LM_TYPE_COUNTER, 1},
    {"node_disk_discards_merged_total", "The total number of discards merged.", LM_TYPE_COUNTER, 1},
    {"node_disk_discarded_sectors_total", "The total number of sectors discarded successfully.", LM_TYPE_COUNTER, 1},
    {"node_disk_discard_time_seconds_total", "This is the total number of seconds spent by all discards.", LM_TYPE_COUNTER, 0.001},
    {"node_disk_flush_requests_total", "The total number of flush requests completed successfully", LM_TYPE_COUNTER, 1},
    {"node_disk_flush_requests_time_seconds_total", "This is the total number of seconds spent by all flush requests.", LM_TYPE_COUNTER, 0.001},
};
#define NCOLS (sizeof cols / sizeof cols[0])

/* udev properties we look at, by index into struct udev_info.v */
enum { U_PATH, U_WWN, U_MODEL, U_SCSI_SERIAL, U_SERIAL_SHORT, U_REVISION, U_FS_TYPE,
       U_FS_USAGE, U_FS_UUID, U_FS_VERSION, U_DM_NAME, U_DM_UUID, U_DM_VG, U_DM_LV,
       U_DM_LAYER, U_ATA, U_ATA_WC, U_ATA_WCE, U_ATA_RPM, U_N };
static const char *const ukeys[U_N] = {
    "ID_PATH", "ID_WWN", "ID_MODEL", "SCSI_IDENT_SERIAL", "ID_SERIAL_SHORT", "ID_REVISION",
    "ID_FS_TYPE", "ID_FS_USAGE", "ID_FS_UUID", "ID_FS_VERSION", "DM_NAME", "DM_UUID",
    "DM_VG_NAME", "DM_LV_NAME", "DM_LV_LAYER", "ID_ATA", "ID_ATA_WRITE_CACHE",
    "ID_ATA_WRITE_CACHE_ENABLED", "ID_ATA_ROTATION_RATE_RPM",
};

struct udev_info {
    const char *v[U_N];  /* value views into the udev procfile, NULL when absent */
};

struct diskstats {
    struct lm_procfile *pf;    /* /proc/diskstats */
    struct lm_procfile *udev;  /* one udev data file at a time */
    struct ne_filter filter;   /* device include/exclude */
};

static int
ds_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    int rc;
    const char *exc = ne_flag_alias(ctx, "collector.diskstats.device-exclude",
                                    "collector.diskstats.ignored-devices", &rc, err);
    if (rc)
        return rc;
    const char *inc = ctx->flags ? lm_flags_get(ctx->flags, "collector.diskstats.device-include") : NULL;
    if (inc && *inc && !lm_flags_is_set(ctx->flags, "collector.diskstats.device-exclude") &&
        !lm_flags_is_set(ctx->flags, "collector.diskstats.ignored-devices"))
        exc = "";
    struct diskstats *s = lm_calloc(1, sizeof *s);
    if (!s)
        return lm_err_set(err, LM_ENOMEM, "diskstats", "out of memory");
    s->pf = lm_procfile_new(NULL);
    s->udev = lm_procfile_new("=");
    if (!s->pf || !s->udev) {
        rc = lm_err_set(err, LM_ENOMEM, "diskstats", "out of memory");
        goto fail;
    }
    if ((rc = ne_filter_init(&s->filter, exc, inc, "collector.diskstats", err)))
        goto fail;
    *state = s;
    return 0;
fail:
    lm_procfile_free(s->pf);
    lm_procfile_free(s->udev);
    lm_free(s);
    return rc;
}

static void
ds_fini(void *state)
{
    struct diskstats *s = state;
    if (!s)
        return;
    lm_procfile_free(s->pf);
    lm_procfile_free(s->udev);
    ne_filter_cleanup(&s->filter);
    lm_free(s);
}

/* Loads the udev data file of major:minor; all values NULL when it is missing. */
static void
udev_load(struct diskstats *s, const struct lm_collect_ctx *ctx, const char *maj,
          const char *min, struct udev_info *u)
{
    char rel[64], path[4096];
    memset(u, 0, sizeof *u);
    snprintf(rel, sizeof rel, "b%s:%s", maj, min);
    if (lm_procfile_read(s->udev, ne_path(ctx, NE_UDEV, rel, path, sizeof path), NULL))
        return;
    for (size_t l = 0; l < lm_procfile_lines(s->udev); l++) {
        const char *line = lm_procfile_line(s->udev, l);
        if (strncmp(line, "E:", 2) != 0)
            continue;
        const char *eq = strchr(line, '=');
        if (!eq)
            continue;
        size_t klen = (size_t)(eq - line - 2);
        for (int k = 0; k < U_N; k++)
            if (strlen(ukeys[k]) == klen && !memcmp(line + 2, ukeys[k], klen))
                u->v[k] = eq + 1;
    }
}

/* udev ATA properties exported as gauges */
static const struct {
    int key;                  /* index into struct udev_info.v */
    const char *name, *help;  /* family and upstream HELP */
} ata[] = {
    {U_ATA_RPM, "node_disk_ata_rotation_rate_rpm", "ATA disk rotation rate in RPMs (0 for SSDs)."},
    {U_ATA_WC, "node_disk_ata_write_cache", "ATA disk has a write cache."},
    {U_ATA_WCE, "node_disk_ata_write_cache_enabled", "ATA disk has its write cache enabled."},
};

#define UV(u, k) ((u)->v[k] ? (u)->v[k] : "")

static void
emit_udev(struct lm_emit *e, const char *dev, const struct udev_info *u)
{
    if (*UV(u, U_FS_TYPE)) {
        lm_emit_family(e, "node_disk_filesystem_info", "Info about disk filesystem.", LM_TYPE_GAUGE);
        lm_emit_samplev(e, 1, "device", dev, "type", UV(u, U_FS_TYPE), "usage", UV(u, U_FS_USAGE),
                        "uuid", UV(u, U_FS_UUID), "version", UV(u, U_FS_VERSION), NULL);
    }
    if (*UV(u, U_DM_NAME)) {
        lm_emit_family(e, "node_disk_device_mapper_info", "Info about disk device mapper.", LM_TYPE_GAUGE);
        lm_emit_samplev(e, 1, "device", dev, "lv_layer", UV(u, U_DM_LAYER), "lv_name", UV(u, U_DM_LV),
                        "name", UV(u, U_DM_NAME), "uuid", UV(u, U_DM_UUID), "vg_name", UV(u, U_DM_VG), NULL);
    }
    if (!*UV(u, U_ATA))
        return;
    for (size_t i = 0; i < sizeof ata / sizeof ata[0]; i++) {
        double v;
        if (!u->v[ata[i].key] || lm_parse_double(u->v[ata[i].key], &v))
            continue;
        lm_emit_family(e, ata[i].name, ata[i].help, LM_TYPE_GAUGE);
        lm_emit_samplev(e, v, "device", dev, NULL);
    }
}

static int
ds_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    struct diskstats *s = state;
    char path[4096];
    int rc = lm_procfile_read(s->pf, ne_path(ctx, NE_PROCFS, "diskstats", path, sizeof path), err);
    if (rc)
        return rc;
    for (size_t l = 0; l < lm_procfile_lines(s->pf); l++) {
        size_t nw = lm_procfile_words(s->pf, l);
        if (nw == 0)
            continue;
        if (nw < 14)
            return lm_err_set(err, LM_EPARSE, path, "line %zu: %zu fields, want at least 14", l + 1, nw);
        const char *maj = lm_procfile_word(s->pf, l, 0), *min = lm_procfile_word(s->pf, l, 1);
        const char *dev = lm_procfile_word(s->pf, l, 2);
        if (ne_filter_ignored(&s->filter, dev))
            continue;
        double vals[NCOLS];
        size_t n = nw - 3 < NCOLS ? nw - 3 : NCOLS;
        for (size_t i = 0; i < n; i++) {
            uint64_t v;
            if (lm_parse_u64(lm_procfile_word(s->pf, l, i + 3), &v))
                return lm_err_set(err, LM_EPARSE, path, "line %zu: bad value for %s", l + 1, dev);
            vals[i] = (double)v * cols[i].scale;
        }
        struct udev_info u;
        udev_load(s, ctx, maj, min, &u);
        const char *serial = *UV(&u, U_SCSI_SERIAL) ? UV(&u, U_SCSI_SERIAL) : UV(&u, U_SERIAL_SHORT);
        lm_emit_family(e, "node_disk_info", "Info of /sys/block/<block_device>.", LM_TYPE_GAUGE);
        lm_emit_samplev(e, 1, "device", dev, "major", maj, "minor", min, "model", UV(&u, U_MODEL),
                        "path", UV(&u, U_PATH), "revision", UV(&u, U_REVISION), "serial", serial,
                        "wwn", UV(&u, U_WWN), NULL);
        for (size_t i = 0; i < n; i++) {
            lm_emit_family(e, cols[i].name, cols[i].help, cols[i].type);
            lm_emit_samplev(e, vals[i], "device", dev, NULL);
        }
        emit_udev(e, dev, &u);
    }
    return 0;
}

const struct lm_collector_desc ne_diskstats_collector = {
    .name = "diskstats",
    .enabled_by_default = true,
    .flags = flags,
    .init = ds_init,
    .collect = ds_collect,
    .fini = ds_fini,
};

/* SPDX-License-Identifier: Apache-2.0 */
/* ne.h: what node_exporter's collectors share: the path roots from --path.procfs,
 * --path.sysfs, --path.rootfs and --path.udev.data, so tests run on fixture trees, and
 * the collector table (collectors.c). */
#ifndef NE_H
#define NE_H

#include <stddef.h>
#include "lm/collector.h"

enum ne_root {
    NE_PROCFS = 0,   /* --path.procfs, default /proc */
    NE_SYSFS,        /* --path.sysfs, default /sys */
    NE_ROOTFS,       /* --path.rootfs, default / */
    NE_UDEV,         /* --path.udev.data, default /run/udev/data */
};

/* The --path.* flags, for the exporter's flag set and for tests. */
extern const struct lm_flag_desc ne_path_flags[];

/* ne_path: "<root>/<rel>" into out (n bytes), from ctx's flags; rel may be "" or NULL.
 * Truncates at n. Returns out. */
const char *ne_path(const struct lm_collect_ctx *ctx, enum ne_root root, const char *rel,
                    char *out, size_t n);

/* The collector table, in collectors.c, ended by a NULL entry. */
extern const struct lm_collector_desc *const ne_collectors[];

#endif

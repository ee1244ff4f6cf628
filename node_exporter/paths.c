/* SPDX-License-Identifier: Apache-2.0 */
/* paths.c: node_exporter's path-root flags and the ne_path() joiner every collector uses
 * to reach /proc, /sys, the root filesystem and udev's database. */
#include <stdio.h>
#include <string.h>
#include "lm/flags.h"
#include "node_exporter/ne.h"

const struct lm_flag_desc ne_path_flags[] = {
    {"path.procfs", "/proc", "procfs mountpoint.", false},
    {"path.sysfs", "/sys", "sysfs mountpoint.", false},
    {"path.rootfs", "/", "rootfs mountpoint.", false},
    {"path.udev.data", "/run/udev/data", "udev data path.", false},
    {NULL, NULL, NULL, false},
};

const char *
ne_path(const struct lm_collect_ctx *ctx, enum ne_root root, const char *rel, char *out,
        size_t n)
{
    const char *base = ctx && ctx->flags ? lm_flags_get(ctx->flags, ne_path_flags[root].name) : NULL;
    if (!base)
        base = ne_path_flags[root].def;
    size_t bl = strlen(base);
    while (bl > 1 && base[bl - 1] == '/')
        bl--;
    if (!rel || !*rel)
        snprintf(out, n, "%.*s", (int)bl, base);
    else
        snprintf(out, n, "%.*s%s%s", (int)(bl == 1 && base[0] == '/' ? 0 : bl), base,
                 rel[0] == '/' ? "" : "/", rel);
    return out;
}

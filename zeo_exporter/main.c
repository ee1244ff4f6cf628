/* SPDX-License-Identifier: Apache-2.0 */
/* main.c: zeo_exporter's entry point: the shared exporter scaffold (lm/exporter.h) with
 * the "zeo" collector (zeo.c) on port 9858. */
#include <malloc.h>
#include "lm/exporter.h"
#include "zeo_exporter/zeo.h"

static const struct lm_collector_desc *const zeo_collectors[] = {&zeo_collector, NULL};

static const struct lm_exporter_desc zeo_desc = {
    .prog = "zeo_exporter",
    .ns = "zeo",
    .description = "Prometheus exporter for ZEO (ZODB) storage servers: asks each server "
                   "with the ruok status request (ZEO 4.1 to 6.x) or reads a ZEO 4 monitor "
                   "server. Run it as an unprivileged user (systemd: User=prometheus).",
    .title = "ZEO Exporter",
    .default_listen = ":9858",
    .default_path = "/metrics",
    .collectors = zeo_collectors,
};

int
main(int argc, char **argv)
{
    /* Small and single-minded: one malloc arena for all threads (a connection thread
     * would otherwise get its own), and free memory at the heap top (the gzip state of
     * the last scrape) handed back down to 16 KiB instead of 128 KiB. Together ~100 KiB
     * less resident after scrapes. */
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_TOP_PAD, 16 * 1024);
    return lm_exporter_main(&zeo_desc, argc, argv);
}

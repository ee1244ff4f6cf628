/* SPDX-License-Identifier: Apache-2.0 */
/* main.c: supervisord_exporter's entry point: the shared exporter scaffold
 * (lm/exporter.h) with the "supervisord" collector on port 9876. Flags, logging, HTTP and
 * the collector run live in libmetrics; the XML-RPC work in supervisord.c. */
#include <stddef.h>
#include <malloc.h>
#include "lm/exporter.h"
#include "supervisord_exporter/sv.h"

static const struct lm_collector_desc *const sv_collectors[] = {&sv_collector, NULL};

static const struct lm_exporter_desc sv_desc = {
    .prog = "supervisord_exporter",
    .ns = "supervisord",
    .description =
        "Prometheus exporter for supervisord, over XML-RPC on its unix socket (default) or "
        "HTTP port; no [inet_http_server] and no supervisord restart needed. Run it as an "
        "unprivileged user in the group that owns the socket ([unix_http_server] chown=, "
        "chmod=0770).",
    .title = "Supervisord Exporter",
    .default_listen = ":9876",
    .default_path = "/metrics",
    .collectors = sv_collectors,
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
    return lm_exporter_main(&sv_desc, argc, argv);
}

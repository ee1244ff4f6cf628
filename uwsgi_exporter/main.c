/* SPDX-License-Identifier: Apache-2.0 */
/* main.c: uwsgi_exporter's entry point: the shared exporter scaffold with the "uwsgi"
 * collector on upstream's port 9117 (--stats.uri is repeatable: one per endpoint).
 * Reading and exporting stats live in uwsgi.c. */
#include <malloc.h>
#include "lm/exporter.h"
#include "uwsgi_exporter/uw.h"

static const struct lm_collector_desc *const uw_collectors[] = {&uw_collector, NULL};

static const struct lm_exporter_desc uw_desc = {
    .prog = "uwsgi_exporter",
    .ns = "uwsgi",
    .description =
        "Prometheus exporter for uWSGI stats servers. Give --stats.uri once per endpoint "
        "(unix:///path, tcp://host:port, http://host:port for --stats-http, file:///path) "
        "and/or --stats.glob for unix sockets found at each scrape; each endpoint's series "
        "carry stats_uri. Port 9117 is upstream's and apache_exporter's too: give each "
        "exporter on a host its own --web.listen-address.",
    .title = "uWSGI Exporter",
    .default_listen = ":9117",
    .default_path = "/metrics",
    .collectors = uw_collectors,
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
    return lm_exporter_main(&uw_desc, argc, argv);
}

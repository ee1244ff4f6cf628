/* SPDX-License-Identifier: Apache-2.0 */
/* main.c: postgres_exporter's entry point: the shared exporter scaffold (lm/exporter.h)
 * with the single "postgres" collector (postgres.c) on port 9187. Servers come from
 * DATA_SOURCE_NAME / DATA_SOURCE_URI (dsn.c); upstream 0.11's other flags are the
 * collector's; --web.systemd-socket is accepted and ignored. */
#include <malloc.h>
#include <stddef.h>
#include "lm/exporter.h"
#include "postgres_exporter/pge.h"

static const struct lm_collector_desc *const pge_collectors[] = {&pge_collector, NULL};

static const struct lm_flag_desc pge_compat_flags[] = {
    {"web.systemd-socket", "false",
     "Use systemd socket activation listeners instead of port listeners (Linux only). "
     "Accepted for compatibility and ignored.", true, false},
    {NULL, NULL, NULL, false, false},
};

static const struct lm_flag_desc *const pge_flag_tables[] = {pge_compat_flags, NULL};

static const struct lm_exporter_desc pge_desc = {
    .prog = "postgres_exporter",
    .ns = "pg",
    .description = "Prometheus exporter for PostgreSQL server metrics. Servers come from "
                   "DATA_SOURCE_NAME (comma-separated) or DATA_SOURCE_URI with "
                   "DATA_SOURCE_USER and DATA_SOURCE_PASS (or *_FILE). Run it as an "
                   "unprivileged user with a monitoring role (pg_monitor).",
    .title = "Postgres Exporter",
    .default_listen = ":9187",
    .default_path = "/metrics",
    .collectors = pge_collectors,
    .single_collector = true,
    .flag_tables = pge_flag_tables,
};

int
main(int argc, char **argv)
{
    /* a scrape allocates and frees the same few hundred KiB each time (results, the
     * page): keep up to 256 KiB of it instead of giving it back to the kernel and
     * faulting it in again on the next scrape (glibc trims above 128 KiB by default) */
    mallopt(M_TRIM_THRESHOLD, 1 << 18);
    mallopt(M_MMAP_THRESHOLD, 1 << 18);
    return lm_exporter_main(&pge_desc, argc, argv);
}

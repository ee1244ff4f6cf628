/* SPDX-License-Identifier: Apache-2.0 */
/* main.c: node_exporter's entry point: the shared exporter scaffold (lm/exporter.h) with
 * namespace "node", port 9100, the --path.* roots and the collector table. Everything
 * else (flags, logging, HTTP, collector runs) lives in libmetrics. */
#include <stddef.h>
#include "lm/exporter.h"
#include "lm/procfile.h"
#include "node_exporter/ne.h"

/* Flags the Go node_exporter has that mean nothing here; accepted so existing systemd
 * units and Ansible roles keep working. */
static const struct lm_flag_desc ne_compat_flags[] = {
    {"web.systemd-socket", "false",
     "Use systemd socket activation listeners instead of port listeners (Linux only). "
     "Accepted for compatibility and ignored.", true},
    {"runtime.gomaxprocs", "1",
     "The target number of CPUs Go will run on (GOMAXPROCS). Accepted for compatibility and "
     "ignored.", false},
    {NULL, NULL, NULL, false},
};

static const struct lm_flag_desc *const ne_flag_tables[] = {
    ne_path_flags,
    ne_compat_flags,
    NULL,
};

static const struct lm_exporter_desc ne_desc = {
    .prog = "node_exporter",
    .ns = "node",
    .description = "Prometheus Node Exporter",
    .title = "Node Exporter",
    .default_listen = ":9100",
    .default_path = "/metrics",
    .collectors = ne_collectors,
    .flag_tables = ne_flag_tables,
};

/* Descriptors kept open across scrapes (lm_procfile_cache): a host's ~250 sysfs and
 * procfs files per scrape fit; well under the usual 1024 file limit. */
#define NE_FD_CACHE 512

int
main(int argc, char **argv)
{
    lm_procfile_cache(NE_FD_CACHE, false);  /* LM_ENOMEM only leaves it off */
    return lm_exporter_main(&ne_desc, argc, argv);
}

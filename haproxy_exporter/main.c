/* SPDX-License-Identifier: Apache-2.0 */
/* main.c: haproxy_exporter's entry point: the shared exporter scaffold (lm/exporter.h)
 * with the "haproxy" collector on port 9101. Upstream 0.14's flags are the scaffold's
 * (--web.listen-address, --web.telemetry-path, --web.config.file) plus the collector's
 * --haproxy.* flags (haproxy.c); --web.systemd-socket is accepted and ignored. */
#include <stddef.h>
#include "haproxy_exporter/hap.h"
#include "lm/exporter.h"

static const struct lm_collector_desc *const hap_collectors[] = {&hap_collector, NULL};

static const struct lm_flag_desc hap_compat_flags[] = {
    {"web.systemd-socket", "false",
     "Use systemd socket activation listeners instead of port listeners (Linux only). "
     "Accepted for compatibility and ignored.", true},
    {NULL, NULL, NULL, false},
};

static const struct lm_flag_desc *const hap_flag_tables[] = {hap_compat_flags, NULL};

static const struct lm_exporter_desc hap_desc = {
    .prog = "haproxy_exporter",
    .ns = "haproxy",
    .description = "Prometheus exporter for HAProxy stats (stats page CSV or stats socket). "
                   "Run it as an unprivileged user (systemd: User=prometheus) in the group "
                   "that may open the stats socket (e.g. haproxy); it needs no other "
                   "privileges.",
    .title = "HAProxy Exporter",
    .default_listen = ":9101",
    .default_path = "/metrics",
    .collectors = hap_collectors,
    .single_collector = true,
    .flag_tables = hap_flag_tables,
};

int
main(int argc, char **argv)
{
    return lm_exporter_main(&hap_desc, argc, argv);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* main.c: apache_exporter's entry point: the shared exporter scaffold (lm/exporter.h)
 * with the "apache" collector, port 9117, and upstream 0.12's flag names
 * (--telemetry.address, --telemetry.endpoint, --web.config) as aliases of the
 * scaffold's (--web.listen-address, --web.telemetry-path, --web.config.file). Fetching,
 * parsing and diagnosis live in apache.c. */
#include "apache_exporter/ap.h"
#include "lm/exporter.h"

static const struct lm_collector_desc *const ap_collectors[] = {&ap_collector, NULL};

/* Upstream 0.12's flag names for the scaffold's. */
static const struct lm_flag_alias ap_aliases[] = {
    {"telemetry.address", "web.listen-address"},
    {"telemetry.endpoint", "web.telemetry-path"},
    {"web.config", "web.config.file"},
    {NULL, NULL},
};

static const struct lm_exporter_desc ap_desc = {
    .prog = "apache_exporter",
    .ns = "apache",
    .description =
        "Prometheus exporter for Apache mod_status (server-status?auto). Upstream flag "
        "names are accepted: --telemetry.address (= --web.listen-address), "
        "--telemetry.endpoint (= --web.telemetry-path), --web.config (= "
        "--web.config.file). Run it as an unprivileged user (systemd: User=prometheus); it "
        "needs no privileges.",
    .title = "Apache Exporter",
    .default_listen = ":9117",
    .default_path = "/metrics",
    .collectors = ap_collectors,
    .aliases = ap_aliases,
    .single_collector = true,
};

int
main(int argc, char **argv)
{
    return lm_exporter_main(&ap_desc, argc, argv);
}

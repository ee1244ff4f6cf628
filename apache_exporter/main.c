/* SPDX-License-Identifier: Apache-2.0 */
/* main.c: apache_exporter's entry point: the shared exporter scaffold (lm/exporter.h)
 * with the "apache" collector, port 9117, and upstream 0.12's flag names
 * (--telemetry.address, --telemetry.endpoint, --web.config) mapped onto the scaffold's
 * (--web.listen-address, --web.telemetry-path, --web.config.file) before parsing, since
 * the scaffold has no flag aliases. Fetching, parsing and diagnosis live in apache.c. */
#include <stdio.h>
#include <string.h>
#include "apache_exporter/ap.h"
#include "lm/alloc.h"
#include "lm/exporter.h"

static const struct lm_collector_desc *const ap_collectors[] = {&ap_collector, NULL};

/* Upstream name -> scaffold name. */
static const char *const ap_aliases[][2] = {
    {"telemetry.address", "web.listen-address"},
    {"telemetry.endpoint", "web.telemetry-path"},
    {"web.config", "web.config.file"},
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
};

/* alias_arg: a for-the-scaffold copy of arg when it names an upstream flag
 * ("--telemetry.address=:9117" -> "--web.listen-address=:9117"), else arg itself.
 * NULL on OOM. A copy is allocated with lm_malloc. */
static char *
alias_arg(char *arg)
{
    if (strncmp(arg, "--", 2) != 0)
        return arg;
    const char *name = arg + 2;
    for (size_t i = 0; i < sizeof ap_aliases / sizeof ap_aliases[0]; i++) {
        size_t n = strlen(ap_aliases[i][0]);
        if (strncmp(name, ap_aliases[i][0], n) != 0 || (name[n] != '\0' && name[n] != '='))
            continue;
        size_t len = 2 + strlen(ap_aliases[i][1]) + strlen(name + n) + 1;
        char *out = lm_malloc(len);
        if (out)
            snprintf(out, len, "--%s%s", ap_aliases[i][1], name + n);
        return out;
    }
    return arg;
}

int
main(int argc, char **argv)
{
    char **args = lm_calloc((size_t)argc + 1, sizeof *args);
    if (!args) {
        fputs("apache_exporter: error: out of memory\n", stderr);
        return 1;
    }
    bool rest = false;   /* after "--": no more flags */
    int status = 0;
    for (int i = 0; i < argc; i++) {
        args[i] = (i == 0 || rest) ? argv[i] : alias_arg(argv[i]);
        rest = rest || !strcmp(argv[i], "--");
        if (!args[i]) {
            fputs("apache_exporter: error: out of memory\n", stderr);
            status = 1;
            break;
        }
    }
    if (!status)
        status = lm_exporter_main(&ap_desc, argc, args);
    for (int i = 1; i < argc; i++)
        if (args[i] && args[i] != argv[i])
            lm_free(args[i]);
    lm_free(args);
    return status;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* main.c: uwsgi_exporter's entry point: the shared exporter scaffold with the "uwsgi"
 * collector on upstream's port 9117. The scaffold's collector flags hold one value, so
 * repeated --stats.uri arguments are joined here (UW_URI_SEP) into one before parsing;
 * uwsgi.c splits them again. Reading and exporting stats live in uwsgi.c. */
#include <stdio.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/buf.h"
#include "lm/exporter.h"
#include "uwsgi_exporter/uw.h"

#define URI_FLAG "--stats.uri"

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

/* uri_value: the value of a --stats.uri argument at argv[*i] (advancing *i past a
 * separate value), or NULL when argv[*i] is something else. */
static const char *
uri_value(int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    size_t n = strlen(URI_FLAG);
    if (strncmp(a, URI_FLAG, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0' || *i + 1 >= argc)
        return NULL;   /* another flag, or a missing value the parser will report */
    return argv[++*i];
}

int
main(int argc, char **argv)
{
    char **args = lm_calloc((size_t)argc + 2, sizeof *args);
    struct lm_buf uris;
    lm_buf_init(&uris, 1024 * 1024);
    if (!args) {
        fputs("uwsgi_exporter: error: out of memory\n", stderr);
        return 1;
    }
    int n = 0;
    bool rest = false;   /* after "--": no more flags */
    for (int i = 0; i < argc; i++) {
        const char *v = (i == 0 || rest) ? NULL : uri_value(argc, argv, &i);
        rest = rest || !strcmp(argv[i], "--");
        if (!v) {
            args[n++] = argv[i];
            continue;
        }
        if (uris.len == 0)
            lm_buf_puts(&uris, URI_FLAG "=");
        else
            lm_buf_putc(&uris, UW_URI_SEP);
        lm_buf_puts(&uris, v);
    }
    int status = 1;
    if (uris.err) {
        fputs("uwsgi_exporter: error: out of memory\n", stderr);
    } else {
        if (uris.len) {   /* right after argv[0], so before any "--" */
            memmove(args + 2, args + 1, (size_t)(n - 1) * sizeof *args);
            args[1] = (char *)lm_buf_cstr(&uris);
            n++;
        }
        args[n] = NULL;
        status = lm_exporter_main(&uw_desc, n, args);
    }
    lm_buf_cleanup(&uris);
    lm_free(args);
    return status;
}

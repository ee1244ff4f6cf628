/* SPDX-License-Identifier: Apache-2.0 */
/* synth_targets.c: many synthetic scrape targets from one process, for flint's ingest
 * benchmark (bench/flint_ingest.sh) and scrape tests. Listens on :PORT; every loopback
 * address (127.0.0.1 ... 127.0.0.254) is a distinct target, told apart by the Host
 * header. Each page has SERIES node-like series (counters with fractional and integer
 * increments, slowly changing gauges, constants) whose values are a pure function of
 * (target, series, wall-clock second), so they move between scrapes and every scraper
 * sees the same data without shared state.
 * Usage: synth_targets PORT [SERIES] (runs until SIGTERM/SIGINT). */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lm/buf.h"
#include "lm/http.h"

static unsigned nseries = 1000;
static volatile sig_atomic_t stop;

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb3f9e85ca34dULL;
    return x ^ (x >> 33);
}

static uint64_t target_id(const char *host)
{
    uint64_t h = 1469598103934665603ULL;
    for (; host && *host; host++)
        h = (h ^ (unsigned char)*host) * 1099511628211ULL;
    return h;
}

/* Series i's value at second t. Kind (by family, 0-9): 0-2 fractional counters (cpu
 * seconds), 3-4 integer byte counters, 5-6 gauges changing every 30-60 s, 7-9 constants
 * (sizes, info). */
static void value(struct lm_buf *b, uint64_t tid, unsigned i, unsigned kind, uint64_t t)
{
    uint64_t k = mix(tid ^ ((uint64_t)i << 20));
    t = t - 1764000000u + k % 1000000;  /* as if the host booted some days ago */
    switch (kind) {
    case 0: case 1: case 2: {
        double rate = 0.25 + (double)(k % 1000) / 1000.0;
        double v = rate * (double)t + (double)(mix(k ^ t) % 100) / 100.0;
        lm_buf_printf(b, "%.2f\n", v);
        break;
    }
    case 3: case 4: {
        uint64_t rate = 100 + k % 100000;
        lm_buf_printf(b, "%llu\n", (unsigned long long)(rate * t + mix(k ^ t) % rate));
        break;
    }
    case 5:
        lm_buf_printf(b, "%llu\n",
                      (unsigned long long)(8000000000ULL - (mix(k ^ (t / 60)) % 100000) * 4096));
        break;
    case 6:
        lm_buf_printf(b, "%.1f\n", 40.0 + (double)(mix(k ^ (t / 30)) % 200) / 10.0);
        break;
    default:
        lm_buf_printf(b, "%llu\n", (unsigned long long)(k % 3 == 0 ? 1 : (k % 1000) * 1048576));
        break;
    }
}

static int handler(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    (void)ud;
    uint64_t tid = target_id(lm_http_request_header(req, "Host"));
    uint64_t t = (uint64_t)time(NULL);
    struct lm_buf *b = lm_http_response_body(resp);
    unsigned per_family = 20;
    for (unsigned i = 0; i < nseries; i++) {
        unsigned fam = i / per_family;
        const char *sfx = fam % 10 < 5 ? "_total" : "";
        if (i % per_family == 0)
            lm_buf_printf(b, "# HELP synth_metric_%u%s Synthetic series family %u.\n"
                             "# TYPE synth_metric_%u%s %s\n",
                          fam, sfx, fam, fam, sfx, *sfx ? "counter" : "gauge");
        lm_buf_printf(b, "synth_metric_%u%s{cpu=\"%u\",mode=\"m%u\"} ", fam, sfx,
                      i % per_family / 4, i % 4);
        value(b, tid, i, fam % 10, t);
    }
    return lm_http_response_content_type(resp, "text/plain; version=0.0.4; charset=utf-8");
}

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: synth_targets PORT [SERIES]\n");
        return 2;
    }
    char listen[64];
    snprintf(listen, sizeof listen, ":%s", argv[1]);
    if (argc > 2)
        nseries = (unsigned)strtoul(argv[2], NULL, 10);
    const char *addrs[1] = {listen};
    struct lm_http_options o;
    lm_http_options_init(&o);
    o.listen = addrs;
    o.nlisten = 1;
    o.max_requests = 0;
    struct lm_err err;
    lm_err_clear(&err);
    struct lm_http_server *srv = lm_http_server_new(&o, &err);
    if (!srv || lm_http_route(srv, "/metrics", 0, handler, NULL) ||
        lm_http_server_start(srv, &err)) {
        fprintf(stderr, "synth_targets: %s %s\n", err.where, err.msg);
        return 1;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    while (!stop)
        pause();
    lm_http_server_free(srv);
    return 0;
}

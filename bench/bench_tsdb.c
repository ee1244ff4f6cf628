/* SPDX-License-Identifier: Apache-2.0 */
/* bench_tsdb.c: flint's TSDB head and WAL under a scrape-like load: 200 targets x 1000
 * series (200k series; labels __name__, instance, job, cpu, mode), one appender per
 * target per scrape, refs cached as the scraper does. Reports samples/s and CPU per
 * sample for the first scrape (series creation) and the steady state, resident bytes
 * per series (target: <= 1 KiB, incl. the open chunk), and WAL replay time and memory
 * after a restart. Usage: bench_tsdb [series] [scrapes]; the data dir is a temp dir
 * (BENCH_TSDB_DIR overrides; it is removed at the end); BENCH_TSDB_WAL_COMPRESSION=1
 * turns WAL compression on. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "flint/tsdb/tsdb.h"
#include "lm/alloc.h"

#define PER_TARGET 1000

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* rss_bytes: VmRSS of this process. */
static long
rss_bytes(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, "VmRSS:", 6))
            kb = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kb * 1024;
}

static const char *modes[] = {"idle", "user", "system", "iowait", "irq"};

/* one_scrape: append sample k of every series of target tg. 0 or -1. */
static int
one_scrape(struct tsdb *db, long tg, long k, uint64_t *refs, long per)
{
    struct tsdb_app *a = tsdb_appender(db);
    if (!a)
        return -1;
    int64_t t = 1700000000000LL + k * 15000 + tg % 1000;
    char name[64], inst[64], cpu[16];
    struct lbl lv[5];
    for (long j = 0; j < per; j++) {
        double v = (double)(k * (j % 97 + 1)) + (j % 3 == 0 ? 0.25 * (double)(k % 7) : 0);
        int rc;
        if (refs[j]) {
            rc = tsdb_app_add_ref(a, refs[j], t, v);
        } else {
            /* as the scraper: labels parsed and sorted only for a new series */
            snprintf(name, sizeof(name), "node_metric_%ld_total", j / 10);
            snprintf(inst, sizeof(inst), "10.1.%ld.%ld:9100", tg / 250, tg % 250);
            snprintf(cpu, sizeof(cpu), "%ld", j % 10 / 5);
            lv[0] = (struct lbl){"__name__", name};
            lv[1] = (struct lbl){"cpu", cpu};
            lv[2] = (struct lbl){"instance", inst};
            lv[3] = (struct lbl){"job", "node"};
            lv[4] = (struct lbl){"mode", (char *)modes[j % 5]};
            struct lbl_set ls = {lv, 5, 5};
            rc = tsdb_app_add(a, &ls, t, v, &refs[j]);
        }
        if (rc) {
            fprintf(stderr, "bench_tsdb: add: %s\n", lm_strerror(rc));
            tsdb_app_rollback(a);
            return -1;
        }
    }
    struct lm_err err = {0};
    if (tsdb_app_commit(a, &err)) {
        fprintf(stderr, "bench_tsdb: commit: %s\n", err.msg);
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    long series = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
    long scrapes = argc > 2 ? strtol(argv[2], NULL, 10) : 20;
    if (series < PER_TARGET || scrapes < 2) {
        fprintf(stderr, "usage: bench_tsdb [series >= 1000] [scrapes >= 2]\n");
        return 2;
    }
    long targets = series / PER_TARGET;
    series = targets * PER_TARGET;
    char dir[256];
    const char *env = getenv("BENCH_TSDB_DIR");
    if (env) {
        snprintf(dir, sizeof(dir), "%s", env);
    } else {
        snprintf(dir, sizeof(dir), "/tmp/flint_bench_tsdb_XXXXXX");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            return 1;
        }
    }
    uint64_t *refs = calloc((size_t)series, sizeof(uint64_t));
    if (!refs)
        return 1;
    malloc_trim(0);
    long rss0 = rss_bytes();
    const char *zenv = getenv("BENCH_TSDB_WAL_COMPRESSION");
    struct tsdb_opts o = {.dir = dir, .wal_compression = zenv && zenv[0] == '1'};
    struct lm_err err = {0};
    struct tsdb *db = tsdb_open(&o, &err);
    if (!db) {
        fprintf(stderr, "bench_tsdb: open: %s\n", err.msg);
        return 1;
    }
    double w0 = now_s(), c0 = cpu_s();
    for (long tg = 0; tg < targets; tg++)
        if (one_scrape(db, tg, 0, refs + tg * PER_TARGET, PER_TARGET))
            return 1;
    double w1 = now_s(), c1 = cpu_s();
    for (long k = 1; k < scrapes; k++)
        for (long tg = 0; tg < targets; tg++)
            if (one_scrape(db, tg, k, refs + tg * PER_TARGET, PER_TARGET))
                return 1;
    double w2 = now_s(), c2 = cpu_s();
    malloc_trim(0);
    long rss1 = rss_bytes();
    double steady = (double)series * (double)(scrapes - 1);
    printf("tsdb: %ld series (%ld targets x %d), %ld scrapes, 5 labels each, WAL compression "
           "%s\n", series, targets, PER_TARGET, scrapes, o.wal_compression ? "on" : "off");
    printf("first scrape (creates the series): %.0f samples/s, %.2f us CPU per sample\n",
           (double)series / (w1 - w0), (c1 - c0) * 1e6 / (double)series);
    printf("steady state: %.0f samples/s, %.3f us CPU per sample (Prometheus 1.72 us, "
           "VictoriaMetrics 2.79 us in the full server)\n",
           steady / (w2 - w1), (c2 - c1) * 1e6 / steady);
    printf("resident: %.1f MiB for the db, %.0f bytes per series (target <= 1024, with the "
           "open chunk of %ld samples)\n",
           (double)(rss1 - rss0) / 1048576.0, (double)(rss1 - rss0) / (double)series, scrapes);
    struct tsdb_stats st;
    if (tsdb_stats(db, &st) == 0) {
        printf("head: %llu series, %llu chunks, %llu samples; WAL %.1f MiB (%.1f bytes per "
               "sample)\n",
               (unsigned long long)st.head_series, (unsigned long long)st.head_chunks,
               (unsigned long long)st.head_samples, (double)st.wal_bytes / 1048576.0,
               (double)st.wal_bytes / ((double)series * (double)scrapes));
        tsdb_stats_free(&st);
    }
    tsdb_close(db);
    malloc_trim(0);
    long rss2 = rss_bytes();
    w0 = now_s();
    c0 = cpu_s();
    db = tsdb_open(&o, &err);
    if (!db) {
        fprintf(stderr, "bench_tsdb: reopen: %s\n", err.msg);
        return 1;
    }
    w1 = now_s();
    c1 = cpu_s();
    malloc_trim(0);
    long rss3 = rss_bytes();
    printf("restart: WAL replay of %.0f samples in %.2f s wall (%.2f s CPU), %.0f bytes per "
           "series resident after replay\n",
           (double)series * (double)scrapes, w1 - w0, c1 - c0,
           (double)(rss3 - rss2) / (double)series);
    tsdb_close(db);
    free(refs);
    if (!env) {
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_tsdb: could not remove %s\n", dir);
    }
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* bench_expo.c: the exposition writer on 1,000,000 counter series with three labels:
 * text 0.0.4 and OpenMetrics write times (median of several runs, after the first write
 * that sorts) against the 150 ms target, memory per labelled child against 200 bytes,
 * gzip, and the float formatter alone. Go reference: the Debian prometheus-node-exporter
 * serving the same series from its textfile collector (parse + gather + write: an upper
 * bound for Go's writer; BENCH_GO=0 skips it). Usage: bench_expo [series] [runs]. */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "lm/expo.h"
#include "lm/fmt.h"
#include "lm/limits.h"
#include "lm/textfile.h"

#define TARGET_MS 150.0
#define TARGET_BYTES 200.0
#define GO_BIN "/usr/bin/prometheus-node-exporter"

static double
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* cpu_ms: this thread's CPU time: what one core spends, whatever else the machine runs. */
static double
cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t live;   /* bytes held through lm_malloc, counting malloc's 8-byte header */
static void *
c_malloc(size_t n)
{
    void *p = malloc(n);
    if (p)
        live += malloc_usable_size(p) + 8;
    return p;
}
static void *
c_realloc(void *p, size_t n)
{
    size_t old = p ? malloc_usable_size(p) + 8 : 0;
    void *q = realloc(p, n);
    if (q)
        live += malloc_usable_size(q) + 8 - old;
    return q;
}
static void
c_free(void *p)
{
    if (p)
        live -= malloc_usable_size(p) + 8;
    free(p);
}

static int
cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* time_writes: median CPU ms of runs writes of r in fmt (*wall: median wall ms);
 * *bytes gets the page size. */
static double
time_writes(struct lm_registry *r, enum lm_format fmt, int runs, struct lm_buf *b,
            size_t *bytes, double *wall)
{
    double t[32], w[32];
    if (runs > 32)
        runs = 32;
    for (int i = 0; i < runs; i++) {
        lm_buf_reset(b);
        double c0 = cpu_ms(), t0 = now_ms();
        lm_expo_write(r, fmt, b, NULL);
        t[i] = cpu_ms() - c0;
        w[i] = now_ms() - t0;
    }
    *bytes = b->len;
    qsort(t, (size_t)runs, sizeof t[0], cmp_d);
    qsort(w, (size_t)runs, sizeof w[0], cmp_d);
    *wall = w[runs / 2];
    return t[runs / 2];
}

/* go_reference: serve the page from Go node_exporter's textfile collector and time a
 * scrape (the second, after a warm-up). Returns ms or a negative value. */
static double
go_reference(const struct lm_buf *page)
{
    char dir[] = "/tmp/bench_expo_XXXXXX", file[256], cmd[512], addr[64];
    if (!mkdtemp(dir))
        return -1;
    snprintf(file, sizeof file, "%s/page.prom", dir);
    if (lm_textfile_write_data(file, page->data, page->len, NULL))
        return -1;
    int port = 20000 + (int)(getpid() % 20000);
    snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
    char tdir[300];
    snprintf(tdir, sizeof tdir, "--collector.textfile.directory=%s", dir);
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stderr);
        execl(GO_BIN, GO_BIN, "--web.listen-address", addr, "--collector.disable-defaults",
              "--collector.textfile", tdir, (char *)NULL);
        _exit(127);
    }
    double best = -1;
    snprintf(cmd, sizeof cmd,
             "curl -s -o /dev/null --max-time 300 -w '%%{http_code} %%{time_total}' "
             "http://%s/metrics", addr);
    for (int tries = 0; tries < 50 && best < 0; tries++) {
        usleep(200000);
        FILE *p = popen(cmd, "r");
        int code = 0;
        double secs = 0;
        if (p && fscanf(p, "%d %lf", &code, &secs) == 2 && code == 200) {
            FILE *p2 = popen(cmd, "r");   /* the timed scrape */
            if (p2 && fscanf(p2, "%d %lf", &code, &secs) == 2 && code == 200)
                best = secs * 1e3;
            if (p2)
                pclose(p2);
        }
        if (p)
            pclose(p);
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    unlink(file);
    rmdir(dir);
    return best;
}

static double
loadavg(void)
{
    double l = -1;
    FILE *fp = fopen("/proc/loadavg", "r");
    if (fp) {
        if (fscanf(fp, "%lf", &l) != 1)
            l = -1;
        fclose(fp);
    }
    return l;
}

int
main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    int runs = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 5;
    static const char *codes[] = {"200", "201", "301", "404", "500"};
    static const char *methods[] = {"get", "post", "put", "delete"};
    struct lm_allocator a = {c_malloc, c_realloc, c_free};
    lm_allocator_set(&a);

    struct lm_registry *r = lm_registry_new();
    const char *ln[] = {"code", "method", "path"};
    struct lm_family *f = lm_counter_vec_new(r, "http_requests_total",
                                             "Total HTTP requests.", ln, 3, NULL);
    if (!r || !f)
        return 1;
    size_t before = live;
    double t0 = now_ms();
    for (long i = 0; i < n; i++) {
        char path[32];
        snprintf(path, sizeof path, "/api/v1/item/%ld", i / 20);
        const char *v[] = {codes[i % 5], methods[(i / 5) % 4], path};
        struct lm_metric *m = lm_family_with(f, v);
        if (!m)
            return 1;
        lm_counter_add(m, (double)(i % 100000));
    }
    double tcreate = now_ms() - t0;

    struct lm_buf b;
    lm_buf_init(&b, LM_LIMIT_EXPO_BYTES);
    t0 = now_ms();
    lm_expo_write(r, LM_FORMAT_TEXT, &b, NULL);
    double tfirst = now_ms() - t0;
    size_t bufbytes = b.cap ? malloc_usable_size(b.data) + 8 : 0;
    double per_child = (double)(live - bufbytes - before) / (double)n;

    size_t tbytes, obytes;
    double wtext, wom;
    double ttext = time_writes(r, LM_FORMAT_TEXT, runs, &b, &tbytes, &wtext);
    struct lm_buf z;
    lm_buf_init(&z, LM_LIMIT_EXPO_BYTES);
    t0 = now_ms();
    lm_expo_gzip(&b, &z, 1);
    double tgz = now_ms() - t0;
    struct lm_buf page = b;   /* keep the text page for the Go reference */
    lm_buf_init(&b, LM_LIMIT_EXPO_BYTES);
    double tom = time_writes(r, LM_FORMAT_OPENMETRICS, runs, &b, &obytes, &wom);

    char out[LM_FMT_DOUBLE_MAX];
    size_t sink = 0;
    t0 = now_ms();
    for (long i = 0; i < 1000000; i++)
        sink += lm_fmt_double(out, (double)(i * 7919));
    double tint = now_ms() - t0;
    t0 = now_ms();
    for (long i = 0; i < 1000000; i++)
        sink += lm_fmt_double(out, (double)i * 0.001 + 0.5);
    double tfrac = now_ms() - t0;

    printf("bench_expo: %ld counter series, 3 labels, %d runs (median; CPU = this thread's "
           "CPU time, load average %.1f)\n", n, runs, loadavg());
    printf("  create children       %8.1f ms  (%.0f ns/child)\n", tcreate, tcreate * 1e6 / n);
    printf("  memory per child      %8.1f B   (target < %.0f: %s)\n", per_child, TARGET_BYTES,
           per_child < TARGET_BYTES ? "OK" : "MISSED");
    printf("  first text write      %8.1f ms  (includes sorting %ld new children)\n", tfirst, n);
    printf("  text 0.0.4 write      %8.1f ms CPU (%.1f wall)  %5.1f M samples/s  %5.1f MB  "
           "(target < %.0f ms: %s)\n", ttext, wtext, n / ttext / 1e3, tbytes / 1e6, TARGET_MS,
           ttext < TARGET_MS ? "OK" : "MISSED");
    printf("  OpenMetrics write     %8.1f ms CPU (%.1f wall)  %5.1f M samples/s  %5.1f MB  "
           "(target < %.0f ms: %s)\n", tom, wom, n / tom / 1e3, obytes / 1e6, TARGET_MS,
           tom < TARGET_MS ? "OK" : "MISSED");
    printf("  gzip level 1 of text  %8.1f ms  %5.1f MB -> %.1f MB\n", tgz, tbytes / 1e6,
           z.len / 1e6);
    printf("  fmt 1M integral       %8.1f ms\n", tint);
    printf("  fmt 1M fractional     %8.1f ms  (checksum %zu)\n", tfrac, sink % 10);
    const char *go_env = getenv("BENCH_GO");
    if (go_env && strcmp(go_env, "0") == 0) {
        printf("  Go reference          skipped (BENCH_GO=0); target %.0f ms\n", TARGET_MS);
    } else if (access(GO_BIN, X_OK) == 0 && access("/usr/bin/curl", X_OK) == 0) {
        double go = go_reference(&page);
        if (go >= 0)
            printf("  Go reference          %8.1f ms  node_exporter 1.5 textfile collector serving "
                   "the same %ld series (parse + gather + write; upper bound for Go's writer)\n",
                   go, n);
        else
            printf("  Go reference          not measured (%s did not answer); target %.0f ms\n",
                   GO_BIN, TARGET_MS);
    } else {
        printf("  Go reference          %s or curl not installed; target %.0f ms\n", GO_BIN,
               TARGET_MS);
    }
    lm_buf_cleanup(&page);
    lm_buf_cleanup(&b);
    lm_buf_cleanup(&z);
    lm_registry_free(r);
    lm_allocator_set(NULL);
    return 0;
}

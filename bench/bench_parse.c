/* SPDX-License-Identifier: Apache-2.0 */
/* bench_parse.c: the exposition parser on a page of 1,000,000 counter series with three
 * labels (~60 MB), parsed whole in place and streamed in 64 KiB chunks (median of
 * several runs), against the 250 ms target; then `promtool check metrics` (Go) on the
 * same page as the side-by-side reference. promtool also lints, so its time is an upper
 * bound for Go's parser alone. Usage: bench_parse [series] [runs]; BENCH_PROMTOOL_RUNS
 * (default 1, at most 3) sets the promtool runs. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lm/buf.h"
#include "lm/parse.h"

static double
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double
cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* parse_page: parse page[0..len) fed in chunks of chunk bytes (0: whole); returns the
 * number of samples, or -1 on a parse error. */
static long
parse_page(struct lm_parser *p, const char *page, size_t len, size_t chunk)
{
    lm_parser_reset(p);
    size_t off = 0;
    long samples = 0;
    double sink = 0;
    for (;;) {
        size_t n = chunk && len - off > chunk ? chunk : len - off;
        lm_parser_feed(p, page + off, n);
        off += n;
        if (off == len)
            lm_parser_finish(p);
        enum lm_parse_entry e;
        while ((e = lm_parser_next(p)) > LM_PARSE_END) {
            if (e == LM_PARSE_SAMPLE) {
                const struct lm_parse_label *l;
                samples += lm_parser_labels(p, &l) == 3;
                sink += lm_parser_value(p);
            }
        }
        if (e == LM_PARSE_ERROR) {
            fprintf(stderr, "parse error %s: %s\n", lm_parser_error(p)->where,
                    lm_parser_error(p)->msg);
            return -1;
        }
        if (e == LM_PARSE_END)
            break;
    }
    return sink >= 0 ? samples : -1;
}

/* time_promtool: seconds*1000 for `promtool check metrics < path`, or -1. */
static double
time_promtool(const char *path)
{
    if (access("/usr/bin/promtool", X_OK) != 0)
        return -1;
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid == 0) {
        int in = open(path, O_RDONLY);
        int dn = open("/dev/null", O_WRONLY);
        if (in < 0 || dn < 0)
            _exit(127);
        dup2(in, 0);
        dup2(dn, 1);
        dup2(dn, 2);
        execl("/usr/bin/promtool", "promtool", "check", "metrics", (char *)NULL);
        _exit(127);
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) == 127)
        return -1;
    return now_ms() - t0;
}

int
main(int argc, char **argv)
{
    long series = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    int runs = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 7;
    if (series < 1 || runs < 1 || runs > 100)
        return 2;
    struct lm_buf b;
    lm_buf_init(&b, 1UL << 31);
    lm_buf_puts(&b, "# HELP bench_requests_total Requests handled, by instance and code.\n"
                    "# TYPE bench_requests_total counter\n");
    static const char *const codes[] = {"200", "404", "500", "503"};
    for (long i = 0; i < series; i++)
        lm_buf_printf(&b, "bench_requests_total{instance=\"h%06ld\",job=\"api\",code=\"%s\"} %ld\n",
                      i / 4, codes[i % 4], (i * 7919) % 10000000);
    if (b.err) {
        fprintf(stderr, "bench_parse: out of memory\n");
        return 1;
    }
    const char *page = b.data;
    size_t len = b.len;
    struct lm_parser *p = lm_parser_new(LM_FORMAT_TEXT);
    if (!p)
        return 1;
    printf("page: %ld counter series, 3 labels, %.1f MB\n", series, len / 1e6);
    static const struct {
        const char *name;   /* mode */
        size_t chunk;       /* feed size; 0 = whole */
    } modes[] = {{"whole buffer, in place", 0}, {"streamed, 64 KiB chunks", 64 * 1024}};
    double whole_ms = 0;
    for (size_t m = 0; m < 2; m++) {
        double t[100], c[100];
        for (int r = 0; r < runs; r++) {
            double t0 = now_ms(), c0 = cpu_ms();
            long n = parse_page(p, page, len, modes[m].chunk);
            t[r] = now_ms() - t0;
            c[r] = cpu_ms() - c0;
            if (n != series) {
                fprintf(stderr, "bench_parse: %ld samples, want %ld\n", n, series);
                return 1;
            }
        }
        qsort(t, (size_t)runs, sizeof t[0], cmp_double);
        qsort(c, (size_t)runs, sizeof c[0], cmp_double);
        double med = t[runs / 2];
        if (m == 0)
            whole_ms = med;
        printf("libmetrics parse (%s): median %.1f ms wall (%.1f ms CPU) of %d runs, "
               "%.2f M samples/s, %.0f MB/s  [target < 250 ms for 1M series: %s]\n",
               modes[m].name, med, c[runs / 2], runs, series / med / 1e3, len / med / 1e3,
               series == 1000000 ? (med < 250 ? "PASS" : "FAIL") : "n/a");
    }
    char path[] = "/tmp/bench_parse_XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0 && write(fd, page, len) == (ssize_t)len) {
        close(fd);
        double pt[3];
        int ok = 0, pruns = getenv("BENCH_PROMTOOL_RUNS")
                              ? (int)strtol(getenv("BENCH_PROMTOOL_RUNS"), NULL, 10) : 1;
        for (int r = 0; r < pruns && r < 3; r++)
            if ((pt[ok] = time_promtool(path)) >= 0)
                ok++;
        if (ok) {
            qsort(pt, (size_t)ok, sizeof pt[0], cmp_double);
            printf("promtool check metrics (Go; also lints, so an upper bound for Go's parser): "
                   "median %.1f ms of %d runs; ratio promtool/libmetrics = %.1fx\n",
                   pt[ok / 2], ok, pt[ok / 2] / whole_ms);
        } else if (pruns > 0) {
            printf("promtool: not available (/usr/bin/promtool), no reference timing\n");
        }
    } else if (fd >= 0) {
        close(fd);
    }
    if (fd >= 0)
        unlink(path);
    lm_parser_free(p);
    lm_buf_cleanup(&b);
    return 0;
}

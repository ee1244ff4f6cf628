/* SPDX-License-Identifier: Apache-2.0 */
/* test_import.c: `flint tsdb import openmetrics` through tsdb_cli_import: a generated
 * OpenMetrics file (float-second timestamps, label order varying, specials) becomes
 * 2 h-aligned blocks whose samples read back identical; --max-block-duration picks the
 * exponential range; missing timestamps, syntax errors and a missing # EOF fail with
 * file:line:col; `flint tsdb analyze` reports on the result. */
#include <check.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flint/tsdb/block_int.h"
#include "flint/tsdb/tsdb_cli.h"
#include "lm/fmt.h"
#include "tests/unit/flint_tsdb/block_fixture.h"

Suite *import_suite(void);

/* write_om: g's samples as OpenMetrics text, times printed as seconds with 3 decimals;
 * g's timestamps are rewritten to what the parser reads back, (int64)(sec * 1000). */
static void
write_om(const char *path, struct fb_gen *g)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "# HELP metric_0 A counter-ish thing.\n# TYPE metric_0 gauge\n");
    /* OM wants the samples of a family together: one family per metric name */
    for (int fam = 0; fam < 10; fam++) {
        if (fam > 0)
            fprintf(f, "# TYPE metric_%d unknown\n", fam);
        for (size_t s = 0; s < g->ns; s++) {
            if ((int)(s % 10) != fam)
                continue;
            for (size_t i = 0; i < g->n; i++) {
                char v[LM_FMT_DOUBLE_MAX], ts[64];
                int64_t t = g->ts[s * g->n + i];
                snprintf(ts, sizeof(ts), "%lld.%03lld", (long long)(t / 1000),
                         (long long)(t % 1000));
                g->ts[s * g->n + i] = (int64_t)(strtod(ts, NULL) * 1000);
                double val = g->vs[s * g->n + i];
                if (isnan(val))
                    g->vs[s * g->n + i] = fb_bits(0x7ff8000000000001ULL); /* NormalNaN */
                lm_fmt_double_om(v, val);
                const struct lbl_set *ls = &g->ls[s];
                /* labels in reverse order on odd samples: the same series */
                if (i % 2)
                    fprintf(f, "%s{job=\"%s\",instance=\"%s\"} %s %s\n", ls->v[0].value,
                            ls->v[2].value, ls->v[1].value, v, ts);
                else
                    fprintf(f, "%s{instance=\"%s\",job=\"%s\"} %s %s\n", ls->v[0].value,
                            ls->v[1].value, ls->v[2].value, v, ts);
            }
        }
    }
    fprintf(f, "# EOF\n");
    fclose(f);
}

/* run: call the CLI with stdout and stderr captured into out (NUL-terminated). */
static int
run(int (*fn)(int, char **), char **argv, int argc, char *out, size_t sz)
{
    char cap[] = "/tmp/flint_imp_out_XXXXXX";
    int fd = mkstemp(cap);
    ck_assert_int_ge(fd, 0);
    fflush(stdout);
    fflush(stderr);
    int o1 = dup(1), o2 = dup(2);
    dup2(fd, 1);
    dup2(fd, 2);
    int rc = fn(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(o1, 1);
    dup2(o2, 2);
    close(o1);
    close(o2);
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, out, sz - 1);
    out[n > 0 ? n : 0] = 0;
    close(fd);
    unlink(cap);
    return rc;
}

START_TEST(import_round_trip)
{
    char dir[64], file[128], out[1 << 16];
    fb_tmpdir(dir);
    snprintf(file, sizeof(file), "%s.om", dir);
    struct fb_gen g;
    /* 5 h from 1700000000123 (not aligned): 3 or 4 ranges of 2 h */
    fb_gen_init(&g, 30, 1700000000123LL, 15000, 1200, 4);
    g.vs[7] = NAN;
    g.vs[8] = INFINITY;
    g.vs[9] = 1e-300;
    write_om(file, &g);
    char *argv[] = {"import", "openmetrics", file, dir};
    ck_assert_int_eq(run(tsdb_cli_import, argv, 4, out, sizeof(out)), 0);
    ck_assert_ptr_nonnull(strstr(out, "BLOCK ULID"));
    struct lm_err err = {0};
    struct tsdb_blocks *bs = tsdb_blocks_open(dir, NULL, &err);
    ck_assert_ptr_nonnull(bs);
    int64_t first = 1700000000123LL / TSDB_BLOCK_RANGE_MS * TSDB_BLOCK_RANGE_MS;
    int64_t last = g.ts[g.n - 1];
    ck_assert_uint_eq(bs->n, (size_t)((last - first) / TSDB_BLOCK_RANGE_MS + 1));
    for (size_t i = 0; i < bs->n; i++) {
        ck_assert_int_eq(bs->v[i]->mint, first + (int64_t)i * TSDB_BLOCK_RANGE_MS);
        ck_assert_int_eq(bs->v[i]->maxt - bs->v[i]->mint, TSDB_BLOCK_RANGE_MS);
        ck_assert_uint_eq(bs->v[i]->nseries, 30);
    }
    struct tsdb_blocks_stats st;
    tsdb_blocks_stats(bs, &st);
    ck_assert_uint_eq(st.samples, 30 * 1200);
    fb_check_all(bs, &g, INT64_MIN, INT64_MAX);
    tsdb_blocks_close(bs);

    /* analyze the newest block */
    char *av[] = {"analyze", "--limit=3", dir};
    ck_assert_int_eq(run(tsdb_cli_analyze, av, 3, out, sizeof(out)), 0);
    ck_assert_ptr_nonnull(strstr(out, "Series: 30\n"));
    ck_assert_ptr_nonnull(strstr(out, "Highest cardinality metric names:\n3 metric_"));
    ck_assert_ptr_nonnull(strstr(out, "Highest cardinality labels:\n10 __name__\n"));
    ck_assert_ptr_nonnull(strstr(out, "Bytes per sample: "));
    ck_assert_ptr_nonnull(strstr(out, "All blocks: "));
    char *bad[] = {"analyze", dir, "01NOSUCHBLOCK0000000000000"};
    ck_assert_int_eq(run(tsdb_cli_analyze, bad, 3, out, sizeof(out)), 1);
    tsdb_rm_rf(dir);

    /* larger ranges: 5 h fits one or two 6 h blocks */
    char *argv6[] = {"import", "openmetrics", "--quiet", "--max-block-duration=7h", file, dir};
    ck_assert_int_eq(run(tsdb_cli_import, argv6, 6, out, sizeof(out)), 0);
    ck_assert_str_eq(out, "");
    bs = tsdb_blocks_open(dir, NULL, &err);
    for (size_t i = 0; i < bs->n; i++) {
        ck_assert_int_eq(bs->v[i]->mint % (3 * TSDB_BLOCK_RANGE_MS), 0);
        ck_assert_int_eq(bs->v[i]->maxt - bs->v[i]->mint, 3 * TSDB_BLOCK_RANGE_MS);
        ck_assert_int_eq(bs->v[i]->level, 2);
    }
    fb_check_all(bs, &g, INT64_MIN, INT64_MAX);
    tsdb_blocks_close(bs);
    unlink(file);
    fb_gen_free(&g);
    tsdb_rm_rf(dir);
}
END_TEST

/* import_text: import text, return the exit code and the output. */
static int
import_text(const char *text, char *out, size_t sz)
{
    char dir[64], file[128];
    fb_tmpdir(dir);
    snprintf(file, sizeof(file), "%s.om", dir);
    FILE *f = fopen(file, "w");
    fputs(text, f);
    fclose(f);
    char *argv[] = {"import", "openmetrics", "-q", file, dir};
    int rc = run(tsdb_cli_import, argv, 5, out, sz);
    unlink(file);
    tsdb_rm_rf(dir);
    return rc;
}

START_TEST(import_errors)
{
    char out[4096];
    ck_assert_int_eq(import_text("a 1 1.5\n# EOF\n", out, sizeof(out)), 0);
    ck_assert_int_eq(import_text("a 1 1.5\nb 2\n# EOF\n", out, sizeof(out)), 1);
    ck_assert_ptr_nonnull(strstr(out, ":2: expected timestamp for series b"));
    ck_assert_int_eq(import_text("a 1 1.5\nb{x=\"1\" 2 3\n# EOF\n", out, sizeof(out)), 1);
    ck_assert_ptr_nonnull(strstr(out, ".om:2:"));
    ck_assert_int_eq(import_text("a 1 1.5\n", out, sizeof(out)), 1);
    ck_assert_ptr_nonnull(strstr(out, "import failed"));
    ck_assert_int_eq(import_text("# EOF\n", out, sizeof(out)), 1);
    ck_assert_ptr_nonnull(strstr(out, "no samples"));
    /* duplicates: first kept, counted */
    ck_assert_int_eq(import_text("a 1 1.5\na 2 1.5\n# EOF\n", out, sizeof(out)), 0);
    ck_assert_ptr_nonnull(strstr(out, "dropped 1 samples"));
    char *usage[] = {"import", "prometheus", "x"};
    ck_assert_int_eq(run(tsdb_cli_import, usage, 3, out, sizeof(out)), 2);
    char *nofile[] = {"import", "openmetrics", "/nonexistent/file.om", "/tmp/x"};
    ck_assert_int_eq(run(tsdb_cli_import, nofile, 4, out, sizeof(out)), 1);
    ck_assert_ptr_nonnull(strstr(out, "/nonexistent/file.om"));
}
END_TEST

Suite *
import_suite(void)
{
    Suite *s = suite_create("import");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, import_round_trip);
    tcase_add_test(tc, import_errors);
    suite_add_tcase(s, tc);
    return s;
}

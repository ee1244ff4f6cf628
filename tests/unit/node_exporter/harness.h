/* SPDX-License-Identifier: Apache-2.0 */
/* harness.h: shared helpers for node_exporter collector tests (header-only, static inline,
 * so the unit module.mk needs no extra sources): build a flag set with the --path.* flags
 * and a collector's own flags, run init + collect + fini into a text emitter (after a
 * warm-up run that fills the descriptor cache of lm/procfile.h), and compare
 * the rendered page with a golden file under tests/fixtures/node_exporter/. */
#ifndef NE_TEST_HARNESS_H
#define NE_TEST_HARNESS_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lm/buf.h"
#include "lm/emit.h"
#include "lm/flags.h"
#include "lm/limits.h"
#include "lm/procfile.h"
#include "node_exporter/ne.h"

#define NE_FIX "tests/fixtures/node_exporter"
#define NE_FIX_ARGS "--path.procfs=" NE_FIX "/proc", "--path.sysfs=" NE_FIX "/sys", \
    "--path.rootfs=" NE_FIX "/rootfs"
#define NE_BAD_ARGS "--path.procfs=" NE_FIX "/bad/proc", "--path.sysfs=" NE_FIX "/bad/sys", \
    "--path.rootfs=" NE_FIX "/bad/rootfs"

/* One run's results. out is the rendered page (lm_buf_cleanup it). */
struct ne_run {
    int init_rc;              /* init's return */
    int rc;                   /* collect's return (when init succeeded) */
    struct lm_err err;        /* the error of init or collect */
    struct lm_buf out;        /* text exposition of what was emitted */
};

/* ne_run: args is a NULL-terminated list of flags (without argv[0]). */
static inline void
ne_run(const struct lm_collector_desc *d, const char *const *args, struct ne_run *r)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)"node_exporter";
    for (; args && *args && argc < 31; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    memset(r, 0, sizeof *r);
    lm_buf_init(&r->out, LM_LIMIT_EXPO_BYTES);
    struct lm_flags *f = lm_flags_new("node_exporter", "test");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(lm_flags_add_table(f, ne_path_flags), 0);
    if (d->flags)
        ck_assert_int_eq(lm_flags_add_table(f, d->flags), 0);
    bool exit_now = false;
    struct lm_err perr = {0};
    ck_assert_msg(lm_flags_parse(f, argc, argv, stderr, &exit_now, &perr) == 0, "flags: %s",
                  perr.msg);
    struct lm_collect_ctx ctx = {.flags = f, .log = NULL, .deadline = 0};
    void *state = NULL;
    /* warm-up run with the descriptor cache on (ordinary files too), so the run checked
     * below reads every file it read before through a kept descriptor */
    ck_assert_int_eq(lm_procfile_cache(512, true), 0);
    struct lm_err werr = {0};
    if ((d->init ? d->init(&state, &ctx, &werr) : 0) == 0) {
        struct lm_emit *e = lm_emit_new(LM_FORMAT_TEXT);
        ck_assert_ptr_nonnull(e);
        d->collect(state, &ctx, e, &werr);
        lm_emit_free(e);
        if (d->fini)
            d->fini(state);
    }
    state = NULL;
    r->init_rc = d->init ? d->init(&state, &ctx, &r->err) : 0;
    if (r->init_rc == 0) {
        struct lm_emit *e = lm_emit_new(LM_FORMAT_TEXT);
        ck_assert_ptr_nonnull(e);
        r->rc = d->collect(state, &ctx, e, &r->err);
        ck_assert_int_eq(lm_emit_finish(e, &r->out), 0);
        const struct lm_err *ee = lm_emit_error(e);
        ck_assert_msg(!ee, "emit error: %s: %s", ee ? ee->where : "", ee ? ee->msg : "");
        lm_emit_free(e);
        if (d->fini)
            d->fini(state);
    }
    lm_flags_free(f);
}

/* ne_golden: compare got with the file NE_FIX/<name> byte for byte; on a mismatch the
 * actual output is written to build/<name>.actual for diffing. */
static inline void
ne_golden(const char *name, struct lm_buf *got)
{
    char path[512];
    snprintf(path, sizeof path, NE_FIX "/%s", name);
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "missing golden file %s", path);
    static char want[1 << 16];
    size_t n = fread(want, 1, sizeof want - 1, fp);
    fclose(fp);
    want[n] = '\0';
    const char *g = lm_buf_cstr(got);
    if (strlen(g) != n || memcmp(g, want, n) != 0) {
        char ap[512];
        snprintf(ap, sizeof ap, "build/%s.actual", name);
        FILE *w = fopen(ap, "wb");
        if (w) {
            fputs(g, w);
            fclose(w);
        }
        ck_abort_msg("%s differs from the golden file (actual output in %s)", path, ap);
    }
}

/* ne_expect_golden: run d on the good fixture tree (plus extra args) and compare. */
static inline void
ne_expect_golden(const struct lm_collector_desc *d, const char *golden, const char *const *extra)
{
    const char *args[24] = {NE_FIX_ARGS};
    size_t n = 3;
    for (; extra && *extra && n < 23; extra++)
        args[n++] = *extra;
    args[n] = NULL;
    struct ne_run r;
    ne_run(d, args, &r);
    ck_assert_msg(r.init_rc == 0 && r.rc == 0, "%s: rc %d/%d: %s: %s", d->name, r.init_rc, r.rc,
                  r.err.where, r.err.msg);
    ne_golden(golden, &r.out);
    lm_buf_cleanup(&r.out);
}

/* ne_expect_error: run d on the bad tree; collect must fail with code and an error naming
 * the path (substring where_has) and a reason. */
static inline void
ne_expect_error(const struct lm_collector_desc *d, int code, const char *where_has)
{
    const char *args[] = {NE_BAD_ARGS, NULL};
    struct ne_run r;
    ne_run(d, args, &r);
    ck_assert_int_eq(r.init_rc, 0);
    ck_assert_msg(r.rc == code, "%s: rc %s, want %s (%s)", d->name, lm_err_name(r.rc),
                  lm_err_name(code), r.err.msg);
    ck_assert_int_eq(r.err.code, code);
    ck_assert_msg(strstr(r.err.where, where_has), "where \"%s\" lacks \"%s\"", r.err.where,
                  where_has);
    ck_assert_msg(r.err.msg[0] != '\0', "empty reason");
    lm_buf_cleanup(&r.out);
}

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* test_uwsgi.c: the uWSGI stats reader (proto/uwsgi_stats*.c) on the captured uWSGI
 * 2.0.21 documents (tests/fixtures/uwsgi_exporter/): values as the exporter reads them,
 * then truncated, garbage, wrongly typed and empty documents, bad URIs, file:// reads,
 * a missing socket, and an OOM torture of the parser. Tests run from the repo root. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "proto/uwsgi_stats.h"

#define FIX "tests/fixtures/uwsgi_exporter/"

/* slurp: a fixture into a static buffer. */
static char *
slurp(const char *name, size_t *len)
{
    static char buf[1 << 17];
    char path[256];
    snprintf(path, sizeof path, FIX "%s", name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f, "cannot open %s", path);
    *len = fread(buf, 1, sizeof buf - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static int
parse(const char *s, size_t n, struct proto_uwsgi_stats **st, struct lm_err *err)
{
    proto_uwsgi_global_init();
    lm_err_clear(err);
    return proto_uwsgi_parse(s, n, st, err);
}

START_TEST(sample_values)
{
    size_t n;
    char *doc = slurp("uwsgi-2.0.21-stats.json", &n);
    struct proto_uwsgi_stats *st;
    struct lm_err err;
    ck_assert_int_eq(parse(doc, n, &st, &err), 0);
    ck_assert_str_eq(st->version, "2.0.21-debian");
    ck_assert_uint_eq(st->nsockets, 1);
    ck_assert_str_eq(st->sockets[0].name, "127.0.0.1:18095");
    ck_assert_str_eq(st->sockets[0].proto, "http");
    ck_assert(st->sockets[0].max_queue == 100);
    ck_assert_uint_eq(st->nworkers, 2);
    ck_assert(st->workers[0].id == 1);
    ck_assert(st->workers[0].requests == 1);
    ck_assert(st->workers[0].avg_rt == 62);
    ck_assert(st->workers[0].last_spawn == 1795610170);
    ck_assert_str_eq(st->workers[0].status, "idle");
    ck_assert_uint_eq(st->workers[0].napps, 1);
    ck_assert_uint_eq(st->workers[0].ncores, 2);
    ck_assert(st->workers[0].cores[1].requests == 1);
    ck_assert_uint_eq(st->ncaches, 0);
    proto_uwsgi_stats_free(st);
}
END_TEST

START_TEST(sample_cache_memreport)
{
    size_t n;
    char *doc = slurp("uwsgi-2.0.21-stats-cache-memreport.json", &n);
    struct proto_uwsgi_stats *st;
    struct lm_err err;
    ck_assert_int_eq(parse(doc, n, &st, &err), 0);
    ck_assert_uint_eq(st->ncaches, 1);
    ck_assert_str_eq(st->caches[0].name, "mycache");
    ck_assert(st->caches[0].max_items == 100);
    ck_assert(st->workers[0].rss > 0);
    proto_uwsgi_stats_free(st);
}
END_TEST

START_TEST(truncated_every_length)
{
    size_t n;
    char *doc = slurp("uwsgi-2.0.21-stats.json", &n);
    for (size_t cut = 0; cut < n - 1; cut += 7) {
        struct proto_uwsgi_stats *st = (void *)1;
        struct lm_err err;
        int rc = parse(doc, cut, &st, &err);
        ck_assert_msg(rc == LM_EPARSE, "cut %zu: rc %d", cut, rc);
        ck_assert_ptr_null(st);
        ck_assert(err.msg[0]);
    }
}
END_TEST

START_TEST(garbage_and_types)
{
    static const struct {
        const char *doc;     /* input */
        int rc;              /* expected code */
        const char *where;   /* expected err.where or msg substring */
    } cases[] = {
        {"not json at all", LM_EPARSE, "line 1"},
        {"", LM_EPARSE, "empty"},
        {"[1,2]", LM_EPARSE, "not a JSON object"},
        {"{\"workers\":\"x\"}", LM_EPARSE, "workers: expected an array"},
        {"{\"workers\":[1]}", LM_EPARSE, "workers[0]: expected an object"},
        {"{\"workers\":[{\"requests\":\"7\"}]}", LM_EPARSE, "workers[0].requests"},
        {"{\"workers\":[{\"apps\":[{\"chdir\":3}]}]}", LM_EPARSE, "workers[0].apps[0].chdir"},
        {"{\"sockets\":[{\"name\":[]}]}", LM_EPARSE, "sockets[0].name"},
        {"{\"version\":1}", LM_EPARSE, "version"},
        {"{\"listen_queue\":1} trailing", LM_EPARSE, "line 1"},
        {"\"\\u0000\"", LM_EPARSE, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct proto_uwsgi_stats *st;
        struct lm_err err;
        int rc = parse(cases[i].doc, strlen(cases[i].doc), &st, &err);
        ck_assert_msg(rc == cases[i].rc, "case %zu: rc %d", i, rc);
        ck_assert_ptr_null(st);
        char both[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX + 4];
        snprintf(both, sizeof both, "%s: %s", err.where, err.msg);
        ck_assert_msg(strstr(both, cases[i].where), "case %zu: %s", i, both);
    }
}
END_TEST

START_TEST(lenient_fields)
{
    const char *doc = "{\"workers\":[{\"id\":1,\"requests\":null,\"accepting\":true}],"
                      "\"extra\":{\"x\":[1,2]},\"sockets\":null}";
    struct proto_uwsgi_stats *st;
    struct lm_err err;
    ck_assert_int_eq(parse(doc, strlen(doc), &st, &err), 0);
    ck_assert_uint_eq(st->nworkers, 1);
    ck_assert(st->workers[0].requests == 0);
    ck_assert(st->workers[0].accepting == 1);
    ck_assert_str_eq(st->workers[0].status, "");
    ck_assert_uint_eq(st->nsockets, 0);
    proto_uwsgi_stats_free(st);
}
END_TEST

START_TEST(oom_torture)
{
    size_t n;
    char *doc = slurp("uwsgi-2.0.21-stats-cache-memreport.json", &n);
    proto_uwsgi_global_init();
    for (long k = 1;; k++) {
        struct proto_uwsgi_stats *st;
        struct lm_err err;
        lm_alloc_fail_after(k);
        int rc = proto_uwsgi_parse(doc, n, &st, &err);
        lm_alloc_fail_after(0);
        if (rc == 0) {
            ck_assert_ptr_nonnull(st);
            proto_uwsgi_stats_free(st);
            break;
        }
        ck_assert_msg(rc == LM_ENOMEM || rc == LM_EPARSE, "k %ld: rc %d", k, rc);
        ck_assert_ptr_null(st);
        ck_assert_msg(k < 100000, "never succeeds");
    }
}
END_TEST

START_TEST(read_uris)
{
    static const char *const bad[] = {"ftp://x", "unix://relative", "tcp://nohost",
                                      "tcp://h:notaport", "http://[::1"};
    struct lm_buf b;
    struct lm_err err;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double dl = (double)ts.tv_sec + 2;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lm_buf_init(&b, 0);
        ck_assert_int_eq(proto_uwsgi_read(bad[i], dl, &b, &err), LM_EINVAL);
        ck_assert_str_eq(err.where, bad[i]);
        lm_buf_cleanup(&b);
    }
    lm_buf_init(&b, 0);
    ck_assert_int_eq(proto_uwsgi_read("unix:///nonexistent/x.sock", dl, &b, &err), LM_ENOENT);
    ck_assert(strstr(err.msg, "does not exist"));
    lm_buf_cleanup(&b);
    char uri[512], cwd[256];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    snprintf(uri, sizeof uri, "file://%s/" FIX "uwsgi-2.0.21-stats.json", cwd);
    lm_buf_init(&b, 0);
    ck_assert_int_eq(proto_uwsgi_read(uri, dl, &b, &err), 0);
    ck_assert(b.len > 1000 && b.data[0] == '{');
    lm_buf_cleanup(&b);
    lm_buf_init(&b, 100);   /* a cap below the document's size */
    ck_assert_int_eq(proto_uwsgi_read(uri, dl, &b, &err), LM_ETOOBIG);
    lm_buf_cleanup(&b);
}
END_TEST

Suite *uwsgi_suite(void);

Suite *
uwsgi_suite(void)
{
    Suite *s = suite_create("uwsgi");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, sample_values);
    tcase_add_test(tc, sample_cache_memreport);
    tcase_add_test(tc, truncated_every_length);
    tcase_add_test(tc, garbage_and_types);
    tcase_add_test(tc, lenient_fields);
    tcase_add_test(tc, oom_torture);
    tcase_add_test(tc, read_uris);
    suite_add_tcase(s, tc);
    return s;
}

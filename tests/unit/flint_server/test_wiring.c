/* SPDX-License-Identifier: Apache-2.0 */
/* test_wiring.c: flint's server wiring with the real parts: target building from
 * discovered groups (group labels, relabel drop, invalid targets left out), then a live
 * server on a temporary config file and TSDB scraping a local lm_http target: active and
 * dropped targets, samples in the TSDB, reloads that fail (the old config keeps running,
 * the error names file:line) and that succeed, and config references held across a
 * reload. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flint/server/server.h"
#include "flint/tsdb/tsdb.h"
#include "lm/alloc.h"
#include "lm/http.h"
#include "lm/registry.h"

Suite *wiring_suite(void);

START_TEST(pool_build)
{
    static const char yml[] =
        "scrape_configs:\n"
        "  - job_name: j\n"
        "    static_configs:\n"
        "      - targets: ['a:1', 'drop:2']\n"
        "        labels: {env: prod, job: overridden}\n"
        "      - targets: ['b/c:3']\n"
        "    relabel_configs:\n"
        "      - source_labels: [__address__]\n"
        "        regex: 'drop:.*'\n"
        "        action: drop\n";
    struct lm_err err = {0};
    struct cfg *c = cfg_load_string("t.yml", yml, sizeof yml - 1, NULL, &err);
    ck_assert_msg(c != NULL, "%s: %s", err.where, err.msg);
    struct disc_group *g;
    size_t ng;
    ck_assert_int_eq(disc_static_groups(&c->scrapes[0].sd, &g, &ng), 0);
    ck_assert_uint_eq(ng, 2);
    struct srv_pool p;
    ck_assert_int_eq(srv_pool_build(&c->scrapes[0], g, ng, NULL, &p), 0);
    ck_assert_uint_eq(p.ntargets, 1);   /* b/c:3 is invalid: left out */
    ck_assert_str_eq(lbl_set_get(&p.targets[0], "__address__"), "a:1");
    ck_assert_str_eq(lbl_set_get(&p.targets[0], "instance"), "a:1");
    ck_assert_str_eq(lbl_set_get(&p.targets[0], "env"), "prod");
    /* the group's job label is a discovered label; the job's name is set only if absent */
    ck_assert_str_eq(lbl_set_get(&p.discovered[0], "job"), "overridden");
    ck_assert_str_eq(lbl_set_get(&p.discovered[0], "__address__"), "a:1");
    ck_assert_uint_eq(p.ndropped, 1);
    ck_assert_str_eq(p.dropped[0].pool, "j");
    ck_assert_str_eq(lbl_set_get(&p.dropped[0].discovered, "__address__"), "drop:2");
    ck_assert_str_eq(lbl_set_get(&p.dropped[0].discovered, "env"), "prod");
    srv_pool_free(&p);
    disc_groups_free(g, ng);
    cfg_free(c);
}
END_TEST

/* The live part: a target, a temporary directory, the server. */
static struct lm_http_server *target;
static char dir[64], cfgpath[128];
static int tport;

static int
h_metrics(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    return lm_buf_puts(lm_http_response_body(resp), "# TYPE wired_total counter\n"
                                                    "wired_total 42\n");
}

static void
write_cfg(const char *text)
{
    FILE *f = fopen(cfgpath, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void
live_setup(void)
{
    static const char *const listen[] = {"127.0.0.1:0"};
    struct lm_http_options o;
    struct lm_err err = {0};
    lm_http_options_init(&o);
    o.listen = listen;
    o.nlisten = 1;
    target = lm_http_server_new(&o, &err);
    ck_assert_ptr_nonnull(target);
    ck_assert_int_eq(lm_http_route(target, "/metrics", 0, h_metrics, NULL), 0);
    ck_assert_int_eq(lm_http_server_start(target, &err), 0);
    tport = lm_http_server_port(target, 0);
    snprintf(dir, sizeof dir, "/tmp/flint_srv_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(cfgpath, sizeof cfgpath, "%s/flint.yml", dir);
}

static void
live_teardown(void)
{
    char cmd[128];
    lm_http_server_free(target);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* count_up: samples of up{job=job} in the TSDB. */
static size_t
count_up(struct tsdb *db, const char *job)
{
    struct lm_err err = {0};
    struct lbl_matcher m[2];
    ck_assert_int_eq(lbl_matcher_init(&m[0], LBL_MATCH_EQ, "__name__", "up", &err), 0);
    ck_assert_int_eq(lbl_matcher_init(&m[1], LBL_MATCH_EQ, "job", job, &err), 0);
    struct tsdb_q *q = tsdb_querier(db, 0, INT64_MAX, &err);
    ck_assert_ptr_nonnull(q);
    struct tsdb_ss *ss = tsdb_q_select(q, m, 2, &err);
    ck_assert_ptr_nonnull(ss);
    size_t n = 0;
    int64_t t;
    double v;
    while (tsdb_ss_next(ss))
        for (struct tsdb_it *it = tsdb_ss_iter(ss); tsdb_it_next(it, &t, &v);)
            n += v == 1;
    tsdb_ss_free(ss);
    tsdb_q_close(q);
    lbl_matcher_free(&m[0]);
    lbl_matcher_free(&m[1]);
    return n;
}

/* wait_up: poll until job has an up=1 sample (5 s at most). */
static size_t
wait_up(struct tsdb *db, const char *job)
{
    size_t n = 0;
    for (int i = 0; i < 100 && !(n = count_up(db, job)); i++)
        usleep(50000);
    return n;
}

START_TEST(live_reload)
{
    char yml[1024], datadir[128];
    struct lm_err err = {0};
    snprintf(yml, sizeof yml,
             "global:\n  scrape_interval: 1s\n  scrape_timeout: 500ms\n"
             "scrape_configs:\n"
             "  - job_name: t\n"
             "    static_configs:\n"
             "      - targets: ['127.0.0.1:%d', 'drop.me:1']\n"
             "    relabel_configs:\n"
             "      - source_labels: [__address__]\n"
             "        regex: 'drop\\.me:1'\n"
             "        action: drop\n", tport);
    write_cfg(yml);
    snprintf(datadir, sizeof datadir, "%s/data", dir);
    struct tsdb_opts to = {.dir = datadir};
    struct tsdb *db = tsdb_open(&to, &err);
    ck_assert_ptr_nonnull(db);
    struct lm_registry *reg = lm_registry_new();
    struct srv_opts so = {.config_file = cfgpath, .db = db, .reg = reg};
    struct srv *s = srv_new(&so, &err);
    ck_assert_msg(s != NULL, "%s: %s", err.where, err.msg);
    struct api_backend be;
    srv_api_backend(s, &be);
    ck_assert(be.ready(be.ud));

    struct scr_target_info *act;
    struct api_dropped *dr;
    size_t nact, ndr;
    ck_assert_int_eq(be.targets(be.ud, &act, &nact, &dr, &ndr), 0);
    ck_assert_uint_eq(nact, 1);
    ck_assert_str_eq(act[0].pool, "t");
    ck_assert_uint_eq(ndr, 1);
    ck_assert_str_eq(dr[0].pool, "t");
    ck_assert_str_eq(lbl_set_get(&dr[0].discovered, "__address__"), "drop.me:1");
    scr_target_infos_free(act, nact);
    api_dropped_free(dr, ndr);
    ck_assert_uint_gt(wait_up(db, "t"), 0);

    /* a bad config is refused; the running one stays */
    const struct cfg *held = be.config_get(be.ud);
    write_cfg("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: t\n"
              "    scrape_intervall: 5s\n");
    memset(&err, 0, sizeof err);
    ck_assert_int_ne(srv_reload(s, &err), 0);
    ck_assert_msg(strstr(err.where, "flint.yml:5") != NULL, "%s: %s", err.where, err.msg);
    struct api_runtime rt;
    be.runtime(be.ud, &rt);
    ck_assert(!rt.reload_success);
    const struct cfg *cur = be.config_get(be.ud);
    ck_assert_ptr_eq(cur, held);
    be.config_put(be.ud, cur);

    /* a good one with a second job replaces it; the held reference stays readable */
    snprintf(yml, sizeof yml,
             "global:\n  scrape_interval: 1s\n  scrape_timeout: 500ms\n"
             "scrape_configs:\n"
             "  - job_name: t\n    static_configs: [{targets: ['127.0.0.1:%d']}]\n"
             "  - job_name: u\n    static_configs: [{targets: ['localhost:%d']}]\n",
             tport, tport);
    write_cfg(yml);
    ck_assert_int_eq(srv_reload(s, &err), 0);
    be.runtime(be.ud, &rt);
    ck_assert(rt.reload_success);
    ck_assert_str_eq(held->scrapes[0].job_name, "t");
    ck_assert_uint_eq(held->nscrapes, 1);
    be.config_put(be.ud, held);
    cur = be.config_get(be.ud);
    ck_assert_uint_eq(cur->nscrapes, 2);
    be.config_put(be.ud, cur);
    ck_assert_int_eq(be.targets(be.ud, &act, &nact, &dr, &ndr), 0);
    ck_assert_uint_eq(nact, 2);
    ck_assert_uint_eq(ndr, 0);
    scr_target_infos_free(act, nact);
    api_dropped_free(dr, ndr);
    ck_assert_uint_gt(wait_up(db, "u"), 0);
    ck_assert(!srv_quit_requested(s));
    be.quit(be.ud);
    ck_assert(srv_quit_requested(s));
    srv_free(s);
    lm_registry_free(reg);
    tsdb_close(db);
}
END_TEST

START_TEST(bad_first_config)
{
    struct lm_err err = {0};
    char datadir[128];
    write_cfg("scrape_configs:\n  - job_name: [\n");
    snprintf(datadir, sizeof datadir, "%s/data", dir);
    struct tsdb_opts to = {.dir = datadir};
    struct tsdb *db = tsdb_open(&to, &err);
    ck_assert_ptr_nonnull(db);
    struct srv_opts so = {.config_file = cfgpath, .db = db};
    ck_assert_ptr_null(srv_new(&so, &err));
    ck_assert_ptr_nonnull(strstr(err.where, "flint.yml"));
    so.config_file = "/nonexistent/flint.yml";
    ck_assert_ptr_null(srv_new(&so, &err));
    tsdb_close(db);
}
END_TEST

Suite *
wiring_suite(void)
{
    Suite *s = suite_create("wiring");
    TCase *tc = tcase_create("pool");
    tcase_add_test(tc, pool_build);
    suite_add_tcase(s, tc);
    TCase *live = tcase_create("live");
    tcase_add_checked_fixture(live, live_setup, live_teardown);
    tcase_set_timeout(live, 60);
    tcase_add_test(live, live_reload);
    tcase_add_test(live, bad_first_config);
    suite_add_tcase(s, live);
    return s;
}

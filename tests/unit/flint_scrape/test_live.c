/* SPDX-License-Identifier: Apache-2.0 */
/* test_live.c: the scrape manager against local HTTP servers (lm/http.h on port 0) into
 * a real TSDB: headers sent, gzip, params, auth, aligned timestamps, staleness when a
 * series goes, when the target goes down and when it is removed, a hanging target that
 * does not delay another, HTTP errors in Prometheus's words, /api/v1/targets data, and
 * 1000 targets on two threads. */
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "lm/alloc.h"
#include "lm/expo.h"
#include "lm/http.h"
#include "lm/registry.h"
#include "scrape_test.h"

Suite *live_suite(void);

/* What the test server serves and saw. */
struct srv {
    pthread_mutex_t mu;         /* guards the rest */
    char page[4096];            /* /metrics body */
    char ctype[128];            /* its Content-Type, "" = default */
    int status;                 /* its status */
    char accept[512];           /* last request's headers */
    char ua[128];
    char tmo[32];
    char auth[256];
    char aenc[64];
    char query[128];            /* its "x" parameter */
    unsigned hits;              /* requests to /metrics */
    bool saw_basic, saw_bearer; /* the expected Authorization headers came */
    struct lm_http_server *http;/* the server */
    int port;                   /* its port */
};

static void copyh(char *dst, size_t n, const char *v)
{
    snprintf(dst, n, "%s", v ? v : "");
}

static int h_metrics(const struct lm_http_request *req, struct lm_http_response *resp,
                     void *ud)
{
    struct srv *s = ud;
    pthread_mutex_lock(&s->mu);
    copyh(s->accept, sizeof s->accept, lm_http_request_header(req, "Accept"));
    copyh(s->ua, sizeof s->ua, lm_http_request_header(req, "User-Agent"));
    copyh(s->tmo, sizeof s->tmo,
          lm_http_request_header(req, "X-Prometheus-Scrape-Timeout-Seconds"));
    copyh(s->auth, sizeof s->auth, lm_http_request_header(req, "Authorization"));
    copyh(s->aenc, sizeof s->aenc, lm_http_request_header(req, "Accept-Encoding"));
    copyh(s->query, sizeof s->query, lm_http_request_query(req, "x"));
    s->hits++;
    s->saw_basic |= !strcmp(s->auth, "Basic dTpw");
    s->saw_bearer |= !strcmp(s->auth, "Bearer tok");
    struct lm_buf plain;
    lm_buf_init(&plain, 1 << 20);
    lm_buf_puts(&plain, s->page);
    if (s->ctype[0])
        lm_http_response_content_type(resp, s->ctype);
    lm_http_response_status(resp, s->status ? s->status : 200);
    pthread_mutex_unlock(&s->mu);
    const char *ae = lm_http_request_header(req, "Accept-Encoding");
    int rc = 0;
    if (ae && lm_expo_gzip_accepted(ae)) {
        rc = lm_expo_gzip(&plain, lm_http_response_body(resp), 6);
        if (!rc)
            rc = lm_http_response_header(resp, "Content-Encoding", "gzip");
    } else {
        rc = lm_buf_append(lm_http_response_body(resp), plain.data ? plain.data : "",
                           plain.len);
    }
    lm_buf_cleanup(&plain);
    return rc;
}

static int h_hang(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    (void)req;
    (void)ud;
    sleep(2);
    return lm_http_response_text(resp, 200, "late 1\n");
}

static void srv_start(struct srv *s, const char *page)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    copyh(s->page, sizeof s->page, page);
    struct lm_http_options o;
    lm_http_options_init(&o);
    const char *listen[] = {"127.0.0.1:0"};
    o.listen = listen;
    o.nlisten = 1;
    o.max_requests = 0;
    struct lm_err err = {0};
    s->http = lm_http_server_new(&o, &err);
    ck_assert_ptr_nonnull(s->http);
    ck_assert_int_eq(lm_http_route(s->http, "/metrics", 0, h_metrics, s), 0);
    ck_assert_int_eq(lm_http_route(s->http, "/hang", 0, h_hang, s), 0);
    ck_assert_int_eq(lm_http_server_start(s->http, &err), 0);
    s->port = lm_http_server_port(s->http, 0);
}

static void srv_page(struct srv *s, const char *page)
{
    pthread_mutex_lock(&s->mu);
    copyh(s->page, sizeof s->page, page);
    pthread_mutex_unlock(&s->mu);
}

static void srv_stop(struct srv *s)
{
    lm_http_server_free(s->http);
    pthread_mutex_destroy(&s->mu);
}

static void msleep(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A job with short intervals, no config file. */
static void job_init(struct scr_job *j, const char *name, int64_t iv, int64_t tmo)
{
    memset(j, 0, sizeof *j);
    j->job_name = name;
    j->interval_ms = iv;
    j->timeout_ms = tmo;
    j->honor_timestamps = true;
    j->follow_redirects = true;
    j->enable_http2 = true;
}

/* A pool spec being built: targets from addresses (+ optional path). */
struct spec {
    struct lbl_set labels[1100];   /* final sets */
    struct lbl_set disc[1100];     /* discovered sets */
    struct scr_target_spec t[1100];/* specs */
    size_t n;                      /* entries */
};

static void spec_add(struct spec *sp, const struct scr_job *j, const char *addr,
                     const char *path, const char *extra_name, const char *extra_val)
{
    struct lbl_set d = {0};
    lbl_set_add(&d, "__address__", addr);
    lbl_set_add(&d, "__meta_test", "m");
    if (path)
        lbl_set_add(&d, "__metrics_path__", path);
    if (extra_name)
        lbl_set_add(&d, extra_name, extra_val);
    bool keep;
    struct lm_err err = {0};
    memset(&sp->labels[sp->n], 0, sizeof sp->labels[0]);
    ck_assert_int_eq(scr_target_labels(j, NULL, 0, &d, &sp->labels[sp->n], NULL, &keep, &err),
                     0);
    ck_assert(keep);
    sp->t[sp->n].labels = &sp->labels[sp->n];
    lbl_set_move(&sp->disc[sp->n], &d);
    sp->t[sp->n].discovered = &sp->disc[sp->n];
    sp->n++;
}

static void spec_free(struct spec *sp)
{
    for (size_t i = 0; i < sp->n; i++) {
        lbl_set_free(&sp->labels[i]);
        lbl_set_free(&sp->disc[i]);
    }
    sp->n = 0;
}

static struct scr_manager *mgr(struct tsdb *db, unsigned threads)
{
    struct scr_manager_opts o = {0};
    o.threads = threads;
    struct lm_err err = {0};
    struct scr_manager *m = scr_manager_new(db, &o, &err);
    ck_assert_msg(m != NULL, "%s", err.msg);
    return m;
}

static void sync1(struct scr_manager *m, const struct scr_job *j, struct spec *sp)
{
    struct scr_pool_spec ps = {j, sp->t, sp->n};
    struct lm_err err = {0};
    ck_assert_int_eq(scr_manager_sync(m, &ps, 1, &err), 0);
}

/* series_times: the timestamps of the one series named name, into t. */
static size_t series_times(struct tsdb *db, const char *name, int64_t *t, double *v, size_t max)
{
    struct lm_err err = {0};
    struct lbl_matcher mt;
    lbl_matcher_init(&mt, LBL_MATCH_EQ, "__name__", name, &err);
    struct tsdb_q *q = tsdb_querier(db, 0, INT64_MAX, &err);
    struct tsdb_ss *ss = tsdb_q_select(q, &mt, 1, &err);
    size_t n = 0;
    if (tsdb_ss_next(ss)) {
        struct tsdb_it *it = tsdb_ss_iter(ss);
        while (n < max && tsdb_it_next(it, &t[n], &v[n]))
            n++;
    }
    tsdb_ss_free(ss);
    tsdb_q_close(q);
    lbl_matcher_free(&mt);
    return n;
}

/* check_spacing: scrapes one interval apart with no drift: scrape k starts at the k-th
 * tick after the first (which itself may start late on a loaded machine; aligned
 * timestamps then snap back to the ticks). */
static void check_spacing(const int64_t *t, size_t n, int64_t iv)
{
    for (size_t i = 1; i < n; i++) {
        int64_t dt = t[i] - t[0] - (int64_t)i * iv;
        ck_assert_msg(dt > -50 && dt < 50, "scrape %zu is %lld ms off its tick", i,
                      (long long)dt);
        dt = t[i] - t[i - 1];
        ck_assert_msg(dt > iv - 50 && dt < iv + 50, "scrapes %lld ms apart", (long long)dt);
    }
}

START_TEST(live_basic)
{
    struct st_db d;
    st_db_open(&d);
    struct srv s;
    srv_start(&s, "# HELP a A.\n# TYPE a gauge\na 1\nb 2\n");
    struct scr_job j;
    job_init(&j, "live", 400, 300);
    struct spec *sp = lm_calloc(1, sizeof *sp);
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", s.port);
    spec_add(sp, &j, addr, NULL, "__param_x", "1 2");
    struct scr_manager *m = mgr(d.db, 2);
    sync1(m, &j, sp);
    msleep(1500);
    pthread_mutex_lock(&s.mu);
    ck_assert_str_eq(s.accept, SCR_ACCEPT_HEADER);
    ck_assert_msg(!strncmp(s.ua, "flint/", 6), "%s", s.ua);
    ck_assert_str_eq(s.tmo, "0.3");
    ck_assert_msg(strstr(s.aenc, "gzip"), "%s", s.aenc);
    ck_assert_str_eq(s.query, "1 2");
    ck_assert_str_eq(s.auth, "");
    ck_assert_uint_ge(s.hits, 3);
    pthread_mutex_unlock(&s.mu);
    /* timestamps are exactly one interval apart (aligned) */
    int64_t t[64];
    double v[64];
    size_t n = series_times(d.db, "a", t, v, 64);
    ck_assert_uint_ge(n, 3);
    check_spacing(t, n, 400);
    /* the targets API */
    struct scr_target_info *ti;
    size_t nt;
    ck_assert_int_eq(scr_manager_targets(m, &ti, &nt), 0);
    ck_assert_uint_eq(nt, 1);
    ck_assert_str_eq(ti[0].pool, "live");
    ck_assert_str_eq(scr_health_str(ti[0].health), "up");
    ck_assert_str_eq(ti[0].last_error, "");
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/metrics?x=1+2", s.port);
    ck_assert_str_eq(ti[0].scrape_url, url);
    ck_assert_str_eq(lbl_set_get(&ti[0].labels, "instance"), addr);
    ck_assert_ptr_null(lbl_set_get(&ti[0].labels, "__address__"));
    ck_assert_str_eq(lbl_set_get(&ti[0].discovered, "__meta_test"), "m");
    ck_assert_int_eq(ti[0].interval_ms, 400);
    ck_assert_int_eq(ti[0].timeout_ms, 300);
    ck_assert_int_gt(ti[0].last_scrape_ms, 0);
    ck_assert(ti[0].last_duration_s > 0 && ti[0].last_duration_s < 0.3);
    scr_target_infos_free(ti, nt);
    /* b disappears: a stale marker at the next scrape */
    srv_page(&s, "a 3\n");
    msleep(900);
    n = series_times(d.db, "b", t, v, 64);
    ck_assert_uint_ge(n, 2);
    ck_assert(tsdb_is_stale(v[n - 1]));
    /* the target goes down (500): up 0, every series stale */
    pthread_mutex_lock(&s.mu);
    s.status = 500;
    pthread_mutex_unlock(&s.mu);
    msleep(900);
    n = series_times(d.db, "a", t, v, 64);
    ck_assert(tsdb_is_stale(v[n - 1]));
    n = series_times(d.db, "up", t, v, 64);
    ck_assert(v[n - 1] == 0);
    ck_assert_int_eq(scr_manager_targets(m, &ti, &nt), 0);
    ck_assert_str_eq(scr_health_str(ti[0].health), "down");
    ck_assert_str_eq(ti[0].last_error, "server returned HTTP status 500 Internal Server Error");
    scr_target_infos_free(ti, nt);
    /* back up, then the target is removed: its report series get stale markers
     * after 2.1 intervals */
    pthread_mutex_lock(&s.mu);
    s.status = 0;
    pthread_mutex_unlock(&s.mu);
    msleep(900);
    n = series_times(d.db, "up", t, v, 64);
    ck_assert(v[n - 1] == 1);
    struct spec empty = {0};
    sync1(m, &j, &empty);
    ck_assert_int_eq(scr_manager_targets(m, &ti, &nt), 0);
    ck_assert_uint_eq(nt, 0);
    scr_target_infos_free(ti, nt);
    msleep(1500);
    n = series_times(d.db, "up", t, v, 64);
    ck_assert(tsdb_is_stale(v[n - 1]));
    ck_assert_int_lt(llabs(t[n - 1] - t[n - 2] - 400), 50);
    n = series_times(d.db, "a", t, v, 64);
    ck_assert(tsdb_is_stale(v[n - 1]));
    scr_manager_free(m);
    spec_free(sp);
    lm_free(sp);
    srv_stop(&s);
    st_db_close(&d);
}
END_TEST

START_TEST(live_hang_and_errors)
{
    struct st_db d;
    st_db_open(&d);
    struct srv s;
    srv_start(&s, "a 1\n");
    struct scr_job j;
    job_init(&j, "errs", 500, 300);
    struct spec *sp = lm_calloc(1, sizeof *sp);
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", s.port);
    spec_add(sp, &j, addr, "/hang", NULL, NULL);
    spec_add(sp, &j, addr, "/metrics", NULL, NULL);
    spec_add(sp, &j, addr, "/nothere", NULL, NULL);
    spec_add(sp, &j, "127.0.0.1:1", "/metrics", NULL, NULL);
    /* one thread: the hanging target must not delay the others */
    struct scr_manager *m = mgr(d.db, 1);
    sync1(m, &j, sp);
    msleep(1800);
    int64_t t[64];
    double v[64];
    size_t n = series_times(d.db, "a", t, v, 64);
    ck_assert_uint_ge(n, 3);
    check_spacing(t, n, 500);
    struct scr_target_info *ti;
    size_t nt;
    ck_assert_int_eq(scr_manager_targets(m, &ti, &nt), 0);
    ck_assert_uint_eq(nt, 4);
    char want[256];
    int seen = 0;
    for (size_t i = 0; i < nt; i++) {
        if (strstr(ti[i].scrape_url, "/hang")) {
            snprintf(want, sizeof want, "Get \"%s\": context deadline exceeded",
                     ti[i].scrape_url);
            ck_assert_str_eq(ti[i].last_error, want);
            ck_assert_int_eq(ti[i].health, SCR_HEALTH_DOWN);
            seen++;
        } else if (strstr(ti[i].scrape_url, "/nothere")) {
            ck_assert_str_eq(ti[i].last_error, "server returned HTTP status 404 Not Found");
            seen++;
        } else if (strstr(ti[i].scrape_url, ":1/")) {
            ck_assert_str_eq(ti[i].last_error, "Get \"http://127.0.0.1:1/metrics\": dial tcp "
                                               "127.0.0.1:1: connect: connection refused");
            seen++;
        } else {
            ck_assert_int_eq(ti[i].health, SCR_HEALTH_UP);
            seen++;
        }
    }
    ck_assert_int_eq(seen, 4);
    scr_target_infos_free(ti, nt);
    scr_manager_free(m);
    spec_free(sp);
    lm_free(sp);
    srv_stop(&s);
    st_db_close(&d);
}
END_TEST

START_TEST(live_auth_limits_om)
{
    struct st_db d;
    st_db_open(&d);
    struct srv s;
    srv_start(&s, "# TYPE c counter\nc_total 1\n# EOF\n");
    copyh(s.ctype, sizeof s.ctype, "application/openmetrics-text; version=1.0.0; charset=utf-8");
    struct scr_job j1, j2, j3;
    job_init(&j1, "basic", 300, 200);
    j1.basic_user = "u";
    j1.basic_password = "p";
    job_init(&j2, "bearer", 300, 200);
    j2.auth_type = "Bearer";
    j2.auth_credentials = "tok";
    job_init(&j3, "small", 300, 200);
    j3.body_size_limit = 10;
    struct spec *sp = lm_calloc(3, sizeof *sp);
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", s.port);
    spec_add(&sp[0], &j1, addr, NULL, NULL, NULL);
    spec_add(&sp[1], &j2, addr, NULL, NULL, NULL);
    spec_add(&sp[2], &j3, addr, NULL, NULL, NULL);
    struct scr_manager *m = mgr(d.db, 2);
    struct scr_pool_spec ps[3] = {{&j1, sp[0].t, 1}, {&j2, sp[1].t, 1}, {&j3, sp[2].t, 1}};
    struct lm_err err = {0};
    ck_assert_int_eq(scr_manager_sync(m, ps, 3, &err), 0);
    bool basic = false, bearer = false;
    for (int i = 0; i < 40 && !(basic && bearer); i++) {
        msleep(50);
        pthread_mutex_lock(&s.mu);
        basic = s.saw_basic;
        bearer = s.saw_bearer;
        pthread_mutex_unlock(&s.mu);
    }
    ck_assert(basic && bearer);
    msleep(400);
    struct lm_buf out;
    lm_buf_init(&out, 1 << 16);
    ck_assert_uint_eq(st_dump(d.db, "c_total", &out), 2);
    st_has(&out, "job=\"basic\"");
    st_has(&out, "job=\"bearer\"");
    struct scr_target_info *ti;
    size_t nt;
    ck_assert_int_eq(scr_manager_targets(m, &ti, &nt), 0);
    ck_assert_uint_eq(nt, 3);
    ck_assert_str_eq(ti[2].pool, "small");
    ck_assert_str_eq(ti[2].last_error, "body size limit exceeded");
    scr_target_infos_free(ti, nt);
    /* own metrics */
    struct lm_registry *reg = lm_registry_new();
    ck_assert_int_eq(scr_manager_register_metrics(m, reg, &err), 0);
    lm_buf_reset(&out);
    ck_assert_int_eq(lm_expo_write(reg, LM_FORMAT_TEXT, &out, &err), 0);
    st_has(&out, "prometheus_target_scrapes_exceeded_body_size_limit_total ");
    st_hasnt(&out, "prometheus_target_scrapes_exceeded_body_size_limit_total 0\n");
    st_has(&out, "prometheus_target_scrape_pool_targets{scrape_job=\"basic\"} 1\n");
    lm_registry_free(reg);
    lm_buf_cleanup(&out);
    /* an unchanged sync keeps the loops; a changed job restarts its pool */
    ck_assert_int_eq(scr_manager_sync(m, ps, 3, &err), 0);
    ck_assert_int_eq(scr_manager_targets(m, &ti, &nt), 0);
    ck_assert_int_ne(ti[0].last_scrape_ms, 0);
    scr_target_infos_free(ti, nt);
    /* a pool that keeps its target and gains more keeps the old loop (the search for
     * kept loops once landed on a slot it had emptied, and crashed) */
    spec_add(&sp[1], &j2, "127.0.0.2:1", NULL, NULL, NULL);
    spec_add(&sp[1], &j2, "127.0.0.3:1", NULL, NULL, NULL);
    spec_add(&sp[1], &j2, "127.0.0.4:1", NULL, NULL, NULL);
    ps[1].ntargets = 4;
    ck_assert_int_eq(scr_manager_sync(m, ps, 3, &err), 0);
    ck_assert_int_eq(scr_manager_targets(m, &ti, &nt), 0);
    ck_assert_uint_eq(nt, 6);
    size_t kept = 0;
    for (size_t i = 0; i < nt; i++)
        if (!strcmp(ti[i].pool, "bearer") && ti[i].last_scrape_ms != 0)
            kept++;
    ck_assert_uint_eq(kept, 1);
    scr_target_infos_free(ti, nt);
    ps[1].ntargets = 1;
    ck_assert_int_eq(scr_manager_sync(m, ps, 3, &err), 0);
    j1.sample_limit = 5;
    ck_assert_int_eq(scr_manager_sync(m, ps, 3, &err), 0);
    ck_assert_int_eq(scr_manager_targets(m, &ti, &nt), 0);
    ck_assert_int_eq(ti[0].last_scrape_ms, 0);
    ck_assert_int_ne(ti[1].last_scrape_ms, 0);
    scr_target_infos_free(ti, nt);
    scr_manager_free(m);
    for (int i = 0; i < 3; i++)
        spec_free(&sp[i]);
    lm_free(sp);
    srv_stop(&s);
    st_db_close(&d);
}
END_TEST

/* tiny_server: a single-threaded HTTP/1.1 server with keep-alive for the 1000-target
 * test (lm_http's thread per connection would make a sanitized build the bottleneck).
 * Serves body to every request on fd lfd; runs until killed. */
#define TINY_FDS 4096
static void tiny_server(int lfd, const char *body)
{
    char resp[512];
    int rn = snprintf(resp, sizeof resp,
                      "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
                      "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
    static char bufs[TINY_FDS][1024];
    static size_t lens[TINY_FDS];
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    struct epoll_event evs[64];
    for (;;) {
        int n = epoll_wait(ep, evs, 64, -1);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == lfd) {
                int c = accept4(lfd, NULL, NULL, 0);
                if (c < 0 || c >= TINY_FDS) {
                    if (c >= 0)
                        close(c);
                    continue;
                }
                lens[c] = 0;
                struct epoll_event ce = {.events = EPOLLIN, .data.fd = c};
                epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
                continue;
            }
            ssize_t r = read(fd, bufs[fd] + lens[fd], sizeof bufs[fd] - 1 - lens[fd]);
            if (r <= 0) {
                close(fd);
                continue;
            }
            lens[fd] += (size_t)r;
            bufs[fd][lens[fd]] = '\0';
            char *end;
            while ((end = strstr(bufs[fd], "\r\n\r\n"))) {
                if (write(fd, resp, (size_t)rn) != rn)
                    break;
                size_t used = (size_t)(end + 4 - bufs[fd]);
                memmove(bufs[fd], bufs[fd] + used, lens[fd] - used + 1);
                lens[fd] -= used;
            }
            if (lens[fd] >= sizeof bufs[fd] - 1)
                lens[fd] = 0;
        }
    }
}

static size_t thread_count(void)
{
    DIR *dir = opendir("/proc/self/task");
    size_t n = 0;
    for (struct dirent *e; dir && (e = readdir(dir));)
        if (e->d_name[0] != '.')
            n++;
    if (dir)
        closedir(dir);
    return n;
}

START_TEST(live_thousand_targets)
{
    /* the server runs in a child process, so its threads are not counted */
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(lfd, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof sa), 0);
    ck_assert_int_eq(listen(lfd, 4096), 0);
    socklen_t sl = sizeof sa;
    ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sa, &sl), 0);
    int port = ntohs(sa.sin_port);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        tiny_server(lfd, "x 1\ny{a=\"b\"} 2\n");
        _exit(0);
    }
    close(lfd);

    struct st_db d;
    st_db_open(&d);
    struct scr_job j;
    job_init(&j, "many", 3000, 2000);
    struct spec *sp = lm_calloc(1, sizeof *sp);
    char addr[64], idx[16];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
    for (int i = 0; i < 1000; i++) {
        snprintf(idx, sizeof idx, "%d", i);
        spec_add(sp, &j, addr, NULL, "instance", idx);
    }
    size_t before = thread_count();
    struct scr_manager *m = mgr(d.db, 2);
    sync1(m, &j, sp);
    /* every target scraped once (a slow, sanitized build may need several rounds) */
    size_t peak = 0, up = 0, unknown = 0;
    const char *anerr = "";
    struct scr_target_info *ti = NULL;
    size_t nt = 0;
    for (int i = 0; i < 150 && up < 1000; i++) {
        msleep(200);
        size_t c = thread_count();
        if (c > peak)
            peak = c;
        scr_target_infos_free(ti, nt);
        ck_assert_int_eq(scr_manager_targets(m, &ti, &nt), 0);
        ck_assert_uint_eq(nt, 1000);
        up = unknown = 0;
        for (size_t k = 0; k < nt; k++) {
            up += ti[k].health == SCR_HEALTH_UP;
            unknown += ti[k].health == SCR_HEALTH_UNKNOWN;
            if (ti[k].health == SCR_HEALTH_DOWN)
                anerr = ti[k].last_error;
        }
    }
    ck_assert_msg(up == 1000, "%zu up, %zu unknown, error: %s", up, unknown, anerr);
    scr_target_infos_free(ti, nt);
    ck_assert_msg(peak <= before + 2 + 2, "threads: %zu before, %zu peak", before, peak);
    struct lm_buf out;
    lm_buf_init(&out, 1 << 22);
    ck_assert_uint_eq(st_dump(d.db, "y", &out), 1000);
    lm_buf_cleanup(&out);
    scr_manager_free(m);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    spec_free(sp);
    lm_free(sp);
    st_db_close(&d);
}
END_TEST

Suite *live_suite(void)
{
    Suite *s = suite_create("scrape_live");
    TCase *tc = tcase_create("live");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, live_basic);
    tcase_add_test(tc, live_hang_and_errors);
    tcase_add_test(tc, live_auth_limits_om);
    tcase_add_test(tc, live_thousand_targets);
    suite_add_tcase(s, tc);
    return s;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* test_tls.c: tls_config of scrape jobs against a local HTTPS server (lm/http.h with a
 * web config) that requires a client certificate: ca_file, server_name (the certificate
 * names only flint.test), insecure_skip_verify, cert_file/key_file. Certificates are made
 * with the openssl command. */
#include <time.h>

#include "lm/http.h"
#include "lm/webcfg.h"
#include "scrape_test.h"

Suite *tls_suite(void);

static char dir[64];  /* certificates */

static void make_certs(void)
{
    snprintf(dir, sizeof dir, "/tmp/scrtls.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "cd %s && exec >/dev/null 2>&1 && "
             "EC='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes' && "
             "openssl req -x509 $EC -keyout ca.key -out ca.crt -days 2 -subj /CN=ca && "
             "openssl req $EC -keyout server.key -out server.csr -subj /CN=flint.test && "
             "printf 'subjectAltName=DNS:flint.test\\n' > server.ext && "
             "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
             "-out server.crt -days 2 -extfile server.ext && "
             "openssl req $EC -keyout client.key -out client.csr -subj /CN=client && "
             "printf 'extendedKeyUsage=clientAuth\\n' > client.ext && "
             "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
             "-out client.crt -days 2 -extfile client.ext",
             dir);
    ck_assert_int_eq(system(cmd), 0);
}

static int h_metrics(const struct lm_http_request *req, struct lm_http_response *resp,
                     void *ud)
{
    (void)req;
    (void)ud;
    return lm_http_response_text(resp, 200, "t 1\n");
}

static void job(struct scr_job *j, const char *name, const char *ca, const char *cert,
                const char *key, const char *sn, bool insecure)
{
    memset(j, 0, sizeof *j);
    j->job_name = name;
    j->interval_ms = 2000;
    j->timeout_ms = 1500; /* a sanitized build's handshakes are slow */
    j->scheme = "https";
    j->honor_timestamps = true;
    j->follow_redirects = true;
    j->tls_ca_file = ca;
    j->tls_cert_file = cert;
    j->tls_key_file = key;
    j->tls_server_name = sn;
    j->tls_insecure_skip_verify = insecure;
}

START_TEST(tls_config)
{
    make_certs();
    char y[512], ca[128], cert[128], key[128];
    snprintf(y, sizeof y,
             "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
             "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n");
    snprintf(ca, sizeof ca, "%s/ca.crt", dir);
    snprintf(cert, sizeof cert, "%s/client.crt", dir);
    snprintf(key, sizeof key, "%s/client.key", dir);
    struct lm_webcfg *wc = NULL;
    struct lm_err err = {0};
    ck_assert_int_eq(lm_webcfg_parse_mem("web.yml", y, strlen(y), dir, &wc, &err), 0);
    struct lm_http_options o;
    lm_http_options_init(&o);
    const char *listen[] = {"127.0.0.1:0"};
    o.listen = listen;
    o.nlisten = 1;
    o.webcfg = wc;
    struct lm_http_server *srv = lm_http_server_new(&o, &err);
    ck_assert_ptr_nonnull(srv);
    ck_assert_int_eq(lm_http_route(srv, "/metrics", 0, h_metrics, NULL), 0);
    ck_assert_int_eq(lm_http_server_start(srv, &err), 0);
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", lm_http_server_port(srv, 0));

    struct scr_job jobs[4];
    job(&jobs[0], "a_server_name", ca, cert, key, "flint.test", false);
    job(&jobs[1], "b_wrong_name", ca, cert, key, NULL, false);
    job(&jobs[2], "c_insecure", NULL, cert, key, NULL, true);
    job(&jobs[3], "d_no_client_cert", NULL, NULL, NULL, NULL, true);
    struct lbl_set d = {0}, ls[4] = {{0}};
    lbl_set_add(&d, "__address__", addr);
    struct scr_target_spec ts[4];
    struct scr_pool_spec ps[4];
    for (int i = 0; i < 4; i++) {
        bool keep;
        ck_assert_int_eq(scr_target_labels(&jobs[i], NULL, 0, &d, &ls[i], NULL, &keep, &err),
                         0);
        ts[i] = (struct scr_target_spec){&ls[i], NULL};
        ps[i] = (struct scr_pool_spec){&jobs[i], &ts[i], 1};
    }
    struct st_db db;
    st_db_open(&db);
    struct scr_manager_opts mo = {0};
    struct scr_manager *m = scr_manager_new(db.db, &mo, &err);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(scr_manager_sync(m, ps, 4, &err), 0);
    struct scr_target_info *ti = NULL;
    size_t nt = 0;
    for (int k = 0; k < 100; k++) {
        struct timespec w = {0, 100000000L};
        nanosleep(&w, NULL);
        scr_target_infos_free(ti, nt);
        ck_assert_int_eq(scr_manager_targets(m, &ti, &nt), 0);
        bool all = true;
        for (size_t i = 0; i < nt; i++)
            all &= ti[i].health != SCR_HEALTH_UNKNOWN;
        if (all)
            break;
    }
    ck_assert_uint_eq(nt, 4);
    ck_assert_msg(ti[0].health == SCR_HEALTH_UP, "%s", ti[0].last_error);
    ck_assert_msg(!strncmp(ti[0].scrape_url, "https://127.0.0.1:", 18), "%s", ti[0].scrape_url);
    ck_assert_int_eq(ti[1].health, SCR_HEALTH_DOWN);
    ck_assert_msg(strstr(ti[1].last_error, "Get \"https://127.0.0.1:"), "%s", ti[1].last_error);
    ck_assert_msg(ti[2].health == SCR_HEALTH_UP, "%s", ti[2].last_error);
    ck_assert_int_eq(ti[3].health, SCR_HEALTH_DOWN);
    scr_target_infos_free(ti, nt);
    struct lm_buf out;
    lm_buf_init(&out, 1 << 16);
    ck_assert_uint_eq(st_dump(db.db, "t", &out), 2);
    st_has(&out, "job=\"a_server_name\"");
    st_has(&out, "job=\"c_insecure\"");
    lm_buf_cleanup(&out);
    scr_manager_free(m);
    st_db_close(&db);
    for (int i = 0; i < 4; i++)
        lbl_set_free(&ls[i]);
    lbl_set_free(&d);
    lm_http_server_free(srv);
    lm_webcfg_free(wc);
    snprintf(y, sizeof y, "rm -rf %s", dir);
    ck_assert_int_eq(system(y), 0);
}
END_TEST

Suite *tls_suite(void)
{
    Suite *s = suite_create("scrape_tls");
    TCase *tc = tcase_create("tls");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, tls_config);
    suite_add_tcase(s, tc);
    return s;
}

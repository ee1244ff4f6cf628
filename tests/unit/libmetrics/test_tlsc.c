/* SPDX-License-Identifier: Apache-2.0 */
/* test_tlsc.c: the TLS client of lm/tlsc.h against our own TLS web server (lm/http.h with
 * a web config) on 127.0.0.1, with certificates made by the openssl command: verification
 * by CA file and server name (a DNS name and an IP literal), the Go-worded failures
 * (unknown authority, wrong name), insecure_skip_verify, client certificates, the
 * handshake facts (version, expiries, leaf subject/issuer/SANs/fingerprint), bad files
 * and versions, and a peer that never answers (the deadline). */
#include <arpa/inet.h>
#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "lm/exporter.h"
#include "lm/http.h"
#include "lm/tlsc.h"
#include "lm/webcfg.h"

static char dir[64];
static struct lm_http_server *srv;
static struct lm_webcfg *wc;
static int port;

static int
h_hello(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    (void)req;
    (void)ud;
    return lm_http_response_text(resp, 200, "hello tls\n");
}

static void
make_certs(void)
{
    snprintf(dir, sizeof dir, "/tmp/lm_tlsc_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "cd %s && exec >/dev/null 2>&1 && "
             "EC='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes' && "
             "openssl req -x509 $EC -keyout ca.key -out ca.crt -days 3 -subj /CN=ca && "
             "openssl req $EC -keyout server.key -out server.csr -subj /O=Test/CN=localhost && "
             "printf 'subjectAltName=DNS:localhost,DNS:alt.example,IP:127.0.0.1\\n' "
             "> server.ext && "
             "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
             "-out server.crt -days 2 -extfile server.ext && "
             "openssl req $EC -keyout client.key -out client.csr -subj /CN=client && "
             "printf 'extendedKeyUsage=clientAuth\\n' > client.ext && "
             "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
             "-out client.crt -days 2 -extfile client.ext && "
             "openssl x509 -in server.crt -outform DER -out server.der",
             dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* start: our TLS server wanting (client_auth) a client certificate or not. */
static void
start(int client_auth)
{
    static const char *const listen[] = {"127.0.0.1:0"};
    char y[512];
    struct lm_err err = {0};
    make_certs();
    snprintf(y, sizeof y, "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n%s",
             client_auth ? "  client_ca_file: ca.crt\n"
                           "  client_auth_type: RequireAndVerifyClientCert\n" : "");
    ck_assert_int_eq(lm_webcfg_parse_mem("t.yml", y, strlen(y), dir, &wc, &err), 0);
    struct lm_http_options o;
    lm_http_options_init(&o);
    o.listen = listen;
    o.nlisten = 1;
    o.webcfg = wc;
    srv = lm_http_server_new(&o, &err);
    ck_assert_msg(srv != NULL, "%s", err.msg);
    ck_assert_int_eq(lm_http_route(srv, "/hello", 0, h_hello, NULL), 0);
    ck_assert_msg(lm_http_server_start(srv, &err) == 0, "%s", err.msg);
    port = lm_http_server_port(srv, 0);
}

static void
stop(void)
{
    char cmd[128];
    lm_http_server_free(srv);
    lm_webcfg_free(wc);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* dial: a non-blocking socket connected to 127.0.0.1:p. */
static int
dial(int p)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)p)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
    return fd;
}

static char path_buf[4][160];

static const char *
path(int i, const char *name)
{
    snprintf(path_buf[i], sizeof path_buf[i], "%s/%s", dir, name);
    return path_buf[i];
}

/* get: a TLS session with o, GET /hello, the answer into out. Returns the start error
 * code (0 when the handshake and verification passed) and info. */
static int
get(const struct lm_tlsc_opts *o, char *out, size_t outsz, struct lm_tlsc_info *info,
    struct lm_err *err)
{
    int fd = dial(port);
    double dl = lm_monotonic() + 5;
    out[0] = '\0';
    struct lm_tlsc *t = lm_tlsc_start(fd, o, dl, err);
    if (!t) {
        close(fd);
        return err->code;
    }
    lm_tlsc_info(t, info);
    static const char req[] = "GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    size_t len = 0;
    int rc = lm_tlsc_write(t, req, sizeof req - 1, dl, err);
    while (!rc) {
        ssize_t r = lm_tlsc_read(t, out + len, outsz - 1 - len, dl, err);
        if (r <= 0) {
            rc = (int)r;
            break;
        }
        len += (size_t)r;
        if (len + 1 >= outsz)
            break;
    }
    out[len] = '\0';
    lm_tlsc_free(t);
    close(fd);
    return rc;
}

START_TEST(verified)
{
    start(0);
    char out[4096];
    struct lm_tlsc_info in;
    struct lm_err err = {0};
    struct lm_tlsc_opts o = {.server_name = "localhost", .ca_file = path(0, "ca.crt")};
    ck_assert_msg(get(&o, out, sizeof out, &in, &err) == 0, "%s", err.msg);
    ck_assert_msg(!strncmp(out, "HTTP/1.1 200", 12), "%s", out);
    ck_assert_ptr_nonnull(strstr(out, "hello tls"));
    ck_assert(in.verified);
    ck_assert_msg(!strcmp(in.version, "TLS 1.3") || !strcmp(in.version, "TLS 1.2"), "%s",
                  in.version);
    ck_assert_str_eq(in.subject, "CN=localhost,O=Test");
    ck_assert_str_eq(in.issuer, "CN=ca");
    ck_assert_str_eq(in.san, "localhost,alt.example");
    ck_assert_uint_eq(strlen(in.fingerprint), 64);
    ck_assert(in.cipher[0]);
    double now = (double)time(NULL);
    ck_assert(in.earliest_expiry > now + 86400 && in.earliest_expiry < now + 3 * 86400);
    ck_assert(in.last_chain_expiry == in.earliest_expiry);
    /* the fingerprint is the DER's SHA-256 */
    char cmd[256], want[80] = "";
    snprintf(cmd, sizeof cmd, "sha256sum %s/server.der", dir);
    FILE *f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(want, sizeof want, f));
    pclose(f);
    ck_assert_int_eq(strncmp(want, in.fingerprint, 64), 0);
    /* an IP literal is checked against the IP SANs; a second DNS SAN is accepted */
    o.server_name = "127.0.0.1";
    ck_assert_msg(get(&o, out, sizeof out, &in, &err) == 0, "%s", err.msg);
    o.server_name = "alt.example";
    ck_assert_msg(get(&o, out, sizeof out, &in, &err) == 0, "%s", err.msg);
    o.min_version = "TLS13";
    ck_assert_msg(get(&o, out, sizeof out, &in, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(in.version, "TLS 1.3");
    stop();
}
END_TEST

START_TEST(refused)
{
    start(0);
    char out[4096];
    struct lm_tlsc_info in;
    struct lm_err err = {0};
    struct lm_tlsc_opts o = {.server_name = "other.example", .ca_file = path(0, "ca.crt")};
    ck_assert_int_eq(get(&o, out, sizeof out, &in, &err), LM_EIO);
    ck_assert_str_eq(err.msg, "x509: certificate is not valid for other.example");
    o = (struct lm_tlsc_opts){.server_name = "localhost"};   /* system trust store */
    ck_assert_int_eq(get(&o, out, sizeof out, &in, &err), LM_EIO);
    ck_assert_str_eq(err.msg, "x509: certificate signed by unknown authority");
    o.insecure_skip_verify = true;
    ck_assert_msg(get(&o, out, sizeof out, &in, &err) == 0, "%s", err.msg);
    ck_assert(!in.verified);
    ck_assert(in.last_chain_expiry == LM_TLSC_GO_ZERO_TIME);
    ck_assert(in.earliest_expiry > 0);
    o.min_version = "TLS99";
    ck_assert_int_eq(get(&o, out, sizeof out, &in, &err), LM_ECONFIG);
    o = (struct lm_tlsc_opts){.server_name = "localhost", .ca_file = path(0, "nope.crt")};
    ck_assert_int_eq(get(&o, out, sizeof out, &in, &err), LM_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "nope.crt"));
    o = (struct lm_tlsc_opts){.server_name = "localhost", .ca_file = path(0, "ca.crt"),
                              .cert_file = path(1, "client.crt"),
                              .key_file = path(2, "nope.key")};
    ck_assert_int_eq(get(&o, out, sizeof out, &in, &err), LM_ECONFIG);
    stop();
}
END_TEST

START_TEST(client_cert)
{
    start(1);
    char out[4096];
    struct lm_tlsc_info in;
    struct lm_err err = {0};
    struct lm_tlsc_opts o = {.server_name = "localhost", .ca_file = path(0, "ca.crt"),
                             .cert_file = path(1, "client.crt"),
                             .key_file = path(2, "client.key")};
    ck_assert_msg(get(&o, out, sizeof out, &in, &err) == 0, "%s", err.msg);
    ck_assert_msg(!strncmp(out, "HTTP/1.1 200", 12), "%s", out);
    /* without a certificate the server ends the session (in TLS 1.3 after the client's
     * side of the handshake): no answer comes */
    o.cert_file = o.key_file = NULL;
    ck_assert_int_eq(get(&o, out, sizeof out, &in, &err), LM_EIO);
    ck_assert_msg(!out[0], "answered without a client certificate: %s", out);
    stop();
}
END_TEST

START_TEST(deadline)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t al = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_eq(bind(l, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(l, 4), 0);   /* never accepted: the kernel completes connect */
    ck_assert_int_eq(getsockname(l, (struct sockaddr *)&a, &al), 0);
    int fd = dial(ntohs(a.sin_port));
    struct lm_err err = {0};
    struct lm_tlsc_opts o = {.server_name = "localhost", .insecure_skip_verify = true};
    double t0 = lm_monotonic();
    ck_assert_ptr_null(lm_tlsc_start(fd, &o, t0 + 0.3, &err));
    double took = lm_monotonic() - t0;
    ck_assert_int_eq(err.code, LM_ETIMEOUT);
    ck_assert_msg(took >= 0.25 && took < 2, "took %f", took);
    close(fd);
    close(l);
}
END_TEST

Suite *tlsc_suite(void);

Suite *
tlsc_suite(void)
{
    Suite *s = suite_create("tlsc");
    TCase *tc = tcase_create("tlsc");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, verified);
    tcase_add_test(tc, refused);
    tcase_add_test(tc, client_cert);
    tcase_add_test(tc, deadline);
    suite_add_tcase(s, tc);
    return s;
}

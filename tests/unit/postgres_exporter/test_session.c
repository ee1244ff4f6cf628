/* SPDX-License-Identifier: Apache-2.0 */
/* test_session.c: our protocol client (pgsession.c) against canned server answers on a
 * socketpair: trust, cleartext and md5 logins (the bytes the client sends checked),
 * a FATAL at login (clear error, no password), an unsupported method, a SCRAM server
 * that skips its proof (refused), queries with rows, NULLs, several statements and an SQL
 * error (the connection stays usable), pipelined queries, and a server that never answers
 * (timeout, connection marked broken). */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "lm/exporter.h"
#include "postgres_exporter/pgconn.h"

Suite *session_suite(void);

static int srv, cli;                  /* the test's and the client's ends of a socketpair */

/* pair: a fresh socketpair, the client's end non-blocking */
static void
pair(void)
{
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    cli = sv[0];
    srv = sv[1];
}

/* put: a typed backend message into the server end */
static void
put(char type, const void *body, size_t n)
{
    uint8_t h[5] = {(uint8_t)type, (uint8_t)((n + 4) >> 24), (uint8_t)((n + 4) >> 16),
                    (uint8_t)((n + 4) >> 8), (uint8_t)(n + 4)};
    ck_assert_int_eq(write(srv, h, 5), 5);
    if (n)
        ck_assert_int_eq(write(srv, body, n), (long)n);
}

/* PUTS: a message whose body is a string literal (embedded NULs kept, final one not) */
#define PUTS(type, lit) put(type, lit, sizeof lit - 1)

static void
put_auth(uint32_t code, const void *data, size_t n)
{
    uint8_t b[64] = {(uint8_t)(code >> 24), (uint8_t)(code >> 16), (uint8_t)(code >> 8),
                     (uint8_t)code};
    if (n)
        memcpy(b + 4, data, n);
    put('R', b, 4 + n);
}

static void
put_ready(void)
{
    put('S', "server_version\0" "15.4", 20);
    put('K', "\0\0\x30\x39\0\0\0\x07", 8);
    put('Z', "I", 1);
}

/* client_bytes: what the client has written so far (up to cap) */
static size_t
client_bytes(char *out, size_t cap)
{
    ssize_t n = recv(srv, out, cap, MSG_DONTWAIT);
    return n > 0 ? (size_t)n : 0;
}

static int
open_with(const char *user, const char *password, struct pge_conn **c, struct lm_err *err)
{
    struct pge_params p;
    memset(&p, 0, sizeof p);
    snprintf(p.user, sizeof p.user, "%s", user);
    snprintf(p.dbname, sizeof p.dbname, "postgres");
    snprintf(p.application_name, sizeof p.application_name, "t");
    p.password = password ? strdup(password) : NULL;
    int rc = pge_session_open(cli, &p, "h:1", lm_monotonic() + 2, c, err);
    free(p.password);
    return rc;
}

START_TEST(trust_and_queries)
{
    struct pge_conn *c;
    struct lm_err err;
    /* every answer written ahead: the socket buffer holds them */
    pair();
    put_auth(0, NULL, 0);
    PUTS('N', "SNOTICE\0Mhi\0\0");
    put_ready();
    ck_assert_int_eq(open_with("mon", NULL, &c, &err), 0);
    char buf[512];
    size_t n = client_bytes(buf, sizeof buf);
    ck_assert_uint_gt(n, 8);
    ck_assert_ptr_nonnull(memmem(buf, n, "user\0mon\0database\0postgres\0", 27));
    /* a query: two rows, a NULL */
    const uint8_t rd[] = {0, 2, 'a', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 23, 0, 4, 0xff, 0xff, 0xff,
                          0xff, 0, 0, 'b', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25, 0xff, 0xff, 0xff,
                          0xff, 0xff, 0xff, 0, 0};
    struct pge_result *r;
    /* answers are written after the query is sent: one waiting before would be taken
     * for the server going away */
    ck_assert_int_eq(pge_conn_send(c, "SELECT a, b", lm_monotonic() + 2, &err), 0);
    put('T', rd, sizeof rd);
    PUTS('D', "\0\2\0\0\0\1" "7\xff\xff\xff\xff");
    PUTS('D', "\0\2\0\0\0\2" "42\0\0\0\1x");
    put('C', "SELECT 2", 9);
    put('Z', "I", 1);
    ck_assert_int_eq(pge_conn_recv(c, lm_monotonic() + 2, &r, &err), 0);
    ck_assert_int_eq(r->ntuples, 2);
    ck_assert_str_eq(pge_result_value(r, 1, 0), "42");
    ck_assert(pge_result_isnull(r, 0, 1));
    ck_assert_str_eq(pge_result_value(r, 1, 1), "x");
    pge_result_free(r);
    n = client_bytes(buf, sizeof buf);
    ck_assert_uint_eq(n, 17);
    ck_assert_mem_eq(buf, "Q\0\0\0\x10SELECT a, b\0", 17);
    /* an SQL error: reported, the connection stays usable */
    ck_assert_int_eq(pge_conn_send(c, "SELECT * FROM x", lm_monotonic() + 2, &err), 0);
    PUTS('E', "SERROR\0VERROR\0C42P01\0Mrelation \"x\" does not exist\0\0");
    put('Z', "I", 1);
    ck_assert_int_eq(pge_conn_recv(c, lm_monotonic() + 2, &r, &err), LM_EIO);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err.msg, "relation \"x\" does not exist (SQLSTATE 42P01)"), "%s", err.msg);
    ck_assert(!pge_conn_broken(c));
    /* two statements: the last result counts; commands give no columns */
    ck_assert_int_eq(pge_conn_send(c, "SET a=1; SET b=2", lm_monotonic() + 2, &err), 0);
    put('C', "SET", 4);
    put('C', "SET", 4);
    put('Z', "I", 1);
    ck_assert_int_eq(pge_conn_recv(c, lm_monotonic() + 2, &r, &err), 0);
    ck_assert_int_eq(r->nfields, 0);
    pge_result_free(r);
    /* pipelined: two sends, then two answers in order */
    ck_assert_int_eq(pge_conn_send(c, "SELECT 1", lm_monotonic() + 2, &err), 0);
    ck_assert_int_eq(pge_conn_send(c, "SELECT 2", lm_monotonic() + 2, &err), 0);
    const uint8_t rd1[] = {0, 1, 'x', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 23, 0, 4, 0xff, 0xff,
                           0xff, 0xff, 0, 0};
    for (int i = 1; i <= 2; i++) {
        put('T', rd1, sizeof rd1);
        char row[7] = {0, 1, 0, 0, 0, 1, (char)('0' + i)};
        put('D', row, 7);
        put('C', "SELECT 1", 9);
        put('Z', "I", 1);
    }
    for (int i = 1; i <= 2; i++) {
        ck_assert_int_eq(pge_conn_recv(c, lm_monotonic() + 2, &r, &err), 0);
        ck_assert_int_eq(pge_result_value(r, 0, 0)[0], '0' + i);
        pge_result_free(r);
    }
    /* no answer: a timeout, and the connection is broken */
    double t0 = lm_monotonic();
    ck_assert_int_eq(pge_conn_query(c, "SELECT 1", t0 + 0.2, &r, &err), LM_ETIMEOUT);
    ck_assert(lm_monotonic() - t0 < 1.5);
    ck_assert(pge_conn_broken(c));
    pge_conn_close(c);
    close(srv);
}
END_TEST

START_TEST(passwords)
{
    struct pge_conn *c;
    struct lm_err err;
    char buf[512];
    /* cleartext */
    pair();
    put_auth(3, NULL, 0);
    put_auth(0, NULL, 0);
    put_ready();
    ck_assert_int_eq(open_with("mon", "pw1", &c, &err), 0);
    size_t n = client_bytes(buf, sizeof buf);
    ck_assert_ptr_nonnull(memmem(buf, n, "p\0\0\0\x08pw1\0", 9));
    pge_conn_close(c);
    close(srv);
    /* md5 with a salt */
    pair();
    put_auth(5, "\1\2\3\4", 4);
    put_auth(0, NULL, 0);
    put_ready();
    ck_assert_int_eq(open_with("postgres", "s3cr3t", &c, &err), 0);
    n = client_bytes(buf, sizeof buf);
    ck_assert_ptr_nonnull(memmem(buf, n, "md5ef075c98e47d7bba7b00c8ff670bff34", 35));
    ck_assert_ptr_null(memmem(buf, n, "s3cr3t", 6));
    pge_conn_close(c);
    close(srv);
    /* a FATAL: clear error, no password */
    pair();
    put_auth(5, "\1\2\3\4", 4);
    PUTS('E', "SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user "
              "\"postgres\"\0\0");
    ck_assert_int_eq(open_with("postgres", "s3cr3t", &c, &err), LM_EIO);
    ck_assert_msg(strstr(err.msg, "password authentication failed for user"), "%s", err.msg);
    ck_assert_ptr_nonnull(strstr(err.msg, "28P01"));
    ck_assert_ptr_null(strstr(err.msg, "s3cr3t"));
    close(srv);
    /* a password asked for, none given */
    pair();
    put_auth(5, "\1\2\3\4", 4);
    ck_assert_int_eq(open_with("postgres", NULL, &c, &err), LM_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "none was given"));
    close(srv);
    /* GSSAPI: not supported */
    pair();
    put_auth(7, NULL, 0);
    ck_assert_int_eq(open_with("postgres", "x", &c, &err), LM_EUNSUPP);
    close(srv);
}
END_TEST

START_TEST(scram_impostor)
{
    struct pge_conn *c;
    struct lm_err err;
    /* SASL offered, then "Ok" without the exchange: refused */
    pair();
    put_auth(10, "SCRAM-SHA-256\0\0", 15);
    put_auth(0, NULL, 0);
    put_ready();
    ck_assert_int_eq(open_with("postgres", "pw", &c, &err), LM_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "protocol error"));
    close(srv);
    /* a server-first whose nonce is not ours */
    pair();
    put_auth(10, "SCRAM-SHA-256\0\0", 15);
    put_auth(11, "r=abc,s=c2FsdA==,i=4096", 23);
    ck_assert_int_eq(open_with("postgres", "pw", &c, &err), LM_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.msg, "nonce"));
    close(srv);
    /* only SCRAM-SHA-256-PLUS offered */
    pair();
    put_auth(10, "SCRAM-SHA-256-PLUS\0\0", 20);
    ck_assert_int_eq(open_with("postgres", "pw", &c, &err), LM_EUNSUPP);
    close(srv);
}
END_TEST

Suite *
session_suite(void)
{
    Suite *s = suite_create("session");
    TCase *tc = tcase_create("session");
    tcase_add_test(tc, trust_and_queries);
    tcase_add_test(tc, passwords);
    tcase_add_test(tc, scram_impostor);
    suite_add_tcase(s, tc);
    return s;
}

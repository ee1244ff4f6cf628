/* SPDX-License-Identifier: Apache-2.0 */
/* test_scram.c: the password exchanges of pgauth.c: the RFC 7677 SCRAM-SHA-256 example
 * exchange byte for byte (client-first, client-final with proof, server signature), the
 * refusals (foreign nonce, iteration count, bad salt, server error, wrong signature,
 * out-of-order final) and the md5 answer against a value computed with Python hashlib. */
#include <check.h>
#include <string.h>
#include "lm/buf.h"
#include "postgres_exporter/pgwire.h"

Suite *scram_suite(void);

#define NONCE "rOprNGfwEbeRWgbNEkqO"
#define SFIRST "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"

START_TEST(rfc7677_exchange)
{
    struct pgw_scram s;
    struct lm_buf b;
    struct lm_err err;
    lm_buf_init(&b, 4096);
    ck_assert_int_eq(pgw_scram_first(&s, "user", NONCE, &b, &err), 0);
    ck_assert_str_eq(lm_buf_cstr(&b), "n,,n=user,r=" NONCE);
    lm_buf_reset(&b);
    ck_assert_int_eq(pgw_scram_final(&s, "pencil", SFIRST, strlen(SFIRST), &b, &err), 0);
    ck_assert_str_eq(lm_buf_cstr(&b), "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                                      "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    const char *fin = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
    ck_assert_int_eq(pgw_scram_verify(&s, fin, strlen(fin), &err), 0);
    /* one flipped character of the signature: refused */
    const char *bad = "v=6rriTRBi23WpRR/wtup+mMhUZUn/eB5nLTJRsjl95G4=";
    ck_assert_int_eq(pgw_scram_verify(&s, bad, strlen(bad), &err), LM_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.msg, "signature"));
    const char *e = "e=invalid-proof";
    ck_assert_int_eq(pgw_scram_verify(&s, e, strlen(e), &err), LM_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.msg, "invalid-proof"));
    ck_assert_int_eq(pgw_scram_verify(&s, "v=", 2, &err), LM_EPARSE);
    pgw_scram_cleanup(&s);
    /* PostgreSQL's form: empty user name, random nonce of 24 base64 characters */
    lm_buf_reset(&b);
    ck_assert_int_eq(pgw_scram_first(&s, "", NULL, &b, &err), 0);
    ck_assert_uint_eq(b.len, strlen("n,,n=,r=") + 24);
    ck_assert_int_eq(strncmp(lm_buf_cstr(&b), "n,,n=,r=", 8), 0);
    lm_buf_cleanup(&b);
}
END_TEST

START_TEST(refusals)
{
    static const char *const bad[] = {
        "r=someoneelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",        /* foreign nonce */
        "r=" NONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",          /* not extended */
        "r=" NONCE "x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0",           /* no iterations */
        "r=" NONCE "x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-5",
        "r=" NONCE "x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999",  /* CPU bomb */
        "r=" NONCE "x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=40x",
        "r=" NONCE "x,s=W22Za!0SNY7soEsUEjb6gQ==,i=4096",         /* bad base64 */
        "r=" NONCE "x,s=W22ZaJ0SNY7soEsUEjb6gQ=,i=4096",
        "r=" NONCE "x,s=,i=4096",
        "r=" NONCE "x,i=4096",                                    /* no salt */
        "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",                     /* no nonce */
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct pgw_scram s;
        struct lm_buf b;
        struct lm_err err;
        lm_buf_init(&b, 4096);
        ck_assert_int_eq(pgw_scram_first(&s, "", NONCE, &b, &err), 0);
        lm_buf_reset(&b);
        ck_assert_msg(pgw_scram_final(&s, "pencil", bad[i], strlen(bad[i]), &b, &err) ==
                          LM_EPARSE, "accepted %s", bad[i]);
        ck_assert_ptr_null(strstr(err.msg, "pencil"));
        /* a server-final without a client-final before it */
        const char *fin = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
        ck_assert_int_eq(pgw_scram_verify(&s, fin, strlen(fin), &err), LM_EPARSE);
        lm_buf_cleanup(&b);
    }
    struct pgw_scram s;
    struct lm_buf b;
    struct lm_err err;
    lm_buf_init(&b, 64);
    ck_assert_int_eq(pgw_scram_first(&s, "", "bad,nonce", &b, &err), LM_EINVAL);
    lm_buf_cleanup(&b);
}
END_TEST

START_TEST(md5_answer)
{
    char out[36];
    const uint8_t salt[4] = {1, 2, 3, 4};
    pgw_md5_password("postgres", "s3cr3t", salt, out);
    ck_assert_str_eq(out, "md5ef075c98e47d7bba7b00c8ff670bff34");
}
END_TEST

Suite *
scram_suite(void)
{
    Suite *s = suite_create("scram");
    TCase *tc = tcase_create("auth");
    tcase_add_test(tc, rfc7677_exchange);
    tcase_add_test(tc, refusals);
    tcase_add_test(tc, md5_answer);
    suite_add_tcase(s, tc);
    return s;
}

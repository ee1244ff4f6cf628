/* SPDX-License-Identifier: Apache-2.0 */
/* test_pgwire.c: the protocol v3 framing, readers and writers of pgwire.c on hand-made
 * messages: partial and bad frames, Authentication, ParameterStatus, BackendKeyData,
 * ReadyForQuery, ErrorResponse fields and their formatting, RowDescription and DataRow
 * with NULLs (and every truncation of them refused), the writers' exact bytes. */
#include <check.h>
#include <string.h>
#include "lm/buf.h"
#include "postgres_exporter/pgwire.h"

Suite *pgwire_suite(void);

START_TEST(framing)
{
    const uint8_t msg[] = {'Z', 0, 0, 0, 5, 'I', 'X'};
    char type;
    const uint8_t *body;
    size_t blen, need = 0;
    for (size_t n = 0; n < 6; n++) {
        ck_assert_int_eq(pgw_frame(msg, n, &type, &body, &blen, &need), 0);
        ck_assert_uint_eq(need, n < 5 ? 5 : 6);
    }
    ck_assert_int_eq(pgw_frame(msg, sizeof msg, &type, &body, &blen, &need), 6);
    ck_assert_int_eq(type, 'Z');
    ck_assert_uint_eq(blen, 1);
    char st;
    ck_assert_int_eq(pgw_read_ready(body, blen, &st), 0);
    ck_assert_int_eq(st, 'I');
    ck_assert_int_eq(pgw_read_ready((const uint8_t *)"Q", 1, &st), -1);
    const uint8_t shortlen[] = {'Z', 0, 0, 0, 3};
    ck_assert_int_eq(pgw_frame(shortlen, 5, &type, &body, &blen, &need), -1);
    const uint8_t huge[] = {'D', 0x7f, 0xff, 0xff, 0xff};
    ck_assert_int_eq(pgw_frame(huge, 5, &type, &body, &blen, &need), -1);
}
END_TEST

START_TEST(small_readers)
{
    uint32_t code, a, b;
    const uint8_t *data;
    size_t dlen;
    const uint8_t md5[] = {0, 0, 0, 5, 1, 2, 3, 4};
    ck_assert_int_eq(pgw_read_auth(md5, sizeof md5, &code, &data, &dlen), 0);
    ck_assert_uint_eq(code, 5);
    ck_assert_uint_eq(dlen, 4);
    ck_assert_int_eq(data[3], 4);
    ck_assert_int_eq(pgw_read_auth(md5, 3, &code, &data, &dlen), -1);
    const char ps[] = "server_version\0" "15.4";
    const char *name, *value;
    ck_assert_int_eq(pgw_read_param((const uint8_t *)ps, sizeof ps, &name, &value), 0);
    ck_assert_str_eq(name, "server_version");
    ck_assert_str_eq(value, "15.4");
    ck_assert_int_eq(pgw_read_param((const uint8_t *)ps, sizeof ps - 1, &name, &value), -1);
    ck_assert_int_eq(pgw_read_param((const uint8_t *)"x\0y\0z", 6, &name, &value), -1);
    const uint8_t key[] = {0, 0, 1, 0, 0xde, 0xad, 0xbe, 0xef};
    ck_assert_int_eq(pgw_read_key(key, sizeof key, &a, &b), 0);
    ck_assert_uint_eq(a, 256);
    ck_assert_uint_eq(b, 0xdeadbeef);
    ck_assert_int_eq(pgw_read_key(key, 7, &a, &b), -1);
}
END_TEST

START_TEST(notices)
{
    const char e[] = "SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user "
                     "\"postgres\"\0Fauth.c\0L335\0Dline1\nline2\0Hcheck it\0";
    struct pgw_notice nt;
    ck_assert_int_eq(pgw_read_notice((const uint8_t *)e, sizeof e, &nt), 0);
    ck_assert_str_eq(nt.severity_nl, "FATAL");
    ck_assert_str_eq(nt.code, "28P01");
    char out[256];
    pgw_notice_format(&nt, out, sizeof out);
    ck_assert_str_eq(out, "FATAL: password authentication failed for user \"postgres\" "
                          "(SQLSTATE 28P01) DETAIL: line1 line2 HINT: check it");
    /* without the final zero, or with a field cut short */
    ck_assert_int_eq(pgw_read_notice((const uint8_t *)e, sizeof e - 1, &nt), -1);
    ck_assert_int_eq(pgw_read_notice((const uint8_t *)e, 5, &nt), -1);
    ck_assert_int_eq(pgw_read_notice((const uint8_t *)"", 0, &nt), -1);
    ck_assert_int_eq(pgw_read_notice((const uint8_t *)"\0", 1, &nt), 0);
    pgw_notice_format(&nt, out, sizeof out);
    ck_assert_str_eq(out, "ERROR: (no message)");
    pgw_notice_format(&nt, out, 8);
    ck_assert_str_eq(out, "ERROR: ");
}
END_TEST

/* rowdesc: two columns "a" (int4, 23) and "bb" (text, 25) */
static const uint8_t rowdesc[] = {
    0, 2,
    'a', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 23, 0, 4, 0xff, 0xff, 0xff, 0xff, 0, 0,
    'b', 'b', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0,
};
static const uint8_t datarow[] = {0, 2, 0, 0, 0, 2, '4', '2', 0xff, 0xff, 0xff, 0xff};

START_TEST(rows)
{
    struct pge_result *r = pge_result_new();
    bool oom;
    ck_assert_int_eq(pgw_read_rowdesc(rowdesc, sizeof rowdesc, r, &oom), 0);
    ck_assert_int_eq(r->nfields, 2);
    ck_assert_str_eq(pge_result_fname(r, 1), "bb");
    ck_assert_uint_eq(pge_result_ftype(r, 0), 23);
    /* a second RowDescription into the same result is refused */
    ck_assert_int_eq(pgw_read_rowdesc(rowdesc, sizeof rowdesc, r, &oom), -1);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(pgw_read_datarow(datarow, sizeof datarow, r, &oom), 0);
    ck_assert_int_eq(r->ntuples, 3);
    ck_assert_str_eq(pge_result_value(r, 2, 0), "42");
    ck_assert(!pge_result_isnull(r, 2, 0));
    ck_assert(pge_result_isnull(r, 2, 1));
    ck_assert_str_eq(pge_result_value(r, 2, 1), "");
    /* every truncation, and one byte too many, is refused and adds no row */
    for (size_t n = 0; n < sizeof datarow; n++)
        ck_assert_int_eq(pgw_read_datarow(datarow, n, r, &oom), -1);
    uint8_t longer[sizeof datarow + 1];
    memcpy(longer, datarow, sizeof datarow);
    longer[sizeof datarow] = 0;
    ck_assert_int_eq(pgw_read_datarow(longer, sizeof longer, r, &oom), -1);
    ck_assert_int_eq(r->ntuples, 3);
    ck_assert_int_eq(pgw_read_datarow(datarow, sizeof datarow, r, &oom), 0);
    ck_assert_int_eq(r->ntuples, 4);
    /* a row with the wrong column count */
    const uint8_t one[] = {0, 1, 0, 0, 0, 1, '7'};
    ck_assert_int_eq(pgw_read_datarow(one, sizeof one, r, &oom), -1);
    /* a cell length past the end */
    const uint8_t past[] = {0, 2, 0, 0, 0, 9, '4', '2', 0xff, 0xff, 0xff, 0xff};
    ck_assert_int_eq(pgw_read_datarow(past, sizeof past, r, &oom), -1);
    ck_assert(!oom);
    pge_result_free(r);
    for (size_t n = 0; n < sizeof rowdesc; n++) {
        r = pge_result_new();
        ck_assert_int_eq(pgw_read_rowdesc(rowdesc, n, r, &oom), -1);
        pge_result_free(r);
    }
}
END_TEST

START_TEST(writers)
{
    struct lm_buf b;
    lm_buf_init(&b, 4096);
    const char *kv[] = {"user", "u", "database", "d", NULL};
    ck_assert_int_eq(pgw_put_startup(&b, kv), 0);
    const uint8_t startup[] = {0, 0, 0, 23, 0, 3, 0, 0, 'u', 's', 'e', 'r', 0, 'u', 0,
                               'd', 'a', 't', 'a', 'b', 'a', 's', 'e', 0, 'd', 0, 0};
    ck_assert_uint_eq(b.len, 27);
    /* the length word counts itself: 27 bytes */
    ck_assert_int_eq(((uint8_t *)b.data)[3], 27);
    ck_assert_mem_eq(b.data + 4, startup + 4, sizeof startup - 4);
    lm_buf_reset(&b);
    pgw_put_query(&b, "SELECT 1");
    ck_assert_mem_eq(b.data, "Q\0\0\0\x0dSELECT 1\0", 14);
    lm_buf_reset(&b);
    pgw_put_ssl_request(&b);
    ck_assert_mem_eq(b.data, "\0\0\0\x08\x04\xd2\x16\x2f", 8);
    lm_buf_reset(&b);
    pgw_put_sasl_initial(&b, "SCRAM-SHA-256", "abc", 3);
    ck_assert_mem_eq(b.data, "p\0\0\0\x19SCRAM-SHA-256\0\0\0\0\x03" "abc", 26);
    lm_buf_reset(&b);
    pgw_put_terminate(&b);
    ck_assert_mem_eq(b.data, "X\0\0\0\x04", 5);
    lm_buf_reset(&b);
    pgw_put_password(&b, "pw");
    ck_assert_mem_eq(b.data, "p\0\0\0\x07pw\0", 8);
    lm_buf_cleanup(&b);
}
END_TEST

Suite *
pgwire_suite(void)
{
    Suite *s = suite_create("pgwire");
    TCase *tc = tcase_create("messages");
    tcase_add_test(tc, framing);
    tcase_add_test(tc, small_readers);
    tcase_add_test(tc, notices);
    tcase_add_test(tc, rows);
    tcase_add_test(tc, writers);
    suite_add_tcase(s, tc);
    return s;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* pg_wire.c: fuzz target for postgres_exporter's own PostgreSQL client: the first byte
 * picks what the rest is. 0: a stream of backend messages as a server would send them,
 * framed by pgw_frame and each handed to its reader (Authentication, ParameterStatus,
 * BackendKeyData, ReadyForQuery, ErrorResponse/NoticeResponse, RowDescription, DataRow),
 * every cell of the result read back. 1: a DSN for the conninfo reader and the parameter
 * resolver. 2: SCRAM server-first and server-final messages (split at the first '\n')
 * for the SCRAM client. 3: a PostgreSQL array for the HISTOGRAM bucket reader. Inputs
 * are copied to exactly sized buffers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lm/buf.h"
#include "postgres_exporter/pge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *
no_env(const char *name)
{
    return !strcmp(name, "HOME") ? "/nonexistent" : NULL;
}

static void
stream(const uint8_t *p, size_t n)
{
    struct pge_result *res = NULL;
    volatile size_t sum = 0;
    for (;;) {
        char type;
        const uint8_t *body;
        size_t blen, need;
        long m = pgw_frame(p, n, &type, &body, &blen, &need);
        if (m <= 0)
            break;
        uint32_t code, a, b;
        const uint8_t *d;
        size_t dl;
        const char *k, *v;
        char st, out[512];
        struct pgw_notice nt;
        bool oom;
        switch (type) {
        case 'R':
            if (!pgw_read_auth(body, blen, &code, &d, &dl))
                sum += code + dl;
            break;
        case 'S':
            if (!pgw_read_param(body, blen, &k, &v))
                sum += strlen(k) + strlen(v);
            break;
        case 'K':
            if (!pgw_read_key(body, blen, &a, &b))
                sum += a + b;
            break;
        case 'Z':
            if (!pgw_read_ready(body, blen, &st))
                sum += (size_t)st;
            break;
        case 'E':
        case 'N':
            if (!pgw_read_notice(body, blen, &nt)) {
                pgw_notice_format(&nt, out, sizeof out);
                sum += strlen(out);
            }
            break;
        case 'T':
            pge_result_free(res);
            res = pge_result_new();
            if (res && pgw_read_rowdesc(body, blen, res, &oom) && res->nfields) {
                pge_result_free(res);
                res = NULL;
            }
            break;
        case 'D':
            if (res)
                pgw_read_datarow(body, blen, res, &oom);
            break;
        default:
            break;
        }
        p += m;
        n -= (size_t)m;
    }
    for (int r = 0; res && r < res->ntuples; r++)
        for (int c = 0; c < res->nfields; c++)
            sum += strlen(pge_result_value(res, r, c)) + pge_result_isnull(res, r, c) +
                   strlen(pge_result_fname(res, c)) + pge_result_ftype(res, c);
    pge_result_free(res);
    (void)sum;
}

static void
dsn(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        return;
    memcpy(s, p, n);
    s[n] = '\0';
    struct pge_conninfo ci;
    struct pge_params pp;
    struct lm_err err;
    if (!pge_conninfo_parse(s, &ci, &err)) {
        pge_params_resolve(&ci, no_env, &pp, &err);
        pge_params_cleanup(&pp);
        pge_conninfo_free(&ci);
    }
    free(s);
}

static void
scram(const uint8_t *p, size_t n)
{
    const uint8_t *nl = memchr(p, '\n', n);
    size_t n1 = nl ? (size_t)(nl - p) : n, n2 = nl ? n - n1 - 1 : 0;
    char *first = malloc(n1 ? n1 : 1), *fin = malloc(n2 ? n2 : 1);
    struct pgw_scram s;
    struct lm_buf b;
    struct lm_err err;
    lm_buf_init(&b, 4096);
    if (first && fin && !pgw_scram_first(&s, "", "rOprNGfwEbeRWgbNEkqO", &b, &err)) {
        memcpy(first, p, n1);
        if (n2)
            memcpy(fin, nl + 1, n2);
        lm_buf_reset(&b);
        if (!pgw_scram_final(&s, "pencil", first, n1, &b, &err))
            pgw_scram_verify(&s, fin, n2, &err);
    }
    pgw_scram_cleanup(&s);
    lm_buf_cleanup(&b);
    free(first);
    free(fin);
}

static void
array(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        return;
    memcpy(s, p, n);
    s[n] = '\0';
    double v[8];
    volatile int k = pge_float_array(s, v, 8);
    (void)k;
    free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    uint8_t *copy = malloc(size - 1 ? size - 1 : 1);
    if (!copy)
        return 0;
    memcpy(copy, data + 1, size - 1);
    switch (data[0] % 4) {
    case 0: stream(copy, size - 1); break;
    case 1: dsn(copy, size - 1); break;
    case 2: scram(copy, size - 1); break;
    default: array(copy, size - 1); break;
    }
    free(copy);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* pgwire.c: framing, readers and writers of PostgreSQL protocol v3 messages (pgwire.h).
 * Readers walk the payload with a bounds-checked cursor; a message shorter than what it
 * announces, or with bytes left over, is malformed. */
#include <stdio.h>
#include <string.h>
#include "postgres_exporter/pgwire.h"

/* a bounds-checked cursor over one payload; bad sticks once a read overran */
struct cur {
    const uint8_t *p;
    size_t n, off;
    bool bad;
};

static uint32_t
get32(struct cur *c)
{
    if (c->bad || c->n - c->off < 4) {
        c->bad = true;
        return 0;
    }
    const uint8_t *q = c->p + c->off;
    c->off += 4;
    return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
}

static uint16_t
get16(struct cur *c)
{
    if (c->bad || c->n - c->off < 2) {
        c->bad = true;
        return 0;
    }
    const uint8_t *q = c->p + c->off;
    c->off += 2;
    return (uint16_t)(q[0] << 8 | q[1]);
}

/* getstr: a NUL-terminated string at the cursor (pointer into the payload) */
static const char *
getstr(struct cur *c, size_t *len)
{
    if (c->bad || c->off >= c->n) {
        c->bad = true;
        return NULL;
    }
    const uint8_t *s = c->p + c->off;
    const uint8_t *z = memchr(s, 0, c->n - c->off);
    if (!z) {
        c->bad = true;
        return NULL;
    }
    if (len)
        *len = (size_t)(z - s);
    c->off += (size_t)(z - s) + 1;
    return (const char *)s;
}

static int
done(const struct cur *c)
{
    return c->bad || c->off != c->n ? -1 : 0;
}

long
pgw_frame(const uint8_t *p, size_t n, char *type, const uint8_t **body, size_t *blen,
          size_t *need)
{
    if (n < 5) {
        *need = 5;
        return 0;
    }
    uint32_t len = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
    if (len < 4 || len > PGW_MAX_MSG)
        return -1;
    size_t total = (size_t)len + 1;
    if (n < total) {
        *need = total;
        return 0;
    }
    *type = (char)p[0];
    *body = p + 5;
    *blen = len - 4;
    return (long)total;
}

int
pgw_read_auth(const uint8_t *p, size_t n, uint32_t *code, const uint8_t **data, size_t *dlen)
{
    struct cur c = {p, n, 0, false};
    *code = get32(&c);
    if (c.bad)
        return -1;
    *data = p + c.off;
    *dlen = n - c.off;
    return 0;
}

int
pgw_read_param(const uint8_t *p, size_t n, const char **name, const char **value)
{
    struct cur c = {p, n, 0, false};
    *name = getstr(&c, NULL);
    *value = getstr(&c, NULL);
    return done(&c);
}

int
pgw_read_key(const uint8_t *p, size_t n, uint32_t *pid, uint32_t *secret)
{
    struct cur c = {p, n, 0, false};
    *pid = get32(&c);
    *secret = get32(&c);
    return done(&c);
}

int
pgw_read_ready(const uint8_t *p, size_t n, char *status)
{
    if (n != 1 || !strchr("ITE", p[0]) || !p[0])
        return -1;
    *status = (char)p[0];
    return 0;
}

int
pgw_read_notice(const uint8_t *p, size_t n, struct pgw_notice *out)
{
    struct cur c = {p, n, 0, false};
    memset(out, 0, sizeof *out);
    for (;;) {
        if (c.off >= c.n)
            return -1;                      /* the terminating zero byte is missing */
        uint8_t f = p[c.off++];
        if (!f)
            break;
        const char *v = getstr(&c, NULL);
        if (!v)
            return -1;
        switch (f) {
        case 'S': out->severity = v; break;
        case 'V': out->severity_nl = v; break;
        case 'C': out->code = v; break;
        case 'M': out->message = v; break;
        case 'D': out->detail = v; break;
        case 'H': out->hint = v; break;
        default: break;                     /* P, W, F, L, R, ...: not needed */
        }
    }
    return done(&c);
}

void
pgw_notice_format(const struct pgw_notice *nt, char *out, size_t outsz)
{
    if (!outsz)
        return;
    const char *sev = nt->severity_nl ? nt->severity_nl : nt->severity;
    int k = snprintf(out, outsz, "%s: %s", sev ? sev : "ERROR",
                     nt->message ? nt->message : "(no message)");
    if (nt->code && k >= 0 && (size_t)k < outsz)
        k += snprintf(out + k, outsz - (size_t)k, " (SQLSTATE %s)", nt->code);
    if (nt->detail && k >= 0 && (size_t)k < outsz)
        k += snprintf(out + k, outsz - (size_t)k, " DETAIL: %s", nt->detail);
    if (nt->hint && k >= 0 && (size_t)k < outsz)
        snprintf(out + k, outsz - (size_t)k, " HINT: %s", nt->hint);
    for (char *q = out; *q; q++)
        if ((unsigned char)*q < 0x20 || *q == 0x7f)
            *q = ' ';
}

int
pgw_read_rowdesc(const uint8_t *p, size_t n, struct pge_result *res, bool *oom)
{
    struct cur c = {p, n, 0, false};
    *oom = false;
    if (res->nfields)
        return -1;
    uint16_t nf = get16(&c);
    if (c.bad || nf > PGW_MAX_FIELDS)
        return -1;
    for (uint16_t i = 0; i < nf; i++) {
        size_t len = 0;
        const char *name = getstr(&c, &len);
        get32(&c);                          /* table OID */
        get16(&c);                          /* column number */
        uint32_t type = get32(&c);
        get16(&c);                          /* type size */
        get32(&c);                          /* type modifier */
        uint16_t fmt = get16(&c);
        if (c.bad || fmt != 0)              /* simple Query: text format only */
            return -1;
        if (pge_result_add_field(res, name, len, type)) {
            *oom = true;
            return -1;
        }
    }
    return done(&c);
}

int
pgw_read_datarow(const uint8_t *p, size_t n, struct pge_result *res, bool *oom)
{
    struct cur c = {p, n, 0, false};
    *oom = false;
    uint16_t nf = get16(&c);
    if (c.bad || nf != res->nfields || res->ncells != (size_t)res->ntuples * nf)
        return -1;
    size_t cells0 = res->ncells, data0 = res->data.len;
    for (uint16_t i = 0; i < nf && !c.bad && !*oom; i++) {
        uint32_t len = get32(&c);
        if (c.bad)
            break;
        if (len == 0xffffffffu) {
            *oom = pge_result_add_cell(res, NULL, 0) != 0;
        } else if (len > c.n - c.off) {
            c.bad = true;
        } else {
            *oom = pge_result_add_cell(res, (const char *)p + c.off, len) != 0;
            c.off += len;
        }
    }
    if (*oom || done(&c)) {
        res->ncells = cells0;              /* drop the partial row */
        if (!res->data.err)
            res->data.len = data0;
        return -1;
    }
    pge_result_end_row(res);
    return 0;
}

/* ---- writers ------------------------------------------------------------------------ */
static int
put32(struct lm_buf *b, uint32_t v)
{
    uint8_t q[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    return lm_buf_append(b, q, 4);
}

/* patch_len: write the length word at lenpos: the bytes from there to the end */
static int
patch_len(struct lm_buf *b, size_t lenpos)
{
    if (b->err)
        return b->err;
    uint32_t v = (uint32_t)(b->len - lenpos);
    uint8_t *q = (uint8_t *)b->data + lenpos;
    q[0] = (uint8_t)(v >> 24);
    q[1] = (uint8_t)(v >> 16);
    q[2] = (uint8_t)(v >> 8);
    q[3] = (uint8_t)v;
    return 0;
}

int
pgw_put_startup(struct lm_buf *b, const char *const *kv)
{
    size_t at = b->len;
    put32(b, 0);
    put32(b, PGW_PROTO_V3);
    for (; kv[0] && kv[1]; kv += 2) {
        lm_buf_append(b, kv[0], strlen(kv[0]) + 1);
        lm_buf_append(b, kv[1], strlen(kv[1]) + 1);
    }
    lm_buf_putc(b, '\0');
    return patch_len(b, at);
}

int
pgw_put_ssl_request(struct lm_buf *b)
{
    put32(b, 8);
    return put32(b, PGW_SSL_REQUEST);
}

int
pgw_put_cancel(struct lm_buf *b, uint32_t pid, uint32_t secret)
{
    put32(b, 16);
    put32(b, PGW_CANCEL_REQUEST);
    put32(b, pid);
    return put32(b, secret);
}

/* put_typed: type byte, length, then the body parts */
static int
put_typed(struct lm_buf *b, char type, const void *a, size_t alen, const void *z, size_t zlen)
{
    lm_buf_putc(b, type);
    size_t at = b->len;
    put32(b, 0);
    if (alen)
        lm_buf_append(b, a, alen);
    if (zlen)
        lm_buf_append(b, z, zlen);
    return patch_len(b, at);
}

int
pgw_put_password(struct lm_buf *b, const char *pw)
{
    return put_typed(b, 'p', pw, strlen(pw) + 1, NULL, 0);
}

int
pgw_put_sasl_initial(struct lm_buf *b, const char *mech, const void *data, size_t len)
{
    uint8_t l[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
                    (uint8_t)len};
    lm_buf_putc(b, 'p');
    size_t at = b->len;
    put32(b, 0);
    lm_buf_append(b, mech, strlen(mech) + 1);
    lm_buf_append(b, l, 4);
    lm_buf_append(b, data, len);
    return patch_len(b, at);
}

int
pgw_put_sasl_response(struct lm_buf *b, const void *data, size_t len)
{
    return put_typed(b, 'p', data, len, NULL, 0);
}

int
pgw_put_query(struct lm_buf *b, const char *sql)
{
    return put_typed(b, 'Q', sql, strlen(sql) + 1, NULL, 0);
}

int
pgw_put_terminate(struct lm_buf *b)
{
    return put_typed(b, 'X', NULL, 0, NULL, 0);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* csv_parse.c: the HAProxy stats CSV record reader (csv_parse.h). Copies each record's
 * fields (unquoted) into one owned buffer, NUL-terminated, so callers get plain C
 * strings. Errors follow Go's encoding/csv: bare quote, bad quote, wrong field count;
 * a bad record is consumed to the end of the line it failed on and reported. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "haproxy_exporter/csv_parse.h"
#include "lm/alloc.h"

void
hap_csv_init(struct hap_csv *c, const char *data, size_t len)
{
    memset(c, 0, sizeof *c);
    c->p = data;
    c->end = data + len;
    c->line = 1;
}

void
hap_csv_cleanup(struct hap_csv *c)
{
    lm_free(c->buf);
    lm_free(c->off);
    c->buf = NULL;
    c->off = NULL;
    c->buflen = c->bufcap = c->nf = c->capf = 0;
}

size_t
hap_csv_nfields(const struct hap_csv *c)
{
    return c->nf;
}

const char *
hap_csv_field(const struct hap_csv *c, size_t i)
{
    return i < c->nf ? c->buf + c->off[i] : "";
}

/* put: append one byte to the field buffer. 0 or LM_ENOMEM. */
static int
put(struct hap_csv *c, char ch)
{
    if (c->buflen == c->bufcap) {
        size_t cap = c->bufcap ? c->bufcap * 2 : 1024;
        char *b = lm_realloc(c->buf, cap);
        if (!b)
            return LM_ENOMEM;
        c->buf = b;
        c->bufcap = cap;
    }
    c->buf[c->buflen++] = ch;
    return 0;
}

/* begin_field: record the start of a new field. 0, LM_ENOMEM or LM_ETOOBIG. */
static int
begin_field(struct hap_csv *c)
{
    if (c->nf >= HAP_CSV_MAX_FIELDS)
        return LM_ETOOBIG;
    if (c->nf == c->capf) {
        size_t cap = c->capf ? c->capf * 2 : 128;
        size_t *o = lm_realloc(c->off, cap * sizeof *o);
        if (!o)
            return LM_ENOMEM;
        c->off = o;
        c->capf = cap;
    }
    c->off[c->nf++] = c->buflen;
    return 0;
}

/* skip_line: consume through the next '\n' (or the end). */
static void
skip_line(struct hap_csv *c)
{
    const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    if (nl) {
        c->p = nl + 1;
        c->line++;
    } else {
        c->p = c->end;
    }
}

/* eat_eol: *p starts a line end ("\n" or "\r\n"); consumes it when so. */
static bool
eat_eol(struct hap_csv *c)
{
    if (c->p < c->end && *c->p == '\n') {
        c->p++;
        c->line++;
        return true;
    }
    if (c->end - c->p >= 2 && c->p[0] == '\r' && c->p[1] == '\n') {
        c->p += 2;
        c->line++;
        return true;
    }
    return false;
}

/* quoted: one quoted field starting at the opening quote. Sets *more when a ','
 * follows. 0, LM_EPARSE (*why set) or LM_ENOMEM. */
static int
quoted(struct hap_csv *c, bool *more, const char **why)
{
    c->p++;
    for (;;) {
        if (c->p >= c->end) {
            *why = "extraneous or missing \" in quoted-field";
            return LM_EPARSE;
        }
        char ch = *c->p;
        if (ch == '"') {
            if (c->end - c->p >= 2 && c->p[1] == '"') {
                c->p += 2;
                if (put(c, '"'))
                    return LM_ENOMEM;
                continue;
            }
            c->p++;
            if (c->p < c->end && *c->p == ',') {
                c->p++;
                *more = true;
                return 0;
            }
            if (c->p >= c->end || eat_eol(c))
                return 0;
            *why = "extraneous or missing \" in quoted-field";
            return LM_EPARSE;
        }
        if (ch == '\r' && c->end - c->p >= 2 && c->p[1] == '\n') {
            c->p++;   /* Go turns \r\n inside quotes into \n */
            continue;
        }
        if (ch == '\n')
            c->line++;
        if (put(c, ch))
            return LM_ENOMEM;
        c->p++;
    }
}

/* bare: one unquoted field. Sets *more when a ',' follows. 0, LM_EPARSE or LM_ENOMEM. */
static int
bare(struct hap_csv *c, bool *more, const char **why)
{
    while (c->p < c->end) {
        char ch = *c->p;
        if (ch == ',') {
            c->p++;
            *more = true;
            return 0;
        }
        if (eat_eol(c))
            return 0;
        if (ch == '"') {
            *why = "bare \" in non-quoted-field";
            return LM_EPARSE;
        }
        if (put(c, ch))
            return LM_ENOMEM;
        c->p++;
    }
    return 0;
}

/* skip_blank_and_comments: past empty lines and '#' lines; false at the end. */
static bool
skip_blank_and_comments(struct hap_csv *c)
{
    while (c->p < c->end) {
        if (*c->p == '#')
            skip_line(c);
        else if (!eat_eol(c))
            return true;
    }
    return false;
}

int
hap_csv_next(struct hap_csv *c, struct lm_err *err)
{
    if (!skip_blank_and_comments(c))
        return 0;
    size_t line = c->line;
    c->nf = 0;
    c->buflen = 0;
    const char *why = NULL;
    int rc = 0;
    bool more = true;
    while (more && !rc) {
        more = false;
        rc = begin_field(c);
        if (!rc)
            rc = c->p < c->end && *c->p == '"' ? quoted(c, &more, &why) : bare(c, &more, &why);
        /* A NUL ends each field; the byte is reserved even for the last one. */
        if (!rc)
            rc = put(c, '\0');
    }
    char where[32];
    snprintf(where, sizeof where, "line %zu", line);
    if (rc == LM_ENOMEM)
        return lm_err_set(err, LM_ENOMEM, where, "out of memory");
    if (rc) {
        if (rc == LM_EPARSE)
            skip_line(c);
        else
            why = "too many fields";
        if (rc == LM_ETOOBIG)
            skip_line(c);
        c->nf = 0;
        return lm_err_set(err, LM_EPARSE, where, "record on line %zu: %s", line, why);
    }
    if (!c->expect)
        c->expect = c->nf;
    else if (c->nf != c->expect) {
        size_t nf = c->nf;
        c->nf = 0;
        return lm_err_set(err, LM_EPARSE, where,
                          "record on line %zu: wrong number of fields (%zu, expected %zu)",
                          line, nf, c->expect);
    }
    return 1;
}

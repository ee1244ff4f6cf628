/* SPDX-License-Identifier: Apache-2.0 */
/* expo_http.c: the HTTP side of exposition (lm/expo.h): Accept negotiation as promhttp
 * does it, the content types, Accept-Encoding and gzip through zlib (whose allocations go
 * through lm_malloc). Does not serve HTTP: see http.c. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>
#include "lm/alloc.h"
#include "lm/expo.h"

#define MAX_RANGES 32

struct range {
    char type[64];      /* "text/plain", lower case */
    char version[16];   /* the version parameter, or "" */
    double q;           /* quality */
    int spec;           /* 2 type/subtype, 1 type/ *, 0 * / * */
    int pos;            /* position in the header, for a stable order */
};

static const char *
skip_ws(const char *s, const char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    return s;
}

static size_t
trim_len(const char *s, const char *end)
{
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    return (size_t)(end - s);
}

/* copy_tok: copy [s, end) trimmed, lower-cased and unquoted into out (size n). */
static void
copy_tok(char *out, size_t n, const char *s, const char *end)
{
    s = skip_ws(s, end);
    size_t len = trim_len(s, end);
    if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
        s++;
        len -= 2;
    }
    if (len >= n)
        len = n - 1;
    for (size_t i = 0; i < len; i++)
        out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    out[len] = '\0';
}

/* parse_range: one comma-separated element of an Accept header. */
static void
parse_range(struct range *r, const char *s, const char *end)
{
    const char *semi = memchr(s, ';', (size_t)(end - s));
    copy_tok(r->type, sizeof r->type, s, semi ? semi : end);
    r->version[0] = '\0';
    r->q = 1;
    while (semi) {
        const char *p = semi + 1;
        semi = memchr(p, ';', (size_t)(end - p));
        const char *pend = semi ? semi : end;
        const char *eq = memchr(p, '=', (size_t)(pend - p));
        if (!eq)
            continue;
        char key[16], val[32];
        copy_tok(key, sizeof key, p, eq);
        copy_tok(val, sizeof val, eq + 1, pend);
        if (strcmp(key, "q") == 0)
            r->q = strtod(val, NULL);
        else if (strcmp(key, "version") == 0)
            memcpy(r->version, val, strlen(val) + 1 < sizeof r->version ? strlen(val) + 1 : 1);
    }
    r->spec = strcmp(r->type, "*/*") == 0 ? 0 : strstr(r->type, "/*") ? 1 : 2;
}

static int
cmp_range(const void *a, const void *b)
{
    const struct range *x = a, *y = b;
    if (x->q != y->q)
        return x->q > y->q ? -1 : 1;
    if (x->spec != y->spec)
        return x->spec > y->spec ? -1 : 1;
    return x->pos - y->pos;
}

enum lm_format
lm_expo_negotiate(const char *accept)
{
    if (!accept)
        return LM_FORMAT_TEXT;
    struct range rs[MAX_RANGES];
    int n = 0;
    const char *s = accept;
    while (*s && n < MAX_RANGES) {
        const char *comma = strchr(s, ',');
        const char *end = comma ? comma : s + strlen(s);
        if (trim_len(skip_ws(s, end), end)) {
            parse_range(&rs[n], s, end);
            rs[n].pos = n;
            n++;
        }
        if (!comma)
            break;
        s = comma + 1;
    }
    qsort(rs, (size_t)n, sizeof rs[0], cmp_range);
    for (int i = 0; i < n; i++) {
        if (rs[i].q <= 0)
            continue;
        const char *v = rs[i].version;
        if (strcmp(rs[i].type, "text/plain") == 0 && (!*v || strcmp(v, "0.0.4") == 0))
            return LM_FORMAT_TEXT;
        if (strcmp(rs[i].type, "application/openmetrics-text") == 0 &&
            (!*v || strcmp(v, "1.0.0") == 0 || strcmp(v, "0.0.1") == 0))
            return LM_FORMAT_OPENMETRICS;
    }
    return LM_FORMAT_TEXT;
}

const char *
lm_expo_content_type(enum lm_format fmt)
{
    return fmt == LM_FORMAT_OPENMETRICS ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                                        : "text/plain; version=0.0.4; charset=utf-8";
}

bool
lm_expo_gzip_accepted(const char *ae)
{
    if (!ae)
        return false;
    const char *s = ae;
    for (;;) {
        const char *comma = strchr(s, ',');
        const char *end = comma ? comma : s + strlen(s);
        struct range r;
        parse_range(&r, s, end);
        if ((strcmp(r.type, "gzip") == 0 || strcmp(r.type, "x-gzip") == 0) && r.q > 0)
            return true;
        if (!comma)
            return false;
        s = comma + 1;
    }
}

static voidpf
z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return lm_calloc(items, size);
}

static void
z_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    lm_free(p);
}

int
lm_expo_gzip(const struct lm_buf *in, struct lm_buf *out, int level)
{
    if (out->err)
        return out->err;
    z_stream z;
    memset(&z, 0, sizeof z);
    z.zalloc = z_alloc;
    z.zfree = z_free;
    if (level <= 0 || level > 9)
        level = level > 9 ? 9 : 1;
    int zrc = deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    if (zrc != Z_OK)
        return zrc == Z_MEM_ERROR ? LM_ENOMEM : LM_EIO;
    uLong need = deflateBound(&z, (uLong)in->len);
    int rc = lm_buf_reserve(out, need);
    if (!rc) {
        z.next_in = (Bytef *)(in->len ? in->data : (char *)"");
        z.avail_in = (uInt)in->len;
        z.next_out = (Bytef *)(out->data + out->len);
        z.avail_out = (uInt)need;
        zrc = deflate(&z, Z_FINISH);
        if (zrc == Z_STREAM_END) {
            out->len += z.total_out;
            out->data[out->len] = '\0';
        } else {
            rc = zrc == Z_MEM_ERROR || zrc == Z_BUF_ERROR ? LM_ENOMEM : LM_EIO;
        }
    }
    deflateEnd(&z);
    return rc;
}

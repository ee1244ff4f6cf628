/* SPDX-License-Identifier: Apache-2.0 */
/* dsn.c: where postgres_exporter's servers come from: DATA_SOURCE_NAME (comma-separated)
 * or DATA_SOURCE_URI with DATA_SOURCE_USER / DATA_SOURCE_PASS (and their *_FILE forms) as
 * upstream 0.11 builds them; the loggable form of a DSN (password masked) and the
 * `server` label. Owns no connection; never returns a password in an error. */
#include <stdio.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/buf.h"
#include "postgres_exporter/pge.h"

#define PGE_DSN_MAX 8192   /* one DSN or *_FILE content */

void
pge_dsn_list_free(char **list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        lm_free(list[i]);
    lm_free(list);
}

/* take_str: b's contents as an owned string ("" when empty); NULL on failure. */
static char *
take_str(struct lm_buf *b)
{
    if (b->err)
        return NULL;
    char *s = lm_buf_take(b, NULL);
    return s ? s : lm_strdup("");
}

/* env_or_file: the value of NAME_FILE's file (trimmed) when set, else NAME, else NULL, as
 * an owned string in *out. Returns 0, LM_EIO or LM_ENOMEM. */
static int
env_or_file(pge_getenv_fn *get, const char *name, char **out, struct lm_err *err)
{
    char fname[64];
    snprintf(fname, sizeof fname, "%s_FILE", name);
    const char *path = get(fname);
    *out = NULL;
    if (path && *path) {
        FILE *f = fopen(path, "r");
        if (!f)
            return lm_err_set(err, LM_EIO, fname, "cannot read %s", path);
        char *buf = lm_malloc(PGE_DSN_MAX + 1);
        if (!buf) {
            fclose(f);
            return lm_err_set(err, LM_ENOMEM, fname, "out of memory");
        }
        size_t n = fread(buf, 1, PGE_DSN_MAX, f);
        fclose(f);
        buf[n] = '\0';
        while (n && strchr(" \t\r\n", buf[n - 1]))
            buf[--n] = '\0';
        size_t skip = strspn(buf, " \t\r\n");
        memmove(buf, buf + skip, n - skip + 1);
        *out = buf;
        return 0;
    }
    const char *v = get(name);
    if (!v)
        return 0;
    *out = lm_strdup(v);
    return *out ? 0 : lm_err_set(err, LM_ENOMEM, name, "out of memory");
}

/* put_escaped: URL userinfo escaping (everything but unreserved characters). */
static int
put_escaped(struct lm_buf *b, const char *s)
{
    int rc = 0;
    for (; *s && !rc; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-._~", c))
            rc = lm_buf_putc(b, (char)c);
        else
            rc = lm_buf_printf(b, "%%%02X", c);
    }
    return rc;
}

/* split_push: append the comma-separated parts of s (prefix/suffix around each) to list. */
static int
split_push(const char *s, const char *user, const char *pass, char **list, size_t *n,
           struct lm_err *err)
{
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (*n >= PGE_MAX_DSNS)
            return lm_err_set(err, LM_ETOOBIG, "DATA_SOURCE_NAME", "more than %d servers",
                              PGE_MAX_DSNS);
        struct lm_buf b;
        lm_buf_init(&b, PGE_DSN_MAX * 4);
        int rc = 0;
        if (user) {
            rc = lm_buf_puts(&b, "postgresql://");
            if (!rc && (*user || *pass))
                rc = put_escaped(&b, user);
            if (!rc && *pass)
                rc = lm_buf_putc(&b, ':');
            if (!rc && *pass)
                rc = put_escaped(&b, pass);
            if (!rc && (*user || *pass))
                rc = lm_buf_putc(&b, '@');
        }
        if (!rc)
            rc = lm_buf_append(&b, p, len);
        char *one = rc ? NULL : take_str(&b);
        lm_buf_cleanup(&b);
        if (!one)
            return lm_err_set(err, rc ? rc : LM_ENOMEM, "DATA_SOURCE_NAME", "%s",
                              lm_strerror(rc ? rc : LM_ENOMEM));
        list[(*n)++] = one;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

int
pge_dsn_list(pge_getenv_fn *get, char ***out, size_t *n, struct lm_err *err)
{
    char *uri = NULL, *user = NULL, *pass = NULL;
    char **list = lm_malloc(PGE_MAX_DSNS * sizeof *list);
    int rc = 0;
    *out = NULL;
    *n = 0;
    if (!list)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    const char *dsn = get("DATA_SOURCE_NAME");
    if (dsn && *dsn) {
        rc = split_push(dsn, NULL, NULL, list, n, err);
        goto out;
    }
    if ((rc = env_or_file(get, "DATA_SOURCE_URI", &uri, err)) ||
        (rc = env_or_file(get, "DATA_SOURCE_USER", &user, err)) ||
        (rc = env_or_file(get, "DATA_SOURCE_PASS", &pass, err)))
        goto out;
    if (!uri || !*uri) {
        rc = lm_err_set(err, LM_ENOENT, NULL,
                        "couldn't find environment variables describing the datasource to "
                        "use (DATA_SOURCE_NAME or DATA_SOURCE_URI)");
        goto out;
    }
    rc = split_push(uri, user ? user : "", pass ? pass : "", list, n, err);
out:
    lm_free(uri);
    lm_free(user);
    if (pass)
        memset(pass, 0, strlen(pass));
    lm_free(pass);
    if (rc) {
        pge_dsn_list_free(list, *n);
        *n = 0;
        return rc;
    }
    *out = list;
    return 0;
}

/* mask_url: postgres[ql]://user:SECRET@host/db?password=SECRET&x=y */
static int
mask_url(struct lm_buf *b, const char *dsn)
{
    const char *auth = strstr(dsn, "://") + 3;
    size_t alen = strcspn(auth, "/?");
    const char *at = NULL;
    for (const char *p = auth; p < auth + alen; p++)
        if (*p == '@')
            at = p;
    int rc = lm_buf_append(b, dsn, (size_t)(auth - dsn));
    const char *rest = auth;
    if (at) {
        const char *colon = memchr(auth, ':', (size_t)(at - auth));
        if (colon) {
            rc = rc ? rc : lm_buf_append(b, auth, (size_t)(colon - auth) + 1);
            rc = rc ? rc : lm_buf_puts(b, PGE_MASK);
            rest = at;
        }
    }
    /* query parameters: mask the value of password= */
    const char *q = strchr(rest, '?');
    if (!q)
        return rc ? rc : lm_buf_puts(b, rest);
    rc = rc ? rc : lm_buf_append(b, rest, (size_t)(q - rest) + 1);
    for (const char *p = q + 1; *p && !rc;) {
        size_t plen = strcspn(p, "&");
        if (plen >= 9 && !strncmp(p, "password=", 9)) {
            rc = lm_buf_puts(b, "password=" PGE_MASK);
        } else {
            rc = lm_buf_append(b, p, plen);
        }
        p += plen;
        if (*p == '&') {
            rc = rc ? rc : lm_buf_putc(b, '&');
            p++;
        }
    }
    return rc;
}

/* mask_kv: host=x password='se cret' user=y */
static int
mask_kv(struct lm_buf *b, const char *dsn)
{
    int rc = 0;
    const char *p = dsn;
    while (*p && !rc) {
        size_t ws = strspn(p, " \t\r\n");
        rc = lm_buf_append(b, p, ws);
        p += ws;
        if (!*p)
            break;
        size_t klen = strcspn(p, "= \t\r\n");
        bool secret = klen == 8 && !strncmp(p, "password", 8);
        rc = rc ? rc : lm_buf_append(b, p, klen);
        p += klen;
        ws = strspn(p, " \t\r\n");
        rc = rc ? rc : lm_buf_append(b, p, ws);
        p += ws;
        if (*p != '=')
            continue;
        rc = rc ? rc : lm_buf_putc(b, '=');
        p++;
        ws = strspn(p, " \t\r\n");
        rc = rc ? rc : lm_buf_append(b, p, ws);
        p += ws;
        const char *v = p;
        if (*p == '\'') {
            for (p++; *p && *p != '\''; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (*p)
                p++;
        } else {
            for (; *p && !strchr(" \t\r\n", *p); p++)
                if (*p == '\\' && p[1])
                    p++;
        }
        rc = rc ? rc : secret ? lm_buf_puts(b, PGE_MASK) : lm_buf_append(b, v, (size_t)(p - v));
    }
    return rc;
}

char *
pge_dsn_mask(const char *dsn)
{
    struct lm_buf b;
    lm_buf_init(&b, PGE_DSN_MAX * 4);
    int rc = (!strncmp(dsn, "postgres://", 11) || !strncmp(dsn, "postgresql://", 13))
                 ? mask_url(&b, dsn)
                 : mask_kv(&b, dsn);
    char *out = rc ? NULL : take_str(&b);
    lm_buf_cleanup(&b);
    return out;
}

char *
pge_dsn_with_db(const char *dsn, const char *db)
{
    struct lm_buf b;
    lm_buf_init(&b, PGE_DSN_MAX * 4);
    int rc = lm_buf_puts(&b, dsn);
    if (!strncmp(dsn, "postgres://", 11) || !strncmp(dsn, "postgresql://", 13)) {
        rc = rc ? rc : lm_buf_puts(&b, strchr(dsn, '?') ? "&dbname=" : "?dbname=");
        rc = rc ? rc : put_escaped(&b, db);
    } else {
        rc = rc ? rc : lm_buf_puts(&b, " dbname='");
        for (const char *p = db; *p && !rc; p++) {
            if (*p == '\'' || *p == '\\')
                rc = lm_buf_putc(&b, '\\');
            rc = rc ? rc : lm_buf_putc(&b, *p);
        }
        rc = rc ? rc : lm_buf_putc(&b, '\'');
    }
    char *out = rc ? NULL : take_str(&b);
    if (b.data)
        memset(b.data, 0, b.len);
    lm_buf_cleanup(&b);
    return out;
}

char *
pge_dsn_server(const char *dsn, struct lm_err *err)
{
    struct pge_conninfo ci;
    struct lm_err perr;
    lm_err_clear(&perr);
    if (pge_conninfo_parse(dsn, &ci, &perr)) {
        /* the parser's messages quote at most a keyword, never a value */
        lm_err_set(err, perr.code == LM_ENOMEM ? LM_ENOMEM : LM_ECONFIG, "DATA_SOURCE_NAME",
                   "cannot parse DSN: %s", perr.msg);
        return NULL;
    }
    const char *host = pge_conninfo_get(&ci, "host"), *port = pge_conninfo_get(&ci, "port");
    host = host ? host : "";
    port = port ? port : "";
    size_t hl = strcspn(host, ","), pl = strcspn(port, ",");
    struct lm_buf b;
    lm_buf_init(&b, PGE_DSN_MAX);
    int rc = hl ? lm_buf_append(&b, host, hl) : lm_buf_puts(&b, "localhost");
    rc = rc ? rc : lm_buf_putc(&b, ':');
    rc = rc ? rc : pl ? lm_buf_append(&b, port, pl) : lm_buf_puts(&b, "5432");
    pge_conninfo_free(&ci);
    char *out = rc ? NULL : take_str(&b);
    lm_buf_cleanup(&b);
    if (!out)
        lm_err_set(err, LM_ENOMEM, "DATA_SOURCE_NAME", "out of memory");
    return out;
}

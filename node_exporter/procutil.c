/* SPDX-License-Identifier: Apache-2.0 */
/* procutil.c: shared /proc helpers for node_exporter collectors (see procutil.h): path
 * join + procfile read, the key/value table walker, hex parsing and parse errors.
 * Owns no state; every buffer is the caller's. */
#include <stdio.h>
#include <string.h>
#include "lm/flags.h"
#include "node_exporter/procutil.h"

int
ne_proc_read(struct lm_procfile *pf, const struct lm_collect_ctx *ctx, enum ne_root root,
             const char *rel, char *path, size_t n, struct lm_err *err)
{
    ne_path(ctx, root, rel, path, n);
    return lm_procfile_read(pf, path, err);
}

int
ne_nodata(int rc, struct lm_err *err)
{
    if (rc == LM_ENOENT) {
        rc = LM_ENODATA;
        if (err)
            err->code = rc;
    }
    return rc;
}

int
ne_num(const char *word, const char *path, size_t line, double *out, struct lm_err *err)
{
    if (lm_parse_double(word, out) == 0)
        return 0;
    return lm_err_set(err, LM_EPARSE, path, "%s: line %zu: invalid value \"%s\"", path,
                      line + 1, word);
}

int
ne_hex_u64(const char *s, size_t len, uint64_t *out)
{
    if (len == 0)
        len = strlen(s);
    if (len == 0 || len > 16)
        return LM_EPARSE;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return LM_EPARSE;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

int
ne_kv_each(const struct lm_procfile *pf, const char *path,
           int (*fn)(void *arg, const char *key, double value, const char *unit),
           void *arg, struct lm_err *err)
{
    size_t nl = lm_procfile_lines(pf);
    for (size_t l = 0; l < nl; l++) {
        size_t nw = lm_procfile_words(pf, l);
        if (nw == 0)
            continue;
        if (nw < 2)
            return lm_err_set(err, LM_EPARSE, path, "%s: line %zu: missing value", path,
                              l + 1);
        const char *w = lm_procfile_word(pf, l, 0);
        size_t kl = strlen(w);
        if (kl && w[kl - 1] == ':')
            kl--;
        char key[128];
        if (kl >= sizeof key)
            return lm_err_set(err, LM_EPARSE, path, "%s: line %zu: key too long", path, l + 1);
        memcpy(key, w, kl);
        key[kl] = '\0';
        double v;
        int rc = ne_num(lm_procfile_word(pf, l, 1), path, l, &v, err);
        if (rc)
            return rc;
        rc = fn(arg, key, v, lm_procfile_word(pf, l, 2));
        if (rc)
            return rc;
    }
    return 0;
}

int
ne_pf_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    struct lm_procfile *pf = lm_procfile_new(NULL);
    if (!pf)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    *state = pf;
    return 0;
}

void
ne_pf_fini(void *state)
{
    lm_procfile_free(state);
}

struct lm_regex *
ne_flag_regex(const struct lm_collect_ctx *ctx, const char *name, struct lm_err *err)
{
    const char *pat = lm_flags_get(ctx->flags, name);
    struct lm_err e2 = {0};
    struct lm_regex *re = lm_regex_new(pat ? pat : "", false, &e2);
    if (!re) {
        char msg[LM_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", e2.msg);
        char where[LM_ERR_WHERE_MAX];
        snprintf(where, sizeof where, "--%s", name);
        lm_err_set(err, e2.code ? e2.code : LM_ECONFIG, where, "%s", msg);
    }
    return re;
}

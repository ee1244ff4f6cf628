/* SPDX-License-Identifier: Apache-2.0 */
/* labels.c: sorted, owning label sets and label matchers (see labels.h). */
#include "labels.h"

#include <string.h>

#include "lm/alloc.h"
#include "lm/buf.h"
#include "lm/regex.h"

/* find: index of name, or the insertion point with *found = false. */
static size_t find(const struct lbl_set *ls, const char *name, size_t nlen, bool *found)
{
    size_t lo = 0, hi = ls->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *m = ls->v[mid].name;
        size_t mlen = strlen(m);
        int c = memcmp(m, name, mlen < nlen ? mlen : nlen);
        if (c == 0)
            c = (mlen > nlen) - (mlen < nlen);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

int lbl_set_addn(struct lbl_set *ls, const char *name, size_t nlen, const char *value,
                 size_t vlen)
{
    if (memchr(name, 0, nlen) || memchr(value, 0, vlen))
        return LM_ELABEL;
    bool found;
    size_t i = find(ls, name, nlen, &found);
    if (vlen == 0) {
        if (found) {
            lm_free(ls->v[i].name);
            lm_free(ls->v[i].value);
            memmove(&ls->v[i], &ls->v[i + 1], (ls->n - i - 1) * sizeof ls->v[0]);
            ls->n--;
        }
        return 0;
    }
    char *v = lm_strndup(value, vlen);
    if (!v)
        return LM_ENOMEM;
    if (found) {
        lm_free(ls->v[i].value);
        ls->v[i].value = v;
        return 0;
    }
    char *nm = lm_strndup(name, nlen);
    if (!nm) {
        lm_free(v);
        return LM_ENOMEM;
    }
    if (ls->n == ls->cap) {
        size_t cap = ls->cap ? ls->cap * 2 : 8;
        struct lbl *nv = lm_realloc(ls->v, cap * sizeof *nv);
        if (!nv) {
            lm_free(nm);
            lm_free(v);
            return LM_ENOMEM;
        }
        ls->v = nv;
        ls->cap = cap;
    }
    memmove(&ls->v[i + 1], &ls->v[i], (ls->n - i) * sizeof ls->v[0]);
    ls->v[i].name = nm;
    ls->v[i].value = v;
    ls->n++;
    return 0;
}

int lbl_set_add(struct lbl_set *ls, const char *name, const char *value)
{
    return lbl_set_addn(ls, name, strlen(name), value, value ? strlen(value) : 0);
}

const char *lbl_set_get(const struct lbl_set *ls, const char *name)
{
    bool found;
    size_t i = find(ls, name, strlen(name), &found);
    return found ? ls->v[i].value : NULL;
}

void lbl_set_del(struct lbl_set *ls, const char *name)
{
    (void)lbl_set_addn(ls, name, strlen(name), "", 0);
}

void lbl_set_clear(struct lbl_set *ls)
{
    for (size_t i = 0; i < ls->n; i++) {
        lm_free(ls->v[i].name);
        lm_free(ls->v[i].value);
    }
    ls->n = 0;
}

void lbl_set_free(struct lbl_set *ls)
{
    lbl_set_clear(ls);
    lm_free(ls->v);
    ls->v = NULL;
    ls->cap = 0;
}

int lbl_set_copy(struct lbl_set *dst, const struct lbl_set *src)
{
    if (dst == src)
        return 0;
    lbl_set_clear(dst);
    if (dst->cap < src->n) {
        struct lbl *nv = lm_realloc(dst->v, src->n * sizeof *nv);
        if (!nv)
            return LM_ENOMEM;
        dst->v = nv;
        dst->cap = src->n;
    }
    for (size_t i = 0; i < src->n; i++) {
        dst->v[i].name = lm_strdup(src->v[i].name);
        dst->v[i].value = lm_strdup(src->v[i].value);
        dst->n = i + 1;
        if (!dst->v[i].name || !dst->v[i].value) {
            lbl_set_clear(dst);
            return LM_ENOMEM;
        }
    }
    return 0;
}

void lbl_set_move(struct lbl_set *dst, struct lbl_set *src)
{
    if (dst == src)
        return;
    lbl_set_free(dst);
    *dst = *src;
    src->v = NULL;
    src->n = src->cap = 0;
}

int lbl_set_cmp(const struct lbl_set *a, const struct lbl_set *b)
{
    size_t n = a->n < b->n ? a->n : b->n;
    for (size_t i = 0; i < n; i++) {
        int c = strcmp(a->v[i].name, b->v[i].name);
        if (c)
            return c;
        c = strcmp(a->v[i].value, b->v[i].value);
        if (c)
            return c;
    }
    return (a->n > b->n) - (a->n < b->n);
}

bool lbl_set_eq(const struct lbl_set *a, const struct lbl_set *b)
{
    return a->n == b->n && lbl_set_cmp(a, b) == 0;
}

/* FNV-1a 64 with a 0xff separator after each string (0xff never occurs in UTF-8). */
static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    h ^= 0xff;
    return h * 0x100000001b3ULL;
}

uint64_t lbl_set_hash(const struct lbl_set *ls)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < ls->n; i++) {
        h = fnv(h, ls->v[i].name);
        h = fnv(h, ls->v[i].value);
    }
    return h;
}

int lbl_set_format(const struct lbl_set *ls, struct lm_buf *out)
{
    lm_buf_putc(out, '{');
    for (size_t i = 0; i < ls->n; i++) {
        if (i)
            lm_buf_puts(out, ", ");
        lm_buf_puts(out, ls->v[i].name);
        lm_buf_puts(out, "=\"");
        for (const char *p = ls->v[i].value; *p; p++) {
            if (*p == '\\' || *p == '"')
                lm_buf_putc(out, '\\'), lm_buf_putc(out, *p);
            else if (*p == '\n')
                lm_buf_puts(out, "\\n");
            else
                lm_buf_putc(out, *p);
        }
        lm_buf_putc(out, '"');
    }
    return lm_buf_putc(out, '}');
}

static bool name_valid(const char *s, size_t len, bool colon)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                  (colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            return false;
    }
    return true;
}

bool lbl_name_valid(const char *s, size_t len)
{
    return name_valid(s, len, false);
}

bool lbl_metric_name_valid(const char *s, size_t len)
{
    return name_valid(s, len, true);
}

int lbl_matcher_init(struct lbl_matcher *m, enum lbl_match_type type, const char *name,
                     const char *value, struct lm_err *err)
{
    memset(m, 0, sizeof *m);
    m->type = type;
    m->name = lm_strdup(name);
    m->value = lm_strdup(value);
    if (!m->name || !m->value) {
        lbl_matcher_free(m);
        return lm_err_set(err, LM_ENOMEM, "", "out of memory");
    }
    if (type == LBL_MATCH_RE || type == LBL_MATCH_NRE) {
        m->re = lm_regex_new(value, true, err);
        if (!m->re) {
            lbl_matcher_free(m);
            return err && err->code ? err->code : LM_EPARSE;
        }
    }
    return 0;
}

void lbl_matcher_free(struct lbl_matcher *m)
{
    lm_free(m->name);
    lm_free(m->value);
    lm_regex_free(m->re);
    m->name = m->value = NULL;
    m->re = NULL;
}

bool lbl_matcher_matches(const struct lbl_matcher *m, const char *value)
{
    if (!value)
        value = "";
    switch (m->type) {
    case LBL_MATCH_EQ:
        return strcmp(value, m->value) == 0;
    case LBL_MATCH_NEQ:
        return strcmp(value, m->value) != 0;
    case LBL_MATCH_RE:
        return lm_regex_match(m->re, value, strlen(value));
    case LBL_MATCH_NRE:
        return !lm_regex_match(m->re, value, strlen(value));
    }
    return false;
}

bool lbl_matcher_matches_empty(const struct lbl_matcher *m)
{
    return lbl_matcher_matches(m, "");
}

bool lbl_set_matches(const struct lbl_set *ls, const struct lbl_matcher *ms, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!lbl_matcher_matches(&ms[i], lbl_set_get(ls, ms[i].name)))
            return false;
    return true;
}

const char *lbl_match_type_str(enum lbl_match_type t)
{
    static const char *const s[] = {"=", "!=", "=~", "!~"};
    return (unsigned)t < 4 ? s[t] : "?";
}

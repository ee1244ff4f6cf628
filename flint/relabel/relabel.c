/* SPDX-License-Identifier: Apache-2.0 */
/* relabel.c: applying relabel rules to a label set exactly as Prometheus 2.42's
 * model/relabel.Process does (see relabel.h). Parsing and validating rules is
 * flint/config's business; this file trusts a rule that came from there. */
#include "flint/relabel/relabel.h"

#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <wctype.h>

#include "lm/hash.h"
#include "lm/alloc.h"
#include "lm/buf.h"
#include "lm/limits.h"
#include "lm/regex.h"

/* Values built by rules are capped like any label value we handle. */
#define VALUE_MAX (16UL * 1024 * 1024)

static const char *const action_names[] = {
    [RL_REPLACE] = "replace",     [RL_KEEP] = "keep",           [RL_DROP] = "drop",
    [RL_KEEPEQUAL] = "keepequal", [RL_DROPEQUAL] = "dropequal", [RL_HASHMOD] = "hashmod",
    [RL_LABELMAP] = "labelmap",   [RL_LABELDROP] = "labeldrop", [RL_LABELKEEP] = "labelkeep",
    [RL_LOWERCASE] = "lowercase", [RL_UPPERCASE] = "uppercase",
};

bool
rl_action_parse(const char *s, enum rl_action *out)
{
    /* Prometheus lower-cases the action before matching */
    for (size_t i = 0; i < sizeof action_names / sizeof action_names[0]; i++)
        if (!strcasecmp(s, action_names[i])) {
            *out = (enum rl_action)i;
            return true;
        }
    return false;
}

const char *
rl_action_name(enum rl_action a)
{
    if ((size_t)a < sizeof action_names / sizeof action_names[0])
        return action_names[a];
    return "unknown";
}

void
rl_rule_free(struct rl_rule *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nsource; i++)
        lm_free(r->source_labels[i]);
    lm_free(r->source_labels);
    lm_free(r->separator);
    lm_free(r->target_label);
    lm_regex_free(r->regex);
    lm_free(r->replacement);
    memset(r, 0, sizeof *r);
}

/* ---- case mapping as Go's strings.ToLower / ToUpper ---------------------------- */

static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void
utf8_init(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* decode: one UTF-8 rune at s (n bytes left) into *r; returns its length, or 0 when
 * the bytes are not valid UTF-8 (Go then maps one byte to U+FFFD). */
static size_t
decode(const unsigned char *s, size_t n, uint32_t *r)
{
    if (s[0] < 0x80)
        return *r = s[0], 1;
    size_t len;
    uint32_t min;
    if ((s[0] & 0xe0) == 0xc0)
        len = 2, *r = s[0] & 0x1f, min = 0x80;
    else if ((s[0] & 0xf0) == 0xe0)
        len = 3, *r = s[0] & 0x0f, min = 0x800;
    else if ((s[0] & 0xf8) == 0xf0)
        len = 4, *r = s[0] & 0x07, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        *r = *r << 6 | (s[i] & 0x3f);
    }
    if (*r < min || *r > 0x10ffff || (*r >= 0xd800 && *r <= 0xdfff))
        return 0;
    return len;
}

static void
encode(struct lm_buf *b, uint32_t r)
{
    char o[4];
    if (r < 0x80) {
        lm_buf_putc(b, (char)r);
    } else if (r < 0x800) {
        o[0] = (char)(0xc0 | r >> 6);
        o[1] = (char)(0x80 | (r & 0x3f));
        lm_buf_append(b, o, 2);
    } else if (r < 0x10000) {
        o[0] = (char)(0xe0 | r >> 12);
        o[1] = (char)(0x80 | (r >> 6 & 0x3f));
        o[2] = (char)(0x80 | (r & 0x3f));
        lm_buf_append(b, o, 3);
    } else {
        o[0] = (char)(0xf0 | r >> 18);
        o[1] = (char)(0x80 | (r >> 12 & 0x3f));
        o[2] = (char)(0x80 | (r >> 6 & 0x3f));
        o[3] = (char)(0x80 | (r & 0x3f));
        lm_buf_append(b, o, 4);
    }
}

/* change_case: append s mapped to lower (or upper) case to out. ASCII strings are
 * mapped byte by byte; others rune by rune, invalid bytes becoming U+FFFD as in Go. */
static void
change_case(const char *s, size_t n, bool upper, struct lm_buf *out)
{
    bool ascii = true;
    for (size_t i = 0; i < n && ascii; i++)
        ascii = !((unsigned char)s[i] & 0x80);
    if (ascii) {
        for (size_t i = 0; i < n; i++) {
            char c = s[i];
            if (upper && c >= 'a' && c <= 'z')
                c = (char)(c - 'a' + 'A');
            else if (!upper && c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            lm_buf_putc(out, c);
        }
        return;
    }
    pthread_once(&utf8_once, utf8_init);
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t r;
        size_t l = decode(u + i, n - i, &r);
        if (!l) {
            encode(out, 0xfffd);
            i++;
            continue;
        }
        if (utf8_locale)
            r = (uint32_t)(upper ? towupper_l((wint_t)r, utf8_locale)
                                 : towlower_l((wint_t)r, utf8_locale));
        else if (r < 0x80)
            r = (uint32_t)(upper ? towupper((wint_t)r) : towlower((wint_t)r));
        encode(out, r);
        i += l;
    }
}

/* ---- the actions ------------------------------------------------------------------ */

/* set: name=value (value "" deletes); records OOM. */
static void
set(struct lbl_set *ls, const char *name, const char *value, size_t vlen, bool *oom)
{
    if (lbl_set_addn(ls, name, strlen(name), value, vlen))
        *oom = true;
}

/* do_replace: the replace action on the joined source value val. The replacement is
 * expanded first (that also tells whether the regex matches); the target only when it
 * holds a '$'. */
static void
do_replace(const struct rl_rule *r, struct lbl_set *ls, const char *val, size_t vlen,
           bool *oom)
{
    struct lm_buf target, res;
    lm_buf_init(&target, LM_LIMIT_NAME_BYTES);
    lm_buf_init(&res, VALUE_MAX);
    /* No match: no replacement takes place. */
    if (!lm_regex_expand(r->regex, val, vlen, r->replacement, &res))
        goto out;
    const char *t = r->target_label;
    size_t tlen = strlen(t);
    if (strchr(t, '$')) {
        lm_regex_expand(r->regex, val, vlen, r->target_label, &target);
        if (target.err == LM_ENOMEM) {
            *oom = true;
            goto out;
        }
        /* a target too long is not a valid label name either */
        t = target.err ? "" : lm_buf_cstr(&target);
        tlen = target.err ? 0 : target.len;
    }
    if (!lbl_name_valid(t, tlen)) {
        lbl_set_del(ls, r->target_label);
        goto out;
    }
    if (res.err) {
        *oom = true;
        goto out;
    }
    if (!res.len) {
        lbl_set_del(ls, r->target_label);
        goto out;
    }
    set(ls, t, res.data, res.len, oom);
out:
    lm_buf_cleanup(&target);
    lm_buf_cleanup(&res);
}

/* do_labelmap: copy every label whose name matches to the expanded replacement name. */
static void
do_labelmap(const struct rl_rule *r, struct lbl_set *ls, bool *oom)
{
    struct lbl_set orig = {0};
    if (lbl_set_copy(&orig, ls)) {
        *oom = true;
        return;
    }
    struct lm_buf name;
    lm_buf_init(&name, LM_LIMIT_NAME_BYTES);
    for (size_t i = 0; i < orig.n; i++) {
        lm_buf_reset(&name);
        if (!lm_regex_expand(r->regex, orig.v[i].name, SIZE_MAX, r->replacement, &name))
            continue;
        if (name.err || !name.len) {
            if (name.err == LM_ENOMEM)
                *oom = true;
            continue;
        }
        set(ls, lm_buf_cstr(&name), orig.v[i].value, strlen(orig.v[i].value), oom);
    }
    lm_buf_cleanup(&name);
    lbl_set_free(&orig);
}

/* apply: one rule. Returns false when the set is dropped. */
static bool
apply(const struct rl_rule *r, struct lbl_set *ls, bool *oom)
{
    /* the joined source value: on the stack when small (the common case) */
    char small[256];
    struct lm_buf vb;
    lm_buf_init(&vb, VALUE_MAX);
    size_t seplen = strlen(r->separator), vlen = 0;
    for (size_t i = 0; i < r->nsource; i++) {
        const char *v = lbl_set_get(ls, r->source_labels[i]);
        vlen += (i ? seplen : 0) + (v ? strlen(v) : 0);
    }
    const char *val = small;
    if (vlen < sizeof small) {
        size_t at = 0;
        for (size_t i = 0; i < r->nsource; i++) {
            const char *v = lbl_set_get(ls, r->source_labels[i]);
            size_t l = v ? strlen(v) : 0;
            if (i) {
                memcpy(small + at, r->separator, seplen);
                at += seplen;
            }
            if (l)
                memcpy(small + at, v, l);
            at += l;
        }
        small[at] = '\0';
    } else {
        for (size_t i = 0; i < r->nsource; i++) {
            if (i)
                lm_buf_puts(&vb, r->separator);
            const char *v = lbl_set_get(ls, r->source_labels[i]);
            if (v)
                lm_buf_puts(&vb, v);
        }
        if (vb.err) {
            *oom = true;
            lm_buf_cleanup(&vb);
            return true;
        }
        val = lm_buf_cstr(&vb);
    }
    bool keep = true;
    const char *tv;
    switch (r->action) {
    case RL_DROP:
        keep = !lm_regex_match(r->regex, val, vlen);
        break;
    case RL_KEEP:
        keep = lm_regex_match(r->regex, val, vlen);
        break;
    case RL_DROPEQUAL:
        tv = lbl_set_get(ls, r->target_label);
        keep = strcmp(tv ? tv : "", val) != 0;
        break;
    case RL_KEEPEQUAL:
        tv = lbl_set_get(ls, r->target_label);
        keep = strcmp(tv ? tv : "", val) == 0;
        break;
    case RL_REPLACE:
        do_replace(r, ls, val, vlen, oom);
        break;
    case RL_LOWERCASE:
    case RL_UPPERCASE: {
        struct lm_buf cb;
        lm_buf_init(&cb, VALUE_MAX);
        change_case(val, vlen, r->action == RL_UPPERCASE, &cb);
        if (cb.err)
            *oom = true;
        else
            set(ls, r->target_label, lm_buf_cstr(&cb), cb.len, oom);
        lm_buf_cleanup(&cb);
        break;
    }
    case RL_HASHMOD: {
        uint8_t sum[16];
        lm_md5(val, vlen, sum);
        uint64_t h = 0;
        for (int i = 8; i < 16; i++)
            h = h << 8 | sum[i];
        char num[24];
        int nl = snprintf(num, sizeof num, "%llu",
                          (unsigned long long)(r->modulus ? h % r->modulus : 0));
        set(ls, r->target_label, num, (size_t)nl, oom);
        break;
    }
    case RL_LABELMAP:
        do_labelmap(r, ls, oom);
        break;
    case RL_LABELDROP:
    case RL_LABELKEEP:
        /* backwards, so deleting does not move labels still to visit */
        for (size_t i = ls->n; i-- > 0;) {
            bool m = lm_regex_match(r->regex, ls->v[i].name, SIZE_MAX);
            if (m == (r->action == RL_LABELDROP))
                lbl_set_del(ls, ls->v[i].name);
        }
        break;
    }
    lm_buf_cleanup(&vb);
    return keep;
}

bool
rl_process(const struct rl_rule *rules, size_t n, struct lbl_set *ls, bool *oom)
{
    bool dummy = false;
    if (!oom)
        oom = &dummy;
    for (size_t i = 0; i < n; i++)
        if (!apply(&rules[i], ls, oom))
            return false;
    return true;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* parse_sel.c: PromQL vector selectors (metric name and/or {matchers}), label matchers
 * with =, !=, =~, !~ (regexes compiled fully anchored by flint/labels.h), and the
 * label lists of by/without/on/ignoring/group_left/group_right, with Prometheus 2.42's
 * error texts. */
#include <stdio.h>
#include <string.h>

#include "flint/promql/parse_int.h"
#include "lm/alloc.h"
#include "lm/buf.h"

bool pql_tok_is_metric_identifier(enum pql_tok_type t)
{
    switch (t) {
    case PQL_TK_AVG: case PQL_TK_BOTTOMK: case PQL_TK_BY: case PQL_TK_COUNT:
    case PQL_TK_COUNT_VALUES: case PQL_TK_GROUP: case PQL_TK_IDENTIFIER: case PQL_TK_LAND:
    case PQL_TK_LOR: case PQL_TK_LUNLESS: case PQL_TK_MAX: case PQL_TK_METRIC_IDENTIFIER:
    case PQL_TK_MIN: case PQL_TK_OFFSET: case PQL_TK_QUANTILE: case PQL_TK_STDDEV:
    case PQL_TK_STDVAR: case PQL_TK_SUM: case PQL_TK_TOPK: case PQL_TK_WITHOUT:
    case PQL_TK_START: case PQL_TK_END:
        return true;
    default:
        return false;
    }
}

/* Tokens accepted as a label in a grouping list (maybe_label). */
static bool tok_is_maybe_label(enum pql_tok_type t)
{
    switch (t) {
    case PQL_TK_BOOL: case PQL_TK_GROUP_LEFT: case PQL_TK_GROUP_RIGHT:
    case PQL_TK_IGNORING: case PQL_TK_ON: case PQL_TK_ATAN2:
        return true;
    case PQL_TK_WITHOUT: /* a metric name, but not a label (generated_parser.y) */
        return false;
    default:
        return pql_tok_is_metric_identifier(t);
    }
}

static bool is_label_name(const char *s, size_t n)
{
    return lbl_name_valid(s, n);
}

/* Go's regexp error for the common cases, from PCRE2's message; others as given. */
static void regex_msg(struct lm_buf *b, const char *msg_in, const char *value)
{
    /* lm_regex's message is "error parsing regexp: <reason>: `<pattern>`": keep the
     * reason only, so that the pattern's own text is not mistaken for it */
    char pcre_msg[LM_ERR_MSG_MAX];
    snprintf(pcre_msg, sizeof pcre_msg, "%s", msg_in);
    char *tick = strstr(pcre_msg, ": `");
    if (tick)
        *tick = 0;
    if (strstr(pcre_msg, "missing closing parenthesis")) {
        lm_buf_printf(b, "error parsing regexp: missing closing ): `^(?:%s)$`", value);
    } else if (strstr(pcre_msg, "unmatched closing parenthesis")) {
        lm_buf_printf(b, "error parsing regexp: unexpected ): `^(?:%s)$`", value);
    } else if (strstr(pcre_msg, "missing terminating ]")) {
        const char *lb = strrchr(value, '[');
        lm_buf_printf(b, "error parsing regexp: missing closing ]: `%s)$`", lb ? lb : value);
    } else if (strstr(pcre_msg, "UTF-8 error")) {
        size_t i = 0, n = strlen(value), w;
        while (i < n) {
            int32_t r = pql_utf8_decode(value + i, n - i, &w);
            if (r == 0xFFFD && w == 1)
                break;
            i += w;
        }
        lm_buf_printf(b, "error parsing regexp: invalid UTF-8: `%s)$`", value + i);
    } else {
        lm_buf_puts(b, msg_in);
    }
}

static bool add_matcher(struct pql_parser *p, struct pql_node *n, size_t *cap,
                        enum lbl_match_type type, const char *name, const char *value,
                        uint32_t start, uint32_t end)
{
    struct pql_vector_sel *vs = &n->u.vs;
    if (vs->nmatchers == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        struct lbl_matcher *nm = lm_realloc(vs->matchers, ncap * sizeof *nm);
        if (!nm) {
            pql_p_oom(p);
            return false;
        }
        vs->matchers = nm;
        *cap = ncap;
    }
    struct lm_err e = {0};
    char re2msg[LM_ERR_MSG_MAX - 64];
    if ((type == LBL_MATCH_RE || type == LBL_MATCH_NRE) &&
        !pql_re2_check(value, re2msg, sizeof re2msg)) {
        pql_p_errf(p, start, end, "error parsing regexp: %s", re2msg);
        return false;
    }
    int rc = lbl_matcher_init(&vs->matchers[vs->nmatchers], type, name, value, &e);
    if (rc == LM_ENOMEM) {
        pql_p_oom(p);
        return false;
    }
    if (rc != 0) {
        struct lm_buf b;
        lm_buf_init(&b, 1 << 20);
        regex_msg(&b, e.msg, value);
        pql_p_errf(p, start, end, "%s", lm_buf_cstr(&b));
        lm_buf_cleanup(&b);
        return false;
    }
    vs->nmatchers++;
    return true;
}

static bool p_matcher(struct pql_parser *p, struct pql_node *n, size_t *cap)
{
    struct pql_token name = *pql_p_peek(p);
    pql_p_advance(p);
    enum lbl_match_type type;
    switch (pql_p_peek(p)->type) {
    case PQL_TK_EQL: type = LBL_MATCH_EQ; break;
    case PQL_TK_NEQ: type = LBL_MATCH_NEQ; break;
    case PQL_TK_EQL_REGEX: type = LBL_MATCH_RE; break;
    case PQL_TK_NEQ_REGEX: type = LBL_MATCH_NRE; break;
    default:
        pql_p_unexpected(p, "label matching", "label matching operator");
        return false;
    }
    pql_p_advance(p);
    struct pql_token val = *pql_p_peek(p);
    if (val.type != PQL_TK_STRING) {
        pql_p_unexpected(p, "label matching", "string");
        return false;
    }
    char *s;
    size_t slen;
    int rc = pql_unquote(p->in + val.pos, val.len, &s, &slen);
    if (rc == -2) {
        pql_p_oom(p);
        return false;
    }
    if (rc != 0) {
        struct lm_buf b;
        lm_buf_init(&b, 1 << 20);
        pql_quote(&b, p->in + val.pos, val.len);
        pql_p_errf(p, val.pos, val.pos + val.len, "error unquoting string %s: invalid syntax",
                   lm_buf_cstr(&b));
        lm_buf_cleanup(&b);
        return false;
    }
    pql_p_advance(p);
    char *nm = lm_strndup(p->in + name.pos, name.len);
    if (!nm) {
        lm_free(s);
        pql_p_oom(p);
        return false;
    }
    bool ok = add_matcher(p, n, cap, type, nm, s, name.pos, val.pos + val.len);
    lm_free(nm);
    lm_free(s);
    return ok;
}

/* p_matchers: "{" [matcher {"," matcher}] [","] "}" into n's matchers. */
static bool p_matchers(struct pql_parser *p, struct pql_node *n, size_t *cap)
{
    pql_p_advance(p); /* { */
    for (;;) {
        const struct pql_token *t = pql_p_peek(p);
        if (p->failed)
            return false;
        if (t->type == PQL_TK_RIGHT_BRACE) {
            pql_p_advance(p);
            return true;
        }
        if (t->type != PQL_TK_IDENTIFIER) {
            pql_p_unexpected(p, "label matching", "identifier or \"}\"");
            return false;
        }
        if (!p_matcher(p, n, cap))
            return false;
        t = pql_p_peek(p);
        if (t->type == PQL_TK_COMMA) {
            pql_p_advance(p);
            continue;
        }
        if (t->type == PQL_TK_RIGHT_BRACE) {
            pql_p_advance(p);
            return !p->failed;
        }
        pql_p_unexpected(p, "label matching", "\",\" or \"}\"");
        return false;
    }
}

struct pql_node *pql_p_selector(struct pql_parser *p)
{
    struct pql_token t = *pql_p_peek(p);
    struct pql_node *n = pql_p_new(p, PQL_VECTOR_SEL, t.pos, t.pos + t.len);
    if (!n)
        return NULL;
    size_t cap = 0;
    if (t.type != PQL_TK_LEFT_BRACE) {
        n->u.vs.name = lm_strndup(p->in + t.pos, t.len);
        if (!n->u.vs.name) {
            pql_p_oom(p);
            goto fail;
        }
        pql_p_advance(p);
    }
    if (pql_p_peek(p)->type == PQL_TK_LEFT_BRACE) {
        if (!p_matchers(p, n, &cap))
            goto fail;
        n->pos.end = p->prev_end;
    }
    if (n->u.vs.name && !add_matcher(p, n, &cap, LBL_MATCH_EQ, LBL_METRIC_NAME, n->u.vs.name,
                                     t.pos, t.pos + t.len))
        goto fail;
    return n;
fail:
    pql_node_free(n);
    return NULL;
}

static void free_labels(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lm_free(v[i]);
    lm_free(v);
}

bool pql_p_grouping(struct pql_parser *p, char ***labels, size_t *n)
{
    char **v = NULL;
    size_t nv = 0, cap = 0;
    if (pql_p_peek(p)->type != PQL_TK_LEFT_PAREN) {
        pql_p_unexpected(p, "grouping opts", "\"(\"");
        return false;
    }
    pql_p_advance(p);
    for (;;) {
        const struct pql_token *t = pql_p_peek(p);
        if (p->failed)
            goto fail;
        if (t->type == PQL_TK_RIGHT_PAREN)
            break;
        if (!tok_is_maybe_label(t->type) || !is_label_name(p->in + t->pos, t->len)) {
            pql_p_unexpected(p, "grouping opts", "label");
            goto fail;
        }
        if (nv == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            char **nvv = lm_realloc(v, ncap * sizeof *nvv);
            if (!nvv)
                goto oom;
            v = nvv;
            cap = ncap;
        }
        v[nv] = lm_strndup(p->in + t->pos, t->len);
        if (!v[nv])
            goto oom;
        nv++;
        pql_p_advance(p);
        t = pql_p_peek(p);
        if (t->type == PQL_TK_COMMA) {
            pql_p_advance(p);
            continue;
        }
        if (t->type == PQL_TK_RIGHT_PAREN)
            break;
        pql_p_unexpected(p, "grouping opts", "\",\" or \")\"");
        goto fail;
    }
    pql_p_advance(p); /* ) */
    if (p->failed)
        goto fail;
    *labels = v;
    *n = nv;
    return true;
oom:
    pql_p_oom(p);
fail:
    free_labels(v, nv);
    return false;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* parse_mod.c: what may follow a PromQL operand: [range] (a range vector selector),
 * [range:step] (a subquery), offset [-]duration and @ timestamp / start() / end(), in
 * any order, with Prometheus 2.42's checks (offset and @ only once, only on selectors
 * and subqueries, none before a range) and its error texts; and the number and
 * duration tokens they use. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "flint/promql/parse_int.h"
#include "lm/buf.h"

bool pql_p_duration(struct pql_parser *p, int64_t *ms)
{
    const struct pql_token *t = pql_p_peek(p);
    char msg[LM_ERR_MSG_MAX];
    if (pql_parse_duration(p->in + t->pos, t->len, ms, msg, sizeof msg) != 0) {
        pql_p_errf(p, t->pos, t->pos + t->len, "%s", msg);
        return false;
    }
    pql_p_advance(p);
    return true;
}

bool pql_p_number(struct pql_parser *p, double *v)
{
    const struct pql_token *t = pql_p_peek(p);
    char msg[LM_ERR_MSG_MAX];
    if (pql_parse_number(p->in + t->pos, t->len, v, msg, sizeof msg) != 0) {
        pql_p_errf(p, t->pos, t->pos + t->len, "error parsing number: %s", msg);
        return false;
    }
    pql_p_advance(p);
    return true;
}

/* Where a node keeps its offset and @ (Prometheus's getAtModifierVars). */
struct mod_vars {
    int64_t *offset;
    enum pql_at *at;
    int64_t *at_ms;
};

static bool mod_vars(struct pql_node *e, struct mod_vars *v)
{
    switch (e->kind) {
    case PQL_VECTOR_SEL:
        *v = (struct mod_vars){&e->u.vs.offset_ms, &e->u.vs.at, &e->u.vs.at_ms};
        return true;
    case PQL_MATRIX_SEL:
        *v = (struct mod_vars){&e->u.ms.vs->u.vs.offset_ms, &e->u.ms.vs->u.vs.at,
                               &e->u.ms.vs->u.vs.at_ms};
        return true;
    case PQL_SUBQUERY:
        *v = (struct mod_vars){&e->u.sq.offset_ms, &e->u.sq.at, &e->u.sq.at_ms};
        return true;
    default:
        return false;
    }
}

static bool p_offset(struct pql_parser *p, struct pql_node *e)
{
    pql_p_advance(p); /* offset */
    bool neg = false;
    if (pql_p_peek(p)->type == PQL_TK_SUB) {
        pql_p_advance(p);
        neg = true;
    }
    if (pql_p_peek(p)->type != PQL_TK_DURATION) {
        pql_p_unexpected(p, "offset", "duration");
        return false;
    }
    int64_t ms;
    if (!pql_p_duration(p, &ms))
        return false;
    struct mod_vars v;
    if (!mod_vars(e, &v)) {
        pql_p_errf(p, e->pos.start, e->pos.end, "offset modifier must be preceded by an "
                   "instant vector selector or range vector selector or a subquery");
        return false;
    }
    if (*v.offset != 0) {
        pql_p_errf(p, e->pos.start, e->pos.end, "offset may not be set multiple times");
        return false;
    }
    *v.offset = neg ? -ms : ms;
    e->pos.end = p->prev_end;
    return true;
}

static bool p_at(struct pql_parser *p, struct pql_node *e)
{
    pql_p_advance(p); /* @ */
    const struct pql_token *t = pql_p_peek(p);
    enum pql_at at = PQL_AT_TS;
    double ts = 0;
    if (t->type == PQL_TK_START || t->type == PQL_TK_END) {
        at = t->type == PQL_TK_START ? PQL_AT_START : PQL_AT_END;
        pql_p_advance(p);
        if (pql_p_peek(p)->type != PQL_TK_LEFT_PAREN) {
            pql_p_unexpected(p, "@", "timestamp");
            return false;
        }
        pql_p_advance(p);
        if (pql_p_peek(p)->type != PQL_TK_RIGHT_PAREN) {
            pql_p_unexpected(p, "@", "timestamp");
            return false;
        }
        pql_p_advance(p);
    } else {
        bool neg = false;
        if (t->type == PQL_TK_ADD || t->type == PQL_TK_SUB) {
            neg = t->type == PQL_TK_SUB;
            pql_p_advance(p);
        }
        if (pql_p_peek(p)->type != PQL_TK_NUMBER) {
            pql_p_unexpected(p, "@", "timestamp");
            return false;
        }
        if (!pql_p_number(p, &ts))
            return false;
        if (neg)
            ts = -ts;
        if (isinf(ts) || isnan(ts) || ts >= 9223372036854775808.0 ||
            ts <= -9223372036854775808.0) {
            struct lm_buf b;
            lm_buf_init(&b, 1 << 20);
            pql_fmt_f6(&b, ts);
            pql_p_errf(p, e->pos.start, e->pos.end,
                       "timestamp out of bounds for @ modifier: %s", lm_buf_cstr(&b));
            lm_buf_cleanup(&b);
            return false;
        }
    }
    struct mod_vars v;
    if (!mod_vars(e, &v)) {
        pql_p_errf(p, e->pos.start, e->pos.end, "@ modifier must be preceded by an instant "
                   "vector selector or range vector selector or a subquery");
        return false;
    }
    if (*v.at != PQL_AT_NONE) {
        pql_p_errf(p, e->pos.start, e->pos.end, "@ <timestamp> may not be set multiple times");
        return false;
    }
    *v.at = at;
    if (at == PQL_AT_TS) {
        /* timestamp.FromFloatSeconds: int64(math.Round(ts * 1000)); Go on amd64 turns an
         * out-of-range conversion into the minimum int64. */
        double r = round(ts * 1000.0);
        *v.at_ms = (r >= 9223372036854775808.0 || r < -9223372036854775808.0)
                       ? INT64_MIN : (int64_t)r;
    }
    e->pos.end = p->prev_end;
    return true;
}

static struct pql_node *p_bracket(struct pql_parser *p, struct pql_node *e)
{
    uint32_t lb = pql_p_peek(p)->pos;
    pql_p_advance(p); /* [ */
    int64_t range, step = 0;
    if (pql_p_peek(p)->type != PQL_TK_DURATION) {
        pql_p_unexpected(p, "subquery selector", "duration");
        return NULL;
    }
    if (!pql_p_duration(p, &range))
        return NULL;
    enum pql_tok_type t = pql_p_peek(p)->type;
    if (t == PQL_TK_RIGHT_BRACKET) {
        pql_p_advance(p);
        const char *msg = NULL;
        if (e->kind != PQL_VECTOR_SEL)
            msg = "ranges only allowed for vector selectors";
        else if (e->u.vs.offset_ms != 0)
            msg = "no offset modifiers allowed before range";
        else if (e->u.vs.at != PQL_AT_NONE)
            msg = "no @ modifiers allowed before range";
        if (msg) {
            pql_p_errf(p, lb, p->prev_end, "%s", msg);
            return NULL;
        }
        struct pql_node *n = pql_p_new(p, PQL_MATRIX_SEL, e->pos.start, p->prev_end);
        if (!n)
            return NULL;
        n->u.ms.vs = e;
        n->u.ms.range_ms = range;
        n->depth = e->depth + 1;
        return n;
    }
    if (t != PQL_TK_COLON) {
        pql_p_unexpected(p, "subquery or range", "\":\" or \"]\"");
        return NULL;
    }
    pql_p_advance(p);
    t = pql_p_peek(p)->type;
    if (t == PQL_TK_DURATION) {
        if (!pql_p_duration(p, &step))
            return NULL;
        if (pql_p_peek(p)->type != PQL_TK_RIGHT_BRACKET) {
            pql_p_unexpected(p, "subquery selector", "\"]\"");
            return NULL;
        }
    } else if (t != PQL_TK_RIGHT_BRACKET) {
        pql_p_unexpected(p, "subquery selector", "duration or \"]\"");
        return NULL;
    }
    pql_p_advance(p);
    struct pql_node *n = pql_p_new(p, PQL_SUBQUERY, e->pos.start, p->prev_end);
    if (!n)
        return NULL;
    n->u.sq.expr = e;
    n->u.sq.range_ms = range;
    n->u.sq.step_ms = step;
    n->depth = e->depth + 1;
    return n;
}

/* pql_p_postfix: range/subquery brackets, offset and @ after an operand. Frees e on error. */
struct pql_node *pql_p_postfix(struct pql_parser *p, struct pql_node *e)
{
    for (;;) {
        if (p->failed) {
            pql_node_free(e);
            return NULL;
        }
        enum pql_tok_type t = pql_p_peek(p)->type;
        if (t == PQL_TK_LEFT_BRACKET) {
            struct pql_node *n = p_bracket(p, e);
            if (!n) {
                pql_node_free(e);
                return NULL;
            }
            e = n;
            if (e->depth > PQL_MAX_DEPTH && !pql_p_set_depth(p, e, NULL)) {
                pql_node_free(e);
                return NULL;
            }
        } else if (t == PQL_TK_OFFSET) {
            if (!p_offset(p, e)) {
                pql_node_free(e);
                return NULL;
            }
        } else if (t == PQL_TK_AT) {
            if (!p_at(p, e)) {
                pql_node_free(e);
                return NULL;
            }
        } else {
            return e;
        }
    }
}


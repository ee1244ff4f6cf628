/* SPDX-License-Identifier: Apache-2.0 */
/* parse.c: the PromQL expression parser, recursive descent with precedence climbing
 * that reproduces Prometheus 2.42's yacc grammar (generated_parser.y): operator
 * precedence (^ right-associative, unary +/- at the level of *), postfix range,
 * subquery, offset and @ modifiers, aggregations with by/without before or after the
 * body, function calls, and the same error texts and positions. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "flint/promql/parse_int.h"
#include "lm/alloc.h"
#include "lm/buf.h"

static struct pql_node *p_expr(struct pql_parser *p, int min_prec);

const struct pql_token *pql_p_peek(struct pql_parser *p)
{
    if (p->have_tok)
        return &p->tok;
    do {
        pql_lex_next(&p->lx, &p->tok);
    } while (p->tok.type == PQL_TK_COMMENT);
    p->have_tok = true;
    if (p->tok.type == PQL_TK_ERROR)
        pql_p_errf(p, p->tok.pos, (uint32_t)p->len, "%s", p->lx.err);
    return &p->tok;
}

void pql_p_advance(struct pql_parser *p)
{
    pql_p_peek(p);
    p->prev_end = p->tok.pos + p->tok.len;
    p->have_tok = false;
}

void pql_p_errf(struct pql_parser *p, uint32_t start, uint32_t end, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = true;
    if (!p->err)
        return;
    char msg[LM_ERR_MSG_MAX - 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    unsigned line = 1;
    size_t last_nl = (size_t)-1;
    for (size_t i = 0; i < start && i < p->len; i++) {
        if (p->in[i] == '\n') {
            last_nl = i;
            line++;
        }
    }
    p->err->code = LM_EPARSE;
    p->err->start = start;
    p->err->end = end;
    p->err->line = line;
    p->err->col = (unsigned)(start - last_nl);
    snprintf(p->err->msg, sizeof p->err->msg, "%u:%u: parse error: %s", line,
             p->err->col, msg);
}

void pql_p_oom(struct pql_parser *p)
{
    if (p->failed)
        return;
    p->failed = true;
    if (p->err) {
        memset(p->err, 0, sizeof *p->err);
        p->err->code = LM_ENOMEM;
        snprintf(p->err->msg, sizeof p->err->msg, "out of memory");
    }
}

void pql_p_unexpected(struct pql_parser *p, const char *context, const char *expected)
{
    const struct pql_token *t = pql_p_peek(p);
    if (t->type == PQL_TK_ERROR || p->failed)
        return;
    if (!context && p->agg_depth > 0)
        context = "aggregation";
    struct lm_buf b;
    lm_buf_init(&b, 1 << 20);
    lm_buf_puts(&b, "unexpected ");
    pql_tok_desc(&p->lx, t, &b);
    if (context) {
        lm_buf_puts(&b, " in ");
        lm_buf_puts(&b, context);
    }
    if (expected) {
        lm_buf_puts(&b, ", expected ");
        lm_buf_puts(&b, expected);
    }
    pql_p_errf(p, t->pos, t->pos + t->len, "%s", lm_buf_cstr(&b));
    lm_buf_cleanup(&b);
}

struct pql_node *pql_p_new(struct pql_parser *p, enum pql_node_kind kind, uint32_t start,
                           uint32_t end)
{
    struct pql_node *n = lm_calloc(1, sizeof *n);
    if (!n) {
        pql_p_oom(p);
        return NULL;
    }
    n->kind = kind;
    n->pos.start = start;
    n->pos.end = end;
    n->depth = 1;
    return n;
}

/* pql_p_set_depth: n's depth from a child's; false (error recorded) when too deep. */
bool pql_p_set_depth(struct pql_parser *p, struct pql_node *n, const struct pql_node *c)
{
    if (c && c->depth + 1 > n->depth)
        n->depth = c->depth + 1;
    if (n->depth > PQL_MAX_DEPTH) {
        pql_p_errf(p, n->pos.start, n->pos.end, "expression nesting too deep (over %d)",
                   PQL_MAX_DEPTH);
        return false;
    }
    return true;
}

static int binop_prec(enum pql_tok_type t, enum pql_binop *op)
{
    switch (t) {
    case PQL_TK_LOR: *op = PQL_OP_LOR; return 1;
    case PQL_TK_LAND: *op = PQL_OP_LAND; return 2;
    case PQL_TK_LUNLESS: *op = PQL_OP_LUNLESS; return 2;
    case PQL_TK_EQLC: *op = PQL_OP_EQLC; return 3;
    case PQL_TK_NEQ: *op = PQL_OP_NEQ; return 3;
    case PQL_TK_LSS: *op = PQL_OP_LSS; return 3;
    case PQL_TK_LTE: *op = PQL_OP_LTE; return 3;
    case PQL_TK_GTR: *op = PQL_OP_GTR; return 3;
    case PQL_TK_GTE: *op = PQL_OP_GTE; return 3;
    case PQL_TK_ADD: *op = PQL_OP_ADD; return 4;
    case PQL_TK_SUB: *op = PQL_OP_SUB; return 4;
    case PQL_TK_MUL: *op = PQL_OP_MUL; return 5;
    case PQL_TK_DIV: *op = PQL_OP_DIV; return 5;
    case PQL_TK_MOD: *op = PQL_OP_MOD; return 5;
    case PQL_TK_ATAN2: *op = PQL_OP_ATAN2; return 5;
    case PQL_TK_POW: *op = PQL_OP_POW; return 6;
    default: return 0;
    }
}
#define PREC_POW 6

/* tok_starts_expr: can t begin an expression (FIRST(expr) in the grammar)? */
static bool tok_starts_expr(enum pql_tok_type t)
{
    if (pql_tok_is_metric_identifier(t))
        return true;
    switch (t) {
    case PQL_TK_NUMBER: case PQL_TK_STRING: case PQL_TK_LEFT_PAREN: case PQL_TK_LEFT_BRACE:
    case PQL_TK_ADD: case PQL_TK_SUB:
        return true;
    default:
        return false;
    }
}

/* function_call_body: "(" [expr {"," expr}] ")" into a new array. */
static bool p_call_body(struct pql_parser *p, struct pql_node ***args, size_t *nargs)
{
    *args = NULL;
    *nargs = 0;
    pql_p_advance(p); /* ( */
    if (pql_p_peek(p)->type == PQL_TK_RIGHT_PAREN) {
        pql_p_advance(p);
        return !p->failed;
    }
    size_t cap = 0;
    for (;;) {
        struct pql_node *a = p_expr(p, 0);
        if (!a)
            return false;
        if (*nargs == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            struct pql_node **nv = lm_realloc(*args, ncap * sizeof *nv);
            if (!nv) {
                pql_node_free(a);
                pql_p_oom(p);
                return false;
            }
            *args = nv;
            cap = ncap;
        }
        (*args)[(*nargs)++] = a;
        const struct pql_token *t = pql_p_peek(p);
        if (t->type == PQL_TK_COMMA) {
            uint32_t comma = t->pos;
            pql_p_advance(p);
            /* yacc reduces "args ," on any token that cannot start an expression */
            enum pql_tok_type nt = pql_p_peek(p)->type;
            if (nt != PQL_TK_ERROR && !tok_starts_expr(nt)) {
                pql_p_errf(p, comma, comma + 1,
                           "trailing commas not allowed in function call args");
                return false;
            }
            if (p->failed)
                return false;
            continue;
        }
        if (t->type == PQL_TK_RIGHT_PAREN) {
            pql_p_advance(p);
            return !p->failed;
        }
        pql_p_unexpected(p, NULL, NULL);
        return false;
    }
}

static void free_args(struct pql_node **args, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pql_node_free(args[i]);
    lm_free(args);
}

static struct pql_node *p_call(struct pql_parser *p)
{
    struct pql_token id = *pql_p_peek(p);
    pql_p_advance(p);
    struct pql_node **args;
    size_t nargs;
    if (!p_call_body(p, &args, &nargs)) {
        free_args(args, nargs);
        return NULL;
    }
    const struct pql_func_def *f = pql_func_lookup(p->in + id.pos, id.len);
    if (!f) {
        pql_p_errf(p, id.pos, id.pos + id.len, "unknown function with name \"%.*s\"",
                   (int)id.len, p->in + id.pos);
        free_args(args, nargs);
        return NULL;
    }
    struct pql_node *n = pql_p_new(p, PQL_CALL, id.pos, p->prev_end);
    if (!n) {
        free_args(args, nargs);
        return NULL;
    }
    n->u.call.func = f;
    n->u.call.args = args;
    n->u.call.nargs = nargs;
    for (size_t i = 0; i < nargs; i++) {
        if (!pql_p_set_depth(p, n, args[i])) {
            pql_node_free(n);
            return NULL;
        }
    }
    return n;
}

static enum pql_aggop agg_op(enum pql_tok_type t)
{
    switch (t) {
    case PQL_TK_AVG: return PQL_AGG_AVG;
    case PQL_TK_BOTTOMK: return PQL_AGG_BOTTOMK;
    case PQL_TK_COUNT: return PQL_AGG_COUNT;
    case PQL_TK_COUNT_VALUES: return PQL_AGG_COUNT_VALUES;
    case PQL_TK_GROUP: return PQL_AGG_GROUP;
    case PQL_TK_MAX: return PQL_AGG_MAX;
    case PQL_TK_MIN: return PQL_AGG_MIN;
    case PQL_TK_QUANTILE: return PQL_AGG_QUANTILE;
    case PQL_TK_STDDEV: return PQL_AGG_STDDEV;
    case PQL_TK_STDVAR: return PQL_AGG_STDVAR;
    case PQL_TK_TOPK: return PQL_AGG_TOPK;
    default: return PQL_AGG_SUM;
    }
}

static bool p_agg_modifier(struct pql_parser *p, struct pql_node *n)
{
    n->u.agg.without = pql_p_peek(p)->type == PQL_TK_WITHOUT;
    pql_p_advance(p);
    return pql_p_grouping(p, &n->u.agg.grouping, &n->u.agg.ngrouping);
}

static struct pql_node *p_aggregate(struct pql_parser *p)
{
    struct pql_token op = *pql_p_peek(p);
    pql_p_advance(p);
    struct pql_node *n = pql_p_new(p, PQL_AGGREGATE, op.pos, op.pos + op.len);
    if (!n)
        return NULL;
    n->u.agg.op = agg_op(op.type);
    struct pql_node **args = NULL;
    size_t nargs = 0;
    bool ok = false;
    p->agg_depth++;
    enum pql_tok_type t = pql_p_peek(p)->type;
    if (t == PQL_TK_BY || t == PQL_TK_WITHOUT) {
        if (!p_agg_modifier(p, n))
            goto out;
        if (pql_p_peek(p)->type != PQL_TK_LEFT_PAREN) {
            pql_p_unexpected(p, "aggregation", NULL);
            goto out;
        }
        if (!p_call_body(p, &args, &nargs))
            goto out;
    } else {
        if (!p_call_body(p, &args, &nargs))
            goto out;
        t = pql_p_peek(p)->type;
        if ((t == PQL_TK_BY || t == PQL_TK_WITHOUT) && !p_agg_modifier(p, n))
            goto out;
    }
    ok = !p->failed;
out:
    p->agg_depth--;
    n->pos.end = p->prev_end;
    if (!ok) {
        free_args(args, nargs);
        pql_node_free(n);
        return NULL;
    }
    if (nargs == 0) {
        pql_p_errf(p, n->pos.start, n->pos.end, "no arguments for aggregate expression provided");
        goto fail;
    }
    size_t want = pql_aggop_has_param(n->u.agg.op) ? 2 : 1;
    if (nargs != want) {
        pql_p_errf(p, n->pos.start, n->pos.end, "wrong number of arguments for aggregate "
                   "expression provided, expected %zu, got %zu", want, nargs);
        goto fail;
    }
    if (want == 2)
        n->u.agg.param = args[0];
    n->u.agg.expr = args[want - 1];
    lm_free(args);
    if (!pql_p_set_depth(p, n, n->u.agg.param) || !pql_p_set_depth(p, n, n->u.agg.expr)) {
        pql_node_free(n);
        return NULL;
    }
    return n;
fail:
    free_args(args, nargs);
    pql_node_free(n);
    return NULL;
}

static struct pql_node *p_primary(struct pql_parser *p)
{
    const struct pql_token *t = pql_p_peek(p);
    if (p->failed)
        return NULL;
    struct pql_token tk = *t;
    switch (tk.type) {
    case PQL_TK_NUMBER: {
        double v;
        if (!pql_p_number(p, &v))
            return NULL;
        struct pql_node *n = pql_p_new(p, PQL_NUMBER, tk.pos, tk.pos + tk.len);
        if (n)
            n->u.number = v;
        return n;
    }
    case PQL_TK_STRING: {
        char *s;
        size_t slen;
        int rc = pql_unquote(p->in + tk.pos, tk.len, &s, &slen);
        if (rc == -2) {
            pql_p_oom(p);
            return NULL;
        }
        if (rc != 0) {
            struct lm_buf b;
            lm_buf_init(&b, 1 << 20);
            pql_quote(&b, p->in + tk.pos, tk.len);
            pql_p_errf(p, tk.pos, tk.pos + tk.len, "error unquoting string %s: invalid syntax",
                       lm_buf_cstr(&b));
            lm_buf_cleanup(&b);
            return NULL;
        }
        pql_p_advance(p);
        struct pql_node *n = pql_p_new(p, PQL_STRING, tk.pos, tk.pos + tk.len);
        if (!n) {
            lm_free(s);
            return NULL;
        }
        n->u.string.s = s;
        n->u.string.len = slen;
        return n;
    }
    case PQL_TK_LEFT_PAREN: {
        pql_p_advance(p);
        struct pql_node *e = p_expr(p, 0);
        if (!e)
            return NULL;
        if (pql_p_peek(p)->type != PQL_TK_RIGHT_PAREN) {
            pql_p_unexpected(p, NULL, NULL);
            pql_node_free(e);
            return NULL;
        }
        pql_p_advance(p);
        struct pql_node *n = pql_p_new(p, PQL_PAREN, tk.pos, p->prev_end);
        if (!n) {
            pql_node_free(e);
            return NULL;
        }
        n->u.paren = e;
        if (!pql_p_set_depth(p, n, e)) {
            pql_node_free(n);
            return NULL;
        }
        return n;
    }
    case PQL_TK_LEFT_BRACE:
    case PQL_TK_METRIC_IDENTIFIER:
        return pql_p_selector(p);
    case PQL_TK_IDENTIFIER: {
        /* IDENTIFIER "(" is a call; look one token further without consuming. */
        struct pql_lexer save = p->lx;
        struct pql_token nt;
        do {
            pql_lex_next(&save, &nt);
        } while (nt.type == PQL_TK_COMMENT);
        if (nt.type == PQL_TK_LEFT_PAREN)
            return p_call(p);
        return pql_p_selector(p);
    }
    default:
        break;
    }
    if (tk.type > PQL_TK_AGG_START_ && tk.type < PQL_TK_AGG_END_) {
        struct pql_lexer save = p->lx;
        struct pql_token nt;
        do {
            pql_lex_next(&save, &nt);
        } while (nt.type == PQL_TK_COMMENT);
        if (nt.type == PQL_TK_LEFT_PAREN || nt.type == PQL_TK_BY ||
            nt.type == PQL_TK_WITHOUT)
            return p_aggregate(p);
        return pql_p_selector(p);
    }
    if (pql_tok_is_metric_identifier(tk.type))
        return pql_p_selector(p);
    pql_p_unexpected(p, NULL, NULL);
    return NULL;
}

static struct pql_node *p_operand(struct pql_parser *p)
{
    if (++p->depth > PQL_MAX_DEPTH) {
        const struct pql_token *t = pql_p_peek(p);
        pql_p_errf(p, t->pos, t->pos + t->len, "expression nesting too deep (over %d)",
                   PQL_MAX_DEPTH);
        p->depth--;
        return NULL;
    }
    struct pql_node *r;
    const struct pql_token *t = pql_p_peek(p);
    if (!p->failed && (t->type == PQL_TK_ADD || t->type == PQL_TK_SUB)) {
        struct pql_token op = *t;
        pql_p_advance(p);
        struct pql_node *e = p_expr(p, PREC_POW);
        r = NULL;
        if (e && e->kind == PQL_NUMBER) {
            if (op.type == PQL_TK_SUB)
                e->u.number = -e->u.number;
            e->pos.start = op.pos;
            r = e;
        } else if (e) {
            r = pql_p_new(p, PQL_UNARY, op.pos, e->pos.end);
            if (r) {
                r->u.un.op = op.type == PQL_TK_SUB ? PQL_OP_SUB : PQL_OP_ADD;
                r->u.un.expr = e;
                if (!pql_p_set_depth(p, r, e)) {
                    pql_node_free(r);
                    r = NULL;
                }
            } else {
                pql_node_free(e);
            }
        }
    } else {
        r = p_primary(p);
        if (r)
            r = pql_p_postfix(p, r);
    }
    p->depth--;
    return r;
}

/* p_bin_modifiers: bool, on/ignoring (...), group_left/group_right [(...)]. */
static bool p_bin_modifiers(struct pql_parser *p, struct pql_node *n)
{
    struct pql_binary *b = &n->u.bin;
    b->card = PQL_CARD_ONE_TO_ONE;
    b->has_matching = true;
    enum pql_tok_type t = pql_p_peek(p)->type;
    if (t == PQL_TK_BOOL) {
        b->return_bool = true;
        pql_p_advance(p);
        t = pql_p_peek(p)->type;
    }
    if (t != PQL_TK_ON && t != PQL_TK_IGNORING)
        return !p->failed;
    b->on = t == PQL_TK_ON;
    pql_p_advance(p);
    if (!pql_p_grouping(p, &b->matching, &b->nmatching))
        return false;
    t = pql_p_peek(p)->type;
    if (t != PQL_TK_GROUP_LEFT && t != PQL_TK_GROUP_RIGHT)
        return !p->failed;
    b->card = t == PQL_TK_GROUP_LEFT ? PQL_CARD_MANY_TO_ONE : PQL_CARD_ONE_TO_MANY;
    pql_p_advance(p);
    t = pql_p_peek(p)->type;
    if (t == PQL_TK_LEFT_PAREN)
        return pql_p_grouping(p, &b->include, &b->ninclude);
    if (!tok_starts_expr(t)) {
        pql_p_unexpected(p, "grouping opts", "\"(\"");
        return false;
    }
    return !p->failed;
}

static struct pql_node *p_expr(struct pql_parser *p, int min_prec)
{
    struct pql_node *lhs = p_operand(p);
    while (lhs) {
        enum pql_binop op;
        const struct pql_token *t = pql_p_peek(p);
        int prec = binop_prec(t->type, &op);
        if (p->failed) {
            pql_node_free(lhs);
            return NULL;
        }
        if (!prec || prec < min_prec)
            break;
        pql_p_advance(p);
        struct pql_node *n = pql_p_new(p, PQL_BINARY, lhs->pos.start, lhs->pos.end);
        if (!n) {
            pql_node_free(lhs);
            return NULL;
        }
        n->u.bin.op = op;
        n->u.bin.lhs = lhs;
        if (!p_bin_modifiers(p, n)) {
            pql_node_free(n);
            return NULL;
        }
        struct pql_node *rhs = p_expr(p, op == PQL_OP_POW ? prec : prec + 1);
        if (!rhs) {
            pql_node_free(n);
            return NULL;
        }
        n->u.bin.rhs = rhs;
        n->pos.end = rhs->pos.end;
        if (!pql_p_set_depth(p, n, lhs) || !pql_p_set_depth(p, n, rhs)) {
            pql_node_free(n);
            return NULL;
        }
        lhs = n;
    }
    return lhs;
}

static void parser_init(struct pql_parser *p, const char *q, size_t len,
                        struct pql_parse_err *err)
{
    memset(p, 0, sizeof *p);
    pql_lex_init(&p->lx, q, len);
    p->in = q;
    p->len = len;
    p->err = err;
    if (err)
        memset(err, 0, sizeof *err);
}

struct pql_node *pql_parse(const char *query, size_t len, struct pql_parse_err *err)
{
    struct pql_parser p;
    struct pql_parse_err local;
    parser_init(&p, query, len, err ? err : &local);
    if (len > UINT32_MAX / 2) { /* positions are 32-bit */
        pql_p_errf(&p, 0, 0, "query too long");
        return NULL;
    }
    if (pql_p_peek(&p)->type == PQL_TK_EOF) {
        pql_p_errf(&p, 0, 0, "no expression found in input");
        return NULL;
    }
    struct pql_node *n = p_expr(&p, 0);
    if (n && pql_p_peek(&p)->type != PQL_TK_EOF)
        pql_p_unexpected(&p, NULL, NULL);
    if (n && !p.failed)
        pql_p_check(&p, n);
    if (p.failed) {
        pql_node_free(n);
        return NULL;
    }
    return n;
}

int pql_parse_selector(const char *s, struct lbl_matcher **ms, size_t *n, struct lm_err *err)
{
    struct pql_parser p;
    struct pql_parse_err pe;
    size_t len = strlen(s);
    *ms = NULL;
    *n = 0;
    parser_init(&p, s, len, &pe);
    struct pql_node *vs = NULL;
    enum pql_tok_type t = pql_p_peek(&p)->type;
    if (!p.failed && (t == PQL_TK_LEFT_BRACE || pql_tok_is_metric_identifier(t)))
        vs = pql_p_selector(&p);
    else
        pql_p_unexpected(&p, NULL, NULL);
    if (vs && pql_p_peek(&p)->type != PQL_TK_EOF)
        pql_p_unexpected(&p, NULL, NULL);
    if (p.failed || !vs) {
        pql_node_free(vs);
        return lm_err_set(err, pe.code ? pe.code : LM_EPARSE, "", "%s", pe.msg);
    }
    *ms = vs->u.vs.matchers;
    *n = vs->u.vs.nmatchers;
    vs->u.vs.matchers = NULL;
    vs->u.vs.nmatchers = 0;
    pql_node_free(vs);
    return 0;
}

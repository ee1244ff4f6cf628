/* SPDX-License-Identifier: Apache-2.0 */
/* labels.h: label sets and label matchers, the one representation shared by flint's
 * config, discovery, relabeling, scraper, TSDB, PromQL and API. A label set owns its
 * names and values and is kept sorted by name; an empty value means "absent" (as in
 * Prometheus), so lbl_set_add with "" deletes. Prefix lbl_. */
#ifndef FLINT_LABELS_H
#define FLINT_LABELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lm/err.h"

struct lm_buf;
struct lm_regex;

#define LBL_METRIC_NAME "__name__"

struct lbl {
    char *name;   /* owned, NUL-terminated */
    char *value;  /* owned, NUL-terminated, never "" inside a set */
};

/* A sorted label set. Zero-initialised ({0}) is a valid empty set. */
struct lbl_set {
    struct lbl *v;
    size_t n, cap;
};

/* lbl_set_add: set name=value (copied), replacing an existing value; value "" removes
 * the label. 0, LM_ELABEL (a NUL byte inside name or value) or LM_ENOMEM (the set is
 * unchanged then). _addn takes lengths. */
int lbl_set_add(struct lbl_set *ls, const char *name, const char *value);
int lbl_set_addn(struct lbl_set *ls, const char *name, size_t nlen, const char *value,
                 size_t vlen);
/* lbl_set_get: the value of name (borrowed, lives until the set changes), or NULL. */
const char *lbl_set_get(const struct lbl_set *ls, const char *name);
/* lbl_set_del: remove name if present. */
void lbl_set_del(struct lbl_set *ls, const char *name);
/* lbl_set_copy: dst becomes a deep copy of src (dst's old content is freed first).
 * 0 or LM_ENOMEM (dst is then empty). */
int lbl_set_copy(struct lbl_set *dst, const struct lbl_set *src);
/* lbl_set_move: dst takes src's content; src becomes empty. dst's old content freed. */
void lbl_set_move(struct lbl_set *dst, struct lbl_set *src);
/* lbl_set_clear: drop every label, keep the allocation. lbl_set_free: release all. */
void lbl_set_clear(struct lbl_set *ls);
void lbl_set_free(struct lbl_set *ls);
/* lbl_set_cmp: total order as Prometheus's labels.Compare (name, then value, pairwise;
 * a prefix sorts first). lbl_set_eq: same labels. */
int lbl_set_cmp(const struct lbl_set *a, const struct lbl_set *b);
bool lbl_set_eq(const struct lbl_set *a, const struct lbl_set *b);
/* lbl_set_hash: a stable 64-bit hash of the set (names and values, with separators). */
uint64_t lbl_set_hash(const struct lbl_set *ls);
/* lbl_set_format: append {a="b", c="d"} in Prometheus's String() form (values escaped
 * with \\, \" and \n; metric name included as __name__). Returns out's sticky error. */
int lbl_set_format(const struct lbl_set *ls, struct lm_buf *out);
/* lbl_name_valid: [a-zA-Z_][a-zA-Z0-9_]*. lbl_metric_name_valid: also ':' allowed. */
bool lbl_name_valid(const char *s, size_t len);
bool lbl_metric_name_valid(const char *s, size_t len);

/* Matchers, as in selectors and match[]: =, !=, =~, !~. Regexes are fully anchored. */
enum lbl_match_type { LBL_MATCH_EQ, LBL_MATCH_NEQ, LBL_MATCH_RE, LBL_MATCH_NRE };

struct lbl_matcher {
    enum lbl_match_type type;
    char *name;          /* owned */
    char *value;         /* owned; the pattern for regex matchers */
    struct lm_regex *re; /* owned; NULL for EQ/NEQ */
};

/* lbl_matcher_init: fill m (copies name and value, compiles the regex anchored).
 * 0, LM_ENOMEM, or LM_EPARSE with err->msg from the regex compiler. */
int lbl_matcher_init(struct lbl_matcher *m, enum lbl_match_type type, const char *name,
                     const char *value, struct lm_err *err);
void lbl_matcher_free(struct lbl_matcher *m);
/* lbl_matcher_matches: does value (NULL or "" = label absent) satisfy m? */
bool lbl_matcher_matches(const struct lbl_matcher *m, const char *value);
/* lbl_matcher_matches_empty: does m match a series that lacks the label? */
bool lbl_matcher_matches_empty(const struct lbl_matcher *m);
/* lbl_set_matches: every matcher satisfied by ls. */
bool lbl_set_matches(const struct lbl_set *ls, const struct lbl_matcher *ms, size_t n);
/* lbl_match_type_str: "=", "!=", "=~", "!~". */
const char *lbl_match_type_str(enum lbl_match_type t);

#endif

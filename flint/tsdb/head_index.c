/* SPDX-License-Identifier: Apache-2.0 */
/* head_index.c: matchers over the head's inverted index (Prometheus's
 * PostingsForMatchers): a matcher that does not match the empty string selects the
 * union of the postings of the values it matches (intersected across matchers); one
 * that matches "" removes the union of the values it rejects from the result. */
#include <string.h>

#include "flint/tsdb/head.h"
#include "lm/alloc.h"
#include "lm/err.h"

/* matching_union: the union of the postings of name's values v for which
 * lbl_matcher_matches(m, v) == want. 0 or LM_ENOMEM. */
static int
matching_union(struct tsdb_head *h, const struct lbl_matcher *m, bool want,
               struct tsdb_plist *out)
{
    uint32_t name = tsdb_sym_find(h->syms, m->name, strlen(m->name));
    tsdb_plist_free(out);
    if (name == TSDB_SYM_NONE)
        return 0;
    if (m->type == LBL_MATCH_EQ || m->type == LBL_MATCH_NEQ) {
        /* = wants its value; != (when it matches "") rejects exactly its value */
        bool single = (m->type == LBL_MATCH_EQ) == want;
        if (single && m->value[0]) {
            uint32_t val = tsdb_sym_find(h->syms, m->value, strlen(m->value));
            const struct tsdb_plist *l =
                val == TSDB_SYM_NONE ? NULL : tsdb_postings_get(h->post, name, val);
            if (!l || !l->n)
                return 0;
            const struct tsdb_plist *one[1] = {l};
            return tsdb_post_union(one, 1, out);
        }
    }
    size_t nv;
    const uint32_t *vals = tsdb_postings_values(h->post, name, &nv);
    const struct tsdb_plist **ls = lm_malloc(sizeof(*ls) * (nv ? nv : 1));
    if (!ls)
        return LM_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < nv; i++) {
        if (lbl_matcher_matches(m, tsdb_sym_str(h->syms, vals[i])) != want)
            continue;
        const struct tsdb_plist *l = tsdb_postings_get(h->post, name, vals[i]);
        if (l && l->n)
            ls[k++] = l;
    }
    int rc = tsdb_post_union(ls, k, out);
    lm_free(ls);
    return rc;
}

int
tsdb_head_postings(struct tsdb_head *h, const struct lbl_matcher *ms, size_t n,
                   uint32_t **out, size_t *count)
{
    struct tsdb_plist cur = {0}, u = {0};
    bool have = false;
    int rc = 0;
    *out = NULL;
    *count = 0;
    /* positive matchers first, so negative ones subtract from a small set */
    for (size_t i = 0; i < n && !rc; i++) {
        if (lbl_matcher_matches_empty(&ms[i]))
            continue;
        rc = matching_union(h, &ms[i], true, &u);
        if (rc)
            break;
        if (!have) {
            cur = u;
            memset(&u, 0, sizeof(u));
            have = true;
        } else {
            cur.n = (uint32_t)tsdb_post_intersect(cur.v, cur.n, u.v, u.n, cur.v);
        }
        if (!cur.n)
            goto done;
    }
    if (!rc && !have) {
        const struct tsdb_plist *all[1] = {tsdb_postings_all(h->post)};
        rc = tsdb_post_union(all, 1, &cur);
    }
    for (size_t i = 0; i < n && !rc && cur.n; i++) {
        if (!lbl_matcher_matches_empty(&ms[i]))
            continue;
        rc = matching_union(h, &ms[i], false, &u);
        if (!rc)
            cur.n = (uint32_t)tsdb_post_subtract(cur.v, cur.n, u.v, u.n, cur.v);
    }
done:
    tsdb_plist_free(&u);
    if (rc) {
        tsdb_plist_free(&cur);
        return rc;
    }
    *out = cur.v;
    *count = cur.n;
    if (!cur.n) {
        tsdb_plist_free(&cur);
        *out = NULL;
    }
    return 0;
}

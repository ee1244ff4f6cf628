/* SPDX-License-Identifier: Apache-2.0 */
/* test_postings.c: the head's inverted index: intersection, union and subtraction of
 * sorted ref lists against a brute-force model on random sets; the index's pair lists,
 * value lists, out-of-order inserts and garbage collection; the symbol table. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "flint/tsdb/postings.h"
#include "flint/tsdb/symbols.h"
#include "head_fixture.h"
#include "lm/alloc.h"

Suite *postings_suite(void);

static void
rand_list(uint64_t *seed, struct tsdb_plist *l, uint32_t universe, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        ck_assert_int_eq(tsdb_plist_add(l, hf_rand(seed) % universe), 0);
    for (uint32_t i = 1; i < l->n; i++)
        ck_assert_uint_lt(l->v[i - 1], l->v[i]);
}

/* member: a bitmap of l over [0, universe) (caller frees). */
static bool *
member(const struct tsdb_plist *l, uint32_t universe)
{
    bool *m = calloc(universe, 1);
    for (uint32_t i = 0; i < l->n; i++)
        m[l->v[i]] = true;
    return m;
}

static bool
has(const struct tsdb_plist *l, uint32_t x)
{
    for (uint32_t i = 0; i < l->n; i++)
        if (l->v[i] == x)
            return true;
    return false;
}

START_TEST(set_ops_random)
{
    uint64_t seed = 42 + (uint64_t)_i;
    for (int round = 0; round < 50; round++) {
        struct tsdb_plist a = {0}, b = {0}, c = {0}, u = {0};
        uint32_t uni = 10 + hf_rand(&seed) % 5000;
        rand_list(&seed, &a, uni, hf_rand(&seed) % 600);
        rand_list(&seed, &b, uni, hf_rand(&seed) % 40);
        rand_list(&seed, &c, uni, hf_rand(&seed) % 300);
        uint32_t *out = malloc(sizeof(uint32_t) * (a.n + 1));
        bool *ma = member(&a, uni), *mb = member(&b, uni), *mc = member(&c, uni);
        size_t k = tsdb_post_intersect(a.v, a.n, b.v, b.n, out);
        size_t want = 0;
        for (uint32_t x = 0; x < uni; x++)
            if (ma[x] && mb[x]) {
                ck_assert_uint_lt(want, k);
                ck_assert_uint_eq(out[want], x);
                want++;
            }
        ck_assert_uint_eq(k, want);
        k = tsdb_post_subtract(a.v, a.n, c.v, c.n, out);
        want = 0;
        for (uint32_t x = 0; x < uni; x++)
            if (ma[x] && !mc[x]) {
                ck_assert_uint_eq(out[want], x);
                want++;
            }
        ck_assert_uint_eq(k, want);
        for (size_t nl = 0; nl <= 3; nl++) {
            const struct tsdb_plist *ls[3] = {&a, &b, &c};
            ck_assert_int_eq(tsdb_post_union(ls, nl, &u), 0);
            want = 0;
            for (uint32_t x = 0; x < uni; x++)
                if ((nl > 0 && ma[x]) || (nl > 1 && mb[x]) || (nl > 2 && mc[x])) {
                    ck_assert_uint_eq(u.v[want], x);
                    want++;
                }
            ck_assert_uint_eq(u.n, want);
        }
        /* in place: out == a */
        uint32_t an = (uint32_t)tsdb_post_intersect(a.v, a.n, c.v, c.n, a.v);
        for (uint32_t i = 0; i < an; i++)
            ck_assert(has(&c, a.v[i]));
        free(out);
        free(ma);
        free(mb);
        free(mc);
        tsdb_plist_free(&a);
        tsdb_plist_free(&b);
        tsdb_plist_free(&c);
        tsdb_plist_free(&u);
    }
}
END_TEST

START_TEST(index_add_gc)
{
    struct tsdb_postings *p = tsdb_postings_new();
    ck_assert_ptr_nonnull(p);
    /* name 0 = "job" with values 1, 2; name 3 = "i" with value 4 + ref % 5 */
    for (uint32_t ref = 0; ref < 1000; ref++) {
        uint32_t r = ref < 500 ? ref * 2 : (ref - 500) * 2 + 1; /* out of order inserts */
        uint32_t lbl[4] = {0, r % 2 ? 1 : 2, 3, 4 + r % 5};
        ck_assert_int_eq(tsdb_postings_add(p, r, lbl, 2), 0);
    }
    const struct tsdb_plist *l = tsdb_postings_get(p, 0, 1);
    ck_assert_ptr_nonnull(l);
    ck_assert_uint_eq(l->n, 500);
    for (uint32_t i = 1; i < l->n; i++)
        ck_assert_uint_lt(l->v[i - 1], l->v[i]);
    ck_assert_uint_eq(tsdb_postings_all(p)->n, 1000);
    size_t nv;
    tsdb_postings_values(p, 3, &nv);
    ck_assert_uint_eq(nv, 5);
    ck_assert_ptr_null(tsdb_postings_get(p, 0, 4));
    /* remove every series with i = 4 (value id 4): refs % 5 == 0 */
    uint64_t dead[1000 / 64 + 1] = {0};
    uint32_t lbl[2 * 2 * 200];
    size_t nl = 0;
    for (uint32_t r = 0; r < 1000; r += 5) {
        dead[r / 64] |= 1ULL << (r % 64);
        lbl[4 * nl] = 0;
        lbl[4 * nl + 1] = r % 2 ? 1 : 2;
        lbl[4 * nl + 2] = 3;
        lbl[4 * nl + 3] = 4;
        nl++;
    }
    tsdb_postings_gc(p, dead, 1000, lbl, nl * 2);
    ck_assert_uint_eq(tsdb_postings_all(p)->n, 800);
    ck_assert_uint_eq(tsdb_postings_get(p, 0, 1)->n, 400);
    ck_assert_uint_eq(tsdb_postings_get(p, 3, 4)->n, 0);
    const uint32_t *vals = tsdb_postings_values(p, 3, &nv);
    ck_assert_uint_eq(nv, 4);
    for (size_t i = 0; i < nv; i++)
        ck_assert_uint_ne(vals[i], 4);
    /* a new series brings the value back */
    uint32_t again[4] = {0, 1, 3, 4};
    ck_assert_int_eq(tsdb_postings_add(p, 5000, again, 2), 0);
    tsdb_postings_values(p, 3, &nv);
    ck_assert_uint_eq(nv, 5);
    ck_assert_uint_gt(tsdb_postings_bytes(p), 800 * 4);
    tsdb_postings_free(p);
}
END_TEST

START_TEST(symbols)
{
    struct tsdb_syms *t = tsdb_syms_new();
    ck_assert_ptr_nonnull(t);
    char buf[64];
    for (int i = 0; i < 50000; i++) {
        snprintf(buf, sizeof(buf), "value-%d", i);
        ck_assert_uint_eq(tsdb_sym_intern(t, buf, strlen(buf)), (uint32_t)i);
    }
    ck_assert_uint_eq(tsdb_sym_intern(t, "value-123", 9), 123);
    ck_assert_uint_eq(tsdb_sym_find(t, "value-49999", 11), 49999);
    ck_assert_uint_eq(tsdb_sym_find(t, "value-50000", 11), TSDB_SYM_NONE);
    ck_assert_str_eq(tsdb_sym_str(t, 777), "value-777");
    ck_assert_uint_eq(tsdb_sym_len(t, 777), 9);
    char big[70000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    uint32_t id = tsdb_sym_intern(t, big, strlen(big));
    ck_assert_str_eq(tsdb_sym_str(t, id), big);
    ck_assert_uint_eq(tsdb_sym_intern(t, "", 0), id + 1);
    ck_assert_str_eq(tsdb_sym_str(t, 778), "value-778"); /* still intact */
    ck_assert_uint_ne(tsdb_hash_bytes(0, "ab", 2), tsdb_hash_bytes(0, "ba", 2));
    tsdb_syms_free(t);
}
END_TEST

START_TEST(oom_postings)
{
    for (long n = 1; n < 200; n++) {
        lm_alloc_fail_after(n);
        struct tsdb_postings *p = tsdb_postings_new();
        int rc = 0;
        for (uint32_t r = 0; p && r < 300 && !rc; r++) {
            uint32_t lbl[2] = {r % 7, 100 + r % 50};
            rc = tsdb_postings_add(p, r, lbl, 1);
        }
        lm_alloc_fail_after(0);
        tsdb_postings_free(p);
    }
}
END_TEST

Suite *
postings_suite(void)
{
    Suite *s = suite_create("postings");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, set_ops_random, 0, 4);
    tcase_add_test(tc, index_add_gc);
    tcase_add_test(tc, symbols);
    tcase_add_test(tc, oom_postings);
    suite_add_tcase(s, tc);
    return s;
}

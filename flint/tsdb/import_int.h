/* SPDX-License-Identifier: Apache-2.0 */
/* import_int.h: the series table of `flint tsdb import` (import_tab.c): samples
 * buffered per series for one batch of block ranges, found by the raw series text of
 * the page first (as a scrape cache) and by canonical label set second, so the same
 * series written with labels in another order is one series. Private to import*.c. */
#ifndef FLINT_TSDB_IMPORT_INT_H
#define FLINT_TSDB_IMPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flint/labels.h"

struct lm_parser;

struct imp_sample {
    int64_t t;           /* ms */
    double v;
};

struct imp_series {
    struct lbl_set ls;   /* owned labels, __name__ included */
    struct imp_sample *s;/* owned samples */
    size_t n, cap;
    bool unsorted;       /* a sample came older than the previous one */
};

struct imp_raw {
    char *key;           /* owned raw series text; NULL = empty slot */
    size_t len;
    uint64_t hash;
    uint32_t series;     /* index into v */
};

struct imp_series_tab {
    struct imp_series **v;   /* owned, creation order */
    size_t n, cap;
    struct imp_raw *raw;     /* open addressing on the raw text */
    size_t nraw, capraw;
    uint32_t *canon;         /* open addressing on lbl_set_hash: series index + 1 */
    size_t capcanon;
};

void imp_tab_init(struct imp_series_tab *t);
void imp_tab_free(struct imp_series_tab *t);
/* imp_tab_add: buffer the parser's current sample (t, v) for its series. 0, LM_ENOMEM,
 * or LM_ELABEL (a label set the TSDB cannot hold). */
int imp_tab_add(struct imp_series_tab *t, const struct lm_parser *p, int64_t ts, double v);
/* imp_tab_sort: sort each series by time and keep the first of equal timestamps;
 * returns how many were dropped. */
uint64_t imp_tab_sort(struct imp_series_tab *t);
/* imp_series_lower: index of the first sample with time >= t. */
size_t imp_series_lower(const struct imp_series *s, int64_t t);

#endif

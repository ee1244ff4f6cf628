/* SPDX-License-Identifier: Apache-2.0 */
/* symbols.h: the head's string interning table. Every label name and value is stored
 * once and named by a dense uint32 id; a series' label set is then an array of id pairs.
 * Strings are never freed before the table (their pointers stay valid for its life), so
 * readers may keep them. Not locked: the head serialises writers with its own lock.
 * Internal to flint/tsdb. Prefix tsdb_sym_. */
#ifndef FLINT_TSDB_SYMBOLS_H
#define FLINT_TSDB_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

#define TSDB_SYM_NONE UINT32_MAX

struct tsdb_syms;

/* tsdb_hash_bytes: a fast 64-bit hash of p[0..n) mixed into seed. */
uint64_t tsdb_hash_bytes(uint64_t seed, const void *p, size_t n);

/* tsdb_syms_new: an empty table. NULL on OOM. _free: release all (NULL ok). */
struct tsdb_syms *tsdb_syms_new(void);
void tsdb_syms_free(struct tsdb_syms *s);
/* tsdb_sym_intern: the id of s[0..n), added if new. TSDB_SYM_NONE on OOM. */
uint32_t tsdb_sym_intern(struct tsdb_syms *t, const char *s, size_t n);
/* tsdb_sym_find: the id of s[0..n) or TSDB_SYM_NONE when absent. */
uint32_t tsdb_sym_find(const struct tsdb_syms *t, const char *s, size_t n);
/* tsdb_sym_str: the string of id (borrowed for the table's life; NUL-terminated). */
const char *tsdb_sym_str(const struct tsdb_syms *t, uint32_t id);
/* tsdb_sym_len: the length of id's string. */
uint32_t tsdb_sym_len(const struct tsdb_syms *t, uint32_t id);
/* tsdb_syms_count / tsdb_syms_bytes: number of symbols, bytes held (for stats). */
uint32_t tsdb_syms_count(const struct tsdb_syms *t);
size_t tsdb_syms_bytes(const struct tsdb_syms *t);

#endif

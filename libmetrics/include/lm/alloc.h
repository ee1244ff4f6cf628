/* SPDX-License-Identifier: Apache-2.0 */
/* alloc.h: the allocation hooks every libmetrics allocation goes through, so tests can
 * fail the Nth allocation and binaries can plug in their own allocator. libmetrics never
 * aborts on OOM: it returns LM_ENOMEM or NULL. */
#ifndef LM_ALLOC_H
#define LM_ALLOC_H

#include <stddef.h>

/* Replaceable allocator. Set once, before any other libmetrics call; not thread-safe. */
struct lm_allocator {
    void *(*malloc_fn)(size_t n);             /* like malloc */
    void *(*realloc_fn)(void *p, size_t n);   /* like realloc */
    void (*free_fn)(void *p);                 /* like free; accepts NULL */
};
void lm_allocator_set(const struct lm_allocator *a);  /* NULL restores libc */

void *lm_malloc(size_t n) __attribute__((malloc, warn_unused_result));
void *lm_calloc(size_t nmemb, size_t n) __attribute__((malloc, warn_unused_result));
void *lm_realloc(void *p, size_t n) __attribute__((warn_unused_result));
void lm_free(void *p);
char *lm_strdup(const char *s) __attribute__((malloc, warn_unused_result));
char *lm_strndup(const char *s, size_t n) __attribute__((malloc, warn_unused_result));

/* Fault injection for tests: the Nth allocation from now (1-based) and every later one
 * fail while enabled; 0 disables. lm_alloc_count() tells how many allocations were made
 * since the last lm_alloc_fail_after() call. Thread-safe (atomic counters). */
void lm_alloc_fail_after(long n);
long lm_alloc_count(void);

#endif

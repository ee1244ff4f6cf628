/* SPDX-License-Identifier: Apache-2.0 */
/* alloc.c: the allocation hooks (lm/alloc.h) and the fault injector tests use to fail
 * the Nth allocation. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "lm/alloc.h"

static struct lm_allocator alloc = {malloc, realloc, free};
static atomic_long fail_after;   /* 0: off; else the allocation number that starts failing */
static atomic_long count;        /* allocations since lm_alloc_fail_after */

void
lm_allocator_set(const struct lm_allocator *a)
{
    if (a)
        alloc = *a;
    else
        alloc = (struct lm_allocator){malloc, realloc, free};
}

void
lm_alloc_fail_after(long n)
{
    atomic_store(&count, 0);
    atomic_store(&fail_after, n);
}

long
lm_alloc_count(void)
{
    return atomic_load(&count);
}

/* should_fail: count one allocation; true when fault injection says it fails. */
static int
should_fail(void)
{
    long c = atomic_fetch_add(&count, 1) + 1;
    long f = atomic_load(&fail_after);
    return f > 0 && c >= f;
}

void *
lm_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return alloc.malloc_fn(n ? n : 1);
}

void *
lm_calloc(size_t nmemb, size_t n)
{
    if (n && nmemb > (size_t)-1 / n)
        return NULL;
    void *p = lm_malloc(nmemb * n);
    if (p)
        memset(p, 0, nmemb * n);
    return p;
}

void *
lm_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return alloc.realloc_fn(p, n ? n : 1);
}

void
lm_free(void *p)
{
    if (p)
        alloc.free_fn(p);
}

char *
lm_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = lm_malloc(len + 1);
    if (!d)
        return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *
lm_strdup(const char *s)
{
    return lm_strndup(s, (size_t)-1);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* buf.c: the capped growable buffer (lm/buf.h). Growth doubles; the first failure is
 * sticky so writers check once at the end. */
#include <stdio.h>
#include "lm/alloc.h"
#include "lm/buf.h"
#include "lm/err.h"

void
lm_buf_init(struct lm_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->err = 0;
}

void
lm_buf_cleanup(struct lm_buf *b)
{
    lm_free(b->data);
    lm_buf_init(b, b->max);
}

void
lm_buf_reset(struct lm_buf *b)
{
    b->len = 0;
    b->err = 0;
    if (b->data)
        b->data[0] = '\0';
}

int
lm_buf_reserve(struct lm_buf *b, size_t n)
{
    if (b->err)
        return b->err;
    if (n > b->max || b->len > b->max - n)
        return b->err = LM_ETOOBIG;
    size_t need = b->len + n + 1;   /* room for a NUL */
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    char *p = lm_realloc(b->data, cap);
    if (!p)
        return b->err = LM_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int
lm_buf_append_slow_(struct lm_buf *b, const void *p, size_t n)
{
    int rc = lm_buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

char *
lm_buf_take(struct lm_buf *b, size_t *len)
{
    char *p = b->err ? NULL : b->data;
    if (p)
        p[b->len] = '\0';   /* every append leaves room for it */
    if (len)
        *len = p ? b->len : 0;
    if (!p)
        lm_free(b->data);
    lm_buf_init(b, b->max);
    return p;
}

const char *
lm_buf_cstr(struct lm_buf *b)
{
    if (b->err || !b->data)
        return "";
    b->data[b->len] = '\0';
    return b->data;
}

int
lm_buf_vprintf(struct lm_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return b->err ? b->err : (b->err = LM_EINVAL);
    if ((size_t)n < sizeof tmp)
        return lm_buf_append(b, tmp, (size_t)n);
    int rc = lm_buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int
lm_buf_printf(struct lm_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = lm_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* buf.h: a growable byte buffer with a hard cap (curl's dynbuf). Appends past the cap or
 * a failed allocation mark the buffer failed: later appends are no-ops that return the
 * same error, so a writer can append freely and check once at the end. */
#ifndef LM_BUF_H
#define LM_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct lm_buf {
    char *data;       /* owned; always has room for a NUL after len (see lm_buf_cstr) */
    size_t len;       /* bytes used */
    size_t cap;       /* bytes allocated */
    size_t max;       /* hard cap on len; see LM_LIMIT_* in limits.h */
    int err;          /* 0, or the sticky LM_E* of the first failed append */
};

/* Set up caller storage with cap max (bytes). Allocates nothing; cannot fail. */
void lm_buf_init(struct lm_buf *b, size_t max);
/* Free the data and return to the init state (same max, err cleared). */
void lm_buf_cleanup(struct lm_buf *b);
/* Keep the allocation, set len to 0 and clear err. */
void lm_buf_reset(struct lm_buf *b);
/* Make room for n more bytes. 0, LM_ENOMEM or LM_ETOOBIG (sticky). */
int lm_buf_reserve(struct lm_buf *b, size_t n);
/* Hand the data to the caller, NUL-terminated (free with lm_free), and reset b; *len gets
 * the length.
 * Returns NULL when nothing was ever appended, or after a failed append. */
char *lm_buf_take(struct lm_buf *b, size_t *len);
/* NUL-terminated view of the contents, valid until the next append or cleanup.
 * Returns "" when empty or failed. */
const char *lm_buf_cstr(struct lm_buf *b);

int lm_buf_append_slow_(struct lm_buf *b, const void *p, size_t n);

/* Append n bytes. Returns 0 or the sticky error. */
static inline int
lm_buf_append(struct lm_buf *b, const void *p, size_t n)
{
    if (b->len + n < b->cap && !b->err) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
        return 0;
    }
    return lm_buf_append_slow_(b, p, n);
}
static inline int
lm_buf_puts(struct lm_buf *b, const char *s)
{
    return lm_buf_append(b, s, strlen(s));
}
static inline int
lm_buf_putc(struct lm_buf *b, char c)
{
    return lm_buf_append(b, &c, 1);
}
int lm_buf_printf(struct lm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int lm_buf_vprintf(struct lm_buf *b, const char *fmt, va_list ap);

#endif

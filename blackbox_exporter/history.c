/* SPDX-License-Identifier: Apache-2.0 */
/* history.c: the last --history.limit probes, as the Go build keeps them: module, target,
 * outcome and the debug=true text of each, under increasing ids; shown newest first in
 * the landing page's "Recent Probes" table, each debug text at /logs?id=N. A ring of
 * owned copies under one mutex: adding is O(1) and a probe's text is freed when it
 * falls off the ring. Texts are kept deflated (zlib, a 4 KiB window: a probe's text is
 * mostly HELP lines and log keys, about a third of it stays), so the default 100 probes
 * cost ~120 KiB instead of ~350 KiB. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include "blackbox_exporter/bb.h"
#include "lm/alloc.h"

struct entry {
    long id;                /* probe id, -1 for an unused slot */
    char *module;           /* owned */
    char *target;           /* owned */
    bool ok;                /* probe_success */
    unsigned char *z;       /* debug output, raw deflate (owned) */
    size_t zlen;            /* bytes in z */
    size_t len;             /* bytes of the text */
};

struct bb_history {
    pthread_mutex_t mu;     /* guards everything below */
    struct entry *ring;     /* limit slots */
    size_t limit;           /* slots */
    long next;              /* id of the next probe */
};

struct bb_history *
bb_history_new(size_t limit)
{
    struct bb_history *h = lm_calloc(1, sizeof *h);
    if (!h)
        return NULL;
    if (limit && !(h->ring = lm_calloc(limit, sizeof *h->ring))) {
        lm_free(h);
        return NULL;
    }
    pthread_mutex_init(&h->mu, NULL);
    h->limit = limit;
    for (size_t i = 0; i < limit; i++)
        h->ring[i].id = -1;
    return h;
}

static void
entry_clear(struct entry *e)
{
    lm_free(e->module);
    lm_free(e->target);
    lm_free(e->z);
    memset(e, 0, sizeof *e);
    e->id = -1;
}

void
bb_history_free(struct bb_history *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->limit; i++)
        entry_clear(&h->ring[i]);
    lm_free(h->ring);
    pthread_mutex_destroy(&h->mu);
    lm_free(h);
}

/* zstart: a raw deflate stream with a small window (4 KiB) and little state. */
static int
zstart(z_stream *z)
{
    memset(z, 0, sizeof *z);
    return deflateInit2(z, 1, Z_DEFLATED, -12, 2, Z_DEFAULT_STRATEGY);
}

/* deflate_text: text[0..len) deflated into *out (owned, *outlen bytes). 0 or -1. */
static int
deflate_text(const char *text, size_t len, unsigned char **out, size_t *outlen)
{
    z_stream z;
    if (zstart(&z) != Z_OK)
        return -1;
    uLong cap = deflateBound(&z, (uLong)len);
    unsigned char *b = lm_malloc(cap);
    int rc = -1;
    if (b) {
        z.next_in = (unsigned char *)(uintptr_t)text;
        z.avail_in = (uInt)len;
        z.next_out = b;
        z.avail_out = (uInt)cap;
        if (deflate(&z, Z_FINISH) == Z_STREAM_END) {
            *outlen = cap - z.avail_out;
            *out = lm_realloc(b, *outlen ? *outlen : 1);
            rc = *out ? 0 : -1;
        }
        if (rc)
            lm_free(b);
    }
    deflateEnd(&z);
    return rc;
}

void
bb_history_add(struct bb_history *h, const char *module, const char *target, bool ok,
               const char *text, size_t len)
{
    if (!h || !h->limit)
        return;
    struct entry n = {.module = lm_strdup(module), .target = lm_strdup(target), .ok = ok,
                      .len = len};
    if (!n.module || !n.target || deflate_text(text, len, &n.z, &n.zlen)) {
        entry_clear(&n);
        return;
    }
    pthread_mutex_lock(&h->mu);
    n.id = h->next++;
    struct entry old = h->ring[(size_t)n.id % h->limit];
    h->ring[(size_t)n.id % h->limit] = n;
    pthread_mutex_unlock(&h->mu);
    entry_clear(&old);
}

int
bb_history_text(struct bb_history *h, long id, struct lm_buf *out)
{
    int rc = LM_ENOENT;
    if (!h || !h->limit || id < 0)
        return rc;
    pthread_mutex_lock(&h->mu);
    const struct entry *e = &h->ring[(size_t)id % h->limit];
    if (e->id == id && !(rc = lm_buf_reserve(out, e->len))) {
        z_stream z;
        memset(&z, 0, sizeof z);
        if (inflateInit2(&z, -12) != Z_OK) {
            rc = LM_ENOMEM;
        } else {
            z.next_in = e->z;
            z.avail_in = (uInt)e->zlen;
            z.next_out = (unsigned char *)out->data + out->len;
            z.avail_out = (uInt)e->len;
            rc = inflate(&z, Z_FINISH) == Z_STREAM_END && !z.avail_out ? 0 : LM_EIO;
            if (!rc)
                out->len += e->len;
            inflateEnd(&z);
        }
    }
    pthread_mutex_unlock(&h->mu);
    return rc;
}

/* html: s escaped for HTML text and attribute values, appended to out. */
static void
html(struct lm_buf *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': lm_buf_puts(out, "&lt;"); break;
        case '>': lm_buf_puts(out, "&gt;"); break;
        case '&': lm_buf_puts(out, "&amp;"); break;
        case '"': lm_buf_puts(out, "&#34;"); break;
        case '\'': lm_buf_puts(out, "&#39;"); break;
        default: lm_buf_putc(out, *s);
        }
    }
}

void
bb_history_html(struct bb_history *h, struct lm_buf *out)
{
    lm_buf_puts(out, "<h2>Recent Probes</h2>\n<table border='1'><tr><th>Module</th>"
                     "<th>Target</th><th>Result</th><th>Debug</th></tr>\n");
    if (h && h->limit) {
        pthread_mutex_lock(&h->mu);
        for (long id = h->next - 1; id >= 0 && id >= h->next - (long)h->limit; id--) {
            const struct entry *e = &h->ring[(size_t)id % h->limit];
            if (e->id != id)
                continue;
            lm_buf_puts(out, "<tr><td>");
            html(out, e->module);
            lm_buf_puts(out, "</td><td>");
            html(out, e->target);
            lm_buf_printf(out, "</td><td>%s</td><td><a href='logs?id=%ld'>Logs</a></td></tr>\n",
                          e->ok ? "<span style='color:green'>Success</span>"
                                : "<strong style='color:red'>Failure</strong>",
                          id);
        }
        pthread_mutex_unlock(&h->mu);
    }
    lm_buf_puts(out, "</table>\n");
}

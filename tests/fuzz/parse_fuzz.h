/* SPDX-License-Identifier: Apache-2.0 */
/* parse_fuzz.h: the body shared by the parse_text and parse_om fuzz targets: parse the
 * input whole (in place), then fed in pseudo-random chunks (the streaming path), and
 * check invariants: every name and label valid, values UTF-8, errors positioned, and the
 * chunked run sees exactly the entries of the whole run. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lm/limits.h"
#include "lm/parse.h"

/* FNV-1a over bytes, chained. */
static uint64_t
fz_hash(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 0x100000001b3ULL;
    return h;
}

static int
fz_name_ok(struct lm_span s, int metric)
{
    if (s.len == 0 || s.len > LM_LIMIT_NAME_BYTES)
        return 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                 (metric && c == ':') || (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            return 0;
    }
    return 1;
}

static int
fz_utf8_ok(struct lm_span s)
{
    const unsigned char *p = (const unsigned char *)s.ptr;
    for (size_t i = 0; i < s.len;) {
        unsigned char c = p[i];
        size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
                 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        if (!n || i + n > s.len)
            return 0;
        for (size_t k = 1; k < n; k++)
            if ((p[i + k] & 0xc0) != 0x80)
                return 0;
        i += n;
    }
    return 1;
}

static uint64_t
fz_labels(uint64_t h, const struct lm_parse_label *l, size_t n)
{
    if (n > LM_LIMIT_LABELS)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (!fz_name_ok(l[i].name, 0) || !fz_utf8_ok(l[i].value))
            abort();
        for (size_t k = 0; k < i; k++)
            if (l[k].name.len == l[i].name.len &&
                !memcmp(l[k].name.ptr, l[i].name.ptr, l[i].name.len))
                abort();
        h = fz_hash(h, l[i].name.ptr, l[i].name.len);
        h = fz_hash(h, "=", 1);
        h = fz_hash(h, l[i].value.ptr, l[i].value.len);
    }
    return h;
}

/* fz_entry: check the current entry and fold it into h. */
static uint64_t
fz_entry(struct lm_parser *p, enum lm_parse_entry e, uint64_t h)
{
    h = fz_hash(h, &e, sizeof e);
    size_t line = lm_parser_line(p);
    h = fz_hash(h, &line, sizeof line);
    struct lm_span n = lm_parser_name(p), t = lm_parser_text(p);
    switch (e) {
    case LM_PARSE_HELP:
    case LM_PARSE_TYPE:
    case LM_PARSE_UNIT:
        if (!fz_name_ok(n, 1) || (e == LM_PARSE_HELP && !fz_utf8_ok(t)))
            abort();
        h = fz_hash(fz_hash(h, n.ptr, n.len), t.ptr, t.len);
        break;
    case LM_PARSE_COMMENT:
        h = fz_hash(h, t.ptr, t.len);
        break;
    case LM_PARSE_SAMPLE: {
        if (!fz_name_ok(n, 1))
            abort();
        h = fz_hash(h, n.ptr, n.len);
        const struct lm_parse_label *l;
        size_t k = lm_parser_labels(p, &l);
        h = fz_labels(h, l, k);
        double v = lm_parser_value(p);
        h = fz_hash(h, &v, sizeof v);
        int64_t ts = 0;
        if (lm_parser_timestamp(p, &ts))
            h = fz_hash(h, &ts, sizeof ts);
        enum lm_parse_type ty = lm_parser_type(p);
        h = fz_hash(h, &ty, sizeof ty);
        struct lm_span s = lm_parser_series(p);
        if (s.len < n.len || memcmp(s.ptr, n.ptr, n.len) != 0)
            abort();
        struct lm_parse_exemplar ex;
        if (lm_parser_exemplar(p, &ex)) {
            h = fz_labels(h, ex.labels, ex.nlabels);
            h = fz_hash(h, &ex.value, sizeof ex.value);
            if (ex.has_ts)
                h = fz_hash(h, &ex.ts_ms, sizeof ex.ts_ms);
        }
        break;
    }
    case LM_PARSE_ERROR: {
        const struct lm_err *err = lm_parser_error(p);
        size_t l = 0, c = 0;
        char tail;
        if (!err->code || !err->msg[0] || sscanf(err->where, "%zu:%zu%c", &l, &c, &tail) != 2 ||
            l == 0 || c == 0)
            abort();
        h = fz_hash(h, err->where, strlen(err->where));
        h = fz_hash(h, err->msg, strlen(err->msg));
        break;
    }
    default:
        break;
    }
    return h;
}

/* fz_run: parse data in chunks (0: whole), returning the hash of all entries. */
static uint64_t
fz_run(enum lm_format fmt, const uint8_t *data, size_t size, uint32_t seed, int lenient)
{
    struct lm_parser *p = lm_parser_new(fmt);
    if (!p)
        abort();
    lm_parser_allow_missing_eol(p, lenient);
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t off = 0;
    enum lm_parse_entry e = LM_PARSE_NEED_MORE;
    for (int guard = 0; guard < 10000000; guard++) {
        if (e == LM_PARSE_NEED_MORE) {
            if (off == size && (size > 0 || guard > 0)) {
                lm_parser_finish(p);
            } else {
                size_t n = size - off;
                if (seed) {
                    seed = seed * 1103515245u + 12345u;
                    size_t c = 1 + (seed >> 8) % 97;
                    if (c < n)
                        n = c;
                }
                if (lm_parser_feed(p, (const char *)data + off, n) != 0)
                    abort();
                off += n;
            }
        }
        e = lm_parser_next(p);
        if (e == LM_PARSE_NEED_MORE)
            continue;
        h = fz_entry(p, e, h);
        if (e == LM_PARSE_END || e == LM_PARSE_ERROR)
            break;
    }
    if (e != LM_PARSE_END && e != LM_PARSE_ERROR)
        abort();
    if (lm_parser_next(p) != e)   /* END and ERROR are sticky */
        abort();
    lm_parser_free(p);
    return h;
}

static int
fz_one(enum lm_format fmt, const uint8_t *data, size_t size)
{
    uint64_t whole = fz_run(fmt, data, size, 0, 0);
    uint32_t seed = (uint32_t)fz_hash(0, data, size) | 1u;
    if (fz_run(fmt, data, size, seed, 0) != whole)
        abort();
    if (fmt == LM_FORMAT_TEXT)
        (void)fz_run(fmt, data, size, seed ^ 0x5a5a, 1);
    return 0;
}

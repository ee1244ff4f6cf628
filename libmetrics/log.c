/* SPDX-License-Identifier: Apache-2.0 */
/* log.c: the logger (lm/log.h) in go-kit/promlog's shapes: logfmt
 * (ts caller level msg key=value...) and JSON (one object, keys sorted as Go's
 * encoding/json does for a map). Each line is formatted into a bounded stack buffer and
 * written with one write(2) under a mutex; identical lines within a second are dropped. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "lm/limits.h"
#include "lm/log.h"

#define MAX_PAIRS 32           /* key/value pairs kept per line (beyond: ignored) */
#define RATE_WINDOW_NS 1000000000LL

struct lm_log {
    int fd;                       /* where lines go (fileno of the FILE given) */
    enum lm_log_level level;      /* lowest level written */
    enum lm_log_format fmt;       /* logfmt or JSON */
    pthread_mutex_t mu;           /* serialises the rate-limit state and write() */
    uint64_t last_hash;           /* hash of the last line's keys and values, without ts */
    long long last_ns;            /* CLOCK_MONOTONIC time it was written */
};

static const char *const level_names[] = {"debug", "info", "warn", "error"};

struct lm_log *
lm_log_new(FILE *out, enum lm_log_level level, enum lm_log_format fmt)
{
    struct lm_log *l = lm_calloc(1, sizeof *l);
    if (!l)
        return NULL;
    if (!out)
        out = stderr;
    fflush(out);
    l->fd = fileno(out);
    l->level = level;
    l->fmt = fmt;
    l->last_ns = -RATE_WINDOW_NS - 1;
    pthread_mutex_init(&l->mu, NULL);
    return l;
}

void
lm_log_free(struct lm_log *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->mu);
    lm_free(l);
}

int
lm_log_level_parse(const char *s, enum lm_log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (s && !strcmp(s, level_names[i])) {
            *out = (enum lm_log_level)i;
            return 0;
        }
    }
    return LM_EINVAL;
}

int
lm_log_format_parse(const char *s, enum lm_log_format *out)
{
    if (s && !strcmp(s, "logfmt"))
        *out = LM_LOG_LOGFMT;
    else if (s && !strcmp(s, "json"))
        *out = LM_LOG_JSON;
    else
        return LM_EINVAL;
    return 0;
}

int
lm_log_enabled(const struct lm_log *l, enum lm_log_level level)
{
    return l && level >= l->level;
}

/* A bounded line under construction; overflow is remembered and the line truncated. */
struct line {
    char *p;       /* buffer */
    size_t len;    /* bytes used */
    size_t cap;    /* bytes available, keeping room for "\n" */
    int full;      /* something did not fit */
};

static void
put(struct line *ln, const char *s, size_t n)
{
    if (n > ln->cap - ln->len) {
        n = ln->cap - ln->len;
        ln->full = 1;
    }
    memcpy(ln->p + ln->len, s, n);
    ln->len += n;
}

static void
puts_(struct line *ln, const char *s)
{
    put(ln, s, strlen(s));
}

/* logfmt needs quotes for empty-free values containing space, '=', '"' or a control
 * byte (go-logfmt's rule; an empty value stays bare: `key=`). */
static int
needs_quotes(const char *v)
{
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p <= ' ' || *p == '=' || *p == '"' || *p == 0x7f)
            return 1;
    return 0;
}

/* put_quoted: "v" with \\ \" \n \r \t and \u00XX for other control bytes (as both
 * go-logfmt and encoding/json escape). */
static void
put_quoted(struct line *ln, const char *v)
{
    put(ln, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        char esc[8];
        switch (*p) {
        case '"': put(ln, "\\\"", 2); break;
        case '\\': put(ln, "\\\\", 2); break;
        case '\n': put(ln, "\\n", 2); break;
        case '\r': put(ln, "\\r", 2); break;
        case '\t': put(ln, "\\t", 2); break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                snprintf(esc, sizeof esc, "\\u%04x", *p);
                puts_(ln, esc);
            } else {
                put(ln, (const char *)p, 1);
            }
        }
    }
    put(ln, "\"", 1);
}

static void
put_logfmt(struct line *ln, const char *k, const char *v)
{
    if (ln->len)
        put(ln, " ", 1);
    puts_(ln, k);
    put(ln, "=", 1);
    if (needs_quotes(v))
        put_quoted(ln, v);
    else
        puts_(ln, v);
}

struct kv {
    const char *k;   /* key, borrowed */
    const char *v;   /* value, borrowed */
};

static int
kv_cmp(const void *a, const void *b)
{
    return strcmp(((const struct kv *)a)->k, ((const struct kv *)b)->k);
}

/* fnv1a: continue FNV-1a hash h over n bytes of s. */
static uint64_t
fnv1a(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static long long
mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* write_all: one write(2) for the whole line in the normal case; retries on EINTR and
 * continues after a short write. Errors are dropped: logging cannot fail. */
static void
write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

void
lm_log_write(struct lm_log *l, enum lm_log_level level, const char *file, int line,
             const char *msg, ...)
{
    if (!lm_log_enabled(l, level))
        return;
    if ((unsigned)level > LM_LOG_ERROR)
        level = LM_LOG_ERROR;

    struct kv kvs[MAX_PAIRS + 4];
    size_t n = 0;
    char caller[128];
    const char *base = file ? strrchr(file, '/') : NULL;
    snprintf(caller, sizeof caller, "%s:%d", base ? base + 1 : file ? file : "?", line);
    kvs[n++] = (struct kv){"caller", caller};
    kvs[n++] = (struct kv){"level", level_names[level]};
    if (msg)   /* NULL msg: no msg key, as in upstream's `level=info collector=cpu` */
        kvs[n++] = (struct kv){"msg", msg};
    va_list ap;
    va_start(ap, msg);
    for (;;) {
        const char *k = va_arg(ap, const char *);
        if (!k)
            break;
        const char *v = va_arg(ap, const char *);
        if (!v)
            break;
        if (n < MAX_PAIRS + 3)
            kvs[n++] = (struct kv){k, v};
    }
    va_end(ap);
    /* Identity of the line for rate limiting: every key and value except ts. */
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h = fnv1a(h, kvs[i].k, strlen(kvs[i].k) + 1);
        h = fnv1a(h, kvs[i].v, strlen(kvs[i].v) + 1);
    }

    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    char ts[96];
    snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (int)(now.tv_nsec / 1000000L) % 1000);

    /* Body first (without ts) so it can be compared with the previous line. */
    char buf[LM_LIMIT_LOG_LINE];
    struct line ln = {buf, 0, sizeof buf - 1, 0};
    if (l->fmt == LM_LOG_JSON) {
        kvs[n++] = (struct kv){"ts", ts};
        qsort(kvs, n, sizeof kvs[0], kv_cmp);
        put(&ln, "{", 1);
        for (size_t i = 0; i < n; i++) {
            if (i)
                put(&ln, ",", 1);
            put_quoted(&ln, kvs[i].k);
            put(&ln, ":", 1);
            put_quoted(&ln, kvs[i].v);
        }
        put(&ln, "}", 1);
    } else {
        put_logfmt(&ln, "ts", ts);
        for (size_t i = 0; i < n; i++)
            put_logfmt(&ln, kvs[i].k, kvs[i].v);
    }
    if (ln.full && ln.len >= 3)
        memcpy(buf + ln.len - 3, "...", 3);
    buf[ln.len++] = '\n';

    pthread_mutex_lock(&l->mu);
    long long t = mono_ns();
    if (h == l->last_hash && t - l->last_ns < RATE_WINDOW_NS) {
        pthread_mutex_unlock(&l->mu);
        return;
    }
    l->last_hash = h;
    l->last_ns = t;
    write_all(l->fd, buf, ln.len);
    pthread_mutex_unlock(&l->mu);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* procfile.c: the /proc and /sys reader behind lm/procfile.h. One read() loop fills a
 * reusable buffer; a second buffer holds two copies split in place (one into lines, one
 * into words), so line and word views need no allocation per scrape once the buffers have
 * grown. Also the sscanf-free number parsers and the one-value sysfs readers. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "lm/procfile.h"
#include "procfile_int.h"

/* The biggest file we read whole: /proc/net/tcp on a busy host is some MiB. */
#define PROCFILE_MAX_BYTES (64UL * 1024 * 1024)
#define PROCFILE_MIN_BYTES 4096
#define ONEVALUE_BYTES 4096

struct pf_line {
    size_t first;           /* index of the line's first word in words[] */
    size_t nwords;          /* number of words on the line */
    const char *text;       /* the line, NUL-terminated, in split[] */
};

struct lm_procfile {
    char *data;             /* raw contents + NUL (owned) */
    size_t len;             /* bytes of data used */
    size_t cap;             /* bytes allocated for data */
    char *split;            /* 2 * (len + 1) bytes: lines copy, then words copy (owned) */
    size_t split_cap;       /* bytes allocated for split */
    struct pf_line *lines;  /* line table (owned) */
    size_t nlines;          /* lines used */
    size_t lines_cap;       /* lines allocated */
    const char **words;     /* word table, views into split (owned array) */
    size_t nwords;          /* words used */
    size_t words_cap;       /* words allocated */
    bool sep[256];          /* word separator map; '\n' is handled apart */
};

struct lm_procfile *
lm_procfile_new(const char *seps)
{
    struct lm_procfile *pf = lm_calloc(1, sizeof *pf);
    if (!pf)
        return NULL;
    if (!seps)
        seps = " \t";
    for (const unsigned char *s = (const unsigned char *)seps; *s; s++)
        if (*s != '\n')
            pf->sep[*s] = true;
    return pf;
}

void
lm_procfile_free(struct lm_procfile *pf)
{
    if (!pf)
        return;
    lm_free(pf->data);
    lm_free(pf->split);
    lm_free(pf->lines);
    lm_free(pf->words);
    lm_free(pf);
}

/* grow: make *p hold at least need elements of size sz. 0 or LM_ENOMEM (*p unchanged). */
static int
grow(void **p, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *q = lm_realloc(*p, n * sz);
    if (!q)
        return LM_ENOMEM;
    *p = q;
    *cap = n;
    return 0;
}

/* slurp_fd: read fd from offset 0 to EOF into pf->data with pread (so a cached fd is
 * re-read from the start). 0, a positive errno from pread, LM_ETOOBIG or LM_ENOMEM. */
static int
slurp_fd(int fd, void *arg)
{
    struct lm_procfile *pf = arg;
    pf->len = 0;
    for (;;) {
        if (pf->cap - pf->len < 2) {
            size_t want = pf->cap ? pf->cap * 2 : PROCFILE_MIN_BYTES;
            if (want > PROCFILE_MAX_BYTES + 1)
                return LM_ETOOBIG;
            char *q = lm_realloc(pf->data, want);
            if (!q)
                return LM_ENOMEM;
            pf->data = q;
            pf->cap = want;
        }
        ssize_t r = pread(fd, pf->data + pf->len, pf->cap - pf->len - 1, (off_t)pf->len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (r == 0)
            return 0;
        pf->len += (size_t)r;
    }
}

/* slurp: read the whole file at path into pf->data. 0 or LM_E* with err set. */
static int
slurp(struct lm_procfile *pf, const char *path, struct lm_err *err)
{
    bool opened;
    int rc = lmi_pfc_with_file(path, slurp_fd, pf, &opened);
    if (rc) {
        pf->len = 0;
        if (rc == LM_ETOOBIG)
            lm_err_set(err, rc, path, "read %s: larger than %lu bytes", path, PROCFILE_MAX_BYTES);
        else if (rc == LM_ENOMEM)
            lm_err_set(err, rc, path, "read %s: out of memory", path);
        else if (!opened)
            rc = lm_err_set(err, rc == ENOENT || rc == ENOTDIR ? LM_ENOENT : LM_EIO, path,
                            "open %s: %s", path, strerror(rc));
        else
            rc = lm_err_set(err, LM_EIO, path, "read %s: %s", path, strerror(rc));
    }
    if (pf->data)
        pf->data[pf->len] = '\0';
    return rc;
}

/* split: build the line and word tables from data. 0 or LM_ENOMEM. */
static int
split(struct lm_procfile *pf)
{
    size_t n = pf->len;
    void *sp = pf->split;
    if (grow(&sp, &pf->split_cap, 2 * (n + 1), 1))
        return LM_ENOMEM;
    pf->split = sp;
    char *lc = pf->split, *wc = pf->split + n + 1;
    memcpy(lc, pf->data, n + 1);
    memcpy(wc, pf->data, n + 1);
    size_t i = 0;
    while (i < n) {
        if (pf->nlines == pf->lines_cap) {
            void *p = pf->lines;
            if (grow(&p, &pf->lines_cap, pf->nlines + 1, sizeof *pf->lines))
                return LM_ENOMEM;
            pf->lines = p;
        }
        struct pf_line *ln = &pf->lines[pf->nlines++];
        ln->text = lc + i;
        ln->first = pf->nwords;
        ln->nwords = 0;
        while (i < n && wc[i] != '\n') {
            if (pf->sep[(unsigned char)wc[i]]) {
                wc[i++] = '\0';
                continue;
            }
            if (pf->nwords == pf->words_cap) {
                void *p = pf->words;
                if (grow(&p, &pf->words_cap, pf->nwords + 1, sizeof *pf->words))
                    return LM_ENOMEM;
                pf->words = p;
            }
            pf->words[pf->nwords++] = wc + i;
            ln->nwords++;
            while (i < n && wc[i] != '\n' && !pf->sep[(unsigned char)wc[i]])
                i++;
        }
        if (i < n) {    /* at the newline */
            lc[i] = '\0';
            wc[i] = '\0';
            i++;
        }
    }
    return 0;
}

int
lm_procfile_read(struct lm_procfile *pf, const char *path, struct lm_err *err)
{
    pf->nlines = 0;
    pf->nwords = 0;
    int rc = slurp(pf, path, err);
    if (rc)
        return rc;
    if (split(pf)) {
        pf->nlines = 0;
        pf->nwords = 0;
        return lm_err_set(err, LM_ENOMEM, path, "split %s: out of memory", path);
    }
    return 0;
}

size_t
lm_procfile_lines(const struct lm_procfile *pf)
{
    return pf->nlines;
}

size_t
lm_procfile_words(const struct lm_procfile *pf, size_t line)
{
    return line < pf->nlines ? pf->lines[line].nwords : 0;
}

const char *
lm_procfile_word(const struct lm_procfile *pf, size_t line, size_t word)
{
    if (line >= pf->nlines || word >= pf->lines[line].nwords)
        return "";
    return pf->words[pf->lines[line].first + word];
}

const char *
lm_procfile_line(const struct lm_procfile *pf, size_t line)
{
    return line < pf->nlines ? pf->lines[line].text : "";
}

const char *
lm_procfile_data(const struct lm_procfile *pf, size_t *len)
{
    if (len)
        *len = pf->data ? pf->len : 0;
    return pf->data ? pf->data : "";
}

/* number_end: s with one trailing "\n" allowed; returns the length to parse. */
static size_t
number_len(const char *s)
{
    size_t n = strlen(s);
    if (n && s[n - 1] == '\n')
        n--;
    return n;
}

/* digits: parse n decimal digits of s into *out. 0 or LM_EPARSE (none, junk, overflow). */
static int
digits(const char *s, size_t n, uint64_t *out)
{
    if (n == 0)
        return LM_EPARSE;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9)
            return LM_EPARSE;
        if (v > (UINT64_MAX - d) / 10)
            return LM_EPARSE;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int
lm_parse_u64(const char *s, uint64_t *out)
{
    return digits(s, number_len(s), out);
}

int
lm_parse_i64(const char *s, int64_t *out)
{
    size_t n = number_len(s);
    bool neg = n && s[0] == '-';
    if (n && (s[0] == '-' || s[0] == '+')) {
        s++;
        n--;
    }
    uint64_t v;
    if (digits(s, n, &v))
        return LM_EPARSE;
    if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
        return LM_EPARSE;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

int
lm_parse_double(const char *s, double *out)
{
    size_t n = number_len(s);
    uint64_t v;
    /* fast path: plain integers that convert exactly */
    if (n && n < 16 && digits(s, n, &v) == 0) {
        *out = (double)v;
        return 0;
    }
    if (n == 0 || s[0] == ' ' || s[0] == '\t' || s[0] == '\n')
        return LM_EPARSE;
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (end != s + n)
        return LM_EPARSE;
    if (errno == ERANGE && isinf(d))    /* Go's ParseFloat also rejects overflow */
        return LM_EPARSE;
    *out = d;
    return 0;
}

/* One-value read: the buffer and the length read. */
struct small {
    char *buf;      /* destination, borrowed */
    size_t n;       /* its size */
    size_t len;     /* bytes read */
};

/* small_fd: one pread at offset 0. A sysfs or procfs attribute is generated whole on a
 * read, so a second read would only see EOF. 0 or a positive errno. */
static int
small_fd(int fd, void *arg)
{
    struct small *sm = arg;
    ssize_t r;
    do
        r = pread(fd, sm->buf, sm->n - 1, 0);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return errno;
    sm->len = (size_t)r;
    return 0;
}

/* read_small: read a one-value file into buf (n bytes), trimming trailing whitespace.
 * 0, LM_ENOENT or LM_EIO. */
static int
read_small(const char *path, char *buf, size_t n)
{
    struct small sm = {buf, n, 0};
    bool opened;
    int rc = lmi_pfc_with_file(path, small_fd, &sm, &opened);
    if (rc) {
        sm.len = 0;
        rc = !opened && (rc == ENOENT || rc == ENOTDIR) ? LM_ENOENT : LM_EIO;
    }
    size_t len = sm.len;
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' ' || buf[len - 1] == '\t'))
        len--;
    buf[len] = '\0';
    return rc;
}

int
lm_read_u64(const char *path, uint64_t *out)
{
    char buf[ONEVALUE_BYTES];
    int rc = read_small(path, buf, sizeof buf);
    if (rc)
        return rc;
    return lm_parse_u64(buf, out);
}

int
lm_read_double(const char *path, double *out)
{
    char buf[ONEVALUE_BYTES];
    int rc = read_small(path, buf, sizeof buf);
    if (rc)
        return rc;
    return lm_parse_double(buf, out);
}

int
lm_read_str(const char *path, char *out, size_t n)
{
    if (n == 0)
        return LM_EINVAL;
    return read_small(path, out, n);
}

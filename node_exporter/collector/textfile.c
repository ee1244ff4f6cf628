/* SPDX-License-Identifier: Apache-2.0 */
/* textfile.c: the textfile collector: every *.prom file in --collector.textfile.directory
 * (a glob is allowed, as upstream) is parsed and re-emitted, with
 * node_textfile_mtime_seconds{file} per good file and node_textfile_scrape_error. A bad
 * file is logged (file:line:col and reason) and skipped; the rest is still served.
 * Parsed files are cached between scrapes, keyed by (device, inode, size, mtime, ctime),
 * and re-parsed only when one of those changes. Parsing itself is in textfile_load.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "lm/flags.h"
#include "lm/log.h"
#include "lm/parse.h"
#include "node_exporter/collector/textfile.h"
#include "node_exporter/ne.h"

/* Upstream's default is "" (read nothing); Debian's package, which this replaces, and
 * the issue ask for /var/lib/prometheus/node-exporter. */
#define TEXTFILE_DEFAULT_DIR "/var/lib/prometheus/node-exporter"
#define TEXTFILE_MAX_BYTES (1024UL * 1024 * 1024)   /* one *.prom file */

static const struct lm_flag_desc flags[] = {
    {"collector.textfile.directory", TEXTFILE_DEFAULT_DIR,
     "Directory to read text files with metrics from.", false},
    {NULL, NULL, NULL, false},
};

/* One *.prom file as last seen: its identity and what parsing it gave. */
struct tf_file {
    char *path;                  /* full path (lm_malloc) */
    dev_t dev;                   /* st_dev */
    ino_t ino;                   /* st_ino */
    off_t size;                  /* st_size */
    struct timespec mtim;        /* st_mtim */
    struct timespec ctim;        /* st_ctim */
    int rc;                      /* 0, or the load error code */
    struct lm_err err;           /* the load error when rc != 0 */
    struct ne_tf_parsed parsed;  /* families and samples when rc == 0 */
    bool seen;                   /* listed during the current scrape */
};

struct textfile {
    char *pattern;               /* --collector.textfile.directory (lm_malloc) */
    struct lm_parser *parser;    /* reused for every file */
    struct tf_file **files;      /* cache, in no particular order */
    size_t n;                    /* files cached */
    size_t cap;                  /* slots allocated */
};

/* A family name without HELP, and every good file that has a family of that name. */
struct gen_help {
    const char *name;            /* family name (borrowed from a cache entry) */
    const char *help;            /* "Metric read from a, b", built on first use */
    size_t nfiles;               /* files in the list */
    struct file_ref *files;      /* newest first */
};
struct file_ref {
    const char *path;            /* borrowed */
    struct file_ref *next;       /* older */
};

static void
file_free(struct tf_file *f)
{
    if (!f)
        return;
    ne_tf_free(&f->parsed);
    lm_free(f->path);
    lm_free(f);
}

static void
textfile_fini(void *state)
{
    struct textfile *t = state;
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        file_free(t->files[i]);
    lm_free(t->files);
    lm_parser_free(t->parser);
    lm_free(t->pattern);
    lm_free(t);
}

/* textfile_init: keep the directory flag and make the parser. 0 or LM_ENOMEM. */
static int
textfile_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    struct textfile *t = lm_calloc(1, sizeof *t);
    const char *dir = lm_flags_get(ctx->flags, "collector.textfile.directory");
    if (t) {
        t->pattern = lm_strdup(dir ? dir : "");
        t->parser = lm_parser_new(LM_FORMAT_TEXT);
    }
    if (!t || !t->pattern || !t->parser) {
        textfile_fini(t);
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    }
    *state = t;
    return 0;
}

/* read_all: the whole of fd (size hint st_size) into a new buffer. NULL and errno. */
static char *
read_all(int fd, size_t hint, size_t *len)
{
    size_t cap = hint + 1, n = 0;
    char *buf = lm_malloc(cap);
    while (buf) {
        if (n == cap) {
            if (cap >= TEXTFILE_MAX_BYTES) {
                lm_free(buf);
                errno = EFBIG;
                return NULL;
            }
            char *nb = lm_realloc(buf, cap * 2);
            if (!nb)
                break;
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            lm_free(buf);
            errno = e;
            return NULL;
        }
        if (r == 0) {
            *len = n;
            return buf;
        }
        n += (size_t)r;
    }
    lm_free(buf);
    errno = ENOMEM;
    return NULL;
}

static bool
same_file(const struct tf_file *f, const struct stat *st)
{
    return f->dev == st->st_dev && f->ino == st->st_ino && f->size == st->st_size &&
           f->mtim.tv_sec == st->st_mtim.tv_sec && f->mtim.tv_nsec == st->st_mtim.tv_nsec &&
           f->ctim.tv_sec == st->st_ctim.tv_sec && f->ctim.tv_nsec == st->st_ctim.tv_nsec;
}

/* cached: the cache entry for path, created empty (rc = LM_ENOENT) when missing. */
static struct tf_file *
cached(struct textfile *t, const char *path)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->files[i]->path, path) == 0)
            return t->files[i];
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        struct tf_file **nf = lm_realloc(t->files, cap * sizeof *nf);
        if (!nf)
            return NULL;
        t->files = nf;
        t->cap = cap;
    }
    struct tf_file *f = lm_calloc(1, sizeof *f);
    if (f && !(f->path = lm_strdup(path))) {
        lm_free(f);
        f = NULL;
    }
    if (f) {
        f->rc = LM_ENOENT;
        f->ino = (ino_t)-1;
        t->files[t->n++] = f;
    }
    return f;
}

/* load: bring f up to date with the file on disk: reuse the cached parse when the file
 * is unchanged, else read and parse it. f->rc and f->err tell the outcome. */
static void
load(struct textfile *t, struct tf_file *f)
{
    int fd = open(f->path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        ne_tf_free(&f->parsed);
        f->ino = (ino_t)-1;
        f->rc = lm_err_set(&f->err, LM_EIO, f->path, "failed to open textfile data file: %s",
                           strerror(errno));
        if (fd >= 0)
            close(fd);
        return;
    }
    if (same_file(f, &st)) {
        close(fd);
        return;
    }
    ne_tf_free(&f->parsed);
    lm_err_clear(&f->err);
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->size = st.st_size;
    f->mtim = st.st_mtim;
    f->ctim = st.st_ctim;
    size_t len = 0;
    char *buf = read_all(fd, st.st_size > 0 ? (size_t)st.st_size : 0, &len);
    close(fd);
    if (!buf) {
        f->ino = (ino_t)-1;   /* retry next time */
        f->rc = lm_err_set(&f->err, errno == ENOMEM ? LM_ENOMEM : LM_EIO, f->path,
                           "failed to read textfile data: %s", strerror(errno));
        return;
    }
    f->rc = ne_tf_load(t->parser, f->path, buf, len, &f->parsed, &f->err);
    if (f->rc == LM_ENOMEM)
        f->ino = (ino_t)-1;
    lm_free(buf);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* list_dir: the *.prom names in dir, sorted as Go's os.ReadDir does, into the arena.
 * Returns the count, or -1 with errno. */
static long
list_dir(struct lm_emit *e, const char *dir, char ***out)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    size_t n = 0, cap = 64;
    char **names = lm_emit_alloc(e, cap * sizeof *names);
    struct dirent *de;
    while (names && (de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 5, ".prom") != 0)
            continue;
        if (n == cap) {
            char **nn = lm_emit_alloc(e, cap * 2 * sizeof *nn);
            if (nn)
                memcpy(nn, names, cap * sizeof *nn);
            names = nn;
            cap *= 2;
        }
        char *c = names ? lm_emit_alloc(e, l + 1) : NULL;
        if (!c) {
            names = NULL;
            break;
        }
        memcpy(c, de->d_name, l + 1);
        names[n++] = c;
    }
    closedir(d);
    if (!names) {
        errno = ENOMEM;
        return -1;
    }
    qsort(names, n, sizeof *names, cmp_str);
    *out = names;
    return (long)n;
}

/* join: Go's filepath.Join(dir, name) for the plain cases (no trailing '/' doubled). */
static char *
join(struct lm_emit *e, const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    char *p = lm_emit_alloc(e, dl + nl + 2);
    if (p)
        snprintf(p, dl + nl + 2, "%.*s%s%s", (int)dl, dir, dl ? "/" : "", name);
    return p;
}

/* ---- generated HELP ("Metric read from <files>") --------------------------------- */

struct help_tab {
    struct gen_help *slots;   /* open addressing on name */
    size_t cap;               /* power of two, 0 when no family lacks HELP */
};

static size_t
hslot(const struct help_tab *h, const char *name, bool *found)
{
    uint32_t x = 2166136261u;
    for (const char *s = name; *s; s++)
        x = (x ^ (unsigned char)*s) * 16777619u;
    size_t m = h->cap - 1, i = x & m;
    while (h->slots[i].name && strcmp(h->slots[i].name, name) != 0)
        i = (i + 1) & m;
    *found = h->slots[i].name != NULL;
    return i;
}

/* build_help: upstream's rule: a family without HELP in some file gets "Metric read from "
 * and every good file holding a family of that name (with or without HELP), in scrape
 * order. Returns 0 or LM_ENOMEM. */
static int
build_help(struct lm_emit *e, struct tf_file **good, size_t ngood, struct help_tab *h)
{
    size_t need = 0;
    for (size_t i = 0; i < ngood; i++)
        for (size_t k = 0; k < good[i]->parsed.nfams; k++)
            need += !good[i]->parsed.fams[k].help;
    if (!need)
        return 0;
    for (h->cap = 16; h->cap < need * 2; h->cap *= 2)
        ;
    if (!(h->slots = lm_emit_alloc(e, h->cap * sizeof *h->slots)))
        return LM_ENOMEM;
    bool found;
    for (size_t i = 0; i < ngood; i++)
        for (size_t k = 0; k < good[i]->parsed.nfams; k++)
            if (!good[i]->parsed.fams[k].help) {
                size_t s = hslot(h, good[i]->parsed.fams[k].name, &found);
                h->slots[s].name = good[i]->parsed.fams[k].name;
            }
    for (size_t i = 0; i < ngood; i++) {
        for (size_t k = 0; k < good[i]->parsed.nfams; k++) {
            size_t s = hslot(h, good[i]->parsed.fams[k].name, &found);
            if (!found)
                continue;
            struct gen_help *g = &h->slots[s];
            if (g->files && g->files->path == good[i]->path)
                continue;   /* one file, one mention */
            struct file_ref *r = lm_emit_alloc(e, sizeof *r);
            if (!r)
                return LM_ENOMEM;
            r->path = good[i]->path;
            r->next = g->files;
            g->files = r;
            g->nfiles++;
        }
    }
    return 0;
}

static const char *
gen_help(struct lm_emit *e, struct help_tab *h, const char *name)
{
    bool found;
    size_t s = hslot(h, name, &found);
    struct gen_help *g = &h->slots[s];
    if (g->help)
        return g->help;
    static const char head[] = "Metric read from ";
    size_t len = sizeof head;
    for (const struct file_ref *r = g->files; r; r = r->next)
        len += strlen(r->path) + 2;
    char *p = lm_emit_alloc(e, len);
    if (!p)
        return NULL;
    memcpy(p, head, sizeof head);
    const struct file_ref **v = lm_emit_alloc(e, (g->nfiles + 1) * sizeof *v);
    if (!v)
        return NULL;
    size_t n = 0;
    for (const struct file_ref *r = g->files; r; r = r->next)
        v[n++] = r;
    size_t off = sizeof head - 1;
    for (size_t i = n; i > 0; i--)   /* the list is newest first */
        off += (size_t)snprintf(p + off, len - off, "%s%s", v[i - 1]->path, i > 1 ? ", " : "");
    return g->help = p;
}

/* emit_file: re-emit one good file's families. A family whose HELP or TYPE disagrees with
 * one emitted before (an earlier file, or another collector) is dropped and logged, as
 * client_golang's gatherer does with ContinueOnError. */
static void
emit_file(const struct lm_collect_ctx *ctx, struct lm_emit *e, const struct tf_file *f,
          struct help_tab *h)
{
    static const char *const suffixes[] = {"", "_bucket", "_sum", "_count"};
    const struct ne_tf_parsed *p = &f->parsed;
    for (size_t k = 0; k < p->nfams; k++) {
        const struct ne_tf_family *fam = &p->fams[k];
        if (!fam->n)
            continue;
        const char *help = fam->help ? fam->help : gen_help(e, h, fam->name);
        if (!help)
            return;
        int rc = lm_emit_family(e, fam->name, help, fam->type);
        if (rc) {
            lm_error(ctx->log, "collected metric family conflicts with one collected before; "
                     "its samples are dropped", "metric", fam->name, "file", f->path, "err",
                     rc == LM_EDUP ? "inconsistent help text or type" : lm_strerror(rc), NULL);
            continue;
        }
        for (size_t i = fam->first; i < fam->first + fam->n; i++) {
            const struct ne_tf_sample *s = &p->samples[i];
            lm_emit_sample_suffix(e, suffixes[s->suffix], s->labels, s->nlab, s->value);
        }
    }
}

/* textfile_collect: one scrape. Directory and file problems are logged and reported in
 * node_textfile_scrape_error; the collector itself fails only on OOM. */
static int
textfile_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
                 struct lm_err *err)
{
    struct textfile *t = state;
    bool errored = false;
    glob_t g;
    memset(&g, 0, sizeof g);
    bool globbed = *t->pattern && glob(t->pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0;
    size_t ndirs = globbed ? g.gl_pathc : 1;
    struct tf_file **good = NULL;
    size_t ngood = 0, capgood = 0;
    int rc = 0;

    for (size_t i = 0; i < t->n; i++)
        t->files[i]->seen = false;
    for (size_t d = 0; d < ndirs && !rc; d++) {
        const char *dir = globbed ? g.gl_pathv[d] : t->pattern;
        char **names = NULL;
        long nn = *dir ? list_dir(e, dir, &names) : 0;
        if (nn < 0) {
            if (errno == ENOMEM) {
                rc = LM_ENOMEM;
                break;
            }
            errored = true;
            lm_error(ctx->log, "failed to read textfile collector directory", "path", dir,
                     "err", strerror(errno), NULL);
            continue;
        }
        for (long i = 0; i < nn; i++) {
            char *path = join(e, dir, names[i]);
            struct tf_file *f = path ? cached(t, path) : NULL;
            if (!f) {
                rc = LM_ENOMEM;
                break;
            }
            if (f->seen)
                continue;   /* matched twice through the glob */
            f->seen = true;
            load(t, f);
            if (f->rc) {
                char msg[LM_ERR_WHERE_MAX + LM_ERR_MSG_MAX + 4];
                errored = true;
                lm_error(ctx->log, "failed to collect textfile data", "file", names[i], "err",
                         lm_err_format(&f->err, msg, sizeof msg), NULL);
                if (f->rc == LM_ENOMEM) {
                    rc = LM_ENOMEM;
                    break;
                }
                continue;
            }
            if (ngood == capgood) {
                size_t cap = capgood ? capgood * 2 : 32;
                struct tf_file **ng = lm_emit_alloc(e, cap * sizeof *ng);
                if (!ng) {
                    rc = LM_ENOMEM;
                    break;
                }
                if (ngood)
                    memcpy(ng, good, ngood * sizeof *ng);
                good = ng;
                capgood = cap;
            }
            good[ngood++] = f;
        }
    }
    if (globbed)
        globfree(&g);

    struct help_tab h = {NULL, 0};
    if (!rc)
        rc = build_help(e, good, ngood, &h);
    for (size_t i = 0; i < ngood && !rc; i++)
        emit_file(ctx, e, good[i], &h);
    if (!rc && ngood) {
        lm_emit_family(e, "node_textfile_mtime_seconds",
                       "Unixtime mtime of textfiles successfully read.", LM_TYPE_GAUGE);
        for (size_t i = 0; i < ngood; i++)
            lm_emit_samplev(e, (double)good[i]->mtim.tv_sec, "file", good[i]->path, NULL);
    }
    lm_emit_one(e, "node_textfile_scrape_error",
                "1 if there was an error opening or reading a file, 0 otherwise", LM_TYPE_GAUGE,
                errored);

    /* drop cache entries for files that are gone */
    size_t k = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (t->files[i]->seen || rc)
            t->files[k++] = t->files[i];
        else
            file_free(t->files[i]);
    }
    t->n = k;
    if (rc)
        return lm_err_set(err, rc, NULL, "textfile: %s", lm_strerror(rc));
    return 0;
}

const struct lm_collector_desc ne_textfile_collector = {
    .name = "textfile",
    .enabled_by_default = true,
    .flags = flags,
    .init = textfile_init,
    .collect = textfile_collect,
    .fini = textfile_fini,
};

/* SPDX-License-Identifier: Apache-2.0 */
/* sysfs.c: directory walking, attribute reading, the device include/exclude filter and
 * name sanitising shared by node_exporter's collectors (see sysfs.h). Holds no state. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/flags.h"
#include "lm/procfile.h"
#include "node_exporter/sysfs.h"

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads every matching name into one lm_malloc'ed array, sorts, then calls fn. */
int
ne_dir_each(const char *dir, const char *prefix,
            int (*fn)(void *arg, const char *dir, const char *name), void *arg)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT || errno == ENOTDIR ? LM_ENOENT : LM_EIO;
    size_t plen = prefix ? strlen(prefix) : 0, n = 0, cap = 0;
    char **names = NULL;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (plen && strncmp(de->d_name, prefix, plen) != 0)
            continue;
        lm_procfile_dirent(dir, de->d_name, de->d_ino);
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **nn = lm_realloc(names, ncap * sizeof *nn);
            if (!nn) {
                rc = LM_ENOMEM;
                goto out;
            }
            names = nn;
            cap = ncap;
        }
        if (!(names[n] = lm_strdup(de->d_name))) {
            rc = LM_ENOMEM;
            goto out;
        }
        n++;
    }
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = fn(arg, dir, names[i]);
out:
    closedir(d);
    for (size_t i = 0; i < n; i++)
        lm_free(names[i]);
    lm_free(names);
    return rc;
}

const char *
ne_join(char *out, size_t n, const char *a, const char *b)
{
    snprintf(out, n, "%s/%s", a, b);
    return out;
}

int
ne_attr_str(const char *dir, const char *name, char *out, size_t n)
{
    char p[4096];
    return lm_read_str(ne_join(p, sizeof p, dir, name), out, n);
}

int
ne_attr_u64(const char *dir, const char *name, uint64_t *out)
{
    char p[4096];
    return lm_read_u64(ne_join(p, sizeof p, dir, name), out);
}

int
ne_attr_i64(const char *dir, const char *name, int64_t *out)
{
    char s[64];
    int rc = ne_attr_str(dir, name, s, sizeof s);
    return rc ? rc : lm_parse_i64(s, out);
}

int
ne_attr_double(const char *dir, const char *name, double *out)
{
    char p[4096];
    return lm_read_double(ne_join(p, sizeof p, dir, name), out);
}

static int
compile(struct lm_regex **re, const char *pat, const char *what, const char *kind,
        struct lm_err *err)
{
    *re = NULL;
    if (!pat || !*pat)
        return 0;
    struct lm_err e = {0};
    *re = lm_regex_new(pat, false, &e);
    if (!*re)
        return lm_err_set(err, LM_ECONFIG, what, "bad %s pattern %s: %s", kind, pat, e.msg);
    return 0;
}

int
ne_filter_init(struct ne_filter *f, const char *exclude, const char *include,
               const char *what, struct lm_err *err)
{
    f->exclude = f->include = NULL;
    if (exclude && *exclude && include && *include)
        return lm_err_set(err, LM_ECONFIG, what, "device-exclude & device-include are mutually exclusive");
    int rc = compile(&f->exclude, exclude, what, "exclude", err);
    if (rc == 0)
        rc = compile(&f->include, include, what, "include", err);
    if (rc)
        ne_filter_cleanup(f);
    return rc;
}

bool
ne_filter_ignored(const struct ne_filter *f, const char *name)
{
    if (f->exclude && lm_regex_match(f->exclude, name, SIZE_MAX))
        return true;
    if (f->include && !lm_regex_match(f->include, name, SIZE_MAX))
        return true;
    return false;
}

void
ne_filter_cleanup(struct ne_filter *f)
{
    lm_regex_free(f->exclude);
    lm_regex_free(f->include);
    f->exclude = f->include = NULL;
}

const char *
ne_flag_alias(const struct lm_collect_ctx *ctx, const char *name, const char *old, int *rc,
              struct lm_err *err)
{
    *rc = 0;
    const char *v = ctx->flags ? lm_flags_get(ctx->flags, name) : NULL;
    if (old && ctx->flags && lm_flags_is_set(ctx->flags, old)) {
        if (lm_flags_is_set(ctx->flags, name)) {
            *rc = lm_err_set(err, LM_ECONFIG, old, "--%s and --%s are mutually exclusive",
                             old, name);
            return "";
        }
        v = lm_flags_get(ctx->flags, old);
    }
    return v ? v : "";
}

const char *
ne_clean_name(const char *s, char *out, size_t n)
{
    size_t j = 0;
    for (; *s && j + 1 < n; s++) {
        char c = (char)tolower((unsigned char)*s);
        out[j++] = (isdigit((unsigned char)c) || (c >= 'a' && c <= 'z') || c == ':') ? c : '_';
    }
    out[j] = '\0';
    size_t a = 0;
    while (out[a] == '_')
        a++;
    while (j > a && out[j - 1] == '_')
        j--;
    memmove(out, out + a, j - a);
    out[j - a] = '\0';
    return out;
}

const char *
ne_sanitize_name(const char *s, char *out, size_t n)
{
    size_t j = 0;
    for (; *s && j + 1 < n; s++)
        out[j++] = (isalnum((unsigned char)*s) || *s == '_' || *s == ':') ? *s : '_';
    out[j] = '\0';
    return out;
}

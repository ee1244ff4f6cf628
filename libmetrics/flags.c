/* SPDX-License-Identifier: Apache-2.0 */
/* flags.c: kingpin-compatible command-line flags (lm/flags.h): --name=value, --name value,
 * --name / --no-name for switches, repeatable flags, -h/--help (kingpin's two-column
 * usage) and --version (Go's version.Print). Error texts are kingpin's, so scripts that
 * grep them keep working. Owns copies of the values given; borrows the descriptors. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/buf.h"
#include "lm/flags.h"
#include "lm/version.h"

#define USAGE_WIDTH 80     /* kingpin's width when stdout is not a terminal */
#define USAGE_MAX_LEFT 30  /* left column entries this long or longer wrap */

struct flag {
    struct lm_flag_desc d;    /* borrowed strings */
    bool repeatable;          /* may be given many times */
    bool set;                 /* given on the command line */
    bool has_def;             /* desc->def was not NULL (shown as ="" when empty) */
    char **vals;              /* owned values given, in order */
    size_t nvals;             /* used entries of vals */
    size_t capvals;           /* allocated entries of vals */
    const char *defv[1];      /* default as a one-element list for lm_flags_get_all */
    size_t alias_of;          /* 1 + index of the flag this one names; 0: not an alias */
};

struct lm_flags {
    const char *prog;         /* program name, borrowed */
    const char *description;  /* app help, borrowed; may be NULL */
    struct flag *flags;       /* declared flags, in declaration order */
    size_t n;                 /* used */
    size_t cap;               /* allocated */
};

struct lm_flags *
lm_flags_new(const char *prog, const char *description)
{
    struct lm_flags *f = lm_calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->prog = prog ? prog : "";
    f->description = description;
    return f;
}

void
lm_flags_free(struct lm_flags *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        for (size_t j = 0; j < f->flags[i].nvals; j++)
            lm_free(f->flags[i].vals[j]);
        lm_free(f->flags[i].vals);
    }
    lm_free(f->flags);
    lm_free(f);
}

/* find: the flag called name (an alias resolves to its target), or NULL. */
static struct flag *
find(const struct lm_flags *f, const char *name, size_t len)
{
    for (size_t i = 0; i < f->n; i++) {
        struct flag *fl = &f->flags[i];
        if (strlen(fl->d.name) == len && memcmp(fl->d.name, name, len) == 0)
            return fl->alias_of ? &f->flags[fl->alias_of - 1] : fl;
    }
    return NULL;
}

int
lm_flags_add(struct lm_flags *f, const struct lm_flag_desc *desc, bool repeatable)
{
    if (!desc->name || !desc->name[0])
        return LM_EINVAL;
    if (find(f, desc->name, strlen(desc->name)) || !strcmp(desc->name, "help") ||
        !strcmp(desc->name, "version"))
        return LM_EDUP;
    if (f->n == f->cap) {
        size_t ncap = f->cap ? f->cap * 2 : 32;
        struct flag *nf = lm_realloc(f->flags, ncap * sizeof *nf);
        if (!nf)
            return LM_ENOMEM;
        f->flags = nf;
        f->cap = ncap;
    }
    struct flag *fl = &f->flags[f->n++];
    memset(fl, 0, sizeof *fl);
    fl->d = *desc;
    fl->has_def = desc->def != NULL;
    if (!fl->d.def)
        fl->d.def = "";
    if (!fl->d.help)
        fl->d.help = "";
    fl->repeatable = repeatable;
    fl->defv[0] = fl->d.def;
    return 0;
}

int
lm_flags_add_table(struct lm_flags *f, const struct lm_flag_desc *table)
{
    if (!table)
        return 0;
    for (; table->name; table++) {
        int rc = lm_flags_add(f, table, table->repeatable);
        if (rc)
            return rc;
    }
    return 0;
}

int
lm_flags_alias(struct lm_flags *f, const char *alias, const char *target)
{
    struct flag *t = find(f, target, strlen(target));
    if (!t)
        return LM_ENOENT;
    size_t ti = (size_t)(t - f->flags);
    struct lm_flag_desc d = t->d;
    d.name = alias;
    d.help = "";
    int rc = lm_flags_add(f, &d, t->repeatable);
    if (rc)
        return rc;
    f->flags[f->n - 1].alias_of = ti + 1;
    return 0;
}

/* Go's strconv.ParseBool: the accepted spellings. Returns 1, 0 or -1 (not a bool). */
static int
parse_bool(const char *s)
{
    static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (!strcmp(s, yes[i]))
            return 1;
        if (!strcmp(s, no[i]))
            return 0;
    }
    return -1;
}

/* set_value: record one value for fl (a copy). Non-repeatable flags keep only the last
 * value; giving one twice is kingpin's "cannot be repeated" error. */
static int
set_value(struct flag *fl, const char *val, struct lm_err *err)
{
    char where[LM_ERR_WHERE_MAX];
    snprintf(where, sizeof where, "--%s", fl->d.name);
    if (fl->set && !fl->repeatable)
        return lm_err_set(err, LM_EINVAL, where, "flag '%s' cannot be repeated", fl->d.name);
    if (fl->d.is_bool) {
        int b = parse_bool(val);
        if (b < 0)
            return lm_err_set(err, LM_EINVAL, where,
                              "strconv.ParseBool: parsing \"%s\": invalid syntax", val);
        val = b ? "true" : "false";
    }
    if (fl->nvals == fl->capvals) {
        size_t ncap = fl->capvals ? fl->capvals * 2 : 2;
        char **nv = lm_realloc(fl->vals, ncap * sizeof *nv);
        if (!nv)
            return lm_err_set(err, LM_ENOMEM, where, "out of memory");
        fl->vals = nv;
        fl->capvals = ncap;
    }
    char *copy = lm_strdup(val);
    if (!copy)
        return lm_err_set(err, LM_ENOMEM, where, "out of memory");
    fl->vals[fl->nvals++] = copy;
    fl->set = true;
    return 0;
}

/* parse_long: one "--..." argument at argv[*i]; may consume argv[*i + 1]. */
static int
parse_long(struct lm_flags *f, int argc, char **argv, int *i, struct lm_err *err)
{
    const char *arg = argv[*i] + 2;
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    struct flag *fl = find(f, arg, len);
    bool negated = false;
    if (!fl && len > 3 && !strncmp(arg, "no-", 3)) {
        fl = find(f, arg + 3, len - 3);
        if (fl && !fl->d.is_bool)
            fl = NULL;
        negated = fl != NULL;
    }
    if (!fl)
        return lm_err_set(err, LM_EINVAL, argv[*i], "unknown long flag '--%.*s', try --help",
                          (int)len, arg);
    if (fl->d.is_bool) {
        if (negated && eq)
            return lm_err_set(err, LM_EINVAL, argv[*i], "unexpected %s", eq + 1);
        return set_value(fl, negated ? "false" : eq ? eq + 1 : "true", err);
    }
    if (eq)
        return set_value(fl, eq + 1, err);
    if (*i + 1 >= argc || (argv[*i + 1][0] == '-' && argv[*i + 1][1] != '\0'))
        return lm_err_set(err, LM_EINVAL, argv[*i], "expected argument for flag '--%s'",
                          fl->d.name);
    (*i)++;
    return set_value(fl, argv[*i], err);
}

int
lm_flags_parse(struct lm_flags *f, int argc, char **argv, FILE *out, bool *exit_now,
               struct lm_err *err)
{
    *exit_now = false;
    lm_err_clear(err);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            lm_flags_usage(f, out);
            *exit_now = true;
            return 0;
        }
        if (!strcmp(a, "--version")) {
            lm_version_print(out, f->prog);
            *exit_now = true;
            return 0;
        }
        if (!strcmp(a, "--")) {
            if (i + 1 < argc)
                return lm_err_set(err, LM_EINVAL, argv[i + 1], "unexpected %s", argv[i + 1]);
            break;
        }
        if (a[0] == '-' && a[1] == '-') {
            int rc = parse_long(f, argc, argv, &i, err);
            if (rc)
                return rc;
        } else if (a[0] == '-' && a[1] != '\0') {
            return lm_err_set(err, LM_EINVAL, a, "unknown short flag '-%c'", a[1]);
        } else {
            return lm_err_set(err, LM_EINVAL, a, "unexpected %s", a);
        }
    }
    return 0;
}

const char *
lm_flags_get(const struct lm_flags *f, const char *name)
{
    const struct flag *fl = find(f, name, strlen(name));
    if (!fl)
        return NULL;
    return fl->nvals ? fl->vals[fl->nvals - 1] : fl->d.def;
}

bool
lm_flags_get_bool(const struct lm_flags *f, const char *name)
{
    const char *v = lm_flags_get(f, name);
    return v && parse_bool(v) == 1;
}

bool
lm_flags_is_set(const struct lm_flags *f, const char *name)
{
    const struct flag *fl = find(f, name, strlen(name));
    return fl && fl->set;
}

const char *const *
lm_flags_get_all(const struct lm_flags *f, const char *name, size_t *n)
{
    const struct flag *fl = find(f, name, strlen(name));
    if (!fl) {
        *n = 0;
        return NULL;
    }
    if (fl->nvals) {
        *n = fl->nvals;
        return (const char *const *)fl->vals;
    }
    *n = fl->d.def[0] ? 1 : 0;
    return fl->defv;
}

/* bare_default: kingpin quotes only string flags' defaults; int, float and duration
 * flags show them bare. Flags carry no type here, so a default that reads as a number
 * or a Go duration ("40", "0.5", "5s", "1m30s") is taken as one of those. */
static bool
bare_default(const char *s)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (!*p)
        return false;
    bool digits = false;
    for (; *p; p++) {
        if ((*p >= '0' && *p <= '9') || *p == '.')
            digits = true;
        else if (!strchr("smhdwyun", *p) || !digits)
            return false;
    }
    return digits;
}

/* left_column: kingpin's formatFlag: "-h, --help", "    --name=PLACEHOLDER", " ...".
 * Non-switch flags show their default as placeholder: quoted (Go %q) for single
 * strings, bare for repeatable and numeric ones, the upper-cased name when there is no
 * default at all (NULL). */
static void
left_column(struct lm_buf *b, const char *shortname, const struct flag *fl, const char *name)
{
    if (shortname)
        lm_buf_printf(b, "-%s, --%s", shortname, name);
    else
        lm_buf_printf(b, "    --%s", name);
    if (!fl || fl->d.is_bool)
        return;
    lm_buf_putc(b, '=');
    if (!fl->has_def) {
        for (const char *p = name; *p; p++)
            lm_buf_putc(b, (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p);
    } else if (fl->repeatable || bare_default(fl->d.def)) {
        lm_buf_puts(b, fl->d.def);
    } else {
        lm_buf_putc(b, '"');
        for (const char *p = fl->d.def; *p; p++) {
            if (*p == '"' || *p == '\\')
                lm_buf_putc(b, '\\');
            lm_buf_putc(b, *p);
        }
        lm_buf_putc(b, '"');
    }
    if (fl->repeatable)
        lm_buf_puts(b, " ...");
}

/* wrap: print help words wrapped at width, each later line indented by indent. */
static void
wrap(FILE *out, const char *help, size_t width, size_t indent)
{
    size_t col = 0;
    const char *p = help;
    while (*p) {
        while (*p == ' ' || *p == '\n' || *p == '\t')
            p++;
        if (!*p)
            break;
        size_t wl = strcspn(p, " \n\t");
        if (col > 0 && col + 1 + wl > width) {
            fprintf(out, "\n%*s", (int)indent, "");
            col = 0;
        } else if (col > 0) {
            fputc(' ', out);
            col++;
        }
        fwrite(p, 1, wl, out);
        col += wl;
        p += wl;
    }
    fputc('\n', out);
}

struct row {
    char *left;        /* owned left column text */
    const char *help;  /* help text: borrowed, or alias when set */
    char *alias;       /* owned "Alias of --x." text, or NULL */
};

/* lm_flags_usage: kingpin's default usage template: a "usage:" line, the app help,
 * then every flag in two columns (help first, version last, declared order between). */
void
lm_flags_usage(const struct lm_flags *f, FILE *out)
{
    fprintf(out, "usage: %s [<flags>]\n\n", f->prog);
    if (f->description && f->description[0]) {
        wrap(out, f->description, USAGE_WIDTH, 0);
        fputc('\n', out);
    }
    fprintf(out, "Flags:\n");
    size_t nrows = f->n + 2;
    struct row *rows = lm_calloc(nrows, sizeof *rows);
    if (!rows)
        return;
    struct lm_buf b;
    lm_buf_init(&b, 4096);
    for (size_t i = 0; i < nrows; i++) {
        lm_buf_reset(&b);
        if (i == 0) {
            left_column(&b, "h", NULL, "help");
            rows[i].help = "Show context-sensitive help (also try --help-long and --help-man).";
        } else if (i == nrows - 1) {
            left_column(&b, NULL, NULL, "version");
            rows[i].help = "Show application version.";
        } else if (f->flags[i - 1].alias_of) {
            const struct flag *t = &f->flags[f->flags[i - 1].alias_of - 1];
            left_column(&b, NULL, t, f->flags[i - 1].d.name);
            rows[i].alias = lm_malloc(strlen(t->d.name) + 16);
            if (rows[i].alias)
                snprintf(rows[i].alias, strlen(t->d.name) + 16, "Alias of --%s.", t->d.name);
            rows[i].help = rows[i].alias ? rows[i].alias : "";
        } else {
            left_column(&b, NULL, &f->flags[i - 1], f->flags[i - 1].d.name);
            rows[i].help = f->flags[i - 1].d.help;
        }
        rows[i].left = lm_strdup(lm_buf_cstr(&b));
    }
    lm_buf_cleanup(&b);
    size_t s = 0;
    for (size_t i = 0; i < nrows; i++) {
        size_t l = rows[i].left ? strlen(rows[i].left) : 0;
        if (l > s && l < USAGE_MAX_LEFT)
            s = l;
    }
    size_t helpw = USAGE_WIDTH > s + 4 + 20 ? USAGE_WIDTH - s - 4 : 20;
    for (size_t i = 0; i < nrows; i++) {
        const char *left = rows[i].left ? rows[i].left : "";
        fprintf(out, "  %-*s  ", (int)s, left);
        if (strlen(left) >= USAGE_MAX_LEFT)
            fprintf(out, "\n  %*s", (int)(s + 2), "");
        wrap(out, rows[i].help, helpw, s + 4);
        lm_free(rows[i].left);
        lm_free(rows[i].alias);
    }
    lm_free(rows);
    fputc('\n', out);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* os.c: the os collector: node_os_info and node_os_version from os-release under
 * --path.rootfs (/etc/os-release, then /usr/lib/os-release). The parsed values are cached
 * and re-read only when the file or its mtime changes. Owns a procfile and the cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "lm/alloc.h"
#include "node_exporter/procutil.h"

#define NKEYS 12
#define VALUE_MAX 256

/* os-release keys, in label-name order, and their labels. */
static const char *const keys[NKEYS] = {"BUILD_ID", "ID", "ID_LIKE", "IMAGE_ID",
                                        "IMAGE_VERSION", "NAME", "PRETTY_NAME", "VARIANT",
                                        "VARIANT_ID", "VERSION", "VERSION_CODENAME",
                                        "VERSION_ID"};
static const char *const labels[NKEYS] = {"build_id", "id", "id_like", "image_id",
                                          "image_version", "name", "pretty_name", "variant",
                                          "variant_id", "version", "version_codename",
                                          "version_id"};

struct os_state {
    struct lm_procfile *pf;           /* os-release reader */
    char file[4096];                  /* path of the cached file, "" when none */
    struct timespec mtime;            /* its mtime when parsed */
    char val[NKEYS][VALUE_MAX];       /* parsed values, "" when absent */
    double version;                   /* major.minor of VERSION_ID, 0 when none */
};

static int
os_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    struct os_state *s = lm_calloc(1, sizeof *s);
    if (!s || !(s->pf = lm_procfile_new(""))) {
        lm_free(s);
        return lm_err_set(err, LM_ENOMEM, "os", "out of memory");
    }
    *state = s;
    return 0;
}

static void
os_fini(void *state)
{
    struct os_state *s = state;
    if (!s)
        return;
    lm_procfile_free(s->pf);
    lm_free(s);
}

/* unquote: shell-style value: "..." (backslash escapes), '...' or bare, into out. */
static void
unquote(const char *v, char *out, size_t n)
{
    size_t j = 0;
    char q = (*v == '"' || *v == '\'') ? *v++ : 0;
    for (; *v && j + 1 < n; v++) {
        if (q && *v == q)
            break;
        if (q == '"' && *v == '\\' && v[1])
            v++;
        out[j++] = *v;
    }
    out[j] = '\0';
}

/* parse: fill the cache from pf. */
static void
parse(struct os_state *s)
{
    memset(s->val, 0, sizeof s->val);
    for (size_t l = 0; l < lm_procfile_lines(s->pf); l++) {
        const char *line = lm_procfile_line(s->pf, l);
        line += strspn(line, " \t");
        const char *eq = strchr(line, '=');
        if (*line == '#' || !eq)
            continue;
        for (size_t k = 0; k < NKEYS; k++)
            if (strlen(keys[k]) == (size_t)(eq - line) && strncmp(line, keys[k], eq - line) == 0)
                unquote(eq + 1, s->val[k], VALUE_MAX);
    }
    /* major.minor: leading digits, an optional '.', more digits */
    const char *v = s->val[11];
    size_t n = strspn(v, "0123456789");
    if (n && v[n] == '.')
        n += 1 + strspn(v + n + 1, "0123456789");
    char num[64];
    s->version = 0;
    if (n && n < sizeof num) {
        memcpy(num, v, n);
        num[n] = '\0';
        s->version = strtod(num, NULL);
    }
}

static int
os_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
           struct lm_err *err)
{
    struct os_state *s = state;
    static const char *const files[2] = {"etc/os-release", "usr/lib/os-release"};
    char path[4096];
    size_t i;
    struct stat st;
    for (i = 0; i < 2; i++) {
        ne_path(ctx, NE_ROOTFS, files[i], path, sizeof path);
        if (stat(path, &st) == 0)
            break;
    }
    if (i == 2)
        return lm_err_set(err, LM_ENODATA, path, "no os-release file found");
    if (strcmp(path, s->file) != 0 || st.st_mtim.tv_sec != s->mtime.tv_sec ||
        st.st_mtim.tv_nsec != s->mtime.tv_nsec) {
        int rc = lm_procfile_read(s->pf, path, err);
        if (rc)
            return rc;
        parse(s);
        snprintf(s->file, sizeof s->file, "%s", path);
        s->mtime = st.st_mtim;
    }
    struct lm_label lb[NKEYS];
    for (size_t k = 0; k < NKEYS; k++)
        lb[k] = (struct lm_label){labels[k], s->val[k]};
    lm_emit_family(e, "node_os_info",
                   "A metric with a constant '1' value labeled by build_id, id, id_like, "
                   "image_id, image_version, name, pretty_name, variant, variant_id, version, "
                   "version_codename, version_id.",
                   LM_TYPE_GAUGE);
    lm_emit_sample(e, lb, NKEYS, 1);
    if (s->version > 0) {
        lm_emit_family(e, "node_os_version",
                       "Metric containing the major.minor part of the OS version.",
                       LM_TYPE_GAUGE);
        lm_emit_samplev(e, s->version, "id", s->val[1], "id_like", s->val[2], "name",
                        s->val[5], NULL);
    }
    return 0;
}

const struct lm_collector_desc ne_os_collector = {
    .name = "os",
    .enabled_by_default = true,
    .flags = NULL,
    .init = os_init,
    .collect = os_collect,
    .fini = os_fini,
};

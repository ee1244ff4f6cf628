/* SPDX-License-Identifier: Apache-2.0 */
/* pgresult.c: the container of one query's result (struct pge_result in pgwire.h),
 * filled from RowDescription/DataRow by our protocol backend or copied from a PGresult by
 * the libpq backend: column names and types, and the cell texts in one growing buffer. */
#include <stdint.h>
#include <string.h>
#include "lm/alloc.h"
#include "postgres_exporter/pgwire.h"

#define PGR_MAX_DATA (512u << 20)   /* cap on the texts of one result */

struct pge_result *
pge_result_new(void)
{
    struct pge_result *r = lm_calloc(1, sizeof *r);
    if (r)
        lm_buf_init(&r->data, PGR_MAX_DATA);
    return r;
}

void
pge_result_free(struct pge_result *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->nfields; i++)
        lm_free(r->fname[i]);
    lm_free(r->fname);
    lm_free(r->ftype);
    lm_free(r->off);
    lm_buf_cleanup(&r->data);
    lm_free(r);
}

int
pge_result_add_field(struct pge_result *r, const char *name, size_t namelen, uint32_t type)
{
    if (r->nfields >= PGW_MAX_FIELDS)
        return LM_ETOOBIG;
    char **fn = lm_realloc(r->fname, (size_t)(r->nfields + 1) * sizeof *fn);
    if (!fn)
        return LM_ENOMEM;
    r->fname = fn;
    uint32_t *ft = lm_realloc(r->ftype, (size_t)(r->nfields + 1) * sizeof *ft);
    if (!ft)
        return LM_ENOMEM;
    r->ftype = ft;
    char *s = lm_strndup(name, namelen);
    if (!s)
        return LM_ENOMEM;
    fn[r->nfields] = s;
    ft[r->nfields] = type;
    r->nfields++;
    return 0;
}

int
pge_result_add_cell(struct pge_result *r, const char *val, size_t len)
{
    if (r->ncells >= r->offcap) {
        size_t cap = r->offcap ? r->offcap * 2 : 64;
        size_t *o = lm_realloc(r->off, cap * sizeof *o);
        if (!o)
            return LM_ENOMEM;
        r->off = o;
        r->offcap = cap;
    }
    if (!val) {
        r->off[r->ncells++] = SIZE_MAX;
        return 0;
    }
    size_t at = r->data.len;
    int rc = lm_buf_append(&r->data, val, len);
    rc = rc ? rc : lm_buf_putc(&r->data, '\0');
    if (rc)
        return rc;
    r->off[r->ncells++] = at;
    return 0;
}

void
pge_result_end_row(struct pge_result *r)
{
    if (r->nfields)
        r->ntuples = (int)(r->ncells / (size_t)r->nfields);
}

const char *
pge_result_value(const struct pge_result *r, int row, int col)
{
    size_t o = r->off[(size_t)row * (size_t)r->nfields + (size_t)col];
    return o == SIZE_MAX ? "" : r->data.data + o;
}

bool
pge_result_isnull(const struct pge_result *r, int row, int col)
{
    return r->off[(size_t)row * (size_t)r->nfields + (size_t)col] == SIZE_MAX;
}

const char *
pge_result_fname(const struct pge_result *r, int col)
{
    return r->fname[col];
}

uint32_t
pge_result_ftype(const struct pge_result *r, int col)
{
    return r->ftype[col];
}

/* SPDX-License-Identifier: Apache-2.0 */
/* discover.c: --auto-discover-databases as upstream 0.11: on each scrape, list the
 * databases of every reachable DSN (those that allow connections, not templates, not the
 * DSN's own), drop --exclude-databases, keep only --include-databases when given, and
 * keep one pge_server per database (its DSN with dbname replaced) for the queries.yaml
 * maps with master: false. Servers of databases that went away are closed. */
#include <stdio.h>
#include <string.h>
#include "lm/alloc.h"
#include "postgres_exporter/pge.h"

struct disc_entry {
    size_t master;                /* index of the DSN it was found on */
    char *db;                     /* owned database name */
    bool active;                  /* listed by the last update of its master */
    struct pge_server s;
};

struct pge_discovery {
    char *include, *exclude;      /* owned comma-separated lists ("" for none) */
    struct disc_entry *e[PGE_MAX_DISCOVERED];
    size_t n;
};

struct pge_discovery *
pge_discovery_new(const char *include, const char *exclude)
{
    struct pge_discovery *d = lm_calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->include = lm_strdup(include);
    d->exclude = lm_strdup(exclude);
    if (!d->include || !d->exclude) {
        pge_discovery_free(d);
        return NULL;
    }
    return d;
}

static void
entry_free(struct disc_entry *x)
{
    pge_server_cleanup(&x->s);
    lm_free(x->db);
    lm_free(x);
}

void
pge_discovery_free(struct pge_discovery *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        entry_free(d->e[i]);
    lm_free(d->include);
    lm_free(d->exclude);
    lm_free(d);
}

/* in_list: is name one of the comma-separated entries of list (trimmed of spaces)? */
static bool
in_list(const char *list, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = list; *p;) {
        p += strspn(p, " ");
        size_t len = strcspn(p, ",");
        size_t l = len;
        while (l && p[l - 1] == ' ')
            l--;
        if (l == nl && !memcmp(p, name, nl))
            return true;
        p += len;
        if (*p == ',')
            p++;
    }
    return false;
}

bool
pge_discovery_wanted(const struct pge_discovery *d, const char *db)
{
    if (in_list(d->exclude, db))
        return false;
    return !*d->include || in_list(d->include, db);
}

/* find: the entry of master for db, or NULL */
static struct disc_entry *
find(struct pge_discovery *d, size_t master, const char *db)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->e[i]->master == master && !strcmp(d->e[i]->db, db))
            return d->e[i];
    return NULL;
}

/* add: a new entry for db on master (its DSN with dbname replaced) */
static int
add(struct pge_discovery *d, size_t midx, const struct pge_server *m, const char *db,
    struct lm_err *err)
{
    if (d->n >= PGE_MAX_DISCOVERED)
        return lm_err_set(err, LM_ETOOBIG, m->label, "more than %d databases discovered",
                          PGE_MAX_DISCOVERED);
    struct disc_entry *x = lm_calloc(1, sizeof *x);
    char *dsn = pge_dsn_with_db(m->dsn, db);
    if (!x || !dsn || !(x->db = lm_strdup(db))) {
        lm_free(x ? x->db : NULL);
        lm_free(x);
        if (dsn)
            memset(dsn, 0, strlen(dsn));
        lm_free(dsn);
        return lm_err_set(err, LM_ENOMEM, m->label, "out of memory");
    }
    int rc = pge_server_init(&x->s, dsn, m->connect_timeout, err);
    memset(dsn, 0, strlen(dsn));
    lm_free(dsn);
    if (rc) {
        lm_free(x->db);
        lm_free(x);
        return rc;
    }
    x->master = midx;
    x->active = true;
    x->s.constant = m->constant;
    x->s.nconst = m->nconst;
    x->s.master = false;
    d->e[d->n++] = x;
    return 0;
}

int
pge_discovery_update(struct pge_discovery *d, size_t midx, struct pge_server *m,
                     struct lm_err *err)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->e[i]->master == midx)
            d->e[i]->active = false;
    struct pge_result *r = pge_server_query(m, "SELECT datname FROM pg_database WHERE "
                                            "datallowconn = true AND datistemplate = false "
                                            "AND datname != current_database()", err);
    if (!r)
        return err->code;
    int rc = 0;
    for (int i = 0; i < r->ntuples && !rc; i++) {
        const char *db = pge_result_value(r, i, 0);
        if (!pge_discovery_wanted(d, db))
            continue;
        struct disc_entry *x = find(d, midx, db);
        if (x)
            x->active = true;
        else
            rc = add(d, midx, m, db, err);
    }
    pge_result_free(r);
    /* databases of this master no longer listed: close their connections */
    size_t k = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (d->e[i]->master == midx && !d->e[i]->active)
            entry_free(d->e[i]);
        else
            d->e[k++] = d->e[i];
    }
    d->n = k;
    return rc;
}

void
pge_discovery_deactivate(struct pge_discovery *d, size_t midx)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->e[i]->master == midx)
            d->e[i]->active = false;
}

size_t
pge_discovery_count(const struct pge_discovery *d)
{
    return d ? d->n : 0;
}

struct pge_server *
pge_discovery_get(struct pge_discovery *d, size_t i)
{
    return d->e[i]->active ? &d->e[i]->s : NULL;
}

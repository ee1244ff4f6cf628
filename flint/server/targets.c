/* SPDX-License-Identifier: Apache-2.0 */
/* targets.c: from a job's discovered target groups to its scrape targets, as
 * Prometheus's targetsFromGroup: merge each target with its group's labels, run the
 * scraper's label population and relabel_configs, and sort the outcome into kept
 * targets (with their discovered labels) and dropped ones. */
#include <string.h>

#include "flint/scrape/scrape.h"
#include "flint/server/server.h"
#include "lm/alloc.h"
#include "lm/log.h"

void
srv_pool_free(struct srv_pool *p)
{
    for (size_t i = 0; i < p->ntargets; i++) {
        lbl_set_free(&p->targets[i]);
        lbl_set_free(&p->discovered[i]);
    }
    lm_free(p->targets);
    lm_free(p->discovered);
    api_dropped_free(p->dropped, p->ndropped);
    memset(p, 0, sizeof *p);
}

/* merged: the target's labels, then its group's labels the target does not set. */
static int
merged(const struct lbl_set *target, const struct lbl_set *group, struct lbl_set *out)
{
    if (lbl_set_copy(out, target))
        return LM_ENOMEM;
    for (size_t i = 0; i < group->n; i++)
        if (!lbl_set_get(out, group->v[i].name) &&
            lbl_set_add(out, group->v[i].name, group->v[i].value))
            return LM_ENOMEM;
    return 0;
}

/* grow: room for one more entry in both kept arrays or in dropped. */
static int
grow(struct srv_pool *p, size_t *cap, size_t *dcap, bool dropped)
{
    if (!dropped && p->ntargets == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        struct lbl_set *t = lm_realloc(p->targets, nc * sizeof *t);
        if (!t)
            return LM_ENOMEM;
        p->targets = t;
        struct lbl_set *d = lm_realloc(p->discovered, nc * sizeof *d);
        if (!d)
            return LM_ENOMEM;
        p->discovered = d;
        *cap = nc;
    }
    if (dropped && p->ndropped == *dcap) {
        size_t nc = *dcap ? *dcap * 2 : 16;
        struct api_dropped *d = lm_realloc(p->dropped, nc * sizeof *d);
        if (!d)
            return LM_ENOMEM;
        p->dropped = d;
        *dcap = nc;
    }
    return 0;
}

/* one: build one target into p. */
static int
one(const struct scr_job *job, const struct cfg_scrape *sc, const struct lbl_set *disc,
    struct lm_log *log, struct srv_pool *p, size_t *cap, size_t *dcap)
{
    struct lbl_set out = {0}, dout = {0};
    struct lm_err err = {0};
    bool keep = false;
    int rc = scr_target_labels(job, sc->relabel, sc->nrelabel, disc, &out, &dout, &keep, &err);
    if (rc == LM_ENOMEM)
        goto done;
    if (rc) {
        lm_error(log, "Creating target failed", "component", "scrape manager", "scrape_pool",
                 sc->job_name, "err", err.msg, NULL);
        rc = 0;
        goto done;
    }
    if ((rc = grow(p, cap, dcap, !keep)))
        goto done;
    if (keep) {
        p->targets[p->ntargets] = (struct lbl_set){0};
        lbl_set_move(&p->targets[p->ntargets], &out);
        p->discovered[p->ntargets] = (struct lbl_set){0};
        lbl_set_move(&p->discovered[p->ntargets], &dout);
        p->ntargets++;
    } else {
        struct api_dropped *d = &p->dropped[p->ndropped];
        if (!(d->pool = lm_strdup(sc->job_name))) {
            rc = LM_ENOMEM;
            goto done;
        }
        d->discovered = (struct lbl_set){0};
        lbl_set_move(&d->discovered, &dout);
        p->ndropped++;
    }
done:
    lbl_set_free(&out);
    lbl_set_free(&dout);
    return rc;
}

int
srv_pool_build(const struct cfg_scrape *sc, const struct disc_group *groups, size_t n,
               struct lm_log *log, struct srv_pool *p)
{
    struct scr_job job;
    size_t cap = 0, dcap = 0;
    int rc = 0;
    memset(p, 0, sizeof *p);
    scr_job_from_cfg(&job, sc);
    for (size_t g = 0; g < n && !rc; g++) {
        for (size_t t = 0; t < groups[g].ntargets && !rc; t++) {
            struct lbl_set disc = {0};
            rc = merged(&groups[g].targets[t], &groups[g].labels, &disc);
            if (!rc)
                rc = one(&job, sc, &disc, log, p, &cap, &dcap);
            lbl_set_free(&disc);
        }
    }
    if (rc)
        srv_pool_free(p);
    return rc;
}

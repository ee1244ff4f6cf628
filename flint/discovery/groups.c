/* SPDX-License-Identifier: Apache-2.0 */
/* groups.c: target groups (struct disc_group): freeing, deep copies, comparison, and
 * the groups of a job's static_configs. */
#include "flint/discovery/disc_int.h"

#include <stdio.h>
#include <string.h>

#include "lm/alloc.h"

void
disc_group_cleanup_(struct disc_group *g)
{
    lm_free(g->source);
    for (size_t i = 0; i < g->ntargets; i++)
        lbl_set_free(&g->targets[i]);
    lm_free(g->targets);
    lbl_set_free(&g->labels);
    memset(g, 0, sizeof *g);
}

void
disc_groups_free(struct disc_group *g, size_t n)
{
    for (size_t i = 0; g && i < n; i++)
        disc_group_cleanup_(&g[i]);
    lm_free(g);
}

int
disc_group_copy_(struct disc_group *dst, const struct disc_group *src)
{
    memset(dst, 0, sizeof *dst);
    if (!(dst->source = lm_strdup(src->source ? src->source : "")))
        return LM_ENOMEM;
    if (src->ntargets && !(dst->targets = lm_calloc(src->ntargets, sizeof *dst->targets)))
        goto oom;
    for (size_t i = 0; i < src->ntargets; i++, dst->ntargets++)
        if (lbl_set_copy(&dst->targets[i], &src->targets[i]))
            goto oom;
    if (lbl_set_copy(&dst->labels, &src->labels))
        goto oom;
    return 0;
oom:
    disc_group_cleanup_(dst);
    return LM_ENOMEM;
}

bool
disc_group_eq_(const struct disc_group *a, const struct disc_group *b)
{
    if (strcmp(a->source, b->source) || a->ntargets != b->ntargets ||
        !lbl_set_eq(&a->labels, &b->labels))
        return false;
    for (size_t i = 0; i < a->ntargets; i++)
        if (!lbl_set_eq(&a->targets[i], &b->targets[i]))
            return false;
    return true;
}

bool
disc_groups_eq_(const struct disc_group *a, size_t na, const struct disc_group *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (!disc_group_eq_(&a[i], &b[i]))
            return false;
    return true;
}

int
disc_group_add_target_(struct disc_group *g, const char *addr)
{
    struct lbl_set *nt = lm_realloc(g->targets, (g->ntargets + 1) * sizeof *nt);
    if (!nt)
        return LM_ENOMEM;
    g->targets = nt;
    memset(&nt[g->ntargets], 0, sizeof nt[0]);
    if (lbl_set_add(&nt[g->ntargets], "__address__", addr))
        return LM_ENOMEM;
    g->ntargets++;
    return 0;
}

int
disc_static_groups(const struct cfg_sd *sd, struct disc_group **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!sd->nstatics)
        return 0;
    struct disc_group *g = lm_calloc(sd->nstatics, sizeof *g);
    if (!g)
        return LM_ENOMEM;
    for (size_t i = 0; i < sd->nstatics; i++) {
        const struct cfg_static *s = &sd->statics[i];
        char src[32];
        snprintf(src, sizeof src, "%zu", i);
        if (!(g[i].source = lm_strdup(src)) || lbl_set_copy(&g[i].labels, &s->labels))
            goto oom;
        for (size_t j = 0; j < s->ntargets; j++)
            if (disc_group_add_target_(&g[i], s->targets[j]))
                goto oom;
    }
    *out = g;
    *n = sd->nstatics;
    return 0;
oom:
    disc_groups_free(g, sd->nstatics);
    return LM_ENOMEM;
}

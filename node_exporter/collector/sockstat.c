/* SPDX-License-Identifier: Apache-2.0 */
/* sockstat.c: the sockstat collector: /proc/net/sockstat and sockstat6 as gauges
 * node_sockstat_<PROTO>_<state> ("mem" pages also as mem_bytes) and
 * node_sockstat_sockets_used. A missing file (IPv6 off) is skipped. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "node_exporter/procutil.h"

struct sockstat_state {
    struct lm_procfile *pf;   /* reader for both files */
    double pagesize;          /* bytes per page, for mem_bytes */
};

static int
sockstat_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    struct sockstat_state *s = lm_calloc(1, sizeof *s);
    if (!s || !(s->pf = lm_procfile_new(NULL))) {
        lm_free(s);
        return lm_err_set(err, LM_ENOMEM, "sockstat", "out of memory");
    }
    long ps = sysconf(_SC_PAGESIZE);
    s->pagesize = ps > 0 ? (double)ps : 4096;
    *state = s;
    return 0;
}

static void
sockstat_fini(void *state)
{
    struct sockstat_state *s = state;
    if (!s)
        return;
    lm_procfile_free(s->pf);
    lm_free(s);
}

static void
gauge(struct lm_emit *e, const char *proto, size_t plen, const char *st, double v)
{
    char name[160], help[200];
    snprintf(name, sizeof name, "node_sockstat_%.*s_%s", (int)plen, proto, st);
    snprintf(help, sizeof help, "Number of %.*s sockets in state %s.", (int)plen, proto, st);
    lm_emit_one(e, name, help, LM_TYPE_GAUGE, v);
}

/* one_file: "PROTO: key value key value ..." lines; "sockets: used N" is special. */
static int
one_file(struct sockstat_state *s, const char *path, struct lm_emit *e, struct lm_err *err)
{
    size_t nl = lm_procfile_lines(s->pf);
    for (size_t l = 0; l < nl; l++) {
        size_t nw = lm_procfile_words(s->pf, l);
        const char *proto = lm_procfile_word(s->pf, l, 0);
        size_t plen = strlen(proto);
        if (nw == 0)
            continue;
        if (nw % 2 == 0 || plen < 2 || proto[plen - 1] != ':')
            return lm_err_set(err, LM_EPARSE, path, "%s: line %zu: malformed \"%s\"", path,
                              l + 1, lm_procfile_line(s->pf, l));
        plen--;
        for (size_t w = 1; w + 1 < nw; w += 2) {
            const char *key = lm_procfile_word(s->pf, l, w);
            double v;
            int rc = ne_num(lm_procfile_word(s->pf, l, w + 1), path, l, &v, err);
            if (rc)
                return rc;
            if (plen == 7 && strncmp(proto, "sockets", 7) == 0) {
                if (strcmp(key, "used") == 0)
                    lm_emit_one(e, "node_sockstat_sockets_used", "Number of IPv4 sockets in use.",
                                LM_TYPE_GAUGE, v);
                continue;
            }
            gauge(e, proto, plen, key, v);
            if (strcmp(key, "mem") == 0)
                gauge(e, proto, plen, "mem_bytes", v * s->pagesize);
        }
    }
    return 0;
}

static int
sockstat_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
                 struct lm_err *err)
{
    struct sockstat_state *s = state;
    static const char *const files[2] = {"net/sockstat", "net/sockstat6"};
    char path[4096];
    for (size_t i = 0; i < 2; i++) {
        int rc = ne_proc_read(s->pf, ctx, NE_PROCFS, files[i], path, sizeof path, err);
        if (rc == LM_ENOENT) {   /* upstream logs at debug and goes on */
            lm_err_clear(err);
            continue;
        }
        if (rc || (rc = one_file(s, path, e, err)))
            return rc;
    }
    return 0;
}

const struct lm_collector_desc ne_sockstat_collector = {
    .name = "sockstat",
    .enabled_by_default = true,
    .flags = NULL,
    .init = sockstat_init,
    .collect = sockstat_collect,
    .fini = sockstat_fini,
};

/* SPDX-License-Identifier: Apache-2.0 */
/* ipvs.c: the ipvs collector: IPVS totals from <procfs>/net/ip_vs_stats (hex columns) and
 * per backend the active/inactive connections and weight from <procfs>/net/ip_vs, summed
 * over backends that share the labels chosen by --collector.ipvs.backend-labels. No
 * ip_vs_stats (no IPVS module): LM_ENODATA; a malformed file fails the scrape. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/flags.h"
#include "lm/procfile.h"
#include "node_exporter/ne.h"
#include "node_exporter/procutil.h"

/* backend label names, in upstream's flag order */
enum { L_LADDR, L_LPORT, L_RADDR, L_RPORT, L_PROTO, L_MARK, NLABELS };
static const char *const label_names[NLABELS] = {
    "local_address", "local_port", "remote_address", "remote_port", "proto", "local_mark",
};
/* the order labels are emitted in (sorted by name, as Go's exposition) */
static const int emit_order[NLABELS] = {L_LADDR, L_MARK, L_LPORT, L_PROTO, L_RADDR, L_RPORT};

static const struct lm_flag_desc flags[] = {
    {"collector.ipvs.backend-labels",
     "local_address,local_port,remote_address,remote_port,proto,local_mark",
     "Comma separated list for IPVS backend stats labels.", false},
    {NULL, NULL, NULL, false},
};

/* the ip_vs_stats totals, in column order: name and HELP */
static const char *const totals[5][2] = {
    {"node_ipvs_connections_total", "The total number of connections made."},
    {"node_ipvs_incoming_packets_total", "The total number of incoming packets."},
    {"node_ipvs_outgoing_packets_total", "The total number of outgoing packets."},
    {"node_ipvs_incoming_bytes_total", "The total amount of incoming data."},
    {"node_ipvs_outgoing_bytes_total", "The total amount of outgoing data."},
};

/* the per-backend families: name and HELP (active, inactive, weight) */
static const char *const backend_fams[3][2] = {
    {"node_ipvs_backend_connections_active", "The current active connections by local and remote address."},
    {"node_ipvs_backend_connections_inactive", "The current inactive connections by local and remote address."},
    {"node_ipvs_backend_weight", "The current backend weight by local and remote address."},
};

struct ipvs_state {
    struct lm_procfile *pf;   /* reused reader */
    bool use[NLABELS];        /* labels selected by the flag */
};

/* One summed backend series. */
struct backend {
    char val[NLABELS][64];    /* label values (only selected ones are set) */
    double active;            /* ActiveConn sum */
    double inactive;          /* InActConn sum */
    double weight;            /* Weight sum */
};

/* same: whether two backends have the same label values */
static bool
same(const struct backend *a, const struct backend *b)
{
    for (int i = 0; i < NLABELS; i++)
        if (strcmp(a->val[i], b->val[i]))
            return false;
    return true;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
ipvs_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    const char *spec = ctx->flags ? lm_flags_get(ctx->flags, "collector.ipvs.backend-labels")
                                  : flags[0].def;
    char buf[512], unknown[512] = "";
    const char *bad[32];
    size_t nbad = 0;
    struct ipvs_state *s = lm_malloc(sizeof *s);
    if (!s)
        return lm_err_set(err, LM_ENOMEM, "ipvs", "out of memory");
    memset(s, 0, sizeof *s);
    snprintf(buf, sizeof buf, "%s", spec ? spec : "");
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        size_t i = 0;
        while (i < NLABELS && strcmp(tok, label_names[i]))
            i++;
        if (i < NLABELS)
            s->use[i] = true;
        else if (nbad < 32)
            bad[nbad++] = tok;
    }
    if (nbad) {
        qsort(bad, nbad, sizeof bad[0], cmp_str);
        for (size_t i = 0; i < nbad; i++)
            snprintf(unknown + strlen(unknown), sizeof unknown - strlen(unknown), "%s%s",
                     i ? ", " : "", bad[i]);
        lm_free(s);
        return lm_err_set(err, LM_ECONFIG, "--collector.ipvs.backend-labels",
                          "unknown IPVS backend labels: \"%s\"", unknown);
    }
    if (!(s->pf = lm_procfile_new(NULL))) {
        lm_free(s);
        return lm_err_set(err, LM_ENOMEM, "ipvs", "out of memory");
    }
    *state = s;
    return 0;
}

static void
ipvs_fini(void *state)
{
    struct ipvs_state *s = state;
    if (s)
        lm_procfile_free(s->pf);
    lm_free(s);
}

/* ip_port: "C0A80016:0CEA" or "[v6 address, 39 chars]:0050" into text address and port. */
static int
ip_port(const char *s, char *addr, size_t n, char *port, size_t pn)
{
    uint64_t a, p;
    size_t len = strlen(s);
    if (len == 13 && s[8] == ':' && !ne_hex_u64(s, 8, &a) && !ne_hex_u64(s + 9, 4, &p)) {
        snprintf(addr, n, "%u.%u.%u.%u", (unsigned)(a >> 24) & 255, (unsigned)(a >> 16) & 255,
                 (unsigned)(a >> 8) & 255, (unsigned)a & 255);
    } else if (len == 46 && s[0] == '[' && s[40] == ']' && s[41] == ':' &&
               !ne_hex_u64(s + 42, 4, &p)) {
        char v6[40];
        unsigned char bin[16];
        memcpy(v6, s + 1, 39);
        v6[39] = '\0';
        if (inet_pton(AF_INET6, v6, bin) != 1 || !inet_ntop(AF_INET6, bin, addr, (socklen_t)n))
            return LM_EPARSE;
    } else {
        return LM_EPARSE;
    }
    snprintf(port, pn, "%u", (unsigned)p);
    return 0;
}

static int
stats(struct ipvs_state *s, const struct lm_collect_ctx *ctx, struct lm_emit *e,
      struct lm_err *err)
{
    char path[4096];
    uint64_t v[5];
    int rc = ne_proc_read(s->pf, ctx, NE_PROCFS, "net/ip_vs_stats", path, sizeof path, err);
    if (rc == LM_ENOENT)
        return lm_err_set(err, LM_ENODATA, path,
                          "ipvs collector metrics are not available for this system");
    if (rc)
        return rc;
    if (lm_procfile_lines(s->pf) < 3 || lm_procfile_words(s->pf, 2) < 5)
        return lm_err_set(err, LM_EPARSE, path, "ip_vs_stats corrupt: too short");
    for (size_t i = 0; i < 5; i++)
        if (ne_hex_u64(lm_procfile_word(s->pf, 2, i), 0, &v[i]))
            return lm_err_set(err, LM_EPARSE, path, "line 3: invalid hex value \"%s\"",
                              lm_procfile_word(s->pf, 2, i));
    for (size_t i = 0; i < 5; i++)
        lm_emit_one(e, totals[i][0], totals[i][1], LM_TYPE_COUNTER, (double)v[i]);
    return 0;
}

static int
ipvs_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    struct ipvs_state *s = state;
    char path[4096], cur[NLABELS][64] = {{0}};
    int rc = stats(s, ctx, e, err);
    if (rc)
        return rc;
    rc = ne_proc_read(s->pf, ctx, NE_PROCFS, "net/ip_vs", path, sizeof path, err);
    if (rc)
        return rc;  /* err names ip_vs: upstream's "could not get backend status" */
    size_t nl = lm_procfile_lines(s->pf), nb = 0, nreal = 1;
    for (size_t l = 0; l < nl; l++)
        nreal += !strcmp(lm_procfile_word(s->pf, l, 0), "->");
    struct backend *b = lm_emit_alloc(e, nreal * sizeof *b);
    if (!b)
        return lm_err_set(err, LM_ENOMEM, path, "out of memory");
    for (size_t l = 0; l < nl; l++) {
        const char *f0 = lm_procfile_word(s->pf, l, 0), *f1 = lm_procfile_word(s->pf, l, 1);
        size_t nw = lm_procfile_words(s->pf, l);
        if (!nw || !strcmp(f0, "IP") || !strcmp(f0, "Prot") || !strcmp(f1, "RemoteAddress:Port"))
            continue;
        if ((!strcmp(f0, "TCP") || !strcmp(f0, "UDP")) && nw >= 2) {
            if (ip_port(f1, cur[L_LADDR], 64, cur[L_LPORT], 64))
                return lm_err_set(err, LM_EPARSE, path, "line %zu: unexpected IP:Port: %s",
                                  l + 1, f1);
            snprintf(cur[L_PROTO], 64, "%s", f0);
            cur[L_MARK][0] = '\0';
        } else if (!strcmp(f0, "FWM") && nw >= 2) {
            snprintf(cur[L_PROTO], 64, "%s", f0);
            snprintf(cur[L_MARK], 64, "%s", f1);
            cur[L_LADDR][0] = '\0';
            snprintf(cur[L_LPORT], 64, "0");
        } else if (!strcmp(f0, "->") && nw >= 6) {
            struct backend *x = &b[nb];
            uint64_t w[3];
            memset(x, 0, sizeof *x);
            for (int i = 0; i < NLABELS; i++)
                if (s->use[i])
                    memcpy(x->val[i], cur[i], 64);
            if (ip_port(f1, x->val[L_RADDR], 64, x->val[L_RPORT], 64))
                return lm_err_set(err, LM_EPARSE, path, "line %zu: unexpected IP:Port: %s",
                                  l + 1, f1);
            if (!s->use[L_RADDR])
                x->val[L_RADDR][0] = '\0';
            if (!s->use[L_RPORT])
                x->val[L_RPORT][0] = '\0';
            for (size_t i = 0; i < 3; i++)
                if (lm_parse_u64(lm_procfile_word(s->pf, l, 3 + i), &w[i]))
                    return lm_err_set(err, LM_EPARSE, path, "line %zu: invalid value \"%s\"",
                                      l + 1, lm_procfile_word(s->pf, l, 3 + i));
            size_t j = 0;
            while (j < nb && !same(&b[j], x))
                j++;
            b[j].weight += (double)w[0];
            b[j].active += (double)w[1];
            b[j].inactive += (double)w[2];
            if (j == nb)
                nb++;
        }
    }
    for (int f = 0; f < 3; f++) {
        lm_emit_family(e, backend_fams[f][0], backend_fams[f][1], LM_TYPE_GAUGE);
        for (size_t j = 0; j < nb; j++) {
            struct lm_label lab[NLABELS];
            size_t n = 0;
            for (int i = 0; i < NLABELS; i++)
                if (s->use[emit_order[i]])
                    lab[n++] = (struct lm_label){label_names[emit_order[i]], b[j].val[emit_order[i]]};
            lm_emit_sample(e, lab, n, f == 0 ? b[j].active : f == 1 ? b[j].inactive : b[j].weight);
        }
    }
    return 0;
}

const struct lm_collector_desc ne_ipvs_collector = {
    .name = "ipvs",
    .enabled_by_default = true,
    .flags = flags,
    .init = ipvs_init,
    .collect = ipvs_collect,
    .fini = ipvs_fini,
};

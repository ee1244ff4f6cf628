/* SPDX-License-Identifier: Apache-2.0 */
/* supervisord.c: the supervisord collector (disabled by default, as upstream): one
 * supervisor.getAllProcessInfo XML-RPC call per scrape, over supervisord's unix socket
 * (unix:///var/run/supervisor.sock) or its HTTP port, giving node_supervisord_{up,state,
 * exit_status,start_time_seconds}{group,name} exactly as node_exporter 1.5. The XML-RPC
 * client is proto/xmlrpc.h; this file only maps process info structs to samples. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lm/alloc.h"
#include "lm/flags.h"
#include "node_exporter/ne.h"
#include "proto/xmlrpc.h"

#define URL_FLAG "collector.supervisord.url"
#define DEFAULT_TIMEOUT 10.0   /* seconds, when the runner gives no deadline */

/* Process state codes (supervisor/states.py). */
enum { ST_STARTING = 10, ST_RUNNING = 20, ST_STOPPING = 40 };

/* The collector's state: the URL to call, fixed at init. */
struct sv_state {
    char *url;   /* owned; flag, else $SUPERVISORD_URL, else upstream's default */
};

static const struct lm_flag_desc sv_flags[] = {
    {URL_FLAG, "http://localhost:9001/RPC2",
     "XML-RPC endpoint (env SUPERVISORD_URL). To read supervisord's unix socket without "
     "enabling [inet_http_server] (and so without restarting it), use "
     "unix:///var/run/supervisor.sock; http://user:pass@host:port/RPC2 for basic auth.",
     false},
    {0},
};

/* One process, as read from its info struct; strings are views into the reply. */
struct proc {
    const char *name;    /* "name" member */
    const char *group;   /* "group" member */
    int64_t state;       /* "state": STOPPED 0 ... UNKNOWN 1000 */
    int64_t exitstatus;  /* "exitstatus" */
    int64_t start;       /* "start", epoch seconds; 0 if never started */
};

static int
sv_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    const char *url = ctx->flags ? lm_flags_get(ctx->flags, URL_FLAG) : NULL;
    const char *env = getenv("SUPERVISORD_URL");
    /* kingpin's precedence: the flag, then the environment, then the default */
    if (env && *env && !(ctx->flags && lm_flags_is_set(ctx->flags, URL_FLAG)))
        url = env;
    if (!url || !*url)
        url = sv_flags[0].def;
    int rc = proto_xmlrpc_global_init(err);
    if (rc)
        return rc;
    struct sv_state *s = lm_calloc(1, sizeof *s);
    if (s)
        s->url = lm_strdup(url);
    if (!s || !s->url) {
        lm_free(s);
        proto_xmlrpc_global_cleanup();
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    }
    *state = s;
    return 0;
}

static void
sv_fini(void *state)
{
    struct sv_state *s = state;
    if (!s)
        return;
    lm_free(s->url);
    lm_free(s);
    proto_xmlrpc_global_cleanup();
}

/* int_member: the integer member name of info, 0 when absent (as Go's zero value). */
static int
int_member(const struct proto_xmlrpc_value *info, const char *name, int64_t *out)
{
    const struct proto_xmlrpc_value *v = proto_xmlrpc_member(info, name);
    *out = 0;
    return v ? proto_xmlrpc_get_int(v, out) : 0;
}

/* read_proc: one info struct into p; LM_EPARSE when it lacks name, group or state. */
static int
read_proc(const struct proto_xmlrpc_value *info, size_t i, struct proc *p, struct lm_err *err)
{
    p->name = proto_xmlrpc_string_view(proto_xmlrpc_member(info, "name"), NULL);
    p->group = proto_xmlrpc_string_view(proto_xmlrpc_member(info, "group"), NULL);
    if (!p->name || !p->group || !proto_xmlrpc_member(info, "state") ||
        int_member(info, "state", &p->state) || int_member(info, "exitstatus", &p->exitstatus) ||
        int_member(info, "start", &p->start))
        return lm_err_set(err, LM_EPARSE, NULL,
                          "unable to call supervisord: process %zu: unexpected process info", i);
    return 0;
}

/* is_up: upstream's isRunning: STARTING, RUNNING or STOPPING. */
static bool
is_up(int64_t state)
{
    return state == ST_STARTING || state == ST_RUNNING || state == ST_STOPPING;
}

static int
sv_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
           struct lm_err *err)
{
    const struct sv_state *s = state;
    double timeout = DEFAULT_TIMEOUT;
    if (ctx->deadline > 0) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        timeout = ctx->deadline - ((double)ts.tv_sec + ts.tv_nsec / 1e9);
        if (timeout < 0.001)
            return lm_err_set(err, LM_ETIMEOUT, NULL, "unable to call supervisord: no time left");
    }

    struct proto_xmlrpc_value *res = NULL;
    int rc = proto_xmlrpc_call(s->url, "supervisor.getAllProcessInfo", NULL, 0, timeout, &res,
                               NULL, err);
    if (rc) {
        /* copies: lm_err_set must not read the struct it writes */
        char msg[LM_ERR_MSG_MAX], where[LM_ERR_WHERE_MAX];
        snprintf(msg, sizeof msg, "%.480s", err->msg);
        snprintf(where, sizeof where, "%s", err->where);
        return lm_err_set(err, rc, where, "unable to call supervisord: %s", msg);
    }
    size_t n = proto_xmlrpc_len(res);
    struct proc *procs = n ? lm_emit_alloc(e, n * sizeof *procs) : NULL;
    if (proto_xmlrpc_type(res) != PROTO_XMLRPC_ARRAY) {
        rc = lm_err_set(err, LM_EPARSE, NULL,
                        "unable to call supervisord: expected an array, got %s",
                        proto_xmlrpc_type_name(proto_xmlrpc_type(res)));
        goto out;
    }
    if (n && !procs) {
        rc = lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        rc = read_proc(proto_xmlrpc_at(res, i), i, &procs[i], err);
        if (rc)
            goto out;
    }

    /* no process, no family (client_golang prints no empty family) */
    size_t nup = 0;
    for (size_t i = 0; i < n; i++)
        nup += is_up(procs[i].state);
    if (!n)
        goto out;
    /* labels sorted by name, as client_golang prints them */
    lm_emit_family(e, "node_supervisord_up", "Process Up", LM_TYPE_GAUGE);
    for (size_t i = 0; i < n; i++)
        lm_emit_samplev(e, is_up(procs[i].state) ? 1.0 : 0.0, "group", procs[i].group,
                        "name", procs[i].name, NULL);
    lm_emit_family(e, "node_supervisord_state", "Process State", LM_TYPE_GAUGE);
    for (size_t i = 0; i < n; i++)
        lm_emit_samplev(e, (double)procs[i].state, "group", procs[i].group, "name",
                        procs[i].name, NULL);
    lm_emit_family(e, "node_supervisord_exit_status", "Process Exit Status", LM_TYPE_GAUGE);
    for (size_t i = 0; i < n; i++)
        lm_emit_samplev(e, (double)procs[i].exitstatus, "group", procs[i].group, "name",
                        procs[i].name, NULL);
    if (nup)
        lm_emit_family(e, "node_supervisord_start_time_seconds", "Process start time",
                       LM_TYPE_COUNTER);
    for (size_t i = 0; i < n; i++)
        if (is_up(procs[i].state))
            lm_emit_samplev(e, (double)procs[i].start, "group", procs[i].group, "name",
                            procs[i].name, NULL);
out:
    proto_xmlrpc_value_free(res);
    return rc;
}

const struct lm_collector_desc ne_supervisord_collector = {
    .name = "supervisord",
    .enabled_by_default = false,
    .flags = sv_flags,
    .init = sv_init,
    .collect = sv_collect,
    .fini = sv_fini,
};

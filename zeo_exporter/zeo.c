/* SPDX-License-Identifier: Apache-2.0 */
/* zeo.c: the zeo collector: on each scrape asks every --zeo.address (ruok, ZEO >= 4.1)
 * and every --zeo.monitor-address (legacy monitor server, ZEO <= 4) for its status, one
 * after another, each within --zeo.timeout (or the scrape's own deadline if sooner), and
 * emits zeo_up{address} plus per-storage families labelled {address, storage}. A server
 * that fails gives zeo_up 0 and a logged reason; the others still report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lm/alloc.h"
#include "lm/exporter.h"
#include "lm/flags.h"
#include "lm/log.h"
#include "lm/duration.h"
#include "lm/flags.h"
#include "zeo_exporter/zeo.h"
#include "zeo_exporter/zeo_client.h"

#define ZEO_MAX_TARGETS 256      /* addresses one exporter watches */

struct zeo_target {
    const char *address;         /* view into the parsed flags */
    bool monitor;                /* legacy monitor-server report instead of ruok */
};

struct zeo_state {
    struct zeo_target targets[ZEO_MAX_TARGETS];  /* servers, in flag order */
    size_t n;                    /* targets used */
    double timeout;              /* --zeo.timeout, seconds */
};

const struct lm_flag_desc zeo_flags[] = {
    {"zeo.address", "localhost:8100",
     "ZEO server to ask with ruok (ZEO >= 4.1): host:port, [v6addr]:port or a unix socket "
     "path (anything containing '/'). Repeatable.", false, true},
    {"zeo.monitor-address", "",
     "Legacy ZEO <= 4 monitor server (runzeo -m / monitor-address) to read the text report "
     "from: host:port, [v6addr]:port or a unix socket path. Repeatable.", false, true},
    {"zeo.timeout", "5s", "Timeout for each ZEO server's answer (Go duration: 500ms, 5s, 1m).",
     false},
    {NULL, NULL, NULL, false},
};

/* add_targets: every value of the repeatable flag name into st. */
static int
add_targets(struct zeo_state *st, const struct lm_flags *flags, const char *name, bool monitor,
            struct lm_err *err)
{
    size_t n = 0;
    const char *const *v = lm_flags_get_all(flags, name, &n);
    for (size_t i = 0; i < n; i++) {
        if (!v[i][0])
            continue;
        if (st->n == ZEO_MAX_TARGETS)
            return lm_err_set(err, LM_ECONFIG, "--zeo.address", "more than %d servers",
                              ZEO_MAX_TARGETS);
        st->targets[st->n].address = v[i];
        st->targets[st->n++].monitor = monitor;
    }
    return 0;
}

static int
zeo_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    struct zeo_state *st = lm_calloc(1, sizeof *st);
    if (!st)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    int rc = lm_duration_parse(lm_flags_get(ctx->flags, "zeo.timeout"), "--zeo.timeout",
                               &st->timeout, err);
    /* The default ruok address only applies when no monitor address was given. */
    bool mon = lm_flags_is_set(ctx->flags, "zeo.monitor-address");
    if (!rc && (!mon || lm_flags_is_set(ctx->flags, "zeo.address")))
        rc = add_targets(st, ctx->flags, "zeo.address", false, err);
    if (!rc)
        rc = add_targets(st, ctx->flags, "zeo.monitor-address", true, err);
    if (!rc && !st->n)
        rc = lm_err_set(err, LM_ECONFIG, "--zeo.address", "no ZEO server to watch");
    if (rc) {
        lm_free(st);
        return rc;
    }
    *state = st;
    return 0;
}

static void
zeo_fini(void *state)
{
    struct zeo_state *st = state;
    lm_free(st);
}

/* One per-storage family: name, help, type and where its value lives. */
struct zeo_family {
    const char *name;            /* metric name */
    const char *help;            /* HELP text */
    enum lm_type type;           /* counter or gauge */
    size_t off;                  /* offset of the double in struct zeo_storage */
};

static const struct zeo_family zeo_families[] = {
    {"zeo_connections", "Connected ZEO clients of the storage.", LM_TYPE_GAUGE,
     offsetof(struct zeo_storage, connections)},
    {"zeo_waiting", "Transactions waiting for the storage's commit lock.", LM_TYPE_GAUGE,
     offsetof(struct zeo_storage, waiting)},
    {"zeo_active_transactions", "Transactions in progress on the storage.", LM_TYPE_GAUGE,
     offsetof(struct zeo_storage, active_txns)},
    {"zeo_commits_total", "Transactions committed since the server started.",
     LM_TYPE_COUNTER, offsetof(struct zeo_storage, commits)},
    {"zeo_aborts_total", "Transactions aborted since the server started.", LM_TYPE_COUNTER,
     offsetof(struct zeo_storage, aborts)},
    {"zeo_loads_total", "Object loads since the server started.", LM_TYPE_COUNTER,
     offsetof(struct zeo_storage, loads)},
    {"zeo_stores_total", "Object stores since the server started.", LM_TYPE_COUNTER,
     offsetof(struct zeo_storage, stores)},
    {"zeo_conflicts_total", "Conflict errors since the server started.", LM_TYPE_COUNTER,
     offsetof(struct zeo_storage, conflicts)},
    {"zeo_conflicts_resolved_total", "Conflicts resolved since the server started.",
     LM_TYPE_COUNTER, offsetof(struct zeo_storage, conflicts_resolved)},
};

/* emit_storage: every family of one storage. */
static void
emit_storage(struct lm_emit *e, const char *address, const struct zeo_storage *s, double now)
{
    const struct lm_label l[2] = {{"address", address}, {"storage", s->name}};
    for (size_t i = 0; i < sizeof zeo_families / sizeof zeo_families[0]; i++) {
        const struct zeo_family *f = &zeo_families[i];
        if ((s->seen & ZEO_SEEN(f->off)) && !lm_emit_family(e, f->name, f->help, f->type))
            lm_emit_sample(e, l, 2, *(const double *)((const char *)s + f->off));
    }
    double held = 0;
    if (s->lock_held)
        held = now > s->lock_time ? now - s->lock_time : 0;
    else if (s->has_lock_held_for)
        held = s->lock_held_for;
    if (!lm_emit_family(e, "zeo_lock_held_seconds",
                        "Seconds the storage's commit lock has been held (0 when free).",
                        LM_TYPE_GAUGE))
        lm_emit_sample(e, l, 2, held);
    if (s->has_last_txn &&
        !lm_emit_family(e, "zeo_last_transaction_timestamp_seconds",
                        "Time of the last committed transaction (from its TID), Unix seconds.",
                        LM_TYPE_GAUGE))
        lm_emit_sample(e, l, 2, s->last_txn);
    if (s->has_start &&
        !lm_emit_family(e, "zeo_start_time_seconds",
                        "Server start time, Unix seconds (its ctime read in the exporter's "
                        "time zone).", LM_TYPE_GAUGE))
        lm_emit_sample(e, l, 2, s->start);
    if ((s->timeout_thread == ZEO_TT_ALIVE || s->timeout_thread == ZEO_TT_DEAD) &&
        !lm_emit_family(e, "zeo_timeout_thread_alive",
                        "1 when the transaction-timeout thread is alive; absent when no "
                        "transaction-timeout is configured.", LM_TYPE_GAUGE))
        lm_emit_sample(e, l, 2, s->timeout_thread == ZEO_TT_ALIVE);
    if (s->has_verifying &&
        !lm_emit_family(e, "zeo_verifying_clients", "Clients verifying their cache (ZEO 4).",
                        LM_TYPE_GAUGE))
        lm_emit_sample(e, l, 2, s->verifying);
}

static int
zeo_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
            struct lm_err *err)
{
    struct zeo_state *st = state;
    size_t failed = 0;
    for (size_t i = 0; i < st->n; i++) {
        const struct zeo_target *t = &st->targets[i];
        double deadline = lm_monotonic() + st->timeout;
        if (ctx->deadline > 0 && ctx->deadline < deadline)
            deadline = ctx->deadline;
        struct zeo_status zs;
        struct lm_err ferr;
        zeo_status_init(&zs);
        lm_err_clear(&ferr);
        int rc = zeo_fetch(t->address, t->monitor, deadline, &zs, &ferr);
        const struct lm_label la = {"address", t->address};
        if (!lm_emit_family(e, "zeo_up", "1 when the ZEO server answered, else 0.",
                            LM_TYPE_GAUGE))
            lm_emit_sample(e, &la, 1, rc ? 0 : 1);
        if (rc) {
            char buf[LM_ERR_WHERE_MAX + LM_ERR_MSG_MAX + 4];
            lm_warn(ctx->log, "ZEO server did not answer", "target", t->address, "err",
                    lm_err_format(&ferr, buf, sizeof buf), NULL);
            failed++;
        } else {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
            if (zs.protocol[0]) {
                const struct lm_label pl[2] = {{"address", t->address},
                                               {"version", zs.protocol}};
                if (!lm_emit_family(e, "zeo_protocol_info",
                                    "The protocol the ZEO server announced (e.g. Z5, M5, Z4).",
                                    LM_TYPE_GAUGE))
                    lm_emit_sample(e, pl, 2, 1);
            }
            for (size_t k = 0; k < zs.n; k++)
                emit_storage(e, t->address, &zs.storages[k], now);
        }
        zeo_status_cleanup(&zs);
    }
    const struct lm_err *ee = lm_emit_error(e);
    if (ee)
        return lm_err_set(err, ee->code, ee->where, "%s", ee->msg);
    if (failed == st->n)
        return lm_err_set(err, LM_EIO, NULL, "none of the %zu ZEO servers answered", st->n);
    return 0;
}

const struct lm_collector_desc zeo_collector = {
    .name = "zeo",
    .enabled_by_default = true,
    .flags = zeo_flags,
    .init = zeo_init,
    .collect = zeo_collect,
    .fini = zeo_fini,
};

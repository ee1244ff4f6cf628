/* SPDX-License-Identifier: Apache-2.0 */
/* systemd.c: the systemd collector (off by default, as upstream; Debian's build turns it
 * on): unit states, unit counts, system state, version, timers and sockets, read from
 * org.freedesktop.systemd1 over D-Bus with libsystemd's sd-bus. The system bus address
 * comes from DBUS_SYSTEM_BUS_ADDRESS (sd_bus_open_system); --collector.systemd.private
 * talks to /run/systemd/private directly. The connection is kept between scrapes and
 * reopened when it drops. Does not read unit files or /run/systemd. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "lm/exporter.h"
#include "lm/flags.h"
#include "lm/log.h"
#include "lm/regex.h"
#include "node_exporter/ne.h"
#include "node_exporter/sd_dl.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_IFACE "org.freedesktop.systemd1."
#define SD_PRIVATE "unix:path=/run/systemd/private"
#define MIN_VERSION_SYSTEM_STATE 212   /* SystemState and LastTriggerUSec appeared here */
#define DEFAULT_TIMEOUT_USEC 10000000  /* per D-Bus call when the scrape has no deadline */

static const struct lm_flag_desc flags[] = {
    {"collector.systemd.unit-include", ".+",
     "Regexp of systemd units to include. Units must both match include and not match "
     "exclude to be included.", false},
    {"collector.systemd.unit-whitelist", NULL, "DEPRECATED: Use --collector.systemd.unit-include",
     false},
    {"collector.systemd.unit-exclude", ".+\\.(automount|device|mount|scope|slice)",
     "Regexp of systemd units to exclude. Units must both match include and not match "
     "exclude to be included.", false},
    {"collector.systemd.unit-blacklist", NULL, "DEPRECATED: Use collector.systemd.unit-exclude",
     false},
    {"collector.systemd.private", "false",
     "Establish a private, direct connection to systemd without dbus (Strongly discouraged "
     "since it requires root. For testing purposes only).", true},
    {"collector.systemd.enable-task-metrics", "false",
     "Enables service unit tasks metrics unit_tasks_current and unit_tasks_max", true},
    {"collector.systemd.enable-restarts-metrics", "false",
     "Enables service unit metric service_restart_total", true},
    {"collector.systemd.enable-start-time-metrics", "false",
     "Enables service unit metric unit_start_time_seconds", true},
    {NULL, NULL, NULL, false},
};

static const char *const unit_states[] = {"active", "activating", "deactivating", "inactive",
                                          "failed"};
#define NSTATES (sizeof unit_states / sizeof unit_states[0])

struct systemd {
    struct lm_regex *include;   /* unit names to keep (anchored) */
    struct lm_regex *exclude;   /* unit names to drop (anchored) */
    bool private_bus;           /* --collector.systemd.private */
    bool tasks;                 /* --collector.systemd.enable-task-metrics */
    bool restarts;              /* --collector.systemd.enable-restarts-metrics */
    bool start_time;            /* --collector.systemd.enable-start-time-metrics */
    sd_bus *bus;                /* the connection kept between scrapes, or NULL */
};

/* One ListUnits entry; strings borrowed from the reply message. */
struct unit {
    const char *name;     /* "ssh.service" */
    const char *load;     /* LoadState */
    const char *active;   /* ActiveState */
    const char *path;     /* the unit's object path */
};

static bool
has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && memcmp(s + n - m, suf, m) == 0;
}

/* pattern: pick a flag or its deprecated alias; both given is an error, as upstream. */
static int
pattern(const struct lm_collect_ctx *ctx, const char *flag, const char *old, const char **out,
        struct lm_err *err)
{
    const char *ov = lm_flags_get(ctx->flags, old);
    *out = lm_flags_get(ctx->flags, flag);
    if (ov && *ov) {
        if (lm_flags_is_set(ctx->flags, flag))
            return lm_err_set(err, LM_ECONFIG, NULL, "--%s and --%s are mutually exclusive",
                              old, flag);
        lm_warn(ctx->log, "flag is DEPRECATED and will be removed in 2.0.0", "flag", old,
                "use", flag, NULL);
        *out = ov;
    }
    return 0;
}

/* compile: "^(?:p)$" as upstream (our regex anchors the whole subject). */
static struct lm_regex *
compile(const char *p, const char *flag, struct lm_err *err)
{
    struct lm_regex *re = lm_regex_new(p ? p : "", true, err);
    if (!re && err)
        snprintf(err->where, sizeof err->where, "--%s", flag);
    return re;
}

static void
systemd_fini(void *state)
{
    struct systemd *s = state;
    if (!s)
        return;
    lm_regex_free(s->include);
    lm_regex_free(s->exclude);
    if (s->bus)
        sd_bus_flush_close_unref(s->bus);
    lm_free(s);
}

/* systemd_init: parse the flags and compile the unit regexes; connects nothing yet.
 * Returns 0, LM_ENOMEM, LM_ECONFIG (both a flag and its alias) or a regex error. */
static int
systemd_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    struct systemd *s = lm_calloc(1, sizeof *s);
    if (!s)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    const char *inc, *exc;
    int rc = pattern(ctx, "collector.systemd.unit-include", "collector.systemd.unit-whitelist",
                     &inc, err);
    if (!rc)
        rc = pattern(ctx, "collector.systemd.unit-exclude", "collector.systemd.unit-blacklist",
                     &exc, err);
    if (rc)
        goto fail;
    lm_info(ctx->log, "Parsed flag --collector.systemd.unit-include", "flag", inc, NULL);
    lm_info(ctx->log, "Parsed flag --collector.systemd.unit-exclude", "flag", exc, NULL);
    s->include = compile(inc, "collector.systemd.unit-include", err);
    if (!s->include || !(s->exclude = compile(exc, "collector.systemd.unit-exclude", err))) {
        rc = err ? err->code : LM_ECONFIG;
        goto fail;
    }
    s->private_bus = lm_flags_get_bool(ctx->flags, "collector.systemd.private");
    s->tasks = lm_flags_get_bool(ctx->flags, "collector.systemd.enable-task-metrics");
    s->restarts = lm_flags_get_bool(ctx->flags, "collector.systemd.enable-restarts-metrics");
    s->start_time = lm_flags_get_bool(ctx->flags, "collector.systemd.enable-start-time-metrics");
    *state = s;
    return 0;
fail:
    systemd_fini(s);
    return rc ? rc : LM_ECONFIG;
}

/* open_private: a direct peer connection to systemd's private socket. */
static int
open_private(sd_bus **out)
{
    sd_bus *b = NULL;
    int r = sd_bus_new(&b);
    if (r >= 0)
        r = sd_bus_set_address(b, SD_PRIVATE);
    if (r >= 0)
        r = sd_bus_start(b);
    if (r < 0) {
        sd_bus_unref(b);
        return r;
    }
    *out = b;
    return 0;
}

/* connect_bus: make sure s->bus is an open connection: the system bus, or (as go-systemd
 * does) the private socket when the system bus fails and we are root, or the private
 * socket only with --collector.systemd.private. LM_EIO with err on failure. */
static int
connect_bus(struct systemd *s, struct lm_err *err)
{
    int lrc = ne_sd_load(err);
    if (lrc)
        return lrc;
    if (s->bus && sd_bus_is_open(s->bus) > 0)
        return 0;
    if (s->bus)
        s->bus = sd_bus_flush_close_unref(s->bus);
    int r = -ENOTCONN;
    const char *addr = SD_PRIVATE;
    if (!s->private_bus) {
        r = sd_bus_open_system(&s->bus);
        addr = "the system bus";
    }
    if (s->private_bus || (r < 0 && geteuid() == 0)) {
        s->bus = NULL;
        r = open_private(&s->bus);
        addr = SD_PRIVATE;
    }
    if (r < 0) {
        s->bus = NULL;
        return lm_err_set(err, LM_EIO, NULL, "couldn't get dbus connection: %s: %s", addr,
                          strerror(-r));
    }
    return 0;
}

/* get_prop: Properties.Get of a string ('s') or number ('u', 't') property into *str or
 * *num. Returns 0 or a negative errno with e filled. */
static int
get_prop(sd_bus *bus, const char *path, const char *iface, const char *prop, char type,
         struct lm_emit *em, const char **str, double *num, sd_bus_error *e)
{
    char ifbuf[128];
    snprintf(ifbuf, sizeof ifbuf, SD_IFACE "%s", iface);
    if (type == 's') {
        char *v = NULL;
        int r = sd_bus_get_property_string(bus, SD_DEST, path, ifbuf, prop, e, &v);
        if (r < 0)
            return r;
        size_t n = strlen(v);
        char *c = lm_emit_alloc(em, n + 1);
        if (c)
            memcpy(c, v, n + 1);
        free(v);   /* allocated by libsystemd */
        *str = c ? c : "";
        return 0;
    }
    if (type == 'u') {
        uint32_t u = 0;
        int r = sd_bus_get_property_trivial(bus, SD_DEST, path, ifbuf, prop, e, 'u', &u);
        *num = u;
        return r < 0 ? r : 0;
    }
    uint64_t t = 0;
    int r = sd_bus_get_property_trivial(bus, SD_DEST, path, ifbuf, prop, e, 't', &t);
    *num = (double)t;
    if (r >= 0 && t == UINT64_MAX)
        *num = NAN;   /* "infinity"; callers skip it */
    return r < 0 ? r : 0;
}

/* version: upstream's `[0-9]{3,}(\.[0-9]+)?` first match of v, as a number; 0 if none. */
static double
version_number(const char *v)
{
    for (const char *p = v; *p; p++) {
        if (!(p[0] >= '0' && p[0] <= '9'))
            continue;
        size_t n = strspn(p, "0123456789");
        if (n < 3) {
            p += n - 1;
            continue;
        }
        const char *end = p + n;
        if (*end == '.' && end[1] >= '0' && end[1] <= '9')
            end += 1 + strspn(end + 1, "0123456789");
        char tmp[64];
        size_t len = (size_t)(end - p) < sizeof tmp - 1 ? (size_t)(end - p) : sizeof tmp - 1;
        memcpy(tmp, p, len);
        tmp[len] = '\0';
        return strtod(tmp, NULL);
    }
    return 0;
}

static void
debug_fail(const struct lm_collect_ctx *ctx, const char *what, const char *unit, int r,
           const sd_bus_error *e)
{
    lm_debug(ctx->log, what, "unit", unit, "err",
             sd_bus_error_is_set(e) ? e->message : strerror(-r), NULL);
}

/* list_units: ListUnits into an arena array; *n gets the count. The strings live in
 * *reply, which the caller unrefs. */
static int
list_units(sd_bus *bus, struct lm_emit *em, sd_bus_message **reply, struct unit **out,
           size_t *n, struct lm_err *err)
{
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_IFACE "Manager", "ListUnits", &e, reply,
                               NULL);
    if (r < 0) {
        lm_err_set(err, LM_EIO, NULL, "couldn't get units: %s",
                   sd_bus_error_is_set(&e) ? e.message : strerror(-r));
        sd_bus_error_free(&e);
        return LM_EIO;
    }
    size_t cap = 64, cnt = 0;
    struct unit *u = lm_emit_alloc(em, cap * sizeof *u);
    if (!u)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    r = sd_bus_message_enter_container(*reply, 'a', "(ssssssouso)");
    while (r >= 0) {
        const char *name, *desc, *load, *active, *sub, *followed, *path, *jtype, *jpath;
        uint32_t jid;
        r = sd_bus_message_read(*reply, "(ssssssouso)", &name, &desc, &load, &active, &sub,
                                &followed, &path, &jid, &jtype, &jpath);
        if (r <= 0)
            break;
        if (cnt == cap) {
            struct unit *nu = lm_emit_alloc(em, 2 * cap * sizeof *nu);
            if (!nu)
                return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
            memcpy(nu, u, cap * sizeof *u);
            u = nu;
            cap *= 2;
        }
        u[cnt++] = (struct unit){name, load, active, path};
    }
    if (r < 0)
        return lm_err_set(err, LM_EIO, NULL, "couldn't get units: bad ListUnits reply: %s",
                          strerror(-r));
    *out = u;
    *n = cnt;
    return 0;
}

/* summary: node_systemd_units{state}, over every unit (filtering comes after). */
static void
emit_summary(struct lm_emit *em, const struct unit *u, size_t n)
{
    lm_emit_family(em, "node_systemd_units", "Summary of systemd unit states", LM_TYPE_GAUGE);
    for (size_t k = 0; k < NSTATES; k++) {
        double c = 0;
        for (size_t i = 0; i < n; i++)
            c += strcmp(u[i].active, unit_states[k]) == 0;
        lm_emit_samplev(em, c, "state", unit_states[k], NULL);
    }
    /* states outside the usual five (reloading, maintenance, ...), once each */
    for (size_t i = 0; i < n; i++) {
        bool known = false;
        for (size_t k = 0; k < NSTATES && !known; k++)
            known = strcmp(u[i].active, unit_states[k]) == 0;
        for (size_t j = 0; j < i && !known; j++)
            known = strcmp(u[i].active, u[j].active) == 0;
        if (known)
            continue;
        double c = 0;
        for (size_t j = i; j < n; j++)
            c += strcmp(u[i].active, u[j].active) == 0;
        lm_emit_samplev(em, c, "state", u[i].active, NULL);
    }
}

/* unit_metrics: the per-unit families for the units that passed the filter. */
static void
emit_units(struct systemd *s, const struct lm_collect_ctx *ctx, struct lm_emit *em,
           const struct unit *u, size_t n, double version)
{
    sd_bus_error e = SD_BUS_ERROR_NULL;
    for (size_t i = 0; i < n; i++) {
        const char *type = "";
        const char *iface = has_suffix(u[i].name, ".service") ? "Service"
                            : has_suffix(u[i].name, ".mount") ? "Mount" : NULL;
        int r;
        if (iface && (r = get_prop(s->bus, u[i].path, iface, "Type", 's', em, &type, NULL, &e))) {
            debug_fail(ctx, "couldn't get unit type", u[i].name, r, &e);
            type = "";
        }
        sd_bus_error_free(&e);
        lm_emit_family(em, "node_systemd_unit_state", "Systemd unit", LM_TYPE_GAUGE);
        for (size_t k = 0; k < NSTATES; k++)
            lm_emit_samplev(em, strcmp(unit_states[k], u[i].active) == 0, "name", u[i].name,
                            "state", unit_states[k], "type", type, NULL);
        double v;
        bool svc = has_suffix(u[i].name, ".service");
        if (s->restarts && svc) {
            if ((r = get_prop(s->bus, u[i].path, "Service", "NRestarts", 'u', em, NULL, &v, &e)))
                debug_fail(ctx, "couldn't get unit NRestarts", u[i].name, r, &e);
            else if (!lm_emit_family(em, "node_systemd_service_restart_total",
                                     "Service unit count of Restart triggers", LM_TYPE_COUNTER))
                lm_emit_samplev(em, v, "name", u[i].name, NULL);
            sd_bus_error_free(&e);
        }
        if (s->start_time) {
            v = 0;
            r = 0;
            if (strcmp(u[i].active, "active") == 0 &&
                (r = get_prop(s->bus, u[i].path, "Unit", "ActiveEnterTimestamp", 't', em, NULL,
                              &v, &e)))
                debug_fail(ctx, "couldn't get unit StartTimeUsec", u[i].name, r, &e);
            else if (!lm_emit_family(em, "node_systemd_unit_start_time_seconds",
                                     "Start time of the unit since unix epoch in seconds.",
                                     LM_TYPE_GAUGE))
                lm_emit_samplev(em, v / 1e6, "name", u[i].name, NULL);
            sd_bus_error_free(&e);
        }
        if (s->tasks && svc) {
            static const char *const props[2] = {"TasksCurrent", "TasksMax"};
            static const char *const fams[2] = {"node_systemd_unit_tasks_current",
                                                "node_systemd_unit_tasks_max"};
            static const char *const helps[2] = {"Current number of tasks per Systemd unit",
                                                 "Maximum number of tasks per Systemd unit"};
            for (size_t k = 0; k < 2; k++) {
                if ((r = get_prop(s->bus, u[i].path, "Service", props[k], 't', em, NULL, &v, &e)))
                    debug_fail(ctx, "couldn't get unit tasks", u[i].name, r, &e);
                else if (!isnan(v) && !lm_emit_family(em, fams[k], helps[k], LM_TYPE_GAUGE))
                    lm_emit_samplev(em, v, "name", u[i].name, NULL);
                sd_bus_error_free(&e);
            }
        }
        if (version >= MIN_VERSION_SYSTEM_STATE && has_suffix(u[i].name, ".timer")) {
            if ((r = get_prop(s->bus, u[i].path, "Timer", "LastTriggerUSec", 't', em, NULL, &v,
                              &e)))
                debug_fail(ctx, "couldn't get unit LastTriggerUSec", u[i].name, r, &e);
            else if (!lm_emit_family(em, "node_systemd_timer_last_trigger_seconds",
                                     "Seconds since epoch of last trigger.", LM_TYPE_GAUGE))
                lm_emit_samplev(em, v / 1e6, "name", u[i].name, NULL);
            sd_bus_error_free(&e);
        }
        if (has_suffix(u[i].name, ".socket")) {
            static const char *const props[3] = {"NAccepted", "NConnections", "NRefused"};
            static const char *const fams[3] = {"node_systemd_socket_accepted_connections_total",
                                                "node_systemd_socket_current_connections",
                                                "node_systemd_socket_refused_connections_total"};
            static const char *const helps[3] = {"Total number of accepted socket connections",
                                                 "Current number of socket connections",
                                                 "Total number of refused socket connections"};
            static const enum lm_type types[3] = {LM_TYPE_COUNTER, LM_TYPE_GAUGE, LM_TYPE_GAUGE};
            for (size_t k = 0; k < 3; k++) {
                r = get_prop(s->bus, u[i].path, "Socket", props[k], 'u', em, NULL, &v, &e);
                if (r) {   /* upstream stops at the first missing one (NRefused: >= 239) */
                    debug_fail(ctx, "couldn't get socket property", u[i].name, r, &e);
                    sd_bus_error_free(&e);
                    break;
                }
                if (!lm_emit_family(em, fams[k], helps[k], types[k]))
                    lm_emit_samplev(em, v, "name", u[i].name, NULL);
            }
        }
    }
}

/* systemd_collect: one scrape. Fails (LM_EIO) when there is no connection, ListUnits
 * fails or SystemState cannot be read; what was emitted before the failure stays, as
 * upstream (node_systemd_version comes first and reads 0 when Version is unreadable). */
static int
systemd_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *em,
                struct lm_err *err)
{
    struct systemd *s = state;
    int rc = connect_bus(s, err);
    if (rc)
        return rc;
    uint64_t tmo = DEFAULT_TIMEOUT_USEC;
    if (ctx->deadline > 0) {
        double left = ctx->deadline - lm_monotonic();
        tmo = left > 0.001 ? (uint64_t)(left * 1e6) : 1000;
    }
    sd_bus_set_method_call_timeout(s->bus, tmo);

    sd_bus_error e = SD_BUS_ERROR_NULL;
    const char *vs = "";
    double version = 0;
    int r = get_prop(s->bus, SD_PATH, "Manager", "Version", 's', em, &vs, NULL, &e);
    if (r < 0) {
        lm_debug(ctx->log, "Unable to get systemd version property, defaulting to 0", "err",
                 sd_bus_error_is_set(&e) ? e.message : strerror(-r), NULL);
        vs = "";
    } else if ((version = version_number(vs)) == 0) {
        lm_debug(ctx->log, "Got invalid systemd version", "version", vs, NULL);
        vs = "";
    }
    sd_bus_error_free(&e);
    lm_emit_family(em, "node_systemd_version", "Detected systemd version", LM_TYPE_GAUGE);
    lm_emit_samplev(em, version, "version", vs, NULL);

    sd_bus_message *reply = NULL;
    struct unit *u = NULL;
    size_t n = 0;
    rc = list_units(s->bus, em, &reply, &u, &n, err);
    if (rc)
        goto out;
    emit_summary(em, u, n);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (lm_regex_match(s->include, u[i].name, SIZE_MAX) &&
            !lm_regex_match(s->exclude, u[i].name, SIZE_MAX) && strcmp(u[i].load, "loaded") == 0)
            u[kept++] = u[i];
        else
            lm_debug(ctx->log, "Ignoring unit", "unit", u[i].name, NULL);
    }
    emit_units(s, ctx, em, u, kept, version);

    if (version >= MIN_VERSION_SYSTEM_STATE) {
        const char *st = "";
        r = get_prop(s->bus, SD_PATH, "Manager", "SystemState", 's', em, &st, NULL, &e);
        if (r < 0) {
            rc = lm_err_set(err, LM_EIO, NULL, "couldn't get system state: %s",
                            sd_bus_error_is_set(&e) ? e.message : strerror(-r));
            sd_bus_error_free(&e);
            goto out;
        }
        lm_emit_one(em, "node_systemd_system_running",
                    "Whether the system is operational (see 'systemctl is-system-running')",
                    LM_TYPE_GAUGE, strcmp(st, "running") == 0);
    }
out:
    sd_bus_message_unref(reply);
    if (rc && s->bus && sd_bus_is_open(s->bus) <= 0)
        s->bus = sd_bus_flush_close_unref(s->bus);
    return rc;
}

const struct lm_collector_desc ne_systemd_collector = {
    .name = "systemd",
    .enabled_by_default = false,
    .flags = flags,
    .init = systemd_init,
    .collect = systemd_collect,
    .fini = systemd_fini,
};

/* SPDX-License-Identifier: Apache-2.0 */
/* supervisord.c: supervisord_exporter's collector: per scrape, supervisor.getState,
 * getSupervisorVersion and getAllProcessInfo over XML-RPC (proto/xmlrpc.h, the client
 * node_exporter's supervisord collector uses too), on supervisord's unix socket or HTTP
 * port, mapped to supervisord_up, supervisord_state, supervisord_info and
 * supervisord_process_*{group,name}. When supervisord cannot be reached the scrape still
 * answers, with supervisord_up 0 and the reason in the log (said once per change). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "lm/buf.h"
#include "lm/exporter.h"
#include "lm/flags.h"
#include "lm/duration.h"
#include "proto/xmlrpc.h"
#include "supervisord_exporter/sv.h"

#define UNIX_PREFIX "unix://"
#define SECRET_MAX 1024   /* bytes of a password file kept */

/* Process state codes (supervisor/states.py) that mean "a process exists". */
enum { ST_STARTING = 10, ST_RUNNING = 20, ST_STOPPING = 40 };

static const struct lm_flag_desc sv_flags[] = {
    {"supervisord.url", "unix:///var/run/supervisor.sock",
     "supervisord XML-RPC endpoint: unix:///path/to/supervisor.sock (its "
     "[unix_http_server] file=) or http://[user:pass@]host:port/RPC2.", false},
    {"supervisord.username", "",
     "Username of supervisord's [unix_http_server] or [inet_http_server] section, if set.",
     false},
    {"supervisord.password-file", "",
     "File holding the password for --supervisord.username (read at start; one line).",
     false},
    {"supervisord.timeout", "5s", "Time limit for the XML-RPC calls of one scrape.", false},
    {NULL, NULL, NULL, false},
};

/* The collector's state, fixed at init except last_err. */
struct sv_state {
    char *url;              /* owned; the URL handed to proto_xmlrpc_call (may hold auth) */
    char *shown;            /* owned; the URL as logged (no password) */
    char *sock;             /* owned; the unix socket path, or NULL for http(s) */
    double timeout;         /* --supervisord.timeout, seconds */
    char version[64];       /* getSupervisorVersion, cached until a call fails; "" unknown */
    char last_err[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX];  /* last reason logged at error */
};

/* read_secret: the first line of path into out (n bytes). */
static int
read_secret(const char *path, char *out, size_t n, struct lm_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return lm_err_set(err, LM_ECONFIG, "--supervisord.password-file", "%s: %s", path,
                          strerror(errno));
    ssize_t r = read(fd, out, n - 1);
    close(fd);
    if (r < 0)
        return lm_err_set(err, LM_ECONFIG, "--supervisord.password-file", "%s: %s", path,
                          strerror(errno));
    out[r] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

/* put_escaped: s percent-encoded for a URL's userinfo. */
static void
put_escaped(struct lm_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            strchr("-._~", c))
            lm_buf_putc(b, (char)c);
        else
            lm_buf_printf(b, "%%%02X", c);
    }
}

/* build_url: url with user:pass put in as userinfo ("unix://u:p@/path" or
 * "http://u:p@host/RPC2") into s->url, and the shown form into s->shown. */
static int
build_url(struct sv_state *s, const char *url, const char *user, const char *pass,
          struct lm_err *err)
{
    size_t scheme = strstr(url, "://") ? (size_t)(strstr(url, "://") - url) + 3 : 0;
    struct lm_buf b, shown;
    lm_buf_init(&b, 8192);
    lm_buf_init(&shown, 8192);
    if (!scheme)
        return lm_err_set(err, LM_ECONFIG, "--supervisord.url",
                          "use unix:///path/to/supervisor.sock or http://host:port/RPC2");
    lm_buf_append(&b, url, scheme);
    lm_buf_append(&shown, url, scheme);
    if (user && *user) {
        if (strchr(url + scheme, '@') && url[scheme] != '/')
            return lm_err_set(err, LM_ECONFIG, "--supervisord.username",
                              "credentials given both in --supervisord.url and as flags");
        put_escaped(&b, user);
        put_escaped(&shown, user);
        lm_buf_putc(&b, ':');
        put_escaped(&b, pass);
        lm_buf_puts(&b, "@");
        lm_buf_puts(&shown, ":xxxxx@");
    }
    lm_buf_puts(&b, url + scheme);
    const char *at = strchr(url + scheme, '@');
    if (at && url[scheme] != '/') {   /* user:pass@ already in the URL: hide the password */
        const char *colon = memchr(url + scheme, ':', (size_t)(at - url - scheme));
        lm_buf_append(&shown, url + scheme, (size_t)((colon ? colon : at) - url - scheme));
        lm_buf_puts(&shown, colon ? ":xxxxx" : "");
        lm_buf_puts(&shown, at);
    } else {
        lm_buf_puts(&shown, url + scheme);
    }
    s->url = lm_buf_take(&b, NULL);
    s->shown = lm_buf_take(&shown, NULL);
    lm_buf_cleanup(&b);
    lm_buf_cleanup(&shown);
    if (!s->url || !s->shown)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    return 0;
}

static void sv_fini(void *state);

static int
sv_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    const char *url = lm_flags_get(ctx->flags, "supervisord.url");
    const char *user = lm_flags_get(ctx->flags, "supervisord.username");
    const char *pwfile = lm_flags_get(ctx->flags, "supervisord.password-file");
    char pass[SECRET_MAX] = "";
    struct sv_state *s = lm_calloc(1, sizeof *s);
    if (!s)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    int rc = lm_duration_parse(lm_flags_get(ctx->flags, "supervisord.timeout"),
                                  "--supervisord.timeout", &s->timeout, err);
    if (!rc && pwfile && *pwfile && !(user && *user))
        rc = lm_err_set(err, LM_ECONFIG, "--supervisord.password-file",
                        "needs --supervisord.username");
    if (!rc && pwfile && *pwfile)
        rc = read_secret(pwfile, pass, sizeof pass, err);
    if (!rc)
        rc = build_url(s, url ? url : "", user, pass, err);
    explicit_bzero(pass, sizeof pass);
    if (!rc && !strncmp(url, UNIX_PREFIX, strlen(UNIX_PREFIX))) {
        const char *p = strchr(url + strlen(UNIX_PREFIX), '/');
        if (!p || !(s->sock = lm_strdup(p)))
            rc = p ? lm_err_set(err, LM_ENOMEM, NULL, "out of memory")
                   : lm_err_set(err, LM_ECONFIG, "--supervisord.url",
                                "a unix URL needs an absolute path: unix:///path");
    }
    if (!rc)
        rc = proto_xmlrpc_global_init(err);
    if (rc) {
        if (s->url)
            explicit_bzero(s->url, strlen(s->url));
        lm_free(s->url);
        lm_free(s->shown);
        lm_free(s->sock);
        lm_free(s);
        return rc;
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
    explicit_bzero(s->url, strlen(s->url));
    lm_free(s->url);
    lm_free(s->shown);
    lm_free(s->sock);
    lm_free(s);
    proto_xmlrpc_global_cleanup();
}

/* diagnose: after a failed call on a unix socket, connect once more to say why in words
 * (missing, permission, refused). Leaves err alone when the socket accepts. */
static void
diagnose(const struct sv_state *s, struct lm_err *err)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    if (!s->sock || strlen(s->sock) >= sizeof sun.sun_path)
        return;
    memcpy(sun.sun_path, s->sock, strlen(s->sock) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    int e = connect(fd, (struct sockaddr *)&sun, sizeof sun) ? errno : 0;
    close(fd);
    if (e == ENOENT)
        lm_err_set(err, LM_ENOENT, s->shown, "socket %s does not exist: is supervisord "
                   "running, and is this its [unix_http_server] file=?", s->sock);
    else if (e == EACCES || e == EPERM)
        lm_err_set(err, LM_EIO, s->shown, "permission denied on socket %s: run the exporter "
                   "in the group [unix_http_server] chown= gives, with chmod=0770", s->sock);
    else if (e == ECONNREFUSED)
        lm_err_set(err, LM_EIO, s->shown, "connection refused on socket %s: stale socket, "
                   "supervisord is not running", s->sock);
}

/* call: the n parameterless methods in one round trip (system.multicall); results[i]
 * owns method i's answer. On failure err says why. */
static int
call(const struct sv_state *s, const char *const *methods, size_t n, double deadline,
     struct proto_xmlrpc_value **results, struct lm_err *err)
{
    double left = deadline - lm_monotonic();
    if (left < 0.001)
        return lm_err_set(err, LM_ETIMEOUT, s->shown, "no time left for %s", methods[0]);
    int rc = proto_xmlrpc_multicall(s->url, methods, n, left, results, NULL, err);
    if (rc) {
        /* never show the URL as the client saw it: it may carry the password */
        snprintf(err->where, sizeof err->where, "%s", s->shown);
        if (rc == LM_EIO)
            diagnose(s, err);
    }
    return rc;
}

/* int_member: integer member name of v (0 when absent, as Go's zero value). */
static double
int_member(const struct proto_xmlrpc_value *v, const char *name)
{
    int64_t i = 0;
    proto_xmlrpc_get_int(proto_xmlrpc_member(v, name), &i);
    return (double)i;
}

/* str_member: string member name of v, "" when absent. */
static const char *
str_member(const struct proto_xmlrpc_value *v, const char *name)
{
    const char *s = proto_xmlrpc_string_view(proto_xmlrpc_member(v, name), NULL);
    return s ? s : "";
}

/* emit_procs: the supervisord_process_* families from getAllProcessInfo's array. */
static int
emit_procs(struct lm_emit *e, const struct proto_xmlrpc_value *arr, struct lm_err *err)
{
    static const struct {
        const char *name;   /* metric name */
        const char *help;   /* HELP text */
    } fams[] = {
        {"supervisord_process_running",
         "1 when the process exists (state STARTING, RUNNING or STOPPING), else 0."},
        {"supervisord_process_state", "Process state code (supervisor/states.py): STOPPED 0, "
         "STARTING 10, RUNNING 20, BACKOFF 30, STOPPING 40, EXITED 100, FATAL 200, UNKNOWN "
         "1000."},
        {"supervisord_process_info", "Always 1; state_name is the state's name."},
        {"supervisord_process_exit_status", "Exit status of the last exit (0 if none)."},
        {"supervisord_process_start_time_seconds",
         "Time the process was last started, seconds since the epoch (0 if never)."},
        {"supervisord_process_uptime_seconds",
         "Seconds since the process started while it exists, else 0."},
        {"supervisord_process_pid", "Process ID, 0 when not running."},
    };
    size_t n = proto_xmlrpc_len(arr);
    if (proto_xmlrpc_type(arr) != PROTO_XMLRPC_ARRAY)
        return lm_err_set(err, LM_EPARSE, NULL, "getAllProcessInfo: expected an array, got %s",
                          proto_xmlrpc_type_name(proto_xmlrpc_type(arr)));
    for (size_t i = 0; i < n; i++) {
        const struct proto_xmlrpc_value *p = proto_xmlrpc_at(arr, i);
        if (!proto_xmlrpc_string_view(proto_xmlrpc_member(p, "name"), NULL) ||
            !proto_xmlrpc_member(p, "state"))
            return lm_err_set(err, LM_EPARSE, NULL,
                              "getAllProcessInfo: process %zu has no name or state", i);
    }
    for (size_t f = 0; f < sizeof fams / sizeof fams[0] && n; f++) {
        lm_emit_family(e, fams[f].name, fams[f].help, LM_TYPE_GAUGE);
        for (size_t i = 0; i < n; i++) {
            const struct proto_xmlrpc_value *p = proto_xmlrpc_at(arr, i);
            const char *group = str_member(p, "group"), *name = str_member(p, "name");
            double st = int_member(p, "state"), start = int_member(p, "start");
            bool up = st == ST_STARTING || st == ST_RUNNING || st == ST_STOPPING;
            double v = f == 0 ? (up ? 1 : 0)
                       : f == 1 ? st
                       : f == 3 ? int_member(p, "exitstatus")
                       : f == 4 ? start
                       : f == 5 ? (up && start > 0 ? int_member(p, "now") - start : 0)
                       : f == 6 ? int_member(p, "pid")
                                : 1;
            if (f == 2)
                lm_emit_samplev(e, v, "group", group, "name", name, "state_name",
                                str_member(p, "statename"), NULL);
            else
                lm_emit_samplev(e, v < 0 ? 0 : v, "group", group, "name", name, NULL);
        }
    }
    return 0;
}

/* scrape: the calls (one round trip) and their families; supervisord_up is the
 * caller's. The version is asked for only after a failure (a restart may change it). */
static int
scrape(struct sv_state *s, struct lm_emit *e, double deadline, struct lm_err *err)
{
    static const char *const methods[] = {"supervisor.getState",
                                          "supervisor.getAllProcessInfo",
                                          "supervisor.getSupervisorVersion"};
    struct proto_xmlrpc_value *res[3] = {NULL, NULL, NULL};
    int rc = call(s, methods, s->version[0] ? 2 : 3, deadline, res, err);
    struct proto_xmlrpc_value *state = res[0], *procs = res[1], *ver = res[2];
    if (!rc && !s->version[0]) {
        const char *v = proto_xmlrpc_string_view(ver, NULL);
        snprintf(s->version, sizeof s->version, "%s", v ? v : "");
    }
    if (!rc && proto_xmlrpc_type(state) != PROTO_XMLRPC_STRUCT)
        rc = lm_err_set(err, LM_EPARSE, s->shown, "getState: expected a struct, got %s",
                        proto_xmlrpc_type_name(proto_xmlrpc_type(state)));
    if (!rc)
        rc = emit_procs(e, procs, err);
    if (!rc) {
        lm_emit_one(e, "supervisord_state",
                    "supervisord's own state code: RUNNING 1, RESTARTING 0, SHUTDOWN -1, "
                    "FATAL 2.", LM_TYPE_GAUGE, int_member(state, "statecode"));
        lm_emit_family(e, "supervisord_info", "supervisord's version and state name; always 1.",
                       LM_TYPE_GAUGE);
        lm_emit_samplev(e, 1.0, "state_name", str_member(state, "statename"), "version",
                        s->version, NULL);
    }
    proto_xmlrpc_value_free(state);
    proto_xmlrpc_value_free(ver);
    proto_xmlrpc_value_free(procs);
    return rc;
}

static int
sv_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
           struct lm_err *err)
{
    struct sv_state *s = state;
    double deadline = lm_monotonic() + s->timeout;
    if (ctx->deadline > 0 && ctx->deadline < deadline)
        deadline = ctx->deadline;
    struct lm_err cerr;
    lm_err_clear(&cerr);
    int rc = scrape(s, e, deadline, &cerr);
    if (rc)
        s->version[0] = '\0';
    lm_emit_one(e, "supervisord_up", "1 when supervisord answered the XML-RPC calls, else 0.",
                LM_TYPE_GAUGE, rc ? 0.0 : 1.0);
    if (rc == LM_ENOMEM) {
        *err = cerr;
        return rc;
    }
    if (rc) {
        char msg[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX];
        lm_err_format(&cerr, msg, sizeof msg);
        if (strncmp(s->last_err, msg, sizeof s->last_err - 1) != 0)
            lm_error(ctx->log, "supervisord unreachable", "err", msg, NULL);
        else
            lm_debug(ctx->log, "supervisord unreachable", "err", msg, NULL);
        snprintf(s->last_err, sizeof s->last_err, "%s", msg);
    } else if (s->last_err[0]) {
        lm_info(ctx->log, "supervisord answers again", "url", s->shown, NULL);
        s->last_err[0] = '\0';
    }
    return 0;
}

const struct lm_collector_desc sv_collector = {
    .name = "supervisord",
    .enabled_by_default = true,
    .flags = sv_flags,
    .init = sv_init,
    .collect = sv_collect,
    .fini = sv_fini,
};

/* SPDX-License-Identifier: Apache-2.0 */
/* status_parse.c: mod_status ?auto page -> struct ap_status (status_parse.h). Splits
 * lines, matches the keys the exporter knows, counts the scoreboard and follows the
 * ProxyBalancer[i]... lines in order, as mod_status prints them. Classifies pages that
 * are not ?auto output (HTML, something else) for the collector's diagnosis. Bounded:
 * every copy is capped, the worker array is capped at AP_MAX_BALANCER_WORKERS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "apache_exporter/status_parse.h"
#include "lm/alloc.h"

/* Numeric keys by their exact ?auto spelling, in enum ap_key order. */
static const char *const key_names[AP_K_COUNT] = {
    "ParentServerConfigGeneration", "ParentServerMPMGeneration", "Load1", "Load5", "Load15",
    "Total Accesses", "Total kBytes", "Total Duration", "CPUUser", "CPUSystem",
    "CPUChildrenUser", "CPUChildrenSystem", "CPULoad", "Uptime", "BusyWorkers",
    "IdleWorkers", "Processes", "Stopping", "ConnsTotal", "ConnsAsyncWriting",
    "ConnsAsyncKeepAlive", "ConnsAsyncClosing",
};

/* Scoreboard characters and labels, in enum ap_sb order. */
static const char sb_chars[AP_SB_COUNT] = {'_', 'S', 'R', 'W', 'K', 'D', 'C', 'L', 'G', 'I', '.'};
static const char *const sb_labels[AP_SB_COUNT] = {
    "idle", "startup", "read", "reply", "keepalive", "dns", "closing", "logging",
    "graceful_stop", "idle_cleanup", "open_slot",
};

const char *
ap_sb_label(enum ap_sb s)
{
    return (unsigned)s < AP_SB_COUNT ? sb_labels[s] : "";
}

void
ap_status_init(struct ap_status *st)
{
    memset(st, 0, sizeof *st);
}

void
ap_status_cleanup(struct ap_status *st)
{
    lm_free(st->workers);
    ap_status_init(st);
}

/* A slice of the body. */
struct span {
    const char *p;   /* start, not NUL-terminated */
    size_t n;        /* length */
};

static struct span
trim(struct span s)
{
    while (s.n && (s.p[0] == ' ' || s.p[0] == '\t'))
        s.p++, s.n--;
    while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t' || s.p[s.n - 1] == '\r'))
        s.n--;
    return s;
}

static bool
span_is(struct span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && memcmp(s.p, lit, n) == 0;
}

/* copy_span: bounded NUL-terminated copy (truncates). */
static void
copy_span(char *dst, size_t cap, struct span s)
{
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    memcpy(dst, s.p, n);
    dst[n] = '\0';
}

/* parse_num: the whole span as a float (Go's ParseFloat accepts ".04" too); false when
 * empty, too long, or with trailing garbage. */
static bool
parse_num(struct span s, double *out)
{
    char tmp[64];
    if (!s.n || s.n >= sizeof tmp)
        return false;
    memcpy(tmp, s.p, s.n);
    tmp[s.n] = '\0';
    if (tmp[0] == ' ' || tmp[0] == '\t')
        return false;
    char *end = NULL;
    double d = strtod(tmp, &end);
    if (end == tmp || *end)
        return false;
    *out = d;
    return true;
}

static void
note_bad(struct ap_status *st, unsigned line, struct span key)
{
    if (!st->bad_values++) {
        st->first_bad_line = line;
        copy_span(st->first_bad_key, sizeof st->first_bad_key, key);
    }
}

static void
count_scoreboard(struct ap_status *st, struct span v)
{
    st->has_scoreboard = true;
    for (size_t i = 0; i < v.n; i++) {
        unsigned char c = (unsigned char)v.p[i];
        const char *k = memchr(sb_chars, c, sizeof sb_chars);
        if (k && c)
            st->sb[k - sb_chars]++;
        else if (c > ' ' && c < 127)
            st->sb_other[c]++;
    }
}

/* balancer_key: for "ProxyBalancer[i]Name" sets *field to "Name" and *worker false; for
 * "ProxyBalancer[i]Worker[j]X" sets *field to X and *worker true. False otherwise. */
static bool
balancer_key(struct span k, struct span *field, bool *worker)
{
    static const char pfx[] = "ProxyBalancer[";
    size_t i = sizeof pfx - 1;
    if (k.n < i || memcmp(k.p, pfx, i) != 0)
        return false;
    size_t d = i;
    while (i < k.n && k.p[i] >= '0' && k.p[i] <= '9')
        i++;
    if (i == d || i >= k.n || k.p[i] != ']')
        return false;
    i++;
    *worker = false;
    static const char wk[] = "Worker[";
    if (k.n - i >= sizeof wk - 1 && memcmp(k.p + i, wk, sizeof wk - 1) == 0) {
        i += sizeof wk - 1;
        d = i;
        while (i < k.n && k.p[i] >= '0' && k.p[i] <= '9')
            i++;
        if (i == d || i >= k.n || k.p[i] != ']')
            return false;
        i++;
        *worker = true;
    }
    field->p = k.p + i;
    field->n = k.n - i;
    return field->n > 0;
}

/* new_worker: append a worker entry for balancer name bal. NULL on OOM or at the cap. */
static struct ap_balancer_worker *
new_worker(struct ap_status *st, const char *bal, struct span name, int *rc)
{
    if (st->nworkers >= AP_MAX_BALANCER_WORKERS)
        return NULL;
    if (st->nworkers == st->capworkers) {
        size_t cap = st->capworkers ? st->capworkers * 2 : 8;
        struct ap_balancer_worker *w = lm_realloc(st->workers, cap * sizeof *w);
        if (!w) {
            *rc = LM_ENOMEM;
            return NULL;
        }
        st->workers = w;
        st->capworkers = cap;
    }
    struct ap_balancer_worker *w = &st->workers[st->nworkers++];
    memset(w, 0, sizeof *w);
    snprintf(w->balancer, sizeof w->balancer, "%s", bal);
    copy_span(w->worker, sizeof w->worker, name);
    return w;
}

/* balancer_line: one ProxyBalancer line; *bal is the current balancer name, *cur the
 * current worker (NULL before the first ...Name). */
static int
balancer_line(struct ap_status *st, unsigned line, struct span key, struct span field,
              bool worker, struct span v, char *bal, struct ap_balancer_worker **cur)
{
    int rc = 0;
    if (!worker) {
        if (span_is(field, "Name")) {
            copy_span(bal, AP_TEXT_MAX, v);
            *cur = NULL;
        }
        return 0;
    }
    if (span_is(field, "Name")) {
        *cur = new_worker(st, bal, v, &rc);
        return rc;
    }
    struct ap_balancer_worker *w = *cur;
    if (!w)
        return 0;
    double d;
    if (span_is(field, "Status")) {
        copy_span(w->status, sizeof w->status, v);
        w->has_status = true;
        return 0;
    }
    static const char *const num_fields[] = {"Elected", "Busy", "Sent", "Rcvd"};
    for (unsigned i = 0; i < 4; i++) {
        if (!span_is(field, num_fields[i]))
            continue;
        struct span nv = v;
        if (i >= 2)
            while (nv.n && (nv.p[nv.n - 1] == 'K' || nv.p[nv.n - 1] == 'k'))
                nv.n--;
        if (!parse_num(nv, &d)) {
            note_bad(st, line, key);
            return 0;
        }
        double *dst[] = {&w->elected, &w->busy, &w->sent_kb, &w->rcvd_kb};
        *dst[i] = d;
        w->have |= 1u << i;
    }
    return 0;
}

/* classify: the page kind, from what was seen. */
static enum ap_page
classify(const struct ap_status *st, const char *body, size_t len)
{
    if (!len)
        return AP_PAGE_EMPTY;
    if (st->has_version || st->has_scoreboard)
        return AP_PAGE_AUTO;
    size_t n = len < 4096 ? len : 4096;
    bool html = false;
    for (size_t i = 0; i + 5 <= n && !html; i++)
        html = body[i] == '<' && (strncasecmp(body + i, "<html", 5) == 0 ||
                                  strncasecmp(body + i, "<!doc", 5) == 0);
    if (!html)
        return AP_PAGE_OTHER;
    static const char mark[] = "Apache Server Status";
    if (memmem(body, len, mark, sizeof mark - 1))
        return AP_PAGE_HTML_STATUS;
    return AP_PAGE_HTML_OTHER;
}

int
ap_status_parse(const char *body, size_t len, struct ap_status *st, struct lm_err *err)
{
    ap_status_cleanup(st);
    char bal[AP_TEXT_MAX] = "UNKNOWN";
    struct ap_balancer_worker *cur = NULL;
    const char *p = body, *end = body + len;
    unsigned line = 0;
    int rc = 0;
    while (p < end && !rc) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        struct span l = {p, (size_t)((nl ? nl : end) - p)};
        p = nl ? nl + 1 : end;
        line++;
        const char *colon = memchr(l.p, ':', l.n);
        if (!colon)
            continue;
        struct span key = trim((struct span){l.p, (size_t)(colon - l.p)});
        struct span v = trim((struct span){colon + 1, l.n - (size_t)(colon - l.p) - 1});
        st->keys++;
        struct span field;
        bool worker;
        if (span_is(key, "ServerVersion")) {
            copy_span(st->version, sizeof st->version, v);
            st->has_version = true;
        } else if (span_is(key, "ServerMPM")) {
            copy_span(st->mpm, sizeof st->mpm, v);
            st->has_mpm = true;
        } else if (span_is(key, "Scoreboard")) {
            count_scoreboard(st, v);
        } else if (balancer_key(key, &field, &worker)) {
            rc = balancer_line(st, line, key, field, worker, v, bal, &cur);
        } else {
            for (unsigned k = 0; k < AP_K_COUNT; k++) {
                if (!span_is(key, key_names[k]))
                    continue;
                if (parse_num(v, &st->v[k]))
                    st->has[k] = true;
                else
                    note_bad(st, line, key);
                break;
            }
        }
    }
    st->page = classify(st, body, len);
    if (rc)
        return lm_err_set(err, rc, NULL, "out of memory parsing the status page");
    return 0;
}

/* digits: a run of decimal digits at *s (advanced); false when none or too long. */
static bool
digits(const char **s, unsigned long *out)
{
    const char *p = *s;
    unsigned long v = 0;
    size_t n = 0;
    while (*p >= '0' && *p <= '9' && n < 9) {
        v = v * 10 + (unsigned long)(*p - '0');
        p++, n++;
    }
    if (!n || (*p >= '0' && *p <= '9'))
        return false;
    *s = p;
    *out = v;
    return true;
}

int
ap_status_version_number(const char *version, double *out)
{
    const char *slash = strchr(version, '/');
    if (!slash)
        return LM_EPARSE;
    const char *p = slash + 1;
    unsigned long maj, min, patch;
    if (!digits(&p, &maj) || *p++ != '.' || !digits(&p, &min) || *p++ != '.' ||
        !digits(&p, &patch))
        return LM_EPARSE;
    /* upstream: "%s.%02s%03s" of the three parts, then ParseFloat. */
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%lu.%02lu%03lu", maj, min, patch);
    *out = strtod(tmp, NULL);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* zeo_status.c: the pure half of the ZEO client (declared in zeo_client.h): frame sizes,
 * announcement checks, the ruok JSON mapping (jansson, allocating through lm_malloc), the
 * legacy monitor-server text report, and decoding of TIDs and ctime strings. No I/O; the
 * socket side is zeo_client.c. Inputs are untrusted: every length is bounded. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lm/alloc.h"
#include "zeo_exporter/zeo_client.h"

void
zeo_status_init(struct zeo_status *st)
{
    memset(st, 0, sizeof *st);
}

void
zeo_status_cleanup(struct zeo_status *st)
{
    lm_free(st->storages);
    zeo_status_init(st);
}

/* add_storage: append a zeroed storage named name[0..len) to st. Returns it, or NULL
 * with *rc = LM_ENOMEM or LM_ETOOBIG. */
static struct zeo_storage *
add_storage(struct zeo_status *st, const char *name, size_t len, int *rc)
{
    if (st->n >= ZEO_MAX_STORAGES) {
        *rc = LM_ETOOBIG;
        return NULL;
    }
    struct zeo_storage *ns = lm_realloc(st->storages, (st->n + 1) * sizeof *ns);
    if (!ns) {
        *rc = LM_ENOMEM;
        return NULL;
    }
    st->storages = ns;
    struct zeo_storage *s = &ns[st->n++];
    memset(s, 0, sizeof *s);
    if (len >= sizeof s->name)
        len = sizeof s->name - 1;
    memcpy(s->name, name, len);
    return s;
}

int
zeo_frame_size(const unsigned char *buf, size_t len, size_t max, size_t *total,
               struct lm_err *err)
{
    if (len < 4) {
        *total = 4;
        return 0;
    }
    uint32_t n = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 |
                 (uint32_t)buf[3];
    if (n > max)
        return lm_err_set(err, LM_ETOOBIG, NULL,
                          "frame of %lu bytes announced, at most %zu accepted",
                          (unsigned long)n, max);
    *total = 4 + (size_t)n;
    return 0;
}

int
zeo_announce_check(const unsigned char *p, size_t len, struct zeo_status *st,
                   struct lm_err *err)
{
    if (len < 2 || len > ZEO_MAX_ANNOUNCE)
        return lm_err_set(err, LM_EPARSE, NULL, "bad protocol announcement (%zu bytes)", len);
    if (p[0] != 'Z' && p[0] != 'M')
        return lm_err_set(err, LM_EPARSE, NULL,
                          "bad protocol announcement: encoding byte 0x%02x is not 'Z' or 'M'",
                          p[0]);
    for (size_t i = 1; i < len; i++)
        if (!isalnum(p[i]) && p[i] != '.')
            return lm_err_set(err, LM_EPARSE, NULL,
                              "bad protocol announcement: byte 0x%02x at %zu", p[i], i);
    memcpy(st->protocol, p, len);
    st->protocol[len] = '\0';
    return 0;
}

/* days_from_epoch: days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (m 1..12; d may run past the month's end, which just adds days). */
static long long
days_from_epoch(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;                              /* [0, 399] */
    long long mp = (m + 9) % 12;                                /* March = 0 */
    long long doy = (153 * mp + 2) / 5 + d - 1;                 /* [0, 365] */
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;      /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

int
zeo_tid_time(const char *hex, size_t len, double *out, bool *empty)
{
    if (len != 16)
        return LM_EPARSE;
    uint64_t v = 0;
    for (size_t i = 0; i < 16; i++) {
        int c = (unsigned char)hex[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return LM_EPARSE;
        v = v << 4 | (uint64_t)d;
    }
    *empty = v == 0;
    uint32_t minutes = (uint32_t)(v >> 32), frac = (uint32_t)v;
    const uint32_t per_day = 24 * 60, per_month = 31 * per_day, per_year = 12 * per_month;
    long long year = 1900 + minutes / per_year;
    int month = (int)((minutes % per_year) / per_month) + 1;
    int day = (int)((minutes % per_month) / per_day) + 1;
    uint32_t mi = minutes % per_day;
    double secs = (double)frac * (60.0 / 4294967296.0);
    *out = (double)days_from_epoch(year, month, day) * 86400.0 + (double)mi * 60.0 + secs;
    return 0;
}

int
zeo_ctime_parse(const char *s, double *out)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    char wday[4], mon[4];
    int day, hh, mm, ss, year, used = 0;
    if (sscanf(s, "%3s %3s %d %d:%d:%d %d%n", wday, mon, &day, &hh, &mm, &ss, &year,
               &used) != 7 || s[used] != '\0')
        return LM_EPARSE;
    const char *m = strlen(mon) == 3 ? strstr(months, mon) : NULL;
    if (!m || (m - months) % 3 || day < 1 || day > 31 || hh < 0 || hh > 23 || mm < 0 ||
        mm > 59 || ss < 0 || ss > 61 || year < 1900 || year > 9999)
        return LM_EPARSE;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = year - 1900;
    tm.tm_mon = (int)((m - months) / 3);
    tm.tm_mday = day;
    tm.tm_hour = hh;
    tm.tm_min = mm;
    tm.tm_sec = ss;
    tm.tm_isdst = -1;
    errno = 0;
    time_t t = mktime(&tm);
    if (t == (time_t)-1 && errno)
        return LM_EPARSE;
    *out = (double)t;
    return 0;
}

/* number: a JSON number into *out, or LM_EPARSE naming key. */
static int
number(json_t *v, const char *storage, const char *key, double *out, struct lm_err *err)
{
    if (!json_is_number(v))
        return lm_err_set(err, LM_EPARSE, NULL, "storage %s: \"%s\" is not a number",
                          storage, key);
    *out = json_number_value(v);
    return 0;
}

/* map_storage: one storage object's keys into s. */
static int
map_storage(json_t *obj, struct zeo_storage *s, struct lm_err *err)
{
    static const struct { const char *key; size_t off; } nums[] = {
        {"connections", offsetof(struct zeo_storage, connections)},
        {"waiting", offsetof(struct zeo_storage, waiting)},
        {"active_txns", offsetof(struct zeo_storage, active_txns)},
        {"commits", offsetof(struct zeo_storage, commits)},
        {"aborts", offsetof(struct zeo_storage, aborts)},
        {"loads", offsetof(struct zeo_storage, loads)},
        {"stores", offsetof(struct zeo_storage, stores)},
        {"conflicts", offsetof(struct zeo_storage, conflicts)},
        {"conflicts_resolved", offsetof(struct zeo_storage, conflicts_resolved)},
    };
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        int rc = 0;
        size_t i;
        for (i = 0; i < sizeof nums / sizeof nums[0]; i++)
            if (!strcmp(key, nums[i].key))
                break;
        if (i < sizeof nums / sizeof nums[0]) {
            rc = number(v, s->name, key, (double *)((char *)s + nums[i].off), err);
            s->seen |= ZEO_SEEN(nums[i].off);
        } else if (!strcmp(key, "verifying_clients")) {
            rc = number(v, s->name, key, &s->verifying, err);
            s->has_verifying = rc == 0;
        } else if (!strcmp(key, "lock_time")) {
            if (!json_is_null(v)) {
                rc = number(v, s->name, key, &s->lock_time, err);
                s->lock_held = rc == 0;
            }
        } else if (!strcmp(key, "start")) {
            if (!json_is_string(v))
                rc = lm_err_set(err, LM_EPARSE, NULL, "storage %s: \"start\" is not a string",
                                s->name);
            else
                s->has_start = zeo_ctime_parse(json_string_value(v), &s->start) == 0;
        } else if (!strcmp(key, "last-transaction")) {
            bool empty = false;
            if (!json_is_string(v) ||
                zeo_tid_time(json_string_value(v), json_string_length(v), &s->last_txn,
                             &empty))
                rc = lm_err_set(err, LM_EPARSE, NULL,
                                "storage %s: \"last-transaction\" is not 16 hex digits",
                                s->name);
            else
                s->has_last_txn = !empty;
        } else if (!strcmp(key, "timeout-thread-is-alive")) {
            if (json_is_boolean(v))
                s->timeout_thread = json_is_true(v) ? ZEO_TT_ALIVE : ZEO_TT_DEAD;
            else if (json_is_string(v) && !strcmp(json_string_value(v), "stub"))
                s->timeout_thread = ZEO_TT_STUB;
            else
                rc = lm_err_set(err, LM_EPARSE, NULL,
                                "storage %s: bad \"timeout-thread-is-alive\"", s->name);
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* jansson allocates through json_alloc, which notes a failure for this thread, because
 * json_loadb does not always report out-of-memory as such. */
static _Thread_local int json_oom;

static void *
json_alloc(size_t n)
{
    void *p = lm_malloc(n);
    if (!p)
        json_oom = 1;
    return p;
}

int
zeo_status_parse_json(const char *json, size_t len, struct zeo_status *st,
                      struct lm_err *err)
{
    json_set_alloc_funcs(json_alloc, lm_free);
    json_oom = 0;
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        if (json_oom)
            return lm_err_set(err, LM_ENOMEM, NULL, "out of memory parsing the reply");
        return lm_err_set(err, LM_EPARSE, NULL, "reply is not JSON: %d:%d: %s", jerr.line,
                          jerr.column, jerr.text);
    }
    int rc = 0;
    if (!json_is_object(root)) {
        rc = lm_err_set(err, LM_EPARSE, NULL, "reply is not a JSON object");
        goto out;
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (!json_is_object(v)) {
            rc = lm_err_set(err, LM_EPARSE, NULL, "storage %s: stats are not an object", key);
            goto out;
        }
        struct zeo_storage *s = add_storage(st, key, strlen(key), &rc);
        if (!s) {
            lm_err_set(err, rc, NULL, "%s", rc == LM_ENOMEM ? "out of memory"
                                                             : "too many storages");
            goto out;
        }
        rc = map_storage(v, s, err);
        if (rc)
            goto out;
    }
out:
    json_decref(root);
    return rc;
}

int
zeo_reply_parse(const unsigned char *data, size_t len, struct zeo_status *st,
                struct lm_err *err)
{
    size_t a = 0, r = 0;
    int rc = zeo_frame_size(data, len, ZEO_MAX_ANNOUNCE, &a, err);
    if (rc)
        return rc;
    if (len < a || a == 4)
        return lm_err_set(err, LM_EPARSE, NULL, "truncated announcement frame");
    rc = zeo_announce_check(data + 4, a - 4, st, err);
    if (rc)
        return rc;
    rc = zeo_frame_size(data + a, len - a, ZEO_MAX_REPLY, &r, err);
    if (rc)
        return rc;
    if (len - a < r)
        return lm_err_set(err, LM_EPARSE, NULL, "truncated reply frame");
    return zeo_status_parse_json((const char *)data + a + 4, r - 4, st, err);
}

/* monitor_value: after "Key: ", a non-negative number ending the line. */
static int
monitor_value(const char *v, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (end == v || *end || errno || d < 0)
        return LM_EPARSE;
    *out = d;
    return 0;
}

int
zeo_monitor_parse(const char *text, size_t len, struct zeo_status *st, struct lm_err *err)
{
    static const struct { const char *key; size_t off; } keys[] = {
        {"Clients", offsetof(struct zeo_storage, connections)},
        {"Clients verifying", offsetof(struct zeo_storage, verifying)},
        {"Active transactions", offsetof(struct zeo_storage, active_txns)},
        {"Commit lock held for", offsetof(struct zeo_storage, lock_held_for)},
        {"Commits", offsetof(struct zeo_storage, commits)},
        {"Aborts", offsetof(struct zeo_storage, aborts)},
        {"Loads", offsetof(struct zeo_storage, loads)},
        {"Stores", offsetof(struct zeo_storage, stores)},
        {"Conflicts", offsetof(struct zeo_storage, conflicts)},
        {"Conflicts resolved", offsetof(struct zeo_storage, conflicts_resolved)},
    };
    static const char head[] = "ZEO monitor server version";
    char line[512];
    struct zeo_storage *cur = NULL;
    size_t pos = 0, lineno = 0;
    int rc = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        lineno++;
        if (n >= sizeof line || memchr(text + pos, '\0', n))
            return lm_err_set(err, LM_EPARSE, NULL, "monitor report line %zu: bad line",
                              lineno);
        memcpy(line, text + pos, n);
        line[n] = '\0';
        pos += n + (nl ? 1 : 0);
        if (lineno == 1) {
            if (strncmp(line, head, sizeof head - 1))
                return lm_err_set(err, LM_EPARSE, NULL,
                                  "not a ZEO monitor report (first line %.40s)", line);
            continue;
        }
        char *colon = strstr(line, ": ");
        if (!colon)
            continue;                       /* the ctime line, blank lines */
        *colon = '\0';
        const char *val = colon + 2;
        if (!strcmp(line, "Storage")) {
            cur = add_storage(st, val, strlen(val), &rc);
            if (!cur)
                return lm_err_set(err, rc, NULL, "%s", rc == LM_ENOMEM ? "out of memory"
                                                                        : "too many storages");
            continue;
        }
        if (!cur)
            continue;
        if (!strcmp(line, "Server started")) {
            cur->has_start = zeo_ctime_parse(val, &cur->start) == 0;
            continue;
        }
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            if (strcmp(line, keys[i].key))
                continue;
            if (monitor_value(val, (double *)((char *)cur + keys[i].off)))
                return lm_err_set(err, LM_EPARSE, NULL,
                                  "monitor report line %zu: bad value for %s", lineno, line);
            if (keys[i].off < offsetof(struct zeo_storage, verifying))
                cur->seen |= ZEO_SEEN(keys[i].off);
            if (keys[i].off == offsetof(struct zeo_storage, verifying))
                cur->has_verifying = true;
            if (keys[i].off == offsetof(struct zeo_storage, lock_held_for))
                cur->has_lock_held_for = true;
        }
    }
    if (lineno == 0)
        return lm_err_set(err, LM_EPARSE, NULL, "empty monitor report");
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* duration.c: Prometheus model.Duration text ("1y2w3d4h5m6s7ms"), the syntax of every
 * interval and timeout in prometheus.yml. It differs from Go's time.ParseDuration (which
 * lm/duration.h reads): integers only, units y w d h m s ms in this order, "0" alone. */
#include "flint/config/config.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *unit;  /* suffix */
    int64_t ms;        /* milliseconds per unit */
} units[] = {
    {"y", 365LL * 24 * 3600 * 1000}, {"w", 7LL * 24 * 3600 * 1000},
    {"d", 24LL * 3600 * 1000},       {"h", 3600LL * 1000},
    {"m", 60LL * 1000},              {"s", 1000},
    {"ms", 1},
};
#define NUNITS (sizeof units / sizeof units[0])
/* time.Duration is int64 nanoseconds: the largest duration in ms. */
#define MAX_MS (INT64_MAX / 1000000)

int
cfg_duration_parse(const char *s, int64_t *ms, struct lm_err *err)
{
    if (!strcmp(s, "0")) {
        *ms = 0;
        return 0;
    }
    if (!*s)
        return lm_err_set(err, LM_EINVAL, NULL, "empty duration string");
    int64_t total = 0;
    size_t next = 0; /* the first unit still allowed */
    const char *p = s;
    while (*p) {
        if (!(*p >= '0' && *p <= '9'))
            goto bad;
        int64_t n = 0;
        bool big = false;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (n > (INT64_MAX - 9) / 10)
                big = true;
            else
                n = n * 10 + (*p - '0');
        }
        size_t u;
        for (u = next; u < NUNITS; u++) {
            size_t l = strlen(units[u].unit);
            /* "m" must not eat the "m" of "ms" */
            if (!strncmp(p, units[u].unit, l) && !(u == 4 && p[1] == 's'))
                break;
        }
        if (u == NUNITS)
            goto bad;
        p += strlen(units[u].unit);
        next = u + 1;
        if (big || n > MAX_MS / units[u].ms || total > MAX_MS - n * units[u].ms)
            return lm_err_set(err, LM_EINVAL, NULL, "duration out of range");
        total += n * units[u].ms;
    }
    *ms = total;
    return 0;
bad:
    return lm_err_set(err, LM_EINVAL, NULL, "not a valid duration string: \"%s\"", s);
}

const char *
cfg_duration_format(int64_t ms, char *out, size_t outsz)
{
    if (ms <= 0) {
        snprintf(out, outsz, ms ? "%lldms" : "0s", (long long)ms);
        return out;
    }
    size_t len = 0;
    out[0] = '\0';
    for (size_t u = 0; u < NUNITS; u++) {
        /* years and weeks only when exact, as Prometheus prints 90d, not 12w6d */
        if (u < 2 && ms % units[u].ms)
            continue;
        int64_t v = ms / units[u].ms;
        if (v > 0 && len < outsz) {
            len += (size_t)snprintf(out + len, outsz - len, "%lld%s", (long long)v,
                                    units[u].unit);
            ms -= v * units[u].ms;
        }
    }
    return out;
}

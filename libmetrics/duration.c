/* SPDX-License-Identifier: Apache-2.0 */
/* duration.c: Go-style duration text to seconds for timeout flags (see duration.h).
 * Owns nothing; does not read clocks or flags itself. */
#include <stdlib.h>
#include <string.h>
#include "lm/duration.h"

/* The units Go's time.ParseDuration knows, longest spelling first for prefix matching. */
static const struct {
    const char *name;  /* unit text */
    double secs;       /* seconds per unit */
} units[] = {
    {"ms", 1e-3}, {"us", 1e-6}, {"ns", 1e-9}, {"h", 3600}, {"m", 60}, {"s", 1},
};

int
lm_duration_parse(const char *s, const char *what, double *out, struct lm_err *err)
{
    double total = 0;
    const char *p = s;
    if (!s || !*s)
        return lm_err_set(err, LM_EINVAL, what, "empty duration");
    while (*p) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || v < 0 || *p == '+' || *p == '-')
            return lm_err_set(err, LM_EINVAL, what, "time: invalid duration \"%s\"", s);
        p = end;
        if (!*p && p == s + strlen(s) && total == 0 && strspn(s, "0123456789.") == strlen(s)) {
            total = v;   /* bare number: seconds */
            break;
        }
        size_t i = 0;
        for (; i < sizeof units / sizeof units[0]; i++)
            if (!strncmp(p, units[i].name, strlen(units[i].name)))
                break;
        if (i == sizeof units / sizeof units[0])
            return lm_err_set(err, LM_EINVAL, what, "time: unknown unit in duration \"%s\"", s);
        total += v * units[i].secs;
        p += strlen(units[i].name);
    }
    if (!(total > 0))
        return lm_err_set(err, LM_EINVAL, what, "duration \"%s\" must be positive", s);
    *out = total;
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* settings.c: pg_settings_<name> gauges (off with --disable-settings-metrics): every bool,
 * integer and real setting, time units converted to seconds and memory units to bytes
 * with upstream 0.11's names, suffixes and HELP texts. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "postgres_exporter/pge.h"

bool
pge_settings_convert(const char *unit, double *value, const char **suffix)
{
    static const struct { const char *unit; double mul; bool bytes; } units[] = {
        {"ms", 1e-3, false}, {"s", 1, false}, {"min", 60, false}, {"h", 3600, false},
        {"d", 86400, false},
        {"B", 1, true}, {"kB", 1024, true}, {"MB", 1048576, true},
        {"GB", 1073741824.0, true}, {"TB", 1099511627776.0, true},
        {"4kB", 4096, true}, {"8kB", 8192, true}, {"16kB", 16384, true},
        {"32kB", 32768, true}, {"64kB", 65536, true}, {"16MB", 16777216, true},
        {"32MB", 33554432, true}, {"64MB", 67108864, true},
    };
    if (!unit || !*unit) {
        *suffix = "";
        return true;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(units[i].unit, unit))
            continue;
        *suffix = units[i].bytes ? "_bytes" : "_seconds";
        if (*value > 0)
            *value *= units[i].mul;
        return true;
    }
    return false;
}

const char pge_settings_sql[] =
    "SELECT name, setting, COALESCE(unit, ''), short_desc, vartype FROM pg_settings "
    "WHERE vartype IN ('bool', 'integer', 'real')";

int
pge_settings_collect(struct pge_server *s, struct lm_emit *e, struct lm_err *err)
{
    struct pge_result *r = pge_server_query(s, pge_settings_sql, err);
    if (!r)
        return err->code;
    int first = 0;
    char name[256], help[1024];
    for (int i = 0; i < r->ntuples; i++) {
        const char *set = pge_result_value(r, i, 1), *unit = pge_result_value(r, i, 2);
        double v;
        if (!strcmp(pge_result_value(r, i, 4), "bool")) {
            v = !strcmp(set, "on") ? 1 : 0;
        } else {
            char *end;
            v = strtod(set, &end);
            if (end == set || *end)
                continue;
        }
        const char *suffix;
        if (!pge_settings_convert(unit, &v, &suffix))
            continue;
        int n = snprintf(name, sizeof name, "pg_settings_%s%s", pge_result_value(r, i, 0), suffix);
        if (n < 0 || (size_t)n >= sizeof name)
            continue;
        for (char *p = name; *p; p++)
            if (!isalnum((unsigned char)*p) && *p != '_' && *p != ':')
                *p = '_';
        if (*suffix)
            snprintf(help, sizeof help, "%s [Units converted to %s.]", pge_result_value(r, i, 3),
                     suffix + 1);
        else
            snprintf(help, sizeof help, "%s", pge_result_value(r, i, 3));
        int rc = lm_emit_family(e, name, help, LM_TYPE_GAUGE);
        if (!rc)
            rc = pge_server_sample(e, s, true, NULL, 0, v);
        if (rc && !first)
            first = lm_err_set(err, rc, name, "%s", lm_strerror(rc));
    }
    pge_result_free(r);
    return first;
}

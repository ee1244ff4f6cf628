/* SPDX-License-Identifier: Apache-2.0 */
/* pgarray.c: PostgreSQL's text form of a one-dimensional numeric array ("{1,2.5,NaN}",
 * elements possibly double-quoted), for the bucket columns of queries.yaml HISTOGRAMs. */
#include <stdlib.h>
#include <string.h>
#include "postgres_exporter/pge.h"

int
pge_float_array(const char *text, double *out, size_t cap)
{
    const char *p = text;
    if (*p++ != '{')
        return -1;
    size_t n = 0;
    if (*p == '}')
        return p[1] ? -1 : 0;
    for (;;) {
        char tmp[64];
        size_t l = 0;
        bool quoted = *p == '"';
        if (quoted)
            p++;
        while (*p && (quoted ? *p != '"' : *p != ',' && *p != '}')) {
            if (quoted && *p == '\\' && p[1])
                p++;
            if (l + 1 >= sizeof tmp)
                return -1;
            tmp[l++] = *p++;
        }
        if (quoted && *p++ != '"')
            return -1;
        tmp[l] = '\0';
        if (!l || (!quoted && !strcmp(tmp, "NULL")) || n >= cap)
            return -1;
        char *end;
        out[n++] = strtod(tmp, &end);
        if (*end)
            return -1;
        if (*p == '}')
            return p[1] ? -1 : (int)n;
        if (*p++ != ',')
            return -1;
    }
}

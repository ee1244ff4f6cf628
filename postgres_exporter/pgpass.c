/* SPDX-License-Identifier: Apache-2.0 */
/* pgpass.c: the password file as libpq reads it (~/.pgpass or PGPASSFILE):
 * hostname:port:database:username:password lines, '*' as a wildcard, '\' escaping ':'
 * and '\', '#' comments; ignored when group or others may read it. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "lm/alloc.h"
#include "postgres_exporter/pgconn.h"

/* field: the next ':'-separated field of *p unescaped into out (cap bytes); false when
 * the line ends first or it does not fit. */
static bool
field(const char **p, char *out, size_t cap, bool last)
{
    size_t o = 0;
    const char *s = *p;
    for (; *s && *s != '\n' && *s != '\r' && (last || *s != ':'); s++) {
        if (*s == '\\' && s[1] && s[1] != '\n')
            s++;
        if (o + 1 >= cap)
            return false;
        out[o++] = *s;
    }
    out[o] = '\0';
    if (!last && *s != ':')
        return false;
    *p = *s == ':' ? s + 1 : s;
    return true;
}

static bool
match(const char *pat, const char *v)
{
    return !strcmp(pat, "*") || !strcmp(pat, v);
}

char *
pge_pgpass_lookup(const char *path, const char *host, const char *port, const char *db,
                  const char *user)
{
    struct stat st;
    if (stat(path, &st) || !S_ISREG(st.st_mode) || (st.st_mode & (S_IRWXG | S_IRWXO)))
        return NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char line[1024], f1[256], f2[32], f3[256], f4[256], f5[512];
    char *out = NULL;
    while (!out && fgets(line, sizeof line, f)) {
        const char *p = line;
        if (*p == '#')
            continue;
        if (field(&p, f1, sizeof f1, false) && field(&p, f2, sizeof f2, false) &&
            field(&p, f3, sizeof f3, false) && field(&p, f4, sizeof f4, false) &&
            field(&p, f5, sizeof f5, true) && match(f1, host) && match(f2, port) &&
            match(f3, db) && match(f4, user))
            out = lm_strdup(f5);
    }
    memset(line, 0, sizeof line);
    memset(f5, 0, sizeof f5);
    fclose(f);
    if (out && !*out) {
        lm_free(out);
        out = NULL;
    }
    return out;
}

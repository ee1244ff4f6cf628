/* SPDX-License-Identifier: Apache-2.0 */
/* qmap.c: the column-map engine shared by the built-in maps and queries.yaml: turns a
 * query result into <ns>_<column> families, LABEL columns becoming labels (plus server),
 * and converts cells (numbers, booleans, timestamps, NULL) to sample values. Also the
 * small semver-range matcher behind runonserver and pg_version. Runs no SQL itself. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lm/duration.h"
#include "postgres_exporter/pge.h"

#define OID_BOOL 16
#define OID_TIMESTAMP 1114
#define OID_TIMESTAMPTZ 1184

/* parse_ts: "2026-11-26 10:30:01.123456+00" (DateStyle ISO) to epoch seconds. */
static bool
parse_ts(const char *s, double *out)
{
    int y, mo, d, h, mi, n = 0;
    double sec;
    if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
        return false;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                    .tm_min = mi};
    double t = (double)timegm(&tm) + sec;
    const char *z = s + n;
    if (*z == '+' || *z == '-') {
        int zh = 0, zm = 0;
        if (sscanf(z + 1, "%2d:%2d", &zh, &zm) < 1)
            return false;
        double off = zh * 3600.0 + zm * 60.0;
        t += *z == '+' ? -off : off;
    }
    *out = t;
    return true;
}

bool
pge_value(const struct pge_result *res, int row, int col, double *out)
{
    if (pge_result_isnull(res, row, col)) {
        *out = NAN;
        return true;
    }
    const char *v = pge_result_value(res, row, col);
    uint32_t t = pge_result_ftype(res, col);
    if (t == OID_BOOL) {
        *out = v[0] == 't' ? 1 : 0;
        return true;
    }
    if (t == OID_TIMESTAMP || t == OID_TIMESTAMPTZ)
        return parse_ts(v, out);
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end)
        return false;
    *out = d;
    return true;
}

/* parse_ver: "15.2.1" / "15" into major*10000+minor*100+patch (server_version_num's
 * scale for 10+). Returns the characters used, 0 when none. */
static size_t
parse_ver(const char *s, int *out)
{
    int part[3] = {0, 0, 0};
    const char *p = s;
    for (int i = 0; i < 3; i++) {
        if (!isdigit((unsigned char)*p))
            return 0;
        char *end;
        part[i] = (int)strtol(p, &end, 10);
        p = end;
        if (*p != '.' || i == 2 || !isdigit((unsigned char)p[1]))
            break;
        p++;
    }
    *out = part[0] * 10000 + part[1] * 100 + part[2];
    return (size_t)(p - s);
}

bool
pge_version_match(const char *range, int version_num)
{
    if (!range || !*range)
        return true;
    /* server_version_num 150018 = 15.18 -> semver 15.18.0; before 10: 90624 = 9.6.24 */
    int v = version_num >= 100000
                ? (version_num / 10000) * 10000 + (version_num % 10000) * 100
                : version_num;
    const char *p = range;
    bool any = false;
    while (*p) {
        p += strspn(p, " \t");
        if (!*p)
            break;
        size_t oplen = strspn(p, "<>=!");
        char op[3] = "";
        if (oplen > 2)
            return false;
        memcpy(op, p, oplen);
        p += oplen;
        int want = 0;
        size_t used = parse_ver(p, &want);
        if (!used)
            return false;
        p += used;
        bool ok;
        if (!strcmp(op, ">="))
            ok = v >= want;
        else if (!strcmp(op, ">"))
            ok = v > want;
        else if (!strcmp(op, "<="))
            ok = v <= want;
        else if (!strcmp(op, "<"))
            ok = v < want;
        else if (!strcmp(op, "!=") || !strcmp(op, "!"))
            ok = v != want;
        else if (!*op || !strcmp(op, "=") || !strcmp(op, "=="))
            ok = v == want;
        else
            return false;
        if (!ok)
            return false;
        any = true;
    }
    return any;
}

/* find_col: the map entry for a result column, or NULL. */
static const struct pge_col *
find_col(const struct pge_qmap *q, const char *name)
{
    for (size_t i = 0; i < q->ncols; i++)
        if (!strcmp(q->cols[i].name, name))
            return &q->cols[i];
    return NULL;
}

/* column_usage: the effective usage of result column c (version-gated). */
static enum pge_usage
column_usage(const struct pge_qmap *q, const struct pge_col *col, int version_num)
{
    if (!col)
        return q->untyped_unknown ? PGE_GAUGE : PGE_DISCARD;
    if (col->pg_version && !pge_version_match(col->pg_version, version_num))
        return PGE_DISCARD;
    return col->usage;
}

/* cell_value: the sample value of one cell for its usage; false to skip it. */
static bool
cell_value(const struct pge_result *res, int row, int c, const struct pge_col *col, double *out)
{
    if (col && col->usage == PGE_MAPPED) {
        if (pge_result_isnull(res, row, c))
            return false;
        const char *v = pge_result_value(res, row, c);
        for (size_t i = 0; i < col->nmap; i++)
            if (!strcmp(col->map[i].key, v)) {
                *out = col->map[i].value;
                return true;
            }
        return false;
    }
    if (col && col->usage == PGE_DURATION) {
        const char *v = pge_result_value(res, row, c);
        if (pge_result_isnull(res, row, c) || !strcmp(v, "-1")) {
            *out = NAN;
            return true;
        }
        if (lm_duration_parse(v, NULL, out, NULL))
            return false;
        *out *= 1000;
        return true;
    }
    return pge_value(res, row, c, out);
}

#define QM_MAX_LABELS (PGE_MAX_COLS + 1 + PGE_MAX_CONST)
#define QM_MAX_BUCKETS 256

/* all_labels: labels (n <= PGE_MAX_COLS), server, constant labels into all; the count */
static size_t
all_labels(const struct pge_server *s, bool constant, const struct lm_label *labels, size_t n,
           struct lm_label all[QM_MAX_LABELS])
{
    if (n)
        memcpy(all, labels, n * sizeof *labels);
    all[n].name = "server";
    all[n++].value = s->label;
    for (size_t i = 0; constant && i < s->nconst && i < PGE_MAX_CONST; i++)
        all[n++] = s->constant[i];
    return n;
}

int
pge_server_sample(struct lm_emit *e, const struct pge_server *s, bool constant,
                  const struct lm_label *labels, size_t n, double value)
{
    struct lm_label all[QM_MAX_LABELS];
    if (n > PGE_MAX_COLS)
        return LM_ETOOBIG;
    return lm_emit_sample(e, all, all_labels(s, constant, labels, n, all), value);
}

/* result_col: the index of the result column named base + suffix, or -1 */
static int
result_col(const struct pge_result *res, const char *base, const char *suffix)
{
    size_t bl = strlen(base);
    for (int c = 0; c < res->nfields; c++) {
        const char *n = pge_result_fname(res, c);
        if (!strncmp(n, base, bl) && !strcmp(n + bl, suffix))
            return c;
    }
    return -1;
}

/* hist_part: is result column name the _bucket/_sum/_count companion of one of q's
 * HISTOGRAM columns? (then it is not a metric of its own) */
static bool
hist_part(const struct pge_qmap *q, const char *name)
{
    static const char *const sfx[] = {"_bucket", "_sum", "_count"};
    for (size_t i = 0; i < q->ncols; i++) {
        if (q->cols[i].usage != PGE_HISTOGRAM)
            continue;
        size_t l = strlen(q->cols[i].name);
        for (int k = 0; k < 3; k++)
            if (!strncmp(name, q->cols[i].name, l) && !strcmp(name + l, sfx[k]))
                return true;
    }
    return false;
}

/* emit_histogram: one row of HISTOGRAM column c (labels as for a sample) */
static int
emit_histogram(struct lm_emit *e, const struct pge_server *s, bool constant,
               const struct pge_result *res, int row, int c, const struct lm_label *labels,
               size_t n, const char *name, struct lm_err *err)
{
    const char *cname = pge_result_fname(res, c);
    int cb = result_col(res, cname, "_bucket"), cs = result_col(res, cname, "_sum");
    int cc = result_col(res, cname, "_count");
    if (cb < 0 || cs < 0 || cc < 0)
        return lm_err_set(err, LM_EPARSE, name, "HISTOGRAM column %s needs the columns "
                          "%s_bucket, %s_sum and %s_count", cname, cname, cname, cname);
    double bounds[QM_MAX_BUCKETS], counts[QM_MAX_BUCKETS], sum, count;
    int nb = pge_float_array(pge_result_value(res, row, c), bounds, QM_MAX_BUCKETS);
    int nc = pge_float_array(pge_result_value(res, row, cb), counts, QM_MAX_BUCKETS);
    if (nb < 0 || nc < 0 || !pge_value(res, row, cs, &sum) || !pge_value(res, row, cc, &count))
        return lm_err_set(err, LM_EPARSE, name, "HISTOGRAM %s: malformed bucket arrays, "
                          "sum or count", cname);
    if (nc < nb)
        nb = nc;                            /* as upstream: bounds without a count dropped */
    /* ascending bounds, as Prometheus sorts them; +Inf comes from count */
    for (int i = 1; i < nb; i++)
        for (int j = i; j > 0 && bounds[j] < bounds[j - 1]; j--) {
            double t = bounds[j];
            bounds[j] = bounds[j - 1];
            bounds[j - 1] = t;
            t = counts[j];
            counts[j] = counts[j - 1];
            counts[j - 1] = t;
        }
    while (nb > 0 && isinf(bounds[nb - 1]) && bounds[nb - 1] > 0)
        nb--;
    struct lm_label all[QM_MAX_LABELS];
    size_t na = all_labels(s, constant, labels, n, all);
    int rc = lm_emit_histogram(e, all, na, bounds, counts, (size_t)nb, sum, count);
    return rc ? lm_err_set(err, rc, name, "%s", lm_strerror(rc)) : 0;
}

int
pge_qmap_emit(struct lm_emit *e, const struct pge_qmap *q, const struct pge_server *s,
              bool constant, const struct pge_result *res, struct lm_err *err)
{
    int version_num = s->version_num;
    int nf = res->nfields, nt = res->ntuples;
    int labelcol[PGE_MAX_COLS];
    size_t nl = 0;
    for (int c = 0; c < nf && nl < PGE_MAX_COLS; c++) {
        const struct pge_col *col = find_col(q, pge_result_fname(res, c));
        if (col && column_usage(q, col, version_num) == PGE_LABEL)
            labelcol[nl++] = c;
    }
    /* a LABEL column of the map that the result lacks (pg_stat_replication's slot_name):
     * upstream 0.11 still puts the label on every series, with the value of the result's
     * first column (its columnIdx lookup of a missing name gives 0); so do we */
    const char *absent[PGE_MAX_COLS];
    size_t na = 0;
    for (size_t i = 0; nf > 0 && i < q->ncols && nl + na < PGE_MAX_COLS; i++) {
        if (column_usage(q, &q->cols[i], version_num) != PGE_LABEL)
            continue;
        int c = 0;
        while (c < nf && strcmp(pge_result_fname(res, c), q->cols[i].name))
            c++;
        if (c == nf)
            absent[na++] = q->cols[i].name;
    }
    struct lm_label labels[PGE_MAX_COLS];
    char name[256], help[256];
    int first = 0;
    for (int c = 0; c < nf; c++) {
        const char *cname = pge_result_fname(res, c);
        const struct pge_col *col = find_col(q, cname);
        enum pge_usage u = column_usage(q, col, version_num);
        if (!col && hist_part(q, cname))
            continue;
        enum lm_type type;
        const char *suffix = "";
        switch (u) {
        case PGE_COUNTER: type = LM_TYPE_COUNTER; break;
        case PGE_GAUGE: type = col ? LM_TYPE_GAUGE : LM_TYPE_UNTYPED; break;
        case PGE_MAPPED: type = LM_TYPE_GAUGE; break;
        case PGE_DURATION: type = LM_TYPE_GAUGE; suffix = "_milliseconds"; break;
        case PGE_HISTOGRAM: type = LM_TYPE_HISTOGRAM; break;
        default: continue;
        }
        snprintf(name, sizeof name, "%s_%s%s", q->ns, col && col->metric ? col->metric : cname,
                 suffix);
        if (col)
            snprintf(help, sizeof help, "%s", col->help ? col->help : "");
        else
            snprintf(help, sizeof help, "Unknown metric from %s", q->ns);
        int rc = lm_emit_family(e, name, help, type);
        if (rc) {
            if (!first)
                first = lm_err_set(err, rc, name, "%s", lm_strerror(rc));
            continue;
        }
        for (int r = 0; r < nt; r++) {
            double v = 0;
            if (u != PGE_HISTOGRAM && !cell_value(res, r, c, col, &v))
                continue;
            size_t n = 0;
            for (size_t i = 0; i < nl; i++) {
                labels[n].name = pge_result_fname(res, labelcol[i]);
                labels[n++].value = pge_result_value(res, r, labelcol[i]);  /* NULL reads "" */
            }
            for (size_t i = 0; i < na; i++) {
                labels[n].name = absent[i];
                labels[n++].value = pge_result_value(res, r, 0);
            }
            if (u == PGE_HISTOGRAM) {
                struct lm_err herr;
                lm_err_clear(&herr);
                rc = emit_histogram(e, s, constant, res, r, c, labels, n, name, &herr);
                if (rc && !first) {
                    first = rc;
                    *err = herr;
                }
                continue;
            }
            rc = pge_server_sample(e, s, constant, labels, n, v);
            if (rc && !first)
                first = lm_err_set(err, rc, name, "%s", lm_strerror(rc));
        }
    }
    return first;
}

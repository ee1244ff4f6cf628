/* SPDX-License-Identifier: Apache-2.0 */
/* bcache.c: the bcache collector: per cache set <sysfs>/fs/bcache/<uuid> its btree and
 * journal gauges, per backing device (bdevN) dirty data, writeback_rate_debug and the
 * stats_total counters, per cache device (cacheN) errors and bytes written, plus
 * priority_stats with --collector.bcache.priorityStats. Values are in bcache's
 * human-readable form (bch_hprint); a file that is missing or unparsable fails the scrape,
 * as procfs does. No bcache directory: no samples and no error (upstream's empty glob). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lm/flags.h"
#include "lm/procfile.h"
#include "node_exporter/ne.h"
#include "node_exporter/sysfs.h"

static const struct lm_flag_desc flags[] = {
    {"collector.bcache.priorityStats", "false", "Expose expensive priority stats.", true},
    {NULL, NULL, NULL, false},
};

/* One exported value: file (relative to its directory), metric suffix, HELP, type, scale. */
struct bc_metric {
    const char *file;     /* attribute path below the set / bdev / cache dir */
    const char *name;     /* after node_bcache_ */
    const char *help;     /* HELP text */
    bool counter;         /* counter, else gauge */
    double scale;         /* multiplier applied to the value */
};

static const struct bc_metric set_metrics[] = {
    {"average_key_size", "average_key_size_sectors", "Average data per key in the btree (sectors).", false, 1},
    {"btree_cache_size", "btree_cache_size_bytes", "Amount of memory currently used by the btree cache.", false, 1},
    {"cache_available_percent", "cache_available_percent", "Percentage of cache device without dirty data, usable for writeback (may contain clean cached data).", false, 1},
    {"congested", "congested", "Congestion.", false, 1},
    {"root_usage_percent", "root_usage_percent", "Percentage of the root btree node in use (tree depth increases if too high).", false, 1},
    {"tree_depth", "tree_depth", "Depth of the btree.", false, 1},
    {"internal/active_journal_entries", "active_journal_entries", "Number of journal entries that are newer than the index.", false, 1},
    {"internal/btree_nodes", "btree_nodes", "Total nodes in the btree.", false, 1},
    /* upstream scales this microsecond value by 1e-9 (its field is named nanoseconds) */
    {"internal/btree_read_average_duration_us", "btree_read_average_duration_seconds", "Average btree read duration.", false, 1e-9},
    {"internal/cache_read_races", "cache_read_races_total", "Counts instances where while data was being read from the cache, the bucket was reused and invalidated - i.e. where the pointer was stale after the read completed.", true, 1},
};

/* the period counters of stats_total / stats_five_minute (only stats_total of a bdev is exported) */
static const struct bc_metric period_metrics[] = {
    {"bypassed", "bypassed_bytes_total", "Amount of IO (both reads and writes) that has bypassed the cache.", true, 1},
    {"cache_hits", "cache_hits_total", "Hits counted per individual IO as bcache sees them.", true, 1},
    {"cache_misses", "cache_misses_total", "Misses counted per individual IO as bcache sees them.", true, 1},
    {"cache_bypass_hits", "cache_bypass_hits_total", "Hits for IO intended to skip the cache.", true, 1},
    {"cache_bypass_misses", "cache_bypass_misses_total", "Misses for IO intended to skip the cache.", true, 1},
    {"cache_miss_collisions", "cache_miss_collisions_total", "Instances where data insertion from cache miss raced with write (data already present).", true, 1},
    {"cache_readaheads", "cache_readaheads_total", "Count of times readahead occurred.", true, 1},
};
#define NPERIOD (sizeof period_metrics / sizeof period_metrics[0])

static const struct bc_metric dirty_metric =
    {"dirty_data", "dirty_data_bytes", "Amount of dirty data for this backing device in the cache.", false, 1};

static const struct bc_metric cache_metrics[] = {
    {"io_errors", "io_errors", "Number of errors that have occurred, decayed by io_error_halflife.", false, 1},
    {"metadata_written", "metadata_written_bytes_total", "Sum of all non data writes (btree writes and all other metadata).", true, 1},
    {"written", "written_bytes_total", "Sum of all data that has been written to the cache.", true, 1},
};

/* One "key: value" line of writeback_rate_debug or priority_stats (the value is the
 * line's last word, with suffix stripped); exported when name is set. */
struct bc_key {
    const char *key;      /* line prefix */
    const char *suffix;   /* stripped from the value */
    const char *name;     /* after node_bcache_, NULL: parsed only */
    const char *help;     /* HELP text */
};

static const struct bc_key wb_keys[] = {
    {"rate:", "/sec", "writeback_rate", "Current writeback rate for this backing device in bytes."},
    {"dirty:", "", NULL, NULL},
    {"target:", "", "dirty_target_bytes", "Current dirty data target threshold for this backing device in bytes."},
    {"proportional:", "", "writeback_rate_proportional_term", "Current result of proportional controller, part of writeback rate"},
    {"integral:", "", "writeback_rate_integral_term", "Current result of integral controller, part of writeback rate"},
    {"change:", "/sec", "writeback_change", "Last writeback rate change step for this backing device."},
};

static const struct bc_key prio_keys[] = {
    {"Unused:", "%", "priority_stats_unused_percent", "The percentage of the cache that doesn't contain any data."},
    {"Metadata:", "%", "priority_stats_metadata_percent", "Bcache's metadata overhead."},
};

/* bch_hprint unit letters, each 1024 times the previous */
static const char hprint_units[] = "kMGTPEZY";

struct bc_walk {
    bool prio;                /* --collector.bcache.priorityStats */
    const char *uuid;         /* cache set being walked */
    struct lm_emit *e;        /* output */
    struct lm_err *err;       /* collect's error */
};

/* dehumanize: bch_hprint's "1.5M" (fraction digits are 1/1024 units scaled by 100), plain
 * numbers, and a leading '-'. Truncated toward zero like upstream. 0 or LM_EPARSE. */
static int
dehumanize(const char *s, double *out)
{
    char num[64];
    bool neg = s[0] == '-';
    double mul = 1, ip, fp = 0;
    snprintf(num, sizeof num, "%s", s + neg);
    size_t n = strlen(num);
    if (!n)
        return LM_EPARSE;
    if (num[n - 1] > '9') {
        const char *u = strchr(hprint_units, num[n - 1]);
        mul = u ? (double)(1ULL << (10 * (u - hprint_units + 1) > 63 ? 63 : 10 * (u - hprint_units + 1))) : 0;
        num[--n] = '\0';
        char *dot = strchr(num, '.');
        if (dot) {
            *dot = '\0';
            char *rest = strchr(dot + 1, '.');
            if (rest)
                *rest = '\0';
            if (lm_parse_double(dot + 1, &fp))
                return LM_EPARSE;
            fp /= 10.24;
        }
    }
    if (lm_parse_double(num, &ip))
        return LM_EPARSE;
    double v = (double)(long long)((ip + fp) * mul);
    *out = neg ? -v : v;
    return 0;
}

/* value: read dir/file and dehumanize it; failures name the file. */
static int
value(struct bc_walk *w, const char *dir, const char *file, double *out)
{
    char buf[128], p[4096];
    ne_join(p, sizeof p, dir, file);
    int rc = ne_attr_str(dir, file, buf, sizeof buf);
    if (rc)
        return lm_err_set(w->err, rc, p, "failed to read: %s", lm_strerror(rc));
    if (dehumanize(buf, out))
        return lm_err_set(w->err, LM_EPARSE, p, "invalid value \"%s\"", buf);
    return 0;
}

/* emit_table: read and emit every metric of t (n entries) from dir, labelled by uuid and,
 * when lname is set, lname=lvalue. */
static int
emit_table(struct bc_walk *w, const char *dir, const struct bc_metric *t, size_t n,
           const char *lname, const char *lvalue)
{
    double v[16];
    int rc;
    for (size_t i = 0; i < n; i++)
        if ((rc = value(w, dir, t[i].file, &v[i])))
            return rc;
    for (size_t i = 0; i < n; i++) {
        char m[128];
        snprintf(m, sizeof m, "node_bcache_%s", t[i].name);
        lm_emit_family(w->e, m, t[i].help, t[i].counter ? LM_TYPE_COUNTER : LM_TYPE_GAUGE);
        lm_emit_samplev(w->e, v[i] * t[i].scale, lname ? lname : "uuid", lname ? lvalue : w->uuid,
                        lname ? "uuid" : NULL, w->uuid, NULL);
    }
    return 0;
}

/* period: validate dir/sub's period counters without exporting them. */
static int
period(struct bc_walk *w, const char *dir, const char *sub)
{
    char d[4096];
    double v;
    int rc;
    ne_join(d, sizeof d, dir, sub);
    for (size_t i = 0; i < NPERIOD; i++)
        if ((rc = value(w, d, period_metrics[i].file, &v)))
            return rc;
    return 0;
}

/* keyed: parse dir/file's lines for the n keys k and emit the named ones as gauges
 * labelled lname=lvalue and uuid. A missing file or bad value fails. */
static int
keyed(struct bc_walk *w, const char *dir, const char *file, const struct bc_key *k, size_t n,
      const char *lname, const char *lvalue)
{
    char p[4096];
    double v[8] = {0};
    struct lm_procfile *pf = lm_procfile_new(NULL);
    if (!pf)
        return lm_err_set(w->err, LM_ENOMEM, dir, "out of memory");
    int rc = lm_procfile_read(pf, ne_join(p, sizeof p, dir, file), w->err);
    for (size_t l = 0; !rc && l < lm_procfile_lines(pf); l++) {
        for (size_t i = 0; i < n; i++) {
            if (strncmp(lm_procfile_line(pf, l), k[i].key, strlen(k[i].key)))
                continue;
            char val[64];
            snprintf(val, sizeof val, "%s", lm_procfile_word(pf, l, lm_procfile_words(pf, l) - 1));
            size_t vl = strlen(val), sl = strlen(k[i].suffix);
            if (vl >= sl && !strcmp(val + vl - sl, k[i].suffix))
                val[vl - sl] = '\0';
            if (dehumanize(val, &v[i]))
                rc = lm_err_set(w->err, LM_EPARSE, p, "line %zu: invalid value \"%s\"", l + 1, val);
        }
    }
    lm_procfile_free(pf);
    for (size_t i = 0; !rc && i < n; i++) {
        char m[128];
        if (!k[i].name)
            continue;
        snprintf(m, sizeof m, "node_bcache_%s", k[i].name);
        lm_emit_family(w->e, m, k[i].help, LM_TYPE_GAUGE);
        lm_emit_samplev(w->e, v[i], lname, lvalue, "uuid", w->uuid, NULL);
    }
    return rc;
}

static int
bdev(void *arg, const char *dir, const char *name)
{
    struct bc_walk *w = arg;
    char d[4096], t[4096];
    int rc;
    if (name[4] < '0' || name[4] > '9')
        return 0;  /* glob bdev[0-9]* */
    ne_join(d, sizeof d, dir, name);
    if ((rc = emit_table(w, d, &dirty_metric, 1, "backing_device", name)) ||
        (rc = period(w, d, "stats_five_minute")) ||
        (rc = keyed(w, d, "writeback_rate_debug", wb_keys, 6, "backing_device", name)))
        return rc;
    return emit_table(w, ne_join(t, sizeof t, d, "stats_total"), period_metrics, NPERIOD,
                      "backing_device", name);
}

static int
cache(void *arg, const char *dir, const char *name)
{
    struct bc_walk *w = arg;
    char d[4096];
    int rc;
    if (name[5] < '0' || name[5] > '9')
        return 0;  /* glob cache[0-9]* */
    ne_join(d, sizeof d, dir, name);
    if ((rc = emit_table(w, d, cache_metrics, 3, "cache_device", name)) || !w->prio)
        return rc;
    return keyed(w, d, "priority_stats", prio_keys, 2, "cache_device", name);
}

static int
set(void *arg, const char *dir, const char *name)
{
    struct bc_walk *w = arg;
    char d[4096];
    int rc;
    if (!strchr(name, '-'))
        return 0;  /* glob *-*: cache sets are named by UUID */
    ne_join(d, sizeof d, dir, name);
    w->uuid = name;
    if ((rc = emit_table(w, d, set_metrics, sizeof set_metrics / sizeof set_metrics[0], NULL, NULL)) ||
        (rc = period(w, d, "stats_five_minute")) || (rc = period(w, d, "stats_total")) ||
        ((rc = ne_dir_each(d, "bdev", bdev, w)) && rc != LM_ENOENT) ||
        ((rc = ne_dir_each(d, "cache", cache, w)) && rc != LM_ENOENT))
        return rc;
    return 0;
}

static int
bcache_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    (void)err;
    /* the whole state is the flag: a non-empty constant string means "priorityStats" */
    const char *v = ctx->flags ? lm_flags_get(ctx->flags, "collector.bcache.priorityStats") : NULL;
    *state = (void *)(v && !strcmp(v, "true") ? "prio" : "");
    return 0;
}

static int
bcache_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
               struct lm_err *err)
{
    char dir[4096];
    struct bc_walk w = {((const char *)state)[0] != '\0', NULL, e, err};
    int rc = ne_dir_each(ne_path(ctx, NE_SYSFS, "fs/bcache", dir, sizeof dir), NULL, set, &w);
    if (rc == LM_ENOENT && !err->code)
        return 0;  /* no bcache: upstream's glob matches nothing */
    if (rc && !err->code)
        return lm_err_set(err, rc, dir, "failed to retrieve bcache stats: %s", lm_strerror(rc));
    return rc;
}

const struct lm_collector_desc ne_bcache_collector = {
    .name = "bcache",
    .enabled_by_default = true,
    .flags = flags,
    .init = bcache_init,
    .collect = bcache_collect,
};

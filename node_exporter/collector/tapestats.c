/* SPDX-License-Identifier: Apache-2.0 */
/* tapestats.c: the tapestats collector: per SCSI tape <sysfs>/class/scsi_tape/st<N> the
 * stats/ counters (I/O counts, bytes, times in ns exported as seconds), labelled by device.
 * Other entries (nst0, st0a, ...) are skipped, as is any device matching
 * --collector.tapestats.ignored-devices. A missing or malformed stats file fails the
 * scrape. No scsi_tape class: LM_ENODATA. */
#include <stdio.h>
#include <string.h>
#include "lm/flags.h"
#include "lm/procfile.h"
#include "lm/regex.h"
#include "node_exporter/ne.h"
#include "node_exporter/procutil.h"
#include "node_exporter/sysfs.h"

static const struct lm_flag_desc flags[] = {
    {"collector.tapestats.ignored-devices", "^$", "Regexp of devices to ignore for tapestats.",
     false},
    {NULL, NULL, NULL, false},
};

static const struct {
    const char *file;     /* stats/ file */
    const char *name;     /* after node_tape_ */
    bool gauge;           /* gauge, else counter */
    double scale;         /* ns counters become seconds */
    const char *help;     /* HELP text */
} stats[] = {
    {"in_flight", "io_now", true, 1, "The number of I/Os currently outstanding to this device."},
    {"io_ns", "io_time_seconds_total", false, 1e-9, "The amount of time spent waiting for all I/O to complete (including read and write). This includes tape movement commands such as seeking between file or set marks and implicit tape movement such as when rewind on close tape devices are used."},
    {"other_cnt", "io_others_total", false, 1, "The number of I/Os issued to the tape drive other than read or write commands. The time taken to complete these commands uses the following calculation io_time_seconds_total-read_time_seconds_total-write_time_seconds_total"},
    {"read_byte_cnt", "read_bytes_total", false, 1, "The number of bytes read from the tape drive."},
    {"read_cnt", "reads_completed_total", false, 1, "The number of read requests issued to the tape drive."},
    {"read_ns", "read_time_seconds_total", false, 1e-9, "The amount of time spent waiting for read requests to complete."},
    {"resid_cnt", "residual_total", false, 1, "The number of times during a read or write we found the residual amount to be non-zero. This should mean that a program is issuing a read larger thean the block size on tape. For write not all data made it to tape."},
    {"write_byte_cnt", "written_bytes_total", false, 1, "The number of bytes written to the tape drive."},
    {"write_cnt", "writes_completed_total", false, 1, "The number of write requests issued to the tape drive."},
    {"write_ns", "write_time_seconds_total", false, 1e-9, "The amount of time spent waiting for write requests to complete."},
};
#define NSTATS (sizeof stats / sizeof stats[0])

struct tape_walk {
    struct lm_regex *ignored;  /* --collector.tapestats.ignored-devices */
    struct lm_emit *e;         /* output */
    struct lm_err *err;        /* collect's error */
};

/* is_tape: the name matches ^st[0-9]+$ (rewinding device nodes only). */
static bool
is_tape(const char *name)
{
    if (strncmp(name, "st", 2) || !name[2])
        return false;
    for (const char *p = name + 2; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

static int
tape(void *arg, const char *dir, const char *name)
{
    struct tape_walk *w = arg;
    char d[4096], p[4096];
    uint64_t v[NSTATS];
    if (!is_tape(name) || (w->ignored && lm_regex_match(w->ignored, name, SIZE_MAX)))
        return 0;
    ne_join(p, sizeof p, dir, name);
    ne_join(d, sizeof d, p, "stats");
    for (size_t i = 0; i < NSTATS; i++) {
        int rc = ne_attr_u64(d, stats[i].file, &v[i]);
        if (rc)
            return lm_err_set(w->err, rc, ne_join(p, sizeof p, d, stats[i].file), "%s",
                              rc == LM_EPARSE ? "invalid integer" : lm_strerror(rc));
    }
    for (size_t i = 0; i < NSTATS; i++) {
        char m[96];
        snprintf(m, sizeof m, "node_tape_%s", stats[i].name);
        lm_emit_family(w->e, m, stats[i].help, stats[i].gauge ? LM_TYPE_GAUGE : LM_TYPE_COUNTER);
        lm_emit_samplev(w->e, (double)v[i] * stats[i].scale, "device", name, NULL);
    }
    return 0;
}

static int
tape_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    struct lm_regex *re = ne_flag_regex(ctx, "collector.tapestats.ignored-devices", err);
    if (!re)
        return err->code;
    *state = re;
    return 0;
}

static void
tape_fini(void *state)
{
    lm_regex_free(state);
}

static int
tape_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
             struct lm_err *err)
{
    char dir[4096];
    struct tape_walk w = {state, e, err};
    int rc = ne_dir_each(ne_path(ctx, NE_SYSFS, "class/scsi_tape", dir, sizeof dir), NULL, tape,
                         &w);
    if (rc == LM_ENOENT && !err->code)
        return lm_err_set(err, LM_ENODATA, dir, "scsi_tape stats not found, skipping");
    if (rc && !err->code)
        return lm_err_set(err, rc, dir, "error obtaining SCSITape class info: %s",
                          lm_strerror(rc));
    return rc;
}

const struct lm_collector_desc ne_tapestats_collector = {
    .name = "tapestats",
    .enabled_by_default = true,
    .flags = flags,
    .init = tape_init,
    .collect = tape_collect,
    .fini = tape_fini,
};

/* SPDX-License-Identifier: Apache-2.0 */
/* process.c: client_golang's process_* metrics from /proc/<pid>/{stat,limits,fd} and
 * /proc/stat's btime, and the <ns>_build_info gauge (lm/process.h). Reads each file with
 * one read(); no state kept between scrapes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "lm/process.h"
#include "lm/version.h"

/* slurp: read up to n-1 bytes of path into buf, NUL-terminated. Length or -1. */
static ssize_t
slurp(const char *path, char *buf, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < n - 1) {
        ssize_t r = read(fd, buf + off, n - 1 - off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        off += (size_t)r;
    }
    close(fd);
    buf[off] = '\0';
    return (ssize_t)off;
}

/* limit_of: the soft limit on the /proc/<pid>/limits line starting with name; "unlimited"
 * gives 2^64-1 as client_golang reports it. -1 when absent. */
static double
limit_of(const char *limits, const char *name)
{
    const char *p = strstr(limits, name);
    if (!p)
        return -1;
    p += strlen(name);
    while (*p == ' ')
        p++;
    if (strncmp(p, "unlimited", 9) == 0)
        return 18446744073709551615.0;
    char *end;
    double v = strtod(p, &end);
    return end == p ? -1 : v;
}

static double
boot_time(const char *root)
{
    char path[512], buf[16384];
    snprintf(path, sizeof path, "%s/../stat", root);
    if (slurp(path, buf, sizeof buf) < 0 && slurp("/proc/stat", buf, sizeof buf) < 0)
        return -1;
    const char *p = strstr(buf, "\nbtime ");
    return p ? strtod(p + 7, NULL) : -1;
}

/* count_fds: the entries of the /proc/<pid>/fd directory path (for /proc/self, counting
 * the descriptor opened to read it, as a listing and client_golang do), or -1 (errno
 * set). On procfs, Linux 6.2 and later give the count as the directory's size (the weight
 * of the open-descriptor bitmap) without listing it; older kernels say 0, and other file
 * systems (test fixtures) a block size, so then it is listed with getdents64, with no
 * allocation per entry. */
static double
count_fds(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct statfs sf;
    struct stat st;
    if (!fstatfs(fd, &sf) && sf.f_type == PROC_SUPER_MAGIC && !fstat(fd, &st) &&
        st.st_size > 0) {
        close(fd);
        return (double)st.st_size;
    }
    char buf[32768] __attribute__((aligned(8)));
    double n = 0;
    long r;
    while ((r = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
        for (long off = 0; off < r;) {
            const struct dirent64 *de = (const void *)(buf + off);
            n += de->d_name[0] != '.';
            off += de->d_reclen;
        }
    }
    int e = errno;
    close(fd);
    if (r < 0) {
        errno = e;
        return -1;
    }
    return n;
}

int
lm_process_collect(void *state, struct lm_emit *e, struct lm_err *err)
{
    const char *root = state ? state : "/proc/self";
    char path[512], buf[4096];
    int rc = 0;
    long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
    snprintf(path, sizeof path, "%s/stat", root);
    const char *p = slurp(path, buf, sizeof buf) > 0 ? strrchr(buf, ')') : NULL;
    if (p) {
        /* fields after "(comm)": 3 state ... 14 utime 15 stime 22 starttime 23 vsize 24 rss */
        double f[64] = {0};
        int i = 3;
        p += 2;
        while (*p && i < 64) {
            while (*p == ' ')
                p++;
            char *end;
            f[i] = strtod(p, &end);
            if (end == p)
                while (*end && *end != ' ')
                    end++;
            p = end;
            i++;
        }
        lm_emit_one(e, "process_cpu_seconds_total",
                    "Total user and system CPU time spent in seconds.", LM_TYPE_COUNTER,
                    (f[14] + f[15]) / (double)tck);
        lm_emit_one(e, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
                    LM_TYPE_GAUGE, f[23]);
        lm_emit_one(e, "process_resident_memory_bytes", "Resident memory size in bytes.",
                    LM_TYPE_GAUGE, f[24] * (double)page);
        double bt = boot_time(root);
        if (bt >= 0)
            lm_emit_one(e, "process_start_time_seconds",
                        "Start time of the process since unix epoch in seconds.", LM_TYPE_GAUGE,
                        bt + f[22] / (double)tck);
    } else {
        rc = lm_err_set(err, LM_EIO, path, "cannot read: %s", strerror(errno));
    }
    snprintf(path, sizeof path, "%s/fd", root);
    double nfds = count_fds(path);
    if (nfds >= 0)
        lm_emit_one(e, "process_open_fds", "Number of open file descriptors.", LM_TYPE_GAUGE,
                    nfds);
    else if (!rc)
        rc = lm_err_set(err, LM_EIO, path, "cannot read: %s", strerror(errno));
    snprintf(path, sizeof path, "%s/limits", root);
    if (slurp(path, buf, sizeof buf) > 0) {
        double v = limit_of(buf, "Max open files");
        if (v >= 0)
            lm_emit_one(e, "process_max_fds", "Maximum number of open file descriptors.",
                        LM_TYPE_GAUGE, v);
        v = limit_of(buf, "Max address space");
        if (v >= 0)
            lm_emit_one(e, "process_virtual_memory_max_bytes",
                        "Maximum amount of virtual memory available in bytes.", LM_TYPE_GAUGE, v);
    } else if (!rc) {
        rc = lm_err_set(err, LM_EIO, path, "cannot read: %s", strerror(errno));
    }
    return rc;
}

int
lm_process_register(struct lm_registry *r, struct lm_err *err)
{
    return lm_registry_add_collector(r, "process", lm_process_collect, NULL, err);
}

int
lm_build_info_register(struct lm_registry *r, const char *ns, const char *version,
                       const char *revision, const char *branch, struct lm_err *err)
{
    if (!ns || !*ns)
        return lm_err_set(err, LM_EINVAL, NULL, "no namespace");
    char name[256], help[512];
    snprintf(name, sizeof name, "%s_build_info", ns);
    snprintf(help, sizeof help,
             "A metric with a constant '1' value labeled by version, revision, branch, "
             "goversion from which %s was built, and the goos and goarch for the build.",
             ns);
    struct lm_version v;
    lm_version_get(&v);
    struct lm_label cl[] = {
        {"branch", branch ? branch : v.branch},
        {"goarch", v.arch},
        {"goos", v.os},
        {"goversion", v.compiler},
        {"revision", revision ? revision : v.revision},
        {"version", version ? version : v.version},
    };
    struct lm_metric_opts o = {.name = name, .help = help, .type = LM_TYPE_GAUGE,
                               .const_labels = cl, .nconst = sizeof cl / sizeof cl[0]};
    struct lm_err le;
    lm_err_clear(&le);
    struct lm_family *f = lm_registry_add(r, &o, &le);
    if (!f) {
        if (err)
            *err = le;
        return le.code;
    }
    lm_gauge_set(lm_family_with(f, NULL), 1);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* manager.c: the discovery manager: one provider set per scrape job (static groups plus
 * file_sd providers), a watcher thread that re-reads target files on inotify events in
 * their directories and every refresh_interval, and change notification by generation
 * counter, condition variable and callback. One mutex guards all state; target files
 * are read under it (they are small). */
#include "flint/discovery/disc_int.h"

#include <errno.h>
#include <glob.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "flint/config/yamlnode.h"
#include "lm/alloc.h"
#include "lm/log.h"

/* The groups last read from one target file. */
struct fsd_file {
    char *path;                 /* owned */
    struct disc_group *groups;  /* owned array; kept when a re-read fails */
    size_t ngroups;             /* entries */
};

/* One file_sd_configs entry of a job. */
struct fsd {
    char **patterns;            /* owned glob patterns */
    size_t npatterns;           /* entries */
    int64_t refresh_ms;         /* refresh_interval */
    int64_t next_ms;            /* monotonic time of the next timed re-read */
    struct fsd_file *files;     /* owned, in glob order */
    size_t nfiles;              /* entries */
};

struct job {
    char *name;                 /* owned job_name */
    struct disc_group *statics; /* owned static_configs groups */
    size_t nstatics;            /* entries */
    struct fsd *fsds;           /* owned file_sd providers */
    size_t nfsds;               /* entries */
    uint64_t gen;               /* bumped when the job's groups change */
};

struct disc_manager {
    struct lm_log *log;         /* borrowed, may be NULL */
    pthread_mutex_t mu;         /* guards everything below */
    pthread_cond_t cond;        /* signalled when gen grows */
    struct job *jobs;           /* owned array */
    size_t njobs;               /* entries */
    uint64_t gen;               /* grows on any change */
    disc_notify_fn notify;      /* change callback, may be NULL */
    void *notify_ud;            /* its argument */
    int wake_fd;                /* eventfd: wakes the thread */
    int ino_fd;                 /* inotify instance (thread-owned), -1 when none */
    bool watches_dirty;         /* the thread must rebuild its watches */
    bool stop;                  /* the thread must exit */
    pthread_t thr;              /* the watcher thread */
};

static int64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
fsd_free(struct fsd *f)
{
    cfg_strv_free(f->patterns, f->npatterns);
    for (size_t i = 0; i < f->nfiles; i++) {
        lm_free(f->files[i].path);
        disc_groups_free(f->files[i].groups, f->files[i].ngroups);
    }
    lm_free(f->files);
    memset(f, 0, sizeof *f);
}

static void
job_free(struct job *j)
{
    lm_free(j->name);
    disc_groups_free(j->statics, j->nstatics);
    for (size_t i = 0; i < j->nfsds; i++)
        fsd_free(&j->fsds[i]);
    lm_free(j->fsds);
    memset(j, 0, sizeof *j);
}

/* fsd_refresh: glob and read the provider's files. A file that fails to read keeps its
 * last good groups (logged); a file no longer matched loses its groups. Returns true
 * when the groups changed; *oom on allocation failure (state then unchanged). */
static bool
fsd_refresh(struct disc_manager *m, const char *job, struct fsd *f, bool *oom)
{
    struct fsd_file *nf = NULL;
    size_t nn = 0, cap = 0;
    bool changed = false;
    for (size_t p = 0; p < f->npatterns; p++) {
        glob_t g;
        int grc = glob(f->patterns[p], 0, NULL, &g);
        if (grc == GLOB_NOSPACE) {
            *oom = true;
            goto fail;
        }
        for (size_t i = 0; grc == 0 && i < g.gl_pathc; i++) {
            const char *path = g.gl_pathv[i];
            bool dup = false;
            for (size_t k = 0; k < nn && !dup; k++)
                dup = !strcmp(nf[k].path, path);
            if (dup)
                continue;
            if (nn == cap) {
                size_t ncap = cap ? cap * 2 : 4;
                struct fsd_file *t = lm_realloc(nf, ncap * sizeof *t);
                if (!t) {
                    globfree(&g);
                    *oom = true;
                    goto fail;
                }
                nf = t;
                cap = ncap;
            }
            struct fsd_file *e = &nf[nn];
            memset(e, 0, sizeof *e);
            if (!(e->path = lm_strdup(path))) {
                globfree(&g);
                *oom = true;
                goto fail;
            }
            nn++;
            struct lm_err err = {0};
            if (disc_file_load(path, &e->groups, &e->ngroups, &err)) {
                char msg[LM_ERR_WHERE_MAX + LM_ERR_MSG_MAX + 4];
                lm_err_format(&err, msg, sizeof msg);
                lm_error(m->log, "Error reading file", "job", job, "path", path, "err", msg,
                         (const char *)NULL);
                /* keep the last good groups of this file */
                for (size_t k = 0; k < f->nfiles; k++) {
                    if (strcmp(f->files[k].path, path))
                        continue;
                    struct disc_group *cp = f->files[k].ngroups
                                                ? lm_calloc(f->files[k].ngroups, sizeof *cp)
                                                : NULL;
                    if (f->files[k].ngroups && !cp) {
                        globfree(&g);
                        *oom = true;
                        goto fail;
                    }
                    e->groups = cp;
                    for (size_t q = 0; q < f->files[k].ngroups; q++, e->ngroups++)
                        if (disc_group_copy_(&cp[q], &f->files[k].groups[q])) {
                            globfree(&g);
                            *oom = true;
                            goto fail;
                        }
                }
            }
        }
        globfree(&g);
    }
    if (nn != f->nfiles) {
        changed = true;
    } else {
        for (size_t k = 0; k < nn && !changed; k++)
            changed = strcmp(nf[k].path, f->files[k].path) ||
                      !disc_groups_eq_(nf[k].groups, nf[k].ngroups, f->files[k].groups,
                                       f->files[k].ngroups);
    }
    for (size_t k = 0; k < f->nfiles; k++) {
        lm_free(f->files[k].path);
        disc_groups_free(f->files[k].groups, f->files[k].ngroups);
    }
    lm_free(f->files);
    f->files = nf;
    f->nfiles = nn;
    return changed;
fail:
    for (size_t k = 0; k < nn; k++) {
        lm_free(nf[k].path);
        disc_groups_free(nf[k].groups, nf[k].ngroups);
    }
    lm_free(nf);
    return false;
}

/* job_new: build a job from a scrape config, reading its files now. */
static int
job_new(struct disc_manager *m, const struct cfg_scrape *s, struct job *j)
{
    memset(j, 0, sizeof *j);
    if (!(j->name = lm_strdup(s->job_name)) ||
        disc_static_groups(&s->sd, &j->statics, &j->nstatics))
        goto oom;
    if (s->sd.nfile_sds && !(j->fsds = lm_calloc(s->sd.nfile_sds, sizeof *j->fsds)))
        goto oom;
    int64_t now = now_ms();
    for (size_t i = 0; i < s->sd.nfile_sds; i++, j->nfsds++) {
        const struct cfg_file_sd *c = &s->sd.file_sds[i];
        struct fsd *f = &j->fsds[i];
        f->refresh_ms = c->refresh_ms > 0 ? c->refresh_ms : CFG_DEFAULT_FILE_SD_REFRESH_MS;
        f->next_ms = now + f->refresh_ms;
        if (!(f->patterns = lm_calloc(c->nfiles ? c->nfiles : 1, sizeof *f->patterns)))
            goto oom;
        for (size_t k = 0; k < c->nfiles; k++, f->npatterns++)
            if (!(f->patterns[k] = lm_strdup(c->files[k])))
                goto oom;
        bool oom = false;
        fsd_refresh(m, j->name, f, &oom);
        if (oom)
            goto oom;
    }
    return 0;
oom:
    job_free(j);
    return LM_ENOMEM;
}

static bool
strv_eq(char *const *a, size_t na, char *const *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i], b[i]))
            return false;
    return true;
}

/* job_same_sd: does job j already run exactly s's service discovery? */
static bool
job_same_sd(const struct job *j, const struct cfg_scrape *s)
{
    if (strcmp(j->name, s->job_name) || j->nfsds != s->sd.nfile_sds)
        return false;
    for (size_t i = 0; i < j->nfsds; i++) {
        const struct cfg_file_sd *c = &s->sd.file_sds[i];
        if (j->fsds[i].refresh_ms != c->refresh_ms ||
            !strv_eq(j->fsds[i].patterns, j->fsds[i].npatterns, c->files, c->nfiles))
            return false;
    }
    struct disc_group *g;
    size_t n;
    if (disc_static_groups(&s->sd, &g, &n))
        return false; /* rebuild: the new job will report the OOM */
    bool same = disc_groups_eq_(g, n, j->statics, j->nstatics);
    disc_groups_free(g, n);
    return same;
}

static void
wake(struct disc_manager *m)
{
    uint64_t one = 1;
    ssize_t r = write(m->wake_fd, &one, sizeof one);
    (void)r;
}

int
disc_manager_apply(struct disc_manager *m, const struct cfg *c, struct lm_err *err)
{
    size_t n = c->nscrapes;
    struct job *nj = n ? lm_calloc(n, sizeof *nj) : NULL;
    size_t *from = n ? lm_calloc(n, sizeof *from) : NULL; /* old index + 1, or 0: new */
    if (n && (!nj || !from)) {
        lm_free(nj);
        lm_free(from);
        return lm_err_set(err, LM_ENOMEM, "discovery", "out of memory");
    }
    pthread_mutex_lock(&m->mu);
    bool changed = n != m->njobs;
    size_t built = 0;
    for (; built < n; built++) {
        const struct cfg_scrape *s = &c->scrapes[built];
        for (size_t o = 0; o < m->njobs && !from[built]; o++)
            if (job_same_sd(&m->jobs[o], s))
                from[built] = o + 1;
        if (from[built])
            continue;
        changed = true;
        if (job_new(m, s, &nj[built]))
            break;
        /* continue the generation of a job that existed under this name */
        for (size_t o = 0; o < m->njobs; o++)
            if (!strcmp(m->jobs[o].name, s->job_name))
                nj[built].gen = m->jobs[o].gen;
        nj[built].gen++;
    }
    if (built < n) {
        for (size_t i = 0; i < built; i++)
            if (!from[i])
                job_free(&nj[i]);
        pthread_mutex_unlock(&m->mu);
        lm_free(nj);
        lm_free(from);
        return lm_err_set(err, LM_ENOMEM, "discovery", "out of memory");
    }
    /* commit: move kept jobs, free the others */
    for (size_t i = 0; i < n; i++)
        if (from[i]) {
            nj[i] = m->jobs[from[i] - 1];
            memset(&m->jobs[from[i] - 1], 0, sizeof nj[i]);
            if (from[i] - 1 != i)
                changed = true;
        }
    for (size_t o = 0; o < m->njobs; o++)
        if (m->jobs[o].name)
            changed = true, job_free(&m->jobs[o]);
    lm_free(m->jobs);
    m->jobs = nj;
    m->njobs = n;
    m->watches_dirty = true;
    disc_notify_fn fn = NULL;
    void *ud = NULL;
    if (changed) {
        m->gen++;
        pthread_cond_broadcast(&m->cond);
        fn = m->notify;
        ud = m->notify_ud;
    }
    pthread_mutex_unlock(&m->mu);
    lm_free(from);
    wake(m);
    if (fn)
        fn(ud);
    return 0;
}

int
disc_manager_groups(struct disc_manager *m, const char *job, struct disc_group **out,
                    size_t *n, uint64_t *gen)
{
    *out = NULL;
    *n = 0;
    int rc = LM_ENOENT;
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->njobs; i++) {
        const struct job *j = &m->jobs[i];
        if (strcmp(j->name, job))
            continue;
        size_t total = j->nstatics;
        for (size_t f = 0; f < j->nfsds; f++)
            for (size_t k = 0; k < j->fsds[f].nfiles; k++)
                total += j->fsds[f].files[k].ngroups;
        if (gen)
            *gen = j->gen;
        rc = 0;
        if (!total)
            break;
        struct disc_group *g = lm_calloc(total, sizeof *g);
        size_t cnt = 0;
        for (size_t k = 0; g && k < j->nstatics && !rc; k++)
            if (!(rc = disc_group_copy_(&g[cnt], &j->statics[k])))
                cnt++;
        for (size_t f = 0; g && f < j->nfsds && !rc; f++)
            for (size_t k = 0; k < j->fsds[f].nfiles && !rc; k++)
                for (size_t q = 0; q < j->fsds[f].files[k].ngroups && !rc; q++)
                    if (!(rc = disc_group_copy_(&g[cnt], &j->fsds[f].files[k].groups[q])))
                        cnt++;
        if (!g || rc) {
            disc_groups_free(g, cnt);
            rc = LM_ENOMEM;
        } else {
            *out = g;
            *n = cnt;
        }
        break;
    }
    pthread_mutex_unlock(&m->mu);
    return rc;
}

uint64_t
disc_manager_generation(struct disc_manager *m)
{
    pthread_mutex_lock(&m->mu);
    uint64_t g = m->gen;
    pthread_mutex_unlock(&m->mu);
    return g;
}

uint64_t
disc_manager_wait(struct disc_manager *m, uint64_t seen, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    if (timeout_ms > 0) {
        until.tv_sec += timeout_ms / 1000;
        until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
    }
    pthread_mutex_lock(&m->mu);
    while (m->gen <= seen && timeout_ms != 0) {
        int rc = timeout_ms < 0 ? pthread_cond_wait(&m->cond, &m->mu)
                                : pthread_cond_timedwait(&m->cond, &m->mu, &until);
        if (rc == ETIMEDOUT)
            break;
    }
    uint64_t g = m->gen;
    pthread_mutex_unlock(&m->mu);
    return g;
}

void
disc_manager_set_notify(struct disc_manager *m, disc_notify_fn fn, void *ud)
{
    pthread_mutex_lock(&m->mu);
    m->notify = fn;
    m->notify_ud = ud;
    pthread_mutex_unlock(&m->mu);
}

/* rebuild_watches: a fresh inotify instance watching the directory of every pattern. */
static void
rebuild_watches(struct disc_manager *m)
{
    if (m->ino_fd >= 0)
        close(m->ino_fd);
    m->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (m->ino_fd < 0) {
        lm_warn(m->log, "Cannot watch target files, relying on refresh_interval", "err",
                strerror(errno), (const char *)NULL);
        return;
    }
    for (size_t i = 0; i < m->njobs; i++)
        for (size_t f = 0; f < m->jobs[i].nfsds; f++)
            for (size_t p = 0; p < m->jobs[i].fsds[f].npatterns; p++) {
                const char *pat = m->jobs[i].fsds[f].patterns[p];
                const char *slash = strrchr(pat, '/');
                char *dir = slash ? lm_strndup(pat, slash == pat ? 1 : (size_t)(slash - pat))
                                  : lm_strdup(".");
                if (!dir)
                    continue;
                if (inotify_add_watch(m->ino_fd, dir,
                                      IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE |
                                          IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF |
                                          IN_MOVE_SELF) < 0)
                    lm_warn(m->log, "Cannot watch directory", "path", dir, "err",
                            strerror(errno), (const char *)NULL);
                lm_free(dir);
            }
}

static void
drain(int fd)
{
    char buf[4096];
    while (read(fd, buf, sizeof buf) > 0)
        ;
}

static void *
watcher(void *arg)
{
    struct disc_manager *m = arg;
    pthread_mutex_lock(&m->mu);
    bool rewatched = false;
    while (!m->stop) {
        if (m->watches_dirty) {
            rebuild_watches(m);
            m->watches_dirty = false;
            /* files written between apply's read and the new watches: re-read now */
            rewatched = true;
        }
        int64_t now = now_ms(), timeout = 60000;
        for (size_t i = 0; i < m->njobs; i++)
            for (size_t f = 0; f < m->jobs[i].nfsds; f++) {
                int64_t d = m->jobs[i].fsds[f].next_ms - now;
                if (d < timeout)
                    timeout = d < 0 ? 0 : d;
            }
        struct pollfd pf[2] = {{.fd = m->wake_fd, .events = POLLIN},
                               {.fd = m->ino_fd, .events = POLLIN}};
        pthread_mutex_unlock(&m->mu);
        int pr = poll(pf, m->ino_fd >= 0 ? 2 : 1, rewatched ? 0 : (int)timeout);
        pthread_mutex_lock(&m->mu);
        if (m->stop)
            break;
        bool all = rewatched;
        rewatched = false;
        if (pr > 0 && (pf[0].revents & POLLIN))
            drain(m->wake_fd);
        if (pr > 0 && m->ino_fd >= 0 && (pf[1].revents & POLLIN)) {
            drain(m->ino_fd);
            all = true;
        }
        now = now_ms();
        bool changed = false;
        for (size_t i = 0; i < m->njobs; i++) {
            struct job *j = &m->jobs[i];
            bool jc = false;
            for (size_t f = 0; f < j->nfsds; f++) {
                if (!all && now < j->fsds[f].next_ms)
                    continue;
                bool oom = false;
                jc |= fsd_refresh(m, j->name, &j->fsds[f], &oom);
                j->fsds[f].next_ms = now + j->fsds[f].refresh_ms;
            }
            if (jc) {
                j->gen++;
                changed = true;
            }
        }
        if (changed) {
            m->gen++;
            pthread_cond_broadcast(&m->cond);
            disc_notify_fn fn = m->notify;
            void *ud = m->notify_ud;
            if (fn) {
                pthread_mutex_unlock(&m->mu);
                fn(ud);
                pthread_mutex_lock(&m->mu);
            }
        }
    }
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

struct disc_manager *
disc_manager_new(struct lm_log *log)
{
    struct disc_manager *m = lm_calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->log = log;
    m->ino_fd = -1;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->cond, &ca);
    pthread_condattr_destroy(&ca);
    m->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m->wake_fd < 0)
        goto fail;
    if (pthread_create(&m->thr, NULL, watcher, m)) {
        close(m->wake_fd);
        goto fail;
    }
    return m;
fail:
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->cond);
    lm_free(m);
    return NULL;
}

void
disc_manager_free(struct disc_manager *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->mu);
    m->stop = true;
    pthread_mutex_unlock(&m->mu);
    wake(m);
    pthread_join(m->thr, NULL);
    for (size_t i = 0; i < m->njobs; i++)
        job_free(&m->jobs[i]);
    lm_free(m->jobs);
    if (m->ino_fd >= 0)
        close(m->ino_fd);
    close(m->wake_fd);
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->cond);
    lm_free(m);
}

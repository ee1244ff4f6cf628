/* SPDX-License-Identifier: Apache-2.0 */
/* snapshot.c: tsdb_snapshot (the admin snapshot API): hard links of the persisted
 * blocks plus, optionally, the head written as one block, into a new directory. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flint/tsdb/tsdb_int.h"
#include "lm/alloc.h"

/* is_block_name: 26 Crockford base32 characters (a ULID), as block dirs are named. */
static bool is_block_name(const char *s)
{
    size_t n = strlen(s);
    if (n != TSDB_BLOCK_ULID_LEN)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z')))
            return false;
    return true;
}

/* join: out = a/b; false when it does not fit. */
static bool join(char *out, size_t n, const char *a, const char *b)
{
    int k = snprintf(out, n, "%s/%s", a, b);
    return k >= 0 && (size_t)k < n;
}

/* link_block: mkdir dst and hard-link every regular file of src into it. */
static int link_block(const char *src, const char *dst, struct lm_err *err)
{
    if (mkdir(dst, 0755) != 0)
        return lm_err_set(err, LM_EIO, dst, "cannot create: %s", strerror(errno));
    DIR *d = opendir(src);
    if (!d)
        return lm_err_set(err, LM_EIO, src, "cannot read: %s", strerror(errno));
    int rc = 0;
    struct dirent *e;
    char a[4096], b[4096];
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (!join(a, sizeof a, src, e->d_name) || !join(b, sizeof b, dst, e->d_name)) {
            rc = lm_err_set(err, LM_EINVAL, dst, "path too long");
            break;
        }
        struct stat st;
        if (stat(a, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (link(a, b) != 0)
            rc = lm_err_set(err, LM_EIO, b, "cannot link: %s", strerror(errno));
    }
    closedir(d);
    return rc;
}

int tsdb_snapshot(struct tsdb *db, const char *dir, bool with_head, struct lm_err *err)
{
    if (mkdir(dir, 0755) != 0)
        return lm_err_set(err, LM_EIO, dir, "cannot create snapshot dir: %s", strerror(errno));
    /* Blocks: link what is in the data dir now. (A compaction racing with this may
     * remove a block between readdir and link: the snapshot then fails with the
     * block's path, and the caller may retry.) */
    DIR *d = opendir(db->dir);
    if (!d)
        return lm_err_set(err, LM_EIO, db->dir, "cannot read: %s", strerror(errno));
    int rc = 0;
    struct dirent *e;
    char src[4096], dst[4096];
    while (!rc && (e = readdir(d))) {
        if (!is_block_name(e->d_name))
            continue;
        if (!join(src, sizeof src, db->dir, e->d_name) || !join(dst, sizeof dst, dir, e->d_name))
            rc = lm_err_set(err, LM_EINVAL, dir, "path too long");
        else
            rc = link_block(src, dst, err);
    }
    closedir(d);
    if (rc || !with_head)
        return rc;
    struct tsdb_head *h = db->head;
    int64_t mint = atomic_load(&h->mint), maxt = atomic_load(&h->maxt);
    if (mint == INT64_MAX || maxt == INT64_MIN)
        return 0;   /* empty head */
    struct tsdb_blocks *bs = tsdb_blocks_open(dir, NULL, err);
    if (!bs)
        return err->code ? err->code : LM_EIO;
    char ulid[TSDB_BLOCK_ULID_LEN + 1] = "";
    rc = tsdb_head_write_block(db, bs, mint, maxt + 1, ulid, err);
    tsdb_blocks_close(bs);
    return rc == LM_ENODATA ? 0 : rc;
}

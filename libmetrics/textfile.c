/* SPDX-License-Identifier: Apache-2.0 */
/* textfile.c: atomic textfile writer (lm/textfile.h): temp file in the same directory,
 * fsync, rename, fsync of the directory. Owns no state. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "lm/expo.h"
#include "lm/limits.h"
#include "lm/textfile.h"

/* fsync_dir: fsync the directory holding path. */
static int
fsync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? lm_strndup(path, slash == path ? 1 : (size_t)(slash - path))
                      : lm_strdup(".");
    if (!dir)
        return LM_ENOMEM;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    lm_free(dir);
    if (fd < 0)
        return LM_EIO;
    int rc = fsync(fd) == 0 || errno == EINVAL ? 0 : LM_EIO;
    close(fd);
    return rc;
}

int
lm_textfile_write_data(const char *path, const char *data, size_t len, struct lm_err *err)
{
    if (!path || !*path)
        return lm_err_set(err, LM_EINVAL, NULL, "no path");
    size_t tl = strlen(path) + 32;
    char *tmp = lm_malloc(tl);
    if (!tmp)
        return lm_err_set(err, LM_ENOMEM, path, "out of memory");
    snprintf(tmp, tl, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = 0;
    if (fd < 0) {
        rc = lm_err_set(err, LM_EIO, tmp, "open: %s", strerror(errno));
        goto out;
    }
    for (size_t off = 0; off < len;) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = lm_err_set(err, LM_EIO, tmp, "write: %s", strerror(errno));
            break;
        }
        off += (size_t)n;
    }
    if (!rc && fsync(fd) != 0)
        rc = lm_err_set(err, LM_EIO, tmp, "fsync: %s", strerror(errno));
    if (close(fd) != 0 && !rc)
        rc = lm_err_set(err, LM_EIO, tmp, "close: %s", strerror(errno));
    if (!rc && rename(tmp, path) != 0)
        rc = lm_err_set(err, LM_EIO, path, "rename: %s", strerror(errno));
    if (rc)
        unlink(tmp);
    else if (fsync_dir(path))
        rc = lm_err_set(err, LM_EIO, path, "fsync of the directory failed");
out:
    lm_free(tmp);
    return rc;
}

int
lm_textfile_write(struct lm_registry *r, const char *path, struct lm_err *err)
{
    struct lm_buf b;
    lm_buf_init(&b, LM_LIMIT_EXPO_BYTES);
    struct lm_err cerr;
    lm_err_clear(&cerr);
    int rc = lm_expo_write(r, LM_FORMAT_TEXT, &b, &cerr);
    if (rc)
        rc = lm_err_set(err, rc, path, "cannot render metrics: %s", lm_strerror(rc));
    else
        rc = lm_textfile_write_data(path, b.data ? b.data : "", b.len, err);
    if (!rc && cerr.code && err)
        *err = cerr;
    lm_buf_cleanup(&b);
    return rc;
}

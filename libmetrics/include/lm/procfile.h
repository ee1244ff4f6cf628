/* SPDX-License-Identifier: Apache-2.0 */
/* procfile.h: read small kernel files (/proc, /sys) with one read() into a reusable
 * buffer and split them into lines and words, with bounds-checked accessors that give ""
 * out of range (netdata's procfile). Also one-value helpers for sysfs attribute files.
 * Not thread-safe per object; one per collector state. The readers can share a
 * process-wide cache of open descriptors (lm_procfile_cache), which is thread-safe. */
#ifndef LM_PROCFILE_H
#define LM_PROCFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lm/err.h"

struct lm_procfile;

/* lm_procfile_new: an empty reader. seps: word separators (NULL means " \t"); newlines
 * always end lines. NULL on OOM. lm_procfile_free accepts NULL. */
struct lm_procfile *lm_procfile_new(const char *seps);
void lm_procfile_free(struct lm_procfile *pf);

/* lm_procfile_read: (re)read path and split it. Returns 0, LM_ENOENT (file missing),
 * LM_EIO or LM_ETOOBIG, with err naming the path. Earlier views become invalid. */
int lm_procfile_read(struct lm_procfile *pf, const char *path, struct lm_err *err);

/* Accessors, valid until the next read. Out-of-range indexes give 0 / "". */
size_t lm_procfile_lines(const struct lm_procfile *pf);
size_t lm_procfile_words(const struct lm_procfile *pf, size_t line);
const char *lm_procfile_word(const struct lm_procfile *pf, size_t line, size_t word);
/* the whole line, without its newline */
const char *lm_procfile_line(const struct lm_procfile *pf, size_t line);
/* the file's raw contents, NUL-terminated, and its length */
const char *lm_procfile_data(const struct lm_procfile *pf, size_t *len);

/* Number parsing without sscanf: whole string must be a number (trailing "\n" allowed).
 * 0 on success, LM_EPARSE otherwise. */
int lm_parse_u64(const char *s, uint64_t *out);
int lm_parse_i64(const char *s, int64_t *out);
int lm_parse_double(const char *s, double *out);

/* One-value files (sysfs attributes): read path, trim the trailing newline, parse.
 * Return 0, LM_ENOENT, LM_EIO or LM_EPARSE. lm_read_str copies at most n-1 bytes. */
int lm_read_u64(const char *path, uint64_t *out);
int lm_read_double(const char *path, double *out);
int lm_read_str(const char *path, char *out, size_t n);

/* lm_procfile_cache: keep up to max files open between reads and re-read them with
 * pread at offset 0 (sysfs and procfs regenerate a file on such a read): used by
 * lm_procfile_read and lm_read_*. Only files on sysfs and procfs are kept, unless all_fs,
 * which also keeps ordinary files and checks before each read that they were not
 * unlinked or replaced (for tests; a renamed directory is not noticed there). A kept
 * descriptor whose read fails with ENODEV/ENOENT/ESTALE is reopened. max 0 turns the
 * cache off (the default) and closes everything. 0 or LM_ENOMEM (cache off then). */
int lm_procfile_cache(size_t max, bool all_fs);

/* lm_procfile_dirent: a directory walk saw entry name in dir with inode ino (readdir's
 * d_ino). When that differs from the last walk (a device renamed and another took its
 * name), the kept descriptors for "dir/name" and everything under it are closed. */
void lm_procfile_dirent(const char *dir, const char *name, uint64_t ino);

/* lm_procfile_cache_count: descriptors kept now. */
size_t lm_procfile_cache_count(void);

#endif

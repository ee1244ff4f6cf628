/* SPDX-License-Identifier: Apache-2.0 */
/* filesystem.h: the filesystem collector's test seam. statfs(2) is called through a
 * function pointer held in the collector's state, so unit tests can substitute one that
 * returns canned values or sleeps (a hung NFS mount) without root, NFS or FUSE. */
#ifndef NE_COLLECTOR_FILESYSTEM_H
#define NE_COLLECTOR_FILESYSTEM_H

#include <sys/vfs.h>

/* The statfs signature used by the collector; returns 0 or -1 with errno set. Called from
 * worker threads, so it must be thread-safe. */
typedef int (*ne_statfs_fn)(const char *path, struct statfs *buf);

/* ne_filesystem_set_statfs: replace the statfs call of an initialised filesystem collector
 * state (from its init); NULL restores statfs(2). Call between scrapes only. */
void ne_filesystem_set_statfs(void *state, ne_statfs_fn fn);

#endif

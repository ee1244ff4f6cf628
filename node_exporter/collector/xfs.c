/* SPDX-License-Identifier: Apache-2.0 */
/* xfs.c: the xfs collector: per mounted XFS filesystem, the counters of
 * <sysfs>/fs/xfs/<device>/stats/stats (extent_alloc, abt, blk_map, bmbt, dir, ig, rw,
 * vnodes lines), labelled by device. Other lines are ignored; a used line with the wrong
 * number of values or a non-number fails the scrape. No XFS module: no samples. */
#include <stdio.h>
#include <string.h>
#include "lm/procfile.h"
#include "node_exporter/ne.h"
#include "node_exporter/procutil.h"
#include "node_exporter/sysfs.h"

/* One exported counter: value number `idx` of the line `line` (which has `n` values). */
static const struct {
    const char *line;     /* first word of the stats line */
    unsigned n;           /* values that line must have */
    unsigned idx;         /* which value */
    const char *name;     /* after node_xfs_ */
    const char *help;     /* HELP text */
} ctrs[] = {
    {"extent_alloc", 4, 0, "extent_allocation_extents_allocated_total", "Number of extents allocated for a filesystem."},
    {"extent_alloc", 4, 1, "extent_allocation_blocks_allocated_total", "Number of blocks allocated for a filesystem."},
    {"extent_alloc", 4, 2, "extent_allocation_extents_freed_total", "Number of extents freed for a filesystem."},
    {"extent_alloc", 4, 3, "extent_allocation_blocks_freed_total", "Number of blocks freed for a filesystem."},
    {"abt", 4, 0, "allocation_btree_lookups_total", "Number of allocation B-tree lookups for a filesystem."},
    {"abt", 4, 1, "allocation_btree_compares_total", "Number of allocation B-tree compares for a filesystem."},
    {"abt", 4, 2, "allocation_btree_records_inserted_total", "Number of allocation B-tree records inserted for a filesystem."},
    {"abt", 4, 3, "allocation_btree_records_deleted_total", "Number of allocation B-tree records deleted for a filesystem."},
    {"blk_map", 7, 0, "block_mapping_reads_total", "Number of block map for read operations for a filesystem."},
    {"blk_map", 7, 1, "block_mapping_writes_total", "Number of block map for write operations for a filesystem."},
    {"blk_map", 7, 2, "block_mapping_unmaps_total", "Number of block unmaps (deletes) for a filesystem."},
    {"blk_map", 7, 3, "block_mapping_extent_list_insertions_total", "Number of extent list insertions for a filesystem."},
    {"blk_map", 7, 4, "block_mapping_extent_list_deletions_total", "Number of extent list deletions for a filesystem."},
    {"blk_map", 7, 5, "block_mapping_extent_list_lookups_total", "Number of extent list lookups for a filesystem."},
    {"blk_map", 7, 6, "block_mapping_extent_list_compares_total", "Number of extent list compares for a filesystem."},
    {"bmbt", 4, 0, "block_map_btree_lookups_total", "Number of block map B-tree lookups for a filesystem."},
    {"bmbt", 4, 1, "block_map_btree_compares_total", "Number of block map B-tree compares for a filesystem."},
    {"bmbt", 4, 2, "block_map_btree_records_inserted_total", "Number of block map B-tree records inserted for a filesystem."},
    {"bmbt", 4, 3, "block_map_btree_records_deleted_total", "Number of block map B-tree records deleted for a filesystem."},
    {"dir", 4, 0, "directory_operation_lookup_total", "Number of file name directory lookups which miss the operating systems directory name lookup cache."},
    {"dir", 4, 1, "directory_operation_create_total", "Number of times a new directory entry was created for a filesystem."},
    {"dir", 4, 2, "directory_operation_remove_total", "Number of times an existing directory entry was created for a filesystem."},
    {"dir", 4, 3, "directory_operation_getdents_total", "Number of times the directory getdents operation was performed for a filesystem."},
    {"ig", 7, 0, "inode_operation_attempts_total", "Number of times the OS looked for an XFS inode in the inode cache."},
    {"ig", 7, 1, "inode_operation_found_total", "Number of times the OS looked for and found an XFS inode in the inode cache."},
    {"ig", 7, 2, "inode_operation_recycled_total", "Number of times the OS found an XFS inode in the cache, but could not use it as it was being recycled."},
    {"ig", 7, 3, "inode_operation_missed_total", "Number of times the OS looked for an XFS inode in the cache, but did not find it."},
    {"ig", 7, 4, "inode_operation_duplicates_total", "Number of times the OS tried to add a missing XFS inode to the inode cache, but found it had already been added by another process."},
    {"ig", 7, 5, "inode_operation_reclaims_total", "Number of times the OS reclaimed an XFS inode from the inode cache to free memory for another purpose."},
    {"ig", 7, 6, "inode_operation_attribute_changes_total", "Number of times the OS explicitly changed the attributes of an XFS inode."},
    {"rw", 2, 1, "read_calls_total", "Number of read(2) system calls made to files in a filesystem."},
    {"rw", 2, 0, "write_calls_total", "Number of write(2) system calls made to files in a filesystem."},
    {"vnodes", 8, 0, "vnode_active_total", "Number of vnodes not on free lists for a filesystem."},
    {"vnodes", 8, 1, "vnode_allocate_total", "Number of times vn_alloc called for a filesystem."},
    {"vnodes", 8, 2, "vnode_get_total", "Number of times vn_get called for a filesystem."},
    {"vnodes", 8, 3, "vnode_hold_total", "Number of times vn_hold called for a filesystem."},
    {"vnodes", 8, 4, "vnode_release_total", "Number of times vn_rele called for a filesystem."},
    {"vnodes", 8, 5, "vnode_reclaim_total", "Number of times vn_reclaim called for a filesystem."},
    {"vnodes", 8, 6, "vnode_remove_total", "Number of times vn_remove called for a filesystem."},
};
#define NCTRS (sizeof ctrs / sizeof ctrs[0])

struct xfs_walk {
    struct lm_procfile *pf;    /* reused for every stats file */
    struct lm_emit *e;         /* output */
    struct lm_err *err;        /* collect's error */
};

/* device: parse <dir>/<name>/stats/stats; all values default to 0 when a line is absent. */
static int
device(void *arg, const char *dir, const char *name)
{
    struct xfs_walk *w = arg;
    char path[4096];
    double v[NCTRS] = {0};
    snprintf(path, sizeof path, "%s/%s/stats/stats", dir, name);
    int rc = lm_procfile_read(w->pf, path, w->err);
    if (rc == LM_ENOENT) {
        lm_err_clear(w->err);
        return 0;  /* "stats" (the global directory) or a non-XFS entry */
    }
    if (rc)
        return rc;
    for (size_t l = 0; l < lm_procfile_lines(w->pf); l++) {
        const char *key = lm_procfile_word(w->pf, l, 0);
        size_t nw = lm_procfile_words(w->pf, l);
        for (size_t i = 0; i < NCTRS; i++) {
            if (strcmp(key, ctrs[i].line))
                continue;
            if (nw - 1 != ctrs[i].n)
                return lm_err_set(w->err, LM_EPARSE, path,
                                  "line %zu: incorrect number of values for XFS %s: %zu", l + 1,
                                  key, nw - 1);
            if ((rc = ne_num(lm_procfile_word(w->pf, l, 1 + ctrs[i].idx), path, l + 1, &v[i],
                             w->err)))
                return rc;
        }
    }
    for (size_t i = 0; i < NCTRS; i++) {
        char m[96];
        snprintf(m, sizeof m, "node_xfs_%s", ctrs[i].name);
        lm_emit_family(w->e, m, ctrs[i].help, LM_TYPE_COUNTER);
        lm_emit_samplev(w->e, v[i], "device", name, NULL);
    }
    return 0;
}

static int
xfs_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    char dir[4096];
    struct xfs_walk w = {state, e, err};
    int rc = ne_dir_each(ne_path(ctx, NE_SYSFS, "fs/xfs", dir, sizeof dir), NULL, device, &w);
    if (rc == LM_ENOENT && !err->code)
        return 0;  /* no XFS module loaded: nothing to report, as upstream's empty glob */
    if (rc && !err->code)
        return lm_err_set(err, rc, dir, "failed to retrieve XFS stats: %s", lm_strerror(rc));
    return rc;
}

const struct lm_collector_desc ne_xfs_collector = {
    .name = "xfs",
    .enabled_by_default = true,
    .init = ne_pf_init,
    .collect = xfs_collect,
    .fini = ne_pf_fini,
};

/* SPDX-License-Identifier: Apache-2.0 */
/* retention.c: deletes whole blocks, oldest first, by age (max time older than a
 * reference time minus the retention) and then by total size, as Prometheus's
 * retention.time / retention.size. Views holding a deleted block keep reading it. */
#include "flint/tsdb/block_int.h"
#include "lm/log.h"

unsigned
tsdb_blocks_retention_at(struct tsdb_blocks *bs, int64_t now_ms, int64_t retention_ms,
                         uint64_t retention_bytes, uint64_t extra_bytes)
{
    unsigned deleted = 0;
    for (;;) {
        struct tsdb_block *victim = NULL;
        const char *why = NULL;
        pthread_mutex_lock(&bs->mu);
        uint64_t total = extra_bytes;
        for (size_t i = 0; i < bs->n; i++)
            total += bs->v[i]->bytes;
        if (bs->n > 0) {
            struct tsdb_block *old = bs->v[0]; /* sorted by mint */
            if (retention_ms > 0 && old->maxt <= now_ms - retention_ms)
                why = "time";
            else if (retention_bytes > 0 && total > retention_bytes)
                why = "size";
            if (why) {
                victim = old;
                tsdb_block_ref(victim);
            }
        }
        pthread_mutex_unlock(&bs->mu);
        if (!victim)
            return deleted;
        lm_info(bs->log, "deleting block past retention", "block", victim->ulid, "limit", why,
                NULL);
        tsdb_blocks_remove(bs, victim);
        tsdb_block_unref(victim);
        deleted++;
    }
}

unsigned
tsdb_blocks_retention(struct tsdb_blocks *bs, int64_t retention_ms, uint64_t retention_bytes,
                      uint64_t extra_bytes)
{
    int64_t newest = INT64_MIN;
    pthread_mutex_lock(&bs->mu);
    for (size_t i = 0; i < bs->n; i++)
        if (bs->v[i]->maxt > newest)
            newest = bs->v[i]->maxt;
    pthread_mutex_unlock(&bs->mu);
    if (newest == INT64_MIN)
        return 0;
    return tsdb_blocks_retention_at(bs, newest, retention_ms, retention_bytes, extra_bytes);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* zeo_status.c: fuzz target for the ZEO reply parser (zeo_reply_parse: announcement
 * frame, reply frame, ruok JSON mapping, TID and ctime decoding) and, on the same bytes,
 * the ZEO 4 monitor-report parser. The input copy is exactly sized so ASan sees
 * overreads; every parsed field is touched. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lm/alloc.h"
#include "zeo_exporter/zeo_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static double
touch(const struct zeo_status *st)
{
    double sum = (double)strlen(st->protocol);
    for (size_t i = 0; i < st->n; i++) {
        const struct zeo_storage *s = &st->storages[i];
        sum += (double)strlen(s->name) + s->connections + s->waiting + s->active_txns +
               s->commits + s->aborts + s->loads + s->stores + s->conflicts +
               s->conflicts_resolved + s->verifying + s->lock_time + s->lock_held_for +
               s->start + s->last_txn + (double)s->timeout_thread + (double)s->seen;
    }
    return sum;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    if (size)
        memcpy(copy, data, size);
    volatile double sum = 0;
    struct zeo_status st;
    struct lm_err err;
    zeo_status_init(&st);
    lm_err_clear(&err);
    if (zeo_reply_parse(copy, size, &st, &err) == 0)
        sum += touch(&st);
    zeo_status_cleanup(&st);
    zeo_status_init(&st);
    if (zeo_monitor_parse((const char *)copy, size, &st, &err) == 0)
        sum += touch(&st);
    zeo_status_cleanup(&st);
    (void)sum;
    free(copy);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* tsdb_stats.c: status numbers: tsdb_stats (the head cardinality tops of
 * /api/v1/status/tsdb, as Prometheus's index.Postings.Stats) and flint's own
 * prometheus_tsdb_* metrics, emitted by a registry collector on every scrape. */
#include <stdio.h>
#include <string.h>

#include "flint/tsdb/tsdb_int.h"
#include "lm/alloc.h"
#include "lm/registry.h"

struct top {
    struct tsdb_stat_entry *e;   /* TSDB_STATS_TOP slots (the stats struct's) */
    size_t *n;                   /* used */
    int err;                     /* sticky LM_ENOMEM */
};

/* top_push: offer (name, value); name is built from a and b ("a" or "a=b"). */
static void
top_push(struct top *t, const char *a, const char *b, uint64_t value)
{
    size_t n = *t->n;
    if (n == TSDB_STATS_TOP && t->e[n - 1].value >= value)
        return;
    size_t la = strlen(a), lb = b ? strlen(b) : 0;
    char *name = lm_malloc(la + lb + 2);
    if (!name) {
        t->err = LM_ENOMEM;
        return;
    }
    memcpy(name, a, la);
    if (b) {
        name[la] = '=';
        memcpy(name + la + 1, b, lb);
        name[la + 1 + lb] = '\0';
    } else {
        name[la] = '\0';
    }
    size_t i = n < TSDB_STATS_TOP ? n : TSDB_STATS_TOP - 1;
    if (n == TSDB_STATS_TOP)
        lm_free(t->e[i].name);
    else
        (*t->n)++;
    while (i > 0 && t->e[i - 1].value < value) {
        t->e[i] = t->e[i - 1];
        i--;
    }
    t->e[i].name = name;
    t->e[i].value = value;
}

int
tsdb_stats(struct tsdb *db, struct tsdb_stats *st)
{
    memset(st, 0, sizeof(*st));
    struct tsdb_head *h = db->head;
    struct top by_metric = {st->series_by_metric, &st->n_series_by_metric, 0};
    struct top vcount = {st->label_value_counts, &st->n_label_value_counts, 0};
    struct top mem = {st->memory_by_label, &st->n_memory_by_label, 0};
    struct top pairs = {st->series_by_label_pair, &st->n_series_by_label_pair, 0};
    pthread_rwlock_rdlock(&h->lock);
    st->head_series = h->nseries;
    uint32_t metric = tsdb_sym_find(h->syms, LBL_METRIC_NAME, strlen(LBL_METRIC_NAME));
    size_t nn;
    const uint32_t *names = tsdb_postings_names(h->post, &nn);
    for (size_t i = 0; i < nn; i++) {
        size_t nv;
        const uint32_t *vals = tsdb_postings_values(h->post, names[i], &nv);
        if (!nv)
            continue;
        const char *name = tsdb_sym_str(h->syms, names[i]);
        uint64_t bytes = 0;
        for (size_t j = 0; j < nv; j++) {
            const struct tsdb_plist *l = tsdb_postings_get(h->post, names[i], vals[j]);
            uint64_t cnt = l ? l->n : 0;
            const char *val = tsdb_sym_str(h->syms, vals[j]);
            if (names[i] == metric)
                top_push(&by_metric, val, NULL, cnt);
            top_push(&pairs, name, val, cnt);
            bytes += tsdb_sym_len(h->syms, vals[j]);
        }
        top_push(&mem, name, NULL, bytes);
        top_push(&vcount, name, NULL, nv);
    }
    pthread_rwlock_unlock(&h->lock);
    st->head_samples = atomic_load(&h->nsamples);
    st->head_chunks = atomic_load(&h->nchunks);
    st->head_min_time = atomic_load(&h->mint);
    st->head_max_time = atomic_load(&h->maxt);
    struct tsdb_blocks_stats bst;
    tsdb_blocks_stats(db->blocks, &bst);
    st->blocks = bst.blocks;
    st->block_bytes = bst.bytes;
    st->wal_bytes = tsdb_wal_bytes(db->wal);
    st->min_time = bst.min_time < st->head_min_time ? bst.min_time : st->head_min_time;
    if (by_metric.err || vcount.err || mem.err || pairs.err) {
        tsdb_stats_free(st);
        return LM_ENOMEM;
    }
    return 0;
}

void
tsdb_stats_free(struct tsdb_stats *st)
{
    struct tsdb_stat_entry *lists[4] = {st->series_by_metric, st->label_value_counts,
                                        st->memory_by_label, st->series_by_label_pair};
    for (size_t l = 0; l < 4; l++)
        for (size_t i = 0; i < TSDB_STATS_TOP; i++) {
            lm_free(lists[l][i].name);
            lists[l][i].name = NULL;
        }
    st->n_series_by_metric = st->n_label_value_counts = 0;
    st->n_memory_by_label = st->n_series_by_label_pair = 0;
}

/* ---- prometheus_tsdb_* metrics ------------------------------------------------ */

static int
emit(struct lm_emit *e, const char *name, const char *help, enum lm_type type, double v)
{
    return lm_emit_one(e, name, help, type, v);
}

static int
collect(void *state, struct lm_emit *e, struct lm_err *err)
{
    struct tsdb *db = state;
    struct tsdb_head *h = db->head;
    struct tsdb_blocks_stats bst;
    tsdb_blocks_stats(db->blocks, &bst);
    int64_t hmin = atomic_load(&h->mint), hmax = atomic_load(&h->maxt);
    const enum lm_type G = LM_TYPE_GAUGE, C = LM_TYPE_COUNTER;
    pthread_rwlock_rdlock(&h->lock);
    uint32_t nseries = h->nseries;
    pthread_rwlock_unlock(&h->lock);
    emit(e, "prometheus_tsdb_head_series", "Total number of series in the head block.", G,
         (double)nseries);
    emit(e, "prometheus_tsdb_head_chunks", "Total number of chunks in the head block.", G,
         (double)atomic_load(&h->nchunks));
    lm_emit_family(e, "prometheus_tsdb_head_samples_appended_total",
                   "Total number of appended samples.", C);
    lm_emit_samplev(e, (double)atomic_load(&h->appended), "type", "float", NULL);
    emit(e, "prometheus_tsdb_head_series_created_total",
         "Total number of series created in the head", C, (double)atomic_load(&h->created));
    emit(e, "prometheus_tsdb_head_series_removed_total",
         "Total number of series removed in the head", C, (double)atomic_load(&h->removed));
    emit(e, "prometheus_tsdb_head_truncations_total",
         "Total number of head truncations attempted.", C,
         (double)atomic_load(&h->truncations));
    emit(e, "prometheus_tsdb_head_min_time",
         "Minimum time bound of the head block. The unit is decided by the library consumer.",
         G, hmin == INT64_MAX ? 0 : (double)hmin);
    emit(e, "prometheus_tsdb_head_max_time",
         "Maximum timestamp of the head block. The unit is decided by the library consumer.",
         G, hmax == INT64_MIN ? 0 : (double)hmax);
    emit(e, "prometheus_tsdb_head_active_appenders", "Number of currently active appender "
         "transactions", G, (double)atomic_load(&db->appenders));
    lm_emit_family(e, "prometheus_tsdb_out_of_order_samples_total",
                   "Total number of out of order samples ingestion failed attempts due to "
                   "out of order being disabled.", C);
    lm_emit_samplev(e, (double)atomic_load(&h->ooo), "type", "float", NULL);
    lm_emit_family(e, "prometheus_tsdb_out_of_bound_samples_total",
                   "Total number of out of bound samples ingestion failed attempts with "
                   "out of order support disabled.", C);
    lm_emit_samplev(e, (double)atomic_load(&h->oob), "type", "float", NULL);
    emit(e, "prometheus_tsdb_duplicate_samples_total",
         "Total number of samples rejected as duplicates (same time, other value).", C,
         (double)atomic_load(&h->dup));
    emit(e, "prometheus_tsdb_wal_corruptions_total",
         "Total number of WAL corruptions.", C, (double)tsdb_wal_corruptions(db->wal));
    emit(e, "prometheus_tsdb_wal_storage_size_bytes",
         "Size of the write log directory.", G, (double)tsdb_wal_bytes(db->wal));
    emit(e, "prometheus_tsdb_checkpoint_creations_total",
         "Total number of checkpoint creations attempted.", C,
         (double)(atomic_load(&db->checkpoints) + atomic_load(&db->checkpoint_failed)));
    emit(e, "prometheus_tsdb_checkpoint_creations_failed_total",
         "Total number of checkpoint creations that failed.", C,
         (double)atomic_load(&db->checkpoint_failed));
    emit(e, "prometheus_tsdb_data_replay_duration_seconds",
         "Time taken to replay the data on disk.", G, db->replay_seconds);
    emit(e, "prometheus_tsdb_blocks_loaded", "Number of currently loaded data blocks", G,
         (double)bst.blocks);
    emit(e, "prometheus_tsdb_storage_blocks_bytes",
         "The number of bytes that are currently used for local storage by all blocks.", G,
         (double)bst.bytes);
    emit(e, "prometheus_tsdb_lowest_timestamp",
         "Lowest timestamp value stored in the database. The unit is decided by the library "
         "consumer.", G,
         (double)(bst.min_time < hmin ? bst.min_time : hmin == INT64_MAX ? 0 : hmin));
    emit(e, "prometheus_tsdb_compactions_total",
         "Total number of compactions that were executed for the partition.", C,
         (double)(atomic_load(&db->compactions) + atomic_load(&db->head_cuts)));
    emit(e, "prometheus_tsdb_compactions_failed_total",
         "Total number of compactions that failed for the partition.", C,
         (double)(atomic_load(&db->compactions_failed) + atomic_load(&db->cut_failed)));
    emit(e, "prometheus_tsdb_retention_limit_bytes",
         "Max number of bytes to be retained in the tsdb blocks, configured 0 means "
         "disabled", G, (double)db->retention_bytes);
    emit(e, "prometheus_tsdb_blocks_deleted_total",
         "Number of blocks deleted by retention.", C, (double)atomic_load(&db->retentions));
    const struct lm_err *ee = lm_emit_error(e);
    if (ee && ee->code) {
        *err = *ee;
        return ee->code;
    }
    return 0;
}

int
tsdb_register_metrics(struct tsdb *db, struct lm_registry *reg)
{
    struct lm_err err = {0};
    return lm_registry_add_collector(reg, "tsdb", collect, db, &err);
}

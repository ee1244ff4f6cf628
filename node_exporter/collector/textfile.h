/* SPDX-License-Identifier: Apache-2.0 */
/* textfile.h: private to the textfile collector: one parsed *.prom file as it is cached
 * between scrapes (families and their final, ready-to-emit samples, with missing labels
 * filled and histograms/summaries rebuilt as client_golang's const metrics print them),
 * and the loader that builds it (textfile_load.c). Directory walking, caching and
 * emission live in textfile.c. */
#ifndef NE_TEXTFILE_H
#define NE_TEXTFILE_H

#include <stddef.h>
#include <stdint.h>
#include "lm/emit.h"
#include "lm/err.h"

struct lm_parser;

/* A bump allocator whose blocks are freed together with the file. */
struct ne_tf_arena {
    struct ne_tf_blk *head;   /* newest block first */
};

struct ne_tf_family {
    const char *name;     /* family name (arena) */
    const char *help;     /* HELP text (arena), or NULL when the file had none */
    enum lm_type type;    /* declared type, untyped when none */
    size_t first;         /* index of its first sample in ne_tf_file.samples */
    size_t n;             /* number of samples */
};

/* Sample suffixes, as emitted. */
enum ne_tf_suffix { NE_TF_PLAIN = 0, NE_TF_BUCKET, NE_TF_SUM, NE_TF_COUNT };

struct ne_tf_sample {
    const struct lm_label *labels;  /* label pairs (arena), le/quantile included */
    uint32_t nlab;                  /* pairs in labels */
    uint8_t suffix;                 /* enum ne_tf_suffix */
    double value;                   /* the value to emit */
};

/* One parsed file. Everything hangs off arena, except the two arrays. */
struct ne_tf_parsed {
    struct ne_tf_arena arena;        /* names, help, labels */
    struct ne_tf_family *fams;       /* families in first-seen order (lm_malloc) */
    size_t nfams;                    /* families used */
    struct ne_tf_sample *samples;    /* samples grouped by family (lm_malloc) */
    size_t nsamples;                 /* samples used */
};

/* ne_tf_load: parse buf[0..len) (the whole file, path used in messages) with parser p
 * (reset here) into *out, which the caller zeroes first and frees with ne_tf_free.
 * Follows Go's expfmt TextParser rules on top of the pull parser (second HELP/TYPE line,
 * TYPE after samples, _sum/_count/_bucket attached to their summary/histogram) and
 * refuses a file with any client-side timestamp, as node_exporter does. Returns 0, or
 * LM_EPARSE / LM_ETOOBIG / LM_ENOMEM with err->where "path:line:col" (or the path) and
 * err->msg the reason; *out is then freed. */
int ne_tf_load(struct lm_parser *p, const char *path, const char *buf, size_t len,
               struct ne_tf_parsed *out, struct lm_err *err);
void ne_tf_free(struct ne_tf_parsed *f);

#endif

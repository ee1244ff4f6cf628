/* SPDX-License-Identifier: Apache-2.0 */
/* yamlnode.h: strict reading of a libyaml document for flint's config parser and the
 * file_sd reader: load one document, typed getters that read scalars the way Go's
 * yaml.v2 does, and errors placed at "file:line:col" of the offending node with
 * yaml.v2-like wording. Internal to flint (includes <yaml.h>). Prefix cfg_y_. */
#ifndef FLINT_CONFIG_YAMLNODE_H
#define FLINT_CONFIG_YAMLNODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "flint/labels.h"
#include "lm/err.h"

/* One loaded document. */
struct cfg_y {
    const char *name;     /* borrowed file name, for error places */
    yaml_document_t doc;  /* the document (valid when loaded) */
    bool loaded;          /* doc must be deleted */
    struct lm_err *err;   /* where errors go (may be NULL) */
};

/* cfg_y_load: parse the first YAML document of data (later ones are not read, as with
 * yaml.v2). 0, LM_EPARSE, LM_ETOOBIG or LM_ENOMEM, with err->where "name:line:col".
 * cfg_y_cleanup frees the document (safe after a failed load). */
int cfg_y_load(struct cfg_y *y, const char *name, const char *data, size_t len,
               struct lm_err *err);
void cfg_y_cleanup(struct cfg_y *y);
/* cfg_y_root: the root node (NULL for an empty stream). cfg_y_node: node by id. */
yaml_node_t *cfg_y_root(const struct cfg_y *y);
yaml_node_t *cfg_y_node(const struct cfg_y *y, int id);

/* cfg_y_fail: record LM_ECONFIG at node n (printf-style reason) and return it. */
int cfg_y_fail(struct cfg_y *y, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* cfg_y_where: "name:line:col" of n into out. */
void cfg_y_where(const struct cfg_y *y, const yaml_node_t *n, char *out, size_t outsz);

/* cfg_y_is_null: absent node or a plain null scalar (~, null, empty). */
bool cfg_y_is_null(const yaml_node_t *n);
/* cfg_y_tag: yaml.v2's short tag of n, for messages: "!!map", "!!seq", "!!str",
 * "!!int", "!!bool", "!!float", "!!null". */
const char *cfg_y_tag(const yaml_node_t *n);

/* Getters. key names the field in messages. A null node sets the zero value (NULL,
 * false, 0), as yaml.v2 does. */
/* cfg_y_str: owned copy of a scalar (any scalar, as yaml.v2 reads into a string);
 * the old *out is freed. */
int cfg_y_str(struct cfg_y *y, const yaml_node_t *n, const char *key, char **out);
/* cfg_y_scalar: borrowed scalar text (NULL for null), lives with the document. */
int cfg_y_scalar(struct cfg_y *y, const yaml_node_t *n, const char *key, const char **out);
int cfg_y_bool(struct cfg_y *y, const yaml_node_t *n, const char *key, bool *out);
int cfg_y_u64(struct cfg_y *y, const yaml_node_t *n, const char *key, uint64_t *out);
int cfg_y_i64(struct cfg_y *y, const yaml_node_t *n, const char *key, int64_t *out);
/* cfg_y_duration: Prometheus model.Duration in ms. */
int cfg_y_duration(struct cfg_y *y, const yaml_node_t *n, const char *key, int64_t *ms);
/* cfg_y_size: Prometheus units.Base2Bytes ("10MB", "1KiB"... as kingpin reads them). */
int cfg_y_size(struct cfg_y *y, const yaml_node_t *n, const char *key, uint64_t *out);
/* cfg_y_map: n must be a mapping with unique scalar keys (type names it in messages);
 * null is accepted (returns 0) only when allow_null. */
int cfg_y_map(struct cfg_y *y, const yaml_node_t *n, const char *type, bool allow_null);
/* cfg_y_seq: n must be a sequence (null: 0 items). *count gets the item count. */
int cfg_y_seq(struct cfg_y *y, const yaml_node_t *n, const char *key, size_t *count);
/* cfg_y_strlist: a sequence of strings into an owned array (old content freed). */
int cfg_y_strlist(struct cfg_y *y, const yaml_node_t *n, const char *key, char ***out,
                  size_t *count);
/* cfg_y_labels: a mapping of label name -> value into *out (names validated like
 * model.LabelName). */
int cfg_y_labels(struct cfg_y *y, const yaml_node_t *n, const char *key,
                 struct lbl_set *out);
/* cfg_y_unknown: the strict-unmarshal error for key node k in type. */
int cfg_y_unknown(struct cfg_y *y, const yaml_node_t *k, const char *type);

/* cfg_strv_free: free an owned array of n owned strings. */
void cfg_strv_free(char **v, size_t n);

/* Iterate the pairs of mapping node n: k and v are yaml_node_t *, name the key text. */
#define CFG_Y_FOR_PAIRS(y, n, k, v, name)                                                  \
    for (yaml_node_pair_t *pr_ = (n)->data.mapping.pairs.start;                           \
         pr_ < (n)->data.mapping.pairs.top &&                                              \
         ((k) = cfg_y_node((y), pr_->key), (v) = cfg_y_node((y), pr_->value),              \
          (name) = (const char *)(k)->data.scalar.value, 1);                               \
         pr_++)
/* Iterate the items of sequence node n: it is a yaml_node_t *, i the index. */
#define CFG_Y_FOR_ITEMS(y, n, it, i)                                                       \
    for (yaml_node_item_t *ip_ = (n)->data.sequence.items.start;                          \
         ip_ < (n)->data.sequence.items.top &&                                             \
         ((it) = cfg_y_node((y), *ip_), (i) = (size_t)(ip_ - (n)->data.sequence.items.start), 1); \
         ip_++)

#endif

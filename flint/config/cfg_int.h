/* SPDX-License-Identifier: Apache-2.0 */
/* cfg_int.h: what the files of flint/config share and nobody else uses: the parse
 * context and the section parsers (scrape.c, http_client.c, sd.c, relabel_cfg.c,
 * remote.c, alerting.c) that load.c calls. Internal names end in '_'. */
#ifndef FLINT_CONFIG_CFG_INT_H
#define FLINT_CONFIG_CFG_INT_H

#include "flint/config/config.h"
#include "flint/config/yamlnode.h"

/* The state of one load. */
struct cfg_ctx {
    struct cfg_y y;      /* the document and the error sink */
    struct cfg *c;       /* the config being filled */
    const char *dir;     /* base for relative paths; NULL: leave paths as they are */
};

/* cfg_oom_: LM_ENOMEM into the context's error. */
int cfg_oom_(struct cfg_ctx *x);
/* cfg_path_: make *p (owned) absolute against x->dir when it is relative. */
int cfg_path_(struct cfg_ctx *x, char **p);
/* cfg_warn_: add a warning at node n. */
int cfg_warn_(struct cfg_ctx *x, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Section parsers: n is the section's node; 0 or an LM_E* with x->y.err filled. */
int cfg_scrape_parse_(struct cfg_ctx *x, const yaml_node_t *n, struct cfg_scrape *s);
void cfg_scrape_free_(struct cfg_scrape *s);
int cfg_alerting_parse_(struct cfg_ctx *x, const yaml_node_t *n, struct cfg_alerting *a);
void cfg_alerting_free_(struct cfg_alerting *a);
int cfg_rw_parse_(struct cfg_ctx *x, const yaml_node_t *n, struct cfg_remote_write *rw);
void cfg_rw_free_(struct cfg_remote_write *rw);

/* Inline parts: the http client and service discovery keys live inside the mapping of
 * their owner (yaml ",inline"). They return 1 when key is not theirs. */
void cfg_http_defaults_(struct cfg_http_client *h);
int cfg_http_key_(struct cfg_ctx *x, const char *key, const yaml_node_t *v,
                  struct cfg_http_client *h);
/* cfg_http_validate_: HTTPClientConfig.Validate and the bearer_token folding; owner is
 * the owner's node for error places. */
int cfg_http_validate_(struct cfg_ctx *x, const yaml_node_t *owner, struct cfg_http_client *h);
void cfg_http_free_(struct cfg_http_client *h);
bool cfg_http_eq_(const struct cfg_http_client *a, const struct cfg_http_client *b);
int cfg_sd_key_(struct cfg_ctx *x, const yaml_node_t *k, const yaml_node_t *v,
                struct cfg_sd *sd);
void cfg_sd_free_(struct cfg_sd *sd);

/* cfg_relabel_list_: a sequence of relabel configs into an owned array. */
int cfg_relabel_list_(struct cfg_ctx *x, const yaml_node_t *n, const char *key,
                      struct rl_rule **out, size_t *count);
void cfg_relabel_list_free_(struct rl_rule *r, size_t n);
bool cfg_relabel_list_eq_(const struct rl_rule *a, size_t na, const struct rl_rule *b,
                          size_t nb);

/* cfg_streq_: strcmp that accepts NULLs (NULL equals only NULL). */
bool cfg_streq_(const char *a, const char *b);
bool cfg_strv_eq_(char *const *a, size_t na, char *const *b, size_t nb);

#endif

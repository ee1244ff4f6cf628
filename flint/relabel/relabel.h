/* SPDX-License-Identifier: Apache-2.0 */
/* relabel.h: Prometheus relabeling (relabel_configs, metric_relabel_configs,
 * alert_relabel_configs): every action (replace, keep, drop, keepequal, dropequal,
 * hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase) with Prometheus's
 * defaults (separator ";", regex "(.*)", replacement "$1", action replace). Rules are
 * built by the config parser (flint/config) and applied by discovery and the scraper.
 * Prefix rl_. */
#ifndef FLINT_RELABEL_H
#define FLINT_RELABEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flint/labels.h"

struct lm_regex;

enum rl_action {
    RL_REPLACE, RL_KEEP, RL_DROP, RL_KEEPEQUAL, RL_DROPEQUAL, RL_HASHMOD,
    RL_LABELMAP, RL_LABELDROP, RL_LABELKEEP, RL_LOWERCASE, RL_UPPERCASE
};

struct rl_rule {
    char **source_labels;   /* owned */
    size_t nsource;
    char *separator;        /* owned; default ";" */
    char *target_label;     /* owned; may be NULL */
    struct lm_regex *regex; /* owned; anchored; default "(.*)" */
    uint64_t modulus;
    char *replacement;      /* owned; default "$1" */
    enum rl_action action;
};

/* rl_process: apply rules in order to ls (changed in place). Returns false when the
 * set is dropped (then ls's content is unspecified), true to keep it. Allocation
 * failure keeps the set unchanged by that rule and is reported through *oom (may be
 * NULL). Thread-safe on shared rules. */
bool rl_process(const struct rl_rule *rules, size_t n, struct lbl_set *ls, bool *oom);
/* rl_rule_free: free what a rule owns (not the struct itself). */
void rl_rule_free(struct rl_rule *r);
/* rl_action_parse: "replace" ... "uppercase" (lowercase names, as Prometheus) to
 * *out; false when unknown. rl_action_name: the name of an action. */
bool rl_action_parse(const char *s, enum rl_action *out);
const char *rl_action_name(enum rl_action a);

#endif

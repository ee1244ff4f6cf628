/* SPDX-License-Identifier: Apache-2.0 */
/* relabel_cfg.c: reading relabel_configs (and metric_, alert_, write_relabel_configs)
 * into struct rl_rule with Prometheus 2.42's defaults and its validation
 * (relabel.Config.UnmarshalYAML). Applying the rules is flint/relabel's business. */
#include "flint/config/cfg_int.h"

#include <ctype.h>
#include <string.h>

#include "lm/alloc.h"
#include "lm/regex.h"

#define TYPE "relabel.Config"

static bool
word(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* dollar_ref: length of a "$name" or "${name}" reference at s (0 if none). */
static size_t
dollar_ref(const char *s)
{
    if (s[0] != '$')
        return 0;
    size_t i = 1;
    if (s[1] == '{') {
        for (i = 2; word(s[i]); i++)
            ;
        return i > 2 && s[i] == '}' ? i + 1 : 0;
    }
    for (; word(s[i]); i++)
        ;
    return i > 1 ? i : 0;
}

/* relabel_target_ok: Prometheus's relabelTarget,
 * ^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$ : a label name that may hold $refs. */
static bool
relabel_target_ok(const char *s)
{
    if (!*s)
        return false;
    size_t r = dollar_ref(s);
    if (!r && !(isalpha((unsigned char)*s) || *s == '_'))
        return false;
    s += r ? r : 1;
    while (*s) {
        if (word(*s)) {
            s++;
        } else if ((r = dollar_ref(s))) {
            s += r;
        } else {
            return false;
        }
    }
    return true;
}

void
cfg_relabel_list_free_(struct rl_rule *r, size_t n)
{
    for (size_t i = 0; r && i < n; i++)
        rl_rule_free(&r[i]);
    lm_free(r);
}

/* one_rule: parse mapping n into r (which holds the defaults). */
static int
one_rule(struct cfg_ctx *x, const yaml_node_t *n, struct rl_rule *r)
{
    struct cfg_y *y = &x->y;
    int rc = cfg_y_map(y, n, TYPE, false);
    if (rc)
        return rc;
    bool regex_set = false, sources_set = false;
    const char *regex = "(.*)";
    const char *action = "replace";
    const yaml_node_t *regex_node = n, *action_node = n;
    yaml_node_t *k, *v;
    const char *key;
    CFG_Y_FOR_PAIRS(y, n, k, v, key) {
        if (!strcmp(key, "source_labels")) {
            sources_set = true;
            rc = cfg_y_strlist(y, v, key, &r->source_labels, &r->nsource);
            for (size_t i = 0; !rc && i < r->nsource; i++)
                if (!lbl_name_valid(r->source_labels[i], strlen(r->source_labels[i])))
                    rc = cfg_y_fail(y, v, "\"%s\" is not a valid label name",
                                    r->source_labels[i]);
        } else if (!strcmp(key, "separator")) {
            rc = cfg_y_str(y, v, key, &r->separator);
        } else if (!strcmp(key, "regex")) {
            regex_set = true;
            regex_node = v;
            if (!(rc = cfg_y_scalar(y, v, key, &regex)) && !regex)
                regex = ""; /* null: yaml.v2 leaves it nil, Prometheus then uses "" */
        } else if (!strcmp(key, "modulus")) {
            rc = cfg_y_u64(y, v, key, &r->modulus);
        } else if (!strcmp(key, "target_label")) {
            rc = cfg_y_str(y, v, key, &r->target_label);
        } else if (!strcmp(key, "replacement")) {
            rc = cfg_y_str(y, v, key, &r->replacement);
        } else if (!strcmp(key, "action")) {
            action_node = v;
            if (!(rc = cfg_y_scalar(y, v, key, &action)) && !action)
                action = "";
        } else {
            rc = cfg_y_unknown(y, k, TYPE);
        }
        if (rc)
            return rc;
    }
    /* null strings are "" for Prometheus */
    if (!r->separator && !(r->separator = lm_strdup("")))
        return cfg_oom_(x);
    if (!r->replacement && !(r->replacement = lm_strdup("")))
        return cfg_oom_(x);
    struct lm_err re_err = {0};
    r->regex = lm_regex_new(regex, true, &re_err);
    if (!r->regex)
        return re_err.code == LM_ENOMEM ? cfg_oom_(x)
                                        : cfg_y_fail(y, regex_node, "regex: %s", re_err.msg);
    if (!*action)
        return cfg_y_fail(y, action_node, "relabel action cannot be empty");
    if (!rl_action_parse(action, &r->action))
        return cfg_y_fail(y, action_node, "unknown relabel action \"%s\"", action);

    enum rl_action a = r->action;
    const char *an = rl_action_name(a);
    const char *tl = r->target_label ? r->target_label : "";
    if (a == RL_HASHMOD && r->modulus == 0)
        return cfg_y_fail(y, n, "relabel configuration for hashmod requires non-zero modulus");
    bool needs_target = a == RL_REPLACE || a == RL_HASHMOD || a == RL_LOWERCASE ||
                        a == RL_UPPERCASE || a == RL_KEEPEQUAL || a == RL_DROPEQUAL;
    if (needs_target && !*tl)
        return cfg_y_fail(y, n, "relabel configuration for %s action requires 'target_label' "
                          "value", an);
    bool templ_target = a == RL_REPLACE || a == RL_LOWERCASE || a == RL_UPPERCASE ||
                        a == RL_KEEPEQUAL || a == RL_DROPEQUAL;
    if (templ_target && !relabel_target_ok(tl))
        return cfg_y_fail(y, n, "\"%s\" is invalid 'target_label' for %s action", tl, an);
    bool default_repl = !strcmp(r->replacement, "$1");
    if ((a == RL_LOWERCASE || a == RL_UPPERCASE || a == RL_KEEPEQUAL || a == RL_DROPEQUAL) &&
        !default_repl)
        return cfg_y_fail(y, n, "'replacement' can not be set for %s action", an);
    if (a == RL_LABELMAP && !relabel_target_ok(r->replacement))
        return cfg_y_fail(y, n, "\"%s\" is invalid 'replacement' for %s action",
                          r->replacement, an);
    if (a == RL_HASHMOD && !lbl_name_valid(tl, strlen(tl)))
        return cfg_y_fail(y, n, "\"%s\" is invalid 'target_label' for %s action", tl, an);
    bool default_sep = !strcmp(r->separator, ";");
    if ((a == RL_KEEPEQUAL || a == RL_DROPEQUAL) &&
        (regex_set || r->modulus || !default_sep || !default_repl))
        return cfg_y_fail(y, n, "%s action requires only 'source_labels' and `target_label`, "
                          "and no other fields", an);
    if ((a == RL_LABELDROP || a == RL_LABELKEEP) &&
        (sources_set || *tl || r->modulus || !default_sep || !default_repl))
        return cfg_y_fail(y, n, "%s action requires only 'regex', and no other fields", an);
    return 0;
}

/* null_kind: Prometheus's word for a list's rules in "empty or null ... rule". */
static const char *
null_kind(const char *key)
{
    if (!strcmp(key, "relabel_configs"))
        return "target relabeling";
    if (!strcmp(key, "metric_relabel_configs"))
        return "metric relabeling";
    if (!strcmp(key, "alert_relabel_configs"))
        return "alert relabeling";
    return "relabeling";
}

int
cfg_relabel_list_(struct cfg_ctx *x, const yaml_node_t *n, const char *key,
                  struct rl_rule **out, size_t *count)
{
    size_t cnt;
    int rc = cfg_y_seq(&x->y, n, key, &cnt);
    if (rc)
        return rc;
    cfg_relabel_list_free_(*out, *count);
    *out = NULL;
    *count = 0;
    if (!cnt)
        return 0;
    struct rl_rule *v = lm_calloc(cnt, sizeof *v);
    if (!v)
        return cfg_oom_(x);
    yaml_node_t *it;
    size_t i;
    CFG_Y_FOR_ITEMS(&x->y, n, it, i) {
        struct rl_rule *r = &v[i];
        r->action = RL_REPLACE;
        r->separator = lm_strdup(";");
        r->replacement = lm_strdup("$1");
        if (!r->separator || !r->replacement)
            rc = cfg_oom_(x);
        else if (cfg_y_is_null(it))
            rc = cfg_y_fail(&x->y, it, "empty or null %s rule in %s", null_kind(key), key);
        else
            rc = one_rule(x, it, r);
        if (rc) {
            cfg_relabel_list_free_(v, cnt);
            return rc;
        }
    }
    *out = v;
    *count = cnt;
    return 0;
}

static bool
rule_eq(const struct rl_rule *a, const struct rl_rule *b)
{
    return a->action == b->action && a->modulus == b->modulus &&
           cfg_strv_eq_(a->source_labels, a->nsource, b->source_labels, b->nsource) &&
           cfg_streq_(a->separator, b->separator) &&
           cfg_streq_(a->target_label, b->target_label) &&
           cfg_streq_(a->replacement, b->replacement) &&
           cfg_streq_(a->regex ? lm_regex_pattern(a->regex) : NULL,
                      b->regex ? lm_regex_pattern(b->regex) : NULL);
}

bool
cfg_relabel_list_eq_(const struct rl_rule *a, size_t na, const struct rl_rule *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (!rule_eq(&a[i], &b[i]))
            return false;
    return true;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* file.c: reading one file_sd target file: JSON (jansson, lenient about unknown keys
 * like Go's encoding/json) or YAML (strict, like yaml.UnmarshalStrict), a list of
 * {targets: [...], labels: {...}}. Each group gets source "<file>:<i>" and the label
 * __meta_filepath, as Prometheus's discovery/file does. */
#include "flint/discovery/disc_int.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "flint/config/yamlnode.h"
#include "lm/alloc.h"
#include "lm/buf.h"
#include "lm/limits.h"

#define META_FILEPATH "__meta_filepath"

/* start_group: source and __meta_filepath of group i of file name. */
static int
start_group(struct disc_group *g, const char *name, size_t i)
{
    struct lm_buf b;
    lm_buf_init(&b, LM_LIMIT_CONFIG_BYTES);
    lm_buf_printf(&b, "%s:%zu", name, i);
    if (!(g->source = lm_buf_take(&b, NULL)))
        return LM_ENOMEM;
    return 0;
}

static int
oom(const char *name, struct lm_err *err)
{
    return lm_err_set(err, LM_ENOMEM, name, "out of memory");
}

/* ---- JSON ------------------------------------------------------------------------ */

/* json_group: fill g from group object o; on error *at names the key at fault (NULL:
 * the group itself). */
static int
json_group(const char *name, size_t i, json_t *o, struct disc_group *g, struct lm_err *err,
           const char **at)
{
    *at = NULL;
    char where[LM_ERR_WHERE_MAX];
    snprintf(where, sizeof where, "%s", name);
    if (json_is_null(o))
        return lm_err_set(err, LM_ECONFIG, where, "nil target group item found");
    if (!json_is_object(o))
        return lm_err_set(err, LM_ECONFIG, where,
                          "json: cannot unmarshal group %zu: not an object", i);
    json_t *t = json_object_get(o, "targets"), *l = json_object_get(o, "labels");
    if (t && !json_is_null(t)) {
        *at = "targets";
        if (!json_is_array(t))
            return lm_err_set(err, LM_ECONFIG, where, "group %zu: targets must be a list of "
                              "strings", i);
        size_t j;
        json_t *v;
        json_array_foreach(t, j, v) {
            if (!json_is_string(v))
                return lm_err_set(err, LM_ECONFIG, where, "group %zu: json: cannot unmarshal "
                                  "target %zu into Go value of type string", i, j);
            if (strlen(json_string_value(v)) != json_string_length(v))
                return lm_err_set(err, LM_ECONFIG, where, "group %zu: NUL in target", i);
            if (disc_group_add_target_(g, json_string_value(v)))
                return oom(name, err);
        }
    }
    if (l && !json_is_null(l)) {
        *at = "labels";
        if (!json_is_object(l))
            return lm_err_set(err, LM_ECONFIG, where, "group %zu: labels must be an object", i);
        const char *k;
        json_t *v;
        json_object_foreach(l, k, v) {
            if (!lbl_name_valid(k, strlen(k)))
                return lm_err_set(err, LM_ECONFIG, where, "group %zu: \"%s\" is not a valid "
                                  "label name", i, k);
            if (!json_is_string(v))
                return lm_err_set(err, LM_ECONFIG, where, "group %zu: json: cannot unmarshal "
                                  "label %s into Go value of type model.LabelValue", i, k);
            if (lbl_set_add(&g->labels, k, json_string_value(v)))
                return oom(name, err);
        }
    }
    return 0;
}

/* json_place: jansson keeps no positions, so after a semantic error in group i (at key,
 * or the group itself when key is NULL) find its line and column by reading the same
 * text with libyaml (JSON is YAML flow syntax) and put "name:line:col" in err->where.
 * Leaves err->where alone when that does not work. */
static void
json_place(const char *name, const char *data, size_t len, size_t i, const char *key,
           struct lm_err *err)
{
    struct cfg_y y;
    struct lm_err ignored = {0};
    if (cfg_y_load(&y, name, data, len, &ignored))
        goto out;
    const yaml_node_t *root = cfg_y_root(&y), *n = NULL;
    if (!root || root->type != YAML_SEQUENCE_NODE ||
        i >= (size_t)(root->data.sequence.items.top - root->data.sequence.items.start))
        goto out;
    n = cfg_y_node(&y, root->data.sequence.items.start[i]);
    if (key && n && n->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
             p++) {
            const yaml_node_t *k = cfg_y_node(&y, p->key);
            if (k && k->type == YAML_SCALAR_NODE &&
                !strcmp((const char *)k->data.scalar.value, key)) {
                n = cfg_y_node(&y, p->value);
                break;
            }
        }
    }
    if (n)
        cfg_y_where(&y, n, err->where, sizeof err->where);
out:
    cfg_y_cleanup(&y);
}

static int
parse_json(const char *name, const char *data, size_t len, struct disc_group **out,
           size_t *n, struct lm_err *err)
{
    json_error_t je;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    if (!root) {
        char where[LM_ERR_WHERE_MAX];
        snprintf(where, sizeof where, "%s:%d:%d", name, je.line, je.column);
        return lm_err_set(err, LM_EPARSE, where, "%s", je.text);
    }
    int rc = 0;
    if (json_is_null(root))
        goto out;
    if (!json_is_array(root)) {
        rc = lm_err_set(err, LM_ECONFIG, name, "json: cannot unmarshal a non-array into a "
                        "list of target groups");
        goto out;
    }
    size_t cnt = json_array_size(root);
    if (!cnt)
        goto out;
    if (!(*out = lm_calloc(cnt, sizeof **out))) {
        rc = oom(name, err);
        goto out;
    }
    const char *at;
    for (size_t i = 0; i < cnt && !rc; i++) {
        *n = i + 1;
        if (start_group(&(*out)[i], name, i))
            rc = oom(name, err);
        else if ((rc = json_group(name, i, json_array_get(root, i), &(*out)[i], err, &at)) &&
                 rc != LM_ENOMEM && err)
            json_place(name, data, len, i, at, err);
    }
out:
    json_decref(root);
    return rc;
}

/* ---- YAML ------------------------------------------------------------------------ */

static int
yaml_group(struct cfg_y *y, size_t i, const yaml_node_t *nd, struct disc_group *g)
{
    if (cfg_y_is_null(nd))
        return cfg_y_fail(y, nd, "nil target group item found");
    int rc = cfg_y_map(y, nd, "targetgroup.Group", false);
    if (rc)
        return rc;
    yaml_node_t *k, *v;
    const char *key;
    (void)i;
    CFG_Y_FOR_PAIRS(y, nd, k, v, key) {
        if (!strcmp(key, "targets")) {
            char **t = NULL;
            size_t nt = 0;
            if ((rc = cfg_y_strlist(y, v, key, &t, &nt)))
                return rc;
            for (size_t j = 0; j < nt && !rc; j++)
                if (disc_group_add_target_(g, t[j]))
                    rc = oom(y->name, y->err);
            cfg_strv_free(t, nt);
        } else if (!strcmp(key, "labels")) {
            rc = cfg_y_labels(y, v, key, &g->labels);
        } else {
            rc = cfg_y_unknown(y, k, "targetgroup.Group");
        }
        if (rc)
            return rc;
    }
    return 0;
}

static int
parse_yaml(const char *name, const char *data, size_t len, struct disc_group **out,
           size_t *n, struct lm_err *err)
{
    struct cfg_y y;
    int rc = cfg_y_load(&y, name, data, len, err);
    if (rc)
        goto out;
    yaml_node_t *root = cfg_y_root(&y);
    size_t cnt;
    if ((rc = cfg_y_seq(&y, root, "target groups", &cnt)) || !cnt)
        goto out;
    if (!(*out = lm_calloc(cnt, sizeof **out))) {
        rc = oom(name, err);
        goto out;
    }
    yaml_node_t *it;
    size_t i;
    CFG_Y_FOR_ITEMS(&y, root, it, i) {
        *n = i + 1;
        if (start_group(&(*out)[i], name, i))
            rc = oom(name, err);
        else
            rc = yaml_group(&y, i, it, &(*out)[i]);
        if (rc)
            break;
    }
out:
    cfg_y_cleanup(&y);
    return rc;
}

int
disc_file_parse(const char *name, const char *data, size_t len, struct disc_group **out,
                size_t *n, struct lm_err *err)
{
    *out = NULL;
    *n = 0;
    const char *dot = strrchr(name, '.');
    int rc;
    if (dot && !strcasecmp(dot, ".json"))
        rc = parse_json(name, data, len, out, n, err);
    else
        rc = parse_yaml(name, data, len, out, n, err);
    for (size_t i = 0; !rc && i < *n; i++)
        if (lbl_set_add(&(*out)[i].labels, META_FILEPATH, name))
            rc = oom(name, err);
    if (rc) {
        disc_groups_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int
disc_file_load(const char *path, struct disc_group **out, size_t *n, struct lm_err *err)
{
    *out = NULL;
    *n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return lm_err_set(err, LM_EIO, path, "open: %s", strerror(errno));
    struct lm_buf b;
    lm_buf_init(&b, LM_LIMIT_CONFIG_BYTES);
    char chunk[8192];
    ssize_t r;
    while ((r = read(fd, chunk, sizeof chunk)) > 0)
        if (lm_buf_append(&b, chunk, (size_t)r))
            break;
    int saved = errno;
    close(fd);
    int rc;
    if (r < 0)
        rc = lm_err_set(err, LM_EIO, path, "read: %s", strerror(saved));
    else if (b.err)
        rc = lm_err_set(err, b.err, path, "file too big or out of memory");
    else
        rc = disc_file_parse(path, b.data ? b.data : "", b.len, out, n, err);
    lm_buf_cleanup(&b);
    return rc;
}

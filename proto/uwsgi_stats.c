/* SPDX-License-Identifier: Apache-2.0 */
/* uwsgi_stats.c: the uWSGI stats document parser (jansson): JSON text into the structs
 * of uwsgi_stats.h. Missing fields read as 0 or "", as upstream's Go decoder does; a
 * field of the wrong type is an error naming its path. Reading the document from a
 * socket lives in uwsgi_stats_read.c. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include "lm/alloc.h"
#include "proto/uwsgi_stats.h"

/* A number field of one of the structs: JSON key and offset of its double. */
struct num_field {
    const char *key;   /* JSON member name */
    size_t off;        /* offsetof the double in the struct */
};

#define F(st, k) {#k, offsetof(struct st, k)}
static const struct num_field top_fields[] = {
    F(proto_uwsgi_stats, listen_queue), F(proto_uwsgi_stats, listen_queue_errors),
    F(proto_uwsgi_stats, signal_queue), F(proto_uwsgi_stats, load), {NULL, 0},
};
static const struct num_field socket_fields[] = {
    F(proto_uwsgi_socket, queue), F(proto_uwsgi_socket, max_queue),
    F(proto_uwsgi_socket, shared), F(proto_uwsgi_socket, can_offload), {NULL, 0},
};
static const struct num_field worker_fields[] = {
    F(proto_uwsgi_worker, id), F(proto_uwsgi_worker, accepting),
    F(proto_uwsgi_worker, requests), F(proto_uwsgi_worker, delta_requests),
    F(proto_uwsgi_worker, exceptions), F(proto_uwsgi_worker, harakiri_count),
    F(proto_uwsgi_worker, signals), F(proto_uwsgi_worker, signal_queue),
    F(proto_uwsgi_worker, rss), F(proto_uwsgi_worker, vsz),
    F(proto_uwsgi_worker, running_time), F(proto_uwsgi_worker, last_spawn),
    F(proto_uwsgi_worker, respawn_count), F(proto_uwsgi_worker, tx),
    F(proto_uwsgi_worker, avg_rt), {NULL, 0},
};
static const struct num_field app_fields[] = {
    F(proto_uwsgi_app, id), F(proto_uwsgi_app, startup_time), F(proto_uwsgi_app, requests),
    F(proto_uwsgi_app, exceptions), {NULL, 0},
};
static const struct num_field core_fields[] = {
    F(proto_uwsgi_core, id), F(proto_uwsgi_core, requests),
    F(proto_uwsgi_core, static_requests), F(proto_uwsgi_core, routed_requests),
    F(proto_uwsgi_core, offloaded_requests), F(proto_uwsgi_core, write_errors),
    F(proto_uwsgi_core, read_errors), F(proto_uwsgi_core, in_request), {NULL, 0},
};
static const struct num_field cache_fields[] = {
    F(proto_uwsgi_cache, hits), F(proto_uwsgi_cache, miss), F(proto_uwsgi_cache, full),
    F(proto_uwsgi_cache, items), F(proto_uwsgi_cache, max_items), {NULL, 0},
};
#undef F

static void *
json_alloc(size_t n)
{
    return lm_malloc(n);
}

void
proto_uwsgi_global_init(void)
{
    json_set_alloc_funcs(json_alloc, lm_free);
}

/* nums: every field of tab from object o into the struct at base. A missing or null
 * member stays 0; true/false read as 1/0; anything else is LM_EPARSE naming path.key. */
static int
nums(const json_t *o, const struct num_field *tab, void *base, const char *path,
     struct lm_err *err)
{
    for (; tab->key; tab++) {
        const json_t *v = json_object_get(o, tab->key);
        double *dst = (double *)((char *)base + tab->off);
        if (!v || json_is_null(v))
            continue;
        if (json_is_number(v))
            *dst = json_number_value(v);
        else if (json_is_boolean(v))
            *dst = json_is_true(v) ? 1 : 0;
        else
            return lm_err_set(err, LM_EPARSE, NULL, "%s.%s: expected a number", path,
                              tab->key);
    }
    return 0;
}

/* str: the string member key of o, "" when missing or null; NULL (with err) otherwise. */
static const char *
str(const json_t *o, const char *key, const char *path, struct lm_err *err)
{
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return "";
    if (!json_is_string(v)) {
        lm_err_set(err, LM_EPARSE, NULL, "%s.%s: expected a string", path, key);
        return NULL;
    }
    return json_string_value(v);
}

/* array: member key of o as an array of objects. Allocates *out (n * size bytes, zeroed)
 * and sets *n; a missing or null member gives n = 0. Returns 0 or an error. */
static int
array(const json_t *o, const char *key, size_t size, void **out, size_t *n, const char *path,
      struct lm_err *err)
{
    const json_t *a = json_object_get(o, key);
    *out = NULL;
    *n = 0;
    if (!a || json_is_null(a))
        return 0;
    if (!json_is_array(a))
        return lm_err_set(err, LM_EPARSE, NULL, "%s%s%s: expected an array", path,
                          *path ? "." : "", key);
    size_t len = json_array_size(a);
    if (len > PROTO_UWSGI_MAX_ITEMS)
        return lm_err_set(err, LM_ETOOBIG, NULL, "%s%s%s: more than %d items", path,
                          *path ? "." : "", key, PROTO_UWSGI_MAX_ITEMS);
    for (size_t i = 0; i < len; i++)
        if (!json_is_object(json_array_get(a, i)))
            return lm_err_set(err, LM_EPARSE, NULL, "%s%s%s[%zu]: expected an object", path,
                              *path ? "." : "", key, i);
    if (!len)
        return 0;
    *out = lm_calloc(len, size);
    if (!*out)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    *n = len;
    return 0;
}

/* worker: workers[i] into w (its apps and cores too). */
static int
worker(const json_t *o, size_t i, struct proto_uwsgi_worker *w, struct lm_err *err)
{
    char path[96], sub[128];
    snprintf(path, sizeof path, "workers[%zu]", i);
    int rc = nums(o, worker_fields, w, path, err);
    if (!rc && !(w->status = str(o, "status", path, err)))
        rc = LM_EPARSE;
    if (!rc)
        rc = array(o, "apps", sizeof *w->apps, (void **)&w->apps, &w->napps, path, err);
    for (size_t j = 0; !rc && j < w->napps; j++) {
        const json_t *a = json_array_get(json_object_get(o, "apps"), j);
        struct proto_uwsgi_app *app = &w->apps[j];
        snprintf(sub, sizeof sub, "%s.apps[%zu]", path, j);
        rc = nums(a, app_fields, app, sub, err);
        if (!rc && (!(app->mountpoint = str(a, "mountpoint", sub, err)) ||
                    !(app->chdir = str(a, "chdir", sub, err))))
            rc = LM_EPARSE;
    }
    if (!rc)
        rc = array(o, "cores", sizeof *w->cores, (void **)&w->cores, &w->ncores, path, err);
    for (size_t j = 0; !rc && j < w->ncores; j++) {
        snprintf(sub, sizeof sub, "%s.cores[%zu]", path, j);
        rc = nums(json_array_get(json_object_get(o, "cores"), j), core_fields, &w->cores[j],
                  sub, err);
    }
    return rc;
}

/* fill: the whole document root into s. */
static int
fill(const json_t *root, struct proto_uwsgi_stats *s, struct lm_err *err)
{
    char path[64];
    int rc = nums(root, top_fields, s, "", err);
    if (!rc && !(s->version = str(root, "version", "", err)))
        rc = LM_EPARSE;
    if (!rc)
        rc = array(root, "sockets", sizeof *s->sockets, (void **)&s->sockets, &s->nsockets,
                   "", err);
    for (size_t i = 0; !rc && i < s->nsockets; i++) {
        const json_t *o = json_array_get(json_object_get(root, "sockets"), i);
        struct proto_uwsgi_socket *so = &s->sockets[i];
        snprintf(path, sizeof path, "sockets[%zu]", i);
        rc = nums(o, socket_fields, so, path, err);
        if (!rc && (!(so->name = str(o, "name", path, err)) ||
                    !(so->proto = str(o, "proto", path, err))))
            rc = LM_EPARSE;
    }
    if (!rc)
        rc = array(root, "workers", sizeof *s->workers, (void **)&s->workers, &s->nworkers,
                   "", err);
    for (size_t i = 0; !rc && i < s->nworkers; i++)
        rc = worker(json_array_get(json_object_get(root, "workers"), i), i, &s->workers[i],
                    err);
    if (!rc)
        rc = array(root, "caches", sizeof *s->caches, (void **)&s->caches, &s->ncaches, "",
                   err);
    for (size_t i = 0; !rc && i < s->ncaches; i++) {
        const json_t *o = json_array_get(json_object_get(root, "caches"), i);
        snprintf(path, sizeof path, "caches[%zu]", i);
        rc = nums(o, cache_fields, &s->caches[i], path, err);
        if (!rc && !(s->caches[i].name = str(o, "name", path, err)))
            rc = LM_EPARSE;
    }
    return rc;
}

int
proto_uwsgi_parse(const char *data, size_t len, struct proto_uwsgi_stats **out,
                  struct lm_err *err)
{
    json_error_t jerr;
    *out = NULL;
    if (len > PROTO_UWSGI_MAX_DOC)
        return lm_err_set(err, LM_ETOOBIG, NULL, "stats document over %lu bytes",
                          (unsigned long)PROTO_UWSGI_MAX_DOC);
    json_t *root = json_loadb(data ? data : "", len, 0, &jerr);
    if (!root) {
        char where[64];
        snprintf(where, sizeof where, "line %d, column %d", jerr.line, jerr.column);
        if (len == 0)
            return lm_err_set(err, LM_EPARSE, NULL, "empty stats document");
        if (strstr(jerr.text, "memory"))
            return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        return lm_err_set(err, LM_EPARSE, where, "invalid JSON: %s", jerr.text);
    }
    if (!json_is_object(root)) {
        json_decref(root);
        return lm_err_set(err, LM_EPARSE, NULL, "the stats document is not a JSON object");
    }
    struct proto_uwsgi_stats *s = lm_calloc(1, sizeof *s);
    if (!s) {
        json_decref(root);
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    }
    s->doc = root;
    int rc = fill(root, s, err);
    if (rc) {
        proto_uwsgi_stats_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void
proto_uwsgi_stats_free(struct proto_uwsgi_stats *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nworkers; i++) {
        lm_free(s->workers[i].apps);
        lm_free(s->workers[i].cores);
    }
    lm_free(s->sockets);
    lm_free(s->workers);
    lm_free(s->caches);
    json_decref((json_t *)s->doc);
    lm_free(s);
}

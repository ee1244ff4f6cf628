/* SPDX-License-Identifier: Apache-2.0 */
/* uwsgi_stats.c: fuzz target for proto_uwsgi_parse (the uWSGI stats JSON reader). Any
 * input must give 0 with a stats object or an error with none; every field and string
 * of the result is read so a view past its end shows up under ASan. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "proto/uwsgi_stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* touch: read a string view through to its NUL. */
static size_t
touch(const char *s)
{
    if (!s)
        abort();
    return strlen(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int inited;
    if (!inited) {
        proto_uwsgi_global_init();
        inited = 1;
    }
    struct proto_uwsgi_stats *s = NULL;
    struct lm_err err;
    int rc = proto_uwsgi_parse((const char *)data, size, &s, &err);
    if ((rc == 0) != (s != NULL) || (rc != 0 && !err.code))
        abort();
    if (!s)
        return 0;
    volatile double sum = s->listen_queue + s->load + (double)touch(s->version);
    for (size_t i = 0; i < s->nsockets; i++)
        sum += s->sockets[i].queue + (double)(touch(s->sockets[i].name) +
                                                touch(s->sockets[i].proto));
    for (size_t i = 0; i < s->nworkers; i++) {
        const struct proto_uwsgi_worker *w = &s->workers[i];
        sum += w->requests + w->avg_rt + (double)touch(w->status);
        for (size_t j = 0; j < w->napps; j++)
            sum += w->apps[j].requests + (double)(touch(w->apps[j].mountpoint) +
                                                    touch(w->apps[j].chdir));
        for (size_t j = 0; j < w->ncores; j++)
            sum += w->cores[j].requests + w->cores[j].in_request;
    }
    for (size_t i = 0; i < s->ncaches; i++)
        sum += s->caches[i].hits + (double)touch(s->caches[i].name);
    (void)sum;
    proto_uwsgi_stats_free(s);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* flint_config.c (fuzz): feeds arbitrary bytes to cfg_load_string (flint's
 * prometheus.yml parser) and checks its contract: success gives a config whose jobs have
 * names, sane intervals and usable relabel rules; failure gives NULL and a coded error
 * placed in the file. The rules of each job are also run on a small label set. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flint/config/config.h"
#include "flint/relabel/relabel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lm_err err = {0};
    struct cfg *c = cfg_load_string("fuzz.yml", (const char *)data, size, "/fuzz", &err);
    if (!c) {
        if (!err.code || !err.msg[0])
            abort();
        if ((err.code == LM_EPARSE || err.code == LM_ECONFIG) &&
            strncmp(err.where, "fuzz.yml", 8))
            abort();
        return 0;
    }
    if (c->global.scrape_timeout_ms > c->global.scrape_interval_ms || c->raw_len != size)
        abort();
    for (size_t i = 0; i < c->nscrapes; i++) {
        const struct cfg_scrape *s = &c->scrapes[i];
        if (!s->job_name || !*s->job_name || s->scrape_timeout_ms > s->scrape_interval_ms ||
            !s->metrics_path || !s->scheme || cfg_scrape_find(c, s->job_name) != s ||
            !cfg_scrape_eq(s, s))
            abort();
        struct lbl_set ls = {0};
        lbl_set_add(&ls, "__address__", "host:9100");
        lbl_set_add(&ls, "job", s->job_name);
        rl_process(s->relabel, s->nrelabel, &ls, NULL);
        lbl_set_free(&ls);
        lbl_set_add(&ls, "__name__", "up");
        rl_process(s->metric_relabel, s->nmetric_relabel, &ls, NULL);
        lbl_set_free(&ls);
    }
    cfg_free(c);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* flint_promql_eval.c: fuzz target for the PromQL evaluator: any input is run as an
 * instant and as a range query over a small fixed set of series (counters with a reset,
 * a gauge with a stale marker and gaps, histogram buckets), then written as JSON. It
 * must fail with an error type and message or give a well-formed result, with no crash
 * or leak. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flint/promql/engine_int.h"
#include "lm/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPTS 40

static struct pql_mem_series series[6];
static struct pql_point pts[6][NPTS];
static struct pql_engine *engine;

static void setup(void)
{
    static const char *const specs[6][4] = {
        {"__name__", "c", "job", "a"}, {"__name__", "c", "job", "b"},
        {"__name__", "g", "job", "a"}, {"__name__", "h_bucket", "le", "0.5"},
        {"__name__", "h_bucket", "le", "+Inf"}, {"__name__", "m", "le", "x"},
    };
    uint64_t stale_bits = 0x7ff0000000000002ULL;
    double stale;
    memcpy(&stale, &stale_bits, sizeof stale);
    for (size_t i = 0; i < 6; i++) {
        lbl_set_add(&series[i].ls, specs[i][0], specs[i][1]);
        lbl_set_add(&series[i].ls, specs[i][2], specs[i][3]);
        for (size_t j = 0; j < NPTS; j++) {
            double v = (double)(j * (i + 1));
            if (i == 1 && j > 20)
                v -= 100;
            if (i == 2 && j == 10)
                v = stale;
            if (i == 5 && j == 5)
                v = NAN;
            pts[i][j] = (struct pql_point){(int64_t)j * 15000, v};
        }
        series[i].pts = pts[i];
        series[i].n = i == 2 ? NPTS / 2 : NPTS;
    }
    engine = pql_engine_new(NULL);
}

static void check(int rc, struct pql_result *res, const struct pql_err *err)
{
    if (rc) {
        if (err->type == PQL_ERR_NONE || !err->msg[0] || res->type != PQL_VAL_NONE)
            abort();
        return;
    }
    struct lm_buf b;
    lm_buf_init(&b, (size_t)1 << 26);
    if (pql_result_json(res, &b) && b.err != LM_ETOOBIG)
        abort();
    lm_buf_cleanup(&b);
    pql_result_free(res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!engine)
        setup();
    if (size > 4096)
        return 0;
    char *q = malloc(size + 1);
    if (!q)
        return 0;
    memcpy(q, data, size);
    q[size] = '\0';
    struct pql_mem_src ms = {series, 6};
    struct pql_source src = pql_mem_source(&ms);
    struct pql_query_opts qo = {0};
    qo.timeout_ms = 2000;
    struct pql_result res;
    struct pql_err err;
    check(pql_exec_src(engine, &src, q, 300000, 300000, 0, &qo, &res, &err), &res, &err);
    check(pql_exec_src(engine, &src, q, 0, 600000, 45000, &qo, &res, &err), &res, &err);
    free(q);
    return 0;
}

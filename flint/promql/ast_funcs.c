/* SPDX-License-Identifier: Apache-2.0 */
/* ast_funcs.c: the function table of ast_funcs.h, built from PQL_FUNCS, and lookups. */
#include <string.h>

#include "flint/promql/ast.h"

#define S PQL_T_SCALAR
#define V PQL_T_VECTOR
#define M PQL_T_MATRIX
#define T PQL_T_STRING
#define PQL_FUNC_ROW_(id, name, ret, variadic, nargs, ...) \
    {PQL_FN_##id, name, ret, variadic, nargs, {__VA_ARGS__}},
static const struct pql_func_def pql_funcs[PQL_FN_COUNT_] = {
    PQL_FUNCS(PQL_FUNC_ROW_)
};
#undef S
#undef V
#undef M
#undef T

const struct pql_func_def *pql_func_lookup(const char *name, size_t len)
{
    for (size_t i = 0; i < PQL_FN_COUNT_; i++) {
        if (strlen(pql_funcs[i].name) == len && memcmp(pql_funcs[i].name, name, len) == 0)
            return &pql_funcs[i];
    }
    return NULL;
}

const struct pql_func_def *pql_func_by_id(enum pql_func_id id)
{
    return (unsigned)id < PQL_FN_COUNT_ ? &pql_funcs[id] : NULL;
}

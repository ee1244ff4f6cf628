/* SPDX-License-Identifier: Apache-2.0 */
/* dl.c: lm_dl_open, the one dlopen + dlsym loop behind every lazily loaded library. */
#include "lm/dl.h"

#include <dlfcn.h>
#include <stdio.h>

int lm_dl_open(const char *soname, const char *what, const struct lm_dl_sym *syms, size_t n,
               char *errbuf, size_t errlen)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(errbuf, errlen, "cannot load %s: %s", what, dlerror());
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(*syms[i].slot = dlsym(h, syms[i].name))) {
            snprintf(errbuf, errlen, "%s has no %s", what, syms[i].name);
            return -1;
        }
    }
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* dl.h: load an optional shared library at first use (dlopen) and resolve a table of its
 * functions, for libraries that only some configurations need (GnuTLS, libcurl, libyaml,
 * libcrypt, libsystemd): a process that does not need them never maps them. */
#ifndef LM_DL_H
#define LM_DL_H

#include <stddef.h>

/* One table entry: a symbol's name and where its address goes. */
struct lm_dl_sym {
    const char *name;
    void **slot;
};

/* lm_dl_open: dlopen soname (RTLD_NOW | RTLD_LOCAL; it stays loaded for the life of the
 * process) and store the address of each of the n symbols in its slot. 0, or -1 with
 * "cannot load <what>: <reason>" or "<what> has no <symbol>" in errbuf (errlen bytes;
 * slots may be partly filled then). */
int lm_dl_open(const char *soname, const char *what, const struct lm_dl_sym *syms, size_t n,
               char *errbuf, size_t errlen);

#endif

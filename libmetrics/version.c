/* SPDX-License-Identifier: Apache-2.0 */
/* version.c: build identification (lm/version.h) from compile-time macros. The build
 * date comes from __DATE__/__TIME__ rewritten in Go's "20060102-15:04:05" layout. */
#include <string.h>
#include "lm/version.h"

#ifndef LM_VERSION
#define LM_VERSION "0.1.0"
#endif
#ifndef LM_REVISION
#define LM_REVISION "unknown"
#endif
#ifndef LM_BRANCH
#define LM_BRANCH "HEAD"
#endif
#ifndef LM_BUILD_USER
#define LM_BUILD_USER "unknown"
#endif

#if defined(__clang__)
#define COMPILER_ "clang " __clang_version__
#elif defined(__GNUC__)
#define COMPILER_ "gcc " __VERSION__
#else
#define COMPILER_ "unknown"
#endif

#if defined(__x86_64__)
#define ARCH_ "amd64"
#elif defined(__aarch64__)
#define ARCH_ "arm64"
#elif defined(__i386__)
#define ARCH_ "386"
#elif defined(__arm__)
#define ARCH_ "arm"
#elif defined(__powerpc64__)
#define ARCH_ "ppc64le"
#elif defined(__s390x__)
#define ARCH_ "s390x"
#elif defined(__riscv)
#define ARCH_ "riscv64"
#else
#define ARCH_ "unknown"
#endif

/* __DATE__ is "Nov 25 2026", __TIME__ "13:58:18": both fixed, so the result is too. */
static const char build_date_src[] = __DATE__ " " __TIME__;
static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
#define DD_(i) (build_date_src[i] == ' ' ? '0' : build_date_src[i])

static void
build_date(char out[18])
{
    int m = 0;
    for (int i = 0; i < 12; i++)
        if (memcmp(months + 3 * i, build_date_src, 3) == 0)
            m = i + 1;
    char d[] = {build_date_src[7], build_date_src[8], build_date_src[9], build_date_src[10],
                (char)('0' + m / 10), (char)('0' + m % 10), DD_(4), build_date_src[5], '-',
                build_date_src[12], build_date_src[13], ':', build_date_src[15],
                build_date_src[16], ':', build_date_src[18], build_date_src[19], '\0'};
    memcpy(out, d, sizeof d);
}

void
lm_version_get(struct lm_version *v)
{
    v->version = LM_VERSION;
    v->revision = LM_REVISION;
    v->branch = LM_BRANCH;
    v->build_user = LM_BUILD_USER;
    build_date(v->build_date);
    v->compiler = COMPILER_;
    v->os = "linux";
    v->arch = ARCH_;
}

void
lm_version_print(FILE *out, const char *prog)
{
    struct lm_version v;
    lm_version_get(&v);
    fprintf(out, "%s, version %s (branch: %s, revision: %s)\n", prog, v.version, v.branch,
            v.revision);
    fprintf(out, "  build user:       %s\n", v.build_user);
    fprintf(out, "  build date:       %s\n", v.build_date);
    fprintf(out, "  C compiler:       %s\n", v.compiler);
    fprintf(out, "  platform:         %s/%s\n", v.os, v.arch);
}

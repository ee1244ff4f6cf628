/* SPDX-License-Identifier: Apache-2.0 */
/* version.h: what this build is (version, revision, branch, compiler, date, platform),
 * for --version (printed like Go's version.Print) and the <prog>_build_info metric.
 * Values are fixed at compile time (LM_VERSION, LM_REVISION, LM_BRANCH, LM_BUILD_USER). */
#ifndef LM_VERSION_H
#define LM_VERSION_H

#include <stdio.h>

/* Plain value filled by lm_version_get; the pointers are static strings, never NULL. */
struct lm_version {
    const char *version;      /* "0.1.0" or git describe */
    const char *revision;     /* short git hash or "unknown" */
    const char *branch;       /* git branch or "HEAD" */
    const char *build_user;   /* user@host, or "unknown" */
    char build_date[18];      /* "20261125-13:58:18" (Go's layout), NUL-terminated */
    const char *compiler;     /* "gcc 12.2.0" (takes goversion's place) */
    const char *os;           /* "linux" (goos) */
    const char *arch;         /* "amd64", "arm64", ... (goarch) */
};

/* lm_version_get: this build's values. Cannot fail; thread-safe. */
void lm_version_get(struct lm_version *v);

/* lm_version_print: the --version text for prog, as Go's version.Print:
 *   prog, version X (branch: B, revision: R)
 *     build user:       ...
 *     build date:       ...
 *     C compiler:       ...
 *     platform:         linux/amd64
 */
void lm_version_print(FILE *out, const char *prog);

#endif

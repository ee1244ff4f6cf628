/* SPDX-License-Identifier: Apache-2.0 */
/* process.h: the standard process_* metrics of client_golang's process collector, read
 * from /proc/self on each scrape, and the <namespace>_build_info gauge every Prometheus
 * exporter exposes. Linux only. */
#ifndef LM_PROCESS_H
#define LM_PROCESS_H

#include "lm/emit.h"
#include "lm/err.h"
#include "lm/registry.h"

/* lm_process_collect: emit process_cpu_seconds_total, process_open_fds, process_max_fds,
 * process_virtual_memory_bytes, process_virtual_memory_max_bytes,
 * process_resident_memory_bytes and process_start_time_seconds (names and help as
 * client_golang) for the process whose /proc directory is state (a const char *, e.g.
 * "/proc/self"; NULL means "/proc/self"). Usable as a registry collector. Returns 0, or
 * LM_EIO with err naming the file when /proc cannot be read (what could be read is
 * still emitted). */
int lm_process_collect(void *state, struct lm_emit *e, struct lm_err *err);

/* lm_process_register: add lm_process_collect for this process to r as collector
 * "process". 0, LM_EDUP or LM_ENOMEM. */
int lm_process_register(struct lm_registry *r, struct lm_err *err);

/* lm_build_info_register: register the gauge <ns>_build_info = 1 with node_exporter 1.5's
 * labels (branch, goarch, goos, goversion, revision, version), filled from lm/version.h:
 * goversion carries the C compiler ("gcc 12.2.0") and goarch/goos the Go spellings, so
 * dashboards written against the Go exporters keep working. version, revision and branch
 * NULL mean this build's. Returns 0 or lm_registry_add's error. */
int lm_build_info_register(struct lm_registry *r, const char *ns, const char *version,
                           const char *revision, const char *branch, struct lm_err *err);

#endif

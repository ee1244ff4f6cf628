/* SPDX-License-Identifier: Apache-2.0 */
/* sd_dl.h: libsystemd's sd-bus loaded with dlopen by the systemd collector when it first
 * connects, instead of linked, so a node_exporter without --collector.systemd never maps
 * libsystemd (and its gcrypt, lz4, zstd, cap dependencies). Include this instead of
 * <systemd/sd-bus.h>: it declares the same API and maps each sd_bus_* function the
 * collector uses onto the loaded table, so the collector's code is unchanged.
 * Call ne_sd_load() (thread-safe, idempotent) before any sd_bus_* call. */
#ifndef NE_SD_DL_H
#define NE_SD_DL_H

#include <systemd/sd-bus.h>
#include "lm/err.h"

/* The loaded functions. */
struct ne_sd_api {
    int (*call_method)(sd_bus *bus, const char *dest, const char *path, const char *iface,
                       const char *member, sd_bus_error *e, sd_bus_message **reply,
                       const char *types, ...);
    void (*error_free)(sd_bus_error *e);
    int (*error_is_set)(const sd_bus_error *e);
    sd_bus *(*flush_close_unref)(sd_bus *bus);
    int (*get_property_string)(sd_bus *bus, const char *dest, const char *path,
                               const char *iface, const char *member, sd_bus_error *e,
                               char **ret);
    int (*get_property_trivial)(sd_bus *bus, const char *dest, const char *path,
                                const char *iface, const char *member, sd_bus_error *e,
                                char type, void *ret);
    int (*is_open)(sd_bus *bus);
    int (*message_enter_container)(sd_bus_message *m, char type, const char *contents);
    int (*message_read)(sd_bus_message *m, const char *types, ...);
    sd_bus_message *(*message_unref)(sd_bus_message *m);
    int (*new_bus)(sd_bus **ret);
    int (*open_system)(sd_bus **ret);
    int (*set_address)(sd_bus *bus, const char *address);
    int (*set_method_call_timeout)(sd_bus *bus, uint64_t usec);
    int (*start)(sd_bus *bus);
    sd_bus *(*unref)(sd_bus *bus);
};

/* The table after a successful ne_sd_load(); all NULL before. */
extern struct ne_sd_api ne_sd;

/* ne_sd_load: dlopen libsystemd.so.0 and resolve the table, once per process. 0, or
 * LM_EUNSUPP with err saying why (library missing). */
int ne_sd_load(struct lm_err *err);

#define sd_bus_call_method (*ne_sd.call_method)
#define sd_bus_error_free (*ne_sd.error_free)
#define sd_bus_error_is_set (*ne_sd.error_is_set)
#define sd_bus_flush_close_unref (*ne_sd.flush_close_unref)
#define sd_bus_get_property_string (*ne_sd.get_property_string)
#define sd_bus_get_property_trivial (*ne_sd.get_property_trivial)
#define sd_bus_is_open (*ne_sd.is_open)
#define sd_bus_message_enter_container (*ne_sd.message_enter_container)
#define sd_bus_message_read (*ne_sd.message_read)
#define sd_bus_message_unref (*ne_sd.message_unref)
#define sd_bus_new (*ne_sd.new_bus)
#define sd_bus_open_system (*ne_sd.open_system)
#define sd_bus_set_address (*ne_sd.set_address)
#define sd_bus_set_method_call_timeout (*ne_sd.set_method_call_timeout)
#define sd_bus_start (*ne_sd.start)
#define sd_bus_unref (*ne_sd.unref)

#endif

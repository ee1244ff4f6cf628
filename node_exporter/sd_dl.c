/* SPDX-License-Identifier: Apache-2.0 */
/* sd_dl.c: loads libsystemd.so.0 with dlopen once (pthread_once) and fills the sd-bus
 * function table of sd_dl.h. The library stays loaded for the life of the process. */
#include <pthread.h>
#include <stdio.h>
#include "lm/dl.h"
#include "node_exporter/sd_dl.h"

struct ne_sd_api ne_sd;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256];   /* "" after a successful load */

static void
load(void)
{
    struct ne_sd_api t;
    const struct lm_dl_sym syms[] = {
        {"sd_bus_call_method", (void **)&t.call_method},
        {"sd_bus_error_free", (void **)&t.error_free},
        {"sd_bus_error_is_set", (void **)&t.error_is_set},
        {"sd_bus_flush_close_unref", (void **)&t.flush_close_unref},
        {"sd_bus_get_property_string", (void **)&t.get_property_string},
        {"sd_bus_get_property_trivial", (void **)&t.get_property_trivial},
        {"sd_bus_is_open", (void **)&t.is_open},
        {"sd_bus_message_enter_container", (void **)&t.message_enter_container},
        {"sd_bus_message_read", (void **)&t.message_read},
        {"sd_bus_message_unref", (void **)&t.message_unref},
        {"sd_bus_new", (void **)&t.new_bus},
        {"sd_bus_open_system", (void **)&t.open_system},
        {"sd_bus_set_address", (void **)&t.set_address},
        {"sd_bus_set_method_call_timeout", (void **)&t.set_method_call_timeout},
        {"sd_bus_start", (void **)&t.start},
        {"sd_bus_unref", (void **)&t.unref},
    };
    if (lm_dl_open("libsystemd.so.0", "libsystemd", syms,
                   sizeof syms / sizeof syms[0], load_error, sizeof load_error))
        return;
    ne_sd = t;
}

int
ne_sd_load(struct lm_err *err)
{
    pthread_once(&load_once, load);
    if (load_error[0])
        return lm_err_set(err, LM_EUNSUPP, NULL, "%s", load_error);
    return 0;
}

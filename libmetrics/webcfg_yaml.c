/* SPDX-License-Identifier: Apache-2.0 */
/* webcfg_yaml.c: loads libyaml-0.so.2 with dlopen once (pthread_once) and fills the
 * function table of webcfg_yaml.h. The library stays loaded for the life of the
 * process. */
#include <pthread.h>
#include "lm/dl.h"
#include "webcfg_yaml.h"

struct lmi_yaml_api lmi_yaml;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256];   /* "" after a successful load */

static void
load(void)
{
    struct lmi_yaml_api t;
    const struct lm_dl_sym syms[] = {
        {"yaml_parser_initialize", (void **)&t.parser_initialize},
        {"yaml_parser_delete", (void **)&t.parser_delete},
        {"yaml_parser_set_input_string", (void **)&t.parser_set_input_string},
        {"yaml_parser_load", (void **)&t.parser_load},
        {"yaml_document_delete", (void **)&t.document_delete},
        {"yaml_document_get_node", (void **)&t.document_get_node},
        {"yaml_document_get_root_node", (void **)&t.document_get_root_node},
    };
    if (lm_dl_open("libyaml-0.so.2", "libyaml", syms, sizeof syms / sizeof syms[0],
                   load_error, sizeof load_error))
        return;
    lmi_yaml = t;
}

int
lmi_yaml_load(const char *where, struct lm_err *err)
{
    pthread_once(&load_once, load);
    if (load_error[0])
        return lm_err_set(err, LM_EUNSUPP, where, "%s", load_error);
    return 0;
}

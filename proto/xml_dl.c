/* SPDX-License-Identifier: Apache-2.0 */
/* xml_dl.c: loads libxml2.so.2 with dlopen once (pthread_once), fills the function table
 * of proto/xml_dl.h and runs xmlInitParser. The library stays loaded for the life of the
 * process. */
#include <pthread.h>
#include <stdio.h>
#include "lm/dl.h"
#include "proto/xml_dl.h"

struct proto_xml_api proto_xml;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256];   /* "" after a successful load */

static void
load(void)
{
    struct proto_xml_api t;
    const struct lm_dl_sym syms[] = {
        {"xmlInitParser", (void **)&t.init_parser},
        {"xmlCtxtGetLastError", (void **)&t.ctxt_get_last_error},
        {"xmlCtxtReadMemory", (void **)&t.ctxt_read_memory},
        {"xmlDocGetRootElement", (void **)&t.doc_get_root_element},
        {"xmlFreeDoc", (void **)&t.free_doc},
        {"xmlFreeParserCtxt", (void **)&t.free_parser_ctxt},
        {"xmlGetLineNo", (void **)&t.get_line_no},
        {"xmlNewParserCtxt", (void **)&t.new_parser_ctxt},
        {"xmlSetGenericErrorFunc", (void **)&t.set_generic_error_func},
        {"xmlSetStructuredErrorFunc", (void **)&t.set_structured_error_func},
        {"__xmlGenericError", (void **)&t.generic_error},
        {"__xmlGenericErrorContext", (void **)&t.generic_error_context},
        {"__xmlStructuredError", (void **)&t.structured_error},
        {"__xmlStructuredErrorContext", (void **)&t.structured_error_context},
    };
    if (lm_dl_open("libxml2.so.2", "libxml2", syms,
                   sizeof syms / sizeof syms[0], load_error, sizeof load_error))
        return;
    t.init_parser();
    proto_xml = t;
}

int
proto_xml_load(struct lm_err *err)
{
    pthread_once(&load_once, load);
    if (load_error[0])
        return lm_err_set(err, LM_EUNSUPP, NULL, "%s", load_error);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* xml_dl.h: libxml2 loaded with dlopen on first use instead of linked, so a binary that
 * never parses XML-RPC (node_exporter without --collector.supervisord) never maps
 * libxml2 and what it pulls in (ICU, libstdc++, liblzma: ~1.9 MB of RSS). Include this
 * instead of <libxml/parser.h>: it declares the same API and maps each xml* function
 * proto/xmlrpc.c uses onto the loaded table (the error-handler globals too, which
 * libxml2 reaches through per-thread accessor functions). Call proto_xml_load()
 * (thread-safe, idempotent; it also runs xmlInitParser) before any other xml* call. */
#ifndef PROTO_XML_DL_H
#define PROTO_XML_DL_H

#include <libxml/parser.h>
#include "lm/err.h"

/* The loaded functions. */
struct proto_xml_api {
    void (*init_parser)(void);
    const xmlError *(*ctxt_get_last_error)(void *ctxt);
    xmlDoc *(*ctxt_read_memory)(xmlParserCtxt *ctxt, const char *buf, int size,
                                const char *url, const char *encoding, int options);
    xmlNode *(*doc_get_root_element)(const xmlDoc *doc);
    void (*free_doc)(xmlDoc *doc);
    void (*free_parser_ctxt)(xmlParserCtxt *ctxt);
    long (*get_line_no)(const xmlNode *node);
    xmlParserCtxt *(*new_parser_ctxt)(void);
    void (*set_generic_error_func)(void *ctx, xmlGenericErrorFunc handler);
    void (*set_structured_error_func)(void *ctx, xmlStructuredErrorFunc handler);
    xmlGenericErrorFunc *(*generic_error)(void);
    void **(*generic_error_context)(void);
    xmlStructuredErrorFunc *(*structured_error)(void);
    void **(*structured_error_context)(void);
};

/* The table after a successful proto_xml_load(); all NULL before. */
extern struct proto_xml_api proto_xml;

/* proto_xml_load: dlopen libxml2.so.2, resolve the table and run xmlInitParser, once per
 * process. 0, or LM_EUNSUPP with err saying why (library missing). */
int proto_xml_load(struct lm_err *err);

#define xmlInitParser (*proto_xml.init_parser)
#define xmlCtxtGetLastError (*proto_xml.ctxt_get_last_error)
#define xmlCtxtReadMemory (*proto_xml.ctxt_read_memory)
#define xmlDocGetRootElement (*proto_xml.doc_get_root_element)
#define xmlFreeDoc (*proto_xml.free_doc)
#define xmlFreeParserCtxt (*proto_xml.free_parser_ctxt)
#define xmlGetLineNo (*proto_xml.get_line_no)
#define xmlNewParserCtxt (*proto_xml.new_parser_ctxt)
#define xmlSetGenericErrorFunc (*proto_xml.set_generic_error_func)
#define xmlSetStructuredErrorFunc (*proto_xml.set_structured_error_func)
#define __xmlGenericError (*proto_xml.generic_error)
#define __xmlGenericErrorContext (*proto_xml.generic_error_context)
#define __xmlStructuredError (*proto_xml.structured_error)
#define __xmlStructuredErrorContext (*proto_xml.structured_error_context)

#endif

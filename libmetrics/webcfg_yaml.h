/* SPDX-License-Identifier: Apache-2.0 */
/* webcfg_yaml.h: libyaml loaded with dlopen when a web config is first parsed instead of
 * linked, so an exporter started without --web.config.file never maps it. Include this
 * instead of <yaml.h> in webcfg.c: it declares the same API and maps each yaml_*
 * function webcfg.c calls onto the loaded table. Call lmi_yaml_load() (thread-safe,
 * idempotent) before any other yaml_* call. Private to libmetrics. */
#ifndef LM_WEBCFG_YAML_H
#define LM_WEBCFG_YAML_H

#include <yaml.h>
#include "lm/err.h"

/* The loaded functions. */
struct lmi_yaml_api {
    int (*parser_initialize)(yaml_parser_t *parser);
    void (*parser_delete)(yaml_parser_t *parser);
    void (*parser_set_input_string)(yaml_parser_t *parser, const unsigned char *input,
                                    size_t size);
    int (*parser_load)(yaml_parser_t *parser, yaml_document_t *document);
    void (*document_delete)(yaml_document_t *document);
    yaml_node_t *(*document_get_node)(yaml_document_t *document, int index);
    yaml_node_t *(*document_get_root_node)(yaml_document_t *document);
};

/* The table after a successful lmi_yaml_load(); all NULL before. */
extern struct lmi_yaml_api lmi_yaml;

/* lmi_yaml_load: dlopen libyaml-0.so.2 and resolve the table, once per process. 0, or
 * LM_EUNSUPP with err saying why (library missing) at where. */
int lmi_yaml_load(const char *where, struct lm_err *err);

#define yaml_parser_initialize (*lmi_yaml.parser_initialize)
#define yaml_parser_delete (*lmi_yaml.parser_delete)
#define yaml_parser_set_input_string (*lmi_yaml.parser_set_input_string)
#define yaml_parser_load (*lmi_yaml.parser_load)
#define yaml_document_delete (*lmi_yaml.document_delete)
#define yaml_document_get_node (*lmi_yaml.document_get_node)
#define yaml_document_get_root_node (*lmi_yaml.document_get_root_node)

#endif

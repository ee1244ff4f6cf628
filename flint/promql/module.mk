# SPDX-License-Identifier: Apache-2.0
# promql: its unit tests link the tsdb (queries against a real database).
FLINT_DEPS_promql := tsdb
FLINT_EXTRA_LDLIBS_promql = $(FLINT_EXTRA_LDLIBS_tsdb)
# Fuzz target flint_promql (tests/fuzz/flint_promql.c): the lexer, parser and printer.
FLINT_PROMQL_PARSE_SRCS := $(filter flint/promql/lex%.c flint/promql/parse%.c \
                             flint/promql/ast%.c flint/promql/print%.c,$(FLINT_SRCS_promql))
FUZZ_SRCS_flint_promql := $(FLINT_PROMQL_PARSE_SRCS) flint/labels.c
FUZZ_OBJS_flint_promql := $(FUZZ_SRCS_flint_promql:%.c=$(BUILD)/%.o)
# Fuzz target flint_promql_eval (tests/fuzz/flint_promql_eval.c): parse + evaluate +
# JSON over in-memory series (everything but the tsdb source).
FUZZ_SRCS_flint_promql_eval := $(filter-out flint/promql/engine_tsdb.c,$(FLINT_SRCS_promql)) \
                               flint/labels.c
FUZZ_OBJS_flint_promql_eval := $(FUZZ_SRCS_flint_promql_eval:%.c=$(BUILD)/%.o)

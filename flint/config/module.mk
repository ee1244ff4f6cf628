# SPDX-License-Identifier: Apache-2.0
# flint/config: prometheus.yml. Relabel rules are built here (struct rl_rule), so the
# unit tests link flint/relabel too.
FLINT_DEPS_config := relabel

# Fuzz target tests/fuzz/flint_config.c: the parser, relabel rules and labels.
FUZZ_SRCS_flint_config := $(FLINT_SRCS_config) $(FLINT_SRCS_relabel) flint/labels.c
FUZZ_OBJS_flint_config := $(FLINT_SRCS_config:%.c=$(BUILD)/%.o) \
                          $(FLINT_SRCS_relabel:%.c=$(BUILD)/%.o) $(BUILD)/flint/labels.o
FUZZ_LIBS_flint_config := $(call pc_libs,yaml-0.1)

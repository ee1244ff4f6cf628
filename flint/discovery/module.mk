# SPDX-License-Identifier: Apache-2.0
# flint/discovery: static_configs and file_sd_configs (JSON target files via jansson).
FLINT_DEPS_discovery := config relabel
FLINT_EXTRA_LDLIBS_discovery := $(call pc_libs,jansson)
EXTRA_CFLAGS_flint += $(call pc_cflags,jansson)

# Fuzz target tests/fuzz/flint_file_sd.c: file_sd target files (JSON and YAML).
FUZZ_SRCS_flint_file_sd := flint/discovery/file.c flint/discovery/groups.c \
                           flint/config/yamlnode.c flint/config/duration.c flint/labels.c
FUZZ_OBJS_flint_file_sd := $(FUZZ_SRCS_flint_file_sd:%.c=$(BUILD)/%.o)
FUZZ_LIBS_flint_file_sd := $(call pc_libs,yaml-0.1 jansson)

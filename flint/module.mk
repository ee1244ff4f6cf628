# SPDX-License-Identifier: Apache-2.0
# flint: the central server. Everything under flint/ except main.c goes into libflint.a
# (so unit tests, fuzz targets and benches link it); main.c makes the binary.
# Subdirectories (one concern each, see ../DESIGN.md): config, discovery, relabel,
# scrape, tsdb, promql, api. Sources are found by wildcard: adding a file needs no edit.

FLINT_PKGS := libcurl yaml-0.1 zlib
FLINT_SRCS := $(sort $(filter-out flint/main.c,$(wildcard flint/*.c flint/*/*.c)))
FLINT_OBJS := $(FLINT_SRCS:%.c=$(BUILD)/%.o)
FLINT_LIB  := $(BUILD)/libflint.a
FLINT_LDLIBS := $(call pc_libs,$(FLINT_PKGS)) -lm
EXTRA_CFLAGS_flint := $(call pc_cflags,$(FLINT_PKGS))

$(FLINT_LIB): $(FLINT_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

ifneq ($(wildcard flint/main.c),)
$(BUILD)/flint/flint: $(BUILD)/flint/main.o $(FLINT_LIB) $(LM_LIB)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(FLINT_LDLIBS) $(LM_LIBS)
BINS += $(BUILD)/flint/flint
endif

UNIT_LIBS_flint := $(FLINT_LIB)
UNIT_LDLIBS_flint := $(FLINT_LDLIBS)

# SPDX-License-Identifier: Apache-2.0
# flint: the central server. One archive per part, so each part builds and is tested on
# its own: flint/*.c (labels, shared by all) -> libflint_core.a, and flint/<part>/*.c ->
# libflint_<part>.a for config, discovery, relabel, scrape, tsdb, promql, api, server
# (the wiring: config -> discovery -> scrape -> tsdb, reload). main.c
# links them all into the binary. Each part's flint/<part>/module.mk (included below)
# may set FLINT_DEPS_<part> (other parts it links against, for its unit tests) and its
# unit tests live in tests/unit/flint_<part>/. Sources are found by wildcard.

FLINT_PKGS := libcurl yaml-0.1 zlib
FLINT_LDLIBS := $(call pc_libs,$(FLINT_PKGS)) -lm
EXTRA_CFLAGS_flint := $(call pc_cflags,$(FLINT_PKGS))
FLINT_PARTS := server api promql scrape discovery config relabel tsdb

FLINT_CORE_SRCS := $(sort $(filter-out flint/main.c,$(wildcard flint/*.c)))
FLINT_CORE_LIB := $(BUILD)/libflint_core.a
$(FLINT_CORE_LIB): $(FLINT_CORE_SRCS:%.c=$(BUILD)/%.o)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

define flint_part
FLINT_SRCS_$(1) := $$(sort $$(wildcard flint/$(1)/*.c))
FLINT_LIB_$(1) := $$(BUILD)/libflint_$(1).a
$$(FLINT_LIB_$(1)): $$(FLINT_SRCS_$(1):%.c=$$(BUILD)/%.o)
	@mkdir -p $$(@D)
	$$(Q)rm -f $$@ && $$(AR) rcs $$@ $$^
endef
$(foreach p,$(FLINT_PARTS),$(eval $(call flint_part,$(p))))

include $(sort $(wildcard flint/*/module.mk))

# Unit tests of a part link the part, the parts it names in FLINT_DEPS_<part>, and core.
define flint_unit
UNIT_LIBS_flint_$(1) := $$(FLINT_LIB_$(1)) $$(foreach d,$$(FLINT_DEPS_$(1)),$$(FLINT_LIB_$$(d))) $$(FLINT_CORE_LIB)
UNIT_LDLIBS_flint_$(1) := $$(FLINT_LDLIBS) $$(FLINT_EXTRA_LDLIBS_$(1))
endef
$(foreach p,$(FLINT_PARTS),$(eval $(call flint_unit,$(p))))
UNIT_LIBS_flint := $(FLINT_CORE_LIB)
UNIT_LDLIBS_flint := $(FLINT_LDLIBS)

FLINT_ALL_LIBS := $(foreach p,$(FLINT_PARTS),$(if $(FLINT_SRCS_$(p)),$(FLINT_LIB_$(p)))) \
                  $(FLINT_CORE_LIB)
ifneq ($(wildcard flint/main.c),)
$(BUILD)/flint/flint: $(BUILD)/flint/main.o $(FLINT_ALL_LIBS) $(LM_LIB)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(FLINT_LDLIBS) $(foreach p,$(FLINT_PARTS),$(FLINT_EXTRA_LDLIBS_$(p))) $(LM_LIBS)
BINS += $(BUILD)/flint/flint
endif

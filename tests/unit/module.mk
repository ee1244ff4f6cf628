# SPDX-License-Identifier: Apache-2.0
# Unit tests: one check binary per component directory tests/unit/<component>/.
# Each test_<file>.c exports `Suite *<file>_suite(void)`; the suite table is generated
# from the file names, so adding a test file needs no edit here.
# A component may set UNIT_LIBS_<component> (extra archives/libs to link, before LM_LIB).

CHECK_CFLAGS := $(call pc_cflags,check)
CHECK_LIBS   := $(call pc_libs,check)
UNIT_COMPONENTS := $(notdir $(patsubst %/,%,$(sort $(dir $(wildcard tests/unit/*/test_*.c)))))

UNIT_LDLIBS_libmetrics := $(call pc_libs,libcurl)

define unit_template
UNIT_SRCS_$(1) := $$(sort $$(wildcard tests/unit/$(1)/test_*.c))
UNIT_OBJS_$(1) := $$(UNIT_SRCS_$(1):%.c=$$(BUILD)/%.o)
$$(BUILD)/tests/unit/$(1)/suites.h: $$(UNIT_SRCS_$(1)) tests/unit/module.mk FORCE
	@mkdir -p $$(@D)
	$$(Q)for f in $$(UNIT_SRCS_$(1)); do b=$$$${f##*/test_}; echo "SUITE($$$${b%.c})"; done > $$@.tmp && \
	  (cmp -s $$@.tmp $$@ || mv $$@.tmp $$@); rm -f $$@.tmp
$$(BUILD)/tests/unit/$(1)/runner.o: tests/unit/runner.c $$(BUILD)/tests/unit/$(1)/suites.h
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(ALL_CFLAGS) $$(CHECK_CFLAGS) -I$$(BUILD)/tests/unit/$(1) \
	  -DUNIT_COMPONENT='"$(1)"' -c $$< -o $$@
$$(BUILD)/tests/unit_$(1): $$(UNIT_OBJS_$(1)) $$(BUILD)/tests/unit/$(1)/runner.o $$(UNIT_LIBS_$(1)) $$(LM_LIB)
	$$(Q)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(UNIT_LDLIBS_$(1)) $$(LM_LIBS) $$(CHECK_LIBS)
TEST_BINS += $$(BUILD)/tests/unit_$(1)
endef
$(foreach c,$(UNIT_COMPONENTS),$(eval $(call unit_template,$(c))))

EXTRA_CFLAGS_tests := $(CHECK_CFLAGS) $(call pc_cflags,$(LM_PKGS))

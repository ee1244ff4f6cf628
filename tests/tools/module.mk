# SPDX-License-Identifier: Apache-2.0
# Test tools: stand-ins for servers the integration tests need (tests/tools/<tool>.c, one
# file per tool) built into $(BUILD)/tests/tools/<tool>. A tool may set TOOL_PKGS_<tool>
# (pkg-config packages it links); libmetrics is always linked.

TOOL_NAMES := $(basename $(notdir $(wildcard tests/tools/*.c)))
TOOL_PKGS_fake_systemd := libsystemd

define tool_template
$$(BUILD)/tests/tools/$(1): $$(BUILD)/tests/tools/$(1).o $$(LM_LIB)
	$$(Q)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(if $$(TOOL_PKGS_$(1)),$$(call pc_libs,$$(TOOL_PKGS_$(1)))) $$(LM_LIBS)
TEST_BINS += $$(BUILD)/tests/tools/$(1)
endef
$(foreach t,$(TOOL_NAMES),$(eval $(call tool_template,$(t))))

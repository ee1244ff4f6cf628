# SPDX-License-Identifier: Apache-2.0
# rules.mk: pattern rules shared by every module. Objects go to build/$(VARIANT)/.

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(EXTRA_CFLAGS_$(firstword $(subst /, ,$<))) -c $< -o $@

Q := $(if $(V),,@)

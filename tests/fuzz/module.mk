# SPDX-License-Identifier: Apache-2.0
# Fuzz targets: tests/fuzz/<target>.c defines LLVMFuzzerTestOneInput. `make fuzz` builds
# each with clang + libFuzzer + ASan/UBSan into build/fuzz/<target>; the replay main
# (tests/fuzz/replay.c) also builds each with the normal compiler, so every variant runs
# the corpus (build/$(VARIANT)/fuzz/replay_<target>). A target may set FUZZ_SRCS_<target>
# (extra sources beside libmetrics) and FUZZ_LIBS_<target>.

FUZZ_TARGETS := $(basename $(notdir $(filter-out tests/fuzz/replay.c,$(wildcard tests/fuzz/*.c))))
FUZZ_CC := clang
FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -pthread -g -O1 -Ilibmetrics/include -I. \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
              -DLM_VERSION='"fuzz"' -DLM_REVISION='"fuzz"' -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers

define fuzz_template
build/fuzz/$(1): tests/fuzz/$(1).c $$(LM_SRCS) $$(FUZZ_SRCS_$(1)) $$(wildcard libmetrics/*.h libmetrics/include/lm/*.h)
	@mkdir -p $$(@D)
	$$(Q)$$(FUZZ_CC) $$(FUZZ_FLAGS) $$(call pc_cflags,$$(LM_PKGS)) -o $$@ tests/fuzz/$(1).c \
	  $$(LM_SRCS) $$(FUZZ_SRCS_$(1)) $$(FUZZ_LIBS_$(1)) $$(LM_LIBS)
$$(BUILD)/fuzz/replay_$(1): $$(BUILD)/tests/fuzz/$(1).o $$(BUILD)/tests/fuzz/replay.o $$(FUZZ_OBJS_$(1)) $$(LM_LIB)
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(FUZZ_LIBS_$(1)) $$(LM_LIBS)
FUZZ_BINS += build/fuzz/$(1)
TEST_BINS += $$(BUILD)/fuzz/replay_$(1)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_template,$(t))))

fuzz: $(FUZZ_BINS)

# SPDX-License-Identifier: Apache-2.0
# Benchmarks: bench/<name>.c, each a standalone program linked with libmetrics, built
# into $(BUILD)/bench/<name> and appended to BENCH_BINS; `make bench` builds them and
# runs bench/run.sh (which runs every binary under build/release/bench/).

BENCH_NAMES := $(basename $(notdir $(wildcard bench/*.c)))

define bench_template
$$(BUILD)/bench/$(1): $$(BUILD)/bench/$(1).o $$(LM_LIB)
	$$(Q)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(LM_LIBS)
BENCH_BINS += $$(BUILD)/bench/$(1)
endef
$(foreach b,$(BENCH_NAMES),$(eval $(call bench_template,$(b))))

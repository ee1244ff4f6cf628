# SPDX-License-Identifier: Apache-2.0
# Benchmarks: bench/<name>.c, each a standalone program linked with libmetrics, built
# into $(BUILD)/bench/<name> and appended to BENCH_BINS; `make bench` builds them and
# runs bench/run.sh (which runs every binary under build/release/bench/).
# A bench may set BENCH_LIBS_<name> (archives linked before libmetrics, e.g. flint
# parts) and BENCH_LDLIBS_<name> (system libraries).

BENCH_NAMES := $(basename $(notdir $(wildcard bench/*.c)))

BENCH_LIBS_bench_tsdb := $(BUILD)/libflint_tsdb.a $(BUILD)/libflint_core.a
BENCH_LDLIBS_bench_tsdb = $(FLINT_EXTRA_LDLIBS_tsdb) $(FLINT_LDLIBS)

define bench_template
$$(BUILD)/bench/$(1): $$(BUILD)/bench/$(1).o $$(BENCH_LIBS_$(1)) $$(LM_LIB)
	$$(Q)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(LM_LIBS) $$(BENCH_LDLIBS_$(1))
BENCH_BINS += $$(BUILD)/bench/$(1)
endef
$(foreach b,$(BENCH_NAMES),$(eval $(call bench_template,$(b))))

# SPDX-License-Identifier: Apache-2.0
# flint/scrape: target labels, scrape loops over libcurl multi handles, the append step.
# Its unit tests scrape local HTTP servers into a real TSDB, with real relabel rules and
# config durations, so they link those parts (and the TSDB's zstd).
FLINT_DEPS_scrape := tsdb relabel config
FLINT_EXTRA_LDLIBS_scrape = $(FLINT_EXTRA_LDLIBS_tsdb)

# Fuzz target tests/fuzz/flint_scrape.c: pages through the append step into a TSDB.
FUZZ_SRCS_flint_scrape = flint/scrape/append.c flint/scrape/cache.c flint/scrape/pool.c \
                         $(FLINT_SRCS_tsdb) $(FLINT_SRCS_relabel) flint/labels.c
FUZZ_OBJS_flint_scrape = $(FUZZ_SRCS_flint_scrape:%.c=$(BUILD)/%.o)
FUZZ_LIBS_flint_scrape = -lzstd $(call pc_libs,jansson)

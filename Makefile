# SPDX-License-Identifier: Apache-2.0
# Top-level, non-recursive Makefile: one graph for all modules, so `make -j` sees it all.
# Each directory's module.mk appends to BINS (installed programs) and TEST_BINS.
# Targets: all test run bench install clean fuzz checksrc (see README.md).

include mk/config.mk

BINS      :=
TEST_BINS :=
BENCH_BINS :=

all:

include libmetrics/module.mk
include $(filter-out libmetrics/module.mk,$(sort $(wildcard */module.mk)))
include $(sort $(wildcard tests/*/module.mk))
include mk/rules.mk

all: $(BINS)

.PHONY: all test unit run bench install clean fuzz checksrc deps deps-test FORCE
FORCE:

deps:
	./scripts/deps.sh --run
deps-test:
	./scripts/deps.sh --test

unit: $(TEST_BINS)

# make test: install what is missing, build, run every suite (unit, sanitizers, fuzz
# smoke, integration, promtool). tests/run.sh prints the "N passed, N failed" line.
test: deps-test
	$(MAKE) all unit
	$(MAKE) VARIANT=asan all unit
	$(MAKE) fuzz
	./tests/run.sh

run: deps
	$(MAKE) all
	./scripts/run.sh

bench: deps-test
	$(MAKE) all $(BENCH_BINS)
	./bench/run.sh

install: all
	install -d $(DESTDIR)$(BINDIR)
	for b in $(BINS); do install -m 0755 $$b $(DESTDIR)$(BINDIR)/; done

checksrc:
	./scripts/checksrc

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)

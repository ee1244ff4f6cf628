# SPDX-License-Identifier: Apache-2.0
# flint/server: the wiring (config -> discovery -> scrape -> tsdb), reloads and the
# command-line settings. Its unit tests start the real parts on temporary directories.
FLINT_DEPS_server := api promql scrape discovery config relabel tsdb
FLINT_EXTRA_LDLIBS_server = $(foreach d,$(FLINT_DEPS_server),$(FLINT_EXTRA_LDLIBS_$(d)))

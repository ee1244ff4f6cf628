# SPDX-License-Identifier: Apache-2.0
# flint/api: the HTTP API. Its unit tests run it on a live lm_http server over a real
# TSDB with a fake server backend, so they link the parts it reads (and their libraries).
FLINT_DEPS_api := promql scrape discovery config relabel tsdb
FLINT_EXTRA_LDLIBS_api = $(foreach d,$(FLINT_DEPS_api),$(FLINT_EXTRA_LDLIBS_$(d)))

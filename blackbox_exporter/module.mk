# SPDX-License-Identifier: Apache-2.0
# blackbox_exporter: main.c + config.c (blackbox.yml), probe.c (shared resolve step and
# prober table), tls.c (tls_config -> lm/tlsc.h options, the probe_ssl_* families),
# decompress.c (zlib, for the http prober's `compression`) and one file per prober under
# prober/, built into libbb.a (everything but main.c) for the unit tests. Neither libcurl
# nor OpenSSL: http speaks HTTP/1.1 through proto/httpc.h, TLS is GnuTLS loaded with
# dlopen by libmetrics (lm/tlsc.h) on the first TLS probe. config.c alone (libyaml
# + libmetrics) is the fuzz target tests/fuzz/blackbox_config.c; dnsmsg.c (the DNS wire
# format, with config.c for the type names) is tests/fuzz/dns_reply.c.

BB_PKGS := zlib
BB_SRCS := $(sort $(filter-out blackbox_exporter/main.c,$(wildcard blackbox_exporter/*.c)) \
             $(wildcard blackbox_exporter/prober/*.c))
BB_OBJS := $(BB_SRCS:%.c=$(BUILD)/%.o)
BB_LIB  := $(BUILD)/libbb.a
EXTRA_CFLAGS_blackbox_exporter := $(call pc_cflags,$(BB_PKGS) yaml-0.1)

$(BB_LIB): $(BB_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/blackbox_exporter/blackbox_exporter: $(BUILD)/blackbox_exporter/main.o $(BB_LIB) \
		$(BUILD)/libproto.a $(LM_LIB)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc_libs,$(BB_PKGS) $(PROTO_PKGS)) $(LM_LIBS)
BINS += $(BUILD)/blackbox_exporter/blackbox_exporter

UNIT_LIBS_blackbox_exporter := $(BB_LIB)
UNIT_LDLIBS_blackbox_exporter := $(call pc_libs,$(BB_PKGS))

FUZZ_SRCS_blackbox_config := blackbox_exporter/config.c
FUZZ_OBJS_blackbox_config := $(BUILD)/blackbox_exporter/config.o
$(BUILD)/fuzz/replay_blackbox_config: | bb-fuzz-dir
FUZZ_SRCS_dns_reply := blackbox_exporter/dnsmsg.c blackbox_exporter/config.c
FUZZ_OBJS_dns_reply := $(BUILD)/blackbox_exporter/dnsmsg.o $(BUILD)/blackbox_exporter/config.o
$(BUILD)/fuzz/replay_dns_reply: | bb-fuzz-dir
.PHONY: bb-fuzz-dir
bb-fuzz-dir:
	@mkdir -p $(BUILD)/fuzz

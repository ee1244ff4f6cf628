# SPDX-License-Identifier: Apache-2.0
# apache_exporter: main.c + the apache collector (apache.c) + the ?auto parser
# (status_parse.c), built into libap.a (everything but main.c) so unit tests and the
# fuzz target link the parser directly. HTTP goes through proto/fetch.c (libproto.a).

AP_PKGS := libcurl
AP_SRCS := $(sort $(filter-out apache_exporter/main.c,$(wildcard apache_exporter/*.c)))
AP_OBJS := $(AP_SRCS:%.c=$(BUILD)/%.o)
AP_LIB  := $(BUILD)/libap.a
EXTRA_CFLAGS_apache_exporter := $(call pc_cflags,$(AP_PKGS))

$(AP_LIB): $(AP_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/apache_exporter/apache_exporter: $(BUILD)/apache_exporter/main.o $(AP_LIB) \
		$(BUILD)/libproto.a $(LM_LIB)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc_libs,$(PROTO_PKGS)) $(LM_LIBS)
BINS += $(BUILD)/apache_exporter/apache_exporter

UNIT_LIBS_apache_exporter := $(AP_LIB)
UNIT_LDLIBS_apache_exporter :=

# fuzz target tests/fuzz/apache_status.c: the ?auto parser alone.
FUZZ_SRCS_apache_status := apache_exporter/status_parse.c
FUZZ_OBJS_apache_status := $(BUILD)/apache_exporter/status_parse.o
$(BUILD)/fuzz/replay_apache_status: | ap-fuzz-dir
.PHONY: ap-fuzz-dir
ap-fuzz-dir:
	@mkdir -p $(BUILD)/fuzz

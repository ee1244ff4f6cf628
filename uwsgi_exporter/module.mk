# SPDX-License-Identifier: Apache-2.0
# uwsgi_exporter: main.c + the uwsgi collector (uwsgi.c), built into libuw.a (everything
# but main.c) so unit tests link the collector directly. The stats client (read + parse,
# jansson) is proto/uwsgi_stats*.c in libproto.a.

UW_SRCS := $(sort $(filter-out uwsgi_exporter/main.c,$(wildcard uwsgi_exporter/*.c)))
UW_OBJS := $(UW_SRCS:%.c=$(BUILD)/%.o)
UW_LIB  := $(BUILD)/libuw.a
EXTRA_CFLAGS_uwsgi_exporter := $(call pc_cflags,jansson)

$(UW_LIB): $(UW_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/uwsgi_exporter/uwsgi_exporter: $(BUILD)/uwsgi_exporter/main.o $(UW_LIB) \
		$(BUILD)/libproto.a $(LM_LIB)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc_libs,$(PROTO_PKGS)) $(LM_LIBS)
BINS += $(BUILD)/uwsgi_exporter/uwsgi_exporter

UNIT_LIBS_uwsgi_exporter := $(UW_LIB) $(BUILD)/libproto.a
UNIT_LDLIBS_uwsgi_exporter := $(call pc_libs,$(PROTO_PKGS))

# fuzz target tests/fuzz/uwsgi_stats.c: the stats document parser alone (jansson).
FUZZ_SRCS_uwsgi_stats := proto/uwsgi_stats.c
FUZZ_OBJS_uwsgi_stats := $(BUILD)/proto/uwsgi_stats.o
FUZZ_LIBS_uwsgi_stats := $(call pc_cflags,jansson) $(call pc_libs,jansson)
$(BUILD)/fuzz/replay_uwsgi_stats: | uw-fuzz-dir
.PHONY: uw-fuzz-dir
uw-fuzz-dir:
	@mkdir -p $(BUILD)/fuzz

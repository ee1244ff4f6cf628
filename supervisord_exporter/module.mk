# SPDX-License-Identifier: Apache-2.0
# supervisord_exporter: main.c + the supervisord collector (supervisord.c), built into
# libsv.a (everything but main.c) so unit tests link the collector directly. XML-RPC is
# proto/xmlrpc*.c in libproto.a (libc only; libcurl loaded for https), shared with node_exporter.

SV_SRCS := $(sort $(filter-out supervisord_exporter/main.c,$(wildcard supervisord_exporter/*.c)))
SV_OBJS := $(SV_SRCS:%.c=$(BUILD)/%.o)
SV_LIB  := $(BUILD)/libsv.a

$(SV_LIB): $(SV_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/supervisord_exporter/supervisord_exporter: $(BUILD)/supervisord_exporter/main.o \
		$(SV_LIB) $(BUILD)/libproto.a $(LM_LIB)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc_libs,$(PROTO_PKGS)) $(LM_LIBS)
BINS += $(BUILD)/supervisord_exporter/supervisord_exporter

UNIT_LIBS_supervisord_exporter := $(SV_LIB) $(BUILD)/libproto.a
UNIT_LDLIBS_supervisord_exporter := $(call pc_libs,$(PROTO_PKGS))

# SPDX-License-Identifier: Apache-2.0
# zeo_exporter: main.c + the zeo collector (zeo.c) + the ZEO client (zeo_client.c:
# sockets and frames; zeo_status.c: JSON/monitor parsing, TID and ctime decoding), built
# into libzeo.a (everything but main.c) so unit tests and the fuzz target link it.
# Sockets go through proto/sock.c (libproto.a; it needs no pkg-config libraries, and a
# static link pulls in only that object).

ZEO_PKGS := jansson
ZEO_SRCS := $(sort $(filter-out zeo_exporter/main.c,$(wildcard zeo_exporter/*.c)))
ZEO_OBJS := $(ZEO_SRCS:%.c=$(BUILD)/%.o)
ZEO_LIB  := $(BUILD)/libzeo.a
EXTRA_CFLAGS_zeo_exporter := $(call pc_cflags,$(ZEO_PKGS))

$(ZEO_LIB): $(ZEO_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/zeo_exporter/zeo_exporter: $(BUILD)/zeo_exporter/main.o $(ZEO_LIB) \
		$(BUILD)/libproto.a $(LM_LIB)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc_libs,$(ZEO_PKGS)) $(LM_LIBS)
BINS += $(BUILD)/zeo_exporter/zeo_exporter

UNIT_LIBS_zeo_exporter := $(ZEO_LIB) $(BUILD)/libproto.a
UNIT_LDLIBS_zeo_exporter := $(call pc_libs,$(ZEO_PKGS))

# fuzz target tests/fuzz/zeo_status.c: frame + announcement + JSON reply parser.
FUZZ_SRCS_zeo_status := zeo_exporter/zeo_status.c
FUZZ_OBJS_zeo_status := $(BUILD)/zeo_exporter/zeo_status.o
FUZZ_LIBS_zeo_status := $(call pc_libs,$(ZEO_PKGS))

# SPDX-License-Identifier: Apache-2.0
# node_exporter: main.c + the collector table + one file per collector, built into
# libne.a (everything but main.c) so unit tests link the collectors directly.

# libsystemd: headers only, sd_dl.c loads it with dlopen when the systemd collector runs.
NE_PKGS := libsystemd libpcre2-8
NE_LINK_PKGS := libpcre2-8
NE_SRCS := $(sort $(filter-out node_exporter/main.c,$(wildcard node_exporter/*.c node_exporter/collector/*.c)))
NE_OBJS := $(NE_SRCS:%.c=$(BUILD)/%.o)
NE_LIB  := $(BUILD)/libne.a
PROTO_LIB := $(BUILD)/libproto.a
NE_PROTO := $(if $(wildcard proto/*.c),$(PROTO_LIB))
EXTRA_CFLAGS_node_exporter := $(call pc_cflags,$(NE_PKGS))

$(NE_LIB): $(NE_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

ifneq ($(wildcard node_exporter/main.c),)
$(BUILD)/node_exporter/node_exporter: $(BUILD)/node_exporter/main.o $(NE_LIB) $(NE_PROTO) $(LM_LIB)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc_libs,$(NE_LINK_PKGS)) $(LM_LIBS)
BINS += $(BUILD)/node_exporter/node_exporter
endif

UNIT_LIBS_node_exporter := $(NE_LIB) $(NE_PROTO)
UNIT_LDLIBS_node_exporter := $(call pc_libs,$(NE_LINK_PKGS))

# SPDX-License-Identifier: Apache-2.0
# haproxy_exporter: main.c + the haproxy collector (haproxy.c), its column tables
# (fields.c), the stats socket client (stats_socket.c) and the CSV reader (csv_parse.c),
# built into libhap.a (everything but main.c) for the unit tests and the fuzz target.
# HTTP goes through proto/fetch.c, the stats socket through proto/sock.c (libproto.a).

HAP_SRCS := $(sort $(filter-out haproxy_exporter/main.c,$(wildcard haproxy_exporter/*.c)))
HAP_OBJS := $(HAP_SRCS:%.c=$(BUILD)/%.o)
HAP_LIB  := $(BUILD)/libhap.a

$(HAP_LIB): $(HAP_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/haproxy_exporter/haproxy_exporter: $(BUILD)/haproxy_exporter/main.o $(HAP_LIB) \
		$(BUILD)/libproto.a $(LM_LIB)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc_libs,$(PROTO_PKGS)) $(LM_LIBS)
BINS += $(BUILD)/haproxy_exporter/haproxy_exporter

UNIT_LIBS_haproxy_exporter := $(HAP_LIB) $(BUILD)/libproto.a
UNIT_LDLIBS_haproxy_exporter :=

# fuzz target tests/fuzz/haproxy_csv.c: the CSV reader alone.
FUZZ_SRCS_haproxy_csv := haproxy_exporter/csv_parse.c
FUZZ_OBJS_haproxy_csv := $(BUILD)/haproxy_exporter/csv_parse.o
$(BUILD)/fuzz/replay_haproxy_csv: | hap-fuzz-dir
.PHONY: hap-fuzz-dir
hap-fuzz-dir:
	@mkdir -p $(BUILD)/fuzz

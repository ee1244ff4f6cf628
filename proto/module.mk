# SPDX-License-Identifier: Apache-2.0
# proto: protocol clients shared by two or more binaries, built into libproto.a. Users
# link $(PROTO_LIB) and $(PROTO_LDLIBS). The XML-RPC codec (xmlrpc.c, xmlrpc_read.c and
# its XML reader xmlrpc_lex.c) needs libc only; the uWSGI stats parser needs jansson; the
# deadline-bounded socket client (sock.c) and
# the plain HTTP client (httpc.c, used by fetch.c and the XML-RPC transport) need only
# libc and libmetrics. libcurl is not linked: curl_dl.c loads it with dlopen for https://
# only (its headers are still needed to build).

PROTO_PKGS   := jansson
PROTO_SRCS   := $(sort $(wildcard proto/*.c))
PROTO_OBJS   := $(PROTO_SRCS:%.c=$(BUILD)/%.o)
PROTO_LIB    := $(BUILD)/libproto.a
PROTO_LDLIBS := $(call pc_libs,$(PROTO_PKGS))
EXTRA_CFLAGS_proto := $(call pc_cflags,$(PROTO_PKGS) libcurl)

$(PROTO_LIB): $(PROTO_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

all: $(PROTO_LIB)

# unit tests: tests/unit/proto/
UNIT_LIBS_proto   := $(PROTO_LIB)
UNIT_LDLIBS_proto := $(PROTO_LDLIBS)

# fuzz target tests/fuzz/xmlrpc.c: the response parser alone (libc only, no curl).
FUZZ_SRCS_xmlrpc := proto/xmlrpc.c proto/xmlrpc_read.c proto/xmlrpc_lex.c
FUZZ_OBJS_xmlrpc := $(BUILD)/proto/xmlrpc.o $(BUILD)/proto/xmlrpc_read.o $(BUILD)/proto/xmlrpc_lex.o
# tests/fuzz/module.mk's replay rule does not create $(BUILD)/fuzz/ yet; make sure it exists.
$(BUILD)/fuzz/replay_xmlrpc: | proto-fuzz-dir
.PHONY: proto-fuzz-dir
proto-fuzz-dir:
	@mkdir -p $(BUILD)/fuzz

# fuzz target tests/fuzz/httpc.c: the HTTP answer and URL parsers (libc only).
FUZZ_SRCS_httpc := proto/httpc.c proto/sock.c
FUZZ_OBJS_httpc := $(BUILD)/proto/httpc.o $(BUILD)/proto/sock.o
$(BUILD)/fuzz/replay_httpc: | proto-fuzz-dir

# SPDX-License-Identifier: Apache-2.0
# libmetrics: the static library every binary links (public headers in include/lm/).

LM_SRCS := $(sort $(wildcard libmetrics/*.c))
LM_OBJS := $(LM_SRCS:%.c=$(BUILD)/%.o)
LM_LIB  := $(BUILD)/libmetrics.a
LM_LIBS := $(call pc_libs,$(LM_LINK_PKGS)) -lm
EXTRA_CFLAGS_libmetrics := $(call pc_cflags,$(LM_PKGS))

$(LM_LIB): $(LM_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

all: $(LM_LIB)

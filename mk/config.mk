# SPDX-License-Identifier: Apache-2.0
# config.mk: compiler, flags and library flags per build variant.
# VARIANT selects build/$(VARIANT)/: release (default), debug, asan (ASan + UBSan).

VARIANT ?= release
BUILD   ?= build/$(VARIANT)
CC      ?= cc
PKG_CONFIG ?= pkg-config
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DESTDIR ?=
VERSION ?= $(shell cat VERSION 2>/dev/null || echo 0.0.0)
REVISION ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
BRANCH  ?= $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null || echo HEAD)
BUILD_USER ?= $(shell echo "$$(id -un 2>/dev/null)@$$(hostname 2>/dev/null)")

WARN    := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wvla -Wno-missing-field-initializers
BASE    := -std=c11 -D_GNU_SOURCE -pthread -Ilibmetrics/include -I. -MMD -MP \
           -DLM_VERSION='"$(VERSION)"' -DLM_REVISION='"$(REVISION)"' \
           -DLM_BRANCH='"$(BRANCH)"' -DLM_BUILD_USER='"$(BUILD_USER)"'

ifeq ($(VARIANT),release)
OPT := -O2 -g
else ifeq ($(VARIANT),debug)
OPT := -O0 -g3 -DLM_DEBUG
else ifeq ($(VARIANT),asan)
OPT := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDSAN := -fsanitize=address,undefined
else
$(error unknown VARIANT $(VARIANT): use release, debug or asan)
endif

CFLAGS  ?=
LDFLAGS ?=
ALL_CFLAGS  = $(BASE) $(WARN) $(OPT) $(CFLAGS)
ALL_LDFLAGS = -pthread $(LDSAN) $(LDFLAGS)

# pkg-config for every library; each module picks the ones it needs.
pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1))
pc_libs   = $(shell $(PKG_CONFIG) --libs $(1))

# gnutls and libcrypt: headers only; libmetrics loads them with dlopen when TLS or basic
# auth is configured (libmetrics/http_gnutls.h, http_auth.c), so LM_LINK_PKGS, what every
# binary links, leaves them out. libyaml is dlopened by the web config parser too
# (webcfg_yaml.c) but stays here for the binaries whose own code uses it; the linker's
# --as-needed drops it (and -lm) from binaries that do not.
LM_PKGS := gnutls yaml-0.1 zlib libcrypt libpcre2-8
LM_LINK_PKGS := yaml-0.1 zlib libpcre2-8

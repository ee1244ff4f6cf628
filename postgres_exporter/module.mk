# SPDX-License-Identifier: Apache-2.0
# postgres_exporter: main.c + the postgres collector (postgres.c), DSN handling (dsn.c),
# connections (conn.c), the column-map engine (qmap.c), built-in maps (builtin.c),
# settings, replication and the queries.yaml reader, built into libpge.a (everything but
# main.c) for the unit tests and the fuzz target. Links libpq, libyaml and gnutls (sha256).

PGE_PKGS := libpq yaml-0.1 gnutls
PGE_SRCS := $(sort $(filter-out postgres_exporter/main.c,$(wildcard postgres_exporter/*.c)))
PGE_OBJS := $(PGE_SRCS:%.c=$(BUILD)/%.o)
PGE_LIB  := $(BUILD)/libpge.a
EXTRA_CFLAGS_postgres_exporter := $(call pc_cflags,$(PGE_PKGS))

$(PGE_LIB): $(PGE_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/postgres_exporter/postgres_exporter: $(BUILD)/postgres_exporter/main.o $(PGE_LIB) $(LM_LIB)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc_libs,$(PGE_PKGS)) $(LM_LIBS)
BINS += $(BUILD)/postgres_exporter/postgres_exporter

UNIT_LIBS_postgres_exporter := $(PGE_LIB)
UNIT_LDLIBS_postgres_exporter := $(call pc_libs,$(PGE_PKGS))

# fuzz target tests/fuzz/pg_queries.c: the queries.yaml reader alone.
FUZZ_SRCS_pg_queries := postgres_exporter/queries.c
FUZZ_OBJS_pg_queries := $(BUILD)/postgres_exporter/queries.o
FUZZ_LIBS_pg_queries := $(call pc_cflags,libpq) $(call pc_libs,yaml-0.1)

# the tests include pge.h, which includes libpq-fe.h (target-specific, nothing shared)
$(BUILD)/tests/unit/postgres_exporter/%.o $(BUILD)/tests/fuzz/pg_queries.o: \
	EXTRA_CFLAGS_tests += $(call pc_cflags,libpq)

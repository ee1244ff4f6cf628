# SPDX-License-Identifier: Apache-2.0
# postgres_exporter: main.c + the postgres collector (postgres.c), DSN handling (dsn.c,
# conninfo.c, pgpass.c), connections (conn.c over pgconn.c's interface: our protocol v3
# client pgsession.c/pgwire.c/pgauth.c/pgresult.c, or libpq loaded with dlopen by
# pglibpq.c for TLS), the column-map engine (qmap.c), built-in maps (builtin.c),
# settings, replication and the queries.yaml reader, built into libpge.a (everything but
# main.c) for the unit tests and the fuzz targets. Links libyaml only: libpq's headers
# are used by pglibpq.c alone, and libpq is never linked. Hashes come from lm/hash.h.

PGE_PKGS := yaml-0.1
PGE_SRCS := $(sort $(filter-out postgres_exporter/main.c,$(wildcard postgres_exporter/*.c)))
PGE_OBJS := $(PGE_SRCS:%.c=$(BUILD)/%.o)
PGE_LIB  := $(BUILD)/libpge.a
EXTRA_CFLAGS_postgres_exporter := $(call pc_cflags,$(PGE_PKGS))
# the libpq headers, for the dlopen backend only
$(BUILD)/postgres_exporter/pglibpq.o: EXTRA_CFLAGS_postgres_exporter += $(call pc_cflags,libpq)
# sock.o from libproto.a (no other proto object, so none of its libraries)
PGE_LDLIBS := $(call pc_libs,$(PGE_PKGS))

$(PGE_LIB): $(PGE_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/postgres_exporter/postgres_exporter: $(BUILD)/postgres_exporter/main.o $(PGE_LIB) $(BUILD)/libproto.a $(LM_LIB)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PGE_LDLIBS) $(LM_LIBS)
BINS += $(BUILD)/postgres_exporter/postgres_exporter

UNIT_LIBS_postgres_exporter := $(PGE_LIB) $(BUILD)/libproto.a
UNIT_LDLIBS_postgres_exporter := $(PGE_LDLIBS)

# fuzz target tests/fuzz/pg_queries.c: the queries.yaml reader alone.
FUZZ_SRCS_pg_queries := postgres_exporter/queries.c
FUZZ_OBJS_pg_queries := $(BUILD)/postgres_exporter/queries.o
FUZZ_LIBS_pg_queries := $(call pc_libs,yaml-0.1)

# fuzz target tests/fuzz/pg_wire.c: every backend message reader, SCRAM's server
# messages, the DSN parser and the HISTOGRAM array reader.
FUZZ_SRCS_pg_wire := postgres_exporter/pgwire.c postgres_exporter/pgresult.c \
                     postgres_exporter/pgauth.c postgres_exporter/conninfo.c \
                     postgres_exporter/pgpass.c postgres_exporter/pgarray.c
FUZZ_OBJS_pg_wire := $(FUZZ_SRCS_pg_wire:%.c=$(BUILD)/%.o)

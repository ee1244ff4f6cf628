# SPDX-License-Identifier: Apache-2.0
# flint/tsdb: head, WAL, blocks, compaction. Block chunks of compacted blocks are zstd
# compressed (libzstd). Fuzz targets for the chunk decoder and the block reader.
FLINT_EXTRA_LDLIBS_tsdb := -lzstd -ljansson
FUZZ_SRCS_flint_chunk := flint/tsdb/chunk.c
FUZZ_OBJS_flint_chunk := $(BUILD)/flint/tsdb/chunk.o
FLINT_BLOCK_FUZZ_SRCS := flint/labels.c flint/tsdb/chunk.c flint/tsdb/block_chunk.c \
  flint/tsdb/block_read.c flint/tsdb/block_query.c flint/tsdb/block_set.c \
  flint/tsdb/block_write.c
FUZZ_SRCS_flint_block := $(FLINT_BLOCK_FUZZ_SRCS)
FUZZ_OBJS_flint_block := $(FLINT_BLOCK_FUZZ_SRCS:%.c=$(BUILD)/%.o)
FUZZ_LIBS_flint_block := -lzstd -ljansson -lz
# WAL replay fuzz target (tests/fuzz/flint_wal.c).
FLINT_WAL_FUZZ_SRCS := flint/labels.c flint/tsdb/wal.c flint/tsdb/wal_replay.c
FUZZ_SRCS_flint_wal := $(FLINT_WAL_FUZZ_SRCS)
FUZZ_OBJS_flint_wal := $(FLINT_WAL_FUZZ_SRCS:%.c=$(BUILD)/%.o)
FUZZ_LIBS_flint_wal := -lzstd -lz

/* SPDX-License-Identifier: Apache-2.0 */
/* tsdb_cli.h: the `flint tsdb` subcommands that work on a data dir offline, called by
 * flint's main with argv starting after "tsdb" (argv[0] is "import" or "analyze"). Each
 * prints its results to stdout and errors to stderr, and returns the exit code (0 ok,
 * 1 failure, 2 usage).
 *   flint tsdb import openmetrics [--max-block-duration=2h] [--quiet] FILE [DIR]
 *       as `promtool tsdb create-blocks-from openmetrics`; DIR defaults to data/.
 *   flint tsdb analyze [--limit=20] [DIR] [BLOCK_ID]
 *       as `promtool tsdb analyze`, plus chunks and bytes per sample; DIR defaults to
 *       data/, the block to the newest one. */
#ifndef FLINT_TSDB_CLI_H
#define FLINT_TSDB_CLI_H

int tsdb_cli_import(int argc, char **argv);
int tsdb_cli_analyze(int argc, char **argv);

#endif

# SPDX-License-Identifier: Apache-2.0
# flint/relabel: relabel rules. Its unit tests build rules with flint/config's parser.
FLINT_DEPS_relabel := config relabel

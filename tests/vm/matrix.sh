#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The detection matrix: the whole scenario corpus under the real tracer on every kernel of
# tests/scenarios/expected.tsv (Debian 6.1, 6.12 and 7.3 from the cache of `make setup`, the
# others from ../shared/kernels), one TAP test per scenario x kernel cell. uffdwp-vmtest
# itself skips the column of an absent image with the reason. About 80 s per kernel under
# TCG. UFFDWP_MATRIX_KERNELS=a,b limits the columns (e.g. while developing).
. "$(dirname "$0")/lib.sh"

exec "$VMTEST" --matrix --tap ${UFFDWP_MATRIX_KERNELS:+--kernels "$UFFDWP_MATRIX_KERNELS"}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --fuzz SECONDS [--seed N] and --fuzz-replay FILE: uffdwp-fuzz (the differential fuzzer,
 * src/seqfuzz/) in the guest under the tracer.  The exit status is the fuzzer's (0 nothing
 * found, 1 a bug, 125 undecided), mapped as a guest command's; the sequences it prints
 * (found, minimised) and the scenario program land on the host in --fuzz-out.
 */
#ifndef UFFDWP_VMTEST_FUZZ_H
#define UFFDWP_VMTEST_FUZZ_H
#include "vmtest.h"

/* Boots opts->kernel once with the fuzzer as the guest command; an enum vmtest_exit. */
int fuzz_run(const struct vmtest_opts *opts);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * uffdwp-vmtest: run uffdwp-trace's scenarios (or a command) on any kernel image in QEMU
 * and answer with a `git bisect run` exit status; with --matrix, run the corpus on every
 * kernel of the expected table and compare. See --help, and vmtest.h for the flow.
 */
#include "boot.h"
#include "fuzz.h"
#include "image.h"
#include "initramfs.h"
#include "matrix.h"
#include "vmtest.h"

#include <stdio.h>

/* One kernel: --kernel or --debian, scenarios or a guest command. */
static int run_one_kernel(const struct vmtest_opts *opts)
{
	struct outcome out = { .exit = VMTEST_SKIP };
	static struct payload payload;
	static struct console console;
	struct vm_result res;

	if (!image_check(opts->kernel, out.reason, sizeof(out.reason)) ||
	    (!payload_resolve(opts, &payload) || !boot_make_initramfs(opts, &payload))) {
		if (!out.reason[0])
			snprintf(out.reason, sizeof(out.reason), "%s", vmtest_last_error);
		report_early_failure(opts, &out);
		return VMTEST_SKIP;
	}
	report_begin(opts, &payload);
	boot_kernel(opts, &console, report_echo, &res, &out);
	report_decide(opts, &payload, &console, &res, &out);
	report_print(opts, &payload, &console, &res, &out);
	return out.exit;
}

int main(int argc, char **argv)
{
	struct vmtest_opts opts;

	if (!vmtest_parse_args(argc, argv, &opts))
		return VMTEST_SKIP;
	if (opts.list_scenarios)
		return payload_print_scenarios(&opts);
	if (opts.fuzz_seconds || opts.fuzz_replay)
		return fuzz_run(&opts);
	return opts.matrix ? matrix_run(&opts) : run_one_kernel(&opts);
}

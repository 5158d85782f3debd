// SPDX-License-Identifier: GPL-2.0
/*
 * uffdwp-vmtest: run uffdwp-trace's scenarios (or a command) on any kernel image in QEMU
 * and answer with a `git bisect run` exit status; with --matrix, run the corpus on every
 * kernel of the expected table and compare. See --help, and vmtest.h for the flow.
 */
#include "boot.h"
#include "console_log.h"
#include "fuzz.h"
#include "image.h"
#include "initramfs.h"
#include "kcidb.h"
#include "matrix.h"
#include "vmtest.h"

#include <stdio.h>
#include <stdlib.h>

/* --kcidb: the image's hash and the console logs beside the report, before the boot. */
struct kcidb_run {
	char hash[17];
	char *log_base;
	console_echo_fn echo;
};

static bool kcidb_start(const struct vmtest_opts *opts, struct kcidb_run *k)
{
	k->echo = report_echo;
	if (!opts->kcidb)
		return true;
	image_hash(opts->kernel, k->hash);
	k->log_base = console_log_base(opts->kcidb, kcidb_kernel_name(opts));
	return k->log_base && (k->echo = console_log_start(k->log_base, report_echo));
}

/* The report after the boot; one that cannot be written makes the run undecided. */
static void kcidb_finish(const struct vmtest_opts *opts, const struct payload *p,
			 const struct console *c, const struct vm_result *res,
			 struct kcidb_run *k, struct outcome *out)
{
	if (!opts->kcidb)
		return;
	if (!console_log_stop() || !kcidb_write_run(opts, p, c, res, k->hash, k->log_base)) {
		out->exit = VMTEST_SKIP;
		snprintf(out->reason, sizeof(out->reason), "%s", vmtest_last_error);
	}
	free(k->log_base);
}

/* One kernel: --kernel or --debian, scenarios or a guest command. */
static int run_one_kernel(const struct vmtest_opts *opts)
{
	struct outcome out = { .exit = VMTEST_SKIP };
	static struct payload payload;
	static struct console console;
	struct kcidb_run kcidb = { .log_base = NULL };
	struct vm_result res;

	if (!image_check(opts->kernel, out.reason, sizeof(out.reason)) ||
	    !payload_resolve(opts, &payload) || !boot_make_initramfs(opts, &payload) ||
	    !kcidb_start(opts, &kcidb)) {
		if (!out.reason[0])
			snprintf(out.reason, sizeof(out.reason), "%s", vmtest_last_error);
		report_early_failure(opts, &out);
		free(kcidb.log_base);
		return VMTEST_SKIP;
	}
	report_begin(opts, &payload);
	boot_kernel(opts, &console, kcidb.echo, &res, &out);
	report_decide(opts, &payload, &console, &res, &out);
	kcidb_finish(opts, &payload, &console, &res, &kcidb, &out);
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
	if (opts.n_merge)
		return matrix_merge(&opts);
	if (opts.fuzz_seconds || opts.fuzz_replay)
		return fuzz_run(&opts);
	return opts.matrix ? matrix_run(&opts) : run_one_kernel(&opts);
}

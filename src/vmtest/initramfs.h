/* SPDX-License-Identifier: GPL-2.0 */
/* What goes into the guest, and the initramfs that carries it. */
#ifndef UFFDWP_VMTEST_INITRAMFS_H
#define UFFDWP_VMTEST_INITRAMFS_H
#include "vmtest.h"

#include <stdio.h>

#define PAYLOAD_MAX_KERNELS 32

struct payload {
	char *tracer;			/* NULL: not found (fatal only when scenarios run) */
	char *scenarios_dir;		/* NULL: not found */
	char *available[VMTEST_MAX_LIST];	/* every scenario binary, packed in both modes */
	int n_available;
	const char *run[VMTEST_MAX_LIST];	/* scenarios to run, in order (scenario mode) */
	int n_run;
	/* swap.c: the swap disk's driver modules of each kernel to boot that has them */
	char *swap_modules[PAYLOAD_MAX_KERNELS];	/* the host directory */
	char *swap_release[PAYLOAD_MAX_KERNELS];	/* the guest's `uname -r` for it */
	int n_swap_modules;
};

/* Finds the tracer and the scenarios and picks the ones to run; false after one error line. */
bool payload_resolve(const struct vmtest_opts *opts, struct payload *p);

/* --list-scenarios: the names payload_resolve() would find, one a line on stdout; 0, or
 * 125 after one error line when there are none. */
int payload_print_scenarios(const struct vmtest_opts *opts);

/* A scenario program of that name was found (it is packed whether or not it runs). */
bool payload_has_scenario(const struct payload *p, const char *name);

/* Writes the initramfs (newc cpio) for opts/p to f; false after one error line. */
bool initramfs_write(const struct vmtest_opts *opts, const struct payload *p, FILE *f);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/* What goes into the guest, and the initramfs that carries it. */
#ifndef UFFDWP_VMTEST_INITRAMFS_H
#define UFFDWP_VMTEST_INITRAMFS_H
#include "vmtest.h"

#include <stdio.h>

struct payload {
	char *tracer;			/* NULL: not found (fatal only when scenarios run) */
	char *scenarios_dir;		/* NULL: not found */
	char *available[VMTEST_MAX_LIST];	/* every scenario binary, packed in both modes */
	int n_available;
	const char *run[VMTEST_MAX_LIST];	/* scenarios to run, in order (scenario mode) */
	int n_run;
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

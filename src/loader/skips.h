/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which of the kernel's skips of our programs cost records: the arithmetic
 * behind the run's skipped_runs, apart from libbpf (src/loader/progstats.c
 * reads the counters; tests/unit/test_skips.c checks this).
 *
 * The kernel skips a BPF program already running on the CPU (preempted there,
 * or a hook inside a hook) and counts it in bpf_prog_info.recursion_misses.
 * A hook has copies of its programs, each doing what the earlier ones were
 * skipped for (bpf/stash_copies.bpf.h), so a skip costs a record only where
 * every copy skipped the same call.
 */
#ifndef UFFDWP_SKIPS_H
#define UFFDWP_SKIPS_H
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "event.h"

/* One program's skips in a run's window. */
struct prog_skips {
	const char *name;
	size_t base_len;	/* its first copy's name is name's first base_len chars */
	int hook;		/* enum uffdwp_hook, -1: no hook's */
	int copy;		/* 0: the first */
	bool loaded;
	__u64 misses;		/* recursion_misses grown in the window */
	__u64 covered;		/* of those, the calls another copy recorded (skips_covered) */
};

/*
 * Adds to lost[] what @n programs' skips bound, per hook, and returns the sum:
 *  - the syscall programs: nothing (their BPF side counts the calls of traced
 *    threads that every copy skipped, bpf/sys_stash.bpf.h);
 *  - a hook in @counted_by_bpf (a bit per hook: its BPF side counts the calls
 *    every entry or every exit copy skipped, bpf/call_stash.bpf.h): the least
 *    over all its programs, which bounds the calls they all skipped;
 *  - any other program: the least over its copies of the skips not covered.
 */
__u64 skips_lost(const struct prog_skips *p, int n, unsigned int counted_by_bpf,
		 __u64 lost[HOOK_MAX]);

#endif

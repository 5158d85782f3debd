/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a run's summary says besides its events: the hooks it had (known at
 * the start) and what only the kernel counted (known at the end).  The live
 * tracer fills it from its plan and counter maps, a recording keeps it
 * (model/record.c), and replay reads it back, so both print one summary
 * (pipeline/summary.c).  Plain data: no libc beyond stdbool, no libbpf.
 */
#ifndef UFFDWP_RUN_H
#define UFFDWP_RUN_H
#include <stdbool.h>
#include <linux/types.h>
#include "event.h"

#define RUN_KERNEL_LEN	64
#define RUN_TARGET_LEN	48	/* a kernel function or tracepoint name */
#define RUN_NOTE_LEN	192	/* why better mechanisms were not taken */

/* The live tracer's own CPU time over a run (struct run_info's tracer_cpu). */
struct run_cpu {
	__u64 user_us, sys_us;
	bool measured;		/* false in a replay: a recording keeps none */
};

struct run_info {
	/* known when the programs are attached */
	char kernel[RUN_KERNEL_LEN];		/* uname release */
	__u8 mech[HOOK_MAX];			/* enum uffdwp_mech per hook */
	char target[HOOK_MAX][RUN_TARGET_LEN];
	char note[HOOK_MAX][RUN_NOTE_LEN];
	bool strict;				/* --strict: the kernel hooks are required */
	__s32 target_pid;
	/* the live tracer's start-up, ms per phase (0 in a replay: not recorded) */
	struct run_startup {
		__u32 btf, swap_types, calibrate, load, attach, total;
	} startup_ms;
	/* known when the run ends */
	bool ended;			/* false: the end was never recorded, losses unknown */
	__s32 target_exit;		/* exit status of the target; -1 when unknown */
	bool record_incomplete;		/* --record could not write every record */
	__u64 lost[HOOK_MAX];		/* per hook: ring full, table full, runs skipped */
	__u64 lost_cause[LOST_CAUSE_MAX];	/* the same losses by cause; all 0 with
						 * lost[] not: not known (older recording) */
	__u64 invariant[HOOK_MAX];	/* write+uffd-wp entries counted in the kernel */
	/* write faults in WP ranges the kernel side saw, and the repeats among
	 * them it did not record (bpf/faults.bpf.c); 0 and 0 when not counted
	 * (recordings written before the counters) */
	__u64 wf_seen;
	__u64 wf_repeats;
	/* 4 KiB pages the walks were asked to observe, counted in the kernel:
	 * pages_verified (the records') against it; 0 when not counted */
	__u64 pages_to_verify;
	/* the live tracer's own CPU time over the run, its start-up excluded:
	 * what the consumer (ring, model, output) costs beside the BPF programs,
	 * which run in the traced threads */
	struct run_cpu tracer_cpu;
};

#endif

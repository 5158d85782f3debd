/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --prog-stats: the kernel's own accounting of every BPF program of the run
 * (run count and run time, kernel.bpf_stats_enabled), per program and per
 * hook, printed with the summary.  `make bench` takes ns/event from it.
 */
#ifndef UFFDWP_PROGSTATS_H
#define UFFDWP_PROGSTATS_H
#include <stdio.h>
#include <linux/types.h>
#include "event.h"
#include "bpf_config.h"

struct bpf_object;
struct json;

/*
 * Turn the kernel's run-time accounting on until progstats_disable() or the
 * process ends.  Call before the programs run.  A failure is kept and shown
 * in the summary instead of the figures.
 */
void progstats_enable(void);
void progstats_disable(void);

/* The table after the text summary; "prog_stats":{...} inside the JSON one. */
void progstats_print_text(FILE *f, const struct bpf_object *obj);
void progstats_print_json(struct json *j, const struct bpf_object *obj);

/* Each program's recursion_misses, in the object's order: the kernel skipped
 * a program already running on a CPU (preempted there, or a hook inside a
 * hook), bpf_prog_info.recursion_misses counts that (5.12+). */
#define PROGSTATS_PROGS_MAX 128
struct prog_misses {
	__u64 n[PROGSTATS_PROGS_MAX];
	/* the skips_covered map's sums (src/bpf_config.h), which the caller
	 * reads: skips that cost no record */
	__u64 covered[HOOK_MAX * HOOK_COPIES_MAX];
};
void progstats_read_misses(const struct bpf_object *obj, struct prog_misses *m);

/*
 * Adds to lost[] each hook's invocations the kernel skipped between @base and
 * @now that cost records, as src/loader/skips.h bounds them (@counted_by_bpf:
 * hooks_counting_skipped_calls()), and returns how many (the window's
 * LOST_SKIPPED beside the BPF side's).  Those records never existed, so they
 * are losses like a full ring's; always counted, --prog-stats or not.
 */
__u64 progstats_lost_to_skips(const struct bpf_object *obj, unsigned int counted_by_bpf,
			      const struct prog_misses *base, const struct prog_misses *now,
			      __u64 lost[HOOK_MAX]);

#endif

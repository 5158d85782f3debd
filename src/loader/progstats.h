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

/*
 * Adds to lost[] each hook's invocations the kernel skipped: a program that is
 * already running on a CPU (preempted there, or a hook inside a hook) is not
 * run again on it, and bpf_prog_info.recursion_misses counts that (5.12+).
 * Those records never existed, so they are losses like a full ring's.  Always
 * counted, --prog-stats or not.  Not for the syscall programs, which run for
 * every process, several per tracepoint: their BPF side counts the calls of
 * traced threads that all skipped (bpf/stash_copies.bpf.h).  Returns how many
 * it added (the run's LOST_SKIPPED beside the BPF side's).
 */
__u64 progstats_add_recursion_misses(const struct bpf_object *obj, __u64 lost[HOOK_MAX]);

#endif

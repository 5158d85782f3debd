/* SPDX-License-Identifier: GPL-2.0 */
/* One tracing run: load, attach, follow the target, report. */
#ifndef UFFDWP_SESSION_H
#define UFFDWP_SESSION_H
#include <stdbool.h>
#include <sys/types.h>

#include "pipeline/summary.h"	/* EXIT_* */

struct trace_opts {
	bool verbose;		/* one line per event */
	bool json;		/* JSON lines on stdout */
	bool no_events;		/* JSON: findings and the summary, no event lines */
	bool strict;		/* the four kernel hooks are required */
	bool debug;		/* libbpf messages, verifier log */
	bool no_follow;		/* do not trace children */
	bool no_fentry;		/* kprobes where fentry would do (testing, old trampolines) */
	bool prog_stats;	/* per-program run counts and times in the summary */
	int duration;		/* seconds; 0 = until the target exits */
	int buffer_mib;		/* ring buffer size; 0 = the BPF object's */
	pid_t pid;		/* -p */
	char **cmd;		/* -- CMD ARGS */
	bool each;		/* cmd is commands between ";" arguments, each a run of its own */
	const char *record;	/* --record FILE */
};

/* Both return the exit status, after one error line (report/error.h) on failure. */
int trace_run(const struct trace_opts *o);
int probe_run(const struct trace_opts *o);

#endif

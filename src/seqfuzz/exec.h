/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Runs one sequence in the calling process (a fresh child: its own mm) and judges every
 * operation against the user-space oracle: WP messages counted per page by a monitor
 * thread, pagemap bit 57 (PM_UFFD_WP) of present pages, data read back, and a forked
 * child's own view.  The model is deliberately small: where the uAPI leaves an outcome
 * open (a page never populated when protected, a zap of anon memory, a missing fault
 * resolved over a marker) the page's protection becomes unknown and is not judged.
 */
#ifndef UFFDWP_SEQFUZZ_EXEC_H
#define UFFDWP_SEQFUZZ_EXEC_H
#include "seq.h"

/* Exit statuses of a sequence's child. */
enum exec_status {
	EXEC_OK = 0,		/* every op as the oracle expects */
	EXEC_BUG = 1,		/* the oracle disagreed (printed as a "seqfuzz: bug" line) */
	EXEC_ERROR = 2,		/* the sequence itself failed (setup, a signal) */
	EXEC_HANG = 3,		/* an op did not finish within the per-sequence alarm */
};

/* Seconds a sequence may take before it counts as hung. */
#define EXEC_ALARM_SECONDS 60

/*
 * Runs s and exits with an exec_status; never returns.  Lines go to stdout:
 *   seqfuzz: bug label=L pid=P op=K (NAME V F C A) kind=KIND vma=V page=G: WHAT
 *   seqfuzz: skip label=L op=K (NAME ...) REASON          (an op this guest cannot do)
 *   seqfuzz: forked label=L pid=CHILD                      (a fork op's child)
 */
/*
 * label names the run in those lines (the generator's index, or a replayed file's
 * position); kind (shared memory, EXEC_KIND_LEN bytes) receives the bug's KIND.
 */
#define EXEC_KIND_LEN 32
__attribute__((noreturn)) void exec_sequence(const struct seq *s, unsigned long label, char *kind);

#endif

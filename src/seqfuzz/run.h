/* SPDX-License-Identifier: GPL-2.0 */
/* Each sequence in a fresh forked child (its own mm): its PID ties a tracer finding to it. */
#ifndef UFFDWP_SEQFUZZ_RUN_H
#define UFFDWP_SEQFUZZ_RUN_H
#include "exec.h"

#include <stdbool.h>
#include <sys/types.h>

struct run_result {
	enum exec_status status;	/* EXEC_ERROR also for a child killed by a signal */
	pid_t pid;
	char kind[EXEC_KIND_LEN];	/* the oracle's bug kind when status is EXEC_BUG */
};

/* The oracle's kind for a hugetlb reservation the sequence's processes left behind. */
#define RUN_KIND_RSVD_LEAK "rsvd_leak"

/*
 * Runs s in a child and waits for it.  Prints "seqfuzz: seq label=L pid=P" before and
 * "seqfuzz: done label=L pid=P status=ok|bug|error|hang kind=KIND" after.  With
 * check_pool, a sequence the oracle found no fault with is a bug of kind
 * RUN_KIND_RSVD_LEAK when HugePages_Rsvd is higher once its processes have exited than
 * before it started (a "seqfuzz: bug ... op=0" line says so).
 */
void run_sequence(const struct seq *s, unsigned long label, bool check_pool,
		  struct run_result *res);

const char *run_status_name(enum exec_status st);

#endif

// SPDX-License-Identifier: GPL-2.0
/* One sequence per child: see run.h. */
#include "run.h"
#include "scen_region.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *run_status_name(enum exec_status st)
{
	static const char *const names[] = {
		[EXEC_OK] = "ok", [EXEC_BUG] = "bug", [EXEC_ERROR] = "error", [EXEC_HANG] = "hang",
	};

	return st <= EXEC_HANG ? names[st] : "error";
}

/* Seconds since this process ran its first sequence: when a find came, for the report. */
static double elapsed(void)
{
	static struct timespec t0;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!t0.tv_sec && !t0.tv_nsec)
		t0 = now;
	return (now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9;
}

/*
 * A sequence that ran clean but left HugePages_Rsvd higher after its processes exited
 * (the fork op's child is reaped inside the sequence): a reservation nothing can give
 * back (FINDINGS.md 4).  The count is system-wide, so another hugetlb user running at the
 * same time would be blamed on the sequence: uffdwp-vmtest's guests have none.
 */
static void check_rsvd_after(unsigned long label, long before, struct run_result *res)
{
	long after = meminfo_value("HugePages_Rsvd:");

	if (after <= before)
		return;
	res->status = EXEC_BUG;
	snprintf(res->kind, sizeof(res->kind), "%s", RUN_KIND_RSVD_LEAK);
	printf("seqfuzz: bug label=%lu pid=%d op=0 (exit) kind=%s vma=0 page=0: HugePages_Rsvd "
	       "%ld before the sequence, %ld after its processes exited\n", label, res->pid,
	       RUN_KIND_RSVD_LEAK, before, after);
}

void run_sequence(const struct seq *s, unsigned long label, bool check_pool,
		  struct run_result *res)
{
	/* shared with the child and its own fork op's child, which may find the bug */
	char *kind = mmap(NULL, EXEC_KIND_LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			  -1, 0);
	long rsvd_before = check_pool ? meminfo_value("HugePages_Rsvd:") : -1;
	int status = 0;

	elapsed();	/* starts the clock at the first sequence */
	memset(res, 0, sizeof(*res));
	res->status = EXEC_ERROR;
	if (kind == MAP_FAILED) {
		perror("uffdwp-fuzz: mmap");
		return;
	}
	fflush(stdout);
	res->pid = fork();
	if (res->pid == 0)
		exec_sequence(s, label, kind);
	if (res->pid < 0) {
		perror("uffdwp-fuzz: fork");
	} else {
		printf("seqfuzz: seq label=%lu pid=%d\n", label, res->pid);
		if (waitpid(res->pid, &status, 0) == res->pid && WIFEXITED(status) &&
		    WEXITSTATUS(status) <= EXEC_HANG)
			res->status = (enum exec_status)WEXITSTATUS(status);
		snprintf(res->kind, sizeof(res->kind), "%s", kind);
		if (rsvd_before >= 0 && res->status == EXEC_OK)
			check_rsvd_after(label, rsvd_before, res);
		printf("seqfuzz: done label=%lu pid=%d status=%s kind=%s wait=0x%x t=%.1f\n", label,
		       res->pid, run_status_name(res->status), res->kind[0] ? res->kind : "-", status,
		       elapsed());
		fflush(stdout);
	}
	munmap(kind, EXEC_KIND_LEN);
}

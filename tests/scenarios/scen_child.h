/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of scenario.h: child processes: scen_fork() (the child reports through
 * its exit code), child_wait(), a row run in a child (child_run_row()), one that
 * may never return (rows_add_from_child()) and the CPU limit such a child sets.
 */
#ifndef UFFDWP_SCEN_CHILD_H
#define UFFDWP_SCEN_CHILD_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scen_region.h"
#include "scen_report.h"
#include "scen_rows.h"

/* ------------------------------------------------------------------ */
/* Child processes                                                     */

/* fork(); the child's scen_end()/scen_fail() then become exit codes. */
static inline pid_t scen_fork(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		scen_fail("fork");
	if (pid == 0)
		scen_is_child = true;
	return pid;
}

/* Waits for a child and returns its exit code (CHILD_ERROR if it died). */
static inline int child_wait(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) < 0)
		scen_fail("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : CHILD_ERROR;
}

/*
 * @row(b, fd) in a child: what it writes to fd lands in detail (size bytes, a string),
 * and its wait status is returned once it has exited.
 */
static inline int child_run_row(enum backing b, int (*row)(enum backing b, int fd),
				char *detail, size_t size)
{
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	SCEN_CHECK(pipe(pipefd));
	pid = scen_fork();
	if (pid == 0) {
		close(pipefd[0]);
		_exit(row(b, pipefd[1]));
	}
	close(pipefd[1]);
	n = read(pipefd[0], detail, size - 1);
	detail[n > 0 ? n : 0] = '\0';
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) < 0)
		scen_fail("waitpid");
	return status;
}

/*
 * A row whose step may never return (a kernel livelock): @row runs in a child,
 * writes its detail to @fd and returns CHILD_OK, CHILD_BUG or CHILD_SKIP; it
 * sets an RLIMIT_CPU of @cpu_s seconds (scen_limit_cpu()) before that step.
 * A child the limit kills adds a bug row "@hang_detail(killed_by_SIGXCPU_after_Ns_of_CPU)".
 */
static inline void rows_add_from_child(struct scen_rows *rows, enum backing b,
				       int (*row)(enum backing b, int fd), unsigned int cpu_s,
				       const char *hang_detail)
{
	char detail[256];
	int status = child_run_row(b, row, detail, sizeof(detail));

	if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGXCPU || WTERMSIG(status) == SIGKILL))
		rows_add(rows, b, VERDICT_BUG, "%s(killed_by_%s_after_%us_of_CPU)", hang_detail,
			 WTERMSIG(status) == SIGXCPU ? "SIGXCPU" : "SIGKILL", cpu_s);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) == CHILD_ERROR)
		scen_fail("row child");
	else
		rows_add(rows, b, WEXITSTATUS(status) == CHILD_SKIP ? VERDICT_SKIP :
			 WEXITSTATUS(status) == CHILD_BUG ? VERDICT_BUG : VERDICT_OK, "%s", detail);
}

/* In such a child: at most @cpu_s seconds of CPU from now (SIGXCPU, then SIGKILL). */
static inline void scen_limit_cpu(unsigned int cpu_s)
{
	struct rlimit cpu = { cpu_s, cpu_s + 1 };

	SCEN_CHECK(setrlimit(RLIMIT_CPU, &cpu));
}

#endif /* UFFDWP_SCEN_CHILD_H */

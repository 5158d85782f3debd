// SPDX-License-Identifier: GPL-2.0
/*
 * spawn-as-pid PID CMD [ARG...]: run CMD as a child whose pid is PID (clone3()
 * with set_tid, 5.5+, CAP_SYS_ADMIN), wait for it, exit with its status.  For
 * tests of a pid's reuse: tests/tracer.sh gives the tracer a leftover entry
 * under PID, then starts a newcomer there.  Exit 125 when the kernel refuses
 * (EEXIST: PID is taken).
 */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct clone_args args = { .exit_signal = SIGCHLD, .set_tid_size = 1 };
	char *end;
	pid_t tid, pid;
	int status;

	if (argc < 3) {
		fprintf(stderr, "usage: spawn-as-pid PID CMD [ARG...]\n");
		return 2;
	}
	errno = 0;
	tid = (pid_t)strtol(argv[1], &end, 10);
	if (errno || *end || tid <= 1) {
		fprintf(stderr, "spawn-as-pid: not a pid: %s\n", argv[1]);
		return 2;
	}
	args.set_tid = (__u64)(uintptr_t)&tid;
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0) {
		fprintf(stderr, "spawn-as-pid: clone3(set_tid=%d): %s\n", tid, strerror(errno));
		return 125;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "spawn-as-pid: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return 125;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

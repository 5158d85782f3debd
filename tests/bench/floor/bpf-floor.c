// SPDX-License-Identifier: GPL-2.0
/*
 * bpf-floor -- CMD [ARGS...]: run CMD with the floor programs of floor.bpf.c
 * on its write faults and print each program's runs and run time, as
 * `uffdwp-trace --prog-stats` prints the tracer's, in the same columns:
 *
 *   PROGRAM  RUNS  RUN_TIME_NS  NS/RUN
 *   records  N  lost  N
 *
 * The ring is drained every 10 ms, as the tracer drains its own (the records
 * wake nobody: ring_buffer__poll() only waits, ring_buffer__consume() reads).
 * Exit status: CMD's (128 + signal when killed), 2 when the programs cannot run.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

static int fail(const char *what, int err)
{
	fprintf(stderr, "bpf-floor: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 2;
}

static int count_record(void *ctx, void *data, size_t size)
{
	(*(unsigned long long *)ctx)++;
	return 0;
}

/* The child waits for a byte on @go before exec, so that every fault of CMD
 * comes after the programs are attached and its pid is known to them. */
static pid_t spawn(char **argv, int *go)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "bpf-floor: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

static void print_stats(const struct bpf_object *obj)
{
	struct bpf_program *prog;

	printf("%-16s %12s %14s %8s\n", "PROGRAM", "RUNS", "RUN_TIME_NS", "NS/RUN");
	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			continue;
		printf("%-16s %12llu %14llu %8llu\n", bpf_program__name(prog),
		       (unsigned long long)info.run_cnt, (unsigned long long)info.run_time_ns,
		       info.run_cnt ? (unsigned long long)((info.run_time_ns + info.run_cnt / 2) /
							   info.run_cnt) : 0ULL);
	}
}

int main(int argc, char **argv)
{
	unsigned long long records = 0;
	struct ring_buffer *ring = NULL;
	struct floor *skel;
	int go, status = 0, stats_fd, err;
	pid_t pid, reaped;
	char c = 1;

	if (argc < 3 || strcmp(argv[1], "--")) {
		fprintf(stderr, "usage: bpf-floor -- CMD [ARGS...]\n");
		return 2;
	}
	skel = floor__open();
	if (!skel)
		return fail("open", errno);
	pid = spawn(argv + 2, &go);
	if (pid < 0) {
		err = fail("fork", errno);
		goto out;
	}
	skel->rodata->target_tgid = pid;
	err = floor__load(skel);
	if (!err)
		err = floor__attach(skel);
	if (!err) {
		ring = ring_buffer__new(bpf_map__fd(skel->maps.floor_ring), count_record, &records, NULL);
		if (!ring)
			err = -errno;
	}
	stats_fd = err ? -1 : bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (err || stats_fd < 0) {
		const char *what = err ? "load and attach" : "BPF_ENABLE_STATS";

		err = err ? err : errno;	/* before kill() and waitpid() set it */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		err = fail(what, err);
		goto out;
	}
	if (write(go, &c, 1) != 1) {
		err = fail("start the command", errno);
		goto out;
	}
	close(go);
	while ((reaped = waitpid(pid, &status, WNOHANG)) == 0) {
		ring_buffer__poll(ring, 10);
		ring_buffer__consume(ring);
	}
	ring_buffer__consume(ring);
	if (reaped < 0) {
		err = fail("wait for the command", errno);
		close(stats_fd);
		goto out;
	}
	print_stats(skel->obj);
	printf("records %llu lost %llu\n", records, (unsigned long long)skel->bss->floor_records_lost);
	close(stats_fd);
	err = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	ring_buffer__free(ring);
	floor__destroy(skel);
	return err;
}

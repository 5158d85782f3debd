/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the timed workloads of `make bench` (wp-bench, protect-bench) share:
 * the clock of their timed part and their numeric arguments.
 */
#ifndef UFFDWP_BENCH_PROG_H
#define UFFDWP_BENCH_PROG_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* argv[i] as a number in 1..max, def when absent; anything else is a usage
 * error: one line naming the program, exit 2. */
static inline unsigned long bench_arg(const char *prog, int argc, char **argv, int i,
				      unsigned long def, unsigned long max)
{
	unsigned long v;
	char *end;

	if (argc <= i)
		return def;
	v = strtoul(argv[i], &end, 0);
	if (*end || v == 0 || v > max) {
		fprintf(stderr, "%s: invalid argument %s (1..%lu)\n", prog, argv[i], max);
		exit(2);
	}
	return v;
}

#endif /* UFFDWP_BENCH_PROG_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * Replay benchmark (make bench, not a test): feeds a synthetic 10M-event
 * log to the checker and reports events/s and model memory for a 1 TiB
 * protect plus 10M distinct touched pages.  Events are generated in
 * batches (a 10M-event log is 1.5 GB); the checker is what is timed.
 *
 * Output: one JSON line, {"type":"bench","name":"replay",...}.
 * Usage: bench_replay [events] [stride]   stride 2 (default) leaves an
 * untouched page between touched ones: the worst case, one run per page.
 */
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "synth.h"

#define FD 3
#define TIB (1ULL << 40)
#define BATCH 4096

/* CPU time of this thread: the machine is shared, wall time is noise. */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The i-th event of the stream: mostly first-touch writes to a new page,
 * every 16th an observation of the page just touched. */
static void make_event(struct synth *s, struct uffdwp_event *ev, uint64_t i, uint64_t stride)
{
	uint64_t addr = A_BASE + (i / 16 * 16 + i % 16) * stride * PG;

	if (i % 16 == 15) {
		*ev = synth_ev(s, EV_PTE_RUN, HOOK_ZAP);
		ev->start = addr - stride * PG;
		ev->end = ev->start + PG;
		ev->u.run.state = PTE_ST_PRESENT | PTE_ST_WRITE | PTE_ST_DIRTY;
		return;
	}
	*ev = synth_ev(s, EV_WRITE_FAULT, HOOK_WRITE_FAULT);
	ev->start = addr;
	ev->u.wf.error_code = PF_USER_WRITE;
}

int main(int argc, char **argv)
{
	uint64_t nevents = argc > 1 ? strtoull(argv[1], NULL, 0) : 10000000;
	uint64_t stride = argc > 2 ? strtoull(argv[2], NULL, 0) : 2;
	struct uffdwp_event *batch = malloc(BATCH * sizeof(*batch));
	struct checker *c = checker_new();
	size_t tib_bytes, bytes;
	struct rusage ru;
	struct synth s;
	double t0, elapsed = 0;

	synth_init(&s, c, 0xffff888000001000ULL, 100, VMF_ANON, A_BASE, A_BASE + TIB);
	s_open_api(&s, FD, 0);
	s_register(&s, FD, A_BASE, A_BASE + TIB);
	s_writeprotect(&s, FD, A_BASE, A_BASE + TIB, true);
	tib_bytes = checker_model_bytes(c);

	for (uint64_t done = 0; done < nevents;) {
		uint64_t n = nevents - done < BATCH ? nevents - done : BATCH;

		for (uint64_t k = 0; k < n; k++)
			make_event(&s, &batch[k], done + k, stride ? stride : 1);
		t0 = now_s();
		for (uint64_t k = 0; k < n; k++)
			checker_feed(c, &batch[k]);
		elapsed += now_s() - t0;
		done += n;
	}
	checker_finish(c);
	bytes = checker_model_bytes(c);
	getrusage(RUSAGE_SELF, &ru);
	printf("{\"type\":\"bench\",\"name\":\"replay\",\"events\":%llu,\"stride\":%llu,"
	       "\"seconds\":%.3f,\"events_per_s\":%.0f,\"model_bytes_1tib_protect\":%zu,"
	       "\"model_bytes\":%zu,\"model_mib\":%.1f,\"max_rss_mib\":%.1f,\"findings\":%zu}\n",
	       (unsigned long long)nevents, (unsigned long long)stride, elapsed,
	       (double)nevents / elapsed, tib_bytes, bytes, (double)bytes / (1 << 20),
	       (double)ru.ru_maxrss / 1024, checker_nfindings(c));
	checker_free(c);
	free(batch);
	return 0;
}

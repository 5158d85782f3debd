// SPDX-License-Identifier: GPL-2.0
/*
 * protect-bench: what verifying a large UFFDIO_WRITEPROTECT costs (issue 16:
 * "the cost of a 1 GiB protect's verification").  `make bench` times it with
 * and without the tracer, whose page-table walk after each call covers every
 * PTE of the range.
 *
 * One anon region of PAGES 4 KiB pages (default 262,144: 1 GiB), populated as
 * wp-1gib populates it (MADV_POPULATE_READ: zero-page PTEs, page tables and no
 * data pages, no fault per page), registered for WP once.  The timed part is
 * CYCLES pairs of one protect and one unprotect of the whole region.  After
 * it, pagemap must show the last protect's work undone (no page uffd-wp); one
 * more protect must mark every page (bit 57), or the timing means nothing.
 *
 * Usage: protect-bench [CYCLES [PAGES]]   (defaults 8 262144)
 * Output: one JSON line, {"type":"bench","name":"protect-bench",...,
 * "elapsed_s":...}.  Exit 0, 2 when a call fails or the bits are wrong.
 */
#include "scenario.h"
#include "bench_prog.h"

int main(int argc, char **argv)
{
	unsigned long cycles = bench_arg("protect-bench", argc, argv, 1, 8, 100000);
	unsigned long pages = bench_arg("protect-bench", argc, argv, 2, 1UL << 18, 1UL << 20);
	size_t left, protected;
	struct region r;
	const char *why;
	double t0, elapsed;
	int uffd;

	scen_begin("protect-bench");
	why = region_map(&r, BACKING_ANON, pages);
	if (why) {
		fprintf(stderr, "protect-bench: cannot map %lu pages: %s\n", pages, why);
		return 2;
	}
	SCEN_CHECK(madvise(r.addr, r.len, MADV_NOHUGEPAGE)); /* 4 KiB PTEs, not PMDs */
	if (madvise(r.addr, r.len, MADV_POPULATE_READ) < 0) {
		fprintf(stderr, "protect-bench: MADV_POPULATE_READ: %s\n", strerror(errno));
		return 2;
	}
	uffd = uffd_new(0);
	uffd_register(uffd, r.addr, r.len, UFFDIO_REGISTER_MODE_WP);

	t0 = monotonic_s();
	for (unsigned long c = 0; c < cycles; c++) {
		uffd_writeprotect(uffd, r.addr, r.len, true);
		uffd_writeprotect(uffd, r.addr, r.len, false);
	}
	elapsed = monotonic_s() - t0;

	left = count_uffd_wp(r.addr, r.len);
	uffd_writeprotect(uffd, r.addr, r.len, true);
	protected = count_uffd_wp(r.addr, r.len);
	printf("{\"type\":\"bench\",\"name\":\"protect-bench\",\"cycles\":%lu,\"pages\":%lu,"
	       "\"elapsed_s\":%.6f,\"left_protected\":%zu,\"protected_after\":%zu}\n",
	       cycles, pages, elapsed, left, protected);
	close(uffd);
	region_unmap(&r);
	return left || protected != pages ? 2 : 0;
}

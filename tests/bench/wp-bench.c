// SPDX-License-Identifier: GPL-2.0
/*
 * wp-bench: the uffd-wp-heavy workload `make bench` times with and without a
 * tracer (not a test: it checks only that the data survived).
 *
 * One anon region, registered for WP once.  Each round:
 *   - protect the whole region (UFFDIO_WRITEPROTECT);
 *   - WRITERS threads each write their slice: every page takes a WP fault,
 *     which the handler thread reads from the uffd and resolves by
 *     unprotecting that page (the scenarios' uffd_monitor);
 *   - protect/unprotect cycles over slices of the region (no faults);
 *   - mprotect read-only and back;
 *   - MADV_DONTNEED a rotating quarter of the region and refill it, so the
 *     next round's protect finds every page populated (anon WP needs that).
 * The work is fixed by the arguments; the timed part excludes the setup.
 *
 * Usage: wp-bench [ROUNDS [PAGES [WRITERS]]]   (defaults 40 1024 3)
 * Output: one JSON line, {"type":"bench","name":"wp-bench","elapsed_s":...,
 * and the operation counts}.  Exit 0, or 2 when a call fails or a page lost
 * its data (the kernel misbehaved: the timing means nothing then).
 */
#include "scenario.h"
#include "bench_prog.h"

#define MAX_WRITERS 16
#define WP_CYCLES 8 /* protect/unprotect pairs per round */

struct bench_counts {
	unsigned long protects, unprotects, mprotects, dontneeds, pages_written;
};

/* Every writer writes generation gen into its slice; each page WP-faults once. */
static void write_round(struct region *r, size_t writers, unsigned int gen,
			struct bench_counts *n)
{
	struct page_writer w[MAX_WRITERS];
	size_t npages = r->len / r->page_size;
	size_t per = npages / writers;

	for (size_t i = 0; i < writers; i++)
		page_writer_start(&w[i], r, i * per, i + 1 == writers ? npages - i * per : per, gen);
	for (size_t i = 0; i < writers; i++)
		page_writer_join(&w[i]);
	n->pages_written += npages;
}

static void wp_cycles(int uffd, struct region *r, struct bench_counts *n)
{
	size_t slice = r->len / WP_CYCLES;

	for (size_t i = 0; i < WP_CYCLES; i++) {
		uffd_writeprotect(uffd, r->addr + i * slice, slice, true);
		uffd_writeprotect(uffd, r->addr + i * slice, slice, false);
		n->protects++;
		n->unprotects++;
	}
}

static void mprotect_cycle(struct region *r, struct bench_counts *n)
{
	SCEN_CHECK(mprotect(r->addr, r->len, PROT_READ));
	SCEN_CHECK(mprotect(r->addr, r->len, PROT_READ | PROT_WRITE));
	n->mprotects += 2;
}

/* Drops quarter (round % 4) of the region and refills it with generation gen. */
static void dontneed_cycle(struct region *r, unsigned int round, unsigned int gen,
			   struct bench_counts *n)
{
	size_t npages = r->len / r->page_size, quarter = npages / 4;
	size_t first = (round % 4) * quarter;

	SCEN_CHECK(madvise(r->addr + first * r->page_size, quarter * r->page_size, MADV_DONTNEED));
	for (size_t i = first; i < first + quarter; i++)
		page_fill(r->addr + i * r->page_size, r->page_size, page_tag(i, gen));
	n->dontneeds++;
}

int main(int argc, char **argv)
{
	unsigned long rounds = bench_arg("wp-bench", argc, argv, 1, 40, 1000000);
	unsigned long pages = bench_arg("wp-bench", argc, argv, 2, 1024, 1UL << 20);
	unsigned long writers = bench_arg("wp-bench", argc, argv, 3, 3, MAX_WRITERS);
	struct bench_counts n = { 0 };
	struct uffd_monitor mon;
	struct region r;
	size_t corrupt;
	double t0, elapsed;
	int uffd;

	scen_begin("wp-bench");
	if (pages < 4 * writers)
		pages = 4 * writers; /* a quarter and a slice per writer must not be empty */
	region_map(&r, BACKING_ANON, pages);
	region_fill(&r, 0);
	uffd = uffd_new(0);
	uffd_register(uffd, r.addr, r.len, UFFDIO_REGISTER_MODE_WP);
	monitor_start(&mon, uffd, r.page_size, NULL, NULL);

	t0 = monotonic_s();
	for (unsigned int round = 0; round < rounds; round++) {
		unsigned int gen = round + 1;

		uffd_writeprotect(uffd, r.addr, r.len, true);
		n.protects++;
		write_round(&r, writers, gen, &n);
		wp_cycles(uffd, &r, &n);
		mprotect_cycle(&r, &n);
		dontneed_cycle(&r, round, gen, &n);
	}
	elapsed = monotonic_s() - t0;
	monitor_stop(&mon);

	corrupt = region_mismatches(&r, rounds);
	printf("{\"type\":\"bench\",\"name\":\"wp-bench\",\"rounds\":%lu,\"pages\":%lu,"
	       "\"writers\":%lu,\"elapsed_s\":%.6f,\"wp_msgs\":%u,\"protects\":%lu,"
	       "\"unprotects\":%lu,\"mprotects\":%lu,\"dontneeds\":%lu,\"pages_written\":%lu,"
	       "\"corrupt_pages\":%zu}\n",
	       rounds, pages, writers, elapsed, mon.wp_count, n.protects, n.unprotects + mon.wp_count,
	       n.mprotects, n.dontneeds, n.pages_written, corrupt);
	return corrupt ? 2 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * wp-threads: the basic uffd-wp protocol on 16 anon pages.
 *
 * Populate, register for WP, protect all 16; one thread writes every page
 * while the monitor thread reads the WP messages and unprotects each faulting
 * page.  Correct kernel: exactly one WP message per page and the data intact.
 * This is also the workload the tracer's end-to-end test counts (issue 2).
 */
#include "scenario.h"

#define NPAGES 16

int main(void)
{
	struct uffd_monitor mon;
	struct page_writer writer;
	struct region r;
	unsigned int pages_hit = 0;
	size_t bad;
	int uffd;

	scen_begin("wp-threads");
	region_map(&r, BACKING_ANON, NPAGES);
	region_fill(&r, 0); /* anon WP needs populated pages (no WP_UNPOPULATED) */

	uffd = uffd_new(0);
	uffd_register(uffd, r.addr, r.len, UFFDIO_REGISTER_MODE_WP);
	uffd_writeprotect(uffd, r.addr, r.len, true);
	monitor_start(&mon, uffd, r.page_size, NULL, NULL);

	page_writer_start(&writer, &r, 0, NPAGES, 1);
	page_writer_join(&writer);
	monitor_stop(&mon);

	for (size_t i = 0; i < NPAGES; i++)
		pages_hit += monitor_wp_in(&mon, r.addr + i * r.page_size, r.page_size) == 1;
	bad = region_mismatches(&r, 1);
	if (mon.wp_count != NPAGES || pages_hit != NPAGES || bad)
		scen_end(VERDICT_BUG, "wp_msgs=%u pages_with_one_msg=%u/%d corrupt_pages=%zu",
			 mon.wp_count, pages_hit, NPAGES, bad);
	scen_end(VERDICT_OK, "wp_msgs=%u pages_with_one_msg=%u/%d writer_faults=%ld", mon.wp_count,
		 pages_hit, NPAGES, writer.faults);
}

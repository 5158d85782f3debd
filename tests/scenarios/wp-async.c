// SPDX-License-Identifier: GPL-2.0
/*
 * wp-async: UFFD_FEATURE_WP_ASYNC (6.7+), the kernel resolves WP faults itself.
 *
 * Protect populated pages, write every other one.  No message may arrive;
 * pagemap bit 57 must be clear exactly on the written pages and set on the
 * others, and the data must be what was written.  Skips where the kernel
 * lacks the feature (6.1).
 */
#include "scenario.h"

#define NPAGES 16

static void run_backing(struct scen_rows *rows, enum backing b)
{
	size_t still_protected = 0, wrong_bits = 0, wrong_data = 0;
	struct uffd_monitor mon;
	struct region r;
	int uffd = region_map_protected_with(rows, &r, b, NPAGES, UFFD_FEATURE_WP_ASYNC);

	if (uffd < 0)
		return;
	monitor_start(&mon, uffd, r.page_size, NULL, NULL); /* must stay silent */

	for (size_t i = 0; i < NPAGES; i += 2)
		page_fill(r.addr + i * r.page_size, r.page_size, page_tag(i, 1));
	monitor_stop(&mon);

	for (size_t i = 0; i < NPAGES; i++) {
		bool written = i % 2 == 0, wp = page_uffd_wp(r.addr + i * r.page_size);

		still_protected += wp;
		wrong_bits += wp == written;
		wrong_data += !page_holds(r.addr + i * r.page_size, r.page_size,
					  page_tag(i, written ? 1 : 0));
	}
	rows_add(rows, b, mon.wp_count || wrong_bits || wrong_data ? VERDICT_BUG : VERDICT_OK,
		 "wp_msgs=%u protected=%zu/%d wrong_bits=%zu wrong_data=%zu", mon.wp_count,
		 still_protected, NPAGES / 2, wrong_bits, wrong_data);
	close(uffd);
	region_unmap(&r);
}

static void require_wp_async(void)
{
	uffd_require_features(UFFD_FEATURE_WP_ASYNC, "UFFD_FEATURE_WP_ASYNC");
}

SCEN_MAIN_BACKINGS("wp-async", require_wp_async, BACKING_ANON, BACKING_SHMEM)

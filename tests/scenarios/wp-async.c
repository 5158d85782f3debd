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
	struct uffd_monitor mon;
	struct even_written c;
	struct region r;
	int uffd = region_map_protected_with(rows, &r, b, NPAGES, UFFD_FEATURE_WP_ASYNC);

	if (uffd < 0)
		return;
	monitor_start(&mon, uffd, r.page_size, NULL, NULL); /* must stay silent */

	region_write_even(&r, NPAGES);
	monitor_stop(&mon);

	c = region_check_even_written(&r, NPAGES);
	rows_add(rows, b, mon.wp_count || c.wrong_bits || c.wrong_data ? VERDICT_BUG : VERDICT_OK,
		 "wp_msgs=%u protected=%zu/%d wrong_bits=%zu wrong_data=%zu", mon.wp_count,
		 c.still_protected, NPAGES / 2, c.wrong_bits, c.wrong_data);
	close(uffd);
	region_unmap(&r);
}

static void require_wp_async(void)
{
	uffd_require_features(UFFD_FEATURE_WP_ASYNC, "UFFD_FEATURE_WP_ASYNC");
}

SCEN_MAIN_BACKINGS("wp-async", require_wp_async, BACKING_ANON, BACKING_SHMEM)

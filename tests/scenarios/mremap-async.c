// SPDX-License-Identifier: GPL-2.0
/*
 * mremap-async: async uffd-wp pages moved by mremap() keep their protection,
 * and writes at the new address unprotect them.
 *
 * Protected pages on a uffd with UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_EVENT_REMAP
 * are moved with MREMAP_MAYMOVE|MREMAP_FIXED (the monitor takes the
 * UFFD_EVENT_REMAP), then every other page is written at the new address: the
 * kernel resolves those faults itself (no message).  An mprotect() round trip
 * makes the tracer walk the range (change_protection()), so the written pages,
 * unprotected, and the others, protected, are checked against the model.
 * pagemap bit 57 must be clear exactly on the written pages, and the data must
 * be what was written.  Skips where the kernel lacks WP_ASYNC (6.1).
 */
#include "scenario.h"

#define NPAGES 8

static void run_backing(struct scen_rows *rows, enum backing b)
{
	struct uffd_monitor mon;
	struct even_written c;
	struct uffd_msg remap;
	struct region r;
	char *target;
	int uffd = region_map_protected_with(rows, &r, b, NPAGES,
					     UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_EVENT_REMAP);

	if (uffd < 0)
		return;
	/* a reserved destination, so MREMAP_FIXED replaces nothing of ours */
	target = mmap(NULL, r.len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (target == MAP_FAILED)
		scen_fail("mmap(target)");
	monitor_start(&mon, uffd, r.page_size, NULL, NULL);
	if (mremap(r.addr, r.len, r.len, MREMAP_MAYMOVE | MREMAP_FIXED, target) != target)
		scen_fail("mremap");
	r.addr = r.map_base = target;
	remap = monitor_wait_event(&mon, UFFD_EVENT_REMAP);
	region_write_even(&r, NPAGES);
	monitor_stop(&mon);
	SCEN_CHECK(mprotect(r.addr, r.len, PROT_READ));
	SCEN_CHECK(mprotect(r.addr, r.len, PROT_READ | PROT_WRITE));

	c = region_check_even_written(&r, NPAGES);
	rows_add(rows, b,
		 remap.arg.remap.to != (uintptr_t)target || mon.wp_count || c.wrong_bits ||
				 c.wrong_data
			 ? VERDICT_BUG
			 : VERDICT_OK,
		 "wp_msgs=%u protected=%zu/%d wrong_bits=%zu wrong_data=%zu", mon.wp_count,
		 c.still_protected, NPAGES / 2, c.wrong_bits, c.wrong_data);
	close(uffd);
	region_unmap(&r);
}

static void require_features(void)
{
	uffd_require_features(UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_EVENT_REMAP,
			      "UFFD_FEATURE_WP_ASYNC and UFFD_FEATURE_EVENT_REMAP");
}

SCEN_MAIN_BACKINGS("mremap-async", require_features, BACKING_ANON, BACKING_SHMEM)

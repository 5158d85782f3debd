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
	size_t still_protected = 0, wrong_bits = 0, wrong_data = 0;
	struct uffd_monitor mon;
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
	for (size_t i = 0; i < NPAGES; i += 2)
		page_fill(r.addr + i * r.page_size, r.page_size, page_tag(i, 1));
	monitor_stop(&mon);
	SCEN_CHECK(mprotect(r.addr, r.len, PROT_READ));
	SCEN_CHECK(mprotect(r.addr, r.len, PROT_READ | PROT_WRITE));

	for (size_t i = 0; i < NPAGES; i++) {
		bool written = i % 2 == 0, wp = page_uffd_wp(r.addr + i * r.page_size);

		still_protected += wp;
		wrong_bits += wp == written;
		wrong_data += !page_holds(r.addr + i * r.page_size, r.page_size,
					  page_tag(i, written ? 1 : 0));
	}
	rows_add(rows, b,
		 remap.arg.remap.to != (uintptr_t)target || mon.wp_count || wrong_bits || wrong_data
			 ? VERDICT_BUG
			 : VERDICT_OK,
		 "wp_msgs=%u protected=%zu/%d wrong_bits=%zu wrong_data=%zu", mon.wp_count,
		 still_protected, NPAGES / 2, wrong_bits, wrong_data);
	close(uffd);
	region_unmap(&r);
}

static void require_features(void)
{
	uffd_require_features(UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_EVENT_REMAP,
			      "UFFD_FEATURE_WP_ASYNC and UFFD_FEATURE_EVENT_REMAP");
}

SCEN_MAIN_BACKINGS("mremap-async", require_features, BACKING_ANON, BACKING_SHMEM)

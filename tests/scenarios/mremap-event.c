// SPDX-License-Identifier: GPL-2.0
/*
 * mremap-event: mremap() with UFFD_FEATURE_EVENT_REMAP, the protection moves.
 *
 * Protected anon pages are moved with MREMAP_MAYMOVE|MREMAP_FIXED.  The
 * monitor must get UFFD_EVENT_REMAP with the right from/to/len, the pages at
 * the new address must still be protected, and writing them must produce one
 * WP message each, inside the new range.
 */
#include "scenario.h"

#define NPAGES 4

int main(void)
{
	struct uffd_monitor mon;
	struct uffd_msg remap;
	struct region r;
	char *old_addr, *target;
	unsigned int wp_msgs;
	size_t wp_bits;
	bool event_ok;
	int uffd;

	scen_begin("mremap-event");
	uffd_require_features(UFFD_FEATURE_EVENT_REMAP, "UFFD_FEATURE_EVENT_REMAP");
	region_map(&r, BACKING_ANON, NPAGES);
	region_fill(&r, 0);
	/* A reserved destination, so MREMAP_FIXED replaces nothing of ours. */
	target = mmap(NULL, r.len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (target == MAP_FAILED)
		scen_fail("mmap(target)");

	uffd = uffd_new(UFFD_FEATURE_EVENT_REMAP);
	uffd_register(uffd, r.addr, r.len, UFFDIO_REGISTER_MODE_WP);
	uffd_writeprotect(uffd, r.addr, r.len, true);
	monitor_start(&mon, uffd, r.page_size, NULL, NULL);
	old_addr = r.addr;
	if (mremap(r.addr, r.len, r.len, MREMAP_MAYMOVE | MREMAP_FIXED, target) != target)
		scen_fail("mremap");
	r.addr = r.map_base = target;
	remap = monitor_wait_event(&mon, UFFD_EVENT_REMAP);
	monitor_stop(&mon);

	event_ok = remap.arg.remap.from == (uintptr_t)old_addr &&
		   remap.arg.remap.to == (uintptr_t)target && remap.arg.remap.len == r.len;
	wp_bits = count_uffd_wp(r.addr, r.len);
	wp_msgs = write_all_count_wp(uffd, &r, 1, NULL);
	scen_end(event_ok && wp_bits == NPAGES && wp_msgs == NPAGES && !region_mismatches(&r, 1)
			 ? VERDICT_OK
			 : VERDICT_BUG,
		 "remap_event_ok=%d wp_bits_after_move=%zu/%d wp_msgs=%u/%d", event_ok, wp_bits,
		 NPAGES, wp_msgs, NPAGES);
}

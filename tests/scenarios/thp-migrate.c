// SPDX-License-Identifier: GPL-2.0
/*
 * thp-migrate: bug #5 (fix 24bf08c4376b, reverted in bad-C).
 *
 * A PMD-mapped anon THP is protected and moved to the other NUMA node.
 * set_pmd_migration_entry() must carry the PMD's uffd-wp bit into the
 * migration entry so remove_migration_pmd() can restore it; without that the
 * THP comes back unprotected: pagemap bit 57 goes from 1 to 0 and the write
 * produces no message.  Needs numa=fake=2 and THP (madvise or always).
 */
#include "scenario.h"

int main(void)
{
	size_t wp_before, wp_after, subpages;
	unsigned int wp_msgs;
	struct region r;
	const char *why;
	int uffd, node, status;

	scen_begin("thp-migrate");
	why = region_map(&r, BACKING_THP, 1);
	if (why)
		scen_end(VERDICT_SKIP, "%s", why);
	region_fill(&r, 0);
	if (!region_is_thp(&r))
		scen_end(VERDICT_SKIP, "no_thp_allocated");
	node = other_node_or_skip(r.addr);

	uffd = uffd_new(0);
	uffd_register(uffd, r.addr, r.len, UFFDIO_REGISTER_MODE_WP);
	uffd_writeprotect(uffd, r.addr, r.len, true);
	subpages = r.len / SCEN_PAGE_SIZE;
	wp_before = count_uffd_wp(r.addr, r.len);

	status = move_one_page(r.addr, node);
	if (status != node)
		scen_end(VERDICT_SKIP, "not_migrated_status=%d", status);
	if (!region_is_thp(&r))
		scen_end(VERDICT_SKIP, "thp_split_during_migration");
	wp_after = count_uffd_wp(r.addr, r.len);

	wp_msgs = write_all_count_wp(uffd, &r, 1, NULL);
	if (wp_before != subpages)
		scen_end(VERDICT_ERROR, "protect_did_not_take wp_bits=%zu/%zu", wp_before, subpages);
	scen_end(wp_after == subpages && wp_msgs == 1 ? VERDICT_OK : VERDICT_BUG,
		 "node=%d wp_bits_before=%zu wp_bits_after=%zu/%zu wp_msgs=%u/1", node,
		 wp_before, wp_after, subpages, wp_msgs);
}

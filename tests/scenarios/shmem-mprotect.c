// SPDX-License-Identifier: GPL-2.0
/*
 * shmem-mprotect: bug #1 (fix 51d3d5eb74ff, reverted in bad-A) through mprotect.
 *
 * A MAP_SHARED range is registered and protected, then mprotect(RO) and
 * mprotect(RW).  Without writenotify for uffd-wp VMAs, vm_page_prot stays RW
 * and change_pte_range() rebuilds each PTE writable with the uffd-wp bit
 * still set: the writes that follow produce no message.  Ground truth: one
 * WP message per written page.
 */
#include "scenario.h"

#define NPAGES 4

static void run_backing(struct scen_rows *rows, enum backing b)
{
	unsigned int wp_msgs;
	size_t wp_bits;
	struct region r;
	int uffd;

	uffd = region_map_protected(rows, &r, b, NPAGES);
	if (uffd < 0)
		return;

	SCEN_CHECK(mprotect(r.addr, r.len, PROT_READ));
	SCEN_CHECK(mprotect(r.addr, r.len, PROT_READ | PROT_WRITE));
	wp_bits = count_uffd_wp(r.addr, r.len) * SCEN_PAGE_SIZE / r.page_size;

	wp_msgs = write_all_count_wp(uffd, &r, 1, NULL);
	rows_add(rows, b, wp_msgs == NPAGES ? VERDICT_OK : VERDICT_BUG,
		 "wp_bits_after_mprotect=%zu wp_msgs=%u/%d", wp_bits, wp_msgs, NPAGES);
	close(uffd);
	region_unmap(&r);
}

SCEN_MAIN_BACKINGS("shmem-mprotect", NULL, BACKING_SHMEM, BACKING_HUGETLB_SHARED)

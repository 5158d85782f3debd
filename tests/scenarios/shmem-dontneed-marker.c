// SPDX-License-Identifier: GPL-2.0
/*
 * shmem-dontneed-marker: zap variant of the dropped-marker bugs (#12 family;
 * patch E in shared/kernels removes the marker install from zap_pte_range).
 *
 * A populated, protected shmem page is zapped with MADV_DONTNEED.  The page
 * stays in the page cache, so the zap must leave a uffd-wp PTE marker
 * (zap_install_uffd_wp_if_needed()); pagemap keeps showing bit 57 and the
 * next write still produces a message.  Without the marker the re-fault
 * maps the page writable and the write goes unnotified.
 */
#include "scenario.h"

#define NPAGES 4

static void run_backing(struct scen_rows *rows, enum backing b)
{
	size_t wp_bits, subpages;
	unsigned int wp_msgs;
	struct region r;
	int uffd;

	uffd = region_map_protected(rows, &r, b, NPAGES);
	if (uffd < 0)
		return;
	SCEN_CHECK(madvise(r.addr, r.len, MADV_DONTNEED));

	subpages = r.len / SCEN_PAGE_SIZE;
	wp_bits = count_uffd_wp(r.addr, r.len);
	wp_msgs = write_all_count_wp(uffd, &r, 1, NULL);
	rows_add(rows, b, wp_bits == subpages && wp_msgs == NPAGES ? VERDICT_OK : VERDICT_BUG,
		 "wp_bits_after_zap=%zu/%zu wp_msgs=%u/%d", wp_bits, subpages, wp_msgs, NPAGES);
	close(uffd);
	region_unmap(&r);
}

SCEN_MAIN_BACKINGS("shmem-dontneed-marker", NULL, BACKING_SHMEM, BACKING_HUGETLB_SHARED)

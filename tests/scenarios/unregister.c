// SPDX-License-Identifier: GPL-2.0
/*
 * unregister: UFFDIO_UNREGISTER drops the protection with the registration.
 *
 * Since f369b07c8614 (6.0) unregistering a WP range resolves its uffd-wp
 * bits (userfaultfd_unregister() -> uffd_wp_range(..., false)), so no stale
 * bit 57 remains and writes go through without any message.  writer_faults
 * is informative: on 6.1 anon pages come back read-only (bug #14), one fault
 * per page, where 6.3+ leaves them writable.
 */
#include "scenario.h"

#define NPAGES 4

static void run_backing(struct scen_rows *rows, enum backing b)
{
	unsigned int wp_msgs;
	long writer_faults;
	struct region r;
	size_t wp_bits;
	int uffd;

	uffd = region_map_protected(rows, &r, b, NPAGES);
	if (uffd < 0)
		return;
	uffd_unregister(uffd, r.addr, r.len);

	wp_bits = count_uffd_wp(r.addr, r.len);
	wp_msgs = write_all_count_wp(uffd, &r, 1, &writer_faults);
	rows_add(rows, b, wp_bits || wp_msgs || region_mismatches(&r, 1) ? VERDICT_BUG : VERDICT_OK,
		 "wp_bits_after_unregister=%zu wp_msgs=%u writer_faults=%ld/%d_pages", wp_bits,
		 wp_msgs, writer_faults, NPAGES);
	close(uffd);
	region_unmap(&r);
}

SCEN_MAIN_BACKINGS("unregister", NULL, BACKING_ANON, BACKING_SHMEM)

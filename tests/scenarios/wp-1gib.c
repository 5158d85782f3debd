// SPDX-License-Identifier: GPL-2.0
/*
 * wp-1gib: one UFFDIO_WRITEPROTECT over 1 GiB of 4 KiB pages, and back.
 *
 * The tracer's page-table walk after each ioctl must cover all 262,144 PTEs
 * (issue 16: `walks_capped` 0).  The pages are populated by
 * MADV_POPULATE_READ, so they map the shared zero page: page tables exist
 * (anon WP only marks present PTEs before 6.4's WP_UNPOPULATED) while the
 * scenario costs 2 MiB of page tables, no data pages and no fault per page,
 * which keeps it cheap under TCG.  Nothing is written: protect, pagemap
 * bit 57 on every page, unprotect, on none.
 */
#include "scenario.h"

#define NPAGES (1UL << 18) /* 1 GiB of 4 KiB pages */

static void run_backing(struct scen_rows *rows, enum backing b)
{
	size_t protected, left;
	struct region r;
	const char *why = region_map(&r, b, NPAGES);
	int uffd;

	if (why) {
		rows_add(rows, b, VERDICT_SKIP, "%s", why);
		return;
	}
	SCEN_CHECK(madvise(r.addr, r.len, MADV_NOHUGEPAGE)); /* 4 KiB PTEs, not PMDs */
	if (madvise(r.addr, r.len, MADV_POPULATE_READ) < 0) {
		rows_add(rows, b, VERDICT_SKIP, "madv_populate_read_errno=%d", errno);
		region_unmap(&r);
		return;
	}
	uffd = uffd_new(0);
	uffd_register(uffd, r.addr, r.len, UFFDIO_REGISTER_MODE_WP);
	uffd_writeprotect(uffd, r.addr, r.len, true);
	protected = count_uffd_wp(r.addr, r.len);
	uffd_writeprotect(uffd, r.addr, r.len, false);
	left = count_uffd_wp(r.addr, r.len);
	rows_add(rows, b, protected != NPAGES || left ? VERDICT_BUG : VERDICT_OK,
		 "protected=%zu/%lu left=%zu", protected, NPAGES, left);
	close(uffd);
	region_unmap(&r);
}

SCEN_MAIN_BACKINGS("wp-1gib", NULL, BACKING_ANON)

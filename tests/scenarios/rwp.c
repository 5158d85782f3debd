// SPDX-License-Identifier: GPL-2.0
/*
 * rwp: 7.3's read-write protection (UFFDIO_REGISTER_MODE_RWP,
 * UFFDIO_RWPROTECT), which uses the uffd-wp PTE bit with PROT_NONE meaning.
 *
 * Protect populated pages for RWP; one thread reads half of them and writes
 * the other half.  Every first access must raise exactly one RWP message
 * (UFFD_PAGEFAULT_FLAG_RWP, never FLAG_WP), resolved by UFFDIO_RWPROTECT
 * mode 0; then no page is left protected (pagemap bit 57) and the data is
 * what was written.  The tracer must stay silent: the shared bit in an RWP
 * range is RWP's, not a WP protection to judge.  Skips without
 * UFFD_FEATURE_RWP (every kernel before 7.3).
 */
#include "scenario.h"

#define NPAGES 16

static void run_backing(struct scen_rows *rows, enum backing b)
{
	struct scen_uffdio_rwprotect rwp;
	size_t left_protected, wrong_data = 0;
	struct uffd_monitor mon;
	struct region r;
	const char *why;
	int uffd, err;

	why = region_map(&r, b, NPAGES);
	if (why) {
		rows_add(rows, b, VERDICT_SKIP, "%s", why);
		return;
	}
	region_fill(&r, 0);
	uffd = uffd_new(SCEN_UFFD_FEATURE_RWP);
	err = uffd_register_try(uffd, r.addr, r.len, SCEN_UFFDIO_REGISTER_MODE_RWP);
	if (err) {
		rows_add(rows, b, VERDICT_SKIP, "RWP_register_refused(%s)", strerror(-err));
		close(uffd);
		region_unmap(&r);
		return;
	}
	rwp = (struct scen_uffdio_rwprotect){ .range = { (uintptr_t)r.addr, r.len }, .mode = 1 };
	SCEN_CHECK(ioctl(uffd, SCEN_UFFDIO_RWPROTECT, &rwp));
	monitor_start(&mon, uffd, r.page_size, NULL, NULL);

	for (size_t i = 0; i < NPAGES; i++) {
		char *p = r.addr + i * r.page_size;

		if (i % 2)
			page_fill(p, r.page_size, page_tag(i, 1));
		else
			wrong_data += !page_holds(p, r.page_size, page_tag(i, 0));
	}
	monitor_stop(&mon);
	left_protected = count_uffd_wp(r.addr, r.len);
	for (size_t i = 1; i < NPAGES; i += 2)
		wrong_data += !page_holds(r.addr + i * r.page_size, r.page_size, page_tag(i, 1));
	rows_add(rows, b,
		 mon.rwp_count != NPAGES || mon.wp_count || left_protected || wrong_data ||
		 mon.error ? VERDICT_BUG : VERDICT_OK,
		 "rwp_msgs=%u/%d wp_msgs=%u left_protected=%zu wrong_data=%zu error=%d",
		 mon.rwp_count, NPAGES, mon.wp_count, left_protected, wrong_data, mon.error);
	close(uffd);
	region_unmap(&r);
}

static void require_rwp(void)
{
	uffd_require_features(SCEN_UFFD_FEATURE_RWP, "UFFD_FEATURE_RWP");
}

SCEN_MAIN_BACKINGS("rwp", require_rwp, BACKING_ANON, BACKING_SHMEM)

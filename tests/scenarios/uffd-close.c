// SPDX-License-Identifier: GPL-2.0
/*
 * uffd-close: close() of a uffd without UFFDIO_UNREGISTER must take its
 * protection with it.
 *
 * The last reference's userfaultfd_release() unregisters every range, and
 * since c88033efe9a3 ("mm/uffd: reset ptes when close() for wr-protected
 * ones") it resolves their uffd-wp bits too; a kernel without it leaves the
 * bits in an unregistered VMA, and the next WP registration of that range
 * gets WP messages for pages it never protected.  Populated, protected
 * pages; the uffd closed; pagemap must show no bit 57; a fresh uffd
 * registers the range for WP without protecting it, and a write to every
 * page must take no message and keep its data.
 */
#include "scenario.h"

#define NPAGES 4

static void run_backing(struct scen_rows *rows, enum backing b)
{
	struct uffd_monitor mon;
	struct page_writer writer;
	struct region r;
	size_t wp_bits;
	int uffd;

	uffd = region_map_protected(rows, &r, b, NPAGES);
	if (uffd < 0)
		return;
	close(uffd);
	wp_bits = count_uffd_wp(r.addr, r.len);

	uffd = uffd_new(0);
	uffd_register(uffd, r.addr, r.len, UFFDIO_REGISTER_MODE_WP);
	monitor_start(&mon, uffd, r.page_size, NULL, NULL);
	page_writer_start(&writer, &r, 0, NPAGES, 1);
	page_writer_join(&writer);
	monitor_stop(&mon);

	rows_add(rows, b, wp_bits || mon.wp_count || region_mismatches(&r, 1) ? VERDICT_BUG : VERDICT_OK,
		 "wp_bits_after_close=%zu wp_msgs_unprotected=%u", wp_bits, mon.wp_count);
	close(uffd);
	region_unmap(&r);
}

SCEN_MAIN_BACKINGS("uffd-close", NULL, BACKING_ANON, BACKING_SHMEM, BACKING_HUGETLB_SHARED)

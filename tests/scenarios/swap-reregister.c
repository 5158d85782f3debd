// SPDX-License-Identifier: GPL-2.0
/*
 * swap-reregister: a WP range registered again MISSING-only, then swapped
 * out and in, must not come back with uffd-wp bits (issue 15's target).
 *
 * UFFDIO_REGISTER of a WP-registered, write-protected range with
 * MODE_MISSING alone drops VM_UFFD_WP but, on 6.1, 6.12 and 6.18, keeps the
 * PTEs' uffd-wp bits (uffd-wp-bugs.md, "re-register without MODE_WP"; 7.3
 * refuses the re-registration with EBUSY: a skip row).  Swap-out carries the
 * bit into the swap entry or marker; the swap-in fault restores it in a VMA
 * no registration protects, and do_swap_page() (since 6.5 it tests
 * userfaultfd_pte_wp(), false there) may map the page writable with it: a
 * write then takes no fault.  The pages are read back in, written (faults
 * counted), and the range registered for WP again without protecting: a
 * write must take no WP message.  Any bit 57 left, or a message, is the bug.
 * Needs swap, as swap-wp.
 */
#include "scenario.h"

#define NPAGES 4

static void need_swap(void)
{
	const char *why = scen_swap_missing();

	if (why)
		scen_end(VERDICT_SKIP, "%s", why);
}

static void run_backing(struct scen_rows *rows, enum backing b)
{
	size_t kept, swapped, present, wp_in, wp_written;
	struct uffd_monitor mon;
	struct page_writer writer;
	unsigned int wp_msgs;
	struct region r;
	long no_fault;
	int uffd, err;

	uffd = region_map_protected(rows, &r, b, NPAGES);
	if (uffd < 0)
		return;
	err = uffd_register_try(uffd, r.addr, r.len, UFFDIO_REGISTER_MODE_MISSING);
	if (err == -EBUSY) {
		rows_add(rows, b, VERDICT_SKIP, "reregister_missing_only=EBUSY");
		goto out;
	}
	if (err) {
		errno = -err;
		scen_fail("UFFDIO_REGISTER(MISSING) again");
	}
	kept = count_uffd_wp(r.addr, r.len);
	swapped = region_page_out(&r);
	if (swapped < NPAGES) {
		rows_add(rows, b, VERDICT_SKIP, "pageout_swapped=%zu_of_%d", swapped, NPAGES);
		goto out;
	}
	present = region_read_in(&r);
	wp_in = count_uffd_wp(r.addr, r.len);

	monitor_start(&mon, uffd, r.page_size, NULL, NULL);
	page_writer_start(&writer, &r, 0, NPAGES, 1);
	page_writer_join(&writer);
	monitor_stop(&mon);
	no_fault = writer.faults < NPAGES ? NPAGES - writer.faults : 0;
	wp_written = count_uffd_wp(r.addr, r.len);

	uffd_register(uffd, r.addr, r.len, UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP);
	wp_msgs = write_all_count_wp(uffd, &r, 2, NULL);

	rows_add(rows, b,
		 kept || wp_in || wp_written || wp_msgs || mon.wp_count || present != NPAGES ||
				 region_mismatches(&r, 2)
			 ? VERDICT_BUG
			 : VERDICT_OK,
		 "wp_bits_kept=%zu swapped=%zu swapin_wp_bits=%zu writes_no_fault=%ld "
		 "written_wp_bits=%zu wp_msgs_unprotected=%u",
		 kept, swapped, wp_in, no_fault, wp_written, wp_msgs + mon.wp_count);
out:
	close(uffd);
	region_unmap(&r);
}

SCEN_MAIN_BACKINGS("swap-reregister", need_swap, BACKING_ANON, BACKING_SHMEM)

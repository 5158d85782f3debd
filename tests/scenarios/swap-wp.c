// SPDX-License-Identifier: GPL-2.0
/*
 * swap-wp: write-protected pages keep their protection through swap-out and
 * swap-in.
 *
 * Reclaim replaces a protected anon PTE with a swap entry that carries the
 * uffd-wp bit (try_to_unmap_one(): pte_swp_mkuffd_wp()) and a protected
 * shmem PTE with a uffd-wp PTE marker (pte_install_uffd_wp_if_needed());
 * the fault that brings the page back must map it read-only with the bit
 * again (do_swap_page(), or the marker's do_fault()).  Populated, protected
 * pages are paged out (MADV_PAGEOUT; checked that they really went, see
 * region_page_out()), bit 57 must be there while they are out, the first
 * half is swapped in by reads and must still carry bit 57, then every page
 * is written (the second half swapped in by the write fault): exactly one WP
 * message per page, and the data written before and after swap intact.
 * Needs swap: uffdwp-vmtest's guests have a swap disk, else a skip says why.
 */
#include "scenario.h"

#define NPAGES 4
#define READ_IN (NPAGES / 2)

static void need_swap(void)
{
	const char *why = scen_swap_missing();

	if (why)
		scen_end(VERDICT_SKIP, "%s", why);
}

static void run_backing(struct scen_rows *rows, enum backing b)
{
	struct region first_half;
	size_t swapped, wp_out, wp_in, present, stale_data;
	unsigned int wp_msgs;
	struct region r;
	int uffd;

	uffd = region_map_protected(rows, &r, b, NPAGES);
	if (uffd < 0)
		return;
	swapped = region_page_out(&r);
	if (swapped < NPAGES) {
		rows_add(rows, b, VERDICT_SKIP, "pageout_swapped=%zu_of_%d", swapped, NPAGES);
		goto out;
	}
	wp_out = count_uffd_wp(r.addr, r.len);
	first_half = r;
	first_half.len = READ_IN * r.page_size;
	present = region_read_in(&first_half);
	wp_in = count_uffd_wp(r.addr, first_half.len);
	stale_data = region_mismatches(&r, 0);
	wp_msgs = write_all_count_wp(uffd, &r, 1, NULL);

	rows_add(rows, b,
		 wp_out != NPAGES || present != READ_IN || wp_in != READ_IN || stale_data ||
				 wp_msgs != NPAGES || region_mismatches(&r, 1)
			 ? VERDICT_BUG
			 : VERDICT_OK,
		 "swapped=%zu wp_bits_out=%zu read_in=%zu(wp_bits=%zu) data_lost=%zu wp_msgs=%u(want=%d)",
		 swapped, wp_out, present, wp_in, stale_data, wp_msgs, NPAGES);
out:
	close(uffd);
	region_unmap(&r);
}

SCEN_MAIN_BACKINGS("swap-wp", need_swap, BACKING_ANON, BACKING_SHMEM)

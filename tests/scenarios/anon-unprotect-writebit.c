// SPDX-License-Identifier: GPL-2.0
/*
 * anon-unprotect-writebit: bug #14 (fix 931298e103c2, 6.3; still in 6.1).
 *
 * Dirty exclusive anon pages are protected and unprotected again.  The
 * unprotect should leave them writable; 6.1's uffd_wp_range() resolves
 * without MM_CP_TRY_CHANGE_WRITABLE and with the private (read-only)
 * vm_get_page_prot(), so each page takes one more plain write fault.  The
 * writing thread counts its own faults around the writes; no message is
 * owed at all.
 */
#include "scenario.h"

#define NPAGES 16

int main(void)
{
	struct uffd_monitor mon;
	struct region r;
	long before, extra;
	int uffd;

	scen_begin("anon-unprotect-writebit");
	region_map(&r, BACKING_ANON, NPAGES);
	region_fill(&r, 0); /* populated, dirty and exclusive */
	uffd = uffd_new(0);
	uffd_register(uffd, r.addr, r.len, UFFDIO_REGISTER_MODE_WP);
	uffd_writeprotect(uffd, r.addr, r.len, true);
	uffd_writeprotect(uffd, r.addr, r.len, false);
	/* Only a safety net: a stray message would otherwise block the writes. */
	monitor_start(&mon, uffd, r.page_size, NULL, NULL);

	before = thread_faults();
	region_fill(&r, 1);
	extra = thread_faults() - before;
	monitor_stop(&mon);

	if (mon.wp_count)
		scen_end(VERDICT_BUG, "unexpected_wp_msgs=%u extra_faults=%ld", mon.wp_count, extra);
	scen_end(extra > 0 ? VERDICT_BUG : VERDICT_OK, "extra_write_faults=%ld/%d_pages", extra,
		 NPAGES);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hugetlb-mremap-part: mremap(2) of the middle huge page of an unpopulated
 * 3-page hugetlb mapping to a fresh address (MREMAP_MAYMOVE | MREMAP_FIXED),
 * in a child that then exits: HugePages_Rsvd must be back where it was.
 *
 * Not a uffd-wp bug: uffdwp-fuzz found it through its effect, MAP_HUGETLB
 * failing late in long searches with every huge page free (FINDINGS.md 4).
 * Read in 7.3's mm/mremap.c: the source VMA is not split before the copy, and
 * fixup_hugetlb_reservations() (clear_vma_resv_huge_pages() called from
 * move_vma() on 6.1 and 6.12, since 550a7d60bd5e) drops the resv_map of the
 * whole source VMA, not only of the part that moved.  The parts that stay
 * are then split off without one, so their close (hugetlb_vm_op_close())
 * returns nothing: each unpopulated huge page outside the moved part stays
 * reserved for good.  A private mapping's reservations live in its VMAs'
 * resv_map; a shared one's in the inode's, which the move leaves alone: the
 * shared row is the control.
 *
 * HugePages_Rsvd is system-wide: another hugetlb user running at the same time
 * would be counted too (uffdwp-vmtest's guests have none).
 */
#include "scenario.h"

#define NPAGES 3
#define MOVED_PAGE 1

/* In the child: map, move the middle page, exit (the exit is what must give it all back). */
static int map_move_exit(enum backing b, int fd)
{
	struct region r;
	const char *why = region_map(&r, b, NPAGES);

	if (why) {
		dprintf(fd, "%s", why);
		return CHILD_SKIP;
	}
	if (!region_move_part(r.addr + MOVED_PAGE * r.page_size, r.page_size)) {
		dprintf(fd, "mremap_of_part_refused(%s)", strerror(errno));
		return CHILD_SKIP;
	}
	return CHILD_OK;
}

static void run_backing(struct scen_rows *rows, enum backing b)
{
	long before = meminfo_value("HugePages_Rsvd:"), after;
	char why[160];
	int status;

	if (before < 0) {
		rows_add(rows, b, VERDICT_SKIP, "no_HugePages_Rsvd_in_/proc/meminfo");
		return;
	}
	status = child_run_row(b, map_move_exit, why, sizeof(why));
	after = meminfo_value("HugePages_Rsvd:");
	if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_SKIP)
		rows_add(rows, b, VERDICT_SKIP, "%s", why);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != CHILD_OK)
		scen_fail("map_move_exit child");
	else
		rows_add(rows, b, after > before ? VERDICT_BUG : VERDICT_OK,
			 "HugePages_Rsvd_%ld_before_%ld_after_the_exit", before, after);
}

SCEN_MAIN_BACKINGS("hugetlb-mremap-part", NULL, BACKING_HUGETLB_PRIVATE, BACKING_HUGETLB_SHARED)

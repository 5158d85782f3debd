// SPDX-License-Identifier: GPL-2.0
/*
 * hugetlb-reregister-write: a write to a hugetlb page whose uffd-wp bit
 * outlived its WP registration must complete.
 *
 * Found by uffdwp-fuzz in the Debian 6.12 hunt (seed 2, sequence 151: an op
 * that never finished).  UFFDIO_REGISTER of a WP-registered, write-protected
 * range with MODE_MISSING alone drops VM_UFFD_WP but keeps the PTEs' uffd-wp
 * bits on 6.1, 6.12 and 6.18 (7.3 refuses it with EBUSY: a skip row).  A
 * write fault on such a hugetlb PTE then never makes progress: hugetlb_fault()
 * hands uffd-wp to userfaultfd only when userfaultfd_wp(vma), which is false
 * now, and hugetlb_wp() returns at once for a PTE with the bit ("Never handle
 * CoW for uffd-wp protected pages"), so the fault is retried forever.  The
 * PTE path (do_wp_page(): userfaultfd_pte_wp() tests the VMA too) does not
 * loop.  Each row runs in a child with a CPU-time limit: a child the limit
 * kills is that livelock.
 */
#include "scenario.h"

#define NPAGES 1
#define CPU_LIMIT_S 2	/* one write takes microseconds, even under TCG */

/* The row, in the child: its detail goes to fd, its verdict is the exit status. */
static int reregister_write_row(enum backing b, int fd)
{
	size_t bits_kept, wrong_data;
	struct region r;
	const char *why;
	int uffd, err;

	why = region_map(&r, b, NPAGES);
	if (why) {
		dprintf(fd, "%s", why);
		return CHILD_SKIP;
	}
	region_fill(&r, 0);
	uffd = uffd_new(0);
	uffd_register(uffd, r.addr, r.len, UFFDIO_REGISTER_MODE_WP);
	uffd_writeprotect(uffd, r.addr, r.len, true);
	err = uffd_register_try(uffd, r.addr, r.len, UFFDIO_REGISTER_MODE_MISSING);
	if (err) {
		dprintf(fd, "reregister_MISSING_refused(%s)", strerror(-err));
		return CHILD_SKIP;
	}
	bits_kept = count_uffd_wp(r.addr, r.len);
	scen_limit_cpu(CPU_LIMIT_S);
	region_fill(&r, 1);
	wrong_data = region_mismatches(&r, 1);
	dprintf(fd, "wp_bits_kept=%zu wrong_data=%zu", bits_kept, wrong_data);
	close(uffd);
	region_unmap(&r);
	return wrong_data ? CHILD_BUG : CHILD_OK;
}

static void run_backing(struct scen_rows *rows, enum backing b)
{
	rows_add_from_child(rows, b, reregister_write_row, CPU_LIMIT_S,
			    "a_write_after_the_MISSING_reregister_never_returned");
}

SCEN_MAIN_BACKINGS("hugetlb-reregister-write", NULL, BACKING_HUGETLB_PRIVATE,
		   BACKING_HUGETLB_SHARED, BACKING_ANON, BACKING_SHMEM)

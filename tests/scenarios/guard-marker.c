// SPDX-License-Identifier: GPL-2.0
/*
 * guard-marker: MADV_GUARD_INSTALL / MADV_GUARD_REMOVE (6.13+; file-backed
 * 6.15+) on a page of a protected WP_ASYNC range.
 *
 * The guard replaces the page's entry with a guard marker (the protection
 * of that page ends there, on purpose); removing it leaves the entry empty.
 * From user space: both accesses to the guarded page raise SIGSEGV; the
 * other pages keep their protection (pagemap bit 57) except the ones
 * written, and their data.  The tracer must stay silent: neither the guard
 * marker nor the empty entry after the removal is a lost protection.
 *
 * Seen on 6.18 and by reading 7.3's madvise_guard_install(): on a shmem
 * page the install never returns.  It zaps what is not a guard marker and
 * tries again, but zapping a protected entry of a file-backed uffd-wp VMA
 * leaves a uffd-wp marker (zap_install_uffd_wp_if_needed()), which is not a
 * guard marker either: 6.18 loops in the kernel, 7.3 restarts the syscall
 * (restart_syscall()) forever.  So each backing runs in a child process of
 * its own with a CPU-time limit: a child the limit kills is that livelock.
 * Skips where the kernel refuses the advice.
 */
#include "scenario.h"

#define NPAGES 16
#define GUARD_PAGE 5
#define WRITE_PAGES 4	/* pages 0..3 */
#define CPU_LIMIT_S 2	/* a guard install takes microseconds, even under TCG */

/* The row, in the child: its detail goes to fd, its verdict is the exit status. */
static int guard_row(enum backing b, int fd)
{
	size_t wrong_bits = 0, wrong_data = 0, no_sigsegv = 0;
	struct region r;
	const char *why;
	char *guard;
	int uffd;

	why = region_map(&r, b, NPAGES);
	if (why) {
		dprintf(fd, "%s", why);
		return CHILD_SKIP;
	}
	region_fill(&r, 0);
	uffd = uffd_new(UFFD_FEATURE_WP_ASYNC |
			(b == BACKING_SHMEM ? UFFD_FEATURE_WP_HUGETLBFS_SHMEM : 0));
	uffd_register(uffd, r.addr, r.len, UFFDIO_REGISTER_MODE_WP);
	uffd_writeprotect(uffd, r.addr, r.len, true);

	guard = r.addr + GUARD_PAGE * r.page_size;
	scen_limit_cpu(CPU_LIMIT_S);
	if (madvise(guard, r.page_size, SCEN_MADV_GUARD_INSTALL) < 0) {
		dprintf(fd, "MADV_GUARD_INSTALL_refused(%s)", strerror(errno));
		return CHILD_SKIP;
	}
	no_sigsegv += access_signal(guard, false) != SIGSEGV;
	no_sigsegv += access_signal(guard, true) != SIGSEGV;
	for (size_t i = 0; i < WRITE_PAGES; i++)
		page_fill(r.addr + i * r.page_size, r.page_size, page_tag(i, 1));
	SCEN_CHECK(madvise(guard, r.page_size, SCEN_MADV_GUARD_REMOVE));

	for (size_t i = 0; i < NPAGES; i++) {
		char *p = r.addr + i * r.page_size;

		if (i == GUARD_PAGE)
			continue;
		wrong_bits += page_uffd_wp(p) == (i < WRITE_PAGES);
		wrong_data += !page_holds(p, r.page_size, page_tag(i, i < WRITE_PAGES ? 1 : 0));
	}
	dprintf(fd, "no_sigsegv=%zu wrong_bits=%zu wrong_data=%zu", no_sigsegv, wrong_bits,
		wrong_data);
	close(uffd);
	region_unmap(&r);
	return wrong_bits || wrong_data || no_sigsegv ? CHILD_BUG : CHILD_OK;
}

static void run_backing(struct scen_rows *rows, enum backing b)
{
	rows_add_from_child(rows, b, guard_row, CPU_LIMIT_S,
			    "madvise(MADV_GUARD_INSTALL)_on_a_protected_page_never_returned");
}

static void require_wp_async(void)
{
	uffd_require_features(UFFD_FEATURE_WP_ASYNC, "UFFD_FEATURE_WP_ASYNC");
}

SCEN_MAIN_BACKINGS("guard-marker", require_wp_async, BACKING_ANON, BACKING_SHMEM)

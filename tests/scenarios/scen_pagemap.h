/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of scenario.h: the ground truth a scenario checks the kernel against:
 * /proc/self/pagemap entries (the uffd-wp bit), the calling thread's fault
 * count, and NUMA nodes and page moves (move_pages(2)).
 */
#ifndef UFFDWP_SCEN_PAGEMAP_H
#define UFFDWP_SCEN_PAGEMAP_H

#include <fcntl.h>
#include <linux/mempolicy.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "scen_report.h"
#include "scen_uapi.h"

/* ------------------------------------------------------------------ */
/* Ground truth: pagemap, fault counters, NUMA                         */

static inline uint64_t pagemap_entry(const void *addr)
{
	uint64_t entry;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	off_t off = (off_t)((uintptr_t)addr / SCEN_PAGE_SIZE) * sizeof(entry);

	if (fd < 0)
		scen_fail("open(/proc/self/pagemap)");
	if (pread(fd, &entry, sizeof(entry), off) != sizeof(entry))
		scen_fail("pread(pagemap)");
	close(fd);
	return entry;
}

static inline bool page_uffd_wp(const void *addr)
{
	return pagemap_entry(addr) & PM_UFFD_WP;
}

/* Pages in [addr, addr+len) (4 KiB granules) whose pagemap shows bit 57;
 * read 512 entries at a time (wp-1gib counts 262,144 pages). */
static inline size_t count_uffd_wp(const void *addr, size_t len)
{
	uint64_t entries[512];
	size_t n = 0, pages = len / SCEN_PAGE_SIZE, first = (uintptr_t)addr / SCEN_PAGE_SIZE;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		scen_fail("open(/proc/self/pagemap)");
	for (size_t done = 0; done < pages;) {
		size_t chunk = pages - done < 512 ? pages - done : 512;
		ssize_t got = pread(fd, entries, chunk * sizeof(entries[0]),
				    (off_t)((first + done) * sizeof(entries[0])));

		if (got != (ssize_t)(chunk * sizeof(entries[0])))
			scen_fail("pread(pagemap)");
		for (size_t i = 0; i < chunk; i++)
			n += !!(entries[i] & PM_UFFD_WP);
		done += chunk;
	}
	close(fd);
	return n;
}

/*
 * Page faults taken by the calling thread so far, minor and major: 6.1
 * accounts a fault retried after a uffd resolve as major (FAULT_FLAG_TRIED
 * in mm_account_fault()), later kernels as minor.
 */
static inline long thread_faults(void)
{
	struct rusage ru;

	SCEN_CHECK(getrusage(RUSAGE_THREAD, &ru));
	return ru.ru_minflt + ru.ru_majflt;
}

static inline int numa_node_count(void)
{
	char path[64];
	int n = 0;

	for (;; n++) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", n);
		if (access(path, F_OK) != 0)
			return n;
	}
}

/* move_pages(2) for one page of this process; returns the page's node after
 * the call (or -errno as status), moving it first when node >= 0. */
static inline int move_one_page(void *addr, int node)
{
	void *pages[1] = { addr };
	int nodes[1] = { node };
	int status[1] = { -1 };

	if (syscall(__NR_move_pages, 0, 1UL, pages, node >= 0 ? nodes : NULL, status,
		    MPOL_MF_MOVE) < 0)
		scen_fail("move_pages");
	return status[0];
}

/* Skips unless the machine has a second node to migrate to; returns it. */
static inline int other_node_or_skip(void *addr)
{
	int nodes = numa_node_count();
	int here;

	if (nodes < 2)
		scen_end(VERDICT_SKIP, "needs_2_numa_nodes_have=%d(boot_with_numa=fake=2)", nodes);
	here = move_one_page(addr, -1);
	if (here < 0)
		scen_end(VERDICT_ERROR, "page_not_resident_status=%d", here);
	return here == 0 ? 1 : 0;
}

#endif /* UFFDWP_SCEN_PAGEMAP_H */

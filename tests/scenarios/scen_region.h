/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of scenario.h: the backings (anon, shmem, hugetlb private and shared,
 * THP) and a region of one: mapping it, mremap(2), munmap and map back, a part
 * moved, shrunk or filled through the page cache, PAGEMAP_SCAN of its written
 * pages, its smaps fields and /proc/meminfo's; and swap: whether there is any,
 * paging the region out and reading it back in.
 */
#ifndef UFFDWP_SCEN_REGION_H
#define UFFDWP_SCEN_REGION_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "scen_pagemap.h"
#include "scen_report.h"
#include "scen_uapi.h"

/* ------------------------------------------------------------------ */
/* Backings                                                            */

enum backing {
	BACKING_ANON,		/* MAP_PRIVATE|MAP_ANONYMOUS, 4 KiB pages */
	BACKING_SHMEM,		/* memfd, MAP_SHARED */
	BACKING_HUGETLB_PRIVATE, /* MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB */
	BACKING_HUGETLB_SHARED,	/* memfd MFD_HUGETLB, MAP_SHARED */
	BACKING_THP,		/* anon, 2 MiB aligned, MADV_HUGEPAGE */
};

static inline const char *backing_name(enum backing b)
{
	static const char *const names[] = {
		[BACKING_ANON] = "anon",
		[BACKING_SHMEM] = "shmem",
		[BACKING_HUGETLB_PRIVATE] = "hugetlb_private",
		[BACKING_HUGETLB_SHARED] = "hugetlb_shared",
		[BACKING_THP] = "thp",
	};
	return names[b];
}

struct region {
	enum backing backing;
	char *addr;	  /* start of the usable, suitably aligned range */
	size_t len;
	size_t page_size; /* the granule uffd-wp works in for this backing */
	char *map_base;	  /* what to munmap */
	size_t map_len;
	int fd;		  /* memfd or -1 */
};

static inline bool thp_disabled(void)
{
	char buf[128] = "";
	int fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY);

	if (fd < 0)
		return true;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return strstr(buf, "[never]") != NULL || buf[0] == 0;
}

static inline void region_unmap(struct region *r)
{
	if (r->map_base)
		munmap(r->map_base, r->map_len);
	if (r->fd >= 0)
		close(r->fd);
	r->map_base = NULL;
	r->fd = -1;
}

static inline int region_memfd(struct region *r, unsigned int flags)
{
	r->fd = memfd_create(backing_name(r->backing), MFD_CLOEXEC | flags);
	if (r->fd < 0)
		return -errno;
	if (ftruncate(r->fd, r->len) < 0)
		return -errno;
	return 0;
}

/*
 * Maps npages of the backing's granule.  Returns NULL on success, or why the
 * backing is unavailable here (the caller skips it); other errors are fatal.
 */
static inline const char *region_map(struct region *r, enum backing b, size_t npages)
{
	bool huge = b == BACKING_HUGETLB_PRIVATE || b == BACKING_HUGETLB_SHARED || b == BACKING_THP;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	void *p;

	memset(r, 0, sizeof(*r));
	r->backing = b;
	r->fd = -1;
	r->page_size = huge ? SCEN_HPAGE_SIZE : SCEN_PAGE_SIZE;
	r->len = npages * r->page_size;
	r->map_len = r->len;

	switch (b) {
	case BACKING_ANON:
		break;
	case BACKING_SHMEM:
		if (region_memfd(r, 0) < 0)
			scen_fail("memfd_create");
		flags = MAP_SHARED;
		break;
	case BACKING_HUGETLB_PRIVATE:
		flags |= MAP_HUGETLB;
		break;
	case BACKING_HUGETLB_SHARED:
		if (region_memfd(r, MFD_HUGETLB) < 0) {
			region_unmap(r);
			return "memfd_hugetlb_unavailable";
		}
		flags = MAP_SHARED;
		break;
	case BACKING_THP:
		if (thp_disabled())
			return "thp_disabled";
		/* Over-map so a 2 MiB aligned start exists inside. */
		r->map_len = r->len + SCEN_HPAGE_SIZE;
		break;
	}

	p = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, flags, r->fd, 0);
	if (p == MAP_FAILED) {
		if (b == BACKING_HUGETLB_PRIVATE || b == BACKING_HUGETLB_SHARED) {
			region_unmap(r);
			return "no_free_hugetlb_pages(set_vm.nr_hugepages)";
		}
		scen_fail("mmap");
	}
	r->map_base = p;
	r->addr = p;
	if (b == BACKING_THP) {
		uintptr_t aligned = ((uintptr_t)p + SCEN_HPAGE_SIZE - 1) & ~(SCEN_HPAGE_SIZE - 1);

		r->addr = (char *)aligned;
		SCEN_CHECK(madvise(r->addr, r->len, MADV_HUGEPAGE));
	}
	return NULL;
}

/* Whether one VMA holds [at, at + len) (ops on sub-ranges split VMAs). */
static inline bool range_in_one_vma(const char *at, size_t len)
{
	FILE *f = fopen("/proc/self/maps", "re");
	unsigned long lo, hi;
	char line[512];
	bool one = false;

	if (!f)
		scen_fail("fopen(/proc/self/maps)");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo <= (uintptr_t)at &&
		    (uintptr_t)at < hi) {
			one = (uintptr_t)at + len <= hi;
			break;
		}
	fclose(f);
	return one;
}

/* Whether one VMA holds the whole region. */
static inline bool region_in_one_vma(const struct region *r)
{
	return range_in_one_vma(r->addr, r->len);
}

/*
 * mremap(2) of the whole region: to a fresh 2 MiB aligned address (a THP or hugetlb page
 * can stay one PMD), or (grow) one granule longer, moved if it must be.  Returns 0 with
 * r->addr updated, or -errno with the mapping unchanged.  The old slack of a THP region
 * and the rest of the reservation stay mapped until the process exits.
 */
static inline int region_mremap(struct region *r, bool grow)
{
	char *to, *area = NULL;
	int err;

	/* since 6.17 a move of several VMAs stops at a uffd-armed one, the ones before
	 * it moved: keep to one VMA, where every kernel moves all or nothing */
	if (!region_in_one_vma(r))
		return -EFAULT;
	if (grow) {
		to = mremap(r->addr, r->len, r->len + r->page_size, MREMAP_MAYMOVE);
	} else {
		area = mmap(NULL, r->len + SCEN_HPAGE_SIZE, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (area == MAP_FAILED)
			return -errno;
		to = (char *)(((uintptr_t)area + SCEN_HPAGE_SIZE - 1) & ~(SCEN_HPAGE_SIZE - 1));
		to = mremap(r->addr, r->len, r->len, MREMAP_MAYMOVE | MREMAP_FIXED, to);
	}
	if (to == MAP_FAILED) {
		err = -errno;
		if (area)
			munmap(area, r->len + SCEN_HPAGE_SIZE);
		return err;
	}
	if (to != r->addr) {
		r->addr = to;
		r->map_base = to;
		r->map_len = grow ? r->len + r->page_size : r->len;
	}
	return 0;
}

/*
 * munmap(2) of len bytes at `at` (the region's bytes from offset: a part moved by
 * region_move_part() keeps its file offset), then mmap(2) of the same backing back at the
 * same address (MAP_FIXED; a file at the same offset): a fresh VMA no uffd has
 * registered, a file's data kept, private memory zero.  0, or -errno with nothing changed.
 */
static inline int region_remap_at(struct region *r, char *at, size_t offset, size_t len)
{
	int flags = MAP_FIXED | (r->fd >= 0 ? MAP_SHARED : MAP_PRIVATE | MAP_ANONYMOUS);

	if (r->backing == BACKING_HUGETLB_PRIVATE)
		flags |= MAP_HUGETLB;
	if (munmap(at, len) < 0)
		return -errno;
	/* a hole where the region's pages were: nothing after it can run */
	if (mmap(at, len, PROT_READ | PROT_WRITE, flags, r->fd, r->fd >= 0 ? (off_t)offset : 0) != at)
		scen_fail("mmap(MAP_FIXED) after munmap");
	if (r->backing == BACKING_THP)
		SCEN_CHECK(madvise(at, len, MADV_HUGEPAGE));
	return 0;
}

/* region_remap_at() of len bytes at offset into the region where region_map() put them */
static inline int region_remap(struct region *r, size_t offset, size_t len)
{
	return region_remap_at(r, r->addr + offset, offset, len);
}

/*
 * mremap(2) of len bytes at `at`, part of one VMA, to a fresh address with the same offset
 * from a 2 MiB boundary (a PMD-mapped part stays one PMD) with MREMAP_MAYMOVE |
 * MREMAP_FIXED: the VMA splits and the part's page tables move (move_page_tables()),
 * leaving a hole.  The new address, or NULL with errno (EFAULT: the part spans VMAs,
 * which 6.17+ would move VMA by VMA, stopping at a uffd-armed one: kept out here).
 */
static inline char *region_move_part(char *at, size_t len)
{
	size_t area_len = len + 2 * SCEN_HPAGE_SIZE;
	char *area, *to;

	if (!range_in_one_vma(at, len)) {
		errno = EFAULT;
		return NULL;
	}
	area = mmap(NULL, area_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (area == MAP_FAILED)
		return NULL;
	to = (char *)((((uintptr_t)area + SCEN_HPAGE_SIZE - 1) & ~(SCEN_HPAGE_SIZE - 1)) +
		      ((uintptr_t)at & (SCEN_HPAGE_SIZE - 1)));
	to = mremap(at, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, to);
	if (to == MAP_FAILED) {
		int err = errno;

		munmap(area, area_len);
		errno = err;
		return NULL;
	}
	return to;	/* the rest of the reservation stays until the process exits */
}

/*
 * mremap(2) of len bytes at `at` (the region's bytes from offset) down to keep bytes: the
 * kernel unmaps the tail (do_vmi_munmap(), do_mas_munmap() on 6.1), then it is mapped
 * back as region_remap_at() does.  0, or -errno with nothing changed.
 */
static inline int region_shrink(struct region *r, char *at, size_t offset, size_t len,
				size_t keep)
{
	if (mremap(at, len, keep, 0) == MAP_FAILED)
		return -errno;
	return region_remap_at(r, at + keep, offset + keep, len - keep);
}

/*
 * Puts the file pages of len bytes at offset of a region's memfd (shmem, hugetlb shared)
 * in the page cache, each granule's first word tag + its index, through a second mapping
 * of the file (as uffd-unit-tests' minor tests do): the region's own mapping is not
 * touched, so its entries stay as they were for a minor fault or UFFDIO_CONTINUE.
 * fallocate() first: a hugetlb page the pool lacks is ENOSPC here, not a SIGBUS on the
 * write.  0, or -errno (EOPNOTSUPP without a file) with nothing written.
 */
static inline int region_fill_cache(const struct region *r, size_t offset, size_t len,
				    uint64_t tag)
{
	char *alias;

	if (r->fd < 0)
		return -EOPNOTSUPP;
	if (fallocate(r->fd, FALLOC_FL_KEEP_SIZE, (off_t)offset, (off_t)len) < 0)
		return -errno;
	alias = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, (off_t)offset);
	if (alias == MAP_FAILED)
		return -errno;
	for (size_t at = 0; at < len; at += r->page_size)
		*(volatile uint64_t *)(alias + at) = tag + (offset + at) / r->page_size;
	munmap(alias, len);
	return 0;
}

/*
 * PAGEMAP_SCAN of [addr, addr + n * gran) on pagemap_fd for written pages, re-protecting
 * them (PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC: -EPERM where a VMA is not WP_ASYNC
 * with markers, pagemap_scan_test_walk()); reported[i] says whether granule i was
 * reported, *walk_end (if not NULL) where the walk stopped.  The count of regions, or
 * -errno.
 */
static inline long pagemap_scan_written(int pagemap_fd, char *addr, size_t n, size_t gran,
					bool *reported, uint64_t *walk_end)
{
	struct scen_page_region *vec = calloc(n, sizeof(*vec));
	struct scen_pm_scan_arg arg = {
		.size = sizeof(arg),
		.flags = SCEN_PM_SCAN_WP_MATCHING | SCEN_PM_SCAN_CHECK_WPASYNC,
		.start = (uintptr_t)addr,
		.end = (uintptr_t)addr + n * gran,
		.vec = (uintptr_t)vec,
		.vec_len = n,
		.category_mask = SCEN_PAGE_IS_WRITTEN,
		.return_mask = SCEN_PAGE_IS_WRITTEN,
	};
	long got;

	if (!vec)
		scen_fail("calloc(page_region)");
	got = ioctl(pagemap_fd, SCEN_PAGEMAP_SCAN, &arg);
	memset(reported, 0, n * sizeof(*reported));
	for (long i = 0; i < got; i++)
		for (uint64_t a = vec[i].start; a < vec[i].end; a += gran)
			if (a >= (uintptr_t)addr && (a - (uintptr_t)addr) / gran < n)
				reported[(a - (uintptr_t)addr) / gran] = true;
	if (walk_end)
		*walk_end = arg.walk_end;
	free(vec);
	return got < 0 ? -errno : got;
}

/* The "FIELD:" line (e.g. "AnonHugePages:") of the smaps entry that contains addr, in kB
 * (-1: none). */
static inline long smaps_kb(const void *addr, const char *field)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[256];
	bool inside = false;
	size_t flen = strlen(field);
	long kb = -1;

	if (!f)
		scen_fail("fopen(/proc/self/smaps)");
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			inside = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
			continue;
		}
		if (inside && !strncmp(line, field, flen) && sscanf(line + flen, " %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

static inline long smaps_anon_huge_kb(const void *addr)
{
	return smaps_kb(addr, "AnonHugePages:");
}

/* The "FIELD:" line of /proc/meminfo (e.g. "HugePages_Rsvd:"), its number (-1: none). */
static inline long meminfo_value(const char *field)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[128];
	size_t flen = strlen(field);
	long value = -1;

	if (!f)
		scen_fail("fopen(/proc/meminfo)");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, flen) && sscanf(line + flen, " %ld", &value) == 1)
			break;
	fclose(f);
	return value;
}

/* True when the populated THP region is really PMD-mapped. */
static inline bool region_is_thp(const struct region *r)
{
	return smaps_anon_huge_kb(r->addr) >= (long)(r->len / 1024);
}

/* ------------------------------------------------------------------ */
/* Swap                                                                */

/*
 * NULL when swap is on (/proc/swaps lists a device or file), else why not, for a skip:
 * uffdwp-vmtest's /init says in $UFFDWP_GUEST_SWAP why its guest has none.
 */
static inline const char *scen_swap_missing(void)
{
	static char why[200];
	const char *guest = getenv("UFFDWP_GUEST_SWAP");
	FILE *f = fopen("/proc/swaps", "re");
	char line[256];
	int lines = 0;

	while (f && fgets(line, sizeof(line), f))
		lines++;
	if (f)
		fclose(f);
	if (lines > 1)	/* the header, then one line per swap area */
		return NULL;
	snprintf(why, sizeof(why), "no_swap(%s)",
		 guest && *guest ? guest : "/proc/swaps lists none");
	return why;
}

/*
 * MADV_PAGEOUT over the region; returns how many of its pages went to swap.  An anon
 * page's PTE becomes a swap entry: pagemap bit 62 without bit 63.  A shmem page's PTE
 * becomes none or a uffd-wp marker, which pagemap also calls bit 62, so there the count
 * is the Swap: of the mapping's smaps (the memfd's pages in swap, counted as they enter
 * the swap cache).
 */
static inline size_t region_page_out(const struct region *r)
{
	size_t swapped = 0;
	int node = 0;
	long kb;

	/* A folio still in a CPU's LRU-add batch is not on the LRU, and MADV_PAGEOUT
	 * cannot isolate it: its lru_add_drain() drains the caller's CPU only (a
	 * good-6.1 guest paged out 0 of 4 anon pages in one run of three, 2026-12-04).
	 * move_pages() of no page drains every CPU's (do_pages_move()'s
	 * lru_cache_disable(), 6.1 and 7.3); without it (no NUMA, ENOSYS) as before. */
	(void)syscall(SYS_move_pages, 0, 0UL, NULL, &node, NULL, 0);
	SCEN_CHECK(madvise(r->addr, r->len, MADV_PAGEOUT));
	if (r->backing != BACKING_ANON) {
		kb = smaps_kb(r->addr, "Swap:");
		return kb > 0 ? (size_t)kb * 1024 / r->page_size : 0;
	}
	for (size_t off = 0; off < r->len; off += r->page_size)
		swapped += (pagemap_entry(r->addr + off) & (PM_SWAP | PM_PRESENT)) == PM_SWAP;
	return swapped;
}

/* Reads a word of every page (a read fault swaps a swapped page in); how many are then
 * present (pagemap bit 63). */
static inline size_t region_read_in(const struct region *r)
{
	size_t present = 0;

	for (size_t off = 0; off < r->len; off += r->page_size) {
		(void)*(volatile uint64_t *)(r->addr + off);
		present += (pagemap_entry(r->addr + off) & PM_PRESENT) != 0;
	}
	return present;
}

#endif /* UFFDWP_SCEN_REGION_H */

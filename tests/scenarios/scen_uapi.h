/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of scenario.h: the kernel interface names newer than Debian 12's headers
 * (glibc 2.36, 6.1 UAPI): uffd features and ioctls, PAGEMAP_SCAN, MADV_GUARD_*,
 * MADV_COLLAPSE; the /proc/PID/pagemap bits; the page sizes.
 */
#ifndef UFFDWP_SCEN_UAPI_H
#define UFFDWP_SCEN_UAPI_H

#include <linux/userfaultfd.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25	/* 6.1; glibc 2.36 lacks the name */
#endif

/* Newer than the 6.1 UAPI headers Debian 12 ships. */
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif
#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif
#ifndef UFFDIO_CONTINUE_MODE_WP
#define UFFDIO_CONTINUE_MODE_WP ((__u64)1 << 1)	/* 6.3: userfaultfd_continue() */
#endif
/* UFFDIO_POISON (6.6), UFFDIO_MOVE (6.8), RWP (7.3: UFFDIO_RWPROTECT), MADV_GUARD_* (6.13) */
#define SCEN_UFFD_FEATURE_POISON (1 << 14)
#define SCEN_UFFD_FEATURE_MOVE (1 << 16)
#define SCEN_UFFD_FEATURE_RWP (1 << 17)
#define SCEN_UFFDIO_REGISTER_MODE_RWP (1ULL << 3)
#define SCEN_UFFD_PAGEFAULT_FLAG_RWP (1 << 3)
struct scen_uffdio_poison {
	struct uffdio_range range;
	uint64_t mode;
	int64_t updated;
};
struct scen_uffdio_rwprotect {
	struct uffdio_range range;
	uint64_t mode; /* 1 << 0: protect; 0: undo and wake */
};
struct scen_uffdio_move {
	uint64_t dst, src, len, mode;
	int64_t move;	/* bytes moved, or -errno */
};
#define SCEN_UFFDIO_MOVE _IOWR(UFFDIO, 0x05, struct scen_uffdio_move)
#define SCEN_UFFDIO_POISON _IOWR(UFFDIO, 0x08, struct scen_uffdio_poison)
#define SCEN_UFFDIO_RWPROTECT _IOWR(UFFDIO, 0x09, struct scen_uffdio_rwprotect)
#define SCEN_MADV_GUARD_INSTALL 102
#define SCEN_MADV_GUARD_REMOVE 103

/* PAGEMAP_SCAN (6.7, 52526ca7fdb9): include/uapi/linux/fs.h, newer than Debian 12's */
struct scen_page_region {
	uint64_t start, end, categories;
};
struct scen_pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define SCEN_PAGEMAP_SCAN _IOWR('f', 16, struct scen_pm_scan_arg)
#define SCEN_PM_SCAN_WP_MATCHING (1 << 0)
#define SCEN_PM_SCAN_CHECK_WPASYNC (1 << 1)
#define SCEN_PAGE_IS_WRITTEN (1 << 1)

/* /proc/PID/pagemap bits (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_UFFD_WP (1ULL << 57)
#define PM_SWAP (1ULL << 62)
#define PM_PRESENT (1ULL << 63)

#define SCEN_PAGE_SIZE 4096UL
#define SCEN_HPAGE_SIZE (2UL << 20) /* x86-64 PMD size: THP and default hugetlb */

#endif /* UFFDWP_SCEN_UAPI_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * uffd-move: UFFDIO_MOVE (6.8+) moves pages without their uffd-wp protection.
 *
 * src (anon, registered for WP) is filled with tagged pages and write-protected
 * (each shows bit 57); dst (anon, MISSING|WP) is empty.  One UFFDIO_MOVE takes
 * every src page to dst: move_present_pte() builds each dst PTE from the dst
 * VMA's vm_page_prot, writable and without the uffd-wp bit, and leaves the
 * src PTE empty with no marker (mm/userfaultfd.c in 6.12 and 7.3).  So: dst
 * holds the data, bit 57 is clear there and a write to each dst page gives no
 * WP message; src is neither present nor swapped and reads back as zeros.
 * Anon only (validate_move_areas() refuses anything else); a kernel without
 * UFFD_FEATURE_MOVE (6.1) skips.
 */
#include "scenario.h"

#define NPAGES 8

static size_t count_mapped(const char *addr, size_t len)
{
	size_t n = 0;

	for (size_t off = 0; off < len; off += SCEN_PAGE_SIZE)
		n += (pagemap_entry(addr + off) & (PM_PRESENT | PM_SWAP)) != 0;
	return n;
}

static size_t count_nonzero(const char *addr, size_t len)
{
	size_t n = 0;

	for (size_t off = 0; off < len; off += sizeof(uint64_t))
		n += *(const volatile uint64_t *)(addr + off) != 0;
	return n;
}

static void prepare(void)
{
	uffd_require_features(SCEN_UFFD_FEATURE_MOVE, "UFFD_FEATURE_MOVE");
}

static void run_backing(struct scen_rows *rows, enum backing b)
{
	struct region src, dst;
	struct scen_uffdio_move mv;
	size_t src_wp, dst_wp, dst_mapped, src_mapped, src_wp_after, wrong, src_nonzero;
	unsigned int wp_msgs;
	long writer_faults;
	const char *why;
	bool ok;
	int uffd;

	why = region_map(&src, b, NPAGES);
	if (why) {
		rows_add(rows, b, VERDICT_SKIP, "%s", why);
		return;
	}
	why = region_map(&dst, b, NPAGES);
	if (why) {
		region_unmap(&src);
		rows_add(rows, b, VERDICT_SKIP, "%s", why);
		return;
	}
	region_fill(&src, 0);
	uffd = uffd_new(SCEN_UFFD_FEATURE_MOVE);
	/* src is registered for WP only to protect the pages it gives away; dst
	 * must be registered with this uffd (validate_move_areas()). */
	uffd_register(uffd, src.addr, src.len, UFFDIO_REGISTER_MODE_WP);
	uffd_register(uffd, dst.addr, dst.len,
		      UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP);
	uffd_writeprotect(uffd, src.addr, src.len, true);
	src_wp = count_uffd_wp(src.addr, src.len);

	mv = (struct scen_uffdio_move){
		.dst = (uintptr_t)dst.addr,
		.src = (uintptr_t)src.addr,
		.len = src.len,
		.mode = 0,
	};
	if (ioctl(uffd, SCEN_UFFDIO_MOVE, &mv) < 0 || mv.move != (int64_t)src.len) {
		fprintf(stderr, "uffd-move: UFFDIO_MOVE: %s, move=%lld of %zu\n", strerror(errno),
			(long long)mv.move, src.len);
		scen_fail("UFFDIO_MOVE");
	}

	dst_wp = count_uffd_wp(dst.addr, dst.len);
	dst_mapped = count_mapped(dst.addr, dst.len);
	src_mapped = count_mapped(src.addr, src.len);
	src_wp_after = count_uffd_wp(src.addr, src.len);
	wrong = region_mismatches(&dst, 0);
	/* src is registered for WP only: a read maps the zero page, no message. */
	src_nonzero = count_nonzero(src.addr, src.len);
	wp_msgs = write_all_count_wp(uffd, &dst, 1, &writer_faults);

	ok = src_wp == NPAGES && dst_wp == 0 && dst_mapped == NPAGES && src_mapped == 0 &&
	     src_wp_after == 0 && !wrong && !src_nonzero && wp_msgs == 0 &&
	     !region_mismatches(&dst, 1);
	rows_add(rows, b, ok ? VERDICT_OK : VERDICT_BUG,
		 "src_wp_before=%zu/%d dst_wp=%zu dst_mapped=%zu/%d src_mapped=%zu "
		 "src_wp_after=%zu moved_wrong=%zu src_nonzero_words=%zu wp_msgs=%u "
		 "writer_faults=%ld",
		 src_wp, NPAGES, dst_wp, dst_mapped, NPAGES, src_mapped, src_wp_after, wrong,
		 src_nonzero, wp_msgs, writer_faults);
	close(uffd);
	region_unmap(&dst);
	region_unmap(&src);
}

SCEN_MAIN_BACKINGS("uffd-move", prepare, BACKING_ANON)

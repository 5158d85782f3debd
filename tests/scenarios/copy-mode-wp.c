// SPDX-License-Identifier: GPL-2.0
/*
 * copy-mode-wp: UFFDIO_COPY with UFFDIO_COPY_MODE_WP installs protected pages.
 *
 * The range is registered for MISSING|WP and filled with UFFDIO_COPY in WP
 * mode (no fault needed: the pages are simply installed).  Each new page must
 * show bit 57 and its first write must produce a WP message.
 */
#include "scenario.h"

#define NPAGES 4

/* Fills the unpopulated region with generation 0 through UFFDIO_COPY(MODE_WP). */
static void copy_in_protected(int uffd, struct region *r)
{
	char *src = aligned_alloc(r->page_size, r->page_size);

	if (!src)
		scen_fail("aligned_alloc");
	for (size_t i = 0; i < r->len / r->page_size; i++) {
		struct uffdio_copy copy = {
			.dst = (uintptr_t)(r->addr + i * r->page_size),
			.src = (uintptr_t)src,
			.len = r->page_size,
			.mode = UFFDIO_COPY_MODE_WP,
		};

		page_fill(src, r->page_size, page_tag(i, 0));
		SCEN_CHECK(ioctl(uffd, UFFDIO_COPY, &copy));
	}
	free(src);
}

static void run_backing(struct scen_rows *rows, enum backing b)
{
	unsigned int wp_msgs;
	long writer_faults;
	size_t wp_bits, wrong_copy;
	const char *why;
	struct region r;
	int uffd;

	why = region_map(&r, b, NPAGES);
	if (why) {
		rows_add(rows, b, VERDICT_SKIP, "%s", why);
		return;
	}
	uffd = uffd_new(0);
	uffd_register(uffd, r.addr, r.len, UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP);
	copy_in_protected(uffd, &r);

	wp_bits = count_uffd_wp(r.addr, r.len);
	wrong_copy = region_mismatches(&r, 0);
	wp_msgs = write_all_count_wp(uffd, &r, 1, &writer_faults);
	rows_add(rows, b,
		 wp_bits == NPAGES && wp_msgs == NPAGES && !wrong_copy && !region_mismatches(&r, 1)
			 ? VERDICT_OK
			 : VERDICT_BUG,
		 "wp_bits_after_copy=%zu/%d wp_msgs=%u/%d writer_faults=%ld", wp_bits, NPAGES,
		 wp_msgs, NPAGES, writer_faults);
	close(uffd);
	region_unmap(&r);
}

SCEN_MAIN_BACKINGS("copy-mode-wp", NULL, BACKING_ANON, BACKING_SHMEM)

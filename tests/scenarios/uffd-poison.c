// SPDX-License-Identifier: GPL-2.0
/*
 * uffd-poison: UFFDIO_POISON (6.6+) inside a WP_ASYNC range.
 *
 * Poison two unpopulated pages, fill the others with UFFDIO_COPY, protect
 * the whole range (change_protection leaves poison markers as they are),
 * write four pages.  From user space: a read and a write of a poisoned page
 * raise SIGBUS; pagemap bit 57 is clear exactly on the written pages among
 * the filled ones; the data is what was copied or written.  The tracer must
 * stay silent: a poison marker where a protected page was expected is the
 * user's doing, not a lost protection.  Skips without UFFD_FEATURE_POISON
 * or WP_ASYNC (6.1).
 */
#include "scenario.h"

#define NPAGES 16
#define POISON_FIRST 2
#define POISON_PAGES 2
#define WRITE_FIRST 4
#define WRITE_PAGES 4

static bool poisoned(size_t i)
{
	return i >= POISON_FIRST && i < POISON_FIRST + POISON_PAGES;
}

static bool written(size_t i)
{
	return i >= WRITE_FIRST && i < WRITE_FIRST + WRITE_PAGES;
}

static void copy_page(int uffd, char *dst, const char *src, size_t len)
{
	struct uffdio_copy copy = {
		.dst = (uintptr_t)dst, .src = (uintptr_t)src, .len = len,
	};

	SCEN_CHECK(ioctl(uffd, UFFDIO_COPY, &copy));
}

static void run_backing(struct scen_rows *rows, enum backing b)
{
	size_t wrong_bits = 0, wrong_data = 0, no_sigbus = 0;
	struct scen_uffdio_poison poison;
	struct region r;
	const char *why;
	char *src;
	int uffd;

	why = region_map(&r, b, NPAGES);
	if (why) {
		rows_add(rows, b, VERDICT_SKIP, "%s", why);
		return;
	}
	src = aligned_alloc(r.page_size, r.page_size);
	SCEN_CHECK(src ? 0 : -1);
	uffd = uffd_new(UFFD_FEATURE_WP_ASYNC | SCEN_UFFD_FEATURE_POISON |
			(b == BACKING_SHMEM ? UFFD_FEATURE_MISSING_SHMEM |
			 UFFD_FEATURE_WP_HUGETLBFS_SHMEM : 0));
	uffd_register(uffd, r.addr, r.len, UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP);

	poison = (struct scen_uffdio_poison){
		.range = { (uintptr_t)r.addr + POISON_FIRST * r.page_size,
			   POISON_PAGES * r.page_size },
	};
	SCEN_CHECK(ioctl(uffd, SCEN_UFFDIO_POISON, &poison));
	for (size_t i = 0; i < NPAGES; i++) {
		if (poisoned(i))
			continue;
		page_fill(src, r.page_size, page_tag(i, 1));
		copy_page(uffd, r.addr + i * r.page_size, src, r.page_size);
	}
	uffd_writeprotect(uffd, r.addr, r.len, true);
	for (size_t i = WRITE_FIRST; i < WRITE_FIRST + WRITE_PAGES; i++)
		page_fill(r.addr + i * r.page_size, r.page_size, page_tag(i, 2));

	for (size_t i = 0; i < NPAGES; i++) {
		char *p = r.addr + i * r.page_size;

		if (poisoned(i)) {
			no_sigbus += access_signal(p, false) != SIGBUS;
			no_sigbus += access_signal(p, true) != SIGBUS;
			continue;
		}
		wrong_bits += page_uffd_wp(p) == written(i);
		wrong_data += !page_holds(p, r.page_size, page_tag(i, written(i) ? 2 : 1));
	}
	rows_add(rows, b, wrong_bits || wrong_data || no_sigbus ? VERDICT_BUG : VERDICT_OK,
		 "poisoned=%d no_sigbus=%zu wrong_bits=%zu wrong_data=%zu", POISON_PAGES,
		 no_sigbus, wrong_bits, wrong_data);
	close(uffd);
	free(src);
	region_unmap(&r);
}

static void require_poison(void)
{
	uffd_require_features(UFFD_FEATURE_WP_ASYNC | SCEN_UFFD_FEATURE_POISON,
			      "UFFD_FEATURE_POISON_and_WP_ASYNC");
}

SCEN_MAIN_BACKINGS("uffd-poison", require_poison, BACKING_ANON, BACKING_SHMEM)

// SPDX-License-Identifier: GPL-2.0
/*
 * pagemap-scan: dirty tracking with UFFD_FEATURE_WP_ASYNC and PAGEMAP_SCAN
 * (6.7+), as CRIU pre-dump and snapshotters do it.
 *
 * Protect populated pages, write some, then PAGEMAP_SCAN with
 * PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC over "written": every written
 * page must come back written (a page it calls clean is a write the tracker
 * misses), and be protected again: a second scan finds nothing, pagemap bit
 * 57 is set everywhere.  Then a second round of writes on other pages.
 * Extra pages reported are counted, not a bug.  Skips where the kernel lacks
 * WP_ASYNC or PAGEMAP_SCAN (6.1).
 */
#include "scenario.h"

#define NPAGES 16

static int pagemap_fd = -1;

/* Scans the region for written pages, re-protecting them; sets reported[i] for each
 * page reported.  -errno on failure. */
static long scan_written(const struct region *r, bool *reported)
{
	return pagemap_scan_written(pagemap_fd, r->addr, NPAGES, r->page_size, reported, NULL);
}

struct round {
	size_t missed, extra;
};

/* Writes the pages i with i % mod == rem, scans, and counts written pages
 * not reported and reported pages not written. */
static long write_and_scan(const struct region *r, size_t mod, size_t rem, unsigned int gen,
			   struct round *out)
{
	bool reported[NPAGES];
	long n;

	for (size_t i = rem; i < NPAGES; i += mod)
		page_fill(r->addr + i * r->page_size, r->page_size, page_tag(i, gen));
	n = scan_written(r, reported);
	if (n < 0)
		return n;
	for (size_t i = 0; i < NPAGES; i++) {
		bool written = i % mod == rem;

		out->missed += written && !reported[i];
		out->extra += !written && reported[i];
	}
	return n;
}

static void run_backing(struct scen_rows *rows, enum backing b)
{
	struct round first = { 0 }, second = { 0 }, after = { 0 };
	bool reported[NPAGES];
	size_t unprotected = 0, wrong_data = 0;
	struct region r;
	long n;
	int uffd = region_map_protected_with(rows, &r, b, NPAGES,
					     UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED);

	if (uffd < 0)
		return;

	n = write_and_scan(&r, 3, 0, 1, &first);
	if (n == -ENOTTY || n == -EINVAL) {
		rows_add(rows, b, VERDICT_SKIP, "no PAGEMAP_SCAN (%s)", strerror((int)-n));
		goto out;
	}
	SCEN_CHECK(n);
	SCEN_CHECK(scan_written(&r, reported));
	for (size_t i = 0; i < NPAGES; i++)
		after.extra += reported[i];
	unprotected = NPAGES - count_uffd_wp(r.addr, r.len);
	SCEN_CHECK(write_and_scan(&r, 4, 1, 2, &second));
	for (size_t i = 0; i < NPAGES; i++) {
		unsigned int gen = i % 4 == 1 ? 2 : i % 3 == 0 ? 1 : 0;

		wrong_data += !page_holds(r.addr + i * r.page_size, r.page_size, page_tag(i, gen));
	}
	rows_add(rows, b,
		 first.missed || second.missed || after.extra || unprotected || wrong_data ?
		 VERDICT_BUG : VERDICT_OK,
		 "missed=%zu+%zu extra=%zu+%zu rescan=%zu unprotected=%zu wrong_data=%zu",
		 first.missed, second.missed, first.extra, second.extra, after.extra,
		 unprotected, wrong_data);
out:
	close(uffd);
	region_unmap(&r);
}

static void prepare(void)
{
	uffd_require_features(UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED,
			      "UFFD_FEATURE_WP_ASYNC and WP_UNPOPULATED");
	pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	SCEN_CHECK(pagemap_fd);
}

SCEN_MAIN_BACKINGS("pagemap-scan", prepare, BACKING_ANON, BACKING_SHMEM)

// SPDX-License-Identifier: GPL-2.0
/*
 * snapshot: the canonical correct use of uffd-wp, a live snapshot.
 *
 * Protect the whole region, then copy it page by page, unprotecting each page
 * once copied, while two writer threads overwrite it.  A writer that hits a
 * page not yet copied faults; the monitor copies the old contents first and
 * then unprotects.  Ground truth: the snapshot holds exactly the contents at
 * protect time and the region ends up holding the writers' data.  A lost
 * protection shows up as new data in the snapshot.
 */
#include "scenario.h"

#define NPAGES_SMALL 32
#define NPAGES_HUGE 4

struct snapshot {
	struct region *region;
	char *copy;
	pthread_mutex_t lock;	/* serialises the copy-once of every page */
	bool *saved;
};

/* Copies page i into the snapshot unless already done. */
static void snapshot_save(struct snapshot *s, size_t i)
{
	size_t ps = s->region->page_size;

	pthread_mutex_lock(&s->lock);
	if (!s->saved[i]) {
		memcpy(s->copy + i * ps, s->region->addr + i * ps, ps);
		s->saved[i] = true;
	}
	pthread_mutex_unlock(&s->lock);
}

/* Monitor hook: a writer is about to change this page; save it first. */
static void snapshot_on_wp(struct uffd_monitor *m, uintptr_t page, void *ctx)
{
	struct snapshot *s = ctx;

	snapshot_save(s, (page - (uintptr_t)s->region->addr) / s->region->page_size);
}

/* Pages of the snapshot that do not hold the protect-time generation 0. */
static size_t snapshot_mismatches(const struct snapshot *s)
{
	size_t ps = s->region->page_size, bad = 0;

	for (size_t i = 0; i < s->region->len / ps; i++)
		bad += !page_holds(s->copy + i * ps, ps, page_tag(i, 0));
	return bad;
}

static void run_backing(struct scen_rows *rows, enum backing b)
{
	struct snapshot s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	size_t npages = b == BACKING_ANON || b == BACKING_SHMEM ? NPAGES_SMALL : NPAGES_HUGE;
	struct page_writer writers[2];
	struct uffd_monitor mon;
	size_t stale, torn;
	struct region r;
	const char *why;
	int uffd;

	why = region_map(&r, b, npages);
	if (why) {
		rows_add(rows, b, VERDICT_SKIP, "%s", why);
		return;
	}
	region_fill(&r, 0);
	s.region = &r;
	s.copy = malloc(r.len);
	s.saved = calloc(npages, sizeof(*s.saved));
	if (!s.copy || !s.saved)
		scen_fail("malloc");

	uffd = uffd_new(0);
	uffd_register(uffd, r.addr, r.len, UFFDIO_REGISTER_MODE_WP);
	uffd_writeprotect(uffd, r.addr, r.len, true);
	monitor_start(&mon, uffd, r.page_size, snapshot_on_wp, &s);

	/* Writers go front to back on each half; the copier goes back to front
	 * so both paths (fault-then-copy and copy-then-unprotect) are taken. */
	page_writer_start(&writers[0], &r, 0, npages / 2, 1);
	page_writer_start(&writers[1], &r, npages / 2, npages - npages / 2, 1);
	for (size_t i = npages; i-- > 0;) {
		snapshot_save(&s, i);
		uffd_writeprotect(uffd, r.addr + i * r.page_size, r.page_size, false);
	}
	page_writer_join(&writers[0]);
	page_writer_join(&writers[1]);
	monitor_stop(&mon);

	stale = snapshot_mismatches(&s);
	torn = region_mismatches(&r, 1);
	rows_add(rows, b, stale || torn ? VERDICT_BUG : VERDICT_OK,
		 "pages=%zu wp_msgs=%u writer_faults=%ld snapshot_wrong=%zu data_wrong=%zu", npages,
		 mon.wp_count, writers[0].faults + writers[1].faults, stale, torn);
	close(uffd);
	free(s.copy);
	free(s.saved);
	region_unmap(&r);
}

SCEN_MAIN_BACKINGS("snapshot", NULL, BACKING_ANON, BACKING_SHMEM, BACKING_HUGETLB_SHARED,
		   BACKING_THP)

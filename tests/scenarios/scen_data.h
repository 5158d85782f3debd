/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of scenario.h: what the pages hold and who touches them: an access that
 * must fail (the signal it raised), the tagged contents of a page and of a
 * region, a region mapped, filled and protected in one call, and writer threads
 * that count their faults.
 */
#ifndef UFFDWP_SCEN_DATA_H
#define UFFDWP_SCEN_DATA_H

#include <errno.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "scen_monitor.h"
#include "scen_pagemap.h"
#include "scen_region.h"
#include "scen_report.h"
#include "scen_rows.h"
#include "scen_uffd.h"

/* ------------------------------------------------------------------ */
/* Accesses that must fail                                             */

static sigjmp_buf scen_access_jmp;

static inline void scen_access_handler(int sig)
{
	siglongjmp(scen_access_jmp, sig);
}

/*
 * Reads or writes one byte at p; returns the signal it raised (SIGBUS for a
 * poisoned page, SIGSEGV for a guard page) or 0 if the access went through.
 */
static inline int access_signal(volatile char *p, bool write)
{
	struct sigaction sa = { .sa_handler = scen_access_handler }, old_bus, old_segv;
	int sig;

	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	sig = sigsetjmp(scen_access_jmp, 1);
	if (!sig) {
		if (write)
			*p = 1;
		else
			(void)*p;
	}
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return sig;
}

/* ------------------------------------------------------------------ */
/* Page contents                                                       */

/* Every 64-bit word of the page holds tag ^ word index: cheap and exact. */
static inline void page_fill(void *page, size_t size, uint64_t tag)
{
	uint64_t *w = page;

	for (size_t i = 0; i < size / sizeof(*w); i++)
		w[i] = tag ^ i;
}

static inline bool page_holds(const void *page, size_t size, uint64_t tag)
{
	const uint64_t *w = page;

	for (size_t i = 0; i < size / sizeof(*w); i++)
		if (w[i] != (tag ^ i))
			return false;
	return true;
}

/* The tag page i of a region holds in "generation" gen. */
static inline uint64_t page_tag(size_t i, unsigned int gen)
{
	return 0x5eed000000000000ULL | ((uint64_t)gen << 32) | i;
}

static inline void region_fill(struct region *r, unsigned int gen)
{
	for (size_t i = 0; i < r->len / r->page_size; i++)
		page_fill(r->addr + i * r->page_size, r->page_size, page_tag(i, gen));
}

/*
 * The common start of a per-backing scenario: map @npages of backing @b, fill
 * them, register them for WP on a uffd with @features and protect them all.
 * Returns the uffd, or -1 after adding a skip row when the backing is not
 * available here.
 */
static inline int region_map_protected_with(struct scen_rows *rows, struct region *r,
					    enum backing b, size_t npages, uint64_t features)
{
	const char *why = region_map(r, b, npages);
	int uffd;

	if (why) {
		rows_add(rows, b, VERDICT_SKIP, "%s", why);
		return -1;
	}
	region_fill(r, 0);
	uffd = uffd_new(features);
	uffd_register(uffd, r->addr, r->len, UFFDIO_REGISTER_MODE_WP);
	uffd_writeprotect(uffd, r->addr, r->len, true);
	return uffd;
}

static inline int region_map_protected(struct scen_rows *rows, struct region *r, enum backing b,
				       size_t npages)
{
	return region_map_protected_with(rows, r, b, npages, 0);
}

/* What an async-WP region holds after region_write_even(): the pages still
 * protected, pages whose pagemap bit 57 is wrong (set on a written page,
 * clear on another), pages whose data is wrong. */
struct even_written {
	size_t still_protected, wrong_bits, wrong_data;
};

/* Writes generation 1 over the even pages of the first npages. */
static inline void region_write_even(const struct region *r, size_t npages)
{
	for (size_t i = 0; i < npages; i += 2)
		page_fill(r->addr + i * r->page_size, r->page_size, page_tag(i, 1));
}

static inline struct even_written region_check_even_written(const struct region *r, size_t npages)
{
	struct even_written c = { 0 };

	for (size_t i = 0; i < npages; i++) {
		bool written = i % 2 == 0, wp = page_uffd_wp(r->addr + i * r->page_size);

		c.still_protected += wp;
		c.wrong_bits += wp == written;
		c.wrong_data += !page_holds(r->addr + i * r->page_size, r->page_size,
					    page_tag(i, written ? 1 : 0));
	}
	return c;
}

/* Number of pages that do not hold generation gen. */
static inline size_t region_mismatches(const struct region *r, unsigned int gen)
{
	size_t bad = 0;

	for (size_t i = 0; i < r->len / r->page_size; i++)
		bad += !page_holds(r->addr + i * r->page_size, r->page_size, page_tag(i, gen));
	return bad;
}

/* ------------------------------------------------------------------ */
/* Writer threads                                                      */

/*
 * Writes generation `gen` into pages [first, first+count) of a region and
 * counts the faults the writing thread took: with unprotects done
 * before the writes, more faults than pages is a read-only PTE left behind
 * (LOST_WRITE_BIT).  A WP fault itself is not counted (VM_FAULT_RETRY is not
 * accounted, mm_account_fault()); its retry after the resolve is.
 */
struct page_writer {
	struct region *region;
	size_t first, count;
	unsigned int gen;
	long faults;
	pthread_t thread;
};

static inline void *page_writer_thread(void *arg)
{
	struct page_writer *w = arg;
	struct region *r = w->region;
	long before = thread_faults();

	for (size_t i = w->first; i < w->first + w->count; i++)
		page_fill(r->addr + i * r->page_size, r->page_size, page_tag(i, w->gen));
	w->faults = thread_faults() - before;
	return NULL;
}

static inline void page_writer_start(struct page_writer *w, struct region *r, size_t first,
				     size_t count, unsigned int gen)
{
	*w = (struct page_writer){ .region = r, .first = first, .count = count, .gen = gen };
	errno = pthread_create(&w->thread, NULL, page_writer_thread, w);
	if (errno)
		scen_fail("pthread_create(writer)");
}

static inline void page_writer_join(struct page_writer *w)
{
	pthread_join(w->thread, NULL);
}

/*
 * With the region protected: start a monitor, write generation gen into
 * every page from another thread, and return how many WP messages the
 * writes produced (the monitor unprotects each faulting page).  The writer's
 * faults go to *writer_faults unless it is NULL.
 */
static inline unsigned int write_all_count_wp(int uffd, struct region *r, unsigned int gen,
					      long *writer_faults)
{
	struct uffd_monitor mon;
	struct page_writer writer;

	monitor_start(&mon, uffd, r->page_size, NULL, NULL);
	page_writer_start(&writer, r, 0, r->len / r->page_size, gen);
	page_writer_join(&writer);
	monitor_stop(&mon);
	if (writer_faults)
		*writer_faults = writer.faults;
	return mon.wp_count;
}

#endif /* UFFDWP_SCEN_DATA_H */

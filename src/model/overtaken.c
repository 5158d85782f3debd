// SPDX-License-Identifier: GPL-2.0
/*
 * Walks that other threads overtook.  A hook's exit walk reads each entry
 * some time between its thread's last record (the hook's own) and the run
 * record (EV_PTE_RUN) that reports it; another thread's record written in
 * between may stand for a change made before or after that read.  Applied
 * in record order, that change comes first, so the run may show the page as
 * it was before the model's present state of it: such a part of a run
 * neither decides the page nor is judged.
 *
 * Seen on Debian 6.1 (selftests/vm/userfaultfd shmem 8 4, about once in 140
 * runs): the background thread's protect of its 4 MiB walked page X with the
 * bit; the handler's unprotect of X, begun during the protect, recorded its
 * change_protection() return before the protect's run for X came; that run,
 * applied last, resolved X to PROTECTED, and the handler's own walk an
 * instant later (X unprotected and written) became a LOST_WP.
 *
 * A thread records nothing between its hook's record and that walk's runs,
 * so every logged record newer than the thread's last one is another
 * thread's.
 */
#include <stdlib.h>

#include "model/model_internal.h"

/*
 * Records that overtake a walk: all that may stand for a PTE change, except
 *  - reading a message, and the fault that waits in handle_userfault() for
 *    its resolve (the resolve is recorded): no change;
 *  - a write fault (page_fault_user, at exception entry): its change always
 *    comes after its record, so the model already takes the fault's effect
 *    as pending until the walk it may race with is in (model_walk_awaited(),
 *    observe.c); and a PTE a walk read read-only after an unprotect returned
 *    stays #14's evidence whatever write faulted meanwhile.
 */
static bool may_change_ptes(const struct uffdwp_event *ev)
{
	switch (ev->kind) {
	case EV_PTE_RUN:
	case EV_UFFD_WP_MESSAGE:
	case EV_UFFD_MESSAGE:
	case EV_HANDLE_USERFAULT:
	case EV_WRITE_FAULT:
		return false;
	default:
		return ev->start || ev->end;
	}
}

/* Every record looks its thread up: the hint makes that one compare, not a
 * scan of up to MM_THREADS marks (7 % of a 6.1 uffd-stress replay's
 * instructions, callgrind).  A hint is only a guess, checked by the tid. */
static struct thread_mark *thread_find(struct mm_state *m, uint32_t tid)
{
	uint8_t *hint = &m->thread_hint[tid % MM_THREAD_HINTS];

	if (*hint && m->threads[*hint - 1].tid == tid)
		return &m->threads[*hint - 1];
	for (unsigned i = 0; i < m->nthreads; i++)
		if (m->threads[i].tid == tid) {
			*hint = (uint8_t)(i + 1);
			return &m->threads[i];
		}
	return NULL;
}

void overtaken_note(struct mm_state *m, const struct uffdwp_event *ev, uint64_t seq)
{
	struct thread_mark *t;
	struct change_rec *c;

	if (ev->kind == EV_PTE_RUN)
		return;
	t = thread_find(m, ev->tid);
	if (!t && m->nthreads < MM_THREADS) {
		t = &m->threads[m->nthreads++];
	} else if (!t) {
		/* the thread that recorded longest ago makes room: a walk of
		 * its own then counts as not overtaken (model_fresh_parts()) */
		t = &m->threads[0];
		for (unsigned i = 1; i < m->nthreads; i++)
			if (m->threads[i].seq < t->seq)
				t = &m->threads[i];
	}
	t->tid = ev->tid;
	t->seq = seq;
	m->thread_hint[ev->tid % MM_THREAD_HINTS] = (uint8_t)(t - m->threads + 1);
	if (!may_change_ptes(ev))
		return;
	c = &m->changes[m->nchanges++ % MM_CHANGE_LOG];
	if (m->nchanges > MM_CHANGE_LOG)
		m->changes_dropped_seq = c->seq;
	c->seq = seq;
	c->start = ev->start & ~(UFFDWP_PAGE_SIZE - 1);
	c->end = ev->end > ev->start ? ev->end : c->start + UFFDWP_PAGE_SIZE;
}

struct span {
	uint64_t s, e;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->s < y->s ? -1 : x->s > y->s;
}

#define OVERTAKEN_MAX 32	/* overtaking records one run is cut by; more: all of it */

void model_fresh_parts(struct mm_state *m, const struct uffdwp_event *run, uint64_t start,
		       uint64_t end, model_range_fn fn, void *arg)
{
	const struct thread_mark *t = run->kind == EV_PTE_RUN ? thread_find(m, run->tid) : NULL;
	struct span cut[OVERTAKEN_MAX];
	unsigned n = 0;
	uint64_t at = start;

	/* Not a walk, or its thread recorded nothing in this mm (the fork walk
	 * of a child's page tables comes from the parent's thread) or made room
	 * for MM_THREADS others since: as seen. */
	if (!t) {
		fn(start, end, arg);
		return;
	}
	/* The log no longer reaches back to the walk's start: unknown. */
	if (m->changes_dropped_seq > t->seq)
		return;
	for (uint64_t k = m->nchanges; k-- > 0 && m->nchanges - k <= MM_CHANGE_LOG;) {
		const struct change_rec *c = &m->changes[k % MM_CHANGE_LOG];
		struct span sp = { c->start > start ? c->start : start, c->end < end ? c->end : end };

		if (c->seq <= t->seq)
			break;
		if (sp.s >= sp.e)
			continue;
		if (n == OVERTAKEN_MAX)
			return;
		cut[n++] = sp;
	}
	if (n > 1)
		qsort(cut, n, sizeof(cut[0]), span_cmp);
	for (unsigned i = 0; i < n; i++) {
		if (cut[i].s > at)
			fn(at, cut[i].s, arg);
		if (cut[i].e > at)
			at = cut[i].e;
	}
	if (at < end)
		fn(at, end, arg);
}

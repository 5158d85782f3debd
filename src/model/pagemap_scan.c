// SPDX-License-Identifier: GPL-2.0
/*
 * PAGEMAP_SCAN (6.7+, 52526ca7fdb9) in the model: docs/model.md, "PAGEMAP_SCAN
 * and async WP".
 *
 * In a VMA registered for WP, PAGE_IS_WRITTEN is "the entry carries no uffd
 * bit and no marker" (pagemap_page_category(), pagemap_scan_pte_hole()), and
 * PM_SCAN_WP_MATCHING re-protects every page it reports written
 * (make_uffd_wp_pte()), in VMAs where userfaultfd_wp_async() and
 * userfaultfd_wp_use_markers() hold; others are skipped (or -EPERM with
 * PM_SCAN_CHECK_WPASYNC).  So a page the model knows was written since its
 * last protect, in such a VMA, must come back written: a scan that calls it
 * clean hands a dirty tracker (CRIU pre-dump, a snapshotter) a page it will
 * not copy.
 *
 * What may not be judged:
 *  - a write that was in flight when the scan ran: page_fault_user fires at
 *    exception entry, and the scan takes the PTE lock before or after the
 *    fault clears the bit (the selftest's transact_test writes from six
 *    threads while it scans).  A thread's fault is known to have returned
 *    once the thread sends another record (struct fault_in_flight);
 *  - anything past the last region read (PM_SCAN_REGIONS_MAX per call), and
 *    scans whose filter does not make "not reported" mean "not written".
 */
#include <string.h>

#include "model/model_internal.h"

#define PM_SCAN_WP_MATCHING	(1u << 0)
#define PAGE_IS_WPALLOWED	(1u << 0)
#define PAGE_IS_WRITTEN		(1u << 1)
#define PG_NOT_JUDGED		(PG_SCAN_RACED | PG_RACED | PG_UNPROT_BEGUN)

/* ---- write faults that may not have returned yet ---- */

static void faulting_drop(struct mm_state *m, uint32_t tid)
{
	for (unsigned i = 0; i < m->nfaulting; i++)
		if (m->faulting[i].tid == tid) {
			m->faulting[i] = m->faulting[--m->nfaulting];
			return;
		}
}

/* A thread is in one fault at a time; its next record from user context
 * (a syscall, another fault, exit) shows the previous fault returned.  Kernel
 * hooks inside the fault itself (handle_userfault, walks) show nothing. */
void faulting_note(struct mm_state *m, const struct uffdwp_event *ev)
{
	uint64_t last;

	if (ev->hook != HOOK_SYSCALLS && ev->hook != HOOK_WRITE_FAULT && ev->hook != HOOK_SCHED)
		return;
	faulting_drop(m, ev->tid);
	if (ev->kind != EV_WRITE_FAULT)
		return;
	/* a run of faults (start, end): every page but the last was left for the next */
	last = (ev->end > ev->start ? ev->end : ev->start + UFFDWP_PAGE_SIZE) - UFFDWP_PAGE_SIZE;
	if (m->nfaulting == MM_FAULTING)	/* more threads than slots: the oldest goes */
		memmove(&m->faulting[0], &m->faulting[1], --m->nfaulting * sizeof(m->faulting[0]));
	m->faulting[m->nfaulting++] = (struct fault_in_flight){ ev->tid, last & ~(UFFDWP_PAGE_SIZE - 1) };
}

bool pm_scan_in_flight(const struct mm_state *m)
{
	for (unsigned i = 0; i < m->ncalls; i++)
		if (m->calls[i].kind == EV_PM_SCAN)
			return true;
	return false;
}

/* ---- the regions a scan returned ---- */

static struct pm_scan_result *scan_result(struct mm_state *m, uint32_t tid, bool create)
{
	for (size_t i = 0; i < m->nscans; i++)
		if (m->scans[i].tid == tid)
			return &m->scans[i];
	if (!create)
		return NULL;
	if (m->nscans == MM_CALLS) {	/* returns lost: the oldest goes */
		memmove(&m->scans[0], &m->scans[1], --m->nscans * sizeof(m->scans[0]));
	}
	GROW(m->scans, m->nscans, m->cap_scans);
	m->scans[m->nscans] = (struct pm_scan_result){ .tid = tid };
	return &m->scans[m->nscans++];
}

static void scan_result_drop(struct mm_state *m, uint32_t tid)
{
	struct pm_scan_result *res = scan_result(m, tid, false);

	if (res)
		*res = m->scans[--m->nscans];
}

void on_pm_scan_region(struct mm_state *m, const struct uffdwp_event *ev)
{
	struct pm_scan_result *res = scan_result(m, ev->tid, true);

	for (uint32_t i = 0; i < ev->u.scan_regions.n && i < PM_REGIONS_PER_RECORD; i++) {
		const struct pm_scan_region_packed *p = &ev->u.scan_regions.r[i];
		uint64_t start = ev->start + ((uint64_t)p->offset << UFFDWP_PAGE_SHIFT);
		uint64_t npages = p->npages & ~PM_REGION_WRITTEN;

		if (res->n == PM_SCAN_REGIONS_MAX)
			return;
		res->r[res->n++] = (struct pm_region){
			start, start + (npages << UFFDWP_PAGE_SHIFT),
			p->npages & PM_REGION_WRITTEN ? PAGE_IS_WRITTEN : 0,
		};
	}
}

/* ---- which pages a scan decides ---- */

/* pagemap_scan_test_walk(): where WP_MATCHING protects. */
static bool region_scan_wp_allowed(const struct region *r)
{
	return region_is_wp(r) && !region_is_rwp(r) && (r->features & UFFD_FEAT_WP_ASYNC) &&
	       region_uses_markers(r);
}

/* Where a write the model saw surely cleared the bit: a writable VMA (a
 * write to a read-only one ends in SIGSEGV, not in a written page). */
static bool region_scan_judged(const struct region *r)
{
	return region_scan_wp_allowed(r) && r->writable_known && r->writable;
}

/* "Not reported" means "not written" when written is all the filter asks
 * (PAGE_IS_WPALLOWED is a VMA property, true wherever we judge). */
static bool filter_is_written(const struct uffdwp_event *ev)
{
	return (ev->u.scan.category_mask & ~PAGE_IS_WPALLOWED) == PAGE_IS_WRITTEN &&
	       !ev->u.scan.category_inverted && !ev->u.scan.category_anyof_mask;
}

/* The regions read, or NULL when some of them were lost on the way. */
static const struct pm_scan_result *scan_regions(struct mm_state *m, const struct uffdwp_event *ev)
{
	static const struct pm_scan_result none;
	const struct pm_scan_result *res = scan_result(m, ev->tid, false);

	if (!res)
		res = &none;
	return res->n == ev->u.scan.nregions_read ? res : NULL;
}

/* The end of what the scan reported in full: the walk's end, or the end of
 * the last region read when more were returned. */
static uint64_t scan_known_end(const struct uffdwp_event *ev, const struct pm_scan_result *res)
{
	uint64_t end = ev->u.scan.walk_end ? ev->u.scan.walk_end : ev->end;

	if ((int64_t)res->n < ev->ret)
		end = res->n ? res->r[res->n - 1].end : ev->start;
	return end;
}

struct lost_walk {
	struct mm_state *m;
	const struct pm_scan_result *res;
	pm_scan_clean_fn fn;
	void *arg;
};

/* Calls fn on the parts of [a, b) no returned region covers. */
static void each_unreported(const struct lost_walk *w, uint64_t a, uint64_t b)
{
	for (uint32_t i = 0; i < w->res->n && a < b; i++) {
		const struct pm_region *r = &w->res->r[i];

		if (r->end <= a)
			continue;
		if (r->start >= b)
			break;
		if (r->start > a)
			w->fn(a, r->start, w->arg);
		a = r->end > a ? r->end : a;
	}
	if (a < b)
		w->fn(a, b, w->arg);
}

static void visit_written(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	const struct lost_walk *w = arg;
	uint32_t obs = (v & PG_OBS_MASK) >> PG_OBS_SHIFT;

	if (!(v & PG_DIRTY) || (v & PG_NOT_JUDGED) || !(v & PG_POPULATED) ||
	    pg_expect(v) != EXP_UNPROTECTED || (obs & PTE_ST_MARKER_OTHER) ||
	    model_walk_awaited(w->m, s << UFFDWP_PAGE_SHIFT))
		return;
	each_unreported(w, s << UFFDWP_PAGE_SHIFT, e << UFFDWP_PAGE_SHIFT);
}

void model_pm_scan_lost(struct mm_state *m, const struct uffdwp_event *ev,
			pm_scan_clean_fn fn, void *arg)
{
	struct lost_walk w = { m, NULL, fn, arg };
	uint64_t end;

	if (ev->u.scan.begin || ev->ret < 0 || !ev->u.scan.vec_given || !filter_is_written(ev))
		return;
	w.res = scan_regions(m, ev);
	if (!w.res)
		return;
	end = scan_known_end(ev, w.res);
	for (size_t i = 0; i < m->nregions; i++) {
		const struct region *r = &m->regions[i];
		uint64_t s = ev->start > r->start ? ev->start : r->start;
		uint64_t e = end < r->end ? end : r->end;

		if (s < e && region_scan_judged(r))
			imap_foreach(m->pages, pfn_of(s), pfn_of(e + UFFDWP_PAGE_SIZE - 1),
				     visit_written, &w);
	}
}

/* ---- what a scan leaves behind ---- */

static imap_val scan_raced_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	return v | PG_SCAN_RACED;
}

void on_pm_scan_begin(struct mm_state *m, const struct uffdwp_event *ev)
{
	call_begin(m, ev);
	for (unsigned i = 0; i < m->nfaulting; i++)
		model_pages_update(m, m->faulting[i].page, m->faulting[i].page + 1,
				   scan_raced_page, NULL);
}

/* make_uffd_wp_pte(): the page reported written is protected again, unless
 * a write raced with the scan and may have cleared the bit after it.  A
 * hugetlb poison marker is reported written (not a uffd-wp entry,
 * pagemap_hugetlb_category()) but make_uffd_wp_huge_pte() leaves every
 * marker alone, and the zap then clears it: nothing protected (uffdwp-fuzz,
 * 7.3, seed 9 sequence 3871: the model's false DROPPED_MARKER).  A PTE-level
 * one gets the swap uffd-wp bit (pte_swp_mkuffd()), and its zap leaves a
 * uffd-wp marker (zap_install_uffd_wp_if_needed()): protected. */
static imap_val scan_protect_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	if (!region_scan_wp_allowed(arg) || pg_expect(v) == EXP_NONE)
		return v;
	if ((v & PG_POISONED) && region_is_hugetlb(arg))
		return v;
	if (v & PG_SCAN_RACED)
		return pg_with_expect(v, EXP_PROTECTED_IF_POPULATED) | PG_WAS_PROT;
	return protect_page(s, e, v, arg);
}

/* The scan may or may not have protected the page: the next fault or
 * observation decides. */
static imap_val scan_unknown_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	if (!region_scan_wp_allowed(arg) || pg_expect(v) == EXP_NONE)
		return v;
	return pg_with_expect(v, EXP_PROTECTED_IF_POPULATED) | PG_WAS_PROT;
}

static imap_val scan_settled_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	return v & ~PG_SCAN_RACED;
}

/* A page reported with PAGE_IS_WRITTEN, as far as the region says. */
static bool region_written(const struct uffdwp_event *ev, const struct pm_region *r, bool *known)
{
	*known = true;
	if (ev->u.scan.return_mask & PAGE_IS_WRITTEN)
		return r->categories & PAGE_IS_WRITTEN;
	if (filter_is_written(ev))
		return true;
	*known = false;
	return false;
}

static void apply_wp_matching(struct mm_state *m, const struct uffdwp_event *ev,
			      const struct pm_scan_result *res)
{
	uint64_t walk_end = ev->u.scan.walk_end ? ev->u.scan.walk_end : ev->end, known_end;

	if (ev->ret < 0 || !res) {	/* stopped part way, or regions lost */
		update_per_region(m, ev->start, ev->end, scan_unknown_page);
		return;
	}
	if (!ev->u.scan.vec_given) {
		/* pagemap_scan_pmd_entry()'s path without a vector protects
		 * every entry; a filter other than "written" still applies to
		 * THPs and holes. */
		update_per_region(m, ev->start, walk_end,
				  filter_is_written(ev) ? scan_protect_page : scan_unknown_page);
		return;
	}
	for (uint32_t i = 0; i < res->n; i++) {
		bool known, written = region_written(ev, &res->r[i], &known);

		if (!known)
			update_per_region(m, res->r[i].start, res->r[i].end, scan_unknown_page);
		else if (written)
			update_per_region(m, res->r[i].start, res->r[i].end, scan_protect_page);
	}
	known_end = scan_known_end(ev, res);
	if (known_end < walk_end)
		update_per_region(m, known_end, walk_end, scan_unknown_page);
}

void on_pm_scan_end(struct mm_state *m, const struct uffdwp_event *ev)
{
	struct call_in_flight call;
	const struct pm_scan_result *res;

	call_end(m, ev->tid, EV_PM_SCAN, &call);
	res = scan_regions(m, ev);
	if (ev->u.scan.flags & PM_SCAN_WP_MATCHING)
		apply_wp_matching(m, ev, res);
	/* A write that raced with this scan and was not reported returned
	 * after the scan passed its page: written now, unless a fault is
	 * still open (marked again when the next scan begins). */
	if (!pm_scan_in_flight(m))
		model_pages_update(m, ev->start, ev->end, scan_settled_page, NULL);
	scan_result_drop(m, ev->tid);
}

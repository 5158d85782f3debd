// SPDX-License-Identifier: GPL-2.0
/* What the kernel was seen to hold (walks, migration entries) and the faults
 * the tracer saw, applied to the pages' last observation. */
#include "model/model_internal.h"

/* ---- observations ---- */

#define MAX_ORDER_SEEN		18		/* PUD: a corrupt order must not span the world */

/* migrate:set_migration_pte / remove_migration_pte and the PMD variants
 * (set_pmd_migration_entry(), remove_migration_pmd()) carry the entry.
 * The PTE tracepoints give the folio's order, not the entry's span:
 * try_to_migrate_one() and remove_migration_pte() fire once per PTE of a
 * PTE-mapped THP or mTHP with compound_order()/folio_order() ("mm/migration:
 * Add trace events for base page and HugeTLB migrations", 5.19; so in 6.1 and
 * 7.3 alike).  Only a hugetlb entry covers the whole folio. */
static void migration_observation(struct mm_state *m, const struct uffdwp_event *ev,
				  struct observed_entry *o)
{
	unsigned where = ev->u.mig.where;
	bool pmd = where == MIG_SET_PMD || where == MIG_REMOVE_PMD;
	int order = ev->u.mig.order > 0 ? ev->u.mig.order : (pmd ? 9 : 0);

	o->state = ev->u.mig.state;	/* decoded by the BPF side, at the level the order implies */
	if (!pmd && !region_is_hugetlb(m ? model_region(m, ev->start) : NULL)) {
		order = 0;
		o->state &= ~PTE_ST_HUGE;
	}
	if (order > MAX_ORDER_SEEN)
		order = MAX_ORDER_SEEN;
	o->start = ev->start & ~((UFFDWP_PAGE_SIZE << order) - 1);
	o->end = o->start + (UFFDWP_PAGE_SIZE << order);
	o->raw = ev->u.mig.pte;
}

bool model_event_observation(struct mm_state *m, const struct uffdwp_event *ev,
			     struct observed_entry *o)
{
	if (ev->kind == EV_MIGRATION_PTE) {
		/* remove_migration_pte() hooked as a function carries no entry:
		 * the walk at its exit observes instead. */
		if (!ev->u.mig.state)
			return false;
		migration_observation(m, ev, o);
		return true;
	}
	/* level 0: a walk that stopped before its first entry (nested on its
	 * CPU: another walk's program was preempted there, or the budget) says
	 * so with an empty run; it saw nothing. */
	if (ev->kind != EV_PTE_RUN || !ev->u.run.level)
		return false;
	o->start = ev->start & ~(UFFDWP_PAGE_SIZE - 1);
	o->end = ev->end > ev->start ? ev->end : o->start + UFFDWP_PAGE_SIZE;
	o->state = ev->u.run.state;
	o->raw = ev->u.run.sample;
	return true;
}

struct observe_arg {
	uint32_t state;		/* PTE_ST_* */
	bool private;		/* the region is a private, non-hugetlb mapping */
	bool unprotect_pending;	/* an unprotect of the range began and has not applied */
};

static imap_val observe_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	const struct observe_arg *a = arg;
	uint32_t st = a->state;
	bool mapped = st & (PTE_ST_PRESENT | PTE_ST_SWAP | PTE_ST_MIGRATION);
	bool writable = (st & PTE_ST_PRESENT) && (st & PTE_ST_WRITE);

	if (mapped)
		v |= PG_POPULATED;
	else
		v &= ~(PG_POPULATED | PG_WRITTEN);
	if (writable)
		v &= ~PG_WANT_WRITE;
	/* The zero page (or a pfnmap) where the model thought an exclusive
	 * anon page was: 6.12+ remaps zero-filled subpages of a split anon THP
	 * without a tracepoint.  Nothing written, no write bit owed. */
	if ((st & PTE_ST_PRESENT) && (st & PTE_ST_SPECIAL))
		v &= ~(PG_WRITTEN | PG_WANT_WRITE);
	/* A writable PTE in a private mapping maps an exclusive anon page
	 * (PG_anon_exclusive, 6c287605fd56: pagecache and COW-shared pages
	 * are mapped read-only), which is what PG_WRITTEN stands for. */
	if (writable && a->private)
		v |= PG_WRITTEN;
	/* A poison or guard marker (6.1's swapin error) replaced the page, and
	 * change_pte_range() leaves such entries alone ("any access should sigbus
	 * anyway"): nothing is protected there, and the zap that drops the
	 * marker owes no uffd-wp marker.  A uffd-wp marker is MARKER_WP. */
	if ((st & PTE_ST_MARKER_OTHER) && pg_expect(v) != EXP_NONE)
		v = pg_with_expect(v & ~PG_ZAPPED, EXP_UNPROTECTED);
	/* anything else there: not the poison marker any more (a guard marker
	 * is MARKER_OTHER too, so seeing one sets nothing) */
	if (!(st & PTE_ST_MARKER_OTHER))
		v &= ~PG_POISONED;
	/* Protected-if-populated resolves once we see the page: protected if
	 * it carries the bit, else it was populated after the protect. */
	if (pg_expect(v) == EXP_PROTECTED_IF_POPULATED && mapped &&
	    !(a->unprotect_pending && (v & PG_UNPROT_BEGUN)))
		v = pg_with_expect(v, (st & PTE_ST_UFFD_WP) ? EXP_PROTECTED : EXP_UNPROTECTED);
	v &= ~PG_OBS_MASK;
	return v | ((st << PG_OBS_SHIFT) & PG_OBS_MASK);
}

void model_observe(struct mm_state *m, uint64_t start, uint64_t end, uint32_t state)
{
	struct region *r = model_region(m, start);
	struct observe_arg a = { state, region_private_known(r), false };

	/* A page an unprotect began on since the protect that left it undecided
	 * stays so until that unprotect applies: it may clear the bit a walk
	 * just saw (6.1's hugetlb protect ends twice, the second after such a
	 * begin; its walk saw the bit the in-flight resolve then cleared). */
	for (unsigned i = 0; i < m->ncalls; i++) {
		const struct call_in_flight *c = &m->calls[i];

		if (c->kind == EV_UFFD_WRITEPROTECT && !c->wp && !c->applied &&
		    c->start < end && start < c->end)
			a.unprotect_pending = true;
	}

	if ((state & PTE_ST_MARKER_WP) && r)
		r->markers_seen = true;
	model_pages_update(m, start, end, observe_page, &a);
}

struct write_fault_arg {
	const struct region *r;
	bool walk_awaited;	/* model_walk_awaited(): may predate an unprotect's PTE change */
	bool scan_in_flight;	/* a PAGEMAP_SCAN of this mm is running */
};

/* A write in a WP_ASYNC range leaves the page without its bit once the fault
 * returns (userfaultfd_wp_async() in do_wp_page()/handle_pte_marker()):
 * PAGEMAP_SCAN must call it written until it is protected again. */
static imap_val written_since_protect(imap_val v, const struct write_fault_arg *a)
{
	if (!a->r || !(a->r->features & UFFD_FEAT_WP_ASYNC) || pg_expect(v) != EXP_UNPROTECTED)
		return v;
	v |= PG_DIRTY;
	return a->scan_in_flight ? v | PG_SCAN_RACED : v & ~PG_SCAN_RACED;
}

static imap_val write_fault_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	const struct write_fault_arg *a = arg;
	const struct region *r = a->r;
	enum expect exp = pg_expect(v);
	bool wp_fault = exp == EXP_PROTECTED ||
			(exp == EXP_PROTECTED_IF_POPULATED && (v & PG_POPULATED));

	/* The fault maps the page writable, so no write bit is owed any more;
	 * one that may have hit the PTE before the unprotect did leaves the
	 * walk of that unprotect to judge. */
	if (!a->walk_awaited)
		v &= ~PG_WANT_WRITE;
	v |= PG_POPULATED;
	/* A sync WP fault has written nothing yet: the page is still what it was (the
	 * zero page, a COW-shared one), not the exclusive dirty page PG_WRITTEN means
	 * (uffdwp-fuzz found the unprotect of a protected zero page called LOST_WRITE_BIT).
	 * The write retried after the resolve is a fault of its own. */
	if (!wp_fault || (r && (r->features & UFFD_FEAT_WP_ASYNC)))
		v |= PG_WRITTEN;
	if (exp == EXP_PROTECTED_IF_POPULATED && !wp_fault)
		return written_since_protect(pg_with_expect(v, EXP_UNPROTECTED), a); /* do_anonymous_page() */
	if (!wp_fault)
		return written_since_protect(v, a);
	/* do_wp_page()/handle_pte_marker(): WP_ASYNC resolves in the kernel
	 * (userfaultfd_wp_async()); sync mode waits for the handler. */
	if (r && (r->features & UFFD_FEAT_WP_ASYNC))
		return written_since_protect(pg_with_expect(v, EXP_UNPROTECTED), a);
	return v | PG_WP_FAULTED;
}

/* The span of a hugetlb entry: x86-64's default hstate, the one the tools map. */
#define HUGETLB_ENTRY_SIZE (2ULL << 20)

/* [*start, *end) of the hugetlb entry holding addr; false outside hugetlb. */
static bool hugetlb_entry_span(const struct region *r, uint64_t addr, uint64_t *start,
			       uint64_t *end)
{
	if (!region_is_hugetlb(r))
		return false;
	*start = addr & ~(HUGETLB_ENTRY_SIZE - 1);
	*end = *start + HUGETLB_ENTRY_SIZE;
	return true;
}

void on_write_fault(struct mm_state *m, uint64_t addr)
{
	struct write_fault_arg a = { model_region(m, addr), model_walk_awaited(m, addr),
				     pm_scan_in_flight(m) };
	uint64_t start = addr, end = addr + 1;

	/* A hugetlb fault acts on the whole entry: with WP_ASYNC hugetlb_fault() clears
	 * the uffd-wp bit of all of it (huge_pte_clear_uffd_wp(), huge_pte_clear_uffd()
	 * in 7.3).  Applied to the faulting 4 KiB alone, the other 511 stayed PROTECTED
	 * and the next migration of the page was called LOST_WP (uffdwp-fuzz, 7.3, an
	 * async write to a hugetlb page PAGEMAP_SCAN had protected). */
	hugetlb_entry_span(a.r, addr, &start, &end);
	model_pages_update(m, start, end, write_fault_page, &a);
}

imap_val wp_fault_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	return v | PG_WP_FAULTED;
}

void on_point(struct mm_state *m, uint64_t addr, imap_map_fn fn)
{
	model_pages_update(m, addr, addr + 1, fn, model_region(m, addr));
}

/* A protected page that may be gone without a hook seeing it (a fill owed,
 * MADV_FREE): protected if still populated, not judged when empty.  A
 * PROTECTED page already carries PG_WAS_PROT. */
imap_val protected_or_gone_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	if (pg_expect(v) != EXP_PROTECTED)
		return v;
	return pg_with_expect(v & ~PG_ZAPPED, EXP_PROTECTED_IF_POPULATED);
}

/*
 * handle_userfault() for a missing or minor fault: a marker (hugetlb and shmem
 * take one for pte_none, hugetlb_no_page()/shmem_get_folio_gfp()) or an empty
 * protected entry is about to be filled by the monitor's plain UFFDIO_COPY,
 * ZEROPAGE or CONTINUE, which maps it without the bit (mfill_atomic_install_pte(),
 * hugetlb_mfill_atomic_pte()) and reports no begin.  Its effect lands before its
 * return record: the woken thread can go on and zap the page first (uffdwp-fuzz,
 * 7.3, hugetlb: DONTNEED after a resolved missing fault looked like a dropped
 * marker).  So the page is undecided until the fill's return, which sets it.
 */
void on_fill_owed(struct mm_state *m, uint64_t addr)
{
	uint64_t start = addr & ~(UFFDWP_PAGE_SIZE - 1), end = start + UFFDWP_PAGE_SIZE;

	hugetlb_entry_span(model_region(m, addr), addr, &start, &end);
	model_pages_update(m, start, end, protected_or_gone_page, NULL);
}

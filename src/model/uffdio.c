// SPDX-License-Identifier: GPL-2.0
/* Page transitions of the UFFDIO_* ioctls: REGISTER/UNREGISTER, WRITEPROTECT
 * (with the calls in flight and their races), COPY/ZEROPAGE/CONTINUE/POISON
 * fills, MOVE. */
#include <string.h>

#include "model/model_internal.h"

/* ---- page-level transitions ---- */

struct page_update {
	imap_map_fn fn;
	void *arg;
};

/* The written-since-protect flags end with the page's write access: a
 * protect, a zap or anything else that leaves the page not UNPROTECTED. */
static imap_val update_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	const struct page_update *u = arg;

	v = u->fn(s, e, v, u->arg);
	if (pg_expect(v) != EXP_UNPROTECTED || !(v & PG_POPULATED))
		v &= ~(PG_DIRTY | PG_SCAN_RACED);
	return v;
}

size_t model_pages_update(struct mm_state *m, uint64_t start, uint64_t end,
			  imap_map_fn fn, void *arg)
{
	struct page_update u = { fn, arg };

	return imap_update(m->pages, pfn_of(start), pfn_of(end + UFFDWP_PAGE_SIZE - 1),
			   update_page, &u);
}

/* Narrows [*s, *e) to its overlap with [lo, hi); false if they do not overlap. */
static bool range_clip(uint64_t *s, uint64_t *e, uint64_t lo, uint64_t hi)
{
	if (*s < lo)
		*s = lo;
	if (*e > hi)
		*e = hi;
	return *s < *e;
}

/* Applies fn to the part of [start, end) covered by each region. */
void update_per_region(struct mm_state *m, uint64_t start, uint64_t end,
		       imap_map_fn fn)
{
	for (size_t i = 0; i < m->nregions; i++) {
		struct region *r = &m->regions[i];
		uint64_t s = start, e = end;

		if (range_clip(&s, &e, r->start, r->end))
			model_pages_update(m, s, e, fn, r);
	}
}

imap_val protect_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	const struct region *r = arg;
	enum expect exp = EXP_PROTECTED_IF_POPULATED;

	if (!region_is_wp(r))
		return v;
	/* change_pte_range(MM_CP_UFFD_WP) marks present and swap entries;
	 * empty ones get a marker only where userfaultfd_wp_use_markers(). */
	if ((v & PG_POPULATED) || region_uses_markers(r))
		exp = EXP_PROTECTED;
	/* An unprotect that ran while this protect was running may have
	 * reached the PTE before or after it: the next observation decides. */
	if (v & (PG_UNPROT_BEGUN | PG_RACED))
		exp = EXP_PROTECTED_IF_POPULATED;
	v &= ~(PG_WANT_WRITE | PG_ZAPPED | PG_WP_FAULTED | PG_FALSE_WP_SEEN);
	return pg_with_expect(v, exp) | PG_WAS_PROT;
}

static imap_val unprotect_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	const struct region *r = arg;
	enum expect was = pg_expect(v);

	/* Applied twice, at change_protection() exit and at the ioctl's
	 * return: the second finds the page done, unless the first was the
	 * begin (unprotect_begun_page()), which owes no write bit yet. */
	if (!region_is_wp(r) || (was == EXP_UNPROTECTED && !(v & PG_UNPROT_BEGUN)))
		return v;
	/* A protect ran meanwhile and may have reached the PTE last. */
	if (v & PG_RACED)
		return pg_with_expect(v & ~(PG_ZAPPED | PG_WANT_WRITE), EXP_PROTECTED_IF_POPULATED);
	/* uffd_wp_range(): MM_CP_UFFD_WP_RESOLVE plus MM_CP_TRY_CHANGE_WRITABLE
	 * (931298e103c2), and can_change_pte_writable() makes an exclusive anon
	 * page writable again in a writable private VMA.  6.1 resolves without
	 * the upgrade (newprot is the private, read-only vm_get_page_prot()):
	 * the PTE stays read-only, LOST_WRITE_BIT. */
	v &= ~(PG_ZAPPED | PG_WANT_WRITE);
	if ((v & PG_WRITTEN) && region_private_known(r) && r->writable_known && r->writable)
		v |= PG_WANT_WRITE;
	return pg_with_expect(v, EXP_UNPROTECTED);
}

/* mwriteprotect_range() / change_protection(): the range inside WP regions. */
void writeprotect(struct mm_state *m, uint64_t start, uint64_t end, bool wp)
{
	update_per_region(m, start, end, wp ? protect_page : unprotect_page);
}

/* An unprotect began: faults it resolves follow at once in other threads,
 * so the protection is gone now; the write bit is owed only when it ends
 * (a write racing with it may still fault on the read-only PTE). */
static imap_val unprotect_begun_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	const struct region *r = arg;

	if (!region_is_wp(r))
		return v;
	v &= ~(PG_ZAPPED | PG_WANT_WRITE | PG_RACED);
	return pg_with_expect(v, EXP_UNPROTECTED) | PG_UNPROT_BEGUN;
}

/* A protect began: until it ends the page may carry the bit or not yet
 * (a fault on it is legitimate, a walk may find it either way), and an
 * unprotect that begins from now on races with it. */
static imap_val protect_begun_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	const struct region *r = arg;

	v &= ~(PG_UNPROT_BEGUN | PG_RACED);
	if (!region_is_wp(r) || pg_expect(v) == EXP_PROTECTED)
		return v;
	return pg_with_expect(v, EXP_PROTECTED_IF_POPULATED) | PG_WAS_PROT;
}

static imap_val protection_unknown(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	return pg_expect(v) == EXP_NONE ? v : pg_with_expect(v, EXP_PROTECTED_IF_POPULATED);
}

/* ---- ioctls in flight (struct call_in_flight) ---- */

struct call_in_flight *call_find(struct mm_state *m, uint32_t tid, uint32_t kind)
{
	for (unsigned i = 0; i < m->ncalls; i++)
		if (m->calls[i].tid == tid && m->calls[i].kind == kind)
			return &m->calls[i];
	return NULL;
}

void call_begin(struct mm_state *m, const struct uffdwp_event *ev)
{
	struct call_in_flight *c = call_find(m, ev->tid, ev->kind);

	if (!c) {
		if (m->ncalls == MM_CALLS)	/* returns lost: the oldest goes */
			memmove(&m->calls[0], &m->calls[1], --m->ncalls * sizeof(m->calls[0]));
		c = &m->calls[m->ncalls++];
	}
	*c = (struct call_in_flight){
		.tid = ev->tid, .kind = ev->kind, .start = ev->start, .end = ev->end,
		.wp = ev->kind == EV_UFFD_WRITEPROTECT && (ev->u.range.mode & UFFD_WP_MODE_WP),
	};
}

/* Ends the call; false when its begin was never seen (old recordings, a
 * trace attached mid-call): the return is then applied on its own. */
bool call_end(struct mm_state *m, uint32_t tid, uint32_t kind, struct call_in_flight *out)
{
	struct call_in_flight *c = call_find(m, tid, kind);

	if (!c)
		return false;
	*out = *c;
	*c = m->calls[--m->ncalls];
	return true;
}

static imap_val raced_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	return v | PG_RACED;
}

/* UFFDIO_WRITEPROTECT entered: an unprotect weakens now (faults it resolves
 * follow at once in other threads); a protect opens its window.  Where a
 * call of the other mode is in flight and has not changed the PTEs yet
 * (uffd-stress: a handler's resolve begun before a range protect, its
 * change_protection() after), the two run under mmap_read_lock together
 * and either may reach a PTE last. */
void on_writeprotect_begin(struct mm_state *m, const struct uffdwp_event *ev)
{
	bool wp = ev->u.range.mode & UFFD_WP_MODE_WP;

	call_begin(m, ev);
	update_per_region(m, ev->start, ev->end, wp ? protect_begun_page : unprotect_begun_page);
	for (unsigned i = 0; i < m->ncalls; i++) {
		const struct call_in_flight *o = &m->calls[i];
		uint64_t s = ev->start, e = ev->end;

		if (o->kind == EV_UFFD_WRITEPROTECT && o->wp != wp && !o->applied &&
		    range_clip(&s, &e, o->start, o->end))
			update_per_region(m, s, e, raced_page);
		else if (o->kind == EV_UFFD_COPY && !wp && range_clip(&s, &e, o->start, o->end))
			m->calls[i].resolved = true;
	}
}

/* UFFDIO_WRITEPROTECT returned.  Its change_protection() exit, when hooked,
 * already applied the change; a failed unprotect changed nothing that the
 * begin did not already assume gone: unknown again.  mwriteprotect_range()
 * fails before changing anything (-ENOENT, -EAGAIN). */
void on_writeprotect_end(struct mm_state *m, const struct uffdwp_event *ev)
{
	struct call_in_flight c;
	bool wp = ev->u.range.mode & UFFD_WP_MODE_WP;

	if (!call_end(m, ev->tid, ev->kind, &c)) {
		if (ev->ret == 0)
			writeprotect(m, ev->start, ev->end, wp);
	} else if (ev->ret != 0) {
		if (!wp)
			model_pages_update(m, c.start, c.end, protection_unknown, NULL);
	} else if (!c.applied) {
		writeprotect(m, ev->start, ev->end, wp);
	}
	/*
	 * Where no change_protection hook walked, this thread's next record is
	 * the walk at the syscall's exit; till then a write fault on the range
	 * may predate the unprotect's PTE change: another CPU's write met the
	 * old entry, and its exception entry came after this return (QEMU's
	 * background snapshot on the 6.18 host: the vCPU's page_fault_user
	 * 2.3 us after the return, then the walk saw the PTE writable).  As
	 * for change_protection (model_walk_awaited()); the next record of
	 * the thread ends it.
	 */
	if (ev->ret == 0 && !wp) {
		struct uffdwp_event awaited = *ev;

		awaited.kind = EV_CHANGE_PROTECTION;
		call_begin(m, &awaited);
	}
}

imap_val register_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	const struct region *r = arg;

	/* userfaultfd_register() only sets VM_UFFD_WP: nothing is protected yet. */
	v &= ~(PG_WANT_WRITE | PG_ZAPPED | PG_WP_FAULTED | PG_WAS_PROT);
	return pg_with_expect(v, region_is_wp(r) ? EXP_UNPROTECTED : EXP_NONE);
}

/* [start, end) registered with the event's modes: the region replaces what
 * was there; its pages start unprotected unless @keep_pages. */
static void register_range(struct mm_state *m, const struct uffdwp_event *ev,
			   uint64_t start, uint64_t end, bool keep_pages)
{
	const struct uffd_ctx *c = ctx_find(m, ev->u.range.fd);
	struct region r = {
		.start = start, .end = end, .fd = ev->u.range.fd,
		.mode = ev->u.range.mode, .features = c ? c->features : 0,
	};

	regions_add(m, &r);
	learn_vma(m, ev);	/* the VMA as registration left it */
	if (!keep_pages)
		model_pages_update(m, r.start, r.end, register_page, &r);
}

/* The start of the first region after @at, or @limit. */
static uint64_t next_region_start(const struct mm_state *m, uint64_t at, uint64_t limit)
{
	for (size_t i = 0; i < m->nregions; i++)
		if (m->regions[i].start > at && m->regions[i].start < limit)
			limit = m->regions[i].start;
	return limit;
}

/*
 * userfaultfd_register() (6.1 fs/userfaultfd.c, 6.12 and 7.3 mm/userfaultfd.c)
 * never touches PTEs of a VMA it re-registers: one of the same context whose
 * flags already include the requested modes is skipped ("(vma->vm_flags &
 * vm_flags) == vm_flags ... goto skip"), any other only gets the new flags.
 * So pages that were WP and stay WP keep their protection; a register that
 * drops WP leaves whatever bits there were in a VMA not registered for WP (the
 * stale-bit bug of 6.1/6.12, a FALSE_WP at the next observation).
 */
void on_register(struct mm_state *m, const struct uffdwp_event *ev)
{
	uint64_t at = ev->start;

	while (at < ev->end) {
		const struct region *r = model_region(m, at);
		uint64_t end = r ? (r->end < ev->end ? r->end : ev->end)
				 : next_region_start(m, at, ev->end);
		bool same_ctx = r && r->fd == ev->u.range.fd;

		if (!same_ctx || (r->mode & ev->u.range.mode) != ev->u.range.mode)
			register_range(m, ev, at, end,
				       same_ctx && region_is_wp(r) &&
				       (ev->u.range.mode & UFFD_REG_MODE_WP));
		at = end;
	}
}

static imap_val forget_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	return v & (PG_POPULATED | PG_WRITTEN);
}

/* userfaultfd_unregister() -> userfaultfd_clear_vma(): uffd_wp_range(false)
 * resolves bits and markers, then VM_UFFD_WP is cleared. */
static void unregister_range(struct mm_state *m, uint64_t start, uint64_t end)
{
	regions_remove(m, start, end);
	model_pages_update(m, start, end, forget_page, NULL);
}

void on_unregister(struct mm_state *m, const struct uffdwp_event *ev)
{
	unregister_range(m, ev->start, ev->end);
}

/* close() of a uffd.  When that was the last reference, userfaultfd_release() unregisters every range the
 * context registered in its own mm, as UFFDIO_UNREGISTER does (and since
 * c88033efe9a3 resolves their bits and markers; a kernel that leaves them is
 * seen by the next walk: bits in an unregistered range).  A context reached
 * through a fork message (owner_mm) registered ranges whose fd we do not
 * know: left as they are. */
void on_uffd_close(struct mm_state *m, const struct uffdwp_event *ev)
{
	struct uffd_ctx *c = ctx_find(m, ev->u.close.fd);
	bool own = !c || !c->owner_mm;

	if (ev->u.close.released && own)
		for (size_t i = m->nregions; i-- > 0;) {
			struct region r = m->regions[i];

			if (r.fd != ev->u.close.fd)
				continue;
			unregister_range(m, r.start, r.end);
		}
	/* The context stays in the table: a fork message read on it may still
	 * wait for its fork record (ctx_fork_pair()); a new uffd on the same
	 * number resets it (ctx_open()).  uffd-unit-tests' event thread closes
	 * its uffd right after reading UFFD_EVENT_FORK. */
}

struct fill_arg {
	const struct region *r;
	const struct uffdwp_event *ev;
	bool resolved;		/* at the return: the call's call_in_flight.resolved */
};

static imap_val fill_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	const struct fill_arg *f = arg;
	bool wp = (f->ev->u.fill.mode & UFFD_COPY_MODE_WP) && f->ev->u.fill.op != FILL_ZEROPAGE;

	v &= ~(PG_WANT_WRITE | PG_ZAPPED | PG_WP_FAULTED | PG_POISONED);
	if (f->ev->u.fill.op == FILL_POISON)
		return pg_with_expect((v & ~(PG_POPULATED | PG_WRITTEN)) | PG_POISONED,
				      region_is_wp(f->r) ? EXP_UNPROTECTED : EXP_NONE);
	v |= PG_POPULATED;
	/* mfill_atomic_pte_copy(): a new exclusive anon page, dirty. */
	if (f->ev->u.fill.op == FILL_COPY)
		v |= PG_WRITTEN;
	else
		v &= ~PG_WRITTEN;
	/* mfill_atomic_install_pte(): MFILL_ATOMIC_WP sets the uffd-wp bit. */
	if (wp && region_is_wp(f->r))
		return pg_with_expect(v, EXP_PROTECTED) | PG_WAS_PROT;
	return pg_with_expect(v, region_is_wp(f->r) ? EXP_UNPROTECTED : EXP_NONE);
}

/* A MODE_WP fill in flight: its pages are filled and protected, or already
 * faulted on and resolved by another thread; the next observation decides. */
static imap_val fill_in_flight_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	const struct fill_arg *f = arg;

	v &= ~(PG_WANT_WRITE | PG_ZAPPED | PG_WP_FAULTED);
	if (!region_is_wp(f->r))
		return v;
	return pg_with_expect(v, EXP_PROTECTED_IF_POPULATED) | PG_WAS_PROT;
}

/* The fill returned: pages nobody resolved meanwhile are as the fill left
 * them; resolved ones keep their resolve.  A resolve is seen as the page's
 * expectation, unless another fill's begin made it undecided again (a second
 * handler's copy of the same page, -EEXIST): a fill that an unprotect of its
 * range overlapped (struct call_in_flight resolved) leaves undecided the
 * pages whose unprotect began since their last protect began. */
static imap_val fill_end_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	const struct fill_arg *f = arg;

	if (pg_expect(v) == EXP_PROTECTED_IF_POPULATED &&
	    !(f->resolved && (v & PG_UNPROT_BEGUN)))
		return fill_page(s, e, v, arg);
	return v | PG_POPULATED;
}

/* ---- UFFDIO_MOVE (docs/model.md §8) ---- */

#define MOVE_CLEARS (PG_POPULATED | PG_WRITTEN | PG_WANT_WRITE | PG_ZAPPED | PG_WP_FAULTED | \
		     PG_UNPROT_BEGUN | PG_RACED | PG_FALSE_WP_SEEN)

struct move_pages_arg {
	struct mm_state *m;
	int64_t delta;		/* dst page number - src page number */
};

struct move_dst_arg {
	const struct region *r;	/* NULL: the part of dst outside every region */
	imap_val src;		/* the src page's state before the move */
};

/*
 * A dst page as move_pages() leaves it (6.12 and 7.3): move_present_pte(s)
 * and move_zeropage_pte() build the PTE from dst_vma->vm_page_prot, so the
 * uffd-wp bit is not carried (present pages are made writable); but
 * move_swap_pte() installs the src swap entry as it is, its uffd-wp bit
 * included.  The model does not know whether a protected src page was
 * swapped out: such a dst page is either, the next observation decides.
 */
static imap_val move_dst_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	const struct move_dst_arg *a = arg;
	enum expect was = pg_expect(a->src);

	v = (v & ~MOVE_CLEARS) | (a->src & (PG_POPULATED | PG_WRITTEN));
	if (!a->r || !region_is_wp(a->r))
		return pg_with_expect(v, EXP_NONE);
	if (was == EXP_PROTECTED || was == EXP_PROTECTED_IF_POPULATED)
		return pg_with_expect(v, EXP_PROTECTED_IF_POPULATED) | PG_WAS_PROT;
	return pg_with_expect(v, EXP_UNPROTECTED);
}

/* A run of src pages with one state lands at dst: per dst region. */
static void move_in_run(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	const struct move_pages_arg *a = arg;
	uint64_t ds = (uint64_t)((int64_t)s + a->delta) * UFFDWP_PAGE_SIZE;
	uint64_t de = (uint64_t)((int64_t)e + a->delta) * UFFDWP_PAGE_SIZE;
	struct move_dst_arg d = { NULL, v };

	model_pages_update(a->m, ds, de, move_dst_page, &d);
	for (size_t i = 0; i < a->m->nregions; i++) {
		uint64_t rs = ds, re = de;

		d.r = &a->m->regions[i];
		if (range_clip(&rs, &re, d.r->start, d.r->end))
			model_pages_update(a->m, rs, re, move_dst_page, &d);
	}
}

/* A src page after the move: pte_none, no marker left even in a WP range
 * that uses markers (ptep_get_and_clear(), ptep_clear_flush(); PMD:
 * pmdp_huge_clear_flush()), so nothing is owed there: not a DROPPED_MARKER
 * nor a LOST_WP. */
static imap_val move_src_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	const struct region *r = arg;

	return pg_with_expect(v & ~MOVE_CLEARS, r && region_is_wp(r) ? EXP_UNPROTECTED : EXP_NONE);
}

/* UFFDIO_MOVE moved len bytes from u.fill.src to start (move_pages()): the
 * src pages' states go to dst, as move_dst_page() says; src is left empty. */
static void on_move(struct mm_state *m, const struct uffdwp_event *ev, uint64_t len)
{
	uint64_t src = ev->u.fill.src & ~(UFFDWP_PAGE_SIZE - 1);
	uint64_t ps = pfn_of(src), pe = pfn_of(src + len + UFFDWP_PAGE_SIZE - 1);
	struct move_pages_arg a = { m, (int64_t)pfn_of(ev->start) - (int64_t)ps };
	struct imap *snapshot;

	if (src + len < src || ev->start + len < ev->start)	/* a corrupt record */
		return;
	snapshot = pages_snapshot(m, ps, pe);
	imap_foreach(snapshot, ps, pe, move_in_run, &a);
	model_pages_update(m, src, src + len, move_src_page, NULL);
	update_per_region(m, src, src + len, move_src_page);
	imap_free(snapshot);
}

/*
 * A MODE_WP fill installs protected PTEs while the ioctl runs; other threads
 * fault on them and resolve them before it returns (uffd-stress, the
 * selftests' events test).  So it is applied in two steps: at its begin the
 * pages are in flight (either state is fine), at its return the filled part
 * takes the fill's state where nothing resolved it meanwhile; what was not
 * filled (-EEXIST, a short copy) stays undecided.  Other fills, and fills
 * whose begin was not seen, apply at the return.
 */
void on_fill(struct mm_state *m, const struct uffdwp_event *ev)
{
	int64_t done = ev->u.fill.done;
	uint64_t len = done > 0 ? (uint64_t)done : (ev->ret == 0 ? ev->end - ev->start : 0);
	struct fill_arg f = { model_region(m, ev->start), ev };
	struct call_in_flight c;

	if (ev->u.fill.op == FILL_MOVE) {	/* MOVE reports no begin: no WP mode */
		if (!ev->u.fill.begin && len)
			on_move(m, ev, len);
		return;
	}
	if (ev->u.fill.begin) {
		call_begin(m, ev);
		model_pages_update(m, ev->start, ev->end, fill_in_flight_page, &f);
	} else if (call_end(m, ev->tid, ev->kind, &c)) {
		f.resolved = c.resolved;
		if (len)
			model_pages_update(m, ev->start, ev->start + len, fill_end_page, &f);
	} else if (len) {
		model_pages_update(m, ev->start, ev->start + len, fill_page, &f);
	}
}

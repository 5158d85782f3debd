// SPDX-License-Identifier: GPL-2.0
/*
 * The rules that turn observations into findings.  Every rule compares what
 * a hook saw with the model's expectation *before* the event is applied,
 * then lets the model learn from it.
 *
 * LOST_WRITE_BIT, why the rule is sound (bug #14, 931298e103c2):
 *  - 6.12 uffd_wp_range() resolves with MM_CP_TRY_CHANGE_WRITABLE, and
 *    can_change_pte_writable() maps an exclusive anon page of a writable
 *    private VMA writable at once; 6.1 passes newprot from
 *    vm_get_page_prot(vm_flags), read-only for private mappings, so the PTE
 *    stays read-only and the next write takes a protection fault.
 *  - Only pages we saw written (write fault or UFFDIO_COPY) since they were
 *    populated, with no fork (COW sharing), zap or mprotect since, count:
 *    a zero page, a COW-shared page or a never-populated page faults on
 *    every kernel.  Not-present faults (swap-in, first touch) never count:
 *    the rule needs X86_PF_PROT.
 *  - The write fault that raised a WP message is logged at exception entry,
 *    before the handler's unprotect; the kernel retries it inside the same
 *    exception (VM_FAULT_RETRY in do_user_addr_fault()), so no second
 *    page_fault_user follows a resolve on any kernel.  A fault *after* the
 *    unprotect on such a page is the bug.  The walk after the unprotect's
 *    change_protection() shows it earlier, with the PTE bits; either is
 *    reported once per page.
 *  - The walk never counts a special PTE: a THP split since 6.12 maps
 *    zero-filled subpages to the zero page, unseen (uffdwp-fuzz: MADV_PAGEOUT
 *    on the host, move_pages on 7.3), and the zero page stays read-only.
 *  - Not covered (would be false positives): soft-dirty tracking after
 *    clear_refs and NUMA hinting (PROT_NONE) also keep PTEs read-only.
 *
 * FALSE_WP for faults only fires on pages never protected since they were
 * registered (bug #8's child, #7, #11): a WP message for a page unprotected
 * an instant ago is a normal race between fault and resolve.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "model/checker.h"
#include "model/model.h"

struct checker {
	struct model *mdl;
	struct finding *findings;
	size_t nfindings, cap;
	uint64_t seq;
};

#define MERGE_WINDOW 8	/* recent findings considered for merging */

struct checker *checker_new(void)
{
	struct checker *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->mdl = model_new();
	return c;
}

void checker_free(struct checker *c)
{
	if (!c)
		return;
	model_free(c->mdl);
	free(c->findings);
	free(c);
}

size_t checker_nfindings(const struct checker *c)
{
	return c->nfindings;
}

const struct finding *checker_finding(const struct checker *c, size_t i)
{
	return i < c->nfindings ? &c->findings[i] : NULL;
}

uint64_t checker_nevents(const struct checker *c)
{
	return c->seq;
}

struct model *checker_model(const struct checker *c)
{
	return c->mdl;
}

size_t checker_model_bytes(const struct checker *c)
{
	return model_bytes(c->mdl);
}

void checker_finish(struct checker *c)
{
	/* Findings are raised on the spot; nothing is pending at the end. */
}

/* ---- evidence ---- */

static bool range_touches(uint64_t start, uint64_t end, uint64_t page)
{
	if (end <= start)
		end = start + 1;	/* a point event: fault, message */
	return start < page + UFFDWP_PAGE_SIZE && end > page;
}

static bool event_touches(const struct uffdwp_event *ev, uint64_t page)
{
	if (!ev->start && !ev->end)
		return true;	/* mm-wide: fork, exit, UFFDIO_API, ... */
	if (ev->kind == EV_MREMAP && ev->ret > 0 &&
	    range_touches((uint64_t)ev->ret, (uint64_t)ev->ret + ev->u.mremap.new_len, page))
		return true;
	return range_touches(ev->start, ev->end, page);
}

/* The last FINDING_CHAIN events of the mm touching page, oldest first. */
static void collect_chain(struct finding *f, const struct mm_state *m, uint64_t page)
{
	uint64_t n = m->ring_count < MM_RING ? m->ring_count : MM_RING;
	unsigned picked = 0;
	size_t idx[FINDING_CHAIN];

	for (uint64_t k = 0; k < n && picked < FINDING_CHAIN; k++) {
		size_t slot = (m->ring_count - 1 - k) % MM_RING;

		if (event_touches(&m->ring[slot], page))
			idx[picked++] = slot;
	}
	f->nchain = picked;
	for (unsigned i = 0; i < picked; i++) {
		f->chain[i] = m->ring[idx[picked - 1 - i]];
		f->chain_seq[i] = m->ring_seq[idx[picked - 1 - i]];
	}
}

struct verdict {
	enum finding_class cls;
	uint64_t start, end;	/* bytes */
	uint32_t expected;
	uint32_t observed;
	uint64_t raw;
	const char *why;
};

/* The pages of f or v were unmapped since f was raised: a later mapping's own finding. */
static bool same_mapping_gone(const struct finding *f, const struct mm_state *m,
			      const struct verdict *v)
{
	return model_unmapped_since(m, f->unmap_gen, f->start < v->start ? f->start : v->start,
				    f->end > v->end ? f->end : v->end);
}

static bool same_finding(const struct finding *f, const struct mm_state *m,
			 const struct uffdwp_event *ev, const struct verdict *v)
{
	return f->cls == v->cls && f->mm_id == m->id && f->hook == ev->hook &&
	       f->expected == v->expected && f->observed == v->observed &&
	       f->why == v->why && f->end >= v->start && f->start <= v->end &&
	       !same_mapping_gone(f, m, v);
}

/* An identical finding on a neighbouring or overlapping range, if any. */
static struct finding *mergeable(struct checker *c, const struct mm_state *m,
				 const struct uffdwp_event *ev, const struct verdict *v)
{
	size_t lo = c->nfindings > MERGE_WINDOW ? c->nfindings - MERGE_WINDOW : 0;

	for (size_t i = c->nfindings; i-- > lo;)
		if (same_finding(&c->findings[i], m, ev, v))
			return &c->findings[i];
	return NULL;
}

static void fill_vma(struct checker *c, struct finding *f, struct mm_state *m,
		     const struct uffdwp_event *ev)
{
	struct mm_state *parent;
	const struct region *r;

	if (ev->vma_end > ev->vma_start) {
		f->vma_start = ev->vma_start;
		f->vma_end = ev->vma_end;
		f->vm_flags = ev->vm_flags;
		return;
	}
	r = model_region(m, f->start);
	if (r) {
		f->vma_start = r->start;
		f->vma_end = r->end;
		f->vm_flags = r->flags_known ? r->vm_flags : 0;
		return;
	}
	/* A child's range it did not inherit a registration for (no EVENT_FORK:
	 * the walk at fork, #8): dup_mmap() copied the parent's VMA, and
	 * dup_userfaultfd() cleared its uffd flags (VM_UFFD_MINOR's bit moves
	 * between versions and is left as it was). */
	parent = m->parent_mm ? model_find_mm(c->mdl, m->parent_mm) : NULL;
	r = parent ? model_region(parent, f->start) : NULL;
	if (r) {
		f->vma_start = r->start;
		f->vma_end = r->end;
		f->vm_flags = r->flags_known ?
			      r->vm_flags & ~(UFFDWP_VM_UFFD_MISSING | UFFDWP_VM_UFFD_WP) : 0;
	}
}

/* Gives the entry v observed to a recent finding of the same class on the
 * same pages that has none yet (a fault judged before the walk that follows
 * it, handle_userfault); true if one took it. */
static bool attach_evidence(struct checker *c, const struct mm_state *m, const struct verdict *v)
{
	size_t lo = c->nfindings > MERGE_WINDOW ? c->nfindings - MERGE_WINDOW : 0;

	if (!v->observed)
		return false;
	for (size_t i = c->nfindings; i-- > lo;) {
		struct finding *f = &c->findings[i];

		if (f->cls == v->cls && f->mm_id == m->id && !f->observed &&
		    f->start < v->end && v->start < f->end && !same_mapping_gone(f, m, v)) {
			f->observed = v->observed;
			f->raw = v->raw;
			return true;
		}
	}
	return false;
}

static void report(struct checker *c, struct mm_state *m, const struct uffdwp_event *ev,
		   const struct verdict *v)
{
	struct finding *f;

	/* findings is allocated once there is any (the analyzer cannot see it) */
	assert(c->findings || (!c->cap && !c->nfindings));
	f = mergeable(c, m, ev, v);
	if (f) {
		f->start = f->start < v->start ? f->start : v->start;
		f->end = f->end > v->end ? f->end : v->end;
		return;
	}
	if (attach_evidence(c, m, v))
		return;
	if (c->nfindings == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct finding *nf = realloc(c->findings, cap * sizeof(*nf));

		if (!nf)
			abort();
		c->findings = nf;
		c->cap = cap;
	}
	f = &c->findings[c->nfindings++];
	memset(f, 0, sizeof(*f));
	f->cls = v->cls;
	f->mm = m->mm;
	f->mm_id = m->id;
	f->unmap_gen = m->unmap_gen;
	f->pid = ev->pid;
	memcpy(f->comm, ev->comm, sizeof(f->comm));
	f->start = v->start;
	f->end = v->end;
	f->hook = ev->hook;
	f->mech = ev->mech;
	f->source_kind = ev->kind == EV_PTE_RUN && ev->u.run.source_kind ?
			 ev->u.run.source_kind : ev->kind;
	f->expected = v->expected;
	f->observed = v->observed;
	f->raw = v->raw;
	f->why = v->why;
	f->seq = c->seq;
	f->ts_ns = ev->ts_ns;
	fill_vma(c, f, m, ev);
	collect_chain(f, m, v->start);
}

/* ---- observations: EV_PTE_RUN, EV_MIGRATION_PTE ---- */

struct observation {
	struct mm_state *m;
	uint32_t state;
	uint64_t raw;
	struct verdict *verdicts;	/* collected while walking the map */
	size_t n, cap;
};

static imap_val forget_protection(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	/* Reported once: the kernel no longer protects the page. */
	return pg_with_expect(v & ~PG_ZAPPED, EXP_PROTECTED_IF_POPULATED);
}

static void add_verdict(struct observation *o, const struct verdict *vd)
{
	if (o->n == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 4;
		o->verdicts = realloc(o->verdicts, o->cap * sizeof(*o->verdicts));
		if (!o->verdicts)
			abort();
	}
	o->verdicts[o->n++] = *vd;
}

/* Rule for a PROTECTED page: present and swap entries keep the bit, empty
 * entries of marker-using VMAs keep a marker.  A poison or guard marker
 * (PTE_ST_MARKER_OTHER) replaced the page on purpose (UFFDIO_POISON,
 * MADV_GUARD_INSTALL): not populated, not judged. */
static const char *judge_protected(imap_val v, const struct region *r, uint32_t st,
				   enum finding_class *cls)
{
	*cls = FIND_LOST_WP;
	if (st & (PTE_ST_MARKER_WP | PTE_ST_MARKER_OTHER))
		return NULL;
	if (st & PTE_ST_NONE) {
		if (v & PG_ZAPPED) {
			*cls = FIND_DROPPED_MARKER;
			return "zap left a write-protected entry empty: no PTE marker "
			       "(zap_install_uffd_wp_if_needed)";
		}
		if (region_uses_markers(r))
			return "write-protected entry is empty: its PTE marker is gone";
		return NULL;
	}
	if (!(st & PTE_ST_UFFD_WP))
		return (st & PTE_ST_WRITE) ?
		       "write-protected page is writable without uffd-wp" :
		       "write-protected page lost its uffd-wp bit";
	return NULL;
}

/* Rule outside protection: a bit or marker where nothing was protected, or
 * a PTE left read-only where the unprotect had to make it writable. */
static const char *judge_unprotected(imap_val v, const struct region *r,
				     const struct mm_state *m, uint32_t st,
				     enum finding_class *cls)
{
	*cls = FIND_FALSE_WP;
	if (st & PTE_ST_MARKER_OTHER)
		return NULL;	/* poison/guard marker: nothing mapped, not judged */
	if (!(st & (PTE_ST_UFFD_WP | PTE_ST_MARKER_WP))) {
		*cls = FIND_LOST_WRITE_BIT;
		if ((v & PG_WANT_WRITE) && (st & PTE_ST_PRESENT) &&
		    !(st & (PTE_ST_WRITE | PTE_ST_SPECIAL)))
			return "PTE read-only after UFFDIO_WRITEPROTECT(mode=0) of a dirty "
			       "exclusive page: uffd_wp_range() did not restore the write bit";
		return NULL;
	}
	if (region_is_rwp(r))
		return NULL;	/* RWP protection (7.3) on the shared bit: not WP's */
	if (!region_is_wp(r))
		return m->complete ?
		       "uffd-wp bit or marker in a range not registered for WP" : NULL;
	/* Only pages never protected since registration: a page unprotected
	 * an instant ago may be observed by a racing hook. */
	if (pg_expect(v) == EXP_UNPROTECTED && !(v & PG_WAS_PROT))
		return "uffd-wp bit or marker on a page never write-protected";
	return NULL;
}

static void judge_run(uint64_t ps, uint64_t pe, imap_val v, void *arg)
{
	struct observation *o = arg;
	uint64_t start = ps << UFFDWP_PAGE_SHIFT;
	const struct region *r = model_region(o->m, start);
	struct verdict vd = {
		.start = start, .end = pe << UFFDWP_PAGE_SHIFT,
		.expected = pg_expect(v), .observed = o->state, .raw = o->raw,
	};

	if (pg_expect(v) == EXP_PROTECTED)
		vd.why = judge_protected(v, r, o->state, &vd.cls);
	else if (pg_expect(v) != EXP_PROTECTED_IF_POPULATED)
		vd.why = judge_unprotected(v, r, o->m, o->state, &vd.cls);
	if (vd.why)
		add_verdict(o, &vd);
}

static imap_val forget_want_write(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	return v & ~PG_WANT_WRITE;
}

static imap_val note_false_wp(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	return v | PG_FALSE_WP_SEEN;
}

/* Reports a verdict.  Each loss is reported once, then forgotten: a lost
 * protection, or a lost write bit (the extra write fault that follows is
 * the same bug). */
static void raise(struct checker *c, struct mm_state *m, const struct uffdwp_event *ev,
		  const struct verdict *vd)
{
	/* A stray bit already reported, seen again by a later hook: at most
	 * the entry it shows joins the first finding. */
	if (vd->cls == FIND_FALSE_WP &&
	    (imap_get(m->pages, pfn_of(vd->start)) & PG_FALSE_WP_SEEN)) {
		attach_evidence(c, m, vd);
		return;
	}
	report(c, m, ev, vd);
	if (vd->cls == FIND_LOST_WP || vd->cls == FIND_DROPPED_MARKER)
		model_pages_update(m, vd->start, vd->end, forget_protection, NULL);
	else if (vd->cls == FIND_LOST_WRITE_BIT)
		model_pages_update(m, vd->start, vd->end, forget_want_write, NULL);
	else if (vd->cls == FIND_FALSE_WP)
		model_pages_update(m, vd->start, vd->end, note_false_wp, NULL);
}

/* Judges the runs of the model's map under a part of an observation. */
static void judge_part(uint64_t start, uint64_t end, void *arg)
{
	struct observation *o = arg;

	imap_foreach(o->m->pages, pfn_of(start), pfn_of(end + UFFDWP_PAGE_SIZE - 1), judge_run, o);
}

static void check_observation(struct checker *c, struct mm_state *m,
			      const struct uffdwp_event *ev, uint64_t start,
			      uint64_t end, uint32_t state, uint64_t raw)
{
	struct observation o = { m, state, raw };

	/* The invariant of f1eb1bacfba9: never write and uffd-wp together.  A
	 * fact about the entry read, whatever the model holds. */
	if ((state & PTE_ST_PRESENT) && (state & PTE_ST_WRITE) && (state & PTE_ST_UFFD_WP)) {
		struct verdict vd = {
			.cls = FIND_LOST_WP, .start = start, .end = end,
			.expected = pg_expect(imap_get(m->pages, pfn_of(start))),
			.observed = state, .raw = raw,
			.why = "present entry is both writable and uffd-wp",
		};

		raise(c, m, ev, &vd);
	} else {
		/* Judge every run first: raising reshapes the map.  Only the
		 * parts no other thread's record overtook. */
		model_fresh_parts(m, ev, start, end, judge_part, &o);
		for (size_t i = 0; i < o.n; i++)
			raise(c, m, ev, &o.verdicts[i]);
		free(o.verdicts);
	}
}

/* EV_PTE_RUN walks and the entries migration hooks carry. */
static void check_observed(struct checker *c, struct mm_state *m, const struct uffdwp_event *ev)
{
	struct observed_entry o;

	if (model_event_observation(m, ev, &o))
		check_observation(c, m, ev, o.start, o.end, o.state, o.raw);
}

/* ---- faults ---- */

/* handle_userfault(VM_UFFD_WP) or a WP message read by the target: the page
 * must be protected in a VMA registered for WP. */
static void check_wp_fault(struct checker *c, struct mm_state *m,
			   const struct uffdwp_event *ev, bool kernel_side)
{
	uint64_t page = ev->start & ~(UFFDWP_PAGE_SIZE - 1);
	const struct region *r = model_region(m, page);
	imap_val v = imap_get(m->pages, pfn_of(page));
	struct verdict vd = {
		.cls = FIND_FALSE_WP, .start = page, .end = page + UFFDWP_PAGE_SIZE,
		.expected = pg_expect(v),
	};

	/* A message is read by whoever holds the uffd, maybe another process
	 * (EVENT_FORK, a monitor): judge it only against the reader's own
	 * registration through that fd.  handle_userfault() runs in the
	 * faulting mm and is always attributable. */
	if (!kernel_side && (!r || r->fd != ev->u.msg.fd))
		return;
	if (!region_is_wp(r)) {
		if (m->complete)
			vd.why = "WP fault in a VMA not registered for WP";
	} else if (pg_expect(v) == EXP_UNPROTECTED && !(v & PG_WAS_PROT)) {
		/* A message after handle_userfault() already judged (or a
		 * resolve racing a queued fault) is not a second finding. */
		if (kernel_side || !(v & PG_WP_FAULTED))
			vd.why = "WP fault on a page this mm never write-protected";
	}
	if (vd.why)
		raise(c, m, ev, &vd);
}

static void check_write_fault(struct checker *c, struct mm_state *m, const struct uffdwp_event *ev)
{
	uint64_t page = ev->start & ~(UFFDWP_PAGE_SIZE - 1);
	imap_val v = imap_get(m->pages, pfn_of(page));
	struct verdict vd = {
		.cls = FIND_LOST_WRITE_BIT, .start = page, .end = page + UFFDWP_PAGE_SIZE,
		.expected = EXP_UNPROTECTED, .observed = PTE_ST_PRESENT,
		.why = "write fault on a dirty exclusive page after UFFDIO_WRITEPROTECT(mode=0): "
		       "uffd_wp_range() left it read-only",
	};

	/* the faulting thread's own unprotect is over in program order: only
	 * another thread's may still be changing the PTE */
	if (!(ev->u.wf.error_code & X86_PF_PROT) || model_walk_awaited_by_other(m, page, ev->tid))
		return;
	if (pg_expect(v) == EXP_UNPROTECTED && (v & PG_WANT_WRITE))
		raise(c, m, ev, &vd);
}

/* A scan's clean-but-written run, collected like an observation's verdicts. */
static void note_clean_written(uint64_t start, uint64_t end, void *arg)
{
	const struct verdict vd = {
		.cls = FIND_LOST_WP, .start = start, .end = end, .expected = EXP_UNPROTECTED,
		.why = "PAGEMAP_SCAN calls clean a page written since its last protect "
		       "(async WP write fault seen): a dirty tracker built on it misses the write",
	};

	add_verdict(arg, &vd);
}

/* PAGE_IS_WRITTEN against the model (src/model/pagemap_scan.c says when a
 * page may be judged); raised after the walk of the map, which raise()
 * changes. */
static void check_pm_scan(struct checker *c, struct mm_state *m, const struct uffdwp_event *ev)
{
	struct observation o = { m };

	model_pm_scan_lost(m, ev, note_clean_written, &o);
	for (size_t i = 0; i < o.n; i++)
		raise(c, m, ev, &o.verdicts[i]);
	free(o.verdicts);
}

void checker_feed(struct checker *c, const struct uffdwp_event *ev)
{
	struct uffdwp_event routed;
	struct mm_state *m;

	if (ev->lost_before)
		model_forget_history(c->mdl);
	ev = model_route(c->mdl, ev, &routed);
	m = model_mm(c->mdl, ev->mm, ev->pid);

	c->seq++;
	model_remember(m, ev, c->seq);
	switch (ev->kind) {
	case EV_PTE_RUN:
	case EV_MIGRATION_PTE:
		check_observed(c, m, ev);
		break;
	case EV_HANDLE_USERFAULT:
		if (ev->u.fault.reason & UFFDWP_VM_UFFD_WP)
			check_wp_fault(c, m, ev, true);
		break;
	case EV_UFFD_WP_MESSAGE:
		check_wp_fault(c, m, ev, false);
		break;
	case EV_WRITE_FAULT:
		check_write_fault(c, m, ev);
		break;
	case EV_PM_SCAN:
		check_pm_scan(c, m, ev);
		break;
	default:
		break;
	}
	model_apply(c->mdl, ev);
}

/* ---- names ---- */

const char *finding_class_name(enum finding_class cls)
{
	static const char *const names[FIND_CLASS_MAX] = {
		[FIND_LOST_WP] = "LOST_WP",
		[FIND_DROPPED_MARKER] = "DROPPED_MARKER",
		[FIND_FALSE_WP] = "FALSE_WP",
		[FIND_LOST_WRITE_BIT] = "LOST_WRITE_BIT",
	};

	return (unsigned)cls < FIND_CLASS_MAX ? names[cls] : "?";
}

const char *expect_name(uint32_t exp)
{
	static const char *const names[] = {
		[EXP_NONE] = "not registered for WP",
		[EXP_UNPROTECTED] = "UNPROTECTED",
		[EXP_PROTECTED] = "PROTECTED",
		[EXP_PROTECTED_IF_POPULATED] = "PROTECTED_IF_POPULATED",
	};

	return exp < 4 ? names[exp] : "?";
}

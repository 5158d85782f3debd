// SPDX-License-Identifier: GPL-2.0
/*
 * Expectation transitions of the reference model.  Each transition mirrors
 * the behaviour of a fixed kernel (6.12) and names the kernel function; a
 * kernel that behaves differently shows up as a finding in checker.c, never
 * as a special case here.
 */
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (!q)
		abort();
	return q;
}

#define GROW(arr, n, cap) do {						\
	if ((n) == (cap)) {						\
		(cap) = (cap) ? 2 * (cap) : 8;				\
		(arr) = xrealloc((arr), (cap) * sizeof(*(arr)));	\
	}								\
} while (0)

/* ---- mms ---- */

struct model *model_new(void)
{
	struct model *mdl = calloc(1, sizeof(*mdl));

	if (!mdl)
		abort();
	return mdl;
}

static void mm_free(struct mm_state *m)
{
	imap_free(m->pages);
	free(m->regions);
	free(m->ctxs);
	free(m);
}

void model_free(struct model *mdl)
{
	if (!mdl)
		return;
	for (size_t i = 0; i < mdl->nmms; i++)
		mm_free(mdl->mms[i]);
	free(mdl->mms);
	free(mdl);
}

struct mm_state *model_find_mm(const struct model *mdl, uint64_t mm)
{
	if (mdl->last && mdl->last->mm == mm)
		return mdl->last;
	for (size_t i = 0; i < mdl->nmms; i++)
		if (mdl->mms[i]->mm == mm)
			return mdl->mms[i];
	return NULL;
}

struct mm_state *model_mm(struct model *mdl, uint64_t mm, uint32_t pid)
{
	struct mm_state *m = model_find_mm(mdl, mm);

	if (!m) {
		m = calloc(1, sizeof(*m));
		if (!m)
			abort();
		m->mm = mm;
		m->pid = pid;
		m->pages = imap_new();
		GROW(mdl->mms, mdl->nmms, mdl->cap_mms);
		mdl->mms[mdl->nmms++] = m;
	}
	mdl->last = m;
	return m;
}

static void model_drop_mm(struct model *mdl, struct mm_state *m)
{
	for (size_t i = 0; i < mdl->nmms; i++) {
		if (mdl->mms[i] != m)
			continue;
		mdl->mms[i] = mdl->mms[--mdl->nmms];
		break;
	}
	if (mdl->last == m)
		mdl->last = NULL;
	mm_free(m);
}

void model_remember(struct mm_state *m, const struct uffdwp_event *ev, uint64_t seq)
{
	unsigned slot = m->ring_count++ % MM_RING;

	m->ring[slot] = *ev;
	m->ring_seq[slot] = seq;
}

/* ---- uffd contexts ---- */

static struct uffd_ctx *ctx_find(struct mm_state *m, int fd)
{
	for (size_t i = 0; i < m->nctxs; i++)
		if (m->ctxs[i].fd == fd)
			return &m->ctxs[i];
	return NULL;
}

static struct uffd_ctx *ctx_set(struct mm_state *m, int fd, uint64_t features)
{
	struct uffd_ctx *c = ctx_find(m, fd);

	if (!c) {
		GROW(m->ctxs, m->nctxs, m->cap_ctxs);
		c = &m->ctxs[m->nctxs++];
		memset(c, 0, sizeof(*c));
		c->fd = fd;
	}
	c->features = features;
	return c;
}

/* A new context on fd (userfaultfd(), a fork message): whatever fd held
 * before was closed, so no stale binding to another mm survives. */
static struct uffd_ctx *ctx_open(struct mm_state *m, int fd, uint64_t features)
{
	struct uffd_ctx *c = ctx_set(m, fd, features);

	c->owner_mm = 0;
	c->unpaired_children.n = 0;
	c->unpaired_fds.n = 0;
	return c;
}

static void fork_queue_push(struct fork_queue *q, uint64_t v)
{
	if (q->n == CTX_PENDING_FORKS) {	/* never paired: forget the oldest */
		memmove(q->v, q->v + 1, (CTX_PENDING_FORKS - 1) * sizeof(*q->v));
		q->n--;
	}
	q->v[q->n++] = v;
}

static uint64_t fork_queue_pop(struct fork_queue *q)
{
	uint64_t v = q->v[0];

	memmove(q->v, q->v + 1, --q->n * sizeof(*q->v));
	return v;
}

/* Pairs a fork of parent context fd with its UFFD_EVENT_FORK message:
 * resolve_userfault_fork() installed the child's context (made by
 * dup_userfaultfd()) as child_fd in the reader.  The message may be read
 * before sched_process_fork fires: dup_userfaultfd_complete() runs inside
 * copy_mm(), so whichever of the two comes second makes the pair. */
static void ctx_fork_pair(struct mm_state *m, int fd, int64_t child_fd, uint64_t child_mm)
{
	struct uffd_ctx *c = ctx_find(m, fd);
	uint64_t features;

	if (!c)
		return;		/* a context this mm never opened: unknown */
	if (child_fd < 0 && !c->unpaired_fds.n) {
		fork_queue_push(&c->unpaired_children, child_mm);
		return;
	}
	if (child_mm == 0 && !c->unpaired_children.n) {
		fork_queue_push(&c->unpaired_fds, (uint64_t)child_fd);
		return;
	}
	if (child_fd < 0)
		child_fd = (int64_t)fork_queue_pop(&c->unpaired_fds);
	else
		child_mm = fork_queue_pop(&c->unpaired_children);
	features = c->features;
	ctx_open(m, (int)child_fd, features)->owner_mm = child_mm;	/* c may move */
}

/* Each parent context with EVENT_FORK ranges owes one fork message. */
static void ctxs_note_fork(struct mm_state *parent, uint64_t child_mm)
{
	for (size_t i = 0; i < parent->nregions; i++) {
		const struct region *r = &parent->regions[i];
		bool seen = false;

		if (!(r->features & UFFD_FEAT_EVENT_FORK) || r->fd < 0)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = parent->regions[j].fd == r->fd &&
			       (parent->regions[j].features & UFFD_FEAT_EVENT_FORK);
		if (!seen)
			ctx_fork_pair(parent, r->fd, -1, child_mm);
	}
}

static int uffd_ioctl_fd(const struct uffdwp_event *ev)
{
	switch (ev->kind) {
	case EV_UFFD_REGISTER:
	case EV_UFFD_UNREGISTER:
	case EV_UFFD_WRITEPROTECT:
		return ev->u.range.fd;
	case EV_UFFD_COPY:
		return ev->u.fill.fd;
	default:
		return -1;
	}
}

const struct uffdwp_event *model_route(const struct model *mdl, const struct uffdwp_event *ev,
				       struct uffdwp_event *buf)
{
	struct mm_state *m;
	const struct uffd_ctx *c;
	int fd = uffd_ioctl_fd(ev);

	if (fd < 0 || !(m = model_find_mm(mdl, ev->mm)) || !(c = ctx_find(m, fd)) ||
	    !c->owner_mm || !model_find_mm(mdl, c->owner_mm))
		return ev;
	*buf = *ev;
	buf->mm = c->owner_mm;
	return buf;
}

/* ---- regions ---- */

struct region *model_region(struct mm_state *m, uint64_t addr)
{
	for (size_t i = 0; i < m->nregions; i++)
		if (addr >= m->regions[i].start && addr < m->regions[i].end)
			return &m->regions[i];
	return NULL;
}

bool region_is_wp(const struct region *r)
{
	return r && (r->mode & UFFD_REG_MODE_WP);
}

/* 7.3 userfaultfd_register() refuses WP and RWP together (-EINVAL): a region
 * is one or the other, and the PTE uffd bit means what its VMA says. */
bool region_is_rwp(const struct region *r)
{
	return r && (r->mode & UFFD_REG_MODE_RWP);
}

/* !vma_is_anonymous(): shmem, hugetlb or another file.  Without a record of
 * the backing, vm_flags cannot tell a private file mapping from anon, and a
 * seen marker is the other witness. */
static bool region_file_backed(const struct region *r)
{
	if (!r)
		return false;
	if (r->backing != BACKING_UNKNOWN)
		return r->backing != BACKING_ANON;
	if (r->flags_known && (r->vm_flags & (UFFDWP_VM_SHARED | UFFDWP_VM_HUGETLB)))
		return true;
	return r->markers_seen && !(r->features & UFFD_FEAT_WP_UNPOPULATED);
}

/* userfaultfd_wp_use_markers(): file-backed, or anon with WP_UNPOPULATED. */
bool region_uses_markers(const struct region *r)
{
	return r && (region_file_backed(r) || (r->features & UFFD_FEAT_WP_UNPOPULATED));
}

bool region_private_known(const struct region *r)
{
	return r && r->flags_known &&
	       !(r->vm_flags & (UFFDWP_VM_SHARED | UFFDWP_VM_HUGETLB));
}

static void region_insert_at(struct mm_state *m, size_t at, const struct region *r)
{
	GROW(m->regions, m->nregions, m->cap_regions);
	memmove(&m->regions[at + 1], &m->regions[at],
		(m->nregions - at) * sizeof(*m->regions));
	m->regions[at] = *r;
	m->nregions++;
}

/* Splits the region straddling addr, like split_vma(). */
static void regions_split(struct mm_state *m, uint64_t addr)
{
	for (size_t i = 0; i < m->nregions; i++) {
		struct region *r = &m->regions[i];

		if (addr > r->start && addr < r->end) {
			struct region tail = *r;

			tail.start = addr;
			r->end = addr;
			region_insert_at(m, i + 1, &tail);
			return;
		}
	}
}

static void regions_remove(struct mm_state *m, uint64_t start, uint64_t end)
{
	size_t kept = 0;

	regions_split(m, start);
	regions_split(m, end);
	for (size_t i = 0; i < m->nregions; i++)
		if (m->regions[i].end <= start || m->regions[i].start >= end)
			m->regions[kept++] = m->regions[i];
	m->nregions = kept;
}

static void regions_add(struct mm_state *m, const struct region *r)
{
	size_t at = 0;

	if (r->start >= r->end)
		return;		/* no pages: no region (the kernel refuses len 0) */
	regions_remove(m, r->start, r->end);
	while (at < m->nregions && m->regions[at].start < r->start)
		at++;
	region_insert_at(m, at, r);
}

/* Kernel hooks carry the VMA: learn backing and VM_WRITE from it. */
static void learn_vma(struct mm_state *m, const struct uffdwp_event *ev)
{
	if (ev->vma_end <= ev->vma_start || !ev->vm_flags)
		return;
	for (size_t i = 0; i < m->nregions; i++) {
		struct region *r = &m->regions[i];

		if (r->end <= ev->vma_start || r->start >= ev->vma_end)
			continue;
		r->vm_flags = ev->vm_flags;
		r->flags_known = true;
		if (ev->vma_backing != BACKING_UNKNOWN && ev->vma_backing < BACKING_MAX)
			r->backing = ev->vma_backing;
		r->writable = ev->vm_flags & UFFDWP_VM_WRITE;
		r->writable_known = true;
	}
}

/* ---- page-level transitions ---- */

size_t model_pages_update(struct mm_state *m, uint64_t start, uint64_t end,
			  imap_map_fn fn, void *arg)
{
	return imap_update(m->pages, pfn_of(start), pfn_of(end + UFFDWP_PAGE_SIZE - 1),
			   fn, arg);
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
static void update_per_region(struct mm_state *m, uint64_t start, uint64_t end,
			      imap_map_fn fn)
{
	for (size_t i = 0; i < m->nregions; i++) {
		struct region *r = &m->regions[i];
		uint64_t s = start, e = end;

		if (range_clip(&s, &e, r->start, r->end))
			model_pages_update(m, s, e, fn, r);
	}
}

static imap_val protect_page(uint64_t s, uint64_t e, imap_val v, void *arg)
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
static void writeprotect(struct mm_state *m, uint64_t start, uint64_t end, bool wp)
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

static struct call_in_flight *call_find(struct mm_state *m, uint32_t tid, uint32_t kind)
{
	for (unsigned i = 0; i < m->ncalls; i++)
		if (m->calls[i].tid == tid && m->calls[i].kind == kind)
			return &m->calls[i];
	return NULL;
}

static void call_begin(struct mm_state *m, const struct uffdwp_event *ev)
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
static bool call_end(struct mm_state *m, uint32_t tid, uint32_t kind, struct call_in_flight *out)
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
static void on_writeprotect_begin(struct mm_state *m, const struct uffdwp_event *ev)
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
	}
}

/* UFFDIO_WRITEPROTECT returned.  Its change_protection() exit, when hooked,
 * already applied the change; a failed unprotect changed nothing that the
 * begin did not already assume gone: unknown again.  mwriteprotect_range()
 * fails before changing anything (-ENOENT, -EAGAIN). */
static void on_writeprotect_end(struct mm_state *m, const struct uffdwp_event *ev)
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
}

static imap_val register_page(uint64_t s, uint64_t e, imap_val v, void *arg)
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
static void on_register(struct mm_state *m, const struct uffdwp_event *ev)
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
static void on_unregister(struct mm_state *m, const struct uffdwp_event *ev)
{
	regions_remove(m, ev->start, ev->end);
	model_pages_update(m, ev->start, ev->end, forget_page, NULL);
}

struct fill_arg {
	const struct region *r;
	const struct uffdwp_event *ev;
};

static imap_val fill_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	const struct fill_arg *f = arg;
	bool wp = (f->ev->u.fill.mode & UFFD_COPY_MODE_WP) && f->ev->u.fill.op != FILL_ZEROPAGE;

	v &= ~(PG_WANT_WRITE | PG_ZAPPED | PG_WP_FAULTED);
	if (f->ev->u.fill.op == FILL_POISON)
		return pg_with_expect(v & ~(PG_POPULATED | PG_WRITTEN),
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
 * them; resolved ones keep their resolve. */
static imap_val fill_end_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	if (pg_expect(v) == EXP_PROTECTED_IF_POPULATED)
		return fill_page(s, e, v, arg);
	return v | PG_POPULATED;
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
static void on_fill(struct mm_state *m, const struct uffdwp_event *ev)
{
	int64_t done = ev->u.fill.done;
	uint64_t len = done > 0 ? (uint64_t)done : (ev->ret == 0 ? ev->end - ev->start : 0);
	struct fill_arg f = { model_region(m, ev->start), ev };
	struct call_in_flight c;

	if (ev->u.fill.begin) {
		call_begin(m, ev);
		model_pages_update(m, ev->start, ev->end, fill_in_flight_page, &f);
	} else if (call_end(m, ev->tid, ev->kind, &c)) {
		if (len)
			model_pages_update(m, ev->start, ev->start + len, fill_end_page, &f);
	} else if (len) {
		model_pages_update(m, ev->start, ev->start + len, fill_page, &f);
	}
}

/* change_protection() returned: the kernel-side truth of a writeprotect,
 * seen before the ioctl returns (and before the walk's observations). */
static void on_change_protection(struct mm_state *m, const struct uffdwp_event *ev)
{
	uint64_t uffd = UFFDWP_MM_CP_UFFD_WP | UFFDWP_MM_CP_UFFD_WP_RESOLVE;
	struct call_in_flight *c;

	if (!(ev->u.cp.cp_flags & uffd))
		return;
	writeprotect(m, ev->start, ev->end, ev->u.cp.cp_flags & UFFDWP_MM_CP_UFFD_WP);
	if (ev->u.cp.cp_flags & UFFDWP_MM_CP_UFFD_WP_RESOLVE)
		call_begin(m, ev);	/* ends at this thread's next record */
	c = call_find(m, ev->tid, EV_UFFD_WRITEPROTECT);
	if (c)
		c->applied = true;
}

static imap_val clear_want_write(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	return v & ~PG_WANT_WRITE;
}

/* mprotect_fixup(): VM_WRITE changes; uffd-wp bits stay (change_pte_range()
 * keeps pte_uffd_wp()).  Writability is re-decided by the kernel: stop
 * expecting writable PTEs (bug #16 is out of scope). */
static void on_mprotect(struct mm_state *m, const struct uffdwp_event *ev)
{
	regions_split(m, ev->start);
	regions_split(m, ev->end);
	for (size_t i = 0; i < m->nregions; i++) {
		struct region *r = &m->regions[i];

		if (r->start >= ev->start && r->end <= ev->end) {
			r->writable = ev->u.mprotect.prot & UFFD_PROT_WRITE;
			r->writable_known = true;
			if (r->flags_known)
				r->vm_flags = (r->vm_flags & ~UFFDWP_VM_WRITE) |
					      (r->writable ? UFFDWP_VM_WRITE : 0);
		}
	}
	model_pages_update(m, ev->start, ev->end, clear_want_write, NULL);
}

static imap_val zap_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	const struct region *r = arg;
	enum expect exp = pg_expect(v);

	v &= ~(PG_POPULATED | PG_WRITTEN | PG_WANT_WRITE);
	if (exp != EXP_PROTECTED)
		return v;
	/* zap_install_uffd_wp_if_needed(): anon drops everything; file-backed
	 * keeps a marker.  Unknown backing: expect nothing for the hole. */
	if (region_file_backed(r))
		return v | PG_ZAPPED;
	return pg_with_expect(v, EXP_PROTECTED_IF_POPULATED);
}

static imap_val zap_drop_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	const struct region *r = arg;

	v &= ~(PG_POPULATED | PG_WRITTEN | PG_WANT_WRITE | PG_ZAPPED);
	if (pg_expect(v) == EXP_NONE)
		return v;
	return pg_with_expect(v, region_is_wp(r) ? EXP_UNPROTECTED : EXP_NONE);
}

/* zap_pte_range() via unmap_page_range()/zap_page_range_single(), also what
 * MADV_DONTNEED/MADV_REMOVE do (madvise_dontneed_single_vma()).
 * ZAP_FLAG_DROP_MARKER (munmap, exit, truncate) drops markers on purpose. */
static void zap(struct mm_state *m, uint64_t start, uint64_t end, bool drop_markers)
{
	update_per_region(m, start, end, drop_markers ? zap_drop_page : zap_page);
}

static void on_zap(struct mm_state *m, const struct uffdwp_event *ev)
{
	/* The pages moved before move_vma() unmaps the old range; on_mremap()
	 * moves their states and forgets what the call unmapped. */
	if (ev->u.zap.in_mremap)
		return;
	zap(m, ev->start, ev->end, ev->u.zap.has_details &&
	    (ev->u.zap.zap_flags & UFFDWP_ZAP_FLAG_DROP_MARKER));
}

static void on_madvise(struct mm_state *m, const struct uffdwp_event *ev)
{
	if (ev->u.madvise.advice == UFFD_MADV_DONTNEED ||
	    ev->u.madvise.advice == UFFD_MADV_REMOVE)
		zap(m, ev->start, ev->end, false);
}

/* do_vmi_munmap(): the VMAs and every page state in the range go. */
static void forget_range(struct mm_state *m, uint64_t start, uint64_t end)
{
	regions_remove(m, start, end);
	imap_set(m->pages, pfn_of(start), pfn_of(end + UFFDWP_PAGE_SIZE - 1), 0);
}

struct move_arg {
	struct imap *dst;
	int64_t delta;		/* new page number - old page number */
	bool keep_wp;
};

static void move_page_run(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	const struct move_arg *a = arg;

	/* move_ptes(): bits travel with the PTEs; without EVENT_REMAP the new
	 * VMA is unregistered and 0cef0bb836e3 clears bits and markers. */
	if (!a->keep_wp)
		v &= PG_POPULATED | PG_WRITTEN;
	imap_set(a->dst, (uint64_t)((int64_t)s + a->delta), (uint64_t)((int64_t)e + a->delta), v);
}

static void copy_run(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	imap_set(arg, s, e, v);
}

/* move_vma(): regions and page states of [start, start + len) go to
 * new_addr; mremap_userfaultfd_prep() keeps the context only with
 * EVENT_REMAP, else the new VMA is unregistered (userfaultfd_reset_ctx()). */
static void move_range(struct mm_state *m, uint64_t start, uint64_t len, uint64_t new_addr,
		       bool dontunmap)
{
	struct region *moved = calloc(m->nregions + 2, sizeof(*moved));
	struct imap *snapshot = imap_new();
	uint64_t ps = pfn_of(start), pe = pfn_of(start + len);
	struct move_arg a = { m->pages, (int64_t)(pfn_of(new_addr) - ps), false };
	size_t nmoved = 0;

	if (!moved)
		abort();
	regions_split(m, start);
	regions_split(m, start + len);
	for (size_t i = 0; i < m->nregions; i++)
		if (m->regions[i].start >= start && m->regions[i].end <= start + len)
			moved[nmoved++] = m->regions[i];
	imap_foreach(m->pages, ps, pe, copy_run, snapshot);
	forget_range(m, start, start + len);
	forget_range(m, new_addr, new_addr + len);	/* MREMAP_FIXED unmaps the target */

	imap_foreach(snapshot, ps, pe, move_page_run, &a);
	for (size_t i = 0; i < nmoved; i++) {
		struct region r = moved[i];

		/* MREMAP_DONTUNMAP leaves the old VMA, still registered, empty. */
		if (dontunmap) {
			regions_add(m, &r);
			model_pages_update(m, r.start, r.end, register_page, &moved[i]);
		}

		a.keep_wp = r.features & UFFD_FEAT_EVENT_REMAP;
		if (!a.keep_wp)
			continue;
		imap_foreach(snapshot, pfn_of(r.start), pfn_of(r.end), move_page_run, &a);
		r.start += new_addr - start;
		r.end += new_addr - start;
		regions_add(m, &r);
	}
	imap_free(snapshot);
	free(moved);
}

static bool mremap_failed(const struct uffdwp_event *ev)
{
	return ev->ret < 0 && ev->ret > -4096;
}

static void on_mremap(struct mm_state *m, const struct uffdwp_event *ev)
{
	uint64_t old_len = ev->end - ev->start, new_len = ev->u.mremap.new_len;
	uint64_t new_addr = (uint64_t)ev->ret;
	uint64_t moved = old_len < new_len ? old_len : new_len;

	if (mremap_failed(ev))
		return;
	if (new_addr == ev->start) {
		/* Resized in place: a shrink unmaps the tail (do_vmi_munmap()). */
		if (new_len < old_len)
			forget_range(m, ev->start + new_len, ev->end);
		return;
	}
	move_range(m, ev->start, moved, new_addr, ev->u.mremap.flags & UFFD_MREMAP_DONTUNMAP);
	if (old_len > moved)
		forget_range(m, ev->start + moved, ev->end);	/* shrunk while moving */
}

static imap_val child_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	/* copy_present_pte(): private pages become COW-shared, not exclusive. */
	return v & ~(PG_WRITTEN | PG_WANT_WRITE | PG_WP_FAULTED);
}

struct fork_arg {
	struct mm_state *child;
	bool keep_wp;
};

static void fork_copy_run(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	const struct fork_arg *f = arg;

	v = child_page(s, e, v, NULL);
	/* dup_userfaultfd(): without EVENT_FORK the child VMA loses
	 * VM_UFFD_WP, and copy_pte_range() drops bits and markers
	 * (8f34f1eac382, 49d6d7fb6313; hugetlb: 5a2f8d22ace4). */
	if (!f->keep_wp)
		v = pg_with_expect(v & ~(PG_ZAPPED | PG_WAS_PROT), EXP_NONE);
	imap_set(f->child->pages, s, e, v);
}

/* dup_mmap(): the child gets the parent's layout; uffd state only with
 * EVENT_FORK (a new context with the same features). */
static void on_fork(struct model *mdl, struct mm_state *parent, const struct uffdwp_event *ev)
{
	struct mm_state *child = model_mm(mdl, ev->u.fork.child_mm, ev->u.fork.child_pid);
	struct fork_arg f = { child, false };

	if (child == parent)
		return;		/* corrupt input: a process is not its own child */
	child->complete = true;
	child->parent_mm = parent->mm;
	memcpy(child->comm, parent->comm, sizeof(child->comm));
	imap_foreach(parent->pages, 0, UINT64_MAX, fork_copy_run, &f);
	for (size_t i = 0; i < parent->nregions; i++) {
		struct region r = parent->regions[i];

		if (!(r.features & UFFD_FEAT_EVENT_FORK))
			continue;
		f.keep_wp = true;
		imap_foreach(parent->pages, pfn_of(r.start), pfn_of(r.end), fork_copy_run, &f);
		r.fd = -1;
		regions_add(child, &r);
	}
	ctxs_note_fork(parent, child->mm);
	imap_update(parent->pages, 0, UINT64_MAX, child_page, NULL);
	mdl->last = parent;
}

/* ---- observations ---- */

#define MAX_ORDER_SEEN		18		/* PUD: a corrupt order must not span the world */

/* migrate:set_migration_pte / remove_migration_pte and the PMD variants
 * (set_pmd_migration_entry(), remove_migration_pmd()) carry the entry. */
static void migration_observation(const struct uffdwp_event *ev, struct observed_entry *o)
{
	unsigned where = ev->u.mig.where;
	bool pmd = where == MIG_SET_PMD || where == MIG_REMOVE_PMD;
	int order = ev->u.mig.order > 0 ? ev->u.mig.order : (pmd ? 9 : 0);

	if (order > MAX_ORDER_SEEN)
		order = MAX_ORDER_SEEN;
	o->start = ev->start & ~((UFFDWP_PAGE_SIZE << order) - 1);
	o->end = o->start + (UFFDWP_PAGE_SIZE << order);
	o->raw = ev->u.mig.pte;
	o->state = ev->u.mig.state;	/* decoded by the BPF side */
}

bool model_event_observation(const struct uffdwp_event *ev, struct observed_entry *o)
{
	if (ev->kind == EV_MIGRATION_PTE) {
		/* remove_migration_pte() hooked as a function carries no entry:
		 * the walk at its exit observes instead. */
		if (!ev->u.mig.state)
			return false;
		migration_observation(ev, o);
		return true;
	}
	if (ev->kind != EV_PTE_RUN)
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
	/* A writable PTE in a private mapping maps an exclusive anon page
	 * (PG_anon_exclusive, 6c287605fd56: pagecache and COW-shared pages
	 * are mapped read-only), which is what PG_WRITTEN stands for. */
	if (writable && a->private)
		v |= PG_WRITTEN;
	/* Protected-if-populated resolves once we see the page: protected if
	 * it carries the bit, else it was populated after the protect. */
	if (pg_expect(v) == EXP_PROTECTED_IF_POPULATED && mapped)
		v = pg_with_expect(v, (st & PTE_ST_UFFD_WP) ? EXP_PROTECTED : EXP_UNPROTECTED);
	v &= ~PG_OBS_MASK;
	return v | ((st << PG_OBS_SHIFT) & PG_OBS_MASK);
}

static void model_observe(struct mm_state *m, uint64_t start, uint64_t end, uint32_t state)
{
	struct region *r = model_region(m, start);
	struct observe_arg a = { state, region_private_known(r) };

	if ((state & PTE_ST_MARKER_WP) && r)
		r->markers_seen = true;
	model_pages_update(m, start, end, observe_page, &a);
}

struct write_fault_arg {
	const struct region *r;
	bool walk_awaited;	/* model_walk_awaited(): may predate an unprotect's PTE change */
};

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
	v |= PG_POPULATED | PG_WRITTEN;
	if (exp == EXP_PROTECTED_IF_POPULATED && !wp_fault)
		return pg_with_expect(v, EXP_UNPROTECTED);	/* do_anonymous_page() */
	if (!wp_fault)
		return v;
	/* do_wp_page()/handle_pte_marker(): WP_ASYNC resolves in the kernel
	 * (userfaultfd_wp_async()); sync mode waits for the handler. */
	if (r && (r->features & UFFD_FEAT_WP_ASYNC))
		return pg_with_expect(v, EXP_UNPROTECTED);
	return v | PG_WP_FAULTED;
}

static void on_write_fault(struct mm_state *m, uint64_t addr)
{
	struct write_fault_arg a = { model_region(m, addr), model_walk_awaited(m, addr) };

	model_pages_update(m, addr, addr + 1, write_fault_page, &a);
}

static imap_val wp_fault_page(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	return v | PG_WP_FAULTED;
}

static void on_point(struct mm_state *m, uint64_t addr, imap_map_fn fn)
{
	model_pages_update(m, addr, addr + 1, fn, model_region(m, addr));
}

/* ---- dispatch ---- */

bool model_walk_awaited(struct mm_state *m, uint64_t addr)
{
	for (unsigned i = 0; i < m->ncalls; i++)
		if (m->calls[i].kind == EV_CHANGE_PROTECTION &&
		    addr >= m->calls[i].start && addr < m->calls[i].end)
			return true;
	return false;
}

void model_apply(struct model *mdl, const struct uffdwp_event *ev)
{
	struct mm_state *m = model_mm(mdl, ev->mm, ev->pid);
	struct call_in_flight awaited;

	/* Any record of the thread, its walk first, ends model_walk_awaited(). */
	call_end(m, ev->tid, EV_CHANGE_PROTECTION, &awaited);

	memcpy(m->comm, ev->comm, sizeof(m->comm));
	learn_vma(m, ev);
	switch (ev->kind) {
	case EV_UFFD_OPEN:
		if (ev->ret >= 0)
			ctx_open(m, (int)ev->ret, 0);
		/* First sight of this mm is its uffd: every registration will
		 * be seen, so bits in unregistered ranges are decidable. */
		m->complete |= m->ring_count <= 1;
		break;
	case EV_UFFD_API:
		if (ev->ret == 0)
			/* userfaultfd_api(): the context gets what was asked for
			 * (uffd_ctx_features()); the struct comes back with every
			 * feature the kernel has, which is not what is in force. */
			ctx_set(m, ev->u.api.fd, ev->u.api.features_req);
		break;
	case EV_UFFD_REGISTER:
		if (ev->ret == 0)
			on_register(m, ev);
		break;
	case EV_UFFD_UNREGISTER:
		if (ev->ret == 0)
			on_unregister(m, ev);
		break;
	case EV_UFFD_WRITEPROTECT:
		if (ev->u.range.begin)
			on_writeprotect_begin(m, ev);
		else
			on_writeprotect_end(m, ev);
		break;
	case EV_UFFD_COPY:
		on_fill(m, ev);
		break;
	case EV_CHANGE_PROTECTION:
		on_change_protection(m, ev);
		break;
	case EV_MPROTECT:
		if (ev->ret == 0)
			on_mprotect(m, ev);
		break;
	case EV_MADVISE:
		if (ev->ret == 0)
			on_madvise(m, ev);
		break;
	case EV_ZAP:
		on_zap(m, ev);
		break;
	case EV_MUNMAP:
		if (ev->ret == 0)
			forget_range(m, ev->start, ev->end);
		break;
	case EV_MREMAP:
		on_mremap(m, ev);
		break;
	case EV_FORK:
		on_fork(mdl, m, ev);
		break;
	case EV_UFFD_MESSAGE:
		if (ev->u.msg.event == UFFD_EVENT_FORK_MSG)
			ctx_fork_pair(m, ev->u.msg.fd, (int64_t)(int)ev->u.msg.arg1, 0);
		break;
	case EV_EXEC:
		m->complete = true;
		break;
	case EV_EXIT:
		model_drop_mm(mdl, m);
		break;
	case EV_WRITE_FAULT:
		on_write_fault(m, ev->start);
		break;
	case EV_HANDLE_USERFAULT:
		if (ev->u.fault.reason & UFFDWP_VM_UFFD_WP)
			on_point(m, ev->start, wp_fault_page);
		break;
	case EV_PTE_RUN:
	case EV_MIGRATION_PTE: {
		struct observed_entry o;

		/* a record without a decoded entry is no observation */
		if (model_event_observation(ev, &o))
			model_observe(m, o.start, o.end, o.state);
		break;
	}
	default:
		/* EV_FALLOCATE works on file offsets: the kernel zaps each
		 * mapping through unmap_mapping_range(), seen as EV_ZAP. */
		break;
	}
}

size_t model_bytes(const struct model *mdl)
{
	size_t n = sizeof(*mdl) + mdl->cap_mms * sizeof(*mdl->mms);

	for (size_t i = 0; i < mdl->nmms; i++)
		n += sizeof(struct mm_state) + imap_bytes(mdl->mms[i]->pages) +
		     mdl->mms[i]->cap_regions * sizeof(struct region);
	return n;
}

size_t model_nruns(const struct model *mdl)
{
	size_t n = 0;

	for (size_t i = 0; i < mdl->nmms; i++)
		n += imap_nruns(mdl->mms[i]->pages);
	return n;
}

// SPDX-License-Identifier: GPL-2.0
/* Page transitions of the kernel hooks and mm syscalls: change_protection(),
 * mprotect, zaps and madvise, munmap, mremap, fork. */
#include <stdlib.h>
#include <string.h>

#include "model/model_internal.h"

/* change_protection() returned: the kernel-side truth of a writeprotect,
 * seen before the ioctl returns (and before the walk's observations). */
void on_change_protection(struct mm_state *m, const struct uffdwp_event *ev)
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
void on_mprotect(struct mm_state *m, const struct uffdwp_event *ev)
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

	/* a poison marker goes too (zap_nonpresent_ptes()) */
	v &= ~(PG_POPULATED | PG_WRITTEN | PG_WANT_WRITE | PG_POISONED);
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

	v &= ~(PG_POPULATED | PG_WRITTEN | PG_WANT_WRITE | PG_ZAPPED | PG_POISONED);
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

void on_zap(struct mm_state *m, const struct uffdwp_event *ev)
{
	/* The pages moved before move_vma() unmaps the old range; on_mremap()
	 * moves their states and forgets what the call unmapped. */
	if (ev->u.zap.in_mremap)
		return;
	zap(m, ev->start, ev->end, ev->u.zap.has_details &&
	    (ev->u.zap.zap_flags & UFFDWP_ZAP_FLAG_DROP_MARKER));
}

/*
 * MADV_FREE (anon only): madvise_free_pte_range() clears a swapped-out page's
 * entry to none with its uffd-wp bit (free_swap_and_cache_nr(), no marker),
 * and reclaim later discards the lazyfree present ones the same way
 * (try_to_unmap_one()), neither through a zap hook.  A protected page is
 * therefore either still protected or gone, as after an anon zap (uffdwp-fuzz,
 * 7.3, WP_UNPOPULATED THP: the next register's walk saw none).
 */
void on_madvise(struct mm_state *m, const struct uffdwp_event *ev)
{
	if (ev->u.madvise.advice == UFFD_MADV_DONTNEED ||
	    ev->u.madvise.advice == UFFD_MADV_REMOVE)
		zap(m, ev->start, ev->end, false);
	else if (ev->u.madvise.advice == UFFD_MADV_FREE && ev->ret == 0)
		model_pages_update(m, ev->start, ev->end, protected_or_gone_page, NULL);
}

/* do_vmi_munmap(): the VMAs and every page state in the range go. */
void forget_range(struct mm_state *m, uint64_t start, uint64_t end)
{
	struct unmapped_range *u = &m->unmapped[m->unmap_gen % MM_UNMAP_RING];

	*u = (struct unmapped_range){ .start = start, .end = end, .gen = ++m->unmap_gen };
	regions_remove(m, start, end);
	imap_set(m->pages, pfn_of(start), pfn_of(end + UFFDWP_PAGE_SIZE - 1), 0);
}

bool model_unmapped_since(const struct mm_state *m, uint64_t gen, uint64_t start, uint64_t end)
{
	if (m->unmap_gen - gen > MM_UNMAP_RING)
		return true;
	for (uint64_t g = gen + 1; g <= m->unmap_gen; g++) {
		const struct unmapped_range *u = &m->unmapped[(g - 1) % MM_UNMAP_RING];

		if (u->start < end && start < u->end)
			return true;
	}
	return false;
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

/* A copy of the page states of page numbers [ps, pe), for moves that
 * rewrite the map they read from (mremap, UFFDIO_MOVE); imap_free() it. */
struct imap *pages_snapshot(const struct mm_state *m, uint64_t ps, uint64_t pe)
{
	struct imap *snapshot = imap_new();

	imap_foreach(m->pages, ps, pe, copy_run, snapshot);
	return snapshot;
}

/* move_vma(): regions and page states of [start, start + len) go to
 * new_addr; mremap_userfaultfd_prep() keeps the context only with
 * EVENT_REMAP, else the new VMA is unregistered (userfaultfd_reset_ctx()). */
static void move_range(struct mm_state *m, uint64_t start, uint64_t len, uint64_t new_addr,
		       bool dontunmap)
{
	struct region *moved = calloc(m->nregions + 2, sizeof(*moved));
	uint64_t ps = pfn_of(start), pe = pfn_of(start + len);
	struct imap *snapshot = pages_snapshot(m, ps, pe);
	struct move_arg a = { m->pages, (int64_t)(pfn_of(new_addr) - ps), false };
	size_t nmoved = 0;

	if (!moved)
		abort();
	regions_split(m, start);
	regions_split(m, start + len);
	for (size_t i = 0; i < m->nregions; i++)
		if (m->regions[i].start >= start && m->regions[i].end <= start + len)
			moved[nmoved++] = m->regions[i];
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

void on_mremap(struct mm_state *m, const struct uffdwp_event *ev)
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
void on_fork(struct model *mdl, struct mm_state *parent, const struct uffdwp_event *ev)
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

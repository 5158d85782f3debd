// SPDX-License-Identifier: GPL-2.0
/* The model's registered ranges (one per VMA piece a registration made) and
 * what they tell about the VMA: WP or RWP, backing, markers. */
#include <string.h>

#include "model/model_internal.h"

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
bool region_file_backed(const struct region *r)
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

bool region_is_hugetlb(const struct region *r)
{
	return r && (r->backing == BACKING_HUGETLB ||
		     (r->flags_known && (r->vm_flags & UFFDWP_VM_HUGETLB)));
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
void regions_split(struct mm_state *m, uint64_t addr)
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

void regions_remove(struct mm_state *m, uint64_t start, uint64_t end)
{
	size_t kept = 0;

	regions_split(m, start);
	regions_split(m, end);
	for (size_t i = 0; i < m->nregions; i++)
		if (m->regions[i].end <= start || m->regions[i].start >= end)
			m->regions[kept++] = m->regions[i];
	m->nregions = kept;
}

void regions_add(struct mm_state *m, const struct region *r)
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
void learn_vma(struct mm_state *m, const struct uffdwp_event *ev)
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

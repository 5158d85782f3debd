// SPDX-License-Identifier: GPL-2.0
/*
 * The ops that remap a VMA or part of it (mremap: move, grow, shrink, move a part; munmap
 * and a fresh mmap back), each with the oracle's expectation: see exec.h.  Our uffd asks
 * for no event (uffd_new(0)), so none of them may queue a message (exec.c's monitor
 * reports one as a bug): mremap_userfaultfd_prep() sends EVENT_REMAP only to a uffd with
 * UFFD_FEATURE_EVENT_REMAP, userfaultfd_unmap_prep() EVENT_UNMAP only with
 * UFFD_FEATURE_EVENT_UNMAP (6.1, 6.12 and 7.3 alike).
 */
#include "exec_world.h"

/*
 * What a VMA moved by mremap carries.  Without EVENT_REMAP, mremap_userfaultfd_prep()
 * unregisters the moved VMA (vm_userfaultfd_ctx reset, __VM_UFFD_FLAGS cleared), and since
 * 0cef0bb836e3 ("mm: clear uffd-wp PTE/PMD state on mremap", in Debian's 6.1 and 6.12 as
 * a stable backport: mremap.c's vma_has_uffd_without_event_remap()) move_ptes(),
 * move_huge_pmd() and move_hugetlb_page_tables() clear the uffd-wp bits of present and
 * swap entries and drop uffd-wp markers: nothing moved is protected.  The data, the
 * read-only-ness (vm_flags) and poison markers move along.
 */
static void moved_unregistered(struct granule *g)
{
	g->prot = PROT_NO;
	g->reg = 0;
}

/*
 * The whole VMA moves (or grows, moving if it must): every granule unregistered and
 * unprotected, at its new address.  A VMA that an earlier op split into pieces (or
 * shrank) is not one VMA: region_mremap() refuses it.
 */
static void op_mremap_whole(unsigned int vi, const struct seq_op *o)
{
	struct vma_run *v = &world.v[vi];
	char *before = v->r.addr;
	int err;

	for (unsigned int p = 0; p < v->pages; p++)
		if (v->g[p].piece) {
			report_skip("mremap_of_a_split_vma");
			return;
		}
	err = region_mremap(&v->r, o->arg == SEQ_MREMAP_GROW);
	if (err < 0) {
		errno = -err;
		refused("mremap");
		return;
	}
	if (v->r.addr == before)	/* grown in place: the same VMA, the same pages */
		return;
	for (unsigned int p = 0; p < v->pages; p++) {
		v->g[p].addr = v->r.addr + (size_t)p * v->gran;
		moved_unregistered(&v->g[p]);
	}
}

/*
 * A fresh VMA over granules [first, first + count) after their old one was unmapped (the
 * unmap drops the bits and markers: unmap_vmas() with ZAP_FLAG_DROP_MARKER): not
 * registered, nothing protected, read-write; a shared file keeps its data, private
 * memory comes back zero.
 */
static void fresh_vma(unsigned int vi, unsigned int first, unsigned int count)
{
	struct vma_run *v = &world.v[vi];

	for (unsigned int p = first; p < first + count; p++) {
		struct granule *g = &v->g[p];

		g->prot = PROT_NO;
		g->reg = 0;
		g->ro = false;
		g->poisoned = false;
		g->lazyfree = false;
		if (backing_private(world.s->vmas[vi].backing))
			g->data = 0;
	}
}

/*
 * mremap of the range (one piece: run_memory_op() cuts it) down to its first COUNT / 2
 * granules.  Shrinking never moves: the kernel unmaps the tail (do_mas_munmap() in 6.1's
 * mremap(), do_vmi_munmap() in 6.12's and in 7.3's shrink_vma()) and the head keeps its
 * VMA, registration and pages untouched; the tail is mapped back fresh (fresh_vma()).
 */
static void op_mremap_shrink(unsigned int vi, const struct seq_op *o)
{
	struct vma_run *v = &world.v[vi];
	unsigned int keep = o->count / 2;
	int err;

	if (!keep) {
		report_skip("mremap_shrink_of_one_granule");
		return;
	}
	err = region_shrink(&v->r, addr_of(v, o->first), (size_t)o->first * v->gran,
			    (size_t)o->count * v->gran, (size_t)keep * v->gran);
	if (err < 0) {
		errno = -err;
		if (!refused("mremap"))
			report_skip("mremap_shrink_failed");
		return;
	}
	fresh_vma(vi, o->first + keep, o->count - keep);
}

/*
 * mremap of the range on its own (MAYMOVE | FIXED) to a fresh address: its VMA splits
 * and the range's page tables move (move_page_tables()) into a VMA of their own, a new
 * piece of ours.  The moved VMA is unregistered (moved_unregistered()); the VMA left
 * behind keeps its registration and pages.  A range over several VMAs is refused
 * (region_move_part(): EFAULT), as is a hugetlb range off its granule (EINVAL).
 */
static void op_mremap_part(unsigned int vi, const struct seq_op *o)
{
	struct vma_run *v = &world.v[vi];
	char *to = region_move_part(addr_of(v, o->first), (size_t)o->count * v->gran);

	if (!to) {
		if (errno == EFAULT)
			report_skip("mremap_part_spans_vmas");
		else if (!refused("mremap"))
			report_skip("mremap_part_failed");
		return;
	}
	v->pieces++;
	for (unsigned int p = o->first; p < o->first + o->count; p++) {
		v->g[p].addr = to + (size_t)(p - o->first) * v->gran;
		v->g[p].piece = v->pieces;
		moved_unregistered(&v->g[p]);
	}
}

/* munmap of the range and an mmap of the same backing back at the same address. */
static void op_munmap(unsigned int vi, const struct seq_op *o)
{
	struct vma_run *v = &world.v[vi];
	int err = region_remap_at(&v->r, addr_of(v, o->first), (size_t)o->first * v->gran,
				  (size_t)o->count * v->gran);

	if (err < 0) {
		errno = -err;
		if (!refused("munmap"))
			report_skip("munmap_failed");
		return;
	}
	fresh_vma(vi, o->first, o->count);
}

void exec_remap_begin(void)
{
	scen_begin("uffdwp-fuzz");	/* scen_fail()'s name here: scenario.h keeps it per file */
}

void run_remap_op(unsigned int vi, const struct seq_op *o)
{
	if (o->kind == OP_MUNMAP)
		op_munmap(vi, o);
	else if (o->arg == SEQ_MREMAP_SHRINK)
		op_mremap_shrink(vi, o);
	else if (o->arg == SEQ_MREMAP_PART)
		op_mremap_part(vi, o);
	else if (o->arg == SEQ_MREMAP_MOVE || o->arg == SEQ_MREMAP_GROW)
		op_mremap_whole(vi, o);
	else
		report_skip("unknown_mremap");
}

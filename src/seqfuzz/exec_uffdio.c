// SPDX-License-Identifier: GPL-2.0
/*
 * The ops that fill, move or poison pages through the uffd itself (UFFDIO_COPY,
 * UFFDIO_MOVE, UFFDIO_POISON), each with the oracle's expectation: see exec.h.  All may
 * stop part-way; the count of bytes they report done says which granules changed, the
 * rest stayed as they were.
 */
#include "exec_world.h"

/* Why a fill or move that did nothing stopped, as a skip reason: never a finding. */
static void stopped(const char *what)
{
	char why[64];

	if (refused(what))
		return;
	snprintf(why, sizeof(why), "%s_stopped_%s", what,
		 errno == EEXIST ? "EEXIST_populated" : errno == ENOENT ? "ENOENT" :
		 errno == EBUSY ? "EBUSY" : errno == EFAULT ? "EFAULT" :
		 errno == EAGAIN ? "EAGAIN" : "other_errno");
	report_skip(why);
}

/* Granules a copy or move reports done: its bytes (or -errno), never more than asked. */
static unsigned int done_granules(int64_t bytes, unsigned long gran, unsigned int count)
{
	int64_t n = bytes > 0 ? bytes / (int64_t)gran : 0;

	return n < count ? (unsigned int)n : count;
}

/*
 * UFFDIO_COPY of source pages tagged in their first word.  It needs the range inside one
 * VMA registered with our uffd (else ENOENT), WP mode one registered for WP (else
 * EINVAL).  It fills granules up to the first populated one (EEXIST; over a uffd-wp
 * marker it fills: pte_none_mostly() in 6.1/6.12, pte_is_uffd_marker() in 7.3), each
 * with its source page, the uffd-wp bit set with UFFDIO_COPY_MODE_WP and not without
 * (mfill_atomic_install_pte(), hugetlb_mfill_atomic_pte()).  A shmem or hugetlb shared
 * file page that exists but is not mapped is populated too (EEXIST from the page cache).
 */
static void op_copy(unsigned int vi, const struct seq_op *o)
{
	struct vma_run *v = &world.v[vi];
	size_t len = (size_t)o->count * v->gran;
	uint64_t tag = ((uint64_t)world.op + 1) << 32 | 0xc0000000ULL;
	struct uffdio_copy copy = {
		.dst = (uintptr_t)addr_of(v, o->first),
		.len = len,
		.mode = o->arg ? UFFDIO_COPY_MODE_WP : 0,
	};
	unsigned int done;
	char *src;
	int ret;

	src = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED)
		scen_fail("mmap(copy source)");
	for (unsigned int i = 0; i < o->count; i++)
		*(uint64_t *)(src + (size_t)i * v->gran) = tag + o->first + i;
	copy.src = (uintptr_t)src;
	ret = ioctl(world.uffd, UFFDIO_COPY, &copy);
	munmap(src, len);
	done = done_granules(copy.copy, v->gran, o->count);
	if (ret < 0 && !done) {
		stopped("copy");
		return;
	}
	for (unsigned int p = o->first; p < o->first + done; p++) {
		v->g[p].data = tag + p;
		v->g[p].prot = o->arg ? PROT_YES : PROT_NO;
		v->g[p].poisoned = false;
		v->g[p].lazyfree = false;	/* a new page */
	}
}

static bool ranges_overlap(unsigned int a, unsigned int b, unsigned int count)
{
	return a < b + count && b < a + count;
}

/*
 * UFFDIO_MOVE (6.8+) of anon pages to an unpopulated range of a VMA registered with our
 * uffd (validate_move_areas(): both anon, same protection, else EINVAL; a populated
 * destination EEXIST, a source hole ENOENT, a shared or large folio that cannot be split
 * EBUSY: it stops there).  move_present_pte() (6.12) and move_present_ptes() (7.3) build
 * the destination PTE from the destination VMA's vm_page_prot, writable and without the
 * uffd-wp bit, and clear the source PTE, no marker left: the destination holds the data
 * unprotected, the source reads zero unprotected.  A swapped-out source moves as its swap
 * entry (move_swap_pte()), uffd-wp bit and all in some kernels: unknown there.
 */
static void op_move(unsigned int vi, const struct seq_op *o)
{
	unsigned int dvi = seq_move_dst_vma(o), dfirst = seq_move_dst_first(o), done;
	struct vma_run *src = &world.v[vi], *dst = &world.v[dvi];
	struct scen_uffdio_move mv = {
		.dst = (uintptr_t)addr_of(dst, dfirst),
		.src = (uintptr_t)addr_of(src, o->first),
		.len = (uint64_t)o->count * src->gran,
	};
	bool swapped[SEQ_MAX_PAGES] = { false };
	int fd, ret;

	if (dst->unavailable) {
		report_skip(dst->unavailable);
		return;
	}
	if (src->gran != dst->gran) {
		report_skip("move_between_granules");
		return;
	}
	if (vi == dvi && ranges_overlap(o->first, dfirst, o->count)) {
		report_skip("move_ranges_overlap");
		return;
	}
	/* run_memory_op() cut the source to one piece of its VMA; the destination too must
	 * lie in one place */
	for (unsigned int i = 1; i < o->count; i++)
		if (dst->g[dfirst + i].piece != dst->g[dfirst].piece) {
			report_skip("move_destination_split_by_mremap");
			return;
		}
	fd = pagemap_open();
	for (unsigned int i = 0; i < o->count; i++)
		swapped[i] = pagemap_of(src, o->first + i, fd) & PM_SWAP;
	close(fd);
	ret = ioctl(world.uffd, SCEN_UFFDIO_MOVE, &mv);
	done = done_granules(mv.move, src->gran, o->count);
	if (ret < 0 && !done) {
		stopped("move");
		return;
	}
	for (unsigned int i = 0; i < done; i++) {
		struct granule *s = &src->g[o->first + i], *d = &dst->g[dfirst + i];

		d->data = s->data;
		d->prot = swapped[i] ? PROT_UNKNOWN : PROT_NO;
		d->lazyfree = s->lazyfree;	/* the folio moves as it is */
		s->data = 0;
		s->prot = PROT_NO;
		s->lazyfree = false;
	}
}

/*
 * UFFDIO_POISON (6.6+; EINVAL before): each empty entry of the range becomes a poison
 * marker, up to the first that is not empty (mfill_atomic_pte_poison(): pte_none(), so a
 * uffd-wp marker stops it with EEXIST too); `updated` says how far.  An access to a
 * poisoned page is a SIGBUS, and which later zaps drop the marker is not modelled: the
 * oracle never touches those pages again (until a munmap, or a copy that fills them).
 */
static void op_poison(unsigned int vi, const struct seq_op *o)
{
	struct vma_run *v = &world.v[vi];
	struct scen_uffdio_poison poison = {
		.range = {
			.start = (uintptr_t)addr_of(v, o->first),
			.len = (uint64_t)o->count * v->gran,
		},
	};
	unsigned int done;
	int ret;

	ret = ioctl(world.uffd, SCEN_UFFDIO_POISON, &poison);
	done = done_granules(poison.updated, v->gran, o->count);
	if (ret < 0 && !done) {
		stopped("poison");
		return;
	}
	for (unsigned int p = o->first; p < o->first + done; p++)
		v->g[p].poisoned = true;
}

/*
 * UFFDIO_CONTINUE over the range after its file pages were put in the page cache through
 * a second mapping (region_fill_cache(): the data every granule of the range now reads).
 * It maps the cache page of each granule up to the first that is mapped already (EEXIST:
 * pte_none_mostly() in 6.1/6.12, pte_none() || pte_is_uffd_marker() in 7.3, so it maps
 * over a uffd-wp marker), `mapped` says how far.  mfill_atomic_install_pte() (from
 * mcontinue_atomic_pte() in 6.1, mfill_atomic_pte_continue() later;
 * hugetlb_mfill_atomic_pte() for hugetlb) sets the uffd-wp bit with
 * UFFDIO_CONTINUE_MODE_WP (6.3+: EINVAL before; EINVAL too unless the VMA is
 * registered for WP) and never without it, a marker
 * or not: so a mapped granule is protected exactly with MODE_WP, and its first write
 * owes one WP message.  A range not registered with our uffd is ENOENT.
 */
static void op_continue(unsigned int vi, const struct seq_op *o)
{
	struct vma_run *v = &world.v[vi];
	uint64_t tag = ((uint64_t)world.op + 1) << 32 | 0xc0a00000ULL;
	struct uffdio_continue cont = {
		.range = {
			.start = (uintptr_t)addr_of(v, o->first),
			.len = (uint64_t)o->count * v->gran,
		},
		.mode = o->arg ? UFFDIO_CONTINUE_MODE_WP : 0,
	};
	unsigned int done;
	int ret;

	if (v->r.fd < 0) {	/* anon, THP, hugetlb private: no page cache to continue from */
		report_skip("continue_needs_a_file_backing");
		return;
	}
	ret = region_fill_cache(&v->r, (size_t)o->first * v->gran, (size_t)o->count * v->gran,
				tag);
	if (ret < 0) {
		errno = -ret;
		if (!refused("fill_cache"))
			report_skip(errno == ENOSPC ? "continue_no_free_hugetlb_page"
						    : "continue_fill_cache_failed");
		return;
	}
	for (unsigned int p = o->first; p < o->first + o->count; p++)
		v->g[p].data = tag + p;	/* the file's page: our mapping sees it too */
	ret = ioctl(world.uffd, UFFDIO_CONTINUE, &cont);
	done = done_granules(cont.mapped, v->gran, o->count);
	if (ret < 0 && !done) {
		stopped("continue");
		return;
	}
	for (unsigned int p = o->first; p < o->first + done; p++) {
		v->g[p].prot = o->arg ? PROT_YES : PROT_NO;
		v->g[p].poisoned = false;
	}
}

/*
 * PAGEMAP_SCAN (6.7, 52526ca7fdb9) of the range for PAGE_IS_WRITTEN with
 * PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC, in a wp_async sequence.  Written is "no
 * uffd-wp bit and no marker" (pagemap_page_category()), so of the present granules of a
 * WP-registered range it must report exactly those the oracle calls unprotected, and it
 * re-protects what it reports (make_uffd_wp_pte()): afterwards every present one is
 * protected.  Not judged, as src/model/pagemap_scan.c does not: none entries (a hole
 * gets a marker or is reported written by kernel: 07b4377bdbe7, 40de8160ca7f), swap
 * entries, unknown and poisoned granules.  A VMA of the range not WP_ASYNC with markers
 * is -EPERM (pagemap_scan_test_walk()) after the VMAs before it were done: unknown.
 */
static void op_scan(unsigned int vi, const struct seq_op *o)
{
	struct vma_run *v = &world.v[vi];
	bool present[SEQ_MAX_PAGES], reported[SEQ_MAX_PAGES];
	uintptr_t start = (uintptr_t)addr_of(v, o->first);
	uint64_t walk_end = 0;
	unsigned int walked;
	int fd = pagemap_open();
	long ret;

	if (!world.async) {
		close(fd);
		report_skip(world.s->wp_async ? "kernel_lacks_UFFD_FEATURE_WP_ASYNC"
					      : "scan_needs_a_wp_async_sequence");
		return;
	}
	for (unsigned int i = 0; i < o->count; i++)
		present[i] = pagemap_of(v, o->first + i, fd) & PM_PRESENT;
	ret = pagemap_scan_written(fd, addr_of(v, o->first), o->count, v->gran, reported,
				   &walk_end);
	close(fd);
	if (ret < 0) {
		errno = (int)-ret;
		for (unsigned int p = o->first; p < o->first + o->count; p++)
			if (v->g[p].prot == PROT_NO && (v->g[p].reg & SEQ_MODE_WP))
				v->g[p].prot = PROT_UNKNOWN;
		if (errno == EPERM)
			report_skip("scan_refused_EPERM_not_wp_async");
		else if (errno == ENOTTY)
			report_skip("scan_refused_ENOTTY");
		else if (!refused("scan"))
			report_skip("scan_failed");
		return;
	}
	walked = walk_end > start ? (unsigned int)((walk_end - start) / v->gran) : 0;
	for (unsigned int i = 0; i < o->count && i < walked; i++) {
		struct granule *g = &v->g[o->first + i];
		bool judged = present[i] && !g->poisoned && (g->reg & SEQ_MODE_WP) &&
			      g->prot != PROT_UNKNOWN;

		if (judged && g->prot == PROT_YES && reported[i])
			report_bug("scan", vi, o->first + i, "PAGEMAP_SCAN reported a protected "
				   "page written");
		if (judged && g->prot == PROT_NO && !reported[i])
			report_bug("scan", vi, o->first + i, "PAGEMAP_SCAN did not report a page "
				   "written since it was last protected");
		if (g->reg & SEQ_MODE_WP)
			g->prot = present[i] ? PROT_YES : PROT_UNKNOWN;
	}
}

void exec_uffdio_begin(void)
{
	scen_begin("uffdwp-fuzz");	/* scen_fail()'s name here: scenario.h keeps it per file */
}

void run_uffdio_op(unsigned int vi, const struct seq_op *o)
{
	if (o->kind == OP_COPY)
		op_copy(vi, o);
	else if (o->kind == OP_MOVE)
		op_move(vi, o);
	else if (o->kind == OP_POISON)
		op_poison(vi, o);
	else if (o->kind == OP_CONTINUE)
		op_continue(vi, o);
	else if (o->kind == OP_SCAN)
		op_scan(vi, o);
}

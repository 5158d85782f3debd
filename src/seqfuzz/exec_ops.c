// SPDX-License-Identifier: GPL-2.0
/* The ops on memory and registrations, each with the oracle's expectation: see exec.h. */
#include "exec_world.h"

struct write_job {
	struct vma_run *v;
	unsigned int first, count;
	uint64_t tag;
};

static void *write_range(void *arg)
{
	struct write_job *j = arg;

	for (unsigned int p = j->first; p < j->first + j->count; p++)
		if (!j->v->g[p].ro && !j->v->g[p].poisoned)
			*word_of(j->v, p) = j->tag + p;
	return NULL;
}

/* Writes from thread `thread` (0: this one); each page owes one WP message if protected. */
static void op_write(unsigned int vi, const struct seq_op *o)
{
	struct vma_run *v = &world.v[vi];
	struct write_job job = { v, o->first, o->count, ((uint64_t)world.op + 1) << 32 };
	unsigned int before[512], missing[512], minor[512];
	pthread_t t;

	for (unsigned int p = o->first; p < o->first + o->count; p++) {
		before[p - o->first] = v->g[p].wp_msgs;
		missing[p - o->first] = v->g[p].missing_msgs;
		minor[p - o->first] = v->g[p].minor_msgs;
	}
	if (o->arg == 0) {
		write_range(&job);
	} else {
		if (pthread_create(&t, NULL, write_range, &job))
			scen_fail("pthread_create(writer)");
		pthread_join(t, NULL);
	}
	for (unsigned int p = o->first; p < o->first + o->count; p++) {
		struct granule *g = &v->g[p];
		unsigned int got = g->wp_msgs - before[p - o->first];
		/* a missing or minor fault resolved over a marker maps the page without
		 * its bit (mfill_atomic_install_pte() sets it only for MODE_WP) */
		bool missed = resolved_by_us(g, missing[p - o->first], minor[p - o->first]);

		if (g->ro || g->poisoned)
			continue;
		/* WP_ASYNC: the kernel resolves the fault itself and clears the bit
		 * (do_wp_page(), handle_pte_marker(), hugetlb_fault(): userfaultfd_wp_async()) */
		if (world.async && got)
			report_bug("wp_msgs", vi, p, "a write with WP_ASYNC gave %u WP messages, "
				   "want none", got);
		if (g->prot == PROT_YES && got != 1 && !missed && !world.async)
			report_bug("wp_msgs", vi, p, "a write to a protected page gave %u WP "
				   "messages, want exactly 1", got);
		if (g->prot == PROT_NO && got)
			report_bug("wp_msgs", vi, p, "a write to an unprotected page gave %u WP "
				   "messages, want none", got);
		g->prot = PROT_NO;
		g->data = job.tag + p;
		g->lazyfree = false;	/* dirty: reclaim keeps it (try_to_unmap_one()) */
	}
}

static void op_read(unsigned int vi, const struct seq_op *o)
{
	struct vma_run *v = &world.v[vi];

	for (unsigned int p = o->first; p < o->first + o->count; p++) {
		struct granule *g = &v->g[p];
		unsigned int wp = g->wp_msgs, missing = g->missing_msgs, minor = g->minor_msgs;
		uint64_t got;

		if (g->poisoned)
			continue;
		got = *word_of(v, p);

		if (g->wp_msgs != wp)
			report_bug("wp_msgs", vi, p, "a read gave a WP message");
		if (g->data != DATA_UNKNOWN && got != g->data)
			report_bug("data", vi, p, "read 0x%llx, want 0x%llx",
				   (unsigned long long)got, (unsigned long long)g->data);
		/* a missing or minor fault resolved over a marker maps the page without
		 * its bit (mfill_atomic_install_pte(): only MODE_WP sets it) */
		if (resolved_by_us(g, missing, minor))
			g->prot = PROT_UNKNOWN;
	}
}

static int range_ioctl(unsigned long req, unsigned int vi, const struct seq_op *o,
		       uint64_t mode, bool with_mode)
{
	struct vma_run *v = &world.v[vi];
	struct uffdio_range range = {
		.start = (uintptr_t)addr_of(v, o->first),
		.len = (uint64_t)o->count * v->gran,
	};
	union {
		struct uffdio_register reg;
		struct uffdio_writeprotect wp;
	} arg;

	if (req == UFFDIO_REGISTER)
		arg.reg = (struct uffdio_register){ .range = range, .mode = mode };
	else if (with_mode)
		arg.wp = (struct uffdio_writeprotect){ .range = range, .mode = mode };
	return ioctl(world.uffd, req, with_mode || req == UFFDIO_REGISTER ? (void *)&arg
								      : (void *)&range);
}

static void op_register(unsigned int vi, const struct seq_op *o)
{
	struct granule *g = world.v[vi].g;
	enum seq_backing b = world.s->vmas[vi].backing;

	/* MODE_MINOR: vma_can_userfault() wants shmem or hugetlb (a private hugetlb
	 * mapping has no page cache of its own to fault minor on: not drawn, skipped),
	 * and UFFDIO_API the feature of that backing */
	if (o->arg & SEQ_MODE_MINOR) {
		uint64_t need = b == SEQ_SHMEM ? UFFD_FEATURE_MINOR_SHMEM
						: UFFD_FEATURE_MINOR_HUGETLBFS;

		if (b != SEQ_SHMEM && b != SEQ_HUGETLB_SHARED) {
			report_skip("minor_needs_shmem_or_hugetlb_shared");
			return;
		}
		if (!(world.features & need)) {
			report_skip(b == SEQ_SHMEM ? "kernel_lacks_UFFD_FEATURE_MINOR_SHMEM"
						   : "kernel_lacks_UFFD_FEATURE_MINOR_HUGETLBFS");
			return;
		}
	}
	if (range_ioctl(UFFDIO_REGISTER, vi, o, o->arg, false) < 0)
		return;		/* refused (EBUSY on 7.3 for dropping WP, EINVAL): nothing changed */
	for (unsigned int p = o->first; p < o->first + o->count; p++) {
		/* A VMA this uffd registered with every requested mode already is
		 * skipped (userfaultfd_register_range(): "(vma->vm_flags & vm_flags)
		 * == vm_flags ... goto skip"): MISSING over MISSING|WP keeps WP and its
		 * protection.  Granules of one VMA share its modes, so per granule. */
		if (g[p].reg && (g[p].reg & o->arg) == o->arg)
			continue;
		/* dropping WP from a registration must drop the protection with it */
		if ((g[p].reg & SEQ_MODE_WP) && !(o->arg & SEQ_MODE_WP) && g[p].prot == PROT_YES)
			g[p].prot = PROT_NO;
		g[p].reg = o->arg;
	}
}

static void op_unregister(unsigned int vi, const struct seq_op *o)
{
	struct granule *g = world.v[vi].g;

	if (range_ioctl(UFFDIO_UNREGISTER, vi, o, 0, false) < 0)
		return;
	for (unsigned int p = o->first; p < o->first + o->count; p++) {
		if (g[p].prot == PROT_YES)
			g[p].prot = PROT_NO;
		g[p].reg = 0;
	}
}

static void op_writeprotect(unsigned int vi, const struct seq_op *o, bool on)
{
	struct vma_run *v = &world.v[vi];
	bool present[512];
	int fd = pagemap_open();

	for (unsigned int p = o->first; p < o->first + o->count; p++)
		present[p - o->first] = pagemap_of(v, p, fd) & PM_PRESENT;
	close(fd);
	if (range_ioctl(UFFDIO_WRITEPROTECT, vi, o, on ? UFFDIO_WRITEPROTECT_MODE_WP : 0, true) < 0) {
		/* since 6.5 the ioctl walks VMA by VMA: one not registered for WP (ENOENT)
		 * ends it with the VMAs before it already done */
		for (unsigned int p = o->first; p < o->first + o->count; p++)
			if (on || v->g[p].prot == PROT_YES)
				v->g[p].prot = PROT_UNKNOWN;
		return;
	}
	for (unsigned int p = o->first; p < o->first + o->count; p++) {
		struct granule *g = &v->g[p];

		if (!on && g->prot == PROT_YES)
			g->prot = PROT_NO;
		/* an unpopulated page gets a marker or nothing, by backing and kernel */
		if (on)
			g->prot = present[p - o->first] ? PROT_YES : PROT_UNKNOWN;
	}
}

static void op_mprotect(unsigned int vi, const struct seq_op *o)
{
	struct vma_run *v = &world.v[vi];

	if (mprotect(addr_of(v, o->first), (size_t)o->count * v->gran,
		     o->arg ? PROT_READ | PROT_WRITE : PROT_READ) < 0)
		return;
	for (unsigned int p = o->first; p < o->first + o->count; p++)
		v->g[p].ro = !o->arg;
}

static void op_dontneed(unsigned int vi, const struct seq_op *o)
{
	struct vma_run *v = &world.v[vi];
	enum seq_backing b = world.s->vmas[vi].backing;

	if (madvise(addr_of(v, o->first), (size_t)o->count * v->gran,
		    MADV_DONTNEED) < 0)
		return;
	for (unsigned int p = o->first; p < o->first + o->count; p++) {
		struct granule *g = &v->g[p];

		/* shmem and hugetlb keep a marker; anon has none without WP_UNPOPULATED */
		if ((b == SEQ_ANON || b == SEQ_THP) && g->prot == PROT_YES)
			g->prot = PROT_UNKNOWN;
		if (backing_private(b))
			g->data = 0;
		g->lazyfree = false;
	}
}

static void op_move_pages(unsigned int vi, const struct seq_op *o)
{
	struct vma_run *v = &world.v[vi];
	void *pages[512];
	int nodes[512], status[512];

	if (numa_node_count() < 2) {
		report_skip("needs_2_numa_nodes");
		return;
	}
	for (unsigned int p = 0; p < o->count; p++)
		pages[p] = addr_of(v, o->first + p);
	/* each page to the node it is not on: status, without nodes, says where it is */
	if (o->arg == SEQ_MOVE_OTHER_NODE &&
	    syscall(__NR_move_pages, 0, (unsigned long)o->count, pages, NULL, status, 0) < 0)
		return;
	for (unsigned int p = 0; p < o->count; p++)
		nodes[p] = o->arg != SEQ_MOVE_OTHER_NODE ? (int)o->arg : status[p] == 0;
	/* pages that cannot move (not present, busy) just stay: the model needs no change */
	syscall(__NR_move_pages, 0, (unsigned long)o->count, pages, nodes, status, MPOL_MF_MOVE);
}


/*
 * A hole in a shared file: the pages read back zero, and a protected page keeps its
 * protection as a marker (the zap of unmap_mapping_range() keeps them; only truncation
 * drops them), so a re-fault maps the new page protected.
 */
static void file_hole(struct vma_run *v, const struct seq_op *o)
{
	for (unsigned int p = o->first; p < o->first + o->count; p++)
		v->g[p].data = 0;
}

static void op_madvise(unsigned int vi, const struct seq_op *o)
{
	static const int advice[SEQ_MADV_MAX] = {
		[SEQ_MADV_REMOVE] = MADV_REMOVE, [SEQ_MADV_FREE] = MADV_FREE,
		[SEQ_MADV_PAGEOUT] = MADV_PAGEOUT, [SEQ_MADV_COLLAPSE] = MADV_COLLAPSE,
	};
	struct vma_run *v = &world.v[vi];

	if (o->arg >= SEQ_MADV_MAX) {
		report_skip("unknown_advice");
		return;
	}
	if (madvise(addr_of(v, o->first), (size_t)o->count * v->gran,
		    advice[o->arg]) < 0) {
		/* COLLAPSE's EAGAIN/ENOMEM: part of the range may be collapsed, which must
		 * keep protections and data as they are, so the model needs no change */
		refused("madvise");
		return;
	}
	for (unsigned int p = o->first; p < o->first + o->count; p++) {
		struct granule *g = &v->g[p];

		switch (o->arg) {
		case SEQ_MADV_REMOVE:	/* shared mappings only: file_hole() below */
			break;
		case SEQ_MADV_FREE:	/* anon only: reclaim may discard the page (no marker:
					 * anon) or keep it, until a write keeps it for sure */
			if (g->prot == PROT_YES)
				g->prot = PROT_UNKNOWN;
			g->data = DATA_UNKNOWN;
			g->lazyfree = true;
			break;
		default:	/* PAGEOUT (swap entries and markers keep the bit) and
				 * COLLAPSE (refuses protected PTEs since dd47ac428c3f):
				 * protection and data stay */
			break;
		}
	}
	if (o->arg == SEQ_MADV_REMOVE)
		file_hole(v, o);
}

static void op_punch_hole(unsigned int vi, const struct seq_op *o)
{
	struct vma_run *v = &world.v[vi];

	if (v->r.fd < 0) {
		report_skip("punch_hole_needs_a_file_backing");
		return;
	}
	if (fallocate(v->r.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)o->first * (off_t)v->gran, (off_t)o->count * (off_t)v->gran) < 0) {
		refused("fallocate");
		return;
	}
	file_hole(v, o);
}

void exec_ops_begin(void)
{
	scen_begin("uffdwp-fuzz");	/* scen_fail()'s name here: scenario.h keeps it per file */
}

static void run_piece_op(unsigned int vi, const struct seq_op *o)
{
	switch (o->kind) {
	case OP_REGISTER: op_register(vi, o); break;
	case OP_UNREGISTER: op_unregister(vi, o); break;
	case OP_WP_ON: op_writeprotect(vi, o, true); break;
	case OP_WP_OFF: op_writeprotect(vi, o, false); break;
	case OP_WRITE: op_write(vi, o); break;
	case OP_READ: op_read(vi, o); break;
	case OP_MPROTECT: op_mprotect(vi, o); break;
	case OP_DONTNEED: op_dontneed(vi, o); break;
	case OP_MOVE_PAGES: op_move_pages(vi, o); break;
	case OP_MADVISE: op_madvise(vi, o); break;
	case OP_PUNCH_HOLE: op_punch_hole(vi, o); break;
	case OP_MREMAP:
	case OP_MUNMAP: run_remap_op(vi, o); break;
	case OP_COPY:
	case OP_MOVE:
	case OP_POISON:
	case OP_CONTINUE:
	case OP_SCAN: run_uffdio_op(vi, o); break;
	default: break;	/* fork and close: exec.c */
	}
}

/*
 * An op over the granules [first, first + count) of a VMA runs once for each piece of it
 * that lies in one place (an mremap of part of the VMA moved the others away: see
 * granule.piece), each as the op cut to that piece: the syscalls of a range need it
 * contiguous, and what each does to its piece is what the op does to its range.  An
 * mremap of the whole VMA takes it whole (exec_remap.c refuses a split one).
 */
void run_memory_op(unsigned int vi, const struct seq_op *o)
{
	const struct vma_run *v = &world.v[vi];
	unsigned int end = o->first + o->count, from = o->first;

	if (o->kind == OP_MREMAP && (o->arg == SEQ_MREMAP_MOVE || o->arg == SEQ_MREMAP_GROW)) {
		run_piece_op(vi, o);
		return;
	}
	for (unsigned int p = o->first + 1; p <= end; p++) {
		struct seq_op piece = *o;

		if (p < end && v->g[p].piece == v->g[from].piece)
			continue;
		seq_op_shrink(&piece, from, p - from);
		run_piece_op(vi, &piece);
		from = p;
	}
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The uffd-wp registered ranges of a traced thread group (struct traced_task's
 * wp[]): added and removed by the UFFDIO_(UN)REGISTER syscall records and moved
 * by mremap's (syscalls.bpf.c), looked up by write faults (faults.bpf.c), given
 * to a forked child, walked in its tables and cleared at exec (sched.bpf.c).
 * They go with the group's traced_tgids entry: at its exit, or as a leftover of
 * one whose exit was missed.  Before they were one table for every process,
 * freed only at exit; when the kernel skipped both exit programs the slots
 * stayed taken, and over a fuzz search's thousands of processes the table
 * filled (table_full losses).
 */
#ifndef UFFDWP_WP_RANGES_BPF_H
#define UFFDWP_WP_RANGES_BPF_H

#include "uffdwp.bpf.h"

/*
 * Whether a range of @t overlaps [start, end): an address is the range
 * [addr, addr + 1).  Unrolled: every write fault of a traced process asks, and
 * straight code is what every verifier accepts at once.  Writers of one group's
 * ranges are its threads in their uffd and mremap calls; a half-written slot is
 * empty (start >= end: a claim writes start first, a free end first), so a
 * reader never sees one cover more than it was given.
 */
static __always_inline bool wp_ranges_overlap(const struct traced_task *t, __u64 start,
					      __u64 end)
{
#pragma unroll
	for (int i = 0; i < WP_RANGES_PER_PROCESS; i++) {
		__u64 rs = *(volatile const __u64 *)&t->wp[i].start;
		__u64 re = *(volatile const __u64 *)&t->wp[i].end;

		if (rs && rs < end && start < re)
			return true;
	}
	return false;
}

static __always_inline bool in_wp_range(const struct traced_task *t, __u64 addr)
{
	return wp_ranges_overlap(t, addr, addr + 1);
}

/*
 * The writers walk the slots with bpf_loop() (5.17+): unrolled as the reader
 * is, the syscall exit programs that add, delete and move took twice the
 * verification (220,000 instructions processed each, against 111,000).
 */
struct wp_edit {
	struct traced_task *t;
	__u64 start, end;
	bool done;		/* add: a slot holds the range */
	__u64 tail_end;		/* delete: [end, tail_end) is left of ranges cut in the middle */
};

/* The i-th slot: the mask keeps the verifier's bound (the compiler drops a
 * plain one as it knows i < WP_RANGES_PER_PROCESS, a power of 2). */
static __always_inline struct wp_range *wp_slot(struct traced_task *t, __u32 i)
{
	barrier_var(i);
	return &t->wp[i & (WP_RANGES_PER_PROCESS - 1)];
}

/* A slot overlapping or touching the range grows to hold both: a registration
 * repeated over the same pages takes no second slot, and neighbours share one. */
static long wp_slot_grow(__u32 i, void *ctx)
{
	struct wp_edit *x = ctx;
	struct wp_range *r = wp_slot(x->t, i);
	__u64 rs = r->start, re = r->end;

	if (!rs || rs >= re || rs > x->end || x->start > re)
		return 0;
	if (x->start < rs)
		r->start = x->start;
	if (x->end > re)
		r->end = x->end;
	x->done = true;
	return 1;
}

/* A free slot, claimed start first (a reader sees [start, 0), empty, until the end). */
static long wp_slot_claim(__u32 i, void *ctx)
{
	struct wp_edit *x = ctx;
	struct wp_range *r = wp_slot(x->t, i);

	if (r->start || __sync_val_compare_and_swap(&r->start, 0, x->start) != 0)
		return 0;
	r->end = x->end;
	x->done = true;
	return 1;
}

/* Add [x->start, x->end): false when no slot is free, and the range's write
 * faults will not be recorded. */
static __always_inline bool wp_edit_add(struct wp_edit *x)
{
	if (x->start >= x->end)
		return true;
	x->start = x->start ?: 1;	/* start 0 marks a free slot; [1, end) misses no page */
	x->done = false;
	bpf_loop(WP_RANGES_PER_PROCESS, wp_slot_grow, x, 0);
	if (!x->done)
		bpf_loop(WP_RANGES_PER_PROCESS, wp_slot_claim, x, 0);
	return x->done;
}

/*
 * Deleting [start, end) keeps what a range has outside it: an UFFDIO_UNREGISTER
 * of part of a registration leaves the rest registered for WP, whose write faults
 * must still be recorded (a fuzz sequence unregistering pages 0-5 of 9 lost the
 * faults of 6-8, and the model called page 6 LOST_WP at its migration).  A range
 * cut in the middle keeps its head in its slot and hands its tail to
 * wp_edit_del().  Every such tail starts at the deleted range's end, so the
 * longest holds them all (slots may overlap: a range grown over two).  A free
 * takes end first: a reader sees [start, 0), empty.
 */
static long wp_slot_cut(__u32 i, void *ctx)
{
	struct wp_edit *x = ctx;
	struct wp_range *r = wp_slot(x->t, i);
	__u64 rs = r->start, re = r->end;

	if (!rs || rs >= x->end || x->start >= re)
		return 0;
	if (re > x->end) {
		if (rs >= x->start) {
			r->start = x->end;
			return 0;
		}
		if (re > x->tail_end)
			x->tail_end = re;
	}
	if (rs < x->start) {
		r->end = x->start;
	} else {
		r->end = 0;
		barrier();
		r->start = 0;
	}
	return 0;
}

/* Delete [x->start, x->end): false when the tail of a range cut in the middle
 * found no free slot. */
static __always_inline bool wp_edit_del(struct wp_edit *x)
{
	x->tail_end = 0;
	bpf_loop(WP_RANGES_PER_PROCESS, wp_slot_cut, x, 0);
	if (!x->tail_end)
		return true;
	x->start = x->end;
	x->end = x->tail_end;
	return wp_edit_add(x);
}

/* The callers of these: the syscall exit programs, near 6.1's and 6.12's
 * combined stack of 512 bytes; out of line, each has its own frame.  The
 * current thread group's ranges; an untraced one has none to change. */
static __noinline bool wp_range_add(__u64 start, __u64 end)
{
	struct wp_edit x = { .t = traced_current(), .start = start, .end = end };

	return !x.t || wp_edit_add(&x);
}

static __noinline bool wp_range_del(__u64 start, __u64 end)
{
	struct wp_edit x = { .t = traced_current(), .start = start, .end = end };

	return !x.t || wp_edit_del(&x);
}

/*
 * An mremap() moved [old, old + old_len) to [new, new + new_len), or resized it
 * in place (new == old).  A registration moved with UFFD_FEATURE_EVENT_REMAP
 * keeps its uffd-wp (mremap_userfaultfd_prep() keeps vm_userfaultfd_ctx, and
 * move_ptes() the bits), and a VMA grown in place keeps its flags over the new
 * part, so wherever the old range overlapped a WP range the new one is added
 * whole: without it the write faults there went unrecorded, and the model,
 * which moves the protection (src/model/mm_ops.c move_range()), missed
 * WP_ASYNC's unprotects.  More than the kernel keeps (a uffd without
 * EVENT_REMAP, a partly registered range) costs records, not findings: the
 * model takes a write fault on an unprotected page as a write.  The old range
 * goes unless MREMAP_DONTUNMAP left its VMA registered, or old_len is 0 (a
 * shared mapping duplicated: the old one stays; its address alone is looked
 * up).  false when a slot was missing (wp_edit_add(), wp_edit_del()).
 */
static __noinline bool wp_range_move(__u64 old, __u64 old_len, __u64 new, __u64 new_len,
				     bool old_stays)
{
	struct wp_edit x = { .t = traced_current(), .start = old, .end = old + old_len };
	bool kept = true;

	if (!x.t || !wp_ranges_overlap(x.t, old, old + (old_len ?: 1)))
		return true;
	if (!old_stays && old_len)
		kept = wp_edit_del(&x);
	x.start = new;
	x.end = new + new_len;
	/* the new range even when the old one's tail found no slot */
	return wp_edit_add(&x) && kept;
}

#endif /* UFFDWP_WP_RANGES_BPF_H */
